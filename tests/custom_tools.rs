//! Custom Rust tools (the `toolgate-custom-tools` example crate) embedded as a user would:
//! a `toolgate.yaml` with a `rust: {}` toolset, the crate's toolset registered with the
//! gateway builder, served over streamable HTTP behind the resource server. A real rmcp
//! client calls typed tools and rmcp-router tools with tokens from the in-process IdP.

use std::net::SocketAddr;

use rmcp::{
    ClientHandler, RoleClient, ServiceExt,
    model::{
        CallToolRequestParams, CallToolResult, NumberOrString, ProgressNotificationParam,
        ProgressToken, RequestMetaObject,
    },
    service::{NotificationContext, RunningService},
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::{Value, json};
use tokio::{sync::mpsc, task::JoinHandle};
use toolgate_config::{Environment, Gateway, load_str};
use toolgate_custom_tools::{NoteStore, TOOLSET_NAME, toolset_with_notes};

use crate::harness::{Idp, McpClient, error_of, free_port, text_of};

/// The example's file, reduced to what the test needs: the IdP's tokens name the consumer
/// by `sub`; editors may write notes, readers may not.
fn config(port: u16, issuer: &str) -> String {
    format!(
        r#"listeners:
  - {{name: main, listen: "127.0.0.1:{port}"}}
consumer_groups:
  - name: editors
  - name: readers
consumers:
  - {{username: alice, groups: [editors]}}
  - {{username: bob, groups: [readers]}}
auth:
  idp:
    resource: http://127.0.0.1:{port}/custom/mcp
    authorization_servers: ["{issuer}"]
    consumer_claim: [sub]
    consumer_by: [username]
toolsets:
  - name: {TOOLSET_NAME}
    tags: [custom]
    rust: {{}}
    include_consumer_groups: true
    default_acl:
      - allow: [editors, readers]
    acl:
      add_note: {{allow: [editors]}}
      delete_note: {{allow: [editors]}}
endpoints:
  - {{name: custom, path: /custom/mcp, tags: [custom], auth: idp}}
"#
    )
}

/// The gateway serving the example toolset; stops when dropped.
struct Served {
    address: SocketAddr,
    task: JoinHandle<std::io::Result<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Served {
    async fn start(idp: &Idp, notes: &NoteStore) -> Self {
        let port = free_port();
        let env = Environment::from_fn(|_| None, None);
        let loaded =
            load_str(&config(port, &idp.issuer()), "custom.yaml", &env).expect("valid file");
        let gateway = Gateway::builder(loaded)
            .with_toolset(toolset_with_notes(notes))
            .build()
            .await
            .expect("built");
        assert!(gateway.warnings().is_empty(), "{:?}", gateway.warnings());
        let bound = gateway.bind().await.expect("bound");
        let address = bound.local_addrs()[0].1;
        let task = tokio::spawn(bound.serve(std::future::pending()));
        Self { address, task }
    }

    fn url(&self) -> String {
        format!("http://{}/custom/mcp", self.address)
    }

    fn token(&self, idp: &Idp, subject: &str) -> String {
        idp.jwt(json!({"aud": self.url(), "sub": subject}))
    }
}

/// A client that forwards the progress notifications it receives.
#[derive(Clone)]
struct ProgressWatcher(mpsc::UnboundedSender<ProgressNotificationParam>);

impl ClientHandler for ProgressWatcher {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params);
    }
}

async fn connect_watching(
    url: String,
    token: &str,
) -> (
    RunningService<RoleClient, ProgressWatcher>,
    mpsc::UnboundedReceiver<ProgressNotificationParam>,
) {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let (sender, receiver) = mpsc::unbounded_channel();
    let config = StreamableHttpClientTransportConfig::with_uri(url).auth_header(token);
    let client = ProgressWatcher(sender)
        .serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP handshake with a token");
    (client, receiver)
}

async fn connect(served: &Served, token: &str) -> McpClient {
    try_connect(served, Some(token))
        .await
        .expect("MCP handshake with a token")
}

fn request(name: &str, arguments: Value) -> CallToolRequestParams {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be a JSON object");
    };
    CallToolRequestParams::new(name.to_owned()).with_arguments(arguments)
}

async fn call(client: &McpClient, name: &str, arguments: Value) -> CallToolResult {
    client
        .call_tool(request(name, arguments))
        .await
        .unwrap_or_else(|error| panic!("{name}: {error}"))
}

async fn tool_names(client: &McpClient) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|tool| tool.name.to_string())
        .collect();
    names.sort();
    names
}

fn structured(result: &CallToolResult) -> &Value {
    result
        .structured_content
        .as_ref()
        .expect("structured content")
}

#[tokio::test]
async fn custom_tools_without_a_token_are_refused_401_fails() {
    let idp = Idp::start().await;
    let served = Served::start(&idp, &NoteStore::new()).await;
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let refused = reqwest::Client::new()
        .post(served.url())
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
            "resource_metadata=\"http://{}/.well-known/oauth-protected-resource/custom/mcp\"",
            served.address
        )),
        "{challenge}"
    );

    // A real MCP client is told to authenticate.
    let error = try_connect(&served, None)
        .await
        .expect_err("no token, no session");
    assert!(error.auth_challenge().is_some(), "{error}");
}

/// Connects with `initialize`, with a token when given, keeping the error.
async fn try_connect(
    served: &Served,
    token: Option<&str>,
) -> Result<McpClient, rmcp::service::ClientInitializeError> {
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let mut config = StreamableHttpClientTransportConfig::with_uri(served.url());
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
}

#[tokio::test]
async fn typed_and_router_tools_answer_a_token_holder_ok() {
    let idp = Idp::start().await;
    let notes = NoteStore::new();
    let served = Served::start(&idp, &notes).await;
    let alice = connect(&served, &served.token(&idp, "alice")).await;

    assert_eq!(
        tool_names(&alice).await,
        [
            "add_note",
            "change_case",
            "convert_units",
            "delete_note",
            "list_notes",
            "search_notes",
            "sign",
            "whoami",
            "word_count",
        ]
    );

    // Typed tools: structured results, the caller from the token.
    let whoami = call(&alice, "whoami", json!({})).await;
    assert_eq!(
        structured(&whoami),
        &json!({"authenticated": true, "subject": "alice", "consumer": "alice", "groups": ["editors"], "scopes": []})
    );
    let converted = call(
        &alice,
        "convert_units",
        json!({"value": 100, "from": "C", "to": "F"}),
    )
    .await;
    assert_eq!(structured(&converted)["value"], json!(212.0));
    assert_eq!(structured(&converted)["text"], "100 °C = 212 °F");
    let impossible = call(
        &alice,
        "convert_units",
        json!({"value": 1, "from": "kg", "to": "m"}),
    )
    .await;
    assert_eq!(impossible.is_error, Some(true));
    assert_eq!(
        text_of(&impossible),
        "cannot convert kg (mass) to m (length)"
    );

    // rmcp router tools: arguments, structured output, the principal as an extension.
    let counted = call(&alice, "word_count", json!({"text": "one two\nthree"})).await;
    assert_eq!(
        structured(&counted),
        &json!({"words": 3, "lines": 2, "characters": 13})
    );
    let cased = call(
        &alice,
        "change_case",
        json!({"text": "custom tools", "case": "kebab"}),
    )
    .await;
    assert_eq!(text_of(&cased), "custom-tools");
    let signed = call(&alice, "sign", json!({"text": "Ship it."})).await;
    assert_eq!(text_of(&signed), "Ship it.\n\n— alice");

    // Arguments are validated before any tool runs, for both kinds.
    let refused = error_of(
        alice
            .call_tool(request(
                "change_case",
                json!({"text": "x", "case": "shouty"}),
            ))
            .await,
    );
    assert_eq!(refused.code.0, -32602, "{refused:?}");
    let refused = error_of(
        alice
            .call_tool(request(
                "convert_units",
                json!({"value": 1, "from": "parsec", "to": "m"}),
            ))
            .await,
    );
    assert_eq!(refused.code.0, -32602, "{refused:?}");
    assert!(notes.list("alice").is_empty());
}

#[tokio::test]
async fn notes_are_per_consumer_and_acls_apply_ok() {
    let idp = Idp::start().await;
    let notes = NoteStore::new();
    let served = Served::start(&idp, &notes).await;
    let alice = connect(&served, &served.token(&idp, "alice")).await;
    let bob = connect(&served, &served.token(&idp, "bob")).await;

    let added = call(
        &alice,
        "add_note",
        json!({"title": "Launch", "body": "Friday at ten", "tags": ["work"]}),
    )
    .await;
    assert_eq!(structured(&added)["title"], "Launch");
    assert_eq!(notes.list("alice").len(), 1);

    // Bob reads but does not write: the writing tools are hidden and refused.
    assert_eq!(
        tool_names(&bob).await,
        [
            "change_case",
            "convert_units",
            "list_notes",
            "search_notes",
            "sign",
            "whoami",
            "word_count",
        ]
    );
    let denied = error_of(
        bob.call_tool(request("add_note", json!({"title": "Mine", "body": "?"})))
            .await,
    );
    assert_eq!(denied.code.0, -32602, "{denied:?}");
    assert!(notes.list("bob").is_empty());

    // Each consumer has a notebook of their own.
    let listed = call(&bob, "list_notes", json!({})).await;
    assert_eq!(structured(&listed), &json!({"notes": [], "total": 0}));
    let listed = call(&alice, "list_notes", json!({"tag": "WORK"})).await;
    assert_eq!(structured(&listed)["total"], 1);
    let id = structured(&added)["id"].clone();
    let gone = call(&bob, "search_notes", json!({"query": "launch"})).await;
    assert_eq!(structured(&gone)["total"], 0);
    let deleted = call(&alice, "delete_note", json!({"id": id})).await;
    assert_eq!(deleted.is_error, Some(false), "{deleted:?}");
    assert!(notes.list("alice").is_empty());
}

#[tokio::test]
async fn search_reports_progress_to_a_client_that_asks_ok() {
    let idp = Idp::start().await;
    let notes = NoteStore::new();
    for i in 0..3 {
        notes
            .add("alice", format!("Note {i}"), "progress".into(), vec![])
            .expect("room");
    }
    let served = Served::start(&idp, &notes).await;
    let (client, mut progress) = connect_watching(served.url(), &served.token(&idp, "alice")).await;

    let mut params = request("search_notes", json!({"query": "progress"}));
    let mut meta = RequestMetaObject::default();
    meta.set_progress_token(ProgressToken(NumberOrString::String("search-1".into())));
    params.meta = Some(meta);
    let result = client.call_tool(params).await.expect("searched");
    assert_eq!(structured(&result)["total"], 3);

    let mut seen = Vec::new();
    while seen
        .last()
        .is_none_or(|p: &ProgressNotificationParam| p.message.as_deref() != Some("done"))
    {
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), progress.recv())
            .await
            .expect("progress arrives")
            .expect("client alive");
        seen.push(next);
    }
    // rmcp's client sends a token of its own choosing; all notifications carry it.
    assert!(
        seen.iter()
            .all(|p| p.progress_token == seen[0].progress_token),
        "{seen:?}"
    );
    assert_eq!(seen.first().map(|p| p.progress), Some(0.0));
    assert_eq!(
        seen.last().map(|p| (p.progress, p.total)),
        Some((3.0, Some(3.0)))
    );
}
