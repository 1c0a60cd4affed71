//! The hand-off: from a tested connection to what the operator types into the integration's form,
//! and to the `HALO_*` variables a script gets. Forms disagree on labels and on the shape of each
//! value (full URL or host name alone, the final "/" or not, "Not set" or empty), so each value is
//! given in every shape forms ask for, with a one-line rule for choosing. Pure: it reads no store,
//! and the Client Secret appears only masked to its last 4 characters.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::field::env;
use super::profile::{Hosting, Profile};
use super::url::{Tenant, NOT_SET};
use super::values::ConnectionSettings;

/// Which values a preset's integrations ask for in their form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Asks {
    /// The five values of Halo's API Details page and the application.
    #[default]
    ApiDetails,
    /// One address to sign in at (often labelled "Access Token URL"), the Client ID and Secret.
    SignInAddress,
}

impl Asks {
    pub fn as_str(self) -> &'static str {
        match self {
            Asks::ApiDetails => "api-details",
            Asks::SignInAddress => "sign-in-address",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Asks::ApiDetails
    }
}

/// One value an integration's form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum Item {
    ResourceServer,
    AuthServer,
    Tenant,
    ClientId,
    ClientSecret,
    SignInAddress,
    /// Hosted by Halo or on-premise (n8n's "Hosting Type").
    Hosting,
}

impl Item {
    /// The key of the value in `--json`.
    pub fn key(self) -> &'static str {
        match self {
            Item::ResourceServer => "resource_server",
            Item::AuthServer => "auth_server",
            Item::Tenant => "tenant",
            Item::ClientId => "client_id",
            Item::ClientSecret => "client_secret",
            Item::SignInAddress => "sign_in_address",
            Item::Hosting => "hosting",
        }
    }

    /// The labels integrations' forms give the value; the first is Halo's own.
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            Item::ResourceServer => &[
                "Resource Server",
                "Resource Server URL",
                "Resource Server Hostname",
            ],
            Item::AuthServer => &[
                "Authorization Server",
                "Authorisation Endpoint URL",
                "Auth URL",
            ],
            Item::Tenant => &["Tenant", "Tenant ID", "Tenant Name"],
            Item::ClientId => &["Client ID"],
            Item::ClientSecret => &["Client Secret"],
            Item::SignInAddress => &["Access Token URL", "Halo URL", "Login URL"],
            Item::Hosting => &["Hosting Type", "Hosting"],
        }
    }

    /// The value's name on the card.
    pub fn title(self) -> &'static str {
        match self {
            Item::SignInAddress => "Sign-in address",
            other => other.labels()[0],
        }
    }
}

/// A shape a value takes in some form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum Shape {
    FullUrl,
    Host,
    WithSlash,
    WithoutSlash,
    Name,
    NotSet,
    Empty,
    Value,
    #[schemars(rename = "last_4")]
    LastFour,
}

impl Shape {
    /// The key of the shape in `--json`.
    pub fn key(self) -> &'static str {
        match self {
            Shape::FullUrl => "full_url",
            Shape::Host => "host",
            Shape::WithSlash => "with_slash",
            Shape::WithoutSlash => "without_slash",
            Shape::Name => "name",
            Shape::NotSet => "not_set",
            Shape::Empty => "empty",
            Shape::Value => "value",
            Shape::LastFour => "last_4",
        }
    }

    /// The shape's name on the card.
    pub fn label(self) -> &'static str {
        match self {
            Shape::FullUrl => "full URL",
            Shape::Host => "host name alone",
            Shape::WithSlash => "with the final \"/\"",
            Shape::WithoutSlash => "without the final \"/\"",
            Shape::Name => "name",
            Shape::NotSet => "on-premise, typed",
            Shape::Empty => "on-premise, left empty",
            Shape::Value => "value",
            Shape::LastFour => "last 4 characters",
        }
    }
}

/// A value in one shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub shape: Shape,
    pub value: String,
}

/// One row of the card: a value, its shapes, and how to choose among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub item: Item,
    /// Whether the preset's integrations ask for this value.
    pub asked: bool,
    pub forms: Vec<Form>,
    pub rule: String,
    /// Where the value is kept (the Client Secret's store).
    pub stored_in: Option<String>,
}

/// What the caller knows of the Client Secret: masked, and where it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretView {
    /// `Secret::masked()`, or None when it could not be read.
    pub masked: Option<String>,
    /// Where it is kept, in words: "the OS keyring (service halo-connect)".
    pub stored_in: String,
    /// Why it could not be read, as a full sentence for the warnings.
    pub problem: Option<String>,
}

/// The whole card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub profile: String,
    pub preset: String,
    /// Where Halo runs, as kept in the profile (absent in profiles saved before it was kept).
    pub hosting: Option<Hosting>,
    pub asks: Asks,
    /// Said at the top: a failed or missing test, an unreadable secret, a sandbox profile.
    pub warnings: Vec<String>,
    pub rows: Vec<Row>,
}

/// The address an operator signs in at: the Resource Server without its `/api`.
pub fn sign_in_address(settings: &ConnectionSettings) -> String {
    let rs = settings.resource_server.as_str().trim_end_matches('/');
    rs.strip_suffix("/api")
        .map(str::to_string)
        .unwrap_or_else(|| settings.resource_server.origin())
}

/// Halo's page that lists the API applications, from any Halo address.
pub fn applications_page(address: &str) -> Option<String> {
    let d = super::url::derive_from_address(address).ok()?;
    Some(format!(
        "{}/config/integrations/api/applications",
        d.base.as_str().trim_end_matches('/')
    ))
}

fn host_alone(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

fn form(shape: Shape, value: impl Into<String>) -> Form {
    Form {
        shape,
        value: value.into(),
    }
}

impl Handoff {
    /// Builds the card of profile `name` (stored as `profile`, validated as `settings`) for a
    /// preset whose integrations ask for `asks`.
    pub fn new(
        name: &str,
        profile: &Profile,
        settings: &ConnectionSettings,
        asks: Asks,
        secret: SecretView,
    ) -> Handoff {
        let mut warnings = Vec::new();
        match &profile.last_test {
            Some(t) if !t.ok => warnings.push(format!(
                "The last Save and Test of profile `{name}` failed (exit {}, at {}): an integration given these values fails the same way. Run `halo-connect test --profile {name}` and fix the cause before handing them on.",
                t.exit_code, t.at
            )),
            None => warnings.push(format!(
                "Profile `{name}` was saved without a Save and Test. Run `halo-connect test --profile {name}` before handing these values on."
            )),
            Some(_) => {}
        }
        if profile.sandbox {
            let again = match settings.resource_server.url().port() {
                Some(port) => format!("`halo-connect sandbox --port {port}` serves them again"),
                None => "`halo-connect sandbox` serves the emulator again".to_string(),
            };
            warnings.push(format!(
                "Profile `{name}` was made against the built-in sandbox: these are the emulator's values, which no real integration can reach; {again}, for a tool on this machine to try."
            ));
        }
        if let Some(p) = &secret.problem {
            warnings.push(p.clone());
        }
        let api_details = asks == Asks::ApiDetails;
        let rs = &settings.resource_server;
        let auth = settings.auth_server.as_str();
        let mut rows = vec![
            Row {
                item: Item::ResourceServer,
                asked: api_details,
                forms: vec![
                    form(Shape::FullUrl, rs.as_str()),
                    form(Shape::Host, host_alone(rs.url())),
                ],
                rule: "A field named …Hostname wants the host name alone; every other field wants the full URL.".into(),
                stored_in: None,
            },
            Row {
                item: Item::AuthServer,
                asked: api_details,
                forms: vec![
                    form(Shape::WithSlash, auth),
                    form(Shape::WithoutSlash, auth.trim_end_matches('/')),
                ],
                rule: "It depends on how the form adds the token path: forms that add /token (n8n, CIPP) want it without the final \"/\", forms that add token (the billing guides' forms) with it. `halo-connect handoff --for NAME` gives your form's one shape.".into(),
                stored_in: None,
            },
            tenant_row(&settings.tenant, api_details),
        ];
        let sign_in = Row {
            item: Item::SignInAddress,
            asked: !api_details,
            forms: vec![form(Shape::FullUrl, sign_in_address(settings))],
            rule: "The address you sign in to Halo at: only a form that asks for one address instead of the Resource Server, Authorization Server and Tenant wants it.".into(),
            stored_in: None,
        };
        let credentials = [
            Row {
                item: Item::ClientId,
                asked: true,
                forms: vec![form(Shape::Value, settings.client_id.as_str())],
                rule: "Copy it as it is; every form takes the same value.".into(),
                stored_in: None,
            },
            Row {
                item: Item::ClientSecret,
                asked: true,
                forms: secret
                    .masked
                    .map(|m| vec![form(Shape::LastFour, m)])
                    .unwrap_or_default(),
                rule: if profile.sandbox {
                    format!("The sandbox's demo secret, public by design (it opens only the emulator): `halo-connect sandbox` prints it whole, and a script gets it with `halo-connect export {name} --with-secret`.")
                } else {
                    "Paste it from where you kept it when Halo showed it; compare its last 4 characters. Only a script gets it whole: `halo-connect export --with-secret`.".into()
                },
                stored_in: Some(secret.stored_in),
            },
        ];
        if let Some(h) = profile.hosting {
            rows.insert(
                0,
                Row {
                    item: Item::Hosting,
                    asked: api_details,
                    forms: vec![form(Shape::Value, h.label())],
                    rule: "A form that asks where Halo runs offers it as a choice: the hosted one for Halo's own cloud, on-premise for a Halo on your own server.".into(),
                    stored_in: None,
                },
            );
        }
        if api_details {
            rows.extend(credentials);
            rows.push(sign_in);
        } else {
            let addresses = std::mem::replace(&mut rows, vec![sign_in]);
            rows.extend(credentials);
            rows.extend(addresses);
        }
        Handoff {
            profile: name.to_string(),
            preset: profile.preset.clone(),
            hosting: profile.hosting,
            asks,
            warnings,
            rows,
        }
    }
}

fn tenant_row(tenant: &Tenant, asked: bool) -> Row {
    let (forms, rule) = match tenant {
        Tenant::Named(t) => (
            vec![form(Shape::Name, t.as_str())],
            "Type the name as it is; every form takes the same value.",
        ),
        Tenant::NotSet => (
            vec![form(Shape::NotSet, NOT_SET), form(Shape::Empty, "")],
            "On-premise Halo has no tenant: type \"Not set\" where the form requires a value, and leave it empty where the form allows that.",
        ),
    };
    Row {
        item: Item::Tenant,
        asked,
        forms,
        rule: rule.into(),
        stored_in: None,
    }
}

/// The `HALO_*` variables of a stored profile that `test --from-env` reads back, in that order.
/// Everything but the Client Secret, which the caller adds only when asked. A `custom` preset's
/// scopes have no variable, so its preset is left out (and the caller says so).
pub fn variables(profile: &Profile) -> Vec<(&'static str, String)> {
    let mut vars = Vec::new();
    if profile.preset != crate::preset::CUSTOM {
        vars.push((env::PRESET, profile.preset.clone()));
    }
    vars.push((env::RESOURCE_SERVER, profile.resource_server.clone()));
    vars.push((env::AUTH_SERVER, profile.auth_server.clone()));
    vars.push((
        env::TENANT,
        profile.tenant.clone().unwrap_or_else(|| NOT_SET.into()),
    ));
    vars.push((env::CLIENT_ID, profile.client_id.clone()));
    if let Some(ca) = &profile.ca_cert {
        vars.push((env::CA_CERT, ca.clone()));
    }
    vars
}

#[cfg(test)]
mod tests;
