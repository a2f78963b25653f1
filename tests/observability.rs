//! Audit events, metrics and readiness of a configured gateway: the audit file read field by
//! field for an allowed, a denied and a failed call; exact `/metrics` counts after known
//! calls; `/readyz` following the IdP; and a full run of `toolgate serve` with tokens, API
//! keys and a client secret whose every log line is searched for those secrets.

use std::{collections::HashMap, net::SocketAddr, path::PathBuf, process::Stdio, time::Duration};

use rmcp::{
    ServiceExt,
    model::CallToolRequestParams,
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::{Value, json};
use tokio::{io::AsyncReadExt as _, sync::oneshot, task::JoinHandle};
use toolgate_config::{Environment, Gateway, load_str};

use crate::harness::{Idp, McpClient, RestUpstream, free_port, toolgate_binary};

const ALICE_KEY: &str = "alice-observability-key-0123";
const BOB_KEY: &str = "bob-observability-key-4567";
const UPSTREAM_KEY: &str = "weather-upstream-secret-89ab";

fn env() -> Environment<'static> {
    Environment::from_fn(
        |name| match name {
            "ALICE_KEY" => Some(ALICE_KEY.to_owned()),
            "BOB_KEY" => Some(BOB_KEY.to_owned()),
            "UPSTREAM_KEY" => Some(UPSTREAM_KEY.to_owned()),
            _ => None,
        },
        None,
    )
}

/// A file in a fresh temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "toolgate-observability-{tag}-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A gateway built from `text`, served on loopback with its admin routes beside.
struct Running {
    address: SocketAddr,
    admin: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    async fn start(text: &str) -> Self {
        let loaded = load_str(text, "test.yaml", &env()).expect("valid configuration");
        let gateway = Gateway::builder(loaded).build().await.expect("built");
        let bound = gateway.bind().await.expect("bound");
        let address = bound.local_addrs()[0].1;
        let admin_router = bound.reloader().admin_router().await;
        let admin_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("admin port");
        let admin = admin_listener.local_addr().expect("admin address");
        let (stop, stopped) = oneshot::channel();
        let serve = tokio::spawn(async move {
            let _ = bound
                .serve(async {
                    let _ = stopped.await;
                })
                .await;
        });
        let admin_task = tokio::spawn(async move {
            let _ =
                toolgate_server::serve_http(admin_listener, admin_router, std::future::pending())
                    .await;
        });
        Self {
            address,
            admin,
            stop: Some(stop),
            tasks: vec![serve, admin_task],
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    async fn admin_get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(format!("http://{}{path}", self.admin))
            .await
            .expect("admin answers");
        let status = response.status().as_u16();
        (status, response.text().await.expect("admin body"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn connect(url: String, headers: &[(&str, &str)]) -> McpClient {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    let mut map = HashMap::new();
    for (name, value) in headers {
        if *name == "authorization" {
            config = config.auth_header(value.trim_start_matches("Bearer "));
        } else {
            map.insert(
                http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                http::HeaderValue::from_str(value).expect("header value"),
            );
        }
    }
    ().serve(StreamableHttpClientTransport::from_config(
        config.custom_headers(map),
    ))
    .await
    .expect("MCP handshake")
}

/// `Ok(isError)` for a result, `Err(message)` for a JSON-RPC error.
async fn call(client: &McpClient, tool: &str, arguments: Value) -> Result<bool, String> {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().cloned().unwrap_or_default());
    match client.call_tool(params).await {
        Ok(result) => Ok(result.is_error == Some(true)),
        Err(error) => Err(error.to_string()),
    }
}

/// Two toolsets behind API keys: weather (answers) and broken (answers 500); bob, a
/// developer, may call realtime-api and broken-api but not history-api.
fn keyed_config(port: u16, weather: &str, broken: &str, audit_file: &str) -> String {
    format!(
        r#"listeners:
  - {{name: main, listen: "127.0.0.1:{port}"}}
audit:
  file: "{audit_file}"
  redact: [q]
consumer_groups:
  - name: admin
  - name: developer
consumers:
  - {{username: alice, groups: [admin], keys: ["${{ALICE_KEY}}"]}}
  - {{username: bob, groups: [developer], keys: ["${{BOB_KEY}}"]}}
auth:
  keys: {{key_auth: {{}}}}
toolsets:
  - name: weatherapi
    tags: [weather]
    include_consumer_groups: true
    default_acl:
      - allow: [admin, developer]
    acl:
      history-api: {{allow: [admin]}}
    rest:
      base_url: {weather}
      query: {{key: "${{UPSTREAM_KEY}}"}}
      tools:
        - {{name: realtime-api, description: Now., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}, {{name: days, in: query, type: integer}}]}}
        - {{name: history-api, description: Then., path: history.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
  - name: broken
    tags: [weather]
    rest:
      base_url: {broken}
      tools:
        - {{name: broken-api, description: Fails., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
endpoints:
  - name: weather
    path: /weather/mcp
    tags: [weather]
    auth: keys
    logging: {{log_statistics: true, log_payloads: true, redact: [days]}}
"#
    )
}

fn audit_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).expect("each audit line is a JSON object"))
        .collect()
}

fn find<'a>(lines: &'a [Value], event: &str, tool: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["event"] == event && l["tool"] == tool)
        .unwrap_or_else(|| panic!("no {event} event for {tool} in {lines:#?}"))
}

#[tokio::test]
async fn audit_events_of_allowed_denied_and_failed_calls_ok() {
    let weather = RestUpstream::start().await;
    let broken = RestUpstream::failing(http::StatusCode::INTERNAL_SERVER_ERROR).await;
    let dir = TempDir::new("audit");
    let audit = dir.file("audit.jsonl");
    let port = free_port();
    let gateway = Running::start(&keyed_config(
        port,
        weather.url().as_str(),
        broken.url().as_str(),
        &audit.display().to_string(),
    ))
    .await;
    let bob = connect(gateway.url("/weather/mcp"), &[("apikey", BOB_KEY)]).await;
    assert_eq!(
        call(
            &bob,
            "realtime-api",
            json!({"query_q": "Paris", "query_days": 3})
        )
        .await,
        Ok(false)
    );
    let denied = call(&bob, "history-api", json!({"query_q": "Paris"})).await;
    assert!(denied.is_err(), "{denied:?}");
    assert_eq!(
        call(&bob, "broken-api", json!({"query_q": "Paris"})).await,
        Ok(true)
    );
    let lines = audit_lines(&audit);
    let weather_host = format!("127.0.0.1:{}", weather.url().port().expect("port"));
    let broken_host = format!("127.0.0.1:{}", broken.url().port().expect("port"));

    // Allowed: the ACL decision, then the call.
    let allow = find(&lines, "acl", "realtime-api");
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["endpoint"], "weather");
    assert_eq!(allow["consumer"], "bob");
    assert_eq!(allow["groups"], json!(["developer"]));
    assert_eq!(allow["upstream"], "weatherapi");
    let ok = find(&lines, "tool_call", "realtime-api");
    let session = ok["session"].as_str().expect("a session id");
    assert!(!session.is_empty());
    assert!(
        ok["time"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{ok}"
    );
    assert_eq!(ok["endpoint"], "weather");
    assert_eq!(ok["consumer"], "bob");
    assert_eq!(ok["groups"], json!(["developer"]));
    assert_eq!(ok["upstream"], weather_host.as_str());
    assert_eq!(ok["outcome"], "ok");
    assert_eq!(ok["upstream_status"], 200);
    assert!(ok.get("jsonrpc_code").is_none(), "{ok}");
    assert!(
        ok["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{ok}"
    );
    assert_eq!(
        ok["request_bytes"].as_u64(),
        Some(
            json!({"query_q": "Paris", "query_days": 3})
                .to_string()
                .len() as u64
        )
    );
    assert!(
        ok["response_bytes"].as_u64().is_some_and(|n| n > 100),
        "{ok}"
    );
    // Payloads: `days` is redacted by the endpoint, `q` by `audit.redact` (as `query_q`).
    assert_eq!(
        ok["arguments"],
        json!({"query_q": "[redacted]", "query_days": "[redacted]"})
    );
    assert!(ok["result"]["content"].is_array(), "{ok}");

    // Denied: the decision with who was refused, and the call answered -32602.
    let deny = find(&lines, "acl", "history-api");
    assert_eq!(deny["decision"], "deny");
    assert_eq!(deny["reason"], "consumer group 'developer'");
    assert_eq!(deny["session"], session);
    let refused = find(&lines, "tool_call", "history-api");
    assert_eq!(refused["outcome"], "denied");
    assert_eq!(refused["jsonrpc_code"], -32602);
    assert_eq!(refused["consumer"], "bob");
    assert_eq!(refused["upstream"], "weatherapi");
    assert!(refused.get("upstream_status").is_none(), "{refused}");
    assert!(
        refused["result"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not available")),
        "{refused}"
    );

    // Failed: the upstream's 500.
    let failed = find(&lines, "tool_call", "broken-api");
    assert_eq!(failed["outcome"], "upstream_error");
    assert_eq!(failed["upstream"], broken_host.as_str());
    assert_eq!(failed["upstream_status"], 500);
    assert_eq!(failed["session"], session);
    assert!(failed.get("jsonrpc_code").is_none(), "{failed}");
    // No ACL covers the broken toolset: no decision was made, none is recorded.
    assert!(
        !lines
            .iter()
            .any(|l| l["event"] == "acl" && l["tool"] == "broken-api")
    );
    // The fixed upstream key is in no line.
    let text = std::fs::read_to_string(&audit).expect("audit file");
    assert!(!text.contains(UPSTREAM_KEY));
    assert!(!text.contains(BOB_KEY));
}

#[tokio::test]
async fn metrics_count_known_calls_exactly_ok() {
    let weather = RestUpstream::start().await;
    let broken = RestUpstream::failing(http::StatusCode::INTERNAL_SERVER_ERROR).await;
    let dir = TempDir::new("metrics");
    let port = free_port();
    let gateway = Running::start(&keyed_config(
        port,
        weather.url().as_str(),
        broken.url().as_str(),
        &dir.file("audit.jsonl").display().to_string(),
    ))
    .await;
    let (status, text) = gateway.admin_get("/metrics").await;
    assert_eq!(status, 200);
    assert!(!text.contains("toolgate_tool_calls_total{"), "{text}");

    let bob = connect(gateway.url("/weather/mcp"), &[("apikey", BOB_KEY)]).await;
    for _ in 0..2 {
        assert_eq!(
            call(&bob, "realtime-api", json!({"query_q": "Paris"})).await,
            Ok(false)
        );
    }
    assert!(
        call(&bob, "history-api", json!({"query_q": "Paris"}))
            .await
            .is_err()
    );
    assert_eq!(
        call(&bob, "broken-api", json!({"query_q": "Paris"})).await,
        Ok(true)
    );
    assert!(call(&bob, "no-such-tool", json!({})).await.is_err());
    // Two refusals by the resource server: no credentials, an unknown key.
    let http = reqwest::Client::new();
    for headers in [vec![], vec![("apikey", "not-a-key-at-all")]] {
        let mut request = http
            .post(gateway.url("/weather/mcp"))
            .header("accept", "application/json, text/event-stream")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        assert_eq!(request.send().await.expect("answer").status(), 401);
    }

    let (_, text) = gateway.admin_get("/metrics").await;
    let broken_host = format!("127.0.0.1:{}", broken.url().port().expect("port"));
    for line in [
        r#"toolgate_tool_calls_total{endpoint="weather",tool="realtime-api",outcome="ok"} 2"#.to_owned(),
        r#"toolgate_tool_calls_total{endpoint="weather",tool="history-api",outcome="denied"} 1"#.to_owned(),
        r#"toolgate_tool_calls_total{endpoint="weather",tool="broken-api",outcome="upstream_error"} 1"#.to_owned(),
        r#"toolgate_tool_calls_total{endpoint="weather",tool="_unknown",outcome="invalid"} 1"#.to_owned(),
        r#"toolgate_tool_call_duration_seconds_count{endpoint="weather"} 5"#.to_owned(),
        r#"toolgate_auth_failures_total{endpoint="weather",reason="missing_token"} 1"#.to_owned(),
        r#"toolgate_auth_failures_total{endpoint="weather",reason="unknown_api_key"} 1"#.to_owned(),
        format!(r#"toolgate_upstream_errors_total{{upstream="{broken_host}",kind="status"}} 1"#),
        // Bob's session is open.
        r#"toolgate_active_sessions{endpoint="weather"} 1"#.to_owned(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("toolgate_upstream_errors_total{"))
            .count(),
        1,
        "{text}"
    );
    let (status, body) = gateway.admin_get("/healthz").await;
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));

    // Closing the session (the client's DELETE) takes it off the gauge.
    bob.cancel().await.expect("session closed");
    let closed = r#"toolgate_active_sessions{endpoint="weather"} 0"#;
    let mut text = gateway.admin_get("/metrics").await.1;
    for _ in 0..50 {
        if text.lines().any(|l| l == closed) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        text = gateway.admin_get("/metrics").await.1;
    }
    assert!(
        text.lines().any(|l| l == closed),
        "{closed} missing:\n{text}"
    );
}

#[tokio::test]
async fn readyz_turns_unready_while_the_idp_is_down_fails() {
    let idp = Idp::start().await;
    let weather = RestUpstream::start().await;
    let port = free_port();
    let text = format!(
        r#"listeners:
  - {{name: main, listen: "127.0.0.1:{port}"}}
auth:
  okta:
    resource: http://127.0.0.1:{port}/weather/mcp
    authorization_servers: ["{issuer}"]
toolsets:
  - name: weatherapi
    tags: [weather]
    rest:
      base_url: {weather}
      tools:
        - {{name: realtime-api, description: Now., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
endpoints:
  - {{name: weather, path: /weather/mcp, tags: [weather], auth: okta}}
"#,
        issuer = idp.issuer(),
        weather = weather.url(),
    );
    let gateway = Running::start(&text).await;
    assert_eq!(gateway.admin_get("/readyz").await.0, 200);

    idp.set_down(true);
    // A verdict is reused for up to a second (READINESS_CACHE): probe until it changes.
    let mut probe = gateway.admin_get("/readyz").await;
    for _ in 0..30 {
        if probe.0 != 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        probe = gateway.admin_get("/readyz").await;
    }
    let (status, body) = probe;
    assert_eq!(status, 503, "{body}");
    let body: Value = serde_json::from_str(&body).expect("JSON body");
    assert_eq!(body["status"], "unready");
    assert_eq!(body["not_ready"][0]["component"], "auth:okta");
    assert!(
        body["not_ready"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&idp.issuer())),
        "{body}"
    );
    // Liveness does not depend on the IdP.
    assert_eq!(gateway.admin_get("/healthz").await.0, 200);

    idp.set_down(false);
    let mut status = gateway.admin_get("/readyz").await.0;
    for _ in 0..30 {
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = gateway.admin_get("/readyz").await.0;
    }
    assert_eq!(status, 200);
}

/// `toolgate serve` with JSON logs at debug level, payload logging on, every kind of
/// credential in play (JWT, introspected opaque token, API keys, the introspection client
/// secret, a fixed upstream key); afterwards no line of its output holds any of them.
#[tokio::test]
async fn no_log_line_of_a_full_run_holds_a_secret_ok() {
    let idp = Idp::start().await;
    let weather = RestUpstream::start().await;
    let broken = RestUpstream::failing(http::StatusCode::INTERNAL_SERVER_ERROR).await;
    let dir = TempDir::new("secrets");
    let port = free_port();
    let admin_port = free_port();
    let config = format!(
        r#"listeners:
  - {{name: main, listen: "127.0.0.1:{port}"}}
admin: {{listen: "127.0.0.1:{admin_port}"}}
consumer_groups:
  - name: developer
consumers:
  - {{username: alice, custom_id: alice, groups: [developer], keys: ["{ALICE_KEY}"]}}
  - {{username: bob, groups: [developer], keys: ["{BOB_KEY}"]}}
auth:
  idp:
    resource: http://127.0.0.1:{port}/weather/mcp
    authorization_servers: ["{issuer}"]
    introspection_endpoint: "{introspection}"
    client_id: {client_id}
    client_secret: "{client_secret}"
    consumer_claim: [sub]
    consumer_optional: true
    key_auth: {{}}
toolsets:
  - name: weatherapi
    tags: [weather]
    include_consumer_groups: true
    default_acl:
      - allow: [developer]
    acl:
      history-api: {{allow: [admin]}}
    rest:
      base_url: {weather}
      query: {{key: "{UPSTREAM_KEY}"}}
      tools:
        - {{name: realtime-api, description: Now., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
        - {{name: history-api, description: Then., path: history.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
  - name: broken
    tags: [weather]
    rest:
      base_url: {broken}
      tools:
        - {{name: broken-api, description: Fails., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
endpoints:
  - name: weather
    path: /weather/mcp
    tags: [weather]
    auth: idp
    logging: {{log_statistics: true, log_payloads: true}}
"#,
        issuer = idp.issuer(),
        introspection = idp.introspection_endpoint(),
        client_id = Idp::RS_CLIENT_ID,
        client_secret = Idp::RS_CLIENT_SECRET,
        weather = weather.url(),
        broken = broken.url(),
    );
    let file = dir.file("toolgate.yaml");
    std::fs::write(&file, &config).expect("config written");
    let mut child = tokio::process::Command::new(toolgate_binary())
        .args(["--log-format", "json", "serve", "-c"])
        .arg(&file)
        // Everything at debug but rmcp, which logs whole requests at debug (see
        // docs/observability.md).
        .env("RUST_LOG", "debug,rmcp=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn toolgate serve");
    // Drained as it runs: a full pipe would stop the server mid-log.
    let drain = |pipe: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>| {
        tokio::spawn(async move {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes).await;
                text = String::from_utf8_lossy(&bytes).into_owned();
            }
            text
        })
    };
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
    );
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
    );
    // Bounded: 15 s at most for the listener to come up.
    let mut up = false;
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", admin_port))
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "toolgate serve did not start");

    let resource = format!("http://127.0.0.1:{port}/weather/mcp");
    let jwt = idp.jwt(json!({"sub": "alice", "aud": resource}));
    let opaque = idp.opaque(json!({"sub": "alice", "aud": resource}));
    let url = format!("http://127.0.0.1:{port}/weather/mcp");
    let mut secrets: Vec<String> = vec![
        jwt.clone(),
        opaque.clone(),
        ALICE_KEY.to_owned(),
        BOB_KEY.to_owned(),
        UPSTREAM_KEY.to_owned(),
        Idp::RS_CLIENT_SECRET.to_owned(),
    ];
    for headers in [
        vec![("authorization", format!("Bearer {jwt}"))],
        vec![("authorization", format!("Bearer {opaque}"))],
        vec![("apikey", BOB_KEY.to_owned())],
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let client = connect(url.clone(), &headers).await;
        assert_eq!(
            call(&client, "realtime-api", json!({"query_q": "Paris"})).await,
            Ok(false)
        );
        // A JWT pasted into an argument (and echoed by the upstream) is redacted too.
        assert!(
            call(
                &client,
                "realtime-api",
                json!({"query_q": format!("at {jwt}")})
            )
            .await
            .is_ok()
        );
        assert!(
            call(&client, "history-api", json!({"query_q": "Paris"}))
                .await
                .is_err()
        );
        assert_eq!(
            call(&client, "broken-api", json!({"query_q": "Paris"})).await,
            Ok(true)
        );
        client.cancel().await.expect("closed");
    }
    // Refused credentials are not logged either.
    let wrong = "wrong-api-key-cdef-0123";
    secrets.push(wrong.to_owned());
    let refused = reqwest::Client::new()
        .post(&url)
        .header("apikey", wrong)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 401);
    let metrics = reqwest::get(format!("http://127.0.0.1:{admin_port}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics body");
    assert!(
        metrics
            .contains(r#"toolgate_introspection_cache_total{endpoint="weather",result="miss"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"toolgate_jwt_cache_total{endpoint="weather",result="hit"}"#),
        "{metrics}"
    );

    child.start_kill().expect("stop toolgate");
    let _ = child.wait().await;
    let mut log = stderr.await.expect("stderr read");
    log.push_str(&stdout.await.expect("stdout read"));
    let lines: Vec<&str> = log.lines().collect();
    // The run was logged, calls and payloads included: the search below means something.
    let audited = lines
        .iter()
        .filter(|l| l.contains("toolgate::audit") && l.contains("\"tool_call\""))
        .count();
    assert_eq!(audited, 12, "{log}");
    assert!(lines.iter().any(|l| l.contains("\"arguments\"")), "{log}");
    for (number, line) in lines.iter().enumerate() {
        for secret in &secrets {
            assert!(
                !line.contains(secret.as_str()),
                "log line {number} holds a secret ({}…): {line}",
                &secret[..6]
            );
        }
    }
}
