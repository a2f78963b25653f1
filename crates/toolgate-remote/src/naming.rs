//! Names of remote tools: prefixing, deterministic shortening to 64 characters, and the
//! include/exclude globs.

use toolgate_tools::fit_tool_name;

/// The served name of upstream tool `tool`: `{prefix}_{tool}`, or `tool` without a prefix,
/// shortened when over 64 characters by [`fit_tool_name`] (a readable head plus `_` and 8
/// hex digits of a stable hash of the full name). `None` when the result is not a valid tool name.
#[must_use]
pub fn served_name(prefix: Option<&str>, tool: &str) -> Option<String> {
    match prefix {
        Some(prefix) => fit_tool_name(&format!("{prefix}_{tool}")),
        None => fit_tool_name(tool),
    }
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
