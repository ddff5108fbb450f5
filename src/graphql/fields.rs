//! Custom contact fields: the `ContactFieldDefinition` type and its query.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::contact_field_definitions::Model;
use uuid::Uuid;

use super::ContextExt;
use crate::error::AppResult;

/// A custom field: a name usable by `Contact.field(name)` and templates,
/// read from a path inside the contact's enrichment data.
pub struct ContactFieldDefinition(pub Model);

/// A custom field: a name usable by `Contact.field(name)` and templates,
/// read from a path inside the contact's enrichment data.
#[Object]
impl ContactFieldDefinition {
    /// The definition's id.
    async fn id(&self) -> Uuid {
        self.0.id
    }
    /// The name (`^[a-z][a-z0-9_]*$`), used as `field(name: …)` and `{{name}}`.
    async fn field_name(&self) -> &str {
        &self.0.field_name
    }
    /// Label for people.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// `text`, `number`, `float`, `bigint`, `date`, `boolean` or `array`.
    async fn field_type(&self) -> &str {
        &self.0.field_type
    }
    /// Where the value comes from (free text, e.g. `enrichment`).
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Dot-separated path inside `enrichmentData`, e.g. `company.funding.stage`.
    async fn jsonb_path(&self) -> &str {
        &self.0.jsonb_path
    }
    /// Offered in search.
    async fn is_searchable(&self) -> bool {
        self.0.is_searchable
    }
    /// Offered as a filter.
    async fn is_filterable(&self) -> bool {
        self.0.is_filterable
    }
    /// Shown in lists.
    async fn is_displayable(&self) -> bool {
        self.0.is_displayable
    }
    /// Display order (ascending).
    async fn sort_priority(&self) -> i32 {
        self.0.sort_priority
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Field definition queries.
#[derive(Default)]
pub struct FieldsQuery;

#[Object]
impl FieldsQuery {
    /// The workspace's custom fields, by sort priority then name.
    async fn contact_field_definitions(&self, ctx: &Context<'_>) -> AppResult<Vec<ContactFieldDefinition>> {
        let req = ctx.req()?;
        let defs = req.loaders.context().await?.fields.clone();
        Ok(defs.models.iter().cloned().map(ContactFieldDefinition).collect())
    }
}

/// Field types a definition may declare.
pub const FIELD_TYPES: [&str; 7] = ["text", "number", "float", "bigint", "date", "boolean", "array"];

/// A new custom field.
#[derive(async_graphql::InputObject)]
pub struct CreateContactFieldDefinitionInput {
    /// Name: `^[a-z][a-z0-9_]*$`, not a column, an alias, or `product_*`/`sender_*`.
    pub field_name: String,
    /// Label for people (1–100 characters).
    pub display_name: String,
    /// `text` (default), `number`, `float`, `bigint`, `date`, `boolean` or `array`.
    pub field_type: Option<String>,
    /// Dot-separated path inside `enrichmentData`, e.g. `company.funding.stage`.
    pub jsonb_path: String,
    /// Where the value comes from (≤ 50 characters, e.g. `enrichment`).
    pub source: Option<String>,
    /// Offered in search (default false).
    pub is_searchable: Option<bool>,
    /// Offered as a filter (default false).
    pub is_filterable: Option<bool>,
    /// Shown in lists (default true).
    pub is_displayable: Option<bool>,
    /// Display order (default 0).
    pub sort_priority: Option<i32>,
}

/// Changes to a custom field: fields left out stay as they are. The name
/// cannot change while a template uses it.
#[derive(async_graphql::InputObject)]
pub struct UpdateContactFieldDefinitionInput {
    /// Name.
    pub field_name: Option<String>,
    /// Label.
    pub display_name: Option<String>,
    /// Type.
    pub field_type: Option<String>,
    /// Path inside `enrichmentData`.
    pub jsonb_path: Option<String>,
    /// Source (`null` clears it).
    pub source: async_graphql::MaybeUndefined<String>,
    /// Offered in search.
    pub is_searchable: Option<bool>,
    /// Offered as a filter.
    pub is_filterable: Option<bool>,
    /// Shown in lists.
    pub is_displayable: Option<bool>,
    /// Display order.
    pub sort_priority: Option<i32>,
}

fn check_name(name: &str) -> AppResult<String> {
    crate::domain::fields::validate_definition_name(name)
        .map_err(|m| crate::error::AppError::bad_field("fieldName", m))?;
    Ok(name.to_owned())
}

fn check_type(t: &str) -> AppResult<String> {
    if FIELD_TYPES.contains(&t) {
        Ok(t.to_owned())
    } else {
        Err(crate::error::AppError::bad_field(
            "fieldType",
            format!("fieldType must be one of {}", FIELD_TYPES.join(", ")),
        ))
    }
}

fn check_path(p: &str) -> AppResult<String> {
    crate::domain::fields::validate_jsonb_path(p)
        .map_err(|m| crate::error::AppError::bad_field("jsonbPath", m))?;
    Ok(p.to_owned())
}

/// Names of the workspace's templates that use `name`.
async fn templates_using(tx: &crate::db::Tx, ws: Uuid, name: &str) -> AppResult<Vec<String>> {
    use entity::{call_templates, email_templates};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut out = Vec::new();
    for t in
        email_templates::Entity::find().filter(email_templates::Column::WorkspaceId.eq(ws)).all(tx).await?
    {
        if t.variables.as_array().is_some_and(|v| v.iter().any(|x| x == name)) {
            out.push(t.name);
        }
    }
    for t in call_templates::Entity::find().filter(call_templates::Column::WorkspaceId.eq(ws)).all(tx).await?
    {
        if t.variables.as_array().is_some_and(|v| v.iter().any(|x| x == name)) {
            out.push(t.name);
        }
    }
    Ok(out)
}

async fn load_definition(tx: &crate::db::Tx, ws: Uuid, id: Uuid) -> AppResult<Model> {
    use entity::contact_field_definitions as d;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    d::Entity::find_by_id(id)
        .filter(d::Column::WorkspaceId.eq(ws))
        .one(tx)
        .await?
        .ok_or_else(|| crate::error::AppError::not_found("contact field definition", id))
}

async fn check_name_free(tx: &crate::db::Tx, ws: Uuid, name: &str, except: Option<Uuid>) -> AppResult<()> {
    use entity::contact_field_definitions as d;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut q = d::Entity::find().filter(d::Column::WorkspaceId.eq(ws)).filter(d::Column::FieldName.eq(name));
    if let Some(id) = except {
        q = q.filter(d::Column::Id.ne(id));
    }
    if q.one(tx).await?.is_some() {
        return Err(crate::error::AppError::Conflict(format!("a field named {name:?} already exists")));
    }
    Ok(())
}

/// Field definition mutations.
#[derive(Default)]
pub struct FieldMutations;

#[Object]
impl FieldMutations {
    /// Defines a custom field, usable at once by `Contact.field(name)` and templates.
    async fn create_contact_field_definition(
        &self,
        ctx: &Context<'_>,
        input: CreateContactFieldDefinitionInput,
    ) -> AppResult<ContactFieldDefinition> {
        use entity::contact_field_definitions as d;
        use sea_orm::ActiveValue::Set;
        use sea_orm::EntityTrait;
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let name = check_name(&input.field_name)?;
        let display = super::required_text("displayName", &input.display_name, 100)?;
        let field_type = check_type(input.field_type.as_deref().unwrap_or("text"))?;
        let path = check_path(&input.jsonb_path)?;
        if let Some(s) = &input.source {
            super::optional_text("source", s, 50)?;
        }
        let tx = req.db.tx().await?;
        check_name_free(&tx, ws, &name, None).await?;
        let id = Uuid::new_v4();
        d::Entity::insert(d::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws),
            field_name: Set(name),
            display_name: Set(display),
            field_type: Set(field_type),
            source: Set(input.source),
            jsonb_path: Set(path),
            is_searchable: Set(input.is_searchable.unwrap_or(false)),
            is_filterable: Set(input.is_filterable.unwrap_or(false)),
            is_displayable: Set(input.is_displayable.unwrap_or(true)),
            sort_priority: Set(input.sort_priority.unwrap_or(0)),
            ..Default::default()
        })
        .exec_without_returning(&*tx)
        .await?;
        Ok(ContactFieldDefinition(load_definition(&tx, ws, id).await?))
    }

    /// Changes a custom field.
    async fn update_contact_field_definition(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        input: UpdateContactFieldDefinitionInput,
    ) -> AppResult<ContactFieldDefinition> {
        use sea_orm::ActiveValue::Set;
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let current = load_definition(&tx, ws, id).await?;
        let mut am = current.clone().into_active_model();
        if let Some(n) = &input.field_name
            && *n != current.field_name
        {
            let name = check_name(n)?;
            let users = templates_using(&tx, ws, &current.field_name).await?;
            if !users.is_empty() {
                return Err(crate::error::AppError::Conflict(format!(
                    "field {} is used by the templates {}",
                    current.field_name,
                    users.join(", ")
                )));
            }
            check_name_free(&tx, ws, &name, Some(id)).await?;
            am.field_name = Set(name);
        }
        if let Some(v) = &input.display_name {
            am.display_name = Set(super::required_text("displayName", v, 100)?);
        }
        if let Some(v) = &input.field_type {
            am.field_type = Set(check_type(v)?);
        }
        if let Some(v) = &input.jsonb_path {
            am.jsonb_path = Set(check_path(v)?);
        }
        match &input.source {
            async_graphql::MaybeUndefined::Undefined => {}
            async_graphql::MaybeUndefined::Null => am.source = Set(None),
            async_graphql::MaybeUndefined::Value(s) => {
                super::optional_text("source", s, 50)?;
                am.source = Set(Some(s.clone()));
            }
        }
        if let Some(v) = input.is_searchable {
            am.is_searchable = Set(v);
        }
        if let Some(v) = input.is_filterable {
            am.is_filterable = Set(v);
        }
        if let Some(v) = input.is_displayable {
            am.is_displayable = Set(v);
        }
        if let Some(v) = input.sort_priority {
            am.sort_priority = Set(v);
        }
        if am.is_changed() {
            am.update(&*tx).await?;
        }
        Ok(ContactFieldDefinition(load_definition(&tx, ws, id).await?))
    }

    /// Deletes a custom field; refused (`CONFLICT`) while a template uses it.
    async fn delete_contact_field_definition(&self, ctx: &Context<'_>, id: Uuid) -> AppResult<Uuid> {
        use entity::contact_field_definitions as d;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let req = super::member(ctx)?;
        let ws = req.db.claims().workspace_id;
        let tx = req.db.tx().await?;
        let current = load_definition(&tx, ws, id).await?;
        let users = templates_using(&tx, ws, &current.field_name).await?;
        if !users.is_empty() {
            return Err(crate::error::AppError::Conflict(format!(
                "field {} is used by the templates {}",
                current.field_name,
                users.join(", ")
            )));
        }
        d::Entity::delete_many()
            .filter(d::Column::WorkspaceId.eq(ws))
            .filter(d::Column::Id.eq(id))
            .exec(&*tx)
            .await?;
        Ok(id)
    }
}
