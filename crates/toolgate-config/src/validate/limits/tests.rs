use crate::{Environment, load_str};

const TOOLSET: &str = "toolsets:\n  - name: t\n    tags: [t]\n    rust: {}\n";

/// Every problem of `endpoint_fields` (and `toolset_fields`) as `path: message`, warnings
/// included.
fn problems(endpoint_fields: &str, toolset_fields: &str) -> Vec<String> {
    let text = format!(
        "{TOOLSET}{toolset_fields}endpoints:\n  - path: /mcp\n    tags: [t]\n{endpoint_fields}"
    );
    let env = Environment::from_fn(|_| None, None);
    match load_str(&text, "t.yaml", &env) {
        Ok(loaded) => loaded
            .warnings
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
        Err(error) => error
            .problems()
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
    }
}

#[test]
fn rate_limits_with_windows_ok() {
    let found = problems(
        "    rate_limits:\n      per_consumer: {minute: 100}\n      per_tool:\n        echo: {second: 2, limit_by: endpoint}\n",
        "",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn rate_limit_without_window_fails() {
    let found = problems("    rate_limits:\n      per_consumer: {}\n", "");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("endpoints[0].rate_limits.per_consumer: limits nothing"));
}

#[test]
fn rate_limit_of_zero_fails() {
    let found = problems(
        "    rate_limits:\n      per_tool:\n        echo: {minute: 0}\n",
        "",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("endpoints[0].rate_limits.per_tool.echo.minute: must be at least 1")
    );
}

#[test]
fn rate_limit_for_a_name_no_tool_can_have_fails() {
    let found = problems(
        "    rate_limits:\n      per_tool:\n        \"get weather\": {minute: 5}\n",
        "",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("is not a tool name"), "{found:#?}");
}

#[test]
fn rate_limit_month_window_fails() {
    let found = problems("    rate_limits:\n      per_consumer: {month: 5}\n", "");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("month"), "{found:#?}");
}

#[test]
fn session_limits_ok() {
    let found = problems(
        "    sessions_idle_timeout: 10m\n    max_sessions: 500\n",
        "",
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn max_sessions_of_zero_fails() {
    let found = problems("    max_sessions: 0\n", "");
    assert_eq!(found, ["endpoints[0].max_sessions: must be at least 1"]);
}

#[test]
fn idle_timeout_of_zero_fails() {
    let found = problems("    sessions_idle_timeout: 0s\n", "");
    assert_eq!(
        found,
        ["endpoints[0].sessions_idle_timeout: must be longer than zero"]
    );
}

#[test]
fn idle_timeout_without_unit_fails() {
    let found = problems("    sessions_idle_timeout: \"30\"\n", "");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("needs a unit"), "{found:#?}");
}

#[test]
fn session_limits_on_a_stateless_endpoint_warn_ok() {
    let found = problems("    sessions: stateless\n    max_sessions: 10\n", "");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("no effect with `sessions: stateless`"));
}

#[test]
fn concurrency_cap_of_zero_fails() {
    let found = problems("", "    max_concurrent_calls: 0\n");
    assert_eq!(
        found,
        ["toolsets[0].max_concurrent_calls: must be at least 1"]
    );
}

#[test]
fn passthrough_concurrency_cap_of_zero_fails() {
    let text = "endpoints:\n  - path: /mcp\n    passthrough:\n      upstream: http://127.0.0.1:9/mcp\n      max_concurrent_calls: 0\n";
    let env = Environment::from_fn(|_| None, None);
    let error = load_str(text, "t.yaml", &env).expect_err("a cap of zero");
    let found: Vec<String> = error
        .problems()
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect();
    assert_eq!(
        found,
        ["endpoints[0].passthrough.max_concurrent_calls: must be at least 1"]
    );
}

#[test]
fn listener_timeouts_ok() {
    let env = Environment::from_fn(|_| None, None);
    let text = format!(
        "listeners:\n  - listen: 127.0.0.1:0\n    header_read_timeout: 10s\n    body_read_timeout: 30000\n{TOOLSET}endpoints:\n  - path: /mcp\n    tags: [t]\n"
    );
    let loaded = load_str(&text, "t.yaml", &env).expect("valid");
    let listener = &loaded.config.listeners[0];
    assert_eq!(
        listener.header_read_timeout.map(|d| d.get().as_secs()),
        Some(10)
    );
    assert_eq!(
        listener.body_read_timeout.map(|d| d.get().as_secs()),
        Some(30)
    );
}
