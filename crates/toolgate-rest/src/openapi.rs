//! OpenAPI import: every operation of an OpenAPI 3.0, 3.1 or Swagger 2.0 document becomes a
//! [`RestTool`](crate::RestTool), with the same executor and argument rules as inline REST
//! tools (`{in}_{name}` arguments, the JSON or form body as `body`).
//!
//! ```no_run
//! use toolgate_rest::{UpstreamClient, openapi::{ImportOptions, OpenApiDocument, import_toolset}};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let document = OpenApiDocument::load("openapi-specs/petstore-3.0.yaml").await?;
//! let options = ImportOptions::new("petstore").with_tags(["pets"]);
//! let imported = import_toolset(&document, &options, &UpstreamClient::new()?)?;
//! for skipped in &imported.skipped {
//!     eprintln!("skipped {skipped}");
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What happens to a document, in order: it is loaded with every file its `$ref`s name
//! ([`OpenApiDocument::load`]); Swagger 2.0 is converted to 3.0 shape; operations are
//! selected ([`Selector`]); each one's parameters, body and success response are resolved
//! (`$ref`s inlined, cycles cut at their second visit, nesting bounded) and normalised to JSON
//! Schema 2020-12 (3.0 `nullable`, boolean `exclusiveMinimum`, `example`; `allOf` merged where
//! safe; `readOnly` properties out of inputs, `writeOnly` out of outputs); credentials of the
//! operation's security schemes are attached as fixed values. An operation that cannot become
//! a correct tool is skipped with its reason, never silently.

mod document;
mod operation;
mod schema;
mod select;
mod servers;
mod swagger2;

use std::{collections::HashMap, fmt, sync::Arc, time::Duration};

use indexmap::IndexMap;
use serde_json::Value;
use toolgate_tools::{Tool, ToolSet};
use url::Url;

pub use document::OpenApiDocument;
pub use select::Selector;

use crate::{FixedValue, RestToolSpec, RestToolsetSpec, ToolsetOptions, UpstreamClient};

/// Which OpenAPI generation a document was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecVersion {
    /// Swagger 2.0.
    Swagger2,
    /// OpenAPI 3.0.x.
    OpenApi30,
    /// OpenAPI 3.1.x.
    OpenApi31,
}

impl SpecVersion {
    fn detect(document: &Value) -> Option<Self> {
        if let Some(version) = document.get("openapi").and_then(Value::as_str) {
            if version.starts_with("3.0") {
                return Some(Self::OpenApi30);
            }
            if version.starts_with("3.1") {
                return Some(Self::OpenApi31);
            }
            return None;
        }
        match document.get("swagger") {
            Some(Value::String(v)) if v == "2.0" => Some(Self::Swagger2),
            Some(Value::Number(n)) if n.as_f64() == Some(2.0) => Some(Self::Swagger2),
            _ => None,
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Swagger2 => "Swagger 2.0",
            Self::OpenApi30 => "OpenAPI 3.0",
            Self::OpenApi31 => "OpenAPI 3.1",
        })
    }
}

/// A document that cannot be imported at all. Problems of single operations are not errors:
/// those operations are [skipped](SkippedOperation).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenApiError {
    /// The document (or one its `$ref`s name) could not be read.
    #[error("{origin}: cannot read: {reason}")]
    Read {
        /// The file or URL.
        origin: String,
        /// Why.
        reason: String,
    },
    /// The text is not valid JSON or YAML.
    #[error("{origin}{}: {reason}", line.map(|l| format!(":{l}:{}", column.unwrap_or(0))).unwrap_or_default())]
    Parse {
        /// The file or URL.
        origin: String,
        /// 1-based line, where known.
        line: Option<usize>,
        /// 1-based column, where known.
        column: Option<usize>,
        /// The parser's message.
        reason: String,
    },
    /// Not an OpenAPI 3.0, 3.1 or Swagger 2.0 document.
    #[error("{origin}: not an OpenAPI 3.0/3.1 or Swagger 2.0 document ({found})")]
    Version {
        /// The file or URL.
        origin: String,
        /// What the version fields say.
        found: String,
    },
    /// The document's structure is wrong where the whole import depends on it.
    #[error("{origin}: {}{reason}", if pointer.is_empty() { String::new() } else { format!("{pointer}: ") })]
    Invalid {
        /// The file or URL.
        origin: String,
        /// JSON pointer of the problem.
        pointer: String,
        /// What is wrong.
        reason: String,
    },
}

/// An operation that did not become a tool, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct SkippedOperation {
    /// `GET`, `POST`…
    pub method: String,
    /// The path template.
    pub path: String,
    /// The operationId, if any.
    pub operation_id: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

impl fmt::Display for SkippedOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(id) = &self.operation_id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// How to turn a document into a toolset.
#[derive(Clone, Debug)]
#[non_exhaustive]
#[must_use]
pub struct ImportOptions {
    /// The toolset's name.
    pub name: String,
    /// Tags endpoints select the toolset by.
    pub tags: Vec<String>,
    /// Replaces the document's `servers`.
    pub base_url: Option<Url>,
    /// Upstream timeout (default 10 s).
    pub timeout: Option<Duration>,
    /// Largest upstream response read (default 4 MiB).
    pub max_response_size: Option<usize>,
    /// Operations to import; all when empty.
    pub include: Vec<Selector>,
    /// Operations to leave out; wins over `include`.
    pub exclude: Vec<Selector>,
    /// Tool names by operationId or by `METHOD /path`; win over `x-mcp-name`.
    pub names: IndexMap<String, String>,
    /// Credentials by security scheme name.
    pub credentials: HashMap<String, FixedValue>,
    /// Who may see and call which tool (rules keyed by tool name).
    pub acl: toolgate_tools::AclPolicy,
}

impl ImportOptions {
    /// Options for a toolset called `name`, importing everything.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            tags: Vec::new(),
            base_url: None,
            timeout: None,
            max_response_size: None,
            include: Vec::new(),
            exclude: Vec::new(),
            names: IndexMap::new(),
            credentials: HashMap::new(),
            acl: toolgate_tools::AclPolicy::default(),
        }
    }

    /// Adds tags.
    pub fn with_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Replaces the document's servers.
    pub fn with_base_url(mut self, url: Url) -> Self {
        self.base_url = Some(url);
        self
    }

    /// Upstream timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Imports only operations matching one of the selectors given this way.
    pub fn include(mut self, selector: Selector) -> Self {
        self.include.push(selector);
        self
    }

    /// Leaves out operations matching the selector.
    pub fn exclude(mut self, selector: Selector) -> Self {
        self.exclude.push(selector);
        self
    }

    /// Names the tool of an operation (by operationId or `METHOD /path`).
    pub fn with_name(mut self, operation: impl Into<String>, tool_name: impl Into<String>) -> Self {
        self.names.insert(operation.into(), tool_name.into());
        self
    }

    /// Access rules for the imported tools.
    pub fn with_acl(mut self, acl: toolgate_tools::AclPolicy) -> Self {
        self.acl = acl;
        self
    }

    /// The credential for a security scheme.
    pub fn with_credential(mut self, scheme: impl Into<String>, value: FixedValue) -> Self {
        self.credentials.insert(scheme.into(), value);
        self
    }
}

/// Which operation a tool was made from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ToolOrigin {
    /// The tool's name.
    pub tool: String,
    /// `GET`, `POST`…
    pub method: String,
    /// The path template.
    pub path: String,
    /// The operationId, if any.
    pub operation_id: Option<String>,
}

/// The result of an import: the toolset, what was left out and why, and lossy conversions.
#[derive(Debug)]
#[non_exhaustive]
pub struct ImportedToolset {
    /// The tools.
    pub toolset: ToolSet,
    /// The operation of each tool, in toolset order.
    pub origins: Vec<ToolOrigin>,
    /// Operations that did not become tools.
    pub skipped: Vec<SkippedOperation>,
    /// Notes on lossy conversions (Swagger 2.0 features, unsupported security schemes…).
    pub warnings: Vec<String>,
    /// The base URL the tools call.
    pub base_url: Url,
}

/// Imports `document` as a toolset.
///
/// # Errors
/// [`OpenApiError::Invalid`] when no base URL can be determined (a relative or missing
/// `servers` entry in a document not loaded from a URL, and no `base_url` option), or when
/// `paths` is not an object.
pub fn import_toolset(
    document: &OpenApiDocument,
    options: &ImportOptions,
    client: &UpstreamClient,
) -> Result<ImportedToolset, OpenApiError> {
    let base_url = match &options.base_url {
        Some(url) => url.clone(),
        None => document.server_url()?,
    };
    let started = std::time::Instant::now();
    let converted = operation::convert(document, options)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        "operations converted"
    );
    let (operations, specs): (Vec<operation::OperationRef>, Vec<RestToolSpec>) =
        converted.tools.into_iter().unzip();
    let spec = RestToolsetSpec {
        name: options.name.clone(),
        tags: options.tags.clone(),
        base_url: Some(base_url.to_string()),
        timeout: None,
        max_response_size: options.max_response_size,
        query: IndexMap::new(),
        headers: IndexMap::new(),
        default_acl: Vec::new(),
        consumer_identifier: toolgate_tools::ConsumerIdentifier::default(),
        include_consumer_groups: false,
        tools: specs,
    };
    let mut tool_options = ToolsetOptions::default().with_base_url(base_url.clone());
    if let Some(timeout) = options.timeout {
        tool_options = tool_options.with_timeout(timeout);
    }
    let origin = document.origin();
    let started = std::time::Instant::now();
    let (tools, failures) = crate::build::build_each(spec, client, &tool_options, &origin)
        .map_err(|error| OpenApiError::Invalid {
            origin: origin.clone(),
            pointer: String::new(),
            reason: error.to_string(),
        })?;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "tools built");
    let started = std::time::Instant::now();
    let mut skipped = converted.skipped;
    for (index, error) in failures {
        if let Some(operation) = operations.get(index) {
            skipped.push(operation.skip(error.to_string()));
        }
    }
    // Meta-validation is the costliest step on large documents; it runs on every core.
    let verdicts = parallel_map(&tools, |(_, tool)| schema::check_meta(&tool.descriptor));
    let mut kept = Vec::with_capacity(tools.len());
    let mut origins = Vec::with_capacity(tools.len());
    for ((index, tool), verdict) in tools.into_iter().zip(verdicts) {
        let Some(operation) = operations.get(index) else {
            continue;
        };
        match verdict {
            Ok(()) => {
                origins.push(ToolOrigin {
                    tool: tool.descriptor.name.to_string(),
                    method: operation.method.clone(),
                    path: operation.path.clone(),
                    operation_id: operation.operation_id.clone(),
                });
                kept.push(Arc::new(tool) as Arc<dyn Tool>);
            }
            Err(reason) => skipped.push(operation.skip(reason)),
        }
    }
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis(),
        "schemas checked"
    );
    for skip in &skipped {
        tracing::warn!(toolset = %options.name, "operation skipped: {skip}");
    }
    let mut warnings = document.warnings.clone();
    warnings.extend(converted.warnings);
    Ok(ImportedToolset {
        toolset: ToolSet::new(options.name.clone())
            .with_tags(options.tags.iter().cloned())
            .with_acl(options.acl.clone())
            .with_tools(kept),
        origins,
        skipped,
        warnings,
        base_url,
    })
}

/// `f` over `items` on every available core, results in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    parallel_chunks(items, |chunk| chunk.iter().map(&f).collect::<Vec<R>>())
        .into_iter()
        .flatten()
        .collect()
}

/// `f` over consecutive chunks of `items`, one chunk per available core; results in order.
/// Small inputs run on the calling thread.
fn parallel_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads < 2 || items.len() < 64 {
        return vec![f(items)];
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || f(part)))
            .collect();
        handles
            .into_iter()
            .map(|handle| match handle.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests;
