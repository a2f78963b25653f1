//! The translated configuration, assembled as a `toolgate.yaml` document.

use serde_norway::{Mapping, Value};

use super::plugins::{AclSettings, strings};

/// Kong's proxy port, where the seeds' clients connect.
pub(super) const LISTEN: &str = "127.0.0.1:8000";

/// Everything the translation produces.
#[derive(Debug, Default)]
pub(super) struct Output {
    pub(super) toolsets: Vec<Toolset>,
    pub(super) endpoints: Vec<Endpoint>,
    pub(super) auth: Vec<(String, Mapping)>,
    pub(super) allowed_hosts: Vec<String>,
    pub(super) groups: Vec<String>,
    pub(super) consumers: Vec<Value>,
}

/// A `rest` toolset from a conversion plugin.
#[derive(Debug)]
pub(super) struct Toolset {
    pub(super) name: String,
    pub(super) tags: Vec<String>,
    pub(super) base_url: Option<String>,
    pub(super) timeout: Option<u64>,
    pub(super) tools: Vec<Value>,
    pub(super) acl: AclSettings,
    /// The Kong path the ACL settings came from, when not the conversion plugin itself.
    pub(super) acl_from: Option<String>,
}

/// An endpoint from a listener route path.
#[derive(Debug, Default)]
pub(super) struct Endpoint {
    pub(super) name: Option<String>,
    pub(super) path: String,
    pub(super) tags: Vec<String>,
    pub(super) toolsets: Vec<String>,
    pub(super) passthrough: Option<Passthrough>,
    pub(super) auth: Option<String>,
    pub(super) cors: Option<Mapping>,
    /// `rate_limits.per_consumer`, from `rate-limiting`.
    pub(super) rate_limit: Option<Mapping>,
    pub(super) max_request_body_size: Option<u64>,
    pub(super) timeout: Option<u64>,
    pub(super) stateless: bool,
    pub(super) logging: Option<Mapping>,
}

/// A passthrough endpoint's proxy settings.
#[derive(Clone, Debug, Default)]
pub(super) struct Passthrough {
    pub(super) upstream: String,
    pub(super) identity: Option<&'static str>,
    pub(super) credential: Option<String>,
    pub(super) upstream_metadata: Option<String>,
    pub(super) resource: Option<String>,
    pub(super) acl: AclSettings,
    pub(super) tool_acl: Vec<(String, Value)>,
}

fn put(map: &mut Mapping, key: &str, value: impl Into<Value>) {
    map.insert(key.into(), value.into());
}

fn put_acl(map: &mut Mapping, acl: &AclSettings) {
    if !acl.default_acl.is_empty() {
        put(map, "default_acl", Value::Sequence(acl.default_acl.clone()));
    }
    if let Some(identifier) = &acl.consumer_identifier {
        put(map, "consumer_identifier", identifier.as_str());
    }
    if let Some(include) = acl.include_consumer_groups {
        put(map, "include_consumer_groups", include);
    }
}

impl Toolset {
    fn to_value(&self) -> Value {
        let mut map = Mapping::new();
        put(&mut map, "name", self.name.as_str());
        if !self.tags.is_empty() {
            put(&mut map, "tags", strings(self.tags.clone()));
        }
        let mut rest = Mapping::new();
        if let Some(url) = &self.base_url {
            put(&mut rest, "base_url", url.as_str());
        }
        if let Some(timeout) = self.timeout {
            put(&mut rest, "timeout", timeout);
        }
        put(&mut rest, "tools", Value::Sequence(self.tools.clone()));
        put(&mut map, "rest", rest);
        put_acl(&mut map, &self.acl);
        Value::Mapping(map)
    }
}

impl Endpoint {
    fn to_value(&self) -> Value {
        let mut map = Mapping::new();
        if let Some(name) = &self.name {
            put(&mut map, "name", name.as_str());
        }
        put(&mut map, "path", self.path.as_str());
        if !self.tags.is_empty() {
            put(&mut map, "tags", strings(self.tags.clone()));
        }
        if !self.toolsets.is_empty() {
            put(&mut map, "toolsets", strings(self.toolsets.clone()));
        }
        if let Some(passthrough) = &self.passthrough {
            put(&mut map, "passthrough", passthrough.to_value());
        }
        if let Some(auth) = &self.auth {
            put(&mut map, "auth", auth.as_str());
        }
        if let Some(cors) = &self.cors {
            put(&mut map, "cors", cors.clone());
        }
        if let Some(limit) = &self.rate_limit {
            let mut limits = Mapping::new();
            put(&mut limits, "per_consumer", limit.clone());
            put(&mut map, "rate_limits", limits);
        }
        if let Some(size) = self.max_request_body_size {
            put(&mut map, "max_request_body_size", size);
        }
        if let Some(timeout) = self.timeout {
            put(&mut map, "timeout", timeout);
        }
        if self.stateless {
            put(&mut map, "sessions", "stateless");
        }
        if let Some(logging) = &self.logging {
            put(&mut map, "logging", logging.clone());
        }
        Value::Mapping(map)
    }
}

impl Passthrough {
    fn to_value(&self) -> Value {
        let mut map = Mapping::new();
        put(&mut map, "upstream", self.upstream.as_str());
        if let Some(identity) = self.identity {
            put(&mut map, "identity", identity);
        }
        if let Some(credential) = &self.credential {
            put(&mut map, "credential", credential.as_str());
        }
        if let Some(url) = &self.upstream_metadata {
            put(&mut map, "upstream_metadata", url.as_str());
        }
        if let Some(resource) = &self.resource {
            put(&mut map, "resource", resource.as_str());
        }
        put_acl(&mut map, &self.acl);
        if !self.tool_acl.is_empty() {
            let rules: Mapping = self
                .tool_acl
                .iter()
                .map(|(name, rule)| (Value::from(name.as_str()), rule.clone()))
                .collect();
            put(&mut map, "acl", rules);
        }
        Value::Mapping(map)
    }
}

impl Output {
    /// The `toolgate.yaml` document.
    pub(super) fn document(&self) -> Value {
        let mut doc = Mapping::new();
        put(&mut doc, "_format_version", "1");
        let mut listener = Mapping::new();
        put(&mut listener, "name", "default");
        put(&mut listener, "listen", LISTEN);
        if !self.allowed_hosts.is_empty() {
            put(
                &mut listener,
                "allowed_hosts",
                strings(self.allowed_hosts.clone()),
            );
        }
        put(
            &mut doc,
            "listeners",
            Value::Sequence(vec![listener.into()]),
        );
        if !self.toolsets.is_empty() {
            let toolsets = self.toolsets.iter().map(Toolset::to_value).collect();
            put(&mut doc, "toolsets", Value::Sequence(toolsets));
        }
        let endpoints = self.endpoints.iter().map(Endpoint::to_value).collect();
        put(&mut doc, "endpoints", Value::Sequence(endpoints));
        if !self.auth.is_empty() {
            let auth: Mapping = self
                .auth
                .iter()
                .map(|(name, profile)| (Value::from(name.as_str()), Value::from(profile.clone())))
                .collect();
            put(&mut doc, "auth", auth);
        }
        if !self.groups.is_empty() {
            let groups = self
                .groups
                .iter()
                .map(|name| {
                    let mut group = Mapping::new();
                    put(&mut group, "name", name.as_str());
                    Value::Mapping(group)
                })
                .collect();
            put(&mut doc, "consumer_groups", Value::Sequence(groups));
        }
        if !self.consumers.is_empty() {
            put(
                &mut doc,
                "consumers",
                Value::Sequence(self.consumers.clone()),
            );
        }
        Value::Mapping(doc)
    }
}
