//! Production hardening (SPEC §4, §8): limits, persisted queries, asymmetric
//! keys and JWKS, hostile input, metrics, outages and graceful shutdown.

use latticeiq::auth::Role;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::both_backends;
use crate::fixtures::snapshot;
use crate::helpers::{Backend, DEMO, SECRET, TestApp, TestDb, test_config};

fn keys(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims() -> Value {
    json!({"workspace_id": DEMO, "workspace_role": "admin", "exp": now() + 600})
}

fn sign(
    alg: jsonwebtoken::Algorithm,
    kid: Option<&str>,
    claims: &Value,
    key: &jsonwebtoken::EncodingKey,
) -> String {
    let mut h = jsonwebtoken::Header::new(alg);
    h.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&h, claims, key).unwrap()
}

async fn status(app: &TestApp, token: &str) -> (u16, Value) {
    app.post(Some(token), "{ viewer { workspaceId } }", json!({})).await
}

both_backends!(fragments_that_expand_exponentially_are_refused_before_any_walk, |backend| async move {
    // Each fragment spreads the next twice: a few hundred bytes selecting
    // 2^n fields once expanded. Refused by their expanded count, which is
    // computed without expanding them (at n = 24 the walks that expand
    // them took 5 s of a worker; here n = 20 keeps the test quick even
    // when the limit is missing, and the message tells the two apart).
    let app = TestApp::with_demo(backend).await;
    let t = app.admin();
    let bomb = |n: usize| {
        let mut q = String::from("query { contacts(first: 1) { nodes { ...F0 } } }");
        for i in 0..n {
            q.push_str(&format!(" fragment F{i} on Contact {{ ...F{j} ...F{j} }}", j = i + 1));
        }
        q.push_str(&format!(" fragment F{n} on Contact {{ id email }}"));
        q
    };
    let (st, body) = app.post(Some(&t), &bomb(20), json!({})).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("fragments expanded") && message.contains("2097154"), "{message}");
    assert!(body.get("data").is_none(), "{body}");
    // a few levels of the same shape are an ordinary query
    let (st, body) = app.post(Some(&t), &bomb(3), json!({})).await;
    assert_eq!(st, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["contacts"]["nodes"][0]["email"].is_string(), "{body}");
});

both_backends!(request_limits_are_enforced_with_clear_errors, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.admin();
    // 2 MiB body → 413 (the server may answer before the upload ends and
    // close the connection under it; then the client sees a reset instead)
    let big = format!("{{\"query\":\"{{ viewer {{ role }} }}{}\"}}", " ".repeat(2 << 20));
    let mut got = None;
    for _ in 0..5 {
        let sent = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {t}"))
            // the server drops this connection after the 413: keep it out of
            // the client's pool, or the next request may be sent on it
            .header("connection", "close")
            .body(big.clone())
            .send()
            .await;
        if let Ok(r) = sent {
            got = Some(r.status().as_u16());
            break;
        }
    }
    assert_eq!(got, Some(413));
    // more than 100 aliases
    let many: String = (0..150).map(|i| format!("a{i}: viewer {{ role }} ")).collect();
    let (st, body) = app.post(Some(&t), &format!("{{ {many} }}"), json!({})).await;
    assert_eq!(st, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("aliases"));
    // … and under graphql-response+json that is a 400
    let r = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .header("authorization", format!("Bearer {t}"))
        .json(&json!({"query": format!("{{ {many} }}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // batches: up to 10 operations, answered as an array
    let batch: Vec<Value> = (0..10).map(|_| json!({"query": "{ viewer { role } }"})).collect();
    let r = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {t}"))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.json::<Value>().await.unwrap().as_array().unwrap().len(), 10);
    let batch: Vec<Value> = (0..11).map(|_| json!({"query": "{ viewer { role } }"})).collect();
    let r = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {t}"))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // depth
    let deep = "{ contacts { nodes { campaign { icp { id } emailTemplate { id } } } } }";
    app.gql(&t, deep, json!({})).await;
    let wide = "{ __typename a: viewer { role } b: contacts(first: 1) { nodes { campaign { icp { name } emailTemplate { name } callTemplate { name } } } } }";
    let (_, body) = app.post(Some(&t), wide, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let six = "{ contacts { edges { node { campaign { icp { id } } } } } a: contacts { nodes { campaign { emailTemplate { id } } } } }";
    let (_, body) = app.post(Some(&t), six, json!({})).await;
    assert!(body.get("errors").is_none(), "depth 6 is fine: {body}");
    let (_, body) = app.post(Some(&t), six, json!({})).await;
    assert!(body.get("errors").is_none());
    // complexity: a page of 100 with many fields is costed first × fields
    let fields = "id email firstName lastName company jobTitle phone website vertical personaType source tags notes createdAt updatedAt enrichmentStatus enrichmentCompanyName enrichmentCompanyIndustry enrichmentCompanyEmployees enrichmentCompanyRevenue enrichmentDataQualityScore kernelWhoPersona kernelWhenUrgency assignedProduct icpId campaignId fullName icp { name description criteria } campaign { name status } renderedEmail { subject body usedVariables missingVariables } renderedCallScript { body } icpMatch { score tier breakdown { criterion weight matched contactValue } }";
    let (_, body) = app
        .post(Some(&t), &format!("{{ contacts(first: 100) {{ nodes {{ {fields} }} }} }}"), json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(message.to_lowercase().contains("complex"), "{body}");
    app.gql(&t, &format!("{{ contacts(first: 10) {{ nodes {{ {fields} }} }} }}"), json!({})).await;
    // GraphiQL's introspection query passes the default limits, even before a token is pasted
    app.gql(&t, INTROSPECTION, json!({})).await;
    let (st, body) = app.post(None, INTROSPECTION, json!({})).await;
    assert_eq!(st, 200, "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 50);
    let (st, _) = app.post(None, "{ __typename viewer { role } }", json!({})).await;
    assert_eq!(st, 401, "anything beyond introspection needs a token");
});

#[tokio::test]
async fn the_depth_limit_counts_nested_selections_but_spares_introspection() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("MAX_QUERY_DEPTH", "4")]).await;
    let t = app.admin();
    app.gql(&t, "{ contacts { nodes { campaign { id } } } }", json!({})).await;
    let (_, body) = app.post(Some(&t), "{ contacts { nodes { campaign { icp { id } } } } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("MAX_QUERY_DEPTH"));
    let (_, body) = app
        .post(
            Some(&t),
            "query { ...F } fragment F on Query { contacts { edges { node { campaign { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "fragments count too: {body}");
    app.gql(&t, INTROSPECTION, json!({})).await;
}

#[tokio::test]
async fn each_operation_of_one_document_is_checked_as_itself() {
    // The checks' counts are remembered per document for the operation
    // asked for last: asking for the operations in turn must give each its
    // own answer, every time.
    let app = TestApp::spawn_with(Backend::Sqlite, &[("MAX_QUERY_DEPTH", "4")]).await;
    let t = app.admin();
    let doc = "query Shallow { viewer { role } } \
               query Deep { contacts { nodes { campaign { icp { id } } } } } \
               mutation Many { a: __typename b: __typename }";
    for _ in 0..2 {
        for operation in ["Shallow", "Deep", "Deep", "Shallow", "Many"] {
            let (st, body) = app.post_op(Some(&t), doc, json!({}), operation).await;
            match operation {
                "Shallow" => assert_eq!(body["data"]["viewer"]["role"], "ADMIN", "{body}"),
                "Deep" => {
                    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
                    assert!(
                        body["errors"][0]["message"].as_str().unwrap().contains("MAX_QUERY_DEPTH"),
                        "{body}"
                    );
                }
                _ => assert_eq!(
                    (st, &body["data"]),
                    (200, &json!({"a": "Mutation", "b": "Mutation"})),
                    "{body}"
                ),
            }
        }
        // and a GET of the mutation is refused as a mutation
        let url = format!("{}?query={}&operationName=Many", app.url("/graphql"), urlencode(doc));
        let r = app.client.get(url).header("authorization", format!("Bearer {t}")).send().await.unwrap();
        assert_eq!(r.status(), 405);
    }
}

#[tokio::test]
async fn introspection_can_be_turned_off() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("INTROSPECTION", "false")]).await;
    let (_, body) = app.post(Some(&app.admin()), "{ __schema { types { name } } }", json!({})).await;
    assert!(body.get("errors").is_some() || body["data"]["__schema"].is_null(), "{body}");
    let (st, _) = app.post(None, "{ __schema { types { name } } }", json!({})).await;
    assert_eq!(st, 401, "no anonymous introspection when it is off");
    app.gql(&app.admin(), "{ viewer { role } }", json!({})).await;
}

both_backends!(persisted_queries_follow_the_apollo_protocol, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.admin();
    let q = "query Count { contacts { totalCount } }";
    let hash = hex::encode(sha2::Sha256::digest(q.as_bytes()));
    let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
    let send = |body: Value| {
        app.client.post(app.url("/graphql")).header("authorization", format!("Bearer {t}")).json(&body).send()
    };
    let r: Value = send(json!({"extensions": ext})).await.unwrap().json().await.unwrap();
    assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(r["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND");
    let r: Value = send(json!({"query": q, "extensions": ext})).await.unwrap().json().await.unwrap();
    assert_eq!(r["data"]["contacts"]["totalCount"], 482);
    let r: Value = send(json!({"extensions": ext})).await.unwrap().json().await.unwrap();
    assert_eq!(r["data"]["contacts"]["totalCount"], 482, "{r}");
    // over GET too, as Apollo clients do
    let url = format!("{}?extensions={}", app.url("/graphql"), urlencode(&ext.to_string()));
    let r: Value = app
        .client
        .get(url)
        .header("authorization", format!("Bearer {t}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["data"]["contacts"]["totalCount"], 482, "{r}");
    let bad = json!({"query": "{ viewer { role } }", "extensions": ext});
    let r: Value = send(bad).await.unwrap().json().await.unwrap();
    assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
});

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asymmetric_keys_are_accepted_and_algorithm_confusion_is_not() {
    let rsa_public = keys("rsa_public.pem");
    let test_db = TestDb::new(Backend::Sqlite).await;
    // a public key only: HS256 is off, whatever secret signed it
    let mut config = test_config(
        &test_db.url,
        &[
            ("JWT_PUBLIC_KEY", &rsa_public),
            ("JWT_ISSUER", "https://auth.example"),
            ("JWT_AUDIENCE", "latticeiq"),
        ],
    );
    config.jwt.secret = None;
    let db = latticeiq::db::Database::connect(&config).await.unwrap();
    let app = TestApp::serve(test_db, db, config).await;
    let rsa = jsonwebtoken::EncodingKey::from_rsa_pem(keys("rsa_private.pem").as_bytes()).unwrap();
    let mut good = claims();
    good["iss"] = json!("https://auth.example");
    good["aud"] = json!("latticeiq");
    assert_eq!(status(&app, &sign(jsonwebtoken::Algorithm::RS256, None, &good, &rsa)).await.0, 200);
    // the good claims with one change, signed with the right key
    let rs256_with = |edit: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        edit(&mut c);
        sign(jsonwebtoken::Algorithm::RS256, None, &c, &rsa)
    };
    let refused = [
        (
            "HS256 signed with the public key as secret",
            sign(
                jsonwebtoken::Algorithm::HS256,
                None,
                &good,
                &jsonwebtoken::EncodingKey::from_secret(rsa_public.as_bytes()),
            ),
        ),
        (
            "HS256 with the test secret",
            sign(
                jsonwebtoken::Algorithm::HS256,
                None,
                &good,
                &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
            ),
        ),
        (
            "RS256 with another key",
            sign(
                jsonwebtoken::Algorithm::RS256,
                None,
                &good,
                &jsonwebtoken::EncodingKey::from_rsa_pem(keys("rsa2_private.pem").as_bytes()).unwrap(),
            ),
        ),
        (
            "ES256 when the key is RSA",
            sign(
                jsonwebtoken::Algorithm::ES256,
                None,
                &good,
                &jsonwebtoken::EncodingKey::from_ec_pem(keys("ec_private.pem").as_bytes()).unwrap(),
            ),
        ),
        ("wrong issuer", rs256_with(&|c| c["iss"] = json!("https://evil.example"))),
        (
            "no issuer",
            rs256_with(&|c| {
                c.as_object_mut().unwrap().remove("iss");
            }),
        ),
        ("wrong audience", rs256_with(&|c| c["aud"] = json!("someone-else"))),
        ("expired beyond leeway", rs256_with(&|c| c["exp"] = json!(now() - 60))),
    ];
    for (name, token) in refused {
        let (st, body) = status(&app, &token).await;
        assert_eq!(st, 401, "{name}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ec_and_ed25519_public_keys_work() {
    for (public, private, alg) in [
        ("ec_public.pem", "ec_private.pem", jsonwebtoken::Algorithm::ES256),
        ("ed_public.pem", "ed_private.pem", jsonwebtoken::Algorithm::EdDSA),
    ] {
        let test_db = TestDb::new(Backend::Sqlite).await;
        let mut config = test_config(&test_db.url, &[("JWT_PUBLIC_KEY", &keys(public))]);
        config.jwt.secret = None;
        let db = latticeiq::db::Database::connect(&config).await.unwrap();
        let app = TestApp::serve(test_db, db, config).await;
        let key = match alg {
            jsonwebtoken::Algorithm::ES256 => {
                jsonwebtoken::EncodingKey::from_ec_pem(keys(private).as_bytes()).unwrap()
            }
            _ => jsonwebtoken::EncodingKey::from_ed_pem(keys(private).as_bytes()).unwrap(),
        };
        assert_eq!(status(&app, &sign(alg, None, &claims(), &key)).await.0, 200, "{alg:?}");
        let rs = sign(
            jsonwebtoken::Algorithm::RS256,
            None,
            &claims(),
            &jsonwebtoken::EncodingKey::from_rsa_pem(keys("rsa_private.pem").as_bytes()).unwrap(),
        );
        assert_eq!(status(&app, &rs).await.0, 401, "RS256 when the key is {alg:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwks_keys_are_picked_by_kid_and_refreshed_on_an_unknown_kid() {
    // a JWKS served on loopback, rotated during the test
    let set = std::sync::Arc::new(std::sync::Mutex::new(keys("jwks1.json")));
    let fetches = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (s, f) = (set.clone(), fetches.clone());
    let jwks_app = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let (s, f) = (s.clone(), f.clone());
            async move {
                f.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                ([("content-type", "application/json")], s.lock().unwrap().clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_url = format!("http://{}/.well-known/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, jwks_app).await.unwrap() });

    let test_db = TestDb::new(Backend::Sqlite).await;
    let mut config = test_config(&test_db.url, &[("JWT_JWKS_URL", &jwks_url)]);
    config.jwt.secret = None;
    let db = latticeiq::db::Database::connect(&config).await.unwrap();
    let app = TestApp::serve(test_db, db, config).await;
    let k1 = jsonwebtoken::EncodingKey::from_rsa_pem(keys("rsa_private.pem").as_bytes()).unwrap();
    let k2 = jsonwebtoken::EncodingKey::from_rsa_pem(keys("rsa2_private.pem").as_bytes()).unwrap();
    assert_eq!(
        status(&app, &sign(jsonwebtoken::Algorithm::RS256, Some("key-1"), &claims(), &k1)).await.0,
        200
    );
    // key-2 is not published yet
    tokio::time::sleep(latticeiq::auth::jwks::REFRESH_INTERVAL).await;
    assert_eq!(
        status(&app, &sign(jsonwebtoken::Algorithm::RS256, Some("key-2"), &claims(), &k2)).await.0,
        401
    );
    // a key signed by key-2 but claiming key-1 fails its signature
    assert_eq!(
        status(&app, &sign(jsonwebtoken::Algorithm::RS256, Some("key-1"), &claims(), &k2)).await.0,
        401
    );
    // the provider rotates: the unknown kid triggers a fetch
    *set.lock().unwrap() = keys("jwks2.json");
    tokio::time::sleep(latticeiq::auth::jwks::REFRESH_INTERVAL).await;
    let before = fetches.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        status(&app, &sign(jsonwebtoken::Algorithm::RS256, Some("key-2"), &claims(), &k2)).await.0,
        200
    );
    assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), before + 1);
    // unknown kids do not hammer the key server
    for i in 0..5 {
        let _ =
            status(&app, &sign(jsonwebtoken::Algorithm::RS256, Some(&format!("forged-{i}")), &claims(), &k2))
                .await;
    }
    assert!(fetches.load(std::sync::atomic::Ordering::SeqCst) <= before + 2);
    // the provider withdraws key-1: once the set is fetched again, a token
    // signed with it is refused, although the very same text was accepted
    // before (tokens verified with JWKS keys are not remembered as verified)
    let key1_token = sign(jsonwebtoken::Algorithm::RS256, Some("key-1"), &claims(), &k1);
    assert_eq!(status(&app, &key1_token).await.0, 200);
    let mut only_key2: Value = serde_json::from_str(&keys("jwks2.json")).unwrap();
    only_key2["keys"].as_array_mut().unwrap().retain(|k| k["kid"] == "key-2");
    *set.lock().unwrap() = only_key2.to_string();
    tokio::time::sleep(latticeiq::auth::jwks::REFRESH_INTERVAL).await;
    let _ = status(&app, &sign(jsonwebtoken::Algorithm::RS256, Some("key-3"), &claims(), &k2)).await;
    assert_eq!(status(&app, &key1_token).await.0, 401);
    // HS256 is off when only a JWKS is configured
    let hs = sign(
        jsonwebtoken::Algorithm::HS256,
        None,
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    );
    assert_eq!(status(&app, &hs).await.0, 401);
}

const PAYLOADS: &[&str] = &[
    "'; DROP TABLE contacts; --",
    "\" OR 1=1 --",
    "' OR '1'='1",
    "1; DELETE FROM contacts WHERE 1=1",
    "Robert'); DROP TABLE users_settings;--",
    "%' AND 1=0 UNION SELECT * FROM pg_user --",
    "\\'; SELECT pg_sleep(5); --",
    "$1 $$ $2 ? ?? :name",
    "<script>alert(1)</script>",
    "tab\tnew\nline\rreturn\u{7}bell\u{1b}[31m",
    "😀 Ünïcödé \u{202e}RTL",
    "*:* & | ! ( ) \" NEAR AND OR NOT",
    "{{ first_name }}",
];

both_backends!(hostile_strings_are_treated_as_data_everywhere, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let count = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let rows = db
                .conn()
                .query_all_raw(sea_orm::Statement::from_string(
                    db.backend(),
                    "SELECT count(*) FROM contacts".to_owned(),
                ))
                .await
                .unwrap();
            rows[0].try_get_by_index::<i64>(0).unwrap()
        }
    };
    use sea_orm::ConnectionTrait as _;
    let before = count(&app).await;
    let id = app.gql(&t, "{ contacts(first: 1) { nodes { id } } }", json!({})).await["contacts"]["nodes"][0]
        ["id"]
        .clone();
    for p in PAYLOADS {
        for field in ["firstName", "email", "company", "enrichmentCompanyIndustry", "source"] {
            for op in ["eq", "neq", "contains", "startsWith"] {
                let d = app
                    .gql(
                        &t,
                        "query($f: ContactFilter) { contacts(filter: $f) { totalCount } }",
                        json!({"f": {field: {op: p}}}),
                    )
                    .await;
                let n = d["contacts"]["totalCount"].as_i64().unwrap();
                assert!(
                    n == 0 || (op == "neq" && n > 0) || (op == "contains" && n >= 0),
                    "{field} {op} {p}: {n}"
                );
            }
            app.gql(
                &t,
                "query($f: ContactFilter) { contacts(filter: $f) { totalCount } }",
                json!({"f": {field: {"in": [p, p]}}}),
            )
            .await;
        }
        let d =
            app.gql(&t, "query($s: String) { contacts(search: $s) { totalCount } }", json!({"s": p})).await;
        assert!(d["contacts"]["totalCount"].as_i64().unwrap() <= 482);
        let (_, body) = app
            .post(
                Some(&t),
                "query($n: String!, $id: UUID!) { contact(id: $id) { field(name: $n) } }",
                json!({"n": p, "id": id}),
            )
            .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "field({p:?}): {body}");
        let (_, body) = app
            .post(Some(&t), "query($c: String) { contacts(after: $c) { totalCount } }", json!({"c": p}))
            .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "cursor {p:?}: {body}");
        let (_, body) = app
            .post(
                Some(&t),
                "query($b: String, $id: UUID!) { previewTemplate(body: $b, contactId: $id) { body } }",
                json!({"b": p, "id": id}),
            )
            .await;
        if body.get("errors").is_none() {
            assert!(body["data"]["previewTemplate"]["body"].as_str().unwrap().len() <= p.len() + 20);
        } else {
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        }
        // stored as data, read back as written
        let created = app
            .gql(
                &t,
                "mutation($i: CreateContactInput!) { createContact(input: $i) { id company notes } }",
                json!({"i": {"company": p, "notes": p}}),
            )
            .await;
        assert_eq!(created["createContact"]["company"], p.trim());
        let csv = format!(
            "email,company,notes\n\"x{}@example.com\",\"{}\",\"{}\"\n",
            PAYLOADS.iter().position(|x| x == p).unwrap(),
            p.replace('"', "\"\""),
            p.replace('"', "\"\"")
        );
        let r = app
            .gql(
                &t,
                "mutation($c: String!) { importContacts(csv: $c) { created errors { message } } }",
                json!({"c": csv}),
            )
            .await;
        assert_eq!(r["importContacts"]["created"], 1, "{r}");
    }
    assert_eq!(count(&app).await, before + 2 * PAYLOADS.len() as i64, "the schema and its rows are intact");
    // NUL is refused up front, in any input
    let (st, body) = app
        .post(Some(&t), "query($s: String) { contacts(search: $s) { totalCount } }", json!({"s": "a\u{0}b"}))
        .await;
    assert_eq!((st, body["errors"][0]["extensions"]["code"].clone()), (400, json!("BAD_USER_INPUT")));
    let (st, _) = app
        .post(
            Some(&t),
            "query($s: String) { contacts(search: $s) { totalCount } }",
            json!({"s": "literal \\u0000 text"}),
        )
        .await;
    assert_eq!(st, 200, "an escaped backslash is not a NUL");
});

both_backends!(a_document_skips_validation_only_with_the_variables_it_passed_with, |backend| async move {
    // The gateway skips async-graphql's validation rules for a document it
    // validated before with the same operation and variables (parsed.rs):
    // other variables, or a document that failed, are validated every time.
    let app = TestApp::with_demo(backend).await;
    let t = app.admin();
    let id = app.gql(&t, "{ contacts(first: 1) { nodes { id } } }", json!({})).await["contacts"]["nodes"][0]
        ["id"]
        .clone();
    let q = "query One($id: UUID!, $n: Int) { contact(id: $id) { id } contacts(first: $n) { totalCount } }";
    let good = json!({"id": id, "n": 2});
    let first = app.gql(&t, q, good.clone()).await;
    assert_eq!(first["contact"]["id"], id);
    let bad = json!({"id": id, "n": "two"});
    for _ in 0..2 {
        let (_, body) = app.post(Some(&t), q, bad.clone()).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert!(body.get("data").is_none(), "a validation error, not a field error: {body}");
    }
    // A UUID the scalar refuses passes validation (the engine reads it at
    // its field), and is bad input there.
    let (_, body) = app.post(Some(&t), q, json!({"id": "not-a-uuid", "n": 2})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["contact"]), "{body}");
    // The remembered request again (its second pass keeps the engine's
    // result; later ones are given it), and under another operation name.
    for _ in 0..3 {
        assert_eq!(app.gql(&t, q, good.clone()).await, first);
    }
    let (_, body) = app.post_op(Some(&t), q, good.clone(), "Other").await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    // Bad variables still fail once the good ones are remembered.
    let (_, body) = app.post(Some(&t), q, bad.clone()).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(app.gql(&t, q, good.clone()).await, first);
    // A document that fails validation fails every time.
    for _ in 0..2 {
        let (_, body) = app.post(Some(&t), "{ contacts(first: 1) { nodes { nope } } }", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert!(body.get("data").is_none(), "{body}");
    }
});

both_backends!(absurd_numbers_and_sizes_are_refused_cleanly, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.admin();
    let before = snapshot(&app.db).await;
    for q in [
        "{ contacts(first: 99999999999) { totalCount } }",
        "{ contacts(first: -5) { totalCount } }",
        "{ contacts(filter: {enrichmentDataQualityScore: {gt: 1e309}}) { totalCount } }",
        "{ contacts(filter: {enrichmentCompanyRevenue: {gt: \"NaN\"}}) { totalCount } }",
        "{ contacts(filter: {enrichmentCompanyRevenue: {gt: \"99999999999999999999\"}}) { totalCount } }",
        "{ contacts(filter: {createdAt: {gt: \"yesterday\"}}) { totalCount } }",
        "{ contact(id: \"not-a-uuid\") { id } }",
    ] {
        let (st, body) = app.post(Some(&t), q, json!({})).await;
        assert!(st < 500, "{q}: {st}");
        assert!(body.get("errors").is_some(), "{q}: {body}");
    }
    let big: Vec<String> = (0..10_000).map(|i| format!("v{i}")).collect();
    let (_, body) = app
        .post(
            Some(&t),
            "query($f: ContactFilter) { contacts(filter: $f) { totalCount } }",
            json!({"f": {"email": {"in": big}}}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("1000"));
    let mut deep = json!({"email": {"eq": "x"}});
    for i in 0..50 {
        deep = if i % 2 == 0 { json!({"and": [deep]}) } else { json!({"or": [deep]}) };
    }
    let (st, body) = app
        .post(
            Some(&t),
            "query($f: ContactFilter) { contacts(filter: $f) { totalCount } }",
            json!({"f": deep}),
        )
        .await;
    assert!(st < 500 && body.get("errors").is_some(), "{body}");
    // the same nesting written inline in the query text
    let mut inline = String::from("{email: {eq: \"x\"}}");
    for _ in 0..60 {
        inline = format!("{{and: [{inline}]}}");
    }
    let (st, body) =
        app.post(Some(&t), &format!("{{ contacts(filter: {inline}) {{ totalCount }} }}"), json!({})).await;
    assert!(st < 500 && body.get("errors").is_some(), "{body}");
    // and a legal depth still works
    let mut legal = String::from("{email: {eq: \"x\"}}");
    for _ in 0..6 {
        legal = format!("{{or: [{legal}]}}");
    }
    app.gql(&t, &format!("{{ contacts(filter: {legal}) {{ totalCount }} }}"), json!({})).await;
    assert_eq!(snapshot(&app.db).await, before);
});

both_backends!(metrics_count_requests_latency_errors_and_the_pool, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.admin();
    app.gql(&t, "query Dashboard { contactQualityDashboard { totalContacts } }", json!({})).await;
    let _ = app.post(Some(&t), "query Broken { contacts(first: 1000) { totalCount } }", json!({})).await;
    let _ = app.post(None, "{ viewer { role } }", json!({})).await;
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for needle in [
        "latticeiq_graphql_requests_total{operation=\"Dashboard\",outcome=\"ok\"}",
        "latticeiq_graphql_requests_total{operation=\"Broken\",outcome=\"error\"}",
        "latticeiq_graphql_request_duration_seconds_bucket{operation=\"Dashboard\"",
        "latticeiq_graphql_errors_total{code=\"BAD_USER_INPUT\"}",
        "latticeiq_graphql_errors_total{code=\"UNAUTHENTICATED\"}",
        "latticeiq_db_pool_connections{state=\"in_use\"}",
        "latticeiq_db_pool_max_connections",
        "latticeiq_db_acquire_duration_seconds",
        "# TYPE latticeiq_graphql_requests_total counter",
    ] {
        assert!(text.contains(needle), "/metrics lacks {needle}\n{text}");
    }
    assert!(!text.contains(&t), "the token leaked into metrics");
});

/// GraphiQL 3.8's introspection query (`ofType` nested nine levels deep).
pub const INTROSPECTION: &str = r#"
    query IntrospectionQuery {
      __schema {
        queryType { name }
        mutationType { name }
        subscriptionType { name }
        types { ...FullType }
        directives { name description locations args { ...InputValue } }
      }
    }
    fragment FullType on __Type {
      kind name description
      fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
      inputFields { ...InputValue }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
    fragment TypeRef on __Type {
      kind name
      ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
    }
"#;

both_backends!(response_fields_come_in_the_order_the_query_asked, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let q = "query Order { contacts(first: 2) { totalCount pageInfo { hasNextPage } nodes { icpMatchScore fullName } } v: viewer { role } }";
    let body = app
        .client
        .post(app.url("/graphql"))
        .header("authorization", format!("Bearer {}", app.admin()))
        .json(&json!({"query": q}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pos = |needle: &str| body.find(needle).unwrap_or_else(|| panic!("{needle} missing from {body}"));
    assert!(
        pos("\"totalCount\"") < pos("\"pageInfo\"")
            && pos("\"pageInfo\"") < pos("\"nodes\"")
            && pos("\"nodes\"") < pos("\"v\""),
        "{body}"
    );
    assert!(pos("\"icpMatchScore\"") < pos("\"fullName\""), "{body}");
});
