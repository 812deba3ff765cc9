//! `rejviz-peek`: which network interfaces a guest configures, how, and whether the domain
//! that runs it has the MACs those configs expect. Our own command (no proxy).

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::Serialize;

use super::style::Paint;
use super::{EXIT_USAGE, Example};
use crate::check::{CheckResult, check};
use crate::guestconf::{self, ConfiguredNic, LinkKind, Stack, Unreadable};
use crate::inspect::{self, Disk, OsInfo, ReaderUsed};
use crate::libvirt::{self, DomainInfo, DomainInterface};

mod audit;

pub(crate) const ME: &str = "rejviz-peek";

/// The name of each option (its clap id and long name) and group, defined once: code refers
/// to them by these constants, so a misspelt name does not compile.
mod id {
    pub const ADD: &str = "add";
    pub const FORMAT: &str = "format";
    pub const DOMAIN: &str = "domain";
    pub const ALL_DOMAINS: &str = "all-domains";
    pub const CONNECT: &str = "connect";
    pub const READER: &str = crate::cmd::READER.name;
    pub const VERBOSE: &str = "verbose";
    pub const ALL: &str = "all";
    pub const JSON: &str = "json";
    pub const CHECK: &str = "check";
    pub const MACHINE_READABLE: &str = crate::cmd::features::NAME;
    /// Where the guest comes from: `-a`, `-d` or `--all-domains`.
    pub const SOURCE: &str = "source";
    /// What needs libvirt: `-d` or `--all-domains`.
    pub const LIBVIRT: &str = "libvirt";
}

/// The ways to call rejviz-peek, one a line.
pub const SYNOPSIS: &[&str] = &[
    "rejviz-peek [--format raw|qcow2|auto] -a IMAGE [-a IMAGE]... [--all] [--json] [--reader R] [-v]",
    "rejviz-peek [-c URI] -d DOMAIN [--all] [--json] [--check] [--reader R] [-v]",
    "rejviz-peek [-c URI] --all-domains [--all] [--json] [--check] [--reader R] [-v]",
];

/// Whole command lines, each with what it does.
pub const EXAMPLES: &[Example] = &[
    Example { what: "The NICs a raw image configures", command: "rejviz-peek -a vm1.img" },
    Example {
        what: "The same as one JSON document, from a qcow2 image",
        command: "rejviz-peek --format qcow2 -a vm1.qcow2 --json",
    },
    Example {
        what: "Read the image directly, or fail saying why, rather than launch the libguestfs appliance",
        command: "rejviz-peek --reader direct -v -a vm1.img",
    },
    Example {
        what: "Check that a domain's interfaces have the MACs its image's configs expect",
        command: "rejviz-peek -c qemu:///system -d vm1 --check",
    },
    Example {
        what: "The same for every domain of the connection",
        command: "rejviz-peek -c qemu:///system --all-domains --check",
    },
    Example {
        what: "Whether this build can read guests directly (a script's feature test)",
        command: "rejviz-peek --machine-readable | grep -qx reader:direct",
    },
];

/// Each exit status and what it means.
pub const EXIT_STATUSES: &[(&str, &str)] = &[
    (
        "0",
        "the guest was read (with --check: the MACs match); with --all-domains: every domain was read (and, with --check, passed)",
    ),
    (
        "1",
        "--check found problems; with --all-domains: a domain could not be read (its disk is missing, no OS found, ...; \
         it is a row with the reason, and the others are still read) or, with --check, a domain's check found problems",
    ),
    ("2", "error (with --all-domains: the domains cannot be listed)"),
];

/// `--help`'s text after the options: [`EXAMPLES`] and [`EXIT_STATUSES`].
fn after_help() -> String {
    let mut s = super::examples_text(EXAMPLES);
    s.push_str("\nExit status:\n");
    for (code, what) in EXIT_STATUSES {
        s.push_str(&super::wrap(what, &format!("  {code}  "), "     "));
    }
    s
}

/// rejviz-peek's command line, which `--help` and `man rejviz-peek` show.
pub fn cli() -> Command {
    Command::new(ME)
        .version(env!("CARGO_PKG_VERSION"))
        .about("Show the network interfaces a guest image or libvirt domain configures, and check its MACs.")
        .long_about(
            "Show the network interfaces a guest image or libvirt domain configures, and check its MACs.\n\n\
             Reads the guest read-only (directly, or in one libguestfs appliance launch): OS inspection and the NIC\n\
             configs of every format: network-scripts/ifcfg-NAME, NetworkManager keyfiles, netplan,\n\
             /etc/network/interfaces(.d), systemd-networkd .network files, and the .link files that\n\
             name interfaces by MAC (backups like *.bak, *.orig, *.rpmnew, *~ are skipped). Files are\n\
             parsed as data, never run. A file that cannot be parsed is reported with the reason; the\n\
             rest are still shown.\n\n\
             The table is a tree: a bond's or bridge's members stand under it and a VLAN under its\n\
             link, indented two spaces a level (TYPE says vlan:ID, bond:MODE, bridge, ethernet);\n\
             static routes and search domains follow it. Ethernet NICs, VLANs, bonds and bridges\n\
             are shown; --all adds loopback and other kinds. --check pairs only devices (Ethernet\n\
             NICs: plain, bond or bridge members, VLAN links) with the domain's interfaces.\n\n\
             By default (--reader auto) an image with ext2/3/4 or XFS filesystems is read directly,\n\
             in milliseconds and with no appliance: raw from the file, qcow2 or any other format\n\
             qemu reads through a read-only qemu-nbd; anything the direct reader cannot read with\n\
             certainty (LVM, LUKS, btrfs, ...) is read by the appliance.\n\n\
             --all-domains audits every domain of the connection (defined or transient, running or\n\
             not), in name order, each read as -d reads it (--reader applies to each): one table with\n\
             a row per domain interface and the image config that claims it, and a row per config\n\
             that claims none (or one JSON document with --json); with --check each domain's verdict\n\
             and problems. A domain that cannot be read (missing disk, no OS found, ...) is a row with\n\
             the reason, and the audit goes on. On a terminal, once the audit takes more than a\n\
             second, one line on stderr says which domain is being read; it is erased at the end.\n\n\
             The check's verdict (OK, or the problems) and error lines are in colour on a terminal,\n\
             never with NO_COLOR set (CLICOLOR_FORCE forces it).",
        )
        .override_usage(SYNOPSIS.join("\n       "))
        .after_help(after_help())
        .arg(
            Arg::new(id::ADD)
                .short('a')
                .long(id::ADD)
                .value_name("IMAGE")
                .action(ArgAction::Append)
                .value_parser(clap::value_parser!(PathBuf))
                .help("A disk of the guest (repeat for each disk, in order)"),
        )
        .arg(
            Arg::new(id::FORMAT)
                .long(id::FORMAT)
                .value_name("raw|qcow2|auto")
                .action(ArgAction::Append)
                .value_parser(["raw", "qcow2", "auto"])
                .help("Format of the -a images that follow it (default auto: let libguestfs probe; use raw for raw images)"),
        )
        .arg(
            Arg::new(id::DOMAIN)
                .short('d')
                .long(id::DOMAIN)
                .value_name("DOMAIN")
                .conflicts_with(id::ADD)
                .help("A libvirt domain: its disks (read-only, running or not) and its interfaces"),
        )
        .arg(
            Arg::new(id::ALL_DOMAINS)
                .long(id::ALL_DOMAINS)
                .action(ArgAction::SetTrue)
                .help("Every domain of the connection (running or not), in name order, in one table"),
        )
        .arg(
            Arg::new(id::CONNECT)
                .short('c')
                .long(id::CONNECT)
                .value_name("URI")
                .requires(id::LIBVIRT)
                .help("libvirt URI (default: LIBVIRT_DEFAULT_URI, then libvirt's default)"),
        )
        .arg(
            Arg::new(id::READER)
                .long(id::READER)
                .value_name("auto|direct|appliance")
                .value_parser(inspect::Reader::ALL.map(inspect::Reader::name))
                .default_value(inspect::Reader::Auto.name())
                .help("How to read the image: the direct reader with the appliance as fallback (auto), or only one"),
        )
        .arg(
            Arg::new(id::VERBOSE)
                .short('v')
                .long(id::VERBOSE)
                .action(ArgAction::SetTrue)
                .help(
                    "Say on stderr which reader read the guest, and why not the direct one; and debug lines \
                     (rejviz-peek: debug: ...): the disks, each file read, how each config was paired",
                ),
        )
        .arg(Arg::new(id::ALL).long(id::ALL).action(ArgAction::SetTrue).help(
            "Also show loopback and configs of other kinds (wifi, team, tunnels, ...); Ethernet NICs, VLANs, bonds and bridges are always shown",
        ))
        .arg(
            Arg::new(id::JSON)
                .long(id::JSON)
                .action(ArgAction::SetTrue)
                .help("One JSON document (its JSON Schema: schema/peek.schema.json)"),
        )
        .arg(
            Arg::new(id::CHECK)
                .long(id::CHECK)
                .action(ArgAction::SetTrue)
                .help("Check that image configs and domain interfaces agree on MACs; exit 1 if not"),
        )
        .arg(Arg::new(id::MACHINE_READABLE).long(id::MACHINE_READABLE).action(ArgAction::SetTrue).exclusive(true).help(
            "Print what this build supports, one feature a line (rejviz-peek, then each option: all-domains, json, \
             reader:direct, ..., config-format:FORMAT), and exit; it stands alone",
        ))
        // Required, but for --machine-readable: see `parse`.
        .group(clap::ArgGroup::new(id::SOURCE).args([id::ADD, id::DOMAIN, id::ALL_DOMAINS]))
        .group(clap::ArgGroup::new(id::LIBVIRT).args([id::DOMAIN, id::ALL_DOMAINS]))
}

/// Parses the command line; a guest (`-a`, `-d` or `--all-domains`) is required unless
/// `--machine-readable` stands alone (clap's required group would ask for one even then);
/// `--check` needs `-d` or `--all-domains` (clap's `requires` does not apply to flags).
fn parse<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> Result<ArgMatches, clap::Error> {
    let m = cli().try_get_matches_from(args)?;
    if !m.contains_id(id::SOURCE) && !m.get_flag(id::MACHINE_READABLE) {
        return Err(cli().error(
            clap::error::ErrorKind::MissingRequiredArgument,
            "a guest is needed: -a IMAGE, -d DOMAIN or --all-domains",
        ));
    }
    if m.get_flag(id::CHECK) && !m.contains_id(id::DOMAIN) && !m.get_flag(id::ALL_DOMAINS) {
        return Err(cli().error(
            clap::error::ErrorKind::MissingRequiredArgument,
            "--check needs a domain (-d DOMAIN or --all-domains)",
        ));
    }
    Ok(m)
}

/// What `--machine-readable` lists: each option of the command line (its values, for one
/// that takes a closed set), from the parser itself.
fn features() -> Vec<super::features::Feature> {
    let unlisted = ["help", "version", "machine-readable"];
    cli()
        .get_arguments()
        .filter(|a| !unlisted.contains(&a.get_id().as_str()))
        .filter_map(|a| {
            let values = match a.get_action().takes_values() {
                true => a.get_possible_values().iter().map(|v| v.get_name().to_string()).collect(),
                false => Vec::new(),
            };
            Some(super::features::Feature { name: a.get_long()?.to_string(), values, keys: Vec::new() })
        })
        .collect()
}

/// A usage error as one line, like every other message of ours: clap's message and its
/// list of possible values or tip, without the usage block (which `--help` shows).
fn usage_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let end = ["\n\nUsage:", "\n\nFor more information"].iter().filter_map(|m| text.find(m)).min();
    let body = end.and_then(|i| text.get(..i)).unwrap_or(text).trim_end();
    let body = body.replace("\n\n  tip: ", "; tip: ").replace("\n  ", " ");
    format!("{body} (see {ME} --help)")
}

/// The disks of `-a`, each with the `--format` given last before it.
fn disks_from(m: &ArgMatches) -> Vec<Disk> {
    let mut args: Vec<(usize, inspect::DiskArg)> = Vec::new();
    if let (Some(i), Some(v)) = (m.indices_of(id::FORMAT), m.get_many::<String>(id::FORMAT)) {
        args.extend(i.zip(v).map(|(i, f)| (i, inspect::DiskArg::Format(f.clone()))));
    }
    if let (Some(i), Some(v)) = (m.indices_of(id::ADD), m.get_many::<PathBuf>(id::ADD)) {
        args.extend(i.zip(v).map(|(i, p)| (i, inspect::DiskArg::Add(p.clone()))));
    }
    args.sort_by_key(|(i, _)| *i);
    inspect::disks(args.into_iter().map(|(_, a)| a))
}

#[derive(Debug, thiserror::Error)]
enum PeekError {
    #[error(transparent)]
    Inspect(#[from] inspect::InspectError),
    #[error(transparent)]
    Libvirt(#[from] libvirt::LibvirtError),
}

/// Everything `rejviz-peek` found, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Report {
    pub os: OsReport,
    pub nics: Vec<ConfiguredNic>,
    pub unreadable: Vec<Unreadable>,
    pub domain: Option<DomainReport>,
    pub check: Option<CheckResult>,
}

#[derive(Debug, Serialize)]
pub struct OsReport {
    #[serde(rename = "type")]
    pub os_type: String,
    pub distro: String,
    pub version: String,
    pub product_name: String,
    pub hostname: String,
    pub osinfo: String,
}

impl From<&OsInfo> for OsReport {
    fn from(o: &OsInfo) -> Self {
        OsReport {
            os_type: o.os_type.clone(),
            distro: o.distro.clone(),
            version: format!("{}.{}", o.major, o.minor),
            product_name: o.product_name.clone(),
            hostname: o.hostname.clone(),
            osinfo: o.osinfo.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DomainReport {
    pub name: String,
    pub uri: String,
    pub active: bool,
    pub interfaces: Vec<InterfaceReport>,
}

#[derive(Debug, Serialize)]
pub struct InterfaceReport {
    #[serde(flatten)]
    pub iface: DomainInterface,
    /// The image config claiming this interface (see `check`), if any.
    pub config: Option<String>,
    /// That config, as an index into [`Report::nics`].
    #[serde(skip)]
    pub claimed: Option<usize>,
}

/// How each guest is read and reported (the options every read shares).
#[derive(Debug, Clone, Copy)]
struct ReadOptions {
    reader: inspect::Reader,
    /// `--all`: loopback and configs of other kinds too (not only devices, VLANs, bonds
    /// and bridges).
    all: bool,
    /// `--check`: the report carries the check.
    check: bool,
}

impl ReadOptions {
    fn from(m: &ArgMatches) -> ReadOptions {
        ReadOptions {
            reader: m.get_one::<String>(id::READER).and_then(|r| r.parse().ok()).unwrap_or_default(),
            all: m.get_flag(id::ALL),
            check: m.get_flag(id::CHECK),
        }
    }
}

/// The report of the guest on `disks`, and of `domain` when it is the guest's domain (its
/// interfaces paired with the configs, and checked): the one path every report takes.
fn report(domain: Option<DomainInfo>, disks: &[Disk], o: ReadOptions) -> Result<(Report, ReaderUsed), PeekError> {
    let (snap, used) = inspect::read_guest(disks, &guestconf::want(), o.reader)?;
    super::debug_guest_read(disks, o.reader, &used, &snap);
    let (all, unreadable) = guestconf::configs_in(&snap);
    let nics: Vec<ConfiguredNic> = all.into_iter().filter(|n| o.all || n.shown_by_default()).collect();
    // The check pairs the devices among them (Ethernet NICs: plain, members, links).
    let checked = domain.as_ref().map(|d| check(&nics, &d.interfaces, &d.name));
    if let (Some(d), Some(c)) = (&domain, &checked) {
        debug_pairing(d, &nics, c);
    }
    let domain = domain.map(|d| DomainReport {
        interfaces: d
            .interfaces
            .iter()
            .enumerate()
            .map(|(i, iface)| {
                // The config that claims interface i, as an index into `nics`.
                let claimed = checked.as_ref().and_then(|c| c.claimed_by.get(i).copied().flatten());
                InterfaceReport {
                    iface: iface.clone(),
                    config: claimed.and_then(|k| nics.get(k)).map(|n| n.name.clone()),
                    claimed,
                }
            })
            .collect(),
        name: d.name,
        uri: d.uri,
        active: d.active,
    });
    let report =
        Report { os: OsReport::from(&snap.os), nics, unreadable, domain, check: if o.check { checked } else { None } };
    Ok((report, used))
}

/// Debug lines: which config each interface of `d` was paired with, by which step of the
/// pairing rule (as the rule returned it, in `c`), and the devices' configs left without one.
fn debug_pairing(d: &DomainInfo, nics: &[ConfiguredNic], c: &CheckResult) {
    if super::debugging().is_none() {
        return;
    }
    let dash = || "-".to_string();
    for (i, iface) in d.interfaces.iter().enumerate() {
        let mac = iface.mac.map(|m| m.to_string()).unwrap_or_else(dash);
        let claim = c.claimed_by.get(i).copied().flatten().and_then(|k| nics.get(k));
        match (claim, c.why.get(i).copied().flatten()) {
            (Some(n), Some(why)) => debug!("{}: interface {i} ({mac}): {} ({}), {why}", d.name, n.name, n.file),
            _ => debug!("{}: interface {i} ({mac}): no config", d.name),
        }
    }
    for (k, n) in nics.iter().enumerate().filter(|(_, n)| n.is_device()) {
        if !c.claimed_by.contains(&Some(k)) {
            debug!("{}: {} ({}): paired with no interface", d.name, n.name, n.file);
        }
    }
}

/// The report of domain `d`: its disks, read as its XML says, and its interfaces.
fn domain_report(d: DomainInfo, o: ReadOptions) -> Result<(Report, ReaderUsed), PeekError> {
    let disks = d.disks.clone();
    report(Some(d), &disks, o)
}

/// `-a` or `-d`: the report of one guest.
fn build_report(m: &ArgMatches) -> Result<Report, PeekError> {
    let o = ReadOptions::from(m);
    let (report, used) = match m.get_one::<String>(id::DOMAIN) {
        Some(name) => {
            // The connection is closed before the guest is read.
            let d = libvirt::domain(&libvirt::connect(m.get_one::<String>(id::CONNECT).map(String::as_str))?, name)?;
            domain_report(d, o)?
        }
        None => report(None, &disks_from(m), o)?,
    };
    if m.get_flag(id::VERBOSE) {
        say!("{ME}: {used}"); // one line: say! escapes what a reason quotes from the guest
    }
    Ok(report)
}

/// Left-aligned columns, two spaces apart (widths in characters, which is how `format!`
/// pads: a non-ASCII name does not shift the columns after it).
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            match w.get_mut(i) {
                Some(w) => *w = (*w).max(c.chars().count()),
                None => w.push(c.chars().count()),
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (c, width)) in cells.iter().zip(&w).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<width$}  "));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// The TYPE column: `ethernet`, `vlan:ID` (`vlan:ID@LINK` when the row does not stand under
/// its link), `bond:MODE`, `bridge` (`bridge:stp` with spanning tree), `loopback`, or the
/// config's own word for other kinds. No spaces: the columns stay split by whitespace.
fn type_cell(n: &ConfiguredNic, link_elsewhere: bool) -> String {
    match &n.kind {
        LinkKind::Ethernet => "ethernet".into(),
        LinkKind::Loopback => "loopback".into(),
        LinkKind::Vlan => {
            let mut s = String::from("vlan");
            if let Some(id) = n.id {
                s.push_str(&format!(":{id}"));
            }
            if let Some(link) = n.link.as_deref().filter(|_| link_elsewhere) {
                s.push_str(&format!("@{link}"));
            }
            s
        }
        LinkKind::Bond => n.bond.as_ref().map_or_else(|| "bond".into(), |o| format!("bond:{}", o.mode)),
        LinkKind::Bridge if n.stp == Some(true) => "bridge:stp".into(),
        LinkKind::Bridge => "bridge".into(),
        LinkKind::Other(word) => word.split_whitespace().collect::<Vec<_>>().join("_"),
    }
}

/// The readable form of a report: the NIC table as a tree (each config followed by the
/// ones under it, indented two spaces a level: a bond's or bridge's members, then the
/// VLANs on it), then each NIC's static routes and search domains, and the check. Every
/// control character from the guest or libvirt is escaped; nothing is in colour.
pub fn render_text(r: &Report) -> String {
    render(r, Paint::PLAIN)
}

/// [`render_text`], with the check's verdict painted by `paint`.
fn render(r: &Report, paint: Paint) -> String {
    // Names and paths come from the guest: no control character reaches the terminal.
    let mut out = super::escape_controls(&render_body(r), true).into_owned();
    if let Some(c) = &r.check {
        if c.ok {
            out.push_str(&format!(
                "\ncheck: {}, the image's NIC configs and the domain's interfaces agree\n",
                paint.good("OK")
            ));
        } else {
            out.push_str(&format!("\ncheck: {}\n", paint.bad(&format!("{} problem(s)", c.problems.len()))));
            for p in &c.problems {
                out.push_str(&format!("  - {}\n", super::escape_controls(p, false)));
            }
        }
    }
    out
}

/// Everything [`render_text`] shows but the check.
fn render_body(r: &Report) -> String {
    let dash = || "-".to_string();
    let os = &r.os;
    let mut out = format!(
        "OS: {} ({} {} {}, osinfo {}), hostname {}\n\n",
        os.product_name, os.os_type, os.distro, os.version, os.osinfo, os.hostname
    );
    let rows: Vec<Vec<String>> = Stack::new(&r.nics)
        .tree()
        .into_iter()
        .filter_map(|row| Some((row, r.nics.get(row.index)?)))
        .map(|(row, n)| {
            vec![
                format!("{}{}", "  ".repeat(row.depth), n.name),
                type_cell(n, row.link_elsewhere),
                n.hwaddr.map(|m| m.to_string()).unwrap_or_else(dash),
                n.bootproto.to_string(),
                n.ipv4.map(|a| a.to_string()).unwrap_or_else(dash),
                n.gateway.map(|g| g.to_string()).unwrap_or_else(dash),
                if n.dns.is_empty() {
                    dash()
                } else {
                    n.dns.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",")
                },
                n.ipv6
                    .map(|v| match v.gateway() {
                        Some(gw) => format!("{v} via {gw}"),
                        None => v.to_string(),
                    })
                    .unwrap_or_else(dash),
                n.mtu.map(|m| m.to_string()).unwrap_or_else(dash),
                if n.onboot { "yes" } else { "no" }.to_string(),
                n.file.clone(),
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push_str("No NIC configs found.\n");
    } else {
        out.push_str(&table(
            &[
                "NAME",
                "TYPE",
                "HWADDR",
                "BOOTPROTO",
                "ADDRESS/PREFIX",
                "GATEWAY",
                "DNS",
                "IPV6",
                "MTU",
                "ONBOOT",
                "FILE",
            ],
            &rows,
        ));
    }
    for n in r.nics.iter().filter(|n| !n.routes.is_empty()) {
        let routes: Vec<String> = n
            .routes
            .iter()
            .map(|rt| format!("{} via {}{}", rt.to, rt.via, if rt.onlink { " onlink" } else { "" }))
            .collect();
        out.push_str(&format!("routes: {}: {}\n", n.name, routes.join(", ")));
    }
    for n in r.nics.iter().filter(|n| !n.search.is_empty()) {
        out.push_str(&format!("search: {}: {}\n", n.name, n.search.join(" ")));
    }
    for u in &r.unreadable {
        out.push_str(&format!("unreadable: {}: {}\n", u.file, u.reason));
    }
    if let Some(d) = &r.domain {
        out.push_str(&format!(
            "\nDomain {} ({}), {}\n",
            d.name,
            d.uri,
            if d.active { "running" } else { "not running" }
        ));
        let rows: Vec<Vec<String>> = d
            .interfaces
            .iter()
            .map(|i| {
                vec![
                    i.iface.mac.map(|m| m.to_string()).unwrap_or_else(dash),
                    i.iface.kind.clone(),
                    i.iface.source.clone().unwrap_or_else(dash),
                    i.iface.model.clone().unwrap_or_else(dash),
                    i.config.clone().unwrap_or_else(dash),
                ]
            })
            .collect();
        out.push_str(&table(&["MAC", "TYPE", "SOURCE", "MODEL", "MATCH"], &rows));
    }
    out
}

/// What a run found: one guest, or every domain.
enum Found {
    One(Box<Report>),
    All(audit::Audit),
}

impl Found {
    /// The output, its check verdict painted by `paint`.
    fn text(&self, json: bool, paint: Paint) -> String {
        // Serializing plain data cannot fail.
        let to_json = |r: Result<String, serde_json::Error>| r.unwrap_or_default() + "\n";
        match (self, json) {
            (Found::One(r), true) => to_json(serde_json::to_string_pretty(r)),
            (Found::All(a), true) => to_json(serde_json::to_string_pretty(a)),
            (Found::One(r), false) => render(r, paint),
            (Found::All(a), false) => audit::render(a, paint),
        }
    }

    /// The exit status of a run that printed this.
    fn status(&self) -> i32 {
        let passed = match self {
            Found::One(r) => r.check.as_ref().is_none_or(|c| c.ok),
            Found::All(a) => a.passed(),
        };
        i32::from(!passed)
    }
}

pub fn main() -> ! {
    // Ctrl-C while the appliance reads the guest: it is stopped, libguestfs cleans up when
    // the handle is dropped, and we end by the signal without a message.
    let guard = super::signal_guard(ME);
    let m = match parse(std::env::args_os()) {
        Ok(m) => m,
        // --help, --version: written as all our output is (a full disk: one line, exit 1).
        Err(e) if !e.use_stderr() => crate::proxy::exit(super::emit(ME, &e.render().to_string())),
        Err(e) => {
            super::say_error(ME, &usage_line(&e));
            std::process::exit(EXIT_USAGE)
        }
    };
    if m.get_flag(id::MACHINE_READABLE) {
        crate::proxy::exit(super::emit(ME, &super::features::render(ME, &features())));
    }
    if m.get_flag(id::VERBOSE) {
        super::debug_on(ME);
    }
    let found = if m.get_flag(id::ALL_DOMAINS) {
        let uri = m.get_one::<String>(id::CONNECT).map(String::as_str);
        audit::run(uri, ReadOptions::from(&m), m.get_flag(id::VERBOSE), &guard).map(Found::All)
    } else {
        build_report(&m).map(|r| Found::One(Box::new(r)))
    };
    if let Some(sig) = guard.received() {
        drop(found);
        crate::proxy::exit(crate::proxy::Outcome::Signaled(sig));
    }
    let code = match found {
        Ok(found) => match super::emit(ME, &found.text(m.get_flag(id::JSON), super::style::stdout())) {
            crate::proxy::Outcome::Exited(0) => found.status(),
            failed_write => crate::proxy::exit(failed_write),
        },
        Err(e) => {
            super::say_error(ME, &e);
            EXIT_USAGE
        }
    };
    std::process::exit(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_applies_to_following_images() {
        let m = cli()
            .get_matches_from(["p", "-a", "a", "--format", "raw", "-a", "b", "-a", "c", "--format", "auto", "-a", "d"]);
        let d = disks_from(&m);
        let f: Vec<Option<&str>> = d.iter().map(|d| d.format.as_deref()).collect();
        assert_eq!(f, [None, Some("raw"), Some("raw"), None]);
        assert_eq!(d[3].path, PathBuf::from("d"));
    }

    #[test]
    fn reader_defaults_to_auto() {
        let m = parse(["p", "-a", "x"].iter().map(std::ffi::OsString::from)).unwrap();
        assert_eq!(m.get_one::<String>(id::READER).map(String::as_str), Some("auto"));
        let m = parse(["p", "-a", "x", "--reader", "appliance", "-v"].iter().map(std::ffi::OsString::from)).unwrap();
        assert_eq!(m.get_one::<String>(id::READER).and_then(|r| r.parse().ok()), Some(inspect::Reader::Appliance));
        assert!(m.get_flag(id::VERBOSE));
    }

    /// The report of what `values` write in `format`, as peek reads it back.
    fn report_of(values: &[&str], format: guestconf::Format) -> Report {
        let nics = crate::nic::parse_nics(values).unwrap();
        let files: Vec<guestconf::GuestFile> = nics.iter().flat_map(|n| guestconf::write(n, format).unwrap()).collect();
        let (nics, unreadable, _) =
            guestconf::configs_in_files(files.iter().map(|f| (f.path.as_str(), f.content.as_bytes())));
        let os = OsReport {
            os_type: "linux".into(),
            distro: "centos".into(),
            version: "7.9".into(),
            product_name: "CentOS".into(),
            hostname: "vm1".into(),
            osinfo: "centos7.0".into(),
        };
        Report { os, nics, unreadable, domain: None, check: None }
    }

    /// The table is a tree (members under their master, VLANs under their link, a VLAN that
    /// is a bridge's member under the bridge with its link in TYPE); routes and search follow.
    #[test]
    fn topology_table() {
        let r = report_of(
            &[
                "name=eth0,hwaddr=52:54:00:00:00:10,ipaddr=10.0.1.5/24,routes=10.10.0.0/16@10.0.1.1+10.11.0.0/16@192.0.2.1@onlink",
                "name=eth1,hwaddr=52:54:00:00:00:11",
                "name=eth2,hwaddr=52:54:00:00:00:12",
                "name=bond0,type=bond,members=eth1+eth2,mode=active-backup,primary=eth1,bootproto=none",
                "name=bond0.100,type=vlan,link=bond0,id=100,ipaddr=172.16.100.5/24,search=lab.example.com+example.com",
                "name=eth3,hwaddr=52:54:00:00:00:13,bootproto=none",
                "name=eth3.20,type=vlan,link=eth3,id=20",
                "name=br0,type=bridge,members=eth3.20,stp=yes,ipaddr=192.168.20.2/24",
            ],
            guestconf::Format::Ifcfg,
        );
        let d = "/etc/sysconfig/network-scripts/ifcfg-";
        let want = format!(
            "OS: CentOS (linux centos 7.9, osinfo centos7.0), hostname vm1

NAME         TYPE                HWADDR             BOOTPROTO  ADDRESS/PREFIX   GATEWAY  DNS  IPV6  MTU  ONBOOT  FILE
bond0        bond:active-backup  -                  none       -                -        -    -     -    yes     {d}bond0
  eth1       ethernet            52:54:00:00:00:11  none       -                -        -    -     -    yes     {d}eth1
  eth2       ethernet            52:54:00:00:00:12  none       -                -        -    -     -    yes     {d}eth2
  bond0.100  vlan:100            -                  static     172.16.100.5/24  -        -    -     -    yes     {d}bond0.100
br0          bridge:stp          -                  static     192.168.20.2/24  -        -    -     -    yes     {d}br0
  eth3.20    vlan:20@eth3        -                  none       -                -        -    -     -    yes     {d}eth3.20
eth0         ethernet            52:54:00:00:00:10  static     10.0.1.5/24      -        -    -     -    yes     {d}eth0
eth3         ethernet            52:54:00:00:00:13  none       -                -        -    -     -    yes     {d}eth3
routes: eth0: 10.10.0.0/16 via 10.0.1.1, 10.11.0.0/16 via 192.0.2.1 onlink
search: bond0.100: lab.example.com example.com
"
        );
        assert_eq!(render_text(&r), want);
        // The names are the first word of each row, whatever the depth.
        let names: Vec<&str> = want.lines().skip(3).take(8).filter_map(|l| l.split_whitespace().next()).collect();
        assert_eq!(names, ["bond0", "eth1", "eth2", "bond0.100", "br0", "eth3.20", "eth0", "eth3"]);
    }

    #[test]
    fn usage_errors() {
        for args in [
            &["p"][..],
            &["p", "-a", "x", "-d", "y"],
            &["p", "-a", "x", "--check"],
            &["p", "-a", "x", "--format", "vmdk"],
            &["p", "-a", "x", "--reader", "fast"],
        ] {
            let e = parse(args.iter().map(std::ffi::OsString::from)).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{args:?}");
        }
    }
}
