use super::*;

#[test]
fn slug_of_title_ok() {
    assert_eq!(slugify("Realtime API").as_deref(), Some("realtime-api"));
    assert_eq!(slugify("IP Lookup API").as_deref(), Some("ip-lookup-api"));
    assert_eq!(slugify("  Get -- a  pet! ").as_deref(), Some("get-a-pet"));
    assert_eq!(
        slugify("snake_case_kept").as_deref(),
        Some("snake_case_kept")
    );
}

#[test]
fn slug_of_symbols_only_fails() {
    assert_eq!(slugify("!!! ???"), None);
    assert_eq!(slugify(""), None);
}

#[test]
fn slug_is_cut_to_limit_ok() {
    let slug = slugify(&"word ".repeat(40)).expect("slug");
    assert!(slug.len() <= MAX_TOOL_NAME_LEN);
    assert!(is_valid_tool_name(&slug));
}

#[test]
fn tool_name_rules() {
    assert!(is_valid_tool_name("realtime-api"));
    assert!(is_valid_tool_name("a_B-9"));
    assert!(!is_valid_tool_name(""));
    assert!(!is_valid_tool_name("Realtime API"));
    assert!(!is_valid_tool_name("a.b"));
    assert!(!is_valid_tool_name(&"x".repeat(65)));
}

#[test]
fn long_names_fit_with_a_stable_hash_ok() {
    let long = format!(
        "actions_get-fork-pr-contributor-approval-permissions-{}",
        "organization".repeat(2)
    );
    let fitted = fit_tool_name(&long).expect("fits");
    assert_eq!(fitted.len(), MAX_TOOL_NAME_LEN);
    assert_eq!(fit_tool_name(&long), Some(fitted.clone()), "deterministic");
    let other = fit_tool_name(&format!("{long}x")).expect("fits");
    assert_ne!(fitted, other, "names sharing a head stay distinct");
    assert_eq!(fit_tool_name("short"), Some("short".to_owned()));
    assert_eq!(fit_tool_name("bad.name"), None);
    assert_eq!(fit_tool_name(""), None);
}

#[test]
fn fnv1a_known_vector_ok() {
    assert_eq!(fnv1a(b""), 0x811c_9dc5);
    assert_eq!(fnv1a(b"a"), 0xe40c_292c);
}
