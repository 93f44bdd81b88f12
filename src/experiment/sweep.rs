//! The sweep: which parameters an experiment varies (its axes), the values to try on each, and
//! the points (one value per axis) that come out of them.
//!
//! Axes are a closed list, each with one variant in [`Axis`] and [`Level`], because every axis
//! reaches the run differently and must be spelled out once: threads and the switch interval
//! become script arguments (so CPython sees them too); the GIL policy becomes a `gilsim run`
//! flag (CPython has only its own), and applies to every experiment.

use std::time::Duration;

use crate::duration::{format_ms, parse_duration};

/// A parameter an experiment can be swept over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Axis {
    /// The GIL policy (`gilsim run --gil`).
    Gil,
    /// How many threads (or processes, or pool workers) run the work.
    Threads,
    /// The GIL switch interval (`sys.setswitchinterval`).
    Interval,
}

impl Axis {
    /// Every axis, in the order points are listed and table columns appear.
    pub const ALL: [Axis; 3] = [Axis::Gil, Axis::Threads, Axis::Interval];

    /// The name used in tables, CSV headers and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Axis::Gil => "gil",
            Axis::Threads => "threads",
            Axis::Interval => "interval",
        }
    }

    /// The CSV column and JSON key of this axis's values ([`Level::number`]).
    pub fn column(self) -> &'static str {
        match self {
            Axis::Gil => "gil",
            Axis::Threads => "threads",
            Axis::Interval => "interval_ms",
        }
    }

    /// The `gilsim experiment` option that sets this axis's values.
    pub fn option(self) -> &'static str {
        match self {
            Axis::Gil => "--gil",
            Axis::Threads => "--threads",
            Axis::Interval => "--switch-interval",
        }
    }

    /// The axis's label on a chart, with its unit.
    pub fn chart_label(self) -> &'static str {
        match self {
            Axis::Gil => "GIL policy",
            Axis::Threads => "threads (or processes, workers)",
            Axis::Interval => "switch interval (ms)",
        }
    }
}

/// One value on one axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    /// A GIL policy.
    Gil(&'static crate::gil::PolicyInfo),
    /// A number of threads (processes, workers).
    Threads(u32),
    /// A switch interval.
    Interval(Duration),
}

impl Level {
    /// The axis this value belongs to.
    pub fn axis(self) -> Axis {
        match self {
            Level::Gil(_) => Axis::Gil,
            Level::Threads(_) => Axis::Threads,
            Level::Interval(_) => Axis::Interval,
        }
    }

    /// As printed in tables: `4`, `0.5ms`.
    pub fn label(self) -> String {
        match self {
            Level::Gil(p) => p.name.to_string(),
            Level::Threads(n) => n.to_string(),
            Level::Interval(d) => format_ms(d),
        }
    }

    /// The value as a number, for charts and CSV: threads, or the interval in milliseconds
    /// (none for a policy).
    pub fn number(self) -> Option<f64> {
        match self {
            Level::Gil(_) => None,
            Level::Threads(n) => Some(n as f64),
            Level::Interval(d) => Some(d.as_secs_f64() * 1e3),
        }
    }

    /// The arguments that give this value to a bundled script (the same under gilsim and
    /// CPython): `--threads 4`, `--switch-interval 0.0005` (seconds, as `sys.setswitchinterval`).
    pub fn script_args(self) -> Vec<String> {
        match self {
            Level::Gil(_) => vec![],
            Level::Threads(n) => vec!["--threads".into(), n.to_string()],
            Level::Interval(d) => vec!["--switch-interval".into(), d.as_secs_f64().to_string()],
        }
    }

    /// The flags that give this value to `gilsim run` (before the script): `--gil fifo`.
    pub fn gilsim_args(self) -> Vec<String> {
        match self {
            Level::Gil(p) => vec!["--gil".into(), p.name.into()],
            Level::Threads(_) | Level::Interval(_) => vec![],
        }
    }
}

/// The values the user asked for on each axis; `None` means "the experiment's defaults".
#[derive(Clone, Debug, Default)]
pub struct Sweep {
    /// `--gil`.
    pub policies: Option<Vec<&'static crate::gil::PolicyInfo>>,
    /// `--threads`.
    pub threads: Option<Vec<u32>>,
    /// `--switch-interval`.
    pub intervals: Option<Vec<Duration>>,
}

impl Sweep {
    /// The values asked for on `axis`, if any.
    pub fn asked(&self, axis: Axis) -> Option<Vec<Level>> {
        match axis {
            Axis::Gil => self
                .policies
                .as_ref()
                .map(|v| v.iter().map(|&p| Level::Gil(p)).collect()),
            Axis::Threads => self
                .threads
                .as_ref()
                .map(|v| v.iter().map(|&n| Level::Threads(n)).collect()),
            Axis::Interval => self
                .intervals
                .as_ref()
                .map(|v| v.iter().map(|&d| Level::Interval(d)).collect()),
        }
    }

    /// The axes the user gave values for.
    pub fn axes_asked(&self) -> Vec<Axis> {
        Axis::ALL
            .into_iter()
            .filter(|&a| self.asked(a).is_some())
            .collect()
    }
}

/// One point of a sweep: one value on each axis the experiment has, in [`Axis::ALL`] order.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// One value per axis of the experiment.
    pub levels: Vec<Level>,
}

impl Point {
    /// This point's value on `axis`, if the experiment has that axis.
    pub fn get(&self, axis: Axis) -> Option<Level> {
        self.levels.iter().copied().find(|l| l.axis() == axis)
    }

    /// `threads=4 interval=5ms`, for progress messages and error reports.
    pub fn describe(&self) -> String {
        self.levels
            .iter()
            .map(|l| format!("{}={}", l.axis().name(), l.label()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Every combination of one value per axis: `per_axis` lists each axis's values (axes in
/// [`Axis::ALL`] order); the last axis varies fastest.
pub fn points(per_axis: &[Vec<Level>]) -> Vec<Point> {
    let mut points = vec![Point { levels: Vec::new() }];
    for values in per_axis {
        points = points
            .iter()
            .flat_map(|p| {
                values.iter().map(move |&v| {
                    let mut levels = p.levels.clone();
                    levels.push(v);
                    Point { levels }
                })
            })
            .collect();
    }
    points
}

/// Parses a thread list such as `1,2,4,8` (sorted, duplicates dropped; each 1 to 256).
pub fn parse_threads(text: &str) -> Result<Vec<u32>, String> {
    let mut values = text
        .split(',')
        .map(|part| {
            let part = part.trim();
            match part.parse::<u32>() {
                Ok(n) if (1..=256).contains(&n) => Ok(n),
                Ok(n) => Err(format!("{n} threads is out of range (1 to 256)")),
                Err(_) => Err(format!(
                    "not a thread count: {part:?} (try a list such as 1,2,4,8)"
                )),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    values.sort_unstable();
    values.dedup();
    Ok(values)
}

/// Parses a policy list such as `cpython,fifo,none` (in the order given, duplicates dropped).
pub fn parse_policies(text: &str) -> Result<Vec<&'static crate::gil::PolicyInfo>, String> {
    let mut values: Vec<&'static crate::gil::PolicyInfo> = vec![];
    for part in text.split(',') {
        let p = crate::gil::policy(part.trim())?;
        if !values.iter().any(|v| v.name == p.name) {
            values.push(p);
        }
    }
    Ok(values)
}

/// Parses an interval list such as `0.5ms,1ms,5ms,20ms` (sorted, duplicates dropped).
pub fn parse_intervals(text: &str) -> Result<Vec<Duration>, String> {
    let mut values = text
        .split(',')
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()?;
    values.sort_unstable();
    values.dedup();
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_lists() {
        assert_eq!(parse_threads("1,2,4,8"), Ok(vec![1, 2, 4, 8]));
        assert_eq!(parse_threads(" 8, 2 ,2,1"), Ok(vec![1, 2, 8]));
        assert_eq!(parse_threads("3"), Ok(vec![3]));
        for bad in ["", "0", "1,,2", "two", "1;2", "-1", "1000"] {
            assert!(parse_threads(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn policy_lists() {
        let names = |v: Vec<&crate::gil::PolicyInfo>| v.iter().map(|p| p.name).collect::<Vec<_>>();
        assert_eq!(
            parse_policies("none,cpython,none").map(names),
            Ok(vec!["none", "cpython"])
        );
        for bad in ["", "gil", "cpython,"] {
            assert!(parse_policies(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn interval_lists() {
        let ms = |m: u64| Duration::from_micros(m);
        assert_eq!(
            parse_intervals("0.5ms,1ms,5ms,20ms"),
            Ok(vec![ms(500), ms(1000), ms(5000), ms(20000)])
        );
        assert_eq!(
            parse_intervals("20ms,100us,0.005s"),
            Ok(vec![ms(100), ms(5000), ms(20000)])
        );
        for bad in ["", "5ms,", "0ms", "fast", "5ms;1ms"] {
            assert!(parse_intervals(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn points_are_the_product_last_axis_fastest() {
        let t = vec![Level::Threads(1), Level::Threads(2)];
        let i = vec![
            Level::Interval(Duration::from_millis(1)),
            Level::Interval(Duration::from_millis(5)),
        ];
        let ps = points(&[t, i]);
        let names: Vec<String> = ps.iter().map(Point::describe).collect();
        assert_eq!(
            names,
            [
                "threads=1 interval=1ms",
                "threads=1 interval=5ms",
                "threads=2 interval=1ms",
                "threads=2 interval=5ms"
            ]
        );
        assert_eq!(points(&[]).len(), 1, "no axes: one point, the defaults");
    }

    #[test]
    fn script_arguments() {
        assert_eq!(Level::Threads(4).script_args(), ["--threads", "4"]);
        assert_eq!(
            Level::Interval(Duration::from_micros(500)).script_args(),
            ["--switch-interval", "0.0005"]
        );
    }
}
