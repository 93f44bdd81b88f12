//! `--timeline FILE.svg`: the run drawn the way David Beazley drew the GIL (a row per thread,
//! time across, a colour per state, a mark at each forced switch), so a convoy or a starving
//! thread can be seen at a glance instead of inferred from a table.
//!
//! The picture is made from the spans of [`crate::observe::spans`], the intervals `--stats`
//! adds up. Time maps to pixel columns of a fixed-width plot; each column of a row takes the
//! colour of the state that filled most of its time, and equal neighbouring columns merge into
//! one rectangle. So a span wider than a pixel keeps its own rectangle, a flood of sub-pixel
//! spans (a minute of 5 ms switches, or millions of tiny ones) still colours every column it
//! touched (no span is dropped), and a row never has more rectangles than the plot has
//! columns. Forced switches are binned the same way: at most one mark per column.

use std::path::Path;
use std::time::Duration;

use svg::Document;
use svg::node::element::path::Data;
use svg::node::element::{Group, Line, Path as SvgPath, Rectangle, Text, Title};

use crate::observe::spans::{Mark, ProcessSpans, State, ThreadSpans};

/// The states the picture tells apart: the four of [`State`], without their details (the
/// native function or the blocking primitive are in each rectangle's tooltip).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Holds the GIL.
    Running,
    /// Wants the GIL.
    Waiting,
    /// Released it for native work.
    Native,
    /// Released it for a blocking wait.
    Blocked,
}

impl Kind {
    /// Every kind, in legend order.
    pub const ALL: [Kind; 4] = [Kind::Running, Kind::Waiting, Kind::Native, Kind::Blocked];

    /// The kind a span's state is drawn as.
    pub fn of(state: &State) -> Kind {
        match state {
            State::Running => Kind::Running,
            State::Waiting => Kind::Waiting,
            State::Native(_) => Kind::Native,
            State::Blocked(..) => Kind::Blocked,
        }
    }

    /// The fill colour, from the Okabe–Ito palette (told apart with the common forms of
    /// colour blindness): green runs, vermillion waits, blue works natively, grey sleeps.
    pub fn colour(self) -> &'static str {
        match self {
            Kind::Running => "#009E73",
            Kind::Waiting => "#D55E00",
            Kind::Native => "#0072B2",
            Kind::Blocked => "#A0A0A0",
        }
    }

    /// The SVG class of its rectangles (so tools and tests can find them).
    pub fn class(self) -> &'static str {
        match self {
            Kind::Running => "running",
            Kind::Waiting => "waiting",
            Kind::Native => "native",
            Kind::Blocked => "blocked",
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Kind::Running => "running (holds the GIL)",
            Kind::Waiting => "waiting for the GIL",
            Kind::Native => "native, GIL released",
            Kind::Blocked => "blocked (sleep, lock, I/O)",
        }
    }
}

/// The row background: where a thread is not alive (or holds no state).
pub const BACKGROUND: &str = "#F2F2F2";
/// The forced-switch marks.
pub const MARK_COLOUR: &str = "#1A1A1A";

/// What the picture is titled with and how wide it is.
#[derive(Clone, Debug)]
pub struct Options {
    /// The title, usually the script's path.
    pub title: String,
    /// The switch interval the run started with, shown beside the wall time.
    pub switch_interval: Option<Duration>,
    /// The GIL policy (`--gil`), named in the title.
    pub gil: Option<&'static str>,
    /// Width of the plot area in pixels: the number of time bins per row.
    pub plot_width: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            title: "gilsim run".into(),
            switch_interval: None,
            gil: None,
            plot_width: 1200,
        }
    }
}

const MARGIN: i64 = 16;
const TITLE_H: i64 = 30;
const LEGEND_H: i64 = 30;
const AXIS_H: i64 = 46;
const FONT: f64 = 12.0;
/// Rows share about this many pixels, within [`MIN_PITCH`, `MAX_PITCH`] each.
const ROWS_HEIGHT: i64 = 520;
const MIN_PITCH: i64 = 4;
const MAX_PITCH: i64 = 36;
const MAX_LABEL_CHARS: usize = 32;

/// Time to pixel columns: `cols` columns of `ns_per_col` from the run's start.
#[derive(Clone, Copy, Debug)]
struct Scale {
    cols: usize,
    ns_per_col: f64,
}

impl Scale {
    fn new(end_ns: u64, cols: u32) -> Scale {
        let cols = cols.max(1) as usize;
        Scale {
            cols,
            ns_per_col: end_ns.max(1) as f64 / cols as f64,
        }
    }

    /// Where `t_ns` falls, in (fractional) columns.
    fn col(&self, t_ns: u64) -> f64 {
        (t_ns as f64 / self.ns_per_col).min(self.cols as f64)
    }

    fn ns(&self, col: usize) -> f64 {
        col as f64 * self.ns_per_col
    }
}

/// A run of equal columns in one row: one rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    first: usize,
    /// One past the last column.
    end: usize,
    kind: Kind,
    /// The state of the longest span of `kind` in the first column (for the tooltip).
    state: State,
    /// The run stands for several spans of its kind (the columns' majority), not for one
    /// span drawn to its own extent.
    mixed: bool,
}

/// What one column of a row saw of one kind.
#[derive(Clone, Copy, Default)]
struct Cell {
    /// Time in this kind, in columns.
    time: f64,
    /// Spans of this kind that touched the column.
    spans: u32,
    /// The longest piece: its length and the index of its span.
    longest: (f64, usize),
}

/// One thread's spans binned to columns and merged into runs; every column any span touched
/// is in a major run.
fn thread_runs(t: &ThreadSpans, scale: &Scale) -> RowRuns {
    let n = scale.cols;
    let mut cells = vec![[Cell::default(); 4]; n];
    for (i, s) in t.spans.iter().enumerate() {
        if s.end_ns <= s.start_ns {
            continue;
        }
        let (a, b) = (scale.col(s.start_ns), scale.col(s.end_ns));
        let k = Kind::of(&s.state) as usize;
        let first = (a.floor() as usize).min(n - 1);
        let last = (b.ceil() as usize).clamp(first + 1, n);
        for (c, col) in cells.iter_mut().enumerate().take(last).skip(first) {
            // Never zero, so a span too short for f64 to see still counts where it lies.
            let piece = (b.min(c as f64 + 1.0) - a.max(c as f64)).max(1e-12);
            let cell = &mut col[k];
            cell.time += piece;
            cell.spans += 1;
            if piece > cell.longest.0 {
                cell.longest = (piece, i);
            }
        }
    }
    // Per column, the kinds present, most time first (ties in legend order).
    let ranked: Vec<[Option<usize>; 2]> = cells
        .iter()
        .map(|col| {
            let mut ks: Vec<usize> = (0..4).filter(|&k| col[k].spans > 0).collect();
            ks.sort_by(|&x, &y| col[y].time.total_cmp(&col[x].time).then(x.cmp(&y)));
            [ks.first().copied(), ks.get(1).copied()]
        })
        .collect();
    let major = coalesce(t, &cells, ranked.iter().map(|r| r[0]));
    // The runner-up, unless a neighbouring column is mostly that kind anyway (the edge of a
    // span wider than a column is no news).
    let minor_kinds = (0..n).map(|c| {
        ranked[c][1].filter(|&k| {
            let next_to = |d: Option<usize>| d.and_then(|d| ranked.get(d)).map(|r| r[0]);
            next_to(c.checked_sub(1)) != Some(Some(k)) && next_to(Some(c + 1)) != Some(Some(k))
        })
    });
    let minor = coalesce(t, &cells, minor_kinds);
    RowRuns { major, minor }
}

/// A row's rectangles: each column's main state, and the briefer state under it (a thread
/// that waits 5 ms for every few microseconds of running still shows each time it ran).
struct RowRuns {
    major: Vec<Run>,
    minor: Vec<Run>,
}

/// Merges neighbouring columns of the same kind (`None`: nothing drawn) into runs.
fn coalesce(
    t: &ThreadSpans,
    cells: &[[Cell; 4]],
    kinds: impl Iterator<Item = Option<usize>>,
) -> Vec<Run> {
    let mut runs: Vec<Run> = vec![];
    // The span the current run was started by.
    let mut run_span = usize::MAX;
    for (c, k) in kinds.enumerate() {
        let Some(k) = k else { continue };
        let (kind, cell) = (Kind::ALL[k], cells[c][k]);
        match runs.last_mut() {
            Some(r) if r.end == c && r.kind == kind => {
                r.end = c + 1;
                r.mixed |= cell.longest.1 != run_span;
            }
            _ => {
                run_span = cell.longest.1;
                runs.push(Run {
                    first: c,
                    end: c + 1,
                    kind,
                    state: t.spans[run_span].state,
                    mixed: cell.spans > 1,
                })
            }
        }
    }
    runs
}

/// One thread's forced switches binned to columns: (first column, end column, count) for each
/// run of neighbouring columns that have one.
fn mark_runs(t: &ThreadSpans, scale: &Scale) -> Vec<(usize, usize, usize)> {
    let mut per_col = vec![0usize; scale.cols];
    for m in &t.marks {
        if let Mark::ForcedDrop { t_ns } = m {
            let c = (scale.col(*t_ns) as usize).min(scale.cols - 1);
            per_col[c] += 1;
        }
    }
    let mut runs: Vec<(usize, usize, usize)> = vec![];
    for (c, &count) in per_col.iter().enumerate() {
        if count == 0 {
            continue;
        }
        match runs.last_mut() {
            Some(r) if r.1 == c => {
                r.1 = c + 1;
                r.2 += count;
            }
            _ => runs.push((c, c + 1, count)),
        }
    }
    runs
}

/// The time axis: a unit suited to the run's length and round tick values in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// `us`, `ms`, `s` or `min`.
    pub unit: &'static str,
    /// Nanoseconds per unit.
    pub unit_ns: f64,
    /// The tick step, in nanoseconds: 1, 2 or 5 times a power of ten of the unit.
    pub step_ns: f64,
    /// Each tick's time in nanoseconds and its label, from 0 to the end of the range.
    pub ticks: Vec<(f64, String)>,
}

/// The unit a duration of `ns` reads best in (up to 2000 of it).
fn unit_for(ns: f64) -> (&'static str, f64) {
    if ns < 2e6 {
        ("us", 1e3)
    } else if ns < 2e9 {
        ("ms", 1e6)
    } else if ns < 180e9 {
        ("s", 1e9)
    } else {
        ("min", 60e9)
    }
}

/// Chooses ticks for a range of `range_ns` from 0: about `target` of them, at 1-2-5 steps of
/// the unit the range reads best in.
pub fn axis(range_ns: u64, target: usize) -> Axis {
    let range = range_ns.max(1) as f64;
    let (unit, unit_ns) = unit_for(range);
    let raw = range / unit_ns / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let step_ns = step * unit_ns;
    let ticks = (0..)
        .map(|k| k as f64 * step_ns)
        .take_while(|t| *t <= range * (1.0 + 1e-9))
        .map(|t| match t {
            0.0 => (t, "0".to_string()),
            _ => (t, format!("{:.*}", decimals, t / unit_ns)),
        })
        .collect();
    Axis {
        unit,
        unit_ns,
        step_ns,
        ticks,
    }
}

/// A duration for the title, to three significant figures in the unit it reads best in
/// (`263 ms`, `1.01 s`, `5 ms`).
fn duration_text(ns: f64) -> String {
    let (unit, unit_ns) = if ns < 1e3 {
        ("ns", 1.0)
    } else if ns < 1e6 {
        ("us", 1e3)
    } else if ns < 1e9 {
        ("ms", 1e6)
    } else if ns < 120e9 {
        ("s", 1e9)
    } else {
        ("min", 60e9)
    };
    let v = ns / unit_ns;
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text} {unit}")
}

fn time_text(ns: f64, axis: &Axis) -> String {
    format!("{:.3} {}", ns / axis.unit_ns, axis.unit)
}

/// A thread's or process's label, cut to fit the label column.
fn short(label: &str) -> String {
    if label.chars().count() > MAX_LABEL_CHARS {
        let cut: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        cut + "…"
    } else {
        label.to_string()
    }
}

/// Roughly how wide `chars` characters of sans-serif text at `size` px are (no font metrics
/// needed: the layout only has to leave enough room).
fn text_width(chars: usize, size: f64) -> f64 {
    chars as f64 * size * 0.56
}

enum Row<'a> {
    Process(&'a ProcessSpans),
    Thread(&'a ThreadSpans),
}

fn text(x: f64, y: f64, size: f64, content: impl Into<String>) -> Text {
    Text::new(content)
        .set("x", x)
        .set("y", y)
        .set("font-size", size)
}

fn rect(x: f64, y: f64, w: f64, h: f64, fill: &str) -> Rectangle {
    Rectangle::new()
        .set("x", x)
        .set("y", y)
        .set("width", w)
        .set("height", h)
        .set("fill", fill)
}

/// A downward mark over columns `[x0, x1)` ending at `y` (a triangle for one column, a
/// trapezoid for a run of them).
fn mark(x0: f64, x1: f64, y: f64, h: f64) -> SvgPath {
    let half = (h * 0.6).max(1.5);
    let data = Data::new()
        .move_to((x0 - half, y - h))
        .line_to((x1 + half, y - h))
        .line_to((x1, y))
        .line_to((x0, y))
        .close();
    SvgPath::new().set("d", data).set("fill", MARK_COLOUR)
}

/// Draws every process of a run (main first), a row per thread, grouped by process when
/// there are several.
pub fn render(run: &[ProcessSpans], opts: &Options) -> Document {
    let end_ns = run
        .iter()
        .flat_map(|p| std::iter::once(p.end_ns).chain(p.threads.iter().map(|t| t.end_ns)))
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = Scale::new(end_ns, opts.plot_width);
    let plot_w = scale.cols as f64;
    let grouped = run.len() > 1;

    let mut rows: Vec<Row> = vec![];
    for p in run {
        if grouped {
            rows.push(Row::Process(p));
        }
        let mut threads: Vec<&ThreadSpans> = p.threads.iter().collect();
        threads.sort_by_key(|t| t.start_ns);
        rows.extend(threads.into_iter().map(Row::Thread));
    }
    let n_threads = rows.iter().filter(|r| matches!(r, Row::Thread(_))).count();

    let pitch = (ROWS_HEIGHT / rows.len().max(1) as i64).clamp(MIN_PITCH, MAX_PITCH);
    let bar = (pitch * 3 / 4).max(3).min(pitch);
    let gap = pitch - bar;
    let label_size = (bar as f64 * 0.8).clamp(5.0, FONT);
    let indent = if grouped { 12.0 } else { 0.0 };
    let labels: Vec<String> = rows
        .iter()
        .map(|r| match r {
            Row::Process(p) => short(&format!("{} (pid {})", p.record.name, p.record.pid)),
            Row::Thread(t) => short(&t.name),
        })
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l.chars().count(), label_size) + indent)
        .fold(60.0, f64::max)
        .min(260.0)
        .ceil();

    let left = MARGIN as f64 + label_w + 8.0;
    let top = (MARGIN + TITLE_H + LEGEND_H) as f64;
    let rows_h = (rows.len() as i64 * pitch) as f64;
    let width = left + plot_w + MARGIN as f64 + 24.0;
    let height = top + rows_h + AXIS_H as f64 + MARGIN as f64;
    let axis = axis(end_ns, (scale.cols / 110).max(2));

    // Title and legend.
    let mut title = format!(
        "{}: {} wall, {} thread{}",
        opts.title,
        duration_text(end_ns as f64),
        n_threads,
        if n_threads == 1 { "" } else { "s" }
    );
    if grouped {
        title += &format!(" in {} processes", run.len());
    }
    if let Some(si) = opts.switch_interval {
        title += &format!(", switch interval {}", duration_text(si.as_nanos() as f64));
    }
    if let Some(gil) = opts.gil {
        title += &format!(", --gil {gil}");
    }
    let mut doc = Document::new()
        .set("width", width)
        .set("height", height)
        .set("viewBox", (0, 0, width, height))
        .set("font-family", "DejaVu Sans, Helvetica, Arial, sans-serif")
        .add(rect(0.0, 0.0, width, height, "#FFFFFF"))
        .add(
            text(MARGIN as f64, (MARGIN + 18) as f64, 16.0, title)
                .set("font-weight", "bold")
                .set("class", "title"),
        );
    let mut legend = Group::new().set("class", "legend");
    let ly = (MARGIN + TITLE_H) as f64 + 4.0;
    let mut lx = left;
    for kind in Kind::ALL {
        legend = legend
            .add(rect(lx, ly, 14.0, 14.0, kind.colour()).set("class", "swatch"))
            .add(text(lx + 19.0, ly + 11.5, FONT, kind.legend()));
        lx += 19.0 + text_width(kind.legend().len(), FONT) + 18.0;
    }
    let forced = "forced switch (GIL dropped on request)";
    legend = legend
        .add(mark(lx + 4.0, lx + 5.0, ly + 12.0, 9.0))
        .add(text(lx + 16.0, ly + 11.5, FONT, forced));
    lx += 16.0 + text_width(forced.len(), FONT) + 18.0;
    legend = legend
        .add(
            rect(lx, ly, 14.0, 14.0, BACKGROUND)
                .set("stroke", "#CCCCCC")
                .set("class", "swatch"),
        )
        .add(text(lx + 19.0, ly + 11.5, FONT, "not alive"));
    doc = doc.add(legend);

    // Grid lines at the ticks, behind the rows.
    let x_of = |ns: f64| left + ns / scale.ns_per_col;
    let mut grid = Group::new().set("stroke", "#DDDDDD").set("stroke-width", 1);
    for (t, _) in &axis.ticks {
        let x = x_of(*t).round() + 0.5;
        grid = grid.add(
            Line::new()
                .set("x1", x)
                .set("y1", top - 2.0)
                .set("x2", x)
                .set("y2", top + rows_h),
        );
    }
    doc = doc.add(grid);

    // The rows.
    let mut body = Group::new().set("shape-rendering", "crispEdges");
    for (i, (row, label)) in rows.iter().zip(&labels).enumerate() {
        let y = top + (i as i64 * pitch + gap) as f64;
        let text_y = y + bar as f64 / 2.0 + label_size * 0.35;
        match row {
            Row::Process(p) => {
                let x0 = x_of(p.record.started_ns as f64);
                let x1 = x_of(p.end_ns as f64).max(x0 + 1.0);
                let life_h = (bar as f64 / 4.0).max(1.0);
                body = body
                    .add(
                        text(MARGIN as f64, text_y, label_size, label.clone())
                            .set("font-weight", "bold")
                            .set("class", "process-label"),
                    )
                    .add(
                        rect(
                            x0,
                            y + (bar as f64 - life_h) / 2.0,
                            x1 - x0,
                            life_h,
                            "#888888",
                        )
                        .set("class", "process-life")
                        .add(Title::new(format!(
                            "{} (pid {}): {} to {}",
                            p.record.name,
                            p.record.pid,
                            time_text(p.record.started_ns as f64, &axis),
                            time_text(p.end_ns as f64, &axis)
                        ))),
                    );
            }
            Row::Thread(t) => {
                let mut g = Group::new().set("class", "thread");
                g = g
                    .add(
                        text(MARGIN as f64 + indent, text_y, label_size, label.clone())
                            .set("class", "row-label"),
                    )
                    .add(rect(left, y, plot_w, bar as f64, BACKGROUND).set("class", "row"));
                let runs = thread_runs(t, &scale);
                let strip = (bar as f64 / 4.0).max(2.0).min(bar as f64);
                let layers = [
                    (&runs.major, 0.0, bar as f64, ""),
                    (&runs.minor, bar as f64 - strip, strip, "also "),
                ];
                for (list, dy, h, also) in layers {
                    for r in list {
                        let what = if r.mixed {
                            format!("{also}mostly {}", r.kind.legend())
                        } else {
                            format!("{also}{}", r.state.label())
                        };
                        let class = if also.is_empty() {
                            "span"
                        } else {
                            "span minor"
                        };
                        g = g.add(
                            rect(
                                left + r.first as f64,
                                y + dy,
                                (r.end - r.first) as f64,
                                h,
                                r.kind.colour(),
                            )
                            .set("class", format!("{class} {}", r.kind.class()))
                            .add(Title::new(format!(
                                "{}: {}, {} to {}",
                                t.name,
                                what,
                                time_text(scale.ns(r.first), &axis),
                                time_text(scale.ns(r.end), &axis)
                            ))),
                        );
                    }
                }
                let mark_h = (gap as f64).min(7.0);
                if mark_h >= 2.0 {
                    for (c0, c1, count) in mark_runs(t, &scale) {
                        g = g.add(
                            mark(left + c0 as f64, left + c1 as f64, y, mark_h)
                                .set("class", "forced")
                                .add(Title::new(format!(
                                    "{}: {count} forced switch{} at {}",
                                    t.name,
                                    if count == 1 { "" } else { "es" },
                                    time_text(scale.ns(c0), &axis)
                                ))),
                        );
                    }
                }
                body = body.add(g);
            }
        }
    }
    doc = doc.add(body);

    // The time axis.
    let ay = top + rows_h + 4.0;
    let mut ax = Group::new().set("class", "axis").add(
        Line::new()
            .set("x1", left)
            .set("y1", ay)
            .set("x2", left + plot_w)
            .set("y2", ay)
            .set("stroke", "#333333"),
    );
    for (t, label) in &axis.ticks {
        let x = x_of(*t).round() + 0.5;
        ax = ax
            .add(
                Line::new()
                    .set("x1", x)
                    .set("y1", ay)
                    .set("x2", x)
                    .set("y2", ay + 5.0)
                    .set("stroke", "#333333"),
            )
            .add(text(x, ay + 18.0, FONT, label.clone()).set("text-anchor", "middle"));
    }
    ax = ax.add(
        text(
            left + plot_w / 2.0,
            ay + 36.0,
            FONT,
            format!("time since the run started ({})", axis.unit),
        )
        .set("text-anchor", "middle"),
    );
    ax = ax.add(
        text(
            left + plot_w,
            ay + 36.0,
            FONT - 2.0,
            "a pixel column shows the state that filled most of it; a strip under it, the next",
        )
        .set("text-anchor", "end")
        .set("fill", "#666666"),
    );
    doc.add(ax)
}

/// Renders the run and writes it to `path`; the error says which file could not be written.
pub fn write(path: &Path, run: &[ProcessSpans], opts: &Options) -> Result<(), String> {
    let doc = render(run, opts);
    std::fs::write(path, doc.to_string())
        .map_err(|e| format!("can't write the timeline to {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::spans::Span;
    use crate::observe::{ProcessRecord, Recorder};
    use std::sync::Arc;

    fn process(threads: Vec<ThreadSpans>, end_ns: u64) -> ProcessSpans {
        ProcessSpans {
            record: ProcessRecord {
                pid: 1,
                name: "MainProcess".into(),
                started_ns: 0,
                recorder: Recorder::new_run(1, Arc::default()),
                bytes_sent: Arc::default(),
                os: None,
            },
            end_ns,
            threads,
        }
    }

    /// A thread alternating running and waiting in `n` spans of `each_ns`, with a forced
    /// switch at the end of each running span.
    fn alternating(n: u64, each_ns: u64) -> ThreadSpans {
        let spans = (0..n)
            .map(|i| Span {
                start_ns: i * each_ns,
                end_ns: (i + 1) * each_ns,
                state: if i % 2 == 0 {
                    State::Running
                } else {
                    State::Waiting
                },
                acquired: i % 2 == 1,
            })
            .collect();
        let marks = (0..n)
            .step_by(2)
            .map(|i| Mark::ForcedDrop {
                t_ns: (i + 1) * each_ns,
            })
            .collect();
        ThreadSpans {
            ident: 1,
            name: "spinner".into(),
            start_ns: 0,
            end_ns: n * each_ns,
            ended: true,
            spans,
            marks,
            acquisitions: n / 2,
        }
    }

    #[test]
    fn a_million_tiny_spans_bin_to_a_bounded_picture_covering_the_run() {
        let t = alternating(1_000_000, 60_000); // a minute of 60 us slices
        let scale = Scale::new(t.end_ns, 1200);
        let RowRuns { major: runs, minor } = thread_runs(&t, &scale);
        assert!(runs.len() <= 1200 && minor.len() <= 1200);
        assert_eq!(runs.first().unwrap().first, 0);
        assert_eq!(runs.last().unwrap().end, 1200);
        assert!(runs.windows(2).all(|w| w[0].end == w[1].first), "no gaps");
        assert!(mark_runs(&t, &scale).len() <= 600);

        let svg = render(&[process(vec![t], 60_000_000_000)], &Options::default()).to_string();
        let shapes = svg.matches("<rect").count() + svg.matches("<path").count();
        assert!(shapes < 3100, "{shapes} rectangles and marks");
        assert!(svg.contains("time since the run started (s)"));
    }

    #[test]
    fn a_span_wider_than_a_column_keeps_its_extent_and_a_short_one_is_not_dropped() {
        let mut t = alternating(2, 500);
        // 0..500 running, 500..1000 waiting; then blocked 1000..1001 (far below a column).
        t.spans.push(Span {
            start_ns: 1000,
            end_ns: 1001,
            state: State::Blocked("sleep", 0),
            acquired: false,
        });
        let scale = Scale::new(2000, 100); // 20 ns a column
        let runs = thread_runs(&t, &scale);
        assert!(
            runs.minor.is_empty(),
            "the edges of wide spans make no strips"
        );
        let got: Vec<(usize, usize, Kind, bool)> = runs
            .major
            .iter()
            .map(|r| (r.first, r.end, r.kind, r.mixed))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 25, Kind::Running, false),
                (25, 50, Kind::Waiting, false),
                (50, 51, Kind::Blocked, false),
            ]
        );
    }

    #[test]
    fn durations_read_in_their_unit() {
        let cases = [
            (5e6, "5 ms"),
            (263.4e6, "263 ms"),
            (1.014e9, "1.01 s"),
            (42e3, "42 us"),
            (300e9, "5 min"),
        ];
        for (ns, text) in cases {
            assert_eq!(duration_text(ns), text);
        }
    }

    #[test]
    fn ticks_are_round_and_in_the_unit_the_run_reads_in() {
        let a = axis(1_000_000_000, 10); // 1 s
        assert_eq!((a.unit, a.step_ns), ("ms", 100e6));
        assert_eq!(a.ticks.len(), 11);
        assert_eq!(a.ticks[3].1, "300");
        let a = axis(3_700_000, 10); // 3.7 ms
        assert_eq!((a.unit, a.step_ns), ("ms", 0.5e6));
        assert_eq!(a.ticks[1].1, "0.5");
        assert_eq!(a.ticks.last().unwrap().1, "3.5");
        let a = axis(850_000, 10); // 850 us
        assert_eq!((a.unit, a.step_ns), ("us", 100e3));
        let a = axis(42_000_000_000, 10); // 42 s
        assert_eq!((a.unit, a.step_ns), ("s", 5e9));
        let a = axis(600_000_000_000, 10); // 10 min
        assert_eq!((a.unit, a.step_ns), ("min", 60e9));
        let a = axis(1, 10);
        assert_eq!(a.ticks[0].1, "0");
        for n in [1u64, 7, 999, 123_456, 9_999_999, 77_777_777_777] {
            let a = axis(n, 10);
            let count = a.ticks.len();
            assert!((2..=21).contains(&count) || n < 10, "{n}: {count} ticks");
            let step = a.step_ns / a.unit_ns;
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9),
                "{n}: step {step}"
            );
        }
    }
}
