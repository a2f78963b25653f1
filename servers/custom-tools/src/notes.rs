//! A notes store kept in memory, one notebook per caller, and its four typed tools:
//! `add_note`, `list_notes`, `search_notes` (with progress) and `delete_note`.
//!
//! The notebook is chosen by the caller's [`Principal`]: its consumer when the gateway maps
//! the request to one (API key, token claim), else the token's subject, else a shared
//! notebook for anonymous callers. Two consumers never see each other's notes.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{SystemTime, UNIX_EPOCH},
};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toolgate_tools::{CallContext, Json, Principal, Tool, ToolFailure, typed_tool};

/// The most notes one notebook holds.
pub const MAX_NOTES_PER_OWNER: usize = 1000;

/// Notes scanned between two progress notifications of `search_notes`.
const PROGRESS_EVERY: usize = 100;

/// One note.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Note {
    /// The note's id, unique in the store.
    pub id: u64,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// Its tags, lower case.
    pub tags: Vec<String>,
    /// When it was written, in seconds since the Unix epoch.
    pub created_at: u64,
}

/// The notes of every caller. Cheap to clone: clones share the notes.
#[derive(Clone, Debug, Default)]
pub struct NoteStore {
    inner: Arc<Mutex<Notebooks>>,
}

#[derive(Debug, Default)]
struct Notebooks {
    next_id: u64,
    by_owner: HashMap<String, Vec<Note>>,
}

/// The notebook a caller writes to.
#[must_use]
pub fn owner_of(principal: &Principal) -> String {
    principal
        .consumer
        .clone()
        .or_else(|| principal.subject.clone())
        .unwrap_or_else(|| "anonymous".to_owned())
}

impl NoteStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Notebooks> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a note to `owner`'s notebook.
    ///
    /// # Errors
    /// When the notebook already holds [`MAX_NOTES_PER_OWNER`] notes.
    pub fn add(
        &self,
        owner: &str,
        title: String,
        body: String,
        tags: Vec<String>,
    ) -> Result<Note, ToolFailure> {
        let mut notebooks = self.lock();
        let count = notebooks.by_owner.get(owner).map_or(0, Vec::len);
        if count >= MAX_NOTES_PER_OWNER {
            return Err(ToolFailure::message(format!(
                "the notebook is full ({MAX_NOTES_PER_OWNER} notes): delete some first"
            )));
        }
        notebooks.next_id += 1;
        let mut tags: Vec<String> = tags.into_iter().map(|t| t.to_lowercase()).collect();
        tags.sort();
        tags.dedup();
        let note = Note {
            id: notebooks.next_id,
            title,
            body,
            tags,
            created_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        notebooks
            .by_owner
            .entry(owner.to_owned())
            .or_default()
            .push(note.clone());
        Ok(note)
    }

    /// `owner`'s notes, oldest first.
    #[must_use]
    pub fn list(&self, owner: &str) -> Vec<Note> {
        self.lock().by_owner.get(owner).cloned().unwrap_or_default()
    }

    /// Removes note `id` from `owner`'s notebook; `None` when it holds no such note.
    pub fn delete(&self, owner: &str, id: u64) -> Option<Note> {
        let mut notebooks = self.lock();
        let notes = notebooks.by_owner.get_mut(owner)?;
        let index = notes.iter().position(|note| note.id == id)?;
        Some(notes.remove(index))
    }
}

/// Whether `note` mentions `query` (lower case) in its title, body or tags.
fn matches(note: &Note, query: &str) -> bool {
    note.title.to_lowercase().contains(query)
        || note.body.to_lowercase().contains(query)
        || note.tags.iter().any(|tag| tag.contains(query))
}

/// Arguments of `add_note`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNoteArgs {
    /// A short title.
    #[schemars(length(min = 1, max = 200))]
    pub title: String,
    /// The note's text.
    #[schemars(length(max = 10000))]
    pub body: String,
    /// Tags to find the note by, e.g. `["work", "todo"]`.
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub tags: Vec<String>,
}

/// Arguments of `list_notes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListNotesArgs {
    /// Only notes carrying this tag.
    #[serde(default)]
    pub tag: Option<String>,
}

/// Arguments of `search_notes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchNotesArgs {
    /// Text to look for in titles, bodies and tags (case does not matter).
    #[schemars(length(min = 1))]
    pub query: String,
    /// The most notes returned (default 10).
    #[serde(default)]
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
}

/// Arguments of `delete_note`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteNoteArgs {
    /// The id of the note, as `add_note` or `list_notes` gave it.
    pub id: u64,
}

/// What `list_notes` and `search_notes` answer.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NoteList {
    /// The notes found, oldest first.
    pub notes: Vec<Note>,
    /// How many notes matched, before any limit.
    pub total: usize,
}

/// The four notes tools over `store`.
#[must_use]
pub fn tools(store: &NoteStore) -> Vec<Arc<dyn Tool>> {
    let add = {
        let store = store.clone();
        typed_tool(
            "add_note",
            "Saves a note in the caller's notebook and returns it with its id.",
            move |args: AddNoteArgs, ctx: CallContext| {
                let store = store.clone();
                async move {
                    let owner = owner_of(ctx.principal());
                    let note = store.add(&owner, args.title, args.body, args.tags)?;
                    Ok(Json(note))
                }
            },
        )
        .with_title("Add a note")
        .destructive(false)
        .open_world(false)
    };
    let list = {
        let store = store.clone();
        typed_tool(
            "list_notes",
            "Lists the caller's notes, optionally only those with a tag.",
            move |args: ListNotesArgs, ctx: CallContext| {
                let store = store.clone();
                async move {
                    let tag = args.tag.map(|t| t.to_lowercase());
                    let notes: Vec<Note> = store
                        .list(&owner_of(ctx.principal()))
                        .into_iter()
                        .filter(|note| tag.as_ref().is_none_or(|tag| note.tags.contains(tag)))
                        .collect();
                    Ok(Json(NoteList {
                        total: notes.len(),
                        notes,
                    }))
                }
            },
        )
        .with_title("List notes")
        .read_only()
        .open_world(false)
    };
    let search = {
        let store = store.clone();
        typed_tool(
            "search_notes",
            "Finds the caller's notes mentioning a text in their title, body or tags.",
            move |args: SearchNotesArgs, ctx: CallContext| {
                let store = store.clone();
                async move { search(&store, &args, &ctx).await.map(Json) }
            },
        )
        .with_title("Search notes")
        .read_only()
        .open_world(false)
    };
    let delete = {
        let store = store.clone();
        typed_tool(
            "delete_note",
            "Deletes one of the caller's notes by id.",
            move |args: DeleteNoteArgs, ctx: CallContext| {
                let store = store.clone();
                async move {
                    match store.delete(&owner_of(ctx.principal()), args.id) {
                        Some(note) => Ok(format!("Deleted note {} ({}).", note.id, note.title)),
                        None => Err(ToolFailure::message(format!(
                            "You have no note {}: list_notes shows your notes and their ids.",
                            args.id
                        ))),
                    }
                }
            },
        )
        .with_title("Delete a note")
        .destructive(true)
        .idempotent(true)
        .open_world(false)
    };
    vec![
        Arc::new(add),
        Arc::new(list),
        Arc::new(search),
        Arc::new(delete),
    ]
}

/// Scans the caller's notebook, telling the client how far it got when it asked for
/// progress, and stopping when the call is cancelled.
async fn search(
    store: &NoteStore,
    args: &SearchNotesArgs,
    ctx: &CallContext,
) -> Result<NoteList, ToolFailure> {
    let query = args.query.to_lowercase();
    let limit = args.limit.unwrap_or(10) as usize;
    let notes = store.list(&owner_of(ctx.principal()));
    let scanned_total = notes.len();
    let mut found = Vec::new();
    let mut total = 0;
    for (index, note) in notes.into_iter().enumerate() {
        if index % PROGRESS_EVERY == 0 {
            if ctx.cancellation().is_cancelled() {
                return Err(ToolFailure::message("the search was cancelled"));
            }
            ctx.progress(
                index as f64,
                Some(scanned_total as f64),
                Some("searching notes"),
            )
            .await;
        }
        if matches(&note, &query) {
            total += 1;
            if found.len() < limit {
                found.push(note);
            }
        }
    }
    ctx.progress(
        scanned_total as f64,
        Some(scanned_total as f64),
        Some("done"),
    )
    .await;
    Ok(NoteList {
        notes: found,
        total,
    })
}

#[cfg(test)]
mod tests;
