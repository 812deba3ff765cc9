//! Guest network configuration files: one module per format, each with a writer (NIC model
//! → file) and, where we need to read guests back, a reader (file → what it configures).

pub mod detect;
pub mod eni;
mod error;
pub mod ifcfg;
pub mod ini;
pub mod keyfile;
pub mod link;
pub mod netplan;
pub mod networkd;
pub mod shellvars;

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::Ipv4Net;
use serde::Serialize;

pub use crate::format::Format;
use crate::inspect::{Snapshot, Want};
use crate::nic::{Ipv6Config, MacAddr, Nic, NicError, NicProblem, natural_cmp};
pub use error::{IniProblem, ReadError};

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

/// How a config gets its IPv4 address, as its file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootproto {
    /// DHCP (ifcfg `dhcp`/`bootp`, keyfile `auto`, ENI `dhcp`, netplan/networkd DHCP on).
    Dhcp,
    Static,
    /// No address of its own (ifcfg keeps the word `none` even with an address).
    None,
    /// Another method the file names (keyfile `disabled`, ENI `manual`, ...), as written.
    Other(String),
}

impl Bootproto {
    pub fn as_str(&self) -> &str {
        match self {
            Bootproto::Dhcp => "dhcp",
            Bootproto::Static => "static",
            Bootproto::None => "none",
            Bootproto::Other(s) => s,
        }
    }
}

impl std::fmt::Display for Bootproto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Bootproto {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What one config file in a guest says about one interface: the readers' common output,
/// whatever the file format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfiguredNic {
    /// Interface name the config applies to.
    pub name: String,
    /// Guest path of the file.
    pub file: String,
    pub format: Format,
    #[serde(rename = "type")]
    pub kind: LinkKind,
    /// The MAC the config is pinned to, if any.
    pub hwaddr: Option<MacAddr>,
    /// `dhcp`, `static`, `none`, ... as the file says (lower-cased).
    pub bootproto: Bootproto,
    /// Static IPv4 address with its prefix.
    pub ipv4: Option<Ipv4Net>,
    pub gateway: Option<Ipv4Addr>,
    pub dns: Vec<Ipv4Addr>,
    pub onboot: bool,
    pub mtu: Option<u32>,
    pub ipv6: Option<Ipv6Config>,
}

impl ConfiguredNic {
    /// A config of `format` in `file` for `name`, with nothing configured yet.
    pub fn new(name: &str, file: &str, format: Format) -> ConfiguredNic {
        ConfiguredNic {
            name: name.to_string(),
            file: file.to_string(),
            format,
            kind: LinkKind::Ethernet,
            hwaddr: None,
            bootproto: Bootproto::None,
            ipv4: None,
            gateway: None,
            dns: Vec::new(),
            onboot: true,
            mtu: None,
            ipv6: None,
        }
    }
}

impl ConfiguredNic {
    /// Adds an `ADDR/PREFIX` of either family, as netplan and networkd list them: the last
    /// IPv6 one is the static IPv6 address, the first IPv4 one the NIC's address.
    pub(crate) fn add_address(&mut self, key: &str, a: &str) -> Result<(), ReadError> {
        let bad = || ReadError::value(key, a, "ADDR/PREFIX");
        if a.contains(':') {
            let addr = a.parse().map_err(|_| bad())?;
            self.ipv6 = Some(Ipv6Config::Static { addr, gateway: None });
        } else if self.ipv4.is_none() {
            self.ipv4 = Some(a.parse().map_err(|_| bad())?);
        }
        Ok(())
    }

    /// Settles `bootproto` and the IPv6 method once the addresses are known: a static IPv6
    /// address (with `gw6`) wins over DHCPv6, which wins over router advertisements.
    pub(crate) fn settle(&mut self, dhcp4: bool, dhcp6: bool, accept_ra: bool, gw6: Option<Ipv6Addr>) {
        self.bootproto = if dhcp4 {
            Bootproto::Dhcp
        } else if self.ipv4.is_some() {
            Bootproto::Static
        } else {
            Bootproto::None
        };
        match &mut self.ipv6 {
            Some(Ipv6Config::Static { gateway, .. }) => *gateway = gw6,
            _ if dhcp6 => self.ipv6 = Some(Ipv6Config::Dhcp),
            _ if accept_ra => self.ipv6 = Some(Ipv6Config::Auto),
            _ => {}
        }
    }
}

/// `{"method": "auto"|"dhcp"|"static", "address": "ADDR/PREFIX"|null, "gateway": ...|null}`.
impl Serialize for Ipv6Config {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Ipv6", 3)?;
        let (method, address, gateway): (&str, Option<String>, Option<Ipv6Addr>) = match self {
            Ipv6Config::Auto => ("auto", None, None),
            Ipv6Config::Dhcp => ("dhcp", None, None),
            Ipv6Config::Static { addr, gateway } => ("static", Some(addr.to_string()), *gateway),
        };
        st.serialize_field("method", method)?;
        st.serialize_field("address", &address)?;
        st.serialize_field("gateway", &gateway)?;
        st.end()
    }
}

/// One format's part in everything rejviz does with guest configs: the one interface of
/// the five format modules (each defines its `OPS`), so that no caller dispatches by hand.
pub struct FormatOps {
    pub format: Format,
    /// The main file (the one that is not a `.link`) configuring interface `name`.
    pub path: fn(&str) -> String,
    /// Why the format cannot carry the interface name (one `validate_ifname` accepted).
    pub name_problem: fn(&str) -> Option<String>,
    /// The files that configure a NIC, [`FormatOps::path`] first.
    pub write: fn(&Nic) -> Result<Vec<GuestFile>, NicError>,
    /// Whether a guest file at this path is one of the format's configs.
    pub claims: fn(&str) -> bool,
    /// What one of its files configures (`.link` files name interfaces by MAC).
    pub read: fn(&str, &str, &link::LinkMap) -> Result<Vec<ConfiguredNic>, ReadError>,
}

/// Every format's operations, in [`Format::ALL`] order.
pub const FORMATS: [&FormatOps; 5] = [&ifcfg::OPS, &keyfile::OPS, &netplan::OPS, &eni::OPS, &networkd::OPS];

/// The operations of `format`.
pub fn ops(format: Format) -> &'static FormatOps {
    match format {
        Format::Ifcfg => &ifcfg::OPS,
        Format::Keyfile => &keyfile::OPS,
        Format::Netplan => &netplan::OPS,
        Format::Eni => &eni::OPS,
        Format::Networkd => &networkd::OPS,
    }
}

/// The name of `path`'s file when it stands directly in `dir` and is not a backup.
pub(crate) fn file_in<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')).filter(|n| !n.contains('/') && !is_backup(n))
}

/// The main file (the one that is not a `.link`) configuring interface `name` in `format`.
pub fn config_path(format: Format, name: &str) -> String {
    (ops(format).path)(name)
}

/// Why `format` cannot carry the interface name `name` (one `validate_ifname` accepted), if
/// it cannot: each format's files and the tools that read them take fewer names than the
/// kernel (see each format's `name_problem`). And in every format the files are named after
/// the NIC, and a later run that replaces or removes the NIC deletes them by path with
/// virt-customize `--delete`, which expands globs and braces (libguestfs' `glob_expand`,
/// glob(3) with `GLOB_BRACE`): a name with `*`, `?`, `[`, `{` or `\` would take other NICs'
/// files with it.
pub fn name_problem(format: Format, name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| matches!(c, '*' | '?' | '[' | '{' | '\\')) {
        return Some(format!("'{c}': a later run deletes its files with virt-customize --delete, which globs"));
    }
    (ops(format).name_problem)(name)
}

/// [`name_problem`], as the error `--nic` reports (a key the format cannot express).
pub fn check_name(nic: &Nic, format: Format) -> Result<(), NicError> {
    match name_problem(format, &nic.name) {
        None => Ok(()),
        Some(why) => Err(NicError {
            nic: nic.name.clone(),
            key: Some("name".into()),
            problem: NicProblem::Unsupported { format, what: format!("the interface name '{}' ({why})", nic.name) },
        }),
    }
}

/// The files that configure `nic` in `format`, [`config_path`] first.
pub fn write(nic: &Nic, format: Format) -> Result<Vec<GuestFile>, NicError> {
    check_name(nic, format)?;
    (ops(format).write)(nic)
}

/// A config file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub file: String,
    pub reason: String,
}

/// Where each format lives in a guest.
pub const NM_DIR: &str = "/etc/NetworkManager/system-connections";
pub const NETPLAN_DIR: &str = "/etc/netplan";
pub const ENI_FILE: &str = "/etc/network/interfaces";
pub const ENI_DIR: &str = "/etc/network/interfaces.d";
pub const NETWORKD_DIR: &str = "/etc/systemd/network";
/// Where our `.link` files go: read by udev, not copied into the initramfs (see [`link`]).
pub const LINK_DIR: &str = "/usr/local/lib/systemd/network";

/// What the reader must fetch from a guest for [`configs_in`].
pub fn want() -> Want {
    Want {
        dirs: [ifcfg::DIR, NM_DIR, NETPLAN_DIR, ENI_DIR, NETWORKD_DIR, LINK_DIR].map(String::from).to_vec(),
        files: vec![ENI_FILE.into()],
        exists: detect::EVIDENCE.iter().map(|s| s.to_string()).collect(),
    }
}

/// Suffixes of backup, editor and package-manager leftovers, which no network tool reads
/// (initscripts skip the rpm ones and `~`, `.bak`, `.old`, `.orig`; ifupdown's run-parts
/// and the others skip more). One list for every format.
pub const BACKUP_SUFFIXES: &[&str] = &[
    "~",
    ".bak",
    ".old",
    ".orig",
    ".rpmnew",
    ".rpmorig",
    ".rpmsave",
    ".dpkg-old",
    ".dpkg-new",
    ".dpkg-dist",
    ".swp",
    ".rej",
    ".augnew",
    ".augtmp",
];

/// Whether `name` ends like a backup (see [`BACKUP_SUFFIXES`]).
pub fn has_backup_suffix(name: &str) -> bool {
    BACKUP_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Backup and package-manager leftovers (and hidden files), which no network tool reads.
pub fn is_backup(file_name: &str) -> bool {
    file_name.starts_with('.') || has_backup_suffix(file_name)
}

/// The NIC configs found in a snapshot read with [`want`], in natural interface order, and
/// the config files that could not be read.
pub fn configs_in(snap: &Snapshot) -> (Vec<ConfiguredNic>, Vec<Unreadable>) {
    let (nics, bad, _) = configs_and_links(snap);
    (nics, bad)
}

/// [`configs_in`], and the guest's `.link` files.
pub fn configs_and_links(snap: &Snapshot) -> (Vec<ConfiguredNic>, Vec<Unreadable>, link::LinkMap) {
    configs_in_files(snap.files.iter().map(|f| (f.path.as_str(), f.content.as_slice())))
}

/// What the config files among `files` (guest path, content) configure, the ones that could
/// not be read, and the `.link` files: each file read by the format that claims it.
pub fn configs_in_files<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])> + Clone,
) -> (Vec<ConfiguredNic>, Vec<Unreadable>, link::LinkMap) {
    let mut nics = Vec::new();
    let mut bad = Vec::new();
    let text = |b: &[u8]| std::str::from_utf8(b).map(str::to_string).map_err(|_| ReadError::NotUtf8);
    // .link files first: they name interfaces by MAC for the other formats.
    let mut links = link::LinkMap::default();
    for (path, content) in files.clone() {
        if link::claims(path) {
            match text(content).and_then(|t| link::read(path, &t)) {
                Ok(Some(l)) => links.add(l),
                Ok(None) => {}
                Err(e) => bad.push(Unreadable { file: path.to_string(), reason: e.to_string() }),
            }
        }
    }
    for (path, content) in files {
        let Some(f) = FORMATS.iter().find(|f| (f.claims)(path)) else { continue };
        match text(content).and_then(|t| (f.read)(path, &t, &links)) {
            Ok(found) => nics.extend(found),
            Err(e) => bad.push(Unreadable { file: path.to_string(), reason: e.to_string() }),
        }
    }
    nics.sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.file.cmp(&b.file)));
    (nics, bad, links)
}
