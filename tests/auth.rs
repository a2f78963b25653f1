//! The OAuth 2.1 resource server (`toolgate-auth`) in front of the weather gateway, against the
//! in-process IdP: what is refused and how (status and `WWW-Authenticate`), discovery, key
//! rotation, outages, introspection, the Protected Resource Metadata, consumers, API keys,
//! claim headers and session binding.
//!
//! Raw reqwest requests check the HTTP level; the rmcp client checks that a real MCP client
//! gets through with a token.

mod consumers;
mod idp_flows;
mod prm;
mod rejections;
mod scopes;

use std::collections::BTreeMap;

use reqwest::{Client, RequestBuilder, StatusCode, header::HeaderMap};
use serde_json::{Value, json};
use toolgate_auth::ResourceServerConfig;
use url::Url;

use crate::harness::Gateway;

/// Scopes the scoped configurations require, in the order challenges name them.
const REQUIRED_SCOPES: [&str; 2] = ["mcp:tools", "weather:read"];

/// A plain HTTP client (reqwest wants the process-wide TLS provider installed first).
fn http() -> Client {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    Client::new()
}

/// Seconds since the epoch.
fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).expect("a sane clock")
}

/// Trusts the IdP at `issuer` by its issuer alone: JWKS and introspection endpoint come
/// from discovery.
fn discovered(resource: &Url, issuer: &str) -> ResourceServerConfig {
    ResourceServerConfig::new(resource.clone(), vec![issuer.parse().expect("issuer URL")])
}

/// The PRM URL a challenge must name for the weather endpoint of `gateway`, written out
/// here rather than taken from the code under test.
fn prm_url(gateway: &Gateway) -> String {
    format!(
        "http://{}/.well-known/oauth-protected-resource/weather/mcp",
        gateway.address()
    )
}

/// A POST to the MCP endpoint at `url` accepting both JSON and SSE.
fn post_mcp(http: &Client, url: &str) -> RequestBuilder {
    http.post(url)
        .header("accept", "application/json, text/event-stream")
}

/// `tools/call realtime-api {query_q: London}` as a stateless 2026-07-28 request: whatever
/// gets past the resource server reaches the upstream.
fn realtime_call(http: &Client, url: &str) -> RequestBuilder {
    tool_call(http, url, "realtime-api", &json!({"query_q": "London"}))
}

/// `realtime_call` with `Authorization: Bearer <token>`, read to the end.
async fn call_with_token(http: &Client, gateway: &Gateway, token: &str) -> Reply {
    Reply::of(realtime_call(http, &gateway.url()).bearer_auth(token)).await
}

/// `tools/call <name>` as a stateless 2026-07-28 request (no `initialize` needed).
fn tool_call(http: &Client, url: &str, name: &str, arguments: &Value) -> RequestBuilder {
    post_mcp(http, url)
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", name)
        .json(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {
                "name": name,
                "arguments": arguments,
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {},
                    "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
                }
            }
        }))
}

/// `initialize` (2025-11-25): a session is opened when it gets through.
fn initialize(http: &Client, url: &str) -> RequestBuilder {
    post_mcp(http, url).json(&json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "0"}}
    }))
}

/// A response read to the end.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    /// Sends `request` and reads the answer.
    async fn of(request: RequestBuilder) -> Self {
        Self::read(request.send().await.expect("request reaches the gateway")).await
    }

    async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Self {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The single `WWW-Authenticate` challenge, parsed (`None` when there is none).
    fn challenge(&self) -> Option<BTreeMap<String, String>> {
        let values: Vec<_> = self.headers.get_all("www-authenticate").iter().collect();
        match values.as_slice() {
            [] => None,
            [one] => {
                let text = one.to_str().expect("challenge is text");
                Some(parse_bearer_challenge(text).unwrap_or_else(|| {
                    panic!("malformed challenge: {text}");
                }))
            }
            many => panic!("{} WWW-Authenticate headers", many.len()),
        }
    }

    /// The JSON-RPC `result` of a JSON or SSE body.
    fn result(&self) -> Option<Value> {
        let json = |text: &str| serde_json::from_str::<Value>(text).ok();
        std::iter::once(json(&self.body))
            .chain(
                self.body
                    .lines()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(|data| json(data.trim())),
            )
            .flatten()
            .find_map(|message| message.get("result").cloned())
    }

    /// The text of the first content block of a tool result.
    fn tool_text(&self) -> String {
        let result = self
            .result()
            .unwrap_or_else(|| panic!("no JSON-RPC result ({}): {}", self.status, self.body));
        result["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("no text content: {result}"))
            .to_owned()
    }

    /// The `error` field of a JSON body.
    fn error_code(&self) -> Option<String> {
        serde_json::from_str::<Value>(&self.body)
            .ok()?
            .get("error")?
            .as_str()
            .map(str::to_owned)
    }
}

/// `Bearer k1="v1", k2="v2"` → `{k1: v1, k2: v2}`; `None` unless it is exactly that shape
/// (our values hold no quotes or backslashes).
fn parse_bearer_challenge(text: &str) -> Option<BTreeMap<String, String>> {
    let mut rest = text.strip_prefix("Bearer ")?;
    let mut params = BTreeMap::new();
    loop {
        let (name, after) = rest.split_once("=\"")?;
        let (value, after) = after.split_once('"')?;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return None;
        }
        if params.insert(name.to_owned(), value.to_owned()).is_some() {
            return None;
        }
        if after.is_empty() {
            return Some(params);
        }
        rest = after.strip_prefix(", ")?;
    }
}

/// A challenge's parameters from `(name, value)` pairs.
fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn challenge_parser_reads_params_and_refuses_junk_ok() {
    assert_eq!(
        parse_bearer_challenge(r#"Bearer resource_metadata="http://x/y", error="invalid_token""#),
        Some(params(&[
            ("resource_metadata", "http://x/y"),
            ("error", "invalid_token")
        ]))
    );
    assert_eq!(parse_bearer_challenge(r#"Basic realm="x""#), None);
    assert_eq!(parse_bearer_challenge(r#"Bearer a="1" b="2""#), None);
    assert_eq!(parse_bearer_challenge(r#"Bearer a="1", a="2""#), None);
}
