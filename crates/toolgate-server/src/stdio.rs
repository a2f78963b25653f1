//! Serving one endpoint over standard input and output, for clients that start the server
//! as a child process (Claude Desktop, `mcp` CLIs). Logs must go to stderr meanwhile.

use rmcp::ServiceExt;

use crate::ToolServer;

/// Serving over stdio failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StdioError {
    /// The client did not complete the handshake.
    #[error("the MCP client did not complete the handshake: {0}")]
    Handshake(#[source] Box<rmcp::service::ServerInitializeError>),
    /// The session ended abnormally.
    #[error("the stdio session failed: {0}")]
    Session(#[source] tokio::task::JoinError),
}

/// Serves `server` on stdin/stdout until the client closes its end.
///
/// # Errors
/// [`StdioError`] when the handshake or the session fails.
pub async fn serve_stdio(server: ToolServer) -> Result<(), StdioError> {
    let running = server
        .for_new_session()
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| StdioError::Handshake(Box::new(e)))?;
    running.waiting().await.map_err(StdioError::Session)?;
    Ok(())
}
