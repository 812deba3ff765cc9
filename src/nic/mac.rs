//! Ethernet MAC addresses: parsing, validation and the random KVM addresses given to NICs
//! that do not name one.

use std::fmt;
use std::str::FromStr;

use super::shown;

/// Why a string is not a usable NIC MAC address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MacError {
    #[error("'{}' is not a MAC address (expected six hex pairs like 52:54:00:12:34:56)", shown(.0))]
    Syntax(String),
    #[error("'{}' is a multicast MAC address; a NIC needs a unicast one", shown(.0))]
    Multicast(String),
    #[error("'{}' is the all-zero MAC address", shown(.0))]
    Zero(String),
}

/// A unicast, non-zero Ethernet address. Displayed lower-case with colons, which is what
/// `ip link` prints and what initscripts, NetworkManager and libvirt all accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddr([u8; 6]);

/// The prefix QEMU/KVM and libvirt use for generated addresses.
pub const KVM_OUI: [u8; 3] = [0x52, 0x54, 0x00];

impl MacAddr {
    pub fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// Each of `given` as it is, or for `None` a random `52:54:00:xx:xx:xx` unique among
    /// `given`, `also_taken` and the other random ones; with whether it was generated.
    pub fn given_or_random(given: &[Option<MacAddr>], also_taken: &[MacAddr]) -> Vec<(MacAddr, bool)> {
        let mut taken: Vec<MacAddr> = given.iter().flatten().chain(also_taken).copied().collect();
        given
            .iter()
            .map(|g| match g {
                Some(mac) => (*mac, false),
                None => {
                    let mac = MacAddr::random_kvm(&taken);
                    taken.push(mac);
                    (mac, true)
                }
            })
            .collect()
    }

    /// A random address `52:54:00:xx:xx:xx` that is not in `taken`.
    pub fn random_kvm(taken: &[MacAddr]) -> MacAddr {
        loop {
            let mut tail = [0u8; 3];
            // The OS random source failing is not something a caller can act on.
            getrandom::fill(&mut tail).expect("the OS random number source failed");
            let mac = MacAddr([KVM_OUI[0], KVM_OUI[1], KVM_OUI[2], tail[0], tail[1], tail[2]]);
            if !taken.contains(&mac) {
                return mac;
            }
        }
    }
}

impl FromStr for MacAddr {
    type Err = MacError;

    /// Accepts `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff`, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || MacError::Syntax(s.to_string());
        let sep = if s.contains('-') { '-' } else { ':' };
        let mut octets = [0u8; 6];
        let mut parts = s.split(sep);
        for octet in octets.iter_mut() {
            let part = parts.next().ok_or_else(syntax)?;
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(syntax());
            }
            *octet = u8::from_str_radix(part, 16).map_err(|_| syntax())?;
        }
        if parts.next().is_some() {
            return Err(syntax());
        }
        if octets == [0; 6] {
            return Err(MacError::Zero(s.to_string()));
        }
        if octets[0] & 1 == 1 {
            return Err(MacError::Multicast(s.to_string()));
        }
        Ok(MacAddr(octets))
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3], o[4], o[5])
    }
}

impl serde::Serialize for MacAddr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let m: MacAddr = "52:54:00:AB:cd:0F".parse().unwrap();
        assert_eq!(m.to_string(), "52:54:00:ab:cd:0f");
        let m: MacAddr = "52-54-00-ab-cd-0f".parse().unwrap();
        assert_eq!(m.to_string(), "52:54:00:ab:cd:0f");
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            "52:54:00:ab:cd",
            "52:54:00:ab:cd:0f:11",
            "52:54:00:ab:cd:0g",
            "5:54:00:ab:cd:0f",
            "52:54:00:ab:cd:+f",
            "52:54-00:ab:cd:0f",
            "525400abcd0f",
        ] {
            assert!(matches!(bad.parse::<MacAddr>(), Err(MacError::Syntax(_))), "{bad}");
        }
        assert!(matches!("01:00:5e:00:00:01".parse::<MacAddr>(), Err(MacError::Multicast(_))));
        assert!(matches!("ff:ff:ff:ff:ff:ff".parse::<MacAddr>(), Err(MacError::Multicast(_))));
        assert!(matches!("00:00:00:00:00:00".parse::<MacAddr>(), Err(MacError::Zero(_))));
    }

    #[test]
    fn random_kvm_avoids_taken() {
        let mut taken = Vec::new();
        for _ in 0..200 {
            let m = MacAddr::random_kvm(&taken);
            assert_eq!(&m.octets()[..3], &KVM_OUI);
            assert!(!taken.contains(&m));
            taken.push(m);
        }
    }
}
