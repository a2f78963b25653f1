use super::*;

fn principal(consumer: &str, groups: &[&str]) -> Principal {
    Principal::anonymous()
        .with_consumer(consumer)
        .with_groups(groups.iter().copied())
}

/// Seed 002's matrix: developers may list and read, admins may do everything, default deny.
fn seed_policy() -> AclPolicy {
    let mut tools = HashMap::new();
    tools.insert(
        "list_issues".to_owned(),
        AclRule::allow(["developer", "admin"]),
    );
    tools.insert("create_issue".to_owned(), AclRule::allow(["admin"]));
    tools.insert(
        "delete_repo".to_owned(),
        AclRule::allow(["admin"]).with_deny(["developer"]),
    );
    AclPolicy {
        default: Some(AclRule::allow(["admin"])),
        tools,
        consumer_identifier: ConsumerIdentifier::Username,
        include_consumer_groups: true,
        ..AclPolicy::default()
    }
}

#[test]
fn group_in_tool_allow_list_ok() {
    let policy = seed_policy();
    assert!(
        policy
            .check("list_issues", &principal("dev-1", &["developer"]))
            .is_ok()
    );
    assert!(
        policy
            .check("create_issue", &principal("boss", &["admin"]))
            .is_ok()
    );
}

#[test]
fn group_not_in_allow_list_fails_with_kong_message() {
    let denial = seed_policy()
        .check("create_issue", &principal("dev-1", &["developer"]))
        .expect_err("denied");
    assert_eq!(
        denial.to_string(),
        "Tool 'create_issue' is not available for consumer group 'developer'"
    );
}

#[test]
fn deny_beats_allow_fails() {
    let policy = seed_policy();
    let both = principal("x", &["admin", "developer"]);
    let denial = policy.check("delete_repo", &both).expect_err("deny wins");
    assert!(denial.subject.contains("'developer'"), "{denial}");
}

#[test]
fn default_applies_to_unlisted_tools_fails() {
    let policy = seed_policy();
    assert!(
        policy
            .check("anything_else", &principal("dev", &["developer"]))
            .is_err()
    );
    assert!(
        policy
            .check("anything_else", &principal("boss", &["admin"]))
            .is_ok()
    );
}

#[test]
fn consumer_names_match_without_groups_ok() {
    let mut policy = AclPolicy {
        default: Some(AclRule::allow(["alice"])),
        ..AclPolicy::default()
    };
    assert!(policy.check("t", &principal("alice", &[])).is_ok());
    let denial = policy.check("t", &principal("bob", &[])).expect_err("bob");
    assert_eq!(
        denial.to_string(),
        "Tool 't' is not available for consumer 'bob'"
    );
    // Groups only count when the policy says so.
    policy.default = Some(AclRule::allow(["gold"]));
    assert!(policy.check("t", &principal("bob", &["gold"])).is_err());
    policy.include_consumer_groups = true;
    assert!(policy.check("t", &principal("bob", &["gold"])).is_ok());
}

#[test]
fn anonymous_against_allow_list_fails() {
    let policy = AclPolicy {
        default: Some(AclRule::allow(["alice"])),
        ..AclPolicy::default()
    };
    let denial = policy
        .check("t", &Principal::anonymous())
        .expect_err("anonymous");
    assert_eq!(
        denial.to_string(),
        "Tool 't' is not available for anonymous callers"
    );
}

#[test]
fn no_rules_allow_everyone_ok() {
    let policy = AclPolicy::default();
    assert!(policy.is_open());
    assert!(policy.check("t", &Principal::anonymous()).is_ok());
}

#[test]
fn tool_rule_replaces_default_ok() {
    let mut policy = seed_policy();
    policy
        .tools
        .insert("open_tool".to_owned(), AclRule::default());
    assert!(
        policy
            .check("open_tool", &principal("dev", &["developer"]))
            .is_ok()
    );
}

#[test]
fn custom_id_identifier_ok() {
    let policy = AclPolicy {
        default: Some(AclRule::allow(["ext-7"])),
        consumer_identifier: ConsumerIdentifier::CustomId,
        ..AclPolicy::default()
    };
    let mut caller = principal("alice", &[]);
    assert!(policy.check("t", &caller).is_err());
    caller.consumer_custom_id = Some("ext-7".to_owned());
    assert!(policy.check("t", &caller).is_ok());
}

#[test]
fn tool_scope_missing_fails_and_hides_when_asked() {
    let mut policy = AclPolicy::default();
    policy
        .tool_scopes
        .insert("admin_tool".to_owned(), vec!["weather:admin".to_owned()]);
    let reader = Principal::anonymous().with_scopes(["weather:read"]);
    let denial = policy.check("admin_tool", &reader).expect_err("scope");
    assert_eq!(
        denial.to_string(),
        "Tool 'admin_tool' is not available for callers without scope 'weather:admin'"
    );
    assert!(
        policy.lists("admin_tool", &reader),
        "listed unless hiding is on"
    );
    policy.hide_tools_without_scopes = true;
    assert!(!policy.lists("admin_tool", &reader));
    let admin = Principal::anonymous().with_scopes(["weather:admin"]);
    assert!(policy.check("admin_tool", &admin).is_ok());
    assert!(policy.lists("admin_tool", &admin));
    assert!(policy.check("other", &reader).is_ok());
}
