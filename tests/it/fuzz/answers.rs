//! Halo's answers to the token request and to reads, as `halo::client::Answer` values of every
//! status, content type and body shape: classifying them never panics, a token is issued only for
//! a 2xx, and every failure has a code, a message and an exit code.

use halo_connect::domain::values::ConnectionSettings;
use halo_connect::halo::client::Answer;
use halo_connect::halo::diagnose::{self, TokenOutcome};
use proptest::prelude::*;

use super::fuzz;

fn settings() -> ConnectionSettings {
    let raw = halo_connect::domain::values::RawValues {
        url: Some(halo_connect::domain::values::Sourced::new(
            "https://acme.halopsa.com".to_string(),
            halo_connect::domain::values::Source::Flag,
        )),
        client_id: Some(halo_connect::domain::values::Sourced::new(
            "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60".to_string(),
            halo_connect::domain::values::Source::Flag,
        )),
        ..Default::default()
    };
    halo_connect::domain::values::validate(&raw, None)
        .expect("valid settings")
        .settings
}

fn answer_body() -> impl Strategy<Value = Vec<u8>> {
    let json_key = prop_oneof![
        Just("access_token".to_string()),
        Just("token_type".to_string()),
        Just("scope".to_string()),
        Just("expires_in".to_string()),
        Just("error".to_string()),
        Just("error_description".to_string()),
        Just("message".to_string()),
        "[a-z_]{1,12}",
    ];
    let json_val = prop_oneof![
        Just("null".to_string()),
        Just("\"\"".to_string()),
        Just("\"invalid_client\"".to_string()),
        Just("\"invalid_scope\"".to_string()),
        Just("\"invalid_request\"".to_string()),
        Just("\"unsupported_grant_type\"".to_string()),
        Just("\"read:invoices edit:invoices\"".to_string()),
        Just("\"tenant unknown\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
        Just("1e400".to_string()),
        Just("[1,2,{}]".to_string()),
        Just("{\"a\":{}}".to_string()),
        "\\PC{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    let object = prop::collection::vec((json_key, json_val), 0..6).prop_map(|kv| {
        let inner: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", inner.join(","))
    });
    prop_oneof![
        3 => object.clone().prop_map(String::into_bytes),
        1 => object.prop_flat_map(|o| {
            let n = o.len();
            (Just(o), 0..=n).prop_map(|(o, cut)| o.as_bytes()[..cut].to_vec())
        }),
        1 => prop::collection::vec(any::<u8>(), 0..600),
        1 => "<!DOCTYPE html><html>\\PC{0,40}".prop_map(String::into_bytes),
        1 => any::<String>().prop_map(String::into_bytes),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    let status = prop_oneof![
        Just(200u16),
        Just(201),
        Just(204),
        Just(302),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
        100u16..1000,
    ];
    let ctype = prop_oneof![
        Just("application/json".to_string()),
        Just("application/json; charset=utf-8".to_string()),
        Just("text/html".to_string()),
        Just("text/plain".to_string()),
        Just(String::new()),
        "\\PC{0,30}",
    ];
    // The headers that tell who answered, with any value.
    let header = (
        prop_oneof![
            Just("server"),
            Just("via"),
            Just("cf-ray"),
            Just("cf-mitigated"),
            Just("x-azure-ref"),
            Just("x-amzn-waf-action"),
            Just("www-authenticate"),
            Just("proxy-authenticate"),
        ],
        "\\PC{0,30}",
    )
        .prop_map(|(k, v)| (k.to_string(), v));
    (
        status,
        ctype,
        answer_body(),
        prop::option::of("\\PC{0,40}"),
        0u32..10,
        prop::collection::vec(header, 0..3),
    )
        .prop_map(
            |(status, content_type, body, location, attempts, headers)| Answer {
                url: "https://acme.halopsa.com/auth/token?tenant=acme".to_string(),
                status,
                content_type,
                body,
                location,
                attempts,
                headers,
            },
        )
}

#[test]
fn fuzz_token_and_error_bodies() {
    let settings = settings();
    fuzz("diagnose::token_answer", answer(), |a| {
        let _ = a.is_json();
        let _ = a.looks_html();
        let _ = a.json();
        let snippet = a.snippet();
        prop_assert!(snippet.chars().count() <= 160);
        match diagnose::token_answer(&a, &settings) {
            TokenOutcome::Issued(t) => {
                prop_assert!((200..300).contains(&a.status));
                prop_assert!(!t.access_token.is_empty());
                // The token never shows in Debug.
                prop_assert_eq!(format!("{:?}", t.access_token), "Secret(redacted)");
            }
            TokenOutcome::ScopeRefused(_) => prop_assert!(!(200..300).contains(&a.status)),
            TokenOutcome::Failed(d) => {
                prop_assert!(!d.code().is_empty());
                prop_assert!(!d.message.is_empty());
                prop_assert!(d.kind().exit_code() >= 3);
            }
        }
        let d = diagnose::resource_not_json(&a, &settings);
        prop_assert!(!d.message.is_empty());
        // Who answered is said in printable words, whatever the answer held.
        let _ = halo_connect::halo::answerer::classify(&a);
        let said = halo_connect::halo::answerer::describe(&a);
        prop_assert!(!said.chars().any(char::is_control), "{:?}", said);
        let _ = diagnose::resource_status(&a, &settings);
        let _ = diagnose::rate_limited(&a);
        Ok(())
    });
}
