//! GIL benchmarks: what the lock, the primitives built on it and the event recording cost.
//! Run with `cargo bench --bench gil` (a few minutes; each group keeps its sample count and
//! measurement time small).
//!
//! | group | measures | goal |
//! |---|---|---|
//! | `gil_uncontended` | `drop_gil` + `take_gil` on the raw [`Gil`], nobody else wanting it | < 100 ns |
//! | `native_call` | a script calling `native.crunch(1)` (releases the GIL) vs `native.crunch_holding_gil(1)`, per call: the difference is the release + reacquire through `Vm::allow_threads` | < 100 ns |
//! | `gil_handoff` | a waiter's request timing out → the waiter holding the GIL, the holder spinning on `drop_requested()` ("beyond the interval"); each sample is the median of a batch; p50/p90/p99 of single hand-offs printed after the group | median < 50 us |
//! | `threading` | `threading.Lock` acquire + release, per pair; `queue.Queue` put + get between two threads, per item; the bare loop they run in | |
//! | `recording_overhead` | a CPU-bound 2-thread script, whole run, with and without `--stats-json`, `--trace` or `--timeline`; and a loop of GIL-releasing native calls (3 events per call), per call | < 10 % |
//! | `eval_breaker` | a single-threaded loop with the eval breaker checked at CPython 3.10+'s places vs before every instruction, per loop iteration | |
//!
//! Where two variants are compared (`native_call`, `recording_overhead`, `eval_breaker`), a paired
//! run after the group alternates them and prints the median ratio and difference: load on a
//! shared machine drifts between benchmarks more than the differences measured.
//!
//! Script benchmarks time themselves (`time.perf_counter_ns()` around the loop, handed to
//! criterion through `iter_custom`), so interpreter start-up and compilation are not counted.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use gilsim::gil::Gil;
use gilsim::observe::Reports;
use gilsim::vm::Config;

mod common;

/// Runs `source` with `argv[1] = n` (see [`common::run`]).
fn run(name: &str, source: &str, n: u64, config: Config) -> String {
    common::run(name, source, &[n.to_string()], config)
}

/// Runs a self-timing script of `n` rounds (see [`common::self_timed`]).
fn self_timed(name: &str, source: &str, n: u64, config: Config) -> Duration {
    common::self_timed(name, source, &[n.to_string()], config)
}

/// `total / n` in seconds (a `Duration` would round to whole nanoseconds).
fn per(total: Duration, n: u64) -> f64 {
    total.as_secs_f64() / n as f64
}

/// Runs `a` and `b` (each returning seconds) alternately `pairs` times and prints the medians of each, of `b / a` and of
/// `b - a` per pair: on a machine shared with other work, load drifts between criterion's
/// benchmarks, and only a paired comparison shows a difference of a few percent.
fn paired(label: &str, pairs: usize, mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) {
    let (mut xs, mut ys, mut ratios, mut diffs) = (vec![], vec![], vec![], vec![]);
    for _ in 0..pairs {
        let (x, y) = (a(), b());
        xs.push(x);
        ys.push(y);
        ratios.push(y / x);
        diffs.push(y - x);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let show = |s: f64| {
        let a = s.abs();
        if a < 1e-6 {
            format!("{:.1}ns", a * 1e9)
        } else if a < 1e-3 {
            format!("{:.2}us", a * 1e6)
        } else {
            format!("{:.2}ms", a * 1e3)
        }
    };
    let diff = median(&mut diffs);
    println!(
        "{label}: {pairs} pairs, medians {} vs {}, ratio {:.3}, difference {}{}",
        show(median(&mut xs)),
        show(median(&mut ys)),
        median(&mut ratios),
        if diff < 0.0 { "-" } else { "" },
        show(diff),
    );
}

// ---------------------------------------------------------------------------------------------
// (a) Uncontended release + reacquire.

fn bench_uncontended(c: &mut Criterion) {
    let mut group = c.benchmark_group("gil_uncontended");
    group.sample_size(30);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(2));
    let gil = Gil::default();
    gil.take_gil(1);
    group.bench_function("drop_take", |b| {
        b.iter(|| {
            gil.drop_gil(black_box(1), false);
            gil.take_gil(black_box(1))
        })
    });
    gil.drop_gil(1, false);
    group.finish();
}

const NATIVE_CALL: &str = "\
import sys
import time
import native

def loop(f, n):
    for _ in range(n):
        f(1)

f = native.FUNC
loop(f, 100)
n = int(sys.argv[1])
t0 = time.perf_counter_ns()
loop(f, n)
print(time.perf_counter_ns() - t0)
";

fn bench_native_call(c: &mut Criterion) {
    let mut group = c.benchmark_group("native_call");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (id, func) in [("releasing", "crunch"), ("holding", "crunch_holding_gil")] {
        let source = NATIVE_CALL.replace("FUNC", func);
        group.bench_function(id, |b| {
            b.iter_custom(|n| self_timed(id, &source, n, Config::default()))
        });
    }
    group.finish();
    let (releasing, holding) = (
        NATIVE_CALL.replace("FUNC", "crunch"),
        NATIVE_CALL.replace("FUNC", "crunch_holding_gil"),
    );
    const CALLS: u64 = 200_000;
    let per_call = |source: &str| {
        per(
            self_timed("native_call", source, CALLS, Config::default()),
            CALLS,
        )
    };
    paired(
        "native_call per call, holding vs releasing (difference = release + reacquire)",
        21,
        || per_call(&holding),
        || per_call(&releasing),
    );
}

// ---------------------------------------------------------------------------------------------
// (b) Hand-off latency when a drop request is honoured.

/// A thread holding the GIL and spinning, as the eval loop does, until it sees a drop request;
/// it then drops the GIL (forced, so it waits for the requester to take it) and competes for it
/// again. `turns` counts its acquisitions.
struct Holder {
    gil: Arc<Gil>,
    stop: Arc<AtomicBool>,
    turns: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const HOLDER: u64 = 1;
const WAITER: u64 = 2;

impl Holder {
    fn start(interval: Duration) -> Holder {
        let gil = Arc::new(Gil::new(interval));
        let stop = Arc::new(AtomicBool::new(false));
        let turns = Arc::new(AtomicU64::new(0));
        let thread = {
            let (gil, stop, turns) = (gil.clone(), stop.clone(), turns.clone());
            std::thread::spawn(move || {
                gil.take_gil(HOLDER);
                turns.fetch_add(1, Ordering::SeqCst);
                loop {
                    while !gil.drop_requested() {
                        if stop.load(Ordering::Relaxed) {
                            gil.drop_gil(HOLDER, false);
                            return;
                        }
                        std::hint::spin_loop();
                    }
                    gil.drop_gil(HOLDER, true);
                    gil.take_gil(HOLDER);
                    turns.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        let h = Holder {
            gil,
            stop,
            turns,
            thread: Some(thread),
        };
        while h.turns.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        h
    }

    /// One hand-off: take the GIL from the spinning holder, give it back. Returns the time from
    /// this thread's first timed-out wait (the drop request) to holding the GIL.
    fn handoff(&self) -> Duration {
        let before = self.turns.load(Ordering::SeqCst);
        let mut requested: Option<Instant> = None;
        self.gil.take_gil_observed(WAITER, false, &mut |_| {
            requested.get_or_insert_with(Instant::now);
        });
        let held = Instant::now();
        self.gil.drop_gil(WAITER, false);
        // The next hand-off must find the GIL held again.
        while self.turns.load(Ordering::SeqCst) == before {
            std::hint::spin_loop();
        }
        held - requested.expect("the waiter never had to ask for the GIL")
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

fn bench_handoff(c: &mut Criterion) {
    let mut group = c.benchmark_group("gil_handoff");
    // Each hand-off takes an interval (1 ms) of wall time, plus the latency measured.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(4));
    let holder = Holder::start(Duration::from_millis(1));
    let mut all: Vec<Duration> = vec![];
    // A sample is a batch of hand-offs; it reports the batch's median, times the batch size, so
    // criterion's figures are of medians. On a loaded machine a few hand-offs wait for a core
    // for milliseconds (the spinning holder or the woken waiter descheduled), and a mean would
    // be theirs: the tail is in the summary printed after the group.
    group.bench_function("beyond_interval_median", |b| {
        b.iter_custom(|n| {
            let mut batch: Vec<Duration> = (0..n).map(|_| holder.handoff()).collect();
            all.extend_from_slice(&batch);
            batch.sort_unstable();
            batch[batch.len() / 2] * n as u32
        })
    });
    group.finish();
    drop(holder);
    if all.is_empty() {
        return; // filtered out by the command line
    }
    all.sort_unstable();
    let q = |p: f64| all[((p * all.len() as f64) as usize).min(all.len() - 1)];
    println!(
        "gil_handoff: {} single hand-offs beyond the interval: p50 {:.1?}, p90 {:.1?}, p99 {:.1?}, max {:.1?}",
        all.len(),
        q(0.5),
        q(0.9),
        q(0.99),
        all[all.len() - 1]
    );
}

// ---------------------------------------------------------------------------------------------
// (c), (d) threading.Lock and queue.Queue.

const LOOP_BASELINE: &str = "\
import sys
import time

def loop(n):
    for _ in range(n):
        pass

n = int(sys.argv[1])
t0 = time.perf_counter_ns()
loop(n)
print(time.perf_counter_ns() - t0)
";

const LOCK: &str = "\
import sys
import threading
import time

def loop(lock, n):
    for _ in range(n):
        lock.acquire()
        lock.release()

lock = threading.Lock()
loop(lock, 100)
n = int(sys.argv[1])
t0 = time.perf_counter_ns()
loop(lock, n)
print(time.perf_counter_ns() - t0)
";

const QUEUE: &str = "\
import sys
import threading
import time
import queue

def produce(q, n):
    for i in range(n):
        q.put(i)

def consume(q, n):
    for _ in range(n):
        q.get()

n = int(sys.argv[1])
q = queue.Queue()
t0 = time.perf_counter_ns()
producer = threading.Thread(target=produce, args=(q, n))
producer.start()
consume(q, n)
producer.join()
print(time.perf_counter_ns() - t0)
";

fn bench_threading(c: &mut Criterion) {
    let mut group = c.benchmark_group("threading");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (id, source) in [
        ("loop_baseline", LOOP_BASELINE),
        ("lock_acquire_release", LOCK),
        ("queue_put_get", QUEUE),
    ] {
        group.bench_function(id, |b| {
            b.iter_custom(|n| self_timed(id, source, n, Config::default()))
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// (e) The cost of recording events for --stats-json and --trace.

/// examples/f1_cpu_threads.py's threaded half, shorter: two threads counting down.
const CPU_THREADS: &str = "\
import sys
import threading

def count(n):
    while n > 0:
        n -= 1

n = int(sys.argv[1])
threads = [threading.Thread(target=count, args=(n,)) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
";

/// A config that records events for one report: `--stats-json`, `--trace` or `--timeline`
/// to `path`.
fn recording(report: &str, path: &std::path::Path) -> Config {
    let path = Some(path.to_path_buf());
    let reports = match report {
        "stats_json" => Reports {
            stats_json: path,
            ..Reports::default()
        },
        "trace" => Reports {
            trace: path,
            ..Reports::default()
        },
        "timeline" => Reports {
            timeline: path,
            ..Reports::default()
        },
        other => unreachable!("no report {other}"),
    };
    Config {
        reports,
        ..Config::default()
    }
}

fn bench_recording_overhead(c: &mut Criterion) {
    let path =
        std::env::temp_dir().join(format!("gilsim_bench_report_{}.json", std::process::id()));
    let mut group = c.benchmark_group("recording_overhead");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));
    // Whole runs (start-up, the threads, folding and writing the report), ~30 ms each.
    const N: u64 = 150_000;
    group.bench_function("cpu_threads_off", |b| {
        b.iter(|| run("cpu_threads", CPU_THREADS, N, Config::default()))
    });
    for report in ["stats_json", "trace", "timeline"] {
        group.bench_function(format!("cpu_threads_{report}"), |b| {
            b.iter(|| run("cpu_threads", CPU_THREADS, N, recording(report, &path)))
        });
    }
    // The worst case: a GIL transition every few bytecodes (3 events per native call).
    let source = NATIVE_CALL.replace("FUNC", "crunch");
    group.sampling_mode(SamplingMode::Auto);
    group.bench_function("native_calls_off", |b| {
        b.iter_custom(|n| self_timed("native_calls", &source, n, Config::default()))
    });
    for report in ["stats_json", "trace", "timeline"] {
        group.bench_function(format!("native_calls_{report}"), |b| {
            b.iter_custom(|n| self_timed("native_calls", &source, n, recording(report, &path)))
        });
    }
    group.finish();
    // The paired whole runs are 4x longer (~120 ms, 24 forced switches at 5 ms): a report's
    // fixed cost (folding, writing the file) then weighs as it does in a real run.
    let wall = |config: Config| {
        let t0 = Instant::now();
        run("cpu_threads", CPU_THREADS, 4 * N, config);
        t0.elapsed().as_secs_f64()
    };
    for report in ["stats_json", "trace", "timeline"] {
        paired(
            &format!("recording_overhead cpu_threads whole run, off vs --{report}"),
            21,
            || wall(Config::default()),
            || wall(recording(report, &path)),
        );
    }
    let _ = std::fs::remove_file(&path);
}

// ---------------------------------------------------------------------------------------------
// (f) Checking the eval breaker before every instruction.

const SPIN: &str = "\
import sys
import time

def spin(n):
    i = 0
    acc = 0
    while i < n:
        acc = (acc + i * 7 + (i % 13)) % 1000003
        i += 1
    return acc

spin(100)
n = int(sys.argv[1])
t0 = time.perf_counter_ns()
spin(n)
print(time.perf_counter_ns() - t0)
";

fn bench_eval_breaker(c: &mut Criterion) {
    let mut group = c.benchmark_group("eval_breaker");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (id, every) in [("cpython_places", false), ("every_instruction", true)] {
        group.bench_function(id, |b| {
            b.iter_custom(|n| {
                let config = Config {
                    check_every_instruction: every,
                    ..Config::default()
                };
                self_timed(id, SPIN, n, config)
            })
        });
    }
    group.finish();
    const ROUNDS: u64 = 300_000;
    let per_round = |every: bool| {
        let config = Config {
            check_every_instruction: every,
            ..Config::default()
        };
        per(self_timed("spin", SPIN, ROUNDS, config), ROUNDS)
    };
    paired(
        "eval_breaker per loop iteration, cpython places vs every instruction",
        21,
        || per_round(false),
        || per_round(true),
    );
}

fn config() -> Criterion {
    Criterion::default().nresamples(20_000).without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_uncontended, bench_native_call, bench_handoff, bench_threading,
        bench_recording_overhead, bench_eval_breaker
}
criterion_main!(benches);
