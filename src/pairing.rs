//! Which of an image's NIC configs belongs to which of a domain's interfaces: one rule, used
//! by `rejviz-peek --check`, `rejviz-customize -d` (the MAC a new `--nic` takes),
//! `--sync-macs` (the MAC a config is re-pinned to after a clone) and `rejviz-install` (the
//! order of its `--network` options).
//!
//! The rule, in three steps (each interface is taken once):
//! 1. **By MAC.** A config pinned to a MAC (its HWADDR, or the MAC of the `.link` file that
//!    names it) takes the interface with that MAC.
//! 2. **By kernel name.** The other configs, in natural name order, whose name is `ethN` take
//!    interface N (from 0, in the domain's order): the kernel names a guest's NICs `eth0`,
//!    `eth1`, ... in the order the domain lists them.
//! 3. **In order.** The configs still without an interface, in natural name order, take the
//!    free interfaces in the domain's order.
//!
//! A config pinned to a MAC that no interface has (a stale pin: the domain was cloned, or
//! the config is wrong) is left out ([`Stale::Unpaired`], for the check, which reports it) or
//! paired by steps 2 and 3 like an unpinned config ([`Stale::Repair`], for `--sync-macs`).
//! Configs beyond the interfaces stay unpaired; so do interfaces beyond the configs.

use crate::nic::{MacAddr, natural_cmp};

/// A config, as far as pairing cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config<'a> {
    pub name: &'a str,
    /// The MAC it is pinned to, if any.
    pub mac: Option<MacAddr>,
}

/// What to do with a config pinned to a MAC no interface has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    Unpaired,
    Repair,
}

/// Why a config got its interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Mac,
    KernelName,
    Order,
}

/// The rule, as debug lines and messages name it.
impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Why::Mac => "by MAC (step 1: the config is pinned to this interface's MAC)",
            Why::KernelName => "by kernel name (step 2: ethN is interface N)",
            Why::Order => "in order (step 3: the first free interface, configs in natural order)",
        })
    }
}

/// The interface (index into the domain's list) of each config, with the step that chose
/// it; `None` for configs left without one.
pub fn pair(configs: &[Config<'_>], ifaces: &[Option<MacAddr>], stale: Stale) -> Vec<Option<(usize, Why)>> {
    let mut out: Vec<Option<(usize, Why)>> = vec![None; configs.len()];
    let mut taken = vec![false; ifaces.len()];
    // 1. By MAC (the first config pinned to a MAC takes it; a second one is a problem the
    //    check reports, and stays unpaired).
    let mut stale_pins = Vec::new();
    for (ci, c) in configs.iter().enumerate() {
        let Some(mac) = c.mac else { continue };
        match ifaces.iter().position(|m| *m == Some(mac)) {
            Some(i) if !taken.get(i).copied().unwrap_or(true) => {
                if let (Some(t), Some(o)) = (taken.get_mut(i), out.get_mut(ci)) {
                    *t = true;
                    *o = Some((i, Why::Mac));
                }
            }
            Some(_) => {}
            None => stale_pins.push(ci),
        }
    }
    let mut rest: Vec<usize> = (0..configs.len())
        .filter(|&ci| match configs.get(ci).and_then(|c| c.mac) {
            None => true,
            Some(_) => stale == Stale::Repair && stale_pins.contains(&ci),
        })
        .collect();
    rest.sort_by(|&a, &b| natural_cmp(configs.get(a).map_or("", |c| c.name), configs.get(b).map_or("", |c| c.name)));
    // 2. By kernel name.
    let mut left = Vec::new();
    for &ci in &rest {
        let slot = configs.get(ci).and_then(|c| kernel_index(c.name)).filter(|&n| taken.get(n) == Some(&false));
        match slot {
            Some(n) => {
                if let (Some(t), Some(o)) = (taken.get_mut(n), out.get_mut(ci)) {
                    *t = true;
                    *o = Some((n, Why::KernelName));
                }
            }
            None => left.push(ci),
        }
    }
    // 3. In order.
    for ci in left {
        let Some(n) = taken.iter().position(|t| !t) else { break };
        if let (Some(t), Some(o)) = (taken.get_mut(n), out.get_mut(ci)) {
            *t = true;
            *o = Some((n, Why::Order));
        }
    }
    out
}

/// N for a kernel name `ethN` (no leading zeros: `eth01` is not a kernel name).
fn kernel_index(name: &str) -> Option<usize> {
    let digits = name.strip_prefix("eth")?;
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
}

/// The order in which to create a new domain's interfaces for `configs` (indices into
/// `configs`), so that [`pair`] gives each config the interface made for it: configs named
/// `ethN` at index N where they can be, the others in natural order in the free places.
pub fn creation_order(configs: &[Config<'_>]) -> Vec<usize> {
    let movable: Vec<Config<'_>> = configs.iter().map(|c| Config { name: c.name, mac: None }).collect();
    let slots = pair(&movable, &vec![None; configs.len()], Stale::Unpaired);
    let mut order: Vec<(usize, usize)> =
        slots.iter().enumerate().filter_map(|(ci, s)| s.map(|(slot, _)| (slot, ci))).collect();
    order.sort();
    order.into_iter().map(|(_, ci)| ci).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guestconf::ConfiguredNic;
    use crate::guestconf::link::LinkMap;
    use crate::libvirt::{DomainInfo, DomainInterface, NetworkInfo};

    const A: &str = "52:54:00:00:00:0a";
    const B: &str = "52:54:00:00:00:0b";
    const C: &str = "52:54:00:00:00:0c";
    const Y: &str = "52:54:00:00:00:98";
    const Z: &str = "52:54:00:00:00:99";
    /// No config, in a row's pairing.
    const NONE: &str = "-";

    fn m(s: &str) -> MacAddr {
        s.parse().unwrap()
    }
    fn cfgs<'a>(v: &[(&'a str, Option<&str>)]) -> Vec<Config<'a>> {
        v.iter().map(|(n, mac)| Config { name: n, mac: mac.map(m) }).collect()
    }

    /// A row's image.
    enum Image {
        /// ifcfg configs (DHCP), as (DEVICE, HWADDR).
        Ifcfg(&'static [(&'static str, Option<&'static str>)]),
        /// Guest files (path, content), as a guest has them.
        Files(&'static [(&'static str, &'static str)]),
    }

    /// One case of the table: what every command that pairs makes of one image and domain.
    struct Row {
        what: &'static str,
        image: Image,
        /// The domain's interfaces (MACs), in its order.
        ifaces: &'static [&'static str],
        /// For each interface, the config paired with it (stale pins left out): what
        /// `--check` and `rejviz-customize -d` go by.
        pairs: &'static [&'static str],
        /// The same with stale pins re-paired (`--sync-macs`), when that differs.
        repaired: Option<&'static [&'static str]>,
        /// The interfaces rejviz-install makes for the image, in order, or its refusal.
        install: Result<&'static [&'static str], &'static str>,
    }

    /// The table: each row is driven through the rule and its four users (`check::check`,
    /// customize's `pair_with_domain` for new NICs and for `--sync-macs`, install's
    /// `mapping::resolve`), each read back in its own terms as "for each interface, the
    /// config that has it". The MACs: A, B, C; Y and Z are on no interface (stale pins).
    #[test]
    fn pairing_table() {
        use Image::*;
        let rows = [
            Row {
                what: "pinned",
                image: Ifcfg(&[("eth1", Some(B)), ("eth0", Some(A))]),
                ifaces: &[A, B],
                pairs: &["eth0", "eth1"],
                repaired: None,
                install: Ok(&["eth0", "eth1"]),
            },
            Row {
                what: "unpinned: by kernel name",
                image: Ifcfg(&[("eth1", None), ("eth0", None)]),
                ifaces: &[A, B],
                pairs: &["eth0", "eth1"],
                repaired: None,
                install: Ok(&["eth0", "eth1"]),
            },
            Row {
                what: "unpinned between pinned",
                image: Ifcfg(&[("eth0", Some(A)), ("eth1", None), ("eth2", Some(C))]),
                ifaces: &[A, B, C],
                pairs: &["eth0", "eth1", "eth2"],
                repaired: None,
                install: Ok(&["eth0", "eth1", "eth2"]),
            },
            // The example: eth2 takes the third interface, not the second.
            Row {
                what: "unpinned eth2, pinned eth0",
                image: Ifcfg(&[("eth0", Some(A)), ("eth2", None)]),
                ifaces: &[A, B, C],
                pairs: &["eth0", NONE, "eth2"],
                repaired: None,
                install: Ok(&["eth0", "eth2"]),
            },
            Row {
                what: "mixed names: ethN first, the rest in natural order",
                image: Ifcfg(&[("lan10", None), ("eth0", Some(B)), ("eth2", None), ("lan9", None)]),
                ifaces: &[A, B, C, Z],
                pairs: &["lan9", "eth0", "eth2", "lan10"],
                repaired: None,
                install: Ok(&["eth0", "lan9", "eth2", "lan10"]),
            },
            // networkd matches by MAC; the name is the .link file's (the .network's would
            // be 20-wired): natural order would give lan the first interface.
            Row {
                what: "renamed by .link (networkd)",
                image: Files(&[
                    (
                        "/etc/systemd/network/20-wired.network",
                        "[Match]\nMACAddress=52:54:00:00:00:0b\n[Network]\nDHCP=yes\n",
                    ),
                    (
                        "/etc/systemd/network/21-wired.network",
                        "[Match]\nMACAddress=52:54:00:00:00:0a\n[Network]\nDHCP=yes\n",
                    ),
                    (
                        "/usr/local/lib/systemd/network/10-lan.link",
                        "[Match]\nMACAddress=52:54:00:00:00:0b\n[Link]\nName=lan\n",
                    ),
                    (
                        "/usr/local/lib/systemd/network/10-wan.link",
                        "[Match]\nMACAddress=52:54:00:00:00:0a\n[Link]\nName=wan\n",
                    ),
                ]),
                ifaces: &[A, B],
                pairs: &["wan", "lan"],
                repaired: None,
                install: Ok(&["lan", "wan"]),
            },
            // eni names the interface; the .link naming it pins it to Z, a MAC the domain
            // (a clone) no longer has.
            Row {
                what: "pinned by the .link naming it, stale (eni)",
                image: Files(&[
                    ("/etc/network/interfaces", "auto eth0\niface eth0 inet dhcp\nauto eth1\niface eth1 inet dhcp\n"),
                    (
                        "/usr/local/lib/systemd/network/10-rejviz-eth1.link",
                        "[Match]\nMACAddress=52:54:00:00:00:99\n[Link]\nName=eth1\n",
                    ),
                ]),
                ifaces: &[A, B],
                pairs: &["eth0", NONE],
                repaired: Some(&["eth0", "eth1"]),
                install: Ok(&["eth0", "eth1"]),
            },
            Row {
                what: "more configs than interfaces",
                image: Ifcfg(&[("eth0", None), ("eth1", None), ("eth2", None)]),
                ifaces: &[A, B],
                pairs: &["eth0", "eth1"],
                repaired: None,
                install: Ok(&["eth0", "eth1", "eth2"]),
            },
            Row {
                what: "fewer configs than interfaces",
                image: Ifcfg(&[("eth1", None)]),
                ifaces: &[A, B, C],
                pairs: &[NONE, "eth1", NONE],
                repaired: None,
                install: Ok(&["eth1"]),
            },
            Row {
                what: "ethN beyond the interfaces goes in order",
                image: Ifcfg(&[("eth5", None)]),
                ifaces: &[A, B],
                pairs: &["eth5", NONE],
                repaired: None,
                install: Ok(&["eth5"]),
            },
            Row {
                what: "stale pins: left out, or re-paired after a clone",
                image: Ifcfg(&[("eth0", Some(Y)), ("eth2", Some(Z)), ("eth1", None)]),
                ifaces: &[A, B, C],
                pairs: &[NONE, "eth1", NONE],
                repaired: Some(&["eth0", "eth1", "eth2"]),
                install: Ok(&["eth0", "eth1", "eth2"]),
            },
            Row {
                what: "two configs pinned to one MAC: the first wins",
                image: Ifcfg(&[("eth0", Some(A)), ("eth1", Some(A))]),
                ifaces: &[A, B],
                pairs: &["eth0", NONE],
                repaired: None,
                install: Err("eth0 and eth1 are both pinned to HWADDR 52:54:00:00:00:0a: only one of them can have \
                              the interface with that MAC; give the other its own HWADDR in the image"),
            },
            Row {
                what: "eth01 is not a kernel name",
                image: Ifcfg(&[("eth01", None), ("eth0", None)]),
                ifaces: &[A, B],
                pairs: &["eth0", "eth01"],
                repaired: None,
                install: Ok(&["eth0", "eth01"]),
            },
        ];
        for row in &rows {
            let what = row.what;
            let (configs, links) = row.image.read();
            let dom = domain(row.ifaces.iter().map(|mac| Some(m(mac))));
            let repaired = row.repaired.unwrap_or(row.pairs);
            let pinned = |n: &str| configs.iter().any(|c| c.name == n && c.hwaddr.is_some());

            assert_eq!(by_rule(&configs, &dom, Stale::Unpaired), only(row.pairs, |_| true), "{what}: the rule");
            assert_eq!(by_rule(&configs, &dom, Stale::Repair), only(repaired, |_| true), "{what}: the rule, re-paired");
            assert_eq!(by_check(&configs, &dom), only(row.pairs, |_| true), "{what}: --check");
            // A new NIC with no interface is refused, naming the first (in natural order).
            let refused = configs
                .iter()
                .find(|c| c.hwaddr.is_none() && !row.pairs.contains(&c.name.as_str()))
                .map(|c| format!("--nic {}: domain vm has no interface left to take a MAC from; give hwaddr=", c.name));
            let new_nics = refused.map_or_else(|| Ok(only(row.pairs, |n| !pinned(n))), Err);
            assert_eq!(by_new_nics(&configs, &links, &dom), new_nics, "{what}: customize -d --nic");
            assert_eq!(by_sync(&configs, &links, &dom), only(repaired, pinned), "{what}: --sync-macs");
            let install = by_install(&configs);
            let order = install.as_ref().map(|made| made.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
            assert_eq!(order.map_err(String::as_str), row.install.map(<[&str]>::to_vec), "{what}: install's order");
            // The domain install makes: --check pairs each config with the interface made for it.
            if let Ok(made) = &install {
                let names: Vec<&str> = made.iter().map(|(n, _)| n.as_str()).collect();
                let made_dom = domain(made.iter().map(|(_, mac)| Some(*mac)));
                assert_eq!(by_check(&configs, &made_dom), only(&names, |_| true), "{what}: install's domain");
            }
        }
    }

    /// `names` (one per interface), with those `keep` refuses as [`NONE`].
    fn only(names: &[&str], keep: impl Fn(&str) -> bool) -> Vec<String> {
        names.iter().map(|n| if keep(n) { n } else { NONE }).map(|n| n.to_string()).collect()
    }

    /// For each interface of `dom`, the name `has` gives it, or [`NONE`].
    fn per_iface(dom: &DomainInfo, has: impl Fn(usize, Option<MacAddr>) -> Option<String>) -> Vec<String> {
        dom.interfaces.iter().enumerate().map(|(i, d)| has(i, d.mac).unwrap_or_else(|| NONE.into())).collect()
    }

    /// The rule itself: the config paired with each interface.
    fn by_rule(configs: &[ConfiguredNic], dom: &DomainInfo, stale: Stale) -> Vec<String> {
        let rule: Vec<Config<'_>> = configs.iter().map(|c| Config { name: &c.name, mac: c.hwaddr }).collect();
        let p = pair(&rule, &dom.interfaces.iter().map(|i| i.mac).collect::<Vec<_>>(), stale);
        per_iface(dom, |i, _| p.iter().position(|x| x.map(|(n, _)| n) == Some(i)).map(|ci| configs[ci].name.clone()))
    }

    /// `rejviz-peek --check`: the config that claims each interface.
    fn by_check(configs: &[ConfiguredNic], dom: &DomainInfo) -> Vec<String> {
        let r = crate::check::check(configs, &dom.interfaces, &dom.name);
        per_iface(dom, |i, _| r.claimed_by.get(i).copied().flatten().map(|ci| configs[ci].name.clone()))
    }

    /// `rejviz-customize -d --nic name=N` for each unpinned config (no `hwaddr=`), the pinned
    /// ones in the image: the new NIC that takes each interface's MAC, or the refusal.
    fn by_new_nics(configs: &[ConfiguredNic], links: &LinkMap, dom: &DomainInfo) -> Result<Vec<String>, String> {
        let (pinned, unpinned): (Vec<ConfiguredNic>, Vec<ConfiguredNic>) =
            configs.iter().cloned().partition(|c| c.hwaddr.is_some());
        let values: Vec<String> = unpinned.iter().map(|c| format!("name={}", c.name)).collect();
        let mut nics = crate::nic::parse_nics(&values).unwrap();
        crate::cmd::customize::pair_with_domain(&mut nics, &pinned, links, dom, &|_| true, false)
            .map_err(|e| e.to_string())?;
        Ok(per_iface(dom, |_, mac| nics.iter().find(|n| n.hwaddr == mac).map(|n| n.name.clone())))
    }

    /// `rejviz-customize -d --sync-macs`: the pinned config whose MAC, after the edits, is
    /// each interface's (the edits replace a config's MAC in its file: `s/OLD/NEW/gi`).
    fn by_sync(configs: &[ConfiguredNic], links: &LinkMap, dom: &DomainInfo) -> Vec<String> {
        let edits = crate::cmd::customize::pair_with_domain(&mut [], configs, links, dom, &|_| true, true).unwrap();
        let synced = |c: &ConfiguredNic| {
            let old = c.hwaddr?;
            let edit = edits.iter().find(|(f, e)| *f == c.file && e.starts_with(&format!("s/{old}/")));
            Some(edit.and_then(|(_, e)| e.split('/').nth(2)?.parse().ok()).unwrap_or(old))
        };
        per_iface(dom, |_, mac| configs.iter().find(|c| mac.is_some() && synced(c) == mac).map(|c| c.name.clone()))
    }

    /// `rejviz-install --auto-nic-mappings` (every config uses DHCP; the network `default`
    /// serves it): the NIC and MAC of each `--network`, in order, or the refusal.
    fn by_install(configs: &[ConfiguredNic]) -> Result<Vec<(String, MacAddr)>, String> {
        let default = NetworkInfo { name: "default".into(), active: true, ipv4: vec![], dhcp: true };
        let host = crate::mapping::Host {
            networks: std::slice::from_ref(&default),
            bridge_exists: &|_| false,
            require_active: true,
        };
        let resolved = crate::mapping::resolve(configs, &[], true, &host).map_err(|e| e.to_string())?;
        Ok(resolved.attaches.into_iter().map(|a| (a.nic, a.mac)).collect())
    }

    impl Image {
        /// The configs our readers find in the image, and its `.link` files.
        fn read(&self) -> (Vec<ConfiguredNic>, LinkMap) {
            let files: Vec<(String, String)> = match self {
                Image::Ifcfg(configs) => configs
                    .iter()
                    .map(|(name, mac)| {
                        let hwaddr = mac.map(|m| format!("HWADDR={m}\n")).unwrap_or_default();
                        let path = format!("/etc/sysconfig/network-scripts/ifcfg-{name}");
                        (path, format!("DEVICE={name}\nBOOTPROTO=dhcp\nONBOOT=yes\n{hwaddr}"))
                    })
                    .collect(),
                Image::Files(files) => files.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect(),
            };
            let (configs, bad, links) =
                crate::guestconf::configs_in_files(files.iter().map(|(p, c)| (p.as_str(), c.as_bytes())));
            assert!(bad.is_empty(), "{bad:?}");
            (configs, links)
        }
    }

    /// A shut-off domain `vm` with an interface per MAC.
    fn domain(macs: impl Iterator<Item = Option<MacAddr>>) -> DomainInfo {
        let iface = |mac| DomainInterface { mac, kind: "network".into(), source: Some("default".into()), model: None };
        DomainInfo {
            name: "vm".into(),
            uri: "test:///".into(),
            active: false,
            disks: vec![],
            interfaces: macs.map(iface).collect(),
        }
    }

    /// A new domain made in `creation_order` pairs each config with the interface made for
    /// it, whatever the names and pins.
    #[test]
    fn creation_order_round_trips_through_pair() {
        let sets: &[&[(&str, Option<&str>)]] = &[
            &[("eth0", Some(A)), ("eth2", None)],
            &[("eth1", None)],
            &[("lan", None), ("eth1", None), ("eth0", Some(B))],
            &[("eth3", None), ("eth0", None), ("wan", Some(C)), ("a", None)],
        ];
        for set in sets {
            let c = cfgs(set);
            let order = creation_order(&c);
            assert_eq!(order.len(), c.len(), "{set:?}");
            // Pinned configs get their MAC, the others a fresh one.
            let macs: Vec<Option<MacAddr>> = order
                .iter()
                .enumerate()
                .map(|(i, &ci)| Some(c[ci].mac.unwrap_or_else(|| m(&format!("52:54:00:00:01:{i:02x}")))))
                .collect();
            let p = pair(&c, &macs, Stale::Unpaired);
            for (slot, &ci) in order.iter().enumerate() {
                assert_eq!(p[ci].map(|(n, _)| n), Some(slot), "{set:?}: {}", c[ci].name);
            }
        }
    }
}
