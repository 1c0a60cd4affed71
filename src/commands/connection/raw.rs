//! The raw values of each origin, in Halo's words and with their sources: the environment, flags,
//! a stored profile and the sandbox, and `init`'s flags over a stored profile. No validation here.

use crate::cli::ValueArgs;
use crate::domain::profile::Profile;
use crate::domain::url::NOT_SET;
use crate::domain::values::{RawValues, Source, Sourced};
use crate::sandbox::Sandbox;

use super::super::Ctx;
use super::*;

/// The raw values from the `HALO_*` variables.
pub fn raw_from_env(ctx: &Ctx) -> RawValues {
    let s = |field: Field| {
        let var = field.env_var()?;
        ctx.env
            .get(var)
            .map(|v| Sourced::new(v.to_string(), Source::Env))
    };
    RawValues {
        url: s(Field::Url),
        resource_server: s(Field::ResourceServer),
        auth_server: s(Field::AuthServer),
        tenant: s(Field::Tenant),
        client_id: s(Field::ClientId),
    }
}

/// The raw values from flags and environment (clap has merged the two; `source_of` tells them
/// apart).
pub(super) fn raw_from_flags(ctx: &Ctx, v: &ValueArgs) -> RawValues {
    let s =
        |val: &Option<String>, id: &str| val.clone().map(|x| Sourced::new(x, ctx.source_of(id)));
    RawValues {
        url: s(&v.url, "url"),
        resource_server: s(&v.resource_server, "resource_server"),
        auth_server: s(&v.auth_server, "auth_server"),
        tenant: s(&v.tenant, "tenant"),
        client_id: s(&v.client_id, "client_id"),
    }
}

/// The raw values of a stored profile.
pub fn raw_from_profile(p: &Profile) -> RawValues {
    let s = |v: &str| Some(Sourced::new(v.to_string(), Source::Stored));
    RawValues {
        url: None,
        resource_server: s(&p.resource_server),
        auth_server: s(&p.auth_server),
        tenant: Some(Sourced::new(
            p.tenant.clone().unwrap_or_else(|| NOT_SET.into()),
            Source::Stored,
        )),
        client_id: s(&p.client_id),
    }
}

/// The raw values a running sandbox gives.
pub fn raw_from_sandbox(sb: &Sandbox) -> RawValues {
    let s = |v: String| Some(Sourced::new(v, Source::Sandbox));
    RawValues {
        url: None,
        resource_server: s(sb.resource_server()),
        auth_server: s(sb.auth_server()),
        tenant: s(sb.tenant().to_string()),
        client_id: s(sb.client_id().to_string()),
    }
}

/// The stored values that still apply under `init`: a newly given address replaces the stored
/// servers and tenant, which it derives or discovers afresh.
fn stored_raw(p: &Profile, values: &ValueArgs) -> RawValues {
    let mut raw = raw_from_profile(p);
    if values.url.is_some() {
        raw.resource_server = None;
        raw.auth_server = None;
        raw.tenant = None;
    }
    raw
}

/// The raw values of `init` in precedence order: flag or env, then the sandbox, then the stored
/// profile. The wizard starts from these too.
pub fn init_raw(
    ctx: &Ctx,
    values: &ValueArgs,
    sandbox: Option<&Sandbox>,
    stored: Option<&Profile>,
) -> RawValues {
    let mut raw = raw_from_flags(ctx, values);
    if let Some(sb) = sandbox {
        raw = raw.or(raw_from_sandbox(sb));
    }
    if let Some(p) = stored.filter(|p| !p.sandbox) {
        raw = raw.or(stored_raw(p, values));
    }
    raw
}
