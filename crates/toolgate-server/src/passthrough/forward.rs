//! The proxy itself: one request in, one upstream request out, the response streamed back
//! (rewritten only where it carries a `tools/list` result or answers merged into a batch).

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;
use toolgate_auth::{AuthError, Challenge, Identity};
use toolgate_tools::{AclPolicy, ConcurrencyLimit, Principal};
use tracing::Instrument;
use url::Url;

use super::{
    audit::{PendingCalls, observe_stream},
    jsonrpc::{self, Inspected, ListIds},
    sse,
};
use crate::{EndpointTelemetry, handler::principal_from};

/// Headers that describe one connection, never forwarded (RFC 9110 §7.6.1), plus those the
/// proxy sets itself.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// How the upstream request is authenticated.
#[derive(Debug)]
pub(super) enum UpstreamAuth {
    /// The client's `Authorization` goes upstream; without one, a challenge pointing at the
    /// gateway's PRM.
    UserToken { metadata_url: String },
    /// These headers replace the client's credentials.
    Replace(Vec<(HeaderName, HeaderValue)>),
}

/// Everything one endpoint's requests share.
#[derive(Debug)]
pub(super) struct Proxy {
    pub(super) upstream: Url,
    pub(super) client: reqwest::Client,
    pub(super) acl: AclPolicy,
    pub(super) auth: UpstreamAuth,
    /// API key headers, removed whatever the auth layer did.
    pub(super) stripped_headers: Vec<HeaderName>,
    pub(super) max_request_body_bytes: usize,
    pub(super) max_rewritten_body_bytes: usize,
    /// Host names (and ports) accepted in `Host`; `None` accepts any.
    pub(super) allowed_hosts: Option<Vec<AllowedHost>>,
    /// Audit events and metrics.
    pub(super) telemetry: Arc<EndpointTelemetry>,
    /// The upstream in events and metrics: its host (and port).
    pub(super) upstream_label: String,
    /// The cap on `tools/call` requests in flight upstream, if any: a POST carrying calls
    /// takes one slot per call and waits at most the cap's wait for them.
    pub(super) call_slots: Option<ConcurrencyLimit>,
}

/// What a call refused at the cap of `slots` is told.
fn busy_message(slots: &ConcurrencyLimit) -> String {
    format!(
        "The upstream MCP server is busy: {} calls are in flight and none finished within {} ms. Try again later.",
        slots.max(),
        slots.wait().as_millis()
    )
}

/// An entry of the `Host` allow-list: a host name, with or without a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AllowedHost {
    host: String,
    port: Option<u16>,
}

impl AllowedHost {
    /// `localhost`, `127.0.0.1:8000`, `[::1]`.
    pub(super) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(match http::uri::Authority::try_from(text) {
            Ok(authority) => Self {
                host: normalise_host(authority.host()),
                port: authority.port_u16(),
            },
            Err(_) => Self {
                host: normalise_host(text),
                port: None,
            },
        })
    }

    fn admits(&self, host: &str, port: Option<u16>) -> bool {
        self.host == host && self.port.is_none_or(|p| Some(p) == port)
    }
}

fn normalise_host(host: &str) -> String {
    host.trim_matches(['[', ']']).to_ascii_lowercase()
}

/// The caller: a principal a layer put in the extensions, else the auth layer's identity,
/// else anonymous.
fn principal_of(extensions: &http::Extensions) -> Principal {
    if let Some(principal) = extensions.get::<Arc<Principal>>() {
        return (**principal).clone();
    }
    extensions
        .get::<Arc<Identity>>()
        .map_or_else(Principal::anonymous, |identity| principal_from(identity))
}

pub(super) async fn handle(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let span = tracing::info_span!(
        "mcp.passthrough",
        http.method = %request.method(),
        mcp.session = request
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok()),
        upstream = %proxy.upstream,
        upstream.status = tracing::field::Empty,
    );
    let method = request.method().clone();
    let telemetry = Arc::clone(&proxy.telemetry);
    let response = proxy.serve(request).instrument(span).await;
    if let Some(metrics) = telemetry.metrics() {
        metrics.passthrough_request(
            telemetry.endpoint(),
            method.as_str(),
            response.status().as_u16(),
        );
    }
    response
}

impl Proxy {
    async fn serve(self: Arc<Self>, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        if !self.host_allowed(&parts) {
            tracing::warn!("request refused: Host header not allowed (possible DNS rebinding)");
            return (
                StatusCode::FORBIDDEN,
                "Forbidden: Host header is not allowed",
            )
                .into_response();
        }
        if !matches!(parts.method, Method::POST | Method::GET | Method::DELETE) {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "GET, POST, DELETE")],
            )
                .into_response();
        }
        if let UpstreamAuth::UserToken { metadata_url } = &self.auth
            && !parts.headers.contains_key(header::AUTHORIZATION)
        {
            return Challenge::new(metadata_url.clone(), Vec::new())
                .response(&AuthError::MissingToken);
        }
        let principal = principal_of(&parts.extensions);
        let mut inspected = Inspected {
            forward: None,
            answers: Vec::new(),
            list_ids: Vec::new(),
            request_ids: Vec::new(),
            batch: false,
            calls: Vec::new(),
        };
        let session = parts
            .headers
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let principal = Arc::new(principal);
        if parts.method == Method::POST {
            let Ok(bytes) = axum::body::to_bytes(body, self.max_request_body_bytes).await else {
                return (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    axum::Json(serde_json::json!({
                        "error": "payload_too_large",
                        "error_description": "The request body is too large."
                    })),
                )
                    .into_response();
            };
            inspected = match jsonrpc::inspect(bytes, &self.acl, &principal, self.upstream.as_str())
            {
                Ok(inspected) => inspected,
                Err(_) => {
                    let error =
                        jsonrpc::error_response(&Value::Null, jsonrpc::PARSE_ERROR, "Parse error");
                    return (StatusCode::BAD_REQUEST, axum::Json(error)).into_response();
                }
            };
        }
        let mut pending = PendingCalls::decide(
            &self.telemetry,
            &self.acl,
            &self.upstream_label,
            &principal,
            session.as_deref(),
            std::mem::take(&mut inspected.calls),
        );
        if parts.method == Method::POST && inspected.forward.is_none() {
            return local_answers(&inspected);
        }
        let slots = match &self.call_slots {
            Some(slots) if !pending.is_empty() => {
                let Some(permit) = slots.acquire(pending.len()).await else {
                    let message = busy_message(slots);
                    tracing::warn!(
                        max = slots.max(),
                        "calls refused: the upstream's cap on calls in flight is full"
                    );
                    pending.refuse_all(jsonrpc::UPSTREAM_BUSY, &message);
                    return busy(&inspected, &message);
                };
                Some(permit)
            }
            _ => None,
        };
        let mut upstream_request = self
            .client
            .request(parts.method.clone(), self.upstream_url(parts.uri.query()))
            .headers(self.upstream_headers(&parts.headers));
        if let Some(forward) = inspected.forward.take() {
            upstream_request = upstream_request.body(forward);
        }
        let response = match upstream_request.send().await {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(error = %error.without_url(), "upstream MCP server unreachable");
                pending.fail_all(None, Some(jsonrpc::UPSTREAM_UNREACHABLE));
                return unavailable(&inspected);
            }
        };
        tracing::Span::current().record("upstream.status", response.status().as_u16());
        let response = self
            .respond(&parts.method, response, inspected, principal, pending)
            .await;
        holding(response, slots)
    }

    /// The DNS-rebinding guard: the `Host` header (or the HTTP/2 authority) must be allowed.
    fn host_allowed(&self, parts: &http::request::Parts) -> bool {
        let Some(allowed) = &self.allowed_hosts else {
            return true;
        };
        let authority = match parts.headers.get(header::HOST) {
            Some(value) => value
                .to_str()
                .ok()
                .and_then(|v| http::uri::Authority::try_from(v).ok()),
            None => parts.uri.authority().cloned(),
        };
        let Some(authority) = authority else {
            return false;
        };
        let host = normalise_host(authority.host());
        allowed
            .iter()
            .any(|entry| entry.admits(&host, authority.port_u16()))
    }

    /// The upstream URL, with the client's query string when it has one.
    fn upstream_url(&self, query: Option<&str>) -> Url {
        let mut url = self.upstream.clone();
        if let Some(query) = query.filter(|q| !q.is_empty()) {
            let joined = match url.query() {
                Some(own) if !own.is_empty() => format!("{own}&{query}"),
                _ => query.to_owned(),
            };
            url.set_query(Some(&joined));
        }
        url
    }

    /// The client's end-to-end headers, without credentials unless the upstream identity
    /// is the client's own, plus the configured upstream identity.
    fn upstream_headers(&self, inbound: &HeaderMap) -> HeaderMap {
        let mut headers = end_to_end(inbound);
        for name in [header::HOST, header::CONTENT_LENGTH, header::COOKIE] {
            headers.remove(name);
        }
        // Bodies are relayed as they are: the proxy must be able to read tool lists.
        headers.remove(header::ACCEPT_ENCODING);
        for name in &self.stripped_headers {
            headers.remove(name);
        }
        match &self.auth {
            UpstreamAuth::UserToken { .. } => {}
            UpstreamAuth::Replace(fixed) => {
                headers.remove(header::AUTHORIZATION);
                for (name, value) in fixed {
                    headers.insert(name.clone(), value.clone());
                }
            }
        }
        headers
    }

    async fn respond(
        &self,
        method: &Method,
        response: reqwest::Response,
        inspected: Inspected,
        principal: Arc<Principal>,
        mut pending: PendingCalls,
    ) -> Response {
        let status = response.status();
        if !status.is_success() && !pending.is_empty() {
            pending.fail_all(Some(status.as_u16()), None);
        }
        let mut headers = end_to_end(response.headers());
        match &self.auth {
            UpstreamAuth::UserToken { metadata_url } => {
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                    rewrite_challenge(&mut headers, metadata_url, status);
                }
            }
            UpstreamAuth::Replace(_) => {
                if status == StatusCode::UNAUTHORIZED {
                    // The gateway's own credential was refused: the client can do nothing.
                    tracing::error!("the upstream refused the gateway's credential (401)");
                    pending.fail_all(Some(status.as_u16()), None);
                    return unavailable(&inspected);
                }
            }
        }
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let is_sse = content_type.starts_with("text/event-stream");
        let is_json = content_type.starts_with("application/json");
        let filter = if self.acl.is_open() {
            None
        } else if !inspected.list_ids.is_empty() {
            Some(ListIds::Seen(inspected.list_ids.clone()))
        } else if *method == Method::GET {
            Some(ListIds::Any)
        } else {
            None
        };
        let answers = inspected.answers;
        let observe = !pending.is_empty() && (is_sse || is_json);
        if answers.is_empty() && filter.is_none() && !observe {
            return relay(status, headers, response);
        }
        if answers.is_empty() && filter.is_none() && is_sse {
            let stream = observe_stream(response.bytes_stream(), pending, status.as_u16());
            return with_headers(status, headers, Body::from_stream(stream));
        }
        if headers.contains_key(header::CONTENT_ENCODING) && (is_sse || is_json) {
            tracing::error!("the upstream compressed a body the gateway must read");
            return bad_gateway_ids(&inspected.request_ids, &answers, inspected.batch);
        }
        headers.remove(header::CONTENT_LENGTH);
        if is_sse && status.is_success() {
            let prepend = answers.iter().map(sse::event_of).collect();
            let acl = self.acl.clone();
            let ids = filter.unwrap_or(ListIds::Seen(Vec::new()));
            let upstream = observe_stream(response.bytes_stream(), pending, status.as_u16());
            let stream =
                sse::rewrite_stream(Box::pin(upstream), prepend, move |message: &mut Value| {
                    jsonrpc::filter_tools(message, &ids, &acl, &principal)
                });
            return with_headers(status, headers, Body::from_stream(stream));
        }
        if is_json && status.is_success() {
            let Some(body) = read_limited(response, self.max_rewritten_body_bytes).await else {
                return bad_gateway_ids(&inspected.request_ids, &answers, inspected.batch);
            };
            // Clients skip a byte order mark before JSON (`Response.json()` does), so must this.
            let json = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
            let Ok(mut message) = serde_json::from_slice::<Value>(json) else {
                if filter.is_some() {
                    // A tools/list answer that cannot be filtered is not passed on.
                    tracing::error!(
                        "the upstream's tools/list answer is not JSON the gateway reads"
                    );
                    return bad_gateway_ids(&inspected.request_ids, &answers, inspected.batch);
                }
                return with_headers(status, headers, Body::from(body));
            };
            pending.observe(&message, status.as_u16());
            if answers.is_empty() && filter.is_none() {
                return with_headers(status, headers, Body::from(body));
            }
            if let Some(ids) = &filter {
                jsonrpc::filter_tools(&mut message, ids, &self.acl, &principal);
            }
            let merged = merge(message, answers);
            return with_headers(status, headers, Body::from(merged.to_string()));
        }
        if status.is_success() && !answers.is_empty() {
            // Only notifications and responses were forwarded (202): the answers are the body.
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return with_headers(
                StatusCode::OK,
                headers,
                Body::from(Value::Array(answers).to_string()),
            );
        }
        if !answers.is_empty() {
            tracing::warn!(%status, "upstream refused a batch; the gateway's answers are dropped");
        }
        relay(status, headers, response)
    }
}

/// The answers of a body answered entirely at the gateway.
fn local_answers(inspected: &Inspected) -> Response {
    match (inspected.batch, inspected.answers.as_slice()) {
        (_, []) => StatusCode::ACCEPTED.into_response(),
        (false, [answer]) => axum::Json(answer.clone()).into_response(),
        (_, answers) => axum::Json(Value::Array(answers.to_vec())).into_response(),
    }
}

/// 502 with a JSON-RPC error for every request forwarded.
fn unavailable(inspected: &Inspected) -> Response {
    bad_gateway_ids(&inspected.request_ids, &inspected.answers, inspected.batch)
}

/// 503 with `Retry-After` and a JSON-RPC error (`message`) for every request that would
/// have been forwarded, beside the gateway's own answers.
fn busy(inspected: &Inspected, message: &str) -> Response {
    let mut errors: Vec<Value> = inspected
        .request_ids
        .iter()
        .map(|id| jsonrpc::error_response(id, jsonrpc::UPSTREAM_BUSY, message))
        .collect();
    errors.extend(inspected.answers.iter().cloned());
    let body = match (inspected.batch, errors.len()) {
        (false, 1) => errors.pop().unwrap_or(Value::Null),
        _ => Value::Array(errors),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        axum::Json(body),
    )
        .into_response()
}

/// `response` with `permit` held until its body has been sent (or dropped): a streamed
/// answer keeps its call slots until the stream ends.
fn holding(response: Response, permit: Option<OwnedSemaphorePermit>) -> Response {
    let Some(permit) = permit else {
        return response;
    };
    response.map(|body| {
        let stream = body.into_data_stream().map(move |chunk| {
            let _held = &permit;
            chunk
        });
        Body::from_stream(stream)
    })
}

/// 502 with a JSON-RPC error for each of `ids`, beside the gateway's own `answers`.
fn bad_gateway_ids(ids: &[Value], answers: &[Value], batch: bool) -> Response {
    let mut errors: Vec<Value> = ids
        .iter()
        .map(|id| {
            jsonrpc::error_response(
                id,
                jsonrpc::UPSTREAM_UNREACHABLE,
                "The upstream MCP server is unavailable.",
            )
        })
        .collect();
    errors.extend(answers.iter().cloned());
    let body = match (batch, errors.len()) {
        (_, 0) => serde_json::json!({
            "error": "bad_gateway",
            "error_description": "The upstream MCP server is unavailable."
        }),
        (false, 1) => errors.pop().unwrap_or(Value::Null),
        _ => Value::Array(errors),
    };
    (StatusCode::BAD_GATEWAY, axum::Json(body)).into_response()
}

/// The upstream's answer with the gateway's answers added (a batch).
fn merge(message: Value, answers: Vec<Value>) -> Value {
    if answers.is_empty() {
        return message;
    }
    let mut all = match message {
        Value::Array(items) => items,
        other => vec![other],
    };
    all.extend(answers);
    Value::Array(all)
}

/// The upstream response as it is, body streamed.
fn relay(status: StatusCode, headers: HeaderMap, response: reqwest::Response) -> Response {
    let stream = response.bytes_stream().map_err(axum::Error::new);
    with_headers(status, headers, Body::from_stream(stream))
}

fn with_headers(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Reads a body up to `limit` bytes; `None` when larger or broken.
async fn read_limited(response: reqwest::Response, limit: usize) -> Option<Bytes> {
    let mut stream = response.bytes_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.ok()?;
        if body.len() + chunk.len() > limit {
            tracing::error!(limit, "upstream body too large to filter");
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(Bytes::from(body))
}

/// `headers` without hop-by-hop headers and those `Connection` names.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.as_str();
        if HOP_BY_HOP.contains(&lower) || named.iter().any(|n| n == lower) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// Points the upstream's challenge at the gateway's metadata, keeping its other parameters.
fn rewrite_challenge(headers: &mut HeaderMap, metadata_url: &str, status: StatusCode) {
    let ours = format!("resource_metadata=\"{metadata_url}\"");
    let value = match headers
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
    {
        Some(theirs) => match theirs.find("resource_metadata=\"") {
            Some(start) => {
                let rest = &theirs[start + "resource_metadata=\"".len()..];
                let end = rest.find('"').map_or(theirs.len(), |e| {
                    start + "resource_metadata=\"".len() + e + 1
                });
                format!("{}{ours}{}", &theirs[..start], &theirs[end..])
            }
            None if theirs.trim().eq_ignore_ascii_case("bearer") => format!("Bearer {ours}"),
            None if theirs.to_ascii_lowercase().starts_with("bearer ") => {
                format!("{theirs}, {ours}")
            }
            None => return,
        },
        None if status == StatusCode::UNAUTHORIZED => format!("Bearer {ours}"),
        None => return,
    };
    if let Ok(value) = HeaderValue::try_from(value) {
        headers.insert(header::WWW_AUTHENTICATE, value);
    }
}
