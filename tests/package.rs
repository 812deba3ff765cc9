//! The Debian package, built by `scripts/package` (cargo-deb) from this tree: what it holds
//! and depends on, and that its files work once installed: extracted into a private root
//! always, and installed for real with `dpkg -i` (then purged) when the test runs as root
//! (as CI does). Also `cargo install --path .`, which README documents.
//!
//! One release build (shared by cargo-deb and `cargo install`, both in target/release).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Sandbox;

const COMMANDS: [&str; 4] = ["rejviz-builder", "rejviz-customize", "rejviz-install", "rejviz-peek"];

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds the package into `dir` and returns its path.
fn build(dir: &Path) -> PathBuf {
    let stdout = run(Command::new(common::root().join("scripts/package")).arg("--output").arg(dir));
    let debs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the output dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    assert_eq!(debs.len(), 1, "one .deb in {}: {debs:?} (cargo deb said: {stdout})", dir.display());
    debs.into_iter().next().expect("one .deb")
}

fn field(deb: &Path, name: &str) -> String {
    run(Command::new("dpkg-deb").arg("--field").arg(deb).arg(name)).trim().to_string()
}

/// The names of a Depends-style field, without versions or alternatives' bars.
fn names(field: &str) -> Vec<String> {
    field
        .split([',', '|'])
        .map(|d| d.split_whitespace().next().unwrap_or_default().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// `man -w` for `page`, with only `manpath` searched.
fn man_where(manpath: &Path, args: &[&str]) -> String {
    run(Command::new("man").env("MANPATH", manpath).arg("-w").args(args)).trim().to_string()
}

/// What `complete -p COMMAND` says once bash-completion's own loader has found COMMAND's
/// completion in DATA/bash-completion/completions (DATA as in XDG_DATA_DIRS).
fn completion_spec(data: &Path, command: &str) -> String {
    let script = format!(
        "source /usr/share/bash-completion/bash_completion\n\
         __load_completion {command} && complete -p {command}"
    );
    run(Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("XDG_DATA_DIRS", data)
        .env("BASH_COMPLETION_USER_DIR", "/nonexistent"))
    .trim()
    .to_string()
}

#[test]
fn the_debian_package_holds_the_commands_pages_and_completion_and_installs() {
    let sb = Sandbox::new();
    let deb = build(&sb.path("out"));

    // What it is and what it needs.
    assert_eq!(field(&deb, "Package"), "rejviz");
    assert_eq!(field(&deb, "Version"), format!("{}-1", env!("CARGO_PKG_VERSION")));
    let depends = names(&field(&deb, "Depends"));
    for needed in ["libguestfs-tools", "guestfs-tools", "virtinst", "qemu-utils", "libguestfs0", "libvirt0", "libc6"] {
        assert!(depends.iter().any(|d| d == needed), "Depends lacks {needed}: {depends:?}");
    }
    let recommends = names(&field(&deb, "Recommends"));
    assert_eq!(recommends, ["libguestfs-xfs", "libvirt-clients", "bash-completion"]);

    // Exactly these files and links.
    let listing = run(Command::new("dpkg-deb").arg("--contents").arg(&deb));
    let mut entries: Vec<String> = listing
        .lines()
        .filter(|l| !l.starts_with('d'))
        .filter_map(|l| l.split_once(" ./").map(|(_, p)| p.to_string()))
        .collect();
    entries.sort();
    let completions = "usr/share/bash-completion/completions";
    let mut expected = vec![
        format!("{completions}/rejviz-builder"),
        format!("{completions}/rejviz-customize -> rejviz-builder"),
        format!("{completions}/rejviz-install -> rejviz-builder"),
        format!("{completions}/rejviz-peek -> rejviz-builder"),
        "usr/share/doc/rejviz/README.md".to_string(),
        "usr/share/doc/rejviz/copyright".to_string(),
        "usr/share/man/man5/rejviz-nic.5.gz".to_string(),
    ];
    for c in COMMANDS {
        expected.push(format!("usr/bin/{c}"));
        expected.push(format!("usr/share/man/man1/{c}.1.gz"));
    }
    expected.sort();
    assert_eq!(entries, expected, "{listing}");

    // Its files, extracted into a private root, work there.
    let root = sb.path("root");
    run(Command::new("dpkg-deb").arg("--extract").arg(&deb).arg(&root));
    for c in COMMANDS {
        let version = run(Command::new(root.join("usr/bin").join(c)).arg("--version"));
        assert_eq!(version, format!("{c} {}\n", env!("CARGO_PKG_VERSION")));
    }
    let manpath = root.join("usr/share/man");
    assert_eq!(
        man_where(&manpath, &["rejviz-builder"]),
        manpath.join("man1/rejviz-builder.1.gz").display().to_string()
    );
    assert_eq!(man_where(&manpath, &["5", "rejviz-nic"]), manpath.join("man5/rejviz-nic.5.gz").display().to_string());
    for c in COMMANDS {
        let spec = completion_spec(&root.join("usr/share"), c);
        assert!(spec.starts_with("complete -F ") && spec.ends_with(&format!(" {c}")), "{c}: {spec}");
    }

    // Installed for real, as root: dpkg checks Depends against what is installed.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: the package was checked extracted, not installed with dpkg -i");
        return;
    }
    let installed_before = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "rejviz"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("ok installed"));
    assert!(!installed_before, "a rejviz package is already installed here; remove it to run this test");
    struct Purge;
    impl Drop for Purge {
        fn drop(&mut self) {
            let _ = Command::new("dpkg").args(["--purge", "rejviz"]).status();
        }
    }
    let _purge = Purge;
    run(Command::new("dpkg").arg("--install").arg(&deb));
    let version = run(Command::new("/usr/bin/rejviz-peek").arg("--version"));
    assert_eq!(version, format!("rejviz-peek {}\n", env!("CARGO_PKG_VERSION")));
    let page = run(Command::new("man").env_remove("MANPATH").args(["-w", "rejviz-builder"]));
    assert_eq!(page.trim(), "/usr/share/man/man1/rejviz-builder.1.gz");
    let nic = run(Command::new("man").env_remove("MANPATH").env("MANWIDTH", "100").args(["5", "rejviz-nic"]));
    assert!(nic.contains("ipaddr="), "man 5 rejviz-nic: {nic}");
    let spec = completion_spec(Path::new("/usr/share"), "rejviz-install");
    assert!(spec.starts_with("complete -F "), "{spec}");
    run(Command::new("dpkg").args(["--purge", "rejviz"]));
    assert!(!Path::new("/usr/bin/rejviz-peek").exists(), "purge left /usr/bin/rejviz-peek");
}

/// README's `cargo install --path .`: the four commands, built from this tree. The target
/// directory is this tree's, so the release build the package made is reused.
#[test]
fn cargo_install_path_installs_the_four_commands() {
    let sb = Sandbox::new();
    let prefix = sb.path("prefix");
    run(Command::new(env!("CARGO"))
        .args(["install", "--locked", "--quiet", "--path"])
        .arg(common::root())
        .arg("--root")
        .arg(&prefix)
        .env("CARGO_TARGET_DIR", common::root().join("target")));
    for c in COMMANDS {
        let version = run(Command::new(prefix.join("bin").join(c)).arg("--version"));
        assert_eq!(version, format!("{c} {}\n", env!("CARGO_PKG_VERSION")));
    }
}
