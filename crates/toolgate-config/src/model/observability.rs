//! `admin` and `audit`: where metrics are served and audit events written.

use std::net::SocketAddr;

use schemars::JsonSchema;
use serde::Deserialize;

/// The admin listener: `/metrics` (Prometheus text), `/healthz` and `/readyz`.
///
/// It has no authentication: bind it to loopback (or a network only the scraper reaches),
/// never to a public listener's address (refused).
///
/// ```yaml
/// admin: {listen: 127.0.0.1:9100}
/// ```
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// `host:port` to bind, e.g. `127.0.0.1:9100` (`serve --admin-listen` replaces it).
    pub listen: SocketAddr,
}

/// Where audit events go, and what every endpoint's logged payloads redact.
///
/// ```yaml
/// audit:
///   file: /var/log/toolgate/audit.jsonl
///   redact: [password, ssn]
/// ```
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Append audit events to this file, one JSON object per line (relative to this config
    /// file); reopened on reload, so a rotated file is picked up. Default: the process log
    /// on stderr, tracing target `toolgate::audit` (JSON lines with `--log-format json`).
    #[serde(default)]
    pub file: Option<String>,
    /// Argument and result field names redacted in every endpoint's logged payloads, beside
    /// each endpoint's `logging.redact` and the credential names always redacted
    /// (`authorization`, `password`, `token`, `api_key`, `client_secret`, …).
    #[serde(default)]
    pub redact: Vec<String>,
}
