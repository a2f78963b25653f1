//! Kong's entities interpreted route by route: the plugins in effect on a route (per plugin
//! name, the route's own over its service's over a global one, as Kong decides) make it a
//! toolset, MCP endpoints, a passthrough, or the proxied metadata of one.

use std::collections::HashMap;

use serde_norway::{Mapping, Value};

use super::{
    emit::{LISTEN, Output, Toolset},
    fields::Diag,
    plugins::{self, Kind, Mode, Proxy},
    state::{Scope, State},
};

mod endpoints;

/// Where Protected Resource Metadata lives (RFC 9728).
const PRM_PREFIX: &str = "/.well-known/oauth-protected-resource";

/// The plugins in effect on one route, one per kind.
#[derive(Debug, Default)]
struct InEffect {
    proxy: Option<usize>,
    oauth2: Option<usize>,
    key_auth: Option<usize>,
    cors: Option<usize>,
    rate_limit: Option<usize>,
    challenge: Option<usize>,
    prm: Option<usize>,
    swap: Option<usize>,
}

/// The ai-mcp-oauth2 and key-auth plugins (by index) an auth profile is made of.
type AuthPair = (Option<usize>, Option<usize>);

struct Translator<'s> {
    state: &'s State,
    kinds: &'s [Option<Kind>],
    out: Output,
    toolset_of: HashMap<usize, (usize, usize)>,
    profiles: Vec<(AuthPair, String)>,
    listener_acl: Vec<(String, plugins::AclSettings, String)>,
    prm_routes: Vec<(usize, usize)>,
}

/// Translates `state`; every problem goes to `diag`.
pub(super) fn translate(state: &State, diag: &mut Diag) -> Output {
    let kinds: Vec<Option<Kind>> = state
        .plugins
        .iter()
        .map(|p| {
            (p.scope != Scope::Nowhere)
                .then(|| plugins::read(p, diag))
                .flatten()
        })
        .collect();
    for (j, later) in state.plugins.iter().enumerate() {
        let earlier = state.plugins[..j]
            .iter()
            .find(|p| p.name == later.name && p.scope == later.scope);
        if later.scope != Scope::Nowhere
            && let Some(earlier) = earlier
        {
            diag.error(
                later.path.clone(),
                format!(
                    "a second `{}` plugin with the same scope as {} (Kong allows one)",
                    later.name, earlier.path
                ),
            );
        }
    }
    let mut t = Translator {
        state,
        kinds: &kinds,
        out: Output::default(),
        toolset_of: HashMap::new(),
        profiles: Vec::new(),
        listener_acl: Vec::new(),
        prm_routes: Vec::new(),
    };
    for route in 0..state.routes.len() {
        t.route(route, diag);
    }
    t.prm_rewrites(diag);
    t.listener_acls(diag);
    t.consumers();
    t.closing_notes(diag);
    t.out
}

impl Translator<'_> {
    fn effective(&self, route: usize) -> InEffect {
        let r = &self.state.routes[route];
        let mut best: Vec<(usize, u8)> = Vec::new();
        for (i, plugin) in self.state.plugins.iter().enumerate() {
            if self.kinds[i].is_none() {
                continue;
            }
            let rank = match plugin.scope {
                Scope::Global => 1,
                Scope::Service(s) if r.service == Some(s) => 2,
                Scope::Route(x) if x == route => 3,
                _ => continue,
            };
            let same = best
                .iter_mut()
                .find(|(j, _)| self.state.plugins[*j].name == plugin.name);
            match same {
                Some(entry) if entry.1 < rank => *entry = (i, rank),
                Some(_) => {}
                None => best.push((i, rank)),
            }
        }
        let mut e = InEffect::default();
        for (i, _) in best {
            let slot = match &self.kinds[i] {
                Some(Kind::Proxy(_)) => &mut e.proxy,
                Some(Kind::OAuth2(_)) => &mut e.oauth2,
                Some(Kind::KeyAuth(_)) => &mut e.key_auth,
                Some(Kind::Cors(_)) => &mut e.cors,
                Some(Kind::RateLimit(_)) => &mut e.rate_limit,
                Some(Kind::Challenge { .. }) => &mut e.challenge,
                Some(Kind::PrmRewrite { .. }) => &mut e.prm,
                Some(Kind::TokenSwap { .. }) => &mut e.swap,
                None => continue,
            };
            *slot = Some(i);
        }
        e
    }

    fn route(&mut self, r: usize, diag: &mut Diag) {
        let route = &self.state.routes[r];
        if route
            .service
            .is_some_and(|s| !self.state.services[s].enabled)
        {
            return;
        }
        let e = self.effective(r);
        if let Some(prm) = e.prm {
            if let Some(proxy) = e.proxy {
                diag.error(
                    self.state.plugins[proxy].path.clone(),
                    "a route proxying Protected Resource Metadata cannot also be an MCP route",
                );
            }
            self.prm_routes.push((r, prm));
            return;
        }
        let Some(proxy_index) = e.proxy else {
            diag.note(format!(
                "{}: route `{}` has no ai-mcp-proxy plugin: Kong proxies it as plain HTTP, \
                 which toolgate does not do; not imported",
                route.path, route.label
            ));
            return;
        };
        let kinds = self.kinds;
        let Some(Kind::Proxy(proxy)) = &kinds[proxy_index] else {
            return;
        };
        let proxy: &Proxy = proxy;
        match proxy.mode {
            Mode::ConversionOnly => {
                self.toolset(proxy_index, proxy, r, diag);
                let guards: Vec<&str> = [
                    e.oauth2,
                    e.key_auth,
                    e.cors,
                    e.rate_limit,
                    e.challenge,
                    e.swap,
                ]
                .into_iter()
                .flatten()
                .filter(|p| self.state.plugins[*p].scope != Scope::Global)
                .map(|p| self.state.plugins[p].name.as_str())
                .collect();
                if !guards.is_empty() {
                    diag.note(format!(
                        "{}: {} on route `{}` guard Kong's REST route, which toolgate does not \
                         serve (its tools are served by the endpoints of the listeners)",
                        route.path,
                        guards.join(", "),
                        route.label
                    ));
                }
            }
            Mode::ConversionListener => {
                let toolset = self.toolset(proxy_index, proxy, r, diag);
                self.endpoints(r, proxy_index, proxy, &e, toolset.as_deref(), diag);
            }
            Mode::Listener | Mode::PassthroughListener => {
                self.endpoints(r, proxy_index, proxy, &e, None, diag);
            }
        }
    }

    /// The toolset of a conversion plugin (made once, against the first route it applies to).
    fn toolset(
        &mut self,
        plugin_index: usize,
        proxy: &Proxy,
        r: usize,
        diag: &mut Diag,
    ) -> Option<String> {
        let plugin = &self.state.plugins[plugin_index];
        let route = &self.state.routes[r];
        if let Some(&(toolset, first)) = self.toolset_of.get(&plugin_index) {
            diag.note(format!(
                "{}: the plugin applies to several routes; its tools were converted once, \
                 against route `{}`",
                plugin.path, self.state.routes[first].label
            ));
            return Some(self.out.toolsets[toolset].name.clone());
        }
        if plugin.scope == Scope::Global {
            diag.error(
                plugin.path.clone(),
                "a global conversion plugin would convert every route; scope it to the REST \
                 API's route or service",
            );
            return None;
        }
        let Some(service) = route.service.map(|s| &self.state.services[s]) else {
            diag.error(
                plugin.path.clone(),
                format!(
                    "converting tools needs the REST API's URL, but route `{}` has no service",
                    route.label
                ),
            );
            return None;
        };
        let base = plugin
            .instance_name
            .clone()
            .or_else(|| route.name.clone())
            .unwrap_or_else(|| service.label.clone());
        let name = unique(base, |n| self.out.toolsets.iter().any(|t| t.name == n));
        let mut tools = Vec::new();
        for (path, tool) in &proxy.tools {
            let mut tool = tool.clone();
            self.fix_tool_path(&mut tool, path, r, diag);
            if plugins::check_tool(&tool, path, diag) {
                tools.push(tool);
            }
        }
        let endpoint_settings: Vec<&str> = [
            ("logging", proxy.logging.is_some()),
            (
                "max_request_body_size",
                proxy.max_request_body_size.is_some(),
            ),
            ("server.session", proxy.stateless),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect();
        if proxy.mode == Mode::ConversionOnly && !endpoint_settings.is_empty() {
            diag.note(format!(
                "{}: {} of a conversion-only plugin apply to Kong's REST route, which toolgate \
                 does not serve; set them on the listener",
                plugin.path,
                endpoint_settings.join(", ")
            ));
        }
        if plugin.tags.is_empty() && proxy.mode == Mode::ConversionOnly {
            diag.note(format!(
                "{}: the plugin has no `tags`, so no listener can serve its tools",
                plugin.path
            ));
        }
        self.toolset_of
            .insert(plugin_index, (self.out.toolsets.len(), r));
        self.out.toolsets.push(Toolset {
            name: name.clone(),
            tags: plugin.tags.clone(),
            base_url: service.url.clone(),
            timeout: (proxy.mode == Mode::ConversionOnly)
                .then_some(proxy.timeout)
                .flatten(),
            tools,
            acl: proxy.acl.clone(),
            acl_from: None,
        });
        Some(name)
    }

    /// Kong joins a tool's path to the route's: a relative path follows the route path, an
    /// absolute one must start with it; `strip_path` removes the route path before the
    /// service's. toolgate appends the tool's path to the service URL.
    fn fix_tool_path(&self, tool: &mut Value, path: &str, r: usize, diag: &mut Diag) {
        let route = &self.state.routes[r];
        let Value::Mapping(map) = tool else {
            return;
        };
        if !map.contains_key("method")
            && let [method] = route.methods.as_slice()
        {
            map.insert("method".into(), method.as_str().into());
        }
        let prefixes: Vec<&str> = route
            .paths
            .iter()
            .map(String::as_str)
            .filter(|p| !p.starts_with('~'))
            .collect();
        let first = prefixes.first().copied().unwrap_or("/");
        let written = map.get("path").and_then(Value::as_str).map(str::to_owned);
        let fixed = match written.as_deref() {
            None if route.strip_path => String::new(),
            None => first.to_owned(),
            Some(p) if p.starts_with('/') && route.strip_path => {
                let under = prefixes.iter().find_map(|prefix| {
                    let prefix = prefix.trim_end_matches('/');
                    p.strip_prefix(prefix)
                        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                });
                match under {
                    Some(rest) => rest.trim_start_matches('/').to_owned(),
                    None => {
                        diag.error(
                            format!("{path}.path"),
                            format!(
                                "`{p}` is under none of route `{}`'s paths ({}): Kong requires \
                                 an absolute tool path to match the route",
                                route.label,
                                route.paths.join(", ")
                            ),
                        );
                        return;
                    }
                }
            }
            Some(p) if p.starts_with('/') => return,
            Some(_) if route.strip_path => return,
            Some(p) => format!("{}/{p}", first.trim_end_matches('/')),
        };
        if written.as_deref() != Some(fixed.as_str()) {
            diag.note(format!(
                "{path}.path: written as `{fixed}`, relative to the service URL, which is where \
                 Kong sends it (route path `{first}`, strip_path: {})",
                route.strip_path
            ));
            map.insert("path".into(), fixed.into());
        }
    }

    fn consumers(&mut self) {
        self.out.groups = self.state.groups.iter().map(|g| g.name.clone()).collect();
        for consumer in &self.state.consumers {
            let mut map = Mapping::new();
            for (key, value) in [
                ("username", &consumer.username),
                ("id", &consumer.id),
                ("custom_id", &consumer.custom_id),
            ] {
                if let Some(value) = value {
                    map.insert(key.into(), value.as_str().into());
                }
            }
            if !consumer.groups.is_empty() {
                map.insert("groups".into(), plugins::strings(consumer.groups.clone()));
            }
            if !consumer.keys.is_empty() {
                map.insert("keys".into(), plugins::strings(consumer.keys.clone()));
            }
            self.out.consumers.push(Value::Mapping(map));
        }
    }

    fn closing_notes(&self, diag: &mut Diag) {
        for toolset in &self.out.toolsets {
            let served = self.out.endpoints.iter().any(|e| {
                e.toolsets.contains(&toolset.name)
                    || e.tags.iter().any(|t| toolset.tags.contains(t))
            });
            if !served {
                diag.note(format!(
                    "toolset `{}` is served by no endpoint: no listener's `server.tag` is one of \
                     its tags",
                    toolset.name
                ));
            }
        }
        diag.note(format!(
            "one listener, `default`, on {LISTEN} (Kong's proxy port); `toolgate serve --listen` \
             overrides it"
        ));
        let https = self
            .out
            .auth
            .iter()
            .filter_map(|(_, p)| p.get("resource").and_then(Value::as_str))
            .chain(
                self.out
                    .endpoints
                    .iter()
                    .filter_map(|e| e.passthrough.as_ref()?.resource.as_deref()),
            )
            .any(|r| r.starts_with("https://"));
        if https {
            diag.note(
                "toolgate listens for plain HTTP: the https resource URLs need a TLS-terminating \
                 proxy in front (Kong's own HTTPS port is 8443)",
            );
        }
    }
}

/// `base`, or `base-2`, `base-3`… when taken.
fn unique(base: String, taken: impl Fn(&str) -> bool) -> String {
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}
