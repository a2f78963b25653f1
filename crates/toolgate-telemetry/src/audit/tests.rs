use serde_json::{Value, json};

use super::*;

#[test]
fn event_serialises_only_fields_that_apply_ok() {
    let mut event = AuditEvent::new("tool_call");
    event.endpoint = Some("weather".into());
    event.tool = Some("forecast".into());
    event.outcome = Some(Outcome::UpstreamError);
    event.upstream_status = Some(500);
    let line: Value = serde_json::from_str(&event.to_json()).expect("json");
    assert_eq!(line["event"], "tool_call");
    assert_eq!(line["outcome"], "upstream_error");
    assert_eq!(line["upstream_status"], 500);
    assert!(line.get("arguments").is_none());
    assert!(line.get("groups").is_none());
    assert!(line["time"].as_str().is_some_and(|t| t.ends_with('Z')));
}

#[test]
fn file_sink_appends_json_lines_ok() {
    let path =
        std::env::temp_dir().join(format!("toolgate-audit-test-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let log = AuditLog::file(&path).expect("open");
    let mut event = AuditEvent::new("acl");
    event.decision = Some(Decision::Deny);
    event.arguments = Some(json!({"q": "Paris"}));
    log.record(&event);
    let shared = log.clone();
    drop(log);
    shared.record(&AuditEvent::new("tool_call"));
    let text = std::fs::read_to_string(&path).expect("read");
    let _ = std::fs::remove_file(&path);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"], "deny");
    assert_eq!(lines[0]["arguments"]["q"], "Paris");
    assert_eq!(lines[1]["event"], "tool_call");
}
