//! `--summary FILE`: the cases of a `test` run as GitHub-flavoured Markdown, for a CI job summary
//! (`$GITHUB_STEP_SUMMARY`): a verdict line, one table row per profile, then each failure's cause
//! and fixes. Every text from a profile or a server is escaped, so it shows as text and never as
//! markup. A pure renderer: it returns a string and writes nothing.

use super::ci_report::{tally, Case};

/// The whole Markdown summary for `cases`.
pub fn summary(cases: &[Case]) -> String {
    let (total, failed, errors) = tally(cases);
    let bad = failed + errors;
    let mut out = Vec::new();
    out.push(if bad == 0 {
        format!("### ✅ halo-connect test: {} passed", profiles(total))
    } else {
        format!(
            "### ❌ halo-connect test: {bad} of {} failed",
            profiles(total)
        )
    });
    out.push(String::new());
    out.push("| | Profile | Preset | Result | Exit code | Time |".into());
    out.push("| --- | --- | --- | --- | --- | --- |".into());
    for c in cases {
        let (mark, result) = match c.failure() {
            None => ("✅", "passed".to_string()),
            Some(f) => {
                let what = if c.ran() { "failed" } else { "not run" };
                let code = f.code.map(|c| format!(": {}", md(c))).unwrap_or_default();
                ("❌", format!("{what} ({}{code})", md(f.kind)))
            }
        };
        out.push(format!(
            "| {mark} | {} | {} | {result} | {} | {} ms |",
            md(c.profile()),
            c.preset().map(md).unwrap_or_else(|| "—".into()),
            c.exit_code(),
            c.elapsed_ms()
        ));
    }
    for c in cases {
        let Some(f) = c.failure() else { continue };
        out.push(String::new());
        out.push(format!("#### ❌ {}", md(c.profile())));
        out.push(String::new());
        out.push(format!("**Cause:** {}", md(f.message)));
        for d in f.details {
            out.push(format!("- {}", md(d)));
        }
        for (i, fix) in f.fixes.iter().enumerate() {
            out.push(String::new());
            let label = if i == 0 { "Fix" } else { "Also" };
            out.push(format!("**{label}:** {}", md(fix)));
        }
        let rows = c.rows();
        if !rows.is_empty() {
            out.push(String::new());
            out.push("| Check | Result |".into());
            out.push("| --- | --- |".into());
            for (name, verdict) in rows {
                out.push(format!("| {} | {verdict} |", md(name)));
            }
        }
    }
    out.push(String::new());
    out.join("\n")
}

fn profiles(n: usize) -> String {
    if n == 1 {
        "1 profile".into()
    } else {
        format!("{n} profiles")
    }
}

/// Markdown text that renders as itself. Every character that can start markup in the middle of
/// a line is backslash-escaped (CommonMark's escape for ASCII punctuation): emphasis and code
/// (`* _ ~ \``), links (`[ ]`), HTML and entities (`< > &`), table cells (`|`) and the backslash
/// itself. Line breaks and other control characters become spaces: a cell is one line, and no
/// line of ours starts with the escaped text, so line-start markup (`#`, `-`, `1.`) cannot form.
/// GitHub's autolinks cannot form either: every `:` (`https://`, `mailto:`) and `@` (an e-mail
/// address) is escaped, and so is the `.` of `www.`, so a server's text never becomes a link.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        let www_dot = c == '.' && out.to_ascii_lowercase().ends_with("www");
        if www_dot
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '&' | '|' | ':' | '@'
            )
        {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else if crate::domain::printable::is_hidden(c) {
            // Bidi controls, zero-width and tag characters: nothing to show, so nothing kept.
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::ci_report::fixtures::*;
    use super::*;

    #[test]
    fn markup_in_a_message_is_escaped() {
        assert_eq!(md("a|b <x> *y*\nz"), "a\\|b \\<x\\> \\*y\\* z");
        assert_eq!(md("[a](b) `c` &lt; \\"), "\\[a\\](b) \\`c\\` \\&lt; \\\\");
        assert_eq!(md("Halo's 127.0.0.1: ok"), "Halo's 127.0.0.1\\: ok");
    }

    /// Finding 17: an `error_description` naming a phishing address must not become a link in
    /// the job summary: no `scheme:`, `www.` or `name@host` is left for GitHub to autolink.
    #[test]
    fn a_servers_addresses_are_not_left_for_github_to_autolink() {
        let phish =
            "Re-authenticate at https://halo-support.evil.example/login, WWW.evil.example, \
                     mailto:x@evil.example or help@evil.example";
        let out = md(phish);
        // What is left once every backslash-escaped character is taken out: no link can start.
        let unescaped = out.replace("\\:", "").replace("\\@", "").replace("\\.", "");
        for autolink in [":", "@", "www.", "WWW."] {
            assert!(!unescaped.contains(autolink), "{autolink} left in {out}");
        }
        assert!(
            out.contains("https\\://halo-support.evil.example/login"),
            "{out}"
        );
    }

    #[test]
    fn a_pass_is_one_line_and_a_table() {
        let a = passed();
        let text = summary(&[Case::Checked(&a)]);
        assert!(text.starts_with("### ✅ halo-connect test: 1 profile passed\n"));
        assert!(!text.contains("Cause"));
    }

    #[test]
    fn a_summary_of_three_cases() {
        let (a, b) = (passed(), refused());
        let details = vec!["the Client ID (HALO_CLIENT_ID)".to_string()];
        let text = summary(&[
            Case::Checked(&a),
            Case::Checked(&b),
            Case::NotRun(not_run(&details)),
        ]);
        insta::assert_snapshot!(text);
    }
}
