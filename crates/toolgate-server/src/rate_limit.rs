//! Rate limits of an endpoint: per consumer (every JSON-RPC message a caller POSTs) and
//! per tool (`tools/call` of one tool, per caller or for the endpoint as a whole).
//!
//! A request over a limit is answered before it reaches the MCP service, with
//! `429 Too Many Requests`, a `Retry-After` header (whole seconds) and a JSON-RPC error body
//! carrying the request's id. Not a JSON-RPC error inside a `200` SSE stream: once the
//! stream has started no status can change, a JSON-RPC error has no place for
//! `Retry-After`, and MCP clients already handle HTTP 429 with `Retry-After` for any
//! request. The session, if any, is untouched: the next request after the wait goes on in
//! it.
//!
//! The caller is the consumer the auth layer identified, else the token's subject, else
//! the client's address (an IPv6 address by its /64). Limits are GCRA (a token bucket
//! allowing a burst of a window's whole `limit`) kept in memory, sharded, forgetting keys
//! whose allowance is full again; they start over when the endpoint is rebuilt (a reload).
//!
//! ```
//! use toolgate_server::{LimitBy, Quota, RateLimits};
//!
//! let limits = RateLimits::new()
//!     .with_per_consumer(Quota::new().per_minute(100))
//!     .with_tool("get_weather", Quota::new().per_second(2).per_minute(30), LimitBy::Consumer);
//! # let _ = limits;
//! ```

mod gcra;

use std::{
    collections::HashMap,
    fmt::Write as _,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{Extensions, HeaderValue, Method, StatusCode, header};
use serde_json::Value;
use toolgate_auth::Identity;
use toolgate_tools::Principal;

use crate::peek;
use gcra::{KeyedGcra, MAX_WINDOWS, Refusal};

/// Keys remembered per limit at most; beyond, the least informative are forgotten.
const MAX_KEYS: usize = 65_536;

/// JSON-RPC code of a refusal (implementation-defined server error).
const RATE_LIMITED: i64 = -32000;

/// Requests allowed per window: any of second, minute, hour, day (Kong's `rate-limiting`
/// fields). Each window given must have room for a request to pass.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct Quota {
    windows: Vec<(u64, Duration)>,
}

impl Quota {
    /// No window yet (a quota without one limits nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `limit` requests in any `period` (bursts of up to `limit` included). Only
    /// four windows are kept; a `limit` of zero counts as one.
    pub fn per(mut self, limit: u64, period: Duration) -> Self {
        if self.windows.len() < MAX_WINDOWS && !period.is_zero() {
            self.windows.push((limit.max(1), period));
        }
        self
    }

    /// At most `limit` per second.
    pub fn per_second(self, limit: u64) -> Self {
        self.per(limit, Duration::from_secs(1))
    }

    /// At most `limit` per minute.
    pub fn per_minute(self, limit: u64) -> Self {
        self.per(limit, Duration::from_secs(60))
    }

    /// At most `limit` per hour.
    pub fn per_hour(self, limit: u64) -> Self {
        self.per(limit, Duration::from_secs(3600))
    }

    /// At most `limit` per day.
    pub fn per_day(self, limit: u64) -> Self {
        self.per(limit, Duration::from_secs(86_400))
    }

    /// Whether no window is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// `30 per minute`.
    fn describe(&self, window: usize) -> String {
        let Some(&(limit, period)) = self.windows.get(window) else {
            return String::new();
        };
        let unit = match period.as_secs() {
            1 => "second".to_owned(),
            60 => "minute".to_owned(),
            3600 => "hour".to_owned(),
            86_400 => "day".to_owned(),
            _ => format!("{} ms", period.as_millis()),
        };
        format!("{limit} per {unit}")
    }
}

/// Whom a tool's limit counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitBy {
    /// Each caller has the whole quota (default).
    #[default]
    Consumer,
    /// Every caller together: the quota protects the upstream behind the tool.
    Endpoint,
}

/// The rate limits of one endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct RateLimits {
    per_consumer: Option<Quota>,
    per_tool: HashMap<String, (Quota, LimitBy)>,
}

impl RateLimits {
    /// No limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limits every JSON-RPC message a caller sends (POST), whatever its method.
    pub fn with_per_consumer(mut self, quota: Quota) -> Self {
        self.per_consumer = (!quota.is_empty()).then_some(quota);
        self
    }

    /// Limits `tools/call` of `tool` (its served name).
    pub fn with_tool(mut self, tool: impl Into<String>, quota: Quota, by: LimitBy) -> Self {
        if !quota.is_empty() {
            self.per_tool.insert(tool.into(), (quota, by));
        }
        self
    }

    /// Whether nothing is limited.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.per_consumer.is_none() && self.per_tool.is_empty()
    }
}

/// One quota and its counters.
#[derive(Debug)]
struct Limiter {
    quota: Quota,
    by: LimitBy,
    counters: KeyedGcra,
}

impl Limiter {
    fn new(quota: Quota, by: LimitBy) -> Self {
        let counters = KeyedGcra::new(&quota.windows, MAX_KEYS);
        Self {
            quota,
            by,
            counters,
        }
    }
}

/// The running limits of an endpoint, shared by its requests.
#[derive(Debug)]
pub(crate) struct Limiters {
    per_consumer: Option<Limiter>,
    per_tool: HashMap<String, Limiter>,
    max_body: usize,
}

impl Limiters {
    /// Counters for `limits`; bodies are read up to `max_body` bytes to find the tool.
    pub(crate) fn new(limits: RateLimits, max_body: usize) -> Arc<Self> {
        Arc::new(Self {
            per_consumer: limits
                .per_consumer
                .map(|quota| Limiter::new(quota, LimitBy::Consumer)),
            per_tool: limits
                .per_tool
                .into_iter()
                .map(|(tool, (quota, by))| (tool, Limiter::new(quota, by)))
                .collect(),
            max_body,
        })
    }
}

/// The middleware: counts POSTs against the limits, answers 429 over them.
pub(crate) async fn enforce(
    State(limiters): State<Arc<Limiters>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let caller = caller_key(request.extensions());
    if limiters.per_tool.is_empty() {
        if let Some(limiter) = &limiters.per_consumer
            && let Err(refusal) = limiter.counters.check(&caller)
        {
            // Only a refused body is read, for its id.
            let id = match peek::buffer(request, limiters.max_body).await {
                Ok((_, body)) => peek::peek(&body)
                    .into_iter()
                    .next()
                    .map_or(Value::Null, |m| m.id),
                Err(response) => return response,
            };
            return too_many(&id, None, limiter, refusal, &caller);
        }
        return next.run(request).await;
    }
    let (request, body) = match peek::buffer(request, limiters.max_body).await {
        Ok(buffered) => buffered,
        Err(response) => return response,
    };
    let messages = peek::peek(&body);
    let id = messages.first().map_or(Value::Null, |m| m.id.clone());
    if let Some(limiter) = &limiters.per_consumer
        && let Err(refusal) = limiter.counters.check(&caller)
    {
        return too_many(&id, None, limiter, refusal, &caller);
    }
    for message in &messages {
        let Some(tool) = &message.tool else {
            continue;
        };
        let Some(limiter) = limiters.per_tool.get(tool) else {
            continue;
        };
        let key = match limiter.by {
            LimitBy::Consumer => caller.as_str(),
            LimitBy::Endpoint => "",
        };
        if let Err(refusal) = limiter.counters.check(key) {
            return too_many(&message.id, Some(tool), limiter, refusal, &caller);
        }
    }
    next.run(request).await
}

/// The 429 answer.
fn too_many(
    id: &Value,
    tool: Option<&str>,
    limiter: &Limiter,
    refusal: Refusal,
    caller: &str,
) -> Response {
    let retry = retry_after_secs(refusal.wait);
    let quota = limiter.quota.describe(refusal.window);
    let mut message = String::from("Rate limit exceeded: ");
    match tool {
        Some(tool) => {
            let _ = write!(message, "calls of `{tool}`, {quota}");
            if limiter.by == LimitBy::Consumer {
                message.push_str(" per caller");
            }
        }
        None => {
            let _ = write!(message, "{quota} per caller");
        }
    }
    let _ = write!(message, "; retry in {retry} s");
    tracing::info!(
        caller,
        tool,
        limit = %quota,
        retry_after = retry,
        "rate limit exceeded: 429"
    );
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "application/json")],
        peek::error_body(id, RATE_LIMITED, &message),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry));
    response
}

/// Whole seconds, rounded up, at least one.
fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// Who is calling, for the counters: the consumer, else the token's subject, else the
/// client's address.
fn caller_key(extensions: &Extensions) -> String {
    if let Some(principal) = extensions.get::<Arc<Principal>>() {
        if let Some(consumer) = &principal.consumer {
            return format!("consumer:{consumer}");
        }
        if let Some(subject) = &principal.subject {
            return format!("subject:{subject}");
        }
    }
    if let Some(identity) = extensions.get::<Arc<Identity>>() {
        if let Some(consumer) = &identity.consumer {
            return format!("consumer:{consumer}");
        }
        if let Some(subject) = &identity.subject {
            let issuer = identity.issuer.as_deref().unwrap_or_default();
            return format!("subject:{issuer} {subject}");
        }
    }
    match extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(address)) => format!("address:{}", network_of(address.ip())),
        None => "address:unknown".to_owned(),
    }
}

/// An IPv4 address as it is; an IPv6 one as its /64, which one client usually holds whole.
fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1_u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

#[cfg(test)]
mod tests;
