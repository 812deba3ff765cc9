//! Partition tables of a raw disk, read the way the Linux kernel of the libguestfs appliance
//! reads them (`block/partitions/efi.c` and `msdos.c`), so that partition numbers, and so the
//! device names, are the ones libguestfs shows. Anything the kernel would read differently,
//! or that we do not read (BSD disklabels inside an MBR partition, a corrupt primary GPT
//! whose backup the kernel would use, partitions that overlap or end past the disk), is a
//! [`TableError`]: the caller then falls back to the appliance.
//!
//! Every read is bounded: one sector for the MBR and each EBR, at most [`MAX_GPT_ARRAY`]
//! bytes of GPT entries, at most [`MAX_LOGICAL`] logical partitions.

use super::Source;

/// The sector size of an image file as qemu presents it to the appliance.
pub const SECTOR: u64 = 512;
/// Largest GPT partition entry array read (8192 entries of 128 bytes; 128 is the norm).
pub const MAX_GPT_ARRAY: u64 = 1 << 20;
/// Linux numbers partitions 1..=255 (`DISK_MAX_PARTS` is 256).
pub const MAX_NUMBER: u32 = 255;
/// Logical partitions are numbered from 5 on.
pub const MAX_LOGICAL: u32 = MAX_NUMBER - 4;

/// One partition, as Linux numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// MBR: slots 1–4, logical partitions 5, 6, ... in chain order; GPT: entry index + 1.
    pub number: u32,
    /// Offset and length in bytes.
    pub start: u64,
    pub len: u64,
    pub kind: PartKind,
}

/// The partition's type, as its table gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// The MBR system id (`0x83` Linux, `0x8e` LVM, ...).
    Mbr(u8),
    /// The GPT partition type GUID, in on-disk byte order.
    Gpt([u8; 16]),
}

/// What a disk holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// No partition table: a filesystem (or nothing) on the whole disk.
    WholeDisk,
    Mbr(Vec<Partition>),
    Gpt(Vec<Partition>),
}

impl Layout {
    pub fn partitions(&self) -> &[Partition] {
        match self {
            Layout::WholeDisk => &[],
            Layout::Mbr(p) | Layout::Gpt(p) => p,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("cannot read {len} bytes at offset {offset}: {msg}")]
    Read { offset: u64, len: u64, msg: String },
    #[error("the disk is smaller than one sector")]
    TooSmall,
    #[error("MBR: boot indicator {value:#04x} in slot {slot} (a boot sector, not a partition table)")]
    BootIndicator { slot: u32, value: u8 },
    #[error("MBR: partition {0} starts at sector 0, over the partition table")]
    StartsAtZero(u32),
    #[error("MBR: partition {number} has type {id:#04x}, which holds sub-partitions")]
    Nested { number: u32, id: u8 },
    #[error("MBR: more than {MAX_LOGICAL} logical partitions, or a loop of extended boot records")]
    TooManyLogical,
    #[error("MBR: a GPT protective entry not at sector 1")]
    BadProtective,
    #[error("GPT: {0}")]
    Gpt(&'static str),
    #[error("GPT: {count} entries of {size} bytes (at most {MAX_GPT_ARRAY} bytes are read)")]
    EntryArray { count: u32, size: u32 },
    #[error("GPT: entry {0} is past Linux's {MAX_NUMBER} partitions")]
    TooManyEntries(u32),
    #[error("partition {0} ends before it starts")]
    Backwards(u32),
    #[error("partition {0} ends past the end of the disk")]
    PastEnd(u32),
    #[error("partitions {0} and {1} overlap")]
    Overlap(u32, u32),
}

fn read(src: &dyn Source, offset: u64, len: u64) -> Result<Vec<u8>, TableError> {
    let err = |msg: String| TableError::Read { offset, len, msg };
    let end = offset.checked_add(len).ok_or_else(|| err("offset overflows".into()))?;
    if end > src.len() {
        return Err(err(format!("past the end of the disk ({} bytes)", src.len())));
    }
    let n = usize::try_from(len).map_err(|_| err("too large".into()))?;
    let mut buf = vec![0; n];
    src.read_at(offset, &mut buf).map_err(|e| err(e.to_string()))?;
    Ok(buf)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        a.copy_from_slice(s);
    }
    u64::from_le_bytes(a)
}

/// One of the four entries of an MBR or EBR.
#[derive(Debug, Clone, Copy)]
struct Entry {
    boot: u8,
    id: u8,
    start: u64,
    sectors: u64,
}

fn entries(sector: &[u8]) -> [Entry; 4] {
    let e = |i: usize| {
        let at = 0x1be + 16 * i;
        Entry {
            boot: sector.get(at).copied().unwrap_or(0),
            id: sector.get(at + 4).copied().unwrap_or(0),
            start: u64::from(u32_at(sector, at + 8)),
            sectors: u64::from(u32_at(sector, at + 12)),
        }
    };
    [e(0), e(1), e(2), e(3)]
}

fn has_signature(sector: &[u8]) -> bool {
    sector.get(510..512) == Some(&[0x55, 0xaa][..])
}

fn is_extended(id: u8) -> bool {
    matches!(id, 0x05 | 0x0f | 0x85)
}

/// The partition layout of `src`.
pub fn layout(src: &dyn Source) -> Result<Layout, TableError> {
    if src.len() < SECTOR {
        return Err(TableError::TooSmall);
    }
    let mbr = read(src, 0, SECTOR)?;
    if !has_signature(&mbr) {
        return Ok(Layout::WholeDisk);
    }
    let slots = entries(&mbr);
    // The kernel rejects a table whose boot indicators are not 0 or 0x80 (it is then
    // probably a FAT boot sector); it may still see a whole-disk FAT there: not ours to read.
    for (i, e) in slots.iter().enumerate() {
        if e.boot != 0 && e.boot != 0x80 {
            return Err(TableError::BootIndicator { slot: i as u32 + 1, value: e.boot });
        }
    }
    if slots.iter().any(|e| e.id == 0xee) {
        // efi.c: a protective (or hybrid) MBR has an 0xEE entry starting at sector 1.
        if !slots.iter().any(|e| e.id == 0xee && e.start == 1) {
            return Err(TableError::BadProtective);
        }
        return gpt(src).map(Layout::Gpt);
    }
    mbr_partitions(src, &slots).map(Layout::Mbr)
}

fn mbr_partitions(src: &dyn Source, slots: &[Entry; 4]) -> Result<Vec<Partition>, TableError> {
    let mut parts = Vec::new();
    for (i, e) in slots.iter().enumerate() {
        let number = i as u32 + 1;
        if e.sectors == 0 {
            continue; // the kernel skips empty slots, whatever their type
        }
        if e.start == 0 {
            return Err(TableError::StartsAtZero(number));
        }
        if is_extended(e.id) {
            // The container is no filesystem; its logical partitions are.
            check_bounds(src, number, e.start, e.sectors)?;
            logical(src, e.start, e.sectors, &mut parts)?;
            continue;
        }
        // BSD, Solaris x86, UnixWare and Minix partitions hold sub-partitions the kernel
        // numbers after the logical ones.
        if matches!(e.id, 0xa5 | 0xa6 | 0xa9 | 0x63 | 0x81) {
            return Err(TableError::Nested { number, id: e.id });
        }
        let (start, len) = check_bounds(src, number, e.start, e.sectors)?;
        parts.push(Partition { number, start, len, kind: PartKind::Mbr(e.id) });
    }
    check_overlaps(&mut parts)?;
    Ok(parts)
}

/// Byte offset and length of sectors `start..start+sectors`, which must lie on the disk.
fn check_bounds(src: &dyn Source, number: u32, start: u64, sectors: u64) -> Result<(u64, u64), TableError> {
    let start_b = start.checked_mul(SECTOR).ok_or(TableError::PastEnd(number))?;
    let len_b = sectors.checked_mul(SECTOR).ok_or(TableError::PastEnd(number))?;
    match start_b.checked_add(len_b) {
        Some(end) if end <= src.len() => Ok((start_b, len_b)),
        _ => Err(TableError::PastEnd(number)),
    }
}

/// The logical partitions of the extended partition at sectors `first..first+size`, as
/// msdos.c's `parse_extended` numbers them: every data entry of each EBR (the third and
/// fourth only when they lie inside the EBR's area), then on to the first link entry.
fn logical(src: &dyn Source, first: u64, size: u64, parts: &mut Vec<Partition>) -> Result<(), TableError> {
    let mut this = first;
    let mut this_size = size;
    let mut number = 5u32;
    let mut without_data = 0u32;
    loop {
        without_data += 1;
        if without_data > 100 {
            // The kernel gives up silently after 100 EBRs without a partition.
            return Err(TableError::TooManyLogical);
        }
        let at = this.checked_mul(SECTOR).ok_or(TableError::PastEnd(number))?;
        let ebr = read(src, at, SECTOR)?;
        if !has_signature(&ebr) {
            return Ok(());
        }
        let slots = entries(&ebr);
        for (i, e) in slots.iter().enumerate() {
            if e.sectors == 0 || is_extended(e.id) {
                continue;
            }
            let next = this.checked_add(e.start).ok_or(TableError::PastEnd(number))?;
            if i >= 2 {
                // "these sometimes contain random garbage": the kernel skips them unless
                // they lie inside this EBR's area and the extended partition.
                let inside = e.start.checked_add(e.sectors).is_some_and(|end| end <= this_size)
                    && next >= first
                    && next.checked_add(e.sectors).zip(first.checked_add(size)).is_some_and(|(a, b)| a <= b);
                if !inside {
                    continue;
                }
            }
            if number > MAX_NUMBER {
                return Err(TableError::TooManyLogical);
            }
            if matches!(e.id, 0xa5 | 0xa6 | 0xa9 | 0x63 | 0x81) {
                return Err(TableError::Nested { number, id: e.id });
            }
            let (start, len) = check_bounds(src, number, next, e.sectors)?;
            parts.push(Partition { number, start, len, kind: PartKind::Mbr(e.id) });
            number += 1;
            without_data = 0;
        }
        let Some(link) = slots.iter().find(|e| e.sectors != 0 && is_extended(e.id)) else {
            return Ok(());
        };
        this = first.checked_add(link.start).ok_or(TableError::PastEnd(number))?;
        this_size = link.sectors;
    }
}

/// The partitions of the primary GPT (the kernel would try the backup when the primary is
/// corrupt: we do not, the appliance will).
fn gpt(src: &dyn Source) -> Result<Vec<Partition>, TableError> {
    let last_lba = src.len() / SECTOR - 1;
    let hdr = read(src, SECTOR, SECTOR)?;
    if hdr.get(0..8) != Some(&b"EFI PART"[..]) {
        return Err(TableError::Gpt("no header signature at sector 1"));
    }
    let header_size = u32_at(&hdr, 12) as usize;
    if !(92..=SECTOR as usize).contains(&header_size) {
        return Err(TableError::Gpt("bad header size"));
    }
    let mut zeroed = hdr.get(..header_size).ok_or(TableError::Gpt("bad header size"))?.to_vec();
    if let Some(crc) = zeroed.get_mut(16..20) {
        crc.fill(0);
    }
    if crc32(&zeroed) != u32_at(&hdr, 16) {
        return Err(TableError::Gpt("header checksum mismatch"));
    }
    if u64_at(&hdr, 24) != 1 {
        return Err(TableError::Gpt("header does not say it is at sector 1"));
    }
    let (first_usable, last_usable) = (u64_at(&hdr, 40), u64_at(&hdr, 48));
    if first_usable > last_lba || last_usable > last_lba || last_usable < first_usable {
        return Err(TableError::Gpt("usable sectors outside the disk"));
    }
    let (entries_lba, count, size) = (u64_at(&hdr, 72), u32_at(&hdr, 80), u32_at(&hdr, 84));
    if size != 128 {
        return Err(TableError::EntryArray { count, size });
    }
    let array_len = u64::from(count) * u64::from(size);
    if array_len > MAX_GPT_ARRAY {
        return Err(TableError::EntryArray { count, size });
    }
    let at = entries_lba.checked_mul(SECTOR).ok_or(TableError::Gpt("entry array outside the disk"))?;
    let array = read(src, at, array_len)?;
    if crc32(&array) != u32_at(&hdr, 88) {
        return Err(TableError::Gpt("entry array checksum mismatch"));
    }
    let mut parts = Vec::new();
    for (i, e) in array.chunks_exact(128).enumerate() {
        let mut guid = [0u8; 16];
        guid.copy_from_slice(e.get(..16).unwrap_or(&[0; 16]));
        if guid == [0; 16] {
            continue;
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if number > MAX_NUMBER {
            return Err(TableError::TooManyEntries(number));
        }
        let (start, end) = (u64_at(e, 32), u64_at(e, 40));
        if end < start {
            return Err(TableError::Backwards(number));
        }
        if end > last_lba {
            return Err(TableError::PastEnd(number));
        }
        let (start_b, len_b) = check_bounds(src, number, start, end - start + 1)?;
        parts.push(Partition { number, start: start_b, len: len_b, kind: PartKind::Gpt(guid) });
    }
    check_overlaps(&mut parts)?;
    Ok(parts)
}

fn check_overlaps(parts: &mut [Partition]) -> Result<(), TableError> {
    parts.sort_by_key(|p| p.start);
    for w in parts.windows(2) {
        if let [a, b] = w
            && a.start + a.len > b.start
        {
            return Err(TableError::Overlap(a.number.min(b.number), a.number.max(b.number)));
        }
    }
    parts.sort_by_key(|p| p.number);
    Ok(())
}

fn crc32(bytes: &[u8]) -> u32 {
    crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(bytes)
}

/// A GPT type GUID as written in specifications (`21686148-6449-6E6F-744E-656564454649`),
/// in on-disk byte order.
pub fn guid(s: &str) -> [u8; 16] {
    let hex: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b'-')
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => 0,
        })
        .collect();
    let mut raw = [0u8; 16];
    for (i, r) in raw.iter_mut().enumerate() {
        let hi = hex.get(2 * i).copied().unwrap_or(0);
        let lo = hex.get(2 * i + 1).copied().unwrap_or(0);
        *r = hi << 4 | lo;
    }
    // The first three fields are little-endian on disk.
    raw[0..4].reverse();
    raw[4..6].reverse();
    raw[6..8].reverse();
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1 << 20;

    fn mbr_entry(disk: &mut [u8], sector: usize, slot: usize, boot: u8, id: u8, start: u32, sectors: u32) {
        let at = sector * 512 + 0x1be + 16 * slot;
        disk[at] = boot;
        disk[at + 4] = id;
        disk[at + 8..at + 12].copy_from_slice(&start.to_le_bytes());
        disk[at + 12..at + 16].copy_from_slice(&sectors.to_le_bytes());
        disk[sector * 512 + 510] = 0x55;
        disk[sector * 512 + 511] = 0xaa;
    }

    fn numbers(l: &Layout) -> Vec<(u32, u64, u64)> {
        l.partitions().iter().map(|p| (p.number, p.start / 512, p.len / 512)).collect()
    }

    #[test]
    fn whole_disk_without_signature() {
        assert_eq!(layout(&vec![0u8; 4096]), Ok(Layout::WholeDisk));
        assert_eq!(layout(&vec![0u8; 100]), Err(TableError::TooSmall));
        assert_eq!(layout(&Vec::new()), Err(TableError::TooSmall));
    }

    #[test]
    fn mbr_primary_partitions() {
        let mut d = vec![0u8; 8 * MIB];
        mbr_entry(&mut d, 0, 0, 0x80, 0x83, 2048, 4096);
        mbr_entry(&mut d, 0, 2, 0, 0x82, 6144, 2048);
        let l = layout(&d).unwrap();
        assert!(matches!(l, Layout::Mbr(_)));
        assert_eq!(numbers(&l), [(1, 2048, 4096), (3, 6144, 2048)]);
    }

    #[test]
    fn mbr_logical_partitions_numbered_from_5() {
        let mut d = vec![0u8; 16 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x83, 2048, 2048);
        // Extended partition at 4096, 20480 sectors; EBR chain: 4096 → 10240.
        mbr_entry(&mut d, 0, 1, 0, 0x05, 4096, 20480);
        mbr_entry(&mut d, 4096, 0, 0, 0x83, 2048, 2048); // logical 5 at 6144
        mbr_entry(&mut d, 4096, 1, 0, 0x05, 6144, 8192); // next EBR at 4096 + 6144
        mbr_entry(&mut d, 10240, 0, 0, 0x83, 2048, 4096); // logical 6 at 12288
        let l = layout(&d).unwrap();
        assert_eq!(numbers(&l), [(1, 2048, 2048), (5, 6144, 2048), (6, 12288, 4096)]);
    }

    #[test]
    fn mbr_loop_of_ebrs_is_an_error() {
        let mut d = vec![0u8; 8 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x05, 2048, 8192);
        // The EBR links to itself, with no data partition: the kernel stops after 100.
        mbr_entry(&mut d, 2048, 1, 0, 0x05, 0, 8192);
        assert_eq!(layout(&d), Err(TableError::TooManyLogical));
        // With a data partition each time round, the same partition repeats: overlap,
        // or too many partitions.
        mbr_entry(&mut d, 2048, 0, 0, 0x83, 1, 100);
        assert!(matches!(layout(&d), Err(TableError::TooManyLogical | TableError::Overlap(..))));
    }

    #[test]
    fn mbr_corrupt_tables_are_typed_errors() {
        let mut d = vec![0u8; 4 * MIB];
        mbr_entry(&mut d, 0, 0, 0x12, 0x83, 2048, 100);
        assert_eq!(layout(&d), Err(TableError::BootIndicator { slot: 1, value: 0x12 }));

        let mut d = vec![0u8; 4 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x83, 2048, 100_000); // past the end of 4 MiB
        assert_eq!(layout(&d), Err(TableError::PastEnd(1)));

        let mut d = vec![0u8; 4 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x83, u32::MAX, u32::MAX);
        assert_eq!(layout(&d), Err(TableError::PastEnd(1)));

        let mut d = vec![0u8; 4 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x83, 2048, 2048);
        mbr_entry(&mut d, 0, 1, 0, 0x83, 3000, 2048);
        assert_eq!(layout(&d), Err(TableError::Overlap(1, 2)));

        let mut d = vec![0u8; 4 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x83, 0, 2048);
        assert_eq!(layout(&d), Err(TableError::StartsAtZero(1)));

        let mut d = vec![0u8; 4 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0xa5, 2048, 2048);
        assert_eq!(layout(&d), Err(TableError::Nested { number: 1, id: 0xa5 }));

        // An extended partition whose EBR is past the end of a truncated disk.
        let mut d = vec![0u8; 2 * MIB];
        mbr_entry(&mut d, 0, 0, 0, 0x0f, 2048, 4096);
        assert_eq!(layout(&d), Err(TableError::PastEnd(1)));
    }

    /// A GPT disk of `mib` MiB with `count` entries (128 bytes each) at sector 2, the
    /// given (index, start, end) partitions of Linux type, and valid checksums.
    fn gpt_disk(mib: usize, count: u32, parts: &[(usize, u64, u64)]) -> Vec<u8> {
        let mut d = vec![0u8; mib * MIB];
        let sectors = (d.len() / 512) as u32;
        mbr_entry(&mut d, 0, 0, 0, 0xee, 1, sectors - 1);
        let linux = guid("0FC63DAF-8483-4772-8E79-3D69D8477DE4");
        let array_len = count as usize * 128;
        let mut array = vec![0u8; array_len];
        for (i, start, end) in parts {
            let e = &mut array[i * 128..(i + 1) * 128];
            e[..16].copy_from_slice(&linux);
            e[32..40].copy_from_slice(&start.to_le_bytes());
            e[40..48].copy_from_slice(&end.to_le_bytes());
        }
        let h = 512;
        d[h..h + 8].copy_from_slice(b"EFI PART");
        d[h + 8..h + 12].copy_from_slice(&0x0001_0000u32.to_le_bytes());
        d[h + 12..h + 16].copy_from_slice(&92u32.to_le_bytes());
        d[h + 24..h + 32].copy_from_slice(&1u64.to_le_bytes());
        d[h + 32..h + 40].copy_from_slice(&(u64::from(sectors) - 1).to_le_bytes());
        d[h + 40..h + 48].copy_from_slice(&34u64.to_le_bytes());
        d[h + 48..h + 56].copy_from_slice(&(u64::from(sectors) - 34).to_le_bytes());
        d[h + 72..h + 80].copy_from_slice(&2u64.to_le_bytes());
        d[h + 80..h + 84].copy_from_slice(&count.to_le_bytes());
        d[h + 84..h + 88].copy_from_slice(&128u32.to_le_bytes());
        d[h + 88..h + 92].copy_from_slice(&crc32(&array).to_le_bytes());
        let crc = crc32(&d[h..h + 92]);
        d[h + 16..h + 20].copy_from_slice(&crc.to_le_bytes());
        let n = array.len().min(d.len() - 1024);
        d[1024..1024 + n].copy_from_slice(&array[..n]);
        d
    }

    #[test]
    fn gpt_partitions_numbered_by_entry() {
        let d = gpt_disk(8, 128, &[(0, 2048, 4095), (2, 4096, 8191)]);
        let l = layout(&d).unwrap();
        assert!(matches!(l, Layout::Gpt(_)));
        assert_eq!(numbers(&l), [(1, 2048, 2048), (3, 4096, 4096)]);
    }

    #[test]
    fn gpt_corrupt_tables_are_typed_errors() {
        // A flipped byte in the header, then in the entry array.
        let mut d = gpt_disk(8, 128, &[(0, 2048, 4095)]);
        d[512 + 40] ^= 1;
        assert_eq!(layout(&d), Err(TableError::Gpt("header checksum mismatch")));
        let mut d = gpt_disk(8, 128, &[(0, 2048, 4095)]);
        d[1024 + 33] ^= 1;
        assert_eq!(layout(&d), Err(TableError::Gpt("entry array checksum mismatch")));
        // Past the end, backwards, overlapping.
        let d = gpt_disk(8, 128, &[(0, 2048, 1 << 40)]);
        assert_eq!(layout(&d), Err(TableError::PastEnd(1)));
        let d = gpt_disk(8, 128, &[(0, 4096, 2048)]);
        assert_eq!(layout(&d), Err(TableError::Backwards(1)));
        let d = gpt_disk(8, 128, &[(0, 2048, 4095), (1, 4000, 6000)]);
        assert_eq!(layout(&d), Err(TableError::Overlap(1, 2)));
        // A huge entry count is refused before anything is read or allocated.
        let mut d = gpt_disk(8, 128, &[]);
        d[512 + 80..512 + 84].copy_from_slice(&u32::MAX.to_le_bytes());
        let crc = {
            let mut h = d[512..512 + 92].to_vec();
            h[16..20].fill(0);
            crc32(&h)
        };
        d[512 + 16..512 + 20].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(layout(&d), Err(TableError::EntryArray { count: u32::MAX, size: 128 }));
        // An entry past Linux's 255 partitions.
        let d = gpt_disk(8, 512, &[(300, 2048, 4095)]);
        assert_eq!(layout(&d), Err(TableError::TooManyEntries(301)));
        // Truncated: the header is there, the entry array is not.
        let d = gpt_disk(8, 128, &[(0, 2048, 4095)]);
        assert!(matches!(layout(&d[..1024].to_vec()), Err(TableError::Read { .. } | TableError::Gpt(_))));
        // A protective entry that does not start at sector 1.
        let mut d = gpt_disk(8, 128, &[]);
        d[0x1be + 8] = 7;
        assert_eq!(layout(&d), Err(TableError::BadProtective));
    }

    #[test]
    fn guid_in_disk_order() {
        assert_eq!(
            guid("21686148-6449-6E6F-744E-656564454649"),
            [0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Whatever the first sectors hold, a layout or a typed error, never a panic.
        #[test]
        fn never_panics(head in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048), mbr in proptest::prelude::any::<bool>()) {
            let mut d = vec![0u8; MIB];
            d[..head.len()].copy_from_slice(&head);
            if mbr {
                d[510] = 0x55;
                d[511] = 0xaa;
            }
            let _ = layout(&d);
        }
    }
}
