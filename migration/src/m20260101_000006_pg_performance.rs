use sea_orm_migration::prelude::*;

/// Postgres only: the unfiltered count, search and tags under RLS, a covering ICP index
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0006_performance_up.sql")), None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0006_performance_down.sql")), None).await
    }
}
