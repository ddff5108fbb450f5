//! The per-request transaction (SPEC §4): every statement of a request —
//! resolvers and DataLoaders alike — runs inside one transaction scoped to the
//! token's workspace. It begins on first use, so requests that never touch
//! the database (`viewer`, introspection) cost no round trip.

use std::sync::Arc;

use sea_orm::{DatabaseTransaction, DbBackend};
use tokio::sync::Mutex;

use super::Database;
use crate::auth::Claims;
use crate::error::{AppError, AppResult};

/// The database handle of one request.
pub struct RequestDb {
    db: Database,
    claims: Claims,
    write: bool,
    tx: Mutex<TxState>,
}

enum TxState {
    NotStarted,
    Open(Arc<DatabaseTransaction>),
    Finished,
}

impl RequestDb {
    /// A handle for a request with `claims`; `write` when it runs mutations.
    pub fn new(db: Database, claims: Claims, write: bool) -> Self {
        Self { db, claims, write, tx: Mutex::new(TxState::NotStarted) }
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
    pub async fn tx(&self) -> AppResult<Arc<DatabaseTransaction>> {
        let mut state = self.tx.lock().await;
        match &*state {
            TxState::Open(tx) => Ok(tx.clone()),
            TxState::Finished => Err(AppError::internal("request transaction used after it finished")),
            TxState::NotStarted => {
                let tx = Arc::new(self.db.begin_scoped(&self.claims, self.write).await?);
                *state = TxState::Open(tx.clone());
                Ok(tx)
            }
        }
    }

    /// Commits (when `commit`) or rolls back the transaction, if one was begun.
    pub async fn finish(&self, commit: bool) -> AppResult<()> {
        let state = std::mem::replace(&mut *self.tx.lock().await, TxState::Finished);
        let TxState::Open(tx) = state else { return Ok(()) };
        // Execution is over, so no statement holds a clone any more.
        let tx = Arc::try_unwrap(tx)
            .map_err(|_| AppError::internal("request transaction still in use at the end of the request"))?;
        if commit {
            self.db.commit(tx).await?
        } else {
            self.db.rollback(tx).await?
        }
        Ok(())
    }
}
