//! Turning NICs into the virt-customize operations (shared by virt-builder) that write their
//! config files: `--mkdir DIR`, `--write FILE:CONTENT`, `--chmod MODE:FILE`.
//!
//! `--write` rather than `--upload`: `--upload` copies the owner of the local file into the
//! guest, so a run as a normal user would leave configs owned by that uid; `--write` creates
//! them as root, and `--chmod` sets the mode whether or not the file existed.

use std::ffi::OsString;

use crate::guestconf::{ifcfg, GuestFile};
use crate::nic::Nic;

/// The config files of `nic`.
pub fn files(nic: &Nic) -> Vec<GuestFile> {
    vec![ifcfg::write(nic)]
}

/// virt-customize operations writing `files`; `--mkdir` for each directory not in `made`.
pub fn ops(files: &[GuestFile], made: &mut Vec<String>) -> Vec<OsString> {
    let mut out = Vec::new();
    for f in files {
        let dir = f.dir().to_string();
        if !made.contains(&dir) {
            out.push("--mkdir".into());
            out.push(dir.clone().into());
            made.push(dir);
        }
        out.push("--write".into());
        out.push(format!("{}:{}", f.path, f.content).into());
        out.push("--chmod".into());
        out.push(format!("{:04o}:{}", f.mode, f.path).into());
    }
    out
}
