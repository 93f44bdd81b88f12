//! In-process criterion benchmarks: small scripts run end to end (parse,
//! compile, execute) through `gilsim::runtime::run_source`, with stdout
//! captured in a buffer. Run with `cargo bench --bench interpreter`.
//!
//! Cross-interpreter comparisons against CPython live in `benches/compare.py`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use gilsim::runtime::{Stdout, run_source};

const FIB: &str = "\
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

print(fib(20))
";

const WHILE_LOOP: &str = "\
def spin(limit):
    i = 0
    acc = 0
    while i < limit:
        acc = (acc + i * 7 + (i % 13)) % 1000003
        i += 1
    return acc

print(spin(200000))
";

const LIST_SORT: &str = "\
def main():
    data = [(i * 7919) % 10007 for i in range(20000)]
    squares = [v * v % 9973 for v in data if v % 2 == 0]
    data.sort()
    squares.sort(reverse=True)
    print(data[0], data[-1], squares[0], len(squares))

main()
";

/// Runs `source` as `__main__` and returns what it printed; panics if the
/// script exits non-zero so a broken interpreter cannot produce fast numbers.
fn run(name: &str, source: &str) -> Vec<u8> {
    let buf = Arc::new(parking_lot::Mutex::new(Vec::new()));
    let outcome = run_source(
        name,
        source,
        vec![name.to_string()],
        Stdout::Buffer(buf.clone()),
    );
    assert_eq!(
        outcome.exit_code, 0,
        "{name} exited with {}",
        outcome.exit_code
    );
    std::mem::take(&mut *buf.lock())
}

fn bench_scripts(c: &mut Criterion) {
    let scripts: [(&str, &str, &str); 3] = [
        ("fib20", FIB, "6765\n"),
        ("while_loop_200k", WHILE_LOOP, "79980\n"),
        ("listcomp_sort_20k", LIST_SORT, "0 10006 9972 9999\n"),
    ];
    let mut group = c.benchmark_group("interpreter");
    // Each iteration takes milliseconds to ~0.1 s: flat sampling keeps the
    // whole run to ~15 s without criterion's "unable to complete" warning.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (name, source, expected) in scripts {
        // Sanity-check once outside the timed loop.
        let out = run(name, source);
        assert_eq!(String::from_utf8_lossy(&out), expected, "{name} output");
        group.bench_function(name, |b| b.iter(|| run(name, black_box(source))));
    }
    group.finish();
}

fn config() -> Criterion {
    // Fewer bootstrap resamples and no plots keep `cargo bench` well under a
    // minute on a small machine; command-line flags still override these.
    Criterion::default().nresamples(20_000).without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_scripts
}
criterion_main!(benches);
