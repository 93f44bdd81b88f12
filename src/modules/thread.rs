//! `_thread`: the native layer under `threading` (as in CPython): starting OS threads that run
//! Python code under the interpreter's GIL, and the basic lock, whose blocking wait releases the
//! GIL. Everything else in `threading` is Python code built on these (`python/threading.py`).

use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::{func, int_arg, native_class, receiver_only, str_arg};
use crate::observe::Release;
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::ops::to_f64;
use crate::vm::{Value, Vm};

/// Stack reserved for each interpreter thread (only touched pages are committed).
const THREAD_STACK: usize = 64 << 20;

pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "start_new_thread", start_new_thread);
    func(m, "_start_thread", start_thread);
    func(m, "allocate_lock", allocate_lock);
    m.set("RLock", Value::Class(rlock_class().clone()));
    func(m, "get_ident", get_ident);
    func(m, "_print_exception", print_exception);
    func(m, "_format_exception", format_exception);
    func(m, "_set_name", set_name);
    m.set("LockType", Value::Class(lock_class().clone()));
    m.set("TIMEOUT_MAX", Value::Float(TIMEOUT_MAX));
    Ok(())
}

/// The longest timeout a lock wait takes (`_thread.TIMEOUT_MAX`); more is `OverflowError`.
pub const TIMEOUT_MAX: f64 = 9_223_372_036.0;

/// `start_new_thread(function, args[, kwargs])`: runs the call on a new OS thread that takes
/// the GIL like any other; returns the new thread's identity.
fn start_new_thread(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("start_new_thread", 2, 3, &[])?;
    let f = args.pos[0].clone();
    let call_args = match &args.pos[1] {
        Value::Tuple(t) => t.0.clone(),
        _ => return Err(PyErr::type_error("2nd arg must be a tuple")),
    };
    let kwargs: Vec<(Arc<str>, Value)> = match args.pos.get(2) {
        Some(Value::Dict(d)) => d
            .items()
            .into_iter()
            .filter_map(|(k, v)| Some((Arc::from(k.as_str()?), v)))
            .collect(),
        _ => vec![],
    };
    spawn(vm, f, call_args, kwargs, None)
}

/// `_start_thread(thread)`: what `threading.Thread.start` uses: runs `thread._bootstrap()` on
/// a new OS thread, as `start_new_thread` does, and if the interpreter fails inside it (a Rust
/// panic, an internal error) finishes the thread for it: marks it stopped, drops it from
/// `threading._active` and releases its `_done` lock, so that `join()` returns.
fn start_thread(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("_start_thread", 1, 1, &[])?;
    let thread = args.pos[0].clone();
    let bootstrap = vm.get_attr(&thread, "_bootstrap")?;
    spawn(vm, bootstrap, vec![], vec![], Some(thread))
}

/// Starts an interpreter thread calling `f(*call_args, **kwargs)`; `thread` is the
/// `threading.Thread` it runs, if any. Returns the new thread's identity.
fn spawn(
    vm: &mut Vm,
    f: Value,
    call_args: Vec<Value>,
    kwargs: Vec<(Arc<str>, Value)>,
    thread: Option<Value>,
) -> PyResult<Value> {
    let mut child = Vm::new(vm.interp.clone());
    let ident = child.ident;
    if let Some(Value::Instance(t)) = &thread {
        if let Some(name) = t.get("_name").and_then(|n| n.as_str().map(str::to_string)) {
            child.slot.set_name(&name);
        }
        // `join()` waits on `_done`: held from now on by the thread whose end releases it.
        if let Some(done) = t.get("_done")
            && let Some(lock) = done.downcast::<Lock>()
        {
            lock.hand_to_thread(vm.ident, ident);
        }
    }
    if let Some(scheduler) = vm.interp.gil.scheduler() {
        // Runnable from now on, however long the OS takes to start the thread.
        scheduler.add_thread(ident);
        child.record_start_now();
    }
    std::thread::Builder::new()
        .name(format!("gilsim-{ident}"))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let outcome = catch_panic(|| {
                child.acquire_gil();
                if let Err(e) = child.call_kw(&f, &call_args, &kwargs) {
                    let exc = child.materialize(e);
                    // As CPython's `_thread`: SystemExit ends the thread quietly.
                    let system_exit = child.interp.types.exception(ExcKind::SystemExit);
                    if let Value::Instance(i) = &exc
                        && i.class.is_subclass(system_exit)
                    {
                        return;
                    }
                    let text = child.format_exception(&exc);
                    child.interp.write_stderr(&format!(
                        "Unhandled exception in thread started by {}\n{text}",
                        ident
                    ));
                }
            });
            // A panic may have come while the GIL was released (in native work).
            if child.holds_gil() {
                child.release_gil();
            }
            if let Err(message) = outcome {
                finish_after_panic(&child.interp, ident, thread.as_ref(), &message);
            }
        })
        .map_err(|e| PyErr::runtime_error(format!("can't start new thread: {e}")))?;
    Ok(Value::Int(ident as i64))
}

/// Runs `body`, turning a panic into its message: the safety net under every interpreter
/// thread, so that an internal error ends the thread instead of leaving it (and whoever joins
/// it) hanging. The panic itself is still a bug to fix.
pub fn catch_panic<R>(body: impl FnOnce() -> R) -> Result<R, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).map_err(|payload| {
        if let Some(s) = payload.downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic payload".to_string()
        }
    })
}

/// After an interpreter thread panicked: says so on stderr, makes the run's exit status 70,
/// and finishes its `threading.Thread` (if any) without running Python code on the failed
/// thread: `_is_stopped`, out of `threading._active`, `_started` set (in case `start()` still
/// waits for it), `_done` released so `join()` returns. Called without the GIL.
pub fn finish_after_panic(
    interp: &crate::vm::Interpreter,
    ident: u64,
    thread: Option<&Value>,
    message: &str,
) {
    interp
        .thread_panicked
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let inst = match thread {
        Some(Value::Instance(inst)) => Some(inst),
        _ => None,
    };
    let name = inst
        .and_then(|i| i.get("_name"))
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{ident}"));
    interp.write_stderr(&format!(
        "gilsim: internal error in thread {name}: {message}\n"
    ));
    let Some(inst) = inst else { return };
    inst.set("_is_stopped", Value::Bool(true));
    let threading = interp.modules.lock().get("threading").cloned();
    if let Some(Value::Module(m)) = threading
        && let Some(Value::Dict(active)) = m.get("_active")
    {
        active.0.lock().remove(&HashKey(Value::Int(ident as i64)));
    }
    if let Some(Value::Instance(started)) = inst.get("_started") {
        set_event(&started);
    }
    if let Some(done) = inst.get("_done")
        && let Some(lock) = done.downcast::<Lock>()
    {
        lock.force_release();
    }
}

/// `event.set()` for a `threading.Event`, done natively: under its condition's lock (waiting
/// at most a second for it), raise the flag and wake the waiters, releasing each one's lock
/// as `Condition.notify_all` does.
fn set_event(event: &Instance) {
    if matches!(event.get("_flag"), Some(Value::Bool(true))) {
        return;
    }
    let Some(Value::Instance(cond)) = event.get("_cond") else {
        return;
    };
    let lock = cond.get("_lock");
    let lock = lock.as_ref().and_then(|l| l.downcast::<Lock>());
    // Held for a moment on behalf of the failed thread: no interpreter thread's identity.
    let on_behalf = u64::MAX;
    let got = lock
        .is_some_and(|l| l.acquire_until(on_behalf, Some(Instant::now() + Duration::from_secs(1))));
    event.set("_flag", Value::Bool(true));
    if let Some(Value::List(waiters)) = cond.get("_waiters") {
        let woken = std::mem::take(&mut *waiters.0.lock());
        for w in woken {
            if let Some(w) = w.downcast::<Lock>() {
                w.force_release();
            }
        }
    }
    if got && let Some(l) = lock {
        l.force_release();
    }
}

fn get_ident(vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Int(vm.ident as i64))
}

/// `_print_exception(thread_name, exc)`: what `threading.excepthook` prints.
fn print_exception(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("_print_exception", 2, 2, &[])?;
    let name = vm.to_str(&args.pos[0])?;
    let text = vm.format_exception(&args.pos[1]);
    vm.interp
        .write_stderr(&format!("Exception in thread {name}:\n{text}"));
    Ok(Value::None)
}

/// `_format_exception(exc)`: the traceback text the interpreter prints for `exc` (what
/// `logging`'s `exc_info=True` appends to a message; concurrent.futures uses it).
fn format_exception(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("_format_exception", 1, 1, &[])?;
    Ok(Value::str(vm.format_exception(&args.pos[0])))
}

/// A lock's identity in the event log and the deterministic scheduler.
fn lock_id(lock: &Lock) -> u64 {
    lock.id
}

/// `_set_name(ident, name)`: names a thread in the event log (threading calls it when a
/// thread starts and when it is renamed).
fn set_name(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("_set_name", 2, 2, &[])?;
    let ident = int_arg(&args.pos[0])? as u64;
    let name = str_arg(&args.pos[1], "name")?;
    if let Some(recorder) = &vm.interp.recorder {
        recorder.name_thread(ident, name);
    }
    vm.interp.monitor.name_thread(ident, name);
    Ok(Value::None)
}

/// A non-reentrant lock. Waiting for it releases the GIL; a waiter costs no CPU.
pub struct Lock {
    /// The thread that acquired it (0: unlocked). Any thread may release a `_thread` lock; the
    /// holder is kept only to name it in a deadlock report, at no cost (it is the flag).
    locked: Mutex<u64>,
    freed: Condvar,
    /// Its identity in the event log and the deterministic scheduler: a number in creation
    /// order (an address would differ from run to run).
    id: u64,
    /// A `threading.Thread`'s `_done` lock: released when that thread (its holder) ends.
    thread_end: std::sync::atomic::AtomicBool,
}

impl Lock {
    fn try_acquire(&self, me: u64) -> bool {
        let mut l = self.locked.lock();
        if *l != 0 {
            false
        } else {
            *l = me;
            true
        }
    }

    /// Releases the lock if it is held (finishing a thread that panicked).
    fn force_release(&self) {
        *self.locked.lock() = 0;
        self.freed.notify_one();
    }

    /// Blocks until thread `me` has acquired it or the deadline passes; called with the GIL
    /// released.
    fn acquire_until(&self, me: u64, deadline: Option<Instant>) -> bool {
        let mut l = self.locked.lock();
        while *l != 0 {
            match deadline {
                Some(d) => {
                    if self.freed.wait_until(&mut l, d).timed_out() && *l != 0 {
                        return false;
                    }
                }
                None => self.freed.wait(&mut l),
            }
        }
        *l = me;
        true
    }

    /// Makes thread `to` the holder if `from` holds it: a `Thread`'s `_done` lock, acquired
    /// by the starting thread, passes to the started one, whose end releases it.
    fn hand_to_thread(&self, from: u64, to: u64) {
        let mut l = self.locked.lock();
        if *l == from {
            *l = to;
            self.thread_end
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// A waiter's view of a [`Lock`] for the deadlock watchdog.
struct LockProbe(Value);

impl crate::runtime::monitor::Waitable for LockProbe {
    fn holding(&self) -> crate::runtime::monitor::Holding {
        use crate::runtime::monitor::Holding;
        let Some(lock) = self.0.downcast::<Lock>() else {
            return Holding::Busy;
        };
        match *lock.locked.lock() {
            0 => Holding::Free,
            t if lock.thread_end.load(std::sync::atomic::Ordering::Relaxed) => {
                Holding::ThreadEnd(t)
            }
            t => Holding::Held(t),
        }
    }

    fn describe(&self) -> String {
        match self.0.downcast::<Lock>() {
            Some(lock) => format!("lock #{}", lock.id),
            None => "a lock".into(),
        }
    }
}

static LOCK_CLASS: OnceLock<Arc<Class>> = OnceLock::new();

fn lock_class() -> &'static Arc<Class> {
    LOCK_CLASS.get_or_init(|| {
        native_class(
            "lock",
            "_thread",
            &[
                ("acquire", acquire),
                ("release", release),
                ("locked", locked),
                ("__enter__", acquire),
                ("__exit__", exit),
                ("acquire_lock", acquire),
                ("release_lock", release),
            ],
        )
    })
}

impl NativeObject for Lock {
    fn class(&self) -> &Arc<Class> {
        lock_class()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn repr(&self) -> Option<String> {
        let state = if *self.locked.lock() != 0 {
            "locked"
        } else {
            "unlocked"
        };
        Some(format!("<{state} _thread.lock object>"))
    }
}

fn allocate_lock(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("allocate_lock", 0, 0, &[])?;
    let id = 1 + vm
        .interp
        .last_lock_id
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(Value::object(Lock {
        locked: Mutex::new(0),
        freed: Condvar::new(),
        id,
        thread_end: Default::default(),
    }))
}

/// A new `_thread` lock (`allocate_lock()`), for native primitives built on one (as CPython's
/// `_queue.SimpleQueue` is).
pub fn new_lock(vm: &mut Vm) -> Value {
    allocate_lock(vm, Args { pos: &[], kw: &[] }).unwrap_or(Value::None)
}

/// `lock.acquire(True, timeout)` on a lock from [`new_lock`] (`None`: no timeout): the GIL
/// released while it waits, the wait seen by the deadlock watchdog (as `probe` describes it)
/// and by the deterministic scheduler, `KeyboardInterrupt` at Ctrl-C in the main thread. True
/// if acquired.
pub fn acquire_lock(
    vm: &mut Vm,
    lock: &Value,
    timeout: Option<f64>,
    probe: Arc<dyn crate::runtime::monitor::Waitable>,
) -> PyResult<bool> {
    let Some(l) = lock.downcast::<Lock>() else {
        return Err(PyErr::type_error("expected a lock"));
    };
    if l.try_acquire(vm.ident) {
        return Ok(true);
    }
    wait_for_lock(vm, l, timeout.unwrap_or(-1.0), probe)
}

/// `lock.acquire(False)` on a lock from [`new_lock`]: true if it was free (and is now held).
pub fn try_acquire_lock(vm: &Vm, lock: &Value) -> bool {
    lock.downcast::<Lock>()
        .is_some_and(|l| l.try_acquire(vm.ident))
}

/// `lock.release()` on a lock from [`new_lock`].
pub fn release_lock(vm: &mut Vm, lock: &Value) -> PyResult<()> {
    release(
        vm,
        Args {
            pos: std::slice::from_ref(lock),
            kw: &[],
        },
    )
    .map(|_| ())
}

fn this<'a>(args: &Args<'a>) -> PyResult<&'a Lock> {
    args.pos
        .first()
        .and_then(|v| v.downcast::<Lock>())
        .ok_or_else(|| PyErr::type_error("expected a lock"))
}

/// `lock.acquire(blocking=True, timeout=-1)`.
fn acquire(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let lock = this(&args)?;
    let blocking = match args.get(1, "blocking") {
        Some(b) => vm.truthy(b)?,
        None => true,
    };
    let timeout = match args.get(2, "timeout") {
        Some(t) => to_f64(t)?,
        None => -1.0,
    };
    if !blocking && timeout != -1.0 {
        return Err(PyErr::value_error(
            "can't specify a timeout for a non-blocking call",
        ));
    }
    if timeout < 0.0 && timeout != -1.0 {
        return Err(PyErr::value_error("timeout value must be positive"));
    }
    if timeout > TIMEOUT_MAX {
        return Err(PyErr::overflow("timeout value is too large"));
    }
    let me = vm.ident;
    if lock.try_acquire(me) {
        return Ok(Value::Bool(true));
    }
    if !blocking {
        return Ok(Value::Bool(false));
    }
    let probe = Arc::new(LockProbe(args.pos[0].clone()));
    Ok(Value::Bool(wait_for_lock(vm, lock, timeout, probe)?))
}

/// The blocking part of `acquire(True, timeout)` (`timeout < 0`: none), once a first try has
/// failed: waits with the GIL released, the wait described to the deadlock watchdog by
/// `probe`; true if acquired.
fn wait_for_lock(
    vm: &mut Vm,
    lock: &Lock,
    timeout: f64,
    probe: Arc<dyn crate::runtime::monitor::Waitable>,
) -> PyResult<bool> {
    if vm.interp.gil.scheduler().is_some() {
        return acquire_deterministic(vm, lock, timeout);
    }
    let me = vm.ident;
    let deadline = (timeout >= 0.0).then(|| Instant::now() + Duration::from_secs_f64(timeout));
    // The main thread's wait ends at Ctrl-C with `KeyboardInterrupt`, as CPython's lock
    // acquires do (since 3.2): it wakes to look every so often.
    let interrupt = vm.is_main_thread().then(|| vm.interp.clone());
    let on = crate::runtime::monitor::Wait::new(deadline, Some(probe));
    let got = vm.wait_on(
        Release::Blocked("lock", lock_id(lock)),
        on,
        || match interrupt {
            None => lock.acquire_until(me, deadline),
            Some(interp) => loop {
                let slice_end = Instant::now() + INTERRUPT_POLL;
                let until = deadline.map_or(slice_end, |d| d.min(slice_end));
                if lock.acquire_until(me, Some(until)) {
                    break true;
                }
                if deadline.is_some_and(|d| Instant::now() >= d)
                    || interp
                        .interrupt_pending
                        .load(std::sync::atomic::Ordering::Relaxed)
                {
                    break false;
                }
            },
        },
    );
    if !got {
        vm.check_interrupt()?;
    }
    Ok(got)
}

/// How often the main thread's lock wait looks for a Ctrl-C.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

/// A blocking acquire in deterministic mode: the scheduler runs others until the lock is
/// released (then this thread retries) or the timeout (`< 0`: none) passes in virtual time.
fn acquire_deterministic(vm: &mut Vm, lock: &Lock, timeout: f64) -> PyResult<bool> {
    use crate::gil::deterministic::Wake;
    let scheduler_now = |vm: &Vm| vm.interp.gil.scheduler().map_or(0, |s| s.now_ns());
    let deadline = (timeout >= 0.0).then(|| scheduler_now(vm) + (timeout * 1e9) as u64);
    loop {
        let left = deadline.map(|d| d.saturating_sub(scheduler_now(vm)));
        match vm.block_deterministic("lock", lock_id(lock), left) {
            Wake::Notified if lock.try_acquire(vm.ident) => return Ok(true),
            Wake::Notified => continue,
            Wake::TimedOut => return Ok(lock.try_acquire(vm.ident)),
            // The run is over and this thread was asked to end.
            Wake::Ended => {
                crate::process::check_terminated(vm)?;
                return Ok(false);
            }
            Wake::Deadlock => {
                return Err(PyErr::runtime_error(
                    "deadlock: every thread is waiting for a lock (found by the deterministic \
                     scheduler)",
                ));
            }
        }
    }
}

fn release(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let lock = this(&args)?;
    let mut l = lock.locked.lock();
    if *l == 0 {
        return Err(PyErr::runtime_error("release unlocked lock"));
    }
    *l = 0;
    lock.freed.notify_one();
    drop(l);
    if let Some(scheduler) = vm.interp.gil.scheduler() {
        scheduler.notify(lock_id(lock));
    }
    Ok(Value::None)
}

fn locked(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(*this(&args)?.locked.lock() != 0))
}

fn exit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    release(vm, receiver_only(&args))?;
    Ok(Value::Bool(false))
}

/// `_thread.RLock`, which `threading.RLock` is (as in CPython): a lock its holder may take
/// again, built on a [`Lock`] (so its waits, the deadlock watchdog and deterministic mode are
/// the lock's), with the owner and depth kept natively. `threading.Condition`, whose default
/// lock it is, sits under every `queue.Queue` and `Future`, so it is worth not interpreting.
pub struct RLock {
    /// The underlying `_thread` lock (a `Value`, as the lock's methods take it).
    block: Value,
    /// Owner thread (0: none) and recursion depth; changed only by the owner.
    state: Mutex<(u64, u64)>,
}

fn rlock_class() -> &'static Arc<Class> {
    static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
    CLASS.get_or_init(|| {
        native_class(
            "RLock",
            "_thread",
            &[
                ("__new__", rlock_new),
                ("acquire", rlock_acquire),
                ("__enter__", rlock_acquire),
                ("release", rlock_release),
                ("__exit__", rlock_exit),
                ("_is_owned", rlock_is_owned),
                ("_release_save", rlock_release_save),
                ("_acquire_restore", rlock_acquire_restore),
            ],
        )
    })
}

impl NativeObject for RLock {
    fn class(&self) -> &Arc<Class> {
        rlock_class()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn repr(&self) -> Option<String> {
        let (owner, count) = *self.state.lock();
        let state = if owner != 0 { "locked" } else { "unlocked" };
        Some(format!(
            "<{state} _thread.RLock object owner={owner} count={count} at {:#x}>",
            self as *const RLock as usize
        ))
    }
}

/// `RLock()`.
fn rlock_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    if !args.pos.is_empty() || !args.kw.is_empty() {
        return Err(PyErr::type_error("RLock() takes no arguments"));
    }
    let block = allocate_lock(vm, Args { pos: &[], kw: &[] })?;
    Ok(Value::object(RLock {
        block,
        state: Mutex::new((0, 0)),
    }))
}

fn this_rlock<'a>(args: &Args<'a>) -> PyResult<&'a RLock> {
    super::receiver::<RLock>(args, "_thread.RLock", "method")
}

/// `acquire(blocking=True, timeout=-1)`: again at once if this thread owns it, else as the
/// underlying lock's `acquire`.
fn rlock_acquire(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this_rlock(&args)?;
    let me = vm.ident;
    {
        let mut st = r.state.lock();
        if st.0 == me {
            st.1 += 1;
            return Ok(Value::Bool(true));
        }
    }
    let mut pos = args.pos.to_vec();
    pos[0] = r.block.clone();
    let got = acquire(
        vm,
        Args {
            pos: &pos,
            kw: args.kw,
        },
    )?;
    if matches!(got, Value::Bool(true)) {
        *r.state.lock() = (me, 1);
    }
    Ok(got)
}

fn rlock_release(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this_rlock(&args)?;
    {
        let mut st = r.state.lock();
        if st.0 != vm.ident {
            return Err(PyErr::runtime_error("cannot release un-acquired lock"));
        }
        st.1 -= 1;
        if st.1 > 0 {
            return Ok(Value::None);
        }
        st.0 = 0;
    }
    release(
        vm,
        Args {
            pos: std::slice::from_ref(&r.block),
            kw: &[],
        },
    )
}

fn rlock_exit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    rlock_release(vm, receiver_only(&args))?;
    Ok(Value::Bool(false))
}

fn rlock_is_owned(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(this_rlock(&args)?.state.lock().0 == vm.ident))
}

/// `_release_save()` (for `Condition.wait`): releases it whatever the depth, returning the
/// depth to restore.
fn rlock_release_save(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this_rlock(&args)?;
    let count = {
        let mut st = r.state.lock();
        if st.1 == 0 {
            return Err(PyErr::runtime_error("cannot release un-acquired lock"));
        }
        std::mem::take(&mut *st).1
    };
    release(
        vm,
        Args {
            pos: std::slice::from_ref(&r.block),
            kw: &[],
        },
    )?;
    Ok(Value::Int(count as i64))
}

/// `_acquire_restore(depth)`: takes it back (blocking) at the depth `_release_save` returned.
fn rlock_acquire_restore(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let r = this_rlock(&args)?;
    let count = args
        .pos
        .get(1)
        .map(super::int_arg)
        .transpose()?
        .unwrap_or(1);
    acquire(
        vm,
        Args {
            pos: std::slice::from_ref(&r.block),
            kw: &[],
        },
    )?;
    *r.state.lock() = (vm.ident, count.max(1) as u64);
    Ok(Value::None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::{Config, Interpreter};
    use std::sync::atomic::Ordering;

    #[test]
    fn catch_panic_returns_the_value_or_the_message() {
        assert_eq!(catch_panic(|| 7), Ok(7));
        assert_eq!(
            catch_panic(|| panic!("static message")),
            Err::<(), _>("static message".to_string())
        );
        let n = 3;
        assert_eq!(
            catch_panic(|| panic!("index {n} out of range")),
            Err::<(), _>("index 3 out of range".to_string())
        );
    }

    /// What an internal error inside a thread does to it: no real bug is at hand to trigger
    /// one from a script, so the thread's `_bootstrap` is replaced by a native function that
    /// panics. `start()` and `join()` must return, the thread must be stopped and gone from
    /// `threading._active`, and the run marked for exit status 70.
    #[test]
    fn a_panicking_thread_is_finished_and_joinable() {
        fn boom(_vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
            panic!("deliberate test panic");
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let sink = crate::runtime::Stdout::Buffer(Default::default());
            let interp = Interpreter::new(Config::default(), sink);
            let mut vm = Vm::new(interp.clone());
            vm.acquire_gil();
            let result = (|| -> PyResult<(bool, bool)> {
                let threading = vm.import("threading")?;
                let thread_class = vm.get_attr(&threading, "Thread")?;
                let t = vm.call(&thread_class, &[])?;
                vm.set_attr(&t, "_bootstrap", Vm::native("boom", boom))?;
                let start = vm.get_attr(&t, "start")?;
                vm.call(&start, &[])?;
                let join = vm.get_attr(&t, "join")?;
                vm.call(&join, &[])?;
                let is_alive = vm.get_attr(&t, "is_alive")?;
                let alive = vm.call(&is_alive, &[])?;
                let active = vm.get_attr(&threading, "_active")?;
                let ident = vm.get_attr(&t, "ident")?;
                let listed = vm.contains(&active, &ident)?;
                Ok((matches!(alive, Value::Bool(true)), listed))
            })();
            vm.release_gil();
            let _ = tx.send((
                result.is_ok(),
                result.ok(),
                interp.thread_panicked.load(Ordering::Relaxed),
            ));
        });
        let (ok, states, flagged) = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("start() and join() of a panicking thread return");
        assert!(ok, "the Python calls succeed");
        assert_eq!(states, Some((false, false)), "not alive, not in _active");
        assert!(flagged, "the run is marked as having an internal error");
    }
}
