use std::sync::Arc;

use rmcp::{
    ErrorData,
    model::{CallToolResult, ElicitRequestParams, ElicitationSchema},
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::{Principal, ToolCatalog, ToolSet};

/// Arguments of `add`.
#[derive(Deserialize, JsonSchema)]
struct AddArgs {
    /// First addend
    a: i64,
    /// Second addend
    b: i64,
    /// How to write the sum
    #[serde(default)]
    format: Option<Format>,
    /// Where the sum goes
    #[serde(default)]
    label: Option<Label>,
}

/// How to write a number.
#[derive(Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Format {
    Decimal,
    Hex,
}

/// A label.
#[derive(Deserialize, JsonSchema)]
struct Label {
    /// Its text
    text: String,
}

#[derive(Serialize, JsonSchema)]
struct Sum {
    /// The sum
    sum: i64,
}

fn args(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("arguments must be an object, not {other}"),
    }
}

fn detached() -> CallContext {
    CallContext::detached(Principal::anonymous())
}

fn add_tool() -> TypedTool {
    typed_tool(
        "add",
        "Adds two integers",
        |args: AddArgs, _ctx: CallContext| async move {
            let sum = args.a + args.b;
            let text = match args.format.unwrap_or(Format::Decimal) {
                Format::Decimal => sum.to_string(),
                Format::Hex => format!("{sum:#x}"),
            };
            Ok(match args.label {
                Some(label) => format!("{}: {text}", label.text),
                None => text,
            })
        },
    )
}

/// Builds a catalog of `tools`, as an endpoint does (names checked, schemas compiled).
fn catalog(tools: Vec<Arc<dyn Tool>>) -> ToolCatalog {
    ToolCatalog::build([&ToolSet::new("typed").with_tools(tools)]).expect("valid catalog")
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|text| text.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn input_schema_is_an_inline_object_with_descriptions() {
    let tool = add_tool();
    let schema = Value::Object((*tool.descriptor().input_schema).clone());
    assert_eq!(
        schema,
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "integer", "format": "int64", "description": "First addend"},
                "b": {"type": "integer", "format": "int64", "description": "Second addend"},
                "format": {
                    "description": "How to write the sum",
                    "type": ["string", "null"],
                    "enum": ["decimal", "hex", null]
                },
                "label": {
                    "description": "Where the sum goes",
                    "type": ["object", "null"],
                    "properties": {"text": {"type": "string", "description": "Its text"}},
                    "required": ["text"]
                }
            },
            "required": ["a", "b"]
        })
    );
    let text = schema.to_string();
    assert!(!text.contains("$ref"), "{text}");
    assert!(!text.contains("$defs"), "{text}");
    assert!(!text.contains("$schema"), "{text}");
    assert_eq!(
        tool.descriptor().description.as_deref(),
        Some("Adds two integers")
    );
    assert!(tool.descriptor().output_schema.is_none());
}

/// A recursive argument type: the only kind of schema that keeps a `$ref`.
#[derive(Deserialize, JsonSchema)]
struct Tree {
    name: String,
    #[serde(default)]
    children: Vec<Tree>,
}

#[derive(Deserialize, JsonSchema)]
struct TreeArgs {
    tree: Tree,
}

fn names(tree: &Tree) -> Vec<&str> {
    let mut all = vec![tree.name.as_str()];
    all.extend(tree.children.iter().flat_map(names));
    all
}

#[tokio::test]
async fn recursive_arguments_keep_definitions_the_catalog_resolves() {
    let tool = typed_tool(
        "tree_names",
        "Names every node of a tree",
        |args: TreeArgs, _ctx: CallContext| async move { Ok(names(&args.tree).join(",")) },
    );
    let schema = &tool.descriptor().input_schema;
    assert!(schema.contains_key("$defs"), "{schema:?}");
    let catalog = catalog(vec![Arc::new(tool)]);
    let result = catalog
        .call(
            "tree_names",
            Some(args(json!({"tree": {"name": "a", "children": [{"name": "b"}, {"name": "c", "children": [{"name": "d"}]}]}}))),
            detached(),
        )
        .await
        .expect("call");
    assert_eq!(text(&result), "a,b,c,d");
    let error = catalog
        .call(
            "tree_names",
            Some(args(
                json!({"tree": {"name": "a", "children": [{"name": 1}]}}),
            )),
            detached(),
        )
        .await
        .expect_err("a nested name must be a string");
    assert!(
        matches!(error, ToolError::InvalidArguments { .. }),
        "{error}"
    );
}

#[test]
#[should_panic(expected = "must be described by an object schema")]
fn non_object_arguments_panic_when_the_tool_is_built() {
    let _ = typed_tool(
        "bad",
        "Takes a bare number",
        |n: i64, _ctx: CallContext| async move { Ok(n.to_string()) },
    );
}

#[tokio::test]
async fn no_arguments_accepts_only_an_empty_object() {
    let ping = typed_tool(
        "ping",
        "Answers pong",
        |_: NoArguments, _: CallContext| async { Ok("pong") },
    );
    assert_eq!(
        Value::Object((*ping.descriptor().input_schema).clone()),
        json!({"type": "object", "additionalProperties": false})
    );
    let catalog = catalog(vec![Arc::new(ping)]);
    let result = catalog.call("ping", None, detached()).await.expect("call");
    assert_eq!(text(&result), "pong");
    let error = catalog
        .call("ping", Some(args(json!({"x": 1}))), detached())
        .await
        .expect_err("unknown argument");
    assert_eq!(ErrorData::from(error).code.0, -32602);
}

#[tokio::test]
async fn string_result_is_one_text_block() {
    let catalog = catalog(vec![Arc::new(add_tool())]);
    let result = catalog
        .call(
            "add",
            Some(args(
                json!({"a": 250, "b": 5, "format": "hex", "label": {"text": "sum"}}),
            )),
            detached(),
        )
        .await
        .expect("call");
    assert_eq!(result.is_error, Some(false));
    assert_eq!(text(&result), "sum: 0xff");
    assert!(result.structured_content.is_none());
}

#[tokio::test]
async fn schema_violations_are_refused_before_the_call_with_invalid_params() {
    let catalog = catalog(vec![Arc::new(add_tool())]);
    let error = catalog
        .call(
            "add",
            Some(args(json!({"a": 1, "format": "octal"}))),
            detached(),
        )
        .await
        .expect_err("bad arguments");
    let message = error.to_string();
    assert!(
        message.contains("missing required argument 'b'"),
        "{message}"
    );
    assert!(message.contains("argument 'format'"), "{message}");
    assert_eq!(ErrorData::from(error).code.0, -32602);
}

/// A port given as text: the schema says "a string", decoding says which strings.
#[derive(Deserialize, JsonSchema)]
#[serde(try_from = "String")]
struct Port(u16);

impl TryFrom<String> for Port {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
            .map(Port)
            .map_err(|_| format!("'{text}' is not a port number"))
    }
}

#[derive(Deserialize, JsonSchema)]
struct ConnectArgs {
    host: String,
    port: Port,
}

#[tokio::test]
async fn decoding_errors_are_invalid_params_naming_the_argument() {
    let connect = typed_tool(
        "connect",
        "Says where it would connect",
        |args: ConnectArgs, _ctx: CallContext| async move {
            Ok(format!("{}:{}", args.host, args.port.0))
        },
    );
    let catalog = catalog(vec![Arc::new(connect)]);
    let ok = catalog
        .call(
            "connect",
            Some(args(json!({"host": "db", "port": "5432"}))),
            detached(),
        )
        .await
        .expect("call");
    assert_eq!(text(&ok), "db:5432");

    let error = catalog
        .call(
            "connect",
            Some(args(json!({"host": "db", "port": "http"}))),
            detached(),
        )
        .await
        .expect_err("the schema lets it through, decoding does not");
    match &error {
        ToolError::InvalidArguments { tool, problems } => {
            assert_eq!(tool, "connect");
            assert_eq!(problems, "argument 'port': 'http' is not a port number");
        }
        other => panic!("expected invalid arguments, got {other:?}"),
    }
    let error = ErrorData::from(error);
    assert_eq!(error.code.0, -32602);
    assert!(
        error.message.contains("'http' is not a port number"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn json_result_is_structured_content_with_an_output_schema() {
    let add = typed_tool(
        "add_structured",
        "Adds two integers",
        |args: AddArgs, _ctx: CallContext| async move {
            Ok(Json(Sum {
                sum: args.a + args.b,
            }))
        },
    );
    assert_eq!(
        add.descriptor()
            .output_schema
            .as_deref()
            .map(|schema| Value::Object(schema.clone())),
        Some(json!({
            "type": "object",
            "properties": {"sum": {"type": "integer", "format": "int64", "description": "The sum"}},
            "required": ["sum"]
        }))
    );
    let result = catalog(vec![Arc::new(add)])
        .call(
            "add_structured",
            Some(args(json!({"a": 1, "b": 2}))),
            detached(),
        )
        .await
        .expect("call");
    assert_eq!(result.structured_content, Some(json!({"sum": 3})));
    assert_eq!(text(&result), r#"{"sum":3}"#);
    assert_eq!(result.is_error, Some(false));
}

#[tokio::test]
async fn non_object_json_results_are_wrapped_in_result() {
    let evens = typed_tool(
        "evens",
        "Even numbers below ten",
        |_: NoArguments, _: CallContext| async {
            Ok(Json((0..10).filter(|n| n % 2 == 0).collect::<Vec<u32>>()))
        },
    );
    assert_eq!(
        evens
            .descriptor()
            .output_schema
            .as_deref()
            .map(|schema| Value::Object(schema.clone())),
        Some(json!({
            "type": "object",
            "properties": {
                "result": {"type": "array", "items": {"type": "integer", "format": "uint32", "minimum": 0}}
            },
            "required": ["result"]
        }))
    );
    let result = catalog(vec![Arc::new(evens)])
        .call("evens", None, detached())
        .await
        .expect("call");
    assert_eq!(
        result.structured_content,
        Some(json!({"result": [0, 2, 4, 6, 8]}))
    );
}

#[tokio::test]
async fn structured_output_validates_against_its_own_schema() {
    #[derive(Serialize, JsonSchema)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Shape {
        Circle { radius: f64 },
        Square { side: f64 },
    }
    let shapes = typed_tool(
        "shapes",
        "Two shapes",
        |_: NoArguments, _: CallContext| async {
            Ok(Json(vec![
                Shape::Circle { radius: 1.0 },
                Shape::Square { side: 2.0 },
            ]))
        },
    );
    let schema =
        Value::Object((*shapes.descriptor().output_schema.clone().expect("schema")).clone());
    let result = shapes
        .call(JsonObject::new(), detached())
        .await
        .expect("call");
    let content = result.structured_content.expect("structured");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    assert!(validator.is_valid(&content), "{content} against {schema}");
}

#[tokio::test]
async fn failures_are_error_results_for_the_model() {
    let divide = typed_tool(
        "divide",
        "Divides",
        |args: AddArgs, _ctx: CallContext| async move {
            if args.b == 0 {
                return Err(ToolFailure::message("cannot divide by zero"));
            }
            Ok((args.a / args.b).to_string())
        },
    );
    let result = divide
        .call(args(json!({"a": 1, "b": 0})), detached())
        .await
        .expect("a result, not a protocol error");
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "cannot divide by zero");
}

#[tokio::test]
async fn question_mark_on_any_error_is_an_error_result_with_its_causes() {
    #[derive(Debug, thiserror::Error)]
    #[error("reading the notes failed")]
    struct ReadFailed(#[source] std::io::Error);

    let read = typed_tool("read", "Reads", |_: NoArguments, _: CallContext| async {
        let number: u8 = "300".parse()?;
        Ok(number.to_string())
    });
    let result = read
        .call(JsonObject::new(), detached())
        .await
        .expect("a result");
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "number too large to fit in target type");

    let nested = typed_tool(
        "nested",
        "Fails twice",
        |_: NoArguments, _: CallContext| async {
            let io = std::io::Error::new(std::io::ErrorKind::NotFound, "notes.json is missing");
            Err::<String, _>(ReadFailed(io).into())
        },
    );
    let result = nested
        .call(JsonObject::new(), detached())
        .await
        .expect("a result");
    assert_eq!(
        text(&result),
        "reading the notes failed: notes.json is missing"
    );
}

#[tokio::test]
async fn tool_errors_stay_protocol_errors() {
    let ask = typed_tool(
        "ask",
        "Asks the client's model",
        |_: NoArguments, ctx: CallContext| async move {
            let answer = ctx
                .elicit(ElicitRequestParams::FormElicitationParams {
                    meta: None,
                    message: "Which colour?".into(),
                    requested_schema: serde_json::from_value::<ElicitationSchema>(
                        json!({"type": "object", "properties": {"colour": {"type": "string"}}}),
                    )?,
                })
                .await?;
            Ok(format!("{answer:?}"))
        },
    );
    let error = ask
        .call(JsonObject::new(), detached())
        .await
        .expect_err("no client behind a detached call");
    assert!(matches!(error, ToolError::ClientUnavailable), "{error}");
    assert_eq!(ErrorData::from(error).code.0, -32603);
}

#[tokio::test]
async fn rmcp_errors_keep_their_code_and_data() {
    let gone = typed_tool("gone", "Refuses", |_: NoArguments, _: CallContext| async {
        Err::<String, _>(
            ErrorData::resource_not_found("no such note", Some(json!({"id": 7}))).into(),
        )
    });
    let error = gone
        .call(JsonObject::new(), detached())
        .await
        .expect_err("refused");
    assert_eq!(error.code(), -32002);
    let error = ErrorData::from(error);
    assert_eq!(error.code.0, -32002);
    assert_eq!(error.message, "no such note");
    assert_eq!(error.data, Some(json!({"id": 7})));
}

#[tokio::test]
async fn the_caller_reaches_the_function() {
    let whoami = typed_tool(
        "whoami",
        "Names the caller",
        |_: NoArguments, ctx: CallContext| async move {
            Ok(ctx
                .principal()
                .subject
                .clone()
                .unwrap_or_else(|| "anonymous".into()))
        },
    );
    let result = whoami
        .call(
            JsonObject::new(),
            CallContext::detached(Principal::anonymous().with_subject("alice")),
        )
        .await
        .expect("call");
    assert_eq!(text(&result), "alice");
}

#[test]
fn builder_sets_title_and_annotations() {
    let tool = add_tool()
        .with_title("Add")
        .read_only()
        .idempotent(true)
        .open_world(false);
    let descriptor = tool.descriptor();
    assert_eq!(descriptor.title.as_deref(), Some("Add"));
    assert_eq!(
        serde_json::to_value(descriptor.annotations.as_ref().expect("annotations"))
            .expect("serializes"),
        json!({"readOnlyHint": true, "idempotentHint": true, "openWorldHint": false})
    );
    let replaced = add_tool()
        .destructive(true)
        .with_annotations(ToolAnnotations::new().destructive(false));
    assert_eq!(
        replaced
            .descriptor()
            .annotations
            .as_ref()
            .and_then(|a| a.destructive_hint),
        Some(false)
    );
}

#[test]
fn local_refs_are_inlined_except_recursive_ones() {
    let schema = args(json!({
        "type": "object",
        "properties": {
            "colour": {"$ref": "#/$defs/Colour", "description": "The colour"},
            "tree": {"$ref": "#/$defs/Tree"}
        },
        "$defs": {
            "Colour": {"type": "string", "enum": ["red", "blue"], "description": "A colour"},
            "Tree": {
                "type": "object",
                "properties": {
                    "colour": {"$ref": "#/$defs/Colour"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
                }
            }
        }
    }));
    let inlined = Value::Object(super::schema::inline_local_refs(&schema));
    assert_eq!(
        inlined["properties"]["colour"],
        json!({"type": "string", "enum": ["red", "blue"], "description": "The colour"})
    );
    let tree = &inlined["properties"]["tree"];
    assert_eq!(tree["properties"]["colour"]["enum"], json!(["red", "blue"]));
    assert_eq!(
        tree["properties"]["children"]["items"],
        json!({"$ref": "#/$defs/Tree"})
    );
    assert!(
        inlined.get("$defs").is_some(),
        "still referred to: {inlined}"
    );
    jsonschema::validator_for(&inlined).expect("still a valid schema");

    let flat = args(json!({
        "type": "object",
        "properties": {"colour": {"$ref": "#/$defs/Colour"}},
        "$defs": {"Colour": {"type": "string"}}
    }));
    assert_eq!(
        Value::Object(super::schema::inline_local_refs(&flat)),
        json!({"type": "object", "properties": {"colour": {"type": "string"}}})
    );
}

#[test]
fn a_failure_is_small_enough_for_result_large_err() {
    assert!(std::mem::size_of::<ToolFailure>() <= 16);
}
