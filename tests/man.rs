//! The man pages in `man/` and README's generated blocks are what the library generates
//! from the data `--help` shows (`REJVIZ_UPDATE_GOLDEN=1 cargo test --test man` rewrites
//! them), the pages render without a warning from man-db and groff, and the rendered text
//! holds every option and key (a dropped row fails).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{golden_at, root};
use rejviz::cmd::man::{Page, pages, readme_blocks};
use rejviz::cmd::{builder, customize, install, peek};
use rejviz::guestconf::Format;
use rejviz::nic::NIC_KEYS;

fn page(file: &str) -> Page {
    pages().into_iter().find(|p| p.file == file).unwrap_or_else(|| panic!("no page {file}"))
}

/// `text` in a file of its own, for the tools that read pages from files.
fn on_disk(dir: &tempfile::TempDir, p: &Page) -> PathBuf {
    let path = dir.path().join(&p.file);
    std::fs::write(&path, &p.text).expect("write page");
    path
}

#[test]
fn committed_pages_are_generated() {
    let dir = root().join("man");
    if std::env::var_os("REJVIZ_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(&dir).expect("mkdir man");
    }
    let pages = pages();
    for p in &pages {
        golden_at(&dir.join(&p.file), &p.text);
    }
    // No page that is no longer generated stays behind.
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("man/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = pages.iter().map(|p| p.file.clone()).collect();
    want.sort();
    assert_eq!(files, want, "man/ holds other files than the generated pages");
}

const BEGIN: &str = "<!-- generated: ";
const END: &str = "<!-- end of generated: ";

/// `readme` with each generated block replaced by what the library generates now.
fn regenerated(readme: &str) -> String {
    let mut out = readme.to_string();
    for (name, text) in readme_blocks() {
        let begin = format!("{BEGIN}{name} (REJVIZ_UPDATE_GOLDEN=1 cargo test --test man) -->\n");
        let end = format!("{END}{name} -->\n");
        let a = out.find(&begin).unwrap_or_else(|| panic!("README lacks the line {begin}")) + begin.len();
        let b = a + out[a..].find(&end).unwrap_or_else(|| panic!("README lacks the line {end}"));
        out.replace_range(a..b, &text);
    }
    out
}

#[test]
fn readme_blocks_are_generated() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    golden_at(&path, &regenerated(&readme));
    assert_eq!(
        readme_blocks().len(),
        readme.lines().filter(|l| l.starts_with(BEGIN)).count(),
        "a block README marks is not generated"
    );
}

/// What `cmd` writes on stderr (it must succeed), and its stdout.
fn run(cmd: &mut Command) -> (String, String) {
    let o = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(o.status.success(), "{cmd:?}: {:?} {}", o.status, String::from_utf8_lossy(&o.stderr));
    (String::from_utf8_lossy(&o.stderr).into_owned(), String::from_utf8_lossy(&o.stdout).into_owned())
}

/// man-db's and groff's warnings about `path` (all of them: `-ww`).
fn warnings(path: &Path) -> String {
    let man = run(Command::new("man").args(["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z"]).arg(path)).0;
    let groff = run(Command::new("groff").args(["-ww", "-man", "-z"]).arg(path)).0;
    man + &groff
}

#[test]
fn pages_render_without_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    for p in pages() {
        let w = warnings(&on_disk(&dir, &p));
        assert!(w.is_empty(), "{}:\n{w}", p.file);
    }
}

#[test]
fn warnings_are_seen() {
    // The check above can fail: a page with an unknown macro and character is warned about.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad = page("rejviz-nic.5");
    bad.text.push_str(".XY unknown\n\\(xx\n");
    let w = warnings(&on_disk(&dir, &bad));
    assert!(w.contains("macro 'XY' not defined") && w.contains("special character 'xx'"), "{w}");
}

/// The page as man shows it, as plain text.
fn rendered(p: &Page) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = on_disk(&dir, p);
    run(Command::new("man").args(["-E", "UTF-8", "-l"]).arg(&path).env("MANWIDTH", "100").env_remove("MANPAGER")).1
}

/// Asserts that `text` holds every one of `needles`, wherever a line breaks them.
fn holds(file: &str, text: &str, needles: impl IntoIterator<Item = String>) {
    let flat = |s: &str| s.replace(" \\\n", " ").split_whitespace().collect::<Vec<_>>().join(" ");
    let text = flat(text);
    for n in needles {
        assert!(text.contains(&flat(&n)), "{file} lacks {n}:\n{text}");
    }
}

/// Asserts that `text` has a row (a tagged paragraph: its tag at the left margin, its body
/// indented further, on the tag's line or after it) for every one of `tags`. A long tag may
/// run on over a few lines.
fn rows(file: &str, text: &str, tags: impl IntoIterator<Item = String>) {
    const MARGIN: usize = 7;
    const BODY: usize = 14;
    let lines: Vec<&str> = text.lines().collect();
    let at = |l: &str, col: usize| l.len() > col && l[..col].bytes().all(|b| b == b' ') && !l[col..].starts_with(' ');
    let tags: Vec<String> = tags.into_iter().collect();
    for tag in &tags {
        let row = (0..lines.len()).any(|i| {
            let l = lines[i];
            if !at(l, MARGIN) {
                return false;
            }
            let x = &l[MARGIN..];
            let next = |k: usize| lines.get(i + k).copied().unwrap_or("");
            // The body on the tag's line, at its column.
            let same_line = (BODY - MARGIN)
                .checked_sub(tag.len())
                .is_some_and(|gap| x.strip_prefix(tag.as_str()).is_some_and(|rest| at(rest, gap)));
            // The tag on this line and maybe the next ones, the body after them.
            let squeezed = |s: &str| s.split_whitespace().collect::<String>();
            let mut tag_lines = String::new();
            let next_line = (0..3).any(|k| {
                let l = next(k);
                if k > 0 && !at(l, MARGIN) {
                    return false;
                }
                tag_lines.push_str(&squeezed(l));
                tag_lines == squeezed(tag) && at(next(k + 1), BODY)
            });
            same_line || next_line
        });
        assert!(row, "{file} has no row for {tag}:\n{text}");
    }
}

#[test]
fn proxy_pages_show_every_option_key_and_example() {
    for doc in [&builder::DOC, &customize::DOC, &install::DOC] {
        let file = format!("{}.1", doc.me);
        let text = rendered(&page(&file));
        let options = doc.options.iter().map(|o| match o.value {
            Some(v) => format!("--{} {v}", o.name),
            None => format!("--{}", o.name),
        });
        let keys = doc.options.iter().flat_map(|o| o.keys.iter().map(|k| format!("{}={}", k.name, k.value)));
        rows(&file, &text, options.chain(keys));
        let rest = [
            format!("{}'s and is passed to it unchanged, in order: see {}(1).", doc.tool.program, doc.tool.program),
            "rejviz-nic(5)".into(),
            "EXIT STATUS".into(),
            "ENVIRONMENT".into(),
        ];
        holds(&file, &text, rest);
        holds(&file, &text, doc.examples.iter().map(|e| e.command.to_string()));
    }
}

#[test]
fn peek_page_shows_every_argument() {
    let text = rendered(&page("rejviz-peek.1"));
    let mut cmd = peek::cli();
    cmd.build();
    let args = cmd.get_arguments().map(|a| {
        let mut names: Vec<String> = a.get_short().map(|c| format!("-{c}")).into_iter().collect();
        names.extend(a.get_long().map(|l| format!("--{l}")));
        let value =
            a.get_value_names().and_then(|v| v.first()).filter(|_| a.get_num_args().is_some_and(|n| n.takes_values()));
        names.join(", ") + &value.map(|v| format!(" {v}")).unwrap_or_default()
    });
    let args: Vec<String> = args.collect();
    assert!(args.contains(&"-a, --add IMAGE".to_string()) && args.contains(&"--all".to_string()), "{args:?}");
    rows("rejviz-peek.1", &text, args);
    holds("rejviz-peek.1", &text, ["EXIT STATUS".into(), "ENVIRONMENT".into()]);
}

#[test]
fn nic_page_shows_every_key_and_format() {
    let text = rendered(&page("rejviz-nic.5"));
    rows("rejviz-nic.5", &text, NIC_KEYS.iter().map(|k| format!("{}={}", k.name, k.value)));
    holds(
        "rejviz-nic.5",
        &text,
        Format::ALL.iter().map(|f| format!("with format={f}, the NICs of EXAMPLE NICS write:")),
    );
    // What the writers write, e.g. the static NIC's ifcfg file.
    let files = [
        "/etc/sysconfig/network-scripts/ifcfg-eth1 (mode 0644):",
        "IPADDR=192.168.122.15",
        "/etc/NetworkManager/system-connections/eth1.nmconnection (mode 0600):",
        "/etc/netplan/50-rejviz-eth0.yaml (mode 0600):",
        "/etc/network/interfaces.d/eth1 (mode 0644):",
        "/etc/systemd/network/50-rejviz-eth1.network (mode 0644):",
        "/usr/local/lib/systemd/network/10-rejviz-eth0.link (mode 0644):",
    ];
    holds("rejviz-nic.5", &text, files.map(String::from));
}

/// Every environment variable the code reads is in the ENVIRONMENT section of a page.
#[test]
fn environment_lists_what_the_code_reads() {
    let read = regex::Regex::new(r#"env::var(?:_os)?\("([A-Za-z0-9_]+)"\)"#).expect("regex");
    let mut names: Vec<String> = Vec::new();
    let mut dirs = vec![root().join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("src") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let code = std::fs::read_to_string(&path).expect("read");
                names.extend(read.captures_iter(&code).map(|c| c[1].to_string()));
                if code.contains("env::temp_dir()") {
                    names.push("TMPDIR".into());
                }
            }
        }
    }
    names.sort();
    names.dedup();
    assert!(names.contains(&"LIBVIRT_DEFAULT_URI".to_string()), "the search finds nothing: {names:?}");
    let sections: Vec<String> = pages()
        .iter()
        .filter_map(|p| {
            let at = p.text.find(".SH \"ENVIRONMENT\"")?;
            let rest = &p.text[at + 1..];
            Some(rest[..rest.find("\n.SH ").unwrap_or(rest.len())].to_string())
        })
        .collect();
    for n in names {
        let tag = format!(".TP\n\\fB{n}\\fR\n");
        assert!(sections.iter().any(|s| s.contains(&tag)), "no page's ENVIRONMENT says what {n} does");
    }
}
