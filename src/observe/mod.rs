//! What the GIL did, recorded and told: events → spans → stats, the Chrome trace and the
//! timeline picture (`crate::pictures::timeline`).
//!
//! Every interpreter thread appends GIL transitions and blocking waits to its own buffer
//! ([`events`]); every report reads the same fold of those events into spans ([`spans`]): the
//! `--stats` table ([`stats`]) and the Chrome trace ([`trace`]), so they always agree. Nothing
//! is recorded unless a report was asked for: a run without one pays one branch per GIL
//! transition, never per instruction.

pub mod events;
pub mod spans;
pub mod stats;
pub mod trace;

pub use events::{Event, EventKind, OsChild, ProcessRecord, Recorder, Release, ThreadLog};
pub use spans::{ProcessSpans, Span, State, ThreadSpans};

use std::sync::atomic::Ordering;

/// The reports a run makes at exit, all folded from the same events.
#[derive(Clone, Debug, Default)]
pub struct Reports {
    /// `--stats`: print the per-thread table to stderr.
    pub stats: bool,
    /// `--stats-json FILE`: write the same figures as JSON.
    pub stats_json: Option<std::path::PathBuf>,
    /// `--trace FILE`: write the run in the Chrome Trace Event Format.
    pub trace: Option<std::path::PathBuf>,
    /// `--timeline FILE.svg`: draw every thread of every process over time.
    pub timeline: Option<std::path::PathBuf>,
    /// The script's path, for the titles of pictures (filled in by the runtime).
    pub script: String,
    /// The switch interval the run started with, for the same titles.
    pub switch_interval: Option<std::time::Duration>,
    /// The GIL policy the run used, for the same titles.
    pub gil: Option<&'static str>,
    /// Record the events even with no report asked for, because the caller wants the spans
    /// back (the Rust API's [`crate::runtime::Runtime`] reads them from its run report).
    pub record: bool,
}

impl Reports {
    /// Does any report (or the caller, [`Reports::record`]) need the event log?
    pub fn any(&self) -> bool {
        self.record
            || self.stats
            || self.stats_json.is_some()
            || self.trace.is_some()
            || self.timeline.is_some()
    }

    /// Makes every report asked for from the run's spans (every process, main first, as
    /// [`ProcessSpans::collect_run`] folds them). Called on every exit path of a run, so
    /// nothing recorded is lost.
    pub fn write(&self, run: &[ProcessSpans]) -> Result<(), String> {
        let folded: Vec<(&ProcessRecord, stats::Stats)> = run
            .iter()
            .map(|p| (&p.record, stats::Stats::fold_process(p)))
            .collect();
        if self.stats {
            for (p, s) in &folded {
                if folded.len() > 1 {
                    eprintln!(
                        "process {} (pid {}): started at {:.1} ms, {} bytes serialized",
                        p.name,
                        p.pid,
                        p.started_ns as f64 / 1e6,
                        p.bytes_sent.load(Ordering::Relaxed)
                    );
                }
                match p.os.as_ref().and_then(|os| os.missing_figures()) {
                    Some(note) => eprintln!("({note})"),
                    None => eprint!("{}", s.render()),
                }
            }
        }
        // Each report is attempted even if another failed, so one bad path loses only its own.
        let mut errors = vec![];
        if let Some(path) = &self.stats_json
            && let Err(e) = write_stats_json(path, &folded)
        {
            errors.push(e);
        }
        if let Some(path) = &self.trace
            && let Err(e) = trace::write(path, run)
        {
            errors.push(e);
        }
        if let Some(path) = &self.timeline {
            let opts = crate::pictures::timeline::Options {
                title: self.script.clone(),
                switch_interval: self.switch_interval,
                gil: self.gil,
                ..Default::default()
            };
            if let Err(e) = crate::pictures::timeline::write(path, run, &opts) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\ngilsim: "))
        }
    }
}

/// `--stats-json`: the main process's figures at the top level; every process (main first)
/// under "processes", with its start time and bytes serialized (and, for a child OS process,
/// its exit code, and a note when its figures never arrived).
fn write_stats_json(
    path: &std::path::Path,
    folded: &[(&ProcessRecord, stats::Stats)],
) -> Result<(), String> {
    let mut top = folded.first().map(|(_, s)| s.to_json()).unwrap_or_default();
    let all: Vec<serde_json::Value> = folded
        .iter()
        .map(|(p, s)| {
            let mut j = s.to_json();
            j["pid"] = p.pid.into();
            j["name"] = p.name.clone().into();
            j["start_s"] = (p.started_ns as f64 / 1e9).into();
            j["bytes_serialized"] = p.bytes_sent.load(Ordering::Relaxed).into();
            if let Some(os) = &p.os {
                if let Some((code, _)) = os.exit() {
                    j["exitcode"] = code.into();
                }
                if let Some(note) = os.missing_figures() {
                    j["note"] = note.into();
                }
            }
            j
        })
        .collect();
    top["processes"] = all.into();
    let text = serde_json::to_string_pretty(&top).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("can't write {}: {e}", path.display()))
}
