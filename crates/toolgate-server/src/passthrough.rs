//! The passthrough endpoint (Kong's `passthrough-listener`): a JSON-RPC-aware reverse proxy
//! in front of one external MCP server spoken to over streamable HTTP.
//!
//! `POST`, `GET` (SSE) and `DELETE` go to the upstream URL through one pooled client; response
//! bodies stream back unbuffered, SSE included. On the way the endpoint
//!
//! - answers a `tools/call` for a tool the [`AclPolicy`] denies the caller with JSON-RPC
//!   -32602 and the denial's message, never forwarding it (in a batch, denied members are
//!   answered at the gateway, the rest go upstream and the answers are merged);
//! - filters `tools/list` results (JSON or SSE `data:` events) to the tools the caller may
//!   call; every other event passes byte for byte;
//! - sets the upstream identity ([`UpstreamIdentity`]): the client's own token (explicit
//!   opt-in), a stored credential swapped in for the validated inbound token, or fixed
//!   headers. The inbound `Authorization`, API keys, cookies and hop-by-hop headers never
//!   go upstream otherwise.
//!
//! The caller is the [`Identity`](toolgate_auth::Identity) the [`AuthLayer`] put in the
//! request's extensions (see [`PassthroughEndpoint::with_auth`]); without an auth layer every
//! caller is anonymous.
//!
//! ```no_run
//! use toolgate_server::{PassthroughEndpoint, UpstreamIdentity};
//! use toolgate_tools::{AclPolicy, AclRule};
//!
//! # fn build() -> Result<(), Box<dyn std::error::Error>> {
//! let mut acl = AclPolicy::default();
//! acl.include_consumer_groups = true;
//! acl.default = Some(AclRule::allow(["admin"]));
//! acl.tools.insert("list_issues".into(), AclRule::allow(["developer", "admin"]));
//! let router = PassthroughEndpoint::new("/github-mcp", "https://api.githubcopilot.com/mcp".parse()?)
//!     .with_acl(acl)
//!     .with_identity(UpstreamIdentity::UserTokenPassthrough)
//!     .with_resource("https://gateway.example.com/github-mcp".parse()?)
//!     .into_router()?;
//! # let _ = router;
//! # Ok(())
//! # }
//! ```

mod audit;
mod forward;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod jsonrpc;
mod metadata;
mod sse;

use std::{sync::Arc, time::Duration};

use axum::{Router, routing::any};
use http::{HeaderName, HeaderValue};
use toolgate_auth::{AuthLayer, ResourceServer, SecretString, prm_router_with_root};
use toolgate_tools::{AclPolicy, ConcurrencyLimit};
use url::Url;

use crate::{
    DEFAULT_ALLOWED_HOSTS, EndpointTelemetry, RateLimits,
    rate_limit::{self, Limiters},
};

/// Who the upstream MCP server sees behind the gateway's requests.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum UpstreamIdentity {
    /// The client's own `Authorization` header goes upstream (explicit opt-in: the upstream
    /// runs its own authorization server, as GitHub does). A request without one is answered
    /// 401 with a challenge pointing at the gateway's Protected Resource Metadata, which is
    /// the upstream's document with `resource` rewritten to the gateway's resource URL.
    /// The caller's consumer comes from an API key beside the Bearer token.
    UserTokenPassthrough,
    /// The inbound token (validated by the auth layer, which is required) is dropped and
    /// `Authorization: Bearer <credential>` is sent instead.
    TokenSwap {
        /// The stored upstream credential (a service-account token).
        credential: SecretString,
    },
    /// Fixed headers on every upstream request, no user identity (none at all when empty:
    /// the default).
    Static {
        /// Header names and values; values are secrets (redacted in `Debug`).
        headers: Vec<(HeaderName, SecretString)>,
    },
}

impl Default for UpstreamIdentity {
    fn default() -> Self {
        Self::Static {
            headers: Vec::new(),
        }
    }
}

/// Why a passthrough endpoint cannot be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PassthroughError {
    /// The upstream URL is not http or https.
    #[error("upstream '{0}' must be an http or https URL")]
    UpstreamScheme(Url),
    /// A static header value is not a valid header value.
    #[error("the value of the static header '{0}' is not a valid header value")]
    HeaderValue(HeaderName),
    /// User-token passthrough needs the gateway's resource URL for its challenge and PRM.
    #[error("user-token passthrough needs the gateway's resource URL (with_resource or with_auth)")]
    MissingResource,
    /// User-token passthrough behind an auth layer that strips `Authorization`.
    #[error(
        "user-token passthrough behind an auth layer needs passthrough_credentials: true, or the client's token never reaches the upstream"
    )]
    CredentialsStripped,
    /// A token swap hands the stored credential to anybody unless an auth layer validates
    /// the inbound token first.
    #[error("token swap needs an auth layer (with_auth) to validate the inbound token")]
    TokenSwapWithoutAuth,
    /// The upstream (or its metadata URL) is a non-public address and
    /// `deny_private_networks` is on.
    #[error("upstream: {0}")]
    PrivateNetwork(#[source] toolgate_net::NetworkError),
    /// The HTTP client could not be built.
    #[error("building the upstream HTTP client")]
    Client(#[source] reqwest::Error),
}

/// A passthrough endpoint at a path, ready to become an axum [`Router`].
#[derive(Debug)]
#[must_use]
pub struct PassthroughEndpoint {
    path: String,
    upstream: Url,
    acl: AclPolicy,
    identity: UpstreamIdentity,
    auth: Option<Arc<ResourceServer>>,
    root_metadata: bool,
    resource: Option<Url>,
    upstream_metadata: Option<Url>,
    max_request_body_bytes: usize,
    max_rewritten_body_bytes: usize,
    connect_timeout: Duration,
    metadata_cache_ttl: Duration,
    allowed_hosts: Option<Vec<String>>,
    telemetry: EndpointTelemetry,
    rate_limits: RateLimits,
    deny_private_networks: bool,
    max_concurrent_calls: Option<(usize, Duration)>,
}

impl PassthroughEndpoint {
    /// Proxies `path` (`/github-mcp`) to the MCP endpoint at `upstream`.
    pub fn new(path: impl Into<String>, upstream: Url) -> Self {
        Self {
            path: path.into(),
            upstream,
            acl: AclPolicy::default(),
            identity: UpstreamIdentity::default(),
            auth: None,
            root_metadata: true,
            resource: None,
            upstream_metadata: None,
            max_request_body_bytes: 1024 * 1024,
            max_rewritten_body_bytes: 16 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            metadata_cache_ttl: Duration::from_secs(300),
            telemetry: EndpointTelemetry::default(),
            allowed_hosts: Some(
                DEFAULT_ALLOWED_HOSTS
                    .iter()
                    .map(|h| (*h).to_owned())
                    .collect(),
            ),
            rate_limits: RateLimits::default(),
            deny_private_networks: false,
            max_concurrent_calls: None,
        }
    }

    /// At most `max` (at least 1) `tools/call` requests in flight upstream at once (default:
    /// no cap). A POST carrying calls waits for its slots at most `wait`, then gets `503`
    /// with `Retry-After` and JSON-RPC error -32001 for each request; the upstream never sees
    /// it. A call's slot is held until its answer (or its event stream) has been sent.
    pub fn with_max_concurrent_calls(mut self, max: usize, wait: Duration) -> Self {
        self.max_concurrent_calls = Some((max.max(1), wait));
        self
    }

    /// Tool ACLs enforced at the gateway (default: none, every tool allowed).
    pub fn with_acl(mut self, acl: AclPolicy) -> Self {
        self.acl = acl;
        self
    }

    /// Who the upstream sees (default: nobody, [`UpstreamIdentity::Static`] without headers).
    pub fn with_identity(mut self, identity: UpstreamIdentity) -> Self {
        self.identity = identity;
        self
    }

    /// Guards the endpoint with the resource server (tokens and/or API keys); the caller's
    /// identity drives the ACLs. Its `resource` is the gateway's resource URL.
    ///
    /// For [`UpstreamIdentity::UserTokenPassthrough`] configure API keys with
    /// `sufficient: true`, no authorization servers, and `passthrough_credentials: true`: the
    /// key identifies the consumer and the Bearer token is left alone for the upstream.
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

    /// The gateway's resource URL as clients use it (the PRM `resource`); defaults to the
    /// auth layer's.
    pub fn with_resource(mut self, resource: Url) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Where the upstream's Protected Resource Metadata is (default: the RFC 9728 path
    /// insertion for the upstream URL, then the root well-known path).
    pub fn with_upstream_metadata(mut self, url: Url) -> Self {
        self.upstream_metadata = Some(url);
        self
    }

    /// Host names (or `host:port`) accepted in the `Host` header; others get 403 (the
    /// DNS-rebinding guard, loopback names by default, as [`HttpEndpoint`](crate::HttpEndpoint)).
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

    /// Rate limits (per consumer, per tool): requests over them get 429 with `Retry-After`
    /// and never reach the upstream.
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Audit events (the gateway's ACL decisions; each `tools/call` as its
    /// [`CallLogging`](crate::CallLogging) says, with its outcome once the answer goes by) and
    /// metrics. The upstream is named by its host in both.
    pub fn with_telemetry(mut self, telemetry: EndpointTelemetry) -> Self {
        self.telemetry = telemetry;
        self
    }

    /// Largest accepted request body (default 1 MiB); larger ones get 413.
    pub fn with_max_request_body_bytes(mut self, bytes: usize) -> Self {
        self.max_request_body_bytes = bytes;
        self
    }

    /// Largest upstream JSON body read whole to be filtered or merged (default 16 MiB);
    /// larger ones get 502. SSE is never read whole.
    pub fn with_max_rewritten_body_bytes(mut self, bytes: usize) -> Self {
        self.max_rewritten_body_bytes = bytes;
        self
    }

    /// How long connecting to the upstream may take (default 10 s). There is no overall
    /// timeout: SSE streams stay open.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Refuses an upstream on a loopback, private or link-local address (default false):
    /// an IP literal when the router is built, a host name whenever any address it resolves
    /// to is one, at each connection. The upstream client then ignores proxy variables.
    pub fn with_deny_private_networks(mut self, deny: bool) -> Self {
        self.deny_private_networks = deny;
        self
    }

    /// How long the upstream's PRM document is cached (default 5 min).
    pub fn with_metadata_cache_ttl(mut self, ttl: Duration) -> Self {
        self.metadata_cache_ttl = ttl;
        self
    }

    /// The path served.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The router serving the endpoint at its path, and the PRM routes where it has any.
    ///
    /// # Errors
    /// [`PassthroughError`] for a configuration that cannot work or would be unsafe.
    pub fn into_router(self) -> Result<Router, PassthroughError> {
        if !matches!(self.upstream.scheme(), "http" | "https") {
            return Err(PassthroughError::UpstreamScheme(self.upstream));
        }
        if self.deny_private_networks {
            for url in std::iter::once(&self.upstream).chain(&self.upstream_metadata) {
                toolgate_net::check_url(url).map_err(PassthroughError::PrivateNetwork)?;
            }
        }
        let resource = self
            .resource
            .clone()
            .or_else(|| self.auth.as_ref().map(|s| s.config().resource.clone()));
        let upstream_auth = match &self.identity {
            UpstreamIdentity::UserTokenPassthrough => {
                if self
                    .auth
                    .as_ref()
                    .is_some_and(|s| !s.config().passthrough_credentials)
                {
                    return Err(PassthroughError::CredentialsStripped);
                }
                let resource = resource.clone().ok_or(PassthroughError::MissingResource)?;
                forward::UpstreamAuth::UserToken {
                    metadata_url: metadata::metadata_url(&resource),
                }
            }
            UpstreamIdentity::TokenSwap { credential } => {
                if self.auth.is_none() {
                    return Err(PassthroughError::TokenSwapWithoutAuth);
                }
                let mut value = HeaderValue::try_from(format!("Bearer {}", credential.expose()))
                    .map_err(|_| PassthroughError::HeaderValue(http::header::AUTHORIZATION))?;
                value.set_sensitive(true);
                forward::UpstreamAuth::Replace(vec![(http::header::AUTHORIZATION, value)])
            }
            UpstreamIdentity::Static { headers } => {
                let mut fixed = Vec::with_capacity(headers.len());
                for (name, secret) in headers {
                    let mut value = HeaderValue::try_from(secret.expose())
                        .map_err(|_| PassthroughError::HeaderValue(name.clone()))?;
                    value.set_sensitive(true);
                    fixed.push((name.clone(), value));
                }
                forward::UpstreamAuth::Replace(fixed)
            }
        };
        let client = build_client(self.connect_timeout, self.deny_private_networks)?;
        let stripped_headers = self
            .auth
            .as_ref()
            .and_then(|s| s.config().api_keys.as_ref())
            .map(|keys| {
                keys.header_names
                    .iter()
                    .filter_map(|name| HeaderName::try_from(name.as_str()).ok())
                    .collect()
            })
            .unwrap_or_default();
        let upstream_label = match (self.upstream.host_str(), self.upstream.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (host, _) => host.unwrap_or_default().to_owned(),
        };
        let call_slots = self
            .max_concurrent_calls
            .map(|(max, wait)| ConcurrencyLimit::new(upstream_label.clone(), max, wait));
        let proxy = Arc::new(forward::Proxy {
            telemetry: Arc::new(self.telemetry),
            upstream_label,
            call_slots,
            upstream: self.upstream.clone(),
            client: client.clone(),
            acl: self.acl,
            auth: upstream_auth,
            stripped_headers,
            max_request_body_bytes: self.max_request_body_bytes,
            max_rewritten_body_bytes: self.max_rewritten_body_bytes,
            allowed_hosts: self.allowed_hosts.map(|hosts| {
                hosts
                    .iter()
                    .filter_map(|h| forward::AllowedHost::parse(h))
                    .collect()
            }),
        });
        let mut router = Router::new().route(&self.path, any(forward::handle).with_state(proxy));
        if !self.rate_limits.is_empty() {
            router = router.layer(axum::middleware::from_fn_with_state(
                Limiters::new(self.rate_limits, self.max_request_body_bytes),
                rate_limit::enforce,
            ));
        }
        if let Some(server) = &self.auth {
            router = router.layer(AuthLayer::new(Arc::clone(server)));
        }
        match (&self.identity, resource) {
            (UpstreamIdentity::UserTokenPassthrough, Some(resource)) => {
                let sources = match self.upstream_metadata {
                    Some(url) => vec![url],
                    None => metadata::upstream_candidates(&self.upstream),
                };
                let document = metadata::UpstreamMetadata::new(
                    client,
                    sources,
                    resource.clone(),
                    self.metadata_cache_ttl,
                );
                router = router.merge(metadata::router(&resource, document, self.root_metadata));
            }
            _ => {
                if let Some(server) = self.auth {
                    router = router.merge(prm_router_with_root(&[server], self.root_metadata));
                }
            }
        }
        Ok(router)
    }
}

/// One pooled client for every upstream request: no redirects (they would carry
/// credentials elsewhere), no automatic decompression (bodies are relayed as they are);
/// public addresses only with `deny_private_networks`.
fn build_client(
    connect_timeout: Duration,
    deny_private_networks: bool,
) -> Result<reqwest::Client, PassthroughError> {
    // Another part of the process may have installed a provider already; either way one is.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = if deny_private_networks {
        toolgate_net::guard(reqwest::Client::builder())
    } else {
        reqwest::Client::builder()
    };
    builder
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .build()
        .map_err(PassthroughError::Client)
}

#[cfg(test)]
mod tests;
