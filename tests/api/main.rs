//! Integration tests: the real gateway over real HTTP on real databases
//! (SQLite and Postgres), through the real migrations, with real tokens.

mod helpers;

mod auth;
mod contacts;
mod explain;
mod fixtures;
mod foundation;
mod vectors;
