//! systemd-networkd: `/etc/systemd/network/50-rejviz-NAME.network`, matched by MAC, and a
//! `.link` file that gives the interface its name.

use super::ReadError;
use super::ini::Ini;
use super::link::{self, LinkMap};
use super::{ConfiguredNic, Format, GuestFile, LinkKind, NETWORKD_DIR};
use crate::nic::{Ipv4Config, Ipv6Config, MacAddr, Nic};

pub fn path(name: &str) -> String {
    format!("{NETWORKD_DIR}/50-rejviz-{name}.network")
}

/// Why `name` cannot name a networkd NIC, if it cannot: the `.link` file's rules only. The
/// `.network` file matches the MAC, so the name is never a `[Match] Name=` glob; in the
/// `.link` file, `[Link] Name=` is a plain name.
pub fn name_problem(name: &str) -> Option<String> {
    link::name_problem(name)
}

pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let mut s = format!("# Written by rejviz\n[Match]\nMACAddress={}\n", nic.hwaddr);
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
    Ok(vec![GuestFile { path: path(&nic.name), mode: 0o644, content: s }, link::write(nic, false)])
}

pub fn read(path: &str, content: &str, links: &LinkMap) -> Result<ConfiguredNic, ReadError> {
    let ini = Ini::parse(content)?;
    let mac = ini.get("Match", "MACAddress").filter(|m| !m.contains(' '));
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
    for g in ini.all("Network", "Gateway") {
        if g.contains(':') {
            gw6 = Some(g.parse().map_err(|_| ReadError::value("Gateway", g, "an address"))?);
        } else {
            c.gateway = Some(g.parse().map_err(|_| ReadError::value("Gateway", g, "an address"))?);
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
    Ok(c)
}

/// The networkd format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Networkd,
    path,
    name_problem,
    write,
    claims: |p| super::file_in(p, super::NETWORKD_DIR).is_some_and(|n| n.ends_with(".network")),
    read: |p, c, l| read(p, c, l).map(|n| vec![n]),
};
