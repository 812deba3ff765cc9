//! Replays every input of fuzz/corpus/TARGET/ and fuzz/artifacts/TARGET/ (the crashes the
//! fuzzers found: regressions) through the fuzz targets' own bodies (fuzz/bodies.rs), on
//! stable Rust, without libFuzzer. The bodies may skip an invariant a known, reported bug
//! breaks while fuzzing goes on (`bodies::set_strict`); `known_bugs_are_fixed` replays the
//! artifacts with every invariant (none is skipped today: every crash found is fixed).

include!("../fuzz/bodies.rs");

mod common;

use std::path::{Path, PathBuf};

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join(kind).join(target);
    let mut v: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.map(|e| e.expect("dir entry").path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Runs `body` on each file; returns the files that panicked.
fn replay(target: &str, body: fn(&[u8]), files: &[PathBuf]) -> Vec<String> {
    let mut failed = Vec::new();
    for f in files {
        let data = std::fs::read(f).expect("read input");
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            failed.push(format!("{target}: {}", f.display()));
        }
    }
    failed
}

#[test]
fn every_corpus_and_artifact_input_passes() {
    common::images(); // the disk_image target's bases
    let mut failed = Vec::new();
    let mut count = 0;
    for (target, body) in bodies::TARGETS {
        let corpus = inputs("corpus", target);
        assert!(!corpus.is_empty(), "fuzz/corpus/{target} is empty: run scripts/fuzz {target}");
        let artifacts = inputs("artifacts", target);
        count += corpus.len() + artifacts.len();
        failed.extend(replay(target, *body, &corpus));
        failed.extend(replay(target, *body, &artifacts));
    }
    assert!(failed.is_empty(), "{} of {count} inputs panicked:\n{}", failed.len(), failed.join("\n"));
}

#[test]
fn known_bugs_are_fixed() {
    common::images();
    bodies::set_strict(true);
    let mut failed = Vec::new();
    for (target, body) in bodies::TARGETS {
        failed.extend(replay(target, *body, &inputs("artifacts", target)));
    }
    assert!(failed.is_empty(), "still failing:\n{}", failed.join("\n"));
}
