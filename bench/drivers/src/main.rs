//! A gateway read's database side alone, with two Postgres drivers: `BEGIN
//! READ ONLY; SET LOCAL …` (the RLS settings), the page's statement with
//! every cell's bytes read, the transaction rolled back; `conns` tasks on
//! six connections handed from task to task (as the gateway's warm list
//! hands them), on two tokio workers.
//!
//! - `sqlx`: the gateway's shape — the settings as one simple query, then
//!   the statement; the `ROLLBACK` queued and sent with the next `BEGIN`:
//!   two round trips.
//! - `tokio-postgres-2trips`: the same two round trips with tokio-postgres.
//! - `tokio-postgres`: the three sent in one write (tokio-postgres pipelines
//!   requests made together): one round trip.
//!
//! Usage: `drivers MODE CONNS SECONDS`, with `DATABASE_URL`, `BEGIN_SQL` and
//! `PAGE_SQL` set; prints `GO` after a 2 s warm-up, then `DONE <requests>
//! <bytes per page>` after SECONDS, and waits for a line on stdin (so that
//! `bench/drivers/run` reads its CPU time) before it exits.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::PgTransactionManager;
use sqlx::{AssertSqlSafe, Row as _, SqlSafeStr as _, ValueRef as _};
use sqlx_core::transaction::TransactionManager as _;
use tokio::io::AsyncBufReadExt as _;
use tokio::sync::{Mutex, mpsc};
use tokio_postgres::types::{FromSql, Type};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The gateway's pool size.
const CONNECTIONS: usize = 6;

/// A cell's bytes, whatever its type (tokio-postgres).
struct Raw<'a>(&'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Raw(raw))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// What every task shares.
#[derive(Clone)]
struct Run {
    begin: Arc<str>,
    page: Arc<str>,
    requests: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Run {
    fn done(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
    }
}

/// Connections handed from task to task.
struct Handout<C> {
    give: mpsc::Sender<C>,
    take: Arc<Mutex<mpsc::Receiver<C>>>,
}

impl<C> Clone for Handout<C> {
    fn clone(&self) -> Self {
        Self { give: self.give.clone(), take: self.take.clone() }
    }
}

impl<C> Handout<C> {
    async fn new(conns: Vec<C>) -> Self {
        let (give, take) = mpsc::channel(conns.len());
        for c in conns {
            give.send(c).await.expect("open");
        }
        Self { give, take: Arc::new(Mutex::new(take)) }
    }
    async fn take(&self) -> C {
        self.take.lock().await.recv().await.expect("open")
    }
    async fn give(&self, c: C) {
        self.give.send(c).await.expect("open");
    }
}

async fn sqlx_read(run: &Run, conns: &Handout<sqlx::PgConnection>) {
    let mut conn = conns.take().await;
    PgTransactionManager::begin(&mut conn, Some(AssertSqlSafe(run.begin.to_string()).into_sql_str()))
        .await
        .expect("begin");
    let rows = sqlx::query(AssertSqlSafe(run.page.to_string())).fetch_all(&mut conn).await.expect("page");
    let mut bytes = 0;
    for row in &rows {
        for i in 0..row.len() {
            let cell = row.try_get_raw(i).expect("cell");
            if !cell.is_null() {
                bytes += cell.as_bytes().map_or(0, <[u8]>::len) as u64;
            }
        }
    }
    PgTransactionManager::start_rollback(&mut conn);
    conns.give(conn).await;
    run.done(bytes);
}

type PgClient = (tokio_postgres::Client, tokio_postgres::Statement);

async fn tokio_postgres_read(run: &Run, conns: &Handout<PgClient>, pipelined: bool) {
    let conn = conns.take().await;
    let (client, page) = &conn;
    let rows = if pipelined {
        let (begun, rows, ended) = futures_util::join!(
            client.batch_execute(&run.begin),
            client.query(page, &[]),
            client.batch_execute("ROLLBACK")
        );
        begun.expect("begin");
        ended.expect("rollback");
        rows.expect("page")
    } else {
        client.batch_execute(&run.begin).await.expect("begin");
        let (rows, ended) = futures_util::join!(client.query(page, &[]), client.batch_execute("ROLLBACK"));
        ended.expect("rollback");
        rows.expect("page")
    };
    let mut bytes = 0;
    for row in &rows {
        for i in 0..row.len() {
            if let Some(Raw(cell)) = row.try_get::<_, Option<Raw>>(i).expect("cell") {
                bytes += cell.len() as u64;
            }
        }
    }
    conns.give(conn).await;
    run.done(bytes);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, conns, secs] = &args[..] else {
        panic!("usage: drivers sqlx|tokio-postgres-2trips|tokio-postgres CONNS SECONDS")
    };
    let conns: usize = conns.parse().expect("CONNS");
    let secs: u64 = secs.parse().expect("SECONDS");
    let env = |name| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let url = env("DATABASE_URL");
    let run = Run {
        begin: env("BEGIN_SQL").into(),
        page: env("PAGE_SQL").into(),
        requests: Arc::default(),
        bytes: Arc::default(),
        stop: Arc::default(),
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        match mode.as_str() {
            "sqlx" => {
                let mut all = Vec::new();
                for _ in 0..CONNECTIONS {
                    all.push(<sqlx::PgConnection as sqlx::Connection>::connect(&url).await.expect("connect"));
                }
                let handout = Handout::new(all).await;
                for _ in 0..conns {
                    let (run, handout) = (run.clone(), handout.clone());
                    tokio::spawn(async move {
                        while !run.stop.load(Ordering::Relaxed) {
                            sqlx_read(&run, &handout).await;
                        }
                    });
                }
            }
            "tokio-postgres" | "tokio-postgres-2trips" => {
                let pipelined = mode == "tokio-postgres";
                let mut all = Vec::new();
                for _ in 0..CONNECTIONS {
                    let (client, connection) =
                        tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect");
                    tokio::spawn(connection);
                    let page = client.prepare(&run.page).await.expect("prepare");
                    all.push((client, page));
                }
                let handout = Handout::new(all).await;
                for _ in 0..conns {
                    let (run, handout) = (run.clone(), handout.clone());
                    tokio::spawn(async move {
                        while !run.stop.load(Ordering::Relaxed) {
                            tokio_postgres_read(&run, &handout, pipelined).await;
                        }
                    });
                }
            }
            other => panic!("unknown mode {other}"),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let start = run.requests.load(Ordering::Relaxed);
        println!("GO");
        tokio::time::sleep(Duration::from_secs(secs)).await;
        let all = run.requests.load(Ordering::Relaxed);
        println!("DONE {} {}", all - start, run.bytes.load(Ordering::Relaxed) / all.max(1));
        run.stop.store(true, Ordering::Relaxed);
        let mut line = String::new();
        let _ = tokio::io::BufReader::new(tokio::io::stdin()).read_line(&mut line).await;
        std::process::exit(0);
    });
}
