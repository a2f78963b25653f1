use serde_json::json;

use super::*;

#[test]
fn credential_and_configured_fields_redacted_ok() {
    let redactor = Redactor::new().with_fields(["SSN"]);
    let value = json!({
        "q": "Paris",
        "header_authorization": "Bearer abc",
        "nested": {"Password": "hunter2", "ssn": "123", "list": [{"api-key": "k"}]},
        "token": null,
    });
    assert_eq!(
        redactor.redact(&value),
        json!({
            "q": "Paris",
            "header_authorization": REDACTED,
            "nested": {"Password": REDACTED, "ssn": REDACTED, "list": [{"api-key": REDACTED}]},
            "token": null,
        })
    );
}

#[test]
fn field_suffix_needs_an_underscore_fails() {
    let redactor = Redactor::new();
    assert!(redactor.redacts_field("query_token"));
    assert!(!redactor.redacts_field("tokens_used"));
    assert!(!redactor.redacts_field("mytoken"));
}

#[test]
fn known_secrets_inside_strings_redacted_ok() {
    let redactor = Redactor::new().with_secrets(["s3cr3t-value", "abc"]);
    assert_eq!(
        redactor.redact(&json!({"note": "the key is s3cr3t-value, ok", "short": "abc"})),
        json!({"note": "the key is [redacted], ok", "short": "abc"})
    );
}

#[test]
fn jwt_and_bearer_words_redacted_ok() {
    let redactor = Redactor::new();
    let text = "sent Authorization: Bearer opaque-token-123 and eyJhbGciOi.eyJzdWIiOi.c2ln here";
    assert_eq!(
        redactor.redact_text(text).as_deref(),
        Some("sent Authorization: Bearer [redacted] and [redacted] here")
    );
    assert_eq!(redactor.redact_text("Bearer of news"), None);
    assert_eq!(redactor.redact_text("plain eyJ text"), None);
}

#[test]
fn json_inside_a_text_result_redacted_ok() {
    let redactor = Redactor::new().with_fields(["email"]);
    let result =
        json!({"content": [{"type": "text", "text": "{\"email\":\"a@b.c\",\"city\":\"Paris\"}"}]});
    let redacted = redactor.redact(&result);
    let text = redacted["content"][0]["text"].as_str().expect("text");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(text).expect("json"),
        json!({"email": REDACTED, "city": "Paris"})
    );
}
