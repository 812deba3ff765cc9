//! cloud-init's own renderers as a second opinion on topologies: the lab topology of
//! `--nic` values below, given to `cloud-init devel net-convert` as network config v2, is
//! rendered by cloud-init in each of the five formats, and our readers must read each
//! rendering as the topology the `--nic` values mean (same NICs, kinds, members, VLAN links
//! and ids, addresses, gateways, routes, search domains). Where cloud-init's renderer drops
//! part of the topology, the test says which part and checks that it is still dropped, so
//! that a cloud-init that learns it makes the test ask for the full comparison.
//! No appliance; about a second per output format.

use std::collections::BTreeMap;
use std::process::Command;

use rejviz::guestconf::{ConfiguredNic, GuestFile, LinkKind, configs_in_files};
use rejviz::nic::{Ipv4Config, Nic, NicKind, natural_cmp, parse_nics};

const TOPOLOGY: &[&str] = &[
    "name=eth1,hwaddr=52:54:00:00:01:01,bootproto=none",
    "name=eth1.100,type=vlan,link=eth1,id=100,ipaddr=172.16.100.5/24",
    "name=eth2,hwaddr=52:54:00:00:01:02",
    "name=eth3,hwaddr=52:54:00:00:01:03",
    "name=bond0,type=bond,members=eth2+eth3,mode=active-backup,miimon=100,primary=eth2,ipaddr=10.0.0.5/24",
    "name=eth4,hwaddr=52:54:00:00:01:04",
    "name=br0,type=bridge,members=eth4,ipaddr=192.168.50.2/24,gateway=192.168.50.1",
    "name=eth5,hwaddr=52:54:00:00:01:05,ipaddr=10.9.0.5/24,dns1=10.0.0.2,\
     routes=10.10.0.0/16@10.9.0.1+10.11.0.0/16@10.9.0.2,search=lab.example.com+example.com",
];

/// The same topology, as cloud-init's network config v2 (netplan's schema).
const V2: &str = r#"network:
  version: 2
  ethernets:
    eth1: {match: {macaddress: "52:54:00:00:01:01"}, set-name: eth1}
    eth2: {match: {macaddress: "52:54:00:00:01:02"}, set-name: eth2}
    eth3: {match: {macaddress: "52:54:00:00:01:03"}, set-name: eth3}
    eth4: {match: {macaddress: "52:54:00:00:01:04"}, set-name: eth4}
    eth5:
      match: {macaddress: "52:54:00:00:01:05"}
      set-name: eth5
      addresses: [10.9.0.5/24]
      routes:
        - {to: 10.10.0.0/16, via: 10.9.0.1}
        - {to: 10.11.0.0/16, via: 10.9.0.2}
      nameservers: {addresses: [10.0.0.2], search: [lab.example.com, example.com]}
  vlans:
    eth1.100: {id: 100, link: eth1, addresses: [172.16.100.5/24]}
  bonds:
    bond0:
      interfaces: [eth2, eth3]
      addresses: [10.0.0.5/24]
      parameters: {mode: active-backup, mii-monitor-interval: 100, primary: eth2}
  bridges:
    br0:
      interfaces: [eth4]
      addresses: [192.168.50.2/24]
      gateway4: 192.168.50.1
      parameters: {stp: false}
"#;

/// What a NIC is in a topology, as a comparable line per fact.
#[allow(clippy::too_many_arguments)]
fn view_of(
    name: &str,
    kind: &str,
    members: &[String],
    link: Option<&str>,
    id: Option<u16>,
    ipv4: Option<String>,
    gateway: Option<String>,
    routes: Vec<String>,
    search: &[String],
    bond: Option<&rejviz::nic::BondOptions>,
) -> BTreeMap<&'static str, String> {
    let mut m = BTreeMap::new();
    m.insert("0 name", name.to_string());
    m.insert("kind", kind.to_string());
    m.insert("members", members.join(" "));
    m.insert("link", format!("{}.{}", link.unwrap_or("-"), id.map(|i| i.to_string()).unwrap_or("-".into())));
    m.insert("ipv4", ipv4.unwrap_or_default());
    m.insert("gateway", gateway.unwrap_or_default());
    m.insert("routes", routes.join(" "));
    m.insert("search", search.join(" "));
    m.insert(
        "bond",
        bond.map(|o| format!("{} miimon={:?} primary={:?}", o.mode, o.miimon, o.primary)).unwrap_or_default(),
    );
    m
}

fn asked(n: &Nic) -> BTreeMap<&'static str, String> {
    let mut members = n.kind.members().to_vec();
    members.sort_by(|a, b| natural_cmp(a, b));
    let (link, id) = match &n.kind {
        NicKind::Vlan(v) => (Some(v.link.as_str()), Some(v.id)),
        _ => (None, None),
    };
    let (ipv4, gw) = match &n.ipv4 {
        Ipv4Config::Static(s) => (Some(s.addr.to_string()), s.gateway.map(|g| g.to_string())),
        _ => (None, None),
    };
    let routes = n.routes.iter().map(|r| r.to_string()).collect();
    let bond = match &n.kind {
        NicKind::Bond(b) => Some(&b.options),
        _ => None,
    };
    view_of(&n.name, n.kind.word(), &members, link, id, ipv4, gw, routes, &n.search, bond)
}

fn read(c: &ConfiguredNic) -> BTreeMap<&'static str, String> {
    let kind = match &c.kind {
        LinkKind::Ethernet => "ethernet",
        LinkKind::Vlan => "vlan",
        LinkKind::Bond => "bond",
        LinkKind::Bridge => "bridge",
        _ => "other",
    };
    let routes = c.routes.iter().map(|r| r.to_string()).collect();
    view_of(
        &c.name,
        kind,
        &c.members,
        c.link.as_deref(),
        c.id,
        c.ipv4.map(|a| a.to_string()),
        c.gateway.map(|g| g.to_string()),
        routes,
        &c.search,
        c.bond.as_ref(),
    )
}

/// cloud-init's rendering of [`V2`] as `kind` (`-O`) for distro `distro` (`-D`).
fn render(kind: &str, distro: &str) -> Vec<GuestFile> {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("v2.yaml");
    std::fs::write(&input, V2).expect("write");
    let out = dir.path().join("out");
    let o = Command::new("cloud-init")
        .args(["devel", "net-convert", "-k", "yaml", "-D", distro, "-O", kind, "-p"])
        .arg(&input)
        .arg("-d")
        .arg(&out)
        .output()
        .expect("cloud-init (Debian package cloud-init)");
    assert!(o.status.success(), "cloud-init net-convert -O {kind}: {}", String::from_utf8_lossy(&o.stderr));
    let mut files = Vec::new();
    let mut dirs = vec![out.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                let path = format!("/{}", p.strip_prefix(&out).expect("under out").display());
                files.push(GuestFile { path, mode: 0o644, content: std::fs::read_to_string(&p).unwrap_or_default() });
            }
        }
    }
    files
}

/// Our readers on cloud-init's rendering, against what the `--nic` values mean; `lost` names
/// the facts cloud-init's renderer drops, by NIC (`*` for every NIC): those must differ (a
/// cloud-init that renders them makes this test ask for them), the rest must agree.
fn compare(kind: &str, distro: &str, lost: &[(&str, &str)]) {
    let nics = parse_nics(TOPOLOGY).expect("topology");
    let files = render(kind, distro);
    let (configs, bad, _) = configs_in_files(files.iter().map(|f| (f.path.as_str(), f.content.as_bytes())));
    assert!(bad.is_empty(), "{kind}: unreadable: {bad:?}");
    let mut problems = Vec::new();
    for n in &nics {
        let want = asked(n);
        // By name, else by MAC (a config that does not name its interface).
        let found = configs
            .iter()
            .find(|c| c.name == n.name)
            .or_else(|| n.hwaddr.and_then(|m| configs.iter().find(|c| c.hwaddr == Some(m))));
        let Some(c) = found else {
            problems.push(format!(
                "{kind}: {} not read from {:?}",
                n.name,
                files.iter().map(|f| &f.path).collect::<Vec<_>>()
            ));
            continue;
        };
        let got = read(c);
        for (fact, w) in &want {
            let is_lost = lost.iter().any(|(nic, f)| (*nic == n.name || *nic == "*") && f == fact);
            let g = got.get(fact).cloned().unwrap_or_default();
            match (is_lost, g == *w) {
                (false, false) => problems.push(format!("{kind}: {} {fact}: read {g:?}, asked {w:?}", n.name)),
                (true, true) => {
                    problems.push(format!("{kind}: {} {fact}: cloud-init renders it now: drop it from lost", n.name))
                }
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn eni_rendering_reads_as_the_topology() {
    compare("eni", "debian", &[]);
}

#[test]
fn netplan_rendering_reads_as_the_topology() {
    compare("netplan", "ubuntu", &[]);
}

#[test]
fn sysconfig_rendering_reads_as_the_topology() {
    compare("sysconfig", "rhel", &[]);
}

/// cloud-init 22.4's NetworkManager renderer binds each Ethernet connection to its MAC and
/// names no interface (no `interface-name=`, no `.link`, no udev rule: `set-name` is lost),
/// so no reader can tell those interfaces' names (ours falls back to the connection id,
/// `cloud-init eth1`), nor, by them, the members and links that refer to them.
#[test]
fn network_manager_rendering_reads_as_the_topology() {
    let lost = [
        ("eth1", "0 name"),
        ("eth2", "0 name"),
        ("eth3", "0 name"),
        ("eth4", "0 name"),
        ("eth5", "0 name"),
        ("eth1.100", "link"),
        ("bond0", "members"),
        ("br0", "members"),
        // It also writes the bond's mode and primary but not its miimon (NetworkManager
        // has [bond] miimon=).
        ("bond0", "bond"),
    ];
    compare("network-manager", "fedora", &lost);
}

/// cloud-init 22.4's networkd renderer writes a `.network` per interface and nothing that
/// makes or joins a virtual one: no `.netdev` (so no bond, VLAN or bridge exists), no
/// `Bond=`, `Bridge=` or `VLAN=`. What it writes (addresses, gateway, routes, search) must
/// read as asked.
#[test]
fn networkd_rendering_reads_as_the_topology_cloud_init_keeps() {
    let lost = [
        ("eth1.100", "kind"),
        ("eth1.100", "link"),
        ("bond0", "kind"),
        ("bond0", "members"),
        ("bond0", "bond"),
        ("br0", "kind"),
        ("br0", "members"),
    ];
    compare("networkd", "debian", &lost);
}
