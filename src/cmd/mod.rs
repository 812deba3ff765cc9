//! What each command adds to the tool it wraps. The binaries in `src/bin/` only call `main`.
//!
//! Exit codes of our own: 2 for bad input (nothing was run), 1 for a failure of ours,
//! 126 when the proxied tool exists but cannot be executed, 127 when it is not found (the
//! shell's convention). Otherwise the proxied tool's status.

/// `eprintln!` that cannot panic: a line on stderr, dropped if stderr is closed or its
/// reader is gone (`2>&-`, `2>&1 | head -1`). Every message of ours goes through it.
/// Control characters in the message (a value from the command line or from a guest image)
/// are escaped, so that every message is one line and cannot drive the terminal.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", $crate::cmd::escape_controls(&text, false));
    }};
}

/// One debug line of ours, `ME: debug: ...` on stderr through [`say!`] (escaped, one line),
/// printed only once [`debug_on`] was called: with the proxied tool's own debug flags
/// (virt-builder's and virt-customize's `-v`/`--verbose` and `-x`, virt-install's
/// `--debug`), or rejviz-peek's `-v`. What it says: which reader read the guest and why,
/// which guest files were read (paths, never contents), which rule paired each config with
/// each interface, what was decided and staged. Never a secret: a secret file is named, its
/// content never shown. The whole line is escaped as [`crate::nic::shown`] escapes a value
/// (names and paths from a guest or libvirt: no control or invisible character, `\`
/// doubled), so callers pass values as they are.
macro_rules! debug {
    ($($arg:tt)*) => {{
        if let Some(me) = $crate::cmd::debugging() {
            let text = format!($($arg)*);
            say!("{me}: debug: {}", $crate::nic::shown(&text));
        }
    }};
}

static DEBUG: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Turns our debug lines on for the rest of the process, prefixed with `me`.
pub fn debug_on(me: &'static str) {
    let _ = DEBUG.set(me);
}

/// The command whose debug lines are on, if they are.
pub fn debugging() -> Option<&'static str> {
    DEBUG.get().copied()
}

/// An error line, `ME: MESSAGE` on stderr like [`say!`] (escaped, one line), the message in
/// colour when stderr gets colour ([`style`]).
pub fn say_error(me: &str, message: &dyn std::fmt::Display) {
    use std::io::Write as _;
    let text = message.to_string();
    let painted = style::stderr().bad(&escape_controls(&text, false));
    let _ = writeln!(std::io::stderr(), "{}: {painted}", escape_controls(me, false));
}

/// `text` with its control characters escaped as Rust does (`\n`, `\u{1b}`); newlines are
/// kept when `keep_newlines` (multi-line output whose lines hold values from a guest).
pub fn escape_controls(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && !(keep_newlines && c == '\n')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && !(keep_newlines && c == '\n') {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

pub mod builder;
pub mod completion;
pub mod customize;
pub mod features;
mod guestops;
pub mod install;
pub mod man;
pub mod peek;
mod progress;
pub mod style;

use std::ffi::OsString;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::guestconf::GuestFile;
use crate::proxy::{self, OurOption, Outcome, SignalGuard, ToolSpec, display};

pub const EXIT_USAGE: i32 = 2;
pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_NOT_EXECUTABLE: i32 = 126;
pub const EXIT_NOT_FOUND: i32 = 127;

/// Writes `text` to standard output, and says how the run ends if that failed: a reader
/// that went away (`--dry-run | head -1`) ends us quietly by SIGPIPE, as it ends other
/// tools, or, when SIGPIPE was ignored on entry (`trap '' PIPE`: the caller wants EPIPE,
/// not the signal), quietly with exit 1; any other error (`--help >/dev/full`) is one line
/// and exit 1. Never a panic.
pub fn emit(me: &str, text: &str) -> Outcome {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Outcome::Exited(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && proxy::ignored_on_entry(libc::SIGPIPE) => {
            Outcome::Exited(EXIT_FAILURE)
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Signaled(libc::SIGPIPE),
        Err(e) => {
            say_error(me, &format_args!("cannot write to standard output: {e}"));
            Outcome::Exited(EXIT_FAILURE)
        }
    }
}

/// A command line we refuse, before anything runs. Displays as one line.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Scan(#[from] proxy::ScanError),
    #[error(transparent)]
    Nic(#[from] crate::nic::NicError),
    #[error(transparent)]
    Rhsm(#[from] crate::rhsm::RhsmError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    GuestPath(#[from] guestops::PathError),
    #[error("{0}")]
    Option(String),
    /// The proxied tool, run while we plan (`virt-builder --list`), cannot be run.
    #[error("cannot run {program}: {source}")]
    CannotRun { program: &'static str, source: std::io::Error },
}

/// Why a command stopped before its tool ran, and the exit status that says so.
pub trait Refusal: std::fmt::Display + From<proxy::ScanError> {
    /// 2 (bad input) unless the error is a failure of ours or the tool's.
    fn exit_code(&self) -> i32 {
        EXIT_USAGE
    }
}

impl Refusal for UsageError {
    fn exit_code(&self) -> i32 {
        match self {
            UsageError::Workspace(_) => EXIT_FAILURE,
            UsageError::CannotRun { source, .. } => cannot_run_code(source),
            _ => EXIT_USAGE,
        }
    }
}

/// The shell's status for a program that cannot be run: 127 not found, 126 not executable.
fn cannot_run_code(e: &std::io::Error) -> i32 {
    match e.kind() {
        std::io::ErrorKind::NotFound => EXIT_NOT_FOUND,
        std::io::ErrorKind::PermissionDenied => EXIT_NOT_EXECUTABLE,
        _ => EXIT_FAILURE,
    }
}

/// What a proxy command decided to do.
#[derive(Debug)]
pub struct Plan {
    /// Arguments for the proxied tool, in order.
    pub args: Vec<OsString>,
    /// Files the tool is asked to write into the guest, shown by the dry run.
    pub files: Vec<GuestFile>,
    /// Host files the arguments refer to, written into the workspace just before the run.
    pub staged: Vec<Staged>,
    pub dry_run: bool,
    /// The file the tool creates, removed if the run is interrupted by a signal and the
    /// file did not exist before (the tool removes it itself on other failures).
    pub output: Option<PathBuf>,
}

impl Plan {
    pub fn new(dry_run: bool) -> Plan {
        Plan { args: Vec::new(), files: Vec::new(), staged: Vec::new(), dry_run, output: None }
    }
}

/// A host file for the tool (e.g. a script it runs in the guest). It may hold a secret:
/// it is written only into the private workspace, mode `mode`, and shown only as `shown`.
#[derive(Debug)]
pub struct Staged {
    pub path: PathBuf,
    pub content: String,
    /// What a dry run prints instead of the content (secrets masked).
    pub shown: String,
    pub mode: u32,
}

/// A private 0700 directory for one run, made the first time it is needed (a staged file,
/// or the tool's run: `--help`, `--version` and dry runs need none, so a missing TMPDIR does
/// not break them) and removed when dropped (on every path: errors, signals, success). It
/// holds staged files, and `tmp/`, the tool's TMPDIR, so that what the tool or libguestfs
/// leaves behind when interrupted goes with it.
pub struct Workspace {
    me: String,
    dir: std::cell::OnceCell<tempfile::TempDir>,
}

/// The private directory could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot create a private directory in {}: {source}", .parent.display())]
pub struct WorkspaceError {
    parent: PathBuf,
    source: std::io::Error,
}

impl Workspace {
    pub fn new(me: &str) -> Workspace {
        Workspace { me: me.to_string(), dir: std::cell::OnceCell::new() }
    }

    /// Where the directory would be, for a dry run, which makes none: `$TMPDIR/ME.XXXXXX`.
    pub fn placeholder(&self) -> PathBuf {
        std::env::temp_dir().join(format!("{}.XXXXXX", self.me))
    }

    /// The directory, made now if it was not yet.
    pub fn path(&self) -> Result<&Path, WorkspaceError> {
        if let Some(d) = self.dir.get() {
            return Ok(d.path());
        }
        let parent = std::env::temp_dir();
        let err = |source| WorkspaceError { parent: parent.clone(), source };
        // Said plainly when TMPDIR is not there (tempfile's own error adds a made-up path).
        if let Err(source) = std::fs::metadata(&parent) {
            return Err(err(source));
        }
        let d = tempfile::Builder::new()
            .prefix(&format!("{}.", self.me))
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(err)?;
        std::fs::DirBuilder::new().mode(0o700).create(d.path().join("tmp")).map_err(err)?;
        Ok(self.dir.get_or_init(|| d).path())
    }

    /// Where a staged file named `name` goes.
    pub fn staged_path(&self, name: &str) -> Result<PathBuf, WorkspaceError> {
        Ok(self.path()?.join(name))
    }
}

fn write_staged(s: &Staged) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(s.mode).open(&s.path)?;
    f.write_all(s.content.as_bytes())
}

/// Runs `plan` with `program` (or, with a dry run, shows it) and returns how it ended.
/// `me` is our command's name, for messages. `ws` is removed before this returns.
pub fn execute(me: &str, tool: &ToolSpec, plan: &Plan, ws: Workspace, guard: &SignalGuard) -> Outcome {
    let program = tool.program;
    let line = display::command_line(tool, &plan.args);
    if plan.dry_run {
        let mut text = format!("{me}: would run: {line}\n");
        for f in &plan.files {
            text.push_str(&format!("--- {} (mode {:04o})\n{}", f.path, f.mode, f.content));
        }
        for s in &plan.staged {
            text.push_str(&format!(
                "--- host file {} (mode {:04o}, removed after the run)\n{}",
                s.path.display(),
                s.mode,
                s.shown
            ));
        }
        return emit(me, &text);
    }
    for s in &plan.staged {
        if let Err(e) = write_staged(s) {
            say_error(me, &format_args!("cannot write {}: {e}", s.path.display()));
            return Outcome::Exited(EXIT_FAILURE);
        }
    }
    let tmp = match ws.path() {
        Ok(p) => p.join("tmp"),
        Err(e) => {
            say_error(me, &e);
            return Outcome::Exited(EXIT_FAILURE);
        }
    };
    // Interrupted while we planned or staged: nothing runs and nothing more is said.
    if let Some(sig) = guard.received() {
        return Outcome::Signaled(sig);
    }
    let mut cmd = Command::new(program);
    cmd.args(&plan.args).env("TMPDIR", tmp);
    // libguestfs keeps its appliance cache in TMPDIR unless told otherwise: keep it where it
    // would have been, so that it is reused across runs.
    if std::env::var_os("LIBGUESTFS_CACHEDIR").is_none() {
        cmd.env("LIBGUESTFS_CACHEDIR", std::env::var_os("TMPDIR").unwrap_or_else(|| "/var/tmp".into()));
    }
    let output_existed = plan.output.as_ref().map(|p| p.exists());

    say!("{me}: running: {line}");
    let outcome = match guard.run(&mut cmd) {
        Ok(outcome) => outcome,
        Err(e) => cannot_run(me, program, &e),
    };
    // A run a signal ended ends by that signal, whatever status the tool chose on its way
    // out (the convention callers and shells rely on to tell an interrupt from a failure).
    let outcome = match (guard.received(), outcome) {
        (Some(sig), Outcome::Exited(code)) if code != 0 => Outcome::Signaled(sig),
        (_, o) => o,
    };
    if let (Some(sig), Some(out), Some(false)) = (guard.received(), &plan.output, output_existed)
        && outcome != Outcome::Exited(0)
        && out.exists()
    {
        match std::fs::remove_file(out) {
            Ok(()) => say!("{me}: interrupted (signal {sig}): removed the partial {}", out.display()),
            Err(e) => say!("{me}: interrupted (signal {sig}): cannot remove the partial {}: {e}", out.display()),
        }
    }
    drop(ws);
    outcome
}

/// Debug lines for a guest read: the reader asked for and the one that read it (with why
/// not the direct one), the disks, what inspection found, and each file read (its path and
/// size: never its content) or directory the guest lacks.
pub fn debug_guest_read(
    disks: &[crate::inspect::Disk],
    asked: crate::inspect::Reader,
    used: &crate::inspect::ReaderUsed,
    snap: &crate::inspect::Snapshot,
) {
    if debugging().is_none() {
        return;
    }
    for d in disks {
        debug!("disk {} (format {})", d.path.display(), d.format.as_deref().unwrap_or("probed"));
    }
    debug!("--reader {asked}: {used}");
    let os = &snap.os;
    debug!(
        "inspection: root {}: {} {} {}.{} (osinfo {})",
        os.root, os.os_type, os.distro, os.major, os.minor, os.osinfo
    );
    for f in &snap.files {
        debug!("read {} ({} bytes, mode {:04o})", f.path, f.content.len(), f.mode);
    }
    for d in &snap.missing_dirs {
        debug!("no {d} in the guest");
    }
}

/// `program` could not be started: one line, and the shell's status for it (127 not found,
/// 126 not executable, else 1).
fn cannot_run(me: &str, program: &str, e: &std::io::Error) -> Outcome {
    say_error(me, &format_args!("cannot run {program}: {e}"));
    Outcome::Exited(cannot_run_code(e))
}

/// `args` scanned for `tool` and `options`, for tests of a command's `plan`.
#[cfg(test)]
pub(crate) fn scanned(args: &[&str], tool: &ToolSpec, options: &[OurOption]) -> Vec<proxy::Item> {
    proxy::scan(args.iter().map(OsString::from), tool, options).expect("scan")
}

pub const HELP: OurOption = OurOption::flag("help", "Show this help (the proxied tool's own: see the end).");
pub const VERSION: OurOption = OurOption::flag("version", "Show the version.");
/// How every command that reads a guest reads it.
pub const READER: OurOption = OurOption::value(
    "reader",
    "auto|direct|appliance",
    "How the guest is read: auto (the default) reads it directly, in milliseconds, and\n\
     falls back to the libguestfs appliance for what the direct reader cannot read\n\
     with certainty (LVM, LUKS, btrfs, ...); direct or appliance use only that one.",
);

/// The `--reader` of a command line (the last one given); auto when none is.
pub fn reader(items: &[proxy::Item]) -> Result<crate::inspect::Reader, UsageError> {
    match proxy::values(items, &READER).pop() {
        None => Ok(crate::inspect::Reader::Auto),
        Some(v) => v.parse().map_err(|e| UsageError::Option(format!("--reader: {e}"))),
    }
}

/// Signals caught (or left ignored) for the life of the process: the first thing every
/// command's `main` does. Failing that, one line and exit 1.
pub fn signal_guard(me: &str) -> SignalGuard {
    match SignalGuard::install() {
        Ok(g) => g,
        Err(e) => {
            say_error(me, &format_args!("cannot install signal handlers: {e}"));
            std::process::exit(EXIT_FAILURE);
        }
    }
}

/// What a proxy's command line asks for: a text (`--help`, `--version`) or a run.
enum Answer {
    Text(String),
    Run(Plan),
}

/// The body of every proxy command's `main`: signals first, then the command line scanned
/// (`--machine-readable`, `--help` and `--version` answered), then the workspace, `plan`,
/// and the run; ends the process as the tool ended. The tool's own debug flags turn our
/// debug lines on, and its `--colour` our colour.
pub fn proxy_main<E: Refusal>(
    me: &'static str,
    tool: &ToolSpec,
    options: &[OurOption],
    help_text: impl FnOnce() -> String,
    plan: impl FnOnce(Vec<proxy::Item>, &Workspace) -> Result<Plan, E>,
) -> ! {
    let guard = signal_guard(me);
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    // The tool's own --machine-readable, alone: its lines, then ours.
    if let [only] = args.as_slice()
        && features::is_tools_own(tool, only)
    {
        proxy::exit(features::tools_and_ours(me, tool, only, options, &guard));
    }
    // Where the tool has a --machine-readable of its own, ours is not scanned: with other
    // arguments it is the tool's, passed through unchanged.
    let scanned: Vec<OurOption> =
        options.iter().filter(|o| !(o.name == features::NAME && features::tool_has(tool))).copied().collect();
    let ws = Workspace::new(me);
    let planned = match proxy::scan(args, tool, &scanned) {
        Ok(items) if items.iter().any(|i| matches!(i, proxy::Item::Ours { name, .. } if *name == features::NAME)) => {
            match items.as_slice() {
                [_] => Ok(Answer::Text(features::lines(me, options))),
                _ => Err(E::from(proxy::ScanError::NotAlone(features::NAME, tool.program))),
            }
        }
        Ok(items) if proxy::given(&items, &HELP) => Ok(Answer::Text(help_text())),
        Ok(items) if proxy::given(&items, &VERSION) => {
            Ok(Answer::Text(format!("{me} {}\n", env!("CARGO_PKG_VERSION"))))
        }
        Ok(items) => {
            conventions(me, &items, tool);
            plan(items, &ws).map(Answer::Run)
        }
        Err(e) => Err(E::from(e)),
    };
    // A signal while we planned: whatever failed because of it is not worth a message.
    if let Some(sig) = guard.received() {
        drop(ws);
        proxy::exit(Outcome::Signaled(sig));
    }
    let outcome = match planned {
        Ok(Answer::Text(text)) => emit(me, &text),
        // execute removes the workspace before it returns.
        Ok(Answer::Run(plan)) => proxy::exit(execute(me, tool, &plan, ws, &guard)),
        Err(e) => {
            say_error(me, &e);
            Outcome::Exited(e.exit_code())
        }
    };
    drop(ws);
    proxy::exit(outcome)
}

/// Everything a proxy command says about itself: what `--help` shows and what its man page
/// (`man.rs`) is made of, so that the two never differ.
pub struct CommandDoc {
    /// The command's name.
    pub me: &'static str,
    /// The tool it proxies.
    pub tool: &'static ToolSpec,
    pub synopsis: &'static str,
    /// One line: what the command is.
    pub about: &'static str,
    /// Our options, in `--help` order.
    pub options: &'static [OurOption],
    /// Paragraphs (separated by a blank line) after the options.
    pub details: &'static str,
    /// Whole command lines, each with what it does.
    pub examples: &'static [Example],
}

/// A command line and what it does.
pub struct Example {
    pub what: &'static str,
    pub command: &'static str,
}

/// What becomes of every argument that is not ours (one sentence, without its pointer to
/// the tool's own documentation).
pub fn passed_through(doc: &CommandDoc) -> String {
    format!("Every other argument is {}'s and is passed to it unchanged, in order", doc.tool.program)
}

/// A proxy command's exit status: what it is when the tool ran (one sentence), and the
/// statuses of its own, each with what it means.
pub fn exit_statuses(doc: &CommandDoc) -> (String, Vec<(&'static str, String)>) {
    let (me, program) = (doc.me, doc.tool.program);
    let ran = format!(
        "{me} exits with {program}'s exit status, or ends by the signal that ended {program}'s run; \
         when {program} did not run:"
    );
    let own = vec![
        (
            "1",
            format!(
                "{me} failed: standard output could not be written, its private directory or a file in it \
             could not be made, or {program} could not be started"
            ),
        ),
        ("2", format!("bad input, or something it names cannot be used (one line says why), before {program} runs")),
        ("126", format!("{program} exists but cannot be executed")),
        ("127", format!("{program} is not found")),
    ];
    (ran, own)
}

/// The tool's own flags that also mean something for our lines, each keeping the tool's
/// meaning: its debug flags turn our debug lines on (virt-builder's and virt-customize's
/// `-v`/`--verbose` and `-x`; virt-install's `--debug`/`-d`, its `-v` being `--hvm` and its
/// `-x` `--extra-args`), and `--colour`/`--color` (virt-builder, virt-customize) forces our
/// colour as it forces theirs.
fn conventions(me: &'static str, items: &[proxy::Item], tool: &ToolSpec) {
    let given = proxy::tool_options(items, tool);
    // -x is the one option of the guestfs tools without a long name.
    let trace = |o: &proxy::ToolOption| o.names.is_empty() && o.short == Some('x');
    if given.iter().any(|(o, _)| o.is("verbose") || o.is("debug") || trace(o)) {
        debug_on(me);
    }
    if given.iter().any(|(o, _)| o.is("colour")) {
        style::force();
    }
}

/// `--help` text: our options, documented where they are defined, then a pointer to the
/// proxied tool's own help for everything else.
pub fn help(doc: &CommandDoc) -> String {
    let (me, program) = (doc.me, doc.tool.program);
    let mut s = format!(
        "{me} {}\n{}\n\nUsage: {}\n\nOptions added by {me}:\n",
        env!("CARGO_PKG_VERSION"),
        doc.about,
        doc.synopsis
    );
    for o in doc.options {
        let head = match o.value {
            Some(v) => format!("--{} {v}", o.name),
            None => format!("--{}", o.name),
        };
        s.push_str(&format!("  {head}\n"));
        for line in o.help.lines() {
            s.push_str(&format!("      {line}\n"));
        }
        if !o.keys.is_empty() {
            s.push_str("      Keys:\n");
            for k in o.keys {
                let spec = format!("{}={}", k.name, k.value);
                match spec.len() {
                    ..=22 => s.push_str(&format!("        {spec:22}  {}\n", k.help)),
                    _ => s.push_str(&format!("        {spec}\n        {:22}  {}\n", "", k.help)),
                }
            }
        }
    }
    s.push('\n');
    s.push_str(doc.details);
    s.push_str(&format!("\n{}; see\n`{program} --help` and `man {program}`.\n", passed_through(doc)));
    s.push('\n');
    s.push_str(&examples_text(doc.examples));
    let (ran, own) = exit_statuses(doc);
    s.push('\n');
    s.push_str(&wrap(&format!("Exit status: {ran}"), "", ""));
    for (code, what) in own {
        s.push_str(&wrap(&what, &format!("  {code:3}  "), "       "));
    }
    s
}

/// `--help`'s examples: each one's words, then its command line (one line, to copy).
pub fn examples_text(examples: &[Example]) -> String {
    let mut s = String::from("Examples:\n");
    for e in examples {
        s.push_str(&wrap(&format!("{}:", e.what), "  ", "  "));
        s.push_str(&format!("    {}\n", e.command));
    }
    s
}

/// `text` as lines of at most 90 columns (`--help`'s), see [`wrap_to`].
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    wrap_to(90, text, first, rest)
}

/// `text` as lines of at most `width` columns (a longer word stands alone), the first
/// starting with `first`, the others with `rest`; each ends with a newline.
pub fn wrap_to(width: usize, text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}
