//! A transaction scoped to a token's workspace, on either backend.
//!
//! On Postgres the transaction begins in one round trip: `BEGIN` and the RLS
//! settings travel as one simple query (`BEGIN; SET LOCAL ...`, [`Settings`]),
//! where SeaORM's transaction would send `BEGIN`, wait, then send the
//! settings and wait again; its transaction cannot be begun with a
//! statement of ours. Every request pays that round trip, so [`Tx`] is our
//! own: it implements SeaORM's `ConnectionTrait` and `StreamTrait`, so
//! entities, sea-query statements and streams work on it unchanged. On
//! SQLite it is SeaORM's own transaction. (`bench/RESULTS.md`, session 11:
//! −9 to −14 % of the gateway's CPU per `contact(id:)` request.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement, StreamTrait,
};
use sea_query_sqlx::SqlxValues;
use sqlx::postgres::PgTransactionManager;
use sqlx::{AssertSqlSafe, PgConnection, PgPool, Postgres, SqlSafeStr as _};
use sqlx_core::transaction::TransactionManager as _;
use tokio::sync::Mutex;

use super::DbStats;
use super::warm::{Out, Warm};

/// A transaction: what every request's statements run in.
pub enum Tx {
    /// SQLite: SeaORM's transaction.
    Orm(DatabaseTransaction),
    /// Postgres: begun together with its RLS settings.
    Pg(PgTx),
}

/// A Postgres transaction on a pooled connection. Dropped while still open
/// (a request that timed out, or one that only read), it queues a
/// `ROLLBACK`, as sqlx's and SeaORM's transactions do. Its connection is
/// then kept for the next request, whose `BEGIN` sends that `ROLLBACK` (see
/// [`Warm`]), unless a statement was left in flight or failed other than in
/// the database: such a connection goes back to the pool, whose check
/// sends the `ROLLBACK` and closes a broken connection.
pub struct PgTx {
    /// `None` only once dropped.
    conn: Mutex<Option<Out>>,
    warm: Arc<Warm>,
    /// Whether no statement is in flight or ended in an error outside the
    /// database (the connection may be broken, or owe answers). What a
    /// cancelled statement still owes, sqlx reads before the connection's
    /// next query (the cancellation tests in `tests/api/foundation.rs` pass
    /// without this flag too); the flag is what keeps a connection an I/O
    /// error may have broken out of the warm list.
    settled: AtomicBool,
    stats: Arc<DbStats>,
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tx::Orm(_) => "Tx::Orm",
            Tx::Pg(_) => "Tx::Pg",
        })
    }
}

impl Tx {
    /// Commits.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Tx::Orm(tx) => tx.commit().await,
            Tx::Pg(mut tx) => {
                let r = PgTransactionManager::commit(open(tx.conn.get_mut())).await;
                tx.settle(&r);
                r.map_err(exec_err)
            }
        }
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), DbErr> {
        match self {
            Tx::Orm(tx) => tx.rollback().await,
            Tx::Pg(mut tx) => {
                let r = PgTransactionManager::rollback(open(tx.conn.get_mut())).await;
                tx.settle(&r);
                r.map_err(exec_err)
            }
        }
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        let Some(mut out) = self.conn.get_mut().take() else { return };
        // Nothing when the transaction has ended: sqlx tracks its depth.
        PgTransactionManager::start_rollback(&mut out.conn);
        if *self.settled.get_mut() {
            self.warm.keep(out);
        }
    }
}

/// The connection of a transaction not yet dropped.
fn open(conn: &mut Option<Out>) -> &mut PgConnection {
    &mut conn.as_mut().expect("a transaction's connection until it is dropped").conn
}

/// `s` as a Postgres string literal. The `E''` form reads the same whatever
/// `standard_conforming_strings` is; a NUL byte cannot be sent at all.
pub fn literal(s: &str) -> Result<String, DbErr> {
    if memchr::memchr(0, s.as_bytes()).is_some() {
        return Err(DbErr::Custom("a NUL character cannot be sent to Postgres".into()));
    }
    let mut out = String::with_capacity(s.len() + 4);
    out.push_str("E'");
    // Copied in runs between the characters doubled (the claims JSON of
    // every request has none; char by char it was ~1.5 % of `contact(id:)`).
    let mut rest = s;
    while let Some(at) = memchr::memchr2(b'\'', b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        out.push_str(if rest.as_bytes()[at] == b'\'' { "''" } else { "\\\\" });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out.push('\'');
    Ok(out)
}

/// A request transaction's settings on Postgres: the RLS claims and role,
/// read-only mode for a query, a statement timeout; values quoted as
/// literals ([`literal`]).
///
/// Every pooled connection is set to `plan_cache_mode = force_generic_plan`
/// when it connects ([`GENERIC_PLANS`]): a query's statements are
/// prepared once per connection, with parameters, and left to itself
/// Postgres plans them afresh for every execution (custom plans) because a
/// generic plan's estimate comes out higher; that planning was half of its
/// CPU per page (bench/RESULTS.md, session 12). Plans change only speed,
/// never results. A write transaction sets Postgres's default back (`auto`)
/// for itself, as writes always ran.
pub struct Settings {
    /// The claims JSON, quoted.
    pub claims: String,
    /// The role RLS policies apply to, quoted.
    pub role: String,
    /// A write: not read-only, and planned as Postgres plans by default.
    pub write: bool,
    /// Milliseconds after which Postgres cancels a statement.
    pub statement_timeout_ms: Option<u128>,
}

/// What every pooled Postgres connection runs when it connects (see
/// [`Settings`]). Behind a pooler in transaction mode (PgBouncer) a
/// session's setting may be missing: plans then cost more, results are the
/// same (docs/SCALING.md).
pub const GENERIC_PLANS: &str = "SET plan_cache_mode = force_generic_plan";

impl Settings {
    /// The simple query that begins a transaction with these settings, and
    /// how many SQL statements it holds: `BEGIN` (`READ ONLY` for a query)
    /// and a `SET LOCAL` for each of the others. A `SET` is a utility
    /// statement, parsed and applied; the same settings as a `SELECT` of
    /// `set_config` calls were also planned and run as a query every time
    /// (a simple query is not prepared), and its row sent and decoded:
    /// Postgres spent ~27 µs more per request, the gateway ~12 µs
    /// (bench/RESULTS.md, session 27).
    pub fn begin_sql(&self) -> (String, u64) {
        let mut sql = String::with_capacity(self.claims.len() + 160);
        let mut statements = 0;
        let mut push = |statement: &[&str]| {
            if statements > 0 {
                sql.push_str("; ");
            }
            statements += 1;
            statement.iter().for_each(|part| sql.push_str(part));
        };
        push(&[if self.write { "BEGIN" } else { "BEGIN READ ONLY" }]);
        push(&["SET LOCAL request.jwt.claims = ", &self.claims]);
        push(&["SET LOCAL role = ", &self.role]);
        if self.write {
            push(&["SET LOCAL plan_cache_mode = auto"]);
        }
        if let Some(ms) = self.statement_timeout_ms {
            push(&["SET LOCAL statement_timeout = ", itoa::Buffer::new().format(ms)]);
        }
        (sql, statements)
    }

    /// The same settings, after a `BEGIN`, as one `SELECT` of `set_config`
    /// calls (with the generic plans a pooled connection starts with, for a
    /// query): what the benchmark's pgbench ceiling replays for them, the
    /// one statement it can prepare; prepared, it costs Postgres about what
    /// the `SET LOCAL`s cost (bench/RESULTS.md, session 27).
    pub fn as_select(&self) -> String {
        let mut sql = format!(
            "SELECT set_config('request.jwt.claims', {}, true), set_config('role', {}, true)",
            self.claims, self.role
        );
        if !self.write {
            sql.push_str(", set_config('transaction_read_only', 'on', true)");
            sql.push_str(", set_config('plan_cache_mode', 'force_generic_plan', true)");
        }
        if let Some(ms) = self.statement_timeout_ms {
            sql.push_str(&format!(", set_config('statement_timeout', '{ms}', true)"));
        }
        sql
    }
}

impl PgTx {
    /// Takes a pooled connection and begins a transaction on it with
    /// `settings`, in the same round trip.
    ///
    /// A connection dropped while waiting for the answer (the request was
    /// cancelled: its client went away), or whose `BEGIN` failed, is
    /// closed, not pooled. sqlx 0.9.0 counted the transaction as begun only
    /// once the server had answered, so such a connection went back to the
    /// pool inside the transaction, with its settings, and the next
    /// request's `BEGIN` ran on in it; 0.9.1 queues a `ROLLBACK` for it.
    /// Closing it does not rest on that: a connection whose `BEGIN` went
    /// wrong is not trusted with the next request's settings.
    pub(super) async fn begin(
        pool: &PgPool,
        warm: &Arc<Warm>,
        settings: Settings,
        stats: Arc<DbStats>,
    ) -> Result<Self, DbErr> {
        let mut beginning =
            Beginning(Some(warm.acquire(pool, super::ACQUIRE_TIMEOUT).await.map_err(acquire_err)?));
        let conn = &mut beginning.0.as_mut().expect("a connection").conn;
        let started = Instant::now();
        let (sql, statements) = settings.begin_sql();
        let begun = PgTransactionManager::begin(conn, Some(AssertSqlSafe(sql).into_sql_str())).await;
        // `BEGIN` and the settings in one round trip, each statement
        // counted; what the benchmark replays is the settings as one
        // statement (it writes its own `BEGIN`).
        stats.statements.fetch_add(statements - 1, Ordering::Relaxed);
        stats.record(started.elapsed(), begun.is_err(), || settings.as_select());
        begun.map_err(query_err)?;
        let out = beginning.0.take().expect("a connection");
        Ok(Self { conn: Mutex::new(Some(out)), warm: warm.clone(), settled: AtomicBool::new(true), stats })
    }

    /// Marks a statement in flight; [`Self::settle`] marks it ended.
    fn unsettle(&self) {
        self.settled.store(false, Ordering::Relaxed);
    }

    /// Marks the statement in flight ended with `r`: settled unless it
    /// failed outside the database.
    fn settle<T>(&self, r: &Result<T, sqlx::Error>) {
        if matches!(r, Ok(_) | Err(sqlx::Error::Database(_))) {
            self.settled.store(true, Ordering::Relaxed);
        }
    }

    fn timed(&self, stmt: &Statement, started: Instant, failed: bool) {
        self.stats.record(started.elapsed(), failed, || stmt.to_string());
    }

    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut conn = self.conn.lock().await;
        let started = Instant::now();
        self.unsettle();
        let r = query(&stmt).execute(open(&mut conn)).await;
        self.settle(&r);
        let r = r.map(Into::into).map_err(exec_err);
        self.timed(&stmt, started, r.is_err());
        r
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut conn = self.conn.lock().await;
        let started = Instant::now();
        self.unsettle();
        let r = sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(open(&mut conn)).await;
        self.settle(&r);
        let r = r.map(Into::into).map_err(exec_err);
        self.stats.record(started.elapsed(), r.is_err(), || sql.to_owned());
        r
    }

    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut conn = self.conn.lock().await;
        let started = Instant::now();
        self.unsettle();
        let r = query(&stmt).fetch_optional(open(&mut conn)).await;
        self.settle(&r);
        let r = r.map(|r| r.map(Into::into)).map_err(query_err);
        self.timed(&stmt, started, r.is_err());
        r
    }

    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut conn = self.conn.lock().await;
        let started = Instant::now();
        self.unsettle();
        let r = query(&stmt).fetch_all(open(&mut conn)).await;
        self.settle(&r);
        let r = r.map(|rows| rows.into_iter().map(Into::into).collect()).map_err(query_err);
        self.timed(&stmt, started, r.is_err());
        r
    }

    /// The rows of `stmt` as they arrive; the connection is held until the
    /// stream is dropped. The statement is counted when the stream ends or
    /// is dropped, whichever comes first; dropped before its end, it leaves
    /// the transaction unsettled.
    fn stream(&self, stmt: Statement) -> BoxStream<'_, Result<QueryResult, DbErr>> {
        async_stream::stream! {
            let mut conn = self.conn.lock().await;
            let mut timing = Timing { tx: self, stmt: &stmt, started: Instant::now(), failed: false };
            self.unsettle();
            let mut broken = false;
            let mut rows = query(&stmt).fetch(open(&mut conn));
            while let Some(row) = rows.next().await {
                timing.failed |= row.is_err();
                broken |= matches!(&row, Err(e) if !matches!(e, sqlx::Error::Database(_)));
                yield row.map(Into::into).map_err(query_err);
            }
            if !broken {
                self.settled.store(true, Ordering::Relaxed);
            }
        }
        .boxed()
    }
}

/// A connection whose `BEGIN` has not completed: closed, not pooled, if it
/// is dropped before [`PgTx::begin`] takes it back.
struct Beginning(Option<Out>);

impl Drop for Beginning {
    fn drop(&mut self) {
        if let Some(out) = &mut self.0 {
            out.conn.close_on_drop();
        }
    }
}

/// Records a streamed statement in [`DbStats`] when dropped.
struct Timing<'a> {
    tx: &'a PgTx,
    stmt: &'a Statement,
    started: Instant,
    failed: bool,
}

impl Drop for Timing<'_> {
    fn drop(&mut self) {
        self.tx.timed(self.stmt, self.started, self.failed);
    }
}

// sqlx errors as SeaORM reports them, so that `AppError` classifies both alike.
fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e.into()))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e.into()))
}

fn acquire_err(e: sqlx::Error) -> DbErr {
    match e {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        e => DbErr::Conn(RuntimeErr::SqlxError(e.into())),
    }
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or_else(|| sea_orm::sea_query::Values(Vec::new()));
    sqlx::query_with(AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

#[async_trait::async_trait]
impl ConnectionTrait for Tx {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Tx::Orm(tx) => ConnectionTrait::get_database_backend(tx),
            Tx::Pg(_) => DbBackend::Postgres,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Tx::Orm(tx) => tx.execute_raw(stmt).await,
            Tx::Pg(tx) => tx.execute(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Tx::Orm(tx) => tx.execute_unprepared(sql).await,
            Tx::Pg(tx) => tx.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Tx::Orm(tx) => tx.query_one_raw(stmt).await,
            Tx::Pg(tx) => tx.query_one(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Tx::Orm(tx) => tx.query_all_raw(stmt).await,
            Tx::Pg(tx) => tx.query_all(stmt).await,
        }
    }
}

impl StreamTrait for Tx {
    type Stream<'a> = BoxStream<'a, Result<QueryResult, DbErr>>;

    fn get_database_backend(&self) -> DbBackend {
        ConnectionTrait::get_database_backend(self)
    }

    fn stream_raw<'a>(
        &'a self,
        stmt: Statement,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Self::Stream<'a>, DbErr>> + 'a + Send>> {
        Box::pin(async move {
            Ok(match self {
                Tx::Orm(tx) => tx.stream_raw(stmt).await?.boxed(),
                Tx::Pg(tx) => tx.stream(stmt),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_begins_with_as_many_statements_as_it_counts() {
        for write in [false, true] {
            for statement_timeout_ms in [None, Some(31_000)] {
                let settings = Settings {
                    claims: literal(r#"{"workspace_id":"x; y"}"#).unwrap(),
                    role: literal("latticeiq_app").unwrap(),
                    write,
                    statement_timeout_ms,
                };
                let (sql, statements) = settings.begin_sql();
                // (the claims' "; " is inside a literal: three parts of it are one statement)
                let parts = sql.split("; ").count() as u64 - 1;
                assert_eq!(statements, parts, "{sql}");
                assert_eq!(sql.starts_with("BEGIN READ ONLY; "), !write, "{sql}");
                assert_eq!(sql.contains("plan_cache_mode = auto"), write, "{sql}");
                assert_eq!(
                    sql.ends_with("statement_timeout = 31000"),
                    statement_timeout_ms.is_some(),
                    "{sql}"
                );
                assert!(
                    sql.contains(r#"SET LOCAL request.jwt.claims = E'{"workspace_id":"x; y"}'"#),
                    "{sql}"
                );
            }
        }
    }
}
