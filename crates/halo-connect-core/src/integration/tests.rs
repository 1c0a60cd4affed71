use super::*;
use crate::preset;
use crate::values::{validate, RawValues, Source, Sourced};

fn settings(rs: &str, auth: &str, tenant: &str) -> ConnectionSettings {
    let s = |v: &str| Some(Sourced::new(v.to_string(), Source::Stored));
    let raw = RawValues {
        url: None,
        resource_server: s(rs),
        auth_server: s(auth),
        tenant: s(tenant),
        client_id: s("3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"),
    };
    validate(&raw, None).expect("valid").settings
}

fn hosted() -> ConnectionSettings {
    settings(
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        "acme",
    )
}

fn on_prem() -> ConnectionSettings {
    settings(
        "https://halo.example.org/api",
        "https://halo.example.org/auth/",
        "Not set",
    )
}

fn plan_of(name: &str, s: &ConnectionSettings) -> (TokenPlan, Vec<ReadPlan>) {
    let i = find(name).expect(name);
    let f = form(i, s, hosting_of(s), Some("••••ab12"));
    token_plan(&f, s, None)
}

#[test]
fn the_embedded_profiles_parse_and_each_names_its_sources() {
    let all = parse(EMBEDDED).expect("embedded profiles");
    assert!(all.len() >= 11, "{}", all.len());
    for i in &all {
        assert!(!i.sources.is_empty(), "{}", i.name);
        assert!(i.title.len() > 3);
    }
    for name in [
        "n8n",
        "cipp",
        "haloapi",
        "halopsa",
        "haloitsm-python",
        "billing",
        "billing-alerts",
        "dns-filtering-billing",
        "asset-lifecycle",
        "company-asset-sync",
        "script",
    ] {
        assert!(find(name).is_some(), "{name}");
    }
}

#[test]
fn every_preset_names_an_integration_that_exists() {
    for p in preset::all() {
        let name = p
            .integration
            .as_deref()
            .expect("each preset names its form");
        assert!(find(name).is_some(), "preset {} names {name}", p.name);
    }
}

#[test]
fn a_file_with_an_unknown_scope_or_a_field_without_its_shape_is_refused() {
    let bad_scope = EMBEDDED.replacen(
        "scope = \"admin edit:tickets edit:customers\"",
        "scope = \"admin write:tickets\"",
        1,
    );
    assert!(matches!(
        parse(&bad_scope),
        Err(IntegrationError::UnknownScope { .. })
    ));
    let no_shape = EMBEDDED.replacen("shape = \"without-slash\"\n", "", 1);
    assert!(matches!(
        parse(&no_shape),
        Err(IntegrationError::Shape { .. })
    ));
    let twice = format!(
        "{EMBEDDED}\n{}",
        &EMBEDDED[EMBEDDED.find("[[integration]]").unwrap()..]
    );
    assert!(matches!(parse(&twice), Err(IntegrationError::Duplicate(_))));
}

#[test]
fn an_unknown_name_lists_the_known_ones_and_the_nearest() {
    let e = lookup("n8m").unwrap_err();
    assert_eq!(e.nearest, Some("n8n"));
    let text = e.to_string();
    assert!(text.contains("n8n, cipp, haloapi"), "{text}");
    assert!(text.ends_with("did you mean n8n?"), "{text}");
    assert_eq!(lookup("halo").unwrap_err().nearest, Some("haloapi"));
    assert_eq!(lookup("zzzzzzzzzzzz").unwrap_err().nearest, None);
    assert_eq!(lookup(" N8N ").unwrap().name, "n8n");
}

#[test]
fn n8n_builds_its_token_url_from_the_field_without_the_final_slash() {
    let (t, reads) = plan_of("n8n", &hosted());
    assert_eq!(t.url, "https://acme.halopsa.com/auth/token?tenant=acme");
    assert_eq!(t.scope, "admin edit:tickets edit:customers");
    assert_eq!(
        reads[0].url,
        "https://acme.halopsa.com/api/site?page_size=100&page_no=1&pageinate=true"
    );
    assert_eq!(reads[2].url, "https://acme.halopsa.com/api/TicketType");
    // On-premise: Hosted Solution Of Halo is still chosen, so the Tenant field shows, empty.
    let (t, _) = plan_of("n8n", &on_prem());
    assert_eq!(t.url, "https://halo.example.org/auth/token?tenant=");
}

#[test]
fn n8n_sends_tenant_undefined_when_on_premise_solution_hides_the_tenant() {
    let s = on_prem();
    let i = find("n8n").unwrap();
    let mut chose_on_prem = i.clone();
    for f in &mut chose_on_prem.fields {
        f.choose = None;
    }
    let leaked: &'static Integration = Box::leak(Box::new(chose_on_prem));
    let f = form(leaked, &s, Hosting::OnPremise, None);
    let tenant = f.entries.iter().find(|e| e.value == Value::Tenant).unwrap();
    assert!(tenant.hidden);
    assert_eq!(
        token_plan(&f, &s, None).0.url,
        "https://halo.example.org/auth/token?tenant=undefined"
    );
}

#[test]
fn n8n_s_form_is_in_its_order_with_its_labels_and_one_value_each() {
    let s = hosted();
    let f = form(find("n8n").unwrap(), &s, Hosting::Hosted, Some("••••ab12"));
    let rows: Vec<(&str, &str)> = f
        .entries
        .iter()
        .map(|e| (e.label.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Hosting Type", "Hosted Solution Of Halo"),
            (
                "HaloPSA Authorisation Server URL",
                "https://acme.halopsa.com/auth"
            ),
            ("Resource Server", "https://acme.halopsa.com/api"),
            ("Client ID", "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"),
            ("Client Secret", "••••ab12"),
            ("Tenant", "acme"),
        ]
    );
}

#[test]
fn the_billing_form_wants_the_final_slash_and_not_set_on_premise() {
    let s = on_prem();
    let f = form(find("billing").unwrap(), &s, Hosting::OnPremise, None);
    let get = |v: Value| {
        f.entries
            .iter()
            .find(|e| e.value == v)
            .unwrap()
            .text
            .clone()
    };
    assert_eq!(get(Value::AuthServer), "https://halo.example.org/auth/");
    assert_eq!(get(Value::Tenant), "Not set");
    let (t, _) = token_plan(&f, &s, None);
    assert_eq!(t.url, "https://halo.example.org/auth/token");
    let (t, _) = plan_of("billing", &hosted());
    assert_eq!(t.url, "https://acme.halopsa.com/auth/token?tenant=acme");
}

#[test]
fn cipp_sends_an_empty_tenant_on_premise_and_asks_for_all() {
    let (t, reads) = plan_of("cipp", &on_prem());
    assert_eq!(t.url, "https://halo.example.org/auth/token?tenant=");
    assert_eq!(t.scope, "all");
    assert_eq!(
        reads[0].url,
        "https://halo.example.org/api/Client?page_no=1&page_size=999&pageinate=true"
    );
}

#[test]
fn haloapi_joins_authinfo_s_address_and_takes_its_tenant_id() {
    let s = on_prem();
    let i = find("haloapi").unwrap();
    let f = form(i, &s, Hosting::OnPremise, None);
    assert_eq!(
        authinfo_url(&f).as_deref(),
        Some("https://halo.example.org/api/authinfo")
    );
    let (t, reads) = token_plan(&f, &s, Some(("https://auth.example.net/", Some("acme"))));
    assert_eq!(t.url, "https://auth.example.net/token?tenant=acme");
    assert_eq!(
        reads[0].url,
        "https://halo.example.org/api/lookup?lookupid=11"
    );
    let (t, _) = token_plan(&f, &s, None);
    assert_eq!(t.url, "https://halo.example.org/auth/token");
}

#[test]
fn the_python_clients_build_their_own_addresses() {
    let (t, reads) = plan_of("halopsa", &hosted());
    assert_eq!(t.url, "https://acme.halopsa.com/auth/token");
    assert_eq!(reads[0].url, "https://acme.halopsa.com/api/Client?count=5");
    let (t, _) = plan_of("haloitsm-python", &on_prem());
    assert_eq!(t.url, "https://halo.example.org/auth/token");
}

#[test]
fn values_an_integration_cannot_use_are_refused_in_its_words() {
    let halopsa = find("halopsa").unwrap();
    let u = cannot_use(halopsa, &on_prem(), Hosting::OnPremise).expect("on-premise");
    assert!(u.message.contains("Halo-hosted"), "{}", u.message);
    let elsewhere = settings(
        "https://psa.example.com/api",
        "https://psa.example.com/auth/",
        "acme",
    );
    let u = cannot_use(halopsa, &elsewhere, Hosting::Hosted).expect("not halopsa.com");
    assert!(u.message.contains(".halopsa.com"), "{}", u.message);
    assert!(cannot_use(halopsa, &hosted(), Hosting::Hosted).is_none());

    let shared = settings(
        "https://acme.halopsa.com/api",
        "https://auth.haloservicedesk.com/",
        "acme",
    );
    for name in ["haloitsm-python", "company-asset-sync"] {
        let u = cannot_use(find(name).unwrap(), &shared, Hosting::Hosted).expect(name);
        assert!(
            u.message.contains("https://acme.halopsa.com/auth/token"),
            "{}",
            u.message
        );
    }
    for name in ["n8n", "cipp", "haloapi", "billing", "script"] {
        assert!(
            cannot_use(find(name).unwrap(), &shared, Hosting::Hosted).is_none(),
            "{name}"
        );
        assert!(
            cannot_use(find(name).unwrap(), &on_prem(), Hosting::OnPremise).is_none(),
            "{name}"
        );
    }
}

#[test]
fn all_advice_never_tells_n8n_to_untick_all() {
    let n8n = find("n8n").unwrap();
    assert_eq!(n8n.all, AllAdvice::Required);
    assert!(n8n.ticks.contains(&"all".to_string()));
    assert!(!n8n.all_advice().to_lowercase().contains("untick"));
    assert_eq!(find("billing").unwrap().all, AllAdvice::Breaks);
}

#[test]
fn init_for_takes_the_preset_of_that_form_or_exactly_what_it_must_have_ticked() {
    assert_eq!(
        preset_for(find("billing").unwrap()),
        ("billing".into(), None)
    );
    assert_eq!(
        preset_for(find("billing-alerts").unwrap()).0,
        "billing-alerts"
    );
    assert_eq!(
        preset_for(find("n8n").unwrap()),
        ("custom".into(), Some(vec!["all".to_string()]))
    );
    assert_eq!(
        preset_for(find("script").unwrap()),
        ("custom".into(), Some(vec!["all".to_string()]))
    );
}

#[test]
fn the_usual_slips_give_the_urls_the_integration_would_build() {
    let s = hosted();
    let f = form(find("n8n").unwrap(), &s, Hosting::Hosted, None);
    let p = pitfalls(&f, &s);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(
        p[0].typed,
        "HaloPSA Authorisation Server URL typed with the final \"/\""
    );
    assert_eq!(p[0].url, "https://acme.halopsa.com/auth//token?tenant=acme");
    assert!(p[0].why.starts_with("n8n adds /token itself"));
    assert_eq!(p[1].typed, "Hosting Type set to On-Premise Solution");
    assert_eq!(
        p[1].url,
        "https://acme.halopsa.com/auth/token?tenant=undefined"
    );
    // The billing form wants the "/": without it the URL loses its "/" before token.
    let f = form(find("billing").unwrap(), &s, Hosting::Hosted, None);
    let p = pitfalls(&f, &s);
    assert_eq!(p[0].url, "https://acme.halopsa.com/authtoken?tenant=acme");
    // HaloAPI finds the Authorisation Server itself: nothing to slip on.
    let f = form(find("haloapi").unwrap(), &s, Hosting::Hosted, None);
    assert!(pitfalls(&f, &s).is_empty());
}
