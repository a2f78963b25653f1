use serde_json::json;

use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn query_form_explode_array_repeats_ok() {
    assert_eq!(
        query_pairs("id", &json!([3, 4]), Style::Form, true),
        pairs(&[("id", "3"), ("id", "4")])
    );
}

#[test]
fn query_form_no_explode_array_joins_ok() {
    assert_eq!(
        query_pairs("id", &json!([3, 4]), Style::Form, false),
        pairs(&[("id", "3,4")])
    );
}

#[test]
fn query_delimited_arrays_ok() {
    assert_eq!(
        query_pairs("id", &json!(["a", "b"]), Style::SpaceDelimited, false),
        pairs(&[("id", "a b")])
    );
    assert_eq!(
        query_pairs("id", &json!(["a", "b"]), Style::PipeDelimited, false),
        pairs(&[("id", "a|b")])
    );
}

#[test]
fn query_objects_ok() {
    let value = json!({"role": "admin", "first": "Alex"});
    assert_eq!(
        query_pairs("p", &value, Style::Form, true),
        pairs(&[("role", "admin"), ("first", "Alex")])
    );
    assert_eq!(
        query_pairs("p", &value, Style::Form, false),
        pairs(&[("p", "role,admin,first,Alex")])
    );
    assert_eq!(
        query_pairs("p", &value, Style::DeepObject, true),
        pairs(&[("p[role]", "admin"), ("p[first]", "Alex")])
    );
}

#[test]
fn query_null_is_absent_ok() {
    assert!(query_pairs("p", &json!(null), Style::Form, true).is_empty());
}

#[test]
fn path_styles_ok() {
    let id = |s: &str| s.to_owned();
    assert_eq!(path_text("id", &json!(5), Style::Simple, false, id), "5");
    assert_eq!(
        path_text("id", &json!([3, 4, 5]), Style::Simple, false, id),
        "3,4,5"
    );
    assert_eq!(
        path_text("id", &json!([3, 4]), Style::Label, false, id),
        ".3,4"
    );
    assert_eq!(
        path_text("id", &json!([3, 4]), Style::Label, true, id),
        ".3.4"
    );
    assert_eq!(
        path_text("id", &json!([3, 4]), Style::Matrix, false, id),
        ";id=3,4"
    );
    assert_eq!(
        path_text("id", &json!([3, 4]), Style::Matrix, true, id),
        ";id=3;id=4"
    );
    assert_eq!(
        path_text("id", &json!(5), Style::Matrix, false, id),
        ";id=5"
    );
    let object = json!({"role": "admin", "first": "Alex"});
    assert_eq!(
        path_text("id", &object, Style::Simple, false, id),
        "role,admin,first,Alex"
    );
    assert_eq!(
        path_text("id", &object, Style::Simple, true, id),
        "role=admin,first=Alex"
    );
}

#[test]
fn path_values_are_encoded_separators_are_not_ok() {
    let encode = |s: &str| s.replace('/', "%2F");
    assert_eq!(
        path_text("id", &json!(["a/b", "c"]), Style::Simple, false, encode),
        "a%2Fb,c"
    );
}

#[test]
fn header_and_cookie_ok() {
    assert_eq!(header_text(&json!([1, 2]), false), "1,2");
    assert_eq!(header_text(&json!({"a": 1, "b": 2}), true), "a=1,b=2");
    assert_eq!(
        cookie_pairs("c", &json!([1, 2]), true),
        pairs(&[("c", "1"), ("c", "2")])
    );
    assert_eq!(
        cookie_pairs("c", &json!([1, 2]), false),
        pairs(&[("c", "1,2")])
    );
    assert_eq!(cookie_pairs("c", &json!("v"), true), pairs(&[("c", "v")]));
}

#[test]
fn form_body_ok() {
    assert_eq!(
        form_pairs(&json!({"name": "doggie", "tags": ["a", "b"], "skip": null, "meta": {"x": 1}})),
        pairs(&[
            ("name", "doggie"),
            ("tags", "a"),
            ("tags", "b"),
            ("meta", "{\"x\":1}")
        ])
    );
}

#[test]
fn style_parse_respects_location() {
    assert_eq!(
        Style::parse("deepObject", ParameterLocation::Query),
        Some(Style::DeepObject)
    );
    assert_eq!(Style::parse("deepObject", ParameterLocation::Path), None);
    assert_eq!(
        Style::parse("matrix", ParameterLocation::Path),
        Some(Style::Matrix)
    );
    assert_eq!(Style::parse("bogus", ParameterLocation::Query), None);
    assert!(Style::Form.default_explode());
    assert!(!Style::Simple.default_explode());
}
