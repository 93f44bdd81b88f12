//! The watchdog: a thread beside the run that ends it when it can no longer end by itself.
//!
//! - **Deadlock** (`--on-deadlock=report`, the CLI's default): every [`CHECK_EVERY`] it takes a
//!   snapshot of the thread table and asks [`super::deadlock::is_deadlock`]. A deadlock is
//!   declared only when the same threads have been blocked for good, none of them woken in
//!   between (the same [`super::deadlock::progress_key`]), for at least [`CONFIRM`]: a thread
//!   just woken by a release, and not yet scheduled by the OS, still looks blocked for a moment.
//!   Waits on `_thread` locks are checked against the lock itself (a free lock means its waiter
//!   is about to wake), which rules the common hand-off out at once. The threads of
//!   `os`-backend children are judged with this process's own, from the reports the children
//!   send ([`crate::process::os_threads`]); a deadlock that involves them is declared only
//!   once each child has answered a question asked when it was first seen, so that no report
//!   older than that counts.
//! - **Timeout** (`--timeout`): when the run outlives it, every thread is asked to publish its
//!   stack at its next eval-breaker check (a drop request sends the running ones there), and
//!   after a short wait each thread's state and stack is reported ([`super::thread_states`]);
//!   `os`-backend children describe their own threads and send them here
//!   ([`crate::process::os_threads::children_states`]).
//!
//! Either way the run ends as a second Ctrl-C ends it: the output flushed, the `--stats`,
//! `--trace` and `--timeline` reports written from what was recorded, the child OS processes
//! killed, then the OS process exits with [`DEADLOCK_STATUS`] or [`TIMEOUT_STATUS`]. Nothing of this runs, and no thread is
//! started, under `--on-deadlock=hang` without `--timeout`.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::interrupt::PendingReports;
use super::monitor::Monitor;
use super::{deadlock, thread_states};
use crate::process::os_threads::{self, RunThreads};

/// How often the watchdog looks at the thread table.
pub const CHECK_EVERY: Duration = Duration::from_millis(100);

/// How long a deadlock must hold, with no thread moving, before it is reported.
pub const CONFIRM: Duration = Duration::from_millis(500);

/// The exit status of a run ended by a deadlock (as an uncaught exception's).
pub const DEADLOCK_STATUS: i32 = 1;

/// The exit status of a run ended by `--timeout` (as coreutils' `timeout`).
pub const TIMEOUT_STATUS: i32 = 124;

/// Starts the watchdog of a run, if it has anything to watch for; `reports` are written
/// before the run is ended. The watchdog stops by itself once the run finishes
/// ([`Monitor::finish`]).
pub fn start(
    monitor: &Arc<Monitor>,
    reports: &Arc<PendingReports>,
    started: Instant,
) -> Option<JoinHandle<()>> {
    if !monitor.watch_deadlocks && monitor.timeout.is_none() {
        return None;
    }
    let monitor = monitor.clone();
    let reports = reports.clone();
    std::thread::Builder::new()
        .name("gilsim-watchdog".into())
        .spawn(move || watch(&monitor, &reports, started))
        .map_err(|e| eprintln!("gilsim: can't start the deadlock watchdog: {e}"))
        .ok()
}

fn watch(monitor: &Monitor, reports: &PendingReports, started: Instant) {
    let deadline = monitor.timeout.map(|t| started + t);
    let mut candidate: Option<Candidate> = None;
    loop {
        let next = Instant::now() + CHECK_EVERY;
        let wake_at = deadline.map_or(next, |d| d.min(next));
        if monitor.wait_for_end(wake_at) {
            return;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            monitor.end_run(|| end_by_timeout(monitor, reports));
            return;
        }
        if !monitor.watch_deadlocks {
            continue;
        }
        let run = os_threads::run_threads(monitor.snapshot());
        let Some(run) = run.filter(|r| deadlock::is_deadlock(&r.threads)) else {
            candidate = None;
            continue;
        };
        let key = deadlock::progress_key(&run.threads);
        match &candidate {
            Some(c) if c.key == key => {
                if c.since.elapsed() >= CONFIRM && run.answered >= c.asked {
                    monitor.end_run(|| end_by_deadlock(monitor, reports, run));
                    return;
                }
            }
            _ => {
                candidate = Some(Candidate {
                    key,
                    since: Instant::now(),
                    asked: os_threads::ask_for_fresh_reports(),
                })
            }
        }
    }
}

/// A deadlock seen and not yet confirmed.
struct Candidate {
    /// Its progress key ([`deadlock::progress_key`]).
    key: Vec<(u64, u64)>,
    /// When it was first seen.
    since: Instant,
    /// The question for fresh reports asked of the child OS processes then: it is confirmed
    /// only by reports that answer it ([`os_threads::RunThreads::answered`]).
    asked: u64,
}

/// Reports the deadlock seen in `confirmed` and ends the run (called with the run's end held
/// off).
fn end_by_deadlock(monitor: &Monitor, reports: &PendingReports, confirmed: RunThreads) {
    // Looked at once more: the report shows the threads as they are now.
    let run = os_threads::run_threads(monitor.snapshot())
        .filter(|r| deadlock::is_deadlock(&r.threads))
        .unwrap_or(confirmed);
    let mut text = deadlock::report(&run.threads);
    text.push_str(&format!(
        "gilsim: ending the run with status {DEADLOCK_STATUS} (--on-deadlock=hang waits \
         forever instead, as CPython does)\n"
    ));
    end_run(monitor, reports, &text, &run.processes, DEADLOCK_STATUS);
}

/// Collects every thread's stack, the threads of child OS processes included, reports each
/// thread's state and ends the run.
fn end_by_timeout(monitor: &Monitor, reports: &PendingReports) {
    // Asked first, so that the children collect their stacks while this process does.
    let children = os_threads::ask_for_states();
    let (threads, request) = thread_states::collect(monitor, thread_states::STACK_PATIENCE);
    let mut states = thread_states::describe(&threads, request);
    let children = os_threads::children_states(children);
    states.extend(children.states);
    let timeout = monitor.timeout.map(crate::duration::format_duration);
    let mut text = format!(
        "gilsim: timeout: the run outlived --timeout {}; its threads:\n",
        timeout.unwrap_or_default()
    );
    text.push_str(&thread_states::render(&states));
    for silent in &children.silent {
        text.push_str(&format!(
            "  {silent}: no report of its threads came in time\n"
        ));
    }
    text.push_str(&format!(
        "gilsim: ending the run with status {TIMEOUT_STATUS}\n"
    ));
    end_run(monitor, reports, &text, &children.processes, TIMEOUT_STATUS);
}

/// Ends the run as a second Ctrl-C does: the output flushed, `text` on stderr, the reports
/// written, then the OS process exits with `status`. The child OS processes, these
/// `processes` (children of children included) and the live children of this one, end at once
/// with it: left to see its end by themselves, they would first report their lost connection
/// to the broker as an error, after the report.
fn end_run(
    monitor: &Monitor,
    reports: &PendingReports,
    text: &str,
    processes: &[u32],
    status: i32,
) -> ! {
    for interp in monitor.interpreters() {
        interp.flush_stdout_within(Duration::from_secs(1));
    }
    {
        use std::io::Write;
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }
    if let Err(e) = reports.finish().written {
        eprintln!("gilsim: {e}");
    }
    crate::process::os_backend::end_processes(processes);
    std::process::exit(status);
}
