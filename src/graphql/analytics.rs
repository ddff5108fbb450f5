//! Analytics for dashboards: the two views and `get_workspace_stats`
//! (Postgres) or the equivalent queries (SQLite).

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{campaign_performance, contact_quality_dashboard, contacts};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, Statement,
};
use uuid::Uuid;

use super::ContextExt;
use super::campaigns::CampaignStatus;
use crate::domain::campaigns::CampaignStatus as DomainStatus;
use crate::error::AppResult;

/// Data quality of the workspace's contacts (the `contact_quality_dashboard` view).
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct ContactQualityDashboard {
    /// Contacts in the workspace.
    pub total_contacts: i64,
    /// Quality score 100.
    pub high_quality: i64,
    /// Quality score 80–99.
    pub good_quality: i64,
    /// Quality score 60–79.
    pub fair_quality: i64,
    /// Quality score below 60.
    pub low_quality: i64,
    /// Average quality score, 2 decimals.
    pub avg_quality_score: f64,
    /// Persona has the word decision, owner or founder.
    pub decision_makers: i64,
    /// Persona has the word executive, ceo, cfo, cto, coo, president, chief or vp.
    pub executives: i64,
    /// Persona has the word manager, director or head.
    pub managers: i64,
    /// Contacts matched to an ICP.
    pub assigned_to_icp: i64,
    /// Contacts held by a campaign.
    pub in_campaigns: i64,
}

impl From<contact_quality_dashboard::Model> for ContactQualityDashboard {
    fn from(m: contact_quality_dashboard::Model) -> Self {
        Self {
            total_contacts: m.total_contacts,
            high_quality: m.high_quality,
            good_quality: m.good_quality,
            fair_quality: m.fair_quality,
            low_quality: m.low_quality,
            avg_quality_score: m.avg_quality_score,
            decision_makers: m.decision_makers,
            executives: m.executives,
            managers: m.managers,
            assigned_to_icp: m.assigned_to_icp,
            in_campaigns: m.in_campaigns,
        }
    }
}

/// Counts and rates of one campaign (the `campaign_performance` view).
#[derive(SimpleObject, Clone, Debug)]
pub struct CampaignPerformance {
    /// The campaign.
    pub campaign_id: Uuid,
    /// Its name.
    pub campaign_name: String,
    /// Its status.
    pub status: CampaignStatus,
    /// Contacts assigned.
    pub target_count: i32,
    /// E-mails sent.
    pub sent_count: i32,
    /// E-mails opened.
    pub opened_count: i32,
    /// Links clicked.
    pub clicked_count: i32,
    /// Replies.
    pub replied_count: i32,
    /// Percent of sent e-mails opened, 2 decimals (0 when nothing was sent).
    pub open_rate: f64,
    /// Percent of sent e-mails clicked, 2 decimals.
    pub click_rate: f64,
    /// Percent of sent e-mails replied to, 2 decimals.
    pub reply_rate: f64,
    /// Name of the campaign's ICP.
    pub icp_name: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Planned start.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// First activation.
    pub activated_at: Option<DateTime<Utc>>,
    /// Completion or cancellation.
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<campaign_performance::Model> for CampaignPerformance {
    fn from(m: campaign_performance::Model) -> Self {
        Self {
            campaign_id: m.campaign_id,
            campaign_name: m.campaign_name,
            status: m.status.parse::<DomainStatus>().map(Into::into).unwrap_or(CampaignStatus::Draft),
            target_count: m.target_count,
            sent_count: m.sent_count,
            opened_count: m.opened_count,
            clicked_count: m.clicked_count,
            replied_count: m.replied_count,
            open_rate: m.open_rate,
            click_rate: m.click_rate,
            reply_rate: m.reply_rate,
            icp_name: m.icp_name,
            created_at: m.created_at,
            scheduled_at: m.scheduled_at,
            activated_at: m.activated_at,
            completed_at: m.completed_at,
        }
    }
}

/// Headline figures of the workspace (`get_workspace_stats`).
#[derive(SimpleObject, Clone, Debug, Default, FromQueryResult)]
pub struct WorkspaceStats {
    /// Contacts.
    pub total_contacts: i64,
    /// Contacts with quality score ≥ 60.
    pub enriched_contacts: i64,
    /// Contacts whose persona makes them decision makers.
    pub decision_makers: i64,
    /// Campaigns with status active.
    pub active_campaigns: i64,
    /// E-mail and call templates.
    pub total_templates: i64,
    /// Average quality score, 2 decimals.
    pub avg_quality_score: f64,
}

/// Analytics queries.
#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// Data quality bands and persona groups of the workspace's contacts.
    async fn contact_quality_dashboard(&self, ctx: &Context<'_>) -> AppResult<ContactQualityDashboard> {
        let db = &ctx.req()?.db;
        let tx = db.tx().await?;
        let row = contact_quality_dashboard::Entity::find()
            .filter(contact_quality_dashboard::Column::WorkspaceId.eq(db.claims().workspace_id))
            .one(&*tx)
            .await?;
        Ok(row.map(Into::into).unwrap_or_default())
    }

    /// Counts and rates of the workspace's campaigns (or just `campaignId`), newest first.
    async fn campaign_performance(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<Uuid>,
    ) -> AppResult<Vec<CampaignPerformance>> {
        let db = &ctx.req()?.db;
        let tx = db.tx().await?;
        let mut q = campaign_performance::Entity::find()
            .filter(campaign_performance::Column::WorkspaceId.eq(db.claims().workspace_id));
        if let Some(id) = campaign_id {
            q = q.filter(campaign_performance::Column::CampaignId.eq(id));
        }
        let rows = q
            .order_by_desc(campaign_performance::Column::CreatedAt)
            .order_by_desc(campaign_performance::Column::CampaignId)
            .all(&*tx)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Headline figures: contacts, enriched contacts, decision makers, active
    /// campaigns, templates and the average quality score.
    async fn workspace_stats(&self, ctx: &Context<'_>) -> AppResult<WorkspaceStats> {
        let db = &ctx.req()?.db;
        let ws = db.claims().workspace_id;
        let tx = db.tx().await?;
        if db.backend() == DbBackend::Postgres {
            let stmt = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT total_contacts, enriched_contacts, decision_makers, active_campaigns, total_templates, \
                 avg_quality_score FROM get_workspace_stats($1)",
                [ws.into()],
            );
            let stats = WorkspaceStats::find_by_statement(stmt).one(&*tx).await?;
            return Ok(stats.unwrap_or_default());
        }
        // SQLite: the same figures from the dashboard view and plain counts.
        let dash = contact_quality_dashboard::Entity::find()
            .filter(contact_quality_dashboard::Column::WorkspaceId.eq(ws))
            .one(&*tx)
            .await?
            .map(ContactQualityDashboard::from)
            .unwrap_or_default();
        let enriched = contacts::Entity::find()
            .filter(contacts::Column::WorkspaceId.eq(ws))
            .filter(contacts::Column::EnrichmentDataQualityScore.gte(60))
            .count(&*tx)
            .await?;
        let active = entity::campaigns::Entity::find()
            .filter(entity::campaigns::Column::WorkspaceId.eq(ws))
            .filter(entity::campaigns::Column::Status.eq("active"))
            .count(&*tx)
            .await?;
        let emails = entity::email_templates::Entity::find()
            .filter(entity::email_templates::Column::WorkspaceId.eq(ws))
            .count(&*tx)
            .await?;
        let calls = entity::call_templates::Entity::find()
            .filter(entity::call_templates::Column::WorkspaceId.eq(ws))
            .count(&*tx)
            .await?;
        let _ = tx.get_database_backend();
        Ok(WorkspaceStats {
            total_contacts: dash.total_contacts,
            enriched_contacts: enriched as i64,
            decision_makers: dash.decision_makers,
            active_campaigns: active as i64,
            total_templates: (emails + calls) as i64,
            avg_quality_score: dash.avg_quality_score,
        })
    }
}
