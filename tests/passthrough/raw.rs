//! A hand-driven MCP client: crafted JSON-RPC over plain HTTP, as a misbehaving client would
//! send it, with the 2025-11-25 handshake and a session.

use http::{HeaderMap, HeaderName, HeaderValue, header};
use serde_json::{Value, json};

/// One session against an MCP endpoint.
pub(super) struct RawClient {
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
}

impl RawClient {
    /// Initializes a session at `url`, sending `extra` headers on every request.
    pub(super) async fn open(url: &str, extra: &[(&str, &str)]) -> Self {
        toolgate_rest::UpstreamClient::new().expect("tls provider");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in extra {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        let mut client = Self {
            http: reqwest::Client::new(),
            url: url.to_owned(),
            headers,
        };
        let response = client
            .post(
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "0"}
                }}),
            )
            .await;
        assert!(
            response.status().is_success(),
            "initialize: {}",
            response.status()
        );
        let session = response
            .headers()
            .get("mcp-session-id")
            .cloned()
            .expect("a session id");
        let _ = messages(response).await;
        client.headers.insert("mcp-session-id", session);
        client.headers.insert(
            "mcp-protocol-version",
            HeaderValue::from_static("2025-11-25"),
        );
        let response = client
            .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        assert!(
            response.status().is_success(),
            "initialized: {}",
            response.status()
        );
        client
    }

    /// Sends one body.
    pub(super) async fn post(&self, body: &Value) -> reqwest::Response {
        self.http
            .post(&self.url)
            .headers(self.headers.clone())
            .body(body.to_string())
            .send()
            .await
            .expect("request sent")
    }

    /// Sends a request and returns the response with its id.
    pub(super) async fn rpc(&self, body: Value) -> Value {
        let id = body["id"].clone();
        let response = self.post(&body).await;
        messages(response)
            .await
            .into_iter()
            .find(|m| m.get("id") == Some(&id) && m.get("method").is_none())
            .expect("a response with the request's id")
    }
}

/// The JSON-RPC messages of a JSON or SSE response body.
pub(super) async fn messages(response: reqwest::Response) -> Vec<Value> {
    let sse = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let text = response.text().await.expect("body");
    if !sse {
        return match serde_json::from_str(&text) {
            Ok(Value::Array(items)) => items,
            Ok(value) => vec![value],
            Err(_) => Vec::new(),
        };
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim_start()).ok())
        .collect()
}
