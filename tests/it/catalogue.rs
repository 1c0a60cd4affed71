//! The diagnosis catalogue against the tool: the troubleshooting doc is generated from it, and
//! every cause the sandbox can emulate is run through the real binary and must give the cause's
//! exit code, error.kind, code and fix (the hostile ones by their row of the hostile matrix).
//! (That every emitted cause is catalogued is a type: a diagnosis can only be built from a
//! catalogue `const`.)

use crate::common::{sandbox_tls, strs, write_ca, TestEnv, CANARY};
use crate::hostile::Setup;
use halo_connect::domain::catalogue::{troubleshooting_markdown, Emulation, CATALOGUE};
use halo_connect::sandbox::{Scenario, TlsMode};

#[test]
fn the_troubleshooting_doc_is_generated_from_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/troubleshooting.md");
    let want = troubleshooting_markdown();
    if std::env::var("UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/troubleshooting.md is stale: run `UPDATE_DOCS=1 cargo test --test it catalogue`"
    );
}

fn stem(fix: &str) -> &str {
    fix.split('{').next().unwrap_or(fix)
}

#[test]
fn every_emulated_entry_is_recognised_by_the_real_binary() {
    let mut ran = 0;
    for e in CATALOGUE {
        // A hostile entry is run once, by its row of the hostile matrix, which checks the same
        // exit code, kind, code and fix; here only that the row expects what the entry says.
        if let Some(row) = crate::hostile::claimed(e.printed().code) {
            if let (Emulation::Scenario { scenario, .. }, Setup::Scenario(s)) =
                (e.emulation, row.setup)
            {
                assert_eq!(
                    scenario.parse::<Scenario>().unwrap(),
                    s,
                    "{}: the row runs another scenario",
                    e.code
                );
            }
            assert_eq!(
                row.exit,
                e.kind.exit_code(),
                "{}: the matrix row's exit code",
                e.code
            );
            assert_eq!(
                row.error.map(|(k, _)| k),
                Some(e.kind.as_str()),
                "{}: the matrix row's kind",
                e.code
            );
            ran += 1;
            continue;
        }
        let env = TestEnv::new();
        let (scenario, tls, trust, preset, wrong) = match e.emulation {
            Emulation::Scenario { scenario, preset } => (
                scenario.parse::<Scenario>().unwrap(),
                TlsMode::Off,
                false,
                preset,
                None,
            ),
            Emulation::WrongValue { var, value } => (
                Scenario::Healthy,
                TlsMode::Off,
                false,
                "billing",
                Some((var, value)),
            ),
            Emulation::Tls { mode, trust_ca } => (
                Scenario::Healthy,
                mode.parse::<TlsMode>().unwrap(),
                trust_ca,
                "billing",
                None,
            ),
            Emulation::Evidence(_) => continue,
        };
        let sb = sandbox_tls(scenario, tls);
        let mut vars: Vec<(String, String)> = vec![
            ("HALO_RESOURCE_SERVER".into(), sb.resource_server()),
            ("HALO_AUTH_SERVER".into(), sb.auth_server()),
            ("HALO_TENANT".into(), sb.tenant().into()),
            ("HALO_CLIENT_ID".into(), sb.client_id().into()),
            ("HALO_CLIENT_SECRET".into(), CANARY.into()),
        ];
        if let Some((var, value)) = wrong {
            let value = value
                .replace(
                    "{https_base}",
                    &sb.base_url().replace("http://", "https://"),
                )
                .replace("{base}", &sb.base_url());
            if var == "HALO_URL" {
                vars.retain(|(k, _)| {
                    !k.starts_with("HALO_RESOURCE")
                        && !k.starts_with("HALO_AUTH")
                        && k != "HALO_TENANT"
                });
            } else {
                vars.retain(|(k, _)| k != var);
            }
            vars.push((var.into(), value));
        }
        if e.code == "tenant-required" {
            vars.retain(|(k, _)| k != "HALO_TENANT");
            vars.push(("HALO_TENANT".into(), "Not set".into()));
        }
        let mut args: Vec<String> = vec![
            "test".into(),
            "--from-env".into(),
            "--json".into(),
            "--preset".into(),
            preset.into(),
        ];
        args.extend([
            "--timeout".into(),
            if e.code == "timeout" { "1" } else { "5" }.into(),
        ]);
        if trust {
            args.extend([
                "--ca-cert".into(),
                write_ca(env.dir.path(), &sb).display().to_string(),
            ]);
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let run = env.run(&strs(&args), &vars, None);
        let v = run.contract(Some(e.kind.as_str()));
        assert_eq!(
            run.code,
            e.kind.exit_code(),
            "{}: exit code\n{v:#}\n{}",
            e.code,
            run.stderr
        );
        assert_eq!(
            v["error"]["kind"],
            e.kind.as_str(),
            "{}: error.kind\n{v:#}",
            e.code
        );
        if e.code != "plain-http" {
            assert_eq!(
                v["error"]["code"],
                e.printed().code,
                "{}: error.code\n{v:#}",
                e.code
            );
            let hint = v["error"]["hint"].as_str().unwrap_or_default();
            assert!(
                hint.starts_with(stem(e.printed().fix)),
                "{}: the hint is not the catalogue's fix\n{hint}\n{}",
                e.code,
                e.fix
            );
        }
        ran += 1;
    }
    assert!(ran >= 28, "only {ran} entries emulated");
}
