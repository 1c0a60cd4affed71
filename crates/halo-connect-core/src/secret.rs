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

    /// Returns `text` with this secret replaced by `label` wherever a quote of it stands: whole,
    /// or any run of 12 characters or more of it (a cut end, a middle slice), in any letter case,
    /// and in each form a server could echo it in: URL-encoded (as the token form sent it),
    /// percent-encoded, JSON-escaped, or base64 (standard or URL-safe, at any alignment). For
    /// text from elsewhere that may echo it.
    pub fn scrub(&self, text: &str, label: &str) -> String {
        if self.0.len() < 4 || text.is_empty() {
            return text.to_string();
        }
        let haystack = text.to_ascii_lowercase();
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for form in self.echo_forms() {
            quotes_of(&haystack, &form.to_ascii_lowercase(), &mut hits);
        }
        if hits.is_empty() {
            return text.to_string();
        }
        hits.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (mut start, mut end) in hits {
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            if end <= at {
                continue;
            }
            if start >= at {
                out.push_str(&text[at..start]);
                out.push_str(label);
            }
            at = end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The forms a server could echo this secret in.
    fn echo_forms(&self) -> Vec<Zeroizing<String>> {
        use base64::Engine;
        let raw: &str = &self.0;
        let mut forms = vec![Zeroizing::new(raw.to_string())];
        forms.push(Zeroizing::new(
            url::form_urlencoded::byte_serialize(raw.as_bytes()).collect(),
        ));
        forms.push(Zeroizing::new(
            url::form_urlencoded::byte_serialize(raw.as_bytes())
                .collect::<String>()
                .replace('+', "%20"),
        ));
        if let Ok(json) = serde_json::to_string(raw) {
            forms.push(Zeroizing::new(json.trim_matches('"').to_string()));
        }
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            // Base64 of the secret inside a longer value (`id:secret`, a form) is shifted by
            // 0, 1 or 2 bytes: the characters that hold only the secret's bits, each alignment.
            for shift in 0..3usize {
                let mut bytes = Zeroizing::new(vec![0u8; shift]);
                bytes.extend_from_slice(raw.as_bytes());
                let enc = Zeroizing::new(engine.encode(&*bytes));
                let from = if shift == 0 { 0 } else { 4 };
                let to = enc.len().saturating_sub(if shift == 0 { 0 } else { 4 });
                if let Some(part) = enc.get(from..to) {
                    forms.push(Zeroizing::new(part.to_string()));
                }
            }
        }
        forms.retain(|f| f.len() >= 4);
        forms.dedup();
        forms
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

/// The shortest run of a secret's characters taken as a quote of it.
const QUOTE: usize = 12;

/// Adds to `hits` the byte ranges of `haystack` that quote `form`: all of it, or any run of
/// `QUOTE` bytes or more (both already in one letter case).
fn quotes_of(haystack: &str, form: &str, hits: &mut Vec<(usize, usize)>) {
    let (h, f) = (haystack.as_bytes(), form.as_bytes());
    let k = QUOTE.min(f.len());
    if k == 0 || h.len() < k {
        return;
    }
    let mut windows: std::collections::HashMap<&[u8], Vec<usize>> = Default::default();
    for j in 0..=f.len() - k {
        windows.entry(&f[j..j + k]).or_default().push(j);
    }
    let mut i = 0;
    while i + k <= h.len() {
        let Some(starts) = windows.get(&h[i..i + k]) else {
            i += 1;
            continue;
        };
        let longest = starts
            .iter()
            .map(|&j| {
                let mut n = k;
                while i + n < h.len() && j + n < f.len() && h[i + n] == f[j + n] {
                    n += 1;
                }
                n
            })
            .max()
            .unwrap_or(k);
        hits.push((i, i + longest));
        i += 1;
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

    /// Finding 11: an echo of the secret that is URL-encoded, upper-cased, cut in the middle or
    /// base64 is scrubbed too, in whatever text it stands.
    #[test]
    fn scrub_catches_encoded_upper_cased_sliced_and_base64_echoes() {
        use base64::Engine;
        let raw = "CANARY+Zq/9x=7&Kee%41ABCDEFGHIJ";
        let s = Secret::new(raw);
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        let b64_shifted = base64::engine::general_purpose::STANDARD.encode(format!("id:{raw}"));
        let echoes = [
            format!(
                "client_secret={}&scope=all",
                url::form_urlencoded::byte_serialize(raw.as_bytes()).collect::<String>()
            ),
            format!("message: {}", raw.to_uppercase()),
            format!("message: {}", raw.to_lowercase()),
            format!("slice {} here", &raw[3..25]),
            format!("b64 {b64} end"),
            format!("basic {b64_shifted} end"),
            format!("json {}", serde_json::to_string(raw).unwrap()),
        ];
        for echo in &echoes {
            let out = s.scrub(echo, "[s]");
            assert!(out.contains("[s]"), "not scrubbed: {echo} -> {out}");
            for k in 0..raw.len().saturating_sub(12) {
                let part = &raw[k..k + 12];
                assert!(
                    !out.to_ascii_lowercase()
                        .contains(&part.to_ascii_lowercase()),
                    "{part} left in {out}"
                );
            }
        }
        // Text that quotes no run of 12 stays as it was, non-ASCII included.
        let plain = "Zoë: CANARY+Zq/9 is 11 — fine";
        assert_eq!(s.scrub(plain, "[s]"), plain);
        // A quote next to multi-byte text is cut on character boundaries.
        let s2 = Secret::new("ééééééééééééé-0123456789");
        assert_eq!(s2.scrub("x ééééééééééééé-0123456789 y", "[s]"), "x [s] y");
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
