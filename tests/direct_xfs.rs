//! The direct reader's XFS support on filesystems each test makes with `mkfs.xfs -p` from a
//! host folder (no appliance): every directory format, remote symlinks, symlink loops and
//! `..` above the root, files in several extents, with holes and unwritten extents; v5 and
//! v4, with and without ftype, 1 KiB blocks and directory blocks of several blocks. What
//! the reader says is compared with the host folder the filesystem was made from.

use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use rejviz::direct::fs::{Fs, Kind};
use rejviz::direct::{self, FileSource, Source};

/// mkfs.xfs's protofile for the entries of `dir`, recursively (names, modes, owners, file
/// contents by path, symlink targets).
fn proto(dir: &Path, out: &mut String) {
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let m = std::fs::symlink_metadata(&path).unwrap();
        let mode = m.mode();
        let perms = format!(
            "{}{}{:03o}",
            if mode & 0o4000 != 0 { 'u' } else { '-' },
            if mode & 0o2000 != 0 { 'g' } else { '-' },
            mode & 0o777
        );
        let name = name.to_str().unwrap();
        let (uid, gid) = (m.uid(), m.gid());
        if m.is_dir() {
            writeln!(out, "{name} d{perms} {uid} {gid}").unwrap();
            proto(&path, out);
            out.push_str("$\n");
        } else if m.is_file() {
            writeln!(out, "{name} -{perms} {uid} {gid} {}", path.display()).unwrap();
        } else {
            let target = std::fs::read_link(&path).unwrap();
            writeln!(out, "{name} l{perms} {uid} {gid} {}", target.display()).unwrap();
        }
    }
}

fn run(cmd: &mut Command) -> String {
    let o = cmd.output().expect("run");
    assert!(o.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A 300 MB (XFS's minimum; sparse) filesystem image made from `root` with mkfs.xfs `opts`.
fn mkfs_xfs(root: &Path, img: &Path, opts: &[&str]) {
    let mut p = String::from("rejviz-test\n0 0\nd--755 0 0\n");
    proto(root, &mut p);
    p.push_str("$\n");
    let proto_file = img.with_extension("proto");
    std::fs::write(&proto_file, p).unwrap();
    let _ = std::fs::remove_file(img);
    run(Command::new("truncate").args(["-s", "300M"]).arg(img));
    run(Command::new("mkfs.xfs").args(["-q", "-f", "-p"]).arg(&proto_file).args(opts).arg(img));
}

fn xfs_db(img: &Path, expert: bool, cmds: &[&str]) -> String {
    let mut c = Command::new("xfs_db");
    c.arg(if expert { "-x" } else { "-r" });
    for cmd in cmds {
        c.args(["-c", cmd]);
    }
    run(c.arg(img))
}

/// The filesystem of a whole-disk image, as the direct reader loads it.
fn open(img: &Path) -> Fs {
    let src: Rc<dyn Source> = Rc::new(FileSource::open(img).unwrap());
    let mut v = direct::filesystems(&[src], &[img.display().to_string()]).expect("load");
    assert_eq!(v.len(), 1);
    v.remove(0)
}

fn write(path: PathBuf, content: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn host_kind(m: &std::fs::Metadata) -> Kind {
    let t = m.file_type();
    if t.is_file() {
        Kind::File
    } else if t.is_dir() {
        Kind::Dir
    } else if t.is_symlink() {
        Kind::Symlink
    } else {
        Kind::Other
    }
}

/// Directories of 3 (shortform), 30 (block), 300 (leaf) and 3000 entries (node; its data
/// blocks interleaved with its files' blocks, so many extents: a bmap btree), for v5, v4,
/// v4 without ftype, and 1 KiB blocks with 8 KiB directory blocks: each lists as the host
/// folder, each entry with the host's kind, mode, owner and size, sampled contents equal.
#[test]
fn every_directory_format_lists_as_the_host_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    for (dir, n) in [("sf", 3), ("block", 30), ("leaf", 300), ("node", 3000)] {
        for i in 0..n {
            // Names of varied lengths, so entries have varied sizes.
            let name = format!("{dir}-{i:05}-{}", "x".repeat(i % 40));
            write(root.join(dir).join(&name), format!("{dir} {i}\n").as_bytes());
        }
    }
    std::os::unix::fs::symlink("../sf", root.join("node/a-link")).unwrap();
    std::fs::create_dir(root.join("node/a-dir")).unwrap();
    std::fs::set_permissions(root.join("block/block-00001-x"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .unwrap();
    std::os::unix::fs::chown(root.join("block/block-00002-xx"), Some(1234), Some(5678)).unwrap();

    let variants: [&[&str]; 4] =
        [&[], &["-m", "crc=0"], &["-m", "crc=0", "-n", "ftype=0"], &["-b", "size=1024", "-n", "size=8192"]];
    for opts in variants {
        let img = tmp.path().join("fs.img");
        mkfs_xfs(&root, &img, opts);
        let fs = open(&img);
        if opts.is_empty() {
            // The formats the directories got, as xfs_db sees them.
            let format = |d: &str| xfs_db(&img, false, &[&format!("path /{d}"), "print core.format"]);
            let bmap = |d: &str| xfs_db(&img, false, &[&format!("path /{d}"), "bmap"]);
            assert!(format("sf").contains("(local)"));
            assert!(format("block").contains("(extents)") && !bmap("block").contains("offset 8388608"));
            let leaf = bmap("leaf");
            assert!(leaf.contains("offset 8388608") && !leaf.contains("offset 16777216"), "{leaf}");
            assert!(format("node").contains("(btree)"), "{}", format("node"));
            assert!(bmap("node").contains("offset 16777216"));
        }
        let x = fs.xfs().expect("an XFS filesystem");
        for dir in ["sf", "block", "leaf", "node"] {
            let mut want: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            want.sort();
            let mut got = fs.list(&format!("/{dir}")).unwrap();
            got.sort();
            assert_eq!(got, want, "{opts:?} /{dir}");
            let entries = x.read_dir(&x.resolve(format!("/{dir}").as_bytes(), true).unwrap().inode, 10_000).unwrap();
            for (i, name) in want.iter().enumerate() {
                let host = std::fs::symlink_metadata(root.join(dir).join(name)).unwrap();
                let path = format!("/{dir}/{name}");
                let m = fs.metadata(&path, false).unwrap().unwrap();
                assert_eq!(m.kind, host_kind(&host), "{opts:?} {path}");
                assert_eq!(u32::from(m.mode), host.mode() & 0o7777, "{opts:?} {path}");
                assert_eq!((m.uid, m.gid), (host.uid(), host.gid()), "{opts:?} {path}");
                if m.kind == Kind::File {
                    assert_eq!(m.len, host.len(), "{opts:?} {path}");
                    if i % 97 == 0 || dir == "block" {
                        assert_eq!(fs.read(&path, 1 << 20).unwrap(), std::fs::read(root.join(dir).join(name)).unwrap());
                    }
                }
                // The entry's file type, when the filesystem records it (XFS_DIR3_FT_*).
                let e = entries.iter().find(|e| e.name == name.as_bytes()).unwrap();
                let ftype = match (opts.contains(&"ftype=0"), m.kind) {
                    (true, _) => 0,
                    (false, Kind::File) => 1,
                    (false, Kind::Dir) => 2,
                    (false, _) => 7,
                };
                assert_eq!(e.ftype, ftype, "{opts:?} {path}");
            }
        }
        assert_eq!(fs.kind("/node/a-link/sf-00000-", true).unwrap(), Some(Kind::File));
        // The direct reader's cap on listed entries holds for XFS too.
        assert!(x.read_dir(&x.resolve(b"/node", true).unwrap().inode, 2999).is_err());
    }
}

/// Symlinks resolve as the kernel resolves them inside a chroot of the filesystem: remote
/// (long) targets, absolute targets from the fs root, `..` at the root staying there, 40
/// symlinks followed and not 41 (as the host does for the same relative chain), loops,
/// dangling links, a file used as a directory, trailing slashes.
#[test]
fn symlinks_resolve_inside_the_filesystem() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let hosts = b"127.0.0.1 localhost\n";
    write(root.join("etc/hosts"), hosts);
    let long = format!("/etc/{}hosts", "./".repeat(497));
    assert_eq!(long.len(), 1004);
    let link = |target: &str, at: &str| {
        std::fs::create_dir_all(root.join(at).parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, root.join(at)).unwrap();
    };
    link(&long, "long");
    link("../../../../../etc/hosts", "a/b/up");
    link("/etc", "a/abs");
    link("loop2", "loop1");
    link("loop1", "loop2");
    link("nowhere", "dangling");
    link("etc/hosts", "c40");
    for i in (0..40).rev() {
        link(&format!("c{}", i + 1), &format!("c{i}"));
    }
    // The host (relative links, so the same answers) agrees on the 40-symlink limit.
    assert!(std::fs::metadata(root.join("c1")).is_ok());
    assert_eq!(std::fs::metadata(root.join("c0")).unwrap_err().raw_os_error(), Some(libc::ELOOP));

    for opts in [&[][..], &["-m", "crc=0"], &["-m", "crc=0", "-b", "size=1024"], &["-b", "size=1024"]] {
        let img = tmp.path().join("fs.img");
        mkfs_xfs(&root, &img, opts);
        let v5 = !opts.contains(&"crc=0");
        let mut fs = open(&img);
        let x = fs.xfs().unwrap();
        let long_inode = x.resolve(b"/long", false).unwrap().inode;
        let extents = x.extents(&long_inode).unwrap();
        assert_eq!(extents.len(), 1, "{opts:?}: /long is a remote symlink");
        if v5 {
            // mkfs.xfs 6.1 -p writes a v5 remote symlink as on v4, without the block header
            // the kernel checks (XSLM): the kernel fails on it, so do we.
            let at = x.block_byte(extents[0].block).unwrap();
            let bs = x.block_size();
            assert!(fs.read_link("/long").is_err(), "{opts:?}");
            if bs < 1004 + 56 {
                // Two blocks needed where mkfs allocated one: leave it broken.
                continue;
            }
            // As the kernel writes it: the header, then the target.
            let f = std::fs::OpenOptions::new().read(true).write(true).open(&img).unwrap();
            let mut block = vec![0u8; bs as usize];
            std::os::unix::fs::FileExt::read_exact_at(&f, &mut block, at).unwrap();
            assert_eq!(&block[..1004], long.as_bytes());
            let mut fixed = Vec::new();
            fixed.extend_from_slice(b"XSLM");
            fixed.extend_from_slice(&0u32.to_be_bytes());
            fixed.extend_from_slice(&1004u32.to_be_bytes());
            fixed.extend_from_slice(&[0; 4 + 16]); // crc, uuid: not checked by the reader
            fixed.extend_from_slice(&long_inode.ino.to_be_bytes());
            fixed.extend_from_slice(&(at / 512).to_be_bytes());
            fixed.extend_from_slice(&0u64.to_be_bytes());
            fixed.extend_from_slice(long.as_bytes());
            std::os::unix::fs::FileExt::write_all_at(&f, &fixed, at).unwrap();
            drop(f);
            fs = open(&img);
        }
        assert_eq!(fs.read_link("/long").unwrap().unwrap(), long.as_bytes(), "{opts:?}");
        assert_eq!(fs.read("/long", 100).unwrap(), hosts);
        assert_eq!(fs.canonical("/long").unwrap().as_deref(), Some("/etc/hosts"));
        assert_eq!(fs.kind("/long", false).unwrap(), Some(Kind::Symlink));

        assert_eq!(fs.canonical("/a/b/up").unwrap().as_deref(), Some("/etc/hosts"), "{opts:?}");
        assert_eq!(fs.canonical("/../../etc/./hosts").unwrap().as_deref(), Some("/etc/hosts"));
        assert_eq!(fs.canonical("/a/abs/hosts").unwrap().as_deref(), Some("/etc/hosts"));
        assert_eq!(fs.canonical("/a/abs/../a/b").unwrap().as_deref(), Some("/a/b"));
        assert_eq!(fs.read("/a/abs/hosts", 100).unwrap(), hosts);

        assert_eq!(fs.kind("/loop1", false).unwrap(), Some(Kind::Symlink));
        assert_eq!(fs.kind("/loop1", true).unwrap(), None);
        assert!(fs.kind_strict("/loop1", true).is_err(), "ELOOP is an error for inspection");
        assert_eq!(fs.kind("/c1", true).unwrap(), Some(Kind::File), "{opts:?}: 40 symlinks");
        assert_eq!(fs.kind("/c0", true).unwrap(), None, "41 symlinks");
        assert!(fs.kind_strict("/c0", true).is_err());
        assert_eq!(fs.kind_strict("/dangling", true).unwrap(), None);
        assert_eq!(fs.kind_strict("/etc/hosts/x", false).unwrap(), None, "ENOTDIR");
        assert_eq!(fs.kind_strict("/etc/hosts/", false).unwrap(), None, "ENOTDIR");
        assert_eq!(fs.kind_strict("/a/abs/", false).unwrap(), Some(Kind::Dir));
        assert_eq!(fs.kind("/a/abs", false).unwrap(), Some(Kind::Symlink));
        assert_eq!(fs.kind("etc/hosts", false).unwrap(), None, "a relative path");
        assert_eq!(fs.kind(&format!("/etc/{}", "n".repeat(256)), false).unwrap(), None, "ENAMETOOLONG");
        assert!(fs.read("/etc", 100).is_err());
    }
}

/// File contents: a file whose one extent xfs_db splits in two, swapped on disk (so the
/// mapping of each file block is checked), a hole (an extent moved up), an unwritten
/// extent, an empty file; the direct reader's size cap.
#[test]
fn file_contents_across_extents_holes_and_unwritten_extents() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let data: Vec<u8> = (0..5 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    write(root.join("big"), &data);
    write(root.join("split"), &data[..40_000]);
    write(root.join("holey"), &data[..40_000]);
    write(root.join("unwritten"), &data[..10_000]);
    write(root.join("empty"), b"");
    let img = tmp.path().join("fs.img");
    mkfs_xfs(&root, &img, &[]);
    let bmap = xfs_db(&img, false, &["path /split", "bmap"]);
    let start: u64 = bmap.split_whitespace().skip_while(|w| *w != "startblock").nth(1).unwrap().parse().unwrap();
    assert!(bmap.contains("count 10 "), "{bmap}");
    // /split: blocks 0-3 where blocks 6-9 were, blocks 4-9 where 0-5 were.
    xfs_db(
        &img,
        true,
        &[
            "path /split",
            "write core.nextents 2",
            &format!("write u3.bmx[0].startblock {}", start + 6),
            "write u3.bmx[0].blockcount 4",
            "write u3.bmx[1].startoff 4",
            &format!("write u3.bmx[1].startblock {start}"),
            "write u3.bmx[1].blockcount 6",
        ],
    );
    // /holey: its one extent moved 3 blocks up, the file 3 blocks longer: a hole first.
    xfs_db(&img, true, &["path /holey", "write u3.bmx[0].startoff 3", "write core.size 52288"]);
    xfs_db(&img, true, &["path /unwritten", "write u3.bmx[0].extentflag 1"]);

    let fs = open(&img);
    let xfs = fs.xfs().unwrap();
    let inode = xfs.resolve(b"/split", true).unwrap().inode;
    assert_eq!(xfs.extents(&inode).unwrap().len(), 2);
    let mut padded = data[..40_000].to_vec();
    padded.resize(40_960, 0);
    let mut want = padded[24_576..].to_vec();
    want.extend_from_slice(&padded[..24_576]);
    want.truncate(40_000);
    assert_eq!(fs.read("/split", 1 << 20).unwrap(), want);

    let inode = xfs.resolve(b"/big", true).unwrap().inode;
    assert_eq!(xfs.read_file(&inode, 8 << 20).unwrap(), data);
    assert!(matches!(fs.read("/big", 4 << 20), Err(direct::DirectError::TooLarge { len: 5242880, .. })));

    let holey = fs.read("/holey", 1 << 20).unwrap();
    assert_eq!(holey.len(), 52288);
    assert!(holey[..12288].iter().all(|b| *b == 0));
    assert_eq!(&holey[12288..], &data[..40_000]);
    assert_eq!(fs.read("/unwritten", 1 << 20).unwrap(), vec![0u8; 10_000]);
    assert_eq!(fs.read("/empty", 1 << 20).unwrap(), b"");
}

/// A log that is not clean (the kernel would replay it) is refused, not read around.
#[test]
fn a_dirty_log_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    write(root.join("etc/hosts"), b"x\n");
    let img = tmp.path().join("fs.img");
    mkfs_xfs(&root, &img, &[]);
    // The unmount record's flags (XLOG_UNMOUNT_TRANS) cleared: a log that ends in a
    // transaction.
    let sb = xfs_db(&img, false, &["sb 0", "print logstart agblocks agblklog blocksize"]);
    let field = |name: &str| -> u64 {
        sb.lines().find_map(|l| l.strip_prefix(&format!("{name} = "))).unwrap().trim().parse().unwrap()
    };
    let (logstart, agblocks, agblklog, bs) =
        (field("logstart"), field("agblocks"), field("agblklog"), field("blocksize"));
    let log = ((logstart >> agblklog) * agblocks + (logstart & ((1 << agblklog) - 1))) * bs;
    let f = std::fs::OpenOptions::new().read(true).write(true).open(&img).unwrap();
    let mut op = [0u8; 16];
    std::os::unix::fs::FileExt::read_exact_at(&f, &mut op, log + 512).unwrap();
    assert_eq!(op[9] & 0x20, 0x20, "an unmount record after mkfs: {op:?}");
    op[9] &= !0x20;
    std::os::unix::fs::FileExt::write_all_at(&f, &op, log + 512).unwrap();
    drop(f);
    let src: Rc<dyn Source> = Rc::new(FileSource::open(&img).unwrap());
    let e = direct::filesystems(&[src], &["x".into()]).err().expect("refused");
    assert_eq!(e.to_string(), "/dev/sda is XFS with a log that is not clean (the kernel would replay it on mount)");
}
