//! The `--disk` table of `cmd::install` (src/cmd/install_disk_values.rs) checked against
//! virt-install's own option parser: the installed virtinst's `ParserDisk` reads every value,
//! and must give the path, format or error the table says. Python only; no appliance.

use std::io::Write;
use std::process::{Command, Stdio};

/// What virtinst reads in a value: its path and format, or the error it raises.
type VirtRead = Result<(Option<&'static str>, Option<&'static str>), &'static str>;

const DISK_VALUES: &[(&str, VirtRead)] = include!("../src/cmd/install_disk_values.rs");

/// Reads each value of a JSON list on stdin with virtinst, prints a JSON list of
/// `{"path": ..., "format": ...}` or `{"error": ...}`.
const READER: &str = r#"
import json, sys
sys.path.insert(0, "/usr/share/virt-manager")
from virtinst import cli
out = []
for v in json.load(sys.stdin):
    try:
        d = cli.ParserDisk(v).optdict
        out.append({"path": d.get("path"), "format": d.get("format")})
    except ValueError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
"#;

/// The Python that runs virt-install (its `#!` line), which can import virtinst.
fn virt_install_python() -> String {
    let script = std::fs::read_to_string("/usr/bin/virt-install").expect("virt-install (virtinst) installed");
    let shebang = script.lines().next().and_then(|l| l.strip_prefix("#!")).expect("a #! line");
    shebang.split_whitespace().next().expect("an interpreter").to_string()
}

#[test]
fn table_matches_virtinst() {
    let values: Vec<&str> = DISK_VALUES.iter().map(|(v, _)| *v).collect();
    let mut child = Command::new(virt_install_python())
        .args(["-c", READER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python");
    child.stdin.take().unwrap().write_all(serde_json::to_string(&values).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "virtinst reader failed");
    let got: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON from the reader");
    assert_eq!(got.len(), DISK_VALUES.len());
    let mut wrong = Vec::new();
    for ((value, want), got) in DISK_VALUES.iter().zip(&got) {
        let want = match want {
            Ok((path, format)) => serde_json::json!({"path": path, "format": format}),
            Err(e) => serde_json::json!({"error": e}),
        };
        if *got != want {
            wrong.push(format!("{value}: table {want}, virtinst {got}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}
