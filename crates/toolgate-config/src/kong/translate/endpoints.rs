//! The MCP endpoints of a listener route: one per path, with the auth profile, CORS and
//! limits in effect there; a passthrough's upstream identity from the recipe patterns; the
//! proxied metadata routes folded into their passthrough; listeners' ACL settings given to
//! the toolsets they serve.

use serde_norway::{Mapping, Value};

use super::{InEffect, PRM_PREFIX, Translator, unique};
use crate::kong::{
    emit::{Endpoint, Passthrough},
    fields::Diag,
    plugins::{Kind, Mode, Proxy},
    state::Scope,
};

impl Translator<'_> {
    pub(super) fn endpoints(
        &mut self,
        r: usize,
        proxy_index: usize,
        proxy: &Proxy,
        e: &InEffect,
        toolset: Option<&str>,
        diag: &mut Diag,
    ) {
        let route = &self.state.routes[r];
        let plugin = &self.state.plugins[proxy_index];
        if route.paths.is_empty() {
            diag.error(
                route.path.clone(),
                "an MCP route needs `paths`: each becomes an endpoint",
            );
            return;
        }
        for (i, protocol) in route.protocols.iter().enumerate() {
            if !matches!(protocol.as_str(), "http" | "https") {
                diag.error(
                    format!("{}.protocols[{i}]", route.path),
                    format!("`{protocol}`: MCP endpoints are served over HTTP"),
                );
            }
        }
        for host in &route.hosts {
            if !self.out.allowed_hosts.contains(host) {
                self.out.allowed_hosts.push(host.clone());
            }
        }
        if !route.hosts.is_empty() {
            diag.note(format!(
                "{}.hosts: accepted in the Host header of every endpoint of the listener",
                route.path
            ));
        }
        if !route.methods.is_empty() {
            diag.note(format!(
                "{}.methods: MCP endpoints answer the methods of the protocol (POST, GET, DELETE)",
                route.path
            ));
        }
        let auth = self.profile(e.oauth2, e.key_auth, diag);
        let cors = e.cors.and_then(|c| match &self.kinds[c] {
            Some(Kind::Cors(cors)) => Some(cors.clone()),
            _ => None,
        });
        let rate_limit = e.rate_limit.and_then(|c| match &self.kinds[c] {
            Some(Kind::RateLimit(limit)) => Some(limit.clone()),
            _ => None,
        });
        let passthrough = if proxy.mode == Mode::PassthroughListener {
            let Some(passthrough) = self.passthrough(r, proxy_index, proxy, e, diag) else {
                return;
            };
            Some(passthrough)
        } else {
            for pattern in [e.challenge, e.swap].into_iter().flatten() {
                diag.error(
                    self.state.plugins[pattern].path.clone(),
                    format!(
                        "`{}` is only supported on a passthrough-listener route",
                        self.state.plugins[pattern].name
                    ),
                );
            }
            None
        };
        let mut tags = Vec::new();
        if let Some(tag) = &proxy.tag {
            tags.push(tag.clone());
            if proxy.mode == Mode::Listener && !proxy.acl.is_empty() {
                self.listener_acl
                    .push((tag.clone(), proxy.acl.clone(), plugin.path.clone()));
            }
        }
        let mut made = 0;
        for (i, path) in route.paths.iter().enumerate() {
            let at = format!("{}.paths[{i}]", route.path);
            if path.starts_with('~') {
                diag.error(at, "a regular-expression path cannot be an MCP endpoint");
                continue;
            }
            if path == PRM_PREFIX || path.starts_with(&format!("{PRM_PREFIX}/")) {
                diag.note(format!(
                    "{at}: `{path}` is the endpoint's Protected Resource Metadata, which toolgate \
                     serves itself (from the auth profile's `metadata_endpoint`, or the \
                     upstream's for a passthrough)"
                ));
                continue;
            }
            if path.starts_with("/.well-known/") {
                diag.error(at, "paths under /.well-known/ are reserved for metadata");
                continue;
            }
            made += 1;
            let name = route.name.as_ref().map(|name| {
                let base = if made == 1 {
                    name.clone()
                } else {
                    format!("{name}-{made}")
                };
                unique(base, |n| {
                    self.out
                        .endpoints
                        .iter()
                        .any(|e| e.name.as_deref() == Some(n))
                })
            });
            self.out.endpoints.push(Endpoint {
                name,
                path: path.clone(),
                tags: tags.clone(),
                toolsets: toolset.iter().map(|t| (*t).to_owned()).collect(),
                passthrough: passthrough.clone(),
                auth: auth.clone(),
                cors: cors.clone(),
                rate_limit: rate_limit.clone(),
                max_request_body_size: proxy.max_request_body_size,
                timeout: proxy.timeout,
                stateless: proxy.stateless,
                logging: proxy.logging.clone(),
            });
        }
    }

    fn passthrough(
        &self,
        r: usize,
        proxy_index: usize,
        proxy: &Proxy,
        e: &InEffect,
        diag: &mut Diag,
    ) -> Option<Passthrough> {
        let route = &self.state.routes[r];
        let Some(url) = route
            .service
            .and_then(|s| self.state.services[s].url.clone())
        else {
            diag.error(
                self.state.plugins[proxy_index].path.clone(),
                format!(
                    "a passthrough needs the upstream MCP server's URL, but route `{}` has no \
                     service with one",
                    route.label
                ),
            );
            return None;
        };
        let upstream = if route.strip_path {
            url
        } else {
            let first = route.paths.first().map_or("", String::as_str);
            format!("{}{first}", url.trim_end_matches('/'))
        };
        let mut passthrough = Passthrough {
            upstream,
            acl: proxy.acl.clone(),
            tool_acl: proxy.tool_acl.clone(),
            ..Passthrough::default()
        };
        let oauth2 = e.oauth2.and_then(|o| match &self.kinds[o] {
            Some(Kind::OAuth2(profile)) => Some((o, profile)),
            _ => None,
        });
        let forwards_token =
            |profile: &Mapping| profile.get("passthrough_credentials") == Some(&Value::Bool(true));
        if let (Some(c), Some(s)) = (e.challenge, e.swap) {
            diag.error(
                self.state.plugins[s].path.clone(),
                format!(
                    "a token swap replaces the caller's token, the datakit challenge at {} \
                     passes it upstream: use one",
                    self.state.plugins[c].path
                ),
            );
            return None;
        }
        if let Some(c) = e.challenge {
            let Some(Kind::Challenge { resource_metadata }) = &self.kinds[c] else {
                return None;
            };
            if let Some((o, _)) = oauth2 {
                diag.error(
                    self.state.plugins[c].path.clone(),
                    format!(
                        "the datakit challenge passes the caller's own token to the upstream, \
                         but ai-mcp-oauth2 ({}) validates tokens here: use one",
                        self.state.plugins[o].path
                    ),
                );
                return None;
            }
            passthrough.identity = Some("user_token");
            diag.note(format!(
                "{}: the datakit 401 challenge is what `identity: user_token` answers itself; \
                 the client's own token goes to the upstream, which validates it",
                self.state.plugins[c].path
            ));
            passthrough.resource = resource_metadata.find(PRM_PREFIX).map(|at| {
                format!(
                    "{}{}",
                    &resource_metadata[..at],
                    &resource_metadata[at + PRM_PREFIX.len()..]
                )
            });
        } else if let Some(s) = e.swap {
            let Some(Kind::TokenSwap { token }) = &self.kinds[s] else {
                return None;
            };
            match oauth2 {
                Some((o, profile)) if forwards_token(profile) => {
                    diag.error(
                        self.state.plugins[s].path.clone(),
                        format!(
                            "a token swap needs ai-mcp-oauth2 to remove the caller's token, but \
                             {} has `passthrough_credentials: true`",
                            self.state.plugins[o].path
                        ),
                    );
                    return None;
                }
                Some(_) => {
                    passthrough.identity = Some("token_swap");
                    passthrough.credential = Some(token.clone());
                    diag.note(format!(
                        "{}: the added Authorization header is the stored credential of \
                         `identity: token_swap`, sent in place of the validated caller's token",
                        self.state.plugins[s].path
                    ));
                }
                None => {
                    diag.error(
                        self.state.plugins[s].path.clone(),
                        "a token swap stands in for a caller ai-mcp-oauth2 validated; the route \
                         has no ai-mcp-oauth2 plugin",
                    );
                    return None;
                }
            }
        } else if oauth2.is_some_and(|(_, profile)| forwards_token(profile)) {
            diag.note(format!(
                "{}: the validated token goes upstream as Kong forwards it \
                 (`passthrough_credentials: true`)",
                route.path
            ));
        } else {
            diag.note(format!(
                "{}: no credential goes to the upstream (Kong forwards whatever the client \
                 sends); set `passthrough.identity` if the upstream needs one",
                route.path
            ));
        }
        Some(passthrough)
    }

    /// The auth profile for an ai-mcp-oauth2 and/or key-auth pair, made once per pair.
    fn profile(
        &mut self,
        oauth2: Option<usize>,
        key_auth: Option<usize>,
        diag: &mut Diag,
    ) -> Option<String> {
        if oauth2.is_none() && key_auth.is_none() {
            return None;
        }
        if let Some((_, name)) = self.profiles.iter().find(|(k, _)| *k == (oauth2, key_auth)) {
            return Some(name.clone());
        }
        let named = |p: usize, suffix: &str| {
            let plugin = &self.state.plugins[p];
            plugin
                .instance_name
                .clone()
                .unwrap_or_else(|| match plugin.scope {
                    Scope::Route(r) => format!("{}-{suffix}", self.state.routes[r].label),
                    Scope::Service(s) => format!("{}-{suffix}", self.state.services[s].label),
                    Scope::Global | Scope::Nowhere => format!("global-{suffix}"),
                })
        };
        let base = match (oauth2, key_auth) {
            (Some(o), Some(k)) if self.state.plugins[o].scope == self.state.plugins[k].scope => {
                named(o, "oauth2")
            }
            (Some(o), Some(k)) => format!("{}-{}", named(o, "oauth2"), named(k, "key-auth")),
            (Some(o), None) => named(o, "oauth2"),
            (None, Some(k)) => named(k, "key-auth"),
            (None, None) => return None,
        };
        let name = unique(base, |n| self.out.auth.iter().any(|(a, _)| a == n));
        let mut profile = match oauth2.and_then(|o| self.kinds[o].as_ref()) {
            Some(Kind::OAuth2(mapping)) => mapping.clone(),
            _ => Mapping::new(),
        };
        if let Some(Kind::KeyAuth(keys)) = key_auth.and_then(|k| self.kinds[k].as_ref()) {
            let mut keys = keys.clone();
            if let Some(o) = oauth2 {
                keys.insert("sufficient".into(), false.into());
                diag.note(format!(
                    "auth profile `{name}`: Kong requires both key-auth and ai-mcp-oauth2 ({}); \
                     toolgate requires the token and takes the consumer from the key when one \
                     is sent",
                    self.state.plugins[o].path
                ));
            }
            profile.insert("key_auth".into(), keys.into());
        }
        self.profiles.push(((oauth2, key_auth), name.clone()));
        self.out.auth.push((name.clone(), profile));
        Some(name)
    }

    /// The response transformer on a route proxying an upstream's metadata: the passthrough
    /// endpoint it belongs to serves that metadata, rewritten.
    pub(super) fn prm_rewrites(&mut self, diag: &mut Diag) {
        for (r, p) in std::mem::take(&mut self.prm_routes) {
            let route = &self.state.routes[r];
            let plugin = &self.state.plugins[p];
            let Some(Kind::PrmRewrite { resource }) = &self.kinds[p] else {
                continue;
            };
            let under_prm = |path: &String| path.starts_with(&format!("{PRM_PREFIX}/"));
            if route.paths.is_empty() || !route.paths.iter().all(under_prm) {
                diag.error(
                    plugin.path.clone(),
                    format!(
                        "the response transformer is only supported on a route whose paths are \
                         all under {PRM_PREFIX}/ (rewriting a proxied Protected Resource Metadata)"
                    ),
                );
                continue;
            }
            let url = route
                .service
                .and_then(|s| self.state.services[s].url.clone());
            let Some(url) = url.filter(|u| u.contains(PRM_PREFIX)) else {
                diag.error(
                    plugin.path.clone(),
                    format!(
                        "the route's service must be the upstream's Protected Resource Metadata \
                         (a URL under {PRM_PREFIX})"
                    ),
                );
                continue;
            };
            for path in &route.paths {
                let metadata = if route.strip_path {
                    url.clone()
                } else {
                    format!("{}{path}", url.trim_end_matches('/'))
                };
                let target = &path[PRM_PREFIX.len()..];
                let endpoint = self
                    .out
                    .endpoints
                    .iter_mut()
                    .find(|e| e.path == target && e.passthrough.is_some());
                let Some(passthrough) = endpoint.and_then(|e| e.passthrough.as_mut()) else {
                    diag.error(
                        plugin.path.clone(),
                        format!(
                            "no passthrough endpoint at {target}: the metadata at {path} belongs \
                             to the passthrough route serving {target}"
                        ),
                    );
                    continue;
                };
                if let Some(challenge) = &passthrough.resource
                    && challenge != resource
                {
                    diag.note(format!(
                        "{}: the datakit challenge points at the metadata of `{challenge}`, \
                         the rewritten metadata names `{resource}`; `{resource}` is used",
                        plugin.path
                    ));
                }
                passthrough.upstream_metadata = Some(metadata);
                passthrough.resource = Some(resource.clone());
                diag.note(format!(
                    "{}: route `{}` proxies the upstream's Protected Resource Metadata; the \
                     passthrough at {target} serves it at {path} with `resource` rewritten \
                     (`upstream_metadata`, `resource`)",
                    route.path, route.label
                ));
            }
        }
    }

    /// A listener's ACL settings belong to the toolsets it serves.
    pub(super) fn listener_acls(&mut self, diag: &mut Diag) {
        for (tag, acl, path) in std::mem::take(&mut self.listener_acl) {
            for toolset in self
                .out
                .toolsets
                .iter_mut()
                .filter(|t| t.tags.contains(&tag))
            {
                if toolset.acl.is_empty() && toolset.acl_from.is_none() {
                    toolset.acl = acl.clone();
                    toolset.acl_from = Some(path.clone());
                } else if toolset.acl != acl {
                    let from = toolset
                        .acl_from
                        .clone()
                        .unwrap_or_else(|| "its conversion plugin".to_owned());
                    diag.error(
                        path.clone(),
                        format!(
                            "toolset `{}` (tag `{tag}`) already has other ACL settings, from \
                             {from}; toolgate keeps one set per toolset",
                            toolset.name
                        ),
                    );
                }
            }
        }
    }
}
