//! Helpers shared by the tests that run the real `gilsim` binary. (Each test file uses only
//! some of them.)
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// The `gilsim` binary, run from the crate root (so `examples/...` paths work).
pub fn gilsim() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gilsim"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs `gilsim run ARGS...` and returns its stdout, failing on a non-zero exit.
pub fn run(args: &[&str]) -> String {
    let out = gilsim()
        .arg("run")
        .args(args)
        .output()
        .expect("gilsim runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "gilsim run {args:?} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs `gilsim run FLAGS... SCRIPT ARGS...`, expecting exit status `code` (the test fails
/// with both streams shown otherwise), and returns its output.
pub fn run_expecting(
    flags: &[&str],
    script: &std::path::Path,
    args: &[&str],
    code: i32,
) -> std::process::Output {
    let out = gilsim()
        .arg("run")
        .args(flags)
        .arg(script)
        .args(args)
        .output()
        .expect("gilsim runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "gilsim run {flags:?} {}: stdout: {}\nstderr: {}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts `gilsim run FLAGS... SCRIPT` with its stdout piped and waits for its first line of
/// output, which must be `first_line` (so the script is known to be running).
pub fn spawn_until(
    flags: &[&str],
    script: &std::path::Path,
    first_line: &str,
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
) {
    use std::io::BufRead;
    let mut child = gilsim()
        .arg("run")
        .args(flags)
        .arg(script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gilsim runs");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, format!("{first_line}\n"));
    (child, out)
}

/// The number after `label` on the first line containing it.
pub fn figure(output: &str, label: &str) -> f64 {
    let line = output
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} in {output}"));
    let rest = &line[line.find(label).unwrap() + label.len()..];
    let num: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.parse()
        .unwrap_or_else(|_| panic!("no number after {label:?} in {line:?}"))
}

/// A scratch directory for one test (scripts, stats files), removed at the end.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("gilsim_test_{}_{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes a script into the directory and returns its path.
    pub fn script(&self, name: &str, source: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, source).unwrap();
        path
    }

    pub fn json_path(&self) -> PathBuf {
        self.0.join("stats.json")
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
