//! Integration presets: what Role, Agent and Application an integration needs, its scopes and its
//! readiness checks. The presets are data (`presets/presets.toml`, embedded at build time); this
//! module parses and checks that data and does no I/O.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use super::scope::{is_known_scope, Scope};

/// The embedded preset file.
pub const EMBEDDED: &str = include_str!("../../presets/presets.toml");

/// One step of a checklist: where to go in Halo, what to set, and to which value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Halo's menu path, e.g. "Configuration > Teams & Agents > Roles".
    pub menu: String,
    /// The setting's label as Halo shows it, e.g. "Clients Access Level".
    pub setting: String,
    /// The value to choose, e.g. "Read Only".
    pub value: String,
    /// An optional short reason, in our own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// A readiness check a preset runs after the permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// An integration preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub name: String,
    pub title: String,
    /// One line on who uses it.
    pub summary: String,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub readiness: Vec<ReadinessCheck>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub role: Vec<Step>,
    #[serde(default)]
    pub agent: Vec<Step>,
    #[serde(default)]
    pub application: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetFile {
    preset: Vec<Preset>,
}

/// Why a preset file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresetError {
    #[error("the preset file is not valid TOML: {0}")]
    Syntax(String),
    #[error("preset {preset:?} asks for scope {scope:?}, which Halo does not know")]
    UnknownScope { preset: String, scope: String },
    #[error("preset {0:?} is defined twice")]
    Duplicate(String),
    #[error("preset {0:?} asks for no scope at all; Halo refuses every call made with such a token")]
    NoScopes(String),
    #[error("there is no preset named {name:?}; the presets are: {known}")]
    Unknown { name: String, known: String },
}

impl Preset {
    /// Returns the preset's scopes as typed values.
    pub fn scope_list(&self) -> Vec<Scope> {
        self.scopes.iter().filter_map(|s| Scope::parse(s).ok()).collect()
    }

    /// Builds the `custom` preset from a user's scope list.
    pub fn custom(scopes: Vec<String>) -> Preset {
        let mut base = find("custom").cloned().unwrap_or_else(|| Preset {
            name: "custom".into(),
            title: "Custom".into(),
            summary: "Your own scripts: you choose the scopes.".into(),
            scopes: vec![],
            readiness: vec![],
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
    let file: PresetFile = toml::from_str(text).map_err(|e| PresetError::Syntax(e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for p in &file.preset {
        if !seen.insert(p.name.clone()) {
            return Err(PresetError::Duplicate(p.name.clone()));
        }
        if p.scopes.is_empty() && p.name != "custom" {
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
    Ok(file.preset)
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
