//! What a partition (or a whole disk) holds, and read-only access to the ext2/3/4 and XFS
//! filesystems among them, with every read bounded: ext through `ext4-view`, XFS through
//! our own reader ([`super::xfs`]).
//!
//! Paths are resolved inside the filesystem (by `ext4-view`, or by [`Xfs::resolve`]): an
//! absolute symlink target starts again at the filesystem's root, `..` stops at it, and at
//! most 40 symlinks are followed, as the kernel does inside the appliance's chroot. Nothing
//! on the host is ever looked up.

use std::rc::Rc;

use ext4_view::{Ext4, Ext4Error};

use super::xfs::{self, Xfs, XfsError};
use super::{DirectError, Source};

/// Largest file read (configs are small; the appliance reads bigger ones).
pub const MAX_FILE: u64 = 4 << 20;
/// Most entries read from one directory.
pub const MAX_DIR_ENTRIES: usize = 10_000;
/// Most block groups of a filesystem we load (`ext4-view` allocates one descriptor per
/// group up front): 2^20 groups are 128 TiB with 4 KiB blocks.
pub const MAX_GROUPS: u64 = 1 << 20;

/// A byte range of a disk: what `ext4-view` reads the filesystem from.
pub(crate) struct Region {
    pub src: Rc<dyn Source>,
    pub start: u64,
    pub len: u64,
}

impl Region {
    /// `len` bytes at `offset` in the region, or fewer at its end.
    fn head(&self, offset: u64, len: u64) -> Result<Vec<u8>, std::io::Error> {
        let len = len.min(self.len.saturating_sub(offset));
        let mut buf = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
        let at = self.start.checked_add(offset).ok_or_else(|| std::io::Error::other("offset overflows"))?;
        self.src.read_at(at, &mut buf)?;
        Ok(buf)
    }
}

impl Region {
    /// Fills `buf` from `offset` in the region; an error past its end.
    pub(crate) fn read_exact(&self, offset: u64, buf: &mut [u8]) -> Result<(), std::io::Error> {
        let end = offset.checked_add(buf.len() as u64).filter(|e| *e <= self.len);
        let at = self.start.checked_add(offset).filter(|_| end.is_some());
        let at =
            at.ok_or_else(|| std::io::Error::other(format!("{} bytes at {offset}: past the partition", buf.len())))?;
        self.src.read_at(at, buf)
    }
}

impl ext4_view::Ext4Read for Region {
    fn read(
        &mut self,
        start_byte: u64,
        dst: &mut [u8],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync + 'static>> {
        let end = start_byte.checked_add(dst.len() as u64).ok_or("read past the filesystem")?;
        if end > self.len {
            return Err(format!("read of {} bytes at {start_byte} past the end of the partition", dst.len()).into());
        }
        let at = self.start.checked_add(start_byte).ok_or("read past the filesystem")?;
        self.src.read_at(at, dst)?;
        Ok(())
    }
}

/// What a partition holds, as far as the direct reader is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// An ext2, ext3 or ext4 superblock.
    Ext,
    /// An XFS superblock.
    Xfs,
    /// Linux swap: never an OS root.
    Swap,
    /// Something we do not read (LVM, LUKS, btrfs, RAID, FAT, unknown ...).
    Other(&'static str),
}

fn at(b: &[u8], offset: usize, magic: &[u8]) -> bool {
    b.get(offset..offset + magic.len()) == Some(magic)
}

fn u32_at(b: &[u8], offset: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(offset..offset + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

/// Recognizes the content of a region by its signatures (blkid's, for the ones that
/// matter): first the containers and filesystems we do not read, then ext, XFS and swap.
pub(crate) fn probe(r: &Region) -> Result<Content, DirectError> {
    let io = |e: std::io::Error| DirectError::Io(e.to_string());
    // 68 KiB covers every signature below that is near the start (btrfs's is at 64 KiB).
    let head = r.head(0, 68 << 10).map_err(io)?;
    const MD_MAGIC: &[u8] = &0xa92b_4efc_u32.to_le_bytes();
    let foreign: &[(usize, &[u8], &'static str)] = &[
        (0, b"LUKS\xba\xbe", "a LUKS encrypted volume"),
        (0, b"SKUL\xba\xbe", "a LUKS2 encrypted volume"),
        (65536 + 64, b"_BHRfS_M", "a btrfs filesystem"),
        (3, b"NTFS    ", "an NTFS filesystem"),
        (0, b"hsqs", "a squashfs filesystem"),
        (32769, b"CD001", "an ISO 9660 filesystem"),
        (0, MD_MAGIC, "a RAID member (md 1.1)"),
        (4096, MD_MAGIC, "a RAID member (md 1.2)"),
        (24, b"LVM2 001", "an LVM physical volume"),
        (512 + 24, b"LVM2 001", "an LVM physical volume"),
        (1024 + 24, b"LVM2 001", "an LVM physical volume"),
        (1536 + 24, b"LVM2 001", "an LVM physical volume"),
        (0x36, b"FAT", "a FAT filesystem"),
        (0x52, b"FAT32", "a FAT filesystem"),
        (0x400, b"BCACHE", "a bcache device"),
    ];
    if let Some((_, _, what)) = foreign.iter().find(|(o, m, _)| at(&head, *o, m)) {
        return Ok(Content::Other(what));
    }
    // md 0.90 and 1.0 keep their superblock at the end, with a filesystem that looks
    // whole at the start: what the appliance reads is the assembled array.
    let end_90 = (r.len & !0xffff).checked_sub(0x10000);
    let end_10 = r.len.checked_sub(8192).map(|o| o & !0xfff);
    for offset in [end_90, end_10].into_iter().flatten() {
        if r.head(offset, 4).map_err(io)? == MD_MAGIC {
            return Ok(Content::Other("a RAID member (md 0.90 or 1.0)"));
        }
    }
    let ext = at(&head, 1024 + 56, &[0x53, 0xef]);
    let swap = [4096usize, 8192, 16384, 65536]
        .iter()
        .any(|page| at(&head, page - 10, b"SWAPSPACE2") || at(&head, page - 10, b"SWAP-SPACE"));
    let xfs = at(&head, 0, b"XFSB");
    match (ext, xfs, swap) {
        (true, false, false) => Ok(Content::Ext),
        (false, true, false) => Ok(Content::Xfs),
        (false, false, true) => Ok(Content::Swap),
        (false, false, false) => Ok(Content::Other("an unknown filesystem or none")),
        (true, false, true) => Ok(Content::Other("both an ext superblock and a swap signature")),
        _ => Ok(Content::Other("several signatures (ext, XFS, swap)")),
    }
}

/// One ext2/3/4 or XFS filesystem of the guest, with the device name libguestfs gives it.
pub struct Fs {
    pub device: String,
    backend: Backend,
}

enum Backend {
    Ext(Ext4),
    Xfs(Box<Xfs>),
}

/// Whether an `ext4-view` error means "no such object" (as ENOENT, ENOTDIR, ELOOP and
/// ENAMETOOLONG do for the kernel), not a filesystem we cannot read with certainty.
fn absent(e: &Ext4Error) -> bool {
    matches!(
        e,
        Ext4Error::NotFound
            | Ext4Error::NotADirectory
            | Ext4Error::TooManySymlinks
            | Ext4Error::PathTooLong
            | Ext4Error::MalformedPath
            | Ext4Error::NotAbsolute
    )
}

/// [`absent`] for XFS.
fn xfs_absent(e: &XfsError) -> bool {
    matches!(
        e,
        XfsError::NotFound | XfsError::NotADirectory | XfsError::Loop | XfsError::NameTooLong | XfsError::NotAbsolute
    )
}

/// The kind of object at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    Other,
}

/// What we read of an inode, from either filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    /// The permission bits (`st_mode & 0o7777`).
    pub mode: u16,
    pub uid: u32,
    pub gid: u32,
    /// Size in bytes.
    pub len: u64,
    pub kind: Kind,
}

impl From<&ext4_view::Metadata> for Metadata {
    fn from(m: &ext4_view::Metadata) -> Metadata {
        let t = m.file_type();
        let kind = if t.is_regular_file() {
            Kind::File
        } else if t.is_dir() {
            Kind::Dir
        } else if t.is_symlink() {
            Kind::Symlink
        } else {
            Kind::Other
        };
        Metadata { mode: m.mode(), uid: m.uid(), gid: m.gid(), len: m.len(), kind }
    }
}

impl From<&xfs::Inode> for Metadata {
    fn from(i: &xfs::Inode) -> Metadata {
        let kind = match i.file_type() {
            xfs::S_IFREG => Kind::File,
            xfs::S_IFDIR => Kind::Dir,
            xfs::S_IFLNK => Kind::Symlink,
            _ => Kind::Other,
        };
        Metadata { mode: i.mode & 0o7777, uid: i.uid, gid: i.gid, len: i.size, kind }
    }
}

impl Fs {
    /// Loads the ext filesystem in `r` after checking what `ext4-view` would allocate from
    /// its superblock: it must fit in its partition (the kernel refuses to mount it
    /// otherwise) and have at most [`MAX_GROUPS`] block groups.
    pub(crate) fn load(device: String, r: Region) -> Result<Fs, DirectError> {
        let bad = |why: String| DirectError::Fs { device: device.clone(), why };
        let sb = r.head(1024, 1024).map_err(|e| bad(e.to_string()))?;
        let log = u32_at(&sb, 24);
        if log > 6 {
            return Err(bad(format!("block size 2^{} KiB", log)));
        }
        let block_size = 1024u64 << log;
        let incompat = u32_at(&sb, 0x60);
        let mut blocks = u64::from(u32_at(&sb, 4));
        if incompat & 0x80 != 0 {
            blocks |= u64::from(u32_at(&sb, 0x150)) << 32;
        }
        match blocks.checked_mul(block_size) {
            Some(size) if size <= r.len => {}
            _ => return Err(bad("the filesystem is larger than its partition".into())),
        }
        let per_group = u64::from(u32_at(&sb, 32));
        if per_group == 0 || blocks / per_group >= MAX_GROUPS {
            return Err(bad(format!("{blocks} blocks in groups of {per_group}")));
        }
        let ext = Ext4::load(Box::new(r)).map_err(|e| bad(e.to_string()))?;
        Ok(Fs { device, backend: Backend::Ext(ext) })
    }

    /// Loads the XFS filesystem in `r` (superblock and root checked, log clean).
    pub(crate) fn load_xfs(device: String, r: Region) -> Result<Fs, DirectError> {
        match Xfs::load(r) {
            Ok(x) => Ok(Fs { device, backend: Backend::Xfs(Box::new(x)) }),
            Err(XfsError::Unsupported(what)) => {
                Err(DirectError::Unsupported { device, what: format!("XFS with {what}") })
            }
            Err(e) => Err(DirectError::Fs { device, why: e.to_string() }),
        }
    }

    fn fatal(&self, path: &str, e: impl std::fmt::Display) -> DirectError {
        DirectError::Fs { device: self.device.clone(), why: format!("{path}: {e}") }
    }

    /// The kind of object at `path` (the final symlink followed when `follow`), `None`
    /// when there is none.
    pub fn kind(&self, path: &str, follow: bool) -> Result<Option<Kind>, DirectError> {
        Ok(self.metadata(path, follow)?.map(|m| m.kind))
    }

    /// Like [`Fs::kind`], but a symlink loop or an overlong resolution is an error, as it
    /// is for libguestfs's inspection (only ENOENT and ENOTDIR mean "absent" there).
    pub fn kind_strict(&self, path: &str, follow: bool) -> Result<Option<Kind>, DirectError> {
        match &self.backend {
            Backend::Ext(ext) => {
                let r = if follow { ext.metadata(path) } else { ext.symlink_metadata(path) };
                match r {
                    Ok(m) => Ok(Some(Metadata::from(&m).kind)),
                    Err(Ext4Error::NotFound | Ext4Error::NotADirectory) => Ok(None),
                    Err(e) => Err(self.fatal(path, e)),
                }
            }
            Backend::Xfs(x) => match x.resolve(path.as_bytes(), follow) {
                Ok(f) => Ok(Some(Metadata::from(&*f.inode).kind)),
                Err(XfsError::NotFound | XfsError::NotADirectory) => Ok(None),
                Err(e) => Err(self.fatal(path, e)),
            },
        }
    }

    pub fn metadata(&self, path: &str, follow: bool) -> Result<Option<Metadata>, DirectError> {
        match &self.backend {
            Backend::Ext(ext) => {
                let r = if follow { ext.metadata(path) } else { ext.symlink_metadata(path) };
                match r {
                    Ok(m) => Ok(Some(Metadata::from(&m))),
                    Err(e) if absent(&e) => Ok(None),
                    Err(e) => Err(self.fatal(path, e)),
                }
            }
            Backend::Xfs(x) => match x.resolve(path.as_bytes(), follow) {
                Ok(f) => Ok(Some(Metadata::from(&*f.inode))),
                Err(e) if xfs_absent(&e) => Ok(None),
                Err(e) => Err(self.fatal(path, e)),
            },
        }
    }

    /// The target of the symlink at `path`, if it is one.
    pub fn read_link(&self, path: &str) -> Result<Option<Vec<u8>>, DirectError> {
        if self.kind_strict(path, false)? != Some(Kind::Symlink) {
            return Ok(None);
        }
        match &self.backend {
            Backend::Ext(ext) => match ext.read_link(path) {
                Ok(t) => Ok(Some(t.as_ref().to_vec())),
                Err(e) => Err(self.fatal(path, e)),
            },
            Backend::Xfs(x) => {
                let f = x.resolve(path.as_bytes(), false).map_err(|e| self.fatal(path, e))?;
                x.read_link(&f.inode).map(Some).map_err(|e| self.fatal(path, e))
            }
        }
    }

    /// The path `path` resolves to, all symlinks followed.
    pub fn canonical(&self, path: &str) -> Result<Option<String>, DirectError> {
        match &self.backend {
            Backend::Ext(ext) => match ext.canonicalize(path) {
                Ok(p) => Ok(p.to_str().ok().map(str::to_string)),
                Err(e) if absent(&e) => Ok(None),
                Err(e) => Err(self.fatal(path, e)),
            },
            Backend::Xfs(x) => match x.resolve(path.as_bytes(), true) {
                Ok(f) => Ok(String::from_utf8(f.path).ok()),
                Err(e) if xfs_absent(&e) => Ok(None),
                Err(e) => Err(self.fatal(path, e)),
            },
        }
    }

    /// The content of the regular file at `path` (symlinks followed), at most `max` bytes
    /// long: a bigger file is an error.
    pub fn read(&self, path: &str, max: u64) -> Result<Vec<u8>, DirectError> {
        let too_large = |len| DirectError::TooLarge { path: path.to_string(), len, max };
        match &self.backend {
            Backend::Ext(ext) => {
                let mut f = ext.open(path).map_err(|e| self.fatal(path, e))?;
                let len = f.metadata().len();
                if len > max {
                    return Err(too_large(len));
                }
                let n = usize::try_from(len).map_err(|_| too_large(len))?;
                let mut buf = vec![0; n];
                let mut done = 0;
                while let Some(rest) = buf.get_mut(done..) {
                    if rest.is_empty() {
                        break;
                    }
                    let got = f.read_bytes(rest).map_err(|e| self.fatal(path, e))?;
                    if got == 0 {
                        break;
                    }
                    done += got;
                }
                buf.truncate(done);
                Ok(buf)
            }
            Backend::Xfs(x) => {
                let f = x.resolve(path.as_bytes(), true).map_err(|e| self.fatal(path, e))?;
                match x.read_file(&f.inode, max) {
                    Ok(b) => Ok(b),
                    Err(XfsError::TooLarge { len, .. }) => Err(too_large(len)),
                    Err(e) => Err(self.fatal(path, e)),
                }
            }
        }
    }

    /// The names in directory `dir` (symlinks followed), without `.` and `..`, unsorted.
    /// A name that is not UTF-8 is an error (libguestfs's Rust binding fails on it too).
    pub fn list(&self, dir: &str) -> Result<Vec<String>, DirectError> {
        let too_many =
            || DirectError::Guest { path: dir.to_string(), why: format!("more than {MAX_DIR_ENTRIES} entries") };
        let raw: Vec<Vec<u8>> = match &self.backend {
            Backend::Ext(ext) => {
                let mut names = Vec::new();
                for entry in ext.read_dir(dir).map_err(|e| self.fatal(dir, e))? {
                    let entry = entry.map_err(|e| self.fatal(dir, e))?;
                    let name = entry.file_name();
                    if name.as_ref() == b"." || name.as_ref() == b".." {
                        continue;
                    }
                    if names.len() >= MAX_DIR_ENTRIES {
                        return Err(too_many());
                    }
                    names.push(name.as_ref().to_vec());
                }
                names
            }
            Backend::Xfs(x) => {
                let f = x.resolve(dir.as_bytes(), true).map_err(|e| self.fatal(dir, e))?;
                match x.read_dir(&f.inode, MAX_DIR_ENTRIES) {
                    Ok(entries) => entries.iter().map(|e| e.name.clone()).collect(),
                    Err(XfsError::Limit { what: "directory entries", .. }) => return Err(too_many()),
                    Err(e) => return Err(self.fatal(dir, e)),
                }
            }
        };
        raw.into_iter()
            .map(|name| {
                String::from_utf8(name).map_err(|e| DirectError::Guest {
                    path: dir.to_string(),
                    why: format!("a file name that is not UTF-8: {}", String::from_utf8_lossy(e.as_bytes())),
                })
            })
            .collect()
    }

    /// The XFS reader behind this filesystem, if it is XFS (for tests and tools).
    pub fn xfs(&self) -> Option<&Xfs> {
        match &self.backend {
            Backend::Xfs(x) => Some(x),
            Backend::Ext(_) => None,
        }
    }
}
