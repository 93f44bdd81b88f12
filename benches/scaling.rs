//! Scaling benchmarks: how the cost of thread start, lock hand-off and queue throughput grows
//! from 2 to 1,000 threads (issue "gilsim 6/6", Load). Run with `cargo bench --bench scaling`
//! (about two minutes).
//!
//! | group | measures, at 2, 10, 100 and 1,000 threads | script |
//! |---|---|---|
//! | `scaling_thread_start` | `Thread(target=noop).start()` for all N, then every `join()`, per thread | `thread_start.py` |
//! | `scaling_lock_handoff` | a token passed round a ring of N threads, each blocked in its own `Lock.acquire()` until the one before releases it, per hand-off | `lock_ring.py` |
//! | `scaling_queue_throughput` | N/2 producers and N/2 consumers through one `queue.Queue`, per item | `queue_throughput.py` |
//!
//! Each criterion iteration is one unit (a thread, a hand-off, an item), so the reported time is
//! the cost per unit at that thread count. The scripts (in `benches/workloads/scaling/`) time
//! themselves and run whole rounds of N threads: they print the nanoseconds and the units done,
//! which may be more than criterion asked for (1,000 threads start 1,000 at a time, and every
//! run does at least 10 units per thread, 2,000 at least, for hand-offs and items), and the
//! time handed back is scaled to the units asked for. Interpreter start-up and the first,
//! untimed round are not counted. After each group a line per thread count gives the median
//! cost per unit over every run of the group and its growth from 2 threads, with the load
//! average: the machine this project runs on has 2 cores shared with other work.
//!
//! `benches/compare_scaling.py` runs the same scripts under gilsim and CPython side by side.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use gilsim::vm::Config;

mod common;

/// The thread counts each group measures.
const THREADS: [u64; 4] = [2, 10, 100, 1000];

const THREAD_START: &str = include_str!("workloads/scaling/thread_start.py");
const LOCK_RING: &str = include_str!("workloads/scaling/lock_ring.py");
const QUEUE_THROUGHPUT: &str = include_str!("workloads/scaling/queue_throughput.py");

/// Runs a scaling script at `threads` for at least `units` units and returns the seconds per
/// unit it measured (it prints `NANOSECONDS UNITS`).
fn per_unit(name: &str, source: &str, threads: u64, units: u64) -> f64 {
    let args = [threads.to_string(), units.max(1).to_string()];
    let out = common::run(name, source, &args, Config::default());
    let parsed: Option<Vec<f64>> = out
        .lines()
        .last()
        .map(|l| l.split_whitespace().map(|x| x.parse().ok()).collect())
        .unwrap_or(None);
    match parsed.as_deref() {
        Some(&[ns, done]) if done > 0.0 => ns / 1e9 / done,
        _ => panic!("{name} printed no `NANOSECONDS UNITS` line: {out:?}"),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn show(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.2}us", s * 1e6)
    } else {
        format!("{:.2}ms", s * 1e3)
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// One group: the script at each thread count, then the growth summary. Each run does at least
/// `floor(threads)` units, so that a run's fixed costs (waking the threads at the start, their
/// exits and joins at the end) do not swamp the steady state: without a floor, criterion's
/// warm-up sees those costs as a slow iteration, asks for a handful of units, and measures
/// little else.
fn scaling_group(
    c: &mut Criterion,
    group_name: &str,
    unit: &str,
    (name, source): (&str, &str),
    floor: impl Fn(u64) -> u64,
) {
    let seen: RefCell<BTreeMap<u64, Vec<f64>>> = RefCell::default();
    let before = loadavg();
    let mut group = c.benchmark_group(group_name);
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(3));
    for threads in THREADS {
        group.bench_with_input(BenchmarkId::from_parameter(threads), &threads, |b, &t| {
            b.iter_custom(|n| {
                let s = per_unit(name, source, t, n.max(floor(t)));
                seen.borrow_mut().entry(t).or_default().push(s);
                Duration::from_secs_f64(s * n as f64)
            })
        });
    }
    group.finish();
    let mut seen = seen.into_inner();
    let base = seen.get_mut(&THREADS[0]).map(|v| median(v));
    for (threads, runs) in &mut seen {
        let m = median(runs);
        let growth = base.map_or(String::new(), |b| format!(", x{:.2} of 2 threads", m / b));
        println!(
            "{group_name}/{threads}: median {} per {unit} over {} runs{growth}",
            show(m),
            runs.len()
        );
    }
    println!("{group_name}: load average {before} -> {}", loadavg());
}

fn bench_thread_start(c: &mut Criterion) {
    scaling_group(
        c,
        "scaling_thread_start",
        "thread",
        ("thread_start.py", THREAD_START),
        |threads| threads.max(200),
    );
}

fn bench_lock_handoff(c: &mut Criterion) {
    scaling_group(
        c,
        "scaling_lock_handoff",
        "hand-off",
        ("lock_ring.py", LOCK_RING),
        |threads| (10 * threads).max(2000),
    );
}

fn bench_queue_throughput(c: &mut Criterion) {
    scaling_group(
        c,
        "scaling_queue_throughput",
        "item",
        ("queue_throughput.py", QUEUE_THROUGHPUT),
        |threads| (10 * threads).max(2000),
    );
}

fn config() -> Criterion {
    Criterion::default().nresamples(20_000).without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_thread_start, bench_lock_handoff, bench_queue_throughput
}
criterion_main!(benches);
