//! `--junit FILE`: the cases of a `test` run as JUnit XML, one `<testcase>` per profile. A check
//! that ran and failed is a `<failure>`; one that could not start is an `<error>`; each carries the
//! cause and every fix. quick-xml does the escaping; this file only drops the characters XML 1.0
//! cannot hold at all. A pure renderer: it returns a string and writes nothing.

use std::borrow::Cow;
use std::io;

use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::ci_report::{tally, Case, Failure};

/// The whole JUnit document for `cases`.
pub fn junit(cases: &[Case]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; an error here would be quick-xml's bug, and the
    // document would still be the part written so far.
    let _ = document(&mut w, cases);
    let mut xml = String::from_utf8(w.into_inner()).unwrap_or_default();
    xml.push('\n');
    xml
}

fn document(w: &mut Writer<Vec<u8>>, cases: &[Case]) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (tests, failures, errors) = tally(cases);
    let (tests, failures, errors) = (tests.to_string(), failures.to_string(), errors.to_string());
    // The profiles are tested concurrently: the run took as long as its slowest.
    let time = seconds(cases.iter().map(Case::elapsed_ms).max().unwrap_or(0));
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", errors.as_str()),
        ("time", time.as_str()),
    ];
    w.create_element("testsuites")
        .with_attribute(("name", "halo-connect"))
        .with_attributes(counts)
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attribute(("name", "halo-connect test"))
                .with_attributes(counts)
                .with_attribute(("skipped", "0"))
                .write_inner_content(|w| cases.iter().try_for_each(|c| testcase(w, c)))?;
            Ok(())
        })?;
    Ok(())
}

fn testcase(w: &mut Writer<Vec<u8>>, case: &Case) -> io::Result<()> {
    let name = xml_chars(case.profile());
    let time = seconds(case.elapsed_ms());
    w.create_element("testcase")
        .with_attribute(("name", name.as_ref()))
        .with_attribute(("classname", "halo-connect"))
        .with_attribute(("time", time.as_str()))
        .write_inner_content(|w| {
            if let Some(f) = case.failure() {
                let element = if case.ran() { "failure" } else { "error" };
                let kind = match f.code {
                    Some(code) => format!("{}/{code}", f.kind),
                    None => f.kind.to_string(),
                };
                let message = xml_chars(f.message);
                let body = failure_text(case, &f);
                w.create_element(element)
                    .with_attribute(("message", message.as_ref()))
                    .with_attribute(("type", xml_chars(&kind).as_ref()))
                    .write_text_content(text(&body))?;
            }
            let out = system_out(case);
            if !out.is_empty() {
                w.create_element("system-out")
                    .write_text_content(text(&out))?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The failure's body: the cause, then every fix, as the terminal says them.
fn failure_text(case: &Case, f: &Failure) -> String {
    let mut lines = vec![format!(
        "Profile {} failed with exit code {} ({}).",
        case.profile(),
        case.exit_code(),
        f.kind
    )];
    lines.push(format!("Cause: {}", f.message));
    lines.extend(f.details.iter().map(|d| format!("  {d}")));
    for (i, fix) in f.fixes.iter().enumerate() {
        let label = if i == 0 { "Fix" } else { "Also" };
        lines.push(format!("{label}: {fix}"));
    }
    lines.join("\n")
}

/// The checks that ran, one line each, for a reader of the CI log.
fn system_out(case: &Case) -> String {
    let Case::Checked(r) = case else {
        return String::new();
    };
    let mut lines = vec![
        format!("Preset: {}", r.preset()),
        format!("Resource Server: {}", r.resource_server()),
        format!("Authorization Server: {}", r.auth_server()),
        format!(
            "Tenant: {}",
            r.tenant().unwrap_or(crate::domain::url::NOT_SET)
        ),
    ];
    lines.extend(
        case.rows()
            .into_iter()
            .map(|(name, verdict)| format!("{name}: {verdict}")),
    );
    lines.extend(r.notes().iter().map(|n| format!("Note: {n}")));
    lines.join("\n")
}

/// Element text: `<`, `>` and `&` escaped by quick-xml; quotes need none outside attributes.
fn text(s: &str) -> BytesText<'static> {
    BytesText::from_escaped(partial_escape(xml_chars(s).as_ref()).into_owned())
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Replaces what XML 1.0 cannot carry even escaped (control characters other than tab, newline
/// and carriage return; U+FFFE and U+FFFF) with U+FFFD, so a hostile server's text cannot make
/// the document unreadable.
fn xml_chars(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c < '\u{20}' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if s.chars().any(bad) {
        Cow::Owned(
            s.chars()
                .map(|c| if bad(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ci_report::fixtures::*;
    use super::*;

    #[test]
    fn control_characters_become_replacement_characters() {
        assert_eq!(xml_chars("a\u{1b}b\u{0}\tc\n"), "a\u{FFFD}b\u{FFFD}\tc\n");
        assert!(matches!(xml_chars("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn seconds_have_three_decimals() {
        assert_eq!(seconds(1234), "1.234");
        assert_eq!(seconds(5), "0.005");
    }

    #[test]
    fn a_document_of_three_cases() {
        let (a, b) = (passed(), refused());
        let details = vec!["the Client ID (HALO_CLIENT_ID)".to_string()];
        let xml = junit(&[
            Case::Checked(&a),
            Case::Checked(&b),
            Case::NotRun(not_run(&details)),
        ]);
        insta::assert_snapshot!(xml);
    }
}
