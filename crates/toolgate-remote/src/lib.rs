//! Remote MCP servers as tool sources.
//!
//! A [`RemoteToolset`] connects to an upstream MCP server over streamable HTTP or as a
//! child process over stdio (rmcp client), lists its tools and serves each as a
//! [`RemoteTool`] — optionally prefixed (`{prefix}_{tool}`, shortened deterministically to
//! 64 characters), filtered by include/exclude globs, schemas, annotations and titles kept.
//! Calls are forwarded with the upstream name; progress is relayed; upstream failures
//! become `isError` results. A supervisor task reconnects with backoff and publishes
//! every change of the tool list on a `watch` channel.
//!
//! In the data flow it sits under the MCP server: `ToolServer → ToolRegistry →
//! RemoteTool → rmcp client → upstream MCP server`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), toolgate_remote::RemoteError> {
//! use toolgate_remote::{RemoteConfig, RemoteToolset, RemoteTransport};
//!
//! let config = RemoteConfig::new(
//!     "everything",
//!     RemoteTransport::stdio("npx", ["@modelcontextprotocol/server-everything", "stdio"]),
//! )
//! .with_prefix("ev")
//! .with_tags(["demo"]);
//! let remote = RemoteToolset::connect(config).await?;
//! let mut changes = remote.changes();
//! let mut registry = toolgate_tools::ToolRegistry::new();
//! registry.add(remote.toolset());
//! # let _ = changes.changed().await;
//! # Ok(()) }
//! ```

mod config;
mod connection;
mod error;
mod naming;
mod oauth;
mod tool;
mod toolset;

pub use config::{ClientCredentials, DEFAULT_TIMEOUT_MS, RemoteConfig, RemoteTransport};
pub use error::RemoteError;
pub use naming::{glob_matches, served_name};
pub use tool::RemoteTool;
pub use toolset::{RemoteToolset, SkipReason, SkippedTool};
