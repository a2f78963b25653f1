//! Seed 002 for real: the `passthrough` binary, configured with
//! `examples/seed-002/gateway.yaml`, in front of the real `@modelcontextprotocol/server-everything`
//! (pinned in `tests/remote/package.json`) over streamable HTTP. Key-auth consumers alice
//! (admin) and bob (developer) send their own Bearer token beside an API key; the example's
//! tool ACLs decide what each sees and may call, with default deny.
//!
//! The gateway binary comes from the target directory (`cargo build --workspace` builds it).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt as _;

use crate::harness::free_port;

const ALICE_KEY: &str = "alice-seed-002-key";
const BOB_KEY: &str = "bob-seed-002-key";
/// Longest wait for a child process to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// What the example grants developers (every other tool is admin-only or default-denied).
const DEVELOPER_TOOLS: [&str; 8] = [
    "echo",
    "get-annotated-message",
    "get-resource-links",
    "get-resource-reference",
    "get-structured-content",
    "get-sum",
    "get-tiny-image",
    "trigger-long-running-operation",
];

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace directory")
        .to_path_buf()
}

/// A plain HTTP client (building an upstream client installs the process-wide TLS provider
/// reqwest needs).
fn http_client() -> reqwest::Client {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    reqwest::Client::new()
}

/// Waits until `port` on loopback accepts connections, failing early if `child` exited.
async fn wait_listening(child: &mut tokio::process::Child, port: u16, what: &str) {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + START_TIMEOUT;
    while tokio::net::TcpStream::connect(address).await.is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening on {address}: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not listen on {address} within {START_TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// server-everything over streamable HTTP; killed by PID when dropped. It binds every
/// interface: it is only ever called on 127.0.0.1.
struct Everything {
    child: tokio::process::Child,
    port: u16,
}

impl Everything {
    async fn start(env: &[(&str, &str)]) -> Self {
        let entry = crate::remote::everything::entry_point().await;
        let port = free_port();
        let mut child = tokio::process::Command::new("node")
            .arg(&entry)
            .arg("streamableHttp")
            .env("PORT", port.to_string())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts server-everything");
        wait_listening(&mut child, port, "server-everything").await;
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }
}

impl Drop for Everything {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The example's text with its `upstream`, `listen` and `resource` lines pointed at this
/// test's ports.
fn example_config(upstream: &str, listen: SocketAddr) -> String {
    let text = std::fs::read_to_string(workspace_dir().join("examples/seed-002/gateway.yaml"))
        .expect("examples/seed-002/gateway.yaml");
    let mut replaced = [0; 3];
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let (index, value) = if line.starts_with("upstream:") {
                (0, format!("upstream: {upstream}"))
            } else if line.starts_with("listen:") {
                (1, format!("listen: {listen}"))
            } else if line.starts_with("resource:") {
                (2, format!("resource: http://{listen}/mcp"))
            } else {
                return line.to_owned();
            };
            replaced[index] += 1;
            value
        })
        .collect();
    assert_eq!(replaced, [1, 1, 1], "the example's top-level keys moved");
    lines.join("\n")
}

/// The `passthrough` binary with the example's configuration; its log is kept.
struct Gateway {
    child: tokio::process::Child,
    port: u16,
    config: PathBuf,
    log: Arc<Mutex<String>>,
}

impl Gateway {
    async fn start(upstream: &Everything) -> Self {
        let port = free_port();
        let listen = SocketAddr::from(([127, 0, 0, 1], port));
        let config = std::env::temp_dir().join(format!(
            "toolgate-seed-002-{}-{port}.yaml",
            std::process::id()
        ));
        std::fs::write(&config, example_config(&upstream.url(), listen)).expect("config file");
        let mut child = tokio::process::Command::new(crate::harness::passthrough_binary())
            .arg("--config")
            .arg(&config)
            .env("ALICE_API_KEY", ALICE_KEY)
            .env("BOB_API_KEY", BOB_KEY)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the passthrough binary starts");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut log = sink.lock().unwrap_or_else(PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        wait_listening(&mut child, port, "passthrough").await;
        Self {
            child,
            port,
            config,
            log,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_file(&self.config);
    }
}

/// One MCP session over plain HTTP, as a client would craft it.
struct Session {
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
}

impl Session {
    /// `initialize` (with roots, sampling and elicitation, so server-everything registers
    /// its conditional tools too) and `notifications/initialized`.
    async fn open(url: &str, extra: &[(&str, &str)]) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/event-stream"),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in extra {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        let mut session = Self {
            http: http_client(),
            url: url.to_owned(),
            headers,
        };
        let response = session
            .post(
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {"roots": {}, "sampling": {}, "elicitation": {}},
                "clientInfo": {"name": "seed-002-test", "version": "0"}}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "initialize at {url}");
        let id = response
            .headers()
            .get("mcp-session-id")
            .cloned()
            .expect("a session id");
        let _ = messages(response).await;
        session.headers.insert("mcp-session-id", id);
        session.headers.insert(
            "mcp-protocol-version",
            HeaderValue::from_static("2025-11-25"),
        );
        let response = session
            .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        session
    }

    async fn post(&self, body: &Value) -> reqwest::Response {
        self.http
            .post(&self.url)
            .headers(self.headers.clone())
            .body(body.to_string())
            .send()
            .await
            .expect("request sent")
    }

    /// The response to a request (by its id).
    async fn rpc(&self, body: Value) -> Value {
        let id = body["id"].clone();
        let response = self.post(&body).await;
        messages(response)
            .await
            .into_iter()
            .find(|m| m.get("id") == Some(&id) && m.get("method").is_none())
            .expect("a response with the request's id")
    }

    async fn call(&self, id: u64, tool: &str, arguments: Value) -> Value {
        self.rpc(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}))
            .await
    }

    async fn tool_names(&self) -> Vec<String> {
        let listed = self
            .rpc(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .await;
        let mut names: Vec<String> = listed["result"]["tools"]
            .as_array()
            .unwrap_or_else(|| panic!("a tool list: {listed}"))
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        names
    }
}

/// The JSON-RPC messages of a JSON or SSE body (SSE priming events without data skipped).
async fn messages(response: reqwest::Response) -> Vec<Value> {
    let text = response.text().await.expect("body");
    if let Ok(value) = serde_json::from_str::<Value>(&text) {
        return match value {
            Value::Array(items) => items,
            value => vec![value],
        };
    }
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str(data.trim_start()).ok())
        .collect()
}

fn text_of(answer: &Value) -> String {
    answer["result"]["content"]
        .as_array()
        .unwrap_or_else(|| panic!("a tool result: {answer}"))
        .iter()
        .filter_map(|block| block["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_denied(answer: &Value, tool: &str) {
    assert_eq!(answer["error"]["code"], -32602, "{tool}: {answer}");
    assert_eq!(
        answer["error"]["message"],
        format!("Tool '{tool}' is not available for consumer group 'developer'"),
        "{answer}"
    );
    assert!(answer.get("result").is_none(), "{answer}");
}

/// A loopback HTTP server counting the requests it gets: the side effect of
/// `gzip-file-as-resource`, which fetches a URL from the upstream's network.
async fn fetch_target() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let app = axum::Router::new().route(
        "/seed-002.txt",
        axum::routing::get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { "fetched by the upstream" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}/seed-002.txt"), hits)
}

async fn alice(gateway: &Gateway) -> Session {
    Session::open(
        &gateway.url(),
        &[("apikey", ALICE_KEY), ("authorization", "Bearer gho_alice")],
    )
    .await
}

async fn bob(gateway: &Gateway) -> Session {
    Session::open(
        &gateway.url(),
        &[("apikey", BOB_KEY), ("authorization", "Bearer gho_bob")],
    )
    .await
}

#[tokio::test]
async fn seed_002_matrix_holds_in_front_of_server_everything() {
    let canary = format!("canary-{}", std::process::id());
    let upstream = Everything::start(&[
        ("SEED_002_CANARY", canary.as_str()),
        ("GZIP_ALLOWED_DOMAINS", "127.0.0.1"),
    ])
    .await;
    let gateway = Gateway::start(&upstream).await;
    let everything = Session::open(&upstream.url(), &[]).await.tool_names().await;
    assert!(everything.len() >= 16, "{everything:?}");

    // The admin sees exactly what the upstream offers; the developer the read-only tools.
    let alice = alice(&gateway).await;
    assert_eq!(alice.tool_names().await, everything);
    let bob = bob(&gateway).await;
    assert_eq!(bob.tool_names().await, DEVELOPER_TOOLS);

    // Allowed calls go through, with the upstream's answer.
    let echoed = bob
        .call(2, "echo", json!({"message": "hello seed 002"}))
        .await;
    assert_eq!(text_of(&echoed), "Echo: hello seed 002");
    let sum = bob.call(3, "get-sum", json!({"a": 2, "b": 40})).await;
    assert!(text_of(&sum).contains("42"), "{sum}");

    // An admin-only tool: bob's crafted call is answered at the gateway (the upstream's
    // environment never shows), alice's reaches the upstream.
    let denied = bob.call(4, "get-env", json!({})).await;
    assert_denied(&denied, "get-env");
    assert!(!denied.to_string().contains(&canary), "{denied}");
    let env = alice.call(5, "get-env", json!({})).await;
    assert!(
        text_of(&env).contains(&canary),
        "admin's get-env reached the upstream"
    );

    // A tool with a side effect we can observe: the upstream fetching a URL.
    let (target, fetched) = fetch_target().await;
    let denied = bob
        .call(
            6,
            "gzip-file-as-resource",
            json!({"name": "bob.gz", "data": target}),
        )
        .await;
    assert_denied(&denied, "gzip-file-as-resource");
    assert_eq!(
        fetched.load(Ordering::SeqCst),
        0,
        "bob's call reached the upstream"
    );
    let done = alice
        .call(
            7,
            "gzip-file-as-resource",
            json!({"name": "alice.gz", "data": target}),
        )
        .await;
    assert!(done.get("result").is_some(), "{done}");
    assert_eq!(
        fetched.load(Ordering::SeqCst),
        1,
        "alice's call did not fetch"
    );

    // Default deny: tools the example does not list (they exist upstream: alice sees them).
    for (id, tool) in [
        (8, "trigger-sampling-request"),
        (9, "get-roots-list"),
        (10, "simulate-research-query"),
    ] {
        assert!(everything.iter().any(|t| t == tool), "{tool} upstream");
        assert_denied(&bob.call(id, tool, json!({})).await, tool);
    }
    // A name the upstream does not have at all is denied the same way.
    assert_denied(
        &bob.call(11, "no-such-tool", json!({})).await,
        "no-such-tool",
    );

    // Every denial is an audit event in the gateway's log.
    let log = gateway.log();
    for tool in [
        "get-env",
        "gzip-file-as-resource",
        "trigger-sampling-request",
    ] {
        assert!(
            log.lines().any(|l| l.contains("toolgate::audit")
                && l.contains("decision=\"deny\"")
                && l.contains(&format!("tool=\"{tool}\""))),
            "no audit line for {tool}:\n{log}"
        );
    }

    // With the upstream gone, denials are still answered (by the gateway, at once) while
    // an allowed call now fails: denied calls never needed the upstream.
    upstream.stop().await;
    let started = Instant::now();
    assert_denied(&bob.call(12, "get-env", json!({})).await, "get-env");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let response = bob
        .post(&json!({"jsonrpc": "2.0", "id": 13, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"message": "x"}}}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
}

#[tokio::test]
async fn consumers_need_their_key_and_their_own_upstream_token() {
    let upstream = Everything::start(&[]).await;
    let gateway = Gateway::start(&upstream).await;
    let http = http_client();
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"}}})
    .to_string();
    for (case, headers) in [
        ("no credentials", vec![]),
        ("a key, no upstream token", vec![("apikey", BOB_KEY)]),
        ("a token, no key", vec![("authorization", "Bearer gho_bob")]),
        (
            "an unknown key",
            vec![("apikey", "nope"), ("authorization", "Bearer gho_bob")],
        ),
    ] {
        let mut request = http
            .post(gateway.url())
            .header(header::ACCEPT, "application/json, text/event-stream")
            .header(header::CONTENT_TYPE, "application/json")
            .body(initialize.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        let challenge = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(challenge.starts_with("Bearer "), "{case}: {challenge}");
        assert!(
            challenge.contains("resource_metadata="),
            "{case}: {challenge}"
        );
    }
}

#[tokio::test]
async fn progress_notifications_arrive_before_the_result() {
    let upstream = Everything::start(&[]).await;
    let gateway = Gateway::start(&upstream).await;
    let bob = bob(&gateway).await;

    let started = Instant::now();
    let mut response = bob
        .post(
            &json!({"jsonrpc": "2.0", "id": 21, "method": "tools/call", "params": {
            "name": "trigger-long-running-operation",
            "arguments": {"duration": 1.5, "steps": 3},
            "_meta": {"progressToken": "seed-002"}}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut buffer = String::new();
    let mut progress: Vec<(Duration, Value)> = Vec::new();
    let mut result = None;
    while result.is_none() {
        let Some(chunk) = response.chunk().await.expect("chunk") else {
            break;
        };
        let now = started.elapsed();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                let Ok(message) = serde_json::from_str::<Value>(data.trim_start()) else {
                    continue;
                };
                if message["method"] == "notifications/progress" {
                    progress.push((now, message["params"].clone()));
                } else if message["id"] == 21 {
                    result = Some((now, message));
                }
            }
        }
    }
    let (result_at, result) = result.expect("the result arrived");
    assert!(
        text_of(&result).starts_with("Long running operation completed"),
        "{result}"
    );
    let steps: Vec<&Value> = progress.iter().map(|(_, p)| &p["progress"]).collect();
    assert_eq!(steps, [&json!(1), &json!(2), &json!(3)], "{progress:?}");
    assert!(
        progress
            .iter()
            .all(|(_, p)| p["progressToken"] == "seed-002")
    );
    // Streamed, not buffered: the first step arrives ~0.5 s in, ~1 s before the result.
    let first = progress[0].0;
    assert!(
        result_at.saturating_sub(first) >= Duration::from_millis(600),
        "first progress at {first:?}, result at {result_at:?}"
    );
}
