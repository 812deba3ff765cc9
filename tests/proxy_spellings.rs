//! Issue 10, "the proxied tools parse with getopt_long_only": every spelling virt-builder and
//! virt-customize accept (one dash, unique abbreviations) is read as they read it. Secrets are
//! masked in every spelling, a value-taking option swallows its value in every spelling, and
//! `--no-delete-on-failure` is honoured however it is abbreviated. Fake tools on PATH (these are
//! the proxy's behaviours); no appliance.

mod common;

use std::process::Stdio;

use common::{Sandbox, fake_tool, interrupt, with_path};

const SECRET: &str = "S3cr3tValue";

/// Each secret option of each tool, in the spellings getopt_long_only accepts.
fn secret_spellings() -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    let forms = |opt: &str, abbrev: &str, value: String| {
        vec![
            vec![format!("--{opt}"), value.clone()],
            vec![format!("-{opt}"), value.clone()],
            vec![format!("-{opt}={value}")],
            vec![format!("--{abbrev}"), value.clone()],
            vec![format!("-{abbrev}"), value.clone()],
            vec![format!("--{abbrev}={value}")],
            vec![format!("-{abbrev}={value}")],
        ]
    };
    for bin in ["rejviz-builder", "rejviz-customize"] {
        for args in forms("root-password", "root-pass", format!("password:{SECRET}"))
            .into_iter()
            .chain(forms("root-password", "ro", format!("locked:password:{SECRET}")))
            .chain(forms("password", "password", format!("joe:password:{SECRET}")))
            .chain(forms("sm-credentials", "sm-cred", format!("joe:password:{SECRET}")))
            // Ambiguous (password, password-crypto): the tool refuses it, but it is shown.
            .chain(forms("password", "pass", format!("joe:password:{SECRET}")))
        {
            out.push((bin, args));
        }
    }
    for args in forms("key", "ke", format!("/dev/sda2:key:{SECRET}")) {
        out.push(("rejviz-customize", args));
    }
    out
}

/// The arguments that make each command show its command line without running anything.
fn show_only(bin: &str) -> Vec<&'static str> {
    match bin {
        "rejviz-builder" => vec!["rejviz-centos7", "--nic-format", "ifcfg", "--nic", "name=eth0", "--dry-run"],
        _ => vec!["-a", "x.img", "--nic-format", "eni", "--nic", "name=eth0", "--print-command"],
    }
}

#[test]
fn secrets_are_masked_in_every_spelling() {
    let sb = Sandbox::new();
    let cases = secret_spellings();
    assert!(cases.len() > 70);
    for (bin, args) in cases {
        let o = sb.rejviz(bin).args(&args).args(show_only(bin)).output().expect("run");
        let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert_eq!(o.status.code(), Some(0), "{bin} {args:?}: {stderr}");
        assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET), "{bin} {args:?} shows the secret:\n{stdout}");
        assert!(stdout.contains("***"), "{bin} {args:?}:\n{stdout}");
    }
}

/// The `running:` line of a real run masks too; the tool gets the secret unchanged.
#[test]
fn running_line_masks_and_the_tool_gets_the_value() {
    let sb = Sandbox::new();
    let argv = sb.path("argv");
    let dir = fake_tool(&sb, "virt-builder", &format!("#!/bin/sh\nprintf '%s\\n' \"$@\" >{}\n", argv.display()), 0o755);
    let value = format!("password:{SECRET}");
    let o = sb
        .rejviz("rejviz-builder")
        .args(["rejviz-centos7", "-o", "vm.img", "-root-pass", &value, "--nic-format", "ifcfg", "--nic", "name=eth0"])
        .env("PATH", &dir)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("-root-pass 'password:***'"), "{stderr}");
    assert!(!stderr.contains(SECRET), "{stderr}");
    let got = std::fs::read_to_string(&argv).expect("argv");
    assert!(got.contains(&format!("-root-pass\n{value}\n")), "{got}");
}

/// `--run-command --nic` in any spelling: `--nic` is the command virt-builder runs, not ours.
#[test]
fn value_taking_spellings_swallow_their_value() {
    let sb = Sandbox::new();
    for spelling in ["--run-command", "-run-command", "--run-comm", "-run-comm", "--fir", "-firstboot-comm"] {
        let o = sb
            .rejviz("rejviz-builder")
            .args(["rejviz-centos7", "--nic-format", "ifcfg", spelling, "--nic", "--dry-run"])
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{spelling}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(stdout.contains(&format!(" {spelling} --nic")), "{spelling}: {stdout}");
        assert!(!stdout.contains("ifcfg-"), "{spelling}: a NIC was configured:\n{stdout}");
    }
}

/// An abbreviation of one of our own options is refused before anything runs.
#[test]
fn our_options_are_not_abbreviated() {
    let sb = Sandbox::new();
    let o =
        sb.rejviz("rejviz-builder").args(["rejviz-centos7", "--nic-form", "ifcfg", "--dry-run"]).output().expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "rejviz-builder: unknown or ambiguous option --nic-form (options added by rejviz are not abbreviated: did you \
         mean --nic-format?)\n"
    );
}

/// The partial image of an interrupted build is removed, unless the user asked to keep it
/// with `--no-delete-on-failure`, in any spelling.
#[test]
fn no_delete_on_failure_in_any_spelling_keeps_the_partial_image() {
    for (keep, extra) in [
        (false, None),
        (true, Some("--no-delete-on-failure")),
        (true, Some("--no-delete-on-fail")),
        (true, Some("-no-del")),
    ] {
        let sb = Sandbox::new();
        let out = sb.path("out/vm.img");
        let started = sb.path("started");
        let script =
            format!("#!/bin/sh\necho partial >{}\ntouch {}\nexec sleep 30\n", out.display(), started.display());
        let dir = fake_tool(&sb, "virt-builder", &script, 0o755);
        let mut cmd = sb.rejviz("rejviz-builder");
        cmd.args(["rejviz-centos7", "-o", out.to_str().expect("utf8"), "--nic-format", "ifcfg", "--nic", "name=eth0"]);
        cmd.args(extra).env("PATH", with_path(&dir)).stdout(Stdio::null()).stderr(Stdio::piped());
        let child = cmd.spawn().expect("spawn");
        let (sig, stderr) = interrupt(child, libc::SIGTERM, "the fake virt-builder", || started.exists());
        assert_eq!(sig, Some(libc::SIGTERM), "{extra:?}: {stderr}");
        assert_eq!(out.exists(), keep, "{extra:?}: {stderr}");
    }
}
