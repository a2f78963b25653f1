//! Tool-level ACLs per consumer and consumer group (seed 002's matrix) on REST tools, with
//! consumers identified by API keys through the resource server.

use std::sync::Arc;

use rmcp::{
    ServiceExt,
    model::CallToolRequestParams,
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::json;
use toolgate_auth::{
    ApiKeyConfig, Consumer, ConsumerStore, ResourceServer, ResourceServerConfig, StoredKey,
};
use toolgate_rest::{RestToolsetSpec, ToolsetOptions, UpstreamClient, build_toolset_with};
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::ToolRegistry;

use crate::harness::{Gateway, RestUpstream, error_of};

const TOOLS: &str = r"
name: repo-tools
tags: [repo]
base_url: http://placeholder.invalid
include_consumer_groups: true
default_acl:
  - scope: tools
    allow: [admin]
tools:
  - name: list_issues
    description: Lists issues.
    path: /issues
    acl: {allow: [developer, admin]}
  - name: create_issue
    description: Creates an issue.
    method: POST
    path: /issues
    acl: {allow: [admin]}
  - name: delete_repo
    description: Deletes the repository.
    method: DELETE
    path: /repo
";

async fn gateway(upstream: &RestUpstream) -> Gateway {
    let client = UpstreamClient::new().expect("client");
    let spec = RestToolsetSpec::from_yaml(TOOLS, "acl").expect("spec");
    let options = ToolsetOptions::default().with_base_url(upstream.url());
    let toolset = build_toolset_with(&spec, &client, &options, "acl").expect("toolset");
    let mut registry = ToolRegistry::new();
    registry.add(toolset);
    let server = ToolServer::new(
        Arc::new(registry.catalog_for_tags(&["repo"]).expect("catalog")),
        ServerIdentity::new("acl", "0"),
    );

    let mut consumers = ConsumerStore::new();
    consumers
        .add(Consumer::new("c-dev", Some("dana".into())).with_groups(["developer"]))
        .expect("consumer");
    consumers
        .add(Consumer::new("c-admin", Some("ada".into())).with_groups(["admin"]))
        .expect("consumer");
    consumers
        .add_key("c-dev", &StoredKey::parse("dev-key"))
        .expect("key");
    consumers
        .add_key("c-admin", &StoredKey::parse("admin-key"))
        .expect("key");
    let mut config =
        ResourceServerConfig::new("http://127.0.0.1:9/mcp".parse().expect("url"), Vec::new());
    config.consumers = consumers;
    config.api_keys = Some(ApiKeyConfig::default());
    let auth = Arc::new(ResourceServer::new(config).expect("resource server"));
    Gateway::serve(
        HttpEndpoint::new("/mcp", server)
            .with_auth(auth)
            .into_router(),
        "/mcp",
    )
    .await
}

async fn connect_with_key(
    gateway: &Gateway,
    key: &str,
) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    UpstreamClient::new().expect("tls provider");
    let mut headers = std::collections::HashMap::new();
    headers.insert(
        http::HeaderName::from_static("apikey"),
        http::HeaderValue::from_str(key).expect("header"),
    );
    let config =
        StreamableHttpClientTransportConfig::with_uri(gateway.url()).custom_headers(headers);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("handshake")
}

fn names(tools: &[rmcp::model::Tool]) -> Vec<&str> {
    tools.iter().map(|t| t.name.as_ref()).collect()
}

#[tokio::test]
async fn developer_lists_only_allowed_tools_ok() {
    let upstream = RestUpstream::answering("{}").await;
    let gateway = gateway(&upstream).await;
    let developer = connect_with_key(&gateway, "dev-key").await;
    assert_eq!(
        names(&developer.list_all_tools().await.expect("list")),
        ["list_issues"]
    );
    let admin = connect_with_key(&gateway, "admin-key").await;
    assert_eq!(
        names(&admin.list_all_tools().await.expect("list")),
        ["list_issues", "create_issue", "delete_repo"]
    );
}

#[tokio::test]
async fn denied_call_is_refused_with_kong_message_before_upstream_fails() {
    let upstream = RestUpstream::answering("{}").await;
    let gateway = gateway(&upstream).await;
    let developer = connect_with_key(&gateway, "dev-key").await;
    let error = error_of(
        developer
            .call_tool(
                CallToolRequestParams::new("create_issue").with_arguments(serde_json::Map::new()),
            )
            .await,
    );
    assert_eq!(error.code.0, -32602);
    assert_eq!(
        error.message,
        "Tool 'create_issue' is not available for consumer group 'developer'"
    );
    // Default deny for tools without their own rule.
    let error = error_of(
        developer
            .call_tool(
                CallToolRequestParams::new("delete_repo").with_arguments(serde_json::Map::new()),
            )
            .await,
    );
    assert_eq!(
        error.message,
        "Tool 'delete_repo' is not available for consumer group 'developer'"
    );
    assert!(
        upstream.received().is_empty(),
        "a denied call reached the upstream"
    );

    developer
        .call_tool(CallToolRequestParams::new("list_issues").with_arguments(serde_json::Map::new()))
        .await
        .expect("allowed");
    let received = upstream.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].headers.get("apikey").is_none(),
        "the API key must not reach the upstream"
    );
}

#[tokio::test]
async fn unknown_key_is_refused_fails() {
    let upstream = RestUpstream::answering("{}").await;
    let gateway = gateway(&upstream).await;
    let response = reqwest::Client::new()
        .post(gateway.url())
        .header("apikey", "nope")
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
}
