//! Writing the `--json` types: pretty (`to_string`) or on one line (`to_line`), every character
//! that could drive or fool a terminal written as `\\uXXXX`. It must not decide any shape: those
//! are the types of `ui::json`.

use serde::Serialize;

/// Pretty JSON of any output type. Serializing these types cannot fail: every map key is a string.
/// Besides what serde_json escapes (C0, `"` and `\\`), every character that could drive or fool a
/// terminal showing the JSON (`printable::is_hidden`: C1 controls such as U+009B CSI, DEL, bidi
/// overrides, zero-width and tag characters) is written as `\\uXXXX`: the same value, inert text.
pub fn to_string<T: Serialize>(value: &T) -> String {
    write(value, serde_json::ser::PrettyFormatter::new())
}

/// The same on one line (`use`, `remove`, `sandbox`: a line a script reads).
pub fn to_line<T: Serialize>(value: &T) -> String {
    write(value, serde_json::ser::CompactFormatter)
}

fn write<T: Serialize, F: serde_json::ser::Formatter>(value: &T, formatter: F) -> String {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Inert(formatter));
    match value.serialize(&mut ser) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"schema_version\":1,\"ok\":false,\"exit_code\":1,\"error\":{{\"kind\":\"internal\",\"message\":\"the JSON output could not be written: {e}\"}}}}"),
    }
}

/// A serde_json formatter, writing hidden and control characters as `\\uXXXX`.
struct Inert<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Inert<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest
            .char_indices()
            .find(|&(_, c)| crate::domain::printable::is_hidden(c))
        {
            w.write_all(&rest.as_bytes()[..at])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{u:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod inert_tests {
    /// Finding 4: serde_json escapes only C0; a server's C1 controls, bidi overrides and hidden
    /// characters must reach stdout escaped too, as the same JSON value.
    #[test]
    fn hidden_and_c1_characters_are_escaped_and_read_back_the_same() {
        let hostile = "a\u{9b}31m\u{9d}0;t\u{7}\u{9c}b\u{202e}c\u{061c}\u{200b}\u{ad}\u{e0041}\u{2028}\u{7f}\u{1b}[0m é 日本";
        let text = super::to_string(&serde_json::json!({ "name": hostile }));
        for raw in [
            '\u{9b}',
            '\u{9d}',
            '\u{9c}',
            '\u{202e}',
            '\u{061c}',
            '\u{200b}',
            '\u{ad}',
            '\u{e0041}',
            '\u{2028}',
            '\u{7f}',
            '\u{1b}',
        ] {
            assert!(!text.contains(raw), "{raw:?} raw in {text}");
        }
        for escaped in [r"\u009b", r"\u202e", r"\udb40\udc41", r"\u007f"] {
            assert!(text.contains(escaped), "{escaped} missing from {text}");
        }
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], hostile);
        assert!(
            text.contains("é 日本"),
            "visible text is kept as is: {text}"
        );
        assert!(text.contains("\n  \"name\""), "still pretty: {text}");
    }
}
