//! Which libvirt network (or host bridge) each of an image's NICs is attached to.
//!
//! Only devices get an interface (Ethernet NICs: plain, a bond's or bridge's members, VLANs'
//! links; [`ConfiguredNic::is_device`]). A device is mapped for everything it carries
//! ([`crate::guestconf::Stack::above`]: its own config, its bond or bridge, the VLANs on it
//! or on its bond, ...).
//!
//! Manual mappings (`--nic-mappings eth0=NET,eth1=bridge:br0`) win; one that names a bond, a
//! bridge or a VLAN maps every device under it. With auto mapping, each device goes to the
//! one network whose IPv4 subnets hold every static address it carries (and that serves
//! DHCP if it also carries a DHCP config), or, when it carries only DHCP, to the network
//! `default` when it exists and serves DHCP. The result is in the order the new domain's
//! interfaces are made ([`crate::pairing::creation_order`]: the one pairing rule then gives
//! each config its own), each with the MAC the guest config expects.

use std::fmt;

use crate::guestconf::{Bootproto, ConfiguredNic, LinkKind, Stack};
use crate::libvirt::NetworkInfo;
use ipnet::Ipv4Net;

use crate::nic::{MacAddr, natural_cmp, shown, validate_ifname};
use crate::optlist::OptListError;
use crate::pairing::{Config, creation_order};

/// Where a NIC is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Network(String),
    Bridge(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Network(n) => write!(f, "network {n}"),
            Target::Bridge(b) => write!(f, "bridge {b}"),
        }
    }
}

/// One `NAME=TARGET` of `--nic-mappings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub nic: String,
    pub target: Target,
}

/// A NIC to attach: virt-install's `--network` for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attach {
    pub nic: String,
    pub target: Target,
    pub mac: MacAddr,
    /// The config pins no HWADDR, so this MAC was generated (the guest binds by name).
    pub mac_generated: bool,
}

impl Attach {
    /// The value of virt-install's `--network`.
    pub fn network_arg(&self) -> String {
        match &self.target {
            Target::Network(n) => format!("network={n},mac={},model=virtio", self.mac),
            Target::Bridge(b) => format!("bridge={b},mac={},model=virtio", self.mac),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// `problem` quotes only what passed the control-character check.
    #[error("--nic-mappings '{}': {problem}", shown(.value))]
    Syntax { value: String, problem: String },
    #[error("--nic-mappings: {nic} is mapped twice")]
    Twice { nic: String },
    #[error("{nic}: no libvirt network named '{net}' (networks: {known})")]
    UnknownNetwork { nic: String, net: String, known: String },
    #[error("{nic}: no host bridge named '{bridge}'")]
    UnknownBridge { nic: String, bridge: String },
    #[error("{nic}: network {net} is not active (start it: virsh net-start {net})")]
    Inactive { nic: String, net: String },
    #[error("{nic}: the image configures no such interface (it has: {in_image})")]
    NotInImage { nic: String, in_image: String },
    #[error("{nic}: the image configures no NIC under this {kind} (no member, no link): nothing to attach")]
    NoDevice { nic: String, kind: String },
    /// `first`, `second`: `TARGET through NAME`.
    #[error("{nic} is mapped twice: to {first} and to {second}")]
    TwiceThrough { nic: String, first: String, second: String },
    /// `carries`: the addresses the device carries (`ADDR`, `ADDR on NAME`, `DHCP on NAME`);
    /// `what`: the condition no network or several networks meet.
    #[error(
        "{nic} ({carries}): more than one network holds {what}: {candidates}; map it with --nic-mappings {by}=NETWORK"
    )]
    Ambiguous { nic: String, carries: String, what: &'static str, candidates: String, by: String },
    #[error(
        "{nic} ({carries}): no network's subnet holds {what} (networks: {networks}); map it with --nic-mappings {by}=NETWORK"
    )]
    NoSubnet { nic: String, carries: String, what: &'static str, networks: String, by: String },
    #[error(
        "{nic} uses DHCP{on} and there is no network 'default' serving DHCP; map it with --nic-mappings {by}=NETWORK"
    )]
    NoDefault { nic: String, on: String, by: String },
    #[error("{nic} has neither DHCP nor a static address{nor}; map it with --nic-mappings {by}=NETWORK")]
    Unconfigured { nic: String, nor: String, by: String },
    #[error("--nic {nic}: domain {domain} has no interface left to take a MAC from; give hwaddr=")]
    NoDomainMac { nic: String, domain: String },
    /// Two devices the image pins to one MAC (names from the guest: shown escaped).
    #[error(
        "{} and {} are both pinned to HWADDR {mac}: only one of them can have the interface with that MAC; \
         give the other its own HWADDR in the image",
        shown(.first),
        shown(.second)
    )]
    SamePin { first: String, second: String, mac: MacAddr },
}

/// The TARGET of a mapping that names a host bridge (`eth1=bridge:br0`); any other is a
/// libvirt network.
pub const BRIDGE_PREFIX: &str = "bridge:";

/// Parses the values of every `--nic-mappings` option.
pub fn parse_mappings<S: AsRef<str>>(values: &[S]) -> Result<Vec<Mapping>, MappingError> {
    let mut out: Vec<Mapping> = Vec::new();
    for value in values {
        let value = value.as_ref();
        let syntax = |problem: String| MappingError::Syntax { value: value.to_string(), problem };
        if value.is_empty() {
            return Err(syntax(OptListError::Empty.to_string()));
        }
        // Network and bridge names end up in virt-install's command line and in messages.
        if value.chars().any(char::is_control) {
            return Err(syntax("contains a control character, which no NAME or TARGET can".into()));
        }
        for item in value.split(',') {
            let (nic, target) = item.split_once('=').ok_or_else(|| syntax(format!("'{item}' is not NAME=TARGET")))?;
            validate_ifname(nic).map_err(|e| syntax(e.to_string()))?;
            let target = match target.strip_prefix(BRIDGE_PREFIX) {
                Some("") => return Err(syntax(format!("{nic}: empty bridge name"))),
                Some(b) => Target::Bridge(b.to_string()),
                None if target.is_empty() => return Err(syntax(format!("{nic}: empty network name"))),
                None => Target::Network(target.to_string()),
            };
            if out.iter().any(|m| m.nic == nic) {
                return Err(MappingError::Twice { nic: nic.to_string() });
            }
            out.push(Mapping { nic: nic.to_string(), target });
        }
    }
    Ok(out)
}

/// What the mapping decision needs to know about the host.
pub struct Host<'a> {
    pub networks: &'a [NetworkInfo],
    pub bridge_exists: &'a dyn Fn(&str) -> bool,
    /// Refuse inactive networks (not when virt-install only prints XML).
    pub require_active: bool,
}

/// What [`resolve`] decided.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    /// The interfaces to make, in creation order.
    pub attaches: Vec<Attach>,
    /// With auto mapping: the VLANs and bonds under which the image configures no device,
    /// which therefore get no interface (their link or members exist in the guest only).
    pub orphans: Vec<String>,
}

/// The attachments for `configs` (all the image's configs): `manual` mappings, plus with
/// `auto` every other device by the auto rules. In creation order (see the module).
pub fn resolve(
    configs: &[ConfiguredNic],
    manual: &[Mapping],
    auto: bool,
    host: &Host<'_>,
) -> Result<Resolved, MappingError> {
    let stack = Stack::new(configs);
    let named = |n: &str| -> Vec<usize> {
        (0..configs.len()).filter(|&i| configs.get(i).is_some_and(|c| c.name == n)).collect()
    };
    // The devices under each configured name, each device once, by name.
    let devices_under = |n: &str| -> Vec<&str> {
        let mut out: Vec<&str> = named(n)
            .into_iter()
            .flat_map(|i| stack.devices_under(i))
            .filter_map(|d| configs.get(d).map(|c| c.name.as_str()))
            .collect();
        out.sort_by(|a, b| natural_cmp(a, b));
        out.dedup();
        out
    };
    let mut devices: Vec<&str> = configs.iter().filter(|c| c.is_device()).map(|c| c.name.as_str()).collect();
    devices.sort_by(|a, b| natural_cmp(a, b));
    devices.dedup();
    let config = |n: &str| configs.iter().find(|c| c.name == n && c.is_device());

    // (device, target, the mapped name that chose it)
    let mut chosen: Vec<(String, Target, String)> = Vec::new();
    for m in manual {
        let Some(first) = named(&m.nic).first().and_then(|&i| configs.get(i)) else {
            let mut mappable: Vec<&str> =
                configs.iter().filter(|c| !devices_under(&c.name).is_empty()).map(|c| c.name.as_str()).collect();
            mappable.sort_by(|a, b| natural_cmp(a, b));
            mappable.dedup();
            return Err(MappingError::NotInImage { nic: m.nic.clone(), in_image: mappable.join(", ") });
        };
        let under = devices_under(&m.nic);
        if under.is_empty() {
            return Err(MappingError::NoDevice { nic: m.nic.clone(), kind: kind_word(&first.kind) });
        }
        for d in under {
            match chosen.iter().find(|(n, _, _)| n == d) {
                Some((_, t, _)) if *t == m.target => {}
                Some((_, t, by)) => {
                    return Err(MappingError::TwiceThrough {
                        nic: d.to_string(),
                        first: format!("{t} through {by}"),
                        second: format!("{} through {}", m.target, m.nic),
                    });
                }
                None => chosen.push((d.to_string(), m.target.clone(), m.nic.clone())),
            }
        }
    }
    let mut orphans = Vec::new();
    if auto {
        for name in &devices {
            if chosen.iter().any(|(n, _, _)| n == name) {
                continue;
            }
            chosen.push((name.to_string(), auto_target(name, &stack, configs, host.networks)?, name.to_string()));
        }
        for c in configs.iter().filter(|c| matches!(c.kind, LinkKind::Vlan | LinkKind::Bond)) {
            if devices_under(&c.name).is_empty() && !orphans.contains(&c.name) {
                orphans.push(c.name.clone());
            }
        }
    }

    check_targets(chosen.iter().map(|(n, t, _)| (n.as_str(), t)), host)?;

    // Two devices pinned to one MAC: the pairing rule gives its interface to the first only
    // (rejviz-peek --check calls it a problem), and a domain with that MAC twice is no answer.
    let pin = |n: &str| config(n).and_then(|c| c.hwaddr);
    for (i, (second, _, _)) in chosen.iter().enumerate() {
        if let Some(mac) = pin(second)
            && let Some((first, _, _)) = chosen.iter().take(i).find(|(n, _, _)| pin(n) == Some(mac))
        {
            return Err(MappingError::SamePin { first: first.clone(), second: second.clone(), mac });
        }
    }
    // The domain's interfaces in the order that pairs each config with its own (pairing.rs).
    let pins: Vec<Config<'_>> = chosen.iter().map(|(n, _, _)| Config { name: n, mac: pin(n) }).collect();
    let chosen: Vec<(String, Target)> = creation_order(&pins)
        .into_iter()
        .filter_map(|i| chosen.get(i))
        .map(|(n, t, _)| (n.clone(), t.clone()))
        .collect();
    let pinned: Vec<MacAddr> = configs.iter().filter_map(|c| c.hwaddr).collect();
    let macs = MacAddr::given_or_random(
        &chosen.iter().map(|(n, _)| config(n).and_then(|c| c.hwaddr)).collect::<Vec<_>>(),
        &pinned,
    );
    let attaches = chosen
        .into_iter()
        .zip(macs)
        .map(|((nic, target), (mac, mac_generated))| Attach { nic, target, mac, mac_generated })
        .collect();
    Ok(Resolved { attaches, orphans })
}

/// `bond`, `bridge`, `VLAN`, ... for messages.
fn kind_word(kind: &LinkKind) -> String {
    match kind {
        LinkKind::Ethernet => "NIC".into(),
        LinkKind::Loopback => "loopback".into(),
        LinkKind::Vlan => "VLAN".into(),
        LinkKind::Bond => "bond".into(),
        LinkKind::Bridge => "bridge".into(),
        LinkKind::Other(w) => w.clone(),
    }
}

/// Each target must exist on the host (and a network be active when `require_active`).
/// Called before the image is read for manual mappings, and again for the final choice.
pub fn check_targets<'a>(
    targets: impl IntoIterator<Item = (&'a str, &'a Target)>,
    host: &Host<'_>,
) -> Result<(), MappingError> {
    for (nic, target) in targets {
        match target {
            Target::Network(net) => match host.networks.iter().find(|n| &n.name == net) {
                None => {
                    let known = host.networks.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ");
                    return Err(MappingError::UnknownNetwork { nic: nic.to_string(), net: net.clone(), known });
                }
                Some(n) if host.require_active && !n.active => {
                    return Err(MappingError::Inactive { nic: nic.to_string(), net: net.clone() });
                }
                Some(_) => {}
            },
            Target::Bridge(b) => {
                if !(host.bridge_exists)(b) {
                    return Err(MappingError::UnknownBridge { nic: nic.to_string(), bridge: b.clone() });
                }
            }
        }
    }
    Ok(())
}

/// The network of device `name` by the auto rules, from everything it carries: its own
/// configs and every config that stands on them.
fn auto_target(
    name: &str,
    stack: &Stack<'_>,
    configs: &[ConfiguredNic],
    networks: &[NetworkInfo],
) -> Result<Target, MappingError> {
    let nic = name.to_string();
    let own: Vec<usize> =
        (0..configs.len()).filter(|&i| configs.get(i).is_some_and(|c| c.name == name && c.is_device())).collect();
    let mut carried: Vec<usize> = own.clone();
    for &i in &own {
        for j in stack.above(i) {
            if !carried.contains(&j) {
                carried.push(j);
            }
        }
    }
    let carried: Vec<&ConfiguredNic> = carried.iter().filter_map(|&i| configs.get(i)).collect();
    let on = |c: &ConfiguredNic| if c.name == name { String::new() } else { format!(" on {}", c.name) };
    let addrs: Vec<(Ipv4Net, &ConfiguredNic)> = carried.iter().filter_map(|c| Some((c.ipv4?, *c))).collect();
    let dhcp: Vec<&ConfiguredNic> = carried.iter().copied().filter(|c| c.bootproto == Bootproto::Dhcp).collect();
    let by = mapped_by(name, configs);
    if !addrs.is_empty() {
        let mut parts: Vec<String> = addrs.iter().map(|(a, c)| format!("{a}{}", on(c))).collect();
        parts.extend(dhcp.iter().map(|c| format!("DHCP{}", on(c))));
        let carries = parts.join(", ");
        let what = match (addrs.len(), dhcp.is_empty()) {
            (1, true) => "this address",
            (1, false) => "this address and serves DHCP",
            (_, true) => "all these addresses",
            (_, false) => "all these addresses and serves DHCP",
        };
        let holding: Vec<&NetworkInfo> = networks
            .iter()
            .filter(|n| {
                addrs.iter().all(|(a, _)| n.ipv4.iter().any(|net| net.trunc().contains(&a.addr())))
                    && (dhcp.is_empty() || n.dhcp)
            })
            .collect();
        return match holding.as_slice() {
            [one] => Ok(Target::Network(one.name.clone())),
            [] => Err(MappingError::NoSubnet {
                nic,
                carries,
                what,
                by,
                networks: networks
                    .iter()
                    .map(|n| {
                        let subnets: Vec<String> = n.ipv4.iter().map(|s| s.trunc().to_string()).collect();
                        if subnets.is_empty() {
                            format!("{} (no IPv4)", n.name)
                        } else {
                            format!("{} {}", n.name, subnets.join(" "))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            many => Err(MappingError::Ambiguous {
                nic,
                carries,
                what,
                by,
                candidates: many.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", "),
            }),
        };
    }
    if let Some(first) = dhcp.first() {
        return match networks.iter().find(|n| n.name == "default") {
            Some(d) if d.dhcp => Ok(Target::Network(d.name.clone())),
            _ => {
                let on = if first.name == name { String::new() } else { format!(" (through {})", first.name) };
                Err(MappingError::NoDefault { nic, on, by })
            }
        };
    }
    let others: Vec<&str> = carried.iter().filter(|c| c.name != name).map(|c| c.name.as_str()).collect();
    let nor = if others.is_empty() { String::new() } else { format!(", nor has {} it carries", others.join(", ")) };
    Err(MappingError::Unconfigured { nic, nor, by })
}

/// The name to suggest for mapping device `name` by hand: its outermost bond or bridge
/// (mapping it maps all its members), else the device itself.
fn mapped_by(name: &str, configs: &[ConfiguredNic]) -> String {
    let mut at = name;
    let mut seen: Vec<&str> = vec![name];
    while let Some(master) = configs.iter().find(|c| c.name == at).and_then(|c| c.master.as_deref()) {
        if seen.contains(&master) || !configs.iter().any(|c| c.name == master) {
            break;
        }
        seen.push(master);
        at = master;
    }
    at.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str, mac: Option<&str>, ipv4: Option<&str>) -> ConfiguredNic {
        let mut c = ConfiguredNic::new(name, &format!("/f/ifcfg-{name}"), crate::guestconf::Format::Ifcfg);
        c.hwaddr = mac.map(|m| m.parse().unwrap());
        c.bootproto = if ipv4.is_some() { Bootproto::Static } else { Bootproto::Dhcp };
        c.ipv4 = ipv4.map(|a| a.parse().unwrap());
        c
    }
    fn net(name: &str, subnets: &[&str], dhcp: bool, active: bool) -> NetworkInfo {
        NetworkInfo { name: name.into(), active, ipv4: subnets.iter().map(|s| s.parse().unwrap()).collect(), dhcp }
    }
    fn nets() -> Vec<NetworkInfo> {
        vec![
            net("default", &["192.168.122.1/24"], true, true),
            net("lab", &["10.0.0.1/16"], false, true),
            net("lab-small", &["10.0.5.1/24"], false, true),
            net("store", &["172.16.0.1/24"], false, false),
        ]
    }
    fn host<'a>(n: &'a [NetworkInfo], bridge: &'a dyn Fn(&str) -> bool) -> Host<'a> {
        Host { networks: n, bridge_exists: bridge, require_active: true }
    }
    const M1: &str = "52:54:00:00:00:01";
    const M2: &str = "52:54:00:00:00:02";

    #[test]
    fn parses_mappings() {
        let m = parse_mappings(&["eth0=lab,eth1=bridge:br0", "eth2=default"]).unwrap();
        assert_eq!(
            m,
            vec![
                Mapping { nic: "eth0".into(), target: Target::Network("lab".into()) },
                Mapping { nic: "eth1".into(), target: Target::Bridge("br0".into()) },
                Mapping { nic: "eth2".into(), target: Target::Network("default".into()) },
            ]
        );
        let err = |v: &[&str]| parse_mappings(v).unwrap_err().to_string();
        assert_eq!(err(&["eth0"]), "--nic-mappings 'eth0': 'eth0' is not NAME=TARGET");
        assert_eq!(err(&["eth0="]), "--nic-mappings 'eth0=': eth0: empty network name");
        assert_eq!(err(&["eth0=bridge:"]), "--nic-mappings 'eth0=bridge:': eth0: empty bridge name");
        assert_eq!(err(&["eth/0=x"]), "--nic-mappings 'eth/0=x': 'eth/0' contains '/', which an interface name cannot");
        assert_eq!(err(&["eth0=a", "eth0=b"]), "--nic-mappings: eth0 is mapped twice");
        assert_eq!(err(&[""]), "--nic-mappings '': empty option (expected key=value[,key=value]...)");
        assert_eq!(
            err(&["eth0=lab\n,eth1=x"]),
            "--nic-mappings 'eth0=lab\\n,eth1=x': contains a control character, which no NAME or TARGET can"
        );
        assert_eq!(
            err(&["eth0=bridge:\x1b[2Jbr0"]),
            "--nic-mappings 'eth0=bridge:\\u{1b}[2Jbr0': contains a control character, which no NAME or TARGET can"
        );
    }

    #[test]
    fn auto_by_subnet_and_default_dhcp_in_natural_order() {
        let n = nets();
        let no_bridge = |_: &str| false;
        let configs = [
            cfg("eth10", Some(M1), Some("192.168.122.9/24")),
            cfg("eth2", Some(M2), Some("10.0.9.9/16")),
            cfg("eth0", None, None),
        ];
        let a = resolve(&configs, &[], true, &host(&n, &no_bridge)).unwrap().attaches;
        let got: Vec<(&str, String, bool)> =
            a.iter().map(|x| (x.nic.as_str(), x.target.to_string(), x.mac_generated)).collect();
        assert_eq!(
            got,
            [
                // eth2 third (the kernel's eth2, pairing.rs); eth10 in the free place.
                ("eth0", "network default".into(), true),
                ("eth10", "network default".into(), false),
                ("eth2", "network lab".into(), false)
            ]
        );
        assert_eq!(a[2].network_arg(), format!("network=lab,mac={M2},model=virtio"));
        assert_eq!(&a[0].mac.octets()[..3], &[0x52, 0x54, 0]);
    }

    #[test]
    fn manual_wins_and_bridges() {
        let n = nets();
        let br = |b: &str| b == "br0";
        let configs = [cfg("eth0", Some(M1), Some("192.168.122.9/24")), cfg("eth1", Some(M2), None)];
        let manual = parse_mappings(&["eth0=lab,eth1=bridge:br0"]).unwrap();
        let a = resolve(&configs, &manual, true, &host(&n, &br)).unwrap().attaches;
        assert_eq!(a[0].network_arg(), format!("network=lab,mac={M1},model=virtio"));
        assert_eq!(a[1].network_arg(), format!("bridge=br0,mac={M2},model=virtio"));
        // Without auto, only the mapped NICs are attached.
        let a = resolve(&configs, &manual[..1], false, &host(&n, &br)).unwrap().attaches;
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn errors() {
        let n = nets();
        let br = |b: &str| b == "br0";
        let err = |configs: &[ConfiguredNic], manual: &[&str], auto: bool| {
            resolve(configs, &parse_mappings(manual).unwrap(), auto, &host(&n, &br)).unwrap_err().to_string()
        };
        let c = [cfg("eth0", Some(M1), Some("10.0.5.7/16"))];
        assert_eq!(
            err(&c, &[], true),
            "eth0 (10.0.5.7/16): more than one network holds this address: lab, lab-small; map it with --nic-mappings eth0=NETWORK"
        );
        let c = [cfg("eth0", Some(M1), Some("10.9.9.9/24"))];
        assert_eq!(
            err(&c, &[], true),
            "eth0 (10.9.9.9/24): no network's subnet holds this address (networks: default 192.168.122.0/24, lab 10.0.0.0/16, lab-small 10.0.5.0/24, store 172.16.0.0/24); map it with --nic-mappings eth0=NETWORK"
        );
        assert_eq!(
            err(&c, &["eth0=nope"], false),
            "eth0: no libvirt network named 'nope' (networks: default, lab, lab-small, store)"
        );
        assert_eq!(err(&c, &["eth0=bridge:br9"], false), "eth0: no host bridge named 'br9'");
        assert_eq!(
            err(&c, &["eth0=store"], false),
            "eth0: network store is not active (start it: virsh net-start store)"
        );
        assert_eq!(err(&c, &["eth7=lab"], false), "eth7: the image configures no such interface (it has: eth0)");
        let no_default = vec![net("lab", &["10.0.0.1/16"], true, true)];
        let e = resolve(&[cfg("eth0", None, None)], &[], true, &host(&no_default, &br)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "eth0 uses DHCP and there is no network 'default' serving DHCP; map it with --nic-mappings eth0=NETWORK"
        );
        let mut unconf = cfg("eth3", None, None);
        unconf.bootproto = Bootproto::None;
        assert!(matches!(resolve(&[unconf], &[], true, &host(&n, &br)), Err(MappingError::Unconfigured { .. })));
    }

    /// The lab: eth0 plain; eth1+eth2 in bond0 (no address) with VLAN bond0.100; eth3 a
    /// trunk with two VLANs; eth4 in bridge br0, whose address it carries.
    fn lab() -> Vec<ConfiguredNic> {
        use crate::guestconf::LinkKind;
        let kind = |mut c: ConfiguredNic, k: LinkKind| {
            c.kind = k;
            c
        };
        let member = |name: &str, mac: &str, master: &str| {
            let mut c = cfg(name, Some(mac), None);
            c.bootproto = Bootproto::None;
            c.master = Some(master.into());
            c
        };
        let vlan = |name: &str, link: &str, ipv4: &str| {
            let mut c = kind(cfg(name, None, Some(ipv4)), LinkKind::Vlan);
            c.link = Some(link.into());
            c
        };
        let mut bond0 = kind(cfg("bond0", None, None), LinkKind::Bond);
        bond0.bootproto = Bootproto::None;
        bond0.members = vec!["eth1".into(), "eth2".into()];
        let mut eth3 = cfg("eth3", Some("52:54:00:00:00:03"), None);
        eth3.bootproto = Bootproto::None;
        let mut br0 = kind(cfg("br0", None, Some("10.77.0.9/24")), LinkKind::Bridge);
        br0.members = vec!["eth4".into()];
        vec![
            bond0,
            vlan("bond0.100", "bond0", "172.16.100.5/24"),
            br0,
            cfg("eth0", Some(M1), Some("192.168.122.9/24")),
            member("eth1", "52:54:00:00:00:11", "bond0"),
            member("eth2", "52:54:00:00:00:12", "bond0"),
            eth3,
            vlan("eth3.10", "eth3", "172.16.10.5/24"),
            vlan("eth3.20", "eth3", "172.16.20.5/24"),
            member("eth4", "52:54:00:00:00:14", "br0"),
            kind(cfg("lo", None, Some("127.0.0.1/8")), LinkKind::Loopback),
        ]
    }
    fn lab_nets() -> Vec<NetworkInfo> {
        let mut n = nets();
        n.push(net("vlans", &["172.16.100.1/24"], false, true));
        n.push(net("trunk", &["172.16.10.1/24", "172.16.20.1/24"], false, true));
        n.push(net("bridged", &["10.77.0.1/24"], false, true));
        n
    }
    fn got(a: &[Attach]) -> Vec<(String, String, String)> {
        a.iter().map(|x| (x.nic.clone(), x.target.to_string(), x.mac.to_string())).collect()
    }
    fn t(nic: &str, target: &str, mac: &str) -> (String, String, String) {
        (nic.into(), target.into(), mac.into())
    }

    /// Only devices get interfaces; each is mapped by what it carries: the members by their
    /// bond's VLAN, the trunk by the one network holding both VLANs' subnets, the bridge
    /// member by the bridge's address.
    #[test]
    fn auto_maps_devices_by_what_they_carry() {
        let n = lab_nets();
        let no_bridge = |_: &str| false;
        let r = resolve(&lab(), &[], true, &host(&n, &no_bridge)).unwrap();
        assert_eq!(
            got(&r.attaches),
            [
                t("eth0", "network default", M1),
                t("eth1", "network vlans", "52:54:00:00:00:11"),
                t("eth2", "network vlans", "52:54:00:00:00:12"),
                t("eth3", "network trunk", "52:54:00:00:00:03"),
                t("eth4", "network bridged", "52:54:00:00:00:14"),
            ]
        );
        assert!(r.orphans.is_empty());
    }

    /// A bond's name maps all its members; a VLAN's maps the devices under it; a device
    /// reached twice must get one target.
    #[test]
    fn manual_through_masters_and_vlans() {
        let n = lab_nets();
        let no_bridge = |_: &str| false;
        let r = |m: &[&str]| resolve(&lab(), &parse_mappings(m).unwrap(), false, &host(&n, &no_bridge));
        // (In creation order: eth1 as the kernel's eth1, eth2 in the free place before it.)
        let a = r(&["bond0=lab"]).unwrap().attaches;
        assert_eq!(
            got(&a),
            [t("eth2", "network lab", "52:54:00:00:00:12"), t("eth1", "network lab", "52:54:00:00:00:11")]
        );
        let a = r(&["bond0.100=lab,eth3.10=default"]).unwrap().attaches;
        assert_eq!(a.iter().map(|x| x.nic.as_str()).collect::<Vec<_>>(), ["eth3", "eth1", "eth2"]);
        // Twice, same target: fine; another target: an error naming both ways.
        assert!(r(&["bond0=lab,eth1=lab"]).is_ok());
        assert_eq!(
            r(&["bond0=lab,eth1=default"]).unwrap_err().to_string(),
            "eth1 is mapped twice: to network lab through bond0 and to network default through eth1"
        );
        assert_eq!(
            r(&["lo=lab"]).unwrap_err().to_string(),
            "lo: the image configures no NIC under this loopback (no member, no link): nothing to attach"
        );
        assert_eq!(
            r(&["eth9=lab"]).unwrap_err().to_string(),
            "eth9: the image configures no such interface (it has: bond0, bond0.100, br0, eth0, eth1, eth2, eth3, eth3.10, eth3.20, eth4)"
        );
    }

    /// What no rule decides is an error that says what the device carries and which name to
    /// map by hand (the outermost master: it maps every member).
    #[test]
    fn topology_errors_say_which() {
        let no_bridge = |_: &str| false;
        let err = |configs: &[ConfiguredNic], n: &[NetworkInfo]| {
            resolve(configs, &[], true, &host(n, &no_bridge)).unwrap_err().to_string()
        };
        let n = nets();
        // eth1 (first member in natural order) carries bond0.100, which no network holds.
        let mut only_bond = lab();
        only_bond.retain(|c| ["bond0", "bond0.100", "eth1", "eth2"].contains(&c.name.as_str()));
        assert_eq!(
            err(&only_bond, &n),
            "eth1 (172.16.100.5/24 on bond0.100): no network's subnet holds this address (networks: default 192.168.122.0/24, lab 10.0.0.0/16, lab-small 10.0.5.0/24, store 172.16.0.0/24); map it with --nic-mappings bond0=NETWORK"
        );
        // A trunk: one network must hold both VLANs' subnets.
        let mut trunk = lab();
        trunk.retain(|c| c.name.starts_with("eth3"));
        let split = vec![net("v10", &["172.16.10.1/24"], false, true), net("v20", &["172.16.20.1/24"], false, true)];
        assert_eq!(
            err(&trunk, &split),
            "eth3 (172.16.10.5/24 on eth3.10, 172.16.20.5/24 on eth3.20): no network's subnet holds all these addresses (networks: v10 172.16.10.0/24, v20 172.16.20.0/24); map it with --nic-mappings eth3=NETWORK"
        );
        let twice = vec![
            net("t1", &["172.16.10.1/24", "172.16.20.1/24"], false, true),
            net("t2", &["172.16.0.1/16"], false, true),
        ];
        assert_eq!(
            err(&trunk, &twice),
            "eth3 (172.16.10.5/24 on eth3.10, 172.16.20.5/24 on eth3.20): more than one network holds all these addresses: t1, t2; map it with --nic-mappings eth3=NETWORK"
        );
        // A DHCP bond: its members go to default; without one, the message says through what.
        let mut dhcp = only_bond.clone();
        dhcp.retain(|c| c.name != "bond0.100");
        dhcp[0].bootproto = Bootproto::Dhcp;
        let r = resolve(&dhcp, &[], true, &host(&n, &no_bridge)).unwrap();
        assert!(r.attaches.iter().all(|a| a.target == Target::Network("default".into())));
        assert_eq!(
            err(&dhcp, &n[1..]),
            "eth1 uses DHCP (through bond0) and there is no network 'default' serving DHCP; map it with --nic-mappings bond0=NETWORK"
        );
        // Nothing with an address anywhere.
        dhcp[0].bootproto = Bootproto::None;
        assert_eq!(
            err(&dhcp, &n),
            "eth1 has neither DHCP nor a static address, nor has bond0 it carries; map it with --nic-mappings bond0=NETWORK"
        );
        // A VLAN whose link the image does not configure: no interface, said as an orphan.
        let mut orphan = lab();
        orphan.retain(|c| c.name == "eth3.10" || c.name == "eth0");
        let r = resolve(&orphan, &[], true, &host(&lab_nets(), &no_bridge)).unwrap();
        assert_eq!((r.attaches.len(), r.orphans.as_slice()), (1, &["eth3.10".to_string()][..]));
    }
}
