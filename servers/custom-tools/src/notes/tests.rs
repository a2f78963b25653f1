use serde_json::{Value, json};
use toolgate_tools::{CallToolResult, JsonObject, ToolCatalog, ToolError, ToolSet};

use super::*;

fn catalog(store: &NoteStore) -> ToolCatalog {
    ToolCatalog::build([&ToolSet::new("notes").with_tools(tools(store))]).expect("valid catalog")
}

fn as_consumer(name: &str) -> CallContext {
    CallContext::detached(Principal::anonymous().with_consumer(name))
}

fn args(value: Value) -> Option<JsonObject> {
    match value {
        Value::Object(map) => Some(map),
        other => panic!("arguments must be an object, not {other}"),
    }
}

fn structured(result: &CallToolResult) -> &Value {
    result
        .structured_content
        .as_ref()
        .expect("structured content")
}

#[tokio::test]
async fn notes_are_kept_per_consumer() {
    let store = NoteStore::new();
    let catalog = catalog(&store);
    let added = catalog
        .call(
            "add_note",
            args(json!({"title": "Groceries", "body": "Milk, eggs", "tags": ["Home", "home"]})),
            as_consumer("alice"),
        )
        .await
        .expect("added");
    let note = structured(&added);
    assert_eq!(note["title"], "Groceries");
    assert_eq!(note["tags"], json!(["home"]));
    catalog
        .call(
            "add_note",
            args(json!({"title": "Release", "body": "Tag v1"})),
            as_consumer("bob"),
        )
        .await
        .expect("added");

    let alice = catalog
        .call("list_notes", args(json!({})), as_consumer("alice"))
        .await
        .expect("listed");
    assert_eq!(structured(&alice)["total"], 1);
    assert_eq!(structured(&alice)["notes"][0]["title"], "Groceries");
    let bob = catalog
        .call("list_notes", None, as_consumer("bob"))
        .await
        .expect("listed");
    assert_eq!(structured(&bob)["notes"][0]["title"], "Release");
    assert_eq!(store.list("alice").len(), 1);
}

#[tokio::test]
async fn search_matches_title_body_and_tags_up_to_the_limit() {
    let store = NoteStore::new();
    for i in 0..5 {
        store
            .add("carol", format!("Note {i}"), "about rust".into(), vec![])
            .expect("room");
    }
    store
        .add(
            "carol",
            "Other".into(),
            "nothing".into(),
            vec!["Rusty".into()],
        )
        .expect("room");
    let result = catalog(&store)
        .call(
            "search_notes",
            args(json!({"query": "RUST", "limit": 2})),
            as_consumer("carol"),
        )
        .await
        .expect("searched");
    assert_eq!(structured(&result)["total"], 6);
    assert_eq!(
        structured(&result)["notes"]
            .as_array()
            .expect("notes")
            .len(),
        2
    );
}

#[tokio::test]
async fn a_cancelled_search_stops() {
    let store = NoteStore::new();
    store
        .add("dave", "x".into(), "y".into(), vec![])
        .expect("room");
    let context = as_consumer("dave");
    context.cancellation().cancel();
    let result = catalog(&store)
        .call("search_notes", args(json!({"query": "x"})), context)
        .await
        .expect("a result");
    assert_eq!(result.is_error, Some(true));
}

#[tokio::test]
async fn deleting_another_consumers_note_fails_for_the_model() {
    let store = NoteStore::new();
    let note = store
        .add("alice", "Secret".into(), "…".into(), vec![])
        .expect("room");
    let catalog = catalog(&store);
    let result = catalog
        .call(
            "delete_note",
            args(json!({"id": note.id})),
            as_consumer("bob"),
        )
        .await
        .expect("a result, not a protocol error");
    assert_eq!(result.is_error, Some(true));
    assert_eq!(store.list("alice").len(), 1);
    let result = catalog
        .call(
            "delete_note",
            args(json!({"id": note.id})),
            as_consumer("alice"),
        )
        .await
        .expect("deleted");
    assert_eq!(result.is_error, Some(false));
    assert!(store.list("alice").is_empty());
}

#[tokio::test]
async fn limits_are_in_the_schema_and_refused_before_the_call() {
    let store = NoteStore::new();
    let error = catalog(&store)
        .call(
            "add_note",
            args(json!({"title": "", "body": "x".repeat(10_001)})),
            as_consumer("erin"),
        )
        .await
        .expect_err("too short a title, too long a body");
    assert!(
        matches!(error, ToolError::InvalidArguments { .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("argument 'title'"), "{message}");
    assert!(message.contains("argument 'body'"), "{message}");
    assert!(store.list("erin").is_empty());
}

#[test]
fn a_full_notebook_refuses_more() {
    let store = NoteStore::new();
    for i in 0..MAX_NOTES_PER_OWNER {
        store
            .add("frank", format!("{i}"), String::new(), vec![])
            .expect("room");
    }
    let failure = store
        .add("frank", "one more".into(), String::new(), vec![])
        .expect_err("full");
    assert!(failure.to_string().contains("full"), "{failure}");
    assert!(
        store
            .add("grace", "first".into(), String::new(), vec![])
            .is_ok()
    );
}

#[test]
fn the_owner_is_the_consumer_then_the_subject() {
    assert_eq!(
        owner_of(&Principal::anonymous().with_subject("s").with_consumer("c")),
        "c"
    );
    assert_eq!(owner_of(&Principal::anonymous().with_subject("s")), "s");
    assert_eq!(owner_of(&Principal::anonymous()), "anonymous");
}
