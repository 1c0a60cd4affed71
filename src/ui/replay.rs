//! The text of `test --as NAME` and of `handoff --for NAME`: the integration's own requests with
//! Halo's answers, and its form filled in, field by field in its order and words, with what the
//! Halo application must have ticked. Strings only; `Term` decides where they go.

use crate::domain::integration::replay::{ReplayReport, Step};
use crate::domain::integration::{AllAdvice, FilledForm, Integration};

use super::term::{Mark, Paint, Term};

fn step_line(term: &Term, s: &Step, extra: &str) -> String {
    let mark = term.mark(if s.ok { Mark::Ok } else { Mark::Fail });
    let status = s
        .status
        .map(|c| c.to_string())
        .unwrap_or_else(|| "no answer".into());
    format!("  {mark} {} {}  {status}{extra}", s.method, s.url)
}

/// `test --as NAME`.
pub fn replay_text(term: &Term, r: &ReplayReport, i: &Integration) -> String {
    let mut out = vec![format!(
        "{} {} for profile `{}`",
        term.paint("Replaying", Paint::Bold),
        i.title,
        r.profile
    )];
    for n in &r.notes {
        out.push(format!("  {n}"));
    }
    if let Some(a) = &r.authinfo {
        out.push(step_line(term, a, ""));
    }
    if let Some(t) = &r.token {
        out.push(step_line(
            term,
            &t.step,
            &format!("  scope \"{}\", {}", t.scope, t.content_type),
        ));
        if !t.granted_scopes.is_empty() {
            out.push(format!("      granted: {}", t.granted_scopes.join(" ")));
        }
    }
    for read in &r.reads {
        out.push(step_line(term, &read.step, &format!("  {}", read.detail)));
    }
    for p in &r.pitfalls {
        let answered = p
            .status
            .map(|c| format!("Halo answers {c}"))
            .unwrap_or_else(|| "no answer comes".into());
        if p.breaks {
            out.push(format!(
                "  {} {}: {} would post to {}, and {answered}. {}",
                term.paint("careful:", Paint::Yellow),
                p.typed,
                i.short_name(),
                p.url,
                p.why
            ));
        } else {
            out.push(format!(
                "  note: {} also reaches Halo's token endpoint ({}, {answered}).",
                p.typed, p.url
            ));
        }
    }
    out.push(String::new());
    match &r.error {
        None => out.push(format!(
            "{} {} gets a token and makes its first reads with these values.",
            term.mark(Mark::Ok),
            i.short_name()
        )),
        Some(e) => {
            out.push(format!(
                "{} {}",
                term.paint("error:", Paint::Red),
                e.message
            ));
            for h in &r.hints {
                out.push(format!("{} {h}", term.paint("fix:", Paint::Bold)));
            }
        }
    }
    out.join("\n")
}

/// `handoff --for NAME`.
pub fn form_text(term: &Term, profile: &str, f: &FilledForm, warnings: &[String]) -> String {
    let i = f.integration;
    let mut out = vec![format!(
        "{} {} (profile `{profile}`, {} Halo)",
        term.paint("What to type into", Paint::Bold),
        i.title,
        f.hosting
    )];
    for w in warnings {
        out.push(format!("{} {w}", term.paint("warning:", Paint::Yellow)));
    }
    out.push(String::new());
    let width = f
        .entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for e in &f.entries {
        let value = if e.hidden {
            "(hidden by the choice above)".to_string()
        } else if e.secret {
            if e.text.is_empty() {
                "(paste it from where you kept it)".to_string()
            } else {
                format!("(paste it; compare its end: {})", e.text)
            }
        } else if e.text.is_empty() {
            "(leave it empty)".to_string()
        } else {
            e.text.clone()
        };
        let pad = width - e.label.chars().count();
        out.push(format!(
            "  {}{}{value}",
            term.paint(&e.label, Paint::Bold),
            " ".repeat(pad)
        ));
        if let Some(why) = &e.why {
            out.push(format!(
                "  {}{}",
                " ".repeat(width),
                term.paint(why, Paint::Dim)
            ));
        }
    }
    out.push(String::new());
    out.push(format!(
        "{} {}",
        term.paint("The Halo application must have ticked:", Paint::Bold),
        i.ticks.join(", ")
    ));
    out.push(format!("  {}", i.ticks_why));
    let all = match i.all {
        AllAdvice::Breaks => term.paint(&i.all_advice(), Paint::Yellow),
        _ => i.all_advice(),
    };
    out.push(format!("  {all}"));
    out.push(format!("  Its test: {}", i.test_button));
    out.join("\n")
}
