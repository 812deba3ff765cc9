//! ifupdown (`/etc/network/interfaces.d/NAME`), for Debian. `/etc/network/interfaces` must
//! source that folder (the commands see to it); a `.link` file renames the interface with
//! the config's MAC to NAME, and sets its MTU (which ifupdown's dhcp method cannot).

use super::link::{self, LinkMap};
use super::{Bootproto, ReadError};
use super::{ConfiguredNic, ENI_DIR, Format, GuestFile, LinkKind};
use crate::nic::{BondMode, BondOptions, Ipv4Config, Ipv6Config, MasterKind, Nic, NicKind};

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

/// [`DEDUPE_SOURCE_EDIT`] when a file name of ours holds a `.` (a VLAN named `LINK.ID`):
/// `source-directory` skips such names (run-parts' rules), so only a `source .../*` line
/// counts as sourcing them. (Both lines may then stand: ifupdown reads a file twice
/// without complaint.)
pub const DEDUPE_SOURCE_EDIT_DOTTED: &str = "$rejviz_n++ if m{^\\s*source\\s+/etc/network/interfaces\\.d/\\*\\s*$}; \
$_ = \"\" if $rejviz_n > 1 && $_ eq \"source /etc/network/interfaces.d/*\\n\"";

/// Whether `content` (an interfaces file) sources every file of the interfaces.d folder: a
/// line `source /etc/network/interfaces.d/*` or, unless a file name holds a `.` (`dotted`),
/// `source-directory /etc/network/interfaces.d` (not `.../*.cfg`, which skips our files), as
/// [`DEDUPE_SOURCE_EDIT`] (and [`DEDUPE_SOURCE_EDIT_DOTTED`]) test it in the guest (a test
/// runs both on the same files).
pub fn sources_interfaces_d(content: &str, dotted: bool) -> bool {
    content.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        match words.as_slice() {
            ["source", "/etc/network/interfaces.d/*"] => true,
            ["source-directory", "/etc/network/interfaces.d" | "/etc/network/interfaces.d/"] => !dotted,
            _ => false,
        }
    })
}

/// The edit for [`sources_interfaces_d`] with `dotted`.
pub fn dedupe_source_edit(dotted: bool) -> &'static str {
    if dotted { DEDUPE_SOURCE_EDIT_DOTTED } else { DEDUPE_SOURCE_EDIT }
}

/// Whether a file of `files` goes into interfaces.d with a `.` in its name.
pub fn writes_dotted(files: &[GuestFile]) -> bool {
    files.iter().any(|f| super::file_in(&f.path, super::ENI_DIR).is_some_and(|n| n.contains('.')))
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

/// [`name_problem`] for an interface of `kind`: a VLAN is named as ifupdown makes VLANs,
/// `LINK.ID` (ifupdown itself) or `vlanID` (the vlan package, with `vlan-raw-device`).
pub fn kind_name_problem(name: &str, kind: &NicKind) -> Option<String> {
    let NicKind::Vlan(v) = kind else { return name_problem(name) };
    if name == format!("{}.{}", v.link, v.id) {
        return name_problem(&v.link);
    }
    if name != format!("vlan{}", v.id) {
        return Some(format!("a VLAN named otherwise than {}.{} or vlan{}: ifupdown makes those", v.link, v.id, v.id));
    }
    name_problem(name)
}

pub fn write(nic: &Nic) -> Result<Vec<GuestFile>, crate::nic::NicError> {
    let n = &nic.name;
    // An Ethernet NIC's MTU is set by its .link file; a VLAN, bond or bridge has none, and
    // ifupdown's dhcp method has no mtu option.
    let mtu_option = nic.mtu.filter(|_| nic.hwaddr.is_none());
    if mtu_option.is_some() && nic.ipv4 == Ipv4Config::Dhcp {
        return Err(crate::nic::NicError {
            nic: n.clone(),
            key: Some("mtu".into()),
            problem: crate::nic::NicProblem::Unsupported {
                format: Format::Eni,
                what: format!("mtu= on a {} with DHCP (ifupdown's dhcp method has no mtu)", nic.kind.word()),
            },
        });
    }
    let mut s = String::from("# Written by rejviz\n");
    if nic.onboot {
        s.push_str(&format!("auto {n}\n"));
    }
    match &nic.ipv4 {
        Ipv4Config::Dhcp => s.push_str(&format!("iface {n} inet dhcp\n")),
        Ipv4Config::NoAddress => s.push_str(&format!("iface {n} inet manual\n")),
        Ipv4Config::Static(st) => {
            s.push_str(&format!("iface {n} inet static\n    address {}/{}\n", st.address(), st.prefix()));
            if let Some(gw) = st.gateway {
                s.push_str(&format!("    gateway {gw}\n"));
            }
        }
    }
    let mut opt = |k: &str, v: &str| s.push_str(&format!("    {k} {v}\n"));
    if let Some(mtu) = mtu_option {
        opt("mtu", &mtu.to_string());
    }
    match &nic.kind {
        NicKind::Ethernet => {}
        NicKind::Vlan(v) => opt("vlan-raw-device", &v.link),
        // ifenslave's options: the bond lists its members and each member names its master.
        NicKind::Bond(b) => {
            let o = &b.options;
            opt("bond-slaves", &b.members.join(" "));
            opt("bond-mode", o.mode.name());
            if let Some(m) = o.miimon {
                opt("bond-miimon", &m.to_string());
            }
            if let Some(p) = &o.primary {
                opt("bond-primary", p);
            }
            if let Some(r) = o.lacp_rate {
                opt("bond-lacp-rate", r.name());
            }
            if let Some(x) = o.xmit_hash_policy {
                opt("bond-xmit-hash-policy", x.name());
            }
        }
        // bridge-utils' options (bridge-utils-interfaces(5)).
        NicKind::Bridge(b) => {
            opt("bridge_ports", &if b.members.is_empty() { "none".to_string() } else { b.members.join(" ") });
            opt("bridge_stp", if b.stp { "on" } else { "off" });
        }
    }
    if let Some(m) = &nic.master
        && m.kind == MasterKind::Bond
    {
        opt("bond-master", &m.name);
    }
    if !nic.dns.is_empty() {
        let dns: Vec<String> = nic.dns.iter().map(|d| d.to_string()).collect();
        opt("dns-nameservers", &dns.join(" "));
    }
    if !nic.search.is_empty() {
        opt("dns-search", &nic.search.join(" "));
    }
    let route = |r: &crate::nic::Route| {
        format!("    up ip route add {} via {} dev {n}{}\n", r.to, r.via, if r.onlink { " onlink" } else { "" })
    };
    s.extend(nic.routes.iter().filter(|r| r.via.is_ipv4()).map(route));
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
    s.extend(nic.routes.iter().filter(|r| r.via.is_ipv6()).map(route));
    Ok([GuestFile { path: path(n), mode: 0o644, content: s }].into_iter().chain(link::write(nic, true)).collect())
}

/// A route that an `up` command adds: `ip [-4|-6] route add DEST via GW [dev D] [onlink]
/// ...`, or net-tools' `route add [-net|-host] DEST [netmask M] gw GW` (cloud-init's).
fn route_command(words: &[&str]) -> Option<(ipnet::IpNet, std::net::IpAddr, bool)> {
    let words: Vec<&str> = words.iter().copied().filter(|w| !matches!(*w, "-4" | "-6")).collect();
    let after = |key: &str| words.iter().position(|w| *w == key).and_then(|i| words.get(i + 1)).copied();
    match words.as_slice() {
        ["ip" | "/sbin/ip" | "/bin/ip" | "/usr/sbin/ip", "route" | "r" | "ro", "add" | "a" | "replace", dest, ..] => {
            let via: std::net::IpAddr = after("via")?.parse().ok()?;
            let to = super::ifcfg::parse_dest(dest, via.is_ipv6())?;
            Some((to, via, words.contains(&"onlink")))
        }
        ["route" | "/sbin/route", "add", rest @ ..] => {
            let rest: Vec<&str> = rest.iter().copied().filter(|w| !matches!(*w, "-net" | "-host")).collect();
            let dest = *rest.first()?;
            let via: std::net::IpAddr = after("gw")?.parse().ok()?;
            let mut to = super::ifcfg::parse_dest(dest, via.is_ipv6())?;
            if let Some(m) = after("netmask") {
                let prefix = ipnet::ipv4_mask_to_prefix(m.parse().ok()?).ok()?;
                to = ipnet::IpNet::new(to.addr(), prefix).ok()?;
            }
            Some((to, via, false))
        }
        _ => None,
    }
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
                    ("inet", "manual") => c.bootproto = Bootproto::None,
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
                let Some(c) = nics.get_mut(*i) else { continue };
                let value = words.get(1).copied().unwrap_or("");
                let rest = words.get(1..).unwrap_or_default();
                let who = format!("iface {}: {opt}", c.name);
                let bad = |what: &'static str| ReadError::value(who.clone(), value, what);
                // ifupdown hands options to hooks as IF_OPTION: `-` and `_` are one.
                let norm = opt.replace('_', "-");
                let bond = |c: &mut ConfiguredNic| {
                    c.kind = LinkKind::Bond;
                    c.bond.get_or_insert_with(|| BondOptions::new(BondMode::BalanceRr)).clone()
                };
                match norm.as_str() {
                    "vlan-raw-device" => {
                        c.kind = LinkKind::Vlan;
                        c.link = Some(value.to_string());
                    }
                    "vlan-id" => {
                        c.kind = LinkKind::Vlan;
                        c.id = Some(value.parse().map_err(|_| bad("a VLAN id"))?);
                    }
                    "bond-slaves" | "slaves" => {
                        bond(c);
                        c.members.extend(rest.iter().filter(|w| !matches!(**w, "none" | "all")).map(|w| w.to_string()));
                    }
                    "bond-master" => c.master = Some(value.to_string()),
                    "bond-mode" | "bond-miimon" | "bond-primary" | "bond-lacp-rate" | "bond-xmit-hash-policy" => {
                        let mut o = bond(c);
                        match norm.as_str() {
                            "bond-mode" => o.mode = value.parse().map_err(|_| bad("a bonding mode"))?,
                            "bond-miimon" => o.miimon = Some(value.parse().map_err(|_| bad("a number"))?),
                            "bond-primary" => o.primary = Some(value.to_string()),
                            "bond-lacp-rate" => o.lacp_rate = Some(value.parse().map_err(|_| bad("slow or fast"))?),
                            _ => o.xmit_hash_policy = Some(value.parse().map_err(|_| bad("a hash policy"))?),
                        }
                        c.bond = Some(o);
                    }
                    "bridge-ports" => {
                        c.kind = LinkKind::Bridge;
                        c.stp = c.stp.or(Some(false));
                        c.members.extend(rest.iter().filter(|w| !matches!(**w, "none" | "all")).map(|w| w.to_string()));
                    }
                    "bridge-stp" => {
                        c.stp = Some(matches!(value.to_ascii_lowercase().as_str(), "on" | "yes" | "true" | "1"))
                    }
                    "dns-search" => c.search.extend(rest.iter().map(|w| w.to_string())),
                    "up" | "post-up" => {
                        if let Some((to, via, onlink)) = route_command(rest) {
                            match c.add_route(to, via, onlink) {
                                Some(std::net::IpAddr::V4(g)) => c.gateway = c.gateway.or(Some(g)),
                                Some(std::net::IpAddr::V6(g)) => {
                                    if let Some(Ipv6Config::Static { gateway, .. }) = &mut c.ipv6 {
                                        gateway.get_or_insert(g);
                                    }
                                }
                                None => {}
                            }
                        }
                    }
                    _ => {}
                }
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
        // ifupdown makes NAME.ID a VLAN of NAME by itself.
        let (link, id) = super::vlan_of_name(&c.name);
        if c.kind == LinkKind::Vlan || (c.kind == LinkKind::Ethernet && link.is_some()) {
            c.kind = LinkKind::Vlan;
            c.link = c.link.take().or(link);
            c.id = c.id.or(id);
        }
        if c.kind == LinkKind::Bridge {
            c.stp = c.stp.or(Some(false));
        }
        // A member may repeat its bond's options (cloud-init's do): it is no bond for that.
        if c.kind == LinkKind::Bond && c.master.is_some() && c.members.is_empty() {
            c.kind = LinkKind::Ethernet;
            c.bond = None;
        }
    }
    Ok(nics)
}

/// The eni format's part in every operation (see [`super::FormatOps`]).
pub const OPS: super::FormatOps = super::FormatOps {
    format: super::Format::Eni,
    doc: super::FormatDoc {
        bound_by: "the `.link` file (udev renames by MAC, and sets the MTU, which ifupdown's dhcp method cannot)",
        notes: "`/etc/network/interfaces` is made to `source /etc/network/interfaces.d/*` (added once, only if missing; the file is created if the guest has none)",
    },
    path,
    name_problem: kind_name_problem,
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
        for (f, dotted) in files.iter().flat_map(|f| [(f, false), (f, true)]) {
            let sep = if f.is_empty() || f.ends_with('\n') { "" } else { "\n" };
            let appended = format!("{f}{sep}{SOURCE_LINE}\n");
            let out = std::process::Command::new("perl")
                .args(["-pe", dedupe_source_edit(dotted)])
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
            assert_eq!(kept, !sources_interfaces_d(f, dotted), "{f:?} {dotted} -> {result:?}");
            assert!(sources_interfaces_d(&result, dotted), "{f:?} {dotted} -> {result:?}");
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
