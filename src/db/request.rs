//! The per-request transaction (SPEC §4): every statement of a request —
//! resolvers and DataLoaders alike — runs inside one transaction scoped to the
//! token's workspace. It begins on first use, so requests that never touch
//! the database (`viewer`, introspection) cost no round trip. What must wait
//! for the commit — campaign events, locks held for the whole transaction —
//! is kept here until `finish`.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::events::{CHANNEL, CampaignEvent};
use super::{Database, Tx};
use crate::auth::Claims;
use crate::error::{AppError, AppResult};

/// The database handle of one request.
pub struct RequestDb {
    db: Arc<Database>,
    claims: Claims,
    write: bool,
    statement_timeout: Option<std::time::Duration>,
    tx: Mutex<TxState>,
    after: std::sync::Mutex<AfterCommit>,
}

enum TxState {
    NotStarted,
    Open(Arc<Tx>),
    Finished,
}

#[derive(Default)]
struct AfterCommit {
    events: Vec<CampaignEvent>,
    guards: Vec<Box<dyn Send>>,
}

impl RequestDb {
    /// A handle for a request with `claims`; `write` when it runs mutations.
    pub fn new(db: Arc<Database>, claims: Claims, write: bool) -> Self {
        Self {
            db,
            claims,
            write,
            statement_timeout: None,
            tx: Mutex::new(TxState::NotStarted),
            after: std::sync::Mutex::new(AfterCommit::default()),
        }
    }

    /// Postgres cancels any statement of the request running longer than
    /// `timeout`, so that one whose client has gone (the request timed out)
    /// stops working and frees its locks.
    pub fn with_statement_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.statement_timeout = Some(timeout);
        self
    }

    /// The request's verified claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Postgres or SQLite.
    pub fn backend(&self) -> DbBackend {
        self.db.backend()
    }

    /// The request's transaction, begun on first use.
    pub async fn tx(&self) -> AppResult<Arc<Tx>> {
        let mut state = self.tx.lock().await;
        match &*state {
            TxState::Open(tx) => Ok(tx.clone()),
            TxState::Finished => Err(AppError::internal("request transaction used after it finished")),
            TxState::NotStarted => {
                let tx = Arc::new(
                    self.db.begin_scoped_with(&self.claims, self.write, self.statement_timeout).await?,
                );
                *state = TxState::Open(tx.clone());
                Ok(tx)
            }
        }
    }

    /// Records that a campaign of this workspace changed: subscribers hear of
    /// it once (and only if) the transaction commits.
    pub fn campaign_changed(&self, campaign_id: Uuid) {
        if let Ok(mut after) = self.after.lock() {
            let e = CampaignEvent { workspace_id: self.claims.workspace_id, campaign_id };
            if !after.events.contains(&e) {
                after.events.push(e);
            }
        }
    }

    /// Marks the request finished and hands over its transaction, if one was
    /// begun, and what waited for its end.
    async fn take(&self) -> (AppResult<Option<Tx>>, AfterCommit) {
        let state = std::mem::replace(&mut *self.tx.lock().await, TxState::Finished);
        let after = self.after.lock().map(|mut a| std::mem::take(&mut *a)).unwrap_or_default();
        let tx = match state {
            // Execution is over, so no statement holds a clone any more.
            TxState::Open(tx) => Arc::try_unwrap(tx).map(Some).map_err(|_| {
                AppError::internal("request transaction still in use at the end of the request")
            }),
            TxState::NotStarted | TxState::Finished => Ok(None),
        };
        (tx, after)
    }

    /// Keeps `guard` alive until the transaction ends (an in-process lock
    /// that must cover the commit, not just the resolver).
    pub fn hold_until_end(&self, guard: Box<dyn Send>) {
        if let Ok(mut after) = self.after.lock() {
            after.guards.push(guard);
        }
    }

    /// Ends a request that timed out: its transaction (whatever it wrote)
    /// is rolled back without waiting for the statement in flight, which
    /// the statement timeout ends on Postgres; held guards are released.
    pub async fn abandon(&self) {
        match self.take().await.0 {
            Ok(Some(tx)) => self.db.rollback_later(tx),
            Ok(None) => {}
            Err(e) => tracing::error!(error = ?e, "abandoning a timed-out request"),
        }
    }

    /// Commits (when `commit`) or rolls back the transaction, if one was
    /// begun, then releases held guards and — after a commit — sends the
    /// recorded campaign events.
    pub async fn finish(&self, commit: bool) -> AppResult<()> {
        let (tx, after) = self.take().await;
        let Some(tx) = tx? else { return Ok(()) };
        if !commit {
            if !self.write && self.db.is_postgres() {
                // Read-only (Postgres enforces it): nothing to undo or to wait for.
                self.db.rollback_later(tx);
            } else {
                self.db.rollback(tx).await?;
            }
            return Ok(());
        }
        let postgres = self.db.is_postgres();
        if postgres {
            // Postgres holds notifications until the commit, and drops them on rollback.
            for e in &after.events {
                tx.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), e.payload().into()],
                ))
                .await?;
            }
        }
        self.db.commit(tx).await?;
        drop(after.guards);
        if !postgres {
            for e in after.events {
                self.db.events().publish(e);
            }
        }
        Ok(())
    }
}
