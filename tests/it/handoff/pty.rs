//! Pseudo-terminal runs of the hand-off: the card after `init --sandbox`, the applications page
//! as a link, and a terminal stdout refused for `export --with-secret`.

use crate::common::pty::{Pty, DOWN};
use crate::common::*;

#[test]
fn init_sandbox_ends_with_the_card_and_names_the_applications_page() {
    let env = TestEnv::new();
    let mut w = Pty::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r")
        .at("Hosting", "\r")
        .at("Role checklist", &format!("{DOWN}\r"))
        .at("Agent checklist", &format!("{DOWN}\r"))
        .at("/config/integrations/api/applications", "")
        .at("Application checklist", &format!("{DOWN}\r"))
        .at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
    let out = &w.out;
    assert!(
        out.contains("Halo's page for it (View Applications): http://127.0.0.1:"),
        "{out}"
    );
    assert!(
        !out.contains("\x1b]8;;"),
        "no hyperlink unless the terminal shows them"
    );
    let card = out
        .split("What to type into the integration's form, from profile `sandbox`")
        .nth(1)
        .unwrap_or_else(|| panic!("no card after init:\n{out}"));
    for text in [
        "forms say: Resource Server, Resource Server URL, Resource Server Hostname",
        "with the final \"/\"",
        "without the final \"/\"",
        "host name alone",
        "last 4 characters       ••••••••4n42",
        "Access Token URL",
    ] {
        assert!(card.contains(text), "no {text:?} in the card:\n{card}");
    }
}

#[test]
fn a_terminal_that_shows_hyperlinks_gets_one() {
    let env = TestEnv::new();
    let mut w = Pty::start_with(&env, &["init", "--sandbox"], &[("FORCE_HYPERLINK", "1")]);
    w.at("Preset", "\r")
        .at("Hosting", "\r")
        .at("Role checklist", &format!("{DOWN}\r"))
        .at("Agent checklist", &format!("{DOWN}\r"))
        .at("Application checklist", "\x03");
    assert_eq!(w.finish(), 130);
    let link = w
        .out
        .split("\x1b]8;;")
        .nth(1)
        .unwrap_or_else(|| panic!("no OSC 8 link:\n{:?}", w.out));
    assert!(
        link.starts_with("http://127.0.0.1:")
            && link.contains("/config/integrations/api/applications\x1b\\http://127.0.0.1:"),
        "{link:?}"
    );
}

#[test]
fn export_with_secret_refuses_a_terminal() {
    let env = super::hosted("billing");
    let mut p = Pty::start(&env, &["export", "acme", "--with-secret"]);
    assert_eq!(p.finish(), 2);
    assert!(p.out.contains("on this terminal"), "{}", p.out);
    assert!(p.out.contains("--output FILE"), "{}", p.out);
    // Without the secret a terminal is fine.
    let mut p = Pty::start(&env, &["export", "acme"]);
    assert_eq!(p.finish(), 0);
    assert!(p.out.contains("export HALO_CLIENT_ID="), "{}", p.out);
}
