//! The Client Secret in the wizard: a stored one offered only for the values it was tested with,
//! a pasted one trimmed, an empty one asked again, and the store chosen before the secret.

use super::super::*;
use super::harness::*;

#[test]
fn a_rerun_offers_the_stored_secret_masked_and_enter_keeps_it() {
    let mut script = hosted_start();
    script.push(A::Secret("Enter keeps ••••••••2e15", ""));
    let mut p = Scripted::new(script);
    let draft = Draft {
        stored_secret: Some((Secret::new(SECRET), acme_binding())),
        ..Draft::default()
    };
    let mut t = FakeTester::new(&[]);
    let out = run(draft, &presets(), &mut p, &mut t, &mut FakeServices::new()).unwrap();
    assert_eq!(out.secret.expose(), SECRET);
}

fn acme_binding() -> halo_connect_core::binding::Binding {
    halo_connect_core::binding::Binding::of(
        "https://acme.halopsa.com/auth/",
        "https://acme.halopsa.com/api",
        ID,
    )
}

/// A stored secret goes only to the servers and Client ID it was tested with: a re-run that
/// names another address is not offered it, and asks for this application's secret.
#[test]
fn a_rerun_naming_another_server_is_not_offered_the_stored_secret() {
    let mut script = hosted_start();
    script[5] = A::Text("Halo address", "https://other.halopsa.com");
    script.push(A::Secret("paste it", SECRET));
    let mut p = Scripted::new(script);
    let draft = Draft {
        stored_secret: Some((
            Secret::new("stored-one-3f1c9a2e-7b4d-4e8a-9c61"),
            acme_binding(),
        )),
        ..Draft::default()
    };
    let mut t = FakeTester::new(&[]);
    let out = run(draft, &presets(), &mut p, &mut t, &mut FakeServices::new()).unwrap();
    assert_eq!(out.secret.expose(), SECRET);
    assert!(p.said("not sent to these"));
}

/// An operator who pastes the very secret that is stored (the application moved to a new address,
/// its secret kept) chose where it goes: it is not the stored one kept by Enter, so it is tested,
/// not refused again and again.
#[test]
fn a_pasted_secret_equal_to_the_stored_one_goes_where_the_operator_says() {
    let mut script = hosted_start();
    script[5] = A::Text("Halo address", "https://other.halopsa.com");
    script.push(A::Secret("paste it", SECRET));
    let mut p = Scripted::new(script);
    let draft = Draft {
        stored_secret: Some((Secret::new(SECRET), acme_binding())),
        ..Draft::default()
    };
    let mut t = FakeTester::new(&[]);
    let out = run(draft, &presets(), &mut p, &mut t, &mut FakeServices::new()).unwrap();
    assert_eq!(out.secret.expose(), SECRET);
    assert_eq!(
        t.kept_stored,
        Some(false),
        "a pasted secret is not the kept one"
    );
}

#[test]
fn a_pasted_secret_is_trimmed_with_a_note() {
    let mut script = hosted_start();
    script.push(A::Secret(
        "Client Secret",
        "  3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40-51fa-4c93-b7e8-0a9d3c6f2e15\n",
    ));
    let mut p = Scripted::new(script);
    let out = run_plain(Draft::default(), &mut p).unwrap();
    assert_eq!(out.secret.expose(), SECRET);
    assert!(p.said("removed spaces"));
}

#[test]
fn an_empty_secret_without_a_stored_one_is_asked_again() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", ""));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    run_plain(Draft::default(), &mut p).unwrap();
    assert!(p.said("required"));
}

#[test]
fn without_a_keyring_the_store_is_chosen_before_the_secret() {
    let mut script = hosted_start();
    script.push(A::Select("Secret store", 0));
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut s = FakeServices::new();
    s.keyring = Err("no Secret Service".into());
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut FakeTester::new(&[]),
        &mut s,
    )
    .unwrap();
    assert_eq!(out.store, SecretStoreKind::File);
    assert!(p.said("No OS keyring answered"));
}
