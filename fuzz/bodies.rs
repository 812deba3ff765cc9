// The fuzz targets' bodies, shared: each fuzz/fuzz_targets/NAME.rs `include!`s this file and
// calls `bodies::NAME`, and tests/fuzz_corpus.rs (stable Rust, in the main crate's test
// suite) `include!`s it too and replays fuzz/corpus/NAME/* and fuzz/artifacts/NAME/* through
// the same function. A body panics (assert) when an invariant breaks; it must not panic
// otherwise, whatever the bytes.
//
// The arg_scanner body names the tools' ToolSpec tables and option lists through their
// public paths (rejviz::cmd::{builder,customize,install}); keep it small so it is easy to
// adapt when those move.

#[allow(dead_code)]
pub mod bodies {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    use rejviz::guestconf::link::{self, LinkMap};
    use rejviz::guestconf::{eni, ifcfg, ini::Ini, keyfile, netplan, networkd, shellvars};
    use rejviz::nic::{Ipv4Config, MaskStyle, NIC_KEYS, Nic, NicKind, StaticWord, parse_nics};
    use rejviz::optlist::{Key, OptList};
    use rejviz::proxy::{self, Item, OurOption, ToolSpec};

    /// Off (fuzzing, and the corpus replay): inputs that hit a known, reported bug skip the
    /// invariant it breaks, so that fuzzing goes on past it. On (tests/fuzz_corpus.rs
    /// `known_bugs_are_fixed`, on the artifacts): every invariant is checked.
    /// Per thread, so that tests running at the same time do not see each other's.
    pub fn set_strict(on: bool) {
        STRICT.with(|s| s.set(on));
    }

    thread_local! {
        static STRICT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn strict() -> bool {
        STRICT.with(|s| s.get())
    }

    /// Every target, by name (the names of fuzz/fuzz_targets/*.rs and fuzz/corpus/*).
    /// A target's body.
    pub type Body = fn(&[u8]);

    pub const TARGETS: &[(&str, Body)] = &[
        ("nic_parser", nic_parser),
        ("optlist", optlist),
        ("arg_scanner", arg_scanner),
        ("ifcfg", ifcfg),
        ("keyfile", keyfile),
        ("netplan", netplan),
        ("eni", eni),
        ("networkd", networkd),
        ("link", link),
        ("disk_image", disk_image),
    ];

    fn text(data: &[u8]) -> Option<&str> {
        std::str::from_utf8(data).ok()
    }

    /// A `--nic` value that means `n` among the NICs of its call (its MAC given, so no longer
    /// generated).
    pub fn nic_value(n: &Nic) -> String {
        let mut kv = vec![format!("name={}", n.name)];
        if let Some(mac) = n.hwaddr {
            kv.push(format!("hwaddr={mac}"));
        }
        kv.push(format!("type={}", n.kind.word()));
        match &n.kind {
            NicKind::Ethernet => {}
            NicKind::Vlan(v) => kv.push(format!("link={},id={}", v.link, v.id)),
            NicKind::Bond(b) => {
                let o = &b.options;
                kv.push(format!("members={},mode={}", b.members.join("+"), o.mode));
                if let Some(m) = o.miimon {
                    kv.push(format!("miimon={m}"));
                }
                if let Some(p) = &o.primary {
                    kv.push(format!("primary={p}"));
                }
                if let Some(r) = o.lacp_rate {
                    kv.push(format!("lacp-rate={r}"));
                }
                if let Some(x) = o.xmit_hash_policy {
                    kv.push(format!("xmit-hash-policy={x}"));
                }
            }
            NicKind::Bridge(b) => {
                if !b.members.is_empty() {
                    kv.push(format!("members={}", b.members.join("+")));
                }
                kv.push(format!("stp={}", if b.stp { "yes" } else { "no" }));
            }
        }
        if n.ipv4 == Ipv4Config::NoAddress {
            kv.push("bootproto=none".into());
        }
        if !n.routes.is_empty() {
            kv.push(format!("routes={}", n.routes.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("+")));
        }
        if !n.search.is_empty() {
            kv.push(format!("search={}", n.search.join("+")));
        }
        if let Ipv4Config::Static(s) = &n.ipv4 {
            match s.mask_style {
                MaskStyle::Prefix => kv.push(format!("ipaddr={}/{}", s.address(), s.prefix())),
                MaskStyle::Netmask => kv.push(format!("ipaddr={},netmask={}", s.address(), s.netmask())),
            }
            kv.push(format!("bootproto={}", if s.word == StaticWord::None { "none" } else { "static" }));
            if let Some(g) = s.gateway {
                kv.push(format!("gateway={g}"));
            }
        }
        for (i, d) in n.dns.iter().enumerate() {
            kv.push(format!("dns{}={d}", i + 1));
        }
        if let Some(m) = n.mtu {
            kv.push(format!("mtu={m}"));
        }
        kv.push(format!("onboot={}", if n.onboot { "yes" } else { "no" }));
        if let Some(v6) = &n.ipv6 {
            kv.push(format!("ipv6={v6}"));
            if let Some(g) = v6.gateway() {
                kv.push(format!("ipv6gw={g}"));
            }
        }
        if let Some(f) = n.format {
            kv.push(format!("format={f}"));
        }
        kv.join(",")
    }

    /// `--nic` values, one per line: parse; the NICs parsed are written back as values that
    /// parse to the same NICs, and every writer takes each (or refuses it with an error).
    pub fn nic_parser(data: &[u8]) {
        let Some(s) = text(data) else { return };
        let values: Vec<&str> = s.split('\n').collect();
        match parse_nics(&values) {
            Err(e) => {
                let _ = e.to_string();
            }
            Ok(nics) => {
                assert_eq!(nics.len(), values.len());
                // The set as a whole: members and links refer to the other NICs.
                let again: Vec<String> = nics.iter().map(nic_value).collect();
                let back = parse_nics(&again).unwrap_or_else(|e| panic!("{again:?}: {e}"));
                let want: Vec<Nic> = nics.iter().map(|n| Nic { hwaddr_generated: false, ..n.clone() }).collect();
                assert_eq!(back, want, "{again:?}");
                for n in &nics {
                    for f in rejviz::guestconf::Format::ALL {
                        let _ = rejviz::guestconf::write(n, f);
                    }
                }
            }
        }
    }

    /// key=value lists: a list parsed, written back, parses to the same values.
    pub fn optlist(data: &[u8]) {
        let Some(s) = text(data) else { return };
        const ABC: &[Key] = &[
            Key { name: "a", value: "", help: "" },
            Key { name: "b", value: "", help: "" },
            Key { name: "c", value: "", help: "" },
        ];
        for known in [NIC_KEYS, ABC] {
            match OptList::parse(s, known) {
                Err(e) => {
                    let _ = (e.to_string(), e.key());
                }
                Ok(l) => {
                    let pairs: Vec<(&str, &str)> = known.iter().filter_map(|k| Some((k.name, l.get(k.name)?))).collect();
                    assert!(!pairs.is_empty());
                    let again: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    let again = again.join(",");
                    // A value with a comma cannot have come from a list split on commas.
                    let back = OptList::parse(&again, known).unwrap_or_else(|e| panic!("{again:?}: {e}"));
                    for (k, v) in pairs {
                        assert_eq!(back.get(k), Some(v), "{again:?}");
                    }
                }
            }
        }
    }

    /// The command-line scanner: the first byte picks a tool, the rest is its arguments,
    /// split on NUL. Every argument is accounted for, in order.
    pub fn arg_scanner(data: &[u8]) {
        use rejviz::cmd::{builder, customize, install};
        let Some((&pick, rest)) = data.split_first() else { return };
        let tools: [(&ToolSpec, &[OurOption]); 3] = [
            (&proxy::VIRT_BUILDER, builder::OPTIONS),
            (&proxy::VIRT_CUSTOMIZE, customize::OPTIONS),
            (&proxy::VIRT_INSTALL, install::OPTIONS),
        ];
        let (tool, ours) = tools[usize::from(pick) % tools.len()];
        let args: Vec<OsString> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split(|b| *b == 0).map(|a| OsString::from_vec(a.to_vec())).collect()
        };
        let Ok(items) = proxy::scan(args.clone(), tool, ours).map_err(|e| e.to_string()) else { return };
        // Each item stands for one argument, or two for one of ours with a separate value.
        let mut i = 0;
        for item in &items {
            match item {
                Item::Tool(a, _) => {
                    assert_eq!(Some(a), args.get(i), "{args:?} -> {items:?}");
                    i += 1;
                }
                Item::Ours { name, value } => {
                    let a = args[i].to_str().expect("ours are UTF-8");
                    // --name, -name (getopt tools), or an abbreviation the tool reads as ours.
                    let written = a.trim_start_matches('-').split('=').next().unwrap_or_default();
                    assert!(a.starts_with('-') && name.starts_with(written) && !written.is_empty(), "{a:?} for --{name}");
                    i += if value.is_some() && !a.contains('=') { 2 } else { 1 };
                }
            }
        }
        assert_eq!(i, args.len(), "{args:?} -> {items:?}");
        let options: Vec<&rejviz::proxy::ToolOption> = tool.options().collect();
        let opt = options[usize::from(pick) % options.len()];
        if let Some(long) = opt.names.first() {
            let _ = proxy::tool_values(&items, tool, long);
            let _ = proxy::tool_flag(&items, tool, long);
        }
        let _ = proxy::tool_options(&items, tool);
        let _ = proxy::operands(&items);
        for o in ours {
            let _ = (proxy::values(&items, o), proxy::given(&items, o));
        }
        let tool_args: Vec<OsString> =
            items.iter().filter_map(|i| if let Item::Tool(a, _) = i { Some(a.clone()) } else { None }).collect();
        let _ = proxy::display::command_line(tool, &tool_args);
        let _ = proxy::assemble(items, vec![(&[&ours[0]][..], vec![OsString::from("X")])]);
    }

    /// Shell-quotes a value the way no shell reads differently.
    fn single_quoted(v: &str) -> String {
        format!("'{}'", v.replace('\'', r"'\''"))
    }

    /// ifcfg files: the shell-variable parser (whose assignments, written back single-quoted,
    /// parse to the same assignments) and the ifcfg reader.
    pub fn ifcfg(data: &[u8]) {
        let Some(s) = text(data) else { return };
        if let Ok(vars) = shellvars::parse(s) {
            let again: String = vars.iter().map(|(k, v)| format!("{k}={}\n", single_quoted(v))).collect();
            let back = shellvars::parse(&again).unwrap_or_else(|e| panic!("{again:?}: {e}"));
            assert_eq!(back, vars, "{again:?}");
        }
        let _ = ifcfg::read("/etc/sysconfig/network-scripts/ifcfg-eth0", s).map_err(|e| e.to_string());
        let _ = ifcfg::read_routes("/etc/sysconfig/network-scripts/route-eth0", "eth0", s).map_err(|e| e.to_string());
    }

    /// INI text: a file parsed, written back, parses to the same sections.
    fn ini_round_trip(s: &str) {
        let Ok(ini) = Ini::parse(s) else { return };
        let mut again = String::new();
        for (name, kv) in &ini.sections {
            again.push_str(&format!("[{name}]\n"));
            for (k, v) in kv {
                again.push_str(&format!("{k}={v}\n"));
            }
        }
        let back = Ini::parse(&again).unwrap_or_else(|e| panic!("{again:?}: {e}"));
        assert_eq!(back, ini, "{again:?}");
    }

    /// Up to the first NUL: a `.link` file for the LinkMap; after it: the config itself.
    fn with_links(data: &[u8]) -> Option<(LinkMap, &str)> {
        let (l, rest) = match data.iter().position(|b| *b == 0) {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (&b""[..], data),
        };
        let mut links = LinkMap::default();
        if let Ok(Some(l)) = link::read("/usr/local/lib/systemd/network/10-x.link", text(l)?) {
            links.add(l);
        }
        Some((links, text(rest)?))
    }

    /// NetworkManager keyfiles: INI round trip, and the keyfile reader.
    pub fn keyfile(data: &[u8]) {
        let Some((links, s)) = with_links(data) else { return };
        ini_round_trip(s);
        let _ = keyfile::read("/etc/NetworkManager/system-connections/x.nmconnection", s, &links);
    }

    /// netplan YAML.
    pub fn netplan(data: &[u8]) {
        let Some(s) = text(data) else { return };
        let _ = netplan::read("/etc/netplan/50-x.yaml", s);
    }

    /// interfaces(5): the reader, and `without` (which keeps a file as it is when it removes
    /// nothing, and removes the stanzas of the names it is given).
    pub fn eni(data: &[u8]) {
        let Some((links, s)) = with_links(data) else { return };
        let path = "/etc/network/interfaces";
        let identity: String = s.lines().map(|l| format!("{l}\n")).collect();
        assert_eq!(eni::without(s, &[]), identity);
        let Ok(nics) = eni::read(path, s, &links) else { return };
        // `without` decides on the reader's logical lines (fuzz/artifacts/eni/
        // crash-eni-without-continuation: a stanza split by a `\` continuation stayed).
        if let Some(first) = nics.first() {
            let rest = eni::without(s, &[first.name.as_str()]);
            if let Ok(after) = eni::read(path, &rest, &links) {
                assert!(!after.iter().any(|n| n.name == first.name), "{} still in {rest:?}", first.name);
            }
        }
    }

    /// systemd-networkd .network files: INI round trip, and the reader.
    pub fn networkd(data: &[u8]) {
        let Some((links, s)) = with_links(data) else { return };
        ini_round_trip(s);
        let _ = networkd::read("/etc/systemd/network/50-x.network", s, &links);
        let _ = networkd::read_netdev("/etc/systemd/network/50-x.netdev", s);
        // And through the whole reading, with its merging of parts and memberships.
        let _ = rejviz::guestconf::configs_in_files([
            ("/etc/systemd/network/50-x.network", s.as_bytes()),
            ("/etc/systemd/network/50-x.netdev", s.as_bytes()),
        ]);
    }

    /// systemd .link files.
    pub fn link(data: &[u8]) {
        let Some(s) = text(data) else { return };
        ini_round_trip(s);
        if let Ok(Some(l)) = link::read("/usr/local/lib/systemd/network/10-x.link", s) {
            let mut m = LinkMap::default();
            m.add(l.clone());
            assert_eq!(m.by_mac(l.mac), Some(&l));
        }
    }

    // ---- disk_image: the direct reader's partition and filesystem layers ----

    /// A test image held sparsely: its non-zero 4 KiB blocks (a 64 MiB image is a few MiB).
    pub struct SparseImage {
        pub name: String,
        len: u64,
        blocks: std::collections::BTreeMap<u64, Vec<u8>>,
    }

    const BLOCK: u64 = 4096;

    impl SparseImage {
        fn load(path: &std::path::Path) -> std::io::Result<SparseImage> {
            use std::io::Read;
            let mut f = std::fs::File::open(path)?;
            let mut blocks = std::collections::BTreeMap::new();
            let mut len = 0u64;
            loop {
                let mut buf = vec![0u8; BLOCK as usize];
                let mut got = 0;
                while got < buf.len() {
                    match f.read(&mut buf[got..])? {
                        0 => break,
                        n => got += n,
                    }
                }
                if got == 0 {
                    break;
                }
                if buf.iter().any(|b| *b != 0) {
                    blocks.insert(len / BLOCK, buf);
                }
                len += got as u64;
            }
            Ok(SparseImage { name: path.display().to_string(), len, blocks })
        }
    }

    /// The raw test images (target/test-images/*.raw, built by scripts/build-test-images),
    /// loaded once: the bases the fuzzer's patches change.
    pub fn disk_bases() -> &'static [SparseImage] {
        static BASES: std::sync::OnceLock<Vec<SparseImage>> = std::sync::OnceLock::new();
        BASES.get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let dir = [root.join("target/test-images"), root.join("../target/test-images")]
                .into_iter()
                .find(|d| d.is_dir())
                .expect("target/test-images: run scripts/build-test-images");
            let mut paths: Vec<_> = std::fs::read_dir(&dir)
                .expect("test images")
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "raw"))
                .collect();
            paths.sort();
            assert!(!paths.is_empty(), "no *.raw in {}", dir.display());
            paths.iter().map(|p| SparseImage::load(p).expect("read test image")).collect()
        })
    }

    /// A base image with some bytes changed.
    struct Patched<'a> {
        base: &'a SparseImage,
        patches: Vec<(u64, u8)>,
    }

    impl rejviz::direct::Source for Patched<'_> {
        fn len(&self) -> u64 {
            self.base.len
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
            let end = offset.checked_add(buf.len() as u64).filter(|e| *e <= self.base.len);
            let Some(end) = end else { return Err(std::io::ErrorKind::UnexpectedEof.into()) };
            buf.fill(0);
            for (b, block) in self.base.blocks.range(offset / BLOCK..=end.saturating_sub(1) / BLOCK) {
                let start = b * BLOCK;
                for (i, byte) in block.iter().enumerate() {
                    let at = start + i as u64;
                    if at >= offset && at < end {
                        buf[(at - offset) as usize] = *byte;
                    }
                }
            }
            for (at, v) in &self.patches {
                if *at >= offset && *at < end {
                    buf[(*at - offset) as usize] = *v;
                }
            }
            Ok(())
        }
    }

    /// Byte 0 picks the base image; then records of 5 + N bytes: a u16 picking one of the
    /// base's non-zero blocks (its metadata, directories, files), a u16 offset in it, a
    /// length N (at most 16), and N bytes written there. The direct reader reads the result
    /// as it reads a guest: a snapshot or a typed error, never a panic, an abort or a hang,
    /// and never more file content than its bound.
    pub fn disk_image(data: &[u8]) {
        let bases = disk_bases();
        let Some((&pick, mut rest)) = data.split_first() else { return };
        let base = &bases[pick as usize % bases.len()];
        let used: Vec<u64> = base.blocks.keys().copied().collect();
        let mut patches = Vec::new();
        while rest.len() >= 5 {
            let block = u16::from_le_bytes([rest[0], rest[1]]) as usize;
            let within = u64::from(u16::from_le_bytes([rest[2], rest[3]])) % BLOCK;
            let n = (rest[4] as usize % 16 + 1).min(rest.len() - 5);
            let at = used.get(block % used.len().max(1)).map_or(0, |b| b * BLOCK) + within;
            for (i, v) in rest[5..5 + n].iter().enumerate() {
                patches.push((at + i as u64, *v));
            }
            rest = &rest[5 + n..];
        }
        let src: std::rc::Rc<dyn rejviz::direct::Source> = std::rc::Rc::new(Patched { base, patches });
        let names = vec![base.name.clone()];
        if let Ok(snap) = rejviz::direct::read_sources(&[src], &names, &rejviz::guestconf::want()) {
            let total: u64 = snap.files.iter().map(|f| f.content.len() as u64).sum();
            assert!(total <= rejviz::direct::MAX_TOTAL, "{total} bytes of file content");
        }
    }
}
