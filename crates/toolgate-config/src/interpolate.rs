//! Environment interpolation, a text pass before YAML parsing as decK does it: seed files
//! write `- "${{ env "DECK_WEATHERAPI_API_KEY" }}"`, which is only YAML once substituted.
//!
//! - `${{ env "NAME" }}`: decK's form;
//! - `${NAME}`: the shell's form (`NAME` of letters, digits and `_`, not starting with a digit);
//! - `${{ file "PATH" }}`: a file's content, one trailing newline removed (secrets mounted
//!   as files); a relative path is taken from the configuration file's directory;
//! - `$${` stands for a literal `${`.
//!
//! Lines that are only a YAML comment are left alone. Every unset variable and unreadable
//! file is reported at once, with its line.

use std::path::{Path, PathBuf};

use crate::Problem;

/// Largest file `${{ file "…" }}` reads.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Where interpolation reads variables and files.
pub struct Environment<'a> {
    vars: Lookup<'a>,
    base_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Environment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("base_dir", &self.base_dir)
            .finish_non_exhaustive()
    }
}

impl Environment<'static> {
    /// The process environment; files relative to `base_dir` (the config file's directory).
    #[must_use]
    pub fn process(base_dir: Option<&Path>) -> Self {
        Self {
            vars: Box::new(|name| std::env::var(name).ok()),
            base_dir: base_dir.map(Path::to_path_buf),
        }
    }
}

impl<'a> Environment<'a> {
    /// Variables from `lookup` (tests, embedding); files relative to `base_dir`.
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + 'a, base_dir: Option<&Path>) -> Self {
        Self {
            vars: Box::new(lookup),
            base_dir: base_dir.map(Path::to_path_buf),
        }
    }

    fn var(&self, name: &str) -> Option<String> {
        (self.vars)(name)
    }

    fn file(&self, path: &str) -> std::io::Result<String> {
        let path = Path::new(path);
        let path = match (&self.base_dir, path.is_relative()) {
            (Some(dir), true) => dir.join(path),
            _ => path.to_path_buf(),
        };
        // A device or a pipe (`/dev/zero`, `/dev/stdin`) would never end; secrets are small.
        let metadata = std::fs::metadata(&path)?;
        if !metadata.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(std::io::Error::other(format!(
                "larger than {MAX_FILE_BYTES} bytes"
            )));
        }
        let mut text = std::fs::read_to_string(path)?;
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        Ok(text)
    }
}

/// Substitutes every reference in `text`.
///
/// # Errors
/// One [`Problem`] per unset variable, unreadable file or malformed reference, with its line.
pub fn interpolate(text: &str, env: &Environment<'_>) -> Result<String, Vec<Problem>> {
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = index + 1;
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            continue;
        }
        interpolate_line(line, number, env, &mut out, &mut problems);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn interpolate_line(
    line: &str,
    number: usize,
    env: &Environment<'_>,
    out: &mut String,
    problems: &mut Vec<Problem>,
) {
    let mut rest = line;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${{") {
            let Some(end) = after.find("}}") else {
                problems
                    .push(Problem::error("", "`${{` without a closing `}}`").at_line(Some(number)));
                out.push_str(tail);
                return;
            };
            let inner = after[..end].trim();
            match template(inner, env) {
                Ok(value) => out.push_str(&value),
                Err(message) => problems.push(Problem::error("", message).at_line(Some(number))),
            }
            rest = &after[end + 2..];
        } else if let Some(after) = tail.strip_prefix("${") {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..name_len];
            let valid = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && after[name_len..].starts_with('}');
            if valid {
                match env.var(name) {
                    Some(value) => out.push_str(&value),
                    None => problems.push(Problem::error("", unset(name)).at_line(Some(number))),
                }
                rest = &after[name_len + 1..];
            } else {
                // Not a reference (`${` followed by something else): kept as written.
                out.push_str("${");
                rest = after;
            }
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
}

fn unset(name: &str) -> String {
    format!("the environment variable {name} is not set")
}

/// `env "NAME"` or `file "PATH"`.
fn template(inner: &str, env: &Environment<'_>) -> Result<String, String> {
    let (function, argument) = inner
        .split_once(char::is_whitespace)
        .map(|(f, a)| (f, a.trim()))
        .unwrap_or((inner, ""));
    let argument = argument
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .ok_or_else(|| {
            format!("`${{{{ {inner} }}}}`: expected `env \"NAME\"` or `file \"PATH\"`")
        })?;
    match function {
        "env" => env.var(argument).ok_or_else(|| unset(argument)),
        "file" => env
            .file(argument)
            .map_err(|e| format!("cannot read the file {argument}: {e}")),
        other => Err(format!(
            "`${{{{ {inner} }}}}`: unknown function `{other}`; expected `env` or `file`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment<'static> {
        Environment::from_fn(
            |name| match name {
                "KEY" => Some("k-123".to_owned()),
                "EMPTY" => Some(String::new()),
                _ => None,
            },
            None,
        )
    }

    #[test]
    fn deck_form_inside_quotes_ok() {
        let text = "query:\n  key:\n  - \"${{ env \"KEY\" }}\"\n";
        assert_eq!(
            interpolate(text, &env()).expect("works"),
            "query:\n  key:\n  - \"k-123\"\n"
        );
    }

    #[test]
    fn shell_form_and_escape_ok() {
        assert_eq!(
            interpolate("a: ${KEY}/$${KEY}/$5 ${not a ref}", &env()).expect("works"),
            "a: k-123/${KEY}/$5 ${not a ref}"
        );
        assert_eq!(
            interpolate("a: '${EMPTY}'", &env()).expect("works"),
            "a: ''"
        );
    }

    #[test]
    fn every_unset_variable_reported_with_its_line_fails() {
        let text = "a: ${{ env \"NOPE\" }}\n# ${IGNORED}\nb: ${ALSO_NOPE}\n";
        let problems = interpolate(text, &env()).expect_err("refused");
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].line, Some(1));
        assert_eq!(
            problems[0].message,
            "the environment variable NOPE is not set"
        );
        assert_eq!(problems[1].line, Some(3));
    }

    #[test]
    fn malformed_template_fails() {
        let problems = interpolate("a: ${{ envv \"X\" }}\nb: ${{ env X }}\nc: ${{ env", &env())
            .expect_err("refused");
        assert_eq!(problems.len(), 3);
        assert!(problems[0].message.contains("unknown function `envv`"));
        assert!(problems[1].message.contains("expected `env \"NAME\"`"));
        assert!(problems[2].message.contains("without a closing"));
    }

    #[test]
    fn file_form_reads_relative_to_the_base_ok() {
        let dir = std::env::temp_dir().join(format!("toolgate-interp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("works");
        std::fs::write(dir.join("secret.txt"), "s3cret\n").expect("works");
        let env = Environment::from_fn(|_| None, Some(&dir));
        assert_eq!(
            interpolate("s: ${{ file \"secret.txt\" }}", &env).expect("works"),
            "s: s3cret"
        );
        let problems = interpolate("s: ${{ file \"missing.txt\" }}", &env).expect_err("refused");
        assert!(
            problems[0]
                .message
                .starts_with("cannot read the file missing.txt")
        );
        std::fs::remove_dir_all(&dir).expect("works");
    }

    #[test]
    fn file_form_refuses_devices_and_directories_fails() {
        // `/dev/zero` was read until memory ran out; `/dev/stdin` waited forever.
        let env = Environment::from_fn(|_| None, None);
        for path in ["/dev/zero", "/dev/null", "/"] {
            let problems =
                interpolate(&format!("s: ${{{{ file \"{path}\" }}}}"), &env).expect_err("refused");
            assert!(
                problems[0].message.contains("not a regular file"),
                "{path}: {}",
                problems[0].message
            );
        }
    }
}
