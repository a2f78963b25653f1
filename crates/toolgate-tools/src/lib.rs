//! The tool core of toolgate: what a tool is, where tools come from, and how an endpoint
//! finds, checks and calls them.
//!
//! Every tool source — REST specs, OpenAPI documents, remote MCP servers, custom Rust code —
//! produces [`Tool`] objects. A [`ToolSet`] groups the tools of one source under tags; the
//! [`ToolRegistry`] holds every toolset; an endpoint asks the registry for a [`ToolCatalog`]
//! of the tags it serves, which checks names, rejects collisions, compiles every input schema
//! once and validates arguments before a tool runs.
//!
//! This crate knows nothing of HTTP: the [`Principal`] that identifies the caller reaches a
//! tool through its [`CallContext`], whichever transport carried the request.
//!
//! ```
//! use std::sync::Arc;
//! use toolgate_tools::{FnTool, ToolRegistry, ToolSet, ToolDescriptor, text_result};
//!
//! let echo = FnTool::new(
//!     ToolDescriptor::new(
//!         "echo",
//!         "Echoes its text argument.",
//!         toolgate_tools::schema_object(serde_json::json!({
//!             "type": "object",
//!             "properties": {"text": {"type": "string"}},
//!             "required": ["text"]
//!         })),
//!     ),
//!     |args, _ctx| async move {
//!         let text = args.get("text").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
//!         Ok(text_result(text))
//!     },
//! );
//! let mut registry = ToolRegistry::new();
//! registry.add(ToolSet::new("demo").with_tags(["demo-tools"]).with_tool(Arc::new(echo)));
//! let catalog = registry.catalog_for_tags(&["demo-tools"]).expect("no collisions");
//! assert_eq!(catalog.len(), 1);
//! ```

mod acl;
mod catalog;
mod context;
mod error;
mod limit;
mod live;
mod naming;
mod principal;
mod registry;
mod rmcp_router;
mod tool;
mod typed;

pub use acl::{AclPolicy, AclRule, ConsumerIdentifier, Denial};
pub use catalog::{CatalogEntry, ToolCatalog};
pub use context::{CallContext, ResponseStream, UpstreamFailure, UpstreamReport};
pub use error::{RegistryError, ToolError};
pub use limit::ConcurrencyLimit;
pub use live::LiveRegistry;
pub use naming::{MAX_TOOL_NAME_LEN, fit_tool_name, is_valid_tool_name, slugify};
pub use principal::Principal;
pub use registry::{ToolRegistry, ToolSet};
pub use rmcp_router::{RmcpTool, rmcp_tools, rmcp_toolset};
pub use tool::{FnTool, Tool, ToolFuture, schema_object, text_result};
pub use typed::{IntoToolResult, Json, NoArguments, ToolFailure, TypedTool, typed_tool};

/// The schemars version the typed tools are generated with, for `#[derive(JsonSchema)]`
/// without a direct dependency (`#[schemars(crate = "toolgate_tools::schemars")]`).
pub use schemars;

/// The MCP description of a tool as `tools/list` shows it: name, title, description, input
/// and output schemas, annotations.
pub type ToolDescriptor = rmcp::model::Tool;

/// A JSON object: tool arguments, schemas, structured content.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

pub use rmcp::model::{CallToolResult, ContentBlock, ToolAnnotations};
