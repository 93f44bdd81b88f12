//! The event log: one buffer per interpreter thread, registered with its interpreter's
//! [`Recorder`].
//!
//! A thread only ever locks its own buffer while it runs (an uncontended `parking_lot` mutex,
//! a few nanoseconds), so recording needs no shared lock on the hot path; the recorder reads the
//! buffers once, when a report is made. Buffers outlive their threads, so a report made while
//! daemon threads still run, or after an uncaught exception, loses nothing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use parking_lot::Mutex;

/// Why a thread let go of the GIL of its own accord.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// Native work that runs without the GIL (a C extension's `Py_BEGIN_ALLOW_THREADS`):
    /// the function's dotted name.
    Native(&'static str),
    /// A blocking wait: the primitive's kind (`sleep`, `lock`, ...) and its object id (0 when
    /// it has none).
    Blocked(&'static str, u64),
}

/// What happened to a thread.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// The thread started (its first event).
    Start,
    /// The script named (or renamed) the thread.
    Name(Arc<str>),
    /// The thread asked for the GIL.
    Request,
    /// The thread took the GIL.
    Acquire,
    /// This thread's wait timed out and it asked `holder` to drop the GIL.
    DropRequest { holder: u64 },
    /// The thread dropped the GIL at the eval breaker, answering a drop request (a forced
    /// switch), or at its end.
    Drop { forced: bool },
    /// The thread dropped the GIL for a native call or a blocking wait.
    Release(Release),
    /// The thread ended (its last event).
    End,
}

/// One event: nanoseconds since the recorder started, and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub t_ns: u64,
    pub kind: EventKind,
}

/// Where timestamps come from: the run's real clock, or deterministic mode's virtual one.
#[derive(Clone)]
enum Clock {
    Real(Instant),
    Virtual(Arc<AtomicU64>),
}

impl Clock {
    fn now_ns(&self) -> u64 {
        match self {
            Clock::Real(start) => start.elapsed().as_nanos() as u64,
            Clock::Virtual(ns) => ns.load(Ordering::Relaxed),
        }
    }
}

/// One thread's events, in the order they happened.
pub struct ThreadLog {
    /// The thread's identity (`threading.get_ident()`).
    pub ident: u64,
    clock: Clock,
    events: Mutex<Vec<Event>>,
}

impl ThreadLog {
    /// Appends an event stamped now.
    #[inline]
    pub fn record(&self, kind: EventKind) {
        self.record_at(self.clock.now_ns(), kind);
    }

    /// Appends an event that happened at `t_ns` (deterministic mode knows when a thread was
    /// woken only once it runs again).
    pub fn record_at(&self, t_ns: u64, kind: EventKind) {
        self.events.lock().push(Event { t_ns, kind });
    }

    /// A copy of the events so far.
    pub fn snapshot(&self) -> Vec<Event> {
        self.events.lock().clone()
    }
}

/// One interpreter's event logs, and the clock they share with the other processes of the run.
pub struct Recorder {
    start: Instant,
    /// Deterministic mode's virtual clock, which then stamps every event of this interpreter.
    virtual_clock: OnceLock<Arc<AtomicU64>>,
    threads: Mutex<Vec<Arc<ThreadLog>>>,
    /// Every process of the run, main first; shared by all the run's recorders.
    run: Arc<Mutex<Vec<ProcessRecord>>>,
}

/// One process of a run (an interpreter), as the reports list it.
#[derive(Clone)]
pub struct ProcessRecord {
    pub pid: u32,
    pub name: String,
    /// When it started, in nanoseconds on the run's clock.
    pub started_ns: u64,
    pub recorder: Arc<Recorder>,
    /// Bytes it serialized to send to other processes.
    pub bytes_sent: Arc<AtomicU64>,
    /// For a child OS process (`--process-backend os`): what the run heard of it. Its events
    /// live in another address space and reach this record only when it ends.
    pub os: Option<Arc<OsChild>>,
}

/// What the run knows of a child OS process besides its events: whether they arrived (a
/// process killed by a signal never sends them) and how it ended. Filled in by
/// `crate::process::os_reports`.
#[derive(Debug, Default)]
pub struct OsChild {
    reported: AtomicBool,
    /// Its exit code, and when it ended on the run's clock.
    exit: Mutex<Option<(i32, u64)>>,
}

impl OsChild {
    /// Its event logs have arrived; false if they had already (a second copy is ignored).
    pub fn mark_reported(&self) -> bool {
        !self.reported.swap(true, Ordering::Relaxed)
    }

    /// Did its event logs arrive?
    pub fn reported(&self) -> bool {
        self.reported.load(Ordering::Relaxed)
    }

    /// Its spawner saw it end with `code` at `t_ns` on the run's clock.
    pub fn exited(&self, code: i32, t_ns: u64) {
        *self.exit.lock() = Some((code, t_ns));
    }

    /// Its exit code and when it ended, once it has.
    pub fn exit(&self) -> Option<(i32, u64)> {
        *self.exit.lock()
    }

    /// Why the reports have no figures for it, if they have none.
    pub fn missing_figures(&self) -> Option<String> {
        if self.reported() {
            return None;
        }
        Some(match self.exit() {
            Some((code, _)) if code < 0 => {
                format!(
                    "no figures: killed by signal {} before it could send them",
                    -code
                )
            }
            Some((code, _)) => format!("no figures: exit code {code}, ended without sending them"),
            None => "no figures: still running when the run ended".to_string(),
        })
    }
}

impl Recorder {
    /// The recorder of a run's main interpreter, registered as its first process.
    pub fn new_run(pid: u32, bytes_sent: Arc<AtomicU64>) -> Arc<Recorder> {
        let r = Arc::new(Recorder {
            start: Instant::now(),
            virtual_clock: OnceLock::new(),
            threads: Mutex::new(vec![]),
            run: Arc::default(),
        });
        r.register(pid, "MainProcess", bytes_sent, r.clone());
        r
    }

    /// A recorder for a child process of the same run, on the same clock.
    pub fn new_process(&self, pid: u32, name: &str, bytes_sent: Arc<AtomicU64>) -> Arc<Recorder> {
        let r = self.sibling();
        self.register(pid, name, bytes_sent, r.clone());
        r
    }

    /// The recorder of a child OS process: the first process of a run of its own (its
    /// address space's), on a clock that reads 0 at `origin`, the start of the run it belongs
    /// to, so its events need no translation when they reach that run. It started at
    /// `started_ns` (when its spawner started it).
    pub fn new_os_child(
        origin: Instant,
        pid: u32,
        name: &str,
        started_ns: u64,
        bytes_sent: Arc<AtomicU64>,
    ) -> Arc<Recorder> {
        let r = Arc::new(Recorder {
            start: origin,
            virtual_clock: OnceLock::new(),
            threads: Mutex::new(vec![]),
            run: Arc::default(),
        });
        r.run.lock().push(ProcessRecord {
            pid,
            name: name.to_string(),
            started_ns,
            recorder: r.clone(),
            bytes_sent,
            os: None,
        });
        r
    }

    /// The record of child OS process `pid` in this run, registered (in start order) as
    /// started at `started_ns` if the run has not heard of it (or only of an earlier process of
    /// that pid, since ended). Its events are added with [`Recorder::adopt_thread`] when they
    /// arrive.
    pub fn os_child(&self, pid: u32, name: &str, started_ns: u64) -> ProcessRecord {
        let mut run = self.run.lock();
        let known = run
            .iter()
            .rev()
            .find(|p| p.pid == pid && p.os.as_ref().is_some_and(|os| os.exit().is_none()));
        if let Some(p) = known {
            return p.clone();
        }
        let record = ProcessRecord {
            pid,
            name: name.to_string(),
            started_ns,
            recorder: self.sibling(),
            bytes_sent: Arc::default(),
            os: Some(Arc::default()),
        };
        // In start order (notices from different processes may arrive in any order), after
        // the main process.
        let at = match run.get(1..) {
            Some(children) => 1 + children.partition_point(|p| p.started_ns <= started_ns),
            None => run.len(),
        };
        run.insert(at, record.clone());
        record
    }

    /// A recorder on this one's clock, in the same run, with no threads yet.
    fn sibling(&self) -> Arc<Recorder> {
        Arc::new(Recorder {
            start: self.start,
            virtual_clock: OnceLock::new(),
            threads: Mutex::new(vec![]),
            run: self.run.clone(),
        })
    }

    fn register(&self, pid: u32, name: &str, bytes_sent: Arc<AtomicU64>, r: Arc<Recorder>) {
        self.run.lock().push(ProcessRecord {
            pid,
            name: name.to_string(),
            started_ns: self.now_ns(),
            recorder: r,
            bytes_sent,
            os: None,
        });
    }

    /// Every process of the run so far, main first. `take` empties the list (at the end of a
    /// run, so the recorders it holds can be freed).
    pub fn processes(&self, take: bool) -> Vec<ProcessRecord> {
        let mut run = self.run.lock();
        if take {
            std::mem::take(&mut *run)
        } else {
            run.clone()
        }
    }

    /// Stamps this interpreter's events with deterministic mode's virtual clock (before any
    /// thread records).
    pub fn use_virtual_clock(&self, clock: Arc<AtomicU64>) {
        let now = clock.load(Ordering::Relaxed);
        let _ = self.virtual_clock.set(clock);
        // This interpreter was registered on the real clock: it starts now, in virtual time.
        for p in self.run.lock().iter_mut() {
            if std::ptr::eq(Arc::as_ptr(&p.recorder), self) {
                p.started_ns = now;
            }
        }
    }

    fn clock(&self) -> Clock {
        match self.virtual_clock.get() {
            Some(v) => Clock::Virtual(v.clone()),
            None => Clock::Real(self.start),
        }
    }

    /// A new buffer for thread `ident`, registered so reports find it.
    pub fn thread_log(&self, ident: u64) -> Arc<ThreadLog> {
        let log = Arc::new(ThreadLog {
            ident,
            clock: self.clock(),
            events: Mutex::new(Vec::with_capacity(1024)),
        });
        self.threads.lock().push(log.clone());
        log
    }

    /// Adds the finished log of a thread that ran in another address space (a child OS
    /// process's, whose events arrive when it ends), its events already on this clock.
    pub fn adopt_thread(&self, ident: u64, events: Vec<Event>) {
        self.threads.lock().push(Arc::new(ThreadLog {
            ident,
            clock: self.clock(),
            events: Mutex::new(events),
        }));
    }

    /// Names thread `ident` (from any thread: renaming is rare, so the list lock is fine).
    pub fn name_thread(&self, ident: u64, name: &str) {
        let threads = self.threads.lock();
        if let Some(log) = threads.iter().find(|t| t.ident == ident) {
            log.record(EventKind::Name(name.into()));
        }
    }

    /// Nanoseconds since the run started (virtual in deterministic mode).
    pub fn now_ns(&self) -> u64 {
        self.clock().now_ns()
    }

    /// Every thread's events so far, threads in start order.
    pub fn snapshot(&self) -> Vec<(u64, Vec<Event>)> {
        let threads = self.threads.lock().clone();
        threads.iter().map(|t| (t.ident, t.snapshot())).collect()
    }
}
