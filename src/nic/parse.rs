//! `--nic name=NAME[,key=VALUE]...` → [`Nic`].
//!
//! Stages, each with its own errors: the option-list syntax ([`OptList`]), each key's value
//! type, the inference rules (DHCP or static, mask, network, broadcast), then the checks
//! across all NICs of a call (names and MACs unique) and the random MACs.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net, ipv4_mask_to_prefix};

use super::{
    Bond, BondMode, BondOptions, Bridge, IfNameError, Ipv4Config, Ipv6Config, Lower, MacAddr, MacError, MaskStyle,
    Master, MasterKind, Nic, NicKind, ONLINK, Route, StaticIpv4, StaticWord, Vlan, domain_problem, shown,
    validate_ifname,
};
use crate::format::Format;
use crate::optlist::{Key, OptList, OptListError};

/// Every key `--nic` knows, in the order `--help` lists them: the parser accepts these and
/// no others, and `--help` is made from this table.
pub const NIC_KEYS: &[Key] = &[
    Key { name: "name", value: "NAME", help: "the interface's name (required)" },
    Key { name: "hwaddr", value: "MAC", help: "its MAC (default: random 52:54:00:..; with -d: the domain's)" },
    Key {
        name: "bootproto",
        value: "dhcp|static|none",
        help: "static needs ipaddr=; none without it: no address; dhcp forbids it",
    },
    Key { name: "ipaddr", value: "A[/N]", help: "static IPv4 address; prefix from /N, else netmask=, else /24" },
    Key { name: "network", value: "A", help: "network address (computed, or checked when given)" },
    Key { name: "netmask", value: "M", help: "the netmask (contiguous; checked against /N)" },
    Key { name: "broadcast", value: "A", help: "broadcast address (computed, or checked when given)" },
    Key { name: "gateway", value: "A", help: "IPv4 default gateway, a host of the NIC's subnet" },
    Key { name: "dns1", value: "A", help: "first name server (IPv4)" },
    Key { name: "dns2", value: "A", help: "second name server (IPv4)" },
    Key { name: "mtu", value: "68..65535", help: "the MTU" },
    Key { name: "onboot", value: "yes|no", help: "bring the interface up at boot (default yes)" },
    Key { name: "ipv6", value: "auto|dhcp|ADDR/PREFIX", help: "IPv6: router advertisements, DHCPv6, or static" },
    Key { name: "ipv6gw", value: "ADDR", help: "IPv6 default gateway (with a static ipv6=)" },
    Key {
        name: "routes",
        value: "NET/N@GW[@onlink][+...]",
        help: "static routes; GW in the NIC's subnet unless @onlink",
    },
    Key { name: "search", value: "DOMAIN[+DOMAIN]...", help: "DNS search domains" },
    Key { name: "type", value: "ethernet|vlan|bond|bridge", help: "what the interface is (default ethernet)" },
    Key { name: "link", value: "NAME", help: "type=vlan: the --nic it runs on" },
    Key { name: "id", value: "1..4094", help: "type=vlan: the VLAN id" },
    Key { name: "members", value: "NAME[+NAME]...", help: "type=bond|bridge: its --nics (they get no address)" },
    Key {
        name: "mode",
        value: "balance-rr|active-backup|balance-xor|broadcast|802.3ad|balance-tlb|balance-alb",
        help: "type=bond: the bonding mode (default balance-rr)",
    },
    Key { name: "miimon", value: "MS", help: "type=bond: link monitoring interval, milliseconds" },
    Key { name: "primary", value: "NAME", help: "type=bond: the preferred member (active-backup, balance-tlb|alb)" },
    Key { name: "lacp-rate", value: "slow|fast", help: "type=bond, mode=802.3ad: LACPDU rate" },
    Key {
        name: "xmit-hash-policy",
        value: "layer2|layer2+3|layer3+4|encap2+3|encap3+4|vlan+srcmac",
        help: "type=bond: balance-xor, 802.3ad, balance-tlb",
    },
    Key { name: "stp", value: "yes|no", help: "type=bridge: spanning tree (default no)" },
    Key { name: "format", value: "ifcfg|keyfile|netplan|eni|networkd", help: "this NIC's format (else --nic-format)" },
];

/// Prefix length used when `ipaddr` has none and no `netmask` is given.
pub const DEFAULT_PREFIX: u8 = 24;

/// The inference rules below, in words, in the order they apply: README's list and
/// `man 5 rejviz-nic`'s (backquotes mark literal text).
pub fn inference_rules() -> Vec<String> {
    vec![
        "only `name` (no `ipaddr`, no `bootproto`): DHCP (ifcfg `BOOTPROTO=dhcp`), no address keys written; \
         a member of a bond or bridge (a NIC named in its `members=`) has no address instead;"
            .into(),
        format!(
            "`ipaddr` given: static. The prefix is the one in `ipaddr`, else the one of `netmask`, else \
             /{DEFAULT_PREFIX}. ifcfg's `NETWORK` and `BROADCAST` are computed, and its mask is written as \
             `PREFIX=N`, or as `NETMASK=` when you gave `netmask=`;"
        ),
        "`bootproto=static` without `ipaddr` is an error (`bootproto=none` without it is a NIC with no IPv4 \
         address), so is `bootproto=dhcp` with `ipaddr`, and so are `netmask`/`network`/`broadcast`/`gateway` \
         without `ipaddr`;"
            .into(),
        "addresses no interface can have are refused, naming the key: as the NIC's own address (`ipaddr`, \
         `ipv6`) the unspecified (`0.0.0.0`, `::`), loopback, multicast, link-local (`169.254/16`, `fe80::/10`), \
         limited broadcast (`255.255.255.255`) and IPv4-mapped ones, and below /31 the subnet's network and \
         broadcast addresses (a /31 has two hosts, RFC 3021; a /32 one); as a gateway the unspecified, loopback, \
         multicast and broadcast ones, and the NIC's own address; as a name server the unspecified, multicast \
         and broadcast ones (the subnet's too);"
            .into(),
        "no `hwaddr`: a random `52:54:00:xx:xx:xx` MAC (the KVM prefix), different from every other NIC of the \
         call (with rejviz-customize `-d`, the MAC of the domain's interface for it); `--dry-run` and the log \
         line show the MAC chosen."
            .into(),
    ]
}

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
    #[error("'{}' is not one of ethernet, vlan, bond, bridge", shown(.0))]
    Kind(String),
    #[error("only for type={0}")]
    OnlyFor(&'static str),
    #[error("type={0} needs {1}")]
    Needs(&'static str, &'static str),
    #[error("a {0} has no MAC of its own to bind ({1})")]
    NoOwnMac(&'static str, &'static str),
    #[error("'{}' is not a VLAN id from 1 to 4094 (without leading zeros)", shown(.0))]
    VlanId(String),
    #[error("'{}' is not one of {}", shown(.0), crate::nic::BondMode::names(", "))]
    BondMode(String),
    #[error("'{}' is not one of {}", shown(.0), crate::nic::LacpRate::names(", "))]
    LacpRate(String),
    #[error("'{}' is not one of {}", shown(.0), crate::nic::XmitHashPolicy::names(", "))]
    XmitHashPolicy(String),
    #[error("'{}' is not a number of milliseconds", shown(.0))]
    Miimon(String),
    #[error("means nothing in mode {mode} (only in {modes})")]
    NotInMode { mode: crate::nic::BondMode, modes: &'static str },
    #[error("{} is not one of the bond's members", shown(.0))]
    PrimaryNotMember(String),
    #[error("{} is named twice", shown(.0))]
    Twice(String),
    #[error("'{}': {why}", shown(.value))]
    BadItem { value: String, why: String },
    #[error("{} is not a --nic of this call", shown(.0))]
    NotInCall(String),
    #[error("{} is already a member of {}; a NIC has one master", shown(.member), shown(.other))]
    TwoMasters { member: String, other: String },
    #[error("{} is a {kind}; a {master}'s members are {takes}", shown(.member))]
    MemberKind { member: String, kind: &'static str, master: &'static str, takes: &'static str },
    #[error("{} is a {kind}; a VLAN runs on an Ethernet NIC, a bond or a bridge", shown(.link))]
    LinkKind { link: String, kind: &'static str },
    #[error("{} is a member of {}; put the VLAN on {} instead", shown(.link), shown(.master), shown(.master))]
    LinkIsMember { link: String, master: String },
    #[error("VLAN {id} on {} is already --nic {}", shown(.link), shown(.other))]
    VlanTwice { id: u16, link: String, other: String },
    #[error("loop: {}", shown(.0))]
    Loop(String),
    #[error("{} is a member of {}, which brings it up: it has no address of its own (drop {key}=)", shown(.nic), shown(.master))]
    MemberAddress { nic: String, master: String, key: &'static str },
    #[error("{} is written as {format} and {} as {other_format}: a topology is written in one format", shown(.nic), shown(.other))]
    MixedFormats { nic: String, format: Format, other: String, other_format: Format },
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
/// Ethernet NICs without `hwaddr` get a random `52:54:00:xx:xx:xx` address unused by the
/// others. The topology is checked across the NICs (see [`parse_nics_beside`]).
pub fn parse_nics<S: AsRef<str>>(values: &[S]) -> Result<Vec<Nic>, NicError> {
    parse_nics_beside(values, &[])
}

/// An interface a guest already configures, as [`parse_nics_beside`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestIface<'a> {
    pub name: &'a str,
    /// Its `type=` word: `ethernet`, `vlan`, `bond` or `bridge`.
    pub kind: &'static str,
    /// The bond or bridge it is a member of in the guest (one that stays), if any.
    pub master: Option<&'a str>,
}

/// [`parse_nics`] for a guest that already configures the interfaces `guest`: a bond's or
/// bridge's member and a VLAN's link must be a NIC of the call or one of these, and the
/// same rules hold for them (a bond's members are Ethernet NICs, a VLAN runs on no VLAN and
/// no member, a NIC has one master). `rejviz-customize` passes the guest's interfaces when
/// a member or link is not a NIC of the call, then declares the guest's members in the call
/// (a member's config must say so) and checks what a link in the guest needs.
pub fn parse_nics_beside<S: AsRef<str>>(values: &[S], guest: &[GuestIface<'_>]) -> Result<Vec<Nic>, NicError> {
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
    let links = check_topology(&mut drafts, guest)?;
    // Random MACs last, so that they avoid every address the user gave, whatever the order.
    // Only Ethernet NICs are bound to a MAC.
    let ethernet = |d: &Draft| d.kind == NicKind::Ethernet;
    let given: Vec<Option<MacAddr>> = drafts.iter().filter(|d| ethernet(d)).map(|d| d.hwaddr).collect();
    let mut macs = MacAddr::given_or_random(&given, &[]).into_iter();
    let mut nics = Vec::with_capacity(drafts.len());
    let lower_of = |name: &String| {
        let d = drafts.iter().find(|o| &o.name == name);
        let vlan = d.and_then(|d| if let NicKind::Vlan(v) = &d.kind { Some(v.clone()) } else { None });
        let guest_kind = || guest.iter().find(|g| g.name == name).map_or("ethernet", |g| g.kind);
        Lower { name: name.clone(), kind: d.map_or_else(guest_kind, |d| d.kind.word()), vlan }
    };
    let lower: Vec<Vec<Lower>> = drafts
        .iter()
        .map(|d| {
            let mut names: Vec<&String> = d.kind.members().iter().collect();
            if let NicKind::Vlan(v) = &d.kind {
                names.push(&v.link);
            }
            let direct: Vec<Lower> = names.into_iter().map(lower_of).collect();
            let links: Vec<Lower> = direct.iter().filter_map(|l| l.vlan.as_ref()).map(|v| lower_of(&v.link)).collect();
            direct.into_iter().chain(links).collect()
        })
        .collect();
    for ((d, (master, vlans)), lower) in drafts.into_iter().zip(links).zip(lower) {
        let (hwaddr, hwaddr_generated) = match ethernet(&d).then(|| macs.next()).flatten() {
            Some((mac, generated)) => (Some(mac), generated),
            None => (None, false),
        };
        nics.push(Nic {
            name: d.name,
            kind: d.kind,
            hwaddr,
            hwaddr_generated,
            master,
            vlans,
            lower,
            ipv4: d.ipv4,
            dns: d.dns,
            mtu: d.mtu,
            onboot: d.onboot,
            ipv6: d.ipv6,
            routes: d.routes,
            search: d.search,
            format: d.format,
        });
    }
    Ok(nics)
}

/// The checks across the NICs of a call that make them one topology: every member and link
/// exists (among the call's NICs, or `guest`, to which the same rules apply), no NIC has two
/// masters, members and links are
/// of kinds that can be stacked so, no loop, one VLAN per id and link; members lose the
/// DHCP default (they have no address). Returns each NIC's master and VLANs, in order.
#[allow(clippy::type_complexity)]
fn check_topology(
    drafts: &mut [Draft],
    guest: &[GuestIface<'_>],
) -> Result<Vec<(Option<Master>, Vec<String>)>, NicError> {
    let fail = |nic: &str, key: &str, problem| NicError { nic: nic.to_string(), key: Some(key.into()), problem };
    let index = |name: &str| drafts.iter().position(|d| d.name == name);
    let mut out: Vec<(Option<Master>, Vec<String>)> = drafts.iter().map(|_| (None, Vec::new())).collect();
    for (i, d) in drafts.iter().enumerate() {
        let (members, kind, takes): (&[String], MasterKind, &[&str]) = match &d.kind {
            NicKind::Bond(b) => (&b.members, MasterKind::Bond, &["ethernet"]),
            NicKind::Bridge(b) => (&b.members, MasterKind::Bridge, &["ethernet", "vlan", "bond"]),
            NicKind::Vlan(v) => {
                let Some(j) = index(&v.link) else {
                    let Some(g) = guest.iter().find(|g| g.name == v.link) else {
                        return Err(fail(&d.name, "link", NicProblem::NotInCall(v.link.clone())));
                    };
                    if !matches!(g.kind, "ethernet" | "bond" | "bridge") {
                        return Err(fail(&d.name, "link", NicProblem::LinkKind { link: v.link.clone(), kind: g.kind }));
                    }
                    if let Some(master) = g.master {
                        let problem = NicProblem::LinkIsMember { link: v.link.clone(), master: master.to_string() };
                        return Err(fail(&d.name, "link", problem));
                    }
                    continue;
                };
                let link = &drafts[j];
                if j == i {
                    return Err(fail(&d.name, "link", NicProblem::Loop(format!("{0} -> {0}", d.name))));
                }
                if matches!(link.kind, NicKind::Vlan(_)) {
                    return Err(fail(&d.name, "link", NicProblem::LinkKind { link: link.name.clone(), kind: "vlan" }));
                }
                if let Some(other) =
                    drafts[..i].iter().find(|o| matches!(&o.kind, NicKind::Vlan(w) if w.link == v.link && w.id == v.id))
                {
                    let problem = NicProblem::VlanTwice { id: v.id, link: v.link.clone(), other: other.name.clone() };
                    return Err(fail(&d.name, "id", problem));
                }
                out[j].1.push(d.name.clone());
                continue;
            }
            NicKind::Ethernet => continue,
        };
        let primary = match &d.kind {
            NicKind::Bond(b) => b.options.primary.as_deref(),
            _ => None,
        };
        let member_kind = |m: &String, member_kind: &'static str| {
            if takes.contains(&member_kind) {
                return Ok(());
            }
            let (master, takes) = match kind {
                MasterKind::Bond => ("bond", "Ethernet NICs"),
                MasterKind::Bridge => ("bridge", "Ethernet NICs, VLANs and bonds"),
            };
            let problem = NicProblem::MemberKind { member: m.clone(), kind: member_kind, master, takes };
            Err(fail(&d.name, "members", problem))
        };
        for m in members {
            let Some(j) = index(m) else {
                let Some(g) = guest.iter().find(|g| g.name == m) else {
                    return Err(fail(&d.name, "members", NicProblem::NotInCall(m.clone())));
                };
                member_kind(m, g.kind)?;
                if let Some(other) = g.master.filter(|o| *o != d.name) {
                    let problem = NicProblem::TwoMasters { member: m.clone(), other: other.to_string() };
                    return Err(fail(&d.name, "members", problem));
                }
                continue;
            };
            if j == i {
                return Err(fail(&d.name, "members", NicProblem::Loop(format!("{0} -> {0}", d.name))));
            }
            member_kind(m, drafts[j].kind.word())?;
            if let Some(other) = &out[j].0 {
                let problem = NicProblem::TwoMasters { member: m.clone(), other: other.name.clone() };
                return Err(fail(&d.name, "members", problem));
            }
            out[j].0 = Some(Master { name: d.name.clone(), kind, primary: primary == Some(m.as_str()) });
        }
    }
    // A VLAN on a member would run on a link its master has taken over.
    for d in drafts.iter() {
        if let NicKind::Vlan(v) = &d.kind
            && let Some(j) = index(&v.link)
            && let Some(master) = &out[j].0
        {
            let problem = NicProblem::LinkIsMember { link: v.link.clone(), master: master.name.clone() };
            return Err(fail(&d.name, "link", problem));
        }
    }
    // Loops: each NIC stands on its members and on its link; following those from any NIC
    // must never come back to it (a bridge over a VLAN of itself).
    let below = |d: &Draft| -> Vec<usize> {
        let mut v: Vec<usize> = d.kind.members().iter().filter_map(|m| index(m)).collect();
        if let NicKind::Vlan(vl) = &d.kind {
            v.extend(index(&vl.link));
        }
        v
    };
    for start in 0..drafts.len() {
        let mut path = vec![start];
        let mut stack = vec![below(&drafts[start])];
        while let Some(next) = stack.last_mut() {
            let Some(j) = next.pop() else {
                stack.pop();
                path.pop();
                continue;
            };
            if j == start {
                let names: Vec<&str> =
                    path.iter().chain([&start]).filter_map(|k| drafts.get(*k)).map(|d| d.name.as_str()).collect();
                let key = if matches!(drafts[start].kind, NicKind::Vlan(_)) { "link" } else { "members" };
                return Err(fail(&drafts[start].name, key, NicProblem::Loop(names.join(" -> "))));
            }
            if path.contains(&j) || path.len() > drafts.len() {
                continue;
            }
            path.push(j);
            stack.push(below(&drafts[j]));
        }
    }
    // Members have no address of their own: the DHCP default goes, anything else is refused.
    for (d, (master, _)) in drafts.iter_mut().zip(&out) {
        let Some(master) = master else { continue };
        let given = [
            ("ipaddr", matches!(d.ipv4, Ipv4Config::Static(_))),
            ("bootproto", d.ipv4 == Ipv4Config::Dhcp && d.bootproto_given),
            ("ipv6", d.ipv6.is_some()),
            ("dns1", !d.dns.is_empty()),
            ("routes", !d.routes.is_empty()),
            ("search", !d.search.is_empty()),
            ("onboot", !d.onboot),
        ];
        if let Some((key, _)) = given.iter().find(|(_, given)| *given) {
            let problem = NicProblem::MemberAddress { nic: d.name.clone(), master: master.name.clone(), key };
            return Err(fail(&d.name, key, problem));
        }
        d.ipv4 = Ipv4Config::NoAddress;
    }
    Ok(out)
}

/// A NIC before the checks across NICs and before its MAC is generated.
struct Draft {
    name: String,
    kind: NicKind,
    hwaddr: Option<MacAddr>,
    ipv4: Ipv4Config,
    /// `bootproto=` was given (a member may not ask for DHCP).
    bootproto_given: bool,
    dns: Vec<Ipv4Addr>,
    mtu: Option<u32>,
    onboot: bool,
    ipv6: Option<Ipv6Config>,
    routes: Vec<Route>,
    search: Vec<String>,
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

    let bootproto_given = bootproto.is_some();
    let ipv4 = match (ipaddr, bootproto) {
        (None, Some(Proto::Static(StaticWord::Static))) => {
            return Err(fail("bootproto", NicProblem::StaticWithoutIpaddr));
        }
        (None, proto) => {
            if let Some(key) =
                ["netmask", "network", "broadcast", "gateway"].into_iter().find(|k| list.get(k).is_some())
            {
                return Err(fail(key, NicProblem::NeedsIpaddr));
            }
            // bootproto=none without an address: up, with no IPv4 address (a VLAN's link).
            if proto == Some(Proto::Static(StaticWord::None)) { Ipv4Config::NoAddress } else { Ipv4Config::Dhcp }
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
    let kind = parse_kind(&list, &fail)?;
    if hwaddr.is_some() {
        let why = match kind {
            NicKind::Ethernet => None,
            NicKind::Vlan(_) => Some(("VLAN", "it has its link's")),
            NicKind::Bond(_) => Some(("bond", "its members are bound by theirs")),
            NicKind::Bridge(_) => Some(("bridge", "its members are bound by theirs")),
        };
        if let Some((what, why)) = why {
            return Err(fail("hwaddr", NicProblem::NoOwnMac(what, why)));
        }
    }
    let mut routes: Vec<Route> = Vec::new();
    for item in list.get("routes").map(|v| v.split('+').collect::<Vec<_>>()).unwrap_or_default() {
        let r = parse_route(item, &ipv4, ipv6.as_ref())
            .map_err(|why| fail("routes", NicProblem::BadItem { value: item.to_string(), why }))?;
        if routes.iter().any(|o| o.to == r.to) {
            return Err(fail("routes", NicProblem::Twice(r.to.to_string())));
        }
        routes.push(r);
    }
    let mut search: Vec<String> = Vec::new();
    for d in list.get("search").map(|v| v.split('+').collect::<Vec<_>>()).unwrap_or_default() {
        if let Some(why) = domain_problem(d) {
            return Err(fail("search", NicProblem::BadItem { value: d.to_string(), why: why.to_string() }));
        }
        if search.iter().any(|o| o.eq_ignore_ascii_case(d)) {
            return Err(fail("search", NicProblem::Twice(d.to_string())));
        }
        search.push(d.to_string());
    }
    Ok(Draft {
        name: name.to_string(),
        kind,
        hwaddr,
        ipv4,
        bootproto_given,
        dns,
        mtu,
        onboot,
        ipv6,
        routes,
        search,
        format,
    })
}

/// `type=` and the keys that only some types take (each refused on the others).
fn parse_kind(list: &OptList, fail: &dyn Fn(&str, NicProblem) -> NicError) -> Result<NicKind, NicError> {
    let word = list.get("type").map(str::to_ascii_lowercase);
    let takes: &[&str] = match word.as_deref() {
        None | Some("ethernet") => &[],
        Some("vlan") => &["link", "id"],
        Some("bond") => &["members", "mode", "miimon", "primary", "lacp-rate", "xmit-hash-policy"],
        Some("bridge") => &["members", "stp"],
        Some(_) => return Err(fail("type", NicProblem::Kind(list.get("type").unwrap_or("").to_string()))),
    };
    for (key, types) in [
        ("link", "vlan"),
        ("id", "vlan"),
        ("members", "bond or type=bridge"),
        ("mode", "bond"),
        ("miimon", "bond"),
        ("primary", "bond"),
        ("lacp-rate", "bond"),
        ("xmit-hash-policy", "bond"),
        ("stp", "bridge"),
    ] {
        if list.get(key).is_some() && !takes.contains(&key) {
            return Err(fail(key, NicProblem::OnlyFor(types)));
        }
    }
    let members = || -> Result<Vec<String>, NicError> {
        let mut out: Vec<String> = Vec::new();
        for m in list.get("members").map(|v| v.split('+').collect::<Vec<_>>()).unwrap_or_default() {
            validate_ifname(m)
                .map_err(|e| fail("members", NicProblem::BadItem { value: m.to_string(), why: e.to_string() }))?;
            if out.iter().any(|o| o == m) {
                return Err(fail("members", NicProblem::Twice(m.to_string())));
            }
            out.push(m.to_string());
        }
        Ok(out)
    };
    Ok(match word.as_deref() {
        Some("vlan") => {
            let link = list.get("link").ok_or_else(|| fail("type", NicProblem::Needs("vlan", "link=NAME")))?;
            validate_ifname(link).map_err(|e| fail("link", NicProblem::Name(e)))?;
            let id = list.get("id").ok_or_else(|| fail("type", NicProblem::Needs("vlan", "id=1..4094")))?;
            let bad = || fail("id", NicProblem::VlanId(id.to_string()));
            if id.starts_with('0') || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let id = id.parse::<u16>().ok().filter(|n| (1..=4094).contains(n)).ok_or_else(bad)?;
            NicKind::Vlan(Vlan { link: link.to_string(), id })
        }
        Some("bond") => {
            let members = members()?;
            if members.is_empty() {
                return Err(fail("type", NicProblem::Needs("bond", "members=NAME[+NAME]...")));
            }
            let mode = match list.get("mode") {
                None => BondMode::BalanceRr,
                // Names only: the driver's numbers are read in guests' files, not taken here.
                Some(m) if m.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(fail("mode", NicProblem::BondMode(m.into())));
                }
                Some(m) => m.parse().map_err(|_| fail("mode", NicProblem::BondMode(m.into())))?,
            };
            let mut o = BondOptions::new(mode);
            let word_only = |key: &str| list.get(key).filter(|v| !v.bytes().all(|b| b.is_ascii_digit()));
            o.miimon = list
                .get("miimon")
                .map(|v| match v.parse::<u32>() {
                    Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) && (v == "0" || !v.starts_with('0')) => Ok(n),
                    _ => Err(fail("miimon", NicProblem::Miimon(v.into()))),
                })
                .transpose()?;
            if let Some(p) = list.get("primary") {
                if !members.iter().any(|m| m == p) {
                    return Err(fail("primary", NicProblem::PrimaryNotMember(p.into())));
                }
                if !mode.takes_primary() {
                    let modes = "active-backup, balance-tlb, balance-alb";
                    return Err(fail("primary", NicProblem::NotInMode { mode, modes }));
                }
                o.primary = Some(p.to_string());
            }
            if let Some(r) = list.get("lacp-rate") {
                o.lacp_rate = Some(
                    word_only("lacp-rate")
                        .and_then(|r| r.parse().ok())
                        .ok_or_else(|| fail("lacp-rate", NicProblem::LacpRate(r.into())))?,
                );
                if !mode.takes_lacp_rate() {
                    return Err(fail("lacp-rate", NicProblem::NotInMode { mode, modes: "802.3ad" }));
                }
            }
            if let Some(x) = list.get("xmit-hash-policy") {
                o.xmit_hash_policy = Some(
                    word_only("xmit-hash-policy")
                        .and_then(|x| x.parse().ok())
                        .ok_or_else(|| fail("xmit-hash-policy", NicProblem::XmitHashPolicy(x.into())))?,
                );
                if !mode.takes_xmit_hash_policy() {
                    let modes = "balance-xor, 802.3ad, balance-tlb";
                    return Err(fail("xmit-hash-policy", NicProblem::NotInMode { mode, modes }));
                }
            }
            NicKind::Bond(Bond { members, options: o })
        }
        Some("bridge") => {
            let stp = match list.get("stp").map(str::to_ascii_lowercase).as_deref() {
                None | Some("no") => false,
                Some("yes") => true,
                Some(_) => return Err(fail("stp", NicProblem::YesNo(list.get("stp").unwrap_or("").into()))),
            };
            NicKind::Bridge(Bridge { members: members()?, stp })
        }
        _ => NicKind::Ethernet,
    })
}

/// One item of `routes=`: `DEST/PREFIX@GATEWAY[@onlink]`, checked against the NIC's own
/// addresses; the error is why it is refused.
fn parse_route(item: &str, ipv4: &Ipv4Config, ipv6: Option<&Ipv6Config>) -> Result<Route, String> {
    let mut parts = item.split('@');
    let (Some(dest), Some(via)) = (parts.next(), parts.next()) else {
        return Err("not NET/PREFIX@GATEWAY".into());
    };
    let onlink = match parts.next() {
        None => false,
        Some(m) if m.eq_ignore_ascii_case(ONLINK) => true,
        Some(m) => return Err(format!("'{}' is not {ONLINK}", shown(m))),
    };
    if parts.next().is_some() {
        return Err("not NET/PREFIX@GATEWAY[@onlink]".into());
    }
    let Some((a, p)) = dest.split_once('/') else {
        return Err("the destination needs its prefix (NET/PREFIX)".into());
    };
    let a: IpAddr = a.parse().map_err(|_| format!("'{}' is not an IPv4 or IPv6 address", shown(a)))?;
    let max = if a.is_ipv4() { 32 } else { 128 };
    if p == "0" {
        return Err("a default route is gateway= (ipv6gw= for IPv6), not a route".into());
    }
    let p = parse_prefix(p, max).ok_or_else(|| format!("prefix '{}' is not a number from 1 to {max}", shown(p)))?;
    // Cannot fail: p <= max.
    let to = IpNet::new(a, p).map_err(|_| format!("prefix {p} is out of range"))?;
    if to.trunc() != to {
        return Err(format!("{to} has host bits set: the network is {}", to.trunc()));
    }
    if Special::of(to.network()) == Some(Special::Loopback) {
        return Err(format!("{to} is loopback, never reached through a NIC"));
    }
    let via: IpAddr = via.parse().map_err(|_| format!("'{}' is not an IPv4 or IPv6 address", shown(via)))?;
    if via.is_ipv4() != a.is_ipv4() {
        return Err(format!("the gateway {via} and the destination {to} are not of one family"));
    }
    if let Some(kind) = Special::of(via).filter(|k| Role::Gateway.refuses(*k)) {
        return Err(format!("the gateway {via} is {}", kind.what()));
    }
    let outside =
        |net: String| format!("the gateway {via} is not a host in {net} (add @{ONLINK} if it is on the link)");
    match (via, ipv4, ipv6) {
        (IpAddr::V4(_), Ipv4Config::NoAddress, _) => return Err("the NIC has no IPv4 address".into()),
        (IpAddr::V4(g), Ipv4Config::Static(st), _) => {
            if g == st.address() {
                return Err(format!("the gateway {g} is the NIC's own address"));
            }
            let net = st.addr;
            let host = net.contains(&g) && (net.prefix_len() > 30 || (g != net.network() && g != net.broadcast()));
            if !host && !onlink {
                return Err(outside(net.trunc().to_string()));
            }
        }
        (IpAddr::V6(_), _, None) => return Err("the NIC has no IPv6 (ipv6=)".into()),
        (IpAddr::V6(g), _, Some(Ipv6Config::Static { addr, .. })) => {
            if g == addr.addr() {
                return Err(format!("the gateway {g} is the NIC's own address"));
            }
            let link_local = Special::of(IpAddr::V6(g)) == Some(Special::LinkLocal);
            if !link_local && !addr.contains(&g) && !onlink {
                return Err(outside(addr.trunc().to_string()));
            }
        }
        // DHCP, router advertisements: the subnet is not known before boot.
        _ => {}
    }
    Ok(Route { to, via, onlink })
}

#[cfg(test)]
mod tests;
