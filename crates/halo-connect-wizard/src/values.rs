//! The values questions of the wizard: the one address first, what authinfo and the address give
//! as defaults, then the Client ID. Each answer keeps where it came from, and each question checks
//! it with the domain's own rule. Asks only through the `Prompter`.

use halo_connect_core::field::Reason;
use halo_connect_core::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant, Tenant,
    NOT_SET,
};
use halo_connect_core::values::{
    discovery_base, fill, parse_client_id, Discovery, Source, Sourced,
};

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

/// What one answered address gives before the values are shown: the values given with it (a
/// stored or sandbox value only while the address is the one it came with), and what Halo's
/// authinfo said, when the one discovery rule asked it.
struct Addressed {
    address: String,
    given: Values,
    /// `None`: not asked (nothing was missing that it gives); `Some(None)`: asked, no answer.
    found: Option<Option<Discovery>>,
}

/// The values given with `address`: flags and environment always; stored and sandbox values only
/// while the address is the one they came with, since a typed address derives afresh rather than
/// being silently replaced by the emulator's or an old profile's.
fn given_with(draft: &Draft, address: &str) -> Values {
    let same_address = draft.address.as_deref().map(str::trim) == Some(address.trim());
    let kept = |f: &Option<Sourced<String>>| {
        f.clone()
            .filter(|s| !matches!(s.source, Source::Stored | Source::Sandbox) || same_address)
    };
    Values {
        url: Some(Sourced::new(address.to_string(), Source::Prompt)),
        resource_server: kept(&draft.raw.resource_server),
        auth_server: kept(&draft.raw.auth_server),
        tenant: kept(&draft.raw.tenant),
        client_id: kept(&draft.raw.client_id),
    }
}

/// Asks the one address until it is usable: a missing `https://` is offered back with it as the
/// default. When the one discovery rule (`discovery_base`) asks Halo's `api/authinfo`, an address
/// that does not answer is said (refused, name not found, silent, TLS, or not Halo) with the
/// choice to type it again.
fn ask_address(
    draft: &Draft,
    default: Option<String>,
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<Addressed> {
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
        if let Err(e) = derive_from_address(&typed) {
            if let Reason::NoScheme { suggestion } = &e.reason {
                p.say(&format!("✗ {e}. Enter takes {suggestion}."));
                default = Some(suggestion.clone());
            } else {
                p.say(&format!("✗ {e}."));
            }
            continue;
        }
        let given = given_with(draft, &typed);
        let Some(base) = discovery_base(&given) else {
            return Ok(Addressed {
                address: typed,
                given,
                found: None,
            });
        };
        match svc.discover(&base) {
            Ok(found) => {
                return Ok(Addressed {
                    address: typed,
                    given,
                    found: Some(Some(found)),
                })
            }
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
                return Ok(Addressed {
                    address: typed,
                    given,
                    found: Some(None),
                });
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
    // Step 3 is the checklists; without them the values are the third step.
    let step = if draft.no_checklists { 3 } else { 4 };
    p.heading(&format!("{step}. The values from Halo"));
    let offered = prior
        .map(|(_, a)| a.to_string())
        .or_else(|| draft.address.clone());
    let Addressed {
        address,
        given,
        found,
    } = ask_address(draft, offered, p, svc)?;
    // The one merge: given, then discovered, then derived (the Tenant by the hosting answered).
    let filled = fill(
        &given,
        found.as_ref().and_then(Option::as_ref),
        Some(hosted),
    );
    let (Some(rs), Some(auth), Some(tenant)) =
        (filled.resource_server, filled.auth_server, filled.tenant)
    else {
        return Err(WizardError::Prompt(format!(
            "the address {address} gave no values"
        )));
    };
    match &found {
        Some(Some(_)) => p.say(&format!("From {address} (Halo's api/authinfo answered):")),
        Some(None) => p.say(&format!(
            "Derived from {address} (its api/authinfo did not answer); check them:"
        )),
        None => p.say(&format!(
            "For {address}, the values already given (Halo's api/authinfo was not asked: nothing it gives was missing); check them:"
        )),
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
    if !hosted
        && tenant.source == Source::Discovered
        && parse_tenant(&tenant.value) != Ok(Tenant::NotSet)
    {
        p.say(&format!("Note: Halo's authinfo names the tenant {}, but an on-premise Halo usually has none (\"{NOT_SET}\"). Which is right is on API Details: keep {} if a Tenant is shown there, else answer \"no\" and type {NOT_SET}.", tenant.value, tenant.value));
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
        .or(given.client_id);
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
        &format!("Tenant (\"{NOT_SET}\" on-premise)"),
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
