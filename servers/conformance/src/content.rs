//! Fixture tools whose answer is fixed: text, image, audio, embedded resources, a mix of
//! them, a tool error, the JSON Schema 2020-12 tool and the SSE reconnection tool.
//!
//! Names, schemas and outputs are the ones the MCP conformance suite (0.1.16) calls and
//! checks; see `tools-call-*`, `json-schema-2020-12` and `server-sse-polling`.

use std::sync::Arc;

use rmcp::model::ResourceContents;
use serde_json::{Value, json};
use toolgate_tools::{
    CallContext, CallToolResult, ContentBlock, JsonObject, Tool, ToolDescriptor, ToolFuture,
    schema_object,
};

/// A 1x1 red PNG pixel, base64.
pub(crate) const TEST_IMAGE_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A minimal WAV file, base64.
pub(crate) const TEST_AUDIO_BASE64: &str =
    "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/// The input schema of a tool without arguments.
pub(crate) fn no_arguments() -> Arc<JsonObject> {
    schema_object(json!({"type": "object", "properties": {}}))
}

/// A tool that answers every call with the same result.
#[derive(Debug)]
pub(crate) struct StaticTool {
    descriptor: ToolDescriptor,
    result: CallToolResult,
}

impl StaticTool {
    fn new(name: &'static str, description: &'static str, result: CallToolResult) -> Self {
        Self {
            descriptor: ToolDescriptor::new(name, description, no_arguments()),
            result,
        }
    }
}

impl Tool for StaticTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, _arguments: JsonObject, _context: CallContext) -> ToolFuture<'_> {
        let result = self.result.clone();
        Box::pin(async move { Ok(result) })
    }
}

/// The tool `json_schema_2020_12_tool`: its input schema uses `$schema`, `$defs`, `$ref` and
/// `additionalProperties`, which `tools/list` must show unchanged; a call echoes its arguments.
#[derive(Debug)]
pub(crate) struct JsonSchema2020Tool {
    descriptor: ToolDescriptor,
}

impl JsonSchema2020Tool {
    fn new() -> Self {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "$defs": {
                "address": {
                    "type": "object",
                    "properties": {
                        "street": {"type": "string"},
                        "city": {"type": "string"}
                    }
                }
            },
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/$defs/address"}
            },
            "additionalProperties": false
        });
        Self {
            descriptor: ToolDescriptor::new(
                "json_schema_2020_12_tool",
                "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
                schema_object(schema),
            ),
        }
    }
}

impl Tool for JsonSchema2020Tool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, _context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let args = Value::Object(arguments);
            Ok(CallToolResult::success(vec![ContentBlock::text(format!(
                "JSON Schema 2020-12 tool called with: {args}"
            ))]))
        })
    }
}

fn text(text: &str) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn json_resource(uri: &str, value: &Value) -> ContentBlock {
    ContentBlock::resource(
        ResourceContents::text(value.to_string(), uri).with_mime_type("application/json"),
    )
}

/// Every fixed-answer tool of the fixture.
pub(crate) fn tools() -> Vec<Arc<dyn Tool>> {
    vec![
        Arc::new(StaticTool::new(
            "test_simple_text",
            "Tests simple text content response",
            text("This is a simple text response for testing."),
        )),
        Arc::new(StaticTool::new(
            "test_image_content",
            "Tests image content response",
            CallToolResult::success(vec![ContentBlock::image(TEST_IMAGE_BASE64, "image/png")]),
        )),
        Arc::new(StaticTool::new(
            "test_audio_content",
            "Tests audio content response",
            CallToolResult::success(vec![ContentBlock::audio(TEST_AUDIO_BASE64, "audio/wav")]),
        )),
        Arc::new(StaticTool::new(
            "test_embedded_resource",
            "Tests embedded resource content response",
            CallToolResult::success(vec![ContentBlock::resource(ResourceContents::text(
                "This is an embedded resource content.",
                "test://embedded-resource",
            ))]),
        )),
        Arc::new(StaticTool::new(
            "test_multiple_content_types",
            "Tests response with multiple content types (text, image, resource)",
            CallToolResult::success(vec![
                ContentBlock::text("Multiple content types test:"),
                ContentBlock::image(TEST_IMAGE_BASE64, "image/png"),
                json_resource(
                    "test://mixed-content-resource",
                    &json!({"test": "data", "value": 123}),
                ),
            ]),
        )),
        Arc::new(StaticTool::new(
            "test_error_handling",
            "Tests error response handling",
            CallToolResult::error(vec![ContentBlock::text(
                "This tool intentionally returns an error for testing",
            )]),
        )),
        Arc::new(ReconnectionTool::new()),
        Arc::new(JsonSchema2020Tool::new()),
    ]
}

/// `test_reconnection`: closes its SSE stream, waits, answers on the resumed stream.
#[derive(Debug)]
pub(crate) struct ReconnectionTool {
    descriptor: ToolDescriptor,
}

impl ReconnectionTool {
    fn new() -> Self {
        Self {
            descriptor: ToolDescriptor::new(
                "test_reconnection",
                "Tests SSE stream disconnection and client reconnection (SEP-1699)",
                no_arguments(),
            ),
        }
    }
}

impl Tool for ReconnectionTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, _arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let closed = context
                .close_response_stream(Some(std::time::Duration::from_millis(500)))
                .await;
            tracing::info!(closed, "test_reconnection closed its stream");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            Ok(text(
                "Reconnection test completed successfully. If you received this, the client \
                 properly reconnected after stream closure.",
            ))
        })
    }
}
