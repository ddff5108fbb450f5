//! Integration tests: the real gateway over real HTTP on real databases
//! (SQLite and Postgres), through the real migrations, with real tokens.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot go on should stop right there"
)]

mod helpers;

mod auth;
mod campaigns;
mod contacts;
mod explain;
mod fixtures;
mod foundation;
mod hardening;
mod mutations_config;
mod mutations_contacts;
mod operations;
mod seed;
mod vectors;
