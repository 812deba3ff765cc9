//! Splitting a command line between our options and the proxied tool's.
//!
//! Everything that is not ours passes through untouched and in order. To know where the
//! proxied tool's option values are (so that `--run-command --nic` is not read as our
//! `--nic`), each argument is read the way the tool's own parser reads it, from the tool's
//! table of options ([`ToolSpec`], tables in [`super::tools`]):
//! - virt-builder and virt-customize use glibc's `getopt_long_only`: a long option may be
//!   written with one dash or two (`-root-password`, `--root-password`), as any prefix that
//!   is unique among all long options (`--root-pass`; two or more matches are ambiguous, even
//!   aliases of one option), with its value after `=` or in the next argument. A one-dash
//!   argument of one letter that is a short option is that short option; a longer one that
//!   matches no long option is a cluster of short options (`-vx`, `-ofile`).
//! - virt-install uses Python's argparse: long options with two dashes and unique prefixes;
//!   `nargs='?'` options take the next argument only when it does not start with `-`.
//!
//! Our own options are spelled in full (two dashes, or one for the getopt tools, like theirs).
//! An abbreviation of one of ours is refused, rather than handed to the tool to misread.
//! Nothing after a lone `--` is ours.

use std::ffi::OsString;

/// How many values an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Flag,
    /// One value: after `=`, attached to a short option, or the next argument.
    Value,
    /// An optional value: after `=` (getopt) or, with argparse, the next argument unless it
    /// starts with `-`.
    Optional,
}

/// Where the secret is in an option's value: after `skip` `:`-separated fields (a user name,
/// a device), the selector `word`, then the secret (`USER:password:PW`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secret {
    pub skip: usize,
    pub word: &'static str,
}

/// One option of a proxied tool's parser.
#[derive(Debug, PartialEq, Eq)]
pub struct ToolOption {
    /// Its long names, without dashes (aliases of one option); may be empty.
    pub names: &'static [&'static str],
    pub short: Option<char>,
    pub arity: Arity,
    /// The tools that have it (a bit per tool, for tables shared by tools).
    pub tools: u8,
    pub secret: Option<Secret>,
}

impl ToolOption {
    pub const fn short(self, c: char) -> ToolOption {
        ToolOption { short: Some(c), ..self }
    }
    pub const fn secret(self, skip: usize, word: &'static str) -> ToolOption {
        ToolOption { secret: Some(Secret { skip, word }), ..self }
    }
    /// Whether `long` is one of its names.
    pub fn is(&self, long: &str) -> bool {
        self.names.contains(&long)
    }
}

/// The command-line syntax of a tool's parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// glibc `getopt_long_only` (libguestfs's OCaml tools).
    GetoptLongOnly,
    /// Python's argparse, with abbreviations allowed (virt-install).
    Argparse,
}

/// What we need to know about the proxied tool's command line.
#[derive(Debug)]
pub struct ToolSpec {
    pub program: &'static str,
    /// A table of options, possibly shared with other tools: those whose `tools` has the bit
    /// `tool` are this tool's.
    pub options: &'static [ToolOption],
    pub tool: u8,
    pub syntax: Syntax,
}

/// Which option a long name, as written, stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(&'static ToolOption),
    /// A prefix of two or more long names: the tool refuses it.
    Ambiguous(Vec<&'static ToolOption>),
    Unknown,
}

/// How the tool reads one argument that stands where an option may stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// A long option: what it stands for, the name as written, the value after `=`.
    Long {
        lookup: Lookup,
        name: &'a str,
        inline: Option<&'a str>,
    },
    /// A cluster of short options, without its dash.
    Shorts(&'a str),
    Operand,
}

impl ToolSpec {
    /// This tool's options.
    pub fn options(&self) -> impl Iterator<Item = &'static ToolOption> + '_ {
        self.options.iter().filter(|o| o.tools & self.tool != 0)
    }

    fn short_option(&self, c: char) -> Option<&'static ToolOption> {
        self.options().find(|o| o.short == Some(c))
    }

    /// The option the long name `name` (without dashes) stands for: an exact name, else the
    /// one option it is a unique prefix of.
    pub fn lookup(&self, name: &str) -> Lookup {
        if let Some(exact) = self.options().find(|o| o.is(name)) {
            return Lookup::Found(exact);
        }
        if name.is_empty() {
            return Lookup::Unknown;
        }
        // getopt_long_only counts names, not options: two aliases of one option are two
        // matches. argparse counts distinct options' strings too.
        let matches: Vec<(&'static ToolOption, &str)> = self
            .options()
            .flat_map(|o| o.names.iter().map(move |n| (o, *n)))
            .filter(|(_, n)| n.starts_with(name))
            .collect();
        match matches.as_slice() {
            [] => Lookup::Unknown,
            [(one, _)] => Lookup::Found(one),
            many => {
                let mut opts: Vec<&'static ToolOption> = Vec::new();
                for (o, _) in many {
                    if !opts.iter().any(|p| std::ptr::eq(*p, *o)) {
                        opts.push(o);
                    }
                }
                Lookup::Ambiguous(opts)
            }
        }
    }

    /// How the tool reads `arg` where an option may stand.
    pub fn parse<'a>(&self, arg: &'a str) -> Parsed<'a> {
        let long = |body: &'a str| {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            Parsed::Long { lookup: self.lookup(name), name, inline }
        };
        if let Some(body) = arg.strip_prefix("--") {
            return if body.is_empty() { Parsed::Operand } else { long(body) };
        }
        let Some(body) = arg.strip_prefix('-').filter(|b| !b.is_empty()) else {
            return Parsed::Operand;
        };
        let mut chars = body.chars();
        let first = chars.next();
        let one_letter = chars.next().is_none();
        let first_is_short = first.and_then(|c| self.short_option(c)).is_some();
        match self.syntax {
            Syntax::Argparse => Parsed::Shorts(body),
            Syntax::GetoptLongOnly if one_letter && first_is_short => Parsed::Shorts(body),
            Syntax::GetoptLongOnly => match long(body) {
                Parsed::Long { lookup: Lookup::Unknown, .. } if first_is_short => Parsed::Shorts(body),
                parsed => parsed,
            },
        }
    }

    /// Whether the argument after `parsed` (which is `next`) is its value.
    pub(crate) fn value_follows(&self, parsed: &Parsed<'_>, next: Option<&str>) -> bool {
        match parsed {
            Parsed::Long { inline: Some(_), .. } | Parsed::Operand => false,
            Parsed::Long { lookup: Lookup::Found(o), .. } => self.takes_next(o.arity, next),
            // The tool refuses it; its value, if one of the candidates takes one, is not ours.
            Parsed::Long { lookup: Lookup::Ambiguous(opts), .. } => {
                opts.iter().any(|o| o.arity != Arity::Flag && self.takes_next(o.arity, next))
            }
            Parsed::Long { lookup: Lookup::Unknown, .. } => false,
            Parsed::Shorts(cluster) => matches!(self.short_value(cluster), Some((_, ShortValue::Next))),
        }
    }

    fn takes_next(&self, arity: Arity, next: Option<&str>) -> bool {
        match (arity, self.syntax) {
            (Arity::Flag, _) | (Arity::Optional, Syntax::GetoptLongOnly) => false,
            (Arity::Value, _) => true,
            (Arity::Optional, Syntax::Argparse) => next.is_some_and(|n| !n.starts_with('-')),
        }
    }

    /// The short option of `cluster` that takes a value (it ends the cluster: getopt and
    /// argparse alike), and where its value is.
    fn short_value<'a>(&self, cluster: &'a str) -> Option<(&'static ToolOption, ShortValue<'a>)> {
        for (i, c) in cluster.char_indices() {
            let Some(o) = self.short_option(c) else { continue };
            if o.arity == Arity::Flag {
                continue;
            }
            let rest = cluster.get(i + c.len_utf8()..).unwrap_or_default();
            return match (rest.is_empty(), o.arity) {
                (false, _) => Some((o, ShortValue::Attached(rest))),
                (true, Arity::Value) => Some((o, ShortValue::Next)),
                (true, _) => None,
            };
        }
        None
    }

    /// The options named in `cluster` (up to the one that takes a value).
    fn shorts_in(&self, cluster: &str) -> Vec<&'static ToolOption> {
        let mut out = Vec::new();
        for c in cluster.chars() {
            let Some(o) = self.short_option(c) else { continue };
            out.push(o);
            if o.arity != Arity::Flag {
                break;
            }
        }
        out
    }
}

enum ShortValue<'a> {
    Attached(&'a str),
    Next,
}

/// One of our own options, defined once as a named constant (so that code refers to it by
/// a name the compiler checks, never by a string): its name, its value, its help and, for a
/// `key=value,...` option, its table of keys (what the parser accepts and `--help` lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OurOption {
    /// Long name without `--`.
    pub name: &'static str,
    /// Metavariable of the value, for options that take one.
    pub value: Option<&'static str>,
    /// First line: a one-line summary. Following lines: details for `--help`.
    pub help: &'static str,
    pub keys: &'static [crate::optlist::Key],
}

impl OurOption {
    pub const fn flag(name: &'static str, help: &'static str) -> OurOption {
        OurOption { name, value: None, help, keys: &[] }
    }
    pub const fn value(name: &'static str, metavar: &'static str, help: &'static str) -> OurOption {
        OurOption { name, value: Some(metavar), help, keys: &[] }
    }
    pub const fn keys(self, keys: &'static [crate::optlist::Key]) -> OurOption {
        OurOption { keys, ..self }
    }
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
    #[error("--{0} stands alone ({1} has no --{0} of its own)")]
    NotAlone(&'static str, &'static str),
    #[error("unknown or ambiguous option {given} (options added by rejviz are not abbreviated: did you mean {}?)", candidates(.ours))]
    Abbreviated { given: String, ours: Vec<&'static str> },
}

fn candidates(ours: &[&str]) -> String {
    ours.iter().map(|o| format!("--{o}")).collect::<Vec<_>>().join(" or ")
}

/// Which of ours `arg` is, if it is one: `--name[=value]` (or `-name[=value]` for a getopt
/// tool), or an abbreviation the tool reads as one of ours (`--he` for `--help`). An
/// abbreviation of ours that the tool cannot read as one of ours is an error.
fn ours_in<'a>(
    arg: &'a str,
    tool: &ToolSpec,
    ours: &[OurOption],
) -> Result<Option<(&'static str, Option<&'a str>)>, ScanError> {
    let body = match (arg.strip_prefix("--"), arg.strip_prefix('-'), tool.syntax) {
        (Some(b), _, _) => b,
        (None, Some(b), Syntax::GetoptLongOnly) if b.chars().nth(1).is_some() => b,
        _ => return Ok(None),
    };
    let (name, inline) = match body.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (body, None),
    };
    if name.is_empty() {
        return Ok(None);
    }
    let find = |n: &str| ours.iter().find(|o| o.name == n).map(|o| o.name);
    if let Some(o) = find(name) {
        return Ok(Some((o, inline)));
    }
    let parsed = tool.parse(arg);
    // What the tool reads it as, when that option is also one of ours (--help, --version).
    if let Parsed::Long { lookup: Lookup::Found(t), .. } = &parsed
        && let Some(o) = t.names.iter().find_map(|n| find(n))
    {
        return Ok(Some((o, inline)));
    }
    // An abbreviation the tool reads as one of its own options is the tool's.
    let prefix_of: Vec<&'static str> = ours.iter().filter(|o| o.name.starts_with(name)).map(|o| o.name).collect();
    let tools_own = matches!(parsed, Parsed::Long { lookup: Lookup::Found(_), .. } | Parsed::Shorts(_));
    if prefix_of.is_empty() || tools_own {
        return Ok(None);
    }
    Err(ScanError::Abbreviated { given: arg.split('=').next().unwrap_or(arg).to_string(), ours: prefix_of })
}

/// Scans `args` (without the program name).
pub fn scan<I>(args: I, tool: &ToolSpec, ours: &[OurOption]) -> Result<Vec<Item>, ScanError>
where
    I: IntoIterator<Item = OsString>,
{
    let mut out = Vec::new();
    let mut args = args.into_iter().peekable();
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
        if let Some((name, inline)) = ours_in(s, tool, ours)? {
            let takes_value = ours.iter().any(|o| o.name == name && o.value.is_some());
            let value = match (takes_value, inline) {
                (false, Some(_)) => return Err(ScanError::UnexpectedValue(name)),
                (false, None) => None,
                (true, Some(v)) => Some(v.to_string()),
                (true, None) => {
                    let v = args.next().ok_or(ScanError::MissingValue(name))?;
                    Some(v.into_string().map_err(|_| ScanError::NotUtf8(name))?)
                }
            };
            out.push(Item::Ours { name, value });
            continue;
        }
        let parsed = tool.parse(s);
        if parsed == Parsed::Operand {
            out.push(Item::Tool(arg, Role::Operand));
            continue;
        }
        let next = args.peek().and_then(|a| a.to_str());
        let value_follows = tool.value_follows(&parsed, next);
        out.push(Item::Tool(arg, Role::Option));
        if value_follows {
            out.extend(args.next().map(|a| Item::Tool(a, Role::Value)));
        }
    }
    Ok(out)
}

/// Each option among the tool arguments `items`, in order, as the tool reads it, with its
/// value (after `=`, attached, or the next argument). Ambiguous and unknown options (the
/// tool refuses them) are left out.
pub fn tool_options(items: &[Item], tool: &ToolSpec) -> Vec<(&'static ToolOption, Option<String>)> {
    let mut out = Vec::new();
    let mut it = items.iter().peekable();
    while let Some(item) = it.next() {
        let Item::Tool(arg, Role::Option) = item else { continue };
        let a = arg.to_string_lossy();
        let mut next_value = || match it.peek() {
            Some(Item::Tool(v, Role::Value)) => {
                let v = v.to_string_lossy().into_owned();
                it.next();
                Some(v)
            }
            _ => None,
        };
        match tool.parse(&a) {
            Parsed::Long { lookup: Lookup::Found(o), inline, .. } => {
                let value = match (o.arity, inline) {
                    (_, Some(v)) => Some(v.to_string()),
                    (Arity::Flag, None) => None,
                    (_, None) => next_value(),
                };
                out.push((o, value));
            }
            Parsed::Shorts(cluster) => {
                let valued = tool.short_value(cluster);
                for o in tool.shorts_in(cluster) {
                    let value = match &valued {
                        Some((v, ShortValue::Attached(s))) if std::ptr::eq(*v, o) => Some(s.to_string()),
                        Some((v, ShortValue::Next)) if std::ptr::eq(*v, o) => next_value(),
                        _ => None,
                    };
                    out.push((o, value));
                }
            }
            _ => {}
        }
    }
    out
}

/// The values given to the tool's option `long` (any of its names, its short letter), in
/// every spelling the tool accepts: `--long V`, `--long=V`, `-long V`, `--lo V`, `-s V`,
/// `-sV`, `-xsV`.
pub fn tool_values(items: &[Item], tool: &ToolSpec, long: &str) -> Vec<String> {
    tool_options(items, tool).into_iter().filter(|(o, _)| o.is(long)).filter_map(|(_, v)| v).collect()
}

/// Whether the tool's option `long` is given, in any spelling the tool accepts.
pub fn tool_flag(items: &[Item], tool: &ToolSpec, long: &str) -> bool {
    tool_options(items, tool).iter().any(|(o, _)| o.is(long))
}

/// The values of our option `opt`, in order.
pub fn values<'a>(items: &'a [Item], opt: &OurOption) -> Vec<&'a str> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Ours { name: n, value: Some(v) } if *n == opt.name => Some(v.as_str()),
            _ => None,
        })
        .collect()
}

/// Whether our option `opt` is given.
pub fn given(items: &[Item], opt: &OurOption) -> bool {
    items.iter().any(|i| matches!(i, Item::Ours { name: n, .. } if *n == opt.name))
}

/// The tool's arguments in order, with each group's arguments where the first of that
/// group's options stood; our other options are dropped.
pub fn assemble(items: Vec<Item>, groups: Vec<(&[&OurOption], Vec<OsString>)>) -> Vec<OsString> {
    let mut groups: Vec<(&[&OurOption], Option<Vec<OsString>>)> =
        groups.into_iter().map(|(n, a)| (n, Some(a))).collect();
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Tool(a, _) => out.push(a),
            Item::Ours { name, .. } => {
                if let Some((_, args)) = groups.iter_mut().find(|(opts, _)| opts.iter().any(|o| o.name == name)) {
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
    use crate::proxy::tools::{VIRT_BUILDER, VIRT_CUSTOMIZE, VIRT_INSTALL};

    const NIC: OurOption = OurOption::value("nic", "SPEC", "");
    const OTHER: OurOption = OurOption::flag("other", "");
    const OURS: &[OurOption] =
        &[NIC, OurOption::value("nic-format", "F", ""), OurOption::flag("dry-run", ""), OurOption::flag("help", "")];

    fn scan_with(tool: &ToolSpec, a: &[&str]) -> Result<Vec<Item>, ScanError> {
        scan(a.iter().map(OsString::from), tool, OURS)
    }
    fn scan_strs(a: &[&str]) -> Result<Vec<Item>, ScanError> {
        scan_with(&VIRT_BUILDER, a)
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
    fn found(tool: &ToolSpec, arg: &str) -> Option<&'static str> {
        match tool.parse(arg) {
            Parsed::Long { lookup: Lookup::Found(o), .. } => o.names.first().copied(),
            _ => None,
        }
    }

    #[test]
    fn ours_in_every_form() {
        assert_eq!(
            scan_strs(&["fedora", "--nic", "name=a", "--nic=name=b", "-nic", "name=c", "-nic=name=d", "--dry-run"])
                .unwrap(),
            vec![
                t("fedora"),
                nic("name=a"),
                nic("name=b"),
                nic("name=c"),
                nic("name=d"),
                Item::Ours { name: "dry-run", value: None }
            ]
        );
        // argparse has no one-dash long options: `-nic` is virt-install's `-n ic`.
        assert_eq!(scan_with(&VIRT_INSTALL, &["-nic"]).unwrap(), vec![t("-nic")]);
        // An abbreviation the tool reads as an option that is also ours is ours.
        assert_eq!(scan_strs(&["--he"]).unwrap(), vec![Item::Ours { name: "help", value: None }]);
    }

    /// getopt_long_only: each spelling of an option that takes a value swallows the next
    /// argument, so a following `--nic` is the tool's value, not ours.
    #[test]
    fn tool_values_are_not_ours_in_any_spelling() {
        for spelling in
            ["--run-command", "-run-command", "--run-comm", "-run-comm", "-o", "-vo", "-vxo", "--out", "-out"]
        {
            assert_eq!(
                scan_strs(&[spelling, "--nic", "--nic", "x"]).unwrap(),
                vec![t(spelling), v("--nic"), nic("x")],
                "{spelling}"
            );
        }
        // Values in the same argument do not swallow the next one.
        for spelling in ["--output=f", "-output=f", "--out=f", "-ofile", "-vxofile"] {
            assert_eq!(scan_strs(&[spelling, "--nic", "x"]).unwrap(), vec![t(spelling), nic("x")], "{spelling}");
        }
        // Flags do not either, in any spelling.
        // `--notes OS` and `--get-kernel IMAGE` take an operand, not a value.
        for spelling in [
            "--no-delete-on-fail",
            "-no-delete-on-failure",
            "-vx",
            "-q",
            "--sel",
            "-selinux",
            "--notes",
            "--get-kernel",
        ] {
            assert_eq!(scan_strs(&[spelling, "--nic", "x"]).unwrap(), vec![t(spelling), nic("x")], "{spelling}");
        }
    }

    /// What glibc's getopt_long_only makes of one-dash and abbreviated arguments (checked
    /// against virt-builder 1.48: `-li` and `-ver` ambiguous, `--colo` ambiguous between
    /// aliases).
    #[test]
    fn getopt_long_only_reading() {
        let b = &VIRT_BUILDER;
        assert_eq!(found(b, "-root-password"), Some("root-password"));
        assert_eq!(found(b, "--root-pass=x"), Some("root-password"));
        assert_eq!(found(b, "--sm-cred"), Some("sm-credentials"));
        assert_eq!(found(b, "--no-delete-on-fail"), Some("no-delete-on-failure"));
        assert_eq!(found(b, "-out"), Some("output"));
        assert_eq!(found(b, "-list"), Some("list"));
        assert!(matches!(b.parse("-li"), Parsed::Long { lookup: Lookup::Ambiguous(_), .. }));
        assert!(matches!(b.parse("-ver"), Parsed::Long { lookup: Lookup::Ambiguous(_), .. }));
        assert!(matches!(b.parse("--colo"), Parsed::Long { lookup: Lookup::Ambiguous(_), .. }));
        assert!(matches!(b.parse("--check-sig"), Parsed::Long { lookup: Lookup::Ambiguous(_), .. }));
        // One letter that is a short option; longer ones that match no long option.
        assert_eq!(b.parse("-o"), Parsed::Shorts("o"));
        assert_eq!(b.parse("-l"), Parsed::Shorts("l"));
        assert_eq!(b.parse("-vx"), Parsed::Shorts("vx"));
        assert_eq!(b.parse("-ofile.img"), Parsed::Shorts("ofile.img"));
        // Neither a long option nor starting with a short one: the tool's error.
        assert!(matches!(b.parse("-zzz"), Parsed::Long { lookup: Lookup::Unknown, .. }));
        assert_eq!(b.parse("-"), Parsed::Operand);
        assert_eq!(b.parse("fedora"), Parsed::Operand);
        // Customize's own letters.
        assert_eq!(VIRT_CUSTOMIZE.parse("-a"), Parsed::Shorts("a"));
        assert_eq!(found(&VIRT_CUSTOMIZE, "-add"), Some("add"));
        assert_eq!(VIRT_CUSTOMIZE.parse("-adisk.img"), Parsed::Shorts("adisk.img"));
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
        let e = scan_strs(&["--nic-f", "ifcfg"]).unwrap_err();
        assert_eq!(e, ScanError::Abbreviated { given: "--nic-f".into(), ours: vec!["nic-format"] });
        assert_eq!(
            e.to_string(),
            "unknown or ambiguous option --nic-f (options added by rejviz are not abbreviated: did you mean --nic-format?)"
        );
        assert!(matches!(scan_strs(&["-dry"]), Err(ScanError::Abbreviated { .. })));
        // An abbreviation the tool reads as one of its options is the tool's...
        assert_eq!(scan_with(&VIRT_INSTALL, &["--nonet"]).unwrap(), vec![t("--nonet")]);
        // ... and ours when that option is also ours (here, both have --dry-run).
        assert_eq!(scan_with(&VIRT_INSTALL, &["--dry"]).unwrap(), vec![Item::Ours { name: "dry-run", value: None }]);
    }

    #[test]
    fn non_utf8_passes_through() {
        use std::os::unix::ffi::OsStringExt;
        let weird = OsString::from_vec(vec![b'-', b'-', 0xff]);
        assert_eq!(scan(vec![weird.clone()], &VIRT_BUILDER, OURS).unwrap(), vec![Item::Tool(weird, Role::Operand)]);
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
            "-out",
            "d",
            "--outp=e",
            "--network",
            "--nic",
            "x",
            "--",
            "--output",
            "f",
            "g",
        ])
        .unwrap();
        assert_eq!(tool_values(&items, &VIRT_BUILDER, "output"), ["a", "b", "b", "c", "q", "d", "e"]);
        assert!(tool_flag(&items, &VIRT_BUILDER, "network"));
        assert!(tool_flag(&items, &VIRT_BUILDER, "verbose"), "-v in a cluster");
        assert!(!tool_flag(&items, &VIRT_BUILDER, "quiet"), "-oq is -o q");
        assert_eq!(operands(&items), ["fedora", "--output", "f", "g"]);
        let items = scan_strs(&["-l", "--no-delete-on-f", "-machine-readable=x"]).unwrap();
        assert!(tool_flag(&items, &VIRT_BUILDER, "list"));
        assert!(tool_flag(&items, &VIRT_BUILDER, "no-delete-on-failure"));
        assert_eq!(tool_values(&items, &VIRT_BUILDER, "machine-readable"), ["x"]);
    }

    #[test]
    fn assemble_places_each_group_at_its_first_option() {
        let items = scan_strs(&["a", "--nic", "x", "b", "--dry-run", "--nic", "y", "c"]).unwrap();
        let out = assemble(items, vec![(&[&NIC], vec!["N1".into(), "N2".into()]), (&[&OTHER], vec!["O".into()])]);
        assert_eq!(out, ["a", "N1", "N2", "b", "c"].map(OsString::from));
    }

    #[test]
    fn argparse_reading() {
        let i = &VIRT_INSTALL;
        assert_eq!(found(i, "--outp"), None);
        assert_eq!(found(i, "--os-v"), Some("os-variant"));
        assert_eq!(found(i, "--osinfo"), Some("os-variant"));
        assert!(matches!(i.parse("--os"), Parsed::Long { lookup: Lookup::Ambiguous(_), .. }));
        let items =
            scan_with(i, &["--dis", "--nic", "--os-v", "x", "--net", "n", "--wait", "5", "--print-xml", "--nic", "y"])
                .unwrap();
        assert_eq!(items[1], v("--nic"));
        assert_eq!(items[7], v("5"), "nargs='?' takes a value that is not an option");
        assert_eq!(items[9], nic("y"), "... and not one that is");
        assert_eq!(tool_values(&items, i, "disk"), ["--nic"]);
        assert_eq!(tool_values(&items, i, "osinfo"), ["x"]);
        assert_eq!(tool_values(&items, i, "network"), ["n"]);
        // -c is virt-install's old --cdrom, not --connect.
        let items = scan_with(i, &["-c", "/x.iso", "--connect", "qemu:///system"]).unwrap();
        assert_eq!(tool_values(&items, i, "connect"), ["qemu:///system"]);
    }
}
