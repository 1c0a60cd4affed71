//! Table tests of the pure domain: address derivation, Authorization Server normalisation, tenant
//! parsing and every refusal reason, with the guides' own examples among them.

use halo_connect::domain::secret::Secret;
use halo_connect::domain::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant, Tenant,
};
use halo_connect::domain::values::{
    check_secret, parse_client_id, validate, Discovery, RawValues, Source, Sourced,
};

/// (typed address, resource server, auth server, tenant or None)
const DERIVE: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "https://acme.halopsa.com",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/api/",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/auth",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/auth/",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/auth/token",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "  https://acme.halopsa.com  ",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "HTTPS://ACME.HaloPSA.com",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://domain.halopsa.com/auth/",
        "https://domain.halopsa.com/api",
        "https://domain.halopsa.com/auth/",
        Some("domain"),
    ),
    (
        "https://acme.haloitsm.com",
        "https://acme.haloitsm.com/api",
        "https://acme.haloitsm.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.haloservicedesk.com/api",
        "https://acme.haloservicedesk.com/api",
        "https://acme.haloservicedesk.com/auth/",
        Some("acme"),
    ),
    (
        "https://acme.halopsa.com/ticket?id=12",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ),
    (
        "https://halo.contoso.com",
        "https://halo.contoso.com/api",
        "https://halo.contoso.com/auth/",
        None,
    ),
    (
        "https://halo.contoso.com:8443/api",
        "https://halo.contoso.com:8443/api",
        "https://halo.contoso.com:8443/auth/",
        None,
    ),
    (
        "https://server.contoso.local/halo/api",
        "https://server.contoso.local/halo/api",
        "https://server.contoso.local/halo/auth/",
        None,
    ),
    (
        "http://localhost:8080",
        "http://localhost:8080/api",
        "http://localhost:8080/auth/",
        None,
    ),
    (
        "http://127.0.0.1:5000/auth/",
        "http://127.0.0.1:5000/api",
        "http://127.0.0.1:5000/auth/",
        None,
    ),
    (
        "http://[::1]:5000",
        "http://[::1]:5000/api",
        "http://[::1]:5000/auth/",
        None,
    ),
];

#[test]
fn derive_from_any_halo_address() {
    for (input, rs, auth, tenant) in DERIVE {
        let d = derive_from_address(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(d.resource_server.as_str(), *rs, "{input}");
        assert_eq!(d.auth_server.as_str(), *auth, "{input}");
        let want = tenant
            .map(|t| Tenant::Named(t.into()))
            .unwrap_or(Tenant::NotSet);
        assert_eq!(d.tenant, want, "{input}");
    }
}

/// (typed Authorization Server, normalised, whether the operator is told of a change)
const AUTH: &[(&str, &str, bool)] = &[
    (
        "https://domain.halopsa.com/auth/",
        "https://domain.halopsa.com/auth/",
        false,
    ),
    (
        "https://domain.halopsa.com/auth",
        "https://domain.halopsa.com/auth/",
        true,
    ),
    (
        "https://domain.halopsa.com/auth//",
        "https://domain.halopsa.com/auth/",
        true,
    ),
    (
        "https://domain.halopsa.com/auth/token",
        "https://domain.halopsa.com/auth/",
        true,
    ),
    (
        "https://domain.halopsa.com/auth/token/",
        "https://domain.halopsa.com/auth/",
        true,
    ),
    (
        "https://auth.haloservicedesk.com",
        "https://auth.haloservicedesk.com/",
        false,
    ),
    (
        "https://auth.haloservicedesk.com/token",
        "https://auth.haloservicedesk.com/",
        true,
    ),
    (
        "https://uk-trial.halopsa.com",
        "https://uk-trial.halopsa.com/",
        false,
    ),
    (
        " https://domain.halopsa.com/auth/ ",
        "https://domain.halopsa.com/auth/",
        false,
    ),
    (
        "https://halo.contoso.com/halo/auth",
        "https://halo.contoso.com/halo/auth/",
        true,
    ),
];

#[test]
fn authorization_server_ends_in_exactly_one_slash() {
    for (input, want, told) in AUTH {
        let (a, notes) = normalize_auth_server(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(a.as_str(), *want, "{input}");
        assert_eq!(!notes.is_empty(), *told, "{input}: {notes:?}");
    }
}

#[test]
fn token_url_adds_the_tenant_only_when_set() {
    let (a, _) = normalize_auth_server("https://acme.halopsa.com/auth").unwrap();
    assert_eq!(
        a.token_url(&Tenant::NotSet).as_str(),
        "https://acme.halopsa.com/auth/token"
    );
    assert_eq!(
        a.token_url(&Tenant::Named("acme".into())).as_str(),
        "https://acme.halopsa.com/auth/token?tenant=acme"
    );
    let (shared, _) = normalize_auth_server("https://uk-trial.halopsa.com").unwrap();
    assert_eq!(
        shared
            .token_url(&Tenant::Named("Tenant123".into()))
            .as_str(),
        "https://uk-trial.halopsa.com/token?tenant=Tenant123"
    );
}

/// (input, a piece of the refusal message)
const REFUSED_ADDRESSES: &[(&str, &str)] = &[
    ("", "empty"),
    ("   ", "empty"),
    ("acme.halopsa.com", "did you mean https://acme.halopsa.com"),
    (
        "acme.halopsa.com/auth/",
        "did you mean https://acme.halopsa.com/auth/",
    ),
    ("http://acme.halopsa.com", "plain http://"),
    ("http://10.0.0.5/auth", "plain http://"),
    ("ftp://acme.halopsa.com", "ftp://"),
    ("https://acme halopsa.com", "space"),
    ("https://acme.halopsa.com/auth/?x=1", "query string"),
    ("https://acme.halopsa.com/auth/#frag", "query string"),
    (
        "https://user:pw@acme.halopsa.com/auth/",
        "user name or password",
    ),
    ("https://", "not a valid address"),
    ("https:acme.halopsa.com", "//"),
    ("https://acme.halopsa.com/api", "swapped"),
    ("https://acme.halopsa.com/api/", "swapped"),
    ("not a url", "space"),
    ("https://[::1", "not a valid address"),
];

#[test]
fn bad_authorization_servers_are_refused_with_the_reason() {
    for (input, want) in REFUSED_ADDRESSES {
        let e = normalize_auth_server(input).expect_err(input).to_string();
        assert!(e.contains(want), "{input:?}: {e}");
        assert!(e.contains("Authorization Server"), "{input:?}: {e}");
    }
}

#[test]
fn resource_server_gets_api_and_refuses_the_auth_address() {
    let ok: &[(&str, &str, bool)] = &[
        (
            "https://acme.halopsa.com/api",
            "https://acme.halopsa.com/api",
            false,
        ),
        (
            "https://acme.halopsa.com/api/",
            "https://acme.halopsa.com/api",
            false,
        ),
        (
            "https://acme.halopsa.com",
            "https://acme.halopsa.com/api",
            true,
        ),
        (
            "https://acme.halopsa.com/API",
            "https://acme.halopsa.com/api",
            false,
        ),
    ];
    for (input, want, told) in ok {
        let (rs, notes) = normalize_resource_server(input).unwrap();
        assert_eq!(rs.as_str(), *want, "{input}");
        assert_eq!(!notes.is_empty(), *told, "{input}");
    }
    for bad in [
        "https://acme.halopsa.com/auth",
        "https://acme.halopsa.com/auth/token",
        "https://acme.halopsa.com/auth/",
    ] {
        let e = normalize_resource_server(bad).unwrap_err().to_string();
        assert!(e.contains("swapped"), "{bad}: {e}");
    }
}

#[test]
fn tenant_not_set_in_any_case_means_none() {
    for t in [
        "Not set",
        "not set",
        "NOT SET",
        "  Not set  ",
        "Not  set",
        "notset",
        "",
    ] {
        assert_eq!(parse_tenant(t).unwrap(), Tenant::NotSet, "{t:?}");
    }
    for (t, want) in [
        ("acme", "acme"),
        (" acme ", "acme"),
        ("Tenant123", "Tenant123"),
        ("acme-eu_2.x", "acme-eu_2.x"),
    ] {
        assert_eq!(
            parse_tenant(t).unwrap(),
            Tenant::Named(want.into()),
            "{t:?}"
        );
    }
    for (t, want) in [
        ("https://acme.halopsa.com", "address"),
        ("acme corp", "space"),
        ("acme&x=1", "'&'"),
        ("acme?", "'?'"),
        ("ac/me", "address"),
    ] {
        let e = parse_tenant(t).unwrap_err().to_string();
        assert!(e.contains(want), "{t:?}: {e}");
    }
}

#[test]
fn client_ids_are_checked_and_non_guids_noted() {
    let (id, notes) = parse_client_id(" 3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60 ").unwrap();
    assert_eq!(id, "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60");
    assert!(notes.is_empty());
    let (_, notes) = parse_client_id("my-app").unwrap();
    assert!(notes[0].text.contains("GUID"));
    for (bad, want) in [
        ("", "empty"),
        ("abc def", "space"),
        ("https://acme.halopsa.com", "address"),
        ("a\"b", "'\"'"),
        // Finding 16: a bidi override or an invisible character hides what the ID really is.
        ("3f2b9c4e\u{202e}0d6a", "\\u{202e}"),
        ("3f2b9c4e\u{200b}0d6a", "\\u{200b}"),
        ("3f2b9c4e\u{061c}0d6a", "\\u{61c}"),
        ("3f2b9c4e\u{e0041}0d6a", "\\u{e0041}"),
    ] {
        let e = parse_client_id(bad).unwrap_err().to_string();
        assert!(e.contains(want), "{bad:?}: {e}");
    }
}

#[test]
fn secrets_are_trimmed_with_a_note_and_truncation_is_suspected() {
    let full = "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40-51fa-4c93-b7e8-0a9d3c6f2e15";
    let (s, notes) = check_secret(Secret::new(format!("  {full}\n"))).unwrap();
    assert_eq!(s.expose(), full);
    assert_eq!(notes.len(), 1);
    let (_, notes) = check_secret(Secret::new(&full[..60])).unwrap();
    assert!(notes[0].text.contains("cut off"));
    assert!(check_secret(Secret::new("  ")).is_err());
    let e = check_secret(Secret::new("abc def"))
        .unwrap_err()
        .to_string();
    assert!(
        !e.contains("abc"),
        "the secret never appears in a message: {e}"
    );
}

fn raw(
    url: Option<&str>,
    rs: Option<&str>,
    auth: Option<&str>,
    tenant: Option<&str>,
    id: Option<&str>,
) -> RawValues {
    let s = |v: Option<&str>| v.map(|x| Sourced::new(x.to_string(), Source::Flag));
    RawValues {
        url: s(url),
        resource_server: s(rs),
        auth_server: s(auth),
        tenant: s(tenant),
        client_id: s(id),
    }
}

const ID: &str = "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60";

#[test]
fn validate_derives_from_one_address_and_prefers_typed_values() {
    let v = validate(
        &raw(Some("https://acme.halopsa.com"), None, None, None, Some(ID)),
        None,
    )
    .unwrap();
    assert_eq!(
        v.settings.auth_server.as_str(),
        "https://acme.halopsa.com/auth/"
    );
    assert_eq!(
        v.sources[&halo_connect::domain::field::Field::AuthServer],
        Source::Derived
    );
    let v = validate(
        &raw(
            Some("https://acme.halopsa.com"),
            None,
            Some("https://auth.haloservicedesk.com"),
            Some("acme"),
            Some(ID),
        ),
        None,
    )
    .unwrap();
    assert_eq!(
        v.settings.auth_server.as_str(),
        "https://auth.haloservicedesk.com/"
    );
    let d = Discovery {
        auth_url: Some("https://acme.halopsa.com/auth".into()),
        tenant_id: Some("acme-prod".into()),
    };
    let v = validate(
        &raw(Some("https://acme.halopsa.com"), None, None, None, Some(ID)),
        Some(&d),
    )
    .unwrap();
    assert_eq!(v.settings.tenant, Tenant::Named("acme-prod".into()));
    assert_eq!(
        v.settings.auth_server.as_str(),
        "https://acme.halopsa.com/auth/"
    );
}

#[test]
fn validate_lists_every_missing_value() {
    let errs = validate(&RawValues::default(), None).unwrap_err();
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert_eq!(errs.len(), 3, "{text:?}");
}

#[test]
fn a_shared_authorization_server_needs_the_tenant() {
    let errs = validate(
        &raw(
            None,
            Some("https://acme.halopsa.com/api"),
            Some("https://auth.haloservicedesk.com"),
            Some("Not set"),
            Some(ID),
        ),
        None,
    )
    .unwrap_err();
    assert!(errs[0].to_string().contains("shared"), "{}", errs[0]);
    assert!(validate(
        &raw(
            None,
            Some("https://acme.halopsa.com/api"),
            Some("https://auth.haloservicedesk.com"),
            Some("acme"),
            Some(ID)
        ),
        None
    )
    .is_ok());
}

/// The README's rule for the Tenant when authinfo does not answer: on-premise has none; hosted by
/// Halo, the host's first label, on Halo's domains and on a custom one alike, but never an IP
/// address's or a bare host's.
#[test]
fn the_tenant_follows_where_halo_runs() {
    let table: &[(&str, bool, Option<&str>)] = &[
        ("https://acme.halopsa.com", true, Some("acme")),
        ("https://acme.halopsa.com", false, None),
        ("https://support.contoso.com/api", true, Some("support")),
        ("https://Support.Contoso.com", true, Some("support")),
        ("https://support.contoso.com", false, None),
        ("https://10.0.0.5", true, None),
        ("http://127.0.0.1:8080", true, None),
        ("http://localhost:8080", true, None),
    ];
    for (address, hosted, want) in table {
        let d = derive_from_address(address).unwrap_or_else(|e| panic!("{address}: {e}"));
        let want = want.map_or(Tenant::NotSet, |t| Tenant::Named(t.to_string()));
        assert_eq!(d.tenant_for(*hosted), want, "{address} hosted={hosted}");
    }
}
