//! Loading OpenAPI documents: from a file, an http(s) URL or text; JSON or YAML; every
//! document their `$ref`s name loaded too, so resolution needs no I/O.

use std::{collections::HashMap, path::Path, time::Duration};

use serde_json::Value;
use url::Url;

use super::{OpenApiError, SpecVersion, swagger2};

/// Most documents one import loads (the main one and those its `$ref`s name).
const MAX_DOCUMENTS: usize = 100;
/// Largest document read.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;
/// Time allowed to fetch one document over HTTP.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// A loaded OpenAPI document (Swagger 2.0 converted to 3.0 shape), with the documents its
/// `$ref`s point into.
#[derive(Debug, Clone)]
pub struct OpenApiDocument {
    pub(crate) root: Value,
    pub(crate) url: Url,
    /// Whether `url` is where the document really came from (relative server URLs and
    /// file references resolve against it).
    pub(crate) located: bool,
    pub(crate) others: HashMap<Url, Value>,
    pub(crate) version: SpecVersion,
    pub(crate) warnings: Vec<String>,
}

impl OpenApiDocument {
    /// Loads a document from a file path or an `http(s)://` URL, then every document its
    /// relative `$ref`s name.
    ///
    /// # Errors
    /// [`OpenApiError`] naming the document, and the line or JSON pointer of the problem.
    pub async fn load(source: &str) -> Result<Self, OpenApiError> {
        let client = crate::UpstreamClient::new().map_err(|e| OpenApiError::Read {
            origin: source.to_owned(),
            reason: e.to_string(),
        })?;
        Self::load_with(source, &client).await
    }

    /// [`OpenApiDocument::load`] with `client` for http(s) documents: with
    /// [`UpstreamClient::public_only`](crate::UpstreamClient::public_only), a document or
    /// `$ref` on a loopback, private or link-local address is refused.
    ///
    /// A document fetched over http(s) may only refer to other http(s) documents, never to
    /// a local file.
    ///
    /// # Errors
    /// As [`OpenApiDocument::load`].
    pub async fn load_with(
        source: &str,
        client: &crate::UpstreamClient,
    ) -> Result<Self, OpenApiError> {
        let url = if source.starts_with("http://") || source.starts_with("https://") {
            Url::parse(source).map_err(|e| OpenApiError::Read {
                origin: source.to_owned(),
                reason: format!("not a valid URL: {e}"),
            })?
        } else {
            let path = Path::new(source);
            let absolute = std::path::absolute(path).map_err(|e| OpenApiError::Read {
                origin: source.to_owned(),
                reason: e.to_string(),
            })?;
            Url::from_file_path(&absolute).map_err(|()| OpenApiError::Read {
                origin: source.to_owned(),
                reason: "not a usable file path".to_owned(),
            })?
        };
        let text = fetch(client, &url).await?;
        let mut document = Self::parse(&text, url, true)?;
        document.load_references(client).await?;
        Ok(document)
    }

    /// Parses a document held in memory; `origin` names it in errors. References to other
    /// files cannot be followed from here and are reported where they are used.
    ///
    /// # Errors
    /// As [`OpenApiDocument::load`].
    pub fn from_text(text: &str, origin: &str) -> Result<Self, OpenApiError> {
        let url = Url::parse("memory:///").and_then(|base| base.join(&sanitize_origin(origin)));
        let url = url.map_err(|e| OpenApiError::Read {
            origin: origin.to_owned(),
            reason: e.to_string(),
        })?;
        Self::parse(text, url, false)
    }

    fn parse(text: &str, url: Url, located: bool) -> Result<Self, OpenApiError> {
        let value = parse_text(text, &display(&url))?;
        let origin = display(&url);
        let version = SpecVersion::detect(&value).ok_or_else(|| OpenApiError::Version {
            origin: origin.clone(),
            found: describe_version(&value),
        })?;
        let (root, warnings) = match version {
            SpecVersion::Swagger2 => {
                let converted =
                    swagger2::to_openapi3(&value).map_err(|reason| OpenApiError::Invalid {
                        origin: origin.clone(),
                        pointer: String::new(),
                        reason,
                    })?;
                (converted.document, converted.warnings)
            }
            SpecVersion::OpenApi30 | SpecVersion::OpenApi31 => (value, Vec::new()),
        };
        if !root.is_object() {
            return Err(OpenApiError::Invalid {
                origin,
                pointer: String::new(),
                reason: "the document must be an object".to_owned(),
            });
        }
        Ok(Self {
            root,
            url,
            located,
            others: HashMap::new(),
            version,
            warnings,
        })
    }

    /// Loads, breadth first, every document a `$ref` names, up to [`MAX_DOCUMENTS`].
    async fn load_references(
        &mut self,
        client: &crate::UpstreamClient,
    ) -> Result<(), OpenApiError> {
        let mut queue: Vec<(Url, Url)> = external_documents(&self.root, &self.url);
        while let Some((url, referrer)) = queue.pop() {
            if url == self.url || self.others.contains_key(&url) {
                continue;
            }
            if url.scheme() == "file" && referrer.scheme() != "file" {
                // A remote document must not pull the gateway's own files into the import.
                return Err(OpenApiError::Read {
                    origin: display(&referrer),
                    reason: format!(
                        "a document loaded from {} cannot refer to the local file {}",
                        referrer.scheme(),
                        display(&url)
                    ),
                });
            }
            if self.others.len() + 1 >= MAX_DOCUMENTS {
                return Err(OpenApiError::Read {
                    origin: display(&self.url),
                    reason: format!("references more than {MAX_DOCUMENTS} documents"),
                });
            }
            let text = fetch(client, &url).await?;
            let value = parse_text(&text, &display(&url))?;
            queue.extend(external_documents(&value, &url));
            self.others.insert(url, value);
        }
        Ok(())
    }

    /// The OpenAPI version the document was written in.
    #[must_use]
    pub fn version(&self) -> SpecVersion {
        self.version
    }

    /// `info.title`.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.root.pointer("/info/title").and_then(Value::as_str)
    }

    /// Where the document came from.
    #[must_use]
    pub fn origin(&self) -> String {
        display(&self.url)
    }

    /// The base URL from the document's first `servers` entry, variables at their defaults,
    /// resolved against the document's URL when relative.
    ///
    /// # Errors
    /// [`OpenApiError::Invalid`] naming the pointer when the entry is not usable, or relative
    /// in a document not loaded from an http(s) URL.
    pub fn server_url(&self) -> Result<Url, OpenApiError> {
        super::servers::server_url(self, &self.root, "")
    }

    /// The document for `url` (without fragment), the main one included.
    pub(crate) fn document(&self, url: &Url) -> Option<&Value> {
        if *url == self.url {
            Some(&self.root)
        } else {
            self.others.get(url)
        }
    }
}

/// A file path for `file:` URLs, the URL otherwise.
pub(crate) fn display(url: &Url) -> String {
    match url.scheme() {
        "file" => url
            .to_file_path()
            .map_or_else(|()| url.to_string(), |p| p.display().to_string()),
        "memory" => url.path().trim_start_matches('/').to_owned(),
        _ => url.to_string(),
    }
}

fn sanitize_origin(origin: &str) -> String {
    let name: String = origin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "document".to_owned()
    } else {
        name
    }
}

/// Deepest `[`/`{` nesting accepted in YAML: the YAML scanner's cost grows with the square of
/// the depth, long before the parser's own recursion limit applies.
const MAX_YAML_FLOW_DEPTH: usize = 1000;

/// How deep YAML text nests `[`/`{`, as the larger of two linear scans: one counting every
/// bracket, and one that skips quoted scalars (opening only where a node can start, with
/// YAML's `''` and `\"` escapes) and comments. Brackets hidden in quotes cannot lower the
/// first, an unclosed or misread quote cannot hide brackets from it; quoted closers cannot
/// lower the second.
pub(crate) fn yaml_flow_depth(text: &str) -> usize {
    naive_depth(text).max(quote_aware_depth(text))
}

fn naive_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0_usize, 0_usize);
    for byte in text.bytes() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn quote_aware_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest) = (0_usize, 0_usize);
    let mut index = 0;
    let mut previous = b'\n';
    while let Some(&byte) = bytes.get(index) {
        let node_start = previous.is_ascii_whitespace() || b"[{,:-?".contains(&previous);
        match byte {
            b'#' if previous.is_ascii_whitespace() => {
                while bytes.get(index).is_some_and(|b| *b != b'\n') {
                    index += 1;
                }
                previous = b'\n';
                continue;
            }
            b'\'' if node_start => {
                index += 1;
                while let Some(&b) = bytes.get(index) {
                    if b == b'\'' {
                        if bytes.get(index + 1) == Some(&b'\'') {
                            index += 2;
                            continue;
                        }
                        break;
                    }
                    index += 1;
                }
            }
            b'"' if node_start => {
                index += 1;
                while let Some(&b) = bytes.get(index) {
                    match b {
                        b'\\' => index += 2,
                        b'"' => break,
                        _ => index += 1,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = bytes.get(index).copied().unwrap_or(b' ');
        index += 1;
    }
    deepest
}

/// JSON or YAML text to a value; YAML errors carry the line and column.
fn parse_text(text: &str, origin: &str) -> Result<Value, OpenApiError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(text).map_err(|e| OpenApiError::Parse {
            origin: origin.to_owned(),
            line: Some(e.line()),
            column: Some(e.column()),
            reason: e.to_string(),
        });
    }
    let depth = yaml_flow_depth(text);
    if depth > MAX_YAML_FLOW_DEPTH {
        return Err(OpenApiError::Parse {
            origin: origin.to_owned(),
            line: None,
            column: None,
            reason: format!("flow collections nested {depth} deep (at most {MAX_YAML_FLOW_DEPTH})"),
        });
    }
    serde_norway::from_str::<Value>(text).map_err(|e| {
        let location = e.location();
        OpenApiError::Parse {
            origin: origin.to_owned(),
            line: location.as_ref().map(serde_norway::Location::line),
            column: location.as_ref().map(serde_norway::Location::column),
            reason: e.to_string(),
        }
    })
}

async fn fetch(client: &crate::UpstreamClient, url: &Url) -> Result<String, OpenApiError> {
    let origin = display(url);
    let read_error = |reason: String| OpenApiError::Read {
        origin: origin.clone(),
        reason,
    };
    match url.scheme() {
        "file" => {
            let path = url
                .to_file_path()
                .map_err(|()| read_error("not a usable file path".into()))?;
            let metadata = tokio::fs::metadata(&path)
                .await
                .map_err(|e| read_error(e.to_string()))?;
            if metadata.len() > MAX_DOCUMENT_BYTES as u64 {
                return Err(read_error(format!(
                    "larger than {MAX_DOCUMENT_BYTES} bytes"
                )));
            }
            tokio::fs::read_to_string(&path)
                .await
                .map_err(|e| read_error(e.to_string()))
        }
        "http" | "https" => {
            client
                .check_url(url)
                .map_err(|refused| read_error(refused.to_string()))?;
            let response =
                tokio::time::timeout(FETCH_TIMEOUT, client.http().get(url.clone()).send())
                    .await
                    .map_err(|_| {
                        read_error(format!("no answer within {} s", FETCH_TIMEOUT.as_secs()))
                    })?
                    .map_err(|e| read_error(send_error(e)))?;
            if !response.status().is_success() {
                return Err(read_error(format!("HTTP {}", response.status())));
            }
            if response
                .content_length()
                .is_some_and(|len| len > MAX_DOCUMENT_BYTES as u64)
            {
                return Err(read_error(format!(
                    "larger than {MAX_DOCUMENT_BYTES} bytes"
                )));
            }
            let bytes = tokio::time::timeout(FETCH_TIMEOUT, response.bytes())
                .await
                .map_err(|_| read_error(format!("not read within {} s", FETCH_TIMEOUT.as_secs())))?
                .map_err(|e| read_error(e.without_url().to_string()))?;
            if bytes.len() > MAX_DOCUMENT_BYTES {
                return Err(read_error(format!(
                    "larger than {MAX_DOCUMENT_BYTES} bytes"
                )));
            }
            String::from_utf8(bytes.to_vec()).map_err(|_| read_error("not UTF-8 text".into()))
        }
        other => Err(read_error(format!("cannot load '{other}:' URLs"))),
    }
}

/// A failed request in words, without its URL; the guard's refusal when it was one.
fn send_error(error: reqwest::Error) -> String {
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<toolgate_net::NetworkError>() {
            return refused.to_string();
        }
        source = cause.source();
    }
    error.without_url().to_string()
}

/// The documents (URLs without fragment) named by non-local `$ref`s in `value`, each with
/// `base`, the document naming it.
fn external_documents(value: &Value, base: &Url) -> Vec<(Url, Url)> {
    let mut found = Vec::new();
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref")
                    && !reference.starts_with('#')
                    && let Ok(mut url) = base.join(reference)
                {
                    url.set_fragment(None);
                    if !found.iter().any(|(known, _)| *known == url) {
                        found.push((url, base.clone()));
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

fn describe_version(value: &Value) -> String {
    match (value.get("openapi"), value.get("swagger")) {
        (Some(v), _) => format!("openapi: {v}"),
        (None, Some(v)) => format!("swagger: {v}"),
        (None, None) => "neither an `openapi` nor a `swagger` field".to_owned(),
    }
}

#[cfg(test)]
mod tests;
