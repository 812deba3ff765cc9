//! The direct reader on images in formats other than raw, read through qemu-nbd: each qcow2
//! test image gives the same Snapshot as the raw image it was made from (whose snapshot
//! tests/direct_reader.rs checks against libguestfs), the backing chain also the same as
//! libguestfs's own read of it; a wrong format, a missing backing file, a corrupt header and
//! a Ctrl-C end in one line of error (or a fallback), never a hang, a panic, another guest
//! taken for this one, a qemu-nbd left running or a directory left behind.
//! Appliance launches: 1 (the backing chain, read by libguestfs).

mod common;

use std::path::{Path, PathBuf};

use common::{
    Sandbox, count_launches, fake_tool, guestfs_env, images, interrupt, launches, outcome as out, peek_json, with_path,
    without_debug,
};
use rejviz::direct;
use rejviz::guestconf;
use rejviz::inspect::{self, Disk, Reader, ReaderUsed};

fn disk(path: &Path, format: Option<&str>) -> Vec<Disk> {
    vec![Disk { path: path.to_path_buf(), format: format.map(str::to_string) }]
}

fn image(name: &str) -> PathBuf {
    images().join(name)
}

/// The processes whose command line mentions `needle` (a sandbox's path: a qemu-nbd we
/// started there has its socket in the sandbox's TMPDIR).
fn processes_mentioning(needle: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())))
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(needle))
        .collect()
}

/// Nothing left of a run in the sandbox: no directory in its TMPDIR, no qemu-nbd.
fn assert_clean(sb: &Sandbox) {
    assert_eq!(sb.tmp_leftovers(), Vec::<String>::new());
    let tmp = sb.path("tmp").display().to_string();
    assert_eq!(processes_mentioning(&tmp), Vec::<String>::new());
}

#[test]
fn qcow2_images_read_as_the_raw_images_they_were_made_from_and_the_chain_as_libguestfs_reads_it() {
    guestfs_env();
    let want = guestconf::want();
    let mut chain = None;
    for (qcow2, raw) in [
        ("untidy.qcow2", "untidy.raw"),
        ("debian.compressed.qcow2", "debian.raw"),
        ("fedora.overlay.qcow2", "fedora.raw"),
    ] {
        let expected = direct::read(&disk(&image(raw), Some("raw")), &want).expect(raw);
        let given = direct::read(&disk(&image(qcow2), Some("qcow2")), &want).unwrap_or_else(|e| panic!("{qcow2}: {e}"));
        assert_eq!(given, expected, "{qcow2}");
        // No format given: qemu probes it, as it does under libguestfs.
        let (probed, used) = inspect::read_guest(&disk(&image(qcow2), None), &want, Reader::Auto).expect(qcow2);
        assert!(matches!(used, ReaderUsed::Direct), "{qcow2}: {used}");
        assert_eq!(probed, expected, "{qcow2}");
        if qcow2 == "fedora.overlay.qcow2" {
            chain = Some(given);
        }
    }
    let chain = chain.expect("the backing chain was read");
    // The chain matters: its base alone lacks the first 4 MiB (the partition table is in
    // the overlay).
    let base = direct::read(&disk(&image("fedora.base.qcow2"), Some("qcow2")), &want).unwrap_err();
    assert_eq!(base.to_string(), "/dev/sda is an unknown filesystem or none");
    // The backing file is named by a relative path: the pair reads the same elsewhere.
    let sb = Sandbox::new();
    for f in ["fedora.overlay.qcow2", "fedora.base.qcow2"] {
        std::fs::copy(image(f), sb.path(&format!("out/{f}"))).expect("copy");
    }
    let moved = direct::read(&disk(&sb.path("out/fedora.overlay.qcow2"), None), &want).expect("moved chain");
    assert_eq!(moved, chain);
    // libguestfs's own read of the chain (one launch).
    let appliance = inspect::read(&disk(&image("fedora.overlay.qcow2"), Some("qcow2")), &want).expect("appliance");
    assert_eq!(chain, appliance);
}

#[test]
fn peek_reads_qcow2_directly_with_no_launch_and_leaves_nothing_behind() {
    let sb = Sandbox::new();
    let run = |args: &[&str], img: &Path| {
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.arg("-v").args(args).arg("-a").arg(img).arg("--json");
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!(
            (code, without_debug(&stderr).as_str()),
            (0, "rejviz-peek: read by the direct reader\n"),
            "{args:?} {img:?}"
        );
        peek_json(&stdout);
        assert_eq!(launches(&counter), 0);
        assert_clean(&sb);
        stdout
    };
    let raw = run(&["--format", "raw"], &image("untidy.raw"));
    assert!(raw.contains("ifcfg-eth1"), "{raw}");
    assert_eq!(run(&["--format", "qcow2"], &image("untidy.qcow2")), raw);
    assert_eq!(run(&[], &image("untidy.qcow2")), raw);
    assert_eq!(run(&["--reader", "direct"], &image("untidy.qcow2")), raw);
}

/// A running domain's disk: qemu holds it open for writing, with its lock. It is read all
/// the same (force-share, as `qemu-img -U`), and never written.
#[test]
fn a_disk_in_use_is_read_without_taking_its_lock() {
    let sb = Sandbox::new();
    let busy = sb.path("out/busy.qcow2");
    std::fs::copy(image("untidy.qcow2"), &busy).expect("copy");
    let sock = sb.path("writer.sock");
    let mut writer = std::process::Command::new("qemu-nbd")
        .args(["--persistent", "--format", "qcow2", "--socket"])
        .arg(&sock)
        .arg(&busy)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("qemu-nbd");
    common::wait_for("the writer's socket", || sock.exists());
    let before = std::fs::read(&busy).expect("read");
    let want = guestconf::want();
    let snap = direct::read(&disk(&busy, Some("qcow2")), &want);
    let _ = writer.kill();
    let _ = writer.wait();
    let expected = direct::read(&disk(&image("untidy.raw"), Some("raw")), &want).expect("raw");
    assert_eq!(snap.expect("read while in use"), expected);
    assert_eq!(std::fs::read(&busy).expect("read"), before, "the image was written");
}

#[test]
fn a_wrong_format_is_an_error_never_another_guest() {
    let sb = Sandbox::new();
    let peek = |args: &[&str], img: &Path| {
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.args(args).arg("-a").arg(img);
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
        assert_eq!(launches(&counter), 0);
        assert_clean(&sb);
        stderr
    };
    // `--format raw` on a qcow2: its bytes are read as a raw disk, as libguestfs reads them
    // then, and there is no partition table nor filesystem at their start. (Auto falls back
    // to the appliance, which finds no disk image there either.)
    let qcow2 = image("untidy.qcow2");
    assert_eq!(
        peek(&["--reader", "direct", "--format", "raw"], &qcow2),
        "rejviz-peek: cannot read directly: /dev/sda is an unknown filesystem or none\n"
    );
    // `--format qcow2` on a raw image: qemu-nbd cannot open it, nor can libguestfs (no
    // launch); its message either way.
    let raw = image("untidy.raw");
    assert_eq!(
        peek(&["--reader", "direct", "--format", "qcow2"], &raw),
        format!(
            "rejviz-peek: cannot read directly: {}: qemu-nbd cannot open this qcow2 image: Image is not in qcow2 format\n",
            raw.display()
        )
    );
    assert_eq!(
        peek(&["--format", "qcow2"], &raw),
        format!("rejviz-peek: {}: Image is not in qcow2 format\n", raw.display())
    );
    // Through the library (a domain's XML may name any format): typed errors.
    let want = guestconf::want();
    let e = direct::read(&disk(&qcow2, Some("vmdk")), &want).unwrap_err();
    assert!(matches!(e, direct::DirectError::Format { .. }), "{e:?}");
    assert!(e.to_string().contains("qemu-nbd cannot open this vmdk image: "), "{e}");
    let e = direct::read(&disk(&qcow2, Some("raw,file.driver=nbd")), &want).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: qemu-nbd cannot open this raw,file.driver=nbd image: 'raw,file.driver=nbd' is not a format name",
            qcow2.display()
        )
    );
}

#[test]
fn a_missing_backing_file_is_one_line_naming_it() {
    let sb = Sandbox::new();
    let overlay = sb.path("out/fedora.overlay.qcow2");
    std::fs::copy(image("fedora.overlay.qcow2"), &overlay).expect("copy");
    let why = format!(
        "Could not open backing file: Could not open '{}': No such file or directory",
        sb.path("out/fedora.base.qcow2").display()
    );
    for (reader, want) in [
        (
            "direct",
            format!("cannot read directly: {}: qemu-nbd cannot open this qcow/qcow2 image: {why}", overlay.display()),
        ),
        // libguestfs cannot add it either (before any launch), and says only that qemu-img
        // failed: qemu's message is the one shown.
        ("auto", format!("{}: {why}", overlay.display())),
    ] {
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.args(["--reader", reader, "-a"]).arg(&overlay);
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", format!("rejviz-peek: {want}\n").as_str()));
        assert_eq!(launches(&counter), 0);
        assert_clean(&sb);
    }
}

/// Header fields set to what qemu must refuse, then random bytes of the header changed:
/// each read is a snapshot or one line of error, within a bounded time, and leaves nothing.
#[test]
fn corrupt_qcow2_headers_are_errors_never_hangs_or_panics() {
    let sb = Sandbox::new();
    let good = std::fs::read(image("untidy.qcow2")).expect("read image");
    let bad = sb.path("out/bad.qcow2");
    let peek = |bytes: &[u8]| {
        std::fs::write(&bad, bytes).expect("write");
        let started = std::time::Instant::now();
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.args(["--reader", "direct", "--format", "qcow2", "-a"]).arg(&bad);
        let (code, _, stderr) = out(&cmd.output().expect("run"));
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "took {:?}", started.elapsed());
        assert_clean(&sb);
        (code, stderr)
    };
    let patched = |at: usize, value: &[u8]| {
        let mut b = good.clone();
        b[at..at + value.len()].copy_from_slice(value);
        b
    };
    let refused = [
        (patched(4, &9u32.to_be_bytes()), "Unsupported qcow2 version 9"),
        (patched(20, &0u32.to_be_bytes()), "Unsupported cluster size: 2^0"),
        (patched(24, &u64::MAX.to_be_bytes()), ""),
        (patched(40, &(1u64 << 60).to_be_bytes()), ""),
        (good[..512].to_vec(), ""),
    ];
    for (bytes, msg) in refused {
        let (code, stderr) = peek(&bytes);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.starts_with("rejviz-peek: cannot read directly: ") && stderr.lines().count() == 1, "{stderr}");
        assert!(stderr.contains(msg), "{stderr}");
    }
    // xorshift: a fixed, reproducible sequence.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut read, mut errors) = (0, 0);
    for _ in 0..40 {
        let mut b = good.clone();
        for _ in 0..(1 + next() % 4) {
            // The header proper: magic excepted (that would make it another format).
            let at = 4 + (next() % 100) as usize;
            b[at] = next() as u8;
        }
        match peek(&b) {
            (0, _) => read += 1,
            (2, stderr) => {
                assert!(stderr.starts_with("rejviz-peek: ") && stderr.lines().count() == 1, "{stderr}");
                errors += 1;
            }
            (code, stderr) => panic!("exit {code}: {stderr}"),
        }
    }
    eprintln!("40 corrupt headers: {read} read, {errors} errors");
}

/// A Ctrl-C while qemu-nbd serves a read: peek forwards it to qemu-nbd, the read fails, no
/// appliance is launched after it, and peek ends by the signal leaving no socket directory
/// and no qemu-nbd. Reads are made slow by a qemu-nbd that throttles them (the real one,
/// through a throttle filter), so one is under way when the signal comes.
#[test]
fn ctrl_c_during_a_qemu_nbd_read_leaves_nothing_behind() {
    let sb = Sandbox::new();
    let real = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .map(|d| Path::new(d).join("qemu-nbd"))
        .find(|p| p.is_file())
        .expect("qemu-nbd on PATH");
    // Our arguments are --read-only --image-opts --socket PATH OPTS, OPTS beginning with
    // file.filename=: the image becomes the child of a throttle node.
    let script = format!(
        "#!/bin/sh\nexec {} --object throttle-group,id=slow,x-bps-read=512 \"$1\" \"$2\" \"$3\" \"$4\" \
         \"driver=throttle,throttle-group=slow,file.driver=qcow2,file.$5\"\n",
        real.display()
    );
    let bin = fake_tool(&sb, "qemu-nbd", &script, 0o755);
    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.env("PATH", with_path(&bin)).args(["-v", "-a"]).arg(image("untidy.qcow2"));
    let counter = count_launches(&sb, &mut cmd);
    let child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().expect("spawn");
    let socket_dir = std::cell::RefCell::new(None);
    let (signal, stderr) = interrupt(child, libc::SIGINT, "qemu-nbd serving", || {
        let Some(dir) = sb.tmp_leftovers().into_iter().find(|n| n.starts_with("rejviz-nbd.")) else { return false };
        let dir = sb.path("tmp").join(dir);
        if !dir.join("nbd.sock").exists() {
            return false;
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
        *socket_dir.borrow_mut() = Some((dir, mode));
        // The handshake and the first reads, then a throttled one.
        std::thread::sleep(std::time::Duration::from_millis(500));
        true
    });
    let (dir, mode) = socket_dir.into_inner().expect("socket seen");
    assert_eq!(mode, 0o700, "{}", dir.display());
    assert_eq!((signal, stderr.as_str()), (Some(libc::SIGINT), ""));
    assert_eq!(launches(&counter), 0, "an appliance after the Ctrl-C");
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert_clean(&sb);
}
