//! Events → spans: what each thread was doing over each interval of its life.
//!
//! Every report reads a thread through this one fold (stats add the spans up, the trace writes
//! them as slices, the timeline draws them), so the reports cannot disagree about when a
//! thread ran, waited, worked natively or blocked.

use super::events::{Event, EventKind, ProcessRecord, Recorder, Release};

/// What a thread is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Holds the GIL and runs Python code.
    Running,
    /// Wants the GIL: from a request (or a forced drop) until it has it again.
    Waiting,
    /// Released the GIL for native work: the function's dotted name.
    Native(&'static str),
    /// Released the GIL for a blocking wait: the primitive's kind and object id.
    Blocked(&'static str, u64),
}

impl State {
    /// The label reports show, e.g. `native, GIL released: zlib.compress`.
    pub fn label(&self) -> String {
        match self {
            State::Running => "running (holds GIL)".into(),
            State::Waiting => "waiting for GIL".into(),
            State::Native(f) => format!("native, GIL released: {f}"),
            State::Blocked(what, _) => format!("blocked: {what}"),
        }
    }
}

/// An interval of a thread's life in one state, in nanoseconds on the run's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start_ns: u64,
    pub end_ns: u64,
    pub state: State,
    /// For a `Waiting` span: it ended with the thread taking the GIL (not with its end, or
    /// the end of the recording).
    pub acquired: bool,
}

impl Span {
    pub fn duration_ns(&self) -> u64 {
        self.end_ns - self.start_ns
    }
}

/// A moment worth marking on a thread's row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// This thread's wait timed out and it asked `holder` to drop the GIL.
    DropRequest { t_ns: u64, holder: u64 },
    /// This thread dropped the GIL because another asked (a forced switch).
    ForcedDrop { t_ns: u64 },
}

/// One thread's life as spans and marks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThreadSpans {
    pub ident: u64,
    /// The name the script gave it last (`Thread <ident>` if none).
    pub name: String,
    /// When it started and ended (its last event, or the end of the recording if it had not
    /// ended by then).
    pub start_ns: u64,
    pub end_ns: u64,
    /// Did it end before the recording did?
    pub ended: bool,
    /// Its states in time order; consecutive spans touch, none is empty.
    pub spans: Vec<Span>,
    pub marks: Vec<Mark>,
    /// Times it took the GIL.
    pub acquisitions: u64,
}

/// Folds one thread's events, as of `now_ns` (a thread still alive has its current state
/// counted up to then).
pub fn thread_spans(ident: u64, events: &[Event], now_ns: u64) -> ThreadSpans {
    let mut out = ThreadSpans {
        ident,
        name: format!("Thread {ident}"),
        start_ns: events.first().map_or(now_ns, |e| e.t_ns),
        ..ThreadSpans::default()
    };
    // The open state and since when; `None` while the thread does not hold or want the GIL.
    let mut open: Option<(State, u64)> = None;
    for e in events {
        let next = match &e.kind {
            EventKind::Name(n) => {
                out.name = n.to_string();
                continue;
            }
            EventKind::Start => continue,
            EventKind::DropRequest { holder } => {
                out.marks.push(Mark::DropRequest {
                    t_ns: e.t_ns,
                    holder: *holder,
                });
                continue;
            }
            // A request after a forced drop continues the same wait.
            EventKind::Request if matches!(open, Some((State::Waiting, _))) => continue,
            EventKind::Request => Some(State::Waiting),
            EventKind::Acquire => {
                out.acquisitions += 1;
                Some(State::Running)
            }
            EventKind::Drop { forced: true } => {
                out.marks.push(Mark::ForcedDrop { t_ns: e.t_ns });
                Some(State::Waiting)
            }
            EventKind::Drop { forced: false } | EventKind::End => None,
            EventKind::Release(Release::Native(f)) => Some(State::Native(f)),
            EventKind::Release(Release::Blocked(what, id)) => Some(State::Blocked(what, *id)),
        };
        if let Some((state, since)) = open {
            let acquired = matches!(e.kind, EventKind::Acquire);
            out.push(state, since, e.t_ns, acquired);
        }
        open = next.map(|s| (s, e.t_ns));
        if matches!(e.kind, EventKind::End) {
            out.ended = true;
        }
    }
    out.end_ns = match events.last() {
        Some(e) if out.ended => e.t_ns,
        _ => now_ns.max(out.start_ns),
    };
    if let Some((state, since)) = open {
        out.push(state, since, out.end_ns, false);
    }
    out
}

impl ThreadSpans {
    fn push(&mut self, state: State, start_ns: u64, end_ns: u64, acquired: bool) {
        if end_ns > start_ns {
            self.spans.push(Span {
                start_ns,
                end_ns,
                state,
                acquired,
            });
        } else if acquired {
            // A wait that ended as it began still counts as a wait of zero.
            self.spans.push(Span {
                start_ns,
                end_ns: start_ns,
                state,
                acquired,
            });
        }
    }
}

/// Folds every thread of one interpreter, threads in start order.
pub fn fold(logs: &[(u64, Vec<Event>)], now_ns: u64) -> Vec<ThreadSpans> {
    logs.iter()
        .map(|(ident, events)| thread_spans(*ident, events, now_ns))
        .collect()
}

/// One interpreter ("process") of a run: its threads' spans and its own lifetime.
#[derive(Clone)]
pub struct ProcessSpans {
    pub record: ProcessRecord,
    /// When it ended: its last thread's end (for a child OS process, its exit as its spawner
    /// saw it), or the end of the recording if a thread of it was still alive.
    pub end_ns: u64,
    pub threads: Vec<ThreadSpans>,
}

impl ProcessSpans {
    /// Folds one process's event logs, as of `now_ns`.
    pub fn fold(record: ProcessRecord, now_ns: u64) -> ProcessSpans {
        let threads = fold(&record.recorder.snapshot(), now_ns);
        let last_thread_end = threads.iter().map(|t| t.end_ns).max();
        let end_ns = match record.os.as_ref().and_then(|os| os.exit()) {
            // A child OS process ended when its spawner saw it end (its threads' logs, if
            // they came, were shipped a moment before).
            Some((_, exit_ns)) => last_thread_end.map_or(exit_ns, |t| t.max(exit_ns)),
            None if threads.iter().all(|t| t.ended) => last_thread_end.unwrap_or(now_ns),
            None => now_ns,
        };
        ProcessSpans {
            record,
            end_ns,
            threads,
        }
    }

    /// Every process of the run `recorder` belongs to, main first, folded as of now. Called
    /// once at the end of a run: it takes the run's process list, so the recorders can be
    /// freed.
    pub fn collect_run(recorder: &Recorder) -> Vec<ProcessSpans> {
        let now = recorder.now_ns();
        recorder
            .processes(true)
            .into_iter()
            .map(|p| ProcessSpans::fold(p, now))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    #[test]
    fn a_forced_drop_and_its_request_make_one_wait() {
        let t = thread_spans(
            7,
            &[
                ev(0, EventKind::Start),
                ev(0, EventKind::Request),
                ev(10, EventKind::Acquire),
                ev(50, EventKind::Drop { forced: true }),
                ev(51, EventKind::Request),
                ev(80, EventKind::Acquire),
                ev(90, EventKind::Release(Release::Blocked("lock", 3))),
            ],
            200,
        );
        let states: Vec<(u64, u64, State, bool)> = t
            .spans
            .iter()
            .map(|s| (s.start_ns, s.end_ns, s.state, s.acquired))
            .collect();
        assert_eq!(
            states,
            vec![
                (0, 10, State::Waiting, true),
                (10, 50, State::Running, false),
                (50, 80, State::Waiting, true),
                (80, 90, State::Running, false),
                (90, 200, State::Blocked("lock", 3), false),
            ]
        );
        assert_eq!(t.marks, vec![Mark::ForcedDrop { t_ns: 50 }]);
        assert_eq!((t.acquisitions, t.ended, t.end_ns), (2, false, 200));
    }
}
