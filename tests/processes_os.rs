//! `--process-backend os` through the real binary: a child is a real OS process running
//! gilsim; a user's objects cross between children through the broker; a child killed by a
//! signal reports minus the signal as its exit code (as CPython's do), fails its pool's
//! pending work with `BrokenProcessPool` instead of leaving the caller waiting, and cannot take
//! the parent down; children end with their parent; a pipe whose other end only a dead process
//! held raises (`EOFError`, `BrokenPipeError`) instead of leaving its user waiting or writing
//! for ever. A child whose interpreter fails internally (a panic, simulated with
//! `native._crash_interpreter()`) ends with exit code 70 and breaks its pool, and the parent
//! carries on; a pipe end dropped without `close()` closes as a collected CPython `Connection`
//! does. The killed-process cases run under both backends, which must agree.

use std::time::{Duration, Instant};

mod common;
use common::{Scratch, run_expecting};

const BACKENDS: [&str; 2] = ["interp", "os"];

/// Runs `script` under each backend with `flags` (ended by `--timeout` if it hangs) and
/// checks that it exits 0 printing `expected`.
fn prints_under_both_backends(script: &std::path::Path, flags: &[&str], expected: &str) {
    for backend in BACKENDS {
        let mut all = vec!["--process-backend", backend, "--timeout", "60s"];
        all.extend_from_slice(flags);
        let out = run_expecting(&all, script, &[], 0);
        assert_eq!(stdout(&out), expected, "{backend}");
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_child_is_a_real_os_process_running_gilsim() {
    let scratch = Scratch::new("os_real");
    let script = scratch.script(
        "real.py",
        r#"
import multiprocessing as mp, os

def child(q):
    with open("/proc/self/cmdline") as f:
        q.put((os.getpid(), os.getppid(), f.read().split("\0")))

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    pid, ppid, argv = q.get()
    p.join()
    print(pid == p.pid, pid != os.getpid(), ppid == os.getpid())
    print("__child" in argv, os.path.basename(argv[0]))
"#,
    );
    let out = run_expecting(&["--process-backend", "os"], &script, &[], 0);
    assert_eq!(stdout(&out), "True True True\nTrue gilsim\n");
}

#[test]
fn user_objects_cross_between_children_through_queues_and_pipes() {
    let scratch = Scratch::new("os_relay");
    let script = scratch.script(
        "relay.py",
        r#"
import multiprocessing as mp

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __repr__(self):
        return f"Point({self.x}, {self.y})"

def make(q, n):
    for i in range(n):
        q.put(Point(i, -i))
    q.put(None)

def relay(q, conn):
    while (p := q.get()) is not None:
        conn.send([p, {"sum": p.x + p.y}])
    conn.send(ValueError("done"))
    conn.close()

if __name__ == "__main__":
    q = mp.Queue()
    a, b = mp.Pipe()
    ps = [mp.Process(target=make, args=(q, 3)), mp.Process(target=relay, args=(q, b))]
    for p in ps:
        p.start()
    while not isinstance(got := a.recv(), ValueError):
        print(got)
    print(repr(got))
    for p in ps:
        p.join()
    print([p.exitcode for p in ps])
"#,
    );
    let expected = "[Point(0, 0), {'sum': 0}]\n[Point(1, -1), {'sum': 0}]\n\
                    [Point(2, -2), {'sum': 0}]\nValueError('done')\n[0, 0]\n";
    prints_under_both_backends(&script, &[], expected);
}

#[test]
fn a_killed_child_reports_minus_the_signal() {
    let scratch = Scratch::new("os_killed");
    let script = scratch.script(
        "killed.py",
        r#"
import multiprocessing as mp, os, signal, time

def forever():
    time.sleep(60)

def suicide():
    os.kill(os.getpid(), signal.SIGKILL)
    print("not reached")

if __name__ == "__main__":
    for how in ("kill", "terminate"):
        p = mp.Process(target=forever)
        p.start()
        getattr(p, how)()
        p.join()
        print(how, p.exitcode, p.is_alive())
    p = mp.Process(target=suicide)
    p.start()
    p.join()
    print("os.kill", p.exitcode)
    print("parent goes on")
"#,
    );
    for backend in BACKENDS {
        let started = Instant::now();
        let out = run_expecting(&["--process-backend", backend], &script, &[], 0);
        assert_eq!(
            stdout(&out),
            "kill -9 False\nterminate -15 False\nos.kill -9\nparent goes on\n",
            "{backend}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{backend}: a killed sleeper was waited for"
        );
    }
}

#[test]
fn a_dead_worker_breaks_the_pool_instead_of_leaving_its_caller_waiting() {
    let scratch = Scratch::new("os_broken_pool");
    let script = scratch.script(
        "broken.py",
        r#"
import multiprocessing as mp, os, signal, time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

def task(x):
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return x * 10

if __name__ == "__main__":
    with ProcessPoolExecutor(2) as ex:
        futures = [ex.submit(task, i) for i in range(8)]
        outcomes = []
        for f in futures:
            try:
                outcomes.append(f.result(timeout=30))
            except BrokenProcessPool:
                outcomes.append("broken")
        # Work that finished before the death keeps its result; the rest is broken.
        right = all(o in ("broken", i * 10) for i, o in enumerate(outcomes))
        print("executor broken:", outcomes[3] == "broken", right)
        try:
            ex.submit(task, 1)
        except BrokenProcessPool:
            print("executor refuses new work")
    with mp.Pool(2) as pool:
        try:
            pool.map(task, range(8))
        except BrokenProcessPool as e:
            print("pool broken:", e.__cause__ is not None)
    # apply()'s answer would come straight from the worker (interp backend): its death
    # must wake the caller all the same.
    with mp.Pool(2) as pool:
        try:
            pool.apply(task, (3,))
        except BrokenProcessPool as e:
            print("apply broken:", e.__cause__ is not None)
"#,
    );
    prints_under_both_backends(
        &script,
        &[],
        "executor broken: True True\nexecutor refuses new work\npool broken: True\n\
         apply broken: True\n",
    );
}

#[test]
fn a_crashing_child_cannot_take_the_parent_down() {
    let scratch = Scratch::new("os_crash");
    let script = scratch.script(
        "crash.py",
        r#"
import multiprocessing as mp, os, signal

def crash():
    os.kill(os.getpid(), signal.SIGABRT)

if __name__ == "__main__":
    p = mp.Process(target=crash)
    p.start()
    p.join()
    print("child", p.exitcode, "parent alive")
"#,
    );
    let out = run_expecting(&["--process-backend", "os"], &script, &[], 0);
    assert_eq!(stdout(&out), "child -6 parent alive\n");
}

#[test]
fn children_end_with_their_parent() {
    let scratch = Scratch::new("os_orphans");
    let script = scratch.script(
        "orphans.py",
        r#"
import multiprocessing as mp, time

def sleeper(q):
    import os
    q.put(os.getpid())
    time.sleep(120)

if __name__ == "__main__":
    q = mp.Queue()
    mp.Process(target=sleeper, args=(q,)).start()
    print(q.get(), flush=True)
    time.sleep(120)
"#,
    );
    // The parent is ended by --timeout while its child sleeps.
    let out = run_expecting(
        &["--process-backend", "os", "--timeout", "2s"],
        &script,
        &[],
        124,
    );
    let child: u32 = stdout(&out).trim().parse().expect("the child's pid");
    let proc_dir = format!("/proc/{child}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::path::Path::new(&proc_dir).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // A zombie (ended, not yet reaped by init) counts as ended.
    let state = std::fs::read_to_string(format!("{proc_dir}/stat")).unwrap_or_default();
    assert!(
        state.is_empty() || state.contains(") Z"),
        "child {child} outlived its parent: {state}"
    );
}

#[test]
fn a_writer_to_a_dead_reader_gets_broken_pipe_instead_of_writing_for_ever() {
    // Before handles were counted, a send to a pipe nobody could read any more went on
    // succeeding: the writers here would have run until --timeout.
    let scratch = Scratch::new("os_broken_pipe");
    let script = scratch.script(
        "broken_pipe.py",
        r#"
import multiprocessing as mp, os, signal, time

def read_three_then_die(r):
    for _ in range(3):
        r.recv()
    os.kill(os.getpid(), signal.SIGKILL)

def write_until_broken(w):
    try:
        while True:
            w.send(b"x")
            time.sleep(0.005)
    except BrokenPipeError as e:
        print("child writer:", e, flush=True)

if __name__ == "__main__":
    mp.set_start_method("spawn")
    r, w = mp.Pipe(duplex=False)
    reader = mp.Process(target=read_three_then_die, args=(r,))
    reader.start()
    r.close()
    try:
        while True:
            w.send(b"x")
            time.sleep(0.005)
    except BrokenPipeError as e:
        print("parent writer:", e)
    reader.join()
    print("reader", reader.exitcode)
    # The writer is a child, the reader the parent, which reads three and closes its end.
    r, w = mp.Pipe(duplex=False)
    writer = mp.Process(target=write_until_broken, args=(w,))
    writer.start()
    w.close()
    for _ in range(3):
        r.recv()
    r.close()
    writer.join()
    print("writer", writer.exitcode)
"#,
    );
    prints_under_both_backends(
        &script,
        &[],
        "parent writer: [Errno 32] Broken pipe\nreader -9\n\
             child writer: [Errno 32] Broken pipe\nwriter 0\n",
    );
}

#[test]
fn a_grandchild_that_dies_closes_its_pipe_ends() {
    // The grandchild is started by a child, so with the os backend it is that child, not the
    // broker's process, that sees it end and has its handles closed through the broker.
    let scratch = Scratch::new("os_grandchild_pipe");
    let script = scratch.script(
        "grandchild.py",
        r#"
import multiprocessing as mp, os, signal

def grandchild(w):
    w.send("from the grandchild")
    os.kill(os.getpid(), signal.SIGKILL)

def child(out):
    r, w = mp.Pipe(duplex=False)
    g = mp.Process(target=grandchild, args=(w,))
    g.start()
    w.close()
    got = [r.recv()]
    try:
        r.recv()
    except EOFError:
        got.append("EOFError")
    g.join()
    out.send((got, g.exitcode))

if __name__ == "__main__":
    mp.set_start_method("spawn")
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=child, args=(w,))
    p.start()
    w.close()
    print(r.recv())
    p.join()
    print("child", p.exitcode)
"#,
    );
    prints_under_both_backends(
        &script,
        &[],
        "(['from the grandchild', 'EOFError'], -9)\nchild 0\n",
    );
}

#[test]
fn max_memory_bounds_each_child_process() {
    // An os child is a process of its own: it gets the run's --max-memory as its own bound
    // (before, it ran unbounded); an interp child shares the one bound of its OS process.
    let scratch = Scratch::new("os_max_memory");
    let script = scratch.script(
        "grow.py",
        r#"
import multiprocessing as mp

def grow():
    try:
        x = "x" * (300 * 1024 * 1024)
        print("child allocated", len(x))
    except MemoryError:
        print("child: MemoryError")

if __name__ == "__main__":
    p = mp.Process(target=grow)
    p.start()
    p.join()
    print("exitcode", p.exitcode)
"#,
    );
    prints_under_both_backends(
        &script,
        &["--max-memory", "100M"],
        "child: MemoryError\nexitcode 0\n",
    );
}

#[test]
fn a_child_whose_interpreter_fails_ends_with_70_and_breaks_its_pool() {
    let scratch = Scratch::new("os_internal_error");
    let script = scratch.script(
        "internal.py",
        r#"
import multiprocessing as mp, native
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

def crash():
    native._crash_interpreter()

def task(x):
    if x == 0:
        native._crash_interpreter()
    return x

if __name__ == "__main__":
    p = mp.Process(target=crash)
    p.start()
    p.join()
    print("exitcode", p.exitcode)
    with ProcessPoolExecutor(1) as ex:
        futures = [ex.submit(task, i) for i in range(3)]
        outcomes = []
        for f in futures:
            try:
                outcomes.append(f.result(timeout=30))
            except BrokenProcessPool:
                outcomes.append("broken")
        print("executor", outcomes)
    with mp.Pool(1) as pool:
        try:
            pool.map(task, range(3))
        except BrokenProcessPool:
            print("pool broken")
    print("parent carries on")
"#,
    );
    for backend in BACKENDS {
        let out = run_expecting(
            &["--process-backend", backend, "--timeout", "60s"],
            &script,
            &[],
            0,
        );
        assert_eq!(
            stdout(&out),
            "exitcode 70\nexecutor ['broken', 'broken', 'broken']\npool broken\n\
             parent carries on\n",
            "{backend}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("native._crash_interpreter() was called"),
            "{backend}: {stderr}"
        );
    }
}

#[test]
fn a_pipe_end_dropped_without_close_closes_its_handle() {
    // The child keeps living after dropping its end: only the drop can end the parent's
    // recv() (a regression would wait for the child's end, past --timeout).
    let scratch = Scratch::new("os_pipe_drop");
    let script = scratch.script(
        "pipe_drop.py",
        r#"
import multiprocessing as mp, time

def child(q):
    a, b = mp.Pipe()
    q.put(b)
    a.send("hello")
    del a
    time.sleep(120)

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    b = q.get()
    print(b.recv())
    try:
        b.recv()
    except EOFError:
        print("EOFError, the child alive:", p.is_alive())
    p.terminate()
    p.join()
    r, w = mp.Pipe(duplex=False)
    w.send(1)
    w = None
    print(r.recv())
    try:
        r.recv()
    except EOFError:
        print("EOFError in one process")
"#,
    );
    for backend in BACKENDS {
        let out = run_expecting(
            &["--process-backend", backend, "--timeout", "30s"],
            &script,
            &[],
            0,
        );
        assert_eq!(
            stdout(&out),
            "hello\nEOFError, the child alive: True\n1\nEOFError in one process\n",
            "{backend}"
        );
    }
}
