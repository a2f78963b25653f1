//! The caller's identity reaches custom tools: whatever the auth layer puts in the request's
//! extensions arrives in the tool's `CallContext`; without one, the caller is anonymous.

use std::sync::Arc;

use axum::{extract::Request, middleware::Next};
use serde_json::json;
use toolgate_server::{HttpEndpoint, ServerIdentity, ToolServer};
use toolgate_tools::{
    FnTool, Principal, ToolDescriptor, ToolRegistry, ToolSet, schema_object, text_result,
};

use crate::harness::{Gateway, call, connect, text_of};

fn whoami_server() -> ToolServer {
    let whoami = FnTool::new(
        ToolDescriptor::new(
            "whoami",
            "Says who is calling.",
            schema_object(json!({"type": "object"})),
        ),
        |_args, ctx| async move {
            let principal = ctx.principal();
            Ok(text_result(format!(
                "subject={} consumer={} groups={}",
                principal.subject.as_deref().unwrap_or("-"),
                principal.consumer.as_deref().unwrap_or("-"),
                principal.groups.join(",")
            )))
        },
    );
    let mut registry = ToolRegistry::new();
    registry.add(ToolSet::new("custom").with_tool(Arc::new(whoami)));
    ToolServer::new(
        Arc::new(registry.catalog_all().expect("catalog")),
        ServerIdentity::new("whoami", "0"),
    )
}

#[tokio::test]
async fn principal_from_request_extensions_reaches_the_tool_ok() {
    let router = HttpEndpoint::new("/mcp", whoami_server())
        .into_router()
        .layer(axum::middleware::from_fn(
            |mut request: Request, next: Next| async move {
                let principal = Principal::anonymous()
                    .with_subject("alice")
                    .with_consumer("alice-app")
                    .with_groups(["gold"]);
                request.extensions_mut().insert(Arc::new(principal));
                next.run(request).await
            },
        ));
    let gateway = Gateway::serve(router, "/mcp").await;
    let client = connect(&gateway).await;
    let result = call(&client, "whoami", json!({})).await.expect("call");
    assert_eq!(
        text_of(&result),
        "subject=alice consumer=alice-app groups=gold"
    );
}

#[tokio::test]
async fn without_auth_layer_the_caller_is_anonymous_ok() {
    let gateway = Gateway::serve(
        HttpEndpoint::new("/mcp", whoami_server()).into_router(),
        "/mcp",
    )
    .await;
    let client = connect(&gateway).await;
    let result = call(&client, "whoami", json!({})).await.expect("call");
    assert_eq!(text_of(&result), "subject=- consumer=- groups=");
}
