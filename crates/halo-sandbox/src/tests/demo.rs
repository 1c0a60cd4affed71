//! The demo that real tools use: the areas they read, paging with a true `record_count`, single
//! records, filters, the open endpoints, and what each meta-scope application opens.

use serde_json::Value;

use super::super::*;
use super::{client, get, start, token};

async fn all_token(sb: &Sandbox) -> String {
    let (_, v) = token(&client(), sb, Some("all")).await;
    v["access_token"].as_str().unwrap().to_string()
}

async fn json(sb: &Sandbox, path: &str, tok: &str) -> Value {
    let r = get(&client(), sb, path, tok).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn paging_follows_page_no_and_record_count_is_the_total() {
    let sb = start(Scenario::Healthy);
    let tok = all_token(&sb).await;
    let p1 = json(&sb, "/Client?pageinate=true&page_size=5&page_no=1", &tok).await;
    let p2 = json(&sb, "/Client?pageinate=true&page_size=5&page_no=2", &tok).await;
    let p3 = json(&sb, "/Client?pageinate=true&page_size=5&page_no=3", &tok).await;
    assert_eq!(ids(&p1["clients"]), [1, 2, 3, 4, 5]);
    assert_eq!(ids(&p2["clients"]), [6, 7, 8, 9, 10]);
    assert_eq!(ids(&p3["clients"]), [11, 12]);
    for p in [&p1, &p2, &p3] {
        assert_eq!(p["record_count"], 12);
    }
    let past = json(&sb, "/Client?pageinate=true&page_size=5&page_no=9", &tok).await;
    assert_eq!(past["clients"], serde_json::json!([]));
    // Without paging, `count` caps the list and record_count with it, as a live tenant showed.
    let capped = json(&sb, "/Client?count=4", &tok).await;
    assert_eq!(
        (
            capped["record_count"].as_u64(),
            ids(&capped["clients"]).len()
        ),
        (Some(4), 4)
    );
    let whole = json(&sb, "/Client", &tok).await;
    assert_eq!(whole["record_count"], 12);
    // page_size without pageinate is ignored, as clients drop it.
    let ignored = json(&sb, "/Client?page_size=2", &tok).await;
    assert_eq!(ids(&ignored["clients"]).len(), 12);
}

#[tokio::test]
async fn the_areas_real_tools_read_are_served_with_single_records() {
    let sb = start(Scenario::Healthy);
    let tok = all_token(&sb).await;
    let agents = json(&sb, "/Agent", &tok).await;
    assert!(ids(&agents).contains(&12), "{agents}");
    assert_eq!(json(&sb, "/Agent/12", &tok).await["name"], "API Sandbox");
    assert!(!json(&sb, "/Status", &tok)
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let lookups = json(&sb, "/Lookup?lookupid=11", &tok).await;
    assert_eq!(
        ids(&lookups),
        [1, 2],
        "Connect-HaloAPI's lookupid=11 filters"
    );
    let sites = json(&sb, "/Site?client_id=2", &tok).await;
    assert!(sites["sites"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["client_id"] == 2));
    assert_eq!(sites["record_count"], 1);
    assert_eq!(
        json(&sb, "/Users", &tok).await["users"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        json(&sb, "/Client/3", &tok).await["name"],
        "Sandbox Client 3"
    );
    assert_eq!(json(&sb, "/tickets/2", &tok).await["id"], 2);
    let found = json(&sb, "/Client?search=client 1", &tok).await;
    assert_eq!(ids(&found["clients"]), [1, 10, 11, 12]);
    assert_eq!(get(&client(), &sb, "/Client/999", &tok).await.status(), 404);
    assert_eq!(
        get(&client(), &sb, "/Client/3", "forged").await.status(),
        401
    );
}

#[tokio::test]
async fn the_no_token_endpoints_are_open() {
    let sb = start(Scenario::Healthy);
    let c = client();
    for (path, want) in [("/InstanceInfo", "app_name"), ("/authinfo", "auth_url")] {
        let r = c
            .get(format!("{}{path}", sb.resource_server()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let v: Value = r.json().await.unwrap();
        assert!(v[want].is_string(), "{path}: {v}");
    }
    let r = c
        .get(format!("{}/health", sb.resource_server()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "Healthy");
    // A token is accepted there too.
    let tok = all_token(&sb).await;
    assert_eq!(get(&c, &sb, "/InstanceInfo", &tok).await.status(), 200);
}

/// The statuses a token from the `scenario` app (asking for `all`) gets on each path.
async fn opened(scenario: Scenario, paths: &[&str]) -> Vec<u16> {
    let sb = start(scenario);
    let tok = all_token(&sb).await;
    let c = client();
    let mut out = Vec::new();
    for p in paths {
        out.push(get(&c, &sb, p, &tok).await.status().as_u16());
    }
    out
}

#[tokio::test]
async fn each_meta_scope_opens_what_the_model_says() {
    let paths = ["/Client", "/Invoice", "/Webhook", "/Team", "/Agent"];
    assert_eq!(
        opened(Scenario::AllPermission, &paths).await,
        [200, 200, 200, 401, 200]
    );
    assert_eq!(
        opened(Scenario::AllStandardPermission, &paths).await,
        [200, 200, 401, 401, 200]
    );
    assert_eq!(
        opened(Scenario::AdminPermission, &paths).await,
        [403, 403, 200, 401, 200]
    );
    assert_eq!(
        opened(Scenario::WebhooksPermission, &paths).await,
        [403, 403, 200, 401, 200]
    );
    assert_eq!(
        opened(Scenario::AllTeamsPermission, &paths).await,
        [403, 403, 401, 200, 200]
    );
    assert_eq!(
        opened(Scenario::Healthy, &paths).await,
        [200, 200, 200, 200, 200]
    );
}
