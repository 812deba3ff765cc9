//! rejviz-builder's own behaviour, against the real virt-builder where it runs at all
//! (none of these launches an appliance).

mod common;

use common::{Sandbox, TEMPLATE};

fn run(sb: &Sandbox, args: &[&str]) -> (i32, String, String) {
    let o = sb.rejviz("rejviz-builder").args(args).output().expect("run");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn bad_nic_exits_2_with_one_line_and_never_runs_virt_builder() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--nic", "ipaddr=1.2.3.4"],
            "rejviz-builder: --nic #1 'ipaddr=1.2.3.4': missing name= (every --nic needs name=NAME)",
        ),
        (
            &["--nic", "name=eth0,ipaddr=10.0.0.300"],
            "rejviz-builder: --nic eth0: ipaddr: '10.0.0.300' is not an IPv4 address",
        ),
        (
            &["--nic", "name=eth0", "--nic", "name=eth0"],
            "rejviz-builder: --nic eth0: name: interface eth0 is already configured by an earlier --nic",
        ),
        (
            &["--nic", "name=eth0,colour=blue"],
            "rejviz-builder: --nic eth0: colour: unknown key (known: name hwaddr bootproto ipaddr network netmask broadcast gateway dns1 dns2 mtu onboot ipv6 ipv6gw routes search type link id members mode miimon primary lacp-rate xmit-hash-policy stp format)",
        ),
        (
            &[
                "--nic",
                "name=eth1",
                "--nic",
                "name=eth2",
                "--nic",
                "name=b,type=bond,members=eth1",
                "--nic",
                "name=br,type=bridge,members=eth1+eth2",
            ],
            "rejviz-builder: --nic br: members: eth1 is already a member of b; a NIC has one master",
        ),
        (
            &["--nic", "name=eth0,hwaddr=01:00:00:00:00:01"],
            "rejviz-builder: --nic eth0: hwaddr: '01:00:00:00:00:01' is a multicast MAC address; a NIC needs a unicast one",
        ),
        (&["--nic"], "rejviz-builder: --nic needs a value"),
        (&["--dry-run=yes"], "rejviz-builder: --dry-run takes no value"),
    ];
    for (extra, want) in cases {
        let sb = Sandbox::new();
        // With a valid template and output, virt-builder would create vm.img if it ran.
        let mut args = vec![TEMPLATE, "-o", "vm.img", "--root-password", "password:pw-in-bad-call"];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = run(&sb, &args);
        assert_eq!(code, 2, "{extra:?}");
        assert_eq!(stderr, format!("{want}\n"), "{extra:?}");
        assert_eq!(stdout, "");
        assert!(!sb.path("out/vm.img").exists(), "virt-builder ran for {extra:?}");
    }
}

#[test]
fn exit_status_of_a_failing_virt_builder_passes_through() {
    let sb = Sandbox::new();
    let args = ["no-such-os-version", "--hostname", "h"];
    let direct = sb.command("virt-builder").args(args).output().expect("virt-builder");
    let (code, _, stderr) = run(&sb, &[&["--nic", "name=eth0,format=ifcfg"][..], &args[..]].concat());
    assert_ne!(direct.status.code(), Some(0));
    assert_eq!(Some(code), direct.status.code(), "{stderr}");
    assert!(stderr.contains("cannot find os-version"), "{stderr}");
}

#[test]
fn auto_format_for_an_unknown_template_is_bad_input() {
    let sb = Sandbox::new();
    let (code, stdout, stderr) = run(&sb, &["no-such-os-version", "--nic", "name=eth0"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "rejviz-builder: --nic eth0: format: no format could be told from the OS (see --nic-format auto); give format= or --nic-format\n"
    );
}

#[test]
fn other_arguments_pass_through_unchanged() {
    // --list, --notes and --list-format are virt-builder's: same output as virt-builder's.
    for (args, needle) in [
        (&["--list"][..], TEMPLATE),
        (&["--list", "--list-format", "json"], "\"os-version\": \"rejviz-centos7\""),
        (&["--notes", TEMPLATE], "Rejviz test guest built from tests/images/centos7"),
    ] {
        let sb = Sandbox::new();
        let direct = sb.command("virt-builder").args(args).output().expect("virt-builder");
        let ours = sb.rejviz("rejviz-builder").args(args).output().expect("rejviz-builder");
        assert!(direct.status.success());
        assert_eq!(ours.status.code(), direct.status.code());
        assert_eq!(String::from_utf8_lossy(&ours.stdout), String::from_utf8_lossy(&direct.stdout), "{args:?}");
        assert!(String::from_utf8_lossy(&ours.stdout).contains(needle), "{args:?}");
    }
}

#[test]
fn dry_run_prints_masked_command_and_files_and_runs_nothing() {
    let sb = Sandbox::new();
    let (code, stdout, stderr) = run(
        &sb,
        &[
            TEMPLATE,
            "-o",
            "vm.img",
            "--dry-run",
            "--nic",
            "name=eth1,hwaddr=52:54:00:00:00:01,ipaddr=192.168.122.15",
            "--root-password",
            "password:dry-secret",
            "--sm-credentials",
            "joe:password:sm-secret",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    assert!(!stdout.contains("dry-secret") && !stdout.contains("sm-secret"), "{stdout}");
    let mut lines = stdout.lines();
    let first = lines.next().expect("command line");
    assert!(first.starts_with("rejviz-builder: would run: virt-builder rejviz-centos7 -o vm.img --mkdir /etc/sysconfig/network-scripts --write "), "{first}");
    assert!(first.ends_with(" --chmod 0644:/etc/sysconfig/network-scripts/ifcfg-eth1 --selinux-relabel --root-password 'password:***' --sm-credentials 'joe:password:***'"), "{first}");
    let rest: Vec<&str> = lines.collect();
    assert_eq!(
        rest,
        [
            "--- /etc/sysconfig/network-scripts/ifcfg-eth1 (mode 0644)",
            "# Written by rejviz",
            "DEVICE=eth1",
            "NAME=eth1",
            "TYPE=Ethernet",
            "ONBOOT=yes",
            "BOOTPROTO=static",
            "HWADDR=52:54:00:00:00:01",
            "IPADDR=192.168.122.15",
            "PREFIX=24",
            "NETWORK=192.168.122.0",
            "BROADCAST=192.168.122.255",
        ]
    );
    assert!(!sb.path("out/vm.img").exists());
}

#[test]
fn help_and_version() {
    let sb = Sandbox::new();
    let (code, stdout, _) = run(&sb, &["--help"]);
    assert_eq!(code, 0);
    for needle in ["--nic name=NAME", "--dry-run", "virt-builder --help", "/24", "52:54:00:xx:xx:xx", "ifcfg-NAME"] {
        assert!(stdout.contains(needle), "--help lacks {needle}");
    }
    let (code, stdout, _) = run(&sb, &["--version"]);
    assert_eq!((code, stdout.as_str()), (0, concat!("rejviz-builder ", env!("CARGO_PKG_VERSION"), "\n")));
}
