//! Ctrl-C, as CPython handles SIGINT: the first press raises `KeyboardInterrupt` in the main
//! thread (at its next eval-breaker check, or at once if it sleeps); a second press ends the
//! run at once with status 130, after writing the reports recorded so far, so a `--trace` or
//! `--stats` file is complete whichever way the run ends.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::observe::{ProcessSpans, Recorder, Reports};
use crate::vm::Interpreter;

/// A run's reports, written exactly once: at the run's end or at a second Ctrl-C, whichever
/// comes first.
pub struct PendingReports(Mutex<Option<(Reports, Arc<Recorder>)>>);

/// What [`PendingReports::finish`] did: the run's spans (folded once, for the reports and for
/// the caller) and whether every report was written.
pub struct Finished {
    /// Every process of the run, main first; `None` if nothing was recorded, or if the reports
    /// were already finished (by a second Ctrl-C).
    pub run: Option<Vec<ProcessSpans>>,
    /// The reports that could not be written, as one message.
    pub written: Result<(), String>,
}

impl PendingReports {
    /// The reports to make from `recorder`'s events (nothing to do without a recorder).
    pub fn new(reports: Reports, recorder: Option<Arc<Recorder>>) -> Arc<PendingReports> {
        Arc::new(PendingReports(Mutex::new(recorder.map(|r| (reports, r)))))
    }

    /// Folds the run's events into spans and writes the reports from them, unless that was
    /// done already. The lock is held while writing, so a second caller returns only once the
    /// files are complete.
    pub fn finish(&self) -> Finished {
        let mut pending = self.0.lock();
        match pending.take() {
            Some((reports, recorder)) => {
                let run = ProcessSpans::collect_run(&recorder);
                let written = reports.write(&run);
                Finished {
                    run: Some(run),
                    written,
                }
            }
            None => Finished {
                run: None,
                written: Ok(()),
            },
        }
    }
}

/// The run Ctrl-C acts on (the CLI runs one at a time).
struct ActiveRun {
    interp: Weak<Interpreter>,
    reports: Arc<PendingReports>,
}

static ACTIVE: Mutex<Option<ActiveRun>> = Mutex::new(None);
static INSTALLED: AtomicBool = AtomicBool::new(false);
static PRESSES: AtomicU32 = AtomicU32::new(0);

/// Installs the Ctrl-C handler for this OS process (the CLI does, once).
pub fn install() -> Result<(), String> {
    ctrlc::set_handler(on_ctrl_c).map_err(|e| format!("can't handle Ctrl-C: {e}"))?;
    INSTALLED.store(true, Ordering::Relaxed);
    Ok(())
}

/// Makes this run the one Ctrl-C interrupts (a no-op unless the handler is installed, so
/// library runs in parallel never see each other).
pub(crate) fn set_active(interp: &Arc<Interpreter>, reports: &Arc<PendingReports>) {
    if INSTALLED.load(Ordering::Relaxed) {
        *ACTIVE.lock() = Some(ActiveRun {
            interp: Arc::downgrade(interp),
            reports: reports.clone(),
        });
    }
}

fn on_ctrl_c() {
    let active = ACTIVE.lock();
    let interp = active.as_ref().and_then(|a| a.interp.upgrade());
    if PRESSES.fetch_add(1, Ordering::Relaxed) == 0
        && let Some(interp) = &interp
    {
        interp.interrupt_main();
        return;
    }
    if let Some(interp) = &interp {
        interp.flush_stdout();
    }
    if let Some(run) = active.as_ref()
        && let Err(e) = run.reports.finish().written
    {
        eprintln!("gilsim: {e}");
    }
    eprintln!("gilsim: interrupted twice, ending the run");
    std::process::exit(130);
}
