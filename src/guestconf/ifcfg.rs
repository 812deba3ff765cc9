//! Red Hat `ifcfg` files (`/etc/sysconfig/network-scripts/ifcfg-NAME`), as read by
//! initscripts' `network-functions` (which sources them with the shell) and by
//! NetworkManager's ifcfg-rh plugin (which parses the same shell subset).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net, ipv4_mask_to_prefix};

use super::ReadError;
use super::shellvars;
use super::{ConfiguredNic, Format, GuestFile, LinkKind, Part};
use crate::nic::{
    BondMode, BondOptions, Ipv4Config, Ipv6Config, MacAddr, MaskStyle, Master, MasterKind, Nic, NicKind, Route,
    StaticWord, validate_ifname,
};

pub const DIR: &str = "/etc/sysconfig/network-scripts";

/// Path of the config of interface `name`.
pub fn path(name: &str) -> String {
    format!("{DIR}/ifcfg-{name}")
}

/// The ifcfg file for `nic`, mode 0644 (initscripts and NetworkManager read it as root,
/// but tools such as `ifup` as a user and `nmcli` expect it world-readable), and its
/// `route-NAME`/`route6-NAME` files when it has static routes.
pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let mut s = String::from("# Written by rejviz\n");
    let mut kv = |k: &str, v: &str| {
        // Infallible: writing to a String.
        let _ = writeln!(s, "{k}={}", quote(v));
    };
    kv("DEVICE", &nic.name);
    kv("NAME", &nic.name);
    kv(
        "TYPE",
        match nic.kind {
            NicKind::Ethernet => "Ethernet",
            NicKind::Vlan(_) => "Vlan",
            NicKind::Bond(_) => "Bond",
            NicKind::Bridge(_) => "Bridge",
        },
    );
    kv("ONBOOT", if nic.onboot { "yes" } else { "no" });
    match &nic.ipv4 {
        Ipv4Config::Dhcp => kv("BOOTPROTO", "dhcp"),
        Ipv4Config::NoAddress => kv("BOOTPROTO", "none"),
        Ipv4Config::Static(st) => kv(
            "BOOTPROTO",
            match st.word {
                StaticWord::Static => "static",
                StaticWord::None => "none",
            },
        ),
    }
    if let Some(mac) = nic.hwaddr {
        kv("HWADDR", &mac.to_string());
    }
    match &nic.kind {
        NicKind::Ethernet => {}
        NicKind::Vlan(v) => {
            kv("VLAN", "yes");
            kv("PHYSDEV", &v.link);
            kv("VLAN_ID", &v.id.to_string());
        }
        NicKind::Bond(b) => {
            kv("BONDING_MASTER", "yes");
            kv("BONDING_OPTS", &bonding_opts(&b.options));
        }
        NicKind::Bridge(b) => kv("STP", if b.stp { "yes" } else { "no" }),
    }
    match &nic.master {
        None => {}
        Some(Master { name, kind: MasterKind::Bond, .. }) => {
            kv("MASTER", name);
            kv("SLAVE", "yes");
        }
        Some(Master { name, kind: MasterKind::Bridge, .. }) => kv("BRIDGE", name),
    }
    if let Ipv4Config::Static(st) = &nic.ipv4 {
        kv("IPADDR", &st.address().to_string());
        match st.mask_style {
            MaskStyle::Prefix => kv("PREFIX", &st.prefix().to_string()),
            MaskStyle::Netmask => kv("NETMASK", &st.netmask().to_string()),
        }
        kv("NETWORK", &st.network().to_string());
        kv("BROADCAST", &st.broadcast().to_string());
        if let Some(gw) = st.gateway {
            kv("GATEWAY", &gw.to_string());
        }
    }
    for (i, dns) in nic.dns.iter().enumerate() {
        kv(&format!("DNS{}", i + 1), &dns.to_string());
    }
    if !nic.search.is_empty() {
        kv("DOMAIN", &nic.search.join(" "));
    }
    if let Some(mtu) = nic.mtu {
        kv("MTU", &mtu.to_string());
    }
    match &nic.ipv6 {
        None => {}
        Some(Ipv6Config::Auto) => {
            kv("IPV6INIT", "yes");
            kv("IPV6_AUTOCONF", "yes");
        }
        // DHCPv6 gives addresses, not routes: router advertisements stay accepted
        // (IPV6_AUTOCONF's default), as in the other formats and cloud-init's renderer.
        Some(Ipv6Config::Dhcp) => {
            kv("IPV6INIT", "yes");
            kv("DHCPV6C", "yes");
        }
        Some(Ipv6Config::Static { addr, gateway }) => {
            kv("IPV6INIT", "yes");
            kv("IPV6_AUTOCONF", "no");
            kv("IPV6ADDR", &addr.to_string());
            if let Some(gw) = gateway {
                kv("IPV6_DEFAULTGW", &gw.to_string());
            }
        }
    }
    let mut files = vec![GuestFile { path: path(&nic.name), mode: 0o644, content: s }];
    // One `ip route add` argument list a line, as initscripts' ifup-routes and NetworkManager
    // read them (`dev` is needed for onlink; the line is split into words, never evaluated).
    for (v6, file) in [(false, route_path(&nic.name, false)), (true, route_path(&nic.name, true))] {
        let lines: String = nic
            .routes
            .iter()
            .filter(|r| r.via.is_ipv6() == v6)
            .map(|r| format!("{} via {} dev {}{}\n", r.to, r.via, nic.name, if r.onlink { " onlink" } else { "" }))
            .collect();
        if !lines.is_empty() {
            files.push(GuestFile { path: file, mode: 0o644, content: format!("# Written by rejviz\n{lines}") });
        }
    }
    Ok(files)
}

/// `BONDING_OPTS`: the bonding driver's own `key=value` options.
fn bonding_opts(o: &BondOptions) -> String {
    let mut v = vec![format!("mode={}", o.mode)];
    if let Some(m) = o.miimon {
        v.push(format!("miimon={m}"));
    }
    if let Some(p) = &o.primary {
        v.push(format!("primary={p}"));
    }
    if let Some(r) = o.lacp_rate {
        v.push(format!("lacp_rate={r}"));
    }
    if let Some(x) = o.xmit_hash_policy {
        v.push(format!("xmit_hash_policy={x}"));
    }
    v.join(" ")
}

/// [`BONDING_OPTS`]'s options, as the driver reads them (names or numbers).
fn read_bonding_opts(v: &str) -> Result<BondOptions, ReadError> {
    let mut o = BondOptions::new(BondMode::BalanceRr);
    let bad = |what| ReadError::value("BONDING_OPTS", v, what);
    for item in v.split_whitespace() {
        let Some((k, val)) = item.split_once('=') else { continue };
        match k {
            "mode" => o.mode = val.parse().map_err(|_| bad("bonding options with a known mode"))?,
            "miimon" => o.miimon = Some(val.parse().map_err(|_| bad("bonding options with a numeric miimon"))?),
            "primary" => o.primary = Some(val.to_string()),
            "lacp_rate" => o.lacp_rate = Some(val.parse().map_err(|_| bad("bonding options with a known lacp_rate"))?),
            "xmit_hash_policy" => {
                o.xmit_hash_policy =
                    Some(val.parse().map_err(|_| bad("bonding options with a known xmit_hash_policy"))?)
            }
            _ => {}
        }
    }
    Ok(o)
}

/// Path of the `route-NAME` (`route6-NAME`) file of interface `name`.
pub fn route_path(name: &str, v6: bool) -> String {
    format!("{DIR}/route{}-{name}", if v6 { "6" } else { "" })
}

/// The interface name of a `route-NAME` or `route6-NAME` file name.
pub fn route_name(file_name: &str) -> Option<&str> {
    let name = file_name.strip_prefix("route-").or_else(|| file_name.strip_prefix("route6-"))?;
    if super::has_backup_suffix(name) || validate_ifname(name).is_err() {
        return None;
    }
    Some(name)
}

/// What a `route-NAME`/`route6-NAME` file says (a [`Part::Routes`] of the interface): either
/// `ip route` argument lines (`DEST via GW [dev D] [onlink] ...`, `default via GW`) or the
/// older `ADDRESSn=`/`NETMASKn=`/`GATEWAYn=` variables.
pub fn read_routes(path: &str, name: &str, content: &str) -> Result<ConfiguredNic, ReadError> {
    let mut c = ConfiguredNic::new(name, path, Format::Ifcfg);
    // Default routes too: the merge makes them the gateway of their family.
    c.part = Part::Routes;
    let is_vars = content.lines().any(|l| l.trim_start().starts_with("ADDRESS") && l.contains('='));
    if is_vars {
        let vars = shellvars::parse(content)?;
        for i in 0..256 {
            let key = |k: &str| format!("{k}{i}");
            let Some(a) = shellvars::get(&vars, &key("ADDRESS")) else { break };
            let a: Ipv4Addr = a.parse().map_err(|_| ReadError::value(key("ADDRESS"), a, "an IPv4 address"))?;
            let prefix = match shellvars::get(&vars, &key("NETMASK")) {
                Some(m) => m
                    .parse()
                    .ok()
                    .and_then(|m| ipv4_mask_to_prefix(m).ok())
                    .ok_or_else(|| ReadError::value(key("NETMASK"), m, "a contiguous netmask"))?,
                None => 32,
            };
            let Some(g) = shellvars::get(&vars, &key("GATEWAY")) else { continue };
            let g: Ipv4Addr = g.parse().map_err(|_| ReadError::value(key("GATEWAY"), g, "an IPv4 address"))?;
            let to = Ipv4Net::new(a, prefix).map_err(|_| ReadError::value(key("NETMASK"), "", "a prefix"))?;
            c.routes.push(Route { to: to.into(), via: g.into(), onlink: false });
        }
    } else {
        for line in content.lines() {
            let line = line.split('#').next().unwrap_or("");
            let words: Vec<&str> = line.split_whitespace().collect();
            let Some(dest) = words.first() else { continue };
            let Some(via) = words.iter().position(|w| *w == "via").and_then(|i| words.get(i + 1)) else { continue };
            let via: IpAddr = via.parse().map_err(|_| ReadError::value("via", *via, "an IP address"))?;
            let to = parse_dest(dest, via.is_ipv6()).ok_or_else(|| ReadError::value("route", *dest, "a network"))?;
            c.routes.push(Route { to, via, onlink: words.contains(&"onlink") });
        }
    }
    Ok(c)
}

/// A route destination as `ip route` takes it: `default`, `NET/PREFIX` or a host address.
pub(crate) fn parse_dest(dest: &str, v6: bool) -> Option<IpNet> {
    if dest == "default" {
        return Some(if v6 { IpNet::V6(ipnet::Ipv6Net::default()) } else { IpNet::V4(Ipv4Net::default()) });
    }
    dest.parse::<IpNet>().ok().or_else(|| dest.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A value for a file that `sh` sources (and NetworkManager's ifcfg reader reads).
fn quote(v: &str) -> String {
    crate::shell::quote(v).into_owned()
}

/// Why `name` cannot name an ifcfg config, if it cannot. The file quotes every value that
/// needs it (see [`quote`]), so the file itself can carry any name `validate_ifname` accepts, non-ASCII
/// included (no `.link` file is involved); but initscripts use `$DEVICE` unquoted, where `*`,
/// `?` and `[` are glob patterns (matched in the network-scripts folder they run in; refused
/// for every format by `guestconf::name_problem`), pass it as an argument to commands
/// (`dhclient`, `arping`) that would read a leading `-` as an option, and `ifcfg-NAME` is
/// skipped as a backup when NAME ends like one.
pub fn name_problem(name: &str) -> Option<String> {
    if name.starts_with('-') {
        return Some("a leading '-': initscripts' commands (dhclient, arping) would read the name as an option".into());
    }
    // NetworkManager's ifcfg-rh plugin also skips these three.
    if let Some(s) = super::BACKUP_SUFFIXES.iter().find(|s| name.ends_with(*s)) {
        return Some(format!("it ends in '{s}', and ifcfg-NAME files ending so are skipped as backups"));
    }
    None
}

/// The interface name of `file_name` (a name in [`DIR`]) when it is an interface config:
/// `ifcfg-NAME` with a valid interface name, not a backup.
pub fn config_name(file_name: &str) -> Option<&str> {
    let name = file_name.strip_prefix("ifcfg-")?;
    if super::has_backup_suffix(name) || validate_ifname(name).is_err() {
        return None;
    }
    Some(name)
}

/// What the ifcfg file at guest path `path` configures. Read as data: see [`shellvars`].
pub fn read(path: &str, content: &str) -> Result<ConfiguredNic, ReadError> {
    let vars = shellvars::parse(content)?;
    let get = |k: &str| shellvars::get(&vars, k).filter(|v| !v.is_empty());
    // NetworkManager writes numbered keys (IPADDR0, PREFIX0, GATEWAY0); initscripts plain ones.
    let get_n = |k: &'static str| -> Option<(&'static str, &str)> {
        get(k).map(|v| (k, v)).or_else(|| {
            let k0: &'static str = match k {
                "IPADDR" => "IPADDR0",
                "PREFIX" => "PREFIX0",
                "NETMASK" => "NETMASK0",
                "GATEWAY" => "GATEWAY0",
                _ => return None,
            };
            get(k0).map(|v| (k0, v))
        })
    };
    let bad = |key: &'static str, value: &str, what: &'static str| ReadError::value(key, value, what);
    let ip = |key: &'static str, v: &str| v.parse::<Ipv4Addr>().map_err(|_| bad(key, v, "an IPv4 address"));

    let file_name = path.rsplit('/').next().unwrap_or(path);
    let name = get("DEVICE")
        .map(str::to_string)
        .or_else(|| config_name(file_name).map(str::to_string))
        .unwrap_or_else(|| file_name.trim_start_matches("ifcfg-").to_string());
    let yes = |k: &str| get(k).is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    let kind = match get("TYPE") {
        _ if name == "lo" => LinkKind::Loopback,
        _ if yes("VLAN") => LinkKind::Vlan,
        _ if yes("BONDING_MASTER") => LinkKind::Bond,
        None => LinkKind::Ethernet,
        Some(t) => LinkKind::from_word(t),
    };
    let hwaddr = get("HWADDR")
        .map(|v| v.parse::<MacAddr>().map_err(|_| bad("HWADDR", v, "a unicast MAC address")))
        .transpose()?;
    let address = get_n("IPADDR").map(|(k, v)| ip(k, v)).transpose()?;
    let prefix = match (get_n("PREFIX"), get_n("NETMASK")) {
        (Some((k, p)), _) => {
            Some(p.parse::<u8>().ok().filter(|p| *p <= 32).ok_or_else(|| bad(k, p, "a prefix length"))?)
        }
        (None, Some((k, m))) => Some(ipv4_mask_to_prefix(ip(k, m)?).map_err(|_| bad(k, m, "a contiguous netmask"))?),
        (None, None) => None,
    };
    let ipv4 = match address {
        // As NetworkManager does without PREFIX or NETMASK: the address class's prefix.
        Some(a) => Some(
            Ipv4Net::new(a, prefix.unwrap_or_else(|| classful_prefix(a))).map_err(|_| bad("PREFIX", "", "in range"))?,
        ),
        None => None,
    };
    let gateway = get_n("GATEWAY").map(|(k, v)| ip(k, v)).transpose()?;
    let mut dns = Vec::new();
    for key in ["DNS1", "DNS2", "DNS3"] {
        if let Some(v) = get(key) {
            dns.push(ip(key, v)?);
        }
    }
    let ipv6 = if !yes("IPV6INIT") {
        None
    } else if let Some(a) = get("IPV6ADDR") {
        let addr = a.parse().map_err(|_| bad("IPV6ADDR", a, "an IPv6 ADDR/PREFIX"))?;
        // IPV6_DEFAULTGW may carry %DEVICE.
        let gateway = get("IPV6_DEFAULTGW")
            .map(|g| g.split('%').next().unwrap_or(g).parse().map_err(|_| bad("IPV6_DEFAULTGW", g, "an IPv6 address")))
            .transpose()?;
        Some(Ipv6Config::Static { addr, gateway })
    } else if yes("DHCPV6C") {
        Some(Ipv6Config::Dhcp)
    } else if !get("IPV6_AUTOCONF").is_some_and(|v| v.eq_ignore_ascii_case("no")) {
        Some(Ipv6Config::Auto)
    } else {
        None
    };
    let mtu = get("MTU").map(|m| m.parse::<u32>().map_err(|_| bad("MTU", m, "a number"))).transpose()?;
    let mut c = ConfiguredNic::new(&name, path, Format::Ifcfg);
    c.kind = kind;
    c.hwaddr = hwaddr;
    c.bootproto = match get("BOOTPROTO").unwrap_or("none").to_ascii_lowercase().as_str() {
        "dhcp" | "bootp" => super::Bootproto::Dhcp,
        "static" => super::Bootproto::Static,
        "none" => super::Bootproto::None,
        other => super::Bootproto::Other(other.to_string()),
    };
    c.ipv4 = ipv4;
    c.gateway = gateway;
    c.dns = dns;
    c.onboot = !get("ONBOOT").is_some_and(|v| v.eq_ignore_ascii_case("no"));
    c.mtu = mtu;
    c.ipv6 = ipv6;
    // A member names its master: MASTER= (bond, with SLAVE=yes) or BRIDGE=.
    c.master = get("MASTER")
        .filter(|_| !get("SLAVE").is_some_and(|v| v.eq_ignore_ascii_case("no")))
        .or(get("BRIDGE"))
        .map(str::to_string);
    // cloud-init also lists a bond's members on the bond.
    c.members = (0..64).filter_map(|i| get(&format!("BONDING_SLAVE{i}")).map(str::to_string)).collect();
    match &c.kind {
        LinkKind::Vlan => {
            let (link, id) = super::vlan_of_name(&name);
            c.link = get("PHYSDEV").map(str::to_string).or(link);
            c.id = match get("VLAN_ID") {
                Some(v) => Some(v.parse().map_err(|_| bad("VLAN_ID", v, "a VLAN id"))?),
                None => id,
            };
        }
        LinkKind::Bond => c.bond = Some(read_bonding_opts(get("BONDING_OPTS").unwrap_or(""))?),
        LinkKind::Bridge => {
            c.stp = Some(get("STP").is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "yes" | "on")))
        }
        _ => {}
    }
    c.search = get("DOMAIN").map(|d| d.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    Ok(c)
}

fn classful_prefix(a: Ipv4Addr) -> u8 {
    match a.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

/// The ifcfg format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Ifcfg,
    doc: super::FormatDoc {
        bound_by: "`HWADDR=` (initscripts renames the interface by it)",
        notes: "`MTU`, `ONBOOT`, `IPV6INIT`, `IPV6_AUTOCONF`, `DHCPV6C`, `IPV6ADDR`, `IPV6_DEFAULTGW`",
    },
    path,
    name_problem: |n, _| name_problem(n),
    write,
    claims: |p| super::file_in(p, DIR).is_some_and(|n| config_name(n).is_some() || route_name(n).is_some()),
    read: |p, c, _| match super::file_in(p, DIR).and_then(route_name) {
        Some(name) => read_routes(p, name, c).map(|n| vec![n]),
        None => read(p, c).map(|n| vec![n]),
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nic::parse_nics;

    #[test]
    fn config_names() {
        assert_eq!(config_name("ifcfg-eth0"), Some("eth0"));
        assert_eq!(config_name("ifcfg-enp1s0"), Some("enp1s0"));
        assert_eq!(config_name("ifcfg-eth0.100"), Some("eth0.100"));
        for skip in [
            "ifcfg-eth0.bak",
            "ifcfg-eth0~",
            "ifcfg-eth0.rpmnew",
            "ifcfg-eth0.orig",
            "ifcfg-eth0.rpmsave",
            "ifcfg-",
            "ifcfg-eth0:1",
            "ifup-eth",
            "route-eth0",
            "ifcfg-toolongname12345",
        ] {
            assert_eq!(config_name(skip), None, "{skip}");
        }
    }

    #[test]
    fn reads_back_what_it_writes() {
        let nics = parse_nics(&["name=eth0,hwaddr=52:54:00:00:00:01",
                                "name=eth2,hwaddr=52:54:00:00:00:02,ipaddr=10.0.5.7,netmask=255.255.0.0,gateway=10.0.0.1,dns1=10.0.0.2,dns2=10.0.0.3"]).unwrap();
        let r0 = read("/x/ifcfg-eth0", &write(&nics[0]).unwrap()[0].content).unwrap();
        assert_eq!(
            (r0.name.as_str(), r0.bootproto.as_str(), r0.ipv4, r0.kind.clone()),
            ("eth0", "dhcp", None, LinkKind::Ethernet)
        );
        assert_eq!(r0.hwaddr, nics[0].hwaddr);
        let r2 = read("/x/ifcfg-eth2", &write(&nics[1]).unwrap()[0].content).unwrap();
        assert_eq!(r2.ipv4.unwrap().to_string(), "10.0.5.7/16");
        assert_eq!(r2.gateway, Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(r2.dns.len(), 2);
        assert!(r2.onboot);
    }

    #[test]
    fn reads_untidy_files() {
        let f = read(
            "/etc/sysconfig/network-scripts/ifcfg-ens3",
            "# Generated\n\nTYPE=\"Ethernet\"  # quoted\nBOOTPROTO='NONE'\nHWADDR=52:54:00:AB:CD:EF\n\
             IPADDR0=192.168.1.10\nNETMASK0=255.255.255.128\nGATEWAY0=192.168.1.1\nONBOOT=no\n",
        )
        .unwrap();
        assert_eq!(f.name, "ens3");
        assert_eq!(f.bootproto, super::super::Bootproto::None);
        assert_eq!(f.hwaddr.unwrap().to_string(), "52:54:00:ab:cd:ef");
        assert_eq!(f.ipv4.unwrap().to_string(), "192.168.1.10/25");
        assert!(!f.onboot);
        let classful = read("/x/ifcfg-eth9", "IPADDR=10.1.2.3\n").unwrap();
        assert_eq!(classful.ipv4.unwrap().to_string(), "10.1.2.3/8");
        assert_eq!(read("/x/ifcfg-lo", "DEVICE=lo\n").unwrap().kind, LinkKind::Loopback);
        assert_eq!(read("/x/ifcfg-br0", "TYPE=Bridge\n").unwrap().kind, LinkKind::Bridge);
        assert_eq!(read("/x/ifcfg-tun0", "TYPE=Tunnel\n").unwrap().kind, LinkKind::Other("Tunnel".into()));
    }

    #[test]
    fn reports_bad_values() {
        assert_eq!(
            read("/x/ifcfg-a", "HWADDR=zz\n").unwrap_err().to_string(),
            "HWADDR: 'zz' is not a unicast MAC address"
        );
        assert_eq!(
            read("/x/ifcfg-a", "IPADDR=1.2.3\n").unwrap_err().to_string(),
            "IPADDR: '1.2.3' is not an IPv4 address"
        );
        assert_eq!(
            read("/x/ifcfg-a", "IPADDR=1.2.3.4\nPREFIX=40\n").unwrap_err().to_string(),
            "PREFIX: '40' is not a prefix length"
        );
        assert_eq!(read("/x/ifcfg-a", "A='x\n").unwrap_err().to_string(), "line 1: unterminated single quote");
    }

    fn one(spec: &str) -> GuestFile {
        write(&parse_nics(&[spec]).unwrap()[0]).unwrap().remove(0)
    }

    #[test]
    fn dhcp() {
        let f = one("name=eth0,hwaddr=52:54:00:AA:bb:01");
        assert_eq!(f.path, "/etc/sysconfig/network-scripts/ifcfg-eth0");
        assert_eq!(f.mode, 0o644);
        assert_eq!(
            f.content,
            "# Written by rejviz\nDEVICE=eth0\nNAME=eth0\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=dhcp\n\
             HWADDR=52:54:00:aa:bb:01\n"
        );
    }

    #[test]
    fn static_with_inferred_network() {
        let f = one("name=eth1,hwaddr=52:54:00:aa:bb:02,ipaddr=192.168.122.15");
        assert_eq!(
            f.content,
            "# Written by rejviz\nDEVICE=eth1\nNAME=eth1\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=static\n\
             HWADDR=52:54:00:aa:bb:02\nIPADDR=192.168.122.15\nPREFIX=24\nNETWORK=192.168.122.0\n\
             BROADCAST=192.168.122.255\n"
        );
    }

    #[test]
    fn static_full_with_netmask_and_dns() {
        let f = one("name=eth2,hwaddr=52:54:00:aa:bb:03,bootproto=none,ipaddr=10.0.5.7,netmask=255.255.0.0,\
                     gateway=10.0.0.1,dns1=10.0.0.2,dns2=10.0.0.3");
        assert_eq!(
            f.content,
            "# Written by rejviz\nDEVICE=eth2\nNAME=eth2\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=none\n\
             HWADDR=52:54:00:aa:bb:03\nIPADDR=10.0.5.7\nNETMASK=255.255.0.0\nNETWORK=10.0.0.0\n\
             BROADCAST=10.0.255.255\nGATEWAY=10.0.0.1\nDNS1=10.0.0.2\nDNS2=10.0.0.3\n"
        );
    }

    #[test]
    fn quotes_what_the_shell_would_interpret() {
        assert_eq!(quote("eth0"), "eth0");
        assert_eq!(quote("a$b"), "'a$b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("x;reboot"), "'x;reboot'");
        let f = one("name=we$ird,hwaddr=52:54:00:aa:bb:01");
        assert!(f.content.contains("DEVICE='we$ird'\n"));
        assert_eq!(f.path, "/etc/sysconfig/network-scripts/ifcfg-we$ird");
    }
}
