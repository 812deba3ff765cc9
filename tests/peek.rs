//! rejviz-peek on the project's test images and on domains of a real libvirtd.
//! Appliance launches: 1 (golden table) + 1 (domain) + 3 (errors found inside the guest,
//! after the direct reader declined); the raw test images are otherwise read directly
//! (tests/direct_reader.rs compares both readers).

mod common;

use common::{Sandbox, count_launches, golden, images, launches, outcome as out, peek_json, test_driver};

#[test]
fn untidy_image_json_matches_golden_without_the_appliance() {
    let sb = Sandbox::new();
    let img = images().join("untidy.raw");
    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.args(["--format", "raw", "-a"]).arg(&img).arg("--json");
    let counter = count_launches(&sb, &mut cmd);
    let (code, stdout, stderr) = out(&cmd.output().expect("run"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    peek_json(&stdout);
    golden("peek-untidy.json", &stdout);
    assert_eq!(launches(&counter), 0, "appliance launches (a raw ext4 image: read directly)");
    // Parsed as data: the $(touch ...) in ifcfg-eth4 is reported, not run.
    assert!(stdout.contains("ifcfg-eth4") && stdout.contains("needs a shell"));
}

#[test]
fn untidy_image_table_with_all_matches_golden() {
    let sb = Sandbox::new();
    let img = images().join("untidy.raw");
    // Through the appliance, so that its reader meets the golden files too.
    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-peek")
        .args(["--all", "--reader", "appliance", "--format", "raw", "-a"])
        .arg(&img)
        .output()
        .expect("run"));
    assert_eq!(code, 0, "{stderr}");
    golden("peek-untidy-all.txt", &stdout);
}

#[test]
fn check_against_domains_that_match_and_do_not() {
    let sb = Sandbox::new();
    let img = images().join("centos7.raw");
    // The template's ifcfg-eth0 is pinned to 52:54:00:de:ad:00. Only domain XML is needed:
    // libvirt's test driver, no libvirtd.
    let uri = test_driver(
        &sb,
        &[
            ("peek-match", &img, "raw", &[("52:54:00:de:ad:00", "rejviz-net-a")]),
            ("peek-mismatch", &img, "raw", &[("52:54:00:de:ad:99", "rejviz-net-a")]),
        ],
        &[("rejviz-net-a", "10.239.0.1", 24)],
    );

    let mut cmd = sb.rejviz("rejviz-peek");
    cmd.args(["-c", &uri, "-d", "peek-match", "--check", "--reader", "appliance"]);
    let counter = count_launches(&sb, &mut cmd);
    let (code, stdout, stderr) = out(&cmd.output().expect("run"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(launches(&counter), 1);
    assert!(stdout.contains(&format!("Domain peek-match ({uri}), running")), "{stdout}");
    assert!(stdout.contains("52:54:00:de:ad:00  network  rejviz-net-a  virtio  eth0"), "{stdout}");
    assert!(stdout.contains("check: OK"), "{stdout}");

    let (code, stdout, stderr) = out(&sb
        .rejviz("rejviz-peek")
        .args(["-c", &uri, "-d", "peek-mismatch", "--check", "--json"])
        .output()
        .expect("run"));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v: serde_json::Value = peek_json(&stdout);
    assert_eq!(v["check"]["ok"], false);
    let problems = v["check"]["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].as_str().unwrap().contains("HWADDR 52:54:00:de:ad:00 is on no interface"), "{problems:?}");
    assert!(
        problems[1].as_str().unwrap().contains("interface 52:54:00:de:ad:99 on network rejviz-net-a"),
        "{problems:?}"
    );
    assert_eq!(v["domain"]["interfaces"][0]["mac"], "52:54:00:de:ad:99");
    assert_eq!(v["domain"]["interfaces"][0]["config"], serde_json::Value::Null);
}

#[test]
fn errors_before_any_launch() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("empty.img"), "").unwrap();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["-a".into(), sb.path("nope.img").display().to_string()],
            format!("rejviz-peek: {}: No such file or directory (os error 2)\n", sb.path("nope.img").display()),
        ),
        (
            vec!["-a".into(), sb.path("out").display().to_string()],
            format!("rejviz-peek: {}: not a disk image (a directory)\n", sb.path("out").display()),
        ),
        (
            vec!["-a".into(), sb.path("empty.img").display().to_string()],
            format!("rejviz-peek: {}: not a disk image (an empty file)\n", sb.path("empty.img").display()),
        ),
        (
            vec!["-c".into(), test_driver(&sb, &[], &[]), "-d".into(), "rejviz-no-such-domain".into()],
            format!("rejviz-peek: no domain named 'rejviz-no-such-domain' at {}\n", test_driver(&sb, &[], &[])),
        ),
    ];
    for (args, want) in cases {
        let mut cmd = sb.rejviz("rejviz-peek");
        cmd.args(&args);
        let counter = count_launches(&sb, &mut cmd);
        let (code, stdout, stderr) = out(&cmd.output().expect("run"));
        assert_eq!((code, stderr.as_str(), stdout.as_str()), (2, want.as_str(), ""), "{args:?}");
        assert_eq!(launches(&counter), 0);
    }
    // libvirt unreachable: the message names the URI.
    let uri = format!("qemu:///system?socket={}", sb.path("no-such.sock").display());
    let (code, _, stderr) = out(&sb.rejviz("rejviz-peek").args(["-c", &uri, "-d", "x"]).output().expect("run"));
    assert_eq!(code, 2);
    assert!(stderr.starts_with(&format!("rejviz-peek: cannot connect to libvirt at {uri}: ")), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Usage errors come from clap, also exit 2.
    let (code, _, stderr) = out(&sb.rejviz("rejviz-peek").args(["-a", "x", "--check"]).output().expect("run"));
    assert_eq!(code, 2);
    assert!(stderr.contains("--check needs a domain"), "{stderr}");
}

#[test]
fn errors_found_inside_the_guest() {
    let sb = Sandbox::new();
    // Text, not a disk.
    std::fs::write(sb.path("notes.txt"), "just some text, not a disk\n".repeat(1000)).unwrap();
    // A filesystem with no operating system on it.
    std::fs::create_dir(sb.path("emptyroot")).unwrap();
    std::fs::write(sb.path("emptyroot/readme"), "data only\n").unwrap();
    let st = std::process::Command::new("mkfs.ext4")
        .args(["-q", "-F", "-d"])
        .arg(sb.path("emptyroot"))
        .arg(sb.path("data.img"))
        .arg("8M")
        .status()
        .expect("mkfs.ext4");
    assert!(st.success());
    let centos = images().join("centos7.raw");
    let untidy = images().join("untidy.raw");
    let p = |s: &str| sb.path(s).display().to_string();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["--format".into(), "raw".into(), "-a".into(), p("notes.txt")],
            format!("rejviz-peek: {}: not a disk image (no partitions or filesystems found)\n", p("notes.txt")),
        ),
        (
            vec!["--format".into(), "raw".into(), "-a".into(), p("data.img")],
            format!("rejviz-peek: no operating system found in {}\n", p("data.img")),
        ),
        (
            vec![
                "--format".into(),
                "raw".into(),
                "-a".into(),
                centos.display().to_string(),
                "-a".into(),
                untidy.display().to_string(),
            ],
            format!(
                "rejviz-peek: more than one operating system found in {}, {} (roots: /dev/sda1, /dev/sdb1)\n",
                centos.display(),
                untidy.display()
            ),
        ),
    ];
    for (args, want) in cases {
        let (code, stdout, stderr) = out(&sb.rejviz("rejviz-peek").args(&args).output().expect("run"));
        assert_eq!((code, stderr.as_str(), stdout.as_str()), (2, want.as_str(), ""), "{args:?}");
    }
}
