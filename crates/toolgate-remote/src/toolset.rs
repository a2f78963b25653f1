//! [`RemoteToolset`]: the tools of one upstream MCP server, kept current by a supervisor
//! task that owns the connection.

use std::{
    collections::HashSet,
    fmt,
    sync::{Arc, Mutex, PoisonError, RwLock},
    time::Duration,
};

use tokio::{sync::watch, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use toolgate_tools::{LiveRegistry, Tool, ToolSet};

use crate::{
    RemoteConfig, RemoteError, RemoteTool,
    connection::{Connection, Established, ProgressRoutes, establish},
    naming::{glob_matches, served_name},
};

/// First wait before a reconnection attempt.
const BACKOFF_START: Duration = Duration::from_millis(250);
/// Longest wait between reconnection attempts; attempts go on at this pace forever.
const BACKOFF_CAP: Duration = Duration::from_secs(10);
/// Longest wait for a closing session (child process included) to finish.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What tools and the supervisor share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) name: String,
    pub(crate) timeout: Duration,
    /// `None` while the upstream is down.
    pub(crate) connection: RwLock<Option<Connection>>,
    pub(crate) progress: Arc<ProgressRoutes>,
    skipped: Mutex<Vec<SkippedTool>>,
}

impl Shared {
    fn set_connection(&self, connection: Option<Connection>) {
        *self
            .connection
            .write()
            .unwrap_or_else(PoisonError::into_inner) = connection;
    }
}

/// An upstream tool that is not served, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedTool {
    /// The tool's upstream name.
    pub upstream_name: String,
    /// Why it is not served.
    pub reason: SkipReason,
}

/// Why an upstream tool is not served.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// `include` does not name it, or `exclude` does.
    Filtered,
    /// Its name (prefixed) has characters outside `[a-zA-Z0-9_-]`.
    InvalidName,
    /// Another upstream tool is served under the same name.
    DuplicateName {
        /// The served name both would have.
        served_name: String,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Filtered => f.write_str("filtered out by include/exclude"),
            Self::InvalidName => {
                f.write_str("its name does not fit ^[a-zA-Z0-9_-]{1,64}$ (after prefixing)")
            }
            Self::DuplicateName { served_name } => {
                write!(
                    f,
                    "another upstream tool is already served as '{served_name}'"
                )
            }
        }
    }
}

/// The tools of an upstream MCP server, over streamable HTTP or stdio.
///
/// A background task owns the connection: it reconnects with exponential backoff when
/// the transport is lost (calls answer an `isError` result meanwhile), and refetches the
/// tool list after a reconnection and on `notifications/tools/list_changed`. Every change
/// is published on [`RemoteToolset::changes`]. Dropping the toolset, or
/// [`RemoteToolset::shutdown`], stops the task and the child process.
///
/// ```no_run
/// # async fn demo() -> Result<(), toolgate_remote::RemoteError> {
/// use toolgate_remote::{RemoteConfig, RemoteToolset, RemoteTransport};
///
/// let config = RemoteConfig::new("docs", RemoteTransport::streamable_http("http://127.0.0.1:3001/mcp"))
///     .with_prefix("docs")
///     .with_tags(["public"]);
/// let remote = RemoteToolset::connect(config).await?;
/// let mut registry = toolgate_tools::ToolRegistry::new();
/// registry.add(remote.toolset());
/// # Ok(()) }
/// ```
pub struct RemoteToolset {
    shared: Arc<Shared>,
    changes: watch::Receiver<ToolSet>,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for RemoteToolset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteToolset")
            .field("name", &self.shared.name)
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl RemoteToolset {
    /// Connects to the upstream, lists its tools and starts the supervisor.
    ///
    /// # Errors
    /// [`RemoteError`] when the configuration is unusable or the first connection,
    /// handshake or `tools/list` fails; later failures are handled by reconnecting.
    pub async fn connect(config: RemoteConfig) -> Result<Self, RemoteError> {
        validate(&config)?;
        let shared = Arc::new(Shared {
            name: config.name.clone(),
            timeout: config.timeout(),
            connection: RwLock::new(None),
            progress: Arc::default(),
            skipped: Mutex::default(),
        });
        let shutdown = CancellationToken::new();
        let established = establish(&config, &shared.progress, shutdown.child_token()).await?;
        let toolset = build_toolset(&config, &shared, &established.tools);
        shared.set_connection(Some(established.connection.clone()));
        let (sender, changes) = watch::channel(toolset);
        let supervisor = Supervisor {
            config,
            shared: Arc::clone(&shared),
            sender,
            shutdown: shutdown.clone(),
        };
        let task = tokio::spawn(supervisor.run(established));
        Ok(Self {
            shared,
            changes,
            shutdown,
            task: Some(task),
        })
    }

    /// The toolset's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The current tools.
    #[must_use]
    pub fn toolset(&self) -> ToolSet {
        self.changes.borrow().clone()
    }

    /// Yields the new [`ToolSet`] whenever the upstream's tool list changes.
    #[must_use]
    pub fn changes(&self) -> watch::Receiver<ToolSet> {
        self.changes.clone()
    }

    /// Keeps `registry` current: every new tool list replaces this toolset there, so the
    /// endpoints built from it change and their clients get `tools/list_changed`. The task
    /// ends when the toolset shuts down.
    pub fn publish_to(&self, registry: Arc<LiveRegistry>) -> tokio::task::JoinHandle<()> {
        let mut changes = self.changes();
        let name = self.shared.name.clone();
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                let toolset = changes.borrow_and_update().clone();
                if let Err(error) = registry.replace_toolset(toolset) {
                    tracing::error!(upstream = %name, %error, "the new tool list was not served");
                }
            }
        })
    }

    /// Upstream tools of the last listing that are not served, and why.
    #[must_use]
    pub fn skipped(&self) -> Vec<SkippedTool> {
        self.shared
            .skipped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the upstream is connected right now.
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.shared
            .connection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Closes the connection (ending the child process) and stops the supervisor.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take()
            && tokio::time::timeout(CLOSE_TIMEOUT * 2, task).await.is_err()
        {
            tracing::warn!(upstream = %self.shared.name, "remote toolset did not stop in time");
        }
    }
}

impl Drop for RemoteToolset {
    fn drop(&mut self) {
        // The supervisor closes the session (and so the child process) on its way out.
        self.shutdown.cancel();
    }
}

fn validate(config: &RemoteConfig) -> Result<(), RemoteError> {
    if let Some(prefix) = &config.prefix
        && (prefix.is_empty() || served_name(Some(prefix), "x").is_none())
    {
        return Err(RemoteError::InvalidPrefix {
            name: config.name.clone(),
            prefix: prefix.clone(),
        });
    }
    if config
        .include
        .iter()
        .chain(&config.exclude)
        .any(String::is_empty)
    {
        return Err(RemoteError::EmptyGlob {
            name: config.name.clone(),
        });
    }
    Ok(())
}

/// The served tools of an upstream listing; records what is skipped.
fn build_toolset(
    config: &RemoteConfig,
    shared: &Arc<Shared>,
    upstream: &[rmcp::model::Tool],
) -> ToolSet {
    let mut skipped = Vec::new();
    let mut served = HashSet::new();
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    for tool in upstream {
        let upstream_name = tool.name.to_string();
        let included = config.include.is_empty()
            || config
                .include
                .iter()
                .any(|g| glob_matches(g, &upstream_name));
        let excluded = config
            .exclude
            .iter()
            .any(|g| glob_matches(g, &upstream_name));
        let reason = if !included || excluded {
            Some(SkipReason::Filtered)
        } else {
            match served_name(config.prefix.as_deref(), &upstream_name) {
                None => Some(SkipReason::InvalidName),
                Some(name) if !served.insert(name.clone()) => {
                    Some(SkipReason::DuplicateName { served_name: name })
                }
                Some(name) => {
                    let mut descriptor = tool.clone();
                    descriptor.name = name.into();
                    tools.push(Arc::new(RemoteTool::new(
                        descriptor,
                        upstream_name.clone(),
                        Arc::clone(shared),
                    )));
                    None
                }
            }
        };
        if let Some(reason) = reason {
            tracing::info!(
                upstream = %config.name,
                tool = %upstream_name,
                %reason,
                "upstream tool not served"
            );
            skipped.push(SkippedTool {
                upstream_name,
                reason,
            });
        }
    }
    *shared
        .skipped
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = skipped;
    ToolSet::new(config.name.clone())
        .with_tags(config.tags.iter().cloned())
        .with_tools(tools)
}

/// Why a connected phase ended.
enum Ended {
    Shutdown,
    Lost,
}

/// The task that owns the connection.
struct Supervisor {
    config: RemoteConfig,
    shared: Arc<Shared>,
    sender: watch::Sender<ToolSet>,
    shutdown: CancellationToken,
}

impl Supervisor {
    async fn run(self, mut established: Established) {
        loop {
            if matches!(self.connected(established).await, Ended::Shutdown) {
                return;
            }
            let Some(next) = self.reconnect().await else {
                return;
            };
            self.publish(&next.tools);
            self.shared.set_connection(Some(next.connection.clone()));
            tracing::info!(upstream = %self.shared.name, "reconnected to the upstream MCP server");
            established = next;
        }
    }

    /// Serves one session until it ends; refetches tools on list changes.
    async fn connected(&self, established: Established) -> Ended {
        let Established {
            session,
            connection,
            list_changed,
            session_ct,
            tools: _,
        } = established;
        let peer = connection.peer.clone();
        let waiting = session.waiting();
        tokio::pin!(waiting);
        let ended = loop {
            tokio::select! {
                () = self.shutdown.cancelled() => break Ended::Shutdown,
                _ = &mut waiting => {
                    tracing::warn!(upstream = %self.shared.name, "the upstream MCP server closed the connection");
                    self.shared.set_connection(None);
                    return Ended::Lost;
                }
                () = connection.lost.notified() => {
                    tracing::warn!(upstream = %self.shared.name, "the upstream MCP server is unreachable");
                    break Ended::Lost;
                }
                () = list_changed.notified() => {
                    match tokio::time::timeout(self.shared.timeout, peer.list_all_tools()).await {
                        Ok(Ok(tools)) => self.publish(&tools),
                        Ok(Err(error)) => {
                            tracing::warn!(upstream = %self.shared.name, %error, "tools/list after list_changed failed");
                            if matches!(error, rmcp::ServiceError::TransportClosed | rmcp::ServiceError::TransportSend(_)) {
                                break Ended::Lost;
                            }
                        }
                        Err(_elapsed) => {
                            tracing::warn!(upstream = %self.shared.name, "tools/list after list_changed timed out");
                        }
                    }
                }
            }
        };
        self.shared.set_connection(None);
        session_ct.cancel();
        if tokio::time::timeout(CLOSE_TIMEOUT, &mut waiting)
            .await
            .is_err()
        {
            tracing::warn!(upstream = %self.shared.name, "the upstream session did not close in time");
        }
        ended
    }

    /// Tries to connect until it works (`Some`) or the toolset shuts down (`None`).
    async fn reconnect(&self) -> Option<Established> {
        let mut delay = BACKOFF_START;
        let mut attempt = 0_u32;
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => return None,
                () = tokio::time::sleep(delay) => {}
            }
            attempt += 1;
            let ct = self.shutdown.child_token();
            let result = tokio::select! {
                () = self.shutdown.cancelled() => return None,
                result = establish(&self.config, &self.shared.progress, ct) => result,
            };
            match result {
                Ok(established) => return Some(established),
                Err(error) => {
                    tracing::warn!(upstream = %self.shared.name, attempt, %error, "reconnection failed");
                    delay = (delay * 2).min(BACKOFF_CAP);
                }
            }
        }
    }

    /// Publishes the toolset of `tools` when it differs from the current one.
    fn publish(&self, tools: &[rmcp::model::Tool]) {
        let toolset = build_toolset(&self.config, &self.shared, tools);
        self.sender.send_if_modified(|current| {
            let same = current.tools().len() == toolset.tools().len()
                && current
                    .tools()
                    .iter()
                    .zip(toolset.tools())
                    .all(|(a, b)| a.descriptor() == b.descriptor());
            if !same {
                tracing::info!(upstream = %self.shared.name, tools = toolset.tools().len(), "upstream tool list changed");
                *current = toolset;
            }
            !same
        });
    }
}
