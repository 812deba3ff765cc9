//! systemd-networkd: `/etc/systemd/network/50-rejviz-NAME.network`, matched by MAC, and a
//! `.link` file that gives the interface its name.

use super::ReadError;
use super::ini::Ini;
use super::link::{self, LinkMap};
use super::{ConfiguredNic, Format, GuestFile, LinkKind, NETWORKD_DIR, Part};
use crate::nic::{BondMode, BondOptions, Ipv4Config, Ipv6Config, MacAddr, MasterKind, Nic, NicKind};
use std::net::IpAddr;

pub fn path(name: &str) -> String {
    format!("{NETWORKD_DIR}/50-rejviz-{name}.network")
}

/// Why `name` cannot name a networkd NIC, if it cannot: the `.link` file's rules only. The
/// `.network` file matches the MAC, so the name is never a `[Match] Name=` glob; in the
/// `.link` file, `[Link] Name=` is a plain name.
pub fn name_problem(name: &str) -> Option<String> {
    link::name_problem(name)
}

/// Path of the `.netdev` file that makes a VLAN, bond or bridge.
pub fn netdev_path(name: &str) -> String {
    format!("{NETWORKD_DIR}/50-rejviz-{name}.netdev")
}

/// The `.network` file for `nic`, the `.netdev` that makes a VLAN, bond or bridge, and the
/// `.link` that names an Ethernet NIC. An Ethernet NIC in a topology (a member, or a VLAN's
/// link) is matched by its permanent MAC: its bond, its VLANs (and, once enslaved, the other
/// members) carry the same current MAC, and would match a `MACAddress=` too.
pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let mut s = String::from("# Written by rejviz\n[Match]\n");
    match nic.hwaddr {
        Some(mac) if nic.master.is_some() || !nic.vlans.is_empty() => {
            s.push_str(&format!("PermanentMACAddress={mac}\n"));
        }
        Some(mac) => s.push_str(&format!("MACAddress={mac}\n")),
        None => s.push_str(&format!("Name={}\n", nic.name)),
    }
    let mut link_sec = String::new();
    if let Some(mtu) = nic.mtu {
        link_sec.push_str(&format!("MTUBytes={mtu}\n"));
    }
    if !nic.onboot {
        link_sec.push_str("ActivationPolicy=manual\n");
    }
    if !link_sec.is_empty() {
        s.push_str(&format!("\n[Link]\n{link_sec}"));
    }
    s.push_str("\n[Network]\n");
    let v4_dhcp = nic.ipv4 == Ipv4Config::Dhcp;
    let v6_dhcp = nic.ipv6 == Some(Ipv6Config::Dhcp);
    match (v4_dhcp, v6_dhcp) {
        (true, true) => s.push_str("DHCP=yes\n"),
        (true, false) => s.push_str("DHCP=ipv4\n"),
        (false, true) => s.push_str("DHCP=ipv6\n"),
        (false, false) => {}
    }
    if let Ipv4Config::Static(st) = &nic.ipv4 {
        s.push_str(&format!("Address={}/{}\n", st.address(), st.prefix()));
        if let Some(gw) = st.gateway {
            s.push_str(&format!("Gateway={gw}\n"));
        }
    }
    match &nic.ipv6 {
        Some(Ipv6Config::Static { addr, gateway }) => {
            s.push_str(&format!("Address={addr}\n"));
            if let Some(gw) = gateway {
                s.push_str(&format!("Gateway={gw}\n"));
            }
            s.push_str("IPv6AcceptRA=no\n");
        }
        Some(Ipv6Config::Auto) => s.push_str("IPv6AcceptRA=yes\n"),
        Some(Ipv6Config::Dhcp) | None => {}
    }
    for d in &nic.dns {
        s.push_str(&format!("DNS={d}\n"));
    }
    if !nic.search.is_empty() {
        s.push_str(&format!("Domains={}\n", nic.search.join(" ")));
    }
    for v in &nic.vlans {
        s.push_str(&format!("VLAN={v}\n"));
    }
    if let Some(m) = &nic.master {
        match m.kind {
            MasterKind::Bond => s.push_str(&format!("Bond={}\n", m.name)),
            MasterKind::Bridge => s.push_str(&format!("Bridge={}\n", m.name)),
        }
        if m.primary {
            s.push_str("PrimarySlave=yes\n");
        }
    }
    for r in &nic.routes {
        s.push_str(&format!("\n[Route]\nDestination={}\nGateway={}\n", r.to, r.via));
        if r.onlink {
            s.push_str("GatewayOnLink=yes\n");
        }
    }
    let mut files = vec![GuestFile { path: path(&nic.name), mode: 0o644, content: s }];
    if let Some(netdev) = netdev(nic) {
        files.push(GuestFile { path: netdev_path(&nic.name), mode: 0o644, content: netdev });
    }
    files.extend(link::write(nic, false));
    Ok(files)
}

/// The `.netdev` of a VLAN, bond or bridge (none for an Ethernet NIC).
fn netdev(nic: &Nic) -> Option<String> {
    let head = |kind: &str| format!("# Written by rejviz\n[NetDev]\nName={}\nKind={kind}\n", nic.name);
    Some(match &nic.kind {
        NicKind::Ethernet => return None,
        NicKind::Vlan(v) => format!("{}\n[VLAN]\nId={}\n", head("vlan"), v.id),
        NicKind::Bond(b) => {
            let o = &b.options;
            let mut s = format!("{}\n[Bond]\nMode={}\n", head("bond"), o.mode);
            if let Some(m) = o.miimon {
                s.push_str(&format!("MIIMonitorSec={m}ms\n"));
            }
            if let Some(r) = o.lacp_rate {
                s.push_str(&format!("LACPTransmitRate={r}\n"));
            }
            if let Some(x) = o.xmit_hash_policy {
                s.push_str(&format!("TransmitHashPolicy={x}\n"));
            }
            s
        }
        NicKind::Bridge(b) => format!("{}\n[Bridge]\nSTP={}\n", head("bridge"), if b.stp { "yes" } else { "no" }),
    })
}

/// systemd's booleans.
fn yes(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "yes" | "true" | "on" | "1")
}

/// What a `.netdev` says: a [`Part::Netdev`] of its interface.
pub fn read_netdev(path: &str, content: &str) -> Result<ConfiguredNic, ReadError> {
    let ini = Ini::parse(content)?;
    let name = ini.get("NetDev", "Name").ok_or(ReadError::Missing("[NetDev] Name="))?;
    let mut c = ConfiguredNic::new(name, path, Format::Networkd);
    c.part = Part::Netdev;
    c.kind = LinkKind::from_word(ini.get("NetDev", "Kind").unwrap_or(""));
    c.mtu = ini.get("NetDev", "MTUBytes").and_then(|m| m.parse().ok());
    let bad = |k: &str, v: &str| ReadError::value(k, v, "a value networkd takes");
    match c.kind {
        LinkKind::Vlan => {
            c.id = ini.get("VLAN", "Id").map(|v| v.parse().map_err(|_| bad("Id", v))).transpose()?;
        }
        LinkKind::Bond => {
            let mut o = BondOptions::new(match ini.get("Bond", "Mode") {
                Some(m) => m.parse().map_err(|_| bad("Mode", m))?,
                None => BondMode::BalanceRr,
            });
            o.miimon = ini
                .get("Bond", "MIIMonitorSec")
                .map(|m| super::milliseconds(m, false).ok_or_else(|| bad("MIIMonitorSec", m)))
                .transpose()?;
            o.lacp_rate = ini
                .get("Bond", "LACPTransmitRate")
                .map(|r| r.parse().map_err(|_| bad("LACPTransmitRate", r)))
                .transpose()?;
            o.xmit_hash_policy = ini
                .get("Bond", "TransmitHashPolicy")
                .map(|x| x.parse().map_err(|_| bad("TransmitHashPolicy", x)))
                .transpose()?;
            c.bond = Some(o);
        }
        LinkKind::Bridge => c.stp = Some(ini.get("Bridge", "STP").is_some_and(yes)),
        _ => {}
    }
    Ok(c)
}

pub fn read(path: &str, content: &str, links: &LinkMap) -> Result<ConfiguredNic, ReadError> {
    let ini = Ini::parse(content)?;
    let mac =
        ini.get("Match", "MACAddress").or_else(|| ini.get("Match", "PermanentMACAddress")).filter(|m| !m.contains(' '));
    let hwaddr = mac
        .map(|m| m.parse::<MacAddr>().map_err(|_| ReadError::value("MACAddress", m, "a MAC address")))
        .transpose()?;
    let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".network");
    let name = hwaddr
        .and_then(|m| links.by_mac(m))
        .map(|l| l.name.clone())
        .or_else(|| ini.get("Match", "Name").map(str::to_string))
        .unwrap_or_else(|| stem.to_string());
    let mut c = ConfiguredNic::new(&name, path, Format::Networkd);
    c.hwaddr = hwaddr;
    if name == "lo" {
        c.kind = LinkKind::Loopback;
    }
    c.mtu = ini
        .get("Link", "MTUBytes")
        .map(|m| m.parse().map_err(|_| ReadError::value("MTUBytes", m, "a number")))
        .transpose()?
        .or_else(|| hwaddr.and_then(|m| links.by_mac(m)).and_then(|l| l.mtu));
    c.onboot = !matches!(ini.get("Link", "ActivationPolicy"), Some("manual" | "down" | "always-down"));
    let dhcp = ini.get("Network", "DHCP").unwrap_or("no");
    let (dhcp4, dhcp6) = match dhcp {
        "yes" | "true" | "both" => (true, true),
        "ipv4" => (true, false),
        "ipv6" => (false, true),
        _ => (false, false),
    };
    let mut gw6 = None;
    let mut gateway = |c: &mut ConfiguredNic, g: &str| -> Result<(), ReadError> {
        match g.parse::<IpAddr>().map_err(|_| ReadError::value("Gateway", g, "an address"))? {
            IpAddr::V6(g) => gw6 = Some(g),
            IpAddr::V4(g) => c.gateway = Some(g),
        }
        Ok(())
    };
    for g in ini.all("Network", "Gateway") {
        gateway(&mut c, g)?;
    }
    // [Route] sections; one with a Gateway= and no Destination= is the default route.
    for (_, kv) in ini.sections.iter().filter(|(s, _)| s == "Route") {
        let get = |k: &str| kv.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let Some(via) = get("Gateway").filter(|g| !g.starts_with('_')) else { continue };
        match get("Destination") {
            None => gateway(&mut c, via)?,
            Some(dest) => {
                let via: IpAddr = via.parse().map_err(|_| ReadError::value("Gateway", via, "an address"))?;
                let to = super::ifcfg::parse_dest(dest, via.is_ipv6())
                    .ok_or_else(|| ReadError::value("Destination", dest, "a network"))?;
                if let Some(g) = c.add_route(to, via, get("GatewayOnLink").is_some_and(yes)) {
                    gateway(&mut c, &g.to_string())?;
                }
            }
        }
    }
    let addresses = ini.all("Network", "Address").into_iter().chain(ini.all("Address", "Address"));
    for a in addresses {
        c.add_address("Address", a)?;
    }
    c.settle(dhcp4, dhcp6, ini.get("Network", "IPv6AcceptRA") == Some("yes"), gw6);
    for entry in ini.all("Network", "DNS") {
        for d in entry.split_whitespace().filter(|d| !d.contains(':')) {
            c.dns.push(d.parse().map_err(|_| ReadError::value("DNS", d, "an address"))?);
        }
    }
    // `~domain` routes queries without being searched.
    for entry in ini.all("Network", "Domains") {
        c.search.extend(entry.split_whitespace().filter(|d| !d.starts_with('~')).map(str::to_string));
    }
    c.master = ini.get("Network", "Bond").or_else(|| ini.get("Network", "Bridge")).map(str::to_string);
    c.primary = ini.get("Network", "PrimarySlave").is_some_and(yes);
    c.vlans = ini.all("Network", "VLAN").into_iter().flat_map(|v| v.split_whitespace()).map(str::to_string).collect();
    if c.master.is_some() {
        c.bootproto = super::Bootproto::None;
    }
    Ok(c)
}

/// The networkd format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Networkd,
    doc: super::FormatDoc {
        bound_by: "`[Match] MACAddress=`",
        notes: "the `.link` file names the interface; `onboot=no` is `ActivationPolicy=manual`",
    },
    path,
    name_problem: |n, _| name_problem(n),
    write,
    claims: |p| {
        super::file_in(p, super::NETWORKD_DIR).is_some_and(|n| n.ends_with(".network") || n.ends_with(".netdev"))
    },
    read: |p, c, l| match p.ends_with(".netdev") {
        true => read_netdev(p, c).map(|n| vec![n]),
        false => read(p, c, l).map(|n| vec![n]),
    },
};
