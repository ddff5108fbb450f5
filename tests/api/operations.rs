//! Running the gateway: database outages (readiness, fast failures,
//! recovery without a restart), graceful shutdown on SIGTERM, the request
//! timeout, and what a request leaves on its pooled connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use latticeiq::auth::Role;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Backend, DEMO, SECRET, TestApp, TestDb, test_config};

/// A TCP proxy to Postgres that the test can cut and restore.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    epoch: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (tx, _) = tokio::sync::watch::channel(0u64);
        let epoch = Arc::new(tx);
        let (target, up2, epoch2) = (target.to_owned(), up.clone(), epoch.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else { break };
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown().await;
                    continue;
                }
                let target = target.clone();
                let mut cut = epoch2.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { port, up, epoch }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.epoch.send_modify(|e| *e += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database_and_requests_fail_fast_during_an_outage() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let via_proxy = test_db.url.replace("127.0.0.1:5432", &format!("127.0.0.1:{}", proxy.port));
    let config = test_config(&via_proxy, &[]);
    let db = latticeiq::db::Database::connect(&config).await.unwrap();
    latticeiq::seed::seed_demo(&db).await.unwrap();
    let app = TestApp::serve(test_db, db, config).await;
    let t = app.token(DEMO, Role::Viewer);
    let ready = || async { app.client.get(app.url("/readyz")).send().await.unwrap().status().as_u16() };
    assert_eq!(ready().await, 200);
    app.gql(&t, "{ contacts { totalCount } }", json!({})).await;

    proxy.cut();
    let mut saw_503 = false;
    for _ in 0..20 {
        if ready().await == 503 {
            saw_503 = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(saw_503, "/readyz stayed 200 with the database unreachable");
    let started = Instant::now();
    let (status, body) = app.post(Some(&t), "{ contacts { totalCount } }", json!({})).await;
    let took = started.elapsed();
    assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{status} {body}");
    assert!(
        !body.to_string().contains("5432") && !body.to_string().to_lowercase().contains("connection"),
        "details leaked: {body}"
    );
    assert!(took < latticeiq::db::ACQUIRE_TIMEOUT + Duration::from_secs(3), "the request hung for {took:?}");

    proxy.restore();
    let mut back = false;
    for _ in 0..40 {
        if ready().await == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(back, "/readyz did not recover without a restart");
    let d = app.gql(&t, "{ contacts { totalCount } }", json!({})).await;
    assert_eq!(d["contacts"]["totalCount"], 482);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_refuses_new_ones_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("sqlite://{}/gw.db?mode=rwc", dir.path().display());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_latticeiq"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "warn")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = latticeiq::auth::jwt::mint(
        SECRET.as_bytes(),
        uuid::Uuid::new_v4(),
        Role::Member,
        None,
        Duration::from_secs(600),
    )
    .unwrap();
    // a slow request: 10 000 rows imported
    let mut csv = String::from("email,first name,company\n");
    for i in 0..10_000 {
        csv.push_str(&format!("p{i}@example.com,P{i},C{i}\n"));
    }
    let slow = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/graphql"))
                .header("authorization", format!("Bearer {token}"))
                .json(&json!({"query": "mutation($c: String!) { importContacts(csv: $c) { created } }", "variables": {"c": csv}}))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let pid = child.id().unwrap();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(100)).await;
    // new connections are refused while the import finishes
    let fresh = reqwest::Client::new().get(format!("{base}/healthz")).send().await;
    assert!(fresh.is_err(), "a new request was accepted after SIGTERM");
    let body = slow.await.unwrap();
    assert_eq!(body["data"]["importContacts"]["created"], 10_000, "{body}");
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.unwrap().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// Backends of `app`'s database in `state` (seen from another connection).
async fn backends_in_state(app: &TestApp, state: &str) -> i64 {
    let db = app.db_url().rsplit('/').next().unwrap().to_owned();
    let admin = sqlx::PgPool::connect(&crate::helpers::pg_admin_url()).await.unwrap();
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state = $2")
            .bind(db)
            .bind(state)
            .fetch_one(&admin)
            .await
            .unwrap();
    admin.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_request_leaves_its_connection_out_of_any_transaction() {
    // Read-only requests end without waiting for their ROLLBACK (it goes out
    // with the next request's BEGIN, or with the pool's check of the
    // returned connection when no request takes it). One connection
    // serves requests here (the other is the LISTEN one), so each request
    // below runs on the connection the previous one left.
    let app = TestApp::spawn_with(Backend::Postgres, &[("DB_POOL_SIZE", "2")]).await;
    latticeiq::seed::seed_demo(&app.db).await.unwrap();
    let member = app.token(DEMO, Role::Member);
    let other = app.token(crate::helpers::OTHER, Role::Member);
    for _ in 0..3 {
        let d = app.gql(&member, "{ contacts(first: 5) { totalCount nodes { id } } }", json!({})).await;
        assert_eq!(d["contacts"]["totalCount"], 482);
        // a write right after: it would fail inside the read-only transaction
        let id = d["contacts"]["nodes"][0]["id"].clone();
        app.gql(
            &member,
            "mutation($id: UUID!) { updateContact(id: $id, input: {notes: \"n\"}) { id } }",
            json!({"id": id}),
        )
        .await;
        // and another workspace's read sees none of the first one's rows
        let d = app.gql(&other, "{ contacts(first: 5) { totalCount } }", json!({})).await;
        assert_eq!(d["contacts"]["totalCount"], 0);
    }
    app.gql(&member, "{ contacts(first: 1) { totalCount } }", json!({})).await;
    let mut left = -1;
    for _ in 0..40 {
        left = backends_in_state(&app, "idle in transaction").await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "a connection stayed idle in a transaction after the requests");
}

/// The pool's figures (`/metrics`, `Database::pool_state`) stay whole
/// while connections come and go: never more idle connections than open
/// ones. sqlx 0.9.0 counted a connection idle only after handing it on, so
/// a connection taken at once made its count wrap below zero (and its
/// reaper, which loops over that count, could spin); sqlx 0.9.1 fixed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_never_counts_more_idle_connections_than_open_ones() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let db = Arc::new(latticeiq::db::Database::connect_url(&app.db_url(), 2, "latticeiq_app").await.unwrap());
    let pool = db.pg_pool().expect("a Postgres pool").clone();
    let taken = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    // Two threads take each connection the moment it comes back
    // (`try_acquire` takes an idle one without waiting) and give it back
    // at once (the pool checks it with a round trip on the runtime).
    let takers = (0..2)
        .map(|_| {
            let (pool, taken, runtime) = (pool.clone(), taken.clone(), tokio::runtime::Handle::current());
            std::thread::spawn(move || {
                let _runtime = runtime.enter();
                let deadline = Instant::now() + Duration::from_secs(60);
                while taken.load(Ordering::Relaxed) < 4_000 && Instant::now() < deadline {
                    if let Some(conn) = pool.try_acquire() {
                        drop(conn);
                        taken.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect::<Vec<_>>();
    // The figures read all along, as `/metrics` may read them at any time.
    let reader = {
        let (db, pool, done) = (db.clone(), pool.clone(), done.clone());
        std::thread::spawn(move || {
            let mut samples = 0u64;
            while !done.load(Ordering::Relaxed) {
                let (size, idle) = db.pool_state();
                assert!(idle <= size as usize, "{idle} idle of {size} open, after {samples} samples");
                let (size, idle) = (pool.size(), pool.num_idle());
                assert!(idle <= size as usize, "sqlx: {idle} idle of {size} open, after {samples} samples");
                samples += 1;
            }
            samples
        })
    };
    let joined = tokio::task::spawn_blocking(move || {
        takers.into_iter().for_each(|t| t.join().unwrap());
        done.store(true, Ordering::Relaxed);
        reader.join()
    });
    let samples = joined.await.unwrap().unwrap_or_else(|e| std::panic::resume_unwind(e));
    let taken = taken.load(Ordering::Relaxed);
    assert!(taken >= 4_000 && samples > 1_000, "only {taken} connections taken, {samples} samples");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pooled_connection_the_server_closed_while_idle_is_replaced_unseen() {
    // Pooled connections are not pinged before every request, only after
    // sitting idle; a request must not see one that the server closed.
    let app = TestApp::spawn_with(Backend::Postgres, &[("DB_POOL_SIZE", "2")]).await;
    latticeiq::seed::seed_demo(&app.db).await.unwrap();
    let t = app.token(DEMO, Role::Viewer);
    app.gql(&t, "{ contacts { totalCount } }", json!({})).await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let db = app.db_url().rsplit('/').next().unwrap().to_owned();
    let admin = sqlx::PgPool::connect(&crate::helpers::pg_admin_url()).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'idle' AND query NOT LIKE 'LISTEN%'",
    )
    .bind(db)
    .fetch_all(&admin)
    .await
    .unwrap();
    admin.close().await;
    assert!(!killed.is_empty(), "no idle request connection to close");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = app.post(Some(&t), "{ contacts { totalCount } }", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["contacts"]["totalCount"], 482, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_timeout_gets_504_and_its_statement_stops_on_the_server() {
    // 3 s, not 1: the requests that must succeed here share a loaded CI
    // machine with the rest of the suite.
    let app = TestApp::spawn_with(Backend::Postgres, &[("REQUEST_TIMEOUT_SECS", "3")]).await;
    latticeiq::seed::seed_demo(&app.db).await.unwrap();
    let t = app.token(DEMO, Role::Member);
    let one = "{ contacts(first: 1) { nodes { id notes } } }";
    let before = app.gql(&t, one, json!({})).await["contacts"]["nodes"][0].clone();
    // Another session takes the contacts table and keeps it.
    let owner = sqlx::PgPool::connect(&app.db_url()).await.unwrap();
    let mut locker = owner.begin().await.unwrap();
    sqlx::query("LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE").execute(&mut *locker).await.unwrap();
    let write = "mutation($id: UUID!) { updateContact(id: $id, input: {notes: \"late\"}) { id } }";
    for (query, variables) in [(one, json!({})), (write, json!({"id": before["id"]}))] {
        let started = Instant::now();
        let (status, body) = app.post(Some(&t), query, variables).await;
        assert_eq!(status, 504, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{body}");
        assert_eq!(body["errors"][0]["message"], "the request took longer than 3 s", "{body}");
        // at the request's timeout, not at its statement's (a second later)
        assert!(started.elapsed() < Duration::from_millis(3_900), "answered after {:?}", started.elapsed());
    }
    // The lock is still held, yet no statement of the gateway waits for it
    // any more: the server cancelled them at the statement timeout.
    let mut waiting = -1;
    for _ in 0..40 {
        waiting = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        )
        .fetch_one(&owner)
        .await
        .unwrap();
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiting, 0, "a timed-out request's statement still waits on the server");
    locker.rollback().await.unwrap();
    owner.close().await;
    // The timed-out write changed nothing, and the gateway serves again.
    let after = app.gql(&t, one, json!({})).await["contacts"]["nodes"][0].clone();
    assert_eq!(after, before);
}
