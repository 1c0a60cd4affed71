//! docs/troubleshooting.md, written from the catalogue: a table of every cause, then each cause in
//! full. Text only; a test keeps the file in the repo equal to this.

use super::{Emulation, CATALOGUE};

/// The troubleshooting document, generated from the catalogue.
pub fn troubleshooting_markdown() -> String {
    let mut out = vec![
        "# Troubleshooting a HaloPSA connection".to_string(),
        String::new(),
        "Generated from `crates/halo-connect-core/src/catalogue/causes.rs` (a test keeps the two equal). Each entry is a failure".to_string(),
        "`halo-connect test` names, with the `error.code` it prints in `--json`, the exit code, and the".to_string(),
        "checklist step to revisit. Placeholders in a fix (`{scope}`, `{agent}`, `{setting}`, `{host}`, `{front}`, `{server}`) are".to_string(),
        "filled in with your values.".to_string(),
        String::new(),
        "| code | failure | exit | step | reproduced by the sandbox |".to_string(),
        "| --- | --- | --- | --- | --- |".to_string(),
    ];
    for e in CATALOGUE {
        out.push(format!(
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            e.code,
            e.code,
            e.title,
            e.kind.exit_code(),
            e.step,
            emulation_short(e.emulation)
        ));
    }
    for e in CATALOGUE {
        out.push(String::new());
        out.push(format!("## {}", e.code));
        out.push(String::new());
        out.push(format!(
            "**{}** (exit {}, `error.kind` `{}`, checklist step: {})",
            e.title,
            e.kind.exit_code(),
            e.kind.as_str(),
            e.step
        ));
        out.push(String::new());
        out.push(format!("- Symptom: {}", e.symptom));
        out.push(format!("- Recognised by: {}", e.recognised_by));
        out.push(format!("- Cause: {}", e.cause));
        out.push(format!("- Fix: {}", e.fix));
        out.push(format!("- Reproduce: {}", emulation_long(e.emulation)));
    }
    out.push(String::new());
    out.join("\n")
}

fn emulation_short(e: Emulation) -> String {
    match e {
        Emulation::Scenario { scenario, .. } => format!("`--scenario {scenario}`"),
        Emulation::WrongValue { var, .. } => format!("healthy, wrong `{var}`"),
        Emulation::Tls { mode, .. } => format!("`--tls {mode}`"),
        Emulation::Evidence(_) => "no (from real reports)".to_string(),
    }
}

fn emulation_long(e: Emulation) -> String {
    match e {
        Emulation::Scenario { scenario, preset } => {
            format!("`halo-connect test --sandbox --scenario {scenario} --preset {preset}`.")
        }
        Emulation::WrongValue { var, value } => {
            format!("a healthy sandbox with `{var}={value}` (`{{base}}` is the sandbox's address, `{{https_base}}` the same with https://), via `test --from-env`.")
        }
        Emulation::Tls { mode, trust_ca } => format!(
            "`halo-connect sandbox --tls {mode}`, then `test --from-env`{}.",
            if trust_ca {
                " with `--ca-cert` set to the sandbox's CA"
            } else {
                " without `--ca-cert`"
            }
        ),
        Emulation::Evidence(why) => format!("not emulated. Evidence: {why}."),
    }
}
