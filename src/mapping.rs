//! Which libvirt network (or host bridge) each of an image's NICs is attached to.
//!
//! Manual mappings (`--nic-mappings eth0=NET,eth1=bridge:br0`) win. With auto mapping, each
//! static NIC goes to the one network whose IPv4 subnet holds its address, and each DHCP NIC
//! to the network `default` when it exists and serves DHCP. The result is in the order the
//! new domain's interfaces are made ([`crate::pairing::creation_order`]: the one pairing
//! rule then gives each config its own), each with the MAC the guest config expects.

use std::fmt;

use crate::guestconf::{Bootproto, ConfiguredNic};
use crate::libvirt::NetworkInfo;
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
    #[error(
        "{nic} ({addr}): more than one network holds this address: {candidates}; map it with --nic-mappings {nic}=NETWORK"
    )]
    Ambiguous { nic: String, addr: String, candidates: String },
    #[error(
        "{nic} ({addr}): no network's subnet holds this address (networks: {networks}); map it with --nic-mappings {nic}=NETWORK"
    )]
    NoSubnet { nic: String, addr: String, networks: String },
    #[error("{nic} uses DHCP and there is no network 'default' serving DHCP; map it with --nic-mappings {nic}=NETWORK")]
    NoDefault { nic: String },
    #[error("{nic} has neither DHCP nor a static address; map it with --nic-mappings {nic}=NETWORK")]
    Unconfigured { nic: String },
    #[error("--nic {nic}: domain {domain} has no interface left to take a MAC from; give hwaddr=")]
    NoDomainMac { nic: String, domain: String },
}

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
            let target = match target.strip_prefix("bridge:") {
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

/// The attachments for `configs` (the image's Ethernet configs): `manual` mappings, plus
/// with `auto` every other NIC by the auto rules. In creation order (see the module).
pub fn resolve(
    configs: &[ConfiguredNic],
    manual: &[Mapping],
    auto: bool,
    host: &Host<'_>,
) -> Result<Vec<Attach>, MappingError> {
    let mut names: Vec<&str> = configs.iter().map(|c| c.name.as_str()).collect();
    names.sort_by(|a, b| natural_cmp(a, b));
    names.dedup();
    let config = |n: &str| configs.iter().find(|c| c.name == n);

    let mut chosen: Vec<(String, Target)> = Vec::new();
    for m in manual {
        if config(&m.nic).is_none() {
            return Err(MappingError::NotInImage { nic: m.nic.clone(), in_image: names.join(", ") });
        }
        chosen.push((m.nic.clone(), m.target.clone()));
    }
    if auto {
        for name in &names {
            if chosen.iter().any(|(n, _)| n == name) {
                continue;
            }
            let Some(c) = config(name) else { continue };
            chosen.push((name.to_string(), auto_target(c, host.networks)?));
        }
    }

    check_targets(chosen.iter().map(|(n, t)| (n.as_str(), t)), host)?;

    // The domain's interfaces in the order that pairs each config with its own (pairing.rs).
    let pins: Vec<Config<'_>> =
        chosen.iter().map(|(n, _)| Config { name: n, mac: config(n).and_then(|c| c.hwaddr) }).collect();
    let chosen: Vec<(String, Target)> =
        creation_order(&pins).into_iter().filter_map(|i| chosen.get(i).cloned()).collect();
    let pinned: Vec<MacAddr> = configs.iter().filter_map(|c| c.hwaddr).collect();
    let macs = MacAddr::given_or_random(
        &chosen.iter().map(|(n, _)| config(n).and_then(|c| c.hwaddr)).collect::<Vec<_>>(),
        &pinned,
    );
    Ok(chosen
        .into_iter()
        .zip(macs)
        .map(|((nic, target), (mac, mac_generated))| Attach { nic, target, mac, mac_generated })
        .collect())
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

fn auto_target(c: &ConfiguredNic, networks: &[NetworkInfo]) -> Result<Target, MappingError> {
    let nic = c.name.clone();
    if let Some(addr) = c.ipv4 {
        let holding: Vec<&NetworkInfo> =
            networks.iter().filter(|n| n.ipv4.iter().any(|net| net.trunc().contains(&addr.addr()))).collect();
        return match holding.as_slice() {
            [one] => Ok(Target::Network(one.name.clone())),
            [] => Err(MappingError::NoSubnet {
                nic,
                addr: addr.to_string(),
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
                addr: addr.to_string(),
                candidates: many.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", "),
            }),
        };
    }
    if c.bootproto == Bootproto::Dhcp {
        return match networks.iter().find(|n| n.name == "default") {
            Some(d) if d.dhcp => Ok(Target::Network(d.name.clone())),
            _ => Err(MappingError::NoDefault { nic }),
        };
    }
    Err(MappingError::Unconfigured { nic })
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
        let a = resolve(&configs, &[], true, &host(&n, &no_bridge)).unwrap();
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
        let a = resolve(&configs, &manual, true, &host(&n, &br)).unwrap();
        assert_eq!(a[0].network_arg(), format!("network=lab,mac={M1},model=virtio"));
        assert_eq!(a[1].network_arg(), format!("bridge=br0,mac={M2},model=virtio"));
        // Without auto, only the mapped NICs are attached.
        let a = resolve(&configs, &manual[..1], false, &host(&n, &br)).unwrap();
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
}
