//! `--stats` and `--stats-json` through the real binary: the report's invariants (every thread
//! listed and named, its four states adding up to no more than the wall time and to about its
//! lifetime, GIL load a fraction) and the phenomena it should show, with bounds wide enough for
//! a loaded 2-core machine (directions, not timings).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::Scratch;

/// `gilsim run FLAGS... SCRIPT ARGS...` from the crate root.
fn gilsim(flags: &[&str], script: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gilsim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("run")
        .args(flags)
        .arg(script)
        .args(args)
        .output()
        .expect("gilsim runs")
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `script` with `--stats-json` (plus `flags`), expects exit status `code`, and returns the
/// parsed report (checked against the invariants) and stdout.
fn run_json(
    scratch: &Scratch,
    flags: &[&str],
    script: &Path,
    args: &[&str],
    code: i32,
) -> (Value, String) {
    let json = scratch.json_path();
    let mut all = vec!["--stats-json", json.to_str().unwrap()];
    all.extend_from_slice(flags);
    let out = gilsim(&all, script, args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{} exited with {:?}\nstdout: {}\nstderr: {}",
        script.display(),
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    let report = std::fs::read_to_string(&json).expect("--stats-json wrote its file");
    let v: Value = serde_json::from_str(&report).expect("the report is JSON");
    check_invariants(&v);
    (v, text(&out.stdout))
}

fn f(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key:?} in {v}"))
}

fn u(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("no count {key:?} in {v}"))
}

fn threads(v: &Value) -> &Vec<Value> {
    v["threads"].as_array().expect("a threads list")
}

fn thread<'a>(v: &'a Value, name: &str) -> &'a Value {
    threads(v)
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no thread {name:?} in {v:#}"))
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = threads(v)
        .iter()
        .map(|t| t["name"].as_str().expect("a thread name").to_string())
        .collect();
    n.sort();
    n
}

/// A thread's running + waiting + native + blocked: its lifetime as the report sees it.
fn accounted(t: &Value) -> f64 {
    f(t, "running_s") + f(t, "waiting_s") + f(t, "native_s") + f(t, "blocked_s")
}

/// What holds for every report, whatever the script did.
fn check_invariants(v: &Value) {
    let wall = f(v, "wall_s");
    assert!(wall > 0.0, "wall time {wall}");
    let load = f(v, "gil_load");
    assert!((0.0..=1.05).contains(&load), "GIL load {load} in {v:#}");
    assert!(f(v, "switches_per_s") >= 0.0);
    assert!(!threads(v).is_empty(), "no threads in {v:#}");
    let mut idents = vec![];
    for t in threads(v) {
        for key in ["running_s", "waiting_s", "native_s", "blocked_s"] {
            assert!(f(t, key) >= 0.0, "{key} negative in {t}");
        }
        let sum = accounted(t);
        assert!(
            sum <= wall * 1.01 + 0.001,
            "thread states add up to {sum} s, more than the wall time {wall} s: {t}"
        );
        assert!(
            u(t, "acquisitions") >= 1,
            "a thread that never held the GIL: {t}"
        );
        let (p50, p99, max) = (f(t, "wait_p50_s"), f(t, "wait_p99_s"), f(t, "wait_max_s"));
        assert!(p50 <= p99 && p99 <= max, "wait quantiles out of order: {t}");
        assert!(
            max <= f(t, "waiting_s") + 1e-9,
            "a wait longer than all the waiting: {t}"
        );
        u(t, "forced_switches");
        u(t, "drop_requests");
        idents.push(u(t, "ident"));
    }
    let n = idents.len();
    idents.sort_unstable();
    idents.dedup();
    assert_eq!(idents.len(), n, "a thread listed twice: {v:#}");
    let held: f64 = threads(v).iter().map(|t| f(t, "running_s")).sum();
    assert!(
        (held / wall - load).abs() < 1e-6,
        "GIL load is not running / wall"
    );
}

const NAMED_THREADS: &str = "\
import threading
import time

inner = {}


def count(n):
    t0 = time.perf_counter()
    while n > 0:
        n -= 1
    time.sleep(0.02)
    inner[threading.current_thread().name] = time.perf_counter() - t0


def renamer():
    t0 = time.perf_counter()
    threading.current_thread().name = 'renamed-later'
    time.sleep(0.02)
    inner[threading.current_thread().name] = time.perf_counter() - t0


threads = [
    threading.Thread(target=count, args=(20000,)),
    threading.Thread(target=count, args=(20000,), name='custom-worker'),
    threading.Thread(target=renamer),
]
t0 = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
outer = time.perf_counter() - t0
for name in sorted(inner):
    print(f'{name}|{inner[name]:.6f}')
print(f'outer|{outer:.6f}')
";

#[test]
fn one_entry_per_thread_named_as_the_script_names_them() {
    let scratch = Scratch::new("names");
    let script = scratch.script("named.py", NAMED_THREADS);
    let (v, stdout) = run_json(&scratch, &[], &script, &[], 0);
    assert_eq!(
        names(&v),
        [
            "MainThread",
            "Thread-1 (count)",
            "custom-worker",
            "renamed-later"
        ],
        "{v:#}"
    );
    // Each thread's states cover its life: at least what its body measured of itself, at most
    // the main thread's span from the first start() to the last join().
    let figures: Vec<(&str, f64)> = stdout
        .lines()
        .map(|l| {
            let (name, secs) = l.split_once('|').expect("name|seconds");
            (name, secs.parse().unwrap())
        })
        .collect();
    let outer = figures.iter().find(|(n, _)| *n == "outer").unwrap().1;
    for (name, inner) in figures.iter().filter(|(n, _)| *n != "outer") {
        let sum = accounted(thread(&v, name));
        assert!(
            sum >= inner - 0.001 && sum <= outer + 0.001,
            "{name}: states add up to {sum} s, its body took {inner} s, start..join {outer} s"
        );
    }
    // The main thread lives about as long as the run.
    let main = accounted(thread(&v, "MainThread"));
    let wall = f(&v, "wall_s");
    assert!(
        main >= wall * 0.8 - 0.005,
        "MainThread accounted for {main} s of a {wall} s run"
    );
}

#[test]
fn cpu_bound_threads_are_switched_by_force_and_load_the_gil() {
    let scratch = Scratch::new("cpu");
    let (v, stdout) = run_json(&scratch, &[], &example("f1_cpu_threads.py"), &["500000"], 0);
    assert!(stdout.contains("ratio"), "{stdout}");
    assert_eq!(
        names(&v),
        ["MainThread", "Thread-1 (count)", "Thread-2 (count)"]
    );
    let forced: u64 = threads(&v).iter().map(|t| u(t, "forced_switches")).sum();
    let requests: u64 = threads(&v).iter().map(|t| u(t, "drop_requests")).sum();
    assert!(
        forced > 0,
        "no forced switches between CPU-bound threads: {v:#}"
    );
    assert!(
        requests > 0,
        "no drop requests between CPU-bound threads: {v:#}"
    );
    assert!(u(&v, "switches") > 0, "{v:#}");
    let load = f(&v, "gil_load");
    assert!(
        load > 0.8,
        "CPU-bound threads left the GIL free: load {load}"
    );
    for name in ["Thread-1 (count)", "Thread-2 (count)"] {
        let t = thread(&v, name);
        assert!(f(t, "running_s") > 0.0 && f(t, "waiting_s") > 0.0, "{t}");
        assert_eq!(f(t, "native_s"), 0.0, "{t}");
    }
}

#[test]
fn sleeping_threads_are_blocked_for_their_sleeps_and_leave_the_gil_free() {
    let scratch = Scratch::new("io");
    // 8 threads, each sleeping 5 x 20 ms.
    let (v, _) = run_json(&scratch, &[], &example("f2_io_threads.py"), &[], 0);
    assert_eq!(threads(&v).len(), 9, "{v:#}");
    for i in 1..=8 {
        let t = thread(&v, &format!("Thread-{i} (io_bound)"));
        let blocked = f(t, "blocked_s");
        assert!(
            (0.095..=0.5).contains(&blocked),
            "a thread that slept 0.1 s was blocked {blocked} s: {t}"
        );
        assert!(
            f(t, "running_s") < blocked,
            "a sleeping thread mostly ran: {t}"
        );
    }
    let load = f(&v, "gil_load");
    assert!(
        load < 0.5,
        "sleeping threads kept the GIL busy: load {load}"
    );
}

const NATIVE_THREADS: &str = "\
import threading
import native


def work():
    native.compute(0.05)


threads = [threading.Thread(target=work) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print('done')
";

#[test]
fn native_compute_shows_as_native_time() {
    let scratch = Scratch::new("native");
    let script = scratch.script("native_threads.py", NATIVE_THREADS);
    let (v, stdout) = run_json(&scratch, &[], &script, &[], 0);
    assert_eq!(stdout, "done\n");
    for name in ["Thread-1 (work)", "Thread-2 (work)"] {
        let t = thread(&v, name);
        let native = f(t, "native_s");
        assert!(
            native >= 0.045,
            "native.compute(0.05) counted {native} s native: {t}"
        );
        assert!(f(t, "running_s") < native, "{t}");
    }
    assert_eq!(f(thread(&v, "MainThread"), "native_s"), 0.0);
}

#[test]
fn stats_table_goes_to_stderr_and_leaves_stdout_alone() {
    for script in [example("hello_core.py"), example("f2_io_threads.py")] {
        let plain = gilsim(&[], &script, &[]);
        let with = gilsim(&["--stats"], &script, &[]);
        assert!(plain.status.success() && with.status.success());
        assert_eq!(text(&plain.stderr), "", "{}", script.display());
        let (a, b) = (text(&plain.stdout), text(&with.stdout));
        if script.ends_with("hello_core.py") {
            assert_eq!(a, b, "--stats changed stdout");
        } else {
            // f2 prints timings: compare the lines' shape only.
            let shape = |s: &str| -> Vec<String> {
                s.lines()
                    .map(|l| l.chars().filter(|c| !c.is_ascii_digit()).collect())
                    .collect()
            };
            assert_eq!(shape(&a), shape(&b), "--stats changed stdout");
        }
        let table = text(&with.stderr);
        assert!(table.starts_with("gilsim stats: wall "), "{table}");
        assert!(table.contains("GIL load"), "{table}");
        let header = table.lines().nth(1).unwrap_or_default();
        for column in [
            "thread", "running", "waiting", "native", "blocked", "acquires", "forced",
        ] {
            assert!(header.contains(column), "no {column:?} column: {table}");
        }
        assert!(
            table.lines().any(|l| l.starts_with("MainThread ")),
            "{table}"
        );
    }
}

#[test]
fn stats_are_written_when_the_script_raises() {
    let scratch = Scratch::new("raise");
    let script = scratch.script(
        "boom.py",
        "import threading\n\
         t = threading.Thread(target=print, args=('from a thread',))\n\
         t.start()\n\
         t.join()\n\
         print('before')\n\
         raise ValueError('boom')\n",
    );
    let (v, stdout) = run_json(&scratch, &[], &script, &[], 1);
    assert_eq!(stdout, "from a thread\nbefore\n");
    assert_eq!(names(&v), ["MainThread", "Thread-1 (print)"]);
    // --stats too: the traceback, then the table.
    let out = gilsim(&["--stats"], &script, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let tb = stderr.find("ValueError: boom").expect("the traceback");
    let table = stderr.find("gilsim stats:").expect("the table");
    assert!(tb < table, "{stderr}");
}

#[test]
fn stats_are_written_on_sys_exit() {
    let scratch = Scratch::new("exit");
    let script = scratch.script(
        "exit3.py",
        "import sys\nimport time\ntime.sleep(0.01)\nprint('leaving')\nsys.exit(3)\nprint('not reached')\n",
    );
    let (v, stdout) = run_json(&scratch, &[], &script, &[], 3);
    assert_eq!(stdout, "leaving\n");
    assert_eq!(names(&v), ["MainThread"]);
    let main = thread(&v, "MainThread");
    assert!(
        f(main, "blocked_s") >= 0.009,
        "time.sleep(0.01) not counted: {main}"
    );
}

#[test]
fn a_daemon_thread_still_running_at_exit_is_reported_up_to_the_end() {
    let scratch = Scratch::new("daemon");
    let script = scratch.script(
        "daemon.py",
        "import threading\nimport time\n\n\
         def spin():\n    while True:\n        pass\n\n\
         threading.Thread(target=spin, daemon=True, name='spinner').start()\n\
         time.sleep(0.03)\n\
         print('bye')\n",
    );
    let (v, stdout) = run_json(&scratch, &[], &script, &[], 0);
    assert_eq!(stdout, "bye\n");
    assert_eq!(names(&v), ["MainThread", "spinner"]);
    let spinner = thread(&v, "spinner");
    assert!(f(spinner, "running_s") > 0.0, "{spinner}");
}

#[test]
fn an_unwritable_stats_file_is_an_error() {
    let scratch = Scratch::new("unwritable");
    let script = scratch.script("ok.py", "print('ok')\n");
    let target = scratch.dir().join("no_such_dir").join("stats.json");
    let out = gilsim(&["--stats-json", target.to_str().unwrap()], &script, &[]);
    assert_eq!(text(&out.stdout), "ok\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("can't write"),
        "{}",
        text(&out.stderr)
    );
}
