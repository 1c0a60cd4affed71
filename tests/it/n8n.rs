//! A real client as the judge: n8n's published HaloPSA credential and node code (the
//! `n8n-nodes-base` release pinned in tests/node/n8n-version.txt, unpacked by .ci/run without its
//! dependencies) runs against the sandbox through tests/node/n8n_halopsa.js, a shim giving it only
//! what n8n's runtime would (`this.helpers.request`, `getCredentials`, `n8n-workflow`'s errors).
//! The values are the ones `handoff --for n8n --json` says to type, by n8n's own labels: with them
//! n8n's credential test gets a token and its first lists load. The same values with the final "/"
//! on the Authorisation Server, or with On-Premise Solution chosen, fail in n8n as the hand-off
//! warns. Where node or the package is absent the test says so and passes, except under CI (`CI`
//! set, or `HALO_TEST_N8N=1`), where it must run.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::common::*;
use halo_connect::sandbox::Scenario;

const VERSION_FILE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/node/n8n-version.txt"
));
const SHIM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/node/n8n_halopsa.js");

/// n8n's lists the sandbox cannot serve until issue 20 is merged (it adds `/TicketType` and the
/// sites' `clientsite_name`): attempted and reported, not yet required. Empty it after the merge.
const PENDING_SANDBOX: &[&str] = &["getHaloPSASites", "getHaloPSATicketsTypes"];

/// The pinned package, e.g. "n8n-nodes-base@2.41.2".
fn pinned() -> &'static str {
    VERSION_FILE
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .expect("tests/node/n8n-version.txt pins n8n-nodes-base")
}

fn must_run() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty())
        || std::env::var("HALO_TEST_N8N").is_ok_and(|v| v == "1")
}

/// The unpacked `dist` directory, or why there is none.
fn dist() -> Result<PathBuf, String> {
    Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("node cannot be run ({e})"))?;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/n8n")
        .join(pinned())
        .join("package");
    let pkg = std::fs::read_to_string(dir.join("package.json"))
        .map_err(|_| format!("{} is not unpacked in {}", pinned(), dir.display()))?;
    let version = pinned().rsplit('@').next().unwrap();
    let v: Value = serde_json::from_str(&pkg).map_err(|e| e.to_string())?;
    if v["version"] != version {
        return Err(format!(
            "{} holds n8n-nodes-base {}, the test pins {version}",
            dir.display(),
            v["version"]
        ));
    }
    Ok(dir.join("dist"))
}

/// Runs the shim with the typed fields; returns each step's line by its name.
fn run_n8n(dist: &PathBuf, fields: &Value) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(SHIM)
        .arg(dist)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node");
    let input = json!({"fields": fields, "secret": CANARY}).to_string();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !stdout.contains(CANARY) && !stderr.contains(CANARY),
        "the secret was printed"
    );
    assert!(out.status.success(), "the shim failed:\n{stdout}\n{stderr}");
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn step<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["step"] == name)
        .unwrap_or_else(|| panic!("no step {name}: {lines:?}"))
}

#[test]
fn n8n_s_own_code_gets_a_token_and_loads_its_lists_with_the_handed_off_values() {
    let dist = match dist() {
        Ok(d) => d,
        Err(why) if !must_run() => {
            eprintln!(
                "SKIPPED: {why}; run .ci/run (it unpacks {}) or see tests/node/n8n-version.txt \
                 (this test must run under CI or with HALO_TEST_N8N=1)",
                pinned()
            );
            return;
        }
        Err(why) => panic!("{why}: run .ci/run, which unpacks {}", pinned()),
    };
    // n8n asks for admin edit:tickets edit:customers; its documentation has the application tick All.
    let sb = sandbox(Scenario::AllPermission);
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "acme".into(), "--skip-test".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    let handoff = env.run(&["handoff", "acme", "--for", "n8n", "--json"], &[], None);
    handoff.code(0);
    let fields: Vec<Value> = handoff.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!({"label": f["label"], "value": f["value"]}))
        .collect();
    let typed = Value::Array(fields.clone());

    let lines = run_n8n(&dist, &typed);
    let test = step(&lines, "credentialTest");
    assert_eq!(test["ok"], true, "n8n's credential test: {test}");
    let clients = step(&lines, "getHaloPSAClients");
    assert_eq!(clients["ok"], true, "{clients}");
    assert_eq!(clients["count"], 12);
    let agents = step(&lines, "getHaloPSAAgents");
    assert_eq!(agents["ok"], true, "{agents}");
    for name in ["getHaloPSASites", "getHaloPSATicketsTypes"] {
        let s = step(&lines, name);
        if PENDING_SANDBOX.contains(&name) {
            eprintln!("PENDING (issue 20): n8n {name}: {s}");
        } else {
            assert_eq!(s["ok"], true, "{s}");
        }
    }

    // Typed with the final "/", n8n posts to /auth//token: the hand-off says why not.
    let mut with_slash = fields.clone();
    for f in &mut with_slash {
        if f["label"] == "HaloPSA Authorisation Server URL" {
            f["value"] = json!(format!("{}/", f["value"].as_str().unwrap()));
        }
    }
    let lines = run_n8n(&dist, &Value::Array(with_slash));
    let test = step(&lines, "credentialTest");
    assert_eq!(test["ok"], false, "{test}");
    assert!(
        test["message"].as_str().unwrap().starts_with("404"),
        "{test}"
    );

    // On-Premise Solution hides the Tenant, and n8n sends tenant=undefined.
    let mut on_prem = fields;
    for f in &mut on_prem {
        if f["label"] == "Hosting Type" {
            f["value"] = json!("On-Premise Solution");
        }
    }
    let lines = run_n8n(&dist, &Value::Array(on_prem));
    assert_eq!(step(&lines, "credentialTest")["ok"], false);
}
