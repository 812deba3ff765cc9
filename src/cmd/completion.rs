//! Bash completion for the four commands: one script, rendered from the tables the
//! commands parse with, so that it cannot drift from them: our options ([`OurOption`]) and
//! their keys ([`Key`]: `--nic`'s, `--rhsm-register`'s), the proxied tools' options
//! ([`ToolSpec`], to read their command lines as their parsers do) and rejviz-peek's clap
//! command. The engine that uses these tables (reading the command line, completing our
//! values, calling the proxied tool's own completion for the rest) is static bash:
//! `completion.bash`, appended to the tables.
//!
//! The script is committed as `completions/rejviz.bash`; `tests/completion.rs` checks that it
//! is what [`render`] gives (`REJVIZ_UPDATE_GOLDEN=1` rewrites it) and drives it in bash.

use std::fmt::Write as _;

use crate::optlist::{Key, metavar_words as choices};
use crate::proxy::{Arity, OurOption, Syntax, ToolSpec, VIRT_BUILDER, VIRT_CUSTOMIZE, VIRT_INSTALL};

const ENGINE: &str = include_str!("completion.bash");

/// The key of `--nic` that every NIC needs: offered alone until it is given.
const NIC_FIRST_KEY: &str = "name";
/// The proxied tool's option whose value is a libvirt domain of the connection.
const DOMAIN: &str = "domain";

/// How the value of an option, or of a key, is completed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Values {
    /// Nothing lists it (a name, an address, a URI): no candidates.
    Free,
    Words(Vec<String>),
    /// `KEY=VALUE,...`; `first` is offered alone until it is given.
    Keys {
        first: Option<&'static str>,
        keys: &'static [Key],
    },
    Files,
    /// A domain of the command line's libvirt connection.
    Domains,
    /// `NAME=TARGET,...`, TARGET a network of the connection or `bridge:BRIDGE`.
    Mappings,
}

/// One command, as the engine reads it.
struct Cmd {
    name: String,
    /// The proxied tool, whose completion completes what is not ours.
    tool: Option<&'static str>,
    syntax: &'static str,
    /// Our long options (`name=` when it takes a value).
    ours: Vec<String>,
    /// The parser's long names: `name:ARITY[:FIRST-NAME]`, ARITY `f`, `v` or `o`.
    longs: Vec<String>,
    /// The parser's short options: `c:ARITY:FIRST-NAME`.
    shorts: Vec<String>,
    /// How the value of each option (by first name) is completed.
    values: Vec<(String, Values)>,
}

/// A value described by its metavariable: files, words, or nothing to list.
fn by_metavar(metavar: &str) -> Values {
    let words = choices(metavar);
    match metavar {
        "FILE" => Values::Files,
        _ if words.is_empty() => Values::Free,
        _ => Values::Words(words.into_iter().map(String::from).collect()),
    }
}

fn our_values(o: &OurOption) -> Option<Values> {
    let metavar = o.value?;
    Some(if !o.keys.is_empty() {
        Values::Keys { first: (o.keys == crate::nic::NIC_KEYS).then_some(NIC_FIRST_KEY), keys: o.keys }
    } else if o.name == super::install::NIC_MAPPINGS.name {
        Values::Mappings
    } else {
        by_metavar(metavar)
    })
}

fn arity(a: Arity) -> char {
    match a {
        Arity::Flag => 'f',
        Arity::Value => 'v',
        Arity::Optional => 'o',
    }
}

fn proxy(name: &str, tool: &'static ToolSpec, ours: &[OurOption]) -> Cmd {
    let mut longs = Vec::new();
    let mut shorts = Vec::new();
    let mut values: Vec<(String, Values)> =
        ours.iter().filter_map(|o| Some((o.name.to_string(), our_values(o)?))).collect();
    for o in tool.options() {
        let a = arity(o.arity);
        let first = o.names.first().map_or_else(|| o.short.map(String::from).unwrap_or_default(), |n| n.to_string());
        for n in o.names {
            longs.push(if *n == first { format!("{n}:{a}") } else { format!("{n}:{a}:{first}") });
        }
        if let Some(c) = o.short {
            shorts.push(format!("{c}:{a}:{first}"));
        }
        if first == DOMAIN {
            values.push((first, Values::Domains));
        }
    }
    Cmd {
        name: name.to_string(),
        tool: Some(tool.program),
        syntax: match tool.syntax {
            Syntax::GetoptLongOnly => "getopt",
            Syntax::Argparse => "argparse",
        },
        ours: ours.iter().map(|o| format!("{}{}", o.name, if o.value.is_some() { "=" } else { "" })).collect(),
        longs,
        shorts,
        values,
    }
}

/// rejviz-peek, from its clap command: every option is ours.
fn peek() -> Cmd {
    let mut cli = super::peek::cli();
    cli.build();
    let mut cmd = Cmd {
        name: cli.get_name().to_string(),
        tool: None,
        syntax: "clap",
        ours: Vec::new(),
        longs: Vec::new(),
        shorts: Vec::new(),
        values: Vec::new(),
    };
    for arg in cli.get_arguments().filter(|a| !a.is_positional()) {
        let takes = arg.get_action().takes_values();
        let a = if takes { 'v' } else { 'f' };
        let first = arg.get_long().unwrap_or(arg.get_id().as_str()).to_string();
        if let Some(long) = arg.get_long() {
            cmd.longs.push(format!("{long}:{a}"));
            cmd.ours.push(format!("{long}{}", if takes { "=" } else { "" }));
        }
        if let Some(c) = arg.get_short() {
            cmd.shorts.push(format!("{c}:{a}:{first}"));
        }
        if !takes {
            continue;
        }
        let words: Vec<String> = arg.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
        let values = if first == DOMAIN {
            Values::Domains
        } else if !words.is_empty() {
            Values::Words(words)
        } else if matches!(arg.get_value_hint(), clap::ValueHint::AnyPath | clap::ValueHint::FilePath) {
            Values::Files
        } else {
            Values::Free
        };
        cmd.values.push((first, values));
    }
    cmd
}

fn commands() -> Vec<Cmd> {
    vec![
        proxy(super::builder::ME, &VIRT_BUILDER, super::builder::OPTIONS),
        proxy(super::customize::ME, &VIRT_CUSTOMIZE, super::customize::OPTIONS),
        proxy(super::install::ME, &VIRT_INSTALL, super::install::OPTIONS),
        peek(),
    ]
}

/// `words` as one single-quoted shell word, wrapped after 90 columns with `indent`. (Every
/// word is an option name, an arity letter or a value word: none holds a quote or a blank.)
fn list<S: AsRef<str>>(words: &[S], indent: &str) -> String {
    let mut out = String::from("'");
    let mut width = 0;
    for (i, w) in words.iter().enumerate() {
        let w = w.as_ref();
        if i > 0 {
            if width + 1 + w.len() > 90 {
                out.push('\n');
                out.push_str(indent);
                width = 0;
            } else {
                out.push(' ');
                width += 1;
            }
        }
        out.push_str(w);
        width += w.len();
    }
    out.push('\'');
    out
}

/// Where a wrapped list of a call continues.
const CALL_INDENT: &str = "                ";

/// The bash call that completes a value of this kind (`$2` the value so far, `$3` what
/// stands before it in the word).
fn call(option: &str, v: &Values) -> String {
    match v {
        Values::Free => ":".into(),
        Values::Words(w) => format!("_rejviz_words \"$2\" \"$3\" {}", list(w, CALL_INDENT)),
        Values::Files => "_rejviz_files \"$2\" \"$3\"".into(),
        Values::Domains => "_rejviz_domains \"$2\" \"$3\"".into(),
        Values::Mappings => format!("_rejviz_mappings \"$2\" \"$3\" {}", crate::mapping::BRIDGE_PREFIX),
        Values::Keys { first, keys } => {
            let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
            format!(
                "_rejviz_keys {option} \"$2\" \"$3\" '{}' \\\n{CALL_INDENT}{}",
                first.unwrap_or(""),
                list(&names, CALL_INDENT)
            )
        }
    }
}

/// A `case` whose patterns with the same body are joined (`a | b) body ;;`), in first-seen
/// order.
fn cases(out: &mut String, arms: Vec<(String, String)>) {
    let mut joined: Vec<(Vec<String>, String)> = Vec::new();
    for (pattern, body) in arms {
        match joined.iter_mut().find(|(_, b)| *b == body) {
            Some((patterns, _)) => patterns.push(pattern),
            None => joined.push((vec![pattern], body)),
        }
    }
    for (patterns, body) in joined {
        let _ = writeln!(out, "        {})\n            {body}\n            ;;", patterns.join(" | "));
    }
}

/// The bash completion script of the four commands.
pub fn render() -> String {
    let cmds = commands();
    let mut out = String::from(
        "# bash completion for rejviz-builder, rejviz-customize, rejviz-install and rejviz-peek\n\
         # -*- shell-script -*-\n\
         #\n\
         # Generated by rejviz::cmd::completion::render() (src/cmd/completion.rs) from the option\n\
         # tables the commands parse with; do not edit. Regenerate:\n\
         #     REJVIZ_UPDATE_GOLDEN=1 cargo test --test completion\n\
         # Needs bash-completion. Installed as /usr/share/bash-completion/completions/rejviz-* (one\n\
         # file, four names); from a checkout: source completions/rejviz.bash\n\n\
         # The command line of command $1: the proxied tool, its parser's syntax, our options\n\
         # (NAME= when it takes a value), the parser's long and short options (NAME:ARITY[:FIRST],\n\
         # ARITY f: a flag, v: a value, o: an optional value).\n\
         _rejviz_spec()\n{\n    case $1 in\n",
    );
    for c in &cmds {
        let _ = writeln!(
            out,
            "        {})\n            tool={} syntax={}\n            ours={}\n            longs={}\n            shorts={}\n            ;;",
            c.name,
            c.tool.unwrap_or(""),
            c.syntax,
            list(&c.ours, "                  "),
            list(&c.longs, "                   "),
            list(&c.shorts, "                    "),
        );
    }
    out.push_str("        *) return 1 ;;\n    esac\n}\n\n");

    out.push_str(
        "# Completes the value of option $1 (COMMAND:OPTION), $2 so far, after $3 in the word;\n\
         # 1 when the value is not ours to complete.\n_rejviz_value()\n{\n    case $1 in\n",
    );
    let mut arms = Vec::new();
    let mut keyed: Vec<(&str, &'static [Key])> = Vec::new();
    for c in &cmds {
        for (opt, v) in &c.values {
            arms.push((format!("{}:{opt}", c.name), call(opt, v)));
            if let Values::Keys { keys, .. } = v
                && !keyed.iter().any(|(o, _)| o == opt)
            {
                keyed.push((opt, keys));
            }
        }
    }
    cases(&mut out, arms);
    out.push_str("        *) return 1 ;;\n    esac\n}\n\n");

    out.push_str(
        "# Completes the value of key $1 (OPTION:KEY), $2 so far, after $3 in the word.\n\
         _rejviz_keyvalue()\n{\n    case $1 in\n",
    );
    let mut arms = Vec::new();
    for (opt, keys) in keyed {
        for k in keys {
            let v = by_metavar(k.value);
            if v != Values::Free {
                arms.push((format!("{opt}:{}", k.name), call(opt, &v)));
            }
        }
    }
    cases(&mut out, arms);
    out.push_str("    esac\n    return 0\n}\n");

    out.push_str(ENGINE);
    let names: Vec<&str> = cmds.iter().map(|c| c.name.as_str()).collect();
    let _ = writeln!(out, "\ncomplete -F _rejviz {}", names.join(" "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::nic::{BondMode, LacpRate, NIC_KEYS, NicProblem, XmitHashPolicy, parse_nics};

    /// The words offered for `--nic`'s key `name`, sorted.
    fn key_words(name: &str) -> Vec<String> {
        let k = NIC_KEYS.iter().find(|k| k.name == name).unwrap();
        let mut w: Vec<String> = choices(k.value).into_iter().map(String::from).collect();
        w.sort();
        w
    }

    /// The names of an enum's values, sorted.
    fn names<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
        let mut n: Vec<String> = all.iter().map(|x| x.to_string()).collect();
        n.sort();
        n
    }

    /// Where the code has an enum, the words offered are exactly its names (in any order:
    /// bash sorts them).
    #[test]
    fn words_are_the_enums_names() {
        assert_eq!(key_words("mode"), names(BondMode::ALL));
        assert_eq!(key_words("lacp-rate"), names(LacpRate::ALL));
        assert_eq!(key_words("xmit-hash-policy"), names(XmitHashPolicy::ALL));
        assert_eq!(key_words("format"), names(&Format::ALL));
        let mut nic_format = choices(super::super::guestops::NIC_FORMAT.value.unwrap());
        assert_eq!(nic_format.remove(0), "auto");
        nic_format.sort();
        assert_eq!(nic_format, names(&Format::ALL));
        for w in choices(super::super::READER.value.unwrap()) {
            assert!(w.parse::<crate::inspect::Reader>().is_ok(), "{w}");
        }
        assert_eq!(choices(super::super::READER.value.unwrap()).len(), 3);
    }

    /// Every word offered for a `--nic` key is a value the parser takes for it: whatever
    /// else it may say about the NIC, it does not refuse the value.
    #[test]
    fn every_nic_word_is_accepted() {
        let refuses_value = |p: &NicProblem| {
            matches!(
                p,
                NicProblem::Bootproto(_)
                    | NicProblem::YesNo(_)
                    | NicProblem::Ipv6(_)
                    | NicProblem::Kind(_)
                    | NicProblem::BondMode(_)
                    | NicProblem::LacpRate(_)
                    | NicProblem::XmitHashPolicy(_)
                    | NicProblem::Format(_)
                    | NicProblem::Syntax(_)
            )
        };
        let mut checked = 0;
        for k in NIC_KEYS {
            for w in choices(k.value) {
                let context = match k.name {
                    "mode" | "lacp-rate" | "xmit-hash-policy" => "name=b0,type=bond,members=eth1",
                    "stp" => "name=br0,type=bridge",
                    _ => "name=eth0",
                };
                let spec = format!("{context},{}={w}", k.name);
                if let Err(e) = parse_nics(&[spec.as_str(), "name=eth1"]) {
                    assert!(!(e.key.as_deref() == Some(k.name) && refuses_value(&e.problem)), "{spec}: {e}");
                }
                // A value the parser refuses does fail this check.
                let bad = format!("{context},{}=x{w}", k.name);
                let e = parse_nics(&[bad.as_str(), "name=eth1"]).unwrap_err();
                assert!(e.key.as_deref() == Some(k.name) && refuses_value(&e.problem), "{bad}: {e}");
                checked += 1;
            }
        }
        assert!(checked > 25, "{checked}");
        // The key offered first is the one every --nic needs.
        assert!(NIC_KEYS.iter().any(|k| k.name == NIC_FIRST_KEY));
        assert_eq!(parse_nics(&["ipaddr=10.0.0.5"]).unwrap_err().problem, NicProblem::MissingName);
    }

    #[test]
    fn placeholders_and_ranges_are_not_words() {
        assert_eq!(choices("auto|dhcp|ADDR/PREFIX"), ["auto", "dhcp"]);
        assert_eq!(choices("auto|pool:ID"), ["auto"]);
        assert!(choices("68..65535").is_empty());
        assert!(choices("NAME[+NAME]...").is_empty());
        assert_eq!(by_metavar("FILE"), Values::Files);
    }

    /// The tables are rendered bare inside single quotes: no word may hold a blank, a quote
    /// or anything else the shell or the engine's `:` and `=` separators would read.
    #[test]
    fn every_rendered_word_is_plain() {
        let plain = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.+_".contains(&b));
        for c in commands() {
            for w in c.ours.iter().chain(&c.longs).chain(&c.shorts) {
                assert!(w.split([':', '=']).all(|p| p.is_empty() || plain(p)), "{}: {w}", c.name);
            }
            for (opt, v) in &c.values {
                assert!(plain(opt));
                if let Values::Words(words) = v {
                    assert!(words.iter().all(|w| plain(w)), "{opt}: {words:?}");
                }
                if let Values::Keys { keys, .. } = v {
                    assert!(keys.iter().all(|k| plain(k.name)));
                    for k in *keys {
                        assert!(choices(k.value).iter().all(|w| plain(w)));
                    }
                }
            }
        }
    }
}
