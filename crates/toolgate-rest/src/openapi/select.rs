//! Choosing operations: by operationId, tag, method and path glob.

use serde::Deserialize;

/// Matches operations. Every field given must match; an empty selector matches everything.
///
/// Globs: `*` matches within one path segment (or any run of characters in an operationId),
/// `**` matches across segments, `?` one character.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Selector {
    /// operationId glob (`pets*`).
    #[serde(default)]
    pub operation_id: Option<String>,
    /// An OpenAPI tag of the operation.
    #[serde(default)]
    pub tag: Option<String>,
    /// HTTP method, any case.
    #[serde(default)]
    pub method: Option<String>,
    /// Path template glob (`/pets/**`).
    #[serde(default)]
    pub path: Option<String>,
}

impl Selector {
    /// Matches every operation.
    #[must_use]
    pub fn any() -> Self {
        Self::default()
    }

    /// Operations whose operationId matches `glob`.
    #[must_use]
    pub fn operation_id(mut self, glob: impl Into<String>) -> Self {
        self.operation_id = Some(glob.into());
        self
    }

    /// Operations carrying `tag`.
    #[must_use]
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Operations of `method`.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Operations whose path matches `glob`.
    #[must_use]
    pub fn path(mut self, glob: impl Into<String>) -> Self {
        self.path = Some(glob.into());
        self
    }

    pub(crate) fn matches(
        &self,
        method: &str,
        path: &str,
        operation_id: Option<&str>,
        tags: &[&str],
    ) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.tag.as_deref().is_none_or(|t| tags.contains(&t))
            && self.path.as_deref().is_none_or(|g| glob(g, path, true))
            && self
                .operation_id
                .as_deref()
                .is_none_or(|g| operation_id.is_some_and(|id| glob(g, id, false)))
    }
}

/// Whether `text` matches `pattern`; with `segments`, `*` stops at `/` and `**` does not.
pub(crate) fn glob(pattern: &str, text: &str, segments: bool) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // Iterative matching with backtracking points, linear in practice, never recursive.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize, bool)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            let double = p + 1 < pattern.len() && pattern[p + 1] == '*';
            p += if double { 2 } else { 1 };
            star = Some((p, t, double || !segments));
            continue;
        }
        if p < pattern.len()
            && (pattern[p] == '?' || pattern[p] == text[t])
            && !(segments && pattern[p] == '?' && text[t] == '/')
        {
            p += 1;
            t += 1;
            continue;
        }
        match star {
            Some((star_p, star_t, crosses)) if crosses || text[star_t] != '/' => {
                star = Some((star_p, star_t + 1, crosses));
                p = star_p;
                t = star_t + 1;
            }
            _ => return false,
        }
    }
    while p < pattern.len() && pattern[p] == '*' {
        p += 1;
    }
    p == pattern.len()
}
