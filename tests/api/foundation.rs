//! Foundation: migrations, row-level security, workspace isolation, first use
//! of a workspace, the SDL, and the demo workspace.

use latticeiq::auth::{Claims, Role};
use latticeiq::db::Database;
use latticeiq::graphql::loaders::load_workspace_context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{Backend, DEMO, OTHER, TestApp, TestDb};

const TENANT_TABLES: [&str; 7] = [
    "contacts",
    "users_settings",
    "ideal_client_profiles",
    "contact_field_definitions",
    "campaigns",
    "email_templates",
    "call_templates",
];

async fn table_count(db: &Database, table: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), format!("SELECT count(*) FROM {table}")))
        .await
        .expect("count")
        .expect("row");
    row.try_get_by_index(0).expect("int")
}

both_backends!(migrations_go_up_down_and_up_again, |backend| async move {
    let test_db = TestDb::empty(backend).await;
    let db = Database::connect_url(&test_db.url, 2, "latticeiq_app").await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    // up on an up-to-date database is a no-op
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(Migrator::get_pending_migrations(db.conn()).await.unwrap().len(), 0);
    for table in TENANT_TABLES {
        assert_eq!(table_count(&db, table).await, 0, "{table}");
    }
    Migrator::down(db.conn(), None).await.unwrap();
    let pending = Migrator::get_pending_migrations(db.conn()).await.unwrap().len();
    assert_eq!(pending, Migrator::migrations().len());
    let gone = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), "SELECT count(*) FROM contacts".to_owned()))
        .await;
    assert!(gone.is_err(), "contacts should be gone after down");
    Migrator::up(db.conn(), None).await.unwrap();
    let status = Migrator::get_migration_with_status(db.conn()).await.unwrap();
    assert!(status.iter().all(|m| m.status().to_string() == "Applied"));
    // the data model works after up-down-up: seed the demo
    latticeiq::seed::seed_demo(&db).await.unwrap();
    assert_eq!(table_count(&db, "contacts").await, 482);
});

both_backends!(the_demo_dashboard_reproduces_the_design_log, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let rows = app
        .sql(&format!(
            "SELECT total_contacts, high_quality, good_quality, fair_quality, low_quality, avg_quality_score, \
             decision_makers, executives, managers FROM contact_quality_dashboard WHERE workspace_id = {}",
            match backend {
                Backend::Postgres => format!("'{DEMO}'"),
                Backend::Sqlite => format!("X'{}'", DEMO.simple()),
            }
        ))
        .await;
    let r = &rows[0];
    let ints: Vec<i64> = [0, 1, 2, 3, 4, 6, 7, 8].iter().map(|i| r.try_get_by_index(*i).unwrap()).collect();
    let avg: f64 = r.try_get_by_index(5).unwrap();
    assert_eq!(ints, vec![482, 2, 0, 0, 480, 1, 0, 1]);
    assert!((avg - 0.41).abs() < 1e-9, "{avg}");
});

both_backends!(another_workspace_sees_nothing_of_the_demo, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let demo = app.gql(&app.admin(), "{ contacts(first: 1) { totalCount nodes { id } } }", json!({})).await;
    assert_eq!(demo["contacts"]["totalCount"], 482);
    let id = demo["contacts"]["nodes"][0]["id"].clone();
    let other = app.token(OTHER, Role::Admin);
    let seen = app
        .gql(
            &other,
            "query($id: UUID!) { contact(id: $id) { id } contacts { totalCount } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(seen["contact"], serde_json::Value::Null);
    assert_eq!(seen["contacts"]["totalCount"], 0);
    // and the demo still sees its own contact
    let own = app.gql(&app.admin(), "query($id: UUID!) { contact(id: $id) { id } }", json!({"id": id})).await;
    assert_eq!(own["contact"]["id"], id);
});

both_backends!(concurrent_first_requests_set_up_a_workspace_exactly_once, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let ws = Uuid::new_v4();
    let token = app.token(ws, Role::Viewer);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.url("/graphql");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("authorization", format!("Bearer {token}"))
                .json(&json!({"query": "{ emailTemplates { id } callTemplates { id } idealClientProfiles { id } }"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    let data = app.gql(&token, "{ emailTemplates { name isDefault } callTemplates { name } idealClientProfiles { name } settings { defaultEmailTemplateId } }", json!({})).await;
    assert_eq!(data["emailTemplates"].as_array().unwrap().len(), 1);
    assert_eq!(data["emailTemplates"][0]["name"], "Default Personalized Outreach");
    assert_eq!(data["callTemplates"].as_array().unwrap().len(), 1);
    assert_eq!(data["idealClientProfiles"].as_array().unwrap().len(), 1);
    assert_eq!(data["idealClientProfiles"][0]["name"], "High-Value Decision Makers");
    assert!(data["settings"]["defaultEmailTemplateId"].is_string());
    for table in ["users_settings", "email_templates", "call_templates", "ideal_client_profiles"] {
        assert_eq!(table_count(&app.db, table).await, 1, "{table}");
    }
});

#[tokio::test]
async fn schema_graphql_equals_print_schema() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        committed == latticeiq::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- print-schema > schema.graphql`"
    );
}

#[tokio::test]
async fn every_type_and_field_has_a_description() {
    let sdl = latticeiq::graphql::sdl();
    let mut undocumented = Vec::new();
    let mut in_description = false;
    let mut described = false;
    for line in sdl.lines() {
        let t = line.trim();
        if t.starts_with("\"\"\"") {
            // a one-line description opens and closes on the same line
            let one_line = t.len() > 3 && t.ends_with("\"\"\"");
            if !one_line {
                in_description = !in_description;
            }
            described = !in_description;
            continue;
        }
        if in_description || t.is_empty() || t == "}" || t.starts_with("schema") || t.starts_with("directive")
        {
            continue;
        }
        let is_type =
            ["type ", "input ", "enum ", "scalar ", "interface ", "union "].iter().any(|k| t.starts_with(k));
        let is_member = line.starts_with('\t') || line.starts_with("  ");
        if (is_type || is_member) && !described {
            undocumented.push(t.to_owned());
        }
        described = false;
    }
    // the root operation type entries of `schema { query: … }`
    undocumented.retain(|d| {
        !d.starts_with("query:") && !d.starts_with("mutation:") && !d.starts_with("subscription:")
    });
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}

/// The most sweeps of 0 to 59 polls a cancellation test makes, until more
/// than 10 begins were cancelled.
const SWEEPS: usize = 20;

/// Waits until `db`'s connections are back in its pool (or closed), so that
/// a transaction begun next finds one idle and is soon waiting for the server.
async fn until_pooled(db: &Database) {
    for _ in 0..2000 {
        let (size, idle) = db.pool_state();
        if idle as u32 == size {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
}

/// Cancels an operation after 0, 1, … 59 polls (`cancel` says whether it
/// was dropped before it completed) and runs `next` after each, sweeping
/// again while few were cancelled (on a loaded machine an operation
/// completes within fewer polls). Returns how many were cancelled.
async fn sweep_cancellations(
    mut cancel: impl AsyncFnMut(usize) -> bool,
    mut next: impl AsyncFnMut(usize),
) -> usize {
    let mut cancelled = 0;
    for _ in 0..SWEEPS {
        if cancelled > 10 {
            break;
        }
        for polls in 0..60 {
            cancelled += usize::from(cancel(polls).await);
            next(polls).await;
        }
    }
    cancelled
}

/// Polls a read transaction's begin `polls` times, yielding between polls,
/// and drops it. True when it was dropped before it completed.
async fn begin_then_cancel(db: &Database, claims: &Claims, polls: usize) -> bool {
    until_pooled(db).await;
    let begun = {
        let begin = db.begin_scoped(claims, false);
        tokio::pin!(begin);
        let mut begun = None;
        for _ in 0..polls {
            if let std::task::Poll::Ready(tx) = futures_util::poll!(&mut begin) {
                begun = Some(tx.unwrap());
                break;
            }
            tokio::task::yield_now().await;
        }
        begun
    };
    match begun {
        Some(tx) => {
            db.rollback(tx).await.unwrap();
            false
        }
        None => true,
    }
}

/// The demo database with a gateway pool of one connection, so that every
/// transaction runs on the connection the one before it used.
async fn demo_on_one_connection(backend: Backend) -> (TestApp, Database) {
    let app = TestApp::with_demo(backend).await;
    let db = Database::connect_url(&app.db_url(), 1, "latticeiq_app").await.unwrap();
    (app, db)
}

/// SQLite: a begin cancelled part-way (SeaORM's transaction on sqlx's
/// worker thread) leaves no transaction open on the pooled connection: the
/// next write transaction on it begins and writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_transaction_cancelled_while_it_begins_leaves_nothing_behind() {
    let (_app, db) = demo_on_one_connection(Backend::Sqlite).await;
    let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Admin };
    let cancelled = sweep_cancellations(
        async |polls| begin_then_cancel(&db, &claims, polls).await,
        async |polls| {
            let tx =
                db.begin_scoped(&claims, true).await.unwrap_or_else(|e| panic!("after {polls} polls: {e}"));
            tx.execute_unprepared(&format!(
                "INSERT INTO ideal_client_profiles (id, workspace_id, name) VALUES ('{}', '{DEMO}', 'x')",
                Uuid::new_v4()
            ))
            .await
            .unwrap_or_else(|e| panic!("after {polls} polls: {e}"));
            db.rollback(tx).await.unwrap();
        },
    )
    .await;
    assert!(cancelled > 10, "only {cancelled} begins were cancelled");
}

mod postgres_security {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rls_is_enabled_and_forced_on_every_tenant_table() {
        let app = TestApp::spawn(Backend::Postgres).await;
        let list = TENANT_TABLES.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
        let rows = app
            .sql(&format!(
                "SELECT count(*) FROM pg_class WHERE relname IN ({list}) AND relrowsecurity AND relforcerowsecurity"
            ))
            .await;
        let n: i64 = rows[0].try_get_by_index(0).unwrap();
        assert_eq!(n, 7);
        let views = app
            .sql("SELECT count(*) FROM pg_class WHERE relname IN ('contact_quality_dashboard','campaign_performance') \
                  AND reloptions @> ARRAY['security_invoker=true']")
            .await;
        let n: i64 = views[0].try_get_by_index(0).unwrap();
        assert_eq!(n, 2, "both views are security_invoker");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_app_role_is_neither_owner_nor_superuser_and_cannot_bypass_rls() {
        let app = TestApp::spawn(Backend::Postgres).await;
        let rows =
            app.sql("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'latticeiq_app'").await;
        let (sup, bypass): (bool, bool) =
            (rows[0].try_get_by_index(0).unwrap(), rows[0].try_get_by_index(1).unwrap());
        assert!(!sup && !bypass);
        let owned = app.sql("SELECT count(*) FROM pg_tables WHERE tableowner = 'latticeiq_app'").await;
        let n: i64 = owned[0].try_get_by_index(0).unwrap();
        assert_eq!(n, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rls_alone_isolates_every_table_and_view() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        // give the other workspace rows of its own too
        latticeiq::seed::seed_workspace(&app.db, OTHER, 50, 7).await.unwrap();
        for (ws, other) in [(DEMO, OTHER), (OTHER, DEMO)] {
            let claims = Claims { user_id: None, workspace_id: ws, role: Role::Viewer };
            // a writing transaction, so that only the policies refuse the write below
            let tx = app.db.begin_scoped(&claims, true).await.unwrap();
            for table in
                TENANT_TABLES.iter().chain(["contact_quality_dashboard", "campaign_performance"].iter())
            {
                // no WHERE clause: only the policies stand between the rows
                let rows = tx
                    .query_all_raw(Statement::from_string(
                        DbBackend::Postgres,
                        format!("SELECT workspace_id FROM {table}"),
                    ))
                    .await
                    .unwrap();
                let ids: Vec<Uuid> = rows.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
                assert!(!ids.contains(&other), "{table} leaks rows of {other} to {ws}");
                if *table == "contacts" {
                    assert_eq!(ids.len(), if ws == DEMO { 482 } else { 50 });
                }
            }
            // and a write into another workspace is refused by the policy
            let insert = tx
                .execute_unprepared(&format!(
                    "INSERT INTO ideal_client_profiles (workspace_id, name) VALUES ('{other}', 'smuggled')"
                ))
                .await;
            assert!(insert.is_err(), "RLS let {ws} write into {other}");
            app.db.rollback(tx).await.unwrap();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_query_runs_in_a_read_only_transaction() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Admin };
        let own_write =
            format!("INSERT INTO ideal_client_profiles (workspace_id, name) VALUES ('{DEMO}', 'x')");
        let tx = app.db.begin_scoped(&claims, false).await.unwrap();
        let err = tx.execute_unprepared(&own_write).await.expect_err("a query transaction wrote");
        assert!(err.to_string().contains("read-only transaction"), "{err}");
        app.db.rollback(tx).await.unwrap();
        // the same write in a mutation's transaction is allowed
        let tx = app.db.begin_scoped(&claims, true).await.unwrap();
        tx.execute_unprepared(&own_write).await.unwrap();
        app.db.rollback(tx).await.unwrap();
    }

    /// The trigger-kept counts, and the real ones (as the owner, past RLS).
    async fn counts(app: &TestApp) -> (Vec<(Uuid, i64)>, Vec<(Uuid, i64)>) {
        let read = |sql: &'static str| async move {
            let mut v: Vec<(Uuid, i64)> = app
                .sql(sql)
                .await
                .iter()
                .map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap()))
                .filter(|(_, n)| *n != 0)
                .collect();
            v.sort();
            v
        };
        (
            read("SELECT workspace_id, contacts FROM contact_counts").await,
            read("SELECT workspace_id, count(*) FROM contacts GROUP BY workspace_id").await,
        )
    }

    /// The trigger-kept search documents (`contact_search`), and the ones the
    /// contacts give (as the owner, past RLS): id, workspace, creation time and
    /// document of every contact.
    async fn search_documents(app: &TestApp) -> (Vec<String>, Vec<String>) {
        let read = |sql: &'static str| async move {
            app.sql(sql).await.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect::<Vec<_>>()
        };
        let kept =
            read("SELECT concat_ws('|', id, workspace_id, created_at, search_vector) FROM contact_search ORDER BY id")
                .await;
        let real = read(
            "SELECT concat_ws('|', id, workspace_id, created_at, \
               latticeiq_search_vector(first_name, last_name, email, company)) FROM contacts ORDER BY id",
        )
        .await;
        (kept, real)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn contact_counts_and_search_documents_stay_exact_through_every_kind_of_write() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        let (kept, real) = counts(&app).await;
        assert_eq!(kept, real, "after the demo seed");
        assert_eq!(real, vec![(DEMO, 482)]);
        let (kept, real) = search_documents(&app).await;
        assert_eq!((kept.len(), &kept), (482, &real), "search documents after the demo seed");
        latticeiq::seed::seed_workspace(&app.db, OTHER, 300, 3).await.unwrap();
        let admin = app.token(DEMO, Role::Admin);
        // single creates, concurrently (the count row serialises them)
        let creates = (0..8).map(|i| {
            let (app, admin) = (&app, &admin);
            async move {
                app.gql(
                    admin,
                    "mutation($e: String!) { createContact(input: {email: $e, firstName: \"C\"}) { id } }",
                    json!({"e": format!("count{i}@example.com")}),
                )
                .await
            }
        });
        let created: Vec<Uuid> = futures_util::future::join_all(creates)
            .await
            .iter()
            .map(|d| d["createContact"]["id"].as_str().unwrap().parse().unwrap())
            .collect();
        // an import (batched insert + updates), a delete of several
        let csv = "email,first name\nimp1@example.com,A\nimp2@example.com,B\ncount0@example.com,Again\n";
        let r = app
            .gql(
                &admin,
                "mutation($c: String!) { importContacts(csv: $c) { created updated } }",
                json!({"c": csv}),
            )
            .await;
        assert_eq!(r["importContacts"]["created"], 2, "{r}");
        // the import renamed count0 ("Again") through its upsert
        let (kept, real) = search_documents(&app).await;
        assert_eq!(kept, real, "search documents after the import");
        assert!(kept.iter().any(|d| d.contains("'again'")), "{kept:?}");
        app.gql(
            &admin,
            "mutation($ids: [UUID!]!) { deleteContacts(ids: $ids) }",
            json!({"ids": &created[..3]}),
        )
        .await;
        // a mutation that fails rolls its insert back, and the count with it
        let errors = app
            .gql_err(
                &admin,
                "mutation { a: createContact(input: {email: \"rolled@example.com\"}) { id } b: createContact(input: {email: \"broken\"}) { id } }",
                json!({}),
            )
            .await;
        assert!(!errors.is_empty());
        let (kept, real) = counts(&app).await;
        assert_eq!(kept, real);
        assert_eq!(real, vec![(DEMO, 482 + 8 + 2 - 3), (OTHER, 300)]);
        let total = app.gql(&admin, "{ contacts(first: 1) { totalCount } }", json!({})).await;
        assert_eq!(total["contacts"]["totalCount"], 489);
        // a rename through the API, one through SQL that changes no word, and
        // an UPDATE that sets none of the document's columns
        app.gql(
            &admin,
            "mutation($id: UUID!) { updateContact(id: $id, input: {lastName: \"Zyxwvut\", company: \"Qwerty Ltd\"}) { id } }",
            json!({"id": created[5]}),
        )
        .await;
        app.sql(&format!("UPDATE contacts SET email = email, notes = 'n' WHERE id = '{}'", created[6])).await;
        app.sql("UPDATE contacts SET enrichment_data_quality_score = 7").await;
        let (kept, real) = search_documents(&app).await;
        assert_eq!((kept.len(), &kept), (489 + 300, &real), "search documents after the writes");
        let found =
            app.gql(&admin, "{ contacts(first: 5, search: \"zyxw qwer\") { totalCount } }", json!({})).await;
        assert_eq!(found["contacts"]["totalCount"], 1, "{found}");
        // TRUNCATE (an operator's reset) empties the counts and documents too
        app.sql("TRUNCATE contacts CASCADE").await;
        let (kept, real) = counts(&app).await;
        assert_eq!((kept, real), (vec![], vec![]));
        assert_eq!(search_documents(&app).await, (vec![], vec![]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_request_role_reads_only_its_own_count_and_writes_none() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        latticeiq::seed::seed_workspace(&app.db, OTHER, 40, 3).await.unwrap();
        let claims = Claims { user_id: None, workspace_id: OTHER, role: Role::Admin };
        let tx = app.db.begin_scoped(&claims, true).await.unwrap();
        let rows = tx
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT workspace_id, contacts FROM contact_counts",
            ))
            .await
            .unwrap();
        let seen: Vec<(Uuid, i64)> =
            rows.iter().map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap())).collect();
        assert_eq!(seen, vec![(OTHER, 40)]);
        // the search documents are read only through latticeiq_search_matches
        for read in ["SELECT count(*) FROM contact_search", "DELETE FROM contact_search"] {
            tx.execute_unprepared("SAVEPOINT denied").await.unwrap();
            let err = tx.execute_unprepared(read).await.expect_err(read);
            assert!(err.to_string().contains("permission denied"), "{read}: {err}");
            tx.execute_unprepared("ROLLBACK TO SAVEPOINT denied").await.unwrap();
        }
        for write in [
            format!("UPDATE contact_counts SET contacts = 0 WHERE workspace_id = '{OTHER}'"),
            format!("INSERT INTO contact_counts VALUES ('{DEMO}', 1)"),
            "DELETE FROM contact_counts".to_owned(),
        ] {
            tx.execute_unprepared("SAVEPOINT denied").await.unwrap();
            let err = tx.execute_unprepared(&write).await.expect_err(&write);
            assert!(err.to_string().contains("permission denied"), "{write}: {err}");
            tx.execute_unprepared("ROLLBACK TO SAVEPOINT denied").await.unwrap();
        }
        app.db.rollback(tx).await.unwrap();
        // and no role moves a contact to another workspace (the counts would lie)
        let err = app
            .db
            .conn()
            .execute_unprepared(&format!(
                "UPDATE contacts SET workspace_id = '{DEMO}' WHERE workspace_id = '{OTHER}'"
            ))
            .await
            .expect_err("a contact moved");
        assert!(err.to_string().contains("cannot move"), "{err}");
    }

    /// Subjects of the workspace's e-mail templates, as a context read sees them.
    async fn subjects(app: &TestApp, tx: &impl ConnectionTrait, ws: Uuid) -> (Vec<String>, usize) {
        let c = load_workspace_context(tx, ws, app.db.contexts()).await.unwrap();
        let mut s: Vec<String> = c.email_templates.values().map(|t| t.model.subject.clone()).collect();
        s.sort();
        (s, std::sync::Arc::as_ptr(&c) as usize)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_context_memo_follows_every_commit_and_no_rollback() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Admin };
        let read = || async { app.db.begin_scoped(&claims, false).await.unwrap() };
        let tx = read().await;
        let (original, first) = subjects(&app, &tx, DEMO).await;
        let (again, second) = subjects(&app, &tx, DEMO).await;
        app.db.rollback(tx).await.unwrap();
        assert_eq!(original, again);
        assert_eq!(first, second, "an unchanged workspace is served from the memo");
        assert!(!original.is_empty());

        // a change in a transaction that rolls back, read inside it
        let tx = app.db.begin_scoped(&claims, true).await.unwrap();
        tx.execute_unprepared("UPDATE email_templates SET subject = 'rolled back'").await.unwrap();
        let (inside, _) = subjects(&app, &tx, DEMO).await;
        assert!(inside.iter().all(|s| s == "rolled back"), "{inside:?}");
        app.db.rollback(tx).await.unwrap();
        let tx = read().await;
        assert_eq!(subjects(&app, &tx, DEMO).await.0, original, "the rolled-back change is not served");
        app.db.rollback(tx).await.unwrap();

        // a committed change by any writer — here the owner, outside the gateway — is seen at once
        app.sql("UPDATE email_templates SET subject = 'committed'").await;
        let tx = read().await;
        let (after, _) = subjects(&app, &tx, DEMO).await;
        app.db.rollback(tx).await.unwrap();
        assert!(after.iter().all(|s| s == "committed"), "{after:?}");
        let r = app.gql(&app.admin(), "{ emailTemplates { subject } }", json!({})).await;
        assert!(r["emailTemplates"].as_array().unwrap().iter().all(|t| t["subject"] == "committed"), "{r}");

        // inserts, deletes and TRUNCATE renew the stamp too
        for (change, expect) in [
            ("DELETE FROM email_templates WHERE NOT is_default", 1usize),
            (
                "INSERT INTO email_templates (workspace_id, name, subject, body) \
                 SELECT workspace_id, 'extra', 'new', 'b' FROM email_templates LIMIT 1",
                2,
            ),
            ("TRUNCATE email_templates CASCADE", 0),
        ] {
            app.sql(change).await;
            let tx = read().await;
            let (now, _) = subjects(&app, &tx, DEMO).await;
            app.db.rollback(tx).await.unwrap();
            assert_eq!(now.len(), expect, "after {change}: {now:?}");
        }

        // the request role sees only its own workspace's stamp and writes none
        latticeiq::seed::seed_workspace(&app.db, OTHER, 5, 3).await.unwrap();
        let tx = read().await;
        let seen = tx
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT workspace_id FROM workspace_context_versions",
            ))
            .await
            .unwrap();
        let seen: Vec<Uuid> = seen.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
        assert_eq!(seen, vec![DEMO]);
        app.db.rollback(tx).await.unwrap();
        let tx = app.db.begin_scoped(&claims, true).await.unwrap();
        let err = tx
            .execute_unprepared("UPDATE workspace_context_versions SET version = 1")
            .await
            .expect_err("the request role wrote a stamp");
        assert!(err.to_string().contains("permission denied"), "{err}");
        app.db.rollback(tx).await.unwrap();
    }
    /// The RLS settings go with `BEGIN` as literals (one round trip): any
    /// text reads back as itself, whatever `standard_conforming_strings` is.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_literal_reads_back_as_the_text_it_quotes() {
        let app = TestApp::spawn(Backend::Postgres).await;
        let texts = [
            "plain",
            "it's",
            "''",
            r"back\slash\",
            r"\'; SELECT 1; --",
            "$$ dollar $tag$",
            "line\nbreak\ttab",
            "ünïcødé ✓ 名前",
            r#"{"workspace_id": "x\"y", "role": "admin"}"#,
            "",
        ];
        for conforming in ["on", "off"] {
            let conn = app.db.conn();
            for text in texts {
                let tx = conn.begin().await.unwrap();
                tx.execute_unprepared(&format!("SET LOCAL standard_conforming_strings = {conforming}"))
                    .await
                    .unwrap();
                let sql = format!("SELECT {}", latticeiq::db::tx::literal(text).unwrap());
                let row = tx.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await.unwrap();
                let back: String = row.unwrap().try_get_by_index(0).unwrap();
                assert_eq!(back, text, "standard_conforming_strings = {conforming}");
                tx.rollback().await.unwrap();
            }
        }
        assert!(latticeiq::db::tx::literal("nul\0byte").is_err());
    }

    /// The one value `sql` selects, inside `tx`.
    async fn scalar<T: sea_orm::TryGetable>(tx: &latticeiq::db::Tx, sql: &str) -> T {
        let row = tx.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await.unwrap().unwrap();
        row.try_get_by_index(0).unwrap()
    }

    /// A server setting's value inside `tx`.
    async fn current_setting(tx: &latticeiq::db::Tx, name: &str) -> String {
        scalar(tx, &format!("SELECT current_setting('{name}')")).await
    }

    /// A read transaction has its prepared statements' plans cached
    /// (`plan_cache_mode = force_generic_plan`, see `Database::begin_scoped_with`),
    /// and the setting ends with it; a write transaction keeps Postgres's default.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_read_transaction_plans_its_statements_once() {
        let (_app, db) = demo_on_one_connection(Backend::Postgres).await;
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Viewer };
        let mode = async |write: bool| {
            let tx = db.begin_scoped(&claims, write).await.unwrap();
            let mode = current_setting(&tx, "plan_cache_mode").await;
            db.rollback(tx).await.unwrap();
            mode
        };
        assert_eq!(mode(false).await, "force_generic_plan");
        // one pooled connection: the write runs where the read ran
        assert_eq!(mode(true).await, "auto");
        assert_eq!(mode(false).await, "force_generic_plan");
    }

    /// Every setting a transaction begins with holds inside it and ends
    /// with it: the claims and the RLS role, read-only mode for a query, the
    /// statement timeout where one is given (see `db::tx::Settings`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_begins_with_each_of_its_settings_and_ends_with_them() {
        let (_app, db) = demo_on_one_connection(Backend::Postgres).await;
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Viewer };
        let settings = async |write: bool, timeout: Option<u64>| {
            let timeout = timeout.map(std::time::Duration::from_millis);
            let tx = db.begin_scoped_with(&claims, write, timeout).await.unwrap();
            let mut found = Vec::new();
            for name in ["request.jwt.claims", "role", "transaction_read_only", "statement_timeout"] {
                found.push(current_setting(&tx, name).await);
            }
            found.push(scalar(&tx, "SELECT current_user::text").await);
            db.rollback(tx).await.unwrap();
            found
        };
        // one pooled connection: each transaction runs where the last one ran
        for (write, timeout, read_only, statement_timeout) in [
            (false, Some(1234), "on", "1234ms"),
            (true, None, "off", "0"),
            (true, Some(61_000), "off", "61s"),
            (false, None, "on", "0"),
        ] {
            let found = settings(write, timeout).await;
            let claims: serde_json::Value = serde_json::from_str(&found[0]).unwrap();
            assert_eq!(claims["workspace_id"], DEMO.to_string(), "{found:?}");
            assert_eq!(found[1], "latticeiq_app");
            assert_eq!(found[2], read_only, "write: {write}");
            assert_eq!(found[3], statement_timeout, "write: {write}, timeout: {timeout:?}");
            assert_eq!(found[4], "latticeiq_app");
        }
    }

    /// A request cancelled while its transaction begins (its client went
    /// away) must not leave its connection inside that transaction: the next
    /// transaction on the connection would run on in it, with the cancelled
    /// one's settings (here: read-only, so a write would fail).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_cancelled_while_it_begins_leaves_nothing_behind() {
        let (_app, db) = demo_on_one_connection(Backend::Postgres).await;
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Admin };
        let cancelled = sweep_cancellations(
            async |polls| begin_then_cancel(&db, &claims, polls).await,
            async |polls| {
                let tx = db.begin_scoped(&claims, true).await.unwrap();
                let read_only = current_setting(&tx, "transaction_read_only").await;
                assert_eq!(read_only, "off", "a write transaction after {polls} polls of a cancelled one");
                db.rollback(tx).await.unwrap();
            },
        )
        .await;
        assert!(cancelled > 10, "only {cancelled} begins were cancelled");
    }

    /// Begins a read transaction, polls its first statement `polls` times,
    /// yielding between polls, and drops both. True when the statement was
    /// dropped before it completed.
    async fn statement_then_cancel(db: &Database, claims: &Claims, polls: usize) -> bool {
        until_pooled(db).await;
        let tx = db.begin_scoped(claims, false).await.unwrap();
        let query =
            tx.query_all_raw(Statement::from_string(DbBackend::Postgres, "SELECT count(*) FROM contacts"));
        tokio::pin!(query);
        for _ in 0..polls {
            if let std::task::Poll::Ready(rows) = futures_util::poll!(&mut query) {
                rows.unwrap();
                return false;
            }
            tokio::task::yield_now().await;
        }
        true
    }

    /// A request cancelled while its first statement runs (its client went
    /// away, or it timed out) leaves its connection owing answers: the next
    /// transaction on that connection must get its own, with its own
    /// settings — here another workspace's, writing — never the cancelled
    /// statement's rows or the cancelled transaction's settings.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_statement_cancelled_part_way_leaves_nothing_behind() {
        let (_app, db) = demo_on_one_connection(Backend::Postgres).await;
        let demo = Claims { user_id: None, workspace_id: DEMO, role: Role::Admin };
        let other = Claims { user_id: None, workspace_id: OTHER, role: Role::Admin };
        let count = "SELECT count(*) FROM contacts";
        let tx = db.begin_scoped(&demo, false).await.unwrap();
        assert_eq!(scalar::<i64>(&tx, count).await, 482);
        db.rollback(tx).await.unwrap();
        let tx = db.begin_scoped(&other, true).await.unwrap();
        let others = scalar::<i64>(&tx, count).await;
        db.rollback(tx).await.unwrap();
        assert_ne!(others, 482);
        let cancelled = sweep_cancellations(
            async |polls| statement_then_cancel(&db, &demo, polls).await,
            async |polls| {
                let tx = db
                    .begin_scoped(&other, true)
                    .await
                    .unwrap_or_else(|e| panic!("after {polls} polls of a cancelled read: {e:?}"));
                let seen = scalar::<i64>(&tx, count).await;
                assert_eq!(seen, others, "after {polls} polls of a cancelled read");
                assert_eq!(current_setting(&tx, "transaction_read_only").await, "off", "after {polls} polls");
                db.rollback(tx).await.unwrap();
            },
        )
        .await;
        assert!(cancelled > 10, "only {cancelled} statements were cancelled");
    }

    /// The backend process a transaction runs on.
    async fn backend_pid(tx: &latticeiq::db::Tx) -> i32 {
        scalar(tx, "SELECT pg_backend_pid()").await
    }

    /// A read's connection goes to the next transaction with its `ROLLBACK`
    /// still to send (`db::warm`): that transaction runs on the same
    /// backend, with its own settings only, and sees only its own workspace.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_handed_to_the_next_transaction_carries_nothing_of_the_last() {
        let (_app, db) = demo_on_one_connection(Backend::Postgres).await;
        let demo = Claims { user_id: None, workspace_id: DEMO, role: Role::Admin };
        let other = Claims { user_id: None, workspace_id: OTHER, role: Role::Admin };
        let count_demo = async |tx: &latticeiq::db::Tx| -> i64 {
            scalar(tx, &format!("SELECT count(*) FROM contacts WHERE workspace_id = '{DEMO}'")).await
        };
        let read = db.begin_scoped(&demo, false).await.unwrap();
        let first = backend_pid(&read).await;
        assert_eq!(count_demo(&read).await, 482);
        // dropped unfinished, as a read request's transaction is
        db.rollback_later(read);
        let write = db.begin_scoped(&other, true).await.unwrap();
        assert_eq!(backend_pid(&write).await, first, "the read's connection was not handed on");
        assert_eq!(current_setting(&write, "transaction_read_only").await, "off");
        assert!(current_setting(&write, "request.jwt.claims").await.contains(&OTHER.to_string()));
        assert_eq!(count_demo(&write).await, 0, "another workspace's rows after a hand-on");
        db.rollback_later(write);
    }

    /// A page writes text cells as Postgres sends them, unchecked
    /// (`store::contacts::RowText`): only sound where Postgres checked them
    /// on the way in, so the gateway refuses a SQL_ASCII database.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sql_ascii_database_is_refused() {
        let admin = sqlx::PgPool::connect(&crate::helpers::pg_admin_url()).await.unwrap();
        let name = format!("lq_ascii_{}", Uuid::new_v4().simple());
        let create = format!(
            "CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        );
        sqlx::query(sqlx::AssertSqlSafe(create)).execute(&admin).await.unwrap();
        let url = format!("{}/{name}", crate::helpers::pg_admin_url().rsplit_once('/').unwrap().0);
        let refused = Database::connect_url(&url, 1, "latticeiq_app").await;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}"))).execute(&admin).await.unwrap();
        let err = refused.expect_err("a SQL_ASCII database was accepted");
        assert!(format!("{err:#}").contains("SQL_ASCII"), "{err:#}");
        // a UTF8 one is taken
        assert!(Database::connect_url(&crate::helpers::pg_admin_url(), 1, "latticeiq_app").await.is_ok());
    }

    /// A handed-on connection nobody takes goes back to the pool within a
    /// few `WARM_FOR`s, its transaction rolled back: it does not sit in an
    /// open transaction, holding locks. (Its `ROLLBACK` is held back at least
    /// `WARM_FOR`, for the next request's `BEGIN` to carry: measured by the
    /// server's clock, so that a slow test machine cannot miss the window.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_nobody_takes_leaves_its_transaction_soon() {
        use sqlx::Connection as _;
        let (app, db) = demo_on_one_connection(Backend::Postgres).await;
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Viewer };
        let mut observer = sqlx::PgConnection::connect(&app.db_url()).await.unwrap();
        let tx = db.begin_scoped(&claims, false).await.unwrap();
        let pid = backend_pid(&tx).await;
        // When the transaction ended, by the server's clock (no race with
        // the 20 ms the connection is kept: that is read afterwards, from
        // when its state changed).
        let dropped: chrono::DateTime<chrono::Utc> =
            sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(&mut observer).await.unwrap();
        db.rollback_later(tx);
        let mut waited = 0;
        let left = loop {
            let (state, since): (String, chrono::DateTime<chrono::Utc>) =
                sqlx::query_as("SELECT state, state_change FROM pg_stat_activity WHERE pid = $1")
                    .bind(pid)
                    .fetch_one(&mut observer)
                    .await
                    .unwrap();
            if state == "idle" {
                break since;
            }
            assert_eq!(state, "idle in transaction");
            assert!(waited < 2000, "still {state} after {waited} ms");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            waited += 10;
        };
        let held = (left - dropped).num_milliseconds();
        assert!(held >= 15, "left its transaction {held} ms after it ended: the ROLLBACK was not kept back");
        assert!(held <= 200, "left its transaction {held} ms after it ended");
    }

    /// A transaction dropped while a statement is in flight (a request that
    /// timed out) does not hand its connection on: it goes back to the pool,
    /// whose check waits for the statement's end, and the next transaction
    /// gets another connection at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_with_a_statement_in_flight_is_not_handed_on() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        // two connections: the next transaction need not wait for the first
        let db = Database::connect_url(&app.db_url(), 2, "latticeiq_app").await.unwrap();
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Viewer };
        let tx = db.begin_scoped(&claims, false).await.unwrap();
        let first = backend_pid(&tx).await;
        let sleep = Statement::from_string(DbBackend::Postgres, "SELECT pg_sleep(0.5)");
        let cut = tokio::time::timeout(std::time::Duration::from_millis(50), tx.query_one_raw(sleep)).await;
        assert!(cut.is_err(), "the statement ended before it was cut");
        db.rollback_later(tx);
        let next = db.begin_scoped(&claims, false).await.unwrap();
        assert_ne!(backend_pid(&next).await, first, "a connection with a statement in flight was handed on");
        db.rollback_later(next);
    }

    /// The readiness check (which takes a connection as a request does) is
    /// ready only while every migration of the binary is applied.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readiness_needs_every_migration_applied() {
        let app = TestApp::spawn(Backend::Postgres).await;
        assert!(app.db.ready().await);
        let last = app.sql("SELECT max(version) FROM seaql_migrations").await;
        let last: String = last[0].try_get_by_index(0).unwrap();
        app.sql(&format!("UPDATE seaql_migrations SET version = 'x' || version WHERE version = '{last}'"))
            .await;
        let missing = app.db.ready().await;
        app.sql(&format!("UPDATE seaql_migrations SET version = '{last}' WHERE version = 'x{last}'")).await;
        assert!(!missing, "ready without {last}");
        assert!(app.db.ready().await);
    }

    /// A transaction whose `BEGIN` (with the RLS settings) fails leaves its
    /// connection in an aborted transaction block: it must not go back to
    /// the pool. With one pooled connection, the next transaction would
    /// fail too if it did. The failure is the transaction's, reported by its
    /// `BEGIN` or, where a driver sends the `BEGIN` with the first statement
    /// (`bench/pipeline/`), by that statement: either way nothing is read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_connection_whose_begin_failed_is_not_reused() {
        let app = TestApp::with_demo(Backend::Postgres).await;
        let role = format!("latticeiq_late_{}", Uuid::new_v4().simple());
        let db = Database::connect_url(&app.db_url(), 1, &role).await.unwrap();
        let claims = Claims { user_id: None, workspace_id: DEMO, role: Role::Viewer };
        let count = || async {
            let tx = db.begin_scoped(&claims, false).await?;
            let rows = tx
                .query_all_raw(Statement::from_string(DbBackend::Postgres, "SELECT count(*) FROM contacts"))
                .await?;
            db.rollback(tx).await?;
            Ok::<i64, sea_orm::DbErr>(rows[0].try_get_by_index(0).unwrap())
        };
        // the role does not exist yet: set_config('role', ...) fails
        let err = count().await.expect_err("a missing role was accepted");
        assert!(err.to_string().contains(&role), "{err}");
        app.sql(&format!("CREATE ROLE {role} NOLOGIN")).await;
        app.sql(&format!("GRANT latticeiq_app TO {role}")).await;
        let outcome = count().await;
        drop(db);
        app.sql(&format!("DROP ROLE {role}")).await;
        assert_eq!(outcome.unwrap(), 482, "the transaction after a failed BEGIN");
    }
}
