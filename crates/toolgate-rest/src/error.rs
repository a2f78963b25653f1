//! Errors in REST toolset documents: each names the document, the field path and the reason.

/// A REST toolset document that cannot become tools.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestSpecError {
    /// The document is not valid YAML/JSON for a toolset.
    #[error("{origin}: {path}: {reason}")]
    Parse {
        /// Where the document came from (a file path, "inline").
        origin: String,
        /// The field path of the problem (`tools[2].parameters[0].in`), or `.` for the root.
        path: String,
        /// What is wrong, with the line and column when the parser knows them.
        reason: String,
    },
    /// The document parses but describes something toolgate cannot serve.
    #[error("{origin}: {path}: {reason}")]
    Invalid {
        /// Where the document came from.
        origin: String,
        /// The field path of the problem.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The document could not be read.
    #[error("{origin}: cannot read the file: {source}")]
    Read {
        /// The file path.
        origin: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
