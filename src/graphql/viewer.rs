//! `viewer`: who the token says the caller is.

use async_graphql::{Context, Object, SimpleObject};
use uuid::Uuid;

use super::ContextExt;
use crate::auth::Role;
use crate::error::AppResult;

/// The caller, as the token describes them.
#[derive(SimpleObject)]
pub struct Viewer {
    /// `sub` of the token, when it is a UUID.
    pub user_id: Option<Uuid>,
    /// The workspace every read and write is confined to.
    pub workspace_id: Uuid,
    /// The caller's role in it.
    pub role: Role,
}

/// Viewer queries.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller: user, workspace and role from the token.
    async fn viewer(&self, ctx: &Context<'_>) -> AppResult<Viewer> {
        let c = ctx.claims()?;
        Ok(Viewer { user_id: c.user_id, workspace_id: c.workspace_id, role: c.role })
    }
}
