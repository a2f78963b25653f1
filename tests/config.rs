//! `toolgate.yaml` end to end: a configuration built into a gateway, served on loopback,
//! called by a real rmcp client with and without auth, and reloaded under load.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use rmcp::{
    ServiceExt,
    model::CallToolRequestParams,
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::{Value, json};
use tokio::{sync::oneshot, task::JoinHandle};
use toolgate_config::{Environment, Gateway, Reloader, load_str};

use crate::harness::{Idp, McpClient, RestUpstream, free_port, text_of};

fn env() -> Environment<'static> {
    Environment::from_fn(
        |name| match name {
            "WEATHER_KEY" => Some("k-config-test".to_owned()),
            "ALICE_KEY" => Some("alice-key-0123456789".to_owned()),
            "BOB_KEY" => Some("bob-key-0123456789ab".to_owned()),
            _ => None,
        },
        None,
    )
}

/// A gateway serving `text`, stopped when dropped.
struct Running {
    address: SocketAddr,
    reloader: Reloader,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(text: &str) -> Self {
        let loaded = load_str(text, "test.yaml", &env()).expect("valid configuration");
        let gateway = Gateway::builder(loaded).build().await.expect("built");
        let bound = gateway.bind().await.expect("bound");
        let address = bound.local_addrs()[0].1;
        let reloader = bound.reloader();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(bound.serve(async {
            let _ = stopped.await;
        }));
        Self {
            address,
            reloader,
            stop: Some(stop),
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    async fn reload(&self, text: &str) -> Result<(), toolgate_config::ConfigError> {
        let loaded = load_str(text, "test.yaml", &env())?;
        self.reloader
            .reload(Gateway::builder(loaded))
            .await
            .map(|_| ())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}

async fn connect(url: String, headers: &[(&str, &str)]) -> McpClient {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    let mut map = std::collections::HashMap::new();
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
    config = config.custom_headers(map);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP handshake")
}

async fn call(client: &McpClient, tool: &str, arguments: Value) -> Result<String, String> {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().cloned().unwrap_or_default());
    match client.call_tool(params).await {
        Ok(result) if result.is_error != Some(true) => Ok(text_of(&result)),
        Ok(result) => Err(format!("isError: {}", text_of(&result))),
        Err(error) => Err(error.to_string()),
    }
}

async fn tool_names(client: &McpClient) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    names
}

/// A weather gateway on `port` calling `upstream`; `extra` is appended to the description
/// of `realtime-api` so reloads can be told apart, `more` adds a tool when true.
fn weather_config(port: u16, upstream: &str, extra: &str, more: bool) -> String {
    let history = if more {
        r"
        - name: history-api
          description: History.
          path: history.json
          parameters:
            - {name: q, in: query, required: true, type: string}
            - {name: dt, in: query, required: true, type: string}"
    } else {
        ""
    };
    format!(
        r#"listeners:
  - {{name: main, listen: "127.0.0.1:{port}"}}
toolsets:
  - name: weatherapi
    tags: [weather-tools]
    rest:
      base_url: {upstream}
      query:
        key: ${{{{ env "WEATHER_KEY" }}}}
      tools:
        - name: realtime-api
          description: Current weather{extra}.
          path: current.json
          parameters:
            - {{name: q, in: query, required: true, type: string}}{history}
endpoints:
  - {{name: weather, path: /weather/mcp, tags: [weather-tools]}}
"#
    )
}

#[tokio::test]
async fn configured_rest_tools_are_served_with_the_fixed_key_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Running::start(&weather_config(0, upstream.url().as_str(), "", true)).await;
    let client = connect(gateway.url("/weather/mcp"), &[]).await;
    assert_eq!(tool_names(&client).await, ["history-api", "realtime-api"]);
    let text = call(&client, "realtime-api", json!({"query_q": "London"}))
        .await
        .expect("call succeeds");
    assert!(text.contains("London"), "{text}");
    let received = upstream.received();
    let pairs = received.last().expect("one upstream request").query_pairs();
    assert!(
        pairs.contains(&("key".to_owned(), "k-config-test".to_owned())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("q".to_owned(), "London".to_owned())),
        "{pairs:?}"
    );
}

/// A client calling tools in a loop over one session sees no failed call while the file is
/// reloaded three times, and its session ends up seeing the third version's tools.
#[tokio::test]
async fn reload_under_load_fails_no_call_ok() {
    let upstream = RestUpstream::start().await;
    let port = free_port();
    let base = upstream.url().to_string();
    let gateway = Running::start(&weather_config(port, &base, " (v0)", false)).await;
    let client = Arc::new(connect(gateway.url("/weather/mcp"), &[]).await);
    let done = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let caller = {
        let (client, done, calls) = (Arc::clone(&client), Arc::clone(&done), Arc::clone(&calls));
        tokio::spawn(async move {
            let mut failures = Vec::new();
            // Bounded: stops when told, or after 20 000 calls at most.
            for _ in 0..20_000 {
                if done.load(Ordering::SeqCst) {
                    break;
                }
                if let Err(error) = call(&client, "realtime-api", json!({"query_q": "Paris"})).await
                {
                    failures.push(error);
                }
                calls.fetch_add(1, Ordering::SeqCst);
            }
            failures
        })
    };
    for version in 1..=3 {
        // Let some calls through on each version.
        let before = calls.load(Ordering::SeqCst);
        for _ in 0..200 {
            if calls.load(Ordering::SeqCst) >= before + 20 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        gateway
            .reload(&weather_config(
                port,
                &base,
                &format!(" (v{version})"),
                version == 3,
            ))
            .await
            .expect("reload accepted");
    }
    let before = calls.load(Ordering::SeqCst);
    for _ in 0..200 {
        if calls.load(Ordering::SeqCst) >= before + 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done.store(true, Ordering::SeqCst);
    let failures = caller.await.expect("caller finished");
    let total = calls.load(Ordering::SeqCst);
    assert!(total >= 80, "only {total} calls were made");
    assert!(
        failures.is_empty(),
        "{} of {total} calls failed: {failures:?}",
        failures.len()
    );
    // The session opened before the reloads sees the new tools.
    let tools = client.list_all_tools().await.expect("tools/list");
    let realtime = tools
        .iter()
        .find(|t| t.name == "realtime-api")
        .expect("realtime-api");
    assert_eq!(
        realtime.description.as_deref(),
        Some("Current weather (v3).")
    );
    assert!(tools.iter().any(|t| t.name == "history-api"));
}

#[tokio::test]
async fn invalid_reload_keeps_the_running_configuration_fails() {
    let upstream = RestUpstream::start().await;
    let port = free_port();
    let base = upstream.url().to_string();
    let gateway = Running::start(&weather_config(port, &base, "", false)).await;
    let broken = weather_config(port, &base, "", false)
        .replace("tags: [weather-tools]}", "tags: [weather-tool]}");
    let error = gateway.reload(&broken).await.expect_err("refused");
    let text = error.to_string();
    assert!(
        text.contains("endpoints[0].tags[0]: no toolset carries the tag `weather-tool`; did you mean `weather-tools`?"),
        "{text}"
    );
    let moved = weather_config(free_port(), &base, "", false);
    let error = gateway.reload(&moved).await.expect_err("refused");
    assert!(
        error.to_string().contains("the listeners changed"),
        "{error}"
    );
    let client = connect(gateway.url("/weather/mcp"), &[]).await;
    call(&client, "realtime-api", json!({"query_q": "Oslo"}))
        .await
        .expect("the old configuration still serves");
}

fn guarded_config(port: u16, upstream: &str, issuer: &str) -> String {
    format!(
        r#"listeners:
  - {{name: main, listen: "127.0.0.1:{port}"}}
consumer_groups:
  - name: admin
  - name: developer
consumers:
  - {{username: alice, groups: [admin], keys: ["${{ALICE_KEY}}"]}}
  - {{username: bob, groups: [developer], keys: ["${{BOB_KEY}}"]}}
auth:
  idp:
    resource: http://127.0.0.1:{port}/weather/mcp
    authorization_servers: ["{issuer}"]
    key_auth: {{}}
toolsets:
  - name: weatherapi
    tags: [weather-tools]
    include_consumer_groups: true
    default_acl:
      - allow: [admin, developer]
    acl:
      history-api: {{allow: [admin]}}
    rest:
      base_url: {upstream}
      tools:
        - {{name: realtime-api, description: Now., path: current.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
        - {{name: history-api, description: Then., path: history.json, parameters: [{{name: q, in: query, required: true, type: string}}]}}
endpoints:
  - {{name: weather, path: /weather/mcp, tags: [weather-tools], auth: idp}}
"#
    )
}

#[tokio::test]
async fn configured_auth_and_acls_apply_to_tokens_and_keys_ok() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let port = free_port();
    let gateway = Running::start(&guarded_config(
        port,
        upstream.url().as_str(),
        &idp.issuer(),
    ))
    .await;
    let url = gateway.url("/weather/mcp");

    // No credential: 401 with a challenge naming the metadata.
    let http = reqwest::Client::new();
    let refused = http
        .post(&url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .expect("ascii");
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"http://127.0.0.1:{port}/.well-known/oauth-protected-resource/weather/mcp\""
        )),
        "{challenge}"
    );

    // A token whose `sub` names alice (consumer_claim defaults to sub, by username): the
    // admin group sees every tool.
    let token = idp.jwt(json!({"aud": url, "sub": "alice"}));
    let alice = connect(
        url.clone(),
        &[("authorization", &format!("Bearer {token}"))],
    )
    .await;
    assert_eq!(tool_names(&alice).await, ["history-api", "realtime-api"]);

    // Bob by API key: the developer group sees realtime only, and history is refused.
    let bob = connect(url.clone(), &[("apikey", "bob-key-0123456789ab")]).await;
    assert_eq!(tool_names(&bob).await, ["realtime-api"]);
    let denied = call(&bob, "history-api", json!({"query_q": "Rome"}))
        .await
        .expect_err("denied");
    assert!(
        denied.contains("Tool 'history-api' is not available for consumer group 'developer'"),
        "{denied}"
    );
    call(&bob, "realtime-api", json!({"query_q": "Rome"}))
        .await
        .expect("allowed");
    assert!(
        upstream
            .received()
            .iter()
            .all(|r| !r.headers.contains_key("apikey") && !r.headers.contains_key("authorization")),
        "credentials reached the upstream"
    );
}

/// The file's ACL applies to a remote MCP server's tools too: hidden from and refused to a
/// consumer it does not allow, served (prefixed) to one it does.
#[tokio::test]
async fn remote_toolset_acl_is_enforced_ok() {
    let upstream = crate::passthrough::upstream::McpUpstream::start().await;
    let text = format!(
        r#"consumer_groups: [{{name: admin}}, {{name: developer}}]
consumers:
  - {{username: alice, groups: [admin], keys: ["${{ALICE_KEY}}"]}}
  - {{username: bob, groups: [developer], keys: ["${{BOB_KEY}}"]}}
auth:
  keys: {{key_auth: {{}}}}
toolsets:
  - name: github
    tags: [gh]
    include_consumer_groups: true
    default_acl: [{{allow: [admin]}}]
    acl: {{gh_list_issues: {{allow: [admin, developer]}}}}
    remote:
      transport: {{type: streamable_http, url: "{}"}}
      prefix: gh
endpoints:
  - {{name: gh, path: /gh/mcp, tags: [gh], auth: keys}}
listeners:
  - {{name: main, listen: "127.0.0.1:0"}}
"#,
        upstream.url()
    );
    let gateway = Running::start(&text).await;
    let url = gateway.url("/gh/mcp");
    let bob = connect(url.clone(), &[("apikey", "bob-key-0123456789ab")]).await;
    assert_eq!(tool_names(&bob).await, ["gh_list_issues"]);
    let denied = call(&bob, "gh_create_issue", json!({}))
        .await
        .expect_err("denied");
    assert!(
        denied.contains("Tool 'gh_create_issue' is not available for consumer group 'developer'"),
        "{denied}"
    );
    assert_eq!(upstream.calls("create_issue"), 0);
    let alice = connect(url, &[("apikey", "alice-key-0123456789")]).await;
    assert_eq!(
        tool_names(&alice).await,
        [
            "gh_create_issue",
            "gh_delete_repo",
            "gh_list_issues",
            "gh_slow_progress"
        ]
    );
}

/// Closed sessions leave nothing behind: the per-session tool-list relay ends with its
/// session even when the catalog never changes (it used to wait for the next change, one
/// parked task and peer per session ever opened).
#[tokio::test]
async fn closed_sessions_leave_no_task_behind_ok() {
    let upstream = RestUpstream::start().await;
    let gateway = Running::start(&weather_config(0, upstream.url().as_str(), "", false)).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let client = connect(gateway.url("/weather/mcp"), &[]).await;
    client.cancel().await.expect("closed");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let baseline = metrics.num_alive_tasks();
    for _ in 0..20 {
        let client = connect(gateway.url("/weather/mcp"), &[]).await;
        client.cancel().await.expect("closed");
    }
    // Bounded: the relay checks every 5 s.
    let mut alive = usize::MAX;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        alive = metrics.num_alive_tasks();
        if alive <= baseline + 2 {
            break;
        }
    }
    assert!(
        alive <= baseline + 2,
        "{alive} tasks alive after 20 closed sessions (baseline {baseline})"
    );
}

/// A session opened before a reload stays bound to its opener: afterwards, bob presenting
/// alice's session id is still refused (403), and alice goes on in it.
#[tokio::test]
async fn sessions_stay_bound_to_their_openers_across_a_reload_fails() {
    let idp = Idp::start().await;
    let upstream = RestUpstream::start().await;
    let port = free_port();
    let config = guarded_config(port, upstream.url().as_str(), &idp.issuer());
    let gateway = Running::start(&config).await;
    let url = gateway.url("/weather/mcp");
    let http = reqwest::Client::new();
    let post = |key: &'static str, session: Option<String>, body: Value| {
        let mut request = http
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .header("apikey", key)
            .json(&body);
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-11-25");
        }
        request.send()
    };
    let opened = post(
        "alice-key-0123456789",
        None,
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "alice", "version": "1"}}}),
    )
    .await
    .expect("initialize");
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    drop(opened);
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    assert!(
        post("alice-key-0123456789", Some(session.clone()), initialized)
            .await
            .expect("initialized")
            .status()
            .is_success()
    );
    let before = post("bob-key-0123456789ab", Some(session.clone()), list.clone())
        .await
        .expect("answer");
    assert_eq!(before.status(), 403, "bob may not use alice's session");

    gateway.reload(&config).await.expect("reload accepted");

    let after = post("bob-key-0123456789ab", Some(session.clone()), list.clone())
        .await
        .expect("answer");
    assert_eq!(after.status(), 403, "still bound after the reload");
    let alice = post("alice-key-0123456789", Some(session), list)
        .await
        .expect("answer");
    assert_eq!(alice.status(), 200);
    assert!(alice.text().await.expect("body").contains("realtime-api"));
}
