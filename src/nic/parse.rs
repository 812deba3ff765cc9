//! `--nic name=NAME[,key=VALUE]...` → [`Nic`].
//!
//! Stages, each with its own errors: the option-list syntax ([`OptList`]), each key's value
//! type, the inference rules (DHCP or static, mask, network, broadcast), then the checks
//! across all NICs of a call (names and MACs unique) and the random MACs.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net, ipv4_mask_to_prefix};

use super::{
    IfNameError, Ipv4Config, Ipv6Config, MacAddr, MacError, MaskStyle, Nic, StaticIpv4, StaticWord, shown,
    validate_ifname,
};
use crate::format::Format;
use crate::optlist::{Key, OptList, OptListError};

/// Every key `--nic` knows, in the order `--help` lists them: the parser accepts these and
/// no others, and `--help` is made from this table.
pub const NIC_KEYS: &[Key] = &[
    Key { name: "name", value: "NAME", help: "the interface's name (required)" },
    Key { name: "hwaddr", value: "MAC", help: "its MAC (default: random 52:54:00:..; with -d: the domain's)" },
    Key { name: "bootproto", value: "dhcp|static|none", help: "static and none need ipaddr=; dhcp forbids it" },
    Key { name: "ipaddr", value: "A[/N]", help: "static IPv4 address; prefix from /N, else netmask=, else /24" },
    Key { name: "network", value: "A", help: "network address (computed, or checked when given)" },
    Key { name: "netmask", value: "M", help: "the netmask (contiguous; checked against /N)" },
    Key { name: "broadcast", value: "A", help: "broadcast address (computed, or checked when given)" },
    Key { name: "gateway", value: "A", help: "IPv4 default gateway, a host of the NIC's subnet" },
    Key { name: "dns1", value: "A", help: "first name server (IPv4 or IPv6)" },
    Key { name: "dns2", value: "A", help: "second name server" },
    Key { name: "mtu", value: "68..65535", help: "the MTU" },
    Key { name: "onboot", value: "yes|no", help: "bring the interface up at boot (default yes)" },
    Key { name: "ipv6", value: "auto|dhcp|ADDR/PREFIX", help: "IPv6: router advertisements, DHCPv6, or static" },
    Key { name: "ipv6gw", value: "ADDR", help: "IPv6 default gateway (with a static ipv6=)" },
    Key { name: "format", value: "ifcfg|keyfile|netplan|eni|networkd", help: "this NIC's format (else --nic-format)" },
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
    #[error("prefix '{}' is not a number from 1 to {max} (without leading zeros)", shown(.value))]
    Prefix { value: String, max: u8 },
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
    #[error("{addr} is {}; {} cannot be one", .kind.what(), .role.what())]
    Unusable { addr: IpAddr, kind: Special, role: Role },
    #[error("{0} is the NIC's own address; its gateway must be another host")]
    GatewayIsOwn(IpAddr),
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

/// Addresses that are not an ordinary unicast address, by what makes them so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// `0.0.0.0`, `::`: "no address".
    Unspecified,
    /// `255.255.255.255`: every host of the link, never one.
    LimitedBroadcast,
    /// `127.0.0.0/8`, `::1`: the host itself, never on a link.
    Loopback,
    /// `224.0.0.0/4`, `ff00::/8`: groups, not hosts.
    Multicast,
    /// `169.254.0.0/16`, `fe80::/10`: assigned by the link itself (autoconfiguration), not
    /// by a config file.
    LinkLocal,
    /// `::ffff:0:0/96`: IPv4 addresses as sockets show them, never on the wire.
    Ipv4Mapped,
    /// The network or broadcast address of the NIC's own subnet (prefix up to /30).
    SubnetNetwork,
    SubnetBroadcast,
}

impl Special {
    pub fn what(self) -> &'static str {
        match self {
            Special::Unspecified => "the unspecified address",
            Special::LimitedBroadcast => "the limited broadcast address",
            Special::Loopback => "a loopback address",
            Special::Multicast => "a multicast address",
            Special::LinkLocal => "a link-local address",
            Special::Ipv4Mapped => "an IPv4-mapped address",
            Special::SubnetNetwork => "the network address of the NIC's subnet",
            Special::SubnetBroadcast => "the broadcast address of the NIC's subnet",
        }
    }

    /// The kind of `a` when it is not an ordinary unicast address (the subnet kinds aside:
    /// they depend on the NIC's address and prefix).
    pub fn of(a: IpAddr) -> Option<Special> {
        match a {
            IpAddr::V4(a) if a.is_unspecified() => Some(Special::Unspecified),
            IpAddr::V4(a) if a.is_broadcast() => Some(Special::LimitedBroadcast),
            IpAddr::V4(a) if a.is_loopback() => Some(Special::Loopback),
            IpAddr::V4(a) if a.is_multicast() => Some(Special::Multicast),
            IpAddr::V4(a) if a.is_link_local() => Some(Special::LinkLocal),
            IpAddr::V6(a) if a.is_unspecified() => Some(Special::Unspecified),
            IpAddr::V6(a) if a.is_loopback() => Some(Special::Loopback),
            IpAddr::V6(a) if a.is_multicast() => Some(Special::Multicast),
            IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80 => Some(Special::LinkLocal),
            IpAddr::V6(a) if a.to_ipv4_mapped().is_some() => Some(Special::Ipv4Mapped),
            _ => None,
        }
    }
}

/// What an address is given as, for [`NicProblem::Unusable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Own,
    Gateway,
    NameServer,
}

impl Role {
    pub fn what(self) -> &'static str {
        match self {
            Role::Own => "a NIC's own address",
            Role::Gateway => "a gateway",
            Role::NameServer => "a name server",
        }
    }

    /// Whether an address of `kind` is refused in this role. An interface's own address is
    /// ordinary unicast. A gateway may be link-local (IPv6 routers advertise and are reached
    /// by their fe80:: address; an IPv4 one must be in the NIC's subnet anyway). A name
    /// server may be on loopback (a local resolver such as systemd-resolved's 127.0.0.53)
    /// or link-local (cloud resolvers such as 169.254.169.253).
    fn refuses(self, kind: Special) -> bool {
        match self {
            Role::Own => true,
            Role::Gateway => !matches!(kind, Special::LinkLocal),
            Role::NameServer => !matches!(kind, Special::Loopback | Special::LinkLocal),
        }
    }
}

/// A prefix length from 0 to `max`, in decimal without leading zeros (`/024` is refused as
/// a `010` octet is: iproute2 would read `/010` as octal 8).
fn parse_prefix(p: &str, max: u8) -> Option<u8> {
    let digits = !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
    if !digits || (p.len() > 1 && p.starts_with('0')) {
        return None;
    }
    // A /0 has no network of its own: no host address has one (netplan refuses it too).
    p.parse::<u8>().ok().filter(|n| (1..=max).contains(n))
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
    let macs = MacAddr::given_or_random(&drafts.iter().map(|d| d.hwaddr).collect::<Vec<_>>(), &[]);
    let mut nics = Vec::with_capacity(drafts.len());
    for (d, (hwaddr, hwaddr_generated)) in drafts.into_iter().zip(macs) {
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
                .map(|p| {
                    parse_prefix(p, 32)
                        .ok_or_else(|| fail("ipaddr", NicProblem::Prefix { value: p.to_string(), max: 32 }))
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
    // An address `key` gives in `role`, checked against the kinds no address in that role
    // can be (the checks against the NIC's own address and subnet come later).
    let usable = |key: &str, addr: IpAddr, role: Role| match Special::of(addr) {
        Some(kind) if role.refuses(kind) => Err(fail(key, NicProblem::Unusable { addr, kind, role })),
        _ => Ok(()),
    };
    if let Some(gw) = gateway {
        usable("gateway", gw.into(), Role::Gateway)?;
    }
    let mut dns = Vec::new();
    for key in ["dns1", "dns2"] {
        if let Some(d) = ipv4(key)? {
            usable(key, d.into(), Role::NameServer)?;
            dns.push((key, d));
        }
    }

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
                (None, Some((m, 0))) => {
                    return Err(fail("netmask", NicProblem::Prefix { value: format!("0 (netmask {m})"), max: 32 }));
                }
                (None, Some((_, mp))) => (mp, MaskStyle::Netmask),
                (None, None) => (DEFAULT_PREFIX, MaskStyle::Prefix),
            };
            usable("ipaddr", addr.into(), Role::Own)?;
            // Cannot fail: prefix <= 32 was checked above.
            let net = Ipv4Net::new(addr, prefix)
                .map_err(|_| fail("ipaddr", NicProblem::Prefix { value: prefix.to_string(), max: 32 }))?;
            // In a /31 (RFC 3021, point-to-point) both addresses are hosts, and a /32 is its
            // only address; below /31 the first and the last address of the subnet are not
            // hosts, so neither can be the NIC's, its gateway's or a name server's.
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
            if let Some((key, d)) = dns.iter().find(|(_, d)| prefix <= 30 && *d == net.network()) {
                let (addr, kind) = ((*d).into(), Special::SubnetNetwork);
                return Err(fail(key, NicProblem::Unusable { addr, kind, role: Role::NameServer }));
            }
            if let Some((key, d)) = dns.iter().find(|(_, d)| prefix <= 30 && *d == net.broadcast()) {
                let (addr, kind) = ((*d).into(), Special::SubnetBroadcast);
                return Err(fail(key, NicProblem::Unusable { addr, kind, role: Role::NameServer }));
            }
            if gateway == Some(addr) {
                return Err(fail("gateway", NicProblem::GatewayIsOwn(addr.into())));
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
    if let Some(gw) = ipv6gw {
        usable("ipv6gw", gw.into(), Role::Gateway)?;
    }
    let ipv6 = match list.get("ipv6") {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("auto") => Some(Ipv6Config::Auto),
        Some(v) if v.eq_ignore_ascii_case("dhcp") => Some(Ipv6Config::Dhcp),
        Some(v) => {
            let bad = || fail("ipv6", NicProblem::Ipv6(v.into()));
            let (a, p) = v.split_once('/').ok_or_else(bad)?;
            let a: Ipv6Addr = a.parse().map_err(|_| bad())?;
            let p = parse_prefix(p, 128)
                .ok_or_else(|| fail("ipv6", NicProblem::Prefix { value: p.to_string(), max: 128 }))?;
            usable("ipv6", a.into(), Role::Own)?;
            if ipv6gw == Some(a) {
                return Err(fail("ipv6gw", NicProblem::GatewayIsOwn(a.into())));
            }
            // Cannot fail: p <= 128.
            let addr = Ipv6Net::new(a, p).map_err(|_| bad())?;
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
    let dns = dns.into_iter().map(|(_, d)| d).collect();
    Ok(Draft { name: name.to_string(), hwaddr, ipv4, dns, mtu, onboot, ipv6, format })
}

#[cfg(test)]
mod tests;
