//! Seed 002's decK file run unchanged by `toolgate serve --kong` (its GitHub host pointed at
//! a loopback GitHub-shaped MCP server, its public URL at the gateway's port): the datakit
//! challenge, the PRM rewrite, key-auth consumers and the per-group tool ACLs behave as the
//! recipe describes.

use std::{process::Stdio, time::Duration};

use serde_json::{Value, json};

use super::upstream::{McpUpstream, UPSTREAM_AUTHORIZATION_SERVER};
use crate::harness::{call, text_of, toolgate_binary};

fn kong_variables() -> [(&'static str, &'static str); 6] {
    [
        ("DECK_KONNECT_MCP_HOST", "konnect-mcp.example.test"),
        (
            "DECK_OAUTH_AUTH_SERVER",
            "https://idp.example.test/oauth2/default",
        ),
        (
            "DECK_OAUTH_INTROSPECTION_URL",
            "https://idp.example.test/oauth2/default/v1/introspect",
        ),
        ("DECK_OAUTH_CLIENT_ID", "kong-gateway"),
        ("DECK_OAUTH_CLIENT_SECRET", "test-oauth-secret"),
        ("DECK_KONNECT_MCP_TOKEN", "kpat_test_token"),
    ]
}

#[tokio::test]
async fn seed_002_runs_unchanged_with_kong_ok() {
    let upstream = McpUpstream::start().await;
    let upstream_port = upstream.url().port().expect("port");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let seed = std::fs::read_to_string(format!(
        "{}/../examples/kong/seed-002.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("seed 002")
    .replace(
        "host: api.githubcopilot.com\n  port: 443\n  protocol: https",
        &format!("host: 127.0.0.1\n  port: {upstream_port}\n  protocol: http"),
    )
    .replace(
        "https://localhost:8443/",
        &format!("http://localhost:{port}/"),
    );
    let dir = std::env::temp_dir().join(format!("toolgate-seed002-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("kong.yaml");
    std::fs::write(&file, seed).expect("write seed");
    let listen = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(toolgate_binary())
        .args(["serve", "--kong"])
        .arg(&file)
        .args(["--listen", &listen])
        .envs(kong_variables())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn toolgate serve --kong");

    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let http = reqwest::Client::new();
    let url = format!("http://{listen}/github-mcp");
    let initialize = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
    // Bounded wait for the listener: 10 s.
    let mut refused = None;
    for _ in 0..200 {
        if let Ok(response) = http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("apikey", "dev-api-key")
            .body(initialize)
            .send()
            .await
        {
            refused = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // No Authorization: the datakit challenge, pointing at the gateway's PRM.
    let refused = refused.expect("the gateway answered");
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"http://localhost:{port}/.well-known/oauth-protected-resource/github-mcp\""
        )),
        "{challenge}"
    );
    // The upstream's PRM with `resource` rewritten to the gateway, GitHub still the AS.
    let prm: Value = http
        .get(format!(
            "http://{listen}/.well-known/oauth-protected-resource/github-mcp"
        ))
        .send()
        .await
        .expect("PRM")
        .json()
        .await
        .expect("JSON PRM");
    assert_eq!(
        prm["resource"],
        format!("http://localhost:{port}/github-mcp")
    );
    assert_eq!(
        prm["authorization_servers"][0],
        UPSTREAM_AUTHORIZATION_SERVER
    );

    let connect = |key: &'static str| {
        let url = url.clone();
        async move {
            let mut headers = std::collections::HashMap::new();
            headers.insert(
                http::HeaderName::from_static("apikey"),
                http::HeaderValue::from_static(key),
            );
            let config = rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(url)
                .auth_header("gho_users_own_token")
                .custom_headers(headers);
            rmcp::ServiceExt::serve(
                (),
                rmcp::transport::StreamableHttpClientTransport::from_config(config),
            )
            .await
            .expect("MCP handshake")
        }
    };
    let names = |tools: Vec<rmcp::model::Tool>| {
        let mut names: Vec<String> = tools.into_iter().map(|t| t.name.to_string()).collect();
        names.sort();
        names
    };
    // The developer sees the tools the recipe allows developers (of those this upstream has)…
    let dev = connect("dev-api-key").await;
    assert_eq!(
        names(dev.list_all_tools().await.expect("tools/list")),
        ["list_issues"]
    );
    // …and a crafted call for an admin tool is refused at the gateway with the seed's message.
    let denied = call(&dev, "create_issue", json!({}))
        .await
        .expect_err("denied");
    assert!(
        denied
            .to_string()
            .contains("Tool 'create_issue' is not available for consumer group 'developer'"),
        "{denied}"
    );
    assert_eq!(upstream.calls("create_issue"), 0);
    let result = call(&dev, "list_issues", json!({})).await.expect("allowed");
    assert!(!text_of(&result).is_empty());
    // The admin sees every tool, the unlisted one included.
    let admin = connect("admin-api-key").await;
    assert_eq!(
        names(admin.list_all_tools().await.expect("tools/list")),
        [
            "create_issue",
            "delete_repo",
            "list_issues",
            "slow_progress"
        ]
    );
    // The user's own token went upstream; the API key did not.
    let received = upstream.received();
    assert!(received.iter().any(|h| {
        h.get("authorization")
            .is_some_and(|v| v == "Bearer gho_users_own_token")
    }));
    assert!(received.iter().all(|h| !h.contains_key("apikey")));
    dev.cancel().await.expect("closed");
    admin.cancel().await.expect("closed");
    let _ = child.start_kill();
    let _ = child.wait().await;
    let _ = std::fs::remove_dir_all(&dir);
}
