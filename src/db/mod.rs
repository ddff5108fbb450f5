//! The database: connecting (Postgres or SQLite), per-request transactions
//! with the RLS settings, and a workspace's first-use bootstrap.

pub mod bootstrap;
pub mod events;
pub mod request;
pub mod tx;
mod warm;

use std::any::Any;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use sea_orm::{
    DatabaseConnection, DbBackend, DbErr, SqlxPostgresConnector, SqlxSqliteConnector, TransactionOptions,
    TransactionTrait,
};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use request::RequestDb;
pub use tx::Tx;

use crate::auth::Claims;
use crate::config::Config;
use uuid::Uuid;

/// How long a request waits for a pooled connection before failing.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A pooled Postgres connection idle this long is pinged before a request
/// gets it (the server may have closed it). sqlx's default pings on every
/// acquire: a round trip before each request's `BEGIN`, which a busy pool's
/// connections — idle for microseconds — do not need.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// Counters of database work, read by `/metrics` and by tests.
#[derive(Debug, Default)]
pub struct DbStats {
    /// When set, the text of every statement (values inlined) is appended:
    /// tests and the benchmark use it to EXPLAIN or replay what a request ran.
    pub capture: std::sync::Mutex<Option<Vec<String>>>,
    /// SQL statements sent, `BEGIN`/`COMMIT`/`ROLLBACK` included.
    pub statements: AtomicU64,
    /// Statements that failed.
    pub failures: AtomicU64,
    /// Total time spent in statements, in microseconds.
    pub micros: AtomicU64,
}

impl DbStats {
    /// Statements so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Starts recording statement texts (dropping any recorded before).
    pub fn start_capture(&self) {
        if let Ok(mut c) = self.capture.lock() {
            *c = Some(Vec::new());
        }
    }

    /// Counts one statement that took `elapsed`; `text` (values inlined) is
    /// asked for only while statements are being captured.
    pub fn record(&self, elapsed: Duration, failed: bool, text: impl FnOnce() -> String) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.micros.fetch_add(elapsed.as_micros() as u64, Ordering::Relaxed);
        if failed {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut capture) = self.capture.lock()
            && let Some(list) = capture.as_mut()
        {
            list.push(text());
        }
    }

    /// Stops recording and returns what was recorded.
    pub fn take_capture(&self) -> Vec<String> {
        self.capture.lock().ok().and_then(|mut c| c.take()).unwrap_or_default()
    }
}

/// Each workspace's parsed context with the version stamp it was read at
/// (Postgres: `workspace_context_versions`). The value is type-erased so
/// that this module need not know the GraphQL layer's context type; see
/// `graphql::loaders::load_workspace_context`, its only user.
#[derive(Default)]
pub struct ContextMemo(std::sync::Mutex<HashMap<Uuid, (i64, AnyContext)>>);

/// A remembered context, type-erased.
pub type AnyContext = Arc<dyn Any + Send + Sync>;

impl std::fmt::Debug for ContextMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContextMemo")
    }
}

impl ContextMemo {
    /// Most workspaces remembered; past it the memo starts afresh (a miss
    /// costs one larger statement, never a wrong answer).
    const MAX_WORKSPACES: usize = 4096;

    /// The remembered context of `workspace` and its version stamp.
    pub fn get(&self, workspace: Uuid) -> Option<(i64, AnyContext)> {
        self.0.lock().ok()?.get(&workspace).cloned()
    }

    /// Remembers `context` as `workspace`'s at `version`.
    pub fn put(&self, workspace: Uuid, version: i64, context: AnyContext) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= Self::MAX_WORKSPACES && !m.contains_key(&workspace) {
                m.clear();
            }
            m.insert(workspace, (version, context));
        }
    }
}

/// Broad searches (Postgres): for a workspace and a search's `tsquery`, the
/// workspace's search version (`contact_counts.search_version`) and the
/// number of matches read at that version. A search remembered here is read
/// by walking the workspace in creation order (`latticeiq_search_walk`), and
/// its count is taken from here while the version holds (the statement
/// checks it). Only searches too broad for reading every match are kept.
///
/// A search not remembered is counted by one request at a time
/// ([`SearchMemo::get_or_claim`]): requests that arrive meanwhile wait for
/// that count instead of each reading every match at once (on a fresh
/// process, the first burst of one broad search at 1M contacts made every
/// request of its first seconds wait ~1–2 s).
#[derive(Debug, Default)]
pub struct SearchMemo {
    remembered: std::sync::Mutex<HashMap<SearchKey, (i64, i64)>>,
    /// The searches some request is counting now, each with the lock it
    /// holds until it is done.
    counting: std::sync::Mutex<HashMap<SearchKey, Arc<tokio::sync::Mutex<()>>>>,
}

/// A workspace and a search's `tsquery`.
type SearchKey = (Uuid, String);

/// A request's claim to count a search that is not remembered; requests for
/// the same search wait for it until it drops (after the count is
/// remembered, or not).
#[derive(Debug)]
pub struct SearchClaim<'a> {
    memo: &'a SearchMemo,
    key: SearchKey,
    _counting: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for SearchClaim<'_> {
    fn drop(&mut self) {
        if let Ok(mut c) = self.memo.counting.lock() {
            c.remove(&self.key);
        }
    }
}

impl SearchMemo {
    /// Most searches remembered; past it the memo starts afresh (a miss
    /// reads every match once, as without a memo).
    const MAX_SEARCHES: usize = 16_384;

    /// Longest a request waits for another one's count of the same search
    /// before counting it itself.
    const WAIT_FOR_COUNT: Duration = Duration::from_secs(5);

    /// The version and count remembered for `search` in `workspace`.
    pub fn get(&self, workspace: Uuid, search: &str) -> Option<(i64, i64)> {
        self.remembered.lock().ok()?.get(&(workspace, search.to_owned())).copied()
    }

    /// The version and count remembered for `search` in `workspace`, once
    /// any request counting it now is done (or [`Self::WAIT_FOR_COUNT`] has
    /// passed). Otherwise `Err`: this request counts it, holding the claim
    /// (`Some`) that makes later requests wait, or without one (`None`) when
    /// it waited for another count that left nothing remembered (a narrow
    /// search, or a count that failed). Call it before holding a connection:
    /// the request it waits for needs one.
    pub async fn get_or_claim(
        &self,
        workspace: Uuid,
        search: &str,
    ) -> Result<(i64, i64), Option<SearchClaim<'_>>> {
        if let Some(remembered) = self.get(workspace, search) {
            return Ok(remembered);
        }
        let key = (workspace, search.to_owned());
        let busy = {
            let Ok(mut counting) = self.counting.lock() else { return Err(None) };
            match counting.get(&key) {
                Some(lock) => lock.clone(),
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    let Ok(guard) = lock.clone().try_lock_owned() else { return Err(None) };
                    counting.insert(key.clone(), lock);
                    return Err(Some(SearchClaim { memo: self, key, _counting: guard }));
                }
            }
        };
        // Done when the counting request drops its claim.
        let _ = tokio::time::timeout(Self::WAIT_FOR_COUNT, busy.lock()).await;
        self.get(workspace, search).ok_or(None)
    }

    /// Remembers `matches` as the count of `search` in `workspace` at `version`.
    pub fn put(&self, workspace: Uuid, search: &str, version: i64, matches: i64) {
        if let Ok(mut m) = self.remembered.lock() {
            let key = (workspace, search.to_owned());
            if m.len() >= Self::MAX_SEARCHES && !m.contains_key(&key) {
                m.clear();
            }
            m.insert(key, (version, matches));
        }
    }

    /// Forgets `search` in `workspace`.
    pub fn forget(&self, workspace: Uuid, search: &str) {
        if let Ok(mut m) = self.remembered.lock() {
            m.remove(&(workspace, search.to_owned()));
        }
    }
}

/// A connection pool and what requests need to use it.
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    pool_max: u32,
    rls_role: Arc<str>,
    stats: Arc<DbStats>,
    events: events::EventHub,
    contexts: Arc<ContextMemo>,
    searches: Arc<SearchMemo>,
    /// Postgres: the connections handed from one request to the next.
    warm: Option<Arc<warm::Warm>>,
}

impl Database {
    /// Connects to `config.database_url` (no migrations are run).
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        Self::connect_url(&config.database_url, config.db_pool_size, &config.rls_role).await
    }

    /// Connects to `url` with at most `pool_size` connections.
    pub async fn connect_url(url: &str, pool_size: u32, rls_role: &str) -> anyhow::Result<Self> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool_max = if url.starts_with("postgres") {
            pool_size
        } else if in_memory {
            1
        } else {
            pool_size.min(8)
        };
        let mut conn = if url.starts_with("postgres") {
            let pool = PgPoolOptions::new()
                .max_connections(pool_size)
                .min_connections(0)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .idle_timeout(Duration::from_secs(300))
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= PING_IF_IDLE_FOR {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                // Generic plans for every connection's prepared statements
                // (see `tx::Settings`; a write transaction sets the default
                // back for itself).
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        sqlx::Executor::execute(&mut *conn, tx::GENERIC_PLANS).await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await
                .with_context(|| format!("cannot connect to {}", redact(url)))?;
            // A page writes text cells into its response as Postgres sends
            // them (`store::contacts::RowText`): UTF-8, converted from the
            // database's encoding, which Postgres checked on the way in —
            // except in a SQL_ASCII database, which stores any bytes.
            let encoding: String = sqlx::query_scalar("SELECT current_setting('server_encoding')")
                .fetch_one(&pool)
                .await
                .context("reading the database's encoding")?;
            if encoding.eq_ignore_ascii_case("SQL_ASCII") {
                anyhow::bail!(
                    "the database {} is SQL_ASCII, whose texts Postgres does not check: \
                     the gateway needs a database with a real encoding (UTF8)",
                    redact(url)
                );
            }
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("bad SQLite URL {url}"))?
                .journal_mode(if in_memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // The persona-group views use REGEXP (see sqlite_0003_views_up.sql).
                .with_regexp();
            let pool = SqlitePoolOptions::new()
                // Every connection to an in-memory database is a database of its own.
                .max_connections(pool_max)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .with_context(|| format!("cannot open {url}"))?;
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        };
        let stats = Arc::new(DbStats::default());
        // The benchmark replays what a request ran (values inlined) with pgbench.
        if let Ok(path) = std::env::var("LATTICEIQ_CAPTURE_SQL")
            && !path.is_empty()
        {
            stats.start_capture();
            tokio::spawn(write_capture(stats.clone(), path));
        }
        let counter = stats.clone();
        conn.set_metric_callback(move |info| {
            counter.record(info.elapsed, info.failed, || info.statement.to_string())
        });
        Ok(Self {
            conn,
            pool_max,
            rls_role: rls_role.into(),
            stats,
            events: events::EventHub::default(),
            contexts: Arc::default(),
            searches: Arc::default(),
            warm: url.starts_with("postgres").then(|| warm::Warm::start(pool_size)),
        })
    }

    /// The pool as a SeaORM connection (no RLS settings: for migrations and the CLI).
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Postgres or SQLite.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Whether this is Postgres.
    pub fn is_postgres(&self) -> bool {
        self.backend() == DbBackend::Postgres
    }

    /// The in-process campaign event fan-out.
    pub fn events(&self) -> &events::EventHub {
        &self.events
    }

    /// Starts what runs beside requests: on Postgres, the listener that
    /// forwards campaign events of every gateway process to this one.
    pub fn start_background(&self) {
        if let (Some(pool), Some(warm)) = (self.pg_pool(), &self.warm) {
            let (pool, warm, events) = (pool.clone(), warm.clone(), self.events.clone());
            // Its connection is one of the pool's: it holds one of the turns
            // requests take theirs on (see `warm`).
            tokio::spawn(async move {
                let _turn = warm.turn().await;
                drop(warm);
                events::listen_postgres(pool, events).await;
            });
        }
    }

    /// The workspace contexts this process has read (Postgres).
    pub fn contexts(&self) -> &ContextMemo {
        &self.contexts
    }

    /// The broad searches this process has counted (Postgres).
    pub fn searches(&self) -> &SearchMemo {
        &self.searches
    }

    /// Statement counters.
    pub fn stats(&self) -> &Arc<DbStats> {
        &self.stats
    }

    /// The Postgres pool, for what SeaORM does not wrap (LISTEN/NOTIFY).
    pub fn pg_pool(&self) -> Option<&sqlx::PgPool> {
        self.is_postgres().then(|| self.conn.get_postgres_connection_pool())
    }

    /// Most connections the pool opens.
    pub fn pool_max(&self) -> u32 {
        self.pool_max
    }

    /// (size, idle) of the pool; idle counts the connections kept for the
    /// next request, and is never more than size: sqlx counts its idle
    /// connections apart from its queue of them, and the two readings may
    /// be a connection apart while one comes or goes (before sqlx 0.9.1 the
    /// count could even wrap below zero).
    pub fn pool_state(&self) -> (u32, usize) {
        let (size, idle) = if self.is_postgres() {
            let p = self.conn.get_postgres_connection_pool();
            (p.size(), p.num_idle().saturating_add(self.warm.as_ref().map_or(0, |w| w.len())))
        } else {
            let p = self.conn.get_sqlite_connection_pool();
            (p.size(), p.num_idle())
        };
        (size, idle.min(size as usize))
    }

    /// Begins a transaction scoped to `claims`: on Postgres it runs as the RLS
    /// role with the claims set; on SQLite a `write` transaction takes the
    /// write lock at once (`BEGIN IMMEDIATE`) so that it cannot fail half-way
    /// on a busy database.
    pub async fn begin_scoped(&self, claims: &Claims, write: bool) -> Result<Tx, DbErr> {
        self.begin_scoped_with(claims, write, None).await
    }

    /// [`Self::begin_scoped`], and on Postgres every statement of the
    /// transaction is cancelled by the server after `statement_timeout`.
    /// On Postgres the settings go with `BEGIN` in one round trip, values
    /// inlined as literals (see [`tx`]).
    pub async fn begin_scoped_with(
        &self,
        claims: &Claims,
        write: bool,
        statement_timeout: Option<Duration>,
    ) -> Result<Tx, DbErr> {
        let started = std::time::Instant::now();
        let tx = if self.is_postgres() {
            let settings = tx::Settings {
                claims: tx::literal(&claims.to_rls_json())?,
                role: tx::literal(&self.rls_role)?,
                // Queries run read-only: defence in depth, and what a hot
                // standby needs; writes with custom plans (see `tx::Settings`).
                write,
                statement_timeout_ms: statement_timeout.map(|t| t.as_millis()),
            };
            let pool = self.conn.get_postgres_connection_pool();
            let warm = self.warm.as_ref().expect("Postgres keeps connections warm");
            Tx::Pg(tx::PgTx::begin(pool, warm, settings, self.stats.clone()).await?)
        } else {
            self.stats.statements.fetch_add(1, Ordering::Relaxed);
            let mode = if write {
                sea_orm::SqliteTransactionMode::Immediate
            } else {
                sea_orm::SqliteTransactionMode::Deferred
            };
            let options = TransactionOptions { sqlite_transaction_mode: Some(mode), ..Default::default() };
            Tx::Orm(self.conn.begin_with_options(options).await?)
        };
        // Acquiring a pooled connection plus BEGIN: the wait a request sees.
        metrics::histogram!("latticeiq_db_acquire_duration_seconds").record(started.elapsed().as_secs_f64());
        Ok(tx)
    }

    /// Commits `tx`, counting the statement.
    pub async fn commit(&self, tx: Tx) -> Result<(), DbErr> {
        self.stats.statements.fetch_add(1, Ordering::Relaxed);
        tx.commit().await
    }

    /// Rolls `tx` back, counting the statement.
    pub async fn rollback(&self, tx: Tx) -> Result<(), DbErr> {
        self.stats.statements.fetch_add(1, Ordering::Relaxed);
        tx.rollback().await
    }

    /// Rolls `tx` back without waiting (a read-only request, or one that
    /// timed out): the dropped transaction queues its `ROLLBACK`, which goes
    /// out with the next request's `BEGIN` on the same connection, or with
    /// the pool's check of a connection coming back (see `warm`). Either
    /// way the connection serves nobody else before that has completed.
    pub fn rollback_later(&self, tx: Tx) {
        self.stats.statements.fetch_add(1, Ordering::Relaxed);
        drop(tx);
    }

    /// Whether the database answers and the migrations are applied. On
    /// Postgres the check waits for a turn as a request does (see `warm`).
    pub async fn ready(&self) -> bool {
        use migration::MigratorTrait as _;
        let check = async {
            match (self.pg_pool(), &self.warm) {
                (Some(pool), Some(warm)) => {
                    let mut out = warm.acquire(pool, ACQUIRE_TIMEOUT).await.ok()?;
                    let applied: Vec<String> = sqlx::query_scalar("SELECT version FROM seaql_migrations")
                        .fetch_all(&mut *out.conn)
                        .await
                        .ok()?;
                    warm.keep(out);
                    Some(
                        migration::Migrator::migrations()
                            .iter()
                            .all(|m| applied.iter().any(|a| a == m.name())),
                    )
                }
                _ => migration::Migrator::get_pending_migrations(&self.conn).await.ok().map(|p| p.is_empty()),
            }
        };
        tokio::time::timeout(Duration::from_secs(2), check).await.ok().flatten().unwrap_or(false)
    }
}

/// Appends captured statements to `path` every 200 ms (benchmark only).
async fn write_capture(stats: Arc<DbStats>, path: String) {
    use std::io::Write as _;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let batch = stats.take_capture();
        stats.start_capture();
        if batch.is_empty() {
            continue;
        }
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&path) {
            for s in batch {
                let _ = writeln!(f, "{};", s.trim().replace('\n', " "));
            }
        }
    }
}

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}
