//! The boot tier: real Debian 12 guests, one per network stack (systemd-networkd, ifupdown,
//! NetworkManager, netplan), get their NIC configs from `rejviz-customize` and boot under
//! qemu (TCG) with three virtio NICs; the guest's own `ip`, resolver and hostname say what
//! came up (tests/common/guest.rs).
//!
//! Each stack, three tests:
//! - `explicit_*`: `--nic-format FORMAT`, booted with the NICs in two orders (the same
//!   MACs on other PCI slots, so that MAC binding, not device order, is tested); then
//!   `--sync-macs` and `--nic-remove` after a "clone" to new MACs, and `--nic-reset`.
//!   Appliance launches 5, boots 4.
//! - `auto_*`: the format detected from the guest, with `update-initramfs -u` run after the
//!   configs are written (as every kernel update does: the initramfs then holds whatever
//!   `.link` files it finds), booted in the same two orders. Launches 2, boots 2.
//! - `topology_*`: `--nic-format FORMAT` writes a lab topology (a VLAN on an active-backup
//!   bond of two NICs, a bridge over the third with a static route, a name server and search
//!   domains), booted once with the NICs rotated; the guest's `ip -j -d link`, `ip -j addr`,
//!   `ip -j route` and resolver show each piece. Launches 1, boots 1.

mod common;

use std::path::Path;

use common::guest::{self, LinkWant, Port, Report, Want};
use common::{LIBVIRT_URI, Sandbox, TestDomain, outcome};

// The NICs as written, and as a clone gets them (new MACs).
const A: &str = "52:54:00:b0:07:0a";
const B: &str = "52:54:00:b0:07:0b";
const C: &str = "52:54:00:b0:07:0c";
const A2: &str = "52:54:00:c1:07:0a";
const B2: &str = "52:54:00:c1:07:0b";
const C2: &str = "52:54:00:c1:07:0c";

/// eth0: DHCP (slirp's server answers 10.0.2.15/24; with restrict=on it names no router and
/// no name server) with an MTU.
/// eth1: static IPv4 with a /20 and a gateway, two name servers, static IPv6 with a gateway.
/// eth2: static, but not brought up at boot (netplan cannot say that: there it is up).
fn nic_args(stack: &str) -> Vec<String> {
    let c = if stack == "netplan" { "" } else { ",onboot=no" };
    vec![
        "--nic".into(),
        format!("name=eth0,hwaddr={A},mtu=1400"),
        "--nic".into(),
        format!(
            "name=eth1,hwaddr={B},ipaddr=172.20.16.5/20,gateway=172.20.16.1,dns1=172.20.16.53,dns2=172.20.16.54,\
             ipv6=2001:db8:77::10/64,ipv6gw=2001:db8:77::1"
        ),
        "--nic".into(),
        format!("name=eth2,hwaddr={C},ipaddr=192.168.77.10/24{c}"),
    ]
}

fn wants(stack: &str) -> Vec<Want<'static>> {
    let eth2 = if stack == "netplan" {
        Want { mac: C, name: Some("eth2"), v4: Some("192.168.77.10/24"), ..Want::default() }
    } else {
        Want { mac: C, name: Some("eth2"), bare: true, ..Want::default() }
    };
    vec![
        Want { mac: A, name: Some("eth0"), v4: Some("dhcp:10.0.2.0/24"), mtu: Some(1400), ..Want::default() },
        Want {
            mac: B,
            name: Some("eth1"),
            v4: Some("172.20.16.5/20"),
            gw4: Some("172.20.16.1"),
            v6: Some("2001:db8:77::10/64"),
            gw6: Some("2001:db8:77::1"),
            mtu: Some(1500),
            dns: &["172.20.16.53", "172.20.16.54"],
            ..Want::default()
        },
        eth2,
    ]
}

/// The `--nic-format` of each stack.
fn format(stack: &str) -> &'static str {
    match stack {
        "networkd" => "networkd",
        "ifupdown" => "eni",
        "nm" => "keyfile",
        "netplan" => "netplan",
        other => panic!("unknown stack {other}"),
    }
}

/// NetworkManager gives every NIC without a connection a DHCP one of its own ("Wired
/// connection N"), so on that stack a NIC we left unconfigured is not bare.
fn unconfigured_is_bare(stack: &str) -> bool {
    stack != "nm"
}

/// The two NIC orders: the MACs in slots 3, 4, 5 as named, and rotated so that every NIC
/// sits where the kernel (and the predictable names) would put another one.
fn orders<'a>(macs: [&'a str; 3]) -> [(&'static str, [Port<'a>; 3]); 2] {
    let [a, b, c] = macs;
    [
        ("in order", [Port { mac: a, slot: 3 }, Port { mac: b, slot: 4 }, Port { mac: c, slot: 5 }]),
        ("rotated", [Port { mac: c, slot: 3 }, Port { mac: a, slot: 4 }, Port { mac: b, slot: 5 }]),
    ]
}

fn customize(sb: &Sandbox, label: &str, args: &[String]) -> String {
    let o = sb.rejviz("rejviz-customize").args(args).output().expect("rejviz-customize");
    let (code, _, stderr) = outcome(&o);
    assert_eq!(code, 0, "{label}: rejviz-customize {args:?} failed:\n{stderr}");
    stderr
}

/// Boots `disk` with `ports` and returns its report, or panics naming `label`.
fn boot(sb: &Sandbox, label: &str, disk: &Path, ports: &[Port<'_>]) -> Report {
    let console = sb.path(&format!("out/console-{}.log", label.replace([' ', '/', ','], "_")));
    guest::boot(disk, ports, &console).unwrap_or_else(|e| panic!("{label}: {e}"))
}

/// Panics with every problem found, after all the boots of a test have been looked at.
fn verdict(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// A sandbox with an overlay on `stack`'s guest, and the start of a rejviz-customize command
/// line for it in the stack's format.
fn prepared(stack: &str) -> (Sandbox, std::path::PathBuf, &'static str, Vec<String>) {
    let sb = Sandbox::new();
    let base = guest::guests().join(format!("{stack}.raw"));
    let disk = sb.path("out/guest.qcow2");
    guest::overlay(&base, &disk);
    let fmt = format(stack);
    let args: Vec<String> =
        ["--format", "qcow2", "-a", &disk.display().to_string(), "--nic-format", fmt].map(String::from).to_vec();
    (sb, disk, fmt, args)
}

fn explicit(stack: &str) {
    let (sb, disk, fmt, mut args) = prepared(stack);
    args.extend(nic_args(stack));
    args.extend(["--hostname".to_string(), format!("rejviz-{stack}")]);
    customize(&sb, &format!("{stack}/{fmt}"), &args);

    let mut problems = Vec::new();
    for (order, ports) in orders([A, B, C]) {
        let label = format!("{stack}, --nic-format {fmt}, NICs {order}");
        let r = boot(&sb, &label, &disk, &ports);
        problems.extend(guest::check(&label, &r, &wants(stack)));
        if r.hostname != format!("rejviz-{stack}") {
            problems.push(format!("{label}: hostname {} (wanted rejviz-{stack})", r.hostname));
        }
    }

    // A clone: the domain has new MACs. Sync them, and drop eth1 in the same call.
    let dom = TestDomain::define(
        &format!("boot-{stack}"),
        &disk,
        "qcow2",
        &[(A2, "default"), (B2, "default"), (C2, "default")],
    );
    let label = format!("{stack}, --sync-macs --nic-remove eth1");
    let args: Vec<String> =
        ["-c", LIBVIRT_URI, "-d", &dom.name, "--sync-macs", "--nic-remove", "eth1"].map(String::from).to_vec();
    customize(&sb, &label, &args);
    let bare = unconfigured_is_bare(stack);
    let eth2 = if stack == "netplan" {
        Want { mac: C2, name: Some("eth2"), v4: Some("192.168.77.10/24"), ..Want::default() }
    } else {
        Want { mac: C2, name: Some("eth2"), bare: true, ..Want::default() }
    };
    let wanted = [
        Want { mac: A2, name: Some("eth0"), v4: Some("dhcp:10.0.2.0/24"), mtu: Some(1400), ..Want::default() },
        Want { mac: B2, not_name: Some("eth1"), not_addr: Some("172.20.16.5/20"), bare, ..Want::default() },
        eth2,
    ];
    let [_, (_, ports)] = orders([A2, B2, C2]);
    let r = boot(&sb, &label, &disk, &ports);
    problems.extend(guest::check(&label, &r, &wanted));

    // Reset: only the new eth2 stays configured.
    let label = format!("{stack}, --nic-reset --nic name=eth2");
    let mut args: Vec<String> =
        ["--format", "qcow2", "-a", &disk.display().to_string(), "--nic-reset"].map(String::from).to_vec();
    args.extend(["--nic".to_string(), format!("name=eth2,hwaddr={C2},ipaddr=192.168.88.5/24")]);
    customize(&sb, &label, &args);
    let wanted = [
        Want { mac: A2, not_name: Some("eth0"), bare, ..Want::default() },
        Want { mac: B2, not_name: Some("eth1"), bare, ..Want::default() },
        Want {
            mac: C2,
            name: Some("eth2"),
            v4: Some("192.168.88.5/24"),
            not_addr: Some("192.168.77.10/24"),
            ..Want::default()
        },
    ];
    let [(_, ports), _] = orders([A2, B2, C2]);
    let r = boot(&sb, &label, &disk, &ports);
    problems.extend(guest::check(&label, &r, &wanted));
    verdict(problems);
}

fn auto_regenerated(stack: &str) {
    let sb = Sandbox::new();
    let base = guest::guests().join(format!("{stack}.raw"));
    let disk = sb.path("out/guest.qcow2");
    guest::overlay(&base, &disk);
    let mut args: Vec<String> = ["--format", "qcow2", "-a", &disk.display().to_string()].map(String::from).to_vec();
    args.extend(nic_args(stack));
    args.extend(["--run-command".to_string(), "update-initramfs -u".to_string()]);
    let stderr = customize(&sb, &format!("{stack}/auto"), &args);
    // auto found the guest's own stack: the configs are in its format.
    let want_path = rejviz::guestconf::config_path(format(stack).parse().expect("format"), "eth1");
    assert!(stderr.contains(&format!("{want_path}:")), "{stack}: auto did not write {want_path}:\n{stderr}");

    let mut problems = Vec::new();
    for (order, ports) in orders([A, B, C]) {
        let label = format!("{stack}, auto format, after update-initramfs, NICs {order}");
        let r = boot(&sb, &label, &disk, &ports);
        problems.extend(guest::check(&label, &r, &wants(stack)));
    }
    verdict(problems);
}

// The topology's NICs.
const TA: &str = "52:54:00:d2:07:0a";
const TB: &str = "52:54:00:d2:07:0b";
const TC: &str = "52:54:00:d2:07:0c";

/// A lab topology on the three NICs: eth0 and eth1 in an active-backup bond with MII
/// monitoring, the bond up without an address of its own and a VLAN with a static address on
/// it; eth2 the port of a bridge without spanning tree, which has a static address, a static
/// route via a gateway of its subnet, a name server and two search domains.
fn topology_args() -> Vec<String> {
    [
        format!("name=eth0,hwaddr={TA}"),
        format!("name=eth1,hwaddr={TB}"),
        "name=bond0,type=bond,members=eth0+eth1,mode=active-backup,miimon=100,bootproto=none".to_string(),
        "name=bond0.100,type=vlan,link=bond0,id=100,ipaddr=172.16.100.5/24".to_string(),
        format!("name=eth2,hwaddr={TC}"),
        "name=br0,type=bridge,members=eth2,stp=no,ipaddr=192.168.50.2/24,routes=10.60.0.0/16@192.168.50.1,\
         dns1=192.168.50.53,search=lab.example+example.test"
            .to_string(),
    ]
    .into_iter()
    .flat_map(|v| ["--nic".to_string(), v])
    .collect()
}

/// The topology as the guest must report it.
fn topology_wants() -> [LinkWant<'static>; 6] {
    [
        LinkWant { name: "eth0", mac: Some(TA), master: Some("bond0"), bare: true, ..LinkWant::default() },
        LinkWant { name: "eth1", mac: Some(TB), master: Some("bond0"), bare: true, ..LinkWant::default() },
        LinkWant {
            name: "bond0",
            kind: Some("bond"),
            data: &[("mode", "active-backup"), ("miimon", "100")],
            bare: true,
            ..LinkWant::default()
        },
        LinkWant {
            name: "bond0.100",
            kind: Some("vlan"),
            lower: Some("bond0"),
            data: &[("id", "100")],
            v4: Some("172.16.100.5/24"),
            ..LinkWant::default()
        },
        LinkWant { name: "eth2", mac: Some(TC), master: Some("br0"), bare: true, ..LinkWant::default() },
        LinkWant {
            name: "br0",
            kind: Some("bridge"),
            data: &[("stp_state", "0")],
            v4: Some("192.168.50.2/24"),
            ..LinkWant::default()
        },
    ]
}

fn topology(stack: &str) {
    let (sb, disk, fmt, mut args) = prepared(stack);
    args.extend(topology_args());
    customize(&sb, &format!("{stack}/{fmt}, topology"), &args);

    // Rotated: each NIC in the slot where the kernel would put another, so that the members
    // are found by their MACs.
    let [_, (order, ports)] = orders([TA, TB, TC]);
    let label = format!("{stack}, --nic-format {fmt}, topology, NICs {order}");
    let r = boot(&sb, &label, &disk, &ports);
    let mut problems: Vec<String> = topology_wants().iter().flat_map(|w| w.problems(&r)).collect();
    problems.extend(r.route_problem("10.60.0.0/16", "192.168.50.1", "br0"));
    problems.extend(r.search_problem(&["lab.example", "example.test"]));
    if !r.dns.iter().any(|d| d == "192.168.50.53") {
        problems.push("wanted name server 192.168.50.53 in the resolver".to_string());
    }
    // A hook or unit that failed on the way (ifup@, networking, a wait) would say so here.
    if !r.failed.is_empty() {
        problems.push(format!("failed units: {}", r.failed.join(" ")));
    }
    // What came up, for the record (shown with --nocapture).
    eprintln!("{label}: the guest reported:\n{}", r.summary());
    verdict(guest::labelled(&label, &r, problems));
}

macro_rules! stacks {
    ($($stack:ident),*) => {$(
        mod $stack {
            #[test]
            fn explicit_format_both_orders_then_sync_remove_reset() {
                super::explicit(stringify!($stack));
            }
            #[test]
            fn auto_format_after_update_initramfs_both_orders() {
                super::auto_regenerated(stringify!($stack));
            }
            #[test]
            fn topology_bond_vlan_bridge_route_search() {
                super::topology(stringify!($stack));
            }
        }
    )*};
}

stacks!(networkd, ifupdown, nm, netplan);

/// The main job on a real guest: a local virt-builder repository serves the networkd
/// guest; rejviz-builder bakes three NICs into an image; rejviz-install imports it with
/// `--auto-nic-mappings` onto isolated networks of a private libvirtd (tests/support/labns);
/// libvirt boots it; the guest's report shows each address on the NIC whose MAC the image
/// pinned, and `rejviz-peek --check` agrees. Appliance launches 3, boots 1.
#[test]
fn builder_install_boot_peek_on_a_private_libvirt() {
    let sb = Sandbox::new();
    let repo = guest::guests();
    let img = sb.path("out/flow.img");
    let console = sb.path("out/flow-console.log");
    let o = sb
        .rejviz("rejviz-builder")
        .env("VIRT_BUILDER_DIRS", repo)
        .args(["rejviz-debian12-networkd", "--format", "raw", "--nic-format", "networkd", "--hostname", "flowvm", "-o"])
        .arg(&img)
        .args(["--nic", "name=eth0"])
        .args(["--nic", "name=eth1,ipaddr=10.20.0.5/24,gateway=10.20.0.1"])
        .args(["--nic", "name=eth2,ipaddr=172.20.16.5/20"])
        .output()
        .expect("rejviz-builder");
    let (code, _, stderr) = outcome(&o);
    assert_eq!(code, 0, "rejviz-builder: {stderr}");

    let lab = guest::Lab::start();
    for (name, ip, prefix, dhcp) in [
        ("default", "192.168.150.1", 24, true),
        ("labstatic", "10.20.0.1", 24, false),
        ("labwide", "172.20.16.1", 20, false),
    ] {
        let dhcp = if dhcp { "<dhcp><range start='192.168.150.100' end='192.168.150.200'/></dhcp>" } else { "" };
        let xml = sb.path(&format!("out/net-{name}.xml"));
        let net = format!("<network><name>{name}</name><ip address='{ip}' prefix='{prefix}'>{dhcp}</ip></network>");
        std::fs::write(&xml, net).expect("network xml");
        lab.virsh(&["net-create", &xml.display().to_string()]);
    }
    let mut install = sb.rejviz("rejviz-install");
    install
        .args(["--connect", "qemu:///system", "--import", "--name", "flowvm", "--memory", "1024", "--vcpus", "1"])
        .args(["--virt-type", "qemu", "--graphics", "none", "--noautoconsole", "--auto-nic-mappings"])
        .arg("--disk")
        .arg(format!("{},format=raw", img.display()))
        .arg("--serial")
        .arg(format!("file,path={}", console.display()));
    let o = lab.wrap(&install).output().expect("rejviz-install");
    let (code, _, stderr) = outcome(&o);
    assert_eq!(code, 0, "rejviz-install: {stderr}");

    // The guest powers itself off once it has reported.
    let start = std::time::Instant::now();
    while !lab.virsh(&["domstate", "flowvm"]).contains("shut off") {
        assert!(
            start.elapsed().as_secs() < 420,
            "flowvm did not power off; console:\n{}",
            std::fs::read_to_string(&console).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let report = Report::parse(&String::from_utf8_lossy(&std::fs::read(&console).expect("console")))
        .unwrap_or_else(|e| panic!("flowvm: {e}"));
    let ifaces = common::xml_interfaces(&lab.virsh(&["dumpxml", "flowvm"]));
    let mac_on = |net: &str| {
        ifaces
            .iter()
            .find(|(_, n)| n == net)
            .map(|(m, _)| m.clone())
            .unwrap_or_else(|| panic!("no interface on {net}: {ifaces:?}"))
    };
    let (m0, m1, m2) = (mac_on("default"), mac_on("labstatic"), mac_on("labwide"));
    let wanted = [
        Want { mac: &m0, name: Some("eth0"), v4: Some("dhcp:192.168.150.0/24"), ..Want::default() },
        Want { mac: &m1, name: Some("eth1"), v4: Some("10.20.0.5/24"), gw4: Some("10.20.0.1"), ..Want::default() },
        Want { mac: &m2, name: Some("eth2"), v4: Some("172.20.16.5/20"), ..Want::default() },
    ];
    let mut problems = guest::check("networkd guest via builder and install", &report, &wanted);
    if report.hostname != "flowvm" {
        problems.push(format!("hostname {} (wanted flowvm)", report.hostname));
    }
    verdict(problems);

    let o = lab
        .wrap(sb.rejviz("rejviz-peek").args(["-c", "qemu:///system", "-d", "flowvm", "--check"]))
        .output()
        .expect("peek");
    let (code, stdout, stderr) = outcome(&o);
    assert_eq!(code, 0, "rejviz-peek --check:\n{stdout}{stderr}");
    assert!(stdout.contains("check: OK"), "{stdout}");
}

#[test]
fn report_parser_reads_the_console() {
    let console = "noise\nREJVIZ-REPORT-BEGIN\r\n\
        REJVIZ addr [{\"ifname\":\"eth1\",\"flags\":[\"BROADCAST\",\"UP\"],\"mtu\":1500,\"address\":\"52:54:00:b0:07:0b\",\
        \"addr_info\":[{\"family\":\"inet\",\"local\":\"172.20.16.5\",\"prefixlen\":20,\"scope\":\"global\"},\
        {\"family\":\"inet6\",\"local\":\"fe80::1\",\"prefixlen\":64,\"scope\":\"link\"}]}]\r\n\
        REJVIZ route4 [{\"dst\":\"default\",\"gateway\":\"172.20.16.1\",\"dev\":\"eth1\"}]\n\
        REJVIZ route6 []\n\
        REJVIZ link [{\"ifname\":\"eth1\",\"flags\":[\"UP\"],\"address\":\"52:54:00:b0:07:0b\"},\
        {\"ifname\":\"eth2\",\"flags\":[\"UP\"],\"master\":\"bond0\",\"address\":\"52:54:00:b0:07:0b\",\
        \"permaddr\":\"52:54:00:b0:07:0c\",\"linkinfo\":{\"info_slave_kind\":\"bond\"}},\
        {\"ifname\":\"bond0\",\"flags\":[\"UP\"],\"address\":\"52:54:00:b0:07:0b\",\
        \"linkinfo\":{\"info_kind\":\"bond\",\"info_data\":{\"mode\":\"active-backup\",\"miimon\":100}}},\
        {\"ifname\":\"bond0.7\",\"link\":\"bond0\",\"flags\":[\"UP\"],\"address\":\"52:54:00:b0:07:0b\",\
        \"linkinfo\":{\"info_kind\":\"vlan\",\"info_data\":{\"protocol\":\"802.1Q\",\"id\":7}}}]\n\
        REJVIZ dns 172.20.16.53 10.0.2.3\n\
        REJVIZ search lab.example example.test\n\
        REJVIZ hostname g\n\
        REJVIZ failed \n\
        REJVIZ-REPORT-END\n";
    let r = Report::parse(console).expect("parse");
    let w = Want {
        mac: B,
        name: Some("eth1"),
        v4: Some("172.20.16.5/20"),
        gw4: Some("172.20.16.1"),
        dns: &["172.20.16.53"],
        ..Want::default()
    };
    assert!(w.problems(&r).is_empty(), "{:?}", w.problems(&r));
    // Link-local IPv6 does not count as configured; the IPv4 address does.
    let bare = Want { mac: B, bare: true, ..Want::default() };
    assert_eq!(bare.problems(&r).len(), 1);
    let wrong = Want { mac: B, name: Some("eth0"), gw6: Some("2001:db8::1"), ..Want::default() };
    let p = guest::check("networkd, case", &r, &[wrong]);
    assert!(p[0].starts_with("networkd, case: MAC 52:54:00:b0:07:0b (guest calls it eth1): wanted name eth0"), "{p:?}");
    assert!(p[1].contains("default route via 2001:db8::1"), "{p:?}");
    assert!(Report::parse("REJVIZ-REPORT-BEGIN\nREJVIZ addr [").is_err());

    // ip -j -d link: a member is found by its permanent MAC, with its master; kinds and
    // their data; the search list in order.
    let member = LinkWant { name: "eth2", mac: Some(C), master: Some("bond0"), ..LinkWant::default() };
    assert!(member.problems(&r).is_empty(), "{:?}", member.problems(&r));
    let bond = LinkWant {
        name: "bond0",
        kind: Some("bond"),
        data: &[("mode", "active-backup"), ("miimon", "100")],
        ..LinkWant::default()
    };
    assert!(bond.problems(&r).is_empty(), "{:?}", bond.problems(&r));
    let vlan = LinkWant {
        name: "bond0.7",
        kind: Some("vlan"),
        lower: Some("bond0"),
        data: &[("id", "8")],
        ..LinkWant::default()
    };
    assert_eq!(vlan.problems(&r), ["bond0.7 (guest link bond0.7, MAC 52:54:00:b0:07:0b): id 7 (wanted 8)"]);
    let plain = LinkWant { name: "eth1", mac: Some(B), master: Some("br0"), ..LinkWant::default() };
    assert_eq!(plain.problems(&r), ["eth1 (guest link eth1, MAC 52:54:00:b0:07:0b): master none (wanted br0)"]);
    assert_eq!(r.search_problem(&["lab.example", "example.test"]), None);
    assert!(r.search_problem(&["example.test", "lab.example"]).is_some());
    assert_eq!(r.route_problem("default", "172.20.16.1", "eth1"), None);
    assert!(r.route_problem("10.60.0.0/16", "172.20.16.1", "eth1").is_some());
}
