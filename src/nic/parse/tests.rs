//! Every inference rule and every bad input of `--nic`, as tables.

use super::*;

fn nic(spec: &str) -> Nic {
    parse_nics(&[spec]).unwrap_or_else(|e| panic!("{spec}: {e}")).remove(0)
}

fn st(spec: &str) -> StaticIpv4 {
    match nic(spec).ipv4 {
        Ipv4Config::Static(s) => s,
        other => panic!("{spec}: expected static, got {other:?}"),
    }
}

/// `--help` says of each name-server key what the parser takes: IPv6 only if it takes it.
#[test]
fn name_server_help_says_what_is_accepted() {
    for key in ["dns1", "dns2"] {
        let help = NIC_KEYS.iter().find(|k| k.name == key).map(|k| k.help).unwrap_or_default();
        let v6 = parse_nics(&[&format!("name=eth0,{key}=2001:db8::53")]).is_ok();
        assert_eq!(help.contains("IPv6"), v6, "{key}: {help}");
        assert!(help.contains("IPv4"), "{key}: {help}");
    }
}

#[test]
fn only_a_name_means_dhcp() {
    let n = nic("name=eth0");
    assert_eq!(n.name, "eth0");
    assert_eq!(n.ipv4, Ipv4Config::Dhcp);
    assert!(n.dns.is_empty());
    assert!(n.hwaddr_generated);
    assert_eq!(&n.hwaddr.expect("a MAC").octets()[..3], &[0x52, 0x54, 0x00]);
    assert_eq!(nic("name=eth0,bootproto=dhcp").ipv4, Ipv4Config::Dhcp);
    assert_eq!(nic("name=eth0,bootproto=DHCP").ipv4, Ipv4Config::Dhcp);
    // DNS servers are meaningful with DHCP too (they are added to what DHCP gives).
    assert_eq!(nic("name=eth0,dns1=1.1.1.1").dns, vec![Ipv4Addr::new(1, 1, 1, 1)]);
}

#[test]
fn given_hwaddr_is_kept() {
    let n = nic("name=eth0,hwaddr=52:54:00:00:00:AA");
    assert_eq!(n.hwaddr.map(|m| m.to_string()).as_deref(), Some("52:54:00:00:00:aa"));
    assert!(!n.hwaddr_generated);
}

#[test]
fn static_inference_table() {
    // spec, address/prefix, mask style, network, broadcast, word
    let cases: &[(&str, &str, MaskStyle, &str, &str, StaticWord)] = &[
        (
            "ipaddr=192.168.122.15",
            "192.168.122.15/24",
            MaskStyle::Prefix,
            "192.168.122.0",
            "192.168.122.255",
            StaticWord::Static,
        ),
        ("ipaddr=10.0.5.7/16", "10.0.5.7/16", MaskStyle::Prefix, "10.0.0.0", "10.0.255.255", StaticWord::Static),
        (
            "ipaddr=10.0.5.7,netmask=255.255.255.128",
            "10.0.5.7/25",
            MaskStyle::Netmask,
            "10.0.5.0",
            "10.0.5.127",
            StaticWord::Static,
        ),
        (
            "ipaddr=10.0.5.7/25,netmask=255.255.255.128",
            "10.0.5.7/25",
            MaskStyle::Prefix,
            "10.0.5.0",
            "10.0.5.127",
            StaticWord::Static,
        ),
        (
            "ipaddr=10.0.5.7,bootproto=static",
            "10.0.5.7/24",
            MaskStyle::Prefix,
            "10.0.5.0",
            "10.0.5.255",
            StaticWord::Static,
        ),
        (
            "ipaddr=10.0.5.7,bootproto=none",
            "10.0.5.7/24",
            MaskStyle::Prefix,
            "10.0.5.0",
            "10.0.5.255",
            StaticWord::None,
        ),
        (
            "ipaddr=10.0.5.7,network=10.0.5.0,broadcast=10.0.5.255",
            "10.0.5.7/24",
            MaskStyle::Prefix,
            "10.0.5.0",
            "10.0.5.255",
            StaticWord::Static,
        ),
        ("ipaddr=10.9.8.7/32", "10.9.8.7/32", MaskStyle::Prefix, "10.9.8.7", "10.9.8.7", StaticWord::Static),
        ("ipaddr=10.9.8.6/31", "10.9.8.6/31", MaskStyle::Prefix, "10.9.8.6", "10.9.8.7", StaticWord::Static),
    ];
    for (spec, addr, style, network, broadcast, word) in cases {
        let s = st(&format!("name=eth1,{spec}"));
        assert_eq!(s.addr.to_string(), *addr, "{spec}");
        assert_eq!(s.mask_style, *style, "{spec}");
        assert_eq!(s.network().to_string(), *network, "{spec}");
        assert_eq!(s.broadcast().to_string(), *broadcast, "{spec}");
        assert_eq!(s.word, *word, "{spec}");
        assert_eq!(s.gateway, None, "{spec}");
    }
}

#[test]
fn mtu_onboot_ipv6_format() {
    let n = nic("name=eth3,mtu=9000,onboot=no,ipv6=2001:db8::5/64,ipv6gw=fe80::1,format=networkd");
    assert_eq!((n.mtu, n.onboot, n.format), (Some(9000), false, Some(crate::format::Format::Networkd)));
    assert_eq!(n.ipv6.unwrap().to_string(), "2001:db8::5/64");
    assert_eq!(n.ipv6.unwrap().gateway(), Some("fe80::1".parse().unwrap()));
    assert_eq!(nic("name=eth3,ipv6=auto").ipv6, Some(super::super::Ipv6Config::Auto));
    assert_eq!(nic("name=eth3,ipv6=DHCP").ipv6, Some(super::super::Ipv6Config::Dhcp));
    let d = nic("name=eth3");
    assert_eq!((d.mtu, d.onboot, d.ipv6, d.format), (None, true, None, None));
}

#[test]
fn gateway_and_dns() {
    let n = nic("name=eth2,ipaddr=10.0.5.7/16,gateway=10.0.0.1,dns1=10.0.0.2,dns2=8.8.8.8");
    let Ipv4Config::Static(s) = &n.ipv4 else { panic!() };
    assert_eq!(s.gateway, Some(Ipv4Addr::new(10, 0, 0, 1)));
    assert_eq!(n.dns, vec![Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(8, 8, 8, 8)]);
}

#[test]
fn random_macs_are_distinct_and_avoid_given_ones() {
    let specs: Vec<String> = (0..64).map(|i| format!("name=eth{i}")).collect();
    let nics = parse_nics(&specs).unwrap();
    let mut macs: Vec<_> = nics.iter().map(|n| n.hwaddr).collect();
    macs.sort();
    macs.dedup();
    assert_eq!(macs.len(), 64);
    // A given MAC after a generated one is still avoided by the generated one.
    for _ in 0..50 {
        let nics = parse_nics(&["name=a", "name=b,hwaddr=52:54:00:00:00:01"]).unwrap();
        assert_ne!(nics[0].hwaddr, nics[1].hwaddr);
    }
}

/// (specs, expected error line). Each names the NIC and, where there is one, the key.
const BAD: &[(&[&str], &str)] = &[
    // syntax
    (&["ipaddr=1.2.3.4"], "--nic #1 'ipaddr=1.2.3.4': missing name= (every --nic needs name=NAME)"),
    (&["name=eth0", ""], "--nic #2 '': empty option (expected key=value[,key=value]...)"),
    (&["name=eth0,=x"], "--nic eth0: empty key in '=x'"),
    (&["name=eth0,gateway="], "--nic eth0: gateway: empty value"),
    (&["name=eth0,name=eth1"], "--nic eth0: name: given twice"),
    (
        &["name=eth0,colour=blue"],
        "--nic eth0: colour: unknown key (known: name hwaddr bootproto ipaddr network netmask broadcast gateway dns1 dns2 mtu onboot ipv6 ipv6gw routes search type link id members mode miimon primary lacp-rate xmit-hash-policy stp format)",
    ),
    (&["name=eth0,dhcp"], "--nic eth0: 'dhcp' is not key=value"),
    (&["eth0"], "--nic #1 'eth0': 'eth0' is not key=value"),
    // interface names
    (&["name=a234567890abcdef"], "--nic #1 'name=a234567890abcdef': name: 'a234567890abcdef' is longer than 15 bytes"),
    (&["name=eth/0"], "--nic #1 'name=eth/0': name: 'eth/0' contains '/', which an interface name cannot"),
    (&["name=eth 0"], "--nic #1 'name=eth 0': name: 'eth 0' contains whitespace, which an interface name cannot"),
    (&["name=."], "--nic #1 'name=.': name: '.' is not an interface name"),
    (&["name=.."], "--nic #1 'name=..': name: '..' is not an interface name"),
    // IPv4 values
    (&["name=eth0,ipaddr=300.1.1.1"], "--nic eth0: ipaddr: '300.1.1.1' is not an IPv4 address"),
    (&["name=eth0,ipaddr=1.2.3"], "--nic eth0: ipaddr: '1.2.3' is not an IPv4 address"),
    (
        &["name=eth0,ipaddr=1.2.3.4/33"],
        "--nic eth0: ipaddr: prefix '33' is not a number from 1 to 32 (without leading zeros)",
    ),
    (
        &["name=eth0,ipaddr=1.2.3.4/"],
        "--nic eth0: ipaddr: prefix '' is not a number from 1 to 32 (without leading zeros)",
    ),
    (
        &["name=eth0,ipaddr=1.2.3.4/+8"],
        "--nic eth0: ipaddr: prefix '+8' is not a number from 1 to 32 (without leading zeros)",
    ),
    (
        &["name=eth0,ipaddr=1.2.3.4,netmask=255.0.255.0"],
        "--nic eth0: netmask: '255.0.255.0' is not a contiguous netmask",
    ),
    (&["name=eth0,ipaddr=1.2.3.4,netmask=24"], "--nic eth0: netmask: '24' is not an IPv4 address"),
    (&["name=eth0,ipaddr=1.2.3.4,network=x"], "--nic eth0: network: 'x' is not an IPv4 address"),
    (&["name=eth0,ipaddr=1.2.3.4,broadcast=1.2.3.256"], "--nic eth0: broadcast: '1.2.3.256' is not an IPv4 address"),
    (&["name=eth0,ipaddr=1.2.3.4,gateway=gw"], "--nic eth0: gateway: 'gw' is not an IPv4 address"),
    (&["name=eth0,dns1=::1"], "--nic eth0: dns1: '::1' is not an IPv4 address"),
    (&["name=eth0,dns2=8.8.8"], "--nic eth0: dns2: '8.8.8' is not an IPv4 address"),
    // contradictions
    (
        &["name=eth0,ipaddr=10.0.5.7,network=10.0.0.0"],
        "--nic eth0: network: 10.0.0.0 contradicts 10.0.5.7/24, whose network is 10.0.5.0",
    ),
    (
        &["name=eth0,ipaddr=10.0.5.7/16,broadcast=10.0.5.255"],
        "--nic eth0: broadcast: 10.0.5.255 contradicts 10.0.5.7/16, whose broadcast is 10.0.255.255",
    ),
    (
        &["name=eth0,ipaddr=10.0.5.7/16,netmask=255.255.255.0"],
        "--nic eth0: netmask: netmask 255.255.255.0 contradicts the prefix /16 of ipaddr",
    ),
    (
        &["name=eth0,ipaddr=10.0.5.0"],
        "--nic eth0: ipaddr: 10.0.5.0/24 is the network address of its network, not a host address",
    ),
    (
        &["name=eth0,ipaddr=10.0.5.255"],
        "--nic eth0: ipaddr: 10.0.5.255/24 is the broadcast address of its network, not a host address",
    ),
    (
        &["name=eth0,ipaddr=10.0.5.7,gateway=10.0.6.1"],
        "--nic eth0: gateway: 10.0.6.1 is not a host in 10.0.5.0/24 (other than the NIC's own address)",
    ),
    (
        &["name=eth0,ipaddr=10.0.5.7,gateway=10.0.5.7"],
        "--nic eth0: gateway: 10.0.5.7 is the NIC's own address; its gateway must be another host",
    ),
    // bootproto
    (&["name=eth0,bootproto=static"], "--nic eth0: bootproto: static configuration needs ipaddr="),
    (
        &["name=eth0,bootproto=dhcp,ipaddr=1.2.3.4"],
        "--nic eth0: bootproto: bootproto=dhcp cannot have ipaddr= (drop one of them)",
    ),
    (&["name=eth0,bootproto=bootp"], "--nic eth0: bootproto: 'bootp' is not one of dhcp, static, none"),
    (
        &["name=eth0,gateway=1.2.3.1"],
        "--nic eth0: gateway: only makes sense with ipaddr= (without it the NIC uses DHCP)",
    ),
    (
        &["name=eth0,netmask=255.255.255.0"],
        "--nic eth0: netmask: only makes sense with ipaddr= (without it the NIC uses DHCP)",
    ),
    // MACs
    (
        &["name=eth0,hwaddr=52:54:00:zz:00:01"],
        "--nic eth0: hwaddr: '52:54:00:zz:00:01' is not a MAC address (expected six hex pairs like 52:54:00:12:34:56)",
    ),
    (
        &["name=eth0,hwaddr=01:00:5e:00:00:01"],
        "--nic eth0: hwaddr: '01:00:5e:00:00:01' is a multicast MAC address; a NIC needs a unicast one",
    ),
    (&["name=eth0,hwaddr=00:00:00:00:00:00"], "--nic eth0: hwaddr: '00:00:00:00:00:00' is the all-zero MAC address"),
    // mtu, onboot, ipv6, format
    (&["name=eth0,mtu=67"], "--nic eth0: mtu: '67' is not a number from 68 to 65535"),
    (&["name=eth0,mtu=+9000"], "--nic eth0: mtu: '+9000' is not a number from 68 to 65535"),
    (&["name=eth0,mtu=jumbo"], "--nic eth0: mtu: 'jumbo' is not a number from 68 to 65535"),
    (&["name=eth0,onboot=maybe"], "--nic eth0: onboot: 'maybe' is not yes or no"),
    (
        &["name=eth0,ipv6=slaac"],
        "--nic eth0: ipv6: 'slaac' is not auto, dhcp or an IPv6 address with its prefix (ADDR/PREFIX)",
    ),
    (
        &["name=eth0,ipv6=2001:db8::5"],
        "--nic eth0: ipv6: '2001:db8::5' is not auto, dhcp or an IPv6 address with its prefix (ADDR/PREFIX)",
    ),
    (
        &["name=eth0,ipv6=ff02::1/64"],
        "--nic eth0: ipv6: ff02::1 is a multicast address; a NIC's own address cannot be one",
    ),
    (
        &["name=eth0,ipv6=2001:db8::5/129"],
        "--nic eth0: ipv6: prefix '129' is not a number from 1 to 128 (without leading zeros)",
    ),
    (&["name=eth0,ipv6=auto,ipv6gw=fe80::1"], "--nic eth0: ipv6gw: needs a static ipv6=ADDR/PREFIX"),
    (&["name=eth0,ipv6=2001:db8::5/64,ipv6gw=10.0.0.1"], "--nic eth0: ipv6gw: '10.0.0.1' is not an IPv6 address"),
    (&["name=eth0,format=yaml"], "--nic eth0: format: 'yaml' is not one of ifcfg, keyfile, netplan, eni, networkd"),
    // across NICs
    (
        &["name=eth0", "name=eth1", "name=eth0"],
        "--nic eth0: name: interface eth0 is already configured by an earlier --nic",
    ),
    (
        &["name=eth0,hwaddr=52:54:00:00:00:01", "name=eth1,hwaddr=52:54:00:00:00:01"],
        "--nic eth1: hwaddr: 52:54:00:00:00:01 is already used by --nic eth0",
    ),
    // topologies: each key's value
    (&["name=x,type=team"], "--nic x: type: 'team' is not one of ethernet, vlan, bond, bridge"),
    (&["name=eth0,id=5"], "--nic eth0: id: only for type=vlan"),
    (&["name=eth0,stp=yes"], "--nic eth0: stp: only for type=bridge"),
    (&["name=br0,type=bridge,mode=802.3ad"], "--nic br0: mode: only for type=bond"),
    (&["name=v,type=vlan,id=5"], "--nic v: type: type=vlan needs link=NAME"),
    (&["name=eth1", "name=v,type=vlan,link=eth1"], "--nic v: type: type=vlan needs id=1..4094"),
    (
        &["name=v,type=vlan,link=eth1,id=4095"],
        "--nic v: id: '4095' is not a VLAN id from 1 to 4094 (without leading zeros)",
    ),
    (&["name=v,type=vlan,link=eth1,id=0"], "--nic v: id: '0' is not a VLAN id from 1 to 4094 (without leading zeros)"),
    (
        &["name=v,type=vlan,link=eth1,id=010"],
        "--nic v: id: '010' is not a VLAN id from 1 to 4094 (without leading zeros)",
    ),
    (&["name=b,type=bond"], "--nic b: type: type=bond needs members=NAME[+NAME]..."),
    (
        &["name=b,type=bond,members=eth1,mode=lacp"],
        "--nic b: mode: 'lacp' is not one of balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb",
    ),
    (
        &["name=b,type=bond,members=eth1,mode=1"],
        "--nic b: mode: '1' is not one of balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb",
    ),
    (&["name=b,type=bond,members=eth1+eth1"], "--nic b: members: eth1 is named twice"),
    (&["name=b,type=bond,members=eth1+"], "--nic b: members: '': interface name is empty"),
    (
        &["name=b,type=bond,members=eth1,primary=eth2,mode=active-backup"],
        "--nic b: primary: eth2 is not one of the bond's members",
    ),
    (
        &["name=b,type=bond,members=eth1,primary=eth1"],
        "--nic b: primary: means nothing in mode balance-rr (only in active-backup, balance-tlb, balance-alb)",
    ),
    (
        &["name=b,type=bond,members=eth1,lacp-rate=fast"],
        "--nic b: lacp-rate: means nothing in mode balance-rr (only in 802.3ad)",
    ),
    (
        &["name=b,type=bond,members=eth1,mode=802.3ad,lacp-rate=quick"],
        "--nic b: lacp-rate: 'quick' is not one of slow, fast",
    ),
    (
        &["name=b,type=bond,members=eth1,mode=active-backup,xmit-hash-policy=layer3+4"],
        "--nic b: xmit-hash-policy: means nothing in mode active-backup (only in balance-xor, 802.3ad, balance-tlb)",
    ),
    (&["name=b,type=bond,members=eth1,miimon=1s"], "--nic b: miimon: '1s' is not a number of milliseconds"),
    (&["name=br0,type=bridge,stp=on"], "--nic br0: stp: 'on' is not yes or no"),
    (
        &["name=b,type=bond,members=eth1,hwaddr=52:54:00:00:00:01"],
        "--nic b: hwaddr: a bond has no MAC of its own to bind (its members are bound by theirs)",
    ),
    (
        &["name=eth0,search=lab..example"],
        "--nic eth0: search: 'lab..example': an empty label (two dots, or a dot first or last)",
    ),
    (&["name=eth0,search=a.b+A.B"], "--nic eth0: search: A.B is named twice"),
    // routes
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16"],
        "--nic eth5: routes: '10.10.0.0/16': not NET/PREFIX@GATEWAY",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0@10.9.0.1"],
        "--nic eth5: routes: '10.10.0.0@10.9.0.1': the destination needs its prefix (NET/PREFIX)",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.1/16@10.9.0.1"],
        "--nic eth5: routes: '10.10.0.1/16@10.9.0.1': 10.10.0.1/16 has host bits set: the network is 10.10.0.0/16",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=0.0.0.0/0@10.9.0.1"],
        "--nic eth5: routes: '0.0.0.0/0@10.9.0.1': a default route is gateway= (ipv6gw= for IPv6), not a route",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.8.0.1"],
        "--nic eth5: routes: '10.10.0.0/16@10.8.0.1': the gateway 10.8.0.1 is not a host in 10.9.0.0/24 (add @onlink if it is on the link)",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.9.0.5"],
        "--nic eth5: routes: '10.10.0.0/16@10.9.0.5': the gateway 10.9.0.5 is the NIC's own address",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.9.0.1@always"],
        "--nic eth5: routes: '10.10.0.0/16@10.9.0.1@always': 'always' is not onlink",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=2001:db8::/32@10.9.0.1"],
        "--nic eth5: routes: '2001:db8::/32@10.9.0.1': the gateway 10.9.0.1 and the destination 2001:db8::/32 are not of one family",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=2001:db8::/32@2001:db8:1::1"],
        "--nic eth5: routes: '2001:db8::/32@2001:db8:1::1': the NIC has no IPv6 (ipv6=)",
    ),
    (
        &["name=eth5,bootproto=none,routes=10.10.0.0/16@10.9.0.1"],
        "--nic eth5: routes: '10.10.0.0/16@10.9.0.1': the NIC has no IPv4 address",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.9.0.1+10.10.0.0/16@10.9.0.2"],
        "--nic eth5: routes: 10.10.0.0/16 is named twice",
    ),
    (
        &["name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.9.0.255"],
        "--nic eth5: routes: '10.10.0.0/16@10.9.0.255': the gateway 10.9.0.255 is not a host in 10.9.0.0/24 (add @onlink if it is on the link)",
    ),
    // topologies across NICs
    (&["name=b,type=bond,members=eth9"], "--nic b: members: eth9 is not a --nic of this call"),
    (&["name=eth1", "name=v,type=vlan,link=eth2,id=5"], "--nic v: link: eth2 is not a --nic of this call"),
    (
        &["name=eth1", "name=b,type=bond,members=eth1", "name=br,type=bridge,members=eth1"],
        "--nic br: members: eth1 is already a member of b; a NIC has one master",
    ),
    (&["name=br0,type=bridge,members=br0"], "--nic br0: members: loop: br0 -> br0"),
    (&["name=v,type=vlan,link=v,id=3"], "--nic v: link: loop: v -> v"),
    (
        &["name=br0,type=bridge,members=v", "name=v,type=vlan,link=br0,id=3"],
        "--nic br0: members: loop: br0 -> v -> br0",
    ),
    (
        &["name=eth1", "name=br0,type=bridge,members=eth1", "name=b,type=bond,members=br0"],
        "--nic b: members: br0 is a bridge; a bond's members are Ethernet NICs",
    ),
    (
        &["name=eth1", "name=v,type=vlan,link=eth1,id=5", "name=w,type=vlan,link=v,id=6"],
        "--nic w: link: v is a vlan; a VLAN runs on an Ethernet NIC, a bond or a bridge",
    ),
    (
        &["name=eth1", "name=v,type=vlan,link=eth1,id=5", "name=w,type=vlan,link=eth1,id=5"],
        "--nic w: id: VLAN 5 on eth1 is already --nic v",
    ),
    (
        &["name=eth1", "name=b,type=bond,members=eth1", "name=v,type=vlan,link=eth1,id=5"],
        "--nic v: link: eth1 is a member of b; put the VLAN on b instead",
    ),
    (
        &["name=eth1,ipaddr=10.0.0.2/24", "name=b,type=bond,members=eth1"],
        "--nic eth1: ipaddr: eth1 is a member of b, which brings it up: it has no address of its own (drop ipaddr=)",
    ),
    (
        &["name=eth1,bootproto=dhcp", "name=b,type=bond,members=eth1"],
        "--nic eth1: bootproto: eth1 is a member of b, which brings it up: it has no address of its own (drop bootproto=)",
    ),
    (
        &["name=eth1,onboot=no", "name=br,type=bridge,members=eth1"],
        "--nic eth1: onboot: eth1 is a member of br, which brings it up: it has no address of its own (drop onboot=)",
    ),
];

#[test]
fn bad_input_table() {
    for (specs, want) in BAD {
        let err = parse_nics(specs).expect_err(&format!("{specs:?} should fail"));
        assert_eq!(err.to_string(), *want, "{specs:?}");
        assert!(!err.to_string().contains('\n'));
    }
}

#[test]
fn duplicate_mac_is_case_insensitive() {
    let err = parse_nics(&["name=eth0,hwaddr=52:54:00:00:00:aa", "name=eth1,hwaddr=52:54:00:00:00:AA"]).unwrap_err();
    assert_eq!(err.to_string(), "--nic eth1: hwaddr: 52:54:00:00:00:aa is already used by --nic eth0");
}

/// Control characters are refused in every key's value, and no error line carries one: the
/// values an error quotes are printed escaped.
#[test]
fn control_characters_are_refused_and_never_printed() {
    for key in NIC_KEYS.iter().map(|k| k.name) {
        for bad in ["a\nb", "\x1b[2J", "x\t", "\x7f", "1.2.3.4\r", "\u{85}"] {
            let spec = if key == "name" { format!("name={bad}") } else { format!("name=eth0,{key}={bad}") };
            let err = parse_nics(&[spec.as_str()]).expect_err(&spec);
            let line = err.to_string();
            assert!(!line.chars().any(char::is_control), "{spec:?}: {line:?}");
            assert!(line.contains("contains a control character"), "{spec:?}: {line}");
        }
    }
    let line = parse_nics(&["name=eth0,dns1=1.1.1.1\n"]).unwrap_err().to_string();
    assert_eq!(line, "--nic eth0: dns1: '1.1.1.1\\n' contains a control character, which no value can");
    let line = parse_nics(&["ipaddr=\x1b]0;pwned\x07"]).unwrap_err().to_string();
    assert_eq!(
        line,
        "--nic #1 'ipaddr=\\u{1b}]0;pwned\\u{7}': ipaddr: '\\u{1b}]0;pwned\\u{7}' contains a control character, which no value can"
    );
}

/// Every error variant that quotes a value, built with hostile values: one line, no control
/// character.
#[test]
fn every_error_prints_values_escaped() {
    let v = || "a\nb\x1b[31m\r\x7f\u{85}".to_string();
    let problems = vec![
        NicProblem::Syntax(OptListError::NoEquals(v())),
        NicProblem::Name(IfNameError::TooLong(v())),
        NicProblem::Name(IfNameError::Dot(v())),
        NicProblem::Name(IfNameError::BadChar { name: v(), what: "x" }),
        NicProblem::Mac(MacError::Syntax(v())),
        NicProblem::Mac(MacError::Multicast(v())),
        NicProblem::Mac(MacError::Zero(v())),
        NicProblem::Ipv4(v()),
        NicProblem::Prefix { value: v(), max: 32 },
        NicProblem::Netmask(v()),
        NicProblem::Bootproto(v()),
        NicProblem::Mtu(v()),
        NicProblem::YesNo(v()),
        NicProblem::Ipv6(v()),
        NicProblem::Ipv6Addr(v()),
        NicProblem::Format(v().parse::<Format>().unwrap_err()),
        NicProblem::Unsupported { format: Format::Eni, what: v() },
        NicProblem::DuplicateName(v()),
        NicProblem::DuplicateMac { mac: "52:54:00:00:00:01".parse().unwrap(), other: v() },
    ];
    for problem in problems {
        for key in [None, Some(v())] {
            let e = NicError { nic: v(), key, problem: problem.clone() };
            let line = e.to_string();
            assert!(!line.chars().any(char::is_control), "{problem:?}: {line:?}");
        }
    }
}

/// Addresses no interface can have, per key and role: (spec after name=eth0, error line
/// after "--nic eth0: ").
const UNUSABLE: &[(&str, &str)] = &[
    // the NIC's own IPv4 address
    ("ipaddr=0.0.0.0", "ipaddr: 0.0.0.0 is the unspecified address; a NIC's own address cannot be one"),
    ("ipaddr=0.0.0.0/8", "ipaddr: 0.0.0.0 is the unspecified address; a NIC's own address cannot be one"),
    ("ipaddr=127.0.0.1/8", "ipaddr: 127.0.0.1 is a loopback address; a NIC's own address cannot be one"),
    ("ipaddr=127.1.2.3/32", "ipaddr: 127.1.2.3 is a loopback address; a NIC's own address cannot be one"),
    ("ipaddr=224.0.0.1", "ipaddr: 224.0.0.1 is a multicast address; a NIC's own address cannot be one"),
    ("ipaddr=239.255.255.250/32", "ipaddr: 239.255.255.250 is a multicast address; a NIC's own address cannot be one"),
    (
        "ipaddr=255.255.255.255/32",
        "ipaddr: 255.255.255.255 is the limited broadcast address; a NIC's own address cannot be one",
    ),
    ("ipaddr=169.254.1.1/16", "ipaddr: 169.254.1.1 is a link-local address; a NIC's own address cannot be one"),
    ("ipaddr=10.0.5.0/24", "ipaddr: 10.0.5.0/24 is the network address of its network, not a host address"),
    ("ipaddr=10.0.5.3/30", "ipaddr: 10.0.5.3/30 is the broadcast address of its network, not a host address"),
    // prefixes are written like octets: no leading zeros
    ("ipaddr=10.0.5.7/0", "ipaddr: prefix '0' is not a number from 1 to 32 (without leading zeros)"),
    (
        "ipaddr=10.0.5.7,netmask=0.0.0.0",
        "netmask: prefix '0 (netmask 0.0.0.0)' is not a number from 1 to 32 (without leading zeros)",
    ),
    ("ipv6=2001:db8::5/0", "ipv6: prefix '0' is not a number from 1 to 128 (without leading zeros)"),
    ("ipaddr=10.0.5.7/024", "ipaddr: prefix '024' is not a number from 1 to 32 (without leading zeros)"),
    ("ipaddr=10.0.5.7/00", "ipaddr: prefix '00' is not a number from 1 to 32 (without leading zeros)"),
    ("ipaddr=10.0.5.7/0024", "ipaddr: prefix '0024' is not a number from 1 to 32 (without leading zeros)"),
    ("ipaddr=10.0.5.7/010", "ipaddr: prefix '010' is not a number from 1 to 32 (without leading zeros)"),
    ("ipaddr=10.0.5.7/ 8", "ipaddr: prefix ' 8' is not a number from 1 to 32 (without leading zeros)"),
    ("ipaddr=010.0.5.7/8", "ipaddr: '010.0.5.7' is not an IPv4 address"),
    ("ipv6=2001:db8::5/064", "ipv6: prefix '064' is not a number from 1 to 128 (without leading zeros)"),
    ("ipv6=2001:db8::5/00", "ipv6: prefix '00' is not a number from 1 to 128 (without leading zeros)"),
    ("ipv6=2001:db8::5/", "ipv6: prefix '' is not a number from 1 to 128 (without leading zeros)"),
    // the IPv4 gateway
    ("ipaddr=10.0.5.7/1,gateway=0.0.0.0", "gateway: 0.0.0.0 is the unspecified address; a gateway cannot be one"),
    ("ipaddr=10.0.5.7/1,gateway=127.0.0.1", "gateway: 127.0.0.1 is a loopback address; a gateway cannot be one"),
    ("ipaddr=10.0.5.7/1,gateway=224.0.0.9", "gateway: 224.0.0.9 is a multicast address; a gateway cannot be one"),
    (
        "ipaddr=10.0.5.7/1,gateway=255.255.255.255",
        "gateway: 255.255.255.255 is the limited broadcast address; a gateway cannot be one",
    ),
    (
        "ipaddr=10.0.5.7/24,gateway=10.0.5.255",
        "gateway: 10.0.5.255 is not a host in 10.0.5.0/24 (other than the NIC's own address)",
    ),
    (
        "ipaddr=10.0.5.7/24,gateway=10.0.5.0",
        "gateway: 10.0.5.0 is not a host in 10.0.5.0/24 (other than the NIC's own address)",
    ),
    (
        "ipaddr=10.0.5.7/32,gateway=10.0.5.7",
        "gateway: 10.0.5.7 is the NIC's own address; its gateway must be another host",
    ),
    // name servers
    ("dns1=0.0.0.0", "dns1: 0.0.0.0 is the unspecified address; a name server cannot be one"),
    ("dns2=224.0.0.251", "dns2: 224.0.0.251 is a multicast address; a name server cannot be one"),
    (
        "dns1=1.1.1.1,dns2=255.255.255.255",
        "dns2: 255.255.255.255 is the limited broadcast address; a name server cannot be one",
    ),
    (
        "ipaddr=10.0.5.7/24,dns1=10.0.5.255",
        "dns1: 10.0.5.255 is the broadcast address of the NIC's subnet; a name server cannot be one",
    ),
    (
        "ipaddr=10.0.5.7/24,dns2=10.0.5.0",
        "dns2: 10.0.5.0 is the network address of the NIC's subnet; a name server cannot be one",
    ),
    // the NIC's own IPv6 address
    ("ipv6=::/64", "ipv6: :: is the unspecified address; a NIC's own address cannot be one"),
    ("ipv6=::1/128", "ipv6: ::1 is a loopback address; a NIC's own address cannot be one"),
    ("ipv6=ff02::1/64", "ipv6: ff02::1 is a multicast address; a NIC's own address cannot be one"),
    ("ipv6=fe80::5/64", "ipv6: fe80::5 is a link-local address; a NIC's own address cannot be one"),
    ("ipv6=febf::5/64", "ipv6: febf::5 is a link-local address; a NIC's own address cannot be one"),
    ("ipv6=::ffff:10.0.0.1/96", "ipv6: ::ffff:10.0.0.1 is an IPv4-mapped address; a NIC's own address cannot be one"),
    // the IPv6 gateway
    ("ipv6=2001:db8::5/64,ipv6gw=ff02::2", "ipv6gw: ff02::2 is a multicast address; a gateway cannot be one"),
    ("ipv6=2001:db8::5/64,ipv6gw=::", "ipv6gw: :: is the unspecified address; a gateway cannot be one"),
    ("ipv6=2001:db8::5/64,ipv6gw=::1", "ipv6gw: ::1 is a loopback address; a gateway cannot be one"),
    (
        "ipv6=2001:db8::5/64,ipv6gw=2001:db8::5",
        "ipv6gw: 2001:db8::5 is the NIC's own address; its gateway must be another host",
    ),
    (
        "ipv6=2001:db8::5/64,ipv6gw=2001:DB8:0::5",
        "ipv6gw: 2001:db8::5 is the NIC's own address; its gateway must be another host",
    ),
];

#[test]
fn unusable_addresses_table() {
    let mut wrong = Vec::new();
    for (spec, want) in UNUSABLE {
        let spec = format!("name=eth0,{spec}");
        let got = parse_nics(&[spec.as_str()]).map(|_| "accepted".to_string()).unwrap_or_else(|e| e.to_string());
        if got != format!("--nic eth0: {want}") {
            wrong.push(format!("{spec}: {got}"));
        }
    }
    assert!(wrong.is_empty(), "{} of {}:\n{}", wrong.len(), UNUSABLE.len(), wrong.join("\n"));
}

/// What stays accepted: the boundaries of every rule above.
#[test]
fn usable_addresses_stay_accepted() {
    for spec in [
        "ipaddr=10.0.5.7/1",
        "ipaddr=10.0.5.7/8",
        "ipaddr=10.0.5.6/31",
        "ipaddr=10.0.5.7/31",
        "ipaddr=10.0.5.0/31",
        "ipaddr=10.0.5.255/31",
        "ipaddr=10.0.5.0/32",
        "ipaddr=10.0.5.255/32",
        "ipaddr=10.0.5.1/30",
        "ipaddr=10.0.5.2/30,gateway=10.0.5.1",
        "ipaddr=10.0.5.6/31,gateway=10.0.5.7",
        "ipaddr=126.255.255.254/8",
        "ipaddr=128.0.0.1/16",
        "ipaddr=169.253.255.254/16",
        "ipaddr=169.255.0.1/16",
        "ipaddr=223.255.255.254/24",
        "ipaddr=100.64.0.5/10",
        "ipaddr=0.0.0.1/8",
        "ipaddr=192.168.1.5/24,dns1=127.0.0.53",
        "dns1=169.254.169.253",
        "dns1=127.0.0.1,dns2=10.0.0.255",
        "ipaddr=10.0.5.7/16,dns1=10.0.5.255",
        "ipv6=2001:db8::5/64,ipv6gw=fe80::1",
        "ipv6=2001:db8::5/1",
        "ipv6=2001:db8::5/128",
        "ipv6=fd00::1/8",
        "ipv6=2001:db8::/64",
        "ipv6=fec0::5/64",
        "ipv6=::2/128",
        "ipv6=::ffff:1:0:1/96",
    ] {
        let spec = format!("name=eth0,{spec}");
        parse_nics(&[spec.as_str()]).unwrap_or_else(|e| panic!("{spec}: {e}"));
    }
}

#[test]
fn topologies_parse_into_members_masters_and_vlans() {
    let nics = parse_nics(&[
        "name=eth1,bootproto=none",
        "name=eth1.100,type=vlan,link=eth1,id=100,ipaddr=172.16.100.5/24",
        "name=eth2",
        "name=eth3,bootproto=none",
        "name=bond0,type=bond,members=eth2+eth3,mode=active-backup,miimon=100,primary=eth3,ipaddr=10.0.0.5/24",
        "name=eth4",
        "name=br0,type=bridge,members=eth4+bond0.7,stp=yes,ipaddr=192.168.50.2/24,gateway=192.168.50.1",
        "name=bond0.7,type=vlan,link=bond0,id=7",
        "name=eth5,ipaddr=10.9.0.5/24,routes=10.10.0.0/16@10.9.0.1+10.11.0.0/16@192.0.2.1@ONLINK,search=lab.example.com+example.com",
    ])
    .unwrap();
    let by = |n: &str| nics.iter().find(|x| x.name == n).unwrap();
    assert_eq!(by("eth1").ipv4, Ipv4Config::NoAddress);
    assert_eq!(by("eth1").vlans, ["eth1.100"]);
    assert_eq!(by("eth1.100").kind, NicKind::Vlan(Vlan { link: "eth1".into(), id: 100 }));
    assert_eq!(by("eth1.100").hwaddr, None);
    // A member without bootproto= loses the DHCP default.
    assert_eq!(by("eth2").ipv4, Ipv4Config::NoAddress);
    assert_eq!(by("eth2").master, Some(Master { name: "bond0".into(), kind: MasterKind::Bond, primary: false }));
    assert_eq!(by("eth3").master, Some(Master { name: "bond0".into(), kind: MasterKind::Bond, primary: true }));
    let NicKind::Bond(b) = &by("bond0").kind else { panic!("bond") };
    assert_eq!((b.options.mode, b.options.miimon), (BondMode::ActiveBackup, Some(100)));
    assert_eq!(by("bond0").vlans, ["bond0.7"]);
    assert_eq!(by("bond0.7").master.as_ref().map(|m| (m.name.as_str(), m.kind)), Some(("br0", MasterKind::Bridge)));
    assert_eq!(by("br0").kind, NicKind::Bridge(Bridge { members: vec!["eth4".into(), "bond0.7".into()], stp: true }));
    let r: Vec<String> = by("eth5").routes.iter().map(|r| r.to_string()).collect();
    assert_eq!(r, ["10.10.0.0/16@10.9.0.1", "10.11.0.0/16@192.0.2.1@onlink"]);
    assert_eq!(by("eth5").search, ["lab.example.com", "example.com"]);
    // Routes on DHCP NICs (subnet unknown) and IPv6 routes through link-local gateways.
    let n = nic(
        "name=e,ipv6=2001:db8::5/64,routes=10.1.0.0/16@10.0.0.1+2001:db8:9::/48@fe80::1+2001:db8:8::/48@2001:db8::1",
    );
    assert_eq!(n.routes.len(), 3);
    // Members and links may be interfaces the guest already has (the commands' hook), by
    // the same rules as NICs of the call.
    let g = |name, kind, master| GuestIface { name, kind, master };
    let guest = [g("eth7", "ethernet", None), g("eth8", "ethernet", None), g("bond9", "bond", None)];
    let beside = |v: &[&str]| parse_nics_beside(v, &guest).map_err(|e| e.to_string());
    let n = beside(&[
        "name=b,type=bond,members=eth7",
        "name=v,type=vlan,link=eth8,id=2",
        "name=w,type=vlan,link=bond9,id=3",
    ])
    .unwrap();
    // What a writer declares of them (netplan: in the section of their kind).
    assert_eq!(n[2].lower.iter().map(|l| (l.name.as_str(), l.kind)).collect::<Vec<_>>(), [("bond9", "bond")]);
    assert_eq!(
        beside(&["name=b,type=bond,members=bond9"]).unwrap_err(),
        "--nic b: members: bond9 is a bond; a bond's members are Ethernet NICs"
    );
    let guest = [g("eth7", "ethernet", Some("bond0")), g("v7", "vlan", None)];
    let beside = |v: &[&str]| parse_nics_beside(v, &guest).map_err(|e| e.to_string());
    assert_eq!(
        beside(&["name=b,type=bond,members=eth7"]).unwrap_err(),
        "--nic b: members: eth7 is already a member of bond0; a NIC has one master"
    );
    assert_eq!(
        beside(&["name=v,type=vlan,link=eth7,id=2"]).unwrap_err(),
        "--nic v: link: eth7 is a member of bond0; put the VLAN on bond0 instead"
    );
    assert_eq!(
        beside(&["name=v,type=vlan,link=v7,id=2"]).unwrap_err(),
        "--nic v: link: v7 is a vlan; a VLAN runs on an Ethernet NIC, a bond or a bridge"
    );
    assert!(beside(&["name=bond0,type=bond,members=eth7"]).is_ok());
}
