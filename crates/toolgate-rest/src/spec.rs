//! The REST toolset document: serde types whose fields follow Kong's `ai-mcp-proxy`
//! `tools[]`, plus the toolset header (name, tags, base URL, limits).

use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::RestSpecError;

/// A toolset document.
///
/// ```yaml
/// name: weatherapi
/// tags: [weather-tools]
/// base_url: https://api.weatherapi.com/v1
/// timeout: 10000            # milliseconds, default 10000
/// max_response_size: 4194304 # bytes, default 4 MiB
/// tools:
///   - annotations: {title: Realtime API}
///     description: Current weather.
///     method: GET
///     path: current.json
///     parameters:
///       - {name: q, in: query, required: true, type: string}
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RestToolsetSpec {
    /// The toolset's name, shown in errors and logs.
    pub name: String,
    /// Tags endpoints select this toolset by.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The upstream base URL; a tool's `path` is joined to it.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Upstream timeout in milliseconds (default 10000).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// Largest upstream response body accepted, in bytes (default 4 MiB).
    #[serde(default)]
    pub max_response_size: Option<usize>,
    /// Fixed query values sent by every tool of the toolset.
    #[serde(default)]
    pub query: IndexMap<String, OneOrMany>,
    /// Fixed headers sent by every tool of the toolset.
    #[serde(default)]
    pub headers: IndexMap<String, OneOrMany>,
    /// Access rules for tools without their own `acl` (Kong's `default_acl`).
    #[serde(default)]
    pub default_acl: Vec<DefaultAclSpec>,
    /// Which consumer field ACLs name: `username` (default), `consumer_id`, `custom_id`.
    #[serde(default)]
    pub consumer_identifier: toolgate_tools::ConsumerIdentifier,
    /// Whether ACLs may name consumer groups.
    #[serde(default)]
    pub include_consumer_groups: bool,
    /// The tools.
    pub tools: Vec<RestToolSpec>,
}

/// One `default_acl` entry.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DefaultAclSpec {
    /// What the rule covers; only `tools` exists.
    #[serde(default = "tools_scope")]
    pub scope: String,
    /// Consumers or groups allowed.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Consumers or groups denied.
    #[serde(default)]
    pub deny: Vec<String>,
}

fn tools_scope() -> String {
    "tools".to_owned()
}

/// One tool: one HTTP operation.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RestToolSpec {
    /// The tool name; else a slug of `annotations.title`; else method and path.
    #[serde(default)]
    pub name: Option<String>,
    /// What the tool does, for the model.
    pub description: String,
    /// The HTTP method (default GET).
    #[serde(default)]
    pub method: Option<String>,
    /// The path, joined to the base URL; `{name}` marks a path parameter.
    pub path: String,
    /// Overrides the base URL's host (and port).
    #[serde(default)]
    pub host: Option<String>,
    /// Overrides the base URL's scheme.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Fixed query values: never arguments, never logged.
    #[serde(default)]
    pub query: IndexMap<String, OneOrMany>,
    /// Fixed headers: never arguments, never logged.
    #[serde(default)]
    pub headers: IndexMap<String, OneOrMany>,
    /// Parameters the model supplies, as OpenAPI parameter objects.
    #[serde(default)]
    pub parameters: Vec<ParameterSpec>,
    /// The JSON request body, which becomes the `body` argument.
    #[serde(default)]
    pub request_body: Option<RequestBodySpec>,
    /// OpenAPI responses; the 2xx JSON schema becomes the tool's `outputSchema`.
    #[serde(default)]
    pub responses: Option<IndexMap<String, ResponseSpec>>,
    /// MCP tool annotations.
    #[serde(default)]
    pub annotations: Option<AnnotationsSpec>,
    /// Who may see and call this tool; replaces the toolset's `default_acl`.
    #[serde(default)]
    pub acl: Option<toolgate_tools::AclRule>,
    /// Credentials the tool sends (from an OpenAPI document's security requirements);
    /// never part of a document.
    #[serde(skip)]
    pub(crate) credentials: Vec<Credential>,
    /// The operation's own server (OpenAPI operation- or path-level `servers`), replacing the
    /// toolset's base URL; never part of a document.
    #[serde(skip)]
    pub(crate) base_url: Option<url::Url>,
}

/// A credential a tool sends on every call: an API key in a query, header or cookie, or an
/// `Authorization` header.
#[derive(Clone, Debug)]
pub(crate) struct Credential {
    pub(crate) location: ParameterLocation,
    pub(crate) name: String,
    pub(crate) value: crate::FixedValue,
}

/// A list of values, or one value (Kong writes lists; people write scalars).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(Scalar),
    /// Several values: the key is repeated.
    Many(Vec<Scalar>),
}

/// A scalar YAML value, kept as text.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Scalar {
    /// A string.
    String(String),
    /// A number.
    Number(serde_json::Number),
    /// A boolean.
    Bool(bool),
}

impl Scalar {
    pub(crate) fn to_text(&self) -> String {
        match self {
            Self::String(s) => s.clone(),
            Self::Number(n) => n.to_string(),
            Self::Bool(b) => b.to_string(),
        }
    }
}

impl OneOrMany {
    /// The values as text, in order.
    #[must_use]
    pub fn values(&self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one.to_text()],
            Self::Many(many) => many.iter().map(Scalar::to_text).collect(),
        }
    }
}

/// Where a parameter goes.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    /// The query string.
    Query,
    /// A `{name}` segment of the path.
    Path,
    /// A request header.
    Header,
    /// A cookie in the `Cookie` header.
    Cookie,
}

impl ParameterLocation {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Path => "path",
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }
}

/// An OpenAPI parameter object. `type`, `format` and `enum` may stand at the top level
/// (Swagger 2.0 style) or inside `schema` (OpenAPI 3 style); both are read and merged.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ParameterSpec {
    /// The parameter's name on the wire.
    pub name: String,
    /// Where it goes.
    #[serde(rename = "in")]
    pub location: ParameterLocation,
    /// For the model.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the model must supply it (path parameters always must).
    #[serde(default)]
    pub required: bool,
    /// JSON Schema type.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// JSON Schema format.
    #[serde(default)]
    pub format: Option<String>,
    /// Allowed values.
    #[serde(default, rename = "enum")]
    pub allowed: Option<Vec<Value>>,
    /// Default value, shown to the model.
    #[serde(default)]
    pub default: Option<Value>,
    /// Item schema for `type: array` (Swagger 2.0 style).
    #[serde(default)]
    pub items: Option<Value>,
    /// The parameter's JSON Schema (OpenAPI 3 style).
    #[serde(default)]
    pub schema: Option<Value>,
    /// An example value.
    #[serde(default)]
    pub example: Option<Value>,
    /// Marks the parameter deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// OpenAPI serialization style (`form`, `simple`, `deepObject`…); the location's default
    /// when absent.
    #[serde(default)]
    pub style: Option<String>,
    /// Whether arrays and objects are exploded; the style's default when absent.
    #[serde(default)]
    pub explode: Option<bool>,
}

/// An OpenAPI request body object (`content` by media type), or a bare `schema`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RequestBodySpec {
    /// For the model.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the body is required.
    #[serde(default)]
    pub required: bool,
    /// Media types; `application/json` (or `+json`) is used.
    #[serde(default)]
    pub content: IndexMap<String, MediaTypeSpec>,
    /// The body's JSON Schema, when no `content` map is given.
    #[serde(default)]
    pub schema: Option<Value>,
}

/// One media type of a body or response.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct MediaTypeSpec {
    /// The JSON Schema.
    #[serde(default)]
    pub schema: Option<Value>,
}

/// One OpenAPI response.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct ResponseSpec {
    /// For people.
    #[serde(default)]
    pub description: Option<String>,
    /// Media types.
    #[serde(default)]
    pub content: IndexMap<String, MediaTypeSpec>,
}

/// MCP tool annotations, with Kong's snake_case names (camelCase accepted too).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AnnotationsSpec {
    /// A human title; also the source of the tool name when `name` is absent.
    #[serde(default)]
    pub title: Option<String>,
    /// The tool does not modify its environment.
    #[serde(default, alias = "readOnlyHint")]
    pub read_only_hint: Option<bool>,
    /// The tool may destroy data.
    #[serde(default, alias = "destructiveHint")]
    pub destructive_hint: Option<bool>,
    /// Calling twice with the same arguments does nothing more.
    #[serde(default, alias = "idempotentHint")]
    pub idempotent_hint: Option<bool>,
    /// The tool reaches an open world (the internet).
    #[serde(default, alias = "openWorldHint")]
    pub open_world_hint: Option<bool>,
}

impl RestToolsetSpec {
    /// A toolset named `name` with `tools`, every other field at its default (for documents
    /// assembled in code, such as a `toolgate.yaml` toolset).
    #[must_use]
    pub fn new(name: impl Into<String>, tools: Vec<RestToolSpec>) -> Self {
        Self {
            name: name.into(),
            tags: Vec::new(),
            base_url: None,
            timeout: None,
            max_response_size: None,
            query: IndexMap::new(),
            headers: IndexMap::new(),
            default_acl: Vec::new(),
            consumer_identifier: toolgate_tools::ConsumerIdentifier::default(),
            include_consumer_groups: false,
            tools,
        }
    }

    /// Parses a YAML (or JSON) document. `origin` names it in errors.
    ///
    /// # Errors
    /// [`RestSpecError::Parse`] with the field path, line and column.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, RestSpecError> {
        let deserializer = serde_norway::Deserializer::from_str(text);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            RestSpecError::Parse {
                origin: origin.to_owned(),
                path,
                reason: error.into_inner().to_string(),
            }
        })
    }

    /// Reads and parses a file.
    ///
    /// # Errors
    /// [`RestSpecError::Read`], or as [`RestToolsetSpec::from_yaml`].
    pub fn from_file(path: &Path) -> Result<Self, RestSpecError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RestSpecError::Read {
            origin: origin.clone(),
            source,
        })?;
        Self::from_yaml(&text, &origin)
    }
}

#[cfg(test)]
mod tests;
