//! The contact indexes of SPEC §5 and the full-text search index.

use sea_orm_migration::prelude::*;

/// The contact indexes of SPEC §5 and the full-text search index.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            Some(include_str!("sql/pg_0002_indexes_up.sql")),
            Some(include_str!("sql/sqlite_0002_indexes_up.sql")),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            Some(include_str!("sql/pg_0002_indexes_down.sql")),
            Some(include_str!("sql/sqlite_0002_indexes_down.sql")),
        )
        .await
    }
}
