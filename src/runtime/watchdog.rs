//! The watchdog: a thread beside the run that ends it when it can no longer end by itself.
//!
//! - **Deadlock** (`--on-deadlock=report`, the CLI's default): every [`CHECK_EVERY`] it takes a
//!   snapshot of the thread table and asks [`super::deadlock::is_deadlock`]. A deadlock is
//!   declared only when the same threads have been blocked for good, none of them woken in
//!   between (the same [`super::deadlock::progress_key`]), for at least [`CONFIRM`]: a thread
//!   just woken by a release, and not yet scheduled by the OS, still looks blocked for a moment.
//!   Waits on `_thread` locks are checked against the lock itself (a free lock means its waiter
//!   is about to wake), which rules the common hand-off out at once.
//! - **Timeout** (`--timeout`): when the run outlives it, every thread is asked to publish its
//!   stack at its next eval-breaker check (a drop request sends the running ones there), and
//!   after a short wait each thread's state and stack is reported.
//!
//! Either way the run ends as a second Ctrl-C ends it: the output flushed, the `--stats`,
//! `--trace` and `--timeline` reports written from what was recorded, then the OS process exits
//! with [`DEADLOCK_STATUS`] or [`TIMEOUT_STATUS`]. Nothing of this runs, and no thread is
//! started, under `--on-deadlock=hang` without `--timeout`.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::deadlock;
use super::interrupt::PendingReports;
use super::monitor::{Activity, Monitor, ThreadView, several_processes};
use crate::gil::Holder;
use crate::observe::Release;

/// How often the watchdog looks at the thread table.
pub const CHECK_EVERY: Duration = Duration::from_millis(100);

/// How long a deadlock must hold, with no thread moving, before it is reported.
pub const CONFIRM: Duration = Duration::from_millis(500);

/// How long the `--timeout` report waits for running threads to publish their stacks.
const STACK_PATIENCE: Duration = Duration::from_millis(1000);

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
    // The progress key of a deadlock seen and not yet confirmed, and when it was first seen.
    let mut candidate: Option<(Vec<(u64, u64)>, Instant)> = None;
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
        let threads = monitor.snapshot();
        if crate::process::os_backend::children_alive() > 0 || !deadlock::is_deadlock(&threads) {
            candidate = None;
            continue;
        }
        let key = deadlock::progress_key(&threads);
        match &candidate {
            Some((seen, since)) if *seen == key => {
                if since.elapsed() >= CONFIRM {
                    monitor.end_run(|| end_by_deadlock(monitor, reports));
                    return;
                }
            }
            _ => candidate = Some((key, Instant::now())),
        }
    }
}

/// Reports the deadlock and ends the run (called with the run's end held off).
fn end_by_deadlock(monitor: &Monitor, reports: &PendingReports) {
    // Looked at once more: the report shows the threads as they are now.
    let threads = monitor.snapshot();
    let mut text = deadlock::report(&threads);
    text.push_str(&format!(
        "gilsim: ending the run with status {DEADLOCK_STATUS} (--on-deadlock=hang waits \
         forever instead, as CPython does)\n"
    ));
    end_run(monitor, reports, &text, DEADLOCK_STATUS);
}

/// Collects every thread's stack, reports each thread's state and ends the run.
fn end_by_timeout(monitor: &Monitor, reports: &PendingReports) {
    let request = monitor.request_stacks();
    let asked = Instant::now();
    let mut threads;
    loop {
        for interp in monitor.interpreters() {
            interp.gil.request_drop();
        }
        std::thread::sleep(Duration::from_millis(20));
        threads = monitor.snapshot();
        let all_published = threads.iter().all(|t| {
            !matches!(t.activity, Activity::Python)
                || t.published.as_ref().is_some_and(|(r, _)| *r == request)
        });
        if all_published || asked.elapsed() >= STACK_PATIENCE {
            break;
        }
    }
    let timeout = monitor.timeout.map(crate::duration::format_duration);
    let mut text = format!(
        "gilsim: timeout: the run outlived --timeout {}; its threads:\n",
        timeout.unwrap_or_default()
    );
    text.push_str(&state_report(&threads, request));
    text.push_str(&format!(
        "gilsim: ending the run with status {TIMEOUT_STATUS}\n"
    ));
    end_run(monitor, reports, &text, TIMEOUT_STATUS);
}

/// Each thread's state (running / waiting for the GIL / blocked on X / sleeping / native) and
/// stack; running threads show the stack they published for stack request `request`.
pub fn state_report(threads: &[ThreadView], request: u64) -> String {
    let several = several_processes(threads);
    let mut out = String::new();
    for t in threads {
        let holder = t
            .interp
            .upgrade()
            .map_or(Holder::Unknown, |i| i.gil.holder());
        let for_how_long = |since: &Instant| crate::duration::format_duration(since.elapsed());
        let state = match &t.activity {
            Activity::Python => match holder {
                Holder::Thread(h) if h == t.ident => "is running".to_string(),
                Holder::Everyone => "is running".to_string(),
                Holder::Thread(_) | Holder::Nobody => "is waiting for the GIL".to_string(),
                Holder::Unknown => "is running or waiting for the GIL".to_string(),
            },
            Activity::Returning { why, .. } => {
                format!("is waiting for the GIL, back from {}", release_text(why))
            }
            Activity::Released {
                wait: Some(_),
                since,
                ..
            } => format!(
                "has been blocked for {} {}",
                for_how_long(since),
                t.describe_wait(threads)
            ),
            Activity::Released { why, since, .. } => {
                format!("has been {} for {}", release_text(why), for_how_long(since))
            }
        };
        out.push_str(&format!("  {} {state}\n", t.label_in(several)));
        let stack = match &t.activity {
            Activity::Python => t
                .published
                .as_ref()
                .filter(|(r, _)| *r == request)
                .map(|(_, s)| s),
            _ => t.released_stack(),
        };
        match stack {
            Some(s) => out.push_str(&t.render_stack(s, "    ")),
            None if matches!(t.activity, Activity::Python) => out.push_str(
                "    (no stack: the thread reached no eval-breaker check in time, e.g. it is \
                 busy in a long built-in call or waiting for the GIL)\n",
            ),
            None => {}
        }
    }
    out
}

/// A released section as a report says it: `sleeping (time.sleep)`, `in native code (zlib.compress)`.
fn release_text(why: &Release) -> String {
    match why {
        Release::Native(name) => format!("in native code ({name}, the GIL released)"),
        Release::Blocked("sleep", _) => "sleeping (time.sleep)".to_string(),
        Release::Blocked("input", _) => "reading input".to_string(),
        Release::Blocked("subprocess", _) => "waiting for a subprocess".to_string(),
        Release::Blocked(kind, id) => format!("waiting on {kind} {id}"),
    }
}

/// Ends the run as a second Ctrl-C does: the output flushed, `text` on stderr, the reports
/// written, then the OS process exits with `status`.
fn end_run(monitor: &Monitor, reports: &PendingReports, text: &str, status: i32) -> ! {
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
    std::process::exit(status);
}
