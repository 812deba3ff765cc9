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
mod stack;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net};
use serde::Serialize;

pub use crate::format::Format;
use crate::inspect::{Snapshot, Want};
use crate::nic::{BondOptions, Ipv6Config, MacAddr, Nic, NicError, NicKind, NicProblem, Route, natural_cmp};
pub use error::{IniProblem, ReadError};
pub use stack::{Row, Stack, Tie};

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
    Vlan,
    Bond,
    Bridge,
    /// Anything else (wifi, team, tun, ...), with the type as the config names it.
    #[serde(untagged)]
    Other(String),
}

impl LinkKind {
    /// The kind a config's own type word names (ifcfg `TYPE=`, keyfile `type=`, networkd
    /// `Kind=`), in any case.
    pub fn from_word(word: &str) -> LinkKind {
        match word.to_ascii_lowercase().as_str() {
            "ethernet" | "802-3-ethernet" | "ether" => LinkKind::Ethernet,
            "loopback" => LinkKind::Loopback,
            "vlan" => LinkKind::Vlan,
            "bond" | "bonding" => LinkKind::Bond,
            "bridge" => LinkKind::Bridge,
            _ => LinkKind::Other(word.to_string()),
        }
    }

    /// The kind of interface `nic` is.
    pub fn of(nic: &Nic) -> LinkKind {
        match nic.kind {
            NicKind::Ethernet => LinkKind::Ethernet,
            NicKind::Vlan(_) => LinkKind::Vlan,
            NicKind::Bond(_) => LinkKind::Bond,
            NicKind::Bridge(_) => LinkKind::Bridge,
        }
    }
}

/// Whether a config file says all there is about its interface, or only adds to the config
/// of the same name in the same format in another file (a networkd `.netdev`, an ifcfg
/// `route-NAME`): [`configs_in_files`] merges such parts into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Part {
    #[default]
    Whole,
    /// Defines the interface (networkd `.netdev`): stands on its own when nothing else
    /// configures the interface.
    Netdev,
    /// Only routes (ifcfg `route-NAME`, `route6-NAME`): nothing without the main file.
    Routes,
    /// Only names the interface for a reference (netplan: a VLAN by its id and link, as
    /// rejviz declares a bridge's VLAN member in the bridge's file): adds nothing to a config
    /// of it; stands on its own when there is none.
    Declaration,
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
    /// The bond or bridge this interface is a member of.
    pub master: Option<String>,
    /// A bond's or bridge's members, in natural order (whichever side the files name them on).
    pub members: Vec<String>,
    /// A VLAN's link and id.
    pub link: Option<String>,
    pub id: Option<u16>,
    /// A bond's options.
    pub bond: Option<BondOptions>,
    /// A bridge's spanning tree.
    pub stp: Option<bool>,
    /// Static routes other than the default ones (those are `gateway` and the IPv6 gateway).
    pub routes: Vec<Route>,
    /// DNS search domains.
    pub search: Vec<String>,
    /// The other files that configure this interface with `file` (a networkd `.netdev`, an
    /// ifcfg `route-NAME`).
    #[serde(skip)]
    pub also: Vec<String>,
    #[serde(skip)]
    pub(crate) part: Part,
    /// networkd: the VLANs a `.network` puts on its interface (`VLAN=`), whose link it is.
    #[serde(skip)]
    pub(crate) vlans: Vec<String>,
    /// networkd: this member is its bond's primary (`PrimarySlave=`).
    #[serde(skip)]
    pub(crate) primary: bool,
    /// keyfile: the connection's UUID, by which other keyfiles may name it (resolved to
    /// names, then dropped, by [`configs_in_files`]).
    #[serde(skip)]
    pub(crate) uuid: Option<String>,
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
            master: None,
            members: Vec::new(),
            link: None,
            id: None,
            bond: None,
            stp: None,
            routes: Vec::new(),
            search: Vec::new(),
            also: Vec::new(),
            part: Part::Whole,
            vlans: Vec::new(),
            primary: false,
            uuid: None,
        }
    }

    /// A route as a file gives it: a default route (`/0`) is returned for the caller to take
    /// as the gateway of its family; any other is added to `routes`.
    pub(crate) fn add_route(&mut self, to: IpNet, via: IpAddr, onlink: bool) -> Option<IpAddr> {
        if to.prefix_len() == 0 {
            return Some(via);
        }
        let r = Route { to, via, onlink };
        if !self.routes.contains(&r) {
            self.routes.push(r);
        }
        None
    }

    /// Takes `part`'s say about the same interface (see [`Part`]).
    fn merge(&mut self, part: ConfiguredNic) {
        match part.part {
            Part::Declaration => return,
            Part::Netdev => {
                self.kind = part.kind;
                self.link = part.link.or(self.link.take());
                self.id = part.id.or(self.id);
                self.bond = part.bond.or(self.bond.take());
                self.stp = part.stp.or(self.stp);
                self.mtu = self.mtu.or(part.mtu);
            }
            Part::Routes | Part::Whole => {
                for r in part.routes {
                    match self.add_route(r.to, r.via, r.onlink) {
                        Some(IpAddr::V4(g)) => {
                            self.gateway.get_or_insert(g);
                        }
                        Some(IpAddr::V6(g)) => {
                            if let Some(Ipv6Config::Static { gateway, .. }) = &mut self.ipv6 {
                                gateway.get_or_insert(g);
                            }
                        }
                        None => {}
                    }
                }
            }
        }
        self.also.push(part.file);
    }
}

/// The link and id a VLAN's name implies, as ifupdown and initscripts read them: `LINK.ID`,
/// or `vlanID` (whose link is given elsewhere).
pub fn vlan_of_name(name: &str) -> (Option<String>, Option<u16>) {
    let id = |s: &str| s.parse::<u16>().ok().filter(|n| (1..=4094).contains(n));
    if let Some((link, n)) = name.rsplit_once('.')
        && !link.is_empty()
        && let Some(n) = id(n)
    {
        return (Some(link.to_string()), Some(n));
    }
    (None, name.strip_prefix("vlan").and_then(id))
}

/// A time span as systemd (`100ms`, `2s`, `1min`) and netplan write it, in milliseconds;
/// a bare number is milliseconds when `bare_ms` (netplan), else seconds (systemd).
pub(crate) fn milliseconds(v: &str, bare_ms: bool) -> Option<u32> {
    let v = v.trim();
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (n, unit) = v.split_at(split);
    let n: u32 = n.parse().ok()?;
    let factor = match unit.trim() {
        "" if bare_ms => 1,
        "" | "s" | "sec" => 1000,
        "ms" | "msec" => 1,
        "min" | "m" => 60_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// What several files say together: parts merged into their interface's config, keyfile
/// UUIDs resolved to names, and bond and bridge membership filled in on both sides (a
/// master's members, each member's master), within each format.
fn consolidate(all: Vec<ConfiguredNic>) -> Vec<ConfiguredNic> {
    let (parts, mut nics): (Vec<ConfiguredNic>, Vec<ConfiguredNic>) =
        all.into_iter().partition(|n| n.part != Part::Whole);
    for p in parts {
        match nics.iter_mut().find(|n| n.name == p.name && n.format == p.format) {
            Some(n) => n.merge(p),
            None if matches!(p.part, Part::Netdev | Part::Declaration) => {
                nics.push(ConfiguredNic { part: Part::Whole, ..p })
            }
            // Routes of an interface nothing else configures: no tool applies them.
            None => {}
        }
    }
    let uuids: Vec<(String, String)> =
        nics.iter().filter_map(|n| Some((n.uuid.clone()?.to_ascii_lowercase(), n.name.clone()))).collect();
    let name_of = |r: &mut Option<String>| {
        if let Some(v) = r
            && let Some((_, name)) = uuids.iter().find(|(u, _)| u.eq_ignore_ascii_case(v))
        {
            *v = name.clone();
        }
    };
    for n in &mut nics {
        name_of(&mut n.master);
        name_of(&mut n.link);
        n.uuid = None;
    }
    // networkd names a VLAN's link on the link (VLAN=), and a bond's primary on the member.
    let links: Vec<(String, Format, String)> = nics
        .iter_mut()
        .flat_map(|n| {
            std::mem::take(&mut n.vlans).into_iter().map(|v| (v, n.format, n.name.clone())).collect::<Vec<_>>()
        })
        .collect();
    let primaries: Vec<(String, Format, String)> = nics
        .iter_mut()
        .filter_map(|n| std::mem::take(&mut n.primary).then(|| Some((n.master.clone()?, n.format, n.name.clone())))?)
        .collect();
    for n in &mut nics {
        if n.link.is_none()
            && let Some((_, _, link)) = links.iter().find(|(v, f, _)| *v == n.name && *f == n.format)
        {
            n.link = Some(link.clone());
        }
        if let Some(o) = &mut n.bond
            && o.primary.is_none()
            && let Some((_, _, p)) = primaries.iter().find(|(m, f, _)| *m == n.name && *f == n.format)
        {
            o.primary = Some(p.clone());
        }
    }
    let claims: Vec<(String, Format, String)> =
        nics.iter().filter_map(|n| Some((n.master.clone()?, n.format, n.name.clone()))).collect();
    let listed: Vec<(String, Format, String)> =
        nics.iter().flat_map(|n| n.members.iter().map(move |m| (n.name.clone(), n.format, m.clone()))).collect();
    for n in &mut nics {
        if matches!(n.kind, LinkKind::Bond | LinkKind::Bridge) {
            n.members.extend(claims.iter().filter(|(m, f, _)| *m == n.name && *f == n.format).map(|c| c.2.clone()));
            n.members.sort_by(|a, b| natural_cmp(a, b));
            n.members.dedup();
        }
        if n.master.is_none()
            && let Some((master, _, _)) = listed.iter().find(|(_, f, m)| *m == n.name && *f == n.format)
        {
            n.master = Some(master.clone());
        }
    }
    nics
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

/// What the formats have in common, for people: README's and `man 5 rejviz-nic`'s words
/// (backquotes mark literal text).
pub const FORMATS_ABOUT: &str = "Every command speaks five formats, through one NIC model. Each config is bound to the \
    NIC's MAC, so that it applies whatever name the kernel gives the NIC (`ens3`, `enp1s0`), and the interface gets \
    the name you asked for.";

/// A format, for people (README's table and `man 5 rejviz-nic`; backquotes mark literal
/// text). Where its files go, and their modes, are not here: they are the writer's.
pub struct FormatDoc {
    /// How the config is bound to the NIC's MAC.
    pub bound_by: &'static str,
    pub notes: &'static str,
}

/// One format's part in everything rejviz does with guest configs: the one interface of
/// the five format modules (each defines its `OPS`), so that no caller dispatches by hand.
pub struct FormatOps {
    pub format: Format,
    pub doc: FormatDoc,
    /// The main file (the one that is not a `.link`) configuring interface `name`.
    pub path: fn(&str) -> String,
    /// Why the format cannot carry the interface name (one `validate_ifname` accepted).
    pub name_problem: fn(&str, &NicKind) -> Option<String>,
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
    kind_name_problem(format, name, &NicKind::Ethernet)
}

/// [`name_problem`] for an interface of `kind` (ifupdown names VLANs after their link).
pub fn kind_name_problem(format: Format, name: &str, kind: &NicKind) -> Option<String> {
    if let Some(c) = name.chars().find(|c| matches!(c, '*' | '?' | '[' | '{' | '\\')) {
        return Some(format!("'{c}': a later run deletes its files with virt-customize --delete, which globs"));
    }
    (ops(format).name_problem)(name, kind)
}

/// [`kind_name_problem`], as the error `--nic` reports (a key the format cannot express).
pub fn check_name(nic: &Nic, format: Format) -> Result<(), NicError> {
    match kind_name_problem(format, &nic.name, &nic.kind) {
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

/// Refuses a topology split across formats: a member and its master, a VLAN and its link are
/// written in one format (`formats[i]` is the format of `nics[i]`), since each format's
/// files name the others by its own means.
pub fn check_topology_formats(nics: &[Nic], formats: &[Format]) -> Result<(), NicError> {
    let format_of = |name: &str| nics.iter().zip(formats).find(|(n, _)| n.name == name).map(|(_, f)| *f);
    for (n, f) in nics.iter().zip(formats) {
        let (key, other) = match (&n.master, &n.kind) {
            (Some(m), _) => ("format", m.name.as_str()),
            (None, NicKind::Vlan(v)) => ("format", v.link.as_str()),
            _ => continue,
        };
        if let Some(of) = format_of(other).filter(|of| of != f) {
            return Err(NicError {
                nic: n.name.clone(),
                key: Some(key.into()),
                problem: NicProblem::MixedFormats {
                    nic: n.name.clone(),
                    format: *f,
                    other: other.to_string(),
                    other_format: of,
                },
            });
        }
    }
    Ok(())
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
    let mut nics = consolidate(nics);
    nics.sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.file.cmp(&b.file)));
    (nics, bad, links)
}
