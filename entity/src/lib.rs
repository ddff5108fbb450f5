//! SeaORM entities of the LatticeIQ database: the seven tenant tables and the
//! two analytics views (SPEC §5). Models only — no GraphQL and no business
//! rules live here; the gateway converts these into its API types.

pub mod call_templates;
pub mod campaign_performance;
pub mod campaigns;
pub mod contact_field_definitions;
pub mod contact_quality_dashboard;
pub mod contacts;
pub mod email_templates;
pub mod ideal_client_profiles;
pub mod tags;
pub mod users_settings;

pub use tags::Tags;
