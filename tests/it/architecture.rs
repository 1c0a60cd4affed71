//! The layering of ARCHITECTURE.md, checked by reading the source: a forbidden import fails here
//! before it becomes a habit.

use std::path::{Path, PathBuf};

fn files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir)];
    while let Some(d) = stack.pop() {
        if d.is_file() {
            out.push(d);
            continue;
        }
        for e in std::fs::read_dir(&d).unwrap() {
            stack.push(e.unwrap().path());
        }
    }
    out
}

/// The code lines of a file before its test module, without comments.
fn code(path: &Path) -> Vec<(usize, String)> {
    // A `tests.rs` is a `#[cfg(test)] mod tests;` of its parent: test code, not shipped code.
    if path.file_name().is_some_and(|n| n == "tests.rs") {
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

fn forbid(dir: &str, words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files(dir) {
        for (n, line) in code(&f) {
            for w in words {
                if line.contains(w) {
                    found.push(format!("{}:{n}: {w}", f.display()));
                }
            }
        }
    }
    found
}

#[test]
fn the_domain_does_no_io_and_depends_on_nothing_above_it() {
    let bad = forbid(
        "domain",
        &[
            "reqwest::",
            "tokio::",
            "dialoguer::",
            "keyring::",
            "std::fs",
            "std::env",
            "std::net",
            "crate::halo",
            "crate::store",
            "crate::ui",
            "crate::wizard",
            "crate::commands",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_wizard_asks_only_through_its_ports() {
    let bad = forbid(
        "wizard",
        &[
            "dialoguer::",
            "reqwest::",
            "crate::halo",
            "crate::store",
            "crate::ui",
            "crate::commands",
            "std::env",
            "println!",
            "eprintln!",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn halo_and_store_never_import_each_other() {
    let bad_halo = forbid(
        "halo",
        &[
            "crate::store",
            "crate::wizard",
            "crate::ui",
            "crate::commands",
            "std::env",
            "println!",
            "eprintln!",
        ],
    );
    let bad_store = forbid(
        "store",
        &[
            "crate::halo",
            "crate::wizard",
            "crate::ui",
            "crate::commands",
            "reqwest::",
            "std::env",
            "println!",
            "eprintln!",
        ],
    );
    assert!(bad_halo.is_empty(), "{bad_halo:#?}");
    assert!(bad_store.is_empty(), "{bad_store:#?}");
}

#[test]
fn only_the_prompter_imports_dialoguer() {
    let mut bad = Vec::new();
    for f in files("") {
        if f.ends_with("ui/prompter.rs") {
            continue;
        }
        for (n, line) in code(&f) {
            if line.contains("dialoguer::") || line.contains("use dialoguer") {
                bad.push(format!("{}:{n}", f.display()));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn only_the_start_reads_the_process_environment() {
    let mut bad = Vec::new();
    for f in files("") {
        for (n, line) in code(&f) {
            if (line.contains("std::env::var") || line.contains("env::vars"))
                && !f.ends_with("commands/mod.rs")
            {
                bad.push(format!("{}:{n}", f.display()));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn there_is_no_grab_bag_module() {
    for f in files("") {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !["utils.rs", "helpers.rs", "misc.rs"].contains(&name.as_str()),
            "{}",
            f.display()
        );
    }
}

#[test]
fn the_sandbox_keeps_its_own_model_of_halo() {
    // The emulator is what the client is tested against: if it borrowed the client's scope list,
    // probes or catalogue, a wrong table would pass by construction.
    let bad = forbid(
        "sandbox",
        &[
            "domain::scope",
            "domain::catalogue",
            "domain::preset",
            "crate::halo",
            "crate::commands",
            "crate::wizard",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
    let scanned = files("sandbox");
    assert!(
        scanned.iter().any(|f| f.ends_with("halo_model.toml")),
        "the sandbox's model of Halo is its own data file"
    );
}
