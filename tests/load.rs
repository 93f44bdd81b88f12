//! Robust under load: stress tests that run the real binary on the scripts of `tests/load/`
//! (each checks its own results and prints them; the test asserts the printed totals).
//!
//! | test | the script does | small (CI) | large |
//! |---|---|---|---|
//! | `queue_threads_*` | N threads, half putting and half getting M items each through one bounded `queue.Queue`, all alive at once; every item got once, every thread ended | 64 x 200, 3 rounds | 1,000 x 1,000, 3 rounds |
//! | `processes_cpu_*` | P processes at once, each a CPU-bound loop, results through a `multiprocessing.Queue`; every result right, every exit code 0 | 8, 3 rounds | 64, 3 rounds |
//! | `pool_tasks_*` | `Pool(4)`: T tasks through `map`, `imap_unordered` (chunksize 1) and `imap`; sums and order checked | 2,000, 3 rounds | 100,000, 3 rounds |
//! | `child_interpreters_free_their_heaps` | 10 processes that do nothing, 20 rounds (interp backend); a regression test | | |
//! | `fifo_does_not_wait_for_a_thread_in_a_blocking_wait` | a ring of 3 threads passing a token through Locks under `--gil fifo`, 3 runs; a regression test | | |
//!
//! Every test runs under one GIL policy (all five for each script) and the process ones under
//! each `--process-backend` (`interp`, `os`). The size is `GILSIM_STRESS=small` (the default)
//! or `large` (offline: `GILSIM_STRESS=large cargo test --release --test load -- --nocapture
//! --test-threads 1`, about 20 minutes on 2 cores).
//!
//! Memory: each script prints its RSS after every round (`/proc/self/status`); RSS after the
//! last round may not be far above RSS after the first (a leak check with wide bounds). The
//! test reads the peak RSS of the run from `wait4` (the largest of gilsim and its child
//! processes), and with the `os` backend also samples the sum over the process tree; the
//! figures are printed (`--nocapture` shows them).
//!
//! No time bounds but an outer limit: gilsim runs with `--timeout` (a hang ends with each
//! thread's stack on stderr) and is killed if it outlives that by half a minute.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Scratch, gilsim};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Size {
    Small,
    Large,
}

/// `GILSIM_STRESS`: `small` (the default) or `large`.
fn size() -> Size {
    match std::env::var("GILSIM_STRESS").as_deref() {
        Err(_) | Ok("") | Ok("small") => Size::Small,
        Ok("large") => Size::Large,
        Ok(other) => panic!("GILSIM_STRESS={other:?}: expected small or large"),
    }
}

/// gilsim's own `--timeout` for one run; the test kills it 30 s after.
fn time_limit() -> Duration {
    match size() {
        Size::Small => Duration::from_secs(120),
        Size::Large => Duration::from_secs(1200),
    }
}

/// What one run of a load script gave.
struct Run {
    label: String,
    stdout: String,
    elapsed: Duration,
    /// The largest peak RSS of gilsim and of any of its (waited-for) child processes, in kB.
    peak_kb: u64,
    /// The largest sum of the RSS of gilsim and its child processes seen (sampled every
    /// 100 ms; 0 when not sampled), in kB.
    tree_peak_kb: u64,
}

impl Run {
    /// The lines that start with `round ` and contain `label`, one per round.
    fn rounds(&self, label: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("round ") && l.contains(label))
            .collect()
    }

    /// RSS after each round, in kB.
    fn rss(&self) -> Vec<u64> {
        self.rounds(" rss ")
            .iter()
            .map(|l| number(l, "rss"))
            .collect()
    }

    /// The memory figures, printed (shown with `--nocapture`).
    fn report(&self) {
        let rss = self.rss();
        let tree = if self.tree_peak_kb > 0 {
            format!(", process tree peak {} MB", mb(self.tree_peak_kb))
        } else {
            String::new()
        };
        println!(
            "{}: {:.1} s, peak RSS {} MB{tree}, RSS after each round (MB): {}",
            self.label,
            self.elapsed.as_secs_f64(),
            mb(self.peak_kb),
            rss.iter().map(|&k| mb(k)).collect::<Vec<_>>().join(" "),
        );
    }

    /// The leak check: RSS after the last round is within half of RSS after the first, plus
    /// 16 MB (the allocator keeps some of what a thousand threads freed).
    fn check_memory(&self) {
        let rss = self.rss();
        assert!(
            rss.len() >= 2,
            "{}: rounds missing in {}",
            self.label,
            self.stdout
        );
        let (first, last) = (rss[0], *rss.last().unwrap());
        assert!(
            last <= first + first / 2 + 16 * 1024,
            "{}: RSS grew from {} MB after the first round to {} MB after the last: {:?}",
            self.label,
            mb(first),
            mb(last),
            rss
        );
    }
}

fn mb(kb: u64) -> String {
    format!("{:.1}", kb as f64 / 1024.0)
}

/// The token after the word `label` in `line`, as a number.
fn number(line: &str, label: &str) -> u64 {
    token(line, label)
        .parse()
        .unwrap_or_else(|_| panic!("no number after {label:?} in {line:?}"))
}

/// The token after the word `label` in `line`.
fn token<'a>(line: &'a str, label: &str) -> &'a str {
    let mut words = line.split_whitespace();
    words
        .by_ref()
        .find(|w| w.trim_end_matches(':') == label)
        .unwrap_or_else(|| panic!("no {label:?} in {line:?}"));
    words
        .next()
        .unwrap_or_else(|| panic!("nothing after {label:?} in {line:?}"))
}

/// The pids of `pid`'s child processes, and theirs.
fn descendants(pid: u32, out: &mut Vec<u32>) {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return;
    };
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            out.push(child);
            descendants(child, out);
        }
    }
}

/// VmRSS of process `pid` in kB (0 once it is gone).
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Runs `gilsim run --timeout LIMIT FLAGS... SCRIPT ARGS...`, which must exit 0,
/// and returns its output and memory figures. `tree`: sample the RSS of the whole process
/// tree (the `os` backend's child processes).
/// (The child is reaped by `wait4`, which also gives its peak RSS, not by `Child::wait`.)
#[allow(clippy::zombie_processes)]
fn run_load(label: &str, flags: &[&str], path: &Path, args: &[String], tree: bool) -> Run {
    let limit = time_limit();
    let started = Instant::now();
    let mut child = gilsim()
        .arg("run")
        .arg(format!("--timeout={}s", limit.as_secs()))
        .args(flags)
        .arg(path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gilsim runs");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = vec![];
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id();
    let hard_limit = limit + Duration::from_secs(30);
    let mut tree_peak_kb = 0;
    let mut killed = false;
    let mut status = 0;
    // SAFETY: a plain C struct, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped (only this loop reaps it).
        let got = unsafe { libc::wait4(pid as i32, &mut status, libc::WNOHANG, &mut usage) };
        if got == pid as i32 {
            break;
        }
        assert_eq!(got, 0, "wait4: {}", std::io::Error::last_os_error());
        if tree {
            let mut pids = vec![pid];
            descendants(pid, &mut pids);
            tree_peak_kb = tree_peak_kb.max(pids.iter().map(|&p| rss_kb(p)).sum());
        }
        if !killed && started.elapsed() > hard_limit {
            // SAFETY: signalling our own child, which has not been reaped.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed();
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let exited = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    assert!(
        !killed && exited == Some(0),
        "{label}: gilsim {flags:?} {} {args:?} {} after {:.1} s\nstdout:\n{stdout}\nstderr:\n{stderr}",
        path.display(),
        if killed {
            "was killed (it outlived its --timeout)".to_string()
        } else {
            format!("ended with wait status {status:#x} (exit code {exited:?})")
        },
        elapsed.as_secs_f64()
    );
    Run {
        label: label.to_string(),
        stdout,
        elapsed,
        // ru_maxrss is in kB on Linux.
        peak_kb: usage.ru_maxrss as u64,
        tree_peak_kb,
    }
}

/// A script of `tests/load/`.
fn script(name: &str) -> PathBuf {
    Path::new("tests/load").join(name)
}

/// Generates one `#[test]` per GIL policy, each calling `$case(policy)`.
macro_rules! per_policy {
    ($case:expr => $($name:ident: $policy:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                ($case)($policy)
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------
// Threads and one queue.Queue.

fn queue_threads(policy: &str) {
    let (threads, ops, rounds): (u64, u64, usize) = match size() {
        Size::Small => (64, 200, 3),
        Size::Large => (1000, 1000, 3),
    };
    let label = format!("queue_threads {threads} threads x {ops} ops, --gil {policy}");
    let run = run_load(
        &label,
        &["--gil", policy],
        &script("queue_threads.py"),
        &[threads.to_string(), ops.to_string(), rounds.to_string()],
        false,
    );
    run.report();
    let lines = run.rounds("items");
    assert_eq!(lines.len(), rounds, "{label}: {}", run.stdout);
    let items = threads / 2 * ops;
    for line in lines {
        assert_eq!(number(line, "items"), items, "{label}: {line}");
        assert_eq!(
            number(line, "sum"),
            items * (items - 1) / 2,
            "{label}: {line}"
        );
        assert_eq!(number(line, "alive"), 0, "{label}: {line}");
        assert_eq!(number(line, "left"), 0, "{label}: {line}");
        // All N threads alive at once (they wait at a gate until every one has started).
        assert_eq!(number(line, "peak_threads"), threads + 1, "{label}: {line}");
        assert_eq!(number(line, "active"), 1, "{label}: {line}");
        assert_eq!(token(line, "ok"), "True", "{label}: {line}");
    }
    assert!(
        run.stdout.contains("final active_count 1\n"),
        "{label}: {}",
        run.stdout
    );
    run.check_memory();
}

per_policy!(queue_threads =>
    queue_threads_cpython: "cpython",
    queue_threads_legacy: "legacy",
    queue_threads_fifo: "fifo",
    queue_threads_io_priority: "io-priority",
    queue_threads_none: "none",
);

// ---------------------------------------------------------------------------------------------
// Many processes at once, each CPU-bound.

fn processes_cpu(policy: &str, backend: &str) {
    let (procs, n, rounds): (u64, u64, usize) = match size() {
        Size::Small => (8, 50_000, 3),
        Size::Large => (64, 1_000_000, 3),
    };
    let label =
        format!("processes_cpu {procs} processes, --process-backend {backend} --gil {policy}");
    let run = run_load(
        &label,
        &["--gil", policy, "--process-backend", backend],
        &script("processes_cpu.py"),
        &[procs.to_string(), n.to_string(), rounds.to_string()],
        backend == "os",
    );
    run.report();
    let lines = run.rounds("results");
    assert_eq!(lines.len(), rounds, "{label}: {}", run.stdout);
    for line in lines {
        assert_eq!(number(line, "results"), procs, "{label}: {line}");
        assert_eq!(token(line, "wrong"), "[]", "{label}: {line}");
        assert_eq!(token(line, "exitcodes"), "[0]", "{label}: {line}");
        assert_eq!(number(line, "children"), 0, "{label}: {line}");
        assert_eq!(token(line, "ok"), "True", "{label}: {line}");
    }
    run.check_memory();
}

per_policy!(|p| processes_cpu(p, "interp") =>
    processes_cpu_interp_cpython: "cpython",
    processes_cpu_interp_legacy: "legacy",
    processes_cpu_interp_fifo: "fifo",
    processes_cpu_interp_io_priority: "io-priority",
    processes_cpu_interp_none: "none",
);

per_policy!(|p| processes_cpu(p, "os") =>
    processes_cpu_os_cpython: "cpython",
    processes_cpu_os_legacy: "legacy",
    processes_cpu_os_fifo: "fifo",
    processes_cpu_os_io_priority: "io-priority",
    processes_cpu_os_none: "none",
);

// ---------------------------------------------------------------------------------------------
// A Pool given many small tasks.

fn pool_tasks(policy: &str, backend: &str) {
    let (tasks, rounds): (u64, usize) = match size() {
        Size::Small => (2_000, 3),
        Size::Large => (100_000, 3),
    };
    let label = format!("pool_tasks {tasks} tasks, --process-backend {backend} --gil {policy}");
    let run = run_load(
        &label,
        &["--gil", policy, "--process-backend", backend],
        &script("pool_tasks.py"),
        &["4".to_string(), tasks.to_string(), rounds.to_string()],
        backend == "os",
    );
    run.report();
    let want: u64 = (0..tasks).map(|x| x * x % 1_000_003).sum();
    let lines = run.rounds("map_sum");
    assert_eq!(lines.len(), rounds, "{label}: {}", run.stdout);
    for line in lines {
        assert_eq!(number(line, "map"), tasks, "{label}: {line}");
        assert_eq!(number(line, "map_sum"), want, "{label}: {line}");
        assert_eq!(number(line, "unordered"), tasks, "{label}: {line}");
        assert_eq!(number(line, "unordered_sum"), want, "{label}: {line}");
        assert_eq!(token(line, "imap_in_order"), "True", "{label}: {line}");
        assert_eq!(token(line, "ok"), "True", "{label}: {line}");
    }
    for line in run.rounds(" rss ") {
        println!("  {line}");
    }
    assert!(
        run.stdout.contains("children after close 0\n"),
        "{label}: {}",
        run.stdout
    );
    run.check_memory();
}

per_policy!(|p| pool_tasks(p, "interp") =>
    pool_tasks_interp_cpython: "cpython",
    pool_tasks_interp_legacy: "legacy",
    pool_tasks_interp_fifo: "fifo",
    pool_tasks_interp_io_priority: "io-priority",
    pool_tasks_interp_none: "none",
);

per_policy!(|p| pool_tasks(p, "os") =>
    pool_tasks_os_cpython: "cpython",
    pool_tasks_os_legacy: "legacy",
    pool_tasks_os_fifo: "fifo",
    pool_tasks_os_io_priority: "io-priority",
    pool_tasks_os_none: "none",
);

// ---------------------------------------------------------------------------------------------
// Regression: ended child interpreters free their heaps.

/// An ended child interpreter used to keep its whole heap (its modules' functions and globals
/// refer to each other, a cycle no reference count frees): about 450 kB per child, so 150
/// children after the first round came to some 65 MB. Now the interpreter clears its modules'
/// globals when its last thread is gone, and the growth is a few hundred kB.
#[test]
fn child_interpreters_free_their_heaps() {
    let run = run_load(
        "child_heaps 20 rounds of 10 processes (interp)",
        &["--process-backend", "interp"],
        &script("child_heaps.py"),
        &["10".to_string(), "20".to_string()],
        false,
    );
    run.report();
    let rss = run.rss();
    assert_eq!(rss.len(), 20, "{}", run.stdout);
    for line in run.rounds(" rss ") {
        assert_eq!(token(line, "exitcodes"), "[0]", "{line}");
    }
    let growth = rss[19].saturating_sub(rss[4]);
    assert!(
        growth < 16 * 1024,
        "RSS grew by {} MB over 150 ended child interpreters: {rss:?}",
        mb(growth)
    );
}

// ---------------------------------------------------------------------------------------------
// Regression: under the fifo GIL, no thread waits for one in a blocking wait.

/// A ring of N threads passing a token through a Lock each; before its blocking acquire each
/// runs a long stretch of straight-line code (no eval-breaker check in it), the placeholder
/// line below, repeated.
const FIFO_RING: &str = "\
import sys
import threading


def runner(mine, after, laps, counts, i):
    x = 0
    for _ in range(laps):
        STRAIGHT_LINE_CODE
        mine.acquire()
        after.release()
    counts[i] = x


n, laps = int(sys.argv[1]), int(sys.argv[2])
locks = [threading.Lock() for _ in range(n)]
for lock in locks:
    lock.acquire()
counts = [0] * n
threads = [
    threading.Thread(target=runner, args=(locks[i], locks[(i + 1) % n], laps, counts, i))
    for i in range(n)
]
for t in threads:
    t.start()
locks[0].release()
for t in threads:
    t.join()
print('passes', sum(counts) // 20000, 'of', n * laps)
";

/// Under `--gil fifo`, a thread that answered a drop request on its way into a blocking wait
/// (a forced drop, as CPython's) kept a ticket in the queue, and once it reached the front
/// every other thread waited for it; when only one of them could end its wait, the run hung
/// (found by `queue_threads_fifo` at 1,000 threads, in the start gate). Here the drop request
/// (a waiter's, after a 200 us switch interval) is pending at the blocking acquire nearly every
/// time: before the fix, every run hung within its first laps (in `Thread.start()` or the ring).
#[test]
fn fifo_does_not_wait_for_a_thread_in_a_blocking_wait() {
    let scratch = Scratch::new("fifo_ring");
    let body = "x = x + 1\n        ".repeat(20_000);
    let path = scratch.script(
        "fifo_ring.py",
        &FIFO_RING.replace("STRAIGHT_LINE_CODE\n        ", &body),
    );
    for attempt in 0..3 {
        let run = run_load(
            &format!("fifo ring, attempt {attempt}"),
            &["--gil", "fifo", "--switch-interval", "200us"],
            &path,
            &["3".to_string(), "50".to_string()],
            false,
        );
        assert_eq!(run.stdout, "passes 150 of 150\n");
    }
}
