//! The JSON Schema of `schema_version` 1 (docs/schema/*.json) against real outputs of the binary:
//! `test --json` for every sandbox scenario, `init --json` (saved, dry run, failed test, skipped
//! test, failed save), `test --all --json` with a tested and an untestable profile, and the error
//! object of usage and configuration errors. Each output is also checked against a closed copy of
//! the schema, so a key the tool prints that the schema does not describe fails here.

use std::path::Path;

use boon::{Compiler, SchemaIndex, Schemas};
use serde_json::{json, Value};

use crate::common::*;
use halo_connect::sandbox::Scenario;

const FILES: [&str; 14] = [
    "report.v1.json",
    "error.v1.json",
    "init.v1.json",
    "test-all.v1.json",
    "list.v1.json",
    "show.v1.json",
    "token.v1.json",
    "presets.v1.json",
    "preset.v1.json",
    "remove.v1.json",
    "use.v1.json",
    "sandbox.v1.json",
    "status.v1.json",
    "export.v1.json",
];

/// The four schemas, compiled twice: as published, and closed (no undescribed key).
struct Contract {
    schemas: Schemas,
    open: Vec<SchemaIndex>,
    closed: Vec<SchemaIndex>,
}

/// Adds `unevaluatedProperties: false` to a document's root and to each object schema of its
/// `$defs` except `fields`, which is only ever a part of a larger object.
fn closed(mut doc: Value) -> Value {
    if doc.get("properties").is_some() {
        doc["unevaluatedProperties"] = json!(false);
    }
    if let Some(defs) = doc.get_mut("$defs").and_then(Value::as_object_mut) {
        for (name, def) in defs.iter_mut() {
            if name != "fields"
                && def.get("properties").is_some()
                && def.get("type") == Some(&json!("object"))
            {
                def["unevaluatedProperties"] = json!(false);
            }
        }
    }
    doc
}

impl Contract {
    fn load() -> Contract {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema");
        let mut compiler = Compiler::new();
        for file in FILES {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let doc: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("docs/schema/{file} is not JSON: {e}"));
            compiler
                .add_resource(&format!("file:///open/{file}"), doc.clone())
                .unwrap();
            compiler
                .add_resource(&format!("file:///closed/{file}"), closed(doc))
                .unwrap();
        }
        let mut schemas = Schemas::new();
        let mut compile = |variant: &str| -> Vec<SchemaIndex> {
            FILES
                .iter()
                .map(|f| {
                    compiler
                        .compile(&format!("file:///{variant}/{f}"), &mut schemas)
                        .unwrap_or_else(|e| panic!("docs/schema/{f} does not compile: {e:#}"))
                })
                .collect()
        };
        let open = compile("open");
        let closed = compile("closed");
        Contract {
            schemas,
            open,
            closed,
        }
    }

    fn index(file: &str) -> usize {
        FILES.iter().position(|f| *f == file).unwrap()
    }

    /// Fails unless `v` is valid against `file`, both as published and closed.
    #[track_caller]
    fn check(&self, file: &str, v: &Value, what: &str) {
        let i = Contract::index(file);
        if let Err(e) = self.schemas.validate(v, self.open[i]) {
            panic!("{what}: not valid against docs/schema/{file}:\n{e:#}\n{v:#}");
        }
        if let Err(e) = self.schemas.validate(v, self.closed[i]) {
            panic!("{what}: a key docs/schema/{file} does not describe:\n{e:#}\n{v:#}");
        }
    }

    fn accepts(&self, file: &str, v: &Value) -> bool {
        self.schemas
            .validate(v, self.open[Contract::index(file)])
            .is_ok()
    }
}

#[test]
fn test_json_of_every_scenario_matches_the_report_schema() {
    let contract = Contract::load();
    let runs = for_each_scenario(|s| {
        let env = TestEnv::new();
        let mut args = sandbox_test_args(s);
        args.push("--json");
        env.run(&args, &[], None)
    });
    let mut failed = 0;
    for (s, run) in &runs {
        let v = run.json();
        contract.check("report.v1.json", &v, s.as_str());
        assert!(!contract.accepts("error.v1.json", &v), "{s:?}: {v:#}");
        failed += usize::from(run.code != 0);
    }
    assert!(failed > 20, "most scenarios fail: {failed}");
}

#[test]
fn init_json_matches_the_init_schema() {
    let contract = Contract::load();
    let env = TestEnv::new();
    let secret = [("HALO_CLIENT_SECRET", CANARY)];
    // Saved, on the sandbox; then a dry run.
    for extra in [&[][..], &["--dry-run", "--force"][..]] {
        let mut args = vec!["init", "--sandbox", "--non-interactive", "--json"];
        args.extend_from_slice(extra);
        let run = env.run(&args, &[], None);
        run.code(0);
        contract.check("init.v1.json", &run.json(), &format!("{args:?}"));
    }
    // A failed test (nothing saved), and the same saved untested.
    let sb = sandbox(Scenario::WrongSecret);
    let mut args = init_args(&sb);
    args.push("--json".into());
    let run = env.run(&strs(&args), &secret, None);
    run.code(4);
    let v = run.json();
    contract.check("init.v1.json", &v, "init, wrong secret");
    assert_eq!(
        (v["saved"].as_bool(), v["tested"].as_bool()),
        (Some(false), Some(true))
    );
    args.push("--skip-test".into());
    let run = env.run(&strs(&args), &secret, None);
    run.code(0);
    let v = run.json();
    contract.check("init.v1.json", &v, "init --skip-test");
    assert_eq!(v["tested"], false, "{v:#}");
    // A save that fails after the test passed: the config's lock file is a directory.
    let config = env.dir.path().join("locked").join("config.toml");
    std::fs::create_dir_all(env.dir.path().join("locked").join("config.toml.lock")).unwrap();
    let good = sandbox(Scenario::Healthy);
    let mut args = init_args(&good);
    args.extend([
        "--json".into(),
        "--config".into(),
        config.display().to_string(),
    ]);
    let run = env.run(&strs(&args), &secret, None);
    run.code(3);
    let v = run.json();
    contract.check("init.v1.json", &v, "init, failed save");
    assert_eq!(
        (v["saved"].as_bool(), v["tested"].as_bool()),
        (Some(false), Some(true))
    );
    assert!(v["error"]["code"].is_null(), "{v:#}");
}

#[test]
fn test_all_json_matches_the_test_all_schema() {
    let contract = Contract::load();
    let env = TestEnv::new();
    let good = sandbox(Scenario::Healthy);
    let bad = sandbox(Scenario::MissingScope);
    for (name, sb) in [("b-good", &good), ("c-bad", &bad)] {
        let mut args = init_args(sb);
        args.extend(["--profile".into(), name.into(), "--skip-test".into()]);
        env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
            .code(0);
    }
    // A profile with no secret anywhere cannot be tested: its element is an error object.
    let mut cfg = env.config_text();
    cfg.push_str(&format!(
        "\n[profiles.a-no-secret]\npreset = \"billing\"\nresource_server = \"{}\"\nauth_server = \"{}\"\ntenant = \"sandbox\"\nclient_id = \"{}\"\nsecret_store = \"none\"\n",
        good.resource_server(),
        good.auth_server(),
        good.client_id()
    ));
    env.write_config(&cfg);
    let run = env.run(&["test", "--all", "--json"], &[], None);
    run.code(5);
    let v = run.json();
    contract.check("test-all.v1.json", &v, "test --all");
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a-no-secret", "b-good", "c-bad"], "{v:#}");
    assert!(contract.accepts("error.v1.json", &v[0]), "{:#}", v[0]);
    assert!(contract.accepts("report.v1.json", &v[1]), "{:#}", v[1]);
    assert!(contract.accepts("report.v1.json", &v[2]), "{:#}", v[2]);
}

#[test]
fn error_json_matches_the_error_schema() {
    let contract = Contract::load();
    let env = TestEnv::new();
    let cases: &[(&[&str], i32)] = &[
        (&["test", "--profile", "nope", "--json"], 3),
        (&["init", "--non-interactive", "--json"], 3),
        (&["test", "--from-env", "--json"], 3),
        (&["token", "--json"], 3),
        (&["show", "--json"], 3),
    ];
    for (args, code) in cases {
        let run = env.run(args, &[], None);
        run.code(*code);
        contract.check("error.v1.json", &run.json(), &format!("{args:?}"));
    }
    // `test --all --json` is an array whatever happens: its one error is the array's element.
    let run = env.run(&["test", "--all", "--profile", "x", "--json"], &[], None);
    run.code(2);
    let all = run.json();
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    contract.check("error.v1.json", &all[0], "test --all --profile x");
    contract.check("test-all.v1.json", &all, "test --all --profile x");
    env.write_config("[profiles.default]\npreset = \"billing\"\nresource_server = \n");
    let run = env.run(&["test", "--all", "--json"], &[], None);
    run.code(3);
    contract.check(
        "test-all.v1.json",
        &run.json(),
        "corrupt config, test --all",
    );
    for args in [&["test", "--json"][..], &["list", "--json"][..]] {
        let run = env.run(args, &[], None);
        run.code(3);
        contract.check(
            "error.v1.json",
            &run.json(),
            &format!("corrupt config, {args:?}"),
        );
    }
}

/// A change that breaks an output.
type Break = fn(&mut Value);

/// The schema is not a rubber stamp: outputs whose keys disagree are refused.
#[test]
fn the_schema_refuses_outputs_that_break_the_contract() {
    let contract = Contract::load();
    let env = TestEnv::new();
    let run = env.run(
        &["test", "--sandbox", "--scenario", "missing-scope", "--json"],
        &[],
        None,
    );
    run.code(5);
    let good = run.json();
    contract.check("report.v1.json", &good, "missing-scope");
    let broken: [(&str, Break); 8] = [
        ("exit code of another kind", |v| v["exit_code"] = json!(4)),
        ("ok with an error", |v| v["ok"] = json!(true)),
        ("passed with an error", |v| {
            v["ok"] = json!(true);
            v["exit_code"] = json!(0);
        }),
        ("an error without a code", |v| {
            v["error"].as_object_mut().unwrap().remove("code");
        }),
        ("an unknown status", |v| {
            v["permissions"][0]["status"] = json!("maybe");
        }),
        ("no trailing slash", |v| {
            v["auth_server"] = json!("https://acme.halopsa.com/auth");
        }),
        ("schema_version 2", |v| v["schema_version"] = json!(2)),
        ("no token", |v| {
            v.as_object_mut().unwrap().remove("token");
        }),
    ];
    for (what, change) in broken {
        let mut v = good.clone();
        change(&mut v);
        assert!(!contract.accepts("report.v1.json", &v), "accepted: {what}");
    }
    // A key the schema does not describe passes the published schema (keys may be added) but not
    // the closed copy this test holds the tool to.
    let mut extra = good.clone();
    extra["surprise"] = json!(1);
    assert!(contract.accepts("report.v1.json", &extra));
    let closed = |v: &Value| {
        let i = Contract::index("report.v1.json");
        contract.schemas.validate(v, contract.closed[i]).is_ok()
    };
    assert!(!closed(&extra));
    let mut nested = good.clone();
    nested["permissions"][0]["surprise"] = json!(1);
    assert!(contract.accepts("report.v1.json", &nested));
    assert!(!closed(&nested));
}

/// Every other command's `--json` against its schema, from real runs on a sandbox profile.
#[test]
fn every_other_json_shape_matches_its_schema() {
    let contract = Contract::load();
    let env = TestEnv::new();
    env.run(&["init", "--sandbox"], &[], None).code(0);
    let sandbox_line = {
        let sb = sandbox(Scenario::Healthy);
        // `sandbox --json` runs until Ctrl-C; its one line is built from these values.
        json!({
            "auth_server": sb.auth_server(), "ca_cert": null, "client_id": sb.client_id(),
            "client_secret": sb.client_secret().expose(), "resource_server": sb.resource_server(),
            "scenario": "healthy", "tenant": sb.tenant(), "tls": "off"
        })
    };
    contract.check("sandbox.v1.json", &sandbox_line, "sandbox --json");
    for (args, file) in [
        (vec!["list", "--json"], "list.v1.json"),
        (vec!["show", "sandbox", "--json"], "show.v1.json"),
        (vec!["token", "sandbox", "--json"], "token.v1.json"),
        (vec!["presets", "--json"], "presets.v1.json"),
        (
            vec!["presets", "show", "billing", "--json"],
            "preset.v1.json",
        ),
        (vec!["checklist", "--format", "json"], "preset.v1.json"),
        (vec!["use", "--json"], "use.v1.json"),
        (vec!["status", "--json"], "status.v1.json"),
        (
            vec!["export", "sandbox", "--format", "json"],
            "export.v1.json",
        ),
        (
            vec!["remove", "sandbox", "--yes", "--json"],
            "remove.v1.json",
        ),
    ] {
        let run = env.run(&args, &[], None);
        contract.check(file, &run.json(), &args.join(" "));
    }
}

/// docs/schema/ is generated from the output types (`halo_connect::schema_files`): each file is
/// exactly what its type gives, and no file is there that no type gives.
/// `UPDATE_SCHEMAS=1 cargo test --test it schema` rewrites them.
#[test]
fn every_schema_file_is_generated_from_its_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let files = halo_connect::schema_files();
    let mut stale = Vec::new();
    for f in &files {
        let path = dir.join(f.name);
        let text = f.text();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(f.name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schema/{stale:?} differ from their types: run `UPDATE_SCHEMAS=1 cargo test --test it schema` and commit them"
    );
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            files.iter().any(|f| f.name == name),
            "docs/schema/{name} is generated by no type"
        );
    }
}

/// A schema file nobody checks would drift: each one in docs/schema/ is checked here (`FILES`) or
/// named by another test that validates real outputs against it.
#[test]
fn every_schema_file_is_checked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut tests = String::new();
    let mut stack = vec![root.join("tests")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("schema.rs") {
                tests.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    for e in std::fs::read_dir(root.join("docs/schema")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            FILES.contains(&name.as_str()) || tests.contains(&name),
            "docs/schema/{name} is checked by no test"
        );
    }
}
