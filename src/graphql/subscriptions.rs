//! `campaignUpdated` (SPEC §7): a subscriber hears of every committed change
//! to one campaign of its own workspace — builds, transitions, events — from
//! any gateway process sharing the database.

use std::sync::Arc;

use async_graphql::{Context, Subscription};
use entity::campaigns;
use futures_util::Stream;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::RequestContext;
use super::campaigns::Campaign;
use crate::auth::Claims;
use crate::db::{Database, RequestDb};
use crate::error::AppError;

/// What a WebSocket connection was authenticated as (set at `connection_init`).
#[derive(Clone)]
pub struct SubscriptionContext {
    /// The connection's claims.
    pub claims: Claims,
    /// The database.
    pub db: Arc<Database>,
}

/// Subscriptions.
#[derive(Default)]
pub struct SubscriptionRoot;

/// The campaign as it is now, read in a short transaction of the subscriber's
/// workspace; `None` when it is not (or no longer) there.
async fn current(sub: &SubscriptionContext, id: Uuid) -> Option<Campaign> {
    let rdb = Arc::new(RequestDb::new(sub.db.clone(), sub.claims.clone(), false));
    let model = {
        let tx = rdb.tx().await.ok()?;
        campaigns::Entity::find_by_id(id)
            .filter(campaigns::Column::WorkspaceId.eq(sub.claims.workspace_id))
            .one(&*tx)
            .await
            .ok()??
    };
    // Relations of the event (icp, templates) load through a context of its own.
    let scope = Arc::new(RequestContext::new(rdb));
    Some(Campaign(Arc::new(model), Some(scope)))
}

/// Live updates over WebSocket (`/graphql/ws`).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Every committed change to the campaign `id` (build, status change,
    /// events, edits), as the campaign after the change. A campaign of
    /// another workspace never sends anything.
    async fn campaign_updated(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> async_graphql::Result<impl Stream<Item = Campaign> + use<>> {
        let sub = ctx.data_opt::<SubscriptionContext>().cloned().ok_or_else(|| {
            AppError::Unauthenticated("send the token in connection_init".to_owned()).to_graphql_error()
        })?;
        let rx = sub.db.events().subscribe();
        Ok(futures_util::stream::unfold((sub, rx), move |(sub, mut rx)| async move {
            loop {
                match rx.recv().await {
                    Ok(e) if e.workspace_id == sub.claims.workspace_id && e.campaign_id == id => {
                        if let Some(c) = current(&sub, id).await {
                            return Some((c, (sub, rx)));
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                }
            }
        }))
    }
}
