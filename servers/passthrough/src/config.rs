//! The gateway's YAML configuration (`--config FILE`): the upstream, who the upstream sees,
//! consumers with API keys, tool ACLs and, for a token swap, the authorization server.
//!
//! Unknown fields are errors, and every error names the field path
//! (`consumers[1].key_env: …`). Secrets never sit in the file in clear unless the operator
//! chooses to: keys may be `sha256:<hex>` digests or come from environment variables, and
//! upstream credentials only ever come from the environment.

use std::{collections::BTreeMap, net::SocketAddr, path::Path, sync::Arc};

use http::HeaderName;
use serde::Deserialize;
use toolgate_auth::{
    ApiKeyConfig, Consumer, ConsumerStore, IntrospectionConfig, ResourceServer,
    ResourceServerConfig, SecretString, StoredKey,
};
use toolgate_server::{PassthroughEndpoint, UpstreamIdentity};
use toolgate_tools::{AclPolicy, AclRule, ConsumerIdentifier};
use url::Url;

/// Why a configuration cannot be used; the message names the file and the field path.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConfigError {
    /// The file could not be read.
    #[error("reading {origin}: {source}")]
    Read {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    /// The YAML does not match the schema.
    #[error("{origin}: {path}: {reason}")]
    Parse {
        origin: String,
        path: String,
        reason: String,
    },
    /// A value is well-formed but cannot work (a missing variable, a bad key, …).
    #[error("{origin}: {path}: {reason}")]
    Invalid {
        origin: String,
        path: String,
        reason: String,
    },
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GatewayConfig {
    /// The upstream MCP endpoint.
    pub(crate) upstream: Url,
    /// Address to listen on (the `--listen` flag wins).
    #[serde(default)]
    pub(crate) listen: Option<SocketAddr>,
    /// The path served (the `--path` flag wins).
    #[serde(default)]
    pub(crate) path: Option<String>,
    /// The gateway's URL as clients use it: the PRM `resource`, the audience of tokens.
    #[serde(default)]
    resource: Option<Url>,
    /// Host names (or `host:port`) accepted in the `Host` header (default: loopback names).
    #[serde(default)]
    pub(crate) allowed_hosts: Vec<String>,
    /// Who the upstream sees (default: nobody, no credential at all).
    #[serde(default)]
    identity: Option<IdentitySpec>,
    /// Headers API keys are read from (default `apikey`).
    #[serde(default)]
    key_names: Option<Vec<String>>,
    /// Consumers, their groups and API keys.
    #[serde(default)]
    consumers: Vec<ConsumerSpec>,
    /// Tool ACLs.
    #[serde(default)]
    acl: Option<AclSpec>,
    /// The authorization server whose tokens are validated (token swap).
    #[serde(default)]
    auth: Option<AuthSpec>,
}

/// Who the upstream MCP server sees: `identity: user_token`, or a map with a `mode`.
#[derive(Debug)]
struct IdentitySpec {
    mode: IdentityMode,
    /// `token_swap`: the environment variable holding the upstream credential.
    credential_env: Option<String>,
    /// `static`: fixed headers, values from the environment.
    headers: Vec<StaticHeader>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum IdentityMode {
    /// The client's own `Authorization` goes upstream; an API key names the consumer.
    UserToken,
    /// The validated inbound token is replaced by a stored credential.
    TokenSwap,
    /// Fixed headers (none: the upstream sees no credential at all).
    Static,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityMap {
    mode: IdentityMode,
    #[serde(default)]
    credential_env: Option<String>,
    #[serde(default)]
    headers: Vec<StaticHeader>,
}

impl<'de> Deserialize<'de> for IdentitySpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = IdentitySpec;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("user_token, token_swap, static, or a map with a `mode`")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                let mode =
                    IdentityMode::deserialize(serde::de::value::StrDeserializer::<E>::new(text))?;
                Ok(IdentitySpec {
                    mode,
                    credential_env: None,
                    headers: Vec::new(),
                })
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let map =
                    IdentityMap::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(IdentitySpec {
                    mode: map.mode,
                    credential_env: map.credential_env,
                    headers: map.headers,
                })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StaticHeader {
    name: String,
    value_env: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsumerSpec {
    id: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    custom_id: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    /// Keys in clear or as `sha256:<hex>`.
    #[serde(default)]
    keys: Vec<String>,
    /// An environment variable holding one more key (in clear or `sha256:<hex>`).
    #[serde(default)]
    key_env: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AclSpec {
    /// Rules for tools without their own (Kong's `default_acl`); entries are merged.
    #[serde(default)]
    default_acl: Vec<DefaultAcl>,
    /// Rules by tool name; each replaces the default for its tool.
    #[serde(default)]
    tools: BTreeMap<String, AclRule>,
    #[serde(default)]
    consumer_identifier: ConsumerIdentifier,
    #[serde(default = "yes")]
    include_consumer_groups: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultAcl {
    #[serde(default)]
    scope: AclScope,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    deny: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AclScope {
    #[default]
    Tools,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthSpec {
    issuer: Url,
    #[serde(default)]
    jwks_uri: Option<Url>,
    #[serde(default)]
    introspection_endpoint: Option<Url>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret_env: Option<String>,
    /// A claim holding group names, added to the consumer's groups.
    #[serde(default)]
    groups_claim: Option<String>,
}

/// A summary of what was built, for the startup log and `--check`.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) identity: &'static str,
    pub(crate) consumers: usize,
    pub(crate) keys: usize,
    pub(crate) tool_rules: usize,
    pub(crate) default_rule: bool,
}

impl GatewayConfig {
    /// Parses a YAML document; `origin` names it in errors.
    pub(crate) fn from_yaml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let deserializer = serde_norway::Deserializer::from_str(text);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            let reason = error.into_inner().to_string();
            // The YAML error may repeat (part of) the path in front of its own message.
            let reason = match reason.split_once(": ") {
                Some((head, rest))
                    if path == head
                        || path.starts_with(&format!("{head}."))
                        || path.starts_with(&format!("{head}[")) =>
                {
                    rest.to_owned()
                }
                _ => reason,
            };
            ConfigError::Parse {
                origin: origin.to_owned(),
                path,
                reason,
            }
        })
    }

    /// Reads and parses a file.
    pub(crate) fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            origin: origin.clone(),
            source,
        })?;
        Self::from_yaml(&text, &origin)
    }

    /// The endpoint this configuration describes, served at `path` on `listen` (the
    /// resource URL defaults to `http://<listen><path>`), reading secrets through `env`.
    pub(crate) fn endpoint(
        &self,
        origin: &str,
        listen: SocketAddr,
        path: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(PassthroughEndpoint, Summary), ConfigError> {
        let invalid = |path: &str, reason: String| ConfigError::Invalid {
            origin: origin.to_owned(),
            path: path.to_owned(),
            reason,
        };
        let secret = |path: &str, name: &str| -> Result<SecretString, ConfigError> {
            match env(name) {
                Some(value) if !value.is_empty() => Ok(SecretString::new(value)),
                Some(_) => Err(invalid(
                    path,
                    format!("the environment variable {name} is empty"),
                )),
                None => Err(invalid(
                    path,
                    format!("the environment variable {name} is not set"),
                )),
            }
        };

        let resource = match &self.resource {
            Some(resource) => resource.clone(),
            None => {
                if listen.ip().is_unspecified() {
                    return Err(invalid(
                        "resource",
                        format!(
                            "required when listening on {listen}: the URL clients use to reach the gateway"
                        ),
                    ));
                }
                Url::parse(&format!("http://{listen}{path}"))
                    .map_err(|e| invalid("resource", e.to_string()))?
            }
        };

        let mode = self.identity.as_ref().map(|i| i.mode);
        if let Some(spec) = &self.identity {
            if spec.credential_env.is_some() && spec.mode != IdentityMode::TokenSwap {
                return Err(invalid(
                    "identity.credential_env",
                    "only with mode: token_swap".into(),
                ));
            }
            if !spec.headers.is_empty() && spec.mode != IdentityMode::Static {
                return Err(invalid("identity.headers", "only with mode: static".into()));
            }
        }
        let (identity, identity_name) = match &self.identity {
            None => (UpstreamIdentity::default(), "none"),
            Some(spec) => match spec.mode {
                IdentityMode::UserToken => {
                    if self.auth.is_some() {
                        return Err(invalid(
                            "auth",
                            "user_token passes the client's token to the upstream, which validates it: `auth` cannot be combined with it".to_owned(),
                        ));
                    }
                    (UpstreamIdentity::UserTokenPassthrough, "user_token")
                }
                IdentityMode::TokenSwap => {
                    if self.auth.is_none() {
                        return Err(invalid(
                            "identity",
                            "a token swap needs `auth` (the authorization server whose tokens are validated before the stored credential is used)".to_owned(),
                        ));
                    }
                    let name = spec.credential_env.as_deref().ok_or_else(|| {
                        invalid(
                            "identity.credential_env",
                            "a token swap needs the environment variable holding the upstream credential".into(),
                        )
                    })?;
                    let credential = secret("identity.credential_env", name)?;
                    (UpstreamIdentity::TokenSwap { credential }, "token_swap")
                }
                IdentityMode::Static => {
                    let mut fixed = Vec::with_capacity(spec.headers.len());
                    for (index, header) in spec.headers.iter().enumerate() {
                        let at = format!("identity.headers[{index}]");
                        let name = HeaderName::try_from(header.name.as_str()).map_err(|_| {
                            invalid(
                                &format!("{at}.name"),
                                format!("'{}' is not a valid header name", header.name),
                            )
                        })?;
                        fixed.push((name, secret(&format!("{at}.value_env"), &header.value_env)?));
                    }
                    (UpstreamIdentity::Static { headers: fixed }, "static")
                }
            },
        };
        let token_swap = mode == Some(IdentityMode::TokenSwap);

        let mut consumers = ConsumerStore::new();
        let mut keys = 0;
        for (index, spec) in self.consumers.iter().enumerate() {
            let at = format!("consumers[{index}]");
            let mut consumer =
                Consumer::new(spec.id.clone(), spec.username.clone()).with_groups(&spec.groups);
            if let Some(custom_id) = &spec.custom_id {
                consumer = consumer.with_custom_id(custom_id.clone());
            }
            consumers
                .add(consumer)
                .map_err(|e| invalid(&format!("{at}.id"), e.reason))?;
            let mut given: Vec<(String, StoredKey)> = spec
                .keys
                .iter()
                .enumerate()
                .map(|(k, key)| (format!("{at}.keys[{k}]"), StoredKey::parse(key)))
                .collect();
            if let Some(name) = &spec.key_env {
                let at = format!("{at}.key_env");
                let value = secret(&at, name)?;
                given.push((at, StoredKey::parse(value.expose())));
            }
            for (at, key) in given {
                consumers
                    .add_key(&spec.id, &key)
                    .map_err(|e| invalid(&at, e.reason))?;
                keys += 1;
            }
        }

        let mut summary = Summary {
            identity: identity_name,
            consumers: self.consumers.len(),
            keys,
            tool_rules: 0,
            default_rule: false,
        };
        let mut endpoint = PassthroughEndpoint::new(path.to_owned(), self.upstream.clone())
            .with_identity(identity)
            .with_resource(resource.clone());
        if let Some(acl) = &self.acl {
            let mut policy = AclPolicy::default();
            policy.consumer_identifier = acl.consumer_identifier;
            policy.include_consumer_groups = acl.include_consumer_groups;
            if !acl.default_acl.is_empty() {
                let mut rule = AclRule::default();
                for entry in &acl.default_acl {
                    let AclScope::Tools = entry.scope;
                    rule.allow.extend(entry.allow.iter().cloned());
                    rule.deny.extend(entry.deny.iter().cloned());
                }
                policy.default = Some(rule);
                summary.default_rule = true;
            }
            for (tool, rule) in &acl.tools {
                policy.tools.insert(tool.clone(), rule.clone());
            }
            summary.tool_rules = acl.tools.len();
            endpoint = endpoint.with_acl(policy);
        }
        if !self.allowed_hosts.is_empty() {
            endpoint = endpoint.with_allowed_hosts(self.allowed_hosts.clone());
        }

        let needs_auth = !self.consumers.is_empty() || self.auth.is_some() || token_swap;
        if needs_auth {
            let issuers = self.auth.iter().map(|a| a.issuer.clone()).collect();
            let mut config = ResourceServerConfig::new(resource, issuers);
            config.consumers = consumers;
            let mut api_keys = ApiKeyConfig::default();
            if let Some(names) = &self.key_names {
                if names.is_empty() {
                    return Err(invalid("key_names", "must name at least one header".into()));
                }
                api_keys.header_names.clone_from(names);
            }
            // With a token swap the stored credential is only used for a validated token;
            // a key alone must not unlock it (it still names the consumer beside a token).
            api_keys.sufficient = !token_swap;
            config.api_keys = Some(api_keys);
            config.passthrough_credentials = mode == Some(IdentityMode::UserToken);
            if let Some(auth) = &self.auth {
                config.jwks_uri.clone_from(&auth.jwks_uri);
                if let Some(claim) = &auth.groups_claim {
                    config.consumer_mapping.groups_claim =
                        Some(claim.split('.').map(str::to_owned).collect());
                }
                if auth.introspection_endpoint.is_some() || auth.client_id.is_some() {
                    let client_id = auth.client_id.clone().ok_or_else(|| {
                        invalid(
                            "auth.client_id",
                            "introspection needs the gateway's client id".into(),
                        )
                    })?;
                    let client_secret = auth
                        .client_secret_env
                        .as_deref()
                        .map(|name| secret("auth.client_secret_env", name))
                        .transpose()?;
                    let mut introspection = IntrospectionConfig::new(client_id, client_secret);
                    if let Some(url) = &auth.introspection_endpoint {
                        introspection = introspection.with_endpoint(url.clone());
                    }
                    config.introspection = Some(introspection);
                }
            }
            let server = ResourceServer::new(config).map_err(|e| {
                let path = match e.field {
                    "client_secret" => "auth.client_secret_env",
                    "authorization_servers" => "auth.issuer",
                    other => other,
                };
                invalid(path, e.reason)
            })?;
            endpoint = endpoint.with_auth(Arc::new(server));
        }
        Ok((endpoint, summary))
    }
}

#[cfg(test)]
mod tests;
