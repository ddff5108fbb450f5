use sea_orm_migration::prelude::*;

/// Postgres only: the search document of each contact in a narrow trigger-kept table (`contact_search`) instead of a generated column of `contacts`
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0009_search_table_up.sql")), None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0009_search_table_down.sql")), None).await
    }
}
