//! `weather`: the WeatherAPI MCP server. `cargo run` starts it on
//! http://127.0.0.1:8000/weather/mcp; `--stdio` serves one client over stdin/stdout;
//! `--demo` answers from a bundled sample upstream so no key or network is needed.

mod auth_args;

// Many short-lived JSON values per request; mimalloc keeps allocation off the hot path.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use anyhow::Context as _;
use clap::Parser;
use toolgate_auth::ResourceServer;
use toolgate_rest::UpstreamClient;
use toolgate_server::{
    AdminEndpoint, EndpointTelemetry, HttpEndpoint, ReadinessCheck, SessionStore,
    check_authorization_servers, serve_http, serve_stdio,
};
use toolgate_telemetry::Metrics;
use toolgate_weather::{MCP_PATH, WeatherServer, api_key_from_env, start_demo_upstream};
use tracing_subscriber::EnvFilter;
use url::Url;

/// The WeatherAPI MCP server (toolgate).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on for streamable HTTP.
    #[arg(long, default_value = "127.0.0.1:8000", env = "WEATHER_LISTEN")]
    listen: SocketAddr,
    /// Serve one client over stdin/stdout instead of HTTP (Claude Desktop and other
    /// clients that start the server themselves).
    #[arg(long)]
    stdio: bool,
    /// Answer from the bundled sample upstream: deterministic sample data, no key, no network.
    #[arg(long)]
    demo: bool,
    /// WeatherAPI base URL (default: the one in the tool definitions).
    #[arg(long, env = "WEATHERAPI_BASE_URL")]
    base_url: Option<Url>,
    /// Upstream timeout in milliseconds (default: the tool definitions' timeout, 10000).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: Option<u64>,
    /// Tool definitions to load instead of the bundled weather-tools.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "spec")]
    tools: Option<PathBuf>,
    /// Build the tools from an OpenAPI description of WeatherAPI instead (a file or URL,
    /// e.g. openapi-specs/weatherapi.yaml); the seed's tool names are kept.
    #[arg(long, value_name = "FILE_OR_URL")]
    spec: Option<String>,
    /// Host names accepted in the Host header (repeatable); default: loopback names only.
    #[arg(long = "allowed-host", value_name = "HOST")]
    allowed_hosts: Vec<String>,
    /// Browser origins accepted in the Origin header (repeatable), e.g. http://localhost:6274.
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    allowed_origins: Vec<String>,
    /// Serve /metrics, /healthz and /readyz on this address (or a port alone, for
    /// loopback). No authentication: keep it off public networks.
    #[arg(long, value_name = "ADDR", env = "WEATHER_ADMIN_LISTEN", value_parser = admin_address)]
    admin_listen: Option<SocketAddr>,
    #[command(flatten)]
    auth: auth_args::AuthArgs,
}

/// `ADDR` or a port alone, which means loopback.
fn admin_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse()
        .map_err(|e| format!("`{text}` is neither host:port nor a port: {e}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs always go to stderr: in stdio mode stdout carries the protocol.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,rmcp=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(!cli.stdio)
        .init();

    let mut weather = WeatherServer::new();
    if let Some(path) = &cli.tools {
        weather = weather.with_tools_file(path);
    }
    if let Some(spec) = &cli.spec {
        weather = weather.with_openapi(spec.clone());
    }
    if let Some(ms) = cli.timeout_ms {
        weather = weather.with_timeout(Duration::from_millis(ms));
    }
    let _demo = if cli.demo {
        let (url, handle) = start_demo_upstream()
            .await
            .context("cannot start the demo upstream")?;
        tracing::info!(upstream = %url, "demo mode: tools answer SAMPLE data from the bundled upstream, not real weather");
        weather = weather.with_base_url(url).with_api_key("demo");
        Some(handle)
    } else {
        if let Some(url) = &cli.base_url {
            weather = weather.with_base_url(url.clone());
        }
        match api_key_from_env() {
            Some(key) => weather = weather.with_api_key(key),
            None => eprintln!(
                "No WeatherAPI key: set WEATHERAPI_API_KEY (a free key is at https://www.weatherapi.com/signup.aspx).\n\
                 The server starts anyway; tool calls will answer an error until a key is set.\n\
                 To try every tool without a key or network, run with --demo."
            ),
        }
        None
    };

    let acl = cli.auth.acl();
    if !acl.is_open() {
        weather = weather.with_acl(acl);
    }
    let client = UpstreamClient::new()?;
    let metrics = Metrics::new();
    let server = weather
        .build(&client)
        .await?
        .with_telemetry(EndpointTelemetry::new("weather").with_metrics(metrics.clone()));

    if cli.stdio {
        serve_stdio(server).await?;
        return Ok(());
    }

    let auth = cli
        .auth
        .resource_server(cli.listen, MCP_PATH)?
        .map(|server| match Arc::try_unwrap(server) {
            Ok(server) => Arc::new(server.with_metrics(metrics.clone(), "weather")),
            Err(shared) => shared,
        });
    if let Some(address) = cli.admin_listen {
        serve_admin(address, cli.listen, metrics.clone(), auth.clone()).await?;
    }
    let mut allowed_hosts = cli.allowed_hosts.clone();
    match &auth {
        Some(server) => {
            let resource = &server.config().resource;
            tracing::info!(
                resource = %resource,
                metadata = %server.config().metadata_url(),
                "authentication on: every MCP request needs a valid access token"
            );
            // The configured resource names this server: its host is accepted.
            if let Some(host) = resource.host_str()
                && !allowed_hosts.is_empty()
            {
                allowed_hosts.push(host.to_owned());
            }
        }
        None if !cli.listen.ip().is_loopback() => anyhow::bail!(
            "refusing to serve without authentication on {}: listen on a loopback address, or set --issuer",
            cli.listen
        ),
        None => tracing::warn!(
            "authentication off: serving anyone who can reach {} (loopback only)",
            cli.listen
        ),
    }
    let sessions = SessionStore::default();
    let open = sessions.clone();
    metrics.track_sessions("weather", move || open.len());
    let mut endpoint = HttpEndpoint::new(MCP_PATH, server).with_session_store(sessions);
    if !allowed_hosts.is_empty() {
        endpoint = endpoint.with_allowed_hosts(allowed_hosts);
    }
    if let Some(server) = auth {
        endpoint = endpoint.with_auth(server);
    }
    if !cli.allowed_origins.is_empty() {
        endpoint = endpoint.with_allowed_origins(cli.allowed_origins.iter().cloned());
    }
    let router = endpoint.into_router();
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    let address = listener.local_addr()?;
    tracing::info!("weather MCP server listening on http://{address}{MCP_PATH}");
    serve_http(listener, router, shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    Ok(())
}

/// Serves /metrics, /healthz and /readyz (ready when the authorization servers answer).
async fn serve_admin(
    address: SocketAddr,
    public: SocketAddr,
    metrics: Metrics,
    auth: Option<Arc<ResourceServer>>,
) -> anyhow::Result<()> {
    if address == public && address.port() != 0 {
        anyhow::bail!("--admin-listen {address} is the MCP listener's address: give it its own");
    }
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} (admin)"))?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() {
        tracing::warn!(
            "the admin listener on {local} has no authentication: keep it off public networks"
        );
    }
    let check: ReadinessCheck = Arc::new(move || {
        let servers: Vec<_> = auth
            .iter()
            .map(|server| ("weather".to_owned(), Arc::clone(server)))
            .collect();
        Box::pin(check_authorization_servers(servers))
    });
    let router = AdminEndpoint::new(metrics)
        .with_readiness(check)
        .into_router();
    tracing::info!("admin: http://{local}/metrics, /healthz, /readyz");
    tokio::spawn(async move {
        if let Err(error) = serve_http(listener, router, std::future::pending()).await {
            tracing::error!(%error, "the admin listener failed");
        }
    });
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
