//! Toolsets and the registry that holds them.

use std::sync::Arc;

use crate::{AclPolicy, RegistryError, Tool, ToolCatalog};

/// The tools of one source (a REST spec, an OpenAPI document, a remote server, a crate),
/// with the tags endpoints select it by.
#[derive(Debug, Clone)]
pub struct ToolSet {
    name: String,
    tags: Vec<String>,
    tools: Vec<Arc<dyn Tool>>,
    acl: Arc<AclPolicy>,
}

impl ToolSet {
    /// An empty toolset called `name`; the name appears in errors and logs.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            tags: Vec::new(),
            tools: Vec::new(),
            acl: Arc::new(AclPolicy::default()),
        }
    }

    /// Who may see and call which tool of the set.
    #[must_use]
    pub fn with_acl(mut self, acl: AclPolicy) -> Self {
        self.acl = Arc::new(acl);
        self
    }

    /// The toolset's access rules.
    #[must_use]
    pub fn acl(&self) -> &Arc<AclPolicy> {
        &self.acl
    }

    /// Adds tags.
    #[must_use]
    pub fn with_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Adds a tool.
    #[must_use]
    pub fn with_tool(mut self, tool: Arc<dyn Tool>) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds tools.
    #[must_use]
    pub fn with_tools(mut self, tools: impl IntoIterator<Item = Arc<dyn Tool>>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// The toolset's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The toolset's tags.
    #[must_use]
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The toolset's tools.
    #[must_use]
    pub fn tools(&self) -> &[Arc<dyn Tool>] {
        &self.tools
    }

    /// The same toolset with other tools (wrapped ones).
    pub(crate) fn replace_tools(mut self, tools: Vec<Arc<dyn Tool>>) -> Self {
        self.tools = tools;
        self
    }
}

/// Every toolset the process knows; endpoints take [`ToolCatalog`]s from it.
#[derive(Debug, Default, Clone)]
pub struct ToolRegistry {
    toolsets: Vec<ToolSet>,
}

impl ToolRegistry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a toolset.
    pub fn add(&mut self, toolset: ToolSet) -> &mut Self {
        self.toolsets.push(toolset);
        self
    }

    /// The toolsets, taken out of the registry.
    #[must_use]
    pub fn into_toolsets(self) -> Vec<ToolSet> {
        self.toolsets
    }

    /// The toolsets, in the order they were added.
    #[must_use]
    pub fn toolsets(&self) -> &[ToolSet] {
        &self.toolsets
    }

    /// The catalog of every toolset carrying at least one of `tags` (Kong's `listener`
    /// with `server.tag`).
    ///
    /// # Errors
    /// [`RegistryError::UnknownTag`] for a tag no toolset carries (a typo would otherwise
    /// serve an empty endpoint), and whatever [`ToolCatalog::build`] refuses.
    pub fn catalog_for_tags<S: AsRef<str>>(
        &self,
        tags: &[S],
    ) -> Result<ToolCatalog, RegistryError> {
        for tag in tags {
            let tag = tag.as_ref();
            if !self
                .toolsets
                .iter()
                .any(|set| set.tags.iter().any(|t| t == tag))
            {
                return Err(RegistryError::UnknownTag {
                    tag: tag.to_owned(),
                });
            }
        }
        ToolCatalog::build(self.toolsets.iter().filter(|set| {
            set.tags
                .iter()
                .any(|t| tags.iter().any(|wanted| wanted.as_ref() == t))
        }))
    }

    /// The catalog of every toolset.
    ///
    /// # Errors
    /// As [`ToolCatalog::build`].
    pub fn catalog_all(&self) -> Result<ToolCatalog, RegistryError> {
        ToolCatalog::build(self.toolsets.iter())
    }
}
