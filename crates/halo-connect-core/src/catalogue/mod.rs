//! The catalogue of ways a HaloPSA connection fails. Each cause is a `const` (`causes.rs`): the
//! symptom, how halo-connect recognises it, the cause, the fix in Halo's menu words, its `Kind`
//! (hence its exit code), the checklist step it points back to, and how the sandbox reproduces it.
//! Every hint the tool prints is built here (`Cause::diagnose`), and docs/troubleshooting.md is
//! generated from it (`markdown.rs`). Pure data: no I/O, and no cause is ever looked up by its
//! string code at run time.

/// Declares each cause as a `const` and `CATALOGUE` as the slice of all of them, in one place,
/// so a cause cannot be declared and forgotten.
macro_rules! catalogue {
    ($( $name:ident = $code:literal, $kind:ident, $step:literal, $title:literal,
        symptom: $symptom:expr, recognised: $rec:expr, cause: $cause:expr, fix: $fix:expr,
        emulation: $emu:expr $(, printed_as: $printed:ident)? ; )*) => {
        $(
            pub const $name: Cause = Cause {
                code: $code,
                title: $title,
                symptom: $symptom,
                recognised_by: $rec,
                cause: $cause,
                fix: $fix,
                kind: Kind::$kind,
                step: $step,
                emulation: $emu,
                printed_as: catalogue!(@printed $($printed)?),
            };
        )*
        /// Every cause, in the order docs/troubleshooting.md lists them.
        pub const CATALOGUE: &[&Cause] = &[$(&$name),*];
    };
    (@printed) => { None };
    (@printed $p:ident) => { Some(&$p) };
}

mod causes;
mod markdown;

pub use causes::*;
pub use markdown::troubleshooting_markdown;

use super::kind::Kind;
use super::preset::ReadinessCheck;
use super::report::Diagnosis;

/// How the sandbox reproduces a cause, if it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulation {
    /// `--scenario NAME` with the given preset.
    Scenario {
        scenario: &'static str,
        preset: &'static str,
    },
    /// A healthy sandbox given a wrong value: (environment variable, value with `{base}`).
    WrongValue {
        var: &'static str,
        value: &'static str,
    },
    /// The sandbox serving HTTPS in this mode, with its CA passed or not.
    Tls { mode: &'static str, trust_ca: bool },
    /// Not emulated: recognised from real reports (the evidence says where).
    Evidence(&'static str),
}

/// One failure the tool names.
#[derive(Debug, Clone, Copy)]
pub struct Cause {
    /// Stable identifier: `error.code` in JSON.
    pub code: &'static str,
    pub title: &'static str,
    /// What the operator sees elsewhere (a vendor's form, a log).
    pub symptom: &'static str,
    /// How halo-connect tells it apart.
    pub recognised_by: &'static str,
    pub cause: &'static str,
    /// The fix, a template: `{scope}`, `{agent}`, `{setting}`, `{host}`, `{front}` and `{server}`
    /// are filled in.
    pub fix: &'static str,
    pub kind: Kind,
    /// The checklist step (Role, Agent, Application, Values, Network) it points back to.
    pub step: &'static str,
    pub emulation: Emulation,
    /// A cause no answer of Halo's tells apart from another is reported as that one, whose fix
    /// covers both.
    pub printed_as: Option<&'static Cause>,
}

/// Causes are equal when their codes are: a `const` has no single address to compare.
impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}
impl Eq for Cause {}

impl Cause {
    /// The cause a run reports for this one (itself, or the one it cannot be told from).
    pub fn printed(&'static self) -> &'static Cause {
        self.printed_as.unwrap_or(self)
    }

    /// A diagnosis of this cause: what happened (`message`) and the fix, its placeholders filled.
    pub fn diagnose(&'static self, message: impl Into<String>, vars: &[(&str, &str)]) -> Diagnosis {
        Diagnosis::new(self, message, render(self.fix, vars))
    }
}

/// The cause a failed readiness check reports.
pub fn readiness_cause(check: ReadinessCheck) -> &'static Cause {
    match check {
        ReadinessCheck::ActiveRecurringContracts => &ACTIVE_RECURRING_CONTRACTS,
        ReadinessCheck::VisibleTeams => &VISIBLE_TEAMS,
        ReadinessCheck::VisibleAssets => &VISIBLE_ASSETS,
        ReadinessCheck::WebhookPermission => &WEBHOOK_PERMISSION,
    }
}

/// Fills a fix template; unknown placeholders stay as they are.
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_fixes_name_a_place_to_act() {
        let mut seen = std::collections::HashSet::new();
        for e in CATALOGUE {
            assert!(seen.insert(e.code), "{} twice", e.code);
            assert!(e.fix.ends_with('.'), "{}: a fix is a full sentence", e.code);
            assert!(
                !matches!(e.kind, Kind::Usage | Kind::Interrupted | Kind::Internal),
                "{}: a cause is a failure of the connection",
                e.code
            );
        }
        assert!(CATALOGUE.len() >= 35);
    }

    #[test]
    fn a_printed_cause_is_itself_printed_as_itself() {
        for e in CATALOGUE {
            let p = e.printed();
            assert_eq!(p.printed(), p, "{} prints as {}", e.code, p.code);
            assert_eq!(p.kind, e.kind, "{} and {} differ in kind", e.code, p.code);
            assert!(CATALOGUE.contains(&p));
        }
    }

    #[test]
    fn every_readiness_check_has_its_own_cause() {
        use ReadinessCheck::*;
        for check in [
            ActiveRecurringContracts,
            VisibleTeams,
            VisibleAssets,
            WebhookPermission,
        ] {
            assert_eq!(readiness_cause(check).code, check.id());
            assert_eq!(readiness_cause(check).kind, Kind::Permission);
        }
    }

    #[test]
    fn render_fills_placeholders() {
        assert_eq!(
            render("Tick {scope} now.", &[("scope", "edit:items")]),
            "Tick edit:items now."
        );
        let d = SCOPE_MISSING.diagnose("m", &[("scope", "read:kb")]);
        assert!(d.hint.contains("Tick read:kb"));
        assert_eq!(d.kind(), Kind::Permission);
        assert_eq!(d.code(), "scope-missing");
    }
}
