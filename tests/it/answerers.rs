//! Who answered, through the real binary: for each class (Halo's Authorization Server, its API,
//! its web interface, the web server in front, a CDN/WAF/filter/proxy, anything else) the sandbox
//! answers as that class does, and `test` must give the class's cause, exit code and the words
//! that name it. Plus: a 407 on an HTTPS_PROXY tunnel, the Tenant named first on another host's
//! Authorization Server, discovery of that Tenant, InstanceInfo, and scope names before any
//! request. Hostile answers of each class are in `hostile_answers.rs`.

use crate::common::{from_env_vars, init_args, refs, sandbox, strs, TestEnv, CANARY};
use halo_connect::sandbox::{model::model, Scenario};

/// `test --from-env --json` against a sandbox in `scenario`.
fn run_scenario(scenario: Scenario) -> (crate::common::Run, serde_json::Value) {
    let sb = sandbox(scenario);
    let env = TestEnv::new();
    let vars = from_env_vars(&sb);
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", "5"],
        &refs(&vars),
        None,
    );
    let v = run.json();
    (run, v)
}

/// (scenario, exit, error.kind, error.code, words the message must hold, words the hint must hold)
type Case = (
    Scenario,
    i32,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn each_class_is_named_by_who_answered() {
    let table: &[Case] = &[
        // 1. Halo's Authorization Server: an OAuth error no guide names is still an auth refusal.
        (
            Scenario::OauthUnknownError,
            4,
            "auth",
            "token-refused",
            &[
                "account_locked",
                "This application is locked after too many failed sign-ins.",
                "HTTP 400",
            ],
            &["Tenant", "View Applications"],
        ),
        (
            Scenario::WrongSecret,
            4,
            "auth",
            "invalid-client",
            &[
                "invalid_client",
                "The specified client credentials are invalid.",
            ],
            &["Client Secret"],
        ),
        // 2. Halo's API, in its own JSON error shape.
        (
            Scenario::ApiError,
            6,
            "server",
            "halo-api-error",
            &["Invalid object name 'SANDBOXFAULT'.", "HTTP 500"],
            &["Halo support", "latest stable Halo"],
        ),
        // 3. Halo's web interface: a redirect to its sign-in page.
        (
            Scenario::LoginRedirect,
            6,
            "server",
            "web-sign-in",
            &["sign-in page", "Log in - HaloPSA"],
            &["/api", "/auth/token"],
        ),
        // 4. The web server in front of an on-premise Halo.
        (
            Scenario::IisIpRefused,
            6,
            "connection",
            "ip-allow-list",
            &["IIS", "403.503", "IP allow-list"],
            &[
                "public IP address",
                "IP Address and Domain Restrictions",
                "this machine's public address",
            ],
        ),
        (
            Scenario::NginxForbidden,
            6,
            "connection",
            "web-server-refused",
            &["nginx", "before Halo saw it", "403 Forbidden"],
            &["(nginx)", "allow-list"],
        ),
        // 5. CDNs, firewalls, filters, proxies, sign-in gateways.
        (
            Scenario::WafBlock,
            6,
            "connection",
            "firewall-blocked",
            &["Cloudflare", "in front of Halo", "8d2f6c1a9b3e4f70-LHR"],
            &["Cloudflare", "Halo support", "network team"],
        ),
        (
            Scenario::WafChallenge,
            6,
            "connection",
            "firewall-challenge",
            &["Cloudflare", "bot challenge"],
            &["exempt /api and /auth/token"],
        ),
        (
            Scenario::WebFilter,
            6,
            "connection",
            "web-filter",
            &["FortiGuard", "on the network this request leaves from"],
            &["allow 127.0.0.1"],
        ),
        (
            Scenario::ProxyAuth,
            6,
            "connection",
            "proxy-auth",
            &["407", "sandbox corporate proxy"],
            &["HTTPS_PROXY"],
        ),
        (
            Scenario::SsoGateway,
            6,
            "connection",
            "sign-in-gateway",
            &[
                "Microsoft Entra ID",
                "login.microsoftonline.com",
                "did not follow",
            ],
            &["pre-authentication"],
        ),
        // 6. Anything else: said as what answered, no cause named.
        (
            Scenario::UnknownAnswer,
            6,
            "server",
            "not-halo",
            &[
                "HTTP 200",
                "text/html",
                "Server: Embedded-HTTPd/2.1",
                "\"Welcome\"",
                "does not recognise",
            ],
            &["--report"],
        ),
    ];
    for (scenario, exit, kind, code, said, hinted) in table {
        let (run, v) = run_scenario(*scenario);
        run.code(*exit);
        let v2 = run.contract(Some(kind));
        assert_eq!(v2, v);
        assert_eq!(v["error"]["code"], *code, "{scenario}: {v:#}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        let hint = v["error"]["hint"].as_str().unwrap_or_default();
        for w in *said {
            assert!(
                message.contains(w),
                "{scenario}: message lacks {w:?}: {message}"
            );
        }
        for w in *hinted {
            assert!(hint.contains(w), "{scenario}: hint lacks {w:?}: {hint}");
        }
        assert!(
            !hint.contains("{front}") && !hint.contains("{host}") && !hint.contains("{server}"),
            "{scenario}: {hint}"
        );
    }
}

#[test]
fn the_text_report_names_who_answered_too() {
    let sb = sandbox(Scenario::IisIpRefused);
    let env = TestEnv::new();
    let vars = from_env_vars(&sb);
    let run = env.run(
        &["test", "--from-env", "--timeout", "5"],
        &refs(&vars),
        None,
    );
    run.code(6);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("403.503"), "{all}");
    assert!(all.contains("IP Address and Domain Restrictions"), "{all}");
}

/// A proxy that wants credentials for the CONNECT tunnel of an https:// address: reqwest gets no
/// answer at all, only the tunnel's 407.
#[test]
fn a_proxy_asking_for_credentials_on_the_tunnel_is_named() {
    let proxy = sandbox(Scenario::ProxyAuth);
    let env = TestEnv::new();
    let proxy_url = proxy.base_url();
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", "5"],
        &[
            ("HTTPS_PROXY", proxy_url.as_str()),
            ("https_proxy", proxy_url.as_str()),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
            ("HALO_URL", "https://acme.halopsa.com"),
            ("HALO_AUTH_SERVER", "https://acme.halopsa.com/auth/"),
            ("HALO_TENANT", "acme"),
            ("HALO_CLIENT_ID", "5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58"),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    );
    run.code(6);
    let v = run.contract(Some("connection"));
    assert_eq!(v["error"]["code"], "proxy-auth", "{v:#}");
    assert!(
        v["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("acme.halopsa.com"),
        "{v:#}"
    );
    assert!(
        proxy.stats().requests >= 1,
        "the tunnel never reached the proxy"
    );
}

/// With no Tenant and the Authorization Server on another host than the Resource Server (here
/// `localhost` and `127.0.0.1`, one sandbox), a refusal names the Tenant first and keeps what Halo
/// said and its own fix after it.
#[test]
fn a_refusal_without_tenant_on_another_hosts_authorization_server_names_the_tenant_first() {
    let sb = sandbox(Scenario::WrongSecret);
    let env = TestEnv::new();
    let auth = format!("http://localhost:{}/auth/", sb.port());
    let rs = sb.resource_server();
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", "5"],
        &[
            ("HALO_RESOURCE_SERVER", rs.as_str()),
            ("HALO_AUTH_SERVER", auth.as_str()),
            ("HALO_TENANT", "Not set"),
            ("HALO_CLIENT_ID", sb.client_id()),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    );
    run.code(4);
    let v = run.contract(Some("auth"));
    assert_eq!(v["error"]["code"], "tenant-required", "{v:#}");
    let message = v["error"]["message"].as_str().unwrap();
    let hint = v["error"]["hint"].as_str().unwrap();
    assert!(message.contains("invalid_client"), "{message}");
    assert!(message.contains("another host"), "{message}");
    assert!(hint.starts_with("Copy the Tenant"), "{hint}");
    assert!(
        hint.contains("Client Secret"),
        "the invalid-client fix follows: {hint}"
    );
}

/// The Resource Server's own authinfo names the Tenant a shared Authorization Server needs.
#[test]
fn discovery_asks_the_resource_host_for_the_tenant() {
    use halo_connect::domain::values::{discovery_base, RawValues, Source, Sourced};
    use halo_connect::halo::check::discover;
    use halo_connect::halo::{ClientOptions, HaloClient};

    let sb = sandbox(Scenario::Healthy);
    let s = |v: String| Some(Sourced::new(v, Source::Flag));
    let raw = RawValues {
        url: None,
        resource_server: s(sb.resource_server()),
        auth_server: s(format!("http://localhost:{}/auth/", sb.port())),
        tenant: None,
        client_id: s(sb.client_id().to_string()),
    };
    let base = discovery_base(&raw).expect("a tenant to discover");
    assert_eq!(base, sb.base_url());
    let client = HaloClient::new(ClientOptions::default()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let found = rt.block_on(discover(&client, &base)).unwrap();
    assert_eq!(found.tenant_id.as_deref(), Some(sb.tenant()));

    // A front answering authinfo is said as what answered.
    let blocked = sandbox(Scenario::WafBlock);
    let err = rt
        .block_on(discover(&client, &blocked.base_url()))
        .unwrap_err();
    assert!(
        err.contains("HTTP 403") && err.contains("Server: cloudflare"),
        "{err}"
    );
}

#[test]
fn the_report_names_the_instance_and_a_refusal_there_is_no_failure() {
    let (run, v) = run_scenario(Scenario::Healthy);
    run.code(0);
    assert_eq!(v["instance"]["name"], "Halo PSA", "{v:#}");
    assert_eq!(
        v["instance"]["version"],
        model().instance.app_version.as_str(),
        "{v:#}"
    );

    // The role-denied Role may not read InstanceInfo: the instance is null, the verdict the same.
    let (run, v) = run_scenario(Scenario::RoleDenied);
    run.code(5);
    assert!(v["instance"].is_null(), "{v:#}");
    assert_eq!(v["error"]["code"], "role-denied", "{v:#}");

    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let vars = from_env_vars(&sb);
    let run = env.run(&["test", "--from-env"], &refs(&vars), None);
    run.code(0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains(&format!(
            "Halo PSA, version {}",
            model().instance.app_version
        )),
        "{all}"
    );
}

/// An unknown scope is refused with the nearest real names before any request is sent.
#[test]
fn an_unknown_scope_gets_the_nearest_real_names_before_any_request() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    args.extend(
        [
            "--preset",
            "custom",
            "--scopes",
            "read:customers,write:tickets",
            "--json",
        ]
        .map(String::from),
    );
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    let v = run.json();
    let text = v["error"].to_string();
    assert!(text.contains("write:tickets"), "{text}");
    assert!(text.contains("did you mean edit:tickets?"), "{text}");
    assert_eq!(
        sb.stats().requests,
        0,
        "a request was sent before the scopes were checked"
    );

    let mut args = init_args(&sb);
    args.extend(["--preset", "custom", "--scopes", "read:users"].map(String::from));
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    assert!(
        run.stderr.contains("did you mean read:customers?"),
        "{}",
        run.stderr
    );
}

/// No Tenant given, and the Authorization Server on another host than the Resource Server (as a
/// shared one is): the Resource Server's own authinfo supplies the Tenant, in `test` as in `init`.
#[test]
fn the_tenant_of_a_shared_authorization_server_comes_from_the_resource_servers_authinfo() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    // localhost and 127.0.0.1 are two hosts to the client, one server here.
    let other_host = sb.auth_server().replace("127.0.0.1", "localhost");
    let vars: Vec<(&str, String)> = from_env_vars(&sb)
        .into_iter()
        .filter(|(k, _)| *k != "HALO_TENANT")
        .map(|(k, v)| {
            if k == "HALO_AUTH_SERVER" {
                (k, other_host.clone())
            } else {
                (k, v)
            }
        })
        .collect();
    let run = env.run(&["test", "--from-env", "--json"], &refs(&vars), None);
    let v = run.json();
    assert_eq!(v["tenant"], "sandbox", "{v:#}");
}

/// When authinfo moves the Authorization Server (where the secret goes) to another host than the
/// address given, the run says so on stderr before the secret is sent.
#[test]
fn an_authorization_server_on_another_host_from_authinfo_is_said() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let url = sb.base_url().replace("127.0.0.1", "localhost");
    let run = env.run(
        &["test", "--from-env", "--json"],
        &[
            ("HALO_URL", url.as_str()),
            ("HALO_CLIENT_ID", sb.client_id()),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    );
    run.code(0);
    assert!(
        run.stderr
            .contains("on another host than the Resource Server"),
        "{}",
        run.stderr
    );
}
