//! `--deterministic --seed N` through the real binary: the same seed gives byte-identical
//! output, stats, trace and timeline; seeds give different interleavings of a race, which
//! `--explore` lists with the seed that replays each; virtual time; a deadlock is reported,
//! not waited on; the threading corpus keeps CPython's output under the scheduler.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

mod common;
use common::{Scratch, gilsim};

/// A race: three threads update a global through a call (a switch point between the load and
/// the store), at a switch interval short enough for switches to land inside.
const RACE: &str = r#"
import sys
import threading

sys.setswitchinterval(0.00001)
counter = 0

def one():
    return 1

def work():
    global counter
    for _ in range(300):
        counter = counter + one()

ts = [threading.Thread(target=work) for _ in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("final counter", counter)
"#;

/// Runs `gilsim run FLAGS... SCRIPT`, failing the test if it outlives `limit` (a hang must
/// not stall the suite).
fn run_within(flags: &[&str], script: &Path, limit: Duration) -> Output {
    let mut child = gilsim()
        .arg("run")
        .args(flags)
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gilsim runs");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("gilsim run {flags:?} {} did not end", script.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_same_seed_replays_output_stats_trace_and_timeline_byte_for_byte() {
    let scratch = Scratch::new("det_replay");
    let script = scratch.script("race.py", RACE);
    let files = |run: &str| {
        let dir = scratch.dir();
        let (stats, trace, svg) = (
            dir.join(format!("{run}.json")),
            dir.join(format!("{run}.trace.json")),
            dir.join(format!("{run}.svg")),
        );
        let flags = [
            "--deterministic",
            "--seed",
            "1234",
            "--stats-json",
            stats.to_str().unwrap(),
            "--trace",
            trace.to_str().unwrap(),
            "--timeline",
            svg.to_str().unwrap(),
        ];
        let out = run_within(&flags, &script, Duration::from_secs(60));
        assert!(out.status.success(), "{out:?}");
        [stdout(&out).into_bytes()]
            .into_iter()
            .chain([stats, trace, svg].map(|p| std::fs::read(p).unwrap()))
            .collect::<Vec<Vec<u8>>>()
    };
    let (a, b) = (files("a"), files("b"));
    for (i, what) in ["stdout", "stats", "trace", "timeline"].iter().enumerate() {
        assert!(
            a[i] == b[i],
            "{what} differs between two runs with the same seed"
        );
    }
    let out = String::from_utf8_lossy(&a[0]);
    assert!(out.starts_with("final counter "), "{out}");
}

#[test]
fn seeds_give_different_interleavings_and_explore_names_the_seed_of_each() {
    let scratch = Scratch::new("det_explore");
    let script = scratch.script("race.py", RACE);
    let out = run_within(
        &["--deterministic", "--explore", "12"],
        &script,
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{out:?}");
    let report = stdout(&out);
    // "gilsim explore: ... under 12 seeds (0..11): K distinct outcomes"
    let distinct: usize = report
        .split("): ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|k| k.parse().ok())
        .unwrap_or_else(|| panic!("no outcome count in {report}"));
    assert!(distinct >= 2, "12 seeds gave one interleaving: {report}");
    // Each outcome's replay seed gives that outcome's output.
    for block in report.split("\n\n").skip(1) {
        let seed = block
            .split("--seed ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .expect("a replay seed");
        let expected: String = block
            .lines()
            .filter_map(|l| l.strip_prefix("  | "))
            .map(|l| format!("{l}\n"))
            .collect();
        let replay = run_within(
            &["--deterministic", "--seed", seed],
            &script,
            Duration::from_secs(60),
        );
        assert_eq!(stdout(&replay), expected, "seed {seed}");
    }
}

#[test]
fn time_is_virtual() {
    let scratch = Scratch::new("det_time");
    let script = scratch.script(
        "sleepy.py",
        "import time\nt0 = time.perf_counter()\ntime.sleep(30)\nprint(round(time.perf_counter() - t0, 3))\n",
    );
    let started = Instant::now();
    let out = run_within(&["--deterministic"], &script, Duration::from_secs(20));
    assert_eq!(stdout(&out), "30.0\n");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a 30 s virtual sleep took real time"
    );
}

#[test]
fn a_deadlock_is_reported_not_waited_on() {
    let scratch = Scratch::new("det_deadlock");
    let script = scratch.script(
        "deadlock.py",
        r#"
import threading, time
a = threading.Lock()
b = threading.Lock()

def one():
    with a:
        time.sleep(0.01)
        with b:
            pass

def two():
    with b:
        time.sleep(0.01)
        with a:
            pass

t1 = threading.Thread(target=one)
t2 = threading.Thread(target=two)
t1.start()
t2.start()
t1.join()
t2.join()
"#,
    );
    let out = run_within(&["--deterministic"], &script, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("RuntimeError: deadlock"), "{err}");
}

/// Plain `counter += 1` (no call inside): only the `none` rule switches between its load and
/// its store.
const PLAIN_RACE: &str = r#"
import threading

counter = 0

def work():
    global counter
    for _ in range(2000):
        counter += 1

ts = [threading.Thread(target=work) for _ in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("final counter", counter)
"#;

#[test]
fn every_policy_has_a_deterministic_rule_and_replays() {
    let scratch = Scratch::new("det_policy");
    let script = scratch.script("plain.py", PLAIN_RACE);
    for policy in ["cpython", "legacy", "fifo", "io-priority", "none"] {
        let run = || {
            let flags = ["--deterministic", "--seed", "5", "--gil", policy];
            let out = run_within(&flags, &script, Duration::from_secs(60));
            assert!(out.status.success(), "{policy}: {out:?}");
            stdout(&out)
        };
        let first = run();
        assert_eq!(first, run(), "{policy} does not replay");
        let lost = first != "final counter 4000\n";
        // Under a GIL, `counter += 1` is never interrupted between load and store; without
        // one, threads interleave at any instruction and 2 x 2000 steps lose some.
        assert_eq!(lost, policy == "none", "{policy}: {first}");
    }
}

/// Native work that drops the GIL takes its duration in virtual time while the others run:
/// two threads' `native.compute(1.0)` overlap (1 s in all), two `compute_holding_gil(1.0)` do
/// not (2 s), and both take next to no real time.
#[test]
fn native_calls_take_their_duration_in_virtual_time() {
    let scratch = Scratch::new("det_native");
    let script = scratch.script(
        "native.py",
        r#"
import native, threading, time

def both(f):
    t0 = time.perf_counter()
    ts = [threading.Thread(target=f, args=(1.0,)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return round(time.perf_counter() - t0, 1)

print(both(native.compute), both(native.compute_holding_gil), both(native.io))
"#,
    );
    let started = Instant::now();
    let out = run_within(&["--deterministic"], &script, Duration::from_secs(30));
    assert_eq!(stdout(&out), "1.0 2.0 1.0\n", "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "5 s of virtual native work took {:?} of real time",
        started.elapsed()
    );
}

/// The threading corpus (locks, conditions, queues, barriers, events, timers, joins) keeps
/// CPython's output when the scheduler replaces the lock, under a few seeds.
#[test]
fn the_threading_corpus_runs_under_the_scheduler() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/threading");
    let known = std::fs::read_to_string(dir.join("../KNOWN_DIFFERENCES")).unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.ends_with(".py") || known.contains(&format!("threading/{name}")) {
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension("out")).unwrap();
        for seed in ["0", "7"] {
            let out = run_within(
                &["--deterministic", "--seed", seed],
                &path,
                Duration::from_secs(30),
            );
            assert_eq!(stdout(&out), expected, "{name} with seed {seed}");
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} corpus scripts");
}

/// Threads a run leaves behind (a daemon thread still looping, a thread blocked for good) end
/// once the run is over, instead of staying parked: `--explore` runs every seed in one process.
#[test]
fn threads_left_behind_by_a_run_end_with_it() {
    let scratch = Scratch::new("det_leftovers");
    let script = scratch.script(
        "leftovers.py",
        r#"
import threading, time

def spin():
    while True:
        time.sleep(0.001)

def stuck():
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()

for f in (spin, stuck):
    threading.Thread(target=f, daemon=True).start()
time.sleep(0.01)
print("done")
"#,
    );
    let config = gilsim::vm::Config::default();
    let report =
        gilsim::runtime::explore::explore(script.to_str().unwrap(), &config, 0, 20).unwrap();
    assert!(report.contains("20 x (exit 0)"), "{report}");
    // Interpreter threads are named `gilsim-<ident>` (the kernel keeps 15 bytes of a name).
    let interpreter_threads = || {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|name| name.starts_with("gilsim-"))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while interpreter_threads() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(interpreter_threads(), 0, "40 threads were started");
}
