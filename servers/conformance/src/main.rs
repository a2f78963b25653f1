//! The fixture server of the official MCP conformance suite
//! (`@modelcontextprotocol/conformance` 0.1.16), built on toolgate as any framework user would
//! build a server: custom tools implementing [`toolgate_tools::Tool`], grouped in a
//! [`ToolSet`], served by [`toolgate_server`] over streamable HTTP at `/mcp`.
//!
//! ```text
//! conformance-server --listen 127.0.0.1:3000
//! conformance server --url http://127.0.0.1:3000/mcp
//! ```
//!
//! It serves tools only: the suite's resources, prompts and completion scenarios have
//! nothing to call here.

mod content;
mod elicitation_schemas;
mod interactive;

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use clap::Parser;
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::{ToolCatalog, ToolRegistry, ToolSet};
use tracing_subscriber::EnvFilter;

/// The path of the MCP endpoint.
const MCP_PATH: &str = "/mcp";

/// Command line of the fixture server.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "The MCP conformance-suite fixture server, built on toolgate"
)]
struct Cli {
    /// Address to listen on. Keep it on loopback: the endpoint accepts loopback Host
    /// headers only (DNS-rebinding guard).
    #[arg(long, default_value = "127.0.0.1:3000", env = "CONFORMANCE_LISTEN")]
    listen: SocketAddr,
}

/// Every fixture tool, in one catalog.
fn catalog() -> anyhow::Result<ToolCatalog> {
    let toolset = ToolSet::new("conformance")
        .with_tags(["conformance"])
        .with_tools(content::tools())
        .with_tools(interactive::tools());
    let mut registry = ToolRegistry::new();
    registry.add(toolset);
    registry
        .catalog_all()
        .context("building the conformance tool catalog")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();

    let server = ToolServer::new(
        Arc::new(catalog()?),
        ServerIdentity::new("toolgate-conformance", env!("CARGO_PKG_VERSION")),
    );
    let router = HttpEndpoint::new(MCP_PATH, server).into_router();
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    tracing::info!(
        "conformance fixture listening on http://{}{MCP_PATH}",
        listener.local_addr()?
    );
    toolgate_server::serve_http(listener, router, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_holds_every_fixture_tool() {
        let catalog = catalog().expect("valid catalog");
        for name in [
            "test_simple_text",
            "test_image_content",
            "test_audio_content",
            "test_embedded_resource",
            "test_multiple_content_types",
            "test_tool_with_logging",
            "test_error_handling",
            "test_tool_with_progress",
            "test_sampling",
            "test_elicitation",
            "test_elicitation_sep1034_defaults",
            "test_elicitation_sep1330_enums",
            "test_reconnection",
            "json_schema_2020_12_tool",
        ] {
            assert!(catalog.get(name).is_some(), "missing {name}");
        }
    }
}
