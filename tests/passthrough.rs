//! The passthrough endpoint in front of an external MCP server (seed 002): tool ACLs per
//! consumer group with API keys beside the user's own upstream token, the upstream's PRM
//! served with the gateway's resource, the token swap for a stored credential, SSE streamed
//! through as it happens, and an unreachable upstream.

mod raw;
mod seed002;
pub(crate) mod upstream;

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use http::{HeaderName, HeaderValue, StatusCode, header};
use rmcp::{
    RoleClient, ServiceExt,
    service::RunningService,
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::{Value, json};
use toolgate_auth::{
    ApiKeyConfig, Consumer, ConsumerStore, ResourceServer, ResourceServerConfig, SecretString,
    StoredKey,
};
use toolgate_server::{PassthroughEndpoint, UpstreamIdentity};
use toolgate_tools::{AclPolicy, AclRule};

use crate::harness::{Gateway, Idp, call, connect_with_token, text_of, try_connect_with_token};
use raw::RawClient;
use upstream::{McpUpstream, UPSTREAM_AUTHORIZATION_SERVER};

const DEV_KEY: &str = "dev-api-key";
const ADMIN_KEY: &str = "admin-api-key";

/// Seed 002's matrix: developers may list issues, admins may do anything, default deny.
fn seed_acl() -> AclPolicy {
    let mut acl = AclPolicy::default();
    acl.include_consumer_groups = true;
    acl.default = Some(AclRule::allow(["admin"]));
    acl.tools
        .insert("list_issues".into(), AclRule::allow(["developer", "admin"]));
    acl.tools
        .insert("create_issue".into(), AclRule::allow(["admin"]));
    acl
}

fn consumers() -> ConsumerStore {
    let mut consumers = ConsumerStore::new();
    consumers
        .add(Consumer::new("c-dev", Some("dev-user".into())).with_groups(["developer"]))
        .expect("consumer");
    consumers
        .add(Consumer::new("c-admin", Some("admin-user".into())).with_groups(["admin"]))
        .expect("consumer");
    consumers
        .add_key("c-dev", &StoredKey::parse(DEV_KEY))
        .expect("key");
    consumers
        .add_key("c-admin", &StoredKey::parse(ADMIN_KEY))
        .expect("key");
    consumers
}

/// The GitHub route of seed 002: the user's own token goes upstream, an API key beside it
/// names the consumer.
async fn github_gateway(upstream: &McpUpstream) -> Gateway {
    let upstream = upstream.url();
    Gateway::serve_with("/github-mcp", move |url| {
        let mut config = ResourceServerConfig::new(url.clone(), Vec::new());
        config.consumers = consumers();
        config.api_keys = Some(ApiKeyConfig::default());
        config.passthrough_credentials = true;
        PassthroughEndpoint::new("/github-mcp", upstream)
            .with_acl(seed_acl())
            .with_identity(UpstreamIdentity::UserTokenPassthrough)
            .with_auth(Arc::new(
                ResourceServer::new(config).expect("resource server"),
            ))
            .into_router()
            .expect("passthrough router")
    })
    .await
}

/// An rmcp client through the gateway with an API key and the user's upstream token.
async fn client(gateway: &Gateway, key: &str, token: &str) -> RunningService<RoleClient, ()> {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let headers = HashMap::from([(
        HeaderName::from_static("apikey"),
        HeaderValue::from_str(key).expect("key header"),
    )]);
    let config = StreamableHttpClientTransportConfig::with_uri(gateway.url())
        .auth_header(token)
        .custom_headers(headers);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP handshake through the passthrough")
}

async fn tool_names(client: &RunningService<RoleClient, ()>) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn developer_lists_only_allowed_tools_admin_lists_all() {
    let upstream = McpUpstream::start().await;
    let gateway = github_gateway(&upstream).await;

    let developer = client(&gateway, DEV_KEY, "ghu_dev_token").await;
    assert_eq!(tool_names(&developer).await, ["list_issues"]);
    let result = call(&developer, "list_issues", json!({}))
        .await
        .expect("allowed call");
    assert_eq!(text_of(&result), "list_issues done");
    assert_eq!(upstream.calls("list_issues"), 1);

    let admin = client(&gateway, ADMIN_KEY, "ghu_admin_token").await;
    assert_eq!(
        tool_names(&admin).await,
        [
            "create_issue",
            "delete_repo",
            "list_issues",
            "slow_progress"
        ]
    );
    call(&admin, "delete_repo", json!({}))
        .await
        .expect("admin may delete");
    assert_eq!(upstream.calls("delete_repo"), 1);

    // The upstream saw the users' own tokens and never the gateway's API keys.
    let received = upstream.received();
    assert!(!received.is_empty());
    for headers in &received {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        assert!(
            matches!(
                authorization,
                Some("Bearer ghu_dev_token" | "Bearer ghu_admin_token")
            ),
            "{authorization:?}"
        );
        assert!(
            headers.get("apikey").is_none(),
            "the API key leaked upstream"
        );
    }
}

#[tokio::test]
async fn denied_tools_call_is_refused_at_the_gateway_and_never_forwarded() {
    let upstream = McpUpstream::start().await;
    let gateway = github_gateway(&upstream).await;
    let developer = RawClient::open(
        &gateway.url(),
        &[
            ("apikey", DEV_KEY),
            ("authorization", "Bearer ghu_dev_token"),
        ],
    )
    .await;

    for (id, tool) in [(1, "delete_repo"), (2, "create_issue")] {
        let answer = developer
            .rpc(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": {}}}))
            .await;
        assert_eq!(answer["error"]["code"], -32602, "{answer}");
        assert_eq!(
            answer["error"]["message"],
            format!("Tool '{tool}' is not available for consumer group 'developer'")
        );
        assert_eq!(upstream.calls(tool), 0, "{tool} reached the upstream");
    }

    // A raw tools/list is filtered as well, and an allowed raw call goes through.
    let listed = developer
        .rpc(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}))
        .await;
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["list_issues"]);
    let allowed = developer
        .rpc(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
            "params": {"name": "list_issues", "arguments": {}}}))
        .await;
    assert!(allowed.get("result").is_some(), "{allowed}");
    assert_eq!(upstream.calls("list_issues"), 1);
}

#[tokio::test]
async fn user_token_passthrough_challenges_and_serves_the_rewritten_prm() {
    let upstream = McpUpstream::start().await;
    let gateway = github_gateway(&upstream).await;
    let http = reqwest::Client::new();
    let metadata_url = format!(
        "http://{}/.well-known/oauth-protected-resource/github-mcp",
        gateway.address()
    );
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"}}});

    // A consumer key but no upstream token (seed 002's first connection), and no key at all.
    for key in [Some(DEV_KEY), None] {
        let mut request = http
            .post(gateway.url())
            .header(header::ACCEPT, "application/json, text/event-stream")
            .header(header::CONTENT_TYPE, "application/json")
            .body(initialize.to_string());
        if let Some(key) = key {
            request = request.header("apikey", key);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "key {key:?}");
        let challenge = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .expect("a challenge")
            .to_owned();
        assert!(
            challenge.starts_with("Bearer ")
                && challenge.contains(&format!("resource_metadata=\"{metadata_url}\"")),
            "{challenge}"
        );
    }
    assert!(
        upstream.received().is_empty(),
        "nothing reached the upstream"
    );

    let document: Value = http
        .get(&metadata_url)
        .send()
        .await
        .expect("PRM")
        .error_for_status()
        .expect("PRM served")
        .json()
        .await
        .expect("PRM JSON");
    assert_eq!(document["resource"], gateway.url());
    assert_eq!(
        document["authorization_servers"],
        json!([UPSTREAM_AUTHORIZATION_SERVER])
    );
    assert_eq!(
        document["scopes_supported"],
        json!(["repo", "gist", "notifications"])
    );
}

#[tokio::test]
async fn token_swap_sends_the_stored_credential_never_the_inbound_token() {
    let upstream = McpUpstream::start().await;
    let idp = Idp::start().await;
    let issuer: url::Url = idp.issuer().parse().expect("issuer");
    let upstream_url = upstream.url();
    let gateway = Gateway::serve_with("/konnect-mcp", move |url| {
        let mut config = ResourceServerConfig::new(url.clone(), vec![issuer]);
        config.consumer_mapping.groups_claim = Some(vec!["groups".to_owned()]);
        PassthroughEndpoint::new("/konnect-mcp", upstream_url)
            .with_acl(seed_acl())
            .with_identity(UpstreamIdentity::TokenSwap {
                credential: SecretString::new("kpat_stored_service_token"),
            })
            .with_auth(Arc::new(
                ResourceServer::new(config).expect("resource server"),
            ))
            .into_router()
            .expect("passthrough router")
    })
    .await;

    let refused = try_connect_with_token(&gateway, None).await;
    assert!(refused.is_err(), "no token, no session");

    let token = idp.jwt(json!({"sub": "alice", "aud": gateway.url(), "groups": ["developer"]}));
    let client = connect_with_token(&gateway, &token).await;
    assert_eq!(tool_names(&client).await, ["list_issues"]);
    call(&client, "list_issues", json!({}))
        .await
        .expect("allowed call");
    assert_eq!(upstream.calls("list_issues"), 1);

    let received = upstream.received();
    assert!(!received.is_empty());
    for headers in &received {
        assert_eq!(
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
            Some("Bearer kpat_stored_service_token")
        );
        for (_, value) in headers {
            assert!(
                !value
                    .as_bytes()
                    .windows(token.len())
                    .any(|w| w == token.as_bytes()),
                "the inbound token reached the upstream"
            );
        }
    }
}

#[tokio::test]
async fn progress_notifications_stream_through_as_they_happen() {
    let upstream = McpUpstream::start().await;
    let gateway = github_gateway(&upstream).await;
    let admin = RawClient::open(
        &gateway.url(),
        &[
            ("apikey", ADMIN_KEY),
            ("authorization", "Bearer ghu_admin_token"),
        ],
    )
    .await;

    let started = Instant::now();
    let mut response = admin
        .post(
            &json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {
            "name": "slow_progress", "arguments": {}, "_meta": {"progressToken": "p-1"}}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut buffer = String::new();
    let mut progress: Vec<Duration> = Vec::new();
    let mut result_at = None;
    while result_at.is_none() {
        let Some(chunk) = response.chunk().await.expect("chunk") else {
            break;
        };
        let now = started.elapsed();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                let Ok(message) = serde_json::from_str::<Value>(data.trim_start()) else {
                    continue;
                };
                if message["method"] == "notifications/progress" {
                    progress.push(now);
                } else if message["id"] == 9 {
                    assert_eq!(message["result"]["content"][0]["text"], "finished");
                    result_at = Some(now);
                }
            }
        }
    }
    let result_at = result_at.expect("the result arrived");
    assert_eq!(progress.len(), 3, "{progress:?}");
    // Buffered, every event would arrive with the result (~800 ms); streamed, the first
    // progress arrives ~200 ms in, ~600 ms before the result.
    assert!(
        result_at.saturating_sub(progress[0]) >= Duration::from_millis(350),
        "first progress at {:?}, result at {result_at:?}",
        progress[0]
    );
    assert!(
        progress[2].saturating_sub(progress[0]) >= Duration::from_millis(250),
        "{progress:?}"
    );
}

#[tokio::test]
async fn unreachable_upstream_answers_502_with_a_jsonrpc_error() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let upstream: url::Url = format!("http://{address}/mcp").parse().expect("url");
    let gateway = Gateway::serve_with("/mcp", move |_| {
        PassthroughEndpoint::new("/mcp", upstream)
            .with_acl(seed_acl())
            .into_router()
            .expect("router")
    })
    .await;
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let response = reqwest::Client::new()
        .post(gateway.url())
        .header(header::ACCEPT, "application/json, text/event-stream")
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}).to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["id"], 5);
    assert_eq!(body["error"]["code"], -32000);
}

#[tokio::test]
async fn foreign_host_header_is_refused_before_the_upstream() {
    let upstream = McpUpstream::start().await;
    let upstream_url = upstream.url();
    let gateway = Gateway::serve_with("/mcp", move |_| {
        PassthroughEndpoint::new("/mcp", upstream_url)
            .into_router()
            .expect("router")
    })
    .await;
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let response = reqwest::Client::new()
        .post(gateway.url())
        .header(header::HOST, "evil.example")
        .header(header::ACCEPT, "application/json, text/event-stream")
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        upstream.received().is_empty(),
        "the request reached the upstream"
    );
}
