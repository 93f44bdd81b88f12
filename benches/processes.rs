//! Process-mode benchmarks: what starting a child interpreter, a pool round trip, a process
//! pool's speed-up and the pool's work-stealing task board cost or buy. Run with
//! `cargo bench --bench processes` (a few minutes).
//!
//! | group | measures | goal |
//! |---|---|---|
//! | `process_start_join` | `Process(target=noop).start(); join()` with the interp and os backends, per process | interp < 0.5 ms, os < 10 ms (CPython fork 1.7 ms, forkserver 4.4 ms, spawn 42 ms) |
//! | `pool_round_trip` | `Pool(2).apply_async(f, (x,)).get()`, per round trip | < 50 us (CPython 235 us) |
//! | `executor_per_task` | `ThreadPoolExecutor(4).submit(noop, i)` then every `result()`, per task | < 5 us (CPython 9.1 us) |
//! | `pool_map_f8` | 8 x `count(n)` as a list comprehension vs `Pool(2).map`, per map; the paired run after the group prints the median ratio at F8's size | <= 0.55 on 2 free cores (CPython 0.50 to 0.60) |
//! | `task_board` | `Pool(2).map(..., chunksize=1)` over uneven tasks (a few big then many tiny, many tiny then a few big, many tiny only), with the default work-stealing board and with `stealing=False` (one shared FIFO, as CPython's task queue); paired runs print the median ratio per workload | |
//!
//! The scripts time themselves (`time.perf_counter_ns()` around the measured loop, handed to
//! criterion through `iter_custom`): interpreter start-up, compilation and pool start-up are
//! not counted; the pools' workers are running before the clock starts. On this project's 2-core machine other work often runs at
//! the same time; the load average is printed with the paired results.
//!
//! `benches/compare_processes.py` runs the first two against CPython (fork, forkserver, spawn).

use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use gilsim::vm::Config;

mod common;

/// Runs a script with default settings (see [`common::run`]).
fn run(name: &str, source: &str, args: &[String]) -> String {
    common::run(name, source, args, Config::default())
}

/// Runs a self-timing script with default settings (see [`common::self_timed`]).
fn self_timed(name: &str, source: &str, args: &[String]) -> Duration {
    common::self_timed(name, source, args, Config::default())
}

fn args(list: &[&dyn ToString]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn show(s: f64) -> String {
    let a = s.abs();
    if a < 1e-3 {
        format!("{:.1}us", a * 1e6)
    } else {
        format!("{:.2}ms", a * 1e3)
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Runs `a` and `b` (each returning seconds) alternately `pairs` times and prints the medians of
/// each and of `b / a` per pair, with the load average before and after.
fn paired(label: &str, pairs: usize, mut a: impl FnMut() -> f64, mut b: impl FnMut() -> f64) {
    let before = loadavg();
    let (mut xs, mut ys, mut ratios) = (vec![], vec![], vec![]);
    for _ in 0..pairs {
        let (x, y) = (a(), b());
        xs.push(x);
        ys.push(y);
        ratios.push(y / x);
    }
    println!(
        "{label}: {pairs} pairs, medians {} vs {}, ratio {:.3} (load average {before} -> {})",
        show(median(&mut xs)),
        show(median(&mut ys)),
        median(&mut ratios),
        loadavg(),
    );
}

// ---------------------------------------------------------------------------------------------
// (a) Process start + join.

const START_JOIN: &str = include_str!("workloads/processes/start_join.py");

fn bench_start_join(c: &mut Criterion) {
    let mut group = c.benchmark_group("process_start_join");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("interp_noop", |b| {
        b.iter_custom(|n| self_timed("start_join.py", START_JOIN, &args(&[&n])))
    });
    let os = Config {
        process_backend: gilsim::process::ProcessBackend::Os,
        ..Config::default()
    };
    group.bench_function("os_noop", |b| {
        b.iter_custom(|n| common::self_timed("start_join.py", START_JOIN, &args(&[&n]), os.clone()))
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// (b) Pool round trip.

const APPLY_ASYNC: &str = include_str!("workloads/processes/apply_async.py");

fn bench_round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("pool_round_trip");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("apply_async_get", |b| {
        b.iter_custom(|n| self_timed("apply_async.py", APPLY_ASYNC, &args(&[&n])))
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// (b') ThreadPoolExecutor per-task overhead.

const EXECUTOR_TASK: &str = include_str!("workloads/processes/executor_task.py");

fn bench_executor_task(c: &mut Criterion) {
    let mut group = c.benchmark_group("executor_per_task");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("thread_pool_submit_result", |b| {
        b.iter_custom(|n| self_timed("executor_task.py", EXECUTOR_TASK, &args(&[&n])))
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// (c) F8: Pool(2).map vs a list comprehension on CPU-bound items.

const F8_MAP: &str = include_str!("workloads/processes/f8_map.py");

fn bench_pool_map(c: &mut Criterion) {
    const SIZE: u64 = 100_000;
    let mut group = c.benchmark_group("pool_map_f8");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));
    for (id, mode) in [("sequential_8_items", "seq"), ("pool2_map_8_items", "pool")] {
        group.bench_function(id, |b| {
            b.iter_custom(|n| self_timed("f8_map.py", F8_MAP, &args(&[&n, &mode, &SIZE])))
        });
    }
    group.finish();
    // F8's size: 8 x count(1_000_000). Sequential and pool maps alternate inside each run.
    let before = loadavg();
    let (mut seqs, mut pools, mut ratios) = (vec![], vec![], vec![]);
    for _ in 0..7 {
        let out = run("f8_map.py", F8_MAP, &args(&[&1, &"both", &1_000_000]));
        let t: Vec<f64> = out
            .split_whitespace()
            .map(|x| x.parse::<f64>().unwrap() / 1e9)
            .collect();
        seqs.push(t[0]);
        pools.push(t[1]);
        ratios.push(t[1] / t[0]);
    }
    println!(
        "pool_map_f8 8 x count(1_000_000): 7 runs, medians sequential {} vs Pool(2).map {}, \
         ratio {:.3} (goal <= 0.55; load average {before} -> {})",
        show(median(&mut seqs)),
        show(median(&mut pools)),
        median(&mut ratios),
        loadavg(),
    );
}

// ---------------------------------------------------------------------------------------------
// (d) The work-stealing board vs one shared FIFO on uneven tasks.

/// `argv`: n (maps to time), the board (`steal` or `fifo`), the workload. Prints the time of n
/// maps, each `Pool(2).map(count, items, chunksize=1)`.
const UNEVEN: &str = "\
import multiprocessing
import multiprocessing.pool
import _multiprocessing
import sys
import time

BIG = 150_000
TINY = 50

def count(n):
    while n > 0:
        n -= 1
    return n

def meet(barrier):
    barrier.wait()

class FifoPool(multiprocessing.pool.Pool):
    # One shared FIFO behind a lock, as CPython's pool task queue.
    def _setup_queues(self):
        self._board = _multiprocessing.TaskBoard(self._processes, stealing=False)
        self._results = _multiprocessing.Channel(0)

WORKLOADS = {
    'big_first': [BIG] * 3 + [TINY] * 300,
    'big_last': [TINY] * 300 + [BIG] * 3,
    'tiny_only': [TINY] * 1000,
}

if __name__ == '__main__':
    n, board, workload = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    items = WORKLOADS[workload]
    cls = FifoPool if board == 'fifo' else multiprocessing.Pool
    with cls(2) as pool:
        barrier = multiprocessing.Barrier(2)
        pool.map(meet, [barrier, barrier], chunksize=1)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            pool.map(count, items, chunksize=1)
        print(time.perf_counter_ns() - t0)
";

const WORKLOADS: [&str; 3] = ["big_first", "big_last", "tiny_only"];

fn bench_task_board(c: &mut Criterion) {
    let mut group = c.benchmark_group("task_board");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(2));
    for workload in WORKLOADS {
        for board in ["steal", "fifo"] {
            group.bench_function(format!("{workload}/{board}"), |b| {
                b.iter_custom(|n| self_timed("uneven.py", UNEVEN, &args(&[&n, &board, &workload])))
            });
        }
    }
    group.finish();
    const MAPS: u64 = 4;
    let per_map = |board: &str, workload: &str| {
        self_timed("uneven.py", UNEVEN, &args(&[&MAPS, &board, &workload])).as_secs_f64()
            / MAPS as f64
    };
    for workload in WORKLOADS {
        paired(
            &format!("task_board {workload} per map, stealing vs fifo"),
            11,
            || per_map("steal", workload),
            || per_map("fifo", workload),
        );
    }
}

fn config() -> Criterion {
    Criterion::default().nresamples(20_000).without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_start_join, bench_round_trip, bench_executor_task, bench_pool_map,
        bench_task_board
}
criterion_main!(benches);
