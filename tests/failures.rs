//! Bad arguments, bad upstreams and bad definitions: each gets a precise answer, and no
//! refused call reaches the upstream.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;
use toolgate_rest::{RestToolsetSpec, UpstreamClient, build_toolset};
use toolgate_tools::ToolRegistry;

use crate::harness::{Gateway, RestUpstream, call, connect, error_of, text_of, weather_binary};

#[tokio::test]
async fn missing_required_argument_is_invalid_params_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let error = error_of(call(&client, "forecast-api", json!({"query_q": "London"})).await);
    assert_eq!(error.code.0, -32602);
    assert!(
        error
            .message
            .contains("missing required argument 'query_days'"),
        "{}",
        error.message
    );
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn enum_violation_names_argument_and_rule_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let error = error_of(
        call(
            &client,
            "forecast-api",
            json!({"query_q": "London", "query_days": 9}),
        )
        .await,
    );
    assert_eq!(error.code.0, -32602);
    assert!(
        error.message.contains("argument 'query_days'"),
        "{}",
        error.message
    );
    assert!(error.message.contains("rule: enum"), "{}", error.message);
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn wrong_type_and_unknown_argument_fail() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let error = error_of(call(&client, "realtime-api", json!({"query_q": 42})).await);
    assert_eq!(error.code.0, -32602);
    assert!(error.message.contains("rule: type"), "{}", error.message);
    let error = error_of(
        call(
            &client,
            "realtime-api",
            json!({"query_q": "x", "query_key": "mine"}),
        )
        .await,
    );
    assert_eq!(error.code.0, -32602);
    assert!(
        error.message.contains("unknown argument(s): query_key"),
        "{}",
        error.message
    );
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn unknown_tool_is_invalid_params_naming_it_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let error = error_of(call(&client, "Realtime API", json!({"query_q": "London"})).await);
    assert_eq!(error.code.0, -32602);
    assert!(
        error.message.contains("'Realtime API'"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn upstream_500_is_error_result_with_status_fails() {
    let upstream = RestUpstream::failing(StatusCode::INTERNAL_SERVER_ERROR).await;
    let gateway = Gateway::builder().upstream(&upstream).start().await;
    let client = connect(&gateway).await;
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("an upstream failure is a result, not a protocol error");
    assert_eq!(result.is_error, Some(true));
    let text = text_of(&result);
    assert!(text.contains("HTTP 500 Internal Server Error"), "{text}");
    assert!(text.contains("upstream exploded"), "{text}");
    assert!(
        !text.contains("test-key"),
        "the key leaked into the result: {text}"
    );
}

#[tokio::test]
async fn upstream_that_never_answers_times_out_as_error_result_fails() {
    let upstream = RestUpstream::hanging().await;
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .timeout(Duration::from_millis(300))
        .start()
        .await;
    let client = connect(&gateway).await;
    let started = Instant::now();
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("a timeout is a result");
    let elapsed = started.elapsed();
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("did not answer within 300 ms"),
        "{}",
        text_of(&result)
    );
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(upstream.received().len(), 1);
}

#[tokio::test]
async fn unreachable_upstream_is_plain_language_error_result_fails() {
    // A port that was just free: bound, then released.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let gateway = Gateway::builder()
        .upstream_url(format!("http://{address}/v1").parse().expect("url"))
        .start()
        .await;
    let client = connect(&gateway).await;
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("a connect failure is a result");
    assert_eq!(result.is_error, Some(true));
    let text = text_of(&result);
    assert!(text.contains("Could not connect to the upstream"), "{text}");
    assert!(!text.contains("test-key"), "{text}");
}

#[tokio::test]
async fn missing_api_key_answers_hint_without_calling_upstream_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .without_api_key()
        .start()
        .await;
    let client = connect(&gateway).await;
    assert_eq!(client.list_all_tools().await.expect("tools/list").len(), 5);
    let result = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("result");
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("WEATHERAPI_API_KEY"),
        "{}",
        text_of(&result)
    );
    assert!(upstream.received().is_empty());
}

const ITEM_TOOLS: &str = r"
name: items
tags: [test-tools]
base_url: http://placeholder.invalid
tools:
  - name: get-item
    description: Gets one item.
    path: /items/{id}
    headers:
      X-Api-Key: [fixed-secret]
    parameters:
      - {name: id, in: path, type: string}
      - {name: X-Trace, in: header, type: string}
";

#[tokio::test]
async fn path_argument_stays_one_segment_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .rest_spec(ITEM_TOOLS)
        .start()
        .await;
    let client = connect(&gateway).await;
    let result = call(&client, "get-item", json!({"path_id": "../admin?x=1#frag"}))
        .await
        .expect("result");
    // The sample upstream has no /items: what matters is where the request went.
    assert_eq!(result.is_error, Some(true));
    let received = upstream.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].path, "/v1/items/..%2Fadmin%3Fx%3D1%23frag");
    assert_eq!(received[0].query, None);
    assert_eq!(received[0].headers["x-api-key"], "fixed-secret");
}

#[tokio::test]
async fn dot_dot_path_argument_is_refused_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .rest_spec(ITEM_TOOLS)
        .start()
        .await;
    let client = connect(&gateway).await;
    let error = error_of(call(&client, "get-item", json!({"path_id": ".."})).await);
    assert_eq!(error.code.0, -32602);
    assert!(
        error.message.contains("argument 'path_id'"),
        "{}",
        error.message
    );
    assert!(upstream.received().is_empty());
}

#[tokio::test]
async fn crlf_in_header_argument_is_refused_fails() {
    let upstream = RestUpstream::start().await;
    let gateway = Gateway::builder()
        .upstream(&upstream)
        .rest_spec(ITEM_TOOLS)
        .start()
        .await;
    let client = connect(&gateway).await;
    let error = error_of(
        call(
            &client,
            "get-item",
            json!({"path_id": "1", "header_x_trace": "abc\r\nX-Evil: yes"}),
        )
        .await,
    );
    assert_eq!(error.code.0, -32602);
    assert!(
        error.message.contains("argument 'header_x_trace'"),
        "{}",
        error.message
    );
    assert!(error.message.contains("CR or LF"), "{}", error.message);
    assert!(upstream.received().is_empty());

    call(
        &client,
        "get-item",
        json!({"path_id": "1", "header_x_trace": "abc"}),
    )
    .await
    .expect("a clean header goes through");
    assert_eq!(upstream.received()[0].headers["x-trace"], "abc");
}

#[test]
fn duplicate_tool_names_in_one_endpoint_fail_at_start_up() {
    let client = UpstreamClient::new().expect("client");
    let spec = |name: &str| {
        RestToolsetSpec::from_yaml(
            &format!(
                "name: {name}\ntags: [shared]\nbase_url: http://127.0.0.1:9\ntools:\n  - name: lookup\n    description: Looks up.\n    path: /lookup\n"
            ),
            name,
        )
        .expect("spec")
    };
    let mut registry = ToolRegistry::new();
    registry.add(build_toolset(&spec("first-api"), &client).expect("toolset"));
    registry.add(build_toolset(&spec("second-api"), &client).expect("toolset"));
    let error = registry
        .catalog_for_tags(&["shared"])
        .expect_err("collision");
    let message = error.to_string();
    assert!(message.contains("'lookup'"), "{message}");
    assert!(
        message.contains("'first-api'") && message.contains("'second-api'"),
        "{message}"
    );
}

#[test]
fn invalid_tools_file_stops_the_binary_with_field_path_fails() {
    let dir = std::env::temp_dir().join(format!("toolgate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad-tools.yaml");
    std::fs::write(
        &file,
        "name: bad\ntags: [weather-tools]\nbase_url: http://127.0.0.1:9\ntools:\n  - name: a\n    description: A.\n    path: /a\n    parameters:\n      - {name: q, in: body}\n",
    )
    .expect("write");
    let output = std::process::Command::new(weather_binary())
        .args(["--stdio", "--tools"])
        .arg(&file)
        .env("WEATHERAPI_API_KEY", "k")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run weather");
    std::fs::remove_dir_all(&dir).ok();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tools[0].parameters[0].in"), "{stderr}");
    assert!(stderr.contains("body"), "{stderr}");
}
