//! What an endpoint records about its calls: audit events (one per `tools/call`, one per
//! ACL decision) and metrics, with the endpoint's name known from build time.

use std::{sync::Arc, time::Duration};

use serde_json::Value;
use toolgate_telemetry::{
    AuditEvent, AuditLog, Decision, Metrics, Outcome, Redactor, UpstreamErrorKind,
};
use toolgate_tools::{Denial, Principal, UpstreamFailure, UpstreamReport};

use crate::CallLogging;

/// The longest payload logged, in bytes of JSON; longer ones are cut (after redaction).
const MAX_LOGGED_PAYLOAD: usize = 4096;

/// The audit and metrics settings of one endpoint ([`ToolServer::with_telemetry`],
/// [`PassthroughEndpoint::with_telemetry`]).
///
/// ACL decisions are always audited; `tools/call` events follow [`CallLogging`]: one per
/// call with statistics, arguments and results (redacted) with payloads.
///
/// [`ToolServer::with_telemetry`]: crate::ToolServer::with_telemetry
/// [`PassthroughEndpoint::with_telemetry`]: crate::PassthroughEndpoint::with_telemetry
#[derive(Clone, Debug)]
#[must_use]
pub struct EndpointTelemetry {
    pub(crate) endpoint: Arc<str>,
    pub(crate) audit: AuditLog,
    pub(crate) metrics: Option<Metrics>,
    pub(crate) redactor: Arc<Redactor>,
    pub(crate) logging: CallLogging,
}

impl Default for EndpointTelemetry {
    fn default() -> Self {
        Self::new("")
    }
}

impl EndpointTelemetry {
    /// Events name the endpoint `endpoint`; they go to the process log (tracing target
    /// `toolgate::audit`), no metrics are kept, no `tools/call` events are written.
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: Arc::from(endpoint.into()),
            audit: AuditLog::tracing(),
            metrics: None,
            redactor: Arc::new(Redactor::new()),
            logging: CallLogging::default(),
        }
    }

    /// Where audit events go.
    pub fn with_audit_log(mut self, audit: AuditLog) -> Self {
        self.audit = audit;
        self
    }

    /// Counts calls, latencies and upstream errors here.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// How logged payloads are redacted (credential field names and token-shaped strings
    /// always are).
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = Arc::new(redactor);
        self
    }

    /// Which `tools/call` events are written.
    pub fn with_call_logging(mut self, logging: CallLogging) -> Self {
        self.logging = logging;
        self
    }

    /// The endpoint's name.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The metrics, if kept.
    #[must_use]
    pub fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_ref()
    }

    /// An event of this endpoint about `principal`.
    pub(crate) fn event(
        &self,
        kind: &'static str,
        principal: &Principal,
        session: Option<&str>,
    ) -> AuditEvent {
        let mut event = AuditEvent::new(kind);
        if !self.endpoint.is_empty() {
            event.endpoint = Some(self.endpoint.to_string());
        }
        event.session = session.map(str::to_owned);
        event.consumer.clone_from(&principal.consumer);
        if principal.consumer.is_none() || principal.subject != principal.consumer {
            event.subject.clone_from(&principal.subject);
        }
        event.groups.clone_from(&principal.groups);
        event
    }

    /// Records an ACL decision on `tool`.
    pub(crate) fn acl_decision(
        &self,
        tool: &str,
        upstream: Option<&str>,
        principal: &Principal,
        session: Option<&str>,
        denial: Option<&Denial>,
    ) {
        let mut event = self.event("acl", principal, session);
        event.tool = Some(tool.to_owned());
        event.upstream = upstream.map(str::to_owned);
        event.decision = Some(if denial.is_some() {
            Decision::Deny
        } else {
            Decision::Allow
        });
        event.reason = denial.map(|d| d.subject.clone());
        self.audit.record(&event);
    }

    /// Counts a finished call of `tool` (`None`: not a tool of this endpoint).
    pub(crate) fn count_call(&self, tool: Option<&str>, outcome: Outcome, elapsed: Duration) {
        if let Some(metrics) = &self.metrics {
            metrics.tool_call(&self.endpoint, tool.unwrap_or("_unknown"), outcome, elapsed);
        }
    }

    /// Counts an upstream failure.
    pub(crate) fn count_upstream_error(&self, upstream: &str, kind: UpstreamErrorKind) {
        if let Some(metrics) = &self.metrics {
            metrics.upstream_error(upstream, kind);
        }
    }

    /// `value` redacted and bounded, for an event's `arguments` or `result`.
    pub(crate) fn payload(&self, value: &Value) -> Value {
        let redacted = self.redactor.redact(value);
        let text = redacted.to_string();
        if text.len() <= MAX_LOGGED_PAYLOAD {
            return redacted;
        }
        let mut cut = MAX_LOGGED_PAYLOAD;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        Value::String(format!("{}…", &text[..cut]))
    }
}

/// The metrics kind of an upstream failure.
pub(crate) fn failure_kind(failure: UpstreamFailure) -> UpstreamErrorKind {
    match failure {
        UpstreamFailure::Timeout => UpstreamErrorKind::Timeout,
        UpstreamFailure::Unreachable => UpstreamErrorKind::Unreachable,
        _ => UpstreamErrorKind::Status,
    }
}

/// The outcome of a result with `isError`, from what the tool reported.
pub(crate) fn error_result_outcome(report: Option<&UpstreamReport>, cancelled: bool) -> Outcome {
    match report.and_then(|r| r.failure) {
        Some(UpstreamFailure::Timeout) => Outcome::Timeout,
        Some(_) => Outcome::UpstreamError,
        None if cancelled => Outcome::Cancelled,
        None => Outcome::ToolError,
    }
}
