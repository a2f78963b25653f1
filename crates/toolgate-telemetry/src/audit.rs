//! Audit events: one per `tools/call` and one per ACL decision, written as JSON lines to a
//! file or as events of the tracing target `toolgate::audit` (the process log).

use std::{
    fmt,
    fs::{File, OpenOptions},
    io::{self, LineWriter, Write as _},
    path::Path,
    sync::{Arc, Mutex, PoisonError},
};

use serde::Serialize;
use serde_json::Value;

/// How a `tools/call` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// A result without `isError`.
    Ok,
    /// A result with `isError` that the tool itself produced.
    ToolError,
    /// The ACL (or a missing scope) refused the caller: JSON-RPC -32602.
    Denied,
    /// Unknown tool or arguments that fail the input schema: JSON-RPC -32602.
    Invalid,
    /// The upstream answered an HTTP error status, a JSON-RPC error, or could not be reached.
    UpstreamError,
    /// The upstream did not answer in time.
    Timeout,
    /// The client cancelled the call.
    Cancelled,
    /// Any other JSON-RPC error.
    Error,
}

impl Outcome {
    /// The label and field value: `ok`, `tool_error`, `denied`, `invalid`,
    /// `upstream_error`, `timeout`, `cancelled`, `error`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ToolError => "tool_error",
            Self::Denied => "denied",
            Self::Invalid => "invalid",
            Self::UpstreamError => "upstream_error",
            Self::Timeout => "timeout",
            Self::Cancelled => "cancelled",
            Self::Error => "error",
        }
    }
}

/// An ACL decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The caller may call the tool.
    Allow,
    /// The caller may not.
    Deny,
}

impl Decision {
    /// `allow` or `deny`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }
}

/// One audit event. Fields that do not apply are left out of the JSON line.
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct AuditEvent {
    /// When it happened, RFC 3339 UTC with milliseconds; set by [`AuditEvent::new`].
    pub time: String,
    /// `tool_call` or `acl`.
    pub event: &'static str,
    /// The endpoint's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The MCP session (`Mcp-Session-Id`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The caller's consumer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    /// The caller's subject (`sub`), when it differs from the consumer or there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The caller's consumer groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The tool called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Where the call went: the upstream host, or the toolset or remote server's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// `acl` events: the decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// `acl` denials: who was refused (`consumer group 'dev'`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `tool_call` events: how the call ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The JSON-RPC error code of a call answered with an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jsonrpc_code: Option<i64>,
    /// The upstream's HTTP status, where there was an HTTP exchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// Milliseconds from the request to the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Bytes of the call's arguments (JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_bytes: Option<usize>,
    /// Bytes of the call's result or error (JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_bytes: Option<usize>,
    /// The arguments, redacted (payload logging only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// The result, redacted (payload logging only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

impl AuditEvent {
    /// An event of kind `event` happening now.
    #[must_use]
    pub fn new(event: &'static str) -> Self {
        Self {
            time: crate::time::now_rfc3339(),
            event,
            ..Self::default()
        }
    }

    /// The event as one JSON line (without the newline).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"event\":\"{}\"}}", self.event))
    }
}

/// Where audit events go. Cheap to clone: clones share the sink.
#[derive(Clone, Default)]
pub struct AuditLog {
    sink: Arc<Sink>,
}

#[derive(Default)]
enum Sink {
    /// Events of the tracing target `toolgate::audit`: wherever the process logs (stderr,
    /// JSON lines with `--log-format json`).
    #[default]
    Tracing,
    /// One JSON object per line, appended.
    File {
        path: String,
        writer: Mutex<LineWriter<File>>,
    },
}

impl fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.sink {
            Sink::Tracing => f.write_str("AuditLog(tracing)"),
            Sink::File { path, .. } => write!(f, "AuditLog(file {path})"),
        }
    }
}

impl AuditLog {
    /// Events go to the process log, target `toolgate::audit` (the default).
    #[must_use]
    pub fn tracing() -> Self {
        Self::default()
    }

    /// Events are appended to `path` as JSON lines (the file is created when missing).
    ///
    /// # Errors
    /// When the file cannot be opened for appending.
    pub fn file(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            sink: Arc::new(Sink::File {
                path: path.display().to_string(),
                writer: Mutex::new(LineWriter::new(file)),
            }),
        })
    }

    /// Writes `event`.
    pub fn record(&self, event: &AuditEvent) {
        match &*self.sink {
            Sink::Tracing => to_tracing(event),
            Sink::File { path, writer } => {
                let mut line = event.to_json();
                line.push('\n');
                let mut writer = writer.lock().unwrap_or_else(PoisonError::into_inner);
                if let Err(error) = writer.write_all(line.as_bytes()) {
                    tracing::error!(%path, %error, "cannot write the audit file");
                }
            }
        }
    }
}

fn to_tracing(event: &AuditEvent) {
    let arguments = event.arguments.as_ref().map(Value::to_string);
    let result = event.result.as_ref().map(Value::to_string);
    tracing::info!(
        target: "toolgate::audit",
        event = event.event,
        endpoint = event.endpoint.as_deref(),
        session = event.session.as_deref(),
        consumer = event.consumer.as_deref(),
        subject = event.subject.as_deref(),
        groups = ?event.groups,
        tool = event.tool.as_deref(),
        upstream = event.upstream.as_deref(),
        decision = event.decision.map(Decision::as_str),
        reason = event.reason.as_deref(),
        outcome = event.outcome.map(Outcome::as_str),
        jsonrpc_code = event.jsonrpc_code,
        upstream_status = event.upstream_status,
        latency_ms = event.latency_ms,
        request_bytes = event.request_bytes,
        response_bytes = event.response_bytes,
        arguments = arguments.as_deref(),
        result = result.as_deref(),
    );
}

#[cfg(test)]
mod tests;
