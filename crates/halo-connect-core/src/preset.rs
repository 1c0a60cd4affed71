//! Integration presets: what Role, Agent and Application an integration needs, its scopes and its
//! readiness checks. The presets are data (`presets/presets.toml`, embedded at build time); this
//! module holds the preset types, checks the presets `build` makes of a file, and finds them by
//! name. It does no I/O.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use super::handoff::Asks;
use super::scope::{is_known_scope, Scope};

mod build;
#[cfg(test)]
mod embedded_tests;
mod file;

/// The embedded preset file.
pub const EMBEDDED: &str = include_str!("../presets/presets.toml");

/// One step of a checklist: where to go in Halo, what to set, and to which value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Step {
    /// Halo's menu path, e.g. "Configuration > Teams & Agents > Roles".
    pub menu: String,
    /// The setting's label as Halo shows it, e.g. "Clients Access Level".
    pub setting: String,
    /// The value to choose, e.g. "Read Only".
    pub value: String,
    /// An optional short reason, in our own words.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub why: Option<String>,
}

impl Step {
    /// The step as one line: "setting: value (why)".
    pub fn line(&self) -> String {
        match &self.why {
            Some(w) => format!("{}: {} ({w})", self.setting, self.value),
            None => format!("{}: {}", self.setting, self.value),
        }
    }
}

/// A readiness check a preset runs after the permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReadinessCheck {
    /// Billing cannot go live without at least one active recurring contract.
    ActiveRecurringContracts,
    /// Alerts need at least one Team visible to the agent.
    VisibleTeams,
    /// Asset presets need assets the agent can see.
    VisibleAssets,
    /// Company sync registers webhooks.
    WebhookPermission,
}

impl ReadinessCheck {
    pub fn id(self) -> &'static str {
        match self {
            ReadinessCheck::ActiveRecurringContracts => "active-recurring-contracts",
            ReadinessCheck::VisibleTeams => "visible-teams",
            ReadinessCheck::VisibleAssets => "visible-assets",
            ReadinessCheck::WebhookPermission => "webhook-permission",
        }
    }
}

/// An integration preset, whole: its lists are built from the file by `build`. Serialized, it is
/// the shape `presets show NAME --json` prints, which a preset file may also be written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Preset {
    pub name: String,
    pub title: String,
    /// One line on who uses it.
    pub summary: String,
    pub scopes: Vec<String>,
    pub readiness: Vec<ReadinessCheck>,
    /// Which values its integrations' forms ask for (`halo-connect handoff` leads with those).
    #[serde(default, skip_serializing_if = "Asks::is_default")]
    pub handoff: Asks,
    /// The integration profile whose form it feeds: `handoff --for` and `test --as` take it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration: Option<String>,
    pub notes: Vec<String>,
    pub role: Vec<Step>,
    pub agent: Vec<Step>,
    pub application: Vec<Step>,
}

/// Why a preset file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    #[error("the preset file is not valid TOML: {0}")]
    Syntax(String),
    #[error(
        "preset {preset:?} asks for scope {scope:?}, which Halo does not know{}",
        super::scope_names::did_you_mean(scope)
    )]
    UnknownScope { preset: String, scope: String },
    #[error("preset {0:?} is defined twice")]
    Duplicate(String),
    #[error(
        "preset {0:?} asks for no scope at all; Halo refuses every call made with such a token"
    )]
    NoScopes(String),
    #[error("there is no preset named {name:?}; the presets are: {known}")]
    Unknown { name: String, known: String },
    #[error("preset {preset:?} has no names.{key}, which the common steps use as {{{key}}}; add it to the preset's names")]
    MissingName { preset: String, key: &'static str },
    #[error("preset {preset:?} has {section} pages of its own, but the common {section} pages have no slot = \"own\" to put them in; add one where they belong")]
    NoOwnSlot {
        preset: String,
        section: &'static str,
    },
    #[error("in preset {preset:?}, the {section} page for {menu} {how} {setting:?}, but {found} {section} steps on that menu have that setting; it needs exactly one")]
    Anchor {
        preset: String,
        section: &'static str,
        how: &'static str,
        setting: String,
        menu: String,
        found: usize,
    },
}

/// The preset tested when none is named or stored.
pub const DEFAULT: &str = "billing";
/// The preset whose scopes are the user's own (`--scopes`).
pub const CUSTOM: &str = "custom";

/// Whether `name` names the custom preset (any case, spaces around it ignored).
pub fn is_custom(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case(CUSTOM)
}

impl Preset {
    /// Returns the preset's scopes as typed values.
    pub fn scope_list(&self) -> Vec<Scope> {
        self.scopes
            .iter()
            .filter_map(|s| Scope::parse(s).ok())
            .collect()
    }

    /// Builds the `custom` preset from a user's scope list.
    pub fn custom(scopes: Vec<String>) -> Preset {
        let mut base = find(CUSTOM).cloned().unwrap_or_else(|| Preset {
            name: CUSTOM.into(),
            title: "Custom".into(),
            summary: "Your own scripts: you choose the scopes.".into(),
            scopes: vec![],
            readiness: vec![],
            handoff: Asks::default(),
            integration: Some("script".into()),
            notes: vec![],
            role: vec![],
            agent: vec![],
            application: vec![],
        });
        base.scopes = scopes;
        base
    }
}

/// Parses and checks a preset file (the embedded one, or a user's own).
pub fn parse_presets(text: &str) -> Result<Vec<Preset>, PresetError> {
    let presets = build::read(text)?;
    let mut seen = std::collections::HashSet::new();
    for p in &presets {
        if !seen.insert(p.name.clone()) {
            return Err(PresetError::Duplicate(p.name.clone()));
        }
        if p.scopes.is_empty() && p.name != CUSTOM {
            return Err(PresetError::NoScopes(p.name.clone()));
        }
        for s in &p.scopes {
            if !is_known_scope(s) {
                return Err(PresetError::UnknownScope {
                    preset: p.name.clone(),
                    scope: s.clone(),
                });
            }
        }
    }
    Ok(presets)
}

/// Returns the embedded presets, parsed once.
pub fn all() -> &'static [Preset] {
    static PRESETS: OnceLock<Vec<Preset>> = OnceLock::new();
    // The embedded file is checked by a unit test, so a parse failure here is a build defect.
    PRESETS.get_or_init(|| parse_presets(EMBEDDED).unwrap_or_default())
}

/// Returns the embedded preset with this name.
pub fn find(name: &str) -> Option<&'static Preset> {
    let name = name.trim().to_ascii_lowercase();
    all().iter().find(|p| p.name == name)
}

/// Returns the embedded preset with this name, or an error naming the known ones.
pub fn lookup(name: &str) -> Result<&'static Preset, PresetError> {
    find(name).ok_or_else(|| PresetError::Unknown {
        name: name.to_string(),
        known: all()
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::embedded_tests::NAMES;
    use super::*;

    fn one(name: &str, scopes: &str) -> String {
        format!(
            "[[preset]]\nname = \"{name}\"\ntitle = \"T\"\nsummary = \"S\"\nscopes = [{scopes}]\n"
        )
    }

    #[test]
    fn refuses_an_unknown_scope() {
        let err = parse_presets(&one("x", "\"read:actions\"")).unwrap_err();
        assert_eq!(
            err,
            PresetError::UnknownScope {
                preset: "x".into(),
                scope: "read:actions".into()
            }
        );
    }

    #[test]
    fn refuses_a_duplicate_name() {
        let text = format!(
            "{}\n{}",
            one("x", "\"read:tickets\""),
            one("x", "\"read:tickets\"")
        );
        assert_eq!(
            parse_presets(&text).unwrap_err(),
            PresetError::Duplicate("x".into())
        );
    }

    #[test]
    fn refuses_broken_toml() {
        assert!(matches!(
            parse_presets("[[preset]\nname = "),
            Err(PresetError::Syntax(_))
        ));
        assert!(matches!(
            parse_presets(&one("x", "\"read:tickets\"").replace("title", "titel")),
            Err(PresetError::Syntax(_))
        ));
    }

    #[test]
    fn refuses_a_named_preset_without_scopes() {
        assert_eq!(
            parse_presets(&one("x", "")).unwrap_err(),
            PresetError::NoScopes("x".into())
        );
    }

    #[test]
    fn lookup_names_the_known_presets() {
        assert_eq!(lookup(" Billing ").unwrap().name, "billing");
        let err = lookup("nope").unwrap_err();
        assert_eq!(
            err,
            PresetError::Unknown {
                name: "nope".into(),
                known: NAMES.join(", ")
            }
        );
        assert!(err.to_string().contains("asset-lifecycle"));
    }

    #[test]
    fn custom_keeps_its_checklist_and_takes_the_users_scopes() {
        let p = Preset::custom(vec!["read:kb".into()]);
        assert_eq!(p.title, "Custom");
        assert_eq!(p.scopes, ["read:kb"]);
        assert!(!p.application.is_empty());
    }
}
