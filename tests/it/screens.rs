//! Every human screen, pinned with insta: the report of `test --sandbox` for each scenario, the
//! error blocks, `checklist`, and `--help` of every command, each with its exit code and both
//! streams. Ports, millisecond timings and temp paths are redacted. Review a change with
//! `cargo insta review` (or `INSTA_UPDATE=always`, then read the diff); the wizard's end is in
//! tests/pty.rs.

use crate::common::*;

/// A run as one text: the exit code, then stdout and stderr, with `dir` written as `[dir]`.
fn screen(run: &Run, dir: &std::path::Path) -> String {
    let dir = dir.display().to_string();
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        run.code,
        run.stdout.replace(&dir, "[dir]"),
        run.stderr.replace(&dir, "[dir]")
    )
}

/// Ports and millisecond timings change from run to run.
macro_rules! assert_screen {
    ($name:expr, $text:expr) => {
        insta::with_settings!({
            filters => vec![
                (r"127\.0\.0\.(\d):\d+", "127.0.0.$1:[port]"),
                (r"\b\d+ ms\b", "[n] ms"),
            ],
            prepend_module_to_snapshot => true,
            omit_expression => true,
        }, {
            insta::assert_snapshot!($name, $text);
        })
    };
}

#[test]
fn the_report_of_every_sandbox_scenario() {
    let screens = for_each_scenario(|s| {
        let env = TestEnv::new();
        let run = env.run(&sandbox_test_args(s), &[], None);
        screen(&run, env.dir.path())
    });
    for (s, text) in screens {
        assert_screen!(format!("report-{}", s.as_str()), text);
    }
}

#[test]
fn error_blocks() {
    let env = TestEnv::new();
    let cases: &[(&str, i32, &[&str])] = &[
        ("error-unknown-profile", 3, &["test", "--profile", "nope"]),
        ("error-missing-values", 3, &["init", "--non-interactive"]),
        (
            "error-malformed-address",
            3,
            &[
                "init",
                "--non-interactive",
                "--url",
                "http://acme.halopsa.com",
            ],
        ),
        (
            "error-unknown-preset",
            3,
            &["checklist", "--preset", "payroll"],
        ),
        (
            "error-usage-contradiction",
            2,
            &["test", "--all", "--profile", "x"],
        ),
        ("error-usage-unknown-flag", 2, &["test", "--bogus"]),
        (
            "error-usage-secret-on-argv",
            2,
            &["init", "--client-secret", "x"],
        ),
    ];
    for (name, code, args) in cases {
        let run = env.run(args, &[], None);
        run.code(*code);
        assert_screen!(*name, screen(&run, env.dir.path()));
    }
    // A corrupt config names its file and line.
    env.write_config("[profiles.default]\npreset = \"billing\"\nresource_server = \n");
    let run = env.run(&["list"], &[], None);
    run.code(3);
    assert_screen!("error-corrupt-config", screen(&run, env.dir.path()));
}

#[test]
fn the_billing_checklist() {
    let env = TestEnv::new();
    for format in ["text", "markdown"] {
        let run = env.run(
            &["checklist", "--preset", "billing", "--format", format],
            &[],
            None,
        );
        run.code(0);
        assert_screen!(
            format!("checklist-billing-{format}"),
            screen(&run, env.dir.path())
        );
    }
}

#[test]
fn help_of_every_command() {
    let env = TestEnv::new();
    let commands: &[&[&str]] = &[
        &[],
        &["init"],
        &["test"],
        &["list"],
        &["show"],
        &["remove"],
        &["token"],
        &["presets"],
        &["presets", "show"],
        &["checklist"],
        &["sandbox"],
        &["completions"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        // clap wraps at the terminal's width; 100 columns is its widest default.
        let run = env.run(&args, &[("COLUMNS", "100")], None);
        run.code(0);
        let name = if command.is_empty() {
            "help".to_string()
        } else {
            format!("help-{}", command.join("-"))
        };
        assert_screen!(name, screen(&run, env.dir.path()));
    }
}
