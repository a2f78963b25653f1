//! Limits end to end, from `toolgate.yaml`: body size, JSON nesting, rate limits and the
//! concurrency cap per upstream.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Configured, McpClient, RawMcp, call, gated_toolset, json_of, text_of};

/// One endpoint serving the gated Rust toolset (`hold`, `echo`), plus `extra` lines of
/// endpoint fields.
fn gated_yaml(endpoint_fields: &str, toolset_fields: &str) -> String {
    format!(
        "toolsets:\n  - name: gated\n    tags: [t]\n    rust: {{}}\n{toolset_fields}\
         endpoints:\n  - path: /mcp\n    tags: [t]\n{endpoint_fields}"
    )
}

async fn start(endpoint_fields: &str, toolset_fields: &str) -> (Configured, crate::harness::Gate) {
    let (toolset, gate) = gated_toolset("gated");
    let gateway = Configured::builder(&gated_yaml(endpoint_fields, toolset_fields))
        .toolset(toolset)
        .start()
        .await;
    (gateway, gate)
}

async fn connect(url: String) -> McpClient {
    use rmcp::{ServiceExt, transport::StreamableHttpClientTransport};
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    ().serve(StreamableHttpClientTransport::from_uri(url))
        .await
        .expect("MCP handshake")
}

/// `{"a": [[[…]]]}` nested `depth` arrays deep.
fn nested_arguments(depth: usize) -> String {
    format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth))
}

fn call_body(id: u64, tool: &str, arguments: &str) -> Vec<u8> {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{arguments}}}}}"#
    )
    .into_bytes()
}

#[tokio::test]
async fn oversized_body_on_a_configured_endpoint_gets_413() {
    let (upstream, _gate) = start("", "").await;
    let (toolset, _gate) = gated_toolset("gated");
    let yaml = format!(
        "{}    max_request_body_size: 1024\n  - path: /pass\n    max_request_body_size: 1024\n    passthrough: {{upstream: \"{}\"}}\n",
        gated_yaml("", ""),
        upstream.url("/mcp")
    );
    let gateway = Configured::builder(&yaml).toolset(toolset).start().await;
    let padding = format!("{{\"text\":\"{}\"}}", "x".repeat(4096));
    for path in ["/mcp", "/pass"] {
        let raw = RawMcp::new(gateway.url(path));
        let session = raw.open_session().await;
        let response = raw
            .post_bytes(Some(&session), call_body(1, "echo", &padding))
            .await;
        assert_eq!(response.status(), 413, "{path}");
        // Under the limit the same call goes through.
        let response = raw
            .post_bytes(Some(&session), call_body(2, "echo", r#"{"text":"small"}"#))
            .await;
        assert_eq!(response.status(), 200, "{path}");
        let answer = json_of(response).await;
        assert_eq!(
            answer["result"]["content"][0]["text"], "small",
            "{path}: {answer}"
        );
    }
}

#[tokio::test]
async fn deeply_nested_json_is_refused_and_the_gateway_keeps_serving() {
    let (upstream, _gate) = start("", "").await;
    let (toolset, _gate) = gated_toolset("gated");
    let yaml = format!(
        "{}  - path: /pass\n    passthrough: {{upstream: \"{}\"}}\n",
        gated_yaml("", ""),
        upstream.url("/mcp")
    );
    let gateway = Configured::builder(&yaml).toolset(toolset).start().await;
    // 100,000 levels in 200 kB: under the body limit, far over serde_json's 128.
    let deep = call_body(1, "echo", &nested_arguments(100_000));
    assert!(deep.len() < 1024 * 1024);

    let raw = RawMcp::new(gateway.url("/mcp"));
    let session = raw.open_session().await;
    let response = raw.post_bytes(Some(&session), deep.clone()).await;
    assert!(
        response.status().is_client_error(),
        "tool endpoint: {}",
        response.status()
    );
    // Nesting within the limit is an ordinary call.
    let response = raw
        .post_bytes(Some(&session), call_body(2, "echo", &nested_arguments(100)))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        json_of(response).await["result"]["content"][0]["text"],
        "echo"
    );

    let raw = RawMcp::new(gateway.url("/pass"));
    let session = raw.open_session().await;
    let response = raw.post_bytes(Some(&session), deep).await;
    assert_eq!(response.status(), 400, "passthrough");
    assert_eq!(json_of(response).await["error"]["code"], json!(-32700));
    let response = raw
        .post_bytes(Some(&session), call_body(3, "echo", &nested_arguments(100)))
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_tool_over_its_rate_limit_gets_429_with_retry_after_then_recovers() {
    let (gateway, _gate) = start(
        "    rate_limits:\n      per_tool:\n        echo: {second: 2}\n",
        "",
    )
    .await;
    let raw = RawMcp::new(gateway.url("/mcp"));
    let session = raw.open_session().await;
    for id in 1..=2 {
        assert_eq!(raw.call(Some(&session), id, "echo").await.status(), 200);
    }
    let refused = raw.call(Some(&session), 3, "echo").await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert_eq!(retry, 1);
    let body = json_of(refused).await;
    assert_eq!(body["id"], json!(3));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`echo`") && m.contains("2 per second")),
        "{body}"
    );
    // Other tools are not counted; other requests of the session go on.
    let ping = raw
        .post(
            Some(&session),
            &json!({"jsonrpc": "2.0", "id": 4, "method": "ping"}),
        )
        .await;
    assert_eq!(ping.status(), 200);
    // After the wait it names, the same session calls again.
    tokio::time::sleep(Duration::from_secs(retry)).await;
    let again = raw.call(Some(&session), 5, "echo").await;
    assert_eq!(again.status(), 200);
    assert_eq!(json_of(again).await["result"]["content"][0]["text"], "echo");
}

#[tokio::test]
async fn an_rmcp_client_sees_the_429_as_an_error_and_its_session_survives() {
    let (gateway, _gate) = start(
        "    rate_limits:\n      per_tool:\n        echo: {second: 1}\n",
        "",
    )
    .await;
    let client = connect(gateway.url("/mcp")).await;
    let first = call(&client, "echo", json!({"text": "one"}))
        .await
        .expect("the first call passes");
    assert_eq!(text_of(&first), "one");
    let refused = call(&client, "echo", json!({"text": "two"})).await;
    let error = refused.expect_err("the second call in the same second is refused");
    assert!(error.to_string().contains("429"), "{error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let third = call(&client, "echo", json!({"text": "three"}))
        .await
        .expect("the session goes on after the wait");
    assert_eq!(text_of(&third), "three");
}

#[tokio::test]
async fn per_consumer_limits_count_each_consumer_apart() {
    let (toolset, _gate) = gated_toolset("gated");
    let yaml = format!(
        "{}    auth: keys\n    rate_limits:\n      per_consumer: {{minute: 3}}\n\
         auth:\n  keys:\n    key_auth: {{key_names: [apikey]}}\n\
         consumers:\n  - {{username: alice, keys: [alice-key-0123456789]}}\n  - {{username: bob, keys: [bob-key-0123456789ab]}}\n",
        gated_yaml("", "")
    );
    let gateway = Configured::builder(&yaml).toolset(toolset).start().await;
    let alice = RawMcp::new(gateway.url("/mcp")).header("apikey", "alice-key-0123456789");
    let bob = RawMcp::new(gateway.url("/mcp")).header("apikey", "bob-key-0123456789ab");
    // initialize and notifications/initialized are two of alice's three.
    let session = alice.open_session().await;
    assert_eq!(alice.call(Some(&session), 1, "echo").await.status(), 200);
    let refused = alice.call(Some(&session), 2, "echo").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let session = bob.open_session().await;
    assert_eq!(bob.call(Some(&session), 1, "echo").await.status(), 200);
}

#[tokio::test]
async fn the_concurrency_cap_answers_busy_beyond_it_and_frees_its_slot() {
    let (gateway, gate) = start("    timeout: 300\n", "    max_concurrent_calls: 1\n").await;
    let first = connect(gateway.url("/mcp")).await;
    let second = connect(gateway.url("/mcp")).await;
    let held = tokio::spawn(async move {
        let result = call(&first, "hold", json!({})).await;
        (first, result)
    });
    gate.entered().await;
    // The one slot is taken: this call waits the endpoint's 300 ms timeout, then gets a
    // busy result, and never reaches the tool.
    let busy = call(&second, "echo", json!({"text": "x"}))
        .await
        .expect("a tool result, not a protocol error");
    assert_eq!(busy.is_error, Some(true));
    let text = text_of(&busy);
    assert!(text.contains("`gated` is busy"), "{text}");
    gate.release(1);
    let (_first, result) = held.await.expect("joined");
    assert_eq!(
        text_of(&result.expect("the held call completes")),
        "released"
    );
    // The slot is free again.
    let after = call(&second, "echo", json!({"text": "after"}))
        .await
        .expect("a call");
    assert_eq!(text_of(&after), "after");
    assert_ne!(after.is_error, Some(true));
}

#[test]
fn nested_arguments_are_what_they_say() {
    let text = nested_arguments(3);
    assert_eq!(text, r#"{"a":[[[]]]}"#);
    assert!(serde_json::from_str::<Value>(&text).is_ok());
}

/// A passthrough with `max_concurrent_calls: 1`: while one call is in flight upstream (its
/// answer stream still open), another waits the endpoint's `timeout`, then gets 503 with
/// `Retry-After` and JSON-RPC -32001 without reaching the upstream; requests other than
/// calls pass; once the first answer is sent the slot is free again.
#[tokio::test]
async fn passthrough_concurrency_cap_refuses_calls_over_it_fails() {
    let (upstream, gate) = start("", "").await;
    let yaml = format!(
        "endpoints:\n  - path: /proxy/mcp\n    timeout: 300\n    passthrough:\n      upstream: {}\n      max_concurrent_calls: 1\n",
        upstream.url("/mcp")
    );
    let proxy = Configured::builder(&yaml).start().await;
    let client = RawMcp::new(proxy.url("/proxy/mcp"));
    let session = client.open_session().await;
    let call = |id: u64, tool: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": tool, "arguments": {"text": "second"}}})
    };

    let first = {
        let client = RawMcp::new(proxy.url("/proxy/mcp"));
        let session = session.clone();
        let body = call(1, "hold");
        tokio::spawn(async move { json_of(client.post(Some(&session), &body).await).await })
    };
    gate.entered().await;

    let started = std::time::Instant::now();
    let refused = client.post(Some(&session), &call(2, "echo")).await;
    assert_eq!(refused.status(), 503);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited for a slot"
    );
    assert_eq!(refused.headers()["retry-after"], "1");
    let body: Value = refused.json().await.expect("a JSON-RPC error");
    assert_eq!(body["id"], 2, "{body}");
    assert_eq!(body["error"]["code"], -32001, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("busy")),
        "{body}"
    );

    // Not a call: not capped.
    let listed = client
        .post(
            Some(&session),
            &json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}),
        )
        .await;
    assert_eq!(listed.status(), 200);
    assert_eq!(json_of(listed).await["result"]["tools"][0]["name"], "hold");

    gate.release(1);
    let first = first.await.expect("the first call");
    assert_eq!(first["result"]["content"][0]["text"], "released", "{first}");
    let again = client.post(Some(&session), &call(4, "echo")).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        json_of(again).await["result"]["content"][0]["text"],
        "second"
    );
}
