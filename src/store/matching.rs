//! Scoring every contact of a workspace against an ICP and storing the
//! result set-wise (SPEC §7 `matchIdealClientProfile`): contacts are
//! streamed in one pass (memory stays flat however large the workspace),
//! scored in Rust, and only rows whose values change are written — grouped
//! by their new (ICP, score), so a whole workspace takes a bounded number
//! of statements (at most one per score value and id chunk).

use std::collections::BTreeMap;

use entity::contacts::{self, Column};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{ArrayType, Expr, ExprTrait, Query, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, StreamTrait,
};
use uuid::Uuid;

use crate::domain::icp::{IcpContact, PreparedIcp};

/// Ids per UPDATE (under SQLite's bind-parameter limit).
const WRITE_CHUNK: usize = 30_000;

/// What a match run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchRun {
    /// Contacts scored.
    pub processed: u64,
    /// Contacts now assigned to the ICP (score ≥ minScore).
    pub matched: u64,
    /// Contacts of this ICP whose assignment was cleared (score < minScore).
    pub cleared: u64,
}

type Row = (
    Uuid,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<Uuid>,
    Option<i32>,
);

/// Scores every contact of `workspace_id` against `icp` and assigns
/// `icp_id`/`icp_match_score` to those scoring ≥ `min_score`; clears both on
/// contacts of this ICP that now score below it.
pub async fn match_icp(
    conn: &(impl ConnectionTrait + StreamTrait),
    workspace_id: Uuid,
    icp_id: Uuid,
    icp: &PreparedIcp,
    min_score: i32,
) -> Result<MatchRun, DbErr> {
    let mut run = MatchRun::default();
    // new score (None = clear) → ids
    let mut changes: BTreeMap<Option<i32>, Vec<Uuid>> = BTreeMap::new();
    // One pass in the table's own order: keyset chunks by id read the heap
    // in random order, which at 1 000 000 contacts (a table larger than
    // shared_buffers) cost 0.6 s per 20 000 rows.
    let mut rows = contacts::Entity::find()
        .select_only()
        .columns([
            Column::Id,
            Column::EnrichmentCompanyIndustry,
            Column::Vertical,
            Column::KernelWhoPersona,
            Column::PersonaType,
            Column::EnrichmentCompanyEmployees,
            Column::IcpId,
            Column::IcpMatchScore,
        ])
        .filter(Column::WorkspaceId.eq(workspace_id))
        .into_tuple::<Row>()
        .stream(conn)
        .await?;
    while let Some((id, industry, vertical, persona, persona_type, employees, current_icp, current_score)) =
        rows.try_next().await?
    {
        let score = icp.score_value(&IcpContact {
            enrichment_company_industry: industry.as_deref(),
            vertical: vertical.as_deref(),
            kernel_who_persona: persona.as_deref(),
            persona_type: persona_type.as_deref(),
            enrichment_company_employees: employees.map(i64::from),
        });
        run.processed += 1;
        if score >= min_score {
            run.matched += 1;
            if current_icp != Some(icp_id) || current_score != Some(score) {
                changes.entry(Some(score)).or_default().push(id);
            }
        } else if current_icp == Some(icp_id) {
            run.cleared += 1;
            changes.entry(None).or_default().push(id);
        }
    }
    drop(rows);
    let backend = ConnectionTrait::get_database_backend(conn);
    for (score, ids) in changes {
        for chunk in ids.chunks(WRITE_CHUNK) {
            let (icp_value, score_value) = match score {
                Some(s) => (Value::Uuid(Some(icp_id)), Value::Int(Some(s))),
                None => (Value::Uuid(None), Value::Int(None)),
            };
            let stmt = Query::update()
                .table(contacts::Entity)
                .value(Column::IcpId, icp_value)
                .value(Column::IcpMatchScore, score_value)
                .and_where(Expr::col(Column::WorkspaceId).eq(workspace_id))
                .and_where(ids_condition(backend, chunk))
                .to_owned();
            conn.execute(&stmt).await?;
        }
    }
    Ok(run)
}

/// `id IN (…)`: one array parameter on Postgres, a list on SQLite.
pub fn ids_condition(backend: DbBackend, ids: &[Uuid]) -> sea_orm::sea_query::SimpleExpr {
    if backend == DbBackend::Postgres {
        let array = Value::Array(
            ArrayType::Uuid,
            Some(Box::new(ids.iter().map(|id| Value::Uuid(Some(*id))).collect())),
        );
        Expr::cust_with_values("\"id\" = ANY($1)", [array])
    } else {
        Expr::col(Column::Id).is_in(ids.iter().copied())
    }
}
