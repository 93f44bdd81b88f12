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

#[test]
fn policies_without_a_deterministic_rule_are_refused() {
    let scratch = Scratch::new("det_policy");
    let script = scratch.script("x.py", "print(1)\n");
    for policy in ["legacy", "none"] {
        let out = run_within(
            &["--deterministic", "--gil", policy],
            &script,
            Duration::from_secs(20),
        );
        assert_eq!(out.status.code(), Some(2), "{policy}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--deterministic"));
    }
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
