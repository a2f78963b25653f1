//! The plugins deciding who gets in: `ai-mcp-oauth2` and `key-auth` (an auth profile),
//! `cors` (which browser pages may call) and `rate-limiting` (how often).

use serde_norway::{Mapping, Value};

use super::strings;
use crate::kong::fields::{Diag, Fields, describe};

const OAUTH2_FIELDS: &[&str] = &[
    "resource",
    "authorization_servers",
    "jwks_endpoint",
    "introspection_endpoint",
    "client_id",
    "client_secret",
    "client_auth",
    "cache_introspection",
    "insecure_relaxed_audience_validation",
    "metadata_endpoint",
    "scopes_supported",
    "consumer_claim",
    "consumer_by",
    "consumer_optional",
    "consumer_groups_claim",
    "consumer_groups_optional",
    "claim_to_header",
    "passthrough_credentials",
    "ssl_verify",
    "credential_claim",
    "timeout",
    "keepalive",
    "http_version",
    "jwks_cache_ttl",
    "metadata_cache_ttl",
    "metadata_discovery_retry",
    "jwt_claims_leeway",
    "max_request_body_size",
    "token_exchange",
];

/// `ai-mcp-oauth2` → the fields of an auth profile, in toolgate's order.
pub(super) fn oauth2(mut f: Fields, diag: &mut Diag) -> Option<Mapping> {
    let mut out = Mapping::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(key.into(), value);
        }
    };
    put("resource", f.string("resource", diag).map(Value::from));
    let servers = f.strings("authorization_servers", diag);
    put(
        "authorization_servers",
        (!servers.is_empty()).then(|| strings(servers)),
    );
    put("jwks_uri", f.string("jwks_endpoint", diag).map(Value::from));
    for key in ["introspection_endpoint", "client_id", "client_secret"] {
        put(key, f.string(key, diag).map(Value::from));
    }
    let client_auth = f.string("client_auth", diag);
    if let Some(method) = &client_auth
        && !matches!(
            method.as_str(),
            "client_secret_basic" | "client_secret_post" | "none"
        )
    {
        diag.error(
            f.at("client_auth"),
            format!("`{method}` is not supported: client_secret_basic, client_secret_post or none"),
        );
    }
    put("client_auth", client_auth.map(Value::from));
    for key in [
        "cache_introspection",
        "insecure_relaxed_audience_validation",
    ] {
        put(key, f.bool(key, diag).map(Value::from));
    }
    let metadata_endpoint = f.string("metadata_endpoint", diag);
    if metadata_endpoint.is_none() {
        diag.note(format!(
            "{}: without `metadata_endpoint` Kong serves the metadata at <resource path>/.well-known/oauth-protected-resource; \
             toolgate serves it at the RFC 9728 location (/.well-known/oauth-protected-resource<resource path>) and names it in every challenge",
            f.path()
        ));
    }
    put("metadata_endpoint", metadata_endpoint.map(Value::from));
    let scopes = f.strings("scopes_supported", diag);
    put(
        "scopes_supported",
        (!scopes.is_empty()).then(|| strings(scopes)),
    );
    put("consumer_claim", claim_path(&mut f, "consumer_claim", diag));
    let by = f.strings("consumer_by", diag);
    put("consumer_by", (!by.is_empty()).then(|| strings(by)));
    put(
        "consumer_optional",
        f.bool("consumer_optional", diag).map(Value::from),
    );
    put(
        "consumer_groups_claim",
        claim_path(&mut f, "consumer_groups_claim", diag),
    );
    put(
        "consumer_groups_optional",
        f.bool("consumer_groups_optional", diag).map(Value::from),
    );
    let mut mappings = Vec::new();
    for (path, item) in f.list("claim_to_header", diag) {
        let Some(mut m) = Fields::new(item, &path, "a claim_to_header entry", diag) else {
            continue;
        };
        let mut entry = Mapping::new();
        for key in ["claim", "header"] {
            match m.string(key, diag) {
                Some(text) => {
                    entry.insert(key.into(), text.into());
                }
                None => diag.error(m.at(key), format!("give the `{key}`")),
            }
        }
        m.finish("a claim_to_header entry", &["claim", "header"], diag);
        mappings.push(Value::Mapping(entry));
    }
    put(
        "claim_to_header",
        (!mappings.is_empty()).then_some(Value::Sequence(mappings)),
    );
    for key in ["passthrough_credentials", "ssl_verify"] {
        put(key, f.bool(key, diag).map(Value::from));
    }
    let tuning = "a network tuning setting with no toolgate equivalent";
    f.tolerate(
        "credential_claim",
        &Value::Sequence(vec!["sub".into()]),
        "virtual credentials only feed plugins the import does not support",
        diag,
    );
    for (key, default) in [
        ("timeout", Value::from(10_000)),
        ("keepalive", Value::Bool(true)),
        ("http_version", Value::from(1.1)),
        ("jwks_cache_ttl", Value::from(3600)),
        ("metadata_cache_ttl", Value::from(3600)),
        ("metadata_discovery_retry", Value::from(3)),
    ] {
        f.tolerate(key, &default, tuning, diag);
    }
    put(
        "jwt_claims_leeway",
        f.count("jwt_claims_leeway", diag).map(Value::from),
    );
    f.only_default(
        "max_request_body_size",
        &Value::from(1_048_576),
        "set it on the ai-mcp-proxy plugin",
        diag,
    );
    if let Some(mut exchange) = f.nested("token_exchange", "the `token_exchange` block", diag)
        && exchange.bool("enabled", diag) == Some(true)
    {
        // Disabled, the rest of the block configures nothing.
        diag.error(
            exchange.at("enabled"),
            "token exchange (RFC 8693) is not supported; a passthrough can swap the token \
             for a stored credential instead",
        );
    }
    f.finish("the ai-mcp-oauth2 config", OAUTH2_FIELDS, diag);
    Some(out)
}

/// Kong's claim path (`[ext, user]`: the claim `user` inside `ext`) as toolgate's dotted
/// path.
fn claim_path(f: &mut Fields, key: &str, diag: &mut Diag) -> Option<Value> {
    let parts = f.strings(key, diag);
    if parts.is_empty() {
        return None;
    }
    if parts.len() > 1 {
        diag.note(format!(
            "{}: Kong's claim path [{}] is the nested claim `{}`",
            f.at(key),
            parts.join(", "),
            parts.join(".")
        ));
    }
    Some(strings(vec![parts.join(".")]))
}

/// `key-auth` → `key_auth`.
pub(super) fn key_auth(mut f: Fields, diag: &mut Diag) -> Mapping {
    let mut out = Mapping::new();
    let names = f.strings("key_names", diag);
    let shown = if names.is_empty() {
        "apikey".to_owned()
    } else {
        names.join(", ")
    };
    if !names.is_empty() {
        out.insert("key_names".into(), strings(names));
    }
    if f.bool("hide_credentials", diag) == Some(false) {
        diag.error(
            f.at("hide_credentials"),
            "API keys never go upstream here; `false` is not supported",
        );
    }
    out.insert("hide_credentials".into(), true.into());
    diag.note(format!(
        "{}: API keys are read from the header(s) {shown} only (never the query string or \
         body) and are removed before the request goes on",
        f.path()
    ));
    f.only_default(
        "key_in_header",
        &Value::Bool(true),
        "keys are read from headers",
        diag,
    );
    f.take("key_in_query");
    f.only_default(
        "key_in_body",
        &Value::Bool(false),
        "keys are read from headers only",
        diag,
    );
    f.only_default(
        "anonymous",
        &Value::Null,
        "a request without a valid key is refused",
        diag,
    );
    f.tolerate(
        "run_on_preflight",
        &Value::Bool(true),
        "preflights are answered by CORS",
        diag,
    );
    f.tolerate(
        "realm",
        &Value::Null,
        "the challenge names the resource metadata",
        diag,
    );
    f.tolerate(
        "identity_realms",
        &Value::Null,
        "consumers are those of this file",
        diag,
    );
    f.finish(
        "the key-auth config",
        &[
            "key_names",
            "hide_credentials",
            "key_in_header",
            "key_in_query",
            "key_in_body",
            "anonymous",
            "run_on_preflight",
            "realm",
        ],
        diag,
    );
    out
}

/// `cors` → an endpoint's `cors`.
pub(super) fn cors(mut f: Fields, diag: &mut Diag) -> Mapping {
    let mut out = Mapping::new();
    let origins = f.strings("origins", diag);
    for (i, origin) in origins.iter().enumerate() {
        if origin != "*" && origin.contains(['\\', '(', '[', '^', '$', '|', '+', '?', '*']) {
            diag.error(
                format!("{}[{i}]", f.at("origins")),
                format!(
                    "`{origin}`: regular-expression origins are not supported; list the origins"
                ),
            );
        }
    }
    for (key, list) in [
        ("origins", origins),
        ("methods", f.strings("methods", diag)),
        ("headers", f.strings("headers", diag)),
        ("exposed_headers", f.strings("exposed_headers", diag)),
    ] {
        if !list.is_empty() {
            out.insert(key.into(), strings(list));
        }
    }
    if let Some(flag) = f.bool("credentials", diag) {
        out.insert("credentials".into(), flag.into());
    }
    if let Some(age) = f.count("max_age", diag) {
        out.insert("max_age".into(), age.into());
    }
    f.only_default(
        "preflight_continue",
        &Value::Bool(false),
        "preflight requests are answered here",
        diag,
    );
    f.only_default(
        "private_network",
        &Value::Bool(false),
        "Private Network Access preflights are not answered",
        diag,
    );
    f.tolerate(
        "allow_origin_absent",
        &Value::Bool(true),
        "CORS headers are only sent to requests with an Origin",
        diag,
    );
    f.finish(
        "the cors config",
        &[
            "origins",
            "methods",
            "headers",
            "exposed_headers",
            "credentials",
            "max_age",
            "preflight_continue",
            "private_network",
            "allow_origin_absent",
        ],
        diag,
    );
    out
}

/// Kong's `rate-limiting` as an endpoint's `rate_limits.per_consumer`: the windows from a
/// second to a day, and who is counted (`limit_by`). `None` when nothing can be carried over.
pub(super) fn rate_limiting(mut f: Fields, diag: &mut Diag) -> Option<Mapping> {
    let path = f.path().to_owned();
    let mut out = Mapping::new();
    for window in ["second", "minute", "hour", "day"] {
        if let Some(limit) = f.count(window, diag) {
            out.insert(window.into(), limit.into());
        }
    }
    for window in ["month", "year"] {
        if let Some(value) = f.take(window) {
            diag.error(
                f.at(window),
                format!(
                    "{} is not supported: toolgate's windows go up to a day (second, minute, hour, day)",
                    describe(&value)
                ),
            );
        }
    }
    let limit_by_at = f.at("limit_by");
    match f.string("limit_by", diag).as_deref() {
        None | Some("consumer" | "credential") => {}
        Some(other) => diag.error(
            limit_by_at,
            format!(
                "`{other}` is not supported: an endpoint's limit counts each caller (consumer, \
                 else the token's subject, else the client's address: Kong's `consumer` and \
                 `credential`); a limit shared by every caller is set per tool \
                 (`rate_limits.per_tool.<tool>.limit_by: endpoint`)"
            ),
        ),
    }
    let policy = f.string("policy", diag);
    if policy.as_deref().is_some_and(|p| p != "local") {
        diag.note(format!(
            "{}: `{}`: toolgate counts in each process (as Kong's `local`); with several \
             gateway processes each allows the whole limit",
            f.at("policy"),
            policy.as_deref().unwrap_or_default()
        ));
    }
    // Where the counters of the cluster and redis policies live: nothing to carry over.
    let redis: Vec<String> = f
        .keys()
        .into_iter()
        .filter(|k| k == "redis" || k.starts_with("redis_"))
        .collect();
    for key in &redis {
        let _ = f.take_raw(key);
    }
    let _ = f.take_raw("sync_rate");
    f.tolerate(
        "fault_tolerant",
        &Value::Bool(true),
        "there is no shared store to fail",
        diag,
    );
    f.tolerate(
        "hide_client_headers",
        &Value::Bool(true),
        "toolgate sends `Retry-After` with its 429 and no RateLimit headers",
        diag,
    );
    f.only_default(
        "error_code",
        &Value::Number(429.into()),
        "requests over the limit get 429",
        diag,
    );
    f.tolerate(
        "error_message",
        &Value::String("API rate limit exceeded".into()),
        "the 429 carries a JSON-RPC error of toolgate's own",
        diag,
    );
    for key in ["header_name", "path"] {
        if let Some(value) = f.take(key) {
            diag.note(format!(
                "{}: {} is only used with another `limit_by`: not carried over",
                f.at(key),
                describe(&value)
            ));
        }
    }
    f.finish(
        "the rate-limiting config",
        &[
            "second",
            "minute",
            "hour",
            "day",
            "month",
            "year",
            "limit_by",
            "policy",
            "fault_tolerant",
            "hide_client_headers",
            "error_code",
            "error_message",
            "header_name",
            "path",
            "sync_rate",
        ],
        diag,
    );
    // `out` holds the windows only.
    if out.is_empty() {
        diag.error(
            path,
            "no limit to carry over: set at least one of second, minute, hour, day",
        );
        return None;
    }
    Some(out)
}
