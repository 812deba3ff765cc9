//! netplan (`/etc/netplan/50-rejviz-NAME.yaml`, mode 0600: netplan warns about files others
//! can read). Each NIC matches its MAC and gets its name with `set-name`.

use std::net::{Ipv4Addr, Ipv6Addr};

use yaml_rust2::{Yaml, YamlLoader};

use super::{ConfiguredNic, Format, GuestFile, LinkKind, NETPLAN_DIR};
use crate::nic::{Ipv4Config, Ipv6Config, MacAddr, Nic, NicError, NicProblem};

pub fn path(name: &str) -> String {
    format!("{NETPLAN_DIR}/50-rejviz-{name}.yaml")
}

pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, NicError> {
    if !nic.onboot {
        return Err(NicError {
            nic: nic.name.clone(),
            key: Some("onboot".into()),
            problem: NicProblem::Unsupported { format: Format::Netplan, what: "onboot=no".into() },
        });
    }
    // A YAML double-quoted scalar: `\` and `"` are the characters it must escape.
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut s = format!(
        "# Written by rejviz\nnetwork:\n  version: 2\n  ethernets:\n    {n}:\n      match:\n        macaddress: {m}\n      set-name: {n}\n",
        n = q(&nic.name),
        m = q(&nic.hwaddr.to_string())
    );
    s.push_str(&format!("      dhcp4: {}\n", nic.ipv4 == Ipv4Config::Dhcp));
    match &nic.ipv6 {
        Some(Ipv6Config::Dhcp) => s.push_str("      dhcp6: true\n"),
        Some(Ipv6Config::Auto) => s.push_str("      accept-ra: true\n"),
        Some(Ipv6Config::Static { .. }) => s.push_str("      accept-ra: false\n"),
        None => {}
    }
    if let Some(mtu) = nic.mtu {
        s.push_str(&format!("      mtu: {mtu}\n"));
    }
    let mut addresses = Vec::new();
    let mut routes = Vec::new();
    if let Ipv4Config::Static(st) = &nic.ipv4 {
        addresses.push(format!("{}/{}", st.address(), st.prefix()));
        if let Some(gw) = st.gateway {
            routes.push(("0.0.0.0/0", gw.to_string()));
        }
    }
    if let Some(Ipv6Config::Static { addr, gateway }) = &nic.ipv6 {
        addresses.push(addr.to_string());
        if let Some(gw) = gateway {
            routes.push(("::/0", gw.to_string()));
        }
    }
    if !addresses.is_empty() {
        s.push_str("      addresses:\n");
        for a in &addresses {
            s.push_str(&format!("        - {}\n", q(a)));
        }
    }
    if !routes.is_empty() {
        s.push_str("      routes:\n");
        for (to, via) in &routes {
            s.push_str(&format!("        - to: {}\n          via: {}\n", q(to), q(via)));
        }
    }
    if !nic.dns.is_empty() {
        s.push_str("      nameservers:\n        addresses:\n");
        for d in &nic.dns {
            s.push_str(&format!("          - {}\n", q(&d.to_string())));
        }
    }
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
pub fn read(path: &str, content: &str) -> Result<Vec<ConfiguredNic>, String> {
    let docs = YamlLoader::load_from_str(content).map_err(|e| e.to_string())?;
    let Some(doc) = docs.first() else { return Ok(Vec::new()) };
    let network = &doc["network"];
    let mut out = Vec::new();
    for (section, kind) in
        [("ethernets", None), ("bonds", Some("bond")), ("bridges", Some("bridge")), ("vlans", Some("vlan"))]
    {
        let Some(map) = network[section].as_hash() else { continue };
        for (id, v) in map {
            let id = text(id).ok_or("an interface id is not a string")?;
            let name = text(&v["set-name"]).or_else(|| text(&v["match"]["name"])).unwrap_or_else(|| id.clone());
            let mut c = ConfiguredNic::new(&name, path, Format::Netplan);
            c.kind = match kind {
                Some(k) => LinkKind::Other(k.into()),
                None if name == "lo" => LinkKind::Loopback,
                None => LinkKind::Ethernet,
            };
            c.hwaddr = text(&v["match"]["macaddress"])
                .map(|m| m.parse::<MacAddr>().map_err(|e| format!("{id}: macaddress: {e}")))
                .transpose()?;
            c.mtu = v["mtu"].as_i64().and_then(|m| u32::try_from(m).ok());
            c.onboot = true;
            let mut gw4: Option<Ipv4Addr> = text(&v["gateway4"]).and_then(|g| g.parse().ok());
            let mut gw6: Option<Ipv6Addr> = text(&v["gateway6"]).and_then(|g| g.parse().ok());
            for r in v["routes"].as_vec().into_iter().flatten() {
                let to = text(&r["to"]).unwrap_or_default();
                let via = text(&r["via"]).unwrap_or_default();
                match to.as_str() {
                    "0.0.0.0/0" | "default" if !via.contains(':') => gw4 = via.parse().ok(),
                    "::/0" | "default" => gw6 = via.parse().ok(),
                    _ => {}
                }
            }
            for a in v["addresses"].as_vec().into_iter().flatten() {
                // An address is a string, or a map from the address to its options.
                let a =
                    text(a).or_else(|| a.as_hash().and_then(|h| h.keys().next()).and_then(text)).unwrap_or_default();
                c.add_address(&a).map_err(|e| format!("{id}: {e}"))?;
            }
            c.gateway = gw4.filter(|_| c.ipv4.is_some());
            c.settle(truthy(&v["dhcp4"]), truthy(&v["dhcp6"]), truthy(&v["accept-ra"]), gw6);
            for d in v["nameservers"]["addresses"].as_vec().into_iter().flatten().filter_map(text) {
                if let Ok(d) = d.parse() {
                    c.dns.push(d);
                }
            }
            out.push(c);
        }
    }
    Ok(out)
}
