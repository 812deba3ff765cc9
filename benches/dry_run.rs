//! Whole-process cost of `rejviz-builder --dry-run` with 3 and with 64 NICs: spawn, parse,
//! validate, render, print. Run with `cargo bench --bench dry_run`; README quotes it.
//! (A benchmark, not a test: nothing here asserts a time.)

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn args(nics: usize) -> Vec<String> {
    // An explicit format: auto would add a `virt-builder --list` call to every run.
    let mut a = vec![
        "rejviz-centos7".to_string(),
        "--dry-run".into(),
        "--nic-format".into(),
        "ifcfg".into(),
        "--root-password".into(),
        "password:x".into(),
    ];
    for i in 0..nics {
        a.push("--nic".into());
        a.push(match i % 3 {
            0 => format!("name=eth{i}"),
            1 => format!("name=eth{i},ipaddr=192.168.{}.15", i % 250),
            _ => format!("name=eth{i},ipaddr=10.{}.5.7/16,gateway=10.{}.0.1,dns1=10.0.0.2", i % 250, i % 250),
        });
    }
    a
}

fn main() {
    let exe = env!("CARGO_BIN_EXE_rejviz-builder");
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    println!("rejviz-builder --dry-run, whole process, {runs} runs each ({exe})");
    for nics in [3, 64] {
        let a = args(nics);
        let mut times: Vec<Duration> = (0..runs + 10)
            .map(|_| {
                let t = Instant::now();
                let st = Command::new(exe).args(&a).stdout(Stdio::null()).status().expect("spawn");
                assert!(st.success());
                t.elapsed()
            })
            .skip(10) // warm-up
            .collect();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "{nics:>3} NICs: median {:.2} ms, mean {:.2} ms, p95 {:.2} ms, min {:.2} ms",
            ms(times[times.len() / 2]),
            ms(mean),
            ms(times[times.len() * 95 / 100]),
            ms(times[0])
        );
    }
}
