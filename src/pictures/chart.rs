//! A general line chart as SVG: a title, axes with units and round tick values, one polyline
//! with point markers per series, and a legend. Several charts can share one file as a grid
//! ([`grid`]), which is how `gilsim experiment all --plot` shows every figure at once.
//!
//! Built with the `svg` crate's element tree (never by pasting strings together), and laid out
//! without font metrics: text is placed by anchor (start, middle, end) in fixed-size panels,
//! with room for labels of ordinary length.

use svg::Document;
use svg::node::element::{Circle, Group, Line, Polyline, Rectangle, Text};

use crate::duration::trim_number;

/// One panel's size in SVG user units (pixels).
pub const WIDTH: f64 = 640.0;
/// One panel's height.
pub const HEIGHT: f64 = 360.0;

const LEFT: f64 = 64.0;
const TOP: f64 = 42.0;
const BOTTOM: f64 = 52.0;
const LEGEND: f64 = 190.0;
const FONT: &str = "sans-serif";

/// Tableau's ten colours: distinct for the common kinds of colour blindness.
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// The legend entry.
    pub name: String,
    /// (x, y) in data units; drawn in the order given.
    pub points: Vec<(f64, f64)>,
    /// Index into the palette, so related series (gilsim and CPython at one setting) can share
    /// a colour.
    pub color: usize,
    /// Dashed line and hollow markers (a reference, such as CPython, beside the solid lines).
    pub dashed: bool,
}

/// A line chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Centred above the plot.
    pub title: String,
    /// The x axis's label, with its unit.
    pub x_label: String,
    /// The y axis's label, with its unit.
    pub y_label: String,
    /// x values are counts (threads, processes): ticks only at whole numbers.
    pub x_integers: bool,
    /// The lines, listed in this order in the legend.
    pub series: Vec<Series>,
}

impl Chart {
    /// The chart alone as an SVG document.
    pub fn to_document(&self) -> Document {
        grid(std::slice::from_ref(self), 1)
    }

    /// The chart drawn into a group covering (0, 0) to ([`WIDTH`], [`HEIGHT`]).
    pub fn to_group(&self) -> Group {
        let all: Vec<(f64, f64)> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let (xs, ys): (Vec<f64>, Vec<f64>) = all.iter().copied().unzip();
        let mut x_ticks = nice_ticks(min(&xs).unwrap_or(0.0), max(&xs).unwrap_or(1.0), 6);
        if self.x_integers && x_ticks.len() > 1 && x_ticks[1] - x_ticks[0] < 1.0 {
            let (lo, hi) = (x_ticks[0].floor(), x_ticks.last().unwrap().ceil());
            x_ticks = (lo as i64..=hi as i64).map(|i| i as f64).collect();
        }
        // A y axis from zero: ratios, latencies and percentages read wrongly from any other base.
        let y_ticks = nice_ticks(
            min(&ys).unwrap_or(0.0).min(0.0),
            max(&ys).unwrap_or(1.0).max(0.0),
            6,
        );
        let (x0, x1) = (x_ticks[0], *x_ticks.last().unwrap());
        let (y0, y1) = (y_ticks[0], *y_ticks.last().unwrap());
        let right = WIDTH - LEGEND;
        let bottom = HEIGHT - BOTTOM;
        let sx = |x: f64| LEFT + (x - x0) / (x1 - x0) * (right - LEFT);
        let sy = |y: f64| bottom - (y - y0) / (y1 - y0) * (bottom - TOP);

        let mut g = Group::new()
            .set("font-family", FONT)
            .add(
                Rectangle::new()
                    .set("width", WIDTH)
                    .set("height", HEIGHT)
                    .set("fill", "white"),
            )
            .add(
                text(&self.title, WIDTH / 2.0, 24.0, "middle")
                    .set("font-size", 15)
                    .set("font-weight", "bold"),
            );

        for &y in &y_ticks {
            let py = sy(y);
            g = g
                .add(line((LEFT, py), (right, py), "#e4e4e4"))
                .add(text(&tick_label(y), LEFT - 6.0, py + 4.0, "end").set("font-size", 11));
        }
        for &x in &x_ticks {
            let px = sx(x);
            g = g
                .add(line((px, bottom), (px, bottom + 5.0), "#333"))
                .add(text(&tick_label(x), px, bottom + 18.0, "middle").set("font-size", 11));
        }
        g = g
            .add(line((LEFT, bottom), (right, bottom), "#333"))
            .add(line((LEFT, TOP), (LEFT, bottom), "#333"))
            .add(
                text(&self.x_label, (LEFT + right) / 2.0, HEIGHT - 12.0, "middle")
                    .set("font-size", 12),
            )
            .add(
                text(&self.y_label, 0.0, 0.0, "middle")
                    .set("font-size", 12)
                    .set(
                        "transform",
                        format!("translate(16,{}) rotate(-90)", (TOP + bottom) / 2.0),
                    ),
            );

        for s in &self.series {
            let color = PALETTE[s.color % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|&(x, y)| (sx(x), sy(y)))
                .collect();
            let mut series = Group::new().set("class", "series");
            let mut poly = Polyline::new()
                .set("points", points_attr(&pts))
                .set("fill", "none")
                .set("stroke", color)
                .set("stroke-width", 2);
            if s.dashed {
                poly = poly.set("stroke-dasharray", "6 4");
            }
            series = series.add(poly);
            for &(px, py) in &pts {
                series = series.add(marker(px, py, color, s.dashed));
            }
            g = g.add(series);
        }

        let lx = right + 16.0;
        for (i, s) in self.series.iter().enumerate() {
            let color = PALETTE[s.color % PALETTE.len()];
            let ly = TOP + 8.0 + 18.0 * i as f64;
            let mut sample = line((lx, ly), (lx + 26.0, ly), color).set("stroke-width", 2);
            if s.dashed {
                sample = sample.set("stroke-dasharray", "6 4");
            }
            g = g
                .add(sample)
                .add(marker(lx + 13.0, ly, color, s.dashed))
                .add(text(&s.name, lx + 32.0, ly + 4.0, "start").set("font-size", 11));
        }
        g
    }
}

/// Charts laid out left to right, top to bottom, `columns` to a row, in one SVG document.
pub fn grid(charts: &[Chart], columns: usize) -> Document {
    let columns = columns.clamp(1, charts.len().max(1));
    let rows = charts.len().div_ceil(columns).max(1);
    let (w, h) = (WIDTH * columns as f64, HEIGHT * rows as f64);
    let mut doc = Document::new()
        .set("viewBox", (0, 0, w, h))
        .set("width", w)
        .set("height", h);
    for (i, chart) in charts.iter().enumerate() {
        let (col, row) = (i % columns, i / columns);
        doc = doc.add(chart.to_group().set(
            "transform",
            format!("translate({},{})", WIDTH * col as f64, HEIGHT * row as f64),
        ));
    }
    doc
}

/// Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering `lo..=hi`, about
/// `target` of them; the first is at or below `lo` and the last at or above `hi`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
    if hi - lo < 1e-12 {
        // One value: a range with it in the middle, from zero when it is positive.
        let pad = if hi.abs() < 1e-12 { 1.0 } else { hi.abs() };
        if lo >= 0.0 {
            lo = 0.0;
            hi += pad;
        } else {
            lo -= pad;
            hi += pad;
        }
        if hi <= lo {
            hi = lo + 1.0;
        }
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = magnitude
        * match raw / magnitude {
            n if n <= 1.0 => 1.0,
            n if n <= 2.0 => 2.0,
            n if n <= 2.5 => 2.5,
            n if n <= 5.0 => 5.0,
            _ => 10.0,
        };
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    (first..=last.max(first + 1))
        .map(|i| i as f64 * step)
        .collect()
}

fn tick_label(value: f64) -> String {
    let text = trim_number(value, 4);
    if text == "-0" { "0".into() } else { text }
}

fn min(v: &[f64]) -> Option<f64> {
    v.iter().copied().min_by(f64::total_cmp)
}

fn max(v: &[f64]) -> Option<f64> {
    v.iter().copied().max_by(f64::total_cmp)
}

fn points_attr(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(content: &str, x: f64, y: f64, anchor: &str) -> Text {
    Text::new(content)
        .set("x", x)
        .set("y", y)
        .set("text-anchor", anchor)
}

fn line(from: (f64, f64), to: (f64, f64), color: &str) -> Line {
    Line::new()
        .set("x1", from.0)
        .set("y1", from.1)
        .set("x2", to.0)
        .set("y2", to.1)
        .set("stroke", color)
}

fn marker(x: f64, y: f64, color: &str, hollow: bool) -> Circle {
    Circle::new()
        .set("cx", x)
        .set("cy", y)
        .set("r", 3.5)
        .set("fill", if hollow { "white" } else { color })
        .set("stroke", color)
        .set("stroke-width", 1.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(1.0, 8.0, 6), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(nice_ticks(0.0, 20.0, 6), [0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(
            nice_ticks(0.0, 1.07, 6),
            [
                0.0,
                0.2,
                0.4,
                0.6000000000000001,
                0.8,
                1.0,
                1.2000000000000002
            ]
        );
        let t = nice_ticks(0.0, 0.0, 6);
        assert!(t[0] == 0.0 && *t.last().unwrap() >= 1.0, "{t:?}");
        assert_eq!(nice_ticks(2.0, 2.0, 6), [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(tick_label(0.6000000000000001), "0.6");
    }

    #[test]
    fn a_chart_has_a_polyline_and_legend_entry_per_series() {
        let chart = Chart {
            title: "t <&>".into(),
            x_label: "threads".into(),
            y_label: "ratio".into(),
            x_integers: true,
            series: vec![
                Series {
                    name: "a".into(),
                    points: vec![(1.0, 1.0), (2.0, 1.1)],
                    color: 0,
                    dashed: false,
                },
                Series {
                    name: "b".into(),
                    points: vec![(1.0, 0.9), (2.0, f64::NAN)],
                    color: 0,
                    dashed: true,
                },
            ],
        };
        let svg = chart.to_document().to_string();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(
            svg.matches("stroke-dasharray").count(),
            2,
            "line and legend"
        );
        assert!(svg.contains("t &lt;&amp;&gt;"), "title escaped: {svg}");
    }
}
