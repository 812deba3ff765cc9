//! `key=value[,key=value]...` option values, as taken by `--nic` (and, later, by the other
//! list-valued options). Only the syntax lives here; what keys mean is the caller's business.
//!
//! Modelled on cloud-hypervisor's `option_parser`: parse the whole list first, so that a
//! caller sees every key before it interprets any of them, and reject what cannot be read
//! rather than guessing.

use crate::nic::shown;

/// Why an option list cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptListError {
    #[error("'{}' is not key=value", shown(.0))]
    NoEquals(String),
    #[error("empty key in '{}'", shown(.0))]
    EmptyKey(String),
    #[error("{}: empty value", shown(.0))]
    EmptyValue(String),
    #[error("{}: given twice", shown(.0))]
    DuplicateKey(String),
    #[error("{}: unknown key (known: {known})", shown(.key))]
    UnknownKey { key: String, known: String },
    #[error("{key}: '{}' contains a control character, which no value can", shown(.value))]
    Control { key: String, value: String },
    #[error("empty option (expected key=value[,key=value]...)")]
    Empty,
}

impl OptListError {
    /// The key the error is about, when there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            OptListError::EmptyValue(k) | OptListError::DuplicateKey(k) => Some(k),
            OptListError::UnknownKey { key, .. } | OptListError::Control { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// One key an option list may hold: its name, its value's syntax and what it means. The
/// table of an option's keys is both what the parser accepts and what `--help` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub value: &'static str,
    pub help: &'static str,
}

/// The closed set of values a metavariable lists (`dhcp|static|none`, an option's or a key's
/// value syntax): its alternatives written in lower case. Placeholders (`ADDR/PREFIX`,
/// `pool:ID`, `NAME=TARGET,...`) and ranges (`68..65535`) are not values; a metavariable of
/// none of them lists no closed set. Where the code has an enum, tests check that the
/// metavariable lists exactly its names.
pub fn metavar_words(metavar: &str) -> Vec<&str> {
    metavar
        .split('|')
        .filter(|w| {
            !w.is_empty()
                && !w.contains("..")
                && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.+".contains(&b))
        })
        .collect()
}

/// The names of `keys`, space-separated (for messages).
pub fn key_names(keys: &[Key]) -> String {
    keys.iter().map(|k| k.name).collect::<Vec<_>>().join(" ")
}

/// An option list, in the order given. Keys are unique and all come from the `known` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptList {
    pairs: Vec<(String, String)>,
}

impl OptList {
    /// Splits `s` on `,` and each item on its first `=`. No value may hold a control character
    /// (newline, tab, ESC, DEL, ...): none has a use in a key's value, and each could break
    /// the config file, the command line or the terminal line it ends up in.
    pub fn parse(s: &str, known: &[Key]) -> Result<OptList, OptListError> {
        if s.is_empty() {
            return Err(OptListError::Empty);
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for item in s.split(',') {
            let (key, value) = item.split_once('=').ok_or_else(|| OptListError::NoEquals(item.to_string()))?;
            if key.is_empty() {
                return Err(OptListError::EmptyKey(item.to_string()));
            }
            if !known.iter().any(|k| k.name == key) {
                return Err(OptListError::UnknownKey { key: key.to_string(), known: key_names(known) });
            }
            if pairs.iter().any(|(k, _)| k == key) {
                return Err(OptListError::DuplicateKey(key.to_string()));
            }
            if value.is_empty() {
                return Err(OptListError::EmptyValue(key.to_string()));
            }
            if value.chars().any(char::is_control) {
                return Err(OptListError::Control { key: key.to_string(), value: value.to_string() });
            }
            pairs.push((key.to_string(), value.to_string()));
        }
        Ok(OptList { pairs })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Why virt-install could not split an option value (Python's `shlex` errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VirtSplitError {
    #[error("no closing quotation")]
    NoClosingQuotation,
    #[error("no escaped character after the final '\\'")]
    NoEscapedCharacter,
}

/// The fields of a virt-install option value (`--disk /v/a.img,format=raw`), split exactly as
/// virt-install splits them (`parse_optstr_tuples` in virtinst/cli.py): Python's `shlex` in
/// POSIX mode with `,` as the only whitespace, `whitespace_split`, no comment character. So
/// `,` separates fields and runs of `,` are one separator (`,,` is no escape: `a,,b` is two
/// fields); `'...'` and `"..."` protect `,` and concatenate with what touches them (`'a'"b"c`
/// is `abc`); `\` escapes any character outside quotes, and inside double quotes only `"` and
/// `\` (else it stays); `''` alone is an empty field. An unclosed quote or a final `\` is an
/// error, as in virt-install.
pub fn split_virt_options(s: &str) -> Result<Vec<String>, VirtSplitError> {
    #[derive(Clone, Copy)]
    enum State {
        Word,
        Single,
        Double,
        Escape { in_double: bool },
    }
    let mut fields = Vec::new();
    let mut field = String::new();
    // A quote was opened in this field: it is a field even when empty.
    let mut quoted = false;
    let mut state = State::Word;
    for c in s.chars() {
        state = match state {
            State::Word => match c {
                ',' => {
                    if !field.is_empty() || quoted {
                        fields.push(std::mem::take(&mut field));
                    }
                    quoted = false;
                    State::Word
                }
                '\\' => State::Escape { in_double: false },
                '\'' => {
                    quoted = true;
                    State::Single
                }
                '"' => {
                    quoted = true;
                    State::Double
                }
                c => {
                    field.push(c);
                    State::Word
                }
            },
            State::Single if c == '\'' => State::Word,
            State::Double if c == '"' => State::Word,
            State::Double if c == '\\' => State::Escape { in_double: true },
            State::Single | State::Double => {
                field.push(c);
                state
            }
            State::Escape { in_double } => {
                if in_double && c != '"' && c != '\\' {
                    field.push('\\');
                }
                field.push(c);
                if in_double { State::Double } else { State::Word }
            }
        };
    }
    match state {
        State::Single | State::Double => Err(VirtSplitError::NoClosingQuotation),
        State::Escape { .. } => Err(VirtSplitError::NoEscapedCharacter),
        State::Word => {
            if !field.is_empty() || quoted {
                fields.push(field);
            }
            Ok(fields)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[Key] = &[Key { name: "name", value: "", help: "" }, Key { name: "ipaddr", value: "", help: "" }];

    #[test]
    fn parses_in_order() {
        let l = OptList::parse("name=eth0,ipaddr=1.2.3.4", KNOWN).unwrap();
        assert_eq!(l.get("name"), Some("eth0"));
        assert_eq!(l.get("ipaddr"), Some("1.2.3.4"));
        assert_eq!(l.get("other"), None);
    }

    #[test]
    fn value_may_contain_equals() {
        let l = OptList::parse("name=a=b", KNOWN).unwrap();
        assert_eq!(l.get("name"), Some("a=b"));
    }

    #[test]
    fn errors() {
        use OptListError::*;
        let cases: &[(&str, OptListError)] = &[
            ("", Empty),
            ("eth0", NoEquals("eth0".into())),
            ("name=eth0,", NoEquals("".into())),
            ("=eth0", EmptyKey("=eth0".into())),
            ("name=", EmptyValue("name".into())),
            ("name=a,name=b", DuplicateKey("name".into())),
            ("name=a,mtu=9000", UnknownKey { key: "mtu".into(), known: "name ipaddr".into() }),
            ("name=a\nb", Control { key: "name".into(), value: "a\nb".into() }),
            ("name=eth0,ipaddr=\t1.2.3.4", Control { key: "ipaddr".into(), value: "\t1.2.3.4".into() }),
            ("name=\x1b[2J", Control { key: "name".into(), value: "\x1b[2J".into() }),
            ("name=a\x7f", Control { key: "name".into(), value: "a\x7f".into() }),
            ("name=a\u{85}", Control { key: "name".into(), value: "a\u{85}".into() }),
            ("na\nme=a", UnknownKey { key: "na\nme".into(), known: "name ipaddr".into() }),
        ];
        for (input, want) in cases {
            assert_eq!(&OptList::parse(input, KNOWN).unwrap_err(), want, "{input:?}");
        }
    }

    #[test]
    fn splits_like_virt_install() {
        let ok = |s: &str| split_virt_options(s).unwrap();
        assert_eq!(ok("a,b=c"), ["a", "b=c"]);
        assert_eq!(ok("a,,b"), ["a", "b"]);
        assert_eq!(ok(",a,,"), ["a"]);
        assert_eq!(ok(""), Vec::<String>::new());
        assert_eq!(ok("'',x"), ["", "x"]);
        assert_eq!(ok(r#""a,b",'c,d'"#), ["a,b", "c,d"]);
        assert_eq!(ok(r#"'a'"b"c"#), ["abc"]);
        assert_eq!(ok(r"a\,b\'c"), ["a,b'c"]);
        assert_eq!(ok(r#""a\"b\\c\xd""#), [r#"a"b\c\xd"#]);
        assert_eq!(ok(r"'a\b'"), [r"a\b"]);
        assert_eq!(ok("a b#c"), ["a b#c"]);
        assert_eq!(split_virt_options("'a"), Err(VirtSplitError::NoClosingQuotation));
        assert_eq!(split_virt_options(r#""a\""#), Err(VirtSplitError::NoClosingQuotation));
        assert_eq!(split_virt_options("a\\"), Err(VirtSplitError::NoEscapedCharacter));
    }

    /// Every error prints the values it quotes on one line, escaped.
    #[test]
    fn errors_print_no_control_character() {
        use OptListError::*;
        let v = "a\nb\x1b[31m\r\x7f";
        let errors = [
            NoEquals(v.into()),
            EmptyKey(v.into()),
            EmptyValue(v.into()),
            DuplicateKey(v.into()),
            UnknownKey { key: v.into(), known: "name".into() },
            Control { key: "name".into(), value: v.into() },
            Empty,
        ];
        for e in errors {
            let line = e.to_string();
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        for input in [v, "name=x,\n", "\n=x", "name=\n", "name=a,name=\x1b", "x\n=y"] {
            let line = OptList::parse(input, KNOWN).unwrap_err().to_string();
            assert!(!line.chars().any(char::is_control), "{input:?}: {line:?}");
        }
    }
}
