//! The wizard's questions about the Client Secret: where it is kept (the keyring probed first),
//! and the secret itself: one given by stdin, file or environment is used, a stored one is offered
//! masked only while the values in effect are those it was tested with, and every answer is
//! checked by the domain's `check_secret`. Asks only through the `Prompter`.

use halo_connect_core::binding::Binding;
use halo_connect_core::field::env;
use halo_connect_core::profile::SecretStoreKind;
use halo_connect_core::secret::Secret;
use halo_connect_core::values::{check_secret, Validated};

use super::ports::{Prompter, Services};
use super::{Draft, Res};

pub(super) fn ask_store(
    draft: &Draft,
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<SecretStoreKind> {
    if let Some(s) = draft.store {
        return Ok(s);
    }
    if draft.sandbox {
        p.say("The sandbox knows its own secret, so this profile stores none.");
        return Ok(SecretStoreKind::None);
    }
    match svc.keyring() {
        Ok(()) => Ok(SecretStoreKind::Keyring),
        Err(why) => {
            p.heading("5. Where to keep the Client Secret");
            p.say(&format!("No OS keyring answered ({why})."));
            let options = vec![
                "A file only you can read (mode 0600), next to the config".to_string(),
                format!(
                    "Nowhere: I will set {} whenever I use this profile",
                    env::CLIENT_SECRET
                ),
            ];
            Ok(if p.select("Secret store", &options, 0)? == 0 {
                SecretStoreKind::File
            } else {
                SecretStoreKind::None
            })
        }
    }
}

/// Whether validated values are the ones a stored secret was tested with.
pub(super) fn fits(b: &Binding, v: &Validated) -> bool {
    let s = &v.settings;
    Binding::of(
        s.auth_server.as_str(),
        s.resource_server.as_str(),
        &s.client_id,
    ) == *b
}

/// The draft without its stored secret, said: the values in effect are not those it was tested
/// with, so it is not sent to them.
pub(super) fn without_stored(draft: &Draft, p: &mut dyn Prompter) -> Draft {
    p.say("The stored Client Secret was tested with other servers or another Client ID, so it is not sent to these: paste the Client Secret of this application.");
    Draft {
        secret: None,
        stored_secret: None,
        ..draft.clone()
    }
}

/// The secret, and whether it is the stored one kept by Enter (only that one is held to the
/// servers it was tested with: a secret the operator pastes goes where the operator says).
pub(super) fn ask_secret(draft: &Draft, p: &mut dyn Prompter) -> Res<(Secret, bool)> {
    if let Some(s) = &draft.secret {
        p.say(&format!(
            "Using the Client Secret given by stdin, file or {}.",
            env::CLIENT_SECRET
        ));
        return Ok((s.clone(), false));
    }
    let keep = draft
        .stored_secret
        .as_ref()
        .map(|(s, _)| s)
        .or(draft.sandbox_secret.as_ref());
    let question = match (&draft.stored_secret, &draft.sandbox_secret) {
        (Some((s, _)), _) => format!("Client Secret (hidden; Enter keeps {})", s.masked()),
        (None, Some(_)) => {
            "Client Secret (hidden; Enter uses the sandbox's demo secret)".to_string()
        }
        (None, None) => {
            "Client Secret (hidden; paste it, it was shown once when the application was created)"
                .to_string()
        }
    };
    loop {
        let typed = p.secret(&question)?;
        let kept = typed.expose().trim().is_empty();
        let candidate = if kept {
            match keep {
                Some(k) => k.clone(),
                None => {
                    p.say("The Client Secret is required: copy it from the application, or make a new one there.");
                    continue;
                }
            }
        } else {
            typed
        };
        match check_secret(candidate) {
            Ok((s, notes)) => {
                for n in notes {
                    p.say(&format!("Note: {n}."));
                }
                return Ok((s, kept && draft.stored_secret.is_some()));
            }
            Err(e) => p.say(&format!("{e}.")),
        }
    }
}
