//! The `gilsim experiment` command: its options, the plan of runs they make, the sweep itself
//! (with a progress bar on stderr), and where the results go (table on stdout, `--csv`,
//! `--json`, `--plot`).
//!
//! Runs go point by point; within a point, gilsim and CPython alternate run by run, so both
//! see the same machine load (a 2-core machine shared with builds drifts over a minute).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::report::{Report, Row, Samples};
use super::runner::{Interpreter, Runner, python_version};
use super::sweep::{self, Axis, Point, Sweep};
use super::{EXPERIMENTS, Experiment, select};
use crate::duration::parse_duration;

/// Options of `gilsim experiment`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
    gilsim experiment list\n  \
    gilsim experiment all --compare-python\n  \
    gilsim experiment cpu-threads --threads 1,2,4,8 --switch-interval 0.5ms,1ms,5ms,20ms --plot f1.svg\n  \
    gilsim experiment convoy,switch-latency --repeat 5 --csv latency.csv\n\n\
    Each experiment runs its bundled script (the examples/f*.py of the same phenomenon) once per \
    point and repeat, in a child process, and reads the RESULT line it prints.")]
pub struct ExperimentArgs {
    /// `list` (show the experiments), `all`, an experiment's name, or names separated by
    /// commas.
    #[arg(value_name = "list|all|NAME[,NAME...]")]
    pub name: String,
    /// Thread counts to sweep (processes for `processes`, pool workers for `pools`), e.g.
    /// 1,2,4,8. Default: each experiment's own list. With `all`, experiments without a thread
    /// axis ignore it.
    #[arg(long, value_name = "LIST", value_parser = parse_threads)]
    pub threads: Option<ThreadList>,
    /// Switch intervals to sweep, e.g. 0.5ms,1ms,5ms,20ms (set by the script with
    /// sys.setswitchinterval, under CPython too). Default: each experiment's own list. With
    /// `all`, experiments without an interval axis ignore it.
    #[arg(long, value_name = "LIST", value_parser = parse_intervals)]
    pub switch_interval: Option<IntervalList>,
    /// GIL policies to sweep, e.g. cpython,legacy,fifo,io-priority,none (gilsim's `run
    /// --gil`; applies to every experiment; the CPython column is CPython's own GIL).
    #[arg(long, value_name = "LIST", value_parser = parse_policies)]
    pub gil: Option<PolicyList>,
    /// Runs per point and interpreter; the table shows their median and min..max.
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    /// Multiplies each experiment's work size (see `list`), e.g. 0.1 for a quick look or 4 for
    /// steadier figures.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_scale)]
    pub scale: f64,
    /// Deadline for one run (e.g. 120, 30s); a run past it is killed and reported as failed.
    #[arg(long, value_name = "DURATION", default_value = "120s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Also run each script under CPython (default `python3`) and show its figures beside
    /// gilsim's.
    #[arg(long, value_name = "PYTHON", num_args = 0..=1, default_missing_value = "python3")]
    pub compare_python: Option<String>,
    /// Write the results as CSV (one row per figure and point).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the results as JSON (one record per figure and point).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Draw the results as an SVG line chart per figure (x: threads, or the interval where
    /// there is no thread axis; one line per other setting; CPython dashed).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

/// A parsed `--threads` list.
#[derive(Clone, Debug)]
pub struct ThreadList(pub Vec<u32>);

/// A parsed `--gil` list.
#[derive(Clone, Debug)]
pub struct PolicyList(pub Vec<&'static crate::gil::PolicyInfo>);

fn parse_policies(text: &str) -> Result<PolicyList, String> {
    sweep::parse_policies(text).map(PolicyList)
}

/// A parsed `--switch-interval` list.
#[derive(Clone, Debug)]
pub struct IntervalList(pub Vec<Duration>);

fn parse_threads(text: &str) -> Result<ThreadList, String> {
    sweep::parse_threads(text).map(ThreadList)
}

fn parse_intervals(text: &str) -> Result<IntervalList, String> {
    sweep::parse_intervals(text).map(IntervalList)
}

fn parse_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(f) if f.is_finite() && f > 0.0 && f <= 1000.0 => Ok(f),
        _ => Err(format!("not a positive factor up to 1000: {text:?}")),
    }
}

/// One experiment's share of the sweep.
struct Plan {
    experiment: &'static Experiment,
    size: u64,
    points: Vec<Point>,
}

/// Runs the command; exit status 0, 1 when some run failed (the results are still printed
/// and written), 2 for a usage error.
pub fn run(args: ExperimentArgs) -> ExitCode {
    if args.name == "list" {
        print!("{}", list());
        return ExitCode::SUCCESS;
    }
    match plan(&args) {
        Ok((plans, python)) => sweep_and_report(&args, &plans, python),
        Err(message) => {
            eprintln!("gilsim experiment: {message}");
            ExitCode::from(2)
        }
    }
}

/// The experiments, one line each: name, phenomenon, figures with CPython's, default sweep.
pub fn list() -> String {
    let mut lines = vec![[
        "NAME".to_string(),
        "".into(),
        "PHENOMENON".into(),
        "FIGURE: CPYTHON 3.11 (FIDELITY.md)".into(),
        "DEFAULT SWEEP".into(),
    ]];
    for e in EXPERIMENTS {
        let figures: Vec<String> = e
            .figures
            .iter()
            .map(|f| format!("{}: {}", f.key, f.cpython))
            .collect();
        let axes: Vec<String> = e
            .axes()
            .into_iter()
            .map(|a| {
                let values: Vec<String> = e.default_levels(a).iter().map(|l| l.label()).collect();
                format!("{} {}", a.option(), values.join(","))
            })
            .collect();
        lines.push([
            e.name.to_string(),
            e.phenomenon.to_string(),
            e.summary.to_string(),
            figures.join("; "),
            format!("{}; size {} ({})", axes.join(" "), e.size, e.size_meaning),
        ]);
    }
    let widths = super::report::column_widths(&lines);
    let mut out = String::new();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(
        "\nRun one with `gilsim experiment NAME`, every one with `gilsim experiment all`; \
         `gilsim experiment --help` for the sweep options.\n",
    );
    out
}

/// The CPython to compare with: how it is invoked, and its `--version` line.
struct Python {
    command: String,
    version: String,
}

/// The experiments and points the options ask for, and the CPython to compare with, or a
/// usage error.
fn plan(args: &ExperimentArgs) -> Result<(Vec<Plan>, Option<Python>), String> {
    let experiments = select(&args.name)?;
    let sweep = Sweep {
        policies: args.gil.clone().map(|p| p.0),
        threads: args.threads.clone().map(|t| t.0),
        intervals: args.switch_interval.clone().map(|i| i.0),
    };
    let everything = args.name == "all";
    if everything {
        for axis in sweep.axes_asked() {
            let without: Vec<&str> = experiments
                .iter()
                .filter(|e| !e.axes().contains(&axis))
                .map(|e| e.name)
                .collect();
            if !without.is_empty() {
                eprintln!(
                    "note: {} does not apply to {} (no {} axis)",
                    axis.option(),
                    without.join(", "),
                    axis.name()
                );
            }
        }
    }
    let mut plans = Vec::new();
    for &experiment in &experiments {
        // The policy is a gilsim flag, not a script parameter: every experiment has that axis.
        let mut axes = experiment.axes();
        if sweep.policies.is_some() {
            axes.insert(0, Axis::Gil);
        }
        if !everything
            && let Some(axis) = sweep.axes_asked().into_iter().find(|a| !axes.contains(a))
        {
            let has: Vec<&str> = axes.iter().map(|a| a.option()).collect();
            return Err(format!(
                "{} has no {} axis (it sweeps {})",
                experiment.name,
                axis.name(),
                has.join(" and ")
            ));
        }
        let per_axis: Vec<_> = axes
            .iter()
            .map(|&a| {
                sweep
                    .asked(a)
                    .unwrap_or_else(|| experiment.default_levels(a))
            })
            .collect();
        let size = ((experiment.size as f64 * args.scale).round() as u64).max(1);
        plans.push(Plan {
            experiment,
            size,
            points: sweep::points(&per_axis),
        });
    }
    let python = match &args.compare_python {
        Some(p) => Some(Python {
            command: p.clone(),
            version: python_version(p).map_err(|e| format!("--compare-python: {e}"))?,
        }),
        None => None,
    };
    Ok((plans, python))
}

fn sweep_and_report(args: &ExperimentArgs, plans: &[Plan], python: Option<Python>) -> ExitCode {
    let started = Instant::now();
    let gilsim = match std::env::current_exe() {
        Ok(exe) => Interpreter::Gilsim(exe),
        Err(e) => {
            eprintln!("gilsim experiment: cannot find the gilsim executable: {e}");
            return ExitCode::from(1);
        }
    };
    let cpython = python
        .as_ref()
        .map(|p| Interpreter::Python(p.command.clone()));
    let experiments: Vec<&Experiment> = plans.iter().map(|p| p.experiment).collect();
    let runner = match Runner::new(&experiments, args.timeout) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gilsim experiment: cannot write the scripts to a temporary directory: {e}");
            return ExitCode::from(1);
        }
    };
    let repeat = args.repeat as usize;
    let interpreters: Vec<&Interpreter> =
        std::iter::once(&gilsim).chain(cpython.as_ref()).collect();
    let points: usize = plans.iter().map(|p| p.points.len()).sum();
    let total = points * repeat * interpreters.len();
    eprintln!(
        "gilsim experiment: {} experiment(s), {points} point(s) x {repeat} run(s) x {}",
        plans.len(),
        match &python {
            Some(p) => format!("gilsim and {} ({})", p.command, p.version),
            None => "gilsim".into(),
        }
    );
    let bar = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("{bar:32} {pos}/{len} runs, {elapsed} (eta {eta}) {msg}")
            .expect("a valid template"),
    );

    let mut rows = Vec::new();
    for plan in plans {
        let e = plan.experiment;
        for point in &plan.points {
            // Samples per interpreter (gilsim first), per figure.
            let mut samples = vec![vec![Samples::default(); e.figures.len()]; interpreters.len()];
            for _ in 0..repeat {
                for (who, interp) in interpreters.iter().enumerate() {
                    bar.set_message(format!(
                        "{} {} ({})",
                        e.name,
                        point.describe(),
                        interp.name()
                    ));
                    let result = runner.run(interp, e, plan.size, point);
                    for (f, figure) in e.figures.iter().enumerate() {
                        let cell = &mut samples[who][f];
                        match &result {
                            Ok(figures) => cell.values.push(figures[figure.key]),
                            Err(why) => cell.errors.push(why.clone()),
                        }
                    }
                    bar.inc(1);
                }
            }
            let mut samples = samples.into_iter();
            let ours = samples.next().unwrap_or_default();
            let theirs = samples.next();
            for (f, figure) in e.figures.iter().enumerate() {
                rows.push(Row {
                    experiment: e,
                    figure,
                    size: plan.size,
                    point: point.clone(),
                    gilsim: ours[f].clone(),
                    python: theirs.as_ref().map(|t| t[f].clone()),
                });
            }
        }
    }
    bar.finish_and_clear();

    let report = Report {
        rows,
        repeat,
        python: python.map(|p| format!("{} ({})", p.version, p.command)),
    };
    println!(
        "# medians of {repeat} run(s), spread min..max{}; FIDELITY columns: CPython 3.11's figure and gilsim's band at 5ms",
        match &report.python {
            Some(v) => format!("; cpython = {v}"),
            None => String::new(),
        }
    );
    print!("{}", report.table());

    let mut status = ExitCode::SUCCESS;
    let failures = report.failures();
    if !failures.is_empty() {
        eprintln!("{} run(s) failed:", failures.len());
        for f in &failures {
            eprintln!("  {f}");
        }
        status = ExitCode::from(1);
    }
    let outputs: [(&Option<PathBuf>, &dyn Fn() -> String); 3] = [
        (&args.csv, &|| report.csv()),
        (&args.json, &|| {
            serde_json::to_string_pretty(&report.json()).expect("JSON of plain values") + "\n"
        }),
        (&args.plot, &|| {
            super::plot::document(&report).to_string() + "\n"
        }),
    ];
    for (path, contents) in outputs {
        if let Some(path) = path
            && let Err(e) = std::fs::write(path, contents())
        {
            eprintln!("gilsim experiment: cannot write {}: {e}", path.display());
            status = ExitCode::from(1);
        }
    }
    eprintln!(
        "gilsim experiment: done in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    status
}

#[cfg(test)]
mod tests {
    use super::super::sweep::Axis;
    use super::*;

    #[test]
    fn every_experiment_is_listed() {
        let text = list();
        for e in EXPERIMENTS {
            assert!(text.contains(e.name), "{} missing from:\n{text}", e.name);
        }
        assert!(text.contains(Axis::Threads.option()));
    }
}
