//! `call_templates`: call scripts with `{{variables}}` (SPEC §6.6).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A call script template.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "call_templates")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning workspace.
    pub workspace_id: Uuid,
    /// Name.
    pub name: String,
    /// Script template.
    pub body: String,
    /// The workspace's default (at most one).
    pub is_default: bool,
    /// Names the template uses, derived on save.
    pub variables: Json,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
