//! The `Secret` type: the only holder of a Client Secret or access token. It has no Display, no
//! Serialize and a redacted Debug, and zeroes its memory on drop; nothing here may print the value.

use std::fmt;
use zeroize::Zeroizing;

/// A secret value (Client Secret or access token). Debug prints `Secret(redacted)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value as typed or read; the caller decides about trimming (see `trim_pasted`).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// Returns the value. Only the token exchange, the secret stores and `export --with-secret`
    /// may call this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.chars().count()
    }

    /// Returns the secret masked to its last 4 characters, as `••••••••ab12`, for a re-run of init.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 8 {
            return "•".repeat(8);
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("••••••••{tail}")
    }

    /// Returns `text` with this secret replaced by `label`: whole, or cut off where a quote of it
    /// ended (a prefix or suffix of 12 characters or more). For text from elsewhere that may echo it.
    pub fn scrub(&self, text: &str, label: &str) -> String {
        let raw: &str = &self.0;
        if raw.len() < 4 {
            return text.to_string();
        }
        let mut out = text.replace(raw, label);
        // Any cut end of 12 characters or more holds the first or the last 12: look for those first.
        let ends = [raw.get(..12), raw.get(raw.len().saturating_sub(12)..)];
        if ends.iter().all(|end| end.is_some_and(|e| !out.contains(e))) {
            return out;
        }
        for k in (12..raw.len()).rev() {
            for part in [raw.get(..k), raw.get(raw.len() - k..)]
                .into_iter()
                .flatten()
            {
                if out.contains(part) {
                    out = out.replace(part, label);
                }
            }
        }
        out
    }

    /// Trims surrounding whitespace (a paste often brings a newline) and says whether it did.
    pub fn trim_pasted(self) -> (Secret, bool) {
        let trimmed = self.0.trim();
        if trimmed.len() == self.0.len() {
            (self, false)
        } else {
            (Secret::new(trimmed.to_string()), true)
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("canary-7f3a-value");
        assert_eq!(format!("{s:?}"), "Secret(redacted)");
        assert_eq!(format!("{:?}", Some(s)), "Some(Secret(redacted))");
    }

    #[test]
    fn masked_keeps_only_the_last_four() {
        assert_eq!(Secret::new("abcdefghijkl1234").masked(), "••••••••1234");
        assert_eq!(Secret::new("short").masked(), "••••••••");
    }

    #[test]
    fn scrub_replaces_the_whole_secret_and_its_cut_ends() {
        let s = Secret::new("0123456789abcdefghij");
        assert_eq!(s.scrub("x 0123456789abcdefghij y", "[s]"), "x [s] y");
        assert_eq!(s.scrub("title: 0123456789abcd", "[s]"), "title: [s]");
        assert_eq!(s.scrub("…89abcdefghij end", "[s]"), "…[s] end");
        assert_eq!(
            s.scrub("0123456789a is short", "[s]"),
            "0123456789a is short"
        );
        assert_eq!(Secret::new("ab").scrub("ab", "[s]"), "ab");
    }

    #[test]
    fn trim_pasted_reports_a_change() {
        let (s, changed) = Secret::new("  abc\n").trim_pasted();
        assert_eq!(s.expose(), "abc");
        assert!(changed);
        let (s, changed) = Secret::new("abc").trim_pasted();
        assert_eq!(s.expose(), "abc");
        assert!(!changed);
    }
}
