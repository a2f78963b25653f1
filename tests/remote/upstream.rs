//! An in-process upstream MCP server on a loopback port: a few tools that count their
//! calls, tools added at run time with `notifications/tools/list_changed`, and a stop and
//! restart on the same port.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use axum::Router;
use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ListToolsResult,
        PaginatedRequestParams, ProgressNotificationParam, ServerCapabilities, ServerConfig, Tool,
        ToolAnnotations,
    },
    service::{NotificationContext, Peer, RequestContext},
    transport::{
        StreamableHttpServerConfig, StreamableHttpService,
        streamable_http_server::session::local::LocalSessionManager,
    },
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Longest wait for a stopping server.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Default)]
struct State {
    tools: Mutex<Vec<Tool>>,
    calls: Mutex<HashMap<String, usize>>,
    peers: Mutex<Vec<Peer<RoleServer>>>,
}

#[derive(Clone)]
struct Handler {
    state: Arc<State>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn schema(value: Value) -> Arc<serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => unreachable!("schemas are objects"),
    }
}

/// `echo`: the schema every test checks is kept.
pub(crate) fn echo_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"text": {"type": "string", "description": "What to echo"}},
        "required": ["text"]
    })
}

/// A tool taking no arguments.
pub(crate) fn plain_tool(name: &str) -> Tool {
    Tool::new(
        name.to_owned(),
        format!("The {name} tool."),
        schema(json!({"type": "object"})),
    )
}

fn default_tools() -> Vec<Tool> {
    vec![
        Tool::new("echo", "Echoes its text.", schema(echo_schema()))
            .with_title("Echo")
            .with_raw_output_schema(schema(json!({
                "type": "object",
                "properties": {"echoed": {"type": "string"}},
                "required": ["echoed"]
            })))
            .with_annotations(ToolAnnotations::new().read_only(true).idempotent(true)),
        plain_tool("fail"),
        plain_tool("strict"),
        plain_tool("slow"),
        plain_tool("hang"),
    ]
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(
            lock(&self.state.tools).clone(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        lock(&self.state.tools)
            .iter()
            .find(|tool| tool.name == name)
            .cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        if self.get_tool(&name).is_none() {
            return Err(ErrorData::invalid_params(
                format!("unknown tool {name}"),
                None,
            ));
        }
        *lock(&self.state.calls).entry(name.clone()).or_default() += 1;
        let arguments = request.arguments.unwrap_or_default();
        let result = match name.as_str() {
            "echo" => {
                let text = arguments
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let mut result = CallToolResult::structured(json!({"echoed": text}));
                result.content = vec![ContentBlock::text(format!("echo: {text}"))];
                result
            }
            "fail" => {
                return Err(ErrorData::internal_error(
                    "the upstream tool exploded",
                    None,
                ));
            }
            "strict" => return Err(ErrorData::invalid_params("argument 'x' is required", None)),
            "slow" => {
                if let Some(token) = context.meta.get_progress_token() {
                    for step in 1..=3_u32 {
                        let params = ProgressNotificationParam::new(token.clone(), f64::from(step))
                            .with_total(3.0)
                            .with_message(format!("step {step}"));
                        context
                            .peer
                            .notify_progress(params)
                            .await
                            .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
                    }
                }
                CallToolResult::success(vec![ContentBlock::text("slow done")])
            }
            "hang" => {
                tokio::select! {
                    () = context.ct.cancelled() => {}
                    () = tokio::time::sleep(Duration::from_secs(60)) => {}
                }
                CallToolResult::success(vec![ContentBlock::text("woke up")])
            }
            other => CallToolResult::success(vec![ContentBlock::text(format!("{other} called"))]),
        };
        Ok(result.into())
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        lock(&self.state.peers).push(context.peer);
    }
}

struct Serving {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

/// The upstream. Stops when dropped.
pub(crate) struct McpUpstream {
    address: SocketAddr,
    state: Arc<State>,
    serving: Option<Serving>,
}

impl Drop for McpUpstream {
    fn drop(&mut self) {
        if let Some(serving) = self.serving.take() {
            serving.stop.cancel();
            serving.task.abort();
        }
    }
}

impl McpUpstream {
    /// Serves `echo`, `fail`, `strict`, `slow` and `hang` plus `extra` tools.
    pub(crate) async fn start(extra: Vec<Tool>) -> Self {
        let state = Arc::new(State::default());
        lock(&state.tools).extend(default_tools().into_iter().chain(extra));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let serving = Some(serve(listener, Arc::clone(&state)));
        Self {
            address,
            state,
            serving,
        }
    }

    /// The MCP endpoint.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/mcp", self.address)
    }

    /// How often tool `name` was called.
    pub(crate) fn calls(&self, name: &str) -> usize {
        lock(&self.state.calls)
            .get(name)
            .copied()
            .unwrap_or_default()
    }

    /// Stops serving: open streams end, the port is released.
    pub(crate) async fn stop(&mut self) {
        let Some(serving) = self.serving.take() else {
            return;
        };
        serving.stop.cancel();
        let mut task = serving.task;
        if tokio::time::timeout(STOP_TIMEOUT, &mut task).await.is_err() {
            task.abort();
        }
        lock(&self.state.peers).clear();
    }

    /// Serves again on the same port, with the same tools and counts.
    pub(crate) async fn restart(&mut self) {
        self.stop().await;
        let listener = tokio::net::TcpListener::bind(self.address)
            .await
            .expect("bind the same port again");
        self.serving = Some(serve(listener, Arc::clone(&self.state)));
    }

    /// Adds a tool and tells every connected client the list changed.
    pub(crate) async fn add_tool(&self, tool: Tool) {
        lock(&self.state.tools).push(tool);
        let peers = lock(&self.state.peers).clone();
        assert!(!peers.is_empty(), "no client is connected to notify");
        for peer in peers {
            // A peer of a session that ended is not an error here.
            let _ = peer.notify_tool_list_changed().await;
        }
    }
}

fn serve(listener: tokio::net::TcpListener, state: Arc<State>) -> Serving {
    let stop = CancellationToken::new();
    // The token ends every session and stream when cancelled.
    let config = StreamableHttpServerConfig::default()
        .with_sse_keep_alive(None)
        .with_cancellation_token(stop.clone());
    let handler = Handler { state };
    let service = StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let router = Router::new().route_service("/mcp", service);
    let shutdown = stop.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
            .expect("upstream serves");
    });
    Serving { stop, task }
}
