//! Serde types for Halo's JSON answers. They never leave the `halo` module: the rest of the code
//! sees domain types.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub expires_in: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AuthInfo {
    #[serde(default)]
    pub auth_url: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<serde_json::Value>,
}

/// `GET /api/InstanceInfo`; the version may come as a string or a number.
#[derive(Debug, Deserialize)]
pub(crate) struct InstanceInfo {
    #[serde(default)]
    pub app_name: Option<String>,
    #[serde(default)]
    pub app_version: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AgentMe {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub isdisabled: Option<bool>,
}

/// Returns the number of records in a list answer: `record_count`, or the length of the list
/// under `key`, or of a bare array.
pub(crate) fn record_count(value: &serde_json::Value, key: &str) -> Option<u64> {
    if let Some(a) = value.as_array() {
        return Some(a.len() as u64);
    }
    let obj = value.as_object()?;
    if let Some(n) = obj.get("record_count").and_then(serde_json::Value::as_u64) {
        return Some(n);
    }
    if let Some(a) = obj.get(key).and_then(serde_json::Value::as_array) {
        return Some(a.len() as u64);
    }
    obj.values()
        .find_map(|v| v.as_array().map(|a| a.len() as u64))
}

/// Reads `expires_in`, which some clients saw as a string.
pub(crate) fn expires_in(v: &Option<serde_json::Value>) -> Option<i64> {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
}
