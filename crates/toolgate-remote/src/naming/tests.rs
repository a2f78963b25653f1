use super::*;

#[test]
fn prefix_short_ok() {
    assert_eq!(served_name(Some("up"), "echo").as_deref(), Some("up_echo"));
    assert_eq!(served_name(None, "echo").as_deref(), Some("echo"));
}

#[test]
fn prefix_exactly_64_ok() {
    let tool = "t".repeat(61);
    assert_eq!(served_name(Some("up"), &tool).map(|n| n.len()), Some(64));
}

#[test]
fn prefix_70_chars_shortened_deterministically_ok() {
    let tool = "a_rather_long_upstream_tool_name_that_goes_on_and_on_x";
    let prefix = "upstream_server_one";
    assert_eq!(prefix.len() + 1 + tool.len(), 74);
    let first = served_name(Some(prefix), tool).expect("valid");
    let again = served_name(Some(prefix), tool).expect("valid");
    assert_eq!(first, again);
    assert!(first.len() <= 64, "{first}");
    assert!(
        first.starts_with("upstream_server_one_a_rather_long"),
        "{first}"
    );
    let other = served_name(Some(prefix), &format!("{tool}y")).expect("valid");
    assert_ne!(first, other);
}

#[test]
fn invalid_characters_fails() {
    assert_eq!(served_name(Some("up"), "get.weather"), None);
    assert_eq!(served_name(None, ""), None);
    assert_eq!(served_name(Some("up p"), "x"), None);
}

#[test]
fn globs_ok() {
    assert!(glob_matches("*", "anything"));
    assert!(glob_matches("get_*", "get_weather"));
    assert!(glob_matches("*_weather", "get_weather"));
    assert!(glob_matches("g?t_*r", "get_weather"));
    assert!(glob_matches("echo", "echo"));
    assert!(glob_matches("*a*b*", "xxaxxbxx"));
}

#[test]
fn globs_fails() {
    assert!(!glob_matches("get_*", "set_weather"));
    assert!(!glob_matches("echo", "echo2"));
    assert!(!glob_matches("*a*b", "xxaxxbxxc"));
    assert!(!glob_matches("?", ""));
}
