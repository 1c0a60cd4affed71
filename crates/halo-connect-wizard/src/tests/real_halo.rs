//! The wizard on a real Halo: the address checked as it is typed, servers and tenants said, and
//! checklist steps marked done only on purpose and named again when a test fails.

use super::super::*;
use super::harness::*;
use halo_connect_core::catalogue;
use halo_connect_core::preset;
use halo_connect_core::url::Tenant;
use halo_connect_core::values::Discovery;

#[test]
fn servers_on_different_hosts_and_an_on_premise_tenant_from_authinfo_are_said() {
    let mut p = Scripted::new(vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 1),
        A::Select("Role checklist", 1),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://halo.example.com"),
        A::Interrupt("Use these three values?"),
    ]);
    let mut s = FakeServices::new();
    s.discovery = Some(Discovery {
        auth_url: Some("https://auth.example.com/auth".into()),
        tenant_id: Some("acme".into()),
    });
    let err = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[]),
        &mut s,
    );
    assert_eq!(err.unwrap_err(), WizardError::Interrupted);
    assert!(p.said("different hosts"), "{:?}", p.said);
    assert!(p.said("on-premise Halo usually has none"), "{:?}", p.said);
}

#[test]
fn steps_not_done_are_listed_before_the_values() {
    let mut script = vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 0),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
    ];
    script.extend(hosted_start().into_iter().skip(5));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    p.auto_confirm_steps = false;
    let role_steps = preset::find("billing").unwrap().role.len();
    for i in 0..role_steps {
        p.queue.insert(3 + i, A::Confirm("Done:", i != 1));
    }
    run_plain(Draft::default(), &mut p).unwrap();
    assert!(p.said("Still to do in Halo"));
    let second = &preset::find("billing").unwrap().role[1];
    assert!(p.said(&format!("Role: {}", second.setting)));
}

#[test]
fn the_suggested_https_address_is_the_next_default() {
    let mut script = hosted_start();
    script[5] = A::Text("Halo address", "acme.halopsa.com");
    script.insert(6, A::Text("Halo address", ""));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut s = FakeServices::new();
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[]),
        &mut s,
    )
    .unwrap();
    assert_eq!(s.discovered, vec!["https://acme.halopsa.com".to_string()]);
    assert_eq!(
        out.validated.settings.resource_server.as_str(),
        "https://acme.halopsa.com/api"
    );
}

#[test]
fn an_unreached_address_is_said_at_once_and_typed_again() {
    let mut script = hosted_start();
    script[5] = A::Text("Halo address", "https://acme.halopsa.example");
    script.insert(6, A::Select("did not check out", 0));
    script.insert(7, A::Text("Halo address", "https://acme.halopsa.com"));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut s = FakeServices::new();
    s.problems.push_back(ports::AddressProblem {
        message: "The host name acme.halopsa.example could not be found (DNS lookup failed)."
            .into(),
        unreached: true,
    });
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[]),
        &mut s,
    )
    .unwrap();
    assert!(p.said("could not be found"));
    assert_eq!(s.discovered.len(), 2);
    assert_eq!(out.validated.settings.tenant, Tenant::Named("acme".into()));
}

#[test]
fn hosted_by_halo_on_its_own_domain_derives_the_first_label_as_tenant() {
    let mut script = hosted_start();
    script[5] = A::Text("Halo address", "https://support.contoso.com");
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let out = run_plain(Draft::default(), &mut p).unwrap();
    assert_eq!(
        out.validated.settings.tenant,
        Tenant::Named("support".into())
    );
}

#[test]
fn on_a_real_halo_enter_shows_the_step_again_and_only_y_marks_it_done() {
    let mut script = vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 0),
    ];
    let role_steps = preset::lookup("billing").unwrap().role.len();
    // The first step: Enter twice (shown again each time), then y; every other: n.
    script.push(A::Text("Done: ", ""));
    script.push(A::Text("Done: ", ""));
    script.push(A::Confirm("Done: ", true));
    for _ in 1..role_steps {
        script.push(A::Confirm("Done: ", false));
    }
    script.extend([
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://acme.halopsa.com"),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ID),
        A::Secret("Client Secret", SECRET),
    ]);
    let mut p = Scripted::new(script);
    p.auto_confirm_steps = false;
    run_plain(Draft::default(), &mut p).unwrap();
    let first = &preset::lookup("billing").unwrap().role[0];
    let shown_again = p
        .said
        .iter()
        .filter(|l| l.contains(&format!("1. In {}", first.menu)))
        .count();
    assert_eq!(shown_again, 2, "{:?}", p.said);
    assert!(p.said("Still to do in Halo"));
    assert!(
        !p.said(&format!("Role: {}:", first.setting)),
        "{:?}",
        p.said
    );
}

/// Save and Test names again the steps marked "not yet" in the checklist its failure points to,
/// and only those.
#[test]
fn a_failure_names_the_steps_marked_not_yet_in_its_checklist() {
    let role = preset::lookup("billing").unwrap().role.len();
    for (cause, named) in [
        (&catalogue::ROLE_DENIED, true),
        (&catalogue::SCOPE_MISSING, false),
    ] {
        let mut script = vec![
            A::Select("Preset", 0),
            A::Select("Hosting", 0),
            A::Select("Role checklist", 0),
        ];
        for _ in 0..role {
            script.push(A::Confirm("Done: ", false));
        }
        script.extend([
            A::Select("Agent checklist", 1),
            A::Select("Application checklist", 1),
            A::Text("Halo address", "https://acme.halopsa.com"),
            A::Confirm("Use these three values?", true),
            A::Text("Client ID", ID),
            A::Secret("Client Secret", SECRET),
            A::Select("What next?", 2),
        ]);
        let mut p = Scripted::new(script);
        p.auto_confirm_steps = false;
        let err = run(
            Draft::default(),
            &presets(),
            &mut p,
            &mut FakeTester::new(&[cause]),
            &mut FakeServices::new(),
        )
        .unwrap_err();
        assert_eq!(err, WizardError::Quit(5));
        assert_eq!(
            p.said("the failure points to them"),
            named,
            "{}: {:?}",
            cause.code,
            p.said
        );
    }
}
