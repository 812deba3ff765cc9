//! What each command adds to the tool it wraps. The binaries in `src/bin/` only call `main`.
//!
//! Exit codes of our own: 2 for bad input (nothing was run), 1 for a failure of ours,
//! 127 when the proxied tool cannot be started. Otherwise the proxied tool's status.

pub mod builder;
pub mod install;
pub mod peek;
mod nicwrite;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use crate::guestconf::GuestFile;
use crate::proxy::{self, display, OurOption, Outcome, SignalGuard};

pub const EXIT_USAGE: i32 = 2;
pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_NOT_FOUND: i32 = 127;

/// A command line we refuse, before anything runs. Displays as one line.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Scan(#[from] proxy::ScanError),
    #[error(transparent)]
    Nic(#[from] crate::nic::NicError),
}

/// What a proxy command decided to do.
#[derive(Debug)]
pub struct Plan {
    /// Arguments for the proxied tool, in order.
    pub args: Vec<OsString>,
    /// Files the tool is asked to write into the guest, for `--dry-run`.
    pub files: Vec<GuestFile>,
    pub dry_run: bool,
    /// The file the tool creates, removed if the run is interrupted by a signal and the
    /// file did not exist before (the tool removes it itself on other failures).
    pub output: Option<PathBuf>,
}

/// Runs `plan` with `program` (or, with `--dry-run`, shows it) and returns how it ended.
/// `me` is our command's name, for messages.
pub fn execute(me: &str, program: &str, plan: &Plan, guard: &SignalGuard) -> Outcome {
    let line = display::command_line(program, &plan.args);
    if plan.dry_run {
        println!("{me}: would run: {line}");
        for f in &plan.files {
            println!("--- {} (mode {:04o})", f.path, f.mode);
            print!("{}", f.content);
        }
        return Outcome::Exited(0);
    }
    // A private 0700 directory, the tool's TMPDIR, so that whatever it or libguestfs leaves
    // behind when interrupted goes with it. Removed when `tmp` drops, on every path.
    let tmp = match tempfile::Builder::new()
        .prefix(&format!("{me}."))
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{me}: cannot create a temporary directory in {}: {e}", std::env::temp_dir().display());
            return Outcome::Exited(EXIT_FAILURE);
        }
    };
    let mut cmd = Command::new(program);
    cmd.args(&plan.args).env("TMPDIR", tmp.path());
    // libguestfs keeps its appliance cache in TMPDIR unless told otherwise: keep it where it
    // would have been, so that it is reused across runs.
    if std::env::var_os("LIBGUESTFS_CACHEDIR").is_none() {
        cmd.env("LIBGUESTFS_CACHEDIR", std::env::var_os("TMPDIR").unwrap_or_else(|| "/var/tmp".into()));
    }
    let output_existed = plan.output.as_ref().map(|p| p.exists());

    eprintln!("{me}: running: {line}");
    let outcome = match guard.run(&mut cmd) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("{me}: cannot run {program}: {e}");
            Outcome::Exited(if e.kind() == std::io::ErrorKind::NotFound { EXIT_NOT_FOUND } else { EXIT_FAILURE })
        }
    };
    if let (Some(sig), Some(out), Some(false)) = (guard.received(), &plan.output, output_existed) {
        if outcome != Outcome::Exited(0) && out.exists() {
            match std::fs::remove_file(out) {
                Ok(()) => eprintln!("{me}: interrupted (signal {sig}): removed the partial {}", out.display()),
                Err(e) => eprintln!("{me}: interrupted (signal {sig}): cannot remove the partial {}: {e}", out.display()),
            }
        }
    }
    drop(tmp);
    outcome
}

/// `--help` text: our options, documented where they are defined, then a pointer to the
/// proxied tool's own help for everything else.
pub fn help(me: &str, program: &str, synopsis: &str, about: &str, options: &[OurOption], details: &str) -> String {
    let mut s = format!("{me} {}\n{about}\n\nUsage: {synopsis}\n\nOptions added by {me}:\n", env!("CARGO_PKG_VERSION"));
    for o in options {
        let head = match o.value {
            Some(v) => format!("--{} {v}", o.name),
            None => format!("--{}", o.name),
        };
        s.push_str(&format!("  {head}\n"));
        for line in o.help.lines() {
            s.push_str(&format!("      {line}\n"));
        }
    }
    s.push_str(details);
    s.push_str(&format!(
        "\nEvery other argument is {program}'s and is passed to it unchanged, in order; see\n\
         `{program} --help` and `man {program}`. {me} exits with {program}'s exit status,\n\
         2 on bad input (before {program} runs), 127 if {program} cannot be started.\n"
    ));
    s
}
