//! Workspace integration tests: real loopback servers (a recording WeatherAPI-shaped
//! upstream, the gateway) and a real rmcp client, in one test binary.

mod harness;

mod acl;
mod auth;
mod cli;
mod config;
mod config_cli;
mod custom_tools;
mod failures;
mod idp_selftest;
mod lifecycle;
mod limits;
mod live;
mod network_guard;
mod observability;
mod openapi;
mod passthrough;
mod passthrough_everything;
mod principal;
mod remote;
mod transports;
mod weather_tools;
