//! `buildCampaign` (SPEC §6.7) over a whole workspace, in the caller's
//! transaction: every contact is scored against the campaign's ICP; those
//! scoring ≥ `min_icp_score` that no other open campaign holds are taken,
//! best first (then by id), up to `max_contacts`; each gets the rendered
//! e-mail subject and the first 200 characters of its body. Contacts of an
//! earlier build that are no longer taken are released. Only rows whose
//! values change are written — re-running a build writes nothing.

use std::collections::{HashMap, HashSet};

use entity::{campaigns, contacts};
use futures_util::TryStreamExt;
use sea_orm::sea_query::{ArrayType, Expr, ExprTrait, Query, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Statement,
    StreamTrait,
};
use uuid::Uuid;

use super::contacts::ContactFields;
use super::matching::ids_condition;
use crate::domain::icp::PreparedIcp;
use crate::domain::personalize::{self, RenderContext};
use crate::domain::templates::Template;

/// Characters of the rendered body kept in `email_body_preview`.
pub const PREVIEW_CHARS: usize = 200;
const RENDER_CHUNK: usize = 2_000;

/// The e-mail a build renders, parsed.
pub struct BuildTemplate<'a> {
    /// Subject.
    pub subject: &'a Template,
    /// Body.
    pub body: &'a Template,
}

/// What a build did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildOutcome {
    /// Contacts scoring ≥ the campaign's minimum.
    pub matched: u64,
    /// Contacts the campaign now holds.
    pub assigned: u64,
    /// Assigned contacts whose e-mail had missing variables.
    pub incomplete_renders: u64,
}

/// Builds `campaign` (a draft, locked by the caller).
pub async fn build(
    conn: &(impl ConnectionTrait + StreamTrait),
    campaign: &campaigns::Model,
    icp: &PreparedIcp,
    template: BuildTemplate<'_>,
    render: RenderContext<'_, '_>,
) -> Result<BuildOutcome, DbErr> {
    let ws = campaign.workspace_id;
    let other_open: HashSet<Uuid> = campaigns::Entity::find()
        .select_only()
        .column(campaigns::Column::Id)
        .filter(campaigns::Column::WorkspaceId.eq(ws))
        .filter(campaigns::Column::Status.is_in(["draft", "active", "paused"]))
        .filter(campaigns::Column::Id.ne(campaign.id))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .collect();

    // Score everything, keeping only ids and scores.
    type Row =
        (Uuid, Option<String>, Option<String>, Option<String>, Option<String>, Option<i32>, Option<Uuid>);
    let mut outcome = BuildOutcome::default();
    let mut candidates: Vec<(i32, Uuid)> = Vec::new();
    let mut holders: Vec<Uuid> = Vec::new();
    // One pass in the table's own order (see store::matching).
    let mut rows = contacts::Entity::find()
        .select_only()
        .columns([
            contacts::Column::Id,
            contacts::Column::EnrichmentCompanyIndustry,
            contacts::Column::Vertical,
            contacts::Column::KernelWhoPersona,
            contacts::Column::PersonaType,
            contacts::Column::EnrichmentCompanyEmployees,
            contacts::Column::CampaignId,
        ])
        .filter(contacts::Column::WorkspaceId.eq(ws))
        .into_tuple::<Row>()
        .stream(conn)
        .await?;
    while let Some((id, industry, vertical, persona, persona_type, employees, held_by)) =
        rows.try_next().await?
    {
        if held_by == Some(campaign.id) {
            holders.push(id);
        }
        let score = icp.score_value(&crate::domain::icp::IcpContact {
            enrichment_company_industry: industry.as_deref(),
            vertical: vertical.as_deref(),
            kernel_who_persona: persona.as_deref(),
            persona_type: persona_type.as_deref(),
            enrichment_company_employees: employees.map(i64::from),
        });
        if score < campaign.min_icp_score {
            continue;
        }
        outcome.matched += 1;
        if held_by.is_some_and(|c| other_open.contains(&c)) {
            continue;
        }
        candidates.push((score, id));
    }
    drop(rows);
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    if let Some(max) = campaign.max_contacts {
        candidates.truncate(usize::try_from(max).unwrap_or(0));
    }
    outcome.assigned = candidates.len() as u64;

    // Render and write the taken contacts, a chunk at a time.
    let backend = ConnectionTrait::get_database_backend(conn);
    let taken: HashSet<Uuid> = candidates.iter().map(|(_, id)| *id).collect();
    let renderer = personalize::Renderer::new(&render, Some(template.subject), template.body);
    for chunk in candidates.chunks(RENDER_CHUNK) {
        let scores: HashMap<Uuid, i32> = chunk.iter().map(|(s, id)| (*id, *s)).collect();
        let ids: Vec<Uuid> = chunk.iter().map(|(_, id)| *id).collect();
        let rows = contacts::Entity::find()
            .filter(contacts::Column::WorkspaceId.eq(ws))
            .filter(ids_condition(backend, &ids))
            .all(conn)
            .await?;
        let mut changes: Vec<(Uuid, i32, String, String)> = Vec::new();
        for m in rows {
            let score = scores.get(&m.id).copied().unwrap_or_default();
            let r = renderer.render(&ContactFields(&m), true);
            if !r.complete {
                outcome.incomplete_renders += 1;
            }
            let subject = r.subject.unwrap_or_default();
            let preview: String = r.body.chars().take(PREVIEW_CHARS).collect();
            let unchanged = m.campaign_id == Some(campaign.id)
                && m.icp_id == campaign.icp_id
                && m.icp_match_score == Some(score)
                && m.email_subject.as_deref() == Some(subject.as_str())
                && m.email_body_preview.as_deref() == Some(preview.as_str());
            if !unchanged {
                changes.push((m.id, score, subject, preview));
            }
        }
        write_assignments(conn, campaign, &changes).await?;
    }

    // Release contacts of an earlier build that this one no longer takes.
    let released: Vec<Uuid> = holders.into_iter().filter(|id| !taken.contains(id)).collect();
    for chunk in released.chunks(30_000) {
        let stmt = Query::update()
            .table(contacts::Entity)
            .value(contacts::Column::CampaignId, Option::<Uuid>::None)
            .value(contacts::Column::EmailSubject, Option::<String>::None)
            .value(contacts::Column::EmailBodyPreview, Option::<String>::None)
            .and_where(Expr::col(contacts::Column::WorkspaceId).eq(ws))
            .and_where(ids_condition(backend, chunk))
            .to_owned();
        conn.execute(&stmt).await?;
    }

    if campaign.target_count != outcome.assigned as i32 {
        campaigns::Entity::update_many()
            .col_expr(campaigns::Column::TargetCount, Expr::value(outcome.assigned as i32))
            .filter(campaigns::Column::WorkspaceId.eq(ws))
            .filter(campaigns::Column::Id.eq(campaign.id))
            .exec(conn)
            .await?;
    }
    Ok(outcome)
}

/// Writes (id, score, subject, preview) rows: one statement per chunk on
/// Postgres (`unnest` of arrays), one per row on SQLite (local and cheap).
async fn write_assignments(
    conn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    rows: &[(Uuid, i32, String, String)],
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = ConnectionTrait::get_database_backend(conn);
    if backend == DbBackend::Postgres {
        let array = |t: ArrayType, v: Vec<Value>| Value::Array(t, Some(Box::new(v)));
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE contacts AS c SET campaign_id = $1, icp_id = $2, icp_match_score = v.score, \
             email_subject = v.subject, email_body_preview = v.preview \
             FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[]) AS v(id, score, subject, preview) \
             WHERE c.workspace_id = $7 AND c.id = v.id",
            [
                Value::Uuid(Some(campaign.id)),
                Value::Uuid(campaign.icp_id),
                array(ArrayType::Uuid, rows.iter().map(|r| Value::Uuid(Some(r.0))).collect()),
                array(ArrayType::Int, rows.iter().map(|r| Value::Int(Some(r.1))).collect()),
                array(ArrayType::String, rows.iter().map(|r| Value::String(Some(r.2.clone()))).collect()),
                array(ArrayType::String, rows.iter().map(|r| Value::String(Some(r.3.clone()))).collect()),
                Value::Uuid(Some(campaign.workspace_id)),
            ],
        );
        conn.execute_raw(stmt).await?;
    } else {
        for (id, score, subject, preview) in rows {
            let stmt = Query::update()
                .table(contacts::Entity)
                .value(contacts::Column::CampaignId, campaign.id)
                .value(contacts::Column::IcpId, campaign.icp_id)
                .value(contacts::Column::IcpMatchScore, *score)
                .value(contacts::Column::EmailSubject, subject.clone())
                .value(contacts::Column::EmailBodyPreview, preview.clone())
                .and_where(Expr::col(contacts::Column::WorkspaceId).eq(campaign.workspace_id))
                .and_where(Expr::col(contacts::Column::Id).eq(*id))
                .to_owned();
            conn.execute(&stmt).await?;
        }
    }
    Ok(())
}

/// Releases every contact a campaign holds (cancel, delete).
pub async fn release_all(conn: &impl ConnectionTrait, campaign: &campaigns::Model) -> Result<u64, DbErr> {
    let stmt = Query::update()
        .table(contacts::Entity)
        .value(contacts::Column::CampaignId, Option::<Uuid>::None)
        .value(contacts::Column::EmailSubject, Option::<String>::None)
        .value(contacts::Column::EmailBodyPreview, Option::<String>::None)
        .and_where(Expr::col(contacts::Column::WorkspaceId).eq(campaign.workspace_id))
        .and_where(Expr::col(contacts::Column::CampaignId).eq(campaign.id))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}
