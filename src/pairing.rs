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

    const A: &str = "52:54:00:00:00:0a";
    const B: &str = "52:54:00:00:00:0b";
    const C: &str = "52:54:00:00:00:0c";
    const Z: &str = "52:54:00:00:00:99";

    fn m(s: &str) -> MacAddr {
        s.parse().unwrap()
    }
    fn cfgs<'a>(v: &[(&'a str, Option<&str>)]) -> Vec<Config<'a>> {
        v.iter().map(|(n, mac)| Config { name: n, mac: mac.map(m) }).collect()
    }
    /// For each interface, the config that took it.
    fn by_iface(configs: &[(&str, Option<&str>)], ifaces: &[&str], stale: Stale) -> Vec<Option<String>> {
        let c = cfgs(configs);
        let macs: Vec<Option<MacAddr>> = ifaces.iter().map(|s| Some(m(s))).collect();
        let p = pair(&c, &macs, stale);
        (0..ifaces.len())
            .map(|i| p.iter().position(|x| x.map(|(n, _)| n) == Some(i)).map(|ci| c[ci].name.to_string()))
            .collect()
    }
    fn s(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|x| x.map(str::to_string)).collect()
    }

    /// The table: each case is what every command (check, customize -d, --sync-macs,
    /// install) makes of it.
    #[test]
    fn pairing_table() {
        use Stale::*;
        type Case<'a> = (&'a str, &'a [(&'a str, Option<&'a str>)], &'a [&'a str], Stale, &'a [Option<&'a str>]);
        let cases: &[Case<'_>] = &[
            ("pinned", &[("eth1", Some(B)), ("eth0", Some(A))], &[A, B], Unpaired, &[Some("eth0"), Some("eth1")]),
            (
                "unpinned by kernel name",
                &[("eth1", None), ("eth0", None)],
                &[A, B],
                Unpaired,
                &[Some("eth0"), Some("eth1")],
            ),
            (
                "unpinned between pinned",
                &[("eth0", Some(A)), ("eth1", None), ("eth2", Some(C))],
                &[A, B, C],
                Unpaired,
                &[Some("eth0"), Some("eth1"), Some("eth2")],
            ),
            // The example: eth2 takes the third interface, not the second.
            (
                "unpinned eth2, pinned eth0",
                &[("eth0", Some(A)), ("eth2", None)],
                &[A, B, C],
                Unpaired,
                &[Some("eth0"), None, Some("eth2")],
            ),
            (
                "mixed names: ethN first, the rest in natural order",
                &[("lan10", None), ("eth0", Some(B)), ("eth2", None), ("lan9", None)],
                &[A, B, C, Z],
                Unpaired,
                &[Some("lan9"), Some("eth0"), Some("eth2"), Some("lan10")],
            ),
            (
                "renamed by .link (pinned by its MAC)",
                &[("lan", Some(B)), ("wan", Some(A))],
                &[A, B],
                Unpaired,
                &[Some("wan"), Some("lan")],
            ),
            (
                "more configs than interfaces",
                &[("eth0", None), ("eth1", None), ("eth2", None)],
                &[A, B],
                Unpaired,
                &[Some("eth0"), Some("eth1")],
            ),
            ("fewer configs than interfaces", &[("eth1", None)], &[A, B, C], Unpaired, &[None, Some("eth1"), None]),
            ("ethN beyond the interfaces goes in order", &[("eth5", None)], &[A, B], Unpaired, &[Some("eth5"), None]),
            (
                "stale pin left out for the check",
                &[("eth0", Some(Z)), ("eth1", None)],
                &[A, B],
                Unpaired,
                &[None, Some("eth1")],
            ),
            (
                "stale pins re-paired after a clone",
                &[("eth0", Some(Z)), ("eth2", Some(Z)), ("eth1", None)],
                &[A, B, C],
                Repair,
                &[Some("eth0"), Some("eth1"), Some("eth2")],
            ),
            (
                "two configs pinned to one MAC: the first wins",
                &[("eth0", Some(A)), ("eth1", Some(A))],
                &[A, B],
                Unpaired,
                &[Some("eth0"), None],
            ),
            (
                "eth01 is not a kernel name",
                &[("eth01", None), ("eth0", None)],
                &[A, B],
                Unpaired,
                &[Some("eth0"), Some("eth01")],
            ),
        ];
        for (what, configs, ifaces, stale, want) in cases {
            assert_eq!(by_iface(configs, ifaces, *stale), s(want), "{what}");
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
