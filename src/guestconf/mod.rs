//! Guest network configuration files: one module per format, each with a writer (NIC model
//! → file) and, where we need to read guests back, a reader (file → what it configures).

pub mod ifcfg;
pub mod shellvars;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::nic::MacAddr;

/// A file to put into the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestFile {
    /// Absolute path inside the guest.
    pub path: String,
    /// Permission bits, e.g. 0o644.
    pub mode: u32,
    pub content: String,
}

impl GuestFile {
    /// The directory that must exist for the file to be written.
    pub fn dir(&self) -> &str {
        match self.path.rfind('/') {
            Some(0) | None => "/",
            Some(i) => &self.path[..i],
        }
    }
}

/// What kind of link a config is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Ethernet,
    Loopback,
    /// Anything else (bridge, bond, vlan, ...), with the type as the config names it.
    #[serde(untagged)]
    Other(String),
}

/// What one config file in a guest says about one interface: the readers' common output,
/// whatever the file format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfiguredNic {
    /// Interface name the config applies to.
    pub name: String,
    /// Guest path of the file.
    pub file: String,
    /// `ifcfg`, ...
    pub format: &'static str,
    #[serde(rename = "type")]
    pub kind: LinkKind,
    /// The MAC the config is pinned to, if any.
    pub hwaddr: Option<MacAddr>,
    /// `dhcp`, `static`, `none`, ... as the file says (lower-cased).
    pub bootproto: String,
    /// Static IPv4 address with its prefix.
    pub ipv4: Option<Ipv4Net>,
    pub gateway: Option<Ipv4Addr>,
    pub dns: Vec<Ipv4Addr>,
    pub onboot: bool,
}

/// A config file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub file: String,
    pub reason: String,
}
