//! A sweep's results as charts: one panel per experiment and figure, the figure's median
//! against the axis with the most values (threads, or the switch interval for experiments
//! such as convoy that have no thread axis), one line per value of the other axes, and CPython
//! dashed in the same colour beside gilsim.

use crate::pictures::chart::{self, Chart, Series};

use super::report::{Report, Row, Samples};
use super::sweep::{Axis, Level};

/// The SVG document for `report`: its charts in a grid two wide (one chart alone if only one).
pub fn document(report: &Report) -> svg::Document {
    chart::grid(&charts(report), 2)
}

/// One chart per experiment and figure, in the report's order.
pub fn charts(report: &Report) -> Vec<Chart> {
    let mut groups: Vec<Vec<&Row>> = Vec::new();
    for row in &report.rows {
        match groups.iter_mut().find(|g| {
            g[0].experiment.name == row.experiment.name && g[0].figure.key == row.figure.key
        }) {
            Some(g) => g.push(row),
            None => groups.push(vec![row]),
        }
    }
    groups
        .iter()
        .map(|g| chart_of(g, report.python.is_some()))
        .collect()
}

/// A line's (x, median) points.
type Line = Vec<(f64, f64)>;

fn chart_of(rows: &[&Row], compared: bool) -> Chart {
    let (experiment, figure) = (rows[0].experiment, rows[0].figure);
    let distinct = |axis: Axis| {
        let mut seen: Vec<Level> = Vec::new();
        for r in rows {
            if let Some(l) = r.point.get(axis)
                && !seen.contains(&l)
            {
                seen.push(l);
            }
        }
        seen.len()
    };
    // The axis with the most values; the first in Axis::ALL order on a tie.
    let x_axis = experiment
        .axes()
        .into_iter()
        .rev()
        .max_by_key(|&a| distinct(a));
    let x_label = match x_axis {
        Some(Axis::Threads) => experiment.threads_mean.to_string(),
        Some(a) => a.chart_label().to_string(),
        None => String::new(),
    };

    // One series per combination of the other axes' values, in order of appearance.
    let mut keys: Vec<String> = Vec::new();
    // (gilsim's points, CPython's points) per series.
    let mut lines: Vec<(Line, Line)> = Vec::new();
    for row in rows {
        let key = row
            .point
            .levels
            .iter()
            .filter(|l| Some(l.axis()) != x_axis)
            .map(|&l| match l {
                Level::Threads(n) => format!("{n} {}", experiment.threads_mean),
                other => other.label(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            lines.push((Vec::new(), Vec::new()));
            keys.len() - 1
        });
        let x = x_axis.and_then(|a| row.axis_number(a)).unwrap_or(0.0);
        let point = |s: &Samples| s.median().map(|m| (x, m));
        lines[i].0.extend(point(&row.gilsim));
        if let Some(p) = &row.python {
            lines[i].1.extend(point(p));
        }
    }
    let mut series = Vec::new();
    for (i, (key, (ours, theirs))) in keys.iter().zip(lines).enumerate() {
        let name = |who: &str| {
            if key.is_empty() {
                who.to_string()
            } else {
                format!("{who}, {key}")
            }
        };
        series.push(Series {
            name: name("gilsim"),
            points: ours,
            color: i,
            dashed: false,
        });
        if compared {
            series.push(Series {
                name: name("CPython"),
                points: theirs,
                color: i,
                dashed: true,
            });
        }
    }
    // An experiment with several figures gets a panel each; the title says which.
    let which = if experiment.figures.len() > 1 {
        format!(" ({})", figure.key)
    } else {
        String::new()
    };
    Chart {
        title: format!(
            "{} {}{which}: {}",
            experiment.phenomenon, experiment.name, experiment.summary
        ),
        x_label,
        y_label: figure.label.to_string(),
        x_integers: x_axis == Some(Axis::Threads),
        series,
    }
}
