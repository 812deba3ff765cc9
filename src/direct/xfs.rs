//! A read-only XFS reader for what inspection needs: the superblock (v5 as mkfs.xfs makes
//! it today, and v4), v3/v2/v1 inodes, their data forks (local, extent list, bmap btree),
//! the five directory formats (shortform, block, leaf, node, btree: the data blocks are
//! found through the extent map and scanned, the hash index is not used), symlinks (inline
//! and remote), and regular files (holes and unwritten extents read as zeros).
//!
//! Everything on disk is untrusted: every read is bounds-checked, every count capped
//! ([`MAX_EXTENTS`], [`MAX_BTREE_LEVELS`], [`MAX_BTREE_BLOCKS`], [`MAX_DIR_BYTES`]), btree
//! levels must strictly decrease (no cycle), and path resolution follows at most
//! [`MAX_SYMLINKS`] symlinks. Magic numbers are checked (`XFSB`, `IN`, `BMAP`/`BMA3`,
//! `XD2B`/`XDB3`, `XD2D`/`XDD3`, `XSLM`), CRCs are not.
//!
//! The reader refuses, rather than guesses, what the kernel would read differently: a log
//! that is not clean (the kernel replays it on mount), an external log, case-insensitive
//! names, realtime files, unknown incompatible features.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::fs::Region;

/// Most extents of one inode we load.
pub const MAX_EXTENTS: usize = 1 << 16;
/// Deepest bmap btree we walk (the kernel's limit is 9 with 32-bit extent counts).
pub const MAX_BTREE_LEVELS: u16 = 12;
/// Most bmap btree blocks read for one inode.
pub const MAX_BTREE_BLOCKS: usize = 1 << 14;
/// Most bytes of directory data blocks scanned for one directory.
pub const MAX_DIR_BYTES: u64 = 64 << 20;
/// Symlinks followed in one path resolution (the kernel's MAXSYMLINKS).
pub const MAX_SYMLINKS: usize = 40;
/// Longest path (PATH_MAX) and name (NAME_MAX), as the kernel has them.
pub const PATH_MAX: usize = 4096;
pub const NAME_MAX: usize = 255;
/// Longest symlink target XFS stores (XFS_SYMLINK_MAXLEN).
pub const SYMLINK_MAX: u64 = 1024;
/// Most entries of one directory a lookup scans.
pub const MAX_LOOKUP_ENTRIES: usize = 1 << 18;
/// Most inodes, and most directory entries, kept parsed between lookups.
const CACHE_MAX: usize = 1 << 16;

/// Why an XFS filesystem, or one path in it, cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XfsError {
    #[error("read error: {0}")]
    Io(String),
    #[error("superblock: {0}")]
    Superblock(String),
    /// Something the kernel would read differently, or that we do not read: the text
    /// follows "XFS with".
    #[error("XFS with {0}")]
    Unsupported(String),
    #[error("corrupt {0}")]
    Corrupt(String),
    #[error("{what}: more than {max}")]
    Limit { what: &'static str, max: u64 },
    #[error("no such file or directory")]
    NotFound,
    #[error("not a directory")]
    NotADirectory,
    #[error("too many levels of symbolic links")]
    Loop,
    #[error("file name too long")]
    NameTooLong,
    #[error("not an absolute path")]
    NotAbsolute,
    #[error("not a regular file")]
    NotAFile,
    #[error("not a symlink")]
    NotASymlink,
    #[error("{len} bytes (more than {max})")]
    TooLarge { len: u64, max: u64 },
}

type Result<T> = std::result::Result<T, XfsError>;

fn corrupt(what: impl Into<String>) -> XfsError {
    XfsError::Corrupt(what.into())
}

fn bytes<const N: usize>(b: &[u8], o: usize) -> Result<[u8; N]> {
    o.checked_add(N)
        .and_then(|e| b.get(o..e))
        .and_then(|s| <[u8; N]>::try_from(s).ok())
        .ok_or_else(|| corrupt(format!("structure: {N} bytes at {o} past its end ({})", b.len())))
}
fn be16(b: &[u8], o: usize) -> Result<u16> {
    Ok(u16::from_be_bytes(bytes(b, o)?))
}
fn be32(b: &[u8], o: usize) -> Result<u32> {
    Ok(u32::from_be_bytes(bytes(b, o)?))
}
fn be64(b: &[u8], o: usize) -> Result<u64> {
    Ok(u64::from_be_bytes(bytes(b, o)?))
}
fn byte(b: &[u8], o: usize) -> Result<u8> {
    Ok(bytes::<1>(b, o)?[0])
}
fn usz(v: u64) -> Result<usize> {
    usize::try_from(v).map_err(|_| corrupt(format!("size {v}")))
}
fn log2_exact(v: u64) -> Option<u8> {
    v.is_power_of_two().then(|| v.trailing_zeros() as u8)
}

const SB_MAGIC: u32 = 0x5846_5342; // XFSB
const DINODE_MAGIC: u16 = 0x494e; // IN
const BMAP_MAGIC: u32 = 0x424d_4150; // BMAP
const BMAP_CRC_MAGIC: u32 = 0x424d_4133; // BMA3
const DIR2_BLOCK_MAGIC: u32 = 0x5844_3242; // XD2B
const DIR3_BLOCK_MAGIC: u32 = 0x5844_4233; // XDB3
const DIR2_DATA_MAGIC: u32 = 0x5844_3244; // XD2D
const DIR3_DATA_MAGIC: u32 = 0x5844_4433; // XDD3
const SYMLINK_MAGIC: u32 = 0x5853_4c4d; // XSLM
const LOG_HEADER_MAGIC: u32 = 0xfeed_babe;

/// The directory offset where a directory's leaf (hash) blocks start: data blocks are below.
const DIR2_LEAF_OFFSET: u64 = 1 << 35;

const FMT_LOCAL: u8 = 1;
const FMT_EXTENTS: u8 = 2;
const FMT_BTREE: u8 = 3;

pub const S_IFMT: u16 = 0o170_000;
pub const S_IFDIR: u16 = 0o040_000;
pub const S_IFREG: u16 = 0o100_000;
pub const S_IFLNK: u16 = 0o120_000;

/// What the superblock says, checked as the kernel's `xfs_validate_sb_common` does (for the
/// fields we use).
#[derive(Debug, Clone)]
struct Geometry {
    v5: bool,
    ftype: bool,
    block_size: u64,
    block_log: u8,
    ag_blocks: u64,
    ag_blk_log: u8,
    ag_count: u64,
    inode_size: u64,
    inode_log: u8,
    inop_log: u8,
    dir_blk_log: u8,
    root_ino: u64,
    log_start: u64,
    log_blocks: u64,
}

impl Geometry {
    fn parse(sb: &[u8], region_len: u64) -> Result<Geometry> {
        let bad = |why: String| XfsError::Superblock(why);
        if be32(sb, 0)? != SB_MAGIC {
            return Err(bad("no XFSB magic".into()));
        }
        let versionnum = be16(sb, 100)?;
        let version = versionnum & 0xf;
        let features2 = be32(sb, 200)?;
        let (v5, ftype) = match version {
            5 => {
                let incompat = be32(sb, 216)?;
                // ftype, sparse inodes, meta uuid, bigtime, nrext64, exchange-range, parent.
                const KNOWN: u32 = 1 | 2 | 4 | 8 | 32 | 64 | 128;
                if incompat & 16 != 0 {
                    return Err(XfsError::Unsupported("the needsrepair flag".into()));
                }
                if incompat & !KNOWN != 0 {
                    return Err(XfsError::Unsupported(format!(
                        "unknown incompatible features {:#x}",
                        incompat & !KNOWN
                    )));
                }
                (true, incompat & 1 != 0)
            }
            4 => {
                if versionnum & 0x2000 == 0 {
                    return Err(XfsError::Unsupported("version 1 directories".into()));
                }
                let more = versionnum & 0x8000 != 0;
                (false, more && features2 & 0x200 != 0)
            }
            v => return Err(bad(format!("version {v}"))),
        };
        if versionnum & 0x4000 != 0 {
            return Err(XfsError::Unsupported("case-insensitive names (ascii-ci)".into()));
        }
        let block_size = u64::from(be32(sb, 4)?);
        let block_log = byte(sb, 120)?;
        if !(512..=65536).contains(&block_size) || log2_exact(block_size) != Some(block_log) {
            return Err(bad(format!("block size {block_size} (log {block_log})")));
        }
        let sect_size = u64::from(be16(sb, 102)?);
        if !(512..=32768).contains(&sect_size) || log2_exact(sect_size) != Some(byte(sb, 121)?) {
            return Err(bad(format!("sector size {sect_size}")));
        }
        let inode_size = u64::from(be16(sb, 104)?);
        let inode_log = byte(sb, 122)?;
        let min_inode = if v5 { 512 } else { 256 };
        if !(min_inode..=2048).contains(&inode_size)
            || log2_exact(inode_size) != Some(inode_log)
            || inode_size > block_size
        {
            return Err(bad(format!("inode size {inode_size}")));
        }
        let inop_log = byte(sb, 123)?;
        if u64::from(be16(sb, 106)?) != block_size / inode_size || inop_log != block_log - inode_log {
            return Err(bad("inodes per block".into()));
        }
        let ag_blocks = u64::from(be32(sb, 84)?);
        let ag_blk_log = byte(sb, 124)?;
        let ag_count = u64::from(be32(sb, 88)?);
        if ag_blocks < 2 || ag_count == 0 || ag_blocks.next_power_of_two().trailing_zeros() != u32::from(ag_blk_log) {
            return Err(bad(format!("{ag_count} groups of {ag_blocks} blocks (log {ag_blk_log})")));
        }
        if u32::from(ag_blk_log) + u32::from(inop_log) >= 64 {
            return Err(bad("inode numbers wider than 64 bits".into()));
        }
        let dblocks = be64(sb, 8)?;
        let size = dblocks.checked_mul(block_size);
        // Every AG but the last is whole (xfs_validate_sb_common).
        let whole = (ag_count - 1).saturating_mul(ag_blocks);
        if dblocks <= whole || dblocks > ag_count.saturating_mul(ag_blocks) {
            return Err(bad(format!("{dblocks} blocks in {ag_count} groups of {ag_blocks}")));
        }
        if size.is_none_or(|s| s > region_len) {
            // The kernel refuses to mount a filesystem larger than its device.
            return Err(bad("the filesystem is larger than its partition".into()));
        }
        let dir_blk_log = byte(sb, 192)?;
        if u32::from(block_log) + u32::from(dir_blk_log) > 16 {
            return Err(bad(format!("directory block log {dir_blk_log}")));
        }
        if byte(sb, 126)? != 0 {
            return Err(XfsError::Unsupported("an unfinished mkfs (sb_inprogress)".into()));
        }
        let log_start = be64(sb, 48)?;
        if log_start == 0 {
            return Err(XfsError::Unsupported("an external log".into()));
        }
        Ok(Geometry {
            v5,
            ftype,
            block_size,
            block_log,
            ag_blocks,
            ag_blk_log,
            ag_count,
            inode_size,
            inode_log,
            inop_log,
            dir_blk_log,
            root_ino: be64(sb, 56)?,
            log_start,
            log_blocks: u64::from(be32(sb, 96)?),
        })
    }

    /// The byte offset of filesystem block `fsb` (AG number and block in it).
    fn fsb_to_byte(&self, fsb: u64) -> Result<u64> {
        let agno = fsb >> self.ag_blk_log;
        let agbno = fsb & ((1u64 << self.ag_blk_log) - 1);
        if agno >= self.ag_count || agbno >= self.ag_blocks {
            return Err(corrupt(format!("block number {fsb}")));
        }
        agno.checked_mul(self.ag_blocks)
            .and_then(|b| b.checked_add(agbno))
            .and_then(|b| b.checked_mul(self.block_size))
            .ok_or_else(|| corrupt(format!("block number {fsb}")))
    }

    /// Whether `count` blocks from `fsb` stay in one allocation group.
    fn extent_fits(&self, fsb: u64, count: u64) -> bool {
        let agno = fsb >> self.ag_blk_log;
        let agbno = fsb & ((1u64 << self.ag_blk_log) - 1);
        agno < self.ag_count && agbno.checked_add(count).is_some_and(|e| e <= self.ag_blocks)
    }

    fn inode_byte(&self, ino: u64) -> Result<u64> {
        let shift = u32::from(self.ag_blk_log) + u32::from(self.inop_log);
        let agno = ino.checked_shr(shift).unwrap_or(0);
        let agbno = (ino >> self.inop_log) & ((1u64 << self.ag_blk_log) - 1);
        let index = ino & ((1u64 << self.inop_log) - 1);
        if agno >= self.ag_count || agbno >= self.ag_blocks {
            return Err(corrupt(format!("inode number {ino}")));
        }
        let fsb = (agno << self.ag_blk_log) | agbno;
        self.fsb_to_byte(fsb)?
            .checked_add(index << self.inode_log)
            .ok_or_else(|| corrupt(format!("inode number {ino}")))
    }
}

/// One mapping of file blocks to disk blocks (a bmbt record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// First file block.
    pub offset: u64,
    /// First filesystem block.
    pub block: u64,
    pub count: u64,
    /// Allocated but never written: reads as zeros.
    pub unwritten: bool,
}

impl Extent {
    fn parse(rec: &[u8]) -> Result<Extent> {
        let l0 = be64(rec, 0)?;
        let l1 = be64(rec, 8)?;
        Ok(Extent {
            unwritten: l0 >> 63 != 0,
            offset: (l0 & ((1u64 << 63) - 1)) >> 9,
            block: ((l0 & 0x1ff) << 43) | (l1 >> 21),
            count: l1 & ((1u64 << 21) - 1),
        })
    }
    fn end(&self) -> u64 {
        self.offset.saturating_add(self.count)
    }
}

/// An inode's core fields and its data fork.
#[derive(Debug, Clone)]
pub struct Inode {
    pub ino: u64,
    pub mode: u16,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    format: u8,
    nextents: u64,
    realtime: bool,
    fork: Vec<u8>,
}

impl Inode {
    pub fn file_type(&self) -> u16 {
        self.mode & S_IFMT
    }
    pub fn is_dir(&self) -> bool {
        self.file_type() == S_IFDIR
    }
    pub fn is_file(&self) -> bool {
        self.file_type() == S_IFREG
    }
    pub fn is_symlink(&self) -> bool {
        self.file_type() == S_IFLNK
    }
}

/// A directory entry (never `.` or `..`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    /// The entry's file type (XFS_DIR3_FT_*) when the filesystem records it, else 0.
    pub ftype: u8,
}

/// What a path resolves to.
#[derive(Debug, Clone)]
pub struct Found {
    pub inode: Rc<Inode>,
    /// The path with every symlink followed, `.` and `..` gone.
    pub path: Vec<u8>,
}

/// One XFS filesystem.
pub struct Xfs {
    region: Region,
    geo: Geometry,
    inodes: RefCell<HashMap<u64, Rc<Inode>>>,
    dirs: RefCell<HashMap<u64, Rc<Vec<DirEntry>>>>,
    /// Entries in `dirs`.
    cached: std::cell::Cell<usize>,
}

impl Xfs {
    /// Checks the superblock, the root inode and that the log is clean.
    pub(crate) fn load(region: Region) -> Result<Xfs> {
        let mut sb = vec![0u8; 512];
        region.read_exact(0, &mut sb).map_err(|e| XfsError::Io(e.to_string()))?;
        let geo = Geometry::parse(&sb, region.len)?;
        let xfs = Xfs { region, geo, inodes: RefCell::default(), dirs: RefCell::default(), cached: Default::default() };
        if !xfs.log_is_clean()? {
            return Err(XfsError::Unsupported("a log that is not clean (the kernel would replay it on mount)".into()));
        }
        if !xfs.inode(xfs.geo.root_ino)?.is_dir() {
            return Err(corrupt("root inode: not a directory"));
        }
        Ok(xfs)
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        self.region.read_exact(offset, buf).map_err(|e| XfsError::Io(format!("{} bytes at {offset}: {e}", buf.len())))
    }

    fn read_block(&self, fsb: u64) -> Result<Vec<u8>> {
        let mut b = vec![0u8; usz(self.geo.block_size)?];
        self.read_at(self.geo.fsb_to_byte(fsb)?, &mut b)?;
        Ok(b)
    }

    /// Inode `ino`, checked (magic, version, its own number on v5, fork sizes).
    pub fn inode(&self, ino: u64) -> Result<Rc<Inode>> {
        if let Some(i) = self.inodes.borrow().get(&ino) {
            return Ok(Rc::clone(i));
        }
        let inode = Rc::new(self.read_inode(ino)?);
        let mut cache = self.inodes.borrow_mut();
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(ino, Rc::clone(&inode));
        Ok(inode)
    }

    fn read_inode(&self, ino: u64) -> Result<Inode> {
        let bad = |why: &str| corrupt(format!("inode {ino}: {why}"));
        let mut b = vec![0u8; usz(self.geo.inode_size)?];
        self.read_at(self.geo.inode_byte(ino)?, &mut b)?;
        if be16(&b, 0)? != DINODE_MAGIC {
            return Err(bad("no IN magic"));
        }
        let version = byte(&b, 4)?;
        let core = match (self.geo.v5, version) {
            (true, 3) => 176,
            (false, 1 | 2) => 100,
            _ => return Err(bad(&format!("version {version}"))),
        };
        if version == 3 && be64(&b, 152)? != ino {
            return Err(bad("its recorded number differs"));
        }
        let mode = be16(&b, 2)?;
        if mode == 0 {
            return Err(bad("a free inode in use"));
        }
        let format = byte(&b, 5)?;
        let size = be64(&b, 56)?;
        if size > i64::MAX as u64 {
            return Err(bad("negative size"));
        }
        let flags2 = if version == 3 { be64(&b, 120)? } else { 0 };
        let nextents = if flags2 & 0x10 != 0 { be64(&b, 24)? } else { u64::from(be32(&b, 76)?) };
        let forkoff = usize::from(byte(&b, 82)?) * 8;
        let fork_len = if forkoff == 0 { b.len() - core } else { forkoff };
        let fork = b.get(core..core + fork_len).ok_or_else(|| bad("attribute fork offset past the inode"))?.to_vec();
        let (uid, gid) = (be32(&b, 8)?, be32(&b, 12)?);
        Ok(Inode { ino, mode, uid, gid, size, format, nextents, realtime: be16(&b, 90)? & 1 != 0, fork })
    }

    /// The extents of `inode`'s data fork, sorted, checked not to overlap and to lie in the
    /// filesystem.
    pub fn extents(&self, inode: &Inode) -> Result<Vec<Extent>> {
        let bad = |why: String| corrupt(format!("inode {}: {why}", inode.ino));
        if inode.nextents > MAX_EXTENTS as u64 {
            return Err(XfsError::Limit { what: "extents in one file", max: MAX_EXTENTS as u64 });
        }
        let mut out = Vec::new();
        match inode.format {
            FMT_EXTENTS => {
                let n = usz(inode.nextents)?;
                if n.saturating_mul(16) > inode.fork.len() {
                    return Err(bad(format!("{n} extents do not fit in the inode")));
                }
                for i in 0..n {
                    out.push(Extent::parse(inode.fork.get(i * 16..).unwrap_or_default())?);
                }
            }
            FMT_BTREE => self.btree_extents(inode, &mut out)?,
            f => return Err(bad(format!("data fork format {f} where extents are expected"))),
        }
        let mut end = 0u64;
        for e in &out {
            if e.count == 0 || e.offset < end || !self.geo.extent_fits(e.block, e.count) {
                return Err(bad(format!("extent {e:?}")));
            }
            end = e.end();
        }
        if inode.format == FMT_BTREE && out.len() as u64 != inode.nextents {
            return Err(bad(format!("{} extents in its btree, {} in its core", out.len(), inode.nextents)));
        }
        Ok(out)
    }

    /// Walks the bmap btree whose root is in `inode`'s fork, level by level down, each child
    /// at exactly one level less than its parent.
    fn btree_extents(&self, inode: &Inode, out: &mut Vec<Extent>) -> Result<()> {
        let bad = |why: String| corrupt(format!("inode {} bmap btree: {why}", inode.ino));
        let root = &inode.fork;
        let level = be16(root, 0)?;
        let numrecs = usize::from(be16(root, 2)?);
        let maxrecs = root.len().saturating_sub(4) / 16;
        if level == 0 || level > MAX_BTREE_LEVELS || numrecs == 0 || numrecs > maxrecs {
            return Err(bad(format!("root of level {level} with {numrecs} records")));
        }
        let mut ptrs = Vec::with_capacity(numrecs);
        for i in 0..numrecs {
            ptrs.push(be64(root, 4 + maxrecs * 8 + i * 8)?);
        }
        let (hdr, magic) = if self.geo.v5 { (72, BMAP_CRC_MAGIC) } else { (24, BMAP_MAGIC) };
        let bs = usz(self.geo.block_size)?;
        let per_block = (bs - hdr) / 16;
        let mut visited = 0usize;
        // Depth first, children in key order: the records come out sorted.
        let mut stack: Vec<(u64, u16)> = ptrs.into_iter().rev().map(|p| (p, level - 1)).collect();
        while let Some((fsb, want)) = stack.pop() {
            visited += 1;
            if visited > MAX_BTREE_BLOCKS {
                return Err(XfsError::Limit { what: "bmap btree blocks", max: MAX_BTREE_BLOCKS as u64 });
            }
            let b = self.read_block(fsb)?;
            if be32(&b, 0)? != magic {
                return Err(bad(format!("block {fsb}: bad magic")));
            }
            let lvl = be16(&b, 4)?;
            let n = usize::from(be16(&b, 6)?);
            if lvl != want || n == 0 || n > per_block {
                return Err(bad(format!("block {fsb}: level {lvl} (want {want}), {n} records")));
            }
            if self.geo.v5 && be64(&b, 56)? != inode.ino {
                return Err(bad(format!("block {fsb}: owned by inode {}", be64(&b, 56)?)));
            }
            if lvl == 0 {
                if out.len() + n > MAX_EXTENTS {
                    return Err(XfsError::Limit { what: "extents in one file", max: MAX_EXTENTS as u64 });
                }
                for i in 0..n {
                    out.push(Extent::parse(b.get(hdr + i * 16..).unwrap_or_default())?);
                }
            } else {
                for i in (0..n).rev() {
                    stack.push((be64(&b, hdr + per_block * 8 + i * 8)?, lvl - 1));
                }
            }
        }
        Ok(())
    }

    /// The disk block holding file block `fblock`, from sorted `extents`.
    fn map(extents: &[Extent], fblock: u64) -> Option<&Extent> {
        let i = extents.partition_point(|e| e.end() <= fblock);
        extents.get(i).filter(|e| e.offset <= fblock)
    }

    /// The content of regular file `inode`, at most `max` bytes long.
    pub fn read_file(&self, inode: &Inode, max: u64) -> Result<Vec<u8>> {
        if !inode.is_file() {
            return Err(XfsError::NotAFile);
        }
        if inode.size > max {
            return Err(XfsError::TooLarge { len: inode.size, max });
        }
        if inode.realtime {
            return Err(XfsError::Unsupported("a file on the realtime device".into()));
        }
        let mut buf = vec![0u8; usz(inode.size)?];
        if inode.size == 0 && inode.format == FMT_LOCAL {
            return Ok(buf);
        }
        let bs = self.geo.block_size;
        for e in self.extents(inode)? {
            let Some(start) = e.offset.checked_mul(bs).filter(|s| *s < inode.size) else { continue };
            if e.unwritten {
                continue;
            }
            let len = e.count.saturating_mul(bs).min(inode.size - start);
            let dst = buf.get_mut(usz(start)?..usz(start + len)?).ok_or_else(|| corrupt("extent past the file"))?;
            self.read_at(self.geo.fsb_to_byte(e.block)?, dst)?;
        }
        Ok(buf)
    }

    /// The target of symlink `inode`.
    pub fn read_link(&self, inode: &Inode) -> Result<Vec<u8>> {
        let bad = |why: &str| corrupt(format!("symlink inode {}: {why}", inode.ino));
        if !inode.is_symlink() {
            return Err(XfsError::NotASymlink);
        }
        if inode.size == 0 || inode.size > SYMLINK_MAX {
            return Err(bad(&format!("length {}", inode.size)));
        }
        let size = usz(inode.size)?;
        if inode.format == FMT_LOCAL {
            return inode.fork.get(..size).map(<[u8]>::to_vec).ok_or_else(|| bad("longer than its inode"));
        }
        // One chunk per extent, each with its own header on v5 (xfs_readlink_bmap).
        let hdr = if self.geo.v5 { 56 } else { 0 };
        let bs = self.geo.block_size;
        let blocks = inode.size.div_ceil(bs - hdr);
        let mut out = Vec::with_capacity(size);
        let mut next = 0u64;
        for e in self.extents(inode)? {
            if out.len() >= size || e.offset >= blocks {
                break;
            }
            if e.unwritten || e.offset != next {
                return Err(bad("a hole or an unwritten extent"));
            }
            next = e.end();
            let count = e.count.min(blocks - e.offset);
            let mut b = vec![0u8; usz(count * bs)?];
            self.read_at(self.geo.fsb_to_byte(e.block)?, &mut b)?;
            let want = (size - out.len()).min(b.len() - usz(hdr)?);
            if self.geo.v5
                && (be32(&b, 0)? != SYMLINK_MAGIC
                    || usz(u64::from(be32(&b, 4)?))? != out.len()
                    || usz(u64::from(be32(&b, 8)?))? != want
                    || be64(&b, 32)? != inode.ino)
            {
                return Err(bad("bad remote block header"));
            }
            out.extend_from_slice(b.get(usz(hdr)?..usz(hdr)? + want).ok_or_else(|| bad("short block"))?);
        }
        if out.len() != size {
            return Err(bad("a hole"));
        }
        Ok(out)
    }

    /// The entries of directory `dir` (without `.` and `..`), in on-disk order, at most
    /// `max` of them.
    pub fn read_dir(&self, dir: &Inode, max: usize) -> Result<Rc<Vec<DirEntry>>> {
        if !dir.is_dir() {
            return Err(XfsError::NotADirectory);
        }
        if let Some(d) = self.dirs.borrow().get(&dir.ino) {
            if d.len() > max {
                return Err(XfsError::Limit { what: "directory entries", max: max as u64 });
            }
            return Ok(Rc::clone(d));
        }
        let mut out = Vec::new();
        let mut push = |e: DirEntry| {
            if e.name == b"." || e.name == b".." {
                return Ok(());
            }
            if e.name.is_empty() || e.name.contains(&b'/') || e.name.contains(&0) {
                return Err(corrupt(format!("directory inode {}: entry {:?}", dir.ino, e.name)));
            }
            if out.len() >= max {
                return Err(XfsError::Limit { what: "directory entries", max: max as u64 });
            }
            out.push(e);
            Ok(())
        };
        match dir.format {
            FMT_LOCAL => self.shortform(dir, &mut push)?,
            FMT_EXTENTS | FMT_BTREE => self.dir_blocks(dir, &mut push)?,
            f => return Err(corrupt(format!("directory inode {}: data fork format {f}", dir.ino))),
        }
        let out = Rc::new(out);
        let mut cache = self.dirs.borrow_mut();
        if self.cached.get() + out.len() > CACHE_MAX {
            cache.clear();
            self.cached.set(0);
        }
        self.cached.set(self.cached.get() + out.len());
        cache.insert(dir.ino, Rc::clone(&out));
        Ok(out)
    }

    fn shortform(&self, dir: &Inode, push: &mut impl FnMut(DirEntry) -> Result<()>) -> Result<()> {
        let bad = |why: &str| corrupt(format!("shortform directory inode {}: {why}", dir.ino));
        let b = dir.fork.get(..usz(dir.size)?).ok_or_else(|| bad("longer than its inode"))?;
        let count = byte(b, 0)?;
        let wide = byte(b, 1)? != 0;
        let ino_len = if wide { 8 } else { 4 };
        let mut off = 2 + ino_len;
        for _ in 0..count {
            let namelen = usize::from(byte(b, off)?);
            let name = b.get(off + 3..off + 3 + namelen).ok_or_else(|| bad("an entry past its end"))?;
            let mut at = off + 3 + namelen;
            let ftype = if self.geo.ftype {
                at += 1;
                byte(b, at - 1)?
            } else {
                0
            };
            let ino = if wide { be64(b, at)? } else { u64::from(be32(b, at)?) };
            push(DirEntry { name: name.to_vec(), ino, ftype })?;
            off = at + ino_len;
        }
        Ok(())
    }

    /// Scans every data block of a block, leaf, node or btree directory.
    fn dir_blocks(&self, dir: &Inode, push: &mut impl FnMut(DirEntry) -> Result<()>) -> Result<()> {
        let bad = |why: String| corrupt(format!("directory inode {}: {why}", dir.ino));
        let extents = self.extents(dir)?;
        let bs = self.geo.block_size;
        let per_dirblk = 1u64 << self.geo.dir_blk_log;
        let dirblk_size = bs << self.geo.dir_blk_log;
        let leaf_block = DIR2_LEAF_OFFSET >> self.geo.block_log;
        // Block form: the directory is exactly one directory block (xfs_dir2_isblock).
        let block_form = extents.last().is_some_and(|e| e.end().checked_mul(bs) == Some(dirblk_size));
        let mut data_blocks = 0u64;
        for e in &extents {
            data_blocks += e.end().min(leaf_block).saturating_sub(e.offset);
        }
        if data_blocks.saturating_mul(bs) > MAX_DIR_BYTES {
            return Err(XfsError::Limit { what: "bytes of directory data", max: MAX_DIR_BYTES });
        }
        let (hdr, magic) = match (self.geo.v5, block_form) {
            (true, true) => (64, DIR3_BLOCK_MAGIC),
            (true, false) => (64, DIR3_DATA_MAGIC),
            (false, true) => (16, DIR2_BLOCK_MAGIC),
            (false, false) => (16, DIR2_DATA_MAGIC),
        };
        let mut last = None;
        for e in &extents {
            for fb in e.offset..e.end().min(leaf_block) {
                let db = fb >> self.geo.dir_blk_log;
                if last == Some(db) {
                    continue;
                }
                last = Some(db);
                let mut block = vec![0u8; usz(dirblk_size)?];
                for (i, chunk) in block.chunks_mut(usz(bs)?).enumerate() {
                    let f = db * per_dirblk + i as u64;
                    let m = Self::map(&extents, f)
                        .filter(|m| !m.unwritten)
                        .ok_or_else(|| bad(format!("a hole in directory block {db}")))?;
                    self.read_at(self.geo.fsb_to_byte(m.block + (f - m.offset))?, chunk)?;
                }
                if be32(&block, 0)? != magic {
                    return Err(bad(format!("directory block {db}: bad magic")));
                }
                if self.geo.v5 && be64(&block, 40)? != dir.ino {
                    return Err(bad(format!("directory block {db}: owned by another inode")));
                }
                let end = if block_form {
                    let count = u64::from(be32(&block, block.len() - 8)?);
                    let leaf = count.checked_mul(8).and_then(|l| dirblk_size.checked_sub(8 + l));
                    usz(leaf.filter(|l| *l >= hdr as u64).ok_or_else(|| bad("block tail".into()))?)?
                } else {
                    block.len()
                };
                self.data_entries(dir, &block, hdr, end, push)?;
            }
        }
        Ok(())
    }

    /// The entries of one directory data block, between its header and `end`.
    fn data_entries(
        &self,
        dir: &Inode,
        b: &[u8],
        mut off: usize,
        end: usize,
        push: &mut impl FnMut(DirEntry) -> Result<()>,
    ) -> Result<()> {
        let bad = |why: &str| corrupt(format!("directory inode {}: {why}", dir.ino));
        while off < end {
            if be16(b, off)? == 0xffff {
                let len = usize::from(be16(b, off + 2)?);
                if len < 8 || len % 8 != 0 || off + len > end {
                    return Err(bad("a free space entry"));
                }
                off += len;
                continue;
            }
            let ino = be64(b, off)?;
            let namelen = usize::from(byte(b, off + 8)?);
            let name = b.get(off + 9..off + 9 + namelen).ok_or_else(|| bad("an entry past its block"))?;
            let ftype = if self.geo.ftype { byte(b, off + 9 + namelen)? } else { 0 };
            let len = (9 + namelen + usize::from(self.geo.ftype) + 2).next_multiple_of(8);
            if namelen == 0 || off + len > end {
                return Err(bad("an entry past its block"));
            }
            push(DirEntry { name: name.to_vec(), ino, ftype })?;
            off += len;
        }
        Ok(())
    }

    /// The inode `name` in directory `dir` names, if any.
    pub fn lookup(&self, dir: &Inode, name: &[u8]) -> Result<Option<u64>> {
        let entries = self.read_dir(dir, MAX_LOOKUP_ENTRIES)?;
        Ok(entries.iter().find(|e| e.name == name).map(|e| e.ino))
    }

    /// The byte offset in the filesystem of block `fsb` (an [`Extent::block`]).
    pub fn block_byte(&self, fsb: u64) -> Result<u64> {
        self.geo.fsb_to_byte(fsb)
    }

    /// The byte offset in the filesystem of the (internal) log.
    pub fn log_byte(&self) -> u64 {
        self.geo.fsb_to_byte(self.geo.log_start).unwrap_or(0)
    }

    pub fn block_size(&self) -> u64 {
        self.geo.block_size
    }

    pub fn root(&self) -> Result<Rc<Inode>> {
        self.inode(self.geo.root_ino)
    }

    /// Resolves absolute `path` as the kernel does inside a chroot of this filesystem: an
    /// absolute symlink target starts again at the root, `..` at the root stays there, at
    /// most [`MAX_SYMLINKS`] symlinks are followed; the last component's symlink only when
    /// `follow`.
    pub fn resolve(&self, path: &[u8], follow: bool) -> Result<Found> {
        if path.first() != Some(&b'/') {
            return Err(XfsError::NotAbsolute);
        }
        if path.len() >= PATH_MAX {
            return Err(XfsError::NameTooLong);
        }
        let root = self.root()?;
        let mut todo: Vec<Vec<u8>> = Vec::new();
        push_components(&mut todo, path);
        let mut stack: Vec<(Vec<u8>, Rc<Inode>)> = Vec::new();
        let mut links = 0;
        while let Some(name) = todo.pop() {
            let cur = stack.last().map_or(&root, |(_, i)| i);
            if !cur.is_dir() {
                return Err(XfsError::NotADirectory);
            }
            if name == b"." {
                continue;
            }
            if name == b".." {
                stack.pop();
                continue;
            }
            if name.len() > NAME_MAX {
                return Err(XfsError::NameTooLong);
            }
            let ino = self.lookup(cur, &name)?.ok_or(XfsError::NotFound)?;
            let child = self.inode(ino)?;
            if child.is_symlink() && (follow || !todo.is_empty()) {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(XfsError::Loop);
                }
                let target = self.read_link(&child)?;
                if target.first() == Some(&b'/') {
                    stack.clear();
                }
                push_components(&mut todo, &target);
                continue;
            }
            stack.push((name, child));
        }
        let inode = stack.last().map_or(root.clone(), |(_, i)| Rc::clone(i));
        let mut path = Vec::new();
        for (name, _) in &stack {
            path.push(b'/');
            path.extend_from_slice(name);
        }
        if path.is_empty() {
            path.push(b'/');
        }
        Ok(Found { inode, path })
    }

    /// Whether the log ends with an unmount record right before its head, as after a clean
    /// unmount or mkfs (`xlog_find_head` and `xlog_check_unmount_rec`, simplified: anything
    /// unusual is "not clean").
    fn log_is_clean(&self) -> Result<bool> {
        const BB: u64 = 512;
        let start = self.geo.fsb_to_byte(self.geo.log_start)?;
        let bbs = self.geo.log_blocks.saturating_mul(self.geo.block_size) / BB;
        if bbs < 2 || !self.geo.extent_fits(self.geo.log_start, self.geo.log_blocks) {
            return Err(corrupt(format!("log of {} blocks", self.geo.log_blocks)));
        }
        let read_bb = |n: u64| -> Result<Vec<u8>> {
            let mut b = vec![0u8; BB as usize];
            self.read_at(start + (n % bbs) * BB, &mut b)?;
            Ok(b)
        };
        let cycle = |n: u64| -> Result<u32> {
            let b = read_bb(n)?;
            if be32(&b, 0)? == LOG_HEADER_MAGIC { be32(&b, 4) } else { be32(&b, 0) }
        };
        let first = cycle(0)?;
        let last = cycle(bbs - 1)?;
        if first == 0 {
            return Ok(false);
        }
        // The head: the first block written in an older cycle than block 0 (or the end).
        let head = if first == last {
            bbs
        } else if last == first - 1 || last == 0 {
            let (mut lo, mut hi) = (0u64, bbs - 1); // cycle(lo) == first, cycle(hi) != first
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if cycle(mid)? == first { lo = mid } else { hi = mid }
            }
            // Nothing newer may lie past the head (out-of-order writes the kernel would find).
            let window = (hi + 4096).min(bbs) - hi;
            let mut after = vec![0u8; usz(window * BB)?];
            self.read_at(start + hi * BB, &mut after)?;
            for b in after.chunks(BB as usize) {
                let c = if be32(b, 0)? == LOG_HEADER_MAGIC { be32(b, 4)? } else { be32(b, 0)? };
                if c == first {
                    return Ok(false);
                }
            }
            hi
        } else {
            return Ok(false);
        };
        // The last record header before the head.
        let mut at = None;
        for back in 1..=4096.min(bbs) {
            let n = (head + bbs - back) % bbs;
            let b = read_bb(n)?;
            if be32(&b, 0)? == LOG_HEADER_MAGIC {
                at = Some((n, b));
                break;
            }
        }
        let Some((n, h)) = at else { return Ok(false) };
        if be32(&h, 4)? != cycle((head + bbs - 1) % bbs)? {
            return Ok(false);
        }
        let version = be32(&h, 8)?;
        let len = u64::from(be32(&h, 12)?);
        let size = u64::from(be32(&h, 320)?);
        let hblks = if version & 2 != 0 && size > 32768 { size.div_ceil(32768) } else { 1 };
        let after = (n + hblks + len.div_ceil(BB)) % bbs;
        if after != head % bbs || be32(&h, 40)? != 1 {
            return Ok(false);
        }
        let data = read_bb(n + hblks)?;
        Ok(byte(&data, 9)? & 0x20 != 0)
    }
}

/// Pushes the components of `path` on `todo` so that the first pops first; a trailing `/`
/// becomes a `.` (the last name must then be a directory, symlinks followed).
fn push_components(todo: &mut Vec<Vec<u8>>, path: &[u8]) {
    let mut parts: Vec<Vec<u8>> = path.split(|b| *b == b'/').filter(|c| !c.is_empty()).map(<[u8]>::to_vec).collect();
    if path.ends_with(b"/") && !parts.is_empty() {
        parts.push(b".".to_vec());
    }
    todo.extend(parts.into_iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_records_unpack_as_the_kernel_packs_them() {
        // unwritten, offset 0x123456789, block 0xabcdef012345, 0x1abcd blocks.
        let (flag, offset, block, count) = (1u128, 0x1_2345_6789u128, 0xabcd_ef01_2345_u128, 0x1_abcdu128);
        let packed = (flag << 127) | (offset << 73) | (block << 21) | count;
        let e = Extent::parse(&packed.to_be_bytes()).unwrap();
        assert_eq!(e, Extent { offset: 0x1_2345_6789, block: 0xabcd_ef01_2345, count: 0x1_abcd, unwritten: true });
        assert!(Extent::parse(&[0; 15]).is_err());
    }

    #[test]
    fn path_components_pop_in_order_and_a_trailing_slash_is_a_dot() {
        let mut todo = Vec::new();
        push_components(&mut todo, b"/a//b/");
        assert_eq!(todo.pop().as_deref(), Some(&b"a"[..]));
        assert_eq!(todo.pop().as_deref(), Some(&b"b"[..]));
        assert_eq!(todo.pop().as_deref(), Some(&b"."[..]));
        assert_eq!(todo.pop(), None);
        push_components(&mut todo, b"/");
        assert!(todo.is_empty());
    }

    #[test]
    fn superblocks_the_kernel_refuses_are_refused() {
        let mut sb = vec![0u8; 512];
        sb[..4].copy_from_slice(b"XFSB");
        assert!(matches!(Geometry::parse(&sb, 1 << 30), Err(XfsError::Superblock(_))));
        sb[100..102].copy_from_slice(&0x4b4u16.to_be_bytes()); // v4, no dirv2 bit
        assert!(matches!(Geometry::parse(&sb, 1 << 30), Err(XfsError::Unsupported(_))));
        assert!(Geometry::parse(&sb[..100], 1 << 30).is_err(), "short");
    }
}
