//! `Kind`, what kind of failure ended a command, and the one table from it to the exit code and
//! to `error.kind` in JSON. Reports, catalogue causes and command errors all carry a `Kind`; no
//! other code knows an exit number.

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Usage,
    Config,
    Auth,
    Permission,
    Connection,
    Tls,
    Server,
    Interrupted,
    Internal,
}

impl Kind {
    /// The exit code (docs/cli.md "Exit codes").
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Internal => 1,
            Kind::Usage => 2,
            Kind::Config => 3,
            Kind::Auth => 4,
            Kind::Permission => 5,
            Kind::Connection | Kind::Tls | Kind::Server => 6,
            Kind::Interrupted => 130,
        }
    }

    /// The `error.kind` of the JSON contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Config => "config",
            Kind::Auth => "auth",
            Kind::Permission => "permission",
            Kind::Connection => "connection",
            Kind::Tls => "tls",
            Kind::Server => "server",
            Kind::Interrupted => "interrupted",
            Kind::Internal => "internal",
        }
    }

    /// Every kind, in the order of the exit-code table.
    pub const ALL: [Kind; 9] = [
        Kind::Internal,
        Kind::Usage,
        Kind::Config,
        Kind::Auth,
        Kind::Permission,
        Kind::Connection,
        Kind::Tls,
        Kind::Server,
        Kind::Interrupted,
    ];

    /// Whether the network path, rather than the values or the permissions, failed (exit 6).
    pub fn is_connection(self) -> bool {
        self.exit_code() == 6
    }
}

/// The JSON Schema rule that `ok`, `exit_code` and `error.kind` agree: 0 and no error, or the exit
/// code of the error's kind. A schemars transform for every output that carries all three.
pub fn outcome_schema(schema: &mut schemars::Schema) {
    let mut by_code: Vec<(i32, Vec<&str>)> = Vec::new();
    for k in Kind::ALL {
        match by_code.iter_mut().find(|(c, _)| *c == k.exit_code()) {
            Some((_, kinds)) => kinds.push(k.as_str()),
            None => by_code.push((k.exit_code(), vec![k.as_str()])),
        }
    }
    let passed = serde_json::json!({
        "properties": { "ok": { "const": true }, "exit_code": { "const": 0 }, "error": { "type": "null" } }
    });
    let failed = by_code.iter().map(|(code, kinds)| {
        serde_json::json!({
            "required": ["ok", "exit_code", "error"],
            "properties": {
                "ok": { "const": false },
                "exit_code": { "const": code },
                "error": { "type": "object", "required": ["kind"], "properties": { "kind": { "enum": kinds } } }
            }
        })
    });
    let table: Vec<String> = by_code
        .iter()
        .map(|(code, kinds)| format!("{} {code}", kinds.join("/")))
        .collect();
    let rule = serde_json::json!({
        "description": format!(
            "`ok`, `exit_code` and `error.kind` agree: 0 and no error, or the exit code of the error's kind ({}).",
            table.join(", ")
        ),
        "anyOf": std::iter::once(passed).chain(failed).collect::<Vec<_>>()
    });
    match schema.ensure_object().entry("allOf") {
        serde_json::map::Entry::Occupied(mut all) => {
            if let Some(a) = all.get_mut().as_array_mut() {
                a.push(rule);
            }
        }
        serde_json::map::Entry::Vacant(v) => {
            v.insert(serde_json::json!([rule]));
        }
    }
}

/// Each exit code with what it means, in the order of docs/cli.md's table (0 is success).
pub const EXIT_STATUS: &[(i32, &str)] = &[
    (0, "success: every required check passed"),
    (1, "an internal error (a bug: please report it)"),
    (2, "usage: a bad flag or combination"),
    (3, "configuration: a missing or invalid value, unknown profile or preset, an unreadable or corrupt config, no secret store"),
    (4, "authentication: the Client ID, Secret or Tenant was refused by the token endpoint"),
    (5, "permissions: valid credentials, but a scope, a Role access level or a readiness check is missing"),
    (6, "connection: DNS, refused, timeout, TLS, or an answer that is not the Halo API"),
    (130, "interrupted (Ctrl-C); nothing was saved"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_json_names_follow_the_contract() {
        let table = [
            (Kind::Internal, 1, "internal"),
            (Kind::Usage, 2, "usage"),
            (Kind::Config, 3, "config"),
            (Kind::Auth, 4, "auth"),
            (Kind::Permission, 5, "permission"),
            (Kind::Connection, 6, "connection"),
            (Kind::Tls, 6, "tls"),
            (Kind::Server, 6, "server"),
            (Kind::Interrupted, 130, "interrupted"),
        ];
        for (kind, code, name) in table {
            assert_eq!(kind.exit_code(), code, "{kind:?}");
            assert_eq!(kind.as_str(), name);
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
            assert!(
                EXIT_STATUS.iter().any(|(c, _)| *c == code),
                "{code} has its meaning for the man page"
            );
        }
        let kinds: Vec<Kind> = table.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(
            kinds,
            Kind::ALL,
            "Kind::ALL is every kind, in the table's order"
        );
    }

    /// The schema's rule admits each kind only with its own exit code.
    #[test]
    fn the_outcome_rule_pairs_each_kind_with_its_exit_code() {
        let mut schema = schemars::json_schema!({});
        outcome_schema(&mut schema);
        let branches = schema.as_value()["allOf"][0]["anyOf"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(branches[0]["properties"]["exit_code"]["const"], 0);
        for k in Kind::ALL {
            let with_kind: Vec<&serde_json::Value> = branches
                .iter()
                .filter(|b| {
                    b["properties"]["error"]["properties"]["kind"]["enum"]
                        .as_array()
                        .is_some_and(|e| e.iter().any(|n| n == k.as_str()))
                })
                .collect();
            assert_eq!(with_kind.len(), 1, "{k:?}");
            assert_eq!(
                with_kind[0]["properties"]["exit_code"]["const"],
                k.exit_code()
            );
        }
    }
}
