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
