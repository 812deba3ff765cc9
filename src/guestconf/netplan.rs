//! netplan (`/etc/netplan/50-rejviz-NAME.yaml`, mode 0600: netplan warns about files others
//! can read). Each NIC matches its MAC and gets its name with `set-name`. The YAML is built
//! as a tree and written by yaml-rust2's emitter, never by formatting strings.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use super::ReadError;
use super::{ConfiguredNic, Format, GuestFile, LinkKind, NETPLAN_DIR};
use crate::nic::{BondMode, BondOptions, Ipv4Config, Ipv6Config, MacAddr, Nic, NicError, NicKind, NicProblem};

pub fn path(name: &str) -> String {
    format!("{NETPLAN_DIR}/50-rejviz-{name}.yaml")
}

/// Why `name` cannot be a netplan id and `set-name`, if it cannot: the `.link` rules (netplan
/// generates a `.link` file for `set-name`, and refuses non-ASCII ids itself), no glob
/// character (netplan refuses ids with `*`, `?`, `[` or `]`), and no leading `!` (netplan
/// copies the name into a `[Match] Name=` of the `.network` it generates, where `!` negates
/// the match). YAML itself can carry any name: the emitter quotes.
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(p) = super::link::name_problem(name) {
        return Some(p);
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '*' | '?' | '[' | ']')) {
        return Some(format!("'{c}': netplan refuses ids with glob characters"));
    }
    if name.starts_with('!') {
        return Some("a leading '!': it negates the [Match] Name= netplan generates for set-name".into());
    }
    None
}

/// The netplan section of an interface of `type=` `kind`.
fn section_of(kind: &str) -> &'static str {
    match kind {
        "vlan" => "vlans",
        "bond" => "bonds",
        "bridge" => "bridges",
        _ => "ethernets",
    }
}

pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, NicError> {
    if !nic.onboot {
        return Err(NicError {
            nic: nic.name.clone(),
            key: Some("onboot".into()),
            problem: NicProblem::Unsupported { format: Format::Netplan, what: "onboot=no".into() },
        });
    }
    let text = |s: &str| Yaml::String(s.to_string());
    let map = |pairs: Vec<(&str, Yaml)>| Yaml::Hash(pairs.into_iter().map(|(k, v)| (text(k), v)).collect());
    let list = |items: &[String]| Yaml::Array(items.iter().map(|i| text(i)).collect());
    let mut eth: Vec<(&str, Yaml)> = Vec::new();
    if let Some(mac) = nic.hwaddr {
        eth.push(("match", map(vec![("macaddress", text(&mac.to_string()))])));
        eth.push(("set-name", text(&nic.name)));
    }
    let section = section_of(nic.kind.word());
    match &nic.kind {
        NicKind::Ethernet => {}
        NicKind::Vlan(v) => {
            eth.push(("id", Yaml::Integer(i64::from(v.id))));
            eth.push(("link", text(&v.link)));
        }
        NicKind::Bond(b) => {
            let o = &b.options;
            let mut params = vec![("mode", text(o.mode.name()))];
            if let Some(m) = o.miimon {
                // Milliseconds: netplan passes the value on to networkd's MIIMonitorSec=.
                params.push(("mii-monitor-interval", text(&format!("{m}ms"))));
            }
            if let Some(p) = &o.primary {
                params.push(("primary", text(p)));
            }
            if let Some(r) = o.lacp_rate {
                params.push(("lacp-rate", text(r.name())));
            }
            if let Some(x) = o.xmit_hash_policy {
                params.push(("transmit-hash-policy", text(x.name())));
            }
            eth.push(("interfaces", list(&b.members)));
            eth.push(("parameters", map(params)));
        }
        NicKind::Bridge(b) => {
            eth.push(("interfaces", list(&b.members)));
            eth.push(("parameters", map(vec![("stp", Yaml::Boolean(b.stp))])));
        }
    }
    eth.push(("dhcp4", Yaml::Boolean(nic.ipv4 == Ipv4Config::Dhcp)));
    match &nic.ipv6 {
        Some(Ipv6Config::Dhcp) => eth.push(("dhcp6", Yaml::Boolean(true))),
        Some(Ipv6Config::Auto) => eth.push(("accept-ra", Yaml::Boolean(true))),
        Some(Ipv6Config::Static { .. }) => eth.push(("accept-ra", Yaml::Boolean(false))),
        None => {}
    }
    if let Some(mtu) = nic.mtu {
        eth.push(("mtu", Yaml::Integer(i64::from(mtu))));
    }
    let mut addresses = Vec::new();
    let mut routes = Vec::new();
    if let Ipv4Config::Static(st) = &nic.ipv4 {
        addresses.push(text(&format!("{}/{}", st.address(), st.prefix())));
        if let Some(gw) = st.gateway {
            routes.push(map(vec![("to", text("0.0.0.0/0")), ("via", text(&gw.to_string()))]));
        }
    }
    if let Some(Ipv6Config::Static { addr, gateway }) = &nic.ipv6 {
        addresses.push(text(&addr.to_string()));
        if let Some(gw) = gateway {
            routes.push(map(vec![("to", text("::/0")), ("via", text(&gw.to_string()))]));
        }
    }
    if !addresses.is_empty() {
        eth.push(("addresses", Yaml::Array(addresses)));
    }
    for r in &nic.routes {
        let mut route = vec![("to", text(&r.to.to_string())), ("via", text(&r.via.to_string()))];
        if r.onlink {
            route.push(("on-link", Yaml::Boolean(true)));
        }
        routes.push(map(route));
    }
    if !routes.is_empty() {
        eth.push(("routes", Yaml::Array(routes)));
    }
    let mut nameservers = Vec::new();
    if !nic.dns.is_empty() {
        nameservers.push(("addresses", Yaml::Array(nic.dns.iter().map(|d| text(&d.to_string())).collect())));
    }
    if !nic.search.is_empty() {
        nameservers.push(("search", list(&nic.search)));
    }
    if !nameservers.is_empty() {
        eth.push(("nameservers", map(nameservers)));
    }
    let mut network = vec![("version", Yaml::Integer(2)), (section, map(vec![(nic.name.as_str(), map(eth))]))];
    // netplan takes a bond's or bridge's members and a VLAN's link only once defined, in
    // this file or an earlier one: each is declared here too, empty (netplan merges it with
    // its own file's definition, whichever file comes first).
    // A VLAN is declared with its id and link (netplan requires them), and its link too.
    for lower in &nic.lower {
        let stub_section = section_of(lower.kind);
        let stub = match &lower.vlan {
            Some(v) => map(vec![("id", Yaml::Integer(i64::from(v.id))), ("link", text(&v.link))]),
            None => Yaml::Hash(Default::default()),
        };
        match network.iter_mut().find(|(s, _)| *s == stub_section) {
            Some((_, Yaml::Hash(h))) => {
                h.insert(text(&lower.name), stub);
            }
            _ => network.push((stub_section, map(vec![(lower.name.as_str(), stub)]))),
        }
    }
    let doc = map(vec![("network", map(network))]);
    // The emitter quotes and escapes every string that needs it, whatever the name holds.
    let mut yaml = String::new();
    // Infallible: writing to a String.
    let _ = YamlEmitter::new(&mut yaml).dump(&doc);
    let body = yaml.strip_prefix("---\n").unwrap_or(&yaml);
    let s = format!("# Written by rejviz\n{body}\n");
    Ok(vec![GuestFile { path: path(&nic.name), mode: 0o600, content: s }])
}

fn truthy(y: &Yaml) -> bool {
    match y {
        Yaml::Boolean(b) => *b,
        Yaml::String(s) => matches!(s.as_str(), "yes" | "true" | "on"),
        _ => false,
    }
}

fn text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        _ => None,
    }
}

/// Every interface a netplan file defines (ethernets; bonds, bridges, vlans as other kinds).
pub fn read(path: &str, content: &str) -> Result<Vec<ConfiguredNic>, ReadError> {
    let docs = YamlLoader::load_from_str(content).map_err(|e| ReadError::Yaml(e.to_string()))?;
    let Some(doc) = docs.first() else { return Ok(Vec::new()) };
    let network = &doc["network"];
    let mut out = Vec::new();
    for (section, kind) in [
        ("ethernets", None),
        ("bonds", Some(LinkKind::Bond)),
        ("bridges", Some(LinkKind::Bridge)),
        ("vlans", Some(LinkKind::Vlan)),
    ] {
        let Some(map) = network[section].as_hash() else { continue };
        for (id, v) in map {
            // An empty definition only declares the id for a reference (see `write`); so does
            // a VLAN's with nothing but its id and link, unless nothing else defines it.
            if v.is_null() || v.as_hash().is_some_and(|h| h.is_empty()) {
                continue;
            }
            let declaration = kind == Some(LinkKind::Vlan)
                && v.as_hash().is_some_and(|h| h.keys().all(|k| matches!(k.as_str(), Some("id" | "link"))));
            let id = text(id).ok_or(ReadError::Missing("an interface id that is a string"))?;
            let name = text(&v["set-name"]).or_else(|| text(&v["match"]["name"])).unwrap_or_else(|| id.clone());
            let mut c = ConfiguredNic::new(&name, path, Format::Netplan);
            if declaration {
                c.part = super::Part::Declaration;
            }
            c.kind = match kind.clone() {
                Some(k) => k,
                None if name == "lo" => LinkKind::Loopback,
                None => LinkKind::Ethernet,
            };
            let params = &v["parameters"];
            match c.kind {
                LinkKind::Vlan => {
                    let (_, named) = super::vlan_of_name(&name);
                    c.link = text(&v["link"]);
                    c.id = v["id"].as_i64().and_then(|i| u16::try_from(i).ok()).or(named);
                }
                LinkKind::Bond => {
                    let bad = |k: &str, val: &str| {
                        ReadError::value(format!("{id}: parameters: {k}"), val, "a bonding option")
                    };
                    let word = |k: &str| text(&params[k]);
                    let mut o = BondOptions::new(match word("mode") {
                        Some(m) => m.parse().map_err(|_| bad("mode", &m))?,
                        None => BondMode::BalanceRr,
                    });
                    o.miimon = word("mii-monitor-interval")
                        .map(|m| super::milliseconds(&m, true).ok_or_else(|| bad("mii-monitor-interval", &m)))
                        .transpose()?;
                    o.primary = word("primary");
                    o.lacp_rate = word("lacp-rate").map(|r| r.parse().map_err(|_| bad("lacp-rate", &r))).transpose()?;
                    o.xmit_hash_policy = word("transmit-hash-policy")
                        .map(|x| x.parse().map_err(|_| bad("transmit-hash-policy", &x)))
                        .transpose()?;
                    c.bond = Some(o);
                }
                // netplan's default is on.
                LinkKind::Bridge => c.stp = Some(params["stp"].is_badvalue() || truthy(&params["stp"])),
                _ => {}
            }
            if matches!(c.kind, LinkKind::Bond | LinkKind::Bridge) {
                c.members = v["interfaces"].as_vec().into_iter().flatten().filter_map(text).collect();
            }
            c.hwaddr = text(&v["match"]["macaddress"])
                .map(|m| {
                    m.parse::<MacAddr>().map_err(|_| ReadError::value(format!("{id}: macaddress"), m, "a MAC address"))
                })
                .transpose()?;
            c.mtu = v["mtu"].as_i64().and_then(|m| u32::try_from(m).ok());
            c.onboot = true;
            let mut gw4: Option<Ipv4Addr> = text(&v["gateway4"]).and_then(|g| g.parse().ok());
            let mut gw6: Option<Ipv6Addr> = text(&v["gateway6"]).and_then(|g| g.parse().ok());
            for r in v["routes"].as_vec().into_iter().flatten() {
                let (Some(to), Some(via)) = (text(&r["to"]), text(&r["via"])) else { continue };
                let Ok(via) = via.parse::<IpAddr>() else { continue };
                let Some(to) = super::ifcfg::parse_dest(&to, via.is_ipv6()) else { continue };
                match c.add_route(to, via, truthy(&r["on-link"])) {
                    Some(IpAddr::V4(g)) => gw4 = Some(g),
                    Some(IpAddr::V6(g)) => gw6 = Some(g),
                    None => {}
                }
            }
            for a in v["addresses"].as_vec().into_iter().flatten() {
                // An address is a string, or a map from the address to its options.
                let a =
                    text(a).or_else(|| a.as_hash().and_then(|h| h.keys().next()).and_then(text)).unwrap_or_default();
                c.add_address(&format!("{id}: addresses"), &a)?;
            }
            c.gateway = gw4.filter(|_| c.ipv4.is_some());
            c.settle(truthy(&v["dhcp4"]), truthy(&v["dhcp6"]), truthy(&v["accept-ra"]), gw6);
            for d in v["nameservers"]["addresses"].as_vec().into_iter().flatten().filter_map(text) {
                if let Ok(d) = d.parse() {
                    c.dns.push(d);
                }
            }
            c.search = v["nameservers"]["search"].as_vec().into_iter().flatten().filter_map(text).collect();
            out.push(c);
        }
    }
    Ok(out)
}

/// The netplan format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Netplan,
    doc: super::FormatDoc {
        bound_by: "`match: macaddress` + `set-name`",
        notes: "one file per NIC so that later runs replace just that NIC; cannot express `onboot=no`",
    },
    path,
    name_problem: |n, _| name_problem(n),
    write,
    claims: |p| super::file_in(p, super::NETPLAN_DIR).is_some_and(|n| n.ends_with(".yaml")),
    read: |p, c, _| read(p, c),
};
