//! A passthrough MCP gateway in front of one upstream MCP server (streamable HTTP).
//!
//! From flags alone it is a bare proxy without auth: what `tests/conformance/run-passthrough.sh`
//! puts between the conformance suite and the fixture server, to show the proxy changes
//! nothing a client can observe. With `--config FILE` (YAML, see
//! `examples/seed-002/gateway.yaml`) it is a gateway: consumers with API keys, tool ACLs per
//! consumer group, and who the upstream sees (the user's own token, a swapped credential, or
//! fixed headers).
//!
//! ```text
//! passthrough --listen 127.0.0.1:4000 --upstream http://127.0.0.1:3000/mcp --path /mcp
//! passthrough --config examples/seed-002/gateway.yaml
//! passthrough --config examples/seed-002/gateway.yaml --check
//! ```

mod config;

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::serve::ListenerExt as _;
use clap::Parser;
use toolgate_server::PassthroughEndpoint;
use toolgate_tools::{AclPolicy, AclRule};
use tracing_subscriber::EnvFilter;
use url::Url;

use config::GatewayConfig;

const DEFAULT_LISTEN: &str = "127.0.0.1:4000";
const DEFAULT_PATH: &str = "/mcp";

/// Command line of the passthrough gateway.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "A passthrough MCP gateway in front of one MCP server"
)]
struct Cli {
    /// A YAML gateway configuration (upstream, identity, consumers, ACLs, auth). Flags given
    /// beside it win over its `listen`, `upstream`, `path` and `allowed_hosts`.
    #[arg(long)]
    config: Option<std::path::PathBuf>,
    /// Only parse and check the configuration (environment variables included), then exit.
    #[arg(long, requires = "config")]
    check: bool,
    /// Address to listen on [default: 127.0.0.1:4000].
    #[arg(long, env = "PASSTHROUGH_LISTEN")]
    listen: Option<SocketAddr>,
    /// The upstream MCP endpoint (`http://127.0.0.1:3000/mcp`); required without `--config`.
    #[arg(long, env = "PASSTHROUGH_UPSTREAM", required_unless_present = "config")]
    upstream: Option<Url>,
    /// The path served [default: /mcp].
    #[arg(long)]
    path: Option<String>,
    /// Host names (or `host:port`) accepted in the `Host` header, repeatable (default:
    /// loopback names only, the DNS-rebinding guard).
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,
    /// Consumer groups denied every tool, repeatable. Any group turns the ACL on, so
    /// `tools/call` is checked and `tools/list` results are filtered (callers here are
    /// anonymous and keep every tool). Not with `--config`, whose `acl` says it all.
    #[arg(long = "deny-group", conflicts_with = "config")]
    deny_groups: Vec<String>,
}

fn default_listen() -> SocketAddr {
    DEFAULT_LISTEN
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 4000)))
}

/// The endpoint, the address and the path, from the flags and the file.
fn build(cli: &Cli) -> anyhow::Result<(PassthroughEndpoint, SocketAddr, String, Url)> {
    let Some(file) = &cli.config else {
        let upstream = cli
            .upstream
            .clone()
            .context("--upstream is required without --config")?;
        let listen = cli.listen.unwrap_or_else(default_listen);
        let path = cli.path.clone().unwrap_or_else(|| DEFAULT_PATH.to_owned());
        let mut endpoint = PassthroughEndpoint::new(path.clone(), upstream.clone());
        if !cli.deny_groups.is_empty() {
            let mut acl = AclPolicy::default();
            acl.include_consumer_groups = true;
            acl.default = Some(AclRule::default().with_deny(cli.deny_groups.clone()));
            endpoint = endpoint.with_acl(acl);
        }
        if !cli.allowed_hosts.is_empty() {
            endpoint = endpoint.with_allowed_hosts(cli.allowed_hosts.clone());
        }
        return Ok((endpoint, listen, path, upstream));
    };
    let mut config = GatewayConfig::from_file(file)?;
    if let Some(upstream) = &cli.upstream {
        config.upstream = upstream.clone();
    }
    if !cli.allowed_hosts.is_empty() {
        config.allowed_hosts.clone_from(&cli.allowed_hosts);
    }
    let listen = cli.listen.or(config.listen).unwrap_or_else(default_listen);
    let path = cli
        .path
        .clone()
        .or_else(|| config.path.clone())
        .unwrap_or_else(|| DEFAULT_PATH.to_owned());
    let origin = file.display().to_string();
    let (endpoint, summary) =
        config.endpoint(&origin, listen, &path, &|name| std::env::var(name).ok())?;
    tracing::info!(
        identity = summary.identity,
        consumers = summary.consumers,
        api_keys = summary.keys,
        tool_rules = summary.tool_rules,
        default_acl = summary.default_rule,
        "configuration {origin} loaded"
    );
    Ok((endpoint, listen, path, config.upstream))
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
    let (endpoint, listen, path, upstream) = build(&cli)?;
    let router = endpoint
        .into_router()
        .context("building the passthrough endpoint")?;
    if cli.check {
        println!("configuration OK: {path} on {listen} in front of {upstream}");
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let local = listener.local_addr()?;
    // Small writes (SSE events, one JSON-RPC answer) go out at once, not after Nagle's wait
    // for the client's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {error}");
        }
    });
    tracing::info!(
        "passthrough listening on http://{}{} for {}",
        local,
        path,
        upstream
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")?;
    Ok(())
}
