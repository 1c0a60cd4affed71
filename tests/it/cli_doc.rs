//! docs/cli.md is the contract: every command and every flag clap knows is named there, so a new
//! one cannot ship undocumented.

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md")).unwrap()
}

/// Each visible command path (`secret set`) and each of its visible long flags.
fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() {
            continue;
        }
        if let Some(long) = arg.get_long() {
            if long != "help" && long != "version" {
                out.push(format!("--{long}"));
            }
        }
    }
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let p = format!("{path}{}", sub.get_name());
        out.push(format!("`{p}"));
        walk(sub, &format!("{p} "), out);
    }
}

#[test]
fn docs_cli_names_every_command_and_flag() {
    let doc = doc();
    let mut names = Vec::new();
    walk(&halo_connect::command(), "", &mut names);
    assert!(names.len() > 30, "the walk found the tree: {names:?}");
    let mut missing: Vec<&String> = names
        .iter()
        .filter(|n| {
            // A flag is named as `--flag` or `--flag VALUE`; a command as `` `name``.
            !doc.contains(&format!("{n}`"))
                && !doc.contains(&format!("{n} "))
                && !doc.contains(&format!("{n}="))
        })
        .collect();
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "not in docs/cli.md: {missing:#?}");
}

#[test]
fn the_check_sees_a_missing_flag() {
    let cmd = clap::Command::new("x").arg(clap::Arg::new("y").long("not-documented-anywhere"));
    let mut names = Vec::new();
    walk(&cmd, "", &mut names);
    assert_eq!(names, ["--not-documented-anywhere"]);
    assert!(!doc().contains("--not-documented-anywhere"));
}
