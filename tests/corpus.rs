//! Behaviour corpus: every `tests/corpus/**/NAME.py` is run through `gilsim run` and its stdout,
//! stderr and exit status are compared with expectations generated from CPython 3.11 by
//! `tests/corpus/regen.sh` (never written by hand).
//!
//! Expectation files beside `NAME.py`:
//! * `NAME.out`      exact stdout (a missing file means "stdout must be empty").
//! * `NAME.code`     expected exit status (missing means 0).
//! * `NAME.err`      expected stderr, compared after normalisation (see below).
//! * `NAME.err_last` instead of `.err`: only the last non-empty stderr line is compared
//!   (used where CPython's stderr is not meant to be reproduced, e.g. the RecursionError traceback).
//! * neither `.err` nor `.err_last`: stderr must be empty.
//!
//! Stderr normalisation, applied to both sides:
//! * every occurrence of the repository root followed by `/` is removed, so a traceback line reads
//!   `File "tests/corpus/<dir>/NAME.py", line N, in f` whether the interpreter printed the path as
//!   given (relative) or made it absolute (as CPython does);
//! * lines made only of whitespace, `~` and `^` (CPython's position markers under traceback source
//!   lines, and SyntaxError carets) are dropped. For SyntaxError/IndentationError expectations
//!   the actual stderr must still contain a caret line (`^` only) if the expected one does.
//!
//! Scripts run from the repository root as `gilsim run tests/corpus/<dir>/NAME.py`, stdin null,
//! environment `GILSIM_CORPUS_MARKER=corpus` (read by modules/os_mod.py), 20 s timeout each.
//! `GILSIM_CORPUS_FILTER=substring` restricts both corpus tests to matching paths;
//! `GILSIM_CORPUS_BIN=/path/to/gilsim` runs another build (e.g. target/release/gilsim).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(20);
const EXAMPLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Output kept per stream; the rest is drained and discarded.
const OUTPUT_CAP: usize = 8 << 20;
const MAX_LINE_SHOWN: usize = 240;
/// How long to keep reading the pipes after the child has exited or been killed.
const PIPE_GRACE: Duration = Duration::from_secs(5);

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The interpreter under test: `GILSIM_CORPUS_BIN` if set (e.g. a release build), else cargo's build.
fn gilsim_bin() -> String {
    std::env::var("GILSIM_CORPUS_BIN")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_gilsim").to_string())
}

// ---------------------------------------------------------------------------------------------
// Running a process with a timeout
// ---------------------------------------------------------------------------------------------

struct RunOutput {
    stdout: String,
    stderr: String,
    /// `None` when killed by a signal or on timeout.
    code: Option<i32>,
    status_text: String,
    timed_out: bool,
    elapsed: Duration,
}

/// Reads a pipe to its end on a helper thread; the result arrives on the returned channel.
fn drain<R: Read + Send + 'static>(mut reader: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = OUTPUT_CAP.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send(kept);
    });
    rx
}

fn describe_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let name = match sig {
                6 => " (SIGABRT, e.g. a Rust stack overflow or abort)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                _ => "",
            };
            return format!("killed by signal {sig}{name}");
        }
    }
    format!("{status}")
}

fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<RunOutput, String> {
    cmd.current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("GILSIM_CORPUS_MARKER", "corpus")
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONUTF8", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONSTARTUP")
        .env_remove("PYTHONPATH");
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot spawn {:?}: {e}", cmd.get_program()))?;
    let out_reader = drain(child.stdout.take().expect("piped stdout"));
    let err_reader = drain(child.stderr.take().expect("piped stderr"));
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {
                if start.elapsed() >= timeout {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().ok();
                }
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(format!("waiting for child failed: {e}")),
        }
    };
    let elapsed = start.elapsed();
    // A grandchild may still hold the pipes open; do not wait for it forever.
    let grace_end = Instant::now() + PIPE_GRACE;
    let stdout = out_reader
        .recv_timeout(grace_end.saturating_duration_since(Instant::now()))
        .unwrap_or_default();
    let stderr = err_reader
        .recv_timeout(grace_end.saturating_duration_since(Instant::now()))
        .unwrap_or_default();
    let (code, status_text) = match (&status, timed_out) {
        (_, true) => (
            None,
            format!(
                "timed out after {:.1}s and was killed",
                timeout.as_secs_f64()
            ),
        ),
        (Some(s), false) => (s.code(), describe_status(s)),
        (None, false) => (None, "unknown exit status".to_string()),
    };
    Ok(RunOutput {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code,
        status_text,
        timed_out,
        elapsed,
    })
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

enum ErrExpectation {
    Empty,
    Full(String),
    LastLine(String),
}

struct Expectation {
    stdout: String,
    code: i32,
    stderr: ErrExpectation,
}

fn read_opt(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn load_expectation(script_abs: &Path) -> Result<Expectation, String> {
    let with_ext = |ext: &str| script_abs.with_extension(ext);
    let stdout = read_opt(&with_ext("out")).unwrap_or_default();
    let code = match read_opt(&with_ext("code")) {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<i32>()
            .map_err(|e| format!("bad .code file {:?}: {e}", with_ext("code")))?,
    };
    let stderr = if let Some(err) = read_opt(&with_ext("err")) {
        ErrExpectation::Full(err)
    } else if let Some(last) = read_opt(&with_ext("err_last")) {
        ErrExpectation::LastLine(last.trim_end().to_string())
    } else {
        ErrExpectation::Empty
    };
    if !with_ext("out").exists() {
        return Err(format!(
            "missing {:?}: run tests/corpus/regen.sh to generate expectations",
            with_ext("out")
        ));
    }
    Ok(Expectation {
        stdout,
        code,
        stderr,
    })
}

// ---------------------------------------------------------------------------------------------
// Normalisation and comparison
// ---------------------------------------------------------------------------------------------

fn root_spellings() -> Vec<String> {
    let root = repo_root();
    let mut spellings = vec![root.to_string_lossy().trim_end_matches('/').to_string()];
    if let Ok(canon) = root.canonicalize() {
        spellings.push(canon.to_string_lossy().trim_end_matches('/').to_string());
    }
    if let Ok(cwd) = std::env::current_dir() {
        // cargo runs integration tests with the package root as cwd.
        if cwd.canonicalize().ok() == root.canonicalize().ok() {
            spellings.push(cwd.to_string_lossy().trim_end_matches('/').to_string());
        }
    }
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    spellings.dedup();
    spellings.retain(|s| !s.is_empty());
    spellings
}

fn strip_root(text: &str) -> String {
    let mut out = text.to_string();
    for root in root_spellings() {
        out = out.replace(&format!("{root}/"), "");
    }
    out
}

/// A line consisting only of whitespace plus at least one `~` or `^`.
fn is_marker_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '~' || c == '^')
}

fn is_caret_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '^')
}

fn drop_marker_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !is_marker_line(line.trim_end_matches(['\n', '\r'])) {
            out.push_str(line);
        }
    }
    out
}

fn is_syntax_error_report(text: &str) -> bool {
    text.lines().any(|l| {
        l.starts_with("SyntaxError:")
            || l.starts_with("IndentationError:")
            || l.starts_with("TabError:")
    })
}

fn last_nonempty_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
}

fn shorten(line: &str) -> String {
    if line.chars().count() <= MAX_LINE_SHOWN {
        format!("{line:?}")
    } else {
        let cut: String = line.chars().take(MAX_LINE_SHOWN).collect();
        format!("{cut:?}...")
    }
}

/// Short description of the first difference between two texts, line by line.
fn first_difference(expected: &str, actual: &str) -> String {
    let exp: Vec<&str> = expected.split_inclusive('\n').collect();
    let act: Vec<&str> = actual.split_inclusive('\n').collect();
    let counts = format!("expected {} lines, got {}", exp.len(), act.len());
    for i in 0..exp.len().max(act.len()) {
        let e = exp.get(i).copied();
        let a = act.get(i).copied();
        if e != a {
            let show = |l: Option<&str>| match l {
                Some(l) => shorten(l),
                None => "<end of output>".to_string(),
            };
            return format!(
                "first difference at line {} ({counts}):\n      expected: {}\n      actual:   {}",
                i + 1,
                show(e),
                show(a)
            );
        }
    }
    format!("texts differ ({counts})")
}

fn head_lines(text: &str, n: usize) -> String {
    if text.is_empty() {
        return "      | <empty>".to_string();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(n)
        .map(|l| format!("      | {}", shorten(l)))
        .collect();
    if lines.len() > n {
        out.push(format!("      | ... ({} more lines)", lines.len() - n));
    }
    out.join("\n")
}

/// Returns a list of problems (empty when the run matches the expectation).
fn check(expect: &Expectation, run: &RunOutput) -> Vec<String> {
    let mut problems = Vec::new();
    if run.timed_out {
        problems.push(format!(
            "{} (limit {}s)",
            run.status_text,
            SCRIPT_TIMEOUT.as_secs()
        ));
    }
    if !run.timed_out && run.code != Some(expect.code) {
        problems.push(format!(
            "exit status: expected exit code {}, got {}",
            expect.code, run.status_text
        ));
    }
    if run.stdout != expect.stdout {
        problems.push(format!(
            "stdout differs: {}",
            first_difference(&expect.stdout, &run.stdout)
        ));
    }
    let actual_err = strip_root(&run.stderr);
    match &expect.stderr {
        ErrExpectation::Empty => {
            if !actual_err.is_empty() {
                problems.push(format!(
                    "stderr should be empty but was:\n{}",
                    head_lines(&actual_err, 8)
                ));
            }
        }
        ErrExpectation::Full(expected_err) => {
            let e = drop_marker_lines(expected_err);
            let a = drop_marker_lines(&actual_err);
            if e != a {
                problems.push(format!(
                    "stderr differs (marker lines ignored): {}\n    actual stderr:\n{}",
                    first_difference(&e, &a),
                    head_lines(&actual_err, 12)
                ));
            } else if is_syntax_error_report(expected_err)
                && expected_err.lines().any(is_caret_line)
                && !actual_err.lines().any(is_caret_line)
            {
                problems.push(
                    "stderr lacks the `^` caret line under the offending source line".to_string(),
                );
            }
        }
        ErrExpectation::LastLine(expected_last) => {
            let a = last_nonempty_line(&actual_err);
            if a != expected_last.trim_end() {
                problems.push(format!(
                    "last stderr line differs:\n      expected: {}\n      actual:   {}",
                    shorten(expected_last),
                    shorten(a)
                ));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Discovery and parallel driver
// ---------------------------------------------------------------------------------------------

fn collect_files(dir: &Path, ext: &str, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recursive {
                collect_files(&path, ext, true, out);
            }
        } else if path.extension().and_then(|e| e.to_str()) == Some(ext) {
            out.push(path);
        }
    }
}

/// Corpus scripts as paths relative to the repository root (`tests/corpus/<dir>/<name>.py`), sorted.
/// The corpus scripts (those under one of `dirs`, if any are named).
fn corpus_scripts(dirs: &[&str]) -> Vec<String> {
    let root = repo_root();
    let mut files = Vec::new();
    collect_files(&root.join("tests").join("corpus"), "py", true, &mut files);
    let filter = std::env::var("GILSIM_CORPUS_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let mut rel: Vec<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("corpus file under repo root")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| filter.as_ref().is_none_or(|f| p.contains(f.as_str())))
        .filter(|p| {
            dirs.is_empty()
                || dirs
                    .iter()
                    .any(|d| p.starts_with(&format!("tests/corpus/{d}/")))
        })
        .collect();
    rel.sort();
    rel
}

fn worker_count() -> usize {
    thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 4)
}

/// Runs `job` over `items` on a few threads; returns results in item order.
fn parallel_map<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..worker_count().min(items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= items.len() {
                        break;
                    }
                    let r = job(&items[i]);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("job result"))
        .collect()
}

fn run_corpus(
    label: &str,
    dirs: &[&str],
    known: &[String],
    make_cmd: impl Fn(&str) -> Command + Sync,
) {
    let scripts = corpus_scripts(dirs);
    let filter = std::env::var("GILSIM_CORPUS_FILTER").unwrap_or_default();
    if scripts.is_empty() {
        assert!(
            !filter.is_empty(),
            "no corpus scripts found under tests/corpus"
        );
        eprintln!("{label}: GILSIM_CORPUS_FILTER={filter:?} matches no script");
        return;
    }
    let started = Instant::now();
    let outcomes = parallel_map(&scripts, |rel| {
        let abs = repo_root().join(rel);
        let expect = match load_expectation(&abs) {
            Ok(e) => e,
            Err(e) => return (vec![e], Duration::ZERO),
        };
        match run_with_timeout(make_cmd(rel), SCRIPT_TIMEOUT) {
            Ok(run) => (check(&expect, &run), run.elapsed),
            Err(e) => (vec![e], Duration::ZERO),
        }
    });
    let mut report = String::new();
    let mut failed = 0;
    let mut slowest: Vec<(Duration, &String)> = Vec::new();
    let mut outcomes = outcomes;
    for (rel, (problems, _)) in scripts.iter().zip(outcomes.iter_mut()) {
        let is_known = known.iter().any(|k| rel.ends_with(k.as_str()));
        match (is_known, problems.is_empty()) {
            (true, false) => {
                eprintln!("{label}: known difference (tests/corpus/KNOWN_DIFFERENCES): {rel}");
                problems.clear();
            }
            (true, true) => problems
                .push("passes now: remove it from tests/corpus/KNOWN_DIFFERENCES".to_string()),
            _ => {}
        }
    }
    for (rel, (problems, elapsed)) in scripts.iter().zip(&outcomes) {
        slowest.push((*elapsed, rel));
        if !problems.is_empty() {
            failed += 1;
            report.push_str(&format!("\n--- {rel}\n"));
            for p in problems {
                report.push_str(&format!("  * {p}\n"));
            }
        }
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let slow: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|(d, r)| format!("{r} {:.2}s", d.as_secs_f64()))
        .collect();
    eprintln!(
        "{label}: {} scripts, {} passed, {failed} failed in {:.1}s (slowest: {})",
        scripts.len(),
        scripts.len() - failed,
        started.elapsed().as_secs_f64(),
        slow.join(", ")
    );
    if failed > 0 {
        let failing: Vec<&str> = scripts
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| !o.0.is_empty())
            .map(|(s, _)| s.trim_start_matches("tests/corpus/"))
            .collect();
        report.insert_str(0, &format!("\nfailing: {}\n", failing.join(" ")));
        let passed: Vec<&String> = scripts
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.0.is_empty())
            .map(|(s, _)| s)
            .collect();
        panic!(
            "{label}: {failed} of {} corpus scripts failed{}{report}\n({} passed{})",
            scripts.len(),
            if filter.is_empty() {
                String::new()
            } else {
                format!(" (GILSIM_CORPUS_FILTER={filter:?})")
            },
            passed.len(),
            if passed.is_empty() {
                String::new()
            } else {
                format!(
                    ": {}",
                    passed
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// Scripts where gilsim is known to differ from CPython, one per line with the reason after
/// `#`. They are run and reported, not counted as failures; one that starts passing fails the
/// test until it is removed from the list, so the list cannot go stale.
fn known_differences() -> Vec<String> {
    read_opt(&repo_root().join("tests/corpus/KNOWN_DIFFERENCES"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn corpus_matches_expected() {
    run_corpus("gilsim corpus", &[], &known_differences(), |rel| {
        let mut cmd = Command::new(gilsim_bin());
        cmd.arg("run").arg(rel);
        cmd
    });
}

/// The process-mode scripts give the same output when each process is a child OS process.
#[test]
fn process_corpus_matches_expected_under_the_os_backend() {
    let dirs = ["multiprocessing", "futures"];
    run_corpus("gilsim os backend", &dirs, &known_differences(), |rel| {
        let mut cmd = Command::new(gilsim_bin());
        cmd.args(["run", "--process-backend", "os"]).arg(rel);
        cmd
    });
}

#[test]
fn corpus_expectations_are_cpythons() {
    let version = Command::new("python3")
        .arg("--version")
        .stdin(Stdio::null())
        .output();
    let version = match version {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            text.trim().to_string()
        }
        _ => {
            eprintln!(
                "note: python3 not available; skipping the check that corpus expectations are CPython's"
            );
            return;
        }
    };
    if !version.starts_with("Python 3.11.") {
        eprintln!(
            "note: expectations come from CPython 3.11 but python3 is {version:?}; skipping the CPython check \
             (error messages and traceback layout differ between versions)"
        );
        return;
    }
    run_corpus("python3 corpus", &[], &[], |rel| {
        let mut cmd = Command::new("python3");
        cmd.arg(rel);
        cmd
    });
}

/// Flags for `gilsim run` from an optional first line `# gilsim-args: ...`.
fn example_args(path: &Path) -> Vec<String> {
    let text = read_opt(path).unwrap_or_default();
    let first = text.lines().next().unwrap_or("");
    match first.trim().strip_prefix("# gilsim-args:") {
        Some(rest) => rest.split_whitespace().map(str::to_string).collect(),
        None => Vec::new(),
    }
}

#[test]
fn examples_run() {
    let root = repo_root();
    let mut files = Vec::new();
    collect_files(&root.join("examples"), "py", false, &mut files);
    files.sort();
    eprintln!(
        "examples_run: {} example script(s) in examples/",
        files.len()
    );
    let outcomes = parallel_map(&files, |abs| {
        let rel = abs
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let args = example_args(abs);
        let mut cmd = Command::new(gilsim_bin());
        cmd.arg("run").args(&args).arg(&rel);
        let problem = match run_with_timeout(cmd, EXAMPLE_TIMEOUT) {
            Err(e) => Some(e),
            Ok(run) if run.timed_out || run.code != Some(0) => Some(format!(
                "{} (args {:?})\n    stderr:\n{}",
                run.status_text,
                args,
                head_lines(&strip_root(&run.stderr), 12)
            )),
            Ok(run) => {
                eprintln!("  {rel}: ok in {:.2}s", run.elapsed.as_secs_f64());
                None
            }
        };
        (rel, problem)
    });
    let failures: Vec<String> = outcomes
        .into_iter()
        .filter_map(|(rel, p)| p.map(|p| format!("--- {rel}\n  * {p}")))
        .collect();
    if !failures.is_empty() {
        panic!(
            "{} example(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
