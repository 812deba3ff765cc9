//! rejviz-builder against the real virt-builder on the local template (appliance launches:
//! one virt-builder build + one read-back in the main test, one interrupted build).

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{IFCFG_DIR, Sandbox, TEMPLATE, kv};
use rejviz::inspect::{self, Disk, Want};

const SECRET: &str = "Sup3r-s3cret-pw";
const FAKE_SM_LOG: &str = "/var/log/rejviz-fake-subscription-manager.log";

#[test]
fn builds_an_image_with_three_nics() {
    let sb = Sandbox::new();
    let out = sb.path("out/vm.img");
    let rhsm_pw = "rhsm-Pa55-word";
    std::fs::write(sb.path("rhsm-pw"), format!("{rhsm_pw}\n")).unwrap();
    let res = sb
        .rejviz("rejviz-builder")
        .args([TEMPLATE, "-o"])
        .arg(&out)
        .args(["--format", "raw"])
        .args(["--nic", "name=eth0", "--nic", "name=eth1,ipaddr=192.168.122.15"])
        .args(["--nic=name=eth2,ipaddr=10.0.5.7/16,gateway=10.0.0.1"])
        .args(["--hostname", "vm1.example.com", "--root-password"])
        .arg(format!("password:{SECRET}"))
        .arg("--rhsm-register")
        .arg(format!("user=joe,password-file={},attach=auto", sb.path("rhsm-pw").display()))
        .output()
        .expect("run rejviz-builder");
    let stdout = String::from_utf8_lossy(&res.stdout);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "rejviz-builder failed: {stderr}");
    assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET), "the password was printed");
    assert!(!stdout.contains(rhsm_pw) && !stderr.contains(rhsm_pw), "the RHSM password was printed");
    let log = stderr.lines().find(|l| l.starts_with("rejviz-builder: running: virt-builder ")).expect("log line");
    assert!(log.contains("--root-password 'password:***'"), "{log}");
    assert!(log.contains("--selinux-relabel"), "{log}");
    assert!(sb.tmp_leftovers().is_empty(), "left in TMPDIR: {:?}", sb.tmp_leftovers());

    // Read everything back in one launch.
    common::guestfs_env();
    let snap = inspect::read(
        &[Disk { path: out.clone(), format: Some("raw".into()) }],
        &Want {
            dirs: vec![IFCFG_DIR.into()],
            files: vec!["/.autorelabel".into(), "/etc/shadow".into(), FAKE_SM_LOG.into()],
            exists: vec![],
        },
    )
    .expect("read the built image");
    assert_eq!(snap.os.distro, "centos");
    assert_eq!(snap.os.hostname, "vm1.example.com");

    let file = |n: &str| snap.file(&format!("{IFCFG_DIR}/ifcfg-{n}")).unwrap_or_else(|| panic!("no ifcfg-{n}"));
    let mut macs = Vec::new();
    for (name, want) in [
        ("eth0", vec![("BOOTPROTO", "dhcp")]),
        (
            "eth1",
            vec![
                ("BOOTPROTO", "static"),
                ("IPADDR", "192.168.122.15"),
                ("PREFIX", "24"),
                ("NETWORK", "192.168.122.0"),
                ("BROADCAST", "192.168.122.255"),
            ],
        ),
        (
            "eth2",
            vec![
                ("BOOTPROTO", "static"),
                ("IPADDR", "10.0.5.7"),
                ("PREFIX", "16"),
                ("NETWORK", "10.0.0.0"),
                ("BROADCAST", "10.0.255.255"),
                ("GATEWAY", "10.0.0.1"),
            ],
        ),
    ] {
        let f = file(name);
        assert_eq!(f.mode, 0o644, "{} mode", f.path);
        assert_eq!((f.uid, f.gid), (0, 0), "{} owner", f.path);
        let got = kv(&f.text());
        let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
        let mut expect_keys = vec!["DEVICE", "NAME", "TYPE", "ONBOOT", "BOOTPROTO", "HWADDR"];
        expect_keys.extend(want.iter().skip(1).map(|(k, _)| *k));
        assert_eq!(keys, expect_keys, "{} keys", f.path);
        let get = |k: &str| got.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.as_str());
        assert_eq!(get("DEVICE"), Some(name));
        assert_eq!(get("NAME"), Some(name));
        assert_eq!(get("TYPE"), Some("Ethernet"));
        assert_eq!(get("ONBOOT"), Some("yes"));
        for (k, v) in &want {
            assert_eq!(get(k), Some(*v), "{} {k}", f.path);
        }
        let mac = get("HWADDR").expect("HWADDR").to_string();
        assert!(mac.starts_with("52:54:00:"), "{mac}");
        // The MAC in the image is the one the log line announced.
        assert!(log.contains(&format!("ifcfg-{name}:")) && log.contains(&format!("HWADDR={mac}\\n")), "{mac}");
        macs.push(mac);
    }
    macs.sort();
    macs.dedup();
    assert_eq!(macs.len(), 3, "MACs not distinct");

    // The template's own eth0 config was replaced, its loopback config kept.
    let eth0 = file("eth0").text();
    assert!(!eth0.contains("TEMPLATE_MARKER") && !eth0.contains("52:54:00:de:ad:00"), "{eth0}");
    assert!(file("lo").text().contains("DEVICE=lo"));
    assert_eq!(
        snap.files.iter().filter(|f| f.path.starts_with(IFCFG_DIR)).count(),
        4,
        "unexpected ifcfg files: {:?}",
        snap.files.iter().map(|f| &f.path).collect::<Vec<_>>()
    );

    // SELinux guest: the files are labelled now (appliance with setfiles) or on first boot.
    let labelled_now = file("eth1").selinux_label.as_deref().is_some_and(|l| l.contains("net_conf_t"));
    assert!(labelled_now || snap.file("/.autorelabel").is_some(), "written files would stay unlabelled");

    // RHSM went through virt-builder's own --sm-* options, to the fake subscription-manager.
    let record = snap.file(FAKE_SM_LOG).expect("subscription-manager was not called").text();
    assert_eq!(record, format!("register --username=joe --password={rhsm_pw}\nattach --auto\n"));
    // ... reading a private copy of the password file in the run's 0700 directory (removed).
    let copy = credentials_file(log);
    assert!(copy.starts_with(&sb.path("tmp").display().to_string()) && copy.ends_with("/rhsm-password"), "{log}");
    assert!(log.contains(" --sm-register --sm-attach auto"), "{log}");
    assert!(sb.tmp_leftovers().is_empty(), "left behind: {:?}", sb.tmp_leftovers());

    // The password was set, and the plaintext is nowhere in the image's shadow file.
    let shadow = snap.file("/etc/shadow").expect("shadow").text();
    assert!(shadow.starts_with("root:$6$"), "root password not set: {shadow}");
    assert!(!shadow.contains(SECRET));
}

#[test]
fn sigterm_reaches_virt_builder_and_nothing_is_left() {
    let sb = Sandbox::new();
    let out = sb.path("out/vm.img");
    let mut child = sb
        .rejviz("rejviz-builder")
        .args([TEMPLATE, "-o"])
        .arg(&out)
        .args(["--nic", "name=eth0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    // Wait until virt-builder is building (its output file exists), then interrupt.
    let start = Instant::now();
    while !out.exists() {
        assert!(start.elapsed() < Duration::from_secs(120), "virt-builder never started building");
        assert!(child.try_wait().expect("try_wait").is_none(), "rejviz-builder ended early");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().expect("wait");
    use std::os::unix::process::ExitStatusExt;
    // virt-builder ends on SIGTERM, by the signal or with the shell's 128+15 (its OCaml
    // runtime exits): we end the same way.
    assert!(
        status.signal() == Some(libc::SIGTERM) || status.code() == Some(128 + libc::SIGTERM),
        "an interrupted build must end by SIGTERM or with 143: {status:?}"
    );
    // virt-builder removes its half-written output on failure, and no temp files remain.
    assert!(!out.exists(), "half-written image left behind");
    assert!(sb.tmp_leftovers().is_empty(), "left in TMPDIR: {:?}", sb.tmp_leftovers());
}

/// The file named in `--sm-credentials joe:file:FILE` in the log line.
fn credentials_file(log: &str) -> String {
    let at = log.find("--sm-credentials joe:file:").expect("--sm-credentials in the log")
        + "--sm-credentials joe:file:".len();
    log[at..].split(' ').next().unwrap_or_default().to_string()
}
