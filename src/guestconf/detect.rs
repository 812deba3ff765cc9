//! Which format a guest's network configs should be written in (`--nic-format auto`).
//!
//! For a virt-builder template, from its OS (osinfo id, or its name when offline); for an
//! existing guest (rejviz-customize), from what it has installed and configured: the rules
//! in words are [`TEMPLATE_RULE`], [`TEMPLATE_TABLE`] and [`GUEST_RULE`].

use super::{Format, NETPLAN_DIR, NM_DIR};
use crate::inspect::Snapshot;

/// How `auto` chooses for rejviz-builder, in words (README's and `man 5 rejviz-nic`'s;
/// backquotes mark literal text), followed by [`TEMPLATE_TABLE`].
pub const TEMPLATE_RULE: &str = "rejviz-builder: from the template's osinfo id, which \
    `virt-builder --list --list-format json` gives without an appliance launch (offline, from the configured \
    repositories), or else from the template's name;";

/// [`for_os`] in words: each OS and its format.
pub const TEMPLATE_TABLE: &[(&str, &str)] = &[
    ("RHEL, CentOS, Alma, Rocky, Oracle, Scientific \u{2264} 8; Fedora \u{2264} 32", "ifcfg"),
    ("RHEL-like \u{2265} 9; Fedora \u{2265} 33", "keyfile"),
    ("Ubuntu \u{2265} 17.10", "netplan"),
    ("Debian; Ubuntu < 17.10", "eni"),
    ("Arch, CoreOS, Flatcar", "networkd"),
    ("anything else", "error: give `--nic-format`"),
];

/// How `auto` chooses for rejviz-customize ([`for_guest`]), in words.
pub const GUEST_RULE: &str = "rejviz-customize: from what the guest has installed and configured, in this \
    order: netplan (`/etc/netplan/*.yaml` or `/usr/sbin/netplan`) \u{2192} netplan; NetworkManager \
    (`/usr/sbin/NetworkManager`) \u{2192} keyfile, except ifcfg where there are no keyfiles and the table gives \
    ifcfg (or, for an OS the table does not know, ifcfg files are there: the ifcfg-rh plugin); \
    `/etc/network/interfaces` with `ifup` \u{2192} eni; systemd-networkd enabled \
    (`multi-user.target.wants/systemd-networkd.service`) \u{2192} networkd; `/etc/sysconfig/network-scripts` \
    \u{2192} ifcfg; then the table; then systemd-networkd if present.";

/// Paths whose existence tells what a guest uses; read by [`super::want`].
pub const EVIDENCE: &[&str] = &[
    "/usr/sbin/netplan",
    "/usr/sbin/NetworkManager",
    "/sbin/ifup",
    "/usr/sbin/ifup",
    "/etc/sysconfig/network-scripts",
    "/usr/lib/systemd/systemd-networkd",
    "/lib/systemd/systemd-networkd",
    NETWORKD_ENABLED,
];

/// The symlink `systemctl enable systemd-networkd` makes.
const NETWORKD_ENABLED: &str = "/etc/systemd/system/multi-user.target.wants/systemd-networkd.service";

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
        let ifcfg_rh = match table {
            Some(t) => t == Format::Ifcfg,
            None => has_files_in(super::ifcfg::DIR, ""),
        };
        return Some(if ifcfg_rh && !has_files_in(NM_DIR, "") { Format::Ifcfg } else { Format::Keyfile });
    }
    if snap.exists(super::ENI_FILE) && (snap.exists("/sbin/ifup") || snap.exists("/usr/sbin/ifup")) {
        return Some(Format::Eni);
    }
    if snap.exists(NETWORKD_ENABLED) {
        return Some(Format::Networkd);
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

    /// A Debian 12 guest with `existing` paths and files at `files`.
    fn debian(existing: &[&str], files: &[&str]) -> Snapshot {
        use crate::inspect::{FileRead, OsInfo};
        let os = OsInfo {
            root: "/dev/sda1".into(),
            os_type: "linux".into(),
            distro: "debian".into(),
            major: 12,
            minor: 0,
            product_name: "Debian GNU/Linux 12".into(),
            hostname: "g".into(),
            osinfo: "debian12".into(),
        };
        let file = |p: &&str| FileRead {
            path: p.to_string(),
            mode: 0o644,
            uid: 0,
            gid: 0,
            content: Vec::new(),
            selinux_label: None,
        };
        Snapshot {
            os,
            files: files.iter().map(file).collect(),
            missing_dirs: Vec::new(),
            existing: existing.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn debian_guests_by_their_stack() {
        let networkd = ["/lib/systemd/systemd-networkd", NETWORKD_ENABLED];
        assert_eq!(for_guest(&debian(&networkd, &[])), Some(Format::Networkd));
        // Installed but not enabled: ifupdown, or the table's eni.
        assert_eq!(for_guest(&debian(&["/lib/systemd/systemd-networkd"], &[])), Some(Format::Eni));
        let eni = ["/lib/systemd/systemd-networkd", "/usr/sbin/ifup"];
        assert_eq!(for_guest(&debian(&eni, &["/etc/network/interfaces"])), Some(Format::Eni));
        // NetworkManager on Debian has no ifcfg-rh plugin: keyfile, with or without keyfiles.
        assert_eq!(for_guest(&debian(&["/usr/sbin/NetworkManager"], &[])), Some(Format::Keyfile));
        let with_netplan = ["/usr/sbin/netplan", "/lib/systemd/systemd-networkd", NETWORKD_ENABLED];
        assert_eq!(for_guest(&debian(&with_netplan, &[])), Some(Format::Netplan));
    }
}
