//! systemd `.link` files (`/etc/systemd/network/10-rejviz-NAME.link`): udev gives the
//! interface with a MAC its name (and MTU) as it appears, whatever network tool configures
//! it afterwards. Written for the keyfile, eni and networkd formats.

use super::ini::Ini;
use super::{GuestFile, NETWORKD_DIR};
use crate::nic::{MacAddr, Nic};

pub fn path(name: &str) -> String {
    format!("{NETWORKD_DIR}/10-rejviz-{name}.link")
}

/// The `.link` file naming `nic` (and setting its MTU when `with_mtu`).
pub fn write(nic: &Nic, with_mtu: bool) -> GuestFile {
    let mut s = format!("# Written by rejviz\n[Match]\nMACAddress={}\n\n[Link]\nName={}\n", nic.hwaddr, nic.name);
    if let (true, Some(mtu)) = (with_mtu, nic.mtu) {
        s.push_str(&format!("MTUBytes={mtu}\n"));
    }
    GuestFile { path: path(&nic.name), mode: 0o644, content: s }
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

/// `None` for `.link` files that do not name one MAC (e.g. matching by driver or path).
pub fn read(path: &str, content: &str) -> Result<Option<Link>, String> {
    let ini = Ini::parse(content)?;
    let (Some(mac), Some(name)) = (ini.get("Match", "MACAddress"), ini.get("Link", "Name")) else { return Ok(None) };
    if mac.contains(' ') {
        return Ok(None);
    }
    let mac = mac.parse::<MacAddr>().map_err(|e| format!("MACAddress: {e}"))?;
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
