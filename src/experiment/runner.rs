//! Running one point of a sweep once: the bundled script in a child process (`gilsim run` or
//! CPython), its figures read from the `RESULT key=value ...` line it prints.
//!
//! A child process rather than an interpreter inside this one, so a crash, a deadlock or a
//! runaway script costs one cell of the table and never the sweep: each run has a deadline,
//! after which its whole process group (CPython's `multiprocessing` children too) is killed.
//! Output goes to files, not pipes, so a grandchild that outlives its parent cannot block us.
//! The group is out of the terminal's reach (Ctrl-C goes to the foreground group only), so an
//! interrupt or termination of `gilsim experiment` kills the running group before it exits.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use super::Experiment;
use super::sweep::Point;

/// What runs a bundled script.
#[derive(Clone, Debug)]
pub enum Interpreter {
    /// gilsim itself (`EXE run SCRIPT ARGS...`), normally `std::env::current_exe()`.
    Gilsim(PathBuf),
    /// A CPython interpreter (`PYTHON SCRIPT ARGS...`), by name or path.
    Python(String),
}

impl Interpreter {
    /// A short name for progress messages and error reports.
    pub fn name(&self) -> &str {
        match self {
            Interpreter::Gilsim(_) => "gilsim",
            Interpreter::Python(p) => p,
        }
    }
}

/// The figures one run reported, by their `RESULT` keys.
pub type Figures = BTreeMap<String, f64>;

/// Runs bundled scripts, each written once into a private temporary directory.
pub struct Runner {
    dir: tempfile::TempDir,
    timeout: Duration,
}

impl Runner {
    /// Writes the scripts of `experiments` into a fresh temporary directory (removed when the
    /// runner is dropped); each run gets `timeout`.
    pub fn new(experiments: &[&Experiment], timeout: Duration) -> std::io::Result<Runner> {
        let dir = tempfile::Builder::new()
            .prefix("gilsim-experiment-")
            .tempdir()?;
        for e in experiments {
            std::fs::write(dir.path().join(e.script_name), e.script)?;
        }
        Ok(Runner { dir, timeout })
    }

    /// Runs `experiment`'s script at `point` with work size `size` and returns its figures, or
    /// why there are none (a timeout, a non-zero exit with the last line of stderr, a missing
    /// figure).
    pub fn run(
        &self,
        interpreter: &Interpreter,
        experiment: &Experiment,
        size: u64,
        point: &Point,
    ) -> Result<Figures, String> {
        let script = self.dir.path().join(experiment.script_name);
        let mut cmd = match interpreter {
            Interpreter::Gilsim(exe) => {
                let mut c = Command::new(exe);
                c.arg("run");
                for level in &point.levels {
                    c.args(level.gilsim_args());
                }
                c
            }
            Interpreter::Python(python) => Command::new(python),
        };
        cmd.arg(&script).arg(size.to_string());
        for level in &point.levels {
            cmd.args(level.script_args());
        }
        let out_path = self.dir.path().join("stdout.txt");
        let err_path = self.dir.path().join("stderr.txt");
        let outcome = run_with_deadline(cmd, self.dir.path(), &out_path, &err_path, self.timeout)
            .map_err(|e| format!("cannot run {}: {e}", interpreter.name()))?;
        let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        match outcome {
            Finished::TimedOut => Err(format!("timed out after {} s", self.timeout.as_secs())),
            Finished::Exited(code) if code != Some(0) => {
                let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
                let status = code.map_or("killed by a signal".into(), |c| format!("exit {c}"));
                Err(match last {
                    Some(line) => format!("{status}: {}", clip(line.trim(), 160)),
                    None => status,
                })
            }
            Finished::Exited(_) => {
                let figures = parse_result(&stdout)?;
                for f in experiment.figures {
                    if !figures.contains_key(f.key) {
                        return Err(format!("its RESULT line lacks {}", f.key));
                    }
                }
                Ok(figures)
            }
        }
    }
}

enum Finished {
    Exited(Option<i32>),
    TimedOut,
}

/// Runs `cmd` in its own process group with output to files; past `timeout`, kills the group.
fn run_with_deadline(
    mut cmd: Command,
    cwd: &Path,
    out: &Path,
    err: &Path,
    timeout: Duration,
) -> std::io::Result<Finished> {
    cmd.current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(File::create(out)?)
        .stderr(File::create(err)?)
        .process_group(0);
    kill_group_on_interrupt();
    let mut child = cmd.spawn()?;
    let group = child.id() as libc::pid_t;
    RUNNING_GROUP.store(group, Ordering::SeqCst);
    let deadline = Instant::now() + timeout;
    let finished = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(Finished::Exited(status.code())),
            Ok(None) => {}
            Err(e) => break Err(e),
        }
        if Instant::now() >= deadline {
            // The child is not reaped yet, so its id (the group's id) cannot have been reused.
            // SAFETY: kill(2) with a negative id signals that process group; no memory is shared.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
            break child.wait().map(|_| Finished::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    RUNNING_GROUP.store(0, Ordering::SeqCst);
    finished
}

/// The process group of the run in progress (0 when none), for the interrupt handler.
static RUNNING_GROUP: AtomicI32 = AtomicI32::new(0);

/// On SIGINT or SIGTERM: kill the running group, then die of the signal as we would have.
extern "C" fn on_interrupt(signal: libc::c_int) {
    let group = RUNNING_GROUP.load(Ordering::SeqCst);
    // SAFETY: kill, signal and raise are async-signal-safe; the handler touches only an atomic.
    unsafe {
        if group > 0 {
            libc::kill(-group, libc::SIGKILL);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

fn kill_group_on_interrupt() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: installs a handler that only calls async-signal-safe functions.
        unsafe {
            libc::signal(libc::SIGINT, handler);
            libc::signal(libc::SIGTERM, handler);
        }
    });
}

/// The figures on the `RESULT key=value ...` lines of a script's output (later lines win).
pub fn parse_result(stdout: &str) -> Result<Figures, String> {
    let mut figures = Figures::new();
    let mut seen = false;
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("RESULT ") else {
            continue;
        };
        seen = true;
        for pair in rest.split_whitespace() {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("malformed RESULT field {pair:?}"))?;
            let value: f64 = value
                .parse()
                .map_err(|_| format!("RESULT {key} is not a number: {value:?}"))?;
            figures.insert(key.to_string(), value);
        }
    }
    if seen {
        Ok(figures)
    } else {
        Err("no RESULT line in its output".into())
    }
}

/// The version line of a CPython interpreter (`Python 3.11.7`), or why it cannot be run.
pub fn python_version(python: &str) -> Result<String, String> {
    let out = Command::new(python)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {python:?}: {e}"))?;
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let text = text.trim();
    if out.status.success() && text.starts_with("Python 3") {
        Ok(text.to_string())
    } else {
        Err(format!(
            "{python:?} is not a Python 3 interpreter ({text:?})"
        ))
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).collect::<String>() + "..."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines() {
        let out = "ratio 1.00\nRESULT ratio=1.0200\n";
        assert_eq!(parse_result(out).unwrap()["ratio"], 1.02);
        let two = parse_result("RESULT a=1 b=2.5\nRESULT a=3\n").unwrap();
        assert_eq!((two["a"], two["b"]), (3.0, 2.5));
        assert!(parse_result("ratio 1.0\n").is_err());
        assert!(parse_result("RESULT ratio\n").is_err());
        assert!(parse_result("RESULT ratio=fast\n").is_err());
    }
}
