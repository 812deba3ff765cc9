//! The direct reader against libguestfs: for every test image, the same Snapshot for
//! `guestconf::want()`; rejviz-peek gives the same JSON through either reader, the direct
//! one with no appliance launch; corrupt images never panic it.
//! Appliance launches: one per test image (7: 5 on ext4, 2 on XFS) + 1 (peek --reader appliance) + 1 (a logical
//! partition behind swap, read both ways).

mod common;

use std::path::PathBuf;
use std::rc::Rc;

use common::{Sandbox, count_launches, guestfs_env, images, launches, outcome as out, peek_json, without_debug};
use rejviz::direct::{self, Source};
use rejviz::guestconf;
use rejviz::inspect::{self, Disk, Reader, ReaderUsed};

fn raw_images() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(images())
        .expect("test images")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "raw"))
        .collect();
    v.sort();
    assert!(v.len() >= 5, "test images: {v:?}");
    v
}

fn raw(path: &std::path::Path) -> Vec<Disk> {
    vec![Disk { path: path.to_path_buf(), format: Some("raw".into()) }]
}

/// Every field of the Snapshot, compared whole: OS inspection (root device, type, distro,
/// version, product name, hostname, osinfo), each file (path, mode, owner, content,
/// SELinux label), the missing directories and the existing paths. The direct reader
/// gives no SELinux label (it reads no xattrs): the test images carry none, which
/// the comparison checks too.
#[test]
fn same_snapshot_as_libguestfs_for_every_test_image() {
    guestfs_env();
    let want = guestconf::want();
    for img in raw_images() {
        let started = std::time::Instant::now();
        let direct = direct::read(&raw(&img), &want).unwrap_or_else(|e| panic!("{}: {e}", img.display()));
        let direct_took = started.elapsed();
        let (auto, used) = inspect::read_guest(&raw(&img), &want, Reader::Auto).expect("auto");
        assert!(matches!(used, ReaderUsed::Direct), "{}: {used}", img.display());
        assert_eq!(auto, direct);
        // Without --format: an image qemu would probe as raw is read directly too.
        let unformatted = vec![Disk { path: img.clone(), format: None }];
        assert_eq!(direct::read(&unformatted, &want).expect("format not given"), direct);

        let appliance = inspect::read(&raw(&img), &want).unwrap_or_else(|e| panic!("{}: {e}", img.display()));
        assert_eq!(direct.os, appliance.os, "{}", img.display());
        assert_eq!(direct.missing_dirs, appliance.missing_dirs, "{}", img.display());
        assert_eq!(direct.existing, appliance.existing, "{}", img.display());
        let paths = |s: &inspect::Snapshot| s.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&direct), paths(&appliance), "{}", img.display());
        for (d, a) in direct.files.iter().zip(&appliance.files) {
            assert_eq!(d, a, "{}: {}", img.display(), d.path);
        }
        assert_eq!(direct, appliance, "{}", img.display());
        assert!(!direct.files.is_empty(), "{}: no files read", img.display());
        eprintln!("{}: same snapshot; direct read in {direct_took:?}", img.display());
    }
}

#[test]
fn peek_json_same_through_both_readers_and_direct_launches_nothing() {
    let sb = Sandbox::new();
    let img = images().join("untidy.raw");
    let run = |reader: &str| {
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.args(["-v", "--reader", reader, "-a"]).arg(&img).arg("--json");
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!(code, 0, "{stderr}");
        peek_json(&stdout);
        (stdout, without_debug(&stderr), launches(&counter))
    };
    let (direct, direct_err, direct_launches) = run("direct");
    assert_eq!(direct_launches, 0);
    assert_eq!(direct_err, "rejviz-peek: read by the direct reader\n");
    let (appliance, appliance_err, appliance_launches) = run("appliance");
    assert_eq!(appliance_launches, 1);
    assert_eq!(appliance_err, "rejviz-peek: read by the libguestfs appliance\n");
    assert_eq!(direct, appliance);
    assert!(direct.contains("ifcfg-eth4"), "{direct}");
}

/// The centos7 guest on LVM (scripts/build-test-images): the direct reader cannot read a
/// logical volume, so auto falls back to the appliance, says why with -v, and the answer is
/// the guest's: the same JSON as the raw centos7 image's, read directly. One launch.
#[test]
fn lvm_image_falls_back_and_reads_as_the_same_guest() {
    let sb = Sandbox::new();
    let peek = |img: &str| {
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.args(["-v", "--json", "-a"]).arg(images().join(img));
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!(code, 0, "{img}: {stderr}");
        peek_json(&stdout);
        (stdout, without_debug(&stderr), launches(&counter))
    };
    let (lvm, lvm_err, lvm_launches) = peek("centos7-lvm.img");
    assert_eq!(
        lvm_err,
        "rejviz-peek: read by the libguestfs appliance (cannot read directly: /dev/sda1 is an LVM physical volume)\n"
    );
    assert_eq!(lvm_launches, 1);
    let (raw, raw_err, raw_launches) = peek("centos7.raw");
    assert_eq!((raw_err.as_str(), raw_launches), ("rejviz-peek: read by the direct reader\n", 0));
    assert_eq!(lvm, raw);
    assert!(lvm.contains("\"hwaddr\": \"52:54:00:de:ad:00\""), "{lvm}");
}

#[test]
fn peek_direct_refuses_what_it_cannot_read_and_auto_says_why() {
    let sb = Sandbox::new();
    // An LVM physical volume in a partition: never read directly (the appliance activates
    // the volume group). Nothing needs launching to see that.
    let lvm = sb.path("out/lvm.raw");
    make_disk(&lvm, Some("label: dos\nstart=2048, type=8e\n"), &[]);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&lvm)
        .and_then(|f| {
            std::os::unix::fs::FileExt::write_all_at(
                &f,
                b"LABELONE\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0LVM2 001",
                2049 * 512,
            )
        })
        .unwrap();
    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.args(["--reader", "direct", "--format", "raw", "-a"]).arg(&lvm);
    let counter = count_launches(&sb, &mut cmd);
    let (code, stdout, stderr) = out(&cmd.output().expect("run"));
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(stderr, "rejviz-peek: cannot read directly: /dev/sda1 is an LVM physical volume\n");
    assert_eq!(launches(&counter), 0);
    // The same through the library's front door: typed, and Auto would fall back.
    let e = direct::read(&raw(&lvm), &guestconf::want()).unwrap_err();
    assert!(matches!(e, direct::DirectError::Unsupported { .. }), "{e:?}");
}

/// Mutations of a real image's metadata (MBR, superblock, group descriptors, inode
/// tables, directories): each read is a snapshot or a typed error, never a panic, an
/// abort or a hang.
#[test]
fn corrupt_images_never_panic() {
    let img = images().join("centos7.raw");
    let bytes: Vec<u8> = std::fs::read(&img).expect("read image");
    // The interesting bytes: the sectors that are not all zeros (the MBR, the filesystem's
    // metadata, directories and files).
    let used: Vec<u64> =
        bytes.chunks(512).enumerate().filter(|(_, s)| s.iter().any(|b| *b != 0)).map(|(i, _)| i as u64 * 512).collect();
    // Half of them in the MBR and the filesystem's first 512 KiB (superblock, group
    // descriptors, bitmaps, the first inodes).
    let meta: Vec<u64> = used.iter().copied().filter(|o| *o < (3 << 19)).collect();
    let (ok, errors) = mutants(Rc::new(bytes), &meta, &used, 1000);
    eprintln!("1000 mutants: {ok} read, {errors} typed errors");
}

/// The same for an XFS root (superblock, AG headers, log, inodes, shortform, block and
/// leaf directories, remote symlinks, bmap records): the mutations go to the non-zero
/// sectors of the partition other than busybox's 2 MB of content.
#[test]
fn corrupt_xfs_images_never_panic() {
    let img = images().join("centos7-xfs.raw");
    let src: Rc<dyn Source> = Rc::new(direct::FileSource::open(&img).expect("open"));
    let fs = direct::filesystems(std::slice::from_ref(&src), &["x".into()]).expect("load").remove(0);
    let xfs = fs.xfs().expect("XFS");
    let busybox = xfs.resolve(b"/bin/busybox", false).expect("busybox").inode;
    // Where busybox lies: its extents' byte ranges in the disk (the partition starts at 1 MiB).
    let skip: Vec<(u64, u64)> = xfs
        .extents(&busybox)
        .expect("extents")
        .iter()
        .map(|e| {
            let at = (1 << 20) + xfs.block_byte(e.block).expect("block");
            (at, at + e.count * xfs.block_size())
        })
        .collect();
    let mut used = Vec::new();
    let mut sector = [0u8; 512];
    let mut at = 0;
    while at < src.len() {
        if !skip.iter().any(|(a, b)| (*a..*b).contains(&at)) {
            src.read_at(at, &mut sector).expect("read");
            if sector.iter().any(|b| *b != 0) {
                used.push(at);
            }
        }
        at += 512;
    }
    assert!(used.len() > 100, "{} sectors of metadata", used.len());
    // Half of them in the partition's first 256 KiB (superblock, AG headers, the first
    // inodes, the root's directories) and the log's head.
    let log = (1 << 20) + xfs.log_byte();
    let meta: Vec<u64> =
        used.iter().copied().filter(|o| *o < (1 << 20) + (256 << 10) || (log..log + 4096).contains(o)).collect();
    let (ok, errors) = mutants(src, &meta, &used, 1000);
    eprintln!("1000 XFS mutants: {ok} read, {errors} typed errors");
}

/// Reads `rounds` mutants of `base`, each with 1 to 8 bytes changed in the sectors at
/// `meta` (half of them) or `used`: each is a snapshot or a typed error.
fn mutants(base: Rc<dyn Source>, meta: &[u64], used: &[u64], rounds: u32) -> (u32, u32) {
    let want = guestconf::want();
    let names = vec!["mutant".to_string()];
    // xorshift: a fixed, reproducible sequence.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut ok, mut errors) = (0, 0);
    for round in 0..rounds {
        let mut patches = Vec::new();
        for _ in 0..(1 + next() % 8) {
            let pool = if next() % 2 == 0 { meta } else { used };
            let at = pool[(next() % pool.len() as u64) as usize] + next() % 512;
            let value = match round % 3 {
                0 => next() as u8,
                1 => 0xff,
                _ => 0,
            };
            patches.push((at, value));
        }
        let src: Rc<dyn Source> = Rc::new(Mutant { base: Rc::clone(&base), patches });
        match direct::read_sources(&[src], &names, &want) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                errors += 1;
            }
        }
    }
    (ok, errors)
}

/// A disk image with a few bytes changed, sharing the original's bytes.
struct Mutant {
    base: Rc<dyn Source>,
    patches: Vec<(u64, u8)>,
}

impl Source for Mutant {
    fn len(&self) -> u64 {
        self.base.len()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.base.read_at(offset, buf)?;
        for (at, value) in &self.patches {
            if let Some(i) = at.checked_sub(offset).filter(|i| *i < buf.len() as u64) {
                buf[i as usize] = *value;
            }
        }
        Ok(())
    }
}

/// A minimal Linux root in `dir`: `/etc/os-release` a relative symlink to
/// `/usr/lib/os-release`, the hostname only in `/etc/sysconfig/network`, one ifcfg file, and
/// `fstab` as given.
fn make_root(dir: &std::path::Path, fstab: &str) {
    let w = |rel: &str, content: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    };
    w(
        "usr/lib/os-release",
        "NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=38\nPRETTY_NAME=\"Fedora Linux 38 (Cloud)\"\n",
    );
    w("etc/fstab", fstab);
    std::os::unix::fs::symlink("../usr/lib/os-release", dir.join("etc/os-release")).unwrap();
    w("etc/sysconfig/network", "# set by the test\nNETWORKING=yes\nHOSTNAME=logical-host\n");
    w("etc/sysconfig/network-scripts/ifcfg-eth0", "DEVICE=eth0\nBOOTPROTO=dhcp\nHWADDR=52:54:00:12:34:56\n");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
}

fn run(cmd: &mut std::process::Command) {
    let o = cmd.output().expect("run");
    assert!(o.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// A raw disk of 64 MiB with the `sfdisk` script given, and an ext4 filesystem made from
/// each (start sector, size in MiB, root folder) at its place.
fn make_disk(path: &std::path::Path, sfdisk: Option<&str>, filesystems: &[(u64, u64, &std::path::Path)]) {
    run(std::process::Command::new("truncate").args(["-s", "64M"]).arg(path));
    if let Some(script) = sfdisk {
        use std::io::Write;
        let mut c = std::process::Command::new("sfdisk")
            .arg("-q")
            .arg(path)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("sfdisk");
        c.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
        assert!(c.wait().unwrap().success());
    }
    for (start, mib, root) in filesystems {
        run(std::process::Command::new("mkfs.ext4")
            .args(["-q", "-F", "-d"])
            .arg(root)
            .arg("-E")
            .arg(format!("offset={}", start * 512))
            .arg(path)
            .arg(format!("{mib}M")));
    }
}

/// A logical partition (`/dev/sda5`) behind a swap partition, `/etc/os-release` a symlink
/// resolved inside the guest, the hostname from `/etc/sysconfig/network`: the same snapshot
/// as libguestfs's (one launch). Then layouts read directly only (no launch): GPT with a
/// BIOS boot partition, a filesystem on the whole disk, and the cases that must fall back.
#[test]
fn layouts_read_as_libguestfs_reads_them() {
    guestfs_env();
    let sb = Sandbox::new();
    let want = guestconf::want();
    let root = sb.path("root");
    make_root(&root, "UUID=x / ext4 defaults 1 1\nUUID=y swap swap defaults 0 0\n");

    let logical = sb.path("out/logical.raw");
    make_disk(
        &logical,
        Some("label: dos\nstart=2048, size=16384, type=82\nstart=20480, type=5\nstart=22528, type=83\n"),
        &[(22528, 53, &root)],
    );
    let swap = sb.path("swap.img");
    run(std::process::Command::new("truncate").args(["-s", "8M"]).arg(&swap));
    run(std::process::Command::new("mkswap").arg("-q").arg(&swap));
    run(std::process::Command::new("dd")
        .arg(format!("if={}", swap.display()))
        .arg(format!("of={}", logical.display()))
        .args(["bs=512", "seek=2048", "conv=notrunc,sparse", "status=none"]));
    let direct = direct::read(&raw(&logical), &want).expect("direct");
    assert_eq!(direct.os.root, "/dev/sda5");
    assert_eq!(direct.os.hostname, "logical-host");
    assert_eq!(direct.os.product_name, "Fedora Linux 38 (Cloud)");
    assert_eq!(direct.os.osinfo, "fedora38");
    assert_eq!(direct.files.len(), 1, "{:?}", direct.files);
    let appliance = inspect::read(&raw(&logical), &want).expect("appliance");
    assert_eq!(direct, appliance);

    // GPT: a BIOS boot partition, then the root.
    let gpt = sb.path("out/gpt.raw");
    make_disk(
        &gpt,
        Some("label: gpt\nstart=2048, size=2048, type=21686148-6449-6E6F-744E-656564454649\nstart=4096, type=L\n"),
        &[(4096, 60, &root)],
    );
    let snap = direct::read(&raw(&gpt), &want).expect("gpt");
    assert_eq!((snap.os.root.as_str(), snap.os.distro.as_str()), ("/dev/sda2", "fedora"));
    assert_eq!(snap.files, direct.files);

    // No partition table: the filesystem is the whole disk.
    let whole = sb.path("out/whole.raw");
    make_disk(&whole, None, &[(0, 64, &root)]);
    assert_eq!(direct::read(&raw(&whole), &want).expect("whole disk").os.root, "/dev/sda");

    // Must fall back: a separate /usr, two roots, an unknown partition, no root at all.
    let usr_root = sb.path("usr-root");
    make_root(&usr_root, "UUID=x / ext4 defaults 1 1\nUUID=z /usr ext4 defaults 1 2\n");
    let usr = sb.path("out/usr.raw");
    make_disk(&usr, None, &[(0, 64, &usr_root)]);
    let e = direct::read(&raw(&usr), &want).unwrap_err();
    assert_eq!(e.to_string(), "/usr is a separate filesystem in /etc/fstab");

    let two = sb.path("out/two.raw");
    make_disk(
        &two,
        Some("label: dos\nstart=2048, size=40960, type=83\nstart=43008, type=83\n"),
        &[(2048, 20, &root), (43008, 20, &root)],
    );
    let e = direct::read(&raw(&two), &want).unwrap_err();
    assert_eq!(e.to_string(), "more than one root filesystem (/dev/sda1, /dev/sda2)");

    let unknown = sb.path("out/unknown.raw");
    make_disk(
        &unknown,
        Some("label: dos\nstart=2048, size=4096, type=83\nstart=8192, type=83\n"),
        &[(8192, 20, &root)],
    );
    std::fs::OpenOptions::new()
        .write(true)
        .open(&unknown)
        .and_then(|f| std::os::unix::fs::FileExt::write_all_at(&f, b"XFSB", 2048 * 512))
        .unwrap();
    // An XFS signature on nothing like an XFS superblock: a typed error, no guess.
    let e = direct::read(&raw(&unknown), &want).unwrap_err();
    assert_eq!(e.to_string(), "/dev/sda1: superblock: version 0");

    let empty_root = sb.path("data");
    std::fs::create_dir_all(empty_root.join("stuff")).unwrap();
    let data = sb.path("out/data.raw");
    make_disk(&data, None, &[(0, 64, &empty_root)]);
    assert!(matches!(direct::read(&raw(&data), &want), Err(direct::DirectError::NoRoot)));
}
