//! The event log: one buffer per interpreter thread, registered with its interpreter's
//! [`Recorder`].
//!
//! A thread only ever locks its own buffer while it runs (an uncontended `parking_lot` mutex,
//! a few nanoseconds), so recording needs no shared lock on the hot path; the recorder reads the
//! buffers once, when a report is made. Buffers outlive their threads, so a report made while
//! daemon threads still run, or after an uncaught exception, loses nothing.

use std::sync::Arc;
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

/// One thread's events, in the order they happened.
pub struct ThreadLog {
    /// The thread's identity (`threading.get_ident()`).
    pub ident: u64,
    start: Instant,
    events: Mutex<Vec<Event>>,
}

impl ThreadLog {
    /// Appends an event stamped now.
    #[inline]
    pub fn record(&self, kind: EventKind) {
        let t_ns = self.start.elapsed().as_nanos() as u64;
        self.events.lock().push(Event { t_ns, kind });
    }

    /// A copy of the events so far.
    pub fn snapshot(&self) -> Vec<Event> {
        self.events.lock().clone()
    }
}

/// One interpreter's event logs, and the clock they share.
pub struct Recorder {
    start: Instant,
    threads: Mutex<Vec<Arc<ThreadLog>>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            start: Instant::now(),
            threads: Mutex::new(vec![]),
        }
    }
}

impl Recorder {
    /// A new buffer for thread `ident`, registered so reports find it.
    pub fn thread_log(&self, ident: u64) -> Arc<ThreadLog> {
        let log = Arc::new(ThreadLog {
            ident,
            start: self.start,
            events: Mutex::new(Vec::with_capacity(1024)),
        });
        self.threads.lock().push(log.clone());
        log
    }

    /// Names thread `ident` (from any thread: renaming is rare, so the list lock is fine).
    pub fn name_thread(&self, ident: u64, name: &str) {
        let threads = self.threads.lock();
        if let Some(log) = threads.iter().find(|t| t.ident == ident) {
            log.record(EventKind::Name(name.into()));
        }
    }

    /// Nanoseconds since the recorder started.
    pub fn now_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Every thread's events so far, threads in start order.
    pub fn snapshot(&self) -> Vec<(u64, Vec<Event>)> {
        let threads = self.threads.lock().clone();
        threads.iter().map(|t| (t.ident, t.snapshot())).collect()
    }
}
