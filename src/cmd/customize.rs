//! `rejviz-customize`: `virt-customize` plus `--nic`, `--nic-remove`, `--nic-reset`,
//! `--sync-macs` and RHSM, on an image (`-a`) or a libvirt domain (`-d`).

use super::guestops::{self, NicWork};
use super::{CommandDoc, Example, Plan, UsageError, Workspace, help};
use crate::guestconf::link::LinkMap;
use crate::guestconf::{self, ConfiguredNic, Format, GuestFile, LinkKind, Stack, detect, eni};
use crate::inspect;
use crate::libvirt::{self, DomainInfo};
use crate::mapping::MappingError;
use crate::nic::{
    GuestIface, MacAddr, Nic, NicKind, NicProblem, natural_cmp, parse_nics, parse_nics_beside, validate_ifname,
};
use crate::pairing::{Config, Stale, pair};
use crate::proxy::{self, Item, OurOption, VIRT_CUSTOMIZE, given, tool_values, values};

pub(crate) const ME: &str = "rejviz-customize";

pub const OPTIONS: &[OurOption] = &[
    guestops::NIC,
    guestops::NIC_FORMAT,
    NIC_REMOVE,
    NIC_RESET,
    SYNC_MACS,
    super::READER,
    guestops::RHSM_REGISTER,
    guestops::RHSM_UNREGISTER,
    PRINT_COMMAND,
    super::features::CUSTOMIZE,
    super::HELP,
    super::VERSION,
];

pub const NIC_REMOVE: OurOption = OurOption::value(
    "nic-remove",
    "NAME",
    "Delete the configs of interface NAME, in every format, with their companion files\n\
     (networkd .netdev, ifcfg route-NAME) (repeatable). Removing a bond or bridge whose\n\
     members stay, or a VLAN's link while the VLAN stays, is refused: remove those too.",
);
pub const NIC_RESET: OurOption = OurOption::flag(
    "nic-reset",
    "Delete every NIC config but loopback's, in every format, before the --nic\n\
     configs are written (/etc/network/interfaces keeps only its loopback stanza).",
);
pub const SYNC_MACS: OurOption = OurOption::flag(
    "sync-macs",
    "With -d, after a clone: pair the image's NIC configs with the domain's interfaces\n\
     (the pairing rule: by MAC, then ethN is interface N, then natural order; stale pins\n\
     re-paired; see README) and set each pinned config's HWADDR to its interface's MAC,\n\
     printing what changes. Configs without HWADDR are left alone. Costs one read of\n\
     the guest (see --reader).",
);
pub const PRINT_COMMAND: OurOption = OurOption::flag(
    "print-command",
    "Print the virt-customize command (secrets masked), each file it would write and\n\
     each host script it would run (secrets masked); run nothing. (virt-customize's\n\
     own -n/--dry-run passes through.)",
);

const DETAILS: &str = "MACs for a --nic without hwaddr=: with -a, a random 52:54:00:xx:xx:xx. With -d, the MAC of
the domain interface the pairing rule gives it (by MAC, then ethN is interface N, then
natural order; see README), so that the config matches an interface the domain has and no
other config's. When none is left, give hwaddr=. A running domain is refused before
anything is written. The NIC operations (reset, removals, HWADDR edits, writes) stand, in
that order, where the first NIC option stood among the customizations.

A member (members=) or link (link=) that no --nic of the call declares may be an interface
the guest configures: a member's config is written again as a member's, pinned to the MAC
its config pins (with -d, or else refused: declare it with --nic name=NAME,hwaddr=MAC); a
link keeps its config, which must be in the VLAN's format (and not networkd, where the
link's own file names its VLANs: declare the link in the call).
virt-customize's -v/--verbose and -x also turn on our debug lines on stderr
(rejviz-customize: debug: ...: which reader read the guest and why, each file read, which
step of the pairing rule gave each config its interface; never a secret); its
--colour/--color also colours our error lines (else: on a terminal, without NO_COLOR).\n";

/// What `--help` and `man rejviz-customize` say.
pub const DOC: CommandDoc = CommandDoc {
    me: ME,
    tool: &VIRT_CUSTOMIZE,
    synopsis: "rejviz-customize (-a IMAGE | -d DOMAIN [-c URI]) [--nic SPEC]... [--nic-format FORMAT] [--nic-remove NAME]... [--nic-reset] [--sync-macs] [--reader auto|direct|appliance] [--rhsm-register ...] [--rhsm-unregister] [--print-command] [virt-customize options]",
    about: "virt-customize, plus guest network configs and RHSM for an existing image or domain.",
    options: OPTIONS,
    details: DETAILS,
    examples: &[
        Example {
            what: "Write eth1's config, with a static address, and delete eth3's",
            command: "rejviz-customize --format raw -a vm1.img --nic name=eth1,ipaddr=10.0.0.5/24 --nic-remove eth3",
        },
        Example {
            what: "On a domain: eth1's MAC is taken from vm1's second interface",
            command: "rejviz-customize -d vm1 --nic name=eth1",
        },
        Example {
            what: "After a clone, pin the image's configs to the clone's new MACs",
            command: "virt-clone -o vm1 -n vm2 --auto-clone && rejviz-customize -d vm2 --sync-macs",
        },
        Example {
            what: "Replace every NIC config by one, reading the guest directly (or failing, saying why); run nothing",
            command: "rejviz-customize -a vm1.img --nic-reset --nic name=eth0 --reader direct --print-command",
        },
        Example {
            what: "Re-subscribe a guest with an activation key",
            command: "rejviz-customize -d vm2 --rhsm-unregister --rhsm-register org=1234567,activation-key-file=/root/ak",
        },
    ],
};

/// A problem that is not in the command line itself.
#[derive(Debug, thiserror::Error)]
pub enum CustomizeError {
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error(transparent)]
    Libvirt(#[from] libvirt::LibvirtError),
    #[error("cannot read the guest: {0}")]
    Image(#[from] inspect::InspectError),
    #[error(transparent)]
    Mapping(#[from] crate::mapping::MappingError),
    #[error("{0}")]
    Refused(String),
}

impl super::Refusal for CustomizeError {
    fn exit_code(&self) -> i32 {
        match self {
            CustomizeError::Usage(u) => u.exit_code(),
            _ => super::EXIT_USAGE,
        }
    }
}

impl From<proxy::ScanError> for CustomizeError {
    fn from(e: proxy::ScanError) -> Self {
        CustomizeError::Usage(e.into())
    }
}

impl From<crate::nic::NicError> for CustomizeError {
    fn from(e: crate::nic::NicError) -> Self {
        CustomizeError::Usage(e.into())
    }
}

pub fn plan(items: Vec<Item>, ws: &Workspace) -> Result<Plan, CustomizeError> {
    let mut nic_values: Vec<String> = values(&items, &guestops::NIC).into_iter().map(str::to_string).collect();
    // A member or link that no --nic of the call declares may be an interface of the guest:
    // then the guest is read, and the NICs parsed again beside its interfaces.
    let (mut nics, lowers_in_guest) = match parse_nics(&nic_values) {
        Ok(nics) => (nics, false),
        Err(e) if matches!(e.problem, NicProblem::NotInCall(_)) => (Vec::new(), true),
        Err(e) => return Err(e.into()),
    };
    let remove: Vec<String> = values(&items, &NIC_REMOVE).into_iter().map(str::to_string).collect();
    for name in &remove {
        validate_ifname(name).map_err(|e| CustomizeError::Refused(format!("--nic-remove: {e}")))?;
    }
    remove_or_write(&remove, &nics)?;
    let reset = given(&items, &NIC_RESET);
    let sync = given(&items, &SYNC_MACS);
    let domain_name = tool_values(&items, &VIRT_CUSTOMIZE, "domain").pop();
    if sync && reset {
        return Err(CustomizeError::Refused(
            "--sync-macs and --nic-reset: the reset would delete the configs to sync".into(),
        ));
    }
    if sync && domain_name.is_none() {
        return Err(CustomizeError::Refused("--sync-macs needs a domain (-d DOMAIN)".into()));
    }

    let reader = super::reader(&items)?;
    let mut plan = Plan::new(given(&items, &PRINT_COMMAND));
    // RHSM files are checked before libvirt or the guest is touched.
    let rhsm_args = guestops::rhsm_ops(&items, ws, &mut plan)?;

    let domain: Option<DomainInfo> = match &domain_name {
        Some(name) => {
            let uri = tool_values(&items, &VIRT_CUSTOMIZE, "connect").pop();
            let conn = libvirt::connect(uri.as_deref())?;
            let d = libvirt::domain(&conn, name)?;
            if d.active {
                return Err(CustomizeError::Refused(format!(
                    "domain {name} is running; shut it down first (virt-customize must not write to a running guest)"
                )));
            }
            Some(d)
        }
        None => None,
    };

    // One read-only look at the guest when the work depends on what it has.
    let call_format = guestops::nic_format(&items)?;
    let auto = |nics: &[Nic]| !nics.is_empty() && call_format.is_none() && nics.iter().any(|n| n.format.is_none());
    let mut work = NicWork { format: call_format, ..NicWork::default() };
    // With -d, a --nic without hwaddr= takes the MAC of the interface the pairing rule gives
    // it among the image's configs: the guest is read for that too.
    let pair_new = domain.is_some() && nics.iter().any(|n| n.hwaddr_generated);
    if lowers_in_guest || auto(&nics) || reset || !remove.is_empty() || sync || pair_new {
        let disks = match &domain {
            Some(d) => d.disks.clone(),
            None => images(&items),
        };
        let (snap, used) = inspect::read_guest(&disks, &guestconf::want(), reader)?;
        if proxy::tool_flag(&items, &VIRT_CUSTOMIZE, "verbose") {
            say!("{ME}: {used}");
        }
        super::debug_guest_read(&disks, reader, &used, &snap);
        let (configs, unreadable, links) = guestconf::configs_and_links(&snap);
        for u in &unreadable {
            say!("{ME}: warning: {}: {} (left alone)", u.file, u.reason);
        }
        // The configs this call deletes whatever it writes.
        let removed =
            |c: &ConfiguredNic| (reset && c.kind != LinkKind::Loopback && c.name != "lo") || remove.contains(&c.name);
        if lowers_in_guest {
            nics = beside_the_guest(&mut nic_values, &configs, &removed, domain.is_some())?;
            remove_or_write(&remove, &nics)?;
        }
        if auto(&nics) {
            work.format = detect::for_guest(&snap);
            if let Some(f) = work.format {
                say!(
                    "{ME}: the guest ({} {}.{}) uses {f}: writing {f} configs",
                    snap.os.distro,
                    snap.os.major,
                    snap.os.minor
                );
            }
        }
        links_in_guest(&nics, &configs, &removed, work.format)?;
        if !reset {
            removals_leave_no_half(&remove, &nics, &configs)?;
        }
        keep_guest_vlans(&mut nics, &configs, &removed);
        // Each written NIC replaces its other configs (another format, another file name),
        // and their companion files whatever their name.
        let mut written: Vec<(String, String)> = Vec::new();
        for n in &nics {
            written.push((n.name.clone(), guestconf::config_path(guestops::format_of(n, work.format)?, &n.name)));
        }
        let goes =
            |c: &ConfiguredNic, file: &str| removed(c) || written.iter().any(|(n, path)| *n == c.name && path != file);
        let eni_main = snap.file(guestconf::ENI_FILE).map(|f| String::from_utf8_lossy(&f.content).into_owned());
        let (deletes, rewrites) = cleanup(&configs, &links, &goes, eni_main.as_deref());
        work.deletes = deletes;
        work.rewrites = rewrites;
        if let Some(d) = &domain {
            let names: Vec<String> = nics.iter().map(|n| n.name.clone()).collect();
            let stays = |c: &ConfiguredNic| !goes(c, &c.file) && !names.contains(&c.name);
            let edits = pair_with_domain(&mut nics, &configs, &links, d, &stays, sync)?;
            work.edits = edits;
        }
    }
    work.nics = &nics;
    let relabel = proxy::tool_flag(&items, &VIRT_CUSTOMIZE, "selinux-relabel");
    let (nic_args, files) = guestops::nic_ops(&work, relabel)?;
    plan.files = files;
    plan.args = proxy::assemble(
        items,
        vec![(&[&guestops::NIC, &NIC_REMOVE, &NIC_RESET, &SYNC_MACS], nic_args), (guestops::RHSM_OPTIONS, rhsm_args)],
    );
    Ok(plan)
}

/// Removing and writing the same interface is refused.
fn remove_or_write(remove: &[String], nics: &[Nic]) -> Result<(), CustomizeError> {
    match remove.iter().find(|name| nics.iter().any(|n| &&n.name == name)) {
        Some(name) => Err(CustomizeError::Refused(format!(
            "--nic-remove {name} and --nic name={name}: remove or write, not both"
        ))),
        None => Ok(()),
    }
}

/// The NICs of `values` when some member or link is an interface the guest configures
/// (among `configs`, those not `removed`). A member in the guest is declared in the call
/// (`values` gains `name=M,hwaddr=MAC[,mtu=N]`, its config is rewritten as a member: a
/// member has no address of its own): only an Ethernet NIC whose config pins its MAC can be
/// (with `-d`, `on_domain`, one without takes its interface's MAC); any other is refused,
/// asking to declare it. A link in the guest keeps its config (see [`links_in_guest`]).
fn beside_the_guest(
    values: &mut Vec<String>,
    configs: &[ConfiguredNic],
    removed: &dyn Fn(&ConfiguredNic) -> bool,
    on_domain: bool,
) -> Result<Vec<Nic>, CustomizeError> {
    let staying: Vec<&ConfiguredNic> = configs.iter().filter(|c| !removed(c)).collect();
    let word = |k: &LinkKind| match k {
        LinkKind::Ethernet => Some("ethernet"),
        LinkKind::Vlan => Some("vlan"),
        LinkKind::Bond => Some("bond"),
        LinkKind::Bridge => Some("bridge"),
        LinkKind::Loopback | LinkKind::Other(_) => None,
    };
    let mut guest: Vec<GuestIface<'_>> = Vec::new();
    for c in &staying {
        let Some(kind) = word(&c.kind) else { continue };
        if guest.iter().any(|g| g.name == c.name) {
            continue;
        }
        // A master that this call deletes holds nothing any more.
        let master = c.master.as_deref().filter(|m| staying.iter().any(|o| o.name == *m));
        guest.push(GuestIface { name: &c.name, kind, master });
    }
    let first = parse_nics_beside(values.as_slice(), &guest)?;
    // (name, the --nic value that declares it)
    let mut declared: Vec<(&str, String)> = Vec::new();
    for n in &first {
        for m in n.kind.members() {
            if first.iter().any(|o| &o.name == m) || declared.iter().any(|(d, _)| d == m) {
                continue;
            }
            let mine: Vec<&&ConfiguredNic> = staying.iter().filter(|c| &c.name == m).collect();
            let file = mine.first().map(|c| c.file.as_str()).unwrap_or_default();
            let declare = |why: &str, hint: &str| {
                CustomizeError::Refused(format!(
                    "--nic {}: members: {m} is configured in the guest ({file}){why}; declare it in this call \
                     too (--nic name={m}{hint})",
                    n.name
                ))
            };
            if let Some(c) = mine.iter().find(|c| !c.is_device()) {
                return Err(declare(
                    &format!(" as a {}, whose config a member's must replace", word(&c.kind).unwrap_or("device")),
                    &format!(",type={},...", word(&c.kind).unwrap_or("ethernet")),
                ));
            }
            let mac = mine.iter().find_map(|c| c.hwaddr);
            if mac.is_none() && !on_domain {
                return Err(declare(" without a MAC", ",hwaddr=MAC,bootproto=none"));
            }
            let mut value = format!("name={m}");
            if let Some(mac) = mac {
                value.push_str(&format!(",hwaddr={mac}"));
            }
            if let Some(mtu) = mine.iter().find_map(|c| c.mtu).filter(|m| (68..=65535).contains(m)) {
                value.push_str(&format!(",mtu={mtu}"));
            }
            if let Some(f) = n.format {
                value.push_str(&format!(",format={f}"));
            }
            say!(
                "{ME}: {m} ({file}) becomes a member of {}: its config is written again{}, with no address of its own",
                n.name,
                mac.map(|m| format!(", pinned to {m}")).unwrap_or_default()
            );
            declared.push((m, value));
        }
    }
    values.extend(declared.into_iter().map(|(_, v)| v));
    Ok(parse_nics_beside(values.as_slice(), &guest)?)
}

/// A VLAN of the call whose link is an interface of the guest (its config stays as it is)
/// is written in a format that config is in, and not for networkd, where a VLAN is named in
/// its link's own `.network` file: otherwise the link must be declared in the call too.
fn links_in_guest(
    nics: &[Nic],
    configs: &[ConfiguredNic],
    removed: &dyn Fn(&ConfiguredNic) -> bool,
    call_format: Option<Format>,
) -> Result<(), CustomizeError> {
    for n in nics {
        let NicKind::Vlan(v) = &n.kind else { continue };
        if nics.iter().any(|o| o.name == v.link) {
            continue;
        }
        let format = guestops::format_of(n, call_format)?;
        let link: Vec<&ConfiguredNic> = configs.iter().filter(|c| c.name == v.link && !removed(c)).collect();
        let file = link.first().map(|c| c.file.as_str()).unwrap_or_default();
        let refuse = |why: String| {
            CustomizeError::Refused(format!(
                "--nic {}: link: {} is configured in the guest ({file}); {why}: declare it in this call too \
                 (--nic name={},...)",
                n.name, v.link, v.link
            ))
        };
        if format == Format::Networkd {
            return Err(refuse("networkd names a VLAN in its link's own .network file".into()));
        }
        if !link.iter().any(|c| c.format == format) {
            let theirs: Vec<String> = link.iter().map(|c| c.format.to_string()).collect();
            return Err(refuse(format!(
                "its config is {} and {} is written as {format}, and a topology is written in one format",
                theirs.join(", "),
                n.name
            )));
        }
    }
    Ok(())
}

/// A removal must not leave half a topology in the guest: removing a bond or bridge while
/// its members stay (configured as members of nothing), or a VLAN's link while the VLAN
/// stays. A member or VLAN written again by this call stays by its new config.
fn removals_leave_no_half(remove: &[String], nics: &[Nic], configs: &[ConfiguredNic]) -> Result<(), CustomizeError> {
    let stack = Stack::new(configs);
    let handled = |name: &str| remove.iter().any(|r| r == name) || nics.iter().any(|n| n.name == name);
    for name in remove {
        let members: Vec<&str> = stack.members_of(name).into_iter().filter(|m| !handled(m)).collect();
        if !members.is_empty() {
            let kind = match configs.iter().find(|c| &c.name == name).map(|c| &c.kind) {
                Some(LinkKind::Bridge) => "bridge",
                _ => "bond",
            };
            let flags: Vec<String> = members.iter().map(|m| format!("--nic-remove {m}")).collect();
            return Err(CustomizeError::Refused(format!(
                "--nic-remove {name}: its member{} {} would stay, configured as member{} of a {kind} that is gone; \
                 remove {} too ({}) or write {} again (--nic name=...)",
                plural(members.len()),
                members.join(", "),
                plural(members.len()),
                them(members.len()),
                flags.join(" "),
                them(members.len()),
            )));
        }
        let mut vlans: Vec<&str> =
            stack.vlans_on(name).into_iter().map(|v| v.name.as_str()).filter(|v| !handled(v)).collect();
        vlans.dedup();
        if !vlans.is_empty() {
            let flags: Vec<String> = vlans.iter().map(|v| format!("--nic-remove {v}")).collect();
            return Err(CustomizeError::Refused(format!(
                "--nic-remove {name}: VLAN{} {} would stay, running on a link that is gone; remove {} too ({})",
                plural(vlans.len()),
                vlans.join(", "),
                them(vlans.len()),
                flags.join(" "),
            )));
        }
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn them(n: usize) -> &'static str {
    if n == 1 { "it" } else { "them" }
}

/// A NIC written again keeps the guest's VLANs on it (the ones that stay): networkd names
/// them in the link's own file (`VLAN=`), which the new file replaces.
fn keep_guest_vlans(nics: &mut [Nic], configs: &[ConfiguredNic], removed: &dyn Fn(&ConfiguredNic) -> bool) {
    let names: Vec<String> = nics.iter().map(|n| n.name.clone()).collect();
    let stack = Stack::new(configs);
    for n in nics.iter_mut().filter(|n| !matches!(n.kind, NicKind::Vlan(_))) {
        for v in stack.vlans_on(&n.name) {
            if !removed(v) && !names.contains(&v.name) && !n.vlans.contains(&v.name) {
                n.vlans.push(v.name.clone());
            }
        }
    }
}

/// What to delete (or rewrite) so that no config of a NIC is left where `goes` says it goes
/// (`goes(config, file)`: whether that config's say in `file`, its main file or one of its
/// companions, goes): every file all of whose configs go is deleted, with the `.link` files
/// naming NICs whose main file goes; `/etc/network/interfaces` (whose content is
/// `eni_main`) loses just their stanzas. Any other file that also configures NICs that stay
/// is left alone, with a warning.
fn cleanup(
    configs: &[ConfiguredNic],
    links: &LinkMap,
    goes: &dyn Fn(&ConfiguredNic, &str) -> bool,
    eni_main: Option<&str>,
) -> (Vec<String>, Vec<GuestFile>) {
    let mut deletes: Vec<String> = Vec::new();
    let mut rewrites = Vec::new();
    let mut files: Vec<&str> = configs
        .iter()
        .flat_map(|c| std::iter::once(c.file.as_str()).chain(c.also.iter().map(String::as_str)))
        .collect();
    files.sort();
    files.dedup();
    for file in files {
        let in_file: Vec<&ConfiguredNic> =
            configs.iter().filter(|c| c.file == file || c.also.iter().any(|a| a == file)).collect();
        let hit: Vec<&str> = in_file.iter().filter(|c| goes(c, file)).map(|c| c.name.as_str()).collect();
        if hit.is_empty() {
            continue;
        }
        if hit.len() == in_file.len() {
            deletes.push(file.to_string());
        } else if let Some(content) = eni_main.filter(|_| file == guestconf::ENI_FILE) {
            // The main interfaces file keeps everything but the stanzas of these NICs.
            rewrites.push(GuestFile { path: file.to_string(), mode: 0o644, content: eni::without(content, &hit) });
        } else {
            say!("{ME}: warning: {file} also configures other interfaces; {} left there", hit.join(", "));
        }
    }
    for c in configs.iter().filter(|c| goes(c, &c.file)) {
        // Ours too: a NIC written again gets its .link back after the deletes.
        for l in links.all().iter().filter(|l| l.name == c.name) {
            if !deletes.contains(&l.path) {
                deletes.push(l.path.clone());
            }
        }
    }
    (deletes, rewrites)
}

/// With `-d`: pairs the image's configs that stay (`stays`) and this call's NICs with the
/// domain's interfaces by the one rule (`crate::pairing`). Each NIC of the call without
/// `hwaddr=` takes its interface's MAC. With `sync` (`--sync-macs`, after a clone), every
/// config pinned to a MAC that is not its interface's (stale pins re-paired) gets that MAC:
/// the returned edits replace it in its file and in the `.link` files that match it.
pub(crate) fn pair_with_domain(
    nics: &mut [crate::nic::Nic],
    configs: &[ConfiguredNic],
    links: &LinkMap,
    d: &DomainInfo,
    stays: &dyn Fn(&ConfiguredNic) -> bool,
    sync: bool,
) -> Result<Vec<(String, String)>, CustomizeError> {
    // Only devices take a domain interface (VLANs, bonds and bridges have no MAC).
    let mut image: Vec<&ConfiguredNic> = configs.iter().filter(|c| c.is_device() && stays(c)).collect();
    image.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    image.dedup_by(|a, b| a.name == b.name && a.hwaddr == b.hwaddr);
    let mut all: Vec<Config<'_>> = image.iter().map(|c| Config { name: &c.name, mac: c.hwaddr }).collect();
    // Only Ethernet NICs take a domain interface (VLANs, bonds and bridges have no MAC).
    let ethernet = |n: &&mut crate::nic::Nic| n.kind == crate::nic::NicKind::Ethernet;
    all.extend(
        nics.iter()
            .filter(|n| n.kind == crate::nic::NicKind::Ethernet)
            .map(|n| Config { name: &n.name, mac: n.hwaddr.filter(|_| !n.hwaddr_generated) }),
    );
    let ifaces: Vec<Option<MacAddr>> = d.interfaces.iter().map(|i| i.mac).collect();
    let pairs = pair(&all, &ifaces, if sync { Stale::Repair } else { Stale::Unpaired });
    for (c, p) in all.iter().zip(&pairs) {
        match p {
            Some((i, why)) => {
                let mac = ifaces.get(*i).copied().flatten().map(|m| m.to_string()).unwrap_or_else(|| "-".into());
                debug!("{}: {} -> interface {i} ({mac}), {why}", d.name, c.name);
            }
            None => debug!("{}: {}: paired with no interface", d.name, c.name),
        }
    }
    let mac_of = |p: Option<(usize, crate::pairing::Why)>| p.and_then(|(i, _)| ifaces.get(i).copied().flatten());
    let (image_pairs, nic_pairs) = pairs.split_at(image.len());
    for (n, p) in nics.iter_mut().filter(ethernet).zip(nic_pairs) {
        if !n.hwaddr_generated {
            continue;
        }
        let Some(mac) = mac_of(*p) else {
            return Err(MappingError::NoDomainMac { nic: n.name.clone(), domain: d.name.clone() }.into());
        };
        n.hwaddr = Some(mac);
        n.hwaddr_generated = false;
    }
    let mut edits = Vec::new();
    if !sync {
        return Ok(edits);
    }
    for (c, p) in image.iter().zip(image_pairs) {
        let Some(old) = c.hwaddr else { continue }; // unpinned: nothing to sync
        let Some(new) = mac_of(*p) else {
            say!(
                "{ME}: sync-macs: {} ({}): no interface of domain {} is left for it; left alone",
                c.name,
                c.file,
                d.name
            );
            continue;
        };
        if old == new {
            continue;
        }
        say!("{ME}: sync-macs: {} ({}): HWADDR {old} -> {new}", c.name, c.file);
        // MACs are hex digits and colons: nothing in them is special to perl.
        let expr = format!("s/{old}/{new}/gi");
        edits.push((c.file.clone(), expr.clone()));
        for l in links.all().iter().filter(|l| l.mac == old) {
            edits.push((l.path.clone(), expr.clone()));
        }
    }
    if edits.is_empty() {
        say!("{ME}: sync-macs: every HWADDR already matches the domain");
    }
    Ok(edits)
}

/// The `-a` images, each with the `--format` given before it (`auto`: probe), in every
/// spelling virt-customize accepts (`-a F`, `-aF`, `--add=F`, `-add F`, ...).
fn images(items: &[Item]) -> Vec<inspect::Disk> {
    inspect::disks(proxy::tool_options(items, &VIRT_CUSTOMIZE).into_iter().filter_map(|(opt, value)| {
        match (opt.is("add"), opt.is("format"), value) {
            (true, _, Some(v)) => Some(inspect::DiskArg::Add(v.into())),
            (_, true, Some(v)) => Some(inspect::DiskArg::Format(v)),
            _ => None,
        }
    }))
}

pub fn main() -> ! {
    super::proxy_main(ME, &VIRT_CUSTOMIZE, OPTIONS, || help(&DOC), plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_plan(a: &[&str]) -> Result<Plan, String> {
        let ws = Workspace::new("rejviz-test");
        let items =
            proxy::scan(a.iter().map(std::ffi::OsString::from), &VIRT_CUSTOMIZE, OPTIONS).map_err(|e| e.to_string())?;
        plan(items, &ws).map_err(|e| e.to_string())
    }

    fn args(p: &Plan) -> Vec<String> {
        p.args.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    /// A shut-off domain `vm` with an interface per MAC.
    fn domain_with(macs: &[&str]) -> DomainInfo {
        let iface = |m: &&str| crate::libvirt::DomainInterface {
            mac: Some(m.parse().unwrap()),
            kind: "network".into(),
            source: None,
            model: None,
        };
        DomainInfo {
            name: "vm".into(),
            uri: "test:///".into(),
            active: false,
            disks: vec![],
            interfaces: macs.iter().map(iface).collect(),
        }
    }

    #[test]
    fn images_in_every_spelling_with_the_format_before_them() {
        let items = proxy::scan(
            ["-a", "a", "-ab", "--format=qcow2", "--add=c", "-add", "d", "--format", "auto", "--ad", "e", "-a=f"]
                .map(std::ffi::OsString::from),
            &VIRT_CUSTOMIZE,
            OPTIONS,
        )
        .unwrap();
        let got: Vec<(String, Option<String>)> =
            images(&items).into_iter().map(|d| (d.path.display().to_string(), d.format)).collect();
        let q = Some("qcow2".to_string());
        // `-a=f` is ambiguous to virt-customize (-add, -append-line, -attach...): no image.
        let want = [("a", None), ("b", None), ("c", q.clone()), ("d", q), ("e", None)];
        assert_eq!(got, want.map(|(p, f)| (p.to_string(), f)));
    }

    #[test]
    fn writes_stand_where_the_first_nic_option_stood() {
        // An explicit format needs no look at the guest.
        let p = run_plan(&[
            "-a",
            "x.img",
            "--hostname",
            "h",
            "--nic",
            "name=eth0,hwaddr=52:54:00:00:00:01",
            "--nic-format",
            "networkd",
            "--timezone",
            "UTC",
        ])
        .unwrap();
        let a = args(&p);
        assert_eq!(a[..4], ["-a", "x.img", "--hostname", "h"]);
        // An older rejviz's .link in /etc (which the initramfs would copy) goes first.
        assert_eq!(a[4..6], ["--delete", "/etc/systemd/network/10-rejviz-eth0.link"]);
        assert_eq!(a[6..8], ["--mkdir", "/etc/systemd/network"]);
        assert_eq!(a[8], "--write");
        assert!(a[9].starts_with(
            "/etc/systemd/network/50-rejviz-eth0.network:# Written by rejviz\n[Match]\nMACAddress=52:54:00:00:00:01\n"
        ));
        assert_eq!(a[10..12], ["--chmod", "0644:/etc/systemd/network/50-rejviz-eth0.network"]);
        assert_eq!(a[12..14], ["--mkdir", "/usr/local/lib/systemd/network"]);
        assert!(a[15].starts_with("/usr/local/lib/systemd/network/10-rejviz-eth0.link:"));
        assert_eq!(a[a.len() - 3..], ["--selinux-relabel", "--timezone", "UTC"]);
    }

    #[test]
    fn cleanup_deletes_whole_files_and_keeps_loopback() {
        use crate::guestconf::Format;
        let c = |name: &str, file: &str, lo: bool| {
            let mut c = ConfiguredNic::new(name, file, Format::Eni);
            if lo {
                c.kind = LinkKind::Loopback;
            }
            c
        };
        let configs = vec![
            c("lo", "/etc/network/interfaces", true),
            c("eth0", "/etc/network/interfaces", false),
            c("eth1", "/etc/network/interfaces.d/eth1", false),
            c("eth2", "/etc/netplan/50-cloud-init.yaml", false),
            c("eth3", "/etc/netplan/50-cloud-init.yaml", false),
        ];
        let links = LinkMap::default();
        let main = "auto lo\niface lo inet loopback\nallow-hotplug eth0\niface eth0 inet dhcp\n";
        let (del, rew) =
            cleanup(&configs, &links, &|c: &ConfiguredNic, _: &str| c.kind != LinkKind::Loopback, Some(main));
        assert_eq!(del, ["/etc/netplan/50-cloud-init.yaml", "/etc/network/interfaces.d/eth1"]);
        assert_eq!(rew.len(), 1);
        assert_eq!(rew[0].content, "auto lo\niface lo inet loopback\n");
        // Removing one NIC of a shared file leaves the file (with a warning).
        let (del, rew) = cleanup(&configs, &links, &|c: &ConfiguredNic, _: &str| c.name == "eth2", Some(main));
        assert!(del.is_empty() && rew.is_empty());
    }

    #[test]
    fn cleanup_deletes_the_links_naming_a_removed_nic_ours_included() {
        use crate::guestconf::{Format, link};
        let configs = vec![ConfiguredNic::new("eth1", "/etc/systemd/network/50-rejviz-eth1.network", Format::Networkd)];
        let mut links = LinkMap::default();
        for (path, name) in
            [(link::path("eth1"), "eth1"), (link::legacy_path("eth1"), "eth1"), (link::path("eth2"), "eth2")]
        {
            links.add(link::Link { path, mac: "52:54:00:00:00:01".parse().unwrap(), name: name.into(), mtu: None });
        }
        let (del, _) = cleanup(&configs, &links, &|_: &ConfiguredNic, _: &str| true, None);
        assert_eq!(
            del,
            [
                "/etc/systemd/network/50-rejviz-eth1.network",
                "/usr/local/lib/systemd/network/10-rejviz-eth1.link",
                "/etc/systemd/network/10-rejviz-eth1.link"
            ]
        );
    }

    #[test]
    fn new_nics_and_sync_follow_the_one_pairing_rule() {
        use crate::guestconf::Format;
        let dom = domain_with;
        let (a, b, c) = ("52:54:00:00:00:0a", "52:54:00:00:00:0b", "52:54:00:00:00:0c");
        let mut eth0 = ConfiguredNic::new("eth0", "/n/ifcfg-eth0", Format::Ifcfg);
        eth0.hwaddr = Some(a.parse().unwrap());
        // The example: eth0 pinned to A; a new unpinned eth2 binds to C (the kernel's
        // eth2), not to B; a NIC with another name takes the first free interface.
        let mut nics = crate::nic::parse_nics(&["name=eth2", "name=lan"]).unwrap();
        pair_with_domain(
            &mut nics,
            std::slice::from_ref(&eth0),
            &LinkMap::default(),
            &dom(&[a, b, c]),
            &|_| true,
            false,
        )
        .unwrap();
        assert_eq!(
            nics.iter().map(|n| n.hwaddr.map(|m| m.to_string()).unwrap_or_default()).collect::<Vec<_>>(),
            [c, b]
        );
        assert!(nics.iter().all(|n| !n.hwaddr_generated));
        // After a clone (new MACs A', B', C'), --sync-macs re-pins eth2 to C', eth0 to A'.
        let mut eth2 = ConfiguredNic::new("eth2", "/n/ifcfg-eth2", Format::Ifcfg);
        eth2.hwaddr = Some(c.parse().unwrap());
        let clone = dom(&["52:54:00:00:01:0a", "52:54:00:00:01:0b", "52:54:00:00:01:0c"]);
        let edits = pair_with_domain(&mut [], &[eth2, eth0], &LinkMap::default(), &clone, &|_| true, true).unwrap();
        assert_eq!(
            edits,
            [
                ("/n/ifcfg-eth0".to_string(), format!("s/{a}/52:54:00:00:01:0a/gi")),
                ("/n/ifcfg-eth2".to_string(), format!("s/{c}/52:54:00:00:01:0c/gi")),
            ]
        );
        // No interface left for a new NIC: one clear error.
        let mut too_many = crate::nic::parse_nics(&["name=a", "name=b"]).unwrap();
        assert_eq!(
            pair_with_domain(&mut too_many, &[], &LinkMap::default(), &dom(&[a]), &|_| true, false)
                .unwrap_err()
                .to_string(),
            "--nic b: domain vm has no interface left to take a MAC from; give hwaddr="
        );
    }

    #[test]
    fn sync_edits_replace_the_mac_in_any_format_and_its_link() {
        use crate::guestconf::{Format, link};
        let mut key =
            ConfiguredNic::new("eth0", "/etc/NetworkManager/system-connections/eth0.nmconnection", Format::Keyfile);
        key.hwaddr = Some("52:54:00:00:00:01".parse().unwrap());
        let mut np = ConfiguredNic::new("eth1", "/etc/netplan/50-cloud-init.yaml", Format::Netplan);
        np.hwaddr = Some("52:54:00:00:00:02".parse().unwrap());
        let mut links = LinkMap::default();
        links.add(link::Link {
            path: "/etc/systemd/network/10-rejviz-eth0.link".into(),
            mac: key.hwaddr.unwrap(),
            name: "eth0".into(),
            mtu: None,
        });
        let d = domain_with(&["52:54:00:00:00:a1", "52:54:00:00:00:02"]);
        let edits = pair_with_domain(&mut [], &[np, key], &links, &d, &|_| true, true).unwrap();
        assert_eq!(
            edits,
            vec![
                (
                    "/etc/NetworkManager/system-connections/eth0.nmconnection".to_string(),
                    "s/52:54:00:00:00:01/52:54:00:00:00:a1/gi".to_string()
                ),
                (
                    "/etc/systemd/network/10-rejviz-eth0.link".to_string(),
                    "s/52:54:00:00:00:01/52:54:00:00:00:a1/gi".to_string()
                ),
            ]
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(run_plan(&["-a", "x", "--sync-macs"]).unwrap_err(), "--sync-macs needs a domain (-d DOMAIN)");
        assert_eq!(
            run_plan(&["-d", "x", "--sync-macs", "--nic-reset"]).unwrap_err(),
            "--sync-macs and --nic-reset: the reset would delete the configs to sync"
        );
        assert_eq!(
            run_plan(&["-a", "x", "--nic-remove", "a/b"]).unwrap_err(),
            "--nic-remove: 'a/b' contains '/', which an interface name cannot"
        );
        assert_eq!(
            run_plan(&["-a", "x", "--nic-remove", "eth0", "--nic", "name=eth0"]).unwrap_err(),
            "--nic-remove eth0 and --nic name=eth0: remove or write, not both"
        );
        assert_eq!(
            run_plan(&["-a", "x", "--nic", "name=eth0,ipaddr=1"]).unwrap_err(),
            "--nic eth0: ipaddr: '1' is not an IPv4 address"
        );
        assert_eq!(
            run_plan(&["-a", "x", "--nic", "name=eth0,onboot=no", "--nic-format", "netplan"]).unwrap_err(),
            "--nic eth0: onboot: netplan cannot express onboot=no; choose another format (format= or --nic-format)"
        );
        assert_eq!(
            run_plan(&["-a", "x", "--nic-format", "yaml"]).unwrap_err(),
            "--nic-format: 'yaml' is not one of ifcfg, keyfile, netplan, eni, networkd"
        );
    }

    /// The configs and `.link` files a guest has after `values` were written in `format`.
    fn guest_with(values: &[&str], format: Format) -> (Vec<ConfiguredNic>, LinkMap) {
        let nics = parse_nics(values).unwrap();
        let files: Vec<GuestFile> = nics.iter().flat_map(|n| guestconf::write(n, format).unwrap()).collect();
        let (configs, bad, links) =
            guestconf::configs_in_files(files.iter().map(|f| (f.path.as_str(), f.content.as_bytes())));
        assert!(bad.is_empty(), "{bad:?}");
        (configs, links)
    }

    const LAB: &[&str] = &[
        "name=eth0,hwaddr=52:54:00:00:00:10,ipaddr=10.0.1.5/24",
        "name=eth1,hwaddr=52:54:00:00:00:11",
        "name=eth2,hwaddr=52:54:00:00:00:12",
        "name=bond0,type=bond,members=eth1+eth2,mode=active-backup,bootproto=none",
        "name=bond0.100,type=vlan,link=bond0,id=100,ipaddr=172.16.100.5/24,routes=10.10.0.0/16@172.16.100.1",
    ];

    /// A removed NIC's companion files (networkd's .netdev, ifcfg's route-NAME) go with its
    /// config; a NIC written again at the same path loses its old companions (the write
    /// brings back what it needs), and keeps its main file for the write to replace.
    #[test]
    fn cleanup_deletes_companion_files() {
        let (configs, links) = guest_with(LAB, Format::Networkd);
        let gone = ["bond0", "bond0.100", "eth1", "eth2"];
        let (del, _) = cleanup(&configs, &links, &|c: &ConfiguredNic, _: &str| gone.contains(&c.name.as_str()), None);
        let d = "/etc/systemd/network/50-rejviz-";
        let l = "/usr/local/lib/systemd/network/10-rejviz-";
        assert_eq!(
            del,
            [
                format!("{d}bond0.100.netdev"),
                format!("{d}bond0.100.network"),
                format!("{d}bond0.netdev"),
                format!("{d}bond0.network"),
                format!("{d}eth1.network"),
                format!("{d}eth2.network"),
                format!("{l}eth1.link"),
                format!("{l}eth2.link"),
            ]
        );
        let (configs, links) = guest_with(LAB, Format::Ifcfg);
        let n = "/etc/sysconfig/network-scripts/";
        let written = format!("{n}ifcfg-bond0.100");
        let goes = |c: &ConfiguredNic, file: &str| c.name == "bond0.100" && file != written;
        assert_eq!(cleanup(&configs, &links, &goes, None).0, [format!("{n}route-bond0.100")]);
    }

    #[test]
    fn removing_half_a_topology_is_refused() {
        let (configs, _) = guest_with(LAB, Format::Ifcfg);
        let check = |remove: &[&str], nics: &[&str]| {
            let remove: Vec<String> = remove.iter().map(|r| r.to_string()).collect();
            removals_leave_no_half(&remove, &parse_nics(nics).unwrap(), &configs).map_err(|e| e.to_string())
        };
        assert_eq!(
            check(&["bond0"], &[]).unwrap_err(),
            "--nic-remove bond0: its members eth1, eth2 would stay, configured as members of a bond that is gone; \
             remove them too (--nic-remove eth1 --nic-remove eth2) or write them again (--nic name=...)"
        );
        assert_eq!(
            check(&["bond0", "eth1", "eth2"], &[]).unwrap_err(),
            "--nic-remove bond0: VLAN bond0.100 would stay, running on a link that is gone; remove it too \
             (--nic-remove bond0.100)"
        );
        assert_eq!(
            check(&["bond0", "eth1", "bond0.100"], &[]).unwrap_err(),
            "--nic-remove bond0: its member eth2 would stay, configured as member of a bond that is gone; remove it \
             too (--nic-remove eth2) or write it again (--nic name=...)"
        );
        assert_eq!(check(&["bond0", "eth1", "eth2", "bond0.100"], &[]), Ok(()));
        // Members written again by the call stay by their new config.
        assert_eq!(check(&["bond0", "bond0.100"], &["name=eth1", "name=eth2"]), Ok(()));
        // Removing a member, or a VLAN, alone leaves nothing half there.
        assert_eq!(check(&["eth1", "bond0.100"], &[]), Ok(()));
    }

    /// A member in the guest is declared in the call, with its MAC, as a member (no address);
    /// one without a MAC (on an image) or that is not an Ethernet NIC is refused, asking to
    /// declare it.
    #[test]
    fn guest_members_are_declared_and_links_kept() {
        let (configs, _) = guest_with(
            &["name=eth0,hwaddr=52:54:00:00:00:10,ipaddr=10.0.1.5/24,mtu=9000", "name=eth1", "name=eth5"],
            Format::Ifcfg,
        );
        let mut configs = configs;
        configs[1].hwaddr = None; // eth1: a config that pins no MAC
        let none = |_: &ConfiguredNic| false;
        let mut values = vec!["name=br0,type=bridge,members=eth0,ipaddr=10.0.1.5/24".to_string()];
        let nics = beside_the_guest(&mut values, &configs, &none, false).unwrap();
        assert_eq!(values[1], "name=eth0,hwaddr=52:54:00:00:00:10,mtu=9000");
        let eth0 = nics.iter().find(|n| n.name == "eth0").unwrap();
        assert_eq!(
            (eth0.master.as_ref().map(|m| m.name.as_str()), &eth0.ipv4),
            (Some("br0"), &crate::nic::Ipv4Config::NoAddress)
        );
        let beside = |v: &str, configs: &[ConfiguredNic], removed: &dyn Fn(&ConfiguredNic) -> bool, on_domain| {
            beside_the_guest(&mut vec![v.to_string()], configs, removed, on_domain)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let err = |v: &str, on_domain: bool| beside(v, &configs, &none, on_domain);
        assert_eq!(
            err("name=bond0,type=bond,members=eth1", false).unwrap_err(),
            "--nic bond0: members: eth1 is configured in the guest (/etc/sysconfig/network-scripts/ifcfg-eth1) \
             without a MAC; declare it in this call too (--nic name=eth1,hwaddr=MAC,bootproto=none)"
        );
        // With -d the domain gives it one (pair_with_domain).
        assert_eq!(err("name=bond0,type=bond,members=eth1", true), Ok(()));
        // A VLAN on a guest NIC leaves the NIC's config alone; a removed NIC is no link.
        assert_eq!(err("name=eth5.7,type=vlan,link=eth5,id=7", false), Ok(()));
        assert_eq!(
            beside("name=eth5.7,type=vlan,link=eth5,id=7", &configs, &|c: &ConfiguredNic| c.name == "eth5", false),
            Err("--nic eth5.7: link: eth5 is not a --nic of this call".into())
        );
        // A bond in the guest as a bridge's member: its config would have to say so.
        let (bonded, _) = guest_with(LAB, Format::Ifcfg);
        assert_eq!(
            beside("name=br1,type=bridge,members=bond0", &bonded, &none, false),
            Err(
                "--nic br1: members: bond0 is configured in the guest (/etc/sysconfig/network-scripts/ifcfg-bond0) as \
                 a bond, whose config a member's must replace; declare it in this call too \
                 (--nic name=bond0,type=bond,...)"
                    .into()
            )
        );
        // The guest's own rules hold: eth1 is bond0's already.
        assert_eq!(
            beside("name=bond1,type=bond,members=eth1", &bonded, &none, false),
            Err("--nic bond1: members: eth1 is already a member of bond0; a NIC has one master".into())
        );
    }

    #[test]
    fn guest_links_need_the_vlans_format_and_not_networkd() {
        let none = |_: &ConfiguredNic| false;
        let (configs, _) = guest_with(&["name=eth5,hwaddr=52:54:00:00:00:15"], Format::Ifcfg);
        let vlan = |format: &str| {
            parse_nics_beside(
                &[format!("name=eth5.7,type=vlan,link=eth5,id=7,format={format}")],
                &[GuestIface { name: "eth5", kind: "ethernet", master: None }],
            )
            .unwrap()
        };
        assert!(links_in_guest(&vlan("ifcfg"), &configs, &none, None).is_ok());
        assert_eq!(
            links_in_guest(&vlan("keyfile"), &configs, &none, None).unwrap_err().to_string(),
            "--nic eth5.7: link: eth5 is configured in the guest (/etc/sysconfig/network-scripts/ifcfg-eth5); its \
             config is ifcfg and eth5.7 is written as keyfile, and a topology is written in one format: declare it \
             in this call too (--nic name=eth5,...)"
        );
        let (configs, _) = guest_with(&["name=eth5,hwaddr=52:54:00:00:00:15"], Format::Networkd);
        assert_eq!(
            links_in_guest(&vlan("networkd"), &configs, &none, None).unwrap_err().to_string(),
            "--nic eth5.7: link: eth5 is configured in the guest (/etc/systemd/network/50-rejviz-eth5.network); \
             networkd names a VLAN in its link's own .network file: declare it in this call too (--nic name=eth5,...)"
        );
    }

    /// A link written again keeps naming the guest's VLANs on it (networkd's VLAN=).
    #[test]
    fn a_link_written_again_keeps_its_vlans() {
        let (configs, _) = guest_with(LAB, Format::Networkd);
        let mut nics = parse_nics(&["name=bond0,type=bond,members=eth1+eth2", "name=eth1", "name=eth2"]).unwrap();
        keep_guest_vlans(&mut nics, &configs, &|_: &ConfiguredNic| false);
        assert_eq!(nics[0].vlans, ["bond0.100"]);
        let files = guestconf::write(&nics[0], Format::Networkd).unwrap();
        assert!(files[0].content.contains("VLAN=bond0.100\n"), "{}", files[0].content);
        let mut nics = parse_nics(&["name=bond0,type=bond,members=eth1+eth2", "name=eth1", "name=eth2"]).unwrap();
        keep_guest_vlans(&mut nics, &configs, &|c: &ConfiguredNic| c.name == "bond0.100");
        assert!(nics[0].vlans.is_empty());
    }

    /// --sync-macs after a clone re-pins a bond's members, wherever their MAC is written
    /// (networkd: PermanentMACAddress=, and the .link files); the bond and its VLAN have no
    /// MAC and take no interface.
    #[test]
    fn sync_macs_repins_members() {
        let (configs, links) = guest_with(LAB, Format::Networkd);
        let clone = domain_with(&["52:54:00:00:01:10", "52:54:00:00:01:11", "52:54:00:00:01:12"]);
        let edits = pair_with_domain(&mut [], &configs, &links, &clone, &|_| true, true).unwrap();
        let d = "/etc/systemd/network/50-rejviz-";
        let l = "/usr/local/lib/systemd/network/10-rejviz-";
        let e = |f: String, old: &str, new: &str| (f, format!("s/52:54:00:00:00:{old}/52:54:00:00:01:{new}/gi"));
        assert_eq!(
            edits,
            [
                e(format!("{d}eth0.network"), "10", "10"),
                e(format!("{l}eth0.link"), "10", "10"),
                e(format!("{d}eth1.network"), "11", "11"),
                e(format!("{l}eth1.link"), "11", "11"),
                e(format!("{d}eth2.network"), "12", "12"),
                e(format!("{l}eth2.link"), "12", "12"),
            ]
        );
        assert!(configs.iter().find(|c| c.name == "eth1").unwrap().hwaddr.is_some());
        let eth1 = guestconf::write(&parse_nics(LAB).unwrap()[1], Format::Networkd).unwrap();
        assert!(eth1[0].content.contains("PermanentMACAddress=52:54:00:00:00:11\n"));
    }
}
