//! An MCP endpoint over streamable HTTP, as an axum router.

use std::{sync::Arc, time::Duration};

use axum::Router;
use rmcp::transport::{
    StreamableHttpServerConfig, StreamableHttpService,
    streamable_http_server::session::never::NeverSessionManager,
};
use tokio_util::sync::CancellationToken;
use toolgate_auth::{AuthLayer, ResourceServer, prm_router_with_root};

use crate::{
    RateLimits, ToolServer,
    rate_limit::{self, Limiters},
    session::{self, SessionStore},
};

/// Host names accepted by default: loopback only, the DNS-rebinding guard for local servers.
pub const DEFAULT_ALLOWED_HOSTS: &[&str] = &["localhost", "127.0.0.1", "::1", "[::1]"];

/// Whether the endpoint keeps sessions for clients that negotiate 2025-11-25 or older.
/// 2026-07-28 requests are always served statelessly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionMode {
    /// `initialize` opens a session with an `Mcp-Session-Id`; GET opens its SSE stream.
    #[default]
    Sessions,
    /// Every request stands alone.
    Stateless,
}

/// An MCP endpoint at a path, ready to become an axum [`Router`].
#[derive(Debug)]
#[must_use]
pub struct HttpEndpoint {
    path: String,
    server: ToolServer,
    allowed_hosts: Option<Vec<String>>,
    allowed_origins: Vec<String>,
    session_mode: SessionMode,
    max_request_body_bytes: usize,
    sse_keep_alive: Option<Duration>,
    json_response: bool,
    cancellation: CancellationToken,
    auth: Option<Arc<ResourceServer>>,
    root_metadata: bool,
    sessions: SessionStore,
    rate_limits: RateLimits,
}

impl HttpEndpoint {
    /// The endpoint serving `server` at `path` (`/weather/mcp`).
    pub fn new(path: impl Into<String>, server: ToolServer) -> Self {
        Self {
            path: path.into(),
            server,
            allowed_hosts: Some(
                DEFAULT_ALLOWED_HOSTS
                    .iter()
                    .map(|h| (*h).to_owned())
                    .collect(),
            ),
            allowed_origins: Vec::new(),
            session_mode: SessionMode::Sessions,
            max_request_body_bytes: 1024 * 1024,
            sse_keep_alive: Some(Duration::from_secs(15)),
            json_response: true,
            cancellation: CancellationToken::new(),
            auth: None,
            root_metadata: true,
            sessions: SessionStore::default(),
            rate_limits: RateLimits::default(),
        }
    }

    /// Serves the sessions of `store` (and keeps new ones there): a router rebuilt with the
    /// store of the one it replaces keeps its sessions.
    pub fn with_session_store(mut self, store: SessionStore) -> Self {
        self.sessions = store;
        self
    }

    /// Rate limits (per consumer, per tool): requests over them get 429 with `Retry-After`.
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Host names (or `host:port`) accepted in the `Host` header; others get 403.
    pub fn with_allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Accepts any `Host` header. Only behind a proxy that checks it.
    pub fn allow_any_host(mut self) -> Self {
        self.allowed_hosts = None;
        self
    }

    /// Browser origins accepted in the `Origin` header (`http://localhost:6274`); requests
    /// without `Origin` always pass.
    pub fn with_allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Sessions or stateless.
    pub fn with_session_mode(mut self, mode: SessionMode) -> Self {
        self.session_mode = mode;
        self
    }

    /// Largest accepted request body (default 1 MiB); larger ones get 413.
    pub fn with_max_request_body_bytes(mut self, bytes: usize) -> Self {
        self.max_request_body_bytes = bytes;
        self
    }

    /// Whether a request served without a session (stateless mode, or the 2026-07-28
    /// protocol) that sends no notification before its answer gets plain JSON rather than an
    /// SSE stream (default true: one write instead of a stream's frames). Requests in a
    /// session always get a stream.
    pub fn with_json_response(mut self, json: bool) -> Self {
        self.json_response = json;
        self
    }

    /// Stops every session and stream when cancelled.
    pub fn with_cancellation(mut self, token: CancellationToken) -> Self {
        self.cancellation = token;
        self
    }

    /// Guards the endpoint with the OAuth resource server: every MCP request needs a valid
    /// token (or API key); the Protected Resource Metadata is served publicly beside it.
    pub fn with_auth(mut self, server: Arc<ResourceServer>) -> Self {
        self.auth = Some(server);
        self
    }

    /// Whether the root well-known path (`/.well-known/oauth-protected-resource`) also serves
    /// this endpoint's metadata, for clients that look there (default true). Several
    /// endpoints on one listener let one of them have it.
    pub fn with_root_metadata(mut self, root: bool) -> Self {
        self.root_metadata = root;
        self
    }

    /// The path served.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The router serving the endpoint at its path and nothing else.
    pub fn into_router(self) -> Router {
        let mut config = StreamableHttpServerConfig::default()
            .with_sse_keep_alive(self.sse_keep_alive)
            .with_legacy_session_mode(self.session_mode == SessionMode::Sessions)
            .with_json_response(self.json_response)
            .with_max_request_body_bytes(self.max_request_body_bytes)
            .with_cancellation_token(self.cancellation);
        config = match self.allowed_hosts {
            Some(hosts) => config.with_allowed_hosts(hosts),
            None => config.disable_allowed_hosts(),
        };
        if !self.allowed_origins.is_empty() {
            config = config.with_allowed_origins(self.allowed_origins);
        }
        let server = self.server;
        let factory = move || Ok(server.for_new_session());
        let router = match self.session_mode {
            SessionMode::Sessions => Router::new()
                .route_service(
                    &self.path,
                    StreamableHttpService::new(factory, Arc::clone(&self.sessions.0), config),
                )
                .layer(axum::middleware::from_fn_with_state(
                    (self.sessions, self.max_request_body_bytes),
                    session::admit,
                )),
            SessionMode::Stateless => Router::new().route_service(
                &self.path,
                StreamableHttpService::new(
                    factory,
                    Arc::new(NeverSessionManager::default()),
                    config,
                ),
            ),
        };
        let mut router = router.layer(axum::middleware::map_response(
            session_deleted_as_no_content,
        ));
        if !self.rate_limits.is_empty() {
            router = router.layer(axum::middleware::from_fn_with_state(
                Limiters::new(self.rate_limits, self.max_request_body_bytes),
                rate_limit::enforce,
            ));
        }
        match self.auth {
            Some(server) => router
                .layer(AuthLayer::new(Arc::clone(&server)))
                .merge(prm_router_with_root(&[server], self.root_metadata)),
            None => router,
        }
    }
}

/// A `DELETE` that ended a session answers `204 No Content` rather than rmcp's `202
/// Accepted`: the session is gone by the time the answer leaves, and the Python SDK 1.x
/// warns on every session close unless it sees 200 or 204.
async fn session_deleted_as_no_content(
    method: http::Method,
    mut response: axum::response::Response,
) -> axum::response::Response {
    if method == http::Method::DELETE && response.status() == http::StatusCode::ACCEPTED {
        *response.status_mut() = http::StatusCode::NO_CONTENT;
    }
    response
}
