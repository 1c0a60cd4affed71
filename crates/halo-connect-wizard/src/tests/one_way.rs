//! The wizard's answers go the one way in: authinfo asked by the one discovery rule, and a
//! refusal of the one way in asks again the value at fault, or stops the run.

use super::harness::*;
use crate::ports::Refusal;
use crate::*;
use halo_connect_core::values::{Source, Sourced};

/// A draft whose flags give the Authorization Server and Tenant for acme's address.
fn both_servers_given() -> Draft {
    let flag = |v: &str| Some(Sourced::new(v.to_string(), Source::Flag));
    Draft {
        raw: RawValues {
            auth_server: flag("https://acme.halopsa.com/auth/"),
            tenant: flag("acme"),
            ..RawValues::default()
        },
        ..Draft::default()
    }
}

#[test]
fn authinfo_is_not_asked_when_the_authorization_server_and_tenant_are_given() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[]);
    let mut s = FakeServices::new();
    let out = run(both_servers_given(), &presets(), &mut p, &mut t, &mut s).unwrap();
    assert!(s.discovered.is_empty(), "asked {:?}", s.discovered);
    assert!(p.said("api/authinfo was not asked"), "{:?}", p.said);
    assert_eq!(t.resolved, 1);
    let src = |f: Field| out.validated.sources.get(&f).copied();
    assert_eq!(src(Field::AuthServer), Some(Source::Flag));
    assert_eq!(src(Field::ResourceServer), Some(Source::Derived));
}

#[test]
fn authinfo_is_asked_when_only_the_tenant_is_missing() {
    let mut draft = both_servers_given();
    draft.raw.tenant = None;
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut s = FakeServices::new();
    run(draft, &presets(), &mut p, &mut FakeTester::new(&[]), &mut s).unwrap();
    assert_eq!(s.discovered, vec!["https://acme.halopsa.com".to_string()]);
}

#[test]
fn a_refused_authorization_server_is_asked_again_then_tested() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    script.push(A::Text(
        "Authorization Server",
        "https://acme.halopsa.com/auth",
    ));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[]);
    t.refusals.push_back(Refusal {
        message: "Halo's authinfo names the Authorization Server http://acme.halopsa.com/auth/, over plain http://".into(),
        field: Some(Field::AuthServer),
    });
    let out = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap();
    assert!(p.said("✗ Halo's authinfo names"), "{:?}", p.said);
    assert_eq!(t.resolved, 2);
    assert_eq!(t.seen.len(), 1, "tested once, after the answer");
    assert_eq!(
        out.validated.sources.get(&Field::AuthServer),
        Some(&Source::Prompt)
    );
}

#[test]
fn a_refusal_no_answer_fixes_stops_before_any_test() {
    let mut script = hosted_start();
    script.push(A::Secret("Client Secret", SECRET));
    let mut p = Scripted::new(script);
    let mut t = FakeTester::new(&[]);
    t.refusals.push_back(Refusal {
        message: "cannot read the CA file".into(),
        field: None,
    });
    let err = run(
        Draft::default(),
        &presets(),
        &mut p,
        &mut t,
        &mut FakeServices::new(),
    )
    .unwrap_err();
    assert_eq!(err, WizardError::Refused("cannot read the CA file".into()));
    assert!(t.seen.is_empty());
}
