//! Running the proxied tool: signals forwarded, its exit status made ours.
//!
//! [`SignalGuard::install`] is called before anything is created that must be cleaned up, so
//! that SIGINT, SIGTERM and SIGHUP never kill us half-way: they are recorded and forwarded,
//! and the caller finishes its clean-up (dropping temp directories) before [`exit`] ends the
//! process the way the child ended.
//!
//! While we plan (before the tool starts), a signal is forwarded to every child we have then
//! (`virt-builder --list`, the libguestfs appliance reading a guest, qemu-nbd), and to any we
//! start after it, so that whatever we wait for ends at once; long waits of our own poll
//! [`interrupted`]. The caller then checks
//! [`SignalGuard::received`] and ends by the signal, printing nothing more and running nothing.
//!
//! A signal ignored when we started (SIGHUP under `nohup`, SIGPIPE under `trap '' PIPE`) stays
//! ignored, for us and for every program we run: [`ignored_on_entry`], from a record made
//! before Rust's runtime changes SIGPIPE, and [`keep_ignored_on_entry`] for each child.

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// How the proxied tool ended (or would have, had it been started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    Signaled(i32),
}

impl From<ExitStatus> for Outcome {
    fn from(st: ExitStatus) -> Outcome {
        use std::os::unix::process::ExitStatusExt;
        match (st.code(), st.signal()) {
            (Some(code), _) => Outcome::Exited(code),
            (None, Some(sig)) => Outcome::Signaled(sig),
            (None, None) => Outcome::Exited(1),
        }
    }
}

#[derive(Default)]
struct Shared {
    child: AtomicI32,
}

pub use crate::interrupt::interrupted;

/// Our own children, from /proc (each process's parent is field 4 of its `stat`).
fn children() -> Vec<i32> {
    let me = std::process::id().to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        // The command name (field 2) is in parentheses and may hold spaces: after the last ')'.
        let after = stat.get(stat.rfind(')')? + 1..)?;
        let ppid = after.split_whitespace().nth(1)?;
        (ppid == me).then_some(pid)
    })
    .collect()
}

/// Catches termination signals for the life of the process.
pub struct SignalGuard {
    shared: Arc<Shared>,
}

impl SignalGuard {
    /// Catches SIGINT, SIGTERM and SIGHUP, except those ignored on entry (`nohup`, a shell's
    /// `trap '' HUP`): those stay ignored, for us and, across exec, for the child
    /// ([`ignored_on_entry`]).
    pub fn install() -> io::Result<SignalGuard> {
        let shared = Arc::new(Shared::default());
        let caught: Vec<i32> = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|s| !ignored_on_entry(*s)).collect();
        let mut signals = Signals::new(caught)?;
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            // While we plan, the children a signal went to. A child started after it (a read
            // that had not yet seen the signal when it started qemu or qemu-nbd) gets it
            // too, once: it would otherwise run to its end (an appliance launch, 15-30 s).
            let mut signalled = std::collections::HashSet::new();
            let mut last = None;
            loop {
                let got: Vec<i32> = match last {
                    None => signals.wait().collect(),
                    Some(_) => {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                        signals.pending().collect()
                    }
                };
                for sig in &got {
                    crate::interrupt::record(*sig);
                    last = Some(*sig);
                }
                let Some(sig) = last else { continue };
                let tool = s.child.load(Ordering::SeqCst);
                let targets: Vec<i32> = if tool > 0 {
                    // The proxied tool: every signal received, once each.
                    if got.is_empty() { Vec::new() } else { vec![tool] }
                } else {
                    children().into_iter().filter(|pid| !got.is_empty() || !signalled.contains(pid)).collect()
                };
                for pid in targets {
                    signalled.insert(pid);
                    // SAFETY: kill(2) has no memory effects; pid is our own child.
                    unsafe { libc::kill(pid, sig) };
                }
            }
        });
        Ok(SignalGuard { shared })
    }

    /// The last termination signal received, if any.
    pub fn received(&self) -> Option<i32> {
        interrupted()
    }

    /// Runs `cmd` to completion, forwarding signals to it. A signal received before the
    /// child could be started means it is not started at all.
    pub fn run(&self, cmd: &mut Command) -> io::Result<Outcome> {
        if let Some(sig) = self.received() {
            return Ok(Outcome::Signaled(sig));
        }
        let mut child = keep_ignored_on_entry(cmd).spawn()?;
        let pid = i32::try_from(child.id()).unwrap_or(0);
        self.shared.child.store(pid, Ordering::SeqCst);
        // A signal that arrived between spawn and store was not forwarded: do it now.
        if let Some(sig) = self.received() {
            // SAFETY: as above.
            unsafe { libc::kill(pid, sig) };
        }
        let status = child.wait();
        self.shared.child.store(0, Ordering::SeqCst);
        Ok(status?.into())
    }
}

/// Whether `sig` is ignored (SIG_IGN) in this process now.
fn ignored(sig: i32) -> bool {
    // SAFETY: a zeroed sigaction is a valid out-parameter; a null new action only queries.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// The signals (1 to 31) that were ignored when the process started, bit `sig - 1` each,
/// recorded by [`record_ignored_on_entry`] before Rust's runtime ran: by the time `main`
/// runs, the runtime has set SIGPIPE to SIG_IGN whatever the caller had, so only a record
/// made earlier can tell `trap '' PIPE` from the default.
static IGNORED_ON_ENTRY: AtomicU64 = AtomicU64::new(0);

/// Records [`IGNORED_ON_ENTRY`]. Async-signal-safe and allocation-free: sigaction(2)
/// queries and one atomic store, nothing of std's runtime.
extern "C" fn record_ignored_on_entry() {
    let mask = (1..32).filter(|&sig| ignored(sig)).fold(0u64, |m, sig| m | 1 << (sig - 1));
    IGNORED_ON_ENTRY.store(mask, Ordering::SeqCst);
}

/// Runs [`record_ignored_on_entry`] before `main`: the C library calls every function of the
/// executable's `.init_array` before it calls `main`, and Rust's runtime (which sets SIGPIPE
/// to SIG_IGN, and later makes every `Command` reset it to SIG_DFL in the child) starts from
/// `main`. `#[used]` keeps the entry although nothing names it.
// SAFETY: an `.init_array` entry must be a function pointer the C library can call with
// (argc, argv, envp) before `main`: an `extern "C" fn()` ignores those arguments (the C
// calling convention lets a callee ignore trailing arguments), and the function relies on
// nothing that `main` sets up: it does not allocate, touch std's runtime, thread-locals or
// stdio, or panic (sigaction(2) with a null new action only queries; an atomic store).
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_IGNORED_ON_ENTRY: extern "C" fn() = record_ignored_on_entry;

/// Whether `sig` was ignored when the process started (SIGHUP under `nohup`, a shell's
/// `trap '' PIPE`). The rule of issue 10: such a signal stays ignored, for us (we do not
/// catch it; a write to a closed pipe is then an error, not our death by SIGPIPE) and for
/// every program we run ([`keep_ignored_on_entry`]).
pub fn ignored_on_entry(sig: i32) -> bool {
    (1..32).contains(&sig) && IGNORED_ON_ENTRY.load(Ordering::SeqCst) & (1 << (sig - 1)) != 0
}

/// `cmd`, made to start its program with every signal that was ignored on entry ignored
/// again: std's `Command` resets SIGPIPE to SIG_DFL in the child (the others we never
/// change, and the child inherits them ignored). Every child we start goes through it: the
/// tool ([`SignalGuard::run`]), `virt-builder --list`, qemu-nbd. (The libguestfs appliance's
/// qemu is libguestfs's child, started from C: it inherits our SIGPIPE, ignored.)
pub fn keep_ignored_on_entry(cmd: &mut Command) -> &mut Command {
    let mask = IGNORED_ON_ENTRY.load(Ordering::SeqCst);
    if mask != 0 {
        // SAFETY: the closure runs in the child between fork and exec (after std's reset);
        // it calls only signal(2), which is async-signal-safe, and allocates nothing.
        unsafe {
            cmd.pre_exec(move || {
                for sig in (1..32).filter(|sig| mask & (1 << (sig - 1)) != 0) {
                    libc::signal(sig, libc::SIG_IGN);
                }
                Ok(())
            })
        };
    }
    cmd
}

/// Ends the process as the proxied tool ended: the same exit code, or the same signal.
/// Call it only once everything that needs cleaning up has been dropped.
pub fn exit(outcome: Outcome) -> ! {
    match outcome {
        Outcome::Exited(code) => std::process::exit(code),
        Outcome::Signaled(sig) => {
            let _ = signal_hook::low_level::emulate_default_handler(sig);
            // Not reached for terminating signals; the shell convention otherwise.
            std::process::exit(128 + sig)
        }
    }
}
