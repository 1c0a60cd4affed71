//! The values questions of the wizard: the one address first, what authinfo and the address give
//! as defaults, then the Client ID. Each answer keeps where it came from, and each question checks
//! it with the domain's own rule. Asks only through the `Prompter`.

use halo_connect_core::field::Reason;
use halo_connect_core::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant, Derived,
};
use halo_connect_core::values::{parse_client_id, Discovery, Source, Sourced};

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

/// Asks the one address until it is usable, checking it at once: a missing `https://` is offered
/// back with it as the default, and an address whose `api/authinfo` does not answer is said
/// (refused, name not found, silent, TLS, or not Halo) with the choice to type it again.
fn ask_address(
    default: Option<String>,
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<(String, Derived, Option<Discovery>)> {
    let mut default = default;
    loop {
        let typed = p.text(
            "Halo address (where you log in, e.g. https://acme.halopsa.com)",
            default.as_deref(),
            &|s| match derive_from_address(s) {
                Ok(_) => Ok(()),
                // Said below, with the suggestion offered as the next default.
                Err(e) if matches!(e.reason, Reason::NoScheme { .. }) => Ok(()),
                Err(e) => Err(e.to_string()),
            },
        )?;
        let derived = match derive_from_address(&typed) {
            Ok(d) => d,
            Err(e) => {
                if let Reason::NoScheme { suggestion } = &e.reason {
                    p.say(&format!("✗ {e}. Enter takes {suggestion}."));
                    default = Some(suggestion.clone());
                } else {
                    p.say(&format!("✗ {e}."));
                }
                continue;
            }
        };
        let base = derived.base.as_str().trim_end_matches('/').to_string();
        match svc.discover(&base) {
            Ok(found) => return Ok((typed, derived, Some(found))),
            Err(problem) => {
                p.say(&format!("✗ {}", problem.message));
                let options = vec![
                    "Re-enter the Halo address".to_string(),
                    "Go on with the values derived from it (Save and Test tries it again)"
                        .to_string(),
                ];
                let first = if problem.unreached { 0 } else { 1 };
                if p.select("The address did not check out. What next?", &options, first)? == 0 {
                    default = Some(typed);
                    continue;
                }
                return Ok((typed, derived, None));
            }
        }
    }
}

/// Asks the address and the values it gives, then the Client ID. `prior` is what was answered
/// before a "Re-enter the Halo address": its Client ID is offered again, and its address.
pub(super) fn ask_values(
    draft: &Draft,
    hosted: bool,
    prior: Option<(&Values, &str)>,
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<(Values, String)> {
    p.heading("4. The values from Halo");
    let offered = prior
        .map(|(_, a)| a.to_string())
        .or_else(|| draft.address.clone());
    let (address, derived, found) = ask_address(offered, p, svc)?;
    // Stored and sandbox values stand only while the address is the one they came with; a typed
    // address derives afresh rather than being silently replaced by the emulator's.
    let same_address = draft.address.as_deref().map(str::trim) == Some(address.trim());
    let kept = |f: &Option<Sourced<String>>| {
        f.clone()
            .filter(|s| !matches!(s.source, Source::Stored | Source::Sandbox) || same_address)
    };
    let base = derived.base.as_str().trim_end_matches('/').to_string();
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
            // The README's rule: the host's first label when hosted by Halo, else "Not set".
            derived_value(derived.tenant_for(hosted).to_string())
        });
    if found.is_some() {
        p.say(&format!("From {address} (Halo's api/authinfo answered):"));
    } else {
        p.say(&format!(
            "Derived from {base} (its api/authinfo did not answer); check them:"
        ));
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
    // A Client ID typed before the address was re-entered is offered again.
    let id_default = prior
        .and_then(|(v, _)| v.client_id.clone())
        .or_else(|| kept(&draft.raw.client_id));
    values.client_id = Some(ask_client_id(id_default.as_ref(), p)?);
    Ok((values, address))
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
