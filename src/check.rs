//! Do a guest's NIC configs and its domain's interfaces agree on MACs?
//!
//! Rules (`rejviz-peek --check`):
//! - every HWADDR pinned by a config must be the MAC of exactly one domain interface;
//! - every domain interface must be claimed by a config, paired by the one rule of
//!   [`crate::pairing`] (stale pins left out);
//! - two configs pinned to one MAC, or two interfaces with one MAC, are problems.

use serde::Serialize;

use crate::guestconf::ConfiguredNic;
use crate::libvirt::DomainInterface;
use crate::nic::shown;
use crate::pairing::{Config, Stale, pair};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub ok: bool,
    pub problems: Vec<String>,
    /// For each domain interface, in order: the config that claims it (an index into the
    /// configs checked).
    #[serde(skip)]
    pub claimed_by: Vec<Option<usize>>,
}

/// Checks `configs` (Ethernet configs only: the caller filters) against `ifaces`.
///
/// The problems are messages: every name in them (the domain's, the configs' and their
/// files', the interfaces' sources, from libvirt or the guest) is shown escaped.
pub fn check(configs: &[ConfiguredNic], ifaces: &[DomainInterface], domain: &str) -> CheckResult {
    let domain = shown(domain);
    let mut problems = Vec::new();
    let mut claimed_by: Vec<Option<usize>> = vec![None; ifaces.len()];

    for (i, a) in configs.iter().enumerate() {
        if let Some(mac) = a.hwaddr
            && let Some(b) = configs[..i].iter().find(|b| b.hwaddr == Some(mac))
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

    for c in configs {
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
        if let Some((i, _)) = p
            && let Some(slot) = claimed_by.get_mut(i)
        {
            *slot = Some(ci);
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
    CheckResult { ok: problems.is_empty(), problems, claimed_by }
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

    #[test]
    fn extra_unpinned_config_is_fine() {
        assert!(check(&[cfg("eth0", None), cfg("eth1", None)], &[iface(A)], "vm").ok);
    }
}
