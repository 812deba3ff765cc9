//! rejviz-install against the real virt-install and a real libvirtd, on isolated test
//! networks. Appliance launches: 2 (end to end: build, peek; install reads the raw image directly) + 0
//! (mappings) + 1 (errors: --reader appliance).

mod common;

use common::{
    CreatedDomain, LIBVIRT_URI, Sandbox, TEMPLATE, TestNetwork, count_launches, images, launches, outcome as out,
    virsh, xml_interfaces,
};

#[test]
fn end_to_end_builder_install_peek() {
    let sb = Sandbox::new();
    let nets = [
        TestNetwork::new("e2e-a", "10.231.1.1", 24, false, true),
        TestNetwork::new("e2e-b", "10.231.2.1", 24, false, true),
        TestNetwork::new("e2e-c", "10.231.3.1", 24, false, true),
    ];
    let img = sb.path("out/e2e.img");
    let (code, _, stderr) = out(&sb
        .rejviz("rejviz-builder")
        .args([TEMPLATE, "--format", "raw", "-o"])
        .arg(&img)
        .args([
            "--nic",
            "name=eth0,ipaddr=10.231.1.10",
            "--nic",
            "name=eth1,ipaddr=10.231.2.10",
            "--nic",
            "name=eth2,ipaddr=10.231.3.10,gateway=10.231.3.1",
        ])
        .output()
        .expect("rejviz-builder"));
    assert_eq!(code, 0, "{stderr}");

    let name = format!("rjz-{}-e2e", std::process::id());
    let _dom = CreatedDomain(name.clone());
    let mut cmd = sb.rejviz("rejviz-install");
    cmd.args(["--connect", LIBVIRT_URI, "--import", "--name", &name, "--memory", "128", "--disk"])
        .arg(format!("{},format=raw", img.display()))
        .args(["--auto-nic-mappings", "--virt-type", "qemu", "--noautoconsole", "--graphics", "none"]);
    let counter = count_launches(&sb, &mut cmd);
    let (code, _, stderr) = out(&cmd.output().expect("rejviz-install"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(launches(&counter), 0, "appliance launches (a raw ext4 image: read directly)");
    assert!(stderr.contains("--osinfo centos7.0"), "{stderr}");

    // The domain's interfaces, from libvirt itself.
    let xml = virsh(&["dumpxml", &name]);
    let ifaces = xml_interfaces(&xml);
    assert!(xml.contains("http://centos.org/centos/7.0"), "osinfo not in domain XML");

    // The image's HWADDRs, read by rejviz-peek (which checks the domain at the same time).
    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-peek")
        .args(["-c", LIBVIRT_URI, "-d", &name, "--check", "--json"])
        .output()
        .expect("rejviz-peek"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["domain"]["active"], true, "virt-install --import starts the domain");
    let image: Vec<(String, String)> = v["nics"]
        .as_array()
        .expect("nics")
        .iter()
        .map(|n| (n["name"].as_str().unwrap().to_string(), n["hwaddr"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(image.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["eth0", "eth1", "eth2"]);
    let want: Vec<(String, String)> =
        image.iter().zip(&nets).map(|((_, mac), net)| (mac.clone(), net.name.clone())).collect();
    assert_eq!(ifaces, want, "domain interfaces (MAC, network) in order");
}

#[test]
fn manual_bridge_mixed_and_dhcp_default_mappings() {
    let sb = Sandbox::new();
    // untidy.raw: eth0 DHCP (52:54:00:aa:00:0a), eth1 192.168.50.10/25 (..0b),
    // eth2 10.20.30.40/16 (..0c), eth10 DHCP without HWADDR, br0 a bridge (not mapped).
    let u1 = TestNetwork::new("map-u1", "192.168.50.1", 25, false, true);
    let x = TestNetwork::new("map-x", "10.233.0.1", 24, false, true);
    // The DHCP rule needs a network named default that serves DHCP. Debian defines one (NAT,
    // never started by tests); on a host without it, an isolated one is defined for the test.
    let have_default = virsh(&["net-list", "--all", "--name"]).lines().any(|l| l.trim() == "default");
    let _default = (!have_default).then(|| TestNetwork::define("default", "192.168.124.1", 24, true, false));
    let bridge = x.bridge();

    let name = format!("rjz-{}-map", std::process::id());
    let mut cmd = sb.rejviz("rejviz-install");
    cmd.args(["--connect", LIBVIRT_URI, "--print-xml", "--import", "--name", &name, "--memory", "128", "--disk"])
        .arg(format!("{},format=raw", images().join("untidy.raw").display()))
        .args(["--virt-type", "qemu", "--nic-mappings"])
        .arg(format!("eth2=bridge:{bridge}"))
        .args(["--auto-nic-mappings", "--nic-mappings"])
        .arg(format!("eth10={}", x.name))
        .arg("--debug");
    let counter = count_launches(&sb, &mut cmd);
    let (code, stdout, stderr) = out(&cmd.output().expect("rejviz-install"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(launches(&counter), 0);
    // virt-install's own --debug: we say which reader read the image too.
    assert!(stderr.lines().any(|l| l == "rejviz-install: read by the direct reader"), "{stderr}");
    let got = xml_interfaces(&stdout);
    let eth10_mac = got.get(3).map(|(m, _)| m.clone()).unwrap_or_default();
    assert_eq!(
        got,
        vec![
            ("52:54:00:aa:00:0a".to_string(), "default".to_string()),
            ("52:54:00:aa:00:0b".to_string(), u1.name.clone()),
            ("52:54:00:aa:00:0c".to_string(), bridge.clone()),
            (eth10_mac.clone(), x.name.clone()),
        ]
    );
    assert!(eth10_mac.starts_with("52:54:00:"), "{eth10_mac}");
    assert!(
        stderr.contains(&format!(
            "eth10's config pins no HWADDR; it gets {eth10_mac} and the guest binds the config by name"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("--osinfo centos7.0"), "{stderr}");
    assert!(stdout.contains("http://centos.org/centos/7.0"));
    // --print-xml is virt-install's: nothing was defined.
    assert!(!virsh(&["list", "--all", "--name"]).lines().any(|l| l.trim() == name));
    // And the command that ran was logged with the --network options where the first mapping stood.
    let log = stderr.lines().find(|l| l.starts_with("rejviz-install: running: virt-install ")).expect("log line");
    assert!(log.contains(&format!("--virt-type qemu --network network=default,mac=52:54:00:aa:00:0a,model=virtio --network network={},mac=52:54:00:aa:00:0b,model=virtio", u1.name)), "{log}");
}

#[test]
fn errors_exit_2_and_virt_install_never_runs() {
    let sb = Sandbox::new();
    // Overlapping subnets (allowed while not started): untidy's eth2 10.20.30.40 is in both.
    let a = TestNetwork::new("err-a", "10.20.30.1", 24, false, false);
    let b = TestNetwork::new("err-b", "10.20.0.1", 16, false, false);
    let inactive = TestNetwork::new("err-off", "10.235.1.1", 24, false, false);
    let untidy = format!("{},format=raw", images().join("untidy.raw").display());
    let name = format!("rjz-{}-err", std::process::id());
    let base = ["--connect", LIBVIRT_URI, "--import", "--name", &name, "--memory", "128", "--virt-type", "qemu"];
    let p = |s: &str| sb.path(s).display().to_string();
    let disk = |extra: &[String]| [vec!["--disk".to_string(), untidy.clone()], extra.to_vec()].concat();
    // (extra args, expected start of the one stderr line, appliance launches)
    let cases: Vec<(Vec<String>, String, usize)> = vec![
        (
            vec!["--auto-nic-mappings".into()],
            "rejviz-install: no --disk: rejviz-install reads the guest from the first --disk".into(),
            0,
        ),
        (
            disk(&["--nic-mappings".into(), "eth0=rjz-no-such-net".into()]),
            "rejviz-install: eth0: no libvirt network named 'rjz-no-such-net' (networks: ".into(),
            0,
        ),
        (
            disk(&["--nic-mappings".into(), "eth0=bridge:rjznobr0".into()]),
            "rejviz-install: eth0: no host bridge named 'rjznobr0'".into(),
            0,
        ),
        (
            disk(&["--nic-mappings".into(), format!("eth0={}", inactive.name)]),
            format!("rejviz-install: eth0: network {0} is not active (start it: virsh net-start {0})", inactive.name),
            0,
        ),
        (
            vec!["--disk".into(), format!("{},format=raw", p("missing.img")), "--auto-nic-mappings".into()],
            format!(
                "rejviz-install: cannot read the image: {}: No such file or directory (os error 2)",
                p("missing.img")
            ),
            0,
        ),
        (
            vec![
                "--connect".into(),
                format!("qemu:///system?socket={}", p("no.sock")),
                "--disk".into(),
                untidy.clone(),
                "--auto-nic-mappings".into(),
            ],
            format!("rejviz-install: cannot connect to libvirt at qemu:///system?socket={}: ", p("no.sock")),
            0,
        ),
        (
            disk(&["--print-xml".into(), "--nic-mappings".into(), format!("eth9={}", a.name)]),
            "rejviz-install: eth9: the image configures no such interface (it has: eth0, eth1, eth2, eth10)".into(),
            0,
        ),
        (
            disk(&[
                "--print-xml".into(),
                "--reader".into(),
                "appliance".into(),
                "--nic-mappings".into(),
                format!("eth9={}", a.name),
            ]),
            "rejviz-install: eth9: the image configures no such interface (it has: eth0, eth1, eth2, eth10)".into(),
            1,
        ),
        (
            disk(&["--reader".into(), "fast".into(), "--auto-nic-mappings".into()]),
            "rejviz-install: --reader: 'fast': not auto, direct or appliance".into(),
            0,
        ),
        (
            disk(&[
                "--print-xml".into(),
                "--nic-mappings".into(),
                format!("eth0={0},eth1={0}", a.name),
                "--auto-nic-mappings".into(),
            ]),
            format!(
                "rejviz-install: eth2 (10.20.30.40/16): more than one network holds this address: {}, {}; map it with --nic-mappings eth2=NETWORK",
                a.name, b.name
            ),
            0,
        ),
    ];
    for (extra, want, want_launches) in cases {
        let mut cmd = sb.rejviz("rejviz-install");
        cmd.args(base).args(&extra);
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!(code, 2, "{extra:?}: {stderr}");
        // One error line, last; only warnings (untidy.raw has two unreadable configs) before it.
        let last = stderr.lines().last().unwrap_or("");
        assert!(last.starts_with(&want), "{extra:?}: {stderr}");
        assert!(
            stderr.lines().rev().skip(1).all(|l| l.starts_with("rejviz-install: warning: ")),
            "{extra:?}: {stderr}"
        );
        assert!(!stderr.contains("running:"), "virt-install ran: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(launches(&counter), want_launches, "{extra:?}");
    }
}

#[test]
fn virt_install_dry_run_and_print_xml_pass_through() {
    let sb = Sandbox::new();
    let name = format!("rjz-{}-pass", std::process::id());
    let disk = format!("{},format=raw", images().join("centos7.raw").display());
    let args = [
        "--connect",
        LIBVIRT_URI,
        "--import",
        "--name",
        &name,
        "--memory",
        "128",
        "--disk",
        &disk,
        "--osinfo",
        "centos7.0",
        "--network",
        "none",
        "--virt-type",
        "qemu",
        "--noautoconsole",
    ];
    // virt-install's own --dry-run: validates, creates nothing, exit 0.
    let (code, _, stderr) = out(&sb.rejviz("rejviz-install").args(args).arg("--dry-run").output().expect("run"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("running: virt-install ") && stderr.contains(" --dry-run"), "{stderr}");
    assert!(!virsh(&["list", "--all", "--name"]).lines().any(|l| l.trim() == name));
    // Ours: prints the command, runs nothing.
    let (code, stdout, _) = out(&sb.rejviz("rejviz-install").args(args).arg("--print-command").output().expect("run"));
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1);
    assert!(
        stdout.starts_with("rejviz-install: would run: virt-install --connect qemu:///system --import"),
        "{stdout}"
    );
    // An exit status of virt-install's own passes through.
    let (code, _, stderr) =
        out(&sb.rejviz("rejviz-install").args(args).arg("--no-such-virt-install-option").output().expect("run"));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unrecognized arguments"), "{stderr}");
}
