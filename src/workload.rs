//! Workloads as data: a [`Workload`] describes threads (CPU work, I/O, lock-protected updates,
//! queue traffic, condition-variable ping-pong, a child process feeding a queue) and
//! [`Workload::script`] turns it into a Python script gilsim runs. A property test generates
//! the description (a proptest strategy over [`ThreadWork`]), runs the script with
//! [`crate::runtime::Runtime`], and checks the GIL's behaviour on the spans and the script's
//! own results with [`Workload::verify`]; a failing case shrinks as data, and prints as a
//! short description rather than a script.
//!
//! The script names every thread after its work and index (`cpu-0`, `io-1`, ...; see
//! [`ThreadWork::names`]), so properties can find them in the report, and prints one line per
//! kind of result (`counter 120 expected 120`, `items put 40 got 40 distinct 40`, ...), so
//! lost updates, lost items and lost wake-ups show in the output.

use std::fmt::Write as _;

/// What one entry of a workload does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThreadWork {
    /// A thread counting down from `iterations` in a `while` loop: pure bytecode, holding the
    /// GIL whenever it runs.
    Cpu { iterations: u32 },
    /// A thread calling `time.sleep(sleep_ms / 1000)` `sleeps` times: it releases the GIL at
    /// every call and must take it back after (`sleep_ms: 0` is the convoy's `sleep(0)`).
    Io { sleeps: u32, sleep_ms: u32 },
    /// A thread adding 1 to a shared counter `n` times, each under a `threading.Lock`: the
    /// counter must be exact under every policy, `none` included.
    LockedUpdates { n: u32 },
    /// A thread putting `n` distinct items on a shared `queue.Queue`, which one `consumer`
    /// thread (started when any producer is) gets: each item must be got exactly once.
    QueueItems { n: u32 },
    /// Two threads (`ping-i`, `pong-i`) taking `rounds` turns each through a
    /// `threading.Condition`, each waiting until the other hands it the turn and notifies: a
    /// lost notify shows as a wait that timed out although the turn had been handed over.
    PingPong { rounds: u32 },
    /// A child process (`multiprocessing.Process` named `proc-i`) putting `n` distinct items
    /// on a `multiprocessing.Queue` that the main thread gets: each exactly once.
    ProcessItems { n: u32 },
}

impl ThreadWork {
    /// The names of the threads (or, for [`ThreadWork::ProcessItems`], the process) this
    /// entry starts, as entry `index` of its workload.
    pub fn names(&self, index: usize) -> Vec<String> {
        match self {
            ThreadWork::Cpu { .. } => vec![format!("cpu-{index}")],
            ThreadWork::Io { .. } => vec![format!("io-{index}")],
            ThreadWork::LockedUpdates { .. } => vec![format!("locked-{index}")],
            ThreadWork::QueueItems { .. } => vec![format!("producer-{index}")],
            ThreadWork::PingPong { .. } => vec![format!("ping-{index}"), format!("pong-{index}")],
            ThreadWork::ProcessItems { .. } => vec![format!("proc-{index}")],
        }
    }

    /// Does this entry run threads in the main process (rather than a child process)?
    pub fn in_main_process(&self) -> bool {
        !matches!(self, ThreadWork::ProcessItems { .. })
    }
}

/// A set of threads to run at once, started in order by the main thread, which then joins
/// them and prints the results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workload {
    pub threads: Vec<ThreadWork>,
}

/// The results a workload's script must print, summed over its entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// The lock-protected counter's final value.
    pub counter: u64,
    /// Items put on the thread queue.
    pub items: u64,
    /// Ping-pong rounds (per side).
    pub rounds: u64,
    /// Items put on process queues.
    pub process_items: u64,
}

/// Items of entry `i` are numbered from `i * ITEM_BASE`, so every item of a run is distinct.
const ITEM_BASE: u64 = 1_000_000;

/// How long a get or a condition wait may take before the script counts it as lost, in
/// seconds: far beyond any honest delay, so a timeout means the item or the wake-up is gone.
const LOST_AFTER_S: u32 = 20;

const PRELUDE: &str = r#"import threading, time, queue

lock = threading.Lock()
counter = 0
q = queue.Queue()
got = []
missing = []
lost = []
slow = []

def cpu(n):
    while n > 0:
        n -= 1

def io(sleeps, seconds):
    for _ in range(sleeps):
        time.sleep(seconds)

def locked(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1

def produce(base, n):
    for i in range(n):
        q.put(base + i)

def consume(total):
    for _ in range(total):
        try:
            got.append(q.get(timeout=LOST_AFTER))
        except queue.Empty:
            missing.append(1)

def ping_pong(cond, turn, me, rounds):
    for _ in range(rounds):
        with cond:
            while turn[0] != me:
                if not cond.wait(LOST_AFTER):
                    if turn[0] == me:
                        lost.append(me)
                    else:
                        slow.append(me)
            turn[0] = 1 - me
            cond.notify()

def proc_produce(pq, base, n):
    for i in range(n):
        pq.put(base + i)
"#;

impl Workload {
    /// A workload of these entries.
    pub fn new(threads: Vec<ThreadWork>) -> Workload {
        Workload { threads }
    }

    /// The results the script must print.
    pub fn expected(&self) -> Expected {
        let mut e = Expected::default();
        for w in &self.threads {
            match *w {
                ThreadWork::LockedUpdates { n } => e.counter += n as u64,
                ThreadWork::QueueItems { n } => e.items += n as u64,
                ThreadWork::PingPong { rounds } => e.rounds += rounds as u64,
                ThreadWork::ProcessItems { n } => e.process_items += n as u64,
                ThreadWork::Cpu { .. } | ThreadWork::Io { .. } => {}
            }
        }
        e
    }

    /// Names of the threads the main process starts for the entries, in order (the
    /// `consumer` thread last, when there is one).
    pub fn thread_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .threads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.in_main_process())
            .flat_map(|(i, w)| w.names(i))
            .collect();
        if self.expected().items > 0 {
            names.push("consumer".into());
        }
        names
    }

    /// The Python script: the helpers, then (under the `__main__` guard, which child
    /// processes need) every entry's threads and processes started in order, joined, and the
    /// results printed:
    ///
    /// ```text
    /// counter C expected E
    /// items put P got G distinct D missing M
    /// pingpong rounds R lost L slow S
    /// process_items put P got G distinct D missing M
    /// done
    /// ```
    pub fn script(&self) -> String {
        let e = self.expected();
        let mut s = String::new();
        if e.process_items > 0 {
            s.push_str("import multiprocessing\n");
        }
        s.push_str(&PRELUDE.replace("LOST_AFTER", &LOST_AFTER_S.to_string()));
        s.push_str("\ndef main():\n");
        s.push_str("    threads = []\n    procs = []\n");
        if e.process_items > 0 {
            s.push_str("    pq = multiprocessing.Queue()\n");
        }
        for (i, w) in self.threads.iter().enumerate() {
            let names = w.names(i);
            let name = &names[0];
            let base = i as u64 * ITEM_BASE;
            let start = |s: &mut String, target: &str, args: &str, name: &str| {
                let _ = writeln!(
                    s,
                    "    threads.append(threading.Thread(target={target}, args=({args}), name={name:?}))"
                );
            };
            match *w {
                ThreadWork::Cpu { iterations } => {
                    start(&mut s, "cpu", &format!("{iterations},"), name)
                }
                ThreadWork::Io { sleeps, sleep_ms } => start(
                    &mut s,
                    "io",
                    &format!("{sleeps}, {}", sleep_ms as f64 / 1000.0),
                    name,
                ),
                ThreadWork::LockedUpdates { n } => start(&mut s, "locked", &format!("{n},"), name),
                ThreadWork::QueueItems { n } => {
                    start(&mut s, "produce", &format!("{base}, {n}"), name)
                }
                ThreadWork::PingPong { rounds } => {
                    let _ = writeln!(s, "    cond{i} = threading.Condition()\n    turn{i} = [0]");
                    for (me, name) in names.iter().enumerate() {
                        start(
                            &mut s,
                            "ping_pong",
                            &format!("cond{i}, turn{i}, {me}, {rounds}"),
                            name,
                        );
                    }
                }
                ThreadWork::ProcessItems { n } => {
                    let _ = writeln!(
                        s,
                        "    procs.append(multiprocessing.Process(target=proc_produce, args=(pq, {base}, {n}), name={name:?}))"
                    );
                }
            }
        }
        if e.items > 0 {
            let _ = writeln!(
                s,
                "    threads.append(threading.Thread(target=consume, args=({},), name=\"consumer\"))",
                e.items
            );
        }
        s.push_str("    for p in procs:\n        p.start()\n");
        s.push_str("    for t in threads:\n        t.start()\n");
        s.push_str("    pgot = []\n    pmissing = 0\n");
        if e.process_items > 0 {
            let _ = writeln!(
                s,
                "    for _ in range({}):\n        try:\n            pgot.append(pq.get(timeout={LOST_AFTER_S}))\n        except queue.Empty:\n            pmissing += 1",
                e.process_items
            );
        }
        s.push_str("    for t in threads:\n        t.join()\n");
        s.push_str("    for p in procs:\n        p.join()\n");
        let _ = writeln!(
            s,
            "    print(\"counter\", counter, \"expected\", {})",
            e.counter
        );
        let _ = writeln!(
            s,
            "    print(\"items put\", {}, \"got\", len(got), \"distinct\", len(set(got)), \"missing\", len(missing))",
            e.items
        );
        let _ = writeln!(
            s,
            "    print(\"pingpong rounds\", {}, \"lost\", len(lost), \"slow\", len(slow))",
            e.rounds
        );
        let _ = writeln!(
            s,
            "    print(\"process_items put\", {}, \"got\", len(pgot), \"distinct\", len(set(pgot)), \"missing\", pmissing)",
            e.process_items
        );
        s.push_str("    print(\"done\")\n\nif __name__ == \"__main__\":\n    main()\n");
        s
    }

    /// Checks a run's stdout against the workload: the counter exact, every item got exactly
    /// once (none missing, none twice), no lost wake-up, and the script finished. The error
    /// says which line was wrong.
    pub fn verify(&self, stdout: &str) -> Result<(), String> {
        let e = self.expected();
        let want = [
            format!("counter {0} expected {0}", e.counter),
            format!("items put {0} got {0} distinct {0} missing 0", e.items),
            format!(
                "process_items put {0} got {0} distinct {0} missing 0",
                e.process_items
            ),
            "done".to_string(),
        ];
        let lines: Vec<&str> = stdout.lines().collect();
        for w in &want {
            if !lines.contains(&w.as_str()) {
                return Err(format!("expected a line {w:?} in the output:\n{stdout}"));
            }
        }
        let pingpong = format!("pingpong rounds {} lost 0 slow ", e.rounds);
        if !lines.iter().any(|l| l.starts_with(&pingpong)) {
            return Err(format!(
                "expected a line starting {pingpong:?} in the output:\n{stdout}"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_entry_names_its_threads_and_counts_its_results() {
        let w = Workload::new(vec![
            ThreadWork::Cpu { iterations: 10 },
            ThreadWork::PingPong { rounds: 3 },
            ThreadWork::QueueItems { n: 4 },
            ThreadWork::ProcessItems { n: 2 },
            ThreadWork::LockedUpdates { n: 5 },
        ]);
        assert_eq!(
            w.thread_names(),
            [
                "cpu-0",
                "ping-1",
                "pong-1",
                "producer-2",
                "locked-4",
                "consumer"
            ]
        );
        assert_eq!(
            w.expected(),
            Expected {
                counter: 5,
                items: 4,
                rounds: 3,
                process_items: 2
            }
        );
        let script = w.script();
        if let Ok(path) = std::env::var("GILSIM_DUMP_WORKLOAD") {
            std::fs::write(path, &script).unwrap();
        }
        assert!(script.contains("name=\"pong-1\""));
        assert!(script.contains("import multiprocessing"));
    }
}
