//! A real third-party client against the sandbox: the `halopsa` PyPI package, at the version pinned
//! in tests/python/requirements.txt (.ci/run installs it), gets a token and makes its read calls
//! through tests/python/halopsa_client.py. Where the package is absent the test says so and passes,
//! except under CI (`CI` set, or `HALO_TEST_PYTHON=1`), where it must run.

use halo_connect::sandbox::{Sandbox, SandboxOptions, Scenario};

use crate::pyclient::PyClient;

const CLIENT: PyClient = PyClient {
    package: "halopsa",
    import: "HaloPSA",
    script: "tests/python/halopsa_client.py",
};

#[test]
fn the_halopsa_pypi_client_reads_through_the_sandbox() {
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
    assert!(passed >= 11, "only {passed} calls:\n{stdout}");
    assert!(stdout.contains("ok token"), "{stdout}");
    let st = sb.stats();
    assert_eq!(st.token_requests, 1, "{st:?}");
    assert!(st.requests >= passed as u64, "{st:?}");
}
