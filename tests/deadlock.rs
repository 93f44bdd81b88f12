//! Robustness under deadlocks and hangs (issue 6/6): the real binary reports a deadlock (every
//! thread blocked for good) with the threads, what each waits on, who holds it and the script
//! lines, and exits 1; `--timeout` ends a run that outlives it with each thread's state and
//! stack, exit 124; the reports are written either way. Waits with a timeout pending and
//! sleeps are not deadlocks. Deadlocks across processes are reported under both process
//! backends (the `os` backend's children report their threads to the parent's watchdog), and
//! the children end with the run; so does the `--timeout` report, which lists the threads of
//! every process, children of children included.
//!
//! Every run is bounded (killed after [`LIMIT`]), so a regression fails instead of hanging the
//! suite; the bounds on how soon a deadlock is reported are generous, for a loaded machine.

mod common;

use std::io::Read;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Scratch, gilsim};

/// No run here may take longer: past it the run is killed and the test fails.
const LIMIT: Duration = Duration::from_secs(60);

/// A deadlock must be reported within this (detection takes about 0.6 s).
const PROMPT: Duration = Duration::from_secs(15);

/// Runs `gilsim run FLAGS... SCRIPT`, killing it after [`LIMIT`]; returns its output and how
/// long it took.
fn run_bounded(flags: &[&str], script: &std::path::Path) -> (Output, Duration) {
    let start = Instant::now();
    let mut child = gilsim()
        .arg("run")
        .args(flags)
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gilsim runs");
    let out = reader(&mut child, true);
    let err = reader(&mut child, false);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for gilsim") {
            break status;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "gilsim run {flags:?} {} still ran after {LIMIT:?}: killed",
                script.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, took)
}

/// Drains the child's stdout or stderr on a thread (so a full pipe cannot stall it).
fn reader(child: &mut Child, stdout: bool) -> std::thread::JoinHandle<Vec<u8>> {
    let mut pipe: Box<dyn Read + Send> = if stdout {
        Box::new(child.stdout.take().unwrap())
    } else {
        Box::new(child.stderr.take().unwrap())
    };
    std::thread::spawn(move || {
        let mut buf = vec![];
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

/// Runs a script expected to end with `code`; returns (stdout, stderr, time taken).
fn expect_exit(flags: &[&str], script: &std::path::Path, code: i32) -> (String, String, Duration) {
    let (out, took) = run_bounded(flags, script);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "gilsim run {flags:?} {}:\nstdout: {stdout}\nstderr: {stderr}",
        script.display()
    );
    (stdout, stderr, took)
}

/// Runs a script that must end in a deadlock report: exit status 1, well before the run's
/// bound (a report, not a wait for ever). Returns its stdout and stderr.
fn expect_deadlock(flags: &[&str], script: &std::path::Path) -> (String, String) {
    let (out, err, took) = expect_exit(flags, script, 1);
    assert!(took < PROMPT, "{flags:?}: reported after {took:?}");
    (out, err)
}

/// Asserts every one of `needles` is in `haystack`.
fn assert_has(haystack: &str, needles: &[&str]) {
    for n in needles {
        assert!(haystack.contains(n), "no {n:?} in:\n{haystack}");
    }
}

const INVERSION: &str = "\
import threading, time
a = threading.Lock(); b = threading.Lock()
def t1():
    with a:
        time.sleep(0.1)
        with b: pass
def t2():
    with b:
        time.sleep(0.1)
        with a: pass
x = threading.Thread(target=t1); y = threading.Thread(target=t2)
x.start(); y.start(); x.join(); y.join()
";

#[test]
fn lock_order_inversion_is_reported_with_the_cycle() {
    let scratch = Scratch::new("dl_inversion");
    let script = scratch.script("inversion.py", INVERSION);
    let (_, err) = expect_deadlock(&[], &script);
    assert_has(
        &err,
        &[
            "gilsim: deadlock",
            // Each thread, the lock it waits for and its holder, and the line.
            "\"Thread-1 (t1)\" is blocked on lock #",
            "held by \"Thread-2 (t2)\"",
            "\"Thread-2 (t2)\" is blocked on lock #",
            "held by \"Thread-1 (t1)\"",
            "inversion.py\", line 6, in t1",
            "inversion.py\", line 10, in t2",
            "with b: pass",
            // The main thread's join, waiting for a thread's end.
            "\"MainThread\" is blocked in threading.Thread.join(), until \"Thread-1 (t1)\" ends",
            "inversion.py\", line 12, in <module>",
            "wait-for cycle:",
            "\"Thread-1 (t1)\" waits for \"Thread-2 (t2)\"",
            "\"Thread-2 (t2)\" waits for \"Thread-1 (t1)\"",
            "status 1",
        ],
    );
}

#[test]
fn a_lone_queue_get_is_reported() {
    let scratch = Scratch::new("dl_queue");
    let script = scratch.script(
        "lone_get.py",
        "import queue\nq = queue.Queue()\nprint('waiting', flush=True)\nq.get()\n",
    );
    let (out, err) = expect_deadlock(&[], &script);
    assert_eq!(out, "waiting\n");
    assert_has(
        &err,
        &[
            "gilsim: deadlock",
            "\"MainThread\" is blocked in queue.Queue.get()",
            "lone_get.py\", line 4, in <module>",
            "q.get()",
        ],
    );
    assert!(!err.contains("wait-for cycle"), "{err}");
}

#[test]
fn a_lone_simple_queue_get_is_reported() {
    // queue.SimpleQueue is native (_queue, as in CPython): its wait is named after the queue,
    // not after the lock under it, which the waiter holds itself.
    let scratch = Scratch::new("dl_simple_queue");
    let script = scratch.script(
        "simple_get.py",
        "import queue\nq = queue.SimpleQueue()\nq.put(1)\nq.get()\nq.get()\n",
    );
    let (_, err) = expect_deadlock(&[], &script);
    assert_has(
        &err,
        &[
            "\"MainThread\" is blocked on a queue.SimpleQueue",
            "simple_get.py\", line 5, in <module>",
        ],
    );
    assert!(!err.contains("wait-for cycle"), "{err}");
}

#[test]
fn a_lone_event_wait_is_reported() {
    let scratch = Scratch::new("dl_event");
    let script = scratch.script("event.py", "import threading\nthreading.Event().wait()\n");
    let (_, err) = expect_deadlock(&[], &script);
    assert_has(
        &err,
        &[
            "\"MainThread\" is blocked in threading.Event.wait()",
            "event.py\", line 2, in <module>",
        ],
    );
}

#[test]
fn a_barrier_a_condition_and_a_semaphore_nobody_can_release_are_reported() {
    let scratch = Scratch::new("dl_others");
    let cases = [
        (
            "barrier.py",
            "import threading\nb = threading.Barrier(3)\nthreading.Thread(target=b.wait).start()\nb.wait()\n",
            "in threading.Barrier.wait()",
        ),
        (
            "condition.py",
            "import threading\nc = threading.Condition()\nwith c:\n    c.wait()\n",
            "in threading.Condition.wait()",
        ),
        (
            "semaphore.py",
            "import threading\ns = threading.Semaphore(0)\ns.acquire()\n",
            "in threading.Semaphore.acquire()",
        ),
        (
            "mp_barrier.py",
            "import multiprocessing as mp\nif __name__ == '__main__':\n    mp.Barrier(2).wait()\n",
            "in multiprocessing.synchronize.Barrier.wait()",
        ),
    ];
    std::thread::scope(|s| {
        let runs: Vec<_> = cases
            .iter()
            .map(|&(name, source, waits)| {
                let script = scratch.script(name, source);
                s.spawn(move || {
                    let (_, err, _) = expect_exit(&[], &script, 1);
                    assert_has(
                        &err,
                        &["gilsim: deadlock", waits, &format!("{name}\", line ")],
                    );
                })
            })
            .collect();
        for run in runs {
            if let Err(failure) = run.join() {
                std::panic::resume_unwind(failure);
            }
        }
    });
}

#[test]
fn a_thread_left_blocked_at_exit_is_reported() {
    // The main thread is done and waits for its non-daemon thread, which waits forever.
    let scratch = Scratch::new("dl_exit");
    let script = scratch.script(
        "at_exit.py",
        "import threading\ne = threading.Event()\ndef w():\n    e.wait()\n\
         threading.Thread(target=w, name='stuck').start()\nprint('main done')\n",
    );
    let (out, err, _) = expect_exit(&[], &script, 1);
    assert_eq!(out, "main done\n");
    assert_has(
        &err,
        &[
            "\"MainThread\" is blocked in threading._shutdown(), until \"stuck\" ends",
            "\"stuck\" is blocked in threading.Event.wait()",
            "at_exit.py\", line 4, in w",
        ],
    );
}

#[test]
fn a_blocked_daemon_thread_does_not_keep_the_run() {
    let scratch = Scratch::new("dl_daemon");
    let script = scratch.script(
        "daemon.py",
        "import threading\ne = threading.Event()\n\
         threading.Thread(target=e.wait, daemon=True).start()\nprint('main done')\n",
    );
    let (out, err, _) = expect_exit(&[], &script, 0);
    assert_eq!(out, "main done\n");
    assert!(!err.contains("deadlock"), "{err}");
}

#[test]
fn a_process_queue_get_with_no_child_is_reported() {
    let scratch = Scratch::new("dl_mp_main");
    let script = scratch.script(
        "mp_main.py",
        "import multiprocessing\nif __name__ == '__main__':\n    q = multiprocessing.Queue()\n    \
         q.get()\n",
    );
    let (_, err) = expect_deadlock(&[], &script);
    assert_has(
        &err,
        &[
            "\"MainThread\" is blocked in multiprocessing.queues.Queue.get()",
            "mp_main.py\", line 4, in <module>",
        ],
    );
}

#[test]
fn a_child_waiting_while_its_parent_joins_it_is_reported() {
    let scratch = Scratch::new("dl_mp_child");
    let script = scratch.script(
        "mp_child.py",
        "import multiprocessing\n\
         def work(q):\n    q.get()\n\
         if __name__ == '__main__':\n    q = multiprocessing.Queue()\n    \
         p = multiprocessing.Process(target=work, args=(q,), name='reader')\n    \
         p.start()\n    p.join()\n",
    );
    let (_, err) = expect_deadlock(&[], &script);
    assert_has(
        &err,
        &[
            "\"MainThread\" of MainProcess (pid ",
            "is blocked in multiprocessing.BaseProcess.join(), until process reader (pid ",
            "\"MainThread\" of reader (pid ",
            "is blocked in multiprocessing.queues.Queue.get()",
            "mp_child.py\", line 3, in work",
            "mp_child.py\", line 8, in <module>",
        ],
    );
}

#[test]
fn a_pipe_left_open_only_in_the_waiting_process_is_reported_once_its_child_dies() {
    // The parent keeps its copy of the child's end, so after the child (the only other
    // holder) dies nothing can end its recv(): CPython hangs here; gilsim reports it, naming
    // the copy left open, under both backends (the os one once no child lives).
    let scratch = Scratch::new("dl_pipe_kept");
    let script = scratch.script(
        "pipe_kept.py",
        r#"import multiprocessing, os, signal
def child(conn):
    conn.send('hello')
    os.kill(os.getpid(), signal.SIGKILL)
if __name__ == '__main__':
    parent_conn, child_conn = multiprocessing.Pipe()
    p = multiprocessing.Process(target=child, args=(child_conn,))
    p.start()
    print(parent_conn.recv(), flush=True)
    parent_conn.recv()
"#,
    );
    for backend in ["interp", "os"] {
        let (out, err) = expect_deadlock(&["--process-backend", backend], &script);
        assert_eq!(out, "hello\n", "{backend}");
        assert_has(
            &err,
            &[
                "\"MainThread\" is blocked in multiprocessing.connection.Connection.recv() on a pipe \
                 (empty; its sending end is still open only in this process",
                "close the copy this process does not use",
                "pipe_kept.py\", line 10, in <module>",
            ],
        );
    }
}

#[test]
fn waits_with_a_timeout_and_sleeps_are_not_deadlocks() {
    // While the main thread joins, its one other thread is in turn in a timed lock wait
    // (which fails), a timed queue get and a long sleep: never all blocked for good.
    let scratch = Scratch::new("dl_timed");
    let script = scratch.script(
        "timed.py",
        "import threading, time, queue\n\
         l = threading.Lock()\nl.acquire()\n\
         def t():\n    print('acquired', l.acquire(timeout=0.8), flush=True)\n\
         x = threading.Thread(target=t); x.start(); x.join()\n\
         def g():\n    try:\n        queue.Queue().get(timeout=0.8)\n    except queue.Empty:\n        \
         print('empty', flush=True)\n\
         y = threading.Thread(target=g); y.start(); y.join()\n\
         def s():\n    time.sleep(1.5)\n    print('slept', flush=True)\n\
         z = threading.Thread(target=s); z.start(); z.join()\n",
    );
    let (out, err, _) = expect_exit(&[], &script, 0);
    assert_eq!(out, "acquired False\nempty\nslept\n");
    assert!(!err.contains("deadlock"), "{err}");
}

#[test]
fn busy_hand_offs_are_not_deadlocks() {
    // Threads that block and wake each other thousands of times (queue ping-pong, a ring of
    // conditions) are often all blocked at once for a moment: never for good.
    let scratch = Scratch::new("dl_handoffs");
    let script = scratch.script(
        "handoffs.py",
        "import threading, queue\n\
         a = queue.Queue(); b = queue.Queue()\n\
         def pong():\n    for i in range(3000):\n        b.put(a.get() + 1)\n\
         t = threading.Thread(target=pong); t.start()\n\
         x = 0\nfor i in range(3000):\n    a.put(x)\n    x = b.get()\nt.join()\nprint(x)\n\
         K = 4\nconds = [threading.Condition() for _ in range(K)]\ntokens = [1] + [0] * (K - 1)\n\
         def ring(i):\n    for r in range(500):\n        with conds[i]:\n            \
         while not tokens[i]:\n                conds[i].wait()\n            tokens[i] = 0\n        \
         j = (i + 1) % K\n        with conds[j]:\n            tokens[j] = 1\n            \
         conds[j].notify()\n\
         ts = [threading.Thread(target=ring, args=(i,)) for i in range(K)]\n\
         for t in ts: t.start()\nfor t in ts: t.join()\nprint('ring done')\n",
    );
    let (out, err, _) = expect_exit(&[], &script, 0);
    assert_eq!(out, "3000\nring done\n");
    assert!(!err.contains("deadlock"), "{err}");
}

#[test]
fn hang_mode_waits_until_the_timeout() {
    let scratch = Scratch::new("dl_hang");
    let script = scratch.script("hang.py", "import queue\nqueue.Queue().get()\n");
    let json = scratch.json_path();
    let json_arg = json.to_string_lossy().into_owned();
    let (_, err, took) = expect_exit(
        &[
            "--on-deadlock=hang",
            "--timeout",
            "1s",
            "--stats-json",
            &json_arg,
        ],
        &script,
        124,
    );
    assert!(took >= Duration::from_secs(1), "ended after {took:?}");
    assert!(!err.contains("gilsim: deadlock"), "{err}");
    assert_has(
        &err,
        &[
            "gilsim: timeout: the run outlived --timeout 1s",
            "\"MainThread\" has been blocked for ",
            "in queue.Queue.get()",
            "hang.py\", line 2, in <module>",
            "status 124",
        ],
    );
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the stats file written"))
            .expect("valid JSON");
    assert!(stats["processes"][0]["threads"].is_array(), "{stats}");
}

#[test]
fn a_timeout_ends_an_endless_loop_with_every_threads_state() {
    let scratch = Scratch::new("dl_loop");
    let script = scratch.script(
        "loop.py",
        "import threading, time\n\
         def nap():\n    time.sleep(100)\n\
         threading.Thread(target=nap, name='napper', daemon=True).start()\n\
         def spin():\n    n = 0\n    while True:\n        n += 1\n\
         print('spinning', flush=True)\nspin()\n",
    );
    let json = scratch.json_path();
    let json_arg = json.to_string_lossy().into_owned();
    let (out, err, took) = expect_exit(
        &["--timeout", "1s", "--stats-json", &json_arg],
        &script,
        124,
    );
    assert_eq!(out, "spinning\n");
    assert!(took >= Duration::from_secs(1), "ended after {took:?}");
    assert_has(
        &err,
        &[
            "gilsim: timeout",
            "\"MainThread\" is running",
            "loop.py\", line 10, in <module>",
            "in spin",
            "\"napper\" has been sleeping (time.sleep) for ",
            "loop.py\", line 3, in nap",
        ],
    );
    assert!(!err.contains("no stack"), "{err}");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the stats file written"))
            .expect("valid JSON");
    assert!(stats["processes"][0]["threads"].is_array(), "{stats}");
}

#[test]
fn a_deadlock_still_writes_the_reports() {
    let scratch = Scratch::new("dl_reports");
    let script = scratch.script("inversion.py", INVERSION);
    let json = scratch.json_path();
    let trace = scratch.dir().join("trace.json");
    let (_, err, _) = expect_exit(
        &[
            "--stats-json",
            &json.to_string_lossy(),
            "--trace",
            &trace.to_string_lossy(),
        ],
        &script,
        1,
    );
    assert_has(&err, &["gilsim: deadlock"]);
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the stats file written"))
            .expect("valid JSON");
    assert_eq!(
        stats["processes"][0]["threads"].as_array().map(Vec::len),
        Some(3),
        "{stats}"
    );
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).expect("the trace written"))
            .expect("valid JSON");
    assert!(trace["traceEvents"].is_array());
}

#[test]
fn a_run_within_its_timeout_is_untouched() {
    let scratch = Scratch::new("dl_quick");
    let script = scratch.script("quick.py", "print(sum(range(10)))\n");
    let (out, err, _) = expect_exit(&["--timeout", "30s"], &script, 0);
    assert_eq!(out, "45\n");
    assert_eq!(err, "");
}

/// Runs `check` with each process backend, the two runs at once (each is a process of its
/// own), and fails as the first failing one does.
fn under_both_backends(check: impl Fn(&str) + Sync) {
    let check = &check;
    std::thread::scope(|s| {
        let runs = ["interp", "os"].map(|backend| s.spawn(move || check(backend)));
        for run in runs {
            if let Err(failure) = run.join() {
                std::panic::resume_unwind(failure);
            }
        }
    });
}

/// Asserts the OS process `pid` ends soon (a zombie, not yet reaped by init, counts as ended).
fn assert_ends(pid: u32) {
    let proc_dir = format!("/proc/{pid}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::path::Path::new(&proc_dir).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let state = std::fs::read_to_string(format!("{proc_dir}/stat")).unwrap_or_default();
    assert!(
        state.is_empty() || state.contains(") Z"),
        "process {pid} outlived its parent: {state}"
    );
}

#[test]
fn a_deadlock_across_processes_is_reported_under_both_backends() {
    // The parent waits for an item that only its child would put, and the child waits on an
    // event nobody can set. With the `os` backend the child is another OS process, which
    // reports its threads to the parent's watchdog.
    let scratch = Scratch::new("dl_xproc");
    let script = scratch.script(
        "xproc.py",
        r#"import multiprocessing as mp, os

def child(q):
    print(os.getpid(), flush=True)
    mp.Event().wait()
    q.put("never")

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    q.get()
"#,
    );
    under_both_backends(|backend| {
        let (out, err) = expect_deadlock(&["--process-backend", backend], &script);
        let child: u32 = out.trim().parse().expect("the child's pid");
        assert_has(
            &err,
            &[
                "\"MainThread\" of MainProcess (pid ",
                "is blocked in multiprocessing.queues.Queue.get()",
                "xproc.py\", line 12, in <module>",
                &format!(
                    "\"MainThread\" of Process-1 (pid {child}) is blocked in \
                     multiprocessing.synchronize.Event.wait()"
                ),
                "xproc.py\", line 5, in child",
                "mp.Event().wait()",
                "ending the run with status 1",
            ],
        );
        // The child was ended with the run, quietly (not left to fail its call to a broker
        // that is gone).
        assert!(!err.contains("Traceback"), "{backend}: {err}");
        if backend == "os" {
            assert_ends(child);
        }
    });
}

#[test]
fn a_lock_held_by_a_child_is_reported_with_the_cycle_under_both_backends() {
    // The child holds lock b and waits for lock a, which the parent holds while it waits
    // for b: a wait-for cycle through two processes.
    let scratch = Scratch::new("dl_xlocks");
    let script = scratch.script(
        "xlocks.py",
        r#"import multiprocessing as mp

def child(a, b, ready):
    b.acquire()
    ready.set()
    a.acquire()

if __name__ == "__main__":
    a = mp.Lock(); b = mp.Lock(); ready = mp.Event()
    a.acquire()
    p = mp.Process(target=child, args=(a, b, ready))
    p.start()
    ready.wait()
    b.acquire()
"#,
    );
    under_both_backends(|backend| {
        let (_, err) = expect_deadlock(&["--process-backend", backend], &script);
        assert_has(
            &err,
            &[
                "is blocked on a multiprocessing lock, held by \"MainThread\" of Process-1 (pid ",
                "is blocked on a multiprocessing lock, held by \"MainThread\" of MainProcess (pid ",
                "xlocks.py\", line 14, in <module>",
                "xlocks.py\", line 6, in child",
                "a.acquire()",
                "wait-for cycle:",
            ],
        );
        let cycle = &err[err.find("wait-for cycle:").unwrap()..];
        assert_has(
            cycle,
            &[
                "\"MainThread\" of MainProcess (pid ",
                ") waits for \"MainThread\" of Process-1 (pid ",
                ") waits for \"MainThread\" of MainProcess (pid ",
            ],
        );
    });
}

#[test]
fn a_slow_child_is_not_a_deadlock_under_both_backends() {
    // While the parent waits for its item, the child sleeps, longer than a deadlock takes to
    // be confirmed.
    let scratch = Scratch::new("dl_xslow");
    let script = scratch.script(
        "xslow.py",
        r#"import multiprocessing as mp, time

def child(q):
    time.sleep(1.0)
    q.put("late")

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    print(q.get())
    p.join()
    print(p.exitcode)
"#,
    );
    under_both_backends(|backend| {
        let (out, err, _) = expect_exit(&["--process-backend", backend], &script, 0);
        assert_eq!(out, "late\n0\n", "{backend}");
        assert!(!err.contains("deadlock"), "{backend}: {err}");
    });
}

#[test]
fn a_child_waiting_with_a_timeout_is_not_a_deadlock_under_both_backends() {
    // While the parent waits for its item, the child waits on a queue nobody feeds, but with
    // a timeout (with the `os` backend a wait that only the parent's side of the call knows).
    let scratch = Scratch::new("dl_xtimed");
    let script = scratch.script(
        "xtimed.py",
        r#"import multiprocessing as mp, queue

def child(q, idle):
    try:
        idle.get(timeout=1.0)
    except queue.Empty:
        q.put("timed out")

if __name__ == "__main__":
    q = mp.Queue(); idle = mp.Queue()
    p = mp.Process(target=child, args=(q, idle))
    p.start()
    print(q.get())
    p.join()
"#,
    );
    under_both_backends(|backend| {
        let (out, err, _) = expect_exit(&["--process-backend", backend], &script, 0);
        assert_eq!(out, "timed out\n", "{backend}");
        assert!(!err.contains("deadlock"), "{backend}: {err}");
    });
}

#[test]
fn a_timeout_lists_the_threads_of_child_processes_under_both_backends() {
    // The child spins while a thread of its own sleeps; the parent joins it. With the `os`
    // backend the child is another OS process, which describes its threads when asked.
    let scratch = Scratch::new("dl_xtimeout");
    let script = scratch.script(
        "xtimeout.py",
        r#"import multiprocessing as mp, os, threading, time

def nap():
    time.sleep(100)

def spin():
    while True:
        pass

def child(q):
    threading.Thread(target=nap, name="napper", daemon=True).start()
    q.put(os.getpid())
    spin()

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    print(q.get(), flush=True)
    p.join()
"#,
    );
    under_both_backends(|backend| {
        let (out, err, _) = expect_exit(
            &["--process-backend", backend, "--timeout", "2s"],
            &script,
            124,
        );
        let child: u32 = out.trim().parse().expect("the child's pid");
        assert_has(
            &err,
            &[
                "gilsim: timeout: the run outlived --timeout 2s",
                "\"MainThread\" of MainProcess (pid ",
                "in multiprocessing.BaseProcess.join()",
                "xtimeout.py\", line 20, in <module>",
                &format!("\"MainThread\" of Process-1 (pid {child}) is running"),
                "xtimeout.py\", line 13, in child",
                ", in spin\n",
                &format!(
                    "\"napper\" of Process-1 (pid {child}) has been sleeping (time.sleep) for "
                ),
                "xtimeout.py\", line 4, in nap",
                "ending the run with status 124",
            ],
        );
        assert!(!err.contains("no report"), "{backend}: {err}");
        if backend == "os" {
            assert_ends(child);
        }
    });
}

#[test]
fn a_timeout_lists_and_ends_children_of_children_without_a_deadlock_watch() {
    // `--on-deadlock=hang`: only the timeout asks the children for their threads. The child
    // waits on a queue nobody feeds; its own child spins.
    let scratch = Scratch::new("dl_xtimeout_hang");
    let script = scratch.script(
        "grand.py",
        r#"import multiprocessing as mp, os

def grandchild(q):
    q.put(os.getpid())
    while True:
        pass

def child(q):
    mp.Process(target=grandchild, args=(q,)).start()
    q.put(os.getpid())
    mp.Queue().get()

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=child, args=(q,))
    p.start()
    print(q.get(), q.get(), flush=True)
    p.join()
"#,
    );
    let (out, err, _) = expect_exit(
        &[
            "--process-backend",
            "os",
            "--on-deadlock=hang",
            "--timeout",
            "2s",
        ],
        &script,
        124,
    );
    let pids: Vec<u32> = out
        .split_whitespace()
        .map(|p| p.parse().expect("a pid"))
        .collect();
    assert_has(
        &err,
        &[
            "\"MainThread\" of Process-1 (pid ",
            ") has been blocked for ",
            "in multiprocessing.queues.Queue.get()",
            "grand.py\", line 11, in child",
            "\"MainThread\" of Process-1:1 (pid ",
            ") is running",
            ", in grandchild\n",
        ],
    );
    assert!(!err.contains("no report"), "{err}");
    for pid in pids {
        assert_ends(pid);
    }
}

#[test]
fn a_future_whose_task_waits_for_ever_is_reported() {
    // The executor's future and its work queue are native: the caller's wait is named after
    // the future, the worker's after what its task waits on.
    let scratch = Scratch::new("dl_future");
    let script = scratch.script(
        "future.py",
        "from concurrent.futures import ThreadPoolExecutor\nimport threading\n\
         gate = threading.Event()\ndef task():\n    gate.wait()\n\
         ex = ThreadPoolExecutor(2)\nf = ex.submit(task)\nprint('waiting', flush=True)\n\
         f.result()\n",
    );
    let (out, err) = expect_deadlock(&[], &script);
    assert_eq!(out, "waiting\n");
    assert_has(
        &err,
        &[
            "gilsim: deadlock",
            "\"MainThread\" is blocked on a concurrent.futures.Future",
            "future.py\", line 9, in <module>",
            "\"ThreadPoolExecutor-0_0\" is blocked in threading.Event.wait()",
            "future.py\", line 5, in task",
        ],
    );
}

#[test]
fn a_busy_executor_is_not_a_deadlock() {
    // The caller waits on futures while the workers sleep and compute, longer than a
    // deadlock takes to be confirmed.
    let scratch = Scratch::new("dl_future_busy");
    let script = scratch.script(
        "busy.py",
        "from concurrent.futures import ThreadPoolExecutor\nimport time\n\
         def task(i):\n    time.sleep(0.3)\n    return sum(range(100000)) + i\n\
         with ThreadPoolExecutor(2) as ex:\n    fs = [ex.submit(task, i) for i in range(6)]\n    \
         print(sum(f.result() for f in fs))\n",
    );
    let (out, err, _) = expect_exit(&[], &script, 0);
    assert_eq!(out, format!("{}\n", 6 * 4999950000u64 + 15));
    assert!(!err.contains("deadlock"), "{err}");
}

#[test]
fn a_pool_task_waiting_for_ever_is_reported_under_both_backends() {
    // The caller waits for its answer, the worker on an event nobody sets, the pool's result
    // handler for results and its watcher for a worker's end: all blocked for good.
    let scratch = Scratch::new("dl_pool");
    let script = scratch.script(
        "pool.py",
        r#"import multiprocessing as mp

def task(event):
    event.wait()

if __name__ == "__main__":
    with mp.Pool(2) as pool:
        print("waiting", flush=True)
        pool.apply(task, (mp.Event(),))
"#,
    );
    under_both_backends(|backend| {
        let (out, err) = expect_deadlock(&["--process-backend", backend], &script);
        assert_eq!(out, "waiting\n", "{backend}");
        assert_has(
            &err,
            &[
                "\"MainThread\" of MainProcess (pid ",
                "is blocked in multiprocessing.pool.Pool.apply()",
                "pool.py\", line 9, in <module>",
                "is blocked in multiprocessing.synchronize.Event.wait()",
                "pool.py\", line 4, in task",
                "\"Thread-2 (_watch_workers)\" of MainProcess (pid ",
                "ending the run with status 1",
            ],
        );
    });
}
