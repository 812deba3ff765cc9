//! The direct reader: the same [`Snapshot`] as [`crate::inspect::read`] for the same
//! [`Want`], read in-process from disk images, read-only, with no appliance, in
//! milliseconds instead of tens of seconds.
//!
//! - raw images are read from the file; any other format qemu reads (qcow2 with backing
//!   chains and compressed clusters, vmdk, vhdx, ...) through a read-only `qemu-nbd`
//!   ([`nbd`]): the format given, or, when none is, the one qemu probes (as libguestfs
//!   lets it);
//! - [`table`]: MBR (primary and logical) and GPT partition tables, or a whole-disk
//!   filesystem, numbered as the appliance's kernel numbers them;
//! - [`fs`]: what each partition holds (signatures) and bounded access to ext2/3/4
//!   (through `ext4-view`) and XFS (through [`xfs`]), symlinks resolved inside the
//!   guest's filesystem;
//! - [`xfs`]: our read-only XFS reader (v5 and v4, every directory format, bmap btrees,
//!   inline and remote symlinks, holes), every count capped;
//! - [`os`]: libguestfs's inspection rules for Linux roots (distro, version, product
//!   name, hostname, osinfo id), and the mounts `/etc/fstab` adds.
//!
//! It answers only when it is certain to answer as libguestfs would; everything else
//! (an image qemu-nbd cannot open or serve, LVM, LUKS, RAID, btrfs, FAT, an unknown
//! filesystem, an XFS log that is not clean or a feature of XFS we do not read, no root or
//! several, a separate mount holding a wanted path, a guest value we cannot reproduce
//! exactly, a read error) is a [`DirectError`], on which the caller falls back to the
//! appliance ([`crate::inspect::read_guest`]).
//!
//! Device names are libguestfs's: disk N (from 0) is `/dev/sd` + `a`..`z`, `aa`, ... (the
//! appliance's virtio-scsi disks), its partition P `/dev/sdXP`, a whole-disk filesystem
//! `/dev/sdX`.
//!
//! One difference is by design: `FileRead::selinux_label` is always `None` here, as
//! neither `ext4-view` 1.0 nor our XFS reader reads extended attributes. Callers that need labels use
//! `Reader::Appliance` (no command does today).
//!
//! Fuzzable: [`read_sources`] takes each disk as a [`Source`] (a `Vec<u8>` is one).

pub mod fs;
pub mod nbd;
pub mod os;
pub mod table;
pub mod xfs;

use std::os::unix::fs::FileExt;
use std::rc::Rc;

use crate::inspect::{Disk, FileRead, OsInfo, Snapshot, Want};
use fs::{Content, Fs, Kind, Region};
use table::{Layout, PartKind, guid};

/// Most bytes of file content one snapshot holds.
pub const MAX_TOTAL: u64 = 64 << 20;

/// Why the direct reader cannot answer with certainty (the appliance can).
#[derive(Debug, thiserror::Error)]
pub enum DirectError {
    #[error("{path}: {msg}")]
    Disk { path: String, msg: String },
    /// What qemu-nbd cannot open (its message), in the format given or the one qemu probes.
    #[error("{path}: qemu-nbd cannot open this {format} image: {msg}")]
    Format { path: String, format: String, msg: String },
    /// The image could not be served or read through qemu-nbd.
    #[error("{path}: {source}")]
    Nbd { path: String, source: nbd::NbdError },
    #[error("{path}: {table}")]
    Table { path: String, table: table::TableError },
    #[error("{device} is {what}")]
    Unsupported { device: String, what: String },
    #[error("{device}: {why}")]
    Fs { device: String, why: String },
    #[error("{0}")]
    Io(String),
    #[error("no Linux root filesystem found")]
    NoRoot,
    #[error("more than one root filesystem ({0})")]
    ManyRoots(String),
    #[error("{mountpoint} is a separate filesystem in /etc/fstab")]
    SeparateMount { mountpoint: String },
    #[error("{path}: {len} bytes (more than {max})")]
    TooLarge { path: String, len: u64, max: u64 },
    #[error("{path}: {why}")]
    Guest { path: String, why: String },
}

/// Random access to the bytes of one disk.
pub trait Source {
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Fills `buf` from `offset`; an error if the disk has fewer bytes there.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()>;
}

impl Source for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let src = usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(buf.len())?))
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// An image file (or block device), its length taken once at open.
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

impl FileSource {
    pub fn open(path: &std::path::Path) -> std::io::Result<FileSource> {
        use std::io::Seek;
        let mut file = std::fs::File::open(path)?;
        let len = file.seek(std::io::SeekFrom::End(0))?;
        Ok(FileSource { file, len })
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.file.read_exact_at(buf, offset)
    }
}

/// The signatures by which qemu would take an image whose format was not given for
/// something else than raw (its block drivers' probes).
fn probed_format(path: &std::path::Path, src: &dyn Source) -> Result<Option<&'static str>, DirectError> {
    let mut head = vec![0u8; usize::try_from(src.len().min(4096)).unwrap_or(0)];
    src.read_at(0, &mut head)
        .map_err(|e| DirectError::Disk { path: path.display().to_string(), msg: e.to_string() })?;
    let at = |o: usize, m: &[u8]| head.get(o..o + m.len()) == Some(m);
    let known: &[(usize, &[u8], &str)] = &[
        (0, b"QFI\xfb", "qcow/qcow2"),
        (0, b"QED\0", "qed"),
        (0, b"KDMV", "vmdk"),
        (0, b"COWD", "vmdk"),
        (0, b"# Disk DescriptorFile", "vmdk"),
        (0, b"conectix", "vpc"),
        (0, b"vhdxfile", "vhdx"),
        (64, &[0x7f, 0x10, 0xda, 0xbe], "vdi"),
        (0, b"WithoutFreeSpace", "parallels"),
        (0, b"WithouFreSpacExt", "parallels"),
        (0, b"Bochs Virtual HD Image", "bochs"),
        (0, b"#!/bin/sh\n#V2.0 Format\n", "cloop"),
        (0, b"LUKS\xba\xbe", "luks"),
    ];
    if let Some((_, _, f)) = known.iter().find(|(o, m, _)| at(*o, m)) {
        return Ok(Some(f));
    }
    if head.windows(10).any(|w| w == b"createType") {
        return Ok(Some("vmdk"));
    }
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("dmg")) {
        return Ok(Some("dmg"));
    }
    Ok(None)
}

/// Reads `want` from the guest made of `disks`: a raw image (format `raw`, or not given and
/// not taken by qemu's probes for another format) in-process, any other through `qemu-nbd`
/// ([`nbd`]), with the format given or, when none is, the one qemu probes.
pub fn read(disks: &[Disk], want: &Want) -> Result<Snapshot, DirectError> {
    let mut sources: Vec<Rc<dyn Source>> = Vec::new();
    let mut names = Vec::new();
    for d in disks {
        let path = d.path.display().to_string();
        let file =
            FileSource::open(&d.path).map_err(|e| DirectError::Disk { path: path.clone(), msg: e.to_string() })?;
        let served = match d.format.as_deref() {
            Some("raw") => None,
            Some(given) => Some((Some(given), given)),
            None => probed_format(&d.path, &file)?.map(|probed| (None, probed)),
        };
        let src: Rc<dyn Source> = match served {
            None => Rc::new(file),
            Some((given, shown)) => {
                drop(file);
                Rc::new(nbd::NbdSource::open(&d.path, given).map_err(|e| match e {
                    nbd::NbdError::Open(msg) => DirectError::Format { path: path.clone(), format: shown.into(), msg },
                    nbd::NbdError::BadFormat(_) => {
                        DirectError::Format { path: path.clone(), format: shown.into(), msg: e.to_string() }
                    }
                    source => DirectError::Nbd { path: path.clone(), source },
                })?)
            }
        };
        sources.push(src);
        names.push(path);
    }
    read_sources(&sources, &names, want)
}

/// The libguestfs device name of disk `index` (0 → `/dev/sda`, 26 → `/dev/sdaa`).
pub fn disk_name(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    format!("/dev/sd{}", String::from_utf8_lossy(&letters))
}

/// GPT partition types libguestfs never looks into, or that hold no filesystem.
fn skipped_gpt_type(t: &[u8; 16]) -> bool {
    [
        "21686148-6449-6E6F-744E-656564454649", // BIOS boot (GRUB's core image)
        "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", // Windows LDM metadata
        "AF9B60A0-1431-4F62-BC68-3311714A69AD", // Windows LDM data
        "E3C9E316-0B5C-4DB8-817D-F92DF00215AE", // Microsoft reserved
        "CADDEBF1-4400-4DE8-B103-12117DCF3CCF", // Windows snapshot
    ]
    .iter()
    .any(|g| guid(g) == *t)
}

/// The filesystems of all disks: each partition (or whole disk) is an ext or XFS
/// filesystem, swap, or something that stops the direct reader.
pub fn filesystems(sources: &[Rc<dyn Source>], names: &[String]) -> Result<Vec<Fs>, DirectError> {
    let mut out = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let disk = disk_name(i);
        let path = names.get(i).cloned().unwrap_or_else(|| disk.clone());
        let layout = table::layout(&**src).map_err(|table| DirectError::Table { path, table })?;
        let regions: Vec<(String, u64, u64)> = match &layout {
            Layout::WholeDisk => vec![(disk.clone(), 0, src.len())],
            Layout::Mbr(parts) | Layout::Gpt(parts) => {
                let mut v = Vec::new();
                for p in parts {
                    let device = format!("{disk}{}", p.number);
                    match p.kind {
                        PartKind::Gpt(t) if skipped_gpt_type(&t) => continue,
                        PartKind::Mbr(0xfd) => {
                            return Err(DirectError::Unsupported { device, what: "a RAID member".into() });
                        }
                        PartKind::Gpt(t) if t == guid("A19D880F-05FC-4D3B-A006-743F0F84911E") => {
                            return Err(DirectError::Unsupported { device, what: "a RAID member".into() });
                        }
                        _ => {}
                    }
                    v.push((device, p.start, p.len));
                }
                v
            }
        };
        for (device, start, len) in regions {
            let region = Region { src: Rc::clone(src), start, len };
            match fs::probe(&region)? {
                Content::Ext => out.push(Fs::load(device, region)?),
                Content::Xfs => out.push(Fs::load_xfs(device, region)?),
                Content::Swap => {}
                Content::Other(what) => {
                    return Err(DirectError::Unsupported { device, what: what.to_string() });
                }
            }
        }
    }
    Ok(out)
}

/// [`read`] on disks given as byte sources (`names` name them in messages).
pub fn read_sources(sources: &[Rc<dyn Source>], names: &[String], want: &Want) -> Result<Snapshot, DirectError> {
    let filesystems = filesystems(sources, names)?;
    let mut roots = Vec::new();
    for fs in &filesystems {
        if os::role(fs)? == os::Role::Root {
            roots.push(fs);
        }
    }
    let root = match roots.as_slice() {
        [] => return Err(DirectError::NoRoot),
        [one] => *one,
        many => {
            return Err(DirectError::ManyRoots(many.iter().map(|f| f.device.as_str()).collect::<Vec<_>>().join(", ")));
        }
    };
    let data = os::inspect(root)?;
    let mounts = os::fstab_mounts(root)?;
    if let Some(usr) = mounts.iter().find(|m| *m == "/usr") {
        // libguestfs merges what a separate /usr says into the inspection data.
        return Err(DirectError::SeparateMount { mountpoint: usr.clone() });
    }
    let os = OsInfo {
        root: root.device.clone(),
        os_type: "linux".into(),
        distro: data.distro.unwrap_or("unknown").into(),
        major: data.version.map_or(0, |v| v.0),
        minor: data.version.map_or(0, |v| v.1),
        product_name: data.product_name.clone().unwrap_or_else(|| "unknown".into()),
        hostname: data.hostname.clone().unwrap_or_else(|| "unknown".into()),
        osinfo: data.osinfo(),
    };
    let mut r = FileReader { fs: root, mounts: &mounts, total: 0 };
    let mut files = Vec::new();
    let mut missing_dirs = Vec::new();
    for dir in &want.dirs {
        if r.kind(dir, true)? != Some(Kind::Dir) {
            missing_dirs.push(dir.clone());
            continue;
        }
        let mut names = root.list(dir)?;
        names.sort();
        for name in names {
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            if r.kind(&path, false)? == Some(Kind::File) {
                files.push(r.read_one(&path)?);
            }
        }
    }
    for path in &want.files {
        if r.kind(path, false)? == Some(Kind::File) {
            files.push(r.read_one(path)?);
        }
    }
    let mut existing = Vec::new();
    for p in &want.exists {
        if r.kind(p, true)?.is_some() {
            existing.push(p.clone());
        }
    }
    Ok(Snapshot { os, files, missing_dirs, existing })
}

/// Reads wanted paths from the root filesystem, checking that none lies on a filesystem
/// `/etc/fstab` mounts separately (the appliance would read that one).
struct FileReader<'a> {
    fs: &'a Fs,
    mounts: &'a [String],
    total: u64,
}

impl FileReader<'_> {
    /// `path`, and where it resolves to (its nearest existing ancestor's resolution plus
    /// the rest), may not lie under a separate mount.
    fn check_mounts(&self, path: &str) -> Result<(), DirectError> {
        let mut paths = vec![path.to_string()];
        let mut head = path;
        let mut tail = String::new();
        while !head.is_empty() {
            if let Some(c) = self.fs.canonical(head)? {
                paths.push(format!("{}{tail}", c.trim_end_matches('/')));
                break;
            }
            let Some((parent, name)) = head.rsplit_once('/') else { break };
            tail = format!("/{name}{tail}");
            head = parent;
        }
        for p in &paths {
            if let Some(m) =
                self.mounts.iter().find(|m| p == *m || p.strip_prefix(m.as_str()).is_some_and(|r| r.starts_with('/')))
            {
                return Err(DirectError::SeparateMount { mountpoint: m.clone() });
            }
        }
        Ok(())
    }

    fn kind(&self, path: &str, follow: bool) -> Result<Option<Kind>, DirectError> {
        if !self.mounts.is_empty() {
            self.check_mounts(path)?;
        }
        self.fs.kind(path, follow)
    }

    fn read_one(&mut self, path: &str) -> Result<FileRead, DirectError> {
        let m = self
            .fs
            .metadata(path, false)?
            .ok_or_else(|| DirectError::Guest { path: path.to_string(), why: "vanished while being read".into() })?;
        let content = self.fs.read(path, fs::MAX_FILE)?;
        self.total += content.len() as u64;
        if self.total > MAX_TOTAL {
            return Err(DirectError::TooLarge { path: path.to_string(), len: self.total, max: MAX_TOTAL });
        }
        Ok(FileRead {
            path: path.to_string(),
            mode: u32::from(m.mode),
            uid: i64::from(m.uid),
            gid: i64::from(m.gid),
            content,
            selinux_label: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_names_as_linux() {
        assert_eq!(disk_name(0), "/dev/sda");
        assert_eq!(disk_name(25), "/dev/sdz");
        assert_eq!(disk_name(26), "/dev/sdaa");
        assert_eq!(disk_name(27), "/dev/sdab");
        assert_eq!(disk_name(701), "/dev/sdzz");
        assert_eq!(disk_name(702), "/dev/sdaaa");
    }
}
