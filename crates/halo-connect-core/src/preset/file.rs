//! The preset file's shape, as serde reads it: pages of steps, the `[[common.*]]` pages every
//! preset shares with their slots, and each preset's own pages with where they go. It refuses a
//! page whose keys do not fit together; filling the common pages in is `build.rs`'s job, checking
//! scopes and names `preset.rs`'s. It does no I/O.

use serde::Deserialize;

use super::{ReadinessCheck, Step};

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    #[serde(default)]
    pub(super) common: Common,
    pub(super) preset: Vec<RawPreset>,
}

/// The pages every preset's Role, Agent and Application lists start from.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Common {
    #[serde(default)]
    pub(super) role: Vec<CommonPage>,
    #[serde(default)]
    pub(super) agent: Vec<CommonPage>,
    #[serde(default)]
    pub(super) application: Vec<CommonPage>,
}

/// A preset as written: its own pages, and the names its common steps take.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPreset {
    pub(super) name: String,
    pub(super) title: String,
    pub(super) summary: String,
    pub(super) scopes: Vec<String>,
    #[serde(default)]
    pub(super) readiness: Vec<ReadinessCheck>,
    #[serde(default)]
    pub(super) handoff: crate::handoff::Asks,
    /// The integration profile whose form it feeds (presets/integrations.toml).
    #[serde(default)]
    pub(super) integration: Option<String>,
    #[serde(default)]
    pub(super) names: Names,
    #[serde(default)]
    pub(super) notes: Vec<String>,
    #[serde(default)]
    pub(super) role: Vec<OwnPage>,
    #[serde(default)]
    pub(super) agent: Vec<OwnPage>,
    #[serde(default)]
    pub(super) application: Vec<OwnPage>,
}

/// What `{role}`, `{agent}` and `{application}` stand for in a common value.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Names {
    pub(super) role: Option<String>,
    pub(super) agent: Option<String>,
    pub(super) application: Option<String>,
}

/// One entry of a list, with every key any kind of entry may have; `CommonPage` and `OwnPage`
/// say which combinations they accept.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    menu: Option<String>,
    setting: Option<String>,
    value: Option<String>,
    why: Option<String>,
    set: Option<Vec<Setting>>,
    slot: Option<Slot>,
    replace: Option<String>,
    after: Option<String>,
}

/// One setting of a page's `set`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Setting {
    setting: String,
    value: String,
    why: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Slot {
    Own,
    Scopes,
}

/// A common entry: steps, or a slot each preset fills.
#[derive(Deserialize)]
#[serde(try_from = "Entry")]
pub(super) enum CommonPage {
    Steps(Vec<Step>),
    /// The preset's own pages of this list that name no place.
    Own,
    /// One step per scope of the preset: the scope set to `value` on `menu`.
    Scopes {
        menu: String,
        value: String,
    },
}

/// A preset's own page and where its steps go.
#[derive(Deserialize)]
#[serde(try_from = "Entry")]
pub(super) struct OwnPage {
    pub(super) menu: String,
    pub(super) place: Place,
    pub(super) steps: Vec<Step>,
}

pub(super) enum Place {
    /// At the common list's `slot = "own"`.
    Own,
    /// Instead of the step of this setting on the same menu.
    Replace(String),
    /// Right after the step of this setting on the same menu.
    After(String),
}

impl TryFrom<Entry> for CommonPage {
    type Error = String;

    fn try_from(e: Entry) -> Result<Self, String> {
        if e.replace.is_some() || e.after.is_some() {
            return Err(
                "`replace` and `after` belong on a preset's own pages, not on the common ones"
                    .into(),
            );
        }
        match e.slot {
            None => page_steps(e).map(|(_, steps)| CommonPage::Steps(steps)),
            Some(Slot::Own) => match e {
                Entry {
                    menu: None,
                    setting: None,
                    value: None,
                    why: None,
                    set: None,
                    ..
                } => Ok(CommonPage::Own),
                _ => Err("slot = \"own\" takes no other key: the preset's own pages bring their menus and steps".into()),
            },
            Some(Slot::Scopes) => match e {
                Entry {
                    menu: Some(menu),
                    value: Some(value),
                    setting: None,
                    why: None,
                    set: None,
                    ..
                } => Ok(CommonPage::Scopes { menu, value }),
                _ => Err("slot = \"scopes\" takes a `menu` and a `value` only: each scope becomes the setting".into()),
            },
        }
    }
}

impl TryFrom<Entry> for OwnPage {
    type Error = String;

    fn try_from(mut e: Entry) -> Result<Self, String> {
        if e.slot.is_some() {
            return Err(
                "`slot` belongs on the common pages; a preset's page gives its steps".into(),
            );
        }
        let place = match (e.replace.take(), e.after.take()) {
            (None, None) => Place::Own,
            (Some(s), None) => Place::Replace(s),
            (None, Some(s)) => Place::After(s),
            (Some(_), Some(_)) => {
                return Err("a page either replaces a step or comes after one, not both".into())
            }
        };
        let (menu, steps) = page_steps(e)?;
        Ok(OwnPage { menu, place, steps })
    }
}

/// The steps of a page: a `menu` with a `set` of settings, or with one `setting` and `value` (the
/// shape `presets show NAME --json` prints).
fn page_steps(e: Entry) -> Result<(String, Vec<Step>), String> {
    let Some(menu) = e.menu else {
        return Err(
            "a page needs its `menu`, the Halo menu path where its settings are made".into(),
        );
    };
    let settings = match (e.set, e.setting, e.value) {
        (Some(set), None, None) if e.why.is_none() && !set.is_empty() => set,
        (None, Some(setting), Some(value)) => vec![Setting {
            setting,
            value,
            why: e.why,
        }],
        _ => {
            return Err(format!(
                "the page for {menu:?} needs either `set = [...]` with at least one setting, or one `setting` and `value` (and, if you like, `why`)"
            ))
        }
    };
    let steps = settings
        .into_iter()
        .map(|s| Step {
            menu: menu.clone(),
            setting: s.setting,
            value: s.value,
            why: s.why,
        })
        .collect();
    Ok((menu, steps))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRESET: &str =
        "[[preset]]\nname = \"x\"\ntitle = \"T\"\nsummary = \"S\"\nscopes = [\"read:tickets\"]\n";
    const SET: &str = "set = [{ setting = \"A\", value = \"B\" }]";

    fn refusal(text: &str) -> String {
        match toml::from_str::<File>(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn refuses_a_common_page_whose_keys_do_not_fit() {
        for (page, why) in [
            (
                format!("menu = \"M\"\nreplace = \"A\"\n{SET}"),
                "belong on a preset's own pages",
            ),
            (
                "slot = \"own\"\nmenu = \"M\"".into(),
                "slot = \"own\" takes no other key",
            ),
            (
                "slot = \"scopes\"\nmenu = \"M\"".into(),
                "takes a `menu` and a `value` only",
            ),
            (
                "slot = \"scopes\"\nmenu = \"M\"\nvalue = \"V\"\nwhy = \"W\"".into(),
                "takes a `menu` and a `value` only",
            ),
            ("slot = \"mine\"".into(), "`own`"),
            (SET.into(), "needs its `menu`"),
        ] {
            let text = format!("[[common.role]]\n{page}\n\n{PRESET}");
            let err = refusal(&text);
            assert!(err.contains(why), "{page}: {err}");
            assert!(err.contains("at line "), "{page}: {err}");
        }
    }

    #[test]
    fn refuses_a_preset_page_whose_keys_do_not_fit() {
        for (page, why) in [
            (
                "slot = \"own\"".into(),
                "`slot` belongs on the common pages",
            ),
            (
                format!("menu = \"M\"\nreplace = \"A\"\nafter = \"A\"\n{SET}"),
                "not both",
            ),
            (
                format!("menu = \"M\"\nsetting = \"A\"\nvalue = \"B\"\n{SET}"),
                "needs either",
            ),
            (format!("menu = \"M\"\nwhy = \"W\"\n{SET}"), "needs either"),
            ("menu = \"M\"\nset = []".into(), "needs either"),
            ("menu = \"M\"\nsetting = \"A\"".into(), "needs either"),
            (format!("menus = \"M\"\n{SET}"), "menus"),
            ("menu = \"M\"\nset = [{ setting = \"A\" }]".into(), "value"),
        ] {
            let text = format!("{PRESET}\n[[preset.agent]]\n{page}\n");
            let err = refusal(&text);
            assert!(err.contains(why), "{page}: {err}");
            assert!(err.contains("at line "), "{page}: {err}");
        }
    }

    #[test]
    fn reads_both_step_shapes_and_where_a_page_goes() {
        let text = format!(
            "{PRESET}
[[preset.role]]
menu = \"M\"
setting = \"A\"
value = \"B\"
why = \"W\"

[[preset.role]]
menu = \"N\"
after = \"A\"
set = [{{ setting = \"C\", value = \"D\" }}, {{ setting = \"E\", value = \"F\", why = \"G\" }}]
"
        );
        let file: File = toml::from_str(&text).expect("both shapes read");
        let role = &file.preset[0].role;
        assert_eq!(role.len(), 2);
        assert!(matches!(role[0].place, Place::Own));
        assert!(matches!(&role[1].place, Place::After(s) if s == "A"));
        let line = |p: &OwnPage| {
            p.steps
                .iter()
                .map(|s| format!("{} {}", s.menu, s.line()))
                .collect::<Vec<_>>()
        };
        assert_eq!(line(&role[0]), ["M A: B (W)"]);
        assert_eq!(line(&role[1]), ["N C: D", "N E: F (G)"]);
    }
}
