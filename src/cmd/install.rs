//! `rejviz-install`: `virt-install` plus NICs, MACs, networks and OS taken from the image.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{CommandDoc, Example, Plan, Workspace, help};
use crate::guestconf;
use crate::inspect::{self, Disk, OsInfo};
use crate::libvirt;
use crate::mapping::{self, Host};
use crate::osinfo;
use crate::pairing::{Config, Stale, pair};
use crate::proxy::{self, Item, OurOption, VIRT_INSTALL, given, tool_flag, tool_values, values};

pub(crate) const ME: &str = "rejviz-install";

pub const OPTIONS: &[OurOption] = &[
    NIC_MAPPINGS,
    AUTO_NIC_MAPPINGS,
    super::READER,
    PRINT_COMMAND,
    super::features::INSTALL,
    super::HELP,
    super::VERSION,
];

pub const NIC_MAPPINGS: OurOption = OurOption::value(
    "nic-mappings",
    "NAME=TARGET[,NAME=TARGET]...",
    "Attach the image's interface NAME to TARGET: a libvirt network name, or bridge:BR\n\
     for a host bridge (repeatable). NAME may be a bond, bridge or VLAN: every NIC under\n\
     it (its members, its link) is attached. Only NICs (Ethernet devices) get an\n\
     interface: each becomes --network network=NET,mac=HWADDR,model=virtio (or\n\
     bridge=BR), with the MAC its config pins; a config without HWADDR gets a\n\
     generated MAC, with a warning that the guest binds it by name. The --network\n\
     options stand where the first mapping option stood, in the order the pairing rule\n\
     needs (see README).\n\
     Example: --nic-mappings eth0=default,bond0=lab,eth3=bridge:br0",
);
pub const AUTO_NIC_MAPPINGS: OurOption = OurOption::flag(
    "auto-nic-mappings",
    "Map every NIC the image configures that --nic-mappings does not, by everything it\n\
     carries (its own config, its bond or bridge, the VLANs on it or on its bond): to\n\
     the one libvirt network whose IPv4 subnets hold all those static addresses (and\n\
     that serves DHCP if a DHCP config is among them); with DHCP alone, to the network\n\
     'default' if it exists and serves DHCP. Anything else is an error that says what\n\
     the NIC carries and lists the networks.",
);
pub const PRINT_COMMAND: OurOption = OurOption::flag(
    "print-command",
    "Print the final virt-install command (secrets masked) and run nothing.\n\
     (virt-install's own --dry-run and --print-xml pass through and work.)",
);

const DETAILS: &str = "Without --osinfo/--os-variant, the OS is taken from the image (inspected by libguestfs rules,\n\
checked against the installed osinfo database); a guest newer than the database gets the\n\
newest older version of its distro (debian11 for Debian 12 on an old osinfo-db), with a\n\
note; with no version of its distro known, virt-install decides.\n\
\n\
The image is the path of the first --disk (--disk PATH[,opts] or --disk path=PATH,...), read\n\
read-only with that option's format= (see --reader; virt-install's --debug also says which\n\
reader read it, and why not the direct one). Networks come from libvirt at --connect\n\
(default: LIBVIRT_DEFAULT_URI, then libvirt's default).\n\
Without mapping options the network options are left as they are. Each device config gets\n\
one interface, with the MAC it is pinned to (HWADDR=, a MACAddress=, ...); an image where two\n\
configs are pinned to the same MAC is refused (only one of them could have that interface).\n\
virt-install's --debug/-d also turns on our debug lines on stderr (rejviz-install: debug:\n\
...: the reader, each file read, which step of the pairing rule pairs each config with the\n\
interface made for it); its -v is --hvm, not verbose. Error lines are in colour on a\n\
terminal, unless NO_COLOR is set.\n";

/// What `--help` and `man rejviz-install` say.
pub const DOC: CommandDoc = CommandDoc {
    me: ME,
    tool: &VIRT_INSTALL,
    synopsis: "rejviz-install [--nic-mappings NAME=TARGET,...]... [--auto-nic-mappings] [--reader auto|direct|appliance] [--print-command] [virt-install options]",
    about: "virt-install, with NICs, MACs, networks and OS taken from the image.",
    options: OPTIONS,
    details: DETAILS,
    examples: &[
        Example {
            what: "Import an image, each NIC on the libvirt network its address belongs to",
            command: "rejviz-install --import --name vm1 --memory 1024 --disk vm1.img,format=raw --auto-nic-mappings --noautoconsole",
        },
        Example {
            what: "Attach by hand: eth0 to the network default, both members of bond0 to lab, eth3 to a host bridge; print the virt-install command and run nothing",
            command: "rejviz-install --import --name vm1 --memory 1024 --disk vm1.img,format=raw \
                      --nic-mappings eth0=default,bond0=lab,eth3=bridge:br0 --print-command",
        },
        Example {
            what: "Read the image directly, or fail saying why, rather than launch the libguestfs appliance",
            command: "rejviz-install --reader direct --import --name vm1 --memory 1024 --disk vm1.qcow2 --auto-nic-mappings --print-command",
        },
    ],
};

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Scan(#[from] proxy::ScanError),
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    #[error(transparent)]
    Libvirt(#[from] libvirt::LibvirtError),
    #[error("{0}")]
    Disk(String),
    #[error("cannot read the image: {0}")]
    Image(#[from] inspect::InspectError),
    #[error(transparent)]
    Usage(#[from] super::UsageError),
}

impl super::Refusal for InstallError {
    fn exit_code(&self) -> i32 {
        match self {
            InstallError::Usage(u) => u.exit_code(),
            _ => super::EXIT_USAGE,
        }
    }
}

/// The image of the first `--disk`: its path and format, or why there is none.
pub fn first_disk(items: &[Item]) -> Result<Disk, InstallError> {
    let Some(value) = tool_values(items, &VIRT_INSTALL, "disk").into_iter().next() else {
        return Err(InstallError::Disk("no --disk: rejviz-install reads the guest from the first --disk".into()));
    };
    // Split as virt-install splits it (shlex, ',' between fields): the same path as it sees.
    let fields = crate::optlist::split_virt_options(&value).map_err(|e| {
        InstallError::Disk(format!(
            "the first --disk ({}) cannot be read: {e} (virt-install splits it like a POSIX shell, on ',')",
            crate::nic::shown(&value)
        ))
    })?;
    let mut path = None;
    let mut format = None;
    for (i, f) in fields.iter().enumerate() {
        match f.split_once('=') {
            None if i == 0 => path = Some(f.clone()),
            Some(("path", p)) => path = Some(p.to_string()),
            Some(("format", v)) => format = Some(v.to_string()),
            Some(("vol", _)) => {
                return Err(InstallError::Disk(format!(
                    "the first --disk ({}) is a storage volume; rejviz-install needs path=IMAGE",
                    crate::nic::shown(&value)
                )));
            }
            _ => {}
        }
    }
    match path.filter(|p| !p.is_empty() && p != "none") {
        Some(p) => Ok(Disk { path: PathBuf::from(p), format }),
        None => {
            Err(InstallError::Disk(format!("the first --disk ({}) names no image path", crate::nic::shown(&value))))
        }
    }
}

fn bridge_exists(uri: Option<&str>) -> impl Fn(&str) -> bool + '_ {
    move |br: &str| {
        // Host bridges can be checked only on this host.
        let local = uri.is_none_or(|u| u.contains(":///"));
        !local || Path::new("/sys/class/net").join(br).join("bridge").is_dir()
    }
}

/// Parses, reads the image and libvirt as needed, and decides the final virt-install command.
pub fn plan(items: Vec<Item>, _ws: &Workspace) -> Result<Plan, InstallError> {
    let manual = mapping::parse_mappings(&values(&items, &NIC_MAPPINGS))?;
    let auto = given(&items, &AUTO_NIC_MAPPINGS);
    let print_command = given(&items, &PRINT_COMMAND);
    let reader = super::reader(&items)?;
    let mapping_wanted = auto || !manual.is_empty();
    let osinfo_given = tool_flag(&items, &VIRT_INSTALL, "osinfo");

    let mut attaches = Vec::new();
    let mut osinfo_id = None;
    if mapping_wanted || !osinfo_given {
        let disk = match first_disk(&items) {
            Ok(d) => Some(d),
            Err(e) if mapping_wanted => return Err(e),
            Err(_) => None, // no image to learn the OS from: virt-install decides
        };
        // Only an existing image can tell its OS; a disk virt-install is to create cannot.
        if let Some(disk) = disk.filter(|d| mapping_wanted || d.path.exists()) {
            let uri = tool_values(&items, &VIRT_INSTALL, "connect").pop();
            let require_active =
                !tool_flag(&items, &VIRT_INSTALL, "print-xml") && !tool_flag(&items, &VIRT_INSTALL, "dry-run");
            let exists = bridge_exists(uri.as_deref());
            let networks = if mapping_wanted {
                let conn = libvirt::connect(uri.as_deref())?;
                libvirt::networks(&conn)?
            } else {
                Vec::new()
            };
            let host = Host { networks: &networks, bridge_exists: &exists, require_active };
            // Bad targets are known before the (slow) image read.
            mapping::check_targets(manual.iter().map(|m| (m.nic.as_str(), &m.target)), &host)?;
            let snap = match inspect::read_guest(std::slice::from_ref(&disk), &guestconf::want(), reader) {
                Ok((s, used)) => {
                    if tool_flag(&items, &VIRT_INSTALL, "debug") {
                        say!("{ME}: {used}");
                    }
                    super::debug_guest_read(std::slice::from_ref(&disk), reader, &used, &s);
                    s
                }
                Err(e) if mapping_wanted => return Err(e.into()),
                Err(e) => {
                    say!("{ME}: note: cannot take the OS from {}: {e}; virt-install decides", disk.path.display());
                    let args = proxy::assemble(items, Vec::new());
                    return Ok(Plan { args, ..Plan::new(print_command) });
                }
            };
            if mapping_wanted {
                let (configs, unreadable) = guestconf::configs_in(&snap);
                for u in &unreadable {
                    say!("{ME}: warning: {}: {} (NIC ignored)", u.file, u.reason);
                }
                let resolved = mapping::resolve(&configs, &manual, auto, &host)?;
                for o in &resolved.orphans {
                    say!(
                        "{ME}: warning: {o} stands on no NIC the image configures: no interface is made for it \
                         (give virt-install a --network for its link or members)"
                    );
                }
                attaches = resolved.attaches;
                debug_pairing(&attaches, &configs);
                for a in attaches.iter().filter(|a| a.mac_generated) {
                    say!(
                        "{ME}: warning: {}'s config pins no HWADDR; it gets {} and the guest binds the config by name",
                        a.nic,
                        a.mac
                    );
                }
            }
            if !osinfo_given {
                osinfo_id = derive_osinfo(&snap.os);
            }
        }
    }

    let network_args: Vec<OsString> =
        attaches.iter().flat_map(|a| [OsString::from("--network"), OsString::from(a.network_arg())]).collect();
    let mut plan = Plan {
        args: proxy::assemble(items, vec![(&[&NIC_MAPPINGS, &AUTO_NIC_MAPPINGS], network_args)]),
        ..Plan::new(print_command)
    };
    if let Some(id) = osinfo_id {
        plan.args.push("--osinfo".into());
        plan.args.push(id.into());
    }
    Ok(plan)
}

/// Debug lines: the interface each NIC gets, and by which step of the pairing rule the guest
/// will pair its config with it (the one rule, on the interfaces being made: a pinned config
/// by its MAC, an unpinned one by its kernel name or in order).
fn debug_pairing(attaches: &[mapping::Attach], configs: &[guestconf::ConfiguredNic]) {
    if super::debugging().is_none() {
        return;
    }
    let pinned = |nic: &str| configs.iter().find(|c| c.name == nic && c.is_device()).and_then(|c| c.hwaddr);
    let pins: Vec<Config<'_>> = attaches.iter().map(|a| Config { name: &a.nic, mac: pinned(&a.nic) }).collect();
    let macs: Vec<Option<crate::nic::MacAddr>> = attaches.iter().map(|a| Some(a.mac)).collect();
    for (a, p) in attaches.iter().zip(pair(&pins, &macs, Stale::Unpaired)) {
        match p {
            Some((i, why)) => debug!("{} -> interface {i} ({}, {}), {why}", a.nic, a.target, a.mac),
            None => debug!("{}: paired with no interface", a.nic),
        }
    }
}

fn derive_osinfo(os: &OsInfo) -> Option<String> {
    let known = osinfo::short_ids(&osinfo::db_dirs());
    match osinfo::derive(os, &known) {
        Ok(id) => {
            say!("{ME}: OS from the image: {} {}.{}: --osinfo {id}", os.distro, os.major, os.minor);
            Some(id)
        }
        Err(tried) => {
            let (os_name, tried) = (format!("{} {}.{}", os.distro, os.major, os.minor), tried.join(", "));
            match osinfo::nearest_older(os, &known) {
                Some(id) => {
                    say!(
                        "{ME}: note: the osinfo database knows none of {tried} for {os_name}; \
                         --osinfo {id}, the newest older {} it knows (a newer osinfo-db knows more)",
                        os.distro
                    );
                    Some(id)
                }
                None => {
                    say!("{ME}: note: the osinfo database knows none of {tried} for {os_name}; virt-install decides");
                    None
                }
            }
        }
    }
}

pub fn main() -> ! {
    super::proxy_main(ME, &VIRT_INSTALL, OPTIONS, || help(&DOC), plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws() -> Workspace {
        Workspace::new("rejviz-test")
    }

    fn items(a: &[&str]) -> Vec<Item> {
        proxy::scan(a.iter().map(OsString::from), &VIRT_INSTALL, OPTIONS).unwrap()
    }

    #[test]
    fn first_disk_forms() {
        let d = |a: &[&str]| {
            first_disk(&items(a)).map(|d| (d.path.display().to_string(), d.format)).map_err(|e| e.to_string())
        };
        assert_eq!(d(&["--disk", "/v/a.img"]), Ok(("/v/a.img".into(), None)));
        assert_eq!(
            d(&["--disk", "/v/a.qcow2,format=qcow2,bus=virtio", "--disk", "/v/b.img"]),
            Ok(("/v/a.qcow2".into(), Some("qcow2".into())))
        );
        // ",," is no escaped comma for virt-install: two separators (and b.img an unknown
        // option, which virt-install reports); quotes protect a comma.
        assert_eq!(d(&["--disk=path=/v/a,,b.img,format=raw"]), Ok(("/v/a".into(), Some("raw".into()))));
        assert_eq!(d(&["--disk=path=\"/v/a,b.img\",format=raw"]), Ok(("/v/a,b.img".into(), Some("raw".into()))));
        assert_eq!(
            d(&["--disk", "'/v/a.img"]),
            Err("the first --disk ('/v/a.img) cannot be read: no closing quotation (virt-install splits it like a \
                 POSIX shell, on ',')"
                .into())
        );
        assert_eq!(d(&["--dis", "/v/abbrev.img"]), Ok(("/v/abbrev.img".into(), None)));
        assert_eq!(d(&["--import"]), Err("no --disk: rejviz-install reads the guest from the first --disk".into()));
        assert_eq!(d(&["--disk", "size=10"]), Err("the first --disk (size=10) names no image path".into()));
        assert_eq!(
            d(&["--disk", "vol=pool/v"]),
            Err("the first --disk (vol=pool/v) is a storage volume; rejviz-install needs path=IMAGE".into())
        );
    }

    /// What virtinst reads in a value: its path and format, or the error it raises.
    type VirtRead = Result<(Option<&'static str>, Option<&'static str>), &'static str>;
    /// `--disk` values and what virt-install's own parser reads in them (checked against the
    /// installed virtinst by tests/virt_install_disk.rs).
    const DISK_VALUES: &[(&str, VirtRead)] = include!("install_disk_values.rs");

    /// rejviz-install reads the image virt-install will attach: the same path and format for
    /// every value virt-install reads, an error for every value it cannot.
    #[test]
    fn first_disk_is_what_virt_install_reads() {
        let mut wrong = Vec::new();
        for (value, virt) in DISK_VALUES {
            let got = first_disk(&items(&["--disk", value]))
                .map(|d| (d.path.display().to_string(), d.format))
                .map_err(|e| e.to_string());
            let ok = match virt {
                Ok((Some(p), f)) if !p.is_empty() && *p != "none" => got == Ok((p.to_string(), f.map(str::to_string))),
                Ok(_) => got == Err(format!("the first --disk ({}) names no image path", crate::nic::shown(value))),
                Err(e) => got.as_ref().is_err_and(|g| g.contains(&e.to_lowercase()) && !g.contains('\n')),
            };
            if !ok {
                wrong.push(format!("{value}: virt-install {virt:?}, rejviz {got:?}"));
            }
        }
        assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    }

    #[test]
    fn osinfo_given_means_no_image_read() {
        // With --osinfo and no mapping options nothing is read: a missing disk is no error.
        let p = plan(
            super::super::scanned(
                &["--import", "--disk", "/nonexistent.img", "--osinfo", "centos7.0", "--print-command"],
                &VIRT_INSTALL,
                OPTIONS,
            ),
            &ws(),
        )
        .unwrap();
        assert!(p.dry_run);
        assert_eq!(p.args, ["--import", "--disk", "/nonexistent.img", "--osinfo", "centos7.0"].map(OsString::from));
        // Abbreviated --os-var counts as given.
        let p = plan(
            super::super::scanned(&["--disk", "/nonexistent.img", "--os-var", "x"], &VIRT_INSTALL, OPTIONS),
            &ws(),
        )
        .unwrap();
        assert_eq!(p.args.len(), 4);
    }

    #[test]
    fn mapping_without_disk_is_an_error() {
        let e = plan(super::super::scanned(&["--import", "--auto-nic-mappings"], &VIRT_INSTALL, OPTIONS), &ws())
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "no --disk: rejviz-install reads the guest from the first --disk");
    }
}
