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
fn duplicate_keys_fail() {
    // A repeated `method` hid a denied call: serde_json keeps the last key (a ping, so the
    // body went upstream as it came) and a parser keeping the first one reads a call.
    let acl = policy();
    for body in [
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","method":"ping","params":{"name":"delete_repo"}}"#,
        r#"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete_repo"},"method":"ping"}]"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_issues","name":"delete_repo"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_issues","arguments":{"a":1,"a":2}}}"#,
    ] {
        assert!(
            jsonrpc::inspect(Bytes::from(body), &acl, &developer(), "http://up").is_err(),
            "{body}"
        );
    }
}

#[test]
fn same_key_in_different_objects_ok() {
    let body = r#"[{"jsonrpc":"2.0","id":1,"method":"ping","params":{"id":2,"method":"x"}},{"jsonrpc":"2.0","id":2,"method":"ping"}]"#;
    let inspected =
        jsonrpc::inspect(Bytes::from(body), &policy(), &developer(), "http://up").expect("json");
    assert_eq!(inspected.forward, Some(Bytes::from(body)));
    assert_eq!(inspected.request_ids, vec![json!(1), json!(2)]);
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

/// The events a client reads from `rewrite_stream` over `chunks`, as one text.
async fn rewritten(chunks: &[&'static [u8]], ids: ListIds) -> String {
    let acl = policy();
    let principal = developer();
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
    let stream = sse::rewrite_stream(
        futures::stream::iter(chunks),
        Vec::new(),
        move |m: &mut Value| jsonrpc::filter_tools(m, &ids, &acl, &principal),
    );
    let out: Vec<Bytes> = stream.map(|c| c.expect("chunk")).collect().await;
    out.iter()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect()
}

#[tokio::test]
async fn byte_order_mark_split_across_chunks_hid_a_tools_list_ok() {
    // A client skips a leading BOM; the rewriting saw "\u{feff}data: …", no data line.
    let text = rewritten(
        &[
            b"\xEF",
            b"\xBB\xBFdata: {\"id\":1,\"result\":{\"tools\":[{\"name\":\"delete_repo\"}]}}\n\n",
        ],
        ListIds::Seen(vec![json!(1)]),
    )
    .await;
    assert_eq!(text, "data: {\"id\":1,\"result\":{\"tools\":[]}}\n\n");
}

#[tokio::test]
async fn unterminated_last_event_is_filtered_too_ok() {
    let text = rewritten(
        &[b"data: {\"id\":1,\"result\":{\"tools\":[{\"name\":\"delete_repo\"}]}}"],
        ListIds::Seen(vec![json!(1)]),
    )
    .await;
    assert!(!text.contains("delete_repo"), "{text}");
}

#[tokio::test]
async fn escaped_tools_key_and_float_id_are_filtered_ok() {
    // `"tool\u0073"` passed the cheap test unread; `1.0` answers request 1 in JavaScript.
    let text = rewritten(
        &[
            b"data: {\"id\":1,\"result\":{\"tool\\u0073\":[{\"name\":\"delete_repo\"}]}}\n\n",
            b"data: {\"id\":1.0,\"result\":{\"tools\":[{\"name\":\"delete_repo\"}]}}\n\n",
        ],
        ListIds::Seen(vec![json!(1)]),
    )
    .await;
    assert!(!text.contains("delete_repo"), "{text}");
}

/// A fuzz input of `passthrough_jsonrpc`: byte 0 the path, byte 1 the caller, then the body,
/// `0xFF` between SSE chunks.
fn fuzz_body(input: &'static [u8]) -> Vec<&'static [u8]> {
    input[2..].split(|b| *b == 0xFF).collect()
}

#[tokio::test]
async fn fuzz_regressions_replay_ok() {
    // Found by the fuzzer: an event the stream ended in went out unfiltered.
    let unterminated =
        include_bytes!("../../../../fuzz/regressions/passthrough-sse-unterminated-event");
    let text = rewritten(&fuzz_body(unterminated), ListIds::Any).await;
    assert_eq!(text, "data: {\"result\":{\"tools\":[]}}\n\n");
    // Found by reading: a byte order mark in its own chunk.
    let bom = include_bytes!("../../../../fuzz/regressions/passthrough-sse-byte-order-mark");
    let text = rewritten(&fuzz_body(bom), ListIds::Seen(vec![json!(1)])).await;
    assert!(!text.contains("delete_repo"), "{text}");
    // Found by reading: a repeated `method` hid a denied call.
    let duplicate =
        include_bytes!("../../../../fuzz/regressions/passthrough-request-duplicate-method");
    let body = Bytes::from_static(&duplicate[2..]);
    assert!(jsonrpc::inspect(body, &policy(), &developer(), "http://up").is_err());
}
