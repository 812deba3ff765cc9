//! Words for a POSIX shell: the one quoting rule of every place that writes one (ifcfg
//! files, which `/bin/sh` sources; the RHSM script we run in the guest; the `running:` line
//! we show).

use std::borrow::Cow;

/// Characters a shell word may hold bare: nothing in them is special to `sh` (or to
/// NetworkManager's ifcfg reader).
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'_' | b'-' | b'/' | b'+' | b'@' | b'=' | b',' | b'%')
}

/// One shell word that reads back as `s`: bare when made only of [`plain`] characters, else
/// single-quoted (`'\''` for a quote). A value with control characters (which no file of
/// ours holds: every parser refuses them) gets bash's ANSI-C quoting `$'...'`, for display
/// on one line.
pub fn quote(s: &str) -> Cow<'_, str> {
    if !s.is_empty() && s.bytes().all(plain) {
        return Cow::Borrowed(s);
    }
    if !s.chars().any(char::is_control) {
        return Cow::Owned(format!("'{}'", s.replace('\'', r"'\''")));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("eth0"), "eth0");
        assert_eq!(quote("name=eth0,ipaddr=1.2.3.4/24"), "name=eth0,ipaddr=1.2.3.4/24");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(x)"), "'$(x)'");
        assert_eq!(quote("/f:A=1\nB='x'\n"), r"$'/f:A=1\nB=\'x\'\n'");
    }

    /// What `sh` reads back is the value, for every kind of character.
    #[test]
    fn sh_reads_back_the_value() {
        let values = ["plain", "a b", "it's", "$HOME `x` \"q\" \\ ; & | < > * ? [ ] ~ # !", "é ü", "", "''"];
        let script: String = values.iter().map(|v| format!("printf '%s\\0' {}\n", quote(v))).collect();
        let out = std::process::Command::new("sh").arg("-c").arg(script).output().expect("sh");
        let got: Vec<String> = out.stdout.split(|b| *b == 0).map(|w| String::from_utf8_lossy(w).into_owned()).collect();
        assert_eq!(got[..values.len()], values.map(str::to_string));
    }
}
