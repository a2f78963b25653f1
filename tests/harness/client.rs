//! Real rmcp clients: streamable HTTP with the 2025-11-25 handshake or 2026-07-28
//! discovery, and stdio through a child process.

use std::path::PathBuf;

use rmcp::{
    RoleClient, ServiceError, ServiceExt,
    model::{CallToolRequestParams, CallToolResult, ErrorData, ProtocolVersion},
    service::{ClientInitializeError, ClientLifecycleMode, ClientServiceExt, RunningService},
    transport::{
        StreamableHttpClientTransport, TokioChildProcess,
        streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::Value;

use super::Gateway;

/// A connected MCP client; disconnects when dropped.
pub(crate) type McpClient = RunningService<RoleClient, ()>;

fn install_tls() {
    // Building an upstream client installs the process-wide crypto provider the rmcp
    // client's reqwest needs.
    toolgate_rest::UpstreamClient::new().expect("tls provider");
}

/// Connects with `initialize` (protocol 2025-11-25, sessions).
pub(crate) async fn connect(gateway: &Gateway) -> McpClient {
    install_tls();
    let transport = StreamableHttpClientTransport::from_uri(gateway.url());
    ().serve(transport).await.expect("MCP handshake")
}

/// Connects with `initialize`, sending `Authorization: Bearer <token>` on every request.
pub(crate) async fn connect_with_token(gateway: &Gateway, token: &str) -> McpClient {
    try_connect_with_token(gateway, Some(token))
        .await
        .expect("MCP handshake with a token")
}

/// Like [`connect_with_token`] (without a token when `None`), keeping the error: a refusal
/// shows as [`ClientInitializeError::auth_challenge`].
pub(crate) async fn try_connect_with_token(
    gateway: &Gateway,
    token: Option<&str>,
) -> Result<McpClient, ClientInitializeError> {
    install_tls();
    let mut config = StreamableHttpClientTransportConfig::with_uri(gateway.url());
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
}

/// Connects with `server/discover` (protocol 2026-07-28, stateless).
pub(crate) async fn connect_discover(gateway: &Gateway) -> McpClient {
    install_tls();
    let transport = StreamableHttpClientTransport::from_uri(gateway.url());
    ().serve_with_lifecycle(
        transport,
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        },
    )
    .await
    .expect("MCP discovery")
}

/// The `weather` binary built beside this test binary.
pub(crate) fn weather_binary() -> PathBuf {
    workspace_binary("weather", "toolgate-weather")
}

/// The `toolgate` binary built beside this test binary.
pub(crate) fn toolgate_binary() -> PathBuf {
    workspace_binary("toolgate", "toolgate")
}

/// The `passthrough` binary built beside this test binary.
pub(crate) fn passthrough_binary() -> PathBuf {
    workspace_binary("passthrough", "toolgate-passthrough")
}

/// A binary of another workspace package, from the target directory of this test binary.
fn workspace_binary(name: &str, package: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target directory");
    let binary = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: build it first with `cargo build -p {package}`",
        binary.display()
    );
    binary
}

/// Starts `weather <args>` as a child process and talks MCP over its stdio.
pub(crate) async fn connect_stdio(args: &[&str]) -> McpClient {
    let mut command = tokio::process::Command::new(weather_binary());
    command.args(args).env("RUST_LOG", "warn");
    let transport = TokioChildProcess::new(command).expect("spawn weather");
    ().serve(transport).await.expect("MCP handshake over stdio")
}

/// Calls `name` with `arguments` (a JSON object).
pub(crate) async fn call(
    client: &McpClient,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be a JSON object");
    };
    client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(arguments))
        .await
}

/// The text of every text block.
pub(crate) fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON-RPC error of a failed call.
pub(crate) fn error_of(outcome: Result<CallToolResult, ServiceError>) -> ErrorData {
    match outcome {
        Err(ServiceError::McpError(error)) => error,
        Err(other) => panic!("expected a JSON-RPC error, got {other}"),
        Ok(result) => panic!("expected a JSON-RPC error, got a result: {result:?}"),
    }
}
