//! A config file that is TOML but not a halo-connect config, explained: which key, in which
//! profile, on which line, and what was expected; a misspelt key is refused with the nearest known
//! name. It only reads the text and the parser's error; it never touches the file.

use std::path::Path;

use super::super::error::StoreError;
use super::super::fsutil::line_column;

/// Turns serde's refusal of a well-formed TOML file into `StoreError::Invalid`.
pub(super) fn explain(path: &Path, text: &str, err: &toml::de::Error) -> StoreError {
    let start = err.span().map_or(0, |s| s.start);
    let (line, _) = line_column(text.as_bytes(), start);
    let message = err.message().trim().to_string();
    let profile = profile_at(text, line);
    let (key, problem) = match unknown_field(&message) {
        Some((key, known)) => {
            let problem = match nearest(&key, &known) {
                Some(near) => format!("is not a key halo-connect knows; did you mean `{near}`?"),
                None => format!(
                    "is not a key halo-connect knows (known: {})",
                    known.join(", ")
                ),
            };
            (key, problem)
        }
        None => match message.strip_prefix("missing field `") {
            Some(rest) => {
                let key = rest.split('`').next().unwrap_or_default().to_string();
                return StoreError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    place: match profile {
                        Some(p) => format!("profile `{p}`"),
                        None => "file".to_string(),
                    },
                    problem: format!("lacks the key `{key}`, which it needs"),
                };
            }
            None => (key_on_line(text, line), wrong_type(&message)),
        },
    };
    StoreError::Invalid {
        path: path.to_path_buf(),
        line,
        place: match profile {
            Some(p) => format!("key `{key}` of profile `{p}`"),
            None => format!("key `{key}`"),
        },
        problem,
    }
}

/// Refuses text no one should be handed from a config that parses: a profile name (a `[profiles.NAME]`
/// table or `default_profile`) outside `A-Z a-z 0-9 . _ -`, which would reach the shell completion
/// scripts, and a string holding a control or bidi character, which `list`, `show` and `use` would
/// print. `Ok` for a file that is not TOML: the caller names that error.
pub(super) fn check_text(path: &Path, text: &str) -> Result<(), StoreError> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else {
        return Ok(());
    };
    let line = |offset: usize| line_column(text.as_bytes(), offset).0;
    let refuse = |offset: usize, place: String, problem: String| StoreError::Invalid {
        path: path.to_path_buf(),
        line: line(offset),
        place,
        problem,
    };
    let bad_name = |name: &str| super::validate_profile_name(name).err();
    for (key, value) in doc.get_ref() {
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("profiles", DeValue::Table(profiles)) => {
                for (name, _) in profiles {
                    if let Some(StoreError::BadProfileName { reason, .. }) =
                        bad_name(name.get_ref())
                    {
                        return Err(refuse(
                            name.span().start,
                            format!("profile name {:?}", name.get_ref().as_ref()),
                            format!("is not a valid name: {reason}; rename the table"),
                        ));
                    }
                }
            }
            ("default_profile", DeValue::String(name)) => {
                if let Some(StoreError::BadProfileName { reason, .. }) = bad_name(name) {
                    return Err(refuse(
                        value.span().start,
                        "key `default_profile`".to_string(),
                        format!(
                            "names {:?}, which is not a valid profile name: {reason}",
                            name.as_ref()
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    // Every string, with the profile it belongs to (for the message).
    fn walk<'a>(
        value: &'a toml::Spanned<DeValue<'a>>,
        profile: Option<&str>,
        key: &str,
        out: &mut Option<(usize, String, char)>,
    ) {
        if out.is_some() {
            return;
        }
        match value.get_ref() {
            DeValue::String(s) => {
                if let Some(c) = s
                    .chars()
                    .find(|&c| c.is_control() || halo_connect_core::printable::is_bidi_control(c))
                {
                    let place = match profile {
                        Some(p) => format!("key `{key}` of profile `{p}`"),
                        None => format!("key `{key}`"),
                    };
                    *out = Some((value.span().start, place, c));
                }
            }
            DeValue::Array(items) => items.iter().for_each(|v| walk(v, profile, key, out)),
            DeValue::Table(t) => {
                for (k, v) in t {
                    walk(v, profile, k.get_ref(), out);
                }
            }
            _ => {}
        }
    }
    let mut found = None;
    for (key, value) in doc.get_ref() {
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("profiles", DeValue::Table(profiles)) => {
                for (name, profile) in profiles {
                    walk(profile, Some(name.get_ref()), name.get_ref(), &mut found);
                }
            }
            (k, _) => walk(value, None, k, &mut found),
        }
    }
    match found {
        Some((offset, place, c)) => Err(refuse(
            offset,
            place,
            format!(
                "holds the character U+{:04X}, which halo-connect will not print or hand to a script; remove it",
                c as u32
            ),
        )),
        None => Ok(()),
    }
}

/// serde's "invalid type: string \"x\", expected i32" in the user's words.
fn wrong_type(message: &str) -> String {
    let said = message.replace("invalid type: ", "found ");
    let said = ["i32", "i64", "u16", "u32", "u64", "usize"]
        .iter()
        .fold(said, |s, t| {
            s.replace(&format!("expected {t}"), "expected a whole number")
        });
    format!("has the wrong type: {said}")
}

/// `unknown field `x`, expected one of `a`, `b`` → ("x", ["a", "b"]).
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, expected) = rest.split_once('`')?;
    let known = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((key.to_string(), known))
}

/// The known name closest to a misspelt one, when it is close enough to be a slip.
fn nearest(key: &str, known: &[String]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.clone())
}

/// The profile whose table holds `line` (1-based), from the last `[profiles.NAME…]` header above.
fn profile_at(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .filter_map(|l| {
            let header = l.trim().strip_prefix('[')?.trim_start_matches('[');
            let rest = header.strip_prefix("profiles.")?;
            let name = rest.trim_end_matches(']').split('.').next()?;
            Some(name.trim().trim_matches('"').to_string())
        })
        .last()
}

/// The key written on `line`: the text before its `=`.
fn key_on_line(text: &str, line: usize) -> String {
    text.lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| "?".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_gets_the_nearest_name_and_a_stranger_none() {
        let known: Vec<String> = ["tenant", "preset", "client_id"].map(String::from).into();
        assert_eq!(nearest("tennant", &known).as_deref(), Some("tenant"));
        assert_eq!(nearest("clientid", &known).as_deref(), Some("client_id"));
        assert_eq!(nearest("colour", &known), None);
    }
}
