//! What the proxy understands of JSON-RPC: ACL decisions on `tools/call`, the ids of
//! `tools/list` requests, and filtering of `tools/list` results.

use bytes::Bytes;
use serde_json::{Value, json};
use toolgate_tools::{AclPolicy, Principal};

/// JSON-RPC "Invalid params", the code of a denied tool.
pub(super) const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC "Parse error".
pub(super) const PARSE_ERROR: i64 = -32700;
/// An implementation-defined server error: the upstream could not be reached.
pub(super) const UPSTREAM_UNREACHABLE: i64 = -32000;
/// An implementation-defined server error: the endpoint's cap on calls in flight was full.
pub(super) const UPSTREAM_BUSY: i64 = -32001;

/// A POST body after inspection.
#[derive(Debug)]
pub(super) struct Inspected {
    /// What goes upstream; `None` when every message was answered at the gateway.
    pub(super) forward: Option<Bytes>,
    /// Answers given at the gateway (denied calls).
    pub(super) answers: Vec<Value>,
    /// Ids of the `tools/list` requests forwarded.
    pub(super) list_ids: Vec<Value>,
    /// Ids of every request forwarded.
    pub(super) request_ids: Vec<Value>,
    /// Whether the body was a batch.
    pub(super) batch: bool,
    /// Every `tools/call` with a tool name, denied or forwarded, for the audit.
    pub(super) calls: Vec<SeenCall>,
}

/// A `tools/call` the proxy decided on.
#[derive(Debug)]
pub(super) struct SeenCall {
    /// Its request id (none for a notification-shaped call).
    pub(super) id: Option<Value>,
    /// The tool.
    pub(super) tool: String,
    /// Why it was refused, when it was.
    pub(super) denial: Option<toolgate_tools::Denial>,
    /// Its arguments.
    pub(super) arguments: Option<Value>,
    /// The message's size as JSON.
    pub(super) request_bytes: usize,
}

/// A JSON-RPC error response.
pub(super) fn error_response(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Decides on every message of `body`: denied `tools/call`s are answered here, the rest is
/// forwarded. A body that is not JSON, or that repeats a key in any object, is an `Err`
/// (answered with a parse error).
///
/// When a `tools/call` is forwarded, the body sent is the re-serialised message the
/// decision was made on. Otherwise the body goes as it came, and refusing duplicate keys is
/// what keeps the upstream from reading it differently: `{"method":"tools/call",
/// "method":"ping",…}` is a ping to serde_json (the last key wins) and a call to a parser
/// where the first one wins.
pub(super) fn inspect(
    body: Bytes,
    acl: &AclPolicy,
    principal: &Principal,
    upstream: &str,
) -> Result<Inspected, serde_json::Error> {
    let UniqueKeys(parsed) = serde_json::from_slice(&body)?;
    let (messages, batch) = match parsed {
        Value::Array(items) => (items, true),
        other => (vec![other], false),
    };
    let mut inspected = Inspected {
        forward: None,
        answers: Vec::new(),
        list_ids: Vec::new(),
        request_ids: Vec::new(),
        batch,
        calls: Vec::new(),
    };
    let mut kept = Vec::with_capacity(messages.len());
    let mut calls = false;
    for message in messages {
        let method = message.get("method").and_then(Value::as_str);
        let id = message.get("id").filter(|_| method.is_some()).cloned();
        if method == Some("tools/call") {
            calls = true;
            let tool = message
                .get("params")
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str);
            // A call without a string name reaches no tool upstream either: let it fail there.
            if let Some(tool) = tool {
                let decision = acl.check(tool, principal);
                tracing::debug!(
                    tool,
                    upstream,
                    allowed = decision.is_ok(),
                    "tools/call inspected"
                );
                inspected.calls.push(SeenCall {
                    id: id.clone(),
                    tool: tool.to_owned(),
                    denial: decision.clone().err(),
                    arguments: message
                        .get("params")
                        .and_then(|p| p.get("arguments"))
                        .cloned(),
                    request_bytes: message.to_string().len(),
                });
                if let Err(denial) = decision {
                    if let Some(id) = &id {
                        inspected.answers.push(error_response(
                            id,
                            INVALID_PARAMS,
                            &denial.to_string(),
                        ));
                    }
                    continue;
                }
            }
        }
        if let Some(id) = id {
            if method == Some("tools/list") {
                inspected.list_ids.push(id.clone());
            }
            inspected.request_ids.push(id);
        }
        kept.push(message);
    }
    inspected.forward = if kept.is_empty() {
        None
    } else if !calls {
        Some(body)
    } else if batch {
        Some(Bytes::from(Value::Array(kept).to_string()))
    } else {
        kept.pop().map(|message| Bytes::from(message.to_string()))
    };
    Ok(inspected)
}

/// A JSON value whose objects have no repeated key (at any depth); otherwise the same as
/// [`Value`]'s own deserialization, within serde_json's nesting limit.
struct UniqueKeys(Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(UniqueKeysVisitor)
            .map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value without repeated object keys")
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
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "the key `{key}` appears twice in one object"
                )));
            }
            let UniqueKeys(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Which responses carry `tools/list` results to filter.
#[derive(Clone, Debug)]
pub(super) enum ListIds {
    /// The responses to these request ids.
    Seen(Vec<Value>),
    /// Any response whose result has a `tools` array (streams resumed with `GET`, whose
    /// requests this proxy did not see).
    Any,
}

/// Filters the `tools/list` results in `message` (a response or a batch of them) to the
/// tools `principal` may call. Returns whether anything was changed.
pub(super) fn filter_tools(
    message: &mut Value,
    ids: &ListIds,
    acl: &AclPolicy,
    principal: &Principal,
) -> bool {
    if let Value::Array(items) = message {
        let mut changed = false;
        for item in items {
            changed |= filter_one(item, ids, acl, principal);
        }
        return changed;
    }
    filter_one(message, ids, acl, principal)
}

/// Whether a response's `id` answers the request `id`, as a client compares them: numbers by
/// value (`1` and `1.0` are one id to JavaScript), the rest exactly.
fn same_id(request: &Value, response: &Value) -> bool {
    match (request, response) {
        (Value::Number(a), Value::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        _ => request == response,
    }
}

fn filter_one(message: &mut Value, ids: &ListIds, acl: &AclPolicy, principal: &Principal) -> bool {
    if message.get("method").is_some() {
        return false;
    }
    let wanted = match ids {
        ListIds::Any => true,
        ListIds::Seen(ids) => message
            .get("id")
            .is_some_and(|id| ids.iter().any(|seen| same_id(seen, id))),
    };
    if !wanted {
        return false;
    }
    let Some(tools) = message
        .get_mut("result")
        .and_then(|r| r.get_mut("tools"))
        .and_then(Value::as_array_mut)
    else {
        return false;
    };
    let before = tools.len();
    // A tool without a name cannot be checked: it is not listed (fail closed).
    tools.retain(|tool| {
        tool.get("name")
            .and_then(Value::as_str)
            .is_some_and(|name| acl.check(name, principal).is_ok())
    });
    tracing::info!(
        target: "toolgate::audit",
        event = "tools/list",
        listed = tools.len(),
        hidden = before - tools.len(),
        consumer = principal.consumer.as_deref(),
        groups = ?principal.groups,
    );
    true
}
