//! Contact mutations: create, update, delete, enrich, recalculate quality
//! scores, and the CSV import. Every one checks the role first, works only
//! on the token's workspace, validates all input before writing, and runs in
//! the request's transaction (committed only when the whole request succeeds).

use std::collections::BTreeMap;

use async_graphql::{Context, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use entity::contacts::{self, Column};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::{Contact, load_contact};
use crate::domain::contacts::{check_length, check_source, check_tags, is_valid_email};
use crate::domain::csv_import;
use crate::domain::quality::quality_score;
use crate::error::{AppError, AppResult};
use crate::graphql::member;
use crate::graphql::scalars::BigInt;
use crate::store::contacts::{blank, enrich, insert_many, set_text, update_statement};
use crate::store::matching::ids_condition;

/// Most ids one `deleteContacts` takes.
pub const MAX_DELETE: usize = 1000;

/// A new contact. At least one of `email`, `firstName`, `lastName` or `company` is required.
#[derive(InputObject, Default)]
pub struct CreateContactInput {
    /// E-mail address (unique in the workspace, case-insensitively).
    pub email: Option<String>,
    /// Given name (≤ 100).
    pub first_name: Option<String>,
    /// Family name (≤ 100).
    pub last_name: Option<String>,
    /// Company (≤ 255).
    pub company: Option<String>,
    /// Job title (≤ 255).
    pub job_title: Option<String>,
    /// Phone (≤ 50).
    pub phone: Option<String>,
    /// LinkedIn URL (≤ 500).
    pub linkedin_url: Option<String>,
    /// Website (≤ 500).
    pub website: Option<String>,
    /// Industry vertical (≤ 100).
    pub vertical: Option<String>,
    /// Persona (≤ 100).
    pub persona_type: Option<String>,
    /// Annual revenue.
    pub annual_revenue: Option<BigInt>,
    /// CRM lifecycle stage (≤ 50).
    pub lifecycle_stage: Option<String>,
    /// CRM lead status (≤ 50).
    pub lead_status: Option<String>,
    /// CRM pipeline stage (≤ 50).
    pub pipeline_stage: Option<String>,
    /// Identifier in an external system (≤ 255).
    pub external_id: Option<String>,
    /// HubSpot id (≤ 255).
    pub hubspot_id: Option<String>,
    /// Product catalog key (≤ 100).
    pub assigned_product: Option<String>,
    /// `csv`, `hubspot`, `salesforce`, `manual` (the default) or `api`.
    pub source: Option<String>,
    /// Tags (≤ 50, each 1–100 characters).
    pub tags: Option<Vec<String>>,
    /// Notes (≤ 10 000).
    pub notes: Option<String>,
    /// AI enrichment in any supported format; the derived columns are filled from it.
    pub enrichment_data: Option<Json<Value>>,
    /// WHO/WHEN/WHAT analysis.
    pub kernel_analysis: Option<Json<Value>>,
}

/// Changes to a contact: a field left out stays as it is, `null` clears it.
/// (Enrichment changes go through `enrichContact`.)
#[derive(InputObject, Default)]
pub struct UpdateContactInput {
    /// E-mail address.
    pub email: MaybeUndefined<String>,
    /// Given name.
    pub first_name: MaybeUndefined<String>,
    /// Family name.
    pub last_name: MaybeUndefined<String>,
    /// Company.
    pub company: MaybeUndefined<String>,
    /// Job title.
    pub job_title: MaybeUndefined<String>,
    /// Phone.
    pub phone: MaybeUndefined<String>,
    /// LinkedIn URL.
    pub linkedin_url: MaybeUndefined<String>,
    /// Website.
    pub website: MaybeUndefined<String>,
    /// Industry vertical.
    pub vertical: MaybeUndefined<String>,
    /// Persona.
    pub persona_type: MaybeUndefined<String>,
    /// Annual revenue.
    pub annual_revenue: MaybeUndefined<BigInt>,
    /// CRM lifecycle stage.
    pub lifecycle_stage: MaybeUndefined<String>,
    /// CRM lead status.
    pub lead_status: MaybeUndefined<String>,
    /// CRM pipeline stage.
    pub pipeline_stage: MaybeUndefined<String>,
    /// Identifier in an external system.
    pub external_id: MaybeUndefined<String>,
    /// HubSpot id.
    pub hubspot_id: MaybeUndefined<String>,
    /// Product catalog key.
    pub assigned_product: MaybeUndefined<String>,
    /// Source.
    pub source: MaybeUndefined<String>,
    /// Tags (`null` clears them).
    pub tags: MaybeUndefined<Vec<String>>,
    /// Notes.
    pub notes: MaybeUndefined<String>,
}

/// The result of `importContacts`.
#[derive(SimpleObject, Default, Debug)]
pub struct ImportResult {
    /// Contacts created.
    pub created: i32,
    /// Known contacts (by e-mail) updated with the file's non-empty cells.
    pub updated: i32,
    /// Rows identical to what is stored.
    pub skipped: i32,
    /// Rejected rows; the others were imported.
    pub errors: Vec<ImportError>,
    /// Headers that map to no column.
    pub ignored_columns: Vec<String>,
}

/// A rejected CSV row.
#[derive(SimpleObject, Clone, Debug)]
pub struct ImportError {
    /// Row number, 1-based (the header is row 0).
    pub row: i32,
    /// What is wrong with it.
    pub message: String,
}

fn text_fields_of_create(i: &CreateContactInput) -> Vec<(&'static str, &Option<String>)> {
    vec![
        ("email", &i.email),
        ("first_name", &i.first_name),
        ("last_name", &i.last_name),
        ("company", &i.company),
        ("job_title", &i.job_title),
        ("phone", &i.phone),
        ("linkedin_url", &i.linkedin_url),
        ("website", &i.website),
        ("vertical", &i.vertical),
        ("persona_type", &i.persona_type),
        ("lifecycle_stage", &i.lifecycle_stage),
        ("lead_status", &i.lead_status),
        ("pipeline_stage", &i.pipeline_stage),
        ("external_id", &i.external_id),
        ("hubspot_id", &i.hubspot_id),
        ("assigned_product", &i.assigned_product),
        ("notes", &i.notes),
    ]
}

fn text_fields_of_update(i: &UpdateContactInput) -> Vec<(&'static str, &MaybeUndefined<String>)> {
    vec![
        ("email", &i.email),
        ("first_name", &i.first_name),
        ("last_name", &i.last_name),
        ("company", &i.company),
        ("job_title", &i.job_title),
        ("phone", &i.phone),
        ("linkedin_url", &i.linkedin_url),
        ("website", &i.website),
        ("vertical", &i.vertical),
        ("persona_type", &i.persona_type),
        ("lifecycle_stage", &i.lifecycle_stage),
        ("lead_status", &i.lead_status),
        ("pipeline_stage", &i.pipeline_stage),
        ("external_id", &i.external_id),
        ("hubspot_id", &i.hubspot_id),
        ("assigned_product", &i.assigned_product),
        ("notes", &i.notes),
    ]
}

/// camelCase of a column, for `extensions.field`.
fn field_name(column: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for ch in column.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// Trims a text value (empty becomes none) and checks it for `column`.
fn clean(column: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    check_length(column, v).map_err(|m| AppError::bad_field(field_name(column), m))?;
    if column == "email" && !is_valid_email(v) {
        return Err(AppError::bad_field("email", format!("{v:?} is not a valid e-mail address")));
    }
    if column == "source" {
        check_source(v).map_err(|m| AppError::bad_field("source", m))?;
    }
    Ok(Some(v.to_owned()))
}

fn clean_tags(tags: &[String]) -> AppResult<Vec<String>> {
    let tags: Vec<String> = tags.iter().map(|t| t.trim().to_owned()).collect();
    check_tags(&tags).map_err(|m| AppError::bad_field("tags", m))?;
    Ok(tags)
}

fn json_object(field: &str, v: Option<Json<Value>>) -> AppResult<Option<Value>> {
    match v.map(|j| j.0) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(_) => Err(AppError::bad_field(field, format!("{field} must be a JSON object"))),
    }
}

/// `CONFLICT` when another contact of the workspace has `email` (case-insensitively).
async fn check_email_free(
    conn: &impl ConnectionTrait,
    workspace_id: Uuid,
    email: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut q = contacts::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(crate::store::contacts::email_in(conn.get_database_backend(), &[email.to_lowercase()]));
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    if q.into_tuple::<Uuid>().one(conn).await?.is_some() {
        return Err(AppError::Conflict(format!("a contact with e-mail {email} already exists")));
    }
    Ok(())
}

/// Re-reads a contact after a write (its `updated_at` is the trigger's).
async fn reload(conn: &impl ConnectionTrait, workspace_id: Uuid, id: Uuid) -> AppResult<Contact> {
    contacts::Entity::find_by_id(id)
        .filter(Column::WorkspaceId.eq(workspace_id))
        .one(conn)
        .await?
        .map(Contact::from)
        .ok_or_else(|| AppError::internal("a contact vanished inside its own transaction"))
}

/// Contact mutations.
#[derive(Default)]
pub struct ContactMutations;

#[Object]
impl ContactMutations {
    /// Creates a contact; enrichment data, when given, fills the derived columns (SPEC §6.2).
    async fn create_contact(&self, ctx: &Context<'_>, input: CreateContactInput) -> AppResult<Contact> {
        let req = member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let mut m = blank(ws);
        m.user_id = req.db.claims().user_id;
        for (column, value) in text_fields_of_create(&input) {
            set_text(&mut m, column, clean(column, value.as_deref())?);
        }
        if m.email.is_none() && m.first_name.is_none() && m.last_name.is_none() && m.company.is_none() {
            return Err(AppError::bad_input("a contact needs an email, a first or last name, or a company"));
        }
        m.source = clean("source", Some(input.source.as_deref().unwrap_or("manual")))?;
        m.annual_revenue = input.annual_revenue.map(|b| b.0);
        if let Some(tags) = &input.tags {
            m.tags = entity::Tags(clean_tags(tags)?);
        }
        let data = json_object("enrichmentData", input.enrichment_data)?;
        let kernel = json_object("kernelAnalysis", input.kernel_analysis)?;
        let tx = req.db.tx().await?;
        if let Some(email) = &m.email {
            check_email_free(&*tx, ws, email, None).await?;
        }
        if data.is_some() || kernel.is_some() {
            enrich(&mut m, data.unwrap_or_else(|| Value::Object(Default::default())), kernel);
        }
        insert_many(&*tx, std::slice::from_ref(&m)).await?;
        reload(&*tx, ws, m.id).await
    }

    /// Changes a contact's columns: fields left out stay, `null` clears.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateContactInput,
    ) -> AppResult<Contact> {
        let req = member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let mut m = load_contact(ctx, id, "id").await?;
        let old_email = m.email.as_deref().map(str::to_lowercase);
        for (column, value) in text_fields_of_update(&input) {
            match value {
                MaybeUndefined::Undefined => {}
                MaybeUndefined::Null => set_text(&mut m, column, None),
                MaybeUndefined::Value(v) => set_text(&mut m, column, clean(column, Some(v))?),
            }
        }
        match &input.source {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => m.source = None,
            MaybeUndefined::Value(v) => m.source = clean("source", Some(v))?,
        }
        match &input.annual_revenue {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => m.annual_revenue = None,
            MaybeUndefined::Value(v) => m.annual_revenue = Some(v.0),
        }
        match &input.tags {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => m.tags = entity::Tags::default(),
            MaybeUndefined::Value(t) => m.tags = entity::Tags(clean_tags(t)?),
        }
        if m.email.is_none() && m.first_name.is_none() && m.last_name.is_none() && m.company.is_none() {
            return Err(AppError::bad_input("a contact needs an email, a first or last name, or a company"));
        }
        let tx = req.db.tx().await?;
        // Only a changed e-mail can collide (the unique index would refuse it
        // anyway; this gives the clear CONFLICT).
        if let Some(email) = &m.email
            && old_email.as_deref() != Some(email.to_lowercase().as_str())
        {
            check_email_free(&*tx, ws, email, Some(id)).await?;
        }
        tx.execute(&update_statement(req.db.backend(), &m)).await?;
        reload(&*tx, ws, id).await
    }

    /// Deletes contacts by id (ids of other workspaces are ignored); returns how many were deleted.
    async fn delete_contacts(&self, ctx: &Context<'_>, ids: Vec<Uuid>) -> AppResult<i32> {
        let req = member(ctx)?;
        if ids.len() > MAX_DELETE {
            return Err(AppError::bad_field("ids", format!("at most {MAX_DELETE} ids per call")));
        }
        if ids.is_empty() {
            return Ok(0);
        }
        let tx = req.db.tx().await?;
        let stmt = Query::delete()
            .from_table(contacts::Entity)
            .and_where(Expr::col(Column::WorkspaceId).eq(req.db.claims().workspace_id))
            .and_where(ids_condition(req.db.backend(), &ids))
            .to_owned();
        Ok(tx.execute(&stmt).await?.rows_affected() as i32)
    }

    /// Stores a contact's enrichment (any supported format), fills every
    /// derived column it can without emptying any, marks it completed and
    /// recomputes its quality score. An omitted `kernelAnalysis` keeps the stored one.
    async fn enrich_contact(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        enrichment_data: Json<Value>,
        kernel_analysis: Option<Json<Value>>,
    ) -> AppResult<Contact> {
        let req = member(ctx)?;
        let data = json_object("enrichmentData", Some(enrichment_data))?
            .ok_or_else(|| AppError::bad_field("enrichmentData", "enrichmentData must be a JSON object"))?;
        let kernel = json_object("kernelAnalysis", kernel_analysis)?;
        let mut m = load_contact(ctx, id, "id").await?;
        enrich(&mut m, data, kernel);
        let tx = req.db.tx().await?;
        tx.execute(&update_statement(req.db.backend(), &m)).await?;
        reload(&*tx, req.db.claims().workspace_id, id).await
    }

    /// Recomputes every contact's data quality score from its columns
    /// (SPEC §6.5); returns how many scores changed.
    async fn recalculate_quality_scores(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let req = member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        type Row = (
            Uuid,
            Option<String>,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<f64>,
            i32,
        );
        let mut changes: BTreeMap<i32, Vec<Uuid>> = BTreeMap::new();
        let mut last: Option<Uuid> = None;
        loop {
            let mut q = contacts::Entity::find()
                .select_only()
                .columns([
                    Column::Id,
                    Column::EnrichmentCompanyName,
                    Column::EnrichmentCompanyRevenue,
                    Column::EnrichmentCompanyIndustry,
                    Column::EnrichmentPersonTitle,
                    Column::EnrichmentPersonBackground,
                    Column::EnrichmentCompanyGrowthYoy,
                    Column::EnrichmentDataQualityScore,
                ])
                .filter(Column::WorkspaceId.eq(ws))
                .order_by_asc(Column::Id)
                .limit(20_000);
            if let Some(id) = last {
                q = q.filter(Column::Id.gt(id));
            }
            let rows: Vec<Row> = q.into_tuple().all(&*tx).await?;
            let Some(tail) = rows.last() else { break };
            last = Some(tail.0);
            let n = rows.len();
            for (id, name, revenue, industry, title, background, growth, stored) in rows {
                let q = quality_score(
                    name.as_deref(),
                    revenue,
                    industry.as_deref(),
                    title.as_deref(),
                    background.as_deref(),
                    growth,
                );
                if q != stored {
                    changes.entry(q).or_default().push(id);
                }
            }
            if n < 20_000 {
                break;
            }
        }
        let mut changed = 0;
        for (score, ids) in changes {
            for chunk in ids.chunks(30_000) {
                let stmt = Query::update()
                    .table(contacts::Entity)
                    .value(Column::EnrichmentDataQualityScore, score)
                    .and_where(Expr::col(Column::WorkspaceId).eq(ws))
                    .and_where(ids_condition(req.db.backend(), chunk))
                    .to_owned();
                changed += tx.execute(&stmt).await?.rows_affected() as i32;
            }
        }
        Ok(changed)
    }

    /// Imports contacts from CSV text (the first line is the header; headers
    /// match case-insensitively, spaces, `-` and `_` alike: `First Name`,
    /// `E-mail`, `Company`, `Title`, `Phone`, `LinkedIn`, `Website`,
    /// `Industry`, `Persona`, `Revenue`, `Tags`, `Notes`, `External ID`,
    /// `HubSpot ID`, `Enrichment Data` …). Upserts by lower-cased e-mail: a new
    /// e-mail creates, a known one gets the row's non-empty cells, an
    /// identical row is skipped. Bad rows are reported with their row number
    /// and never stop the good ones; at most 10 000 rows per call.
    async fn import_contacts(
        &self,
        ctx: &Context<'_>,
        csv: String,
        source: Option<String>,
    ) -> AppResult<ImportResult> {
        let req = member(ctx)?;
        let source = clean("source", Some(source.as_deref().unwrap_or("csv")))?;
        let parsed = csv_import::parse(&csv).map_err(|m| AppError::bad_field("csv", m))?;
        let tx = req.db.tx().await?;
        let ignored_columns = parsed.ignored_columns.clone();
        let o = crate::store::import::apply(&*tx, req.db.claims().workspace_id, parsed, source).await?;
        Ok(ImportResult {
            created: o.created as i32,
            updated: o.updated as i32,
            skipped: o.skipped as i32,
            errors: o
                .errors
                .into_iter()
                .map(|e| ImportError { row: e.row as i32, message: e.message })
                .collect(),
            ignored_columns,
        })
    }
}
