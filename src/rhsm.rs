//! Red Hat Subscription Management for rejviz-builder and rejviz-customize.
//!
//! - `--rhsm-register user=USER,password-file=FILE[,attach=auto|pool:ID]` becomes the virt
//!   tools' own `--sm-credentials USER:file:COPY --sm-register [--sm-attach ...]`, where COPY
//!   is a private 0600 copy of FILE in the 0700 workspace: every secret file is read once, by
//!   us (so a pipe, `password-file=<(pass show rhsm)`, works), bounded in size and in the
//!   wait for a writer.
//! - `--rhsm-register org=ORG,activation-key-file=FILE` (which the virt tools lack) becomes a
//!   script run in the guest with `--run`: written into the private workspace (mode 0700,
//!   removed after the run), copied by the tool into the guest and removed there once run.
//!   The key is never on a command line on the host nor in any output of ours.
//! - `--rhsm-unregister` becomes `--sm-remove --sm-unregister`.
//! - Both together re-subscribe: unregister first, then register. The virt tools register at
//!   the start of a run and unregister at its end whatever the order given, so this case is
//!   one script that runs in order (remove and unregister may fail on a guest that was not
//!   registered, without stopping the registration).

use std::ffi::OsString;
use std::io::Read as _;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::optlist::{Key, OptList, OptListError};

/// `--rhsm-register`'s keys (the parser's and `--help`'s table).
pub const REGISTER_KEYS: &[Key] = &[
    Key { name: "user", value: "USER", help: "the RHSM user (with password-file=)" },
    Key { name: "password-file", value: "FILE", help: "file or pipe: first line, the password (read once)" },
    Key { name: "attach", value: "auto|pool:ID", help: "attach a subscription after registering (user form)" },
    Key { name: "org", value: "ORG", help: "the organization (with activation-key-file=)" },
    Key { name: "activation-key-file", value: "FILE", help: "file or pipe: first line, the key (read once)" },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RhsmError {
    #[error("--rhsm-register: {0}")]
    Syntax(#[from] OptListError),
    #[error("--rhsm-register: give either user= with password-file= or org= with activation-key-file=")]
    Neither,
    #[error("--rhsm-register: user= and org= (password and activation key) cannot go together")]
    Both,
    #[error("--rhsm-register: {0}= is missing")]
    Missing(&'static str),
    #[error("--rhsm-register: {key}= does not go with {with}=")]
    Stray { key: &'static str, with: &'static str },
    #[error("--rhsm-register: user: '{}' cannot contain ':'", crate::nic::shown(.0))]
    User(String),
    #[error("--rhsm-register: attach: '{}' is not auto or pool:ID", crate::nic::shown(.0))]
    Attach(String),
    #[error("--rhsm-register: {key}: {path}: {msg}")]
    File { key: &'static str, path: String, msg: String },
    #[error("--rhsm-register given twice")]
    Twice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attach {
    Auto,
    Pool(String),
}

/// What a secret file held. Never shown: its `Debug` is `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Secret {
    /// The first line, without its line ending: the secret, as the virt tools take it from
    /// a `file:` selector (and as our scripts use it).
    fn first_line(&self) -> &str {
        self.0.lines().next().unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Register {
    /// The password file's content; its first line is handed to the tool in a private copy.
    User { user: String, password: Secret, attach: Option<Attach> },
    /// The key file's content; the key is its first line.
    Org { org: String, key: Secret },
}

/// What to do about RHSM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rhsm {
    pub register: Option<Register>,
    pub unregister: bool,
}

/// The most a secret file may hold.
pub const SECRET_MAX: usize = 64 * 1024;
/// How long a pipe may go without a writer before we give up on it.
pub const WRITER_WAIT: Duration = Duration::from_secs(5);

/// A secret file, read once, whatever it is: a file, a named pipe, a pipe from a process
/// substitution. At most [`SECRET_MAX`] bytes (`/dev/zero` is an error, not a hang or
/// unbounded memory); a pipe that has no writer for [`WRITER_WAIT`] is an error, not a hang.
/// Its first line must not be empty.
fn read_secret(key: &'static str, path: &Path) -> Result<Secret, RhsmError> {
    let err =
        |msg: String| RhsmError::File { key, path: crate::nic::shown(&path.display().to_string()).to_string(), msg };
    // Non-blocking, so that opening a named pipe with no writer does not wait forever.
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| err(e.to_string()))?;
    let kind = f.metadata().map_err(|e| err(e.to_string()))?.file_type();
    if kind.is_dir() {
        return Err(err("is a directory".into()));
    }
    let pipe = kind.is_fifo() || kind.is_socket();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut writer_seen = false;
    let start = Instant::now();
    loop {
        if crate::interrupt::interrupted().is_some() {
            return Err(err("interrupted".into()));
        }
        match f.read(&mut chunk) {
            // End of file; for a pipe, also what a read gives while no writer has opened it.
            Ok(0) if pipe && !writer_seen => {
                if start.elapsed() >= WRITER_WAIT {
                    return Err(err(format!("nothing to read: a pipe with no writer for {} s", WRITER_WAIT.as_secs())));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(0) => break,
            Ok(n) => {
                writer_seen = true;
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                if buf.len() > SECRET_MAX {
                    return Err(err(format!("longer than {} KiB: not a secret file", SECRET_MAX / 1024)));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                // A writer is there and has not written yet: wait for it (a signal ends us).
                writer_seen = true;
                let mut pfd =
                    libc::pollfd { fd: std::os::fd::AsRawFd::as_raw_fd(&f), events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd for the length of the call.
                unsafe { libc::poll(&mut pfd, 1, 200) };
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(err(e.to_string())),
        }
    }
    let text = String::from_utf8(buf).map_err(|_| err("is not UTF-8 text".into()))?;
    let secret = Secret(text);
    if secret.first_line().trim().is_empty() {
        return Err(err("is empty".into()));
    }
    // It goes into a script and a file the tools read by line: no control character.
    if secret.first_line().chars().any(char::is_control) {
        return Err(err("its first line holds a control character".into()));
    }
    Ok(secret)
}

/// Parses and checks `--rhsm-register` (its values) and `--rhsm-unregister`.
pub fn parse(register: &[&str], unregister: bool) -> Result<Rhsm, RhsmError> {
    let register = match register {
        [] => None,
        [one] => Some(parse_register(one)?),
        _ => return Err(RhsmError::Twice),
    };
    Ok(Rhsm { register, unregister })
}

fn parse_register(value: &str) -> Result<Register, RhsmError> {
    let l = OptList::parse(value, REGISTER_KEYS)?;
    match (l.get("user"), l.get("org")) {
        (Some(_), Some(_)) => Err(RhsmError::Both),
        (None, None) => {
            if l.get("password-file").is_some() && l.get("activation-key-file").is_some() {
                return Err(RhsmError::Both);
            }
            Err(match (l.get("password-file"), l.get("activation-key-file")) {
                (Some(_), _) => RhsmError::Missing("user"),
                (_, Some(_)) => RhsmError::Missing("org"),
                _ => RhsmError::Neither,
            })
        }
        (Some(user), None) => {
            if l.get("activation-key-file").is_some() {
                return Err(RhsmError::Both);
            }
            if user.contains(':') {
                return Err(RhsmError::User(user.into()));
            }
            let file = PathBuf::from(l.get("password-file").ok_or(RhsmError::Missing("password-file"))?);
            let attach = match l.get("attach") {
                None => None,
                Some("auto") => Some(Attach::Auto),
                Some(a) => match a.strip_prefix("pool:") {
                    Some(id) if !id.is_empty() => Some(Attach::Pool(id.to_string())),
                    _ => return Err(RhsmError::Attach(a.into())),
                },
            };
            // Read last, once every other key is known good.
            let password = read_secret("password-file", &file)?;
            Ok(Register::User { user: user.to_string(), password, attach })
        }
        (None, Some(org)) => {
            if l.get("password-file").is_some() {
                return Err(RhsmError::Both);
            }
            if l.get("attach").is_some() {
                return Err(RhsmError::Stray { key: "attach", with: "org" });
            }
            let file = PathBuf::from(l.get("activation-key-file").ok_or(RhsmError::Missing("activation-key-file"))?);
            let key = read_secret("activation-key-file", &file)?;
            Ok(Register::Org { org: org.to_string(), key })
        }
    }
}

/// A file on the host that the tool reads (a script, a password copy), to be staged in the
/// private workspace under `name` with `mode`; `shown` is what a dry run prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFile {
    pub name: &'static str,
    pub content: String,
    pub shown: String,
    pub mode: u32,
}

pub const SCRIPT_NAME: &str = "rhsm.sh";
pub const PASSWORD_NAME: &str = "rhsm-password";

impl Rhsm {
    /// Whether [`ops`] stages host files (and so needs the private workspace).
    pub fn needs_workspace(&self) -> bool {
        self.register.is_some()
    }
}

/// The virt-customize operations for `rhsm`, and the host files they refer to, which the
/// caller stages in `dir` (the private workspace).
pub fn ops(rhsm: &Rhsm, dir: &Path) -> (Vec<OsString>, Vec<HostFile>) {
    let mut args: Vec<OsString> = Vec::new();
    match (&rhsm.register, rhsm.unregister) {
        (None, false) => (args, Vec::new()),
        (None, true) => {
            args.extend(["--sm-remove", "--sm-unregister"].map(OsString::from));
            (args, Vec::new())
        }
        (Some(Register::User { user, password, attach }), false) => {
            args.push("--sm-credentials".into());
            let mut cred = OsString::from(format!("{user}:file:"));
            cred.push(dir.join(PASSWORD_NAME));
            args.push(cred);
            args.push("--sm-register".into());
            match attach {
                Some(Attach::Auto) => args.extend(["--sm-attach", "auto"].map(OsString::from)),
                Some(Attach::Pool(id)) => args.extend(["--sm-attach".into(), OsString::from(format!("pool:{id}"))]),
                None => {}
            }
            let copy = HostFile {
                name: PASSWORD_NAME,
                content: format!("{}\n", password.first_line()),
                shown: "***\n".into(),
                mode: 0o600,
            };
            (args, vec![copy])
        }
        // The org form (the virt tools lack it), or a re-subscription (the tools would
        // register before they unregister): a script of ours, run in order.
        (Some(reg), unregister) => {
            args.push("--run".into());
            args.push(dir.join(SCRIPT_NAME).into_os_string());
            (args, vec![script(reg, unregister)])
        }
    }
}

fn script(reg: &Register, unregister: bool) -> HostFile {
    let mut head = String::from(
        "#!/bin/sh\n# Written by rejviz: RHSM for this image. Removed after the run, on the host and in the guest.\n",
    );
    if unregister {
        head.push_str("subscription-manager remove --all || echo 'rejviz: nothing to remove'\n");
        head.push_str("subscription-manager unregister || echo 'rejviz: was not registered'\n");
    }
    let (line, shown_line, attach) = match reg {
        Register::Org { org, key } => (
            format!(
                "subscription-manager register --org {} --activationkey {}\n",
                crate::shell::quote(org),
                crate::shell::quote(key.first_line())
            ),
            format!("subscription-manager register --org {} --activationkey '***'\n", crate::shell::quote(org)),
            None,
        ),
        Register::User { user, password, attach } => (
            format!(
                "subscription-manager register --username {} --password {}\n",
                crate::shell::quote(user),
                crate::shell::quote(password.first_line())
            ),
            format!("subscription-manager register --username {} --password '***'\n", crate::shell::quote(user)),
            attach.as_ref(),
        ),
    };
    let attach_line = match attach {
        Some(Attach::Auto) => "subscription-manager attach --auto\n".to_string(),
        Some(Attach::Pool(id)) => format!("subscription-manager attach --pool {}\n", crate::shell::quote(id)),
        None => String::new(),
    };
    HostFile {
        name: SCRIPT_NAME,
        content: format!("{head}set -e\n{line}{attach_line}"),
        shown: format!("{head}set -e\n{shown_line}{attach_line}"),
        mode: 0o700,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_workspace_is_when_ops_stages_files() {
        let user = Register::User { user: "u".into(), password: Secret("p\n".into()), attach: None };
        let org = Register::Org { org: "o".into(), key: Secret("k\n".into()) };
        for register in [None, Some(user), Some(org)] {
            for unregister in [false, true] {
                let r = Rhsm { register: register.clone(), unregister };
                assert_eq!(!ops(&r, Path::new("/s")).1.is_empty(), r.needs_workspace(), "{r:?}");
                assert!(!format!("{r:?}").contains("p\n"), "Debug shows no secret");
            }
        }
    }

    fn secret_file(dir: &Path, name: &str, content: &str) -> String {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p.display().to_string()
    }

    #[test]
    fn maps_user_register_to_the_tools_flags() {
        let d = tempfile::tempdir().unwrap();
        let pw = secret_file(d.path(), "pw", "s3cret\n");
        let r = parse(&[&format!("user=joe,password-file={pw},attach=pool:ABC")], false).unwrap();
        let (args, files) = ops(&r, Path::new("/w"));
        // The tool reads a private copy, not the user's file (which may be a pipe, read once).
        assert_eq!(
            files,
            [HostFile { name: PASSWORD_NAME, content: "s3cret\n".into(), shown: "***\n".into(), mode: 0o600 }]
        );
        let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["--sm-credentials", "joe:file:/w/rhsm-password", "--sm-register", "--sm-attach", "pool:ABC"]);
        assert!(!args.concat().contains("s3cret"));
    }

    #[test]
    fn unregister_only_and_org_scripts() {
        let (args, s) = ops(&parse(&[], true).unwrap(), Path::new("/w"));
        assert_eq!(args, ["--sm-remove", "--sm-unregister"].map(OsString::from));
        assert_eq!(s, []);

        let d = tempfile::tempdir().unwrap();
        let key = secret_file(d.path(), "key", "act-KEY-1\n");
        let r = parse(&[&format!("org=My Org,activation-key-file={key}")], true).unwrap();
        let (args, s) = ops(&r, Path::new("/w"));
        assert_eq!(args, ["--run", "/w/rhsm.sh"].map(OsString::from));
        let [s] = s.as_slice() else { panic!("{s:?}") };
        assert_eq!(s.mode, 0o700);
        let lines: Vec<&str> = s.content.lines().filter(|l| l.starts_with("subscription-manager")).collect();
        assert_eq!(
            lines,
            [
                "subscription-manager remove --all || echo 'rejviz: nothing to remove'",
                "subscription-manager unregister || echo 'rejviz: was not registered'",
                "subscription-manager register --org 'My Org' --activationkey act-KEY-1",
            ]
        );
        assert!(!s.shown.contains("act-KEY-1") && s.shown.contains("--activationkey '***'"));
    }

    #[test]
    fn resubscribe_with_user_is_one_ordered_script() {
        let d = tempfile::tempdir().unwrap();
        let pw = secret_file(d.path(), "pw", "pw'1\n");
        let r = parse(&[&format!("user=joe,password-file={pw},attach=auto")], true).unwrap();
        let (_, s) = ops(&r, Path::new("/w"));
        let [s] = s.as_slice() else { panic!("{s:?}") };
        assert!(
            s.content.contains("register --username joe --password 'pw'\\''1'\nsubscription-manager attach --auto\n"),
            "{}",
            s.content
        );
        assert!(!s.shown.contains("pw'"));
    }

    #[test]
    fn bad_input() {
        let d = tempfile::tempdir().unwrap();
        let pw = secret_file(d.path(), "pw", "x\n");
        let empty = secret_file(d.path(), "empty", "\n\n");
        let missing = d.path().join("nope").display().to_string();
        let err = |v: &str| parse(&[v], false).unwrap_err().to_string();
        assert_eq!(err("user=joe"), "--rhsm-register: password-file= is missing");
        assert_eq!(err(&format!("password-file={pw}")), "--rhsm-register: user= is missing");
        assert_eq!(err("org=o"), "--rhsm-register: activation-key-file= is missing");
        assert_eq!(err(&format!("activation-key-file={pw}")), "--rhsm-register: org= is missing");
        assert_eq!(
            err(&format!("user=joe,password-file={pw},org=o")),
            "--rhsm-register: user= and org= (password and activation key) cannot go together"
        );
        assert_eq!(
            err(&format!("user=joe,password-file={pw},activation-key-file={pw}")),
            "--rhsm-register: user= and org= (password and activation key) cannot go together"
        );
        assert_eq!(
            err(&format!("user=joe,password-file={empty}")),
            format!("--rhsm-register: password-file: {empty}: is empty")
        );
        assert!(
            err(&format!("user=joe,password-file={missing}"))
                .starts_with(&format!("--rhsm-register: password-file: {missing}: No such file"))
        );
        assert_eq!(
            err(&format!("org=o,activation-key-file={empty}")),
            format!("--rhsm-register: activation-key-file: {empty}: is empty")
        );
        assert_eq!(
            err(&format!("user=joe,password-file={pw},attach=pool:")),
            "--rhsm-register: attach: 'pool:' is not auto or pool:ID"
        );
        assert_eq!(err(&format!("user=a:b,password-file={pw}")), "--rhsm-register: user: 'a:b' cannot contain ':'");
        let ws = secret_file(d.path(), "ws", "  \nx\n");
        assert_eq!(
            err(&format!("user=joe,password-file={ws}")),
            format!("--rhsm-register: password-file: {ws}: is empty")
        );
        assert_eq!(
            err("user=joe,password-file=/dev/zero"),
            "--rhsm-register: password-file: /dev/zero: longer than 64 KiB: not a secret file"
        );
        assert_eq!(
            err(&format!("user=joe,password-file={}", d.path().display())),
            format!("--rhsm-register: password-file: {}: is a directory", d.path().display())
        );
        assert_eq!(
            err(&format!("org=o,activation-key-file={pw},attach=auto")),
            "--rhsm-register: attach= does not go with org="
        );
        assert_eq!(
            err("colour=red"),
            "--rhsm-register: colour: unknown key (known: user password-file attach org activation-key-file)"
        );
        assert_eq!(parse(&["a=b", "c=d"], false).unwrap_err(), RhsmError::Twice);
    }
}
