//! ifupdown (`/etc/network/interfaces.d/NAME`), for Debian. `/etc/network/interfaces` must
//! source that folder (the commands see to it); a `.link` file renames the interface with
//! the config's MAC to NAME, and sets its MTU (which ifupdown's dhcp method cannot).

use super::link::{self, LinkMap};
use super::{Bootproto, ReadError};
use super::{ConfiguredNic, ENI_DIR, Format, GuestFile, LinkKind};
use crate::nic::{Ipv4Config, Ipv6Config, Nic};

pub fn path(name: &str) -> String {
    format!("{ENI_DIR}/{name}")
}

/// The line `/etc/network/interfaces` needs for our files to be read.
pub const SOURCE_LINE: &str = "source /etc/network/interfaces.d/*";

/// A perl expression for virt-customize `--edit /etc/network/interfaces:EXPR`, run after
/// `--append-line /etc/network/interfaces:SOURCE_LINE` (which creates the file when there is
/// none): it drops that appended [`SOURCE_LINE`] again when an earlier line already sources
/// the folder. (An `--edit` alone cannot add a line to an empty file: perl's loop never
/// runs. No single quotes: the tool puts the expression between single quotes.)
pub const DEDUPE_SOURCE_EDIT: &str = "$rejviz_n++ if m{^\\s*(source\\s+/etc/network/interfaces\\.d/\\*|source-directory\\s+/etc/network/interfaces\\.d/?)\\s*$}; \
$_ = \"\" if $rejviz_n > 1 && $_ eq \"source /etc/network/interfaces.d/*\\n\"";

/// Whether `content` (an interfaces file) sources every file of the interfaces.d folder: a
/// line `source /etc/network/interfaces.d/*` or `source-directory /etc/network/interfaces.d`
/// (not `.../*.cfg`, which skips our files), as [`DEDUPE_SOURCE_EDIT`] tests it in the guest
/// (a test runs both on the same files).
pub fn sources_interfaces_d(content: &str) -> bool {
    content.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        matches!(
            words.as_slice(),
            ["source", "/etc/network/interfaces.d/*"]
                | ["source-directory", "/etc/network/interfaces.d" | "/etc/network/interfaces.d/"]
        )
    })
}

/// Why `name` cannot name an ifupdown interface, if it cannot. ifupdown runs its methods'
/// commands (`ip`, `dhclient`, ...) through `/bin/sh` with the name pasted in unquoted, so any
/// shell character would be run (`$(...)`, backquotes, `;`, `&`, `|`, globs, `~`, quotes);
/// `source-directory` reads only files named with ASCII letters, digits, `_` and `-`; and
/// with the vlan package `NAME.N` is a VLAN of NAME. So: ASCII letters, digits, `_` and `-`,
/// not first (the commands would read it as an option), and the `.link` file's rules.
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))) {
        return Some(match c {
            '.' => "'.': ifupdown takes NAME.N for a VLAN, and source-directory skips files with '.'".into(),
            c => format!(
                "'{c}': ifupdown hands the name to /bin/sh unquoted; it takes ASCII letters, digits, '_' and '-'"
            ),
        });
    }
    if name.starts_with('-') {
        return Some("a leading '-': ifupdown's commands (dhclient, ip) would read the name as an option".into());
    }
    link::name_problem(name)
}

pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let n = &nic.name;
    let mut s = String::from("# Written by rejviz\n");
    if nic.onboot {
        s.push_str(&format!("auto {n}\n"));
    }
    match &nic.ipv4 {
        Ipv4Config::Dhcp => s.push_str(&format!("iface {n} inet dhcp\n")),
        Ipv4Config::Static(st) => {
            s.push_str(&format!("iface {n} inet static\n    address {}/{}\n", st.address(), st.prefix()));
            if let Some(gw) = st.gateway {
                s.push_str(&format!("    gateway {gw}\n"));
            }
        }
    }
    if !nic.dns.is_empty() {
        let dns: Vec<String> = nic.dns.iter().map(|d| d.to_string()).collect();
        s.push_str(&format!("    dns-nameservers {}\n", dns.join(" ")));
    }
    match &nic.ipv6 {
        None => {}
        Some(Ipv6Config::Auto) => s.push_str(&format!("iface {n} inet6 auto\n")),
        Some(Ipv6Config::Dhcp) => s.push_str(&format!("iface {n} inet6 dhcp\n")),
        Some(Ipv6Config::Static { addr, gateway }) => {
            s.push_str(&format!("iface {n} inet6 static\n    address {addr}\n"));
            if let Some(gw) = gateway {
                s.push_str(&format!("    gateway {gw}\n"));
            }
        }
    }
    Ok(vec![GuestFile { path: path(n), mode: 0o644, content: s }, link::write(nic, true)])
}

/// `content` without the stanzas of `names` (their `iface` blocks, and their names in
/// `auto`/`allow-*` lines); everything else is kept as it was, comments included.
pub fn without(content: &str, names: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    // Decided per logical line, exactly as the reader reads them; written back as the
    // physical lines they were (a stanza split by `\` continuations goes whole).
    for (logical, physical) in units(content) {
        let Some(line) = logical else {
            // A comment stays; a blank line inside a removed stanza goes with it.
            if !skipping || physical.iter().any(|l| l.trim_start().starts_with('#')) {
                physical.iter().for_each(|l| {
                    out.push_str(l);
                    out.push('\n');
                });
            }
            continue;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let first = words.first().copied().unwrap_or("");
        let is_keyword = matches!(
            first,
            "iface" | "mapping" | "auto" | "source" | "source-directory" | "rename" | "no-auto-down" | "no-scripts"
        ) || first.starts_with("allow-");
        if is_keyword {
            skipping = false;
        }
        if first == "iface" && words.get(1).is_some_and(|n| names.contains(n)) {
            skipping = true;
            continue;
        }
        if skipping {
            continue;
        }
        if first == "auto" || first.starts_with("allow-") {
            let listed = words.get(1..).unwrap_or_default();
            let kept: Vec<&str> = listed.iter().copied().filter(|w| !names.contains(w)).collect();
            if kept.len() != listed.len() {
                if !kept.is_empty() {
                    out.push_str(&format!("{first} {}\n", kept.join(" ")));
                }
                continue;
            }
        }
        for l in physical {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// The lines of an interfaces file as ifupdown reads them, each with the physical lines it
/// spans: a logical line (`\` continuations joined, each physical line trimmed), or `None`
/// for a comment or blank line outside a continuation.
fn units(content: &str) -> Vec<(Option<String>, Vec<&str>)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut physical: Vec<&str> = Vec::new();
    for raw in content.lines() {
        let l = raw.trim();
        if cur.is_empty() && (l.is_empty() || l.starts_with('#')) {
            out.push((None, vec![raw]));
            continue;
        }
        match l.strip_suffix('\\') {
            // A lone backslash before anything: nothing to continue.
            Some("") if cur.is_empty() => out.push((None, vec![raw])),
            Some(part) => {
                cur.push_str(part);
                physical.push(raw);
            }
            None => {
                cur.push_str(l);
                physical.push(raw);
                out.push((Some(std::mem::take(&mut cur)), std::mem::take(&mut physical)));
            }
        }
    }
    if !cur.is_empty() {
        out.push((Some(cur), physical));
    }
    out
}

/// The logical lines of an interfaces file: comments dropped, `\` continuations joined.
fn lines(content: &str) -> Vec<String> {
    units(content).into_iter().filter_map(|(logical, _)| logical).collect()
}

/// Every interface an interfaces(5) file defines with `iface`.
pub fn read(path: &str, content: &str, links: &LinkMap) -> Result<Vec<ConfiguredNic>, ReadError> {
    let mut nics: Vec<ConfiguredNic> = Vec::new();
    let mut auto: Vec<String> = Vec::new();
    // (index into nics, family) of the stanza whose options follow.
    let mut current: Option<(usize, String)> = None;
    for line in lines(content) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.first().copied() {
            Some("auto") | Some("allow-auto") | Some("allow-hotplug") => {
                auto.extend(words[1..].iter().map(|w| w.to_string()));
                current = None;
            }
            Some("iface") => {
                let [_, name, family, method, ..] = words[..] else {
                    return Err(ReadError::Stanza { line: line.clone(), what: "iface needs NAME FAMILY METHOD" });
                };
                let i = match nics.iter().position(|n| n.name == name) {
                    Some(i) => i,
                    None => {
                        let mut c = ConfiguredNic::new(name, path, Format::Eni);
                        c.onboot = false;
                        if let Some(l) = links.by_name(name) {
                            c.hwaddr = Some(l.mac);
                            c.mtu = l.mtu;
                        }
                        nics.push(c);
                        nics.len() - 1
                    }
                };
                let c = &mut nics[i];
                match (family, method) {
                    (_, "loopback") => c.kind = LinkKind::Loopback,
                    ("inet", "dhcp" | "bootp") => c.bootproto = Bootproto::Dhcp,
                    ("inet", "static") => c.bootproto = Bootproto::Static,
                    ("inet", m) => c.bootproto = Bootproto::Other(m.to_string()),
                    ("inet6", "auto") => c.ipv6 = Some(Ipv6Config::Auto),
                    ("inet6", "dhcp") => c.ipv6 = Some(Ipv6Config::Dhcp),
                    _ => {}
                }
                current = Some((i, family.to_string()));
            }
            Some("mapping" | "source" | "source-directory" | "no-auto-down" | "no-scripts" | "rename") => {
                current = None
            }
            Some(opt) => {
                let Some((i, family)) = &current else {
                    return Err(ReadError::Stanza { line: line.clone(), what: "an option outside an iface stanza" });
                };
                let c = &mut nics[*i];
                let value = words.get(1).copied().unwrap_or("");
                let bad = |what: &'static str| ReadError::value(format!("iface {}: {opt}", c.name), value, what);
                match (family.as_str(), opt) {
                    ("inet", "address") => {
                        c.ipv4 = Some(match value.parse() {
                            Ok(net) => net,
                            Err(_) => ipnet::Ipv4Net::new(value.parse().map_err(|_| bad("an IPv4 address"))?, 32)
                                .map_err(|_| bad("an address"))?,
                        })
                    }
                    ("inet", "netmask") => {
                        let prefix = value
                            .parse::<u8>()
                            .ok()
                            .or_else(|| value.parse().ok().and_then(|m| ipnet::ipv4_mask_to_prefix(m).ok()))
                            .ok_or_else(|| bad("a netmask"))?;
                        if let Some(a) = c.ipv4 {
                            c.ipv4 = ipnet::Ipv4Net::new(a.addr(), prefix).ok();
                        }
                    }
                    ("inet", "gateway") => c.gateway = Some(value.parse().map_err(|_| bad("an IPv4 address"))?),
                    ("inet6", "address") => {
                        let addr = value.parse().map_err(|_| bad("an IPv6 ADDR/PREFIX"))?;
                        c.ipv6 = Some(Ipv6Config::Static { addr, gateway: c.ipv6.and_then(|v| v.gateway()) });
                    }
                    ("inet6", "gateway") => {
                        let gw = value.parse().map_err(|_| bad("an IPv6 address"))?;
                        if let Some(Ipv6Config::Static { gateway, .. }) = &mut c.ipv6 {
                            *gateway = Some(gw);
                        }
                    }
                    (_, "mtu") => c.mtu = Some(value.parse().map_err(|_| bad("a number"))?),
                    (_, "hwaddress") => {
                        let mac = words.last().copied().unwrap_or("");
                        c.hwaddr = Some(mac.parse().map_err(|_| {
                            ReadError::value(format!("iface {}: hwaddress", c.name), mac, "a MAC address")
                        })?);
                    }
                    (_, "dns-nameservers") => {
                        for d in &words[1..] {
                            if let Ok(d) = d.parse() {
                                c.dns.push(d);
                            }
                        }
                    }
                    _ => {}
                }
            }
            None => {}
        }
    }
    for c in &mut nics {
        c.onboot = auto.contains(&c.name);
        if c.bootproto == Bootproto::Static && c.ipv4.is_none() {
            c.bootproto = Bootproto::None;
        }
    }
    Ok(nics)
}

/// The eni format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Eni,
    path,
    name_problem,
    write,
    claims: |p| p == super::ENI_FILE || super::file_in(p, super::ENI_DIR).is_some(),
    read,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The Rust test and the perl edit run in the guest are one rule: on each file, after
    /// `--append-line` (simulated: a newline first if the file lacks its last one), the edit
    /// keeps the appended source line exactly when the Rust function says the file lacked
    /// one, and the result always sources the folder.
    #[test]
    fn source_check_agrees_with_the_perl_edit() {
        let files = [
            "auto lo\niface lo inet loopback\n",
            "source /etc/network/interfaces.d/*\n",
            "  source-directory /etc/network/interfaces.d\n",
            "# source /etc/network/interfaces.d/*\n",
            "sourced /etc/network/interfaces.d/x\n",
            "source /etc/network/other\nsource\t/etc/network/interfaces.d/a\n",
            "source /etc/network/interfaces.d/*",
            "source /etc/network/interfaces.dx\n",
            "source /etc/network/interfaces.d/*.cfg\n",
            "source-directory /etc/network/interfaces.d/\n",
            "",
        ];
        for f in files {
            let sep = if f.is_empty() || f.ends_with('\n') { "" } else { "\n" };
            let appended = format!("{f}{sep}{SOURCE_LINE}\n");
            let out = std::process::Command::new("perl")
                .args(["-pe", DEDUPE_SOURCE_EDIT])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    use std::io::Write as _;
                    c.stdin.take().expect("stdin").write_all(appended.as_bytes())?;
                    c.wait_with_output()
                })
                .expect("perl");
            let result = String::from_utf8_lossy(&out.stdout).into_owned();
            let kept = result.len() == appended.len();
            assert_eq!(kept, !sources_interfaces_d(f), "{f:?} -> {result:?}");
            assert!(sources_interfaces_d(&result), "{f:?} -> {result:?}");
        }
    }

    #[test]
    fn removes_stanzas_and_auto_entries() {
        let src = "# main\nsource /etc/network/interfaces.d/*\n\nauto lo eth0\niface lo inet loopback\n\n# primary\nallow-hotplug eth0\niface eth0 inet static\n    address 10.0.0.2/24\n    gateway 10.0.0.1\niface eth0 inet6 auto\n\nauto eth1\niface eth1 inet dhcp\n";
        assert_eq!(
            without(src, &["eth0"]),
            "# main\nsource /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n# primary\nauto eth1\niface eth1 inet dhcp\n"
        );
    }
}
