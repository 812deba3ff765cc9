//! `--nic-format auto` on Fedora-, Debian- and Ubuntu-like guests, through the real
//! virt-builder and virt-customize, and rejviz-peek reading every format back.
//! Appliance launches: 3 builds + 1 read + 3 peeks; 3 × (1 read + 1 customize) + 1 read;
//! 1 install read.

mod common;

use common::{
    LIBVIRT_URI, Sandbox, TestNetwork, image_copy, images, outcome as out, peek_json, read_guests_dirs, xml_interfaces,
};

const NIC: &str = "name=eth1,hwaddr=52:54:00:0f:00:01,ipaddr=10.7.0.5/24,gateway=10.7.0.1,dns1=10.7.0.2,mtu=1400,ipv6=2001:db8:7::5/64";
const DIRS: &[&str] = &[
    "/etc/NetworkManager/system-connections",
    "/etc/netplan",
    "/etc/network/interfaces.d",
    "/etc/systemd/network",
    "/usr/local/lib/systemd/network",
    "/etc/sysconfig/network-scripts",
];

/// eth1 as rejviz-peek --json shows it, without the fields that name the file and format.
fn peek_eth1(sb: &Sandbox, img: &std::path::Path) -> serde_json::Value {
    let (code, stdout, stderr) =
        out(&sb.rejviz("rejviz-peek").args(["--format", "raw", "-a"]).arg(img).arg("--json").output().expect("peek"));
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = peek_json(&stdout);
    let mut eth1 = v["nics"].as_array().unwrap().iter().find(|n| n["name"] == "eth1").cloned().expect("eth1 in peek");
    let o = eth1.as_object_mut().unwrap();
    o.remove("file");
    o.remove("format");
    eth1
}

#[test]
fn builder_auto_format_per_template_and_peek_reads_each() {
    let sb = Sandbox::new();
    let mut images = Vec::new();
    for (template, want) in [("rejviz-fedora", "keyfile"), ("rejviz-debian", "eni"), ("rejviz-ubuntu", "netplan")] {
        let img = sb.path(&format!("out/{template}.img"));
        let (code, _, stderr) = out(&sb
            .rejviz("rejviz-builder")
            .args([template, "--format", "raw", "-o"])
            .arg(&img)
            .args(["--nic", NIC])
            .output()
            .expect("builder"));
        assert_eq!(code, 0, "{template}: {stderr}");
        let log = stderr.lines().find(|l| l.contains("running: virt-builder")).unwrap_or_default().to_string();
        images.push((img, want, log));
    }
    let disks: Vec<&std::path::Path> = images.iter().map(|(p, _, _)| p.as_path()).collect();
    let v = read_guests_dirs(&disks, DIRS, &[], &["/etc/network/interfaces"]);

    // Fedora: a 0600 keyfile bound to the MAC, and a .link naming the interface.
    let key = v[0].listed("/etc/NetworkManager/system-connections/eth1.nmconnection").expect("keyfile");
    assert_eq!(key.1, 0o600);
    assert!(
        key.2.contains("mac-address=52:54:00:0F:00:01\n") && key.2.contains("address1=10.7.0.5/24,10.7.0.1\n"),
        "{}",
        key.2
    );
    assert!(v[0].listed("/usr/local/lib/systemd/network/10-rejviz-eth1.link").is_some());
    assert!(v[0].listed("/etc/sysconfig/network-scripts/ifcfg-eth1").is_none());
    // Debian: the stanza file, and /etc/network/interfaces now sources interfaces.d (once).
    let stanza = v[1].listed("/etc/network/interfaces.d/eth1").expect("eni stanza");
    assert!(stanza.2.contains("iface eth1 inet static\n    address 10.7.0.5/24\n"), "{}", stanza.2);
    let main = &v[1].files["/etc/network/interfaces"];
    assert_eq!(main.matches("source /etc/network/interfaces.d/*").count(), 1, "{main}");
    assert!(main.contains("iface eth0 inet dhcp"), "the template's own stanza was kept: {main}");
    assert!(
        v[1].listed("/usr/local/lib/systemd/network/10-rejviz-eth1.link")
            .is_some_and(|l| l.2.contains("MTUBytes=1400"))
    );
    // Ubuntu: a 0600 netplan file next to cloud-init's.
    let np = v[2].listed("/etc/netplan/50-rejviz-eth1.yaml").expect("netplan");
    assert_eq!(np.1, 0o600);
    assert!(v[2].listed("/etc/netplan/50-cloud-init.yaml").is_some());

    // The same NIC whatever the format.
    let seen: Vec<serde_json::Value> = images.iter().map(|(img, _, _)| peek_eth1(&sb, img)).collect();
    assert_eq!(seen[0], seen[1], "keyfile vs eni");
    assert_eq!(seen[0], seen[2], "keyfile vs netplan");
    assert_eq!(seen[0]["hwaddr"], "52:54:00:0f:00:01");
    assert_eq!(seen[0]["mtu"], 1400);
    assert_eq!(seen[0]["ipv6"]["address"], "2001:db8:7::5/64");
    for (_, want, log) in &images {
        assert!(
            log.contains(match *want {
                "keyfile" => "system-connections/eth1.nmconnection",
                "eni" => "interfaces.d/eth1",
                _ => "netplan/50-rejviz-eth1.yaml",
            }),
            "{want}: {log}"
        );
    }
}

#[test]
fn customize_auto_format_from_the_guest_replaces_its_config() {
    let sb = Sandbox::new();
    let nic = "name=eth0,hwaddr=52:54:00:0e:00:01,ipaddr=10.8.0.5/24,gateway=10.8.0.1";
    let mut imgs = Vec::new();
    for (image, want) in [("fedora.raw", "keyfile"), ("debian.raw", "eni"), ("ubuntu.raw", "netplan")] {
        let img = image_copy(&sb, image, image);
        let (code, _, stderr) = out(&sb
            .rejviz("rejviz-customize")
            .args(["--format", "raw", "-a"])
            .arg(&img)
            .args(["--nic", nic])
            .output()
            .expect("customize"));
        assert_eq!(code, 0, "{image}: {stderr}");
        assert!(stderr.contains(&format!("uses {want}: writing {want} configs")), "{image}: {stderr}");
        imgs.push(img);
    }
    let disks: Vec<&std::path::Path> = imgs.iter().map(|p| p.as_path()).collect();
    let v = read_guests_dirs(&disks, DIRS, &[], &["/etc/network/interfaces"]);
    // Fedora: the old "Wired connection 1" keyfile for eth0 (another file name) is gone.
    let names: Vec<&str> = v[0].listed.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "/etc/NetworkManager/system-connections/eth0.nmconnection",
            "/usr/local/lib/systemd/network/10-rejviz-eth0.link"
        ]
    );
    assert!(v[0].listed[0].2.contains("address1=10.8.0.5/24,10.8.0.1"));
    // Debian: eth0's stanza left /etc/network/interfaces, which keeps loopback and sources interfaces.d.
    let main = &v[1].files["/etc/network/interfaces"];
    assert!(
        !main.contains("eth0")
            && main.contains("iface lo inet loopback")
            && main.contains("source /etc/network/interfaces.d/*"),
        "{main}"
    );
    assert!(v[1].listed("/etc/network/interfaces.d/eth0").is_some());
    // Ubuntu: cloud-init's file configured only eth0, so it went; ours replaced it.
    let names: Vec<&str> = v[2].listed.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(names, ["/etc/netplan/50-rejviz-eth0.yaml"]);
}

#[test]
fn install_takes_macs_from_a_netplan_guest() {
    let sb = Sandbox::new();
    // Defined, not started: virt-install only prints XML here.
    let net = TestNetwork::new("np", "10.236.0.1", 24, false, false);
    let name = format!("rjz-{}-np", std::process::id());
    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-install")
        .args([
            "--connect",
            LIBVIRT_URI,
            "--print-xml",
            "--import",
            "--name",
            &name,
            "--memory",
            "128",
            "--virt-type",
            "qemu",
            "--disk",
        ])
        .arg(format!("{},format=raw", images().join("ubuntu.raw").display()))
        .args(["--nic-mappings", &format!("eth0={}", net.name)])
        .output()
        .expect("rejviz-install"));
    assert_eq!(code, 0, "{stderr}");
    // The MAC cloud-init's netplan file pins for eth0.
    assert_eq!(xml_interfaces(&stdout), vec![("52:54:00:0b:00:01".to_string(), net.name.clone())]);
    assert!(stderr.contains("--osinfo ubuntu22.04"), "{stderr}");
}

/// ENI on a guest whose /etc/network/interfaces is missing or empty: the file then sources
/// interfaces.d (a perl `--edit` alone adds nothing to an empty file: the stanza would never
/// be read). Appliance launches: 2 customize + 1 read.
#[test]
fn eni_sources_interfaces_d_when_the_main_file_is_missing_or_empty() {
    let sb = Sandbox::new();
    let (gone, empty) = (image_copy(&sb, "debian.raw", "gone.raw"), image_copy(&sb, "debian.raw", "empty.raw"));
    for (img, first) in [(&gone, "--delete"), (&empty, "--truncate")] {
        let (code, _, stderr) = out(&sb
            .rejviz("rejviz-customize")
            .args(["--format", "raw", "-a"])
            .arg(img)
            .args([first, "/etc/network/interfaces", "--nic", "name=eth1,format=eni"])
            .output()
            .expect("customize"));
        assert_eq!(code, 0, "{first}: {stderr}");
    }
    let v = read_guests_dirs(&[&gone, &empty], &[], &[], &["/etc/network/interfaces"]);
    for (view, what) in v.iter().zip(["missing", "empty"]) {
        let main = &view.files["/etc/network/interfaces"];
        assert_eq!(main.as_str(), "source /etc/network/interfaces.d/*\n", "{what}");
    }
}
