//! `--stats`: per-thread GIL accounting, folded from the event logs.
//!
//! Each thread is, at any instant, in one of four states: *running* (holds the GIL),
//! *waiting* (wants it: from a request, or from a forced drop, until it has it again),
//! *native* (released it for native work) or *blocked* (released it for a blocking wait).
//! The fold adds up each thread's spans ([`super::spans`]), the same intervals the trace and
//! the timeline show.

use std::fmt::Write as _;

use super::events::Event;
use super::spans::{self, Mark, ProcessSpans, State, ThreadSpans};

/// One thread's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThreadStats {
    pub ident: u64,
    pub name: String,
    pub running_ns: u64,
    pub waiting_ns: u64,
    pub native_ns: u64,
    pub blocked_ns: u64,
    /// Times the thread took the GIL.
    pub acquisitions: u64,
    /// Times it dropped the GIL because another thread asked (forced switches).
    pub forced_drops: u64,
    /// Drop requests this thread made of a holder.
    pub drop_requests: u64,
    /// Time from wanting the GIL to having it, for each acquisition (sorted).
    pub waits_ns: Vec<u64>,
}

impl ThreadStats {
    /// The `q` quantile (0..=1) of the wait times, nearest rank.
    pub fn wait_quantile(&self, q: f64) -> u64 {
        if self.waits_ns.is_empty() {
            return 0;
        }
        let rank = ((q * self.waits_ns.len() as f64).ceil() as usize).clamp(1, self.waits_ns.len());
        self.waits_ns[rank - 1]
    }
}

/// The figures of a whole run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub threads: Vec<ThreadStats>,
    pub wall_ns: u64,
    /// Hand-overs: acquisitions by a different thread than the previous holder.
    pub switches: u64,
}

impl Stats {
    /// Fraction of wall time the GIL was held (what the `gil_load` package reports).
    pub fn gil_load(&self) -> f64 {
        let held: u64 = self.threads.iter().map(|t| t.running_ns).sum();
        if self.wall_ns == 0 {
            0.0
        } else {
            held as f64 / self.wall_ns as f64
        }
    }

    pub fn switches_per_second(&self) -> f64 {
        if self.wall_ns == 0 {
            0.0
        } else {
            self.switches as f64 / (self.wall_ns as f64 / 1e9)
        }
    }

    /// Folds the event logs of one interpreter, as of `now_ns`: a thread still alive has its
    /// current state counted up to then.
    pub fn fold(logs: &[(u64, Vec<Event>)], now_ns: u64) -> Stats {
        Stats::from_spans(&spans::fold(logs, now_ns), 0, now_ns)
    }

    /// The figures of one process of a run, from its spans.
    pub fn fold_process(p: &ProcessSpans) -> Stats {
        Stats::from_spans(&p.threads, p.record.started_ns, p.end_ns)
    }

    /// Adds up the spans of one interpreter's threads, over its life from `start_ns` to
    /// `end_ns`. Hand-overs are counted from the starts of the running spans, in time order.
    fn from_spans(threads: &[ThreadSpans], start_ns: u64, end_ns: u64) -> Stats {
        let mut holds: Vec<(u64, u64)> = threads
            .iter()
            .flat_map(|t| {
                t.spans
                    .iter()
                    .filter(|s| s.state == State::Waiting && s.acquired)
                    .map(|s| (s.end_ns, t.ident))
            })
            .collect();
        holds.sort_unstable();
        let switches = holds
            .windows(2)
            .filter(|pair| pair[0].1 != pair[1].1)
            .count() as u64;
        Stats {
            threads: threads.iter().map(fold_thread).collect(),
            wall_ns: end_ns.saturating_sub(start_ns),
            switches,
        }
    }

    /// The table `--stats` prints.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "gilsim stats: wall {}, GIL load {:.2}, {} switches ({:.0}/s), {} forced",
            ms(self.wall_ns),
            self.gil_load(),
            self.switches,
            self.switches_per_second(),
            self.threads.iter().map(|t| t.forced_drops).sum::<u64>(),
        );
        let width = self
            .threads
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(6)
            .max(6);
        let _ = writeln!(
            s,
            "{:<width$} {:>10} {:>10} {:>10} {:>10} {:>8} {:>7} {:>9} {:>9} {:>9}",
            "thread",
            "running",
            "waiting",
            "native",
            "blocked",
            "acquires",
            "forced",
            "wait p50",
            "wait p99",
            "wait max"
        );
        for t in &self.threads {
            let _ = writeln!(
                s,
                "{:<width$} {:>10} {:>10} {:>10} {:>10} {:>8} {:>7} {:>9} {:>9} {:>9}",
                t.name,
                ms(t.running_ns),
                ms(t.waiting_ns),
                ms(t.native_ns),
                ms(t.blocked_ns),
                t.acquisitions,
                t.forced_drops,
                ms(t.wait_quantile(0.5)),
                ms(t.wait_quantile(0.99)),
                ms(t.waits_ns.last().copied().unwrap_or(0)),
            );
        }
        s
    }

    /// The same figures as JSON (`--stats-json`), times in seconds.
    pub fn to_json(&self) -> serde_json::Value {
        let secs = |ns: u64| ns as f64 / 1e9;
        let threads: Vec<serde_json::Value> = self
            .threads
            .iter()
            .map(|t| {
                serde_json::json!({
                    "ident": t.ident,
                    "name": t.name,
                    "running_s": secs(t.running_ns),
                    "waiting_s": secs(t.waiting_ns),
                    "native_s": secs(t.native_ns),
                    "blocked_s": secs(t.blocked_ns),
                    "acquisitions": t.acquisitions,
                    "forced_switches": t.forced_drops,
                    "drop_requests": t.drop_requests,
                    "wait_p50_s": secs(t.wait_quantile(0.5)),
                    "wait_p99_s": secs(t.wait_quantile(0.99)),
                    "wait_max_s": secs(t.waits_ns.last().copied().unwrap_or(0)),
                })
            })
            .collect();
        serde_json::json!({
            "wall_s": secs(self.wall_ns),
            "gil_load": self.gil_load(),
            "switches": self.switches,
            "switches_per_s": self.switches_per_second(),
            "threads": threads,
        })
    }
}

/// A duration in the unit that reads best.
fn ms(ns: u64) -> String {
    let v = ns as f64;
    if ns >= 10_000_000_000 {
        format!("{:.1}s", v / 1e9)
    } else if ns >= 1_000_000 {
        format!("{:.1}ms", v / 1e6)
    } else {
        format!("{:.1}us", v / 1e3)
    }
}

/// Adds up one thread's spans: the four columns of a thread add up to its lifetime.
fn fold_thread(t: &ThreadSpans) -> ThreadStats {
    let mut st = ThreadStats {
        ident: t.ident,
        name: t.name.clone(),
        acquisitions: t.acquisitions,
        ..ThreadStats::default()
    };
    for span in &t.spans {
        let d = span.duration_ns();
        match span.state {
            State::Running => st.running_ns += d,
            State::Waiting => {
                st.waiting_ns += d;
                if span.acquired {
                    st.waits_ns.push(d);
                }
            }
            State::Native(_) => st.native_ns += d,
            State::Blocked(..) => st.blocked_ns += d,
        }
    }
    for mark in &t.marks {
        match mark {
            Mark::DropRequest { .. } => st.drop_requests += 1,
            Mark::ForcedDrop { .. } => st.forced_drops += 1,
        }
    }
    st.waits_ns.sort_unstable();
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::{EventKind, Release};

    fn ev(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    #[test]
    fn states_add_up_and_waits_are_measured() {
        let a = vec![
            ev(0, EventKind::Start),
            ev(0, EventKind::Name("MainThread".into())),
            ev(0, EventKind::Request),
            ev(0, EventKind::Acquire),
            ev(100, EventKind::Drop { forced: true }),
            ev(101, EventKind::Request),
            ev(300, EventKind::Acquire),
            ev(400, EventKind::Release(Release::Native("native.compute"))),
            ev(600, EventKind::Request),
            ev(650, EventKind::Acquire),
            ev(700, EventKind::Drop { forced: false }),
            ev(700, EventKind::End),
        ];
        let b = vec![
            ev(50, EventKind::Request),
            ev(90, EventKind::DropRequest { holder: 1 }),
            ev(100, EventKind::Acquire),
            ev(300, EventKind::Release(Release::Blocked("sleep", 0))),
        ];
        let s = Stats::fold(&[(1, a), (2, b)], 1000);
        let (m, t) = (&s.threads[0], &s.threads[1]);
        assert_eq!(m.name, "MainThread");
        assert_eq!(
            (m.running_ns, m.waiting_ns, m.native_ns, m.blocked_ns),
            (250, 250, 200, 0)
        );
        assert_eq!((m.acquisitions, m.forced_drops), (3, 1));
        assert_eq!(m.waits_ns, vec![0, 50, 200]);
        assert_eq!(m.wait_quantile(0.5), 50);
        // Thread 2 is still blocked at the fold: counted up to `now`.
        assert_eq!((t.running_ns, t.waiting_ns, t.blocked_ns), (200, 50, 700));
        assert_eq!(t.drop_requests, 1);
        // Hand-overs: 1 (t=0) -> 2 (t=100) -> 1 (t=300) -> 1 (t=650).
        assert_eq!(s.switches, 2);
        assert!((s.gil_load() - 0.45).abs() < 1e-9);
    }
}
