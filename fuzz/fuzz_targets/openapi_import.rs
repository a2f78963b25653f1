//! Raw-text fuzzing of the OpenAPI importer: the input, read as UTF-8 (lossily), is parsed
//! with `OpenApiDocument::from_text` and, when that succeeds, every operation is imported
//! with `import_toolset`. Errors and skipped operations are expected results; only a panic,
//! a hang, a stack overflow or runaway memory is a finding.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use toolgate_rest::{
    UpstreamClient,
    openapi::{ImportOptions, OpenApiDocument, import_toolset},
};
use url::Url;

fn client() -> &'static UpstreamClient {
    static CLIENT: OnceLock<UpstreamClient> = OnceLock::new();
    CLIENT.get_or_init(|| UpstreamClient::new().expect("the upstream client builds"))
}

fn options() -> &'static ImportOptions {
    static OPTIONS: OnceLock<ImportOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let base = Url::parse("http://upstream.invalid/api/").expect("a valid URL");
        ImportOptions::new("fuzz").with_base_url(base)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(document) = OpenApiDocument::from_text(&text, "fuzz.yaml") else {
        return;
    };
    // Accessors a caller uses on any loaded document.
    let _ = document.version();
    let _ = document.title();
    let _ = document.server_url();
    if let Ok(imported) = import_toolset(&document, options(), client()) {
        // Every tool must have come out with a descriptor the gateway can list.
        assert_eq!(imported.toolset.tools().len(), imported.origins.len());
        for tool in imported.toolset.tools() {
            let descriptor = tool.descriptor();
            assert!(
                toolgate_tools::is_valid_tool_name(&descriptor.name),
                "invalid tool name {:?}",
                descriptor.name
            );
        }
    }
});
