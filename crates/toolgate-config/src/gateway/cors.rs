//! Kong's `cors` plugin as a tower-http layer: preflights answered here, the MCP and auth
//! headers allowed and exposed by default, so a browser client (MCP Inspector) can run the
//! OAuth flow and read `Mcp-Session-Id` and `WWW-Authenticate`.

use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::model::CorsConfig;

const DEFAULT_METHODS: &[Method] = &[Method::GET, Method::POST, Method::DELETE, Method::OPTIONS];
const DEFAULT_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "accept",
    "mcp-session-id",
    "mcp-protocol-version",
    "last-event-id",
    "apikey",
];
const DEFAULT_EXPOSED: &[&str] = &["mcp-session-id", "www-authenticate", "mcp-protocol-version"];

fn names(given: &[String], default: &[&str]) -> Vec<HeaderName> {
    let list: Vec<&str> = if given.is_empty() {
        default.to_vec()
    } else {
        given.iter().map(String::as_str).collect()
    };
    list.into_iter()
        .filter_map(|h| HeaderName::try_from(h).ok())
        .collect()
}

/// The layer for `config` (validated before: origins, methods and headers parse).
pub(crate) fn layer(config: &CorsConfig) -> CorsLayer {
    let origins = if config.origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    let methods: Vec<Method> = if config.methods.is_empty() {
        DEFAULT_METHODS.to_vec()
    } else {
        config
            .methods
            .iter()
            .filter_map(|m| Method::from_bytes(m.as_bytes()).ok())
            .collect()
    };
    let mut layer = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(methods)
        .allow_headers(names(&config.headers, DEFAULT_HEADERS))
        .expose_headers(names(&config.exposed_headers, DEFAULT_EXPOSED))
        .allow_credentials(config.credentials);
    if let Some(seconds) = config.max_age {
        layer = layer.max_age(Duration::from_secs(seconds));
    }
    layer
}
