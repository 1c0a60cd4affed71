use crate::common::*;
use halo_connect::sandbox::Scenario;

#[test]
fn a_corrupt_config_is_reported_with_its_line_and_never_overwritten() {
    let env = TestEnv::new();
    let broken = "[profiles.default]\npreset = \"billing\"\nresource_server = \n";
    env.write_config(broken);
    let run = env.run(&["list"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert!(run.stderr.contains("config.toml"), "{}", run.stderr);
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.push("--profile".into());
    args.push("other".into());
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    assert_eq!(env.config_text(), broken, "the corrupt file is untouched");
    let v = env.run(&["test", "--json"], &[], None).json();
    assert_eq!(v["error"]["kind"], "config");
}

#[test]
fn concurrent_inits_of_distinct_profiles_all_land() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let args = init_args(&sb);
    let n = 32;
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
            c.env_clear().envs(env.vars());
            c.args(&args)
                .args(["--profile", &format!("p{i}")])
                .env("HALO_CLIENT_SECRET", CANARY);
            c.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    for ch in children {
        let out = ch.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v = env.run(&["list", "--json"], &[], None).json();
    assert_eq!(v.as_array().unwrap().len(), n);
}
