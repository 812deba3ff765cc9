//! systemd `.link` files (`/usr/local/lib/systemd/network/10-rejviz-NAME.link`): udev gives
//! the interface with a MAC its name (and MTU) as it appears, whatever network tool
//! configures it afterwards. Written for the keyfile, eni and networkd formats.
//!
//! Why not `/etc/systemd/network`: initramfs-tools' udev hook copies every `.link` file of
//! `/etc/systemd/network` (and `/lib/systemd/network`) into the initramfs on every
//! `update-initramfs`, i.e. on every kernel update. There the NICs still have the kernel's
//! own names (`eth0`, `eth1`, ...), so renaming the NIC that the kernel called `eth0` to
//! `eth1` fails while another NIC holds `eth1` (systemd.link(5) warns against names in the
//! kernel's namespace): the NICs come up with each other's names, or none. udev reads
//! `/usr/local/lib/systemd/network` too, but the hook does not copy it, so our renames happen
//! only in the real root, after the initramfs has given every NIC its predictable name
//! (`enp0s3`, ...), where no NIC holds an `ethN` name any more and no rename can collide.

use super::ini::Ini;
use super::{GuestFile, LINK_DIR, NETWORKD_DIR};
use crate::nic::{MacAddr, Nic};

/// Where our `.link` files live and why, in words (`man 5 rejviz-nic`'s; backquotes mark
/// literal text; README says it at more length).
pub const WHERE: &str = "The keyfile, eni and networkd formats name the interface with a systemd `.link` file in \
    `/usr/local/lib/systemd/network`, which udev reads but initramfs-tools does not copy into the initramfs. There \
    the NICs still carry the kernel's names (`eth0`, `eth1`, ...), and renaming one to a name another NIC holds \
    fails; in the real root every NIC has its predictable name (`ens4`, `enp1s0`) by then, so no rename can \
    collide. A `.link` file an older rejviz left in `/etc/systemd/network` is deleted when its NIC is written \
    again. Guests whose NICs keep their kernel names until the real root (`net.ifnames=0`) can still see renames \
    to `ethN` names race: give them names outside the kernel's namespace (`lan0`, `mgmt0`).";

pub fn path(name: &str) -> String {
    format!("{LINK_DIR}/10-rejviz-{name}.link")
}

/// Why `name` (which `validate_ifname` accepted) cannot be the `Name=` of a `.link` file,
/// if it cannot. systemd's `ifname_valid()` takes printable ASCII only, without `:`, `/` or
/// `%`, not all digits (that is an interface index) and not `all` or `default` (the sysctl
/// directories of every and of new interfaces): udev ignores a `Name=` it refuses, so the
/// NIC would keep its old name. We refuse `\` too: it escapes and continues lines in
/// systemd's and NetworkManager's files. Every format but ifcfg names NICs through a
/// `.link` file (netplan generates one for `set-name`).
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| !c.is_ascii_graphic()) {
        return Some(format!("'{c}': systemd takes interface names of printable ASCII characters only"));
    }
    if name.contains('\\') {
        return Some("a backslash: it escapes and continues lines in systemd's files".into());
    }
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Some("all digits: systemd takes it for an interface index".into());
    }
    if name == "all" || name == "default" {
        return Some("systemd refuses it: net.ipv4.conf.all and .default are not interfaces".into());
    }
    None
}

/// Where rejviz before 0.2 wrote [`path`]: in the initramfs's reach, and hiding ours.
pub fn legacy_path(name: &str) -> String {
    format!("{NETWORKD_DIR}/10-rejviz-{name}.link")
}

/// The `.link` file naming `nic` by its MAC (and setting its MTU when `with_mtu`); none for
/// a NIC without a MAC of its own (a VLAN, bond or bridge: its config names it).
pub fn write(nic: &Nic, with_mtu: bool) -> Option<GuestFile> {
    let mac = nic.hwaddr?;
    let mut s = format!("# Written by rejviz\n[Match]\nMACAddress={mac}\n\n[Link]\nName={}\n", nic.name);
    if let (true, Some(mtu)) = (with_mtu, nic.mtu) {
        s.push_str(&format!("MTUBytes={mtu}\n"));
    }
    Some(GuestFile { path: path(&nic.name), mode: 0o644, content: s })
}

/// What a `.link` file says: the MAC it matches, the name it gives, the MTU it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Guest path of the `.link` file.
    pub path: String,
    pub mac: MacAddr,
    pub name: String,
    pub mtu: Option<u32>,
}

/// Whether a guest file at `path` is a `.link` file (where networkd's, and ours, live).
pub fn claims(path: &str) -> bool {
    [super::NETWORKD_DIR, super::LINK_DIR].iter().any(|d| super::file_in(path, d).is_some_and(|n| n.ends_with(".link")))
}

/// `None` for `.link` files that do not name one MAC (e.g. matching by driver or path).
pub fn read(path: &str, content: &str) -> Result<Option<Link>, super::ReadError> {
    let ini = Ini::parse(content)?;
    let (Some(mac), Some(name)) = (ini.get("Match", "MACAddress"), ini.get("Link", "Name")) else { return Ok(None) };
    if mac.contains(' ') {
        return Ok(None);
    }
    let mac = mac.parse::<MacAddr>().map_err(|_| super::ReadError::value("MACAddress", mac, "a MAC address"))?;
    let mtu = ini.get("Link", "MTUBytes").and_then(|m| m.parse().ok());
    Ok(Some(Link { path: path.to_string(), mac, name: name.to_string(), mtu }))
}

/// The `.link` files of a guest.
#[derive(Debug, Clone, Default)]
pub struct LinkMap {
    links: Vec<Link>,
}

impl LinkMap {
    pub fn add(&mut self, l: Link) {
        self.links.push(l);
    }
    pub fn by_mac(&self, mac: MacAddr) -> Option<&Link> {
        self.links.iter().find(|l| l.mac == mac)
    }
    pub fn by_name(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }
    pub fn all(&self) -> &[Link] {
        &self.links
    }
}
