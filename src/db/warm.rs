//! Connections handed from one request to the next (Postgres).
//!
//! sqlx's pool checks every connection that comes back to it with a round
//! trip (a `Sync`, which also carries a dropped transaction's queued
//! `ROLLBACK`). A request that only reads ends with that `ROLLBACK`, so it
//! cost three round trips: `BEGIN` with its settings, the read, and the
//! check after the response. A connection whose transaction ended without a
//! statement left in flight is instead kept here, its `ROLLBACK` queued but
//! not sent, and handed to the next request, whose `BEGIN` goes out in the
//! same write (sqlx sends what is queued, in order, and waits for every
//! answer before it reports the `BEGIN` done). A read then costs two round
//! trips; Postgres runs the same statements.
//!
//! A connection kept [`WARM_FOR`] without being taken goes back to the pool,
//! whose check sends its `ROLLBACK`: no connection sits in an ended
//! request's transaction, holding its locks, for longer than about twice
//! that. A connection out of the pool for [`RETURN_AFTER`] goes back too, so
//! that the pool's own rules (lifetime, idle time) still apply to it.
//!
//! Requests wait for their turn here, in the order they asked, not in the
//! pool's queue: the pool never sees a kept connection to hand out, so a
//! request waiting on it would wait for one to go stale. There is a turn for
//! each of the pool's connections; the `LISTEN` for campaign events holds
//! one for as long as it runs, and the readiness check takes one as a
//! request does.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a kept connection waits for the next request.
pub const WARM_FOR: Duration = Duration::from_millis(20);

/// How long a connection may go from request to request before it is given
/// back to the pool.
const RETURN_AFTER: Duration = Duration::from_secs(10);

/// The connections kept between requests, and the turns of the requests
/// that may hold one.
pub struct Warm {
    kept: Mutex<Vec<Kept>>,
    /// One per connection requests may hold, handed out in the order asked
    /// for: a request waits here, not on the pool, so that a connection kept
    /// by one request goes to the next in line.
    turns: Arc<Semaphore>,
}

/// A connection out of the pool, since when, and the turn it is held on.
pub struct Out {
    pub conn: PoolConnection<Postgres>,
    since: Instant,
    _turn: OwnedSemaphorePermit,
}

struct Kept {
    conn: PoolConnection<Postgres>,
    since: Instant,
    at: Instant,
}

impl std::fmt::Debug for Warm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Warm({} kept)", self.len())
    }
}

impl Warm {
    /// An empty set for requests holding at most `connections` at a time,
    /// and the task that gives its stale connections back to the pool (it
    /// ends once the set is dropped).
    pub fn start(connections: u32) -> Arc<Self> {
        let warm =
            Arc::new(Self { kept: Mutex::default(), turns: Arc::new(Semaphore::new(connections as usize)) });
        tokio::spawn(give_back_stale(Arc::downgrade(&warm)));
        warm
    }

    /// A turn, held for as long as the caller keeps a connection of the pool
    /// for itself (the `LISTEN`).
    pub async fn turn(&self) -> Option<OwnedSemaphorePermit> {
        self.turns.clone().acquire_owned().await.ok()
    }

    /// How many connections are kept.
    pub fn len(&self) -> usize {
        self.kept.lock().map(|k| k.len()).unwrap_or(0)
    }

    /// Waits for this request's turn, then takes the connection kept last,
    /// or else one from `pool`. Both waits end after `timeout`.
    pub async fn acquire(&self, pool: &PgPool, timeout: Duration) -> Result<Out, sqlx::Error> {
        let turn = tokio::time::timeout(timeout, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let kept = self.kept.lock().ok().and_then(|mut k| k.pop());
        Ok(match kept {
            Some(k) => Out { conn: k.conn, since: k.since, _turn: turn },
            // Boxed: the pool's future holds a whole connection handshake
            // (~8 KB), and every future that waits for a transaction would
            // hold it too, up to the engine's futures for every field of the
            // query root, moved whole several times per request.
            None => Out { conn: Box::pin(pool.acquire()).await?, since: Instant::now(), _turn: turn },
        })
    }

    /// Keeps `out`'s connection for the next request, or gives it back to
    /// the pool when it has been out long enough; then ends its turn.
    pub fn keep(&self, out: Out) {
        let Out { conn, since, _turn } = out;
        if since.elapsed() < RETURN_AFTER
            && let Ok(mut kept) = self.kept.lock()
        {
            kept.push(Kept { conn, since, at: Instant::now() });
        }
    }
}

/// Every [`WARM_FOR`], gives back to the pool the connections kept longer
/// than that (the oldest are first in the list).
async fn give_back_stale(warm: Weak<Warm>) {
    let mut tick = tokio::time::interval(WARM_FOR);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(warm) = warm.upgrade() else { return };
        let stale: Vec<Kept> = match warm.kept.lock() {
            Ok(mut kept) => {
                let n = kept.iter().take_while(|k| k.at.elapsed() >= WARM_FOR).count();
                kept.drain(..n).collect()
            }
            Err(_) => Vec::new(),
        };
        // Dropped outside the lock: each goes back through the pool's check.
        drop(stale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiting_for_a_connection_does_not_hold_the_pools_handshake() {
        // Every future that waits for a request's transaction holds this
        // one, up to the engine's futures for the query root's fields: it
        // must stay small beside the pool's own (which may connect).
        let pool = PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").expect("a lazy pool");
        let warm = Warm::start(2);
        let ours = warm.acquire(&pool, Duration::from_secs(1));
        let the_pools = pool.acquire();
        let (ours, the_pools) = (size_of_val(&ours), size_of_val(&the_pools));
        assert!(ours * 4 < the_pools, "Warm::acquire's future is {ours} bytes, the pool's {the_pools}");
    }
}
