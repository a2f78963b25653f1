//! The tools one endpoint serves: unique valid names, compiled input schemas, argument
//! validation before every call.

use std::sync::Arc;

use indexmap::IndexMap;
use jsonschema::{ValidationError, Validator, error::ValidationErrorKind};
use rmcp::model::CallToolResult;
use serde_json::Value;

use crate::{
    AclPolicy, CallContext, Denial, JsonObject, Principal, RegistryError, Tool, ToolDescriptor,
    ToolError, ToolSet, is_valid_tool_name,
};

/// Most violations listed in one error message; the rest are counted.
const MAX_REPORTED_PROBLEMS: usize = 8;

/// One tool of a catalog.
#[derive(Debug)]
pub struct CatalogEntry {
    tool: Arc<dyn Tool>,
    source: String,
    validator: Validator,
    acl: Arc<AclPolicy>,
}

impl CatalogEntry {
    /// The tool.
    #[must_use]
    pub fn tool(&self) -> &Arc<dyn Tool> {
        &self.tool
    }

    /// The toolset the tool came from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The tool's descriptor.
    #[must_use]
    pub fn descriptor(&self) -> &ToolDescriptor {
        self.tool.descriptor()
    }

    /// The access rules of the tool's toolset.
    #[must_use]
    pub fn acl(&self) -> &AclPolicy {
        &self.acl
    }

    /// Whether `principal` may see and call the tool.
    ///
    /// # Errors
    /// The [`Denial`], whose message is what the caller is told.
    pub fn permits(&self, principal: &Principal) -> Result<(), Denial> {
        self.acl.check(&self.tool.descriptor().name, principal)
    }
}

/// The tools of one endpoint, in a stable order, by name.
#[derive(Debug, Default)]
pub struct ToolCatalog {
    entries: IndexMap<String, CatalogEntry>,
}

impl ToolCatalog {
    /// Builds a catalog from toolsets, checking every name and compiling every input schema.
    ///
    /// # Errors
    /// [`RegistryError::DuplicateName`] naming both toolsets when two tools share a name,
    /// [`RegistryError::InvalidName`] and [`RegistryError::InvalidSchema`].
    pub fn build<'a>(
        toolsets: impl IntoIterator<Item = &'a ToolSet>,
    ) -> Result<Self, RegistryError> {
        let mut entries: IndexMap<String, CatalogEntry> = IndexMap::new();
        for set in toolsets {
            for tool in set.tools() {
                let name = tool.descriptor().name.to_string();
                if !is_valid_tool_name(&name) {
                    return Err(RegistryError::InvalidName {
                        name,
                        source_name: set.name().to_owned(),
                    });
                }
                if let Some(existing) = entries.get(&name) {
                    return Err(RegistryError::DuplicateName {
                        name,
                        first_source: existing.source.clone(),
                        second_source: set.name().to_owned(),
                    });
                }
                let schema = Value::Object((*tool.descriptor().input_schema).clone());
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .map_err(|error| RegistryError::InvalidSchema {
                        name: name.clone(),
                        source_name: set.name().to_owned(),
                        reason: error.to_string(),
                    })?;
                entries.insert(
                    name,
                    CatalogEntry {
                        tool: Arc::clone(tool),
                        source: set.name().to_owned(),
                        validator,
                        acl: Arc::clone(set.acl()),
                    },
                );
            }
        }
        Ok(Self { entries })
    }

    /// How many tools the catalog holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the catalog is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The tool called `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&CatalogEntry> {
        self.entries.get(name)
    }

    /// Every entry, in catalog order.
    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.values()
    }

    /// Every descriptor, in catalog order.
    pub fn descriptors(&self) -> impl Iterator<Item = &ToolDescriptor> {
        self.entries.values().map(CatalogEntry::descriptor)
    }

    /// The descriptors `principal` may see, in catalog order.
    pub fn visible_to<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> impl Iterator<Item = &'a ToolDescriptor> + 'a {
        self.entries
            .values()
            .filter(move |entry| entry.acl.lists(&entry.tool.descriptor().name, principal))
            .map(CatalogEntry::descriptor)
    }

    /// Checks `arguments` against the input schema of tool `name`.
    ///
    /// # Errors
    /// [`ToolError::UnknownTool`], or [`ToolError::InvalidArguments`] listing every
    /// violation with the argument it concerns and the rule it breaks.
    pub fn validate(&self, name: &str, arguments: &JsonObject) -> Result<&CatalogEntry, ToolError> {
        let entry = self.get(name).ok_or_else(|| ToolError::UnknownTool {
            name: name.to_owned(),
        })?;
        let instance = Value::Object(arguments.clone());
        let mut problems: Vec<String> = Vec::new();
        let mut count = 0_usize;
        for error in entry.validator.iter_errors(&instance) {
            count += 1;
            if problems.len() < MAX_REPORTED_PROBLEMS {
                problems.push(describe(&error));
            }
        }
        if count == 0 {
            return Ok(entry);
        }
        if count > problems.len() {
            problems.push(format!("and {} more", count - problems.len()));
        }
        Err(ToolError::InvalidArguments {
            tool: name.to_owned(),
            problems: problems.join("; "),
        })
    }

    /// Checks the caller's access, validates `arguments` (absent means `{}`) and calls the
    /// tool.
    ///
    /// # Errors
    /// [`ToolError::Denied`] when the ACL refuses the caller, as [`ToolCatalog::validate`],
    /// and whatever the tool returns as an error.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        context: CallContext,
    ) -> Result<CallToolResult, ToolError> {
        if let Some(entry) = self.get(name) {
            entry
                .permits(context.principal())
                .map_err(ToolError::Denied)?;
        }
        let arguments = arguments.unwrap_or_default();
        let entry = self.validate(name, &arguments)?;
        entry.tool.call(arguments, context).await
    }
}

/// `argument 'query_days': 5 is not one of [1,2,3] (rule: enum)`.
fn describe(error: &ValidationError<'_>) -> String {
    let pointer = error.instance_path().as_str();
    let argument = pointer
        .trim_start_matches('/')
        .replace('/', ".")
        .replace("~1", "/")
        .replace("~0", "~");
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let property = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            if argument.is_empty() {
                format!("missing required argument '{property}'")
            } else {
                format!("argument '{argument}' is missing required property '{property}'")
            }
        }
        ValidationErrorKind::AdditionalProperties { unexpected } if argument.is_empty() => {
            format!("unknown argument(s): {}", unexpected.join(", "))
        }
        kind => {
            let keyword = kind.keyword();
            if argument.is_empty() {
                format!("{error} (rule: {keyword})")
            } else {
                format!("argument '{argument}': {error} (rule: {keyword})")
            }
        }
    }
}

#[cfg(test)]
mod tests;
