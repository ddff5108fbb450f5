//! E-mail and call templates: their types, rendering for a contact, the
//! list of names a template may use, and `previewTemplate`.

use std::sync::Arc;

use async_graphql::{Context, Enum, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{call_templates, campaigns, contacts, email_templates, users_settings};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::ContextExt;
use super::loaders::{LoadedCallTemplate, LoadedEmailTemplate, WorkspaceContext};
use crate::domain::fields::{self, FieldDefinition};
use crate::domain::personalize::{self, RenderContext};
use crate::domain::templates::{self, Rendered, Template};
use crate::error::{AppError, AppResult};
use crate::store::contacts::ContactFields;

/// An e-mail template: subject and body with `{{variable}}` placeholders.
pub struct EmailTemplate(pub Arc<LoadedEmailTemplate>);

/// An e-mail template: subject and body with `{{variable}}` placeholders.
#[Object]
impl EmailTemplate {
    /// The template's id.
    async fn id(&self) -> Uuid {
        self.0.model.id
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.model.name
    }
    /// Subject with placeholders: `{{first_name}}`, `{{ company | default: "your team" }}`.
    async fn subject(&self) -> &str {
        &self.0.model.subject
    }
    /// Body with placeholders.
    async fn body(&self) -> &str {
        &self.0.model.body
    }
    /// Whether this is the workspace's default e-mail template.
    async fn is_default(&self) -> bool {
        self.0.model.is_default
    }
    /// The names the template uses, in order of first appearance (subject first).
    async fn variables(&self) -> Json<&Value> {
        Json(&self.0.model.variables)
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model.updated_at
    }
}

/// A call script template with `{{variable}}` placeholders.
pub struct CallTemplate(pub Arc<LoadedCallTemplate>);

/// A call script template with `{{variable}}` placeholders.
#[Object]
impl CallTemplate {
    /// The template's id.
    async fn id(&self) -> Uuid {
        self.0.model.id
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.model.name
    }
    /// Script with placeholders.
    async fn body(&self) -> &str {
        &self.0.model.body
    }
    /// Whether this is the workspace's default call template.
    async fn is_default(&self) -> bool {
        self.0.model.is_default
    }
    /// The names the template uses, in order of first appearance.
    async fn variables(&self) -> Json<&Value> {
        Json(&self.0.model.variables)
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model.created_at
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model.updated_at
    }
}

/// A template rendered for one contact.
#[derive(SimpleObject, Clone, Debug)]
pub struct RenderedTemplate {
    /// Rendered subject (null for call scripts).
    pub subject: Option<String>,
    /// Rendered body.
    pub body: String,
    /// Distinct names the template uses, in order of first appearance (subject first).
    pub used_variables: Vec<String>,
    /// Names with no value and no default (rendered as nothing).
    pub missing_variables: Vec<String>,
    /// Names with no value that rendered their default.
    pub defaulted_variables: Vec<String>,
    /// Whether no name was missing.
    pub complete: bool,
}

impl super::plain::PlainFields for RenderedTemplate {
    fn plain_field(&self, name: &str) -> Option<async_graphql::Value> {
        use async_graphql::Value as V;
        let list = |names: &[String]| V::List(names.iter().map(|n| V::String(n.clone())).collect());
        Some(match name {
            "subject" => self.subject.clone().map_or(V::Null, V::String),
            "body" => V::String(self.body.clone()),
            "usedVariables" => list(&self.used_variables),
            "missingVariables" => list(&self.missing_variables),
            "defaultedVariables" => list(&self.defaulted_variables),
            "complete" => V::Boolean(self.complete),
            _ => return None,
        })
    }

    fn write_plain_field(&self, name: &str, out: &mut Vec<u8>) -> bool {
        use crate::response_json::{write_str, write_strs as list};
        match name {
            "subject" => match &self.subject {
                Some(s) => write_str(out, s),
                None => out.extend_from_slice(b"null"),
            },
            "body" => write_str(out, &self.body),
            "usedVariables" => list(out, &self.used_variables),
            "missingVariables" => list(out, &self.missing_variables),
            "defaultedVariables" => list(out, &self.defaulted_variables),
            "complete" => out.extend_from_slice(if self.complete { b"true" } else { b"false" }),
            _ => return false,
        }
        true
    }
}

impl From<Rendered> for RenderedTemplate {
    fn from(r: Rendered) -> Self {
        Self {
            subject: r.subject,
            body: r.body,
            used_variables: r.used_variables,
            missing_variables: r.missing_variables,
            defaulted_variables: r.defaulted_variables,
            complete: r.complete,
        }
    }
}

/// A renderer whose subject and body a page writes into its response as
/// JSON strings, one contact after another: the templates' literal text
/// (most of a rendering) is escaped once for the page, and only the names'
/// values are escaped per contact. Nothing is rendered into a `String`
/// first unless the lists of names are selected.
pub struct JsonRenderer<'a> {
    renderer: personalize::Renderer<'a>,
    subject: Option<Vec<JsonPiece>>,
    body: Vec<JsonPiece>,
}

/// A [`templates::Piece`] with its text escaped for a JSON string.
enum JsonPiece {
    Text(Vec<u8>),
    Name(usize, Option<Vec<u8>>),
}

impl<'a> JsonRenderer<'a> {
    /// `renderer`, its texts escaped.
    pub fn new(renderer: personalize::Renderer<'a>) -> Self {
        let escaped = |text: &str| {
            let mut out = Vec::with_capacity(text.len());
            crate::response_json::write_escaped(&mut out, text);
            out
        };
        let json = |pieces: Vec<templates::Piece<'_>>| -> Vec<JsonPiece> {
            pieces
                .into_iter()
                .map(|piece| match piece {
                    templates::Piece::Text(text) => JsonPiece::Text(escaped(text)),
                    templates::Piece::Name(at, default) => JsonPiece::Name(at, default.map(escaped)),
                })
                .collect()
        };
        let (subject, body) = renderer.prepared().pieces();
        Self { subject: subject.map(json), body: json(body), renderer }
    }

    /// The template rendered for `contact`, to be written.
    pub fn render<'c>(&self, contact: &'c impl fields::FieldSource) -> RenderedJson<'_, 'a, 'c> {
        RenderedJson { json: self, texts: self.renderer.texts(contact), full: std::sync::OnceLock::new() }
    }
}

/// A template rendered for one contact by a [`JsonRenderer`]: the texts of
/// its names, written as the [`RenderedTemplate`] of the same rendering
/// would be (made only for the lists of names, or a resolver).
pub struct RenderedJson<'r, 'a, 'c> {
    json: &'r JsonRenderer<'a>,
    /// The names' texts, borrowed from the contact where they are its texts.
    texts: Vec<Option<templates::ValueText<'c>>>,
    full: std::sync::OnceLock<RenderedTemplate>,
}

impl<'r, 'a> RenderedJson<'r, 'a, '_> {
    /// The same rendering, its texts copied: for a contact lent for less
    /// time than the rendering is written in.
    pub fn into_owned(self) -> RenderedJson<'r, 'a, 'static> {
        let texts = self.texts.into_iter().map(|t| t.map(templates::ValueText::into_owned)).collect();
        RenderedJson { json: self.json, texts, full: self.full }
    }

    fn full(&self) -> &RenderedTemplate {
        self.full.get_or_init(|| self.json.renderer.prepared().render_texts(&self.texts, true).into())
    }

    /// Appends the JSON string of `pieces` with this rendering's texts.
    fn write(&self, pieces: &[JsonPiece], out: &mut Vec<u8>) {
        out.push(b'"');
        for piece in pieces {
            match piece {
                JsonPiece::Text(text) => out.extend_from_slice(text),
                JsonPiece::Name(at, default) => match (&self.texts[*at], default) {
                    (Some(text), _) => crate::response_json::write_escaped_utf8(out, text.as_bytes()),
                    (None, Some(default)) => out.extend_from_slice(default),
                    (None, None) => {}
                },
            }
        }
        out.push(b'"');
    }
}

impl super::plain::PlainFields for RenderedJson<'_, '_, '_> {
    fn plain_field(&self, name: &str) -> Option<async_graphql::Value> {
        self.full().plain_field(name)
    }

    fn write_plain_field(&self, name: &str, out: &mut Vec<u8>) -> bool {
        match name {
            "subject" => match &self.json.subject {
                Some(pieces) => self.write(pieces, out),
                None => out.extend_from_slice(b"null"),
            },
            "body" => self.write(&self.json.body, out),
            "complete" => out.extend_from_slice(if self.json.renderer.prepared().complete(&self.texts) {
                b"true"
            } else {
                b"false"
            }),
            _ => return self.full().write_plain_field(name, out),
        }
        true
    }
}

impl async_graphql::OutputType for RenderedJson<'_, '_, '_> {
    fn type_name() -> std::borrow::Cow<'static, str> {
        RenderedTemplate::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        RenderedTemplate::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &async_graphql::ContextSelectionSet<'_>,
        field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        self.full().resolve(ctx, field).await
    }
}

/// E-mail or call template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateKind {
    /// `email_templates`.
    Email,
    /// `call_templates`.
    Call,
}

/// `variables` as a JSON object (`BAD_USER_INPUT` otherwise).
pub fn variables_object(v: Option<Value>) -> AppResult<Option<Map<String, Value>>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(AppError::bad_field(
            "variables",
            "`variables` must be a JSON object such as {\"sender_name\": \"Dana\"}",
        )),
    }
}

/// The workspace data a rendering needs, through the request's loaders.
pub struct RenderData {
    /// Custom field definitions.
    pub definitions: Arc<super::loaders::WorkspaceFields>,
    /// Settings (products, company name, default templates).
    pub settings: Option<Arc<users_settings::Model>>,
}

impl RenderData {
    /// Loads what renderings need.
    pub async fn load(ctx: &Context<'_>) -> AppResult<Self> {
        let req = ctx.req()?;
        let context = req.loaders.context().await?;
        Ok(Self { definitions: context.fields.clone(), settings: context.settings.clone() })
    }

    /// A render context over this data and `variables`.
    pub fn context<'a, 'v>(&'a self, variables: Option<&'v Map<String, Value>>) -> RenderContext<'a, 'v> {
        render_context(&self.definitions, self.settings.as_deref(), variables)
    }
}

/// A render context over the workspace's field definitions and settings
/// and `variables`.
fn render_context<'a, 'v>(
    definitions: &'a super::loaders::WorkspaceFields,
    settings: Option<&'a users_settings::Model>,
    variables: Option<&'v Map<String, Value>>,
) -> RenderContext<'a, 'v> {
    static EMPTY: Value = Value::Null;
    RenderContext {
        definitions: &definitions.definitions,
        products: settings.map(|s| &s.products).unwrap_or(&EMPTY),
        company_name: settings.and_then(|s| s.company_name.as_deref()),
        variables,
    }
}

/// `Contact.renderedEmail` / `renderedCallScript`: the template `id` (else
/// the workspace default) rendered for `contact`; null when there is none.
pub async fn render_for_contact(
    ctx: &Context<'_>,
    contact: &contacts::Model,
    kind: TemplateKind,
    id: Option<Uuid>,
    variables: Option<Value>,
) -> AppResult<Option<RenderedTemplate>> {
    let variables = variables_object(variables)?;
    let context = ctx.req()?.loaders.context().await?;
    let renderer = renderer_in(&context, kind, id, variables.as_ref());
    Ok(renderer.map(|r| r.render(&ContactFields(contact), true).into()))
}

/// The renderer of the template `id` of `kind` (else the workspace
/// default) with `variables` already checked, made once for a page's
/// contacts (`contacts::node`, where it renders without a resolver: no
/// await) or for one contact; `None` when there is no such template.
pub fn renderer_in<'a>(
    context: &'a WorkspaceContext,
    kind: TemplateKind,
    id: Option<Uuid>,
    variables: Option<&Map<String, Value>>,
) -> Option<personalize::Renderer<'a>> {
    let (subject, body) = template_texts(context, kind, id)?;
    let rc = render_context(&context.fields, context.settings.as_deref(), variables);
    Some(personalize::Renderer::new(&rc, subject, body))
}

/// The parsed subject (e-mail only) and body of the template `id` of `kind`,
/// else of the workspace's default one; `None` when there is none.
pub fn template_texts(
    context: &WorkspaceContext,
    kind: TemplateKind,
    id: Option<Uuid>,
) -> Option<(Option<&Template>, &Template)> {
    let settings = context.settings.as_deref();
    match kind {
        TemplateKind::Email => {
            let id = id.or_else(|| settings.and_then(|s| s.default_email_template_id))?;
            context.email_templates.get(&id).map(|t| (Some(&t.subject), &t.body))
        }
        TemplateKind::Call => {
            let id = id.or_else(|| settings.and_then(|s| s.default_call_template_id))?;
            context.call_templates.get(&id).map(|t| (None, &t.body))
        }
    }
}

/// Parses and checks a template text for saving or previewing:
/// `BAD_USER_INPUT` naming every problem with its offset, `field` = `subject` or `body`.
pub fn validate_text(text: &str, field: &str, definitions: &[FieldDefinition]) -> AppResult<Template> {
    templates::validate(text, |name| personalize::is_known_variable(name, definitions)).map_err(|problems| {
        AppError::bad_field(field, format!("{field}: {}", templates::describe(&problems)))
    })
}

/// Checks a subject (if any) and a body together, so that one error lists
/// the problems of both (`field` names the first text with a problem).
pub fn validate_subject_and_body(
    subject: Option<&str>,
    body: &str,
    definitions: &[FieldDefinition],
) -> AppResult<(Option<Template>, Template)> {
    let s = subject.map(|s| validate_text(s, "subject", definitions)).transpose();
    let b = validate_text(body, "body", definitions);
    match (s, b) {
        (Ok(s), Ok(b)) => Ok((s, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (
            Err(AppError::BadUserInput { message: m1, field }),
            Err(AppError::BadUserInput { message: m2, .. }),
        ) => Err(AppError::BadUserInput { message: format!("{m1}; {m2}"), field }),
        (Err(e), Err(_)) => Err(e),
    }
}

/// Where a template variable's value comes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum TemplateVariableSource {
    /// A column of the contact.
    Column,
    /// An alias over columns (first non-empty wins).
    Alias,
    /// A custom field of the workspace (a path in `enrichmentData`).
    CustomField,
    /// The product catalog entry of the contact's `assignedProduct`.
    Product,
    /// Supplied at render time in `variables`.
    Sender,
}

/// A name a template may use.
#[derive(SimpleObject, Clone, Debug)]
pub struct TemplateVariable {
    /// The name, as written in `{{name}}`.
    pub name: String,
    /// What it holds.
    pub description: String,
    /// Where its value comes from.
    pub source: TemplateVariableSource,
}

/// Template queries.
#[derive(Default)]
pub struct TemplatesQuery;

#[Object]
impl TemplatesQuery {
    /// The workspace's e-mail templates, default first, then by name.
    async fn email_templates(&self, ctx: &Context<'_>) -> AppResult<Vec<EmailTemplate>> {
        let db = &ctx.req()?.db;
        let tx = db.tx().await?;
        let rows = email_templates::Entity::find()
            .filter(email_templates::Column::WorkspaceId.eq(db.claims().workspace_id))
            .order_by_desc(email_templates::Column::IsDefault)
            .order_by_asc(email_templates::Column::Name)
            .order_by_asc(email_templates::Column::Id)
            .all(&*tx)
            .await?;
        Ok(rows.into_iter().map(|m| EmailTemplate(Arc::new(LoadedEmailTemplate::new(m)))).collect())
    }

    /// One e-mail template; null when it does not exist in the workspace.
    async fn email_template(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Option<EmailTemplate>> {
        Ok(ctx.req()?.loaders.context().await?.email_template(id).map(EmailTemplate))
    }

    /// The workspace's call templates, default first, then by name.
    async fn call_templates(&self, ctx: &Context<'_>) -> AppResult<Vec<CallTemplate>> {
        let db = &ctx.req()?.db;
        let tx = db.tx().await?;
        let rows = call_templates::Entity::find()
            .filter(call_templates::Column::WorkspaceId.eq(db.claims().workspace_id))
            .order_by_desc(call_templates::Column::IsDefault)
            .order_by_asc(call_templates::Column::Name)
            .order_by_asc(call_templates::Column::Id)
            .all(&*tx)
            .await?;
        Ok(rows.into_iter().map(|m| CallTemplate(Arc::new(LoadedCallTemplate::new(m)))).collect())
    }

    /// One call template; null when it does not exist in the workspace.
    async fn call_template(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Option<CallTemplate>> {
        Ok(ctx.req()?.loaders.context().await?.call_template(id).map(CallTemplate))
    }

    /// Every name a template may use: contact columns, aliases, the
    /// workspace's custom fields, `product_<key>` for the keys of the product
    /// catalog, and `sender_*` values supplied at render time.
    async fn template_variables(&self, ctx: &Context<'_>) -> AppResult<Vec<TemplateVariable>> {
        let data = RenderData::load(ctx).await?;
        let mut out: Vec<TemplateVariable> = fields::CONTACT_COLUMNS
            .iter()
            .map(|c| TemplateVariable {
                name: (*c).to_owned(),
                description: format!("The contact's `{c}` column."),
                source: TemplateVariableSource::Column,
            })
            .collect();
        for (alias, cols) in fields::ALIASES {
            let description = if *alias == "full_name" {
                "First and last name joined by one space.".to_owned()
            } else {
                format!(
                    "The first non-empty of {}.",
                    cols.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                )
            };
            out.push(TemplateVariable {
                name: (*alias).to_owned(),
                description,
                source: TemplateVariableSource::Alias,
            });
        }
        for d in &data.definitions.models {
            out.push(TemplateVariable {
                name: d.field_name.clone(),
                description: format!(
                    "{} (custom field at `{}` in the enrichment data).",
                    d.display_name, d.jsonb_path
                ),
                source: TemplateVariableSource::CustomField,
            });
        }
        let mut keys: Vec<String> = Vec::new();
        if let Some(Value::Object(products)) = data.settings.as_ref().map(|s| &s.products) {
            for product in products.values() {
                if let Value::Object(p) = product {
                    for k in p.keys() {
                        if !keys.contains(k) {
                            keys.push(k.clone());
                        }
                    }
                }
            }
        }
        for k in ["name", "ltv", "close_days"] {
            if !keys.iter().any(|x| x == k) {
                keys.push(k.to_owned());
            }
        }
        for k in keys {
            let name = format!("product_{k}");
            if fields::is_column(&name) {
                continue;
            }
            out.push(TemplateVariable {
                description: format!("`{k}` of the contact's assigned product in the catalog."),
                name,
                source: TemplateVariableSource::Product,
            });
        }
        out.push(TemplateVariable {
            name: "sender_name".to_owned(),
            description: "The sender's name, passed in `variables`.".to_owned(),
            source: TemplateVariableSource::Sender,
        });
        out.push(TemplateVariable {
            name: "sender_company".to_owned(),
            description:
                "The sender's company, passed in `variables`; defaults to the workspace's company name."
                    .to_owned(),
            source: TemplateVariableSource::Sender,
        });
        out.push(TemplateVariable {
            name: "sender_<key>".to_owned(),
            description: "Any other `sender_` value passed in `variables` (e.g. sender_title, sender_phone)."
                .to_owned(),
            source: TemplateVariableSource::Sender,
        });
        Ok(out)
    }

    /// Renders a saved template (`templateId`, e-mail or call) or an unsaved
    /// one (`subject`, `body`) for a contact, without saving anything.
    /// Unsaved text is checked like a save: unknown names or broken syntax
    /// are `BAD_USER_INPUT`, naming each problem and its offset.
    async fn preview_template(
        &self,
        ctx: &Context<'_>,
        template_id: Option<Uuid>,
        subject: Option<String>,
        body: Option<String>,
        contact_id: Uuid,
        variables: Option<Json<Value>>,
    ) -> AppResult<RenderedTemplate> {
        let variables = variables_object(variables.map(|v| v.0))?;
        let data = RenderData::load(ctx).await?;
        let (subject_t, body_t): (Option<Template>, Template) = match (template_id, body) {
            (Some(_), Some(_)) => {
                return Err(AppError::bad_input("pass either `templateId` or `subject`/`body`, not both"));
            }
            (Some(id), None) => {
                let loaders = &ctx.req()?.loaders;
                let context = loaders.context().await?;
                if let Some(t) = context.email_template(id) {
                    (Some(t.subject.clone()), t.body.clone())
                } else if let Some(t) = context.call_template(id) {
                    (None, t.body.clone())
                } else {
                    return Err(AppError::not_found("template", id));
                }
            }
            (None, Some(body)) => {
                validate_subject_and_body(subject.as_deref(), &body, &data.definitions.definitions)?
            }
            (None, None) => {
                return Err(AppError::bad_field("body", "pass `templateId` or a `body` to preview"));
            }
        };
        let contact = super::contacts::load_contact(ctx, contact_id, "contactId").await?;
        let rc = data.context(variables.as_ref());
        Ok(personalize::render(&ContactFields(&contact), &rc, subject_t.as_ref(), &body_t).into())
    }
}

/// A new e-mail template.
#[derive(async_graphql::InputObject)]
pub struct CreateEmailTemplateInput {
    /// Name, 1–200 characters.
    pub name: String,
    /// Subject with placeholders (≤ 500 characters).
    pub subject: String,
    /// Body with placeholders (≤ 20 000 characters).
    pub body: String,
    /// Make it the workspace's default (the previous default stops being one).
    pub is_default: Option<bool>,
}

/// Changes to an e-mail template: fields left out stay as they are.
#[derive(async_graphql::InputObject)]
pub struct UpdateEmailTemplateInput {
    /// Name.
    pub name: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// `true` makes it the default; `false` leaves the workspace without a default e-mail template.
    pub is_default: Option<bool>,
}

/// A new call template.
#[derive(async_graphql::InputObject)]
pub struct CreateCallTemplateInput {
    /// Name, 1–200 characters.
    pub name: String,
    /// Script with placeholders (≤ 20 000 characters).
    pub body: String,
    /// Make it the workspace's default.
    pub is_default: Option<bool>,
}

/// Changes to a call template: fields left out stay as they are.
#[derive(async_graphql::InputObject)]
pub struct UpdateCallTemplateInput {
    /// Name.
    pub name: Option<String>,
    /// Script.
    pub body: Option<String>,
    /// `true` makes it the default; `false` leaves the workspace without a default call template.
    pub is_default: Option<bool>,
}

const MAX_SUBJECT: usize = 500;
const MAX_BODY: usize = 20_000;

/// Checks lengths and syntax of a template's texts, naming every problem.
fn check_texts(subject: Option<&str>, body: &str, definitions: &[FieldDefinition]) -> AppResult<Value> {
    if let Some(s) = subject {
        super::optional_text("subject", s, MAX_SUBJECT)?;
    }
    super::optional_text("body", body, MAX_BODY)?;
    let (s, b) = validate_subject_and_body(subject, body, definitions)?;
    let mut names: Vec<String> = s.map(|t| t.variables()).unwrap_or_default();
    for v in b.variables() {
        if !names.contains(&v) {
            names.push(v);
        }
    }
    Ok(serde_json::json!(names))
}

/// A template table: what its writes filter on and set, and where else its
/// templates are named (the settings' default, campaigns).
pub(super) trait TemplateTable: EntityTrait {
    /// How an error names one of its templates.
    const NAME: &'static str;
    const ID: Self::Column;
    const WORKSPACE_ID: Self::Column;
    const IS_DEFAULT: Self::Column;
    /// The workspace's default template in its settings.
    const SETTINGS_DEFAULT: users_settings::Column;
    /// The template a campaign uses.
    const CAMPAIGN: campaigns::Column;
}

impl TemplateTable for email_templates::Entity {
    const NAME: &'static str = "e-mail template";
    const ID: Self::Column = email_templates::Column::Id;
    const WORKSPACE_ID: Self::Column = email_templates::Column::WorkspaceId;
    const IS_DEFAULT: Self::Column = email_templates::Column::IsDefault;
    const SETTINGS_DEFAULT: users_settings::Column = users_settings::Column::DefaultEmailTemplateId;
    const CAMPAIGN: campaigns::Column = campaigns::Column::EmailTemplateId;
}

impl TemplateTable for call_templates::Entity {
    const NAME: &'static str = "call template";
    const ID: Self::Column = call_templates::Column::Id;
    const WORKSPACE_ID: Self::Column = call_templates::Column::WorkspaceId;
    const IS_DEFAULT: Self::Column = call_templates::Column::IsDefault;
    const SETTINGS_DEFAULT: users_settings::Column = users_settings::Column::DefaultCallTemplateId;
    const CAMPAIGN: campaigns::Column = campaigns::Column::CallTemplateId;
}

/// Makes `id` the workspace's only default template of its table (also in settings).
pub(super) async fn make_default<T: TemplateTable>(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<()> {
    T::update_many()
        .col_expr(T::IS_DEFAULT, Expr::value(false))
        .filter(T::WORKSPACE_ID.eq(ws))
        .filter(T::IS_DEFAULT.eq(true))
        .filter(T::ID.ne(id))
        .exec(tx)
        .await?;
    T::update_many()
        .col_expr(T::IS_DEFAULT, Expr::value(true))
        .filter(T::WORKSPACE_ID.eq(ws))
        .filter(T::ID.eq(id))
        .exec(tx)
        .await?;
    users_settings::Entity::update_many()
        .col_expr(T::SETTINGS_DEFAULT, Expr::value(id))
        .filter(users_settings::Column::WorkspaceId.eq(ws))
        .exec(tx)
        .await?;
    Ok(())
}

/// Stops `id` being the default of its table (the workspace then has none).
async fn unset_default<T: TemplateTable>(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<()> {
    T::update_many()
        .col_expr(T::IS_DEFAULT, Expr::value(false))
        .filter(T::WORKSPACE_ID.eq(ws))
        .filter(T::ID.eq(id))
        .exec(tx)
        .await?;
    users_settings::Entity::update_many()
        .col_expr(T::SETTINGS_DEFAULT, Expr::value(Option::<Uuid>::None))
        .filter(users_settings::Column::WorkspaceId.eq(ws))
        .filter(T::SETTINGS_DEFAULT.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Whether the workspace has the template `id`.
pub(super) async fn exists<T: TemplateTable>(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<bool> {
    Ok(T::find().filter(T::WORKSPACE_ID.eq(ws)).filter(T::ID.eq(id)).one(tx).await?.is_some())
}

/// Deletes the template `id` of the caller's workspace: `NOT_FOUND` when
/// the workspace has none, `CONFLICT` while a draft, active or paused
/// campaign uses it.
async fn delete<T: TemplateTable>(ctx: &Context<'_>, id: Uuid) -> AppResult<Uuid> {
    let req = super::member(ctx)?;
    let ws = req.db.claims().workspace_id;
    let tx = req.db.tx().await?;
    if !exists::<T>(&tx, ws, id).await? {
        return Err(AppError::not_found(T::NAME, id));
    }
    let open = campaigns::Entity::find()
        .filter(campaigns::Column::WorkspaceId.eq(ws))
        .filter(T::CAMPAIGN.eq(id))
        .filter(campaigns::Column::Status.is_in(["draft", "active", "paused"]))
        .one(&*tx)
        .await?;
    if let Some(c) = open {
        return Err(AppError::Conflict(format!(
            "the template is used by the {} campaign {:?}",
            c.status, c.name
        )));
    }
    // (the settings' default, if it was this one, is set to null by its foreign key)
    T::delete_many().filter(T::WORKSPACE_ID.eq(ws)).filter(T::ID.eq(id)).exec(&*tx).await?;
    Ok(id)
}

async fn workspace_definitions(ctx: &Context<'_>) -> AppResult<Arc<super::loaders::WorkspaceFields>> {
    let req = ctx.req()?;
    Ok(req.loaders.context().await?.fields.clone())
}

/// Template mutations.
#[derive(Default)]
pub struct TemplateMutations;

#[Object]
impl TemplateMutations {
    /// Creates an e-mail template. Unknown variables or broken syntax are
    /// `BAD_USER_INPUT` naming each problem, its offset, and `subject` or `body`.
    async fn create_email_template(
        &self,
        ctx: &Context<'_>,
        input: CreateEmailTemplateInput,
    ) -> AppResult<EmailTemplate> {
        use sea_orm::ActiveValue::Set;
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let name = super::required_text("name", &input.name, 200)?;
        let defs = workspace_definitions(ctx).await?;
        let variables = check_texts(Some(&input.subject), &input.body, &defs.definitions)?;
        let tx = req.db.tx().await?;
        let id = Uuid::new_v4();
        email_templates::Entity::insert(email_templates::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws),
            name: Set(name),
            subject: Set(input.subject),
            body: Set(input.body),
            is_default: Set(false),
            variables: Set(variables),
            ..Default::default()
        })
        .exec_without_returning(&*tx)
        .await?;
        if input.is_default == Some(true) {
            make_default::<email_templates::Entity>(&tx, ws, id).await?;
        }
        load_email(&tx, ws, id).await
    }

    /// Changes an e-mail template (validated like a new one).
    async fn update_email_template(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateEmailTemplateInput,
    ) -> AppResult<EmailTemplate> {
        use sea_orm::ActiveValue::Set;
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let defs = workspace_definitions(ctx).await?;
        let tx = req.db.tx().await?;
        let current = load_email(&tx, ws, id).await?.0.model.clone();
        let mut am = current.clone().into_active_model();
        if let Some(n) = &input.name {
            am.name = Set(super::required_text("name", n, 200)?);
        }
        let subject = input.subject.clone().unwrap_or(current.subject.clone());
        let body = input.body.clone().unwrap_or(current.body.clone());
        am.variables = Set(check_texts(Some(&subject), &body, &defs.definitions)?);
        am.subject = Set(subject);
        am.body = Set(body);
        if am.is_changed() {
            am.update(&*tx).await?;
        }
        match input.is_default {
            Some(true) => make_default::<email_templates::Entity>(&tx, ws, id).await?,
            Some(false) if current.is_default => {
                unset_default::<email_templates::Entity>(&tx, ws, id).await?
            }
            _ => {}
        }
        load_email(&tx, ws, id).await
    }

    /// Deletes an e-mail template; refused (`CONFLICT`) while an open campaign uses it.
    async fn delete_email_template(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Uuid> {
        delete::<email_templates::Entity>(ctx, id).await
    }

    /// Creates a call template (validated like e-mail templates).
    async fn create_call_template(
        &self,
        ctx: &Context<'_>,
        input: CreateCallTemplateInput,
    ) -> AppResult<CallTemplate> {
        use sea_orm::ActiveValue::Set;
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let name = super::required_text("name", &input.name, 200)?;
        let defs = workspace_definitions(ctx).await?;
        let variables = check_texts(None, &input.body, &defs.definitions)?;
        let tx = req.db.tx().await?;
        let id = Uuid::new_v4();
        call_templates::Entity::insert(call_templates::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws),
            name: Set(name),
            body: Set(input.body),
            is_default: Set(false),
            variables: Set(variables),
            ..Default::default()
        })
        .exec_without_returning(&*tx)
        .await?;
        if input.is_default == Some(true) {
            make_default::<call_templates::Entity>(&tx, ws, id).await?;
        }
        load_call(&tx, ws, id).await
    }

    /// Changes a call template.
    async fn update_call_template(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateCallTemplateInput,
    ) -> AppResult<CallTemplate> {
        use sea_orm::ActiveValue::Set;
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let defs = workspace_definitions(ctx).await?;
        let tx = req.db.tx().await?;
        let current = load_call(&tx, ws, id).await?.0.model.clone();
        let mut am = current.clone().into_active_model();
        if let Some(n) = &input.name {
            am.name = Set(super::required_text("name", n, 200)?);
        }
        let body = input.body.clone().unwrap_or(current.body.clone());
        am.variables = Set(check_texts(None, &body, &defs.definitions)?);
        am.body = Set(body);
        if am.is_changed() {
            am.update(&*tx).await?;
        }
        match input.is_default {
            Some(true) => make_default::<call_templates::Entity>(&tx, ws, id).await?,
            Some(false) if current.is_default => unset_default::<call_templates::Entity>(&tx, ws, id).await?,
            _ => {}
        }
        load_call(&tx, ws, id).await
    }

    /// Deletes a call template; refused (`CONFLICT`) while an open campaign uses it.
    async fn delete_call_template(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Uuid> {
        delete::<call_templates::Entity>(ctx, id).await
    }
}

/// An e-mail template of the workspace, read in the transaction (`NOT_FOUND` otherwise).
pub async fn load_email(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<EmailTemplate> {
    email_templates::Entity::find_by_id(id)
        .filter(email_templates::Column::WorkspaceId.eq(ws))
        .one(tx)
        .await?
        .map(|m| EmailTemplate(Arc::new(LoadedEmailTemplate::new(m))))
        .ok_or_else(|| AppError::not_found("e-mail template", id))
}

/// A call template of the workspace, read in the transaction (`NOT_FOUND` otherwise).
pub async fn load_call(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<CallTemplate> {
    call_templates::Entity::find_by_id(id)
        .filter(call_templates::Column::WorkspaceId.eq(ws))
        .one(tx)
        .await?
        .map(|m| CallTemplate(Arc::new(LoadedCallTemplate::new(m))))
        .ok_or_else(|| AppError::not_found("call template", id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::plain::PlainFields;

    #[test]
    fn a_rendered_template_writes_each_field_as_its_value_is_written() {
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        for (subject, complete) in [(Some("Hi \"you\"\n\\ \u{1}é"), true), (None, false)] {
            let rendered = RenderedTemplate {
                subject: subject.map(str::to_owned),
                body: "line\tone\r\n\"two\" ".repeat(20),
                used_variables: names(&["first_name", "a\"b"]),
                missing_variables: names(&[]),
                defaulted_variables: names(&["x"]),
                complete,
            };
            for name in [
                "subject",
                "body",
                "usedVariables",
                "missingVariables",
                "defaultedVariables",
                "complete",
                "nope",
            ] {
                let mut written = Vec::new();
                let wrote = rendered.write_plain_field(name, &mut written);
                let mut expected = Vec::new();
                let value = rendered.plain_field(name);
                if let Some(v) = &value {
                    crate::response_json::write_value(&mut expected, v);
                }
                assert_eq!(wrote, value.is_some(), "{name}");
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(expected).unwrap(),
                    "{name}"
                );
            }
        }
    }

    const FIELDS: [&str; 7] =
        ["subject", "body", "usedVariables", "missingVariables", "defaultedVariables", "complete", "nope"];

    /// Each field as a [`JsonRenderer`] writes it, and as the
    /// [`RenderedTemplate`] of `templates::render` writes it.
    fn written_both_ways(
        ctx: &RenderContext<'_, '_>,
        subject: Option<&Template>,
        body: &Template,
        contacts: &[Map<String, Value>],
    ) -> Vec<(String, String)> {
        use crate::graphql::plain::PlainFields;
        // One renderer for every contact, as a page has.
        let json = JsonRenderer::new(personalize::Renderer::new(ctx, subject, body));
        let mut pairs = Vec::new();
        for contact in contacts {
            let direct = json.render(contact);
            // The texts looked up as values, none lent by the contact.
            let rendered = RenderedTemplate::from(templates::render(subject, body, |name| {
                personalize::lookup(contact, ctx, name)
            }));
            for name in FIELDS {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let wrote =
                    (direct.write_plain_field(name, &mut a), rendered.write_plain_field(name, &mut b));
                assert_eq!(wrote.0, wrote.1, "{name}");
                assert_eq!(direct.plain_field(name), rendered.plain_field(name), "{name}");
                pairs.push((String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap()));
            }
        }
        pairs
    }

    #[test]
    fn a_page_writes_a_template_as_its_rendering_is_written() {
        let products = serde_json::json!({"p\"1": {"name": "Loans \"504\"\n", "ltv": 90}});
        let variables = serde_json::json!({"sender_name": "Dana\t\u{7}"});
        let ctx = RenderContext {
            definitions: &[],
            products: &products,
            company_name: Some("Acme \\ Co"),
            variables: variables.as_object(),
        };
        let subject =
            templates::parse("\"{{first_name}}\"\n about {{ company | default: \"your\\team\" }}").unwrap();
        let body = templates::parse(
            "Hi {{first_name | default: \"th\u{1}ere\"}},\n\n\t{{product_name}} ({{product_ltv}}%) from \
             {{sender_company}} / {{sender_name}}: {{kernel_what_hook}} {{tags}} {{enrichment_company_growth_yoy}}\r\n\
             {{ last_name }}é\u{2028}",
        )
        .unwrap();
        let contacts: Vec<Map<String, Value>> = [
            serde_json::json!({"first_name": "Ann \"A\"\n", "company": "Init\\ech", "assigned_product": "p\"1",
                "kernel_what_hook": "line\u{1f}one\r\nline two", "tags": ["a\"", "", "b"],
                "enrichment_company_growth_yoy": 0.18, "last_name": "Ø"}),
            serde_json::json!({"first_name": "", "tags": [], "last_name": null}),
            serde_json::json!({}),
        ]
        .into_iter()
        .map(|c| c.as_object().cloned().unwrap())
        .collect();
        for subject in [Some(&subject), None] {
            let pairs = written_both_ways(&ctx, subject, &body, &contacts);
            assert_eq!(pairs.len(), contacts.len() * FIELDS.len());
            for (direct, rendered) in pairs {
                assert_eq!(direct, rendered);
            }
        }
        // The first contact's texts, to be sure both ways wrote something.
        use crate::graphql::plain::PlainFields;
        let json = JsonRenderer::new(personalize::Renderer::new(&ctx, Some(&subject), &body));
        let mut out = Vec::new();
        PlainFields::write_plain_field(&json.render(&contacts[0]), "subject", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#""\"Ann \"A\"\n\"\n about Init\\ech""#);
    }

    #[test]
    fn a_page_writes_the_fixture_templates_as_the_fixtures_render_them() {
        use crate::graphql::plain::PlainFields;
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/templates.json");
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut checked = 0;
        for case in fixture["cases"].as_array().unwrap() {
            let (Some(expected), Ok(body)) =
                (case.get("rendered"), templates::parse(case["template"].as_str().unwrap()))
            else {
                continue;
            };
            let empty = Value::Null;
            let ctx = RenderContext {
                definitions: &[],
                products: case.get("products").unwrap_or(&empty),
                company_name: None,
                variables: case.get("variables").and_then(Value::as_object),
            };
            let contact = case["contact"].as_object().cloned().unwrap();
            let json = JsonRenderer::new(personalize::Renderer::new(&ctx, None, &body));
            let rendered = json.render(&contact);
            for (field, value) in [
                ("body", expected),
                ("complete", &case["complete"]),
                ("usedVariables", &case["used"]),
                ("missingVariables", &case["missing"]),
                ("defaultedVariables", &case["defaulted"]),
            ] {
                let mut out = Vec::new();
                assert!(PlainFields::write_plain_field(&rendered, field, &mut out));
                assert_eq!(String::from_utf8(out).unwrap(), value.to_string(), "{case}: {field}");
            }
            checked += 1;
        }
        assert_eq!(checked, 10);
    }
}
