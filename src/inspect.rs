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
    #[error("cannot create a private directory for the appliance in {}: {source}", .parent.display())]
    Scratch { parent: PathBuf, source: std::io::Error },
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

impl std::str::FromStr for Reader {
    type Err = String;
    fn from_str(s: &str) -> Result<Reader, String> {
        match s {
            "auto" => Ok(Reader::Auto),
            "direct" => Ok(Reader::Direct),
            "appliance" => Ok(Reader::Appliance),
            _ => Err(format!("'{s}': not auto, direct or appliance")),
        }
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
            Err(why) => Ok((read(disks, want)?, ReaderUsed::Appliance { fallback: Some(why) })),
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

/// A private `$TMPDIR` for the appliance's qemu, for the life of one read. qemu puts the
/// overlay of the appliance's root disk (`snapshot=on`, a `vl.XXXXXX` file) in `$TMPDIR`,
/// and a qemu stopped early in its start (a Ctrl-C then) leaves it there; here it goes in a
/// directory of ours, removed with it. libguestfs's own directories (its sockets, the
/// appliance cache) were fixed when the handle was made, from the user's environment.
struct QemuScratch {
    _dir: tempfile::TempDir,
    old: Option<std::ffi::OsString>,
}

impl QemuScratch {
    fn new() -> Result<QemuScratch, InspectError> {
        let parent = std::env::temp_dir();
        let dir = tempfile::Builder::new()
            .prefix("rejviz-appliance.")
            .tempdir_in(&parent)
            .map_err(|source| InspectError::Scratch { parent, source })?;
        let old = std::env::var_os("TMPDIR");
        // SAFETY: set_var is unsound only against a concurrent read of the environment. Our
        // other threads are the signal forwarder (kill(2) and /proc, no environment), the
        // progress indicator's (stderr writes and an ioctl, no environment) and none of
        // libguestfs or libvirt's (they start none in a read); qemu inherits it at exec.
        unsafe { std::env::set_var("TMPDIR", dir.path()) };
        Ok(QemuScratch { _dir: dir, old })
    }
}

impl Drop for QemuScratch {
    fn drop(&mut self) {
        // SAFETY: as in `new`.
        unsafe {
            match &self.old {
                Some(v) => std::env::set_var("TMPDIR", v),
                None => std::env::remove_var("TMPDIR"),
            }
        }
        // The TempDir, dropped after this, removes the directory and what qemu left in it.
    }
}

/// A libguestfs handle whose qemu has a private `$TMPDIR` ([`QemuScratch`]). The fields drop
/// in order: the handle first (guestfs_close waits for qemu), then the directory.
struct Appliance {
    handle: Handle,
    _scratch: QemuScratch,
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
    // Made before the scratch directory: libguestfs takes its directories from $TMPDIR now.
    let handle = Handle::create().map_err(|_| InspectError::Handle)?;
    let g = Appliance { handle, _scratch: QemuScratch::new()? };
    quiet_errors(&g);
    let _ = g.set_identifier("rejviz");
    for d in disks {
        add_read_only(&g, d)?;
    }
    g.launch().map_err(|e| InspectError::Launch(msg(e)))?;

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
