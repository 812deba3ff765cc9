//! ifcfg cannot be booted from Debian's packages (no initscripts; NetworkManager's ifcfg-rh
//! plugin is not built there), so each ifcfg file rejviz writes is sourced by a real `sh`,
//! as initscripts does, and what the shell assigns is compared with what the NIC asked for
//! and with what cloud-init's sysconfig renderer (`cloud-init devel net-convert`, an
//! independent implementation) writes for the same NIC.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use rejviz::guestconf::{Format, write};
use rejviz::nic::{Ipv4Config, Ipv6Config, Nic, parse_nics};
use serde_json::json;

/// The boot tier's NICs, and every other shape a NIC can take.
const SET: &[&str] = &[
    "name=eth0,hwaddr=52:54:00:b0:07:0a,mtu=1400",
    "name=eth1,hwaddr=52:54:00:b0:07:0b,ipaddr=172.20.16.5/20,gateway=172.20.16.1,dns1=172.20.16.53,dns2=172.20.16.54,\
     ipv6=2001:db8:77::10/64,ipv6gw=2001:db8:77::1",
    "name=eth2,hwaddr=52:54:00:b0:07:0c,ipaddr=192.168.77.10/24,onboot=no",
    "name=ens3,hwaddr=52:54:00:00:00:a3,mtu=9000,ipv6=auto",
    "name=ens4,hwaddr=52:54:00:00:00:a4,ipaddr=10.1.2.3,netmask=255.255.0.0,ipv6=dhcp,dns1=10.1.0.2",
    "name=lab-net.7,hwaddr=52:54:00:00:00:a5,bootproto=none,ipaddr=10.9.8.6/30",
];

/// What initscripts makes of an ifcfg file's variables (as the shell assigned them): the
/// NIC's name, MAC, IPv4 (`dhcp` or `ADDR/PREFIX`), gateway, DNS, MTU, onboot, and IPv6 as
/// (static address and gateway, DHCPv6, router advertisements).
fn meaning(v: &BTreeMap<String, String>) -> BTreeMap<&'static str, String> {
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let yes = |k: &str, default: bool| match v.get(k).map(|s| s.to_ascii_lowercase()) {
        Some(s) => s == "yes",
        None => default,
    };
    let mut m = BTreeMap::new();
    m.insert("device", get("DEVICE"));
    m.insert("hwaddr", get("HWADDR").to_ascii_lowercase());
    let v4 = match get("BOOTPROTO").as_str() {
        "dhcp" | "bootp" => "dhcp".to_string(),
        _ if v.contains_key("IPADDR") => {
            let prefix = match v.get("PREFIX") {
                Some(p) => p.clone(),
                None => get("NETMASK")
                    .parse::<std::net::Ipv4Addr>()
                    .map(|m| u32::from(m).count_ones().to_string())
                    .unwrap_or_default(),
            };
            format!("{}/{prefix}", get("IPADDR"))
        }
        _ => "none".to_string(),
    };
    m.insert("ipv4", v4);
    m.insert("gateway", get("GATEWAY"));
    m.insert("dns", [get("DNS1"), get("DNS2")].join(" ").trim().to_string());
    m.insert("mtu", get("MTU"));
    m.insert("onboot", yes("ONBOOT", true).to_string());
    let v6 = if !yes("IPV6INIT", false) {
        "off".to_string()
    } else {
        // initscripts: IPV6_AUTOCONF defaults to yes (without IPV6FORWARDING).
        format!(
            "addr={} gw={} dhcpv6={} ra={}",
            get("IPV6ADDR"),
            get("IPV6_DEFAULTGW"),
            yes("DHCPV6C", false),
            yes("IPV6_AUTOCONF", true)
        )
    };
    m.insert("ipv6", v6);
    m
}

/// The same, straight from the NIC model: what was asked for.
fn asked(n: &Nic) -> BTreeMap<&'static str, String> {
    let mut m = BTreeMap::new();
    m.insert("device", n.name.clone());
    m.insert("hwaddr", n.hwaddr.map(|m| m.to_string()).unwrap_or_default());
    let (v4, gw) = match &n.ipv4 {
        Ipv4Config::Dhcp => ("dhcp".to_string(), String::new()),
        Ipv4Config::NoAddress => ("none".to_string(), String::new()),
        Ipv4Config::Static(s) => {
            (format!("{}/{}", s.address(), s.prefix()), s.gateway.map(|g| g.to_string()).unwrap_or_default())
        }
    };
    m.insert("ipv4", v4);
    m.insert("gateway", gw);
    m.insert("dns", n.dns.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" "));
    m.insert("mtu", n.mtu.map(|x| x.to_string()).unwrap_or_default());
    m.insert("onboot", n.onboot.to_string());
    let v6 = match &n.ipv6 {
        None => "off".to_string(),
        Some(Ipv6Config::Auto) => "addr= gw= dhcpv6=false ra=true".to_string(),
        // DHCPv6 gives addresses, not routes: router advertisements stay on, as in the other
        // formats (networkd, netplan, ifupdown and NetworkManager accept them by default).
        Some(Ipv6Config::Dhcp) => "addr= gw= dhcpv6=true ra=true".to_string(),
        Some(Ipv6Config::Static { addr, gateway }) => {
            format!("addr={addr} gw={} dhcpv6=false ra=false", gateway.map(|g| g.to_string()).unwrap_or_default())
        }
    };
    m.insert("ipv6", v6);
    m
}

/// The variables a real `sh` assigns when it sources `file` (as initscripts does).
fn sourced(file: &Path) -> BTreeMap<String, String> {
    const KEYS: &str = "DEVICE HWADDR BOOTPROTO IPADDR PREFIX NETMASK GATEWAY DNS1 DNS2 MTU ONBOOT \
                        IPV6INIT IPV6ADDR IPV6_DEFAULTGW IPV6_AUTOCONF DHCPV6C";
    let script = format!(
        "set -eu; . \"$1\"; for k in {KEYS}; do eval \"s=\\${{$k+set}}\"; \
         if [ \"$s\" = set ]; then eval \"printf '%s=%s\\n' \\\"$k\\\" \\\"\\${{$k}}\\\"\"; fi; done"
    );
    let out = Command::new("/bin/sh").arg("-c").arg(script).arg("sh").arg(file).env_clear().output().expect("sh");
    assert!(out.status.success(), "sh could not source {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// cloud-init network config v1 for `n`.
fn cloud_init_v1(n: &Nic) -> serde_json::Value {
    let mut subnets = Vec::new();
    let control = if n.onboot { "auto" } else { "manual" };
    match &n.ipv4 {
        Ipv4Config::Dhcp => subnets.push(json!({"type": "dhcp4", "control": control})),
        Ipv4Config::NoAddress => {}
        Ipv4Config::Static(s) => {
            let mut sub = json!({"type": "static", "control": control,
                                 "address": format!("{}/{}", s.address(), s.prefix())});
            if let Some(g) = s.gateway {
                sub["gateway"] = json!(g.to_string());
            }
            if !n.dns.is_empty() {
                sub["dns_nameservers"] = json!(n.dns.iter().map(|d| d.to_string()).collect::<Vec<_>>());
            }
            subnets.push(sub);
        }
    }
    match &n.ipv6 {
        None => {}
        Some(Ipv6Config::Auto) => subnets.push(json!({"type": "ipv6_slaac", "control": control})),
        Some(Ipv6Config::Dhcp) => subnets.push(json!({"type": "dhcp6", "control": control})),
        Some(Ipv6Config::Static { addr, gateway }) => {
            let mut sub = json!({"type": "static6", "control": control, "address": addr.to_string()});
            if let Some(g) = gateway {
                sub["gateway"] = json!(g.to_string());
            }
            subnets.push(sub);
        }
    }
    let mut phys =
        json!({"type": "physical", "name": n.name, "mac_address": n.hwaddr.map(|m| m.to_string()), "subnets": subnets});
    if let Some(m) = n.mtu {
        phys["mtu"] = json!(m);
    }
    json!({"network": {"version": 1, "config": [phys]}})
}

#[test]
fn ifcfg_files_mean_what_was_asked_for_in_sh_and_in_cloud_init() {
    let nics = parse_nics(SET).expect("NIC set");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut problems = Vec::new();
    for n in &nics {
        let files = write(n, Format::Ifcfg).expect("ifcfg");
        let [ours] = files.as_slice() else { panic!("one ifcfg file per NIC") };
        let file = dir.path().join(format!("ours-{}", n.name));
        std::fs::write(&file, &ours.content).expect("write");
        let ours_meant = meaning(&sourced(&file));
        if ours_meant != asked(n) {
            problems.push(format!("{}: sh reads our file as\n  {ours_meant:?}\nasked for\n  {:?}", n.name, asked(n)));
        }

        // cloud-init's sysconfig renderer, on the same NIC (YAML is a superset of JSON).
        let input = dir.path().join(format!("{}.json", n.name));
        std::fs::write(&input, cloud_init_v1(n).to_string()).expect("write");
        let outdir = dir.path().join(format!("ci-{}", n.name));
        let o = Command::new("cloud-init")
            .args(["devel", "net-convert", "-k", "yaml", "-D", "rhel", "-O", "sysconfig", "-p"])
            .arg(&input)
            .arg("-d")
            .arg(&outdir)
            .output()
            .expect("cloud-init (Debian package cloud-init)");
        assert!(o.status.success(), "cloud-init net-convert: {}", String::from_utf8_lossy(&o.stderr));
        let theirs = outdir.join(format!("etc/sysconfig/network-scripts/ifcfg-{}", n.name));
        let theirs_meant = meaning(&sourced(&theirs));
        if theirs_meant != ours_meant {
            problems.push(format!(
                "{}: cloud-init's file means\n  {theirs_meant:?}\nours\n  {ours_meant:?}\ncloud-init wrote:\n{}",
                n.name,
                std::fs::read_to_string(&theirs).unwrap_or_default()
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
