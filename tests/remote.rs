//! Remote MCP toolsets: an in-process rmcp upstream over streamable HTTP (prefixes,
//! schemas, filters, errors, progress, restarts, list changes) and the real
//! `@modelcontextprotocol/server-everything` over stdio and streamable HTTP.

pub(crate) mod everything;
mod upstream;

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use rmcp::{
    ClientHandler, RoleClient, ServiceExt,
    model::{CallToolRequestParams, ProgressNotificationParam},
    service::NotificationContext,
    transport::StreamableHttpClientTransport,
};
use serde_json::{Value, json};
use toolgate_remote::{RemoteConfig, RemoteError, RemoteToolset, RemoteTransport, SkipReason};
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::{
    CallContext, CallToolResult, Principal, ToolCatalog, ToolError, ToolRegistry, ToolSet,
};

use crate::harness::{Gateway, text_of};
use everything::EverythingHttp;
use upstream::{McpUpstream, echo_schema, plain_tool};

/// Longest wait for anything a test waits for (reconnection, a published change).
const PATIENCE: Duration = Duration::from_secs(30);

fn http_config(name: &str, upstream: &McpUpstream) -> RemoteConfig {
    RemoteConfig::new(name, RemoteTransport::streamable_http(upstream.url())).with_tags(["remote"])
}

fn catalog_of(toolsets: impl IntoIterator<Item = ToolSet>) -> ToolCatalog {
    let mut registry = ToolRegistry::new();
    for toolset in toolsets {
        registry.add(toolset);
    }
    registry
        .catalog_for_tags(&["remote"])
        .expect("catalog builds")
}

async fn call(
    catalog: &ToolCatalog,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, ToolError> {
    call_with(
        catalog,
        name,
        arguments,
        CallContext::detached(Principal::anonymous()),
    )
    .await
}

async fn call_with(
    catalog: &ToolCatalog,
    name: &str,
    arguments: Value,
    context: CallContext,
) -> Result<CallToolResult, ToolError> {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be an object");
    };
    catalog.call(name, Some(arguments), context).await
}

fn names(toolset: &ToolSet) -> Vec<String> {
    toolset
        .tools()
        .iter()
        .map(|tool| tool.descriptor().name.to_string())
        .collect()
}

#[tokio::test]
async fn http_tools_listed_with_prefix_schemas_kept_and_calls_reach_upstream() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let remote = RemoteToolset::connect(http_config("up", &upstream).with_prefix("up"))
        .await
        .expect("connects");
    let toolset = remote.toolset();
    assert_eq!(toolset.name(), "up");
    assert_eq!(
        names(&toolset),
        ["up_echo", "up_fail", "up_strict", "up_slow", "up_hang"]
    );
    let echo = toolset.tools()[0].descriptor();
    assert_eq!(Value::Object((*echo.input_schema).clone()), echo_schema());
    assert_eq!(echo.title.as_deref(), Some("Echo"));
    assert_eq!(echo.description.as_deref(), Some("Echoes its text."));
    assert!(echo.output_schema.is_some(), "output schema kept");
    let annotations = echo.annotations.as_ref().expect("annotations kept");
    assert_eq!(annotations.read_only_hint, Some(true));
    assert!(remote.skipped().is_empty());

    let catalog = catalog_of([toolset]);
    let result = call(&catalog, "up_echo", json!({"text": "hi"}))
        .await
        .expect("call served");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(text_of(&result), "echo: hi");
    assert_eq!(result.structured_content, Some(json!({"echoed": "hi"})));
    assert_eq!(upstream.calls("echo"), 1);
    remote.shutdown().await;
}

#[tokio::test]
async fn clashing_upstream_names_with_prefixes_both_callable_in_one_catalog() {
    let first = McpUpstream::start(Vec::new()).await;
    let second = McpUpstream::start(Vec::new()).await;
    let a = RemoteToolset::connect(http_config("first", &first).with_prefix("a"))
        .await
        .expect("first connects");
    let b = RemoteToolset::connect(http_config("second", &second).with_prefix("b"))
        .await
        .expect("second connects");
    let catalog = catalog_of([a.toolset(), b.toolset()]);
    for (name, text) in [("a_echo", "one"), ("b_echo", "two"), ("b_echo", "three")] {
        let result = call(&catalog, name, json!({"text": text}))
            .await
            .expect("served");
        assert_eq!(text_of(&result), format!("echo: {text}"));
    }
    assert_eq!((first.calls("echo"), second.calls("echo")), (1, 2));
}

#[tokio::test]
async fn prefixed_name_of_70_chars_shortened_under_64_deterministically() {
    let long = "fetch_the_complete_quarterly_report_for_every_region_x";
    let prefix = "reporting_upstream";
    assert_eq!(prefix.len() + 1 + long.len(), 73);
    let upstream = McpUpstream::start(vec![plain_tool(long)]).await;
    let served = |remote: &RemoteToolset| {
        names(&remote.toolset())
            .into_iter()
            .find(|name| name.starts_with("reporting_upstream_fetch"))
            .expect("the long tool is served")
    };
    let first = RemoteToolset::connect(http_config("r1", &upstream).with_prefix(prefix))
        .await
        .expect("connects");
    let second = RemoteToolset::connect(http_config("r2", &upstream).with_prefix(prefix))
        .await
        .expect("connects again");
    let name = served(&first);
    assert!(name.len() <= 64, "{name} is {} characters", name.len());
    assert_eq!(name, served(&second), "same input, same name");
    assert_eq!(
        Some(name.clone()),
        toolgate_remote::served_name(Some(prefix), long)
    );

    let catalog = catalog_of([first.toolset()]);
    let result = call(&catalog, &name, json!({})).await.expect("served");
    assert_eq!(text_of(&result), format!("{long} called"));
    assert_eq!(upstream.calls(long), 1, "called by its upstream name");
}

#[tokio::test]
async fn include_exclude_and_invalid_names_skipped_and_listed() {
    let upstream = McpUpstream::start(vec![plain_tool("bad.name")]).await;
    let config = http_config("up", &upstream)
        .with_prefix("up")
        .with_include(["e*", "f*", "bad*"])
        .with_exclude(["fail"]);
    let remote = RemoteToolset::connect(config).await.expect("connects");
    assert_eq!(names(&remote.toolset()), ["up_echo"]);
    let skipped: Vec<(String, SkipReason)> = remote
        .skipped()
        .into_iter()
        .map(|s| (s.upstream_name, s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            ("fail".to_owned(), SkipReason::Filtered),
            ("strict".to_owned(), SkipReason::Filtered),
            ("slow".to_owned(), SkipReason::Filtered),
            ("hang".to_owned(), SkipReason::Filtered),
            ("bad.name".to_owned(), SkipReason::InvalidName),
        ]
    );
}

#[tokio::test]
async fn invalid_prefix_and_unreachable_upstream_fail_to_connect() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let error = RemoteToolset::connect(http_config("up", &upstream).with_prefix("no spaces"))
        .await
        .expect_err("invalid prefix");
    assert!(
        matches!(error, RemoteError::InvalidPrefix { .. }),
        "{error}"
    );

    let url = upstream.url();
    drop(upstream);
    let config = RemoteConfig::new("gone", RemoteTransport::streamable_http(url))
        .with_timeout(Duration::from_secs(5));
    let error = RemoteToolset::connect(config)
        .await
        .expect_err("nobody listens");
    assert!(error.to_string().contains("'gone'"), "{error}");
}

#[tokio::test]
async fn upstream_errors_become_results_and_invalid_params_stay_invalid_params() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let remote = RemoteToolset::connect(http_config("up", &upstream).with_prefix("up"))
        .await
        .expect("connects");
    let catalog = catalog_of([remote.toolset()]);

    let result = call(&catalog, "up_fail", json!({}))
        .await
        .expect("a result");
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text_of(&result), "the upstream tool exploded");

    let error = call(&catalog, "up_strict", json!({}))
        .await
        .expect_err("-32602");
    assert!(
        matches!(error, ToolError::InvalidArguments { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("argument 'x' is required"),
        "{error}"
    );
    let data: rmcp::ErrorData = error.into();
    assert_eq!(data.code, rmcp::model::ErrorCode::INVALID_PARAMS);
}

#[tokio::test]
async fn slow_upstream_times_out_and_cancelled_call_returns_at_once() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let config = http_config("up", &upstream)
        .with_prefix("up")
        .with_timeout(Duration::from_millis(500));
    let remote = RemoteToolset::connect(config).await.expect("connects");
    let catalog = catalog_of([remote.toolset()]);

    let started = Instant::now();
    let result = call(&catalog, "up_hang", json!({}))
        .await
        .expect("a result");
    assert_eq!(result.is_error, Some(true));
    assert!(
        text_of(&result).contains("did not answer within 500 ms"),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    let context = CallContext::detached(Principal::anonymous());
    context.cancellation().cancel();
    let result = call_with(&catalog, "up_hang", json!({}), context)
        .await
        .expect("a result");
    assert_eq!(result.is_error, Some(true));
    assert!(text_of(&result).contains("cancelled"), "{result:?}");
}

#[tokio::test]
async fn upstream_restart_fails_cleanly_while_down_and_recovers() {
    let mut upstream = McpUpstream::start(Vec::new()).await;
    let remote = RemoteToolset::connect(
        http_config("up", &upstream)
            .with_prefix("up")
            .with_timeout(Duration::from_secs(5)),
    )
    .await
    .expect("connects");
    let catalog = catalog_of([remote.toolset()]);
    let ok = call(&catalog, "up_echo", json!({"text": "before"}))
        .await
        .expect("served");
    assert_eq!(text_of(&ok), "echo: before");

    upstream.stop().await;
    for _ in 0..2 {
        let started = Instant::now();
        let down = call(&catalog, "up_echo", json!({"text": "down"}))
            .await
            .expect("a result");
        assert_eq!(down.is_error, Some(true), "{down:?}");
        assert!(
            text_of(&down).contains("the upstream MCP server 'up' is unavailable"),
            "{}",
            text_of(&down)
        );
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "answered at once"
        );
    }

    upstream.restart().await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let result = call(&catalog, "up_echo", json!({"text": "after"}))
            .await
            .expect("a result");
        if result.is_error != Some(true) {
            assert_eq!(text_of(&result), "echo: after");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {}",
            text_of(&result)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(remote.is_connected());
    assert_eq!(upstream.calls("echo"), 2);
}

#[tokio::test]
async fn list_changed_publishes_the_new_toolset() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let remote = RemoteToolset::connect(http_config("up", &upstream).with_prefix("up"))
        .await
        .expect("connects");
    let mut changes = remote.changes();
    changes.borrow_and_update();
    upstream.add_tool(plain_tool("fresh")).await;
    tokio::time::timeout(PATIENCE, changes.changed())
        .await
        .expect("a change within the patience")
        .expect("the toolset is alive");
    let toolset = changes.borrow_and_update().clone();
    assert!(
        names(&toolset).contains(&"up_fresh".to_owned()),
        "{:?}",
        names(&toolset)
    );
    assert_eq!(names(&remote.toolset()), names(&toolset));
    let catalog = catalog_of([toolset]);
    let result = call(&catalog, "up_fresh", json!({})).await.expect("served");
    assert_eq!(text_of(&result), "fresh called");
}

/// Progress values and messages, in arrival order.
type Seen = Vec<(f64, Option<String>)>;

/// A downstream client that records the progress it is told about.
#[derive(Clone, Default)]
struct ProgressRecorder {
    seen: Arc<Mutex<Seen>>,
}

impl ClientHandler for ProgressRecorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((params.progress, params.message));
    }
}

#[tokio::test]
async fn upstream_progress_relayed_to_the_downstream_client() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let remote = RemoteToolset::connect(http_config("up", &upstream).with_prefix("up"))
        .await
        .expect("connects");
    let server = ToolServer::new(
        Arc::new(catalog_of([remote.toolset()])),
        ServerIdentity::new("gateway", "0"),
    );
    let gateway = Gateway::serve(HttpEndpoint::new("/mcp", server).into_router(), "/mcp").await;
    let recorder = ProgressRecorder::default();
    let client = recorder
        .clone()
        .serve(StreamableHttpClientTransport::from_uri(gateway.url()))
        .await
        .expect("MCP handshake with the gateway");
    let result = client
        .call_tool(CallToolRequestParams::new("up_slow"))
        .await
        .expect("served");
    assert_eq!(text_of(&result), "slow done");
    let deadline = Instant::now() + PATIENCE;
    let seen = loop {
        let seen = recorder
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if seen.len() >= 3 || Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        seen,
        [
            (1.0, Some("step 1".to_owned())),
            (2.0, Some("step 2".to_owned())),
            (3.0, Some("step 3".to_owned())),
        ]
    );
    let _ = client.cancel().await;
}

#[tokio::test]
async fn everything_over_stdio_lists_tools_and_echoes() {
    let entry = everything::entry_point().await;
    let config = RemoteConfig::new(
        "everything",
        RemoteTransport::stdio("node", [entry.display().to_string(), "stdio".to_owned()]),
    )
    .with_prefix("ev")
    .with_tags(["remote"]);
    let remote = RemoteToolset::connect(config)
        .await
        .expect("server-everything over stdio");
    let toolset = remote.toolset();
    let listed = names(&toolset);
    assert!(listed.contains(&"ev_echo".to_owned()), "{listed:?}");
    assert!(
        listed.iter().all(|name| name.starts_with("ev_")),
        "{listed:?}"
    );
    let catalog = catalog_of([toolset]);
    let result = call(&catalog, "ev_echo", json!({"message": "hello over stdio"}))
        .await
        .expect("served");
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert!(text_of(&result).contains("hello over stdio"), "{result:?}");
    remote.shutdown().await;
}

#[tokio::test]
async fn everything_over_streamable_http_lists_tools_and_echoes() {
    let server = EverythingHttp::start().await;
    let config = RemoteConfig::new("everything", RemoteTransport::streamable_http(server.url()))
        .with_prefix("ev")
        .with_tags(["remote"]);
    let remote = RemoteToolset::connect(config)
        .await
        .expect("server-everything over HTTP");
    let catalog = catalog_of([remote.toolset()]);
    assert!(catalog.get("ev_echo").is_some());
    let result = call(&catalog, "ev_echo", json!({"message": "hello over http"}))
        .await
        .expect("served");
    assert!(text_of(&result).contains("hello over http"), "{result:?}");
    remote.shutdown().await;
    server.stop().await;
}

/// A client connected to the gateway with a `tools/list_changed` counter.
#[derive(Clone)]
struct ChangeWatcher(tokio::sync::mpsc::UnboundedSender<()>);

impl ClientHandler for ChangeWatcher {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.0.send(());
    }
}

#[tokio::test]
async fn upstream_list_changed_reaches_downstream_clients_ok() {
    let upstream = McpUpstream::start(Vec::new()).await;
    let remote = RemoteToolset::connect(http_config("up", &upstream).with_prefix("up"))
        .await
        .expect("connects");
    let mut registry = ToolRegistry::new();
    registry.add(remote.toolset());
    let live = toolgate_tools::LiveRegistry::new(registry);
    let _publisher = remote.publish_to(Arc::clone(&live));
    let server = ToolServer::live(
        live.endpoint(&["remote"]).expect("endpoint"),
        ServerIdentity::new("aggregator", "0"),
    );
    let gateway = Gateway::serve(HttpEndpoint::new("/mcp", server).into_router(), "/mcp").await;
    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let (sender, mut notified) = tokio::sync::mpsc::unbounded_channel();
    let client = ChangeWatcher(sender)
        .serve(StreamableHttpClientTransport::from_uri(gateway.url()))
        .await
        .expect("handshake");
    let before = client.list_all_tools().await.expect("list").len();

    upstream.add_tool(plain_tool("fresh")).await;
    tokio::time::timeout(PATIENCE, notified.recv())
        .await
        .expect("list_changed relayed to the downstream client")
        .expect("notification");
    let tools = client.list_all_tools().await.expect("list");
    assert_eq!(tools.len(), before + 1);
    let result = client
        .call_tool(CallToolRequestParams::new("up_fresh").with_arguments(serde_json::Map::new()))
        .await
        .expect("the new upstream tool is callable downstream");
    assert_eq!(text_of(&result), "fresh called");
}

#[tokio::test]
async fn client_credentials_token_reaches_a_protected_upstream_ok() {
    use toolgate_auth::{ResourceServer, ResourceServerConfig};
    use toolgate_remote::ClientCredentials;
    use toolgate_tools::{FnTool, ToolDescriptor, schema_object, text_result};

    let idp = crate::harness::Idp::start().await;
    let issuer = idp.issuer();
    let whoami = FnTool::new(
        ToolDescriptor::new(
            "whoami",
            "Who called.",
            schema_object(json!({"type": "object"})),
        ),
        |_args, ctx| async move {
            Ok(text_result(
                ctx.principal().subject.clone().unwrap_or_default(),
            ))
        },
    );
    let mut registry = ToolRegistry::new();
    registry.add(ToolSet::new("protected").with_tool(Arc::new(whoami)));
    let catalog = Arc::new(registry.catalog_all().expect("catalog"));
    let upstream = Gateway::serve_with("/mcp", |url| {
        let config = ResourceServerConfig::new(url.clone(), vec![issuer.parse().expect("issuer")]);
        HttpEndpoint::new(
            "/mcp",
            ToolServer::new(catalog, ServerIdentity::new("protected", "0")),
        )
        .with_auth(Arc::new(
            ResourceServer::new(config).expect("resource server"),
        ))
        .into_router()
    })
    .await;

    let unauthenticated = RemoteToolset::connect(RemoteConfig::new(
        "up",
        RemoteTransport::streamable_http(upstream.url()),
    ))
    .await;
    assert!(unauthenticated.is_err(), "the upstream requires a token");

    let grant = ClientCredentials::new(idp.token_endpoint(), "mcp-client", "mcp-client-secret")
        .with_resource(upstream.url());
    let transport = RemoteTransport::streamable_http(upstream.url()).with_client_credentials(grant);
    let remote = RemoteToolset::connect(RemoteConfig::new("up", transport).with_tags(["remote"]))
        .await
        .expect("connects with a client-credentials token");
    let catalog = catalog_of([remote.toolset()]);
    let result = call(&catalog, "whoami", json!({})).await.expect("call");
    assert_eq!(
        text_of(&result),
        "mcp-client",
        "the upstream saw the gateway's own identity"
    );
    assert_eq!(idp.token_requests().len(), 1);
}
