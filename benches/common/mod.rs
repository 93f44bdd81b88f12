//! Running scripts from the benchmarks through the Rust API. (Each bench uses only some of it.)
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use gilsim::runtime::{Stdout, run_source_with};
use gilsim::vm::Config;

/// Runs `source` as `name` with `argv[1..] = args` and returns what it printed; panics on a
/// non-zero exit so a broken interpreter cannot produce fast numbers. (Child interpreters run
/// the script again under the same name, so `name` must stay the same for one script.)
pub fn run(name: &str, source: &str, args: &[String], config: Config) -> String {
    let buf = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let mut argv = vec![name.to_string()];
    argv.extend_from_slice(args);
    let outcome = run_source_with(
        name,
        source,
        Config { argv, ..config },
        Stdout::Buffer(buf.clone()),
    );
    let out = String::from_utf8_lossy(&buf.lock()).into_owned();
    assert_eq!(
        outcome.exit_code, 0,
        "{name} exited with {}: {out}",
        outcome.exit_code
    );
    out
}

/// Runs a script that times its own work and prints the nanoseconds taken as its last line, so
/// interpreter start-up is not counted.
pub fn self_timed(name: &str, source: &str, args: &[String], config: Config) -> Duration {
    let out = run(name, source, args, config);
    let ns: u64 = out
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} printed no time: {out:?}"));
    Duration::from_nanos(ns)
}
