//! A gateway built from `toolgate.yaml` text and served on a loopback port, with a gated
//! Rust tool for calls that must stay in flight, and a raw MCP-over-HTTP client for what a
//! real client hides (statuses, headers).

use std::{net::SocketAddr, sync::Arc, time::Duration};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};
use tokio::{
    sync::{Mutex, Semaphore, mpsc, oneshot},
    task::JoinHandle,
};
use toolgate_config::{Environment, Gateway, load_str};
use toolgate_tools::{FnTool, ToolDescriptor, ToolSet, schema_object, text_result};

/// A running gateway; stopped (abruptly) when dropped.
pub(crate) struct Configured {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Drop for Configured {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// How to start a [`Configured`] gateway.
#[must_use]
pub(crate) struct ConfiguredBuilder {
    yaml: String,
    toolsets: Vec<ToolSet>,
    drain_timeout: Option<Duration>,
}

impl Configured {
    /// Serves `yaml` (listeners are replaced by one loopback port).
    pub(crate) fn builder(yaml: &str) -> ConfiguredBuilder {
        ConfiguredBuilder {
            yaml: yaml.to_owned(),
            toolsets: Vec::new(),
            drain_timeout: None,
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The bound address.
    pub(crate) fn address(&self) -> SocketAddr {
        self.address
    }

    /// Starts the shutdown (what SIGTERM does to `toolgate serve`).
    pub(crate) fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits for the server to finish its shutdown, at most `limit`.
    pub(crate) async fn stopped_within(&mut self, limit: Duration) -> std::io::Result<()> {
        let task = self.task.take().expect("serving");
        tokio::time::timeout(limit, task)
            .await
            .expect("the gateway stops in time")
            .expect("the serve task joins")
    }
}

impl ConfiguredBuilder {
    /// Registers a Rust toolset (declared in the file with `rust: {}`).
    pub(crate) fn toolset(mut self, toolset: ToolSet) -> Self {
        self.toolsets.push(toolset);
        self
    }

    /// The drain timeout of the shutdown.
    pub(crate) fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = Some(timeout);
        self
    }

    pub(crate) async fn start(self) -> Configured {
        toolgate_rest::UpstreamClient::new().expect("tls provider");
        let env = Environment::from_fn(|_| None, None);
        let loaded = load_str(&self.yaml, "test.yaml", &env).expect("valid configuration");
        let mut builder =
            Gateway::builder(loaded).with_listen(SocketAddr::from(([127, 0, 0, 1], 0)));
        for toolset in self.toolsets {
            builder = builder.with_toolset(toolset);
        }
        let gateway = builder.build().await.expect("the gateway builds");
        let mut bound = gateway.bind().await.expect("bound");
        if let Some(timeout) = self.drain_timeout {
            bound = bound.with_drain_timeout(timeout);
        }
        let address = bound.local_addrs()[0].1;
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(bound.serve(async {
            let _ = stopped.await;
        }));
        Configured {
            address,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

/// The gate of a [`gated_toolset`]: learns when a call is in, lets calls out.
#[derive(Clone)]
pub(crate) struct Gate {
    entered: Arc<Mutex<mpsc::UnboundedReceiver<()>>>,
    release: Arc<Semaphore>,
}

impl Gate {
    /// Waits until one more call of `hold` is running.
    pub(crate) async fn entered(&self) {
        tokio::time::timeout(Duration::from_secs(10), self.entered.lock().await.recv())
            .await
            .expect("a call reaches the tool")
            .expect("the tool is alive");
    }

    /// Lets `calls` held calls finish.
    pub(crate) fn release(&self, calls: usize) {
        self.release.add_permits(calls);
    }
}

/// A Rust toolset `name` with `hold` (runs until its gate releases it, then answers
/// `released`) and `echo` (answers its `text` at once).
pub(crate) fn gated_toolset(name: &str) -> (ToolSet, Gate) {
    let (entered_tx, entered_rx) = mpsc::unbounded_channel();
    let release = Arc::new(Semaphore::new(0));
    let gate = Gate {
        entered: Arc::new(Mutex::new(entered_rx)),
        release: Arc::clone(&release),
    };
    let hold = FnTool::new(
        ToolDescriptor::new(
            "hold",
            "Runs until the test lets it finish.",
            schema_object(json!({"type": "object"})),
        ),
        move |_args, _ctx| {
            let entered = entered_tx.clone();
            let release = Arc::clone(&release);
            async move {
                let _ = entered.send(());
                release.acquire().await.expect("gate open").forget();
                Ok(text_result("released"))
            }
        },
    );
    let echo = FnTool::new(
        ToolDescriptor::new(
            "echo",
            "Answers its text.",
            schema_object(json!({
                "type": "object",
                "properties": {"text": {"type": "string"}}
            })),
        ),
        |args, _ctx| async move {
            let text = args.get("text").and_then(Value::as_str).unwrap_or("echo");
            Ok(text_result(text))
        },
    );
    let toolset = ToolSet::new(name)
        .with_tool(Arc::new(hold))
        .with_tool(Arc::new(echo));
    (toolset, gate)
}

/// MCP over HTTP by hand.
pub(crate) struct RawMcp {
    http: reqwest::Client,
    url: String,
    headers: Vec<(String, String)>,
}

impl RawMcp {
    pub(crate) fn new(url: String) -> Self {
        toolgate_rest::UpstreamClient::new().expect("tls provider");
        Self {
            http: reqwest::Client::new(),
            url,
            headers: Vec::new(),
        }
    }

    /// Sends `name: value` on every request.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// POSTs `body` (in `session` when given).
    pub(crate) async fn post(&self, session: Option<&str>, body: &Value) -> reqwest::Response {
        self.post_bytes(session, body.to_string().into_bytes())
            .await
    }

    /// POSTs raw bytes as a JSON body.
    pub(crate) async fn post_bytes(
        &self,
        session: Option<&str>,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(&self.url)
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-11-25");
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request.send().await.expect("the gateway answers")
    }

    /// `initialize`, as sent by a client opening a session.
    pub(crate) async fn initialize(&self) -> reqwest::Response {
        self.post(
            None,
            &json!({
                "jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "limits-test", "version": "1"}
                }
            }),
        )
        .await
    }

    /// Opens a session (`initialize` and `notifications/initialized`); its id.
    pub(crate) async fn open_session(&self) -> String {
        let response = self.initialize().await;
        assert_eq!(response.status(), 200, "initialize");
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .expect("a session id")
            .to_owned();
        let _ = json_of(response).await;
        let notified = self
            .post(
                Some(&session),
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            )
            .await;
        assert!(
            notified.status().is_success(),
            "initialized: {}",
            notified.status()
        );
        session
    }

    /// `tools/call` of `tool` in `session`.
    pub(crate) async fn call(
        &self,
        session: Option<&str>,
        id: u64,
        tool: &str,
    ) -> reqwest::Response {
        self.post(
            session,
            &json!({
                "jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": tool, "arguments": {}}
            }),
        )
        .await
    }
}

/// The JSON-RPC message of an answer, JSON or the first `data:` event of an SSE stream.
pub(crate) async fn json_of(response: reqwest::Response) -> Value {
    let sse = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let text = response.text().await.expect("a body");
    if !sse {
        return serde_json::from_str(&text).unwrap_or(Value::String(text));
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(str::trim)
        .filter(|data| !data.is_empty())
        .find_map(|data| serde_json::from_str(data).ok())
        .unwrap_or(Value::Null)
}
