use std::sync::Arc;

use serde_json::json;

use crate::{
    CallContext, FnTool, JsonObject, Principal, RegistryError, ToolDescriptor, ToolError,
    ToolRegistry, ToolSet, schema_object, text_result,
};

fn tool(name: &str, schema: serde_json::Value) -> Arc<dyn crate::Tool> {
    Arc::new(FnTool::new(
        ToolDescriptor::new(name.to_owned(), "test tool", schema_object(schema)),
        |args, ctx| async move {
            let who = ctx
                .principal()
                .subject
                .clone()
                .unwrap_or_else(|| "anonymous".into());
            Ok(text_result(format!(
                "{who}:{}",
                serde_json::Value::Object(args)
            )))
        },
    ))
}

fn forecast_schema() -> serde_json::Value {
    json!({
        "type": "object",
        "properties": {
            "query_q": {"type": "string"},
            "query_days": {"type": "integer", "enum": [1, 2, 3]},
            "query_dt": {"type": "string", "format": "date"}
        },
        "required": ["query_q", "query_days"],
        "additionalProperties": false
    })
}

fn args(value: serde_json::Value) -> JsonObject {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("arguments must be an object, not {other}"),
    }
}

fn catalog() -> crate::ToolCatalog {
    let mut registry = ToolRegistry::new();
    registry.add(
        ToolSet::new("weather")
            .with_tags(["weather-tools"])
            .with_tool(tool("forecast-api", forecast_schema())),
    );
    registry.add(
        ToolSet::new("other")
            .with_tags(["other"])
            .with_tool(tool("other-tool", json!({"type": "object"}))),
    );
    registry
        .catalog_for_tags(&["weather-tools"])
        .expect("catalog")
}

#[test]
fn tags_select_toolsets_ok() {
    let catalog = catalog();
    assert_eq!(catalog.len(), 1);
    assert!(catalog.get("forecast-api").is_some());
    assert!(catalog.get("other-tool").is_none());
}

#[test]
fn unknown_tag_fails() {
    let registry = ToolRegistry::new();
    let error = registry
        .catalog_for_tags(&["nope"])
        .expect_err("unknown tag");
    assert!(matches!(error, RegistryError::UnknownTag { .. }));
}

#[test]
fn duplicate_name_names_both_sources_fails() {
    let mut registry = ToolRegistry::new();
    registry.add(
        ToolSet::new("first")
            .with_tags(["t"])
            .with_tool(tool("same", json!({}))),
    );
    registry.add(
        ToolSet::new("second")
            .with_tags(["t"])
            .with_tool(tool("same", json!({}))),
    );
    let error = registry.catalog_for_tags(&["t"]).expect_err("duplicate");
    let message = error.to_string();
    assert!(message.contains("'same'"), "{message}");
    assert!(
        message.contains("'first'") && message.contains("'second'"),
        "{message}"
    );
}

#[test]
fn invalid_name_fails() {
    let mut registry = ToolRegistry::new();
    registry.add(ToolSet::new("s").with_tool(tool("has space", json!({}))));
    assert!(matches!(
        registry.catalog_all(),
        Err(RegistryError::InvalidName { .. })
    ));
}

#[test]
fn invalid_schema_fails() {
    let mut registry = ToolRegistry::new();
    registry.add(ToolSet::new("s").with_tool(tool("bad", json!({"type": "no-such-type"}))));
    assert!(matches!(
        registry.catalog_all(),
        Err(RegistryError::InvalidSchema { .. })
    ));
}

#[test]
fn valid_arguments_ok() {
    let catalog = catalog();
    catalog
        .validate(
            "forecast-api",
            &args(json!({"query_q": "London", "query_days": 2})),
        )
        .expect("valid");
}

#[test]
fn missing_required_argument_fails() {
    let error = catalog()
        .validate("forecast-api", &args(json!({"query_days": 2})))
        .expect_err("missing");
    let message = error.to_string();
    assert!(
        message.contains("missing required argument 'query_q'"),
        "{message}"
    );
    assert!(message.contains("'forecast-api'"), "{message}");
}

#[test]
fn enum_violation_names_argument_and_rule_fails() {
    let error = catalog()
        .validate(
            "forecast-api",
            &args(json!({"query_q": "x", "query_days": 9})),
        )
        .expect_err("enum");
    let message = error.to_string();
    assert!(message.contains("argument 'query_days'"), "{message}");
    assert!(message.contains("rule: enum"), "{message}");
}

#[test]
fn wrong_type_fails() {
    let error = catalog()
        .validate(
            "forecast-api",
            &args(json!({"query_q": 5, "query_days": 1})),
        )
        .expect_err("type");
    assert!(error.to_string().contains("rule: type"), "{error}");
}

#[test]
fn bad_date_format_fails() {
    let error = catalog()
        .validate(
            "forecast-api",
            &args(json!({"query_q": "x", "query_days": 1, "query_dt": "tomorrow"})),
        )
        .expect_err("format");
    assert!(error.to_string().contains("rule: format"), "{error}");
}

#[test]
fn unknown_argument_fails() {
    let error = catalog()
        .validate(
            "forecast-api",
            &args(json!({"query_q": "x", "query_days": 1, "query_key": "steal"})),
        )
        .expect_err("additional");
    assert!(
        error.to_string().contains("unknown argument(s): query_key"),
        "{error}"
    );
}

#[test]
fn unknown_tool_fails() {
    let error = catalog()
        .validate("nope", &JsonObject::new())
        .expect_err("unknown");
    assert!(matches!(error, ToolError::UnknownTool { .. }));
    let data: rmcp::ErrorData = error.into();
    assert_eq!(data.code.0, -32602);
    assert!(data.message.contains("'nope'"));
}

#[tokio::test]
async fn call_reaches_tool_with_principal_ok() {
    let result = catalog()
        .call(
            "forecast-api",
            Some(args(json!({"query_q": "x", "query_days": 1}))),
            CallContext::detached(Principal::anonymous().with_subject("alice")),
        )
        .await
        .expect("call");
    let text = serde_json::to_string(&result.content).expect("json");
    assert!(text.contains("alice:"), "{text}");
}

#[tokio::test]
async fn call_with_invalid_arguments_never_runs_tool_fails() {
    let error = catalog()
        .call(
            "forecast-api",
            None,
            CallContext::detached(Principal::anonymous()),
        )
        .await
        .expect_err("invalid");
    assert!(matches!(error, ToolError::InvalidArguments { .. }));
}
