//! NetworkManager keyfiles (`/etc/NetworkManager/system-connections/NAME.nmconnection`,
//! mode 0600: NetworkManager ignores keyfiles others can read). The connection is bound to
//! the MAC (`[ethernet] mac-address=`), not to a kernel name, and a `.link` file gives the
//! interface its name.

use super::{Bootproto, ReadError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use super::ini::Ini;
use super::link::{self, LinkMap};
use super::{ConfiguredNic, Format, GuestFile, LinkKind, NM_DIR};
use crate::nic::{BondMode, BondOptions, Ipv4Config, Ipv6Config, MacAddr, MasterKind, Nic, NicKind, Route};

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
/// MAC (if it has one) in rejviz's namespace, so that rewriting the same NIC gives the same
/// file.
fn uuid(nic: &Nic) -> String {
    let namespace = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:rejviz:networkmanager-keyfile");
    let mut name = nic.name.as_bytes().to_vec();
    name.push(0);
    if let Some(mac) = nic.hwaddr {
        name.extend_from_slice(&mac.octets());
    }
    uuid::Uuid::new_v5(&namespace, &name).hyphenated().to_string()
}

/// The connection for `nic`, and the `.link` file naming an Ethernet NIC. A member (port)
/// names its master with `master=` and `slave-type=`, the spelling every NetworkManager
/// reads (1.46 added `controller=` and `port-type=` as new names for them, which older ones
/// ignore), and has no IP settings: its master has them.
pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let mut s = format!(
        "# Written by rejviz\n[connection]\nid={0}\nuuid={1}\ntype={2}\n",
        nic.name,
        uuid(nic),
        nic.kind.word()
    );
    if nic.kind != NicKind::Ethernet {
        s.push_str(&format!("interface-name={}\n", nic.name));
    }
    if !nic.onboot {
        s.push_str("autoconnect=false\n");
    }
    if let Some(m) = &nic.master {
        let kind = match m.kind {
            MasterKind::Bond => "bond",
            MasterKind::Bridge => "bridge",
        };
        s.push_str(&format!("master={}\nslave-type={kind}\n", m.name));
    }
    if nic.hwaddr.is_some() || nic.mtu.is_some() {
        s.push_str("\n[ethernet]\n");
        if let Some(mac) = nic.hwaddr {
            s.push_str(&format!("mac-address={}\n", mac.to_string().to_uppercase()));
        }
        if let Some(mtu) = nic.mtu {
            s.push_str(&format!("mtu={mtu}\n"));
        }
    }
    match &nic.kind {
        NicKind::Ethernet => {}
        NicKind::Vlan(v) => s.push_str(&format!("\n[vlan]\nid={}\nparent={}\n", v.id, v.link)),
        NicKind::Bond(b) => {
            let o = &b.options;
            s.push_str(&format!("\n[bond]\nmode={}\n", o.mode));
            if let Some(m) = o.miimon {
                s.push_str(&format!("miimon={m}\n"));
            }
            if let Some(p) = &o.primary {
                s.push_str(&format!("primary={p}\n"));
            }
            if let Some(r) = o.lacp_rate {
                s.push_str(&format!("lacp_rate={r}\n"));
            }
            if let Some(x) = o.xmit_hash_policy {
                s.push_str(&format!("xmit_hash_policy={x}\n"));
            }
        }
        NicKind::Bridge(b) => s.push_str(&format!("\n[bridge]\nstp={}\n", b.stp)),
    }
    if let Some(m) = &nic.master {
        if m.kind == MasterKind::Bridge {
            s.push_str("\n[bridge-port]\n");
        }
        return Ok([GuestFile { path: path(&nic.name), mode: 0o600, content: s }]
            .into_iter()
            .chain(link::write(nic, false))
            .collect());
    }
    s.push_str("\n[ipv4]\n");
    match &nic.ipv4 {
        Ipv4Config::Dhcp => s.push_str("method=auto\n"),
        Ipv4Config::NoAddress => s.push_str("method=disabled\n"),
        Ipv4Config::Static(st) => {
            s.push_str(&format!("method=manual\naddress1={}/{}", st.address(), st.prefix()));
            if let Some(gw) = st.gateway {
                s.push_str(&format!(",{gw}"));
            }
            s.push('\n');
        }
    }
    let routes = |s: &mut String, v6: bool| {
        for (i, r) in nic.routes.iter().filter(|r| r.via.is_ipv6() == v6).enumerate() {
            s.push_str(&format!("route{0}={1},{2}\n", i + 1, r.to, r.via));
            if r.onlink {
                s.push_str(&format!("route{}_options=onlink=true\n", i + 1));
            }
        }
    };
    routes(&mut s, false);
    if !nic.dns.is_empty() {
        let dns: String = nic.dns.iter().map(|d| format!("{d};")).collect();
        s.push_str(&format!("dns={dns}\n"));
    }
    if !nic.search.is_empty() {
        let search: String = nic.search.iter().map(|d| format!("{d};")).collect();
        s.push_str(&format!("dns-search={search}\n"));
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
    routes(&mut s, true);
    Ok([GuestFile { path: path(&nic.name), mode: 0o600, content: s }]
        .into_iter()
        .chain(link::write(nic, false))
        .collect())
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

/// The routes of `[ipv4]` or `[ipv6]`: `routeN=DEST[,GATEWAY[,METRIC]]` (and the older
/// `routesN=`), with `routeN_options=` saying `onlink=true`. Routes without a gateway (on the
/// link) are not routes the model has, and are skipped.
fn routes(ini: &Ini, section: &str) -> Result<Vec<Route>, ReadError> {
    let mut out = Vec::new();
    let Some((_, kv)) = ini.sections.iter().find(|(s, _)| s == section) else { return Ok(out) };
    for (k, v) in kv {
        let n = k.strip_prefix("routes").or_else(|| k.strip_prefix("route")).unwrap_or("");
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut parts = v.split(',').map(str::trim);
        let dest = parts.next().unwrap_or("");
        let Some(via) = parts.next().filter(|g| !g.is_empty()) else { continue };
        let via: IpAddr = via.parse().map_err(|_| ReadError::value(format!("{section}.{k}"), v, "a route"))?;
        if via.is_unspecified() {
            continue;
        }
        let to = super::ifcfg::parse_dest(dest, via.is_ipv6())
            .ok_or_else(|| ReadError::value(format!("{section}.{k}"), v, "a route"))?;
        let onlink = ini
            .get(section, &format!("{k}_options"))
            .is_some_and(|o| o.split(',').any(|kv| matches!(kv.trim(), "onlink=true" | "onlink=1")));
        out.push(Route { to, via, onlink });
    }
    Ok(out)
}

pub fn read(path: &str, content: &str, links: &LinkMap) -> Result<ConfiguredNic, ReadError> {
    let ini = Ini::parse(content)?;
    let eth = if ini.has_section("ethernet") { "ethernet" } else { "802-3-ethernet" };
    let id = ini.get("connection", "id").unwrap_or("");
    let kind = match ini.get("connection", "type") {
        None => LinkKind::Ethernet,
        Some(t) => LinkKind::from_word(t),
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
    c.uuid = ini.get("connection", "uuid").map(str::to_string);
    c.master = ini.get("connection", "controller").or_else(|| ini.get("connection", "master")).map(str::to_string);
    c.onboot = ini.get("connection", "autoconnect") != Some("false");
    c.mtu = ini.get(eth, "mtu").map(|m| m.parse().map_err(|_| ReadError::value("mtu", m, "a number"))).transpose()?;
    match &c.kind {
        LinkKind::Vlan => {
            let (link, id) = super::vlan_of_name(&name);
            c.link = ini.get("vlan", "parent").map(str::to_string).or(link);
            c.id = match ini.get("vlan", "id") {
                Some(v) => Some(v.parse().map_err(|_| ReadError::value("vlan.id", v, "a VLAN id"))?),
                None => id,
            };
        }
        LinkKind::Bond => {
            let bad = |k: &str, v: &str| ReadError::value(format!("bond.{k}"), v, "a bonding option");
            let get = |k: &str| ini.get("bond", k);
            let mut o = BondOptions::new(match get("mode") {
                Some(m) => m.parse().map_err(|_| bad("mode", m))?,
                None => BondMode::BalanceRr,
            });
            o.miimon = get("miimon").map(|m| m.parse().map_err(|_| bad("miimon", m))).transpose()?;
            o.primary = get("primary").map(str::to_string);
            o.lacp_rate = get("lacp_rate").map(|r| r.parse().map_err(|_| bad("lacp_rate", r))).transpose()?;
            o.xmit_hash_policy =
                get("xmit_hash_policy").map(|x| x.parse().map_err(|_| bad("xmit_hash_policy", x))).transpose()?;
            c.bond = Some(o);
        }
        // NetworkManager's default is on.
        LinkKind::Bridge => c.stp = Some(!matches!(ini.get("bridge", "stp"), Some("false" | "no" | "0"))),
        _ => {}
    }
    if c.master.is_some() {
        // A port: its master has the addresses.
        c.bootproto = Bootproto::None;
        return Ok(c);
    }
    c.bootproto = match ini.get("ipv4", "method") {
        None | Some("auto") => Bootproto::Dhcp,
        Some("manual") => Bootproto::Static,
        Some("disabled") => Bootproto::None,
        Some(other) => Bootproto::Other(other.to_string()),
    };
    let mut gateway: Option<Ipv4Addr> = ini.get("ipv4", "gateway").and_then(|g| g.parse().ok());
    if let Some(v) = ini.get("ipv4", "address1").or_else(|| ini.get("ipv4", "addresses1")) {
        let (net, gw): (Ipv4Net, Option<Ipv4Addr>) = address("ipv4.address1", v)?;
        c.ipv4 = Some(net);
        gateway = gateway.or(gw);
    }
    let mut gw6 = None;
    for r in routes(&ini, "ipv4")?.into_iter().chain(routes(&ini, "ipv6")?) {
        match c.add_route(r.to, r.via, r.onlink) {
            Some(IpAddr::V4(g)) => gateway = gateway.or(Some(g)),
            Some(IpAddr::V6(g)) => gw6 = gw6.or(Some(g)),
            None => {}
        }
    }
    c.gateway = gateway;
    for d in ini.get("ipv4", "dns").unwrap_or("").split([';', ',']).filter(|d| !d.trim().is_empty()) {
        c.dns.push(d.trim().parse().map_err(|_| ReadError::value("ipv4.dns", d, "an IPv4 address"))?);
    }
    for family in ["ipv4", "ipv6"] {
        for d in ini.get(family, "dns-search").unwrap_or("").split([';', ',']).map(str::trim).filter(|d| !d.is_empty())
        {
            if !c.search.iter().any(|s| s == d) {
                c.search.push(d.to_string());
            }
        }
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
            let gateway = ini.get("ipv6", "gateway").and_then(|g| g.parse().ok()).or(gw).or(gw6);
            Some(Ipv6Config::Static { addr, gateway })
        }
        _ => None,
    };
    Ok(c)
}

/// The keyfile format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Keyfile,
    doc: super::FormatDoc {
        bound_by: "`[ethernet] mac-address=`",
        notes: "the `.link` file names the interface; mode 0600: NetworkManager ignores keyfiles others can read",
    },
    path,
    name_problem: |n, _| name_problem(n),
    write,
    claims: |p| super::file_in(p, super::NM_DIR).is_some(),
    read: |p, c, l| read(p, c, l).map(|n| vec![n]),
};
