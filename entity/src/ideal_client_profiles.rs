//! `ideal_client_profiles`: who a workspace wants to reach (SPEC §6.3).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An ideal client profile.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "ideal_client_profiles")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning workspace.
    pub workspace_id: Uuid,
    /// Name, 1–100 characters, unique per workspace.
    pub name: String,
    /// Description, at most 500 characters.
    pub description: Option<String>,
    /// Criteria: industries, personas, company size bounds.
    pub criteria: Json,
    /// Weights of the three criteria.
    pub scoring_weights: Json,
    /// Whether the profile is in use.
    pub is_active: bool,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations of an ICP.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Contacts matched to it.
    #[sea_orm(has_many = "super::contacts::Entity")]
    Contacts,
}

impl Related<super::contacts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contacts.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
