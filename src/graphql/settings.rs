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
            .context()
            .await?
            .settings
            .clone()
            .ok_or_else(|| AppError::internal(format!("workspace {ws} has no settings row")))?;
        Ok(WorkspaceSettings { model, key: ctx.api()?.encryption_key })
    }
}

/// Changes to the workspace's settings (admin only): fields left out stay as
/// they are; `null` clears.
#[derive(async_graphql::InputObject)]
pub struct UpdateSettingsInput {
    /// Company name (≤ 200), the default `sender_company` of templates.
    pub company_name: async_graphql::MaybeUndefined<String>,
    /// Industry (≤ 100).
    pub industry: async_graphql::MaybeUndefined<String>,
    /// Product catalog: a JSON object of objects keyed by product code
    /// (`^[a-z0-9_]{1,50}$`), e.g. `{"sba_504": {"name": "SBA 504 Loans", "ltv": 90, "close_days": 30}}`.
    pub products: Option<Json<serde_json::Value>>,
    /// HubSpot API key (stored encrypted; `null` or "" removes it).
    pub hubspot_api_key: async_graphql::MaybeUndefined<String>,
    /// OpenAI API key (stored encrypted; `null` or "" removes it).
    pub openai_api_key: async_graphql::MaybeUndefined<String>,
    /// Perplexity API key (stored encrypted; `null` or "" removes it).
    pub perplexity_api_key: async_graphql::MaybeUndefined<String>,
    /// Default e-mail template: one of the workspace's.
    pub default_email_template_id: Option<Uuid>,
    /// Default call template: one of the workspace's.
    pub default_call_template_id: Option<Uuid>,
}

/// Checks a product catalog: an object of objects keyed by product code.
pub fn check_products(v: &serde_json::Value) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Err("products must be a JSON object of products".to_owned());
    };
    if map.len() > 200 {
        return Err("at most 200 products".to_owned());
    }
    for (code, product) in map {
        let ok = !code.is_empty()
            && code.len() <= 50
            && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(format!("product code {code:?} must match ^[a-z0-9_]{{1,50}}$"));
        }
        let Some(fields) = product.as_object() else {
            return Err(format!("product {code:?} must be a JSON object of its fields"));
        };
        for key in fields.keys() {
            let ok = !key.is_empty()
                && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(format!(
                    "field {key:?} of product {code:?} must match ^[a-z0-9_]+$ (templates use it as product_<key>)"
                ));
            }
        }
    }
    if v.to_string().len() > 100_000 {
        return Err("the catalog is larger than 100 kB".to_owned());
    }
    Ok(())
}

/// Settings mutations.
#[derive(Default)]
pub struct SettingsMutations;

#[Object]
impl SettingsMutations {
    /// Changes the workspace's settings (admin only). API keys are encrypted
    /// with AES-256-GCM and never returned — only whether they are set and
    /// their last four characters.
    async fn update_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateSettingsInput,
    ) -> AppResult<WorkspaceSettings> {
        use async_graphql::MaybeUndefined as M;
        use entity::{call_templates, email_templates, users_settings};
        use sea_orm::ActiveValue::Set;
        use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
        let req = super::admin(ctx)?;
        let ws = req.db.claims().workspace_id;
        let key = ctx.api()?.encryption_key;
        let tx = req.db.tx().await?;
        let current = users_settings::Entity::find()
            .filter(users_settings::Column::WorkspaceId.eq(ws))
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::internal(format!("workspace {ws} has no settings row")))?;
        let mut am = current.into_active_model();
        let text = |field: &str, v: &M<String>, max: usize| -> AppResult<Option<Option<String>>> {
            Ok(match v {
                M::Undefined => None,
                M::Null => Some(None),
                M::Value(s) => {
                    super::optional_text(field, s, max)?;
                    Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
                }
            })
        };
        if let Some(v) = text("companyName", &input.company_name, 200)? {
            am.company_name = Set(v);
        }
        if let Some(v) = text("industry", &input.industry, 100)? {
            am.industry = Set(v);
        }
        if let Some(p) = input.products {
            check_products(&p.0).map_err(|m| AppError::bad_field("products", m))?;
            am.products = Set(p.0);
        }
        let secret = |field: &str, v: &M<String>| -> AppResult<Option<Option<String>>> {
            Ok(match v {
                M::Undefined => None,
                M::Null => Some(None),
                M::Value(s) if s.trim().is_empty() => Some(None),
                M::Value(s) => {
                    super::optional_text(field, s, 500)?;
                    Some(Some(crypto::encrypt(&key, s.trim()).map_err(AppError::internal)?))
                }
            })
        };
        if let Some(v) = secret("hubspotApiKey", &input.hubspot_api_key)? {
            am.hubspot_api_key = Set(v);
        }
        if let Some(v) = secret("openaiApiKey", &input.openai_api_key)? {
            am.openai_api_key = Set(v);
        }
        if let Some(v) = secret("perplexityApiKey", &input.perplexity_api_key)? {
            am.perplexity_api_key = Set(v);
        }
        use super::templates::exists;
        if let Some(id) = input.default_email_template_id
            && !exists::<email_templates::Entity>(&tx, ws, id).await?
        {
            return Err(AppError::bad_field(
                "defaultEmailTemplateId",
                "no such e-mail template in this workspace",
            ));
        }
        if let Some(id) = input.default_call_template_id
            && !exists::<call_templates::Entity>(&tx, ws, id).await?
        {
            return Err(AppError::bad_field(
                "defaultCallTemplateId",
                "no such call template in this workspace",
            ));
        }
        if am.is_changed() {
            am.update(&*tx).await?;
        }
        // A default template is also flagged on the template itself.
        if let Some(id) = input.default_email_template_id {
            super::templates::make_default::<email_templates::Entity>(&tx, ws, id).await?;
        }
        if let Some(id) = input.default_call_template_id {
            super::templates::make_default::<call_templates::Entity>(&tx, ws, id).await?;
        }
        let model = users_settings::Entity::find()
            .filter(users_settings::Column::WorkspaceId.eq(ws))
            .one(&*tx)
            .await?
            .ok_or_else(|| AppError::internal("settings vanished"))?;
        Ok(WorkspaceSettings { model: Arc::new(model), key })
    }
}
