use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{Router, body::Body, extract::ConnectInfo, routing::post};
use http::{Request, StatusCode};
use serde_json::{Value, json};
use toolgate_tools::Principal;
use tower::ServiceExt as _;

use super::{LimitBy, Limiters, Quota, RateLimits, caller_key, network_of, retry_after_secs};

fn router(limits: RateLimits) -> Router {
    Router::new().route("/mcp", post(|| async { "ok" })).layer(
        axum::middleware::from_fn_with_state(Limiters::new(limits, 1024), super::enforce),
    )
}

fn call(tool: &str, id: u64, from: [u8; 4]) -> Request<Body> {
    let body =
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool}});
    let mut request = Request::post("/mcp")
        .body(Body::from(body.to_string()))
        .expect("request");
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((from, 40000))));
    request
}

async fn status_of(router: &Router, request: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, retry, body)
}

#[tokio::test]
async fn per_consumer_limit_answers_429_with_retry_after() {
    let router = router(RateLimits::new().with_per_consumer(Quota::new().per_minute(2)));
    for id in 0..2 {
        let (status, _, _) = status_of(&router, call("any", id, [10, 0, 0, 1])).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, retry, body) = status_of(&router, call("any", 9, [10, 0, 0, 1])).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("30"));
    assert_eq!(body["id"], json!(9));
    assert_eq!(body["error"]["code"], json!(-32000));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("2 per minute")),
        "{body}"
    );
    // Another address has its own allowance.
    let (status, _, _) = status_of(&router, call("any", 1, [10, 0, 0, 2])).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn per_tool_limit_counts_only_that_tool() {
    let router =
        router(RateLimits::new().with_tool("slow", Quota::new().per_hour(1), LimitBy::Consumer));
    let from = [10, 0, 0, 1];
    assert_eq!(
        status_of(&router, call("slow", 1, from)).await.0,
        StatusCode::OK
    );
    let (status, retry, body) = status_of(&router, call("slow", 2, from)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("3600"));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`slow`")),
        "{body}"
    );
    for id in 3..10 {
        assert_eq!(
            status_of(&router, call("fast", id, from)).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn endpoint_wide_tool_limit_is_shared_by_every_caller() {
    let router = router(RateLimits::new().with_tool(
        "shared",
        Quota::new().per_minute(1),
        LimitBy::Endpoint,
    ));
    assert_eq!(
        status_of(&router, call("shared", 1, [10, 0, 0, 1])).await.0,
        StatusCode::OK
    );
    assert_eq!(
        status_of(&router, call("shared", 2, [10, 0, 0, 2])).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_batch_counts_each_call() {
    let router =
        router(RateLimits::new().with_tool("t", Quota::new().per_minute(1), LimitBy::Consumer));
    let body = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "t"}},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "t"}}
    ]);
    let request = Request::post("/mcp")
        .body(Body::from(body.to_string()))
        .expect("request");
    let (status, _, body) = status_of(&router, request).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["id"], json!(2));
}

#[tokio::test]
async fn get_and_delete_are_not_counted() {
    let router = Router::new()
        .route("/mcp", axum::routing::any(|| async { "ok" }))
        .layer(axum::middleware::from_fn_with_state(
            Limiters::new(
                RateLimits::new().with_per_consumer(Quota::new().per_day(1)),
                1024,
            ),
            super::enforce,
        ));
    for _ in 0..3 {
        let request = Request::get("/mcp").body(Body::empty()).expect("request");
        assert_eq!(status_of(&router, request).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn oversized_bodies_get_413_before_any_parsing() {
    let router =
        router(RateLimits::new().with_tool("t", Quota::new().per_minute(1), LimitBy::Consumer));
    let request = Request::post("/mcp")
        .body(Body::from(vec![b' '; 2048]))
        .expect("request");
    assert_eq!(
        status_of(&router, request).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[test]
fn the_consumer_names_the_caller_before_the_subject_and_the_address() {
    let mut extensions = http::Extensions::new();
    extensions.insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 1))));
    assert_eq!(caller_key(&extensions), "address:192.0.2.7");
    extensions.insert(Arc::new(Principal::anonymous().with_subject("u-1")));
    assert_eq!(caller_key(&extensions), "subject:u-1");
    extensions.insert(Arc::new(
        Principal::anonymous()
            .with_subject("u-1")
            .with_consumer("alice"),
    ));
    assert_eq!(caller_key(&extensions), "consumer:alice");
}

#[test]
fn ipv6_callers_are_counted_by_their_64_bit_prefix() {
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
    let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
    assert_eq!(network_of(a), network_of(b));
    let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
    assert_eq!(network_of(mapped).to_string(), "192.0.2.1");
}

#[test]
fn retry_after_rounds_up_to_whole_seconds() {
    assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
    assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
    assert_eq!(retry_after_secs(Duration::from_secs(30)), 30);
}
