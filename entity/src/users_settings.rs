//! `users_settings`: one row per workspace, created on its first use.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A workspace's settings.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users_settings")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The workspace (unique).
    #[sea_orm(unique)]
    pub workspace_id: Uuid,
    /// The workspace's company name (fallback for `sender_company`).
    pub company_name: Option<String>,
    /// The workspace's industry.
    pub industry: Option<String>,
    /// Product catalog keyed by product code.
    pub products: Json,
    /// HubSpot API key, AES-256-GCM encrypted.
    pub hubspot_api_key: Option<String>,
    /// OpenAI API key, AES-256-GCM encrypted.
    pub openai_api_key: Option<String>,
    /// Perplexity API key, AES-256-GCM encrypted.
    pub perplexity_api_key: Option<String>,
    /// Default e-mail template.
    pub default_email_template_id: Option<Uuid>,
    /// Default call template.
    pub default_call_template_id: Option<Uuid>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// No navigable relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
