//! The test suite's own shape: at most two test binaries, and no `.rs` file under `tests/` that no
//! binary's module tree reaches (a file nobody `mod`s compiles nowhere and silently tests nothing).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The test binaries cargo builds from `tests/`: each `tests/*.rs` and `tests/*/main.rs`.
fn binaries() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(tests_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() && p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        } else if p.join("main.rs").is_file() {
            out.push(p.join("main.rs"));
        }
    }
    out.sort();
    out
}

fn all_rs(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.insert(p);
        }
    }
}

/// The files `file` declares with `mod …;`, resolved as rustc does: a `#[path]` relative to the
/// file's directory; otherwise the module's own file, or its folder's `mod.rs`, beside a
/// `main.rs`/`mod.rs`, and under a directory named after any other file.
fn children(file: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(file).unwrap();
    let dir = file.parent().unwrap();
    let stem = file.file_stem().unwrap().to_string_lossy();
    let base = if stem == "main" || stem == "mod" {
        dir.to_path_buf()
    } else {
        dir.join(&*stem)
    };
    let mut path_attr: Option<String> = None;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[path = \"") {
            path_attr = rest.strip_suffix("\"]").map(str::to_string);
            continue;
        }
        let decl = line.strip_prefix("pub ").unwrap_or(line);
        if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            out.push(match path_attr.take() {
                Some(p) => dir.join(p),
                None if base.join(format!("{name}.rs")).is_file() => {
                    base.join(format!("{name}.rs"))
                }
                None => base.join(name).join("mod.rs"),
            });
        } else if !line.starts_with("#[") && !line.starts_with("///") {
            path_attr = None;
        }
    }
    out
}

#[test]
fn at_most_two_test_binaries() {
    let bins = binaries();
    assert!(bins.len() <= 2, "{bins:#?}");
    assert!(bins.iter().any(|b| b.ends_with("it/main.rs")), "{bins:#?}");
}

#[test]
fn no_test_file_is_forgotten() {
    let mut reached = BTreeSet::new();
    let mut stack = binaries();
    while let Some(f) = stack.pop() {
        let f = f.canonicalize().unwrap_or(f);
        if reached.insert(f.clone()) && f.is_file() {
            stack.extend(children(&f));
        }
    }
    let mut all = BTreeSet::new();
    all_rs(&tests_dir(), &mut all);
    let all: BTreeSet<PathBuf> = all.into_iter().map(|p| p.canonicalize().unwrap()).collect();
    let forgotten: Vec<_> = all.difference(&reached).collect();
    assert!(
        forgotten.is_empty(),
        "not in any test binary's module tree (add a `mod` line): {forgotten:#?}"
    );
    // The walk found the tree (a broken walk would reach only the binaries).
    assert!(reached.len() > 10, "{reached:#?}");
    let missing: Vec<_> = reached.iter().filter(|p| !p.is_file()).collect();
    assert!(missing.is_empty(), "declared but absent: {missing:#?}");
}

/// Each published crate builds on its own: every file its source embeds (`include_str!`) is in
/// its `cargo package --list`, and no test data is.
#[test]
fn each_package_holds_what_its_source_embeds_and_no_test_data() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut embedded_total = 0;
    for (name, dir) in [
        ("halo-connect", "."),
        ("halo-connect-core", "crates/halo-connect-core"),
        ("halo-connect-halo", "crates/halo-connect-halo"),
        ("halo-connect-store", "crates/halo-connect-store"),
        ("halo-connect-wizard", "crates/halo-connect-wizard"),
        ("halo-sandbox", "crates/halo-sandbox"),
    ] {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "package",
                "--list",
                "--allow-dirty",
                "--offline",
                "-p",
                name,
            ])
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed = String::from_utf8_lossy(&out.stdout).to_string();
        let files: Vec<&str> = listed.lines().collect();
        assert!(
            files.iter().all(|f| !f.starts_with("tests/")),
            "{name}: {listed}"
        );
        let base = root.join(dir).canonicalize().unwrap();
        let mut stack = vec![base.join("src")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for (i, _) in text.match_indices("include_str!(\"") {
                    let rest = &text[i + "include_str!(\"".len()..];
                    let file = &rest[..rest.find('"').unwrap()];
                    let full = p.parent().unwrap().join(file).canonicalize().unwrap();
                    let rel = full
                        .strip_prefix(&base)
                        .unwrap_or_else(|_| panic!("{name} embeds {file} from outside its crate"))
                        .to_string_lossy()
                        .replace('\\', "/");
                    assert!(
                        files.contains(&rel.as_str()),
                        "{name}: {rel} is embedded but not packaged:\n{listed}"
                    );
                    embedded_total += 1;
                }
            }
        }
    }
    assert!(embedded_total >= 2, "{embedded_total}");
}
