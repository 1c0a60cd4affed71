//! Text that came from elsewhere (a server's page, a header, an error field) made safe to print:
//! control characters (ESC, CR, BEL, C1) and every character that changes or hides text without
//! showing itself (`is_hidden`: bidirectional controls, zero-width characters, the soft hyphen,
//! tag characters) are dropped, whitespace runs become one space, and the length is bounded.
//! `is_hidden` is also what `--json` writes as `\uXXXX`. Pure; it never interprets markup.

/// Returns `text` as one printable line of at most `max` characters ("…" marks a cut).
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_hidden(c) {
            continue;
        }
        let need = if space { 2 } else { 1 };
        if count + need > max {
            if max > 0 {
                while count >= max && out.pop().is_some() {
                    count -= 1;
                }
                out.push('…');
            }
            return out;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// Returns `text` with every control character (ESC, CR, BEL, C1, DEL) and bidirectional
/// override dropped, keeping its line breaks and tabs and its length: for multi-line text bound
/// for a terminal, where a server's escape sequence could retitle the window, clear the screen,
/// hide text or write the clipboard.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || is_hidden(c)))
        .collect()
}

/// Returns the first `max_bytes` bytes of a body as printable text (lossy UTF-8).
pub fn printable_bytes(bytes: &[u8], max_bytes: usize, max_chars: usize) -> String {
    printable(
        &String::from_utf8_lossy(&bytes[..bytes.len().min(max_bytes)]),
        max_chars,
    )
}

/// Characters that reorder text on a terminal without showing themselves: Unicode's
/// Bidi_Control set (with U+061C ARABIC LETTER MARK), and the byte order mark.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Characters that change, hide or smuggle text without showing themselves: the bidi controls,
/// Unicode's Default_Ignorable_Code_Point set (zero-width characters, the soft hyphen, word
/// joiners, variation selectors, tag characters, the Hangul fillers) and the format characters
/// that are not visible, plus C1 controls and DEL, and the line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    is_bidi_control(c)
        || matches!(c,
            '\u{007f}'..='\u{009f}'
            | '\u{00ad}'
            | '\u{034f}'
            | '\u{0600}'..='\u{0605}'
            | '\u{06dd}'
            | '\u{070f}'
            | '\u{08e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_controls_and_folds_whitespace() {
        let table = [
            ("plain", "plain"),
            ("  two\n\t lines \r\n", "two lines"),
            ("\x1b[31mred\x1b[0m", "[31mred[0m"),
            ("bell\x07 and \u{9b}csi", "bell and csi"),
            ("a\u{202e}b\u{2066}c", "abc"),
            // Finding 16: ALM, zero-width, soft hyphen, word joiner, tag characters.
            (
                "a\u{061c}b\u{200b}c\u{200d}d\u{00ad}e\u{2060}f\u{e0041}\u{e007f}g",
                "abcdefg",
            ),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(printable(input, 100), want, "{input:?}");
        }
    }

    #[test]
    fn bounds_the_length_and_marks_the_cut() {
        assert_eq!(printable("abcdef", 4), "abc…");
        assert_eq!(printable("abc def", 5), "abc …");
        assert_eq!(printable("abcd", 4), "abcd");
        assert_eq!(printable("abc", 0), "");
        assert!(printable(&"x".repeat(10_000), 160).chars().count() <= 160);
        assert_eq!(
            printable_bytes(b"\xff\xfeok", 200, 10),
            "\u{fffd}\u{fffd}ok"
        );
        assert_eq!(printable_bytes(b"0123456789", 4, 10), "0123");
    }

    #[test]
    fn terminal_safe_drops_every_hidden_character_and_keeps_lines() {
        let hostile = "ok\u{061c}\u{200b}\u{00ad}\u{e0001}\u{9b}\u{202e}\nnext\tcol";
        assert_eq!(terminal_safe(hostile), "ok\nnext\tcol");
        // Visible text of other scripts stays.
        assert_eq!(terminal_safe("Zoë 日本 مرحبا"), "Zoë 日本 مرحبا");
    }
}
