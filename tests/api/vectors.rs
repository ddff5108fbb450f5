//! The shared fixture vectors again, this time through GraphQL on contacts
//! created from them (`previewTemplate`, `icpMatch`), and — on Postgres — the
//! SQL functions against the Rust rules on seeded data.

use latticeiq::auth::Role;
use latticeiq::domain::templates::value_to_text;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::{
    all_contacts, contact_from_map, insert_contacts, insert_icp, read_fixture, set_products,
};
use crate::helpers::{Backend, TestApp};

const WS: Uuid = Uuid::from_u128(0x4444_4444_4444_4444_4444_4444_4444_4444);

fn offsets_in(error: &str) -> Vec<String> {
    error.split("offset ").skip(1).map(|s| s.chars().take_while(char::is_ascii_digit).collect()).collect()
}

both_backends!(template_vectors_render_the_same_through_preview_template, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let token = app.token(WS, Role::Member);
    let cases = read_fixture("templates.json")["cases"].as_array().unwrap().clone();
    assert!(cases.len() >= 10);
    for case in cases {
        let template = case["template"].as_str().unwrap();
        let contact = contact_from_map(WS, case["contact"].as_object().unwrap());
        insert_contacts(&app.db, WS, std::slice::from_ref(&contact)).await;
        set_products(&app.db, WS, case.get("products").cloned().unwrap_or(json!({}))).await;
        let q = "query($b: String, $c: UUID!, $v: JSON) { previewTemplate(body: $b, contactId: $c, variables: $v) { body subject usedVariables missingVariables defaultedVariables complete } }";
        let vars = json!({"b": template, "c": contact.id, "v": case.get("variables").cloned().unwrap_or(Value::Null)});
        if let Some(error) = case.get("error").and_then(Value::as_str) {
            let (_, body) = app.post(Some(&token), q, vars).await;
            let e = &body["errors"][0];
            assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{template}: {body}");
            assert_eq!(e["extensions"]["field"], "body");
            let message = e["message"].as_str().unwrap();
            for offset in offsets_in(error) {
                assert!(
                    message.contains(&format!("offset {offset}")),
                    "{template}: {message} lacks offset {offset}"
                );
            }
            for name in ["favourite_colour", "shoe_size"] {
                if error.contains(name) {
                    assert!(message.contains(name), "{message} lacks {name}");
                }
            }
            continue;
        }
        let r = &app.gql(&token, q, vars).await["previewTemplate"];
        assert_eq!(r["body"], case["rendered"], "{template}");
        assert_eq!(r["subject"], Value::Null);
        assert_eq!(r["usedVariables"], case["used"], "{template}");
        assert_eq!(r["missingVariables"], case["missing"], "{template}");
        assert_eq!(r["defaultedVariables"], case["defaulted"], "{template}");
        assert_eq!(r["complete"], case["complete"], "{template}");
    }
});

both_backends!(icp_vectors_score_the_same_through_icp_match, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let token = app.token(WS, Role::Viewer);
    let fixture = read_fixture("icp_scoring.json");
    let mut icp_ids: Map<String, Value> = Map::new();
    for (name, icp) in fixture["icps"].as_object().unwrap() {
        let id = insert_icp(&app.db, WS, name, icp["criteria"].clone(), icp["scoring_weights"].clone()).await;
        icp_ids.insert(name.clone(), json!(id));
    }
    for case in fixture["cases"].as_array().unwrap() {
        let contact = contact_from_map(WS, case["contact"].as_object().unwrap());
        insert_contacts(&app.db, WS, std::slice::from_ref(&contact)).await;
        let icp = &icp_ids[case["icp"].as_str().unwrap()];
        let d = app
            .gql(&token, "query($c: UUID!, $i: UUID) { contact(id: $c) { icpMatchScore(icpId: $i) icpMatch(icpId: $i) { score tier breakdown { criterion matched } } } }", json!({"c": contact.id, "i": icp}))
            .await;
        let m = &d["contact"]["icpMatch"];
        assert_eq!(m["score"], case["score"], "{case}");
        assert_eq!(d["contact"]["icpMatchScore"], case["score"]);
        assert_eq!(m["tier"].as_str().unwrap().to_lowercase(), case["tier"].as_str().unwrap(), "{case}");
        let matched: Map<String, Value> = m["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["criterion"].as_str().unwrap().to_owned(), c["matched"].clone()))
            .collect();
        assert_eq!(Value::Object(matched), case["matched"], "{case}");
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_icp_scores_equal_the_rust_scorer_on_a_thousand_contacts() {
    let app = TestApp::spawn(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 1200, 3).await.unwrap();
    let rows = all_contacts(&app.db, WS).await;
    let fixture = read_fixture("icp_scoring.json");
    let mut compared = 0;
    for (name, icp) in fixture["icps"].as_object().unwrap() {
        let prepared = latticeiq::domain::icp::parse_icp(&icp["criteria"], Some(&icp["scoring_weights"]))
            .unwrap()
            .prepare();
        let sql = app
            .db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT c.id, calculate_icp_match(c, $1, $2), calculate_icp_match(c.id, $1, $2) FROM contacts c WHERE workspace_id = $3 ORDER BY c.id",
                [icp["criteria"].clone().into(), icp["scoring_weights"].clone().into(), WS.into()],
            ))
            .await
            .unwrap();
        assert_eq!(sql.len(), rows.len());
        for (row, m) in sql.iter().zip(&rows) {
            let id: Uuid = row.try_get_by_index(0).unwrap();
            let by_row: i32 = row.try_get_by_index(1).unwrap();
            let by_id: i32 = row.try_get_by_index(2).unwrap();
            assert_eq!(id, m.id);
            let rust = prepared.score_value(&latticeiq::store::contacts::icp_contact(m));
            assert_eq!((by_row, by_id), (rust, rust), "ICP {name}, contact {id}");
            compared += 1;
        }
    }
    assert!(compared >= 5 * 1200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_contact_field_equals_contact_field_for_every_alias_and_column() {
    let app = TestApp::spawn(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 300, 9).await.unwrap();
    let token = app.token(WS, Role::Viewer);
    let mut names: Vec<&str> = latticeiq::domain::fields::ALIASES.iter().map(|(a, _)| *a).collect();
    names.extend(
        latticeiq::domain::fields::CONTACT_COLUMNS
            .iter()
            .filter(|c| !matches!(**c, "enrichment_data" | "kernel_analysis" | "product_match")),
    );
    let selection: String =
        names.iter().enumerate().map(|(i, n)| format!("f{i}: field(name: \"{n}\") ")).collect();
    let sql_cols: String = names.iter().map(|n| format!(", get_contact_field(c, '{n}')")).collect();
    let mut after: Option<String> = None;
    let mut checked = 0;
    loop {
        let d = app
            .gql(&token, &format!("query($a: String) {{ contacts(first: 50, after: $a) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id {selection} }} }} }}"), json!({"a": after}))
            .await;
        for node in d["contacts"]["nodes"].as_array().unwrap() {
            let id: Uuid = node["id"].as_str().unwrap().parse().unwrap();
            let row = app
                .db
                .conn()
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!("SELECT c.id{sql_cols} FROM contacts c WHERE c.id = $1"),
                    [id.into()],
                ))
                .await
                .unwrap()
                .unwrap();
            for (i, name) in names.iter().enumerate() {
                let sql: Option<String> = row.try_get_by_index(i + 1).unwrap();
                let api = &node[format!("f{i}")];
                let api_text = if api.is_null() { None } else { Some(value_to_text(api)) };
                assert_eq!(api_text, sql, "field {name} of {id}");
                checked += 1;
            }
        }
        if !d["contacts"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = d["contacts"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(checked, 300 * names.len());
    // an unknown name is an error in SQL too
    let err = app
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT get_contact_field(c, 'favourite_colour') FROM contacts c LIMIT 1".to_owned(),
        ))
        .await;
    assert!(err.is_err());
}
