//! Problems found in a configuration: each names the field path and, where known, the line.

use std::fmt;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The configuration cannot be used.
    Error,
    /// It can, but probably does not do what was meant (an ACL naming nobody known…).
    Warning,
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The field path, `endpoints[0].auth`; empty for the whole document.
    pub path: String,
    /// The 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong, and where possible what would be right.
    pub message: String,
}

impl Problem {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// The same problem at `line`.
    #[must_use]
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = self.line.or(line);
        self
    }

    /// Whether it is an error.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `origin:line: path: message`, the form `validate` prints.
    #[must_use]
    pub fn display_in<'a>(&'a self, origin: &'a str) -> impl fmt::Display + 'a {
        DisplayIn {
            problem: self,
            origin,
        }
    }
}

struct DisplayIn<'a> {
    problem: &'a Problem,
    origin: &'a str,
}

impl fmt::Display for DisplayIn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.problem;
        f.write_str(self.origin)?;
        if let Some(line) = p.line {
            write!(f, ":{line}")?;
        }
        if p.severity == Severity::Warning {
            f.write_str(": warning")?;
        }
        if !p.path.is_empty() {
            write!(f, ": {}", p.path)?;
        }
        write!(f, ": {}", p.message)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.display_in("config").fmt(f)
    }
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {origin}: {source}")]
    Read {
        /// The file.
        origin: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file has problems; every one found is listed (warnings included).
    #[error("{}", list(origin, problems))]
    Invalid {
        /// The file.
        origin: String,
        /// What is wrong, errors first.
        problems: Vec<Problem>,
    },
    /// The configuration is valid but a part could not be built (an OpenAPI document that
    /// cannot be loaded, a remote server's command that cannot start…).
    #[error("{origin}: {path}: {message}")]
    Build {
        /// The file.
        origin: String,
        /// The field path of the part.
        path: String,
        /// Why.
        message: String,
    },
}

impl ConfigError {
    /// The problems, for `Invalid`; empty otherwise.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn list(origin: &str, problems: &[Problem]) -> String {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let mut out = format!(
        "{origin}: {errors} error{}",
        if errors == 1 { "" } else { "s" }
    );
    for problem in problems {
        out.push_str("\n  ");
        out.push_str(&problem.display_in(origin).to_string());
    }
    out
}

/// Appends "did you mean `x`?" to a serde message naming an unknown field or variant and
/// listing the expected ones, when one of them is close.
pub(crate) fn with_suggestion(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return message.to_owned();
    };
    let Some((given, tail)) = rest.split_once('`') else {
        return message.to_owned();
    };
    let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    match closest(given, expected.iter().copied()) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_owned(),
    }
}

/// The candidate closest to `given` by edit distance, if close enough to be a typo.
pub(crate) fn closest<'a>(
    given: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (given.chars().count() / 3).max(1) + 1;
    candidates
        .map(|c| (edit_distance(&given.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_gets_a_suggestion_ok() {
        let message = "unknown field `alow`, expected `allow` or `deny`";
        assert_eq!(
            with_suggestion(message),
            format!("{message}; did you mean `allow`?")
        );
    }

    #[test]
    fn unknown_variant_gets_a_suggestion_ok() {
        let message = "unknown variant `statefull`, expected `stateful` or `stateless`";
        assert!(with_suggestion(message).ends_with("did you mean `stateful`?"));
    }

    #[test]
    fn nothing_close_gets_no_suggestion_ok() {
        let message = "unknown field `zzzzzz`, expected one of `listeners`, `endpoints`";
        assert_eq!(with_suggestion(message), message);
    }

    #[test]
    fn distance_is_levenshtein_ok() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
