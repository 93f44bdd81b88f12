//! Native calls that release the GIL, as CPython's do: `zlib.compress`/`decompress`, the wait in
//! `subprocess.run` and the read in `input()`. Each test runs the real binary and asserts by
//! direction with wide bounds (the machine has 2 cores shared with other work): another Python
//! thread keeps running during the call, and `--stats-json` files the time under the right
//! heading (native work or a blocking wait).

use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

mod common;
use common::{Scratch, figure, gilsim, run};

/// `gilsim run --stats-json FILE script`: the main thread's `(native_s, blocked_s)`.
fn main_thread_release_times(script: &Path) -> (f64, f64) {
    let json_path = script.with_extension("json");
    run(&[
        "--stats-json",
        json_path.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&json_path).expect("stats written");
    let stats: serde_json::Value = serde_json::from_str(&text).expect("stats are JSON");
    let main = &stats["threads"][0];
    assert_eq!(main["name"], "MainThread", "{stats}");
    let secs = |k: &str| {
        main[k]
            .as_f64()
            .unwrap_or_else(|| panic!("no {k} in {stats}"))
    };
    (secs("native_s"), secs("blocked_s"))
}

#[test]
fn subprocess_waits_overlap_and_let_python_run() {
    let out = run(&["examples/f3_subprocess.py", "0.3"]);
    // Two 0.3 s children from two threads: about 0.5 of the sequential 0.6 s when the waits
    // overlap, 1.0 if the GIL were held while waiting.
    let ratio = figure(&out, "ratio");
    assert!(
        ratio <= 0.8,
        "the children did not overlap (ratio {ratio}): {out}"
    );
    // The main thread uses no CPU while it waits, so a spinning thread keeps most of its speed.
    let share = figure(&out, "share");
    assert!(
        share >= 0.3,
        "a Python thread barely ran while another waited for a child (share {share}): {out}"
    );
}

#[test]
fn zlib_compress_lets_python_run() {
    let out = run(&["examples/f3_zlib.py"]);
    // Holding the GIL, the spinner would only run in the 5 ms switch intervals between 4 MiB
    // compressions (a share near 0.1); released, it competes only for a core (0.5 to 1.0).
    let share = figure(&out, "share");
    let control = figure(&out, "control");
    assert!(
        share >= 0.25,
        "a Python thread barely ran during zlib.compress (share {share}): {out}"
    );
    assert!(
        control < share,
        "the control holding the GIL let the spinner run as much as zlib did: {out}"
    );
}

#[test]
fn stats_file_zlib_as_native_and_subprocess_as_blocked() {
    let scratch = Scratch::new("release_times");
    let zlib = scratch.script(
        "zlib.py",
        "import zlib\n\
         data = bytes(range(256)) * 40000\n\
         for _ in range(3):\n    assert zlib.decompress(zlib.compress(data)) == data\n",
    );
    let (native, _) = main_thread_release_times(&zlib);
    assert!(
        native > 0.0,
        "zlib time not counted as native work ({native} s)"
    );

    let sub = scratch.script(
        "sub.py",
        "import subprocess\nsubprocess.run(['sleep', '0.3'])\n",
    );
    let (_, blocked) = main_thread_release_times(&sub);
    assert!(
        blocked >= 0.2,
        "the wait for a 0.3 s child was not a blocking wait ({blocked} s)"
    );
}

#[test]
fn input_releases_the_gil_while_it_waits() {
    // A spinning thread runs while the main thread waits in input() for a line sent 0.4 s after
    // the prompt.
    let scratch = Scratch::new("input");
    let script = scratch.script(
        "input.py",
        r#"import threading
import time

count = 0
running = True


def spin():
    global count
    while running:
        count += 1


t = threading.Thread(target=spin)
t.start()
c0, t0 = count, time.perf_counter()
time.sleep(0.2)
alone = (count - c0) / (time.perf_counter() - t0)
c0, t0 = count, time.perf_counter()
line = input("prompt> ")
during = (count - c0) / (time.perf_counter() - t0)
running = False
t.join()
print()
print(f"got {line!r}")
print(f"share {during / alone:.2f}")
"#,
    );
    let json_path = scratch.json_path();
    let mut child = gilsim()
        .args(["run", "--stats-json", json_path.to_str().unwrap()])
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gilsim starts");
    // The prompt is flushed before input() blocks: wait for it, then answer 0.4 s later.
    let mut pipe = child.stdout.take().expect("stdout piped");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"prompt> ") {
        match pipe.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => panic!(
                "no prompt before end of output: {:?}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
    std::thread::sleep(Duration::from_millis(400));
    let mut stdin = child.stdin.take().expect("stdin piped");
    stdin.write_all(b"hello\n").expect("line written");
    drop(stdin);
    pipe.read_to_end(&mut seen).expect("stdout read");
    let out = child.wait_with_output().expect("gilsim ends");
    let stdout = String::from_utf8_lossy(&seen).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("prompt> \n"),
        "prompt not written first: {stdout:?}"
    );
    assert!(stdout.contains("got 'hello'"), "{stdout}");
    let share = figure(&stdout, "share");
    assert!(
        share >= 0.3,
        "a Python thread barely ran while input() waited (share {share}): {stdout}"
    );
    let text = std::fs::read_to_string(&json_path).expect("stats written");
    let stats: serde_json::Value = serde_json::from_str(&text).expect("stats are JSON");
    let blocked = stats["threads"][0]["blocked_s"].as_f64().unwrap_or(0.0);
    // 0.2 s of sleep plus about 0.4 s in input().
    assert!(
        blocked >= 0.45,
        "input() was not recorded as a blocking wait ({blocked} s blocked): {stats}"
    );
}
