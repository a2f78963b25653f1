//! `deny_private_networks`: OpenAPI documents from URLs, remote MCP toolsets and passthrough
//! endpoints on loopback are refused with the guard on and served with it off. Loopback is
//! the one non-public range a test may use; the other ranges are covered by
//! `toolgate-net`'s unit tests, which classify addresses without connecting.

use axum::{Router, routing::get};
use http::StatusCode;
use serde_json::json;
use toolgate_config::{Environment, Gateway as ConfigGateway, load_str};
use toolgate_remote::{RemoteConfig, RemoteError, RemoteToolset, RemoteTransport};
use toolgate_server::{PassthroughEndpoint, PassthroughError};

use crate::{harness::Gateway, passthrough::upstream::McpUpstream};

const DOCUMENT: &str = r"
openapi: 3.0.3
info: {title: Loopback, version: '1'}
servers: [{url: 'http://127.0.0.1:9/'}]
paths:
  /ping:
    get:
      operationId: ping
      responses: {'200': {description: OK}}
";

/// Serves [`DOCUMENT`] at `/openapi.yaml` on a loopback port.
async fn document_server() -> Gateway {
    Gateway::serve(
        Router::new().route("/openapi.yaml", get(|| async { DOCUMENT })),
        "/openapi.yaml",
    )
    .await
}

fn openapi_config(url: &str, top: Option<bool>, toolset: Option<bool>) -> String {
    let mut text = String::new();
    if let Some(deny) = top {
        text.push_str(&format!("deny_private_networks: {deny}\n"));
    }
    text.push_str(&format!(
        "listeners: [{{name: l, listen: '127.0.0.1:0'}}]\ntoolsets:\n  - name: api\n    tags: [api]\n    openapi: {{spec: '{url}'}}\n"
    ));
    if let Some(deny) = toolset {
        text.push_str(&format!("    deny_private_networks: {deny}\n"));
    }
    text.push_str("endpoints: [{name: e, path: /mcp, tags: [api]}]\n");
    text
}

async fn build(text: &str) -> Result<(), String> {
    let env = Environment::from_fn(|_| None, None);
    let loaded = load_str(text, "guard.yaml", &env).map_err(|e| e.to_string())?;
    ConfigGateway::builder(loaded)
        .build()
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn openapi_document_on_loopback_is_loaded_without_the_guard_ok() {
    let server = document_server().await;
    for (top, toolset) in [(None, None), (Some(false), None), (Some(true), Some(false))] {
        build(&openapi_config(&server.url(), top, toolset))
            .await
            .unwrap_or_else(|e| panic!("{top:?} {toolset:?}: {e}"));
    }
}

#[tokio::test]
async fn openapi_document_on_loopback_with_the_guard_fails() {
    let server = document_server().await;
    let by_name = server.url().replace("127.0.0.1", "localhost");
    for (url, top, toolset) in [
        (server.url(), Some(true), None),
        (server.url(), None, Some(true)),
        (by_name, Some(true), None),
    ] {
        let error = build(&openapi_config(&url, top, toolset))
            .await
            .expect_err("refused");
        assert!(
            error.contains("toolsets[0].openapi.spec") && error.contains("loopback"),
            "{url}: {error}"
        );
    }
}

#[tokio::test]
async fn deny_private_networks_must_be_a_boolean_fails() {
    let env = Environment::from_fn(|_| None, None);
    let error = load_str("deny_private_networks: maybe\n", "guard.yaml", &env)
        .expect_err("refused")
        .to_string();
    assert!(error.contains("deny_private_networks"), "{error}");
}

#[tokio::test]
async fn remote_toolset_on_loopback_connects_only_without_the_guard_ok() {
    let upstream = McpUpstream::start().await;
    let url = upstream.url().to_string();
    let open = RemoteToolset::connect(RemoteConfig::new(
        "up",
        RemoteTransport::streamable_http(url.clone()),
    ))
    .await
    .expect("connects without the guard");
    assert!(!open.toolset().tools().is_empty());
    open.shutdown().await;
    for url in [url.clone(), url.replace("127.0.0.1", "localhost")] {
        let refused = RemoteToolset::connect(
            RemoteConfig::new("up", RemoteTransport::streamable_http(url.clone()))
                .with_deny_private_networks(true),
        )
        .await;
        match refused {
            Err(error @ RemoteError::PrivateNetwork { .. }) => {
                assert!(error.to_string().contains("loopback"), "{error}");
            }
            Err(other) => panic!("{url}: {other}"),
            Ok(_) => panic!("{url}: connected"),
        }
    }
}

/// With the guard on, the client-credentials token endpoint must be public too: a public
/// upstream (a documentation address, never contacted) whose token endpoint is on loopback
/// is refused before any token request is sent.
#[tokio::test]
async fn remote_token_endpoint_on_loopback_with_the_guard_fails() {
    let grant = toolgate_remote::ClientCredentials::new(
        "http://127.0.0.1:9/token",
        "mcp-client",
        "mcp-client-secret",
    );
    let transport =
        RemoteTransport::streamable_http("http://203.0.113.10/mcp").with_client_credentials(grant);
    let refused =
        RemoteToolset::connect(RemoteConfig::new("up", transport).with_deny_private_networks(true))
            .await;
    match refused {
        Err(error @ RemoteError::PrivateNetwork { .. }) => {
            let text = format!(
                "{error}: {}",
                std::error::Error::source(&error)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            );
            assert!(text.contains("loopback"), "{text}");
        }
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("connected"),
    }
}

#[tokio::test]
async fn passthrough_to_loopback_is_refused_with_the_guard_ok() {
    let upstream = McpUpstream::start().await;
    // An IP literal is refused when the router is built.
    let refused = PassthroughEndpoint::new("/pt", upstream.url())
        .with_deny_private_networks(true)
        .into_router();
    assert!(matches!(refused, Err(PassthroughError::PrivateNetwork(_))));
    // A name is refused when it resolves, at each request: the client gets 502.
    let mut by_name = upstream.url();
    by_name.set_host(Some("localhost")).expect("host");
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}});
    for (deny, expected) in [(false, StatusCode::OK), (true, StatusCode::BAD_GATEWAY)] {
        let router = PassthroughEndpoint::new("/pt", by_name.clone())
            .with_deny_private_networks(deny)
            .into_router()
            .expect("router");
        let gateway = Gateway::serve(router, "/pt").await;
        let answer = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(gateway.url())
            .header("accept", "application/json, text/event-stream")
            .json(&initialize)
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status(), expected, "deny_private_networks: {deny}");
    }
}
