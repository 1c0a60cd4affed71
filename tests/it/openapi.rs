//! Every API path the probes and discovery use must exist, with a GET, in Halo's OpenAPI document.
//! `tests/data/halo-openapi-paths.txt` is the document's path list (path, methods), generated from
//! the document with `jq -r '.paths | to_entries[] | "\(.key) \(.value | keys |
//! map(ascii_upcase) | join(","))"' "$HALO_OPENAPI_JSON" | LC_ALL=C sort`; an ignored test checks
//! the list against a copy of the document.

use halo_connect::domain::scope::{AGENT_ME_PATH, PROBES, RECURRING_PATH};

const LIST: &str = include_str!("../data/halo-openapi-paths.txt");

fn listed() -> Vec<(String, String)> {
    LIST.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect()
}

#[test]
fn every_probe_path_has_a_get_in_halos_openapi_document() {
    let paths = listed();
    assert!(paths.len() > 800, "the path list is incomplete");
    let mut checked = 0;
    for p in PROBES
        .iter()
        .map(|p| p.path)
        .chain([AGENT_ME_PATH, RECURRING_PATH, "/AuthInfo"])
    {
        let found = paths.iter().find(|(k, _)| k.eq_ignore_ascii_case(p));
        let (_, methods) = found.unwrap_or_else(|| panic!("{p} is not in Halo's OpenAPI document"));
        assert!(methods.split(',').any(|m| m == "GET"), "{p} has no GET");
        checked += 1;
    }
    assert!(checked >= 20);
}

/// Needs Halo's OpenAPI document, which the repository does not ship (3.6 MB):
/// `HALO_OPENAPI_JSON=<path of the document> cargo test --test it openapi -- --ignored`.
#[test]
#[ignore = "needs HALO_OPENAPI_JSON, the path of Halo's OpenAPI document"]
fn the_path_list_matches_the_openapi_document() {
    let path = std::env::var("HALO_OPENAPI_JSON")
        .expect("set HALO_OPENAPI_JSON to the path of Halo's OpenAPI document");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let doc_paths = doc["paths"].as_object().unwrap();
    let paths = listed();
    assert_eq!(
        paths.len(),
        doc_paths.len(),
        "regenerate tests/data/halo-openapi-paths.txt"
    );
    for (p, _) in &paths {
        assert!(doc_paths.contains_key(p), "{p}");
    }
}
