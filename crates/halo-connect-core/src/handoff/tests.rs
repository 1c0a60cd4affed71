use super::*;
use crate::profile::{LastTest, SecretStoreKind};
use crate::values::{validate, RawValues, Source, Sourced};

fn profile(rs: &str, auth: &str, tenant: Option<&str>, preset: &str) -> Profile {
    Profile {
        preset: preset.into(),
        resource_server: rs.into(),
        auth_server: auth.into(),
        tenant: tenant.map(str::to_string),
        client_id: "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60".into(),
        hosting: None,
        secret_store: SecretStoreKind::Keyring,
        scopes: vec![],
        sandbox: false,
        scenario: None,
        ca_cert: None,
        last_test: Some(LastTest {
            ok: true,
            exit_code: 0,
            at: "2025-01-02T03:04:05Z".into(),
        }),
    }
}

fn settings(p: &Profile) -> ConnectionSettings {
    let s = |v: &str| Some(Sourced::new(v.to_string(), Source::Stored));
    let raw = RawValues {
        url: None,
        resource_server: s(&p.resource_server),
        auth_server: s(&p.auth_server),
        tenant: s(p.tenant.as_deref().unwrap_or("Not set")),
        client_id: s(&p.client_id),
    };
    validate(&raw, None).expect("valid").settings
}

fn secret() -> SecretView {
    SecretView {
        masked: Some("••••••••ab12".into()),
        stored_in: "the OS keyring".into(),
        problem: None,
    }
}

fn card(p: &Profile, asks: Asks) -> Handoff {
    Handoff::new("acme", p, &settings(p), asks, secret())
}

fn row(h: &Handoff, item: Item) -> &Row {
    h.rows.iter().find(|r| r.item == item).expect("row")
}

fn shapes(r: &Row) -> Vec<(Shape, &str)> {
    r.forms
        .iter()
        .map(|f| (f.shape, f.value.as_str()))
        .collect()
}

#[test]
fn a_hosted_profile_in_every_shape() {
    let p = profile(
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
        "billing",
    );
    let h = card(&p, Asks::ApiDetails);
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    let order: Vec<Item> = h.rows.iter().map(|r| r.item).collect();
    assert_eq!(
        order,
        [
            Item::ResourceServer,
            Item::AuthServer,
            Item::Tenant,
            Item::ClientId,
            Item::ClientSecret,
            Item::SignInAddress
        ]
    );
    assert_eq!(
        shapes(row(&h, Item::ResourceServer)),
        [
            (Shape::FullUrl, "https://acme.halopsa.com/api"),
            (Shape::Host, "acme.halopsa.com")
        ]
    );
    assert_eq!(
        shapes(row(&h, Item::AuthServer)),
        [
            (Shape::WithSlash, "https://acme.halopsa.com/auth/"),
            (Shape::WithoutSlash, "https://acme.halopsa.com/auth")
        ]
    );
    assert_eq!(shapes(row(&h, Item::Tenant)), [(Shape::Name, "acme")]);
    assert_eq!(
        shapes(row(&h, Item::SignInAddress)),
        [(Shape::FullUrl, "https://acme.halopsa.com")]
    );
    assert!(!row(&h, Item::SignInAddress).asked);
    assert!(row(&h, Item::ResourceServer).asked);
    let secret = row(&h, Item::ClientSecret);
    assert_eq!(shapes(secret), [(Shape::LastFour, "••••••••ab12")]);
    assert_eq!(secret.stored_in.as_deref(), Some("the OS keyring"));
    assert!(row(&h, Item::ResourceServer).rule.contains("Hostname"));
}

#[test]
fn on_premise_gives_not_set_and_empty_and_keeps_the_port_and_path() {
    let p = profile(
        "https://halo.example.net:8443/halo/api",
        "https://halo.example.net:8443/halo/auth/",
        None,
        "billing",
    );
    let h = card(&p, Asks::ApiDetails);
    assert_eq!(
        shapes(row(&h, Item::Tenant)),
        [(Shape::NotSet, "Not set"), (Shape::Empty, "")]
    );
    assert!(row(&h, Item::Tenant).rule.contains("\"Not set\""));
    assert_eq!(
        shapes(row(&h, Item::ResourceServer))[1],
        (Shape::Host, "halo.example.net:8443")
    );
    assert_eq!(
        shapes(row(&h, Item::SignInAddress)),
        [(Shape::FullUrl, "https://halo.example.net:8443/halo")]
    );
}

#[test]
fn a_sign_in_preset_leads_with_the_sign_in_address() {
    let p = profile(
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
        "company-asset-sync",
    );
    let h = card(&p, Asks::SignInAddress);
    let order: Vec<(Item, bool)> = h.rows.iter().map(|r| (r.item, r.asked)).collect();
    assert_eq!(
        order,
        [
            (Item::SignInAddress, true),
            (Item::ClientId, true),
            (Item::ClientSecret, true),
            (Item::ResourceServer, false),
            (Item::AuthServer, false),
            (Item::Tenant, false)
        ]
    );
    assert_eq!(Item::SignInAddress.labels()[0], "Access Token URL");
}

#[test]
fn a_failed_or_missing_test_and_an_unread_secret_are_warned_first() {
    let mut p = profile(
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
        "billing",
    );
    p.last_test = Some(LastTest {
        ok: false,
        exit_code: 5,
        at: "2025-01-02T03:04:05Z".into(),
    });
    let h = card(&p, Asks::ApiDetails);
    assert_eq!(h.warnings.len(), 1);
    assert!(
        h.warnings[0].contains("failed (exit 5"),
        "{}",
        h.warnings[0]
    );
    p.last_test = None;
    let unread = SecretView {
        masked: None,
        stored_in: "the OS keyring".into(),
        problem: Some("No Client Secret is stored.".into()),
    };
    let h = Handoff::new("acme", &p, &settings(&p), Asks::ApiDetails, unread);
    assert!(h.warnings[0].contains("without a Save and Test"));
    assert_eq!(h.warnings[1], "No Client Secret is stored.");
    assert!(row(&h, Item::ClientSecret).forms.is_empty());
}

#[test]
fn the_applications_page_is_under_the_halo_address() {
    assert_eq!(
        applications_page("https://acme.halopsa.com/api").as_deref(),
        Some("https://acme.halopsa.com/config/integrations/api/applications")
    );
    assert_eq!(
        applications_page("https://halo.example.net/halo/auth/").as_deref(),
        Some("https://halo.example.net/halo/config/integrations/api/applications")
    );
    assert_eq!(applications_page("not an address"), None);
}

#[test]
fn variables_are_what_test_from_env_reads() {
    let mut p = profile(
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        None,
        "billing",
    );
    let names: Vec<&str> = variables(&p).iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            env::PRESET,
            env::RESOURCE_SERVER,
            env::AUTH_SERVER,
            env::TENANT,
            env::CLIENT_ID
        ]
    );
    assert!(variables(&p).contains(&(env::TENANT, "Not set".to_string())));
    p.preset = "custom".into();
    p.ca_cert = Some("/etc/ca.pem".into());
    let vars = variables(&p);
    assert!(vars.iter().all(|(k, _)| *k != env::PRESET));
    assert_eq!(
        vars.last(),
        Some(&(env::CA_CERT, "/etc/ca.pem".to_string()))
    );
}

#[test]
fn a_preset_says_which_values_its_integration_asks_for() {
    use crate::preset::{all, find, parse_presets, PresetError};
    let one = |v: &str| {
        format!("[[preset]]\nname = \"x\"\ntitle = \"T\"\nsummary = \"S\"\nscopes = [\"read:tickets\"]\nhandoff = \"{v}\"\n")
    };
    assert_eq!(
        parse_presets(&one("sign-in-address")).unwrap()[0].handoff,
        Asks::SignInAddress
    );
    assert!(matches!(
        parse_presets(&one("sign-in")),
        Err(PresetError::Syntax(_))
    ));
    // The guides: only the company and asset sync asks for one sign-in address.
    assert_eq!(
        find("company-asset-sync").unwrap().handoff,
        Asks::SignInAddress
    );
    assert!(all()
        .iter()
        .filter(|p| p.name != "company-asset-sync")
        .all(|p| p.handoff == Asks::ApiDetails));
}
