//! Hostile behaviours, switching, counters and the sandbox handle itself.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use super::super::*;
use super::{client, start, token, token_url, token_with};

#[tokio::test]
async fn set_scenario_switches_behaviour_also_over_http() {
    let sb = start(Scenario::Healthy);
    let c = client();
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);
    // Without the run's key, nobody can steer it.
    let r = c
        .post(format!(
            "{}/_sandbox/scenario?name=wrong-secret",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(sb.scenario(), Scenario::Healthy);
    let r = c
        .post(format!(
            "{}/_sandbox/scenario?name=wrong-secret&key={}",
            sb.base_url(),
            sb.control_token()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sb.scenario(), Scenario::WrongSecret);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 401);
    let r = c
        .post(format!(
            "{}/_sandbox/scenario?name=bogus&key={}",
            sb.base_url(),
            sb.control_token()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    sb.set_scenario(Scenario::Healthy);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);
    // A page whose host name was rebound to 127.0.0.1 is refused, key or not.
    let r = c
        .get(format!("{}/api/authinfo", sb.base_url()))
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
}

#[tokio::test]
async fn retry_and_error_scenarios() {
    let sb = start(Scenario::RateLimited);
    let c = client();
    for _ in 0..2 {
        let r = c.post(token_url(&sb)).send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "1");
    }
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);

    sb.set_scenario(Scenario::Flaky);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 502);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);

    sb.set_scenario(Scenario::ServerError);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 503);
    sb.set_scenario(Scenario::RateLimitStorm);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 429);

    sb.set_scenario(Scenario::RedirectOtherHost);
    let r = c.post(token_url(&sb)).send().await.unwrap();
    assert_eq!(r.status(), 307);
    let loc = r.headers()["location"].to_str().unwrap();
    assert_eq!(loc, format!("http://127.0.0.2:{}/auth/token", sb.port()));

    sb.set_scenario(Scenario::RedirectLoop);
    let r = c
        .post(format!("{}?tenant=sandbox", token_url(&sb)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{}?tenant=sandbox", token_url(&sb))
    );
}

#[tokio::test]
async fn hostile_bodies() {
    let sb = start(Scenario::BrokenJson);
    let c = client();
    let r = c
        .post(token_url(&sb))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.client_id()),
            ("client_secret", sb.client_secret().expose()),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"") && serde_json::from_str::<Value>(&text).is_err());

    sb.set_scenario(Scenario::InvalidUtf8);
    let bytes = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());

    sb.set_scenario(Scenario::HugeBody);
    let r = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap();
    assert!(r.content_length().unwrap() >= 20 * 1024 * 1024);
    assert!(r.bytes().await.unwrap().len() >= 20 * 1024 * 1024);

    sb.set_scenario(Scenario::Reset);
    let r = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.is_err(), "the body must be cut off");

    sb.set_scenario(Scenario::Drip);
    super::crypto();
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(1200))
        .build()
        .unwrap();
    let err = async {
        quick
            .get(format!("{}/authinfo", sb.resource_server()))
            .send()
            .await?
            .bytes()
            .await
    }
    .await
    .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn slow_and_no_answer_time_out() {
    let sb = start(Scenario::Slow);
    super::crypto();
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let url = format!("{}/authinfo", sb.resource_server());
    assert!(quick.get(&url).send().await.unwrap_err().is_timeout());
    sb.set_scenario(Scenario::NoAnswer);
    assert!(quick.get(&url).send().await.unwrap_err().is_timeout());
    sb.set_scenario(Scenario::Healthy);
    assert_eq!(quick.get(&url).send().await.unwrap().status(), 200);
}

#[test]
fn works_from_sync_code_and_shuts_down() {
    let sb = start(Scenario::Healthy);
    let port = sb.port();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = format!(
        "GET /API/AUTHINFO HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("\"tenant_id\":\"sandbox\""));
    assert!(sb.stats().connections >= 1);
    assert_eq!(sb.client_secret().expose(), DEMO_CLIENT_SECRET);
    assert_eq!(DEMO_CLIENT_SECRET.len(), 73);
    assert!(!format!("{sb:?}").contains(DEMO_CLIENT_SECRET));
    sb.shutdown();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[tokio::test]
async fn concurrent_connections_are_counted() {
    let sb = start(Scenario::Healthy);
    sb.set_scenario(Scenario::Slow);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..3 {
        // Separate clients: separate connections.
        let url = format!("{}/authinfo", sb.resource_server());
        set.spawn(async move { client().get(url).send().await.map(|r| r.status()) });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), 200);
    }
    let st = sb.stats();
    assert_eq!(st.connections, 3);
    assert_eq!(st.max_concurrent_connections, 3);
}

#[tokio::test]
async fn latency_and_a_custom_secret_are_honoured() {
    let sb = Sandbox::start(SandboxOptions {
        latency: Duration::from_millis(300),
        client_secret: Some(ClientSecret::new("custom-secret")),
        ..Default::default()
    })
    .unwrap();
    let c = client();
    let t0 = std::time::Instant::now();
    let (status, _) = token(&c, &sb, Some("read:kb")).await;
    assert_eq!(status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let (status, _) = token_with(&c, &sb, DEMO_CLIENT_SECRET, Some("read:kb")).await;
    assert_eq!(
        status, 401,
        "the demo secret is not valid when another was given"
    );
}
