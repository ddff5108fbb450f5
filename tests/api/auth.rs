//! Tokens over real HTTP (SPEC §4): every bad token is 401 `UNAUTHENTICATED`
//! with a message saying what was wrong; good tokens in both claim layouts work.

use base64::Engine as _;
use latticeiq::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::helpers::{Backend, DEMO, SECRET, TestApp};

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn sign(header: Value, claims: Value, secret: &[u8]) -> String {
    let header: jsonwebtoken::Header = serde_json::from_value(header).unwrap();
    jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(secret)).unwrap()
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

async fn status_of(app: &TestApp, authorization: Option<&str>) -> (u16, Value) {
    let mut req = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .json(&json!({"query": "{ viewer { workspaceId role } }"}));
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

both_backends!(bad_tokens_are_refused_with_401_unauthenticated, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let ws = DEMO.to_string();
    let hs = json!({"alg": "HS256", "typ": "JWT"});
    let good = |extra: Value| {
        let mut c = json!({"workspace_id": ws, "workspace_role": "admin", "exp": now() + 600});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let none_token = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&good(json!({}))));
    let rs_token =
        format!("{}.{}.c2lnbmF0dXJl", b64(&json!({"alg": "RS256", "typ": "JWT"})), b64(&good(json!({}))));
    let mut no_ws = good(json!({}));
    no_ws.as_object_mut().unwrap().remove("workspace_id");
    let mut no_exp = good(json!({}));
    no_exp.as_object_mut().unwrap().remove("exp");
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("missing header", None, "missing"),
        ("empty bearer", Some("Bearer ".into()), "malformed authorization"),
        ("basic scheme", Some("Basic dXNlcjpwYXNz".into()), "malformed authorization"),
        ("garbage", Some("Bearer abc.def.ghi".into()), "malformed token"),
        ("alg none", Some(format!("Bearer {none_token}")), "algorithm"),
        ("wrong algorithm", Some(format!("Bearer {rs_token}")), "algorithm"),
        (
            "wrong secret",
            Some(format!(
                "Bearer {}",
                sign(hs.clone(), good(json!({})), b"another-secret-of-enough-length-1234")
            )),
            "signature",
        ),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                sign(hs.clone(), good(json!({"exp": now() - 120})), SECRET.as_bytes())
            )),
            "expired",
        ),
        ("no exp", Some(format!("Bearer {}", sign(hs.clone(), no_exp, SECRET.as_bytes()))), "exp"),
        (
            "nbf in the future",
            Some(format!(
                "Bearer {}",
                sign(hs.clone(), good(json!({"nbf": now() + 600})), SECRET.as_bytes())
            )),
            "not yet valid",
        ),
        (
            "no workspace_id",
            Some(format!("Bearer {}", sign(hs.clone(), no_ws, SECRET.as_bytes()))),
            "workspace_id",
        ),
        (
            "non-UUID workspace_id",
            Some(format!(
                "Bearer {}",
                sign(hs.clone(), good(json!({"workspace_id": "acme"})), SECRET.as_bytes())
            )),
            "workspace_id",
        ),
        (
            "unknown role",
            Some(format!(
                "Bearer {}",
                sign(hs.clone(), good(json!({"workspace_role": "owner"})), SECRET.as_bytes())
            )),
            "workspace_role",
        ),
        (
            "oversized",
            Some(format!(
                "Bearer {}",
                sign(hs.clone(), good(json!({"pad": "x".repeat(9000)})), SECRET.as_bytes())
            )),
            "too large",
        ),
    ];
    for (name, header, says) in cases {
        let (status, body) = status_of(&app, header.as_deref()).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{name}");
        let message = body["errors"][0]["message"].as_str().unwrap().to_lowercase();
        assert!(message.contains(says), "{name}: message {message:?} should mention {says:?}");
        assert!(body.get("data").is_none(), "{name}: no data on 401");
    }
});

both_backends!(valid_tokens_work_in_both_claim_layouts, |backend| async move {
    let app = TestApp::spawn(backend).await;
    let ws = Uuid::new_v4();
    let hs = json!({"alg": "HS256", "typ": "JWT"});
    let top = sign(
        hs.clone(),
        json!({"workspace_id": ws, "workspace_role": "viewer", "exp": now() + 60}),
        SECRET.as_bytes(),
    );
    let supabase = sign(
        hs.clone(),
        json!({"sub": Uuid::nil(), "exp": now() + 60, "app_metadata": {"workspace_id": ws, "workspace_role": "admin"}}),
        SECRET.as_bytes(),
    );
    // a role defaults to member; leeway covers 20 s of clock skew
    let default_role = sign(hs, json!({"workspace_id": ws, "exp": now() - 20}), SECRET.as_bytes());
    for (token, role) in [(top, "viewer"), (supabase, "admin"), (default_role, "member")] {
        let (status, body) = status_of(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["viewer"]["workspaceId"], ws.to_string());
        assert_eq!(body["data"]["viewer"]["role"], role.to_uppercase());
    }
    let minted = app.token(ws, Role::Member);
    assert_eq!(status_of(&app, Some(&format!("Bearer {minted}"))).await.0, 200);
});

#[tokio::test]
async fn health_needs_no_token_and_readiness_checks_the_database() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let h = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(h.status().as_u16(), 200);
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page = app.client.get(app.url("/graphql")).header("accept", "text/html").send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/graphiql/graphiql.min.js") && !html.contains("unpkg") && !html.contains("cdn"));
    let js = app.client.get(app.url("/graphiql/graphiql.min.js")).send().await.unwrap();
    assert_eq!(js.status().as_u16(), 200);
}
