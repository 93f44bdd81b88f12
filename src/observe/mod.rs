//! What the GIL did, recorded and told: events → stats (and, later, traces and timelines).
//!
//! Every interpreter thread appends GIL transitions and blocking waits to its own buffer
//! ([`events`]); the reports are folds over the same event lists ([`stats`]), so they always
//! agree. Nothing is recorded unless a report was asked for: a run without `--stats` pays one
//! branch per GIL transition, never per instruction.

pub mod events;
pub mod stats;

pub use events::{Event, EventKind, Recorder, Release, ThreadLog};

/// The reports a run makes at exit, all folded from the same events.
#[derive(Clone, Debug, Default)]
pub struct Reports {
    /// `--stats`: print the per-thread table to stderr.
    pub stats: bool,
    /// `--stats-json FILE`: write the same figures as JSON.
    pub stats_json: Option<std::path::PathBuf>,
}

impl Reports {
    /// Does any report need the event log?
    pub fn any(&self) -> bool {
        self.stats || self.stats_json.is_some()
    }

    /// Folds the recorded events and makes every report asked for. Called on every exit path
    /// of a run, so nothing recorded is lost.
    pub fn write(&self, recorder: &Recorder) -> Result<(), String> {
        let stats = stats::Stats::fold(&recorder.snapshot(), recorder.now_ns());
        if self.stats {
            eprint!("{}", stats.render());
        }
        if let Some(path) = &self.stats_json {
            let text = serde_json::to_string_pretty(&stats.to_json()).map_err(|e| e.to_string())?;
            std::fs::write(path, text + "\n")
                .map_err(|e| format!("can't write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}
