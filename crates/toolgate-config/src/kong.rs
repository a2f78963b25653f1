//! Kong decK import: a decK state file (`kong.yaml`) translated into the equivalent
//! `toolgate.yaml` document, so a Kong MCP setup runs here unchanged.
//!
//! What is understood: services (`url`, or `protocol`/`host`/`port`/`path`) with their
//! routes and plugins, top-level routes and plugins (global, or naming a `route`/`service`),
//! consumers (`keyauth_credentials`, `groups`) and consumer groups. Plugins follow Kong's
//! precedence (a route's own over its service's over a global one, per plugin name):
//!
//! | Kong | toolgate |
//! |---|---|
//! | `ai-mcp-proxy` `conversion-only` | a `rest` toolset tagged with the plugin's `tags` |
//! | `ai-mcp-proxy` `listener` | an endpoint per route path serving `server.tag` |
//! | `ai-mcp-proxy` `conversion-listener` | both |
//! | `ai-mcp-proxy` `passthrough-listener` | a `passthrough` endpoint with the tool ACLs |
//! | `ai-mcp-oauth2`, `key-auth` | an `auth` profile (`key_auth` inside) |
//! | `cors` | the endpoint's `cors` |
//! | `datakit` (the 401 challenge graph) | `identity: user_token` |
//! | `response-transformer-advanced` (PRM `resource` rewrite) | `upstream_metadata`, `resource` |
//! | `request-transformer-advanced` (`Authorization:Bearer …`) | `identity: token_swap` |
//!
//! Anything else — another plugin, another use of these, a field with no toolgate
//! equivalent — is an error naming its Kong path (`services[0].routes[0].plugins[2].config.mode`)
//! and line; every problem is reported at once. What is mapped in a way worth knowing comes
//! back as [`KongImport::notes`].
//!
//! ```
//! use toolgate_config::{Environment, kong};
//!
//! let text = r#"
//! _format_version: "3.0"
//! routes:
//!   - name: weather-mcp
//!     paths: [/weather/mcp]
//!     plugins:
//!       - name: ai-mcp-proxy
//!         config: {mode: listener, server: {tag: weather-tools}}
//! "#;
//! let import = kong::translate_str(text, "kong.yaml", kong::EnvHandling::Keep)?;
//! assert!(kong::to_yaml(&import).contains("path: /weather/mcp"));
//! # Ok::<(), toolgate_config::ConfigError>(())
//! ```

mod emit;
mod fields;
mod patterns;
mod plugins;
mod references;
mod state;
mod translate;

use std::fmt;

use serde_norway::Value;

use self::references::Reference;
use crate::{ConfigError, Environment, LineIndex, Problem, interpolate};

/// How `${{ env "X" }}` references in the Kong file are handled.
#[derive(Clone, Copy, Debug)]
pub enum EnvHandling<'a> {
    /// Substituted before the file is parsed, as decK does (`toolgate serve --kong`,
    /// `validate --kong`): the document holds the values, secrets included.
    Resolve(&'a Environment<'a>),
    /// Kept as references (`toolgate import kong`): no value is read, and the printed
    /// `toolgate.yaml` carries the same references, so it loads with the same variables set.
    Keep,
}

/// A translated Kong file.
#[derive(Clone)]
#[non_exhaustive]
pub struct KongImport {
    /// The `toolgate.yaml` document, for [`load_value`](crate::load_value). With
    /// [`EnvHandling::Keep`] its strings hold the references as written
    /// (`${{ env "X" }}`): print it with [`to_yaml`], which writes them back as references.
    pub document: Value,
    /// What was mapped how, for people (also written as comments by [`to_yaml`]).
    pub notes: Vec<String>,
    /// Where the Kong file came from.
    pub origin: String,
    references: Vec<Reference>,
}

impl fmt::Debug for KongImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The document may hold resolved secrets.
        f.debug_struct("KongImport")
            .field("origin", &self.origin)
            .field("notes", &self.notes)
            .finish_non_exhaustive()
    }
}

/// Translates the decK state file `text`; `origin` names it in messages.
///
/// # Errors
/// [`ConfigError::Invalid`] listing every problem: unset variables (with `Resolve`), YAML
/// errors, and everything the import cannot map, each with its Kong path and line.
pub fn translate_str(
    text: &str,
    origin: &str,
    env: EnvHandling<'_>,
) -> Result<KongImport, ConfigError> {
    let invalid = |problems: Vec<Problem>| ConfigError::Invalid {
        origin: origin.to_owned(),
        problems,
    };
    let (text, references) = match env {
        EnvHandling::Resolve(env) => (interpolate(text, env).map_err(invalid)?, Vec::new()),
        EnvHandling::Keep => references::hide(text).map_err(invalid)?,
    };
    let value: Value = serde_norway::from_str(&text).map_err(|error| {
        let line = error.location().map(|l| l.line());
        let message = error.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |at| &message[..at])
            .to_owned();
        invalid(vec![Problem::error("", message).at_line(line)])
    })?;
    let mut diag = fields::Diag::default();
    vault_references(&value, "", &mut diag);
    let state = state::read(value, &mut diag);
    let output = translate::translate(&state, &mut diag);
    let restore = |text: &str| references::restore(text, &references);
    if diag.has_errors() {
        let lines = LineIndex::new(&text);
        let mut problems = diag.problems;
        for problem in &mut problems {
            if problem.line.is_none() {
                problem.line = lines.line_of(&problem.path);
            }
            problem.message = restore(&problem.message);
        }
        problems.sort_by_key(|p| (p.severity, p.line.unwrap_or(usize::MAX)));
        return Err(invalid(problems));
    }
    let mut document = output.document();
    references::map_strings(&mut document, &restore);
    Ok(KongImport {
        document,
        notes: diag.notes.iter().map(|n| restore(n)).collect(),
        origin: origin.to_owned(),
        references,
    })
}

/// Kong Vault references (`{vault://backend/key}`) are resolved by Kong at run time; here
/// they would be literal text (a header sent upstream, a secret compared against): refused.
fn vault_references(value: &Value, path: &str, diag: &mut fields::Diag) {
    match value {
        Value::String(text) if text.contains("{vault://") => diag.error(
            path,
            "a Kong Vault reference ({vault://…}) is not supported: put the secret in an \
             environment variable or a file and use ${{ env \"NAME\" }} or ${{ file \"PATH\" }}",
        ),
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                vault_references(item, &format!("{path}[{index}]"), diag);
            }
        }
        Value::Mapping(map) => {
            for (key, item) in map {
                let key = key.as_str().unwrap_or_default();
                vault_references(item, &fields::join(path, key), diag);
            }
        }
        Value::Tagged(tagged) => vault_references(&tagged.value, path, diag),
        _ => {}
    }
}

/// The `toolgate.yaml` text of `import`: a header comment, the notes as comments, then the
/// document. With [`EnvHandling::Keep`] every reference is written back as it was in the
/// Kong file (quoted when it is a whole value, as decK files write them).
#[must_use]
pub fn to_yaml(import: &KongImport) -> String {
    let mut out = format!(
        "# toolgate.yaml translated from the Kong decK file {} (`toolgate import kong`).\n",
        import.origin
    );
    if !import.notes.is_empty() {
        out.push_str("#\n# How it was translated:\n");
        for note in &import.notes {
            let mut line = String::from("# -");
            for word in note.split_whitespace() {
                if line.len() + word.len() > 98 {
                    out.push_str(&line);
                    out.push('\n');
                    line = String::from("#  ");
                }
                line.push(' ');
                line.push_str(word);
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&references::yaml_with_references(
        &import.document,
        &import.references,
    ));
    out
}

#[cfg(test)]
mod tests;
