//! The threads of `os`-backend children, for the deadlock watchdog of the top gilsim process.
//!
//! A child OS process runs where the top process's thread table ([`crate::runtime::monitor`])
//! cannot see, so a deadlock across processes would go unnoticed. When the run watches for
//! deadlocks, each child keeps a thread table of its own ([`Monitor::reported`]) and a reporter
//! thread that sends it, summed up, to the broker every [`REPORT_EVERY`] ([`ThreadsReport`]):
//! nothing more than "a thread here can move on by itself" while one can (it runs, sleeps, or
//! waits with a timeout), else each thread with what it waits on and its stack, rendered with
//! the source lines (code objects cannot cross). The watchdog then judges every thread of
//! every process at once ([`run_threads`]), as it judges the threads of `interp`-backend
//! children, and its report lists the children's threads beside its own.
//!
//! A child's wait on a process primitive (a queue's `get`, a lock's `acquire`) is a call that
//! the broker runs on the thread serving the child thread's connection: that broker thread is
//! the child thread's *stand-in*. Only the stand-in knows whether a timeout is pending and
//! whether the primitive is free, so such a wait is blocked for good exactly when the
//! stand-in's is, the rule for any thread waiting on that primitive. A stand-in also owns the
//! locks its child thread acquires, so a child thread is known by its stand-in's identity
//! wherever it has one: a lock held by a child names the child's thread, and a wait-for cycle
//! can run through several processes.
//!
//! Reports are never more than a moment old, but a moment is enough to combine two states
//! that never held at once. So when the watchdog sees a deadlock it asks for fresh reports
//! ([`ask_for_fresh_reports`]: a number the broker hands every reporter in its next reply) and
//! declares the deadlock only once every child has answered with a report taken after the
//! question, its threads still blocked and none of them woken since ([`RunThreads::answered`]).
//!
//! The same reporter serves the `--timeout` report: when the run outlives its timeout, the
//! watchdog asks for the threads' states ([`ask_for_states`]), and each child describes every
//! thread of its own, running ones included, with its state and stack
//! ([`crate::runtime::thread_states`]) and sends that ([`StatesReport`]); the report lists them
//! beside the top process's threads ([`children_states`]). Children report when the run watches
//! for deadlocks or has a timeout.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;

use super::ipc::{Decoder, Encoder, Reply};
use crate::observe::Release;
use crate::runtime::monitor::{
    Activity, Holding, Monitor, RenderedStack, ThreadView, Wait, Waitable,
};
use crate::runtime::thread_states::{self, STACK_PATIENCE, ThreadState};

/// How often a child sends its report: as often as the watchdog looks.
pub const REPORT_EVERY: Duration = crate::runtime::watchdog::CHECK_EVERY;

/// What a child OS process tells the top process's watchdog about its threads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadsReport {
    /// The child's pid.
    pub pid: u32,
    /// Its process name (`Process-1`).
    pub name: String,
    /// Its main thread (which ends last: what a `join()` of the child waits for).
    pub main_thread: u64,
    /// Its own live `os`-backend children, whose reports count too.
    pub children: Vec<u32>,
    /// The latest number the watchdog had asked for fresh reports with when this report was
    /// taken.
    pub answered: u64,
    /// Every thread, when each one is blocked for good (as far as this process can tell: its
    /// calls into the broker are judged there); None when one can move on by itself.
    pub stuck: Option<Vec<ReportedThread>>,
}

/// A blocked thread of a child, as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedThread {
    /// Its identity in its process.
    pub ident: u64,
    /// `threading.Thread.name`, if named.
    pub name: Option<String>,
    /// How many waits it came back from (its progress).
    pub wakes: u64,
    /// What it waits on.
    pub wait: ReportedWait,
    /// Its stack when it began to wait.
    pub stack: Option<RenderedStack>,
}

/// A child OS process's threads described for the `--timeout` report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatesReport {
    /// The child's pid.
    pub pid: u32,
    /// The number of the question it answers ([`ask_for_states`]).
    pub answered: u64,
    /// Every thread of the child.
    pub threads: Vec<ThreadState>,
}

/// The latest questions of the top process's watchdog, as the broker hands them to reporters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Questions {
    /// The latest number fresh reports were asked with ([`ask_for_fresh_reports`]).
    pub fresh: u64,
    /// The latest number the threads' states were asked with ([`ask_for_states`]).
    pub states: u64,
}

/// What a reported thread waits on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportedWait {
    /// A call the broker runs for it (a process primitive), judged by its stand-in.
    Broker,
    /// A primitive of its own process (a `threading` lock, a join), with no timeout pending:
    /// who holds it (threads named as in the child), and its name in a report.
    Local { holding: Holding, on: String },
}

// ---------------------------------------------------------------------------------------
// The child's side.

/// What an `os`-backend child's thread waits on while the broker runs its call.
struct BrokerCall;

impl Waitable for BrokerCall {
    fn holding(&self) -> Holding {
        Holding::Elsewhere
    }
    fn describe(&self) -> String {
        "a call run by the broker".into()
    }
}

/// The wait of a child thread whose call the broker runs: judged there, by its stand-in
/// (so no timeout is claimed here).
pub fn broker_call() -> Wait {
    static CALL: LazyLock<Arc<dyn Waitable>> = LazyLock::new(|| Arc::new(BrokerCall));
    Wait {
        timed: false,
        on: Some(CALL.clone()),
    }
}

/// Starts the reporter of this child OS process, which sends `monitor`'s threads to the broker
/// until the broker is gone (the run is ending), and describes them when the watchdog asks
/// (`--timeout`). `main_thread` is set once the main thread exists.
pub fn start_reporter(
    monitor: Arc<Monitor>,
    pid: u32,
    name: Arc<str>,
    main_thread: Arc<AtomicU64>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("gilsim-reporter".into())
        .spawn(move || {
            let mut heard = Questions::default();
            loop {
                let threads = monitor.snapshot();
                let report = ThreadsReport {
                    pid,
                    name: name.to_string(),
                    main_thread: main_thread.load(Ordering::Relaxed),
                    // After the snapshot: a child started before it is in the list.
                    children: super::os_backend::live_children(),
                    answered: heard.fresh,
                    stuck: stuck_threads(&threads),
                };
                let Ok(asked) = super::remote::report_threads(report) else {
                    return;
                };
                if asked.states > heard.states {
                    let (threads, request) = thread_states::collect(&monitor, STACK_PATIENCE);
                    let states = StatesReport {
                        pid,
                        answered: asked.states,
                        threads: thread_states::describe(&threads, request),
                    };
                    if super::remote::report_states(states).is_err() {
                        return;
                    }
                }
                // A question the report just sent did not answer: answer it at once.
                let asked_again = asked.fresh > heard.fresh;
                heard = asked;
                if !asked_again {
                    std::thread::sleep(REPORT_EVERY);
                }
            }
        })
        .map(drop)
}

/// Every thread of `threads`, if each one is blocked for good or waits for the broker.
fn stuck_threads(threads: &[ThreadView]) -> Option<Vec<ReportedThread>> {
    if threads.is_empty() {
        // The process is ending.
        return None;
    }
    threads
        .iter()
        .map(|t| {
            if !t.blocked_for_good() {
                return None;
            }
            let holding = t.holding?;
            let wait = match holding {
                Holding::Elsewhere => ReportedWait::Broker,
                _ => ReportedWait::Local {
                    holding,
                    on: t.wait_target()?,
                },
            };
            Some(ReportedThread {
                ident: t.ident,
                name: t.name.as_deref().map(str::to_string),
                wakes: t.wakes,
                wait,
                stack: t.render_for_another_process(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The top process's side.

/// What the broker knows of the children's threads: their latest reports, and which child
/// thread each connection's stand-in serves.
#[derive(Default)]
pub struct Census(Mutex<CensusState>);

#[derive(Default)]
struct CensusState {
    /// The latest report of each child, by pid.
    reports: FxHashMap<u32, ThreadsReport>,
    /// The connection (named by its stand-in) each report came on, so it is forgotten when
    /// the connection ends with the child.
    reporters: FxHashMap<u64, u32>,
    /// Stand-in -> the child thread it serves (pid, ident).
    stand_ins: FxHashMap<u64, (u32, u64)>,
    /// The latest number the watchdog asked for fresh reports with.
    asked: u64,
    /// The latest number the watchdog asked for the threads' states with.
    states_asked: u64,
    /// The latest states report of each child, by pid.
    states: FxHashMap<u32, StatesReport>,
}

impl Census {
    /// The connection served by `stand_in` runs the calls of thread `thread` of child `pid`.
    pub fn identify(&self, stand_in: u64, pid: u32, thread: u64) {
        self.0.lock().stand_ins.insert(stand_in, (pid, thread));
    }

    /// Notes `report`, which came on the connection served by `stand_in`; the reply tells the
    /// reporter the watchdog's latest questions.
    pub fn record(&self, stand_in: u64, report: ThreadsReport) -> Reply {
        let mut st = self.0.lock();
        st.reporters.insert(stand_in, report.pid);
        st.reports.insert(report.pid, report);
        st.questions()
    }

    /// Notes a child's threads described for the `--timeout` report; the reply as
    /// [`Census::record`]'s.
    pub fn record_states(&self, report: StatesReport) -> Reply {
        let mut st = self.0.lock();
        st.states.insert(report.pid, report);
        st.questions()
    }

    /// The connection served by `stand_in` has ended (its child thread, or its child, is gone).
    pub fn connection_closed(&self, stand_in: u64) {
        let mut st = self.0.lock();
        st.stand_ins.remove(&stand_in);
        if let Some(pid) = st.reporters.remove(&stand_in) {
            st.reports.remove(&pid);
            st.states.remove(&pid);
        }
    }

    fn ask(&self) -> u64 {
        let mut st = self.0.lock();
        st.asked += 1;
        st.asked
    }

    fn ask_for_states(&self) -> u64 {
        let mut st = self.0.lock();
        st.states_asked += 1;
        st.states_asked
    }
}

impl CensusState {
    fn questions(&self) -> Reply {
        Reply::Noted {
            asked: self.asked,
            states: self.states_asked,
        }
    }

    /// The live child OS processes of the run, in start order: the children of this process
    /// (`pids`) and, through their reports, theirs.
    fn all_children(&self, mut pids: Vec<u32>) -> Vec<u32> {
        let mut i = 0;
        while let Some(pid) = pids.get(i) {
            let theirs = self.reports.get(pid).map(|r| r.children.clone());
            for c in theirs.into_iter().flatten() {
                if !pids.contains(&c) {
                    pids.push(c);
                }
            }
            i += 1;
        }
        pids
    }
}

/// Asks every child for a fresh report; returns the question's number, which a report taken
/// after it answers ([`RunThreads::answered`]).
pub fn ask_for_fresh_reports() -> u64 {
    super::broker::running().map_or(0, |b| b.census().ask())
}

/// The watchdog's question for the threads' states of the children (`--timeout`).
pub struct StatesAsked {
    number: u64,
    at: Instant,
}

/// How long after [`ask_for_states`] the children's answers are waited for: a reporter hears
/// the question at its next report and collects its stacks as the top process does.
const STATES_PATIENCE: Duration = REPORT_EVERY
    .saturating_add(STACK_PATIENCE)
    .saturating_add(Duration::from_secs(2));

/// Asks every child to describe its threads for the `--timeout` report.
pub fn ask_for_states() -> StatesAsked {
    StatesAsked {
        number: super::broker::running().map_or(0, |b| b.census().ask_for_states()),
        at: Instant::now(),
    }
}

/// The children's answers to a [`ask_for_states`] question.
pub struct ChildStates {
    /// The threads of every child that answered, children in start order.
    pub states: Vec<ThreadState>,
    /// Every live child OS process of the run (children of children included), to be ended
    /// with it.
    pub processes: Vec<u32>,
    /// The children that did not answer in time, as a report names them.
    pub silent: Vec<String>,
}

/// Waits for every live child OS process to answer `asked` (at most a few seconds after it
/// was asked) and returns the answers.
pub fn children_states(asked: StatesAsked) -> ChildStates {
    let Some(broker) = super::broker::running() else {
        return ChildStates {
            states: vec![],
            processes: super::os_backend::live_children(),
            silent: vec![],
        };
    };
    let deadline = asked.at + STATES_PATIENCE;
    loop {
        let census = broker.census().0.lock();
        let processes = census.all_children(super::os_backend::live_children());
        let answer = |pid: &u32| {
            census
                .states
                .get(pid)
                .filter(|s| s.answered >= asked.number)
        };
        if processes.iter().all(|p| answer(p).is_some()) || Instant::now() >= deadline {
            let mut out = ChildStates {
                states: vec![],
                processes: vec![],
                silent: vec![],
            };
            for pid in &processes {
                match answer(pid) {
                    Some(s) => out.states.extend(s.threads.iter().cloned()),
                    None => out.silent.push(match census.reports.get(pid) {
                        Some(r) => format!("{} (pid {pid})", r.name),
                        None => format!("process {pid}"),
                    }),
                }
            }
            out.processes = processes;
            return out;
        }
        drop(census);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every thread of the run, the children's included.
pub struct RunThreads {
    /// The threads of this process, then those of each child OS process.
    pub threads: Vec<ThreadView>,
    /// The oldest question the children's reports answered (`u64::MAX` when there are no
    /// children): the reports were all taken after question number `answered` was asked.
    pub answered: u64,
    /// The child OS processes (children and theirs) whose threads these include.
    pub processes: Vec<u32>,
}

/// The threads of the whole run: `local` (this process's) and every live child OS process's,
/// as their reports and their stand-ins describe them. None when a child has a thread that can
/// move on by itself, or has not reported yet: then the run is not deadlocked.
pub fn run_threads(mut local: Vec<ThreadView>) -> Option<RunThreads> {
    let mut pids = super::os_backend::live_children();
    if pids.is_empty() {
        return Some(RunThreads {
            threads: local,
            answered: u64::MAX,
            processes: vec![],
        });
    }
    let broker = super::broker::running()?;
    // Taken before the census's lock: the stand-ins' primitives take their own locks.
    let stand_in_views: FxHashMap<u64, ThreadView> = broker
        .stand_ins()
        .snapshot()
        .into_iter()
        .map(|v| (v.ident, v))
        .collect();
    let census = broker.census().0.lock();
    // The live children and, through their reports, theirs.
    let mut reports = vec![];
    let mut i = 0;
    while let Some(&pid) = pids.get(i) {
        let report = census.reports.get(&pid)?;
        report.stuck.as_ref()?;
        for c in &report.children {
            if !pids.contains(c) {
                pids.push(*c);
            }
        }
        reports.push(report);
        i += 1;
    }
    let names = Names::new(&census.stand_ins, &reports);
    for t in &mut local {
        t.holding = t.holding.map(|h| names.process_end(h));
    }
    for report in &reports {
        for t in report.stuck.iter().flatten() {
            local.push(names.view(report, t, &stand_in_views)?);
        }
    }
    Some(RunThreads {
        threads: local,
        answered: reports.iter().map(|r| r.answered).min().unwrap_or(u64::MAX),
        processes: pids,
    })
}

/// How the threads of the children are known in the top process: by their stand-in's
/// identity when they have one, else by an identity made of their pid and their own.
struct Names {
    /// (pid, thread) -> the stand-in serving it.
    stand_in_of: FxHashMap<(u32, u64), u64>,
    /// pid -> its main thread, as known here.
    main_of: FxHashMap<u32, u64>,
}

impl Names {
    fn new(stand_ins: &FxHashMap<u64, (u32, u64)>, reports: &[&ThreadsReport]) -> Names {
        let stand_in_of = stand_ins.iter().map(|(&s, &key)| (key, s)).collect();
        let mut names = Names {
            stand_in_of,
            main_of: FxHashMap::default(),
        };
        for r in reports {
            let main = names.ident(r.pid, r.main_thread);
            names.main_of.insert(r.pid, main);
        }
        names
    }

    /// The identity here of thread `thread` of child `pid`.
    fn ident(&self, pid: u32, thread: u64) -> u64 {
        match self.stand_in_of.get(&(pid, thread)) {
            Some(&s) => s,
            // Out of the way of this process's own thread identities, which count up from 1.
            None => 1 << 63 | u64::from(pid) << 32 | (thread & 0xFFFF_FFFF),
        }
    }

    /// `h` with the main thread of a child OS process it waits for named.
    fn process_end(&self, h: Holding) -> Holding {
        match h {
            Holding::ProcessEnd {
                pid,
                main_thread: None,
            } => Holding::ProcessEnd {
                pid,
                main_thread: self.main_of.get(&pid).copied(),
            },
            other => other,
        }
    }

    /// `h`, as told by child `pid`, with its threads named as here.
    fn translate(&self, pid: u32, h: Holding) -> Holding {
        match h {
            Holding::Held(t) => Holding::Held(self.ident(pid, t)),
            Holding::ThreadEnd(t) => Holding::ThreadEnd(self.ident(pid, t)),
            Holding::ProcessEnd {
                pid: child,
                main_thread: Some(t),
            } => Holding::ProcessEnd {
                pid: child,
                main_thread: Some(self.ident(pid, t)),
            },
            other => self.process_end(other),
        }
    }

    /// The view of thread `t` of `report`; None when it can move on after all (its stand-in
    /// is not blocked for good: its call is on its way, has a timeout, or is about to return).
    fn view(
        &self,
        report: &ThreadsReport,
        t: &ReportedThread,
        stand_ins: &FxHashMap<u64, ThreadView>,
    ) -> Option<ThreadView> {
        let (activity, holding, wakes) = match &t.wait {
            ReportedWait::Broker => {
                let s = stand_ins.get(self.stand_in_of.get(&(report.pid, t.ident))?)?;
                if !s.blocked_for_good() {
                    return None;
                }
                let Activity::Released {
                    why, wait, since, ..
                } = &s.activity
                else {
                    return None;
                };
                let activity = Activity::Released {
                    why: *why,
                    wait: wait.clone(),
                    stack: None,
                    since: *since,
                };
                (activity, s.holding, t.wakes + s.wakes)
            }
            ReportedWait::Local { holding, on } => {
                let holding = self.translate(report.pid, *holding);
                let on: Arc<dyn Waitable> = Arc::new(Reported {
                    holding,
                    on: on.clone(),
                });
                let activity = Activity::Released {
                    why: Release::Blocked("reported", 0),
                    wait: Some(Wait {
                        timed: false,
                        on: Some(on),
                    }),
                    stack: None,
                    since: Instant::now(),
                };
                (activity, Some(holding), t.wakes)
            }
        };
        Some(ThreadView {
            ident: self.ident(report.pid, t.ident),
            name: t.name.as_deref().map(Arc::from),
            activity,
            holding,
            wakes,
            published: None,
            interp: Weak::new(),
            pid: report.pid,
            process: Arc::from(report.name.as_str()),
            rendered: t.stack.clone().map(Arc::new),
        })
    }
}

/// A primitive of a child OS process, as its report described it.
struct Reported {
    holding: Holding,
    on: String,
}

impl Waitable for Reported {
    fn holding(&self) -> Holding {
        self.holding
    }
    fn describe(&self) -> String {
        self.on.clone()
    }
}

// ---------------------------------------------------------------------------------------
// How a report crosses.

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "corrupt threads report")
}

impl ThreadsReport {
    /// Writes the report into `e`.
    pub fn encode(&self, e: &mut Encoder) {
        e.u64(self.pid.into())
            .str(&self.name)
            .u64(self.main_thread)
            .u64(self.children.len() as u64);
        for &c in &self.children {
            e.u64(c.into());
        }
        e.u64(self.answered);
        match &self.stuck {
            None => {
                e.u8(0);
            }
            Some(threads) => {
                e.u8(1).u64(threads.len() as u64);
                for t in threads {
                    t.encode(e);
                }
            }
        }
    }

    /// Reads a report written by [`ThreadsReport::encode`].
    pub fn decode(d: &mut Decoder) -> io::Result<ThreadsReport> {
        let pid = d.pid()?;
        let name = d.str()?;
        let main_thread = d.u64()?;
        let n = d.count()?;
        let children = (0..n).map(|_| d.pid()).collect::<io::Result<_>>()?;
        let answered = d.u64()?;
        let stuck = match d.u8()? {
            0 => None,
            1 => {
                let n = d.count()?;
                Some(
                    (0..n)
                        .map(|_| ReportedThread::decode(d))
                        .collect::<io::Result<_>>()?,
                )
            }
            _ => return Err(corrupt()),
        };
        Ok(ThreadsReport {
            pid,
            name,
            main_thread,
            children,
            answered,
            stuck,
        })
    }
}

impl StatesReport {
    /// Writes the report into `e`.
    pub fn encode(&self, e: &mut Encoder) {
        e.u64(self.pid.into())
            .u64(self.answered)
            .u64(self.threads.len() as u64);
        for t in &self.threads {
            e.u64(t.pid.into())
                .str(&t.process)
                .str(&t.label)
                .str(&t.state)
                .str(&t.stack);
        }
    }

    /// Reads a report written by [`StatesReport::encode`].
    pub fn decode(d: &mut Decoder) -> io::Result<StatesReport> {
        let pid = d.pid()?;
        let answered = d.u64()?;
        let n = d.count()?;
        let threads = (0..n)
            .map(|_| {
                Ok(ThreadState {
                    pid: d.pid()?,
                    process: d.str()?,
                    label: d.str()?,
                    state: d.str()?,
                    stack: d.str()?,
                })
            })
            .collect::<io::Result<_>>()?;
        Ok(StatesReport {
            pid,
            answered,
            threads,
        })
    }
}

impl ReportedThread {
    fn encode(&self, e: &mut Encoder) {
        e.u64(self.ident);
        optional_str(e, self.name.as_deref());
        e.u64(self.wakes);
        match &self.wait {
            ReportedWait::Broker => {
                e.u8(0);
            }
            ReportedWait::Local { holding, on } => {
                e.u8(1);
                encode_holding(e, *holding);
                e.str(on);
            }
        }
        match &self.stack {
            None => {
                e.u8(0);
            }
            Some(s) => {
                e.u8(1).str(&s.text);
                optional_str(e, s.library_entry.as_deref());
            }
        }
    }

    fn decode(d: &mut Decoder) -> io::Result<ReportedThread> {
        let ident = d.u64()?;
        let name = decode_optional_str(d)?;
        let wakes = d.u64()?;
        let wait = match d.u8()? {
            0 => ReportedWait::Broker,
            1 => ReportedWait::Local {
                holding: decode_holding(d)?,
                on: d.str()?,
            },
            _ => return Err(corrupt()),
        };
        let stack = match d.u8()? {
            0 => None,
            1 => Some(RenderedStack {
                text: d.str()?,
                library_entry: decode_optional_str(d)?,
            }),
            _ => return Err(corrupt()),
        };
        Ok(ReportedThread {
            ident,
            name,
            wakes,
            wait,
            stack,
        })
    }
}

fn optional_str(e: &mut Encoder, s: Option<&str>) {
    match s {
        None => e.u8(0),
        Some(s) => e.u8(1).str(s),
    };
}

fn decode_optional_str(d: &mut Decoder) -> io::Result<Option<String>> {
    match d.u8()? {
        0 => Ok(None),
        1 => Ok(Some(d.str()?)),
        _ => Err(corrupt()),
    }
}

fn encode_holding(e: &mut Encoder, h: Holding) {
    match h {
        Holding::Free => e.u8(0),
        Holding::Busy => e.u8(1),
        Holding::Held(t) => e.u8(2).u64(t),
        Holding::ThreadEnd(t) => e.u8(3).u64(t),
        Holding::ProcessEnd { pid, main_thread } => {
            e.u8(4).u64(pid.into());
            match main_thread {
                None => e.u8(0),
                Some(t) => e.u8(1).u64(t),
            }
        }
        Holding::Elsewhere => e.u8(5),
    };
}

fn decode_holding(d: &mut Decoder) -> io::Result<Holding> {
    Ok(match d.u8()? {
        0 => Holding::Free,
        1 => Holding::Busy,
        2 => Holding::Held(d.u64()?),
        3 => Holding::ThreadEnd(d.u64()?),
        4 => Holding::ProcessEnd {
            pid: d.pid()?,
            main_thread: match d.u8()? {
                0 => None,
                1 => Some(d.u64()?),
                _ => return Err(corrupt()),
            },
        },
        5 => Holding::Elsewhere,
        _ => return Err(corrupt()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ThreadsReport {
        ThreadsReport {
            pid: 4321,
            name: "Process-1".into(),
            main_thread: 1,
            children: vec![4400, 4401],
            answered: 7,
            stuck: Some(vec![
                ReportedThread {
                    ident: 1,
                    name: Some("MainThread".into()),
                    wakes: 3,
                    wait: ReportedWait::Broker,
                    stack: Some(RenderedStack {
                        text: "File \"a.py\", line 3, in f\n  q.get()\n".into(),
                        library_entry: Some("multiprocessing.queues.Queue.get".into()),
                    }),
                },
                ReportedThread {
                    ident: 2,
                    name: None,
                    wakes: 0,
                    wait: ReportedWait::Local {
                        holding: Holding::ProcessEnd {
                            pid: 4400,
                            main_thread: None,
                        },
                        on: "process 4400".into(),
                    },
                    stack: None,
                },
            ]),
        }
    }

    fn states_report() -> StatesReport {
        StatesReport {
            pid: 4321,
            answered: 2,
            threads: vec![ThreadState {
                pid: 4321,
                process: "Process-1".into(),
                label: "\"MainThread\"".into(),
                state: "is running".into(),
                stack: "File \"a.py\", line 3, in f\n  n += 1\n".into(),
            }],
        }
    }

    fn round_trip(r: &ThreadsReport) -> io::Result<ThreadsReport> {
        let mut e = Encoder::default();
        r.encode(&mut e);
        let mut d = Decoder::new(&e.0);
        let back = ThreadsReport::decode(&mut d)?;
        d.end()?;
        Ok(back)
    }

    #[test]
    fn reports_round_trip() {
        let r = report();
        assert_eq!(round_trip(&r).unwrap(), r);
        let moving = ThreadsReport { stuck: None, ..r };
        assert_eq!(round_trip(&moving).unwrap(), moving);
        for h in [
            Holding::Free,
            Holding::Busy,
            Holding::Held(9),
            Holding::ThreadEnd(8),
            Holding::ProcessEnd {
                pid: 3,
                main_thread: Some(4),
            },
            Holding::Elsewhere,
        ] {
            let mut e = Encoder::default();
            encode_holding(&mut e, h);
            assert_eq!(decode_holding(&mut Decoder::new(&e.0)).unwrap(), h);
        }
    }

    #[test]
    fn reports_cross_as_requests_and_are_noted() {
        use crate::process::ipc::{Reply, Request};
        for r in [
            Request::Threads(report()),
            Request::Identify {
                pid: 4321,
                thread: 2,
            },
            Request::States(states_report()),
        ] {
            assert_eq!(Request::decode(&r.encode()).unwrap(), r);
        }
        let noted = Reply::Noted {
            asked: 12,
            states: 3,
        };
        assert_eq!(Reply::decode(&noted.encode()).unwrap(), noted);
    }

    #[test]
    fn corrupt_reports_are_errors_not_panics() {
        let mut e = Encoder::default();
        report().encode(&mut e);
        for cut in 0..e.0.len() {
            let mut d = Decoder::new(&e.0[..cut]);
            assert!(
                ThreadsReport::decode(&mut d).and_then(|_| d.end()).is_err(),
                "cut at {cut}"
            );
        }
        let mut e = Encoder::default();
        states_report().encode(&mut e);
        for cut in 0..e.0.len() {
            let mut d = Decoder::new(&e.0[..cut]);
            assert!(
                StatesReport::decode(&mut d).and_then(|_| d.end()).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_child_thread_is_named_by_its_stand_in_or_else_by_its_pid() {
        let mut stand_ins = FxHashMap::default();
        stand_ins.insert(57, (4321, 1));
        let r = report();
        let names = Names::new(&stand_ins, &[&r]);
        assert_eq!(names.ident(4321, 1), 57);
        let other = names.ident(4321, 2);
        assert!(other > 1 << 62 && other != names.ident(4322, 2));
        // A join of the child waits for its main thread, known here by its stand-in.
        assert_eq!(
            names.translate(
                1,
                Holding::ProcessEnd {
                    pid: 4321,
                    main_thread: None
                }
            ),
            Holding::ProcessEnd {
                pid: 4321,
                main_thread: Some(57)
            }
        );
        assert_eq!(
            names.translate(4321, Holding::Held(2)),
            Holding::Held(other)
        );
    }
}
