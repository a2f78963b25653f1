//! Serving a [`ToolCatalog`](toolgate_tools::ToolCatalog) over MCP.
//!
//! [`ToolServer`] is the rmcp `ServerHandler`: `tools/list` from the catalog, `tools/call`
//! validated by the catalog and run with the caller's [`Principal`](toolgate_tools::Principal),
//! `logging/setLevel`, both protocol generations (2025-11-25 with `initialize` and sessions,
//! 2026-07-28 stateless with `server/discover`). [`HttpEndpoint`] mounts it on an axum
//! router at a path (streamable HTTP); [`serve_stdio`] runs it over standard input and output.
//!
//! ```no_run
//! use std::sync::Arc;
//! use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
//! use toolgate_tools::ToolCatalog;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = ToolServer::new(Arc::new(ToolCatalog::default()), ServerIdentity::new("demo", "0.1.0"));
//! let router = HttpEndpoint::new("/mcp", server).into_router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//! toolgate_server::serve_http(listener, router, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

mod admin;
mod handler;
mod http_endpoint;
mod listener;
mod passthrough;
mod peek;
mod rate_limit;
mod session;
mod stdio;
mod telemetry;

pub use admin::{
    AdminEndpoint, NotReady, READINESS_CACHE, READINESS_TIMEOUT, ReadinessCheck,
    check_authorization_servers,
};
pub use handler::{CallLogging, ServerIdentity, ToolServer};
pub use http_endpoint::{DEFAULT_ALLOWED_HOSTS, HttpEndpoint, SessionMode};
pub use listener::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_DRAIN_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, HttpServer,
    serve_http,
};
/// The passthrough's JSON-RPC inspection as plain functions, for the fuzz targets.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use passthrough::fuzzing as passthrough_fuzzing;
pub use passthrough::{PassthroughEndpoint, PassthroughError, UpstreamIdentity};
pub use rate_limit::{LimitBy, Quota, RateLimits};
pub use session::{
    DEFAULT_MAX_SESSIONS, DEFAULT_SESSIONS_IDLE_TIMEOUT, SessionLimits, SessionStore,
};
pub use stdio::{StdioError, serve_stdio};
pub use telemetry::EndpointTelemetry;
