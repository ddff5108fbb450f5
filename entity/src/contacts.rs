//! `contacts`: base columns, AI enrichment JSON and the 26 denormalized
//! columns derived from it (SPEC §5).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Tags;

/// One contact of a workspace.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Owning workspace (tenant).
    pub workspace_id: Uuid,
    /// The user who created the contact, when known.
    pub user_id: Option<Uuid>,
    /// E-mail address; unique per workspace, case-insensitively.
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Company as entered or imported.
    pub company: Option<String>,
    /// Job title as entered or imported (the one title column).
    pub job_title: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// LinkedIn profile URL.
    pub linkedin_url: Option<String>,
    /// Company website.
    pub website: Option<String>,
    /// Industry vertical as entered or imported.
    pub vertical: Option<String>,
    /// Persona as entered or imported.
    pub persona_type: Option<String>,
    /// Annual revenue as entered or imported.
    pub annual_revenue: Option<i64>,
    /// `pending`, `processing`, `completed` or `failed`.
    pub enrichment_status: String,
    /// Raw AI enrichment, in any of the formats of SPEC §6.2.
    pub enrichment_data: Option<Json>,
    /// WHO/WHEN/WHAT analysis.
    pub kernel_analysis: Option<Json>,
    /// When the contact was last enriched.
    pub enriched_at: Option<DateTimeUtc>,
    /// CRM lifecycle stage.
    pub lifecycle_stage: Option<String>,
    /// CRM lead status.
    pub lead_status: Option<String>,
    /// CRM pipeline stage.
    pub pipeline_stage: Option<String>,
    /// Identifier in an external system.
    pub external_id: Option<String>,
    /// HubSpot record id.
    pub hubspot_id: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change, kept by a trigger.
    pub updated_at: DateTimeUtc,
    /// Derived: company name.
    pub enrichment_company_name: Option<String>,
    /// Derived: company revenue.
    pub enrichment_company_revenue: Option<i64>,
    /// Derived: company head count.
    pub enrichment_company_employees: Option<i32>,
    /// Derived: company industry.
    pub enrichment_company_industry: Option<String>,
    /// Derived: year-over-year growth as a fraction.
    #[sea_orm(column_type = "Double")]
    pub enrichment_company_growth_yoy: Option<f64>,
    /// Derived: the person's title.
    pub enrichment_person_title: Option<String>,
    /// Derived: the person's background.
    pub enrichment_person_background: Option<String>,
    /// When the derived columns were last filled.
    pub enrichment_last_enriched_at: Option<DateTimeUtc>,
    /// Data quality score 0–100 (SPEC §6.5).
    pub enrichment_data_quality_score: i32,
    /// Derived: persona.
    pub kernel_who_persona: Option<String>,
    /// Derived: influence level.
    pub kernel_who_influence: Option<String>,
    /// Derived: urgency.
    pub kernel_when_urgency: Option<String>,
    /// Derived: timing signal.
    pub kernel_when_timing_signal: Option<String>,
    /// Derived: opening hook.
    pub kernel_what_hook: Option<String>,
    /// Best-performing call script variant.
    pub best_call_variant_number: Option<i32>,
    /// Rendered e-mail subject of the contact's campaign.
    pub email_subject: Option<String>,
    /// First 200 characters of the rendered e-mail body.
    pub email_body_preview: Option<String>,
    /// Product catalog key assigned to the contact.
    pub assigned_product: Option<String>,
    /// The ICP the contact was matched to.
    pub icp_id: Option<Uuid>,
    /// Score against `icp_id`.
    pub icp_match_score: Option<i32>,
    /// Product match details.
    pub product_match: Option<Json>,
    /// The campaign that holds the contact.
    pub campaign_id: Option<Uuid>,
    /// Identifier of the sent e-mail.
    pub email_send_id: Option<String>,
    /// `csv`, `hubspot`, `salesforce`, `manual` or `api`.
    pub source: Option<String>,
    /// Free-form tags.
    pub tags: Tags,
    /// Free-form notes.
    pub notes: Option<String>,
}

/// Relations of a contact.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The matched ICP.
    #[sea_orm(
        belongs_to = "super::ideal_client_profiles::Entity",
        from = "Column::IcpId",
        to = "super::ideal_client_profiles::Column::Id",
        on_delete = "SetNull"
    )]
    IdealClientProfile,
    /// The holding campaign.
    #[sea_orm(
        belongs_to = "super::campaigns::Entity",
        from = "Column::CampaignId",
        to = "super::campaigns::Column::Id",
        on_delete = "SetNull"
    )]
    Campaign,
}

impl Related<super::ideal_client_profiles::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::IdealClientProfile.def()
    }
}

impl Related<super::campaigns::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Campaign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
