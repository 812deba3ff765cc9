//! The libosinfo short id (`centos7.0`, `fedora39`, `debian12`) of an inspected guest,
//! checked against the osinfo database installed on the host (the one virt-install uses).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::inspect::OsInfo;

/// The osinfo database directories libosinfo reads: `$OSINFO_SYSTEM_DIR` (default
/// `/usr/share/osinfo`) and `/etc/osinfo`.
pub fn db_dirs() -> Vec<PathBuf> {
    let system = std::env::var_os("OSINFO_SYSTEM_DIR").map(PathBuf::from).unwrap_or_else(|| "/usr/share/osinfo".into());
    vec![system, PathBuf::from("/etc/osinfo")]
}

/// Every `<short-id>` of every OS in the databases under `dirs` (`os/VENDOR/*.xml`).
pub fn short_ids(dirs: &[PathBuf]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for dir in dirs {
        let Ok(vendors) = std::fs::read_dir(dir.join("os")) else { continue };
        for vendor in vendors.flatten() {
            let Ok(files) = std::fs::read_dir(vendor.path()) else { continue };
            for f in files.flatten() {
                if f.path().extension().is_some_and(|e| e == "xml") {
                    collect_ids(&f.path(), &mut ids);
                }
            }
        }
    }
    ids
}

/// The `<short-id>`s of the `<os>` elements of one database file (an unreadable or invalid
/// file adds none).
fn collect_ids(path: &Path, ids: &mut BTreeSet<String>) {
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let Ok(doc) = roxmltree::Document::parse(&text) else { return };
    for os in doc.descendants().filter(|n| n.has_tag_name("os")) {
        for id in os.children().filter(|n| n.has_tag_name("short-id")) {
            if let Some(t) = id.text().map(str::trim).filter(|t| !t.is_empty()) {
                ids.insert(t.to_string());
            }
        }
    }
}

/// Candidate ids for `os`, most specific first: libguestfs's own guess, then
/// distro+major.minor, distro+major, distro+major.0.
pub fn candidates(os: &OsInfo) -> Vec<String> {
    let mut c = Vec::new();
    if !os.osinfo.is_empty() && os.osinfo != "unknown" {
        c.push(os.osinfo.clone());
    }
    if !os.distro.is_empty() && os.distro != "unknown" {
        let d = &os.distro;
        c.push(format!("{d}{}.{}", os.major, os.minor));
        c.push(format!("{d}{}", os.major));
        c.push(format!("{d}{}.0", os.major));
    }
    let mut seen = BTreeSet::new();
    c.retain(|id| seen.insert(id.clone()));
    c
}

/// The first candidate the database knows, or every candidate tried.
pub fn derive(os: &OsInfo, known: &BTreeSet<String>) -> Result<String, Vec<String>> {
    let c = candidates(os);
    c.iter().find(|id| known.contains(*id)).cloned().ok_or(c)
}

/// When the database is older than the guest: the newest id of the same distro whose
/// version (`debian11`, `fedora38`, `centos7.0`) is below the guest's, e.g. `debian11` for a
/// Debian 12 guest on a host whose osinfo-db predates Debian 12.
pub fn nearest_older(os: &OsInfo, known: &BTreeSet<String>) -> Option<String> {
    let d = os.distro.as_str();
    if d.is_empty() || d == "unknown" {
        return None;
    }
    let version = |id: &str| -> Option<(i64, i64)> {
        let rest = id.strip_prefix(d)?;
        let (maj, min) = rest.split_once('.').unwrap_or((rest, "0"));
        let num = |s: &str| s.parse::<i64>().ok().filter(|_| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
        Some((num(maj)?, num(min)?))
    };
    known
        .iter()
        .filter_map(|id| version(id).map(|v| (v, id)))
        .filter(|(v, _)| *v < (i64::from(os.major), i64::from(os.minor)))
        .max()
        .map(|(_, id)| id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(distro: &str, major: i32, minor: i32, osinfo: &str) -> OsInfo {
        OsInfo {
            root: "/dev/sda1".into(),
            os_type: "linux".into(),
            distro: distro.into(),
            major,
            minor,
            product_name: String::new(),
            hostname: String::new(),
            osinfo: osinfo.into(),
        }
    }

    #[test]
    fn picks_the_most_specific_known_id() {
        let known: BTreeSet<String> =
            ["centos7.0", "debian12", "fedora39", "rhel9.2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(derive(&os("centos", 7, 9, "centos7.0"), &known), Ok("centos7.0".into()));
        assert_eq!(derive(&os("debian", 12, 4, "unknown"), &known), Ok("debian12".into()));
        assert_eq!(derive(&os("rhel", 9, 2, ""), &known), Ok("rhel9.2".into()));
        assert_eq!(derive(&os("fedora", 39, 0, "fedora39"), &known), Ok("fedora39".into()));
        assert_eq!(derive(&os("plan9", 4, 0, "unknown"), &known), Err(vec!["plan94.0".into(), "plan94".into()]));
    }

    #[test]
    fn nearest_older_for_a_guest_newer_than_the_database() {
        let known: BTreeSet<String> =
            ["debian10", "debian11", "debiantesting", "centos7.0", "centos-stream9", "centos8"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(nearest_older(&os("debian", 12, 15, "unknown"), &known), Some("debian11".into()));
        assert_eq!(nearest_older(&os("centos", 9, 0, "unknown"), &known), Some("centos8".into()));
        assert_eq!(nearest_older(&os("centos", 7, 9, "unknown"), &known), Some("centos7.0".into()));
        assert_eq!(nearest_older(&os("debian", 9, 0, "unknown"), &known), None);
        assert_eq!(nearest_older(&os("unknown", 9, 0, "unknown"), &known), None);
    }

    #[test]
    fn reads_the_installed_database() {
        // Debian's osinfo-db comes with virtinst; CentOS 7 has been in it for years.
        let ids = short_ids(&db_dirs());
        assert!(ids.contains("centos7.0"), "osinfo-db not installed? {} ids", ids.len());
    }
}
