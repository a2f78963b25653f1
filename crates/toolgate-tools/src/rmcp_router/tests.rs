//! An rmcp `#[tool_router]` server called through toolgate's [`Tool`] trait and catalog.

// The detached peer is probed with a log message, deprecated by the 2026-07-28 protocol.
#![allow(deprecated)]

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use rmcp::{
    ErrorData, RoleServer,
    handler::server::{
        tool::Extension,
        wrapper::{Json, Parameters},
    },
    model::{
        CallToolResult, ContentBlock, LoggingLevel, LoggingMessageNotificationParam,
        RequestMetaObject,
    },
    schemars::JsonSchema,
    service::Peer,
    tool, tool_router,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::{Principal, ToolCatalog};

#[derive(Debug, Default)]
struct Calculator {
    calls: AtomicUsize,
}

#[derive(Deserialize, JsonSchema)]
struct PairArgs {
    /// The left operand
    a: i64,
    /// The right operand
    b: i64,
}

#[derive(Serialize, JsonSchema)]
struct Sum {
    sum: i64,
}

/// How to round.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Rounding {
    Down,
    Up,
}

#[derive(Deserialize, JsonSchema)]
struct RoundArgs {
    value: f64,
    /// Which way
    mode: Rounding,
}

#[tool_router]
impl Calculator {
    #[tool(description = "Adds two integers")]
    fn sum(&self, Parameters(PairArgs { a, b }): Parameters<PairArgs>) -> Json<Sum> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Json(Sum { sum: a + b })
    }

    #[tool(description = "Divides a by b")]
    fn divide(
        &self,
        Parameters(PairArgs { a, b }): Parameters<PairArgs>,
    ) -> Result<String, String> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        a.checked_div(b)
            .map(|quotient| quotient.to_string())
            .ok_or_else(|| format!("cannot divide {a} by zero"))
    }

    #[tool(description = "Rounds a number")]
    fn round(&self, Parameters(RoundArgs { value, mode }): Parameters<RoundArgs>) -> String {
        match mode {
            Rounding::Down => value.floor().to_string(),
            Rounding::Up => value.ceil().to_string(),
        }
    }

    #[tool(description = "Always refuses")]
    fn refuse(&self) -> Result<CallToolResult, ErrorData> {
        Err(ErrorData::invalid_request(
            "refused on purpose",
            Some(json!({"reason": "test"})),
        ))
    }

    #[tool(description = "Names the caller")]
    fn whoami(&self, Extension(principal): Extension<Arc<Principal>>) -> String {
        principal
            .consumer
            .clone()
            .unwrap_or_else(|| "anonymous".into())
    }

    #[tool(description = "Reports what its request context carries")]
    async fn context(
        &self,
        ct: CancellationToken,
        peer: Peer<RoleServer>,
        meta: RequestMetaObject,
        Extension(context): Extension<CallContext>,
    ) -> String {
        let delivered = peer
            .notify_logging_message(LoggingMessageNotificationParam::new(
                LoggingLevel::Info,
                json!("hello"),
            ))
            .await
            .is_ok();
        format!(
            "cancelled={} delivered={delivered} progress_token={} subject={}",
            ct.is_cancelled(),
            meta.get_progress_token().is_some(),
            context.principal().subject.as_deref().unwrap_or("-"),
        )
    }

    #[tool(
        description = "How many calls the calculator served",
        annotations(read_only_hint = true)
    )]
    fn calls(&self) -> String {
        self.calls.load(Ordering::Relaxed).to_string()
    }
}

fn args(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, not {other}"),
    }
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn calculator() -> (Arc<Calculator>, ToolCatalog) {
    let service = Arc::new(Calculator::default());
    let toolset = rmcp_toolset(
        "calculator",
        Arc::clone(&service),
        Calculator::tool_router(),
    );
    let catalog = ToolCatalog::build([&toolset]).expect("valid catalog");
    (service, catalog)
}

fn detached(principal: Principal) -> CallContext {
    CallContext::detached(principal)
}

#[test]
fn every_route_becomes_a_tool_with_its_descriptor() {
    let (_, catalog) = calculator();
    let names: Vec<_> = catalog.descriptors().map(|d| d.name.to_string()).collect();
    assert_eq!(
        names,
        [
            "calls", "context", "divide", "refuse", "round", "sum", "whoami"
        ]
    );
    let sum = catalog.get("sum").expect("sum").descriptor();
    assert_eq!(sum.description.as_deref(), Some("Adds two integers"));
    assert_eq!(
        sum.input_schema["properties"]["a"]["description"],
        json!("The left operand")
    );
    assert!(sum.output_schema.is_some(), "Json<Sum> declares its output");
    let calls = catalog.get("calls").expect("calls").descriptor();
    assert_eq!(
        calls.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(true)
    );
}

#[tokio::test]
async fn definitions_are_inlined_for_clients_that_cannot_resolve_refs() {
    let (_, catalog) = calculator();
    let round = catalog.get("round").expect("round").descriptor();
    let schema = Value::Object((*round.input_schema).clone());
    assert!(!schema.to_string().contains("$ref"), "{schema}");
    assert!(round.input_schema.get("$defs").is_none(), "{schema}");
    assert_eq!(schema["properties"]["mode"]["description"], "Which way");
    assert_eq!(schema["properties"]["mode"]["enum"], json!(["down", "up"]));
    let result = catalog
        .call(
            "round",
            Some(args(json!({"value": 2.5, "mode": "up"}))),
            detached(Principal::anonymous()),
        )
        .await
        .expect("call");
    assert_eq!(text(&result), "3");
}

#[tokio::test]
async fn a_route_reads_its_arguments_and_shares_the_service() {
    let (service, catalog) = calculator();
    let result = catalog
        .call(
            "sum",
            Some(args(json!({"a": 40, "b": 2}))),
            detached(Principal::anonymous()),
        )
        .await
        .expect("call");
    assert_eq!(result.structured_content, Some(json!({"sum": 42})));
    assert_eq!(result.is_error, Some(false));
    let result = catalog
        .call("calls", None, detached(Principal::anonymous()))
        .await
        .expect("call");
    assert_eq!(text(&result), "1");
    assert_eq!(service.calls.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_failing_route_is_an_error_result() {
    let (_, catalog) = calculator();
    let result = catalog
        .call(
            "divide",
            Some(args(json!({"a": 1, "b": 0}))),
            detached(Principal::anonymous()),
        )
        .await
        .expect("a result, not a protocol error");
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "cannot divide 1 by zero");
}

#[tokio::test]
async fn a_refusing_route_keeps_its_json_rpc_error() {
    let (_, catalog) = calculator();
    let error = catalog
        .call("refuse", None, detached(Principal::anonymous()))
        .await
        .expect_err("refused");
    assert!(matches!(error, ToolError::Rpc(_)), "{error:?}");
    assert_eq!(error.code(), -32600);
    let error = ErrorData::from(error);
    assert_eq!(error.message, "refused on purpose");
    assert_eq!(error.data, Some(json!({"reason": "test"})));
}

#[tokio::test]
async fn arguments_are_validated_before_the_route_runs() {
    let (service, catalog) = calculator();
    let error = catalog
        .call(
            "sum",
            Some(args(json!({"a": "forty"}))),
            detached(Principal::anonymous()),
        )
        .await
        .expect_err("invalid arguments");
    assert!(
        matches!(error, ToolError::InvalidArguments { .. }),
        "{error}"
    );
    assert_eq!(ErrorData::from(error).code.0, -32602);
    assert_eq!(service.calls.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn the_caller_reaches_the_route_as_an_extension() {
    let (_, catalog) = calculator();
    let result = catalog
        .call(
            "whoami",
            None,
            detached(Principal::anonymous().with_consumer("acme")),
        )
        .await
        .expect("call");
    assert_eq!(text(&result), "acme");
}

#[tokio::test]
async fn a_detached_call_gets_its_cancellation_and_a_closed_peer() {
    let (_, catalog) = calculator();
    let context = detached(Principal::anonymous().with_subject("alice"));
    context.cancellation().cancel();
    let result = catalog.call("context", None, context).await.expect("call");
    assert_eq!(
        text(&result),
        "cancelled=true delivered=false progress_token=false subject=alice"
    );
}

#[tokio::test]
async fn the_tool_trait_calls_the_route_directly() {
    let tools = rmcp_tools(Calculator::default(), Calculator::tool_router());
    let divide = tools
        .iter()
        .find(|tool| tool.descriptor().name == "divide")
        .expect("divide");
    let result = divide
        .call(
            args(json!({"a": 9, "b": 3})),
            detached(Principal::anonymous()),
        )
        .await
        .expect("call");
    assert_eq!(result.content, vec![ContentBlock::text("3")]);
}
