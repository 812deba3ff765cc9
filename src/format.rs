//! The guest network configuration formats, by name: a leaf that the NIC model (its
//! `format=` key) and the formats' writers and readers ([`crate::guestconf`]) both use.

use serde::Serialize;

/// The guest network configuration formats rejviz writes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `/etc/sysconfig/network-scripts/ifcfg-NAME` (initscripts, NetworkManager ifcfg-rh).
    Ifcfg,
    /// `/etc/NetworkManager/system-connections/NAME.nmconnection`.
    Keyfile,
    /// `/etc/netplan/50-rejviz-NAME.yaml`.
    Netplan,
    /// `/etc/network/interfaces.d/NAME` (ifupdown), with a `.link` file for the name.
    Eni,
    /// `/etc/systemd/network/50-NAME.network` and `.link`.
    Networkd,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Ifcfg, Format::Keyfile, Format::Netplan, Format::Eni, Format::Networkd];

    pub fn name(self) -> &'static str {
        match self {
            Format::Ifcfg => "ifcfg",
            Format::Keyfile => "keyfile",
            Format::Netplan => "netplan",
            Format::Eni => "eni",
            Format::Networkd => "networkd",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("'{}' is not one of ifcfg, keyfile, netplan, eni, networkd", s.escape_debug()))
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
