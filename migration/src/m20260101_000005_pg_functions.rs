use sea_orm_migration::prelude::*;

/// Postgres only
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0005_functions_up.sql")), None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0005_functions_down.sql")), None).await
    }
}
