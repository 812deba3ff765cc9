//! Every guest config format on the same NIC set: golden files, a round trip through our
//! own readers, and the real parsers Debian ships where they run offline (netplan generate,
//! ifup --no-act). No appliance.

mod common;

use common::{put, read_back};

use std::process::Command;

use rejviz::guestconf::{self, ConfiguredNic, Format, GuestFile};
use rejviz::nic::{Nic, parse_nics};

/// DHCP; static IPv4 with gateway and DNS; static IPv6; MTU with IPv6 autoconf.
const SET: &[&str] = &[
    "name=eth0,hwaddr=52:54:00:00:00:a0",
    "name=eth1,hwaddr=52:54:00:00:00:a1,ipaddr=192.168.122.15/24,gateway=192.168.122.1,dns1=192.168.122.1,dns2=9.9.9.9",
    "name=eth2,hwaddr=52:54:00:00:00:a2,ipv6=2001:db8:5::7/64,ipv6gw=2001:db8:5::1",
    "name=ens3,hwaddr=52:54:00:00:00:a3,mtu=9000,ipv6=auto",
    "name=ens4,hwaddr=52:54:00:00:00:a4,ipaddr=10.1.2.3/16,ipv6=dhcp",
];

/// A lab topology: a VLAN on a NIC without an address, an active-backup bond, an 802.3ad
/// bond with DHCP, a bridge with the default gateway, a bridge over a VLAN of a bond, a
/// bridge over a VLAN named vlanID (whose netplan file comes before its VLAN's), static
/// routes of both families (one on-link), DNS search domains.
const TOPOLOGY: &[&str] = &[
    "name=eth1,hwaddr=52:54:00:00:01:01,bootproto=none",
    "name=eth1.100,type=vlan,link=eth1,id=100,ipaddr=172.16.100.5/24,mtu=1400",
    "name=eth2,hwaddr=52:54:00:00:01:02",
    "name=eth3,hwaddr=52:54:00:00:01:03",
    "name=bond0,type=bond,members=eth2+eth3,mode=active-backup,miimon=100,primary=eth2,ipaddr=10.0.0.5/24",
    "name=eth4,hwaddr=52:54:00:00:01:04",
    "name=br0,type=bridge,members=eth4,ipaddr=192.168.50.2/24,gateway=192.168.50.1",
    "name=eth5,hwaddr=52:54:00:00:01:05,ipaddr=10.9.0.5/24,ipv6=2001:db8:9::5/64,\
     routes=10.10.0.0/16@10.9.0.1+10.11.0.0/16@10.9.0.2+10.12.0.0/16@192.0.2.1@onlink+2001:db8:a::/48@2001:db8:9::1",
    "name=eth6,hwaddr=52:54:00:00:01:06,dns1=10.0.0.2,search=lab.example.com+example.com",
    "name=eth7,hwaddr=52:54:00:00:01:07",
    "name=eth8,hwaddr=52:54:00:00:01:08",
    "name=bond1,type=bond,members=eth7+eth8,mode=802.3ad,lacp-rate=fast,xmit-hash-policy=layer3+4",
    "name=bond1.20,type=vlan,link=bond1,id=20,bootproto=none",
    "name=br1,type=bridge,members=bond1.20,stp=yes,ipaddr=10.20.0.2/24,search=lab.example.com",
    "name=br2,type=bridge,members=vlan30",
    "name=vlan30,type=vlan,link=eth6,id=30,bootproto=none",
];

fn nics() -> Vec<Nic> {
    parse_nics(SET).expect("NIC set")
}

fn topology() -> Vec<Nic> {
    parse_nics(TOPOLOGY).expect("topology")
}

fn files(format: Format, nics: &[Nic]) -> Vec<GuestFile> {
    nics.iter().flat_map(|n| guestconf::write(n, format).expect("writable")).collect()
}

fn render(files: &[GuestFile]) -> String {
    files.iter().map(|f| format!("=== {} (mode {:04o})\n{}", f.path, f.mode, f.content)).collect()
}

#[test]
fn golden_files_per_format() {
    for format in Format::ALL {
        let both =
            format!("{}\n######## topology\n{}", render(&files(format, &nics())), render(&files(format, &topology())));
        common::golden(&format!("format-{format}.txt"), &both);
    }
}

#[test]
fn round_trip_through_our_readers() {
    let mut set: Vec<String> = SET.iter().map(|s| s.to_string()).collect();
    set.push("name=eth9,hwaddr=52:54:00:00:00:a9,onboot=no".into());
    for format in Format::ALL {
        let nics: Vec<Nic> =
            parse_nics(&set).unwrap().into_iter().filter(|n| n.onboot || format != Format::Netplan).collect();
        let written = files(format, &nics);
        let (mut read, bad) = read_back(&written);
        assert!(bad.is_empty(), "{format}: {bad:?}");
        read.sort_by(|a, b| rejviz::nic::natural_cmp(&a.name, &b.name));
        let mut want: Vec<ConfiguredNic> = nics
            .iter()
            .map(|n| {
                let files = guestconf::write(n, format).unwrap();
                assert_eq!(files[0].path, guestconf::config_path(format, &n.name));
                common::expected(n, format, &files)
            })
            .collect();
        want.sort_by(|a, b| rejviz::nic::natural_cmp(&a.name, &b.name));
        assert_eq!(read, want, "{format}");
    }
}

/// The topology reads back as written, in every format: kinds, members on both sides,
/// VLAN links and ids, bond options, STP, routes and search domains.
#[test]
fn topology_round_trip_through_our_readers() {
    for format in Format::ALL {
        let nics = topology();
        let written = files(format, &nics);
        let (mut read, bad) = read_back(&written);
        assert!(bad.is_empty(), "{format}: {bad:?}");
        read.sort_by(|a, b| rejviz::nic::natural_cmp(&a.name, &b.name));
        let mut want: Vec<ConfiguredNic> =
            nics.iter().map(|n| common::expected(n, format, &guestconf::write(n, format).unwrap())).collect();
        want.sort_by(|a, b| rejviz::nic::natural_cmp(&a.name, &b.name));
        for (r, w) in read.iter().zip(&want) {
            assert_eq!(r, w, "{format} {}", w.name);
        }
        assert_eq!(read.len(), want.len(), "{format}");
    }
}

/// A topology is written in one format; a key a format cannot express is refused naming it.
#[test]
fn topology_refusals_name_the_format() {
    let nics = parse_nics(&["name=eth1", "name=v5,type=vlan,link=eth1,id=5"]).unwrap();
    assert_eq!(
        guestconf::write(&nics[1], Format::Eni).unwrap_err().to_string(),
        "--nic v5: name: eni cannot express the interface name 'v5' (a VLAN named otherwise than eth1.5 or vlan5: \
         ifupdown makes those); choose another format (format= or --nic-format)"
    );
    let nics = parse_nics(&["name=eth1", "name=vlan5,type=vlan,link=eth1,id=5,mtu=9000"]).unwrap();
    assert_eq!(
        guestconf::write(&nics[1], Format::Eni).unwrap_err().to_string(),
        "--nic vlan5: mtu: eni cannot express mtu= on a vlan with DHCP (ifupdown's dhcp method has no mtu); \
         choose another format (format= or --nic-format)"
    );
    let nics = parse_nics(&["name=eth1,format=ifcfg", "name=b,type=bond,members=eth1"]).unwrap();
    assert_eq!(
        guestconf::check_topology_formats(&nics, &[Format::Ifcfg, Format::Keyfile]).unwrap_err().to_string(),
        "--nic eth1: format: eth1 is written as ifcfg and b as keyfile: a topology is written in one format"
    );
}

/// Foreign spellings: the formats' other ways of saying the same (default routes however
/// written, NetworkManager's UUIDs and new key names, net-tools routes, numbered modes).
#[test]
fn topology_read_from_foreign_spellings() {
    let files: &[(&str, &str)] = &[
        (
            "/etc/systemd/network/10-a.network",
            "[Match]\nName=a\n[Network]\nAddress=10.1.0.5/24\nAddress=2001:db8::5/64\n\
             [Route]\nGateway=10.1.0.1\n[Route]\nGateway=2001:db8::1\n[Route]\nDestination=10.7.0.0/16\nGateway=10.1.0.9\n",
        ),
        (
            "/etc/sysconfig/network-scripts/ifcfg-b",
            "DEVICE=b\nBOOTPROTO=none\nIPADDR=10.2.0.5\nPREFIX=24\nIPV6INIT=yes\nIPV6ADDR=2001:db8:2::5/64\n",
        ),
        ("/etc/sysconfig/network-scripts/route-b", "default via 10.2.0.1 dev b\n10.8.0.0/16 via 10.2.0.2\n"),
        ("/etc/sysconfig/network-scripts/route6-b", "default via 2001:db8:2::1 dev b\n"),
        ("/etc/sysconfig/network-scripts/route-c", "ADDRESS0=10.9.0.0\nNETMASK0=255.255.0.0\nGATEWAY0=10.3.0.1\n"),
        ("/etc/sysconfig/network-scripts/ifcfg-c", "DEVICE=c\nIPADDR=10.3.0.5\nPREFIX=24\n"),
        (
            "/etc/NetworkManager/system-connections/bd.nmconnection",
            "[connection]\nid=bd\nuuid=11111111-2222-3333-4444-555555555555\ntype=bond\ninterface-name=bd\n\
             [bond]\nmode=1\n[ipv4]\nmethod=manual\naddress1=10.4.0.5/24\nroute1=0.0.0.0/0,10.4.0.1\n",
        ),
        (
            "/etc/NetworkManager/system-connections/p.nmconnection",
            "[connection]\nid=p\ntype=ethernet\ninterface-name=p\ncontroller=11111111-2222-3333-4444-555555555555\n\
             port-type=bond\n",
        ),
        (
            "/etc/netplan/01.yaml",
            "network:\n  version: 2\n  ethernets:\n    n:\n      addresses: [10.5.0.5/24]\n      routes:\n\
             \x20       - {to: default, via: 10.5.0.1}\n        - {to: 10.6.0.0/16, via: 10.5.0.7, on-link: true}\n",
        ),
        (
            "/etc/network/interfaces",
            "auto e\niface e inet static\n    address 10.6.0.5/24\n    post-up route add -net 10.66.0.0 netmask 255.255.0.0 gw 10.6.0.1 || true\n\
             \x20   up ip route add default via 10.6.0.254\n",
        ),
    ];
    let (read, bad, _) = rejviz::guestconf::configs_in_files(files.iter().map(|(p, c)| (*p, c.as_bytes())));
    assert!(bad.is_empty(), "{bad:?}");
    let by = |n: &str| read.iter().find(|c| c.name == n).unwrap_or_else(|| panic!("{n} in {read:#?}"));
    let routes = |n: &str| by(n).routes.iter().map(|r| r.to_string()).collect::<Vec<_>>();
    assert_eq!(by("a").gateway.map(|g| g.to_string()).as_deref(), Some("10.1.0.1"));
    assert_eq!(by("a").ipv6.and_then(|v| v.gateway()).map(|g| g.to_string()).as_deref(), Some("2001:db8::1"));
    assert_eq!(routes("a"), ["10.7.0.0/16@10.1.0.9"]);
    assert_eq!(by("b").gateway.map(|g| g.to_string()).as_deref(), Some("10.2.0.1"));
    assert_eq!(by("b").ipv6.and_then(|v| v.gateway()).map(|g| g.to_string()).as_deref(), Some("2001:db8:2::1"));
    assert_eq!(routes("b"), ["10.8.0.0/16@10.2.0.2"]);
    assert_eq!(by("b").also.len(), 2);
    assert_eq!(routes("c"), ["10.9.0.0/16@10.3.0.1"]);
    assert_eq!(by("bd").gateway.map(|g| g.to_string()).as_deref(), Some("10.4.0.1"));
    assert_eq!(by("bd").bond.as_ref().map(|o| o.mode.name()), Some("active-backup"));
    assert_eq!(by("bd").members, ["p"]);
    assert_eq!(by("p").master.as_deref(), Some("bd"));
    assert_eq!(by("n").gateway.map(|g| g.to_string()).as_deref(), Some("10.5.0.1"));
    assert_eq!(routes("n"), ["10.6.0.0/16@10.5.0.7@onlink"]);
    assert_eq!(routes("e"), ["10.66.0.0/16@10.6.0.1"]);
    assert_eq!(by("e").gateway.map(|g| g.to_string()).as_deref(), Some("10.6.0.254"));
}

#[test]
fn netplan_refuses_onboot_no() {
    let n = parse_nics(&["name=eth0,onboot=no"]).unwrap();
    let e = guestconf::write(&n[0], Format::Netplan).unwrap_err();
    assert_eq!(
        e.to_string(),
        "--nic eth0: onboot: netplan cannot express onboot=no; choose another format (format= or --nic-format)"
    );
}

/// `netplan generate --root-dir` accepts the files and makes networkd units from them.
#[test]
fn netplan_generate_accepts_them() {
    let dir = tempfile::tempdir().unwrap();
    let nics = nics();
    for f in files(Format::Netplan, &nics) {
        let p = dir.path().join(f.path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &f.content).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(f.mode)).unwrap();
    }
    let out = Command::new("netplan")
        .arg("generate")
        .arg("--root-dir")
        .arg(dir.path())
        .output()
        .expect("netplan (netplan.io)");
    assert!(out.status.success(), "netplan generate: {}", String::from_utf8_lossy(&out.stderr));
    let eth1 = std::fs::read_to_string(dir.path().join("run/systemd/network/10-netplan-eth1.network"))
        .expect("generated eth1");
    for line in [
        "MACAddress=52:54:00:00:00:a1",
        "Name=eth1",
        "Address=192.168.122.15/24",
        "Gateway=192.168.122.1",
        "DNS=9.9.9.9",
    ] {
        assert!(eth1.contains(line), "{line} not in:\n{eth1}");
    }
    let eth2 = std::fs::read_to_string(dir.path().join("run/systemd/network/10-netplan-eth2.network")).unwrap();
    assert!(eth2.contains("Address=2001:db8:5::7/64") && eth2.contains("Gateway=2001:db8:5::1"), "{eth2}");
    let ens3 = std::fs::read_to_string(dir.path().join("run/systemd/network/10-netplan-ens3.link")).unwrap();
    assert!(ens3.contains("MTUBytes=9000"), "{ens3}");
}

/// netplan generate takes the topology and makes networkd's .netdev files and the
/// memberships, routes and search domains of it.
#[test]
fn netplan_generate_accepts_the_topology() {
    let dir = tempfile::tempdir().unwrap();
    for f in files(Format::Netplan, &topology()) {
        put(dir.path(), &f);
    }
    let out = Command::new("netplan").arg("generate").arg("--root-dir").arg(dir.path()).output().expect("netplan");
    assert!(out.status.success(), "netplan generate: {}", String::from_utf8_lossy(&out.stderr));
    let unit = |name: &str| {
        let p = dir.path().join("run/systemd/network").join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let has = |name: &str, lines: &[&str]| {
        let u = unit(name);
        for l in lines {
            assert!(u.lines().any(|x| x == *l), "{l} not in {name}:\n{u}");
        }
    };
    has("10-netplan-bond0.netdev", &["Kind=bond", "Mode=active-backup", "MIIMonitorSec=100ms"]);
    has("10-netplan-bond1.netdev", &["Mode=802.3ad", "LACPTransmitRate=fast", "TransmitHashPolicy=layer3+4"]);
    has("10-netplan-eth1.100.netdev", &["Kind=vlan", "Id=100"]);
    has("10-netplan-br0.netdev", &["Kind=bridge", "STP=false"]);
    has("10-netplan-br1.netdev", &["STP=true"]);
    has("10-netplan-eth1.network", &["VLAN=eth1.100"]);
    has("10-netplan-eth2.network", &["Bond=bond0", "PrimarySlave=true"]);
    has("10-netplan-eth4.network", &["Bridge=br0"]);
    has("10-netplan-bond1.20.network", &["Bridge=br1"]);
    has("10-netplan-br0.network", &["Address=192.168.50.2/24", "Gateway=192.168.50.1"]);
    has(
        "10-netplan-eth5.network",
        &["Destination=10.10.0.0/16", "Gateway=10.9.0.1", "GatewayOnLink=true", "Destination=2001:db8:a::/48"],
    );
    has("10-netplan-eth6.network", &["Domains=lab.example.com example.com"]);
}

/// ifup --no-act -a brings the whole topology up from our files (through the source line),
/// each interface with the commands ifupdown runs itself (the VLAN it makes, addresses,
/// routes); and every option we write for a hook is one that the hooks of ifenslave,
/// bridge-utils and vlan read (IF_OPTION, `-` as `_`).
#[test]
fn ifup_no_act_brings_up_the_topology() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("interfaces.d");
    std::fs::create_dir(&d).unwrap();
    let written = files(Format::Eni, &topology());
    for f in written.iter().filter(|f| f.path.starts_with(guestconf::ENI_DIR)) {
        std::fs::write(d.join(f.path.rsplit('/').next().unwrap()), &f.content).unwrap();
    }
    let main = dir.path().join("interfaces");
    std::fs::write(&main, format!("auto lo\niface lo inet loopback\nsource {}/*\n", d.display())).unwrap();
    let (ok, all) = common::ifup_no_act(&main);
    assert!(ok, "ifup --no-act -a: {all}");
    for n in topology() {
        assert!(all.contains(&format!("configuring interface {0}={0} (inet)", n.name)), "{}: {all}", n.name);
    }
    for line in [
        "ip link add link eth1 name eth1.100 type vlan id 100",
        "ip link add link bond1 name bond1.20 type vlan id 20",
        "configuring interface vlan30=vlan30 (inet)",
        "ip addr add 10.0.0.5/255.255.255.0",
        "ip route add 10.10.0.0/16 via 10.9.0.1 dev eth5",
        "ip route add 10.12.0.0/16 via 192.0.2.1 dev eth5 onlink",
        "ip route add 2001:db8:a::/48 via 2001:db8:9::1 dev eth5",
        "ip route add default via 192.168.50.1",
    ] {
        assert!(all.contains(line), "no {line:?} in:\n{all}");
    }
    // The hooks' variables: ifupdown exports option foo-bar as IF_FOO_BAR.
    let hooks: String = ["/etc/network/if-pre-up.d", "/etc/network/if-up.d", "/etc/network/if-post-down.d"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let builtin = ["address", "gateway", "mtu", "up", "dns-nameservers", "dns-search"];
    for f in written.iter().filter(|f| f.path.starts_with(guestconf::ENI_DIR)) {
        for l in f.content.lines().filter(|l| l.starts_with("    ")) {
            let opt = l.split_whitespace().next().unwrap();
            if builtin.contains(&opt) || opt.starts_with("dns-") {
                continue;
            }
            let var = format!("IF_{}", opt.replace('-', "_").to_ascii_uppercase());
            assert!(hooks.contains(&var), "{opt} ({var}) is read by no hook of ifenslave, bridge-utils or vlan");
        }
    }
}

/// `ifup --no-act` (ifupdown) accepts each stanza file and would run the right commands.
#[test]
fn ifup_no_act_accepts_them() {
    let dir = tempfile::tempdir().unwrap();
    for (n, f) in nics().iter().zip(files(Format::Eni, &nics()).iter().filter(|f| f.path.starts_with("/etc/network"))) {
        let p = dir.path().join(&n.name);
        std::fs::write(&p, &f.content).unwrap();
        let out = Command::new("ifup")
            .args(["--no-act", "--verbose", "--force", "-i"])
            .arg(&p)
            .arg(format!("--state-dir={}", dir.path().display()))
            .arg(&n.name)
            .output()
            .expect("ifup (ifupdown)");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "ifup --no-act {}: {all}", n.name);
        if n.name == "eth1" {
            assert!(
                all.contains("ip addr add 192.168.122.15/255.255.255.0") && all.contains("default via 192.168.122.1"),
                "{all}"
            );
        }
        if n.name == "eth2" {
            assert!(all.contains("2001:db8:5::7/64"), "{all}");
        }
    }
}

/// Kernel-legal names (all pass `validate_ifname`) that some formats cannot carry safely, and
/// which formats take each: one letter per format of `Format::ALL` (Ifcfg Keyfile
/// Netplan Eni Networkd), `.` where the format refuses the name.
const HOSTILE_NAMES: &[(&str, &str)] = &[
    ("eth0", "IKPEN"),
    ("br_0-x", "IKPEN"),
    ("yes", "IKPEN"),
    ("null", "IKPEN"),
    ("0x10", "IKPEN"),
    ("1e5", "IKPEN"),
    ("$(>P1)", "IKP.N"),
    ("`reboot`", "IKP.N"),
    ("a;b", "IKP.N"),
    ("a&b|c>d", "IKP.N"),
    ("a'b", "IKP.N"),
    ("a\"b", "IKP.N"),
    ("\"", "IKP.N"),
    ("'", "IKP.N"),
    ("#x", "IKP.N"),
    ("x #y", "....."), // whitespace: refused by validate_ifname, not in the loop below
    ("{a}", "....."),
    ("a}b", "IKP.N"),
    ("@x", "IKP.N"),
    ("~x", "IKP.N"),
    ("~", ".KP.N"),
    ("a=b", "IKP.N"),
    ("eth0.100", "IKP.N"),
    ("-x", ".KP.N"),
    ("--help", ".KP.N"),
    ("!x", "IK..N"),
    ("e*", "....."),
    ("e?x", "....."),
    ("e[0]", "....."),
    ("a]b", "IK..N"),
    (".x", "I.P.N"),
    ("eth0.bak", ".KP.N"),
    ("eth0~", ".KP.N"),
    ("eth0.rpmnew", ".KP.N"),
    ("a\\b", "....."),
    ("é0", "I...."),
    ("123", "I...."),
    ("all", "I...."),
    ("default", "I...."),
];

/// Each format takes the names the table says, refuses the others with an error naming the
/// format, and every accepted name reads back as the same name.
#[test]
fn hostile_interface_names_per_format() {
    let mut wrong = Vec::new();
    for (i, (name, takes)) in HOSTILE_NAMES.iter().enumerate() {
        let spec = format!("name={name},hwaddr=52:54:00:00:01:{i:02x}");
        let nics = match parse_nics(&[spec.as_str()]) {
            Ok(n) => n,
            Err(e) => {
                assert_eq!(*takes, ".....", "{name:?}: {e}");
                continue;
            }
        };
        for (format, flag) in Format::ALL.into_iter().zip(takes.chars()) {
            match (guestconf::write(&nics[0], format), flag != '.') {
                (Ok(files), true) => {
                    let (read, bad) = read_back(&files);
                    let names: Vec<&str> = read.iter().map(|c| c.name.as_str()).collect();
                    if names != [*name] || !bad.is_empty() || read[0].hwaddr != nics[0].hwaddr {
                        wrong.push(format!("{format} {name:?}: read back as {names:?} {bad:?}"));
                    }
                }
                (Err(e), false) => {
                    let line = e.to_string();
                    let want = format!("--nic {name}: name: {format} cannot express the interface name '{name}' (");
                    let want = want.replace('\\', "\\\\");
                    if !line.starts_with(&want) || !line.ends_with("; choose another format (format= or --nic-format)")
                    {
                        wrong.push(format!("{format} {name:?}: {line}"));
                    }
                }
                (Ok(_), false) => wrong.push(format!("{format} {name:?}: accepted")),
                (Err(e), true) => wrong.push(format!("{format} {name:?}: {e}")),
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn eni_refuses_shell_names() {
    let n = parse_nics(&["name=$(>P1)"]).unwrap();
    assert_eq!(
        guestconf::write(&n[0], Format::Eni).unwrap_err().to_string(),
        "--nic $(>P1): name: eni cannot express the interface name '$(>P1)' ('$': ifupdown hands the name to /bin/sh \
         unquoted; it takes ASCII letters, digits, '_' and '-'); choose another format (format= or --nic-format)"
    );
}

/// The accepted hostile names, checked by the real readers: `sh` sources each ifcfg file and
/// gets DEVICE back; `netplan generate` takes every netplan file and names the NIC in the
/// `.link` it generates.
#[test]
fn hostile_names_through_real_parsers() {
    let accepted = |letter: usize| {
        HOSTILE_NAMES
            .iter()
            .enumerate()
            .filter(move |(_, (_, takes))| takes.as_bytes().get(letter).is_some_and(|b| *b != b'.'))
            .map(|(i, (name, _))| {
                let spec = format!("name={name},hwaddr=52:54:00:00:01:{i:02x}");
                parse_nics(&[spec.as_str()]).unwrap().remove(0)
            })
    };
    let dir = tempfile::tempdir().unwrap();
    for nic in accepted(0) {
        let f = guestconf::write(&nic, Format::Ifcfg).unwrap().remove(0);
        let p = dir.path().join("ifcfg");
        std::fs::write(&p, &f.content).unwrap();
        let out = Command::new("sh").args(["-c", ". \"$1\" && printf %s \"$DEVICE\"", "sh"]).arg(&p).output().unwrap();
        assert!(out.status.success(), "{}: {}", nic.name, String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), nic.name);
    }
    let root = dir.path().join("netplan");
    let nics: Vec<Nic> = accepted(2).collect();
    for nic in &nics {
        for f in guestconf::write(nic, Format::Netplan).unwrap() {
            let p = root.join(f.path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &f.content).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(f.mode)).unwrap();
        }
    }
    let out = Command::new("netplan").arg("generate").arg("--root-dir").arg(&root).output().expect("netplan");
    assert!(out.status.success(), "netplan generate: {}", String::from_utf8_lossy(&out.stderr));
    for nic in &nics {
        let link = root.join(format!("run/systemd/network/10-netplan-{}.link", nic.name));
        let link = std::fs::read_to_string(&link).unwrap_or_else(|e| panic!("{}: {e}", link.display()));
        assert!(link.contains(&format!("\nName={}\n", nic.name)), "{}: {link}", nic.name);
        assert!(link.contains(&format!("MACAddress={}", nic.hwaddr.unwrap())), "{}: {link}", nic.name);
    }
}
