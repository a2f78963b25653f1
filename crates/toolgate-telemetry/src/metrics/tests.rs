use std::time::Duration;

use super::*;

#[test]
fn counters_render_with_labels_in_order_ok() {
    let metrics = Metrics::new();
    metrics.tool_call("weather", "forecast", Outcome::Ok, Duration::from_millis(3));
    metrics.tool_call(
        "weather",
        "forecast",
        Outcome::Ok,
        Duration::from_millis(30),
    );
    metrics.tool_call("weather", "search", Outcome::Denied, Duration::ZERO);
    metrics.auth_failure("weather", "expired");
    metrics.upstream_error("api.example.com", UpstreamErrorKind::Timeout);
    metrics.passthrough_request("github", "POST", 200);
    let text = metrics.render();
    for line in [
        "# TYPE toolgate_tool_calls_total counter",
        r#"toolgate_tool_calls_total{endpoint="weather",tool="forecast",outcome="ok"} 2"#,
        r#"toolgate_tool_calls_total{endpoint="weather",tool="search",outcome="denied"} 1"#,
        r#"toolgate_auth_failures_total{endpoint="weather",reason="expired"} 1"#,
        r#"toolgate_upstream_errors_total{upstream="api.example.com",kind="timeout"} 1"#,
        r#"toolgate_passthrough_requests_total{endpoint="github",method="POST",status="200"} 1"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
    assert_eq!(
        metrics.counter("toolgate_tool_calls_total", &["weather", "forecast", "ok"]),
        2
    );
}

#[test]
fn histogram_buckets_are_cumulative_ok() {
    let metrics = Metrics::new();
    metrics.tool_call("e", "t", Outcome::Ok, Duration::from_micros(400));
    metrics.tool_call("e", "t", Outcome::Ok, Duration::from_millis(20));
    metrics.tool_call("e", "t", Outcome::Ok, Duration::from_secs(60));
    let text = metrics.render();
    for line in [
        r#"toolgate_tool_call_duration_seconds_bucket{endpoint="e",le="0.0005"} 1"#,
        r#"toolgate_tool_call_duration_seconds_bucket{endpoint="e",le="0.01"} 1"#,
        r#"toolgate_tool_call_duration_seconds_bucket{endpoint="e",le="0.025"} 2"#,
        r#"toolgate_tool_call_duration_seconds_bucket{endpoint="e",le="10"} 2"#,
        r#"toolgate_tool_call_duration_seconds_bucket{endpoint="e",le="+Inf"} 3"#,
        r#"toolgate_tool_call_duration_seconds_count{endpoint="e"} 3"#,
        r#"toolgate_tool_call_duration_seconds_sum{endpoint="e"} 60.0204"#,
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
}

#[test]
fn label_values_are_escaped_ok() {
    let metrics = Metrics::new();
    metrics.auth_failure("a\"b\\c\nd", "x");
    assert!(
        metrics
            .render()
            .contains(r#"toolgate_auth_failures_total{endpoint="a\"b\\c\nd",reason="x"} 1"#)
    );
}

#[test]
fn too_many_label_sets_fold_into_other_ok() {
    let metrics = Metrics::new();
    for i in 0..MAX_SERIES + 5 {
        metrics.auth_failure("e", &format!("reason-{i}"));
    }
    assert_eq!(
        metrics.counter("toolgate_auth_failures_total", &[OVERFLOW, OVERFLOW]),
        5
    );
}

#[test]
fn sessions_are_read_at_render_and_replaced_per_endpoint_ok() {
    let metrics = Metrics::new();
    metrics.track_sessions("weather", || 3);
    metrics.track_sessions("weather", || 4);
    metrics.track_sessions("other", || 0);
    let text = metrics.render();
    assert!(text.contains("toolgate_active_sessions{endpoint=\"weather\"} 4\n"));
    assert!(text.contains("toolgate_active_sessions{endpoint=\"other\"} 0\n"));
    metrics.untrack_sessions("other");
    assert!(!metrics.render().contains("endpoint=\"other\""));
}

#[test]
fn clones_share_counters_ok() {
    let metrics = Metrics::new();
    let shared = metrics.clone();
    shared.jwt_cache("e", true);
    drop(shared);
    metrics.introspection_cache("e", false);
    assert_eq!(
        metrics.counter("toolgate_jwt_cache_total", &["e", "hit"]),
        1
    );
    assert_eq!(
        metrics.counter("toolgate_introspection_cache_total", &["e", "miss"]),
        1
    );
}
