//! `rejviz-customize`: `virt-customize` plus `--nic`, `--nic-remove`, `--nic-reset`,
//! `--sync-macs` and RHSM, on an image (`-a`) or a libvirt domain (`-d`).

use super::guestops::{self, NicWork};
use super::{Plan, UsageError, Workspace, help};
use crate::guestconf::link::LinkMap;
use crate::guestconf::{self, ConfiguredNic, GuestFile, LinkKind, detect, eni};
use crate::inspect;
use crate::libvirt::{self, DomainInfo};
use crate::mapping::MappingError;
use crate::nic::{MacAddr, natural_cmp, parse_nics, validate_ifname};
use crate::pairing::{Config, Stale, pair};
use crate::proxy::{self, Item, OurOption, VIRT_CUSTOMIZE, given, tool_values, values};

const ME: &str = "rejviz-customize";

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
    super::HELP,
    super::VERSION,
];

pub const NIC_REMOVE: OurOption =
    OurOption::value("nic-remove", "NAME", "Delete the configs of interface NAME, in every format (repeatable).");
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

const DETAILS: &str = "\nMACs for a --nic without hwaddr=: with -a, a random 52:54:00:xx:xx:xx. With -d, the MAC of
the domain interface the pairing rule gives it (by MAC, then ethN is interface N, then
natural order; see README), so that the config matches an interface the domain has and no
other config's. When none is left, give hwaddr=. A running domain is refused before
anything is written. The NIC operations (reset, removals, HWADDR edits, writes) stand, in
that order, where the first NIC option stood among the customizations.\n";

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
    let mut nics = parse_nics(&values(&items, &guestops::NIC))?;
    let remove: Vec<String> = values(&items, &NIC_REMOVE).into_iter().map(str::to_string).collect();
    for name in &remove {
        validate_ifname(name).map_err(|e| CustomizeError::Refused(format!("--nic-remove: {e}")))?;
        if nics.iter().any(|n| &n.name == name) {
            return Err(CustomizeError::Refused(format!(
                "--nic-remove {name} and --nic name={name}: remove or write, not both"
            )));
        }
    }
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
    let auto = !nics.is_empty() && call_format.is_none() && nics.iter().any(|n| n.format.is_none());
    let mut work = NicWork { format: call_format, ..NicWork::default() };
    // With -d, a --nic without hwaddr= takes the MAC of the interface the pairing rule gives
    // it among the image's configs: the guest is read for that too.
    let pair_new = domain.is_some() && nics.iter().any(|n| n.hwaddr_generated);
    if auto || reset || !remove.is_empty() || sync || pair_new {
        let disks = match &domain {
            Some(d) => d.disks.clone(),
            None => images(&items),
        };
        let (snap, used) = inspect::read_guest(&disks, &guestconf::want(), reader)?;
        if proxy::tool_flag(&items, &VIRT_CUSTOMIZE, "verbose") {
            say!("{ME}: {used}");
        }
        let (configs, unreadable, links) = guestconf::configs_and_links(&snap);
        for u in &unreadable {
            say!("{ME}: warning: {}: {} (left alone)", u.file, u.reason);
        }
        if auto {
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
        // Each written NIC replaces its other configs (another format, another file name).
        let mut written: Vec<(String, String)> = Vec::new();
        for n in &nics {
            written.push((n.name.clone(), guestconf::config_path(guestops::format_of(n, work.format)?, &n.name)));
        }
        let targeted = |c: &ConfiguredNic| {
            (reset && c.kind != LinkKind::Loopback && c.name != "lo")
                || remove.contains(&c.name)
                || written.iter().any(|(n, path)| *n == c.name && *path != c.file)
        };
        let eni_main = snap.file(guestconf::ENI_FILE).map(|f| String::from_utf8_lossy(&f.content).into_owned());
        let (deletes, rewrites) = cleanup(&configs, &links, &targeted, eni_main.as_deref());
        work.deletes = deletes;
        work.rewrites = rewrites;
        if let Some(d) = &domain {
            let names: Vec<String> = nics.iter().map(|n| n.name.clone()).collect();
            let stays = |c: &ConfiguredNic| !targeted(c) && !names.contains(&c.name);
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

/// What to delete (or rewrite) so that no config of a `targeted` NIC is left: every file
/// whose NICs are all targeted goes, with the `.link` files naming them;
/// `/etc/network/interfaces` (whose content is `eni_main`) loses just their stanzas. Any
/// other file that also configures NICs that stay is left alone, with a warning.
fn cleanup(
    configs: &[ConfiguredNic],
    links: &LinkMap,
    targeted: &dyn Fn(&ConfiguredNic) -> bool,
    eni_main: Option<&str>,
) -> (Vec<String>, Vec<GuestFile>) {
    let mut deletes: Vec<String> = Vec::new();
    let mut rewrites = Vec::new();
    let mut files: Vec<&str> = configs.iter().map(|c| c.file.as_str()).collect();
    files.sort();
    files.dedup();
    for file in files {
        let in_file: Vec<&ConfiguredNic> = configs.iter().filter(|c| c.file == file).collect();
        let hit: Vec<&str> = in_file.iter().filter(|c| targeted(c)).map(|c| c.name.as_str()).collect();
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
    for c in configs.iter().filter(|c| targeted(c)) {
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
fn pair_with_domain(
    nics: &mut [crate::nic::Nic],
    configs: &[ConfiguredNic],
    links: &LinkMap,
    d: &DomainInfo,
    stays: &dyn Fn(&ConfiguredNic) -> bool,
    sync: bool,
) -> Result<Vec<(String, String)>, CustomizeError> {
    let mut image: Vec<&ConfiguredNic> = configs.iter().filter(|c| c.kind == LinkKind::Ethernet && stays(c)).collect();
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
    super::proxy_main(
        ME,
        &VIRT_CUSTOMIZE,
        OPTIONS,
        || {
            help(
                ME,
                VIRT_CUSTOMIZE.program,
                "rejviz-customize (-a IMAGE | -d DOMAIN [-c URI]) [--nic SPEC]... [--nic-remove NAME]... [--nic-reset] [--sync-macs] [--rhsm-register ...] [--rhsm-unregister] [--print-command] [virt-customize options]",
                "virt-customize, plus guest network configs and RHSM for an existing image or domain.",
                OPTIONS,
                DETAILS,
            )
        },
        plan,
    )
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
        let (del, rew) = cleanup(&configs, &links, &|c: &ConfiguredNic| c.kind != LinkKind::Loopback, Some(main));
        assert_eq!(del, ["/etc/netplan/50-cloud-init.yaml", "/etc/network/interfaces.d/eth1"]);
        assert_eq!(rew.len(), 1);
        assert_eq!(rew[0].content, "auto lo\niface lo inet loopback\n");
        // Removing one NIC of a shared file leaves the file (with a warning).
        let (del, rew) = cleanup(&configs, &links, &|c: &ConfiguredNic| c.name == "eth2", Some(main));
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
        let (del, _) = cleanup(&configs, &links, &|_: &ConfiguredNic| true, None);
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
        use crate::libvirt::DomainInterface;
        let iface = |m: &str| DomainInterface {
            mac: Some(m.parse().unwrap()),
            kind: "network".into(),
            source: None,
            model: None,
        };
        let dom = |macs: &[&str]| DomainInfo {
            name: "vm".into(),
            uri: "test:///".into(),
            active: false,
            disks: vec![],
            interfaces: macs.iter().map(|m| iface(m)).collect(),
        };
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
        use crate::libvirt::DomainInterface;
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
        let iface = |m: &str| DomainInterface {
            mac: Some(m.parse().unwrap()),
            kind: "network".into(),
            source: None,
            model: None,
        };
        let d = DomainInfo {
            name: "vm".into(),
            uri: "test:///".into(),
            active: false,
            disks: vec![],
            interfaces: vec![iface("52:54:00:00:00:a1"), iface("52:54:00:00:00:02")],
        };
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
}
