//! The limits of the file to the server's types: rate limits, session limits, listener
//! timeouts.

use toolgate_server::{HttpServer, LimitBy, Quota, RateLimits, SessionLimits};

use crate::model::{EndpointConfig, LimitByConfig, ListenerConfig, RateLimitsConfig};

/// An endpoint's `rate_limits`.
pub(crate) fn rate_limits(config: Option<&RateLimitsConfig>) -> RateLimits {
    let Some(config) = config else {
        return RateLimits::new();
    };
    let quota = |windows: Vec<(&'static str, u64, std::time::Duration)>| {
        windows
            .into_iter()
            .fold(Quota::new(), |quota, (_, limit, period)| {
                quota.per(limit, period)
            })
    };
    let mut limits = RateLimits::new();
    if let Some(per_consumer) = &config.per_consumer {
        limits = limits.with_per_consumer(quota(per_consumer.windows()));
    }
    for (tool, limit) in &config.per_tool {
        let by = match limit.limit_by {
            LimitByConfig::Consumer => LimitBy::Consumer,
            LimitByConfig::Endpoint => LimitBy::Endpoint,
        };
        limits = limits.with_tool(tool.clone(), quota(limit.windows()), by);
    }
    limits
}

/// An endpoint's `sessions_idle_timeout` and `max_sessions`.
pub(crate) fn session_limits(endpoint: &EndpointConfig) -> SessionLimits {
    let mut limits = SessionLimits::new();
    if let Some(timeout) = endpoint.sessions_idle_timeout {
        limits = limits.with_idle_timeout(timeout.get());
    }
    if let Some(max) = endpoint.max_sessions {
        limits = limits.with_max_sessions(max);
    }
    limits
}

/// A listener's slow-client timeouts (the defaults when it is not in the file).
pub(crate) fn http_server(listener: Option<&ListenerConfig>) -> HttpServer {
    let mut server = HttpServer::new();
    if let Some(timeout) = listener.and_then(|l| l.header_read_timeout) {
        server = server.with_header_read_timeout(Some(timeout.get()));
    }
    if let Some(timeout) = listener.and_then(|l| l.body_read_timeout) {
        server = server.with_body_read_timeout(Some(timeout.get()));
    }
    server
}
