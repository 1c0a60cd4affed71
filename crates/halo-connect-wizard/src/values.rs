//! The values questions of the wizard: the one address first, what authinfo and the address give
//! as defaults, then the Client ID. Each answer keeps where it came from, and each question checks
//! it with the domain's own rule. Asks only through the `Prompter`.

use halo_connect_core::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant,
};
use halo_connect_core::values::{parse_client_id, Source, Sourced};

use super::ports::{Prompter, Services};
use super::{Draft, Res, Values, WizardError};

/// The answer to a question whose default was `default`: `value` is what was typed, as the
/// question's rule normalised it.
pub(super) fn answered(default: &Sourced<String>, typed: &str, value: String) -> Sourced<String> {
    let source = if typed.trim() == default.value.trim() {
        default.source
    } else {
        Source::Prompt
    };
    Sourced::new(value, source)
}

/// Says what a question's rule changed in the answer, right after it was typed.
pub(super) fn say_notes(notes: &[halo_connect_core::field::Note], p: &mut dyn Prompter) {
    for n in notes {
        p.say(&format!("Note: {n}."));
    }
}

pub(super) fn ask_values(
    draft: &Draft,
    hosted: bool,
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<Values> {
    p.heading("4. The values from Halo");
    let address = p.text(
        "Halo address (where you log in, e.g. https://acme.halopsa.com)",
        draft.address.as_deref(),
        &|s| {
            derive_from_address(s)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )?;
    let derived = derive_from_address(&address).map_err(|e| WizardError::Prompt(e.to_string()))?;
    // Stored and sandbox values stand only while the address is the one they came with; a typed
    // address derives afresh rather than being silently replaced by the emulator's.
    let same_address = draft.address.as_deref().map(str::trim) == Some(address.trim());
    let kept = |f: &Option<Sourced<String>>| {
        f.clone()
            .filter(|s| !matches!(s.source, Source::Stored | Source::Sandbox) || same_address)
    };
    let base = derived.base.as_str().trim_end_matches('/').to_string();
    let found = svc.discover(&base);
    let discovered = |v: Option<String>| v.map(|v| Sourced::new(v, Source::Discovered));
    let derived_value = |v: String| Sourced::new(v, Source::Derived);
    let auth_found = found.as_ref().and_then(|d| d.auth_url.clone());
    let tenant_found = found
        .as_ref()
        .and_then(|d| d.tenant_id.clone())
        .filter(|t| !t.trim().is_empty());
    let rs = kept(&draft.raw.resource_server)
        .unwrap_or_else(|| derived_value(derived.resource_server.as_str().to_string()));
    let auth = kept(&draft.raw.auth_server)
        .or(discovered(auth_found))
        .unwrap_or_else(|| derived_value(derived.auth_server.as_str().to_string()));
    let tenant = kept(&draft.raw.tenant)
        .or(discovered(tenant_found))
        .unwrap_or_else(|| {
            derived_value(if hosted {
                derived.tenant.to_string()
            } else {
                "Not set".to_string()
            })
        });
    if found.is_some() {
        p.say(&format!("From {address} (Halo's api/authinfo answered):"));
    } else {
        p.say(&format!("{base}/api/authinfo did not answer, so these are derived from the address; check them:"));
    }
    p.say(&format!("  Resource Server       {}", rs.value));
    p.say(&format!("  Authorization Server  {}", auth.value));
    p.say(&format!("  Tenant                {}", tenant.value));
    p.say("Compare them with Configuration > Integrations > HaloPSA API (API Details).");
    let host = |v: &str| {
        url::Url::parse(v)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    if let (Some(r), Some(a)) = (host(&rs.value), host(&auth.value)) {
        if r != a {
            p.say(&format!("Note: the Resource Server is on {r} and the Authorization Server on {a}: different hosts. That is right only if API Details shows both so; otherwise answer \"no\" and correct one."));
        }
    }
    if !hosted && tenant.source == Source::Discovered && tenant.value != "Not set" {
        p.say(&format!("Note: Halo's authinfo names the tenant {}, but an on-premise Halo usually has none (\"Not set\"). Which is right is on API Details: keep {} if a Tenant is shown there, else answer \"no\" and type Not set.", tenant.value, tenant.value));
    }
    let mut values = Values {
        url: None,
        resource_server: Some(rs.clone()),
        auth_server: Some(auth.clone()),
        tenant: Some(tenant.clone()),
        client_id: None,
    };
    if !p.confirm("Use these three values?", true)? {
        values.resource_server = Some(ask_resource_server(&rs, p)?);
        values.auth_server = Some(ask_auth_server(&auth, p)?);
        values.tenant = Some(ask_tenant(&tenant, p)?);
    }
    values.client_id = Some(ask_client_id(kept(&draft.raw.client_id).as_ref(), p)?);
    Ok(values)
}

/// The value as it stands, for a question's default.
pub(super) fn current(v: &Option<Sourced<String>>) -> Sourced<String> {
    v.clone()
        .unwrap_or_else(|| Sourced::new(String::new(), Source::Default))
}

// Each question checks its answer with the domain's own rule, so a bad value is refused at the
// prompt, and says at once what the rule changed (a missing "/", say).

pub(super) fn ask_resource_server(
    default: &Sourced<String>,
    p: &mut dyn Prompter,
) -> Res<Sourced<String>> {
    let v = p.text(
        "Resource Server (ends in /api)",
        Some(&default.value),
        &|s| {
            normalize_resource_server(s)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )?;
    let (rs, notes) =
        normalize_resource_server(&v).map_err(|e| WizardError::Prompt(e.to_string()))?;
    say_notes(&notes, p);
    Ok(answered(default, &v, rs.as_str().to_string()))
}

pub(super) fn ask_auth_server(
    default: &Sourced<String>,
    p: &mut dyn Prompter,
) -> Res<Sourced<String>> {
    let v = p.text(
        "Authorization Server (ends in /auth/)",
        Some(&default.value),
        &|s| {
            normalize_auth_server(s)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )?;
    let (a, notes) = normalize_auth_server(&v).map_err(|e| WizardError::Prompt(e.to_string()))?;
    say_notes(&notes, p);
    Ok(answered(default, &v, a.as_str().to_string()))
}

pub(super) fn ask_tenant(default: &Sourced<String>, p: &mut dyn Prompter) -> Res<Sourced<String>> {
    let v = p.text(
        "Tenant (\"Not set\" on-premise)",
        Some(&default.value),
        &|s| parse_tenant(s).map(|_| ()).map_err(|e| e.to_string()),
    )?;
    Ok(answered(default, &v, v.trim().to_string()))
}

pub(super) fn ask_client_id(
    default: Option<&Sourced<String>>,
    p: &mut dyn Prompter,
) -> Res<Sourced<String>> {
    let v = p.text(
        "Client ID (Details tab, copied after the first Save)",
        default.map(|d| d.value.as_str()),
        &|s| parse_client_id(s).map(|_| ()).map_err(|e| e.to_string()),
    )?;
    let (id, notes) = parse_client_id(&v).map_err(|e| WizardError::Prompt(e.to_string()))?;
    say_notes(&notes, p);
    Ok(match default {
        Some(d) => answered(d, &v, id),
        None => Sourced::new(id, Source::Prompt),
    })
}
