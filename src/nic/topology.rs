//! Lab topologies in the NIC model: what a NIC is (`type=`: Ethernet, VLAN, bond, bridge),
//! the values of the keys that only some types take, static routes and DNS search domains.
//! The same types describe what the guest-config readers find (`crate::guestconf`), so a
//! bond mode or a route reads back as the value that was written.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::Serialize;

/// What a NIC is (`type=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NicKind {
    /// A physical (or virtio) NIC, bound to its MAC.
    Ethernet,
    /// An 802.1Q VLAN on another NIC of the call (`link=`, `id=`).
    Vlan(Vlan),
    /// A bond of NICs of the call (`members=`, `mode=`, ...).
    Bond(Bond),
    /// A bridge over NICs of the call (`members=`, `stp=`).
    Bridge(Bridge),
}

impl NicKind {
    /// The `type=` word.
    pub fn word(&self) -> &'static str {
        match self {
            NicKind::Ethernet => "ethernet",
            NicKind::Vlan(_) => "vlan",
            NicKind::Bond(_) => "bond",
            NicKind::Bridge(_) => "bridge",
        }
    }

    /// The members of a bond or bridge (none for the other kinds).
    pub fn members(&self) -> &[String] {
        match self {
            NicKind::Bond(b) => &b.members,
            NicKind::Bridge(b) => &b.members,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vlan {
    /// The interface the VLAN runs on.
    pub link: String,
    /// 1 to 4094.
    pub id: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bond {
    pub members: Vec<String>,
    pub options: BondOptions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    pub members: Vec<String>,
    /// Spanning tree (`stp=`, default no, the kernel's default).
    pub stp: bool,
}

/// The bonding driver's options, by the driver's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BondOptions {
    pub mode: BondMode,
    /// MII link monitoring interval, in milliseconds.
    pub miimon: Option<u32>,
    /// The preferred member (active-backup, balance-tlb, balance-alb).
    pub primary: Option<String>,
    /// 802.3ad only.
    #[serde(rename = "lacp-rate")]
    pub lacp_rate: Option<LacpRate>,
    /// balance-xor, 802.3ad and balance-tlb only.
    #[serde(rename = "xmit-hash-policy")]
    pub xmit_hash_policy: Option<XmitHashPolicy>,
}

impl BondOptions {
    /// The kernel's defaults: balance-rr and nothing else set.
    pub fn new(mode: BondMode) -> BondOptions {
        BondOptions { mode, miimon: None, primary: None, lacp_rate: None, xmit_hash_policy: None }
    }
}

/// Words of a closed set, spelled as one name each (and parsed from that name, or from the
/// other spellings the formats use for the same value).
macro_rules! words {
    ($(#[$m:meta])* $ty:ident { $($variant:ident = $name:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty { $($variant),+ }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The name, as the bonding driver spells it.
            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            /// The names, separated by `sep`.
            pub fn names(sep: &str) -> String {
                Self::ALL.iter().map(|w| w.name()).collect::<Vec<_>>().join(sep)
            }
        }

        impl FromStr for $ty {
            type Err = ();
            /// The name, in any case, or another spelling of it that the formats use.
            fn from_str(s: &str) -> Result<Self, ()> {
                let s = s.to_ascii_lowercase();
                match s.as_str() {
                    $($name $(| $alias)* => Ok($ty::$variant),)+
                    _ => Err(()),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

words!(
    /// The bonding modes (the kernel's names; its numbers 0-6 are read too).
    BondMode {
        BalanceRr = "balance-rr" | "0",
        ActiveBackup = "active-backup" | "1",
        BalanceXor = "balance-xor" | "2",
        Broadcast = "broadcast" | "3",
        Ieee8023ad = "802.3ad" | "4",
        BalanceTlb = "balance-tlb" | "5",
        BalanceAlb = "balance-alb" | "6",
    }
);

words!(
    /// How often an 802.3ad partner is asked for LACPDUs.
    LacpRate { Slow = "slow" | "0", Fast = "fast" | "1" }
);

words!(
    /// Which header fields pick a member for a packet.
    XmitHashPolicy {
        Layer2 = "layer2" | "0",
        Layer34 = "layer3+4" | "1",
        Layer23 = "layer2+3" | "2",
        Encap23 = "encap2+3" | "3",
        Encap34 = "encap3+4" | "4",
        VlanSrcmac = "vlan+srcmac" | "5",
    }
);

impl BondMode {
    /// Whether `primary=` means anything in this mode.
    pub fn takes_primary(self) -> bool {
        matches!(self, BondMode::ActiveBackup | BondMode::BalanceTlb | BondMode::BalanceAlb)
    }
    /// Whether `lacp-rate=` means anything in this mode.
    pub fn takes_lacp_rate(self) -> bool {
        self == BondMode::Ieee8023ad
    }
    /// Whether `xmit-hash-policy=` means anything in this mode.
    pub fn takes_xmit_hash_policy(self) -> bool {
        matches!(self, BondMode::BalanceXor | BondMode::Ieee8023ad | BondMode::BalanceTlb)
    }
}

/// What a member NIC belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MasterKind {
    Bond,
    Bridge,
}

/// The bond or bridge a member NIC belongs to (worked out from the master's `members=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Master {
    pub name: String,
    pub kind: MasterKind,
    /// This member is the bond's `primary=`.
    pub primary: bool,
}

/// A NIC another stands on (a member, a link), as far as the call knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lower {
    pub name: String,
    /// Its `type=` word (`ethernet` for an interface of the guest).
    pub kind: &'static str,
    /// A VLAN's link and id.
    pub vlan: Option<Vlan>,
}

/// A static route: `DEST/PREFIX@GATEWAY[@onlink]` in `routes=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    /// The destination network (host bits zero; never a default route: that is the gateway).
    pub to: IpNet,
    pub via: IpAddr,
    /// The gateway is reached on the link even though it is outside the NIC's subnet.
    pub onlink: bool,
}

/// The `onlink` mark of a route in `routes=`, after a second `@`.
pub const ONLINK: &str = "onlink";

/// `DEST/PREFIX@GATEWAY[@onlink]`, as `routes=` takes it.
impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.to, self.via)?;
        if self.onlink {
            write!(f, "@{ONLINK}")?;
        }
        Ok(())
    }
}

/// `{"to": "10.10.0.0/16", "via": "10.9.0.1", "onlink": false}`.
impl Serialize for Route {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Route", 3)?;
        st.serialize_field("to", &self.to.to_string())?;
        st.serialize_field("via", &self.via.to_string())?;
        st.serialize_field("onlink", &self.onlink)?;
        st.end()
    }
}

/// Why `s` is not a DNS search domain (RFC 1123 host names: dot-separated labels of 1 to 63
/// ASCII letters, digits and `-`, not first or last; 253 characters at most), if it is not.
pub fn domain_problem(s: &str) -> Option<&'static str> {
    if s.len() > 253 {
        return Some("longer than 253 characters");
    }
    for label in s.split('.') {
        if label.is_empty() {
            return Some("an empty label (two dots, or a dot first or last)");
        }
        if label.len() > 63 {
            return Some("a label longer than 63 characters");
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Some("a character other than ASCII letters, digits, '-' and '.'");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some("a label that starts or ends with '-'");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_parse_their_names_and_the_kernels_numbers() {
        for m in BondMode::ALL {
            assert_eq!(m.name().parse::<BondMode>(), Ok(*m));
        }
        assert_eq!("1".parse::<BondMode>(), Ok(BondMode::ActiveBackup));
        assert_eq!("802.3AD".parse::<BondMode>(), Ok(BondMode::Ieee8023ad));
        assert!("lacp".parse::<BondMode>().is_err());
        assert_eq!("layer3+4".parse::<XmitHashPolicy>(), Ok(XmitHashPolicy::Layer34));
        assert_eq!(LacpRate::names("|"), "slow|fast");
    }

    #[test]
    fn domains() {
        for ok in ["example.com", "lab", "a-b.c1", "x.y.z"] {
            assert_eq!(domain_problem(ok), None, "{ok}");
        }
        for bad in ["", "a..b", ".a", "a.", "-a.b", "a-.b", "a_b", "é.com", &"a".repeat(64), &"a.".repeat(127)] {
            assert!(domain_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn routes_display_as_the_key_takes_them() {
        let r = Route { to: "10.10.0.0/16".parse().unwrap(), via: "10.9.0.1".parse().unwrap(), onlink: false };
        assert_eq!(r.to_string(), "10.10.0.0/16@10.9.0.1");
        let r = Route { onlink: true, ..r };
        assert_eq!(r.to_string(), "10.10.0.0/16@10.9.0.1@onlink");
    }
}
