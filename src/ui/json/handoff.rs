//! The hand-off's `--json` shapes: `handoff --json` (the card, also inside `init --json`) and
//! `handoff --for NAME --json` (one integration's form). Types only, built once from the domain's
//! `Handoff`; they hold no secret but its last 4 characters.

use schemars::JsonSchema;
use serde::Serialize;

use super::{schema_version, SCHEMA_VERSION};
use crate::domain::handoff::{Handoff, Row};
use crate::domain::profile::Hosting;

/// `handoff --for NAME --json`: that form's fields in its order, one value each, and what the
/// application must have ticked.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FormHandoffOutput<'a> {
    #[schemars(schema_with = "schema_version")]
    pub schema_version: u32,
    pub profile: &'a str,
    pub integration: &'a str,
    pub title: &'a str,
    /// The profile's, else `on-premise` when the Tenant is "Not set".
    #[schemars(with = "Hosting")]
    pub hosting: &'static str,
    pub warnings: &'a [String],
    pub fields: Vec<FormFieldOutput<'a>>,
    pub application: FormApplication<'a>,
    pub test_button: &'a str,
    pub sources: &'a [String],
}

/// One field of the form: the value to type or choose (the Client Secret only masked).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FormFieldOutput<'a> {
    pub label: &'a str,
    /// Which value it takes: resource-server, auth-server, tenant, client-id, client-secret,
    /// sign-in-address, subdomain, hosting or other.
    #[schemars(with = "crate::domain::integration::Value")]
    pub value_of: &'static str,
    /// What to type or choose; "" = leave it empty; null for the Client Secret.
    pub value: Option<&'a str>,
    /// The Client Secret's masked form, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub masked: Option<&'a str>,
    pub hidden: bool,
    pub why: Option<&'a str>,
    pub evidence: crate::domain::integration::Tag,
}

/// What the Halo application must have ticked for the integration.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FormApplication<'a> {
    pub ticked: &'a [String],
    pub why: &'a str,
    /// required, allowed or breaks.
    #[schemars(with = "crate::domain::integration::AllAdvice")]
    pub all: &'static str,
    pub all_advice: String,
}

impl<'a> FormHandoffOutput<'a> {
    pub fn new(
        profile: &'a str,
        f: &'a crate::domain::integration::FilledForm,
        warnings: &'a [String],
    ) -> Self {
        let i = f.integration;
        FormHandoffOutput {
            schema_version: SCHEMA_VERSION,
            profile,
            integration: &i.name,
            title: &i.title,
            hosting: f.hosting.as_str(),
            warnings,
            fields: f
                .entries
                .iter()
                .map(|e| FormFieldOutput {
                    label: &e.label,
                    value_of: e.value.as_str(),
                    value: (!e.secret).then_some(e.text.as_str()),
                    masked: (e.secret && !e.text.is_empty()).then_some(e.text.as_str()),
                    hidden: e.hidden,
                    why: e.why.as_deref(),
                    evidence: e.tag,
                })
                .collect(),
            application: FormApplication {
                ticked: &i.ticks,
                why: &i.ticks_why,
                all: i.all.as_str(),
                all_advice: i.all_advice(),
            },
            test_button: &i.test_button,
            sources: &i.sources,
        }
    }
}

/// `handoff --json`: the card, under the contract's version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HandoffOutput<'a> {
    #[schemars(schema_with = "schema_version")]
    pub schema_version: u32,
    #[serde(flatten)]
    pub card: HandoffCard<'a>,
}

impl<'a> HandoffOutput<'a> {
    pub fn new(h: &'a Handoff) -> Self {
        HandoffOutput {
            schema_version: SCHEMA_VERSION,
            card: HandoffCard::new(h),
        }
    }
}

/// The hand-off card (also `init --json`'s `handoff`): each value in every shape forms ask for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HandoffCard<'a> {
    pub profile: &'a str,
    pub preset: &'a str,
    /// `api-details` (the five values) or `sign-in-address`.
    #[schemars(with = "crate::domain::handoff::Asks")]
    pub asks_for: &'static str,
    /// `hosted` or `on-premise`; null for a profile saved before it was kept.
    #[schemars(with = "Option<Hosting>")]
    pub hosting: Option<&'static str>,
    pub warnings: &'a [String],
    pub values: Vec<HandoffValue<'a>>,
}

impl<'a> HandoffCard<'a> {
    pub fn new(h: &'a Handoff) -> Self {
        HandoffCard {
            profile: &h.profile,
            preset: &h.preset,
            asks_for: h.asks.as_str(),
            hosting: h.hosting.map(|x| x.as_str()),
            warnings: &h.warnings,
            values: h.rows.iter().map(HandoffValue::new).collect(),
        }
    }
}

/// One value of the card; `forms` maps each shape (`full_url`, `host`, `with_slash`,
/// `without_slash`, `name`, `not_set`, `empty`, `value`, `last_4`) to the text to type.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HandoffValue<'a> {
    #[schemars(with = "crate::domain::handoff::Item")]
    pub field: &'static str,
    pub title: &'static str,
    pub labels: &'static [&'static str],
    /// Whether the preset's integrations ask for it.
    pub asked: bool,
    #[schemars(with = "std::collections::BTreeMap<crate::domain::handoff::Shape, String>")]
    pub forms: std::collections::BTreeMap<&'static str, &'a str>,
    /// A one-line rule for choosing among the forms.
    pub rule: &'a str,
    /// Where the Client Secret is kept (the secret's row only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub stored_in: Option<&'a str>,
}

impl<'a> HandoffValue<'a> {
    fn new(r: &'a Row) -> Self {
        HandoffValue {
            field: r.item.key(),
            title: r.item.title(),
            labels: r.item.labels(),
            asked: r.asked,
            forms: r
                .forms
                .iter()
                .map(|f| (f.shape.key(), f.value.as_str()))
                .collect(),
            rule: &r.rule,
            stored_in: r.stored_in.as_deref(),
        }
    }
}
