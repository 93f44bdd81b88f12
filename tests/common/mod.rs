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
