//! The proxy's own edges (issue 10, "signals and process life"): a closed or full standard
//! output, a tool that cannot be executed or found, SIGHUP (nohup) or SIGPIPE ignored on entry. Where a
//! tool must run, a fake `virt-builder` on PATH records what it saw: these are the proxy's
//! behaviours, not the tool's. No appliance is launched.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{Sandbox, fake_tool, interrupt, wait_for, with_path};

const PROXIES: [&str; 3] = ["rejviz-builder", "rejviz-customize", "rejviz-install"];

/// `rejviz-builder` building with an explicit format (no `virt-builder --list`).
fn build_args() -> [&'static str; 7] {
    ["rejviz-centos7", "-o", "vm.img", "--nic-format", "ifcfg", "--nic", "name=eth0"]
}

#[test]
fn full_stdout_is_one_line_and_exit_1() {
    for bin in PROXIES.into_iter().chain(["rejviz-peek"]) {
        for arg in ["--help", "--version"] {
            let sb = Sandbox::new();
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
            let o = sb.rejviz(bin).arg(arg).stdout(full).output().expect("run");
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(1), "{bin} {arg}: {stderr}");
            assert_eq!(
                stderr,
                format!("{bin}: cannot write to standard output: No space left on device (os error 28)\n"),
                "{bin} {arg}"
            );
        }
    }
}

/// `bin` started by a shell that first runs `trap` (`trap '' PIPE`, or `trap '' HUP` as
/// `nohup` does): the signal is ignored on entry. The sandbox's environment.
fn rejviz_after(sb: &Sandbox, trap: &str, bin: &str) -> Command {
    let exe = sb.rejviz(bin).get_program().to_owned();
    let mut c = sb.command("/bin/sh");
    c.arg("-c").arg(format!("{trap}; exec \"$0\" \"$@\"")).arg(exe);
    c
}

/// Whether the `SigIgn:` line of a /proc/PID/status says `sig` is ignored.
fn ignores(sig_ign: &str, sig: i32) -> bool {
    let bits = u64::from_str_radix(sig_ign.trim().trim_start_matches("SigIgn:").trim(), 16).expect("a SigIgn mask");
    bits & (1 << (sig - 1)) != 0
}

/// A closed standard output ends us as it ends other tools: by SIGPIPE; or, when SIGPIPE
/// was ignored on entry (the caller asked for EPIPE instead), quietly with exit 1.
#[test]
fn closed_stdout_ends_quietly_by_sigpipe_or_exit_1_if_ignored_on_entry() {
    let cases: [(&str, &[&str]); 5] = [
        ("rejviz-builder", &["--help"]),
        ("rejviz-builder", &["rejviz-centos7", "--dry-run", "--nic-format", "ifcfg", "--nic", "name=eth0"]),
        ("rejviz-customize", &["-a", "x.img", "--nic-format", "eni", "--nic", "name=eth0", "--print-command"]),
        ("rejviz-install", &["--help"]),
        ("rejviz-peek", &["--version"]),
    ];
    for (bin, args) in cases {
        for sigpipe_ignored in [false, true] {
            let sb = Sandbox::new();
            let (reader, writer) = std::io::pipe().expect("pipe");
            drop(reader); // whoever reads is gone before the first write
            // The test runner ignores SIGPIPE, but std's Command starts its children with it
            // at its default; the shell's trap ignores it again.
            let mut cmd = if sigpipe_ignored { rejviz_after(&sb, "trap '' PIPE", bin) } else { sb.rejviz(bin) };
            let o = cmd.args(args).stdout(writer).output().expect("run");
            let stderr = String::from_utf8_lossy(&o.stderr);
            let what = format!("{bin} {args:?}, SIGPIPE ignored on entry: {sigpipe_ignored}: {:?} {stderr}", o.status);
            if sigpipe_ignored {
                assert_eq!(o.status.code(), Some(1), "{what}");
                assert_eq!(stderr, "", "{what}");
            } else {
                assert_eq!(o.status.signal(), Some(libc::SIGPIPE), "{what}");
                assert!(!stderr.contains("panicked"), "{what}");
            }
            assert!(sb.tmp_leftovers().is_empty(), "{what} left {:?}", sb.tmp_leftovers());
        }
    }
}

/// Rust's runtime ignores SIGPIPE before `main` and std's Command resets it to the default in
/// every child, which would hide a caller's `trap '' PIPE` from the tool: the tool (and
/// `virt-builder --list` before it) starts with SIGPIPE ignored exactly when we did.
#[test]
fn sigpipe_ignored_on_entry_stays_ignored_for_every_program_we_run() {
    for (trap, ignored) in [("trap '' PIPE", true), ("trap - PIPE", false)] {
        let sb = Sandbox::new();
        let seen = sb.path("seen");
        // One line per run of the fake: `--list` (auto format), then the build.
        let script = format!(
            "#!/bin/sh\ngrep '^SigIgn:' /proc/$$/status >>{}\nif [ \"$1\" = --list ]; then \
             echo '{{\"templates\":[{{\"os-version\":\"rejviz-centos7\",\"osinfo\":\"centos7.0\"}}]}}'; fi\n",
            seen.display()
        );
        let dir = fake_tool(&sb, "virt-builder", &script, 0o755);
        let o = rejviz_after(&sb, trap, "rejviz-builder")
            .args(["rejviz-centos7", "-o", "vm.img", "--nic", "name=eth0"])
            .env("PATH", with_path(&dir))
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(0), "{trap}: {}", String::from_utf8_lossy(&o.stderr));
        let lines = std::fs::read_to_string(&seen).expect("seen");
        assert_eq!(lines.lines().count(), 2, "{trap}: {lines}");
        for line in lines.lines() {
            assert_eq!(ignores(line, libc::SIGPIPE), ignored, "{trap}: {line}");
        }
    }
}

/// Whether it runs the build or, for `--nic-format auto`, first `virt-builder --list`.
#[test]
fn tool_not_executable_is_126_and_not_found_is_127() {
    let sb = Sandbox::new();
    let dir = fake_tool(&sb, "virt-builder", "#!/bin/sh\nexit 0\n", 0o644);
    let empty = sb.path("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let auto_format = ["rejviz-centos7", "-o", "vm.img", "--nic", "name=eth0"];
    let cases =
        [(&dir, 126, "Permission denied (os error 13)"), (&empty, 127, "No such file or directory (os error 2)")];
    for args in [&build_args()[..], &auto_format[..]] {
        for (path, code, why) in cases {
            let o = sb.rejviz("rejviz-builder").args(args).env("PATH", path).output().expect("run");
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(code), "{args:?}: {stderr}");
            assert!(
                stderr.ends_with(&format!("rejviz-builder: cannot run virt-builder: {why}\n")),
                "{args:?}: {stderr}"
            );
        }
    }
}

#[test]
fn sighup_ignored_on_entry_stays_ignored_for_us_and_the_tool() {
    let sb = Sandbox::new();
    let seen = sb.path("seen");
    // The fake tool records its ignored-signal mask, then takes its time.
    let script = format!(
        "#!/bin/sh\ngrep '^SigIgn:' /proc/$$/status >{0}.tmp && mv {0}.tmp {0}\nsleep 3\nexit 0\n",
        seen.display()
    );
    let dir = fake_tool(&sb, "virt-builder", &script, 0o755);
    // As nohup does: SIGHUP ignored, then exec.
    let child = rejviz_after(&sb, "trap '' HUP", "rejviz-builder")
        .args(build_args())
        .env("PATH", with_path(&dir))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_for("the fake virt-builder", || seen.exists());
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let o = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "SIGHUP ended the run: {:?} {stderr}", o.status);
    let mask = std::fs::read_to_string(&seen).expect("seen");
    assert!(ignores(&mask, libc::SIGHUP), "SIGHUP not ignored in the tool: {mask}");
}

#[test]
fn missing_tmpdir_breaks_only_what_needs_the_private_directory() {
    let sb = Sandbox::new();
    let missing = sb.path("no-such-dir");
    for bin in PROXIES {
        let o = sb.rejviz(bin).arg("--version").env("TMPDIR", &missing).output().expect("run");
        assert_eq!(o.status.code(), Some(0), "{bin} --version: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).starts_with(&format!("{bin} ")));
    }
    // A dry run makes none, even with files to stage (it shows where they would be).
    let secret = sb.path("pw");
    std::fs::write(&secret, "pw\n").expect("write");
    let rhsm = format!("user=joe,password-file={}", secret.display());
    let mut dry = build_args().to_vec();
    dry.push("--dry-run");
    for extra in [vec![], vec!["--rhsm-register", rhsm.as_str()]] {
        let o = sb.rejviz("rejviz-builder").args(&dry).args(&extra).env("TMPDIR", &missing).output().expect("run");
        assert_eq!(o.status.code(), Some(0), "--dry-run {extra:?}: {}", String::from_utf8_lossy(&o.stderr));
    }

    // A run needs it: one clear line, exit 1, and the tool never starts (staged files or not).
    let ran = sb.path("ran");
    let dir = fake_tool(&sb, "virt-builder", &format!("#!/bin/sh\ntouch {}\n", ran.display()), 0o755);
    for extra in [vec![], vec!["--rhsm-register", rhsm.as_str()]] {
        let o = sb
            .rejviz("rejviz-builder")
            .args(build_args())
            .args(&extra)
            .env("TMPDIR", &missing)
            .env("PATH", &dir)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {stderr}");
        assert_eq!(
            stderr,
            format!(
                "rejviz-builder: cannot create a private directory in {}: No such file or directory (os error 2)\n",
                missing.display()
            )
        );
        assert!(!ran.exists(), "virt-builder ran");
    }
}

/// A fake virt-builder that copies the files its `--sm-credentials USER:file:F` and `--run F`
/// name into `rec/` (they are gone after the run: the private directory is removed).
fn recording_builder(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let rec = sb.path("rec");
    std::fs::create_dir_all(&rec).expect("mkdir");
    let script = format!(
        "#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  case \"$1\" in\n    --sm-credentials) cp \"${{2#*:file:}}\" {0}/password; \
         stat -c %a \"${{2#*:file:}}\" >{0}/password.mode; shift;;\n    --run) cp \"$2\" {0}/script; shift;;\n  esac\n  shift\ndone\n",
        rec.display()
    );
    (fake_tool(sb, "virt-builder", &script, 0o755), rec)
}

/// `password-file=<(pass show rhsm)`: a pipe is read once, by us; the tool gets a private
/// 0600 copy, and the re-subscribe script has the password too (it read '' before).
#[test]
fn secret_from_a_pipe_reaches_the_tool_once() {
    for unregister in [false, true] {
        let sb = Sandbox::new();
        let (dir, rec) = recording_builder(&sb);
        let cmd = sb.rejviz("rejviz-builder");
        let exe = cmd.get_program().to_owned();
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "exec \"$0\" \"$@\" --rhsm-register user=joe,password-file=<(sleep 0.5; printf 'Pipe-Pw-1\\n') {}",
                if unregister { "--rhsm-unregister" } else { "" }
            ))
            .arg(exe)
            .args(build_args())
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))))
            .env("PATH", with_path(&dir))
            .current_dir(sb.path("out"))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("Pipe-Pw-1"), "{stderr}");
        if unregister {
            let script = std::fs::read_to_string(rec.join("script")).expect("script");
            assert!(script.contains("--password Pipe-Pw-1\n"), "{script}");
        } else {
            assert_eq!(std::fs::read_to_string(rec.join("password")).expect("copy"), "Pipe-Pw-1\n");
            assert_eq!(std::fs::read_to_string(rec.join("password.mode")).expect("mode").trim(), "600");
        }
        assert!(sb.tmp_leftovers().is_empty(), "left behind: {:?}", sb.tmp_leftovers());
    }
}

/// A named pipe nobody writes to, a marker the fake virt-builder touches when it runs, and
/// the directory of that fake.
fn writerless_fifo_and_fake_builder(sb: &Sandbox) -> (PathBuf, PathBuf, PathBuf) {
    let fifo = sb.path("fifo");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("cstring");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let ran = sb.path("ran");
    let dir = fake_tool(sb, "virt-builder", &format!("#!/bin/sh\ntouch {}\n", ran.display()), 0o755);
    (fifo, ran, dir)
}

/// A named pipe nobody writes to, and a file without end: exit 2 with one line, the tool
/// never started.
#[test]
fn endless_or_writerless_secret_files_are_refused() {
    let sb = Sandbox::new();
    let (fifo, ran, dir) = writerless_fifo_and_fake_builder(&sb);
    for (file, msg) in [
        (fifo.display().to_string(), "nothing to read: a pipe with no writer for 5 s"),
        ("/dev/zero".to_string(), "longer than 64 KiB: not a secret file"),
    ] {
        let o = sb
            .rejviz("rejviz-builder")
            .args(build_args())
            .args(["--rhsm-register", &format!("user=joe,password-file={file}")])
            .env("PATH", with_path(&dir))
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            format!("rejviz-builder: --rhsm-register: password-file: {file}: {msg}\n")
        );
        assert!(!ran.exists());
    }
}

/// A signal while we plan (before the tool starts) ends us at once by that signal: no
/// `running:` line, no error about what it interrupted, the tool never started, nothing left.
#[test]
fn signal_while_planning_ends_quietly_by_the_signal() {
    // 1. Waiting for a secret from a named pipe nobody writes to (else an error after 5 s).
    let sb = Sandbox::new();
    let (fifo, ran, dir) = writerless_fifo_and_fake_builder(&sb);
    let child = sb
        .rejviz("rejviz-builder")
        .args(build_args())
        .args(["--rhsm-register", &format!("user=joe,password-file={}", fifo.display())])
        .env("PATH", with_path(&dir))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    // It has opened the pipe (non-blocking) and polls it.
    let (sig, stderr) = interrupt(child, libc::SIGTERM, "the pipe opened", || {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|d| d.flatten().any(|e| std::fs::read_link(e.path()).is_ok_and(|l| l == fifo)))
            .unwrap_or(false)
    });
    assert_eq!(sig, Some(libc::SIGTERM), "{stderr}");
    assert_eq!(stderr, "");
    assert!(!ran.exists(), "virt-builder ran");
    assert!(sb.tmp_leftovers().is_empty(), "left behind: {:?}", sb.tmp_leftovers());

    // 2. Waiting for `virt-builder --list` (auto format): the listing is stopped too.
    let sb = Sandbox::new();
    let (listing, ran) = (sb.path("listing"), sb.path("ran"));
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = --list ]; then touch {}; exec sleep 60; fi\ntouch {}\n",
        listing.display(),
        ran.display()
    );
    let dir = fake_tool(&sb, "virt-builder", &script, 0o755);
    let child = sb
        .rejviz("rejviz-builder")
        .args(["rejviz-centos7", "-o", "vm.img", "--nic", "name=eth0"])
        .env("PATH", with_path(&dir))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (sig, stderr) = interrupt(child, libc::SIGINT, "virt-builder --list", || listing.exists());
    assert_eq!(sig, Some(libc::SIGINT), "{stderr}");
    assert_eq!(stderr, "");
    assert!(!ran.exists(), "virt-builder ran");
}

/// Ctrl-C while the libguestfs appliance reads a guest: the appliance is stopped, libguestfs
/// cleans up after itself, and nothing is printed (libguestfs's own error lines included).
/// One appliance launch, interrupted.
#[test]
fn signal_during_an_appliance_read_ends_quietly() {
    let sb = Sandbox::new();
    let img = common::images().join("centos7.raw");
    let child = sb
        .rejviz("rejviz-peek")
        .args(["--reader", "appliance", "-a"])
        .arg(&img)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let has_qemu = || {
        std::fs::read_dir("/proc").into_iter().flatten().flatten().any(|e| {
            std::fs::read_to_string(e.path().join("stat")).is_ok_and(|s| {
                s.contains("(qemu-system")
                    && s.rsplit(')').next().and_then(|r| r.split_whitespace().nth(1)) == Some(&pid.to_string())
            })
        })
    };
    let (sig, stderr) = interrupt(child, libc::SIGINT, "the appliance's qemu", has_qemu);
    assert_eq!(sig, Some(libc::SIGINT), "{stderr}");
    assert_eq!(stderr, "");
    assert!(sb.tmp_leftovers().iter().all(|e| e.starts_with(".guestfs-")), "left behind: {:?}", sb.tmp_leftovers());
}

/// A standard error whose reader is gone (`2>&1 | head -1` after the first line): the
/// messages are dropped, never a panic (exit 101); the exit status is what it would be.
#[test]
fn closed_stderr_changes_nothing_but_the_messages() {
    let sb = Sandbox::new();
    let ran = sb.path("ran");
    let dir = fake_tool(&sb, "virt-builder", &format!("#!/bin/sh\ntouch {}\n", ran.display()), 0o755);
    let cases: [(&str, Vec<&str>, i32); 4] = [
        ("rejviz-builder", vec!["rejviz-centos7", "--nic", "name=eth0,ipaddr=10.0.0.300"], 2),
        ("rejviz-builder", build_args().to_vec(), 0),
        ("rejviz-customize", vec!["-a", "x.img", "--nic-form", "eni"], 2),
        ("rejviz-peek", vec!["-a", "/nonexistent.img"], 2),
    ];
    for (bin, args, code) in cases {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let o = sb.rejviz(bin).args(&args).env("PATH", with_path(&dir)).stderr(writer).output().expect("run");
        assert_eq!(o.status.code(), Some(code), "{bin} {args:?}: {:?}", o.status);
    }
    assert!(ran.exists(), "the run with a closed stderr did not run virt-builder");
}

/// Values with control characters (newline, ESC) are refused, and every message that shows a
/// value shows it escaped, on one line: nothing from the command line (or a guest) can drive
/// the terminal or forge a second line.
#[test]
fn control_characters_are_refused_and_shown_escaped() {
    let sb = Sandbox::new();
    let cases: &[(&str, &[&str])] = &[
        ("rejviz-builder", &["rejviz-centos7", "--nic", "name=eth0,dns1=10.0.0.1\n\x1b[31mX", "--dry-run"]),
        ("rejviz-builder", &["rejviz-centos7", "--nic", "name=eth\n0", "--dry-run"]),
        ("rejviz-builder", &["rejviz-centos7", "--nic-format", "if\ncfg", "--nic", "name=eth0", "--dry-run"]),
        (
            "rejviz-builder",
            &["rejviz-centos7", "--rhsm-register", "user=joe\nX,password-file=/nonexistent", "--dry-run"],
        ),
        ("rejviz-customize", &["-a", "x.img", "--nic-remove", "eth\x1b0", "--print-command"]),
        ("rejviz-install", &["--disk", "/x.img", "--nic-mappings", "eth0=de\nfault", "--print-command"]),
        // libvirt's test driver: the name reaches the lookup whether or not libvirtd runs.
        ("rejviz-peek", &["-c", "test:///default", "-d", "no\nsuch\x1b[2J"]),
        ("rejviz-peek", &["-a", "/nonexistent\n.img"]),
    ];
    for (bin, args) in cases {
        let o = sb.rejviz(bin).args(*args).output().expect("run");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bin} {args:?}: {stderr}");
        assert!(stderr.ends_with('\n') && stderr.lines().count() == 1, "{bin} {args:?}: {stderr:?}");
        assert!(!stderr.trim_end().chars().any(char::is_control), "{bin} {args:?}: {stderr:?}");
        assert!(
            stderr.contains(r"\n") || stderr.contains(r"\u{1b}"),
            "{bin} {args:?}: the value is not shown: {stderr:?}"
        );
    }
}

/// A tool that catches the signal and exits with a status of its own: the run a signal
/// ended still ends by that signal.
#[test]
fn a_run_ended_by_a_signal_ends_by_it_whatever_the_tool_exits_with() {
    let sb = Sandbox::new();
    let started = sb.path("started");
    let script = format!("#!/bin/sh\ntrap 'exit 3' TERM\ntouch {}\nwhile :; do sleep 0.1; done\n", started.display());
    let dir = fake_tool(&sb, "virt-builder", &script, 0o755);
    let child = sb
        .rejviz("rejviz-builder")
        .args(build_args())
        .env("PATH", with_path(&dir))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (sig, stderr) = interrupt(child, libc::SIGTERM, "the fake virt-builder", || started.exists());
    assert_eq!(sig, Some(libc::SIGTERM), "{stderr}");
}
