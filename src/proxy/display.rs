//! Showing a command line to the user: shell-quoted on one line, secrets masked.

use std::ffi::OsString;

use super::args::{Lookup, Parsed, Secret, ToolSpec};

pub const MASK: &str = "***";

/// `value` with the secret part replaced by `***`, if `secret` says where one is and the
/// value holds it (`password:PW`, but not `file:/path` or `random`).
pub fn mask_value(secret: Secret, value: &str) -> Option<String> {
    let mut start = 0;
    for (i, field) in value.split(':').enumerate() {
        let end = start + field.len();
        if i >= secret.skip && field == secret.word && end < value.len() {
            return Some(format!("{}{MASK}", value.get(..=end)?));
        }
        start = end + 1;
    }
    None
}

/// `value` masked by the first of `secrets` that finds a secret in it.
fn mask_any(secrets: &[Secret], value: &str) -> Option<String> {
    secrets.iter().find_map(|s| mask_value(*s, value))
}

/// The secrets an option as written may carry: its own; for an ambiguous or unknown name
/// (the tool refuses it, but it is shown), those of every option it might have meant.
fn secrets_of(tool: &ToolSpec, parsed: &Parsed<'_>) -> Vec<Secret> {
    match parsed {
        Parsed::Long { lookup: Lookup::Found(o), .. } => o.secret.into_iter().collect(),
        Parsed::Long { lookup: Lookup::Ambiguous(opts), .. } => opts.iter().filter_map(|o| o.secret).collect(),
        Parsed::Long { lookup: Lookup::Unknown, .. } => tool.options().filter_map(|o| o.secret).collect(),
        Parsed::Shorts(_) | Parsed::Operand => Vec::new(),
    }
}

/// The arguments with every secret masked, every option read as `tool` reads it (one or two
/// dashes, abbreviations, `=VALUE` or the next argument), up to a lone `--`.
pub fn masked_args(tool: &ToolSpec, args: &[OsString]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.iter().map(|a| a.to_string_lossy()).peekable();
    while let Some(s) = it.next() {
        if s == "--" {
            out.push(s.into_owned());
            out.extend(it.by_ref().map(|a| a.into_owned()));
            break;
        }
        let parsed = tool.parse(&s);
        let secrets = secrets_of(tool, &parsed);
        let follows = tool.value_follows(&parsed, it.peek().map(|n| n.as_ref()));
        // An unknown option (the tool refuses it) may have meant one whose secret is the next
        // argument: that is masked too.
        let unknown_secret = matches!(parsed, Parsed::Long { lookup: Lookup::Unknown, inline: None, .. })
            && it.peek().is_some_and(|n| !n.starts_with('-') && mask_any(&secrets, n).is_some());
        match (&parsed, secrets.is_empty()) {
            (Parsed::Long { inline: Some(v), .. }, false) => match mask_any(&secrets, v) {
                Some(m) => out.push(format!("{}={m}", s.split('=').next().unwrap_or_default())),
                None => out.push(s.into_owned()),
            },
            _ => out.push(s.into_owned()),
        }
        if (follows || unknown_secret)
            && let Some(v) = it.next()
        {
            out.push(mask_any(&secrets, &v).unwrap_or_else(|| v.into_owned()));
        }
    }
    out
}

/// `program arg...`, masked and quoted, on one line.
pub fn command_line(tool: &ToolSpec, args: &[OsString]) -> String {
    std::iter::once(tool.program.to_string())
        .chain(masked_args(tool, args).iter().map(|a| crate::shell::quote(a).into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::tools::{VIRT_BUILDER, VIRT_CUSTOMIZE};

    fn mask(opt: &str, v: &str) -> Option<String> {
        let Lookup::Found(o) = VIRT_CUSTOMIZE.lookup(opt) else { panic!("{opt}") };
        o.secret.and_then(|s| mask_value(s, v))
    }

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn masks_each_secret_form() {
        let cases = [
            ("root-password", "password:hunter2", Some("password:***")),
            ("root-password", "password:a:b", Some("password:***")),
            ("root-password", "locked:password:x", Some("locked:password:***")),
            ("root-password", "file:/etc/pw", None),
            ("root-password", "random", None),
            ("password", "joe:password:x", Some("joe:password:***")),
            ("password", "password:password:x", Some("password:password:***")),
            ("password", "joe:file:/x", None),
            ("sm-credentials", "joe:password:s3cret", Some("joe:password:***")),
            ("sm-credentials", "joe:file:/f", None),
            ("key", "/dev/sda2:key:luks", Some("/dev/sda2:key:***")),
            ("hostname", "password:x", None),
        ];
        for (opt, v, want) in cases {
            assert_eq!(mask(opt, v).as_deref(), want, "{opt} {v}");
        }
    }

    #[test]
    fn masks_in_a_command_line() {
        let args = os(&[
            "--root-password",
            "password:pw1",
            "--password=joe:password:pw2",
            "--hostname",
            "h",
            "--sm-credentials",
            "u:password:pw3",
            "--",
            "--root-password",
            "password:literal",
        ]);
        let line = command_line(&VIRT_BUILDER, &args);
        assert_eq!(
            line,
            "virt-builder --root-password 'password:***' '--password=joe:password:***' --hostname h \
             --sm-credentials 'u:password:***' -- --root-password password:literal"
        );
        for pw in ["pw1", "pw2", "pw3"] {
            assert!(!line.contains(pw));
        }
    }

    /// Every spelling getopt_long_only accepts, for every secret option of both tools.
    #[test]
    fn masks_every_getopt_spelling() {
        let cases: &[(&ToolSpec, &[&str])] = &[
            (&VIRT_BUILDER, &["-root-password", "password:S1"]),
            (&VIRT_BUILDER, &["-root-password=password:S1"]),
            (&VIRT_BUILDER, &["--root-pass", "password:S1"]),
            (&VIRT_BUILDER, &["--root-pass=locked:password:S1"]),
            (&VIRT_BUILDER, &["-ro", "password:S1"]),
            (&VIRT_BUILDER, &["-sm-cred", "joe:password:S1"]),
            (&VIRT_BUILDER, &["--sm-c=joe:password:S1"]),
            (&VIRT_BUILDER, &["-password", "joe:password:S1"]),
            (&VIRT_CUSTOMIZE, &["-password=joe:password:S1"]),
            (&VIRT_CUSTOMIZE, &["-ke", "/dev/sda2:key:S1"]),
            (&VIRT_CUSTOMIZE, &["--key=/dev/sda2:key:S1"]),
            // Ambiguous (password, password-crypto): virt-builder refuses it; never shown.
            (&VIRT_BUILDER, &["--pass", "joe:password:S1"]),
            (&VIRT_BUILDER, &["--pas=joe:password:S1"]),
            // Unknown: refused too, and not shown either.
            (&VIRT_BUILDER, &["--root-passwd=password:S1"]),
            (&VIRT_BUILDER, &["--root-passwd", "password:S1"]),
            (&VIRT_CUSTOMIZE, &["-sm-creds", "joe:password:S1"]),
        ];
        for (tool, args) in cases {
            let line = command_line(tool, &os(args));
            assert!(!line.contains("S1"), "{} {args:?}: {line}", tool.program);
            assert!(line.contains(MASK), "{} {args:?}: {line}", tool.program);
        }
        // A value that is not the secret's option's stays as it is.
        let line = command_line(&VIRT_BUILDER, &os(&["--hostname", "password:x", "-ro", "file:/f"]));
        assert_eq!(line, "virt-builder --hostname password:x -ro file:/f");
    }
}
