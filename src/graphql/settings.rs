//! Workspace settings: company, products catalog, API keys (shown only as
//! "is set" and their last four characters) and default templates.

use async_graphql::{Context, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::users_settings::Model;
use std::sync::Arc;
use uuid::Uuid;

use super::ContextExt;
use crate::crypto;
use crate::error::{AppError, AppResult};

/// Whether an API key is stored, and its last four characters.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiKeyStatus {
    /// Whether a key is stored.
    pub is_set: bool,
    /// Its last four characters (null when none is set).
    pub last_four: Option<String>,
}

/// A workspace's settings.
pub struct WorkspaceSettings {
    model: Arc<Model>,
    key: [u8; 32],
}

impl WorkspaceSettings {
    fn api_key(&self, stored: &Option<String>) -> ApiKeyStatus {
        match stored {
            None => ApiKeyStatus { is_set: false, last_four: None },
            Some(s) => match crypto::decrypt(&self.key, s) {
                Ok(plain) => ApiKeyStatus { is_set: true, last_four: Some(crypto::last_four(&plain)) },
                Err(e) => {
                    tracing::warn!(error = %e, "stored API key cannot be decrypted");
                    ApiKeyStatus { is_set: true, last_four: None }
                }
            },
        }
    }
}

/// A workspace's settings.
#[Object]
impl WorkspaceSettings {
    /// The workspace.
    async fn workspace_id(&self) -> Uuid {
        self.model.workspace_id
    }
    /// Company name (the default for `sender_company` in templates).
    async fn company_name(&self) -> Option<&str> {
        self.model.company_name.as_deref()
    }
    /// Industry.
    async fn industry(&self) -> Option<&str> {
        self.model.industry.as_deref()
    }
    /// Product catalog keyed by product code, e.g. `{"sba_504": {"name": "SBA 504 Loans", "ltv": 90}}`;
    /// templates read the assigned product's entry as `product_<key>`.
    async fn products(&self) -> Json<&serde_json::Value> {
        Json(&self.model.products)
    }
    /// HubSpot API key status.
    async fn hubspot_api_key(&self) -> ApiKeyStatus {
        self.api_key(&self.model.hubspot_api_key)
    }
    /// OpenAI API key status.
    async fn openai_api_key(&self) -> ApiKeyStatus {
        self.api_key(&self.model.openai_api_key)
    }
    /// Perplexity API key status.
    async fn perplexity_api_key(&self) -> ApiKeyStatus {
        self.api_key(&self.model.perplexity_api_key)
    }
    /// The default e-mail template (used by `renderedEmail` without `templateId`).
    async fn default_email_template_id(&self) -> Option<Uuid> {
        self.model.default_email_template_id
    }
    /// The default call template (used by `renderedCallScript` without `templateId`).
    async fn default_call_template_id(&self) -> Option<Uuid> {
        self.model.default_call_template_id
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}

/// Settings queries.
#[derive(Default)]
pub struct SettingsQuery;

#[Object]
impl SettingsQuery {
    /// The workspace's settings (created on the workspace's first request).
    async fn settings(&self, ctx: &Context<'_>) -> AppResult<WorkspaceSettings> {
        let req = ctx.req()?;
        let ws = req.db.claims().workspace_id;
        let model = req
            .loaders
            .settings
            .load_one(ws)
            .await?
            .ok_or_else(|| AppError::internal(format!("workspace {ws} has no settings row")))?;
        Ok(WorkspaceSettings { model, key: ctx.api()?.encryption_key })
    }
}
