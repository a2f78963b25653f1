//! Names of remote tools: prefixing, deterministic shortening to 64 characters, and the
//! include/exclude globs.

use toolgate_tools::{MAX_TOOL_NAME_LEN, is_valid_tool_name};

/// Length of the hash suffix of a shortened name: `_` and 8 hex digits.
const HASH_SUFFIX_LEN: usize = 9;

/// The served name of upstream tool `tool`: `{prefix}_{tool}`, or `tool` without a prefix,
/// shortened when over [`MAX_TOOL_NAME_LEN`] to a readable head plus `_` and 8 hex digits
/// of the FNV-1a hash of the full name. `None` when the result is not a valid tool name.
#[must_use]
pub fn served_name(prefix: Option<&str>, tool: &str) -> Option<String> {
    let full = match prefix {
        Some(prefix) => format!("{prefix}_{tool}"),
        None => tool.to_owned(),
    };
    if full.is_empty()
        || !full
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    if full.len() <= MAX_TOOL_NAME_LEN {
        return Some(full);
    }
    // Only ASCII is left, so byte offsets are character boundaries.
    let head = full[..MAX_TOOL_NAME_LEN - HASH_SUFFIX_LEN].trim_end_matches(['_', '-']);
    let name = format!("{head}_{:08x}", fnv1a(full.as_bytes()));
    is_valid_tool_name(&name).then_some(name)
}

/// 32-bit FNV-1a: stable across builds and platforms.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193)
    })
}

/// Whether `name` matches `glob`, where `*` is any run of characters and `?` one character.
#[must_use]
pub fn glob_matches(glob: &str, name: &str) -> bool {
    let glob: Vec<char> = glob.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut g, mut n) = (0, 0);
    // Where the last `*` was, and which name position it currently swallows up to.
    let mut backtrack: Option<(usize, usize)> = None;
    while n < name.len() {
        match glob.get(g) {
            Some('*') => {
                backtrack = Some((g, n));
                g += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                g += 1;
                n += 1;
            }
            _ => match backtrack {
                Some((star, swallowed)) => {
                    g = star + 1;
                    n = swallowed + 1;
                    backtrack = Some((star, swallowed + 1));
                }
                None => return false,
            },
        }
    }
    glob[g..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests;
