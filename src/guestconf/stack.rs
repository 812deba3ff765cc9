//! How a guest's NIC configs stand on each other: a bond's or bridge's members under it, a
//! VLAN on its link. The one reading of the `master`, `members` and `link` a guest's files
//! give ([`ConfiguredNic`]), shared by `rejviz-peek` (its tree), `rejviz-install` (which
//! device carries which addresses, which devices a name maps) and `rejviz-customize` (what
//! a removal leaves behind).
//!
//! Interfaces are matched by name, in any format (one name is one interface of the guest,
//! whatever file says so). Guest data may say anything: every walk is safe against loops
//! and against names that no config has.

use super::{ConfiguredNic, LinkKind};

/// The configs of one guest, with their stacking.
#[derive(Debug, Clone, Copy)]
pub struct Stack<'a> {
    nics: &'a [ConfiguredNic],
}

/// Why one config stands on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// The lower config is a member of the upper one (a bond or bridge).
    Member,
    /// The upper config is a VLAN whose link is the lower one.
    Link,
}

/// One row of [`Stack::tree`]: a config (index) and its depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub index: usize,
    pub depth: usize,
    /// The config's VLAN link is shown elsewhere (or nowhere): it is not this row's parent.
    pub link_elsewhere: bool,
}

impl ConfiguredNic {
    /// Whether this config is for a device a domain interface can be: an Ethernet NIC
    /// (plain, a bond's or bridge's member, a VLAN's link). VLANs, bonds and bridges have no
    /// device of their own; loopback and the other kinds are not a domain's.
    pub fn is_device(&self) -> bool {
        self.kind == LinkKind::Ethernet
    }

    /// Whether `rejviz-peek` shows this config without `--all`: the devices and the
    /// VLANs, bonds and bridges built on them.
    pub fn shown_by_default(&self) -> bool {
        matches!(self.kind, LinkKind::Ethernet | LinkKind::Vlan | LinkKind::Bond | LinkKind::Bridge)
    }
}

impl<'a> Stack<'a> {
    pub fn new(nics: &'a [ConfiguredNic]) -> Stack<'a> {
        Stack { nics }
    }

    fn get(&self, i: usize) -> Option<&'a ConfiguredNic> {
        self.nics.get(i)
    }

    /// How config `upper` stands on config `lower`, if it does.
    pub fn tie(&self, upper: usize, lower: usize) -> Option<Tie> {
        let (u, l) = (self.get(upper)?, self.get(lower)?);
        if upper == lower || u.name == l.name {
            return None;
        }
        if l.master.as_deref() == Some(u.name.as_str()) || u.members.contains(&l.name) {
            Some(Tie::Member)
        } else if u.link.as_deref() == Some(l.name.as_str()) {
            Some(Tie::Link)
        } else {
            None
        }
    }

    /// The configs `i` stands on directly (its members, its link).
    pub fn lower(&self, i: usize) -> Vec<usize> {
        (0..self.nics.len()).filter(|&j| self.tie(i, j).is_some()).collect()
    }

    /// The configs that stand on `i` directly (its master, its VLANs).
    pub fn upper(&self, i: usize) -> Vec<usize> {
        (0..self.nics.len()).filter(|&j| self.tie(j, i).is_some()).collect()
    }

    /// Every config reached from `i` by `step`, `i` excluded, each once, in the order found.
    fn reach(&self, i: usize, step: impl Fn(usize) -> Vec<usize>) -> Vec<usize> {
        let mut seen = vec![i];
        let mut todo: Vec<usize> = step(i).into_iter().rev().collect();
        let mut out = Vec::new();
        while let Some(j) = todo.pop() {
            if seen.contains(&j) {
                continue;
            }
            seen.push(j);
            out.push(j);
            todo.extend(step(j).into_iter().rev());
        }
        out
    }

    /// Everything that stands on `i`, directly or not: the configs whose traffic the
    /// device `i` carries (its bond, the bond's VLANs, the bridge over those, ...).
    pub fn above(&self, i: usize) -> Vec<usize> {
        self.reach(i, |j| self.upper(j))
    }

    /// The device configs (see [`ConfiguredNic::is_device`]) that `i` stands on, itself
    /// included when it is one: the NICs a bond's members are, a VLAN's link (or its link's
    /// members), a bridge's members' devices.
    pub fn devices_under(&self, i: usize) -> Vec<usize> {
        let mut out: Vec<usize> = std::iter::once(i).chain(self.reach(i, |j| self.lower(j))).collect();
        out.retain(|&j| self.get(j).is_some_and(ConfiguredNic::is_device));
        out
    }

    /// The names of the members of the interface `name`, as any config says (the master's
    /// `members`, or the member's `master`), each once.
    pub fn members_of(&self, name: &str) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for n in self.nics {
            let listed: Vec<&str> =
                if n.name == name { n.members.iter().map(String::as_str).collect() } else { vec![] };
            let claims = (n.master.as_deref() == Some(name)).then_some(n.name.as_str());
            for m in listed.into_iter().chain(claims) {
                if m != name && !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// The configs of VLANs whose link is the interface `name`.
    pub fn vlans_on(&self, name: &str) -> Vec<&'a ConfiguredNic> {
        self.nics.iter().filter(|n| n.link.as_deref() == Some(name) && n.name != name).collect()
    }

    /// The config shown as `i`'s parent in [`Stack::tree`]: its master, else (a VLAN) its
    /// link; a config of the same format first.
    fn parent(&self, i: usize) -> Option<usize> {
        let n = self.get(i)?;
        let find = |name: &str| {
            let named = |j: &usize| self.get(*j).is_some_and(|c| c.name == name) && *j != i;
            let all = 0..self.nics.len();
            all.clone()
                .filter(named)
                .find(|&j| self.get(j).is_some_and(|c| c.format == n.format))
                .or_else(|| all.clone().find(named))
        };
        n.master.as_deref().and_then(find).or_else(|| n.link.as_deref().and_then(find))
    }

    /// Every config once, in display order: each config (in the given order) followed by
    /// the ones under it, a bond's or bridge's members first, then the VLANs on it, each
    /// one level deeper. A member of a master stands under the master even if it is a
    /// VLAN (then `link_elsewhere`); configs in a loop start at the first of them.
    pub fn tree(&self) -> Vec<Row> {
        let len = self.nics.len();
        let parents: Vec<Option<usize>> = (0..len).map(|i| self.parent(i)).collect();
        let children = |p: usize| -> Vec<usize> {
            let (mut members, mut vlans): (Vec<usize>, Vec<usize>) = (0..len)
                .filter(|&c| parents.get(c) == Some(&Some(p)))
                .partition(|&c| self.tie(p, c) == Some(Tie::Member));
            members.append(&mut vlans);
            members
        };
        let mut rows: Vec<Row> = Vec::with_capacity(len);
        let mut placed = vec![false; len];
        let roots = (0..len).filter(|&i| parents.get(i) == Some(&None));
        // Configs in a loop have no root above them: each starts where it first stands.
        for start in roots.chain(0..len) {
            if placed.get(start) != Some(&false) {
                continue;
            }
            let mut todo = vec![(start, 0)];
            while let Some((i, depth)) = todo.pop() {
                match placed.get_mut(i) {
                    Some(p) if !*p => *p = true,
                    _ => continue,
                }
                let n = self.get(i);
                let parent = if depth == 0 { None } else { parents.get(i).copied().flatten() };
                let link_elsewhere = n
                    .and_then(|n| n.link.as_deref())
                    .is_some_and(|link| parent.and_then(|p| self.get(p)).is_none_or(|p| p.name != link));
                rows.push(Row { index: i, depth, link_elsewhere });
                todo.extend(children(i).into_iter().rev().map(|c| (c, depth + 1)));
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guestconf::Format;

    fn cfg(name: &str, kind: LinkKind) -> ConfiguredNic {
        let mut c = ConfiguredNic::new(name, &format!("/f/{name}"), Format::Ifcfg);
        c.kind = kind;
        c
    }
    fn member(name: &str, master: &str) -> ConfiguredNic {
        let mut c = cfg(name, LinkKind::Ethernet);
        c.master = Some(master.into());
        c
    }
    fn vlan(name: &str, link: &str) -> ConfiguredNic {
        let mut c = cfg(name, LinkKind::Vlan);
        c.link = Some(link.into());
        c
    }
    fn names(nics: &[ConfiguredNic], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| nics[i].name.clone()).collect()
    }
    fn tree(nics: &[ConfiguredNic]) -> Vec<String> {
        Stack::new(nics)
            .tree()
            .into_iter()
            .map(|r| {
                format!("{}{}{}", "  ".repeat(r.depth), nics[r.index].name, if r.link_elsewhere { "@" } else { "" })
            })
            .collect()
    }

    /// The lab: a VLAN on a bond of two NICs, a bridge over a VLAN of a trunk NIC.
    fn lab() -> Vec<ConfiguredNic> {
        let mut bond0 = cfg("bond0", LinkKind::Bond);
        bond0.members = vec!["eth1".into(), "eth2".into()];
        let mut br0 = cfg("br0", LinkKind::Bridge);
        br0.members = vec!["eth3.20".into()];
        let mut v20 = vlan("eth3.20", "eth3");
        v20.master = Some("br0".into());
        vec![
            bond0,
            vlan("bond0.100", "bond0"),
            br0,
            cfg("eth0", LinkKind::Ethernet),
            member("eth1", "bond0"),
            member("eth2", "bond0"),
            cfg("eth3", LinkKind::Ethernet),
            v20,
            vlan("eth3.30", "eth3"),
        ]
    }

    #[test]
    fn tree_members_under_masters_vlans_under_links() {
        assert_eq!(
            tree(&lab()),
            ["bond0", "  eth1", "  eth2", "  bond0.100", "br0", "  eth3.20@", "eth0", "eth3", "  eth3.30"]
        );
    }

    #[test]
    fn what_a_device_carries_and_what_a_name_stands_on() {
        let l = lab();
        let s = Stack::new(&l);
        let at = |n: &str| l.iter().position(|c| c.name == n).unwrap();
        assert_eq!(names(&l, &s.above(at("eth1"))), ["bond0", "bond0.100"]);
        assert_eq!(names(&l, &s.above(at("eth3"))), ["eth3.20", "br0", "eth3.30"]);
        assert!(s.above(at("eth0")).is_empty());
        assert_eq!(names(&l, &s.devices_under(at("bond0.100"))), ["eth1", "eth2"]);
        assert_eq!(names(&l, &s.devices_under(at("br0"))), ["eth3"]);
        assert_eq!(names(&l, &s.devices_under(at("eth0"))), ["eth0"]);
        assert_eq!(s.members_of("bond0"), ["eth1", "eth2"]);
        assert_eq!(s.vlans_on("eth3").iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["eth3.20", "eth3.30"]);
    }

    #[test]
    fn loops_and_missing_names_end() {
        // a is b's master and b is a's: each shown once, the walks end.
        let l = vec![member("a", "b"), member("b", "a"), member("c", "nowhere"), vlan("d", "d")];
        assert_eq!(tree(&l), ["c", "d@", "a", "  b"]);
        let s = Stack::new(&l);
        assert_eq!(names(&l, &s.above(0)), ["b"]);
        assert_eq!(names(&l, &s.devices_under(0)), ["a", "b"]);
        assert!(s.lower(3).is_empty());
    }
}
