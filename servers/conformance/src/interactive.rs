//! Fixture tools that talk back to the client while they run: log messages, progress,
//! sampling and elicitation, all through toolgate's [`CallContext`].
//!
//! Names, arguments and messages are the ones the MCP conformance suite (0.1.16) expects in
//! `tools-call-with-logging`, `tools-call-with-progress`, `tools-call-sampling`,
//! `tools-call-elicitation`, `elicitation-sep1034-defaults` and `elicitation-sep1330-enums`.

// Logging and sampling are deprecated by the 2026-07-28 protocol, but the suite's client
// negotiates 2025-11-25, where they are how a tool reaches the client.
#![allow(deprecated)]

use std::{sync::Arc, time::Duration};

use rmcp::model::{
    CreateMessageRequestParams, ElicitRequestParams, ElicitationSchema, LoggingLevel,
    SamplingMessage,
};
use serde_json::{Value, json};
use toolgate_tools::{
    CallContext, CallToolResult, ContentBlock, JsonObject, Tool, ToolDescriptor, ToolFuture,
    schema_object,
};

use crate::{content::no_arguments, elicitation_schemas};

/// The pause between two notifications, so the client sees them arrive one by one.
const STEP: Duration = Duration::from_millis(50);

/// The logger name on every log message of the fixture.
const LOGGER: &str = "conformance-test-server";

/// A result holding one text block.
fn text(text: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text.into())])
}

/// A tool result that reports a failed client request to the model.
fn failure(what: &str, error: &dyn std::fmt::Display) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "{what} not supported or error: {error}"
    ))])
}

/// The input schema of a tool with one required string argument.
fn one_string_argument(name: &str, description: &str) -> Arc<JsonObject> {
    schema_object(json!({
        "type": "object",
        "properties": {name: {"type": "string", "description": description}},
        "required": [name]
    }))
}

/// A string argument the catalog has already checked to be present.
fn string_argument<'a>(arguments: &'a JsonObject, name: &str) -> &'a str {
    arguments
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `test_tool_with_logging`: three `info` log messages, 50 ms apart.
#[derive(Debug)]
pub(crate) struct LoggingTool {
    descriptor: ToolDescriptor,
}

impl Tool for LoggingTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, _arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let steps = [
                "Tool execution started",
                "Tool processing data",
                "Tool execution completed",
            ];
            for (index, message) in steps.into_iter().enumerate() {
                if index > 0 {
                    tokio::time::sleep(STEP).await;
                }
                context
                    .log(LoggingLevel::Info, Some(LOGGER), json!(message))
                    .await;
            }
            Ok(text("Tool with logging executed successfully"))
        })
    }
}

/// `test_tool_with_progress`: progress 0, 50 and 100 of 100, 50 ms apart; answers with the
/// progress token it was given.
#[derive(Debug)]
pub(crate) struct ProgressTool {
    descriptor: ToolDescriptor,
}

impl Tool for ProgressTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, _arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            for (index, step) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                if index > 0 {
                    tokio::time::sleep(STEP).await;
                }
                let message = format!("Completed step {step} of 100");
                context.progress(step, Some(100.0), Some(&message)).await;
            }
            let token = context
                .progress_token()
                .and_then(|token| serde_json::to_value(token).ok())
                .map_or_else(|| "no progress token".to_owned(), |token| token.to_string());
            Ok(text(token))
        })
    }
}

/// `test_sampling`: sends the `prompt` argument to the client's model.
#[derive(Debug)]
pub(crate) struct SamplingTool {
    descriptor: ToolDescriptor,
}

impl Tool for SamplingTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let prompt = string_argument(&arguments, "prompt");
            let params =
                CreateMessageRequestParams::new(vec![SamplingMessage::user_text(prompt)], 100);
            match context.sample(params).await {
                Ok(result) => {
                    let reply = result
                        .message
                        .content
                        .into_vec()
                        .iter()
                        .find_map(|block| block.as_text().map(|text| text.text.clone()))
                        .unwrap_or_else(|| "No response".to_owned());
                    Ok(text(format!("LLM response: {reply}")))
                }
                Err(error) => Ok(failure("Sampling", &error)),
            }
        })
    }
}

/// Which form an elicitation tool asks the user to fill in.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `test_elicitation`: username and email, message from the `message` argument.
    UserInfo,
    /// `test_elicitation_sep1034_defaults`: one field per primitive type, each with a default.
    Defaults,
    /// `test_elicitation_sep1330_enums`: the five enum shapes.
    Enums,
}

/// An elicitation tool: asks the client for a form and reports the user's answer.
#[derive(Debug)]
pub(crate) struct ElicitationTool {
    descriptor: ToolDescriptor,
    form: Form,
}

impl ElicitationTool {
    fn request(&self, arguments: &JsonObject) -> Result<ElicitRequestParams, serde_json::Error> {
        let (message, schema) = match self.form {
            Form::UserInfo => (
                string_argument(arguments, "message").to_owned(),
                elicitation_schemas::user_info(),
            ),
            Form::Defaults => (
                "Please review and update the form fields with defaults".to_owned(),
                elicitation_schemas::defaults(),
            ),
            Form::Enums => (
                "Please select options from the enum fields".to_owned(),
                elicitation_schemas::enums(),
            ),
        };
        Ok(ElicitRequestParams::FormElicitationParams {
            meta: None,
            message,
            requested_schema: serde_json::from_value::<ElicitationSchema>(schema)?,
        })
    }

    fn answer_prefix(&self) -> &'static str {
        match self.form {
            Form::UserInfo => "User response",
            Form::Defaults | Form::Enums => "Elicitation completed",
        }
    }
}

impl Tool for ElicitationTool {
    fn descriptor(&self) -> &ToolDescriptor {
        &self.descriptor
    }

    fn call(&self, arguments: JsonObject, context: CallContext) -> ToolFuture<'_> {
        Box::pin(async move {
            let params = match self.request(&arguments) {
                Ok(params) => params,
                Err(error) => return Ok(failure("Elicitation schema", &error)),
            };
            match context.elicit(params).await {
                Ok(result) => {
                    let action = serde_json::to_value(&result.action).unwrap_or(Value::Null);
                    let action = action.as_str().unwrap_or("unknown");
                    let content = result.content.unwrap_or_else(|| json!({}));
                    Ok(text(format!(
                        "{}: action={action}, content={content}",
                        self.answer_prefix()
                    )))
                }
                Err(error) => Ok(failure("Elicitation", &error)),
            }
        })
    }
}

/// Every tool of the fixture that calls back to the client.
pub(crate) fn tools() -> Vec<Arc<dyn Tool>> {
    let elicitation = |name: &'static str, description: &'static str, schema, form| {
        Arc::new(ElicitationTool {
            descriptor: ToolDescriptor::new(name, description, schema),
            form,
        }) as Arc<dyn Tool>
    };
    vec![
        Arc::new(LoggingTool {
            descriptor: ToolDescriptor::new(
                "test_tool_with_logging",
                "Tests tool that emits log messages during execution",
                no_arguments(),
            ),
        }),
        Arc::new(ProgressTool {
            descriptor: ToolDescriptor::new(
                "test_tool_with_progress",
                "Tests tool that reports progress notifications",
                no_arguments(),
            ),
        }),
        Arc::new(SamplingTool {
            descriptor: ToolDescriptor::new(
                "test_sampling",
                "Tests server-initiated sampling (LLM completion request)",
                one_string_argument("prompt", "The prompt to send to the LLM"),
            ),
        }),
        elicitation(
            "test_elicitation",
            "Tests server-initiated elicitation (user input request)",
            one_string_argument("message", "The message to show the user"),
            Form::UserInfo,
        ),
        elicitation(
            "test_elicitation_sep1034_defaults",
            "Tests elicitation with default values per SEP-1034",
            no_arguments(),
            Form::Defaults,
        ),
        elicitation(
            "test_elicitation_sep1330_enums",
            "Tests elicitation with enum schema improvements per SEP-1330",
            no_arguments(),
            Form::Enums,
        ),
    ]
}
