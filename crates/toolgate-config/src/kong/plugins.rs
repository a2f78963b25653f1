//! Plugin configurations read into what toolgate does with them: `ai-mcp-proxy`,
//! `ai-mcp-oauth2`, `key-auth`, `cors` and `rate-limiting` here; the three recipe patterns (`datakit`, the
//! response and request transformers) in [`super::patterns`].

use serde_norway::{Mapping, Value};
use toolgate_rest::RestToolSpec;

use super::{
    fields::{Diag, Fields, join},
    patterns,
    state::Plugin,
};
use crate::diag::{closest, with_suggestion};

mod access;

/// The plugins the import understands.
pub(super) const SUPPORTED: &[&str] = &[
    "ai-mcp-proxy",
    "ai-mcp-oauth2",
    "key-auth",
    "cors",
    "rate-limiting",
    "datakit",
    "response-transformer-advanced",
    "request-transformer-advanced",
];

/// What one plugin does, read from its `config`.
#[derive(Debug)]
pub(super) enum Kind {
    Proxy(Box<Proxy>),
    /// The fields of a toolgate auth profile.
    OAuth2(Mapping),
    /// The fields of `key_auth`.
    KeyAuth(Mapping),
    /// The fields of an endpoint's `cors`.
    Cors(Mapping),
    /// The fields of an endpoint's `rate_limits.per_consumer`.
    RateLimit(Mapping),
    /// The datakit "no Authorization → 401 challenge" graph, with its `resource_metadata`.
    Challenge {
        resource_metadata: String,
    },
    /// The response transformer rewriting a proxied PRM's `resource`.
    PrmRewrite {
        resource: String,
    },
    /// The request transformer adding `Authorization: Bearer <token>`.
    TokenSwap {
        token: String,
    },
}

/// `ai-mcp-proxy`'s modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    ConversionOnly,
    ConversionListener,
    Listener,
    PassthroughListener,
}

const MODES: &[&str] = &[
    "conversion-only",
    "conversion-listener",
    "listener",
    "passthrough-listener",
];

/// ACL settings of an `ai-mcp-proxy` instance.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct AclSettings {
    pub(super) default_acl: Vec<Value>,
    pub(super) consumer_identifier: Option<String>,
    pub(super) include_consumer_groups: Option<bool>,
}

impl AclSettings {
    pub(super) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// An `ai-mcp-proxy` configuration.
#[derive(Debug)]
pub(super) struct Proxy {
    pub(super) mode: Mode,
    /// Conversion modes: the tools as written, with their paths.
    pub(super) tools: Vec<(String, Value)>,
    /// Passthrough: ACL rules by tool name.
    pub(super) tool_acl: Vec<(String, Value)>,
    pub(super) tag: Option<String>,
    pub(super) timeout: Option<u64>,
    pub(super) max_request_body_size: Option<u64>,
    pub(super) logging: Option<Mapping>,
    pub(super) stateless: bool,
    pub(super) acl: AclSettings,
}

/// Reads plugin `plugin`; `None` after reporting why it cannot be imported.
pub(super) fn read(plugin: &Plugin, diag: &mut Diag) -> Option<Kind> {
    let at = plugin.config_path();
    let config = Fields::new(plugin.config.clone(), &at, "a plugin config", diag)?;
    match plugin.name.as_str() {
        "ai-mcp-proxy" => proxy(config, diag).map(|p| Kind::Proxy(Box::new(p))),
        "ai-mcp-oauth2" => access::oauth2(config, diag).map(Kind::OAuth2),
        "key-auth" => Some(Kind::KeyAuth(access::key_auth(config, diag))),
        "cors" => Some(Kind::Cors(access::cors(config, diag))),
        "rate-limiting" => access::rate_limiting(config, diag).map(Kind::RateLimit),
        "datakit" => patterns::datakit(config, diag)
            .map(|resource_metadata| Kind::Challenge { resource_metadata }),
        "response-transformer-advanced" => {
            patterns::prm_rewrite(config, diag).map(|resource| Kind::PrmRewrite { resource })
        }
        "request-transformer-advanced" => {
            patterns::token_swap(config, diag).map(|token| Kind::TokenSwap { token })
        }
        other => {
            let mut message = format!(
                "the plugin `{other}` is not supported by the import (supported: {})",
                SUPPORTED.join(", ")
            );
            if let Some(best) = closest(other, SUPPORTED.iter().copied()) {
                message.push_str(&format!("; did you mean `{best}`?"));
            }
            diag.error(format!("{}.name", plugin.path), message);
            None
        }
    }
}

fn proxy(mut f: Fields, diag: &mut Diag) -> Option<Proxy> {
    let mode_at = f.at("mode");
    let mode = match f.string("mode", diag).as_deref() {
        Some("conversion-only") => Some(Mode::ConversionOnly),
        Some("conversion-listener") => Some(Mode::ConversionListener),
        Some("listener") => Some(Mode::Listener),
        Some("passthrough-listener") => Some(Mode::PassthroughListener),
        Some(other) => {
            let mut message = format!(
                "unknown ai-mcp-proxy mode `{other}`; expected one of {}",
                MODES.join(", ")
            );
            if let Some(best) = closest(other, MODES.iter().copied()) {
                message.push_str(&format!("; did you mean `{best}`?"));
            }
            diag.error(mode_at, message);
            None
        }
        None => {
            diag.error(
                mode_at,
                format!("give the `mode`: one of {}", MODES.join(", ")),
            );
            None
        }
    };
    let tools = f.list("tools", diag);
    let mut tag = None;
    let mut timeout = None;
    let mut stateless = false;
    if let Some(mut server) = f.nested("server", "the `server` block", diag) {
        tag = server.string("tag", diag);
        timeout = server.count("timeout", diag);
        if timeout == Some(0) {
            diag.error(server.at("timeout"), "must be at least 1 millisecond");
        }
        server.tolerate(
            "forward_client_headers",
            &Value::Bool(false),
            "client request headers never reach tool upstreams; use claim_to_header for identity",
            diag,
        );
        if let Some(mut session) = server.nested("session", "the `session` block", diag) {
            stateless = session.bool("managed", diag) == Some(false);
            session.tolerate(
                "session_ttl",
                &Value::from(86_400),
                "sessions live in memory until the client ends them",
                diag,
            );
            for key in ["strategy", "client", "redis"] {
                session.only_default(key, &Value::Null, "sessions are kept in memory", diag);
            }
            session.finish("the `session` block", &["managed", "session_ttl"], diag);
        }
        server.finish(
            "the `server` block",
            &["tag", "timeout", "forward_client_headers", "session"],
            diag,
        );
    }
    let logging = f
        .nested("logging", "the `logging` block", diag)
        .map(|mut l| {
            let mut out = Mapping::new();
            for key in ["log_statistics", "log_payloads", "log_audits"] {
                if let Some(flag) = l.bool(key, diag) {
                    out.insert(key.into(), flag.into());
                }
            }
            l.finish(
                "the `logging` block",
                &["log_statistics", "log_payloads", "log_audits"],
                diag,
            );
            out
        });
    let max_request_body_size = f.count("max_request_body_size", diag);
    if max_request_body_size == Some(0) {
        diag.error(
            f.at("max_request_body_size"),
            "0 (no limit) is not supported: give the largest body accepted, in bytes",
        );
    }
    let acl = acl_settings(&mut f, diag);
    let tools_at = f.at("tools");
    let tag_at = f.at("server.tag");
    f.only_default(
        "acl_attribute_type",
        &Value::from("consumer"),
        "ACL rules name consumers and consumer groups, not token claims",
        diag,
    );
    f.finish(
        "the ai-mcp-proxy config",
        &[
            "mode",
            "tools",
            "server",
            "logging",
            "max_request_body_size",
            "default_acl",
            "consumer_identifier",
            "include_consumer_groups",
            "acl_attribute_type",
        ],
        diag,
    );
    let mode = mode?;
    let mut proxy = Proxy {
        mode,
        tools: Vec::new(),
        tool_acl: Vec::new(),
        tag,
        timeout,
        max_request_body_size,
        logging: logging.filter(|l| !l.is_empty()),
        stateless,
        acl,
    };
    match mode {
        Mode::ConversionOnly | Mode::ConversionListener => {
            if tools.is_empty() {
                diag.error(tools_at, "a conversion mode needs `tools` to convert");
            }
            proxy.tools = tools;
        }
        Mode::Listener => {
            if !tools.is_empty() {
                diag.error(
                    tools_at,
                    "a listener serves the tools of the conversion plugins tagged `server.tag`; \
                     it has no `tools` of its own",
                );
            }
            if proxy.tag.is_none() {
                diag.error(
                    tag_at,
                    "a listener needs `server.tag`: the tag of the conversion plugins it serves",
                );
            }
        }
        Mode::PassthroughListener => {
            if proxy.tag.is_some() {
                diag.error(
                    tag_at,
                    "a passthrough listener serves the upstream's tools; `server.tag` is for listeners",
                );
            }
            for (path, tool) in tools {
                if let Some(rule) = passthrough_tool(tool, &path, diag) {
                    proxy.tool_acl.push(rule);
                }
            }
        }
    }
    Some(proxy)
}

fn acl_settings(f: &mut Fields, diag: &mut Diag) -> AclSettings {
    let mut settings = AclSettings::default();
    for (path, entry) in f.list("default_acl", diag) {
        let Some(mut e) = Fields::new(entry, &path, "a default_acl entry", diag) else {
            continue;
        };
        let mut out = Mapping::new();
        match e.string("scope", diag) {
            None => {}
            Some(scope) if scope == "tools" => {
                out.insert("scope".into(), scope.into());
            }
            Some(scope) => diag.error(
                e.at("scope"),
                format!("`{scope}`: only `tools` is supported"),
            ),
        }
        for key in ["allow", "deny"] {
            let subjects = e.strings(key, diag);
            if !subjects.is_empty() {
                out.insert(key.into(), strings(subjects));
            }
        }
        e.finish("a default_acl entry", &["scope", "allow", "deny"], diag);
        settings.default_acl.push(Value::Mapping(out));
    }
    if let Some(identifier) = f.string("consumer_identifier", diag) {
        if matches!(
            identifier.as_str(),
            "username" | "consumer_id" | "custom_id"
        ) {
            settings.consumer_identifier = Some(identifier);
        } else {
            diag.error(
                f.at("consumer_identifier"),
                format!("`{identifier}`: expected username, consumer_id or custom_id"),
            );
        }
    }
    settings.include_consumer_groups = f.bool("include_consumer_groups", diag);
    settings
}

/// A passthrough `tools[]` entry: a name and its ACL rule (description is catalogue text).
fn passthrough_tool(tool: Value, path: &str, diag: &mut Diag) -> Option<(String, Value)> {
    let mut t = Fields::new(tool, path, "a tool", diag)?;
    let name = t.string("name", diag);
    t.take("description");
    let rule = t
        .take("acl")
        .and_then(|acl| acl_rule(acl, &join(path, "acl"), diag));
    t.finish(
        "a passthrough-listener tool (only `name`, `description` and `acl` mean anything here)",
        &["name", "description", "acl"],
        diag,
    );
    let Some(name) = name else {
        diag.error(
            path,
            "a passthrough-listener tool needs the upstream tool's `name`",
        );
        return None;
    };
    rule.map(|rule| (name, rule))
}

/// `{allow, deny}`.
pub(super) fn acl_rule(value: Value, path: &str, diag: &mut Diag) -> Option<Value> {
    let mut a = Fields::new(value, path, "an ACL rule", diag)?;
    let mut out = Mapping::new();
    for key in ["allow", "deny"] {
        let subjects = a.strings(key, diag);
        if !subjects.is_empty() {
            out.insert(key.into(), strings(subjects));
        }
    }
    a.finish("an ACL rule", &["allow", "deny"], diag);
    Some(Value::Mapping(out))
}

/// Checks a conversion tool against toolgate's REST tool fields (Kong's `tools[]` fields).
pub(super) fn check_tool(tool: &Value, path: &str, diag: &mut Diag) -> bool {
    match serde_path_to_error::deserialize::<_, RestToolSpec>(tool.clone()) {
        Ok(_) => true,
        Err(error) => {
            let inner = error.path().to_string();
            let at = match inner.as_str() {
                "." | "" => path.to_owned(),
                inner if inner.starts_with('[') => format!("{path}{inner}"),
                inner => format!("{path}.{inner}"),
            };
            let message = error.into_inner().to_string();
            let message = match message.split_once(": ") {
                Some((head, rest)) if !head.contains(' ') && head.contains(['.', '[']) => {
                    rest.to_owned()
                }
                _ => message,
            };
            diag.error(at, with_suggestion(&message));
            false
        }
    }
}

pub(super) fn strings(items: Vec<String>) -> Value {
    Value::Sequence(items.into_iter().map(Value::String).collect())
}
