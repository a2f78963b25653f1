use serde_json::json;

use super::*;

#[test]
fn template_with_params_ok() {
    assert_eq!(
        parse_path_template("/pets/{id}/toys/{toy}").expect("parse"),
        vec![
            PathPart::Literal("/pets/".into()),
            PathPart::Param("id".into()),
            PathPart::Literal("/toys/".into()),
            PathPart::Param("toy".into()),
        ]
    );
    assert_eq!(
        parse_path_template("current.json").expect("parse"),
        vec![PathPart::Literal("current.json".into())]
    );
}

#[test]
fn template_unbalanced_fails() {
    assert!(parse_path_template("/pets/{id").is_err());
    assert!(parse_path_template("/pets/id}").is_err());
    assert!(parse_path_template("/pets/{}").is_err());
}

#[test]
fn segment_traversal_is_encoded_ok() {
    assert_eq!(
        encode_segment("path_id", &json!("../admin")).expect("ok"),
        "..%2Fadmin"
    );
    assert_eq!(
        encode_segment("path_id", &json!("a?b#c")).expect("ok"),
        "a%3Fb%23c"
    );
    assert_eq!(
        encode_segment("path_id", &json!("100%")).expect("ok"),
        "100%25"
    );
    assert_eq!(
        encode_segment("path_id", &json!("é")).expect("ok"),
        "%C3%A9"
    );
    assert_eq!(encode_segment("path_id", &json!(42)).expect("ok"), "42");
}

#[test]
fn segment_dot_dot_fails() {
    assert!(encode_segment("path_id", &json!("..")).is_err());
    assert!(encode_segment("path_id", &json!(".")).is_err());
    assert!(encode_segment("path_id", &json!("")).is_err());
}

#[test]
fn header_crlf_fails() {
    let refused = header_text("header_x", &json!("a\r\nX-Evil: 1")).expect_err("crlf");
    assert_eq!(refused.argument, "header_x");
    assert!(header_text("header_x", &json!("a\nb")).is_err());
    assert!(header_text("header_x", &json!("a\u{0}b")).is_err());
    assert_eq!(
        header_text("header_x", &json!("plain value")).expect("ok"),
        "plain value"
    );
}

#[test]
fn query_arrays_repeat_ok() {
    assert_eq!(query_values(&json!(["a", 1, true])), vec!["a", "1", "true"]);
    assert_eq!(query_values(&json!("x")), vec!["x"]);
    assert!(query_values(&json!(null)).is_empty());
}
