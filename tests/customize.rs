//! rejviz-customize against the real virt-customize and libvirtd, on copies of the test
//! image. Appliance launches (our own reads are direct: raw ext4): 3 + 1 (--reader appliance) + 1
//! (NIC files), 2 (domain), 2 (pairing), 2 + 1 (RHSM).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{
    CreatedDomain, LIBVIRT_URI, Sandbox, TestDomain, count_launches, image_copy, kv, launches, outcome as out,
    read_guests, virsh,
};

const FAKE_LOG: &str = "/var/log/rejviz-fake-subscription-manager.log";

fn customize(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    out(&sb.rejviz("rejviz-customize").args(args).output().expect("rejviz-customize"))
}

fn names(v: &common::GuestView) -> Vec<&str> {
    v.ifcfg.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn add_replace_remove_and_reset_nic_configs() {
    let sb = Sandbox::new();
    let (a, b, c) = (
        image_copy(&sb, "centos7.raw", "a.raw"),
        image_copy(&sb, "centos7.raw", "b.raw"),
        image_copy(&sb, "centos7.raw", "c.raw"),
    );
    let p = |x: &std::path::Path| x.display().to_string();

    // Each run: virt-customize's one appliance launch; our look at the guest (the auto
    // format, what to remove, what to reset) is the direct reader's, unless --reader says.
    let run = |args: &[&str]| {
        let mut cmd = sb.rejviz("rejviz-customize");
        cmd.args(args);
        let counter = count_launches(&sb, &mut cmd);
        let (code, _, stderr) = out(&cmd.output().expect("rejviz-customize"));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        (stderr, launches(&counter))
    };
    let (_, n) = run(&[
        "--format",
        "raw",
        "-a",
        &p(&a),
        "--nic",
        "name=eth0,hwaddr=52:54:00:00:01:00",
        "--nic",
        "name=eth1,ipaddr=10.9.0.5,gateway=10.9.0.1",
    ]);
    assert_eq!(n, 1, "launches with --nic-format auto");
    // virt-customize's own -v: we say which reader read the guest too.
    let (stderr, n) = run(&["--format", "raw", "-a", &p(&b), "--nic-remove", "eth0", "-v"]);
    assert_eq!(n, 1, "launches with --nic-remove");
    assert!(stderr.lines().any(|l| l == "rejviz-customize: read by the direct reader"), "{stderr}");
    let (stderr, n) =
        run(&["--format", "raw", "-a", &p(&c), "--reader", "appliance", "--nic-reset", "--nic", "name=eth7"]);
    assert_eq!(n, 2, "launches with --reader appliance");
    assert!(!stderr.contains("read by"), "{stderr}");
    assert!(sb.tmp_leftovers().is_empty());

    let v = read_guests(&[&a, &b, &c], &[], &[]);
    // a: eth0 replaced (the template's marker gone), eth1 added, lo kept.
    assert_eq!(names(&v[0]), ["ifcfg-eth0", "ifcfg-eth1", "ifcfg-lo"]);
    let eth0 = &v[0].ifcfg[0].1;
    assert!(!eth0.contains("TEMPLATE_MARKER") && eth0.contains("HWADDR=52:54:00:00:01:00\n"), "{eth0}");
    let eth1 = kv(&v[0].ifcfg[1].1);
    for want in [("BOOTPROTO", "static"), ("IPADDR", "10.9.0.5"), ("PREFIX", "24"), ("GATEWAY", "10.9.0.1")] {
        assert!(eth1.contains(&(want.0.to_string(), want.1.to_string())), "{eth1:?}");
    }
    // b: eth0 removed.
    assert_eq!(names(&v[1]), ["ifcfg-lo"]);
    // c: everything but loopback removed, then eth7 written.
    assert_eq!(names(&v[2]), ["ifcfg-eth7", "ifcfg-lo"]);
    assert!(v[2].ifcfg[1].1.contains("DEVICE=lo"));
}

#[test]
fn domain_macs_sync_macs_and_running_domain_refused() {
    let sb = Sandbox::new();
    let img = image_copy(&sb, "centos7.raw", "dom.raw");
    // The template pins eth0 to 52:54:00:de:ad:00.
    let dom =
        TestDomain::define("cust", &img, "raw", &[("52:54:00:de:ad:00", "rjz-net"), ("52:54:00:de:ad:01", "rjz-net")]);

    // --nic without hwaddr: eth1 takes the domain's second interface's MAC.
    let (code, _, stderr) = customize(&sb, &["-c", LIBVIRT_URI, "-d", &dom.name, "--nic", "name=eth1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("HWADDR=52:54:00:de:ad:01\\n"), "{stderr}");

    // "Clone": the domain gets new MACs; the image's configs no longer match.
    let xml = virsh(&["dumpxml", &dom.name])
        .replace("52:54:00:de:ad:00", "52:54:00:be:ef:00")
        .replace("52:54:00:de:ad:01", "52:54:00:be:ef:01");
    let file = sb.path("dom.xml");
    std::fs::write(&file, xml).unwrap();
    virsh(&["define", &file.display().to_string()]);

    let (code, _, stderr) = customize(&sb, &["-c", LIBVIRT_URI, "-d", &dom.name, "--sync-macs"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "sync-macs: eth0 (/etc/sysconfig/network-scripts/ifcfg-eth0): HWADDR 52:54:00:de:ad:00 -> 52:54:00:be:ef:00"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "sync-macs: eth1 (/etc/sysconfig/network-scripts/ifcfg-eth1): HWADDR 52:54:00:de:ad:01 -> 52:54:00:be:ef:01"
        ),
        "{stderr}"
    );

    let (code, stdout, stderr) =
        out(&sb.rejviz("rejviz-peek").args(["-c", LIBVIRT_URI, "-d", &dom.name, "--check"]).output().expect("peek"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("52:54:00:be:ef:00  network  rjz-net  virtio  eth0"), "{stdout}");
    // The rest of the edited file is untouched.
    assert!(stdout.contains("eth0  ethernet  52:54:00:be:ef:00  dhcp"), "{stdout}");

    // A running domain is refused before anything runs.
    let running_img = image_copy(&sb, "centos7.raw", "run.raw");
    let name = format!("rjz-{}-running", std::process::id());
    let xml = format!(
        "<domain type='qemu'><name>{name}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os><features><acpi/></features>\
         <devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{}'/><target dev='vda' bus='virtio'/></disk>\
         </devices></domain>",
        running_img.display()
    );
    let file = sb.path("run.xml");
    std::fs::write(&file, xml).unwrap();
    let _running = CreatedDomain(name.clone());
    virsh(&["define", &file.display().to_string()]);
    virsh(&["start", &name]);
    let (code, _, stderr) = customize(&sb, &["-c", LIBVIRT_URI, "-d", &name, "--nic", "name=eth0"]);
    assert_eq!((code, stderr.as_str()), (2, format!("rejviz-customize: domain {name} is running; shut it down first (virt-customize must not write to a running guest)\n").as_str()));
}

/// The one pairing rule (src/pairing.rs) end to end: a domain [A, B, C] whose image pins
/// eth0 to A and has an unpinned `lan`; `-d --nic name=eth2` pins eth2 to C (the kernel's
/// eth2), and after a clone `--sync-macs` re-pins eth0 to A' and eth2 to C' (not B': `lan`,
/// unpinned between them, keeps B'), so `peek --check` passes before and after.
/// Appliance launches: 2 (customize; our reads and peek are direct).
#[test]
fn clone_then_sync_macs_with_an_unpinned_nic_between_pinned_ones() {
    let sb = Sandbox::new();
    let img = image_copy(&sb, "centos7.raw", "pair.raw");
    let (a, b, c) = ("52:54:00:de:ad:00", "52:54:00:de:ad:0b", "52:54:00:de:ad:0c");
    let dom = TestDomain::define("pair", &img, "raw", &[(a, "rjz-net"), (b, "rjz-net"), (c, "rjz-net")]);
    let lan = "/etc/sysconfig/network-scripts/ifcfg-lan:DEVICE=lan\nBOOTPROTO=dhcp\nONBOOT=yes\n";
    let (code, _, stderr) =
        customize(&sb, &["-c", LIBVIRT_URI, "-d", &dom.name, "--nic", "name=eth2,format=ifcfg", "--write", lan]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&format!("HWADDR={c}\\n")), "eth2 is not pinned to the third interface: {stderr}");
    let check = |sb: &Sandbox| {
        out(&sb.rejviz("rejviz-peek").args(["-c", LIBVIRT_URI, "-d", &dom.name, "--check"]).output().expect("peek"))
    };
    let (code, stdout, stderr) = check(&sb);
    assert_eq!(code, 0, "{stdout}{stderr}");

    // The clone: new MACs A', B', C'.
    let xml = virsh(&["dumpxml", &dom.name]).replace(":de:ad:", ":be:ef:");
    let file = sb.path("pair.xml");
    std::fs::write(&file, xml).unwrap();
    virsh(&["define", &file.display().to_string()]);
    let (code, _, stderr) = customize(&sb, &["-c", LIBVIRT_URI, "-d", &dom.name, "--sync-macs"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!("eth0 (/etc/sysconfig/network-scripts/ifcfg-eth0): HWADDR {a} -> 52:54:00:be:ef:00")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("eth2 (/etc/sysconfig/network-scripts/ifcfg-eth2): HWADDR {c} -> 52:54:00:be:ef:0c")),
        "{stderr}"
    );
    let (code, stdout, stderr) = check(&sb);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("52:54:00:be:ef:0b  network  rjz-net  virtio  lan"), "{stdout}");
}

/// Process command lines on this host containing `needle`, sampled until `stop`.
fn watch_cmdlines(needles: Vec<String>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<String>> {
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                if let Ok(c) = std::fs::read(e.path().join("cmdline")) {
                    let c = String::from_utf8_lossy(&c).replace('\0', " ");
                    if needles.iter().any(|n| c.contains(n.as_str())) && !c.contains("watch_cmdlines") {
                        seen.push(c);
                    }
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        seen
    })
}

#[test]
fn rhsm_register_and_resubscribe_keep_secrets() {
    let sb = Sandbox::new();
    let img = image_copy(&sb, "centos7.raw", "rhsm.raw");
    let key = "AK-sekrit-4711";
    let pw = "PW-sekrit-0815";
    std::fs::write(sb.path("key"), format!("{key}\n")).unwrap();
    std::fs::write(sb.path("pw"), format!("{pw}\n")).unwrap();
    let keyf = sb.path("key").display().to_string();
    let pwf = sb.path("pw").display().to_string();
    let imgs = img.display().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_cmdlines(vec![key.into(), pw.into()], Arc::clone(&stop));

    let (code, o1, e1) = customize(
        &sb,
        &["--format", "raw", "-a", &imgs, "--rhsm-register", &format!("org=ACME Lab,activation-key-file={keyf}")],
    );
    assert_eq!(code, 0, "{e1}");
    let (code, o2, e2) = customize(
        &sb,
        &[
            "--format",
            "raw",
            "-a",
            &imgs,
            "--rhsm-unregister",
            "--rhsm-register",
            &format!("user=joe,password-file={pwf},attach=auto"),
        ],
    );
    assert_eq!(code, 0, "{e2}");
    stop.store(true, Ordering::SeqCst);
    let seen = watcher.join().unwrap();
    assert!(seen.is_empty(), "a secret was on a host command line: {seen:?}");
    for text in [&o1, &e1, &o2, &e2] {
        assert!(!text.contains(key) && !text.contains(pw), "a secret was printed: {text}");
    }
    assert!(sb.tmp_leftovers().is_empty(), "left in TMPDIR: {:?}", sb.tmp_leftovers());

    let v = read_guests(&[&img], &[key, pw], &[FAKE_LOG]);
    let record = v[0].files.get(FAKE_LOG).expect("the fake subscription-manager was not called");
    assert_eq!(
        record.lines().collect::<Vec<_>>(),
        [
            format!("register --org ACME Lab --activationkey {key}"),
            "remove --all".into(),
            "unregister".into(),
            format!("register --username joe --password {pw}"),
            "attach --auto".into(),
        ]
    );
    assert_eq!(v[0].containing, [FAKE_LOG], "secrets in guest files other than the fake's record");
}

#[test]
fn rhsm_bad_input_and_masked_print_command() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("empty"), "").unwrap();
    std::fs::write(sb.path("key"), "AK-shown-nowhere\n").unwrap();
    let e = sb.path("empty").display().to_string();
    let k = sb.path("key").display().to_string();
    for (arg, want) in [
        ("user=joe".to_string(), "rejviz-customize: --rhsm-register: password-file= is missing\n".to_string()),
        (
            format!("user=joe,password-file={e}"),
            format!("rejviz-customize: --rhsm-register: password-file: {e}: is empty\n"),
        ),
        (
            format!("org=o,activation-key-file={k},user=joe"),
            "rejviz-customize: --rhsm-register: user= and org= (password and activation key) cannot go together\n"
                .into(),
        ),
    ] {
        let (code, stdout, stderr) = customize(&sb, &["-a", "/nonexistent.img", "--rhsm-register", &arg]);
        assert_eq!((code, stdout.as_str(), stderr.as_str()), (2, "", want.as_str()));
    }
    let (code, stdout, stderr) = customize(
        &sb,
        &["-a", "x.img", "--print-command", "--rhsm-register", &format!("org=o,activation-key-file={k}")],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("AK-shown-nowhere"), "{stdout}");
    assert!(stdout.contains("subscription-manager register --org o --activationkey '***'"), "{stdout}");
    assert!(stdout.lines().next().unwrap().contains(" --run ") && stdout.contains("rhsm.sh"), "{stdout}");
    assert!(sb.tmp_leftovers().is_empty());
}
