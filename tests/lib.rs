//! Workspace-level tests. They live in `integration.rs` (one test binary with its harness);
//! this library target is empty and exists only so the package has one.
