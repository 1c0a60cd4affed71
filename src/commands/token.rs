//! `token`: exchange the profile's credentials for a fresh access token and print it on stdout,
//! and nothing else there, for scripts (`curl -H "Authorization: Bearer $(halo-connect token)"`).

use crate::cli::{TestArgs, TokenArgs};
use crate::error::{AppError, ErrorKind};
use crate::halo::check::exchange_token;
use crate::halo::diagnose::TokenOutcome;

use super::{runtime, Ctx};

pub fn run(ctx: &mut Ctx, args: TokenArgs) -> Result<i32, AppError> {
    let test_args = TestArgs {
        all: false,
        from_env: false,
        sandbox: args.sandbox,
        scenario: None,
        concurrency: 1,
        preset: None,
        ci: Default::default(),
    };
    let mut sandbox = None;
    let target = super::test::resolve_for_token(ctx, &test_args, &mut sandbox)?;
    let client = ctx.client(
        sandbox
            .as_ref()
            .and_then(|s: &crate::sandbox::Sandbox| s.ca_pem()),
        target.ca_cert.as_deref(),
    )?;
    let rt = runtime()?;
    let outcome = rt.block_on(async {
        exchange_token(
            &client,
            &target.settings,
            &target.secret,
            &target.preset.scopes,
        )
        .await
    });
    match outcome {
        TokenOutcome::Issued(t) => {
            if sandbox.is_some() {
                ctx.term.warn("this token comes from the sandbox started for this command, which stops when it exits; it opens nothing else.");
            }
            if ctx.global.json {
                let v = serde_json::json!({
                    "profile": target.profile,
                    "access_token": t.access_token.expose(),
                    "token_type": "Bearer",
                    "expires_in": t.expires_in,
                    "scope": t.scopes,
                });
                ctx.term
                    .out_raw(&serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                ctx.term.out_raw(t.access_token.expose());
            }
            Ok(0)
        }
        TokenOutcome::ScopeRefused(desc) => Err(AppError::new(
            ErrorKind::Permission,
            format!("Halo refused the preset's scopes ({desc})"),
        )
        .with_hint("run `halo-connect test` to see which permission the application lacks")),
        TokenOutcome::Failed(d) => {
            let kind: ErrorKind = d.kind.into();
            Err(AppError::new(kind, d.message).with_hint(d.hint))
        }
    }
}
