//! Integration profiles: how each integration that talks to Halo asks for its values (its form's
//! fields, in order, with their labels and the shape each wants), how its code builds the token
//! request (URL, tenant, scope string, body) and which reads it makes first. The profiles are data
//! (`presets/integrations.toml`, embedded at build time, each fact tagged E/I/G with its source);
//! this module parses and checks them, finds one by name (with a did-you-mean), fills a form with a
//! connection's values (`form`), refuses values the integration cannot use (`cannot_use`) and
//! builds the exact token request it would send (`plan`). It does no I/O.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use super::handoff::sign_in_address;
use super::profile::Hosting;
use super::scope::is_known_scope;
use super::url::Tenant;
use super::values::ConnectionSettings;

mod plan;
pub mod replay;
#[cfg(test)]
mod tests;

pub use plan::{
    authinfo_url, cannot_use, form, pitfalls, token_plan, Entry, FilledForm, Pitfall, ReadPlan,
    TokenPlan, Unusable, AUTHINFO_PATH,
};

/// The embedded profile file.
pub const EMBEDDED: &str = include_str!("../presets/integrations.toml");

/// How certain a fact is: evidenced, inferred, or guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Tag {
    E,
    I,
    G,
}

/// The advice about the application's "All" permission for one integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AllAdvice {
    /// Its documentation asks for All: never tell anyone to untick it.
    Required,
    /// It asks for `all` (or scopes All covers) and works either way.
    Allowed,
    /// Its documentation says a ticked All makes authentication fail.
    Breaks,
}

impl AllAdvice {
    pub fn as_str(self) -> &'static str {
        match self {
            AllAdvice::Required => "required",
            AllAdvice::Allowed => "allowed",
            AllAdvice::Breaks => "breaks",
        }
    }
}

/// A rule that refuses values before any secret is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// It builds https://<name>.halopsa.com (or .haloitsm.com) itself.
    NotHaloCloud,
    /// It signs in only at <Halo address>/auth/token.
    SharedAuthServer,
    /// A named tenant is needed.
    NeedsTenant,
}

/// Which value goes into a form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Value {
    ResourceServer,
    AuthServer,
    Tenant,
    ClientId,
    ClientSecret,
    SignInAddress,
    Subdomain,
    Hosting,
    Other,
}

impl Value {
    pub fn as_str(self) -> &'static str {
        match self {
            Value::ResourceServer => "resource-server",
            Value::AuthServer => "auth-server",
            Value::Tenant => "tenant",
            Value::ClientId => "client-id",
            Value::ClientSecret => "client-secret",
            Value::SignInAddress => "sign-in-address",
            Value::Subdomain => "subdomain",
            Value::Hosting => "hosting",
            Value::Other => "other",
        }
    }
}

/// The shape a field wants: an address with or without its final "/", or what an on-premise
/// Halo's tenant becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    WithSlash,
    WithoutSlash,
    Empty,
    NotSet,
}

/// The option labels of a hosting-type choice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostingOptions {
    pub hosted: String,
    #[serde(rename = "on-premise")]
    pub on_premise: String,
}

impl HostingOptions {
    pub fn label(&self, h: Hosting) -> &str {
        match h {
            Hosting::Hosted => &self.hosted,
            Hosting::OnPremise => &self.on_premise,
        }
    }
}

/// One field of an integration's form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub label: String,
    pub value: Value,
    #[serde(default)]
    pub shape: Option<Shape>,
    #[serde(default)]
    pub options: Option<HostingOptions>,
    #[serde(default)]
    pub choose: Option<Hosting>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub hidden_on_premise: bool,
    #[serde(default)]
    pub why: Option<String>,
    pub tag: Tag,
}

/// What "/token" is joined to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Base {
    AuthServer,
    SignInAddress,
    Subdomain,
    Authinfo,
}

/// How the token path is joined to the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Join {
    /// base + "/token" (a base typed with its final "/" gives "//token").
    Slash,
    /// base + "token".
    Append,
    /// The base without its final "/" + "/token".
    TrimSlash,
}

/// When the token URL carries `?tenant=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TenantRule {
    /// Always, with the field as typed (even empty).
    Always,
    /// Always, unless the field is "None".
    UnlessNone,
    /// Only a named tenant (the authinfo tenant_id when the base is authinfo).
    IfSet,
    /// A tenant other than "Not set".
    UnlessNotSet,
    Never,
}

/// How the token request's body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Body {
    /// application/x-www-form-urlencoded: grant_type, client_id, client_secret, scope.
    Form,
}

/// How the integration's code builds its token request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub base: Base,
    pub join: Join,
    pub tenant: TenantRule,
    /// What it sends as the tenant when its form hides the Tenant field.
    #[serde(default)]
    pub tenant_hidden: Option<String>,
    /// The scope string, exactly as sent.
    pub scope: String,
    pub body: Body,
    pub tag: Tag,
    #[serde(default)]
    pub evidence: Option<String>,
}

/// One of the integration's first reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Read {
    /// The path after the Resource Server, as its code writes it (case included).
    pub path: String,
    #[serde(default)]
    pub query: String,
    /// The list it maps: a key of the answer, "" for a bare JSON array, "-" for one object.
    pub list_key: String,
    /// The fields it reads from each record.
    pub fields: Vec<String>,
    pub tag: Tag,
    #[serde(default)]
    pub evidence: Option<String>,
}

/// One integration profile.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    pub name: String,
    pub title: String,
    pub sources: Vec<String>,
    pub hosting: Vec<Hosting>,
    #[serde(default)]
    pub cannot: Vec<Check>,
    pub test_button: String,
    pub all: AllAdvice,
    pub ticks: Vec<String>,
    pub ticks_why: String,
    pub tag: Tag,
    #[serde(rename = "field")]
    pub fields: Vec<Field>,
    pub token: TokenRequest,
    #[serde(rename = "read", default)]
    pub reads: Vec<Read>,
}

impl Integration {
    /// The form's field for a value, if it has one.
    pub fn field(&self, value: Value) -> Option<&Field> {
        self.fields.iter().find(|f| f.value == value)
    }

    /// The advice about "All", in words.
    pub fn all_advice(&self) -> String {
        match self.all {
            AllAdvice::Required => format!(
                "Tick All: {}'s documentation asks for it, and its fixed scope request needs it. Keep All ticked for this integration.",
                self.short_name()
            ),
            AllAdvice::Allowed => "All works as well as the permissions listed: tick All or those.".into(),
            AllAdvice::Breaks => "Keep All unticked: this integration's guide says authentication fails with it ticked.".into(),
        }
    }

    /// The name used in sentences: the title up to its first comma or parenthesis.
    pub fn short_name(&self) -> &str {
        self.title
            .split([',', '('])
            .next()
            .unwrap_or(&self.title)
            .trim()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    integration: Vec<Integration>,
}

/// Why the profile file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrationError {
    #[error("the integration profile file is not valid: {0}")]
    Syntax(String),
    #[error("integration {0:?} is defined twice")]
    Duplicate(String),
    #[error("integration {integration:?} names scope {scope:?}, which Halo does not know")]
    UnknownScope { integration: String, scope: String },
    #[error("integration {integration:?}: {problem}")]
    Shape {
        integration: String,
        problem: String,
    },
}

/// Parses and checks a profile file.
pub fn parse(text: &str) -> Result<Vec<Integration>, IntegrationError> {
    let file: File = toml::from_str(text).map_err(|e| IntegrationError::Syntax(e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for i in &file.integration {
        if !seen.insert(i.name.clone()) {
            return Err(IntegrationError::Duplicate(i.name.clone()));
        }
        check(i)?;
    }
    Ok(file.integration)
}

fn check(i: &Integration) -> Result<(), IntegrationError> {
    let bad = |problem: String| IntegrationError::Shape {
        integration: i.name.clone(),
        problem,
    };
    for s in i
        .ticks
        .iter()
        .map(String::as_str)
        .chain(i.token.scope.split(' '))
    {
        if !is_known_scope(s) {
            return Err(IntegrationError::UnknownScope {
                integration: i.name.clone(),
                scope: s.to_string(),
            });
        }
    }
    if i.hosting.is_empty() {
        return Err(bad("it works with no hosting at all".into()));
    }
    for value in [Value::ClientId, Value::ClientSecret] {
        if i.field(value).is_none() {
            return Err(bad(format!("its form has no {} field", value.as_str())));
        }
    }
    for f in &i.fields {
        let ok = match f.value {
            Value::ResourceServer | Value::AuthServer => {
                matches!(f.shape, Some(Shape::WithSlash) | Some(Shape::WithoutSlash))
            }
            Value::Tenant => matches!(f.shape, Some(Shape::Empty) | Some(Shape::NotSet)),
            Value::Hosting => f.options.is_some(),
            Value::Other => f.text.is_some(),
            _ => f.shape.is_none(),
        };
        if !ok {
            return Err(bad(format!(
                "field {:?} ({}) lacks its shape, options or text",
                f.label,
                f.value.as_str()
            )));
        }
    }
    let needs = match i.token.base {
        Base::AuthServer => Some(Value::AuthServer),
        Base::SignInAddress | Base::Authinfo => Some(Value::SignInAddress),
        Base::Subdomain => Some(Value::Subdomain),
    };
    if let Some(v) = needs {
        if i.field(v).is_none() {
            return Err(bad(format!(
                "its token request starts from the {} field, which its form lacks",
                v.as_str()
            )));
        }
    }
    if i.token.tenant_hidden.is_some() && !i.fields.iter().any(|f| f.hidden_on_premise) {
        return Err(bad(
            "tenant_hidden is set but no field is hidden on-premise".into(),
        ));
    }
    for r in &i.reads {
        if !r.path.starts_with('/') || r.query.starts_with('?') {
            return Err(bad(format!(
                "read {:?}: a path starts with \"/\", a query has no \"?\"",
                r.path
            )));
        }
    }
    Ok(())
}

/// Returns the embedded profiles, parsed once.
pub fn all() -> &'static [Integration] {
    static ALL: OnceLock<Vec<Integration>> = OnceLock::new();
    // The embedded file is checked by a unit test, so a parse failure here is a build defect.
    ALL.get_or_init(|| parse(EMBEDDED).unwrap_or_default())
}

/// The names of every profile, in file order.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|i| i.name.as_str()).collect()
}

/// Returns the embedded profile with this name.
pub fn find(name: &str) -> Option<&'static Integration> {
    let name = name.trim().to_ascii_lowercase();
    all().iter().find(|i| i.name == name)
}

/// An unknown integration name: the known ones and the nearest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownIntegration {
    pub name: String,
    pub known: Vec<&'static str>,
    pub nearest: Option<&'static str>,
}

impl std::fmt::Display for UnknownIntegration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "there is no integration named {:?}; the known ones are: {}",
            self.name,
            self.known.join(", ")
        )?;
        if let Some(n) = self.nearest {
            write!(f, "; did you mean {n}?")?;
        }
        Ok(())
    }
}

/// Returns the profile with this name, or the known names with the nearest one.
pub fn lookup(name: &str) -> Result<&'static Integration, UnknownIntegration> {
    find(name).ok_or_else(|| {
        let wanted = name.trim().to_ascii_lowercase();
        let nearest = names()
            .into_iter()
            .map(|n| {
                let d = crate::scope_names::distance(&wanted, n);
                let prefix = n.starts_with(&wanted) || wanted.starts_with(n);
                (if prefix && !wanted.is_empty() { 0 } else { d }, n)
            })
            .filter(|(d, n)| *d <= (n.len() / 3).max(2))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n);
        UnknownIntegration {
            name: name.to_string(),
            known: names(),
            nearest,
        }
    })
}

/// The preset `init --for NAME` uses: the one whose form this integration is, else `custom` with
/// exactly what its application must have ticked.
pub fn preset_for(i: &Integration) -> (String, Option<Vec<String>>) {
    match crate::preset::all()
        .iter()
        .find(|p| p.integration.as_deref() == Some(i.name.as_str()) && !p.scopes.is_empty())
    {
        Some(p) => (p.name.clone(), None),
        None => (crate::preset::CUSTOM.to_string(), Some(i.ticks.clone())),
    }
}

/// The hosting a connection's values show: a named tenant is Halo-hosted, "Not set" on-premise.
pub fn hosting_of(settings: &ConnectionSettings) -> Hosting {
    match settings.tenant {
        Tenant::Named(_) => Hosting::Hosted,
        Tenant::NotSet => Hosting::OnPremise,
    }
}

/// The first label of a Halo cloud host (`acme` of acme.halopsa.com) and its product (`psa` or
/// `itsm`), when the Resource Server is on one.
pub fn cloud_subdomain(settings: &ConnectionSettings) -> Option<(String, &'static str)> {
    let host = settings.resource_server.host().to_ascii_lowercase();
    for (suffix, product) in [(".halopsa.com", "psa"), (".haloitsm.com", "itsm")] {
        if let Some(sub) = host.strip_suffix(suffix) {
            if !sub.is_empty() && !sub.contains('.') {
                return Some((sub.to_string(), product));
            }
        }
    }
    None
}

/// The address an operator signs in at, for forms that ask for it.
pub fn sign_in(settings: &ConnectionSettings) -> String {
    sign_in_address(settings)
}
