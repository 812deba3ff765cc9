//! The NIC model: what one guest network interface should look like, independent of the
//! file format that expresses it in the guest.
//!
//! `--nic` values are turned into [`Nic`]s by [`parse_nics`] (see `parse.rs`): syntax first,
//! then each key's type, then the inference rules, then the checks across NICs.

mod ifname;
mod mac;
mod parse;
mod topology;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::format::Format;

pub use ifname::{IfNameError, validate_ifname};
pub use mac::{KVM_OUI, MacAddr, MacError};
pub use parse::{
    GuestIface, NIC_KEYS, NicError, NicProblem, Role, Special, inference_rules, parse_nics, parse_nics_beside,
};
pub use topology::{
    Bond, BondMode, BondOptions, Bridge, LacpRate, Lower, Master, MasterKind, NicKind, ONLINK, Route, Vlan,
    XmitHashPolicy, domain_problem,
};

/// A user or guest value as error messages print it: on one line, with control and other
/// invisible characters escaped as Rust does (`\n`, `\u{1b}`) and `\` doubled, so that a
/// message can neither break a line nor drive the terminal, and says which value it was.
/// Quotes are left alone (messages put values between `'...'` for readability only).
pub fn shown(value: &str) -> Shown<'_> {
    Shown(value)
}

/// See [`shown`].
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        for c in self.0.chars() {
            match c {
                '\'' | '"' => f.write_char(c)?,
                _ => write!(f, "{}", c.escape_debug())?,
            }
        }
        Ok(())
    }
}

/// One guest network interface, fully resolved: every value a config writer needs is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nic {
    /// Kernel interface name (validated by [`validate_ifname`]).
    pub name: String,
    /// What the interface is (`type=`, with its own keys).
    pub kind: NicKind,
    /// The MAC an Ethernet NIC is bound to; `None` for the other kinds, which have no MAC of
    /// their own to bind (a VLAN's is its link's, a bond's a member's).
    pub hwaddr: Option<MacAddr>,
    /// True when `hwaddr` was generated because the user gave none.
    pub hwaddr_generated: bool,
    /// The bond or bridge this NIC is a member of (from the master's `members=`).
    pub master: Option<Master>,
    /// The VLANs of the call whose `link=` is this NIC, in the order given.
    pub vlans: Vec<String>,
    /// The NICs this one stands on (a bond's or bridge's members, a VLAN's link), and the
    /// links of those that are VLANs.
    pub lower: Vec<Lower>,
    pub ipv4: Ipv4Config,
    /// Name servers, in order (`dns1`, `dns2`).
    pub dns: Vec<Ipv4Addr>,
    pub mtu: Option<u32>,
    /// Bring the interface up at boot (`onboot=`, default yes).
    pub onboot: bool,
    pub ipv6: Option<Ipv6Config>,
    /// Static routes (`routes=`), in the order given.
    pub routes: Vec<Route>,
    /// DNS search domains (`search=`), in the order given.
    pub search: Vec<String>,
    /// The format this NIC's config is written in (`format=`); `None`: the call's.
    pub format: Option<Format>,
}

impl Nic {
    /// Whether the NIC has an IPv4 address of its own, or gets one (DHCP).
    pub fn has_ipv4(&self) -> bool {
        !matches!(self.ipv4, Ipv4Config::NoAddress)
    }
}

/// IPv6 configuration (`ipv6=auto|dhcp|ADDR/PREFIX`, `ipv6gw=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv6Config {
    /// Router advertisements (SLAAC).
    Auto,
    /// DHCPv6.
    Dhcp,
    Static {
        addr: Ipv6Net,
        gateway: Option<Ipv6Addr>,
    },
}

impl Ipv6Config {
    pub fn gateway(&self) -> Option<Ipv6Addr> {
        match self {
            Ipv6Config::Static { gateway, .. } => *gateway,
            _ => None,
        }
    }
}

/// `auto`, `dhcp` or `ADDR/PREFIX`, as the `ipv6=` key takes it.
impl fmt::Display for Ipv6Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ipv6Config::Auto => f.write_str("auto"),
            Ipv6Config::Dhcp => f.write_str("dhcp"),
            Ipv6Config::Static { addr, .. } => write!(f, "{addr}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv4Config {
    Dhcp,
    Static(StaticIpv4),
    /// No IPv4 address (`bootproto=none` without `ipaddr=`, or a member of a bond or
    /// bridge): the interface is brought up without one.
    NoAddress,
}

/// The word used for a static configuration: initscripts and NetworkManager treat
/// `static` and `none` alike; we keep the one the user wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaticWord {
    Static,
    None,
}

/// How the mask was given, so that the written config speaks the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskStyle {
    /// `ipaddr=A/N` or no mask at all: written as `PREFIX=N`.
    Prefix,
    /// `netmask=M`: written as `NETMASK=M`.
    Netmask,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticIpv4 {
    /// Address and prefix length (the host part is kept).
    pub addr: Ipv4Net,
    pub mask_style: MaskStyle,
    pub word: StaticWord,
    pub gateway: Option<Ipv4Addr>,
}

impl StaticIpv4 {
    pub fn address(&self) -> Ipv4Addr {
        self.addr.addr()
    }
    pub fn prefix(&self) -> u8 {
        self.addr.prefix_len()
    }
    pub fn netmask(&self) -> Ipv4Addr {
        self.addr.netmask()
    }
    pub fn network(&self) -> Ipv4Addr {
        self.addr.network()
    }
    pub fn broadcast(&self) -> Ipv4Addr {
        self.addr.broadcast()
    }
}

/// Natural order of interface names: digit runs compare as numbers, so `eth2` < `eth10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let b = s.as_bytes();
        for i in 1..=b.len() {
            if i == b.len() || b[i].is_ascii_digit() != b[start].is_ascii_digit() {
                out.push((b[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, xa), (db, xb)) in ca.iter().zip(&cb) {
        let ord = if *da && *db {
            let (ta, tb) = (xa.trim_start_matches('0'), xb.trim_start_matches('0'));
            ta.len().cmp(&tb.len()).then(ta.cmp(tb)).then(xa.len().cmp(&xb.len()))
        } else {
            xa.cmp(xb)
        };
        if ord.is_ne() {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

#[cfg(test)]
mod tests {
    use super::{natural_cmp, shown};

    #[test]
    fn shown_is_one_line_without_control_characters() {
        assert_eq!(shown("eth0").to_string(), "eth0");
        assert_eq!(shown("it's \"x\"").to_string(), "it's \"x\"");
        assert_eq!(shown("a\nb\x1b[2J\t\x7f\\").to_string(), "a\\nb\\u{1b}[2J\\t\\u{7f}\\\\");
        assert_eq!(shown("\u{202e}é").to_string(), "\\u{202e}é");
        for s in ["\n", "\r", "\x1b", "\x7f", "\u{85}", "\u{2028}", "\u{202e}"] {
            assert!(
                !shown(s).to_string().chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{202e}'),
                "{s:?}"
            );
        }
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["eth10", "eth2", "ens3", "eth0", "enp1s0", "eth1", "enp10s0", "enp2s0", ""];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["", "enp1s0", "enp2s0", "enp10s0", "ens3", "eth0", "eth1", "eth2", "eth10"]);
    }
}
