//! Tool-level access control, shared by every tool source: who may see and call which tool.
//!
//! Rules name consumers (by the field `consumer_identifier` selects) and, with
//! `include_consumer_groups`, consumer groups. Deny beats allow; a tool's own rule replaces
//! the toolset's default; an allow list that does not name the caller denies; no rule at all
//! allows. Denied tools vanish from `tools/list`, and calling one is refused before any
//! upstream is reached. The decisions are pure: the MCP server and the passthrough proxy,
//! which know the endpoint and session, write each one as an audit event.

use std::collections::HashMap;

use serde::Deserialize;

use crate::Principal;

/// Which consumer field rules name (Kong's `consumer_identifier`).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsumerIdentifier {
    /// The consumer's username (default).
    #[default]
    Username,
    /// The consumer's id.
    ConsumerId,
    /// The consumer's custom id.
    CustomId,
}

/// One rule: subjects allowed and denied.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AclRule {
    /// Consumers or groups allowed; when not empty, everyone else is denied.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Consumers or groups denied; wins over `allow`.
    #[serde(default)]
    pub deny: Vec<String>,
}

impl AclRule {
    /// A rule allowing `subjects`.
    #[must_use]
    pub fn allow<I, S>(subjects: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            allow: subjects.into_iter().map(Into::into).collect(),
            deny: Vec::new(),
        }
    }

    /// Adds denied subjects.
    #[must_use]
    pub fn with_deny<I, S>(mut self, subjects: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.deny.extend(subjects.into_iter().map(Into::into));
        self
    }
}

/// The access rules of one toolset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AclPolicy {
    /// The rule for tools without their own (Kong's `default_acl` with `scope: tools`).
    pub default: Option<AclRule>,
    /// Rules by tool name; each replaces the default for its tool.
    pub tools: HashMap<String, AclRule>,
    /// Which consumer field rules name.
    pub consumer_identifier: ConsumerIdentifier,
    /// Whether rules may name consumer groups.
    pub include_consumer_groups: bool,
    /// OAuth scopes needed to call particular tools, by tool name.
    pub tool_scopes: HashMap<String, Vec<String>>,
    /// Whether `tools/list` leaves out tools whose scopes the caller lacks (default: they
    /// are listed, and calling them is refused).
    pub hide_tools_without_scopes: bool,
}

/// Why a tool is refused to a caller; its `Display` is the JSON-RPC error message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    /// The tool.
    pub tool: String,
    /// `consumer group 'dev'`, `consumer 'alice'`.
    pub subject: String,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tool '{}' is not available for {}",
            self.tool, self.subject
        )
    }
}

impl AclPolicy {
    /// Whether the policy restricts anything.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.default.is_none() && self.tools.is_empty() && self.tool_scopes.is_empty()
    }

    /// Whether a rule or a scope requirement applies to `tool`: calling it is a decision
    /// worth an audit event.
    #[must_use]
    pub fn governs(&self, tool: &str) -> bool {
        self.default.is_some()
            || self.tools.contains_key(tool)
            || self.tool_scopes.contains_key(tool)
    }

    /// The scopes `tool` needs that `principal` was not granted.
    #[must_use]
    pub fn missing_scopes(&self, tool: &str, principal: &Principal) -> Vec<String> {
        self.tool_scopes
            .get(tool)
            .map(|needed| {
                needed
                    .iter()
                    .filter(|scope| !principal.scopes.contains(scope))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `tools/list` shows `tool` to `principal`.
    #[must_use]
    pub fn lists(&self, tool: &str, principal: &Principal) -> bool {
        self.is_open()
            || (self.check_rules(tool, principal).is_ok()
                && (!self.hide_tools_without_scopes
                    || self.missing_scopes(tool, principal).is_empty()))
    }

    /// Decides whether `principal` may call `tool` (rules, then scopes).
    ///
    /// # Errors
    /// [`Denial`] naming the tool and the subject refused.
    pub fn check(&self, tool: &str, principal: &Principal) -> Result<(), Denial> {
        self.check_rules(tool, principal)?;
        let missing = self.missing_scopes(tool, principal);
        if missing.is_empty() {
            return Ok(());
        }
        let subject = format!("callers without scope '{}'", missing.join(" "));
        Err(Denial {
            tool: tool.to_owned(),
            subject,
        })
    }

    fn check_rules(&self, tool: &str, principal: &Principal) -> Result<(), Denial> {
        let Some(rule) = self.tools.get(tool).or(self.default.as_ref()) else {
            return Ok(());
        };
        let consumer = match self.consumer_identifier {
            ConsumerIdentifier::Username => principal.consumer.as_deref(),
            ConsumerIdentifier::ConsumerId => principal
                .consumer_id
                .as_deref()
                .or(principal.consumer.as_deref()),
            ConsumerIdentifier::CustomId => principal.consumer_custom_id.as_deref(),
        };
        let groups: &[String] = if self.include_consumer_groups {
            &principal.groups
        } else {
            &[]
        };
        let named = |list: &[String]| -> Option<String> {
            if let Some(consumer) = consumer
                && list.iter().any(|s| s == consumer)
            {
                return Some(format!("consumer '{consumer}'"));
            }
            groups
                .iter()
                .find(|group| list.contains(group))
                .map(|group| format!("consumer group '{group}'"))
        };
        let decision = if let Some(subject) = named(&rule.deny) {
            Err(subject)
        } else if rule.allow.is_empty() || named(&rule.allow).is_some() {
            Ok(())
        } else {
            Err(match (groups.first(), consumer) {
                (Some(group), _) => format!("consumer group '{group}'"),
                (None, Some(consumer)) => format!("consumer '{consumer}'"),
                (None, None) => "anonymous callers".to_owned(),
            })
        };
        decision.map_err(|subject| Denial {
            tool: tool.to_owned(),
            subject,
        })
    }
}

#[cfg(test)]
mod tests;
