//! `--trace FILE.json` through the real binary: the Chrome trace parses back, and its
//! invariants hold (per interpreter no two threads hold the GIL at once; a thread's slices do
//! not overlap and go forward in time; every wait ends in an acquisition or the thread's end;
//! every flow arrow runs from a drop request to a later forced switch of its holder). The
//! trace is written however the run ends: normally, on an uncaught exception, at `sys.exit`,
//! and at Ctrl-C.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

mod common;
use common::{Scratch, run_expecting, spawn_until};

/// `gilsim run --trace FILE SCRIPT ARGS...`, expecting exit status `code`; returns the parsed
/// trace (checked against the invariants) and stdout.
fn traced(scratch: &Scratch, script: &Path, args: &[&str], code: i32) -> (Value, String) {
    traced_with(scratch, &[], script, args, code)
}

/// [`traced`] with more `gilsim run` flags.
fn traced_with(
    scratch: &Scratch,
    flags: &[&str],
    script: &Path,
    args: &[&str],
    code: i32,
) -> (Value, String) {
    let trace = scratch.dir().join("trace.json");
    let mut all = vec!["--trace", trace.to_str().unwrap()];
    all.extend_from_slice(flags);
    let out = run_expecting(&all, script, args, code);
    let v = read_trace(&trace);
    if !flags.contains(&"none") {
        check_exclusive(&v);
    }
    (v, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn read_trace(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("--trace wrote its file");
    let v: Value = serde_json::from_str(&text).expect("the trace is JSON");
    check_invariants(&v);
    v
}

fn events(v: &Value) -> &Vec<Value> {
    v["traceEvents"].as_array().expect("traceEvents is a list")
}

fn with_phase<'a>(v: &'a Value, ph: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    events(v).iter().filter(move |e| e["ph"] == ph)
}

fn key(e: &Value) -> (u64, u64) {
    (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap_or(0))
}

fn ts(e: &Value) -> f64 {
    e["ts"].as_f64().expect("ts is a number")
}

fn end(e: &Value) -> f64 {
    ts(e) + e["dur"].as_f64().expect("a slice has a duration")
}

/// The invariants every trace must satisfy, whatever the GIL policy.
fn check_invariants(v: &Value) {
    assert!(v["displayTimeUnit"].is_string());
    // Slices per thread, in file order.
    let mut threads: BTreeMap<(u64, u64), Vec<&Value>> = BTreeMap::new();
    for e in with_phase(v, "X") {
        assert!(e["dur"].as_f64().unwrap() >= 0.0, "negative duration: {e}");
        threads.entry(key(e)).or_default().push(e);
    }
    assert!(!threads.is_empty(), "no slices at all");
    for (thread, slices) in &threads {
        for pair in slices.windows(2) {
            assert!(
                ts(pair[1]) >= ts(pair[0]),
                "timestamps go back on {thread:?}: {} then {}",
                pair[0],
                pair[1]
            );
            assert!(
                ts(pair[1]) >= end(pair[0]) - 1e-3,
                "slices overlap on {thread:?}: {} and {}",
                pair[0],
                pair[1]
            );
        }
        // A wait that did not end in an acquisition is the thread's last slice.
        for (i, s) in slices.iter().enumerate() {
            if s["name"] == "waiting for GIL" && s["args"]["acquired"] == false {
                assert_eq!(i, slices.len() - 1, "a wait ended without the GIL: {s}");
            }
        }
    }
    // Every flow starts at a drop request and ends later at its holder's forced switch.
    let starts: BTreeMap<u64, &Value> = with_phase(v, "s")
        .map(|e| (e["id"].as_u64().unwrap(), e))
        .collect();
    let ends: BTreeMap<u64, &Value> = with_phase(v, "f")
        .map(|e| (e["id"].as_u64().unwrap(), e))
        .collect();
    assert_eq!(
        starts.keys().collect::<Vec<_>>(),
        ends.keys().collect::<Vec<_>>()
    );
    for (id, s) in &starts {
        let f = ends[id];
        assert!(ts(f) >= ts(s), "flow {id} goes back in time");
        let forced_at_f = with_phase(v, "i")
            .any(|i| i["name"] == "forced switch" && key(i) == key(f) && ts(i) == ts(f));
        assert!(forced_at_f, "flow {id} does not end at a forced switch");
    }
}

/// Each interpreter's running slices, in time order: (start, end, thread).
fn holds(v: &Value) -> BTreeMap<u64, Vec<(f64, f64, u64)>> {
    let mut held: BTreeMap<u64, Vec<(f64, f64, u64)>> = BTreeMap::new();
    for e in with_phase(v, "X").filter(|e| e["name"] == "running (holds GIL)") {
        let (pid, tid) = key(e);
        held.entry(pid).or_default().push((ts(e), end(e), tid));
    }
    for spans in held.values_mut() {
        spans.sort_by(|a, b| a.partial_cmp(b).unwrap());
    }
    held
}

/// Mutual exclusion: per interpreter, no two threads hold the GIL at once (every policy but
/// `none`).
fn check_exclusive(v: &Value) {
    for (pid, spans) in holds(v) {
        for pair in spans.windows(2) {
            assert!(
                pair[1].0 >= pair[0].1 - 1e-3,
                "two threads of pid {pid} hold the GIL at once: {:?} and {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}

fn thread_names(v: &Value) -> Vec<String> {
    with_phase(v, "M")
        .filter(|e| e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap().to_string())
        .collect()
}

const CPU_THREADS: &str = r#"
import threading

def count(n):
    while n > 0:
        n -= 1

ts = [threading.Thread(target=count, args=(400_000,), name=f"spinner-{i}") for i in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("done")
"#;

#[test]
fn cpu_threads_trace_names_tracks_and_links_requests_to_switches() {
    let scratch = Scratch::new("trace_cpu");
    let script = scratch.script("cpu.py", CPU_THREADS);
    let (v, out) = traced(&scratch, &script, &["--switch-interval", "1ms"], 0);
    assert_eq!(out, "done\n");
    let names = thread_names(&v);
    for name in ["MainThread", "spinner-0", "spinner-1", "spinner-2"] {
        assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
    }
    // Every thread's start and end is marked.
    for what in ["thread start", "thread end"] {
        let marked = with_phase(&v, "i").filter(|e| e["name"] == what).count();
        assert_eq!(marked, 4, "{what}");
    }
    // Three spinners at a 1 ms interval must be switched by force, and each switch caused by
    // a drop request is linked to it.
    assert!(with_phase(&v, "i").any(|e| e["name"] == "forced switch"));
    assert!(with_phase(&v, "s").count() > 0, "no flow arrows");
    // The waiting counter reaches at least 2 (two spinners waiting while one runs).
    let max_waiting = with_phase(&v, "C")
        .map(|e| e["args"]["waiting"].as_i64().unwrap())
        .max()
        .unwrap();
    assert!(max_waiting >= 2, "max waiting {max_waiting}");
    assert!(
        with_phase(&v, "C").all(|e| e["args"]["waiting"].as_i64().unwrap() >= 0),
        "the waiting counter went negative"
    );
}

#[test]
fn native_calls_and_blocking_waits_are_named_slices() {
    let scratch = Scratch::new("trace_native");
    let script = scratch.script(
        "native.py",
        r#"
import threading, time, zlib
lock = threading.Lock()
def worker():
    with lock:
        time.sleep(0.01)
lock.acquire()
t = threading.Thread(target=worker, name="worker")
t.start()
time.sleep(0.02)
lock.release()
zlib.compress(b"x" * 100_000)
t.join()
"#,
    );
    let (v, _) = traced(&scratch, &script, &[], 0);
    let names: Vec<&str> = with_phase(&v, "X")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    for want in [
        "native, GIL released: zlib.compress",
        "blocked: sleep",
        "blocked: lock",
    ] {
        assert!(names.contains(&want), "no {want:?} slice in {names:?}");
    }
}

#[test]
fn the_trace_is_written_on_an_uncaught_exception_and_at_sys_exit() {
    let scratch = Scratch::new("trace_exits");
    let raises = scratch.script(
        "raises.py",
        "import threading\nthreading.Thread(target=print, args=('hi',)).start()\nraise ValueError('boom')\n",
    );
    let (v, _) = traced(&scratch, &raises, &[], 1);
    assert!(thread_names(&v).len() >= 2);
    let exits = scratch.script("exits.py", "import sys\nprint('bye')\nsys.exit(3)\n");
    let (v, out) = traced(&scratch, &exits, &[], 3);
    assert_eq!(out, "bye\n");
    assert_eq!(thread_names(&v), vec!["MainThread"]);
}

#[test]
fn each_process_is_a_named_pid() {
    let scratch = Scratch::new("trace_processes");
    let script = scratch.script(
        "procs.py",
        r#"
import multiprocessing

def count(n):
    while n > 0:
        n -= 1

if __name__ == "__main__":
    ps = [multiprocessing.Process(target=count, args=(100_000,), name=f"worker-{i}") for i in range(2)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print([p.exitcode for p in ps])
"#,
    );
    let (v, out) = traced(&scratch, &script, &[], 0);
    assert_eq!(out, "[0, 0]\n");
    let processes: Vec<(u64, String)> = with_phase(&v, "M")
        .filter(|e| e["name"] == "process_name")
        .map(|e| {
            (
                e["pid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(processes.len(), 3, "{processes:?}");
    assert!(processes[0].1.starts_with("MainProcess"));
    for name in ["worker-0", "worker-1"] {
        assert!(processes.iter().any(|(_, n)| n.starts_with(name)));
    }
    // Every pid has running slices of its own.
    for (pid, _) in &processes {
        assert!(
            with_phase(&v, "X").any(|e| e["pid"] == *pid && e["name"] == "running (holds GIL)"),
            "pid {pid} never ran"
        );
    }
}

/// Sends SIGINT to `pid` with the system's `kill`.
fn interrupt(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok);
}

#[test]
fn ctrl_c_twice_ends_a_stuck_run_with_its_trace_written() {
    let scratch = Scratch::new("trace_ctrl_c");
    // The main thread joins a thread that never ends: the first Ctrl-C raises
    // KeyboardInterrupt out of the join, then the interpreter's exit waits for the (non-daemon)
    // thread, as CPython's does; the second Ctrl-C ends the run.
    let script = scratch.script(
        "stuck.py",
        r#"
import threading
def spin():
    n = 0
    while True:
        n += 1
t = threading.Thread(target=spin, name="spinner")
t.start()
print("started", flush=True)
t.join()
"#,
    );
    let trace = scratch.dir().join("trace.json");
    let (mut child, _out) = spawn_until(&["--trace", trace.to_str().unwrap()], &script, "started");
    interrupt(child.id());
    std::thread::sleep(std::time::Duration::from_millis(200));
    interrupt(child.id());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let v = read_trace(&trace);
    assert!(thread_names(&v).contains(&"spinner".to_string()));
    assert!(
        with_phase(&v, "X")
            .any(|e| e["name"] == "running (holds GIL)" && e["dur"].as_f64().unwrap() > 0.0)
    );
}

#[test]
fn ctrl_c_raises_keyboard_interrupt_in_a_sleeping_main_thread() {
    use std::io::BufRead;
    let scratch = Scratch::new("trace_kbint");
    let script = scratch.script(
        "sleeps.py",
        r#"
import time
try:
    print("sleeping", flush=True)
    time.sleep(60)
except KeyboardInterrupt:
    print("interrupted")
"#,
    );
    let trace = scratch.dir().join("trace.json");
    let (mut child, mut out) =
        spawn_until(&["--trace", trace.to_str().unwrap()], &script, "sleeping");
    let mut line = String::new();
    let started = std::time::Instant::now();
    interrupt(child.id());
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "interrupted\n");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(
        started.elapsed().as_secs() < 30,
        "the sleep was not cut short"
    );
    read_trace(&trace);
}

/// A mix of CPU-bound threads, a sleeper and a lock, for the policies' invariants.
const MIXED: &str = r#"
import threading, time

lock = threading.Lock()
total = 0

def count(n):
    global total
    while n > 0:
        n -= 1
    with lock:
        total += 1

def sleeper():
    for _ in range(5):
        time.sleep(0.001)

ts = [threading.Thread(target=count, args=(200_000,)) for _ in range(3)]
ts.append(threading.Thread(target=sleeper))
for t in ts:
    t.start()
for t in ts:
    t.join()
print(total)
"#;

#[test]
fn every_policy_but_none_lets_one_thread_at_a_time_hold_the_gil() {
    let scratch = Scratch::new("trace_policies");
    let script = scratch.script("mixed.py", MIXED);
    for policy in ["cpython", "legacy", "fifo", "io-priority"] {
        let flags = ["--gil", policy, "--switch-interval", "1ms"];
        let (_, out) = traced_with(&scratch, &flags, &script, &[], 0);
        assert_eq!(out, "3\n", "under {policy}");
    }
}

#[test]
fn without_a_gil_threads_run_at_once() {
    let scratch = Scratch::new("trace_none");
    let script = scratch.script("cpu.py", CPU_THREADS);
    let (v, out) = traced_with(&scratch, &["--gil", "none"], &script, &[], 0);
    assert_eq!(out, "done\n");
    let spans = &holds(&v).into_values().next().unwrap();
    let overlapping = spans
        .windows(2)
        .any(|pair| pair[1].0 < pair[0].1 && pair[1].2 != pair[0].2);
    assert!(overlapping, "no two threads ran at once: {spans:?}");
}

#[test]
fn ctrl_c_raises_keyboard_interrupt_in_a_main_thread_waiting_in_join() {
    use std::io::BufRead;
    let scratch = Scratch::new("trace_kbint_join");
    let script = scratch.script(
        "joins.py",
        r#"
import threading
def spin():
    n = 0
    while True:
        n += 1
t = threading.Thread(target=spin, name="spinner", daemon=True)
t.start()
try:
    print("joining", flush=True)
    t.join()
except KeyboardInterrupt:
    print("interrupted")
"#,
    );
    let trace = scratch.dir().join("trace.json");
    let (mut child, mut out) =
        spawn_until(&["--trace", trace.to_str().unwrap()], &script, "joining");
    interrupt(child.id());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "interrupted\n");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    read_trace(&trace);
}
