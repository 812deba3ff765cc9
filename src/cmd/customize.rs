//! `rejviz-customize`: `virt-customize` plus `--nic`, `--nic-remove`, `--nic-reset`,
//! `--sync-macs` and RHSM, on an image (`-a`) or a libvirt domain (`-d`).

use std::ffi::OsString;

use super::guestops::{self, given, values, NicWork};
use super::{help, Plan, Request, UsageError, Workspace};
use crate::guestconf::{self, LinkKind};
use crate::inspect;
use crate::libvirt::{self, DomainInfo};
use crate::mapping::assign_domain_macs;
use crate::nic::{natural_cmp, parse_nics, validate_ifname};
use crate::proxy::{self, tool_values, OurOption, ToolSpec};

const ME: &str = "rejviz-customize";

/// virt-customize 1.48's options that take a value (`virt-customize --long-options`, man).
pub const VIRT_CUSTOMIZE: ToolSpec = ToolSpec {
    program: "virt-customize",
    long_with_value: &[
        "add", "append-line", "attach", "attach-format", "connect", "chmod", "commands-from-file", "copy",
        "copy-in", "domain", "delete", "edit", "firstboot", "firstboot-command", "firstboot-install", "format",
        "hostname", "install", "key", "link", "memsize", "mkdir", "move", "password", "password-crypto",
        "root-password", "run", "run-command", "scrub", "sm-attach", "sm-credentials", "smp", "ssh-inject",
        "timezone", "touch", "truncate", "truncate-recursive", "uninstall", "upload", "write",
    ],
    short_with_value: &['a', 'c', 'd', 'm'],
    long_flags: &[
        "color", "colors", "colour", "colours", "debug-gc", "dryrun", "dry-run", "echo-keys", "help",
        "keys-from-stdin", "network", "no-logfile", "no-network", "quiet", "selinux-relabel", "sm-register",
        "sm-remove", "sm-unregister", "update", "verbose", "version", "wrap",
    ],
    // OCaml's getopt: no abbreviations.
    abbrev: false,
};

pub const OPTIONS: &[OurOption] = &[
    guestops::NIC,
    OurOption {
        name: "nic-remove",
        value: Some("NAME"),
        help: "Delete the config of interface NAME (repeatable).",
    },
    OurOption {
        name: "nic-reset",
        value: None,
        help: "Delete every ifcfg file but loopback's (ifcfg-lo), backup copies such as\n\
               ifcfg-eth0.bak included, before the --nic configs are written.",
    },
    OurOption {
        name: "sync-macs",
        value: None,
        help: "With -d, after a clone: set the HWADDR of the image's existing NIC configs to\n\
               the domain's MACs, config by config in natural interface order (eth2 before\n\
               eth10) against the domain's interfaces in XML order, and print what changes.\n\
               Configs without HWADDR are left alone. Costs one read-only appliance launch.",
    },
    guestops::RHSM_REGISTER,
    guestops::RHSM_UNREGISTER,
    OurOption {
        name: "print-command",
        value: None,
        help: "Print the virt-customize command (secrets masked), each file it would write and\n\
               each host script it would run (secrets masked); run nothing. (virt-customize's\n\
               own -n/--dry-run passes through.)",
    },
    OurOption { name: "help", value: None, help: "Show this help (virt-customize's own: virt-customize --help)." },
    OurOption { name: "version", value: None, help: "Show rejviz-customize's version." },
];

const DETAILS: &str = "\nMACs for a --nic without hwaddr=: with -a, a random 52:54:00:xx:xx:xx. With -d, the MAC of
one of the domain's interfaces (XML order), so that the config matches an interface the
domain has: a NIC named ethN takes interface N (counting from 0) when no hwaddr= of this
call uses it; other NICs, in natural order, take the first interface left. When none is
left, give hwaddr=. A running domain is refused before anything is written.
The NIC operations (reset, removals, HWADDR edits, writes) stand, in that order, where the
first NIC option stood among the customizations.\n";

/// A problem that is not in the command line itself.
#[derive(Debug, thiserror::Error)]
pub enum CustomizeError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(transparent)]
    Libvirt(#[from] libvirt::LibvirtError),
    #[error("cannot read the guest: {0}")]
    Image(#[from] inspect::InspectError),
    #[error(transparent)]
    Mapping(#[from] crate::mapping::MappingError),
    #[error("{0}")]
    Refused(String),
}

impl From<proxy::ScanError> for CustomizeError {
    fn from(e: proxy::ScanError) -> Self {
        CustomizeError::Usage(e.into())
    }
}

impl From<crate::nic::NicError> for CustomizeError {
    fn from(e: crate::nic::NicError) -> Self {
        CustomizeError::Usage(e.into())
    }
}

pub fn plan<I: IntoIterator<Item = OsString>>(args: I, ws: &Workspace) -> Result<Request, CustomizeError> {
    let items = proxy::scan(args, &VIRT_CUSTOMIZE, OPTIONS)?;
    if given(&items, "help") {
        return Ok(Request::Help);
    }
    if given(&items, "version") {
        return Ok(Request::Version);
    }
    let mut nics = parse_nics(&values(&items, "nic"))?;
    let remove: Vec<String> = values(&items, "nic-remove").into_iter().map(str::to_string).collect();
    for name in &remove {
        validate_ifname(name).map_err(|e| CustomizeError::Refused(format!("--nic-remove: {e}")))?;
        if nics.iter().any(|n| &n.name == name) {
            return Err(CustomizeError::Refused(format!("--nic-remove {name} and --nic name={name}: remove or write, not both")));
        }
    }
    let reset = given(&items, "nic-reset");
    let sync = given(&items, "sync-macs");
    let domain_name = tool_values(&items, &VIRT_CUSTOMIZE, "domain", Some('d')).pop();
    if sync && reset {
        return Err(CustomizeError::Refused("--sync-macs and --nic-reset: the reset would delete the configs to sync".into()));
    }
    if sync && domain_name.is_none() {
        return Err(CustomizeError::Refused("--sync-macs needs a domain (-d DOMAIN)".into()));
    }

    let mut plan = Plan::new(given(&items, "print-command"));
    // RHSM files are checked before libvirt or the guest is touched.
    let rhsm_args = guestops::rhsm_ops(&items, ws, &mut plan)?;

    let domain: Option<DomainInfo> = match &domain_name {
        Some(name) => {
            let uri = tool_values(&items, &VIRT_CUSTOMIZE, "connect", Some('c')).pop();
            let conn = libvirt::connect(uri.as_deref())?;
            let d = libvirt::domain(&conn, name)?;
            if d.active {
                return Err(CustomizeError::Refused(format!(
                    "domain {name} is running; shut it down first (virt-customize must not write to a running guest)"
                )));
            }
            Some(d)
        }
        None => None,
    };
    if let Some(d) = &domain {
        assign_domain_macs(&mut nics, &d.interfaces, &d.name)?;
    }

    let mut edits = Vec::new();
    if let Some(d) = &domain.as_ref().filter(|_| sync) {
        let snap = inspect::read(&d.disks, &guestconf::want())?;
        let (configs, unreadable) = guestconf::configs_in(&snap);
        for u in &unreadable {
            eprintln!("{ME}: warning: {}: {} (left alone)", u.file, u.reason);
        }
        let mut ethernet: Vec<_> = configs.into_iter().filter(|c| c.kind == LinkKind::Ethernet).collect();
        ethernet.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        for (i, c) in ethernet.iter().enumerate() {
            let Some(iface) = d.interfaces.get(i) else {
                eprintln!("{ME}: sync-macs: {} ({}): the domain has no interface {i}; left alone", c.name, c.file);
                continue;
            };
            let (Some(old), Some(new)) = (c.hwaddr, iface.mac) else { continue };
            if nics.iter().any(|n| n.name == c.name) || remove.contains(&c.name) {
                continue; // written or removed by this call
            }
            if old != new {
                eprintln!("{ME}: sync-macs: {} ({}): HWADDR {old} -> {new}", c.name, c.file);
                edits.push((c.file.clone(), format!("s/^(\\s*(?:export\\s+)?HWADDR=).*$/${{1}}{new}/")));
            }
        }
        if edits.is_empty() {
            eprintln!("{ME}: sync-macs: every HWADDR already matches the domain");
        }
    }

    let work = NicWork { reset, remove, edits, nics: &nics };
    let relabel = proxy::tool_flag(&items, &VIRT_CUSTOMIZE, "selinux-relabel");
    let (nic_args, files) = guestops::nic_ops(&work, relabel);
    plan.files = files;
    plan.args = guestops::assemble(items, &["nic", "nic-remove", "nic-reset", "sync-macs"], nic_args, rhsm_args);
    Ok(Request::Run(plan))
}

pub fn main() -> ! {
    super::proxy_main(
        ME,
        VIRT_CUSTOMIZE.program,
        || {
            help(
                ME,
                VIRT_CUSTOMIZE.program,
                "rejviz-customize (-a IMAGE | -d DOMAIN [-c URI]) [--nic SPEC]... [--nic-remove NAME]... [--nic-reset] [--sync-macs] [--rhsm-register ...] [--rhsm-unregister] [--print-command] [virt-customize options]",
                "virt-customize, plus guest network configs and RHSM for an existing image or domain.",
                OPTIONS,
                DETAILS,
            )
        },
        plan,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_plan(a: &[&str]) -> Result<Plan, String> {
        let ws = Workspace::new("rejviz-test").unwrap();
        match plan(a.iter().map(OsString::from), &ws) {
            Ok(Request::Run(p)) => Ok(p),
            Ok(_) => Err("not a run".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn args(p: &Plan) -> Vec<String> {
        p.args.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn reset_remove_and_write_in_order_where_the_first_option_stood() {
        let p = run_plan(&["-a", "x.img", "--hostname", "h", "--nic-remove", "eth3", "--nic", "name=eth0,hwaddr=52:54:00:00:00:01", "--nic-reset", "--timezone", "UTC"]).unwrap();
        let a = args(&p);
        let d = "/etc/sysconfig/network-scripts";
        assert_eq!(a[..4], ["-a", "x.img", "--hostname", "h"]);
        assert_eq!(a[4..14], ["--delete", &format!("{d}/ifcfg-[!l]*"), "--delete", &format!("{d}/ifcfg-l[!o]*"),
                              "--delete", &format!("{d}/ifcfg-lo?*"), "--delete", &format!("{d}/ifcfg-l"),
                              "--delete", &format!("{d}/ifcfg-eth3")]);
        assert_eq!(a[14..16], ["--mkdir", d]);
        assert_eq!(a[16], "--write");
        assert_eq!(a[18..], ["--chmod", &format!("0644:{d}/ifcfg-eth0"), "--selinux-relabel", "--timezone", "UTC"]);
    }

    #[test]
    fn refusals() {
        assert_eq!(run_plan(&["-a", "x", "--sync-macs"]).unwrap_err(), "--sync-macs needs a domain (-d DOMAIN)");
        assert_eq!(run_plan(&["-d", "x", "--sync-macs", "--nic-reset"]).unwrap_err(), "--sync-macs and --nic-reset: the reset would delete the configs to sync");
        assert_eq!(run_plan(&["-a", "x", "--nic-remove", "a/b"]).unwrap_err(), "--nic-remove: 'a/b' contains '/', which an interface name cannot");
        assert_eq!(run_plan(&["-a", "x", "--nic-remove", "eth0", "--nic", "name=eth0"]).unwrap_err(), "--nic-remove eth0 and --nic name=eth0: remove or write, not both");
        assert_eq!(run_plan(&["-a", "x", "--nic", "name=eth0,ipaddr=1"]).unwrap_err(), "--nic eth0: ipaddr: '1' is not an IPv4 address");
    }
}
