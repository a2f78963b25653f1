//! A small registry of atomics and its Prometheus text rendering.
//!
//! The series are fixed (the methods of [`Metrics`]); only their label values vary. Each
//! family maps a tuple of label values to an atomic counter: a read lock and an atomic add
//! on the hot path, a write lock the first time a label set is seen. Families hold at most
//! [`MAX_SERIES`] label sets; more are counted under `_other`, so a client sending
//! made-up tool names cannot grow the registry without bound.

use std::{
    collections::BTreeMap,
    fmt::{self, Write as _},
    sync::{
        Arc, Mutex, PoisonError, RwLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use crate::Outcome;

/// Most label sets one family holds.
const MAX_SERIES: usize = 2000;

/// The label value series past [`MAX_SERIES`] are counted under.
const OVERFLOW: &str = "_other";

/// Upper bounds (seconds) of the call latency histogram's buckets.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How an upstream failed, the `kind` label of `toolgate_upstream_errors_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpstreamErrorKind {
    /// It answered with an HTTP error status (4xx/5xx) or a JSON-RPC error.
    Status,
    /// It did not answer in time.
    Timeout,
    /// It could not be reached (connection refused, reset, DNS, TLS).
    Unreachable,
}

impl UpstreamErrorKind {
    /// The label value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Timeout => "timeout",
            Self::Unreachable => "unreachable",
        }
    }
}

/// Counts what the gateway does, rendered in the Prometheus text format by
/// [`Metrics::render`]. Cheap to clone: clones share the counters.
///
/// | series | type | labels |
/// | --- | --- | --- |
/// | `toolgate_tool_calls_total` | counter | `endpoint`, `tool`, `outcome` |
/// | `toolgate_tool_call_duration_seconds` | histogram | `endpoint` |
/// | `toolgate_auth_failures_total` | counter | `endpoint`, `reason` |
/// | `toolgate_introspection_cache_total` | counter | `endpoint`, `result` (`hit`, `miss`) |
/// | `toolgate_jwt_cache_total` | counter | `endpoint`, `result` (`hit`, `miss`) |
/// | `toolgate_upstream_errors_total` | counter | `upstream`, `kind` |
/// | `toolgate_passthrough_requests_total` | counter | `endpoint`, `method`, `status` |
/// | `toolgate_active_sessions` | gauge | `endpoint` |
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Registry>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Reads the number of open sessions of one endpoint when metrics are rendered.
type SessionCount = Arc<dyn Fn() -> usize + Send + Sync>;

#[derive(Default)]
struct Registry {
    tool_calls: Family,
    call_latency: RwLock<BTreeMap<String, Arc<Histogram>>>,
    auth_failures: Family,
    introspection_cache: Family,
    jwt_cache: Family,
    upstream_errors: Family,
    passthrough_requests: Family,
    sessions: Mutex<BTreeMap<String, SessionCount>>,
}

impl Metrics {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// One `tools/call` of `tool` on `endpoint` finished with `outcome` after `elapsed`.
    pub fn tool_call(&self, endpoint: &str, tool: &str, outcome: Outcome, elapsed: Duration) {
        self.inner
            .tool_calls
            .add(&[endpoint, tool, outcome.as_str()], 1);
        let histogram = {
            let read = self
                .inner
                .call_latency
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            read.get(endpoint).cloned()
        };
        let histogram = histogram.unwrap_or_else(|| {
            let mut write = self
                .inner
                .call_latency
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let key = if write.len() >= MAX_SERIES && !write.contains_key(endpoint) {
                OVERFLOW
            } else {
                endpoint
            };
            Arc::clone(write.entry(key.to_owned()).or_default())
        });
        histogram.observe(elapsed);
    }

    /// The resource server refused a request to `endpoint` (`reason`: `missing_token`,
    /// `invalid_token`, `expired`, `audience`, `scope`, `idp_unavailable`…).
    pub fn auth_failure(&self, endpoint: &str, reason: &str) {
        self.inner.auth_failures.add(&[endpoint, reason], 1);
    }

    /// An introspection answer came from the cache (`hit`) or from the IdP (`miss`).
    pub fn introspection_cache(&self, endpoint: &str, hit: bool) {
        self.inner
            .introspection_cache
            .add(&[endpoint, hit_label(hit)], 1);
    }

    /// A JWT was known verified (`hit`) or had its signature checked (`miss`).
    pub fn jwt_cache(&self, endpoint: &str, hit: bool) {
        self.inner.jwt_cache.add(&[endpoint, hit_label(hit)], 1);
    }

    /// A call to `upstream` (a host, or a remote toolset's name) failed.
    pub fn upstream_error(&self, upstream: &str, kind: UpstreamErrorKind) {
        self.inner
            .upstream_errors
            .add(&[upstream, kind.as_str()], 1);
    }

    /// The passthrough proxy of `endpoint` answered an HTTP request.
    pub fn passthrough_request(&self, endpoint: &str, method: &str, status: u16) {
        self.inner
            .passthrough_requests
            .add(&[endpoint, method, &status.to_string()], 1);
    }

    /// Reports `count()` as the open sessions of `endpoint` at every rendering (replacing
    /// what was registered for it before, as a rebuilt endpoint does).
    pub fn track_sessions(
        &self,
        endpoint: &str,
        count: impl Fn() -> usize + Send + Sync + 'static,
    ) {
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(endpoint.to_owned(), Arc::new(count));
    }

    /// Stops reporting the sessions of `endpoint` (it no longer exists).
    pub fn untrack_sessions(&self, endpoint: &str) {
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(endpoint);
    }

    /// Stops reporting the sessions of every endpoint for which `keep` is false (after a
    /// reload, the endpoints that are gone).
    pub fn retain_sessions(&self, keep: impl Fn(&str) -> bool) {
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|endpoint, _| keep(endpoint));
    }

    /// The current value of a counter series, for tests and health checks: `name` without
    /// `_total`'s help (e.g. `toolgate_tool_calls_total`), labels in the series' order.
    #[must_use]
    pub fn counter(&self, name: &str, labels: &[&str]) -> u64 {
        self.family(name).map_or(0, |family| family.get(labels))
    }

    fn family(&self, name: &str) -> Option<&Family> {
        let registry = &*self.inner;
        Some(match name {
            "toolgate_tool_calls_total" => &registry.tool_calls,
            "toolgate_auth_failures_total" => &registry.auth_failures,
            "toolgate_introspection_cache_total" => &registry.introspection_cache,
            "toolgate_jwt_cache_total" => &registry.jwt_cache,
            "toolgate_upstream_errors_total" => &registry.upstream_errors,
            "toolgate_passthrough_requests_total" => &registry.passthrough_requests,
            _ => return None,
        })
    }

    /// Every series in the Prometheus text exposition format (version 0.0.4).
    #[must_use]
    pub fn render(&self) -> String {
        let registry = &*self.inner;
        let mut out = String::new();
        registry.tool_calls.render(
            &mut out,
            "toolgate_tool_calls_total",
            "Tool calls (tools/call) by endpoint, tool and outcome.",
            &["endpoint", "tool", "outcome"],
        );
        render_histograms(&mut out, &registry.call_latency);
        registry.auth_failures.render(
            &mut out,
            "toolgate_auth_failures_total",
            "Requests the resource server refused, by endpoint and reason.",
            &["endpoint", "reason"],
        );
        registry.introspection_cache.render(
            &mut out,
            "toolgate_introspection_cache_total",
            "Token introspection answers from the cache (hit) or the IdP (miss).",
            &["endpoint", "result"],
        );
        registry.jwt_cache.render(
            &mut out,
            "toolgate_jwt_cache_total",
            "JWTs found already verified (hit) or verified now (miss).",
            &["endpoint", "result"],
        );
        registry.upstream_errors.render(
            &mut out,
            "toolgate_upstream_errors_total",
            "Failed upstream calls by upstream and kind (status, timeout, unreachable).",
            &["upstream", "kind"],
        );
        registry.passthrough_requests.render(
            &mut out,
            "toolgate_passthrough_requests_total",
            "HTTP requests answered by passthrough endpoints, by method and status.",
            &["endpoint", "method", "status"],
        );
        let sessions: Vec<(String, SessionCount)> = registry
            .sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(endpoint, count)| (endpoint.clone(), Arc::clone(count)))
            .collect();
        out.push_str("# HELP toolgate_active_sessions Open MCP sessions by endpoint.\n");
        out.push_str("# TYPE toolgate_active_sessions gauge\n");
        for (endpoint, count) in sessions {
            let _ = writeln!(
                out,
                "toolgate_active_sessions{{endpoint=\"{}\"}} {}",
                escape(&endpoint),
                count()
            );
        }
        out
    }
}

fn hit_label(hit: bool) -> &'static str {
    if hit { "hit" } else { "miss" }
}

/// Counters by label values.
#[derive(Default)]
struct Family {
    series: RwLock<BTreeMap<Vec<String>, AtomicU64>>,
}

impl Family {
    fn add(&self, labels: &[&str], value: u64) {
        {
            let read = self.series.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(counter) = read.get(&key(labels)) {
                counter.fetch_add(value, Ordering::Relaxed);
                return;
            }
        }
        let mut write = self.series.write().unwrap_or_else(PoisonError::into_inner);
        let mut wanted = key(labels);
        if write.len() >= MAX_SERIES && !write.contains_key(&wanted) {
            wanted = vec![OVERFLOW.to_owned(); labels.len()];
        }
        write
            .entry(wanted)
            .or_default()
            .fetch_add(value, Ordering::Relaxed);
    }

    fn get(&self, labels: &[&str]) -> u64 {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key(labels))
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    fn render(&self, out: &mut String, name: &str, help: &str, names: &[&str]) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} counter");
        let series = self.series.read().unwrap_or_else(PoisonError::into_inner);
        for (values, counter) in series.iter() {
            let _ = writeln!(
                out,
                "{name}{{{}}} {}",
                labels(names, values),
                counter.load(Ordering::Relaxed)
            );
        }
    }
}

fn key(labels: &[&str]) -> Vec<String> {
    labels.iter().map(|l| (*l).to_owned()).collect()
}

/// `a="1",b="2"`.
fn labels(names: &[&str], values: &[String]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in names.iter().zip(values).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{name}=\"{}\"", escape(value));
    }
    out
}

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Call latencies of one endpoint.
#[derive(Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last one is `+Inf`.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let index = LATENCY_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

fn render_histograms(out: &mut String, histograms: &RwLock<BTreeMap<String, Arc<Histogram>>>) {
    const NAME: &str = "toolgate_tool_call_duration_seconds";
    let _ = writeln!(
        out,
        "# HELP {NAME} Time from a tools/call request to its result, by endpoint."
    );
    let _ = writeln!(out, "# TYPE {NAME} histogram");
    let histograms = histograms.read().unwrap_or_else(PoisonError::into_inner);
    for (endpoint, histogram) in histograms.iter() {
        let endpoint = escape(endpoint);
        let mut cumulative = 0;
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            cumulative += histogram.buckets[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{NAME}_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += histogram.buckets[LATENCY_BUCKETS.len()].load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "{NAME}_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {cumulative}"
        );
        #[allow(clippy::cast_precision_loss)]
        let sum = histogram.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{NAME}_sum{{endpoint=\"{endpoint}\"}} {sum}");
        let _ = writeln!(
            out,
            "{NAME}_count{{endpoint=\"{endpoint}\"}} {}",
            histogram.count.load(Ordering::Relaxed)
        );
    }
}

#[cfg(test)]
mod tests;
