//! One integration's form filled with a connection's values, and the requests its code would make
//! with them: the token URL built as its code builds it (string joins and all), the scope string as
//! sent, and its first reads' URLs. Also the refusal of values it cannot use, in the form's words.

use super::{cloud_subdomain, sign_in, Base, Integration, Join, Shape, Tag, TenantRule, Value};
use crate::profile::Hosting;
use crate::url::Tenant;
use crate::values::ConnectionSettings;

/// Where HaloAPI looks the Authorisation Server up, on the address it was given.
pub const AUTHINFO_PATH: &str = "/api/authinfo";

/// One field of the filled form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    pub value: Value,
    /// What to type or choose; empty means leave the field empty. The Client Secret is masked.
    pub text: String,
    /// The Client Secret: `text` is only its masked form.
    pub secret: bool,
    /// The form hides this field for the option chosen.
    pub hidden: bool,
    pub why: Option<String>,
    pub tag: Tag,
}

/// An integration's form with the one value for each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledForm {
    pub integration: &'static Integration,
    pub hosting: Hosting,
    pub entries: Vec<Entry>,
}

impl FilledForm {
    fn text(&self, value: Value) -> Option<&Entry> {
        self.entries.iter().find(|e| e.value == value)
    }
}

/// Fills the form of `i` for these settings on a Halo of this hosting; `masked` is the Client
/// Secret's masked form, when it could be read.
pub fn form(
    i: &'static Integration,
    settings: &ConnectionSettings,
    hosting: Hosting,
    masked: Option<&str>,
) -> FilledForm {
    let chosen = i
        .field(Value::Hosting)
        .map(|f| f.choose.unwrap_or(hosting))
        .unwrap_or(hosting);
    let entries = i
        .fields
        .iter()
        .map(|f| {
            let text = match f.value {
                Value::ResourceServer => {
                    let rs = settings.resource_server.as_str().trim_end_matches('/');
                    match f.shape {
                        Some(Shape::WithSlash) => format!("{rs}/"),
                        _ => rs.to_string(),
                    }
                }
                Value::AuthServer => {
                    let auth = settings.auth_server.as_str();
                    match f.shape {
                        Some(Shape::WithoutSlash) => auth.trim_end_matches('/').to_string(),
                        _ => auth.to_string(),
                    }
                }
                Value::Tenant => match (&settings.tenant, f.shape) {
                    (Tenant::Named(t), _) => t.clone(),
                    (Tenant::NotSet, Some(Shape::NotSet)) => crate::url::NOT_SET.to_string(),
                    (Tenant::NotSet, _) => String::new(),
                },
                Value::ClientId => settings.client_id.clone(),
                Value::ClientSecret => masked.unwrap_or_default().to_string(),
                Value::SignInAddress => sign_in(settings),
                Value::Subdomain => cloud_subdomain(settings)
                    .map(|(s, _)| s)
                    .unwrap_or_default(),
                Value::Hosting => f
                    .options
                    .as_ref()
                    .map(|o| o.label(chosen).to_string())
                    .unwrap_or_default(),
                Value::Other => f.text.clone().unwrap_or_default(),
            };
            Entry {
                label: f.label.clone(),
                value: f.value,
                text,
                secret: f.value == Value::ClientSecret,
                hidden: f.hidden_on_premise && chosen == Hosting::OnPremise,
                why: f.why.clone(),
                tag: f.tag,
            }
        })
        .collect();
    FilledForm {
        integration: i,
        hosting,
        entries,
    }
}

/// Values an integration cannot use, said before any secret is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    /// What cannot work, in the form's words.
    pub message: String,
    /// What to do instead.
    pub fix: String,
}

/// Refuses values that cannot work for `i`, in its form's words.
pub fn cannot_use(
    i: &Integration,
    settings: &ConnectionSettings,
    hosting: Hosting,
) -> Option<Unusable> {
    let name = i.short_name();
    let auth = settings.auth_server.as_str();
    if !i.hosting.contains(&hosting) {
        return Some(Unusable {
            message: format!(
                "{name} works only with a Halo-hosted instance, and this Halo is on-premise (its Tenant is \"Not set\")."
            ),
            fix: "Connect this Halo with an integration that takes the Resource Server and Authorization Server as typed, such as `script`.".into(),
        });
    }
    for check in &i.cannot {
        match check {
            super::Check::NotHaloCloud => {
                let Some((sub, product)) = cloud_subdomain(settings) else {
                    return Some(Unusable {
                        message: format!(
                            "{name} builds https://<tenant>.halopsa.com (or .haloitsm.com) itself, and this Halo's Resource Server is {}: it cannot reach it.",
                            settings.resource_server.as_str()
                        ),
                        fix: "Use an integration that takes the Halo address as typed, such as `haloitsm-python` or `script`.".into(),
                    });
                };
                let expected = format!("https://{sub}.halo{product}.com/auth/");
                if !auth.eq_ignore_ascii_case(&expected) {
                    return Some(Unusable {
                        message: format!(
                            "{name} always signs in at {expected}token, but this Halo's Authorization Server is {auth}."
                        ),
                        fix: "Use an integration that takes the Authorization Server as typed, such as `script`.".into(),
                    });
                }
            }
            super::Check::SharedAuthServer => {
                let expected = format!("{}/auth/", sign_in(settings).trim_end_matches('/'));
                if !auth.eq_ignore_ascii_case(&expected) {
                    return Some(Unusable {
                        message: format!(
                            "{name} signs in only at {expected}token, derived from the address you sign in at, but this Halo's Authorization Server is {auth}: its form has no field for another one."
                        ),
                        fix: "Use an integration whose form takes the Authorization Server and Tenant, such as `script`.".into(),
                    });
                }
            }
            super::Check::NeedsTenant => {
                if settings.tenant == Tenant::NotSet {
                    return Some(Unusable {
                        message: format!("{name} always sends a tenant, and this Halo has none (\"Not set\")."),
                        fix: "Use an integration that leaves the tenant out on-premise, such as `script`.".into(),
                    });
                }
            }
        }
    }
    None
}

/// The token request the integration's code would send with the filled form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPlan {
    /// The URL exactly as its code builds it.
    pub url: String,
    /// The tenant it sends, as sent.
    pub tenant: Option<String>,
    /// The scope string, as sent.
    pub scope: String,
    pub client_id: String,
}

/// One first read: the URL as its code builds it, and what it maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    pub path: String,
    pub url: String,
    pub list_key: String,
    pub fields: Vec<String>,
    pub tag: Tag,
}

/// The authinfo URL HaloAPI asks first, when its token request starts there.
pub fn authinfo_url(f: &FilledForm) -> Option<String> {
    (f.integration.token.base == Base::Authinfo).then(|| {
        let addr = f
            .text(Value::SignInAddress)
            .map(|e| e.text.clone())
            .unwrap_or_default();
        format!("{}{AUTHINFO_PATH}", origin_of(&addr))
    })
}

fn origin_of(address: &str) -> String {
    url::Url::parse(address)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| address.trim_end_matches('/').to_string())
}

/// Builds the token request and the reads. `authinfo` is `(auth_url, tenant_id)` from
/// `authinfo_url`, when the integration asked it and Halo answered.
pub fn token_plan(
    f: &FilledForm,
    settings: &ConnectionSettings,
    authinfo: Option<(&str, Option<&str>)>,
) -> (TokenPlan, Vec<ReadPlan>) {
    let i = f.integration;
    let t = &i.token;
    let field = |v: Value| f.text(v).map(|e| e.text.clone()).unwrap_or_default();
    let cloud = cloud_subdomain(settings)
        .map(|(sub, product)| format!("https://{sub}.halo{product}.com"))
        .unwrap_or_default();
    let (base, join) = match t.base {
        Base::AuthServer => (field(Value::AuthServer), t.join),
        Base::SignInAddress => (format!("{}/auth", field(Value::SignInAddress)), t.join),
        Base::Subdomain => (format!("{cloud}/auth"), t.join),
        // HaloAPI falls back to <URL>/auth/token when authinfo fails.
        Base::Authinfo => match authinfo {
            Some((auth_url, _)) => (auth_url.to_string(), t.join),
            None => (
                format!("{}/auth", origin_of(&field(Value::SignInAddress))),
                Join::Slash,
            ),
        },
    };
    let mut url = match join {
        Join::Slash => format!("{base}/token"),
        Join::Append => format!("{base}token"),
        Join::TrimSlash => format!("{}/token", base.trim_end_matches('/')),
    };
    let typed = f.text(Value::Tenant).map(|e| {
        if e.hidden {
            t.tenant_hidden.clone().unwrap_or_default()
        } else {
            e.text.clone()
        }
    });
    let named = match &settings.tenant {
        Tenant::Named(n) => Some(n.clone()),
        Tenant::NotSet => None,
    };
    let tenant = match t.tenant {
        TenantRule::Always => Some(typed.unwrap_or_default()),
        TenantRule::UnlessNone => typed.filter(|v| v != "None").or(Some(String::new())),
        TenantRule::IfSet => named.or_else(|| {
            authinfo
                .and_then(|(_, id)| id)
                .filter(|id| !id.is_empty())
                .map(str::to_string)
        }),
        TenantRule::UnlessNotSet => typed.filter(|v| {
            let v = v.trim();
            !v.is_empty() && !v.eq_ignore_ascii_case("not set")
        }),
        TenantRule::Never => None,
    };
    if let Some(v) = &tenant {
        url.push_str("?tenant=");
        url.push_str(v);
    }
    let resource = match (f.text(Value::ResourceServer), t.base) {
        (Some(e), _) => e.text.clone(),
        (None, Base::Subdomain) => format!("{cloud}/api"),
        (None, _) => format!(
            "{}/api",
            origin_of(&field(Value::SignInAddress)).trim_end_matches('/')
        ),
    };
    let reads = i
        .reads
        .iter()
        .map(|r| {
            let mut u = format!("{resource}{}", r.path);
            if !r.query.is_empty() {
                u.push('?');
                u.push_str(&r.query);
            }
            ReadPlan {
                path: r.path.clone(),
                url: u,
                list_key: r.list_key.clone(),
                fields: r.fields.clone(),
                tag: r.tag,
            }
        })
        .collect();
    (
        TokenPlan {
            url,
            tenant,
            scope: t.scope.clone(),
            client_id: settings.client_id.clone(),
        },
        reads,
    )
}

/// A way the form is easily filled otherwise, and the token URL the integration would then build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pitfall {
    /// What was typed or chosen otherwise, in the form's words.
    pub typed: String,
    pub url: String,
    /// The form field's own advice.
    pub why: String,
}

/// The token URLs of the usual slips in this form: the other final "/" on the Authorisation
/// Server, and the other hosting choice. Only those that change the URL are given.
pub fn pitfalls(f: &FilledForm, settings: &ConnectionSettings) -> Vec<Pitfall> {
    let i = f.integration;
    if i.token.base == Base::Authinfo {
        return Vec::new();
    }
    let main = token_plan(f, settings, None).0.url;
    let mut out = Vec::new();
    if let Some(idx) = f.entries.iter().position(|e| e.value == Value::AuthServer) {
        let e = &f.entries[idx];
        let (other, how) = if e.text.ends_with('/') {
            (e.text.trim_end_matches('/').to_string(), "without")
        } else {
            (format!("{}/", e.text), "with")
        };
        let mut g = f.clone();
        g.entries[idx].text = other;
        let url = token_plan(&g, settings, None).0.url;
        if url != main {
            out.push(Pitfall {
                typed: format!("{} typed {how} the final \"/\"", e.label),
                url,
                why: e.why.clone().unwrap_or_default(),
            });
        }
    }
    if let Some(field) = i.field(Value::Hosting) {
        if let (Some(options), Some(chosen)) = (&field.options, field.choose) {
            let other = match chosen {
                Hosting::Hosted => Hosting::OnPremise,
                Hosting::OnPremise => Hosting::Hosted,
            };
            let mut g = f.clone();
            for e in &mut g.entries {
                if e.value == Value::Hosting {
                    e.text = options.label(other).to_string();
                }
                if e.value == Value::Tenant {
                    e.hidden = i.field(Value::Tenant).is_some_and(|t| t.hidden_on_premise)
                        && other == Hosting::OnPremise;
                }
            }
            let url = token_plan(&g, settings, None).0.url;
            if url != main {
                out.push(Pitfall {
                    typed: format!("{} set to {}", field.label, options.label(other)),
                    url,
                    why: field.why.clone().unwrap_or_default(),
                });
            }
        }
    }
    out
}
