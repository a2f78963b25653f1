//! What toolgate tells operators: [`Metrics`] in the Prometheus text format and
//! [`AuditLog`] events, one JSON object per line.
//!
//! Both are handles built once and passed to every part of the request path at build time
//! (the resource server, each endpoint's MCP server and passthrough proxy): no global
//! registry, so a test builds its own and reads exactly what it caused.
//!
//! ```
//! use toolgate_telemetry::{AuditEvent, AuditLog, Metrics, Outcome};
//!
//! let metrics = Metrics::new();
//! metrics.tool_call("weather", "forecast", Outcome::Ok, std::time::Duration::from_millis(12));
//! assert!(metrics.render().contains(
//!     r#"toolgate_tool_calls_total{endpoint="weather",tool="forecast",outcome="ok"} 1"#
//! ));
//!
//! let audit = AuditLog::tracing(); // the target `toolgate::audit` of the process log
//! let mut event = AuditEvent::new("tool_call");
//! event.endpoint = Some("weather".into());
//! event.outcome = Some(Outcome::Ok);
//! audit.record(&event);
//! ```

mod audit;
mod metrics;
mod redact;
mod time;

pub use audit::{AuditEvent, AuditLog, Decision, Outcome};
pub use metrics::{LATENCY_BUCKETS, Metrics, UpstreamErrorKind};
pub use redact::{CREDENTIAL_FIELDS, REDACTED, Redactor};
