//! A registry whose toolsets change while the server runs (a remote server's tools after
//! `list_changed` or a reconnect): every endpoint's catalog is rebuilt and published, and
//! servers tell their clients.

use std::sync::{Arc, Mutex, PoisonError};

use indexmap::IndexMap;
use tokio::sync::watch;

use crate::{RegistryError, ToolCatalog, ToolRegistry, ToolSet};

struct Endpoint {
    tags: Vec<String>,
    sender: watch::Sender<Arc<ToolCatalog>>,
}

struct State {
    toolsets: IndexMap<String, ToolSet>,
    endpoints: Vec<Endpoint>,
}

/// Toolsets that can be replaced at run time, and the catalogs of the endpoints built from
/// them.
pub struct LiveRegistry {
    state: Mutex<State>,
}

impl std::fmt::Debug for LiveRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("LiveRegistry")
            .field("toolsets", &state.toolsets.keys().collect::<Vec<_>>())
            .field("endpoints", &state.endpoints.len())
            .finish()
    }
}

impl LiveRegistry {
    /// A live registry starting with `registry`'s toolsets.
    #[must_use]
    pub fn new(registry: ToolRegistry) -> Arc<Self> {
        let toolsets = registry
            .into_toolsets()
            .into_iter()
            .map(|set| (set.name().to_owned(), set))
            .collect();
        Arc::new(Self {
            state: Mutex::new(State {
                toolsets,
                endpoints: Vec::new(),
            }),
        })
    }

    /// The catalog of the toolsets carrying one of `tags`, kept current.
    ///
    /// # Errors
    /// As [`ToolRegistry::catalog_for_tags`]: an endpoint that cannot start.
    pub fn endpoint<S: AsRef<str>>(
        &self,
        tags: &[S],
    ) -> Result<watch::Receiver<Arc<ToolCatalog>>, RegistryError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let tags: Vec<String> = tags.iter().map(|t| t.as_ref().to_owned()).collect();
        let catalog = registry_of(&state.toolsets).catalog_for_tags(&tags)?;
        let (sender, receiver) = watch::channel(Arc::new(catalog));
        state.endpoints.push(Endpoint { tags, sender });
        Ok(receiver)
    }

    /// Adds or replaces (by name) a toolset and republishes every endpoint whose catalog
    /// changes. An endpoint whose new catalog would be invalid (a name clash, say) keeps its
    /// current catalog; the error is logged and returned.
    ///
    /// # Errors
    /// The first endpoint that could not be rebuilt.
    pub fn replace_toolset(&self, toolset: ToolSet) -> Result<(), RegistryError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let touched: Vec<String> = toolset.tags().to_vec();
        let previous_tags: Vec<String> = state
            .toolsets
            .get(toolset.name())
            .map(|old| old.tags().to_vec())
            .unwrap_or_default();
        state.toolsets.insert(toolset.name().to_owned(), toolset);
        let registry = registry_of(&state.toolsets);
        let mut first_error = None;
        for endpoint in &state.endpoints {
            let affected = endpoint
                .tags
                .iter()
                .any(|tag| touched.contains(tag) || previous_tags.contains(tag));
            if !affected {
                continue;
            }
            match registry.catalog_for_tags(&endpoint.tags) {
                Ok(catalog) => {
                    endpoint.sender.send_replace(Arc::new(catalog));
                }
                Err(error) => {
                    tracing::error!(%error, tags = ?endpoint.tags, "tool list change refused; the endpoint keeps its current tools");
                    first_error.get_or_insert(error);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

fn registry_of(toolsets: &IndexMap<String, ToolSet>) -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    for set in toolsets.values() {
        registry.add(set.clone());
    }
    registry
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::{FnTool, ToolDescriptor, schema_object, text_result};

    fn tool(name: &str) -> Arc<dyn crate::Tool> {
        Arc::new(FnTool::new(
            ToolDescriptor::new(
                name.to_owned(),
                "t",
                schema_object(json!({"type": "object"})),
            ),
            |_a, _c| async { Ok(text_result("ok")) },
        ))
    }

    #[tokio::test]
    async fn replaced_toolset_is_published_ok() {
        let mut registry = ToolRegistry::new();
        registry.add(ToolSet::new("remote").with_tags(["t"]).with_tool(tool("a")));
        let live = LiveRegistry::new(registry);
        let mut catalog = live.endpoint(&["t"]).expect("endpoint");
        assert_eq!(catalog.borrow().len(), 1);
        live.replace_toolset(
            ToolSet::new("remote")
                .with_tags(["t"])
                .with_tools([tool("a"), tool("b")]),
        )
        .expect("replace");
        catalog.changed().await.expect("published");
        assert_eq!(catalog.borrow().len(), 2);
    }

    #[tokio::test]
    async fn clashing_replacement_keeps_current_catalog_fails() {
        let mut registry = ToolRegistry::new();
        registry.add(ToolSet::new("one").with_tags(["t"]).with_tool(tool("a")));
        registry.add(ToolSet::new("two").with_tags(["t"]).with_tool(tool("b")));
        let live = LiveRegistry::new(registry);
        let catalog = live.endpoint(&["t"]).expect("endpoint");
        let error = live
            .replace_toolset(ToolSet::new("two").with_tags(["t"]).with_tool(tool("a")))
            .expect_err("clash");
        assert!(error.to_string().contains("'a'"));
        assert!(catalog.borrow().get("b").is_some(), "the old catalog stays");
    }
}
