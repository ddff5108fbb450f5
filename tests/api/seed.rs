//! `latticeiq seed`, and the demo `serve` seeds. On Postgres a large seed
//! into an empty `contacts` table is a bulk load (COPY, indexes dropped and
//! rebuilt in one transaction); it must write exactly what the batched
//! INSERTs write and leave the schema as the migrations made it.

use latticeiq::auth::Role;
use latticeiq::seed::{BULK_MIN_CONTACTS, database_is_empty, seed_workspace};
use sea_orm::QueryResult;
use serde_json::json;
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{Backend, OTHER, TestApp};

const WS: Uuid = Uuid::from_u128(0x6666_6666_6666_6666_6666_6666_6666_6666);

fn text(rows: &[QueryResult], column: &str) -> Vec<String> {
    rows.iter().map(|r| r.try_get::<Option<String>>("", column).unwrap().unwrap_or_default()).collect()
}

/// Every index and the RLS flags of the two tables a bulk load touches.
async fn schema_of(app: &TestApp) -> Vec<String> {
    let rows = app
        .sql(
            "SELECT c.relname || ': ' || pg_get_indexdef(i.indexrelid) AS item FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid IN ('contacts'::regclass, 'contact_search'::regclass) \
             UNION ALL SELECT relname || ' rls ' || relrowsecurity || ' force ' || relforcerowsecurity \
             FROM pg_class WHERE oid IN ('contacts'::regclass, 'contact_search'::regclass) ORDER BY 1",
        )
        .await;
    text(&rows, "item")
}

/// A digest of every column of the workspace's contacts, of their search
/// rows and of their kept count.
async fn digest_of(app: &TestApp, workspace: Uuid) -> Vec<String> {
    let rows = app
        .sql(&format!(
            "SELECT (SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM contacts c WHERE c.workspace_id = '{workspace}') AS contacts, \
                    (SELECT md5(string_agg(s::text, '|' ORDER BY s.id)) FROM contact_search s WHERE s.workspace_id = '{workspace}') AS search, \
                    (SELECT count(*)::text FROM contacts WHERE workspace_id = '{workspace}') AS rows, \
                    (SELECT contacts::text FROM contact_counts WHERE workspace_id = '{workspace}') AS kept"
        ))
        .await;
    ["contacts", "search", "rows", "kept"].iter().map(|c| text(&rows, c).remove(0)).collect()
}

// `serve` seeds the demo only into a database with no contacts at all (it
// looks for one row; it used to count them all at every start-up).
both_backends!(the_demo_is_seeded_only_into_a_database_without_contacts, |backend| async move {
    let app = TestApp::spawn(backend).await;
    assert!(database_is_empty(&app.db).await.unwrap(), "a freshly migrated database");
    // a workspace that has made a request has settings, not contacts
    app.gql(&app.token(OTHER, Role::Admin), "{ settings { companyName } }", json!({})).await;
    assert!(database_is_empty(&app.db).await.unwrap(), "another workspace's settings are not the demo");
    seed_workspace(&app.db, WS, 2, 1).await.unwrap();
    assert!(!database_is_empty(&app.db).await.unwrap(), "another workspace's two contacts");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_seed_writes_what_batched_inserts_write_and_restores_every_index() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let schema = schema_of(&app).await;
    assert!(schema.iter().any(|s| s.contains("USING gin")), "the migrations' indexes: {schema:?}");

    let bulk = seed_workspace(&app.db, WS, BULK_MIN_CONTACTS, 3).await.unwrap();
    assert!(bulk.bulk, "a large seed into an empty table is a bulk load");
    assert_eq!(bulk.contacts, BULK_MIN_CONTACTS);
    assert_eq!(schema_of(&app).await, schema, "every index and RLS flag is back");
    let bulk_digest = digest_of(&app, WS).await;
    assert_eq!(bulk_digest[2], BULK_MIN_CONTACTS.to_string());
    assert_eq!(bulk_digest[3], bulk_digest[2], "contact_counts follows a COPY");

    // The same workspace and seed again, through batched INSERTs (the table
    // is no longer empty: another workspace has rows).
    let small = seed_workspace(&app.db, OTHER, 50, 4).await.unwrap();
    assert!(!small.bulk);
    app.sql(&format!("DELETE FROM contacts WHERE workspace_id = '{WS}'")).await;
    let inserted = seed_workspace(&app.db, WS, BULK_MIN_CONTACTS, 3).await.unwrap();
    assert!(!inserted.bulk, "a table with rows is never bulk-loaded");
    assert_eq!(inserted.matched.matched, bulk.matched.matched);
    assert_eq!(digest_of(&app, WS).await, bulk_digest, "COPY and INSERT write the same rows");

    // Through the API, under RLS: each workspace sees its own contacts, and
    // search reads the rebuilt GIN index's table.
    for (workspace, n) in [(WS, BULK_MIN_CONTACTS), (OTHER, 50)] {
        let token = app.token(workspace, Role::Viewer);
        let body = app.gql(&token, "{ contacts(first: 1) { totalCount } }", json!({})).await;
        assert_eq!(body["contacts"]["totalCount"], json!(n), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_seed_is_searchable_and_isolated_like_any_other() {
    let app = TestApp::spawn(Backend::Postgres).await;
    seed_workspace(&app.db, WS, BULK_MIN_CONTACTS, 5).await.unwrap();
    let expected = app
        .sql(&format!(
            "SELECT count(*)::text AS n FROM contacts WHERE workspace_id = '{WS}' \
             AND latticeiq_search_vector(first_name, last_name, email, company) @@ to_tsquery('simple', 'mar:*')"
        ))
        .await;
    let expected: u64 = text(&expected, "n")[0].parse().unwrap();
    assert!(expected > 0);
    let token = app.token(WS, Role::Viewer);
    let body = app
        .gql(&token, r#"{ contacts(first: 5, search: "mar") { totalCount nodes { id } } }"#, json!({}))
        .await;
    assert_eq!(body["contacts"]["totalCount"], json!(expected), "{body}");
    let other = app.token(OTHER, Role::Viewer);
    let body = app.gql(&other, r#"{ contacts(first: 5, search: "mar") { totalCount } }"#, json!({})).await;
    assert_eq!(body["contacts"]["totalCount"], json!(0), "{body}");
}
