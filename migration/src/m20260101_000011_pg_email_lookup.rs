use sea_orm_migration::prelude::*;

/// Postgres only: `latticeiq_contact_ids_by_email`, contacts by e-mail through the unique index under RLS
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0011_email_lookup_up.sql")), None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, Some(include_str!("sql/pg_0011_email_lookup_down.sql")), None).await
    }
}
