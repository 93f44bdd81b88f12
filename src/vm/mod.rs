//! The virtual machine: values, objects, and the threads that run bytecode.
//!
//! An [`Interpreter`] is the unit of isolation (its own modules, builtins and, with the GIL
//! issue, its own lock); it is shared by reference between its threads. A [`Vm`] is one thread's
//! state: its frame stack and operand stack, owned by that thread alone. Frames live in a
//! heap-allocated `Vec`, so Python recursion never recurses in Rust: Python-to-Python calls push
//! a frame and continue the same loop. Only calls that pass through native code (a builtin calling
//! back into Python, a class body, `__init__` from a constructor) re-enter the loop, and those are
//! bounded by the recursion limit.

pub mod attrs;
pub mod builtins;
pub mod caches;
pub mod call;
pub mod dictmap;
pub mod errors;
pub mod eval;
pub mod exceptions;
pub mod format;
pub mod import;
pub mod iter;
pub mod methods;
pub mod objects;
pub mod objlock;
pub mod ops;
pub mod protocol;
pub mod recursion;
pub mod trashcan;
pub mod types;
pub mod value;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use rustc_hash::FxHashMap;

use crate::gil::deterministic::NATIVE_CALL_NS;
use crate::observe::{EventKind, Recorder, Release, ThreadLog};

pub use errors::{ExcKind, PyErr, PyResult};
use objects::*;
pub use value::Value;

/// Settings an interpreter is created with.
#[derive(Clone, Debug)]
pub struct Config {
    /// `sys.argv`: the script path, then its arguments.
    pub argv: Vec<String>,
    /// The GIL's switch interval at start (`sys.setswitchinterval` changes it later).
    pub switch_interval: std::time::Duration,
    /// The reports to make at exit; any of them turns event recording on (off, recording
    /// costs one branch per GIL transition).
    pub reports: crate::observe::Reports,
    /// Check the eval breaker before every instruction, as CPython before 3.10 did (every
    /// "tick"), instead of only at function entry, loop back edges and after native calls.
    pub check_every_instruction: bool,
    /// The GIL design (`--gil`), one of [`crate::gil::POLICIES`].
    pub gil: &'static crate::gil::PolicyInfo,
    /// The legacy policy's instructions between releases (`--check-interval`).
    pub check_interval: u32,
    /// `--deterministic --seed N`: a scheduler with virtual time instead of the lock.
    pub deterministic: Option<u64>,
    /// What a `multiprocessing` process is (`--process-backend`).
    pub process_backend: crate::process::ProcessBackend,
    /// `--on-deadlock`: report a deadlock and end the run, or hang as CPython does.
    pub on_deadlock: crate::runtime::monitor::OnDeadlock,
    /// `--timeout`: end a run that outlives it, with a report of every thread.
    pub timeout: Option<std::time::Duration>,
    /// `--max-memory`: the heap limit in bytes, past which big allocations raise
    /// `MemoryError` (see [`crate::memory`]; the limit is the whole process's).
    pub max_memory: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            argv: vec![],
            switch_interval: crate::gil::DEFAULT_SWITCH_INTERVAL,
            reports: Default::default(),
            check_every_instruction: false,
            gil: &crate::gil::POLICIES[0],
            check_interval: crate::gil::DEFAULT_CHECK_INTERVAL,
            deterministic: None,
            process_backend: Default::default(),
            on_deadlock: Default::default(),
            timeout: None,
            max_memory: None,
        }
    }
}

/// Where `print` and `sys.stdout.write` go. Block-buffered like CPython's when piped, flushed
/// at exit and when stderr is written, so interleaving with tracebacks stays readable.
pub struct Output {
    pub out: Mutex<Box<dyn Write + Send>>,
}

/// One interpreter: everything its threads share.
pub struct Interpreter {
    pub config: Config,
    pub builtins: FxHashMap<Arc<str>, Value>,
    pub types: types::BuiltinTypes,
    /// `sys.modules`.
    pub modules: Mutex<FxHashMap<String, Value>>,
    pub recursion_limit: AtomicUsize,
    /// `sys.set_int_max_str_digits`: the most digits an int may have in a decimal conversion
    /// (0: no limit).
    pub int_max_str_digits: AtomicUsize,
    pub stdout: Output,
    /// Source text of each file, for tracebacks.
    pub sources: Mutex<FxHashMap<String, Arc<str>>>,
    /// The lock this interpreter's threads contend for.
    pub gil: crate::gil::Gil,
    /// Interpreter threads started and not yet finished (besides the main thread).
    pub threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// The event logs, when a report (`--stats`) was asked for.
    pub recorder: Option<Arc<Recorder>>,
    /// Which process this interpreter is (main or a child of process mode).
    pub process: crate::process::ProcessContext,
    /// Where this interpreter's output ends up; child processes write there too.
    pub stdout_sink: crate::runtime::Stdout,
    /// The main thread's identity, for what only it receives (`KeyboardInterrupt`).
    pub main_ident: AtomicU64,
    /// A Ctrl-C not yet raised as `KeyboardInterrupt` in the main thread.
    pub interrupt_pending: AtomicBool,
    /// The last number given to a `_thread` lock (locks are numbered per interpreter, in
    /// creation order, so a deterministic replay names them alike).
    pub last_lock_id: AtomicU64,
    /// Set when an interpreter thread ended in a Rust panic (an internal error): the run then
    /// exits with status 70, as when the main thread panics.
    pub thread_panicked: AtomicBool,
    /// The run's thread table (shared with the other interpreters of the run), read by the
    /// watchdog that reports deadlocks and `--timeout`.
    pub monitor: Arc<crate::runtime::monitor::Monitor>,
}

impl Interpreter {
    /// Creates the main interpreter of a run, with its builtins and built-in types.
    pub fn new(config: Config, sink: crate::runtime::Stdout) -> Arc<Interpreter> {
        let mut process = crate::process::ProcessContext::main();
        if config.deterministic.is_some() {
            // A replay must not depend on the OS: the same pids on every run.
            process.pid = crate::process::DETERMINISTIC_PID;
            process.ppid = crate::process::DETERMINISTIC_PID - 1;
        }
        let recorder = config
            .reports
            .any()
            .then(|| Recorder::new_run(process.pid, process.bytes_sent.clone()));
        let monitor = crate::runtime::monitor::Monitor::new(&config);
        Interpreter::with_process(config, sink, process, recorder, monitor)
    }

    /// Creates an interpreter standing for `process`, recording its events to `recorder`, its
    /// threads registered with the run's `monitor`. Its output is buffered on its own and goes
    /// to `sink` when flushed, as a child process's does.
    pub fn with_process(
        config: Config,
        sink: crate::runtime::Stdout,
        process: crate::process::ProcessContext,
        recorder: Option<Arc<Recorder>>,
        monitor: Arc<crate::runtime::monitor::Monitor>,
    ) -> Arc<Interpreter> {
        let stdout = sink.writer();
        if config.max_memory.is_some() {
            crate::memory::set_limit(config.max_memory);
        }
        let gil = match config.deterministic {
            Some(seed) => crate::gil::Gil::deterministic(config.gil, config.switch_interval, seed),
            None => crate::gil::Gil::with_policy(config.gil, config.switch_interval),
        };
        gil.set_check_interval(config.check_interval);
        if let (Some(recorder), Some(scheduler)) = (&recorder, gil.scheduler()) {
            recorder.use_virtual_clock(scheduler.clock());
        }
        let types = types::BuiltinTypes::new();
        let builtins = builtins::make_builtins(&types);
        let interp = Arc::new(Interpreter {
            builtins,
            types,
            modules: Mutex::new(FxHashMap::default()),
            recursion_limit: AtomicUsize::new(1000),
            int_max_str_digits: AtomicUsize::new(ops::DEFAULT_MAX_STR_DIGITS),
            stdout: Output {
                out: Mutex::new(stdout),
            },
            sources: Mutex::new(FxHashMap::default()),
            gil,
            threads: Mutex::new(vec![]),
            recorder,
            config,
            process,
            stdout_sink: sink,
            main_ident: AtomicU64::new(0),
            interrupt_pending: AtomicBool::new(false),
            last_lock_id: AtomicU64::new(0),
            thread_panicked: AtomicBool::new(false),
            monitor,
        });
        interp.monitor.add_interpreter(&interp);
        interp
    }

    /// Ctrl-C: the main thread raises `KeyboardInterrupt` at its next eval-breaker check (the
    /// drop request sends the running thread there; if that is not the main thread, the main
    /// thread re-arms it when it next takes the GIL).
    pub fn interrupt_main(&self) {
        self.interrupt_pending.store(true, Ordering::Relaxed);
        self.gil.request_drop();
    }

    pub fn write_stdout(&self, s: &str) {
        let _ = self.stdout.out.lock().write_all(s.as_bytes());
    }

    pub fn flush_stdout(&self) {
        let _ = self.stdout.out.lock().flush();
    }

    /// Flushes this interpreter's output unless a thread keeps it locked for `patience`
    /// (a run ended from outside its threads must not hang on a writer stuck on a full pipe).
    pub fn flush_stdout_within(&self, patience: std::time::Duration) {
        if let Some(mut out) = self.stdout.out.try_lock_for(patience) {
            let _ = out.flush();
        }
    }

    pub fn write_stderr(&self, s: &str) {
        self.flush_stdout();
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(s.as_bytes());
        let _ = e.flush();
    }
}

impl Drop for Interpreter {
    /// The interpreter's last thread is gone (each `Vm` holds it), so nothing runs its code
    /// any more: clear its modules' globals, as CPython's finalization does. A module's
    /// functions refer back to its globals, a reference cycle no count ever frees, so without
    /// this every ended child interpreter of process mode kept its whole heap (about 450 kB a
    /// child, found by `tests/load.rs`).
    fn drop(&mut self) {
        let modules = std::mem::take(self.modules.get_mut());
        for module in modules.into_values() {
            if let Value::Module(m) = module {
                // Taken out first: the values drop with the module's lock released.
                let globals = std::mem::take(&mut *m.vars_mut());
                drop(globals);
            }
        }
    }
}

/// An open exception handler in a frame.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Block {
    /// Where the handler starts.
    pub handler: u32,
    /// Operand stack height to restore before jumping there.
    pub level: u32,
    /// True once the handler is running (the exception is "being handled").
    pub handling: bool,
}

/// One activation of a code object.
pub(crate) struct Frame {
    /// The function running, which holds the code and the globals. Module code runs as a
    /// function made for it ([`Function::for_module`]); one handle instead of three saves the
    /// reference-count traffic of every call.
    pub func: Arc<Function>,
    pub ip: usize,
    /// Index in the thread's value stack where this frame's locals begin; operands follow them.
    pub base: usize,
    /// The closure cells, `None` when the code has none (most functions): an empty option
    /// drops inline, where even an empty vector's drop was a call at every return. A thin
    /// pointer: a boxed slice's two words, returned in two registers and copied into the
    /// frame as one 16-byte move, stalled every call on a failed store-to-load forwarding.
    pub cells: Option<Box<ClosureCells>>,
    pub blocks: Vec<Block>,
    /// The class namespace, for class bodies.
    pub namespace: Option<Arc<PyDict>>,
    /// For an `__init__` run by `Cls(...)`: the new instance, which the call evaluates to.
    pub init_of: Option<Value>,
}

impl Frame {
    pub fn code(&self) -> &Arc<crate::compile::code::Code> {
        &self.func.code
    }

    pub fn globals(&self) -> &Arc<Module> {
        &self.func.globals
    }

    /// Closure cell `i`; the compiler numbers only cells the code has.
    pub fn cell(&self, i: u32) -> &Arc<Cell> {
        &self.cells.as_deref().expect("code with cells has them").0[i as usize]
    }

    /// The `cells` field for a frame with these cells.
    pub fn cells_field(cells: Vec<Arc<Cell>>) -> Option<Box<ClosureCells>> {
        (!cells.is_empty()).then(|| Box::new(ClosureCells(cells.into_boxed_slice())))
    }
}

/// A frame's closure cells: its own cell variables, then the free variables it closes over.
pub(crate) struct ClosureCells(Box<[Arc<Cell>]>);

/// One interpreter thread's state.
pub struct Vm {
    pub interp: Arc<Interpreter>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) stack: Vec<Value>,
    /// Exceptions currently being handled (innermost last), for bare `raise` and `__context__`.
    pub(crate) handling: Vec<Value>,
    /// Set by ops that re-raise an exception, so the unwinder keeps its traceback as it is.
    pub(crate) reraising: bool,
    /// Containers whose repr is being built, to print `[...]` for self-references.
    pub(crate) repr_stack: Vec<usize>,
    /// Levels of native recursion open (container walks, see [`recursion`]); they count
    /// against the recursion limit together with the frames.
    pub(crate) native_depth: usize,
    /// This thread's identity (`threading.get_ident()`), unique in the process.
    pub ident: u64,
    /// This thread's event buffer, when the interpreter records events.
    pub(crate) log: Option<Arc<ThreadLog>>,
    /// Instructions left before the legacy GIL policy's next release.
    pub(crate) ticks: u32,
    /// Instructions run since the last switch point (deterministic mode's virtual clock).
    pub(crate) instructions: u64,
    /// Does this thread hold the GIL? Known so that a thread ending in a panic drops it only
    /// if it has it (a panic may come while it is released, in native work).
    holds_gil: std::cell::Cell<bool>,
    /// Start and request already recorded by the starting thread ([`Vm::record_start_now`]).
    start_recorded: std::cell::Cell<bool>,
    /// This thread's entry in the run's thread table.
    pub(crate) slot: Arc<crate::runtime::monitor::Slot>,
    /// The last stack request of the watchdog this thread answered.
    stacks_answered: std::cell::Cell<u64>,
    /// This thread's answers to global and attribute lookups ([`caches`]).
    pub(crate) caches: caches::LookupCaches,
}

impl Drop for Vm {
    /// The thread is gone: out of the run's thread table.
    fn drop(&mut self) {
        self.interp.monitor.remove_thread(self.ident);
    }
}

static NEXT_THREAD_IDENT: AtomicU64 = AtomicU64::new(1);

impl Vm {
    pub fn new(interp: Arc<Interpreter>) -> Vm {
        let ident = NEXT_THREAD_IDENT.fetch_add(1, Ordering::Relaxed);
        let slot = interp.monitor.add_thread(ident, &interp);
        Vm {
            log: interp.recorder.as_ref().map(|r| r.thread_log(ident)),
            ticks: interp.gil.check_interval(),
            instructions: 0,
            interp,
            frames: Vec::with_capacity(64),
            stack: Vec::with_capacity(1024),
            handling: vec![],
            reraising: false,
            repr_stack: vec![],
            native_depth: 0,
            ident,
            holds_gil: std::cell::Cell::new(false),
            start_recorded: std::cell::Cell::new(false),
            slot,
            stacks_answered: std::cell::Cell::new(0),
            caches: caches::LookupCaches::new(),
        }
    }

    pub fn recursion_limit(&self) -> usize {
        self.interp.recursion_limit.load(Ordering::Relaxed)
    }

    /// `sys.get_int_max_str_digits()`.
    pub fn int_max_str_digits(&self) -> usize {
        self.interp.int_max_str_digits.load(Ordering::Relaxed)
    }

    /// Appends an event to this thread's log, if events are recorded.
    #[inline]
    pub(crate) fn record(&self, kind: EventKind) {
        if let Some(log) = &self.log {
            log.record(kind);
        }
    }

    /// Names this thread in the event log and the run's thread table (`threading.Thread.name`).
    pub fn set_thread_name(&self, name: &str) {
        self.record(EventKind::Name(name.into()));
        self.slot.set_name(name);
    }

    /// This thread's Python stack now, innermost frames last: each frame at the instruction
    /// it is in (a call, for all but the innermost while a native call runs).
    pub fn capture_stack(&self) -> crate::runtime::monitor::Stack {
        crate::runtime::monitor::Stack::capture(
            self.frames
                .iter()
                .map(|f| (f.code(), f.ip.saturating_sub(1))),
        )
    }

    /// [`Vm::capture_stack`] at the eval breaker, where the innermost frame's `ip` is the
    /// instruction it goes on with (a loop's head after a back edge), not one it is in.
    fn capture_stack_at_breaker(&self) -> crate::runtime::monitor::Stack {
        let last = self.frames.len().saturating_sub(1);
        crate::runtime::monitor::Stack::capture(self.frames.iter().enumerate().map(|(i, f)| {
            let ip = if i == last {
                f.ip
            } else {
                f.ip.saturating_sub(1)
            };
            (f.code(), ip)
        }))
    }

    /// At the eval breaker's slow path: publishes this thread's stack if the watchdog asked for
    /// stacks since the last time (the `--timeout` report of a running thread).
    #[inline]
    pub(crate) fn answer_stack_request(&self) {
        let request = self.interp.monitor.stack_request();
        if request != self.stacks_answered.get() {
            self.stacks_answered.set(request);
            self.slot.publish(request, self.capture_stack_at_breaker());
        }
    }

    /// Records in the thread table that this thread lets go of the GIL (with its stack, when
    /// a report may show it).
    fn enter_released(&self, why: Release, wait: Option<crate::runtime::monitor::Wait>) {
        let monitor = &self.interp.monitor;
        if monitor.active() {
            let stack = monitor
                .wants_stack(wait.is_some())
                .then(|| self.capture_stack());
            self.slot.release(why, wait, stack);
        }
    }

    /// Takes the GIL, logging the request, any drop requests this thread makes while it waits,
    /// and the acquisition. `returning`: back from native work or a blocking wait.
    fn take_gil(&self, returning: bool) {
        let gil = &self.interp.gil;
        match &self.log {
            None => {
                gil.take_gil_observed(self.ident, returning, &mut |_| {});
            }
            Some(log) => {
                if !self.start_recorded.replace(false) {
                    log.record(EventKind::Request);
                }
                gil.take_gil_observed(self.ident, returning, &mut |holder| {
                    log.record(EventKind::DropRequest { holder })
                });
                log.record(EventKind::Acquire);
            }
        }
        self.holds_gil.set(true);
        if self.interp.interrupt_pending.load(Ordering::Relaxed) && self.is_main_thread() {
            self.interp.gil.request_drop();
        }
    }

    /// Is this the interpreter's main thread?
    pub fn is_main_thread(&self) -> bool {
        self.ident == self.interp.main_ident.load(Ordering::Relaxed)
    }

    /// Raises a pending Ctrl-C as `KeyboardInterrupt`, if this is the main thread.
    pub fn check_interrupt(&self) -> PyResult<()> {
        let pending = &self.interp.interrupt_pending;
        // A plain load first: the swap is a locked instruction, and under the legacy policy
        // this runs at every instruction.
        if pending.load(Ordering::Relaxed)
            && self.is_main_thread()
            && pending.swap(false, Ordering::Relaxed)
        {
            return Err(PyErr::new(ExcKind::KeyboardInterrupt, ""));
        }
        Ok(())
    }

    /// Takes this interpreter's GIL for this thread (at thread start).
    pub fn acquire_gil(&self) {
        if !self.start_recorded.get() {
            self.record(EventKind::Start);
        }
        self.take_gil(false);
    }

    /// Deterministic mode: the thread starting this one records its start and its request
    /// for the GIL, at the virtual time it became runnable (the OS thread may begin later).
    pub fn record_start_now(&self) {
        self.record(EventKind::Start);
        self.record(EventKind::Request);
        self.start_recorded.set(true);
    }

    /// Drops the GIL for good (at thread end).
    pub fn release_gil(&self) {
        // Both before the drop: once another thread has the GIL (in deterministic mode, once
        // it runs and moves virtual time on) this thread's end would be stamped late.
        self.record(EventKind::Drop { forced: false });
        self.record(EventKind::End);
        self.drop_gil(false);
    }

    /// Does this thread hold the GIL now?
    pub fn holds_gil(&self) -> bool {
        self.holds_gil.get()
    }

    fn drop_gil(&self, forced: bool) {
        self.holds_gil.set(false);
        self.interp.gil.drop_gil(self.ident, forced);
    }

    /// Honours a pending drop request (at the eval breaker): drop the GIL, wait until another
    /// thread has it, then compete for it again.
    pub(crate) fn yield_gil(&self) {
        self.record(EventKind::Drop { forced: true });
        self.drop_gil(true);
        self.take_gil(false);
    }

    /// Deterministic mode: the running thread waits for lock `on` (0 for a sleep) for at most
    /// `timeout_ns` of virtual time while others run, as a blocking wait in the event log.
    pub fn block_deterministic(
        &mut self,
        what: &'static str,
        on: u64,
        timeout_ns: Option<u64>,
    ) -> crate::gil::deterministic::Wake {
        self.wait_deterministic(Release::Blocked(what, on), on, timeout_ns)
    }

    /// Deterministic mode: the running thread gives up its turn (`why`, for the event log)
    /// until lock `on` is released (0: none) or `timeout_ns` of virtual time has passed.
    fn wait_deterministic(
        &mut self,
        why: Release,
        on: u64,
        timeout_ns: Option<u64>,
    ) -> crate::gil::deterministic::Wake {
        let scheduler = self.interp.gil.scheduler().expect("deterministic mode");
        self.record(EventKind::Release(why));
        self.enter_released(why, None);
        let (wake, at) = scheduler.block(self.ident, on, timeout_ns);
        if self.interp.monitor.active() {
            self.slot.running();
        }
        if let Some(log) = &self.log {
            log.record_at(at, EventKind::Request);
        }
        self.record(EventKind::Acquire);
        wake
    }

    /// The legacy policy's periodic release: drop the GIL and ask for it again at once.
    pub(crate) fn release_and_retake_gil(&self) {
        self.record(EventKind::Drop { forced: false });
        self.drop_gil(false);
        self.take_gil(false);
    }

    /// Runs `work` with the GIL released, then takes it back, competing like any waiter: the
    /// pattern of PyO3's `allow_threads`. `why` names the native call or blocking wait for the
    /// event log. `work` gets no access to this thread's interpreter state, so code that runs
    /// without the GIL cannot touch the VM by mistake.
    pub fn allow_threads<R>(&mut self, why: Release, work: impl FnOnce() -> R) -> R {
        self.released(why, None, Duration::from_nanos(NATIVE_CALL_NS), work)
    }

    /// [`Vm::allow_threads`] for native work known to take `cost` (`native.compute(0.01)`):
    /// in deterministic mode, where `work` runs in no virtual time, the thread then gives way
    /// for `cost` of virtual time while the others run, as they would beside the real call.
    pub fn allow_threads_costing<R>(
        &mut self,
        why: Release,
        cost: Duration,
        work: impl FnOnce() -> R,
    ) -> R {
        self.released(why, None, cost, work)
    }

    /// [`Vm::allow_threads`] for a blocking wait on a gilsim primitive (a lock, a join, a
    /// process queue): `wait` tells the deadlock watchdog whether a timeout is pending and
    /// what the primitive is, so that a thread blocked for good can be told from one that
    /// only waits a while.
    pub fn wait_on<R>(
        &mut self,
        why: Release,
        wait: crate::runtime::monitor::Wait,
        work: impl FnOnce() -> R,
    ) -> R {
        self.released(why, Some(wait), Duration::from_nanos(NATIVE_CALL_NS), work)
    }

    fn released<R>(
        &mut self,
        why: Release,
        wait: Option<crate::runtime::monitor::Wait>,
        cost: Duration,
        work: impl FnOnce() -> R,
    ) -> R {
        if self.interp.gil.scheduler().is_some() {
            let r = work();
            let ns = u64::try_from(cost.as_nanos()).unwrap_or(u64::MAX);
            self.wait_deterministic(why, 0, Some(ns.max(1)));
            return r;
        }
        if wait.is_some() {
            // What only a stale cache entry keeps alive goes before the thread blocks: the
            // wait may be for that very object's end (a pipe end the script dropped).
            self.caches.drop_stale();
        }
        self.enter_released(why, wait);
        let active = self.interp.monitor.active();
        self.record(EventKind::Release(why));
        // As CPython's drop_gil: a pending drop request makes even a voluntary drop wait for
        // the requester to take over.
        self.drop_gil(self.interp.gil.drop_requested());
        let r = work();
        if active {
            self.slot.returning();
        }
        self.take_gil(true);
        if active {
            self.slot.running();
        }
        r
    }

    /// Makes a built-in function value.
    pub fn native(name: &'static str, func: NativeFn) -> Value {
        Value::Native(Arc::new(NativeFunction { name, func }))
    }
}

impl<'a> Args<'a> {
    /// Positional argument `i`, or keyword `name`.
    pub fn get(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.pos.get(i).or_else(|| self.kw(name))
    }
    pub fn kw(&self, name: &str) -> Option<&'a Value> {
        self.kw.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
    }
    /// Checks the positional count and that every keyword is one of `allowed`. The common
    /// case, no keywords and a count in range, is inlined into every native function.
    #[inline(always)]
    pub fn check(&self, fname: &str, min: usize, max: usize, allowed: &[&str]) -> PyResult<()> {
        let n = self.pos.len();
        if self.kw.is_empty() && n >= min && n <= max {
            return Ok(());
        }
        self.check_slow(fname, min, max, allowed)
    }

    #[cold]
    #[inline(never)]
    fn check_slow(&self, fname: &str, min: usize, max: usize, allowed: &[&str]) -> PyResult<()> {
        if let Some((k, _)) = self.kw.iter().find(|(k, _)| !allowed.contains(&&**k)) {
            return Err(PyErr::type_error(format!(
                "{fname}() got an unexpected keyword argument '{k}'"
            )));
        }
        let n = self.pos.len();
        if n < min {
            return Err(PyErr::type_error(if min == max {
                format!(
                    "{fname}() takes exactly {min} argument{} ({n} given)",
                    if min == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{fname}() takes at least {min} argument{} ({n} given)",
                    if min == 1 { "" } else { "s" }
                )
            }));
        }
        if n > max {
            return Err(PyErr::type_error(if min == max {
                format!(
                    "{fname}() takes exactly {max} argument{} ({n} given)",
                    if max == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{fname}() takes at most {max} argument{} ({n} given)",
                    if max == 1 { "" } else { "s" }
                )
            }));
        }
        Ok(())
    }
}
