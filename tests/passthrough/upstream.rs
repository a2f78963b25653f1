//! The external MCP server behind the passthrough: an in-process toolgate endpoint with the
//! seed 002 tools (each call counted), a tool that reports progress, a Protected Resource
//! Metadata document of its own, and a record of the headers of every request it received.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use axum::{
    extract::Request,
    http::HeaderMap,
    middleware::{self, Next},
    response::Response,
    routing::get,
};
use serde_json::json;
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::{
    FnTool, Tool, ToolDescriptor, ToolRegistry, ToolSet, schema_object, text_result,
};
use url::Url;

use crate::harness::Gateway;

/// The authorization server the upstream's PRM names.
pub(crate) const UPSTREAM_AUTHORIZATION_SERVER: &str = "https://github.com/login/oauth";

/// The running upstream. Stops when dropped.
pub(crate) struct McpUpstream {
    server: Gateway,
    calls: Arc<Mutex<HashMap<String, usize>>>,
    received: Arc<Mutex<Vec<HeaderMap>>>,
}

impl McpUpstream {
    pub(crate) async fn start() -> Self {
        let calls = Arc::new(Mutex::new(HashMap::new()));
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut toolset = ToolSet::new("github").with_tags(["github"]);
        for name in ["list_issues", "create_issue", "delete_repo"] {
            toolset = toolset.with_tool(counted(name, &calls));
        }
        toolset = toolset.with_tool(Arc::new(slow_progress()));
        let mut registry = ToolRegistry::new();
        registry.add(toolset);
        let server = ToolServer::new(
            Arc::new(registry.catalog_all().expect("catalog")),
            ServerIdentity::new("fake-github", "0"),
        );
        let record = Arc::clone(&received);
        let server = Gateway::serve_with("/mcp", move |url| {
            let prm = json!({
                "resource": url.as_str(),
                "authorization_servers": [UPSTREAM_AUTHORIZATION_SERVER],
                "scopes_supported": ["repo", "gist", "notifications"],
                "bearer_methods_supported": ["header"],
            });
            HttpEndpoint::new("/mcp", server)
                .into_router()
                .route(
                    "/.well-known/oauth-protected-resource/mcp",
                    get(move || std::future::ready(axum::Json(prm))),
                )
                .layer(middleware::from_fn(move |request: Request, next: Next| {
                    let record = Arc::clone(&record);
                    async move {
                        record
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(request.headers().clone());
                        let response: Response = next.run(request).await;
                        response
                    }
                }))
        })
        .await;
        Self {
            server,
            calls,
            received,
        }
    }

    /// The MCP endpoint URL.
    pub(crate) fn url(&self) -> Url {
        self.server.url().parse().expect("upstream URL")
    }

    /// How often `tool` ran.
    pub(crate) fn calls(&self, tool: &str) -> usize {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(tool)
            .copied()
            .unwrap_or(0)
    }

    /// The headers of every request received, in order.
    pub(crate) fn received(&self) -> Vec<HeaderMap> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn empty_schema() -> Arc<toolgate_tools::JsonObject> {
    schema_object(json!({"type": "object", "properties": {}}))
}

fn counted(name: &'static str, calls: &Arc<Mutex<HashMap<String, usize>>>) -> Arc<dyn Tool> {
    let calls = Arc::clone(calls);
    Arc::new(FnTool::new(
        ToolDescriptor::new(name, format!("The {name} tool."), empty_schema()),
        move |_args, _ctx| {
            *calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(name.to_owned())
                .or_default() += 1;
            async move { Ok(text_result(format!("{name} done"))) }
        },
    ))
}

/// Three progress notifications 200 ms apart, then the result 200 ms later.
fn slow_progress() -> FnTool {
    FnTool::new(
        ToolDescriptor::new("slow_progress", "Reports progress slowly.", empty_schema()),
        |_args, ctx| async move {
            for step in 1..=3_u32 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                ctx.progress(f64::from(step), Some(3.0), Some("working"))
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok(text_result("finished"))
        },
    )
}
