//! `contact_field_definitions`: custom fields read from `enrichment_data`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A custom contact field.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "contact_field_definitions")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning workspace.
    pub workspace_id: Uuid,
    /// Name used by `field(name)` and templates: `^[a-z][a-z0-9_]*$`.
    pub field_name: String,
    /// Label for people.
    pub display_name: String,
    /// `text`, `number`, `float`, `bigint`, `date`, `boolean` or `array`.
    pub field_type: String,
    /// Where the value comes from (free text, e.g. `enrichment`).
    pub source: Option<String>,
    /// Dot-separated path inside `enrichment_data`.
    pub jsonb_path: String,
    /// Offered in search.
    pub is_searchable: bool,
    /// Offered as a filter.
    pub is_filterable: bool,
    /// Shown in lists.
    pub is_displayable: bool,
    /// Display order.
    pub sort_priority: i32,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
