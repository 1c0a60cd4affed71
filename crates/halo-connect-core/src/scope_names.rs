//! The nearest real scope names for one Halo does not know, as integration vendors' pages misprint
//! them (`write:tickets`, `read:clients`, `tickets.read`): verbs and nouns through a table of
//! synonyms, then edit distance. Every suggestion is checked with `scope::is_known_scope`, so the
//! list of names stays in `scope.rs`. Pure data and functions, no I/O.

use super::scope::{is_known_scope, AREAS, META_SCOPES};

/// Verbs that mean `read` or `edit` in other APIs.
const VERBS: &[(&str, &str)] = &[
    ("read", "read"),
    ("get", "read"),
    ("view", "read"),
    ("list", "read"),
    ("readonly", "read"),
    ("query", "read"),
    ("edit", "edit"),
    ("write", "edit"),
    ("update", "edit"),
    ("modify", "edit"),
    ("manage", "edit"),
    ("create", "edit"),
    ("delete", "edit"),
    ("post", "edit"),
    ("put", "edit"),
    ("readwrite", "edit"),
    ("full", "edit"),
];

/// Other names for Halo's permission areas; one name may point at several.
const NOUNS: &[(&str, &[&str])] = &[
    ("client", &["customers"]),
    ("clients", &["customers"]),
    ("customer", &["customers"]),
    ("company", &["customers"]),
    ("companies", &["customers"]),
    ("user", &["customers"]),
    ("users", &["customers"]),
    ("contact", &["customers"]),
    ("contacts", &["customers"]),
    ("site", &["customers"]),
    ("sites", &["customers"]),
    ("ticket", &["tickets"]),
    ("action", &["tickets"]),
    ("actions", &["tickets"]),
    ("attachments", &["tickets"]),
    ("asset", &["assets"]),
    ("devices", &["assets"]),
    ("configurationitems", &["assets"]),
    ("invoice", &["invoices"]),
    ("billing", &["invoices"]),
    ("recurringinvoices", &["invoices"]),
    ("contract", &["contracts"]),
    ("agreements", &["contracts"]),
    ("clientcontracts", &["contracts"]),
    ("item", &["items"]),
    ("product", &["items"]),
    ("products", &["items"]),
    ("supplier", &["suppliers"]),
    ("vendors", &["suppliers"]),
    ("project", &["projects"]),
    ("quote", &["quotes"]),
    ("quotation", &["quotes"]),
    ("quotations", &["quotes"]),
    ("salesorders", &["sos"]),
    ("purchaseorders", &["pos"]),
    ("opportunities", &["crm", "sales"]),
    ("opportunity", &["crm", "sales"]),
    ("leads", &["crm", "sales"]),
    ("timesheet", &["timesheets"]),
    ("time", &["timesheets"]),
    ("appointments", &["calendar"]),
    ("reports", &["reporting"]),
    ("report", &["reporting"]),
    ("knowledgebase", &["kb"]),
    ("articles", &["kb"]),
    ("licences", &["software", "softwarelicensing"]),
    ("licenses", &["software", "softwarelicensing"]),
];

/// Whole names that map to a scope that is not a `read:`/`edit:` pair.
const WHOLE: &[(&str, &str)] = &[
    ("webhooks", "admin:webhooks"),
    ("webhook", "admin:webhooks"),
    ("teams", "all:teams"),
    ("team", "all:teams"),
    ("*", "all"),
    ("everything", "all"),
];

/// Most suggestions shown for one name.
const MAX: usize = 3;

/// Returns the real scope names nearest to `input`, best first; empty when `input` is known or
/// nothing is near.
pub fn nearest(input: &str) -> Vec<String> {
    let compact: String = input
        .split_whitespace()
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.is_empty() || is_known_scope(input.trim()) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    let push = |out: &mut Vec<String>, s: String| {
        if is_known_scope(&s) && !out.contains(&s) {
            out.push(s);
        }
    };
    let parts: Vec<&str> = compact
        .split([':', '.', '_', '-', '/'])
        .filter(|p| !p.is_empty())
        .collect();
    for word in parts.iter().chain(std::iter::once(&compact.as_str())) {
        if let Some((_, s)) = WHOLE.iter().find(|(w, _)| w == word) {
            push(&mut out, s.to_string());
        }
    }
    // A verb and a noun, in either order ("write:tickets", "tickets.write").
    if let [a, b] = parts.as_slice() {
        for (verb, noun) in [(a, b), (b, a)] {
            let Some(verb) = verb_of(verb) else { continue };
            for area in areas_of(noun) {
                push(&mut out, format!("{verb}:{area}"));
            }
        }
    }
    if out.is_empty() {
        for s in by_distance(&compact) {
            push(&mut out, s);
        }
    }
    out.truncate(MAX);
    out
}

/// The suggestion as a clause for a refusal: `; did you mean edit:tickets?`, or empty.
pub fn did_you_mean(input: &str) -> String {
    match nearest(input).as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    }
}

fn verb_of(word: &str) -> Option<&'static str> {
    VERBS
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, v)| *v)
        .or_else(|| {
            // A misspelt verb ("reed", "wirte") is still a verb.
            VERBS
                .iter()
                .filter(|(w, _)| w.len() > 3 && distance(w, word) <= 1)
                .map(|(_, v)| *v)
                .next()
        })
}

fn areas_of(word: &str) -> Vec<&'static str> {
    if let Some(a) = AREAS.iter().find(|a| **a == word) {
        return vec![*a];
    }
    if let Some((_, areas)) = NOUNS.iter().find(|(w, _)| *w == word) {
        return areas.to_vec();
    }
    let best = AREAS.iter().map(|a| (distance(a, word), *a)).min();
    match best {
        Some((d, a)) if d <= 2 && d < a.len() => vec![a],
        _ => Vec::new(),
    }
}

/// Every known name within a small distance of `word`, nearest first.
fn by_distance(word: &str) -> Vec<String> {
    let mut names: Vec<String> = META_SCOPES.iter().map(|m| m.to_ascii_lowercase()).collect();
    for a in AREAS {
        names.push(format!("read:{a}"));
        names.push(format!("edit:{a}"));
    }
    let mut scored: Vec<(usize, String)> = names
        .into_iter()
        .map(|n| (distance(&n, word), n))
        .filter(|(d, n)| *d <= 3 && *d * 3 <= n.len())
        .collect();
    scored.sort();
    let best = scored.first().map(|(d, _)| *d).unwrap_or(0);
    scored
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, n)| {
            META_SCOPES
                .iter()
                .find(|m| m.to_ascii_lowercase() == n)
                .map(|m| m.to_string())
                .unwrap_or(n)
        })
        .collect()
}

/// Levenshtein distance over characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_misprints_get_the_real_names() {
        let table: &[(&str, &[&str])] = &[
            ("write:tickets", &["edit:tickets"]),
            ("read:clients", &["read:customers"]),
            ("read:users", &["read:customers"]),
            ("write:webhooks", &["admin:webhooks"]),
            ("tickets.read", &["read:tickets"]),
            ("read_invoices", &["read:invoices"]),
            ("update:assets", &["edit:assets"]),
            ("read:actions", &["read:tickets"]),
            ("edit:sites", &["edit:customers"]),
            ("read:opportunities", &["read:crm", "read:sales"]),
            ("read:custommers", &["read:customers"]),
            ("reed:items", &["read:items"]),
            ("edit:invoice", &["edit:invoices"]),
            ("all:team", &["all:teams"]),
            ("admin:webhook", &["admin:webhooks"]),
            ("alll", &["all"]),
        ];
        for (input, want) in table {
            let got = nearest(input);
            assert_eq!(&got, want, "{input}");
            for s in &got {
                assert!(is_known_scope(s), "{s} is not a real scope");
            }
        }
    }

    #[test]
    fn known_names_and_nonsense_get_nothing() {
        for input in [
            "read:customers",
            "edit:items",
            "all",
            "",
            "   ",
            "xyzzy",
            "read:zzzzzzzzz",
        ] {
            assert!(nearest(input).is_empty(), "{input}: {:?}", nearest(input));
        }
        assert_eq!(did_you_mean("xyzzy"), "");
        assert_eq!(
            did_you_mean("write:tickets"),
            "; did you mean edit:tickets?"
        );
        assert!(did_you_mean("read:opportunities").contains("one of read:crm, read:sales"));
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
