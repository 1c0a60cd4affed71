//! `token`: exchange the profile's credentials for a fresh access token and print it on stdout,
//! and nothing else there, for scripts (`curl -H "Authorization: Bearer $(halo-connect token)"`).

use crate::cli::TokenArgs;
use crate::error::{AppError, Kind};
use crate::halo::check::exchange_token;
use crate::halo::diagnose::TokenOutcome;
use crate::ui::json::{self, TokenOutput};

use super::connection::{select, Selection};
use super::Ctx;

pub fn run(ctx: &mut Ctx, args: TokenArgs) -> Result<i32, AppError> {
    let selection = Selection {
        sandbox: args.sandbox,
        ..Selection::default()
    };
    let mut sandbox = None;
    let conn = select(ctx, &selection, &mut sandbox)?;
    let session = ctx.session()?;
    let client = session.client(&conn.trust)?;
    let outcome = session.block_on(exchange_token(
        &client,
        &conn.validated.settings,
        &conn.secret,
        &conn.preset.scopes,
    ));
    match outcome {
        TokenOutcome::Issued(t) if !is_bearer_token(t.access_token.expose()) => Err(AppError::new(
            Kind::Server,
            "the access token the Authorization Server issued has characters no bearer token has (RFC 6750), so it was not printed",
        )
        .with_hint("run `halo-connect test` to see what answers at the Authorization Server")),
        TokenOutcome::Issued(t) => {
            if sandbox.is_some() {
                ctx.term.warn("this token comes from the sandbox started for this command, which stops when it exits; it opens nothing else.");
            }
            if ctx.global.json {
                ctx.term.out_raw(&json::to_string(&TokenOutput {
                    profile: &conn.profile,
                    access_token: t.access_token.expose(),
                    token_type: "Bearer",
                    expires_in: t.expires_in,
                    scope: &t.scopes,
                }));
            } else {
                ctx.term.out_raw(t.access_token.expose());
            }
            Ok(0)
        }
        TokenOutcome::ScopeRefused(desc) => Err(AppError::new(
            Kind::Permission,
            format!("Halo refused the preset's scopes ({desc})"),
        )
        .with_hint("run `halo-connect test` to see which permission the application lacks")),
        TokenOutcome::Failed(d) => {
            let kind: Kind = d.kind();
            Err(AppError::new(kind, d.message).with_hint(d.hint))
        }
    }
}

/// Whether `token` is an RFC 6750 `b64token`: letters, digits and `-._~+/`, then `=` padding.
/// Anything else (an escape sequence, a space, a line break) never reaches a terminal or a header.
fn is_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~+/".contains(c))
}

#[cfg(test)]
mod tests {
    use super::is_bearer_token;

    #[test]
    fn only_rfc_6750_tokens_are_printed() {
        for ok in [
            "abc",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
            "a-b_c~d+e/f==",
            "x=",
        ] {
            assert!(is_bearer_token(ok), "{ok}");
        }
        for bad in ["", "=", "a b", "a\u{1b}]0;x\u{7}", "a\nb", "tök", "a;b"] {
            assert!(!is_bearer_token(bad), "{bad:?}");
        }
    }
}
