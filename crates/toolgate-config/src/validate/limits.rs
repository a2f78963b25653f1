//! Validation of the limits: rate limits, session limits, concurrency caps, listener
//! timeouts.

use toolgate_tools::is_valid_tool_name;

use super::Validator;
use crate::model::{DurationConfig, SessionsConfig};

impl Validator<'_> {
    pub(super) fn limits(&mut self) {
        for (i, listener) in self.config.listeners.iter().enumerate() {
            for (field, value) in [
                ("header_read_timeout", listener.header_read_timeout),
                ("body_read_timeout", listener.body_read_timeout),
            ] {
                self.positive(&format!("listeners[{i}].{field}"), value);
            }
        }
        for (i, toolset) in self.config.toolsets.iter().enumerate() {
            if toolset.max_concurrent_calls == Some(0) {
                self.error(
                    format!("toolsets[{i}].max_concurrent_calls"),
                    "must be at least 1",
                );
            }
        }
        for (i, endpoint) in self.config.endpoints.iter().enumerate() {
            let at = format!("endpoints[{i}]");
            if endpoint
                .passthrough
                .as_ref()
                .is_some_and(|p| p.max_concurrent_calls == Some(0))
            {
                self.error(
                    format!("{at}.passthrough.max_concurrent_calls"),
                    "must be at least 1",
                );
            }
            self.positive(
                &format!("{at}.sessions_idle_timeout"),
                endpoint.sessions_idle_timeout,
            );
            if endpoint.max_sessions == Some(0) {
                self.error(format!("{at}.max_sessions"), "must be at least 1");
            }
            let sessions_set =
                endpoint.sessions_idle_timeout.is_some() || endpoint.max_sessions.is_some();
            if sessions_set && endpoint.passthrough.is_some() {
                self.warning(
                    at.clone(),
                    "`sessions_idle_timeout` and `max_sessions` have no effect on a passthrough: its sessions are the upstream's",
                );
            } else if sessions_set && endpoint.sessions == SessionsConfig::Stateless {
                self.warning(
                    at.clone(),
                    "`sessions_idle_timeout` and `max_sessions` have no effect with `sessions: stateless`",
                );
            }
            let Some(limits) = &endpoint.rate_limits else {
                continue;
            };
            if let Some(limit) = &limits.per_consumer {
                self.windows(&format!("{at}.rate_limits.per_consumer"), &limit.windows());
            }
            for (tool, limit) in &limits.per_tool {
                let path = format!("{at}.rate_limits.per_tool.{tool}");
                if !is_valid_tool_name(tool) {
                    self.error(
                        path.clone(),
                        format!(
                            "`{tool}` is not a tool name (letters, digits, `_` and `-`, at most 64)"
                        ),
                    );
                }
                self.windows(&path, &limit.windows());
            }
        }
    }

    fn positive(&mut self, path: &str, value: Option<DurationConfig>) {
        if value.is_some_and(|d| d.get().is_zero()) {
            self.error(path, "must be longer than zero");
        }
    }

    fn windows(&mut self, path: &str, windows: &[(&'static str, u64, std::time::Duration)]) {
        if windows.is_empty() {
            self.error(
                path,
                "limits nothing: give at least one of `second`, `minute`, `hour`, `day`",
            );
        }
        for (name, limit, _) in windows {
            if *limit == 0 {
                self.error(
                    format!("{path}.{name}"),
                    "must be at least 1 (to refuse a tool altogether, use its `acl`)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
