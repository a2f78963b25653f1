use serde_json::json;

use super::*;

#[test]
fn tools_call_names_its_tool() {
    let peeked = peek(
        br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_weather","arguments":{"q":"x"}}}"#,
    );
    assert_eq!(
        peeked,
        vec![Peeked {
            method: Some("tools/call".into()),
            tool: Some("get_weather".into()),
            id: json!(7),
        }]
    );
}

#[test]
fn other_methods_name_no_tool() {
    let peeked =
        peek(br#"{"jsonrpc":"2.0","id":"a","method":"prompts/get","params":{"name":"p"}}"#);
    assert_eq!(peeked[0].tool, None);
    assert_eq!(peeked[0].method.as_deref(), Some("prompts/get"));
}

#[test]
fn repeated_keys_read_as_the_last_one() {
    let peeked = peek(
        br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"free","name":"limited"}}"#,
    );
    assert_eq!(peeked[0].tool.as_deref(), Some("limited"));
}

#[test]
fn escaped_names_are_read() {
    let peeked = peek(br#"{"id":1,"method":"tools/call","params":{"name":"get\u005fweather"}}"#);
    assert_eq!(peeked[0].tool.as_deref(), Some("get_weather"));
}

#[test]
fn batches_give_every_member() {
    let peeked = peek(
        br#" [{"id":1,"method":"tools/call","params":{"name":"a"}},{"method":"notifications/initialized"}]"#,
    );
    assert_eq!(peeked.len(), 2);
    assert_eq!(peeked[0].tool.as_deref(), Some("a"));
    assert_eq!(peeked[1].id, Value::Null);
}

#[test]
fn not_json_gives_nothing() {
    assert!(peek(b"{not json").is_empty());
}
