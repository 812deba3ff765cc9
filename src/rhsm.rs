//! Red Hat Subscription Management for rejviz-builder and rejviz-customize.
//!
//! - `--rhsm-register user=USER,password-file=FILE[,attach=auto|pool:ID]` becomes the virt
//!   tools' own `--sm-credentials USER:file:FILE --sm-register [--sm-attach ...]`: the
//!   password stays in the user's file, which the tool reads.
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
use std::path::{Path, PathBuf};

use crate::optlist::{OptList, OptListError};

pub const REGISTER_KEYS: &[&str] = &["user", "password-file", "attach", "org", "activation-key-file"];

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
    #[error("--rhsm-register: user: '{0}' cannot contain ':'")]
    User(String),
    #[error("--rhsm-register: attach: '{0}' is not auto or pool:ID")]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Register {
    User {
        user: String,
        password_file: PathBuf,
        attach: Option<Attach>,
    },
    /// The key itself, read from its file (first line).
    Org {
        org: String,
        key: String,
    },
}

/// What to do about RHSM.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rhsm {
    pub register: Option<Register>,
    pub unregister: bool,
}

/// The secret in a file: its first line, which must not be empty.
fn read_secret(key: &'static str, path: &Path) -> Result<String, RhsmError> {
    let err = |msg: String| RhsmError::File { key, path: path.display().to_string(), msg };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let first = text.lines().next().unwrap_or("").trim();
    if first.is_empty() {
        return Err(err("is empty".into()));
    }
    Ok(first.to_string())
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
            read_secret("password-file", &file)?; // readable and not empty; the tool reads it
            let password_file = std::path::absolute(&file).unwrap_or(file);
            let attach = match l.get("attach") {
                None => None,
                Some("auto") => Some(Attach::Auto),
                Some(a) => match a.strip_prefix("pool:") {
                    Some(id) if !id.is_empty() => Some(Attach::Pool(id.to_string())),
                    _ => return Err(RhsmError::Attach(a.into())),
                },
            };
            Ok(Register::User { user: user.to_string(), password_file, attach })
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

/// Single-quoted for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A script to run in the guest, with its content and its masked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub content: String,
    pub shown: String,
}

/// The virt-customize operations for `rhsm`; `script_path` is where a script, if one is
/// needed, will be staged (the caller stages the returned [`Script`] there).
impl Rhsm {
    /// Whether [`ops`] needs a host script: the org form (the virt tools lack it), or a
    /// re-subscription (the tools would register before they unregister).
    pub fn needs_script(&self) -> bool {
        matches!((&self.register, self.unregister), (Some(Register::Org { .. }), _) | (Some(_), true))
    }
}

pub fn ops(rhsm: &Rhsm, script_path: &Path) -> (Vec<OsString>, Option<Script>) {
    let mut args: Vec<OsString> = Vec::new();
    let run_script = |args: &mut Vec<OsString>| {
        args.push("--run".into());
        args.push(script_path.as_os_str().to_owned());
    };
    match (&rhsm.register, rhsm.unregister) {
        (None, false) => (args, None),
        (None, true) => {
            args.extend(["--sm-remove", "--sm-unregister"].map(OsString::from));
            (args, None)
        }
        (Some(Register::User { user, password_file, attach }), false) => {
            args.push("--sm-credentials".into());
            let mut cred = OsString::from(format!("{user}:file:"));
            cred.push(password_file);
            args.push(cred);
            args.push("--sm-register".into());
            match attach {
                Some(Attach::Auto) => args.extend(["--sm-attach", "auto"].map(OsString::from)),
                Some(Attach::Pool(id)) => args.extend(["--sm-attach".into(), OsString::from(format!("pool:{id}"))]),
                None => {}
            }
            (args, None)
        }
        (Some(reg), unregister) => {
            let script = script(reg, unregister);
            run_script(&mut args);
            (args, Some(script))
        }
    }
}

fn script(reg: &Register, unregister: bool) -> Script {
    let mut head = String::from(
        "#!/bin/sh\n# Written by rejviz: RHSM for this image. Removed after the run, on the host and in the guest.\n",
    );
    if unregister {
        head.push_str("subscription-manager remove --all || echo 'rejviz: nothing to remove'\n");
        head.push_str("subscription-manager unregister || echo 'rejviz: was not registered'\n");
    }
    let (line, shown_line, attach) = match reg {
        Register::Org { org, key } => (
            format!("subscription-manager register --org {} --activationkey {}\n", sh_quote(org), sh_quote(key)),
            format!("subscription-manager register --org {} --activationkey '***'\n", sh_quote(org)),
            None,
        ),
        Register::User { user, password_file, attach } => {
            // Only in the re-subscribe script: the password is read now and written into it.
            let pw = read_secret("password-file", password_file).unwrap_or_default();
            (
                format!("subscription-manager register --username {} --password {}\n", sh_quote(user), sh_quote(&pw)),
                format!("subscription-manager register --username {} --password '***'\n", sh_quote(user)),
                attach.as_ref(),
            )
        }
    };
    let attach_line = match attach {
        Some(Attach::Auto) => "subscription-manager attach --auto\n".to_string(),
        Some(Attach::Pool(id)) => format!("subscription-manager attach --pool {}\n", sh_quote(id)),
        None => String::new(),
    };
    Script {
        content: format!("{head}set -e\n{line}{attach_line}"),
        shown: format!("{head}set -e\n{shown_line}{attach_line}"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn needs_script_is_when_ops_stages_one() {
        let user = Register::User { user: "u".into(), password_file: "/f".into(), attach: None };
        let org = Register::Org { org: "o".into(), key: "k".into() };
        for register in [None, Some(user), Some(org)] {
            for unregister in [false, true] {
                let r = Rhsm { register: register.clone(), unregister };
                assert_eq!(ops(&r, Path::new("/s")).1.is_some(), r.needs_script(), "{r:?}");
            }
        }
    }

    use super::*;

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
        let (args, script) = ops(&r, Path::new("/w/rhsm.sh"));
        assert_eq!(script, None);
        let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(args, ["--sm-credentials", &format!("joe:file:{pw}"), "--sm-register", "--sm-attach", "pool:ABC"]);
        assert!(!args.concat().contains("s3cret"));
    }

    #[test]
    fn unregister_only_and_org_scripts() {
        let (args, s) = ops(&parse(&[], true).unwrap(), Path::new("/w/rhsm.sh"));
        assert_eq!(args, ["--sm-remove", "--sm-unregister"].map(OsString::from));
        assert_eq!(s, None);

        let d = tempfile::tempdir().unwrap();
        let key = secret_file(d.path(), "key", "act-KEY-1\n");
        let r = parse(&[&format!("org=My Org,activation-key-file={key}")], true).unwrap();
        let (args, s) = ops(&r, Path::new("/w/rhsm.sh"));
        assert_eq!(args, ["--run", "/w/rhsm.sh"].map(OsString::from));
        let s = s.unwrap();
        let lines: Vec<&str> = s.content.lines().filter(|l| l.starts_with("subscription-manager")).collect();
        assert_eq!(
            lines,
            [
                "subscription-manager remove --all || echo 'rejviz: nothing to remove'",
                "subscription-manager unregister || echo 'rejviz: was not registered'",
                "subscription-manager register --org 'My Org' --activationkey 'act-KEY-1'",
            ]
        );
        assert!(!s.shown.contains("act-KEY-1") && s.shown.contains("--activationkey '***'"));
    }

    #[test]
    fn resubscribe_with_user_is_one_ordered_script() {
        let d = tempfile::tempdir().unwrap();
        let pw = secret_file(d.path(), "pw", "pw'1\n");
        let r = parse(&[&format!("user=joe,password-file={pw},attach=auto")], true).unwrap();
        let (_, s) = ops(&r, Path::new("/w/rhsm.sh"));
        let s = s.unwrap();
        assert!(
            s.content.contains("register --username 'joe' --password 'pw'\\''1'\nsubscription-manager attach --auto\n"),
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
