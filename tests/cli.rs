//! The `toolgate` command line, run as a user would.

use std::process::Command;

use serde_json::Value;

use crate::harness::toolgate_binary;

fn fixture(name: &str) -> String {
    format!("{}/../openapi-specs/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn inspect(args: &[&str]) -> std::process::Output {
    Command::new(toolgate_binary())
        .args(["openapi", "inspect"])
        .args(args)
        .output()
        .expect("run toolgate")
}

#[test]
fn inspect_json_lists_tools_and_skipped_operations_ok() {
    let output = inspect(&[
        &fixture("refs/broken.yaml"),
        "--json",
        "--base-url",
        "http://127.0.0.1:9/",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let tools = report["tools"].as_array().expect("tools");
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0]["name"], "getFine");
    assert_eq!(tools[0]["method"], "GET");
    let skipped = report["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["operation_id"], "getBroken");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("points nowhere")),
        "{}",
        skipped[0]
    );
}

#[test]
fn inspect_human_output_shows_arguments_and_reasons_ok() {
    let output = inspect(&[&fixture("petstore-3.0.yaml")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("18 tools, 1 skipped"), "{text}");
    assert!(
        text.contains("pass --base-url"),
        "relative servers are flagged: {text}"
    );
    assert!(text.contains("getPetById  GET /pet/{petId}"), "{text}");
    assert!(text.contains("path_petId*  integer (int64)"), "{text}");
    assert!(
        text.contains("uploadFile") && text.contains("multipart/form-data"),
        "{text}"
    );
}

#[test]
fn inspect_selects_by_tag_ok() {
    let output = inspect(&[&fixture("petstore-3.0.yaml"), "--json", "--tag", "store"]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let names: Vec<&str> = report["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["getInventory", "placeOrder", "getOrderById", "deleteOrder"]
    );
}

#[test]
fn inspect_unreadable_document_fails_with_its_reason() {
    let output = inspect(&["/nonexistent/spec.yaml"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/spec.yaml"), "{stderr}");
    let output = inspect(&[&fixture("refs/schemas/common.yaml")]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not an OpenAPI"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
