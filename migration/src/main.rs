//! `migration [up|down|status|fresh]` against `DATABASE_URL` — the SeaORM
//! migration tool. The gateway's own `latticeiq migrate` does the same.
#![expect(clippy::print_stdout, reason = "printing the status is what this tool is for")]

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::Database;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set")?;
    let command = std::env::args().nth(1).unwrap_or_else(|| "up".to_owned());
    let db = Database::connect(&url).await?;
    match command.as_str() {
        "up" => Migrator::up(&db, None).await?,
        "down" => Migrator::down(&db, Some(1)).await?,
        "fresh" => {
            Migrator::reset(&db).await?;
            Migrator::up(&db, None).await?;
        }
        "status" => {
            for m in Migrator::get_migration_with_status(&db).await? {
                println!("{}\t{}", m.name(), m.status());
            }
        }
        other => return Err(format!("unknown command {other:?}: use up, down, status or fresh").into()),
    }
    Ok(())
}
