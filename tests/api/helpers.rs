//! Test harness: spawns the real gateway over real HTTP on a fresh database
//! — Postgres: a new database per test, cloned from a migrated template and
//! dropped afterwards; SQLite: a temp file — and mints real signed tokens.

use std::net::SocketAddr;
use std::time::Duration;

use latticeiq::auth::Role;
use latticeiq::auth::jwt;
use latticeiq::config::Config;
use latticeiq::db::Database;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

/// The HS256 secret of test servers.
pub const SECRET: &str = "test-secret-0123456789abcdef0123456789";
/// The demo workspace.
pub const DEMO: Uuid = Uuid::from_u128(0x1111_1111_1111_1111_1111_1111_1111_1111);
/// A second workspace.
pub const OTHER: Uuid = Uuid::from_u128(0x2222_2222_2222_2222_2222_2222_2222_2222);

/// Where the Postgres server for tests is.
pub fn pg_admin_url() -> String {
    std::env::var("TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn pg_url(db: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap_or(admin);
    format!("{base}/{db}")
}

/// The database backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (temp file).
    Sqlite,
    /// Postgres (a fresh database).
    Postgres,
}

/// A fresh, migrated database owned by one test.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// Postgres database name (dropped on drop).
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A handle that owns nothing (a second server on another test's database).
    pub fn borrowed() -> Self {
        Self { url: String::new(), pg_name: None, _dir: None }
    }

    /// A new migrated database on `backend`.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
                let db = Database::connect_url(&url, 2, "latticeiq_app").await.expect("open sqlite");
                Migrator::up(db.conn(), None).await.expect("migrate sqlite");
                db.conn().clone().close().await.ok();
                Self { url, pg_name: None, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let template = ensure_pg_template().await;
                let name = format!("lqtest_{}", Uuid::new_v4().simple());
                let admin = pg_admin_conn().await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("clone the template database (is Postgres running on 127.0.0.1:5432?)");
                admin.close().await.ok();
                Self { url: pg_url(&name), pg_name: Some(name), _dir: None }
            }
        }
    }

    /// An unmigrated Postgres or SQLite database (for migration tests).
    pub async fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/empty.db?mode=rwc", dir.path().display());
                Self { url, pg_name: None, _dir: Some(dir) }
            }
            Backend::Postgres => {
                let name = format!("lqtest_{}", Uuid::new_v4().simple());
                let admin = pg_admin_conn().await;
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
                admin.close().await.ok();
                Self { url: pg_url(&name), pg_name: Some(name), _dir: None }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside async; a small runtime of its own does the work.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        if let Ok(admin) = sea_orm::Database::connect(pg_admin_url()).await {
                            let _ = admin
                                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

async fn pg_admin_conn() -> sea_orm::DatabaseConnection {
    let mut opts = sea_orm::ConnectOptions::new(pg_admin_url());
    opts.max_connections(1).sqlx_logging(false);
    sea_orm::Database::connect(opts)
        .await
        .expect("Postgres tests need a server on 127.0.0.1:5432 (user postgres, trust auth); none answered")
}

/// Creates (once per migration fingerprint, across test processes) a migrated
/// template database and returns its name.
async fn ensure_pg_template() -> String {
    let name = format!("lqtest_template_{:016x}", migration::fingerprint());
    let admin = pg_admin_conn().await;
    // Test processes run in parallel: one builds the template, the others wait.
    admin.execute_unprepared("SELECT pg_advisory_lock(74657374)").await.expect("advisory lock");
    let exists = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate",
            [name.clone().into()],
        ))
        .await
        .expect("look up template")
        .is_some();
    if !exists {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop stale");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create template");
        let db = Database::connect_url(&pg_url(&name), 1, "latticeiq_app").await.expect("connect template");
        Migrator::up(db.conn(), None).await.expect("migrate template");
        db.conn().clone().close().await.ok();
        admin
            .execute_unprepared(&format!("ALTER DATABASE {name} WITH is_template = true"))
            .await
            .expect("mark template");
    }
    admin.execute_unprepared("SELECT pg_advisory_unlock(74657374)").await.ok();
    admin.close().await.ok();
    name
}

/// A running gateway on a fresh database.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its database (direct access, owner rights).
    pub db: Database,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The database (dropped with the app).
    _test_db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

/// Settings of test servers: the test secret plus `extra` variables.
pub fn test_config(url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), url.to_owned()),
        ("JWT_SECRET".into(), SECRET.to_owned()),
        ("BIND_ADDR".into(), "127.0.0.1:0".into()),
        ("DB_POOL_SIZE".into(), "5".into()),
    ];
    for (k, v) in extra {
        vars.retain(|(name, _)| name != k);
        vars.push(((*k).to_owned(), (*v).to_owned()));
    }
    Config::from_lookup(&|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        .expect("test config")
}

impl TestApp {
    /// Spawns the gateway on a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, &[]).await
    }

    /// Spawns the gateway with extra configuration.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> Self {
        let test_db = TestDb::new(backend).await;
        let config = test_config(&test_db.url, extra);
        let db = Database::connect(&config).await.expect("connect");
        Self::serve(test_db, db, config).await
    }

    /// Serves an existing database.
    pub async fn serve(test_db: TestDb, db: Database, config: Config) -> Self {
        let state = latticeiq::build_state(config, db.clone()).expect("state");
        state.db.start_background();
        let app = latticeiq::build_app(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().expect("client");
        Self { addr, db, client, _test_db: test_db, server }
    }

    /// Spawns the gateway with the demo workspace seeded.
    pub async fn with_demo(backend: Backend) -> Self {
        let app = Self::spawn(backend).await;
        latticeiq::seed::seed_demo(&app.db).await.expect("seed demo");
        app
    }

    /// The database URL.
    pub fn db_url(&self) -> String {
        self._test_db.url.clone()
    }

    /// The GraphQL endpoint.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A token for `workspace` with `role`.
    pub fn token(&self, workspace: Uuid, role: Role) -> String {
        jwt::mint(SECRET.as_bytes(), workspace, role, None, Duration::from_secs(600)).expect("mint")
    }

    /// An admin token of the demo workspace.
    pub fn admin(&self) -> String {
        self.token(DEMO, Role::Admin)
    }

    /// POSTs a GraphQL request; returns the HTTP status and the body.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        self.post_body(token, json!({"query": query, "variables": variables})).await
    }

    /// POSTs a GraphQL request naming its operation.
    pub async fn post_op(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        operation: &str,
    ) -> (u16, Value) {
        self.post_body(token, json!({"query": query, "variables": variables, "operationName": operation}))
            .await
    }

    async fn post_body(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req =
            self.client.post(self.url("/graphql")).header("content-type", "application/json").json(&body);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Runs a GraphQL request that must succeed; returns `data`.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(Some(token), query, variables).await;
        assert!(
            status == 200 && body.get("errors").is_none(),
            "GraphQL request failed ({status}): {body}\nquery: {query}"
        );
        body["data"].clone()
    }

    /// Runs a GraphQL request that must fail; returns the error codes.
    pub async fn gql_err(&self, token: &str, query: &str, variables: Value) -> Vec<String> {
        let (_, body) = self.post(Some(token), query, variables).await;
        let errors = body["errors"].as_array().unwrap_or_else(|| panic!("expected errors, got {body}"));
        errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned()).collect()
    }

    /// Runs raw SQL on the app's database (owner rights) and returns rows as JSON.
    pub async fn sql(&self, sql: &str) -> Vec<sea_orm::QueryResult> {
        self.db
            .conn()
            .query_all_raw(Statement::from_string(self.db.backend(), sql.to_owned()))
            .await
            .unwrap_or_else(|e| panic!("SQL failed: {e}\n{sql}"))
    }

    /// Statements sent to the database so far.
    pub fn statements(&self) -> u64 {
        self.db.stats().statements()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Runs a test body once on SQLite and once on Postgres, as two tests.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)($crate::helpers::Backend::Postgres).await;
            }
        }
    };
}
