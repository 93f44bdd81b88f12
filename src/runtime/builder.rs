//! The Rust API for running scripts and reading what the GIL did: [`Runtime`] is configured
//! once (policy, switch interval, check rule) and runs a script source or file as many times
//! as asked, each run returning a [`RunReport`] (stdout, exit status, and the event log folded
//! into spans). This is what property tests drive: generate a workload
//! ([`crate::workload`]), run it, check an invariant on the spans.
//!
//! Not offered yet: a choice of process backend (it comes with the `os` backend; processes are
//! always child interpreters on threads of this OS process today).

use std::sync::Arc;
use std::time::Duration;

use crate::gil::PolicyInfo;
use crate::observe::stats::Stats;
use crate::observe::{ProcessSpans, Reports, State, ThreadSpans};
use crate::vm::Config;

use super::{Stdout, run_source_with};

/// A configured interpreter runtime: every run it makes uses the same settings. Cheap to
/// clone; runs made from clones (or from one value on several threads) are independent.
#[derive(Clone, Debug, Default)]
pub struct Runtime {
    config: Config,
}

impl Runtime {
    /// The default runtime (CPython's GIL, a 5 ms switch interval, checks at function entry
    /// and loop back edges), to be adjusted with the methods below.
    pub fn builder() -> Runtime {
        Runtime::default()
    }

    /// The GIL design, by its `--gil` name (one of [`crate::gil::POLICIES`]); an unknown name
    /// is an error listing the valid ones.
    pub fn gil(self, name: &str) -> Result<Runtime, String> {
        Ok(self.policy(crate::gil::policy(name)?))
    }

    /// The GIL design, as a registered policy.
    pub fn policy(mut self, policy: &'static PolicyInfo) -> Runtime {
        self.config.gil = policy;
        self
    }

    /// The switch interval the run starts with (`--switch-interval`; the script may change it
    /// with `sys.setswitchinterval`).
    pub fn switch_interval(mut self, interval: Duration) -> Runtime {
        self.config.switch_interval = interval;
        self
    }

    /// Check the eval breaker before every instruction (`--check every-instruction`, the
    /// pre-3.10 rule) instead of at function entry and loop back edges.
    pub fn check_every_instruction(mut self, every: bool) -> Runtime {
        self.config.check_every_instruction = every;
        self
    }

    /// The `legacy` policy's instructions between releases (`--check-interval`).
    pub fn check_interval(mut self, instructions: u32) -> Runtime {
        self.config.check_interval = instructions;
        self
    }

    /// The script's arguments, `sys.argv[1:]` (`sys.argv[0]` is the script's name).
    pub fn args<S: Into<String>>(mut self, args: impl IntoIterator<Item = S>) -> Runtime {
        self.config.argv = std::iter::once(String::new())
            .chain(args.into_iter().map(Into::into))
            .collect();
        self
    }

    /// `--deterministic --seed N`: the scheduler with virtual time instead of the lock; the
    /// same seed and settings replay the same run, spans included, scheduled by the policy's
    /// deterministic rule.
    pub fn deterministic(mut self, seed: u64) -> Runtime {
        self.config.deterministic = Some(seed);
        self
    }

    /// `--max-memory`: big allocations past `bytes` of heap raise `MemoryError`. The limit
    /// is the process's (every interpreter shares the heap) and stays set after the run.
    pub fn max_memory(mut self, bytes: usize) -> Runtime {
        self.config.max_memory = Some(bytes);
        self
    }

    /// Back to the real lock after [`Runtime::deterministic`].
    pub fn real_time(mut self) -> Runtime {
        self.config.deterministic = None;
        self
    }

    /// What a `multiprocessing` process is (`--process-backend`): a child interpreter in this
    /// OS process, or a child OS process running the gilsim binary (found beside this
    /// executable, or at `GILSIM_EXE`). A child OS process writes to this process's stdout
    /// directly, so its output is not in [`RunReport::stdout`].
    pub fn process_backend(mut self, backend: crate::process::ProcessBackend) -> Runtime {
        self.config.process_backend = backend;
        self
    }

    /// Reports to write as well, as the CLI's `--stats-json`, `--trace` and `--timeline`
    /// would (`stats` prints to this process's stderr).
    pub fn reports(mut self, reports: Reports) -> Runtime {
        self.config.reports = reports;
        self
    }

    /// What a run does when every thread is blocked for good: [`OnDeadlock::Hang`] (the
    /// default here, as CPython) or [`OnDeadlock::Report`], which prints the report and ends
    /// *this OS process* with status 1, as the CLI's `--on-deadlock=report` does (a test
    /// harness then fails instead of hanging).
    ///
    /// [`OnDeadlock::Hang`]: super::monitor::OnDeadlock::Hang
    /// [`OnDeadlock::Report`]: super::monitor::OnDeadlock::Report
    pub fn on_deadlock(mut self, what: super::monitor::OnDeadlock) -> Runtime {
        self.config.on_deadlock = what;
        self
    }

    /// `--timeout`: a run that outlives `limit` reports its threads and ends *this OS
    /// process* with status 124.
    pub fn timeout(mut self, limit: Duration) -> Runtime {
        self.config.timeout = Some(limit);
        self
    }

    /// The GIL design runs use.
    pub fn policy_name(&self) -> &'static str {
        self.config.gil.name
    }

    /// The switch interval runs start with.
    pub fn interval(&self) -> Duration {
        self.config.switch_interval
    }

    /// Runs `source` as the `__main__` module of a script called `name` (the name tracebacks
    /// show; child processes of `multiprocessing` run the same source again under it).
    pub fn run_source(&self, name: &str, source: &str) -> RunReport {
        let mut config = self.config.clone();
        match config.argv.first_mut() {
            Some(first) => *first = name.to_string(),
            None => config.argv.push(name.to_string()),
        }
        config.reports.record = true;
        let buf = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let outcome = run_source_with(name, source, config, Stdout::Buffer(buf.clone()));
        let stdout = String::from_utf8_lossy(&buf.lock()).into_owned();
        RunReport {
            stdout,
            exit_code: outcome.exit_code,
            processes: outcome.run.unwrap_or_default(),
            policy: self.config.gil.name,
            switch_interval: self.config.switch_interval,
        }
    }

    /// Runs the script at `path` (as `gilsim run PATH` would, with stdout captured).
    pub fn run_file(&self, path: impl AsRef<std::path::Path>) -> Result<RunReport, String> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path)
            .map_err(|e| format!("can't read {}: {e}", path.display()))?;
        Ok(self.run_source(&path.to_string_lossy(), &source))
    }
}

/// What one run did. The script's stderr (tracebacks) is not captured: the interpreter writes
/// it straight to this process's stderr.
#[derive(Clone)]
pub struct RunReport {
    /// Everything the script (and its child processes) printed.
    pub stdout: String,
    /// The exit status, as `python3` would return it.
    pub exit_code: i32,
    /// The event log folded into spans: every process (interpreter) of the run, main first.
    pub processes: Vec<ProcessSpans>,
    /// The GIL design the run used.
    pub policy: &'static str,
    /// The switch interval the run started with.
    pub switch_interval: Duration,
}

/// One thread's hold of the GIL: a `Running` span, with the thread it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    /// The thread's index in its process's [`ProcessSpans::threads`].
    pub thread: usize,
    /// When it took the GIL, in nanoseconds on the run's clock.
    pub start_ns: u64,
    /// When it let go.
    pub end_ns: u64,
}

impl RunReport {
    /// Did the script exit with status 0?
    pub fn success(&self) -> bool {
        self.exit_code == 0
    }

    /// The main process's threads, in start order.
    pub fn threads(&self) -> &[ThreadSpans] {
        self.processes.first().map_or(&[], |p| &p.threads)
    }

    /// The main process's thread called `name` (the name the script gave it last).
    pub fn thread(&self, name: &str) -> Option<&ThreadSpans> {
        self.threads().iter().find(|t| t.name == name)
    }

    /// The main process's figures, as `--stats` prints them.
    pub fn stats(&self) -> Stats {
        self.processes
            .first()
            .map(Stats::fold_process)
            .unwrap_or_default()
    }

    /// Every process's figures, main first.
    pub fn process_stats(&self) -> Vec<Stats> {
        self.processes.iter().map(Stats::fold_process).collect()
    }

    /// Process `process`'s holds of its GIL, in order of start.
    pub fn holds(&self, process: usize) -> Vec<Hold> {
        let mut holds: Vec<Hold> = self.processes[process]
            .threads
            .iter()
            .enumerate()
            .flat_map(|(i, t)| {
                t.spans
                    .iter()
                    .filter(|s| s.state == State::Running)
                    .map(move |s| Hold {
                        thread: i,
                        start_ns: s.start_ns,
                        end_ns: s.end_ns,
                    })
            })
            .collect();
        holds.sort_by_key(|h| (h.start_ns, h.end_ns));
        holds
    }

    /// The first two holds, in any process, by different threads that overlap in time (with
    /// a GIL there must be none): the process's index and the two holds.
    pub fn overlapping_holds(&self) -> Option<(usize, Hold, Hold)> {
        (0..self.processes.len()).find_map(|p| {
            let holds = self.holds(p);
            // Holds sorted by start overlap a later one iff the latest end so far passes its
            // start.
            let mut latest: Option<Hold> = None;
            for h in holds {
                if let Some(l) = latest {
                    if h.start_ns < l.end_ns && h.thread != l.thread {
                        return Some((p, l, h));
                    }
                    if h.end_ns <= l.end_ns {
                        continue;
                    }
                }
                latest = Some(h);
            }
            None
        })
    }
}

impl std::fmt::Debug for RunReport {
    /// Short: the policy, status, stdout and the thread names (the spans are long).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunReport")
            .field("policy", &self.policy)
            .field("switch_interval", &self.switch_interval)
            .field("exit_code", &self.exit_code)
            .field("stdout", &self.stdout)
            .field(
                "threads",
                &self.threads().iter().map(|t| &t.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}
