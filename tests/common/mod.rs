//! Shared set-up for integration tests: the test images and local virt-builder repository
//! (built once by scripts/build-test-images), and an environment that keeps the virt tools
//! offline and away from the user's configuration and caches.
#![allow(dead_code)]

pub mod guest;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const TEMPLATE: &str = "rejviz-centos7";
pub const IFCFG_DIR: &str = "/etc/sysconfig/network-scripts";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Directory of the built test images and repository (VIRT_BUILDER_DIRS points here).
pub fn images() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = root().join("target/test-images");
        // flock: several test binaries may ask at once.
        let st = Command::new("flock")
            .arg(root().join("target/.test-images.lock"))
            .arg(root().join("scripts/build-test-images"))
            .arg(&out)
            .status()
            .expect("run scripts/build-test-images");
        assert!(st.success(), "scripts/build-test-images failed");
        out
    })
}

/// A private scratch area per test: TMPDIR, XDG dirs, outputs.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new().prefix("rejviz-test.").tempdir().expect("tempdir");
        for d in ["tmp", "config", "cache", "out"] {
            std::fs::create_dir(dir.path().join(d)).expect("mkdir");
        }
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// This sandbox's unique id (the random part of its directory's name): a prefix for
    /// names a test makes outside the sandbox (libvirt domains), unique among concurrent tests.
    pub fn id(&self) -> String {
        let name = self.dir.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        name.trim_start_matches("rejviz-test.").to_string()
    }

    /// `program` with the offline, isolated environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("VIRT_BUILDER_DIRS", images())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("TMPDIR", self.path("tmp"))
            .env("LIBGUESTFS_CACHEDIR", std::env::temp_dir())
            .current_dir(self.path("out"));
        // The tests send signals as a user at a terminal would: the command gets them with
        // their default disposition, as a shell's foreground job does, whatever the test
        // runner inherited (a background job starts with SIGINT and SIGQUIT ignored, and a
        // signal ignored on entry stays ignored for us, by design).
        // SAFETY: signal(2) is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut c, || {
                for sig in [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP] {
                    libc::signal(sig, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        // KVM guests hang on these machines; a user's own setting wins.
        if std::env::var_os("LIBGUESTFS_BACKEND_SETTINGS").is_none() {
            c.env("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg");
        }
        c
    }

    pub fn rejviz(&self, bin: &str) -> Command {
        let exe = match bin {
            "rejviz-builder" => env!("CARGO_BIN_EXE_rejviz-builder"),
            "rejviz-peek" => env!("CARGO_BIN_EXE_rejviz-peek"),
            "rejviz-install" => env!("CARGO_BIN_EXE_rejviz-install"),
            "rejviz-customize" => env!("CARGO_BIN_EXE_rejviz-customize"),
            other => panic!("unknown binary {other}"),
        };
        self.command(exe)
    }

    /// Entries left in this sandbox's TMPDIR.
    pub fn tmp_leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.path("tmp"))
            .expect("read tmp")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }
}

/// Key=value lines of an ifcfg file (comments and blank lines skipped), for assertions.
pub fn kv(content: &str) -> Vec<(String, String)> {
    content
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// For tests that call libguestfs in-process: force TCG (KVM guests hang on these machines)
/// unless the user chose otherwise.
pub fn guestfs_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("LIBGUESTFS_BACKEND_SETTINGS").is_none() {
            // SAFETY: set once, before this test's first libguestfs call; no test reads or
            // writes this variable concurrently.
            unsafe { std::env::set_var("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg") };
        }
    });
}

/// Routes this command's libguestfs appliance launches through tests/support/count-qemu;
/// returns the file that gets one line per launch.
pub fn count_launches(sb: &Sandbox, cmd: &mut Command) -> PathBuf {
    let counter = sb.path("launches");
    let _ = std::fs::remove_file(&counter); // count this command's launches only
    cmd.env("LIBGUESTFS_HV", root().join("tests/support/count-qemu")).env("REJVIZ_QEMU_COUNT", &counter);
    counter
}

pub fn launches(counter: &Path) -> usize {
    std::fs::read_to_string(counter).map(|s| s.lines().count()).unwrap_or(0)
}

/// Compares `actual` with tests/golden/NAME; `REJVIZ_UPDATE_GOLDEN=1` rewrites the file.
pub fn golden(name: &str, actual: &str) {
    golden_at(&root().join("tests/golden").join(name), actual);
}

/// Compares `actual` with the file at `path`; `REJVIZ_UPDATE_GOLDEN=1` rewrites the file.
pub fn golden_at(path: &Path, actual: &str) {
    if std::env::var_os("REJVIZ_UPDATE_GOLDEN").is_some() {
        // Never in CI, where it would make every golden test pass whatever the output.
        assert!(std::env::var_os("CI").is_none(), "REJVIZ_UPDATE_GOLDEN is set in CI");
        std::fs::write(path, actual).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (REJVIZ_UPDATE_GOLDEN=1 creates it)", path.display()));
    assert_eq!(actual, want, "output differs from {}", path.display());
}

pub const LIBVIRT_URI: &str = "qemu:///system";

/// A domain for [`test_driver`]: name, disk, disk format, interfaces as (MAC, network).
pub type TestDriverDomain<'a> = (&'a str, &'a Path, &'a str, &'a [(&'a str, &'a str)]);

/// A connection to libvirt's test driver (`test:///FILE`), holding `domains` (name, disk,
/// format, interfaces as (MAC, network) pairs) and isolated networks (name, IPv4 address,
/// prefix): for tests that need only domain and network XML, not the system libvirtd. (The
/// test driver runs every domain it loads.)
pub fn test_driver(sb: &Sandbox, domains: &[TestDriverDomain<'_>], networks: &[(&str, &str, u8)]) -> String {
    let mut xml = String::from("<node>\n");
    for (name, disk, format, nics) in domains {
        let ifaces: String = nics
            .iter()
            .map(|(mac, net)| format!("<interface type='network'><mac address='{mac}'/><source network='{net}'/><model type='virtio'/></interface>"))
            .collect();
        xml.push_str(&format!(
            "<domain type='test'><name>{name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>\
             <os><type arch='x86_64'>hvm</type></os><devices>\
             <disk type='file' device='disk'><driver name='qemu' type='{format}'/><source file='{}'/>\
             <target dev='vda' bus='virtio'/></disk>{ifaces}</devices></domain>\n",
            disk.display()
        ));
    }
    for (i, (name, ip, prefix)) in networks.iter().enumerate() {
        xml.push_str(&format!(
            "<network><name>{name}</name><bridge name='rjztest{i}'/><ip address='{ip}' prefix='{prefix}'/></network>\n"
        ));
    }
    xml.push_str("</node>\n");
    let file = sb.path("test-driver.xml");
    std::fs::write(&file, xml).expect("write test driver XML");
    format!("test://{}", file.display())
}

/// A domain defined (never started) on the test libvirtd, undefined on drop.
pub struct TestDomain {
    pub name: String,
}

impl TestDomain {
    /// Defines `name` (made unique per process) with one disk and interfaces given as
    /// (MAC, network) pairs.
    pub fn define(name: &str, disk: &Path, format: &str, nics: &[(&str, &str)]) -> TestDomain {
        Self::define_named(&format!("rejviz-test-{name}-{}", std::process::id()), disk, format, nics)
    }

    /// Like [`TestDomain::define`] with the exact name given.
    pub fn define_named(name: &str, disk: &Path, format: &str, nics: &[(&str, &str)]) -> TestDomain {
        let name = name.to_string();
        let ifaces: String = nics
            .iter()
            .map(|(mac, net)| format!("<interface type='network'><mac address='{mac}'/><source network='{net}'/><model type='virtio'/></interface>"))
            .collect();
        let xml = format!(
            "<domain type='qemu'><name>{name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>\
             <os><type arch='x86_64'>hvm</type></os><devices>\
             <disk type='file' device='disk'><driver name='qemu' type='{format}'/><source file='{}'/>\
             <target dev='vda' bus='virtio'/></disk>{ifaces}</devices></domain>",
            disk.display()
        );
        let file = std::env::temp_dir().join(format!("{name}.xml"));
        std::fs::write(&file, xml).expect("write domain xml");
        let out = Command::new("virsh").args(["-c", LIBVIRT_URI, "define"]).arg(&file).output().expect("virsh define");
        let _ = std::fs::remove_file(&file);
        assert!(out.status.success(), "virsh define: {}", String::from_utf8_lossy(&out.stderr));
        TestDomain { name }
    }
}

impl Drop for TestDomain {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-c", LIBVIRT_URI, "undefine", &self.name]).output();
    }
}

/// `virsh -c qemu:///system ARGS`: stdout, or a panic with stderr.
pub fn virsh(args: &[&str]) -> String {
    let out = Command::new("virsh").args(["-c", LIBVIRT_URI]).args(args).output().expect("virsh");
    assert!(out.status.success(), "virsh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An isolated libvirt network (no <forward>: nothing leaves the host), undefined on drop.
pub struct TestNetwork {
    pub name: String,
}

impl TestNetwork {
    /// Defines `name` (made unique per process) with host address `ip`/`prefix`, optionally
    /// serving DHCP, and starts it when `start`.
    pub fn new(name: &str, ip: &str, prefix: u8, dhcp: bool, start: bool) -> TestNetwork {
        let name = format!("rjz-{}-{name}", std::process::id());
        Self::define(&name, ip, prefix, dhcp, start)
    }

    /// Like [`TestNetwork::new`] with the exact name given.
    pub fn define(name: &str, ip: &str, prefix: u8, dhcp: bool, start: bool) -> TestNetwork {
        let dhcp_xml = if dhcp {
            let base = ip.rsplit_once('.').map(|(b, _)| b).unwrap_or(ip);
            format!("<dhcp><range start='{base}.100' end='{base}.200'/></dhcp>")
        } else {
            String::new()
        };
        let xml = format!("<network><name>{name}</name><ip address='{ip}' prefix='{prefix}'>{dhcp_xml}</ip></network>");
        let file = std::env::temp_dir().join(format!("{name}.xml"));
        std::fs::write(&file, xml).expect("write network xml");
        let path = file.display().to_string();
        virsh(&["net-define", &path]);
        let _ = std::fs::remove_file(&file);
        let net = TestNetwork { name: name.to_string() };
        if start {
            virsh(&["net-start", name]);
        }
        net
    }

    /// The host bridge libvirt gave the network.
    pub fn bridge(&self) -> String {
        let xml = virsh(&["net-dumpxml", &self.name]);
        let doc = roxmltree::Document::parse(&xml).expect("network xml");
        doc.descendants()
            .find(|n| n.has_tag_name("bridge"))
            .and_then(|b| b.attribute("name"))
            .expect("bridge")
            .to_string()
    }
}

impl Drop for TestNetwork {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-c", LIBVIRT_URI, "net-destroy", &self.name]).output();
        let _ = Command::new("virsh").args(["-c", LIBVIRT_URI, "net-undefine", &self.name]).output();
    }
}

/// A domain created by a test (e.g. through virt-install), destroyed and undefined on drop.
pub struct CreatedDomain(pub String);

impl Drop for CreatedDomain {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-c", LIBVIRT_URI, "destroy", &self.0]).output();
        let _ = Command::new("virsh").args(["-c", LIBVIRT_URI, "undefine", &self.0]).output();
    }
}

/// (MAC, source network or bridge) of each interface of a domain XML, in order.
pub fn xml_interfaces(xml: &str) -> Vec<(String, String)> {
    let doc = roxmltree::Document::parse(xml).expect("domain xml");
    doc.descendants()
        .filter(|n| n.has_tag_name("interface"))
        .map(|i| {
            let mac = i
                .children()
                .find(|c| c.has_tag_name("mac"))
                .and_then(|m| m.attribute("address"))
                .unwrap_or("")
                .to_string();
            let src = i
                .children()
                .find(|c| c.has_tag_name("source"))
                .and_then(|s| s.attribute("network").or_else(|| s.attribute("bridge")))
                .unwrap_or("")
                .to_string();
            (mac, src)
        })
        .collect()
}

/// A private copy of a test image (sparse), for tests that write to it.
pub fn image_copy(sb: &Sandbox, name: &str, as_name: &str) -> PathBuf {
    let dst = sb.path(&format!("out/{as_name}"));
    let st = Command::new("cp").arg("--sparse=always").arg(images().join(name)).arg(&dst).status().expect("cp");
    assert!(st.success());
    dst
}

/// What the tests want to know of one guest disk.
#[derive(Debug, Default)]
pub struct GuestView {
    /// (file name, content) of /etc/sysconfig/network-scripts, sorted.
    pub ifcfg: Vec<(String, String)>,
    /// Guest paths of regular files containing any of the needles.
    pub containing: Vec<String>,
    /// Content of a few named files, when they exist.
    pub files: std::collections::BTreeMap<String, String>,
    /// (path, mode, content) of the regular files in the directories asked for.
    pub listed: Vec<(String, u32, String)>,
}

impl GuestView {
    pub fn listed(&self, path: &str) -> Option<&(String, u32, String)> {
        self.listed.iter().find(|(p, _, _)| p == path)
    }
}

/// Reads several single-partition test images (raw) in ONE appliance launch: each image's
/// first partition is mounted in turn. Also lists files containing any of `needles`.
pub fn read_guests(disks: &[&Path], needles: &[&str], files: &[&str]) -> Vec<GuestView> {
    read_guests_dirs(disks, &[], needles, files)
}

/// [`read_guests`], also listing the regular files of `dirs`.
pub fn read_guests_dirs(disks: &[&Path], dirs: &[&str], needles: &[&str], files: &[&str]) -> Vec<GuestView> {
    guestfs_env();
    let g = guestfs::Handle::create().expect("guestfs handle");
    for d in disks {
        let disk = rejviz::inspect::Disk { path: d.to_path_buf(), format: Some("raw".into()) };
        rejviz::inspect::add_read_only(&g, &disk).expect("add_drive");
    }
    g.launch().expect("launch");
    let parts = g.list_partitions().expect("partitions");
    assert_eq!(parts.len(), disks.len(), "one partition per test image");
    let mut out = Vec::new();
    for part in parts {
        g.mount_ro(&part, "/").expect("mount");
        let mut v = GuestView::default();
        let mut names = g.ls(IFCFG_DIR).unwrap_or_default();
        names.sort();
        for n in names {
            let content = g.read_file(&format!("{IFCFG_DIR}/{n}")).unwrap_or_default();
            v.ifcfg.push((n, String::from_utf8_lossy(&content).into_owned()));
        }
        if !needles.is_empty() {
            for rel in g.find("/").expect("find") {
                let path = format!("/{rel}");
                if !g.is_file(&path, guestfs::IsFileOptArgs { followsymlinks: Some(false) }).unwrap_or(false) {
                    continue;
                }
                let content = g.read_file(&path).unwrap_or_default();
                if needles.iter().any(|n| content.windows(n.len()).any(|w| w == n.as_bytes())) {
                    v.containing.push(path);
                }
            }
        }
        for dir in dirs {
            if !g.is_dir(dir, guestfs::IsDirOptArgs { followsymlinks: Some(true) }).unwrap_or(false) {
                continue; // (ls would fail, and libguestfs print the error)
            }
            let mut names = g.ls(dir).unwrap_or_default();
            names.sort();
            for n in names {
                let path = format!("{dir}/{n}");
                if g.is_file(&path, guestfs::IsFileOptArgs { followsymlinks: Some(false) }).unwrap_or(false) {
                    let mode = g.lstatns(&path).map(|s| (s.st_mode & 0o7777) as u32).unwrap_or(0);
                    let content = String::from_utf8_lossy(&g.read_file(&path).unwrap_or_default()).into_owned();
                    v.listed.push((path, mode, content));
                }
            }
        }
        for f in files {
            if g.is_file(f, guestfs::IsFileOptArgs { followsymlinks: Some(false) }).unwrap_or(false) {
                v.files
                    .insert(f.to_string(), String::from_utf8_lossy(&g.read_file(f).unwrap_or_default()).into_owned());
            }
        }
        g.umount_all().expect("umount");
        out.push(v);
    }
    out
}

/// Exit code, stdout and stderr of a finished command.
pub fn outcome(o: &std::process::Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// A directory (`fakebin` in the sandbox) holding a fake tool `name` running `script`, with
/// permission bits `mode`: for the proxies' own behaviours (exit status, signals, argv).
pub fn fake_tool(sb: &Sandbox, name: &str, script: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = sb.path("fakebin");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let tool = dir.join(name);
    std::fs::write(&tool, script).expect("write fake tool");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(mode)).expect("chmod");
    dir
}

/// PATH with `dir` first (a fake tool there, the system's tools after it).
pub fn with_path(dir: &Path) -> String {
    format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// Waits until `cond` holds (the process under test reached the point we want to interrupt).
pub fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !cond() {
        assert!(start.elapsed() < std::time::Duration::from_secs(120), "never happened: {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Sends `sig` to `child` once `ready`, and returns how it ended and its stderr.
pub fn interrupt(child: std::process::Child, sig: i32, what: &str, ready: impl Fn() -> bool) -> (Option<i32>, String) {
    use std::os::unix::process::ExitStatusExt;
    wait_for(what, ready);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, sig) };
    let o = child.wait_with_output().expect("wait");
    (o.status.signal(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// What our readers make of `files` (the configs, and the files they could not read).
pub fn read_back(
    files: &[rejviz::guestconf::GuestFile],
) -> (Vec<rejviz::guestconf::ConfiguredNic>, Vec<rejviz::guestconf::Unreadable>) {
    let (nics, bad, _) =
        rejviz::guestconf::configs_in_files(files.iter().map(|f| (f.path.as_str(), f.content.as_bytes())));
    (nics, bad)
}

/// What our readers should find for `n` written in `format` as `files` (what
/// `guestconf::write` gave for it: the main file first).
pub fn expected(
    n: &rejviz::nic::Nic,
    format: rejviz::guestconf::Format,
    files: &[rejviz::guestconf::GuestFile],
) -> rejviz::guestconf::ConfiguredNic {
    use rejviz::guestconf::{Bootproto, ConfiguredNic, Format, LinkKind};
    use rejviz::nic::{Ipv4Config, NicKind, StaticWord};
    let main = files.first().map(|f| f.path.as_str()).unwrap_or_default();
    let mut c = ConfiguredNic::new(&n.name, main, format);
    c.kind = LinkKind::of(n);
    c.hwaddr = n.hwaddr;
    c.onboot = n.onboot;
    c.mtu = n.mtu;
    c.ipv6 = n.ipv6;
    c.dns = n.dns.clone();
    match &n.ipv4 {
        Ipv4Config::Dhcp => c.bootproto = Bootproto::Dhcp,
        Ipv4Config::NoAddress => c.bootproto = Bootproto::None,
        Ipv4Config::Static(s) => {
            // ifcfg keeps the word the user wrote (BOOTPROTO=none); the others say static.
            c.bootproto =
                if format == Format::Ifcfg && s.word == StaticWord::None { Bootproto::None } else { Bootproto::Static };
            c.ipv4 = Some(s.addr);
            c.gateway = s.gateway;
        }
    }
    c.master = n.master.as_ref().map(|m| m.name.clone());
    c.members = n.kind.members().to_vec();
    c.members.sort_by(|a, b| rejviz::nic::natural_cmp(a, b));
    match &n.kind {
        NicKind::Ethernet => {}
        NicKind::Vlan(v) => {
            c.link = Some(v.link.clone());
            c.id = Some(v.id);
        }
        NicKind::Bond(b) => c.bond = Some(b.options.clone()),
        NicKind::Bridge(b) => c.stp = Some(b.stp),
    }
    c.routes = n.routes.clone();
    c.search = n.search.clone();
    c.also = files.iter().skip(1).filter(|f| !f.path.ends_with(".link")).map(|f| f.path.clone()).collect();
    // The readers call an interface named lo the loopback, whatever the file says.
    if n.name == "lo" && matches!(format, Format::Ifcfg | Format::Netplan | Format::Networkd) {
        c.kind = LinkKind::Loopback;
    }
    c
}

/// Writes `f` under `root` as the guest would have it (its path, content and mode).
pub fn put(root: &Path, f: &rejviz::guestconf::GuestFile) {
    use std::os::unix::fs::PermissionsExt;
    let p = root.join(f.path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&p, &f.content).expect("write");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(f.mode)).expect("chmod");
}

/// `ifup --no-act -a` (ifupdown itself) on the interfaces file `main`, with its state in a
/// new folder beside it: its whole output, and whether it succeeded.
pub fn ifup_no_act(main: &Path) -> (bool, String) {
    let state = main.with_file_name("state");
    std::fs::create_dir(&state).expect("ifup state folder");
    let out = Command::new("ifup")
        .args(["--no-act", "--verbose", "--force", "-a", "-i"])
        .arg(main)
        .arg(format!("--state-dir={}", state.display()))
        .output()
        .expect("ifup (ifupdown)");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// stderr without our debug lines (`rejviz-CMD: debug: ...`, which `-v` also turns on), for
/// tests of the other messages.
pub fn without_debug(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            !l.split_once(": ").is_some_and(|(me, rest)| me.starts_with("rejviz-") && rest.starts_with("debug: "))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The JSON Schema of `rejviz-peek --json` (schema/peek.schema.json), compiled once.
pub fn peek_schema() -> &'static jsonschema::Validator {
    static SCHEMA: OnceLock<jsonschema::Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = root().join("schema/peek.schema.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let schema: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{}: not a valid schema: {e}", path.display()))
    })
}

/// What `document` breaks of the peek schema: one line per error (where, and what), none
/// when it conforms.
pub fn peek_schema_errors(document: &serde_json::Value) -> Vec<String> {
    peek_schema().iter_errors(document).map(|e| format!("at {:?}: {e}", e.instance_path().as_str())).collect()
}

/// `rejviz-peek --json` output, parsed and validated against schema/peek.schema.json: every
/// test that reads peek's JSON goes through here, so that output the schema does not
/// describe fails the test (with the schema's errors).
pub fn peek_json(stdout: &str) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("rejviz-peek --json is not JSON: {e}\n{stdout}"));
    let errors = peek_schema_errors(&v);
    assert!(
        errors.is_empty(),
        "rejviz-peek --json does not conform to schema/peek.schema.json:\n{}\n{stdout}",
        errors.join("\n")
    );
    v
}

/// A pseudo-terminal: (master, slave), neither inherited by children.
pub fn pty() -> (std::fs::File, std::os::fd::OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two new descriptors into the ints it is given; the name,
    // termios and winsize arguments may be null.
    let rc =
        unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    for fd in [master, slave] {
        // SAFETY: fcntl on descriptors we own.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    use std::os::fd::FromRawFd as _;
    // SAFETY: both descriptors were just opened, and nothing else owns them.
    unsafe { (std::fs::File::from_raw_fd(master), std::os::fd::OwnedFd::from_raw_fd(slave)) }
}
