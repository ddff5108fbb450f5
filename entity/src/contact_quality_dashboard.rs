//! View `contact_quality_dashboard`: one row per workspace (SPEC §5).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Data quality figures of one workspace.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "contact_quality_dashboard")]
pub struct Model {
    /// The workspace (the view's key).
    #[sea_orm(primary_key, auto_increment = false)]
    pub workspace_id: Uuid,
    /// Contacts in the workspace.
    pub total_contacts: i64,
    /// Quality 100.
    pub high_quality: i64,
    /// Quality 80–99.
    pub good_quality: i64,
    /// Quality 60–79.
    pub fair_quality: i64,
    /// Quality below 60.
    pub low_quality: i64,
    /// Average quality, 2 decimals.
    #[sea_orm(column_type = "Double")]
    pub avg_quality_score: f64,
    /// Persona group: decision makers (SPEC §6.4).
    pub decision_makers: i64,
    /// Persona group: executives.
    pub executives: i64,
    /// Persona group: managers.
    pub managers: i64,
    /// Contacts matched to an ICP.
    pub assigned_to_icp: i64,
    /// Contacts held by a campaign.
    pub in_campaigns: i64,
}

/// A view has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
