//! The passthrough proxy's JSON-RPC inspection: request bodies (ACL decisions on
//! `tools/call`, batches), JSON responses and SSE streams (the `tools/list` filter), through
//! `toolgate_server::passthrough_fuzzing` (feature `fuzzing`).
//!
//! Input layout: byte 0 picks the path (`'0'` request, `'1'` JSON response, `'2'` SSE stream,
//! by value modulo 3), byte 1 the caller (bits 1–2) and whether responses are matched to
//! request ids or any result with `tools` is filtered (bit 0), the rest is the body. In SSE
//! input a `0xFF` byte (never in UTF-8 text) cuts the stream into the chunks it arrives in.
//!
//! Besides panics and hangs, a finding is a broken security property:
//!
//! - a request: nothing forwarded upstream is a `tools/call` of a tool the caller may not
//!   call — whether the upstream keeps the first or the last of repeated keys; every denied
//!   call with an id is answered at the gateway;
//! - a response: no `tools/list` result the client receives lists a tool the caller may not
//!   call, read with the SSE rules a client uses (a leading byte order mark skipped, CR, LF
//!   and CRLF line ends; a final event without its blank line counts too).

#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use toolgate_server::passthrough_fuzzing::{filter_response, inspect_request, rewrite_sse};
use toolgate_tools::{AclPolicy, AclRule, Principal};

fn policy() -> &'static AclPolicy {
    static ACL: OnceLock<AclPolicy> = OnceLock::new();
    ACL.get_or_init(|| {
        let mut acl = AclPolicy::default();
        acl.include_consumer_groups = true;
        acl.default = Some(AclRule::allow(["admin"]));
        acl.tools
            .insert("list_issues".into(), AclRule::allow(["developer", "admin"]));
        acl.tools.insert(
            "get_me".into(),
            AclRule::allow(["developer", "admin", "eve"]).with_deny(["mallory"]),
        );
        acl.tool_scopes
            .insert("merge_pr".into(), vec!["repo:write".into()]);
        acl
    })
}

fn principal(selector: u8) -> Principal {
    match (selector >> 1) & 3 {
        0 => Principal::anonymous()
            .with_consumer("dana")
            .with_groups(["developer"]),
        1 => Principal::anonymous()
            .with_consumer("ada")
            .with_groups(["admin"]),
        2 => Principal::anonymous(),
        _ => Principal::anonymous().with_consumer("mallory"),
    }
}

/// The request ids the response paths treat as `tools/list` requests.
fn list_ids() -> &'static [Value] {
    static IDS: OnceLock<Vec<Value>> = OnceLock::new();
    IDS.get_or_init(|| vec![Value::from(1), Value::from("a")])
}

fuzz_target!(|data: &[u8]| {
    let [mode, selector, body @ ..] = data else {
        return;
    };
    let acl = policy();
    let caller = principal(*selector);
    let ids = (selector & 1 == 0).then(list_ids);
    match mode % 3 {
        0 => request(body, acl, &caller),
        1 => {
            let Ok(mut message) = serde_json::from_slice::<Value>(body) else {
                return;
            };
            filter_response(&mut message, ids, acl, &caller);
            assert_listed_tools_allowed(&message, ids, acl, &caller);
        }
        _ => {
            let chunks = body
                .split(|b| *b == 0xFF)
                .map(Bytes::copy_from_slice)
                .collect();
            let out = rewrite_sse(chunks, ids, acl, &caller);
            for data in client_events(&out) {
                if let Ok(message) = serde_json::from_slice::<Value>(&data) {
                    assert_listed_tools_allowed(&message, ids, acl, &caller);
                }
            }
        }
    }
});

fn request(body: &[u8], acl: &AclPolicy, caller: &Principal) {
    let Some(inspection) = inspect_request(body, acl, caller) else {
        return;
    };
    let original: Value = serde_json::from_slice(body).expect("an accepted body is JSON");
    let denied_with_id = messages(&original)
        .filter(|m| m.get("method").and_then(Value::as_str) == Some("tools/call"))
        .filter(|m| m.get("id").is_some())
        .filter_map(|m| m.get("params")?.get("name")?.as_str())
        .filter(|tool| acl.check(tool, caller).is_err())
        .count();
    assert_eq!(inspection.answers.len(), denied_with_id, "answers");
    let Some(forward) = inspection.forward else {
        return;
    };
    for keep_first in [false, true] {
        let read = parse(&forward, keep_first).expect("what goes upstream is JSON");
        for message in messages(&read) {
            if message.get("method").and_then(Value::as_str) != Some("tools/call") {
                continue;
            }
            if let Some(tool) = message
                .get("params")
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
            {
                assert!(
                    acl.check(tool, caller).is_ok(),
                    "a denied call to {tool:?} went upstream (keep_first: {keep_first})"
                );
            }
        }
    }
}

fn messages(value: &Value) -> impl Iterator<Item = &Value> {
    match value {
        Value::Array(items) => items.iter().collect::<Vec<_>>().into_iter(),
        other => vec![other].into_iter(),
    }
}

fn assert_listed_tools_allowed(
    message: &Value,
    ids: Option<&[Value]>,
    acl: &AclPolicy,
    caller: &Principal,
) {
    for item in messages(message) {
        if item.get("method").is_some() {
            continue;
        }
        // A client matches ids as JavaScript does: numbers by value (`1` is `1.0`).
        if let Some(ids) = ids
            && !item.get("id").is_some_and(|id| {
                ids.iter().any(|known| match (known, id) {
                    (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                    _ => known == id,
                })
            })
        {
            continue;
        }
        let Some(tools) = item
            .get("result")
            .and_then(|r| r.get("tools"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for tool in tools {
            let name = tool.get("name").and_then(Value::as_str);
            assert!(
                name.is_some_and(|n| acl.check(n, caller).is_ok()),
                "the client sees the tool {name:?}"
            );
        }
    }
}

/// The `data` of every event a client dispatches from `stream` (WHATWG SSE rules, plus the
/// final unterminated event, which some clients dispatch).
fn client_events(stream: &[u8]) -> Vec<Vec<u8>> {
    let stream = stream.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(stream);
    let mut events = Vec::new();
    let mut data: Option<Vec<u8>> = None;
    let mut line_start = 0;
    let mut index = 0;
    let mut dispatch = |data: &mut Option<Vec<u8>>| {
        if let Some(mut d) = data.take() {
            d.pop();
            events.push(d);
        }
    };
    loop {
        let byte = stream.get(index).copied();
        if !matches!(byte, Some(b'\r' | b'\n') | None) {
            index += 1;
            continue;
        }
        let line = &stream[line_start..index];
        if line.is_empty() {
            dispatch(&mut data);
        } else {
            let (field, value) = match line.iter().position(|b| *b == b':') {
                Some(colon) => {
                    let value = &line[colon + 1..];
                    (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
                }
                None => (line, &b""[..]),
            };
            if field == b"data" {
                let d = data.get_or_insert_with(Vec::new);
                d.extend_from_slice(value);
                d.push(b'\n');
            }
        }
        match byte {
            None => {
                dispatch(&mut data);
                break;
            }
            Some(b'\r') if stream.get(index + 1) == Some(&b'\n') => index += 2,
            Some(_) => index += 1,
        }
        line_start = index;
    }
    events
}

/// Parses JSON keeping the first (or, as serde_json does, the last) of repeated keys.
fn parse(text: &[u8], keep_first: bool) -> Option<Value> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

    #[derive(Clone, Copy)]
    struct Keep(bool);

    impl<'de> DeserializeSeed<'de> for Keep {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Keep {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(self)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(self)?;
                if !(self.0 && object.contains_key(&key)) {
                    object.insert(key, value);
                }
            }
            Ok(Value::Object(object))
        }
    }

    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let value = Keep(keep_first).deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(value)
}
