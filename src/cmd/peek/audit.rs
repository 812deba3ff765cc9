//! `rejviz-peek --all-domains`: every domain of a connection (defined or transient, running
//! or not), in name order, each read and checked by the single-domain path
//! ([`super::domain_report`]), in one table or one JSON document. A domain that cannot be
//! read is an entry with its reason, and the audit goes on.

use serde::Serialize;

use super::{ME, PeekError, ReadOptions, Report, domain_report, table};
use crate::cmd::escape_controls;
use crate::cmd::progress::Progress;
use crate::cmd::style::Paint;
use crate::guestconf::ConfiguredNic;
use crate::libvirt;
use crate::nic::shown;
use crate::proxy::SignalGuard;

/// Everything `rejviz-peek --all-domains` found, as `--json` prints it.
#[derive(Debug, Serialize)]
pub struct Audit {
    pub uri: String,
    pub domains: Vec<Entry>,
    /// The domains that could not be read, in order.
    pub errors: Vec<String>,
    /// With `--check`: the verdict over all domains.
    pub check: Option<AuditCheck>,
}

#[derive(Debug, Serialize)]
pub struct AuditCheck {
    /// No domain failed its check and every domain could be read (checked).
    pub ok: bool,
    /// The domains whose check found problems, in order.
    pub failed: Vec<String>,
}

/// One domain: its report (the single-domain `--json` document), or why it could not be read.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub name: String,
    #[serde(flatten)]
    pub read: Read,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Read {
    Report(Box<Report>),
    /// `active` is null when libvirt could not say.
    Error {
        active: Option<bool>,
        error: String,
    },
}

impl Audit {
    /// Whether the audit passes (exit 0): every domain was read and, with `--check`, every
    /// domain's image and interfaces agree. A domain that could not be read was not checked,
    /// so it fails the audit.
    pub fn passed(&self) -> bool {
        self.errors.is_empty() && self.check.as_ref().is_none_or(|c| c.ok)
    }
}

/// Reads every domain at `uri` with `o`, saying which reader read each when `verbose`, and
/// showing progress on a terminal. Stops between domains when a signal came (the caller
/// ends by it). An error only when the domains cannot be listed.
pub(super) fn run(uri: Option<&str>, o: ReadOptions, verbose: bool, guard: &SignalGuard) -> Result<Audit, PeekError> {
    // What libvirt says of every domain, at once; the connection is closed before any
    // guest is read, as with -d.
    let (uri, all) = {
        let conn = libvirt::connect(uri)?;
        (libvirt::uri(&conn), libvirt::all_domains(&conn)?)
    };
    let progress = Progress::on_stderr();
    let mut domains = Vec::with_capacity(all.len());
    let count = all.len();
    for (i, (name, described)) in all.into_iter().enumerate() {
        if guard.received().is_some() {
            break;
        }
        progress.set(format!("{ME}: reading domain {}/{count} ({})", i + 1, shown(&name)));
        let read = match described {
            Err(e) => Read::Error { active: None, error: e.to_string() },
            Ok(d) => {
                let active = d.active;
                match domain_report(d, o) {
                    Ok((report, used)) => {
                        if verbose {
                            progress.say(&format!("{ME}: {}: {used}", shown(&name)));
                        }
                        Read::Report(Box::new(report))
                    }
                    Err(e) => Read::Error { active: Some(active), error: e.to_string() },
                }
            }
        };
        domains.push(Entry { name, read });
    }
    drop(progress); // erased before anything else is written
    let names = |keep: fn(&Read) -> bool| -> Vec<String> {
        domains.iter().filter(|e| keep(&e.read)).map(|e| e.name.clone()).collect()
    };
    let errors = names(|r| matches!(r, Read::Error { .. }));
    let check = o.check.then(|| {
        let failed = names(|r| matches!(r, Read::Report(rep) if rep.check.as_ref().is_some_and(|c| !c.ok)));
        AuditCheck { ok: failed.is_empty() && errors.is_empty(), failed }
    });
    Ok(Audit { uri, domains, errors, check })
}

/// A config's columns: name, HWADDR, BOOTPROTO, ADDRESS/PREFIX.
fn config_cells(n: Option<&ConfiguredNic>) -> [String; 4] {
    let dash = || "-".to_string();
    match n {
        None => [dash(), dash(), dash(), dash()],
        Some(n) => [
            shown(&n.name).to_string(),
            n.hwaddr.map(|m| m.to_string()).unwrap_or_else(dash),
            shown(&n.bootproto.to_string()).to_string(),
            n.ipv4.map(|a| a.to_string()).unwrap_or_else(dash),
        ],
    }
}

/// The readable form of an audit: one table, a row per domain interface (with the image
/// config that claims it) and per device config (Ethernet) of the image that claims none; then the problems, the
/// unreadable files and the verdict, painted by `paint`. Every value from libvirt or a guest
/// is escaped.
pub fn render(a: &Audit, paint: Paint) -> String {
    escape_controls(&render_body(a), true).into_owned() + &verdict(a, paint)
}

/// Everything [`render`] shows but the verdict.
fn render_body(a: &Audit) -> String {
    let dash = || "-".to_string();
    if a.domains.is_empty() {
        return format!("{}: no domains\n", shown(&a.uri));
    }
    let mut out = format!("{}: {}\n\n", shown(&a.uri), domains(a.domains.len()));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for e in &a.domains {
        let name = shown(&e.name).to_string();
        let report = match &e.read {
            Read::Report(r) => r,
            Read::Error { active, error } => {
                let mut row = vec![name, state(*active).to_string()];
                row.extend(std::iter::repeat_n(dash(), 7));
                row.push(format!("error: {}", escape_controls(error, false)));
                rows.push(row);
                continue;
            }
        };
        let status = match &report.check {
            Some(c) if c.ok => "ok",
            Some(_) => "FAIL",
            None => "-",
        };
        let (state, ifaces) = match &report.domain {
            Some(d) => (state(Some(d.active)), d.interfaces.as_slice()),
            None => ("-", &[][..]),
        };
        let mut domain_rows: Vec<Vec<String>> = Vec::new();
        for i in ifaces {
            let mut row = vec![
                name.clone(),
                state.to_string(),
                i.iface.mac.map(|m| m.to_string()).unwrap_or_else(dash),
                shown(&i.iface.kind).to_string(),
                i.iface.source.as_deref().map(|s| shown(s).to_string()).unwrap_or_else(dash),
            ];
            row.extend(config_cells(i.claimed.and_then(|k| report.nics.get(k))));
            row.push(status.to_string());
            domain_rows.push(row);
        }
        let claimed: Vec<usize> = ifaces.iter().filter_map(|i| i.claimed).collect();
        // A config that claims no interface is a row only if it is a device's: a VLAN, a
        // bond or a bridge never has an interface of its own.
        for (_, n) in report.nics.iter().enumerate().filter(|(k, n)| !claimed.contains(k) && n.is_device()) {
            let mut row = vec![name.clone(), state.to_string(), dash(), dash(), dash()];
            row.extend(config_cells(Some(n)));
            row.push(status.to_string());
            domain_rows.push(row);
        }
        if domain_rows.is_empty() {
            let mut row = vec![name.clone(), state.to_string()];
            row.extend(std::iter::repeat_n(dash(), 7));
            row.push(status.to_string());
            domain_rows.push(row);
        }
        rows.extend(domain_rows);
        for p in report.check.iter().flat_map(|c| &c.problems) {
            notes.push(format!("  - {name}: {}\n", escape_controls(p, false)));
        }
        for u in &report.unreadable {
            notes.push(format!(
                "  - {name}: unreadable: {}: {}\n",
                escape_controls(&u.file, false),
                escape_controls(&u.reason, false)
            ));
        }
    }
    out.push_str(&table(
        &["DOMAIN", "STATE", "MAC", "TYPE", "SOURCE", "CONFIG", "HWADDR", "BOOTPROTO", "ADDRESS/PREFIX", "STATUS"],
        &rows,
    ));
    if !notes.is_empty() {
        out.push('\n');
        out.extend(notes);
    }
    out
}

/// The last line: whether the audit passed, and if not, why (painted by `paint`).
fn verdict(a: &Audit, paint: Paint) -> String {
    let mut out = String::new();
    if a.domains.is_empty() {
        return out;
    }
    let total = a.domains.len();
    let unread = match a.errors.len() {
        0 => None,
        n => Some(format!("{n} of {} could not be read", domains(total))),
    };
    match &a.check {
        Some(c) if c.ok => out.push_str(&format!(
            "\ncheck: {}, the image's NIC configs and the domain's interfaces agree in all {}\n",
            paint.good("OK"),
            domains(total)
        )),
        Some(c) => {
            let failed = (!c.failed.is_empty()).then(|| format!("{} of {} failed", c.failed.len(), domains(total)));
            let parts: Vec<String> = failed.into_iter().chain(unread).collect();
            out.push_str(&format!("\ncheck: {}\n", paint.bad(&parts.join(", "))));
        }
        None => {
            if let Some(unread) = unread {
                out.push_str(&format!("\n{}\n", paint.bad(&unread)));
            }
        }
    }
    out
}

/// The STATE column: libvirt's active (running or paused) or inactive; `-` if unknown.
fn state(active: Option<bool>) -> &'static str {
    match active {
        Some(true) => "active",
        Some(false) => "inactive",
        None => "-",
    }
}

/// `1 domain`, `3 domains`.
fn domains(n: usize) -> String {
    if n == 1 { "1 domain".to_string() } else { format!("{n} domains") }
}
