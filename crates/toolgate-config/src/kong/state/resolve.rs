//! References by name or id (`route: weather-mcp`, `service: {name: api}`), resolved once
//! the whole file is read.

use serde_norway::Value;

use super::{Pending, Reader, Scope};
use crate::kong::fields::{Diag, Fields, kind};

impl Reader {
    pub(super) fn resolve(&mut self, diag: &mut Diag) {
        for (keys, entities, what) in [
            (
                &self.service_keys,
                self.state
                    .services
                    .iter()
                    .map(|s| &s.path)
                    .collect::<Vec<_>>(),
                "service",
            ),
            (
                &self.route_keys,
                self.state.routes.iter().map(|r| &r.path).collect(),
                "route",
            ),
        ] {
            let mut seen = std::collections::HashSet::new();
            for ((name, _), path) in keys.iter().zip(entities) {
                if let Some(name) = name
                    && !seen.insert(name.as_str())
                {
                    diag.error(
                        format!("{path}.name"),
                        format!("a second {what} named `{name}`"),
                    );
                }
            }
        }
        for (route, pending) in std::mem::take(&mut self.route_services) {
            if let Some(service) = find(&self.service_keys, &pending, "service", diag) {
                self.state.routes[route].service = Some(service);
            }
        }
        for (plugin, route, service) in std::mem::take(&mut self.plugin_targets) {
            let route = route.and_then(|p| find(&self.route_keys, &p, "route", diag));
            let service_pending = service;
            let service = service_pending
                .as_ref()
                .and_then(|p| find(&self.service_keys, p, "service", diag));
            let scope = match (route, service) {
                (Some(route), Some(service)) => {
                    if self.state.routes[route].service != Some(service)
                        && let Some(p) = &service_pending
                    {
                        diag.error(
                            p.path.clone(),
                            "a plugin scoped to a route of another service is not supported",
                        );
                    }
                    Scope::Route(route)
                }
                (Some(route), None) => Scope::Route(route),
                (None, Some(service)) => Scope::Service(service),
                // Unresolved: already reported; it applies nowhere.
                (None, None) => Scope::Nowhere,
            };
            self.state.plugins[plugin].scope = scope;
        }
        for (group, pending) in std::mem::take(&mut self.group_members) {
            let found = self.state.consumers.iter_mut().find(|c| {
                c.username.as_deref() == Some(pending.target.as_str())
                    || c.id.as_deref() == Some(pending.target.as_str())
            });
            match found {
                Some(consumer) if !consumer.groups.contains(&group) => consumer.groups.push(group),
                Some(_) => {}
                None => diag.error(
                    pending.path,
                    format!("no consumer named `{}`", pending.target),
                ),
            }
        }
    }
}

/// A reference written as a name, or as `{name: …}` / `{id: …}`.
pub(super) fn reference(value: Value, path: &str, diag: &mut Diag) -> Option<Pending> {
    reference_by(value, path, "name", diag)
}

pub(super) fn reference_by(
    value: Value,
    path: &str,
    key: &str,
    diag: &mut Diag,
) -> Option<Pending> {
    let target = match value {
        Value::String(name) => Some(name),
        Value::Mapping(_) => {
            let mut f = Fields::new(value, path, "a reference", diag)?;
            let target = f.string(key, diag).or_else(|| f.string("id", diag));
            f.finish("a reference", &[key, "id"], diag);
            target
        }
        other => {
            diag.error(
                path,
                format!("expected a name or `{{{key}: …}}`, found {}", kind(&other)),
            );
            return None;
        }
    };
    if target.is_none() {
        diag.error(path, format!("give the `{key}` or `id` it refers to"));
    }
    target.map(|target| Pending {
        target,
        path: path.to_owned(),
    })
}

fn find(
    keys: &[(Option<String>, Option<String>)],
    pending: &Pending,
    what: &str,
    diag: &mut Diag,
) -> Option<usize> {
    let found = keys.iter().position(|(name, id)| {
        name.as_deref() == Some(pending.target.as_str())
            || id.as_deref() == Some(pending.target.as_str())
    });
    if found.is_none() {
        let names = keys.iter().filter_map(|(name, _)| name.as_deref());
        let mut message = format!("no {what} named `{}` in the file", pending.target);
        if let Some(best) = crate::diag::closest(&pending.target, names) {
            message.push_str(&format!("; did you mean `{best}`?"));
        }
        diag.error(pending.path.clone(), message);
    }
    found
}
