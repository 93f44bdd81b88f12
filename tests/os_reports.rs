//! The reports under `--process-backend os`, through the real binary: each child OS process
//! records and sends its events to the top gilsim process as it ends, so `--stats` prints a
//! table per process under its header (as with the `interp` backend), `--stats-json` holds
//! every process, the trace has a process per interpreter with the child's slices inside the
//! parent's run, and the timeline a row group per process. A child that raises or calls
//! `sys.exit` still has its table; a grandchild is reported too; a child killed by a signal
//! (which cannot send anything) has its header, its exit code and a note.

use std::path::Path;

use serde_json::Value;

mod common;
use common::{Scratch, run_expecting};

/// Two children, each putting its pid and a sum on a queue; the parent prints the pids.
const TWO_CHILDREN: &str = r#"
import multiprocessing as mp, os

def work(q, n):
    q.put((os.getpid(), sum(range(n))))

if __name__ == "__main__":
    q = mp.Queue()
    ps = [mp.Process(target=work, args=(q, 20_000), name=f"worker-{i}") for i in range(2)]
    for p in ps:
        p.start()
    results = sorted(q.get() for _ in ps)
    for p in ps:
        p.join()
    print(os.getpid(), *sorted(p.pid for p in ps))
    print([s for _, s in results], [p.exitcode for p in ps])
"#;

/// `gilsim run --timeout 60s FLAGS... SCRIPT` expecting status `code`: stdout and stderr.
fn run(flags: &[&str], script: &Path, code: i32) -> (String, String) {
    let mut all = vec!["--timeout", "60s"];
    all.extend_from_slice(flags);
    let out = run_expecting(&all, script, &[], code);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the report was written");
    serde_json::from_str(&text).expect("the report is JSON")
}

fn processes(stats: &Value) -> &Vec<Value> {
    stats["processes"].as_array().expect("a processes list")
}

fn process<'a>(stats: &'a Value, name: &str) -> &'a Value {
    processes(stats)
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no process {name} in {stats}"))
}

fn thread_names(p: &Value) -> Vec<&str> {
    p["threads"]
        .as_array()
        .expect("a threads list")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

/// The pids the script printed on its first line: its own, then its children's.
fn printed_pids(stdout: &str) -> Vec<u64> {
    stdout
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(|p| p.parse().expect("a pid"))
        .collect()
}

/// The `--stats` table's header lines (`process NAME (pid N): started at ...`).
fn headers(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("process "))
        .collect()
}

#[test]
fn stats_print_a_table_per_process_as_with_the_interp_backend() {
    let scratch = Scratch::new("os_reports_stats");
    let script = scratch.script("two.py", TWO_CHILDREN);
    let json = scratch.json_path();
    let mut shapes = vec![];
    for backend in ["interp", "os"] {
        let flags = [
            "--process-backend",
            backend,
            "--stats",
            "--stats-json",
            json.to_str().unwrap(),
        ];
        let (stdout, stderr) = run(&flags, &script, 0);
        assert!(
            stdout.ends_with("[199990000, 199990000] [0, 0]\n"),
            "{stdout}"
        );
        // A header, then a table, for every process.
        let headers = headers(&stderr);
        assert_eq!(headers.len(), 3, "{backend}: {stderr}");
        assert_eq!(stderr.matches("gilsim stats: wall").count(), 3, "{stderr}");
        for (header, name) in headers.iter().zip(["MainProcess", "worker-0", "worker-1"]) {
            assert!(
                header.starts_with(&format!("process {name} (pid ")),
                "{header}"
            );
            assert!(header.contains("ms, ") && header.ends_with(" bytes serialized"));
        }
        let stats = read_json(&json);
        let names: Vec<&str> = processes(&stats)
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let main_wall = stats["wall_s"].as_f64().unwrap();
        for name in ["worker-0", "worker-1"] {
            let p = process(&stats, name);
            assert_eq!(thread_names(p), ["MainThread"], "{backend}: {p}");
            let t = &p["threads"][0];
            assert!(t["running_s"].as_f64().unwrap() > 0.0, "{backend}: {t}");
            assert!(t["acquisitions"].as_u64().unwrap() >= 1, "{backend}: {t}");
            // It put its result on the queue: bytes it serialized.
            assert!(
                p["bytes_serialized"].as_u64().unwrap() > 0,
                "{backend}: {p}"
            );
            let start = p["start_s"].as_f64().unwrap();
            assert!(
                start > 0.0 && start < main_wall,
                "{backend}: {start} {main_wall}"
            );
        }
        if backend == "os" {
            // The children are the real OS processes, with their exit codes.
            let pids = printed_pids(&stdout);
            let reported: Vec<u64> = processes(&stats)
                .iter()
                .map(|p| p["pid"].as_u64().unwrap())
                .collect();
            assert_eq!(reported, pids, "{stats}");
            for name in ["worker-0", "worker-1"] {
                assert_eq!(process(&stats, name)["exitcode"], 0);
            }
        }
        shapes.push(names.join(","));
    }
    assert_eq!(shapes[0], shapes[1]);
}

#[test]
fn the_trace_and_timeline_have_a_process_per_interpreter_within_the_run() {
    let scratch = Scratch::new("os_reports_trace");
    let script = scratch.script("two.py", TWO_CHILDREN);
    let trace = scratch.dir().join("trace.json");
    let svg = scratch.dir().join("timeline.svg");
    let flags = [
        "--process-backend",
        "os",
        "--trace",
        trace.to_str().unwrap(),
        "--timeline",
        svg.to_str().unwrap(),
    ];
    let (stdout, _) = run(&flags, &script, 0);
    let pids = printed_pids(&stdout);
    let v = read_json(&trace);
    let events = v["traceEvents"].as_array().unwrap();
    let named: Vec<(u64, String)> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "process_name")
        .map(|e| {
            (
                e["pid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(u64, String)> = pids
        .iter()
        .zip(["MainProcess", "worker-0", "worker-1"])
        .map(|(pid, name)| (*pid, format!("{name} (pid {pid})")))
        .collect();
    assert_eq!(named, expected);
    // The parent's run: from 0 to its end.
    let instant = |pid: u64, name: &str| -> f64 {
        events
            .iter()
            .find(|e| e["pid"] == pid && e["name"] == name)
            .and_then(|e| e["ts"].as_f64())
            .unwrap_or_else(|| panic!("no {name} for {pid}"))
    };
    let run_end = instant(pids[0], "process end");
    // Each child's thread slices lie inside it, after the child was started.
    for &pid in &pids[1..] {
        let started = instant(pid, "process start");
        let slices: Vec<(f64, f64)> = events
            .iter()
            .filter(|e| e["ph"] == "X" && e["pid"] == pid)
            .map(|e| {
                let ts = e["ts"].as_f64().unwrap();
                (ts, ts + e["dur"].as_f64().unwrap())
            })
            .collect();
        assert!(
            events
                .iter()
                .any(|e| e["ph"] == "X" && e["pid"] == pid && e["name"] == "running (holds GIL)"),
            "child {pid} never ran"
        );
        for (from, to) in slices {
            // A microsecond of slack for the format's rounding.
            assert!(
                from >= started - 1.0 && to <= run_end + 1.0 && from <= to,
                "child {pid}: slice {from}..{to} outside {started}..{run_end}"
            );
        }
    }
    let svg = std::fs::read_to_string(&svg).expect("--timeline wrote its file");
    for (pid, name) in &expected {
        assert!(svg.contains(name.as_str()), "no row for {name} ({pid})");
    }
    assert!(svg.contains("in 3 processes"));
}

#[test]
fn a_child_that_raises_or_exits_still_has_its_table_and_a_grandchild_is_reported() {
    let scratch = Scratch::new("os_reports_ends");
    let script = scratch.script(
        "ends.py",
        r#"
import multiprocessing as mp, sys, threading, time

def raises():
    raise ValueError("boom")

def exits():
    sys.exit(3)

def with_daemon():
    threading.Thread(target=time.sleep, args=(30,), daemon=True, name="sleeper").start()

def parent():
    p = mp.Process(target=exits, name="grandchild")
    p.start()
    p.join()

if __name__ == "__main__":
    ps = [mp.Process(target=f, name=f.__name__) for f in (raises, exits, with_daemon, parent)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print([p.exitcode for p in ps])
"#,
    );
    let json = scratch.json_path();
    let flags = [
        "--process-backend",
        "os",
        "--stats",
        "--stats-json",
        json.to_str().unwrap(),
    ];
    let (stdout, stderr) = run(&flags, &script, 0);
    assert_eq!(stdout, "[1, 3, 0, 0]\n");
    assert!(stderr.contains("ValueError: boom"), "{stderr}");
    assert_eq!(headers(&stderr).len(), 6, "{stderr}");
    assert_eq!(stderr.matches("gilsim stats: wall").count(), 6, "{stderr}");
    let stats = read_json(&json);
    for (name, code) in [
        ("raises", 1),
        ("exits", 3),
        ("with_daemon", 0),
        ("parent", 0),
        ("grandchild", 3),
    ] {
        let p = process(&stats, name);
        assert_eq!(p["exitcode"], code, "{p}");
        assert!(p.get("note").is_none(), "{p}");
        assert!(thread_names(p).contains(&"MainThread"), "{p}");
    }
    // The daemon thread ended with its process, which did not wait for it.
    let daemon = process(&stats, "with_daemon");
    assert_eq!(thread_names(daemon), ["MainThread", "sleeper"]);
    assert!(daemon["wall_s"].as_f64().unwrap() < 20.0, "{daemon}");
    // The grandchild was started by its parent, on the same clock.
    let start = |name| process(&stats, name)["start_s"].as_f64().unwrap();
    assert!(start("grandchild") > start("parent"));
}

#[test]
fn a_killed_child_shows_its_header_and_exit_code_without_a_table() {
    let scratch = Scratch::new("os_reports_killed");
    let script = scratch.script(
        "killed.py",
        r#"
import multiprocessing as mp, time

def wait(q):
    q.put("ready")
    time.sleep(60)

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=wait, args=(q,), name="victim")
    p.start()
    q.get()
    p.kill()
    p.join()
    print(p.exitcode)
"#,
    );
    let json = scratch.json_path();
    let flags = [
        "--process-backend",
        "os",
        "--stats",
        "--stats-json",
        json.to_str().unwrap(),
    ];
    let (stdout, stderr) = run(&flags, &script, 0);
    assert_eq!(stdout, "-9\n");
    let headers = headers(&stderr);
    assert_eq!(headers.len(), 2, "{stderr}");
    assert!(headers[1].starts_with("process victim (pid "), "{stderr}");
    assert!(
        stderr.contains("(no figures: killed by signal 9 before it could send them)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("gilsim stats: wall").count(), 1, "{stderr}");
    let victim = process(&read_json(&json), "victim").clone();
    assert_eq!(victim["exitcode"], -9);
    assert!(victim["note"].as_str().unwrap().contains("signal 9"));
    assert_eq!(thread_names(&victim), Vec::<&str>::new());
}

#[test]
fn the_rust_api_gets_every_process_spans() {
    use gilsim::process::ProcessBackend;
    use gilsim::runtime::Runtime;
    let report = Runtime::builder()
        .process_backend(ProcessBackend::Os)
        .run_source("two.py", TWO_CHILDREN);
    assert_eq!(report.exit_code, 0);
    let names: Vec<&str> = report
        .processes
        .iter()
        .map(|p| p.record.name.as_str())
        .collect();
    assert_eq!(names, ["MainProcess", "worker-0", "worker-1"]);
    let run_end = report.processes[0].end_ns;
    for child in &report.processes[1..] {
        assert!(child.record.started_ns > 0);
        assert!(!child.threads.is_empty());
        for t in &child.threads {
            assert!(t.start_ns >= child.record.started_ns && t.end_ns <= run_end);
        }
    }
}
