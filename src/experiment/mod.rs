//! `gilsim experiment`: the GIL phenomena of FIDELITY.md (F1-F8) as built-in, parameterised
//! measurements, so a sweep (threads x switch interval x repeats) is one command instead of a
//! shell loop, and CPython can be measured beside gilsim on the same script.
//!
//! Each experiment is one entry of [`EXPERIMENTS`]: the example script it bundles (the very
//! file under `examples/`, via `include_str!`, so the example and the experiment cannot drift
//! apart), the figures the script reports on its `RESULT key=value ...` line, CPython's figures
//! from FIDELITY.md for orientation, and its default sweep. The rest of the module only reads
//! that table: [`sweep`] turns axes and values into points, [`runner`] runs one point once in a
//! child process, [`report`] folds repeated runs into medians and prints or writes them,
//! [`plot`] draws them, and [`command`] is the CLI that ties these together.

pub mod command;
pub mod plot;
pub mod report;
pub mod runner;
pub mod sweep;

use std::time::Duration;

use sweep::{Axis, Level};

/// One figure an experiment's script reports, e.g. a time ratio or a latency.
#[derive(Debug)]
pub struct Figure {
    /// The key on the script's `RESULT` line.
    pub key: &'static str,
    /// What the number is, with its unit, for table rows and chart axes.
    pub label: &'static str,
    /// CPython 3.11's figure from FIDELITY.md, with the conditions it was measured under.
    pub cpython: &'static str,
    /// The band FIDELITY.md asks gilsim to land in (at its default settings).
    pub band: &'static str,
}

/// A built-in experiment: one phenomenon, one bundled script, its figures and default sweep.
#[derive(Debug)]
pub struct Experiment {
    /// The name on the command line.
    pub name: &'static str,
    /// Its number in FIDELITY.md (`F1` ...).
    pub phenomenon: &'static str,
    /// The phenomenon in a few words.
    pub summary: &'static str,
    /// What the threads axis counts in this experiment's script (threads, processes, pool
    /// workers), for chart labels and `list`.
    pub threads_mean: &'static str,
    /// The example the script comes from (and the name it runs under).
    pub script_name: &'static str,
    /// The script's text.
    pub script: &'static str,
    /// The work size passed as the script's first argument: small enough that the default
    /// sweep of every experiment, repeated, takes a minute or two (the examples' own defaults,
    /// used when they run bare, are larger).
    pub size: u64,
    /// What the size counts, for `gilsim experiment list`.
    pub size_meaning: &'static str,
    /// The default values of each axis the experiment has; the axes it has are exactly the
    /// axes that appear here.
    pub defaults: &'static [Level],
    /// The figures on its `RESULT` line.
    pub figures: &'static [Figure],
}

impl Experiment {
    /// The axes this experiment can be swept over, in [`Axis::ALL`] order.
    pub fn axes(&self) -> Vec<Axis> {
        Axis::ALL
            .into_iter()
            .filter(|&a| self.defaults.iter().any(|l| l.axis() == a))
            .collect()
    }

    /// The default values on `axis`.
    pub fn default_levels(&self, axis: Axis) -> Vec<Level> {
        self.defaults
            .iter()
            .copied()
            .filter(|l| l.axis() == axis)
            .collect()
    }
}

const fn ms(micros: u64) -> Level {
    Level::Interval(Duration::from_micros(micros))
}

const fn threads(n: u32) -> Level {
    Level::Threads(n)
}

/// A time ratio: the concurrent run's wall time over the sequential run's.
const fn ratio(cpython: &'static str, band: &'static str) -> Figure {
    Figure {
        key: "ratio",
        label: "time ratio (concurrent / sequential)",
        cpython,
        band,
    }
}

/// Every built-in experiment, in FIDELITY.md's order. The one place each is defined.
pub static EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: "cpu-threads",
        phenomenon: "F1",
        summary: "CPU-bound threads gain nothing",
        threads_mean: "threads",
        script_name: "f1_cpu_threads.py",
        script: include_str!("../../examples/f1_cpu_threads.py"),
        size: 500_000,
        size_meaning: "count(n) per thread",
        defaults: &[
            threads(1),
            threads(2),
            threads(4),
            threads(8),
            ms(1000),
            ms(5000),
            ms(20000),
        ],
        figures: &[ratio("0.97-1.02 (2 threads)", "0.85-1.3")],
    },
    Experiment {
        name: "io-threads",
        phenomenon: "F2",
        summary: "blocking I/O overlaps",
        threads_mean: "threads",
        script_name: "f2_io_threads.py",
        script: include_str!("../../examples/f2_io_threads.py"),
        size: 5,
        size_meaning: "20 ms sleeps per thread",
        defaults: &[threads(1), threads(2), threads(4), threads(8)],
        figures: &[ratio("0.128 (8 threads)", "<= 0.2 (8 threads)")],
    },
    Experiment {
        name: "native-release",
        phenomenon: "F3",
        summary: "native code without the GIL runs in parallel",
        threads_mean: "threads",
        script_name: "f3_hashlib.py",
        script: include_str!("../../examples/f3_hashlib.py"),
        size: 4,
        size_meaning: "sha256 rounds of 8 MiB per thread",
        defaults: &[threads(1), threads(2), threads(4)],
        figures: &[ratio("0.49-0.52 (2 threads)", "<= 0.65 (2 threads)")],
    },
    Experiment {
        name: "processes",
        phenomenon: "F4",
        summary: "processes scale with the cores",
        threads_mean: "processes",
        script_name: "f4_processes.py",
        script: include_str!("../../examples/f4_processes.py"),
        size: 3_000_000,
        size_meaning: "count(n) per process",
        defaults: &[threads(1), threads(2), threads(4)],
        figures: &[ratio("0.53-0.58 (2 procs, n=6M)", "<= 0.65 (2 procs)")],
    },
    Experiment {
        name: "convoy",
        phenomenon: "F5",
        summary: "the convoy effect",
        threads_mean: "threads",
        script_name: "f5_convoy.py",
        script: include_str!("../../examples/f5_convoy.py"),
        size: 40,
        size_meaning: "time.sleep(0) calls",
        defaults: &[ms(1000), ms(5000), ms(20000)],
        figures: &[Figure {
            key: "per_call_ms",
            label: "time per sleep(0) call beside a spinner (ms)",
            cpython: "5.1 ms (at 5ms)",
            band: "3.5-7 ms (at 5ms)",
        }],
    },
    Experiment {
        name: "switch-latency",
        phenomenon: "F6",
        summary: "wake-up latency is the switch interval",
        threads_mean: "threads",
        script_name: "f6_switch_latency.py",
        script: include_str!("../../examples/f6_switch_latency.py"),
        size: 15,
        size_meaning: "2 ms sleeps sampled",
        defaults: &[ms(1000), ms(5000), ms(20000)],
        figures: &[Figure {
            key: "extra_ms",
            label: "median wake-up delay beyond 2 ms (ms)",
            cpython: "1.22/5.25/20.26 @1/5/20ms",
            band: "interval +-30% +0.5ms",
        }],
    },
    Experiment {
        name: "race",
        phenomenon: "F7",
        summary: "read-modify-write is not atomic",
        threads_mean: "threads",
        script_name: "f7_lost_updates.py",
        script: include_str!("../../examples/f7_lost_updates.py"),
        size: 100_000,
        size_meaning: "updates per thread",
        defaults: &[threads(4), ms(100), ms(1000), ms(5000)],
        figures: &[
            Figure {
                key: "lost_plain_pct",
                label: "updates lost with `counter += 1` (%)",
                cpython: "0 (4 threads, 0.1ms)",
                band: "0",
            },
            Figure {
                key: "lost_call_pct",
                label: "updates lost with `counter = counter + one()` (%)",
                cpython: "> 0 (4 threads, 0.1ms)",
                band: "> 0",
            },
        ],
    },
    Experiment {
        name: "pools",
        phenomenon: "F8",
        summary: "thread pool vs process pool",
        threads_mean: "workers",
        script_name: "f8_pools.py",
        script: include_str!("../../examples/f8_pools.py"),
        size: 1_000_000,
        size_meaning: "count(n) per item, 8 items",
        defaults: &[threads(2)],
        figures: &[
            Figure {
                key: "thread_pool",
                label: "thread pool time ratio (pool / list comprehension)",
                cpython: "0.96-0.97 (2 workers)",
                band: "0.85-1.3",
            },
            Figure {
                key: "process_pool",
                label: "process pool time ratio (pool / list comprehension)",
                cpython: "0.50-0.60 (2 workers)",
                band: "<= 0.7",
            },
        ],
    },
];

/// The experiment called `name`.
pub fn find(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}

/// The experiments a command-line selection names: `all`, one name, or names separated by
/// commas. An unknown name is an error that lists the known ones.
pub fn select(selection: &str) -> Result<Vec<&'static Experiment>, String> {
    if selection == "all" {
        return Ok(EXPERIMENTS.iter().collect());
    }
    let mut chosen: Vec<&'static Experiment> = Vec::new();
    for name in selection.split(',').map(str::trim) {
        let e = find(name).ok_or_else(|| {
            let known: Vec<&str> = EXPERIMENTS.iter().map(|e| e.name).collect();
            format!(
                "no experiment called {name:?}; try one of: {}, all (or `gilsim experiment list`)",
                known.join(", ")
            )
        })?;
        if !chosen.iter().any(|c| c.name == e.name) {
            chosen.push(e);
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_consistent() {
        for (i, e) in EXPERIMENTS.iter().enumerate() {
            assert_eq!(e.phenomenon, format!("F{}", i + 1), "{}", e.name);
            assert!(!e.figures.is_empty(), "{}", e.name);
            for f in e.figures {
                assert!(
                    e.script.contains(&format!("{}=", f.key)),
                    "{}'s script never prints RESULT {}=",
                    e.name,
                    f.key
                );
            }
            for axis in e.axes() {
                assert!(
                    e.script.contains(axis.option()),
                    "{}'s script does not read {}",
                    e.name,
                    axis.option()
                );
            }
            assert!(e.script.contains("RESULT"), "{}", e.name);
        }
    }

    #[test]
    fn selections() {
        assert_eq!(select("all").unwrap().len(), EXPERIMENTS.len());
        let two = select("race, convoy,race").unwrap();
        assert_eq!(
            two.iter().map(|e| e.name).collect::<Vec<_>>(),
            ["race", "convoy"]
        );
        let err = select("nope").unwrap_err();
        assert!(
            err.contains("cpu-threads") && err.contains("\"nope\""),
            "{err}"
        );
    }
}
