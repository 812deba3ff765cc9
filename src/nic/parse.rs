//! `--nic name=NAME[,key=VALUE]...` → [`Nic`].
//!
//! Stages, each with its own errors: the option-list syntax ([`OptList`]), each key's value
//! type, the inference rules (DHCP or static, mask, network, broadcast), then the checks
//! across all NICs of a call (names and MACs unique) and the random MACs.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net, ipv4_mask_to_prefix};

use super::{
    IfNameError, Ipv4Config, Ipv6Config, MacAddr, MacError, MaskStyle, Nic, StaticIpv4, StaticWord, shown,
    validate_ifname,
};
use crate::guestconf::Format;
use crate::optlist::{OptList, OptListError};

/// Every key `--nic` knows, in the order `--help` lists them.
pub const NIC_KEYS: &[&str] = &[
    "name",
    "hwaddr",
    "bootproto",
    "ipaddr",
    "network",
    "netmask",
    "broadcast",
    "gateway",
    "dns1",
    "dns2",
    "mtu",
    "onboot",
    "ipv6",
    "ipv6gw",
    "format",
];

/// Prefix length used when `ipaddr` has none and no `netmask` is given.
pub const DEFAULT_PREFIX: u8 = 24;

/// A bad `--nic`: which one, which key, and why. Displays as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NicError {
    /// The NIC's name, or `#N 'VALUE'` when the name is missing or unreadable.
    pub nic: String,
    pub key: Option<String>,
    pub problem: NicProblem,
}

impl fmt::Display for NicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            // Syntax errors already name their key.
            Some(key) if !matches!(self.problem, NicProblem::Syntax(_)) => {
                write!(f, "--nic {}: {}: {}", shown(&self.nic), shown(key), self.problem)
            }
            _ => write!(f, "--nic {}: {}", shown(&self.nic), self.problem),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NicProblem {
    #[error("{0}")]
    Syntax(OptListError),
    #[error("missing name= (every --nic needs name=NAME)")]
    MissingName,
    #[error("{0}")]
    Name(IfNameError),
    #[error("{0}")]
    Mac(MacError),
    #[error("'{}' is not an IPv4 address", shown(.0))]
    Ipv4(String),
    #[error("prefix '{}' is not a number from 0 to 32", shown(.0))]
    Prefix(String),
    #[error("'{}' is not a contiguous netmask", shown(.0))]
    Netmask(String),
    #[error("'{}' is not one of dhcp, static, none", shown(.0))]
    Bootproto(String),
    #[error("static configuration needs ipaddr=")]
    StaticWithoutIpaddr,
    #[error("bootproto=dhcp cannot have ipaddr= (drop one of them)")]
    DhcpWithIpaddr,
    #[error("only makes sense with ipaddr= (without it the NIC uses DHCP)")]
    NeedsIpaddr,
    #[error("{given} contradicts {addr}, whose {what} is {computed}")]
    Contradicts { given: Ipv4Addr, addr: Ipv4Net, what: &'static str, computed: Ipv4Addr },
    #[error("netmask {netmask} contradicts the prefix /{prefix} of ipaddr")]
    MaskVsPrefix { netmask: Ipv4Addr, prefix: u8 },
    #[error("{0} is the {1} address of its network, not a host address")]
    NotHost(Ipv4Net, &'static str),
    #[error("{gateway} is not a host in {net} (other than the NIC's own address)")]
    GatewayOutside { gateway: Ipv4Addr, net: Ipv4Net },
    #[error("'{}' is not a number from 68 to 65535", shown(.0))]
    Mtu(String),
    #[error("'{}' is not yes or no", shown(.0))]
    YesNo(String),
    #[error("'{}' is not auto, dhcp or an IPv6 address with its prefix (ADDR/PREFIX)", shown(.0))]
    Ipv6(String),
    #[error("'{}' is not an IPv6 address", shown(.0))]
    Ipv6Addr(String),
    #[error("needs a static ipv6=ADDR/PREFIX")]
    Ipv6GwWithoutStatic,
    /// Already one line: [`Format`]'s parser shows the value it quotes.
    #[error("{0}")]
    Format(String),
    #[error("{format} cannot express {}; choose another format (format= or --nic-format)", shown(.what))]
    Unsupported { format: Format, what: String },
    #[error("interface {} is already configured by an earlier --nic", shown(.0))]
    DuplicateName(String),
    #[error("{mac} is already used by --nic {}", shown(.other))]
    DuplicateMac { mac: MacAddr, other: String },
}

/// Parses every `--nic` value of one call, in order, into NICs with unique names and MACs.
/// NICs without `hwaddr` get a random `52:54:00:xx:xx:xx` address unused by the others.
pub fn parse_nics<S: AsRef<str>>(values: &[S]) -> Result<Vec<Nic>, NicError> {
    let mut drafts: Vec<Draft> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let d = parse_one(i, value.as_ref())?;
        let err = |key: &str, problem| Err(NicError { nic: d.name.clone(), key: Some(key.into()), problem });
        if drafts.iter().any(|o| o.name == d.name) {
            return err("name", NicProblem::DuplicateName(d.name.clone()));
        }
        if let Some(mac) = d.hwaddr
            && let Some(other) = drafts.iter().find(|o| o.hwaddr == Some(mac))
        {
            return err("hwaddr", NicProblem::DuplicateMac { mac, other: other.name.clone() });
        }
        drafts.push(d);
    }
    // Random MACs last, so that they avoid every address the user gave, whatever the order.
    let mut taken: Vec<MacAddr> = drafts.iter().filter_map(|d| d.hwaddr).collect();
    let mut nics = Vec::with_capacity(drafts.len());
    for d in drafts {
        let (hwaddr, hwaddr_generated) = match d.hwaddr {
            Some(mac) => (mac, false),
            None => {
                let mac = MacAddr::random_kvm(&taken);
                taken.push(mac);
                (mac, true)
            }
        };
        nics.push(Nic {
            name: d.name,
            hwaddr,
            hwaddr_generated,
            ipv4: d.ipv4,
            dns: d.dns,
            mtu: d.mtu,
            onboot: d.onboot,
            ipv6: d.ipv6,
            format: d.format,
        });
    }
    Ok(nics)
}

/// A NIC before the checks across NICs and before its MAC is generated.
struct Draft {
    name: String,
    hwaddr: Option<MacAddr>,
    ipv4: Ipv4Config,
    dns: Vec<Ipv4Addr>,
    mtu: Option<u32>,
    onboot: bool,
    ipv6: Option<Ipv6Config>,
    format: Option<Format>,
}

/// One `--nic` value, checked on its own.
fn parse_one(index: usize, value: &str) -> Result<Draft, NicError> {
    let anonymous = || format!("#{} '{}'", index + 1, value);
    let list = OptList::parse(value, NIC_KEYS).map_err(|e| NicError {
        // Name the NIC when its name can be read despite the error elsewhere.
        nic: value
            .split(',')
            .find_map(|item| item.strip_prefix("name="))
            .filter(|n| validate_ifname(n).is_ok())
            .map(str::to_string)
            .unwrap_or_else(anonymous),
        key: e.key().map(str::to_string),
        problem: NicProblem::Syntax(e),
    })?;

    let Some(name) = list.get("name") else {
        return Err(NicError { nic: anonymous(), key: None, problem: NicProblem::MissingName });
    };
    let fail = |key: &str, problem: NicProblem| NicError { nic: name.to_string(), key: Some(key.into()), problem };
    validate_ifname(name).map_err(|e| NicError {
        nic: anonymous(),
        key: Some("name".into()),
        problem: NicProblem::Name(e),
    })?;

    let ipv4 = |key: &str| -> Result<Option<Ipv4Addr>, NicError> {
        list.get(key).map(|v| v.parse::<Ipv4Addr>().map_err(|_| fail(key, NicProblem::Ipv4(v.to_string())))).transpose()
    };

    let hwaddr =
        list.get("hwaddr").map(|v| v.parse::<MacAddr>().map_err(|e| fail("hwaddr", NicProblem::Mac(e)))).transpose()?;

    #[derive(PartialEq)]
    enum Proto {
        Dhcp,
        Static(StaticWord),
    }
    let bootproto = match list.get("bootproto").map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("dhcp") => Some(Proto::Dhcp),
        Some("static") => Some(Proto::Static(StaticWord::Static)),
        Some("none") => Some(Proto::Static(StaticWord::None)),
        Some(_) => return Err(fail("bootproto", NicProblem::Bootproto(list.get("bootproto").unwrap_or("").into()))),
    };

    // ipaddr=A or ipaddr=A/N
    let ipaddr = match list.get("ipaddr") {
        None => None,
        Some(v) => {
            let (a, p) = match v.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (v, None),
            };
            let addr: Ipv4Addr = a.parse().map_err(|_| fail("ipaddr", NicProblem::Ipv4(a.to_string())))?;
            let prefix = p
                .map(|p| match p.parse::<u8>() {
                    Ok(n) if n <= 32 && p.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                    _ => Err(fail("ipaddr", NicProblem::Prefix(p.to_string()))),
                })
                .transpose()?;
            Some((addr, prefix))
        }
    };
    let netmask = match ipv4("netmask")? {
        None => None,
        Some(m) => Some((m, ipv4_mask_to_prefix(m).map_err(|_| fail("netmask", NicProblem::Netmask(m.to_string())))?)),
    };
    let network = ipv4("network")?;
    let broadcast = ipv4("broadcast")?;
    let gateway = ipv4("gateway")?;
    let dns: Vec<Ipv4Addr> = [ipv4("dns1")?, ipv4("dns2")?].into_iter().flatten().collect();

    let ipv4 = match (ipaddr, bootproto) {
        (None, Some(Proto::Static(_))) => return Err(fail("bootproto", NicProblem::StaticWithoutIpaddr)),
        (None, _) => {
            if let Some(key) =
                ["netmask", "network", "broadcast", "gateway"].into_iter().find(|k| list.get(k).is_some())
            {
                return Err(fail(key, NicProblem::NeedsIpaddr));
            }
            Ipv4Config::Dhcp
        }
        (Some(_), Some(Proto::Dhcp)) => return Err(fail("bootproto", NicProblem::DhcpWithIpaddr)),
        (Some((addr, prefix)), proto) => {
            let word = match proto {
                Some(Proto::Static(w)) => w,
                _ => StaticWord::Static,
            };
            let (prefix, mask_style) = match (prefix, netmask) {
                (Some(p), Some((m, mp))) if p != mp => {
                    return Err(fail("netmask", NicProblem::MaskVsPrefix { netmask: m, prefix: p }));
                }
                (Some(p), _) => (p, MaskStyle::Prefix),
                (None, Some((_, mp))) => (mp, MaskStyle::Netmask),
                (None, None) => (DEFAULT_PREFIX, MaskStyle::Prefix),
            };
            // Cannot fail: prefix <= 32 was checked above.
            let net = Ipv4Net::new(addr, prefix).map_err(|_| fail("ipaddr", NicProblem::Prefix(prefix.to_string())))?;
            if prefix <= 30 {
                if addr == net.network() {
                    return Err(fail("ipaddr", NicProblem::NotHost(net, "network")));
                }
                if addr == net.broadcast() {
                    return Err(fail("ipaddr", NicProblem::NotHost(net, "broadcast")));
                }
            }
            for (key, given, computed) in
                [("network", network, net.network()), ("broadcast", broadcast, net.broadcast())]
            {
                if let Some(given) = given.filter(|g| *g != computed) {
                    return Err(fail(key, NicProblem::Contradicts { given, addr: net, what: key, computed }));
                }
            }
            if let Some(gw) = gateway {
                let in_net =
                    net.contains(&gw) && gw != addr && (prefix > 30 || (gw != net.network() && gw != net.broadcast()));
                if !in_net {
                    return Err(fail("gateway", NicProblem::GatewayOutside { gateway: gw, net: net.trunc() }));
                }
            }
            Ipv4Config::Static(StaticIpv4 { addr: net, mask_style, word, gateway })
        }
    };

    let mtu = list
        .get("mtu")
        .map(|v| match v.parse::<u32>() {
            Ok(m) if (68..=65535).contains(&m) && v.bytes().all(|b| b.is_ascii_digit()) => Ok(m),
            _ => Err(fail("mtu", NicProblem::Mtu(v.into()))),
        })
        .transpose()?;
    let onboot = match list.get("onboot").map(str::to_ascii_lowercase).as_deref() {
        None | Some("yes") => true,
        Some("no") => false,
        Some(_) => return Err(fail("onboot", NicProblem::YesNo(list.get("onboot").unwrap_or("").into()))),
    };
    let ipv6gw = list
        .get("ipv6gw")
        .map(|v| v.parse::<Ipv6Addr>().map_err(|_| fail("ipv6gw", NicProblem::Ipv6Addr(v.into()))))
        .transpose()?;
    let ipv6 = match list.get("ipv6") {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("auto") => Some(Ipv6Config::Auto),
        Some(v) if v.eq_ignore_ascii_case("dhcp") => Some(Ipv6Config::Dhcp),
        Some(v) => {
            let addr = v
                .parse::<Ipv6Net>()
                .ok()
                .filter(|n| !n.addr().is_multicast() && !n.addr().is_unspecified())
                .ok_or_else(|| fail("ipv6", NicProblem::Ipv6(v.into())))?;
            Some(Ipv6Config::Static { addr, gateway: ipv6gw })
        }
    };
    if ipv6gw.is_some() && !matches!(ipv6, Some(Ipv6Config::Static { .. })) {
        return Err(fail("ipv6gw", NicProblem::Ipv6GwWithoutStatic));
    }
    let format = list
        .get("format")
        .map(|v| v.parse::<Format>().map_err(|e| fail("format", NicProblem::Format(e))))
        .transpose()?;
    Ok(Draft { name: name.to_string(), hwaddr, ipv4, dns, mtu, onboot, ipv6, format })
}

#[cfg(test)]
mod tests;
