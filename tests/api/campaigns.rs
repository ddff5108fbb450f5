//! Campaigns (SPEC §6.7): the lifecycle, builds (idempotent, concurrent-safe,
//! exclusive between open campaigns), counters, and `campaignUpdated` over a
//! real WebSocket — also across two gateway processes on one Postgres.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use latticeiq::auth::Role;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::{all_contacts, snapshot};
use crate::helpers::{Backend, DEMO, OTHER, TestApp, TestDb, test_config};
use crate::mutations_contacts::refused;

const CREATE: &str =
    "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id status minIcpScore targetCount } }";
const BUILD: &str = "mutation($id: UUID!) { buildCampaign(id: $id) { matched assigned incompleteRenders campaign { id status targetCount } } }";

/// The demo plus 1 500 seeded contacts, an ICP that takes many of them, and a draft campaign.
async fn setup(app: &TestApp, token: &str, min: i32) -> (Value, Value, Value) {
    let icp = app
        .gql(token, "mutation { createIdealClientProfile(input: {name: \"Wide\", criteria: {industries: [\"Finance\", \"SaaS\", \"Technology & Software\", \"Healthcare\"], personas: [\"Manager\", \"Decision-maker\", \"VP\"]}}) { id } }", json!({}))
        .await["createIdealClientProfile"]["id"]
        .clone();
    let tpl = app.gql(token, "{ emailTemplates { id } }", json!({})).await["emailTemplates"][0]["id"].clone();
    let c = app
        .gql(
            token,
            CREATE,
            json!({"i": {"name": "Spring", "icpId": icp, "emailTemplateId": tpl, "minIcpScore": min}}),
        )
        .await["createCampaign"]
        .clone();
    (c["id"].clone(), icp, tpl)
}

async fn seed_more(app: &TestApp) {
    // extra contacts in the demo workspace give builds real work
    seed_contacts(app, 1500).await;
}

/// `n` generated contacts in the demo workspace.
async fn seed_contacts(app: &TestApp, n: u64) {
    let mut rows = Vec::new();
    for c in latticeiq::seed::generate::contacts(DEMO, 5, n) {
        let mut m = latticeiq::store::contacts::blank(DEMO);
        m.id = c.id;
        m.email = Some(c.email);
        m.first_name = Some(c.first_name);
        m.last_name = Some(c.last_name);
        m.company = c.company;
        if let Some(d) = &c.enrichment_data {
            latticeiq::store::contacts::set_derived(
                &mut m,
                latticeiq::domain::enrichment::derive(d, c.kernel_analysis.as_ref()),
            );
        }
        m.vertical = c.vertical;
        m.persona_type = c.persona_type;
        rows.push(m);
    }
    crate::fixtures::insert_contacts(&app.db, DEMO, &rows).await;
}

both_backends!(a_campaign_goes_through_its_whole_life, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    seed_more(&app).await;
    let t = app.token(DEMO, Role::Member);
    let (id, icp, tpl) = setup(&app, &t, 40).await;
    let b1 = app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"].clone();
    assert!(b1["assigned"].as_i64().unwrap() > 50, "{b1}");
    assert_eq!(b1["campaign"]["targetCount"], b1["assigned"]);
    assert!(b1["matched"].as_i64().unwrap() >= b1["assigned"].as_i64().unwrap());
    // every held contact scores ≥ 40 and has its rendered e-mail
    let held: Vec<_> = all_contacts(&app.db, DEMO)
        .await
        .into_iter()
        .filter(|m| m.campaign_id.map(|c| c.to_string()) == id.as_str().map(str::to_owned))
        .collect();
    assert_eq!(held.len() as i64, b1["assigned"].as_i64().unwrap());
    assert!(held.iter().all(|m| m.icp_match_score.unwrap() >= 40
        && m.email_subject.is_some()
        && m.email_body_preview.as_ref().is_some_and(|p| p.chars().count() <= 200)));
    // building again changes nothing
    let before = snapshot(&app.db).await;
    let b2 = app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"].clone();
    assert_eq!(b2, b1);
    let after = snapshot(&app.db).await;
    assert!(
        after == before,
        "a second build wrote: {}",
        crate::mutations_contacts::first_difference(&before, &after)
    );
    // forbidden transitions from draft
    let tr = |name: &str| {
        format!("mutation($id: UUID!) {{ {name}(id: $id) {{ status activatedAt completedAt }} }}")
    };
    for name in ["pauseCampaign", "resumeCampaign", "completeCampaign"] {
        refused(&app, &t, &tr(name), json!({"id": id}), "BAD_USER_INPUT", None).await;
    }
    let a = app.gql(&t, &tr("activateCampaign"), json!({"id": id})).await["activateCampaign"].clone();
    assert_eq!(a["status"], "ACTIVE");
    assert!(a["activatedAt"].is_string());
    refused(&app, &t, &tr("activateCampaign"), json!({"id": id}), "BAD_USER_INPUT", None).await;
    refused(&app, &t, &tr("resumeCampaign"), json!({"id": id}), "BAD_USER_INPUT", None).await;
    refused(&app, &t, BUILD, json!({"id": id}), "BAD_USER_INPUT", None).await;
    refused(
        &app,
        &t,
        "mutation($id: UUID!) { updateCampaign(id: $id, input: {name: \"x\"}) { id } }",
        json!({"id": id}),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    assert_eq!(
        app.gql(&t, &tr("pauseCampaign"), json!({"id": id})).await["pauseCampaign"]["status"],
        "PAUSED"
    );
    assert_eq!(
        app.gql(&t, &tr("resumeCampaign"), json!({"id": id})).await["resumeCampaign"]["status"],
        "ACTIVE"
    );
    // counters
    let ev = "mutation($id: UUID!, $i: CampaignEventsInput!) { recordCampaignEvents(id: $id, input: $i) { sentCount openedCount clickedCount repliedCount } }";
    let r =
        app.gql(&t, ev, json!({"id": id, "i": {"sent": 10, "opened": 4, "clicked": 2, "replied": 1}})).await;
    assert_eq!(
        r["recordCampaignEvents"],
        json!({"sentCount": 10, "openedCount": 4, "clickedCount": 2, "repliedCount": 1})
    );
    for bad in [
        json!({"opened": 7}),
        json!({"sent": -11}),
        json!({"sent": -7}),
        json!({"replied": -2}),
        json!({"clicked": 9}),
    ] {
        refused(&app, &t, ev, json!({"id": id, "i": bad}), "BAD_USER_INPUT", None).await;
    }
    let perf = app.gql(&t, "query($id: UUID) { campaignPerformance(campaignId: $id) { openRate clickRate replyRate icpName status } }", json!({"id": id})).await;
    assert_eq!(
        perf["campaignPerformance"],
        json!([{"openRate": 40.0, "clickRate": 20.0, "replyRate": 10.0, "icpName": "Wide", "status": "ACTIVE"}])
    );
    // a second campaign does not take contacts held by the active one
    let c2 = app
        .gql(
            &t,
            CREATE,
            json!({"i": {"name": "Summer", "icpId": icp, "emailTemplateId": tpl, "minIcpScore": 40}}),
        )
        .await["createCampaign"]["id"]
        .clone();
    let b = app.gql(&t, BUILD, json!({"id": c2})).await["buildCampaign"].clone();
    assert_eq!(b["assigned"], 0, "{b}");
    assert_eq!(b["matched"], b1["matched"]);
    // complete keeps contacts as history but frees them for new builds
    let done = app.gql(&t, &tr("completeCampaign"), json!({"id": id})).await["completeCampaign"].clone();
    assert_eq!(done["status"], "COMPLETED");
    assert!(done["completedAt"].is_string());
    refused(&app, &t, &tr("cancelCampaign"), json!({"id": id}), "BAD_USER_INPUT", None).await;
    refused(
        &app,
        &t,
        "mutation($id: UUID!) { deleteCampaign(id: $id) }",
        json!({"id": id}),
        "BAD_USER_INPUT",
        None,
    )
    .await;
    let b = app.gql(&t, BUILD, json!({"id": c2})).await["buildCampaign"].clone();
    assert_eq!(b["assigned"], b1["assigned"]);
    // cancelling releases; deleting a cancelled campaign is allowed
    let cancelled = app.gql(&t, &tr("cancelCampaign"), json!({"id": c2})).await["cancelCampaign"].clone();
    assert_eq!(cancelled["status"], "CANCELLED");
    let still = all_contacts(&app.db, DEMO)
        .await
        .iter()
        .filter(|m| m.campaign_id.map(|c| c.to_string()) == c2.as_str().map(str::to_owned))
        .count();
    assert_eq!(still, 0);
    app.gql(&t, "mutation($id: UUID!) { deleteCampaign(id: $id) }", json!({"id": c2})).await;
    // other workspaces and viewers
    let other = app.token(OTHER, Role::Admin);
    for q in [BUILD, &tr("cancelCampaign") as &str, "mutation($id: UUID!) { deleteCampaign(id: $id) }"] {
        refused(&app, &other, q, json!({"id": id}), "NOT_FOUND", None).await;
    }
    refused(
        &app,
        &other,
        CREATE,
        json!({"i": {"name": "X", "icpId": icp, "emailTemplateId": tpl}}),
        "NOT_FOUND",
        None,
    )
    .await;
    refused(
        &app,
        &t,
        CREATE,
        json!({"i": {"name": "X", "icpId": icp, "emailTemplateId": tpl, "minIcpScore": 101}}),
        "BAD_USER_INPUT",
        Some("minIcpScore"),
    )
    .await;
    refused(
        &app,
        &t,
        CREATE,
        json!({"i": {"name": "X", "icpId": icp, "emailTemplateId": tpl, "maxContacts": 0}}),
        "BAD_USER_INPUT",
        Some("maxContacts"),
    )
    .await;
    // an ICP used by an open campaign cannot be deleted
    app.gql(&t, CREATE, json!({"i": {"name": "Open", "icpId": icp, "emailTemplateId": tpl}})).await;
    refused(
        &app,
        &t,
        "mutation($id: UUID!) { deleteIdealClientProfile(id: $id) }",
        json!({"id": icp}),
        "CONFLICT",
        None,
    )
    .await;
    refused(
        &app,
        &t,
        "mutation($id: UUID!) { deleteEmailTemplate(id: $id) }",
        json!({"id": tpl}),
        "CONFLICT",
        None,
    )
    .await;
    let list = app.gql(&t, "{ campaigns(status: DRAFT) { totalCount nodes { name } } all: campaigns(first: 1) { totalCount pageInfo { hasNextPage endCursor } } }", json!({})).await;
    assert_eq!(list["campaigns"]["totalCount"], 1);
    assert_eq!(list["all"]["totalCount"], 2);
    let page2 = app.gql(&t, "query($a: String) { campaigns(first: 1, after: $a) { nodes { name } pageInfo { hasNextPage } } }", json!({"a": list["all"]["pageInfo"]["endCursor"]})).await;
    assert_eq!(page2["campaigns"]["pageInfo"]["hasNextPage"], false);
});

both_backends!(a_build_of_several_chunks_writes_every_contact_its_own_email, |backend| async move {
    // More contacts than one render chunk (2 000) takes: chunks are rendered
    // while the previous one is written, and each row must get its own e-mail.
    let app = TestApp::with_demo(backend).await;
    seed_contacts(&app, 4500).await;
    let t = app.token(DEMO, Role::Member);
    let (id, _icp, tpl) = setup(&app, &t, 0).await;
    let b = app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"].clone();
    let assigned = b["assigned"].as_i64().unwrap();
    assert!(assigned > 4000, "{b}");
    let cid = id.as_str().unwrap();
    let held: Vec<_> = all_contacts(&app.db, DEMO)
        .await
        .into_iter()
        .filter(|m| m.campaign_id.is_some_and(|c| c.to_string() == cid))
        .collect();
    assert_eq!(held.len() as i64, assigned);
    // a sample across every chunk, against the contact's renderedEmail
    let query = "query($id: UUID!, $t: UUID) { contact(id: $id) { renderedEmail(templateId: $t) { subject body complete } } }";
    let mut incomplete = 0;
    for m in held.iter().step_by(97) {
        let r = app.gql(&t, query, json!({"id": m.id, "t": tpl})).await["contact"]["renderedEmail"].clone();
        let preview: String = r["body"].as_str().unwrap().chars().take(200).collect();
        assert_eq!(m.email_subject.as_deref(), r["subject"].as_str(), "{}", m.id);
        assert_eq!(m.email_body_preview.as_deref(), Some(preview.as_str()), "{}", m.id);
        incomplete += i64::from(r["complete"] == json!(false));
    }
    assert!(b["incompleteRenders"].as_i64().unwrap() >= incomplete, "{b}");
    // and a rebuild finds nothing to write
    let before = snapshot(&app.db).await;
    assert_eq!(app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"], b);
    assert!(snapshot(&app.db).await == before, "a second build wrote");
});

both_backends!(max_contacts_takes_the_best_scores_and_a_rebuild_releases_the_rest, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    seed_more(&app).await;
    let t = app.token(DEMO, Role::Member);
    let (id, _, _) = setup(&app, &t, 0).await;
    let all = app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"]["assigned"].as_i64().unwrap();
    assert!(all >= 1900, "minIcpScore 0 takes everyone: {all}");
    app.gql(
        &t,
        "mutation($id: UUID!) { updateCampaign(id: $id, input: {maxContacts: 25, minIcpScore: 30}) { id } }",
        json!({"id": id}),
    )
    .await;
    let b = app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"].clone();
    assert_eq!(b["assigned"], 25);
    let rows = all_contacts(&app.db, DEMO).await;
    let mut held: Vec<(i32, Uuid)> = rows
        .iter()
        .filter(|m| m.campaign_id.map(|c| c.to_string()) == id.as_str().map(str::to_owned))
        .map(|m| (m.icp_match_score.unwrap(), m.id))
        .collect();
    assert_eq!(held.len(), 25, "the earlier build's other contacts were released");
    held.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let lowest_held = held.last().unwrap().0;
    assert!(
        rows.iter()
            .filter(|m| m.campaign_id.is_none())
            .all(|m| m.icp_match_score.unwrap_or(0) <= lowest_held || m.icp_id.is_none())
    );
});

both_backends!(concurrent_builds_of_one_campaign_let_exactly_one_win, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    seed_more(&app).await;
    let t = app.token(DEMO, Role::Member);
    let (id, _, _) = setup(&app, &t, 30).await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, t, id, barrier) =
            (app.client.clone(), app.url("/graphql"), t.clone(), id.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let resp = client
                .post(url)
                .header("authorization", format!("Bearer {t}"))
                .json(&json!({"query": BUILD, "variables": {"id": id}}))
                .send()
                .await
                .unwrap();
            resp.json::<Value>().await.unwrap()
        }));
    }
    let mut wins = Vec::new();
    let mut codes = Vec::new();
    for task in tasks {
        let body = task.await.unwrap();
        match body.get("errors") {
            None => wins.push(body["data"]["buildCampaign"].clone()),
            Some(e) => codes.push(e[0]["extensions"]["code"].as_str().unwrap().to_owned()),
        }
    }
    assert_eq!(wins.len(), 1, "winners: {wins:?}, others: {codes:?}");
    assert!(codes.iter().all(|c| c == "CONFLICT"), "{codes:?}");
    // what was stored equals a single build
    let before = snapshot(&app.db).await;
    let single = app.gql(&t, BUILD, json!({"id": id})).await["buildCampaign"].clone();
    assert_eq!(single, wins[0]);
    let after = snapshot(&app.db).await;
    assert!(after == before, "{}", crate::mutations_contacts::first_difference(&before, &after));
});

/// A `graphql-transport-ws` client subscribed to `campaignUpdated(id)`.
async fn subscribe(
    app_addr: std::net::SocketAddr,
    token: &str,
    id: &Value,
) -> (impl futures_util::Sink<Message> + Unpin + use<>, impl futures_util::Stream<Item = Value> + Unpin + use<>)
{
    let mut req = format!("ws://{app_addr}/graphql/ws").into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (socket, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let (mut sink, stream) = socket.split();
    sink.send(Message::Text(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let mut stream = stream
        .filter_map(|m| async move {
            match m {
                Ok(Message::Text(t)) => serde_json::from_str::<Value>(&t).ok(),
                Ok(Message::Close(Some(f))) => Some(json!({"type": "close", "code": u16::from(f.code)})),
                _ => None,
            }
        })
        .boxed();
    let ack = tokio::time::timeout(Duration::from_secs(10), stream.next()).await.unwrap().unwrap();
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    sink.send(Message::Text(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription($id: UUID!) { campaignUpdated(id: $id) { id status targetCount sentCount icp { name } } }", "variables": {"id": id}}}).to_string().into()))
        .await
        .unwrap();
    // let the subscription register before events flow
    tokio::time::sleep(Duration::from_millis(300)).await;
    (sink, stream)
}

async fn next_event(stream: &mut (impl futures_util::Stream<Item = Value> + Unpin)) -> Option<Value> {
    match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
        Ok(Some(v)) if v["type"] == "next" => Some(v["payload"]["data"]["campaignUpdated"].clone()),
        Ok(Some(v)) => panic!("unexpected message {v}"),
        _ => None,
    }
}

both_backends!(subscribers_see_builds_and_transitions_of_their_own_campaigns_only, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let (id, _, _) = setup(&app, &t, 40).await;
    let (_s1, mut mine) = subscribe(app.addr, &app.token(DEMO, Role::Viewer), &id).await;
    let (_s2, mut theirs) = subscribe(app.addr, &app.token(OTHER, Role::Admin), &id).await;
    app.gql(&t, BUILD, json!({"id": id})).await;
    // the creation's own event may still be on its way (Postgres delivers
    // notifications asynchronously): the build's is the first with targets
    let mut e = next_event(&mut mine).await.expect("the build is published");
    if e["targetCount"] == 0 {
        e = next_event(&mut mine).await.expect("the build is published");
    }
    assert_eq!((e["status"].clone(), e["icp"]["name"].clone()), (json!("DRAFT"), json!("Wide")));
    assert!(e["targetCount"].as_i64().unwrap() >= 1);
    let mut first_transition = true;
    for (m, status) in
        [("activateCampaign", "ACTIVE"), ("pauseCampaign", "PAUSED"), ("resumeCampaign", "ACTIVE")]
    {
        app.gql(&t, &format!("mutation($id: UUID!) {{ {m}(id: $id) {{ id }} }}"), json!({"id": id})).await;
        let mut e = next_event(&mut mine).await.expect(m);
        // a late creation notification, read after the build, is one more DRAFT
        if first_transition && e["status"] == "DRAFT" {
            e = next_event(&mut mine).await.expect(m);
        }
        first_transition = false;
        assert_eq!(e["status"], status);
    }
    app.gql(
        &t,
        "mutation($id: UUID!) { recordCampaignEvents(id: $id, input: {sent: 3}) { id } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(next_event(&mut mine).await.expect("events")["sentCount"], 3);
    // a refused mutation publishes nothing
    let _ = app
        .post(
            Some(&t),
            "mutation($id: UUID!) { recordCampaignEvents(id: $id, input: {opened: 9}) { id } }",
            json!({"id": id}),
        )
        .await;
    app.gql(&t, "mutation($id: UUID!) { completeCampaign(id: $id) { id } }", json!({"id": id})).await;
    assert_eq!(next_event(&mut mine).await.expect("complete")["status"], "COMPLETED");
    assert_eq!(next_event(&mut theirs).await, None, "another workspace heard of the campaign");
});

both_backends!(a_bad_token_closes_the_socket_with_4403, |backend| async move {
    let app = TestApp::spawn(backend).await;
    for payload in [json!({}), json!({"Authorization": "Bearer garbage"})] {
        let mut req = format!("ws://{}/graphql/ws", app.addr).into_client_request().unwrap();
        req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        socket
            .send(Message::Text(json!({"type": "connection_init", "payload": payload}).to_string().into()))
            .await
            .unwrap();
        let msg =
            tokio::time::timeout(Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
        match msg {
            Message::Close(Some(f)) => assert_eq!(u16::from(f.code), 4403),
            other => panic!("expected a 4403 close, got {other:?}"),
        }
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutation_on_one_gateway_reaches_a_subscriber_on_another() {
    let first = TestApp::with_demo(Backend::Postgres).await;
    let second_db = latticeiq::db::Database::connect_url(&first.db_url(), 3, "latticeiq_app").await.unwrap();
    let second = TestApp::serve(TestDb::borrowed(), second_db, test_config(&first.db_url(), &[])).await;
    let t = first.token(DEMO, Role::Member);
    let (id, _, _) = setup(&first, &t, 40).await;
    let (_s, mut events) = subscribe(second.addr, &t, &id).await;
    first.gql(&t, BUILD, json!({"id": id})).await;
    // the creation's own notification may arrive after the subscription
    // started (Postgres delivers asynchronously): the build's has targets
    let mut e = next_event(&mut events).await.expect("the other gateway delivers the build");
    if e["targetCount"] == 0 {
        e = next_event(&mut events).await.expect("the other gateway delivers the build");
    }
    assert_eq!(e["id"], id);
    assert!(e["targetCount"].as_i64().unwrap() >= 1, "{e}");
    first.gql(&t, "mutation($id: UUID!) { activateCampaign(id: $id) { id } }", json!({"id": id})).await;
    // a late creation notification reads the campaign as it is when it
    // arrives, so at most one more DRAFT may come before the activation
    let mut status = next_event(&mut events).await.expect("activation")["status"].clone();
    if status == "DRAFT" {
        status = next_event(&mut events).await.expect("activation")["status"].clone();
    }
    assert_eq!(status, "ACTIVE");
}
