//! `latticeiq backfill`: re-derives the typed columns of a workspace's
//! contacts from their stored enrichment JSON (SPEC §6.2), in chunks, each
//! in its own transaction; only rows whose values change are written.

use entity::contacts::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::contacts::{derived_of, set_derived};
use crate::auth::{Claims, Role};
use crate::db::Database;
use crate::domain::enrichment;

const CHUNK: u64 = 2_000;

/// Backfills every contact of `workspace_id`; returns how many rows changed.
pub async fn backfill_workspace(db: &Database, workspace_id: Uuid) -> anyhow::Result<u64> {
    let claims = Claims { user_id: None, workspace_id, role: Role::Admin };
    let mut changed = 0u64;
    let mut last: Option<Uuid> = None;
    loop {
        let tx = db.begin_scoped(&claims, true).await?;
        let mut q = contacts::Entity::find()
            .filter(Column::WorkspaceId.eq(workspace_id))
            .filter(Column::EnrichmentData.is_not_null().or(Column::KernelAnalysis.is_not_null()))
            .order_by_asc(Column::Id)
            .limit(CHUNK);
        if let Some(id) = last {
            q = q.filter(Column::Id.gt(id));
        }
        let rows = q.all(&tx).await?;
        let Some(tail) = rows.last() else {
            db.rollback(tx).await?;
            break;
        };
        last = Some(tail.id);
        let n = rows.len() as u64;
        for mut m in rows {
            let before = (derived_of(&m), m.enrichment_data_quality_score);
            let data = m.enrichment_data.clone().unwrap_or(serde_json::Value::Null);
            let d = enrichment::backfill(&before.0, &data, m.kernel_analysis.as_ref());
            set_derived(&mut m, d);
            if (derived_of(&m), m.enrichment_data_quality_score) == before {
                continue;
            }
            tx.execute(&update_derived(&m)).await?;
            changed += 1;
        }
        db.commit(tx).await?;
        if n < CHUNK {
            break;
        }
    }
    Ok(changed)
}

/// An UPDATE writing a row's derived columns and quality score.
pub fn update_derived(m: &contacts::Model) -> sea_orm::sea_query::UpdateStatement {
    Query::update()
        .table(contacts::Entity)
        .value(Column::EnrichmentCompanyName, m.enrichment_company_name.clone())
        .value(Column::EnrichmentCompanyIndustry, m.enrichment_company_industry.clone())
        .value(Column::EnrichmentCompanyRevenue, m.enrichment_company_revenue)
        .value(Column::EnrichmentCompanyEmployees, m.enrichment_company_employees)
        .value(Column::EnrichmentCompanyGrowthYoy, m.enrichment_company_growth_yoy)
        .value(Column::EnrichmentPersonTitle, m.enrichment_person_title.clone())
        .value(Column::EnrichmentPersonBackground, m.enrichment_person_background.clone())
        .value(Column::KernelWhoPersona, m.kernel_who_persona.clone())
        .value(Column::KernelWhoInfluence, m.kernel_who_influence.clone())
        .value(Column::KernelWhenUrgency, m.kernel_when_urgency.clone())
        .value(Column::KernelWhenTimingSignal, m.kernel_when_timing_signal.clone())
        .value(Column::KernelWhatHook, m.kernel_what_hook.clone())
        .value(Column::EnrichmentDataQualityScore, m.enrichment_data_quality_score)
        .and_where(Expr::col(Column::WorkspaceId).eq(m.workspace_id))
        .and_where(Expr::col(Column::Id).eq(m.id))
        .to_owned()
}
