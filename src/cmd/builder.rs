//! `rejviz-builder`: `virt-builder` plus `--nic` (guest network config baked into the image).

use std::ffi::OsString;

use super::{execute, help, nicwrite, Plan, UsageError, EXIT_FAILURE, EXIT_USAGE};
use crate::nic::parse_nics;
use crate::proxy::{self, Item, OurOption, Outcome, SignalGuard, ToolSpec};

const ME: &str = "rejviz-builder";

/// virt-builder 1.48's options that take a value (`virt-builder --long-options`, man page).
pub const VIRT_BUILDER: ToolSpec = ToolSpec {
    program: "virt-builder",
    long_with_value: &[
        "append-line", "arch", "attach", "attach-format", "cache", "chmod", "commands-from-file", "copy",
        "copy-in", "curl", "delete", "edit", "fingerprint", "firstboot", "firstboot-command",
        "firstboot-install", "format", "get-kernel", "gpg", "hostname", "install", "link", "list-format",
        "memsize", "mkdir", "move", "notes", "output", "password", "password-crypto", "root-password", "run",
        "run-command", "scrub", "size", "sm-attach", "sm-credentials", "smp", "source", "ssh-inject",
        "timezone", "touch", "truncate", "truncate-recursive", "uninstall", "upload", "write",
    ],
    short_with_value: &['m', 'o'],
};

pub const OPTIONS: &[OurOption] = &[
    OurOption {
        name: "nic",
        value: Some("name=NAME[,KEY=VALUE]..."),
        help: "Write a network config for interface NAME into the image (repeatable).\n\
               Keys: name hwaddr bootproto ipaddr network netmask broadcast gateway dns1 dns2.\n\
               Only name (no ipaddr, no bootproto): DHCP.\n\
               ipaddr=A[/N]: static; the prefix comes from /N, else netmask=, else /24;\n\
               network and broadcast are computed when not given (and checked when given).\n\
               bootproto=static|none needs ipaddr; bootproto=dhcp forbids it.\n\
               No hwaddr: a random 52:54:00:xx:xx:xx MAC, unique within the call.\n\
               Writes /etc/sysconfig/network-scripts/ifcfg-NAME (mode 0644), replacing any\n\
               config of that name, where the option stands among the customizations,\n\
               and adds --selinux-relabel so the files get their SELinux labels.\n\
               Example: --nic name=eth1,ipaddr=192.168.122.15,gateway=192.168.122.1",
    },
    OurOption {
        name: "dry-run",
        value: None,
        help: "Print the virt-builder command (secrets masked) and each file that would be\n\
               written, with its guest path, mode and content; run nothing.",
    },
    OurOption { name: "help", value: None, help: "Show this help (virt-builder's own: virt-builder --help)." },
    OurOption { name: "version", value: None, help: "Show rejviz-builder's version." },
];

/// What the command line asks for.
pub enum Request {
    Help,
    Version,
    Run(Plan),
}

/// Parses and validates the whole command line; nothing is run or written.
pub fn plan<I: IntoIterator<Item = OsString>>(args: I) -> Result<Request, UsageError> {
    let items = proxy::scan(args, &VIRT_BUILDER, OPTIONS)?;
    let has = |n: &str| items.iter().any(|i| matches!(i, Item::Ours { name, .. } if *name == n));
    if has("help") {
        return Ok(Request::Help);
    }
    if has("version") {
        return Ok(Request::Version);
    }
    let nic_values: Vec<&str> = items
        .iter()
        .filter_map(|i| match i {
            Item::Ours { name: "nic", value: Some(v) } => Some(v.as_str()),
            _ => None,
        })
        .collect();
    let nics = parse_nics(&nic_values)?;

    let relabel_given = items.iter().any(|i| matches!(i, Item::Tool(a) if a == "--selinux-relabel"));
    let mut nics = nics.iter();
    let mut plan = Plan { args: Vec::new(), files: Vec::new(), dry_run: has("dry-run") };
    let mut made_dirs = Vec::new();
    let mut last_nic_end = None;
    for item in items {
        match item {
            Item::Tool(a) => plan.args.push(a),
            Item::Ours { name: "nic", .. } => {
                // parse_nics returned exactly one NIC per --nic, in order.
                if let Some(nic) = nics.next() {
                    let files = nicwrite::files(nic);
                    plan.args.extend(nicwrite::ops(&files, &mut made_dirs));
                    plan.files.extend(files);
                    last_nic_end = Some(plan.args.len());
                }
            }
            Item::Ours { .. } => {}
        }
    }
    // virt-builder 1.48 relabels only when asked to; without it, files written into an
    // SELinux guest stay unlabelled and NetworkManager cannot read them. (It is a no-op
    // on guests without SELinux.)
    if let (Some(at), false) = (last_nic_end, relabel_given) {
        plan.args.insert(at, "--selinux-relabel".into());
    }
    Ok(Request::Run(plan))
}

pub fn main() -> ! {
    let guard = match SignalGuard::install() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{ME}: cannot install signal handlers: {e}");
            std::process::exit(EXIT_FAILURE);
        }
    };
    let outcome = match plan(std::env::args_os().skip(1)) {
        Ok(Request::Help) => {
            print!("{}", help(ME, VIRT_BUILDER.program, "rejviz-builder [--nic SPEC]... [--dry-run] [virt-builder options] os-version",
                "virt-builder, plus guest network configs baked into the image.", OPTIONS, ""));
            Outcome::Exited(0)
        }
        Ok(Request::Version) => {
            println!("{ME} {}", env!("CARGO_PKG_VERSION"));
            Outcome::Exited(0)
        }
        Ok(Request::Run(plan)) => execute(ME, VIRT_BUILDER.program, &plan, &guard),
        Err(e) => {
            eprintln!("{ME}: {e}");
            Outcome::Exited(EXIT_USAGE)
        }
    };
    proxy::exit(outcome)
}
