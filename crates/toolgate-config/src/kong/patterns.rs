//! The three plugins the external-gateway recipe (seed 002) uses for what toolgate's
//! passthrough does natively. Only those exact uses are recognised; anything else is an
//! error saying what is supported.
//!
//! - `datakit`: no `Authorization` header → 401 with `WWW-Authenticate: Bearer
//!   resource_metadata="…"` (`identity: user_token` answers that challenge);
//! - `response-transformer-advanced`: `replace.json: ['resource:<url>']` on the route proxying
//!   the upstream's Protected Resource Metadata (`upstream_metadata` + `resource`);
//! - `request-transformer-advanced`: `add.headers: ['Authorization:Bearer <token>']` after
//!   `ai-mcp-oauth2` removed the caller's token (`identity: token_swap`).

use serde_norway::Value;

use super::fields::{Diag, Fields};

const CHALLENGE: &str = "only the challenge graph is supported: a `jq` node testing \
    `.headers.Authorization? != null or .headers.authorization? != null` on `request.headers`, \
    a `branch` on it whose `else` runs a `static` node (`www-authenticate: Bearer \
    resource_metadata=\"…\"`, optional `content-type` and `BODY`) and an `exit` node answering \
    401 with those headers; toolgate answers that challenge itself (`identity: user_token`)";

/// The `resource_metadata` URL of the datakit challenge graph.
pub(super) fn datakit(mut f: Fields, diag: &mut Diag) -> Option<String> {
    let nodes_at = f.at("nodes");
    let nodes = f.list("nodes", diag);
    f.tolerate("debug", &Value::Bool(false), "not needed", diag);
    f.finish("the datakit config", &["nodes", "debug"], diag);
    let found = challenge(&nodes.into_iter().map(|(_, v)| v).collect::<Vec<_>>());
    if found.is_none() {
        diag.error(nodes_at, CHALLENGE);
    }
    found
}

fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value.as_mapping()?.get(key).filter(|v| !v.is_null())
}

fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    get(value, key)?.as_str()
}

/// Only `allowed` keys (besides `name` and `type`).
fn only(node: &Value, allowed: &[&str]) -> bool {
    node.as_mapping().is_some_and(|m| {
        m.iter().all(|(k, v)| {
            v.is_null()
                || k.as_str()
                    .is_some_and(|k| k == "name" || k == "type" || allowed.contains(&k))
        })
    })
}

fn challenge(nodes: &[Value]) -> Option<String> {
    if nodes.len() != 4 {
        return None;
    }
    let of_type = |kind: &str| {
        let mut matching = nodes.iter().filter(|n| text(n, "type") == Some(kind));
        let node = matching.next()?;
        matching.next().is_none().then_some(node)
    };
    let (check, branch, response, exit) = (
        of_type("jq")?,
        of_type("branch")?,
        of_type("static")?,
        of_type("exit")?,
    );
    let check_name = text(check, "name")?;
    let response_name = text(response, "name")?;
    let exit_name = text(exit, "name")?;

    // CHECK_AUTH: is there an Authorization header?
    let inputs = get(check, "inputs")?.as_mapping()?;
    let headers_only = inputs.len() == 1
        && inputs.get("headers").and_then(Value::as_str) == Some("request.headers");
    let expression = text(check, "jq")?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let tests_authorization = expression.split(" or ").all(|term| {
        matches!(
            term.trim(),
            ".headers.Authorization? != null"
                | ".headers.authorization? != null"
                | ".headers.Authorization != null"
                | ".headers.authorization != null"
        )
    });
    if !(only(check, &["inputs", "jq"]) && headers_only && tests_authorization) {
        return None;
    }

    // AUTH_BRANCH: nothing on true, the 401 on false.
    let mut otherwise: Vec<&str> = get(branch, "else")?
        .as_sequence()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    otherwise.sort_unstable();
    let mut expected = vec![response_name, exit_name];
    expected.sort_unstable();
    let then_empty = get(branch, "then").is_none_or(|t| t.as_sequence().is_some_and(Vec::is_empty));
    if !(only(branch, &["input", "then", "else"])
        && text(branch, "input") == Some(check_name)
        && otherwise == expected
        && then_empty)
    {
        return None;
    }

    // UNAUTH_RESPONSE: the challenge header.
    let values = get(response, "values")?.as_mapping()?;
    let mut resource_metadata = None;
    for (key, value) in values {
        let key = key.as_str()?;
        match key.to_ascii_lowercase().as_str() {
            "www-authenticate" => {
                let header = value
                    .as_str()?
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let rest = header.strip_prefix("Bearer ")?;
                let start = rest.find("resource_metadata=\"")? + "resource_metadata=\"".len();
                let end = rest[start..].find('"')?;
                resource_metadata = Some(rest[start..start + end].to_owned());
            }
            "content-type" => {}
            "body" if key == "BODY" => {}
            _ => return None,
        }
    }
    if !only(response, &["values"]) {
        return None;
    }

    // UNAUTH_EXIT: 401 with those headers (and body).
    let status = get(exit, "status")?.as_u64()?;
    let exit_inputs = get(exit, "inputs")?.as_mapping()?;
    let body = format!("{response_name}.BODY");
    let inputs_ok = exit_inputs.iter().all(|(k, v)| match k.as_str() {
        Some("headers") => v.as_str() == Some(response_name),
        Some("body") => v.as_str() == Some(body.as_str()),
        _ => false,
    }) && exit_inputs.get("headers").is_some();
    if !(only(exit, &["status", "inputs"]) && status == 401 && inputs_ok) {
        return None;
    }
    resource_metadata
}

/// The gateway's resource from the rewritten PRM's `replace.json: ['resource:<url>']`.
pub(super) fn prm_rewrite(mut f: Fields, diag: &mut Diag) -> Option<String> {
    const ONLY: &str = "only `replace.json: ['resource:<the gateway URL>']` (with \
        `json_types: [string]`) is supported: it rewrites the proxied Protected Resource \
        Metadata, which a passthrough endpoint's `upstream_metadata` and `resource` do";
    let before = diag.problems.len();
    let mut resource = None;
    if let Some(mut replace) = f.nested("replace", "the `replace` block", diag) {
        let json_at = replace.at("json");
        let json = replace.strings("json", diag);
        match json.as_slice() {
            [one] => match one.split_once(':') {
                Some(("resource", url)) if !url.trim().is_empty() => {
                    resource = Some(url.trim().to_owned());
                }
                _ => diag.error(json_at, ONLY),
            },
            _ => diag.error(json_at, ONLY),
        }
        let types = replace.strings("json_types", diag);
        if !(types.is_empty() || types == ["string"]) {
            diag.error(replace.at("json_types"), ONLY);
        }
        replace.finish("the `replace` block", &["json", "json_types"], diag);
    }
    f.tolerate("dots_in_keys", &Value::Bool(true), "not needed", diag);
    if resource.is_none() && diag.problems.len() == before {
        diag.error(f.path(), ONLY);
    }
    f.finish(
        "the response-transformer-advanced config",
        &["replace"],
        diag,
    );
    resource
}

/// The stored credential of `add.headers: ['Authorization:Bearer <token>']`.
pub(super) fn token_swap(mut f: Fields, diag: &mut Diag) -> Option<String> {
    const ONLY: &str = "only `add.headers: ['Authorization:Bearer <token>']` is supported, on a \
        passthrough route whose ai-mcp-oauth2 removes the caller's token \
        (`passthrough_credentials: false`): a token swap";
    let before = diag.problems.len();
    let mut token = None;
    if let Some(mut add) = f.nested("add", "the `add` block", diag) {
        let headers_at = add.at("headers");
        let headers = add.strings("headers", diag);
        let parsed = match headers.as_slice() {
            [one] => one.split_once(':').and_then(|(name, value)| {
                let value = value.trim();
                let scheme = value.get(..7)?;
                (name.trim().eq_ignore_ascii_case("authorization")
                    && scheme.eq_ignore_ascii_case("bearer "))
                .then(|| value[7..].trim().to_owned())
                .filter(|t| !t.is_empty())
            }),
            _ => None,
        };
        if parsed.is_none() {
            diag.error(headers_at, ONLY);
        }
        token = parsed;
        add.finish("the `add` block", &["headers"], diag);
    }
    f.tolerate("dots_in_keys", &Value::Bool(true), "not needed", diag);
    f.only_default("http_method", &Value::Null, ONLY, diag);
    if token.is_none() && diag.problems.len() == before {
        diag.error(f.path(), ONLY);
    }
    f.finish("the request-transformer-advanced config", &["add"], diag);
    token
}
