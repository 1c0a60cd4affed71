//! The hand-off card as text: warnings first, then one block per value with the labels forms give
//! it, each shape it can take, and the rule for choosing. It returns a string; `Term` decides where
//! it goes. The card holds the Client Secret only masked.

use crate::domain::handoff::{Asks, Handoff, Item, Row};

use super::term::{Paint, Term};

/// The width of the shape column.
const SHAPE_WIDTH: usize = 24;

/// Renders the card.
pub fn card_text(term: &Term, h: &Handoff) -> String {
    let mut out = vec![format!(
        "{} from profile `{}` (preset {})",
        term.paint("What to type into the integration's form,", Paint::Bold),
        h.profile,
        h.preset
    )];
    for w in &h.warnings {
        out.push(format!("{} {w}", term.paint("warning:", Paint::Yellow)));
    }
    if h.asks == Asks::SignInAddress {
        out.push(format!(
            "The {} integration's form asks for one address to sign in at (its \"{}\"), the Client ID and the Client Secret.",
            h.preset,
            Item::SignInAddress.labels()[0]
        ));
    }
    let mut said_unasked = false;
    for r in &h.rows {
        if !r.asked && h.asks == Asks::SignInAddress && !said_unasked {
            out.push(String::new());
            out.push(term.paint(
                "Not asked for by this integration; here for a form that does:",
                Paint::Dim,
            ));
            said_unasked = true;
        }
        row_text(term, r, &mut out);
    }
    out.join("\n")
}

fn row_text(term: &Term, r: &Row, out: &mut Vec<String>) {
    out.push(String::new());
    out.push(format!(
        "{}  {}",
        term.paint(&format!("{:<SHAPE_WIDTH$}", r.item.title()), Paint::Bold),
        term.paint(
            &format!("forms say: {}", r.item.labels().join(", ")),
            Paint::Dim
        )
    ));
    for f in &r.forms {
        let value = if f.value.is_empty() {
            "(leave the field empty)".to_string()
        } else {
            f.value.clone()
        };
        out.push(format!("  {:<w$}{value}", f.shape.label(), w = SHAPE_WIDTH));
    }
    if let Some(place) = &r.stored_in {
        out.push(format!("  {:<w$}{place}", "stored in", w = SHAPE_WIDTH));
    }
    out.push(format!("  {}", r.rule));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::handoff::{Form, Shape};
    use crate::ui::term::{Style, Term};

    fn plain() -> Term {
        Term {
            style: Style {
                color: false,
                color_out: false,
                color_err: false,
                unicode: true,
                hyperlinks: false,
            },
            stdin_tty: false,
            stdout_tty: false,
            stderr_tty: false,
            quiet: false,
            verbose: 0,
            json: false,
        }
    }

    #[test]
    fn an_empty_value_says_to_leave_the_field_empty() {
        let h = Handoff {
            profile: "p".into(),
            preset: "billing".into(),
            hosting: None,
            asks: Asks::ApiDetails,
            warnings: vec!["Careful.".into()],
            rows: vec![Row {
                item: Item::Tenant,
                asked: true,
                forms: vec![
                    Form {
                        shape: Shape::NotSet,
                        value: "Not set".into(),
                    },
                    Form {
                        shape: Shape::Empty,
                        value: String::new(),
                    },
                ],
                rule: "Rule.".into(),
                stored_in: None,
            }],
        };
        let text = card_text(&plain(), &h);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "warning: Careful.");
        assert!(lines[3].starts_with("Tenant "), "{text}");
        assert!(lines[3].ends_with("forms say: Tenant, Tenant ID, Tenant Name"));
        assert_eq!(lines[4], format!("  {:<24}Not set", "on-premise, typed"));
        assert_eq!(
            lines[5],
            format!("  {:<24}(leave the field empty)", "on-premise, left empty")
        );
        assert_eq!(lines[6], "  Rule.");
    }
}
