//! Builders for the real pieces a test starts: [`RestUpstream`], [`Gateway`], [`Idp`], and MCP
//! clients ([`connect`], [`connect_discover`], [`connect_stdio`]).

mod client;
mod configured;
mod gateway;
mod idp;
mod upstream;

pub(crate) use client::{
    McpClient, call, connect, connect_discover, connect_stdio, connect_with_token, error_of,
    passthrough_binary, text_of, toolgate_binary, try_connect_with_token, weather_binary,
};
pub(crate) use configured::{Configured, Gate, RawMcp, gated_toolset, json_of};
pub(crate) use gateway::Gateway;
pub(crate) use idp::{ClientAuth, EC_KID, Idp, ROGUE_KID};
pub(crate) use upstream::RestUpstream;

/// A loopback port that was free a moment ago: for a process or gateway whose URL must be
/// known before it binds (a resource URL, a child's `--listen`).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
