//! The man pages, made from the data `--help` shows (each proxy's [`CommandDoc`], rejviz-peek's
//! clap command), the `--nic` key table, the inference rules, each format's [`FormatDoc`] and
//! what its writer writes: never a second copy by hand. Also README's generated blocks, made
//! from the same words. `tests/man.rs` compares both with the committed files, and
//! `REJVIZ_UPDATE_GOLDEN=1 cargo test --test man` rewrites them.
//!
//! Text marked up with backquotes (`` `literal` ``) is shown in bold in the pages and kept as
//! code in README.
//!
//! [`FormatDoc`]: crate::guestconf::FormatDoc

use super::{CommandDoc, Example, builder, customize, exit_statuses, guestops, install, passed_through, peek};
use crate::guestconf::{self, Format, detect, link};
use crate::nic::{inference_rules, parse_nics};
use crate::optlist::Key;
use crate::proxy::OurOption;

/// A man page: its file name (`rejviz-builder.1`) and its roff source.
pub struct Page {
    pub file: String,
    pub text: String,
}

/// Every page, in the order `man/` lists them.
pub fn pages() -> Vec<Page> {
    let mut pages: Vec<Page> = [&builder::DOC, &customize::DOC, &install::DOC].into_iter().map(proxy_page).collect();
    pages.push(peek_page());
    pages.push(nic_page());
    pages
}

/// One environment variable the commands read, and what for.
struct Env {
    name: &'static str,
    /// The commands that read it.
    commands: &'static [&'static str],
    text: &'static str,
}

const PROXIES: &[&str] = &["rejviz-builder", "rejviz-customize", "rejviz-install"];
/// The commands that read a guest themselves (directly or with the libguestfs appliance).
const READERS: &[&str] = &["rejviz-customize", "rejviz-install", "rejviz-peek"];
/// Every command.
const ALL: &[&str] = &["rejviz-builder", "rejviz-customize", "rejviz-install", "rejviz-peek"];

/// What the code reads from the environment (`tests/man.rs` checks that every variable the
/// code reads is here), in the order the pages list them.
const ENVIRONMENT: &[Env] = &[
    Env {
        name: "TMPDIR",
        commands: PROXIES,
        text: "Where the run's private 0700 directory is made (default `/tmp`); the proxied tool runs with `TMPDIR` \
               set to a directory inside it, which is removed on every exit path.",
    },
    Env {
        name: "TMPDIR",
        commands: READERS,
        text: "Where the direct reader makes the private directory of its `qemu-nbd` socket (default `/tmp`), and \
               where the overlay of a libguestfs appliance launch that a signal stopped is removed from (default \
               `/var/tmp`).",
    },
    Env {
        name: "LIBGUESTFS_CACHEDIR",
        commands: PROXIES,
        text: "libguestfs's appliance cache. When it is not set, the proxied tool gets it set to the `TMPDIR` rejviz \
               was started with (default `/var/tmp`), so that the cache outlives the private directory.",
    },
    Env {
        name: "LIBVIRT_DEFAULT_URI",
        commands: READERS,
        text: "The libvirt connection when `-c`/`--connect` gives none; without it, libvirt's default.",
    },
    Env {
        name: "NO_COLOR",
        commands: ALL,
        text: "Set and not empty: no colour (no-color.org), unless virt-builder's or virt-customize's own \
               `--colour` asks for it. Otherwise the error lines (and rejviz-peek's check verdict) are in colour \
               only on a terminal whose `TERM` is set and not `dumb`.",
    },
    Env {
        name: "CLICOLOR_FORCE",
        commands: ALL,
        text: "Set and not `0`: colour even when the stream is not a terminal (unless `NO_COLOR` is set).",
    },
    Env {
        name: "OSINFO_SYSTEM_DIR",
        commands: &["rejviz-install"],
        text: "The osinfo database the image's OS is checked against (default `/usr/share/osinfo`; `/etc/osinfo` is \
               read too).",
    },
];

/// The `--nic` values whose files each format's section of rejviz-nic(5) shows.
const NIC_EXAMPLES: &[&str] = &[
    "name=eth0,hwaddr=52:54:00:12:34:56",
    "name=eth1,hwaddr=52:54:00:12:34:57,ipaddr=192.168.122.15/24,gateway=192.168.122.1,dns1=192.168.122.1",
];

/// rejviz-nic(5)'s examples: whole `--nic` sets.
const NIC_PAGE_EXAMPLES: &[Example] = &[
    Example {
        what: "DHCP on eth0; on eth1 a static address with the default prefix, a gateway and a name server",
        command: "rejviz-builder centos-7.8 -o vm1.img --nic name=eth0 \
                  --nic name=eth1,ipaddr=192.168.122.15,gateway=192.168.122.1,dns1=192.168.122.1",
    },
    Example {
        what: "Jumbo frames and static IPv6 in keyfile format, and a NIC that is not brought up at boot in networkd format",
        command: "rejviz-customize -a f39.img --nic-format keyfile \
                  --nic name=eth1,ipaddr=10.0.0.5/24,mtu=9000,ipv6=2001:db8::5/64,ipv6gw=2001:db8::1 \
                  --nic name=eth2,onboot=no,format=networkd",
    },
    Example {
        what: "A VLAN on a NIC with no address of its own; an active-backup bond; a bridge with the default gateway",
        command: "rejviz-builder debian-12 -o lab.img --nic name=eth1,bootproto=none \
                  --nic name=eth1.100,type=vlan,link=eth1,id=100,ipaddr=172.16.100.5/24 \
                  --nic name=eth2 --nic name=eth3 \
                  --nic name=bond0,type=bond,members=eth2+eth3,mode=active-backup,miimon=100,primary=eth2,ipaddr=10.0.0.5/24 \
                  --nic name=eth4 --nic name=br0,type=bridge,members=eth4,ipaddr=192.168.50.2/24,gateway=192.168.50.1",
    },
    Example {
        what: "Static routes (one to a gateway on the link but outside the subnet) and DNS search domains",
        command: "rejviz-customize -a vm1.img \
                  --nic name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.9.0.1+10.11.0.0/16@192.0.2.1@onlink \
                  --nic name=eth6,dns1=10.0.0.2,search=lab.example.com+example.com",
    },
];

/// `s` as roff text: backslashes, dashes (which the user types: `\-` is the ASCII one) and
/// anything outside ASCII escaped. A line that starts with `.` or `'` is protected by
/// [`Roff::line`].
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("\\[u{:04X}]", u32::from(c))),
        }
    }
    out
}

/// Marked-up text (`` `literal` `` in bold) as roff.
fn inline(markup: &str) -> String {
    if !markup.matches('`').count().is_multiple_of(2) {
        return esc(markup);
    }
    markup.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { bold(part) } else { esc(part) }).collect()
}

fn bold(s: &str) -> String {
    format!("\\fB{}\\fR", esc(s))
}

fn italic(s: &str) -> String {
    format!("\\fI{}\\fR", esc(s))
}

/// `name(section)`, as a reference to another page.
fn page_ref(name: &str, section: u8) -> String {
    format!("{}({section})", bold(name))
}

/// A roff document, built line by line.
struct Roff(String);

impl Roff {
    fn new(name: &str, section: u8, about: &str) -> Roff {
        let mut r = Roff(String::new());
        r.req(&format!(
            ".TH {} {section} \"\" \"rejviz {}\" \"Rejviz Manual\"",
            esc(&name.to_ascii_uppercase()),
            env!("CARGO_PKG_VERSION")
        ));
        // Option names and literal text are not broken across lines (HY: for the macros
        // that turn hyphenation on again).
        r.req(".nh");
        r.req(".nr HY 0");
        r.req(".ad l");
        r.sh("NAME");
        // whatis(1)'s one line: lower case, no full stop.
        let about = about.trim_end_matches('.');
        let mut chars = about.chars();
        let about: String = match (chars.next(), chars.next()) {
            (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase() => {
                a.to_ascii_lowercase().to_string() + about.get(1..).unwrap_or("")
            }
            _ => about.to_string(),
        };
        r.line(&format!("{} \\- {}", esc(name), esc(&about)));
        r
    }

    /// A line of text (roff already): one that would read as a request is protected.
    fn line(&mut self, l: &str) {
        if l.starts_with('.') || l.starts_with('\'') {
            self.0.push_str("\\&");
        }
        self.0.push_str(l);
        self.0.push('\n');
    }

    /// A request or macro call.
    fn req(&mut self, l: &str) {
        self.0.push_str(l);
        self.0.push('\n');
    }

    fn sh(&mut self, title: &str) {
        self.req(&format!(".SH \"{}\"", esc(title)));
    }

    fn ss(&mut self, title: &str) {
        self.req(&format!(".SS \"{}\"", esc(title)));
    }

    /// Paragraphs of plain or marked-up text: a blank line between paragraphs; other line
    /// ends are spaces, except before `Example:`, which starts a line of its own.
    fn paragraphs(&mut self, text: &str) {
        for p in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            self.req(".PP");
            self.body(p);
        }
    }

    /// One paragraph's text (see [`Roff::paragraphs`]), after a request that starts it.
    fn body(&mut self, text: &str) {
        let mut words = String::new();
        for l in text.lines().map(str::trim) {
            if l.starts_with("Example:") && !words.is_empty() {
                self.line(&inline(&words));
                self.req(".br");
                words.clear();
            }
            if !words.is_empty() {
                words.push(' ');
            }
            words.push_str(l);
        }
        if !words.is_empty() {
            self.line(&inline(&words));
        }
    }

    /// A tagged paragraph: `tag` is roff already, `text` plain or marked-up.
    fn tp(&mut self, tag: &str, text: &str) {
        self.req(".TP");
        self.line(tag);
        let mut first = true;
        for p in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            if !first {
                self.req(".IP");
            }
            self.body(p);
            first = false;
        }
    }

    /// A list item.
    fn bullet(&mut self, text: &str) {
        self.req(".IP \\(bu 2");
        self.body(text);
    }

    /// Literal lines (a file, a command), indented.
    fn literal(&mut self, text: &str) {
        self.req(".RS 4");
        self.req(".EX");
        for l in text.lines() {
            self.line(&esc(l));
        }
        self.req(".EE");
        self.req(".RE");
    }

    fn examples(&mut self, examples: &[Example]) {
        self.sh("EXAMPLES");
        for e in examples {
            self.req(".PP");
            self.body(&format!("{}:", e.what));
            self.literal(&shell_lines(e.command, 72));
        }
    }

    fn see_also(&mut self, refs: &[(&str, u8)]) {
        self.sh("SEE ALSO");
        let refs: Vec<String> = refs.iter().map(|(n, s)| page_ref(n, *s)).collect();
        self.line(&refs.join(", "));
    }

    fn environment(&mut self, me: &str, after: &str) {
        self.sh("ENVIRONMENT");
        let mut names: Vec<&str> = Vec::new();
        for e in ENVIRONMENT.iter().filter(|e| e.commands.contains(&me)) {
            if !names.contains(&e.name) {
                names.push(e.name);
            }
        }
        for name in names {
            let texts: Vec<&str> =
                ENVIRONMENT.iter().filter(|e| e.name == name && e.commands.contains(&me)).map(|e| e.text).collect();
            self.tp(&bold(name), &texts.join(" "));
        }
        self.req(".PP");
        self.line(after);
    }
}

/// A shell command cut into lines of at most `width` columns at spaces, each continued with
/// ` \`; an option stays with its value (the word after it, unless that is an option too),
/// and what is longer than a line stands alone.
fn shell_lines(command: &str, width: usize) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in command.split(' ').filter(|w| !w.is_empty()) {
        match words.last_mut() {
            Some(last) if last.starts_with('-') && !last.contains(' ') && !word.starts_with('-') => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in &words {
        let indent = if lines.is_empty() { 0 } else { 4 };
        if !line.is_empty() && indent + line.len() + 1 + word.len() + 2 > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join(" \\\n    ")
}

/// The sentence (roff, without its full stop) that points to libguestfs's own variables.
fn guestfs_env(me: &str) -> String {
    format!(
        "{} {}",
        inline(&format!(
            "libguestfs's own variables (`LIBGUESTFS_BACKEND`, ...) apply to the appliance {me} launches to read a guest: see"
        )),
        page_ref("guestfs", 3)
    )
}

/// A synopsis line as roff: the command in bold, and a line breaks only between the groups
/// in brackets or parentheses, never inside one.
fn synopsis(me: &str, line: &str) -> String {
    let rest = line.strip_prefix(me).unwrap_or(line);
    let mut out = bold(me);
    let mut depth = 0usize;
    for c in rest.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        match c {
            ' ' if depth > 0 => out.push_str("\\ "),
            c => out.push_str(&esc(&c.to_string())),
        }
    }
    out
}

/// An option's tag: `--name VALUE` (options are always spelled in full).
fn option_tag(o: &OurOption) -> String {
    match o.value {
        Some(v) => format!("{} {}", bold(&format!("--{}", o.name)), metavar(v)),
        None => bold(&format!("--{}", o.name)),
    }
}

fn key_tag(k: &Key) -> String {
    format!("{}={}", bold(k.name), metavar(k.value))
}

/// A value's syntax in italics, which a line may break after any `|` (some are longer than
/// a line).
fn metavar(v: &str) -> String {
    italic(v).replace('|', "|\\:")
}

fn options(r: &mut Roff, options: &[OurOption]) {
    for o in options {
        r.tp(&option_tag(o), o.help);
    }
}

/// A section per option with keys, listing them.
fn key_tables(r: &mut Roff, options: &[OurOption]) {
    for o in options.iter().filter(|o| !o.keys.is_empty()) {
        r.sh(&format!("KEYS OF --{}", o.name));
        for k in o.keys {
            r.tp(&key_tag(k), k.help);
        }
        if o.name == guestops::NIC.name {
            r.req(".PP");
            r.line(&format!(
                "How the keys combine (the inference rules), and what each format writes: {}.",
                page_ref("rejviz-nic", 5)
            ));
        }
    }
}

fn proxy_page(doc: &CommandDoc) -> Page {
    let (me, program) = (doc.me, doc.tool.program);
    let mut r = Roff::new(me, 1, doc.about);
    r.sh("SYNOPSIS");
    r.line(&synopsis(me, doc.synopsis));
    r.sh("DESCRIPTION");
    r.paragraphs(doc.about);
    r.paragraphs(doc.details);
    r.sh("OPTIONS");
    options(&mut r, doc.options);
    r.req(".PP");
    r.line(&format!("{}: see {}.", esc(&passed_through(doc)), page_ref(program, 1)));
    key_tables(&mut r, doc.options);
    r.examples(doc.examples);
    r.sh("EXIT STATUS");
    let (ran, own) = exit_statuses(doc);
    r.paragraphs(&ran);
    for (code, what) in own {
        r.tp(&bold(code), &what);
    }
    let mut after =
        format!("{} {}.", esc(&format!("{program}'s own variables apply to its run: see")), page_ref(program, 1));
    if READERS.contains(&me) {
        after.push_str(&format!(" {}.", guestfs_env(me)));
    }
    r.environment(me, &after);
    let mut also: Vec<(&str, u8)> = vec![(program, 1), ("rejviz-nic", 5)];
    also.extend(["rejviz-builder", "rejviz-customize", "rejviz-install", "rejviz-peek"].map(|c| (c, 1)));
    also.retain(|(n, _)| *n != me);
    r.see_also(&also);
    Page { file: format!("{me}.1"), text: r.0 }
}

fn peek_page() -> Page {
    let mut cmd = peek::cli();
    cmd.build();
    let me = cmd.get_name().to_string();
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let mut r = Roff::new(&me, 1, &about);
    r.sh("SYNOPSIS");
    for (i, l) in peek::SYNOPSIS.iter().enumerate() {
        if i > 0 {
            r.req(".br");
        }
        r.line(&synopsis(&me, l));
    }
    r.sh("DESCRIPTION");
    // The long about starts with the short one.
    r.paragraphs(&cmd.get_long_about().map(|a| a.to_string()).unwrap_or(about));
    r.sh("OPTIONS");
    for a in cmd.get_arguments() {
        let mut names: Vec<String> = a.get_short().map(|c| format!("-{c}")).into_iter().collect();
        names.extend(a.get_long().map(|l| format!("--{l}")));
        let mut tag = names.iter().map(|n| bold(n)).collect::<Vec<_>>().join(", ");
        let takes_value = a.get_num_args().is_some_and(|n| n.takes_values());
        if let Some(v) = a.get_value_names().and_then(|v| v.first()).filter(|_| takes_value) {
            tag.push(' ');
            tag.push_str(&italic(v));
        }
        let mut help = a.get_long_help().or(a.get_help()).map(|h| h.to_string()).unwrap_or_default();
        let defaults: Vec<String> = a.get_default_values().iter().map(|d| d.to_string_lossy().into_owned()).collect();
        if takes_value && !defaults.is_empty() {
            help.push_str(&format!(" (default: {})", defaults.join(", ")));
        }
        r.tp(&tag, &help);
    }
    r.examples(peek::EXAMPLES);
    r.sh("EXIT STATUS");
    for (code, what) in peek::EXIT_STATUSES {
        r.tp(&bold(code), what);
    }
    r.environment(&me, &format!("{}.", guestfs_env(&me)));
    r.see_also(&[
        ("rejviz-nic", 5),
        ("rejviz-builder", 1),
        ("rejviz-customize", 1),
        ("rejviz-install", 1),
        ("virt-inspector", 1),
        ("virsh", 1),
    ]);
    Page { file: format!("{me}.1"), text: r.0 }
}

/// Where `format` writes the files of a NIC named NAME, with their modes, as its writer
/// writes them (marked up).
fn written_to(format: Format) -> String {
    let files = parse_nics(&["name=NAME,hwaddr=52:54:00:12:34:56"])
        .ok()
        .and_then(|nics| nics.first().and_then(|n| guestconf::write(n, format).ok()))
        .unwrap_or_default();
    let each: Vec<String> = files.iter().map(|f| format!("`{}` ({:04o})", f.path, f.mode)).collect();
    each.join(", plus ")
}

fn nic_page() -> Page {
    let mut r = Roff::new("rejviz-nic", 5, "guest network configs of rejviz: --nic keys, inference rules, formats");
    r.sh("SYNOPSIS");
    for (i, c) in ["rejviz-builder", "rejviz-customize"].into_iter().enumerate() {
        if i > 0 {
            r.req(".br");
        }
        // (`\ `: an option and its value stay on one line.)
        r.line(&format!(
            "{} ... [{}\\ {}]... [{}\\ {}] ...",
            bold(c),
            bold("--nic"),
            italic(guestops::NIC.value.unwrap_or_default()),
            bold("--nic-format"),
            italic(guestops::NIC_FORMAT.value.unwrap_or_default())
        ));
    }
    r.sh("DESCRIPTION");
    r.req(".PP");
    r.line(&format!(
        "{} and {} write the network config of a guest's interfaces, one {} option an interface, in the \
         guest's own format; {} and {} read the configs of every format back.",
        page_ref("rejviz-builder", 1),
        page_ref("rejviz-customize", 1),
        bold("--nic"),
        page_ref("rejviz-peek", 1),
        page_ref("rejviz-install", 1)
    ));
    r.sh("OPTIONS");
    options(&mut r, &[guestops::NIC, guestops::NIC_FORMAT]);
    r.sh("KEYS");
    for k in crate::nic::NIC_KEYS {
        r.tp(&key_tag(k), k.help);
    }
    r.sh("INFERENCE");
    r.paragraphs("In this order:");
    for rule in inference_rules() {
        r.bullet(&rule);
    }
    r.sh("FORMATS");
    r.paragraphs(guestconf::FORMATS_ABOUT);
    r.ss("auto");
    r.paragraphs(detect::TEMPLATE_RULE);
    for (os, format) in detect::TEMPLATE_TABLE {
        r.tp(&esc(os), format);
    }
    r.paragraphs(detect::GUEST_RULE);
    r.ss("EXAMPLE NICS");
    r.paragraphs(
        "The sections below show what each format's writer writes for these two NICs, one with DHCP \
                  and one with a static address:",
    );
    r.literal(&NIC_EXAMPLES.iter().map(|v| format!("--nic {v}")).collect::<Vec<_>>().join("\n"));
    let nics = parse_nics(NIC_EXAMPLES).unwrap_or_default();
    for ops in guestconf::FORMATS {
        r.ss(ops.format.name());
        r.tp(&italic("written to"), &written_to(ops.format));
        r.tp(&italic("bound to the MAC by"), ops.doc.bound_by);
        r.tp(&italic("notes"), ops.doc.notes);
        r.req(".PP");
        r.line(&format!(
            "For example, with {}, the NICs of {} write:",
            bold(&format!("format={}", ops.format)),
            bold("EXAMPLE NICS")
        ));
        for nic in &nics {
            for f in guestconf::write(nic, ops.format).unwrap_or_default() {
                r.req(".PP");
                r.line(&format!("{} (mode {:04o}):", bold(&f.path), f.mode));
                r.literal(&f.content);
            }
        }
    }
    r.ss(".link files");
    r.paragraphs(link::WHERE);
    r.examples(NIC_PAGE_EXAMPLES);
    r.see_also(&[
        ("rejviz-builder", 1),
        ("rejviz-customize", 1),
        ("rejviz-peek", 1),
        ("rejviz-install", 1),
        ("systemd.link", 5),
        ("systemd.network", 5),
        ("nm-settings-keyfile", 5),
        ("netplan-generate", 8),
        ("interfaces", 5),
    ]);
    Page { file: "rejviz-nic.5".into(), text: r.0 }
}

/// README's generated blocks, by name: the same words as the pages, as Markdown.
pub fn readme_blocks() -> Vec<(&'static str, String)> {
    let mut inference = String::new();
    for rule in inference_rules() {
        inference.push_str(&md_wrap(&rule, "- ", "  "));
    }
    let mut formats = md_wrap(guestconf::FORMATS_ABOUT, "", "");
    formats.push_str("\n| format | written to | bound to the MAC by | notes |\n| --- | --- | --- | --- |\n");
    for ops in guestconf::FORMATS {
        let cells =
            [format!("`{}`", ops.format), written_to(ops.format), ops.doc.bound_by.into(), ops.doc.notes.into()];
        formats.push_str(&format!("| {} |\n", cells.map(|c| c.replace('|', "\\|")).join(" | ")));
    }
    let mut auto = md_wrap(detect::TEMPLATE_RULE, "- ", "  ");
    auto.push_str("\n  | OS | format |\n  | --- | --- |\n");
    for (os, format) in detect::TEMPLATE_TABLE {
        auto.push_str(&format!("  | {} | {} |\n", os.replace('|', "\\|"), format.replace('|', "\\|")));
    }
    auto.push('\n');
    auto.push_str(&md_wrap(detect::GUEST_RULE, "- ", "  "));
    vec![("nic-inference", inference), ("formats", formats), ("auto-format", auto)]
}

/// Markdown text in lines of at most 95 columns (README's), the first starting with `first`,
/// the others with `rest`.
fn md_wrap(text: &str, first: &str, rest: &str) -> String {
    super::wrap_to(95, text, first, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_escapes() {
        assert_eq!(esc(r"a\b --nic ≤"), r"a\eb \-\-nic \[u2264]");
        assert_eq!(inline("run `ifup -a` now"), r"run \fBifup \-a\fR now");
        // An odd backquote is text.
        assert_eq!(inline("it`s"), "it`s");
        let mut r = Roff(String::new());
        r.literal(".hidden\n'quoted\n.TH is text here");
        assert_eq!(r.0, ".RS 4\n.EX\n\\&.hidden\n\\&'quoted\n\\&.TH is text here\n.EE\n.RE\n");
    }

    #[test]
    fn commands_are_cut_at_spaces() {
        assert_eq!(shell_lines("a bb ccc", 8), "a bb \\\n    ccc");
        assert_eq!(shell_lines("averyveryverylongword b", 8), "averyveryverylongword \\\n    b");
        assert_eq!(shell_lines("cmd -a x --b --c y z", 13), "cmd -a x \\\n    --b \\\n    --c y z");
    }

    /// Every example of every page is a command line the command takes: its options are
    /// known (scanned as the command scans them) and its `--nic` values parse.
    /// The command an example runs: after the last `&&`, before a `|`.
    fn command_of(e: &Example) -> &str {
        e.command.split(" && ").last().unwrap_or("").split(" | ").next().unwrap_or("")
    }

    #[test]
    fn examples_are_taken() {
        let docs = [&builder::DOC, &customize::DOC, &install::DOC];
        for doc in docs {
            for e in doc.examples.iter().chain(NIC_PAGE_EXAMPLES.iter().filter(|e| e.command.starts_with(doc.me))) {
                let words: Vec<&str> = command_of(e).split_whitespace().collect();
                assert_eq!(words.first(), Some(&doc.me), "{}", e.command);
                let items = super::super::scanned(&words[1..], doc.tool, doc.options);
                let nics: Vec<&str> = crate::proxy::values(&items, &guestops::NIC);
                parse_nics(&nics).unwrap_or_else(|err| panic!("{}: {err}", e.command));
            }
        }
        for e in peek::EXAMPLES {
            let words = command_of(e).split_whitespace();
            peek::cli().try_get_matches_from(words).unwrap_or_else(|err| panic!("{}: {err}", e.command));
        }
    }
}
