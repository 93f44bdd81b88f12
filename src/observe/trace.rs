//! `--trace FILE.json`: the run in the Chrome Trace Event Format, for Perfetto UI and
//! `chrome://tracing`, the viewers people already have.
//!
//! Each interpreter is a `pid` (named as the process), each interpreter thread a `tid` (named
//! as the script named it). A thread's spans become complete slices (`ph: "X"`); drop requests
//! and forced switches are instant events joined by a flow arrow from the thread that asked to
//! the switch it caused; a counter track per interpreter counts the threads waiting for its
//! GIL. Timestamps are microseconds since the run started, with nanosecond decimals.
//!
//! Events are streamed to the file one by one, so a long run's trace never has to exist twice
//! in memory.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::spans::{Mark, ProcessSpans, State};

/// The category every gilsim event carries, so a viewer can filter them.
const CATEGORY: &str = "gil";

/// Writes the trace of `run` (every process, main first) to `path`.
pub fn write(path: &Path, run: &[ProcessSpans]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("can't write {}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(fail)?;
    let mut out = TraceWriter::new(std::io::BufWriter::new(file)).map_err(fail)?;
    for (sort_index, process) in run.iter().enumerate() {
        write_process(&mut out, process, sort_index).map_err(fail)?;
    }
    out.finish().map_err(fail)
}

/// Microseconds, as the format wants them, from nanoseconds.
fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

fn write_process(
    out: &mut TraceWriter<impl Write>,
    p: &ProcessSpans,
    sort_index: usize,
) -> std::io::Result<()> {
    let pid = p.record.pid;
    out.event(json!({"ph": "M", "name": "process_name", "pid": pid,
        "args": {"name": format!("{} (pid {pid})", p.record.name)}}))?;
    out.event(json!({"ph": "M", "name": "process_sort_index", "pid": pid,
        "args": {"sort_index": sort_index}}))?;
    // Process start and end, as process-wide instants on its first thread.
    let first_tid = p.threads.first().map_or(0, |t| t.ident);
    for (name, t_ns) in [
        ("process start", p.record.started_ns),
        ("process end", p.end_ns),
    ] {
        out.event(json!({"ph": "i", "s": "p", "name": name, "cat": CATEGORY,
            "pid": pid, "tid": first_tid, "ts": us(t_ns)}))?;
    }
    for (sort_index, t) in p.threads.iter().enumerate() {
        let tid = t.ident;
        out.event(
            json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
            "args": {"name": t.name}}),
        )?;
        out.event(
            json!({"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid,
            "args": {"sort_index": sort_index}}),
        )?;
        out.event(
            json!({"ph": "i", "s": "t", "name": "thread start", "cat": CATEGORY,
            "pid": pid, "tid": tid, "ts": us(t.start_ns)}),
        )?;
        if t.ended {
            out.event(
                json!({"ph": "i", "s": "t", "name": "thread end", "cat": CATEGORY,
                "pid": pid, "tid": tid, "ts": us(t.end_ns)}),
            )?;
        }
        for span in &t.spans {
            let mut args = json!({});
            match span.state {
                State::Native(f) => args["function"] = f.into(),
                State::Blocked(what, id) => {
                    args["primitive"] = what.into();
                    if id != 0 {
                        args["id"] = id.into();
                    }
                }
                State::Waiting => args["acquired"] = span.acquired.into(),
                State::Running => {}
            }
            out.event(
                json!({"ph": "X", "name": span.state.label(), "cat": CATEGORY,
                "pid": pid, "tid": tid, "ts": us(span.start_ns),
                "dur": us(span.end_ns) - us(span.start_ns), "args": args}),
            )?;
        }
    }
    write_switches(out, p)?;
    write_waiting_counter(out, p)
}

/// Drop requests and forced switches as instants, each request joined by a flow arrow to the
/// first forced drop of its holder at or after it (the switch it caused).
fn write_switches(out: &mut TraceWriter<impl Write>, p: &ProcessSpans) -> std::io::Result<()> {
    let pid = p.record.pid;
    // Each thread's forced drops, in time order (marks are recorded in order).
    let forced: std::collections::HashMap<u64, Vec<u64>> = p
        .threads
        .iter()
        .map(|t| {
            let times = t.marks.iter().filter_map(|m| match *m {
                Mark::ForcedDrop { t_ns } => Some(t_ns),
                Mark::DropRequest { .. } => None,
            });
            (t.ident, times.collect())
        })
        .collect();
    for t in &p.threads {
        for mark in &t.marks {
            let (name, t_ns, args) = match *mark {
                Mark::DropRequest { t_ns, holder } => {
                    ("drop request", t_ns, json!({"holder": holder}))
                }
                Mark::ForcedDrop { t_ns } => ("forced switch", t_ns, json!({})),
            };
            out.event(json!({"ph": "i", "s": "t", "name": name, "cat": CATEGORY,
                "pid": pid, "tid": t.ident, "ts": us(t_ns), "args": args}))?;
            let Mark::DropRequest { t_ns, holder } = *mark else {
                continue;
            };
            let Some(switch_ns) = forced.get(&holder).and_then(|times| {
                let i = times.partition_point(|&d| d < t_ns);
                times.get(i).copied()
            }) else {
                continue;
            };
            let id = out.next_flow_id();
            out.event(
                json!({"ph": "s", "id": id, "name": "drop request", "cat": CATEGORY,
                "pid": pid, "tid": t.ident, "ts": us(t_ns)}),
            )?;
            // Unbound, the flow's end attaches to the holder's next slice: its wait after the
            // forced switch.
            out.event(
                json!({"ph": "f", "id": id, "name": "drop request", "cat": CATEGORY,
                "pid": pid, "tid": holder, "ts": us(switch_ns)}),
            )?;
        }
    }
    Ok(())
}

/// The number of threads waiting for the interpreter's GIL, as a counter track.
fn write_waiting_counter(
    out: &mut TraceWriter<impl Write>,
    p: &ProcessSpans,
) -> std::io::Result<()> {
    let mut changes: Vec<(u64, i64)> = p
        .threads
        .iter()
        .flat_map(|t| t.spans.iter())
        .filter(|s| s.state == State::Waiting)
        .flat_map(|s| [(s.start_ns, 1), (s.end_ns, -1)])
        .collect();
    // At equal times, ends before starts: a hand-over is not a moment with one more waiter.
    changes.sort_unstable();
    let mut waiting = 0i64;
    let mut i = 0;
    while i < changes.len() {
        let t_ns = changes[i].0;
        while i < changes.len() && changes[i].0 == t_ns {
            waiting += changes[i].1;
            i += 1;
        }
        out.event(
            json!({"ph": "C", "name": "threads waiting for GIL", "pid": p.record.pid,
            "ts": us(t_ns), "args": {"waiting": waiting}}),
        )?;
    }
    Ok(())
}

/// Streams a JSON object `{"traceEvents": [...], "displayTimeUnit": "ms"}`.
struct TraceWriter<W: Write> {
    out: W,
    first: bool,
    flows: u64,
}

impl<W: Write> TraceWriter<W> {
    fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all(b"{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n")?;
        Ok(TraceWriter {
            out,
            first: true,
            flows: 0,
        })
    }

    fn event(&mut self, e: serde_json::Value) -> std::io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer(&mut self.out, &e)?;
        Ok(())
    }

    fn next_flow_id(&mut self) -> u64 {
        self.flows += 1;
        self.flows
    }

    fn finish(mut self) -> std::io::Result<()> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()
    }
}
