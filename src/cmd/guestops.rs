//! The options rejviz-builder and rejviz-customize share (`--nic`, `--rhsm-register`,
//! `--rhsm-unregister`), and their translation into virt-customize operations, which
//! virt-builder runs too: no extra appliance launch.
//!
//! Files are written with `--write` rather than `--upload`: `--upload` copies the local
//! file's owner into the guest, so a run as a normal user would leave configs owned by that
//! uid; `--write` creates them as root, and `--chmod` sets the mode whether or not the file
//! existed.

use std::ffi::OsString;

use super::{Plan, Staged, UsageError, Workspace};
use crate::guestconf::{ifcfg, GuestFile};
use crate::nic::Nic;
use crate::proxy::{Item, OurOption};
use crate::rhsm::{self, Rhsm};

pub const NIC: OurOption = OurOption {
    name: "nic",
    value: Some("name=NAME[,KEY=VALUE]..."),
    help: "Write a network config for interface NAME into the guest (repeatable).\n\
           Keys: name hwaddr bootproto ipaddr network netmask broadcast gateway dns1 dns2.\n\
           Only name (no ipaddr, no bootproto): DHCP.\n\
           ipaddr=A[/N]: static; the prefix comes from /N, else netmask=, else /24;\n\
           network and broadcast are computed when not given (and checked when given).\n\
           bootproto=static|none needs ipaddr; bootproto=dhcp forbids it.\n\
           Writes /etc/sysconfig/network-scripts/ifcfg-NAME (mode 0644), replacing any\n\
           config of that name, and adds --selinux-relabel so that the files get their\n\
           SELinux labels (at once, or at first boot where the appliance cannot relabel).\n\
           Example: --nic name=eth1,ipaddr=192.168.122.15,gateway=192.168.122.1",
};

pub const RHSM_REGISTER: OurOption = OurOption {
    name: "rhsm-register",
    value: Some("user=USER,password-file=FILE[,attach=auto|pool:ID] | org=ORG,activation-key-file=FILE"),
    help: "Register the guest with Red Hat Subscription Management. The user form becomes\n\
           --sm-credentials USER:file:FILE --sm-register [--sm-attach ...]. The org form runs\n\
           subscription-manager register --org ORG --activationkey KEY in the guest from a\n\
           script that only root can read, removed afterwards on the host and in the guest.\n\
           Secrets are read from the files (first line) and never shown or put on a command\n\
           line. Example: --rhsm-register org=1234567,activation-key-file=/root/ak",
};

pub const RHSM_UNREGISTER: OurOption = OurOption {
    name: "rhsm-unregister",
    value: None,
    help: "Remove the guest's subscriptions and unregister it (--sm-remove --sm-unregister).\n\
           With --rhsm-register: re-subscribe, unregistering first (one script, in order).",
};

/// The NIC-related work of one run, in the order it is done.
#[derive(Debug, Default)]
pub struct NicWork<'a> {
    /// Remove every ifcfg file but loopback's first.
    pub reset: bool,
    /// Interfaces whose configs are removed.
    pub remove: Vec<String>,
    /// `--edit FILE:EXPR` operations (e.g. HWADDR rewrites).
    pub edits: Vec<(String, String)>,
    /// Configs to write.
    pub nics: &'a [Nic],
}

/// Globs for every ifcfg file but `ifcfg-lo` (virt-customize's `--delete` takes globs).
const RESET_GLOBS: &[&str] = &["ifcfg-[!l]*", "ifcfg-l[!o]*", "ifcfg-lo?*", "ifcfg-l"];

/// The config files of `nic`.
pub fn files(nic: &Nic) -> Vec<GuestFile> {
    vec![ifcfg::write(nic)]
}

/// The operations for `work`, and the files they write (for the dry run).
pub fn nic_ops(work: &NicWork<'_>, relabel_given: bool) -> (Vec<OsString>, Vec<GuestFile>) {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |a: &str, b: String| {
        args.push(a.into());
        args.push(b.into());
    };
    if work.reset {
        for g in RESET_GLOBS {
            push("--delete", format!("{}/{g}", ifcfg::DIR));
        }
    }
    for name in &work.remove {
        push("--delete", ifcfg::path(name));
    }
    for (file, expr) in &work.edits {
        push("--edit", format!("{file}:{expr}"));
    }
    let files: Vec<GuestFile> = work.nics.iter().flat_map(files).collect();
    let mut made: Vec<&str> = Vec::new();
    for f in &files {
        if !made.contains(&f.dir()) {
            push("--mkdir", f.dir().to_string());
            made.push(f.dir());
        }
        push("--write", format!("{}:{}", f.path, f.content));
        push("--chmod", format!("{:04o}:{}", f.mode, f.path));
    }
    // virt-builder/virt-customize 1.48 relabel only when asked; without it, files written
    // into an SELinux guest stay unlabelled and NetworkManager cannot read them. (A no-op
    // on guests without SELinux.)
    if !args.is_empty() && !relabel_given {
        args.push("--selinux-relabel".into());
    }
    (args, files)
}

/// The values of our option `name`, in order.
pub fn values<'a>(items: &'a [Item], name: &str) -> Vec<&'a str> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Ours { name: n, value: Some(v) } if *n == name => Some(v.as_str()),
            _ => None,
        })
        .collect()
}

/// Whether our option `name` is given.
pub fn given(items: &[Item], name: &str) -> bool {
    items.iter().any(|i| matches!(i, Item::Ours { name: n, .. } if *n == name))
}

/// The RHSM options, checked (files readable and not empty) and turned into operations;
/// a script, when needed, is staged in `ws`.
pub fn rhsm_ops(items: &[Item], ws: &Workspace, plan: &mut Plan) -> Result<Vec<OsString>, UsageError> {
    let r: Rhsm = rhsm::parse(&values(items, "rhsm-register"), given(items, "rhsm-unregister"))?;
    let path = ws.staged_path("rhsm.sh");
    let (args, script) = rhsm::ops(&r, &path);
    if let Some(s) = script {
        plan.staged.push(Staged { path, content: s.content, shown: s.shown, mode: 0o700 });
    }
    Ok(args)
}

/// The tool's arguments in order, with `nic_args` where the first of `nic_options` stood
/// and `rhsm_args` where the first RHSM option stood.
pub fn assemble(items: Vec<Item>, nic_options: &[&str], nic_args: Vec<OsString>, rhsm_args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::new();
    let (mut nic_args, mut rhsm_args) = (Some(nic_args), Some(rhsm_args));
    for item in items {
        match item {
            Item::Tool(a, _) => out.push(a),
            Item::Ours { name, .. } if nic_options.contains(&name) => out.extend(nic_args.take().unwrap_or_default()),
            Item::Ours { name: "rhsm-register" | "rhsm-unregister", .. } => out.extend(rhsm_args.take().unwrap_or_default()),
            Item::Ours { .. } => {}
        }
    }
    out
}
