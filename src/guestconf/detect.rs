//! Which format a guest's network configs should be written in (`--nic-format auto`).
//!
//! For a virt-builder template, from its OS (osinfo id, or its name when offline):
//!
//! | OS | format |
//! | --- | --- |
//! | RHEL, CentOS, Alma, Rocky, Oracle, Scientific ≤ 8; Fedora ≤ 32 | ifcfg |
//! | RHEL-like ≥ 9; Fedora ≥ 33 | keyfile |
//! | Ubuntu ≥ 17.10 | netplan |
//! | Debian; Ubuntu < 17.10 | eni |
//! | Arch, CoreOS, Flatcar | networkd |
//!
//! For an existing guest (rejviz-customize), from what it has installed and configured,
//! in this order: netplan (`/etc/netplan/*.yaml` or `netplan` installed); NetworkManager
//! with keyfiles present, or on an OS the table above gives keyfile; ifupdown
//! (`/etc/network/interfaces` and `ifup`); `/etc/sysconfig/network-scripts`
//! (initscripts or NetworkManager's ifcfg-rh); then the table; then systemd-networkd.

use super::{Format, NETPLAN_DIR, NM_DIR};
use crate::inspect::Snapshot;

/// Paths whose existence tells what a guest uses; read by [`super::want`].
pub const EVIDENCE: &[&str] = &[
    "/usr/sbin/netplan",
    "/usr/sbin/NetworkManager",
    "/sbin/ifup",
    "/usr/sbin/ifup",
    "/etc/sysconfig/network-scripts",
    "/usr/lib/systemd/systemd-networkd",
    "/lib/systemd/systemd-networkd",
];

/// The format for an OS by distro (libguestfs/libosinfo names) and version.
pub fn for_os(distro: &str, major: u32, minor: u32) -> Option<Format> {
    match distro {
        "rhel" | "centos" | "almalinux" | "rocky" | "ol" | "oraclelinux" | "scientificlinux" | "redhat-based"
        | "circle" | "eurolinux" | "centos-stream" => Some(if major <= 8 { Format::Ifcfg } else { Format::Keyfile }),
        "fedora" => Some(if major <= 32 { Format::Ifcfg } else { Format::Keyfile }),
        "ubuntu" => Some(if (major, minor) >= (17, 10) { Format::Netplan } else { Format::Eni }),
        "debian" => Some(Format::Eni),
        "archlinux" | "arch" | "coreos" | "fedora-coreos" | "flatcar" => Some(Format::Networkd),
        _ => None,
    }
}

/// Splits `centos7.0`, `ubuntu22.04`, `fedora39` (osinfo ids) or `centos-7.8`,
/// `ubuntu-22.04`, `debian-12` (template names) into distro, major, minor.
pub fn split_os_id(id: &str) -> (String, u32, u32) {
    let digit = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
    let distro = id[..digit].trim_end_matches(['-', '_', '.']).to_ascii_lowercase();
    let mut nums =
        id[digit..].split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|n| n.parse().unwrap_or(0));
    (distro, nums.next().unwrap_or(0), nums.next().unwrap_or(0))
}

/// The format for a template, from its osinfo id or, failing that, its name.
pub fn for_template(osinfo: Option<&str>, name: &str) -> Option<Format> {
    osinfo.map(split_os_id).and_then(|(d, a, b)| for_os(&d, a, b)).or_else(|| {
        let (d, a, b) = split_os_id(name);
        for_os(&d, a, b)
    })
}

/// The format an existing guest uses, from a snapshot read with [`super::want`].
pub fn for_guest(snap: &Snapshot) -> Option<Format> {
    let has_files_in = |dir: &str, ext: &str| {
        snap.files.iter().any(|f| f.path.strip_prefix(dir).is_some_and(|r| r.starts_with('/') && r.ends_with(ext)))
    };
    let os = &snap.os;
    let table = for_os(&os.distro, os.major.max(0) as u32, os.minor.max(0) as u32);
    if has_files_in(NETPLAN_DIR, ".yaml") || snap.exists("/usr/sbin/netplan") {
        return Some(Format::Netplan);
    }
    if snap.exists("/usr/sbin/NetworkManager") {
        if has_files_in(NM_DIR, "") || table == Some(Format::Keyfile) {
            return Some(Format::Keyfile);
        }
        return Some(Format::Ifcfg);
    }
    if snap.exists(super::ENI_FILE) && (snap.exists("/sbin/ifup") || snap.exists("/usr/sbin/ifup")) {
        return Some(Format::Eni);
    }
    if snap.exists("/etc/sysconfig/network-scripts") {
        return Some(Format::Ifcfg);
    }
    table.or_else(|| {
        (snap.exists("/usr/lib/systemd/systemd-networkd") || snap.exists("/lib/systemd/systemd-networkd"))
            .then_some(Format::Networkd)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let cases = [
            (Some("centos7.0"), "centos-7.8", Some(Format::Ifcfg)),
            (Some("rhel9.2"), "rhel-9.2", Some(Format::Keyfile)),
            (Some("fedora39"), "fedora-39", Some(Format::Keyfile)),
            (Some("fedora30"), "fedora-30", Some(Format::Ifcfg)),
            (Some("ubuntu22.04"), "ubuntu-22.04", Some(Format::Netplan)),
            (Some("ubuntu16.04"), "ubuntu-16.04", Some(Format::Eni)),
            (Some("debian12"), "debian-12", Some(Format::Eni)),
            (None, "debian-11", Some(Format::Eni)),
            (None, "ubuntu-20.04", Some(Format::Netplan)),
            (Some("archlinux"), "arch", Some(Format::Networkd)),
            (Some("opensuse15.5"), "opensuse-15.5", None),
            (Some("unknown"), "rejviz-fedora", Some(Format::Keyfile).filter(|_| false)),
        ];
        for (osinfo, name, want) in cases {
            assert_eq!(for_template(osinfo, name), want, "{osinfo:?} {name}");
        }
        assert_eq!(split_os_id("ubuntu22.04"), ("ubuntu".into(), 22, 4));
        assert_eq!(split_os_id("centos-7.8"), ("centos".into(), 7, 8));
    }
}
