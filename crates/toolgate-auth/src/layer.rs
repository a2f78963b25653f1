//! [`AuthLayer`]: the resource server in front of an HTTP service.

use std::{
    sync::Arc,
    task::{Context, Poll},
};

use axum::{
    body::Body,
    response::{IntoResponse, Response},
};
use futures::future::BoxFuture;
use http::{Method, Request, header};

use crate::{AuthError, ResourceServer};

/// The MCP session header.
const SESSION_HEADER: &str = "mcp-session-id";

/// Authenticates every request before the inner service sees it.
#[derive(Clone, Debug)]
pub struct AuthLayer {
    server: Arc<ResourceServer>,
}

impl AuthLayer {
    /// The layer of `server`.
    #[must_use]
    pub fn new(server: Arc<ResourceServer>) -> Self {
        Self { server }
    }
}

impl<S> tower::Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            server: Arc::clone(&self.server),
        }
    }
}

/// The service [`AuthLayer`] builds.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    server: Arc<ResourceServer>,
}

impl<S> tower::Service<Request<Body>> for AuthService<S>
where
    S: tower::Service<Request<Body>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let server = Arc::clone(&self.server);
        Box::pin(async move {
            // CORS preflights carry no credentials by design.
            if request.method() == Method::OPTIONS {
                return inner.call(request).await;
            }
            let (mut parts, body) = request.into_parts();
            let identity = match server.authenticate(&parts).await {
                Ok(identity) => identity,
                Err(error) => {
                    log_refusal(&server, &parts, &error);
                    return Ok(server.challenge().response(&error));
                }
            };
            let body = if server.config().tool_scopes.is_empty() || parts.method != Method::POST {
                body
            } else {
                match step_up(&server, &identity, body).await {
                    Ok(body) => body,
                    Err(error) => {
                        log_refusal(&server, &parts, &error);
                        return Ok(server.challenge().response(&error));
                    }
                }
            };
            let owner = identity.owner_key();
            let session = parts
                .headers
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if let Some(session) = &session {
                match server.sessions.owner(session) {
                    Some(opener) if opener != owner => {
                        let error = AuthError::Forbidden(
                            "the session belongs to another caller".to_owned(),
                        );
                        log_refusal(&server, &parts, &error);
                        return Ok(server.challenge().response(&error));
                    }
                    Some(_) => {}
                    None => {
                        // Not opened through this server (or forgotten): a session id is no
                        // credential, so the caller must open a session of its own. 404 is
                        // what tells an MCP client to send a new `initialize`.
                        tracing::debug!(path = %parts.uri.path(), "request refused: unknown session");
                        return Ok(
                            (http::StatusCode::NOT_FOUND, "Not Found: Session not found")
                                .into_response(),
                        );
                    }
                }
            }
            if !server.config().passthrough_credentials {
                parts.headers.remove(header::AUTHORIZATION);
            }
            if let Some(keys) = &server.config().api_keys {
                for name in &keys.header_names {
                    parts.headers.remove(name.as_str());
                }
            }
            tracing::debug!(
                consumer = identity.consumer.as_deref(),
                subject = identity.subject.as_deref(),
                "request authenticated"
            );
            let method = parts.method.clone();
            parts.extensions.insert(Arc::new(identity));
            let response = inner.call(Request::from_parts(parts, body)).await?;
            match &session {
                None => {
                    if let Some(opened) = response
                        .headers()
                        .get(SESSION_HEADER)
                        .and_then(|v| v.to_str().ok())
                    {
                        server.sessions.record(opened, owner);
                    }
                }
                Some(session) if method == Method::DELETE && response.status().is_success() => {
                    server.sessions.forget(session);
                }
                Some(_) => {}
            }
            Ok(response)
        })
    }
}

/// Reads a POST body and refuses a `tools/call` (alone or in a batch) of a tool whose scopes
/// the caller lacks: 403 `insufficient_scope` naming every scope that call needs, so the client
/// can ask for them. Returns the body to pass on.
async fn step_up(
    server: &ResourceServer,
    identity: &crate::Identity,
    body: Body,
) -> Result<Body, AuthError> {
    let limit = server.config().max_inspected_body_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        AuthError::InvalidRequest(format!("request body larger than {limit} bytes"))
    })?;
    if let Ok(message) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        let calls: Vec<&serde_json::Value> = match &message {
            serde_json::Value::Array(batch) => batch.iter().collect(),
            single => vec![single],
        };
        for call in calls {
            if call.get("method").and_then(serde_json::Value::as_str) != Some("tools/call") {
                continue;
            }
            let Some(tool) = call
                .pointer("/params/name")
                .and_then(serde_json::Value::as_str)
            else {
                continue;
            };
            if let Some(needed) = server.config().tool_scopes.get(tool)
                && needed.iter().any(|scope| !identity.has_scope(scope))
            {
                let mut required = server.config().required_scopes.clone();
                required.extend(
                    needed
                        .iter()
                        .filter(|s| !required.contains(s))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
                return Err(AuthError::InsufficientScope { required });
            }
        }
    }
    Ok(Body::from(bytes))
}

fn log_refusal(server: &ResourceServer, parts: &http::request::Parts, error: &AuthError) {
    server.count_refusal(error);
    match error {
        AuthError::Unavailable(_) => {
            tracing::error!(path = %parts.uri.path(), %error, "request refused");
        }
        AuthError::MissingToken => {
            tracing::debug!(path = %parts.uri.path(), %error, "request refused");
        }
        _ => tracing::warn!(path = %parts.uri.path(), %error, "request refused"),
    }
}
