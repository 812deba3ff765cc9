//! Disk images in any format qemu reads (qcow2 with backing chains and compressed clusters,
//! vmdk, vhdx, ...), as a [`Source`]: `qemu-nbd` opens the image read-only and serves its
//! guest-visible bytes on a unix socket in a private 0700 directory, and a minimal NBD client
//! reads them.
//!
//! `qemu-nbd` runs as `qemu-nbd --read-only --image-opts --socket=DIR/nbd.sock
//! [driver=FMT,]file.filename=PATH,force-share=on,read-only=on`: the format is given only
//! when the user gave one, so that qemu probes exactly as it does under libguestfs;
//! `force-share=on` (inherited by the backing files) reads a running domain's disk without
//! taking its lock, as `qemu-img -U` does (qemu-nbd has no `--force-share` option, hence
//! `--image-opts`). Nothing is ever written: the export is read-only and we only send
//! `NBD_CMD_READ`.
//!
//! The child's life: it gets `PR_SET_PDEATHSIG(SIGKILL)`, so it never outlives the thread that
//! started it; its stdout is discarded and its stderr goes to a file in the private directory
//! (the first line is the error when it cannot open the image). We wait for its socket at
//! most [`START_LIMIT`], giving up at once if it exits or we are interrupted
//! ([`crate::interrupt::interrupted`]). A termination signal we receive is forwarded to it
//! (`src/proxy/run.rs`), which ends it: the next read fails, and [`NbdSource`]'s drop
//! (disconnect, kill, wait, remove the directory) runs on that path as on every other.
//!
//! The client is ours, not a crate's: the one NBD client crate in pure Rust (`nbd` 0.3.1,
//! unchanged since 2019, "a rather early version") negotiates with `NBD_OPT_EXPORT_NAME`
//! (no error reply for a refused export), sends every request with the same handle, never
//! sends `NBD_CMD_DISC`, and issues requests as large as the caller's buffer; `libnbd` is
//! bindings to the C library. What we need is small: the fixed newstyle handshake,
//! `NBD_OPT_GO` for the default export (name ""), structured replies not requested, simple
//! replies to `NBD_CMD_READ`, and `NBD_CMD_DISC` on drop (the protocol is
//! `doc/proto.md` of the NetworkBlockDevice project).
//!
//! Everything from the socket is untrusted: option replies are bounded in size and count,
//! the export must be read-only and its size is checked against every read, reads are split
//! into requests of at most [`MAX_REQUEST`] bytes, each reply's magic, handle and error are
//! checked, and a reply we wait for longer than [`REPLY_TIMEOUT`] is an error. After the first
//! error the connection is not trusted again: every later read fails with the same message.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Source;

/// Largest `NBD_CMD_READ` we send: the protocol's advice for a client that has not asked
/// the server's block size constraints (2^25 bytes).
pub const MAX_REQUEST: usize = 32 << 20;
/// How long `qemu-nbd` may take to open the image and listen.
pub const START_LIMIT: Duration = Duration::from_secs(10);
/// How long we wait for any one reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// Largest option reply we read during the handshake (an info or an error message).
const MAX_OPTION_REPLY: u32 = 64 << 10;
/// Most option replies before `NBD_REP_ACK`.
const MAX_OPTION_REPLIES: usize = 64;
/// Most bytes of `qemu-nbd`'s stderr read for its error message.
const MAX_MESSAGE: u64 = 4096;

const NBDMAGIC: &[u8; 8] = b"NBDMAGIC";
const IHAVEOPT: u64 = 0x4948_4156_454F_5054;
const OPTION_REPLY_MAGIC: u64 = 0x0003_e889_0455_65a9;
const REQUEST_MAGIC: u32 = 0x2560_9513;
const SIMPLE_REPLY_MAGIC: u32 = 0x6744_6698;
const STRUCTURED_REPLY_MAGIC: u32 = 0x668e_33ef;
const FLAG_FIXED_NEWSTYLE: u16 = 1;
const FLAG_C_FIXED_NEWSTYLE: u32 = 1;
const OPT_GO: u32 = 7;
const REP_ACK: u32 = 1;
const REP_INFO: u32 = 3;
const REP_FLAG_ERROR: u32 = 1 << 31;
const INFO_EXPORT: u16 = 0;
const TRANSMISSION_READ_ONLY: u16 = 1 << 1;
const CMD_READ: u16 = 0;
const CMD_DISC: u16 = 2;

/// Why an image could not be served or read through `qemu-nbd`.
#[derive(Debug, thiserror::Error)]
pub enum NbdError {
    /// `qemu-nbd` could not open the image (its own message).
    #[error("{0}")]
    Open(String),
    #[error("'{0}' is not a format name")]
    BadFormat(String),
    #[error("cannot make a private directory for qemu-nbd: {0}")]
    Scratch(std::io::Error),
    #[error("{0}: too long for a unix socket path")]
    SocketPath(PathBuf),
    #[error("cannot run qemu-nbd: {0}")]
    Spawn(std::io::Error),
    #[error("qemu-nbd did not listen within {} s", START_LIMIT.as_secs())]
    Timeout,
    #[error("interrupted")]
    Interrupted,
    #[error("cannot connect to qemu-nbd: {0}")]
    Connect(std::io::Error),
    #[error("NBD: {0}")]
    Io(#[from] std::io::Error),
    #[error("NBD: {0}")]
    Protocol(String),
    #[error("NBD: the server refused the export: {0}")]
    Refused(String),
    #[error("NBD: read of {len} bytes at offset {offset} failed on the server (errno {errno})")]
    Read { offset: u64, len: usize, errno: u32 },
}

/// The guest-visible bytes of a disk image, read through `qemu-nbd`.
pub struct NbdSource {
    conn: RefCell<Conn>,
    size: u64,
    /// Dropped after `conn` (fields drop in order): the client disconnects first.
    _server: Server,
}

/// The `qemu-nbd` child and its private directory: killed, waited for and removed on drop.
struct Server {
    child: Child,
    /// Removed after the child is gone (fields drop in order, after `Drop::drop`).
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Read-only: nothing to flush. kill(2) on an exited child (not yet waited for) is
        // harmless, and std does not signal one it has already reaped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Conn {
    stream: UnixStream,
    next_handle: u64,
    /// Set by the first error: the stream is then out of step or the server gone.
    broken: Option<String>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if self.broken.is_none() {
            let _ = self.stream.write_all(&request(CMD_DISC, self.next_handle, 0, 0));
        }
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// A format name as qemu spells its drivers (`qcow2`, `vmdk`, `host_device`): nothing that
/// could add an option to the `--image-opts` string.
fn valid_format(f: &str) -> bool {
    !f.is_empty() && f.len() <= 32 && f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The `--image-opts` string: QemuOpts syntax, where a comma in a value is doubled.
fn image_opts(path: &Path, format: Option<&str>) -> std::ffi::OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut s = Vec::new();
    if let Some(f) = format {
        s.extend_from_slice(b"driver=");
        s.extend_from_slice(f.as_bytes());
        s.push(b',');
    }
    s.extend_from_slice(b"file.filename=");
    for &b in path.as_os_str().as_bytes() {
        s.push(b);
        if b == b',' {
            s.push(b',');
        }
    }
    s.extend_from_slice(b",force-share=on,read-only=on");
    std::ffi::OsString::from_vec(s)
}

/// The first line of what `qemu-nbd` printed, without its `qemu-nbd: ` and
/// `Failed to blk_new_open 'OPTS': ` prefixes, control characters escaped.
fn first_line(err_file: &Path, opts: &std::ffi::OsStr) -> Option<String> {
    let mut buf = Vec::new();
    std::fs::File::open(err_file).ok()?.take(MAX_MESSAGE).read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.strip_prefix("qemu-nbd: ").unwrap_or(line);
    let prefix = format!("Failed to blk_new_open '{}': ", opts.to_string_lossy());
    let line = line.strip_prefix(prefix.as_str()).unwrap_or(line);
    Some(printable(line, 512))
}

/// `text` with control characters escaped (it goes to a terminal), at most `max` characters.
fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars().take(max) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl NbdSource {
    /// Starts `qemu-nbd` on `path` (`format`: the user's, `None` to let qemu probe) and
    /// connects to it.
    pub fn open(path: &Path, format: Option<&str>) -> Result<NbdSource, NbdError> {
        if let Some(f) = format.filter(|f| !valid_format(f)) {
            return Err(NbdError::BadFormat(f.to_string()));
        }
        if crate::interrupt::interrupted().is_some() {
            return Err(NbdError::Interrupted);
        }
        // An absolute path: qemu would read `x:y` as protocol `x`, and `json:...` as options.
        let path = std::path::absolute(path).map_err(NbdError::Spawn)?;
        let dir = {
            use std::os::unix::fs::PermissionsExt;
            tempfile::Builder::new()
                .prefix("rejviz-nbd.")
                .permissions(std::fs::Permissions::from_mode(0o700))
                .tempdir()
                .map_err(NbdError::Scratch)?
        };
        let sock = dir.path().join("nbd.sock");
        // sun_path holds 108 bytes with the final NUL.
        if sock.as_os_str().len() >= 108 {
            return Err(NbdError::SocketPath(sock));
        }
        let err_file = dir.path().join("qemu-nbd.stderr");
        let stderr = std::fs::File::create(&err_file).map_err(NbdError::Scratch)?;
        let opts = image_opts(&path, format);
        let mut cmd = Command::new("qemu-nbd");
        cmd.arg("--read-only")
            .arg("--image-opts")
            .arg("--socket")
            .arg(&sock)
            .arg(&opts)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        // SAFETY: getpid(2) has no preconditions.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the closure runs in the child between fork and exec and calls only
        // prctl(2) and getppid(2), which are async-signal-safe, and allocates nothing
        // (last_os_error and from_raw_os_error hold an errno).
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent died before prctl: no signal will come.
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            })
        };
        let child = crate::proxy::keep_ignored_on_entry(&mut cmd).spawn().map_err(NbdError::Spawn)?;
        let mut server = Server { child, _dir: dir };
        let stream = wait_for_socket(&mut server, &sock, &err_file, &opts)?;
        stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
        let mut conn = Conn { stream, next_handle: 1, broken: None };
        let size = match handshake(&mut conn.stream) {
            Ok(size) => size,
            Err(e) => {
                conn.broken = Some(e.to_string());
                // qemu-nbd listens before it opens the image: if it could not, it ends,
                // and the connection with it; its message is the error.
                return Err(exit_message(&mut server, &err_file, &opts).unwrap_or(e));
            }
        };
        Ok(NbdSource { conn: RefCell::new(conn), size, _server: server })
    }
}

/// Why `qemu-nbd` ended, if it ends within a second.
fn exit_message(server: &mut Server, err_file: &Path, opts: &std::ffi::OsStr) -> Option<NbdError> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        if crate::interrupt::interrupted().is_some() {
            return Some(NbdError::Interrupted);
        }
        if let Some(status) = server.child.try_wait().ok()? {
            return Some(NbdError::Open(
                first_line(err_file, opts).unwrap_or_else(|| format!("qemu-nbd ended ({status}) saying nothing")),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// Connects to `sock` once `qemu-nbd` listens on it (which it does before opening the
/// image: an image it cannot open ends it after we connected).
fn wait_for_socket(
    server: &mut Server,
    sock: &Path,
    err_file: &Path,
    opts: &std::ffi::OsStr,
) -> Result<UnixStream, NbdError> {
    let start = Instant::now();
    loop {
        if crate::interrupt::interrupted().is_some() {
            return Err(NbdError::Interrupted);
        }
        if server.child.try_wait().map_err(NbdError::Spawn)?.is_some() {
            return Err(exit_message(server, err_file, opts).unwrap_or(NbdError::Timeout));
        }
        match UnixStream::connect(sock) {
            Ok(s) => return Ok(s),
            // Not bound yet, or bound and not listening yet.
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused) => {}
            Err(e) => return Err(NbdError::Connect(e)),
        }
        if start.elapsed() > START_LIMIT {
            return Err(NbdError::Timeout);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn read_array<const N: usize>(r: &mut impl Read) -> Result<[u8; N], NbdError> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

fn read_u16(r: &mut impl Read) -> Result<u16, NbdError> {
    Ok(u16::from_be_bytes(read_array(r)?))
}

fn read_u32(r: &mut impl Read) -> Result<u32, NbdError> {
    Ok(u32::from_be_bytes(read_array(r)?))
}

fn read_u64(r: &mut impl Read) -> Result<u64, NbdError> {
    Ok(u64::from_be_bytes(read_array(r)?))
}

fn protocol(what: impl Into<String>) -> NbdError {
    NbdError::Protocol(what.into())
}

/// The fixed newstyle handshake and `NBD_OPT_GO` for the default export: its size.
fn handshake<S: Read + Write>(s: &mut S) -> Result<u64, NbdError> {
    if &read_array::<8>(s)? != NBDMAGIC {
        return Err(protocol("not an NBD server"));
    }
    if read_u64(s)? != IHAVEOPT {
        return Err(protocol("not a newstyle NBD server"));
    }
    if read_u16(s)? & FLAG_FIXED_NEWSTYLE == 0 {
        return Err(protocol("not a fixed newstyle NBD server"));
    }
    let mut out = Vec::with_capacity(26);
    out.extend_from_slice(&FLAG_C_FIXED_NEWSTYLE.to_be_bytes());
    out.extend_from_slice(&IHAVEOPT.to_be_bytes());
    out.extend_from_slice(&OPT_GO.to_be_bytes());
    out.extend_from_slice(&6u32.to_be_bytes()); // the data: name length, name, info count
    out.extend_from_slice(&0u32.to_be_bytes()); // the default export, ""
    out.extend_from_slice(&0u16.to_be_bytes()); // no info requested (NBD_INFO_EXPORT comes anyway)
    s.write_all(&out)?;
    s.flush()?;

    let mut export: Option<(u64, u16)> = None;
    for _ in 0..MAX_OPTION_REPLIES {
        if read_u64(s)? != OPTION_REPLY_MAGIC {
            return Err(protocol("bad option reply magic"));
        }
        if read_u32(s)? != OPT_GO {
            return Err(protocol("a reply to an option not sent"));
        }
        let kind = read_u32(s)?;
        let len = read_u32(s)?;
        if len > MAX_OPTION_REPLY {
            return Err(protocol(format!("an option reply of {len} bytes")));
        }
        let mut data = vec![0u8; len as usize];
        s.read_exact(&mut data)?;
        match kind {
            REP_ACK => {
                let (size, flags) = export.ok_or_else(|| protocol("no export size before NBD_REP_ACK"))?;
                if flags & TRANSMISSION_READ_ONLY == 0 {
                    return Err(protocol("the export is not read-only"));
                }
                return Ok(size);
            }
            REP_INFO => {
                let kind = data.get(..2).and_then(|b| b.try_into().ok()).map(u16::from_be_bytes);
                if kind == Some(INFO_EXPORT) {
                    let size = data.get(2..10).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
                    let flags = data.get(10..12).and_then(|b| b.try_into().ok()).map(u16::from_be_bytes);
                    let (Some(size), Some(flags)) = (size, flags) else {
                        return Err(protocol("a short NBD_INFO_EXPORT"));
                    };
                    export = Some((size, flags));
                }
                // Other information (name, description, block sizes) is not needed.
            }
            k if k & REP_FLAG_ERROR != 0 => {
                let msg = printable(&String::from_utf8_lossy(&data), 512);
                return Err(NbdError::Refused(format!(
                    "error {:#x}{}{msg}",
                    k,
                    if msg.is_empty() { "" } else { ": " }
                )));
            }
            k => return Err(protocol(format!("unexpected option reply type {k:#x}"))),
        }
    }
    Err(protocol(format!("more than {MAX_OPTION_REPLIES} option replies")))
}

/// One transmission request (28 bytes).
fn request(kind: u16, handle: u64, offset: u64, len: u32) -> [u8; 28] {
    let mut r = [0u8; 28];
    let fields: [&[u8]; 6] = [
        &REQUEST_MAGIC.to_be_bytes(),
        &0u16.to_be_bytes(),
        &kind.to_be_bytes(),
        &handle.to_be_bytes(),
        &offset.to_be_bytes(),
        &len.to_be_bytes(),
    ];
    let mut at = 0;
    for f in fields {
        if let Some(dst) = r.get_mut(at..at + f.len()) {
            dst.copy_from_slice(f);
        }
        at += f.len();
    }
    r
}

impl Conn {
    /// One `NBD_CMD_READ` of `buf.len()` (at most [`MAX_REQUEST`]) bytes at `offset`.
    fn read_chunk(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), NbdError> {
        let len = u32::try_from(buf.len()).map_err(|_| protocol("request too large"))?;
        let handle = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(1);
        self.stream.write_all(&request(CMD_READ, handle, offset, len))?;
        // The simple reply's header: magic, error, handle (one read, not three).
        let header: [u8; 16] = read_array(&mut self.stream)?;
        let (magic, rest) = header.split_at(4);
        let (errno, got) = rest.split_at(4);
        let be4 = |b: &[u8]| b.try_into().map(u32::from_be_bytes).unwrap_or_default();
        let (magic, errno) = (be4(magic), be4(errno));
        let got = got.try_into().map(u64::from_be_bytes).unwrap_or_default();
        if magic == STRUCTURED_REPLY_MAGIC {
            return Err(protocol("a structured reply, which was not negotiated"));
        }
        if magic != SIMPLE_REPLY_MAGIC {
            return Err(protocol(format!("bad reply magic {magic:#010x}")));
        }
        if got != handle {
            return Err(protocol(format!("a reply for request {got}, not {handle}")));
        }
        if errno != 0 {
            return Err(NbdError::Read { offset, len: buf.len(), errno });
        }
        self.stream.read_exact(buf)?;
        Ok(())
    }
}

impl Conn {
    /// `buf.len()` bytes at `offset` of an export of `size` bytes, in requests of at most
    /// [`MAX_REQUEST`] bytes. The first error breaks the connection for good.
    fn read(&mut self, size: u64, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        if end.is_none_or(|end| end > size) {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
        }
        if let Some(why) = &self.broken {
            return Err(std::io::Error::other(why.clone()));
        }
        let mut at = offset;
        for chunk in buf.chunks_mut(MAX_REQUEST) {
            if let Err(e) = self.read_chunk(at, chunk) {
                let why = match &e {
                    NbdError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                        "NBD: qemu-nbd closed the connection".to_string()
                    }
                    NbdError::Io(io)
                        if matches!(io.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                    {
                        format!("NBD: no reply from qemu-nbd within {} s", REPLY_TIMEOUT.as_secs())
                    }
                    _ => e.to_string(),
                };
                self.broken = Some(why.clone());
                return Err(std::io::Error::other(why));
            }
            at += chunk.len() as u64;
        }
        Ok(())
    }
}

impl Source for NbdSource {
    fn len(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let mut conn = self.conn.try_borrow_mut().map_err(|_| std::io::Error::other("NBD: a read within a read"))?;
        conn.read(self.size, offset, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted server: what it sends, and what the client wrote.
    struct Script {
        input: std::io::Cursor<Vec<u8>>,
        written: Vec<u8>,
    }

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn greeting() -> Vec<u8> {
        let mut v = NBDMAGIC.to_vec();
        v.extend_from_slice(&IHAVEOPT.to_be_bytes());
        v.extend_from_slice(&3u16.to_be_bytes());
        v
    }

    fn reply(kind: u32, data: &[u8]) -> Vec<u8> {
        let mut v = OPTION_REPLY_MAGIC.to_be_bytes().to_vec();
        v.extend_from_slice(&OPT_GO.to_be_bytes());
        v.extend_from_slice(&kind.to_be_bytes());
        v.extend_from_slice(&(data.len() as u32).to_be_bytes());
        v.extend_from_slice(data);
        v
    }

    fn info_export(size: u64, flags: u16) -> Vec<u8> {
        let mut d = INFO_EXPORT.to_be_bytes().to_vec();
        d.extend_from_slice(&size.to_be_bytes());
        d.extend_from_slice(&flags.to_be_bytes());
        reply(REP_INFO, &d)
    }

    fn run(input: Vec<u8>) -> (Result<u64, NbdError>, Vec<u8>) {
        let mut s = Script { input: std::io::Cursor::new(input), written: Vec::new() };
        let r = handshake(&mut s);
        (r, s.written)
    }

    #[test]
    fn handshake_sends_opt_go_for_the_default_export() {
        let mut input = greeting();
        input.extend(reply(REP_INFO, &[0, 3, 0, 0, 0, 1, 0, 0, 16, 0, 0, 0, 0, 0]));
        input.extend(info_export(1 << 30, 1 | TRANSMISSION_READ_ONLY));
        input.extend(reply(REP_ACK, &[]));
        let (r, written) = run(input);
        assert_eq!(r.unwrap(), 1 << 30);
        let mut want = 1u32.to_be_bytes().to_vec();
        want.extend_from_slice(&IHAVEOPT.to_be_bytes());
        want.extend_from_slice(&7u32.to_be_bytes());
        want.extend_from_slice(&[0, 0, 0, 6, 0, 0, 0, 0, 0, 0]);
        assert_eq!(written, want);
    }

    #[test]
    fn handshake_refuses_what_it_does_not_expect() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"NBDMAGIX".to_vec(), "not an NBD server"),
            (greeting()[..8].iter().copied().chain(0x0000_4202_8186_1253u64.to_be_bytes()).collect(), "newstyle"),
            ([&greeting()[..16], &[0, 0]].concat(), "fixed newstyle"),
            ([greeting(), reply(REP_ACK, &[])].concat(), "no export size"),
            ([greeting(), info_export(512, 1), reply(REP_ACK, &[])].concat(), "not read-only"),
            ([greeting(), reply(REP_INFO, &[0, 0, 1])].concat(), "short NBD_INFO_EXPORT"),
            ([greeting(), reply(REP_FLAG_ERROR | 6, b"no such export")].concat(), "no such export"),
            ([greeting(), reply(99, &[])].concat(), "unexpected option reply"),
            (greeting(), "failed to fill whole buffer"),
        ];
        for (input, want) in cases {
            let (r, _) = run(input);
            let e = r.unwrap_err().to_string();
            assert!(e.contains(want), "{e} (wanted {want})");
        }
        // An option reply length the server could use to make us allocate: refused unread.
        let mut big = greeting();
        big.extend_from_slice(&OPTION_REPLY_MAGIC.to_be_bytes());
        big.extend_from_slice(&OPT_GO.to_be_bytes());
        big.extend_from_slice(&REP_INFO.to_be_bytes());
        big.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(run(big).0.unwrap_err().to_string().contains("option reply of"));
        // Endless info replies: bounded.
        let mut many = greeting();
        for _ in 0..=MAX_OPTION_REPLIES {
            many.extend(info_export(512, 3));
        }
        assert!(run(many).0.unwrap_err().to_string().contains("more than"));
    }

    #[test]
    fn image_opts_double_commas_and_name_the_driver_only_when_given() {
        assert_eq!(
            image_opts(Path::new("/v/a,b.qcow2"), Some("qcow2")),
            "driver=qcow2,file.filename=/v/a,,b.qcow2,force-share=on,read-only=on"
        );
        assert_eq!(image_opts(Path::new("/v/x"), None), "file.filename=/v/x,force-share=on,read-only=on");
        for bad in ["", "raw,file.driver=nbd", "qcow2 ", "a=b", &"x".repeat(33)] {
            assert!(!valid_format(bad), "{bad}");
        }
        for good in ["qcow2", "host_device", "vmdk", "raw"] {
            assert!(valid_format(good));
        }
    }

    #[test]
    fn requests_are_28_bytes_big_endian() {
        let r = request(CMD_READ, 0x0102_0304_0506_0708, 0x1000, 0x200);
        assert_eq!(&r[..4], &[0x25, 0x60, 0x95, 0x13]);
        assert_eq!(&r[4..8], &[0, 0, 0, 0]);
        assert_eq!(&r[8..16], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&r[16..24], &0x1000u64.to_be_bytes());
        assert_eq!(&r[24..], &0x200u32.to_be_bytes());
    }

    fn simple_reply(errno: u32, handle: u64) -> Vec<u8> {
        let mut v = SIMPLE_REPLY_MAGIC.to_be_bytes().to_vec();
        v.extend_from_slice(&errno.to_be_bytes());
        v.extend_from_slice(&handle.to_be_bytes());
        v
    }

    /// A connection whose server has already sent `replies` (then closes its end).
    fn conn_with(replies: &[u8]) -> (Conn, UnixStream) {
        let (client, mut server) = UnixStream::pair().unwrap();
        server.write_all(replies).unwrap();
        server.shutdown(std::net::Shutdown::Write).unwrap();
        (Conn { stream: client, next_handle: 1, broken: None }, server)
    }

    #[test]
    fn reads_check_bounds_magic_handle_and_error_and_stay_broken() {
        let data: Vec<u8> = (0..=255).collect();
        let (mut c, mut server) = conn_with(&[simple_reply(0, 1), data.clone()].concat());
        let mut buf = vec![0u8; 256];
        c.read(1024, 512, &mut buf).unwrap();
        assert_eq!(buf, data);
        // Past the export's end, or overflowing: refused without a request.
        assert_eq!(c.read(1024, 800, &mut buf).unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
        assert_eq!(c.read(1024, u64::MAX, &mut buf).unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
        // The server is gone: an error, and the next read says the same without asking.
        let e = c.read(1024, 0, &mut buf).unwrap_err().to_string();
        assert_eq!(e, "NBD: qemu-nbd closed the connection");
        assert_eq!(c.read(1024, 0, &mut buf).unwrap_err().to_string(), e);
        drop(c); // a broken connection sends no NBD_CMD_DISC
        let mut sent = Vec::new();
        server.read_to_end(&mut sent).unwrap();
        assert_eq!(sent, [request(CMD_READ, 1, 512, 256), request(CMD_READ, 2, 0, 256)].concat());

        let cases: Vec<(Vec<u8>, &str)> = vec![
            (simple_reply(0, 7), "a reply for request 7, not 1"),
            (simple_reply(5, 1), "failed on the server (errno 5)"),
            (STRUCTURED_REPLY_MAGIC.to_be_bytes().to_vec(), "structured reply"),
            (b"HTTP/1.1".to_vec(), "bad reply magic"),
        ];
        for (replies, want) in cases {
            let (mut c, _server) = conn_with(&[replies, data.clone()].concat());
            let e = c.read(1024, 0, &mut buf).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
            assert_eq!(c.read(1024, 0, &mut buf).unwrap_err().to_string(), e);
        }
    }

    #[test]
    fn big_reads_are_split_and_a_clean_drop_disconnects() {
        let (client, mut server) = UnixStream::pair().unwrap();
        let len = MAX_REQUEST + 512;
        let feeder = std::thread::spawn(move || {
            server.write_all(&simple_reply(0, 1)).unwrap();
            server.write_all(&vec![1u8; MAX_REQUEST]).unwrap();
            server.write_all(&simple_reply(0, 2)).unwrap();
            server.write_all(&[2u8; 512]).unwrap();
            let mut sent = Vec::new();
            server.read_to_end(&mut sent).unwrap();
            sent
        });
        let mut c = Conn { stream: client, next_handle: 1, broken: None };
        let mut buf = vec![0u8; len];
        c.read(1 << 40, 4096, &mut buf).unwrap();
        assert!(buf[..MAX_REQUEST].iter().all(|b| *b == 1) && buf[MAX_REQUEST..].iter().all(|b| *b == 2));
        drop(c);
        let want = [
            request(CMD_READ, 1, 4096, MAX_REQUEST as u32),
            request(CMD_READ, 2, 4096 + MAX_REQUEST as u64, 512),
            request(CMD_DISC, 3, 0, 0),
        ]
        .concat();
        assert_eq!(feeder.join().unwrap(), want);
    }

    #[test]
    fn qemu_nbd_message_is_its_first_line_without_prefixes_controls_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("err");
        let opts = image_opts(Path::new("/v/a,b"), None);
        std::fs::write(
            &f,
            format!(
                "\nqemu-nbd: Failed to blk_new_open '{}': Could not open '/v/\x1b[2Jx': No such file\nmore\n",
                opts.to_string_lossy()
            ),
        )
        .unwrap();
        assert_eq!(first_line(&f, &opts).unwrap(), "Could not open '/v/\\u{1b}[2Jx': No such file");
        std::fs::write(&f, "").unwrap();
        assert_eq!(first_line(&f, &opts), None);
        std::fs::write(&f, "x".repeat(10_000)).unwrap();
        assert_eq!(first_line(&f, &opts).unwrap().len(), 512);
    }
}
