//! Custom Rust tools for toolgate, written both ways the framework offers, in a crate meant
//! to be copied:
//!
//! - typed functions ([`toolgate_tools::typed_tool`]): the notes store ([`notes`]: add, list,
//!   search with progress, delete — one notebook per caller), [`units`] (`convert_units`)
//!   and [`caller`] (`whoami`);
//! - an rmcp `#[tool_router]` server ([`text::TextTools`]: `word_count`, `change_case`,
//!   `sign`), mounted with [`toolgate_tools::rmcp_tools`].
//!
//! [`toolset`] gathers them in one [`ToolSet`] named [`TOOLSET_NAME`]. A `toolgate.yaml`
//! serves it through a toolset of that name declared with `rust: {}`, which gives it its
//! tags and ACL; the binary of this crate (`custom-tools`) registers it with the gateway
//! builder and serves the file:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = toolgate_config::load_file("servers/custom-tools/toolgate.yaml".as_ref())?;
//! let gateway = toolgate_config::Gateway::builder(config)
//!     .with_toolset(toolgate_custom_tools::toolset())
//!     .build()
//!     .await?;
//! gateway.bind().await?.serve(std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod caller;
pub mod notes;
pub mod text;
pub mod units;

use toolgate_tools::{ToolSet, rmcp_tools};

pub use notes::NoteStore;
pub use text::TextTools;

/// The toolset's name: what `toolsets[].name` in `toolgate.yaml` must say.
pub const TOOLSET_NAME: &str = "custom-tools";

/// Every tool of the crate, with a fresh, empty notes store.
#[must_use]
pub fn toolset() -> ToolSet {
    toolset_with_notes(&NoteStore::new())
}

/// Every tool of the crate, keeping notes in `notes` (share one store between toolsets
/// rebuilt on reload, or inspect it in tests).
#[must_use]
pub fn toolset_with_notes(notes: &NoteStore) -> ToolSet {
    ToolSet::new(TOOLSET_NAME)
        .with_tools(notes::tools(notes))
        .with_tool(units::tool())
        .with_tool(caller::tool())
        .with_tools(rmcp_tools(TextTools, TextTools::tool_router()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_in_the_toolset_and_the_catalog_accepts_them() {
        let toolset = toolset();
        let catalog =
            toolgate_tools::ToolCatalog::build([&toolset]).expect("valid names and schemas");
        let names: Vec<_> = catalog.descriptors().map(|d| d.name.to_string()).collect();
        assert_eq!(
            names,
            [
                "add_note",
                "list_notes",
                "search_notes",
                "delete_note",
                "convert_units",
                "whoami",
                "change_case",
                "sign",
                "word_count",
            ]
        );
        for descriptor in catalog.descriptors() {
            assert!(
                descriptor.description.is_some(),
                "{} has a description",
                descriptor.name
            );
            assert!(
                descriptor.annotations.is_some(),
                "{} has annotations",
                descriptor.name
            );
        }
    }
}
