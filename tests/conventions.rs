//! The virt-tools conventions every command follows: `--machine-readable`, our debug lines
//! with the tools' own debug flags (never a secret in them), colour only on a terminal and
//! never with NO_COLOR, and the JSON Schema of `rejviz-peek --json`.
//! Appliance launches: none (raw test images are read directly; a fake virt-builder). One
//! domain is defined (never started) on the system libvirtd, for rejviz-customize -d.

mod common;

use std::io::Read as _;
use std::process::{Command, Stdio};

use common::{
    LIBVIRT_URI, Sandbox, TestDomain, fake_tool, image_copy, images, outcome as out, peek_json, peek_schema_errors,
    pty, test_driver, with_path,
};
use rejviz::guestconf::Format;
use rejviz::inspect::Reader;
use rejviz::nic::{BondMode, LacpRate, NIC_KEYS, XmitHashPolicy};
use serde_json::{Value, json};

/// The lines of `text` that start with `prefix`, without it.
fn after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter_map(|l| l.strip_prefix(prefix)).collect()
}

// --- --machine-readable ---------------------------------------------------------------

/// customize, install and peek: their own lists, from the code's tables; alone only.
#[test]
fn machine_readable_lists_what_the_code_has() {
    let sb = Sandbox::new();
    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    let readers: Vec<&str> = Reader::ALL.iter().map(|r| r.name()).collect();
    for cmd in ["rejviz-customize", "rejviz-install", "rejviz-peek"] {
        let (code, stdout, stderr) = out(&sb.rejviz(cmd).arg("--machine-readable").output().expect("run"));
        assert_eq!((code, stderr.as_str()), (0, ""), "{cmd}");
        assert_eq!(stdout.lines().next(), Some(cmd), "{stdout}");
        assert_eq!(after(&stdout, "config-format:"), formats, "{cmd}");
        assert_eq!(after(&stdout, "reader:"), readers, "{cmd}");
        assert!(stdout.lines().any(|l| l == "reader"), "{stdout}");
        assert!(!stdout.lines().any(|l| ["help", "version", "machine-readable"].contains(&l)), "{stdout}");
        // One word a line, no spaces: `grep -qx` tests for a feature.
        assert!(stdout.lines().all(|l| !l.is_empty() && !l.contains(char::is_whitespace)), "{stdout}");
    }
    let (_, customize, _) = out(&sb.rejviz("rejviz-customize").arg("--machine-readable").output().expect("run"));
    let keys: Vec<&str> = NIC_KEYS.iter().map(|k| k.name).collect();
    assert_eq!(after(&customize, "nic-key:"), keys);
    let mut nic_formats = vec!["auto"];
    nic_formats.extend(&formats);
    assert_eq!(after(&customize, "nic-format:"), nic_formats);
    let rhsm: Vec<&str> = rejviz::rhsm::REGISTER_KEYS.iter().map(|k| k.name).collect();
    assert_eq!(after(&customize, "rhsm-register-key:"), rhsm);
    for word in ["nic", "nic-remove", "nic-reset", "sync-macs", "rhsm-register", "rhsm-unregister", "print-command"] {
        assert!(customize.lines().any(|l| l == word), "{word}: {customize}");
    }
    let (_, peek, _) = out(&sb.rejviz("rejviz-peek").arg("--machine-readable").output().expect("run"));
    for word in ["add", "domain", "all-domains", "json", "check", "verbose", "format:raw", "format:qcow2"] {
        assert!(peek.lines().any(|l| l == word), "{word}: {peek}");
    }

    // It stands alone: the tools have none of their own, so anything else is a usage error.
    for (cmd, args, want) in [
        (
            "rejviz-customize",
            &["--machine-readable", "-a", "x.img"][..],
            "rejviz-customize: --machine-readable stands alone (virt-customize has no --machine-readable of its own)\n",
        ),
        (
            "rejviz-install",
            &["--import", "--machine-readable"],
            "rejviz-install: --machine-readable stands alone (virt-install has no --machine-readable of its own)\n",
        ),
        (
            "rejviz-peek",
            &["--machine-readable", "-a", "x.img"],
            "rejviz-peek: the argument '--machine-readable' cannot be used with one or more of the other specified \
             arguments (see rejviz-peek --help)\n",
        ),
    ] {
        let (code, stdout, stderr) = out(&sb.rejviz(cmd).args(args).output().expect("run"));
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", want), "{cmd} {args:?}");
    }
}

/// A fake virt-builder that appends its arguments, one a line, to `argv`, prints two
/// feature lines and exits with `status`.
fn recording_builder(sb: &Sandbox, status: i32) -> (std::path::PathBuf, std::path::PathBuf) {
    let argv = sb.path("argv");
    let script = format!(
        "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >>{}; done\nprintf 'virt-builder\\nfake-feature\\n'\nexit {status}\n",
        argv.display()
    );
    (fake_tool(sb, "virt-builder", &script, 0o755), argv)
}

/// rejviz-builder: `--machine-readable` alone is virt-builder's lines, then ours; with any
/// other argument, or a value, it is virt-builder's, passed through unchanged.
#[test]
fn builder_machine_readable_is_the_tools_then_ours_alone_and_the_tools_otherwise() {
    let sb = Sandbox::new();
    let (dir, argv) = recording_builder(&sb, 0);
    let run = |args: &[&str]| {
        let _ = std::fs::remove_file(&argv);
        let o = out(&sb.rejviz("rejviz-builder").args(args).env("PATH", with_path(&dir)).output().expect("run"));
        (o, std::fs::read_to_string(&argv).unwrap_or_default())
    };
    for spelling in ["--machine-readable", "-machine-readable", "--machine-read"] {
        let ((code, stdout, stderr), got) = run(&[spelling]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{spelling}");
        assert_eq!(got, format!("{spelling}\n"), "virt-builder's argv");
        let ours = stdout.strip_prefix("virt-builder\nfake-feature\n").expect("the tool's lines first");
        assert_eq!(ours.lines().next(), Some("rejviz-builder"), "{stdout}");
        for word in ["nic", "nic-format:netplan", "nic-key:routes", "rhsm-register-key:password-file", "dry-run"] {
            assert!(ours.lines().any(|l| l == word), "{word}: {stdout}");
        }
        assert!(after(ours, "config-format:").len() == Format::ALL.len(), "{stdout}");
    }
    for args in [
        &["--machine-readable", "--list"][..],
        &["--list", "-machine-readable"],
        &["--machine-readable=stream:1"],
        &["fedora-39", "--machine-readable", "-o", "x.img"],
    ] {
        let ((code, stdout, stderr), got) = run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stdout, "virt-builder\nfake-feature\n", "{args:?}: nothing of ours");
        let want: String = args.iter().map(|a| format!("{a}\n")).collect();
        assert_eq!(got, want, "virt-builder's argv");
    }

    // virt-builder failing: our lines all the same, and its status.
    let (dir, _) = recording_builder(&sb, 3);
    let (code, stdout, _) =
        out(&sb.rejviz("rejviz-builder").arg("--machine-readable").env("PATH", with_path(&dir)).output().expect("run"));
    assert_eq!(code, 3);
    assert!(stdout.starts_with("virt-builder\nfake-feature\nrejviz-builder\nnic\n"), "{stdout}");
}

// --- debug lines --------------------------------------------------------------------------

const PASSWORD: &str = "Pw-rhsm-9f3a";
const ROOT_PASSWORD: &str = "Root-pw-77c1";
const KEY: &str = "Ak-rhsm-41d0";

/// Our debug lines (`rejviz-CMD: debug: ...`) in `stderr`.
fn debug_lines<'a>(stderr: &'a str, cmd: &str) -> Vec<&'a str> {
    after(stderr, &format!("{cmd}: debug: "))
}

/// No secret anywhere in `text`.
fn no_secret(text: &str) {
    for secret in [PASSWORD, ROOT_PASSWORD, KEY] {
        assert!(!text.contains(secret), "a secret shown:\n{text}");
    }
}

/// rejviz-customize with virt-customize's -v or -x: which reader, which files, which
/// decisions, on stderr; never the RHSM password or key, nor the root password. Without
/// them, no debug line.
#[test]
fn customize_debug_lines_with_v_or_x_and_no_secret() {
    let sb = Sandbox::new();
    let img = image_copy(&sb, "centos7.raw", "c.raw");
    let pw = sb.path("pw");
    std::fs::write(&pw, format!("{PASSWORD}\n")).expect("write");
    let key = sb.path("ak");
    std::fs::write(&key, format!("{KEY}\n")).expect("write");
    let img = img.display().to_string();
    let pw_spec = format!("user=joe,password-file={}", pw.display());
    let key_spec = format!("org=42,activation-key-file={}", key.display());
    let root = format!("password:{ROOT_PASSWORD}");
    for (flag, rhsm) in
        [(Some("-v"), &pw_spec), (Some("-x"), &key_spec), (Some("--verbose"), &pw_spec), (None, &pw_spec)]
    {
        let mut cmd = sb.rejviz("rejviz-customize");
        cmd.args(["--format", "raw", "-a", &img, "--print-command", "--nic", "name=eth1,ipaddr=10.0.0.5/24"])
            .args(["--rhsm-register", rhsm, "--root-password", &root])
            .args(flag);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!(code, 0, "{flag:?}: {stderr}");
        no_secret(&stdout);
        no_secret(&stderr);
        let debug = debug_lines(&stderr, "rejviz-customize");
        let Some(flag) = flag else {
            assert!(debug.is_empty(), "{stderr}");
            continue;
        };
        for want in [
            format!("disk {img} (format raw)"),
            "--reader auto: read by the direct reader".to_string(),
            "inspection: root /dev/sda1: linux centos 7.9 (osinfo centos7.0)".to_string(),
            "read /etc/sysconfig/network-scripts/ifcfg-eth0 (".to_string(),
            "no /etc/netplan in the guest".to_string(),
            "--nic eth1: ifcfg: /etc/sysconfig/network-scripts/ifcfg-eth1".to_string(),
            "rhsm: Rhsm { register: Some(".to_string(),
            "host file ".to_string(),
        ] {
            assert!(debug.iter().any(|l| l.starts_with(&want)), "{flag}: {want}\n{stderr}");
        }
        assert!(debug.iter().any(|l| l.contains("***")), "{flag}: the secret's place shown masked\n{stderr}");
    }
}

/// rejviz-builder with virt-builder's -v (a dry run: nothing runs): the format decision and
/// what is staged, no secret.
#[test]
fn builder_debug_lines_and_no_secret() {
    let sb = Sandbox::new();
    let pw = sb.path("pw");
    std::fs::write(&pw, format!("{PASSWORD}\n")).expect("write");
    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-builder")
        .args([common::TEMPLATE, "--dry-run", "-v", "--nic", "name=eth0", "--root-password"])
        .arg(format!("password:{ROOT_PASSWORD}"))
        .arg("--rhsm-register")
        .arg(format!("user=joe,password-file={}", pw.display()))
        .output()
        .expect("run"));
    assert_eq!(code, 0, "{stderr}");
    no_secret(&stdout);
    no_secret(&stderr);
    let debug = debug_lines(&stderr, "rejviz-builder");
    for want in [
        "--nic-format auto: template rejviz-centos7: osinfo centos7.0 (virt-builder --list): writing ifcfg",
        "--nic eth0: ifcfg: /etc/sysconfig/network-scripts/ifcfg-eth0",
        "rhsm: Rhsm { register: Some(User { user: \"joe\", password: ***, attach: None }), unregister: false }",
    ] {
        assert!(debug.contains(&want), "{want}\n{stderr}");
    }
    assert!(debug.iter().any(|l| l.starts_with("host file ") && l.ends_with("content not shown)")), "{stderr}");
}

/// rejviz-peek -v on a domain: which config each interface was paired with, and by which
/// step of the rule; rejviz-install --debug (virt-install's), the same for the interfaces it
/// makes. Names from libvirt and the guest come escaped.
#[test]
fn pairing_debug_lines_name_the_rule() {
    let sb = Sandbox::new();
    let centos = images().join("centos7.raw");
    // centos7.raw: eth0 pinned to 52:54:00:de:ad:00.
    let uri = test_driver(
        &sb,
        &[("vm\u{202e}1", &centos, "raw", &[("52:54:00:00:00:99", "lan"), ("52:54:00:de:ad:00", "lan")])],
        &[("lan", "192.168.122.1", 24)],
    );
    let (code, stdout, stderr) =
        out(&sb.rejviz("rejviz-peek").args(["-c", &uri, "-d", "vm\u{202e}1", "--check", "-v"]).output().expect("run"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let debug = debug_lines(&stderr, "rejviz-peek");
    let file = "/etc/sysconfig/network-scripts/ifcfg-eth0";
    assert!(
        debug.contains(&format!(
            r"vm\u{{202e}}1: interface 1 (52:54:00:de:ad:00): eth0 ({file}), by MAC (step 1: the config is pinned to this interface's MAC)"
        ).as_str()),
        "{stderr}"
    );
    assert!(debug.contains(&r"vm\u{202e}1: interface 0 (52:54:00:00:00:99): no config"), "{stderr}");
    assert!(!stderr.contains('\u{202e}'), "{stderr}");

    // rejviz-install: the interfaces it makes for the same image, with virt-install's flag.
    let install = |flag: &str| {
        out(&sb
            .rejviz("rejviz-install")
            .args(["--connect", &uri, "--print-command", "--import", "--name", "x", "--memory", "128", "--disk"])
            .arg(format!("{},format=raw", centos.display()))
            .args(["--nic-mappings", "eth0=lan", "--osinfo", "centos7.0", flag])
            .output()
            .expect("run"))
    };
    let (code, stdout, stderr) = install("--debug");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let debug = debug_lines(&stderr, "rejviz-install");
    assert!(
        debug.contains(
            &"eth0 -> interface 0 (network lan, 52:54:00:de:ad:00), by MAC (step 1: the config is pinned to this interface's MAC)"
        ),
        "{stderr}"
    );
    assert!(debug.contains(&"--reader auto: read by the direct reader"), "{stderr}");
    // virt-install's -v is --hvm, not verbose: no debug line.
    let (_, _, stderr) = install("-v");
    assert!(debug_lines(&stderr, "rejviz-install").is_empty(), "{stderr}");

    // rejviz-customize -d (a domain defined, never started, on the system libvirtd): the
    // image's eth0 by its MAC, the new eth1 by its kernel name.
    let img = image_copy(&sb, "centos7.raw", "d.raw");
    let dom =
        TestDomain::define("conv", &img, "raw", &[("52:54:00:de:ad:00", "default"), ("52:54:00:00:00:99", "default")]);
    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-customize")
        .args(["-c", LIBVIRT_URI, "-d", &dom.name, "--print-command", "--nic", "name=eth1", "-v"])
        .output()
        .expect("run"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let debug = debug_lines(&stderr, "rejviz-customize");
    for want in [
        format!(
            "{}: eth0 -> interface 0 (52:54:00:de:ad:00), by MAC (step 1: the config is pinned to this interface's MAC)",
            dom.name
        ),
        format!("{}: eth1 -> interface 1 (52:54:00:00:00:99), by kernel name (step 2: ethN is interface N)", dom.name),
    ] {
        assert!(debug.contains(&want.as_str()), "{want}\n{stderr}");
    }
}

// --- colour ---------------------------------------------------------------------------------

/// `cmd`'s stdout (or stderr) on a pseudo-terminal, the other stream a pipe: how it ended,
/// what the terminal got, what the pipe got.
fn on_terminal(mut cmd: Command, stdout_on_tty: bool) -> (i32, String, String) {
    let (mut master, slave) = pty();
    if stdout_on_tty {
        cmd.stdout(slave).stderr(Stdio::piped());
    } else {
        cmd.stderr(slave).stdout(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd); // our copy of the slave: the child holds the last one
    let mut tty = Vec::new();
    let mut buf = [0u8; 4096];
    // EIO once the child, the slave's last holder, is gone.
    while let Ok(n @ 1..) = master.read(&mut buf) {
        tty.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let mut pipe = String::new();
    let taken: Option<Box<dyn std::io::Read>> = match stdout_on_tty {
        true => child.stderr.take().map(|e| Box::new(e) as Box<dyn std::io::Read>),
        false => child.stdout.take().map(|o| Box::new(o) as Box<dyn std::io::Read>),
    };
    if let Some(mut p) = taken {
        p.read_to_string(&mut pipe).expect("read the pipe");
    }
    let code = child.wait().expect("wait").code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&tty).into_owned(), pipe)
}

/// A command with the colour-related environment fixed: a colour terminal type, nothing
/// forcing colour, NO_COLOR as given.
fn coloured(sb: &Sandbox, bin: &str, args: &[&str], no_color: Option<&str>) -> Command {
    let mut cmd = sb.rejviz(bin);
    cmd.args(args).env("TERM", "xterm").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR").env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    cmd
}

const GREEN_OK: &str = "\x1b[1m\x1b[32mOK\x1b[0m";

/// peek's check verdict and our error lines are in colour on a terminal only, and never
/// with NO_COLOR set (an empty NO_COLOR does not count, as no-color.org says).
#[test]
fn colour_on_a_terminal_only_and_never_with_no_color() {
    let sb = Sandbox::new();
    let centos = images().join("centos7.raw");
    let uri = test_driver(&sb, &[("vm1", &centos, "raw", &[("52:54:00:de:ad:00", "lan")])], &[]);
    let check = ["-c", uri.as_str(), "-d", "vm1", "--check"];

    let (code, tty, _) = on_terminal(coloured(&sb, "rejviz-peek", &check, None), true);
    assert_eq!(code, 0, "{tty}");
    assert!(tty.contains(&format!("check: {GREEN_OK}, the image's NIC configs")), "{tty:?}");
    let (code, tty, _) = on_terminal(coloured(&sb, "rejviz-peek", &check, Some("")), true);
    assert_eq!(code, 0);
    assert!(tty.contains(GREEN_OK), "an empty NO_COLOR: {tty:?}");
    for no_color in ["1", "0"] {
        let (code, tty, _) = on_terminal(coloured(&sb, "rejviz-peek", &check, Some(no_color)), true);
        assert_eq!(code, 0);
        assert!(tty.contains("check: OK, the image's") && !tty.contains('\x1b'), "NO_COLOR={no_color}: {tty:?}");
    }
    let o = coloured(&sb, "rejviz-peek", &check, None).output().expect("run");
    let (code, stdout, _) = out(&o);
    assert_eq!(code, 0);
    assert!(stdout.contains("check: OK, the image's") && !stdout.contains('\x1b'), "a pipe: {stdout:?}");

    // A problem: red on a terminal.
    let uri = test_driver(&sb, &[("vm2", &centos, "raw", &[("52:54:00:00:00:99", "lan")])], &[]);
    let check = ["-c", uri.as_str(), "-d", "vm2", "--check"];
    let (code, tty, _) = on_terminal(coloured(&sb, "rejviz-peek", &check, None), true);
    assert_eq!(code, 1);
    assert!(tty.contains("check: \x1b[1m\x1b[31m2 problem(s)\x1b[0m"), "{tty:?}");

    // Error lines: the message in red on a terminal, plain on a pipe or with NO_COLOR.
    let missing = sb.path("missing.img").display().to_string();
    for bin in ["rejviz-peek", "rejviz-install"] {
        let args: Vec<&str> = match bin {
            "rejviz-peek" => vec!["-a", &missing],
            _ => vec!["--nic-mappings", "eth0=x=y"],
        };
        let (code, tty, _) = on_terminal(coloured(&sb, bin, &args, None), false);
        assert_eq!(code, 2, "{bin}: {tty:?}");
        assert!(tty.starts_with(&format!("{bin}: \x1b[1m\x1b[31m")) && tty.ends_with("\x1b[0m\r\n"), "{tty:?}");
        let (_, tty, _) = on_terminal(coloured(&sb, bin, &args, Some("1")), false);
        assert!(tty.starts_with(&format!("{bin}: ")) && !tty.contains('\x1b'), "{tty:?}");
        let (_, _, stderr) = out(&coloured(&sb, bin, &args, None).output().expect("run"));
        assert!(stderr.starts_with(&format!("{bin}: ")) && !stderr.contains('\x1b'), "{stderr:?}");
    }

    // virt-customize's --colour forces colour on our lines too, even on a pipe.
    let (code, _, stderr) =
        out(&coloured(&sb, "rejviz-customize", &["--colour", "--nic", "name=eth0,mtu=1"], Some("1"))
            .output()
            .expect("run"));
    assert_eq!(code, 2);
    assert!(stderr.starts_with("rejviz-customize: \x1b[1m\x1b[31m--nic eth0: mtu"), "{stderr:?}");
}

// --- the JSON Schema of rejviz-peek --json ------------------------------------------------

/// A document the schema does not describe is refused, with the schema's errors; every
/// closed set of the schema is the code's.
#[test]
fn schema_refuses_what_it_does_not_describe() {
    let sb = Sandbox::new();
    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-peek")
        .args(["--format", "raw", "-a"])
        .arg(images().join("untidy.raw"))
        .arg("--json")
        .output()
        .expect("run"));
    assert_eq!(code, 0, "{stderr}");
    let good = peek_json(&stdout);
    let broken = |what: &str, change: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        change(&mut v);
        let errors = peek_schema_errors(&v);
        assert!(!errors.is_empty(), "{what}: accepted");
        errors
    };
    let errors = broken("a field the schema does not know", &|v| v["nics"][0]["colour"] = json!("red"));
    assert!(errors.iter().any(|e| e.contains("/nics/0")), "{errors:?}");
    broken("a missing field", &|v| {
        v.as_object_mut().map(|o| o.remove("unreadable"));
    });
    broken("a format that is none of ours", &|v| v["nics"][0]["format"] = json!("yaml"));
    broken("a MAC in upper case", &|v| v["nics"][1]["hwaddr"] = json!("52:54:00:AA:00:0A"));
    broken("a check that is ok with problems", &|v| v["check"] = json!({"ok": true, "problems": ["x"]}));
    broken("a static IPv6 without its address", &|v| {
        v["nics"][0]["ipv6"] = json!({"method": "static", "address": null, "gateway": null})
    });
    broken("an audit's domain without its name", &|v| {
        *v = json!({"uri": "test:///default", "domains": [v.clone()], "errors": [], "check": null})
    });
    // An audit whose domain has its name is one.
    let mut named = good.clone();
    named["name"] = json!("vm1");
    named["domain"] = json!({"name": "vm1", "uri": "test:///default", "active": true, "interfaces": []});
    let audit = json!({"uri": "test:///default", "domains": [named, {"name": "db1", "active": null, "error": "x"}],
                       "errors": ["db1"], "check": {"ok": false, "failed": []}});
    assert_eq!(peek_schema_errors(&audit), Vec::<String>::new());

    // The schema's closed sets are the code's lists.
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schema/peek.schema.json")).expect("read the schema"),
    )
    .expect("JSON");
    let set = |def: &str| -> Vec<String> {
        schema["$defs"][def]["enum"]
            .as_array()
            .expect(def)
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let names = |it: &mut dyn Iterator<Item = &'static str>| -> Vec<String> { it.map(String::from).collect() };
    assert_eq!(set("format"), names(&mut Format::ALL.iter().map(|f| f.name())));
    assert_eq!(set("bondMode"), names(&mut BondMode::ALL.iter().map(|m| m.name())));
    assert_eq!(set("lacpRate"), names(&mut LacpRate::ALL.iter().map(|m| m.name())));
    assert_eq!(set("xmitHashPolicy"), names(&mut XmitHashPolicy::ALL.iter().map(|m| m.name())));
}
