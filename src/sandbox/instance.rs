//! `GET /api/InstanceInfo`: which Halo this is and its version, in the shape one public client
//! reads (halo-api.md §8: `app_name`, `app_version`, `database_version`, the instance's addresses).
//! The `role-denied` Role may not read it, so a refusal there shows as no failure.

use serde_json::{json, Value};

use super::scenario::Scenario;

/// The version the sandbox says it runs.
pub const SANDBOX_HALO_VERSION: &str = "2.196.7";

/// The answer for `scenario`: the instance's JSON, or None for a refusal (403).
pub(crate) fn instance_info(scenario: Scenario, base_url: &str) -> Option<Value> {
    if scenario == Scenario::RoleDenied {
        return None;
    }
    Some(json!({
        "dbid": "5f0c1e2d-sandbox",
        "app_name": "Halo PSA",
        "app_version": SANDBOX_HALO_VERSION,
        "database_version": SANDBOX_HALO_VERSION,
        "agent_url": base_url,
        "portal_url": format!("{base_url}/portal"),
        "auth_url": format!("{base_url}/auth"),
        "agent_count": 3,
    }))
}
