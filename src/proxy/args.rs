//! Splitting a command line between our options and the proxied tool's.
//!
//! Everything that is not ours passes through untouched and in order. To know where the
//! proxied tool's option values are (so that `--run-command --nic` is not read as our
//! `--nic`), each tool's options that take a value are listed in its [`ToolSpec`].
//! Nothing after a lone `--` is ours.

use std::ffi::OsString;

/// What we need to know about the proxied tool's command line.
#[derive(Debug)]
pub struct ToolSpec {
    pub program: &'static str,
    /// Long options (without `--`) that take a value in the next argument or after `=`.
    pub long_with_value: &'static [&'static str],
    /// Short options that take a value, attached (`-ofile`) or in the next argument.
    pub short_with_value: &'static [char],
    /// Long options that take no value (or only an optional `=value`).
    pub long_flags: &'static [&'static str],
    /// Whether the tool accepts unique prefixes of long options (Python's argparse does).
    pub abbrev: bool,
}

impl ToolSpec {
    /// The long option `name` stands for: itself, or with [`ToolSpec::abbrev`] the one
    /// option it is a unique prefix of.
    pub fn resolve(&self, name: &str) -> Option<&'static str> {
        let all = || self.long_with_value.iter().chain(self.long_flags).copied();
        if let Some(exact) = all().find(|o| *o == name) {
            return Some(exact);
        }
        if !self.abbrev || name.is_empty() {
            return None;
        }
        let mut matches = all().filter(|o| o.starts_with(name));
        match (matches.next(), matches.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    fn takes_value(&self, name: &str) -> bool {
        self.resolve(name).is_some_and(|o| self.long_with_value.contains(&o))
    }
}

/// One of our own options, documented where it is defined.
#[derive(Debug)]
pub struct OurOption {
    /// Long name without `--`.
    pub name: &'static str,
    /// Metavariable of the value, for options that take one.
    pub value: Option<&'static str>,
    /// First line: a one-line summary. Following lines: details for `--help`.
    pub help: &'static str,
}

/// What a tool argument is, as far as the scanner can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An option (`--name`, `--name=value`, `-abc`).
    Option,
    /// The value of the option before it.
    Value,
    /// An operand (including everything after a lone `--`, and `--` itself).
    Operand,
}

/// An argument as scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Passed to the tool as it is.
    Tool(OsString, Role),
    /// One of ours, with its value if it takes one.
    Ours { name: &'static str, value: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("--{0} needs a value")]
    MissingValue(&'static str),
    #[error("--{0} takes no value")]
    UnexpectedValue(&'static str),
    #[error("the value of --{0} is not valid UTF-8")]
    NotUtf8(&'static str),
}

/// Scans `args` (without the program name).
pub fn scan<I>(args: I, tool: &ToolSpec, ours: &[OurOption]) -> Result<Vec<Item>, ScanError>
where
    I: IntoIterator<Item = OsString>,
{
    let mut out = Vec::new();
    let mut args = args.into_iter();
    let ours_named = |n: &str| ours.iter().find(|o| o.name == n);
    while let Some(arg) = args.next() {
        let Some(s) = arg.to_str() else {
            out.push(Item::Tool(arg, Role::Operand));
            continue;
        };
        if s == "--" {
            out.push(Item::Tool(arg, Role::Operand));
            out.extend(args.by_ref().map(|a| Item::Tool(a, Role::Operand)));
            break;
        }
        if let Some(long) = s.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if let Some(opt) = ours_named(name) {
                let value = match (opt.value, inline) {
                    (None, Some(_)) => return Err(ScanError::UnexpectedValue(opt.name)),
                    (None, None) => None,
                    (Some(_), Some(v)) => Some(v),
                    (Some(_), None) => {
                        let v = args.next().ok_or(ScanError::MissingValue(opt.name))?;
                        Some(v.into_string().map_err(|_| ScanError::NotUtf8(opt.name))?)
                    }
                };
                out.push(Item::Ours { name: opt.name, value });
                continue;
            }
            let takes_value = inline.is_none() && tool.takes_value(name);
            out.push(Item::Tool(arg, Role::Option));
            if takes_value {
                out.extend(args.next().map(|a| Item::Tool(a, Role::Value)));
            }
            continue;
        }
        if let Some(cluster) = s.strip_prefix('-').filter(|c| !c.is_empty()) {
            // getopt rules: the first short option that takes a value ends the cluster; the
            // value is the rest of the cluster or, when that is empty, the next argument.
            let needs_next = cluster
                .char_indices()
                .find(|(_, c)| tool.short_with_value.contains(c))
                .is_some_and(|(i, c)| i + c.len_utf8() == cluster.len());
            out.push(Item::Tool(arg, Role::Option));
            if needs_next {
                out.extend(args.next().map(|a| Item::Tool(a, Role::Value)));
            }
            continue;
        }
        out.push(Item::Tool(arg, Role::Operand));
    }
    Ok(out)
}

/// The values given to the tool's option `--long` (or `-short`), in every form the scanner
/// accepts: `--long V`, `--long=V`, `-s V`, `-sV`, `-xsV`.
pub fn tool_values(items: &[Item], tool: &ToolSpec, long: &str, short: Option<char>) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = items.iter().peekable();
    while let Some(item) = it.next() {
        let Item::Tool(arg, Role::Option) = item else { continue };
        let a = arg.to_string_lossy();
        let next_value = |it: &mut std::iter::Peekable<std::slice::Iter<'_, Item>>| match it.peek() {
            Some(Item::Tool(v, Role::Value)) => Some(v.to_string_lossy().into_owned()),
            _ => None,
        };
        if let Some(rest) = a.strip_prefix("--") {
            match rest.split_once('=') {
                Some((n, v)) if tool.resolve(n) == Some(long) => out.push(v.to_string()),
                None if tool.resolve(rest) == Some(long) => out.extend(next_value(&mut it)),
                _ => {}
            }
        } else if let Some(s) = short {
            let cluster = &a[1..];
            if let Some((i, c)) = cluster.char_indices().find(|(_, c)| tool.short_with_value.contains(c))
                && c == s
            {
                let attached = &cluster[i + c.len_utf8()..];
                if attached.is_empty() { out.extend(next_value(&mut it)) } else { out.push(attached.to_string()) }
            }
        }
    }
    out
}

/// Whether the tool's option `--long` is given (in any form the tool accepts).
pub fn tool_flag(items: &[Item], tool: &ToolSpec, long: &str) -> bool {
    items.iter().any(|i| match i {
        Item::Tool(a, Role::Option) => a
            .to_str()
            .and_then(|a| a.strip_prefix("--"))
            .is_some_and(|n| tool.resolve(n.split('=').next().unwrap_or(n)) == Some(long)),
        _ => false,
    })
}

/// The values of our option `name`, in order.
pub fn values<'a>(items: &'a [Item], name: &str) -> Vec<&'a str> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Ours { name: n, value: Some(v) } if *n == name => Some(v.as_str()),
            _ => None,
        })
        .collect()
}

/// Whether our option `name` is given.
pub fn given(items: &[Item], name: &str) -> bool {
    items.iter().any(|i| matches!(i, Item::Ours { name: n, .. } if *n == name))
}

/// The tool's arguments in order, with each group's arguments where the first of that
/// group's options stood; our other options are dropped.
pub fn assemble(items: Vec<Item>, groups: Vec<(&[&str], Vec<OsString>)>) -> Vec<OsString> {
    let mut groups: Vec<(&[&str], Option<Vec<OsString>>)> = groups.into_iter().map(|(n, a)| (n, Some(a))).collect();
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Tool(a, _) => out.push(a),
            Item::Ours { name, .. } => {
                if let Some((_, args)) = groups.iter_mut().find(|(names, _)| names.contains(&name)) {
                    out.extend(args.take().unwrap_or_default());
                }
            }
        }
    }
    out
}

/// The tool's operands, in order (a lone `--` excluded).
pub fn operands(items: &[Item]) -> Vec<String> {
    let mut out = Vec::new();
    let mut after = false;
    for i in items {
        if let Item::Tool(a, Role::Operand) = i {
            if a == "--" && !after {
                after = true;
                continue;
            }
            out.push(a.to_string_lossy().into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOL: ToolSpec = ToolSpec {
        program: "tool",
        long_with_value: &["run-command", "output", "os-variant", "osinfo"],
        short_with_value: &['o', 'm'],
        long_flags: &["network", "quiet"],
        abbrev: false,
    };
    const OURS: &[OurOption] = &[
        OurOption { name: "nic", value: Some("SPEC"), help: "" },
        OurOption { name: "dry-run", value: None, help: "" },
    ];

    fn scan_strs(a: &[&str]) -> Result<Vec<Item>, ScanError> {
        scan(a.iter().map(OsString::from), &TOOL, OURS)
    }
    fn t(s: &str) -> Item {
        Item::Tool(s.into(), if s.starts_with('-') { Role::Option } else { Role::Operand })
    }
    fn v(s: &str) -> Item {
        Item::Tool(s.into(), Role::Value)
    }
    fn op(s: &str) -> Item {
        Item::Tool(s.into(), Role::Operand)
    }
    fn nic(v: &str) -> Item {
        Item::Ours { name: "nic", value: Some(v.into()) }
    }

    #[test]
    fn ours_in_both_forms() {
        assert_eq!(
            scan_strs(&["fedora", "--nic", "name=a", "--nic=name=b", "--dry-run"]).unwrap(),
            vec![t("fedora"), nic("name=a"), nic("name=b"), Item::Ours { name: "dry-run", value: None }]
        );
    }

    #[test]
    fn tool_values_are_not_ours() {
        assert_eq!(
            scan_strs(&["--run-command", "--nic", "-o", "--nic", "-vo", "--dry-run", "-ofile", "--nic", "x"]).unwrap(),
            vec![t("--run-command"), v("--nic"), t("-o"), v("--nic"), t("-vo"), v("--dry-run"), t("-ofile"), nic("x")]
        );
        // An inline value does not consume the next argument.
        assert_eq!(scan_strs(&["--output=f", "--nic", "x"]).unwrap(), vec![t("--output=f"), nic("x")]);
    }

    #[test]
    fn nothing_after_double_dash_is_ours() {
        assert_eq!(
            scan_strs(&["--nic", "x", "--", "--nic", "y", "--dry-run"]).unwrap(),
            vec![nic("x"), op("--"), op("--nic"), op("y"), op("--dry-run")]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(scan_strs(&["--nic"]), Err(ScanError::MissingValue("nic")));
        assert_eq!(scan_strs(&["--dry-run=yes"]), Err(ScanError::UnexpectedValue("dry-run")));
    }

    #[test]
    fn non_utf8_passes_through() {
        use std::os::unix::ffi::OsStringExt;
        let weird = OsString::from_vec(vec![b'-', b'-', 0xff]);
        assert_eq!(scan(vec![weird.clone()], &TOOL, OURS).unwrap(), vec![Item::Tool(weird, Role::Operand)]);
    }

    #[test]
    fn values_flags_and_operands() {
        let items = scan_strs(&[
            "fedora",
            "-o",
            "a",
            "--output=b",
            "-vob",
            "--output",
            "c",
            "-oq",
            "--network",
            "--nic",
            "x",
            "--",
            "--output",
            "d",
            "e",
        ])
        .unwrap();
        assert_eq!(tool_values(&items, &TOOL, "output", Some('o')), ["a", "b", "b", "c", "q"]);
        assert!(tool_flag(&items, &TOOL, "network"));
        assert!(!tool_flag(&items, &TOOL, "quiet"));
        assert_eq!(operands(&items), ["fedora", "--output", "d", "e"]);
    }

    #[test]
    fn assemble_places_each_group_at_its_first_option() {
        let items = scan_strs(&["a", "--nic", "x", "b", "--dry-run", "--nic", "y", "c"]).unwrap();
        let out = assemble(items, vec![(&["nic"], vec!["N1".into(), "N2".into()]), (&["other"], vec!["O".into()])]);
        assert_eq!(out, ["a", "N1", "N2", "b", "c"].map(OsString::from));
    }

    #[test]
    fn argparse_abbreviations() {
        let tool = ToolSpec { abbrev: true, ..TOOL };
        assert_eq!(tool.resolve("outp"), Some("output"));
        assert_eq!(tool.resolve("os"), None, "ambiguous");
        assert_eq!(tool.resolve("os-v"), Some("os-variant"));
        assert_eq!(TOOL.resolve("outp"), None, "no abbreviations for this tool");
        let items = scan(["--outp", "--nic", "--os-v", "x", "--net"].map(OsString::from), &tool, OURS).unwrap();
        assert_eq!(items[1], v("--nic"));
        assert_eq!(tool_values(&items, &tool, "output", None), ["--nic"]);
        assert_eq!(tool_values(&items, &tool, "os-variant", None), ["x"]);
        assert!(tool_flag(&items, &tool, "network"));
    }
}
