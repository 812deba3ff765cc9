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
use crate::guestconf::{self, Format, GuestFile, eni, link};
use crate::nic::{Nic, NicError};
use crate::proxy::{Item, OurOption, given, values};
use crate::rhsm::{self, Rhsm};

pub const NIC: OurOption = OurOption::value(
    "nic",
    "name=NAME[,KEY=VALUE]...",
    "Write a network config for interface NAME into the guest (repeatable), bound to its\n\
     MAC, replacing any config of that name in any format. Only name=: DHCP.\n\
     --selinux-relabel is added so that the files get their SELinux labels.\n\
     Example: --nic name=eth1,ipaddr=192.168.122.15/24,gateway=192.168.122.1",
)
.keys(crate::nic::NIC_KEYS);

pub const NIC_FORMAT: OurOption = OurOption::value(
    "nic-format",
    "auto|ifcfg|keyfile|netplan|eni|networkd",
    "The format of the --nic configs (a NIC's own format= wins). auto (the default):\n\
     from the OS (see rejviz-nic(5)). ifcfg: network-scripts/ifcfg-NAME;\n\
     keyfile: NetworkManager/system-connections/NAME.nmconnection (0600);\n\
     netplan: /etc/netplan/50-rejviz-NAME.yaml (0600); eni: interfaces.d/NAME;\n\
     networkd: /etc/systemd/network/50-rejviz-NAME.network. Each is bound to the MAC;\n\
     keyfile, eni and networkd get /usr/local/lib/systemd/network/10-rejviz-NAME.link\n\
     that names the interface (outside the initramfs: see rejviz-nic(5)).\n\
     Example: --nic-format netplan --nic name=eth1,ipaddr=10.0.0.5/24,ipv6=auto",
);

pub const RHSM_REGISTER: OurOption = OurOption::value(
    "rhsm-register",
    "user=USER,password-file=FILE[,attach=auto|pool:ID] | org=ORG,activation-key-file=FILE",
    "Register the guest with Red Hat Subscription Management. The user form becomes\n\
     --sm-credentials USER:file:COPY --sm-register [--sm-attach ...], COPY a private 0600\n\
     copy of the password. The org form runs subscription-manager register --org ORG\n\
     --activationkey KEY in the guest from a script that only root can read, removed\n\
     afterwards on the host and in the guest. Each file is read once (a pipe works);\n\
     secrets are never shown nor put on a command line.\n\
     Example: --rhsm-register org=1234567,activation-key-file=/root/ak",
)
.keys(crate::rhsm::REGISTER_KEYS);

pub const RHSM_UNREGISTER: OurOption = OurOption::flag(
    "rhsm-unregister",
    "Remove the guest's subscriptions and unregister it (--sm-remove --sm-unregister).\n\
     With --rhsm-register: re-subscribe, unregistering first (one script, in order).",
);

/// The RHSM options; their operations stand where the first of them stood.
pub const RHSM_OPTIONS: &[&OurOption] = &[&RHSM_REGISTER, &RHSM_UNREGISTER];

/// The NIC-related work of one run, in the order it is done.
#[derive(Debug, Default)]
pub struct NicWork<'a> {
    /// Guest paths to delete first (reset, removals, replaced configs): literal paths, which
    /// may come from the guest (glob characters are escaped for `--delete`).
    pub deletes: Vec<String>,
    /// Files to rewrite after the deletes (e.g. `/etc/network/interfaces` on reset).
    pub rewrites: Vec<GuestFile>,
    /// `--edit FILE:EXPR` operations (e.g. MAC rewrites).
    pub edits: Vec<(String, String)>,
    /// Configs to write.
    pub nics: &'a [Nic],
    /// The format of NICs without their own `format=`.
    pub format: Option<Format>,
}

/// The format `nic` is written in.
pub fn format_of(nic: &Nic, default: Option<Format>) -> Result<Format, NicError> {
    nic.format.or(default).ok_or_else(|| NicError {
        nic: nic.name.clone(),
        key: Some("format".into()),
        problem: crate::nic::NicProblem::Format(
            "no format could be told from the OS (see --nic-format auto); give format= or --nic-format".into(),
        ),
    })
}

/// `path` for virt-customize's `--delete`, which expands globs (`*?[]{}`, glob(3) with
/// GLOB_BRACE in the appliance): each of those characters, and `\\`, backslash-escaped, so
/// that a guest file named `ifcfg-*` deletes itself and nothing else.
pub fn glob_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A guest path that an operation of the form `FILE:VALUE` (`--edit`, `--write`) cannot
/// name: the tools split at the first `:`.
#[derive(Debug, thiserror::Error)]
#[error("cannot {op} {}: virt-customize's --{op} cannot name a file whose path holds ':'", .path.escape_debug())]
pub struct PathError {
    op: &'static str,
    path: String,
}

/// `--edit FILE:EXPR` or `--write FILE:CONTENT`, if the tool can read FILE back from it.
fn file_op(op: &'static str, path: &str, value: &str) -> Result<String, PathError> {
    if path.contains(':') {
        return Err(PathError { op, path: path.to_string() });
    }
    Ok(format!("{path}:{value}"))
}

/// The operations for `work`, and the files they write (for the dry run).
pub fn nic_ops(work: &NicWork<'_>, relabel_given: bool) -> Result<(Vec<OsString>, Vec<GuestFile>), UsageError> {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |a: &str, b: String| {
        args.push(a.into());
        args.push(b.into());
    };
    let mut files: Vec<GuestFile> = work.rewrites.clone();
    let mut eni = false;
    let formats = work.nics.iter().map(|n| format_of(n, work.format)).collect::<Result<Vec<_>, _>>()?;
    guestconf::check_topology_formats(work.nics, &formats)?;
    for (nic, format) in work.nics.iter().zip(formats) {
        eni |= format == Format::Eni;
        let written = guestconf::write(nic, format)?;
        let paths: Vec<&str> = written.iter().map(|f| f.path.as_str()).collect();
        debug!("--nic {}: {format}: {}", nic.name, paths.join(", "));
        files.extend(written);
    }
    let dotted = eni::writes_dotted(&files);
    // A .link file of an older rejviz in /etc/systemd/network would hide ours (same name)
    // and go into the initramfs: it goes, whether or not the guest was read.
    let legacy = work.nics.iter().filter(|n| files.iter().any(|f| f.path == link::path(&n.name)));
    for d in work.deletes.iter().cloned().chain(legacy.map(|n| link::legacy_path(&n.name))) {
        push("--delete", glob_escape(&d));
    }
    for (file, expr) in &work.edits {
        push("--edit", file_op("edit", file, expr)?);
    }
    if eni
        && let Some(f) = files.iter_mut().find(|f| f.path == guestconf::ENI_FILE)
        && !eni::sources_interfaces_d(&f.content, dotted)
    {
        f.content.push_str(eni::SOURCE_LINE);
        f.content.push('\n');
    }
    let mut made: Vec<String> = Vec::new();
    for f in &files {
        if !made.iter().any(|d| d == f.dir()) {
            push("--mkdir", f.dir().to_string());
            made.push(f.dir().to_string());
        }
        push("--write", file_op("write", &f.path, &f.content)?);
        push("--chmod", format!("{:04o}:{}", f.mode, f.path));
    }
    // ifupdown reads interfaces.d only when /etc/network/interfaces sources it.
    let eni_rewrite = files.iter().position(|f| f.path == guestconf::ENI_FILE);
    if eni && eni_rewrite.is_none() {
        // Appended (the file is made if missing), then dropped again if already sourced.
        push("--append-line", format!("{}:{}", guestconf::ENI_FILE, eni::SOURCE_LINE));
        push("--edit", format!("{}:{}", guestconf::ENI_FILE, eni::dedupe_source_edit(dotted)));
    }
    // virt-builder/virt-customize 1.48 relabel only when asked; without it, files written
    // into an SELinux guest stay unlabelled and NetworkManager cannot read them. (A no-op
    // on guests without SELinux.)
    if !args.is_empty() && !relabel_given {
        args.push("--selinux-relabel".into());
    }
    Ok((args, files))
}

/// The RHSM options, checked (secret files read, once) and turned into operations; the
/// host files they need (a script, a password copy) are staged in `ws`.
pub fn rhsm_ops(items: &[Item], ws: &Workspace, plan: &mut Plan) -> Result<Vec<OsString>, UsageError> {
    let r: Rhsm = rhsm::parse(&values(items, &RHSM_REGISTER), given(items, &RHSM_UNREGISTER))?;
    if r != Rhsm::default() {
        debug!("rhsm: {r:?}"); // a secret's Debug is ***
    }
    // The private directory is made only when a run needs it (a missing TMPDIR breaks nothing
    // else); a dry run shows where its files would be.
    let dir = match (r.needs_workspace(), plan.dry_run) {
        (false, _) => std::path::PathBuf::new(),
        (true, true) => ws.placeholder(),
        (true, false) => ws.path()?.to_path_buf(),
    };
    let (args, files) = rhsm::ops(&r, &dir);
    for f in files {
        let path = dir.join(f.name);
        debug!(
            "host file {} staged (mode {:04o}, {} bytes; content not shown)",
            path.display(),
            f.mode,
            f.content.len()
        );
        plan.staged.push(Staged { path, content: f.content, shown: f.shown, mode: f.mode });
    }
    Ok(args)
}

/// `--nic-format`: `None` for auto.
pub fn nic_format(items: &[Item]) -> Result<Option<Format>, UsageError> {
    match values(items, &NIC_FORMAT).pop() {
        None | Some("auto") => Ok(None),
        Some(v) => v.parse::<Format>().map(Some).map_err(|e| UsageError::Option(format!("--nic-format: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_paths_are_passed_literally_or_refused() {
        assert_eq!(
            glob_escape("/etc/sysconfig/network-scripts/ifcfg-eth0"),
            "/etc/sysconfig/network-scripts/ifcfg-eth0"
        );
        assert_eq!(glob_escape("/x/ifcfg-*"), r"/x/ifcfg-\*");
        assert_eq!(glob_escape(r"/x/a?[b]{c,d}\e"), r"/x/a\?\[b\]\{c,d\}\\e");
        let work = NicWork {
            deletes: vec!["/etc/NetworkManager/system-connections/w*.nmconnection".into()],
            ..NicWork::default()
        };
        let (args, _) = nic_ops(&work, true).unwrap();
        assert_eq!(args, [r"--delete", r"/etc/NetworkManager/system-connections/w\*.nmconnection"].map(OsString::from));
        // An IP alias file (ifcfg-eth0:0) cannot be named by --edit FILE:EXPR.
        let work = NicWork { edits: vec![("/n/ifcfg-eth0:0".into(), "s/a/b/".into())], ..NicWork::default() };
        assert_eq!(
            nic_ops(&work, true).unwrap_err().to_string(),
            "cannot edit /n/ifcfg-eth0:0: virt-customize's --edit cannot name a file whose path holds ':'"
        );
    }
}
