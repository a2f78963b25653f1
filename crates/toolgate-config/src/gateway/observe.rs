//! The gateway's audit log, metrics, redaction and readiness, from `audit`, `admin` and each
//! endpoint's `logging`.

use std::{collections::BTreeMap, net::SocketAddr, path::Path, sync::Arc};

use futures::future::BoxFuture;
use toolgate_auth::ResourceServer;
use toolgate_server::{CallLogging, EndpointTelemetry, NotReady};
use toolgate_telemetry::{AuditLog, Metrics, Redactor};

use crate::{
    Problem,
    model::{Config, LoggingConfig},
};

/// What every endpoint of one build shares.
#[derive(Debug)]
pub(crate) struct Observability {
    pub(crate) metrics: Metrics,
    audit: AuditLog,
    redactor: Redactor,
}

impl Observability {
    /// The audit log of `config` (its file opened now), `metrics`, and a redactor that
    /// knows every credential in the file.
    pub(crate) fn new(
        config: &Config,
        base_dir: Option<&Path>,
        metrics: Metrics,
    ) -> Result<Self, Problem> {
        let audit_config = config.audit.clone().unwrap_or_default();
        let audit = match &audit_config.file {
            Some(file) => {
                let path = match base_dir {
                    Some(dir) if Path::new(file).is_relative() => dir.join(file),
                    _ => Path::new(file).to_path_buf(),
                };
                AuditLog::file(&path).map_err(|e| {
                    Problem::error(
                        "audit.file",
                        format!("cannot open {} for appending: {e}", path.display()),
                    )
                })?
            }
            None => AuditLog::tracing(),
        };
        let redactor = Redactor::new()
            .with_fields(&audit_config.redact)
            .with_secrets(secrets_of(config));
        Ok(Self {
            metrics,
            audit,
            redactor,
        })
    }

    /// The telemetry of the endpoint `name` with its `logging` block.
    pub(crate) fn endpoint(
        &self,
        name: &str,
        logging: Option<&LoggingConfig>,
    ) -> EndpointTelemetry {
        let logging = logging.cloned().unwrap_or_default();
        let payloads = logging.log_payloads || logging.log_audits;
        EndpointTelemetry::new(name)
            .with_audit_log(self.audit.clone())
            .with_metrics(self.metrics.clone())
            .with_redactor(self.redactor.clone().with_fields(&logging.redact))
            .with_call_logging(CallLogging::new(
                logging.log_statistics || payloads,
                payloads,
            ))
    }
}

/// `server` counting its refusals and cache use for `endpoint` (it is not shared yet).
pub(crate) fn count_auth(
    server: Arc<ResourceServer>,
    metrics: &Metrics,
    endpoint: &str,
) -> Arc<ResourceServer> {
    match Arc::try_unwrap(server) {
        Ok(server) => Arc::new(server.with_metrics(metrics.clone(), endpoint)),
        Err(shared) => shared,
    }
}

/// Every credential the file holds, so that none is ever logged in a payload: client
/// secrets, API keys in clear, upstream credentials and fixed query and header values.
fn secrets_of(config: &Config) -> Vec<String> {
    let mut secrets = Vec::new();
    for profile in config.auth.values() {
        secrets.extend(profile.client_secret.clone());
    }
    for consumer in &config.consumers {
        secrets.extend(
            consumer
                .keys
                .iter()
                .filter(|k| !k.starts_with("sha256:"))
                .cloned(),
        );
    }
    for endpoint in &config.endpoints {
        if let Some(passthrough) = &endpoint.passthrough {
            secrets.extend(passthrough.credential.clone());
            secrets.extend(passthrough.headers.values().cloned());
        }
    }
    for toolset in &config.toolsets {
        if let Some(rest) = &toolset.rest {
            for value in rest.query.values().chain(rest.headers.values()) {
                secrets.extend(value.values());
            }
        }
        if let Some(openapi) = &toolset.openapi {
            secrets.extend(openapi.credentials.values().cloned());
        }
    }
    secrets
}

/// What `/readyz` checks: every remote toolset connected, every auth profile's
/// authorization servers reachable.
#[derive(Clone, Debug, Default)]
pub(crate) struct Readiness {
    /// One resource server per auth profile.
    pub(crate) auth: BTreeMap<String, Arc<ResourceServer>>,
}

impl Readiness {
    /// The components of `readiness` and `remotes` that are not ready.
    pub(crate) fn check(&self, remotes: Vec<(String, bool)>) -> BoxFuture<'static, Vec<NotReady>> {
        let auth: Vec<(String, Arc<ResourceServer>)> = self
            .auth
            .iter()
            .map(|(name, server)| (name.clone(), Arc::clone(server)))
            .collect();
        Box::pin(async move {
            let mut not_ready: Vec<NotReady> = remotes
                .into_iter()
                .filter(|(_, connected)| !connected)
                .map(|(name, _)| {
                    NotReady::new(
                        format!("toolset:{name}"),
                        "the remote MCP server is not connected (reconnecting)",
                    )
                })
                .collect();
            not_ready.extend(toolgate_server::check_authorization_servers(auth).await);
            not_ready
        })
    }
}

/// Refuses an admin address that a public listener also uses (same port on the same or an
/// unspecified address).
pub(crate) fn check_admin_address(
    admin: SocketAddr,
    listeners: &[(String, SocketAddr)],
) -> Result<(), Problem> {
    for (name, address) in listeners {
        let same_ip = admin.ip() == address.ip()
            || admin.ip().is_unspecified()
            || address.ip().is_unspecified();
        if admin.port() != 0 && admin.port() == address.port() && same_ip {
            return Err(Problem::error(
                "admin.listen",
                format!(
                    "{admin} is the address of the listener `{name}`: the admin listener (no authentication) must have its own"
                ),
            ));
        }
    }
    Ok(())
}
