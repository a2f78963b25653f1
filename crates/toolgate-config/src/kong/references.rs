//! Environment references kept as written (`toolgate import kong`): each `${{ env "X" }}`,
//! `${{ file "P" }}` and `${X}` becomes a plain placeholder word before the YAML is parsed, so
//! the translation never sees a secret, and the reference is written back into the output.

use serde_norway::Value;

use crate::Problem;

/// One reference and the word standing for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Reference {
    /// Lower-case letters and digits only: a YAML plain scalar, a URL host, a header value.
    pub(super) placeholder: String,
    /// The reference as written, e.g. `${{ env "DECK_OKTA_CLIENT_ID" }}`.
    pub(super) text: String,
}

/// `text` with every reference replaced by its placeholder (the same reference, the same
/// placeholder), and the references; the same syntax as interpolation, comment-only lines
/// left alone, `$${` kept as the literal it stands for.
pub(super) fn hide(text: &str) -> Result<(String, Vec<Reference>), Vec<Problem>> {
    let mut stem = String::from("kongref");
    while text.contains(&stem) {
        stem.push('q');
    }
    let mut references: Vec<Reference> = Vec::new();
    let mut problems = Vec::new();
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let reference_len = if let Some(after) = tail.strip_prefix("$${") {
                out.push_str("$${");
                rest = after;
                continue;
            } else if let Some(after) = tail.strip_prefix("${{") {
                match after.find("}}") {
                    Some(end) if well_formed(after[..end].trim()) => Some(3 + end + 2),
                    Some(end) => {
                        problems.push(
                            Problem::error(
                                "",
                                format!(
                                    "`${{{{{}}}}}`: expected `env \"NAME\"` or `file \"PATH\"`",
                                    &after[..end]
                                ),
                            )
                            .at_line(Some(index + 1)),
                        );
                        Some(3 + end + 2)
                    }
                    None => {
                        problems.push(
                            Problem::error("", "`${{` without a closing `}}`")
                                .at_line(Some(index + 1)),
                        );
                        None
                    }
                }
            } else if let Some(after) = tail.strip_prefix("${") {
                let name_len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                let name = &after[..name_len];
                let valid = !name.is_empty()
                    && !name.starts_with(|c: char| c.is_ascii_digit())
                    && after[name_len..].starts_with('}');
                valid.then_some(2 + name_len + 1)
            } else {
                None
            };
            match reference_len {
                Some(len) => {
                    let written = &tail[..len];
                    let placeholder = match references.iter().find(|r| r.text == written) {
                        Some(known) => known.placeholder.clone(),
                        None => {
                            let placeholder = format!("{stem}{}x", references.len());
                            references.push(Reference {
                                placeholder: placeholder.clone(),
                                text: written.to_owned(),
                            });
                            placeholder
                        }
                    };
                    out.push_str(&placeholder);
                    rest = &tail[len..];
                }
                None => {
                    out.push('$');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
    }
    if problems.is_empty() {
        Ok((out, references))
    } else {
        Err(problems)
    }
}

fn well_formed(inner: &str) -> bool {
    let Some((function, argument)) = inner.split_once(char::is_whitespace) else {
        return false;
    };
    let argument = argument.trim();
    matches!(function, "env" | "file")
        && argument.len() >= 2
        && argument.starts_with('"')
        && argument.ends_with('"')
}

/// `text` with each placeholder replaced by its reference.
pub(super) fn restore(text: &str, references: &[Reference]) -> String {
    // Longest first is not needed: placeholders end in `x` after their number.
    references.iter().fold(text.to_owned(), |text, r| {
        text.replace(&r.placeholder, &r.text)
    })
}

/// `text` with each reference replaced by its placeholder.
fn conceal(text: &str, references: &[Reference]) -> String {
    references.iter().fold(text.to_owned(), |text, r| {
        text.replace(&r.text, &r.placeholder)
    })
}

/// Applies `edit` to every string (keys included) of `value`.
pub(super) fn map_strings(value: &mut Value, edit: &dyn Fn(&str) -> String) {
    match value {
        Value::String(text) => *text = edit(text),
        Value::Sequence(items) => items.iter_mut().for_each(|item| map_strings(item, edit)),
        Value::Mapping(entries) => {
            let old = std::mem::take(entries);
            for (mut key, mut item) in old {
                map_strings(&mut key, edit);
                map_strings(&mut item, edit);
                entries.insert(key, item);
            }
        }
        Value::Tagged(tagged) => map_strings(&mut tagged.value, edit),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The YAML text of `document` with its references written as references: a reference that
/// is a whole plain scalar is double-quoted, as decK files write them (`"${{ env "X" }}"`),
/// so that any value it stands for stays one YAML string.
pub(super) fn yaml_with_references(document: &Value, references: &[Reference]) -> String {
    let mut hidden = document.clone();
    map_strings(&mut hidden, &|text| conceal(text, references));
    let text = serde_norway::to_string(&hidden)
        .unwrap_or_else(|error| format!("# the document cannot be written: {error}\n"));
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let mut restored = None;
        for r in references {
            let whole = body.strip_suffix(&r.placeholder).is_some_and(|head| {
                head.ends_with(": ")
                    || (head.ends_with("- ") && head.chars().all(|c| c == '-' || c == ' '))
            });
            if whole {
                let head = &body[..body.len() - r.placeholder.len()];
                restored = Some(format!("{head}\"{}\"", r.text));
                break;
            }
        }
        let line_out = match restored {
            Some(quoted) => format!("{}\n", restore(&quoted, references)),
            None => restore(line, references),
        };
        out.push_str(&line_out);
    }
    out
}
