//! `--timeline FILE.svg` through the real binary: the picture is rendered to pixels by a real
//! SVG renderer (resvg) and each thread's row is checked for the colours of the states the
//! script must have put it in. No timings: only states a script cannot avoid.

use std::collections::HashSet;
use std::path::Path;

use resvg::tiny_skia::Pixmap;
use resvg::usvg;
use svg::node::element::tag::Type;
use svg::parser::Event;

mod common;
use common::{Scratch, gilsim, run_expecting};

// The palette of src/pictures/timeline.rs.
const RUNNING: [u8; 3] = [0x00, 0x9E, 0x73];
const WAITING: [u8; 3] = [0xD5, 0x5E, 0x00];
const NATIVE: [u8; 3] = [0x00, 0x72, 0xB2];
const BLOCKED: [u8; 3] = [0xA0, 0xA0, 0xA0];

/// Runs `gilsim run --timeline out.svg SCRIPT ARGS...`, expects exit status `code`, and returns
/// the SVG it wrote.
fn timeline(scratch: &Scratch, script: &Path, args: &[&str], code: i32) -> String {
    let out_path = scratch.dir().join("out.svg");
    run_expecting(
        &["--timeline", out_path.to_str().unwrap()],
        script,
        args,
        code,
    );
    std::fs::read_to_string(&out_path).expect("--timeline wrote its file")
}

/// One thread's row: its label and where its bar is.
#[derive(Debug)]
struct Row {
    label: String,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

/// The thread rows of a picture, top to bottom (labels and bars are drawn in the same order),
/// and the process group labels.
fn rows(svg_text: &str) -> (Vec<Row>, Vec<String>) {
    let mut labels = vec![];
    let mut bars = vec![];
    let mut groups = vec![];
    // Which labelled text element the next text node belongs to.
    let mut in_text: Option<&str> = None;
    for event in svg::read(svg_text).expect("the SVG parses") {
        match event {
            Event::Tag("text", Type::Start, attrs) => {
                in_text = match attrs.get("class").map(|c| c.to_string()).as_deref() {
                    Some("row-label") => Some("row"),
                    Some("process-label") => Some("process"),
                    _ => None,
                };
            }
            Event::Text(content) => match in_text.take() {
                Some("row") => labels.push(content.to_string()),
                Some(_) => groups.push(content.to_string()),
                None => {}
            },
            Event::Tag("rect", _, attrs)
                if attrs.get("class").map(|c| c.to_string()).as_deref() == Some("row") =>
            {
                let num = |k: &str| -> f32 { attrs[k].to_string().parse().unwrap() };
                bars.push((num("x"), num("y"), num("width"), num("height")));
            }
            _ => {}
        }
    }
    assert_eq!(labels.len(), bars.len(), "a label for every row");
    let rows = labels
        .into_iter()
        .zip(bars)
        .map(|(label, (x, y, w, h))| Row { label, x, y, w, h })
        .collect();
    (rows, groups)
}

/// The picture rendered by resvg.
fn pixels(svg_text: &str) -> Pixmap {
    let tree = usvg::Tree::from_str(svg_text, &usvg::Options::default()).expect("usvg reads it");
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
}

/// The colours drawn inside a row's bar.
fn colours(pixmap: &Pixmap, row: &Row) -> HashSet<[u8; 3]> {
    let mut seen = HashSet::new();
    for y in row.y.ceil() as u32..(row.y + row.h).floor() as u32 {
        for x in row.x.ceil() as u32..(row.x + row.w).floor() as u32 {
            let p = pixmap.pixel(x, y).unwrap();
            seen.insert([p.red(), p.green(), p.blue()]);
        }
    }
    seen
}

fn row<'a>(rows: &'a [Row], label: &str) -> &'a Row {
    rows.iter()
        .find(|r| r.label.contains(label))
        .unwrap_or_else(|| panic!("no row {label:?} in {rows:?}"))
}

#[test]
fn cpu_threads_take_turns_running_and_waiting() {
    let scratch = Scratch::new("timeline_f1");
    let script = Path::new("examples/f1_cpu_threads.py");
    let svg_text = timeline(&scratch, script, &["300000"], 0);
    let (rows, groups) = rows(&svg_text);
    assert!(groups.is_empty(), "one process: no group labels");
    assert_eq!(rows.len(), 3, "{rows:?}");
    let pixmap = pixels(&svg_text);
    for label in ["Thread-1", "Thread-2"] {
        let seen = colours(&pixmap, row(&rows, label));
        assert!(seen.contains(&RUNNING), "{label} never drawn running");
        assert!(seen.contains(&WAITING), "{label} never drawn waiting");
    }
    // Every bar starts on the same left edge (one time axis for all rows).
    assert!(rows.iter().all(|r| r.x == rows[0].x && r.w == rows[0].w));
    assert!(svg_text.contains("time since the run started"));
    assert!(svg_text.contains("forced switch"));
}

#[test]
fn a_sleeping_thread_is_blocked_and_a_native_call_is_native() {
    let scratch = Scratch::new("timeline_states");
    let script = scratch.script(
        "states.py",
        "import threading, time, native\n\
         t = threading.Thread(target=time.sleep, args=(0.05,), name='sleeper')\n\
         t.start()\n\
         native.compute(0.05)\n\
         t.join()\n",
    );
    let svg_text = timeline(&scratch, &script, &[], 0);
    let (rows, _) = rows(&svg_text);
    let pixmap = pixels(&svg_text);
    assert!(colours(&pixmap, row(&rows, "sleeper")).contains(&BLOCKED));
    assert!(colours(&pixmap, row(&rows, "MainThread")).contains(&NATIVE));
}

#[test]
fn sixteen_threads_get_sixteen_labelled_rows() {
    let scratch = Scratch::new("timeline_16");
    let script = scratch.script(
        "sixteen.py",
        "import threading\n\
         def work():\n    n = 20000\n    while n:\n        n -= 1\n\
         ts = [threading.Thread(target=work, name=f'worker-{i}') for i in range(16)]\n\
         for t in ts:\n    t.start()\n\
         for t in ts:\n    t.join()\n",
    );
    let svg_text = timeline(&scratch, &script, &[], 0);
    let (rows, _) = rows(&svg_text);
    assert_eq!(rows.len(), 17, "MainThread and 16 workers: {rows:?}");
    let pixmap = pixels(&svg_text);
    for i in 0..16 {
        let r = row(&rows, &format!("worker-{i}"));
        assert!(r.h >= 10.0, "row {i} is {} px high", r.h);
        assert!(
            colours(&pixmap, r).contains(&RUNNING),
            "worker-{i} never ran"
        );
    }
    let ys: HashSet<u32> = rows.iter().map(|r| r.y as u32).collect();
    assert_eq!(ys.len(), 17, "rows do not overlap");
}

#[test]
fn an_uncaught_exception_still_writes_the_picture() {
    let scratch = Scratch::new("timeline_raise");
    let script = scratch.script(
        "raises.py",
        "import threading\n\
         t = threading.Thread(target=print, args=('hi',))\n\
         t.start()\n\
         t.join()\n\
         raise ValueError('boom')\n",
    );
    let svg_text = timeline(&scratch, &script, &[], 1);
    let (rows, _) = rows(&svg_text);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let pixmap = pixels(&svg_text);
    assert!(colours(&pixmap, row(&rows, "MainThread")).contains(&RUNNING));
}

#[test]
fn process_mode_groups_the_rows_by_process() {
    let scratch = Scratch::new("timeline_processes");
    let script = scratch.script(
        "procs.py",
        "import multiprocessing\n\
         def work(n):\n    while n:\n        n -= 1\n\
         if __name__ == '__main__':\n\
         \x20   p = multiprocessing.Process(target=work, args=(20000,))\n\
         \x20   p.start()\n\
         \x20   p.join()\n",
    );
    let svg_text = timeline(&scratch, &script, &[], 0);
    let (rows, groups) = rows(&svg_text);
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(groups[0].starts_with("MainProcess (pid "), "{groups:?}");
    assert!(groups[1].contains("(pid "), "{groups:?}");
    assert!(
        rows.len() >= 2,
        "a row for each process's main thread: {rows:?}"
    );
    assert!(svg_text.contains("in 2 processes"));
}

#[test]
fn an_unwritable_timeline_is_an_error_not_a_panic() {
    let out = gilsim()
        .args(["run", "--timeline", "/nonexistent-dir/out.svg"])
        .arg("examples/hello_core.py")
        .output()
        .expect("gilsim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("can't write the timeline to /nonexistent-dir/out.svg"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
