//! Cross-field validation: references resolve, names are unique, combinations make sense,
//! and nothing insecure happens by accident. Every problem is collected, none stops the rest.

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::{
    Problem,
    diag::closest,
    model::{AuthConfig, Config, EndpointConfig, IdentityConfig, ToolsetConfig},
};

mod limits;

/// The format versions this build reads.
pub(crate) const FORMAT_VERSIONS: &[&str] = &["1"];

/// Every problem of `config`, errors and warnings.
pub(crate) fn validate(config: &Config) -> Vec<Problem> {
    let mut v = Validator {
        config,
        problems: Vec::new(),
    };
    v.format_version();
    v.listeners();
    v.toolsets();
    v.auth_profiles();
    v.consumers();
    v.endpoints();
    v.acl_subjects();
    v.limits();
    v.problems
}

struct Validator<'a> {
    config: &'a Config,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::error(path, message));
    }

    fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::warning(path, message));
    }

    fn format_version(&mut self) {
        if let Some(version) = &self.config.format_version
            && !FORMAT_VERSIONS.contains(&version.as_str())
        {
            self.error(
                "_format_version",
                format!("unsupported format version \"{version}\"; this toolgate reads \"1\""),
            );
        }
    }

    fn listeners(&mut self) {
        let mut names = HashSet::new();
        let mut addresses = HashSet::new();
        for (i, listener) in self.config.listeners.iter().enumerate() {
            if !names.insert(listener.name.as_str()) {
                self.error(
                    format!("listeners[{i}].name"),
                    format!("a second listener named `{}`", listener.name),
                );
            }
            if !addresses.insert(listener.listen) {
                self.error(
                    format!("listeners[{i}].listen"),
                    format!("a second listener on {}", listener.listen),
                );
            }
        }
    }

    fn toolsets(&mut self) {
        let mut names = HashSet::new();
        for (i, toolset) in self.config.toolsets.iter().enumerate() {
            let at = format!("toolsets[{i}]");
            if toolset.name.trim().is_empty() {
                self.error(format!("{at}.name"), "must not be empty");
            } else if !names.insert(toolset.name.as_str()) {
                self.error(
                    format!("{at}.name"),
                    format!("a second toolset named `{}`", toolset.name),
                );
            }
            let kinds = [
                toolset.rest.is_some(),
                toolset.openapi.is_some(),
                toolset.remote.is_some(),
                toolset.rust.is_some(),
            ]
            .iter()
            .filter(|k| **k)
            .count();
            match kinds {
                0 => self.error(
                    at.clone(),
                    "says nothing about its tools: give one of `rest`, `openapi`, `remote` or `rust`",
                ),
                1 => {}
                _ => self.error(
                    at.clone(),
                    "give only one of `rest`, `openapi`, `remote` or `rust` (one source per toolset)",
                ),
            }
            if toolset.deny_private_networks.is_some()
                && (toolset.rest.is_some() || toolset.rust.is_some())
            {
                self.warning(
                    format!("{at}.deny_private_networks"),
                    "has no effect here: it guards `openapi` and `remote` toolsets, whose upstreams come from documents and URLs",
                );
            }
            if let Some(rest) = &toolset.rest {
                if let Some(url) = &rest.base_url {
                    self.url(&format!("{at}.rest.base_url"), url);
                }
                if rest.tools.is_empty() {
                    self.warning(format!("{at}.rest.tools"), "no tools");
                }
                if rest.timeout == Some(0) {
                    self.error(
                        format!("{at}.rest.timeout"),
                        "must be at least 1 millisecond",
                    );
                }
            }
            if let Some(openapi) = &toolset.openapi {
                if openapi.spec.trim().is_empty() {
                    self.error(format!("{at}.openapi.spec"), "must name a file or URL");
                }
                if let Some(url) = &openapi.base_url {
                    self.url(&format!("{at}.openapi.base_url"), url);
                }
                if openapi.timeout == Some(0) {
                    self.error(
                        format!("{at}.openapi.timeout"),
                        "must be at least 1 millisecond",
                    );
                }
            }
            if let Some(remote) = &toolset.remote
                && remote.timeout == Some(0)
            {
                self.error(
                    format!("{at}.remote.timeout"),
                    "must be at least 1 millisecond",
                );
            }
            self.default_acl_scopes(&at, toolset);
        }
    }

    fn default_acl_scopes(&mut self, _at: &str, _toolset: &ToolsetConfig) {
        // `scope` is an enum with `tools` only: serde already refused anything else.
    }

    fn url(&mut self, path: &str, text: &str) -> Option<Url> {
        match Url::parse(text) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Some(url),
            Ok(url) => {
                self.error(
                    path,
                    format!(
                        "`{text}`: the scheme must be http or https, not {}",
                        url.scheme()
                    ),
                );
                None
            }
            Err(error) => {
                self.error(path, format!("`{text}` is not a URL: {error}"));
                None
            }
        }
    }

    fn auth_profiles(&mut self) {
        let auth: Vec<(String, AuthConfig)> = self
            .config
            .auth
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, profile) in &auth {
            let at = format!("auth.{name}");
            if let Some(resource) = &profile.resource
                && let Some(url) = self.url(&format!("{at}.resource"), resource)
                && url.fragment().is_some()
            {
                self.error(
                    format!("{at}.resource"),
                    "must not have a fragment (RFC 8707)",
                );
            }
            for (i, server) in profile.authorization_servers.iter().enumerate() {
                self.url(&format!("{at}.authorization_servers[{i}]"), server);
            }
            for (field, value) in [
                ("jwks_uri", &profile.jwks_uri),
                ("introspection_endpoint", &profile.introspection_endpoint),
                ("resource_documentation", &profile.resource_documentation),
            ] {
                if let Some(value) = value {
                    self.url(&format!("{at}.{field}"), value);
                }
            }
            let oauth = !profile.authorization_servers.is_empty()
                || profile.jwks_uri.is_some()
                || profile.introspection_endpoint.is_some();
            if !oauth && profile.key_auth.is_none() {
                self.error(
                    at.clone(),
                    "accepts nothing: give `authorization_servers` (or `jwks_uri` / `introspection_endpoint`) for tokens, or `key_auth` for API keys",
                );
            }
            if profile.introspection_endpoint.is_some() && profile.client_id.is_none() {
                self.error(
                    format!("{at}.client_id"),
                    "introspection needs the gateway's client id",
                );
            }
            if let Some(method) = &profile.client_auth
                && !matches!(
                    method.as_str(),
                    "client_secret_basic" | "client_secret_post" | "none"
                )
            {
                self.error(
                    format!("{at}.client_auth"),
                    format!("`{method}`: expected client_secret_basic, client_secret_post or none"),
                );
            }
            if profile.client_auth.as_deref() != Some("none")
                && profile.client_id.is_some()
                && profile.client_secret.is_none()
            {
                self.error(
                    format!("{at}.client_secret"),
                    "the client id has no secret; set one (e.g. `${{ env \"NAME\" }}`) or `client_auth: none`",
                );
            }
            for (i, by) in profile.consumer_by.iter().enumerate() {
                if !matches!(by.as_str(), "username" | "custom_id" | "id") {
                    self.error(
                        format!("{at}.consumer_by[{i}]"),
                        format!("`{by}`: expected username, custom_id or id"),
                    );
                }
            }
            for (i, mapping) in profile.claim_to_header.iter().enumerate() {
                if http::HeaderName::try_from(mapping.header.as_str()).is_err() {
                    self.error(
                        format!("{at}.claim_to_header[{i}].header"),
                        format!("`{}` is not a valid header name", mapping.header),
                    );
                }
            }
            if let Some(keys) = &profile.key_auth {
                if keys.key_names.is_empty() {
                    self.error(
                        format!("{at}.key_auth.key_names"),
                        "must name at least one header",
                    );
                }
                for (i, header) in keys.key_names.iter().enumerate() {
                    if http::HeaderName::try_from(header.as_str()).is_err() {
                        self.error(
                            format!("{at}.key_auth.key_names[{i}]"),
                            format!("`{header}` is not a valid header name"),
                        );
                    }
                }
                if !keys.hide_credentials {
                    self.error(
                        format!("{at}.key_auth.hide_credentials"),
                        "API keys are always removed before a request goes on; `false` is not supported",
                    );
                }
            }
            if profile.insecure_relaxed_audience_validation {
                self.warning(
                    format!("{at}.insecure_relaxed_audience_validation"),
                    "tokens issued for other resources are accepted (no RFC 8707 audience check)",
                );
            }
            if profile.ssl_verify == Some(false) {
                self.warning(
                    format!("{at}.ssl_verify"),
                    "TLS certificates of the IdP are not verified",
                );
            }
            let _ = name;
        }
    }

    fn consumers(&mut self) {
        let groups: HashSet<&str> = self
            .config
            .consumer_groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let mut seen_groups = HashSet::new();
        for (i, group) in self.config.consumer_groups.iter().enumerate() {
            if !seen_groups.insert(group.name.as_str()) {
                self.error(
                    format!("consumer_groups[{i}].name"),
                    format!("a second group named `{}`", group.name),
                );
            }
        }
        let mut ids = HashSet::new();
        let mut usernames = HashSet::new();
        let mut keys: HashMap<&str, usize> = HashMap::new();
        for (i, consumer) in self.config.consumers.iter().enumerate() {
            let at = format!("consumers[{i}]");
            if consumer.username.is_none() && consumer.custom_id.is_none() {
                self.error(at.clone(), "needs a `username` or a `custom_id`");
            }
            let id = consumer
                .id
                .as_deref()
                .or(consumer.username.as_deref())
                .or(consumer.custom_id.as_deref())
                .unwrap_or_default();
            if !id.is_empty() && !ids.insert(id) {
                self.error(at.clone(), format!("a second consumer with the id `{id}`"));
            }
            if let Some(username) = &consumer.username
                && !usernames.insert(username.as_str())
            {
                self.error(
                    format!("{at}.username"),
                    format!("a second consumer named `{username}`"),
                );
            }
            for (g, group) in consumer.groups.iter().enumerate() {
                if !groups.contains(group.as_str()) {
                    let mut message = format!("the group `{group}` is not in `consumer_groups`");
                    if let Some(best) = closest(group, groups.iter().copied()) {
                        message.push_str(&format!("; did you mean `{best}`?"));
                    }
                    self.error(format!("{at}.groups[{g}]"), message);
                }
            }
            for (k, key) in consumer.keys.iter().enumerate() {
                let path = format!("{at}.keys[{k}]");
                if key.trim().is_empty() {
                    self.error(path, "an empty key (an unset variable?)");
                } else if let Some(first) = keys.insert(key.as_str(), i)
                    && first != i
                {
                    self.error(path, format!("the same key as consumers[{first}]"));
                } else if key.len() < 16 && !key.starts_with("sha256:") {
                    self.warning(path, "shorter than 16 characters: easy to guess");
                }
            }
        }
    }

    fn endpoints(&mut self) {
        let listeners: Vec<&str> = self
            .config
            .listeners
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        let toolsets: HashSet<&str> = self
            .config
            .toolsets
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        let tags: HashSet<&str> = self
            .config
            .toolsets
            .iter()
            .flat_map(|t| t.tags.iter().map(String::as_str))
            .collect();
        let mut names = HashSet::new();
        let mut routes = HashSet::new();
        if self.config.endpoints.is_empty() {
            self.warning("endpoints", "no endpoints: nothing is served");
        }
        for (i, endpoint) in self.config.endpoints.iter().enumerate() {
            let at = format!("endpoints[{i}]");
            let name = endpoint_name(endpoint);
            if !names.insert(name.clone()) {
                self.error(
                    format!("{at}.name"),
                    format!("a second endpoint named `{name}`"),
                );
            }
            if !endpoint.path.starts_with('/') {
                self.error(
                    format!("{at}.path"),
                    format!("`{}` must start with /", endpoint.path),
                );
            } else if endpoint.path.starts_with("/.well-known/") {
                self.error(
                    format!("{at}.path"),
                    "paths under /.well-known/ are reserved for metadata",
                );
            }
            let listener = match &endpoint.listener {
                Some(listener) => {
                    if !listeners.is_empty() && !listeners.contains(&listener.as_str()) {
                        let mut message = format!("no listener named `{listener}`");
                        if let Some(best) = closest(listener, listeners.iter().copied()) {
                            message.push_str(&format!("; did you mean `{best}`?"));
                        }
                        self.error(format!("{at}.listener"), message);
                    } else if listeners.is_empty() && listener != "default" {
                        self.error(
                            format!("{at}.listener"),
                            format!("no listener named `{listener}` (no `listeners` are configured; the implicit one is `default`)"),
                        );
                    }
                    listener.clone()
                }
                None => listeners.first().map_or("default", |l| l).to_owned(),
            };
            if !routes.insert((listener.clone(), endpoint.path.clone())) {
                self.error(
                    format!("{at}.path"),
                    format!(
                        "a second endpoint at {} on listener `{listener}`",
                        endpoint.path
                    ),
                );
            }
            let serves_tools = !endpoint.tags.is_empty() || !endpoint.toolsets.is_empty();
            match (&endpoint.passthrough, serves_tools) {
                (Some(_), true) => self.error(
                    at.clone(),
                    "a passthrough endpoint proxies one upstream as-is: remove `tags` and `toolsets`",
                ),
                (None, false) => self.error(
                    at.clone(),
                    "serves nothing: give `tags` or `toolsets`, or a `passthrough`",
                ),
                _ => {}
            }
            for (t, tag) in endpoint.tags.iter().enumerate() {
                if !tags.contains(tag.as_str()) {
                    let mut message = format!("no toolset carries the tag `{tag}`");
                    if let Some(best) = closest(tag, tags.iter().copied()) {
                        message.push_str(&format!("; did you mean `{best}`?"));
                    }
                    self.error(format!("{at}.tags[{t}]"), message);
                }
            }
            for (t, toolset) in endpoint.toolsets.iter().enumerate() {
                if !toolsets.contains(toolset.as_str()) {
                    let mut message = format!("no toolset named `{toolset}`");
                    if let Some(best) = closest(toolset, toolsets.iter().copied()) {
                        message.push_str(&format!("; did you mean `{best}`?"));
                    }
                    self.error(format!("{at}.toolsets[{t}]"), message);
                }
            }
            let profile = match &endpoint.auth {
                Some(name) => match self.config.auth.get(name) {
                    Some(profile) => Some(profile),
                    None => {
                        let mut message = format!("no auth profile named `{name}`");
                        if let Some(best) =
                            closest(name, self.config.auth.keys().map(String::as_str))
                        {
                            message.push_str(&format!("; did you mean `{best}`?"));
                        }
                        self.error(format!("{at}.auth"), message);
                        None
                    }
                },
                None => None,
            };
            if endpoint.auth.is_none() {
                let address = self
                    .config
                    .listeners
                    .iter()
                    .find(|l| l.name == listener)
                    .map(|l| l.listen);
                if let Some(address) = address
                    && !address.ip().is_loopback()
                {
                    self.error(
                        format!("{at}.auth"),
                        format!(
                            "refusing to serve without authentication on {address}: set `auth`, or listen on a loopback address"
                        ),
                    );
                }
            }
            if endpoint.max_request_body_size == Some(0) {
                self.error(
                    format!("{at}.max_request_body_size"),
                    "must be at least 1 byte",
                );
            }
            if endpoint.timeout == Some(0) {
                self.error(format!("{at}.timeout"), "must be at least 1 millisecond");
            }
            if let Some(cors) = &endpoint.cors {
                if cors.preflight_continue {
                    self.error(
                        format!("{at}.cors.preflight_continue"),
                        "preflight requests are answered here; `true` is not supported",
                    );
                }
                if cors.credentials && cors.origins.iter().any(|o| o == "*") {
                    self.error(
                        format!("{at}.cors.credentials"),
                        "browsers refuse credentials with origin `*`: list the origins",
                    );
                }
                for (o, origin) in cors.origins.iter().enumerate() {
                    if origin != "*" {
                        match Url::parse(origin) {
                            Ok(url) if url.path() == "/" && !origin.ends_with('/') => {}
                            _ => self.error(
                                format!("{at}.cors.origins[{o}]"),
                                format!(
                                    "`{origin}` is not an origin (scheme://host[:port], no path)"
                                ),
                            ),
                        }
                    }
                }
                for (m, method) in cors.methods.iter().enumerate() {
                    if http::Method::from_bytes(method.as_bytes()).is_err() {
                        self.error(
                            format!("{at}.cors.methods[{m}]"),
                            format!("`{method}` is not an HTTP method"),
                        );
                    }
                }
            }
            if let Some(passthrough) = &endpoint.passthrough {
                let at = format!("{at}.passthrough");
                self.url(&format!("{at}.upstream"), &passthrough.upstream);
                if let Some(url) = &passthrough.upstream_metadata {
                    self.url(&format!("{at}.upstream_metadata"), url);
                }
                if let Some(url) = &passthrough.resource {
                    self.url(&format!("{at}.resource"), url);
                }
                match passthrough.identity {
                    IdentityConfig::TokenSwap => {
                        if passthrough.credential.as_deref().is_none_or(str::is_empty) {
                            self.error(
                                format!("{at}.credential"),
                                "a token swap needs the stored credential sent upstream",
                            );
                        }
                        let validates_tokens = profile.is_some_and(|p| {
                            !p.authorization_servers.is_empty()
                                || p.jwks_uri.is_some()
                                || p.introspection_endpoint.is_some()
                        });
                        if !validates_tokens {
                            self.error(
                                format!("{at}.identity"),
                                "a token swap needs an `auth` profile validating tokens: the stored credential is only used for a validated caller",
                            );
                        }
                    }
                    IdentityConfig::UserToken => {
                        if profile.is_some_and(|p| !p.authorization_servers.is_empty()) {
                            self.error(
                                format!("{at}.identity"),
                                "user_token hands the client's token to the upstream, which validates it: the endpoint's auth profile may only use `key_auth`",
                            );
                        }
                    }
                    IdentityConfig::Static | IdentityConfig::None => {}
                }
                if passthrough.credential.is_some()
                    && passthrough.identity != IdentityConfig::TokenSwap
                {
                    self.error(
                        format!("{at}.credential"),
                        "only with `identity: token_swap`",
                    );
                }
                if !passthrough.headers.is_empty() && passthrough.identity != IdentityConfig::Static
                {
                    self.error(format!("{at}.headers"), "only with `identity: static`");
                }
                for name in passthrough.headers.keys() {
                    if http::HeaderName::try_from(name.as_str()).is_err() {
                        self.error(
                            format!("{at}.headers.{name}"),
                            format!("`{name}` is not a valid header name"),
                        );
                    }
                }
            }
        }
    }

    /// ACL rules naming neither a known consumer nor a known group are probably typos.
    fn acl_subjects(&mut self) {
        if self.config.consumers.is_empty() {
            return;
        }
        let known: HashSet<String> = self
            .config
            .consumers
            .iter()
            .flat_map(|c| {
                [c.username.clone(), c.id.clone(), c.custom_id.clone()]
                    .into_iter()
                    .flatten()
            })
            .chain(self.config.consumer_groups.iter().map(|g| g.name.clone()))
            .collect();
        let mut rules: Vec<(String, Vec<String>, bool)> = Vec::new();
        let mut add = |at: String,
                       default_acl: &[crate::model::DefaultAclConfig],
                       acl: &std::collections::BTreeMap<String, toolgate_tools::AclRule>,
                       include_groups: bool| {
            for (d, rule) in default_acl.iter().enumerate() {
                let subjects = rule.allow.iter().chain(&rule.deny).cloned().collect();
                rules.push((format!("{at}.default_acl[{d}]"), subjects, include_groups));
            }
            for (tool, rule) in acl {
                let subjects = rule.allow.iter().chain(&rule.deny).cloned().collect();
                rules.push((format!("{at}.acl.{tool}"), subjects, include_groups));
            }
        };
        for (i, t) in self.config.toolsets.iter().enumerate() {
            let at = format!("toolsets[{i}]");
            add(at, &t.default_acl, &t.acl, t.include_consumer_groups);
        }
        for (i, endpoint) in self.config.endpoints.iter().enumerate() {
            if let Some(p) = &endpoint.passthrough {
                let at = format!("endpoints[{i}].passthrough");
                add(at, &p.default_acl, &p.acl, p.include_consumer_groups);
            }
        }
        let groups: HashSet<&str> = self
            .config
            .consumer_groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        for (path, subjects, include_groups) in rules {
            for subject in subjects {
                if !known.contains(&subject) {
                    self.warning(
                        path.clone(),
                        format!(
                            "`{subject}` is neither a configured consumer nor a consumer group"
                        ),
                    );
                } else if groups.contains(subject.as_str()) && !include_groups {
                    self.warning(
                        path.clone(),
                        format!(
                            "`{subject}` is a consumer group, but `include_consumer_groups` is false: the rule never matches it"
                        ),
                    );
                }
            }
        }
    }
}

/// The endpoint's name: its own, or its path without slashes (`/weather/mcp` →
/// `weather-mcp`).
pub(crate) fn endpoint_name(endpoint: &EndpointConfig) -> String {
    endpoint.name.clone().unwrap_or_else(|| {
        let name = endpoint.path.trim_matches('/').replace('/', "-");
        if name.is_empty() {
            "root".to_owned()
        } else {
            name
        }
    })
}
