//! The GIL phenomena of FIDELITY.md, asserted by direction with wide bounds (timing claims with
//! tight bands belong to the benchmarks, not to tests on a shared 2-core machine). Each test
//! runs an example script through the real binary and reads the figure it prints.

mod common;
use common::{Scratch, figure, gilsim, run};

/// Each test compares wall times, which other tests running beside it on two cores would
/// distort (the legacy GIL's effect needs both cores free): they take turns.
static CORES: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    CORES.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `examples/NAME ARGS...` and returns its stdout.
fn run_example(name: &str, args: &[&str]) -> String {
    run_example_with(&[], name, args)
}

#[test]
fn f1_cpu_bound_threads_gain_nothing() {
    let _cores = one_at_a_time();
    let (ratio, ratios) = f1_ratio(&[]);
    assert!(
        ratio >= 0.7,
        "2 CPU-bound threads ran in parallel (ratios {ratios:?}), the GIL should serialise them"
    );
}

/// F1's ratio under `gilsim run FLAGS`: the median of three runs, and the three. A burst of
/// other work on the machine during one phase (the sequential one runs first) skews a single
/// ratio either way; single ~0.1 s phases vary by up to 30 % here. Two threads running at once
/// would give about 0.5, so callers check against 0.7.
fn f1_ratio(flags: &[&str]) -> (f64, Vec<f64>) {
    let mut ratios: Vec<f64> = (0..3)
        .map(|_| {
            let out = run_example_with(flags, "f1_cpu_threads.py", &["600000"]);
            figure(&out, "ratio")
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    (ratios[1], ratios)
}

#[test]
fn f2_blocking_io_overlaps() {
    let _cores = one_at_a_time();
    let out = run_example("f2_io_threads.py", &[]);
    let ratio = figure(&out, "ratio");
    assert!(
        ratio <= 0.5,
        "sleeping threads did not overlap (ratio {ratio})"
    );
}

#[test]
fn f5_convoy_costs_about_an_interval_per_call() {
    let _cores = one_at_a_time();
    let out = run_example("f5_convoy.py", &["50"]);
    let per_call = figure(&out, "per-call ms");
    assert!(
        per_call >= 1.0,
        "sleep(0) beside a spinner took {per_call} ms per call; the convoy effect predicts ~5 ms"
    );
}

#[test]
fn f7_plain_increment_keeps_updates_but_a_call_loses_some() {
    let _cores = one_at_a_time();
    let out = run_example("f7_lost_updates.py", &["50000"]);
    let plain = out
        .lines()
        .find(|l| l.starts_with("plain:"))
        .expect("plain line");
    let with_call = out
        .lines()
        .find(|l| l.starts_with("with_call:"))
        .expect("with_call line");
    assert!(
        plain.contains("(0 lost)"),
        "`counter += 1` lost updates: {plain}"
    );
    assert!(
        !with_call.contains("(0 lost)"),
        "`counter = counter + one()` lost nothing: {with_call}"
    );
}

#[test]
fn switch_interval_is_settable_from_cli_and_script() {
    let _cores = one_at_a_time();
    let scratch = Scratch::new("switch_interval");
    let script = scratch.script(
        "si.py",
        "import sys\nprint(sys.getswitchinterval())\nsys.setswitchinterval(0.02)\nprint(sys.getswitchinterval())\n\
         try:\n    sys.setswitchinterval(0)\nexcept ValueError as e:\n    print(e)\n",
    );
    let out = gilsim()
        .args(["run", "--switch-interval", "500us"])
        .arg(&script)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text,
        "0.0005\n0.02\nswitch interval must be strictly positive\n"
    );
}

/// F4 by its mechanism rather than its timing (which a loaded 2-core machine distorts): two
/// processes running CPU-bound loops never wait for each other's GIL, and they run at the same
/// time. Read from `--stats-json`, which lists every process of the run.
#[test]
fn f4_processes_have_a_gil_each() {
    let _cores = one_at_a_time();
    let scratch = Scratch::new("f4");
    let json = scratch.json_path();
    run(&[
        "--stats-json",
        json.to_str().unwrap(),
        "examples/f4_processes.py",
        "300000",
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let procs = report["processes"].as_array().expect("a processes list");
    assert_eq!(procs.len(), 3, "main and two children: {report}");
    let window = |p: &serde_json::Value| {
        let start = p["start_s"].as_f64().unwrap();
        (start, start + p["wall_s"].as_f64().unwrap())
    };
    for child in &procs[1..] {
        let main_thread = &child["threads"][0];
        let running = main_thread["running_s"].as_f64().unwrap();
        let waiting = main_thread["waiting_s"].as_f64().unwrap();
        assert!(running > 0.0 && waiting < 0.1 * running, "{child}");
    }
    let ((s1, e1), (s2, e2)) = (window(&procs[1]), window(&procs[2]));
    let overlap = e1.min(e2) - s1.max(s2);
    assert!(
        overlap > 0.5 * (e1 - s1).min(e2 - s2),
        "the two processes should run at the same time: {report}"
    );
}

/// Runs `examples/NAME ARGS...` under `--gil POLICY` and returns its stdout.
fn run_example_under(policy: &str, name: &str, args: &[&str]) -> String {
    run_example_with(&["--gil", policy], name, args)
}

/// Runs `gilsim run FLAGS... examples/NAME ARGS...` and returns its stdout.
fn run_example_with(flags: &[&str], name: &str, args: &[&str]) -> String {
    let path = format!("examples/{name}");
    let mut all = flags.to_vec();
    all.push(path.as_str());
    all.extend_from_slice(args);
    run(&all)
}

/// Beazley (2009): with Python 2's GIL, two CPU-bound threads on two cores take far longer
/// than the same work in sequence (1.8x on his machine; 1.7-1.8x on an idle 2-core machine
/// here, ~1.0 when other work keeps the second core busy, so the wall-time figure belongs to
/// the benchmarks). The mechanism, checked here from `--stats-json`: the thread that releases
/// the GIL every 100 instructions takes it straight back almost every time, so the GIL is
/// acquired thousands of times but changes hands rarely, and never by force.
#[test]
fn legacy_gil_releases_every_check_interval_and_mostly_retakes_it() {
    let _cores = one_at_a_time();
    let scratch = Scratch::new("legacy");
    let json = scratch.json_path();
    let flags = ["--gil", "legacy", "--stats-json", json.to_str().unwrap()];
    run_example_with(&flags, "f1_cpu_threads.py", &["200000"]);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let threads = report["threads"].as_array().unwrap();
    let total = |field: &str| -> u64 { threads.iter().map(|t| t[field].as_u64().unwrap()).sum() };
    let (acquisitions, forced) = (total("acquisitions"), total("forced_switches"));
    let switches = report["switches"].as_u64().unwrap();
    assert_eq!(
        forced, 0,
        "the legacy GIL has no forced switching: {report}"
    );
    // 2 x 200,000 iterations of a ~5-instruction loop in the threads alone, one release per
    // 100 instructions: well over 10,000 acquisitions.
    assert!(
        acquisitions > 10_000,
        "{acquisitions} acquisitions: {report}"
    );
    assert!(
        switches * 10 < acquisitions,
        "{switches} hand-overs in {acquisitions} acquisitions: the releasing thread should \
         usually win the GIL straight back"
    );
}

/// io-priority removes the convoy: a thread back from `sleep(0)` asks for the GIL at once.
#[test]
fn io_priority_removes_the_convoy_and_keeps_cpu_threads_serialised() {
    let _cores = one_at_a_time();
    let per_call = figure(
        &run_example_under("io-priority", "f5_convoy.py", &["50"]),
        "per-call ms",
    );
    assert!(
        per_call < 1.0,
        "sleep(0) beside a spinner took {per_call} ms per call under io-priority"
    );
    let (ratio, ratios) = f1_ratio(&["--gil", "io-priority"]);
    assert!(
        ratio >= 0.7,
        "CPU threads ran in parallel (ratios {ratios:?})"
    );
}

/// Without a GIL, `counter += 1` loses updates too (as in CPython 3.13t and RustPython).
#[test]
fn no_gil_loses_plain_increments() {
    let _cores = one_at_a_time();
    let out = run_example_under("none", "f7_lost_updates.py", &["200000"]);
    let plain = out
        .lines()
        .find(|l| l.starts_with("plain:"))
        .expect("plain line");
    assert!(
        !plain.contains("(0 lost)"),
        "`counter += 1` lost nothing without a GIL: {plain}"
    );
}
