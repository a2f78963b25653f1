//! Sessions and shutdown, from `toolgate.yaml`: the session cap, idle expiry, and a
//! shutdown that drains calls in flight.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Configured, Gate, McpClient, RawMcp, call, gated_toolset, json_of, text_of};

async fn start(endpoint_fields: &str, drain: Option<Duration>) -> (Configured, Gate) {
    let (toolset, gate) = gated_toolset("gated");
    let yaml = format!(
        "toolsets:\n  - name: gated\n    tags: [t]\n    rust: {{}}\n\
         endpoints:\n  - path: /mcp\n    tags: [t]\n{endpoint_fields}"
    );
    let mut builder = Configured::builder(&yaml).toolset(toolset);
    if let Some(drain) = drain {
        builder = builder.drain_timeout(drain);
    }
    (builder.start().await, gate)
}

async fn connect(url: String) -> McpClient {
    use rmcp::{ServiceExt, transport::StreamableHttpClientTransport};
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    ().serve(StreamableHttpClientTransport::from_uri(url))
        .await
        .expect("MCP handshake")
}

async fn ping(raw: &RawMcp, session: &str) -> u16 {
    raw.post(
        Some(session),
        &json!({"jsonrpc": "2.0", "id": 99, "method": "ping"}),
    )
    .await
    .status()
    .as_u16()
}

/// Opens the session's `GET` SSE stream and keeps it open (the response is returned).
async fn open_get_stream(url: &str, session: &str) -> reqwest::Response {
    let response = reqwest::Client::new()
        .get(url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", session)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .expect("GET answered");
    assert_eq!(response.status(), 200);
    response
}

#[tokio::test]
async fn graceful_shutdown_completes_a_call_in_flight() {
    let (mut gateway, gate) = start("", Some(Duration::from_secs(60))).await;
    let client = connect(gateway.url("/mcp")).await;
    // A second session idles on its GET stream: it must not hold the shutdown up.
    let raw = RawMcp::new(gateway.url("/mcp"));
    let idle = raw.open_session().await;
    let mut stream = open_get_stream(&gateway.url("/mcp"), &idle).await;
    let in_flight = tokio::spawn(async move {
        let result = call(&client, "hold", json!({})).await;
        (client, result)
    });
    gate.entered().await;

    gateway.shut_down();
    // New connections are refused while the call runs.
    let address = gateway.address();
    let mut refused = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the listener still accepts during the drain");
    // The idle GET stream ends.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the idle GET stream stays open while draining"
    );

    gate.release(1);
    let (_client, result) = in_flight.await.expect("joined");
    let result = result.expect("the call in flight gets its answer");
    assert_eq!(text_of(&result), "released");
    // Done well before the 60 s drain timeout: nothing else was waited for.
    gateway
        .stopped_within(Duration::from_secs(10))
        .await
        .expect("served");
}

#[tokio::test]
async fn the_drain_timeout_bounds_a_call_that_never_finishes() {
    let (mut gateway, gate) = start("", Some(Duration::from_millis(300))).await;
    let client = connect(gateway.url("/mcp")).await;
    let in_flight = tokio::spawn(async move { call(&client, "hold", json!({})).await.is_ok() });
    gate.entered().await;
    let started = tokio::time::Instant::now();
    gateway.shut_down();
    gateway
        .stopped_within(Duration::from_secs(10))
        .await
        .expect("served");
    assert!(started.elapsed() >= Duration::from_millis(300));
    // The client learns of the cut in its own time (it may retry its stream first).
    in_flight.abort();
}

#[tokio::test]
async fn the_session_cap_answers_503_with_retry_after_and_frees_on_close() {
    let (gateway, _gate) = start("    max_sessions: 2\n", None).await;
    let raw = RawMcp::new(gateway.url("/mcp"));
    let first = raw.open_session().await;
    let _second = raw.open_session().await;

    let refused = raw.initialize().await;
    assert_eq!(refused.status(), 503);
    let retry: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    // Both sessions are fresh: the soonest frees when one of them has idled 5 minutes.
    assert!((290..=300).contains(&retry), "{retry}");
    let body = json_of(refused).await;
    assert_eq!(body["id"], json!(0));

    // Sessions that exist are untouched.
    assert_eq!(ping(&raw, &first).await, 200);
    // Closing one makes room.
    let closed = reqwest::Client::new()
        .delete(gateway.url("/mcp"))
        .header("mcp-session-id", &first)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .expect("DELETE answered");
    assert!(closed.status().is_success());
    assert_eq!(raw.initialize().await.status(), 200);
}

/// Twenty `initialize`s sent at once against a cap of 3 open at most 3 sessions; every other
/// one gets 503, and each answer is one or the other. (Whether they overlap inside the
/// gateway depends on timing; the reservation that makes overlapping ones safe is checked
/// deterministically by the session store's unit tests.)
#[tokio::test]
async fn simultaneous_initializes_do_not_overshoot_the_cap_fails() {
    let (gateway, _gate) = start("    max_sessions: 3\n", None).await;
    let raw = RawMcp::new(gateway.url("/mcp"));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = RawMcp::new(gateway.url("/mcp"));
        tasks.spawn(async move { client.initialize().await.status().as_u16() });
    }
    let statuses = tasks.join_all().await;
    let opened = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 503).count();
    assert_eq!(opened + refused, 20, "only 200 and 503: {statuses:?}");
    assert!((1..=3).contains(&opened), "{opened} sessions opened");
    // The cap holds afterwards too.
    for _ in opened..3 {
        assert_eq!(raw.initialize().await.status(), 200);
    }
    assert_eq!(raw.initialize().await.status(), 503);
}

#[tokio::test]
async fn idle_sessions_expire_but_not_while_streaming_or_calling() {
    let (gateway, gate) = start("    sessions_idle_timeout: 300ms\n", None).await;
    let raw = RawMcp::new(gateway.url("/mcp"));
    let idle = raw.open_session().await;
    let listening = raw.open_session().await;
    let _stream = open_get_stream(&gateway.url("/mcp"), &listening).await;
    let calling = raw.open_session().await;
    let url = gateway.url("/mcp");
    let held = tokio::spawn(async move {
        let raw = RawMcp::new(url);
        json_of(raw.call(Some(&calling), 1, "hold").await).await
    });
    gate.entered().await;

    // Five idle timeouts pass.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    assert_eq!(ping(&raw, &idle).await, 404, "the idle session expired");
    assert_eq!(
        ping(&raw, &listening).await,
        200,
        "a GET stream keeps a session"
    );
    gate.release(1);
    let answer = held.await.expect("joined");
    assert_eq!(
        answer["result"]["content"][0]["text"], "released",
        "a call in flight keeps its session: {answer}"
    );
    // A client whose session expired starts a new one.
    assert_eq!(raw.initialize().await.status(), 200);
}
