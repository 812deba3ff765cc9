//! Bash completion (`completions/rejviz.bash`): the committed script is what the library
//! renders from the option tables, and its completion function, driven in a real bash with
//! bash-completion and the proxied tools' own completions loaded, gives the exact
//! candidates, as bash inserts them.
mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{Sandbox, golden_at, root, test_driver};

const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

fn committed_script() -> PathBuf {
    root().join("completions/rejviz.bash")
}

#[test]
fn committed_script_is_the_rendered_one() {
    golden_at(&committed_script(), &rejviz::cmd::completion::render());
}

/// Characters of bash's default COMP_WORDBREAKS that the test lines hold.
const BREAKS: &[char] = &['=', ':', '@'];

/// `line` split into COMP_WORDS as bash splits it for completion (the cursor at the end, no
/// quotes in the line): at blanks, and a run of COMP_WORDBREAKS characters is a word of its
/// own (`name=eth0,ip` is `name`, `=`, `eth0,ip`). Also the text bash hands the function as
/// the word to complete: what follows the last break.
fn comp_words(line: &str) -> (Vec<String>, String) {
    let mut words = Vec::new();
    for shell_word in line.split(' ').filter(|w| !w.is_empty()) {
        let mut rest = shell_word;
        while !rest.is_empty() {
            let is_break = rest.starts_with(BREAKS);
            let end = rest.find(|c: char| BREAKS.contains(&c) != is_break).unwrap_or(rest.len());
            words.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    if line.ends_with(' ') {
        words.push(String::new());
    }
    let last = words.last().cloned().unwrap_or_default();
    let text = if last.starts_with(BREAKS) { String::new() } else { last };
    (words, text)
}

/// The text of `line` that bash keeps when it inserts a candidate: up to the last blank or
/// break character.
fn kept(line: &str) -> &str {
    let start = line.rfind(|c: char| c == ' ' || BREAKS.contains(&c)).map_or(0, |i| i + 1);
    &line[..start]
}

/// Runs bash with bash-completion and our script loaded, `setup` run first, and `body` with
/// COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set for `line` and `$cur`/`$prev` the
/// word to complete and the one before; returns stdout (stderr must be empty).
fn in_bash(line: &str, setup: &str, body: &str) -> String {
    let (words, text) = comp_words(line);
    let script = format!(
        "source {BASH_COMPLETION} || exit 90\n\
         source \"$REJVIZ_SCRIPT\" || exit 91\n\
         {setup}\n\
         line=$1 cur=$2; shift 2\n\
         COMP_WORDS=(\"$@\") COMP_CWORD=$(($# - 1)) COMP_LINE=$line COMP_POINT=${{#line}}\n\
         prev=${{COMP_WORDS[COMP_CWORD - 1]}}\n\
         {body}\n"
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script, "bash", line, &text])
        .args(&words)
        .env("REJVIZ_SCRIPT", script_path_for_tests())
        .env("LIBVIRT_DEFAULT_URI", "test:///default")
        // The system's completions, not the user's own.
        .env("BASH_COMPLETION_USER_DIR", "/nonexistent")
        .output()
        .expect("run bash");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "{line:?}: {:?}\n{stderr}", out.status);
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The script the tests drive: the rendered one, so that a failure names the behaviour
/// rather than a stale file (which `committed_script_is_the_rendered_one` catches).
fn script_path_for_tests() -> PathBuf {
    static PATH: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, p) = PATH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("rejviz.bash");
        std::fs::write(&p, rejviz::cmd::completion::render()).expect("write script");
        (dir, p)
    });
    p.clone()
}

/// COMPREPLY, sorted, after the function `complete -p` names for the command is called for
/// `line` (the cursor at its end), as bash calls it; and the completion options set while
/// it ran (`nospace`, `filenames`, ...), sorted. (`compopt` works only while bash itself
/// runs a completion, so a function stands in for it, keeping the options it is given.)
fn complete_opts(line: &str, setup: &str) -> (Vec<String>, Vec<String>) {
    let out = in_bash(
        line,
        &format!(
            "declare -A test_compopts=()\n\
             compopt() {{ while (($#)); do case $1 in -o) test_compopts[$2]=1; shift ;; +o) unset \"test_compopts[$2]\"; shift ;; esac; shift; done; }}\n\
             {setup}"
        ),
        "spec=$(complete -p \"${COMP_WORDS[0]}\") || exit 92\n\
         set -f; parts=($spec); set +f\n\
         for ((i = 0; i < ${#parts[@]}; i++)); do [[ ${parts[i]} == -F ]] && func=${parts[i + 1]}; done\n\
         \"$func\" \"${COMP_WORDS[0]}\" \"$cur\" \"$prev\" || exit 93\n\
         printf '%s\\n' \"${COMPREPLY[@]}\"\n\
         printf 'opts:%s\\n' \"${!test_compopts[@]}\"",
    );
    let mut got = Vec::new();
    let mut opts = Vec::new();
    for l in out.lines().filter(|l| !l.is_empty()) {
        match l.strip_prefix("opts:") {
            Some(o) => opts.push(o.to_string()),
            None => got.push(l.to_string()),
        }
    }
    got.sort();
    opts.sort();
    opts.retain(|o| !o.is_empty());
    (got, opts)
}

fn complete_with(line: &str, setup: &str) -> Vec<String> {
    complete_opts(line, setup).0
}

fn complete(line: &str) -> Vec<String> {
    complete_with(line, "")
}

/// The completion options set for `line`.
fn options(line: &str) -> Vec<String> {
    complete_opts(line, "").1
}

/// Asserts the exact candidates for `line`, given as the whole words bash makes of them.
#[track_caller]
fn assert_words(line: &str, want: &[&str]) {
    let got: Vec<String> = complete(line).iter().map(|c| format!("{}{c}", kept(line))).collect();
    let start = line.rfind(' ').map_or(0, |i| i + 1);
    let got: Vec<&str> = got.iter().map(|l| &l[start..]).collect();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want, "{line:?}");
}

#[test]
fn line_splitting_is_bash_s() {
    let (w, t) = comp_words("rejviz-builder --nic name=eth0,ip");
    assert_eq!(w, ["rejviz-builder", "--nic", "name", "=", "eth0,ip"]);
    assert_eq!(t, "eth0,ip");
    let (w, t) = comp_words("a --x= ");
    assert_eq!((w, t), (vec!["a".to_string(), "--x".into(), "=".into(), "".into()], String::new()));
    let (w, t) = comp_words("a b:=c=");
    assert_eq!((w, t), (vec!["a".to_string(), "b".into(), ":=".into(), "c".into(), "=".into()], String::new()));
    assert_eq!(kept("a --nic name=eth0,ipa"), "a --nic name=");
}

#[test]
fn nic_keys_after_name() {
    // The first key is name=, the one every --nic needs.
    assert_words("rejviz-builder --nic ", &["name="]);
    assert_words("rejviz-builder --nic na", &["name="]);
    assert_eq!(complete("rejviz-builder --nic ip"), Vec::<String>::new());
    // Then the others, as bash inserts them: after the last '=' of the word.
    assert_eq!(complete("rejviz-builder --nic name=eth0,ip"), ["eth0,ipaddr=", "eth0,ipv6=", "eth0,ipv6gw="]);
    assert_words("rejviz-builder --nic name=eth0,ip", &["name=eth0,ipaddr=", "name=eth0,ipv6=", "name=eth0,ipv6gw="]);
    // One Tab: the only candidate.
    assert_eq!(complete("rejviz-builder --nic name=eth0,ipa"), ["eth0,ipaddr="]);
    assert_words("rejviz-builder --nic name=eth0,ipa", &["name=eth0,ipaddr="]);
    // Keys given are not offered again; every other one is.
    let all = complete("rejviz-customize --nic name=eth0,");
    let keys: Vec<&str> = rejviz::nic::NIC_KEYS.iter().map(|k| k.name).filter(|k| *k != "name").collect();
    let mut want: Vec<String> = keys.iter().map(|k| format!("eth0,{k}=")).collect();
    want.sort();
    assert_eq!(all, want);
    assert_words(
        "rejviz-customize --nic name=eth0,ipaddr=10.0.0.5/24,gateway=10.0.0.1,m",
        &[
            "name=eth0,ipaddr=10.0.0.5/24,gateway=10.0.0.1,members=",
            "name=eth0,ipaddr=10.0.0.5/24,gateway=10.0.0.1,miimon=",
            "name=eth0,ipaddr=10.0.0.5/24,gateway=10.0.0.1,mode=",
            "name=eth0,ipaddr=10.0.0.5/24,gateway=10.0.0.1,mtu=",
        ],
    );
    assert_words("rejviz-builder --nic=name=eth0,ipv6g", &["--nic=name=eth0,ipv6gw="]);
    assert_words("rejviz-builder -nic name=eth0,dn", &["name=eth0,dns1=", "name=eth0,dns2="]);
}

#[test]
fn nic_key_values() {
    assert_eq!(complete("rejviz-builder --nic name=eth0,bootproto="), ["dhcp", "none", "static"]);
    assert_words("rejviz-builder --nic name=eth0,bootproto=s", &["name=eth0,bootproto=static"]);
    assert_words("rejviz-customize --nic name=eth0,onboot=", &["name=eth0,onboot=no", "name=eth0,onboot=yes"]);
    assert_words("rejviz-customize --nic name=eth0,ipv6=", &["name=eth0,ipv6=auto", "name=eth0,ipv6=dhcp"]);
    assert_words(
        "rejviz-builder --nic name=b0,type=",
        &["name=b0,type=bond", "name=b0,type=bridge", "name=b0,type=ethernet", "name=b0,type=vlan"],
    );
    assert_words(
        "rejviz-builder --nic name=b0,type=bond,mode=balance-",
        &[
            "name=b0,type=bond,mode=balance-alb",
            "name=b0,type=bond,mode=balance-rr",
            "name=b0,type=bond,mode=balance-tlb",
            "name=b0,type=bond,mode=balance-xor",
        ],
    );
    assert_words("rejviz-builder --nic name=eth0,format=n", &["name=eth0,format=netplan", "name=eth0,format=networkd"]);
    // A value nothing lists: no candidate (and no file names).
    assert_eq!(complete("rejviz-builder --nic name=eth0,ipaddr="), Vec::<String>::new());
}

#[test]
fn option_values() {
    assert_eq!(complete("rejviz-builder --nic-format "), ["auto", "eni", "ifcfg", "keyfile", "netplan", "networkd"]);
    assert_words("rejviz-customize --nic-format=k", &["--nic-format=keyfile"]);
    assert_eq!(complete("rejviz-install --reader "), ["appliance", "auto", "direct"]);
    assert_eq!(complete("rejviz-customize --nic-remove "), Vec::<String>::new());
    assert_eq!(complete("rejviz-peek --format "), ["auto", "qcow2", "raw"]);
    assert_eq!(complete("rejviz-peek --reader d"), ["direct"]);
}

#[test]
fn rhsm_keys_and_files() {
    assert_eq!(
        complete("rejviz-builder --rhsm-register "),
        ["activation-key-file=", "attach=", "org=", "password-file=", "user="]
    );
    assert_words("rejviz-customize --rhsm-register user=joe,attach=", &["user=joe,attach=auto"]);
    let sb = Sandbox::new();
    for f in ["rhsm-pw", "rhsm-ak", "other"] {
        std::fs::write(sb.path(f), "x\n").unwrap();
    }
    let dir = sb.dir.path().display().to_string();
    assert_words(
        &format!("rejviz-builder --rhsm-register user=joe,password-file={dir}/rh"),
        &[&format!("user=joe,password-file={dir}/rhsm-ak"), &format!("user=joe,password-file={dir}/rhsm-pw")],
    );
    assert_words(
        &format!("rejviz-customize --rhsm-register org=1,activation-key-file={dir}/ot"),
        &[&format!("org=1,activation-key-file={dir}/other")],
    );
    assert_words(&format!("rejviz-peek -a {dir}/oth"), &[&format!("{dir}/other")]);
    assert_words(&format!("rejviz-peek --add={dir}/oth"), &[&format!("--add={dir}/other")]);
}

/// A libvirt test driver connection with two domains and three networks.
fn libvirt(sb: &Sandbox) -> String {
    let disk = sb.path("vm.img");
    test_driver(
        sb,
        &[("rjz-web", &disk, "raw", &[]), ("rjz-db", &disk, "raw", &[])],
        &[("labnet", "10.0.0.1", 24), ("lan2", "10.0.1.1", 24), ("storage", "10.0.2.1", 24)],
    )
}

#[test]
fn networks_of_the_command_line_s_connection() {
    let sb = Sandbox::new();
    let uri = libvirt(&sb);
    let nets = ["eth0=bridge:", "eth0=labnet", "eth0=lan2", "eth0=storage"];
    assert_words(&format!("rejviz-install --connect {uri} --nic-mappings eth0="), &nets);
    assert_words(
        &format!("rejviz-install --connect={uri} --import --nic-mappings=eth0=la"),
        &["--nic-mappings=eth0=labnet", "--nic-mappings=eth0=lan2"],
    );
    // A unique prefix of --connect, as virt-install reads it.
    assert_words(
        &format!("rejviz-install --conn {uri} --nic-mappings eth0=storage,eth1="),
        &[
            "eth0=storage,eth1=bridge:",
            "eth0=storage,eth1=labnet",
            "eth0=storage,eth1=lan2",
            "eth0=storage,eth1=storage",
        ],
    );
    // The NIC names are the image's: nothing to offer.
    assert_eq!(complete(&format!("rejviz-install --connect {uri} --nic-mappings e")), Vec::<String>::new());
    // Without --connect: libvirt's default (LIBVIRT_DEFAULT_URI, test:///default here).
    assert_words("rejviz-install --nic-mappings eth0=", &["eth0=bridge:", "eth0=default"]);
}

#[test]
fn domains_of_the_command_line_s_connection() {
    let sb = Sandbox::new();
    let uri = libvirt(&sb);
    assert_eq!(complete(&format!("rejviz-customize -c {uri} -d ")), ["rjz-db", "rjz-web"]);
    assert_eq!(complete(&format!("rejviz-customize --connect={uri} --domain rjz-w")), ["rjz-web"]);
    assert_words(&format!("rejviz-customize -connect {uri} --nic name=eth1 -drjz-d"), &["-drjz-db"]);
    assert_eq!(complete(&format!("rejviz-peek -c {uri} -d ")), ["rjz-db", "rjz-web"]);
    assert_words(&format!("rejviz-peek --connect {uri} --domain=rjz-"), &["--domain=rjz-db", "--domain=rjz-web"]);
    assert_eq!(complete("rejviz-peek -d "), ["test"]);
}

#[test]
fn our_options_and_the_tool_s() {
    assert_eq!(complete("rejviz-builder --nic-f"), ["--nic-format"]);
    assert_eq!(complete("rejviz-builder --nic"), ["--nic", "--nic-format"]);
    // virt-builder's own completion: its options come from virt-builder --long-options.
    assert_eq!(complete("rejviz-builder --no-net"), ["--no-network"]);
    assert_eq!(complete("rejviz-customize --sync"), ["--sync-macs"]);
    assert_eq!(complete("rejviz-customize --sm-r"), ["--sm-register", "--sm-remove"]);
    let all = complete("rejviz-customize --");
    for o in ["--nic", "--nic-remove", "--print-command", "--dry-run", "--hostname", "--help"] {
        assert!(all.iter().any(|a| a == o), "{o} in {all:?}");
    }
    assert_eq!(all.iter().filter(|a| *a == "--help").count(), 1);
    assert_eq!(complete("rejviz-install --auto"), ["--auto-nic-mappings", "--autoconsole", "--autostart"]);
    assert_eq!(complete("rejviz-install --os-v"), ["--os-variant"]);
    assert_eq!(complete("rejviz-peek --a"), ["--add", "--all", "--all-domains"]);
    assert_eq!(
        complete("rejviz-peek -"),
        [
            "--add",
            "--all",
            "--all-domains",
            "--check",
            "--connect",
            "--domain",
            "--format",
            "--help",
            "--json",
            "--machine-readable",
            "--reader",
            "--verbose",
            "--version",
            "-V",
            "-a",
            "-c",
            "-d",
            "-h",
            "-v"
        ]
    );
}

#[test]
fn the_tool_s_values() {
    assert_eq!(complete("rejviz-builder --list-format "), ["json", "long", "short"]);
    assert_eq!(complete("rejviz-builder --list-format=j"), ["json"]);
    assert_eq!(complete("rejviz-customize --password-crypto sha"), ["sha256", "sha512"]);
    // After our options, with their values, the tool's completion works as before.
    assert_eq!(
        complete("rejviz-builder --nic name=eth0,ipaddr=10.0.0.5 --nic-format ifcfg --list-format "),
        ["json", "long", "short"]
    );
    assert_eq!(complete("rejviz-builder --rhsm-unregister --dry-run --list-format=s"), ["short"]);
    assert_eq!(complete("rejviz-install --nic-mappings eth0=default --print-command --os-v"), ["--os-variant"]);
}

/// The completion options bash gets: no space after a key's `=` or a value in a list (a `,`
/// may follow), file names marked as such, and the proxied tool's own options for its part.
#[test]
fn completion_options() {
    let none = Vec::<String>::new();
    assert_eq!(options("rejviz-builder --nic name=eth0,ipa"), ["nospace"]);
    assert_eq!(options("rejviz-customize --nic name=eth0,bootproto=d"), ["nospace"]);
    assert_eq!(options("rejviz-install --nic-mappings eth0="), ["nospace"]);
    assert_eq!(options("rejviz-builder --rhsm-register user=u,password-file=/"), ["filenames", "nospace"]);
    assert_eq!(options("rejviz-peek -a /"), ["filenames"]);
    assert_eq!(options("rejviz-builder --nic-format "), none);
    assert_eq!(options("rejviz-peek --"), none);
    // virt-builder's: complete -o default; virt-install's: -o nospace -o default, and
    // argcomplete takes nospace back for an option name.
    assert_eq!(options("rejviz-builder --no-net"), ["default"]);
    assert_eq!(options("rejviz-install --os-v"), ["default"]);
}

/// What the tool's completion function receives: word 0 the tool, none of our options nor
/// their values, the tool's own values kept (`--run-command --nic` is the tool's), the
/// words split at COMP_WORDBREAKS as bash splits them.
#[test]
fn the_tool_s_completion_sees_no_option_of_ours() {
    let stub = "_stub() { COMPREPLY=(\"W=$(printf '<%s>' \"${COMP_WORDS[@]}\")\" \"C=$COMP_CWORD\" \"L=$COMP_LINE\" \
                \"P=$COMP_POINT\" \"A=$1|$2|$3\"); }\ncomplete -o default -F _stub virt-builder virt-install";
    let got = complete_with(
        "rejviz-builder --nic name=eth0,ipaddr=10.0.0.5 --hostname h --nic-format=ifcfg --dry-run \
         --run-command --nic -nic-format eni --ssh-inject root:file:/x --rhsm-unregister --ro",
        stub,
    );
    let line = "virt-builder --hostname h --run-command --nic --ssh-inject root:file:/x --ro";
    assert_eq!(
        got,
        [
            "A=virt-builder|--ro|/x".to_string(),
            "C=11".into(),
            format!("L={line}"),
            format!("P={}", line.len()),
            "W=<virt-builder><--hostname><h><--run-command><--nic><--ssh-inject><root><:><file><:></x><--ro>".into(),
        ]
    );
    // After a lone --, nothing is ours; the word to complete ends in a break.
    let got = complete_with("rejviz-install --nic-mappings eth0=default --metadata name= -- --nic-mappings x=", stub);
    let line = "virt-install --metadata name= -- --nic-mappings x=";
    assert_eq!(
        got,
        [
            "A=virt-install||x".to_string(),
            "C=7".into(),
            format!("L={line}"),
            format!("P={}", line.len()),
            "W=<virt-install><--metadata><name><=><--><--nic-mappings><x><=>".into(),
        ]
    );
}

/// In an interactive bash on a terminal, Tab inserts what the tests above expect: the
/// keys typed are queued, so readline runs the completion before it reads the next ones.
#[test]
fn tab_in_an_interactive_bash() {
    let sb = Sandbox::new();
    let uri = libvirt(&sb);
    let rc = sb.path("bashrc");
    std::fs::write(
        &rc,
        format!(
            "PS1='$ '\nsource {BASH_COMPLETION}\nsource {}\nbind 'set bell-style none'\n",
            script_path_for_tests().display()
        ),
    )
    .unwrap();
    // Tab, then Ctrl-A and "echo " to print the line that was completed.
    let keys = format!(
        "rejviz-builder --nic name=eth0,ipa\t\x01echo : \n\
         rejviz-customize -c {uri} -d rjz-w\t\x01echo : \n\
         rejviz-builder --nic-f\t\x01echo : \n\
         exit\n"
    );
    let out = Command::new("script")
        .args(["-qec", &format!("bash --rcfile {} --noprofile -i", rc.display()), "/dev/null"])
        .env("TERM", "dumb")
        .env("LIBVIRT_DEFAULT_URI", "test:///default")
        .env("BASH_COMPLETION_USER_DIR", "/nonexistent")
        // Readline's defaults, and no history written.
        .env("INPUTRC", "/dev/null")
        .env("HISTFILE", sb.path("history"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().expect("stdin").write_all(keys.as_bytes())?;
            c.wait_with_output()
        })
        .expect("run script(1)");
    let text = String::from_utf8_lossy(&out.stdout);
    let printed: Vec<&str> = text.split(['\r', '\n']).filter(|l| l.starts_with(": ")).collect();
    assert_eq!(
        printed,
        [
            ": rejviz-builder --nic name=eth0,ipaddr=".to_string(),
            format!(": rejviz-customize -c {uri} -d rjz-web"),
            ": rejviz-builder --nic-format".into(),
        ],
        "{text}"
    );
}
