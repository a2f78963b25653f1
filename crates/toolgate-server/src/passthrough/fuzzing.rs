//! The passthrough's JSON-RPC inspection as plain functions over bytes, for the fuzz
//! targets in `fuzz/` (cargo feature `fuzzing`). Not a supported API: the proxy itself is
//! [`PassthroughEndpoint`](super::PassthroughEndpoint).
//!
//! Each function is the code the proxy runs on that path, without the HTTP around it.

use bytes::Bytes;
use futures::StreamExt;
use serde_json::Value;
use toolgate_tools::{AclPolicy, Principal};

use super::{
    jsonrpc::{self, ListIds},
    sse,
};

/// What the proxy makes of a `POST` body.
#[derive(Debug)]
pub struct Inspection {
    /// The body sent upstream, if any.
    pub forward: Option<Bytes>,
    /// The answers given at the gateway (denied calls).
    pub answers: Vec<Value>,
    /// Ids of the `tools/list` requests forwarded.
    pub list_ids: Vec<Value>,
    /// Ids of every request forwarded.
    pub request_ids: Vec<Value>,
    /// Whether the body was a batch.
    pub batch: bool,
}

/// Inspects a `POST` body as the proxy does; `None` where the proxy answers a parse error.
#[must_use]
pub fn inspect_request(body: &[u8], acl: &AclPolicy, principal: &Principal) -> Option<Inspection> {
    let inspected = jsonrpc::inspect(Bytes::copy_from_slice(body), acl, principal, "fuzz").ok()?;
    Some(Inspection {
        forward: inspected.forward,
        answers: inspected.answers,
        list_ids: inspected.list_ids,
        request_ids: inspected.request_ids,
        batch: inspected.batch,
    })
}

/// Filters the `tools/list` results of a JSON response (one message or a batch) in place;
/// `list_ids` `None` filters any result with a `tools` array, as for a resumed `GET` stream.
/// Returns whether anything was changed.
pub fn filter_response(
    message: &mut Value,
    list_ids: Option<&[Value]>,
    acl: &AclPolicy,
    principal: &Principal,
) -> bool {
    let ids = list_ids.map_or(ListIds::Any, |ids| ListIds::Seen(ids.to_vec()));
    jsonrpc::filter_tools(message, &ids, acl, principal)
}

/// The bytes the client receives for an upstream SSE body arriving in `chunks`, with
/// `tools/list` results filtered as the proxy filters them.
#[must_use]
pub fn rewrite_sse(
    chunks: Vec<Bytes>,
    list_ids: Option<&[Value]>,
    acl: &AclPolicy,
    principal: &Principal,
) -> Vec<u8> {
    let ids = list_ids.map_or(ListIds::Any, |ids| ListIds::Seen(ids.to_vec()));
    let acl = acl.clone();
    let principal = principal.clone();
    let upstream = futures::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>));
    let stream = sse::rewrite_stream(upstream, Vec::new(), move |message: &mut Value| {
        jsonrpc::filter_tools(message, &ids, &acl, &principal)
    });
    futures::executor::block_on(stream.collect::<Vec<_>>())
        .into_iter()
        .flat_map(|chunk| match chunk {
            Ok(bytes) => bytes.to_vec(),
            Err(never) => match never {},
        })
        .collect()
}
