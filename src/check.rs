//! Do a guest's NIC configs and its domain's interfaces agree on MACs?
//!
//! Rules (`rejviz-peek --check`), over the configs of devices (Ethernet NICs, a bond's or
//! bridge's members and VLANs' links among them; a VLAN, bond or bridge has no interface):
//! - every HWADDR pinned by a config must be the MAC of exactly one domain interface;
//! - every domain interface must be claimed by a config, paired by the one rule of
//!   [`crate::pairing`] (stale pins left out);
//! - two configs pinned to one MAC, or two interfaces with one MAC, are problems.

use serde::Serialize;

use crate::guestconf::ConfiguredNic;
use crate::libvirt::DomainInterface;
use crate::nic::shown;
use crate::pairing::{Config, Stale, Why, pair};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub ok: bool,
    pub problems: Vec<String>,
    /// For each domain interface, in order: the config that claims it (an index into the
    /// configs given).
    #[serde(skip)]
    pub claimed_by: Vec<Option<usize>>,
    /// For each domain interface, in order: the pairing step that gave it that config, as
    /// the one rule returned it.
    #[serde(skip)]
    pub why: Vec<Option<Why>>,
}

/// Checks `configs` against `ifaces`. Only the configs of devices take part
/// ([`ConfiguredNic::is_device`]: Ethernet NICs, plain or a bond's or bridge's member or a
/// VLAN's link); a VLAN, a bond or a bridge has no interface of its own, and is neither
/// paired nor a problem.
///
/// The problems are messages: every name in them (the domain's, the configs' and their
/// files', the interfaces' sources, from libvirt or the guest) is shown escaped.
pub fn check(configs: &[ConfiguredNic], ifaces: &[DomainInterface], domain: &str) -> CheckResult {
    let domain = shown(domain);
    let mut problems = Vec::new();
    let mut claimed_by: Vec<Option<usize>> = vec![None; ifaces.len()];
    let mut why: Vec<Option<Why>> = vec![None; ifaces.len()];
    // The devices' configs, and where each is in `configs`.
    let at: Vec<usize> = (0..configs.len()).filter(|&i| configs.get(i).is_some_and(ConfiguredNic::is_device)).collect();
    let configs: Vec<&ConfiguredNic> = at.iter().filter_map(|&i| configs.get(i)).collect();

    for (i, a) in configs.iter().enumerate() {
        if let Some(mac) = a.hwaddr
            && let Some(b) = configs.iter().take(i).find(|b| b.hwaddr == Some(mac))
        {
            problems.push(format!(
                "{} ({}) and {} ({}) are both pinned to HWADDR {mac}",
                shown(&b.name),
                shown(&b.file),
                shown(&a.name),
                shown(&a.file)
            ));
        }
    }
    for (i, a) in ifaces.iter().enumerate() {
        if let Some(mac) = a.mac
            && ifaces[..i].iter().any(|b| b.mac == Some(mac))
        {
            problems.push(format!("domain {domain} has more than one interface with MAC {mac}"));
        }
    }

    for c in &configs {
        if let Some(mac) = c.hwaddr
            && !ifaces.iter().any(|i| i.mac == Some(mac))
        {
            problems.push(format!(
                "{} ({}): HWADDR {mac} is on no interface of domain {domain}",
                shown(&c.name),
                shown(&c.file)
            ));
        }
    }
    let pairs = pair(
        &configs.iter().map(|c| Config { name: &c.name, mac: c.hwaddr }).collect::<Vec<_>>(),
        &ifaces.iter().map(|i| i.mac).collect::<Vec<_>>(),
        Stale::Unpaired,
    );
    for (ci, p) in pairs.into_iter().enumerate() {
        if let Some((i, step)) = p
            && let (Some(slot), Some(w)) = (claimed_by.get_mut(i), why.get_mut(i))
        {
            *slot = at.get(ci).copied();
            *w = Some(step);
        }
    }
    for (iface, claim) in ifaces.iter().zip(&claimed_by) {
        if claim.is_none() {
            let mac = iface.mac.map(|m| m.to_string()).unwrap_or_else(|| "(no MAC)".into());
            let src =
                iface.source.as_deref().map(|s| format!(" on {} {}", shown(&iface.kind), shown(s))).unwrap_or_default();
            problems
                .push(format!("interface {mac}{src} of domain {domain} is configured by no NIC config in the image"));
        }
    }
    CheckResult { ok: problems.is_empty(), problems, claimed_by, why }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str, mac: Option<&str>) -> ConfiguredNic {
        let mut c = ConfiguredNic::new(name, &format!("/f/ifcfg-{name}"), crate::guestconf::Format::Ifcfg);
        c.hwaddr = mac.map(|m| m.parse().unwrap());
        c.bootproto = crate::guestconf::Bootproto::Dhcp;
        c
    }
    fn iface(mac: &str) -> DomainInterface {
        DomainInterface {
            mac: Some(mac.parse().unwrap()),
            kind: "network".into(),
            source: Some("n".into()),
            model: None,
        }
    }

    const A: &str = "52:54:00:00:00:0a";
    const B: &str = "52:54:00:00:00:0b";
    const C: &str = "52:54:00:00:00:0c";

    #[test]
    fn matching_by_mac_and_unpinned() {
        let r =
            check(&[cfg("eth10", None), cfg("eth0", Some(B)), cfg("eth2", None)], &[iface(A), iface(B), iface(C)], "d");
        assert_eq!(r.problems, Vec::<String>::new());
        assert!(r.ok);
        // eth0 by its MAC, eth2 by kernel name (the third interface), eth10 in order.
        assert_eq!(r.claimed_by, vec![Some(0), Some(1), Some(2)]);
        // Each with the step that paired it, as the one rule said.
        assert_eq!(r.why, [Some(Why::Order), Some(Why::Mac), Some(Why::KernelName)]);
    }

    #[test]
    fn problems_are_named() {
        let r = check(&[cfg("eth0", Some(A)), cfg("eth1", Some(C))], &[iface(A), iface(B)], "vm");
        assert!(!r.ok);
        assert_eq!(
            r.problems,
            vec![
                "eth1 (/f/ifcfg-eth1): HWADDR 52:54:00:00:00:0c is on no interface of domain vm".to_string(),
                "interface 52:54:00:00:00:0b on network n of domain vm is configured by no NIC config in the image"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn duplicates_are_problems() {
        let r = check(&[cfg("eth0", Some(A)), cfg("eth1", Some(A))], &[iface(A), iface(A)], "vm");
        assert!(r.problems.iter().any(|p| p.contains("eth0 (/f/ifcfg-eth0) and eth1 (/f/ifcfg-eth1) are both pinned")));
        assert!(r.problems.iter().any(|p| p.contains("more than one interface with MAC 52:54:00:00:00:0a")));
    }

    /// A bond's members and a VLAN's link are devices; the bond and the VLAN are not: they
    /// claim nothing and are no problem, and the indices are the configs given.
    #[test]
    fn only_devices_are_paired() {
        let mut bond = cfg("bond0", None);
        bond.kind = crate::guestconf::LinkKind::Bond;
        bond.members = vec!["eth1".into(), "eth2".into()];
        let mut vlan = cfg("bond0.100", None);
        vlan.kind = crate::guestconf::LinkKind::Vlan;
        vlan.link = Some("bond0".into());
        let mut m1 = cfg("eth1", Some(B));
        m1.master = Some("bond0".into());
        let mut m2 = cfg("eth2", None);
        m2.master = Some("bond0".into());
        let r = check(&[bond, vlan, cfg("eth0", None), m1, m2], &[iface(A), iface(B), iface(C)], "vm");
        assert_eq!(r.problems, Vec::<String>::new());
        assert_eq!(r.claimed_by, [Some(2), Some(3), Some(4)]);
        // Fewer interfaces than devices is fine; an interface no device claims is not, even
        // with a bond in the image.
        let mut bond = cfg("bond0", None);
        bond.kind = crate::guestconf::LinkKind::Bond;
        let r = check(&[bond], &[iface(A)], "vm");
        assert_eq!(r.claimed_by, [None]);
        assert!(!r.ok);
    }

    #[test]
    fn extra_unpinned_config_is_fine() {
        assert!(check(&[cfg("eth0", None), cfg("eth1", None)], &[iface(A)], "vm").ok);
    }
}
