//! DataLoaders: every relation and piece of workspace context a resolver
//! needs is batched per request and read inside the request's transaction
//! (so on Postgres under its RLS settings). Each query also filters by the
//! token's workspace — the application-level isolation that SQLite relies on.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    call_templates, campaigns, contact_field_definitions, email_templates, ideal_client_profiles,
    users_settings,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::db::RequestDb;
use crate::domain::fields::FieldDefinition;
use crate::domain::icp::{self, PreparedIcp};
use crate::domain::templates::{self, Template};
use crate::error::AppError;

/// Errors from a loader (cloned to every waiting resolver).
pub type LoadError = Arc<AppError>;

/// An ICP with its criteria prepared for scoring (`None` when the stored
/// criteria no longer validate — such an ICP scores nothing).
#[derive(Debug)]
pub struct LoadedIcp {
    /// The row.
    pub model: ideal_client_profiles::Model,
    /// Prepared criteria and weights.
    pub prepared: Option<PreparedIcp>,
}

impl LoadedIcp {
    /// Wraps a row, preparing its criteria.
    pub fn new(model: ideal_client_profiles::Model) -> Self {
        let prepared =
            icp::parse_icp(&model.criteria, Some(&model.scoring_weights)).ok().map(|i| i.prepare());
        Self { model, prepared }
    }
}

/// A workspace's custom field definitions.
#[derive(Debug, Default)]
pub struct WorkspaceFields {
    /// The rows, in display order.
    pub models: Vec<contact_field_definitions::Model>,
    /// What field resolution needs.
    pub definitions: Vec<FieldDefinition>,
}

macro_rules! by_id_loader {
    ($(#[$doc:meta])* $name:ident, $entity:ident, $value:ty, $wrap:expr) => {
        $(#[$doc])*
        pub struct $name(pub Arc<RequestDb>);

        impl Loader<Uuid> for $name {
            type Value = Arc<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                let tx = self.0.tx().await?;
                let rows = $entity::Entity::find()
                    .filter($entity::Column::WorkspaceId.eq(self.0.claims().workspace_id))
                    .filter($entity::Column::Id.is_in(keys.iter().copied()))
                    .all(&*tx)
                    .await
                    .map_err(AppError::from)?;
                Ok(rows.into_iter().map(|m| (m.id, Arc::new($wrap(m)))).collect())
            }
        }
    };
}

by_id_loader!(
    /// ICPs by id.
    IcpLoader, ideal_client_profiles, LoadedIcp, LoadedIcp::new
);
by_id_loader!(
    /// Campaigns by id.
    CampaignLoader, campaigns, campaigns::Model, std::convert::identity
);
by_id_loader!(
    /// E-mail templates by id.
    EmailTemplateLoader, email_templates, LoadedEmailTemplate, LoadedEmailTemplate::new
);
by_id_loader!(
    /// Call templates by id.
    CallTemplateLoader, call_templates, LoadedCallTemplate, LoadedCallTemplate::new
);

/// An e-mail template with its subject and body parsed once per request.
#[derive(Debug)]
pub struct LoadedEmailTemplate {
    /// The row.
    pub model: email_templates::Model,
    /// Parsed subject (empty when the stored text no longer parses).
    pub subject: Template,
    /// Parsed body (empty when the stored text no longer parses).
    pub body: Template,
}

impl LoadedEmailTemplate {
    /// Wraps and parses a row.
    pub fn new(model: email_templates::Model) -> Self {
        let subject = templates::parse(&model.subject).unwrap_or_default();
        let body = templates::parse(&model.body).unwrap_or_default();
        Self { model, subject, body }
    }
}

/// A call template with its body parsed once per request.
#[derive(Debug)]
pub struct LoadedCallTemplate {
    /// The row.
    pub model: call_templates::Model,
    /// Parsed body (empty when the stored text no longer parses).
    pub body: Template,
}

impl LoadedCallTemplate {
    /// Wraps and parses a row.
    pub fn new(model: call_templates::Model) -> Self {
        let body = templates::parse(&model.body).unwrap_or_default();
        Self { model, body }
    }
}

/// The settings row of a workspace (keyed by workspace id).
pub struct SettingsLoader(pub Arc<RequestDb>);

impl Loader<Uuid> for SettingsLoader {
    type Value = Arc<users_settings::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let ws = self.0.claims().workspace_id;
        if !keys.contains(&ws) {
            return Ok(HashMap::new());
        }
        let tx = self.0.tx().await?;
        let row = users_settings::Entity::find()
            .filter(users_settings::Column::WorkspaceId.eq(ws))
            .one(&*tx)
            .await
            .map_err(AppError::from)?;
        Ok(row.into_iter().map(|m| (ws, Arc::new(m))).collect())
    }
}

/// The custom field definitions of a workspace (keyed by workspace id).
pub struct FieldDefinitionsLoader(pub Arc<RequestDb>);

impl Loader<Uuid> for FieldDefinitionsLoader {
    type Value = Arc<WorkspaceFields>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let ws = self.0.claims().workspace_id;
        if !keys.contains(&ws) {
            return Ok(HashMap::new());
        }
        let tx = self.0.tx().await?;
        let models = contact_field_definitions::Entity::find()
            .filter(contact_field_definitions::Column::WorkspaceId.eq(ws))
            .order_by_asc(contact_field_definitions::Column::SortPriority)
            .order_by_asc(contact_field_definitions::Column::FieldName)
            .all(&*tx)
            .await
            .map_err(AppError::from)?;
        let definitions = models
            .iter()
            .map(|m| FieldDefinition { field_name: m.field_name.clone(), jsonb_path: m.jsonb_path.clone() })
            .collect();
        Ok(HashMap::from([(ws, Arc::new(WorkspaceFields { models, definitions }))]))
    }
}

/// All loaders of one request.
pub struct Loaders {
    /// ICPs by id.
    pub icps: DataLoader<IcpLoader, HashMapCache>,
    /// Campaigns by id.
    pub campaigns: DataLoader<CampaignLoader, HashMapCache>,
    /// E-mail templates by id.
    pub email_templates: DataLoader<EmailTemplateLoader, HashMapCache>,
    /// Call templates by id.
    pub call_templates: DataLoader<CallTemplateLoader, HashMapCache>,
    /// Settings by workspace.
    pub settings: DataLoader<SettingsLoader, HashMapCache>,
    /// Field definitions by workspace.
    pub fields: DataLoader<FieldDefinitionsLoader, HashMapCache>,
}

impl Loaders {
    /// Fresh loaders around the request's database handle.
    pub fn new(db: &Arc<RequestDb>) -> Self {
        fn make<L: Loader<Uuid>>(l: L) -> DataLoader<L, HashMapCache> {
            DataLoader::with_cache(l, tokio::spawn, HashMapCache::default())
        }
        Self {
            icps: make(IcpLoader(db.clone())),
            campaigns: make(CampaignLoader(db.clone())),
            email_templates: make(EmailTemplateLoader(db.clone())),
            call_templates: make(CallTemplateLoader(db.clone())),
            settings: make(SettingsLoader(db.clone())),
            fields: make(FieldDefinitionsLoader(db.clone())),
        }
    }
}
