//! The JSON Schema of `toolgate.yaml`, generated from the types in [`crate::model`] and
//! committed as `schema/toolgate.schema.json` (`just schema` rewrites it; a test fails when
//! it is stale). Editors use it through a first line such as
//! `# yaml-language-server: $schema=../schema/toolgate.schema.json`.

use crate::model::Config;

/// The schema as pretty-printed JSON, with a trailing newline.
#[must_use]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
