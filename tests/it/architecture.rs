//! The layering of ARCHITECTURE.md. The walls between layers are crate boundaries, so a forbidden
//! import fails to compile; this file pins the crate graph those walls rest on (a new dependency
//! line would quietly open one) and checks the few rules the compiler cannot see.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What `cargo ARGS` prints in this workspace; it must succeed.
fn cargo(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Each workspace crate → the workspace crates it depends on (normal dependencies only).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let out = cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]);
    let meta: serde_json::Value = serde_json::from_str(&out).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let ours: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|n| ours.contains(n))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

/// The arrows ARCHITECTURE.md draws, and no others.
#[test]
fn the_crate_graph_is_the_layering() {
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let expected: BTreeMap<String, BTreeSet<String>> = [
        ("halo-connect-core", set(&[])),
        ("halo-connect-halo", set(&["halo-connect-core"])),
        ("halo-connect-store", set(&["halo-connect-core"])),
        ("halo-connect-wizard", set(&["halo-connect-core"])),
        // The emulator keeps its own model of Halo: if it borrowed the client's scope list,
        // probes or catalogue, a wrong table would pass by construction.
        ("halo-sandbox", set(&[])),
        (
            "halo-connect",
            set(&[
                "halo-connect-core",
                "halo-connect-halo",
                "halo-connect-store",
                "halo-connect-wizard",
                "halo-sandbox",
            ]),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(graph(), expected);
}

/// The crates `halo-connect` builds from with the given feature flags (normal dependencies).
fn built_from(features: &[&str]) -> BTreeSet<String> {
    let mut args = vec![
        "tree",
        "-p",
        "halo-connect",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--offline",
    ];
    args.extend(features);
    cargo(&args)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// The emulator's server is the default `sandbox` feature: a build without it leaves the HTTP
/// server and the certificate maker out, and a default build has them (so the check can fail).
#[test]
fn the_sandbox_server_is_a_default_feature() {
    let server = ["axum", "axum-server", "rcgen"];
    let default = built_from(&[]);
    let without = built_from(&["--no-default-features"]);
    for name in server {
        assert!(
            default.contains(name),
            "{name} missing from a default build"
        );
        assert!(
            !without.contains(name),
            "{name} is built without the sandbox feature"
        );
    }
    assert!(without.contains("halo-sandbox"), "scenarios stay available");
}

/// The domain crate may not reach the network, a terminal or a keyring: none is in its
/// dependencies, which this pins.
#[test]
fn the_domain_has_no_io_dependencies() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/halo-connect-core/Cargo.toml"),
    )
    .unwrap();
    let table: toml::Table = manifest.parse().unwrap();
    let deps: BTreeSet<&str> = table["dependencies"]
        .as_table()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // base64: `Secret::scrub` looks for base64 echoes of a secret (pure encoding, no I/O).
    // schemars: the JSON Schema of the report's types, derived beside their `Serialize` (no I/O).
    let allowed: BTreeSet<&str> = [
        "serde",
        "serde_json",
        "toml",
        "url",
        "thiserror",
        "zeroize",
        "base64",
        "schemars",
    ]
    .into();
    assert!(deps.is_subset(&allowed), "{deps:?}");
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code lines of a file before its test module, without comments.
fn code(path: &Path) -> Vec<(usize, String)> {
    if path.file_name().is_some_and(|n| n == "tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
    {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let body = text.split("#[cfg(test)]").next().unwrap_or_default();
    body.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

fn shipped(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    rs_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    out
}

fn lines_with(files: &[PathBuf], words: &[&str], except: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        if except.iter().any(|e| f.ends_with(e)) {
            continue;
        }
        for (n, line) in code(f) {
            if words.iter().any(|w| line.contains(w)) {
                found.push(format!("{}:{n}: {}", f.display(), line.trim()));
            }
        }
    }
    found
}

/// std is open to every crate, so the domain's "no I/O" is checked here.
#[test]
fn the_domain_does_no_io() {
    let bad = lines_with(
        &shipped("crates/halo-connect-core/src"),
        &[
            "std::fs",
            "std::env",
            "std::net",
            "std::process",
            "println!",
            "eprintln!",
        ],
        &[],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn only_the_start_reads_the_process_environment() {
    let mut files = shipped("src");
    files.extend(shipped("crates"));
    let bad = lines_with(
        &files,
        &["std::env::var", "env::vars"],
        &["commands/mod.rs"],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

/// dialoguer is a dependency of the CLI crate only (the wizard cannot name it); inside the CLI,
/// one file holds it.
#[test]
fn only_the_prompter_imports_dialoguer() {
    let bad = lines_with(
        &shipped("src"),
        &["dialoguer::", "use dialoguer"],
        &["ui/prompter.rs"],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}
