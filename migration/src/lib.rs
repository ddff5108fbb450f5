//! Migrations of the LatticeIQ database (SPEC §5), for Postgres and SQLite.
//!
//! The two backends differ too much for one schema-builder definition (RLS,
//! partial expression indexes, composite foreign keys, FTS5, `text[]`), so
//! each migration runs backend-specific SQL kept in `src/sql/`:
//! `pg_NNNN_*` for Postgres and `sqlite_NNNN_*` for SQLite. Migrations
//! 0004 to 0011 are Postgres-only (row-level security, SQL functions, the
//! performance work: contact counts, search under RLS, context versions, an
//! inlinable search document, a narrow search table, a search version
//! with the walk of broad searches, contacts by e-mail under RLS) and do
//! nothing on SQLite. Every file is idempotent, so `up` on an up-to-date
//! database is a no-op twice over: the migration table skips it, and the SQL
//! would change nothing.

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod m20260101_000001_create_tables;
mod m20260101_000002_contact_indexes;
mod m20260101_000003_analytics_views;
mod m20260101_000004_pg_row_level_security;
mod m20260101_000005_pg_functions;
mod m20260101_000006_pg_performance;
mod m20260101_000007_pg_context_versions;
mod m20260101_000008_pg_search;
mod m20260101_000009_pg_search_table;
mod m20260101_000010_pg_search_walk;
mod m20260101_000011_pg_email_lookup;

/// The Postgres role requests run as, unless `DB_RLS_ROLE` says otherwise.
pub const DEFAULT_RLS_ROLE: &str = "latticeiq_app";

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_tables::Migration),
            Box::new(m20260101_000002_contact_indexes::Migration),
            Box::new(m20260101_000003_analytics_views::Migration),
            Box::new(m20260101_000004_pg_row_level_security::Migration),
            Box::new(m20260101_000005_pg_functions::Migration),
            Box::new(m20260101_000006_pg_performance::Migration),
            Box::new(m20260101_000007_pg_context_versions::Migration),
            Box::new(m20260101_000008_pg_search::Migration),
            Box::new(m20260101_000009_pg_search_table::Migration),
            Box::new(m20260101_000010_pg_search_walk::Migration),
            Box::new(m20260101_000011_pg_email_lookup::Migration),
        ]
    }
}

/// Every SQL file the migrations run, in order (for fingerprints).
pub const SQL_FILES: &[&str] = &[
    include_str!("sql/pg_0001_tables_up.sql"),
    include_str!("sql/pg_0001_tables_down.sql"),
    include_str!("sql/pg_0002_indexes_up.sql"),
    include_str!("sql/pg_0002_indexes_down.sql"),
    include_str!("sql/pg_0003_views_up.sql"),
    include_str!("sql/pg_0003_views_down.sql"),
    include_str!("sql/pg_0004_rls_up.sql"),
    include_str!("sql/pg_0004_rls_down.sql"),
    include_str!("sql/pg_0005_functions_up.sql"),
    include_str!("sql/pg_0005_functions_down.sql"),
    include_str!("sql/pg_0006_performance_up.sql"),
    include_str!("sql/pg_0006_performance_down.sql"),
    include_str!("sql/pg_0007_context_versions_up.sql"),
    include_str!("sql/pg_0007_context_versions_down.sql"),
    include_str!("sql/pg_0008_search_up.sql"),
    include_str!("sql/pg_0008_search_down.sql"),
    include_str!("sql/pg_0009_search_table_up.sql"),
    include_str!("sql/pg_0009_search_table_down.sql"),
    include_str!("sql/pg_0010_search_walk_up.sql"),
    include_str!("sql/pg_0010_search_walk_down.sql"),
    include_str!("sql/pg_0011_email_lookup_up.sql"),
    include_str!("sql/pg_0011_email_lookup_down.sql"),
    include_str!("sql/sqlite_0001_tables_up.sql"),
    include_str!("sql/sqlite_0001_tables_down.sql"),
    include_str!("sql/sqlite_0002_indexes_up.sql"),
    include_str!("sql/sqlite_0002_indexes_down.sql"),
    include_str!("sql/sqlite_0003_views_up.sql"),
    include_str!("sql/sqlite_0003_views_down.sql"),
];

/// A fingerprint of the schema the migrations build: tests clone a migrated
/// template database per fingerprint, so a changed migration gets a fresh one.
pub fn fingerprint() -> u64 {
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for file in SQL_FILES {
        for b in file.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The RLS role name from `DB_RLS_ROLE`, checked to be a plain identifier
/// (it is spliced into DDL).
pub fn rls_role() -> Result<String, DbErr> {
    let role = std::env::var("DB_RLS_ROLE").unwrap_or_else(|_| DEFAULT_RLS_ROLE.to_owned());
    if is_plain_identifier(&role) {
        Ok(role)
    } else {
        Err(DbErr::Custom(format!(
            "DB_RLS_ROLE must match ^[a-z_][a-z0-9_]*$ (at most 63 characters), got {role:?}"
        )))
    }
}

/// Whether `name` is a lower-case SQL identifier that needs no quoting.
pub fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

/// Runs the SQL for the connection's backend; `None` means nothing to do there.
async fn run_sql(
    manager: &SchemaManager<'_>,
    postgres: Option<&str>,
    sqlite: Option<&str>,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => postgres,
        DbBackend::Sqlite => sqlite,
        other => return Err(DbErr::Custom(format!("unsupported database backend {other:?}"))),
    };
    let Some(sql) = sql else { return Ok(()) };
    let sql = if sql.contains(":rls_role") {
        let role = rls_role()?;
        sql.replace(":rls_role_literal", &format!("'{role}'")).replace(":rls_role", &format!("\"{role}\""))
    } else {
        sql.to_owned()
    };
    db.execute_unprepared(&sql).await.map(|_| ())
}
