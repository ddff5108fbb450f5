//! Postgres plans (SPEC §5): at 100 000 contacts in the workspace plus
//! 100 000 in another, the page queries the gateway actually sends use an
//! index — no sequential scan of `contacts`.

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
        ("search", format!("{{ contacts(first: 50, search: \"mar\") {{ nodes {{ {fields} }} }} }}")),
    ];
    for (name, query) in queries {
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
