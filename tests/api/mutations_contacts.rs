//! Contact mutations and the CSV import: happy paths, every validation rule
//! (with the database unchanged), other workspaces' ids, roles.

use latticeiq::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::{all_contacts, contact_from_map, exec, insert_contacts, snapshot, uuid_sql};
use crate::helpers::{Backend, DEMO, OTHER, TestApp};

const CREATE: &str = "mutation($i: CreateContactInput!) { createContact(input: $i) { id email firstName company tags source enrichmentStatus enrichmentCompanyName enrichmentCompanyRevenue enrichmentCompanyGrowthYoy enrichmentDataQualityScore kernelWhoPersona } }";

/// Sends `query` expecting one error with `code` (and `field`, when given),
/// and checks that no table changed.
pub async fn refused(app: &TestApp, token: &str, query: &str, vars: Value, code: &str, field: Option<&str>) {
    // A token's first request sets its workspace up: that is not the mutation's doing.
    app.post(Some(token), "{ __typename }", json!({})).await;
    let before = snapshot(&app.db).await;
    let (_, body) = app.post(Some(token), query, vars.clone()).await;
    let e = &body["errors"][0];
    assert_eq!(e["extensions"]["code"], code, "{query} {vars}: {body}");
    if let Some(f) = field {
        assert_eq!(e["extensions"]["field"], f, "{query} {vars}: {body}");
    }
    let after = snapshot(&app.db).await;
    if after != before {
        panic!(
            "a refused mutation changed the database: {query} {vars}\n{}",
            first_difference(&before, &after)
        );
    }
}

/// Where two snapshots first differ, briefly.
pub fn first_difference(a: &str, b: &str) -> String {
    let i = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let from = a[..i].rfind('{').unwrap_or(0);
    let cut = |s: &str| s.get(from..(i + 200).min(s.len())).unwrap_or("").to_owned();
    format!("before: …{}\nafter:  …{}", cut(a), cut(b))
}

both_backends!(create_contact_validates_and_backfills_enrichment, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let data = app
        .gql(
            &t,
            CREATE,
            json!({"i": {"email": "Ada@Example.com", "firstName": " Ada ", "company": "Analytical Engines", "tags": ["vip", "math"],
                  "enrichmentData": {"company": {"name": "Acme Robotics", "industry": "Technology & Software", "revenue": "$12.5M", "employees": 340, "growth_yoy": "18%"},
                                     "person": {"title": "Director", "background": "Builds engines."}},
                  "kernelAnalysis": {"who": {"persona": "Manager"}}}}),
        )
        .await;
    let c = &data["createContact"];
    assert_eq!(c["firstName"], "Ada");
    assert_eq!(c["source"], "manual");
    assert_eq!(c["tags"], json!(["vip", "math"]));
    assert_eq!(c["enrichmentStatus"], "completed");
    assert_eq!(c["enrichmentCompanyName"], "Acme Robotics");
    assert_eq!(c["enrichmentCompanyRevenue"], 12_500_000);
    assert_eq!(c["enrichmentCompanyGrowthYoy"], 0.18);
    assert_eq!(c["enrichmentDataQualityScore"], 100);
    assert_eq!(c["kernelWhoPersona"], "Manager");
    for (input, field) in [
        (json!({"email": "not-an-email"}), Some("email")),
        (json!({"firstName": "x".repeat(101)}), Some("firstName")),
        (json!({"company": "x", "source": "fax"}), Some("source")),
        (json!({"company": "x", "tags": ["ok", ""]}), Some("tags")),
        (json!({"company": "x", "enrichmentData": [1, 2]}), Some("enrichmentData")),
        (json!({"phone": "123"}), None),
    ] {
        refused(&app, &t, CREATE, json!({"i": input}), "BAD_USER_INPUT", field).await;
    }
    // the e-mail is unique per workspace, case-insensitively …
    refused(&app, &t, CREATE, json!({"i": {"email": "ada@example.COM"}}), "CONFLICT", None).await;
    // … but another workspace may use it
    let other = app.token(OTHER, Role::Member);
    app.gql(&other, CREATE, json!({"i": {"email": "ada@example.com"}})).await;
    refused(
        &app,
        &app.token(DEMO, Role::Viewer),
        CREATE,
        json!({"i": {"email": "v@example.com"}}),
        "FORBIDDEN",
        None,
    )
    .await;
});

both_backends!(update_and_delete_touch_only_the_callers_contacts, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let id = app
        .gql(
            &t,
            CREATE,
            json!({"i": {"email": "u@example.com", "company": "Old", "phone": "555", "tags": ["a"]}}),
        )
        .await["createContact"]["id"]
        .clone();
    let upd = "mutation($id: UUID!, $i: UpdateContactInput!) { updateContact(id: $id, input: $i) { company phone tags email updatedAt createdAt } }";
    let d =
        app.gql(&t, upd, json!({"id": id, "i": {"company": "New", "phone": null, "tags": ["b", "c"]}})).await;
    assert_eq!(d["updateContact"]["company"], "New");
    assert_eq!(d["updateContact"]["phone"], Value::Null);
    assert_eq!(d["updateContact"]["tags"], json!(["b", "c"]));
    assert_eq!(d["updateContact"]["email"], "u@example.com", "left-out fields stay");
    refused(&app, &t, upd, json!({"id": id, "i": {"email": "bad"}}), "BAD_USER_INPUT", Some("email")).await;
    refused(
        &app,
        &t,
        upd,
        json!({"id": id, "i": {"lastName": "y".repeat(101)}}),
        "BAD_USER_INPUT",
        Some("lastName"),
    )
    .await;
    refused(&app, &t, upd, json!({"id": id, "i": {"email": null, "company": null}}), "BAD_USER_INPUT", None)
        .await;
    let other = app.token(OTHER, Role::Admin);
    refused(&app, &other, upd, json!({"id": id, "i": {"company": "Hijack"}}), "NOT_FOUND", None).await;
    refused(
        &app,
        &app.token(DEMO, Role::Viewer),
        upd,
        json!({"id": id, "i": {"company": "V"}}),
        "FORBIDDEN",
        None,
    )
    .await;
    // deleting another workspace's ids does nothing; own ids go
    let del = "mutation($ids: [UUID!]!) { deleteContacts(ids: $ids) }";
    assert_eq!(app.gql(&other, del, json!({"ids": [id]})).await["deleteContacts"], 0);
    assert_eq!(app.gql(&t, del, json!({"ids": [id, Uuid::new_v4()]})).await["deleteContacts"], 1);
    assert_eq!(
        app.gql(&t, "query($id: UUID!) { contact(id: $id) { id } }", json!({"id": id})).await["contact"],
        Value::Null
    );
    let many: Vec<Uuid> = (0..1001).map(|_| Uuid::new_v4()).collect();
    refused(&app, &t, del, json!({"ids": many}), "BAD_USER_INPUT", Some("ids")).await;
});

both_backends!(
    every_enrichment_vector_through_enrich_contact_gives_the_expected_columns,
    |backend| async move {
        let app = TestApp::spawn(backend).await;
        let ws = Uuid::new_v4();
        let t = app.token(ws, Role::Member);
        let columns = latticeiq::domain::enrichment::DERIVED_COLUMNS;
        let camel = |c: &str| {
            let mut out = String::new();
            let mut up = false;
            for ch in c.chars() {
                if ch == '_' {
                    up = true;
                } else if up {
                    out.extend(ch.to_uppercase());
                    up = false;
                } else {
                    out.push(ch);
                }
            }
            out
        };
        let selection: String = columns.iter().map(|c| camel(c) + " ").collect::<String>()
            + "enrichmentDataQualityScore enrichmentStatus enrichedAt";
        let mut dirs = vec![crate::fixtures::shared_fixtures().join("enrichment")];
        dirs.push(std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/enrichment")));
        let mut n = 0;
        for dir in dirs {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            for path in files {
                let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let mut existing =
                    case.get("existing").and_then(Value::as_object).cloned().unwrap_or_default();
                existing.insert("first_name".into(), json!("Vector"));
                let contact = contact_from_map(ws, &existing);
                insert_contacts(&app.db, ws, std::slice::from_ref(&contact)).await;
                let q = format!(
                    "mutation($id: UUID!, $d: JSON!, $k: JSON) {{ enrichContact(id: $id, enrichmentData: $d, kernelAnalysis: $k) {{ {selection} }} }}"
                );
                let d = app
                    .gql(
                        &t,
                        &q,
                        json!({"id": contact.id, "d": case["enrichment_data"], "k": case["kernel_analysis"]}),
                    )
                    .await;
                let got = &d["enrichContact"];
                for c in columns.iter().chain(["enrichment_data_quality_score"].iter()) {
                    let want = case["expected"].get(*c).cloned().unwrap_or(Value::Null);
                    let have = got[camel(c)].clone();
                    let same = match (&want, &have) {
                        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                        _ => want == have,
                    };
                    assert!(same, "{}: {c} = {have}, want {want}", path.display());
                }
                assert_eq!(got["enrichmentStatus"], "completed");
                assert!(got["enrichedAt"].is_string());
                n += 1;
            }
        }
        assert!(n >= 8, "only {n} vectors");
        // bad input changes nothing
        let id = all_contacts(&app.db, ws).await[0].id;
        refused(
            &app,
            &t,
            "mutation($id: UUID!) { enrichContact(id: $id, enrichmentData: \"text\") { id } }",
            json!({"id": id}),
            "BAD_USER_INPUT",
            Some("enrichmentData"),
        )
        .await;
        refused(
            &app,
            &app.token(OTHER, Role::Admin),
            "mutation($id: UUID!) { enrichContact(id: $id, enrichmentData: {}) { id } }",
            json!({"id": id}),
            "NOT_FOUND",
            None,
        )
        .await;
    }
);

both_backends!(recalculate_quality_scores_repairs_stored_scores, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    assert_eq!(
        app.gql(&t, "mutation { recalculateQualityScores }", json!({})).await["recalculateQualityScores"],
        0
    );
    exec(&app.db, &format!("UPDATE contacts SET enrichment_data_quality_score = 55 WHERE workspace_id = {} AND first_name = 'Garrett'", uuid_sql(&app.db, DEMO))).await;
    assert_eq!(
        app.gql(&t, "mutation { recalculateQualityScores }", json!({})).await["recalculateQualityScores"],
        1
    );
    let d = app
        .gql(
            &t,
            "{ contacts(search: \"Garrett Golden\") { nodes { enrichmentDataQualityScore } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["contacts"]["nodes"][0]["enrichmentDataQualityScore"], 100);
});

const IMPORT: &str = "mutation($csv: String!, $s: String) { importContacts(csv: $csv, source: $s) { created updated skipped errors { row message } ignoredColumns } }";

both_backends!(csv_import_reads_aliases_quotes_bom_duplicates_and_bad_rows, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let ws = Uuid::new_v4();
    let t = app.token(ws, Role::Member);
    let csv = "\u{feff}Given Name,Surname,Email Address,Organisation,Position,Mobile,LinkedIn Profile,Domain,Industry,Persona Type,Revenue,Tags,Notes,External-ID,HubSpot_ID,Enrichment Data,Favourite Colour\n\
        Ada,Lovelace,ada@example.com,\"Analytical Engines, Ltd\",CTO,+44 1,https://linkedin.com/in/ada,example.com,Computing,Visionary,$4.1M,vip;math,\"Wrote the first\nprogram\",ext-1,hs-1,\"{\"\"company\"\": {\"\"name\"\": \"\"AE Ltd\"\", \"\"industry\"\": \"\"Technology & Software\"\"}}\",blue\n\
        Bad,Row,not-an-email,X,,,,,,,,,,,,,\n\
        ,,nobody@example.com,,,,,,,,,,,,,,\n\
        Alan,Turing,alan@example.com,Bletchley,\"Head of \"\"Research\"\"\",,,,,,,,,,,,\n\
        ,,ADA@EXAMPLE.COM,Analytical Engines,Countess,,,,,,,,,,,,\n";
    let r = app.gql(&t, IMPORT, json!({"csv": csv, "s": "csv"})).await["importContacts"].clone();
    assert_eq!(r["created"], 2, "{r}");
    assert_eq!((r["updated"].clone(), r["skipped"].clone()), (json!(0), json!(0)));
    let rows: Vec<i64> = r["errors"].as_array().unwrap().iter().map(|e| e["row"].as_i64().unwrap()).collect();
    assert_eq!(rows, [2, 3]);
    assert_eq!(r["ignoredColumns"], json!(["Favourite Colour"]));
    let stored = all_contacts(&app.db, ws).await;
    let ada = stored.iter().find(|m| m.email.as_deref() == Some("ada@example.com")).unwrap();
    assert_eq!(
        ada.job_title.as_deref(),
        Some("Countess"),
        "the later row of the same e-mail updates the earlier one"
    );
    assert_eq!(ada.company.as_deref(), Some("Analytical Engines"));
    assert_eq!(ada.notes.as_deref(), Some("Wrote the first\nprogram"));
    assert_eq!(ada.annual_revenue, Some(4_100_000));
    assert_eq!(ada.tags.0, ["vip", "math"]);
    assert_eq!((ada.external_id.as_deref(), ada.hubspot_id.as_deref()), (Some("ext-1"), Some("hs-1")));
    assert_eq!(ada.vertical.as_deref(), Some("Computing"));
    assert_eq!(ada.persona_type.as_deref(), Some("Visionary"));
    assert_eq!(ada.linkedin_url.as_deref(), Some("https://linkedin.com/in/ada"));
    assert_eq!(ada.enrichment_company_name.as_deref(), Some("AE Ltd"), "the enrichment cell is backfilled");
    assert_eq!(ada.enrichment_status, "completed");
    assert_eq!(ada.source.as_deref(), Some("csv"));
    let alan = stored.iter().find(|m| m.email.as_deref() == Some("alan@example.com")).unwrap();
    assert_eq!(alan.job_title.as_deref(), Some("Head of \"Research\""));

    // the same file again changes nothing
    let before = snapshot(&app.db).await;
    let again = app.gql(&t, IMPORT, json!({"csv": csv})).await["importContacts"].clone();
    assert_eq!(
        (again["created"].clone(), again["updated"].clone(), again["skipped"].clone()),
        (json!(0), json!(0), json!(2)),
        "{again}"
    );
    let after = snapshot(&app.db).await;
    assert!(after == before, "{}", first_difference(&before, &after));
    // a changed cell updates; an empty cell does not erase
    let change = "email,company,title\nalan@example.com,GCHQ,\n";
    let r = app.gql(&t, IMPORT, json!({"csv": change})).await["importContacts"].clone();
    assert_eq!((r["created"].clone(), r["updated"].clone()), (json!(0), json!(1)));
    let alan = all_contacts(&app.db, ws)
        .await
        .into_iter()
        .find(|m| m.email.as_deref() == Some("alan@example.com"))
        .unwrap();
    assert_eq!(
        (alan.company.as_deref(), alan.job_title.as_deref()),
        (Some("GCHQ"), Some("Head of \"Research\""))
    );
    // whole-file problems are refused without writing anything
    refused(&app, &t, IMPORT, json!({"csv": "name,company\nx,y\n"}), "BAD_USER_INPUT", Some("csv")).await;
    refused(
        &app,
        &t,
        IMPORT,
        json!({"csv": "email,company\n", "s": "carrier-pigeon"}),
        "BAD_USER_INPUT",
        Some("source"),
    )
    .await;
    refused(&app, &app.token(ws, Role::Viewer), IMPORT, json!({"csv": change}), "FORBIDDEN", None).await;
    // and other workspaces are untouched by e-mails they share
    let other = app.token(OTHER, Role::Member);
    let r = app.gql(&other, IMPORT, json!({"csv": "email,company\nalan@example.com,Elsewhere\n"})).await["importContacts"].clone();
    assert_eq!(r["created"], 1);
});

both_backends!(ten_thousand_rows_import_in_one_call, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let ws = Uuid::new_v4();
    let t = app.token(ws, Role::Member);
    let mut csv = String::from("First Name,Last Name,Email,Company,Title,Tags\n");
    for i in 0..10_000 {
        csv.push_str(&format!("First{i},Last{i},person{i}@example.com,\"Company {i}, Inc\",Title {i},a;b\n"));
    }
    let r = app.gql(&t, IMPORT, json!({"csv": csv})).await["importContacts"].clone();
    assert_eq!(r["created"], 10_000, "{r}");
    assert_eq!(r["errors"], json!([]));
    let n = app.gql(&t, "{ contacts { totalCount } }", json!({})).await["contacts"]["totalCount"].clone();
    assert_eq!(n, 10_000);
    let again = app.gql(&t, IMPORT, json!({"csv": csv})).await["importContacts"].clone();
    assert_eq!((again["created"].clone(), again["skipped"].clone()), (json!(0), json!(10_000)));
    csv.push_str("one,more,one.more@example.com,X,Y,\n");
    refused(&app, &t, IMPORT, json!({"csv": csv}), "BAD_USER_INPUT", Some("csv")).await;
});

both_backends!(a_failing_mutation_leaves_no_partial_write, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    // the first part succeeds on its own, the second fails: nothing is kept
    let before = snapshot(&app.db).await;
    let (_, body) = app
        .post(
            Some(&t),
            "mutation { a: createContact(input: {email: \"first@example.com\"}) { id } b: createContact(input: {email: \"broken\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let after = snapshot(&app.db).await;
    assert!(after == before, "{}", first_difference(&before, &after));
    // an import whose last rows clash in the database (a unique e-mail taken
    // between reading and writing can only be forced directly): the rows
    // written before the failure are rolled back with it
    let before = snapshot(&app.db).await;
    let csv = "email,company\nfresh1@example.com,A\nfresh2@example.com,B\n";
    let (_, body) = app
        .post(
            Some(&t),
            "mutation($csv: String!) { importContacts(csv: $csv) { created } dup: createContact(input: {email: \"FRESH2@example.com\"}) { id } }",
            json!({"csv": csv}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT", "{body}");
    let after = snapshot(&app.db).await;
    assert!(after == before, "{}", first_difference(&before, &after));
    let _ = Backend::Sqlite;
});
