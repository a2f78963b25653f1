//! The decK state file read into its entities: services, routes, plugins (with their scope),
//! consumers and consumer groups. References by name or id are resolved here; plugin
//! configurations are read later, by the plugin's own code.

use serde_norway::Value;

use super::fields::{Diag, Fields};

mod consumers;
mod resolve;

use resolve::{reference, reference_by};

const FORMAT_VERSIONS: &[&str] = &["1.1", "2.1", "3.0"];

/// Everything the file declares.
#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) services: Vec<Service>,
    pub(super) routes: Vec<Route>,
    pub(super) plugins: Vec<Plugin>,
    pub(super) consumers: Vec<Consumer>,
    pub(super) groups: Vec<Group>,
}

/// A Kong service: where requests go.
#[derive(Debug)]
pub(super) struct Service {
    /// Its name, else its id, else its path: for messages and generated names.
    pub(super) label: String,
    pub(super) path: String,
    /// The upstream URL (`url`, or built from `protocol`, `host`, `port`, `path`).
    pub(super) url: Option<String>,
    pub(super) enabled: bool,
}

/// A Kong route: which requests match.
#[derive(Debug)]
pub(super) struct Route {
    pub(super) label: String,
    pub(super) name: Option<String>,
    pub(super) path: String,
    pub(super) service: Option<usize>,
    pub(super) paths: Vec<String>,
    pub(super) strip_path: bool,
    pub(super) hosts: Vec<String>,
    pub(super) methods: Vec<String>,
    pub(super) protocols: Vec<String>,
}

/// Where a plugin applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    Global,
    Service(usize),
    Route(usize),
    /// Scoped to an entity the file does not have (reported).
    Nowhere,
}

/// An enabled plugin.
#[derive(Debug)]
pub(super) struct Plugin {
    pub(super) name: String,
    pub(super) path: String,
    pub(super) scope: Scope,
    pub(super) instance_name: Option<String>,
    pub(super) tags: Vec<String>,
    pub(super) config: Value,
}

impl Plugin {
    /// The path of `config`.
    pub(super) fn config_path(&self) -> String {
        format!("{}.config", self.path)
    }
}

/// A consumer.
#[derive(Debug)]
pub(super) struct Consumer {
    pub(super) username: Option<String>,
    pub(super) custom_id: Option<String>,
    pub(super) id: Option<String>,
    pub(super) keys: Vec<String>,
    pub(super) groups: Vec<String>,
}

/// A consumer group.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) name: String,
}

/// A reference to an entity by name or id, resolved once everything is read.
#[derive(Debug)]
struct Pending {
    target: String,
    path: String,
}

#[derive(Default)]
struct Reader {
    state: State,
    service_keys: Vec<(Option<String>, Option<String>)>,
    route_keys: Vec<(Option<String>, Option<String>)>,
    route_services: Vec<(usize, Pending)>,
    plugin_targets: Vec<(usize, Option<Pending>, Option<Pending>)>,
    group_members: Vec<(String, Pending)>,
}

const TOP_LEVEL: &[&str] = &[
    "_format_version",
    "_info",
    "_transform",
    "_workspace",
    "_konnect",
    "services",
    "routes",
    "plugins",
    "consumers",
    "consumer_groups",
];

/// Reads the document; every problem goes to `diag`.
pub(super) fn read(document: Value, diag: &mut Diag) -> State {
    let mut reader = Reader::default();
    let Some(mut top) = Fields::new(document, "", "a decK state file", diag) else {
        return reader.state;
    };
    match top.string("_format_version", diag) {
        Some(version) if FORMAT_VERSIONS.contains(&version.as_str()) => {}
        Some(version) => diag.error(
            "_format_version",
            format!(
                "unsupported decK format version \"{version}\"; expected one of {}",
                FORMAT_VERSIONS.join(", ")
            ),
        ),
        None => diag.note("the file has no `_format_version`; it was read as decK format 3.0"),
    }
    if let Some(mut info) = top.nested("_info", "the `_info` block", diag) {
        for key in ["select_tags", "default_lookup_tags"] {
            if info.take(key).is_some() {
                diag.note(format!(
                    "_info.{key} only scopes what decK syncs; every entity in the file is imported"
                ));
            }
        }
        info.finish("`_info`", &["select_tags", "default_lookup_tags"], diag);
    }
    if top.take("_transform").is_some() {
        diag.note("`_transform` (decK's credential hashing switch) has no meaning here; ignored");
    }
    for key in ["_workspace", "_konnect"] {
        if top.take(key).is_some() {
            diag.note(format!("`{key}` names where decK syncs to; ignored"));
        }
    }
    for (path, value) in top.list("services", diag) {
        reader.service(value, &path, diag);
    }
    for (path, value) in top.list("routes", diag) {
        reader.route(value, &path, None, diag);
    }
    for (path, value) in top.list("plugins", diag) {
        reader.plugin(value, &path, Scope::Global, diag);
    }
    for (path, value) in top.list("consumer_groups", diag) {
        reader.group(value, &path, diag);
    }
    for (path, value) in top.list("consumers", diag) {
        reader.consumer(value, &path, diag);
    }
    top.finish("a decK state file", TOP_LEVEL, diag);
    reader.resolve(diag);
    reader.state
}

impl Reader {
    fn service(&mut self, value: Value, path: &str, diag: &mut Diag) {
        let Some(mut f) = Fields::new(value, path, "a service", diag) else {
            return;
        };
        f.informational(&["tags", "created_at", "updated_at"]);
        let name = f.string("name", diag);
        let id = f.string("id", diag);
        let url = f.string("url", diag);
        let protocol = f.string("protocol", diag);
        let host = f.string("host", diag);
        let port = f.string("port", diag);
        let service_path = f.string("path", diag);
        let enabled = f.bool("enabled", diag).unwrap_or(true);
        for (key, default) in [
            ("retries", 5),
            ("connect_timeout", 60_000),
            ("read_timeout", 60_000),
            ("write_timeout", 60_000),
        ] {
            f.tolerate(
                key,
                &Value::from(default),
                "tool calls use the endpoint's `timeout`, passthrough requests are not retried",
                diag,
            );
        }
        f.only_default(
            "tls_verify",
            &Value::Bool(true),
            "upstream TLS certificates are always verified",
            diag,
        );
        f.tolerate(
            "tls_verify_depth",
            &Value::Null,
            "the system's verification applies",
            diag,
        );
        let parts =
            host.is_some() || protocol.is_some() || port.is_some() || service_path.is_some();
        let url = match (url, &host) {
            (Some(_), _) if parts => {
                diag.error(
                    path,
                    "give either `url` or `protocol`/`host`/`port`/`path`, not both",
                );
                None
            }
            (Some(url), _) => Some(url),
            (None, Some(host)) => {
                let protocol = protocol.unwrap_or_else(|| "http".to_owned());
                if !matches!(protocol.as_str(), "http" | "https") {
                    diag.error(
                        f.at("protocol"),
                        format!("`{protocol}`: only http and https upstreams can be imported"),
                    );
                }
                let port = match (protocol.as_str(), port.as_deref()) {
                    ("http", Some("80")) | ("https", Some("443")) | (_, None) => String::new(),
                    (_, Some(port)) => format!(":{port}"),
                };
                let service_path = service_path.unwrap_or_default();
                if !service_path.is_empty() && !service_path.starts_with('/') {
                    diag.error(f.at("path"), format!("`{service_path}` must start with /"));
                }
                let tail = if service_path.is_empty() {
                    "/"
                } else {
                    &service_path
                };
                Some(format!("{protocol}://{host}{port}{tail}"))
            }
            (None, None) => {
                diag.error(
                    path,
                    "a service needs `url`, or `host` (with `protocol`, `port`, `path`)",
                );
                None
            }
        };
        let index = self.state.services.len();
        let label = name
            .clone()
            .or_else(|| id.clone())
            .unwrap_or_else(|| format!("service-{}", index + 1));
        if !enabled {
            diag.note(format!(
                "{path}: service `{label}` is disabled: its routes are not imported"
            ));
        }
        self.state.services.push(Service {
            label,
            path: path.to_owned(),
            url,
            enabled,
        });
        self.service_keys.push((name, id));
        for (route_path, value) in f.list("routes", diag) {
            self.route(value, &route_path, Some(index), diag);
        }
        for (plugin_path, value) in f.list("plugins", diag) {
            self.plugin(value, &plugin_path, Scope::Service(index), diag);
        }
        f.finish(
            "a service",
            &[
                "name",
                "id",
                "tags",
                "url",
                "protocol",
                "host",
                "port",
                "path",
                "enabled",
                "retries",
                "connect_timeout",
                "read_timeout",
                "write_timeout",
                "tls_verify",
                "routes",
                "plugins",
            ],
            diag,
        );
    }

    fn route(&mut self, value: Value, path: &str, service: Option<usize>, diag: &mut Diag) {
        let Some(mut f) = Fields::new(value, path, "a route", diag) else {
            return;
        };
        f.informational(&[
            "tags",
            "created_at",
            "updated_at",
            "preserve_host",
            "request_buffering",
            "response_buffering",
            "regex_priority",
            "path_handling",
            "https_redirect_status_code",
        ]);
        let name = f.string("name", diag);
        let id = f.string("id", diag);
        let index = self.state.routes.len();
        if service.is_none()
            && let Some(target) = f.take("service")
            && let Some(pending) = reference(target, &f.at("service"), diag)
        {
            self.route_services.push((index, pending));
        }
        let paths = f.strings("paths", diag);
        let hosts = f.strings("hosts", diag);
        let methods = f.strings("methods", diag);
        let protocols = f.strings("protocols", diag);
        let strip_path = f.bool("strip_path", diag).unwrap_or(true);
        let label = name
            .clone()
            .or_else(|| id.clone())
            .unwrap_or_else(|| format!("route-{}", index + 1));
        self.state.routes.push(Route {
            label,
            name: name.clone(),
            path: path.to_owned(),
            service,
            paths,
            strip_path,
            hosts,
            methods,
            protocols,
        });
        self.route_keys.push((name, id));
        for (plugin_path, value) in f.list("plugins", diag) {
            self.plugin(value, &plugin_path, Scope::Route(index), diag);
        }
        let mut known = vec![
            "name",
            "id",
            "tags",
            "paths",
            "hosts",
            "methods",
            "protocols",
            "strip_path",
            "preserve_host",
            "plugins",
        ];
        if service.is_none() {
            known.push("service");
        }
        f.finish("a route", &known, diag);
    }

    fn plugin(&mut self, value: Value, path: &str, scope: Scope, diag: &mut Diag) {
        let Some(mut f) = Fields::new(value, path, "a plugin", diag) else {
            return;
        };
        f.informational(&["id", "created_at", "updated_at", "protocols"]);
        let Some(name) = f.string("name", diag) else {
            diag.error(path, "a plugin needs a `name`");
            return;
        };
        let enabled = f.bool("enabled", diag).unwrap_or(true);
        let instance_name = f.string("instance_name", diag);
        let tags = f.strings("tags", diag);
        let config = f.take_raw("config").unwrap_or(Value::Null);
        if f.take("ordering").is_some() {
            diag.note(format!(
                "{}: `ordering` is not needed: toolgate always runs the challenge and \
                 authentication before the MCP proxy",
                f.at("ordering")
            ));
        }
        for key in ["consumer", "consumer_group"] {
            if f.take(key).is_some() {
                diag.error(
                    f.at(key),
                    format!(
                        "plugins scoped to a {} are not supported",
                        key.replace('_', " ")
                    ),
                );
            }
        }
        let route = f
            .take("route")
            .and_then(|t| reference(t, &f.at("route"), diag));
        let service = f
            .take("service")
            .and_then(|t| reference(t, &f.at("service"), diag));
        if scope != Scope::Global && (route.is_some() || service.is_some()) {
            diag.error(
                path,
                "a plugin nested under a service or route cannot name another `route` or `service`",
            );
        }
        f.finish(
            "a plugin",
            &[
                "name",
                "config",
                "enabled",
                "instance_name",
                "tags",
                "id",
                "protocols",
                "ordering",
                "route",
                "service",
            ],
            diag,
        );
        if !enabled {
            diag.note(format!("{path}: plugin `{name}` is disabled: skipped"));
            return;
        }
        let index = self.state.plugins.len();
        self.state.plugins.push(Plugin {
            name,
            path: path.to_owned(),
            scope,
            instance_name,
            tags,
            config,
        });
        if route.is_some() || service.is_some() {
            self.plugin_targets.push((index, route, service));
        }
    }
}
