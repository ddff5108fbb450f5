//! Campaigns: the `Campaign` type and the campaign queries.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::campaigns::{self, Column, Model};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::ContextExt;
use super::icp::IdealClientProfile;
use super::pagination::{Cursor, PageArgs, PageInfo, page_info};
use super::templates::{CallTemplate, EmailTemplate};
use crate::domain::campaigns::CampaignStatus as DomainStatus;
use crate::error::{AppError, AppResult};
use crate::store;

/// Where a campaign is in its life.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CampaignStatus {
    /// Being prepared; `buildCampaign` assigns contacts.
    Draft,
    /// Sending.
    Active,
    /// Halted; `resumeCampaign` continues.
    Paused,
    /// Finished; its contacts are free for new builds.
    Completed,
    /// Stopped; its contacts were released.
    Cancelled,
}

impl From<DomainStatus> for CampaignStatus {
    fn from(s: DomainStatus) -> Self {
        match s {
            DomainStatus::Draft => Self::Draft,
            DomainStatus::Active => Self::Active,
            DomainStatus::Paused => Self::Paused,
            DomainStatus::Completed => Self::Completed,
            DomainStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<CampaignStatus> for DomainStatus {
    fn from(s: CampaignStatus) -> Self {
        match s {
            CampaignStatus::Draft => Self::Draft,
            CampaignStatus::Active => Self::Active,
            CampaignStatus::Paused => Self::Paused,
            CampaignStatus::Completed => Self::Completed,
            CampaignStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// A campaign: contacts picked by ICP score, each with a rendered e-mail.
pub struct Campaign(pub Arc<Model>);

/// A campaign: contacts picked by ICP score, each with a rendered e-mail.
#[Object]
impl Campaign {
    /// The campaign's id.
    async fn id(&self) -> Uuid {
        self.0.id
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Id of the ICP that picks contacts.
    async fn icp_id(&self) -> Option<Uuid> {
        self.0.icp_id
    }
    /// The ICP that picks contacts.
    async fn icp(&self, ctx: &Context<'_>) -> AppResult<Option<IdealClientProfile>> {
        let Some(id) = self.0.icp_id else { return Ok(None) };
        Ok(ctx.req()?.loaders.icps.load_one(id).await?.map(IdealClientProfile))
    }
    /// Id of the e-mail template rendered for each contact.
    async fn email_template_id(&self) -> Option<Uuid> {
        self.0.email_template_id
    }
    /// The e-mail template rendered for each contact.
    async fn email_template(&self, ctx: &Context<'_>) -> AppResult<Option<EmailTemplate>> {
        let Some(id) = self.0.email_template_id else { return Ok(None) };
        Ok(ctx.req()?.loaders.email_templates.load_one(id).await?.map(EmailTemplate))
    }
    /// Id of the call template, if any.
    async fn call_template_id(&self) -> Option<Uuid> {
        self.0.call_template_id
    }
    /// The call template, if any.
    async fn call_template(&self, ctx: &Context<'_>) -> AppResult<Option<CallTemplate>> {
        let Some(id) = self.0.call_template_id else { return Ok(None) };
        Ok(ctx.req()?.loaders.call_templates.load_one(id).await?.map(CallTemplate))
    }
    /// Status.
    async fn status(&self) -> CampaignStatus {
        self.0.status.parse::<DomainStatus>().map(Into::into).unwrap_or(CampaignStatus::Draft)
    }
    /// Lowest ICP score a build takes.
    async fn min_icp_score(&self) -> i32 {
        self.0.min_icp_score
    }
    /// Most contacts a build takes (null: no limit).
    async fn max_contacts(&self) -> Option<i32> {
        self.0.max_contacts
    }
    /// Contacts assigned by the last build.
    async fn target_count(&self) -> i32 {
        self.0.target_count
    }
    /// E-mails sent.
    async fn sent_count(&self) -> i32 {
        self.0.sent_count
    }
    /// E-mails opened.
    async fn opened_count(&self) -> i32 {
        self.0.opened_count
    }
    /// Links clicked.
    async fn clicked_count(&self) -> i32 {
        self.0.clicked_count
    }
    /// Replies received.
    async fn replied_count(&self) -> i32 {
        self.0.replied_count
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Planned start.
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.0.scheduled_at
    }
    /// First activation.
    async fn activated_at(&self) -> Option<DateTime<Utc>> {
        self.0.activated_at
    }
    /// Completion or cancellation.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// An edge of a campaign connection.
#[derive(SimpleObject)]
pub struct CampaignEdge {
    /// Opaque cursor.
    pub cursor: String,
    /// The campaign.
    pub node: Campaign,
}

/// A page of campaigns, newest first.
pub struct CampaignConnection {
    edges: Vec<(String, Arc<Model>)>,
    page_info: PageInfo,
    status: Option<CampaignStatus>,
}

/// A page of campaigns, newest first.
#[Object]
impl CampaignConnection {
    /// The campaigns with their cursors.
    async fn edges(&self) -> Vec<CampaignEdge> {
        self.edges
            .iter()
            .map(|(c, m)| CampaignEdge { cursor: c.clone(), node: Campaign(m.clone()) })
            .collect()
    }
    /// The campaigns.
    async fn nodes(&self) -> Vec<Campaign> {
        self.edges.iter().map(|(_, m)| Campaign(m.clone())).collect()
    }
    /// Where this page sits in the list.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// Campaigns matching `status`, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        let db = &ctx.req()?.db;
        let tx = db.tx().await?;
        Ok(scope(db.claims().workspace_id, self.status).count(&*tx).await?)
    }
}

const ORDER: &str = "CREATED_AT:DESC";

fn scope(workspace_id: Uuid, status: Option<CampaignStatus>) -> sea_orm::Select<campaigns::Entity> {
    let mut q = campaigns::Entity::find().filter(Column::WorkspaceId.eq(workspace_id));
    if let Some(s) = status {
        q = q.filter(Column::Status.eq(DomainStatus::from(s).as_str()));
    }
    q
}

/// Campaign queries.
#[derive(Default)]
pub struct CampaignsQuery;

#[Object]
impl CampaignsQuery {
    /// The workspace's campaigns, newest first, optionally of one `status`;
    /// `first` (default 25) after the cursor `after`.
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        status: Option<CampaignStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<CampaignConnection> {
        let db = &ctx.req()?.db;
        let args = PageArgs::new(first, after, None, None, ctx.api()?.max_page_size)?;
        let mut q = scope(db.claims().workspace_id, status);
        if let Some(c) = &args.cursor {
            let c = Cursor::decode(c, ORDER, "after")?;
            let at: DateTime<Utc> =
                c.keys.first().and_then(|k| k.as_str()).and_then(|s| s.parse().ok()).ok_or_else(|| {
                    AppError::bad_field("after", "`after` is not a valid cursor for this list")
                })?;
            let backend = db.backend();
            q = q.filter(
                Expr::tuple([
                    Expr::col((campaigns::Entity, Column::CreatedAt)),
                    Expr::col((campaigns::Entity, Column::Id)),
                ])
                .lt(Expr::tuple([Expr::val(store::timestamp(backend, at)), Expr::val(c.id)])),
            );
        }
        let tx = db.tx().await?;
        let mut rows = q
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id)
            .limit(u64::from(args.limit) + 1)
            .all(&*tx)
            .await?;
        let has_more = rows.len() > args.limit as usize;
        rows.truncate(args.limit as usize);
        let edges: Vec<(String, Arc<Model>)> = rows
            .into_iter()
            .map(|m| {
                let cursor = Cursor {
                    order: ORDER.to_owned(),
                    keys: vec![serde_json::Value::String(store::rfc3339(&m.created_at))],
                    id: m.id,
                };
                (cursor.encode(), Arc::new(m))
            })
            .collect();
        let info =
            page_info(&args, has_more, edges.first().map(|e| e.0.clone()), edges.last().map(|e| e.0.clone()));
        Ok(CampaignConnection { edges, page_info: info, status })
    }

    /// One campaign; null when it does not exist in the workspace.
    async fn campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Option<Campaign>> {
        Ok(ctx.req()?.loaders.campaigns.load_one(id).await?.map(Campaign))
    }
}
