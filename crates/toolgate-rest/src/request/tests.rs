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
    assert_eq!(encode_segment_text("../admin"), "..%2Fadmin");
    assert_eq!(encode_segment_text("a?b#c"), "a%3Fb%23c");
    assert_eq!(encode_segment_text("100%"), "100%25");
    assert_eq!(encode_segment_text("é"), "%C3%A9");
    assert_eq!(encode_segment_text("a-b.c_d~e"), "a-b.c_d~e");
}

#[test]
fn segment_dot_dot_fails() {
    assert!(check_segment("path_id", "..").is_err());
    assert!(check_segment("path_id", ".").is_err());
    assert!(check_segment("path_id", "").is_err());
    assert!(check_segment("path_id", "...").is_ok());
    assert!(check_segment("path_id", "..%2Fx").is_ok());
}

#[test]
fn header_crlf_fails() {
    let refused = check_header_text("header_x", "a\r\nX-Evil: 1").expect_err("crlf");
    assert_eq!(refused.argument, "header_x");
    assert!(check_header_text("header_x", "a\nb").is_err());
    assert!(check_header_text("header_x", "a\u{0}b").is_err());
    assert!(check_header_text("header_x", "plain value\twith tab").is_ok());
}
