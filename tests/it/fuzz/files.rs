//! The files halo-connect reads, mutated from valid copies and drawn at random: the embedded
//! preset file, the config file and the credentials file. Nothing panics, a broken config is
//! reported with a line inside the file, and the credentials file's text never reaches an error.

use std::path::Path;

use halo_connect::domain::preset::parse_presets;
use halo_connect::store::{ConfigFile, FileStore, SecretStore, StoreError};
use proptest::prelude::*;

use super::{fuzz, CANARY};

const EMBEDDED_PRESETS: &str =
    include_str!("../../../crates/halo-connect-core/presets/presets.toml");

/// Mutations of a valid text: byte-range deletions, insertions, duplicated and swapped lines.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), 0usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<prop::sample::Index>(),
            "\\PC{0,12}|[\\[\\]=\"{},#\n]{1,4}"
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<prop::sample::Index>().prop_map(Edit::DupLine),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
    ];
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for e in edits {
            e.apply(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, String),
    SwapLines(prop::sample::Index, prop::sample::Index),
    DupLine(prop::sample::Index),
    Byte(prop::sample::Index, u8),
}

impl Edit {
    fn apply(self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        match self {
            Edit::Delete(i, n) => {
                let at = i.index(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Edit::Insert(i, s) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, s.into_bytes());
            }
            Edit::Byte(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            Edit::SwapLines(a, b) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
                let (x, y) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(x, y);
                *bytes = lines.join(&b'\n');
            }
            Edit::DupLine(a) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
                let x = a.index(lines.len());
                let l = lines[x].clone();
                lines.insert(x, l);
                *bytes = lines.join(&b'\n');
            }
        }
    }
}

#[test]
fn fuzz_parse_presets() {
    let input = prop_oneof![
        3 => mutated(EMBEDDED_PRESETS),
        1 => any::<String>(),
        1 => "(\\[\\[preset\\]\\]\nname = \"[a-z]{0,6}\"\nscopes = \\[(\"[a-z:]{0,16}\",? ?){0,4}\\]\n){0,3}",
    ];
    fuzz("parse_presets", input, |text| {
        if let Ok(presets) = parse_presets(&text) {
            // Whatever parses obeys the file's rules.
            let mut names = std::collections::HashSet::new();
            for p in &presets {
                prop_assert!(names.insert(p.name.clone()), "duplicate {}", p.name);
                prop_assert!(!p.scopes.is_empty() || p.name == "custom");
            }
        }
        Ok(())
    });
}

const VALID_CONFIG: &str = r#"[profiles.default]
preset = "billing"
resource_server = "https://acme.halopsa.com/api"
auth_server = "https://acme.halopsa.com/auth/"
tenant = "acme"
client_id = "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"
secret_store = "file"
scopes = ["read:customers"]

[profiles.default.last_test]
ok = true
exit_code = 0
at = "2025-01-02T03:04:05Z"

[profiles."ci.prod"]
preset = "alerting"
resource_server = "https://halo.example.org/api"
auth_server = "https://halo.example.org/auth/"
client_id = "id-2"
secret_store = "keyring"
sandbox = false
"#;

fn config_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => mutated(VALID_CONFIG).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..400),
        1 => any::<String>().prop_map(String::into_bytes),
        1 => (mutated(VALID_CONFIG), prop::collection::vec(any::<u8>(), 1..4), any::<prop::sample::Index>())
            .prop_map(|(t, junk, at)| {
                let mut b = t.into_bytes();
                let i = at.index(b.len() + 1);
                b.splice(i..i, junk);
                b
            }),
    ]
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write fuzz input");
}

#[test]
fn fuzz_config_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let file = ConfigFile::new(path.clone());
    fuzz("ConfigFile::load", config_bytes(), |bytes| {
        write(&path, &bytes);
        match file.load() {
            Ok(config) => {
                // What loads can be written back and loads the same.
                let text = toml::to_string(&config)
                    .map_err(|e| TestCaseError::fail(format!("cannot re-serialise: {e}")))?;
                let again: halo_connect::store::Config = toml::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("round trip: {e}\n{text}")))?;
                prop_assert_eq!(again, config);
            }
            Err(StoreError::Corrupt { line, column, .. }) => {
                let lines = bytes.split(|b| *b == b'\n').count();
                prop_assert!(line >= 1 && line <= lines.max(1), "line {line} of {lines}");
                prop_assert!(column >= 1);
            }
            // TOML, but a wrong key or type: named with its line.
            Err(StoreError::Invalid { line, .. }) => {
                let lines = bytes.split(|b| *b == b'\n').count();
                prop_assert!(line >= 1 && line <= lines.max(1), "line {line} of {lines}");
            }
            Err(other) => {
                return Err(TestCaseError::fail(format!(
                    "neither Ok, Corrupt nor Invalid: {other}"
                )))
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_credentials_file_never_echoes_its_contents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials.toml");
    let store = FileStore::new(path.clone());
    let body = format!("[profiles.default]\nclient_secret = \"{CANARY}\"\n");
    let body: &'static str = Box::leak(body.into_boxed_str());
    let input = prop_oneof![
        3 => mutated(body),
        1 => any::<String>().prop_map(|s| format!("{s}{CANARY}")),
    ];
    fuzz("FileStore::get", input, |text| {
        write(&path, text.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        match store.get("default") {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.to_string().contains(CANARY), "{e}");
                prop_assert!(!format!("{e:?}").contains(CANARY), "{e:?}");
                // No fragment of the file beyond its name either (a toml message quotes lines).
                prop_assert!(!e.to_string().contains("c4n4ry5e"), "{e}");
            }
        }
        Ok(())
    });
}
