//! Shared set-up for integration tests: the test images and local virt-builder repository
//! (built once by scripts/build-test-images), and an environment that keeps the virt tools
//! offline and away from the user's configuration and caches.
#![allow(dead_code)]

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

    /// `program` with the offline, isolated environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env("VIRT_BUILDER_DIRS", images())
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("TMPDIR", self.path("tmp"))
            .env("LIBGUESTFS_CACHEDIR", std::env::temp_dir())
            .current_dir(self.path("out"));
        // KVM guests hang on these machines; a user's own setting wins.
        if std::env::var_os("LIBGUESTFS_BACKEND_SETTINGS").is_none() {
            c.env("LIBGUESTFS_BACKEND_SETTINGS", "force_tcg");
        }
        c
    }

    pub fn rejviz(&self, bin: &str) -> Command {
        let exe = match bin {
            "rejviz-builder" => env!("CARGO_BIN_EXE_rejviz-builder"),
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
