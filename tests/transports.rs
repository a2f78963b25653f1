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

/// A 2026-07-28 request (no session) with nothing to stream is answered as plain JSON by
/// default; a call that reports progress still gets an event stream, progress first; an
/// endpoint with `json_response: false` always streams.
#[tokio::test]
async fn requests_without_a_session_get_json_unless_they_stream_ok() {
    use std::sync::Arc;
    use toolgate_tools::{FnTool, ToolDescriptor, ToolSet, schema_object, text_result};

    let slow = FnTool::new(
        ToolDescriptor::new(
            "slow",
            "Reports progress, then answers.",
            schema_object(json!({"type": "object"})),
        ),
        |_args, ctx| async move {
            ctx.progress(1.0, Some(2.0), Some("half way")).await;
            Ok(text_result("done"))
        },
    );
    let toolset = ToolSet::new("work")
        .with_tags(["work"])
        .with_tool(Arc::new(slow));
    let yaml = r"
toolsets:
  - {name: work, tags: [work], rust: {}}
endpoints:
  - {name: json, path: /json/mcp, tags: [work]}
  - {name: sse, path: /sse/mcp, tags: [work], json_response: false}
";
    let gateway = crate::harness::Configured::builder(yaml)
        .toolset(toolset)
        .start()
        .await;
    let http = reqwest::Client::new();
    let call = |path: &str, meta: serde_json::Value| {
        http.post(gateway.url(path))
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "slow")
            .json(&json!({
                "jsonrpc": "2.0", "id": 7, "method": "tools/call",
                "params": {"name": "slow", "arguments": {}, "_meta": meta}
            }))
            .send()
    };
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let mut with_progress = meta.clone();
    with_progress["progressToken"] = json!("p1");

    let answer = call("/json/mcp", meta.clone()).await.expect("answer");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let body: serde_json::Value = answer.json().await.expect("a JSON body");
    assert_eq!(body["id"], 7);
    assert_eq!(body["result"]["content"][0]["text"], "done", "{body}");

    let answer = call("/json/mcp", with_progress.clone())
        .await
        .expect("answer");
    assert_eq!(answer.headers()["content-type"], "text/event-stream");
    let text = answer.text().await.expect("events");
    let progress = text
        .find("notifications/progress")
        .expect("progress streamed");
    let result = text.find(r#""text":"done""#).expect("result streamed");
    assert!(progress < result, "{text}");

    let answer = call("/sse/mcp", meta).await.expect("answer");
    assert_eq!(answer.headers()["content-type"], "text/event-stream");
    assert!(
        answer
            .text()
            .await
            .expect("events")
            .contains(r#""text":"done""#)
    );
}
