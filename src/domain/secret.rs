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
    fn trim_pasted_reports_a_change() {
        let (s, changed) = Secret::new("  abc\n").trim_pasted();
        assert_eq!(s.expose(), "abc");
        assert!(changed);
        let (s, changed) = Secret::new("abc").trim_pasted();
        assert_eq!(s.expose(), "abc");
        assert!(!changed);
    }
}
