//! `gilsim run --deterministic --explore N`: the same script under N seeds, grouped by what
//! came out, so a race found by one seed is named with the seeds that replay it.

use std::fmt::Write as _;
use std::sync::Arc;

use super::{Stdout, run_source_with};
use crate::vm::Config;

/// One distinct outcome: the output and exit status, and the seeds that gave it.
struct Outcome {
    stdout: String,
    exit_code: i32,
    seeds: Vec<u64>,
}

/// Runs the script at `path` once per seed `first..first + runs` (in this process, output
/// captured, no reports) and describes the distinct outcomes, most frequent first.
pub fn explore(path: &str, config: &Config, first: u64, runs: u64) -> Result<String, String> {
    let source =
        std::fs::read_to_string(path).map_err(|e| format!("can't open file '{path}': {e}"))?;
    let mut outcomes: Vec<Outcome> = vec![];
    for seed in first..first.saturating_add(runs) {
        let buffer = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let run_config = Config {
            deterministic: Some(seed),
            reports: Default::default(),
            ..config.clone()
        };
        let outcome = run_source_with(path, &source, run_config, Stdout::Buffer(buffer.clone()));
        let stdout = String::from_utf8_lossy(&buffer.lock()).into_owned();
        match outcomes
            .iter_mut()
            .find(|o| o.stdout == stdout && o.exit_code == outcome.exit_code)
        {
            Some(o) => o.seeds.push(seed),
            None => outcomes.push(Outcome {
                stdout,
                exit_code: outcome.exit_code,
                seeds: vec![seed],
            }),
        }
    }
    outcomes.sort_by_key(|o| std::cmp::Reverse(o.seeds.len()));
    let mut text = String::new();
    let _ = writeln!(
        text,
        "gilsim explore: {path} under {runs} seeds ({first}..{}): {} distinct outcome{}",
        first.saturating_add(runs) - 1,
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" }
    );
    for o in &outcomes {
        let shown: Vec<String> = o.seeds.iter().take(8).map(u64::to_string).collect();
        let more = if o.seeds.len() > 8 { ", ..." } else { "" };
        let _ = writeln!(
            text,
            "\n{} x (exit {}), seeds {}{more}; replay with --deterministic --seed {}",
            o.seeds.len(),
            o.exit_code,
            shown.join(", "),
            o.seeds[0]
        );
        for line in o.stdout.lines() {
            let _ = writeln!(text, "  | {line}");
        }
    }
    Ok(text)
}
