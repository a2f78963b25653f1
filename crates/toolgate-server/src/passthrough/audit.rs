//! The passthrough's audit events and call metrics: the gateway's ACL decisions at once, and
//! each forwarded `tools/call` when its answer goes by (in a JSON body or an SSE event).

use std::{sync::Arc, time::Instant};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use serde_json::Value;
use toolgate_telemetry::{Outcome, UpstreamErrorKind};
use toolgate_tools::{AclPolicy, Principal};

use super::{
    jsonrpc::{INVALID_PARAMS, SeenCall},
    sse::{EventSplitter, event_data},
};
use crate::EndpointTelemetry;

/// The `tools/call`s of one request that went upstream, until their answers are seen.
/// Those never answered are recorded as cancelled when it is dropped.
#[derive(Debug)]
pub(super) struct PendingCalls {
    telemetry: Arc<EndpointTelemetry>,
    upstream: String,
    principal: Arc<Principal>,
    session: Option<String>,
    started: Instant,
    calls: Vec<SeenCall>,
}

impl PendingCalls {
    /// Records the gateway's decisions on `calls` (ACL events; a `tools/call` event for
    /// each denied one) and keeps the forwarded ones.
    pub(super) fn decide(
        telemetry: &Arc<EndpointTelemetry>,
        acl: &AclPolicy,
        upstream: &str,
        principal: &Arc<Principal>,
        session: Option<&str>,
        calls: Vec<SeenCall>,
    ) -> Self {
        let mut pending = Self {
            telemetry: Arc::clone(telemetry),
            upstream: upstream.to_owned(),
            principal: Arc::clone(principal),
            session: session.map(str::to_owned),
            started: Instant::now(),
            calls: Vec::new(),
        };
        for call in calls {
            if acl.governs(&call.tool) {
                telemetry.acl_decision(
                    &call.tool,
                    Some(upstream),
                    principal,
                    session,
                    call.denial.as_ref(),
                );
            }
            if let Some(denial) = &call.denial {
                let answer =
                    serde_json::json!({"code": INVALID_PARAMS, "message": denial.to_string()});
                pending.finish(call, Outcome::Denied, Some(INVALID_PARAMS), None, &answer);
            } else if call.id.is_some() {
                pending.calls.push(call);
            }
        }
        pending
    }

    /// Whether answers are awaited.
    pub(super) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// How many calls are awaited.
    pub(super) fn len(&self) -> usize {
        self.calls.len()
    }

    /// Every awaited call was refused at the gateway with JSON-RPC error `code` (the upstream
    /// never saw them).
    pub(super) fn refuse_all(&mut self, code: i64, message: &str) {
        let answer = serde_json::json!({"code": code, "message": message});
        for call in std::mem::take(&mut self.calls) {
            self.finish(call, Outcome::Error, Some(code), None, &answer);
        }
    }

    /// Every awaited call failed with the upstream (unreachable, or an HTTP error status).
    pub(super) fn fail_all(&mut self, status: Option<u16>, code: Option<i64>) {
        let kind = if status.is_some() {
            UpstreamErrorKind::Status
        } else {
            UpstreamErrorKind::Unreachable
        };
        self.telemetry.count_upstream_error(&self.upstream, kind);
        let answer = serde_json::json!({"status": status, "code": code});
        for call in std::mem::take(&mut self.calls) {
            self.finish(call, Outcome::UpstreamError, code, status, &answer);
        }
    }

    /// Records the calls `message` (a response, or a batch of them) answers.
    pub(super) fn observe(&mut self, message: &Value, status: u16) {
        if let Value::Array(items) = message {
            for item in items {
                self.observe_one(item, status);
            }
        } else {
            self.observe_one(message, status);
        }
    }

    fn observe_one(&mut self, message: &Value, status: u16) {
        if self.calls.is_empty() || message.get("method").is_some() {
            return;
        }
        let Some(id) = message.get("id") else {
            return;
        };
        let Some(index) = self.calls.iter().position(|c| c.id.as_ref() == Some(id)) else {
            return;
        };
        let call = self.calls.swap_remove(index);
        let (outcome, code, answer) = if let Some(error) = message.get("error") {
            let code = error.get("code").and_then(Value::as_i64);
            let outcome = if code == Some(INVALID_PARAMS) {
                Outcome::Invalid
            } else {
                self.telemetry
                    .count_upstream_error(&self.upstream, UpstreamErrorKind::Status);
                Outcome::UpstreamError
            };
            (outcome, code, error)
        } else {
            let result = message.get("result").unwrap_or(&Value::Null);
            let failed = result.get("isError").and_then(Value::as_bool) == Some(true);
            let outcome = if failed {
                Outcome::ToolError
            } else {
                Outcome::Ok
            };
            (outcome, None, result)
        };
        self.finish(call, outcome, code, Some(status), answer);
    }

    fn finish(
        &self,
        call: SeenCall,
        outcome: Outcome,
        code: Option<i64>,
        status: Option<u16>,
        answer: &Value,
    ) {
        let telemetry = &self.telemetry;
        let elapsed = self.started.elapsed();
        telemetry.count_call(Some(&call.tool), outcome, elapsed);
        if !telemetry.logging.statistics {
            return;
        }
        let mut event = telemetry.event("tool_call", &self.principal, self.session.as_deref());
        event.tool = Some(call.tool);
        event.upstream = Some(self.upstream.clone());
        event.outcome = Some(outcome);
        event.jsonrpc_code = code;
        event.upstream_status = status;
        event.latency_ms = Some(elapsed.as_secs_f64() * 1000.0);
        event.request_bytes = Some(call.request_bytes);
        event.response_bytes = Some(answer.to_string().len());
        if telemetry.logging.payloads {
            event.arguments = Some(
                call.arguments
                    .as_ref()
                    .map_or(Value::Null, |a| telemetry.payload(a)),
            );
            event.result = Some(telemetry.payload(answer));
        }
        telemetry.audit.record(&event);
    }
}

impl Drop for PendingCalls {
    fn drop(&mut self) {
        // The stream ended (or the client left) before these were answered.
        for call in std::mem::take(&mut self.calls) {
            self.finish(call, Outcome::Cancelled, None, None, &Value::Null);
        }
    }
}

/// `upstream`'s bytes unchanged, with every complete SSE event's data shown to `pending`.
pub(super) fn observe_stream<S, E>(
    upstream: S,
    pending: PendingCalls,
    status: u16,
) -> impl Stream<Item = Result<Bytes, E>> + Send + 'static
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Send + 'static,
{
    let mut splitter = EventSplitter::default();
    let mut pending = Some(pending);
    upstream.map(move |chunk| {
        if let (Ok(bytes), Some(calls)) = (&chunk, pending.as_mut()) {
            for event in splitter.push(bytes) {
                if let Some(message) =
                    event_data(&event).and_then(|data| serde_json::from_slice::<Value>(&data).ok())
                {
                    calls.observe(&message, status);
                }
            }
            if calls.is_empty() {
                // Every call is answered: the rest passes without being looked at.
                pending = None;
            }
        }
        chunk
    })
}
