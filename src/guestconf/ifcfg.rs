//! Red Hat `ifcfg` files (`/etc/sysconfig/network-scripts/ifcfg-NAME`), as read by
//! initscripts' `network-functions` (which sources them with the shell) and by
//! NetworkManager's ifcfg-rh plugin (which parses the same shell subset).

use std::fmt::Write as _;

use super::GuestFile;
use crate::nic::{Ipv4Config, MaskStyle, Nic, StaticWord};

pub const DIR: &str = "/etc/sysconfig/network-scripts";

/// Path of the config of interface `name`.
pub fn path(name: &str) -> String {
    format!("{DIR}/ifcfg-{name}")
}

/// The ifcfg file for `nic`, mode 0644 (initscripts and NetworkManager read it as root,
/// but tools such as `ifup` as a user and `nmcli` expect it world-readable).
pub fn write(nic: &Nic) -> GuestFile {
    let mut s = String::from("# Written by rejviz\n");
    let mut kv = |k: &str, v: &str| {
        // Infallible: writing to a String.
        let _ = writeln!(s, "{k}={}", quote(v));
    };
    kv("DEVICE", &nic.name);
    kv("NAME", &nic.name);
    kv("TYPE", "Ethernet");
    kv("ONBOOT", "yes");
    match &nic.ipv4 {
        Ipv4Config::Dhcp => kv("BOOTPROTO", "dhcp"),
        Ipv4Config::Static(st) => kv("BOOTPROTO", match st.word {
            StaticWord::Static => "static",
            StaticWord::None => "none",
        }),
    }
    kv("HWADDR", &nic.hwaddr.to_string());
    if let Ipv4Config::Static(st) = &nic.ipv4 {
        kv("IPADDR", &st.address().to_string());
        match st.mask_style {
            MaskStyle::Prefix => kv("PREFIX", &st.prefix().to_string()),
            MaskStyle::Netmask => kv("NETMASK", &st.netmask().to_string()),
        }
        kv("NETWORK", &st.network().to_string());
        kv("BROADCAST", &st.broadcast().to_string());
        if let Some(gw) = st.gateway {
            kv("GATEWAY", &gw.to_string());
        }
    }
    for (i, dns) in nic.dns.iter().enumerate() {
        kv(&format!("DNS{}", i + 1), &dns.to_string());
    }
    GuestFile { path: path(&nic.name), mode: 0o644, content: s }
}

/// Quotes a value for a file that is sourced by the shell: bare when it is made only of
/// characters the shell leaves alone, else single-quoted (with `'\''` for a quote), which
/// NetworkManager's ifcfg parser also understands.
fn quote(v: &str) -> String {
    let plain = !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'_' | b'-' | b'/' | b'+' | b'@'));
    if plain { v.to_string() } else { format!("'{}'", v.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nic::parse_nics;

    fn one(spec: &str) -> GuestFile {
        write(&parse_nics(&[spec]).unwrap()[0])
    }

    #[test]
    fn dhcp() {
        let f = one("name=eth0,hwaddr=52:54:00:AA:bb:01");
        assert_eq!(f.path, "/etc/sysconfig/network-scripts/ifcfg-eth0");
        assert_eq!(f.mode, 0o644);
        assert_eq!(
            f.content,
            "# Written by rejviz\nDEVICE=eth0\nNAME=eth0\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=dhcp\n\
             HWADDR=52:54:00:aa:bb:01\n"
        );
    }

    #[test]
    fn static_with_inferred_network() {
        let f = one("name=eth1,hwaddr=52:54:00:aa:bb:02,ipaddr=192.168.122.15");
        assert_eq!(
            f.content,
            "# Written by rejviz\nDEVICE=eth1\nNAME=eth1\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=static\n\
             HWADDR=52:54:00:aa:bb:02\nIPADDR=192.168.122.15\nPREFIX=24\nNETWORK=192.168.122.0\n\
             BROADCAST=192.168.122.255\n"
        );
    }

    #[test]
    fn static_full_with_netmask_and_dns() {
        let f = one("name=eth2,hwaddr=52:54:00:aa:bb:03,bootproto=none,ipaddr=10.0.5.7,netmask=255.255.0.0,\
                     gateway=10.0.0.1,dns1=10.0.0.2,dns2=10.0.0.3");
        assert_eq!(
            f.content,
            "# Written by rejviz\nDEVICE=eth2\nNAME=eth2\nTYPE=Ethernet\nONBOOT=yes\nBOOTPROTO=none\n\
             HWADDR=52:54:00:aa:bb:03\nIPADDR=10.0.5.7\nNETMASK=255.255.0.0\nNETWORK=10.0.0.0\n\
             BROADCAST=10.0.255.255\nGATEWAY=10.0.0.1\nDNS1=10.0.0.2\nDNS2=10.0.0.3\n"
        );
    }

    #[test]
    fn quotes_what_the_shell_would_interpret() {
        assert_eq!(quote("eth0"), "eth0");
        assert_eq!(quote("a$b"), "'a$b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("x;reboot"), "'x;reboot'");
        let f = one("name=we$ird,hwaddr=52:54:00:aa:bb:01");
        assert!(f.content.contains("DEVICE='we$ird'\n"));
        assert_eq!(f.path, "/etc/sysconfig/network-scripts/ifcfg-we$ird");
    }
}
