//! stdio through a child process, and the HTTP endpoint's guards.

use serde_json::json;

use crate::harness::{Gateway, RestUpstream, call, connect_stdio, text_of};

#[tokio::test]
async fn stdio_child_process_lists_and_calls_ok() {
    let client = connect_stdio(&["--demo", "--stdio"]).await;
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|s| s.name.as_str()),
        Some("toolgate-weather")
    );
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 5);
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("tools/call");
    assert_eq!(result.is_error, Some(false), "{}", text_of(&result));
    let structured = result.structured_content.expect("structuredContent");
    assert_eq!(structured["location"]["name"], "London");
    assert!(
        structured["_sample"].is_string(),
        "demo data must say it is sample data"
    );
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn foreign_host_header_is_forbidden_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let http = reqwest::Client::new();
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "0"}}
    });
    let refused = http
        .post(gateway.url())
        .header("host", "attacker.example")
        .header("accept", "application/json, text/event-stream")
        .json(&initialize)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    let accepted = http
        .post(gateway.url())
        .header("host", format!("localhost:{}", gateway.address().port()))
        .header("accept", "application/json, text/event-stream")
        .json(&initialize)
        .send()
        .await
        .expect("request");
    assert_eq!(accepted.status(), reqwest::StatusCode::OK);
    assert!(
        accepted.headers().contains_key("mcp-session-id"),
        "sessions are on"
    );
}

#[tokio::test]
async fn deleting_a_session_answers_no_content_and_ends_it_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let http = reqwest::Client::new();
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "0"}}
    });
    let opened = http
        .post(gateway.url())
        .header("accept", "application/json, text/event-stream")
        .json(&initialize)
        .send()
        .await
        .expect("initialize");
    let session = opened.headers()["mcp-session-id"].clone();
    drop(opened);
    let deleted = http
        .delete(gateway.url())
        .header("mcp-session-id", session.clone())
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), reqwest::StatusCode::NO_CONTENT);
    let after = http
        .post(gateway.url())
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .send()
        .await
        .expect("request on the ended session");
    assert_eq!(after.status(), reqwest::StatusCode::NOT_FOUND);
}
