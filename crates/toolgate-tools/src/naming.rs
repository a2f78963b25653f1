//! Tool names: the allowed alphabet and length, and slugs from human titles.

/// The longest tool name toolgate serves; models and clients commonly refuse longer ones.
pub const MAX_TOOL_NAME_LEN: usize = 64;

/// Whether `name` matches `^[a-zA-Z0-9_-]{1,64}$`.
#[must_use]
pub fn is_valid_tool_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_TOOL_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A tool name from a human title: lower case, runs of other characters become one `-`,
/// no leading or trailing `-`, cut to [`MAX_TOOL_NAME_LEN`]. `"Realtime API"` →
/// `"realtime-api"`. Returns `None` when nothing usable is left.
#[must_use]
pub fn slugify(title: &str) -> Option<String> {
    let mut slug = String::with_capacity(title.len());
    let mut pending_dash = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    slug.truncate(MAX_TOOL_NAME_LEN);
    let slug = slug.trim_end_matches('-').to_owned();
    (!slug.is_empty()).then_some(slug)
}

#[cfg(test)]
mod tests;
