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

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 6] = [
        "billing",
        "billing-alerts",
        "alerts",
        "asset-lifecycle",
        "company-asset-sync",
        "custom",
    ];

    fn embedded() -> Vec<Preset> {
        parse_presets(EMBEDDED).expect("the embedded preset file parses")
    }

    fn one(name: &str, scopes: &str) -> String {
        format!(
            "[[preset]]\nname = \"{name}\"\ntitle = \"T\"\nsummary = \"S\"\nscopes = [{scopes}]\n"
        )
    }

    #[test]
    fn embedded_file_parses_with_the_six_presets_in_order() {
        let names: Vec<String> = embedded().into_iter().map(|p| p.name).collect();
        assert_eq!(names, NAMES);
        assert_eq!(all().len(), NAMES.len());
    }

    #[test]
    fn every_scope_is_known() {
        for p in embedded() {
            for s in &p.scopes {
                assert!(is_known_scope(s), "{}: {s}", p.name);
            }
            assert_eq!(p.scope_list().len(), p.scopes.len(), "{}", p.name);
        }
    }

    #[test]
    fn scopes_and_readiness_match_the_guides() {
        let scopes = |n: &str| find(n).unwrap().scopes.clone();
        let billing = [
            "read:customers",
            "read:contracts",
            "edit:contracts",
            "read:items",
            "edit:items",
            "read:invoices",
            "edit:invoices",
        ];
        assert_eq!(scopes("billing"), billing);
        for s in billing
            .iter()
            .chain(&["read:tickets", "edit:tickets", "all:teams"])
        {
            assert!(scopes("billing-alerts").iter().any(|x| x == s), "{s}");
        }
        assert_eq!(
            scopes("alerts"),
            [
                "read:tickets",
                "edit:tickets",
                "read:customers",
                "all:teams"
            ]
        );
        let lifecycle = scopes("asset-lifecycle");
        assert_eq!(lifecycle.len(), 12);
        assert!(lifecycle.iter().any(|s| s == "edit:assets"));
        assert_eq!(
            scopes("company-asset-sync"),
            [
                "admin:webhooks",
                "read:customers",
                "edit:customers",
                "read:crm",
                "edit:crm",
                "read:software",
                "edit:software",
                "read:assets",
                "edit:assets"
            ]
        );
        assert!(scopes("custom").is_empty());
        assert_eq!(find("custom").unwrap().title, "Custom");

        use ReadinessCheck::*;
        let readiness = |n: &str| find(n).unwrap().readiness.clone();
        assert_eq!(readiness("billing"), [ActiveRecurringContracts]);
        assert_eq!(
            readiness("billing-alerts"),
            [ActiveRecurringContracts, VisibleTeams]
        );
        assert_eq!(readiness("alerts"), [VisibleTeams]);
        assert_eq!(readiness("asset-lifecycle"), [VisibleAssets]);
        assert_eq!(
            readiness("company-asset-sync"),
            [WebhookPermission, VisibleAssets]
        );
    }

    #[test]
    fn every_preset_has_checklists_and_a_one_line_summary() {
        for p in embedded() {
            assert!(!p.title.trim().is_empty(), "{}", p.name);
            assert!(!p.summary.trim().is_empty(), "{}", p.name);
            assert!(!p.summary.contains('\n'), "{}", p.name);
            if p.name == "custom" {
                continue;
            }
            assert!(!p.role.is_empty(), "{} role", p.name);
            assert!(!p.agent.is_empty(), "{} agent", p.name);
            assert!(!p.application.is_empty(), "{} application", p.name);
            assert!(!p.notes.is_empty(), "{} notes", p.name);
        }
    }

    #[test]
    fn every_step_is_filled_in() {
        for p in embedded() {
            for st in p.role.iter().chain(&p.agent).chain(&p.application) {
                assert!(
                    st.menu.starts_with("Configuration > "),
                    "{}: {st:?}",
                    p.name
                );
                assert!(!st.setting.trim().is_empty(), "{}: {st:?}", p.name);
                assert!(!st.value.trim().is_empty(), "{}: {st:?}", p.name);
            }
            if let Some(first) = p.role.first() {
                assert_eq!(first.setting, "Role name", "{}", p.name);
            }
        }
    }

    #[test]
    fn every_application_checklist_uses_services_auth_and_agent_login() {
        for p in embedded() {
            let app = &p.application;
            assert!(
                app.iter().any(|s| s.setting == "Authentication Method"
                    && s.value == "Client ID and Secret (Services)"),
                "{}",
                p.name
            );
            assert!(
                app.iter()
                    .any(|s| s.setting == "Login Type" && s.value == "Agent"),
                "{}",
                p.name
            );
            assert!(
                app.iter().any(|s| s.setting == "Agent to log in as"),
                "{}",
                p.name
            );
            assert!(
                p.agent
                    .iter()
                    .any(|s| s.setting == "Is an API-only Agent" && s.value == "Yes"),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn every_scope_has_a_ticked_permission_step_and_all_stays_unticked() {
        for p in embedded().into_iter().filter(|p| p.name != "custom") {
            for s in &p.scopes {
                assert!(
                    p.application
                        .iter()
                        .any(|st| &st.setting == s && st.value == "Ticked"),
                    "{}: {s}",
                    p.name
                );
            }
            assert!(
                p.application
                    .iter()
                    .any(|st| st.setting == "All" && st.value == "Not ticked"),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn alert_presets_make_teams_visible() {
        for name in ["billing-alerts", "alerts"] {
            let p = find(name).unwrap();
            assert!(p.scopes.iter().any(|s| s == "all:teams"), "{name}");
            assert!(
                p.agent
                    .iter()
                    .any(|s| s.menu.ends_with("Departments & Teams")),
                "{name}"
            );
        }
    }

    #[test]
    fn billing_notes_cover_the_guides_warnings() {
        let notes = find("billing").unwrap().notes.join("\n");
        assert!(notes.contains("/auth/"));
        assert!(notes.contains("Not set"));
        assert!(notes.contains("\"All\""));
        assert!(notes.contains("recurring"));
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

    #[test]
    fn names_no_vendor_and_no_vendor_address() {
        for word in [
            "Gradient",
            "MSPCentric",
            "ScalePad",
            "DNSFilter",
            "DNS Filter",
            "Strategy Overview",
            "StrategyOverview",
            "SonicWall",
            "Synthesize",
            "Lifecycle Manager",
            "3.19.",
            "52.247.",
            "20.49.",
        ] {
            assert!(
                !EMBEDDED.to_lowercase().contains(&word.to_lowercase()),
                "{word}"
            );
        }
    }
}
