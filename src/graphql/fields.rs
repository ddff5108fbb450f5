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
        let ws = req.db.claims().workspace_id;
        let defs = req.loaders.fields.load_one(ws).await?.unwrap_or_default();
        Ok(defs.models.iter().cloned().map(ContactFieldDefinition).collect())
    }
}
