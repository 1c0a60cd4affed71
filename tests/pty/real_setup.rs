//! The README's two paths in a pseudo-terminal, typed as an operator types them: the tour's Enter
//! at every question, the real setup's questions and keys with the checklists skipped, and the
//! Tenant derived from the hosting chosen when the address does not answer.

use crate::common::pty::{Pty, DOWN};
use crate::common::{sandbox, TestEnv, CANARY};
use halo_connect::sandbox::Scenario;

/// Questions the skip-checklists path asks, at most: preset, hosting, the three checklists, the
/// address, "Use these three values?", the Client ID and the Client Secret. (`gh auth login` asks
/// 3 to 4, `aws configure` 4; a newcomer counted about 10 here.)
const MAX_ANSWERS: usize = 9;
/// Keys the skip-checklists path takes, at most: an Enter per question and an arrow key at each
/// checklist to reach "I already have one". A pasted value counts as its Enter only.
const MAX_KEYS: usize = 12;

/// The README's real setup, `halo-connect init`, with "I already have one" at each checklist, the
/// sandbox standing in for a real Halo (its address, Client ID and secret are pasted as they would
/// be from Halo's pages). `--secret-store file` keeps the count the same on every machine: without
/// it, a machine with no OS keyring asks where to keep the secret (one question more).
#[test]
fn the_readme_real_setup_with_checklists_skipped_takes_nine_answers_and_twelve_keys() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut w = Pty::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.paste("Halo address", &sb.base_url())
        .at("Use these three values?", "\r")
        .paste("Client ID", sb.client_id())
        .paste("Client Secret", CANARY);
    w.at("Save and Test passed", "")
        .at("Saved profile `default`", "");
    assert_eq!(w.finish(), 0);
    eprintln!(
        "the skip-checklists path: {} answers, {} keys, {} of the answers pasted",
        w.answers, w.keys, w.pastes
    );
    assert!(
        w.answers <= MAX_ANSWERS,
        "{} questions, more than {MAX_ANSWERS}:\n{}",
        w.answers,
        w.out
    );
    assert!(
        w.keys <= MAX_KEYS,
        "{} keys, more than {MAX_KEYS}:\n{}",
        w.keys,
        w.out
    );
    assert_eq!(w.pastes, 3, "the address, the Client ID and the secret");
    let cfg = env.config_text();
    assert!(
        cfg.contains(&format!("client_id = \"{}\"", sb.client_id())),
        "{cfg}"
    );
    assert!(cfg.contains("hosting = \"hosted\""), "{cfg}");
}

/// An address whose name is not found is said as such when typed; going on with the values
/// derived from it, the Tenant follows the README's rule: the host's first label when "Hosted by
/// Halo" was chosen (a custom domain too), "Not set" on-premise.
#[test]
fn a_derived_tenant_follows_the_hosting_chosen() {
    let on_premise = format!("{DOWN}\r");
    for (hosting, tenant) in [("\r", "acme"), (on_premise.as_str(), "Not set")] {
        let env = TestEnv::new();
        let mut w = Pty::start(&env, &["init", "--secret-store", "file", "--timeout", "3"]);
        w.at("Preset", "\r")
            .at("Hosting", hosting)
            .skip_checklists();
        w.at("Halo address", "https://acme.invalid\r")
            .at("could not be found", "")
            .at("did not check out", &format!("{DOWN}\r"))
            .at("Use these three values?", "\x03");
        assert_eq!(w.finish(), 130);
        let shown = &w.out[w.out.rfind("Derived from").expect("derived values shown")..];
        assert!(
            shown.contains(&format!("Tenant                {tenant}")),
            "hosting {hosting:?}: {shown}"
        );
    }
}

/// The README's tour, `init --sandbox` with Enter at every question: "about 40" Enters, most of them
/// the checklists' steps, and it ends in a tested, saved sandbox profile that becomes the default.
#[test]
fn the_readme_tour_takes_an_enter_at_each_of_about_forty_questions() {
    let env = TestEnv::new();
    let preset = halo_connect::domain::preset::lookup("billing")
        .unwrap()
        .clone();
    let mut w = Pty::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r").at("Hosting", "\r");
    for (list, steps) in [
        ("Role checklist", &preset.role),
        ("Agent checklist", &preset.agent),
        ("Application checklist", &preset.application),
    ] {
        w.at(list, "\r");
        for s in steps {
            w.at(&format!("Done: {}?", s.setting), "\r");
        }
    }
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r")
        .at("Save and Test passed", "")
        .at("is the default now", "")
        .at("Saved sandbox profile `sandbox`", "");
    assert_eq!(w.finish(), 0);
    eprintln!("the tour: {} Enters", w.keys);
    assert_eq!(w.keys, w.answers, "only Enter was pressed");
    assert!(
        (35..=45).contains(&w.keys),
        "{} Enters, not about 40",
        w.keys
    );
}
