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

use std::io;
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

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
    /// `trap '' HUP`): those stay ignored, for us and, across exec, for the child.
    pub fn install() -> io::Result<SignalGuard> {
        let shared = Arc::new(Shared::default());
        let caught: Vec<i32> = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|s| !ignored(*s)).collect();
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
        let mut child = cmd.spawn()?;
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

/// Whether `sig` is ignored (SIG_IGN) in this process.
fn ignored(sig: i32) -> bool {
    // SAFETY: a zeroed sigaction is a valid out-parameter; a null new action only queries.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
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
