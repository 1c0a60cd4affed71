//! The Resource Server: access by scope, authinfo, pages and the data scenarios.

use serde_json::Value;

use super::super::*;
use super::{client, get, start, token};

#[tokio::test]
async fn probes_answer_200_401_403_by_scope_and_paths_are_case_insensitive() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (_, v) = token(&c, &sb, Some("read:customers all:teams")).await;
    let tok = v["access_token"].as_str().unwrap().to_string();

    let r = get(&c, &sb, "/client?count=1", &tok).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["record_count"], 1);
    assert_eq!(body["clients"].as_array().unwrap().len(), 1);

    let teams: Value = get(&c, &sb, "/Team", &tok).await.json().await.unwrap();
    assert!(!teams.as_array().expect("bare array").is_empty());

    assert_eq!(get(&c, &sb, "/Invoice", &tok).await.status(), 403);
    assert_eq!(get(&c, &sb, "/Webhook", &tok).await.status(), 401);
    assert_eq!(get(&c, &sb, "/Client", "forged").await.status(), 401);
    assert_eq!(get(&c, &sb, "/NoSuchThing", &tok).await.status(), 404);

    let me: Value = get(&c, &sb, "/agent/ME", &tok).await.json().await.unwrap();
    assert_eq!(me["id"], 12);
    assert_eq!(me["isdisabled"], false);

    // Every endpoint of the model is served, in its shape, for a token that opens it.
    let (_, v) = token(&c, &sb, Some("all all:teams")).await;
    let all = v["access_token"].as_str().unwrap().to_string();
    for e in &model::model().endpoint {
        let r = get(&c, &sb, &format!("{}?count=1", e.path), &all).await;
        assert_eq!(r.status(), 200, "{}", e.path);
        let v: Value = r.json().await.unwrap();
        match e.shape {
            model::Shape::Bare => assert!(v.is_array(), "{}: {v}", e.path),
            model::Shape::Wrapped => assert!(v[&e.list_key].is_array(), "{}: {v}", e.path),
        }
    }
}

#[tokio::test]
async fn authinfo_and_html_pages() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let v: Value = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["auth_url"], format!("{}/auth", sb.base_url()));
    assert_eq!(v["tenant_id"], "sandbox");

    let r = c
        .get(format!("{}/nope", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("404 - File or directory not found"));
    let r = c.get(sb.auth_server()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Log in"));

    sb.set_scenario(Scenario::AuthinfoMismatch);
    let v: Value = c
        .get(format!("{}/AuthInfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["auth_url"], "https://other.halopsa.com/auth");
}

#[tokio::test]
async fn role_and_data_scenarios() {
    let sb = start(Scenario::RoleDenied);
    let c = client();
    let (_, v) = token(&c, &sb, Some("all")).await;
    let tok = v["access_token"].as_str().unwrap().to_string();
    let r = get(&c, &sb, "/Invoice", &tok).await;
    assert_eq!(r.status(), 403);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    assert_eq!(get(&c, &sb, "/ClientContract", &tok).await.status(), 403);
    assert_eq!(get(&c, &sb, "/Client", &tok).await.status(), 200);

    for (scenario, path, key) in [
        (
            Scenario::NoRecurringContracts,
            "/RecurringInvoice",
            "invoices",
        ),
        (Scenario::NoAssets, "/Asset", "assets"),
        (Scenario::ClientRestricted, "/Client", "clients"),
    ] {
        sb.set_scenario(scenario);
        let v: Value = get(&c, &sb, path, &tok).await.json().await.unwrap();
        assert_eq!(v["record_count"], 0, "{scenario}");
        assert!(v[key].as_array().unwrap().is_empty(), "{scenario}");
    }
    sb.set_scenario(Scenario::NoTeams);
    let v: Value = get(&c, &sb, "/Team", &tok).await.json().await.unwrap();
    assert_eq!(v, serde_json::json!([]));

    sb.set_scenario(Scenario::InactiveAgent);
    let v: Value = get(&c, &sb, "/Agent/me", &tok).await.json().await.unwrap();
    assert_eq!(v["isdisabled"], true);

    sb.set_scenario(Scenario::HtmlResourceServer);
    let r = get(&c, &sb, "/Client", &tok).await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "{ct}");
}

async fn json_of(c: &reqwest::Client, sb: &Sandbox, path: &str, tok: &str) -> Value {
    let r = get(c, sb, path, tok).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn all_token(c: &reqwest::Client, sb: &Sandbox) -> String {
    let (_, v) = token(c, sb, Some("all all:teams")).await;
    v["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_documented_route_answers_and_routes_halo_lacks_do_not() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let tok = all_token(&c, &sb).await;
    // The routes real clients read (n8n's pickers, haloitsm-python) that the model did not serve.
    let types = json_of(&c, &sb, "/TicketType", &tok).await;
    let first = &types.as_array().expect("a bare array")[0];
    assert!(first["id"].is_u64() && first["name"].is_string(), "{types}");
    assert_eq!(
        json_of(&c, &sb, "/tickettype/3", &tok).await["name"],
        "Problem"
    );
    assert!(json_of(&c, &sb, "/Actions", &tok).await["actions"].is_array());
    assert_eq!(json_of(&c, &sb, "/Actions/2", &tok).await["ticket_id"], 2);
    assert!(json_of(&c, &sb, "/Category?type_id=1", &tok)
        .await
        .is_array());
    assert!(json_of(&c, &sb, "/Client/me", &tok).await.is_object());
    assert!(json_of(&c, &sb, "/Users/me", &tok).await.is_object());
    assert!(json_of(&c, &sb, "/Asset/NextTag", &tok).await.is_object());
    assert!(json_of(&c, &sb, "/UserRoles?user_id=1", &tok)
        .await
        .is_array());
    assert!(json_of(&c, &sb, "/AssetChange?asset_id=1", &tok).await["record_count"].is_u64());
    assert_eq!(
        json_of(&c, &sb, "/ReportData/abc-123", &tok).await["id"],
        "abc-123"
    );
    // Every GET route of the document answers 200 JSON with a token.
    for r in model::routes() {
        let path: String = r
            .path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let resp = get(&c, &sb, &path, &tok).await;
        assert_eq!(resp.status(), 200, "{}", r.path);
        let ct = resp.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        // Health answers text/plain "Healthy" (ASP.NET Core's health check).
        let json = ct.starts_with("application/json");
        assert!(json || r.path == "/Health", "{}: {ct}", r.path);
    }
    // haloitsm-python calls these; Halo has no such routes.
    for lacking in [
        "/Tickets/1/actions",
        "/KBArticleAnon/some-slug",
        "/Tickets/1/attachments",
    ] {
        let r = get(&c, &sb, lacking, &tok).await;
        assert_eq!(r.status(), 404, "{lacking}");
        assert!(r.text().await.unwrap().contains("<html"), "{lacking}");
    }
}

#[tokio::test]
async fn records_carry_the_fields_clients_read_and_filters_never_return_every_row() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let tok = all_token(&c, &sb).await;
    let sites = json_of(&c, &sb, "/Site", &tok).await;
    for s in sites["sites"].as_array().unwrap() {
        assert!(
            s["clientsite_name"]
                .as_str()
                .is_some_and(|n| n.contains('/')),
            "{s}"
        );
    }
    let mine = json_of(&c, &sb, "/Tickets?user_id=1", &tok).await;
    let ids: Vec<&Value> = mine["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["user_id"])
        .collect();
    assert_eq!(ids, [&Value::from(1)], "{mine}");
    // A documented filter the rows cannot answer: no rows, never every row.
    let none = json_of(&c, &sb, "/Tickets?site_id=1", &tok).await;
    assert_eq!(none["tickets"].as_array().unwrap().len(), 0, "{none}");
    assert_eq!(none["record_count"], 0);
    // An undocumented parameter changes nothing.
    let all = json_of(&c, &sb, "/Tickets?made_up_id=1", &tok).await;
    assert_eq!(all["tickets"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn lists_are_capped_and_paged_as_halo_pages_them() {
    let sb = start(Scenario::BigLists);
    let c = client();
    let tok = all_token(&c, &sb).await;
    let page = json_of(&c, &sb, "/Tickets?pageinate=true&page_size=1000", &tok).await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 100);
    assert_eq!(page["record_count"], 717);
    let last = json_of(
        &c,
        &sb,
        "/Tickets?pageinate=true&page_size=100&page_no=8",
        &tok,
    )
    .await;
    assert_eq!(last["tickets"].as_array().unwrap().len(), 17);
    let assets = json_of(&c, &sb, "/Asset?pageinate=true&page_size=500", &tok).await;
    assert_eq!(assets["assets"].as_array().unwrap().len(), 50);
    assert_eq!(assets["record_count"], 120);
    // Without pageinate=true, page_size and page_no are ignored and 50 rows come back.
    let unpaged = json_of(&c, &sb, "/Tickets?page_size=5&page_no=3", &tok).await;
    assert_eq!(unpaged["tickets"][0]["id"], 1);
    assert_eq!(unpaged["tickets"].as_array().unwrap().len(), 50);
    assert_eq!(unpaged["record_count"], 717);
    // A negative or absurd size is as if not given.
    let odd = json_of(
        &c,
        &sb,
        "/Tickets?pageinate=true&page_size=-5&page_no=-1",
        &tok,
    )
    .await;
    assert_eq!(odd["tickets"].as_array().unwrap().len(), 50);
    // /Agent: a bare array, or {record_count, results} when paged.
    let agents = json_of(&c, &sb, "/Agent", &tok).await;
    assert!(agents.is_array());
    let paged = json_of(&c, &sb, "/Agent?pageinate=true&page_size=2", &tok).await;
    assert_eq!(paged["results"].as_array().unwrap().len(), 2);
    assert_eq!(paged["record_count"], 3);
}

#[tokio::test]
async fn the_api_rate_limit_and_lost_tokens_are_refused_as_halo_refuses_them() {
    let sb = start(Scenario::ApiRateLimit);
    let c = client();
    let tok = all_token(&c, &sb).await;
    let r = get(&c, &sb, "/Client", &tok).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get(reqwest::header::RETRY_AFTER).is_none());
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("300 Requests per rolling 5 minute"));

    sb.set_scenario(Scenario::TokenNotFound);
    let lost = all_token(&c, &sb).await;
    let r = get(&c, &sb, "/Client", &lost).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Token not found"));
    let fresh = all_token(&c, &sb).await;
    assert_eq!(get(&c, &sb, "/Client", &fresh).await.status(), 200);

    sb.set_scenario(Scenario::TokenNotFoundAlways);
    let again = all_token(&c, &sb).await;
    assert_eq!(get(&c, &sb, "/Agent/me", &again).await.status(), 400);

    sb.set_scenario(Scenario::HugeRecordCount);
    let v = json_of(&c, &sb, "/Client", &fresh).await;
    assert_eq!(v["record_count"], i64::MAX);
}

#[tokio::test]
async fn on_premise_ignores_the_tenant_and_names_none() {
    let sb = start(Scenario::OnPremise);
    assert_eq!(sb.tenant(), "Not set");
    let c = client();
    let v: Value = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.get("tenant_id").is_none(), "{v}");
    let r = c
        .post(format!("{}?tenant=whatever", super::token_url(&sb)))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.client_id()),
            ("client_secret", sb.client_secret().expose()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn writes_are_kept_for_the_run_and_later_reads_show_them() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let tok = all_token(&c, &sb).await;
    let post = |path: &str, body: Value| {
        c.post(format!("{}{path}", sb.resource_server()))
            .bearer_auth(&tok)
            .json(&body)
            .send()
    };
    // Halo's convention: an array of records; a new one gets the next id.
    let r = post("/Client", serde_json::json!([{ "name": "Written Client" }]))
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    assert_eq!(made["id"], 13);
    assert_eq!(
        json_of(&c, &sb, "/Client/13", &tok).await["name"],
        "Written Client"
    );
    assert_eq!(json_of(&c, &sb, "/Client", &tok).await["record_count"], 13);
    // A record with a known id is changed, its other fields kept.
    post(
        "/Tickets",
        serde_json::json!([{ "id": 2, "summary": "Changed" }]),
    )
    .await
    .unwrap();
    let t = json_of(&c, &sb, "/Tickets/2", &tok).await;
    assert_eq!(
        (t["summary"].as_str(), t["client_id"].as_u64()),
        (Some("Changed"), Some(2))
    );
    // A bare object, or an id sent as text, is refused.
    let r = post("/Site", serde_json::json!({ "name": "x" }))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = post("/Tickets", serde_json::json!([{ "client_id": "57" }]))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Please select a valid Client/Site/User"));
    // DELETE removes it for the rest of the run.
    let r = c
        .delete(format!("{}/Asset/1", sb.resource_server()))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(get(&c, &sb, "/Asset/1", &tok).await.status(), 404);
    assert_eq!(json_of(&c, &sb, "/Asset", &tok).await["record_count"], 5);
    // Halo has no PUT; areas outside the six are not written.
    let r = c
        .put(format!("{}/Client", sb.resource_server()))
        .bearer_auth(&tok)
        .json(&serde_json::json!([{ "name": "x" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        post("/Invoice", serde_json::json!([{}]))
            .await
            .unwrap()
            .status(),
        405
    );
    // A read-only token may not write.
    let (_, v) = token(&c, &sb, Some("read:customers")).await;
    let ro = v["access_token"].as_str().unwrap();
    let r = c
        .post(format!("{}/Client", sb.resource_server()))
        .bearer_auth(ro)
        .json(&serde_json::json!([{ "name": "x" }]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
