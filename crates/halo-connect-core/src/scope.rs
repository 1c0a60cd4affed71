//! Halo's permission scopes and the permission areas they open: which names Halo knows (as public
//! API clients and real token answers show them) and which cheapest read proves each area. Pure
//! data, no I/O.

use std::fmt;

/// The `X` in `read:X` / `edit:X` that Halo knows.
pub const AREAS: &[&str] = &[
    "tickets",
    "calendar",
    "customers",
    "crm",
    "contracts",
    "suppliers",
    "items",
    "projects",
    "sales",
    "quotes",
    "sos",
    "pos",
    "invoices",
    "reporting",
    "timesheets",
    "software",
    "softwarelicensing",
    "kb",
    "assets",
    "distributionlists",
];

/// Halo's meta scopes (named by the HaloAPI PowerShell module and psmodule-halopsa).
pub const META_SCOPES: &[&str] = &[
    "all",
    "all:standard",
    "admin",
    "all:teams",
    "admin:webhooks",
];

/// The meta scopes whose reach is broad and undocumented: granted, they never decide a row on their
/// own; the row's read does. (all:teams and admin:webhooks name their one area.)
pub const BROAD_META_SCOPES: &[&str] = &["all", "all:standard", "admin"];

/// Other single scopes real grants show (HaloAPI's scope list, a live token response): the timesheet, chat and password-reset
/// ones, two `read:` scopes without an `edit:` pair, and the OpenID ones a token response lists.
pub const OTHER_SCOPES: &[&str] = &[
    "editMine:timesheets",
    "access:chat",
    "access:adpasswordreset",
    "read:mailcampaign",
    "read:events",
    "openid",
    "email",
    "profile",
    "offline_access",
    "roles",
];

/// Returns whether Halo knows this scope name (case-sensitive, as Halo compares them).
pub fn is_known_scope(name: &str) -> bool {
    if META_SCOPES.contains(&name) || OTHER_SCOPES.contains(&name) {
        return true;
    }
    match name.split_once(':') {
        Some(("read", area)) | Some(("edit", area)) => AREAS.contains(&area),
        _ => false,
    }
}

/// The first broad meta scope in a granted list: the grant may cover more than it names.
pub fn granted_meta(granted: &[String]) -> Option<&str> {
    granted
        .iter()
        .map(String::as_str)
        .find(|g| BROAD_META_SCOPES.contains(g))
}

/// A scope name Halo knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(String);

impl Scope {
    /// Accepts a known scope, forgiving the "read: customers" spacing the guides print.
    pub fn parse(input: &str) -> Result<Scope, String> {
        let compact: String = input.split_whitespace().collect();
        if is_known_scope(&compact) {
            return Ok(Scope(compact));
        }
        let lower = compact.to_ascii_lowercase();
        let mut named = META_SCOPES.iter().chain(OTHER_SCOPES);
        if let Some(known) = named.find(|m| m.to_ascii_lowercase() == lower) {
            return Ok(Scope((*known).to_string()));
        }
        if is_known_scope(&lower) {
            return Ok(Scope(lower));
        }
        Err(unknown_scope_reason(input))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Returns the area of a `read:`/`edit:` scope.
    pub fn area(&self) -> Option<&str> {
        match self.0.split_once(':') {
            Some(("read", a)) | Some(("edit", a)) => Some(a),
            _ => None,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn unknown_scope_reason(input: &str) -> String {
    let t = input.trim();
    if t.ends_with(":actions") {
        return format!("Halo has no scope {t:?}: actions come with read:tickets and edit:tickets");
    }
    if t.ends_with(":sites") {
        return format!(
            "Halo has no scope {t:?}: sites come with read:customers and edit:customers"
        );
    }
    let near = super::scope_names::did_you_mean(t);
    if !near.is_empty() {
        return format!("Halo has no scope {t:?}{near}");
    }
    format!(
        "Halo has no scope {t:?}; scopes are read:AREA or edit:AREA (areas: {}) or one of {}, {}",
        AREAS.join(", "),
        META_SCOPES.join(", "),
        OTHER_SCOPES.join(", ")
    )
}

/// Returns whether a granted scope list names `wanted`: the same scope, or `edit:X` for `read:X`.
/// A meta scope is not counted: what it covers is for the read to show (`granted_meta`).
pub fn covers(granted: &[String], wanted: &str) -> bool {
    if granted.iter().any(|g| g == wanted) {
        return true;
    }
    if let Some(area) = wanted.strip_prefix("read:") {
        return granted.iter().any(|g| g == &format!("edit:{area}"));
    }
    false
}

/// The cheapest read that proves an area is open to the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The area's name as the report shows it.
    pub area: &'static str,
    /// The scope whose read this proves.
    pub scope: &'static str,
    /// Path under the Resource Server, as in Halo's OpenAPI document (without `/api`).
    pub path: &'static str,
    /// Query string for the cheapest answer.
    pub query: &'static str,
    /// The key of the list in the answer, when Halo wraps it.
    pub list_key: &'static str,
    /// The Role access level that also gates this area.
    pub role_setting: &'static str,
}

/// One probe per permission area, each a cheap list read. Every path is checked against Halo's
/// OpenAPI document (tests/data/halo-openapi-paths.txt).
#[rustfmt::skip]
pub const PROBES: &[Probe] = &[
    Probe { area: "customers", scope: "read:customers", path: "/Client", query: "count=1", list_key: "clients", role_setting: "Clients Access Level" },
    Probe { area: "contracts", scope: "read:contracts", path: "/ClientContract", query: "count=1", list_key: "contracts", role_setting: "Client Contracts Access Level" },
    Probe { area: "items", scope: "read:items", path: "/Item", query: "count=1", list_key: "items", role_setting: "Items Access Level" },
    Probe { area: "invoices", scope: "read:invoices", path: "/Invoice", query: "count=1", list_key: "invoices", role_setting: "Invoices Access Level" },
    Probe { area: "tickets", scope: "read:tickets", path: "/Tickets", query: "count=1", list_key: "tickets", role_setting: "Tickets Access Level" },
    Probe { area: "assets", scope: "read:assets", path: "/Asset", query: "count=1", list_key: "assets", role_setting: "Assets Access Level" },
    Probe { area: "suppliers", scope: "read:suppliers", path: "/Supplier", query: "count=1", list_key: "suppliers", role_setting: "Suppliers Access Level" },
    Probe { area: "crm", scope: "read:crm", path: "/CRMNote", query: "count=1", list_key: "actions", role_setting: "CRM Access Level" },
    Probe { area: "sales", scope: "read:sales", path: "/Opportunities", query: "count=1", list_key: "tickets", role_setting: "Sales Access Level" },
    Probe { area: "quotes", scope: "read:quotes", path: "/Quotation", query: "count=1", list_key: "quotes", role_setting: "Quotations Access Level" },
    Probe { area: "sos", scope: "read:sos", path: "/SalesOrder", query: "count=1", list_key: "salesorders", role_setting: "Sales Orders Access Level" },
    Probe { area: "pos", scope: "read:pos", path: "/PurchaseOrder", query: "count=1", list_key: "purchaseorders", role_setting: "Purchase Orders Access Level" },
    Probe { area: "projects", scope: "read:projects", path: "/Projects", query: "count=1", list_key: "tickets", role_setting: "Projects Access Level" },
    // Timesheet: a plain GET. The OpenAPI document lists no parameter for it (no count, no paging),
    // HaloAPI's Get-HaloTimesheet asks with paging off and every filter optional, and one live capture
    // (ITBD-SOP) saw a bare array: the answer is read either way.
    Probe { area: "timesheets", scope: "read:timesheets", path: "/Timesheet", query: "", list_key: "timesheets", role_setting: "Timesheets Access Level" },
    Probe { area: "software", scope: "read:software", path: "/SoftwareLicence", query: "count=1", list_key: "licences", role_setting: "Software Access Level" },
    Probe { area: "softwarelicensing", scope: "read:softwarelicensing", path: "/SoftwareLicence", query: "count=1", list_key: "licences", role_setting: "Software Licensing Access Level" },
    Probe { area: "kb", scope: "read:kb", path: "/KBArticle", query: "count=1", list_key: "articles", role_setting: "Knowledge Base Access Level" },
    Probe { area: "reporting", scope: "read:reporting", path: "/Report", query: "count=1", list_key: "reports", role_setting: "Reporting Access Level" },
    Probe { area: "calendar", scope: "read:calendar", path: "/Appointment", query: "page_size=1&pageinate=true&page_no=1", list_key: "appointments", role_setting: "Calendar Access Level" },
    Probe { area: "teams", scope: "all:teams", path: "/Team", query: "", list_key: "teams", role_setting: "Departments & Teams membership" },
    Probe { area: "webhooks", scope: "admin:webhooks", path: "/Webhook", query: "", list_key: "webhooks", role_setting: "Administrator access" },
];

/// Identity and discovery endpoints the client calls, also checked against the OpenAPI file.
pub const AGENT_ME_PATH: &str = "/Agent/me";
pub const AUTHINFO_PATH: &str = "/authinfo";
/// The readiness read for billing: recurring invoices stand for active recurring contracts.
pub const RECURRING_PATH: &str = "/RecurringInvoice";

/// Returns the probe for a scope: `read:X` and `edit:X` share the read of X.
pub fn probe_for(scope: &str) -> Option<&'static Probe> {
    let read = match scope.split_once(':') {
        Some(("edit", area)) => format!("read:{area}"),
        _ => scope.to_string(),
    };
    PROBES.iter().find(|p| p.scope == read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_evidenced_names_and_refuses_the_false_ones() {
        for ok in [
            "read:customers",
            "edit:invoices",
            "all",
            "admin:webhooks",
            "all:teams",
            "editMine:timesheets",
            "read:events",
            "read:mailcampaign",
            "openid",
            "email",
            "profile",
            "offline_access",
            "roles",
            "all:standard",
            "admin",
        ] {
            assert!(is_known_scope(ok), "{ok}");
        }
        for bad in [
            "read:actions",
            "edit:actions",
            "read:sites",
            "write:tickets",
            "",
            "read:",
            "all:",
            "edit:events",
        ] {
            assert!(!is_known_scope(bad), "{bad}");
        }
    }

    #[test]
    fn parse_forgives_the_guides_spacing_and_case() {
        assert_eq!(
            Scope::parse("read: customers").unwrap().as_str(),
            "read:customers"
        );
        assert_eq!(Scope::parse("All:Teams").unwrap().as_str(), "all:teams");
        assert_eq!(
            Scope::parse("admin: webhooks").unwrap().as_str(),
            "admin:webhooks"
        );
        assert!(Scope::parse("read:actions")
            .unwrap_err()
            .contains("read:tickets"));
        assert!(Scope::parse("edit:sites")
            .unwrap_err()
            .contains("customers"));
    }

    #[test]
    fn edit_implies_read_and_a_meta_scope_is_left_to_the_read() {
        let g = vec!["edit:items".to_string()];
        assert!(covers(&g, "read:items"));
        assert!(!covers(&g, "read:invoices"));
        let all = vec!["all".to_string()];
        assert!(!covers(&all, "edit:invoices"));
        assert!(covers(&all, "all"));
        assert_eq!(granted_meta(&all), Some("all"));
        assert_eq!(granted_meta(&g), None);
        assert_eq!(granted_meta(&["all:teams".into()]), None);
        assert_eq!(
            granted_meta(&["read:kb".into(), "all:standard".into()]),
            Some("all:standard")
        );
        assert_eq!(
            Scope::parse("Offline_Access").unwrap().as_str(),
            "offline_access"
        );
    }

    #[test]
    fn every_read_area_has_a_probe() {
        for area in AREAS {
            if *area == "distributionlists" {
                continue;
            }
            assert!(probe_for(&format!("read:{area}")).is_some(), "{area}");
            assert!(probe_for(&format!("edit:{area}")).is_some(), "{area}");
        }
    }
}
