use serde_json::json;

use super::*;

fn parse(value: serde_json::Value) -> Result<RemoteConfig, serde_json::Error> {
    serde_json::from_value(value)
}

#[test]
fn streamable_http_defaults_ok() {
    let config = parse(json!({
        "name": "up",
        "transport": {"type": "streamable_http", "url": "http://127.0.0.1:1/mcp"}
    }))
    .expect("parses");
    assert_eq!(config.timeout_ms, DEFAULT_TIMEOUT_MS);
    assert_eq!(
        config.transport,
        RemoteTransport::streamable_http("http://127.0.0.1:1/mcp")
    );
}

#[test]
fn stdio_full_ok() {
    let config = parse(json!({
        "name": "up",
        "tags": ["a"],
        "prefix": "p",
        "include": ["get_*"],
        "exclude": ["get_secret"],
        "timeout_ms": 5,
        "transport": {"type": "stdio", "command": "node", "args": ["x"], "env": {"A": "1"}, "cwd": "/tmp"}
    }))
    .expect("parses");
    assert_eq!(config.prefix.as_deref(), Some("p"));
    assert!(matches!(config.transport, RemoteTransport::Stdio { ref cwd, .. } if cwd.is_some()));
}

#[test]
fn unknown_top_level_field_fails() {
    assert!(
        parse(json!({
            "name": "up", "prefixx": "p",
            "transport": {"type": "stdio", "command": "node"}
        }))
        .is_err()
    );
}

#[test]
fn unknown_transport_field_fails() {
    assert!(
        parse(json!({
            "name": "up",
            "transport": {"type": "stdio", "command": "node", "url": "http://x"}
        }))
        .is_err()
    );
}

#[test]
fn debug_hides_header_values() {
    let mut headers = BTreeMap::new();
    headers.insert("x-api-key".to_owned(), "s3cr3t".to_owned());
    let transport = RemoteTransport::StreamableHttp {
        url: "http://127.0.0.1:1/mcp".into(),
        headers,
        bearer_env: None,
        client_credentials: Some(ClientCredentials::new(
            "http://127.0.0.1:1/token",
            "gateway",
            "client-s3cr3t",
        )),
    };
    let debug = format!("{transport:?}");
    assert!(
        debug.contains("x-api-key") && !debug.contains("s3cr3t"),
        "{debug}"
    );
}
