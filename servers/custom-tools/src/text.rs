//! Text tools written as an rmcp server: a `#[tool_router]` struct, exactly as the rmcp SDK
//! documents it. The same struct serves on its own with rmcp (`server_handler` makes it a
//! `ServerHandler`); toolgate mounts its router with
//! [`rmcp_tools`](toolgate_tools::rmcp_tools), so its tools get the gateway's auth, ACLs
//! and audit like any other.

use std::sync::Arc;

use rmcp::{
    handler::server::{
        tool::Extension,
        wrapper::{Json, Parameters},
    },
    schemars::JsonSchema,
    tool, tool_router,
};
use serde::{Deserialize, Serialize};
use toolgate_tools::Principal;

/// Word counts, case changes and signatures.
#[derive(Clone, Debug, Default)]
pub struct TextTools;

/// A text.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TextArgs {
    /// The text.
    #[schemars(length(max = 100_000))]
    pub text: String,
}

/// A letter case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    /// `snake_case`
    Snake,
    /// `kebab-case`
    Kebab,
    /// `camelCase`
    Camel,
    /// `Title Case`
    Title,
    /// `UPPER CASE`
    Upper,
    /// `lower case`
    Lower,
}

/// Arguments of `change_case`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ChangeCaseArgs {
    /// The text.
    #[schemars(length(max = 100_000))]
    pub text: String,
    /// The case wanted.
    pub case: Case,
}

/// What `word_count` answers.
#[derive(Debug, PartialEq, Serialize, JsonSchema)]
pub struct WordCount {
    /// Words (runs of letters and digits).
    pub words: usize,
    /// Lines.
    pub lines: usize,
    /// Characters (Unicode scalar values).
    pub characters: usize,
}

/// The words of `text`: runs of letters and digits, split again where a lower-case letter
/// is followed by an upper-case one (`camelCase` is two words).
fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// `text` rewritten in `case`.
#[must_use]
pub fn change_case(text: &str, case: Case) -> String {
    let words = words(text);
    let lower = || words.iter().map(|w| w.to_lowercase());
    match case {
        Case::Snake => lower().collect::<Vec<_>>().join("_"),
        Case::Kebab => lower().collect::<Vec<_>>().join("-"),
        Case::Camel => words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 {
                    w.to_lowercase()
                } else {
                    capitalized(w)
                }
            })
            .collect(),
        Case::Title => words
            .iter()
            .map(|w| capitalized(w))
            .collect::<Vec<_>>()
            .join(" "),
        Case::Upper => text.to_uppercase(),
        Case::Lower => text.to_lowercase(),
    }
}

#[tool_router(server_handler, vis = "pub")]
impl TextTools {
    /// Counts words, lines and characters.
    #[tool(
        description = "Counts the words, lines and characters of a text.",
        annotations(title = "Count words", read_only_hint = true, open_world_hint = false)
    )]
    fn word_count(&self, Parameters(TextArgs { text }): Parameters<TextArgs>) -> Json<WordCount> {
        Json(WordCount {
            words: words(&text).len(),
            lines: text.lines().count(),
            characters: text.chars().count(),
        })
    }

    /// Rewrites a text in another letter case.
    #[tool(
        description = "Rewrites a text in snake_case, kebab-case, camelCase, Title Case, UPPER or lower case.",
        annotations(title = "Change case", read_only_hint = true, open_world_hint = false)
    )]
    fn change_case(
        &self,
        Parameters(ChangeCaseArgs { text, case }): Parameters<ChangeCaseArgs>,
    ) -> String {
        change_case(&text, case)
    }

    /// Signs a text with the caller's name: a failure for anonymous callers, who have none.
    #[tool(
        description = "Appends the caller's name to a text as a signature. Needs an authenticated caller.",
        annotations(title = "Sign", read_only_hint = true, open_world_hint = false)
    )]
    fn sign(
        &self,
        Extension(principal): Extension<Arc<Principal>>,
        Parameters(TextArgs { text }): Parameters<TextArgs>,
    ) -> Result<String, String> {
        let name = principal
            .consumer
            .as_deref()
            .or(principal.subject.as_deref())
            .ok_or_else(|| {
                "Anonymous callers cannot sign: authenticate with an API key or a token.".to_owned()
            })?;
        Ok(format!("{}\n\n— {name}", text.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_separators_and_case_changes() {
        assert_eq!(
            words("helloWorld  foo-bar_baz42"),
            ["hello", "World", "foo", "bar", "baz42"]
        );
        assert_eq!(words("HTTPServer"), ["HTTPServer"]);
    }

    #[test]
    fn every_case() {
        let text = "Toolgate custom tools";
        assert_eq!(change_case(text, Case::Snake), "toolgate_custom_tools");
        assert_eq!(change_case(text, Case::Kebab), "toolgate-custom-tools");
        assert_eq!(change_case(text, Case::Camel), "toolgateCustomTools");
        assert_eq!(
            change_case("toolgate_custom_tools", Case::Title),
            "Toolgate Custom Tools"
        );
        assert_eq!(change_case(text, Case::Upper), "TOOLGATE CUSTOM TOOLS");
        assert_eq!(change_case(text, Case::Lower), "toolgate custom tools");
    }
}
