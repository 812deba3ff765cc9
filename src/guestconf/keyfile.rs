//! NetworkManager keyfiles (`/etc/NetworkManager/system-connections/NAME.nmconnection`,
//! mode 0600: NetworkManager ignores keyfiles others can read). The connection is bound to
//! the MAC (`[ethernet] mac-address=`), not to a kernel name, and a `.link` file gives the
//! interface its name.

use super::{Bootproto, ReadError};
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use super::ini::Ini;
use super::link::{self, LinkMap};
use super::{ConfiguredNic, Format, GuestFile, LinkKind, NM_DIR};
use crate::nic::{Ipv4Config, Ipv6Config, MacAddr, Nic};

pub fn path(name: &str) -> String {
    format!("{NM_DIR}/{name}.nmconnection")
}

/// Why `name` cannot name a keyfile connection, if it cannot: the `.link` file's rules, and
/// no leading `.` (NetworkManager skips hidden files in its connection directory). The `id=`
/// value takes any other printable ASCII (`\`, GKeyFile's escape, is refused by the `.link`
/// rules).
pub fn name_problem(name: &str) -> Option<String> {
    link::name_problem(name)
        .or_else(|| name.starts_with('.').then(|| "a leading '.': NetworkManager skips hidden keyfiles".to_string()))
}

/// A stable UUID for a connection: version 5 (SHA-1, name-based, RFC 9562) of its name and
/// MAC in rejviz's namespace, so that rewriting the same NIC gives the same file.
fn uuid(nic: &Nic) -> String {
    let namespace = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:rejviz:networkmanager-keyfile");
    let mut name = nic.name.as_bytes().to_vec();
    name.push(0);
    name.extend_from_slice(&nic.hwaddr.octets());
    uuid::Uuid::new_v5(&namespace, &name).hyphenated().to_string()
}

pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let mut s = format!("# Written by rejviz\n[connection]\nid={0}\nuuid={1}\ntype=ethernet\n", nic.name, uuid(nic));
    if !nic.onboot {
        s.push_str("autoconnect=false\n");
    }
    s.push_str(&format!("\n[ethernet]\nmac-address={}\n", nic.hwaddr.to_string().to_uppercase()));
    if let Some(mtu) = nic.mtu {
        s.push_str(&format!("mtu={mtu}\n"));
    }
    s.push_str("\n[ipv4]\n");
    match &nic.ipv4 {
        Ipv4Config::Dhcp => s.push_str("method=auto\n"),
        Ipv4Config::Static(st) => {
            s.push_str(&format!("method=manual\naddress1={}/{}", st.address(), st.prefix()));
            if let Some(gw) = st.gateway {
                s.push_str(&format!(",{gw}"));
            }
            s.push('\n');
        }
    }
    if !nic.dns.is_empty() {
        let dns: String = nic.dns.iter().map(|d| format!("{d};")).collect();
        s.push_str(&format!("dns={dns}\n"));
    }
    s.push_str("\n[ipv6]\n");
    match &nic.ipv6 {
        None => s.push_str("method=ignore\n"),
        Some(Ipv6Config::Auto) => s.push_str("method=auto\n"),
        Some(Ipv6Config::Dhcp) => s.push_str("method=dhcp\n"),
        Some(Ipv6Config::Static { addr, gateway }) => {
            s.push_str(&format!("method=manual\naddress1={addr}"));
            if let Some(gw) = gateway {
                s.push_str(&format!(",{gw}"));
            }
            s.push('\n');
        }
    }
    Ok(vec![GuestFile { path: path(&nic.name), mode: 0o600, content: s }, link::write(nic, false)])
}

/// `ADDR/PREFIX[,GATEWAY]` of `addressN=`.
fn address<A: std::str::FromStr, N: std::str::FromStr>(key: &str, v: &str) -> Result<(N, Option<A>), ReadError> {
    let (a, gw) = match v.split_once(',') {
        Some((a, g)) => (a, Some(g)),
        None => (v, None),
    };
    let net = a.trim().parse::<N>().map_err(|_| ReadError::value(key, a, "an address/prefix"))?;
    let gw =
        gw.map(|g| g.trim().parse::<A>().map_err(|_| ReadError::value(key, g, "a gateway address"))).transpose()?;
    Ok((net, gw))
}

pub fn read(path: &str, content: &str, links: &LinkMap) -> Result<ConfiguredNic, ReadError> {
    let ini = Ini::parse(content)?;
    let eth = if ini.has_section("ethernet") { "ethernet" } else { "802-3-ethernet" };
    let id = ini.get("connection", "id").unwrap_or("");
    let kind = match ini.get("connection", "type") {
        None | Some("ethernet" | "802-3-ethernet") => LinkKind::Ethernet,
        Some("loopback") => LinkKind::Loopback,
        Some(t) => LinkKind::Other(t.to_string()),
    };
    let hwaddr = ini
        .get(eth, "mac-address")
        .map(|m| m.parse::<MacAddr>().map_err(|_| ReadError::value("mac-address", m, "a MAC address")))
        .transpose()?;
    let name = ini
        .get("connection", "interface-name")
        .map(str::to_string)
        .or_else(|| hwaddr.and_then(|m| links.by_mac(m)).map(|l| l.name.clone()))
        .unwrap_or_else(|| id.to_string());
    let mut c = ConfiguredNic::new(&name, path, Format::Keyfile);
    c.kind = kind;
    c.hwaddr = hwaddr;
    c.onboot = ini.get("connection", "autoconnect") != Some("false");
    c.mtu = ini.get(eth, "mtu").map(|m| m.parse().map_err(|_| ReadError::value("mtu", m, "a number"))).transpose()?;
    c.bootproto = match ini.get("ipv4", "method") {
        None | Some("auto") => Bootproto::Dhcp,
        Some("manual") => Bootproto::Static,
        Some(other) => Bootproto::Other(other.to_string()),
    };
    let mut gateway: Option<Ipv4Addr> = ini.get("ipv4", "gateway").and_then(|g| g.parse().ok());
    if let Some(v) = ini.get("ipv4", "address1").or_else(|| ini.get("ipv4", "addresses1")) {
        let (net, gw): (Ipv4Net, Option<Ipv4Addr>) = address("ipv4.address1", v)?;
        c.ipv4 = Some(net);
        gateway = gateway.or(gw);
    }
    c.gateway = gateway;
    for d in ini.get("ipv4", "dns").unwrap_or("").split([';', ',']).filter(|d| !d.trim().is_empty()) {
        c.dns.push(d.trim().parse().map_err(|_| ReadError::value("ipv4.dns", d, "an IPv4 address"))?);
    }
    c.ipv6 = match ini.get("ipv6", "method") {
        Some("auto") => Some(Ipv6Config::Auto),
        Some("dhcp") => Some(Ipv6Config::Dhcp),
        Some("manual") => {
            let v = ini
                .get("ipv6", "address1")
                .or_else(|| ini.get("ipv6", "addresses1"))
                .ok_or(ReadError::Missing("ipv6: method manual without address1"))?;
            let (addr, gw): (Ipv6Net, Option<Ipv6Addr>) = address("ipv6.address1", v)?;
            let gateway = ini.get("ipv6", "gateway").and_then(|g| g.parse().ok()).or(gw);
            Some(Ipv6Config::Static { addr, gateway })
        }
        _ => None,
    };
    Ok(c)
}

/// The keyfile format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Keyfile,
    path,
    name_problem,
    write,
    claims: |p| super::file_in(p, super::NM_DIR).is_some(),
    read: |p, c, l| read(p, c, l).map(|n| vec![n]),
};
