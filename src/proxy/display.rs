//! Showing a command line to the user: shell-quoted on one line, secrets masked.

use std::borrow::Cow;
use std::ffi::OsString;

/// Options whose value holds a secret, how many `:`-separated fields come before the
/// selector (a user name, a device), and the selector word after which the secret follows.
/// Covers virt-builder's and virt-customize's `--root-password password:PW` (and
/// `locked:password:PW`), `--password USER:password:PW`, `--sm-credentials USER:password:PW`
/// and virt-customize's LUKS `--key ID:key:KEY`.
const SECRET_OPTIONS: &[(&str, usize, &str)] = &[
    ("root-password", 0, "password"),
    ("password", 1, "password"),
    ("sm-credentials", 1, "password"),
    ("key", 1, "key"),
];

pub const MASK: &str = "***";

/// `value` with the secret part replaced by `***`, if `option` (without `--`) carries one.
pub fn mask_value(option: &str, value: &str) -> Option<String> {
    let &(_, skip, word) = SECRET_OPTIONS.iter().find(|(o, _, _)| *o == option)?;
    let mut start = 0;
    for (i, field) in value.split(':').enumerate() {
        let end = start + field.len();
        if i >= skip && field == word && end < value.len() {
            return Some(format!("{}{MASK}", &value[..=end]));
        }
        start = end + 1;
    }
    None
}

/// The arguments with every secret masked. Options are recognised in both the
/// `--opt VALUE` and `--opt=VALUE` forms, up to a lone `--`.
pub fn masked_args(args: &[OsString]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut pending: Option<&str> = None; // option whose value is the next argument
    let mut after_dashdash = false;
    for arg in args {
        let s = arg.to_string_lossy();
        if after_dashdash {
            out.push(s.into_owned());
            continue;
        }
        if let Some(opt) = pending.take() {
            out.push(mask_value(opt, &s).unwrap_or_else(|| s.into_owned()));
            continue;
        }
        if s == "--" {
            after_dashdash = true;
        } else if let Some(long) = s.strip_prefix("--") {
            match long.split_once('=') {
                Some((opt, v)) => {
                    if let Some(m) = mask_value(opt, v) {
                        out.push(format!("--{opt}={m}"));
                        continue;
                    }
                }
                None => pending = SECRET_OPTIONS.iter().find(|(o, _, _)| *o == long).map(|(o, _, _)| *o),
            }
        }
        out.push(s.into_owned());
    }
    out
}

/// One shell word that a POSIX shell (or bash, for `$'...'`) reads back as `arg`.
pub fn quote(arg: &str) -> Cow<'_, str> {
    if !arg.chars().any(char::is_control) {
        return shell_words::quote(arg);
    }
    // Newlines and other control characters: bash's ANSI-C quoting keeps the line single.
    let mut s = String::from("$'");
    for c in arg.chars() {
        match c {
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\\' => s.push_str("\\\\"),
            '\'' => s.push_str("\\'"),
            c if c.is_control() => s.push_str(&format!("\\x{:02x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('\'');
    Cow::Owned(s)
}

/// `program arg...`, masked and quoted, on one line.
pub fn command_line(program: &str, args: &[OsString]) -> String {
    std::iter::once(program.to_string())
        .chain(masked_args(args).iter().map(|a| quote(a).into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(mask_value(opt, v).as_deref(), want, "{opt} {v}");
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
        let line = command_line("virt-builder", &args);
        assert_eq!(
            line,
            "virt-builder --root-password 'password:***' '--password=joe:password:***' --hostname h \
             --sm-credentials 'u:password:***' -- --root-password password:literal"
        );
        for pw in ["pw1", "pw2", "pw3"] {
            assert!(!line.contains(pw));
        }
    }

    #[test]
    fn quotes_on_one_line() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("/f:A=1\nB='x'\n"), r"$'/f:A=1\nB=\'x\'\n'");
    }
}
