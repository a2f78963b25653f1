use bytes::Bytes;
use futures::StreamExt;
use serde_json::{Value, json};
use toolgate_tools::{AclPolicy, AclRule, Principal};

use super::{
    jsonrpc::{self, ListIds},
    metadata, sse,
};

fn policy() -> AclPolicy {
    let mut acl = AclPolicy::default();
    acl.include_consumer_groups = true;
    acl.default = Some(AclRule::allow(["admin"]));
    acl.tools
        .insert("list_issues".into(), AclRule::allow(["developer", "admin"]));
    acl
}

fn developer() -> Principal {
    Principal::anonymous()
        .with_consumer("dana")
        .with_groups(["developer"])
}

#[test]
fn splitter_handles_every_line_ending_and_split_chunks_ok() {
    let mut splitter = sse::EventSplitter::default();
    let mut events = splitter.push(b"id: 1\ndata: a\n\nid: 2\r\ndata: b\r\n\r\ndata: c\r\rdata: d");
    assert_eq!(
        events,
        vec![
            Bytes::from_static(b"id: 1\ndata: a\n\n"),
            Bytes::from_static(b"id: 2\r\ndata: b\r\n\r\n"),
            Bytes::from_static(b"data: c\r\r"),
        ]
    );
    events = splitter.push(b"\n");
    assert!(events.is_empty(), "a blank line is not complete yet");
    events = splitter.push(b"\n: keep-alive\n\n");
    assert_eq!(
        events,
        vec![
            Bytes::from_static(b"data: d\n\n"),
            Bytes::from_static(b": keep-alive\n\n")
        ]
    );
    assert!(splitter.finish().is_none());
    splitter.push(b"data: tail");
    assert_eq!(splitter.finish(), Some(Bytes::from_static(b"data: tail")));
}

#[test]
fn splitter_waits_for_lf_after_cr_ok() {
    let mut splitter = sse::EventSplitter::default();
    assert!(splitter.push(b"data: x\r").is_empty());
    assert_eq!(
        splitter.push(b"\n\r\n"),
        vec![Bytes::from_static(b"data: x\r\n\r\n")]
    );
}

#[test]
fn tools_list_event_is_filtered_other_fields_kept_ok() {
    let acl = policy();
    let principal = developer();
    let ids = ListIds::Seen(vec![json!(7)]);
    let result = json!({"jsonrpc": "2.0", "id": 7, "result": {"tools": [
        {"name": "list_issues"}, {"name": "delete_repo"}, {"title": "nameless"}
    ]}});
    let event = format!("id: 0/3\nevent: message\ndata: {result}\n\n");
    let rewritten = sse::rewrite_event(event.as_bytes(), &|m: &mut Value| {
        jsonrpc::filter_tools(m, &ids, &acl, &principal)
    })
    .expect("rewritten");
    let text = String::from_utf8(rewritten.to_vec()).expect("utf-8");
    let data = text
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .expect("data line");
    assert!(text.starts_with("id: 0/3\nevent: message\ndata: "));
    assert!(text.ends_with("\n\n"));
    let message: Value = serde_json::from_str(data).expect("json");
    assert_eq!(message["result"]["tools"], json!([{"name": "list_issues"}]));
}

#[test]
fn unrelated_events_are_not_rewritten_ok() {
    let acl = policy();
    let principal = developer();
    let ids = ListIds::Seen(vec![json!(7)]);
    let rewrite = |m: &mut Value| jsonrpc::filter_tools(m, &ids, &acl, &principal);
    // Another id, a request naming tools, a priming event, a comment.
    let other = json!({"jsonrpc": "2.0", "id": 8, "result": {"tools": [{"name": "x"}]}});
    let request = json!({"jsonrpc": "2.0", "id": 7, "method": "x", "params": {"tools": []}});
    for event in [
        format!("data: {other}\n\n"),
        format!("data: {request}\n\n"),
        "id: 0\ndata: \n\n".to_owned(),
        ": ping\n\n".to_owned(),
    ] {
        assert!(
            sse::rewrite_event(event.as_bytes(), &rewrite).is_none(),
            "{event}"
        );
    }
}

#[tokio::test]
async fn rewrite_stream_passes_bytes_through_and_prepends_ok() {
    let acl = policy();
    let principal = developer();
    let ids = ListIds::Any;
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"id: 1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"n\"}\n")),
        Ok(Bytes::from_static(b"\n: comment\n\ndata: {\"id\":1,\"result\":{\"tools\":[{\"name\":\"delete_repo\"}]}}\n\n")),
        Ok(Bytes::from_static(b"data: unterminated")),
    ];
    let stream = sse::rewrite_stream(
        futures::stream::iter(chunks),
        vec![sse::event_of(&json!({"id": 2}))],
        move |m: &mut Value| jsonrpc::filter_tools(m, &ids, &acl, &principal),
    );
    let out: Vec<Bytes> = stream.map(|c| c.expect("chunk")).collect().await;
    let text: String = out
        .iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert_eq!(
        text,
        "event: message\ndata: {\"id\":2}\n\n\
         id: 1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"n\"}\n\n\
         : comment\n\n\
         data: {\"id\":1,\"result\":{\"tools\":[]}}\n\n\
         data: unterminated"
    );
}

#[test]
fn denied_call_is_answered_allowed_forwarded_in_a_batch_ok() {
    let acl = policy();
    let body = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "delete_repo"}},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_issues"}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"}
    ]);
    let inspected = jsonrpc::inspect(
        Bytes::from(body.to_string()),
        &acl,
        &developer(),
        "http://up",
    )
    .expect("json");
    assert_eq!(
        inspected.answers,
        vec![json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602,
            "message": "Tool 'delete_repo' is not available for consumer group 'developer'"}})]
    );
    assert_eq!(inspected.list_ids, vec![json!(3)]);
    assert_eq!(inspected.request_ids, vec![json!(2), json!(3)]);
    let forwarded: Value =
        serde_json::from_slice(&inspected.forward.expect("forwarded")).expect("json");
    assert_eq!(forwarded.as_array().map(Vec::len), Some(3));
}

#[test]
fn duplicate_name_keys_are_decided_on_what_is_forwarded_ok() {
    // serde_json keeps the last key; the forwarded body is re-serialised from the same value.
    let acl = policy();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_issues","name":"delete_repo"}}"#;
    let inspected =
        jsonrpc::inspect(Bytes::from(body), &acl, &developer(), "http://up").expect("json");
    assert!(inspected.forward.is_none());
    assert_eq!(inspected.answers.len(), 1);
}

#[test]
fn non_json_body_fails() {
    assert!(jsonrpc::inspect(Bytes::from("{"), &policy(), &developer(), "u").is_err());
}

#[test]
fn metadata_urls_use_path_insertion_ok() {
    let upstream: url::Url = "https://api.example.com/mcp/".parse().expect("url");
    let candidates: Vec<String> = metadata::upstream_candidates(&upstream)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        candidates,
        vec![
            "https://api.example.com/.well-known/oauth-protected-resource/mcp",
            "https://api.example.com/.well-known/oauth-protected-resource"
        ]
    );
    let resource: url::Url = "http://127.0.0.1:8/github-mcp".parse().expect("url");
    assert_eq!(
        metadata::metadata_url(&resource),
        "http://127.0.0.1:8/.well-known/oauth-protected-resource/github-mcp"
    );
}
