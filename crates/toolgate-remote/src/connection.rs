//! One connection to the upstream: the transport, the rmcp client handler that routes
//! progress and list-change notifications, and the handshake plus `tools/list`.

use std::{
    collections::HashMap,
    process::Stdio,
    sync::{Arc, Mutex, PoisonError},
};

use http::{HeaderName, HeaderValue};
use rmcp::{
    ClientHandler, RoleClient, ServiceExt,
    model::{
        ClientCapabilities, ClientConfig, Implementation, ProgressNotificationParam, ProgressToken,
    },
    service::{NotificationContext, Peer, RunningService},
    transport::{
        StreamableHttpClientTransport, TokioChildProcess,
        streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    sync::{Notify, mpsc},
};
use tokio_util::sync::CancellationToken;

use crate::{RemoteConfig, RemoteError, RemoteTransport};

/// A running rmcp client session with the upstream.
pub(crate) type Session = RunningService<RoleClient, UpstreamClient>;

/// How many progress notifications wait for one call before newer ones are dropped.
const PROGRESS_BUFFER: usize = 32;

/// Waiting calls by the progress token their upstream request carries.
#[derive(Debug, Default)]
pub(crate) struct ProgressRoutes {
    routes: Mutex<HashMap<ProgressToken, mpsc::Sender<ProgressNotificationParam>>>,
}

impl ProgressRoutes {
    /// Routes notifications for `token` to the returned receiver until the guard drops.
    pub(crate) fn register(self: &Arc<Self>, token: ProgressToken) -> ProgressRoute {
        let (sender, receiver) = mpsc::channel(PROGRESS_BUFFER);
        self.routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.clone(), sender);
        ProgressRoute {
            token,
            routes: Arc::clone(self),
            receiver,
        }
    }

    /// Hands a notification to the call waiting for its token; never waits.
    fn route(&self, params: ProgressNotificationParam) {
        let sender = self
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&params.progress_token)
            .cloned();
        if let Some(sender) = sender
            && sender.try_send(params).is_err()
        {
            tracing::debug!("progress notification dropped: the call is not keeping up");
        }
    }
}

/// The receiving end of one call's progress route; unregisters when dropped.
#[derive(Debug)]
pub(crate) struct ProgressRoute {
    token: ProgressToken,
    routes: Arc<ProgressRoutes>,
    pub(crate) receiver: mpsc::Receiver<ProgressNotificationParam>,
}

impl Drop for ProgressRoute {
    fn drop(&mut self) {
        let removed = self
            .routes
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.token);
        drop(removed);
    }
}

/// The rmcp client handler of one connection.
#[derive(Debug, Clone)]
pub(crate) struct UpstreamClient {
    progress: Arc<ProgressRoutes>,
    list_changed: Arc<Notify>,
}

impl ClientHandler for UpstreamClient {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.route(params);
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changed.notify_one();
    }

    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("toolgate", env!("CARGO_PKG_VERSION")),
        )
    }
}

/// A live connection as calls see it.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) peer: Peer<RoleClient>,
    /// Notified by a call that saw the transport fail.
    pub(crate) lost: Arc<Notify>,
}

/// A fresh session and what its supervisor listens to.
pub(crate) struct Established {
    pub(crate) session: Session,
    pub(crate) connection: Connection,
    pub(crate) list_changed: Arc<Notify>,
    /// Ends the session when cancelled (a child of the toolset's shutdown token).
    pub(crate) session_ct: CancellationToken,
    pub(crate) tools: Vec<rmcp::model::Tool>,
}

/// Connects, shakes hands and lists every tool, all within the configured timeout.
/// `ct` ends the session when cancelled.
pub(crate) async fn establish(
    config: &RemoteConfig,
    progress: &Arc<ProgressRoutes>,
    ct: CancellationToken,
) -> Result<Established, RemoteError> {
    let timeout_ms = config.timeout_ms;
    let name = &config.name;
    tokio::time::timeout(config.timeout(), async {
        let list_changed = Arc::new(Notify::new());
        let handler = UpstreamClient {
            progress: Arc::clone(progress),
            list_changed: Arc::clone(&list_changed),
        };
        let session = serve(config, handler, ct.clone()).await?;
        let tools =
            session
                .peer()
                .list_all_tools()
                .await
                .map_err(|source| RemoteError::ListTools {
                    name: name.clone(),
                    source: Box::new(source),
                })?;
        let connection = Connection {
            peer: session.peer().clone(),
            lost: Arc::new(Notify::new()),
        };
        Ok(Established {
            session,
            connection,
            list_changed,
            session_ct: ct,
            tools,
        })
    })
    .await
    .map_err(|_elapsed| RemoteError::Timeout {
        name: name.clone(),
        timeout_ms,
    })?
}

async fn serve(
    config: &RemoteConfig,
    handler: UpstreamClient,
    ct: CancellationToken,
) -> Result<Session, RemoteError> {
    let name = &config.name;
    let handshake = |source| RemoteError::Handshake {
        name: name.clone(),
        source: Box::new(source),
    };
    match &config.transport {
        RemoteTransport::StreamableHttp {
            url,
            headers,
            bearer_env,
            client_credentials,
        } => {
            install_crypto_provider();
            let client = if config.deny_private_networks {
                Some(guarded_client(name, url).await?)
            } else {
                None
            };
            let mut http = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                .custom_headers(header_map(name, headers)?);
            if let Some(variable) = bearer_env {
                let token = std::env::var(variable).map_err(|source| RemoteError::BearerEnv {
                    name: name.clone(),
                    variable: variable.clone(),
                    source,
                })?;
                http = http.auth_header(token);
            }
            if let Some(grant) = client_credentials {
                http = http.auth_header(
                    crate::oauth::token(name, grant, config.deny_private_networks).await?,
                );
            }
            let transport = match client {
                Some(client) => StreamableHttpClientTransport::with_client(client, http),
                None => StreamableHttpClientTransport::from_config(http),
            };
            handler
                .serve_with_ct(transport, ct)
                .await
                .map_err(handshake)
        }
        RemoteTransport::Stdio {
            command,
            args,
            env,
            cwd,
        } => {
            let mut child = tokio::process::Command::new(command);
            child.args(args).envs(env).kill_on_drop(true);
            if let Some(cwd) = cwd {
                child.current_dir(cwd);
            }
            let (transport, stderr) = TokioChildProcess::builder(child)
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|source| RemoteError::Spawn {
                    name: name.clone(),
                    command: command.clone(),
                    source,
                })?;
            if let Some(stderr) = stderr {
                let upstream = name.clone();
                tokio::spawn(async move {
                    let mut lines = BufReader::new(stderr).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        tracing::debug!(upstream = %upstream, "stderr: {line}");
                    }
                });
            }
            handler
                .serve_with_ct(transport, ct)
                .await
                .map_err(handshake)
        }
    }
}

/// A client for `url` that connects to public addresses only, after checking `url` (so the
/// refusal reads well); redirects are not followed. As rmcp's own client, it keeps no idle
/// connections.
async fn guarded_client(name: &str, url: &str) -> Result<reqwest::Client, RemoteError> {
    let refused = |source| RemoteError::PrivateNetwork {
        name: name.to_owned(),
        source,
    };
    if let Ok(parsed) = url::Url::parse(url) {
        toolgate_net::check_url_resolved(&parsed)
            .await
            .map_err(refused)?;
    }
    toolgate_net::guard(reqwest::Client::builder())
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|source| RemoteError::Client {
            name: name.to_owned(),
            source,
        })
}

fn header_map(
    name: &str,
    headers: &std::collections::BTreeMap<String, String>,
) -> Result<HashMap<HeaderName, HeaderValue>, RemoteError> {
    headers
        .iter()
        .map(|(header, value)| {
            let header_name = HeaderName::try_from(header.as_str()).map_err(|source| {
                RemoteError::InvalidHeaderName {
                    name: name.to_owned(),
                    header: header.clone(),
                    source,
                }
            })?;
            let mut value = HeaderValue::try_from(value.as_str()).map_err(|source| {
                RemoteError::InvalidHeaderValue {
                    name: name.to_owned(),
                    header: header.clone(),
                    source,
                }
            })?;
            value.set_sensitive(true);
            Ok((header_name, value))
        })
        .collect()
}

/// reqwest is built without a TLS crypto provider; the process-wide one is ring, as in
/// the other toolgate crates. Installing twice is harmless.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
