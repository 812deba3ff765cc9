//! rejviz-install against the real virt-install and a real libvirtd, on isolated test
//! networks. Appliance launches: 2 (end to end: build, peek; install reads the raw image directly) + 0
//! (mappings) + 1 (errors: --reader appliance) + 2 (the lab topology: build, one customize;
//! install, peek and customize --print-command read the raw image directly).

mod common;

use common::{
    CreatedDomain, LIBVIRT_URI, Sandbox, TEMPLATE, TestNetwork, count_launches, images, launches, outcome as out,
    peek_json, test_driver, virsh, xml_interfaces,
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
    let v: serde_json::Value = peek_json(&stdout);
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

/// README's lab example end to end: rejviz-builder makes a VLAN on an active-backup bond
/// over two NICs (plus a plain NIC); rejviz-install attaches the three NICs (never the bond
/// or the VLAN) with their MACs, the members by the VLAN's subnet or by the bond's name;
/// rejviz-peek shows the tree and --check pairs the members with the domain's interfaces;
/// rejviz-customize refuses to remove half the topology and removes all of it, companion
/// route file included. Appliance launches: 2 (the build, the one customize run).
#[test]
fn lab_topology_builder_install_peek_customize() {
    let sb = Sandbox::new();
    // Defined, not started: virt-install only prints XML here.
    let net_a = TestNetwork::new("topo-a", "10.232.1.1", 24, false, false);
    let net_b = TestNetwork::new("topo-b", "10.232.7.1", 24, false, false);
    let img = sb.path("out/lab.img");
    let mut cmd = sb.rejviz("rejviz-builder");
    cmd.args([TEMPLATE, "--format", "raw", "-o"]).arg(&img).args([
        "--nic",
        "name=eth0,ipaddr=10.232.1.10",
        "--nic",
        "name=eth1",
        "--nic",
        "name=eth2",
        "--nic",
        "name=bond0,type=bond,members=eth1+eth2,mode=active-backup,miimon=100,primary=eth1,bootproto=none",
        "--nic",
        "name=bond0.100,type=vlan,link=bond0,id=100,ipaddr=10.232.100.5/24,routes=10.232.200.0/24@10.232.100.1,search=lab.example.com",
    ]);
    let counter = count_launches(&sb, &mut cmd);
    let (code, _, stderr) = out(&cmd.output().expect("rejviz-builder"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(launches(&counter), 1, "the build");

    // Each command below reads the raw image directly: no launch.
    let run = |bin: &str, args: &[&str]| {
        let mut cmd = sb.rejviz(bin);
        cmd.args(args);
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!(launches(&counter), 0, "{bin} {args:?}");
        (code, stdout, stderr)
    };
    let image = img.display().to_string();
    let (code, stdout, stderr) = run("rejviz-peek", &["--format", "raw", "-a", &image, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = peek_json(&stdout);
    let nic =
        |name: &str| v["nics"].as_array().and_then(|a| a.iter().find(|n| n["name"] == name)).cloned().expect(name);
    let mac = |name: &str| nic(name)["hwaddr"].as_str().expect("hwaddr").to_string();
    let (m0, m1, m2) = (mac("eth0"), mac("eth1"), mac("eth2"));
    assert_eq!(nic("bond0")["members"], serde_json::json!(["eth1", "eth2"]));
    assert_eq!(
        (&nic("bond0")["bond"]["mode"], &nic("bond0")["bond"]["primary"]),
        (&"active-backup".into(), &"eth1".into())
    );
    assert_eq!((&nic("bond0.100")["link"], &nic("bond0.100")["id"]), (&"bond0".into(), &100.into()));
    assert_eq!(nic("eth1")["master"], "bond0");
    assert_eq!(
        nic("bond0.100")["routes"],
        serde_json::json!([{"to": "10.232.200.0/24", "via": "10.232.100.1", "onlink": false}])
    );
    assert_eq!(nic("bond0.100")["search"], serde_json::json!(["lab.example.com"]));

    // The tree: members under their bond, the VLAN under its link.
    let (code, stdout, stderr) = run("rejviz-peek", &["--format", "raw", "-a", &image]);
    assert_eq!(code, 0, "{stderr}");
    let f = "/etc/sysconfig/network-scripts/ifcfg-";
    let table = format!(
        "NAME         TYPE                HWADDR             BOOTPROTO  ADDRESS/PREFIX   GATEWAY  DNS  IPV6  MTU  ONBOOT  FILE
bond0        bond:active-backup  -                  none       -                -        -    -     -    yes     {f}bond0
  eth1       ethernet            {m1}  none       -                -        -    -     -    yes     {f}eth1
  eth2       ethernet            {m2}  none       -                -        -    -     -    yes     {f}eth2
  bond0.100  vlan:100            -                  static     10.232.100.5/24  -        -    -     -    yes     {f}bond0.100
eth0         ethernet            {m0}  static     10.232.1.10/24   -        -    -     -    yes     {f}eth0
routes: bond0.100: 10.232.200.0/24 via 10.232.100.1
search: bond0.100: lab.example.com
"
    );
    assert!(stdout.ends_with(&table), "{stdout}");

    let name = format!("rjz-{}-topo", std::process::id());
    let disk = format!("{image},format=raw");
    let install = |extra: &[&str]| {
        let mut args = vec!["--connect", LIBVIRT_URI, "--print-xml", "--import", "--name", &name, "--memory", "128"];
        args.extend(["--virt-type", "qemu", "--disk", &disk]);
        args.extend(extra);
        run("rejviz-install", &args)
    };
    // No network holds the VLAN's subnet yet: the error says what eth1 carries, and which
    // name maps the bond's members by hand.
    let (code, _, stderr) = install(&["--auto-nic-mappings"]);
    assert_eq!(code, 2, "{stderr}");
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with(
            "rejviz-install: eth1 (10.232.100.5/24 on bond0.100): no network's subnet holds this address (networks: "
        ) && last.ends_with("); map it with --nic-mappings bond0=NETWORK"),
        "{stderr}"
    );
    let net_v = TestNetwork::new("topo-v", "10.232.100.1", 24, false, false);
    // Auto: eth0 by its own subnet, the members by the VLAN's; three interfaces, no more.
    let (code, stdout, stderr) = install(&["--auto-nic-mappings"]);
    assert_eq!(code, 0, "{stderr}");
    let auto = xml_interfaces(&stdout);
    assert_eq!(
        auto,
        [(m0.clone(), net_a.name.clone()), (m1.clone(), net_v.name.clone()), (m2.clone(), net_v.name.clone())]
    );
    // By hand: the bond's name maps both members.
    let (code, stdout, stderr) = install(&["--nic-mappings", &format!("bond0={},eth0={}", net_b.name, net_a.name)]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        xml_interfaces(&stdout),
        [(m0.clone(), net_a.name.clone()), (m1.clone(), net_b.name.clone()), (m2.clone(), net_b.name.clone())]
    );
    let (code, _, stderr) = install(&["--nic-mappings", &format!("bond0={},eth2={}", net_b.name, net_a.name)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.ends_with(&format!(
            "rejviz-install: eth2 is mapped twice: to network {} through bond0 and to network {} through eth2\n",
            net_b.name, net_a.name
        )),
        "{stderr}"
    );
    assert!(!virsh(&["list", "--all", "--name"]).lines().any(|l| l.trim() == name));

    // The domain the auto mapping made (as libvirt's test driver holds it): the members and
    // eth0 claim its three interfaces; the bond and the VLAN claim none and are no problem.
    let ifaces: Vec<(&str, &str)> = auto.iter().map(|(m, n)| (m.as_str(), n.as_str())).collect();
    let uri = test_driver(&sb, &[("topo", &img, "raw", &ifaces)], &[]);
    let (code, stdout, stderr) = run("rejviz-peek", &["-c", &uri, "-d", "topo", "--check"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for (m, net, config) in [(&m0, &net_a.name, "eth0"), (&m1, &net_v.name, "eth1"), (&m2, &net_v.name, "eth2")] {
        assert!(stdout.contains(&format!("{m}  network  {net}  virtio  {config}\n")), "{stdout}");
    }
    assert!(stdout.contains("check: OK"), "{stdout}");

    // A guest NIC named as a member is written again as one, pinned to its MAC.
    let (code, stdout, stderr) = run(
        "rejviz-customize",
        &[
            "--format",
            "raw",
            "-a",
            &image,
            "--print-command",
            "--nic",
            "name=br0,type=bridge,members=eth0,ipaddr=10.232.1.10/24",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "rejviz-customize: eth0 ({f}eth0) becomes a member of br0: its config is written again, pinned to {m0}, with no address of its own\n"
        )),
        "{stderr}"
    );
    assert!(stdout.contains(&format!("\nBOOTPROTO=none\nHWADDR={m0}\nBRIDGE=br0\n")), "{stdout}");

    // Removing half the topology is refused before anything runs; all of it goes, route
    // file included.
    let (code, stdout, stderr) = run("rejviz-customize", &["--format", "raw", "-a", &image, "--nic-remove", "bond0"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert_eq!(
        stderr,
        "rejviz-customize: --nic-remove bond0: its members eth1, eth2 would stay, configured as members of a bond \
         that is gone; remove them too (--nic-remove eth1 --nic-remove eth2) or write them again (--nic name=...)\n"
    );
    let all = ["--nic-remove", "bond0", "--nic-remove", "eth1", "--nic-remove", "eth2"];
    let (code, _, stderr) = run("rejviz-customize", &[&["--format", "raw", "-a", &image][..], &all].concat());
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("--nic-remove bond0: VLAN bond0.100 would stay, running on a link that is gone"),
        "{stderr}"
    );
    let mut cmd = sb.rejviz("rejviz-customize");
    cmd.args(["--format", "raw", "-a", &image]).args(all).args(["--nic-remove", "bond0.100"]);
    let counter = count_launches(&sb, &mut cmd);
    let (code, _, stderr) = out(&cmd.output().expect("rejviz-customize"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(launches(&counter), 1, "virt-customize's own");
    let log = stderr.lines().find(|l| l.starts_with("rejviz-customize: running: virt-customize ")).expect("log");
    for gone in ["ifcfg-bond0", "ifcfg-bond0.100", "route-bond0.100", "ifcfg-eth1", "ifcfg-eth2"] {
        assert!(log.contains(&format!(" --delete /etc/sysconfig/network-scripts/{gone} ")), "{log}");
    }
    let (code, stdout, stderr) = run("rejviz-peek", &["--format", "raw", "-a", &image, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = peek_json(&stdout);
    let left: Vec<&str> = v["nics"].as_array().expect("nics").iter().filter_map(|n| n["name"].as_str()).collect();
    assert_eq!(left, ["eth0"]);
}
