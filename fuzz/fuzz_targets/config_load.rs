//! The configuration loaders: `toolgate_config::load_str` (interpolation, YAML, item-by-item
//! deserialization, the line index, validation) and `kong::translate_str` (decK files, with
//! `${{ env }}` references resolved or kept), on text.
//!
//! Byte 0 picks the loader (bits 0–1: `load_str`, Kong with references kept, Kong with them
//! resolved), the rest is the text, read as UTF-8 (lossily). Errors are expected results.
//! Besides panics and hangs, a finding is:
//!
//! - a Kong translation whose printed `toolgate.yaml` (`kong::to_yaml`) is not YAML (once
//!   its `${{ env }}` references are substituted), or does not read back as the translated
//!   document: with references resolved, the document itself; with references kept, the
//!   document the same file gives with them resolved;
//! - a translated document that `load_value` cannot take without panicking.
//!
//! `${{ file "…" }}` reads nothing: the environment's base directory is a missing one and
//! absolute paths are replaced before loading (the target stays deterministic and reads no
//! files of the machine).

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_norway::Value;
use toolgate_config::{Environment, interpolate, kong, load_str, load_value};

fn lookup(name: &str) -> Option<String> {
    match name {
        "EMPTY" => Some(String::new()),
        "PORT" => Some("8080".to_owned()),
        "URL" => Some("http://127.0.0.1:9/api".to_owned()),
        n if n.starts_with("UNSET") => None,
        _ => Some("value".to_owned()),
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, text @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(text).replace("file \"/", "file \"");
    let base = std::path::Path::new("/nonexistent-toolgate-fuzz");
    let env = Environment::from_fn(lookup, Some(base));
    match mode % 3 {
        0 => {
            let _ = load_str(&text, "fuzz.yaml", &env);
        }
        1 => {
            let Ok(import) = kong::translate_str(&text, "kong.yaml", kong::EnvHandling::Keep)
            else {
                return;
            };
            // References are written back as decK writes them (`"${{ env "X" }}"`): the text
            // is YAML once they are substituted, as `load_str` does.
            let printed = kong::to_yaml(&import);
            let Ok(substituted) = interpolate(&printed, &env) else {
                return;
            };
            let read: Value = serde_norway::from_str(&substituted)
                .unwrap_or_else(|e| panic!("to_yaml printed no YAML ({e}):\n{printed}"));
            // The same file translated with the references resolved is the same document.
            if let Ok(resolved) =
                kong::translate_str(&text, "kong.yaml", kong::EnvHandling::Resolve(&env))
            {
                assert_eq!(
                    read, resolved.document,
                    "kept and resolved differ:\n{printed}"
                );
            }
        }
        _ => {
            let Ok(import) =
                kong::translate_str(&text, "kong.yaml", kong::EnvHandling::Resolve(&env))
            else {
                return;
            };
            let printed = kong::to_yaml(&import);
            let read: Value = serde_norway::from_str(&printed)
                .unwrap_or_else(|e| panic!("to_yaml printed no YAML ({e}):\n{printed}"));
            assert_eq!(
                read, import.document,
                "to_yaml changed the document:\n{printed}"
            );
            let _ = load_value(import.document, "kong.yaml", None);
        }
    }
});
