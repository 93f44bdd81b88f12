//! The run's table of interpreter threads and what each one is doing, kept so that a hang can
//! be explained: the watchdog ([`super::watchdog`]) reads it to find a deadlock (every thread
//! blocked for good) and to write the `--timeout` report.
//!
//! One [`Monitor`] serves a whole run: the main interpreter and every child interpreter of
//! process mode. (A child OS process of the `os` backend has one of its own, whose threads it
//! reports to the top process: [`crate::process::os_threads`].) Each interpreter thread has a
//! [`Slot`], registered when its `Vm` is made (by the thread that starts it, so a thread about
//! to start already counts as live) and removed when the `Vm` is dropped. A thread writes to
//! its own slot only when it lets go of the GIL (a blocking wait, a sleep, a native call) and
//! when it comes back, and at the eval breaker's slow path when the watchdog asks for stacks:
//! the eval loop's fast path and a lock's uncontended acquire never touch it. Without a
//! watchdog (`--on-deadlock=hang` and no `--timeout`) nothing is recorded at all.
//!
//! A blocking wait on a gilsim primitive says what it waits on ([`Wait`]): whether a timeout is
//! pending, and a [`Waitable`] the watchdog can ask, at report time, who holds the primitive
//! (a lock's holder, the thread whose end a join waits for) or whether it is free after all
//! (the waiter is about to wake, so it is not stuck).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::compile::code::Code;
use crate::observe::Release;
use crate::vm::{Config, Interpreter};

/// What a run does when every thread is blocked for good (`--on-deadlock`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnDeadlock {
    /// Report which thread waits on what and who holds it, then end the run with status 1
    /// (the CLI's default).
    Report,
    /// Wait forever, as CPython does (the default of the Rust API, whose runs share the
    /// caller's OS process, which a report would end).
    #[default]
    Hang,
}

/// At most this many innermost frames are kept per stack.
const MAX_FRAMES: usize = 12;

/// One frame of a captured stack: the code and the instruction it was at.
#[derive(Clone)]
pub struct StackFrame {
    /// The function (or module) the frame runs.
    pub code: Arc<Code>,
    /// The instruction whose line the report shows.
    pub ip: usize,
}

impl StackFrame {
    /// The source line the frame was at.
    pub fn line(&self) -> u32 {
        self.code.line_at(self.ip)
    }

    /// Is this a frame of one of gilsim's bundled Python modules (`<frozen threading>`)?
    pub fn is_library(&self) -> bool {
        self.code.filename.starts_with("<frozen ")
    }
}

/// A thread's Python stack at one moment, outermost frame first (only the innermost
/// [`MAX_FRAMES`] are kept).
#[derive(Clone, Default)]
pub struct Stack {
    /// The frames kept, outermost first.
    pub frames: Vec<StackFrame>,
    /// Outer frames left out.
    pub omitted: usize,
}

impl Stack {
    /// The innermost frames of `frames` (given outermost first) as (code, instruction).
    pub fn capture<'a>(frames: impl ExactSizeIterator<Item = (&'a Arc<Code>, usize)>) -> Stack {
        let omitted = frames.len().saturating_sub(MAX_FRAMES);
        Stack {
            frames: frames
                .skip(omitted)
                .map(|(code, ip)| StackFrame {
                    code: code.clone(),
                    ip,
                })
                .collect(),
            omitted,
        }
    }

    /// The library function the script called into, as `queue.Queue.get`: the first frame of
    /// a bundled module after the innermost script frame. When every frame is the library's
    /// (a thread whose target is `barrier.wait`, or `threading._shutdown` at exit), the first
    /// one after the thread machinery (`_bootstrap`, `run`). None when the script itself made
    /// the blocking call.
    pub fn library_entry(&self) -> Option<String> {
        let first_library = match self.frames.iter().rposition(|f| !f.is_library()) {
            Some(i) => i + 1,
            None => self
                .frames
                .iter()
                .position(|f| !matches!(&*f.code.name, "_bootstrap" | "run"))
                .unwrap_or(0),
        };
        let f = self.frames.get(first_library)?;
        let module = f
            .code
            .filename
            .strip_prefix("<frozen ")
            .and_then(|m| m.strip_suffix('>'))
            .unwrap_or(&f.code.filename);
        Some(format!("{module}.{}", f.code.qualname))
    }

    /// The stack as a Python traceback shows it (innermost last), each line indented by
    /// `indent`, with the source text of each line when `source` has it.
    pub fn render(&self, indent: &str, source: &dyn Fn(&str, u32) -> Option<String>) -> String {
        let mut out = String::new();
        if self.omitted > 0 {
            out.push_str(&format!(
                "{indent}... {} outer frame{} left out\n",
                self.omitted,
                if self.omitted == 1 { "" } else { "s" }
            ));
        }
        for f in &self.frames {
            let line = f.line();
            out.push_str(&format!(
                "{indent}File \"{}\", line {line}, in {}\n",
                f.code.filename, f.code.name
            ));
            if let Some(text) = source(&f.code.filename, line) {
                out.push_str(&format!("{indent}  {text}\n"));
            }
        }
        out
    }
}

/// Who holds a primitive a thread waits on, as far as the primitive knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// It is available: the waiter is about to wake, so it is not stuck.
    Free,
    /// Unavailable, with no owner to name (a queue, an event, a condition).
    Busy,
    /// Held by this thread (a lock).
    Held(u64),
    /// Released when this thread ends (what `Thread.join` waits for).
    ThreadEnd(u64),
    /// Released when this process ends (`Process.join`): its pid and its main thread (not
    /// known in the joining process for a child OS process: the top process's watchdog names
    /// it from the child's report, [`crate::process::os_threads`]).
    ProcessEnd { pid: u32, main_thread: Option<u64> },
    /// The primitive lives in another OS process, which alone can say who holds it: an
    /// `os`-backend child's call, run by the broker in the top gilsim process
    /// ([`crate::process::os_threads`] judges it there).
    Elsewhere,
}

impl Holding {
    /// The thread whose progress the waiter depends on, if one can be named: the edge of the
    /// wait-for graph.
    pub fn thread(self) -> Option<u64> {
        match self {
            Holding::Held(t) | Holding::ThreadEnd(t) => Some(t),
            Holding::ProcessEnd { main_thread, .. } => main_thread,
            Holding::Free | Holding::Busy | Holding::Elsewhere => None,
        }
    }
}

/// A primitive a thread can block on, asked by the watchdog (not by the waiter) about its state.
pub trait Waitable: Send + Sync {
    /// Who holds it now.
    fn holding(&self) -> Holding;
    /// Its name in a report (`lock #3`).
    fn describe(&self) -> String;
}

/// What a blocking wait waits on.
#[derive(Clone)]
pub struct Wait {
    /// A timeout is pending: the wait ends by itself, so the thread is not stuck.
    pub timed: bool,
    /// The primitive, when it can say who holds it.
    pub on: Option<Arc<dyn Waitable>>,
}

impl Wait {
    /// A wait with a deadline or none, on a primitive that may describe itself.
    pub fn new(deadline: Option<Instant>, on: Option<Arc<dyn Waitable>>) -> Wait {
        Wait {
            timed: deadline.is_some(),
            on,
        }
    }
}

/// What a thread is doing, as its slot records it.
#[derive(Clone)]
pub enum Activity {
    /// Running Python code, or waiting for the GIL to do so.
    Python,
    /// The GIL is released: a blocking wait (`wait` is set for a gilsim primitive), a sleep,
    /// I/O or a native call, since `since`.
    Released {
        why: Release,
        wait: Option<Wait>,
        stack: Option<Stack>,
        since: Instant,
    },
    /// Back from a released section, taking the GIL again.
    Returning { why: Release, stack: Option<Stack> },
}

struct SlotState {
    name: Option<Arc<str>>,
    activity: Activity,
    /// Released sections left: the watchdog's evidence that the thread moved.
    wakes: u64,
    /// The stack published at the eval breaker for stack request number `.0`.
    published: Option<(u64, Stack)>,
}

/// One interpreter thread's entry in the table.
pub struct Slot {
    /// The thread's identity (`threading.get_ident()`).
    pub ident: u64,
    interp: Weak<Interpreter>,
    state: Mutex<SlotState>,
}

impl Slot {
    /// Names the thread (`threading.Thread.name`).
    pub fn set_name(&self, name: &str) {
        self.state.lock().name = Some(Arc::from(name));
    }

    /// The thread lets go of the GIL for `why`.
    pub fn release(&self, why: Release, wait: Option<Wait>, stack: Option<Stack>) {
        self.state.lock().activity = Activity::Released {
            why,
            wait,
            stack,
            since: Instant::now(),
        };
    }

    /// The thread is back from its released section and takes the GIL again.
    pub fn returning(&self) {
        let mut st = self.state.lock();
        st.wakes += 1;
        let old = std::mem::replace(&mut st.activity, Activity::Python);
        if let Activity::Released { why, stack, .. } = old {
            st.activity = Activity::Returning { why, stack };
        }
    }

    /// The thread runs Python code again.
    pub fn running(&self) {
        self.state.lock().activity = Activity::Python;
    }

    /// Publishes the thread's stack for stack request `request` (at the eval breaker).
    pub fn publish(&self, request: u64, stack: Stack) {
        self.state.lock().published = Some((request, stack));
    }
}

/// A copy of one thread's slot, taken by the watchdog.
#[derive(Clone)]
pub struct ThreadView {
    /// The thread's identity (`threading.get_ident()`).
    pub ident: u64,
    /// `threading.Thread.name`, if the thread was named.
    pub name: Option<Arc<str>>,
    /// What it was doing.
    pub activity: Activity,
    /// The primitive's answer to [`Waitable::holding`], asked when the view was taken.
    pub holding: Option<Holding>,
    /// How many released sections it had left (its progress).
    pub wakes: u64,
    /// The stack published at the eval breaker, with the request it answered.
    pub published: Option<(u64, Stack)>,
    /// The interpreter the thread belongs to.
    pub interp: Weak<Interpreter>,
    /// Its process's pid.
    pub pid: u32,
    /// Its process's name (`MainProcess`, `Process-1`).
    pub process: Arc<str>,
    /// Its stack as another OS process rendered it (a thread of an `os`-backend child, whose
    /// code objects cannot cross): then `activity` holds no stack.
    pub rendered: Option<Arc<RenderedStack>>,
}

/// A thread's stack rendered by its own process, for a report written by another.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderedStack {
    /// The frames as [`Stack::render`] writes them, not indented.
    pub text: String,
    /// [`Stack::library_entry`].
    pub library_entry: Option<String>,
}

impl ThreadView {
    /// Blocked on a gilsim primitive with no timeout pending and the primitive still
    /// unavailable: only another thread can wake it.
    pub fn blocked_for_good(&self) -> bool {
        matches!(
            &self.activity,
            Activity::Released { wait: Some(w), .. } if !w.timed
        ) && self.holding != Some(Holding::Free)
    }

    /// The thread's name in a report, quoted as Python prints names.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("\"{n}\""),
            None => format!("thread {}", self.ident),
        }
    }

    /// The source text of `line` of `file`, when the thread's interpreter has the file.
    pub fn source_line(&self, file: &str, line: u32) -> Option<String> {
        let interp = self.interp.upgrade()?;
        let sources = interp.sources.lock();
        let text = sources
            .get(file)?
            .lines()
            .nth(line.checked_sub(1)? as usize)?;
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }
}

/// Whether the run is over, guarded with the watchdog's wake-up.
struct RunState {
    finished: bool,
}

/// The run's thread table, shared by every interpreter of the run.
pub struct Monitor {
    /// `--on-deadlock`.
    pub on_deadlock: OnDeadlock,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// Deadlocks are watched for (report mode, outside `--deterministic`, which has its own
    /// detector).
    pub watch_deadlocks: bool,
    /// The threads of this table are judged by another OS process's watchdog: an
    /// `os`-backend child's (reported to the top process, [`crate::process::os_threads`]),
    /// or the broker's stand-ins for them.
    pub reported: bool,
    /// Slots are kept up to date (a watchdog will read them).
    active: bool,
    threads: Mutex<BTreeMap<u64, Arc<Slot>>>,
    interpreters: Mutex<Vec<Weak<Interpreter>>>,
    /// The number of the latest stack request (0: none yet).
    stack_request: AtomicU64,
    run: Mutex<RunState>,
    wake: Condvar,
}

impl Monitor {
    /// The monitor of a run made with `config`.
    pub fn new(config: &Config) -> Arc<Monitor> {
        let watch_deadlocks =
            config.on_deadlock == OnDeadlock::Report && config.deterministic.is_none();
        Monitor::made(config, watch_deadlocks, false)
    }

    /// The table of a process whose threads another OS process's watchdog judges (an
    /// `os`-backend child; the broker's stand-ins): kept up to date, with no watchdog here.
    pub fn reported(config: &Config) -> Arc<Monitor> {
        Monitor::made(config, false, true)
    }

    fn made(config: &Config, watch_deadlocks: bool, reported: bool) -> Arc<Monitor> {
        Arc::new(Monitor {
            on_deadlock: config.on_deadlock,
            timeout: config.timeout,
            watch_deadlocks,
            reported,
            active: watch_deadlocks || reported || config.timeout.is_some(),
            threads: Mutex::new(BTreeMap::new()),
            interpreters: Mutex::new(vec![]),
            stack_request: AtomicU64::new(0),
            run: Mutex::new(RunState { finished: false }),
            wake: Condvar::new(),
        })
    }

    /// Does a watchdog of the run, here or in the top process, look for deadlocks (so a child
    /// OS process started from here is to report its threads)?
    pub fn deadlocks_watched(&self) -> bool {
        self.watch_deadlocks || self.reported
    }

    /// Does a watchdog read the table (so threads must keep their slots up to date)?
    #[inline]
    pub fn active(&self) -> bool {
        self.active
    }

    /// Should a thread letting go of the GIL capture its stack? Always for a blocking wait on
    /// a primitive (the deadlock report shows it); for sleeps and native calls only when a
    /// `--timeout` report may show them.
    pub fn wants_stack(&self, blocking_wait: bool) -> bool {
        self.timeout.is_some() || (blocking_wait && self.active)
    }

    /// Registers an interpreter of the run (for flushing its output at the end).
    pub fn add_interpreter(&self, interp: &Arc<Interpreter>) {
        let mut list = self.interpreters.lock();
        list.retain(|w| w.strong_count() > 0);
        list.push(Arc::downgrade(interp));
    }

    /// The run's interpreters still alive.
    pub fn interpreters(&self) -> Vec<Arc<Interpreter>> {
        self.interpreters
            .lock()
            .iter()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Registers thread `ident` of `interp` (from the thread that creates it).
    pub fn add_thread(&self, ident: u64, interp: &Arc<Interpreter>) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            ident,
            interp: Arc::downgrade(interp),
            state: Mutex::new(SlotState {
                name: None,
                activity: Activity::Python,
                wakes: 0,
                published: None,
            }),
        });
        self.threads.lock().insert(ident, slot.clone());
        slot
    }

    /// Forgets thread `ident` (its `Vm` is gone).
    pub fn remove_thread(&self, ident: u64) {
        self.threads.lock().remove(&ident);
    }

    /// A child process ended: its threads left behind (daemon threads) no longer count, as
    /// they would die with a real process.
    pub fn forget_process(&self, interp: &Arc<Interpreter>) {
        let ptr = Arc::as_ptr(interp);
        self.threads
            .lock()
            .retain(|_, slot| !std::ptr::eq(slot.interp.as_ptr(), ptr));
    }

    /// Names thread `ident`, if it is in the table.
    pub fn name_thread(&self, ident: u64, name: &str) {
        let slot = self.threads.lock().get(&ident).cloned();
        if let Some(slot) = slot {
            slot.set_name(name);
        }
    }

    /// The number of the latest stack request, which threads compare with the last one they
    /// answered at their eval breaker's slow path.
    #[inline]
    pub fn stack_request(&self) -> u64 {
        self.stack_request.load(Ordering::Relaxed)
    }

    /// Asks every thread to publish its stack at its next eval breaker; returns the request's
    /// number. The caller raises the drop requests that send threads there.
    pub fn request_stacks(&self) -> u64 {
        self.stack_request.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Every registered thread, as it is now; each primitive waited on is asked who holds it.
    pub fn snapshot(&self) -> Vec<ThreadView> {
        let slots: Vec<Arc<Slot>> = self.threads.lock().values().cloned().collect();
        slots
            .iter()
            .map(|slot| {
                let (name, activity, wakes, published) = {
                    let st = slot.state.lock();
                    (
                        st.name.clone(),
                        st.activity.clone(),
                        st.wakes,
                        st.published.clone(),
                    )
                };
                // Asked outside the slot's lock: the primitive takes its own.
                let holding = match &activity {
                    Activity::Released {
                        wait: Some(Wait { on: Some(on), .. }),
                        ..
                    } => Some(on.holding()),
                    Activity::Released { wait: Some(_), .. } => Some(Holding::Busy),
                    _ => None,
                };
                let interp = slot.interp.upgrade();
                let (pid, process) = match &interp {
                    Some(i) => (i.process.pid, i.process.name.clone()),
                    None => (0, Arc::from("?")),
                };
                ThreadView {
                    ident: slot.ident,
                    name,
                    activity,
                    holding,
                    wakes,
                    published,
                    interp: slot.interp.clone(),
                    pid,
                    process,
                    rendered: None,
                }
            })
            .collect()
    }

    /// Marks the run finished (its main thread is done): the watchdog stops. If the watchdog
    /// is ending the run at this moment, waits for it (the process is about to exit).
    pub fn finish(&self) {
        let mut run = self.run.lock();
        run.finished = true;
        self.wake.notify_all();
    }

    /// Waits until `deadline` or the run's end; true if the run has finished.
    pub fn wait_for_end(&self, deadline: Instant) -> bool {
        let mut run = self.run.lock();
        if !run.finished {
            self.wake.wait_until(&mut run, deadline);
        }
        run.finished
    }

    /// Runs `end` (which reports and exits the process) unless the run has finished; the run
    /// cannot finish meanwhile. Returns if the run had finished.
    pub fn end_run(&self, end: impl FnOnce()) {
        let run = self.run.lock();
        if !run.finished {
            end();
        }
        drop(run);
    }
}

/// How a report names the primitives of process mode that cannot describe themselves.
fn kind_label(kind: &str) -> String {
    match kind {
        "queue.get" => "a multiprocessing queue (empty)".into(),
        "queue.put" => "a multiprocessing queue (full)".into(),
        "queue.join" => "a JoinableQueue's unfinished tasks".into(),
        "pipe.poll" => "a pipe".into(),
        "condition" => "a multiprocessing Condition".into(),
        "event" => "a multiprocessing Event".into(),
        "barrier" => "a multiprocessing Barrier".into(),
        "pool.take" => "a pool's task board (an idle worker)".into(),
        other => format!("a {other}"),
    }
}

impl ThreadView {
    /// The thread whose progress this blocked thread waits for, if one can be named: the
    /// thread's edge in the wait-for graph. A lock the thread holds itself inside a library
    /// call is a `Condition`'s waiter lock (released by a `notify`), not an owner.
    pub fn waits_for(&self) -> Option<u64> {
        let t = self.holding?.thread()?;
        if t == self.ident && self.library_entry().is_some() {
            return None;
        }
        Some(t)
    }

    fn library_entry(&self) -> Option<String> {
        if let Some(r) = &self.rendered {
            return r.library_entry.clone();
        }
        match &self.activity {
            Activity::Released {
                stack: Some(stack), ..
            } => stack.library_entry(),
            _ => None,
        }
    }

    /// What a blocked thread waits on, as a report names it (`lock #3`, `a multiprocessing
    /// queue (empty)`); None when it is not in a blocking wait.
    pub fn wait_target(&self) -> Option<String> {
        let Activity::Released {
            why,
            wait: Some(wait),
            ..
        } = &self.activity
        else {
            return None;
        };
        Some(match (&wait.on, why) {
            (Some(on), _) => on.describe(),
            (None, Release::Blocked(kind, _)) => kind_label(kind),
            (None, Release::Native(name)) => (*name).to_string(),
        })
    }

    /// The thread's name in a report, with its process when the run has several.
    pub fn label_in(&self, several_processes: bool) -> String {
        if several_processes {
            format!("{} of {} (pid {})", self.label(), self.process, self.pid)
        } else {
            self.label()
        }
    }

    /// What a blocked thread waits on, for a report: `in queue.Queue.get()`, `on lock #2,
    /// held by "Thread-2"`; the other threads and processes are named from `views`.
    pub fn describe_wait(&self, views: &[ThreadView]) -> String {
        let name_of = namer(views);
        let Activity::Released {
            wait: Some(wait), ..
        } = &self.activity
        else {
            return String::new();
        };
        let on = self.wait_target().unwrap_or_default();
        let entry = self.library_entry();
        let mut text = match &entry {
            Some(e) => format!("in {e}()"),
            None => format!("on {on}"),
        };
        let on_clause = if entry.is_some() {
            format!(" on {on}")
        } else {
            String::new()
        };
        match self.holding {
            // Inside a library call, a lock held by the waiter itself is a condition's.
            Some(Holding::Held(t)) if t == self.ident && entry.is_none() => {
                text.push_str(", which it holds itself");
            }
            Some(Holding::Held(t)) if t == self.ident => {}
            Some(Holding::Held(t)) => {
                text.push_str(&format!(",{on_clause} held by {}", name_of(t)));
            }
            Some(Holding::ThreadEnd(t)) => {
                text.push_str(&format!(", until {} ends", name_of(t)));
            }
            // A primitive with no owner to name may still say what keeps it busy (a pipe:
            // who holds its other end).
            Some(Holding::Busy) if wait.on.is_some() => text.push_str(&on_clause),
            Some(Holding::ProcessEnd { pid, .. }) => {
                let process = match views.iter().find(|v| v.pid == pid) {
                    Some(v) => format!("{} (pid {pid})", v.process),
                    None => format!("pid {pid}"),
                };
                text.push_str(&format!(", until process {process} ends"));
            }
            _ => {}
        }
        if wait.timed {
            text.push_str(" (with a timeout pending)");
        }
        text
    }

    /// The stack captured when the thread let go of the GIL, if any.
    pub fn released_stack(&self) -> Option<&Stack> {
        match &self.activity {
            Activity::Released { stack, .. } | Activity::Returning { stack, .. } => stack.as_ref(),
            Activity::Python => None,
        }
    }

    /// The thread's stack rendered for a report, indented by `indent`.
    pub fn render_stack(&self, stack: &Stack, indent: &str) -> String {
        stack.render(indent, &|file, line| self.source_line(file, line))
    }

    /// The stack captured when the thread let go of the GIL, rendered for a report and
    /// indented by `indent` (as its own process rendered it, for a thread of another).
    pub fn released_stack_text(&self, indent: &str) -> Option<String> {
        if let Some(r) = &self.rendered {
            return Some(r.text.lines().map(|l| format!("{indent}{l}\n")).collect());
        }
        self.released_stack().map(|s| self.render_stack(s, indent))
    }

    /// The stack captured when the thread let go of the GIL, rendered here so that another
    /// OS process can report it.
    pub fn render_for_another_process(&self) -> Option<RenderedStack> {
        self.released_stack().map(|s| RenderedStack {
            text: self.render_stack(s, ""),
            library_entry: s.library_entry(),
        })
    }
}

/// Names threads for a report: the label of a thread in `views`, or its number if it ended.
pub fn namer(views: &[ThreadView]) -> impl Fn(u64) -> String + '_ {
    let several = several_processes(views);
    move |ident| match views.iter().find(|v| v.ident == ident) {
        Some(v) => v.label_in(several),
        None => format!("thread {ident} (which has ended)"),
    }
}

/// Do the threads of `views` belong to more than one process?
pub fn several_processes(views: &[ThreadView]) -> bool {
    views.windows(2).any(|w| w[0].pid != w[1].pid)
}
