//! A passthrough MCP gateway in front of one upstream MCP server (streamable HTTP), without
//! auth or ACLs: what `tests/conformance/run-passthrough.sh` puts between the conformance
//! suite and the fixture server, to show the proxy changes nothing a client can observe.
//!
//! ```text
//! passthrough --listen 127.0.0.1:4000 --upstream http://127.0.0.1:3000/mcp --path /mcp
//! ```

use std::net::SocketAddr;

use anyhow::Context as _;
use clap::Parser;
use toolgate_server::PassthroughEndpoint;
use toolgate_tools::{AclPolicy, AclRule};
use tracing_subscriber::EnvFilter;
use url::Url;

/// Command line of the passthrough gateway.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "A passthrough MCP gateway in front of one MCP server"
)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4000", env = "PASSTHROUGH_LISTEN")]
    listen: SocketAddr,
    /// The upstream MCP endpoint (`http://127.0.0.1:3000/mcp`).
    #[arg(long, env = "PASSTHROUGH_UPSTREAM")]
    upstream: Url,
    /// The path served.
    #[arg(long, default_value = "/mcp")]
    path: String,
    /// Host names (or `host:port`) accepted in the `Host` header, repeatable (default:
    /// loopback names only, the DNS-rebinding guard).
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,
    /// Consumer groups denied every tool, repeatable. Any group turns the ACL on, so
    /// `tools/call` is checked and `tools/list` results are filtered (callers here are
    /// anonymous and keep every tool).
    #[arg(long = "deny-group")]
    deny_groups: Vec<String>,
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
    let mut endpoint = PassthroughEndpoint::new(cli.path.clone(), cli.upstream.clone());
    if !cli.deny_groups.is_empty() {
        let mut acl = AclPolicy::default();
        acl.include_consumer_groups = true;
        acl.default = Some(AclRule::default().with_deny(cli.deny_groups.clone()));
        endpoint = endpoint.with_acl(acl);
    }
    if !cli.allowed_hosts.is_empty() {
        endpoint = endpoint.with_allowed_hosts(cli.allowed_hosts.clone());
    }
    let router = endpoint
        .into_router()
        .context("building the passthrough endpoint")?;
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    tracing::info!(
        "passthrough listening on http://{}{} for {}",
        listener.local_addr()?,
        cli.path,
        cli.upstream
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")?;
    Ok(())
}
