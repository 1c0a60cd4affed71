//! No doc or comment names a file the repository lacks: every path under a top-level folder
//! (`src/`, `docs/`, …), every `name.md` and `name.rs`, and every relative Markdown link in
//! README.md, ARCHITECTURE.md, docs/, src/, tests/, benches/ and .ci/ must exist, and nothing
//! points outside the repository. This file is not scanned: it names missing files on purpose.

use std::path::{Path, PathBuf};

/// Names that are not files of the repository: the grab-bag module names ARCHITECTURE.md and the
/// architecture test forbid, the file the README's `checklist` example writes, and files tests
/// write.
const NOT_REPO_FILES: &[&str] = &[
    "utils.rs",
    "helpers.rs",
    "misc.rs",
    "halo-setup.md",
    // Files the support bundle's tests write in a temp dir (crates/halo-connect-store/src/report_file.rs,
    // tests/it/report.rs).
    "link.md",
    "no/such/dir/r.md",
    "r.md",
    "bundle.md",
    "ci-report.md",
    "iis.md",
    "init.md",
    "summary.md",
    // A Markdown table cell in src/ui/summary.rs's tests, not a path.
    "./b",
    // The dotenv file a user sources (`set -a; . ./.env`), named in export's docs and tests.
    "./.env",
    // The release's licence notices, which scripts/third-party-licenses.sh writes into each archive.
    "THIRD-PARTY-LICENSES.md",
];

/// References in files another change is rewriting; each must go from here once it is fixed.
const PENDING: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The files whose text is checked.
fn scanned() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![
        root.join("README.md"),
        root.join("ARCHITECTURE.md"),
        root.join("Cargo.toml"),
        root.join(".ci/run"),
    ];
    for dir in ["docs", "src", "tests", "benches", "crates"] {
        walk(&root.join(dir), &mut files);
    }
    files.retain(|f| {
        let name = f.file_name().unwrap().to_string_lossy();
        !name.ends_with(".snap") && !f.ends_with("tests/it/references.rs") && f.is_file()
    });
    files
}

/// Every file of the repository, relative to its root, with `/` separators.
fn repo_files() -> Vec<String> {
    let root = root();
    let mut all = Vec::new();
    for dir in ["src", "tests", "docs", "benches", "crates", ".ci"] {
        walk(&root.join(dir), &mut all);
    }
    for f in std::fs::read_dir(&root).unwrap().flatten() {
        if f.path().is_file() {
            all.push(f.path());
        }
    }
    all.iter()
        .map(|p| {
            p.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Whether `reference`, found in `file`, names something that exists.
fn exists(reference: &str, file: &Path, repo: &[String]) -> bool {
    let root = root();
    let here = file.parent().unwrap();
    let inside = |p: PathBuf| {
        p.canonicalize()
            .is_ok_and(|c| c.starts_with(root.canonicalize().unwrap()))
    };
    const TOP: [&str; 6] = ["src/", "tests/", "docs/", "benches/", "crates/", ".ci/"];
    if NOT_REPO_FILES.contains(&reference) {
        return true;
    }
    if reference.starts_with("./") || reference.starts_with("../") {
        return inside(here.join(reference));
    }
    if TOP.iter().any(|t| reference.starts_with(t)) {
        return inside(root.join(reference));
    }
    if NOT_REPO_FILES.contains(&reference) {
        return true;
    }
    if reference.contains('/') {
        // `halo/client.rs`: the end of some file's path.
        return repo.iter().any(|f| f.ends_with(&format!("/{reference}")));
    }
    if reference.ends_with(".md") {
        return inside(here.join(reference)) || inside(root.join(reference));
    }
    // A bare `name.rs`: some module of that name.
    repo.iter()
        .any(|f| f.ends_with(&format!("/{reference}")) || f == reference)
}

/// The file references in `text`: path-like words, and the targets of Markdown links (which
/// are relative to the file, so they come back with a `./` in front).
fn references(text: &str) -> Vec<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut out = Vec::new();
    for w in text.split(|c: char| !word(c)) {
        let w = w.trim_end_matches(['.', '-']);
        let path_like = ["src/", "tests/", "docs/", "benches/", "crates/", ".ci/"]
            .iter()
            .any(|t| w.starts_with(t))
            || w.starts_with("./")
            || w.starts_with("../");
        let named = (w.ends_with(".md") || w.ends_with(".rs"))
            && !w.starts_with('/')
            && !w.starts_with('.');
        if path_like || named {
            out.push(w.to_string());
        }
    }
    for (i, _) in text.match_indices("](") {
        let target = text[i + 2..].split([')', '#', ' ']).next().unwrap_or("");
        if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
            let relative = target.starts_with("./") || target.starts_with("../");
            out.push(if relative {
                target.to_string()
            } else {
                format!("./{target}")
            });
        }
    }
    out
}

#[test]
fn no_doc_or_comment_names_a_file_the_repo_lacks() {
    let repo = repo_files();
    let root = root();
    let mut missing = Vec::new();
    let mut pending_seen = vec![false; PENDING.len()];
    let mut checked = 0;
    for file in scanned() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for r in references(&text) {
            checked += 1;
            if exists(&r, &file, &repo) {
                continue;
            }
            if let Some(i) = PENDING.iter().position(|(f, n)| *f == rel && *n == r) {
                pending_seen[i] = true;
                continue;
            }
            missing.push(format!("{rel}: {r}"));
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "names of files the repo lacks:\n{missing:#?}"
    );
    assert!(
        checked > 100,
        "only {checked} references found: is the scan broken?"
    );
    let fixed: Vec<_> = PENDING
        .iter()
        .zip(&pending_seen)
        .filter(|(_, seen)| !**seen)
        .map(|(p, _)| p)
        .collect();
    assert!(
        fixed.is_empty(),
        "fixed, so take them out of PENDING: {fixed:?}"
    );
}

#[test]
fn nothing_points_outside_the_repository() {
    // Built here so that this file does not match itself.
    let needles = [
        format!("{}/shared", ".."),
        format!("{}/reference/", "shared"),
    ];
    let mut found = Vec::new();
    for file in scanned() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for n in &needles {
            if text.contains(n.as_str()) {
                found.push(format!("{}: {n}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_scan_finds_a_missing_file() {
    let repo = repo_files();
    let here = root().join("src/lib.rs");
    let refs = references("see product.md and docs/nope.md, [x](nowhere.md), ../outside/x.rs");
    assert_eq!(
        refs,
        [
            "product.md",
            "docs/nope.md",
            "nowhere.md",
            "../outside/x.rs",
            "./nowhere.md"
        ]
    );
    for r in &refs {
        assert!(!exists(r, &here, &repo), "{r}");
    }
    for r in [
        "docs/cli.md",
        "halo-connect-halo/src/client.rs",
        "README.md",
        "catalogue.rs",
    ] {
        assert!(exists(r, &here, &repo), "{r}");
    }
}
