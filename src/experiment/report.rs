//! A sweep's results: the repeated runs of each figure at each point folded into a median and
//! a spread, and the three ways they leave the program (an aligned table, CSV, JSON). Medians
//! because a 2-core machine shared with other work gives the occasional wild run; the spread
//! (min..max) says how much to trust the median.

use serde_json::{Value, json};

use super::sweep::{Axis, Level, Point};
use super::{Experiment, Figure};
use crate::duration::trim_number;

/// The values one interpreter gave for one figure at one point, and the runs that gave none.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// The figure from each run that gave one, in run order.
    pub values: Vec<f64>,
    /// Why each other run gave none.
    pub errors: Vec<String>,
}

impl Samples {
    /// The median of the values (the mean of the middle two for an even count).
    pub fn median(&self) -> Option<f64> {
        let mut v = self.values.clone();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let mid = v.len() / 2;
        Some(if v.len() % 2 == 1 {
            v[mid]
        } else {
            (v[mid - 1] + v[mid]) / 2.0
        })
    }

    /// The smallest value.
    pub fn min(&self) -> Option<f64> {
        self.values.iter().copied().min_by(f64::total_cmp)
    }

    /// The largest value.
    pub fn max(&self) -> Option<f64> {
        self.values.iter().copied().max_by(f64::total_cmp)
    }

    fn median_cell(&self) -> String {
        self.median()
            .map_or_else(|| "error".to_string(), |m| format!("{m:.2}"))
    }

    fn spread_cell(&self) -> String {
        let range = match (self.min(), self.max()) {
            (Some(lo), Some(hi)) if self.values.len() > 1 => format!("{lo:.2}..{hi:.2}"),
            _ => "-".to_string(),
        };
        match self.errors.len() {
            0 => range,
            n => format!("{range} ({n} failed)"),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "median": self.median().map(json_number),
            "min": self.min().map(json_number),
            "max": self.max().map(json_number),
            "values": self.values.iter().copied().map(json_number).collect::<Vec<_>>(),
            "errors": self.errors,
        })
    }
}

/// One figure of one experiment at one point of the sweep.
#[derive(Debug)]
pub struct Row {
    /// The experiment measured.
    pub experiment: &'static Experiment,
    /// Which of its figures this row holds.
    pub figure: &'static Figure,
    /// The work size the script was given.
    pub size: u64,
    /// Where in the sweep.
    pub point: Point,
    /// gilsim's samples.
    pub gilsim: Samples,
    /// CPython's samples, when `--compare-python` was given.
    pub python: Option<Samples>,
}

impl Row {
    /// The point's value on `axis` as a table cell (`-` when the experiment lacks the axis).
    fn axis_cell(&self, axis: Axis) -> String {
        self.point
            .get(axis)
            .map_or_else(|| "-".into(), |l| l.label())
    }

    /// The point's value on `axis` as a number (threads, or milliseconds), if it has one.
    pub fn axis_number(&self, axis: Axis) -> Option<f64> {
        self.point.get(axis).and_then(|l| l.number())
    }

    /// The point's value on `axis` for CSV and JSON: a number, or a policy's name.
    fn axis_value(&self, axis: Axis) -> Value {
        match self.point.get(axis) {
            Some(Level::Gil(p)) => json!(p.name),
            other => json!(other.and_then(|l| l.number()).map(json_number)),
        }
    }
}

/// The results of a whole sweep, in the order it ran.
#[derive(Debug)]
pub struct Report {
    /// Experiment by experiment, point by point, figure by figure.
    pub rows: Vec<Row>,
    /// Runs per point and interpreter.
    pub repeat: usize,
    /// The CPython compared against (`python3: Python 3.11.7`), if any.
    pub python: Option<String>,
}

impl Report {
    /// The aligned table printed on stdout.
    pub fn table(&self) -> String {
        let mut header = vec!["experiment", "figure"];
        header.extend(Axis::ALL.map(Axis::name));
        header.extend(["gilsim", "spread"]);
        if self.python.is_some() {
            header.extend(["cpython", "spread"]);
        }
        header.extend(["FIDELITY cpython", "gilsim band"]);
        let numeric: Vec<bool> = header
            .iter()
            .map(|h| matches!(*h, "threads" | "interval" | "gilsim" | "cpython"))
            .collect();
        let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        for row in &self.rows {
            let mut cells = vec![
                format!("{} {}", row.experiment.phenomenon, row.experiment.name),
                row.figure.key.to_string(),
            ];
            cells.extend(Axis::ALL.map(|a| row.axis_cell(a)));
            cells.extend([row.gilsim.median_cell(), row.gilsim.spread_cell()]);
            if let Some(p) = &row.python {
                cells.extend([p.median_cell(), p.spread_cell()]);
            } else if self.python.is_some() {
                cells.extend(["-".into(), "-".into()]);
            }
            cells.extend([row.figure.cpython.into(), row.figure.band.into()]);
            lines.push(cells);
        }
        let widths = column_widths(&lines);
        let mut out = String::new();
        for line in &lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((cell, &w), &num)| {
                    if num {
                        format!("{cell:>w$}")
                    } else {
                        format!("{cell:<w$}")
                    }
                })
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }

    /// CSV with a header: one row per figure and point, the same columns whether or not
    /// CPython was compared (its cells are then empty).
    pub fn csv(&self) -> String {
        let mut header: Vec<String> = ["experiment", "phenomenon", "figure"]
            .map(String::from)
            .to_vec();
        header.extend(Axis::ALL.map(|a| a.column().to_string()));
        header.push("size".into());
        for who in ["gilsim", "python"] {
            for what in ["median", "min", "max", "runs", "errors"] {
                header.push(format!("{who}_{what}"));
            }
        }
        header.extend(["cpython_fidelity", "gilsim_band"].map(String::from));
        let mut out = header.join(",") + "\n";
        let num = |x: Option<f64>| x.map_or(String::new(), |v| trim_number(v, 6));
        let samples = |s: Option<&Samples>| -> Vec<String> {
            match s {
                Some(s) => vec![
                    num(s.median()),
                    num(s.min()),
                    num(s.max()),
                    s.values.len().to_string(),
                    s.errors.join("; "),
                ],
                None => vec![String::new(); 5],
            }
        };
        for row in &self.rows {
            let mut cells = vec![
                row.experiment.name.to_string(),
                row.experiment.phenomenon.to_string(),
                row.figure.key.to_string(),
            ];
            cells.extend(Axis::ALL.map(|a| match row.axis_value(a) {
                Value::String(name) => name,
                other => num(other.as_f64()),
            }));
            cells.push(row.size.to_string());
            cells.extend(samples(Some(&row.gilsim)));
            cells.extend(samples(row.python.as_ref()));
            cells.extend([row.figure.cpython.to_string(), row.figure.band.to_string()]);
            let cells: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }

    /// JSON: the sweep's settings and one record per figure and point.
    pub fn json(&self) -> Value {
        let records: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let mut record = json!({
                    "experiment": row.experiment.name,
                    "phenomenon": row.experiment.phenomenon,
                    "figure": row.figure.key,
                    "label": row.figure.label,
                    "size": row.size,
                    "gilsim": row.gilsim.to_json(),
                    "python": row.python.as_ref().map(Samples::to_json),
                    "cpython_fidelity": row.figure.cpython,
                    "gilsim_band": row.figure.band,
                });
                for axis in Axis::ALL {
                    record[axis.column()] = row.axis_value(axis);
                }
                record
            })
            .collect();
        json!({
            "repeat": self.repeat,
            "python": self.python,
            "records": records,
        })
    }

    /// Every failed run, one line each (`cpu-threads threads=8 interval=1ms, gilsim: ...`).
    /// A run that failed fails every figure of its point, so each is reported once, under the
    /// point's first figure.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for row in &self.rows {
            if row.figure.key != row.experiment.figures[0].key {
                continue;
            }
            let name = format!("{} {}", row.experiment.name, row.point.describe());
            for e in &row.gilsim.errors {
                out.push(format!("{}, gilsim: {e}", name.trim_end()));
            }
            for e in row.python.iter().flat_map(|p| &p.errors) {
                out.push(format!("{}, python: {e}", name.trim_end()));
            }
        }
        out
    }
}

/// A number for JSON: an integer when it is one (threads: 4, not 4.0), otherwise rounded to
/// six decimals (the scripts print four; more is float noise from taking medians).
fn json_number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!((value * 1e6).round() / 1e6)
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The width of each column of a table (rows of cells), for aligning it.
pub(super) fn column_widths<Row: AsRef<[String]>>(lines: &[Row]) -> Vec<usize> {
    let columns = lines.iter().map(|l| l.as_ref().len()).max().unwrap_or(0);
    (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.as_ref().get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(values: &[f64]) -> Samples {
        Samples {
            values: values.to_vec(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn medians_and_spread() {
        assert_eq!(samples(&[3.0, 1.0, 2.0]).median(), Some(2.0));
        assert_eq!(samples(&[4.0, 1.0, 2.0, 3.0]).median(), Some(2.5));
        assert_eq!(samples(&[]).median(), None);
        let s = samples(&[0.9, 1.1, 1.0]);
        assert_eq!((s.min(), s.max()), (Some(0.9), Some(1.1)));
        assert_eq!(s.spread_cell(), "0.90..1.10");
        assert_eq!(samples(&[1.0]).spread_cell(), "-");
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
