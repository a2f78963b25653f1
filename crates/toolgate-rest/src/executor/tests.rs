use super::*;

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.clone()))
        .collect()
}

#[test]
fn json_object_gets_structured_content_ok() {
    let result = to_result(
        reqwest::StatusCode::OK,
        Some("application/json; charset=utf-8"),
        None,
        br#"{"location":{"name":"London"}}"#,
        "u",
        None,
    );
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result
            .structured_content
            .as_ref()
            .and_then(|v| v.pointer("/location/name")),
        Some(&Value::from("London"))
    );
}

#[test]
fn json_array_is_text_only_ok() {
    let result = to_result(
        reqwest::StatusCode::OK,
        Some("application/json"),
        None,
        b"[1,2]",
        "u",
        None,
    );
    assert!(result.structured_content.is_none());
    assert_eq!(text_of(&result), "[1,2]");
}

#[test]
fn non_json_is_text_ok() {
    let result = to_result(
        reqwest::StatusCode::OK,
        Some("text/plain"),
        None,
        b"{\"a\":1}",
        "u",
        None,
    );
    assert!(result.structured_content.is_none());
    assert_eq!(text_of(&result), "{\"a\":1}");
}

#[test]
fn server_error_is_error_result_with_status_fails() {
    let result = to_result(
        reqwest::StatusCode::INTERNAL_SERVER_ERROR,
        Some("application/json"),
        None,
        br#"{"error":"boom"}"#,
        "http://127.0.0.1:1",
        None,
    );
    assert_eq!(result.is_error, Some(true));
    let text = text_of(&result);
    assert!(text.contains("HTTP 500 Internal Server Error"), "{text}");
    assert!(text.contains("boom"), "{text}");
}

#[test]
fn long_error_body_is_truncated_ok() {
    let body = "x".repeat(10_000);
    let result = to_result(
        reqwest::StatusCode::BAD_GATEWAY,
        None,
        None,
        body.as_bytes(),
        "u",
        None,
    );
    let text = text_of(&result);
    assert!(text.len() < 1_200, "{}", text.len());
    assert!(text.ends_with("…(truncated)"));
}

#[test]
fn redirect_names_location_fails() {
    let result = to_result(
        reqwest::StatusCode::FOUND,
        None,
        Some("https://elsewhere.example/"),
        b"",
        "u",
        None,
    );
    assert_eq!(result.is_error, Some(true));
    assert!(text_of(&result).contains("redirecting to https://elsewhere.example/"));
}

#[test]
fn json_media_types() {
    assert!(is_json_media_type("application/json"));
    assert!(is_json_media_type(
        "application/problem+json; charset=utf-8"
    ));
    assert!(!is_json_media_type("text/html"));
}

fn shape(wrapped: bool, schema: &serde_json::Value) -> OutputShape {
    OutputShape::new(toolgate_tools::schema_object(schema.clone()), wrapped)
}

#[test]
fn wrapped_output_puts_answer_under_result_ok() {
    let output = shape(
        true,
        &serde_json::json!({"type": "object", "properties": {"result": {"type": "array"}}}),
    );
    let result = to_result(
        reqwest::StatusCode::OK,
        Some("application/json"),
        None,
        b"[{\"name\":\"London\"}]",
        "u",
        Some(&output),
    );
    assert_eq!(
        result.structured_content,
        Some(serde_json::json!({"result": [{"name": "London"}]}))
    );
    assert_eq!(text_of(&result), "[{\"name\":\"London\"}]");
}

#[test]
fn answer_outside_output_schema_is_still_returned_ok() {
    let output = shape(
        false,
        &serde_json::json!({"type": "object", "required": ["location"]}),
    );
    let result = to_result(
        reqwest::StatusCode::OK,
        Some("application/json"),
        None,
        b"{\"unexpected\":true}",
        "u",
        Some(&output),
    );
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result.structured_content,
        Some(serde_json::json!({"unexpected": true}))
    );
}
