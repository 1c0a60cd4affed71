//! Wizard tests with a scripted prompter: an unexpected question fails, and so does a scripted
//! answer that was never asked for.

mod harness;
mod one_way;
mod real_halo;
mod secret;

use super::*;
use halo_connect_core::catalogue;
use halo_connect_core::url::Tenant;
use halo_connect_core::values::{Discovery, Source, Sourced};
use harness::*;

#[test]
fn hosted_happy_path_derives_the_values_and_passes() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[]);
    let mut s = FakeServices::new();
    let out = run(Draft::default(), &presets(), &mut p, &mut t, &mut s).unwrap();
    assert_eq!(out.preset.name, "billing");
    assert!(out.hosted);
    assert_eq!(
        out.validated.settings.auth_server.as_str(),
        "https://acme.halopsa.com/auth/"
    );
    assert_eq!(out.validated.settings.tenant, Tenant::Named("acme".into()));
    assert_eq!(out.store, SecretStoreKind::Keyring);
    assert!(out.report.ok());
    assert_eq!(s.discovered, vec!["https://acme.halopsa.com".to_string()]);
    assert_eq!(t.seen.len(), 1);
}

#[test]
fn on_premise_shows_its_requirements_and_defaults_the_tenant_to_not_set() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 1),
        A::Select("Role checklist", 1),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://halo.contoso.com"),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ID),
        A::Secret("Client Secret", SECRET),
    ]);
    let mut t = FakeTester::new(&[]);
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap();
    assert!(!out.hosted);
    assert_eq!(out.validated.settings.tenant, Tenant::NotSet);
    assert!(p.said("fully chained"));
    assert!(p.said("IP addresses"));
}

#[test]
fn checklists_walk_every_step_with_its_menu_path() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 0),
        A::Select("Agent checklist", 0),
        A::Select("Application checklist", 0),
        A::Text("Halo address", "https://acme.halopsa.com"),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ID),
        A::Secret("Client Secret", SECRET),
    ]);
    run_plain(Draft::default(), &mut p).unwrap();
    assert!(p.said("Configuration > Teams & Agents > Roles"));
    assert!(p.said("View Applications"));
    assert!(p.said("Client ID and Secret (Services)"));
}

#[test]
fn a_bad_address_is_refused_at_the_prompt_and_never_reaches_the_network() {
    let mut script = hosted_start();
    script.insert(5, A::Text("Halo address", "acme.halopsa.com"));
    script.insert(6, A::Text("Halo address", "http://acme.halopsa.com"));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut s = FakeServices::new();
    run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[]),
        &mut s,
    )
    .unwrap();
    // The missing https:// is said with the suggestion, which the next question offers.
    assert!(p.said("Enter takes https://acme.halopsa.com"));
    assert_eq!(p.refused.len(), 1);
    assert!(p.refused[0].contains("plain http"), "{:?}", p.refused);
    assert_eq!(s.discovered.len(), 1, "only the good address was looked up");
}

#[test]
fn edited_values_are_normalised_and_the_operator_is_told() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 1),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://acme.halopsa.com"),
        A::Confirm("Use these three values?", false),
        A::Text("Resource Server", ""),
        A::Text("Authorization Server", "https://acme.halopsa.com/auth"),
        A::Text("Tenant", "Not Set"),
        A::Text("Client ID", ID),
        A::Secret("Client Secret", SECRET),
    ]);
    let out = run_plain(Draft::default(), &mut p).unwrap();
    assert_eq!(
        out.validated.settings.auth_server.as_str(),
        "https://acme.halopsa.com/auth/"
    );
    assert_eq!(out.validated.settings.tenant, Tenant::NotSet);
    assert!(p.said("trailing \"/\""));
}

#[test]
fn invalid_client_offers_the_secret_again_and_retests() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", "wrong-secret-value"));
    script.push(A::Select("What next?", 0));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[&catalogue::INVALID_CLIENT]);
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap();
    assert!(out.report.ok());
    assert_eq!(t.seen.len(), 2);
    assert_eq!(t.seen[0].1, "wrong-secret-value");
    assert_eq!(t.seen[1].1, SECRET);
}

#[test]
fn a_token_failure_offers_the_halo_address_again() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", "wrong-secret-value"));
    // Client Secret, Client ID, the Halo address, test again, save anyway, quit.
    script.push(A::Select("What next?", 5));
    let mut p = Scripted::new(script);
    let err = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[&catalogue::INVALID_CLIENT]),
        &mut FakeServices::new(),
    )
    .unwrap_err();
    assert_eq!(err, WizardError::Quit(4));
    let menu = p.menus.last().unwrap();
    assert!(
        menu.iter().any(|o| o.contains("Re-enter the Halo address")),
        "{menu:?}"
    );
}

#[test]
fn a_preset_set_up_before_offers_skipping_its_checklists_first() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Interrupt("Role checklist"),
    ]);
    let draft = Draft {
        seen_presets: vec!["billing".into()],
        ..Draft::default()
    };
    let err = run_plain(draft, &mut p);
    assert_eq!(err.unwrap_err(), WizardError::Interrupted);
    let menu = p.menus.last().unwrap();
    assert!(menu[0].starts_with("I already have one"), "{menu:?}");
}

#[test]
fn no_checklists_goes_from_hosting_to_the_values() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Interrupt("Halo address"),
    ]);
    let draft = Draft {
        no_checklists: true,
        ..Draft::default()
    };
    let err = run_plain(draft, &mut p);
    assert_eq!(err.unwrap_err(), WizardError::Interrupted);
    assert!(p.said("--no-checklists"));
    // The steps are numbered as shown: no "3." was skipped over.
    assert!(p.said("3. The values from Halo"), "{:?}", p.said);
    assert!(!p.said("4. The values from Halo"), "{:?}", p.said);
}

#[test]
fn a_tenant_error_offers_the_tenant_again() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    script.push(A::Select("What next?", 0));
    script.push(A::Text("Tenant", "acme-prod"));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[&catalogue::WRONG_TENANT]);
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap();
    assert_eq!(
        out.validated.settings.tenant,
        Tenant::Named("acme-prod".into())
    );
}

#[test]
fn a_missing_scope_is_fixed_in_halo_then_retested() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    script.push(A::Select("What next?", 0));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[&catalogue::SCOPE_MISSING]);
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap();
    assert!(out.report.ok());
    assert_eq!(t.seen.len(), 2);
}

#[test]
fn save_anyway_returns_the_failed_report() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    script.push(A::Select("What next?", 1));
    let mut p = Scripted::new(script);
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[&catalogue::SCOPE_MISSING]),
        &mut FakeServices::new(),
    )
    .unwrap();
    assert!(!out.report.ok());
}

#[test]
fn quit_saves_nothing() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    script.push(A::Select("What next?", 2));
    let mut p = Scripted::new(script);
    let err = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[&catalogue::SCOPE_MISSING]),
        &mut FakeServices::new(),
    )
    .unwrap_err();
    assert_eq!(err, WizardError::Quit(5));
}

#[test]
fn interrupt_at_any_question_stops_the_wizard() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Interrupt("Role checklist"),
    ]);
    let mut t = FakeTester::new(&[]);
    let err = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap_err();
    assert_eq!(err, WizardError::Interrupted);
    assert!(t.seen.is_empty());
}

#[test]
fn discovery_fills_the_authorization_server_and_tenant() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut s = FakeServices::new();
    s.discovery = Some(Discovery {
        auth_url: Some("https://auth.haloservicedesk.com".into()),
        tenant_id: Some("acme-eu".into()),
    });
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[]),
        &mut s,
    )
    .unwrap();
    assert_eq!(
        out.validated.settings.auth_server.as_str(),
        "https://auth.haloservicedesk.com/"
    );
    assert_eq!(
        out.validated.settings.tenant,
        Tenant::Named("acme-eu".into())
    );
    assert!(p.said("authinfo answered"));
}

#[test]
fn the_custom_preset_asks_for_scopes_and_checks_them() {
    let custom = presets().iter().position(|p| p.name == "custom").unwrap();
    let mut p = Scripted::new(vec![
        A::Select("Preset", custom),
        A::Text("Scopes", "read:actions"),
        A::Text("Scopes", "read: tickets, edit:tickets"),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 1),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://acme.halopsa.com"),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ID),
        A::Secret("Client Secret", SECRET),
    ]);
    let out = run_plain(Draft::default(), &mut p).unwrap();
    assert_eq!(
        out.preset.scopes,
        vec!["read:tickets".to_string(), "edit:tickets".to_string()]
    );
    assert!(p.refused[0].contains("read:tickets"));
}

#[test]
fn the_sandbox_takes_enter_at_every_prompt() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 0),
        A::Select("Agent checklist", 0),
        A::Select("Application checklist", 0),
        A::Text("Halo address", ""),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ""),
        A::Secret("sandbox's demo secret", ""),
    ]);
    let raw = RawValues {
        client_id: Some(Sourced::new(ID.into(), Source::Sandbox)),
        ..RawValues::default()
    };
    let draft = Draft {
        address: Some("http://127.0.0.1:4000".into()),
        raw,
        sandbox_secret: Some(Secret::new(SECRET)),
        sandbox: true,
        ..Draft::default()
    };
    let mut s = FakeServices::new();
    s.discovery = Some(Discovery {
        auth_url: Some("http://127.0.0.1:4000/auth".into()),
        tenant_id: Some("sandbox".into()),
    });
    let out = run(draft, &presets(), &mut p, &mut FakeTester::new(&[]), &mut s).unwrap();
    assert_eq!(out.store, SecretStoreKind::None);
    assert_eq!(out.secret.expose(), SECRET);
    assert_eq!(
        out.validated.settings.tenant,
        Tenant::Named("sandbox".into())
    );
    // Accepted defaults keep their origin: the sandbox's Client ID, authinfo's tenant, the
    // address's Resource Server.
    let src = |f: Field| out.validated.sources.get(&f).copied();
    assert_eq!(src(Field::ClientId), Some(Source::Sandbox));
    assert_eq!(src(Field::Tenant), Some(Source::Discovered));
    assert_eq!(src(Field::AuthServer), Some(Source::Discovered));
    assert_eq!(src(Field::ResourceServer), Some(Source::Derived));
}

#[test]
fn a_typed_address_in_the_sandbox_wizard_is_not_replaced_by_the_emulators() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 1),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://acme.halopsa.com"),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ID),
        A::Secret("sandbox's demo secret", ""),
    ]);
    let sandboxed = |v: &str| Some(Sourced::new(v.to_string(), Source::Sandbox));
    let raw = RawValues {
        resource_server: sandboxed("http://127.0.0.1:4000/api"),
        auth_server: sandboxed("http://127.0.0.1:4000/auth/"),
        tenant: sandboxed("sandbox"),
        client_id: sandboxed(ID),
        ..RawValues::default()
    };
    let draft = Draft {
        address: Some("http://127.0.0.1:4000".into()),
        raw,
        sandbox_secret: Some(Secret::new(SECRET)),
        sandbox: true,
        ..Draft::default()
    };
    let out = run_plain(draft, &mut p).unwrap();
    assert_eq!(
        out.validated.settings.resource_server.as_str(),
        "https://acme.halopsa.com/api"
    );
    assert_eq!(
        out.validated.settings.auth_server.as_str(),
        "https://acme.halopsa.com/auth/"
    );
}
