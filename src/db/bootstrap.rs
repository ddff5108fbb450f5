//! First use of a workspace (SPEC §4, §9): its settings row, the default
//! e-mail and call templates and the default ICP — created exactly once, also
//! when many first requests arrive at the same time. The settings row is the
//! guard: whoever inserts it creates the rest in the same transaction; the
//! others wait on its unique key and find it there.

use std::collections::HashSet;
use std::sync::Mutex;

use entity::{call_templates, email_templates, ideal_client_profiles, users_settings};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::Database;
use crate::auth::{Claims, Role};
use crate::domain::templates;

/// Name of the default e-mail template.
pub const DEFAULT_EMAIL_TEMPLATE_NAME: &str = "Default Personalized Outreach";
/// Subject of the default e-mail template.
pub const DEFAULT_EMAIL_SUBJECT: &str =
    "{{first_name}}, quick question about {{enrichment_company_industry}}";
/// Body of the default e-mail template (the design log's).
pub const DEFAULT_EMAIL_BODY: &str = "Hi {{first_name}},\n\nI noticed you're {{enrichment_person_title}} at \
{{enrichment_company_name}}. {{kernel_what_hook}}\n\nWould you be open to a quick 15-minute conversation?\n\nBest regards";
/// Name of the default call template.
pub const DEFAULT_CALL_TEMPLATE_NAME: &str = "Default Cold Call Script";
/// Body of the default call template: the log's, with its `[Your Name]` and
/// `[Your Company]` markers turned into sender variables.
pub const DEFAULT_CALL_BODY: &str = "Hi {{first_name}}, this is {{ sender_name | default: \"your account manager\" }} \
from {{ sender_company }}.\n\nI noticed you're {{enrichment_person_title}} at {{enrichment_company_name}} in the \
{{enrichment_company_industry}} space.\n\n{{kernel_what_hook}}\n\nDo you have 2 minutes to chat?";
/// Name of the default ICP.
pub const DEFAULT_ICP_NAME: &str = "High-Value Decision Makers";

/// The default ICP's criteria.
pub fn default_icp_criteria() -> serde_json::Value {
    json!({
        "industries": ["Technology & Software", "Finance", "SaaS"],
        "personas": ["Decision-maker", "Executive", "VP"],
        "min_company_size": "50+"
    })
}

/// The default ICP's weights.
pub fn default_icp_weights() -> serde_json::Value {
    json!({"industry_weight": 30, "persona_weight": 40, "company_size_weight": 30})
}

/// Remembers which workspaces are known to be set up, so that the check costs
/// nothing after the first request of each workspace.
#[derive(Debug, Default)]
pub struct Bootstrapper {
    known: Mutex<HashSet<Uuid>>,
}

impl Bootstrapper {
    /// Makes sure `claims`' workspace has its settings, templates and ICP.
    pub async fn ensure(&self, db: &Database, claims: &Claims) -> Result<(), DbErr> {
        if self.known.lock().map(|k| k.contains(&claims.workspace_id)).unwrap_or(false) {
            return Ok(());
        }
        // Bootstrap writes, whatever the caller's role: it is the system acting.
        let system = Claims { role: Role::Admin, ..claims.clone() };
        let tx = db.begin_scoped(&system, true).await?;
        match ensure_workspace(&tx, claims.workspace_id).await {
            Ok(_) => db.commit(tx).await?,
            Err(e) => {
                db.rollback(tx).await?;
                return Err(e);
            }
        }
        if let Ok(mut known) = self.known.lock() {
            known.insert(claims.workspace_id);
        }
        Ok(())
    }

    /// Forgets every workspace (after the data was reset under a running server).
    pub fn forget_all(&self) {
        if let Ok(mut known) = self.known.lock() {
            known.clear();
        }
    }
}

/// Creates the workspace's settings and defaults unless its settings row
/// exists; returns whether it created them.
pub async fn ensure_workspace(conn: &impl ConnectionTrait, workspace_id: Uuid) -> Result<bool, DbErr> {
    let exists = users_settings::Entity::find()
        .filter(users_settings::Column::WorkspaceId.eq(workspace_id))
        .one(conn)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    let settings_id = Uuid::new_v4();
    let inserted = users_settings::Entity::insert(users_settings::ActiveModel {
        id: Set(settings_id),
        workspace_id: Set(workspace_id),
        products: Set(json!({})),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(users_settings::Column::WorkspaceId).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }

    let email_id = Uuid::new_v4();
    email_templates::Entity::insert(email_templates::ActiveModel {
        id: Set(email_id),
        workspace_id: Set(workspace_id),
        name: Set(DEFAULT_EMAIL_TEMPLATE_NAME.to_owned()),
        subject: Set(DEFAULT_EMAIL_SUBJECT.to_owned()),
        body: Set(DEFAULT_EMAIL_BODY.to_owned()),
        is_default: Set(true),
        variables: Set(variables_of(&[DEFAULT_EMAIL_SUBJECT, DEFAULT_EMAIL_BODY])),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;

    let call_id = Uuid::new_v4();
    call_templates::Entity::insert(call_templates::ActiveModel {
        id: Set(call_id),
        workspace_id: Set(workspace_id),
        name: Set(DEFAULT_CALL_TEMPLATE_NAME.to_owned()),
        body: Set(DEFAULT_CALL_BODY.to_owned()),
        is_default: Set(true),
        variables: Set(variables_of(&[DEFAULT_CALL_BODY])),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;

    ideal_client_profiles::Entity::insert(ideal_client_profiles::ActiveModel {
        id: Set(Uuid::new_v4()),
        workspace_id: Set(workspace_id),
        name: Set(DEFAULT_ICP_NAME.to_owned()),
        description: Set(Some(
            "Decision makers, executives and VPs at technology, finance and SaaS companies of 50+ people."
                .to_owned(),
        )),
        criteria: Set(default_icp_criteria()),
        scoring_weights: Set(default_icp_weights()),
        is_active: Set(true),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;

    users_settings::Entity::update_many()
        .col_expr(users_settings::Column::DefaultEmailTemplateId, sea_orm::sea_query::Expr::value(email_id))
        .col_expr(users_settings::Column::DefaultCallTemplateId, sea_orm::sea_query::Expr::value(call_id))
        .filter(users_settings::Column::Id.eq(settings_id))
        .exec(conn)
        .await?;
    Ok(true)
}

/// The distinct variable names of `texts`, in order, as stored in `variables`.
pub fn variables_of(texts: &[&str]) -> serde_json::Value {
    let mut names: Vec<String> = Vec::new();
    for text in texts {
        if let Ok(t) = templates::parse(text) {
            for v in t.variables() {
                if !names.contains(&v) {
                    names.push(v);
                }
            }
        }
    }
    json!(names)
}
