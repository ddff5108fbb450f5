//! Contacts: the `Contact` type with its columns and computed fields, the
//! `contacts` connection (filters, search, sort, keyset cursors both ways)
//! and `contact(id)`.

pub mod filter;
mod json_reads;
pub mod mutations;
mod node;
pub mod order;

use std::sync::Arc;

use async_graphql::{Context, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::contacts::{self, Column, Model};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, QueryStatementBuilder as _};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use self::filter::{ContactFilter, FilterBuilder, SEARCH_CTE, search_condition, with_search};
pub use self::json_reads::PageReads;
use self::order::{OrderBy, Sort, SortDirection};
use super::ContextExt;
use super::campaigns::Campaign;
use super::icp::{IcpMatch, IdealClientProfile};
use super::loaders::{LoadedIcp, WorkspaceContext, with_context_stamp};
use super::pagination::{Cursor, Direction, PageArgs, PageInfo, page_info};
use super::plain::Plain;
use super::scalars::BigInt;
use super::templates::{RenderedTemplate, TemplateKind, render_for_contact};
use crate::domain::fields::{self, FieldError};
use crate::error::{AppError, AppResult};
use crate::store::contacts::{ContactFields, ContactView, JsonDocs, icp_contact, select_none};

/// A contact: base columns, AI enrichment, the columns derived from it, and
/// computed fields (ICP match, personalised e-mail and call script, any
/// field by name).
pub struct Contact(pub Arc<Model>);

impl From<Model> for Contact {
    fn from(m: Model) -> Self {
        Self(Arc::new(m))
    }
}

/// The schema and resolvers of `Contact` (`Contact` itself resolves plain
/// columns directly and the rest through these: see `node`), with the
/// criteria the contact last met (by ICP id): `icpMatchScore` and
/// `icpMatch` of one contact and ICP compare its words once.
struct ContactObject(Arc<Model>, std::sync::Mutex<Option<(Uuid, crate::domain::icp::Met)>>);

/// A contact: base columns, AI enrichment, the columns derived from it, and
/// computed fields (ICP match, personalised e-mail and call script, any
/// field by name).
#[Object(name = "Contact")]
impl ContactObject {
    /// The contact's id.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The user who created the contact, when known.
    async fn user_id(&self) -> Option<Uuid> {
        self.0.user_id
    }

    /// E-mail address (unique per workspace, case-insensitively).
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Given name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    /// Family name.
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }

    /// Company as entered or imported.
    async fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }

    /// Job title as entered or imported.
    async fn job_title(&self) -> Option<&str> {
        self.0.job_title.as_deref()
    }

    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// LinkedIn profile URL.
    async fn linkedin_url(&self) -> Option<&str> {
        self.0.linkedin_url.as_deref()
    }

    /// Company website.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// Industry vertical as entered or imported.
    async fn vertical(&self) -> Option<&str> {
        self.0.vertical.as_deref()
    }

    /// Persona as entered or imported.
    async fn persona_type(&self) -> Option<&str> {
        self.0.persona_type.as_deref()
    }

    /// Annual revenue as entered or imported.
    async fn annual_revenue(&self) -> Option<BigInt> {
        self.0.annual_revenue.map(BigInt)
    }

    /// `pending`, `processing`, `completed` or `failed`.
    async fn enrichment_status(&self) -> &str {
        &self.0.enrichment_status
    }

    /// Raw AI enrichment, in any of the supported formats.
    async fn enrichment_data(&self) -> Option<Json<&serde_json::Value>> {
        self.0.enrichment_data.as_ref().map(Json)
    }

    /// WHO/WHEN/WHAT analysis.
    async fn kernel_analysis(&self) -> Option<Json<&serde_json::Value>> {
        self.0.kernel_analysis.as_ref().map(Json)
    }

    /// When the contact was last enriched.
    async fn enriched_at(&self) -> Option<DateTime<Utc>> {
        self.0.enriched_at
    }

    /// CRM lifecycle stage.
    async fn lifecycle_stage(&self) -> Option<&str> {
        self.0.lifecycle_stage.as_deref()
    }

    /// CRM lead status.
    async fn lead_status(&self) -> Option<&str> {
        self.0.lead_status.as_deref()
    }

    /// CRM pipeline stage.
    async fn pipeline_stage(&self) -> Option<&str> {
        self.0.pipeline_stage.as_deref()
    }

    /// Identifier in an external system.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    /// HubSpot record id.
    async fn hubspot_id(&self) -> Option<&str> {
        self.0.hubspot_id.as_deref()
    }

    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Company name derived from the enrichment.
    async fn enrichment_company_name(&self) -> Option<&str> {
        self.0.enrichment_company_name.as_deref()
    }

    /// Company revenue derived from the enrichment.
    async fn enrichment_company_revenue(&self) -> Option<BigInt> {
        self.0.enrichment_company_revenue.map(BigInt)
    }

    /// Company head count derived from the enrichment.
    async fn enrichment_company_employees(&self) -> Option<i32> {
        self.0.enrichment_company_employees
    }

    /// Company industry derived from the enrichment.
    async fn enrichment_company_industry(&self) -> Option<&str> {
        self.0.enrichment_company_industry.as_deref()
    }

    /// Year-over-year growth as a fraction (0.18 = 18 %).
    async fn enrichment_company_growth_yoy(&self) -> Option<f64> {
        self.0.enrichment_company_growth_yoy
    }

    /// The person's title derived from the enrichment.
    async fn enrichment_person_title(&self) -> Option<&str> {
        self.0.enrichment_person_title.as_deref()
    }

    /// The person's background derived from the enrichment.
    async fn enrichment_person_background(&self) -> Option<&str> {
        self.0.enrichment_person_background.as_deref()
    }

    /// When the derived columns were last filled.
    async fn enrichment_last_enriched_at(&self) -> Option<DateTime<Utc>> {
        self.0.enrichment_last_enriched_at
    }

    /// Data quality score, 0–100: points for each known company name (20), revenue (20), industry, title, background and growth (15 each).
    async fn enrichment_data_quality_score(&self) -> i32 {
        self.0.enrichment_data_quality_score
    }

    /// Persona from the kernel analysis.
    async fn kernel_who_persona(&self) -> Option<&str> {
        self.0.kernel_who_persona.as_deref()
    }

    /// Influence level from the kernel analysis.
    async fn kernel_who_influence(&self) -> Option<&str> {
        self.0.kernel_who_influence.as_deref()
    }

    /// Urgency from the kernel analysis.
    async fn kernel_when_urgency(&self) -> Option<&str> {
        self.0.kernel_when_urgency.as_deref()
    }

    /// Timing signal from the kernel analysis.
    async fn kernel_when_timing_signal(&self) -> Option<&str> {
        self.0.kernel_when_timing_signal.as_deref()
    }

    /// Opening hook from the kernel analysis.
    async fn kernel_what_hook(&self) -> Option<&str> {
        self.0.kernel_what_hook.as_deref()
    }

    /// Best-performing call script variant.
    async fn best_call_variant_number(&self) -> Option<i32> {
        self.0.best_call_variant_number
    }

    /// Rendered e-mail subject stored by the contact's campaign build.
    async fn email_subject(&self) -> Option<&str> {
        self.0.email_subject.as_deref()
    }

    /// First 200 characters of the rendered e-mail body stored by the campaign build.
    async fn email_body_preview(&self) -> Option<&str> {
        self.0.email_body_preview.as_deref()
    }

    /// Product catalog key assigned to the contact (see `settings.products`).
    async fn assigned_product(&self) -> Option<&str> {
        self.0.assigned_product.as_deref()
    }

    /// The ICP the contact was last matched to.
    async fn icp_id(&self) -> Option<Uuid> {
        self.0.icp_id
    }

    /// The score stored by the last ICP match or campaign build (what `filter.icpMatchScore` and `ICP_MATCH_SCORE` use). `icpMatchScore` computes a live score.
    #[graphql(name = "storedIcpMatchScore")]
    async fn stored_icp_match_score(&self) -> Option<i32> {
        self.0.icp_match_score
    }

    /// Product match details.
    async fn product_match(&self) -> Option<Json<&serde_json::Value>> {
        self.0.product_match.as_ref().map(Json)
    }

    /// The open or completed campaign holding the contact.
    async fn campaign_id(&self) -> Option<Uuid> {
        self.0.campaign_id
    }

    /// Identifier of the sent e-mail.
    async fn email_send_id(&self) -> Option<&str> {
        self.0.email_send_id.as_deref()
    }

    /// Where the contact came from: `csv`, `hubspot`, `salesforce`, `manual` or `api`.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    /// Free-form tags.
    async fn tags(&self) -> &[String] {
        &self.0.tags.0
    }

    /// Free-form notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// First and last name joined by one space (null when both are empty).
    async fn full_name(&self) -> Option<String> {
        full_name(&self.0)
    }

    /// The ICP the contact was last matched to.
    async fn icp(&self, ctx: &Context<'_>) -> AppResult<Option<Plain<IdealClientProfile>>> {
        let Some(id) = self.0.icp_id else { return Ok(None) };
        let icp = ctx.req()?.loaders.context().await?.icp(id);
        Ok(icp.map(|i| Plain(IdealClientProfile(i))))
    }

    /// The campaign holding the contact.
    async fn campaign(&self, ctx: &Context<'_>) -> AppResult<Option<Campaign>> {
        let Some(id) = self.0.campaign_id else { return Ok(None) };
        let c = ctx.req()?.loaders.campaigns.load_one(id).await?;
        Ok(c.map(Campaign::new))
    }

    /// Any field by name, keeping its type: a column (`enrichment_company_revenue`),
    /// an alias (`company_name`, `industry`, `title`, `persona`, `full_name`, …) or a
    /// custom field of the workspace; the first non-empty source wins, and
    /// derived columns still empty fall back to the enrichment JSON. Unknown
    /// names are `BAD_USER_INPUT`.
    async fn field(&self, ctx: &Context<'_>, name: String) -> AppResult<Option<Json<serde_json::Value>>> {
        let context = ctx.req()?.loaders.context().await?;
        Ok(self.field_in(&context, &name)?.map(Json))
    }

    /// Live score (0–100) against `icpId`, else against the contact's ICP;
    /// null when there is neither (an id of another workspace counts as none).
    async fn icp_match_score(&self, ctx: &Context<'_>, icp_id: Option<Uuid>) -> AppResult<Option<i32>> {
        let context = ctx.req()?.loaders.context().await?;
        Ok(self.icp_match_score_in(&context, icp_id))
    }

    /// Live match against `icpId`, else against the contact's ICP: score,
    /// tier and the criteria that matched.
    async fn icp_match(&self, ctx: &Context<'_>, icp_id: Option<Uuid>) -> AppResult<Option<Plain<IcpMatch>>> {
        let context = ctx.req()?.loaders.context().await?;
        Ok(self.icp_match_in(&context, icp_id).map(Plain))
    }

    /// The e-mail template `templateId` (else the workspace's default)
    /// rendered for this contact; `variables` supplies `sender_*` values.
    async fn rendered_email(
        &self,
        ctx: &Context<'_>,
        template_id: Option<Uuid>,
        variables: Option<Json<serde_json::Value>>,
    ) -> AppResult<Option<Plain<RenderedTemplate>>> {
        Ok(render_for_contact(ctx, &self.0, TemplateKind::Email, template_id, variables.map(|v| v.0))
            .await?
            .map(Plain))
    }

    /// The call template `templateId` (else the workspace's default) rendered
    /// for this contact; `variables` supplies `sender_*` values.
    async fn rendered_call_script(
        &self,
        ctx: &Context<'_>,
        template_id: Option<Uuid>,
        variables: Option<Json<serde_json::Value>>,
    ) -> AppResult<Option<Plain<RenderedTemplate>>> {
        Ok(render_for_contact(ctx, &self.0, TemplateKind::Call, template_id, variables.map(|v| v.0))
            .await?
            .map(Plain))
    }
}

/// First and last name joined by one space (null when both are empty).
fn full_name(m: &Model) -> Option<String> {
    full_name_of(m.first_name.as_deref(), m.last_name.as_deref())
}

/// [`full_name`] of a first and a last name.
fn full_name_of(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = format!("{} {}", first.unwrap_or(""), last.unwrap_or(""));
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The prepared criteria of `icp` and those a contact meets (`None` for an
/// ICP without prepared criteria): `last`, the contact's last ones, where
/// they are `icp`'s, else worked out from `contact` and remembered in `last`.
pub(super) fn met_of<'i, 'c>(
    icp: &'i LoadedIcp,
    last: &mut Option<(Uuid, crate::domain::icp::Met)>,
    contact: impl FnOnce() -> crate::domain::icp::IcpContact<'c>,
) -> Option<(&'i crate::domain::icp::PreparedIcp, crate::domain::icp::Met)> {
    let prepared = icp.prepared.as_ref()?;
    if let Some((id, met)) = *last
        && id == icp.model.id
    {
        return Some((prepared, met));
    }
    let met = prepared.met(&contact());
    *last = Some((icp.model.id, met));
    Some((prepared, met))
}

impl ContactObject {
    fn new(model: Arc<Model>) -> Self {
        Self(model, std::sync::Mutex::new(None))
    }

    /// The prepared criteria of `icp` and those the contact meets (`None`
    /// for an ICP without prepared criteria), remembered for the next field
    /// that asks.
    fn met<'i>(
        &self,
        icp: &'i LoadedIcp,
    ) -> Option<(&'i crate::domain::icp::PreparedIcp, crate::domain::icp::Met)> {
        met_of(icp, &mut self.1.lock().unwrap_or_else(|e| e.into_inner()), || icp_contact(&self.0))
    }

    /// The ICP a live score is against: `icpId`, else the contact's own.
    fn live_icp<'c>(&self, context: &'c WorkspaceContext, icp_id: Option<Uuid>) -> Option<&'c LoadedIcp> {
        context.icp_ref(icp_id.or(self.0.icp_id)?)
    }

    /// `field(name)` with the workspace context at hand.
    fn field_in(&self, context: &WorkspaceContext, name: &str) -> AppResult<Option<serde_json::Value>> {
        fields::resolve(&ContactFields(&self.0), &context.fields.definitions, name)
            .map_err(|FieldError::Unknown(n)| AppError::bad_field("name", format!("unknown field `{n}`")))
    }

    /// `icpMatchScore(icpId)` with the workspace context at hand. The score
    /// alone (no breakdown to build): equal to `icpMatch.score` on every
    /// fixture case (domain::icp tests).
    fn icp_match_score_in(&self, context: &WorkspaceContext, icp_id: Option<Uuid>) -> Option<i32> {
        let icp = self.live_icp(context, icp_id)?;
        self.met(icp).map(|(p, met)| p.score_of(met))
    }

    /// `icpMatch(icpId)` with the workspace context at hand.
    fn icp_match_in(&self, context: &WorkspaceContext, icp_id: Option<Uuid>) -> Option<IcpMatch> {
        let icp = self.live_icp(context, icp_id)?;
        self.met(icp)
            .map(|(p, met)| IcpMatch::from(crate::domain::icp::score_met(p, &icp_contact(&self.0), met)))
    }
}

/// An edge of a contact connection.
#[derive(SimpleObject)]
pub struct ContactEdge {
    /// Opaque cursor of this contact under the list's order.
    pub cursor: String,
    /// The contact.
    pub node: Contact,
}

/// A contact of a page as read. On Postgres a page keeps its rows, and a
/// contact is decoded into a [`Model`] only when something asks for one:
/// `ContactList` writes the plain fields of the others straight from their
/// rows ([`PageContact::view`]), and their computed fields too where the
/// page kept their JSON columns beside them ([`PageContact::docs`]).
pub enum PageContact {
    /// Decoded as read (SQLite).
    Decoded(Arc<Model>),
    /// A Postgres row as read.
    Read {
        /// The row.
        row: sea_orm::QueryResult,
        /// Where the page's rows carry the contact's columns.
        columns: Arc<crate::store::contacts::RowColumns>,
        /// Where the page was read with a JSON plan: the contact's JSON
        /// columns as its computed fields read them (rebuilt from paths, or
        /// whole), which the model takes too.
        docs: Option<Box<JsonDocs>>,
        /// The model, once decoded.
        model: std::sync::OnceLock<Arc<Model>>,
    },
}

impl PageContact {
    /// The contact's model, decoded from its row on first use.
    pub fn model(&self) -> Result<&Arc<Model>, sea_orm::DbErr> {
        match self {
            PageContact::Decoded(m) => Ok(m),
            PageContact::Read { row, columns, docs, model } => {
                if let Some(m) = model.get() {
                    return Ok(m);
                }
                let mut decoded = crate::store::contacts::model_from_columns(row, columns.at())?;
                if let Some(docs) = docs {
                    for (column, doc) in
                        crate::store::contacts::json_columns_mut(&mut decoded).into_iter().zip(docs.iter())
                    {
                        column.clone_from(doc);
                    }
                }
                Ok(model.get_or_init(|| Arc::new(decoded)))
            }
        }
    }

    /// Reads the contact's plain cells, borrowed from its row, into `view`
    /// (see `RowColumns::view_into`: `view` is to be filled only from rows
    /// of this page), where it has a row and no model has been decoded from
    /// it; false otherwise (then ask [`PageContact::model`]), and for a row
    /// that does not decode (the model then tells why).
    pub fn view_into<'r>(&'r self, view: &mut ContactView<'r>) -> bool {
        match self {
            PageContact::Read { row, columns, model, .. } if model.get().is_none() => {
                columns.view_into(row, view)
            }
            _ => false,
        }
    }

    /// The contact's JSON columns kept beside its row (a page read with a
    /// JSON plan), `None` otherwise.
    pub fn docs(&self) -> Option<&JsonDocs> {
        match self {
            PageContact::Read { docs, .. } => docs.as_deref(),
            PageContact::Decoded(_) => None,
        }
    }
}

/// A page of contacts.
pub struct ContactConnection {
    rows: Arc<Vec<PageContact>>,
    /// The order the page was read in: cursors are made from it, and only
    /// when `edges` asks for them.
    sort: Sort,
    /// Without its cursors, made only when asked for.
    page_info: PageInfo,
    total: Option<i64>,
    count: Option<CountQuery>,
}

struct CountQuery {
    statement: sea_orm::Statement,
}

/// The column the page query returns its total in.
const TOTAL_COLUMN: &str = "__total_count";
/// The column a search's page returns the workspace's search version in.
const SEARCH_VERSION_COLUMN: &str = "__search_version";
/// The column a search's page returns the workspace's contact count in.
const WORKSPACE_CONTACTS_COLUMN: &str = "__workspace_contacts";

/// Whether `matches` of `contacts` are too many to read whole for a page in
/// creation order: walking that order finds a page of 50 after ~50 × contacts
/// / matches rows (each a read of two indexes), reading the matches costs one
/// row each (plus a sort); they cost about the same at matches ≈ 16 ×
/// sqrt(contacts) (measured at 100 000 contacts: ~5 000 matches).
fn broad_search(matches: i64, contacts: i64) -> bool {
    matches > 0 && matches as f64 >= 16.0 * (Ord::max(contacts, 0) as f64).sqrt()
}

/// A page of contacts.
#[Object]
impl ContactConnection {
    /// The contacts with their cursors.
    async fn edges(&self) -> AppResult<Vec<ContactEdge>> {
        self.rows
            .iter()
            .map(|c| {
                let m = c.model()?;
                Ok(ContactEdge { cursor: self.sort.cursor_of(m).encode(), node: Contact(m.clone()) })
            })
            .collect()
    }

    /// The contacts.
    async fn nodes(&self) -> node::ContactList {
        node::ContactList(self.rows.clone())
    }

    /// Where this page sits in the list.
    async fn page_info(&self) -> AppResult<PageInfo> {
        let cursor = |c: Option<&PageContact>| {
            c.map(|c| c.model().map(|m| self.sort.cursor_of(m).encode())).transpose()
        };
        Ok(PageInfo {
            start_cursor: cursor(self.rows.first())?,
            end_cursor: cursor(self.rows.last())?,
            ..self.page_info.clone()
        })
    }

    /// Contacts matching the filter and search, over all pages (computed
    /// only when selected).
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        if let Some(n) = self.total {
            return Ok(n);
        }
        let Some(count) = &self.count else { return Ok(self.rows.len() as i64) };
        let tx = ctx.req()?.db.tx().await?;
        let row = tx.query_one_raw(count.statement.clone()).await?;
        Ok(match row {
            Some(r) => r.try_get_by_index(0)?,
            None => 0,
        })
    }
}

/// Contact queries.
#[derive(Default)]
pub struct ContactsQuery;

#[Object]
impl ContactsQuery {
    /// The contacts of the workspace, a page at a time (Relay cursors): `first`
    /// (default 25, at most MAX_PAGE_SIZE) after the cursor `after`, or `last`
    /// before `before`. `filter` narrows by field, `search` by words of the
    /// names, e-mail and company (each word a prefix), `orderBy` sorts
    /// (default `CREATED_AT DESC`, id breaks ties). Cursors belong to the
    /// `orderBy` they were made under.
    #[allow(clippy::too_many_arguments)]
    #[graphql(
        complexity = "first.or(last).map_or(25, |n| usize::try_from(n).unwrap_or(0)) * child_complexity + 1"
    )]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        // Boxed: a filter is ~2.4 KB, and each future holding it (this
        // resolver's, then the engine's for every field of the query root,
        // moved whole several times per request) would be that much larger.
        filter: Option<Box<ContactFilter>>,
        order_by: Option<Vec<OrderBy>>,
        search: Option<String>,
    ) -> AppResult<ContactConnection> {
        let req = ctx.req()?;
        let args = PageArgs::new(first, after, last, before, ctx.api()?.max_page_size)?;
        let backend = req.db.backend();
        let sort = Sort::new(order_by)?;
        let cursor = match &args.cursor {
            Some(c) => Some(Cursor::decode(c, &sort.signature(), args.cursor_argument())?),
            None => None,
        };

        let workspace_id = req.db.claims().workspace_id;
        let mut condition = Expr::col((contacts::Entity, Column::WorkspaceId)).eq(workspace_id);
        let mut narrowed = false;
        if let Some(f) = &filter {
            condition = condition.and(FilterBuilder::new(backend).build(f)?);
            narrowed = true;
        }
        let mut tsquery: Option<String> = None;
        if let Some(s) = search.as_deref()
            && let Some((c, q)) = search_condition(backend, s)?
        {
            condition = condition.and(c);
            tsquery = q;
            narrowed = true;
        }
        // Narrowed by the search alone (Postgres): its matches are exactly the
        // workspace's contacts the page may read (the id function applies the
        // policy's own workspace test).
        let search_only = filter.is_none() && tsquery.is_some();
        // The search's matches, when the statement reads them (Postgres).
        let finish = |statement: sea_orm::Statement| match &tsquery {
            Some(q) => with_search(statement, q),
            None => statement,
        };
        let wants_total = ctx.look_ahead().field("totalCount").exists();
        let count_query = |condition: &sea_orm::sea_query::SimpleExpr| {
            if !narrowed && backend == sea_orm::DbBackend::Postgres {
                // The whole workspace: its count is kept by triggers (see
                // pg_0006_performance_up.sql), exact and without a scan.
                return Query::select()
                    .expr(Expr::cust_with_values(
                        "coalesce((SELECT contacts FROM contact_counts WHERE workspace_id = $1), 0)",
                        [workspace_id],
                    ))
                    .to_owned();
            }
            if search_only {
                // Count the search's matches where they already are instead
                // of joining each back to contacts.
                return Query::select()
                    .expr(Expr::cust("COUNT(*)"))
                    .from(sea_orm::sea_query::Alias::new(SEARCH_CTE))
                    .to_owned();
            }
            // count(*), not count(id): any index holding the filtered columns
            // can then answer it alone (an index-only scan).
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(contacts::Entity)
                .and_where(condition.clone())
                .to_owned()
        };

        let reverse = args.direction == Direction::Backward;
        let mut page_condition = condition.clone();
        if let Some(c) = &cursor {
            page_condition = page_condition.and(sort.after(backend, c, reverse, args.cursor_argument())?);
        }
        let mut total: Option<i64> = None;
        // A search alone in creation order (Postgres): a search this process
        // has found broad is read by walking the workspace in that order,
        // and its count comes from the memo while the workspace's search
        // version holds (see `db::SearchMemo`, pg_0010_search_walk_up.sql).
        let memo_search = match &tsquery {
            Some(q) if search_only && backend == sea_orm::DbBackend::Postgres => sort
                .creation_walk(backend, cursor.as_ref(), reverse, args.cursor_argument())?
                .map(|walk| (q.as_str(), walk)),
            _ => None,
        };
        let searches = req.db.database().searches();
        // Not remembered: this request counts it (holding `_claim` until
        // it has remembered it, so that others wait for its count).
        let (remembered, _claim) = match &memo_search {
            Some((q, _)) => match searches.get_or_claim(workspace_id, q).await {
                Ok(remembered) => (Some(remembered), None),
                Err(claim) => (None, claim),
            },
            None => (None, None),
        };
        // Whether the statement returns the count (the memo learns it).
        let total_column = wants_total || (memo_search.is_some() && remembered.is_none());
        let mut rows = if args.limit == 0 {
            Vec::new()
        } else {
            let order = |mut select: sea_orm::Select<contacts::Entity>| {
                for (expr, dir, nullable) in sort.order_terms(backend, reverse) {
                    let ord = sql_order(dir);
                    select = if nullable && backend == sea_orm::DbBackend::Sqlite {
                        // Postgres already puts nulls last ascending and first descending.
                        let nulls = match dir {
                            SortDirection::Asc => sea_orm::sea_query::NullOrdering::Last,
                            SortDirection::Desc => sea_orm::sea_query::NullOrdering::First,
                        };
                        sea_orm::QueryOrder::order_by_with_nulls(select, expr, ord, nulls)
                    } else {
                        sea_orm::QueryOrder::order_by(select, expr, ord)
                    };
                }
                sea_orm::QuerySelect::limit(select, u64::from(args.limit) + 1)
            };
            let select = if let (Some((q, walk)), Some(_)) = (&memo_search, remembered) {
                let mut values: Vec<sea_orm::Value> = vec![(*q).into(), walk.descending.into()];
                let (at, id) = match &walk.after {
                    Some((at, id)) => {
                        values.push(at.clone());
                        values.push((*id).into());
                        ("$3", "$4")
                    }
                    None => ("NULL", "NULL"),
                };
                values.push(i32::try_from(args.limit).unwrap_or(i32::MAX - 1).saturating_add(1).into());
                let walk = format!(
                    "\"contacts\".\"id\" = ANY(ARRAY(SELECT id FROM latticeiq_search_walk($1::tsquery, $2, {at}::timestamptz, {id}::uuid, ${})))",
                    values.len()
                );
                order(select_none().filter(Expr::cust_with_values(walk, values)))
            } else if search_only && sort.by_creation_only() {
                // Narrowed by the search alone, in creation order: the page is
                // sorted from the search's matches (which carry `created_at`),
                // and only its own rows are read from `contacts`. The matches
                // stand in for the table under its name, so the sort and
                // cursor terms apply to them as written.
                let mut ids = Query::select();
                ids.column((contacts::Entity, Column::Id))
                    .from_as(sea_orm::sea_query::Alias::new(SEARCH_CTE), contacts::Entity);
                if let Some(c) = &cursor {
                    ids.and_where(sort.after(backend, c, reverse, args.cursor_argument())?);
                }
                for (expr, dir, _) in sort.order_terms(backend, reverse) {
                    ids.order_by_expr(expr, sql_order(dir));
                }
                ids.limit(u64::from(args.limit) + 1);
                order(select_none().filter(Expr::col((contacts::Entity, Column::Id)).in_subquery(ids)))
            } else if narrowed {
                // A filtered list may have to sort many rows: sort only their
                // ids and keys, then read the page's rows whole (by primary key).
                let ids =
                    order(sea_orm::QuerySelect::column(select_none(), Column::Id).filter(page_condition));
                order(
                    select_none().filter(
                        Expr::col((contacts::Entity, Column::Id))
                            .in_subquery(sea_orm::QueryTrait::into_query(ids)),
                    ),
                )
            } else {
                order(select_none().filter(page_condition))
            };
            // A page reads what its selection needs: the JSON columns are
            // the bulk of a row and cost a parse each, and a plain-column
            // selection needs few of the ~50 columns of a row. Where each
            // column is in the row (`None`: not selected): the whole ones
            // first, in column order, then `kernel_analysis` if it is read
            // only where used, then the cells of the paths a plan reads
            // (`paths_at`).
            let selected: Vec<_> = node_selections(ctx).iter().flat_map(|n| n.selection_set()).collect();
            let (reads, plain_reads, computed) = column_reads(&selected, &sort);
            let facts = &*COLUMN_FACTS;
            // Where the context this process remembers is current, only what
            // the computed fields read of a contact (see `json_reads`): a plan
            // made from the request's own context if loaded already, or from
            // the one remembered.
            let plan = match (backend, computed) {
                (sea_orm::DbBackend::Postgres, true) => req
                    .db
                    .database()
                    .contexts()
                    .get(workspace_id)
                    .and_then(|(v, c)| c.downcast::<WorkspaceContext>().ok().map(|c| (v, c)))
                    .filter(|(_, c)| req.loaders.loaded_context().is_none_or(|l| Arc::ptr_eq(l, c)))
                    .and_then(|(v, c)| {
                        json_reads::Plan::new(&selected, |name| facts.by_field.contains_key(name), v, c)
                    }),
                _ => None,
            };
            let build = |mut select: sea_orm::Select<contacts::Entity>, plan: Option<&json_reads::Plan>| {
                // How each column is read under the plan: a JSON column it
                // reads by path is not, nor is a nullable column that neither
                // a plain field, the sort nor a computed field reads.
                let read = |k: usize| {
                    let Some(p) = plan else { return reads[k] };
                    let name = facts.names[k];
                    let unread = if facts.json[k] {
                        fields::JSON_COLUMNS
                            .iter()
                            .position(|c| *c == name)
                            .is_some_and(|j| p.reads_paths_of(j))
                    } else {
                        facts.nullable[k] && !plain_reads[k] && !p.reads_column(k)
                    };
                    if unread { ColumnRead::Unread } else { reads[k] }
                };
                let mut whole: crate::store::contacts::ColumnSet = 0;
                let mut positions: Vec<Option<usize>> = vec![None; reads.len()];
                let mut selected = 0;
                for (k, position) in positions.iter_mut().enumerate() {
                    if read(k) == ColumnRead::Whole {
                        whole |= 1 << k;
                        *position = Some(selected);
                        selected += 1;
                    }
                }
                select =
                    sea_orm::QuerySelect::expr(select, crate::store::contacts::column_list(backend, whole));
                if let Some(k) = (0..reads.len()).find(|&k| read(k) == ColumnRead::KernelIfUsed) {
                    positions[k] = Some(selected);
                    selected += 1;
                    select = sea_orm::QuerySelect::expr_as(
                        select,
                        kernel_if_used(workspace_id),
                        sea_orm::IdenStatic::as_str(&Column::KernelAnalysis),
                    );
                }
                let mut paths_at = Vec::new();
                for (n, expr) in plan.iter().flat_map(|p| p.path_cells()).enumerate() {
                    paths_at.push(selected);
                    selected += 1;
                    let mut alias = String::from("__path_");
                    alias.push_str(itoa::Buffer::new().format(n));
                    select = sea_orm::QuerySelect::expr_as(select, expr, alias);
                }
                select = with_context_stamp(select, backend, workspace_id);
                if memo_search.is_some() {
                    for (column, sql) in [
                        (
                            SEARCH_VERSION_COLUMN,
                            "(SELECT search_version FROM contact_counts WHERE workspace_id = $1)",
                        ),
                        (
                            WORKSPACE_CONTACTS_COLUMN,
                            "(SELECT contacts FROM contact_counts WHERE workspace_id = $1)",
                        ),
                    ] {
                        select = sea_orm::QuerySelect::expr_as(
                            select,
                            Expr::cust_with_values(sql, [workspace_id]),
                            column,
                        );
                    }
                }
                if let (Some((q, _)), Some((version, matches)), true) =
                    (&memo_search, remembered, wants_total)
                {
                    // The remembered count while the version holds; counted
                    // afresh (only) when it does not.
                    let count = Expr::cust_with_values(
                        "CASE WHEN (SELECT search_version FROM contact_counts WHERE workspace_id = $1) = $2 \
                         THEN $3::bigint ELSE (SELECT count(*) FROM latticeiq_search_matches($4::tsquery)) END",
                        [workspace_id.into(), version.into(), matches.into(), sea_orm::Value::from(*q)],
                    );
                    select = sea_orm::QuerySelect::expr_as(select, count, TOTAL_COLUMN);
                } else if total_column {
                    // The count rides along with the page: one round trip, and the
                    // planner runs the uncorrelated subquery once (an InitPlan).
                    let sub =
                        Expr::SubQuery(None, Box::new(count_query(&condition).into_sub_query_statement()));
                    select = sea_orm::QuerySelect::expr_as(select, sub, TOTAL_COLUMN);
                }
                let statement = sea_orm::QueryTrait::build(&select, backend);
                // A walk reads no match set.
                let statement = if remembered.is_some() { statement } else { finish(statement) };
                (statement, Arc::new(crate::store::contacts::RowColumns::new(positions)), paths_at)
            };
            // The page's select again for a second statement (only with a plan).
            let again = plan.as_ref().map(|_| select.clone());
            let again =
                || again.clone().ok_or_else(|| AppError::internal("a page read again without its plan"));
            // A page of the whole workspace without a cursor: its statement
            // is a function of this shape, written once (building it was ~4 %
            // of a plain page's instructions).
            let shape = (!narrowed && cursor.is_none() && memo_search.is_none()).then(|| PageShape {
                backend: std::mem::discriminant(&backend),
                workspace_id,
                reads: reads.clone(),
                sort: sort.clone(),
                reverse,
                limit: args.limit,
                total: total_column,
                plan: plan.as_ref().map(json_reads::Plan::reads),
            });
            let (statement, mut columns, mut paths_at) = match shape {
                Some(shape) => {
                    let written = PAGE_STATEMENTS.get_or_write(shape, || {
                        let (statement, columns, paths_at) = build(select, plan.as_ref());
                        Arc::new(WrittenPage { statement, columns, paths_at })
                    });
                    (written.statement.clone(), written.columns.clone(), written.paths_at.clone())
                }
                None => build(select, plan.as_ref()),
            };
            let tx = req.db.tx().await?;
            let query = |statement| async {
                let raw = tx.query_all_raw(statement).await?;
                let stamp = match (backend, raw.first()) {
                    (sea_orm::DbBackend::Postgres, Some(row)) => super::loaders::Loaders::stamp_of(row)?,
                    _ => None,
                };
                Ok::<_, AppError>((raw, stamp))
            };
            let (raw, stamp, plan) = match plan {
                Some(p) if req.loaders.loaded_context().is_none() => {
                    match req
                        .loaders
                        .load_context_with(p.version, p.context.clone(), query(statement))
                        .await?
                    {
                        Some((raw, stamp)) => (raw, stamp, Some(p)),
                        // Loaded meanwhile by another resolver: the plan holds
                        // if that is the context it was made from.
                        None if req.loaders.loaded_context().is_some_and(|l| Arc::ptr_eq(l, &p.context)) => {
                            let (raw, stamp) = query(build(again()?, Some(&p)).0).await?;
                            (raw, stamp, Some(p))
                        }
                        None => {
                            let statement;
                            (statement, columns, paths_at) = build(again()?, None);
                            let (raw, stamp) = query(statement).await?;
                            (raw, stamp, None)
                        }
                    }
                }
                plan => {
                    let (raw, stamp) = query(statement).await?;
                    (raw, stamp, plan)
                }
            };
            // Rows read under a context that is no longer current: the page
            // again, whole (once after each change of the context).
            let (raw, stamp, plan) = match plan {
                Some(p) if !raw.is_empty() && stamp != Some(p.version) => {
                    let statement;
                    (statement, columns, paths_at) = build(again()?, None);
                    let (raw, stamp) = query(statement).await?;
                    (raw, stamp, None)
                }
                plan => (raw, stamp, plan),
            };
            req.loaders.prime_context_at(stamp);
            if let Some(row) = raw.first()
                && total_column
            {
                total = Some(row.try_get::<i64>("", TOTAL_COLUMN)?);
            }
            if let (Some((q, _)), Some(row)) = (&memo_search, raw.first()) {
                let version: Option<i64> = row.try_get("", SEARCH_VERSION_COLUMN)?;
                let contacts: Option<i64> = row.try_get("", WORKSPACE_CONTACTS_COLUMN)?;
                match (version, contacts, total) {
                    (Some(v), Some(t), Some(n)) if broad_search(n, t) => searches.put(workspace_id, q, v, n),
                    // A walk without its count: still remembered if current.
                    (Some(v), _, None) if remembered.is_some_and(|(at, _)| at == v) => {}
                    _ => searches.forget(workspace_id, q),
                }
            }
            // Postgres rows are kept as read, each decoded only if asked to
            // (see `PageContact`).
            if backend == sea_orm::DbBackend::Postgres {
                let json_at = fields::JSON_COLUMNS.map(|name| {
                    <Column as sea_orm::Iterable>::iter()
                        .position(|c| sea_orm::IdenStatic::as_str(&c) == name)
                        .and_then(|k| columns.at()[k])
                });
                let cells = plan.as_ref().map(|p| json_reads::PathCells::new(p, &paths_at));
                let mut contacts = Vec::with_capacity(raw.len());
                for row in raw {
                    let docs = cells.as_ref().map(|c| c.docs(&row, json_at)).transpose()?.map(Box::new);
                    contacts.push(PageContact::Read {
                        row,
                        columns: columns.clone(),
                        docs,
                        model: Default::default(),
                    });
                }
                contacts
            } else {
                // (a plan is made for Postgres only: see `json_reads`)
                let mut contacts = Vec::with_capacity(raw.len());
                for row in &raw {
                    let model = crate::store::contacts::model_from_columns(row, columns.at())?;
                    contacts.push(PageContact::Decoded(Arc::new(model)));
                }
                contacts
            }
        };
        // An empty page carries no count: ask for it on its own (only then).
        let count = (wants_total && total.is_none())
            .then(|| CountQuery { statement: finish(backend.build(&count_query(&condition))) });
        let has_more = rows.len() > args.limit as usize;
        rows.truncate(args.limit as usize);
        if reverse {
            rows.reverse();
        }
        prefetch(ctx, &rows).await?;
        // The cursors are made when `pageInfo` is selected (they decode the
        // first and last contacts).
        let info = page_info(&args, has_more, None, None);
        Ok(ContactConnection { rows: Arc::new(rows), sort, page_info: info, total, count })
    }

    /// One contact by id; null when it does not exist in the workspace.
    async fn contact(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Option<Contact>> {
        let req = ctx.req()?;
        let db = &req.db;
        let tx = db.tx().await?;
        let workspace_id = db.claims().workspace_id;
        let row = tx.query_one_raw(by_id_statement(db.backend(), id, workspace_id)).await?;
        if let Some(row) = &row {
            req.loaders.prime_context(row)?;
        }
        Ok(row.map(|r| crate::store::contacts::model_from_row(&r)).transpose()?.map(Contact::from))
    }
}

/// The statement of `contact(id)` in `workspace_id`: every column, and the
/// context stamp on Postgres (see `Loaders::prime_context`). Its SQL is
/// written once per backend; a request only puts its values in.
fn by_id_statement(backend: sea_orm::DbBackend, id: Uuid, workspace_id: Uuid) -> sea_orm::Statement {
    use sea_orm::sea_query::Value;
    // Stand-ins, only ever in the statement written once: where one of its
    // values is one of them, it says which value goes there.
    const ID: Uuid = Uuid::from_u128(1);
    const WORKSPACE: Uuid = Uuid::from_u128(2);
    static WRITTEN: [std::sync::OnceLock<sea_orm::Statement>; 2] = [const { std::sync::OnceLock::new() }; 2];
    let written = WRITTEN[usize::from(backend == sea_orm::DbBackend::Postgres)].get_or_init(|| {
        let select = with_context_stamp(
            crate::store::contacts::select_columns(backend, crate::store::contacts::all_columns())
                .filter(Column::Id.eq(ID))
                .filter(Column::WorkspaceId.eq(WORKSPACE)),
            backend,
            WORKSPACE,
        );
        sea_orm::QueryTrait::build(&select, backend)
    });
    let values = written.values.as_ref().map(|values| {
        sea_orm::Values(
            values
                .iter()
                .map(|v| match v {
                    Value::Uuid(Some(ID)) => Value::Uuid(Some(id)),
                    Value::Uuid(Some(WORKSPACE)) => Value::Uuid(Some(workspace_id)),
                    other => other.clone(),
                })
                .collect(),
        )
    });
    sea_orm::Statement { sql: written.sql.clone(), values, db_backend: backend }
}

/// The contact selections of a page (its `nodes` and `edges { node }`);
/// their `selection_set()`s hold the selected fields, fragments included.
fn node_selections<'a>(ctx: &'a Context<'a>) -> Vec<async_graphql::SelectionField<'a>> {
    let look = ctx.look_ahead();
    let mut nodes = look.field("nodes").selection_fields();
    nodes.extend(look.field("edges").field("node").selection_fields());
    nodes
}

/// What a page's read needs to know of the columns of `contacts`, in
/// `Column` order (the order rows are decoded in).
struct ColumnFacts {
    /// Column names.
    names: Vec<&'static str>,
    nullable: Vec<bool>,
    json: Vec<bool>,
    /// Column indexes by column name.
    by_column: foldhash::HashMap<&'static str, usize>,
    /// The columns a plain field reads, by its GraphQL name.
    by_field: foldhash::HashMap<String, Vec<usize>>,
}

/// The place of the column `name` in the table's column order.
fn column_place(name: &str) -> Option<usize> {
    COLUMN_FACTS.by_column.get(name).copied()
}

static COLUMN_FACTS: std::sync::LazyLock<ColumnFacts> = std::sync::LazyLock::new(|| {
    use heck::ToLowerCamelCase;
    use sea_orm::{IdenStatic, Iterable};
    let json: Vec<bool> = Column::iter()
        .map(|c| matches!(c, Column::EnrichmentData | Column::KernelAnalysis | Column::ProductMatch))
        .collect();
    let by_column: foldhash::HashMap<&'static str, usize> =
        Column::iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let mut by_field: foldhash::HashMap<String, Vec<usize>> = Column::iter()
        .enumerate()
        .filter(|(i, _)| !json[*i])
        .map(|(i, c)| {
            let name = match c {
                Column::IcpMatchScore => "storedIcpMatchScore".to_owned(),
                c => c.as_str().to_lower_camel_case(),
            };
            (name, vec![i])
        })
        .collect();
    let at = |c: Column| by_column[c.as_str()];
    by_field.insert("__typename".into(), vec![]);
    by_field.insert("fullName".into(), vec![at(Column::FirstName), at(Column::LastName)]);
    by_field.insert("icp".into(), vec![at(Column::IcpId)]);
    by_field.insert("campaign".into(), vec![at(Column::CampaignId)]);
    ColumnFacts {
        names: Column::iter().map(|c| c.as_str()).collect(),
        nullable: Column::iter().map(|c| c.def().is_null()).collect(),
        json,
        by_column,
        by_field,
    }
});

/// What a page's statement is a function of when it reads the whole
/// workspace without a cursor or a search (the statement's only values are
/// the workspace's id and the limit): with its JSON plan's reads, if any.
#[derive(Clone, PartialEq, Eq, Hash)]
struct PageShape {
    backend: std::mem::Discriminant<sea_orm::DbBackend>,
    workspace_id: Uuid,
    reads: Vec<ColumnRead>,
    sort: Sort,
    reverse: bool,
    limit: u32,
    total: bool,
    plan: Option<json_reads::PlanReads>,
}

/// A page's statement as written for its [`PageShape`], with where each
/// column is in its rows.
struct WrittenPage {
    statement: sea_orm::Statement,
    columns: Arc<crate::store::contacts::RowColumns>,
    paths_at: Vec<usize>,
}

/// The statements of the page shapes this process has read, at most
/// [`PageStatements::MAX`] (forgotten all at once when full: a workspace's
/// shapes are a handful, and a statement is rewritten in microseconds).
static PAGE_STATEMENTS: PageStatements = PageStatements(std::sync::Mutex::new(None));

struct PageStatements(
    std::sync::Mutex<
        Option<std::collections::HashMap<PageShape, Arc<WrittenPage>, foldhash::fast::RandomState>>,
    >,
);

impl PageStatements {
    const MAX: usize = 1024;

    /// The statement written for `shape`, written by `write` if not yet.
    fn get_or_write(&self, shape: PageShape, write: impl FnOnce() -> Arc<WrittenPage>) -> Arc<WrittenPage> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(written) = lock().get_or_insert_with(Default::default).get(&shape) {
            return written.clone();
        }
        let written = write();
        let mut memo = lock();
        let memo = memo.get_or_insert_with(Default::default);
        if memo.len() >= Self::MAX {
            memo.clear();
        }
        memo.insert(shape, written.clone());
        written
    }
}

/// How a page reads one column of `contacts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ColumnRead {
    /// The column's value.
    Whole,
    /// Not read: nothing selected reads it (the row does not carry it).
    Unread,
    /// `kernel_analysis` only where something may read it ([`kernel_if_used`]).
    KernelIfUsed,
}

/// `kernel_analysis` for a selection that does not ask for it by name
/// (`kernelAnalysis`, `field(name: "kernel_analysis")`): field access and
/// templates then read it only as the source of an empty derived column
/// (`fields::resolve`), or as `{{kernel_analysis}}` in a template of the
/// workspace. Elsewhere it is `NULL`, and the row skips parsing one of its
/// two large JSON documents.
fn kernel_if_used(workspace_id: Uuid) -> sea_orm::sea_query::SimpleExpr {
    use entity::{call_templates as call, email_templates as email};
    use sea_orm::sea_query::Cond;
    static EMPTY_DERIVED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let empty: Vec<String> = crate::domain::enrichment::columns_with_kernel_sources()
            .map(|(c, text)| {
                let c = format!("\"contacts\".\"{c}\"");
                if text { format!("{c} IS NULL OR {c} = ''") } else { format!("{c} IS NULL") }
            })
            .collect();
        format!("({})", empty.join(" OR "))
    });
    // A superset of the templates that use it (a mention anywhere).
    const MENTION: &str = "%kernel_analysis%";
    let email = Query::select()
        .expr(Expr::val(1))
        .from(email::Entity)
        .and_where(Expr::col((email::Entity, email::Column::WorkspaceId)).eq(workspace_id))
        .cond_where(
            Cond::any()
                .add(Expr::col((email::Entity, email::Column::Subject)).like(MENTION))
                .add(Expr::col((email::Entity, email::Column::Body)).like(MENTION)),
        )
        .to_owned();
    let call = Query::select()
        .expr(Expr::val(1))
        .from(call::Entity)
        .and_where(Expr::col((call::Entity, call::Column::WorkspaceId)).eq(workspace_id))
        .and_where(Expr::col((call::Entity, call::Column::Body)).like(MENTION))
        .to_owned();
    let used =
        Cond::any().add(Expr::cust(EMPTY_DERIVED.as_str())).add(Expr::exists(email)).add(Expr::exists(call));
    Expr::case(used, Expr::col((contacts::Entity, Column::KernelAnalysis))).into()
}

/// Per column (in `Column` order), how a page reads it. A selection of plain
/// columns (and `fullName`, `icp`, `campaign`) reads only those, the sort
/// keys and the non-nullable columns; any other selection reads everything
/// except the JSON columns, which only JSON fields, field access and
/// templates need — and of those `kernel_analysis` only where it may be
/// read ([`ColumnRead::KernelIfUsed`]). With it, per column, whether a
/// plain field or the sort reads it (a plan may leave out the others:
/// `json_reads`), and whether any field selected is not a plain one.
fn column_reads(
    selected: &[async_graphql::SelectionField<'_>],
    sort: &Sort,
) -> (Vec<ColumnRead>, Vec<bool>, bool) {
    use sea_orm::IdenStatic;
    let facts = &*COLUMN_FACTS;
    let mut read = vec![false; facts.nullable.len()];
    let mut plain_only = true;
    let mut json = false;
    let mut kernel_by_name = false;
    for f in selected {
        match facts.by_field.get(f.name()) {
            Some(columns) => columns.iter().for_each(|&i| read[i] = true),
            None => {
                plain_only = false;
                json |= matches!(
                    f.name(),
                    "enrichmentData"
                        | "kernelAnalysis"
                        | "productMatch"
                        | "field"
                        | "renderedEmail"
                        | "renderedCallScript"
                );
                kernel_by_name |= match f.name() {
                    "kernelAnalysis" => true,
                    // A name that is not a literal string (or cannot be read)
                    // counts as this one.
                    "field" => string_argument(f, "name").is_none_or(|n| n == "kernel_analysis"),
                    _ => false,
                };
            }
        }
    }
    for c in sort.columns() {
        read[facts.by_column[c.as_str()]] = true;
    }
    let kernel = facts.by_column[Column::KernelAnalysis.as_str()];
    let reads = (0..read.len())
        .map(|i| {
            let null = facts.nullable[i] && if plain_only { !read[i] } else { facts.json[i] && !json };
            if null {
                ColumnRead::Unread
            } else if i == kernel && !kernel_by_name {
                ColumnRead::KernelIfUsed
            } else {
                ColumnRead::Whole
            }
        })
        .collect();
    (reads, read, !plain_only)
}

/// What the selected contact fields will load, read from the query.
#[derive(Default)]
struct Wants {
    icps: Vec<Uuid>,
    contact_icps: bool,
    campaigns: bool,
    fields: bool,
    settings: bool,
    email_templates: Vec<Uuid>,
    default_email: bool,
    call_templates: Vec<Uuid>,
    default_call: bool,
}

fn string_argument(field: &async_graphql::SelectionField<'_>, name: &str) -> Option<String> {
    field.arguments().ok()?.into_iter().find(|(n, _)| n.as_str() == name).and_then(|(_, v)| match v {
        async_graphql::Value::String(s) => Some(s),
        _ => None,
    })
}

fn uuid_argument(field: &async_graphql::SelectionField<'_>, name: &str) -> Option<Uuid> {
    string_argument(field, name)?.parse().ok()
}

/// Loads, in one batch per loader, everything the selected fields of a page
/// of contacts need — so that a page costs the same statements whatever its
/// size, instead of depending on when each node's loads reach the loaders.
/// The campaigns of a page's contacts.
fn campaign_ids(rows: &[PageContact]) -> AppResult<Vec<Uuid>> {
    let mut ids = Vec::new();
    // One view for every row, as a page writes them (see `PageContact::view_into`).
    let mut view = ContactView::default();
    for c in rows {
        let id = if c.view_into(&mut view) { view.campaign_id } else { c.model()?.campaign_id };
        ids.extend(id);
    }
    Ok(ids)
}

async fn prefetch(ctx: &Context<'_>, rows: &[PageContact]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut wants = Wants::default();
    for node in &node_selections(ctx) {
        for f in node.selection_set() {
            match f.name() {
                "icp" => wants.contact_icps = true,
                "icpMatch" | "icpMatchScore" => match uuid_argument(&f, "icpId") {
                    Some(id) => wants.icps.push(id),
                    None => wants.contact_icps = true,
                },
                "campaign" => wants.campaigns = true,
                "field" => wants.fields = true,
                "renderedEmail" => {
                    wants.fields = true;
                    wants.settings = true;
                    match uuid_argument(&f, "templateId") {
                        Some(id) => wants.email_templates.push(id),
                        None => wants.default_email = true,
                    }
                }
                "renderedCallScript" => {
                    wants.fields = true;
                    wants.settings = true;
                    match uuid_argument(&f, "templateId") {
                        Some(id) => wants.call_templates.push(id),
                        None => wants.default_call = true,
                    }
                }
                _ => {}
            }
        }
    }
    let l = &ctx.req()?.loaders;
    let campaigns: Vec<Uuid> = if wants.campaigns { campaign_ids(rows)? } else { Vec::new() };
    let needs_context = wants.contact_icps
        || !wants.icps.is_empty()
        || wants.fields
        || wants.settings
        || !wants.email_templates.is_empty()
        || !wants.call_templates.is_empty()
        || wants.default_email
        || wants.default_call;
    let load_campaigns = async {
        if !campaigns.is_empty() {
            l.campaigns.load_many(campaigns.iter().copied()).await.map_err(AppError::from)?;
        }
        Ok::<(), AppError>(())
    };
    let load_context = async {
        if needs_context {
            l.context().await?;
        }
        Ok::<(), AppError>(())
    };
    futures_util::try_join!(load_campaigns, load_context)?;
    Ok(())
}

/// Loads one contact of the caller's workspace, `NOT_FOUND` otherwise.
pub async fn load_contact(ctx: &Context<'_>, id: Uuid, argument: &str) -> AppResult<Model> {
    let db = &ctx.req()?.db;
    let tx = db.tx().await?;
    contacts::Entity::find_by_id(id)
        .filter(Column::WorkspaceId.eq(db.claims().workspace_id))
        .one(&*tx)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("contact {id} not found ({argument})")))
}

/// The SQL direction of a sort direction.
fn sql_order(dir: SortDirection) -> Order {
    match dir {
        SortDirection::Asc => Order::Asc,
        SortDirection::Desc => Order::Desc,
    }
}
