//! One way in: every command that needs a connection (`init`'s flag path and its wizard, `test`,
//! `test --from-env`, `test --all`, `token`, `secret set`) turns its `Origin` (flags over a stored
//! profile, the wizard's answers, the environment alone, a stored profile, or the sandbox) into
//! one `Connection` here: the raw values
//! in precedence order, the secret, the trust set, discovery by one rule, and `domain::values`'
//! validation. It says every environment override on stderr before any request. It does not test,
//! save or print a report.

use std::path::{Path, PathBuf};

use crate::cli::ValueArgs;
use crate::domain::binding::Binding;
use crate::domain::field::{env, Channel, Field, ValueError};
use crate::domain::preset::Preset;
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::domain::secret::Secret;
use crate::domain::values::{
    check_secret, discovery_base, validate, Discovery, RawValues, Source, Validated,
};
use crate::error::AppError;
use crate::halo::check::discover;
use crate::sandbox::Sandbox;

use super::session::Trust;
use super::Ctx;

mod raw;
mod select;
pub use raw::{init_raw, raw_from_env, raw_from_profile, raw_from_sandbox};
pub use select::{select, Selection};

/// Where a connection's values come from.
pub enum Origin<'a> {
    /// `init` without prompts: flags and environment, then the sandbox, then the stored profile.
    Init {
        values: &'a ValueArgs,
        stored: Option<&'a Profile>,
        sandbox: Option<&'a Sandbox>,
    },
    /// `init` on a terminal: the wizard's answers, each keeping where it came from. A secret kept
    /// from the store carries its binding (and whether it is bound yet), so it goes only where it
    /// was tested.
    Wizard {
        values: &'a RawValues,
        secret: &'a Secret,
        sandbox: Option<&'a Sandbox>,
        stored_binding: Option<(Binding, bool)>,
    },
    /// `test --from-env`: the `HALO_*` variables alone.
    Env,
    /// A stored profile. With `env_overrides`, `HALO_*` variables replace its values (said on
    /// stderr); `test --all` tests each profile as stored.
    Profile {
        profile: &'a Profile,
        env_overrides: bool,
    },
    /// The sandbox's own values (a sandbox profile, or `--sandbox`).
    Sandbox(&'a Sandbox),
    /// A stored profile as stored, with a new secret to try (`secret set`).
    Rotate {
        profile: &'a Profile,
        secret: &'a Secret,
    },
}

/// A connection ready to test: validated settings, the secret, and what to trust.
pub struct Connection {
    pub profile: String,
    pub preset: Preset,
    pub validated: Validated,
    pub secret: Secret,
    pub trust: Trust,
    /// Whether a stored profile exists to record the result in.
    pub stored: bool,
    /// Changes made to the values, for the report.
    pub notes: Vec<String>,
    /// The stored secret was not bound yet: a passing test binds it (`Ctx::bind_after_pass`).
    pub bind_after_pass: bool,
}

/// What an origin gives before validation.
struct Inputs {
    raw: RawValues,
    secret: Option<(Secret, Source)>,
    trust: Trust,
    /// Refusals say how to give a value in this origin's terms.
    wording: Channel,
    /// When the secret is a stored one: the binding the values in effect must have, and whether
    /// the store already holds it (else a passing test binds it).
    stored_binding: Option<(Binding, bool)>,
}

impl Origin<'_> {
    fn inputs(&self, ctx: &Ctx, name: &str) -> Result<Inputs, AppError> {
        match self {
            Origin::Init {
                values,
                stored,
                sandbox,
            } => {
                let mut stored_binding = None;
                let secret = match super::secret_from_inputs(ctx, values)? {
                    Some(s) => Some(s),
                    None => match (sandbox, stored.filter(|p| !p.sandbox)) {
                        (Some(sb), _) => Some((emulator_secret(sb), Source::Sandbox)),
                        (None, Some(p)) => match ctx.stored_secret_fit(name, p)? {
                            Some((s, bound)) => {
                                stored_binding = Some((p.binding(), bound));
                                Some((s, Source::Stored))
                            }
                            None => None,
                        },
                        (None, None) => None,
                    },
                };
                Ok(Inputs {
                    raw: init_raw(ctx, values, *sandbox, *stored),
                    secret,
                    trust: init_trust(ctx, *sandbox),
                    wording: Channel::Flags,
                    stored_binding,
                })
            }
            Origin::Wizard {
                values,
                secret,
                sandbox,
                stored_binding,
            } => Ok(Inputs {
                raw: (*values).clone(),
                secret: Some(((*secret).clone(), Source::Prompt)),
                trust: init_trust(ctx, *sandbox),
                wording: Channel::Flags,
                stored_binding: stored_binding.clone(),
            }),
            Origin::Env => Ok(Inputs {
                raw: raw_from_env(ctx),
                secret: env_secret(ctx),
                trust: Trust::file(ctx.global.ca_cert.as_deref()),
                wording: Channel::Env,
                stored_binding: None,
            }),
            Origin::Sandbox(sb) => Ok(Inputs {
                raw: raw_from_sandbox(sb),
                // HALO_CLIENT_SECRET lets a test send the sandbox a wrong secret on purpose.
                secret: env_secret(ctx).or(Some((emulator_secret(sb), Source::Sandbox))),
                trust: Trust {
                    ca_file: None,
                    ca_pem: sb.ca_pem(),
                },
                wording: Channel::Flags,
                stored_binding: None,
            }),
            Origin::Profile {
                profile,
                env_overrides,
            } => profile_inputs(ctx, name, profile, *env_overrides),
            Origin::Rotate { profile, secret } => Ok(Inputs {
                raw: raw_from_profile(profile),
                secret: Some(((*secret).clone(), Source::Prompt)),
                trust: Trust::file(
                    ctx.global
                        .ca_cert
                        .as_deref()
                        .or(profile.ca_cert.as_deref().map(std::path::Path::new)),
                ),
                wording: Channel::Flags,
                stored_binding: None,
            }),
        }
    }
}

/// A stored profile's Client Secret, read without a test: the emulator's for a sandbox profile
/// (`HALO_SANDBOX_SECRET` or its public demo secret), `HALO_CLIENT_SECRET` for a profile that
/// stores none, else its store's, only if it was stored for the profile's own servers.
pub fn profile_secret(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
) -> Result<Option<Secret>, AppError> {
    match profile.secret_store {
        SecretStoreKind::None if profile.sandbox => Ok(Some(super::sandbox_secret(ctx))),
        SecretStoreKind::None => Ok(env_secret(ctx).map(|(s, _)| s)),
        _ => ctx.stored_secret(name, profile),
    }
}

/// The Client Secret a running emulator accepts.
pub fn emulator_secret(sb: &Sandbox) -> Secret {
    Secret::new(sb.client_secret().expose())
}

/// What `init` trusts, asked or not: `--ca-cert`, and the sandbox's own CA.
pub fn init_trust(ctx: &Ctx, sandbox: Option<&Sandbox>) -> Trust {
    Trust {
        ca_file: ctx.global.ca_cert.clone(),
        ca_pem: sandbox.and_then(|s| s.ca_pem()),
    }
}

/// `HALO_CLIENT_SECRET`, the one reader of it.
pub fn env_secret(ctx: &Ctx) -> Option<(Secret, Source)> {
    ctx.env
        .get(env::CLIENT_SECRET)
        .map(|s| (Secret::new(s), Source::Env))
}

/// A stored profile's values; `HALO_*` variables override them when allowed, each said on stderr
/// before any request is made.
fn profile_inputs(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    env_overrides: bool,
) -> Result<Inputs, AppError> {
    let overrides = if env_overrides {
        RawValues {
            url: None,
            ..raw_from_env(ctx)
        }
    } else {
        RawValues::default()
    };
    for (field, v) in [
        (Field::ResourceServer, &overrides.resource_server),
        (Field::AuthServer, &overrides.auth_server),
        (Field::Tenant, &overrides.tenant),
        (Field::ClientId, &overrides.client_id),
    ] {
        if v.is_some() {
            ctx.term.warn(&format!(
                "{} overrides the {} stored in profile `{name}`.",
                field.env_var().unwrap_or_default(),
                field.label()
            ));
        }
    }
    // A profile that stores no secret takes HALO_CLIENT_SECRET always: that is its store.
    let takes_env_secret = env_overrides || profile.secret_store == SecretStoreKind::None;
    let mut stored_binding = None;
    let secret = match env_secret(ctx).filter(|_| takes_env_secret) {
        Some(s) => {
            if profile.secret_store != SecretStoreKind::None {
                ctx.term.warn(&format!(
                    "{} overrides the secret in the {} store.",
                    env::CLIENT_SECRET,
                    profile.secret_store
                ));
            }
            s
        }
        None => match ctx.stored_secret_fit(name, profile)? {
            // A stored secret, and a token minted with it, go only where it was tested: another
            // Authorization Server, Resource Server or Client ID from the environment must come
            // with its own secret.
            Some(_)
                if overrides.auth_server.is_some()
                    || overrides.client_id.is_some()
                    || overrides.resource_server.is_some() =>
            {
                let var = if overrides.auth_server.is_some() {
                    env::AUTH_SERVER
                } else if overrides.client_id.is_some() {
                    env::CLIENT_ID
                } else {
                    env::RESOURCE_SERVER
                };
                return Err(AppError::config(format!(
                    "{var} overrides profile `{name}`, so its stored Client Secret is not used: it, and a token minted with it, go only to the Authorization Server, Resource Server and Client ID it was saved with"
                ))
                .with_hint(format!(
                    "give the secret for that application too ({} or --client-secret-stdin), or unset {var}",
                    env::CLIENT_SECRET
                )));
            }
            Some((s, bound)) => {
                stored_binding = Some((profile.binding(), bound));
                (s, Source::Stored)
            }
            None if profile.secret_store == SecretStoreKind::None => {
                return Err(AppError::config(format!(
                    "profile `{name}` keeps no secret (secret store: none)"
                ))
                .with_hint(format!(
                    "set {} to the application's Client Secret",
                    env::CLIENT_SECRET
                )));
            }
            None => {
                return Err(AppError::config(format!(
                    "no Client Secret is stored for profile `{name}` in the {} store",
                    profile.secret_store
                ))
                .with_hint(format!(
                    "set {}, or run `halo-connect init --profile {name} --force` to store it again",
                    env::CLIENT_SECRET
                )));
            }
        },
    };
    Ok(Inputs {
        raw: overrides.or(raw_from_profile(profile)),
        secret: Some(secret),
        trust: Trust {
            ca_file: ctx
                .global
                .ca_cert
                .clone()
                .or_else(|| profile.ca_cert.as_deref().map(PathBuf::from)),
            ca_pem: None,
        },
        wording: Channel::Flags,
        stored_binding,
    })
}

/// Resolves an origin into a connection: discovery when an address was given, then validation of
/// every value at once.
pub fn resolve(
    ctx: &Ctx,
    name: &str,
    origin: Origin,
    preset: Preset,
    stored: bool,
) -> Result<Connection, AppError> {
    resolve_at_fault(ctx, name, origin, preset, stored).map_err(|(e, _)| e)
}

/// `resolve`, and on a refusal the value at fault when one is (the wizard asks it again).
pub fn resolve_at_fault(
    ctx: &Ctx,
    name: &str,
    origin: Origin,
    preset: Preset,
    stored: bool,
) -> Result<Connection, (AppError, Option<Field>)> {
    let at = |field: Field| move |e: AppError| (e, Some(field));
    let inputs = origin.inputs(ctx, name).map_err(|e| (e, None))?;
    let discovery = discover_for(ctx, &inputs.raw, &inputs.trust).map_err(|e| (e, None))?;
    let mut errors: Vec<ValueError> = Vec::new();
    let validated = validate(&inputs.raw, discovery.as_ref())
        .map_err(|e| errors.extend(e))
        .ok();
    let secret = match inputs.secret {
        Some((s, _)) => check_secret(s).map_err(|e| errors.push(e)).ok(),
        None => {
            errors.push(ValueError::missing(Field::ClientSecret));
            None
        }
    };
    if let Some(first) = errors.first().map(|e| e.field) {
        return Err((AppError::from_values(errors, inputs.wording), Some(first)));
    }
    let (Some(validated), Some((secret, secret_notes))) = (validated, secret) else {
        return Err((AppError::internal("validation passed without values"), None));
    };
    if let Some((want, _)) = &inputs.stored_binding {
        in_effect_fits(name, &validated, want).map_err(at(Field::ClientSecret))?;
    }
    moved_by_discovery(ctx, &validated).map_err(at(Field::AuthServer))?;
    let mut notes: Vec<String> = validated.notes.iter().map(|n| n.to_string()).collect();
    notes.extend(secret_notes.iter().map(|n| n.to_string()));
    Ok(Connection {
        profile: name.to_string(),
        preset,
        validated,
        secret,
        trust: inputs.trust,
        stored,
        notes,
        bind_after_pass: inputs.stored_binding.is_some_and(|(_, bound)| !bound),
    })
}

/// A stored secret goes only to the servers and Client ID it was tested with, whatever put other
/// values in effect (flags, `HALO_*` variables, an address and its discovery): those need their
/// own secret. Checked before any request carries the secret.
fn in_effect_fits(name: &str, v: &Validated, want: &Binding) -> Result<(), AppError> {
    let s = &v.settings;
    let fields = [
        (Field::AuthServer, s.auth_server.as_str(), &want.auth_server),
        (
            Field::ResourceServer,
            s.resource_server.as_str(),
            &want.resource_server,
        ),
        (Field::ClientId, s.client_id.as_str(), &want.client_id),
    ];
    let got = Binding::of(fields[0].1, fields[1].1, fields[2].1);
    if got == *want {
        return Ok(());
    }
    let mut said = Vec::new();
    let mut givers = Vec::new();
    for (field, value, stored) in fields {
        let normal = match field {
            Field::AuthServer => &got.auth_server,
            Field::ResourceServer => &got.resource_server,
            _ => &got.client_id,
        };
        if normal == stored {
            continue;
        }
        let from = match v.sources.get(&field) {
            Some(Source::Env) => format!("from {}", field.env_var().unwrap_or_default()),
            Some(Source::Flag) => format!("from {}", field.flag_name()),
            Some(Source::Discovered) => "discovered from the Halo address".to_string(),
            Some(Source::Derived) => "derived from the Halo address".to_string(),
            Some(other) => format!("from the {other}"),
            None => "in effect".to_string(),
        };
        givers.push(match v.sources.get(&field) {
            Some(Source::Env) => field.env_var().unwrap_or_default().to_string(),
            Some(Source::Flag) => field.flag_name().to_string(),
            _ => format!("{} ({})", Field::Url.flag_name(), env::URL),
        });
        said.push(format!("the {} {value} ({from})", field.label()));
    }
    givers.dedup();
    Err(AppError::config(format!(
        "profile `{name}`'s stored Client Secret was tested with other values than {}, so neither it nor a token minted with it is sent there",
        said.join(", ")
    ))
    .with_hint(format!(
        "give the Client Secret of that application with them (--client-secret-stdin, --client-secret-file or {}), or leave out {}",
        env::CLIENT_SECRET,
        givers.join(" and ")
    )))
}

/// The one discovery rule (`domain::values::discovery_base`): ask `<host>/api/authinfo` when an
/// address was given without the Authorization Server or Tenant, or when no Tenant was given and
/// the Authorization Server is on another host than the Resource Server (a shared Authorization
/// Server picks the instance by its Tenant). A failed discovery leaves the derived defaults.
pub fn discover_for(
    ctx: &Ctx,
    raw: &RawValues,
    trust: &Trust,
) -> Result<Option<Discovery>, AppError> {
    let Some(base) = discovery_base(raw) else {
        return Ok(None);
    };
    let session = ctx.session()?;
    let client = session.client(trust)?;
    match session.block_on(discover(&client, &base)) {
        Ok(d) => Ok(Some(d)),
        Err(why) => {
            if ctx.term.verbose > 0 {
                ctx.term.info(&format!(
                    "discovery failed ({why}); using the values derived from the address"
                ));
            }
            Ok(None)
        }
    }
}

/// Says when authinfo moved the Authorization Server (where the secret goes) to another origin
/// than the Resource Server's, and refuses a move from https:// to plain http://: the secret would
/// leave encrypted transport on a server's word.
fn moved_by_discovery(ctx: &Ctx, v: &Validated) -> Result<(), AppError> {
    if v.sources.get(&Field::AuthServer) != Some(&Source::Discovered) {
        return Ok(());
    }
    let rs = v.settings.resource_server.url();
    let Ok(auth) = url::Url::parse(v.settings.auth_server.as_str()) else {
        return Ok(());
    };
    if rs.scheme() == "https" && auth.scheme() == "http" {
        return Err(AppError::config(format!(
            "Halo's authinfo names the Authorization Server {}, over plain http://, for a Halo reached over https://; the Client Secret is not sent there",
            auth.as_str()
        ))
        .with_hint(format!(
            "give the Authorization Server with {}, over https:// as API Details shows it",
            Field::AuthServer.flag()
        )));
    }
    if rs.origin() != auth.origin() {
        ctx.term.warn(&format!(
            "Halo's authinfo names the Authorization Server {}, on another host than the Resource Server {}: the Client Secret goes there.",
            auth.as_str(),
            v.settings.resource_server.as_str()
        ));
    }
    Ok(())
}

/// The --ca-cert path as stored in a profile: absolute, so `test` works from any directory.
pub fn absolute_ca(path: Option<&Path>) -> Option<String> {
    let p = path?;
    Some(
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .display()
            .to_string(),
    )
}
