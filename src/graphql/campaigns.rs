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
pub struct Campaign(pub Arc<Model>, pub Option<Arc<super::RequestContext>>);

impl Campaign {
    /// A campaign read by the current request.
    pub fn new(model: Arc<Model>) -> Self {
        Self(model, None)
    }

    /// The request context its relations load through: its own (a
    /// subscription event) or the current request's.
    fn scope<'a>(&'a self, ctx: &'a Context<'_>) -> AppResult<&'a super::RequestContext> {
        match &self.1 {
            Some(scope) => Ok(scope),
            None => ctx.req(),
        }
    }
}

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
        Ok(self.scope(ctx)?.loaders.context().await?.icp(id).map(IdealClientProfile))
    }
    /// Id of the e-mail template rendered for each contact.
    async fn email_template_id(&self) -> Option<Uuid> {
        self.0.email_template_id
    }
    /// The e-mail template rendered for each contact.
    async fn email_template(&self, ctx: &Context<'_>) -> AppResult<Option<EmailTemplate>> {
        let Some(id) = self.0.email_template_id else { return Ok(None) };
        Ok(self.scope(ctx)?.loaders.context().await?.email_template(id).map(EmailTemplate))
    }
    /// Id of the call template, if any.
    async fn call_template_id(&self) -> Option<Uuid> {
        self.0.call_template_id
    }
    /// The call template, if any.
    async fn call_template(&self, ctx: &Context<'_>) -> AppResult<Option<CallTemplate>> {
        let Some(id) = self.0.call_template_id else { return Ok(None) };
        Ok(self.scope(ctx)?.loaders.context().await?.call_template(id).map(CallTemplate))
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
            .map(|(c, m)| CampaignEdge { cursor: c.clone(), node: Campaign::new(m.clone()) })
            .collect()
    }
    /// The campaigns.
    async fn nodes(&self) -> Vec<Campaign> {
        self.edges.iter().map(|(_, m)| Campaign::new(m.clone())).collect()
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
    #[graphql(complexity = "first.map_or(25, |n| usize::try_from(n).unwrap_or(0)) * child_complexity + 1")]
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
        Ok(ctx.req()?.loaders.campaigns.load_one(id).await?.map(Campaign::new))
    }
}

/// Builds in progress in this process (SQLite: the write lock serialises
/// builds, so a concurrent build is refused here instead of waiting and
/// running again).
#[derive(Clone, Default)]
pub struct BuildLocks(Arc<std::sync::Mutex<std::collections::HashSet<Uuid>>>);

struct BuildGuard {
    locks: BuildLocks,
    id: Uuid,
}

impl Drop for BuildGuard {
    fn drop(&mut self) {
        if let Ok(mut set) = self.locks.0.lock() {
            set.remove(&self.id);
        }
    }
}

impl BuildLocks {
    fn try_lock(&self, id: Uuid) -> Option<BuildGuard> {
        let mut set = self.0.lock().ok()?;
        set.insert(id).then(|| BuildGuard { locks: self.clone(), id })
    }
}

/// A new campaign (a draft).
#[derive(async_graphql::InputObject)]
pub struct CreateCampaignInput {
    /// Name, 1–200 characters.
    pub name: String,
    /// The ICP that picks contacts.
    pub icp_id: Uuid,
    /// The e-mail template rendered for each contact.
    pub email_template_id: Uuid,
    /// A call template.
    pub call_template_id: Option<Uuid>,
    /// Lowest ICP score taken, 0–100 (default 60).
    pub min_icp_score: Option<i32>,
    /// Most contacts taken (default: no limit).
    pub max_contacts: Option<i32>,
    /// Planned start.
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// Changes to a draft campaign: fields left out stay as they are, `null` clears.
#[derive(async_graphql::InputObject)]
pub struct UpdateCampaignInput {
    /// Name.
    pub name: Option<String>,
    /// The ICP.
    pub icp_id: Option<Uuid>,
    /// The e-mail template.
    pub email_template_id: Option<Uuid>,
    /// The call template.
    pub call_template_id: async_graphql::MaybeUndefined<Uuid>,
    /// Lowest ICP score taken.
    pub min_icp_score: Option<i32>,
    /// Most contacts taken.
    pub max_contacts: async_graphql::MaybeUndefined<i32>,
    /// Planned start.
    pub scheduled_at: async_graphql::MaybeUndefined<DateTime<Utc>>,
}

/// Events to add to a campaign's counters (negative numbers correct them).
#[derive(async_graphql::InputObject, Default)]
pub struct CampaignEventsInput {
    /// E-mails sent.
    #[graphql(default)]
    pub sent: i32,
    /// E-mails opened.
    #[graphql(default)]
    pub opened: i32,
    /// Links clicked.
    #[graphql(default)]
    pub clicked: i32,
    /// Replies received.
    #[graphql(default)]
    pub replied: i32,
}

/// What `buildCampaign` did.
#[derive(SimpleObject)]
pub struct CampaignBuild {
    /// The campaign after the build.
    pub campaign: Campaign,
    /// Contacts scoring at least the campaign's `minIcpScore`.
    pub matched: i64,
    /// Contacts the campaign now holds (not held by another open campaign, up to `maxContacts`).
    pub assigned: i64,
    /// Assigned contacts whose e-mail had missing variables.
    pub incomplete_renders: i64,
}

async fn load_campaign(
    tx: &crate::db::Tx,
    ws: Uuid,
    id: Uuid,
    lock: Option<sea_orm::sea_query::LockBehavior>,
) -> AppResult<Model> {
    let mut q = campaigns::Entity::find_by_id(id).filter(Column::WorkspaceId.eq(ws));
    // Postgres: campaign mutations of one campaign run one at a time.
    if sea_orm::ConnectionTrait::get_database_backend(tx) == sea_orm::DbBackend::Postgres {
        q = match lock {
            Some(b) => q.lock_with_behavior(sea_orm::sea_query::LockType::Update, b),
            None => q.lock(sea_orm::sea_query::LockType::Update),
        };
    }
    q.one(tx).await?.ok_or_else(|| AppError::not_found("campaign", id))
}

async fn reload_campaign(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<Campaign> {
    let m = campaigns::Entity::find_by_id(id)
        .filter(Column::WorkspaceId.eq(ws))
        .one(tx)
        .await?
        .ok_or_else(|| AppError::not_found("campaign", id))?;
    Ok(Campaign::new(Arc::new(m)))
}

fn status_of(m: &Model) -> AppResult<DomainStatus> {
    m.status.parse::<DomainStatus>().map_err(AppError::internal)
}

fn check_min_score(v: i32) -> AppResult<i32> {
    if (0..=100).contains(&v) {
        Ok(v)
    } else {
        Err(AppError::bad_field("minIcpScore", "minIcpScore must be between 0 and 100"))
    }
}

fn check_max_contacts(v: i32) -> AppResult<i32> {
    if v >= 1 { Ok(v) } else { Err(AppError::bad_field("maxContacts", "maxContacts must be at least 1")) }
}

/// Checks that the referenced ICP and templates exist in the workspace.
async fn check_refs(
    tx: &crate::db::Tx,
    ws: Uuid,
    icp: Option<Uuid>,
    email: Option<Uuid>,
    call: Option<Uuid>,
) -> AppResult<()> {
    use entity::{call_templates, email_templates, ideal_client_profiles};
    if let Some(id) = icp {
        ideal_client_profiles::Entity::find_by_id(id)
            .filter(ideal_client_profiles::Column::WorkspaceId.eq(ws))
            .one(tx)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("icpId: ideal client profile {id} not found")))?;
    }
    if let Some(id) = email {
        email_templates::Entity::find_by_id(id)
            .filter(email_templates::Column::WorkspaceId.eq(ws))
            .one(tx)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("emailTemplateId: e-mail template {id} not found")))?;
    }
    if let Some(id) = call {
        call_templates::Entity::find_by_id(id)
            .filter(call_templates::Column::WorkspaceId.eq(ws))
            .one(tx)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("callTemplateId: call template {id} not found")))?;
    }
    Ok(())
}

async fn transition(
    ctx: &Context<'_>,
    id: Uuid,
    t: crate::domain::campaigns::Transition,
) -> AppResult<Campaign> {
    use crate::domain::campaigns::Transition;
    let req = super::member(ctx)?;
    let ws = req.db.claims().workspace_id;
    let tx = req.db.tx().await?;
    let m = load_campaign(&tx, ws, id, None).await?;
    let from = status_of(&m)?;
    let to =
        crate::domain::campaigns::apply(from, t, m.target_count).map_err(|e| AppError::bad_field("id", e))?;
    let backend = req.db.backend();
    let now = store::now_expr(backend);
    let mut update = campaigns::Entity::update_many()
        .col_expr(Column::Status, Expr::value(to.as_str()))
        .filter(Column::WorkspaceId.eq(ws))
        .filter(Column::Id.eq(id));
    match t {
        Transition::Activate if m.activated_at.is_none() => {
            update = update.col_expr(Column::ActivatedAt, now)
        }
        Transition::Complete | Transition::Cancel => update = update.col_expr(Column::CompletedAt, now),
        _ => {}
    }
    update.exec(&*tx).await?;
    if t == Transition::Cancel {
        store::campaigns::release_all(&*tx, &m).await?;
    }
    req.db.campaign_changed(id);
    reload_campaign(&tx, ws, id).await
}

/// Campaign mutations.
#[derive(Default)]
pub struct CampaignMutations;

#[Object]
impl CampaignMutations {
    /// Creates a draft campaign for an ICP and an e-mail template.
    async fn create_campaign(&self, ctx: &Context<'_>, input: CreateCampaignInput) -> AppResult<Campaign> {
        use sea_orm::ActiveValue::Set;
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let name = super::required_text("name", &input.name, 200)?;
        let min = check_min_score(input.min_icp_score.unwrap_or(60))?;
        let max = input.max_contacts.map(check_max_contacts).transpose()?;
        let tx = req.db.tx().await?;
        check_refs(&tx, ws, Some(input.icp_id), Some(input.email_template_id), input.call_template_id)
            .await?;
        let id = Uuid::new_v4();
        campaigns::Entity::insert(campaigns::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws),
            name: Set(name),
            icp_id: Set(Some(input.icp_id)),
            email_template_id: Set(Some(input.email_template_id)),
            call_template_id: Set(input.call_template_id),
            status: Set("draft".to_owned()),
            min_icp_score: Set(min),
            max_contacts: Set(max),
            scheduled_at: Set(input.scheduled_at.map(store::truncate_micros)),
            ..Default::default()
        })
        .exec_without_returning(&*tx)
        .await?;
        req.db.campaign_changed(id);
        reload_campaign(&tx, ws, id).await
    }

    /// Changes a draft campaign (`BAD_USER_INPUT` once it left draft).
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateCampaignInput,
    ) -> AppResult<Campaign> {
        use async_graphql::MaybeUndefined as M;
        use sea_orm::ActiveValue::Set;
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let m = load_campaign(&tx, ws, id, None).await?;
        if status_of(&m)? != DomainStatus::Draft {
            return Err(AppError::bad_field(
                "id",
                format!("only a draft campaign can be edited; this one is {}", m.status),
            ));
        }
        let mut am = m.clone().into_active_model();
        if let Some(n) = &input.name {
            am.name = Set(super::required_text("name", n, 200)?);
        }
        if let Some(v) = input.min_icp_score {
            am.min_icp_score = Set(check_min_score(v)?);
        }
        match input.max_contacts {
            M::Undefined => {}
            M::Null => am.max_contacts = Set(None),
            M::Value(v) => am.max_contacts = Set(Some(check_max_contacts(v)?)),
        }
        let call = match input.call_template_id {
            M::Undefined => None,
            M::Null => {
                am.call_template_id = Set(None);
                None
            }
            M::Value(v) => {
                am.call_template_id = Set(Some(v));
                Some(v)
            }
        };
        check_refs(&tx, ws, input.icp_id, input.email_template_id, call).await?;
        if let Some(v) = input.icp_id {
            am.icp_id = Set(Some(v));
        }
        if let Some(v) = input.email_template_id {
            am.email_template_id = Set(Some(v));
        }
        match input.scheduled_at {
            M::Undefined => {}
            M::Null => am.scheduled_at = Set(None),
            M::Value(v) => am.scheduled_at = Set(Some(store::truncate_micros(v))),
        }
        if am.is_changed() {
            am.update(&*tx).await?;
            req.db.campaign_changed(id);
        }
        reload_campaign(&tx, ws, id).await
    }

    /// Scores every contact against the campaign's ICP and, in one
    /// transaction, assigns those scoring ≥ `minIcpScore` that no other open
    /// campaign holds (best first, up to `maxContacts`) with their rendered
    /// e-mail; releases contacts of an earlier build. Draft only; idempotent.
    /// A build of the same campaign already running is `CONFLICT`.
    async fn build_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<CampaignBuild> {
        use sea_orm::ConnectionTrait as _;
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let conflict = || AppError::Conflict("this campaign is being built by another request".to_owned());
        // Taken before the transaction begins, so a second build is refused
        // instead of queueing behind the first one's write lock.
        let guard = ctx.data_unchecked::<BuildLocks>().try_lock(id).ok_or_else(conflict)?;
        req.db.hold_until_end(Box::new(guard));
        let tx = req.db.tx().await?;
        let m = load_campaign(&tx, ws, id, Some(sea_orm::sea_query::LockBehavior::Nowait)).await?;
        if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Another gateway process may be building it: one build per campaign cluster-wide.
            let row = tx
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_try_advisory_xact_lock(hashtextextended('latticeiq:build:' || $1::text, 0))",
                    [id.into()],
                ))
                .await?;
            let locked: bool = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(false);
            if !locked {
                return Err(conflict());
            }
        }
        if status_of(&m)? != DomainStatus::Draft {
            return Err(AppError::bad_field(
                "id",
                format!("only a draft campaign can be built; this one is {}", m.status),
            ));
        }
        let icp_id = m.icp_id.ok_or_else(|| AppError::bad_field("id", "the campaign has no ICP"))?;
        let template_id = m
            .email_template_id
            .ok_or_else(|| AppError::bad_field("id", "the campaign has no e-mail template"))?;
        let icp = super::icp::load_icp(&*tx, ws, icp_id).await?;
        let prepared = super::loaders::LoadedIcp::new(icp)
            .prepared
            .ok_or_else(|| AppError::bad_field("id", "the campaign's ICP criteria no longer validate"))?;
        let template = super::templates::load_email(&tx, ws, template_id).await?;
        let data = super::templates::RenderData::load(ctx).await?;
        let outcome = store::campaigns::build(
            &*tx,
            &m,
            &prepared,
            store::campaigns::BuildTemplate { subject: &template.0.subject, body: &template.0.body },
            data.context(None),
        )
        .await?;
        req.db.campaign_changed(id);
        Ok(CampaignBuild {
            campaign: reload_campaign(&tx, ws, id).await?,
            matched: outcome.matched as i64,
            assigned: outcome.assigned as i64,
            incomplete_renders: outcome.incomplete_renders as i64,
        })
    }

    /// draft → active (needs a build with contacts); sets `activatedAt`.
    async fn activate_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Campaign> {
        transition(ctx, id, crate::domain::campaigns::Transition::Activate).await
    }

    /// active → paused.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Campaign> {
        transition(ctx, id, crate::domain::campaigns::Transition::Pause).await
    }

    /// paused → active.
    async fn resume_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Campaign> {
        transition(ctx, id, crate::domain::campaigns::Transition::Resume).await
    }

    /// active → completed; sets `completedAt`. Its contacts stay as history but are free for new builds.
    async fn complete_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Campaign> {
        transition(ctx, id, crate::domain::campaigns::Transition::Complete).await
    }

    /// draft, active or paused → cancelled; sets `completedAt` and releases the contacts.
    async fn cancel_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Campaign> {
        transition(ctx, id, crate::domain::campaigns::Transition::Cancel).await
    }

    /// Adds events to the counters; every count stays ≥ 0 and opened,
    /// clicked and replied never exceed sent (`BAD_USER_INPUT` otherwise,
    /// nothing changed). Not for drafts.
    async fn record_campaign_events(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: CampaignEventsInput,
    ) -> AppResult<Campaign> {
        use crate::domain::campaigns::{Counts, add_events};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let m = load_campaign(&tx, ws, id, None).await?;
        if status_of(&m)? == DomainStatus::Draft {
            return Err(AppError::bad_field("id", "a draft campaign has sent nothing: activate it first"));
        }
        let current = Counts {
            sent: m.sent_count.into(),
            opened: m.opened_count.into(),
            clicked: m.clicked_count.into(),
            replied: m.replied_count.into(),
        };
        let delta = Counts {
            sent: input.sent.into(),
            opened: input.opened.into(),
            clicked: input.clicked.into(),
            replied: input.replied.into(),
        };
        let next = add_events(current, delta).map_err(|e| AppError::bad_field("input", e))?;
        let narrow = |v: i64| {
            i32::try_from(v).map_err(|_| AppError::bad_field("input", "a count exceeds 2 147 483 647"))
        };
        campaigns::Entity::update_many()
            .col_expr(Column::SentCount, Expr::value(narrow(next.sent)?))
            .col_expr(Column::OpenedCount, Expr::value(narrow(next.opened)?))
            .col_expr(Column::ClickedCount, Expr::value(narrow(next.clicked)?))
            .col_expr(Column::RepliedCount, Expr::value(narrow(next.replied)?))
            .filter(Column::WorkspaceId.eq(ws))
            .filter(Column::Id.eq(id))
            .exec(&*tx)
            .await?;
        req.db.campaign_changed(id);
        reload_campaign(&tx, ws, id).await
    }

    /// Deletes a draft or cancelled campaign and releases its contacts.
    async fn delete_campaign(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Uuid> {
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let m = load_campaign(&tx, ws, id, None).await?;
        if !matches!(status_of(&m)?, DomainStatus::Draft | DomainStatus::Cancelled) {
            return Err(AppError::bad_field(
                "id",
                format!("only a draft or cancelled campaign can be deleted; this one is {}", m.status),
            ));
        }
        store::campaigns::release_all(&*tx, &m).await?;
        campaigns::Entity::delete_many()
            .filter(Column::WorkspaceId.eq(ws))
            .filter(Column::Id.eq(id))
            .exec(&*tx)
            .await?;
        Ok(id)
    }
}
