//! View `campaign_performance`: one row per campaign (SPEC §5).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Counts and rates of one campaign.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "campaign_performance")]
pub struct Model {
    /// The campaign (the view's key).
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: Uuid,
    /// Owning workspace.
    pub workspace_id: Uuid,
    /// Campaign name.
    pub campaign_name: String,
    /// Campaign status.
    pub status: String,
    /// Contacts assigned.
    pub target_count: i32,
    /// E-mails sent.
    pub sent_count: i32,
    /// E-mails opened.
    pub opened_count: i32,
    /// Links clicked.
    pub clicked_count: i32,
    /// Replies.
    pub replied_count: i32,
    /// Percent of sent that were opened, 2 decimals.
    #[sea_orm(column_type = "Double")]
    pub open_rate: f64,
    /// Percent of sent that were clicked, 2 decimals.
    #[sea_orm(column_type = "Double")]
    pub click_rate: f64,
    /// Percent of sent that were replied to, 2 decimals.
    #[sea_orm(column_type = "Double")]
    pub reply_rate: f64,
    /// Name of the campaign's ICP.
    pub icp_name: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// Planned start.
    pub scheduled_at: Option<DateTimeUtc>,
    /// First activation.
    pub activated_at: Option<DateTimeUtc>,
    /// Completion or cancellation.
    pub completed_at: Option<DateTimeUtc>,
}

/// A view has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
