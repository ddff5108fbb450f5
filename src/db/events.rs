//! Campaign change events for `campaignUpdated` subscriptions (SPEC §7).
//!
//! A mutation records which campaigns it changed; the events go out only if
//! its transaction commits. On Postgres they are sent with `pg_notify` inside
//! that transaction — Postgres delivers them at commit, to every gateway
//! process listening — and each process's listener forwards them to its
//! local subscribers. On SQLite (one process) they are published in-process
//! right after the commit.

use std::time::Duration;

use tokio::sync::broadcast;
use uuid::Uuid;

/// The Postgres channel.
pub const CHANNEL: &str = "latticeiq_campaign_updated";

/// A campaign changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CampaignEvent {
    /// Its workspace (subscribers of other workspaces never see it).
    pub workspace_id: Uuid,
    /// The campaign.
    pub campaign_id: Uuid,
}

impl CampaignEvent {
    /// The NOTIFY payload.
    pub fn payload(&self) -> String {
        format!("{}:{}", self.workspace_id, self.campaign_id)
    }

    /// Parses a NOTIFY payload.
    pub fn parse(payload: &str) -> Option<Self> {
        let (ws, id) = payload.split_once(':')?;
        Some(Self { workspace_id: ws.parse().ok()?, campaign_id: id.parse().ok()? })
    }
}

/// The in-process fan-out to subscribers.
#[derive(Clone, Debug)]
pub struct EventHub {
    sender: broadcast::Sender<CampaignEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        Self { sender: broadcast::channel(1024).0 }
    }
}

impl EventHub {
    /// Delivers an event to this process's subscribers.
    pub fn publish(&self, event: CampaignEvent) {
        // No subscriber is not an error.
        let _ = self.sender.send(event);
    }

    /// A new subscription to every event.
    pub fn subscribe(&self) -> broadcast::Receiver<CampaignEvent> {
        self.sender.subscribe()
    }
}

/// Forwards Postgres notifications to `hub` for as long as the process runs,
/// reconnecting after outages.
pub async fn listen_postgres(pool: sqlx::PgPool, hub: EventHub) {
    loop {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "cannot LISTEN for campaign events");
                } else {
                    tracing::debug!("listening for campaign events");
                    loop {
                        match listener.recv().await {
                            Ok(n) => {
                                if let Some(event) = CampaignEvent::parse(n.payload()) {
                                    hub.publish(event);
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "campaign event listener lost its connection");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot connect the campaign event listener"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let e = CampaignEvent { workspace_id: Uuid::new_v4(), campaign_id: Uuid::new_v4() };
        assert_eq!(CampaignEvent::parse(&e.payload()), Some(e));
        assert_eq!(CampaignEvent::parse("nonsense"), None);
    }
}
