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

/// Characters of the hash suffix [`fit_tool_name`] appends: `_` and 8 hex digits.
const HASH_SUFFIX_LEN: usize = 9;

/// `name` if it fits in [`MAX_TOOL_NAME_LEN`]; otherwise a readable head followed by `_` and
/// 8 hex digits of a stable hash of the whole name, so long names stay distinct and the same
/// name always shortens the same way. `None` when `name` has characters outside
/// `[a-zA-Z0-9_-]` or is empty.
#[must_use]
pub fn fit_tool_name(name: &str) -> Option<String> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    if name.len() <= MAX_TOOL_NAME_LEN {
        return Some(name.to_owned());
    }
    // Only ASCII is left, so byte offsets are character boundaries.
    let head = name[..MAX_TOOL_NAME_LEN - HASH_SUFFIX_LEN].trim_end_matches(['_', '-']);
    let fitted = format!("{head}_{:08x}", fnv1a(name.as_bytes()));
    is_valid_tool_name(&fitted).then_some(fitted)
}

/// 32-bit FNV-1a: stable across builds and platforms.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
    })
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
