//! OS inspection without the appliance: libguestfs's own rules for Linux guests
//! (libguestfs 1.48, `daemon/inspect_fs.ml`, `inspect_fs_unix.ml`, `inspect_utils.ml`,
//! `lib/inspect-osinfo.c`), applied to one filesystem. Where those rules would take a path
//! we do not follow (a BSD, Hurd, CoreOS or Windows root, SUSE's release file, augeas on an
//! unusual `/etc/sysconfig/network`), the answer is "cannot read directly".

use std::sync::LazyLock;

use regex::Regex;

use super::DirectError;
use super::fs::{Fs, Kind};

/// `is_small_file` in libguestfs's daemon: at most 2 * 1048 * 1024 bytes (sic).
const SMALL_FILE: u64 = 2 * 1048 * 1024;
/// with_augeas skips config files bigger than this.
const AUGEAS_MAX: u64 = 100 * 1000;

/// What a filesystem is to libguestfs's inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A Linux root (`/etc`, `/bin`, and `/etc/fstab` or `/etc/hosts`).
    Root,
    /// No OS root.
    Other,
}

/// Which role libguestfs's `check_filesystem` gives `fs`, in its order of tests.
pub fn role(fs: &Fs) -> Result<Role, DirectError> {
    let file = |p: &str| -> Result<bool, DirectError> { Ok(fs.kind_strict(p, false)? == Some(Kind::File)) };
    let dir = |p: &str| -> Result<bool, DirectError> { Ok(fs.kind_strict(p, false)? == Some(Kind::Dir)) };
    let unsupported = |what: &str| DirectError::Unsupported { device: fs.device.clone(), what: what.to_string() };
    if file("/grub/menu.lst")? || file("/grub/grub.conf")? || file("/grub2/grub.cfg")? {
        return Ok(Role::Other); // a /boot
    }
    let (etc, bin) = (dir("/etc")?, dir("/bin")?);
    if etc && bin && (file("/etc/freebsd-update.conf")? || file("/netbsd")? || file("/bsd")? || file("/service/vm")?) {
        return Err(unsupported("a BSD or Minix root"));
    }
    if file("/hurd/console")? {
        return Err(unsupported("a Hurd root"));
    }
    let bin_link = fs.read_link("/bin")?.is_some_and(|t| t == b"usr/bin");
    if etc && (bin || bin_link) && (file("/etc/fstab")? || file("/etc/hosts")?) {
        return Ok(Role::Root);
    }
    if etc && file("/etc/coreos/update.conf")? {
        return Err(unsupported("a CoreOS root"));
    }
    // Windows, FreeDOS and MS-DOS roots are found by names in any case.
    for name in fs.list("/")? {
        let n = name.to_ascii_lowercase();
        if ["windows", "winnt", "win32", "win", "reactos", "boot.ini", "fdos", "dos"].contains(&n.as_str()) {
            return Err(unsupported(&format!("a possible Windows or DOS root (/{name})")));
        }
    }
    Ok(Role::Other)
}

/// Inspection data of a Linux root, as libguestfs keeps it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Data {
    pub distro: Option<&'static str>,
    pub product_name: Option<String>,
    pub version: Option<(i32, i32)>,
    pub hostname: Option<String>,
}

impl Data {
    /// `inspect_get_osinfo` (lib/inspect-osinfo.c), for Linux.
    pub fn osinfo(&self) -> String {
        let distro = self.distro.unwrap_or("unknown");
        let (major, minor) = self.version.unwrap_or((0, 0));
        match distro {
            "centos" if major >= 8 => return format!("centos{major}"),
            "centos" if major == 7 => return "centos7.0".into(),
            "centos" if major == 6 => return format!("centos6.{minor}"),
            "rocky" if major >= 8 => return format!("rocky{major}"),
            "debian" if major >= 4 => return format!("debian{major}"),
            "fedora" | "mageia" => return format!("{distro}{major}"),
            "sles" if minor == 0 => return format!("sles{major}"),
            "sles" => return format!("sles{major}sp{minor}"),
            "ubuntu" => return format!("ubuntu{major}.{minor:02}"),
            "archlinux" | "gentoo" | "voidlinux" => return distro.to_string(),
            "altlinux" if major >= 8 => return format!("alt{major}.{minor}"),
            "altlinux" => return format!("altlinux{major}.{minor}"),
            _ => {}
        }
        if distro != "unknown" && (major > 0 || minor > 0) {
            return format!("{distro}{major}.{minor}");
        }
        "unknown".into()
    }
}

/// The libguestfs name of the distro an `os-release` `ID=` names.
fn distro_of_os_release_id(id: &str) -> Option<&'static str> {
    Some(match id {
        "alpine" => "alpinelinux",
        "altlinux" => "altlinux",
        "arch" => "archlinux",
        "centos" => "centos",
        "coreos" => "coreos",
        "debian" => "debian",
        "fedora" => "fedora",
        "frugalware" => "frugalware",
        "gentoo" => "gentoo",
        "kali" => "kalilinux",
        "kylin" => "kylin",
        "mageia" => "mageia",
        "neokylin" => "neokylin",
        "openmandriva" => "openmandriva",
        "opensuse" => "opensuse",
        s if s.starts_with("opensuse-") => "opensuse",
        "pardus" => "pardus",
        "pld" => "pldlinux",
        "rhel" => "rhel",
        "rocky" => "rocky",
        "sles" | "sled" => "sles",
        "ubuntu" => "ubuntu",
        "void" => "voidlinux",
        _ => return None,
    })
}

fn distro_of_lsb_id(id: &str) -> Option<&'static str> {
    Some(match id {
        "CoreOS" => "coreos",
        "LinuxMint" => "linuxmint",
        "Mageia" => "mageia",
        "Ubuntu" => "ubuntu",
        _ => return None,
    })
}

fn re(s: &str) -> Regex {
    // Only the constant patterns below come here (`patterns_compile` tests each).
    #[allow(clippy::expect_used)]
    Regex::new(s).expect("a constant pattern")
}

macro_rules! regexes {
    ($($name:ident = $pat:expr;)*) => {
        $(static $name: LazyLock<Regex> = LazyLock::new(|| re($pat));)*
        #[cfg(test)]
        const ALL_PATTERNS: &[&str] = &[$($pat),*];
    };
}

// PCRE's \d is ASCII; the regex crate's is Unicode: [0-9] says what libguestfs means.
regexes! {
    RE_FEDORA = r"Fedora release ([0-9]+)";
    RE_RHEL_OLD = r"Red Hat.*release ([0-9]+).*Update ([0-9]+)";
    RE_RHEL = r"Red Hat.*release ([0-9]+)\.([0-9]+)";
    RE_RHEL_NO_MINOR = r"Red Hat.*release ([0-9]+)";
    RE_CENTOS_OLD = r"CentOS.*release ([0-9]+).*Update ([0-9]+)";
    RE_CENTOS = r"CentOS.*release ([0-9]+)\.([0-9]+)";
    RE_CENTOS_NO_MINOR = r"CentOS.*release ([0-9]+)";
    RE_ROCKY = r"Rocky Linux.*release ([0-9]+)\.([0-9]+)";
    RE_ROCKY_NO_MINOR = r"Rocky Linux.*release ([0-9]+)";
    RE_SL_OLD = r"Scientific Linux.*release ([0-9]+).*Update ([0-9]+)";
    RE_SL = r"Scientific Linux.*release ([0-9]+)\.([0-9]+)";
    RE_SL_NO_MINOR = r"Scientific Linux.*release ([0-9]+)";
    RE_ORACLE_OLD = r"Oracle Linux.*release ([0-9]+).*Update ([0-9]+)";
    RE_ORACLE = r"Oracle Linux.*release ([0-9]+)\.([0-9]+)";
    RE_ORACLE_NO_MINOR = r"Oracle Linux.*release ([0-9]+)";
    RE_FRUGALWARE = r"Frugalware ([0-9]+)\.([0-9]+)";
    RE_PLD = r"([0-9]+)\.([0-9]+) PLD Linux";
    RE_OPENMANDRIVA = r"OpenMandriva.*release ([0-9]+)\.([0-9]+)\.?([0-9]+)? .*";
    RE_MAJOR_MINOR = r"([0-9]+)\.([0-9]+)";
    RE_MAJOR = r"([0-9]+)";
    RE_NEOKYLIN = r"^V([0-9]+)Update([0-9]+)$";
}

/// How one release file is parsed (`linux_root_tests`).
#[derive(Clone, Copy)]
enum Parse {
    OsRelease,
    LsbRelease,
    Generic(&'static str, Option<&'static LazyLock<Regex>>),
    /// The file's presence sets the distro.
    Distro(&'static str),
    /// `/etc/br-version`: cirros or buildroot.
    BrVersion,
    /// Rules we do not implement.
    Unsupported,
}

/// libguestfs's `linux_root_tests`, in order: the first file that exists and parses wins.
fn tests() -> Vec<(&'static str, Parse)> {
    use Parse::*;
    let g = |d: &'static str, r: &'static LazyLock<Regex>| Generic(d, Some(r));
    vec![
        ("/etc/os-release", OsRelease),
        ("/etc/lsb-release", LsbRelease),
        ("/etc/openmandriva-release", g("openmandriva", &RE_OPENMANDRIVA)),
        ("/etc/oracle-release", g("oraclelinux", &RE_ORACLE_OLD)),
        ("/etc/oracle-release", g("oraclelinux", &RE_ORACLE)),
        ("/etc/oracle-release", g("oraclelinux", &RE_ORACLE_NO_MINOR)),
        ("/etc/centos-release", g("centos", &RE_CENTOS_OLD)),
        ("/etc/centos-release", g("centos", &RE_CENTOS)),
        ("/etc/centos-release", g("centos", &RE_CENTOS_NO_MINOR)),
        ("/etc/rocky-release", g("rocky", &RE_ROCKY)),
        ("/etc/rocky-release", g("rocky", &RE_ROCKY_NO_MINOR)),
        ("/etc/altlinux-release", Generic("altlinux", None)),
        ("/etc/redhat-release", g("fedora", &RE_FEDORA)),
        ("/etc/redhat-release", g("rhel", &RE_RHEL_OLD)),
        ("/etc/redhat-release", g("rhel", &RE_RHEL)),
        ("/etc/redhat-release", g("rhel", &RE_RHEL_NO_MINOR)),
        ("/etc/redhat-release", g("centos", &RE_CENTOS_OLD)),
        ("/etc/redhat-release", g("centos", &RE_CENTOS)),
        ("/etc/redhat-release", g("centos", &RE_CENTOS_NO_MINOR)),
        ("/etc/redhat-release", g("rocky", &RE_ROCKY)),
        ("/etc/redhat-release", g("rocky", &RE_ROCKY_NO_MINOR)),
        ("/etc/redhat-release", g("scientificlinux", &RE_SL_OLD)),
        ("/etc/redhat-release", g("scientificlinux", &RE_SL)),
        ("/etc/redhat-release", g("scientificlinux", &RE_SL_NO_MINOR)),
        ("/etc/redhat-release", Generic("redhat-based", None)),
        ("/etc/redhat-release", Distro("redhat-based")),
        ("/etc/debian_version", Generic("debian", None)),
        ("/etc/pardus-release", Generic("pardus", None)),
        ("/etc/arch-release", Distro("archlinux")),
        ("/etc/gentoo-release", Generic("gentoo", None)),
        ("/etc/meego-release", Generic("meego", None)),
        ("/etc/slackware-version", Generic("slackware", None)),
        ("/etc/ttylinux-target", Generic("ttylinux", None)),
        ("/etc/SuSE-release", Unsupported),
        ("/etc/cirros/version", Generic("cirros", None)),
        ("/etc/br-version", BrVersion),
        ("/etc/alpine-release", Generic("alpinelinux", None)),
        ("/etc/frugalware-release", g("frugalware", &RE_FRUGALWARE)),
        ("/etc/pld-release", g("pldlinux", &RE_PLD)),
    ]
}

/// Inspects the Linux root `fs` as `check_linux_root` does (without the architecture and
/// the package manager, which we do not report).
pub fn inspect(fs: &Fs) -> Result<Data, DirectError> {
    let mut data = Data::default();
    for (file, parse) in tests() {
        if fs.kind_strict(file, true)? != Some(Kind::File) {
            continue;
        }
        let done = match parse {
            Parse::OsRelease => os_release(fs, file, &mut data)?,
            Parse::LsbRelease => lsb_release(fs, file, &mut data)?,
            Parse::Generic(distro, rex) => generic(fs, file, distro, rex.map(|r| &**r), &mut data)?,
            Parse::Distro(d) => {
                data.distro = Some(d);
                true
            }
            Parse::BrVersion => {
                let distro = if fs.kind_strict("/usr/share/cirros/logo", true)? == Some(Kind::File) {
                    "cirros"
                } else {
                    "buildroot"
                };
                generic(fs, file, distro, None, &mut data)?
            }
            Parse::Unsupported => {
                return Err(DirectError::Unsupported {
                    device: fs.device.clone(),
                    what: format!("{file} (its rules are not implemented here)"),
                });
            }
        };
        if done {
            break;
        }
    }
    data.hostname = hostname(fs)?;
    Ok(data)
}

/// `read_small_file`: the lines of a regular file (symlinks followed) of at most
/// [`SMALL_FILE`] bytes, or `None`. The text must be UTF-8 without NUL: libguestfs hands
/// these values out as C strings, which the Rust binding refuses when not UTF-8.
fn small_file_lines(fs: &Fs, path: &str) -> Result<Option<Vec<String>>, DirectError> {
    let Some(m) = fs.metadata(path, true)? else { return Ok(None) };
    if m.kind != Kind::File || m.len > SMALL_FILE {
        return Ok(None);
    }
    let text = text(path, fs.read(path, SMALL_FILE)?)?;
    Ok(Some(text.split('\n').map(str::to_string).collect()))
}

fn text(path: &str, bytes: Vec<u8>) -> Result<String, DirectError> {
    let bad = |why: &str| DirectError::Guest { path: path.to_string(), why: why.to_string() };
    let s = String::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
    if s.contains('\0') {
        return Err(bad("a NUL byte"));
    }
    Ok(s)
}

/// `parse_key_value_strings`: no trimming, `#` only at the very start.
fn key_values(lines: &[String]) -> Vec<(&str, &str)> {
    lines
        .iter()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('=').unwrap_or((l.as_str(), "")))
        .collect()
}

/// `guestfs_int_shell_unquote`.
pub fn shell_unquote(s: &str) -> String {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 2 && b.first() == Some(&b'\'') && b.last() == Some(&b'\'') {
        return s.get(1..n - 1).unwrap_or_default().to_string();
    }
    if n >= 2 && b.first() == Some(&b'"') && b.last() == Some(&b'"') {
        let mut out = Vec::with_capacity(n);
        let mut i = 1;
        while i < n - 1 {
            if i < n - 2 && b.get(i) == Some(&b'\\') && matches!(b.get(i + 1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n'))
            {
                i += 1;
            }
            if let Some(c) = b.get(i) {
                out.push(*c);
            }
            i += 1;
        }
        // Only ASCII bytes were dropped, so the rest is still UTF-8.
        return String::from_utf8_lossy(&out).into_owned();
    }
    s.to_string()
}

fn simple_unquote(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2
        && ((b.first() == Some(&b'"') && b.last() == Some(&b'"'))
            || (b.first() == Some(&b'\'') && b.last() == Some(&b'\'')))
    {
        return s.get(1..s.len() - 1).unwrap_or_default();
    }
    s
}

/// OCaml's `int_of_string` on a run of digits, as the C API's `int` returns it: a value
/// that does not fit is something we cannot reproduce.
fn int(path: &str, digits: &str) -> Result<i32, DirectError> {
    digits.parse::<i32>().map_err(|_| DirectError::Guest {
        path: path.to_string(),
        why: format!("version number {digits} out of range"),
    })
}

/// `parse_version_from_major_minor`.
fn version_from(path: &str, s: &str, data: &mut Data) -> Result<(), DirectError> {
    if let Some(c) = RE_MAJOR_MINOR.captures(s) {
        let g = |i| c.get(i).map(|m| m.as_str()).unwrap_or_default();
        data.version = Some((int(path, g(1))?, int(path, g(2))?));
    } else if let Some(c) = RE_MAJOR.captures(s) {
        data.version = Some((int(path, c.get(1).map(|m| m.as_str()).unwrap_or_default())?, 0));
    }
    Ok(())
}

fn os_release(fs: &Fs, path: &str, data: &mut Data) -> Result<bool, DirectError> {
    let Some(lines) = small_file_lines(fs, path)? else { return Ok(false) };
    for (key, value) in key_values(&lines) {
        let value = shell_unquote(value);
        match key {
            "ID" => {
                if let Some(d) = distro_of_os_release_id(&value) {
                    data.distro = Some(d);
                }
            }
            "PRETTY_NAME" => data.product_name = Some(value),
            "VERSION_ID" => {
                if let Some(c) = RE_NEOKYLIN.captures(&value) {
                    let g = |i| c.get(i).map(|m| m.as_str()).unwrap_or_default();
                    data.version = Some((int(path, g(1))?, int(path, g(2))?));
                } else {
                    version_from(path, &value, data)?;
                }
            }
            _ => {}
        }
    }
    if data.distro.is_none() || data.product_name.is_none() {
        return Ok(false);
    }
    Ok(match (data.distro, data.version) {
        // Debian's and CentOS's os-release give the major version only: the release
        // files say more.
        (Some("debian" | "centos" | "rocky"), Some((_, 0))) => false,
        (Some("archlinux" | "gentoo" | "voidlinux"), None) => {
            data.version = Some((0, 0));
            true
        }
        (_, None) => false,
        _ => true,
    })
}

fn lsb_release(fs: &Fs, path: &str, data: &mut Data) -> Result<bool, DirectError> {
    let Some(lines) = small_file_lines(fs, path)? else { return Ok(false) };
    let mut ok = false;
    for (key, value) in key_values(&lines) {
        let value = simple_unquote(value);
        match key {
            "DISTRIB_ID" => {
                if let Some(d) = distro_of_lsb_id(value) {
                    ok = true;
                    data.distro = Some(d);
                }
            }
            "DISTRIB_RELEASE" => version_from(path, value, data)?,
            "DISTRIB_DESCRIPTION" => {
                ok = true;
                data.product_name = Some(value.to_string());
            }
            _ => {}
        }
    }
    Ok(ok)
}

/// `parse_generic`: the first line is the product name; the version comes from `rex`
/// (which must match) or from the first number(s) in it.
fn generic(
    fs: &Fs,
    path: &str,
    distro: &'static str,
    rex: Option<&Regex>,
    data: &mut Data,
) -> Result<bool, DirectError> {
    let Some(lines) = small_file_lines(fs, path)? else { return Ok(false) };
    let product = lines.into_iter().next().unwrap_or_default();
    if product.is_empty() {
        return Ok(false);
    }
    data.product_name = Some(product.clone());
    data.distro = Some(distro);
    match rex {
        None => {
            version_from(path, &product, data)?;
            Ok(true)
        }
        Some(rex) => {
            let Some(c) = rex.captures(&product) else { return Ok(false) };
            let major = c.get(1).map(|m| int(path, m.as_str())).transpose()?;
            let minor = c.get(2).map(|m| int(path, m.as_str())).transpose()?;
            match (major, minor) {
                (Some(major), Some(minor)) => data.version = Some((major, minor)),
                (Some(major), None) => data.version = Some((major, 0)),
                _ => {}
            }
            Ok(true)
        }
    }
}

/// `check_hostname_linux`: the first line of `/etc/HOSTNAME` or `/etc/hostname` that is
/// neither empty nor a comment, else `HOSTNAME` of `/etc/sysconfig/network` (which
/// libguestfs reads with augeas: we read the plain `KEY=word` files augeas reads the same
/// way, and give up on others).
fn hostname(fs: &Fs) -> Result<Option<String>, DirectError> {
    for f in ["/etc/HOSTNAME", "/etc/hostname"] {
        if let Some(lines) = small_file_lines(fs, f)?
            && let Some(h) = lines.into_iter().find(|l| !l.is_empty() && !l.starts_with('#'))
        {
            return Ok(Some(h));
        }
    }
    let path = "/etc/sysconfig/network";
    if fs.kind_strict(path, false)? != Some(Kind::File) {
        return Ok(None);
    }
    let Some(m) = fs.metadata(path, true)? else { return Ok(None) };
    if m.len > AUGEAS_MAX {
        return Ok(None);
    }
    let content = text(path, fs.read(path, AUGEAS_MAX)?)?;
    let mut found = Vec::new();
    for line in content.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-:/".contains(&b));
        match line.split_once('=') {
            Some((k, v)) if plain(k) && !k.contains(['.', '-', ':', '/']) && plain(v) => {
                if k == "HOSTNAME" {
                    found.push(v.to_string());
                }
            }
            _ => {
                return Err(DirectError::Unsupported {
                    device: fs.device.clone(),
                    what: format!("{path}: a line augeas may read differently: {line:?}"),
                });
            }
        }
    }
    // aug_get fails on two matches: no hostname then.
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// The mount points `/etc/fstab` of the root gives, other than `/` and swap, in
/// libguestfs's canonical form (`check_fstab_entry`). A line that augeas's Fstab lens may
/// read differently (and on which libguestfs's inspection would fail) is an error.
pub fn fstab_mounts(fs: &Fs) -> Result<Vec<String>, DirectError> {
    let path = "/etc/fstab";
    if fs.kind_strict(path, true)? != Some(Kind::File) {
        return Ok(Vec::new());
    }
    let Some(m) = fs.metadata(path, true)? else { return Ok(Vec::new()) };
    if m.len > AUGEAS_MAX {
        // Not loaded by augeas: no mounts for libguestfs either.
        return Ok(Vec::new());
    }
    let content = text(path, fs.read(path, AUGEAS_MAX)?)?;
    let mut mounts = Vec::new();
    for line in content.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = t.split_whitespace().collect();
        let digits = |s: &&str| s.bytes().all(|b| b.is_ascii_digit());
        if !(3..=6).contains(&fields.len()) || t.contains('#') || !fields.iter().skip(4).all(digits) {
            return Err(DirectError::Unsupported {
                device: fs.device.clone(),
                what: format!("{path}: a line augeas may read differently: {line:?}"),
            });
        }
        let (spec, file, vfstype) = (fields.first().copied(), fields.get(1).copied(), fields.get(2).copied());
        let (Some(spec), Some(file)) = (spec, file) else { continue };
        let floppy_or_cd =
            |p: &str| spec.strip_prefix(p).is_some_and(|r| r.as_bytes().first().is_some_and(u8::is_ascii_digit));
        if floppy_or_cd("/dev/fd")
            || floppy_or_cd("/dev/cd")
            || spec == "/dev/floppy"
            || spec == "/dev/cdrom"
            || spec.starts_with("/dev/iso9660/")
        {
            continue;
        }
        let mp = canonical(file);
        let ignored = ["/dev", "/media", "/proc", "/selinux", "/sys"]
            .iter()
            .any(|p| mp == *p || mp.strip_prefix(p).is_some_and(|r| r.starts_with('/')));
        if ignored || mp == "/" || !mp.starts_with('/') || vfstype == Some("swap") {
            continue;
        }
        mounts.push(mp);
    }
    Ok(mounts)
}

/// `unix_canonical_path`: `///usr//local//` → `/usr/local`.
fn canonical(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let joined = parts.join("/");
    if p.starts_with('/') { format!("/{joined}") } else { joined }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for p in ALL_PATTERNS {
            assert!(Regex::new(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn unquoting_as_libguestfs() {
        assert_eq!(shell_unquote("a"), "a");
        assert_eq!(shell_unquote("'b'"), "b");
        assert_eq!(shell_unquote("\"c\""), "c");
        assert_eq!(shell_unquote("\"e\\\\e\""), "e\\e");
        assert_eq!(shell_unquote("\"f\\\\\""), "f\\");
        assert_eq!(shell_unquote("\"h\\-h\""), "h\\-h");
        assert_eq!(shell_unquote("\"j\\\"\""), "j\"");
        assert_eq!(shell_unquote("\""), "\"");
        assert_eq!(simple_unquote("'x'"), "x");
        assert_eq!(simple_unquote("\"x"), "\"x");
    }

    #[test]
    fn osinfo_as_libguestfs() {
        let d =
            |distro: &'static str, v: (i32, i32)| Data { distro: Some(distro), version: Some(v), ..Data::default() };
        assert_eq!(d("centos", (7, 9)).osinfo(), "centos7.0");
        assert_eq!(d("centos", (8, 5)).osinfo(), "centos8");
        assert_eq!(d("centos", (6, 10)).osinfo(), "centos6.10");
        assert_eq!(d("debian", (12, 5)).osinfo(), "debian12");
        assert_eq!(d("ubuntu", (22, 4)).osinfo(), "ubuntu22.04");
        assert_eq!(d("fedora", (39, 0)).osinfo(), "fedora39");
        assert_eq!(d("rhel", (9, 2)).osinfo(), "rhel9.2");
        assert_eq!(d("sles", (15, 3)).osinfo(), "sles15sp3");
        assert_eq!(d("rhel", (0, 0)).osinfo(), "unknown");
        assert_eq!(Data::default().osinfo(), "unknown");
    }

    #[test]
    fn versions_as_pcre_finds_them() {
        let mut data = Data::default();
        version_from("f", "Ubuntu 22.04.4 LTS", &mut data).unwrap();
        assert_eq!(data.version, Some((22, 4)));
        version_from("f", "bookworm/sid", &mut data).unwrap();
        assert_eq!(data.version, Some((22, 4)), "no number: unchanged");
        version_from("f", "v12", &mut data).unwrap();
        assert_eq!(data.version, Some((12, 0)));
        assert!(version_from("f", "99999999999.1", &mut data).is_err());
        let c = RE_CENTOS.captures("CentOS Linux release 7.9.2009 (Core)").unwrap();
        assert_eq!((&c[1], &c[2]), ("7", "9"));
    }

    #[test]
    fn fstab_paths_canonical() {
        assert_eq!(canonical("///usr//local//"), "/usr/local");
        assert_eq!(canonical("/"), "/");
    }
}
