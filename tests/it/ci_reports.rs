//! The CI reports of `test`: `--junit FILE` parsed back with a real XML parser (roxmltree) and
//! `--summary FILE`, for one profile, `--all`, a check that could not start and a file that cannot
//! be written; the hidden `man` command and the PowerShell completion script the release archives
//! carry. Every run goes through `TestEnv::run`, so the secret canary is checked over the report
//! files too (they are written inside the test's directory).

use crate::common::*;
use halo_connect::sandbox::Scenario;

/// The one `<testsuite>` of a JUnit document, after checking the document's shape.
fn suite<'a>(doc: &'a roxmltree::Document) -> roxmltree::Node<'a, 'a> {
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 1, "one testsuite");
    assert_eq!(suites[0].tag_name().name(), "testsuite");
    for attr in ["tests", "failures", "errors", "time"] {
        assert_eq!(
            root.attribute(attr),
            suites[0].attribute(attr),
            "testsuites and testsuite agree on {attr}"
        );
    }
    suites[0]
}

fn cases<'a>(suite: roxmltree::Node<'a, 'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect()
}

fn child<'a>(n: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    n.children().find(|c| c.has_tag_name(name))
}

#[test]
fn a_refused_permission_is_one_failing_testcase_with_its_cause_and_fix() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::MissingScope);
    let vars = from_env_vars(&sb);
    let junit = env.dir.path().join("reports").join("junit.xml");
    let summary = env.dir.path().join("summary.md");
    let (j, s) = (junit.display().to_string(), summary.display().to_string());
    let run = env.run(
        &[
            "test",
            "--from-env",
            "--json",
            "--junit",
            &j,
            "--summary",
            &s,
        ],
        &refs(&vars),
        None,
    );
    run.code(5);
    let v = run.contract(Some("permission"));

    let xml = std::fs::read_to_string(&junit).expect("the JUnit file was written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = suite(&doc);
    assert_eq!(suite.attribute("tests"), Some("1"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    let cases = cases(suite);
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("name"), Some("env"));
    let failure = child(cases[0], "failure").expect("a failure element");
    let code = v["error"]["code"].as_str().unwrap();
    assert_eq!(
        failure.attribute("type"),
        Some(format!("permission/{code}").as_str())
    );
    assert_eq!(
        failure.attribute("message"),
        v["error"]["message"].as_str(),
        "the message is the JSON's"
    );
    let body = failure.text().unwrap_or_default();
    assert!(body.contains("exit code 5"), "{body}");
    let hint = v["error"]["hint"].as_str().unwrap();
    assert!(body.contains(&format!("Fix: {hint}")), "{body}");
    let out = child(cases[0], "system-out").unwrap().text().unwrap();
    assert!(out.contains("edit:invoices: missing"), "{out}");

    let md = std::fs::read_to_string(&summary).expect("the summary was written");
    assert!(
        md.starts_with("### ❌ halo-connect test: 1 of 1 profile failed"),
        "{md}"
    );
    assert!(md.contains("**Cause:**"), "{md}");
}

#[test]
fn test_all_writes_one_testcase_per_profile() {
    let env = TestEnv::new();
    let good = sandbox(Scenario::Healthy);
    let bad = sandbox(Scenario::WrongSecret);
    for (sb, name) in [(&good, "good"), (&bad, "bad")] {
        let mut args = init_args(sb);
        args.push("--skip-test".into());
        env.run(
            &strs(&args),
            &[("HALO_CLIENT_SECRET", CANARY), ("HALO_PROFILE", name)],
            None,
        )
        .code(0);
    }
    // A third profile whose secret is nowhere: it cannot even start.
    let mut args = init_args(&good);
    let store = args.iter().position(|a| a == "file").unwrap();
    args[store] = "none".into();
    args.push("--skip-test".into());
    env.run(
        &strs(&args),
        &[("HALO_CLIENT_SECRET", CANARY), ("HALO_PROFILE", "nosecret")],
        None,
    )
    .code(0);
    let junit = env.dir.path().join("all.xml");
    let j = junit.display().to_string();
    let run = env.run(&["test", "--all", "--junit", &j], &[], None);
    run.code(4);

    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = suite(&doc);
    assert_eq!(suite.attribute("tests"), Some("3"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    let mut by_name: Vec<(String, Option<String>)> = cases(suite)
        .iter()
        .map(|c| {
            let verdict = c
                .children()
                .find(|n| n.has_tag_name("failure") || n.has_tag_name("error"))
                .map(|n| format!("{} {}", n.tag_name().name(), n.attribute("type").unwrap()));
            (c.attribute("name").unwrap().to_string(), verdict)
        })
        .collect();
    by_name.sort();
    assert_eq!(
        by_name,
        vec![
            ("bad".into(), Some("failure auth/invalid-client".into())),
            ("good".into(), None),
            ("nosecret".into(), Some("error config".into())),
        ]
    );
}

#[test]
fn a_check_that_cannot_start_is_an_error_testcase() {
    let env = TestEnv::new();
    let junit = env.dir.path().join("junit.xml");
    let j = junit.display().to_string();
    let run = env.run(
        &["test", "--from-env", "--junit", &j],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(3);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases = cases(suite(&doc));
    assert_eq!(cases.len(), 1);
    let error = child(cases[0], "error").expect("an error element");
    assert_eq!(error.attribute("type"), Some("config"));
    assert!(
        error.text().unwrap().contains("HALO_URL"),
        "names what to set: {xml}"
    );
}

#[test]
fn a_report_that_cannot_be_written_fails_a_passing_run() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let vars = from_env_vars(&sb);
    // A path under a regular file: its directory can never be created.
    let blocker = env.dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let j = blocker.join("junit.xml").display().to_string();
    let run = env.run(
        &["test", "--from-env", "--json", "--junit", &j],
        &refs(&vars),
        None,
    );
    run.code(3);
    let v = run.json();
    assert_eq!(
        v["error"]["kind"], "config",
        "one JSON document, the error: {v:#}"
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("junit.xml"));
    assert!(v["error"]["hint"].as_str().unwrap().contains("--junit"));
}

#[test]
fn a_report_that_cannot_be_written_beside_a_failure_keeps_the_failures_exit_code() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::WrongSecret);
    let vars = from_env_vars(&sb);
    let blocker = env.dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let s = blocker.join("summary.md").display().to_string();
    let run = env.run(&["test", "--from-env", "--summary", &s], &refs(&vars), None);
    run.code(4);
    assert!(run.stderr.contains("summary.md"), "{}", run.stderr);
}

#[test]
fn man_writes_a_page_per_command() {
    let env = TestEnv::new();
    let dir = env.dir.path().join("man");
    let d = dir.display().to_string();
    env.run(&["man", "--out-dir", &d], &[], None).code(0);
    let main = std::fs::read_to_string(dir.join("halo-connect.1")).unwrap();
    assert!(
        main.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &main[..80]
    );
    assert!(
        main.contains("halo\\-connect\\-test(1)"),
        "lists the commands"
    );
    let test = std::fs::read_to_string(dir.join("halo-connect-test.1")).unwrap();
    assert!(test.contains("\\-\\-junit"), "documents --junit");
    assert!(dir.join("halo-connect-presets-show.1").exists());
    let stdout = env.run(&["man"], &[], None);
    stdout.code(0);
    assert_eq!(stdout.stdout, main, "stdout holds the main page");
}

#[test]
fn the_powershell_completion_script_is_generated() {
    let env = TestEnv::new();
    let run = env.run(&["completions", "powershell"], &[], None);
    run.code(0);
    assert!(
        run.stdout
            .contains("Register-ArgumentCompleter -Native -CommandName halo-connect "),
        "{}",
        &run.stdout[..run.stdout.len().min(400)]
    );
    let asked = env.run(
        &["--", "halo-connect", "test", "--ju"],
        &[("HALO_CONNECT_COMPLETE", "powershell")],
        None,
    );
    asked.code(0);
    assert!(
        asked.stdout.lines().any(|l| l.starts_with("--junit")),
        "completes the new flags: {}",
        asked.stdout
    );
}

#[test]
fn a_config_that_does_not_parse_still_leaves_a_junit_file() {
    let env = TestEnv::new();
    env.write_config("[profiles.a\nnot toml");
    let junit = env.dir.path().join("junit.xml");
    let j = junit.display().to_string();
    let run = env.run(&["test", "--all", "--junit", &j], &[], None);
    run.code(3);
    let xml = std::fs::read_to_string(&junit).expect("written although the run failed");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases = cases(suite(&doc));
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("name"), Some("all profiles"));
    let error = child(cases[0], "error").expect("an error element");
    assert!(error.text().unwrap().contains("line 1"), "{xml}");
}
