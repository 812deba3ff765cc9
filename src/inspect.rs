//! The libguestfs reader: everything a command needs from a guest's disks, read in one
//! read-only appliance launch through the libguestfs C API; and the front door,
//! [`read_guest`], that tries the direct reader ([`crate::direct`]) first.
//!
//! The caller says which directories and files it wants ([`Want`]); [`read`] adds the disks
//! read-only, launches once, inspects the OS, mounts its filesystems read-only and returns
//! a [`Snapshot`]. Nothing in the guest is ever executed.

use std::path::PathBuf;

use guestfs::{AddDriveOptArgs, Handle};

/// One disk of the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    pub path: PathBuf,
    /// `raw`, `qcow2`, ...; `None` lets libguestfs probe (never do that for untrusted raw
    /// images: a raw image could claim to be qcow2 with a backing file).
    pub format: Option<String>,
}

/// One `-a IMAGE` or `--format FORMAT` of a command line, in order (virt-customize's and
/// guestfish's convention, which rejviz-peek shares).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskArg {
    Add(PathBuf),
    Format(String),
}

/// The disks of `args`: each `-a` image with the `--format` given before it (`auto`, or
/// none: let libguestfs probe).
pub fn disks(args: impl IntoIterator<Item = DiskArg>) -> Vec<Disk> {
    let mut format: Option<String> = None;
    let mut out = Vec::new();
    for a in args {
        match a {
            DiskArg::Format(f) => format = Some(f).filter(|f| f != "auto"),
            DiskArg::Add(path) => out.push(Disk { path, format: format.clone() }),
        }
    }
    out
}

/// What to read besides the OS inspection.
#[derive(Debug, Clone, Default)]
pub struct Want {
    /// Directories whose regular files (not recursively) are read.
    pub dirs: Vec<String>,
    /// Single files, read when they exist.
    pub files: Vec<String>,
    /// Paths whose existence (not content) is wanted, e.g. programs.
    pub exists: Vec<String>,
}

/// The OS as libguestfs inspection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsInfo {
    pub root: String,
    /// `linux`, `windows`, ...
    pub os_type: String,
    /// `centos`, `fedora`, `debian`, ...
    pub distro: String,
    pub major: i32,
    pub minor: i32,
    pub product_name: String,
    pub hostname: String,
    /// libosinfo short id as libguestfs guesses it, e.g. `centos7.0`; `unknown` if none.
    pub osinfo: String,
}

/// A file read from the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    pub path: String,
    /// Permission bits (e.g. 0o644).
    pub mode: u32,
    pub uid: i64,
    pub gid: i64,
    pub content: Vec<u8>,
    /// The `security.selinux` extended attribute, when the file has one (the appliance
    /// reader only: the direct reader always says `None`, see [`crate::direct`]).
    pub selinux_label: Option<String>,
}

impl FileRead {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.content).into_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub os: OsInfo,
    /// Files of [`Want::dirs`] (sorted by path) then the [`Want::files`] that exist.
    pub files: Vec<FileRead>,
    /// Directories of [`Want::dirs`] that do not exist in the guest.
    pub missing_dirs: Vec<String>,
    /// The paths of [`Want::exists`] that exist (following symlinks).
    pub existing: Vec<String>,
}

impl Snapshot {
    pub fn file(&self, path: &str) -> Option<&FileRead> {
        self.files.iter().find(|f| f.path == path)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.existing.iter().any(|p| p == path) || self.file(path).is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot create a libguestfs handle")]
    Handle,
    #[error("{path}: {msg}")]
    Disk { path: String, msg: String },
    #[error("cannot launch the libguestfs appliance: {0}")]
    Launch(String),
    #[error("{path}: not a disk image ({why})")]
    NotADiskImage { path: String, why: &'static str },
    #[error("no operating system found in {0}")]
    NoOs(String),
    #[error("more than one operating system found in {disks} (roots: {roots})")]
    ManyOs { disks: String, roots: String },
    #[error("{what}: {msg}")]
    Guest { what: String, msg: String },
    #[error("cannot read directly: {0}")]
    Direct(#[from] crate::direct::DirectError),
}

/// Which reader [`read_guest`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reader {
    /// The direct reader when it can answer with certainty, else the appliance.
    #[default]
    Auto,
    /// The direct reader only: its "cannot read directly" is the error.
    Direct,
    /// The libguestfs appliance only.
    Appliance,
}

impl Reader {
    /// Every reader, as `--reader` names them.
    pub const ALL: [Reader; 3] = [Reader::Auto, Reader::Direct, Reader::Appliance];

    /// Its name, as `--reader` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Reader::Auto => "auto",
            Reader::Direct => "direct",
            Reader::Appliance => "appliance",
        }
    }
}

impl std::fmt::Display for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Reader {
    type Err = String;
    fn from_str(s: &str) -> Result<Reader, String> {
        Reader::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| format!("'{}': not auto, direct or appliance", crate::nic::shown(s)))
    }
}

/// Which reader [`read_guest`] used.
#[derive(Debug)]
pub enum ReaderUsed {
    Direct,
    /// The appliance; with [`Reader::Auto`], why the direct reader could not answer.
    Appliance {
        fallback: Option<crate::direct::DirectError>,
    },
}

impl std::fmt::Display for ReaderUsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReaderUsed::Direct => f.write_str("read by the direct reader"),
            ReaderUsed::Appliance { fallback: None } => f.write_str("read by the libguestfs appliance"),
            ReaderUsed::Appliance { fallback: Some(why) } => {
                write!(f, "read by the libguestfs appliance (cannot read directly: {why})")
            }
        }
    }
}

/// Reads `want` from the guest made of `disks` with `reader`. The same disk checks come
/// first whichever reader runs, so a missing or empty image is the same error.
pub fn read_guest(disks: &[Disk], want: &Want, reader: Reader) -> Result<(Snapshot, ReaderUsed), InspectError> {
    check_disks(disks)?;
    match reader {
        Reader::Direct => Ok((crate::direct::read(disks, want)?, ReaderUsed::Direct)),
        Reader::Appliance => Ok((read(disks, want)?, ReaderUsed::Appliance { fallback: None })),
        Reader::Auto => match crate::direct::read(disks, want) {
            Ok(snap) => Ok((snap, ReaderUsed::Direct)),
            // A Ctrl-C stopped the direct reader (its qemu-nbd): no appliance after it.
            Err(why) if crate::interrupt::interrupted().is_some() => Err(why.into()),
            Err(why) => match (read(disks, want), why) {
                (Ok(snap), why) => Ok((snap, ReaderUsed::Appliance { fallback: Some(why) })),
                // qemu-nbd could not open the image, nor could libguestfs add it (its qemu-img
                // fails the same way, and it says only "qemu-img exited with error status 1"):
                // qemu's own message says why, e.g. which backing file is missing.
                (Err(InspectError::Disk { .. }), crate::direct::DirectError::Format { path, msg, .. }) => {
                    Err(InspectError::Disk { path, msg })
                }
                (Err(e), _) => Err(e),
            },
        },
    }
}

/// What must hold of every disk before any reader runs: it opens, and it is neither a
/// directory nor an empty file.
fn check_disks(disks: &[Disk]) -> Result<(), InspectError> {
    for d in disks {
        let path = d.path.display().to_string();
        let f =
            std::fs::File::open(&d.path).map_err(|e| InspectError::Disk { path: path.clone(), msg: e.to_string() })?;
        let meta = f.metadata().map_err(|e| InspectError::Disk { path: path.clone(), msg: e.to_string() })?;
        if meta.is_dir() {
            return Err(InspectError::NotADiskImage { path, why: "a directory" });
        }
        if meta.is_file() && meta.len() == 0 {
            return Err(InspectError::NotADiskImage { path, why: "an empty file" });
        }
    }
    Ok(())
}

/// libguestfs's own message. The crate's error has no Display and private fields; its
/// Debug form is `API(APIError { operation: "…", message: "…", errno: N })`.
fn msg(e: guestfs::Error) -> String {
    let dbg = format!("{e:?}");
    dbg.split_once("message: \"")
        .and_then(|(_, rest)| rest.rsplit_once("\", errno"))
        .map(|(m, _)| m.replace("\\\"", "\"").replace("\\n", " "))
        .unwrap_or(dbg)
}

/// Adds `d` to `g` read-only (writes go to a throw-away overlay), with its format if known.
pub fn add_read_only(g: &Handle, d: &Disk) -> Result<(), InspectError> {
    let path = d.path.to_string_lossy();
    let opts = AddDriveOptArgs {
        readonly: Some(true),
        format: d.format.as_deref(),
        iface: None,
        name: None,
        label: None,
        protocol: None,
        server: None,
        username: None,
        secret: None,
        cachemode: None,
        discard: None,
        copyonread: None,
    };
    g.add_drive(&path, opts).map_err(|e| InspectError::Disk { path: path.to_string(), msg: msg(e) })
}

/// Stops libguestfs from printing each error on stderr itself (its default error handler):
/// we report errors as one line of ours (the message comes back through the `Result`), and
/// a launch stopped by Ctrl-C says nothing at all. The `guestfs` crate has no call for it.
fn quiet_errors(g: &Handle) {
    use std::ffi::c_void;
    #[link(name = "guestfs")]
    unsafe extern "C" {
        fn guestfs_set_error_handler(g: *mut c_void, cb: *const c_void, opaque: *mut c_void);
    }
    // guestfs 0.1.0's Handle is one field, the `guestfs_h *` (src/base.rs); checked here.
    const _: () = assert!(std::mem::size_of::<Handle>() == std::mem::size_of::<*mut c_void>());
    const _: () = assert!(std::mem::align_of::<Handle>() == std::mem::align_of::<*mut c_void>());
    // SAFETY: reads the handle's only field, a valid guestfs_h pointer for the life of `g`;
    // a null callback is documented to mean "no handler" (guestfs(3), ERROR HANDLING).
    unsafe {
        let raw = *(g as *const Handle).cast::<*mut c_void>();
        guestfs_set_error_handler(raw, std::ptr::null(), std::ptr::null_mut());
    }
}

/// qemu's overlay of the appliance's root disk (`snapshot=on`) is a `vl.XXXXXX` file in
/// `$TMPDIR` (else /var/tmp), which qemu unlinks as soon as it has opened it. A qemu stopped in
/// between (a Ctrl-C early in its start) leaves it behind. After a launch that a signal
/// stopped or that failed, the overlays that appeared during it, belong to us and are open in
/// no process are removed: another qemu's overlay is open the moment it matters to it.
struct OverlaySweep {
    dir: PathBuf,
    since: std::time::SystemTime,
    launched: bool,
}

impl OverlaySweep {
    fn new() -> OverlaySweep {
        let dir = std::env::var_os("TMPDIR").filter(|d| !d.is_empty()).map_or_else(|| "/var/tmp".into(), PathBuf::from);
        // One second of slack: file times may be coarser than the clock.
        let since = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
        OverlaySweep { dir, since, launched: false }
    }

    /// The overlays of our qemus that no process holds.
    fn leftovers(&self) -> Vec<PathBuf> {
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        // SAFETY: geteuid(2) cannot fail and touches no memory.
        let me = unsafe { libc::geteuid() };
        let candidates: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("vl.") && n.len() == 9))
            .filter(|e| {
                e.path()
                    .symlink_metadata()
                    .is_ok_and(|m| m.is_file() && m.uid() == me && m.modified().is_ok_and(|t| t >= self.since))
            })
            .map(|e| e.path())
            .collect();
        if candidates.is_empty() {
            return candidates;
        }
        let open: std::collections::HashSet<PathBuf> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|p| std::fs::read_dir(p.path().join("fd")).ok())
            .flatten()
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .collect();
        candidates.into_iter().filter(|c| !open.contains(c)).collect()
    }
}

impl Drop for OverlaySweep {
    fn drop(&mut self) {
        if self.launched && crate::interrupt::interrupted().is_none() {
            return;
        }
        for path in self.leftovers() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A libguestfs handle, and the sweep of what its qemu may leave ([`OverlaySweep`]). The
/// fields drop in order: the handle first (guestfs_close waits for qemu), then the sweep.
struct Appliance {
    handle: Handle,
    sweep: OverlaySweep,
}

impl std::ops::Deref for Appliance {
    type Target = Handle;
    fn deref(&self) -> &Handle {
        &self.handle
    }
}

/// Reads `want` from the guest made of `disks`, in one read-only appliance launch.
pub fn read(disks: &[Disk], want: &Want) -> Result<Snapshot, InspectError> {
    let names = || disks.iter().map(|d| d.path.display().to_string()).collect::<Vec<_>>().join(", ");
    check_disks(disks)?;
    let handle = Handle::create().map_err(|_| InspectError::Handle)?;
    let mut g = Appliance { handle, sweep: OverlaySweep::new() };
    quiet_errors(&g);
    let _ = g.set_identifier("rejviz");
    for d in disks {
        add_read_only(&g, d)?;
    }
    // A signal already received: no launch (one that comes during it stops its qemu).
    if crate::interrupt::interrupted().is_some() {
        return Err(InspectError::Launch("interrupted".into()));
    }
    g.launch().map_err(|e| InspectError::Launch(msg(e)))?;
    g.sweep.launched = true;

    let roots = g.inspect_os().map_err(|e| InspectError::Launch(msg(e)))?;
    let root = match roots.as_slice() {
        [] => {
            // list_filesystems lists unrecognised devices too, with type "unknown".
            let filesystems = g.list_filesystems().map(|m| m.values().filter(|t| *t != "unknown").count()).unwrap_or(0);
            if filesystems == 0 && disks.len() == 1 {
                let path = disks[0].path.display().to_string();
                return Err(InspectError::NotADiskImage { path, why: "no partitions or filesystems found" });
            }
            return Err(InspectError::NoOs(names()));
        }
        [one] => one.clone(),
        many => return Err(InspectError::ManyOs { disks: names(), roots: many.join(", ") }),
    };
    let guest = |what: &str| {
        let what = what.to_string();
        move |e| InspectError::Guest { what: what.clone(), msg: msg(e) }
    };
    let text = |r: Result<String, guestfs::Error>| r.unwrap_or_else(|_| "unknown".to_string());
    let os = OsInfo {
        os_type: text(g.inspect_get_type(&root)),
        distro: text(g.inspect_get_distro(&root)),
        major: g.inspect_get_major_version(&root).unwrap_or(0),
        minor: g.inspect_get_minor_version(&root).unwrap_or(0),
        product_name: text(g.inspect_get_product_name(&root)),
        hostname: text(g.inspect_get_hostname(&root)),
        osinfo: text(g.inspect_get_osinfo(&root)),
        root: root.clone(),
    };

    // Mount shortest mountpoint first, so that / comes before /usr; what cannot be
    // mounted (swap, an unknown filesystem) is skipped, as virt-cat does.
    let mut mps: Vec<(String, String)> =
        g.inspect_get_mountpoints(&root).map_err(guest("mountpoints"))?.into_iter().collect();
    mps.sort_by_key(|(mp, _)| mp.len());
    for (mp, dev) in &mps {
        let _ = g.mount_ro(dev, mp);
    }

    let read_one = |path: &str| -> Result<FileRead, InspectError> {
        let st = g.lstatns(path).map_err(guest(path))?;
        let content = g.read_file(path).map_err(guest(path))?;
        // lgetxattrs, not lgetxattr: a missing attribute is no error (which libguestfs
        // would print on stderr).
        let selinux_label = g.lgetxattrs(path).ok().and_then(|xs| {
            xs.into_iter()
                .find(|x| x.attrname == "security.selinux")
                .map(|x| String::from_utf8_lossy(&x.attrval).trim_end_matches('\0').to_string())
        });
        Ok(FileRead {
            path: path.to_string(),
            mode: (st.st_mode & 0o7777) as u32,
            uid: st.st_uid,
            gid: st.st_gid,
            content,
            selinux_label,
        })
    };
    let is_file = |p: &str| g.is_file(p, guestfs::IsFileOptArgs { followsymlinks: Some(false) }).unwrap_or(false);

    let mut files = Vec::new();
    let mut missing_dirs = Vec::new();
    for dir in &want.dirs {
        if !g.is_dir(dir, guestfs::IsDirOptArgs { followsymlinks: Some(true) }).unwrap_or(false) {
            missing_dirs.push(dir.clone());
            continue;
        }
        let mut names = g.ls(dir).map_err(guest(dir))?;
        names.sort();
        for name in names {
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            if is_file(&path) {
                files.push(read_one(&path)?);
            }
        }
    }
    for path in &want.files {
        if is_file(path) {
            files.push(read_one(path)?);
        }
    }
    let existing = want.exists.iter().filter(|p| g.exists(p).unwrap_or(false)).cloned().collect();
    let _ = g.umount_all();
    let _ = g.shutdown();
    Ok(Snapshot { os, files, missing_dirs, existing })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// After a failed launch: qemu's overlays made during it and held by no process go;
    /// one a process holds (another qemu's), an older one and other names stay.
    #[test]
    fn overlay_sweep_removes_only_unheld_overlays_of_the_launch() {
        let dir = tempfile::tempdir().unwrap();
        let path = |n: &str| dir.path().join(n);
        let old = path("vl.OLD000");
        std::fs::write(&old, b"QFI").unwrap();
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(past).unwrap();
        let sweep = OverlaySweep {
            dir: dir.path().to_path_buf(),
            since: std::time::SystemTime::now() - std::time::Duration::from_secs(1),
            launched: false,
        };
        for n in ["vl.LEFT01", "vl.HELD01", "vl.toolong", "other.AAA"] {
            std::fs::write(path(n), b"QFI").unwrap();
        }
        let held = std::fs::File::open(path("vl.HELD01")).unwrap();
        drop(sweep);
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, ["other.AAA", "vl.HELD01", "vl.OLD000", "vl.toolong"]);
        drop(held);
    }
}
