//! A second real client against the sandbox: the `haloitsm-python` PyPI package, at the version
//! pinned in tests/python/requirements.txt (.ci/run installs it), makes every one of its read calls
//! through tests/python/haloitsm_client.py. Every call must pass except the ones that fail against
//! Halo too (routes Halo does not have, the package's own bugs), which must keep failing: the
//! sandbox may not answer a route Halo lacks. The values `handoff --for haloitsm-python` says to type
//! are the ones it signs in with. Where the package is absent the test says so and passes, except
//! under CI (`CI` set, or `HALO_TEST_PYTHON=1`), where it must run.

use halo_connect::sandbox::{Sandbox, SandboxOptions, Scenario};

use crate::pyclient::PyClient;

const CLIENT: PyClient = PyClient {
    package: "haloitsm-python",
    import: "halo",
    script: "tests/python/haloitsm_client.py",
};

#[test]
fn the_haloitsm_python_client_reads_through_the_sandbox() {
    if !CLIENT.ready() {
        return;
    }
    let sb = Sandbox::start(SandboxOptions {
        scenario: Scenario::Healthy,
        ..SandboxOptions::default()
    })
    .expect("sandbox");
    let (stdout, _) = CLIENT.run(&sb.base_url(), sb.client_id(), sb.client_secret().expose());
    eprintln!("{stdout}");
    let passed = stdout.lines().filter(|l| l.starts_with("ok ")).count();
    let expected = stdout.lines().filter(|l| l.starts_with("xfail ")).count();
    assert!(passed >= 37, "only {passed} calls passed:\n{stdout}");
    // The routes Halo lacks still answer "no such route".
    for name in ["Ticket.get_actions", "KBArticleList.get_by_slug"] {
        assert!(
            stdout.contains(&format!("xfail {name} ")),
            "{name}:\n{stdout}"
        );
    }
    assert_eq!(expected, 6, "{stdout}");
}

/// The package signs in and reads with exactly what `handoff --for haloitsm-python` hands over.
#[test]
fn the_haloitsm_python_client_works_with_the_handed_off_values() {
    if !CLIENT.ready() {
        return;
    }
    use crate::common::*;
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "itsm".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    let handoff = env.run(
        &["handoff", "itsm", "--for", "haloitsm-python", "--json"],
        &[],
        None,
    );
    handoff.code(0);
    let v = handoff.json();
    let field = |label: &str| -> String {
        v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["label"] == label)
            .and_then(|f| f["value"].as_str().map(str::to_string))
            .unwrap_or_else(|| panic!("no {label}: {v:#}"))
    };
    let (stdout, stderr) = CLIENT.run(&field("base_url"), &field("client_id"), CANARY);
    assert!(!stdout.contains(CANARY) && !stderr.contains(CANARY));
}
