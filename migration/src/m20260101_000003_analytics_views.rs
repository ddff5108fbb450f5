//! The two analytics views.

use sea_orm_migration::prelude::*;

/// The two analytics views.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            Some(include_str!("sql/pg_0003_views_up.sql")),
            Some(include_str!("sql/sqlite_0003_views_up.sql")),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(
            manager,
            Some(include_str!("sql/pg_0003_views_down.sql")),
            Some(include_str!("sql/sqlite_0003_views_down.sql")),
        )
        .await
    }
}
