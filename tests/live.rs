//! Tool lists that change while clients are connected: a replaced toolset is served at once
//! and every session is told with `notifications/tools/list_changed`.

use std::sync::Arc;

use rmcp::{
    ClientHandler, RoleClient, ServiceExt, model::CallToolRequestParams,
    service::NotificationContext, transport::StreamableHttpClientTransport,
};
use serde_json::json;
use tokio::sync::mpsc;
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::{
    FnTool, LiveRegistry, ToolDescriptor, ToolRegistry, ToolSet, schema_object, text_result,
};

use crate::harness::Gateway;

fn tool(name: &str) -> Arc<dyn toolgate_tools::Tool> {
    let answer = format!("{name} answered");
    Arc::new(FnTool::new(
        ToolDescriptor::new(
            name.to_owned(),
            "test tool",
            schema_object(json!({"type": "object"})),
        ),
        move |_args, _ctx| {
            let answer = answer.clone();
            async move { Ok(text_result(answer)) }
        },
    ))
}

/// A client that reports every `tools/list_changed` it receives.
#[derive(Clone)]
struct Watcher(mpsc::UnboundedSender<()>);

impl ClientHandler for Watcher {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.0.send(());
    }
}

#[tokio::test]
async fn replaced_toolset_reaches_connected_clients_ok() {
    let mut registry = ToolRegistry::new();
    registry.add(
        ToolSet::new("remote")
            .with_tags(["live"])
            .with_tool(tool("first")),
    );
    let live = LiveRegistry::new(registry);
    let server = ToolServer::live(
        live.endpoint(&["live"]).expect("endpoint"),
        ServerIdentity::new("live", "0"),
    );
    let gateway = Gateway::serve(HttpEndpoint::new("/mcp", server).into_router(), "/mcp").await;

    toolgate_rest::UpstreamClient::new().expect("tls provider");
    let (sender, mut changes) = mpsc::unbounded_channel();
    let client = Watcher(sender)
        .serve(StreamableHttpClientTransport::from_uri(gateway.url()))
        .await
        .expect("handshake");
    let capabilities = client
        .peer_info()
        .expect("server info")
        .capabilities
        .clone();
    assert_eq!(
        capabilities.tools.and_then(|t| t.list_changed),
        Some(true),
        "a live endpoint announces listChanged"
    );
    let names = |tools: Vec<rmcp::model::Tool>| {
        tools
            .into_iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(client.list_all_tools().await.expect("list")),
        ["first"]
    );

    live.replace_toolset(
        ToolSet::new("remote")
            .with_tags(["live"])
            .with_tools([tool("first"), tool("second")]),
    )
    .expect("replace");
    tokio::time::timeout(std::time::Duration::from_secs(5), changes.recv())
        .await
        .expect("list_changed within 5 s")
        .expect("notification");
    assert_eq!(
        names(client.list_all_tools().await.expect("list")),
        ["first", "second"]
    );
    let result = client
        .call_tool(CallToolRequestParams::new("second").with_arguments(serde_json::Map::new()))
        .await
        .expect("the new tool is callable");
    assert_eq!(result.is_error, Some(false));
}
