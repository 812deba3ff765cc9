//! `rejviz-peek --all-domains`: the audit of every domain of a connection.
//!
//! The output's shape, exit statuses and order on libvirt's test driver (`test:///FILE`,
//! where every domain is the test's own), then a real run on the system libvirtd among
//! whatever else the host defines, and the progress line on a pseudo-terminal only.
//! Appliance launches: 0 (the guests are raw ext4 test images, read directly). About 5 s.

mod common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{
    LIBVIRT_URI, Sandbox, TestDomain, count_launches, image_copy, images, launches, outcome as out, peek_json,
    test_driver, without_debug,
};
use serde_json::Value;

/// The audit's domains on the test driver, given in no order: one without its disk, one
/// whose image pins a MAC the domain does not have, two that agree (vm2 pinned by MAC,
/// vm10 unpinned, paired by kernel name). Natural order: vm1, vm2, vm3, vm10.
fn four_domains(sb: &Sandbox) -> String {
    let (centos, debian, ubuntu) =
        (images().join("centos7.raw"), images().join("debian.raw"), images().join("ubuntu.raw"));
    let missing = sb.path("missing.raw");
    test_driver(
        sb,
        &[
            ("vm10-debian", &debian, "raw", &[("52:54:00:00:10:01", "lan")]),
            ("vm3-mismatch", &ubuntu, "raw", &[("52:54:00:0b:00:99", "lan")]),
            ("vm2-centos", &centos, "raw", &[("52:54:00:de:ad:00", "lan")]),
            ("vm1-missing", &missing, "raw", &[("52:54:00:00:01:01", "lan")]),
        ],
        &[("lan", "10.239.1.1", 24)],
    )
}

fn peek(sb: &Sandbox, args: &[&str]) -> (i32, String, String, usize) {
    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.args(args);
    let counter = count_launches(sb, &mut cmd);
    let (code, stdout, stderr) = out(&cmd.output().expect("run rejviz-peek"));
    (code, stdout, stderr, launches(&counter))
}

#[test]
fn table_json_and_exit_status() {
    let sb = Sandbox::new();
    let uri = four_domains(&sb);
    let missing = sb.path("missing.raw");

    let (code, stdout, stderr, n) = peek(&sb, &["-c", &uri, "--all-domains", "--check"]);
    assert_eq!((code, stderr.as_str(), n), (1, "", 0), "{stdout}");
    let want = format!(
        "{uri}: 4 domains

DOMAIN        STATE   MAC                TYPE     SOURCE  CONFIG  HWADDR             BOOTPROTO  ADDRESS/PREFIX  STATUS
vm1-missing   active  -                  -        -       -       -                  -          -               error: {}: No such file or directory (os error 2)
vm2-centos    active  52:54:00:de:ad:00  network  lan     eth0    52:54:00:de:ad:00  dhcp       -               ok
vm3-mismatch  active  52:54:00:0b:00:99  network  lan     -       -                  -          -               FAIL
vm3-mismatch  active  -                  -        -       eth0    52:54:00:0b:00:01  dhcp       -               FAIL
vm10-debian   active  52:54:00:00:10:01  network  lan     eth0    -                  dhcp       -               ok

  - vm3-mismatch: eth0 (/etc/netplan/50-cloud-init.yaml): HWADDR 52:54:00:0b:00:01 is on no interface of domain vm3-mismatch
  - vm3-mismatch: interface 52:54:00:0b:00:99 on network lan of domain vm3-mismatch is configured by no NIC config in the image

check: 1 of 4 domains failed, 1 of 4 domains could not be read
",
        missing.display()
    );
    assert_eq!(stdout, want);

    let (code, stdout, stderr, n) = peek(&sb, &["-c", &uri, "--all-domains", "--check", "--json"]);
    assert_eq!((code, stderr.as_str(), n), (1, "", 0), "{stdout}");
    let v: Value = peek_json(&stdout);
    assert_eq!(v["uri"], uri.as_str());
    let names: Vec<&str> =
        v["domains"].as_array().expect("domains").iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(names, ["vm1-missing", "vm2-centos", "vm3-mismatch", "vm10-debian"]);
    let d = &v["domains"];
    // The unreadable domain: its name, state and reason, nothing else.
    assert_eq!(d[0]["active"], true);
    assert_eq!(d[0]["error"], format!("{}: No such file or directory (os error 2)", missing.display()));
    assert_eq!(d[0].as_object().map(|o| o.len()), Some(3), "{}", d[0]);
    // The others: the single-domain document, under the domain's name.
    assert_eq!(
        (d[1]["check"]["ok"].as_bool(), d[1]["domain"]["interfaces"][0]["config"].as_str()),
        (Some(true), Some("eth0"))
    );
    assert_eq!(d[1]["os"]["distro"], "centos");
    assert_eq!(d[1]["nics"][0]["hwaddr"], "52:54:00:de:ad:00");
    assert_eq!(d[2]["check"]["ok"], false);
    assert_eq!(d[2]["check"]["problems"].as_array().map(Vec::len), Some(2));
    assert_eq!(d[2]["domain"]["interfaces"][0]["config"], Value::Null);
    assert_eq!((d[3]["check"]["ok"].as_bool(), d[3]["nics"][0]["hwaddr"].as_str()), (Some(true), None));
    assert_eq!(d[3]["domain"]["interfaces"][0]["mac"], "52:54:00:00:10:01");
    assert_eq!(v["errors"], serde_json::json!(["vm1-missing"]));
    assert_eq!(v["check"], serde_json::json!({"ok": false, "failed": ["vm3-mismatch"]}));

    // Without --check: no verdict column or check, but the unreadable domain still fails
    // the run (exit 1).
    let (code, stdout, stderr, _) = peek(&sb, &["-c", &uri, "--all-domains", "--json"]);
    assert_eq!((code, stderr.as_str()), (1, ""), "{stdout}");
    let v: Value = peek_json(&stdout);
    assert_eq!((&v["check"], &v["domains"][2]["check"]), (&Value::Null, &Value::Null));
    assert_eq!(v["domains"][2]["domain"]["interfaces"][0]["config"], Value::Null);
    let (code, stdout, _, _) = peek(&sb, &["-c", &uri, "--all-domains"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("\nvm2-centos    active  52:54:00:de:ad:00  network  lan     eth0    52:54:00:de:ad:00  dhcp       -               -\n"), "{stdout}");
    assert!(stdout.ends_with("\n\n1 of 4 domains could not be read\n"), "{stdout}");
}

#[test]
fn passing_audit_and_no_domains_exit_0() {
    let sb = Sandbox::new();
    let centos = images().join("centos7.raw");
    let uri = test_driver(&sb, &[("good", &centos, "raw", &[("52:54:00:de:ad:00", "lan")])], &[]);
    let (code, stdout, stderr, n) = peek(&sb, &["-c", &uri, "--all-domains", "--check"]);
    assert_eq!((code, stderr.as_str(), n), (0, "", 0), "{stdout}");
    assert!(
        stdout.ends_with("\n\ncheck: OK, the image's NIC configs and the domain's interfaces agree in all 1 domain\n"),
        "{stdout}"
    );
    let (code, stdout, _, _) = peek(&sb, &["-c", &uri, "--all-domains", "--check", "--json"]);
    assert_eq!(code, 0);
    let v: Value = peek_json(&stdout);
    assert_eq!((&v["errors"], &v["check"]), (&serde_json::json!([]), &serde_json::json!({"ok": true, "failed": []})));

    let uri = test_driver(&sb, &[], &[]);
    let (code, stdout, stderr, _) = peek(&sb, &["-c", &uri, "--all-domains", "--check"]);
    assert_eq!((code, stdout, stderr), (0, format!("{uri}: no domains\n"), String::new()));
    let (code, stdout, _, _) = peek(&sb, &["-c", &uri, "--all-domains", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(peek_json(&stdout), serde_json::json!({"uri": uri, "domains": [], "errors": [], "check": null}));
}

/// `--reader` applies to every domain: with `direct`, a domain the direct reader cannot read
/// (its XML says vmdk) is a row with the reason, not an appliance launch.
#[test]
fn reader_applies_to_every_domain() {
    let sb = Sandbox::new();
    let centos = images().join("centos7.raw");
    let uri = test_driver(
        &sb,
        &[
            ("a", &centos, "raw", &[("52:54:00:de:ad:00", "lan")]),
            ("b", &centos, "vmdk", &[("52:54:00:de:ad:00", "lan")]),
        ],
        &[],
    );
    let (code, stdout, stderr, n) = peek(&sb, &["-c", &uri, "--all-domains", "--reader", "direct", "-v", "--json"]);
    assert_eq!((code, n), (1, 0), "{stdout}{stderr}");
    assert_eq!(without_debug(&stderr), "rejviz-peek: a: read by the direct reader\n");
    let v: Value = peek_json(&stdout);
    assert_eq!(v["domains"][0]["os"]["distro"], "centos");
    let error = v["domains"][1]["error"].as_str().expect("b is an error");
    assert!(error.starts_with("cannot read directly: "), "{error}");
}

#[test]
fn usage_errors_are_one_line() {
    let sb = Sandbox::new();
    for (args, want) in [
        (&["--all-domains", "-a", "x.img"][..], "the argument '--all-domains' cannot be used with '--add <IMAGE>'"),
        (&["-d", "vm1", "--all-domains"], "the argument '--domain <DOMAIN>' cannot be used with '--all-domains'"),
        (&["-a", "x.img", "--check"], "--check needs a domain (-d DOMAIN or --all-domains)"),
        (&["-c", "test:///default"], "<--domain <DOMAIN>|--all-domains>"),
    ] {
        let (code, stdout, stderr, _) = peek(&sb, args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}");
        assert!(stderr.starts_with("rejviz-peek: ") && stderr.contains(want), "{args:?}: {stderr}");
        assert!(stderr.ends_with(" (see rejviz-peek --help)\n") && stderr.lines().count() == 1, "{args:?}: {stderr}");
    }
    // libvirt unreachable: one line naming the URI, exit 2 (nothing to audit).
    let uri = format!("qemu:///system?socket={}", sb.path("no-such.sock").display());
    let (code, stdout, stderr, _) = peek(&sb, &["-c", &uri, "--all-domains"]);
    assert_eq!((code, stdout.as_str(), stderr.lines().count()), (2, "", 1), "{stderr}");
    assert!(stderr.starts_with(&format!("rejviz-peek: cannot connect to libvirt at {uri}: ")), "{stderr}");
}

/// The real thing: domains defined on the system libvirtd (named after this sandbox, so
/// that concurrent tests and the host's own domains do not collide; undefined on drop, also
/// when the test fails), each on its own copy of a test image. Other domains on the host are
/// in the audit too: the assertions look at ours only, and `--reader direct` keeps theirs
/// from launching an appliance (one the direct reader cannot read is a row with the reason).
#[test]
fn audit_of_the_system_libvirtd() {
    let sb = Sandbox::new();
    let prefix = format!("rjz-audit-{}", sb.id());
    let name = |n: &str| format!("{prefix}-{n}");
    let missing = sb.path("out/missing.raw");
    let lan = "rjz-audit-lan"; // defining a domain does not need its network
    let _domains = [
        TestDomain::define_named(
            &name("vm10-debian"),
            &image_copy(&sb, "debian.raw", "d.raw"),
            "raw",
            &[("52:54:00:00:10:01", lan)],
        ),
        TestDomain::define_named(
            &name("vm3-mismatch"),
            &image_copy(&sb, "ubuntu.raw", "u.raw"),
            "raw",
            &[("52:54:00:0b:00:99", lan)],
        ),
        TestDomain::define_named(
            &name("vm2-centos"),
            &image_copy(&sb, "centos7.raw", "c.raw"),
            "raw",
            &[("52:54:00:de:ad:00", lan)],
        ),
        TestDomain::define_named(&name("vm1-missing"), &missing, "raw", &[("52:54:00:00:01:01", lan)]),
    ];

    let (code, stdout, stderr, n) = peek(&sb, &["-c", LIBVIRT_URI, "--all-domains", "--check", "--reader", "direct"]);
    // Ours fail (a mismatch, a missing disk), whatever the host's domains do.
    assert_eq!((code, stderr.as_str(), n), (1, "", 0), "{stdout}");
    assert!(stdout.starts_with(&format!("{LIBVIRT_URI}: ")), "{stdout}");
    // Our rows, cell by cell (the columns' widths depend on the host's domains too).
    let ours: Vec<Vec<&str>> =
        stdout.lines().filter(|l| l.starts_with(&prefix)).map(|l| l.split_whitespace().take(10).collect()).collect();
    let row = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_string).collect() };
    let ours: Vec<Vec<String>> = ours.into_iter().map(|r| r.into_iter().map(str::to_string).collect()).collect();
    assert_eq!(
        ours,
        [
            row(&format!("{} inactive - - - - - - - error:", name("vm1-missing"))),
            row(&format!(
                "{} inactive 52:54:00:de:ad:00 network {lan} eth0 52:54:00:de:ad:00 dhcp - ok",
                name("vm2-centos")
            )),
            row(&format!("{} inactive 52:54:00:0b:00:99 network {lan} - - - - FAIL", name("vm3-mismatch"))),
            row(&format!("{} inactive - - - eth0 52:54:00:0b:00:01 dhcp - FAIL", name("vm3-mismatch"))),
            row(&format!("{} inactive 52:54:00:00:10:01 network {lan} eth0 - dhcp - ok", name("vm10-debian"))),
        ],
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("error: {}: No such file or directory (os error 2)\n", missing.display())),
        "{stdout}"
    );
    assert!(stdout.contains(&format!(
        "\n  - {0}: interface 52:54:00:0b:00:99 on network {lan} of domain {0} is configured by no NIC config in the image\n",
        name("vm3-mismatch")
    )));

    let (code, stdout, stderr, n) =
        peek(&sb, &["-c", LIBVIRT_URI, "--all-domains", "--check", "--reader", "direct", "--json"]);
    assert_eq!((code, stderr.as_str(), n), (1, "", 0), "{stdout}");
    let v: Value = peek_json(&stdout);
    let all: Vec<&Value> = v["domains"].as_array().expect("domains").iter().collect();
    let ours: Vec<&&Value> =
        all.iter().filter(|d| d["name"].as_str().is_some_and(|n| n.starts_with(&prefix))).collect();
    let names: Vec<&str> = ours.iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(names, [name("vm1-missing"), name("vm2-centos"), name("vm3-mismatch"), name("vm10-debian")]);
    assert_eq!(ours[0]["active"], false);
    assert!(ours[0]["error"].as_str().is_some_and(|e| e.contains("No such file")), "{}", ours[0]);
    assert_eq!(
        ours.iter().skip(1).map(|d| d["check"]["ok"].as_bool()).collect::<Vec<_>>(),
        [Some(true), Some(false), Some(true)]
    );
    let listed = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str())
            .filter(|n| n.starts_with(&prefix))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(listed("errors"), [name("vm1-missing")]);
    assert_eq!(v["check"]["ok"], false);
    assert_eq!(
        v["check"]["failed"]
            .as_array()
            .map(|f| f.iter().filter(|n| n.as_str().is_some_and(|n| n.starts_with(&prefix))).count()),
        Some(1)
    );
    // Every domain of the host is in the audit, each once, in name order (natural).
    let every = common::virsh(&["list", "--all", "--name"]);
    for d in every.lines().filter(|l| l.starts_with(&prefix)) {
        assert_eq!(all.iter().filter(|e| e["name"] == d).count(), 1, "{d}");
    }
}

/// `cmd` started with its stderr on a pseudo-terminal (stdout a pipe): the child, what the
/// terminal has received so far, and the thread that reads it (done once the child is).
struct OnTerminal {
    child: Child,
    seen: Arc<Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
}

impl OnTerminal {
    fn spawn(mut cmd: std::process::Command) -> OnTerminal {
        let (mut master, slave) = common::pty();
        let child = cmd.stdout(Stdio::piped()).stderr(slave).spawn().expect("spawn");
        drop(cmd); // our copy of the slave: the child holds the last one
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // EIO once the child, the slave's last holder, is gone.
                while let Ok(n @ 1..) = master.read(&mut buf) {
                    seen.lock().expect("lock").extend_from_slice(buf.get(..n).unwrap_or_default());
                }
            })
        };
        OnTerminal { child, seen, reader }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().expect("lock")).into_owned()
    }

    fn wait_for(&self, text: &str) {
        common::wait_for(text, || self.text().contains(text));
    }

    /// How the child ended, its stdout, and everything the terminal received.
    fn finish(self) -> (std::process::ExitStatus, String, String) {
        let (status, stdout) = wait_bounded(self.child);
        self.reader.join().expect("reader");
        let tty = String::from_utf8_lossy(&self.seen.lock().expect("lock")).into_owned();
        (status, stdout, tty)
    }
}

/// Waits for `child` (at most two minutes: a hang is a failure, not a stuck test).
fn wait_bounded(mut child: Child) -> (std::process::ExitStatus, String) {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            let mut stdout = String::new();
            if let Some(mut o) = child.stdout.take() {
                o.read_to_string(&mut stdout).expect("stdout");
            }
            return (st, stdout);
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("rejviz-peek did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A FIFO in the sandbox, to be a domain's disk: opening it (which the audit does first of
/// all with a disk) blocks until the test opens its other end with [`release`], so that the
/// audit takes as long as the test wants, with no timing assumption and no appliance.
fn fifo(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let fifo = sb.path(name);
    let path = std::ffi::CString::new(fifo.display().to_string()).expect("path");
    // SAFETY: mkfifo on a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    fifo
}

/// Lets a child blocked opening the FIFO `fifo` for reading go on: a writer opens it, and
/// stays open until the child is done, so that a second open does not block either.
/// Nothing is written: the direct reader refuses a FIFO without reading from it.
fn release(fifo: &Path) -> std::fs::File {
    std::fs::OpenOptions::new().write(true).open(fifo).expect("open the FIFO for writing")
}

/// The progress line appears on a terminal once the audit has taken more than a second, and
/// is erased at the end; a pipe gets none.
#[test]
fn progress_on_a_terminal_only() {
    let sb = Sandbox::new();
    let fifo = fifo(&sb, "disk.fifo");
    let uri = test_driver(&sb, &[("held", &fifo, "raw", &[("52:54:00:de:ad:00", "lan")])], &[]);
    let args = ["-c", uri.as_str(), "--all-domains", "--reader", "direct"];

    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.args(args);
    let run = OnTerminal::spawn(cmd);
    let line = "rejviz-peek: reading domain 1/1 (held)";
    run.wait_for(line);
    let writer = release(&fifo);
    let (status, stdout, tty) = run.finish();
    drop(writer);
    // Drawn once, then erased with spaces: nothing of it stays on the screen.
    assert_eq!(tty, format!("\r{line}\r{}\r", " ".repeat(line.len())));
    assert_eq!(status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("held    active  -    -     -       -       -       -          -               error: "),
        "{stdout}"
    );

    // stderr a pipe: the same audit, held for longer than the delay, says nothing there.
    let mut child =
        sb.rejviz("rejviz-peek").args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    std::thread::sleep(Duration::from_millis(1500)); // the audit cannot end before the writer opens
    let writer = release(&fifo);
    let (status, _) = wait_bounded(child);
    drop(writer);
    let mut stderr = String::new();
    stderr_pipe.read_to_string(&mut stderr).expect("stderr");
    assert_eq!((status.code(), stderr.as_str()), (Some(1), ""));
}

/// Ctrl-C during the audit: the domain being read is let go, no other domain is read, the
/// progress line is erased, nothing is printed, and rejviz-peek ends by the signal.
#[test]
fn a_signal_stops_the_audit_between_domains() {
    use std::os::unix::process::ExitStatusExt as _;
    let sb = Sandbox::new();
    let (held, never) = (fifo(&sb, "a.fifo"), fifo(&sb, "b.fifo"));
    // b's disk is never released: reading it would hang the audit (and fail the test).
    let uri = test_driver(&sb, &[("a-held", &held, "raw", &[]), ("b-never", &never, "raw", &[])], &[]);
    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.args(["-c", uri.as_str(), "--all-domains", "--check"]);
    let run = OnTerminal::spawn(cmd);
    let line = "rejviz-peek: reading domain 1/2 (a-held)";
    run.wait_for(line); // the signal handlers are installed by now
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(run.child.id() as i32, libc::SIGINT) };
    let writer = release(&held);
    let (status, stdout, tty) = run.finish();
    drop(writer);
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?} {stdout}");
    assert_eq!(stdout, "");
    assert_eq!(tty, format!("\r{line}\r{}\r", " ".repeat(line.len())));
}

/// Names from libvirt (and what a guest's configs say) reach the terminal escaped, in the
/// table, the problems and the messages: no tab, no bidi override, `\` doubled.
#[test]
fn names_are_shown_escaped() {
    let sb = Sandbox::new();
    let centos = images().join("centos7.raw");
    let raw = "tab\there\\x\u{202e}";
    let shown = r"tab\there\\x\u{202e}";
    let uri = test_driver(&sb, &[(raw, &centos, "raw", &[("52:54:00:de:ad:99", "lan")])], &[]);
    let (code, stdout, stderr, _) = peek(&sb, &["-c", &uri, "--all-domains", "--check", "-v"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(without_debug(&stderr), format!("rejviz-peek: {shown}: read by the direct reader\n"));
    assert!(stdout.contains(&format!("\n{shown}  active  52:54:00:de:ad:99  ")), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "\n  - {shown}: interface 52:54:00:de:ad:99 on network lan of domain {shown} is configured by no NIC config in the image\n"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains(['\t', '\u{202e}']) && !stderr.contains(['\t', '\u{202e}']), "{stdout}{stderr}");
    let (_, stdout, _, _) = peek(&sb, &["-c", &uri, "--all-domains", "--json"]);
    let v: Value = peek_json(&stdout);
    assert_eq!(v["domains"][0]["name"], raw);
}
