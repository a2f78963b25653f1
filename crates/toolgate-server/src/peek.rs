//! A look at a JSON-RPC body before the MCP service reads it: the method, the tool a
//! `tools/call` names, and the id, for the limits that answer before a request reaches a
//! session (rate limits, the session cap).

use std::borrow::Cow;

use axum::{
    body::{Body, Bytes},
    extract::Request,
    response::{IntoResponse, Response},
};
use http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

/// One message of a body, as far as the limits care.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Peeked {
    /// `method`, for requests and notifications.
    pub(crate) method: Option<String>,
    /// `params.name` of a `tools/call`.
    pub(crate) tool: Option<String>,
    /// `id` (`null` when absent).
    pub(crate) id: Value,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(default)]
    id: Value,
    #[serde(borrow, default)]
    params: Option<Params<'a>>,
}

#[derive(Deserialize)]
struct Params<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
}

impl From<Envelope<'_>> for Peeked {
    fn from(envelope: Envelope<'_>) -> Self {
        let method = envelope.method.map(Cow::into_owned);
        let tool = if method.as_deref() == Some("tools/call") {
            envelope.params.and_then(|p| p.name).map(Cow::into_owned)
        } else {
            None
        };
        Self {
            method,
            tool,
            id: envelope.id,
        }
    }
}

/// The messages of `body` (one, or the members of a batch); empty when it is not JSON-RPC
/// (the MCP service then answers it).
///
/// Fields are read the way a [`Value`] reads them — the last of repeated keys wins — so a
/// body cannot name one tool here and another to the service behind.
pub(crate) fn peek(body: &[u8]) -> Vec<Peeked> {
    let batch = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[');
    let fast = if batch {
        serde_json::from_slice::<Vec<Envelope<'_>>>(body)
            .map(|all| all.into_iter().map(Peeked::from).collect())
    } else {
        serde_json::from_slice::<Envelope<'_>>(body).map(|one| vec![Peeked::from(one)])
    };
    if let Ok(peeked) = fast {
        return peeked;
    }
    // Repeated keys (which derived structs refuse) or strings with escapes: read it whole.
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items.iter().map(from_value).collect(),
        Ok(value) => vec![from_value(&value)],
        Err(_) => Vec::new(),
    }
}

fn from_value(value: &Value) -> Peeked {
    let method = value
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let tool = if method.as_deref() == Some("tools/call") {
        value
            .get("params")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    } else {
        None
    };
    Peeked {
        method,
        tool,
        id: value.get("id").cloned().unwrap_or(Value::Null),
    }
}

/// Reads a request's body (at most `limit` bytes) so it can be looked at, and gives back a
/// request carrying the same bytes. `Err` is the answer to send instead: 413 for a body
/// over the limit, as the MCP service would answer it.
pub(crate) async fn buffer(request: Request, limit: usize) -> Result<(Request, Bytes), Response> {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok((Request::from_parts(parts, Body::from(bytes.clone())), bytes)),
        Err(_) => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Payload Too Large: request body exceeds {limit} bytes"),
        )
            .into_response()),
    }
}

/// A JSON-RPC error answer for `id`.
pub(crate) fn error_body(id: &Value, code: i64, message: &str) -> String {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
}

#[cfg(test)]
mod tests;
