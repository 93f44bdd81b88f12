//! `gilsim experiment` through the real binary: the list, a small sweep's table, CSV, JSON and
//! SVG, the CPython column, usage errors and a run past its deadline. Sizes are tiny (`--scale`)
//! and nothing asserts a timing: these check the plumbing, `tests/gil_phenomena.rs` the
//! phenomena.

mod common;
use common::{Scratch, gilsim};

use std::process::{Command, Output, Stdio};

const NAMES: [&str; 8] = [
    "cpu-threads",
    "io-threads",
    "native-release",
    "processes",
    "convoy",
    "switch-latency",
    "race",
    "pools",
];

fn experiment(args: &[&str]) -> Output {
    gilsim()
        .arg("experiment")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("gilsim runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("the JSON file was written"))
        .expect("valid JSON")
}

#[test]
fn list_names_all_eight() {
    let out = experiment(&["list"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    for (i, name) in NAMES.iter().enumerate() {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing from:\n{stdout}"));
        assert!(line.contains(&format!("F{}", i + 1)), "{line}");
    }
}

#[test]
fn a_small_sweep_writes_table_csv_json_and_svg() {
    let scratch = Scratch::new("experiment_sweep");
    let (json, csv, svg) = (
        scratch.dir().join("out.json"),
        scratch.dir().join("out.csv"),
        scratch.dir().join("out.svg"),
    );
    let out = experiment(&[
        "race",
        "--threads",
        "1,2",
        "--switch-interval",
        "1ms",
        "--scale",
        "0.02",
        "--repeat",
        "2",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");

    // Two points (1 and 2 threads at 1 ms), two figures each.
    let table_rows: Vec<&str> = stdout.lines().filter(|l| l.contains(" race ")).collect();
    assert_eq!(table_rows.len(), 4, "{stdout}");
    assert!(
        stdout.contains("lost_call_pct") && stdout.contains("1ms"),
        "{stdout}"
    );

    let report = read_json(&json);
    assert_eq!(report["repeat"], 2);
    let records = report["records"].as_array().expect("records");
    assert_eq!(records.len(), 4, "{report}");
    for r in records {
        assert_eq!(r["experiment"], "race");
        assert_eq!(r["interval_ms"], 1);
        assert!(r["threads"] == 1 || r["threads"] == 2, "{r}");
        let values = r["gilsim"]["values"].as_array().unwrap();
        assert_eq!(values.len(), 2, "{r}");
        let median = r["gilsim"]["median"].as_f64().expect("a numeric median");
        assert!((0.0..=100.0).contains(&median), "{r}");
        assert!(r["python"].is_null(), "{r}");
    }
    // One thread cannot race with itself.
    for r in records.iter().filter(|r| r["threads"] == 1) {
        assert_eq!(r["gilsim"]["median"], 0, "{r}");
    }

    let csv = std::fs::read_to_string(&csv).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[..3], ["experiment", "phenomenon", "figure"]);
    let median = header.iter().position(|h| *h == "gilsim_median").unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 4, "{csv}");
    for row in rows {
        assert!(row.starts_with("race,F7,lost_"), "{row}");
        // The FIDELITY cells are quoted (they hold commas); the cells before them are not.
        let cells: Vec<&str> = row.split(',').collect();
        cells[median].parse::<f64>().expect("a numeric median");
    }

    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    // One panel per figure, one series (1 ms) in each.
    assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
    assert!(svg.contains("F7 race (lost_call_pct)"));
}

#[test]
fn every_experiment_runs_at_a_tiny_size() {
    let scratch = Scratch::new("experiment_all");
    let json = scratch.dir().join("all.json");
    let out = experiment(&[
        "all",
        "--threads",
        "2",
        "--switch-interval",
        "1ms",
        "--scale",
        "0.01",
        "--repeat",
        "1",
        "--json",
        json.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("--threads does not apply to convoy, switch-latency"),
        "{stderr}"
    );
    let report = read_json(&json);
    let records = report["records"].as_array().unwrap();
    for name in NAMES {
        assert!(
            records.iter().any(|r| r["experiment"] == name),
            "{name} missing: {report}"
        );
    }
    for r in records {
        assert!(r["gilsim"]["median"].is_number(), "{r}");
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let out = experiment(&["no-such-thing"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no experiment called \"no-such-thing\"") && stderr.contains("race"),
        "{stderr}"
    );

    for args in [
        &["race", "--threads", "0"][..],
        &["race", "--threads", "two"],
        &["race", "--switch-interval", "5ms,,1ms"],
        &["race", "--switch-interval", "-1ms"],
        &["race", "--repeat", "0"],
        &["convoy", "--threads", "2"],
        &["race", "--compare-python", "/no/such/python"],
    ] {
        let out = experiment(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty(), "{args:?}");
        assert!(!text(&out.stderr).contains("panicked"), "{args:?}");
    }
}

#[test]
fn a_run_past_its_deadline_is_a_failed_cell_not_a_hang() {
    // 15 samples of 2 ms sleeps beside a spinner at a 20 ms interval take about a third of a
    // second; the deadline is 50 ms.
    let out = experiment(&[
        "switch-latency",
        "--switch-interval",
        "20ms",
        "--repeat",
        "1",
        "--timeout",
        "50ms",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("error"), "{stdout}");
    assert!(stderr.contains("timed out"), "{stderr}");
}

#[test]
fn compare_python_fills_the_cpython_column() {
    let has_python = Command::new("python3")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        eprintln!("note: python3 not available; skipping the --compare-python test");
        return;
    }
    let scratch = Scratch::new("experiment_python");
    let json = scratch.dir().join("py.json");
    let out = experiment(&[
        "io-threads",
        "--threads",
        "2",
        "--scale",
        "0.2",
        "--repeat",
        "1",
        "--compare-python",
        "--json",
        json.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("cpython = Python 3"), "{stdout}");
    let report = read_json(&json);
    assert!(report["python"].as_str().unwrap().starts_with("Python 3"));
    let records = report["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{report}");
    // Two threads each sleeping 20 ms once: about 0.5 of the sequential 40 ms, under both.
    for who in ["gilsim", "python"] {
        let ratio = records[0][who]["median"]
            .as_f64()
            .expect("a numeric figure");
        assert!(ratio > 0.0 && ratio < 5.0, "{who}: {report}");
    }
}
