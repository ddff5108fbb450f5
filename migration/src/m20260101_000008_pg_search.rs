use sea_orm_migration::prelude::*;

/// Postgres only: the search document as an inlinable expression (cheaper contact updates), and search matches with their creation time
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0008_search_up.sql")), None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0008_search_down.sql")), None).await
    }
}
