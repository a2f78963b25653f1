//! Remote MCP servers as tool sources.
