//! The `os` backend's share of the reports: how the event logs of child OS processes reach
//! `--stats`, `--stats-json`, `--trace` and `--timeline`, which the top gilsim process writes.
//!
//! An `interp`-backend child records straight into its parent's run. A child OS process
//! records in an address space of its own, so each process of the run tells the top process
//! what it knows, as [`Notice`]s sent through the broker's socket ([`Request::Observe`]; the
//! top process, which keeps the broker, applies its own directly):
//! - a spawner says it started a child ([`Notice::Started`]) and, once it has seen the child
//!   end, with which exit code ([`Notice::Exited`]);
//! - the child, as it ends (normally, by an uncaught exception, by `sys.exit`), sends every
//!   thread's events and its bytes serialized ([`Notice::Logs`]). It waits for the broker's
//!   reply before it exits, so its logs are in the run before its spawner's `join()` returns.
//!
//! The top process adds each child to its run as a process of its own
//! ([`Recorder::os_child`]), so the reports show one per interpreter, as with the `interp`
//! backend. A child killed by a signal sends no logs: the reports show its header, its exit
//! code and a note saying so. Nothing of this happens unless the run records: only then does
//! the bootstrap carry a [`Recording`] (passed on to grandchildren); without one a child has no
//! recorder and sends nothing.
//!
//! The clock. Events are stamped in nanoseconds since the run started, an `Instant` of the top
//! process. On Linux `Instant` reads CLOCK_MONOTONIC, one clock for the whole system, but std
//! offers no way to hand an `Instant` to another process. So the run's start crosses once as
//! a wall-clock reading ([`Recording::epoch_unix_ns`]: the wall clock at the run's start,
//! read as "now" minus the run's clock), and each child turns it back into an `Instant` of its
//! own when it starts (now minus the wall-clock time since the epoch) and stamps every event
//! from there: its logs arrive on the run's clock and merge as they are. Each process reads
//! the wall clock once, milliseconds apart, so only a step of it in between (`settimeofday`,
//! an NTP step; NTP's slewing moves both clocks alike) could skew a child; the child's start
//! is kept between the moment its spawner started it ([`Recording::spawned_ns`]) and a minute
//! after, and taken to be that moment if the wall clock says otherwise.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, OnceLock, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rustc_hash::{FxHashMap, FxHashSet};

#[cfg(doc)]
use super::ipc::Request;
use super::ipc::{Decoder, Encoder};
use crate::observe::{Event, EventKind, Recorder, Release};
use crate::vm::Vm;

/// What a child OS process needs to record for the run (in its bootstrap, when the run
/// records).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The run, as the top process knows it (one gilsim process may make several runs).
    pub run: u64,
    /// The wall clock's reading at the run's start, in nanoseconds since the Unix epoch.
    pub epoch_unix_ns: u64,
    /// When the spawner started the child, on the run's clock: its start in the reports.
    pub spawned_ns: u64,
    /// The child's name (`Process-1`), for the reports.
    pub name: String,
}

impl Recording {
    /// Appends it to a bootstrap being written.
    pub fn encode(&self, e: &mut Encoder) {
        e.u64(self.run)
            .u64(self.epoch_unix_ns)
            .u64(self.spawned_ns)
            .str(&self.name);
    }

    /// Reads it back from a bootstrap.
    pub fn decode(d: &mut Decoder<'_>) -> io::Result<Recording> {
        Ok(Recording {
            run: d.u64()?,
            epoch_unix_ns: d.u64()?,
            spawned_ns: d.u64()?,
            name: d.str()?,
        })
    }

    /// The `Instant` at which the run started, as this process's clock reads it (see the
    /// module's doc).
    fn origin(&self) -> Instant {
        let now = Instant::now();
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .and_then(|d| u64::try_from(d.as_nanos()).ok());
        let latest = self.spawned_ns.saturating_add(PLAUSIBLE_START_NS);
        let started_ns = since_epoch
            .and_then(|w| w.checked_sub(self.epoch_unix_ns))
            .filter(|t| (self.spawned_ns..=latest).contains(t))
            .unwrap_or(self.spawned_ns);
        now.checked_sub(Duration::from_nanos(started_ns))
            .unwrap_or(now)
    }
}

/// The longest a child may plausibly take to start after its spawner started it; a wall
/// clock that says more has been stepped.
const PLAUSIBLE_START_NS: u64 = 60_000_000_000;

/// What one process of a run tells the top process about a child OS process.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// Its spawner started child `pid` at `started_ns` on the run's clock.
    Started {
        run: u64,
        pid: u32,
        name: String,
        started_ns: u64,
    },
    /// Child `pid` ended (as its spawner saw) with exit `code`, at `ended_ns`.
    Exited {
        run: u64,
        pid: u32,
        code: i32,
        ended_ns: u64,
    },
    /// Child `pid`'s recording, sent by the child as it ends: every thread's events (each
    /// log ending with [`EventKind::End`]), on the run's clock.
    Logs {
        run: u64,
        pid: u32,
        name: String,
        started_ns: u64,
        bytes_serialized: u64,
        threads: Vec<(u64, Vec<Event>)>,
    },
}

/// The runs of this gilsim process whose children may send notices, by number.
struct Run {
    id: u64,
    epoch_unix_ns: u64,
    recorder: Weak<Recorder>,
}

static RUNS: Mutex<Vec<Run>> = Mutex::new(Vec::new());
static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// In a child OS process: the run it records for and that run's epoch (from its bootstrap),
/// which its own children record for too.
static RECORDING_FOR: OnceLock<(u64, u64)> = OnceLock::new();

/// The run `recorder` (the top process's main recorder) belongs to, registered on first use.
fn top_run(recorder: &Arc<Recorder>) -> (u64, u64) {
    let mut runs = RUNS.lock();
    runs.retain(|r| r.recorder.strong_count() > 0);
    if let Some(r) = runs
        .iter()
        .find(|r| std::ptr::eq(r.recorder.as_ptr(), Arc::as_ptr(recorder)))
    {
        return (r.id, r.epoch_unix_ns);
    }
    let now_unix_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let run = Run {
        id: NEXT_RUN.fetch_add(1, Ordering::Relaxed),
        epoch_unix_ns: now_unix_ns.saturating_sub(recorder.now_ns()),
        recorder: Arc::downgrade(recorder),
    };
    let found = (run.id, run.epoch_unix_ns);
    runs.push(run);
    found
}

/// A spawner's side: what it keeps to tell the run about a child it starts.
pub struct Spawn {
    recording: Recording,
    recorder: Arc<Recorder>,
}

impl Spawn {
    /// The recording a child named `name`, started now by `vm`'s interpreter, is to make;
    /// `None` when the run records nothing.
    pub fn new(vm: &Vm, name: &str) -> Option<Spawn> {
        let recorder = vm.interp.recorder.clone()?;
        let (run, epoch_unix_ns) = match RECORDING_FOR.get() {
            Some(&inherited) => inherited,
            None => top_run(&recorder),
        };
        Some(Spawn {
            recording: Recording {
                run,
                epoch_unix_ns,
                spawned_ns: recorder.now_ns(),
                name: name.to_string(),
            },
            recorder,
        })
    }

    /// What goes in the child's bootstrap.
    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    /// The child got pid `pid`.
    pub fn started(&self, pid: u32) {
        tell(&Notice::Started {
            run: self.recording.run,
            pid,
            name: self.recording.name.clone(),
            started_ns: self.recording.spawned_ns,
        });
    }

    /// The child `pid` ended with exit code `code`, just now.
    pub fn exited(&self, pid: u32, code: i32) {
        tell(&Notice::Exited {
            run: self.recording.run,
            pid,
            code,
            ended_ns: self.recorder.now_ns(),
        });
    }
}

/// The recorder of this child OS process (`pid`), on the run's clock, as `recording` says;
/// the child's own children record for the same run.
pub fn child_recorder(
    recording: &Recording,
    pid: u32,
    bytes_sent: Arc<AtomicU64>,
) -> Arc<Recorder> {
    let _ = RECORDING_FOR.set((recording.run, recording.epoch_unix_ns));
    Recorder::new_os_child(
        recording.origin(),
        pid,
        &recording.name,
        recording.spawned_ns,
        bytes_sent,
    )
}

/// Sends this child OS process's recording to the run, as it ends (threads still running,
/// daemon threads, end with it). Returns once the run has it; an error means the top process
/// is gone, and the recording with it.
pub fn ship(run: u64, recorder: &Recorder) -> io::Result<()> {
    let Some(me) = recorder.processes(false).into_iter().next() else {
        return Ok(());
    };
    let now = recorder.now_ns();
    let threads = recorder
        .snapshot()
        .into_iter()
        .map(|(ident, mut events)| {
            if !matches!(events.last(), Some(e) if e.kind == EventKind::End) {
                let t_ns = events.last().map_or(now, |e| e.t_ns.max(now));
                events.push(Event {
                    t_ns,
                    kind: EventKind::End,
                });
            }
            (ident, events)
        })
        .collect();
    let logs = Notice::Logs {
        run,
        pid: me.pid,
        name: me.name,
        started_ns: me.started_ns,
        bytes_serialized: me.bytes_sent.load(Ordering::Relaxed),
        threads,
    };
    super::remote::observe(logs.encode())
}

/// Tells the run: directly in the top process, else through the broker (an error means the
/// top process is gone, and its reports with it).
fn tell(notice: &Notice) {
    if super::remote::broker_socket().is_some() {
        let _ = super::remote::observe(notice.encode());
    } else {
        apply(notice.clone());
    }
}

/// The broker's side: applies a notice a child sent.
pub fn deliver(bytes: &[u8]) -> Result<(), String> {
    let notice = Notice::decode(bytes).map_err(|e| format!("bad notice for the reports: {e}"))?;
    apply(notice);
    Ok(())
}

/// Adds what `notice` says to its run (if the run is still going).
fn apply(notice: Notice) {
    let run = match &notice {
        Notice::Started { run, .. } | Notice::Exited { run, .. } | Notice::Logs { run, .. } => *run,
    };
    let recorder = RUNS
        .lock()
        .iter()
        .find(|r| r.id == run)
        .and_then(|r| r.recorder.upgrade());
    let Some(recorder) = recorder else {
        return;
    };
    match notice {
        Notice::Started {
            pid,
            name,
            started_ns,
            ..
        } => {
            recorder.os_child(pid, &name, started_ns);
        }
        Notice::Exited {
            pid,
            code,
            ended_ns,
            ..
        } => {
            let child = recorder.os_child(pid, &format!("Process (pid {pid})"), ended_ns);
            if let Some(os) = &child.os {
                os.exited(code, ended_ns);
            }
        }
        Notice::Logs {
            pid,
            name,
            started_ns,
            bytes_serialized,
            threads,
            ..
        } => {
            let child = recorder.os_child(pid, &name, started_ns);
            if child.os.as_ref().is_some_and(|os| os.mark_reported()) {
                child.bytes_sent.store(bytes_serialized, Ordering::Relaxed);
                for (ident, events) in threads {
                    child.recorder.adopt_thread(ident, events);
                }
            }
        }
    }
}

impl Notice {
    /// Its bytes, as [`Request::Observe`] carries them.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        match self {
            Notice::Started {
                run,
                pid,
                name,
                started_ns,
            } => {
                e.u8(0)
                    .u64(*run)
                    .u64((*pid).into())
                    .str(name)
                    .u64(*started_ns);
            }
            Notice::Exited {
                run,
                pid,
                code,
                ended_ns,
            } => {
                e.u8(1)
                    .u64(*run)
                    .u64((*pid).into())
                    .u64(*code as i64 as u64)
                    .u64(*ended_ns);
            }
            Notice::Logs {
                run,
                pid,
                name,
                started_ns,
                bytes_serialized,
                threads,
            } => {
                e.u8(2)
                    .u64(*run)
                    .u64((*pid).into())
                    .str(name)
                    .u64(*started_ns)
                    .u64(*bytes_serialized);
                encode_threads(&mut e, threads);
            }
        }
        e.0
    }

    /// Reads a notice; a corrupt one is an error.
    pub fn decode(bytes: &[u8]) -> io::Result<Notice> {
        let mut d = Decoder::new(bytes);
        let tag = d.u8()?;
        let run = d.u64()?;
        let pid = u32::try_from(d.u64()?).map_err(|_| corrupt())?;
        let notice = match tag {
            0 => Notice::Started {
                run,
                pid,
                name: d.str()?,
                started_ns: d.u64()?,
            },
            1 => Notice::Exited {
                run,
                pid,
                code: i32::try_from(d.u64()? as i64).map_err(|_| corrupt())?,
                ended_ns: d.u64()?,
            },
            2 => Notice::Logs {
                run,
                pid,
                name: d.str()?,
                started_ns: d.u64()?,
                bytes_serialized: d.u64()?,
                threads: decode_threads(&mut d)?,
            },
            _ => return Err(corrupt()),
        };
        d.end()?;
        Ok(notice)
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "corrupt notice")
}

/// Threads' logs: first the table of the strings they name (thread names, native functions,
/// kinds of wait), then each thread's ident and events, strings by their place in the table.
fn encode_threads(e: &mut Encoder, threads: &[(u64, Vec<Event>)]) {
    let mut table = StringTable::default();
    // The table is written first, so the events are encoded apart and appended after it.
    let mut body = Encoder::default();
    body.u64(threads.len() as u64);
    for (ident, events) in threads {
        body.u64(*ident).u64(events.len() as u64);
        for ev in events {
            body.u64(ev.t_ns);
            match &ev.kind {
                EventKind::Start => body.u8(0),
                EventKind::Name(n) => body.u8(1).u64(table.place(n)),
                EventKind::Request => body.u8(2),
                EventKind::Acquire => body.u8(3),
                EventKind::DropRequest { holder } => body.u8(4).u64(*holder),
                EventKind::Drop { forced } => body.u8(5).u8((*forced).into()),
                EventKind::Release(Release::Native(f)) => body.u8(6).u64(table.place(f)),
                EventKind::Release(Release::Blocked(what, id)) => {
                    body.u8(7).u64(table.place(what)).u64(*id)
                }
                EventKind::End => body.u8(8),
            };
        }
    }
    e.u64(table.strings.len() as u64);
    for s in &table.strings {
        e.str(s);
    }
    e.0.extend_from_slice(&body.0);
}

/// The distinct strings of some logs, each numbered by its place.
#[derive(Default)]
struct StringTable<'a> {
    strings: Vec<&'a str>,
    index: FxHashMap<&'a str, u64>,
}

impl<'a> StringTable<'a> {
    fn place(&mut self, s: &'a str) -> u64 {
        *self.index.entry(s).or_insert_with(|| {
            self.strings.push(s);
            self.strings.len() as u64 - 1
        })
    }
}

fn decode_threads(d: &mut Decoder<'_>) -> io::Result<Vec<(u64, Vec<Event>)>> {
    // Counts are not trusted for allocation: every item read checks what is left.
    let n = d.u64()?;
    let mut table = vec![];
    for _ in 0..n {
        table.push(d.str()?);
    }
    let string = |d: &mut Decoder<'_>| -> io::Result<&str> {
        let i = d.u64()?;
        usize::try_from(i)
            .ok()
            .and_then(|i| table.get(i))
            .map(String::as_str)
            .ok_or_else(corrupt)
    };
    let n = d.u64()?;
    let mut threads = vec![];
    for _ in 0..n {
        let ident = d.u64()?;
        let count = d.u64()?;
        let mut events = vec![];
        for _ in 0..count {
            let t_ns = d.u64()?;
            let kind = match d.u8()? {
                0 => EventKind::Start,
                1 => EventKind::Name(Arc::from(string(d)?)),
                2 => EventKind::Request,
                3 => EventKind::Acquire,
                4 => EventKind::DropRequest { holder: d.u64()? },
                5 => EventKind::Drop {
                    forced: d.u8()? != 0,
                },
                6 => EventKind::Release(Release::Native(intern(string(d)?))),
                7 => {
                    let what = intern(string(d)?);
                    EventKind::Release(Release::Blocked(what, d.u64()?))
                }
                8 => EventKind::End,
                _ => return Err(corrupt()),
            };
            events.push(Event { t_ns, kind });
        }
        threads.push((ident, events));
    }
    Ok(threads)
}

/// The names of native functions and kinds of wait that arrived from children, kept for the
/// life of the process: the events name them as `&'static str`, as the code that records
/// them does. There are a few dozen such names in gilsim; past [`MAX_NAMES`] (a corrupt or
/// hostile sender) names read as `"other"` rather than grow the table.
static NAMES: LazyLock<Mutex<FxHashSet<&'static str>>> = LazyLock::new(Mutex::default);

const MAX_NAMES: usize = 4096;

fn intern(name: &str) -> &'static str {
    let mut names = NAMES.lock();
    if let Some(&known) = names.get(name) {
        return known;
    }
    if names.len() >= MAX_NAMES {
        return "other";
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(t_ns: u64, kind: EventKind) -> Event {
        Event { t_ns, kind }
    }

    fn logs() -> Notice {
        Notice::Logs {
            run: 3,
            pid: 4321,
            name: "Process-1".into(),
            started_ns: 1_000,
            bytes_serialized: 99,
            threads: vec![
                (
                    1,
                    vec![
                        ev(2_000, EventKind::Start),
                        ev(2_000, EventKind::Name("MainThread".into())),
                        ev(2_001, EventKind::Request),
                        ev(2_002, EventKind::Acquire),
                        ev(2_010, EventKind::Release(Release::Native("zlib.compress"))),
                        ev(2_020, EventKind::Request),
                        ev(2_030, EventKind::Acquire),
                        ev(2_040, EventKind::Drop { forced: true }),
                        ev(2_050, EventKind::Acquire),
                        ev(2_060, EventKind::Release(Release::Blocked("lock", 7))),
                        ev(2_070, EventKind::Acquire),
                        ev(2_080, EventKind::Drop { forced: false }),
                        ev(2_080, EventKind::End),
                    ],
                ),
                (
                    2,
                    vec![
                        ev(2_003, EventKind::Start),
                        ev(2_004, EventKind::DropRequest { holder: 1 }),
                        ev(2_090, EventKind::End),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn notices_round_trip() {
        let notices = [
            Notice::Started {
                run: 1,
                pid: 77,
                name: "worker".into(),
                started_ns: 5,
            },
            Notice::Exited {
                run: 1,
                pid: 77,
                code: -9,
                ended_ns: 6,
            },
            logs(),
        ];
        for n in notices {
            assert_eq!(Notice::decode(&n.encode()).unwrap(), n);
        }
    }

    #[test]
    fn corrupt_notices_are_errors_not_panics() {
        let good = logs().encode();
        for cut in 0..good.len() {
            assert!(Notice::decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(Notice::decode(&long).is_err());
        // A string index past the table.
        let mut bad = Encoder::default();
        bad.u8(2).u64(1).u64(2).str("p").u64(0).u64(0);
        bad.u64(0).u64(1).u64(1).u64(1).u64(0).u8(1).u64(5);
        assert!(Notice::decode(&bad.0).is_err());
        // Counts far beyond the bytes there are.
        let mut huge = Encoder::default();
        huge.u8(2)
            .u64(1)
            .u64(2)
            .str("p")
            .u64(0)
            .u64(0)
            .u64(u64::MAX);
        assert!(Notice::decode(&huge.0).is_err());
    }

    #[test]
    fn a_child_joins_the_run_it_names_and_its_logs_fill_its_record() {
        let top = Recorder::new_run(10, Arc::default());
        let (run, _) = top_run(&top);
        // A second child, heard of first: the run lists its processes in start order.
        apply(Notice::Started {
            run,
            pid: 4322,
            name: "Process-2".into(),
            started_ns: 1_500,
        });
        apply(Notice::Started {
            run,
            pid: 4321,
            name: "Process-1".into(),
            started_ns: 1_000,
        });
        let Notice::Logs { threads, .. } = logs() else {
            unreachable!()
        };
        apply(Notice::Logs {
            run,
            pid: 4321,
            name: "Process-1".into(),
            started_ns: 1_000,
            bytes_serialized: 99,
            threads,
        });
        apply(Notice::Exited {
            run,
            pid: 4321,
            code: 0,
            ended_ns: 3_000,
        });
        // The second child was killed: no logs.
        apply(Notice::Exited {
            run,
            pid: 4322,
            code: -9,
            ended_ns: 2_500,
        });
        // Another run's notice goes nowhere.
        apply(Notice::Started {
            run: run + 1000,
            pid: 1,
            name: "stray".into(),
            started_ns: 0,
        });
        let processes = top.processes(false);
        let names: Vec<&str> = processes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["MainProcess", "Process-1", "Process-2"]);
        let child = &processes[1];
        assert_eq!((child.pid, child.started_ns), (4321, 1_000));
        assert_eq!(child.bytes_sent.load(Ordering::Relaxed), 99);
        let spans = crate::observe::ProcessSpans::fold(child.clone(), 10_000);
        assert_eq!(spans.threads.len(), 2);
        assert_eq!(spans.end_ns, 3_000);
        assert!(child.os.as_ref().unwrap().missing_figures().is_none());
        let killed = processes[2].os.as_ref().unwrap();
        assert_eq!(killed.exit(), Some((-9, 2_500)));
        assert!(killed.missing_figures().unwrap().contains("signal 9"));
    }

    #[test]
    fn a_child_clock_starts_where_the_wall_clock_says_within_bounds() {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
            - 5_000_000_000;
        let rec = |spawned_ns| Recording {
            run: 1,
            epoch_unix_ns: epoch,
            spawned_ns,
            name: "p".into(),
        };
        // The run started 5 s ago; spawned 4.9 s in: the child starts about 5 s in.
        let origin = rec(4_900_000_000).origin();
        let since = origin.elapsed().as_nanos() as u64;
        assert!((4_999_000_000..5_500_000_000).contains(&since), "{since}");
        // A wall clock that disagrees with the spawn time (stepped) gives way to it.
        let origin = rec(5_500_000_000).origin();
        let since = origin.elapsed().as_nanos() as u64;
        assert!((5_500_000_000..6_000_000_000).contains(&since), "{since}");
    }
}
