//! Reading Kong entities field by field: each field is taken once, typed, and whatever is left
//! at the end is reported by name, so nothing in a Kong file is ever silently dropped.

use serde_norway::{Mapping, Value};

use crate::{
    Problem,
    diag::{closest, edit_distance},
};

/// Problems and notes gathered over a whole translation.
#[derive(Debug, Default)]
pub(super) struct Diag {
    pub(super) problems: Vec<Problem>,
    pub(super) notes: Vec<String>,
}

impl Diag {
    pub(super) fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::error(path, message));
    }

    pub(super) fn note(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.notes.contains(&message) {
            self.notes.push(message);
        }
    }

    pub(super) fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
}

pub(super) use crate::load::kind;

/// Null, an empty list, an empty mapping, or a mapping of nothing but those: what `deck dump`
/// writes for a field that is not set.
pub(super) fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Sequence(items) => items.is_empty(),
        Value::Mapping(entries) => entries.values().all(is_unset),
        _ => false,
    }
}

/// Two values equal as Kong compares them (`10000` and `10000.0` are the same number).
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// `path.key`, or `key` at the top.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The fields of one Kong mapping (an entity, a plugin `config`), consumed one by one.
#[derive(Debug)]
pub(super) struct Fields {
    path: String,
    entries: Vec<(String, Value)>,
}

impl Fields {
    /// The mapping at `path`; `None` (and an error) for anything else. `what` names it in
    /// messages ("a route").
    pub(super) fn new(value: Value, path: &str, what: &str, diag: &mut Diag) -> Option<Self> {
        match value {
            Value::Mapping(mapping) => Some(Self::of(mapping, path, diag)),
            Value::Null => Some(Self::of(Mapping::new(), path, diag)),
            other => {
                diag.error(
                    path,
                    format!("expected {what} (a mapping), found {}", kind(&other)),
                );
                None
            }
        }
    }

    fn of(mapping: Mapping, path: &str, diag: &mut Diag) -> Self {
        let mut entries = Vec::with_capacity(mapping.len());
        for (key, value) in mapping {
            match key {
                Value::String(key) => entries.push((key, value)),
                other => diag.error(
                    path,
                    format!("field names must be strings, found {}", kind(&other)),
                ),
            }
        }
        Self {
            path: path.to_owned(),
            entries,
        }
    }

    /// The path of the mapping itself.
    pub(super) fn path(&self) -> &str {
        &self.path
    }

    /// The names of the fields not taken yet.
    pub(super) fn keys(&self) -> Vec<String> {
        self.entries.iter().map(|(k, _)| k.clone()).collect()
    }

    /// The path of field `key`.
    pub(super) fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Field `key`, removed; `None` when absent or unset (null, empty).
    pub(super) fn take(&mut self, key: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        let (_, value) = self.entries.remove(index);
        (!is_unset(&value)).then_some(value)
    }

    /// Field `key`, removed, even when unset (`enabled: null` is not `false`).
    pub(super) fn take_raw(&mut self, key: &str) -> Option<Value> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(index).1)
    }

    /// A string field; numbers and booleans are taken as written.
    pub(super) fn string(&mut self, key: &str, diag: &mut Diag) -> Option<String> {
        match self.take(key)? {
            Value::String(text) => Some(text),
            Value::Number(number) => Some(number.to_string()),
            Value::Bool(flag) => Some(flag.to_string()),
            other => {
                diag.error(
                    self.at(key),
                    format!("expected a string, found {}", kind(&other)),
                );
                None
            }
        }
    }

    /// A boolean field.
    pub(super) fn bool(&mut self, key: &str, diag: &mut Diag) -> Option<bool> {
        match self.take(key)? {
            Value::Bool(flag) => Some(flag),
            other => {
                diag.error(
                    self.at(key),
                    format!("expected true or false, found {}", kind(&other)),
                );
                None
            }
        }
    }

    /// A whole non-negative number (`45000` or `45000.0`).
    pub(super) fn count(&mut self, key: &str, diag: &mut Diag) -> Option<u64> {
        let value = self.take(key)?;
        let number = match &value {
            Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            }),
            _ => None,
        };
        if number.is_none() {
            diag.error(
                self.at(key),
                format!("expected a whole number ≥ 0, found {}", describe(&value)),
            );
        }
        number
    }

    /// A list of strings (a lone string is a list of one).
    pub(super) fn strings(&mut self, key: &str, diag: &mut Diag) -> Vec<String> {
        let Some(value) = self.take(key) else {
            return Vec::new();
        };
        let at = self.at(key);
        match value {
            Value::String(text) => vec![text],
            Value::Sequence(items) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, item)| match item {
                    Value::String(text) => Some(text),
                    Value::Number(number) => Some(number.to_string()),
                    other => {
                        diag.error(
                            format!("{at}[{i}]"),
                            format!("expected a string, found {}", kind(&other)),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                diag.error(
                    at,
                    format!("expected a list of strings, found {}", kind(&other)),
                );
                Vec::new()
            }
        }
    }

    /// A list field, each item with its path.
    pub(super) fn list(&mut self, key: &str, diag: &mut Diag) -> Vec<(String, Value)> {
        let Some(value) = self.take(key) else {
            return Vec::new();
        };
        let at = self.at(key);
        match value {
            Value::Sequence(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| (format!("{at}[{i}]"), item))
                .collect(),
            other => {
                diag.error(at, format!("expected a list, found {}", kind(&other)));
                Vec::new()
            }
        }
    }

    /// A nested mapping's fields (an absent one is empty).
    pub(super) fn nested(&mut self, key: &str, what: &str, diag: &mut Diag) -> Option<Self> {
        let at = self.at(key);
        let value = self.take(key).unwrap_or(Value::Null);
        Self::new(value, &at, what, diag)
    }

    /// Drops fields that only describe (tags, ids, timestamps): nothing to carry over.
    pub(super) fn informational(&mut self, keys: &[&str]) {
        self.entries.retain(|(k, _)| !keys.contains(&k.as_str()));
    }

    /// A field toolgate has no use for, accepted at Kong's default `default` (what
    /// `deck dump` writes); any other value is noted as not carried over, with `why`.
    pub(super) fn tolerate(&mut self, key: &str, default: &Value, why: &str, diag: &mut Diag) {
        if let Some(value) = self.take(key)
            && !same(&value, default)
        {
            diag.note(format!(
                "{}: {} is not carried over ({why})",
                self.at(key),
                describe(&value)
            ));
        }
    }

    /// A field whose only supported value is Kong's default `default`; anything else is an
    /// error saying `why`.
    pub(super) fn only_default(&mut self, key: &str, default: &Value, why: &str, diag: &mut Diag) {
        if let Some(value) = self.take(key)
            && !same(&value, default)
        {
            diag.error(
                self.at(key),
                format!("{} is not supported: {why}", describe(&value)),
            );
        }
    }

    /// Reports every field not taken (unset ones aside) as unsupported, with a "did you
    /// mean" among `known` (the fields this entity supports).
    pub(super) fn finish(self, what: &str, known: &[&str], diag: &mut Diag) {
        for (key, value) in self.entries {
            if is_unset(&value) {
                continue;
            }
            let mut message = format!("`{key}` in {what} is not supported by the import");
            // A typo is a letter or two away; a farther name is another Kong feature.
            let typo = closest(&key, known.iter().copied())
                .filter(|best| edit_distance(&key.to_lowercase(), &best.to_lowercase()) <= 2);
            match typo {
                Some(best) => message.push_str(&format!("; did you mean `{best}`?")),
                None if !known.is_empty() => message.push_str(&format!(
                    " (supported: {})",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                None => {}
            }
            diag.error(join(&self.path, &key), message);
        }
    }
}

/// A short rendering of a scalar value for messages (`false`, `"client"`, `a list`).
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Bool(flag) => format!("`{flag}`"),
        Value::Number(number) => format!("`{number}`"),
        Value::String(text) if text.len() <= 60 => format!("`{text}`"),
        other => kind(other).to_owned(),
    }
}
