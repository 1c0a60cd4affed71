//! Builds whole presets from the file: each Role, Agent and Application list starts from the
//! common pages, takes the preset's names, one step per scope and its own pages at the slots, then
//! puts in the pages that replace a step or come after one. It does no I/O.

use super::file::{CommonPage, File, Names, OwnPage, Place};
use super::{Preset, PresetError, Step};

/// Reads a preset file into whole presets, each list built from the common pages.
pub(super) fn read(text: &str) -> Result<Vec<Preset>, PresetError> {
    let file: File = toml::from_str(text).map_err(|e| PresetError::Syntax(e.to_string()))?;
    build(file)
}

/// Fills in every preset of a file.
fn build(file: File) -> Result<Vec<Preset>, PresetError> {
    let common = file.common;
    file.preset
        .into_iter()
        .map(|p| {
            let build = |section, common: &[CommonPage], own| {
                build_list(&p.name, section, common, own, &p.scopes, &p.names)
            };
            Ok(Preset {
                role: build("role", &common.role, p.role)?,
                agent: build("agent", &common.agent, p.agent)?,
                application: build("application", &common.application, p.application)?,
                name: p.name,
                title: p.title,
                summary: p.summary,
                scopes: p.scopes,
                readiness: p.readiness,
                handoff: p.handoff,
                integration: p.integration,
                notes: p.notes,
            })
        })
        .collect()
}

const ONLY_OWN: &[CommonPage] = &[CommonPage::Own];

/// One list of a preset: the common pages with the slots filled, then the placed pages put in.
fn build_list(
    preset: &str,
    section: &'static str,
    common: &[CommonPage],
    own: Vec<OwnPage>,
    scopes: &[String],
    names: &Names,
) -> Result<Vec<Step>, PresetError> {
    let (unplaced, placed): (Vec<OwnPage>, Vec<OwnPage>) =
        own.into_iter().partition(|p| matches!(p.place, Place::Own));
    let unplaced: Vec<Step> = unplaced.into_iter().flat_map(|p| p.steps).collect();
    // A list without common pages is the preset's own pages alone, as written.
    let common = if common.is_empty() { ONLY_OWN } else { common };
    if !unplaced.is_empty() && !common.iter().any(|c| matches!(c, CommonPage::Own)) {
        return Err(PresetError::NoOwnSlot {
            preset: preset.into(),
            section,
        });
    }
    let mut list = Vec::new();
    for page in common {
        match page {
            CommonPage::Steps(steps) => {
                for step in steps {
                    list.push(Step {
                        value: fill_names(preset, &step.value, names)?,
                        ..step.clone()
                    });
                }
            }
            CommonPage::Own => list.extend(unplaced.iter().cloned()),
            CommonPage::Scopes { menu, value } => list.extend(scopes.iter().map(|s| Step {
                menu: menu.clone(),
                setting: s.clone(),
                value: value.clone(),
                why: None,
            })),
        }
    }
    for page in placed {
        let (anchor, offset, how) = match &page.place {
            Place::Replace(s) => (s, 0, "replaces"),
            Place::After(s) => (s, 1, "comes after"),
            Place::Own => continue,
        };
        let found: Vec<usize> = (0..list.len())
            .filter(|&i| list[i].menu == page.menu && &list[i].setting == anchor)
            .collect();
        let [at] = found[..] else {
            return Err(PresetError::Anchor {
                preset: preset.into(),
                section,
                how,
                setting: anchor.clone(),
                menu: page.menu,
                found: found.len(),
            });
        };
        list.splice(at + offset..at + 1, page.steps);
    }
    Ok(list)
}

/// Puts the preset's names into a common value.
fn fill_names(preset: &str, value: &str, names: &Names) -> Result<String, PresetError> {
    let mut out = value.to_string();
    for (key, name) in [
        ("role", &names.role),
        ("agent", &names.agent),
        ("application", &names.application),
    ] {
        let mark = format!("{{{key}}}");
        if out.contains(&mark) {
            let Some(name) = name else {
                return Err(PresetError::MissingName {
                    preset: preset.into(),
                    key,
                });
            };
            out = out.replace(&mark, name);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMON: &str = r#"
[[common.role]]
menu = "Roles > New"
set = [{ setting = "Role name", value = "e.g. {role}", why = "Its own role." }]

[[common.role]]
slot = "own"

[[common.agent]]
menu = "Agents > New"
set = [
  { setting = "Username", value = "e.g. {agent}" },
  { setting = "Work hours", value = "Default" },
]

[[common.application]]
menu = "Applications > New"
set = [{ setting = "Application Name", value = "{application} ({role})" }]

[[common.application]]
slot = "scopes"
menu = "Applications > Permissions"
value = "Ticked"

[[common.application]]
slot = "own"

[[common.application]]
menu = "Applications > Permissions"
set = [{ setting = "All", value = "Not ticked" }]
"#;

    const PRESET: &str = r#"
[[preset]]
name = "x"
title = "T"
summary = "S"
scopes = ["read:tickets", "edit:tickets"]
names = { role = "API X", agent = "api-x", application = "X" }
"#;

    /// Each list as "menu | setting: value (why)" lines.
    fn lists(text: &str) -> [Vec<String>; 3] {
        let p = read(text).expect("the file builds").remove(0);
        [p.role, p.agent, p.application].map(|l| {
            l.iter()
                .map(|s| format!("{} | {}", s.menu, s.line()))
                .collect()
        })
    }

    #[test]
    fn common_pages_take_the_names_the_scopes_and_the_own_pages_in_their_places() {
        let text = format!(
            r#"{COMMON}{PRESET}
[[preset.role]]
menu = "Roles > Permissions"
set = [{{ setting = "Tickets", value = "Read" }}]

[[preset.agent]]
menu = "Agents > New"
replace = "Work hours"
set = [{{ setting = "Work hours", value = "24 hours", why = "Always on." }}]

[[preset.agent]]
menu = "Agents > New"
after = "Username"
set = [{{ setting = "Email", value = "a@b" }}, {{ setting = "Phone", value = "1" }}]

[[preset.application]]
menu = "Applications > Permissions"
replace = "edit:tickets"
set = [{{ setting = "edit:tickets", value = "Ticked", why = "Writes back." }}]

[[preset.application]]
menu = "Applications > Permissions"
set = [{{ setting = "Extra", value = "Ticked" }}]
"#
        );
        let [role, agent, application] = lists(&text);
        assert_eq!(
            role,
            [
                "Roles > New | Role name: e.g. API X (Its own role.)",
                "Roles > Permissions | Tickets: Read",
            ]
        );
        assert_eq!(
            agent,
            [
                "Agents > New | Username: e.g. api-x",
                "Agents > New | Email: a@b",
                "Agents > New | Phone: 1",
                "Agents > New | Work hours: 24 hours (Always on.)",
            ]
        );
        assert_eq!(
            application,
            [
                "Applications > New | Application Name: X (API X)",
                "Applications > Permissions | read:tickets: Ticked",
                "Applications > Permissions | edit:tickets: Ticked (Writes back.)",
                "Applications > Permissions | Extra: Ticked",
                "Applications > Permissions | All: Not ticked",
            ]
        );
    }

    #[test]
    fn a_list_without_common_pages_is_the_presets_own_pages_as_written() {
        let text = format!(
            r#"{PRESET}
[[preset.role]]
menu = "Roles > New"
setting = "Role name"
value = "e.g. {{role}}"

[[preset.role]]
menu = "Roles > Permissions"
set = [{{ setting = "Tickets", value = "Read" }}]
"#
        );
        let [role, agent, application] = lists(&text);
        assert_eq!(
            role,
            [
                "Roles > New | Role name: e.g. {role}",
                "Roles > Permissions | Tickets: Read",
            ]
        );
        assert!(agent.is_empty() && application.is_empty());
    }

    /// A user's preset file in the shape `presets show NAME --json` prints, as TOML, reads back
    /// as the very presets it was written from.
    #[test]
    fn the_shape_presets_show_prints_reads_back_the_same() {
        #[derive(serde::Serialize)]
        struct Written<'a> {
            preset: &'a [Preset],
        }
        let text = toml::to_string(&Written {
            preset: super::super::all(),
        })
        .expect("the presets serialize");
        assert!(!text.contains("[[common"));
        assert_eq!(read(&text).expect("the file reads"), super::super::all());
    }

    #[test]
    fn a_common_value_needs_the_name_it_uses() {
        let text = format!("{COMMON}{}", PRESET.replace("agent = \"api-x\", ", ""));
        let err = read(&text).unwrap_err();
        assert_eq!(
            err,
            PresetError::MissingName {
                preset: "x".into(),
                key: "agent"
            }
        );
        assert!(err.to_string().contains("names.agent"), "{err}");
    }

    #[test]
    fn own_pages_need_a_slot_in_the_common_list() {
        let text = format!(
            "{COMMON}{PRESET}\n[[preset.agent]]\nmenu = \"Agents > Teams\"\nset = [{{ setting = \"Teams\", value = \"All\" }}]\n"
        );
        let err = read(&text).unwrap_err();
        assert_eq!(
            err,
            PresetError::NoOwnSlot {
                preset: "x".into(),
                section: "agent"
            }
        );
        assert!(err.to_string().contains("slot = \"own\""), "{err}");
    }

    #[test]
    fn a_placed_page_needs_exactly_one_step_to_go_by() {
        for (menu, setting, found) in [
            ("Agents > New", "Email", 0),
            ("Agents > Edit", "Username", 0),
            ("Agents > New", "Username", 2),
        ] {
            let text = format!(
                "{}{PRESET}\n[[preset.agent]]\nmenu = \"{menu}\"\nreplace = \"{setting}\"\nset = [{{ setting = \"S\", value = \"V\" }}]\n",
                COMMON.replace(
                    "{ setting = \"Work hours\", value = \"Default\" },",
                    if found == 2 { "{ setting = \"Username\", value = \"again\" }," } else { "" },
                )
            );
            let err = read(&text).unwrap_err();
            assert_eq!(
                err,
                PresetError::Anchor {
                    preset: "x".into(),
                    section: "agent",
                    how: "replaces",
                    setting: setting.into(),
                    menu: menu.into(),
                    found,
                },
                "{menu} {setting}"
            );
            assert!(err.to_string().contains("exactly one"), "{err}");
        }
    }
}
