//! Every guest config format on the same NIC set: golden files, a round trip through our
//! own readers, and the real parsers Debian ships where they run offline (netplan generate,
//! ifup --no-act). No appliance.

mod common;

use common::read_back;

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

fn nics() -> Vec<Nic> {
    parse_nics(SET).expect("NIC set")
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
        common::golden(&format!("format-{format}.txt"), &render(&files(format, &nics())));
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
