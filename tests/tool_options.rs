//! The proxied tools' option tables (`src/proxy/tools.rs`) against the installed tools: the
//! scanner reads each argument as the tool's own parser does only if the table lists exactly
//! the tool's options, with the right arity.
//!
//! virt-builder and virt-customize list their options (`--long-options`, `--short-options`);
//! virt-install's argparse parser is built by virt-install's own code and its actions listed.

use std::collections::BTreeSet;
use std::process::Command;

use rejviz::proxy::{Arity, ToolSpec, VIRT_BUILDER, VIRT_CUSTOMIZE, VIRT_INSTALL};

fn lines_of(program: &str, arg: &str) -> BTreeSet<String> {
    let o = Command::new(program).arg(arg).output().unwrap_or_else(|e| panic!("{program} {arg}: {e}"));
    assert!(o.status.success(), "{program} {arg}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect()
}

fn table_spellings(tool: &ToolSpec) -> (BTreeSet<String>, BTreeSet<String>) {
    let long = tool.options().flat_map(|o| o.names.iter().map(|n| format!("--{n}"))).collect();
    let short = tool.options().filter_map(|o| o.short.map(|c| format!("-{c}"))).collect();
    (long, short)
}

#[test]
fn guestfs_tools_tables_list_exactly_the_installed_tools_options() {
    for tool in [&VIRT_BUILDER, &VIRT_CUSTOMIZE] {
        let (long, short) = table_spellings(tool);
        assert_eq!(long, lines_of(tool.program, "--long-options"), "{} long options", tool.program);
        assert_eq!(short, lines_of(tool.program, "--short-options"), "{} short options", tool.program);
    }
}

/// Each option's arity as the installed tool's getopt reads it (the man pages do not always
/// say: `--notes` and `--get-kernel` take their argument as an operand, not as a value).
/// `--NAME=x --zzz` is refused at `--NAME=x` by a flag ("doesn't allow an argument") and at
/// `--zzz` by an option that takes a value; `--NAME` as the last argument is refused for a
/// required value ("requires an argument"). getopt refuses before the tool does anything
/// (`--NAME` alone is run only for options that take a value).
#[test]
fn guestfs_tools_tables_have_the_installed_tools_arity() {
    let run = |program: &str, args: &[&str]| {
        let o = Command::new(program)
            .args(args)
            .env("VIRT_BUILDER_DIRS", "/nonexistent")
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let mut wrong = Vec::new();
    for tool in [&VIRT_BUILDER, &VIRT_CUSTOMIZE] {
        for o in tool.options() {
            let Some(name) = o.names.first() else { continue };
            let flag = run(tool.program, &[&format!("--{name}=x"), "--zzz-rejviz-probe"]).contains("allow an argument");
            let theirs = match flag {
                true => Arity::Flag,
                false if run(tool.program, &[&format!("--{name}")]).contains("requires an argument") => Arity::Value,
                false => Arity::Optional,
            };
            if theirs != o.arity {
                wrong.push(format!("{} --{name}: table {:?}, tool {theirs:?}", tool.program, o.arity));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every action of virt-install's parser: its option strings and its nargs.
#[test]
fn virt_install_table_matches_its_argparse_parser() {
    let script = r#"
import sys, argparse
sys.path.insert(0, "/usr/share/virt-manager")
from virtinst import virtinstall
def capture(self, *a, **k):
    for act in self._actions:
        if act.option_strings:
            print(" ".join(sorted(act.option_strings)) + "\t" + repr(act.nargs))
    raise SystemExit(0)
argparse.ArgumentParser.parse_args = capture
argparse.ArgumentParser.parse_known_args = capture
virtinstall.parse_args()
"#;
    // Debian's python3 (virtinst and its python3-gi live there, not in a user's pyenv).
    let o = Command::new("/usr/bin/python3").arg("-c").arg(script).output().expect("python3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let theirs: BTreeSet<String> = String::from_utf8_lossy(&o.stdout).lines().map(str::to_string).collect();
    let ours: BTreeSet<String> = VIRT_INSTALL
        .options()
        .map(|o| {
            let mut s: Vec<String> =
                o.names.iter().map(|n| format!("--{n}")).chain(o.short.map(|c| format!("-{c}"))).collect();
            s.sort();
            let nargs = match o.arity {
                Arity::Flag => "0",
                Arity::Value => "None",
                Arity::Optional => "'?'",
            };
            format!("{}\t{nargs}", s.join(" "))
        })
        .collect();
    assert_eq!(ours, theirs);
}
