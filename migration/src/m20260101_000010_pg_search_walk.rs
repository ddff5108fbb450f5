use sea_orm_migration::prelude::*;

/// Postgres only: a search version per workspace (`contact_counts.search_version`) and `latticeiq_search_walk`, the page of a broad search read in creation order
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0010_search_walk_up.sql")), None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0010_search_walk_down.sql")), None).await
    }
}
