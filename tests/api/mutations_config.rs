//! ICPs and matching, templates, custom fields, settings and roles.

use latticeiq::auth::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::{all_contacts, exec, snapshot, uuid_sql};
use crate::helpers::{Backend, DEMO, OTHER, TestApp};
use crate::mutations_contacts::refused;

const CREATE_ICP: &str = "mutation($i: CreateIdealClientProfileInput!) { createIdealClientProfile(input: $i) { id name criteria scoringWeights isActive } }";

both_backends!(icp_validation_refuses_bad_input_and_changes_nothing, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let ok = json!({"name": "Fintech buyers", "criteria": {"industries": ["Finance"], "personas": ["CFO"], "min_company_size": "1,000+", "max_company_size": 50000}});
    let d = app.gql(&t, CREATE_ICP, json!({"i": ok})).await;
    assert_eq!(
        d["createIdealClientProfile"]["scoringWeights"],
        json!({"industry_weight": 30, "persona_weight": 40, "company_size_weight": 30})
    );
    for (input, field) in [
        (json!({"name": "", "criteria": {}}), "name"),
        (json!({"name": "x".repeat(101), "criteria": {}}), "name"),
        (json!({"name": "D", "description": "d".repeat(501), "criteria": {}}), "description"),
        (
            json!({"name": "W", "criteria": {"industries": ["Finance"]}, "scoringWeights": {"industry_weight": 50, "persona_weight": 50, "company_size_weight": 10}}),
            "scoringWeights",
        ),
        (json!({"name": "W", "criteria": {}, "scoringWeights": {"industry_weight": 100}}), "scoringWeights"),
        (
            json!({"name": "W", "criteria": {}, "scoringWeights": {"industry_weight": -10, "persona_weight": 60, "company_size_weight": 50}}),
            "scoringWeights",
        ),
        (json!({"name": "C", "criteria": {"industries": "Finance"}}), "criteria"),
        (json!({"name": "C", "criteria": {"colours": ["red"]}}), "criteria"),
        (json!({"name": "C", "criteria": {"min_company_size": 500, "max_company_size": 50}}), "criteria"),
        (json!({"name": "C", "criteria": {"min_company_size": "lots"}}), "criteria"),
    ] {
        refused(&app, &t, CREATE_ICP, json!({"i": input}), "BAD_USER_INPUT", Some(field)).await;
    }
    refused(&app, &t, CREATE_ICP, json!({"i": ok}), "CONFLICT", None).await;
    let id = d["createIdealClientProfile"]["id"].clone();
    let upd = "mutation($id: UUID!, $i: UpdateIdealClientProfileInput!) { updateIdealClientProfile(id: $id, input: $i) { name description criteria isActive } }";
    let u = app.gql(&t, upd, json!({"id": id, "i": {"description": "CFOs", "isActive": false}})).await;
    assert_eq!(u["updateIdealClientProfile"]["description"], "CFOs");
    assert_eq!(u["updateIdealClientProfile"]["criteria"], ok["criteria"], "left-out fields stay");
    refused(&app, &t, upd, json!({"id": id, "i": {"name": "High-Value Decision Makers"}}), "CONFLICT", None)
        .await;
    refused(
        &app,
        &t,
        upd,
        json!({"id": id, "i": {"criteria": {"personas": [1]}}}),
        "BAD_USER_INPUT",
        Some("criteria"),
    )
    .await;
    refused(
        &app,
        &app.token(OTHER, Role::Admin),
        upd,
        json!({"id": id, "i": {"name": "x"}}),
        "NOT_FOUND",
        None,
    )
    .await;
    refused(
        &app,
        &app.token(DEMO, Role::Viewer),
        CREATE_ICP,
        json!({"i": {"name": "V", "criteria": {}}}),
        "FORBIDDEN",
        None,
    )
    .await;
    let active = app.gql(&t, "{ idealClientProfiles(activeOnly: true) { name } }", json!({})).await;
    assert_eq!(active["idealClientProfiles"], json!([{"name": "High-Value Decision Makers"}]));
});

both_backends!(matching_stores_the_rust_score_of_every_contact, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let criteria = json!({"industries": ["Finance", "Technology & Software"], "personas": ["Decision-maker", "Manager"]});
    let weights = json!({"industry_weight": 50, "persona_weight": 50, "company_size_weight": 0});
    let id: Uuid = app
        .gql(
            &t,
            CREATE_ICP,
            json!({"i": {"name": "Deciders", "criteria": criteria, "scoringWeights": weights}}),
        )
        .await["createIdealClientProfile"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let run = "mutation($id: UUID!, $m: Int) { matchIdealClientProfile(id: $id, minScore: $m) { processed matched cleared } }";
    let r = app.gql(&t, run, json!({"id": id, "m": 50})).await["matchIdealClientProfile"].clone();
    assert_eq!(r["processed"], 482);
    assert_eq!(r["matched"], 2);
    let prepared = latticeiq::domain::icp::parse_icp(&criteria, Some(&weights)).unwrap().prepare();
    let rows = all_contacts(&app.db, DEMO).await;
    for m in &rows {
        let score = prepared.score_value(&latticeiq::store::contacts::icp_contact(m));
        if m.icp_id == Some(id) {
            assert_eq!(m.icp_match_score, Some(score), "{}", m.id);
            assert!(score >= 50);
        } else {
            assert!(score < 50, "{} scores {score} but was not assigned", m.id);
        }
    }
    if backend == Backend::Postgres {
        let sql = app
            .db
            .conn()
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT count(*) FROM contacts c WHERE icp_id = $1 AND icp_match_score <> calculate_icp_match(c, $2, $3)",
                [id.into(), criteria.clone().into(), weights.clone().into()],
            ))
            .await
            .unwrap();
        let n: i64 = sql[0].try_get_by_index(0).unwrap();
        assert_eq!(n, 0, "stored scores differ from calculate_icp_match");
    }
    // a stricter run clears the contacts that no longer qualify; a second run changes nothing
    let r = app.gql(&t, run, json!({"id": id, "m": 100})).await["matchIdealClientProfile"].clone();
    assert_eq!(r["cleared"].as_i64().unwrap() + r["matched"].as_i64().unwrap(), 2);
    let before = snapshot(&app.db).await;
    app.gql(&t, run, json!({"id": id, "m": 100})).await;
    let after = snapshot(&app.db).await;
    assert!(after == before, "{}", crate::mutations_contacts::first_difference(&before, &after));
    refused(&app, &t, run, json!({"id": id, "m": 101}), "BAD_USER_INPUT", Some("minScore")).await;
    refused(&app, &app.token(OTHER, Role::Admin), run, json!({"id": id, "m": 0}), "NOT_FOUND", None).await;
    // deleting the ICP clears it from its contacts
    app.gql(&t, run, json!({"id": id, "m": 0})).await;
    app.gql(&t, "mutation($id: UUID!) { deleteIdealClientProfile(id: $id) }", json!({"id": id})).await;
    let left = all_contacts(&app.db, DEMO)
        .await
        .iter()
        .filter(|m| m.icp_id == Some(id) || (m.icp_id.is_none() && m.icp_match_score.is_some()))
        .count();
    assert_eq!(left, 0);
});

const CREATE_EMAIL: &str =
    "mutation($i: CreateEmailTemplateInput!) { createEmailTemplate(input: $i) { id variables isDefault } }";

both_backends!(templates_are_validated_and_one_is_default, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    let (_, body) = app
        .post(Some(&t), CREATE_EMAIL, json!({"i": {"name": "Broken", "subject": "Hi {{ First }}", "body": "{{no_such_field}} and {{ unclosed"}}))
        .await;
    let e = &body["errors"][0];
    assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(e["extensions"]["field"], "subject");
    let m = e["message"].as_str().unwrap();
    for part in ["offset 3", "no_such_field", "offset 0", "offset 22"] {
        assert!(m.contains(part), "{m} lacks {part}");
    }
    for (input, field) in [
        (json!({"name": "", "subject": "s", "body": "b"}), "name"),
        (json!({"name": "n", "subject": "s".repeat(501), "body": "b"}), "subject"),
        (json!({"name": "n", "subject": "s", "body": "{{ favourite_colour }}"}), "body"),
        (json!({"name": "n", "subject": "s", "body": "{{ }}"}), "body"),
    ] {
        refused(&app, &t, CREATE_EMAIL, json!({"i": input}), "BAD_USER_INPUT", Some(field)).await;
    }
    let d = app
        .gql(&t, CREATE_EMAIL, json!({"i": {"name": "Products", "subject": "{{ first_name | default: \"there\" }}", "body": "{{product_name}} for {{company_name}} from {{sender_name}}. {{first_name}}", "isDefault": true}}))
        .await;
    let id = d["createEmailTemplate"]["id"].clone();
    assert_eq!(
        d["createEmailTemplate"]["variables"],
        json!(["first_name", "product_name", "company_name", "sender_name"])
    );
    let list = app
        .gql(&t, "{ emailTemplates { id isDefault } settings { defaultEmailTemplateId } }", json!({}))
        .await;
    let defaults: Vec<&Value> =
        list["emailTemplates"].as_array().unwrap().iter().filter(|x| x["isDefault"] == true).collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["id"], id);
    assert_eq!(list["settings"]["defaultEmailTemplateId"], id);
    // renderedEmail without templateId now uses it
    let r = app
        .gql(
            &t,
            "{ contacts(search: \"Garrett\") { nodes { renderedEmail { subject missingVariables } } } }",
            json!({}),
        )
        .await;
    assert_eq!(r["contacts"]["nodes"][0]["renderedEmail"]["subject"], "Garrett");
    let upd = "mutation($id: UUID!, $i: UpdateEmailTemplateInput!) { updateEmailTemplate(id: $id, input: $i) { name body variables } }";
    let u = app.gql(&t, upd, json!({"id": id, "i": {"body": "Plain"}})).await;
    assert_eq!(u["updateEmailTemplate"]["variables"], json!(["first_name"]));
    refused(&app, &t, upd, json!({"id": id, "i": {"body": "{{ x"}}), "BAD_USER_INPUT", Some("body")).await;
    refused(
        &app,
        &app.token(OTHER, Role::Admin),
        upd,
        json!({"id": id, "i": {"name": "x"}}),
        "NOT_FOUND",
        None,
    )
    .await;
    let call = app
        .gql(&t, "mutation { createCallTemplate(input: {name: \"Short\", body: \"Hi {{first_name}}, {{ sender_name | default: me }} here\", isDefault: true}) { id variables isDefault } }", json!({}))
        .await;
    assert_eq!(call["createCallTemplate"]["variables"], json!(["first_name", "sender_name"]));
    assert_eq!(call["createCallTemplate"]["isDefault"], true);
    refused(
        &app,
        &t,
        "mutation { createCallTemplate(input: {name: \"Bad\", body: \"{{ nope }}\"}) { id } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("body"),
    )
    .await;
    let cid = call["createCallTemplate"]["id"].clone();
    let defaults = "{ settings { defaultEmailTemplateId defaultCallTemplateId } }";
    let before = app.gql(&t, defaults, json!({})).await;
    assert_eq!(before["settings"], json!({"defaultEmailTemplateId": id, "defaultCallTemplateId": cid}));
    // another workspace's delete finds neither template and deletes nothing
    let other = app.token(OTHER, Role::Admin);
    for (delete, tid) in [("deleteCallTemplate", &cid), ("deleteEmailTemplate", &id)] {
        let m = format!("mutation($id: UUID!) {{ {delete}(id: $id) }}");
        refused(&app, &other, &m, json!({"id": tid}), "NOT_FOUND", None).await;
    }
    let both = "query($e: UUID!, $c: UUID!) { emailTemplate(id: $e) { isDefault } callTemplate(id: $c) { isDefault } }";
    let kept = app.gql(&t, both, json!({"e": id, "c": cid})).await;
    assert_eq!(kept, json!({"emailTemplate": {"isDefault": true}, "callTemplate": {"isDefault": true}}));
    // the workspace may have no default call template
    let unset =
        "mutation($id: UUID!) { updateCallTemplate(id: $id, input: {isDefault: false}) { isDefault } }";
    let u = app.gql(&t, unset, json!({"id": cid})).await;
    assert_eq!(u["updateCallTemplate"]["isDefault"], false);
    let now = app.gql(&t, defaults, json!({})).await;
    assert_eq!(now["settings"], json!({"defaultEmailTemplateId": id, "defaultCallTemplateId": null}));
    app.gql(&t, "mutation($id: UUID!) { deleteCallTemplate(id: $id) }", json!({"id": cid})).await;
    app.gql(&t, "mutation($id: UUID!) { deleteEmailTemplate(id: $id) }", json!({"id": id})).await;
    let after = app.gql(&t, defaults, json!({})).await;
    assert_eq!(
        after["settings"],
        json!({"defaultEmailTemplateId": null, "defaultCallTemplateId": null}),
        "deleting the default clears it"
    );
    let gone = app.gql(&t, both, json!({"e": id, "c": cid})).await;
    assert_eq!(gone, json!({"emailTemplate": null, "callTemplate": null}));
});

both_backends!(custom_fields_are_usable_at_once_and_validated, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let t = app.token(DEMO, Role::Member);
    exec(&app.db, &format!(
        "UPDATE contacts SET enrichment_data = '{{\"company\": {{\"funding\": {{\"stage\": \"Series B\"}}}}}}' WHERE workspace_id = {} AND first_name = 'Garrett'",
        uuid_sql(&app.db, DEMO)
    )).await;
    let create = "mutation($i: CreateContactFieldDefinitionInput!) { createContactFieldDefinition(input: $i) { id fieldName fieldType jsonbPath } }";
    let id = app.gql(&t, create, json!({"i": {"fieldName": "funding_stage", "displayName": "Funding stage", "jsonbPath": "company.funding.stage"}})).await
        ["createContactFieldDefinition"]["id"].clone();
    let d = app
        .gql(
            &t,
            "{ contacts(search: \"Garrett Golden\") { nodes { field(name: \"funding_stage\") } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["contacts"]["nodes"][0]["field"], "Series B");
    let tpl = app
        .gql(
            &t,
            CREATE_EMAIL,
            json!({"i": {"name": "Funding", "subject": "About your {{funding_stage}}", "body": "b"}}),
        )
        .await;
    assert_eq!(tpl["createEmailTemplate"]["variables"], json!(["funding_stage"]));
    for (input, field) in [
        (json!({"fieldName": "email", "displayName": "x", "jsonbPath": "a"}), "fieldName"),
        (json!({"fieldName": "industry", "displayName": "x", "jsonbPath": "a"}), "fieldName"),
        (json!({"fieldName": "product_tier", "displayName": "x", "jsonbPath": "a"}), "fieldName"),
        (json!({"fieldName": "Bad-Name", "displayName": "x", "jsonbPath": "a"}), "fieldName"),
        (json!({"fieldName": "ok_name", "displayName": "", "jsonbPath": "a"}), "displayName"),
        (json!({"fieldName": "ok_name", "displayName": "x", "jsonbPath": "a..b"}), "jsonbPath"),
        (
            json!({"fieldName": "ok_name", "displayName": "x", "jsonbPath": "a", "fieldType": "colour"}),
            "fieldType",
        ),
    ] {
        refused(&app, &t, create, json!({"i": input}), "BAD_USER_INPUT", Some(field)).await;
    }
    refused(
        &app,
        &t,
        create,
        json!({"i": {"fieldName": "funding_stage", "displayName": "Again", "jsonbPath": "x"}}),
        "CONFLICT",
        None,
    )
    .await;
    let del = "mutation($id: UUID!) { deleteContactFieldDefinition(id: $id) }";
    refused(&app, &t, del, json!({"id": id}), "CONFLICT", None).await;
    refused(&app, &app.token(OTHER, Role::Admin), del, json!({"id": id}), "NOT_FOUND", None).await;
    let upd = "mutation($id: UUID!, $i: UpdateContactFieldDefinitionInput!) { updateContactFieldDefinition(id: $id, input: $i) { displayName sortPriority } }";
    let u = app.gql(&t, upd, json!({"id": id, "i": {"displayName": "Stage", "sortPriority": 3}})).await;
    assert_eq!(u["updateContactFieldDefinition"], json!({"displayName": "Stage", "sortPriority": 3}));
    refused(&app, &t, upd, json!({"id": id, "i": {"fieldName": "renamed"}}), "CONFLICT", None).await;
});

both_backends!(settings_keep_api_keys_encrypted_and_only_admins_change_them, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let admin = app.token(DEMO, Role::Admin);
    let q = "mutation($i: UpdateSettingsInput!) { updateSettings(input: $i) { companyName products hubspotApiKey { isSet lastFour } openaiApiKey { isSet lastFour } perplexityApiKey { isSet lastFour } } }";
    let d = app
        .gql(&admin, q, json!({"i": {"companyName": "Acme Lending", "products": {"sba_504": {"name": "SBA 504 Loans", "ltv": 90}}, "hubspotApiKey": "hs-secret-key-9876", "openaiApiKey": "sk-proj-abcdef-1234"}}))
        .await;
    let s = &d["updateSettings"];
    assert_eq!(s["hubspotApiKey"], json!({"isSet": true, "lastFour": "9876"}));
    assert_eq!(s["openaiApiKey"], json!({"isSet": true, "lastFour": "1234"}));
    assert_eq!(s["perplexityApiKey"], json!({"isSet": false, "lastFour": null}));
    let stored = |db: &latticeiq::db::Database| {
        let db = db.clone();
        async move {
            let rows = db
                .conn()
                .query_all_raw(Statement::from_string(
                    db.backend(),
                    "SELECT hubspot_api_key FROM users_settings WHERE hubspot_api_key IS NOT NULL".to_owned(),
                ))
                .await
                .unwrap();
            rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect::<Vec<_>>()
        }
    };
    let first = stored(&app.db).await;
    assert_eq!(first.len(), 1);
    assert!(!first[0].contains("hs-secret") && !first[0].contains("9876"), "stored in clear: {}", first[0]);
    let key = latticeiq::config::DEV_ENCRYPTION_KEY;
    assert_eq!(latticeiq::crypto::decrypt(&key, &first[0]).unwrap(), "hs-secret-key-9876");
    app.gql(&admin, q, json!({"i": {"hubspotApiKey": "hs-secret-key-9876"}})).await;
    let second = stored(&app.db).await;
    assert_ne!(first, second, "the same key encrypts differently each time");
    // no query shows more than the last four characters
    let (_, body) =
        app.post(Some(&admin), "{ settings { hubspotApiKey { isSet lastFour } } }", json!({})).await;
    assert!(!body.to_string().contains("hs-secret"));
    // roles and validation
    refused(&app, &app.token(DEMO, Role::Member), q, json!({"i": {"companyName": "x"}}), "FORBIDDEN", None)
        .await;
    refused(&app, &app.token(DEMO, Role::Viewer), q, json!({"i": {"companyName": "x"}}), "FORBIDDEN", None)
        .await;
    for (input, field) in [
        (json!({"products": [1, 2]}), "products"),
        (json!({"products": {"Bad Code": {}}}), "products"),
        (json!({"products": {"ok": "not an object"}}), "products"),
        (json!({"companyName": "c".repeat(201)}), "companyName"),
        (json!({"defaultEmailTemplateId": Uuid::new_v4()}), "defaultEmailTemplateId"),
        (json!({"defaultCallTemplateId": Uuid::new_v4()}), "defaultCallTemplateId"),
    ] {
        refused(&app, &admin, q, json!({"i": input}), "BAD_USER_INPUT", Some(field)).await;
    }
    let other_tpl = app.gql(&app.token(OTHER, Role::Admin), "{ emailTemplates { id } }", json!({})).await["emailTemplates"][0]["id"].clone();
    refused(
        &app,
        &admin,
        q,
        json!({"i": {"defaultEmailTemplateId": other_tpl}}),
        "BAD_USER_INPUT",
        Some("defaultEmailTemplateId"),
    )
    .await;
    // clearing a key
    let d = app.gql(&admin, q, json!({"i": {"openaiApiKey": null}})).await;
    assert_eq!(d["updateSettings"]["openaiApiKey"]["isSet"], false);
    // sender_company falls back to the company name
    let r = app
        .gql(&admin, "{ contacts(search: \"Garrett\") { nodes { renderedCallScript { body } } } }", json!({}))
        .await;
    assert!(
        r["contacts"]["nodes"][0]["renderedCallScript"]["body"]
            .as_str()
            .unwrap()
            .contains("from Acme Lending.")
    );
});

/// Every mutation with arguments that would otherwise be accepted.
const EVERY_MUTATION: &[&str] = &[
    "mutation { createContact(input: {email: \"v@example.com\"}) { id } }",
    "mutation($id: UUID!) { updateContact(id: $id, input: {company: \"x\"}) { id } }",
    "mutation($id: UUID!) { deleteContacts(ids: [$id]) }",
    "mutation($id: UUID!) { enrichContact(id: $id, enrichmentData: {}) { id } }",
    "mutation { recalculateQualityScores }",
    "mutation { importContacts(csv: \"email,company\\na@example.com,A\\n\") { created } }",
    "mutation { createIdealClientProfile(input: {name: \"V\", criteria: {}}) { id } }",
    "mutation($id: UUID!) { updateIdealClientProfile(id: $id, input: {name: \"V\"}) { id } }",
    "mutation($id: UUID!) { deleteIdealClientProfile(id: $id) }",
    "mutation($id: UUID!) { matchIdealClientProfile(id: $id) { processed } }",
    "mutation { createEmailTemplate(input: {name: \"V\", subject: \"s\", body: \"b\"}) { id } }",
    "mutation($id: UUID!) { updateEmailTemplate(id: $id, input: {name: \"V\"}) { id } }",
    "mutation($id: UUID!) { deleteEmailTemplate(id: $id) }",
    "mutation { createCallTemplate(input: {name: \"V\", body: \"b\"}) { id } }",
    "mutation($id: UUID!) { updateCallTemplate(id: $id, input: {name: \"V\"}) { id } }",
    "mutation($id: UUID!) { deleteCallTemplate(id: $id) }",
    "mutation($id: UUID!) { createCampaign(input: {name: \"V\", icpId: $id, emailTemplateId: $id}) { id } }",
    "mutation($id: UUID!) { updateCampaign(id: $id, input: {name: \"V\"}) { id } }",
    "mutation($id: UUID!) { buildCampaign(id: $id) { assigned } }",
    "mutation($id: UUID!) { activateCampaign(id: $id) { id } }",
    "mutation($id: UUID!) { pauseCampaign(id: $id) { id } }",
    "mutation($id: UUID!) { resumeCampaign(id: $id) { id } }",
    "mutation($id: UUID!) { completeCampaign(id: $id) { id } }",
    "mutation($id: UUID!) { cancelCampaign(id: $id) { id } }",
    "mutation($id: UUID!) { recordCampaignEvents(id: $id, input: {sent: 1}) { id } }",
    "mutation($id: UUID!) { deleteCampaign(id: $id) }",
    "mutation { createContactFieldDefinition(input: {fieldName: \"v\", displayName: \"V\", jsonbPath: \"v\"}) { id } }",
    "mutation($id: UUID!) { updateContactFieldDefinition(id: $id, input: {displayName: \"V\"}) { id } }",
    "mutation($id: UUID!) { deleteContactFieldDefinition(id: $id) }",
    "mutation { updateSettings(input: {companyName: \"V\"}) { companyName } }",
];

both_backends!(viewers_are_forbidden_every_mutation_and_members_settings, |backend| async move {
    let app = TestApp::with_demo(backend).await;
    let viewer = app.token(DEMO, Role::Viewer);
    let some_id = all_contacts(&app.db, DEMO).await[0].id;
    let fields = app.gql(&viewer, "{ __schema { mutationType { fields { name } } } }", json!({})).await;
    let schema_mutations: Vec<String> = fields["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(schema_mutations.len() >= 30);
    for name in &schema_mutations {
        assert!(
            EVERY_MUTATION
                .iter()
                .any(|q| q.contains(&format!(" {name}(")) || q.contains(&format!(" {name} "))),
            "{name} is missing from EVERY_MUTATION"
        );
    }
    for q in EVERY_MUTATION {
        let vars = if q.contains("$id") { json!({"id": some_id}) } else { json!({}) };
        refused(&app, &viewer, q, vars, "FORBIDDEN", None).await;
    }
    refused(
        &app,
        &app.token(DEMO, Role::Member),
        EVERY_MUTATION.last().unwrap(),
        json!({}),
        "FORBIDDEN",
        None,
    )
    .await;
});

both_backends!(seeding_assigns_the_default_icp_exactly_as_matching_would, |backend| async move {
    // The seed scores each generated row before writing it (no UPDATE pass);
    // running matchIdealClientProfile afterwards must find nothing to change.
    let app = TestApp::spawn(backend).await;
    let report = latticeiq::seed::seed_workspace(&app.db, OTHER, 400, 21).await.unwrap();
    assert_eq!(report.contacts, 400);
    assert_eq!(report.matched.processed, 400);
    assert!(report.matched.matched > 20 && report.matched.matched < 380, "{:?}", report.matched.matched);
    let t = app.token(OTHER, Role::Admin);
    let icps = app.gql(&t, "{ idealClientProfiles { id name } }", json!({})).await;
    let icps = icps["idealClientProfiles"].as_array().unwrap();
    assert_eq!(icps.len(), 1, "{icps:?}");
    let id = icps[0]["id"].clone();
    let assigned = all_contacts(&app.db, OTHER).await.iter().filter(|m| m.icp_id.is_some()).count();
    assert_eq!(assigned as u64, report.matched.matched);
    let before = snapshot(&app.db).await;
    let run = "mutation($id: UUID!) { matchIdealClientProfile(id: $id, minScore: 40) { processed matched cleared } }";
    let r = app.gql(&t, run, json!({"id": id})).await["matchIdealClientProfile"].clone();
    assert_eq!(r["processed"], 400);
    assert_eq!(r["matched"].as_u64(), Some(report.matched.matched));
    assert_eq!(r["cleared"], 0);
    let after = snapshot(&app.db).await;
    assert!(after == before, "{}", crate::mutations_contacts::first_difference(&before, &after));
});
