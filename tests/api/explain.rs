//! Postgres plans (SPEC §5): at 100 000 contacts in the workspace plus
//! 100 000 in another, the page queries the gateway actually sends, with
//! their totalCount, use an index — no sequential scan of `contacts` — and
//! search and tag filters reach their GIN indexes despite RLS.

use latticeiq::auth::{Claims, Role};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Backend, OTHER, TestApp};

const WS: Uuid = Uuid::from_u128(0x5555_5555_5555_5555_5555_5555_5555_5555);

fn plan_nodes(plan: &Value, out: &mut Vec<(String, Option<String>, Option<String>)>) {
    out.push((
        plan["Node Type"].as_str().unwrap_or("").to_owned(),
        plan["Relation Name"].as_str().map(str::to_owned),
        plan["Index Name"].as_str().map(str::to_owned),
    ));
    if let Some(children) = plan["Plans"].as_array() {
        for c in children {
            plan_nodes(c, out);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_contact_queries_use_indexes_at_100k_contacts() {
    let app = TestApp::spawn(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 100_000, 1).await.unwrap();
    latticeiq::seed::seed_workspace(&app.db, OTHER, 100_000, 2).await.unwrap();
    app.db.conn().execute_unprepared("ANALYZE contacts").await.unwrap();
    let token = app.token(WS, Role::Viewer);
    let fields = "id firstName lastName email company enrichmentDataQualityScore";
    let queries = [
        ("default order", format!("{{ contacts(first: 50) {{ nodes {{ {fields} }} }} }}")),
        (
            "DATA_QUALITY_SCORE DESC",
            format!(
                "{{ contacts(first: 50, orderBy: [{{field: DATA_QUALITY_SCORE, direction: DESC}}]) {{ nodes {{ {fields} }} }} }}"
            ),
        ),
        (
            "industry filter",
            format!(
                "{{ contacts(first: 50, filter: {{enrichmentCompanyIndustry: {{eq: \"Finance\"}}}}) {{ nodes {{ {fields} }} }} }}"
            ),
        ),
        (
            "industry and quality by ICP score",
            format!(
                "{{ contacts(first: 50, filter: {{enrichmentCompanyIndustry: {{eq: \"Finance\"}}, enrichmentDataQualityScore: {{gte: 60}}}}, orderBy: [{{field: ICP_MATCH_SCORE, direction: DESC}}]) {{ nodes {{ {fields} }} }} }}"
            ),
        ),
        ("search", format!("{{ contacts(first: 50, search: \"mar\") {{ nodes {{ {fields} }} }} }}")),
        (
            "tags",
            format!(
                "{{ contacts(first: 50, filter: {{tags: {{containsAny: [\"webinar\"]}}}}) {{ nodes {{ {fields} }} }} }}"
            ),
        ),
    ];
    for (name, query) in queries {
        // with and without totalCount: the count must not scan the table either
        let counted = query.replacen("{ nodes", "{ totalCount nodes", 1);
        for query in [query, counted] {
            app.gql(&token, "{ viewer { role } }", json!({})).await;
            app.db.stats().start_capture();
            app.gql(&token, &query, json!({})).await;
            let statements = app.db.stats().take_capture();
            let page = statements
                .iter()
                .find(|s| s.contains("FROM \"contacts\"") && s.contains("LIMIT"))
                .unwrap_or_else(|| panic!("{name}: no page query among {statements:#?}"));
            // EXPLAIN it the way the request ran it: as the RLS role, with the claims set
            let claims = Claims { user_id: None, workspace_id: WS, role: Role::Viewer };
            let tx = app.db.begin_scoped(&claims, false).await.unwrap();
            let row = tx
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("EXPLAIN (FORMAT JSON) {page}"),
                ))
                .await
                .unwrap()
                .unwrap();
            app.db.rollback(tx).await.unwrap();
            let plan: Value = row.try_get_by_index(0).unwrap();
            let mut nodes = Vec::new();
            plan_nodes(&plan[0]["Plan"], &mut nodes);
            let seq = nodes.iter().any(|(t, rel, _)| t == "Seq Scan" && rel.as_deref() == Some("contacts"));
            let indexes: Vec<&str> = nodes.iter().filter_map(|(_, _, i)| i.as_deref()).collect();
            eprintln!("{name}: indexes {indexes:?}");
            assert!(!seq, "{name}: sequential scan of contacts\n{plan:#}");
            assert!(!indexes.is_empty(), "{name}: no index used\n{plan:#}");
        }
    }
}

/// How often Postgres has used `index` (statistics are flushed within a second or so).
async fn index_scans(app: &TestApp, index: &str) -> i64 {
    app.db.conn().execute_unprepared("SELECT pg_stat_clear_snapshot()").await.unwrap();
    let rows =
        app.sql(&format!("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = '{index}'")).await;
    rows[0].try_get_by_index(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_tags_use_their_gin_indexes_under_rls() {
    let app = TestApp::spawn(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 20_000, 1).await.unwrap();
    latticeiq::seed::seed_workspace(&app.db, OTHER, 20_000, 2).await.unwrap();
    app.db.conn().execute_unprepared("ANALYZE contacts, contact_search").await.unwrap();
    let token = app.token(WS, Role::Viewer);
    for (index, query) in [
        ("idx_contact_search_vector", "{ contacts(first: 5, search: \"mar\") { totalCount nodes { id } } }"),
        (
            "idx_contacts_tags",
            "{ contacts(first: 5, filter: {tags: {containsAny: [\"webinar\"]}}) { totalCount nodes { id } } }",
        ),
    ] {
        let before = index_scans(&app, index).await;
        let body = app.gql(&token, query, json!({})).await;
        assert!(body["contacts"]["totalCount"].as_i64().is_some_and(|n| n > 0), "{body}");
        let mut after = before;
        for _ in 0..100 {
            after = index_scans(&app, index).await;
            if after > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(after > before, "{index} was not used by {query}");
        if index == "idx_contact_search_vector" {
            // the page and its totalCount share one evaluation of the search
            // (statistics reach pg_stat a moment after the request; let the
            // rest of them arrive)
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            assert_eq!(index_scans(&app, index).await - before, 1, "the search ran more than once");
        }
    }
}

/// E-mail lookups (the uniqueness check of `createContact`/`updateContact`,
/// `importContacts` finding existing rows) reach the unique index on
/// (workspace_id, lower(email)) despite RLS, and an update that keeps the
/// e-mail does not look it up at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_lookups_use_the_unique_index_under_rls() {
    let app = TestApp::spawn(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 20_000, 1).await.unwrap();
    latticeiq::seed::seed_workspace(&app.db, OTHER, 20_000, 2).await.unwrap();
    app.db.conn().execute_unprepared("ANALYZE contacts").await.unwrap();
    let token = app.token(WS, Role::Admin);
    let id: Uuid =
        app.sql(&format!("SELECT id FROM contacts WHERE workspace_id = '{WS}' ORDER BY id LIMIT 1")).await[0]
            .try_get_by_index(0)
            .unwrap();
    let taken: String = app
        .sql(&format!("SELECT email FROM contacts WHERE workspace_id = '{WS}' AND email IS NOT NULL ORDER BY id DESC LIMIT 1"))
        .await[0]
        .try_get_by_index(0)
        .unwrap();
    let index = "contacts_workspace_email_key";
    let update =
        "mutation($id: UUID!, $i: UpdateContactInput!) { updateContact(id: $id, input: $i) { email } }";
    let import = "mutation($csv: String!) { importContacts(csv: $csv) { created updated } }";
    let csv = format!("email,first_name\n{},Renamed\nbrand.new@example.org,New\n", taken.to_uppercase());
    let cases: [(&str, &str, Value); 4] = [
        ("update to a free e-mail", update, json!({"id": id, "i": {"email": "moved@example.org"}})),
        ("create", "mutation { createContact(input: {email: \"fresh@example.org\"}) { id } }", json!({})),
        ("import", import, json!({"csv": csv})),
        ("update to a taken e-mail", update, json!({"id": id, "i": {"email": taken.to_uppercase()}})),
    ];
    for (name, query, variables) in cases {
        let before = index_scans(&app, index).await;
        let (_, body) = app.post(Some(&token), query, variables).await;
        if name == "update to a taken e-mail" {
            assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT", "{body}");
        } else {
            assert!(body.get("errors").is_none(), "{name}: {body}");
        }
        if name == "import" {
            assert_eq!(body["data"]["importContacts"]["updated"], 1, "{body}");
            assert_eq!(body["data"]["importContacts"]["created"], 1, "{body}");
        }
        let mut after = before;
        for _ in 0..100 {
            after = index_scans(&app, index).await;
            if after > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(after > before, "{index} was not used by {name}");
    }
    // A write that keeps the e-mail (even re-cased) does not look it up.
    app.gql(&token, update, json!({"id": id, "i": {"notes": "called"}})).await;
    for variables in
        [json!({"id": id, "i": {"notes": "again"}}), json!({"id": id, "i": {"email": "MOVED@example.org"}})]
    {
        app.db.stats().start_capture();
        app.gql(&token, update, variables).await;
        let sql = app.db.stats().take_capture().join("\n");
        assert!(sql.contains("UPDATE \"contacts\""), "{sql}");
        assert!(!sql.contains("latticeiq_contact_ids_by_email"), "{sql}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_document_is_an_inlined_expression_giving_the_words_of_the_contact() {
    // The triggers that keep `contact_search` compute the document of every
    // inserted contact (1 000 000 in a seed): the function must inline into
    // plain expressions (no SQL-function call per row), and give exactly the
    // words `latticeiq_words` gives.
    let app = TestApp::spawn(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 300, 5).await.unwrap();
    let conn = app.db.conn();
    conn.execute_unprepared(
        "INSERT INTO contacts (workspace_id, first_name, last_name, email, company) VALUES \
         ('55555555-5555-5555-5555-555555555555', 'Ánna-Marie', NULL, 'X.Y@Zeta.COM', 'Straße 1 GmbH'), \
         ('55555555-5555-5555-5555-555555555555', NULL, NULL, NULL, NULL), \
         ('55555555-5555-5555-5555-555555555555', '  ', 'O''Brien', NULL, '--')",
    )
    .await
    .unwrap();
    // an UPDATE that changes a word recomputes the document
    conn.execute_unprepared(
        "UPDATE contacts SET company = 'Renamed Holdings' WHERE workspace_id = '55555555-5555-5555-5555-555555555555' \
         AND first_name = 'Ánna-Marie'",
    )
    .await
    .unwrap();
    let differ = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) FILTER (WHERE s.search_vector IS DISTINCT FROM \
               array_to_tsvector(latticeiq_words(concat_ws(' ', first_name, last_name, email, company)))), \
               count(*) FILTER (WHERE s.search_vector @@ 'renamed:* & straße'::tsquery), \
               count(*) FILTER (WHERE s.search_vector @@ 'renamed:* & holdings & zeta & ánna'::tsquery), count(*) \
             FROM contacts c JOIN contact_search s USING (id)"
                .to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let (bad, old, new, all): (i64, i64, i64, i64) = (
        differ.try_get_by_index(0).unwrap(),
        differ.try_get_by_index(1).unwrap(),
        differ.try_get_by_index(2).unwrap(),
        differ.try_get_by_index(3).unwrap(),
    );
    assert_eq!((bad, all), (0, 303), "stored documents differ from latticeiq_words");
    assert_eq!((old, new), (0, 1), "the old company's word is gone, the new one is there");
    let plan = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "EXPLAIN (VERBOSE, FORMAT JSON) SELECT latticeiq_search_vector(first_name, last_name, email, company) \
             FROM contacts"
                .to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let plan: Value = plan.try_get_by_index(0).unwrap();
    let output = plan[0]["Plan"]["Output"].to_string();
    assert!(output.contains("array_to_tsvector"), "{output}");
    assert!(!output.contains("latticeiq_search_vector"), "the search document is not inlined: {output}");
}
