//! Hostile servers, one matrix: each way a server or the network misbehaves, run once through the
//! binary (`test --from-env --json`), and what the run must end in: the exit code, `error.kind`,
//! `error.code`, the catalogue's fix as the hint, and what the message must say. Every row ends
//! within its timeout (per request, with bounded retries) and never panics or leaks the secret.

use std::time::{Duration, Instant};

use crate::common::*;
use halo_connect::domain::catalogue::CATALOGUE;
use halo_connect::sandbox::{Sandbox, Scenario};

/// What the binary is pointed at.
#[derive(Debug, Clone, Copy)]
pub enum Setup {
    /// The sandbox in this scenario.
    Scenario(Scenario),
    /// A healthy sandbox, with the Authorization Server given as the web interface's root: the
    /// token POST gets a web page.
    TokenAtWebRoot,
    /// A loopback port where nothing listens, given as the one Halo address (`HALO_URL`).
    NothingListening,
}

/// One row: a misbehaviour and what the run must end in.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub setup: Setup,
    /// `--timeout`, in seconds.
    pub timeout: &'static str,
    pub exit: i32,
    /// `error.kind` and `error.code`; `None` when the run passes.
    pub error: Option<(&'static str, &'static str)>,
    /// Pieces `error.message` must contain.
    pub says: &'static [&'static str],
    /// Pieces `error.hint` must contain (beyond starting with the catalogue's fix).
    pub hint: &'static [&'static str],
    /// At most this many requests may reach the sandbox (bounded retries).
    pub max_requests: Option<u64>,
    /// This row is the run of the catalogue entry of its `error.code`, so `catalogue.rs` does not
    /// run that entry again.
    pub claims_entry: bool,
}

impl Case {
    const fn new(setup: Setup, timeout: &'static str) -> Case {
        Case {
            setup,
            timeout,
            exit: 0,
            error: None,
            says: &[],
            hint: &[],
            max_requests: None,
            claims_entry: false,
        }
    }

    const fn fails(self, exit: i32, kind: &'static str, code: &'static str) -> Case {
        Case {
            exit,
            error: Some((kind, code)),
            ..self
        }
    }

    const fn says(self, says: &'static [&'static str]) -> Case {
        Case { says, ..self }
    }

    const fn hint(self, hint: &'static [&'static str]) -> Case {
        Case { hint, ..self }
    }

    const fn at_most(self, requests: u64) -> Case {
        Case {
            max_requests: Some(requests),
            ..self
        }
    }

    const fn claims_entry(self) -> Case {
        Case {
            claims_entry: true,
            ..self
        }
    }
}

/// The matrix as a table, and one `#[test]` per row (so rows run in parallel and one can be run by
/// name: `cargo test --test it hostile::drip`).
macro_rules! matrix {
    ($( $(#[$doc:meta])* $name:ident: $case:expr; )*) => {
        pub const MATRIX: &[(&str, Case)] = &[ $( (stringify!($name), $case), )* ];
        $( $(#[$doc])* #[test] fn $name() { check(stringify!($name), &$case) } )*
    };
}

use Setup::{NothingListening, Scenario as S, TokenAtWebRoot};

matrix! {
    /// The Authorization Server set to the web interface's root.
    token_endpoint_answers_a_web_page: Case::new(TokenAtWebRoot, "5")
        .fails(6, "server", "token-url-not-found")
        .says(&["not Halo's token endpoint"]);
    /// Every /api call answers 200 text/html, as the web UI does.
    resource_server_answers_html: Case::new(S(Scenario::HtmlResourceServer), "5")
        .fails(6, "server", "html-resource-server")
        .hint(&["/api"])
        .claims_entry();
    /// JSON cut off half-way.
    broken_json: Case::new(S(Scenario::BrokenJson), "5").fails(6, "server", "not-halo");
    /// JSON with bytes that are not UTF-8.
    invalid_utf8: Case::new(S(Scenario::InvalidUtf8), "5").fails(6, "server", "not-halo");
    /// A 20 MB body is cut off at the body cap.
    huge_body: Case::new(S(Scenario::HugeBody), "20")
        .fails(6, "server", "body-too-large")
        .claims_entry();
    /// A body dripped one byte per 500 ms times out.
    drip: Case::new(S(Scenario::Drip), "2").fails(6, "connection", "timeout");
    /// Every answer 2 s late, with a 1 s timeout.
    slow: Case::new(S(Scenario::Slow), "1")
        .fails(6, "connection", "timeout")
        .says(&["within 1 s"])
        .claims_entry();
    /// Connections accepted, nothing ever answered.
    no_answer: Case::new(S(Scenario::NoAnswer), "2").fails(6, "connection", "timeout");
    /// The token endpoint redirects to itself, forever.
    redirect_loop: Case::new(S(Scenario::RedirectLoop), "5")
        .fails(6, "server", "redirect-loop")
        .claims_entry();
    /// The token endpoint redirects to another host: not followed, the secret not sent.
    redirect_other_host: Case::new(S(Scenario::RedirectOtherHost), "5")
        .fails(6, "server", "redirect-other-host")
        .says(&["not sent"])
        .claims_entry();
    /// Two 429s with Retry-After are retried, and the test passes.
    a_few_429s_are_retried: Case::new(S(Scenario::RateLimited), "5");
    /// A 502 on each path's first call is retried, and the test passes.
    a_502_on_first_calls_is_retried: Case::new(S(Scenario::Flaky), "5");
    /// Only 429s: 3 attempts for the token request, nothing after it.
    storm_of_429s: Case::new(S(Scenario::RateLimitStorm), "5")
        .fails(6, "connection", "rate-limited")
        .at_most(3)
        .claims_entry();
    /// Only 503s: 3 attempts, and the status is named.
    storm_of_503s: Case::new(S(Scenario::ServerError), "5")
        .fails(6, "server", "server-error")
        .says(&["503"])
        .at_most(3)
        .claims_entry();
    /// The connection closed in the middle of every body.
    reset_mid_body: Case::new(S(Scenario::Reset), "5")
        .fails(6, "connection", "connection-reset")
        .claims_entry();
    /// Halo answers ?tenant=<unknown> with a 500 HTML page: the Tenant typed is named, exit 4.
    a_500_page_for_an_unknown_tenant: Case::new(S(Scenario::WrongTenant), "5")
        .fails(4, "auth", "wrong-tenant")
        .says(&["\"sandbx\""])
        .claims_entry();
    /// Nothing listens at the address.
    nothing_listening: Case::new(NothingListening, "5")
        .fails(6, "connection", "refused")
        .claims_entry();
}

/// The row that runs the catalogue entry printing `code`, if one claims it.
pub fn claimed(code: &str) -> Option<&'static Case> {
    MATRIX
        .iter()
        .map(|(_, c)| c)
        .find(|c| c.claims_entry && c.error.is_some_and(|(_, cc)| cc == code))
}

/// A loopback port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn check(name: &str, case: &Case) {
    let env = TestEnv::new();
    let (sb, vars): (Option<Sandbox>, Vec<(&str, String)>) = match case.setup {
        Setup::Scenario(s) => {
            let sb = sandbox(s);
            let vars = from_env_vars(&sb);
            (Some(sb), vars)
        }
        Setup::TokenAtWebRoot => {
            let sb = sandbox(Scenario::Healthy);
            let mut vars = from_env_vars(&sb);
            vars.retain(|(k, _)| *k != "HALO_AUTH_SERVER");
            vars.push(("HALO_AUTH_SERVER", format!("{}/", sb.base_url())));
            (Some(sb), vars)
        }
        Setup::NothingListening => (
            None,
            vec![
                ("HALO_URL", format!("http://127.0.0.1:{}", free_port())),
                (
                    "HALO_CLIENT_ID",
                    "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60".into(),
                ),
                ("HALO_CLIENT_SECRET", CANARY.into()),
            ],
        ),
    };
    let args = [
        "test",
        "--from-env",
        "--json",
        "--preset",
        "billing",
        "--timeout",
        case.timeout,
    ];
    let start = Instant::now();
    let run = env.run(&args, &refs(&vars), None);
    let took = start.elapsed();
    run.code(case.exit);
    let v = run.contract(case.error.map(|(kind, _)| kind));
    if let Some((_, code)) = case.error {
        assert_eq!(v["error"]["code"], code, "{name}: {v:#}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{name}: {v:#}");
        for piece in case.says {
            assert!(message.contains(piece), "{name}: {piece:?} not in {v:#}");
        }
        let hint = v["error"]["hint"].as_str().unwrap_or_default();
        let fix = CATALOGUE
            .iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("{name}: {code} is not in the catalogue"))
            .fix;
        assert!(
            hint.starts_with(fix.split('{').next().unwrap_or(fix)),
            "{name}: the hint is not the catalogue's fix\n{hint}\n{fix}"
        );
        for piece in case.hint {
            assert!(hint.contains(piece), "{name}: {piece:?} not in {v:#}");
        }
    }
    // Within the timeout: per request, with bounded retries (3 attempts, Retry-After ≤ 10 s). Not a
    // speed assertion: the bound is generous, and a hang would otherwise end only at the harness's
    // 60 s kill.
    let secs: u64 = case.timeout.parse().unwrap();
    assert!(
        took < Duration::from_secs(secs * 3 + 10),
        "{name} took {took:?}"
    );
    if let (Some(max), Some(sb)) = (case.max_requests, &sb) {
        assert!(sb.stats().requests <= max, "{name}: {:?}", sb.stats());
    }
}
