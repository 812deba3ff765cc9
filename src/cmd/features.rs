//! `--machine-readable`: what this build supports, for scripts that test for a feature
//! before they use it, in virt-builder's style: one feature word a line, the first line the
//! command's name. Generated from the code's own tables, never a hand list:
//! - each of our options by name (`nic`, `reader`, `print-command`, ...): the command's
//!   [`OurOption`] table (rejviz-peek: its clap command line);
//! - `OPTION:VALUE` for each value of an option that takes a closed set (`nic-format:` from
//!   the [`Format`] list and `auto`, `reader:` from the [`Reader`] enum, peek's `format:`
//!   from its parser);
//! - `OPTION-key:KEY` for each key of a `KEY=VALUE,...` option (`nic-key:` from the `--nic`
//!   key table, `rhsm-register-key:` from the RHSM keys);
//! - `config-format:FORMAT` for each guest network config format the build writes and reads.
//!
//! `--help`, `--version` and `--machine-readable` itself are not listed. virt-builder has a
//! `--machine-readable` of its own: alone, rejviz-builder prints virt-builder's lines, then
//! its own; with anything else it is virt-builder's, passed through unchanged. The other
//! tools have none, so there it is ours and stands alone.

use std::ffi::OsString;
use std::process::Command;

use super::{HELP, VERSION, emit};
use crate::format::Format;
use crate::optlist::metavar_words;
use crate::proxy::args::{Lookup, Parsed};
use crate::proxy::{OurOption, Outcome, SignalGuard, ToolSpec};

/// The option's name, in every command.
pub const NAME: &str = "machine-readable";

/// `--machine-readable` where the proxied tool has none: ours, alone; `$cmd`'s help shows
/// `$feature` in its example.
macro_rules! ours_alone {
    ($cmd:literal, $feature:literal) => {
        OurOption::flag(
            NAME,
            concat!(
                "Print what this build supports, one feature a line, and exit: the command's name\n\
                 first, then each option of ours (reader, ...), OPTION:VALUE for each value of a\n\
                 closed set (reader:direct), OPTION-key:KEY for each key of a KEY=VALUE list (nic-key:routes,\n\
                 where there is one), and config-format:FORMAT for each guest network config format\n\
                 it reads or writes. It stands alone: with any other argument it is a usage error (exit 2).\n\
                 Example: ",
                $cmd,
                " --machine-readable | grep -qx ",
                $feature
            ),
        )
    };
}

/// rejviz-customize's (virt-customize has none).
pub const CUSTOMIZE: OurOption = ours_alone!("rejviz-customize", "nic-key:routes");
/// rejviz-install's (virt-install has none).
pub const INSTALL: OurOption = ours_alone!("rejviz-install", "reader:direct");

/// One feature and what it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub name: String,
    /// The closed set of its values, if it has one.
    pub values: Vec<String>,
    /// The keys of a `KEY=VALUE,...` value.
    pub keys: Vec<String>,
}

/// The closed set of values of one of our options: the words its metavariable lists (the
/// one rule, [`metavar_words`]; tests check those are the code's own lists).
pub fn choices(o: &OurOption) -> Vec<&'static str> {
    o.value.map(metavar_words).unwrap_or_default()
}

/// The features of a command whose options are `options`.
pub fn of_options(options: &[OurOption]) -> Vec<Feature> {
    let unlisted = [HELP.name, VERSION.name, NAME];
    options
        .iter()
        .filter(|o| !unlisted.contains(&o.name))
        .map(|o| Feature {
            name: o.name.to_string(),
            values: choices(o).into_iter().map(str::to_string).collect(),
            keys: o.keys.iter().map(|k| k.name.to_string()).collect(),
        })
        .collect()
}

/// The lines `me --machine-readable` prints for `features`.
pub fn render(me: &str, features: &[Feature]) -> String {
    let mut out = format!("{me}\n");
    for f in features {
        out.push_str(&format!("{}\n", f.name));
        for v in &f.values {
            out.push_str(&format!("{}:{v}\n", f.name));
        }
        for k in &f.keys {
            out.push_str(&format!("{}-key:{k}\n", f.name));
        }
    }
    for format in Format::ALL {
        out.push_str(&format!("config-format:{format}\n"));
    }
    out
}

/// The lines of a proxy command whose options are `options`.
pub fn lines(me: &str, options: &[OurOption]) -> String {
    render(me, &of_options(options))
}

/// Whether `tool` has a `--machine-readable` of its own (virt-builder).
pub fn tool_has(tool: &ToolSpec) -> bool {
    tool.options().any(|o| o.is(NAME))
}

/// Whether `tool` reads `arg` as its own `--machine-readable` without a value (in any
/// spelling it takes: `-machine-readable`, `--machine-read`).
pub fn is_tools_own(tool: &ToolSpec, arg: &OsString) -> bool {
    let Some(arg) = arg.to_str() else { return false };
    matches!(tool.parse(arg), Parsed::Long { lookup: Lookup::Found(o), inline: None, .. } if o.is(NAME))
}

/// `TOOL ARG` (the tool's own `--machine-readable`), then our lines: the tool's exit status
/// if it failed (our lines are printed all the same), else how writing ours went.
pub fn tools_and_ours(
    me: &'static str,
    tool: &ToolSpec,
    arg: &OsString,
    options: &[OurOption],
    guard: &SignalGuard,
) -> Outcome {
    let outcome = match guard.run(Command::new(tool.program).arg(arg)) {
        Ok(o) => o,
        Err(e) => super::cannot_run(me, tool.program, &e),
    };
    if let Some(sig) = guard.received() {
        return Outcome::Signaled(sig);
    }
    match (emit(me, &lines(me, options)), outcome) {
        (Outcome::Exited(0), tools) => tools,
        (ours, _) => ours,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{READER, guestops};
    use super::*;
    use crate::inspect::Reader;

    #[test]
    fn lines_come_from_the_tables() {
        let text = lines("rejviz-x", &[guestops::NIC, guestops::NIC_FORMAT, READER, HELP, VERSION, CUSTOMIZE]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.first(), Some(&"rejviz-x"));
        for want in ["nic", "nic-key:name", "nic-key:routes", "nic-format", "nic-format:auto", "nic-format:networkd"] {
            assert!(lines.contains(&want), "{want} in {text}");
        }
        for want in ["reader:auto", "reader:direct", "reader:appliance", "config-format:ifcfg", "config-format:eni"] {
            assert!(lines.contains(&want), "{want} in {text}");
        }
        assert_eq!(lines.iter().filter(|l| l.starts_with("nic-key:")).count(), crate::nic::NIC_KEYS.len());
        assert!(!lines.iter().any(|l| ["help", "version", "machine-readable"].contains(l)), "{text}");
    }

    /// The metavariables `--help` shows are the code's lists.
    #[test]
    fn help_metavariables_are_the_choices() {
        let nic_format: Vec<&str> = std::iter::once("auto").chain(Format::ALL.iter().map(|f| f.name())).collect();
        let reader: Vec<&str> = Reader::ALL.iter().map(|r| r.name()).collect();
        for (o, list) in [(guestops::NIC_FORMAT, nic_format), (READER, reader)] {
            assert_eq!(o.value, Some(list.join("|").as_str()), "--{}", o.name);
            assert_eq!(choices(&o), list, "--{}", o.name);
        }
    }
}
