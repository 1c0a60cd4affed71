//! docs/schema/*.json, generated: each `--json` shape's JSON Schema (draft 2020-12) from its type
//! in `ui::json`, under the file's title and description. `tests/it/schema.rs` regenerates every
//! file and fails when a committed one differs (`UPDATE_SCHEMAS=1` rewrites them), then checks
//! real outputs against them. It holds no shape of its own: the types and their attributes do.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;

use super::*;

/// One file of docs/schema/: its name and its schema.
pub struct SchemaFile {
    pub name: &'static str,
    pub schema: serde_json::Value,
}

impl SchemaFile {
    /// The file's text: pretty JSON and a final newline.
    pub fn text(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn file<T: JsonSchema + ?Sized>(name: &'static str, title: &str, description: &str) -> SchemaFile {
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    schema.insert("description".into(), description.into());
    let mut schema = schema.to_value();
    one_line_descriptions(&mut schema);
    SchemaFile { name, schema }
}

/// Doc comments wrap; a description reads as one paragraph.
fn one_line_descriptions(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = text.replace('\n', " ");
                    }
                    _ => one_line_descriptions(value),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(one_line_descriptions),
        _ => {}
    }
}

/// Every `--json` shape's schema file, in the order docs/cli.md tells them.
pub fn schema_files() -> Vec<SchemaFile> {
    vec![
        file::<ReportOutput>(
            "report.v1.json",
            "halo-connect Save and Test report, schema_version 1",
            "What `halo-connect test --json` (and `secret set --json`) prints on stdout, and each element of `test --all --json` whose profile was tested. `ok`, `exit_code` and `error.kind` always agree. Keys may be added in later releases; the ones described here stay. docs/cli.md describes the contract.",
        ),
        file::<InitOutput>(
            "init.v1.json",
            "halo-connect init --json, schema_version 1",
            "What `halo-connect init --json` prints once its values are valid: the report of its Save and Test (without a test, with --skip-test), and what was saved where. When the save itself fails, `error` is an error object without a code. When the values are refused, init prints the error object of error.v1.json instead. docs/cli.md describes the contract.",
        ),
        file::<Vec<FleetEntry>>(
            "test-all.v1.json",
            "halo-connect test --all --json, schema_version 1",
            "One element per profile, in the order of the profiles' names: its report, or the error object when the profile could not be tested (no secret, a bad value). The process exits with the highest exit code among them. docs/cli.md describes the contract.",
        ),
        file::<ErrorOutput>(
            "error.v1.json",
            "halo-connect error object, schema_version 1",
            "What a command prints with --json when it fails before any test runs (a usage or configuration error, an unknown profile, a corrupt config, a missing secret), and the element of `test --all --json` for a profile that could not be tested. docs/cli.md describes the contract.",
        ),
        file::<ReplayOutput>(
            "test-as.v1.json",
            "halo-connect test --as NAME --json, schema_version 1",
            "An integration's own requests replayed against Halo: the token request as its code builds it (never the secret), Halo's answer, and each first read with the list and fields its code maps. docs/cli.md describes the contract; `exit_code` and `error.kind` follow the exit-code table.",
        ),
        file::<HandoffOutput>(
            "handoff.v1.json",
            "halo-connect handoff --json, schema_version 1",
            "The general hand-off card: each value with the labels forms give it, in every shape forms ask for, and a rule for choosing; the Client Secret only masked. `handoff --for NAME --json` is handoff-for.v1.json instead. docs/cli.md describes the contract.",
        ),
        file::<FormHandoffOutput>(
            "handoff-for.v1.json",
            "halo-connect handoff --for NAME --json, schema_version 1",
            "Exactly the fields of one integration's form, in its order and with its labels, each with the one value to type or choose (the Client Secret only masked), and what the Halo application must have ticked for it. docs/cli.md describes the contract.",
        ),
        file::<Vec<ListEntry>>(
            "list.v1.json",
            "halo-connect list --json",
            "One element per profile in the config file.",
        ),
        file::<ShowOutput>(
            "show.v1.json",
            "halo-connect show --json",
            "One profile's values and where each came from; the secret's value is always null.",
        ),
        file::<TokenOutput>(
            "token.v1.json",
            "halo-connect token --json",
            "A fresh access token for the profile; printed only where asked.",
        ),
        file::<Vec<PresetLine>>(
            "presets.v1.json",
            "halo-connect presets --json",
            "The presets, one line each.",
        ),
        file::<PresetOutput>(
            "preset.v1.json",
            "halo-connect presets show NAME --json, checklist --format json",
            "One preset: its scopes, readiness checks and notes, and the Role, Agent and Application steps, each a menu path, a setting and the value to give it.",
        ),
        file::<UseOutput>(
            "use.v1.json",
            "halo-connect use --json",
            "The profile commands act on when none is named.",
        ),
        file::<Vec<StatusEntry>>(
            "status.v1.json",
            "halo-connect status --json",
            "No network: one element per profile, with whether its secret is really in its store, the last test, and what to run next.",
        ),
        file::<RemoveOutput>(
            "remove.v1.json",
            "halo-connect remove --json",
            "The profile removed.",
        ),
        file::<SandboxOutput>(
            "sandbox.v1.json",
            "halo-connect sandbox --json",
            "One line when the emulator is up: the five values to use, the scenario, the TLS mode and the CA file. The secret is the emulator's public demo secret, or null when HALO_SANDBOX_SECRET gave it.",
        ),
        file::<ExportOutput>(
            "export.v1.json",
            "halo-connect export --format json",
            "The profile as HALO_* variables in one object; HALO_CLIENT_SECRET only with --with-secret.",
        ),
    ]
}
