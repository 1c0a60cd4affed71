//! The token endpoint: grants, refusals, client authentication and token-level scenarios.

use serde_json::Value;

use super::super::*;
use super::{client, get, scopes_of, start, token, token_url, token_with};

#[tokio::test]
async fn token_grants_exactly_the_requested_scopes_and_all_means_the_apps_list() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (status, v) = token(&c, &sb, Some("read:customers edit:items")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(scopes_of(&v), ["read:customers", "edit:items"]);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(v["access_token"].as_str().unwrap().len() >= 32);
    assert!(v["id_token"].as_str().unwrap().starts_with("eyJ"));

    let (_, all) = token(&c, &sb, Some("all")).await;
    let granted = scopes_of(&all);
    assert!(!granted.contains(&"all".to_string()));
    for s in ["all:teams", "admin:webhooks", "edit:invoices", "read:kb"] {
        assert!(granted.contains(&s.to_string()), "{s} in {granted:?}");
    }
    assert_eq!(sb.stats().token_requests, 2);
}

#[tokio::test]
async fn wrong_credentials_are_invalid_client_and_bad_requests_are_named() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (status, v) = token_with(&c, &sb, "not-the-secret", Some("all")).await;
    assert_eq!(status, 401);
    assert_eq!(v["error"], "invalid_client");
    assert_eq!(
        v["error_description"],
        "The specified client credentials are invalid."
    );

    let (status, v) = token(&c, &sb, Some("read:actions")).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_scope")));

    let send = |form: Vec<(&'static str, String)>, url: String| {
        let c = c.clone();
        async move {
            let r = c.post(url).form(&form).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.text().await.unwrap())
        }
    };
    let id = sb.client_id().to_string();
    let secret = sb.client_secret().expose().to_string();
    let (s, body) = send(vec![("client_id", id.clone())], token_url(&sb)).await;
    assert_eq!(s, 400);
    assert!(body.contains("invalid_request"), "{body}");
    let (s, body) = send(
        vec![("grant_type", "password".into()), ("client_id", id.clone())],
        token_url(&sb),
    )
    .await;
    assert_eq!(s, 400);
    assert!(body.contains("unsupported_grant_type"), "{body}");

    let good = vec![
        ("grant_type", "client_credentials".to_string()),
        ("client_id", id),
        ("client_secret", secret),
        ("scope", "read:customers".into()),
    ];
    let (s, body) = send(good.clone(), format!("{}?tenant=acme", token_url(&sb))).await;
    assert_eq!(s, 500);
    assert!(
        body.contains("<html"),
        "a wrong tenant is an HTML error page"
    );
    let (s, _) = send(good.clone(), format!("{}?tenant=sandbox", token_url(&sb))).await;
    assert_eq!(s, 200);
    let (s, _) = send(good, format!("{}?tenant=", token_url(&sb))).await;
    assert_eq!(s, 200, "an empty tenant is tolerated");
}

#[tokio::test]
async fn basic_client_authentication_works() {
    let sb = start(Scenario::Healthy);
    let r = client()
        .post(token_url(&sb))
        .basic_auth(sb.client_id(), Some(sb.client_secret().expose()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "read:items"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["scope"], "read:items");
}

#[tokio::test]
async fn missing_scope_is_refused_while_scope_dropped_drops_it() {
    let c = client();
    let sb = start(Scenario::MissingScope);
    let (status, v) = token(&c, &sb, Some("read:customers edit:invoices")).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"], "invalid_request");
    assert_eq!(
        v["error_description"],
        "This client application is not allowed to use the specified scope."
    );
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(status, 200);
    let granted = scopes_of(&v);
    assert!(!granted.contains(&"edit:invoices".to_string()));
    assert!(granted.contains(&"read:invoices".to_string()));

    sb.set_scenario(Scenario::ScopeDropped);
    let (status, v) = token(&c, &sb, Some("read:customers edit:invoices")).await;
    assert_eq!(status, 200);
    assert_eq!(scopes_of(&v), ["read:customers"]);
}

#[tokio::test]
async fn all_permission_grants_all() {
    let sb = start(Scenario::AllPermission);
    let c = client();
    let (_, v) = token(&c, &sb, Some("read:customers")).await;
    assert_eq!(v["scope"], "all");
    let tok = v["access_token"].as_str().unwrap();
    assert_eq!(get(&c, &sb, "/Webhook", tok).await.status(), 200);
}

#[tokio::test]
async fn token_level_scenarios() {
    let sb = start(Scenario::NoScopeToken);
    let c = client();
    let (_, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(v["scope"], "");
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&c, &sb, "/Agent/me", &tok).await.status(), 401);

    sb.set_scenario(Scenario::Healthy);
    let (status, v) = token(&c, &sb, None).await;
    assert_eq!((status, v["scope"].as_str()), (200, Some("")));
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&c, &sb, "/Client", &tok).await.status(), 401);

    sb.set_scenario(Scenario::ExpiredToken);
    let (_, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(v["expires_in"], 0);
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&c, &sb, "/Client", &tok).await.status(), 401);

    sb.set_scenario(Scenario::TenantRequired);
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("invalid_request"))
    );
    // The real wording is unknown, so the sandbox's says nothing a classifier could lean on.
    let desc = v["error_description"]
        .as_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(!desc.contains("tenant"), "{desc}");

    sb.set_scenario(Scenario::WrongSecret);
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn tokens_are_jwt_shaped_or_opaque_and_both_open_the_api() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (_, v) = token(&c, &sb, Some("read:customers")).await;
    let jwt = v["access_token"].as_str().unwrap().to_string();
    assert!(jwt.starts_with("eyJhbGci"), "{jwt}");
    assert_eq!(jwt.split('.').count(), 3);
    use base64::Engine;
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwt.split('.').nth(1).unwrap())
        .unwrap();
    let claims: Value = serde_json::from_slice(&claims).unwrap();
    assert_eq!(claims["scope"], "read:customers");
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(get(&c, &sb, "/Client", &jwt).await.status(), 200);
    let (_, again) = token(&c, &sb, Some("read:customers")).await;
    assert_ne!(
        again["access_token"], v["access_token"],
        "every token is new"
    );

    sb.set_guesses(Guesses {
        token: TokenForm::Opaque,
        ..Guesses::default()
    });
    let (_, v) = token(&c, &sb, Some("read:customers")).await;
    let opaque = v["access_token"].as_str().unwrap();
    assert!(!opaque.contains('.') && opaque.len() == 64, "{opaque}");
    assert_eq!(get(&c, &sb, "/Client", opaque).await.status(), 200);
}

#[tokio::test]
async fn real_grants_carry_openid_and_event_scopes() {
    let sb = start(Scenario::AllPermission);
    let c = client();
    let (status, v) = token(
        &c,
        &sb,
        Some("read:events read:mailcampaign openid email profile offline_access roles"),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["scope"], "all openid email profile offline_access roles");
    // n8n's default request, used in production against apps with All ticked.
    let (status, v) = token(&c, &sb, Some("admin edit:tickets edit:customers")).await;
    assert_eq!((status, v["scope"].as_str()), (200, Some("all")));
}

/// What a request for `scopes` gets from a `scenario` app under each way of answering.
async fn answers(scenario: Scenario, scopes: &str) -> Vec<(MetaAnswer, u16, Option<String>)> {
    let sb = start(scenario);
    let c = client();
    let mut out = Vec::new();
    for a in MetaAnswer::ALL {
        sb.set_guesses(Guesses {
            meta: *a,
            ..Guesses::default()
        });
        let (status, v) = token(&c, &sb, Some(scopes)).await;
        out.push((*a, status, v["scope"].as_str().map(str::to_string)));
    }
    out
}

#[tokio::test]
async fn meta_scopes_are_answered_each_way_the_evidence_allows() {
    let got = answers(Scenario::AllStandardPermission, "read:customers edit:items").await;
    assert_eq!(
        got[0],
        (MetaAnswer::Literal, 200, Some("all:standard".into()))
    );
    assert_eq!(
        got[1],
        (
            MetaAnswer::Expanded,
            200,
            Some("read:customers edit:items".into())
        )
    );
    assert_eq!(got[2].1, 400, "refused");
    // Only `all` is answered with a token when refusing; all:standard covers no admin scope.
    let got = answers(Scenario::AllStandardPermission, "all").await;
    let openid = " openid email profile offline_access roles";
    assert_eq!(got[0].2, Some(format!("all:standard{openid}")));
    assert_eq!(got[2].2, Some(format!("all:standard{openid}")));
    let expanded = got[1].2.clone().unwrap();
    assert!(
        expanded.contains("edit:invoices") && !expanded.contains("webhooks"),
        "{expanded}"
    );
    for (_, status, _) in answers(Scenario::AllStandardPermission, "admin:webhooks").await {
        assert_eq!(status, 400);
    }

    // `all` is never expanded: a billing guide's failure with All ticked rules it out.
    let got = answers(Scenario::AllPermission, "read:customers").await;
    assert_eq!(got[0].2.as_deref(), Some("all"));
    assert_eq!(got[1].2.as_deref(), Some("all"));
    assert_eq!(got[2].1, 400);
    // `all` does not include Teams [I].
    for (_, status, _) in answers(Scenario::AllPermission, "all:teams").await {
        assert_eq!(status, 400);
    }

    let got = answers(Scenario::AdminPermission, "admin:webhooks").await;
    assert_eq!(got[0].2.as_deref(), Some("admin"));
    assert_eq!(got[1].2.as_deref(), Some("admin:webhooks"));
    assert_eq!(got[2].1, 400);
    for s in [Scenario::WebhooksPermission, Scenario::AllTeamsPermission] {
        for (_, status, scope) in answers(s, "all").await {
            assert_eq!(status, 200);
            let first = scope.unwrap().split(' ').next().unwrap().to_string();
            assert_eq!(first, auth_server::ticked(s)[0]);
        }
    }
}

#[tokio::test]
async fn a_wrong_tenant_is_one_the_user_typed() {
    let sb = start(Scenario::WrongTenant);
    assert_eq!(sb.tenant(), MISTYPED_TENANT);
    let c = client();
    let info: Value = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        info["tenant_id"], TENANT,
        "authinfo advertises the right one"
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("scope", "read:customers"),
    ];
    let post = |tenant: &str| {
        c.post(format!("{}?tenant={tenant}", token_url(&sb)))
            .form(&form)
            .send()
    };
    assert_eq!(post(sb.tenant()).await.unwrap().status(), 500);
    assert_eq!(post(TENANT).await.unwrap().status(), 200);
    sb.set_scenario(Scenario::Healthy);
    assert_eq!(sb.tenant(), TENANT);
}

#[tokio::test]
async fn approval_regenerated_secrets_and_refresh_tokens() {
    let sb = start(Scenario::AwaitingApproval);
    let c = client();
    let (status, v) = token(&c, &sb, None).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_client")));
    sb.set_scenario(Scenario::SecretRegenerated);
    let (status, v) = token(&c, &sb, None).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
    sb.set_scenario(Scenario::RefreshToken);
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(status, 200);
    assert!(
        v["refresh_token"].as_str().is_some_and(|t| t.len() >= 32),
        "{v}"
    );
    sb.set_scenario(Scenario::Healthy);
    let (_, v) = token(&c, &sb, Some("all")).await;
    assert!(v.get("refresh_token").is_none());
}
