//! Reading a configuration: interpolation, YAML parsing, deserialization item by item (so one
//! bad endpoint does not hide the problems of the next), then validation. Every problem
//! carries its field path and, through a [`LineIndex`], its line.

use std::{collections::HashMap, path::Path};

use serde::de::DeserializeOwned;
use serde_norway::Value;

use crate::{
    ConfigError, Environment, Problem,
    diag::{closest, with_suggestion},
    interpolate::interpolate,
    model::{
        AuthConfig, Config, ConsumerConfig, ConsumerGroupConfig, EndpointConfig, ListenerConfig,
        ToolsetConfig,
    },
    validate::validate,
};

/// A configuration that parsed and validated, with its warnings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LoadedConfig {
    /// The configuration.
    pub config: Config,
    /// Where it came from (a file path), for messages.
    pub origin: String,
    /// The directory relative paths in it are taken from.
    pub base_dir: Option<std::path::PathBuf>,
    /// Problems that do not stop it from working.
    pub warnings: Vec<Problem>,
}

/// Reads, interpolates (process environment) and validates a file.
///
/// # Errors
/// [`ConfigError::Read`] when it cannot be read; [`ConfigError::Invalid`] listing every
/// problem found.
pub fn load_file(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        origin: origin.clone(),
        source,
    })?;
    let base_dir = path.parent().map(Path::to_path_buf);
    let env = Environment::process(base_dir.as_deref());
    let mut loaded = load_str(&text, &origin, &env)?;
    loaded.base_dir = base_dir;
    Ok(loaded)
}

/// Interpolates, parses and validates `text`; `origin` names it in messages.
///
/// # Errors
/// [`ConfigError::Invalid`] listing every problem found.
pub fn load_str(
    text: &str,
    origin: &str,
    env: &Environment<'_>,
) -> Result<LoadedConfig, ConfigError> {
    let invalid = |problems: Vec<Problem>| ConfigError::Invalid {
        origin: origin.to_owned(),
        problems,
    };
    let text = interpolate(text, env).map_err(invalid)?;
    let value: Value = serde_norway::from_str(&text).map_err(|error| {
        let line = error.location().map(|l| l.line());
        invalid(vec![Problem::error("", yaml_message(&error)).at_line(line)])
    })?;
    let index = LineIndex::new(&text);
    load_value(value, origin, Some(&index))
}

/// Deserializes and validates an already parsed document (a Kong translation, a test);
/// `lines` gives line numbers when the document came from text.
///
/// # Errors
/// [`ConfigError::Invalid`] listing every problem found.
pub fn load_value(
    value: Value,
    origin: &str,
    lines: Option<&LineIndex>,
) -> Result<LoadedConfig, ConfigError> {
    let mut problems = Vec::new();
    let config = deserialize(value, &mut problems);
    if let Some(config) = &config {
        problems.extend(validate(config));
    }
    if let Some(lines) = lines {
        for problem in &mut problems {
            if problem.line.is_none() {
                problem.line = lines.line_of(&problem.path);
            }
        }
    }
    problems.sort_by_key(|p| (p.severity, p.line.unwrap_or(usize::MAX)));
    match config {
        Some(config) if !problems.iter().any(Problem::is_error) => Ok(LoadedConfig {
            config,
            origin: origin.to_owned(),
            base_dir: None,
            warnings: problems,
        }),
        _ => Err(ConfigError::Invalid {
            origin: origin.to_owned(),
            problems,
        }),
    }
}

const SECTIONS: &[&str] = &[
    "_format_version",
    "listeners",
    "admin",
    "audit",
    "endpoints",
    "toolsets",
    "auth",
    "consumer_groups",
    "consumers",
    "deny_private_networks",
];

/// The document section by section and item by item; `None` when any part failed (each
/// failure is in `problems`).
fn deserialize(value: Value, problems: &mut Vec<Problem>) -> Option<Config> {
    let before = problems.len();
    let mapping = match value {
        Value::Null => return Some(Config::default()),
        Value::Mapping(mapping) => mapping,
        other => {
            problems.push(Problem::error(
                "",
                format!(
                    "expected a mapping of sections ({}), found {}",
                    SECTIONS[1..].join(", "),
                    kind(&other)
                ),
            ));
            return None;
        }
    };
    let mut config = Config::default();
    for (key, value) in mapping {
        let Some(key) = key.as_str().map(str::to_owned) else {
            problems.push(Problem::error(
                "",
                format!("a section name must be a string, found {}", kind(&key)),
            ));
            continue;
        };
        match key.as_str() {
            "_format_version" => config.format_version = item(value, &key, problems),
            "admin" => config.admin = item(value, &key, problems),
            "audit" => config.audit = item(value, &key, problems),
            "listeners" => config.listeners = list::<ListenerConfig>(value, &key, problems),
            "endpoints" => config.endpoints = list::<EndpointConfig>(value, &key, problems),
            "toolsets" => config.toolsets = list::<ToolsetConfig>(value, &key, problems),
            "consumer_groups" => {
                config.consumer_groups = list::<ConsumerGroupConfig>(value, &key, problems);
            }
            "consumers" => config.consumers = list::<ConsumerConfig>(value, &key, problems),
            "deny_private_networks" => {
                config.deny_private_networks = item(value, &key, problems).unwrap_or_default();
            }
            "auth" => match value {
                Value::Mapping(profiles) => {
                    for (name, profile) in profiles {
                        let Some(name) = name.as_str().map(str::to_owned) else {
                            problems.push(Problem::error("auth", "profile names must be strings"));
                            continue;
                        };
                        if let Some(profile) =
                            item::<AuthConfig>(profile, &format!("auth.{name}"), problems)
                        {
                            config.auth.insert(name, profile);
                        }
                    }
                }
                Value::Null => {}
                other => problems.push(Problem::error(
                    "auth",
                    format!(
                        "expected a mapping of profile names to profiles, found {}",
                        kind(&other)
                    ),
                )),
            },
            unknown => {
                let mut message = format!(
                    "unknown section `{unknown}`, expected one of {}",
                    SECTIONS
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if let Some(best) = closest(unknown, SECTIONS.iter().copied()) {
                    message.push_str(&format!("; did you mean `{best}`?"));
                }
                problems.push(Problem::error(unknown, message));
            }
        }
    }
    (problems.len() == before).then_some(config)
}

fn list<T: DeserializeOwned>(value: Value, path: &str, problems: &mut Vec<Problem>) -> Vec<T> {
    match value {
        Value::Sequence(items) => items
            .into_iter()
            .enumerate()
            .filter_map(|(index, value)| item(value, &format!("{path}[{index}]"), problems))
            .collect(),
        Value::Null => Vec::new(),
        other => {
            problems.push(Problem::error(
                path,
                format!("expected a list, found {}", kind(&other)),
            ));
            Vec::new()
        }
    }
}

fn item<T: DeserializeOwned>(value: Value, path: &str, problems: &mut Vec<Problem>) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(item) => Some(item),
        Err(error) => {
            let inner = error.path().to_string();
            let full = match inner.as_str() {
                "." | "" => path.to_owned(),
                inner if inner.starts_with('[') => format!("{path}{inner}"),
                inner => format!("{path}.{inner}"),
            };
            let message = with_suggestion(&strip_path_prefix(&error.into_inner().to_string()));
            problems.push(Problem::error(full, message));
            None
        }
    }
}

/// serde_norway's messages may start with (part of) the path again.
fn strip_path_prefix(message: &str) -> String {
    match message.split_once(": ") {
        Some((head, rest)) if !head.contains(' ') && (head.contains('.') || head.contains('[')) => {
            rest.to_owned()
        }
        _ => message.to_owned(),
    }
}

fn yaml_message(error: &serde_norway::Error) -> String {
    let text = error.to_string();
    // "… at line 3 column 5": the line is reported separately.
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// What a value is, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Where each field path of a YAML text starts: `endpoints[1].auth` → line 14.
#[derive(Debug, Default)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
}

enum Frame {
    Mapping { key: Option<String> },
    Sequence { index: usize },
}

impl LineIndex {
    /// Indexes `text` (the first document); an unparsable text gives an empty index.
    #[must_use]
    pub fn new(text: &str) -> Self {
        use yaml_rust2::parser::{Event, Parser};

        let mut lines = HashMap::new();
        let mut stack: Vec<(Frame, String)> = Vec::new();
        let mut parser = Parser::new_from_str(text);
        // Called with the path of the value about to start; returns it.
        fn value_path(stack: &mut [(Frame, String)]) -> Option<String> {
            let (frame, path) = stack.last_mut()?;
            Some(match frame {
                Frame::Mapping { key } => {
                    let key = key.take()?;
                    if path.is_empty() {
                        key
                    } else {
                        format!("{path}.{key}")
                    }
                }
                Frame::Sequence { index } => {
                    let at = format!("{path}[{index}]");
                    *index += 1;
                    at
                }
            })
        }
        while let Ok((event, marker)) = parser.next_token() {
            let line = marker.line();
            match event {
                Event::StreamEnd | Event::DocumentEnd => break,
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let path = value_path(&mut stack).unwrap_or_default();
                    lines.entry(path.clone()).or_insert(line);
                    let frame = if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping { key: None }
                    } else {
                        Frame::Sequence { index: 0 }
                    };
                    stack.push((frame, path));
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::Scalar(value, ..) => {
                    let is_key = matches!(stack.last(), Some((Frame::Mapping { key: None }, _)));
                    if is_key {
                        if let Some((Frame::Mapping { key }, path)) = stack.last_mut() {
                            let full = if path.is_empty() {
                                value.clone()
                            } else {
                                format!("{path}.{value}")
                            };
                            lines.entry(full).or_insert(line);
                            *key = Some(value);
                        }
                    } else if let Some(path) = value_path(&mut stack) {
                        lines.entry(path).or_insert(line);
                    }
                }
                Event::Alias(_) => {
                    value_path(&mut stack);
                }
                _ => {}
            }
        }
        Self { lines }
    }

    /// The line of `path`, or of its nearest indexed parent.
    #[must_use]
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return Some(*line);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

#[cfg(test)]
mod tests;
