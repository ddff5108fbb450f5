//! The contacts read API (SPEC §7): filters, search, sorts, cursors both
//! ways, computed fields, statement counts, isolation.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use entity::contacts::Model;
use latticeiq::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::{all_contacts, exec, uuid_sql};
use crate::helpers::{Backend, DEMO, OTHER, TestApp};

const WS: Uuid = Uuid::from_u128(0x3333_3333_3333_3333_3333_3333_3333_3333);

async fn seeded(backend: Backend, n: u64) -> (TestApp, Vec<Model>, String) {
    let app = TestApp::spawn(backend).await;
    latticeiq::seed::seed_workspace(&app.db, WS, n, 11).await.unwrap();
    // a second workspace with rows of its own, which must never show up
    latticeiq::seed::seed_workspace(&app.db, OTHER, 40, 12).await.unwrap();
    let rows = all_contacts(&app.db, WS).await;
    let token = app.token(WS, Role::Viewer);
    (app, rows, token)
}

async fn ids_of(app: &TestApp, token: &str, filter: Value) -> BTreeSet<Uuid> {
    let mut out = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .gql(
                token,
                "query($f: ContactFilter, $a: String) { contacts(first: 100, after: $a, filter: $f) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }",
                json!({"f": filter, "a": after}),
            )
            .await;
        let c = &data["contacts"];
        for n in c["nodes"].as_array().unwrap() {
            out.insert(n["id"].as_str().unwrap().parse().unwrap());
        }
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            assert_eq!(c["totalCount"].as_u64().unwrap() as usize, out.len(), "totalCount for {filter}");
            return out;
        }
        after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

fn expect(rows: &[Model], pred: impl Fn(&Model) -> bool) -> BTreeSet<Uuid> {
    rows.iter().filter(|m| pred(m)).map(|m| m.id).collect()
}

/// The most common non-null value of a text column.
fn common(rows: &[Model], get: impl Fn(&Model) -> Option<&str>) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for r in rows {
        if let Some(v) = get(r) {
            *counts.entry(v.to_owned()).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(v, _)| v).expect("a value")
}

fn median(mut values: Vec<i64>) -> i64 {
    values.sort_unstable();
    values[values.len() / 2]
}

type TextGetter = fn(&Model) -> Option<&str>;

const TEXT_FIELDS: [(&str, TextGetter); 11] = [
    ("firstName", |m| m.first_name.as_deref()),
    ("lastName", |m| m.last_name.as_deref()),
    ("email", |m| m.email.as_deref()),
    ("company", |m| m.company.as_deref()),
    ("jobTitle", |m| m.job_title.as_deref()),
    ("source", |m| m.source.as_deref()),
    ("enrichmentStatus", |m| Some(m.enrichment_status.as_str())),
    ("enrichmentCompanyIndustry", |m| m.enrichment_company_industry.as_deref()),
    ("kernelWhoPersona", |m| m.kernel_who_persona.as_deref()),
    ("kernelWhenUrgency", |m| m.kernel_when_urgency.as_deref()),
    ("assignedProduct", |m| m.assigned_product.as_deref()),
];

both_backends!(
    every_string_operator_on_every_text_field_matches_an_independent_computation,
    |backend| async move {
        let (app, rows, token) = seeded(backend, 300).await;
        for (field, get) in TEXT_FIELDS {
            let v = common(&rows, get);
            let other = rows.iter().filter_map(|m| get(m)).find(|x| *x != v).unwrap_or("zzz").to_owned();
            let lower = v.to_lowercase();
            let mid: String = lower.chars().skip(1).take(3).collect();
            let prefix: String = v.chars().take(2).collect::<String>().to_uppercase();
            let cases: Vec<(Value, BTreeSet<Uuid>)> = vec![
                (json!({"eq": v}), expect(&rows, |m| get(m) == Some(v.as_str()))),
                (json!({"neq": v}), expect(&rows, |m| get(m).is_some_and(|x| x != v))),
                (json!({"in": [v, other]}), expect(&rows, |m| get(m).is_some_and(|x| x == v || x == other))),
                (json!({"notIn": [v]}), expect(&rows, |m| get(m).is_some_and(|x| x != v))),
                (
                    json!({"contains": mid}),
                    expect(&rows, |m| get(m).is_some_and(|x| x.to_lowercase().contains(&mid))),
                ),
                (
                    json!({"startsWith": prefix}),
                    expect(&rows, |m| {
                        get(m).is_some_and(|x| x.to_lowercase().starts_with(&prefix.to_lowercase()))
                    }),
                ),
                (json!({"isNull": true}), expect(&rows, |m| get(m).is_none())),
                (json!({"isNull": false}), expect(&rows, |m| get(m).is_some())),
                (json!({"in": []}), BTreeSet::new()),
            ];
            for (op, want) in cases {
                let filter = json!({ field: op });
                assert_eq!(ids_of(&app, &token, filter.clone()).await, want, "{filter}");
            }
        }
    }
);

type IntGetter = fn(&Model) -> Option<i64>;

both_backends!(every_number_operator_on_every_numeric_field_matches, |backend| async move {
    let (app, rows, token) = seeded(backend, 300).await;
    let fields: [(&str, IntGetter); 4] = [
        ("enrichmentCompanyEmployees", |m| m.enrichment_company_employees.map(i64::from)),
        ("enrichmentCompanyRevenue", |m| m.enrichment_company_revenue),
        ("enrichmentDataQualityScore", |m| Some(i64::from(m.enrichment_data_quality_score))),
        ("icpMatchScore", |m| m.icp_match_score.map(i64::from)),
    ];
    for (field, get) in fields {
        let v = median(rows.iter().filter_map(get).collect());
        let cases: Vec<(Value, BTreeSet<Uuid>)> = vec![
            (json!({"eq": v}), expect(&rows, |m| get(m) == Some(v))),
            (json!({"neq": v}), expect(&rows, |m| get(m).is_some_and(|x| x != v))),
            (json!({"gt": v}), expect(&rows, |m| get(m).is_some_and(|x| x > v))),
            (json!({"gte": v}), expect(&rows, |m| get(m).is_some_and(|x| x >= v))),
            (json!({"lt": v}), expect(&rows, |m| get(m).is_some_and(|x| x < v))),
            (json!({"lte": v}), expect(&rows, |m| get(m).is_some_and(|x| x <= v))),
            (json!({"in": [v, 0]}), expect(&rows, |m| get(m).is_some_and(|x| x == v || x == 0))),
            (json!({"isNull": true}), expect(&rows, |m| get(m).is_none())),
            (json!({"gte": v, "lte": v}), expect(&rows, |m| get(m) == Some(v))),
        ];
        for (op, want) in cases {
            let filter = json!({ field: op });
            assert_eq!(ids_of(&app, &token, filter.clone()).await, want, "{filter}");
        }
    }
});

both_backends!(uuid_tag_and_timestamp_filters_match, |backend| async move {
    let (app, rows, token) = seeded(backend, 300).await;
    let icp = rows.iter().find_map(|m| m.icp_id).expect("some contact matched the default ICP");
    let tag = common(&rows, |m| m.tags.0.first().map(String::as_str));
    let tag2 = rows.iter().flat_map(|m| m.tags.0.iter()).find(|t| **t != tag).unwrap().clone();
    let mut times: Vec<_> = rows.iter().map(|m| m.created_at).collect();
    times.sort();
    let t = times[times.len() / 2];
    let cases: Vec<(Value, BTreeSet<Uuid>)> = vec![
        (json!({"icpId": {"eq": icp}}), expect(&rows, |m| m.icp_id == Some(icp))),
        (json!({"icpId": {"in": [icp, Uuid::new_v4()]}}), expect(&rows, |m| m.icp_id == Some(icp))),
        (json!({"icpId": {"isNull": true}}), expect(&rows, |m| m.icp_id.is_none())),
        (json!({"campaignId": {"isNull": true}}), expect(&rows, |m| m.campaign_id.is_none())),
        (json!({"campaignId": {"eq": Uuid::new_v4()}}), BTreeSet::new()),
        (
            json!({"tags": {"containsAny": [tag, tag2]}}),
            expect(&rows, |m| m.tags.0.contains(&tag) || m.tags.0.contains(&tag2)),
        ),
        (
            json!({"tags": {"containsAll": [tag, tag2]}}),
            expect(&rows, |m| m.tags.0.contains(&tag) && m.tags.0.contains(&tag2)),
        ),
        (json!({"tags": {"containsAny": []}}), BTreeSet::new()),
        (json!({"createdAt": {"gt": t}}), expect(&rows, |m| m.created_at > t)),
        (json!({"createdAt": {"lte": t}}), expect(&rows, |m| m.created_at <= t)),
        (json!({"createdAt": {"eq": t}}), expect(&rows, |m| m.created_at == t)),
        (
            json!({"createdAt": {"in": [t, times[0]]}}),
            expect(&rows, |m| m.created_at == t || m.created_at == times[0]),
        ),
        (json!({"updatedAt": {"gte": t}}), expect(&rows, |m| m.updated_at >= t)),
        (json!({"createdAt": {"isNull": false}}), expect(&rows, |_| true)),
    ];
    for (filter, want) in cases {
        assert_eq!(ids_of(&app, &token, filter.clone()).await, want, "{filter}");
    }
});

both_backends!(and_or_not_nest_as_boolean_logic, |backend| async move {
    let (app, rows, token) = seeded(backend, 300).await;
    let ind = common(&rows, |m| m.enrichment_company_industry.as_deref());
    let q = 60;
    let is_ind = |m: &Model| m.enrichment_company_industry.as_deref() == Some(ind.as_str());
    let good = |m: &Model| m.enrichment_data_quality_score >= q;
    let cases: Vec<(Value, BTreeSet<Uuid>)> = vec![
        (
            json!({"and": [{"enrichmentCompanyIndustry": {"eq": ind}}, {"enrichmentDataQualityScore": {"gte": q}}]}),
            expect(&rows, |m| is_ind(m) && good(m)),
        ),
        (
            json!({"or": [{"enrichmentCompanyIndustry": {"eq": ind}}, {"enrichmentDataQualityScore": {"gte": q}}]}),
            expect(&rows, |m| is_ind(m) || good(m)),
        ),
        // not is two-valued: rows with a null industry are "not Finance"
        (json!({"not": {"enrichmentCompanyIndustry": {"eq": ind}}}), expect(&rows, |m| !is_ind(m))),
        (
            json!({"and": [{"enrichmentCompanyIndustry": {"eq": ind}}, {"not": {"enrichmentCompanyIndustry": {"eq": ind}}}]}),
            BTreeSet::new(),
        ),
        (
            json!({"not": {"or": [{"enrichmentCompanyIndustry": {"eq": ind}}, {"not": {"enrichmentDataQualityScore": {"gte": q}}}]}}),
            expect(&rows, |m| !is_ind(m) && good(m)),
        ),
        // fields side by side are an implicit and
        (
            json!({"enrichmentCompanyIndustry": {"eq": ind}, "enrichmentDataQualityScore": {"lt": q}, "or": [{"source": {"eq": "csv"}}, {"source": {"eq": "api"}}]}),
            expect(&rows, |m| is_ind(m) && !good(m) && matches!(m.source.as_deref(), Some("csv" | "api"))),
        ),
        (json!({"or": []}), BTreeSet::new()),
        (json!({}), expect(&rows, |_| true)),
    ];
    for (filter, want) in cases {
        assert_eq!(ids_of(&app, &token, filter.clone()).await, want, "{filter}");
    }
});

/// The expected order of `rows` under (key, ascending) with nulls as the largest value and id last.
fn sort_rows(rows: &mut [Model], key: &dyn Fn(&Model) -> Option<Value>, asc: bool) {
    rows.sort_by(|a, b| {
        let cmp = |x: &Option<Value>, y: &Option<Value>| match (x, y) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => match (x, y) {
                (Value::Number(x), Value::Number(y)) => x.as_f64().unwrap().total_cmp(&y.as_f64().unwrap()),
                (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
                _ => unreachable!(),
            },
        };
        let o = cmp(&key(a), &key(b)).then_with(|| a.id.cmp(&b.id));
        if asc { o } else { o.reverse() }
    });
}

async fn walk(app: &TestApp, token: &str, order: &Value, backward: bool) -> Vec<Uuid> {
    let mut seen: Vec<Uuid> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let q = if backward {
            "query($o: [ContactOrderBy!], $c: String) { contacts(last: 37, before: $c, orderBy: $o) { pageInfo { hasPreviousPage startCursor } edges { cursor node { id } } } }"
        } else {
            "query($o: [ContactOrderBy!], $c: String) { contacts(first: 37, after: $c, orderBy: $o) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }"
        };
        let data = app.gql(token, q, json!({"o": order, "c": cursor})).await;
        let c = &data["contacts"];
        let ids: Vec<Uuid> = c["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().parse().unwrap())
            .collect();
        if backward {
            let mut all = ids;
            all.extend(seen);
            seen = all;
            if !c["pageInfo"]["hasPreviousPage"].as_bool().unwrap() {
                break;
            }
            cursor = c["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        } else {
            seen.extend(ids);
            if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            cursor = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
    }
    seen
}

type SortKey = fn(&Model) -> Option<Value>;

both_backends!(paging_walks_every_contact_once_in_order_under_every_sort, |backend| async move {
    let (app, rows, token) = seeded(backend, 1000).await;
    let sorts: [(&str, SortKey); 8] = [
        ("CREATED_AT", |m| Some(json!(m.created_at.timestamp_micros()))),
        ("UPDATED_AT", |m| Some(json!(m.updated_at.timestamp_micros()))),
        ("LAST_NAME", |m| m.last_name.clone().map(Value::String)),
        ("COMPANY", |m| m.company.clone().map(Value::String)),
        ("DATA_QUALITY_SCORE", |m| Some(json!(m.enrichment_data_quality_score))),
        ("ICP_MATCH_SCORE", |m| m.icp_match_score.map(|v| json!(v))),
        ("COMPANY_REVENUE", |m| m.enrichment_company_revenue.map(|v| json!(v))),
        ("COMPANY_EMPLOYEES", |m| m.enrichment_company_employees.map(|v| json!(v))),
    ];
    for (field, key) in sorts {
        for asc in [true, false] {
            let order = json!([{"field": field, "direction": if asc { "ASC" } else { "DESC" }}]);
            let mut expected = rows.clone();
            sort_rows(&mut expected, &key, asc);
            let expected: Vec<Uuid> = expected.iter().map(|m| m.id).collect();
            let forward = walk(&app, &token, &order, false).await;
            assert_eq!(forward.len(), 1000, "{order}");
            assert_eq!(forward, expected, "forward walk under {order}");
            let backward = walk(&app, &token, &order, true).await;
            assert_eq!(backward, expected, "backward walk under {order}");
        }
    }
    // two keys: company ascending, then quality descending (id follows the last key)
    let order = json!([{"field": "COMPANY", "direction": "ASC"}, {"field": "DATA_QUALITY_SCORE", "direction": "DESC"}]);
    let mut expected = rows.clone();
    expected.sort_by(|a, b| {
        let ca = a.company.as_deref().map(str::as_bytes);
        let cb = b.company.as_deref().map(str::as_bytes);
        let first = match (ca, cb) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => x.cmp(y),
        };
        first
            .then(b.enrichment_data_quality_score.cmp(&a.enrichment_data_quality_score))
            .then(b.id.cmp(&a.id))
    });
    let expected: Vec<Uuid> = expected.iter().map(|m| m.id).collect();
    assert_eq!(walk(&app, &token, &order, false).await, expected);
    assert_eq!(walk(&app, &token, &order, true).await, expected);
});

both_backends!(inserting_a_contact_mid_walk_neither_duplicates_nor_skips, |backend| async move {
    let (app, rows, token) = seeded(backend, 200).await;
    let order = json!([{"field": "CREATED_AT", "direction": "ASC"}]);
    let q = "query($o: [ContactOrderBy!], $c: String) { contacts(first: 37, after: $c, orderBy: $o) { pageInfo { hasNextPage endCursor } nodes { id } } }";
    let mut seen: Vec<Uuid> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = false;
    loop {
        let data = app.gql(&token, q, json!({"o": order, "c": cursor})).await;
        let c = &data["contacts"];
        seen.extend(
            c["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().parse::<Uuid>().unwrap()),
        );
        if !inserted {
            // new contacts both before the cursor (oldest) and after it (newest)
            let mut early = latticeiq::store::contacts::blank(WS);
            early.created_at = rows.iter().map(|m| m.created_at).min().unwrap() - chrono::Duration::days(1);
            let late = latticeiq::store::contacts::blank(WS);
            crate::fixtures::insert_contacts(&app.db, WS, &[early, late]).await;
            inserted = true;
        }
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        cursor = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let unique: BTreeSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a contact was visited twice");
    for m in &rows {
        assert!(unique.contains(&m.id), "{} was skipped", m.id);
    }
    assert_eq!(seen.len(), rows.len() + 1, "only the newer insert lies ahead of the cursor");
});

both_backends!(page_arguments_and_cursors_are_checked, |backend| async move {
    let (app, _rows, token) = seeded(backend, 60).await;
    for (q, field) in [
        ("{ contacts(first: 101) { totalCount } }", "first"),
        ("{ contacts(first: -1) { totalCount } }", "first"),
        ("{ contacts(last: 500) { totalCount } }", "last"),
        ("{ contacts(first: 5, last: 5) { totalCount } }", ""),
        ("{ contacts(after: \"garbage\") { totalCount } }", "after"),
        ("{ contacts(last: 3, before: \"e30\") { totalCount } }", "before"),
        ("{ contacts(orderBy: [{field: LAST_NAME}]) { nodes { id } } }", "-"),
    ] {
        if field == "-" {
            continue;
        }
        let (_, body) = app.post(Some(&token), q, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{q}: {body}");
        if !field.is_empty() {
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{q}");
        }
    }
    // a cursor made under one order is refused under another
    let data = app.gql(&token, "{ contacts(first: 2) { pageInfo { endCursor } } }", json!({})).await;
    let cursor = data["contacts"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    let codes = app
        .gql_err(&token, "query($c: String) { contacts(first: 2, after: $c, orderBy: [{field: LAST_NAME, direction: ASC}]) { nodes { id } } }", json!({"c": cursor}))
        .await;
    assert_eq!(codes, ["BAD_USER_INPUT"]);
    // first: 0 is a valid empty page
    let data = app
        .gql(&token, "{ contacts(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } } }", json!({}))
        .await;
    assert_eq!(data["contacts"]["nodes"].as_array().unwrap().len(), 0);
    assert_eq!(data["contacts"]["totalCount"], 60);
});

/// Words of the names, e-mail and company of `m`.
fn words_of(m: &Model) -> Vec<String> {
    let text = [&m.first_name, &m.last_name, &m.email, &m.company]
        .iter()
        .filter_map(|v| v.as_deref())
        .collect::<Vec<_>>()
        .join(" ");
    latticeiq::domain::words::words(&text)
}

const SEARCHES: [&str; 8] = ["gar", "Golden", "smith", "a", "example.com", "joh sm", "ZZZZZ", "gol gar"];

both_backends!(search_finds_contacts_whose_words_start_with_every_term, |backend| async move {
    let (app, rows, token) = seeded(backend, 300).await;
    let mut searches: Vec<String> = SEARCHES.iter().map(|s| s.to_string()).collect();
    // terms taken from the data: a last name, a company word, an e-mail domain prefix
    searches.push(rows[0].last_name.clone().unwrap());
    searches.push(rows[1].company.clone().unwrap_or_default().chars().take(4).collect());
    searches.push(format!(
        "{} {}",
        rows[2].first_name.clone().unwrap(),
        &rows[2].last_name.clone().unwrap()[..2]
    ));
    for s in searches {
        let terms = latticeiq::domain::words::words(&s);
        let want = expect(&rows, |m| {
            let words = words_of(m);
            terms.iter().all(|t| words.iter().any(|w| w.starts_with(t.as_str())))
        });
        let data = app
            .gql(
                &token,
                "query($s: String) { contacts(first: 100, search: $s) { totalCount nodes { id } } }",
                json!({"s": s}),
            )
            .await;
        assert_eq!(data["contacts"]["totalCount"].as_u64().unwrap() as usize, want.len(), "search {s:?}");
        let got: BTreeSet<Uuid> = data["contacts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().parse().unwrap())
            .collect();
        if want.len() <= 100 {
            assert_eq!(got, want, "search {s:?}");
        }
    }
});

both_backends!(search_pages_in_creation_order_walk_both_ways_like_the_whole_list, |backend| async move {
    // A search alone in creation order is paged from its matches (Postgres);
    // forwards, backwards and ascending it gives exactly the matching rows in
    // the list's own order (created_at, then id).
    let (app, rows, token) = seeded(backend, 300).await;
    let terms = latticeiq::domain::words::words("a");
    let matching: Vec<&Model> =
        rows.iter().filter(|m| words_of(m).iter().any(|w| w.starts_with(terms[0].as_str()))).collect();
    assert!(matching.len() > 60, "the search should match several pages");
    assert_search_pages(&app, &token, "a", &matching).await;
});

/// Pages through `search` alone in creation order, forwards and backwards,
/// descending and ascending, 25 at a time: every page's `totalCount` is the
/// number of `matching` rows, and the pages together are exactly those rows
/// in the list's order (created_at, then id).
async fn assert_search_pages(app: &TestApp, token: &str, search: &str, matching: &[&Model]) {
    for direction in ["DESC", "ASC"] {
        let mut want: Vec<(chrono::DateTime<chrono::Utc>, Uuid)> =
            matching.iter().map(|m| (m.created_at, m.id)).collect();
        want.sort();
        if direction == "DESC" {
            want.reverse();
        }
        let want: Vec<Uuid> = want.into_iter().map(|(_, id)| id).collect();
        let order = format!("[{{field: CREATED_AT, direction: {direction}}}]");
        let page = |args: String| {
            let order = &order;
            async move {
                let q = format!(
                    "{{ contacts(search: \"{search}\", orderBy: {order}, {args}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} nodes {{ id }} }} }}"
                );
                app.gql(token, &q, json!({})).await["contacts"].clone()
            }
        };
        let ids = |c: &Value| -> Vec<Uuid> {
            c["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_str().unwrap().parse().unwrap())
                .collect()
        };
        // forwards
        let mut got = Vec::new();
        let mut args = "first: 25".to_owned();
        loop {
            let c = page(args.clone()).await;
            assert_eq!(c["totalCount"].as_u64().unwrap() as usize, want.len(), "{search:?} {direction}");
            got.extend(ids(&c));
            if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            args = format!("first: 25, after: \"{}\"", c["pageInfo"]["endCursor"].as_str().unwrap());
        }
        assert_eq!(got, want, "{search:?} forwards, {direction}");
        // backwards
        let mut got = Vec::new();
        let mut args = "last: 25".to_owned();
        loop {
            let c = page(args.clone()).await;
            assert_eq!(c["totalCount"].as_u64().unwrap() as usize, want.len(), "{search:?} {direction}");
            let mut p = ids(&c);
            p.extend(got);
            got = p;
            if !c["pageInfo"]["hasPreviousPage"].as_bool().unwrap() {
                break;
            }
            args = format!("last: 25, before: \"{}\"", c["pageInfo"]["startCursor"].as_str().unwrap());
        }
        assert_eq!(got, want, "{search:?} backwards, {direction}");
    }
}

/// 300 contacts on Postgres (as `seeded`), all but five of them with a
/// company word no seeded contact has: "quorv" is a broad search.
async fn broadly_searched() -> (TestApp, Vec<Model>, String) {
    let (app, rows, token) = seeded(Backend::Postgres, 300).await;
    let ws = uuid_sql(&app.db, WS);
    exec(
        &app.db,
        &format!(
            "UPDATE contacts SET company = 'Quorvex ' || coalesce(company, '') WHERE workspace_id = {ws} \
             AND id NOT IN (SELECT id FROM contacts WHERE workspace_id = {ws} ORDER BY id LIMIT 5)"
        ),
    )
    .await;
    (app, rows, token)
}

/// Postgres: a search this process has found broad is read by walking the
/// workspace in creation order and its count is remembered under the
/// workspace's search version. Pages and counts stay exactly those of the
/// data through inserts, renames, deletes and a rolled-back write; writes
/// that leave every document alone keep the version; another workspace
/// never sees this one's memo or rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broad_search_is_walked_and_its_remembered_count_follows_every_write() {
    let (app, rows, token) = broadly_searched().await;
    let ws = uuid_sql(&app.db, WS);
    let rows_now = all_contacts(&app.db, WS).await;
    assert_eq!(rows_now.len(), rows.len());
    let matching = |rows: &[Model]| -> Vec<Model> {
        rows.iter().filter(|m| words_of(m).iter().any(|w| w.starts_with("quorv"))).cloned().collect()
    };
    let m = matching(&rows_now);
    assert_eq!(m.len(), rows.len() - 5);
    let memo = || app.db.searches().get(WS, "'quorv':*");
    assert_eq!(memo(), None);
    // The first page counts the matches and finds the search broad (295 of
    // 300 contacts); every later page walks.
    assert_search_pages(&app, &token, "quorv", &m.iter().collect::<Vec<_>>()).await;
    let (v1, n1) = memo().expect("a broad search is remembered");
    assert_eq!(n1 as usize, m.len());
    // The next page walks, and counts nothing.
    app.db.stats().start_capture();
    app.gql(&token, "{ contacts(first: 25, search: \"quorv\") { totalCount nodes { id } } }", json!({}))
        .await;
    let sql = app.db.stats().take_capture().join("\n");
    assert!(sql.contains("latticeiq_search_walk("), "{sql}");
    assert!(!sql.contains("WITH latticeiq_search"), "{sql}");

    let count = || async {
        app.gql(&token, "{ contacts(first: 3, search: \"quorv\") { totalCount nodes { id } } }", json!({}))
            .await["contacts"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    let version = || async {
        app.sql(&format!("SELECT search_version FROM contact_counts WHERE workspace_id = {ws}")).await[0]
            .try_get_by_index::<i64>(0)
            .unwrap()
    };
    assert_eq!(version().await, v1);

    // A write that changes no document keeps the version (and the memo).
    let admin = app.token(WS, Role::Admin);
    app.gql(
        &admin,
        "mutation($id: UUID!) { updateContact(id: $id, input: {notes: \"called\"}) { id } }",
        json!({"id": m[0].id}),
    )
    .await;
    assert_eq!(version().await, v1);
    assert_eq!(count().await, n1);

    // A new match: the version moves and the count follows.
    app.gql(
        &admin,
        "mutation { createContact(input: {email: \"new@quorvex.io\", firstName: \"Nia\", company: \"Quorvex Labs\"}) { id } }",
        json!({}),
    )
    .await;
    assert_ne!(version().await, v1);
    assert_eq!(count().await, n1 + 1);
    // A rename out of the search.
    app.gql(
        &admin,
        "mutation($id: UUID!) { updateContact(id: $id, input: {company: \"Elsewhere\"}) { id } }",
        json!({"id": m[1].id}),
    )
    .await;
    assert_eq!(count().await, n1);
    // A delete.
    app.gql(&admin, "mutation($ids: [UUID!]!) { deleteContacts(ids: $ids) }", json!({"ids": [m[2].id]}))
        .await;
    assert_eq!(count().await, n1 - 1);
    // A rolled-back insert leaves data and count as they were.
    let before = version().await;
    let failed = sea_orm::ConnectionTrait::execute_unprepared(
        app.db.conn(),&format!(
            "DO $$ BEGIN INSERT INTO contacts (id, workspace_id, email, company) \
             VALUES (gen_random_uuid(), {ws}, 'gone@quorvex.io', 'Quorvex'); RAISE EXCEPTION 'roll back'; END $$"
        ),
    )
    .await;
    assert!(failed.is_err());
    assert_eq!(version().await, before);
    assert_eq!(count().await, n1 - 1);
    // And the pages are still exactly the data's.
    let rows_now = all_contacts(&app.db, WS).await;
    let m = matching(&rows_now);
    assert_eq!(m.len() as i64, n1 - 1);
    assert_search_pages(&app, &token, "quorv", &m.iter().collect::<Vec<_>>()).await;
    assert_eq!(memo().map(|(_, n)| n), Some(n1 - 1));

    // Another workspace: its own (empty) search, none of these rows, and a
    // memo entry of its own only if it were broad.
    let other = app.token(OTHER, Role::Viewer);
    for _ in 0..2 {
        let c = app
            .gql(&other, "{ contacts(first: 50, search: \"quorv\") { totalCount nodes { id } } }", json!({}))
            .await;
        assert_eq!(c["contacts"]["totalCount"], 0);
        assert_eq!(c["contacts"]["nodes"], json!([]));
    }
    assert_eq!(app.db.searches().get(OTHER, "'quorv':*"), None);
    // The walk itself, called directly as the request role with the other
    // workspace's claims, returns none of this workspace's rows.
    let tx = sea_orm::TransactionTrait::begin(app.db.conn()).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &tx,
        &format!(
            "SELECT set_config('request.jwt.claims', '{{\"workspace_id\":\"{OTHER}\"}}', true), \
         set_config('role', 'latticeiq_app', true)"
        ),
    )
    .await
    .unwrap();
    let other_rows: Vec<Uuid> = sea_orm::ConnectionTrait::query_all_raw(
        &tx,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT id FROM latticeiq_search_walk('quorv:*', true, NULL, NULL, 1000)",
        ),
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get_by_index(0).unwrap())
    .collect();
    tx.rollback().await.unwrap();
    assert!(other_rows.is_empty(), "the walk crossed workspaces: {other_rows:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_for_a_broad_search_count_it_once() {
    // A broad search nobody remembers yet: the first request counts its
    // matches, and requests that arrive meanwhile wait for that count and
    // then walk (db::SearchMemo::get_or_claim), instead of each reading
    // every match at once.
    let (app, rows, token) = broadly_searched().await;
    assert_eq!(app.db.searches().get(WS, "'quorv':*"), None);
    // Another session holds the counts table, so the first request's count
    // (which reads the search version there) waits until all have arrived.
    let owner = sqlx::PgPool::connect(&app.db_url()).await.unwrap();
    let mut locker = owner.begin().await.unwrap();
    sqlx::query("LOCK TABLE contact_counts IN ACCESS EXCLUSIVE MODE").execute(&mut *locker).await.unwrap();
    app.db.stats().start_capture();
    let query = "{ contacts(first: 20, search: \"quorv\") { totalCount nodes { id company } } }";
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let (url, token) = (app.url("/graphql"), token.clone());
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"query": query}))
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    locker.commit().await.unwrap();
    let mut answers = Vec::new();
    for r in requests {
        answers.push(r.await.unwrap());
    }
    let sql = app.db.stats().take_capture();
    let counts = sql.iter().filter(|s| s.contains("WITH latticeiq_search")).count();
    let walks = sql.iter().filter(|s| s.contains("latticeiq_search_walk(")).count();
    assert_eq!((counts, walks), (1, 5), "{}", sql.join("\n"));
    for a in &answers {
        assert!(a.get("errors").is_none(), "{a}");
        assert_eq!(a["data"]["contacts"]["totalCount"], rows.len() - 5);
        assert_eq!(a["data"], answers[0]["data"]);
    }
    assert_eq!(answers[0]["data"]["contacts"]["nodes"].as_array().unwrap().len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_gives_the_same_ids_on_sqlite_and_postgres() {
    let (sqlite, _, t1) = seeded(Backend::Sqlite, 500).await;
    let (pg, _, t2) = seeded(Backend::Postgres, 500).await;
    for s in SEARCHES.iter().chain(["ma", "inc", "director", "co", "ann lee"].iter()) {
        let mut sets = Vec::new();
        for (app, token) in [(&sqlite, &t1), (&pg, &t2)] {
            let mut ids = BTreeSet::new();
            let mut after: Option<String> = None;
            loop {
                let d = app
                    .gql(token, "query($s: String, $a: String) { contacts(first: 100, after: $a, search: $s) { pageInfo { hasNextPage endCursor } nodes { id } } }", json!({"s": s, "a": after}))
                    .await;
                for n in d["contacts"]["nodes"].as_array().unwrap() {
                    ids.insert(n["id"].as_str().unwrap().to_owned());
                }
                if !d["contacts"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                    break;
                }
                after = d["contacts"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
            }
            sets.push(ids);
        }
        assert_eq!(sets[0], sets[1], "search {s:?} differs between SQLite and Postgres");
    }
}

both_backends!(a_page_costs_the_same_statements_whatever_its_size, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    latticeiq::seed::seed_workspace(&app.db, WS, 150, 5).await.unwrap();
    let token = app.token(WS, Role::Admin);
    // a custom field and a campaign holding some contacts, so every relation has work to do
    let ws = uuid_sql(&app.db, WS);
    let fid = uuid_sql(&app.db, Uuid::new_v4());
    exec(&app.db, &format!(
        "INSERT INTO contact_field_definitions (id, workspace_id, field_name, display_name, field_type, jsonb_path) \
         VALUES ({fid}, {ws}, 'funding_stage', 'Funding stage', 'text', 'company.funding.stage')"
    )).await;
    let cid = Uuid::new_v4();
    exec(
        &app.db,
        &format!(
            "INSERT INTO campaigns (id, workspace_id, name) VALUES ({}, {ws}, 'Spring')",
            uuid_sql(&app.db, cid)
        ),
    )
    .await;
    exec(
        &app.db,
        &format!(
            "UPDATE contacts SET campaign_id = {} WHERE workspace_id = {ws} AND icp_id IS NOT NULL",
            uuid_sql(&app.db, cid)
        ),
    )
    .await;
    let q = "query($n: Int) { contacts(first: $n) { totalCount nodes { id fullName icp { name } campaign { name } icpMatchScore icpMatch { tier } renderedEmail { body } renderedCallScript { body } field(name: \"funding_stage\") } } }";
    // warm up: the first request of a workspace sets it up
    app.gql(&token, q, json!({"n": 1})).await;
    let mut counts = Vec::new();
    for n in [10, 100] {
        let before = app.statements();
        let data = app.gql(&token, q, json!({"n": n})).await;
        counts.push(app.statements() - before);
        assert_eq!(data["contacts"]["nodes"].as_array().unwrap().len(), n as usize);
        assert!(data["contacts"]["nodes"].as_array().unwrap().iter().any(|c| !c["campaign"].is_null()));
    }
    assert_eq!(counts[0], counts[1], "statements per page: {counts:?}");
    assert!(counts[0] <= 12, "statements per page: {counts:?}");
    eprintln!("statements per page with every computed field ({backend:?}): {}", counts[0]);
});

both_backends!(computed_fields_of_the_demo_contacts_are_consistent, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let data = app
        .gql(&app.admin(), "{ contacts(search: \"Golden\") { nodes { id fullName icpMatchScore storedIcpMatchScore icpMatch { score tier breakdown { criterion weight matched contactValue } } renderedEmail { subject body missingVariables complete } renderedCallScript { subject body defaultedVariables } a: field(name: \"industry\") b: field(name: \"company_revenue\") c: field(name: \"full_name\") d: field(name: \"tags\") icp { name } } } }", json!({}))
        .await;
    let g = &data["contacts"]["nodes"][0];
    assert_eq!(g["fullName"], "Garrett Golden");
    assert_eq!(g["a"], "Technology & Software");
    assert!(g["b"].is_number(), "revenue keeps its type: {}", g["b"]);
    assert_eq!(g["c"], "Garrett Golden");
    // Garrett has no tags, and an empty array counts as missing
    assert_eq!(g["d"], Value::Null);
    assert_eq!(g["icpMatchScore"], g["icpMatch"]["score"]);
    assert_eq!(g["icpMatchScore"], g["storedIcpMatchScore"]);
    assert_eq!(g["icpMatch"]["tier"], "WARM");
    assert_eq!(g["icp"]["name"], "High-Value Decision Makers");
    let breakdown: Vec<&str> = g["icpMatch"]["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(breakdown, ["industry", "persona", "company_size"]);
    assert_eq!(g["renderedEmail"]["subject"], "Garrett, quick question about Technology & Software");
    assert_eq!(g["renderedEmail"]["complete"], true);
    let body = g["renderedEmail"]["body"].as_str().unwrap();
    assert!(!body.contains("{{") && !body.contains('['), "{body}");
    assert_eq!(g["renderedCallScript"]["subject"], Value::Null);
    assert_eq!(g["renderedCallScript"]["defaultedVariables"], json!(["sender_name"]));
    assert!(g["renderedCallScript"]["body"].as_str().unwrap().contains("from LatticeIQ Demo."));
    // JSON columns are read when selected (and skipped when not)
    let j = app
        .gql(
            &app.admin(),
            "{ contacts(search: \"Garrett Golden\") { nodes { enrichmentData kernelAnalysis } } }",
            json!({}),
        )
        .await;
    assert!(j["contacts"]["nodes"][0]["enrichmentData"]["company"].is_object(), "{j}");
    assert!(j["contacts"]["nodes"][0]["kernelAnalysis"].is_object(), "{j}");
    // unknown field names are an error, not null
    let codes = app
        .gql_err(
            &app.admin(),
            "{ contacts(first: 1) { nodes { field(name: \"favourite_colour\") } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes, ["BAD_USER_INPUT"]);
    // sender variables, and a template id of another workspace behaves like a missing one
    let other_tpl = app.gql(&app.token(OTHER, Role::Admin), "{ emailTemplates { id } }", json!({})).await["emailTemplates"][0]["id"].clone();
    let id = g["id"].clone();
    let d = app
        .gql(&app.admin(), "query($id: UUID!, $t: UUID) { contact(id: $id) { renderedCallScript(variables: {sender_name: \"Dana\"}) { body } renderedEmail(templateId: $t) { body } icpMatch(icpId: $t) { score } } }", json!({"id": id, "t": other_tpl}))
        .await;
    assert!(d["contact"]["renderedCallScript"]["body"].as_str().unwrap().contains("this is Dana from"));
    assert_eq!(d["contact"]["renderedEmail"], Value::Null);
    assert_eq!(d["contact"]["icpMatch"], Value::Null);
});

both_backends!(scores_against_two_icps_in_one_selection_are_each_their_own, |backend| async move {
    // `icpMatchScore` and `icpMatch` of one contact share the criteria it
    // met, remembered by ICP id (ContactObject::met): asked against two ICPs
    // in any order in one selection, each must still be the score against
    // its own ICP, as asked alone.
    let (app, _, _) = seeded(backend, 120).await;
    let admin = app.token(WS, Role::Admin);
    let demo =
        app.gql(&admin, "{ idealClientProfiles { id } }", json!({})).await["idealClientProfiles"][0]["id"]
            .clone();
    let wide = app
        .gql(&admin, "mutation { createIdealClientProfile(input: {name: \"Wide\", criteria: {industries: [\"Finance\", \"SaaS\", \"Healthcare\"], personas: [\"Manager\", \"VP\"]}}) { id } }", json!({}))
        .await["createIdealClientProfile"]["id"]
        .clone();
    let both = app
        .gql(
            &admin,
            "query($a: UUID, $b: UUID) { contacts(first: 100) { nodes { id \
             s1: icpMatchScore(icpId: $a) m1: icpMatch(icpId: $b) { score } s2: icpMatchScore(icpId: $b) \
             m2: icpMatch(icpId: $a) { score tier } s3: icpMatchScore(icpId: $a) } } }",
            json!({"a": demo, "b": wide}),
        )
        .await;
    let alone = |icp: &Value| {
        let app = &app;
        let admin = admin.clone();
        let icp = icp.clone();
        async move {
            app.gql(
                &admin,
                "query($i: UUID) { contacts(first: 100) { nodes { icpMatchScore(icpId: $i) } } }",
                json!({"i": icp}),
            )
            .await["contacts"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["icpMatchScore"].clone())
                .collect::<Vec<_>>()
        }
    };
    let (a, b) = (alone(&demo).await, alone(&wide).await);
    let nodes = both["contacts"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), a.len());
    let mut differ = 0;
    for (i, n) in nodes.iter().enumerate() {
        assert_eq!(n["s1"], a[i], "{n}");
        assert_eq!(n["m2"]["score"], a[i], "{n}");
        assert_eq!(n["s3"], a[i], "{n}");
        assert_eq!(n["s2"], b[i], "{n}");
        assert_eq!(n["m1"]["score"], b[i], "{n}");
        differ += usize::from(a[i] != b[i]);
    }
    assert!(
        differ >= 3,
        "the two ICPs score alike on {} of {} contacts: the test would not see a mix-up",
        nodes.len() - differ,
        nodes.len()
    );
});

both_backends!(the_dashboard_and_stats_of_the_demo_match_the_design_log, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let d = app
        .gql(&app.admin(), "{ contactQualityDashboard { totalContacts highQuality goodQuality fairQuality lowQuality avgQualityScore decisionMakers executives managers assignedToIcp inCampaigns } workspaceStats { totalContacts enrichedContacts decisionMakers activeCampaigns totalTemplates avgQualityScore } campaignPerformance { campaignName } }", json!({}))
        .await;
    assert_eq!(
        d["contactQualityDashboard"],
        json!({"totalContacts": 482, "highQuality": 2, "goodQuality": 0, "fairQuality": 0, "lowQuality": 480, "avgQualityScore": 0.41, "decisionMakers": 1, "executives": 0, "managers": 1, "assignedToIcp": 2, "inCampaigns": 0})
    );
    assert_eq!(
        d["workspaceStats"],
        json!({"totalContacts": 482, "enrichedContacts": 2, "decisionMakers": 1, "activeCampaigns": 0, "totalTemplates": 2, "avgQualityScore": 0.41})
    );
    assert_eq!(d["campaignPerformance"], json!([]));
    // another workspace: zeros, not the demo's figures
    let o = app.gql(&app.token(OTHER, Role::Viewer), "{ contactQualityDashboard { totalContacts avgQualityScore } workspaceStats { totalContacts totalTemplates } }", json!({})).await;
    assert_eq!(o["contactQualityDashboard"], json!({"totalContacts": 0, "avgQualityScore": 0.0}));
    assert_eq!(o["workspaceStats"], json!({"totalContacts": 0, "totalTemplates": 2}));
});

both_backends!(ids_of_another_workspace_behave_like_missing_ones, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let demo = app
        .gql(&app.admin(), "{ contacts(first: 1) { nodes { id } } idealClientProfiles { id } emailTemplates { id } callTemplates { id } settings { workspaceId } }", json!({}))
        .await;
    let other = app.token(OTHER, Role::Admin);
    let vars = json!({
        "c": demo["contacts"]["nodes"][0]["id"],
        "i": demo["idealClientProfiles"][0]["id"],
        "e": demo["emailTemplates"][0]["id"],
        "k": demo["callTemplates"][0]["id"],
    });
    let d = app
        .gql(&other, "query($c: UUID!, $i: UUID!, $e: UUID!, $k: UUID!) { contact(id: $c) { id } idealClientProfile(id: $i) { id } emailTemplate(id: $e) { id } callTemplate(id: $k) { id } campaign(id: $c) { id } contacts(filter: {icpId: {eq: $i}}) { totalCount } all: contacts { totalCount } settings { workspaceId } }", vars.clone())
        .await;
    assert_eq!(d["contact"], Value::Null);
    assert_eq!(d["idealClientProfile"], Value::Null);
    assert_eq!(d["emailTemplate"], Value::Null);
    assert_eq!(d["callTemplate"], Value::Null);
    assert_eq!(d["campaign"], Value::Null);
    assert_eq!(d["contacts"]["totalCount"], 0);
    assert_eq!(d["all"]["totalCount"], 0);
    assert_eq!(d["settings"]["workspaceId"], OTHER.to_string());
    let codes = app
        .gql_err(
            &other,
            "query($c: UUID!, $e: UUID!) { previewTemplate(templateId: $e, contactId: $c) { body } }",
            vars.clone(),
        )
        .await;
    assert_eq!(codes, ["NOT_FOUND"]);
    let own_tpl =
        app.gql(&other, "{ emailTemplates { id } }", json!({})).await["emailTemplates"][0]["id"].clone();
    let codes = app
        .gql_err(
            &other,
            "query($c: UUID!, $e: UUID!) { previewTemplate(templateId: $e, contactId: $c) { body } }",
            json!({"c": vars["c"], "e": own_tpl}),
        )
        .await;
    assert_eq!(codes, ["NOT_FOUND"], "a contact of another workspace is not found");
    let lists = app.gql(&other, "{ idealClientProfiles { name } emailTemplates { name } callTemplates { name } campaigns { totalCount } contactFieldDefinitions { fieldName } }", json!({})).await;
    assert_eq!(lists["idealClientProfiles"].as_array().unwrap().len(), 1, "only its own default ICP");
    assert_eq!(lists["campaigns"]["totalCount"], 0);
    assert!(DEMO != OTHER);
});

/// Whether the view of `row` (`store::contacts::RowColumns::view_into`, on
/// Postgres), read into `v` (which may hold the view of an earlier row of
/// the same `columns`), holds `expected`'s value in each of its cells.
fn same_cells<'r>(
    row: &'r sea_orm::QueryResult,
    columns: &latticeiq::store::contacts::RowColumns,
    v: &mut latticeiq::store::contacts::ContactView<'r>,
    expected: &Model,
) {
    let viewed = columns.view_into(row, v);
    assert_eq!(viewed, row.try_as_pg_row().is_some(), "a view of each Postgres row, of no other");
    if !viewed {
        return;
    }
    // Compared as written by `Debug`: `Some("x")` alike for a `&str` and a `String`.
    macro_rules! same {
        ($($f:ident),*) => {$(
            assert_eq!(format!("{:?}", v.$f), format!("{:?}", expected.$f), stringify!($f));
        )*};
    }
    same!(
        id,
        user_id,
        email,
        first_name,
        last_name,
        company,
        job_title,
        phone,
        linkedin_url,
        website,
        vertical,
        persona_type,
        annual_revenue,
        enrichment_status,
        enriched_at,
        lifecycle_stage,
        lead_status,
        pipeline_stage,
        external_id,
        hubspot_id,
        created_at,
        updated_at,
        enrichment_company_name,
        enrichment_company_revenue,
        enrichment_company_employees,
        enrichment_company_industry,
        enrichment_company_growth_yoy,
        enrichment_person_title,
        enrichment_person_background,
        enrichment_last_enriched_at,
        enrichment_data_quality_score,
        kernel_who_persona,
        kernel_who_influence,
        kernel_when_urgency,
        kernel_when_timing_signal,
        kernel_what_hook,
        best_call_variant_number,
        email_subject,
        email_body_preview,
        assigned_product,
        icp_id,
        icp_match_score,
        campaign_id,
        email_send_id,
        source,
        notes
    );
    // A view borrows its tags (`TagsRef`), a model owns them (`Tags`).
    assert_eq!(format!("{:?}", v.tags.0), format!("{:?}", expected.tags.0), "tags");
}

both_backends!(rows_decode_by_position_exactly_as_by_name, |backend| async move {
    // The list and by-id resolvers decode rows by column position
    // (store::contacts::model_from_row); SeaORM's derived decoder goes by
    // name. Every column is set on some row with a value no other column of
    // its type has, so a position mix-up cannot pass.
    use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryTrait};
    let (app, _rows, _) = seeded(backend, 120).await;
    exec(
        &app.db,
        &format!(
            "UPDATE contacts SET user_id = {u}, email_subject = 'subj', email_body_preview = 'prev', email_send_id = 'send', \
             notes = 'note', hubspot_id = 'hub', external_id = 'ext', pipeline_stage = 'pipe', lead_status = 'lead', \
             lifecycle_stage = 'life', assigned_product = 'prod', phone = 'ph', linkedin_url = 'li', website = 'web', \
             annual_revenue = 7, best_call_variant_number = 3, icp_match_score = 55, \
             kernel_when_timing_signal = 'sig', kernel_what_hook = 'hook', enrichment_person_background = 'bg' \
             WHERE id IN (SELECT id FROM contacts WHERE workspace_id = {ws} ORDER BY id LIMIT 3)",
            u = uuid_sql(&app.db, Uuid::from_u128(42)),
            ws = uuid_sql(&app.db, WS),
        ),
    )
    .await;
    let backend_db = app.db.backend();
    if backend_db == sea_orm::DbBackend::Postgres {
        // timestamps before Postgres's epoch (2000) and Unix's, read from
        // their binary form (store::contacts::PgCell)
        exec(
            &app.db,
            &format!(
                "UPDATE contacts SET enriched_at = (ARRAY['1969-07-20 20:17:40.123456+00', '1999-12-31 23:59:59.999999+00', \
                 '2000-01-01 00:00:00+00', '0001-01-01 00:00:00.000001+00', '9999-12-31 23:59:59.999999+00'])[1 + n % 5]::timestamptz \
                 FROM (SELECT id AS nid, row_number() OVER (ORDER BY id) AS n FROM contacts WHERE workspace_id = {ws}) k \
                 WHERE contacts.id = k.nid AND k.n <= 10",
                ws = uuid_sql(&app.db, WS),
            ),
        )
        .await;
    }
    let raw = app.db.conn().query_all_raw(entity::contacts::Entity::find().build(backend_db)).await.unwrap();
    assert!(raw.len() >= 160, "{}", raw.len());
    let mut full = 0;
    for row in &raw {
        let by_name = Model::from_query_result(row, "").unwrap();
        let by_position = latticeiq::store::contacts::model_from_row(row).unwrap();
        assert_eq!(by_position, by_name);
        full += usize::from(by_name.notes.is_some() && by_name.enrichment_data.is_some());
    }
    assert!(full >= 1, "no row had the rare columns and the JSON set");
    // A row carrying only some columns (as a page selects them): every
    // column carried decodes from its own position, every other one is
    // empty. Each third nullable column is left out, and the rest come in
    // reverse order, so a position mix-up cannot pass.
    use sea_orm::{IdenStatic, Iterable};
    let columns: Vec<entity::contacts::Column> = entity::contacts::Column::iter().collect();
    let kept: Vec<usize> = (0..columns.len())
        .filter(|&k| k % 3 != 1 || !sea_orm::ColumnTrait::def(&columns[k]).is_null())
        .rev()
        .collect();
    assert!(kept.len() < columns.len() - 10);
    let list = kept.iter().map(|&k| format!("\"{}\"", columns[k].as_str())).collect::<Vec<_>>().join(", ");
    let sparse = app
        .db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            backend_db,
            format!("SELECT {list} FROM contacts ORDER BY id"),
        ))
        .await
        .unwrap();
    let whole = app
        .db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            backend_db,
            "SELECT * FROM contacts ORDER BY id".to_owned(),
        ))
        .await
        .unwrap();
    let mut at = vec![None; columns.len()];
    for (p, &k) in kept.iter().enumerate() {
        at[k] = Some(p);
    }
    // One view for all the rows, as a page reads them: each row's view
    // replaces the last one's cells.
    let sparse_columns = latticeiq::store::contacts::RowColumns::new(at.clone());
    let mut view = Default::default();
    for (row, full_row) in sparse.iter().zip(&whole) {
        let mut expected = Model::from_query_result(full_row, "").unwrap();
        for (k, c) in columns.iter().enumerate() {
            match (at[k], c) {
                (Some(_), _) => {}
                (None, entity::contacts::Column::Tags) => expected.tags = entity::Tags::default(),
                (None, c) => {
                    let null = sea_orm::ModelTrait::get(&expected, *c).as_null();
                    sea_orm::ModelTrait::set(&mut expected, *c, null);
                }
            }
        }
        let decoded = latticeiq::store::contacts::model_from_columns(row, &at).unwrap();
        assert_eq!(decoded, expected);
        same_cells(row, &sparse_columns, &mut view, &expected);
    }
    // The cells a page writes from its rows (a view borrowing them, on
    // Postgres) are the model's, whole rows and sparse ones alike; the view
    // finds each column at `Column as usize`, its place in `Column::iter()`.
    for (k, c) in columns.iter().enumerate() {
        assert_eq!(*c as usize, k, "{c:?}");
    }
    let all = latticeiq::store::contacts::RowColumns::new((0..columns.len()).map(Some).collect());
    let mut view = Default::default();
    for row in &raw {
        same_cells(row, &all, &mut view, &Model::from_query_result(row, "").unwrap());
    }
    // A required column left out is an error, not a default: no model, and
    // no view (a page then asks the model, which tells why).
    for required in [entity::contacts::Column::Id, entity::contacts::Column::EnrichmentStatus] {
        let mut missing = at.clone();
        missing[required as usize] = None;
        assert!(latticeiq::store::contacts::model_from_columns(&sparse[0], &missing).is_err());
        let missing = latticeiq::store::contacts::RowColumns::new(missing);
        assert!(!missing.view_into(&sparse[0], &mut Default::default()), "{required:?}");
    }
    // and through GraphQL, by id and in a list
    let t = app.token(WS, Role::Viewer);
    let id = all_contacts(&app.db, WS).await.into_iter().find(|m| m.notes.is_some()).unwrap().id;
    let one = app
        .gql(
            &t,
            "query($id: UUID!) { contact(id: $id) { notes emailSendId hubspotId phone } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        one["contact"],
        json!({"notes": "note", "emailSendId": "send", "hubspotId": "hub", "phone": "ph"})
    );
});

/// A field of the `Contact` type, from introspection.
struct ContactField {
    name: String,
    /// Has arguments at all / has an argument that must be given.
    has_args: bool,
    required_args: bool,
    /// The kind and name of the named type under lists and non-nulls.
    kind: String,
    type_name: String,
}

async fn contact_fields(app: &TestApp, token: &str) -> Vec<ContactField> {
    let schema = app
        .gql(
            token,
            "{ __type(name: \"Contact\") { fields { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }",
            json!({}),
        )
        .await;
    fn leaf(t: &Value) -> &Value {
        if t["ofType"].is_null() { t } else { leaf(&t["ofType"]) }
    }
    schema["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let args = f["args"].as_array().unwrap();
            let t = leaf(&f["type"]);
            ContactField {
                name: f["name"].as_str().unwrap().to_owned(),
                has_args: !args.is_empty(),
                required_args: args.iter().any(|a| a["type"]["kind"] == "NON_NULL"),
                kind: t["kind"].as_str().unwrap().to_owned(),
                type_name: t["name"].as_str().unwrap().to_owned(),
            }
        })
        .collect()
}

both_backends!(a_contact_resolves_alike_with_and_without_fragments, |backend| async move {
    // Plain columns of a contact are written without the engine's per-field
    // resolution unless the selection has fragments or directives (see
    // graphql::contacts::node); both paths must give the same response for
    // every field of the type, with relations, computed fields, aliases,
    // repeated keys and field errors among them.
    let (app, _, token) = seeded(backend, 60).await;
    app.sql(&format!(
        "UPDATE contacts SET phone = '+1 555 0100', hubspot_id = 'h-1', notes = 'Zoë „quoted“ \\ back', \
         enrichment_company_growth_yoy = 0.125, best_call_variant_number = 2, email_send_id = 's-1', \
         enrichment_person_background = 'ß', email_subject = 'Hi', email_body_preview = 'Dear', \
         product_match = '{{\"sba_504\": 0.5}}', user_id = {} WHERE workspace_id = {}",
        uuid_sql(&app.db, OTHER),
        uuid_sql(&app.db, WS)
    ))
    .await;
    let fields = contact_fields(&app, &token).await;
    let plain: Vec<&str> =
        fields.iter().filter(|f| !f.has_args && f.kind == "SCALAR").map(|f| f.name.as_str()).collect();
    assert!(plain.len() >= 50, "{plain:?}");
    // Once with every response key once (where a contact's object is
    // written as JSON by its resolver: `RequestContext::prewrite`), once
    // with keys repeated (where the engine merges values).
    // Computed fields with and without arguments: those a page writes
    // without their resolvers (`node::computed_field`) and those it hands
    // back to them (a breakdown, bad `variables`, an unknown name).
    let (_, icps) = app.post(Some(&token), "{ idealClientProfiles { id } }", json!({})).await;
    let icp = icps["data"]["idealClientProfiles"][0]["id"].as_str().unwrap().to_owned();
    let once = format!(
        "{} __typename icp {{ name }} campaign {{ id }} \
         icpMatchScore icpMatch {{ tier }} renderedEmail {{ subject }} industry: field(name: \"industry\") \
         bad: field(name: \"no_such_field\")",
        plain.join(" ")
    );
    let computed = format!(
        "id email __typename icp {{ name }} bad: field(name: \"no_such_field\") \
         scoreFor: icpMatchScore(icpId: \"{icp}\") matchFor: icpMatch(icpId: \"{icp}\") {{ score tier __typename }} \
         noIcp: icpMatchScore(icpId: \"{OTHER}\") withBreakdown: icpMatch {{ score breakdown {{ criterion matched }} }} \
         mail: renderedEmail(variables: {{sender_name: \"Dana\"}}) {{ subject body usedVariables missingVariables \
         defaultedVariables complete __typename }} call: renderedCallScript(templateId: null, variables: {{sender_name: \"Dana\"}}) \
         {{ subject body complete defaultedVariables }} \
         badVariables: renderedEmail(variables: 5) {{ body }} title: field(name: \"title\") tagList: field(name: \"tags\")"
    );
    let repeated = format!("{once} again: email again: email icp {{ id }}");
    // and plain fields with relations only (a page's contacts then are
    // written straight from their rows, their ICPs from the workspace
    // context: `ContactList`)
    let columns: Vec<&str> = fields
        .iter()
        .filter(|f| !f.has_args && f.kind == "SCALAR" && f.type_name != "JSON")
        .map(|f| f.name.as_str())
        .collect();
    assert!(columns.len() >= 45, "{columns:?}");
    let plain_only = format!("{} __typename icp {{ name }} campaign {{ id }}", columns.join(" "));
    let computed_fields = vec!["id", "email"];
    let by_id = computed.clone();
    // Computed fields that every contact writes in place (`ContactList`
    // writes the whole page itself), and a breakdown that only the contacts
    // with an ICP hand back to the resolver (the page is then written from
    // both, in order).
    let computed_in_place = format!(
        "id email icp {{ id name __typename }} scoreFor: icpMatchScore(icpId: \"{icp}\") \
         matchFor: icpMatch(icpId: \"{icp}\") {{ score tier }} mail: renderedEmail {{ subject body complete }} \
         title: field(name: \"title\") tagList: field(name: \"tags\")"
    );
    let some_resolved =
        format!("{computed_in_place} withBreakdown: icpMatch {{ score breakdown {{ criterion matched }} }}");
    for (selection, selected) in [
        (once, &plain),
        (repeated, &plain),
        (plain_only, &columns),
        (computed, &computed_fields),
        (computed_in_place, &computed_fields),
        (some_resolved, &computed_fields),
    ] {
        let with_errors = selection.contains("bad:");
        let with_bad_variables = selection.contains("badVariables:");
        let direct = format!("{{ contacts(first: 60) {{ totalCount nodes {{ {selection} }} }} }}");
        let fragment = format!(
            "{{ contacts(first: 60) {{ totalCount nodes {{ ...F }} }} }} fragment F on Contact {{ {selection} }}"
        );
        let inline = format!(
            "{{ contacts(first: 60) {{ totalCount nodes {{ ... on Contact {{ {selection} }} }} }} }}"
        );
        let (status, a) = app.post(Some(&token), &direct, json!({})).await;
        assert_eq!(status, 200, "{a}");
        let nodes = a["data"]["contacts"]["nodes"].as_array().unwrap_or_else(|| panic!("{a}"));
        assert_eq!(nodes.len(), 60);
        // the page has values in (nearly) every field, so the comparison is not of nulls
        let empty: Vec<&&str> = selected.iter().filter(|f| nodes.iter().all(|n| n[**f].is_null())).collect();
        let expected_empty: Vec<&&str> = selected.iter().filter(|f| **f == "campaignId").collect();
        assert_eq!(empty, expected_empty, "fields without values");
        assert!(nodes.iter().any(|n| !n["icp"].is_null()) && nodes.iter().any(|n| n["icp"].is_null()));
        if selection.contains("withBreakdown") {
            // contacts written in place (no ICP: null) next to resolved ones
            assert!(nodes.iter().any(|n| n["withBreakdown"].is_null()), "{a}");
            assert!(nodes.iter().any(|n| n["withBreakdown"]["breakdown"].is_array()), "{a}");
        }
        if with_errors {
            assert_eq!(nodes[0]["bad"], Value::Null);
            let per_node = if with_bad_variables { 2 } else { 1 };
            assert_eq!(a["errors"].as_array().map(Vec::len), Some(60 * per_node), "one error per bad field");
        } else {
            assert!(a.get("errors").is_none(), "{a}");
        }
        if with_bad_variables {
            assert_eq!(nodes[0]["badVariables"], Value::Null);
            // the computed fields have values to compare
            for key in ["scoreFor", "matchFor", "withBreakdown", "mail", "call", "title", "tagList"] {
                assert!(nodes.iter().any(|n| !n[key].is_null()), "{key}: {a}");
            }
            assert!(nodes.iter().all(|n| n["noIcp"].is_null()));
        }
        // errors by path, without their locations (the texts differ)
        let errors = |body: &Value| {
            let mut e: Vec<Value> = body["errors"].as_array().cloned().unwrap_or_default();
            for e in &mut e {
                e.as_object_mut().unwrap().remove("locations");
            }
            e.sort_by_key(|e| e["path"].to_string());
            e
        };
        for other in [fragment, inline] {
            let (status, b) = app.post(Some(&token), &other, json!({})).await;
            assert_eq!(status, 200);
            // the same values under the same keys in the same order
            let (da, db) =
                (serde_json::to_string(&a["data"]).unwrap(), serde_json::to_string(&b["data"]).unwrap());
            assert!(da == db, "{other}\n{da}\n{db}");
            assert_eq!(errors(&a), errors(&b), "{other}");
        }
    }
    // One contact by id alike (on Postgres its context is primed from the
    // row, so its computed fields are written in place as a page's are).
    let (_, page) = app.post(Some(&token), "{ contacts(first: 60) { nodes { id icpId } } }", json!({})).await;
    let nodes = page["data"]["contacts"]["nodes"].as_array().unwrap();
    let with_icp = nodes.iter().find(|n| !n["icpId"].is_null()).unwrap();
    let without_icp = nodes.iter().find(|n| n["icpId"].is_null()).unwrap();
    for node in [with_icp, without_icp] {
        let id = node["id"].as_str().unwrap();
        let direct = format!("{{ contact(id: \"{id}\") {{ {by_id} }} }}");
        let fragment = format!("{{ contact(id: \"{id}\") {{ ...F }} }} fragment F on Contact {{ {by_id} }}");
        let (_, a) = app.post(Some(&token), &direct, json!({})).await;
        let (_, b) = app.post(Some(&token), &fragment, json!({})).await;
        assert_eq!(a["data"]["contact"]["id"], node["id"], "{a}");
        assert!(!a["data"]["contact"]["mail"].is_null(), "{a}");
        let (da, db) =
            (serde_json::to_string(&a["data"]).unwrap(), serde_json::to_string(&b["data"]).unwrap());
        assert!(da == db, "by id\n{da}\n{db}");
        assert_eq!(a["errors"].as_array().map(Vec::len), Some(2), "{a}");
    }
});

both_backends!(a_key_selected_twice_merges_whichever_way_it_repeats, |backend| async move {
    // A contact's object is written as JSON by its resolver only when no
    // response key of the document repeats (the engine cannot merge written
    // objects): every way of repeating one must still merge.
    let (app, _, token) = seeded(backend, 3).await;
    let merged = json!({"id": true, "email": true});
    for query in [
        "{ contacts(first: 3) { nodes { id } nodes { email } } }",
        "{ contacts(first: 3) { nodes { id } } contacts(first: 3) { nodes { email } } }",
        "{ contacts(first: 3) { nodes { id ... on Contact { email } } } }",
        "{ contacts(first: 3) { ...A ...B } } fragment A on ContactConnection { nodes { id } } \
         fragment B on ContactConnection { nodes { email } }",
        "{ contacts(first: 3) { edges { node { id } } edges { node { email } } } }",
    ] {
        let (status, body) = app.post(Some(&token), query, json!({})).await;
        assert_eq!(status, 200, "{body}");
        let data = &body["data"]["contacts"];
        let nodes: Vec<&Value> = match data["nodes"].as_array() {
            Some(nodes) => nodes.iter().collect(),
            None => data["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect(),
        };
        assert_eq!(nodes.len(), 3, "{query}: {body}");
        for n in nodes {
            let has: Value = json!({"id": n["id"].is_string(), "email": n["email"].is_string()});
            assert_eq!(has, merged, "{query}: {body}");
        }
    }
    // and aliases that do not repeat a key take the written path alike
    let (_, body) = app
        .post(
            Some(&token),
            "{ a: contacts(first: 3) { nodes { id email } } b: contacts(first: 3) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["a"]["nodes"][2]["id"], body["data"]["b"]["nodes"][2]["id"], "{body}");
    assert!(body["data"]["a"]["nodes"][2]["email"].is_string(), "{body}");
});

/// The demo workspace with every contact's score against its first ICP
/// stored; that ICP's id, and a viewer's token.
async fn demo_with_stored_scores(backend: Backend) -> (TestApp, Value, String) {
    let app = TestApp::with_demo(backend).await;
    let admin = app.token(DEMO, Role::Admin);
    let icps = app.gql(&admin, "{ idealClientProfiles { id } }", json!({})).await;
    let icp = icps["idealClientProfiles"][0]["id"].clone();
    app.gql(
        &admin,
        "mutation($id: UUID!) { matchIdealClientProfile(id: $id, minScore: 0) { matched } }",
        json!({"id": icp}),
    )
    .await;
    let token = app.token(DEMO, Role::Viewer);
    (app, icp, token)
}

both_backends!(a_plain_object_resolves_alike_with_and_without_fragments, |backend| async move {
    // A rendered template, an ICP match and a contact's ICP write their plain fields directly
    // unless the selection has fragments, directives, arguments or
    // sub-selections (graphql::plain); both paths must give the same
    // response, field by field, __typename and repeated keys included.
    // stored scores, so that a page can start with the best matches
    let (app, icp, token) = demo_with_stored_scores(backend).await;
    let rendered =
        "subject body usedVariables missingVariables defaultedVariables complete __typename again: body";
    let matched = "score tier __typename again: tier";
    let profile = "id name description isActive createdAt updatedAt __typename again: name";
    let page = |r: &str, m: &str, p: &str| {
        format!(
            "query($icp: UUID) {{ contacts(first: 60, orderBy: [{{field: ICP_MATCH_SCORE, direction: DESC}}]) {{ nodes {{ id renderedEmail {{ {r} }} \
             renderedCallScript {{ {r} }} icpMatch(icpId: $icp) {{ {m} }} icp {{ {p} }} }} }} }}"
        )
    };
    let vars = json!({"icp": icp});
    let direct = app.gql(&token, &page(rendered, matched, profile), vars.clone()).await;
    let nodes = direct["contacts"]["nodes"].as_array().unwrap();
    assert!(nodes.len() >= 20, "{direct}");
    // values worth comparing: every kind of field holds something somewhere
    for (object, field) in [
        ("renderedEmail", "subject"),
        ("renderedEmail", "usedVariables"),
        ("renderedCallScript", "body"),
        ("icpMatch", "tier"),
        ("icpMatch", "score"),
        ("icp", "name"),
        ("icp", "createdAt"),
    ] {
        assert!(
            nodes.iter().any(|n| !n[object][field].is_null() && n[object][field] != json!([])),
            "{object}.{field} is empty on every contact"
        );
    }
    let tiers: BTreeSet<String> =
        nodes.iter().map(|n| n["icpMatch"]["tier"].as_str().unwrap().to_owned()).collect();
    assert!(tiers.len() >= 2, "{tiers:?}");
    assert_eq!(nodes[0]["renderedEmail"]["__typename"], "RenderedTemplate");
    assert_eq!(
        nodes.iter().find(|n| !n["icp"].is_null()).unwrap()["icp"]["__typename"],
        "IdealClientProfile"
    );
    for (r, m, p) in [
        (
            format!("... on RenderedTemplate {{ {rendered} }}"),
            format!("...on IcpMatch {{ {matched} }}"),
            format!("... on IdealClientProfile {{ {profile} }}"),
        ),
        (
            format!("{rendered} breakdown: usedVariables @include(if: true)"),
            format!("{matched} breakdown {{ matched }}"),
            format!("{profile} breakdown: criteria"),
        ),
    ] {
        let other = app.gql(&token, &page(&r, &m, &p), vars.clone()).await;
        let mut other_nodes = other["contacts"]["nodes"].as_array().unwrap().clone();
        for n in &mut other_nodes {
            for object in ["renderedEmail", "renderedCallScript", "icpMatch", "icp"] {
                if let Some(o) = n[object].as_object_mut() {
                    o.remove("breakdown");
                }
            }
        }
        let (a, b) = (serde_json::to_string(nodes).unwrap(), serde_json::to_string(&other_nodes).unwrap());
        assert!(a == b, "{r} / {m}\n{a}\n{b}");
    }
});

both_backends!(every_field_reads_alike_alone_and_with_all_others, |backend| async move {
    // A page reads only the columns its selection needs: a plain-column
    // selection only those (and the sort keys), any other all but the JSON
    // columns unless a selected field needs them (unread columns are not
    // selected; graphql::contacts::column_reads). Every
    // field of `Contact` selected alone (with `id`) must give what it gives
    // when selected with everything, computed fields included; cursors, made
    // of the sort keys, must not change either.
    let (app, _, token) = demo_with_stored_scores(backend).await;
    // every field callable without arguments, with a sub-selection for objects
    let sub = |ty: &str| match ty {
        "IdealClientProfile" | "Campaign" => " { id name }",
        "IcpMatch" => " { score tier }",
        "RenderedTemplate" => " { subject body }",
        other => panic!("no sub-selection for {other}: add one"),
    };
    let mut selections: Vec<(String, String)> = Vec::new();
    for f in contact_fields(&app, &token).await {
        if f.required_args {
            continue;
        }
        let sel =
            if f.kind == "OBJECT" { format!("{}{}", f.name, sub(&f.type_name)) } else { f.name.clone() };
        selections.push((f.name, sel));
    }
    selections.push(("field".into(), "field(name: \"industry\")".into()));
    assert!(selections.len() >= 58, "{selections:?}");
    let all: Vec<&str> = selections.iter().map(|(_, s)| s.as_str()).collect();
    for order in ["{field: CREATED_AT, direction: DESC}", "{field: COMPANY_REVENUE, direction: ASC}"] {
        let page = |sel: &str| {
            format!(
                "{{ contacts(first: 40, orderBy: [{order}]) {{ totalCount edges {{ cursor node {{ id {sel} }} }} }} }}"
            )
        };
        let full = app.gql(&token, &page(&all.join(" ")), json!({})).await;
        let full_edges = full["contacts"]["edges"].as_array().unwrap().clone();
        assert_eq!(full_edges.len(), 40);
        let filled = |name: &str| full_edges.iter().filter(|e| !e["node"][name].is_null()).count();
        assert!(filled("icpMatchScore") > 0 && filled("icp") > 0, "the demo page has ICP matches");
        for (name, sel) in &selections {
            let alone = app.gql(&token, &page(sel), json!({})).await;
            let edges = alone["contacts"]["edges"].as_array().unwrap();
            assert_eq!(alone["contacts"]["totalCount"], full["contacts"]["totalCount"]);
            for (a, f) in edges.iter().zip(&full_edges) {
                assert_eq!(a["cursor"], f["cursor"], "{order}: cursor with {name} alone");
                assert_eq!(a["node"]["id"], f["node"]["id"], "{order}: order with {name} alone");
                assert_eq!(a["node"][name.as_str()], f["node"][name.as_str()], "{order}: {name} alone");
            }
        }
    }
});

both_backends!(a_page_reads_kernel_analysis_wherever_a_field_or_template_may_use_it, |backend| async move {
    // A page that does not select `kernelAnalysis` (or `field(name:
    // "kernel_analysis")`) reads that column only for rows with an empty
    // derived column it may fill, or when a template of the workspace names
    // it (graphql::contacts::kernel_if_used). Each case here must read on a
    // page exactly what `contact(id)`, which reads whole rows, reads.
    let app = TestApp::with_demo(backend).await;
    let admin = app.admin();
    let two = app.gql(&admin, "{ contacts(first: 2) { nodes { id email } } }", json!({})).await;
    let node = |i: usize| two["contacts"]["nodes"][i].clone();
    let (x, y) = (node(0), node(1));
    let id_of = |n: &Value| uuid_sql(&app.db, n["id"].as_str().unwrap().parse().unwrap());
    // x: derived columns empty, their values only in kernel_analysis (as a
    // writer other than the gateway may leave them)
    exec(
        &app.db,
        &format!(
            "UPDATE contacts SET kernel_analysis = '{{\"who\": {{\"persona\": \"Kernel Persona\"}}, \"what\": {{\"hook\": \"Kernel hook\"}}}}', \
             kernel_who_persona = NULL, persona_type = NULL, kernel_what_hook = '' WHERE id = {}",
            id_of(&x)
        ),
    )
    .await;
    // y: every derived column filled, kernel_analysis with a value of its own
    exec(
        &app.db,
        &format!(
            "UPDATE contacts SET kernel_analysis = '{{\"note\": \"y-kernel\"}}', kernel_who_persona = 'Y Persona', \
             kernel_who_influence = 'High', kernel_when_urgency = 'Now', kernel_when_timing_signal = 'Funding', \
             kernel_what_hook = 'Y hook' WHERE id = {}",
            id_of(&y)
        ),
    )
    .await;
    // `sel` of contact `n`, on a page (filtered to it) and by id: equal.
    let both = |n: Value, sel: String, vars: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            // the variables `sel` uses, declared
            let decls: String = [("$t", ", $t: UUID"), ("$n", ", $n: String!")]
                .into_iter()
                .filter(|(var, _)| sel.contains(var))
                .map(|(_, decl)| decl)
                .collect();
            let mut v = vars.clone();
            v["email"] = n["email"].clone();
            let page = app
                .gql(
                    &admin,
                    &format!(
                        "query($email: String!{decls}) {{ contacts(first: 5, filter: {{email: {{eq: $email}}}}) {{ nodes {{ id {sel} }} }} }}"
                    ),
                    v,
                )
                .await;
            let mut v = vars;
            v["id"] = n["id"].clone();
            let one = app
                .gql(&admin, &format!("query($id: UUID!{decls}) {{ contact(id: $id) {{ id {sel} }} }}"), v)
                .await;
            let nodes = page["contacts"]["nodes"].as_array().unwrap().clone();
            assert_eq!(nodes.len(), 1, "{page}");
            assert_eq!(nodes[0], one["contact"], "{sel}");
            nodes[0].clone()
        }
    };
    let vars = json!({"n": "persona"});
    // an empty derived column falls back to kernel_analysis, in field access and in templates
    let got = both(
        x.clone(),
        "p: field(name: \"persona\") h: field(name: \"hook\") renderedEmail { body }".into(),
        vars.clone(),
    )
    .await;
    assert_eq!(got["p"], "Kernel Persona");
    assert_eq!(got["h"], "Kernel hook");
    // by name: a literal or a variable
    let got =
        both(y.clone(), "k: field(name: \"kernel_analysis\") renderedEmail { body }".into(), vars.clone())
            .await;
    assert_eq!(got["k"], json!({"note": "y-kernel"}));
    let got =
        both(y.clone(), "k: field(name: $n) renderedEmail { body }".into(), json!({"n": "kernel_analysis"}))
            .await;
    assert_eq!(got["k"], json!({"note": "y-kernel"}));
    // a call template that names it (in its body), then an e-mail template (in its subject)
    let call = app
        .gql(
            &admin,
            "mutation($i: CreateCallTemplateInput!) { createCallTemplate(input: $i) { id } }",
            json!({"i": {"name": "Kernel call", "body": "Notes: {{kernel_analysis}}"}}),
        )
        .await["createCallTemplate"]["id"]
        .clone();
    let got = both(
        y.clone(),
        "renderedCallScript(templateId: $t) { body } field(name: \"industry\")".into(),
        json!({"t": call, "n": "x"}),
    )
    .await;
    assert_eq!(got["renderedCallScript"]["body"], "Notes: {\"note\":\"y-kernel\"}");
    app.gql(&admin, "mutation($id: UUID!) { deleteCallTemplate(id: $id) }", json!({"id": call})).await;
    let email = app
        .gql(
            &admin,
            "mutation($i: CreateEmailTemplateInput!) { createEmailTemplate(input: $i) { id } }",
            json!({"i": {"name": "Kernel mail", "subject": "About {{kernel_analysis}}", "body": "Hi {{first_name}}"}}),
        )
        .await["createEmailTemplate"]["id"]
        .clone();
    let got =
        both(y.clone(), "renderedEmail(templateId: $t) { subject }".into(), json!({"t": email, "n": "x"}))
            .await;
    assert_eq!(got["renderedEmail"]["subject"], "About {\"note\":\"y-kernel\"}");
});

/// Statements of one request.
async fn counted(app: &TestApp, token: &str, query: &str) -> (Value, u64) {
    let before = app.statements();
    let data = app.gql(token, query, json!({})).await;
    (data, app.statements() - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_stamp_rides_with_the_contact_reads_and_a_changed_context_is_read_afresh() {
    let app = TestApp::with_demo(Backend::Postgres).await;
    latticeiq::seed::seed_workspace(&app.db, OTHER, 30, 4).await.unwrap();
    let (demo, other) = (app.admin(), app.token(OTHER, Role::Admin));
    let garrett =
        app.gql(&demo, r#"{ contacts(search: "Garrett Golden") { nodes { id } } }"#, json!({})).await;
    let garrett = garrett["contacts"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let by_id = format!(r#"{{ contact(id: "{garrett}") {{ icp {{ name }} }} }}"#);
    let page = "{ contacts(first: 50, orderBy: [{field: ICP_MATCH_SCORE, direction: ASC}]) { nodes { icp { name } } } }";
    let names = |data: &Value| -> BTreeSet<String> {
        data["contacts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["icp"]["name"].as_str())
            .map(str::to_owned)
            .collect()
    };

    // Warm: each workspace's context is remembered once read.
    for token in [&demo, &other] {
        app.gql(token, page, json!({})).await;
    }
    // BEGIN, the RLS settings (claims, role, statement timeout: a `SET
    // LOCAL` each), the read (with the stamp), ROLLBACK: the context
    // statement is saved while the remembered one is current.
    let (data, n) = counted(&app, &demo, &by_id).await;
    assert_eq!(data["contact"]["icp"]["name"], "High-Value Decision Makers");
    assert_eq!(n, 6, "by id with a current context");
    let (data, n) = counted(&app, &demo, page).await;
    assert!(names(&data).contains("High-Value Decision Makers"), "{data}");
    assert_eq!(n, 6, "a page with a current context");

    // A change to the context (the trigger moves the stamp): the next read
    // sees the stamp differ and reads the context afresh, in one statement more.
    app.sql(&format!("UPDATE ideal_client_profiles SET name = 'Renamed ICP' WHERE workspace_id = '{DEMO}'"))
        .await;
    let (data, n) = counted(&app, &demo, &by_id).await;
    assert_eq!(data["contact"]["icp"]["name"], "Renamed ICP", "never the remembered, stale context");
    assert_eq!(n, 7, "by id after a change");
    let (data, n) = counted(&app, &demo, page).await;
    assert!(names(&data).contains("Renamed ICP"), "{data}");
    assert_eq!(n, 6, "a page after the context was read again");

    // Another workspace is primed with its own context only.
    let (data, n) = counted(&app, &other, page).await;
    // (its default ICP has the default name; the demo's was renamed)
    assert_eq!(names(&data), BTreeSet::from(["High-Value Decision Makers".to_owned()]), "{data}");
    assert_eq!(n, 6);
    let (data, _) = counted(&app, &other, &by_id).await;
    assert_eq!(data["contact"], Value::Null, "another workspace's contact stays invisible");
}

both_backends!(a_page_reading_more_paths_than_a_cell_holds_answers_alike, |backend| async move {
    // On Postgres a page reads the values at its paths as cells of at most
    // 99 paths each (`json_reads::PATHS_PER_CELL`): a template naming 105
    // custom fields takes two cells, and each value must come from its own
    // path in either.
    let (app, rows, token) = seeded(backend, 12).await;
    let admin = app.token(WS, Role::Admin);
    let n = 105;
    for i in 0..n {
        app.gql(
            &admin,
            "mutation($i: CreateContactFieldDefinitionInput!) { createContactFieldDefinition(input: $i) { id } }",
            json!({"i": {"fieldName": format!("f{i}"), "displayName": format!("F {i}"), "jsonbPath": format!("k{i}.v")}}),
        )
        .await;
    }
    // Contact j holds `i * 100 + j` at `k{i}.v` where i ≡ j (mod 4), a JSON
    // null where i ≡ j + 1, and nothing elsewhere.
    for (j, row) in rows.iter().enumerate() {
        let mut data = serde_json::Map::new();
        for i in 0..n {
            if i % 4 == j % 4 {
                data.insert(format!("k{i}"), json!({"v": i * 100 + j}));
            } else if i % 4 == (j + 1) % 4 {
                data.insert(format!("k{i}"), json!({"v": null}));
            }
        }
        app.sql(&format!(
            "UPDATE contacts SET enrichment_data = '{}' WHERE id = {}",
            Value::Object(data),
            uuid_sql(&app.db, row.id)
        ))
        .await;
    }
    let body: Vec<String> = (0..n).map(|i| format!("{{{{f{i}}}}}")).collect();
    let template = app
        .gql(
            &admin,
            "mutation($i: CreateEmailTemplateInput!) { createEmailTemplate(input: $i) { id } }",
            json!({"i": {"name": "many", "subject": "s", "body": body.join("|")}}),
        )
        .await["createEmailTemplate"]["id"]
        .clone();
    let fields = "id mail: renderedEmail(templateId: $t) { body missingVariables }";
    let page = format!("query($t: UUID) {{ contacts(first: 20) {{ nodes {{ {fields} }} }} }}");
    let vars = json!({"t": template});
    // the first read leaves the context remembered
    app.post(Some(&token), &page, vars.clone()).await;
    app.db.stats().start_capture();
    let (status, body) = app.post(Some(&token), &page, vars).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let sql = app.db.stats().capture.lock().unwrap().take().unwrap().join("\n");
    let cells = if backend == Backend::Postgres { 2 } else { 0 };
    assert_eq!(sql.matches(" AS \"__path_").count(), cells, "{sql}");
    let nodes = body["data"]["contacts"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 12);
    for node in nodes {
        let j = rows.iter().position(|r| json!(r.id) == node["id"]).unwrap();
        let texts: Vec<&str> = node["mail"]["body"].as_str().unwrap().split('|').collect();
        assert_eq!(texts.len(), n);
        for (i, text) in texts.into_iter().enumerate() {
            let expected = if i % 4 == j % 4 { (i * 100 + j).to_string() } else { String::new() };
            assert_eq!(text, expected, "f{i} of contact {j}");
        }
        assert_eq!(
            node["mail"]["missingVariables"].as_array().unwrap().len(),
            n - n.div_ceil(4) + usize::from(j % 4 >= n % 4),
            "{node}"
        );
        // as one contact by id reads it (the whole row)
        let one = format!("query($t: UUID, $id: UUID!) {{ contact(id: $id) {{ {fields} }} }}");
        let (_, by_id) = app.post(Some(&token), &one, json!({"t": template, "id": node["id"]})).await;
        assert_eq!(&by_id["data"]["contact"], node, "{by_id}");
    }
});

both_backends!(json_columns_read_by_path_resolve_as_the_whole_columns, |backend| async move {
    // On Postgres a page whose computed fields read the JSON columns only at
    // some paths (custom fields, the sources of empty derived columns) reads
    // just those paths where the remembered workspace context is current
    // (`contacts::json_reads`). Every value must be what the whole columns
    // give: compared with the same fields next to `enrichmentData`,
    // `kernelAnalysis` and `productMatch` (which read them whole), with a few
    // values checked outright, before and after the paths change.
    let (app, rows, token) = seeded(backend, 24).await;
    let admin = app.token(WS, Role::Admin);
    let mut definitions = Vec::new();
    for (name, path) in [
        ("stage", "company.funding.stage"),
        ("first_point", "talking_points.0"),
        ("last_point", "talking_points.-1"),
        ("whole_company", "company"),
        ("deep", "a.b.c.d"),
    ] {
        let d = app
            .gql(
                &admin,
                "mutation($i: CreateContactFieldDefinitionInput!) { createContactFieldDefinition(input: $i) { id } }",
                json!({"i": {"fieldName": name, "displayName": name, "jsonbPath": path}}),
            )
            .await;
        definitions.push(d["createContactFieldDefinition"]["id"].as_str().unwrap().to_owned());
    }
    let data = [
        r#"'{"company": {"funding": {"stage": "Series A"}, "name": "Acme"}, "talking_points": ["x", "y", "z"], "a": {"b": {"c": {"d": 5}}}, "summary": "S", "only_here": "O"}'"#,
        r#"'{"company": "not an object", "talking_points": [], "a": [1, 2], "inferred_title": "CFO", "job_title": "Analyst", "opening_line": "Hello", "employees": "1,200", "industry": null, "quick_enrich": {"industry": null, "vertical": "Fintech"}}'"#,
        r#"'{"company": {"funding": null, "revenue": "$4.1M"}, "quick_enrich": {"industry": "Retail", "persona_type": "Champion"}, "talking_points": {"0": "key zero"}}'"#,
        "NULL",
    ];
    let kernel = [
        r#"'{"who": {"persona": "Exec", "influence": "high"}, "what": {"hook": "Hook!"}, "when": {"urgency": "now"}}'"#,
        "NULL",
        r#"'{"who": "text", "what": {"opening_hook": {"not": "text"}}}'"#,
        "'[]'",
    ];
    for (i, row) in rows.iter().enumerate() {
        // every other group of four with its derived columns empty, so that
        // they are read from the documents
        let empty = if i % 8 < 4 {
            ", enrichment_company_name = NULL, enrichment_company_industry = '', vertical = NULL, \
             enrichment_person_title = NULL, job_title = NULL, kernel_who_persona = NULL, persona_type = NULL, \
             kernel_what_hook = NULL, kernel_when_urgency = NULL, enrichment_company_employees = NULL, \
             enrichment_company_revenue = NULL, enrichment_person_background = NULL"
        } else {
            ""
        };
        let product = if i % 3 == 0 { r#"'{"sba_504": 0.5}'"# } else { "NULL" };
        app.sql(&format!(
            "UPDATE contacts SET enrichment_data = {}, kernel_analysis = {}, product_match = {product}{empty} WHERE id = {}",
            data[i % 4],
            kernel[i % 4],
            uuid_sql(&app.db, row.id)
        ))
        .await;
    }
    // one contact with its derived columns empty whose only document is
    // `kernel_analysis`: a row is read by path when any column read is not null
    app.sql(&format!(
        "UPDATE contacts SET kernel_analysis = '{{\"what\": {{\"hook\": \"Only the kernel\"}}}}' WHERE id = {}",
        uuid_sql(&app.db, rows[11].id)
    ))
    .await;
    let template = |body: &str| {
        let (app, admin, body) = (&app, &admin, body.to_owned());
        async move {
            let t = app
                .gql(
                    admin,
                    "mutation($i: CreateEmailTemplateInput!) { createEmailTemplate(input: $i) { id } }",
                    json!({"i": {"name": "paths", "subject": "{{stage}} {{industry}}", "body": body}}),
                )
                .await;
            t["createEmailTemplate"]["id"].as_str().unwrap().to_owned()
        }
    };
    let by_path = template(
        "{{first_point}} {{last_point}} {{whole_company}} {{deep}} {{persona}} {{hook}} {{urgency}} \
         {{company_employees}} {{company_revenue}} {{title}} {{company_name}} {{influence}} {{full_name}} \
         {{phone}} {{notes}}",
    )
    .await;
    // a template that names a JSON column reads it whole
    let by_name = template("{{kernel_analysis}} {{product_match}} {{stage}}").await;
    let fields = "id a: field(name: \"stage\") b: field(name: \"first_point\") c: field(name: \"last_point\") \
        d: field(name: \"whole_company\") e: field(name: \"deep\") f: field(name: \"industry\") \
        g: field(name: \"persona\") h: field(name: \"hook\") i: field(name: \"company_employees\") \
        j: field(name: \"enrichment_company_name\") k: field(name: \"person_background\") \
        l: field(name: \"full_name\") score: icpMatchScore tier: icpMatch { tier score } \
        mail: renderedEmail(templateId: $t) { subject body missingVariables }";
    let page =
        |extra: &str| format!("query($t: UUID) {{ contacts(first: 30) {{ nodes {{ {fields} {extra} }} }} }}");
    let whole = "enrichmentData kernelAnalysis productMatch";
    let strip = |mut body: Value| {
        for n in body["data"]["contacts"]["nodes"].as_array_mut().unwrap() {
            let n = n.as_object_mut().unwrap();
            for key in ["enrichmentData", "kernelAnalysis", "productMatch"] {
                n.remove(key);
            }
        }
        body
    };
    let postgres = backend == Backend::Postgres;
    let compare = |template: String, expect_paths: bool| {
        let (app, token, page, strip) = (&app, &token, &page, &strip);
        async move {
            let vars = json!({"t": template});
            // the first read leaves the context remembered
            app.post(Some(token), &page(""), vars.clone()).await;
            app.db.stats().start_capture();
            let (status, by_paths) = app.post(Some(token), &page(""), vars.clone()).await;
            assert_eq!(status, 200, "{by_paths}");
            let sql = app.db.stats().capture.lock().unwrap().take().unwrap().join("\n");
            assert_eq!(postgres && expect_paths, sql.contains("\"enrichment_data\" -> 'company'"), "{sql}");
            // nor any column no field reads
            assert_eq!(postgres, !sql.contains("\"email_body_preview\""), "{sql}");
            app.db.stats().start_capture();
            let (_, whole_columns) = app.post(Some(token), &page(whole), vars).await;
            let sql = app.db.stats().capture.lock().unwrap().take().unwrap().join("\n");
            assert!(!sql.contains("\"enrichment_data\" -> '"), "{sql}");
            let whole_columns = strip(whole_columns);
            assert!(by_paths.get("errors").is_none(), "{by_paths}");
            assert_eq!(by_paths, whole_columns);
            // the same paths through `edges`, whose contacts are decoded
            // into models (taking the documents rebuilt from the paths)
            let edges =
                format!("query($t: UUID) {{ contacts(first: 30) {{ edges {{ node {{ {fields} }} }} }} }}");
            app.db.stats().start_capture();
            let (_, by_edges) = app.post(Some(token), &edges, json!({"t": template})).await;
            let sql = app.db.stats().capture.lock().unwrap().take().unwrap().join("\n");
            assert_eq!(postgres && expect_paths, sql.contains("\"enrichment_data\" -> 'company'"), "{sql}");
            let edge_nodes: Vec<&Value> = by_edges["data"]["contacts"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["node"])
                .collect();
            let page_nodes: Vec<&Value> =
                by_paths["data"]["contacts"]["nodes"].as_array().unwrap().iter().collect();
            assert_eq!(edge_nodes, page_nodes, "{by_edges}");
            // and the columns a computed field reads, against one contact
            // by id (which reads the whole row)
            let nodes = by_paths["data"]["contacts"]["nodes"].as_array().unwrap().clone();
            for node in &nodes {
                let one = format!("query($t: UUID, $id: UUID!) {{ contact(id: $id) {{ {fields} }} }}");
                let (_, by_id) = app.post(Some(token), &one, json!({"t": template, "id": node["id"]})).await;
                assert_eq!(&by_id["data"]["contact"], node, "{by_id}");
            }
            nodes
        }
    };
    let nodes = compare(by_path.clone(), true).await;
    assert_eq!(nodes.len(), 24);
    // the values are the documents', not all empty
    let of = |id: Uuid| nodes.iter().find(|n| n["id"] == json!(id)).unwrap().clone();
    let (first, second, third) = (of(rows[0].id), of(rows[1].id), of(rows[2].id));
    assert_eq!(first["a"], json!("Series A"));
    assert_eq!((&first["b"], &first["c"], &first["e"]), (&json!("x"), &json!("z"), &json!(5)));
    assert_eq!(first["d"]["name"], json!("Acme"));
    assert_eq!((&first["g"], &first["h"], &first["j"]), (&json!("Exec"), &json!("Hook!"), &json!("Acme")));
    assert_eq!(first["k"], json!("S"));
    assert_eq!(
        (&second["d"], &second["b"], &second["i"]),
        (&json!("not an object"), &Value::Null, &json!(1200))
    );
    // past its sources that are JSON nulls
    assert_eq!(second["f"], json!("Fintech"));
    assert_eq!(
        (&third["b"], &third["f"], &third["g"]),
        (&json!("key zero"), &json!("Retail"), &json!("Champion"))
    );
    assert!(third["mail"]["body"].as_str().unwrap().starts_with("key zero "), "{third}");
    assert_eq!(of(rows[11].id)["h"], json!("Only the kernel"));
    assert!(nodes.iter().any(|n| n["score"].is_i64()) && nodes.iter().any(|n| n["tier"]["tier"].is_string()));
    for key in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"] {
        assert!(nodes.iter().any(|n| n[key].is_null()) && nodes.iter().any(|n| !n[key].is_null()), "{key}");
    }
    compare(by_name, true).await;
    // A path changed: the first read after it sees a context this process
    // does not remember (the page is read again whole), the next one reads
    // the new path. Changed in SQL, so that no request of the gateway has
    // read the new context before.
    app.sql(&format!(
        "UPDATE contact_field_definitions SET jsonb_path = 'only_here' WHERE id = {}",
        uuid_sql(&app.db, definitions[0].parse().unwrap())
    ))
    .await;
    let (_, after) = app.post(Some(&token), &page(""), json!({"t": by_path})).await;
    let after = after["data"]["contacts"]["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(of_id(&after, rows[0].id)["a"], json!("O"), "{after:?}");
    let nodes = compare(by_path, true).await;
    assert_eq!(of_id(&nodes, rows[0].id)["a"], json!("O"));
    // ICP scores alone read the columns scoring reads
    let icp_only = "{ contacts(first: 30) { nodes { id icpMatchScore icpMatch { tier score } } } }";
    app.post(Some(&token), icp_only, json!({})).await;
    let (_, page) = app.post(Some(&token), icp_only, json!({})).await;
    let nodes = page["data"]["contacts"]["nodes"].as_array().unwrap();
    assert!(nodes.iter().any(|n| n["icpMatchScore"].as_i64().is_some_and(|s| s > 0)), "{page}");
    for node in nodes {
        let one = "query($id: UUID!) { contact(id: $id) { id icpMatchScore icpMatch { tier score } } }";
        let (_, by_id) = app.post(Some(&token), one, json!({"id": node["id"]})).await;
        assert_eq!(&by_id["data"]["contact"], node, "{by_id}");
    }
});

both_backends!(a_page_reads_what_each_request_names_with_one_query_text, |backend| async move {
    // What a page reads by path is worked out once per selection and
    // workspace context (`json_reads::PageReads`, remembered in the context
    // by what the selection names): the same query text naming other custom
    // fields and templates through its variables must read what those name,
    // in any order, again and again.
    let (app, rows, token) = seeded(backend, 12).await;
    let admin = app.token(WS, Role::Admin);
    for (name, path) in [("alpha", "plan_test.alpha"), ("beta", "plan_test.beta"), ("gamma", "plan_test")] {
        app.gql(
            &admin,
            "mutation($i: CreateContactFieldDefinitionInput!) { createContactFieldDefinition(input: $i) { id } }",
            json!({"i": {"fieldName": name, "displayName": name, "jsonbPath": path}}),
        )
        .await;
    }
    let mut templates = Vec::new();
    for body in ["A={{alpha}}", "B={{beta}}"] {
        let t = app
            .gql(
                &admin,
                "mutation($i: CreateEmailTemplateInput!) { createEmailTemplate(input: $i) { id } }",
                json!({"i": {"name": body, "subject": "s", "body": body}}),
            )
            .await;
        templates.push(t["createEmailTemplate"]["id"].as_str().unwrap().to_owned());
    }
    for (i, row) in rows.iter().enumerate() {
        app.sql(&format!(
            "UPDATE contacts SET enrichment_data = '{{\"plan_test\": {{\"alpha\": \"a{i}\", \"beta\": \"b{i}\"}}}}' WHERE id = {}",
            uuid_sql(&app.db, row.id)
        ))
        .await;
    }
    let query = "query($n: String!, $t: UUID) { contacts(first: 12) { nodes { id v: field(name: $n) \
                 mail: renderedEmail(templateId: $t) { body } } } }";
    let postgres = backend == Backend::Postgres;
    let cases = [("alpha", 0), ("beta", 1), ("alpha", 1), ("gamma", 0), ("beta", 0), ("alpha", 0)];
    for round in 0..2 {
        for (name, t) in cases {
            app.db.stats().start_capture();
            let (status, page) = app.post(Some(&token), query, json!({"n": name, "t": templates[t]})).await;
            let sql = app.db.stats().capture.lock().unwrap().take().unwrap().join("\n");
            assert_eq!(status, 200, "{page}");
            assert!(page.get("errors").is_none(), "{page}");
            let nodes = page["data"]["contacts"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), 12);
            for (i, row) in rows.iter().enumerate() {
                let node = of_id(nodes, row.id);
                let value = match name {
                    "alpha" => json!(format!("a{i}")),
                    "beta" => json!(format!("b{i}")),
                    _ => json!({"alpha": format!("a{i}"), "beta": format!("b{i}")}),
                };
                assert_eq!(node["v"], value, "{name} {t}: {node}");
                let body = if t == 0 { format!("A=a{i}") } else { format!("B=b{i}") };
                assert_eq!(node["mail"]["body"], json!(body), "{name} {t}: {node}");
            }
            // past the first request, which leaves the context remembered,
            // a page reads by path just what this request names
            if postgres && (round, name, t) != (0, "alpha", 0) {
                let alpha = name == "alpha" || t == 0;
                let beta = name == "beta" || t == 1;
                assert_eq!(sql.contains("-> 'alpha'"), alpha && name != "gamma", "{name} {t}: {sql}");
                assert_eq!(sql.contains("-> 'beta'"), beta && name != "gamma", "{name} {t}: {sql}");
            }
        }
    }
});

fn of_id(nodes: &[Value], id: Uuid) -> Value {
    nodes.iter().find(|n| n["id"] == json!(id)).cloned().unwrap_or(Value::Null)
}

both_backends!(a_page_read_by_path_next_to_other_context_readers_answers_alike, |backend| async move {
    // On Postgres a page with computed fields reads its rows as the request's
    // context load (`Loaders::load_context_with`) while other root fields
    // may ask for the context at the same time: every field must answer as
    // it does alone, whichever gets there first, and nothing may wait forever.
    let (app, _, token) = seeded(backend, 12).await;
    let page = "contacts(first: 12) { nodes { id industry: field(name: \"industry\") icpMatchScore \
                mail: renderedEmail { subject body } } }";
    let others = "emailTemplates { id variables } contactFieldDefinitions { fieldName }";
    let (_, alone) = app.post(Some(&token), &format!("{{ {page} }}"), json!({})).await;
    let (_, rest) = app.post(Some(&token), &format!("{{ {others} }}"), json!({})).await;
    assert!(alone["data"]["contacts"]["nodes"][0]["mail"]["body"].is_string(), "{alone}");
    for query in [format!("{{ {page} {others} }}"), format!("{{ {others} {page} }}")] {
        for _ in 0..3 {
            let (status, both) = tokio::time::timeout(
                std::time::Duration::from_secs(20),
                app.post(Some(&token), &query, json!({})),
            )
            .await
            .expect("the request answers");
            assert_eq!(status, 200, "{both}");
            assert_eq!(both["data"]["contacts"], alone["data"]["contacts"], "{query}");
            assert_eq!(both["data"]["emailTemplates"], rest["data"]["emailTemplates"], "{query}");
            assert_eq!(both["data"]["contactFieldDefinitions"], rest["data"]["contactFieldDefinitions"]);
        }
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_reads_its_tags_as_postgres_sends_them() {
    // A page borrows each row's tags out of the binary array Postgres sends
    // (`store::contacts::text_array`): the same texts as sqlx's decoding,
    // and the same errors.
    let app = TestApp::with_demo(Backend::Postgres).await;
    let pool = sqlx::PgPool::connect(&app.db_url()).await.unwrap();
    for (array, expected) in [
        ("ARRAY[]::text[]", Some(vec![])),
        ("ARRAY['a']", Some(vec!["a"])),
        ("ARRAY['é \"q\"', '', E'a\\nb', 'ünï', repeat('x', 300)]", None),
        ("'[0:1]={x,y}'::text[]", None),
        ("ARRAY[NULL]::text[]", None),
        ("ARRAY['a', NULL]", None),
        ("ARRAY[['a'], ['b']]", None),
    ] {
        let (sent, decoded): (Vec<u8>, sqlx::Result<Vec<String>>) = {
            let sql = format!("SELECT array_send({array}), {array}");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
            use sqlx::Row as _;
            (row.get(0), row.try_get(1))
        };
        let read = latticeiq::store::contacts::text_array(&sent);
        match decoded {
            Ok(texts) => {
                let read: Vec<&str> = read.as_ref().unwrap().iter().map(|t| t.as_str()).collect();
                assert_eq!(read, texts, "{array}");
                if let Some(expected) = expected {
                    assert_eq!(texts, expected, "{array}");
                }
            }
            Err(_) => assert!(read.is_err(), "{array}: {read:?}"),
        }
    }
    // Cut short anywhere, or with bytes after the elements: an error.
    let (sent,): (Vec<u8>,) =
        sqlx::query_as("SELECT array_send(ARRAY['ab', 'c'])").fetch_one(&pool).await.unwrap();
    for end in 0..sent.len() {
        assert!(latticeiq::store::contacts::text_array(&sent[..end]).is_err(), "{end}");
    }
    let longer = [sent.as_slice(), b"x"].concat();
    assert!(latticeiq::store::contacts::text_array(&longer).is_err());

    // Through a page and by id.
    let tags = ["é \"q\"", "", "a\nb", "\u{1}"];
    let literal = "ARRAY['é \"q\"', '', E'a\\nb', E'\\x01']";
    app.sql(&format!(
        "UPDATE contacts SET tags = {literal} WHERE id = (SELECT id FROM contacts WHERE first_name = 'Garrett')"
    ))
    .await;
    app.sql("UPDATE contacts SET tags = '{}' WHERE first_name IS DISTINCT FROM 'Garrett'").await;
    let mut garretts = 0;
    for query in [
        "{ contacts(first: 50, search: \"Garrett\") { nodes { firstName tags } } }",
        "{ contacts(first: 50) { nodes { firstName tags } } }",
    ] {
        let data = app.gql(&app.admin(), query, json!({})).await;
        for node in data["contacts"]["nodes"].as_array().unwrap() {
            let garrett = node["firstName"] == "Garrett";
            garretts += usize::from(garrett);
            assert_eq!(node["tags"], if garrett { json!(tags) } else { json!([]) }, "{node}");
        }
    }
    assert!(garretts >= 1);
}

both_backends!(a_page_writes_its_text_cells_as_the_contact_reads_them, |backend| async move {
    // A page on Postgres writes a text cell's bytes as Postgres sent them
    // (`store::contacts::RowText`: not checked as UTF-8 again), where a
    // contact by id writes its model's `String`s: the same JSON, for every
    // kind of character a text may hold.
    let app = TestApp::with_demo(backend).await;
    let token = app.admin();
    let garrett =
        app.gql(&token, r#"{ contacts(search: "Garrett Golden") { nodes { id email } } }"#, json!({})).await;
    let (id, email) = (&garrett["contacts"]["nodes"][0]["id"], &garrett["contacts"]["nodes"][0]["email"]);
    let texts = json!({
        "firstName": "quote \" and backslash \\ here",
        "lastName": "tab\tnew\nline\r\u{1}\u{1f} end",
        "company": "é ü ß 名前 😀 \u{7f} \u{2028} x",
        "jobTitle": "</script>",
        "notes": "ünï\\u0041 \"\\",
        "lifecycleStage": "a",
    });
    app.gql(
        &token,
        "mutation($id: UUID!, $i: UpdateContactInput!) { updateContact(id: $id, input: $i) { id } }",
        json!({"id": id, "i": texts}),
    )
    .await;
    let fields = "id firstName lastName company jobTitle notes lifecycleStage fullName";
    let page = app
        .gql(&token, &format!("query($e: String) {{ contacts(first: 5, filter: {{email: {{eq: $e}}}}) {{ nodes {{ {fields} }} }} }}"), json!({"e": email}))
        .await;
    let by_id = app
        .gql(&token, &format!("query($id: UUID!) {{ contact(id: $id) {{ {fields} }} }}"), json!({"id": id}))
        .await;
    let node = &page["contacts"]["nodes"][0];
    assert_eq!(node, &by_id["contact"], "{backend:?}");
    for (field, text) in texts.as_object().unwrap() {
        assert_eq!(&node[field], text, "{field}");
    }
    assert_eq!(
        node["fullName"],
        json!(format!("{} {}", texts["firstName"].as_str().unwrap(), texts["lastName"].as_str().unwrap()))
    );
});

both_backends!(a_long_page_goes_out_whole_with_its_length, |backend| async move {
    // A page's list is written once and sent as written, beside the rest
    // of the response (`response_json::Spliced`): the body must still be
    // one JSON text, of the length the response says, alone or in a batch.
    let app = TestApp::with_demo(backend).await;
    let token = app.admin();
    let query = "query P($n: Int) { contacts(first: $n) { totalCount nodes { id email firstName tags createdAt icp { name } } pageInfo { hasNextPage } } viewer { workspaceId } }";
    let send = |body: Value| {
        app.client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .json(&body)
            .send()
    };
    for n in [2, 50] {
        let vars = json!({"n": n});
        let resp = send(json!({"query": query, "variables": vars})).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers().get("transfer-encoding").is_none(), "{:?}", resp.headers());
        let length: usize = resp.headers()["content-length"].to_str().unwrap().parse().unwrap();
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(bytes.len(), length);
        if n == 50 {
            assert!(
                length > 2 * latticeiq::response_json::Spliced::SHORTEST_PIECE,
                "a page long enough to be a piece"
            );
        }
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        let data = &body["data"];
        // the keys in the query's order, around the piece
        let keys: Vec<&String> = data["contacts"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["totalCount", "nodes", "pageInfo"]);
        assert_eq!(data["contacts"]["totalCount"], 482);
        assert_eq!(data["contacts"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(data["viewer"]["workspaceId"], DEMO.to_string());
        let nodes = data["contacts"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), n);
        let emails: BTreeSet<&str> = nodes.iter().map(|c| c["email"].as_str().unwrap()).collect();
        assert_eq!(emails.len(), n, "each contact once");
        // the same request in a batch: the same answer, one JSON array
        let resp = send(json!([{"query": query, "variables": vars}, {"query": "{ viewer { role } }"}]))
            .await
            .unwrap();
        let length: usize = resp.headers()["content-length"].to_str().unwrap().parse().unwrap();
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(bytes.len(), length);
        let batch: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(batch[0], body);
        assert_eq!(batch[1]["data"]["viewer"]["role"], "ADMIN");
    }
});

both_backends!(a_page_statement_written_once_serves_only_its_own_shape, |backend| async move {
    // A page of the whole workspace without a cursor reuses the statement
    // written for its shape (`PageShape` in graphql/contacts): each request
    // below differs from one served before it in one part of that shape
    // only (workspace, limit, count, direction, sort, columns), and must be
    // answered by its own statement. Each is asked twice (the second from
    // the memo).
    let (app, rows, token) = seeded(backend, 30).await;
    let other_rows = all_contacts(&app.db, OTHER).await;
    let other = app.token(OTHER, Role::Viewer);
    let newest = |rows: &[Model]| {
        let mut rows = rows.to_vec();
        rows.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.id)));
        rows
    };
    let (ws, os) = (newest(&rows), newest(&other_rows));
    let ids = |rows: &[Model]| rows.iter().map(|m| json!(m.id.to_string())).collect::<Vec<_>>();
    let page_ids = |d: &Value| {
        d["contacts"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect::<Vec<_>>()
    };
    let twice = |token: String, query: &'static str| {
        let app = &app;
        async move {
            let first = app.gql(&token, query, json!({})).await;
            assert_eq!(app.gql(&token, query, json!({})).await, first, "{query}");
            first
        }
    };

    let d = twice(token.clone(), "{ contacts(first: 3) { nodes { id } } }").await;
    assert_eq!(page_ids(&d), ids(&ws[..3]));
    // Another workspace, the same shape otherwise.
    let d = twice(other.clone(), "{ contacts(first: 3) { nodes { id } } }").await;
    assert_eq!(page_ids(&d), ids(&os[..3]));
    // The count asked for as well.
    let d = twice(token.clone(), "{ contacts(first: 3) { totalCount nodes { id } } }").await;
    assert_eq!(d["contacts"]["totalCount"], 30);
    assert_eq!(page_ids(&d), ids(&ws[..3]));
    // Another limit.
    let d = twice(token.clone(), "{ contacts(first: 5) { totalCount nodes { id } } }").await;
    assert_eq!(page_ids(&d), ids(&ws[..5]));
    // The other direction.
    let d = twice(token.clone(), "{ contacts(last: 5) { totalCount nodes { id } } }").await;
    assert_eq!(page_ids(&d), ids(&ws[25..]));
    // Another sort.
    let d = twice(
        token.clone(),
        "{ contacts(first: 5, orderBy: [{field: DATA_QUALITY_SCORE, direction: ASC}]) { totalCount nodes { id } } }",
    )
    .await;
    let mut by_quality = rows.clone();
    by_quality.sort_by_key(|m| (m.enrichment_data_quality_score, m.id));
    assert_eq!(page_ids(&d), ids(&by_quality[..5]));
    // Other columns.
    let d = twice(token.clone(), "{ contacts(first: 5) { totalCount nodes { id jobTitle } } }").await;
    let titles: Vec<Value> =
        d["contacts"]["nodes"].as_array().unwrap().iter().map(|n| n["jobTitle"].clone()).collect();
    assert_eq!(titles, ws[..5].iter().map(|m| json!(m.job_title)).collect::<Vec<_>>());
    assert!(titles.iter().any(|t| !t.is_null()), "some of the first five have a job title");
    let d = twice(token.clone(), "{ contacts(first: 5) { totalCount nodes { id company } } }").await;
    let companies: Vec<Value> =
        d["contacts"]["nodes"].as_array().unwrap().iter().map(|n| n["company"].clone()).collect();
    assert_eq!(companies, ws[..5].iter().map(|m| json!(m.company)).collect::<Vec<_>>());
    assert!(companies.iter().any(|t| !t.is_null()), "some of the first five have a company");
});
