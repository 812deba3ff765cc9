//! Guest network configuration files: one module per format, each with a writer (NIC model
//! → file) and, where we need to read guests back, a reader (file → what it configures).

pub mod ifcfg;
pub mod shellvars;

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::inspect::{Snapshot, Want};
use crate::nic::{natural_cmp, MacAddr};

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

/// What the reader must fetch from a guest for [`configs_in`].
pub fn want() -> Want {
    Want { dirs: vec![ifcfg::DIR.into()], files: vec![] }
}

/// The NIC configs found in a snapshot read with [`want`], in natural interface order, and
/// the config files that could not be read.
pub fn configs_in(snap: &Snapshot) -> (Vec<ConfiguredNic>, Vec<Unreadable>) {
    let mut nics = Vec::new();
    let mut bad = Vec::new();
    for f in &snap.files {
        let Some(file_name) = f.path.strip_prefix(ifcfg::DIR).and_then(|r| r.strip_prefix('/')) else { continue };
        if ifcfg::config_name(file_name).is_none() {
            continue;
        }
        let read = std::str::from_utf8(&f.content)
            .map_err(|_| "not UTF-8 text".to_string())
            .and_then(|t| ifcfg::read(&f.path, t).map_err(|e| e.to_string()));
        match read {
            Ok(n) => nics.push(n),
            Err(reason) => bad.push(Unreadable { file: f.path.clone(), reason }),
        }
    }
    nics.sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.file.cmp(&b.file)));
    (nics, bad)
}
