//! Applying a read CSV (`domain::csv_import`) to a workspace: one lookup of
//! the known e-mails per chunk, new contacts inserted in batched multi-row
//! INSERTs, known ones updated only when a cell changes something. Runs in
//! the caller's transaction, so a failure leaves nothing half-imported.

use std::collections::HashMap;

use entity::contacts::{self, Column, Model};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::contacts::{blank, enrich, insert_many, set_text, update_statement};
use crate::domain::csv_import::{ImportRow, ParsedCsv, RowError};

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    /// Contacts created.
    pub created: u64,
    /// Contacts updated.
    pub updated: u64,
    /// Rows identical to what is stored.
    pub skipped: u64,
    /// Rejected rows, by row number.
    pub errors: Vec<RowError>,
}

/// E-mails looked up per statement.
const LOOKUP_CHUNK: usize = 5_000;

/// Upserts the rows of `parsed` into `workspace_id`; new contacts get `source`.
pub async fn apply(
    conn: &impl ConnectionTrait,
    workspace_id: Uuid,
    parsed: ParsedCsv,
    source: Option<String>,
) -> Result<ImportOutcome, DbErr> {
    let mut outcome = ImportOutcome { errors: parsed.errors, ..Default::default() };
    let mut known: HashMap<String, Model> = HashMap::new();
    for chunk in parsed.rows.chunks(LOOKUP_CHUNK) {
        let keys: Vec<String> = chunk.iter().map(|r| r.key.clone()).collect();
        let rows = contacts::Entity::find()
            .filter(Column::WorkspaceId.eq(workspace_id))
            .filter(super::contacts::email_in(conn.get_database_backend(), &keys))
            .all(conn)
            .await?;
        for m in rows {
            if let Some(email) = &m.email {
                known.insert(email.to_lowercase(), m);
            }
        }
    }
    let mut new_rows: Vec<Model> = Vec::new();
    for row in parsed.rows {
        match known.get(&row.key) {
            Some(existing) => {
                let mut m = existing.clone();
                apply_row(&mut m, &row, false);
                if m == *existing {
                    outcome.skipped += 1;
                } else {
                    conn.execute(&update_statement(conn.get_database_backend(), &m)).await?;
                    outcome.updated += 1;
                }
            }
            None => {
                let mut m = blank(workspace_id);
                m.email = Some(row.email.clone());
                m.source = source.clone();
                apply_row(&mut m, &row, true);
                new_rows.push(m);
            }
        }
    }
    outcome.created = insert_many(conn, &new_rows).await?;
    Ok(outcome)
}

/// Lays a row's non-empty cells over a contact.
fn apply_row(m: &mut Model, row: &ImportRow, new: bool) {
    for (column, value) in &row.values.text {
        set_text(m, column, Some(value.clone()));
    }
    if let Some(r) = row.values.annual_revenue {
        m.annual_revenue = Some(r);
    }
    if let Some(tags) = &row.values.tags {
        m.tags = entity::Tags(tags.clone());
    }
    if let Some(data) = &row.values.enrichment_data
        && (new || m.enrichment_data.as_ref() != Some(data))
    {
        enrich(m, data.clone(), None);
    }
}
