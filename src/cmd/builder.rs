//! `rejviz-builder`: `virt-builder` plus `--nic` (guest network config baked into the image).

use std::path::PathBuf;

use super::guestops::{self, NicWork};
use super::{CommandDoc, Example, Plan, UsageError, Workspace, help};
use crate::nic::parse_nics;
use crate::proxy::{self, Item, OurOption, VIRT_BUILDER, given, operands, tool_flag, tool_values, values};

pub(crate) const ME: &str = "rejviz-builder";

pub const OPTIONS: &[OurOption] = &[
    guestops::NIC,
    guestops::NIC_FORMAT,
    guestops::RHSM_REGISTER,
    guestops::RHSM_UNREGISTER,
    DRY_RUN,
    MACHINE_READABLE,
    super::HELP,
    super::VERSION,
];

pub const DRY_RUN: OurOption = OurOption::flag(
    "dry-run",
    "Print the virt-builder command (secrets masked) and each file that would be\n\
     written, with its guest path, mode and content; run nothing.",
);

/// virt-builder's own `--machine-readable`, with ours after it when it stands alone.
pub const MACHINE_READABLE: OurOption = OurOption::flag(
    super::features::NAME,
    "Alone: virt-builder's own feature lines (virt-builder --machine-readable), then\n\
     rejviz-builder's in the same style: the name rejviz-builder, each option of ours\n\
     (nic, dry-run, ...), OPTION:VALUE for each value of a closed set (nic-format:netplan),\n\
     OPTION-key:KEY for each key of a KEY=VALUE list (nic-key:routes), config-format:FORMAT\n\
     for each guest network config format. The exit status is virt-builder's if it failed.\n\
     With any other argument, or with =FORMAT, it is virt-builder's own option, passed\n\
     through unchanged (our lines are not added).\n\
     Example: rejviz-builder --machine-readable | grep -qx nic-format:netplan",
);

const DETAILS: &str = "A --nic without hwaddr= gets a random 52:54:00:xx:xx:xx MAC, unique within the call.\n\
The NIC operations stand where the first --nic stood among the customizations.\n\
virt-builder's -v/--verbose and -x also turn on our debug lines on stderr (rejviz-builder:\n\
debug: ...: the format chosen and why, the files written, what is staged; never a secret);\n\
its --colour/--color also colours our error lines (else: on a terminal, without NO_COLOR).\n";

/// What `--help` and `man rejviz-builder` say.
pub const DOC: CommandDoc = CommandDoc {
    me: ME,
    tool: &VIRT_BUILDER,
    synopsis: "rejviz-builder [--nic SPEC]... [--nic-format FORMAT] [--rhsm-register ...] [--rhsm-unregister] [--dry-run] [virt-builder options] os-version",
    about: "virt-builder, plus guest network configs and RHSM baked into the image.",
    options: OPTIONS,
    details: DETAILS,
    examples: &[
        Example {
            what: "Three NICs: DHCP, a static /24 (the default prefix), a static /16 with a gateway and a name server",
            command: "rejviz-builder centos-7.8 -o vm1.img --root-password password:secret --nic name=eth0 \
                      --nic name=eth1,ipaddr=192.168.122.15 --nic name=eth2,ipaddr=10.0.5.7/16,gateway=10.0.0.1,dns1=10.0.0.2",
        },
        Example {
            what: "Show the virt-builder command and the files it would write, in netplan format; run nothing",
            command: "rejviz-builder ubuntu-22.04 --nic-format netplan --nic name=eth0,mtu=9000,ipv6=auto --dry-run",
        },
        Example {
            what: "A VLAN on an active-backup bond of two NICs, and a management NIC",
            command: "rejviz-builder centos-7.8 -o lab.img --nic name=eth0,ipaddr=10.232.1.10 --nic name=eth1 --nic name=eth2 \
                      --nic name=bond0,type=bond,members=eth1+eth2,mode=active-backup,miimon=100,bootproto=none \
                      --nic name=bond0.100,type=vlan,link=bond0,id=100,ipaddr=10.232.100.5/24",
        },
        Example {
            what: "Register the guest with RHSM, the password read once from a file",
            command: "rejviz-builder rhel-9.2 -o rhel.img --rhsm-register user=joe,password-file=/root/rhsm-pw,attach=auto",
        },
    ],
};

/// Parses and validates the whole command line; nothing is run or written.
pub fn plan(items: Vec<Item>, ws: &Workspace) -> Result<Plan, UsageError> {
    let nics = parse_nics(&values(&items, &guestops::NIC))?;
    let output = if tool_flag(&items, &VIRT_BUILDER, "no-delete-on-failure") { None } else { output_path(&items) };
    let mut plan = Plan { output, ..Plan::new(given(&items, &DRY_RUN)) };
    let rhsm_args = guestops::rhsm_ops(&items, ws, &mut plan)?;
    let format = match guestops::nic_format(&items)? {
        Some(f) => Some(f),
        None if nics.iter().any(|n| n.format.is_none()) => template_format(&items)?,
        None => None,
    };
    let work = NicWork { nics: &nics, format, ..NicWork::default() };
    let (nic_args, files) = guestops::nic_ops(&work, tool_flag(&items, &VIRT_BUILDER, "selinux-relabel"))?;
    plan.files = files;
    plan.args = proxy::assemble(items, vec![(&[&guestops::NIC], nic_args), (guestops::RHSM_OPTIONS, rhsm_args)]);
    Ok(plan)
}

/// The format for `--nic-format auto`: from the template's osinfo id, which
/// `virt-builder --list --list-format json` gives without launching anything (with the
/// call's `--source` options), or else from its name. A virt-builder that cannot be run at
/// all is said so (127 or 126), not taken for a template it does not list.
fn template_format(items: &[Item]) -> Result<Option<crate::guestconf::Format>, UsageError> {
    let Some(name) = operands(items).into_iter().next() else { return Ok(None) };
    let mut cmd = std::process::Command::new(VIRT_BUILDER.program);
    cmd.args(["--list", "--list-format", "json"]);
    for src in tool_values(items, &VIRT_BUILDER, "source") {
        cmd.args(["--source", &src]);
    }
    let listing = match proxy::keep_ignored_on_entry(&mut cmd).stderr(std::process::Stdio::null()).output() {
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied) => {
            return Err(UsageError::CannotRun { program: VIRT_BUILDER.program, source: e });
        }
        listing => listing,
    };
    let osinfo = listing
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| {
            v["templates"]
                .as_array()?
                .iter()
                .find(|t| t["os-version"] == name.as_str())
                .and_then(|t| t["osinfo"].as_str().map(str::to_string))
        });
    let format = crate::guestconf::detect::for_template(osinfo.as_deref(), &name);
    debug!(
        "--nic-format auto: template {name}: osinfo {} (virt-builder --list): {}",
        osinfo.as_deref().unwrap_or("unknown"),
        format.map_or_else(|| "no format known".to_string(), |f| format!("writing {f}"))
    );
    Ok(format)
}

/// The image virt-builder will write: `-o`/`--output`, else `OS-VERSION.img` (`.qcow2` with
/// `--format qcow2`), as virt-builder(1) documents. `None` when no image is built (`--list`,
/// `--notes`, ...), and for devices (`-o /dev/...`), which are never removed.
fn output_path(items: &[Item]) -> Option<PathBuf> {
    let no_image = ["list", "notes", "print-cache", "delete-cache", "cache-all-templates", "get-kernel"];
    if no_image.iter().any(|f| tool_flag(items, &VIRT_BUILDER, f)) {
        return None;
    }
    let format = tool_values(items, &VIRT_BUILDER, "format").pop().unwrap_or_else(|| "raw".into());
    let path = match (tool_values(items, &VIRT_BUILDER, "output").pop(), operands(items).first()) {
        (Some(o), _) => PathBuf::from(o),
        (None, Some(os)) => PathBuf::from(format!("{os}.{}", if format == "qcow2" { "qcow2" } else { "img" })),
        (None, None) => return None,
    };
    if path.starts_with("/dev") { None } else { Some(path) }
}

pub fn main() -> ! {
    super::proxy_main(ME, &VIRT_BUILDER, OPTIONS, || help(&DOC), plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(args: &[&str]) -> Plan {
        let ws = Workspace::new("rejviz-test");
        plan(super::super::scanned(args, &VIRT_BUILDER, OPTIONS), &ws).unwrap()
    }

    fn args_of(p: &Plan) -> Vec<String> {
        p.args.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn nic_ops_stand_where_the_nic_stood() {
        // (An explicit format: auto would ask virt-builder about the template.)
        let p = plan_of(&[
            "fedora",
            "--run-command",
            "a",
            "--nic",
            "name=eth0,hwaddr=52:54:00:00:00:01",
            "--run-command",
            "b",
            "--nic-format",
            "ifcfg",
        ]);
        let a = args_of(&p);
        assert_eq!(a[..5], ["fedora", "--run-command", "a", "--mkdir", "/etc/sysconfig/network-scripts"]);
        assert_eq!(a[5], "--write");
        assert!(a[6].starts_with("/etc/sysconfig/network-scripts/ifcfg-eth0:# Written by rejviz\nDEVICE=eth0\n"));
        assert_eq!(
            a[7..],
            ["--chmod", "0644:/etc/sysconfig/network-scripts/ifcfg-eth0", "--selinux-relabel", "--run-command", "b"]
        );
        assert_eq!(p.files.len(), 1);
    }

    #[test]
    fn relabel_not_doubled_and_not_added_without_nics() {
        let p = plan_of(&["fedora", "--selinux-relabel", "--nic", "name=eth0,format=ifcfg"]);
        assert_eq!(args_of(&p).iter().filter(|a| *a == "--selinux-relabel").count(), 1);
        assert_eq!(args_of(&plan_of(&["fedora", "--hostname", "h"])), ["fedora", "--hostname", "h"]);
    }

    #[test]
    fn output_path_rules() {
        let out = |a: &[&str]| plan_of(a).output.map(|p| p.display().to_string());
        assert_eq!(out(&["fedora-39"]).as_deref(), Some("fedora-39.img"));
        assert_eq!(out(&["fedora-39", "--format", "qcow2"]).as_deref(), Some("fedora-39.qcow2"));
        assert_eq!(out(&["fedora-39", "-o", "x.img"]).as_deref(), Some("x.img"));
        assert_eq!(out(&["--output=y.img", "fedora-39"]).as_deref(), Some("y.img"));
        assert_eq!(out(&["-vxoz.img", "fedora-39"]).as_deref(), Some("z.img"));
        assert_eq!(out(&["fedora-39", "-o", "/dev/sdb"]), None);
        assert_eq!(out(&["fedora-39", "--no-delete-on-failure"]), None);
        assert_eq!(out(&["--list"]), None);
        assert_eq!(out(&["--notes", "fedora-39"]), None);
        assert_eq!(out(&["--get-kernel", "disk.img"]), None);
        assert_eq!(out(&["--hostname", "h"]), None);
    }
}
