//! `campaigns`: contacts picked by ICP score, each with a rendered e-mail.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A campaign.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning workspace.
    pub workspace_id: Uuid,
    /// Name.
    pub name: String,
    /// The ICP that picks contacts.
    pub icp_id: Option<Uuid>,
    /// The e-mail template rendered for each contact.
    pub email_template_id: Option<Uuid>,
    /// The call template, if any.
    pub call_template_id: Option<Uuid>,
    /// `draft`, `active`, `paused`, `completed` or `cancelled`.
    pub status: String,
    /// Lowest ICP score taken.
    pub min_icp_score: i32,
    /// Most contacts taken.
    pub max_contacts: Option<i32>,
    /// Contacts assigned by the last build.
    pub target_count: i32,
    /// E-mails sent.
    pub sent_count: i32,
    /// E-mails opened.
    pub opened_count: i32,
    /// Links clicked.
    pub clicked_count: i32,
    /// Replies received.
    pub replied_count: i32,
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

/// Relations of a campaign.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Contacts held by it.
    #[sea_orm(has_many = "super::contacts::Entity")]
    Contacts,
}

impl Related<super::contacts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contacts.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
