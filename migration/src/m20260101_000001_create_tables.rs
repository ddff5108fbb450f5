//! Create the seven tables, the unique e-mail index and the updated_at triggers.

use sea_orm_migration::prelude::*;

/// Create the seven tables, the unique e-mail index and the updated_at triggers.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            Some(include_str!("sql/pg_0001_tables_up.sql")),
            Some(include_str!("sql/sqlite_0001_tables_up.sql")),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            Some(include_str!("sql/pg_0001_tables_down.sql")),
            Some(include_str!("sql/sqlite_0001_tables_down.sql")),
        )
        .await
    }
}
