//! `concurrent.futures.Future`, native: CPython 3.11's state machine (pending, running,
//! cancelled, cancelled-and-notified, finished), its callbacks and its waiters, with one
//! object and one mutex a future instead of a Python instance, a `Condition`, an `RLock`, a
//! lock and three lists. A `ThreadPoolExecutor` makes one a task, so this is most of what a
//! task costs (see `benches/README.md`).
//!
//! A blocking `result()` or `exception()` waits on a `_thread` lock (the *gate*), made by the
//! first thread that has to wait and held, on the future's behalf, until the future is done:
//! the wait is then a lock wait ([`crate::modules::thread::acquire_lock`]), with the GIL
//! released, seen by the deadlock watchdog and the deterministic scheduler, and ended by
//! Ctrl-C in the main thread. A waiter that gets the gate hands it on at once, so every waiter
//! wakes. A future nobody waits on never makes one.
//!
//! Python code (callbacks, `wait()`'s and `as_completed()`'s waiters) never runs with the
//! mutex held: the state changes under it, the calls come after. A waiter removed while a
//! future finishes may therefore still be told about it, which `_base.py`'s waiters allow.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::modules::thread::{acquire_lock, new_lock, release_lock, try_acquire_lock};
use crate::modules::{method_args, receiver};
use crate::runtime::monitor::{Holding, Waitable};
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::ops::{to_f64, type_name};
use crate::vm::{Value, Vm};

/// Where a future is in its life (CPython's `_state` strings are [`State::name`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Pending,
    Running,
    /// Cancelled by the user...
    Cancelled,
    /// ...and the cancellation seen by a worker (`set_running_or_notify_cancel`), which told
    /// the waiters.
    CancelledAndNotified,
    Finished,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Pending => "PENDING",
            State::Running => "RUNNING",
            State::Cancelled => "CANCELLED",
            State::CancelledAndNotified => "CANCELLED_AND_NOTIFIED",
            State::Finished => "FINISHED",
        }
    }

    fn description(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Running => "running",
            State::Cancelled | State::CancelledAndNotified => "cancelled",
            State::Finished => "finished",
        }
    }

    fn cancelled(self) -> bool {
        matches!(self, State::Cancelled | State::CancelledAndNotified)
    }

    /// Cancelled or finished: no more callbacks are queued, `result()` does not wait.
    fn done(self) -> bool {
        self.cancelled() || self == State::Finished
    }

    /// Done as `wait()` and `as_completed()` count it: a cancellation counts once a worker
    /// has seen it.
    fn settled(self) -> bool {
        matches!(self, State::CancelledAndNotified | State::Finished)
    }
}

struct Inner {
    state: State,
    result: Value,
    /// The exception the call raised (`None` if it returned).
    exception: Value,
    /// Called, in order, when the future is done.
    callbacks: Vec<Value>,
    /// `_base._Waiter`s of `wait()` and `as_completed()` calls, told when it settles.
    waiters: Vec<Value>,
    /// The lock blocked `result()` calls wait on, held until the future is done (see the
    /// module's doc); made by the first of them.
    gate: Option<Value>,
}

/// `concurrent.futures.Future`.
pub struct Future {
    inner: Mutex<Inner>,
}

/// What a future finishes with.
pub enum Outcome {
    Returned(Value),
    Raised(Value),
}

impl NativeObject for Future {
    fn class(&self) -> &Arc<Class> {
        super::future_class()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    /// `_state`, `_result` and `_exception`, read-only, for code that looks at CPython's
    /// attributes of these names.
    fn get_attr(&self, name: &str) -> Option<Value> {
        if !name.starts_with('_') {
            // Every method lookup comes here first.
            return None;
        }
        let inner = self.inner.lock();
        match name {
            "_state" => Some(Value::str(inner.state.name())),
            "_result" => Some(inner.result.clone()),
            "_exception" => Some(inner.exception.clone()),
            _ => None,
        }
    }
}

/// The methods of the class, `__new__` first.
pub const METHODS: &[(&str, NativeFn)] = &[
    ("__new__", new),
    ("__repr__", repr),
    ("cancel", cancel),
    ("cancelled", cancelled),
    ("running", running),
    ("done", done),
    ("add_done_callback", add_done_callback),
    ("result", result),
    ("exception", exception),
    ("set_running_or_notify_cancel", set_running_or_notify_cancel),
    ("set_result", set_result),
    ("set_exception", set_exception),
    ("_add_waiter", add_waiter),
    ("_remove_waiter", remove_waiter),
];

impl Future {
    /// A pending future.
    pub fn new() -> Future {
        Future {
            inner: Mutex::new(Inner {
                state: State::Pending,
                result: Value::None,
                exception: Value::None,
                callbacks: Vec::new(),
                waiters: Vec::new(),
                gate: None,
            }),
        }
    }

    /// `set_running_or_notify_cancel()`: marks it running and returns true, or, if it was
    /// cancelled, tells its waiters so and returns false. `me` is the future's own value.
    pub fn start(&self, vm: &mut Vm, me: &Value) -> PyResult<bool> {
        let mut inner = self.inner.lock();
        match inner.state {
            State::Cancelled => {
                inner.state = State::CancelledAndNotified;
                let waiters = inner.waiters.clone();
                drop(inner);
                tell(vm, &waiters, "add_cancelled", me)?;
                Ok(false)
            }
            State::Pending => {
                inner.state = State::Running;
                Ok(true)
            }
            state => {
                drop(inner);
                let id = me.heap_ptr().unwrap_or(0);
                vm.interp.write_stderr(&format!(
                    "Future {id} in unexpected state: {}\n",
                    state.name()
                ));
                Err(PyErr::runtime_error("Future in unexpected state"))
            }
        }
    }

    /// `set_result(v)` / `set_exception(e)`: finishes it, tells the waiters, wakes `result()`
    /// and runs the callbacks. `InvalidStateError` if it was already done.
    pub fn finish(&self, vm: &mut Vm, me: &Value, outcome: Outcome) -> PyResult<()> {
        let mut inner = self.inner.lock();
        if inner.state.done() {
            drop(inner);
            return Err(invalid_state(vm, self, me));
        }
        let tell_how = match outcome {
            Outcome::Returned(v) => {
                inner.result = v;
                "add_result"
            }
            Outcome::Raised(e) => {
                inner.exception = e;
                "add_exception"
            }
        };
        inner.state = State::Finished;
        let waiters = inner.waiters.clone();
        let gate = inner.gate.take();
        let callbacks = std::mem::take(&mut inner.callbacks);
        drop(inner);
        if let Some(gate) = gate {
            release_lock(vm, &gate)?;
        }
        tell(vm, &waiters, tell_how, me)?;
        run_callbacks(vm, me, &callbacks)
    }

    /// Waits (GIL released) until it is done or `timeout` passes, as CPython's
    /// `Condition.wait(timeout)` under `result()`: `None` waits for ever, a positive number
    /// that many seconds, anything else not at all.
    fn wait(&self, vm: &mut Vm, me: &Value, timeout: Option<f64>) -> PyResult<()> {
        let gate = {
            let mut inner = self.inner.lock();
            if inner.state.done() {
                return Ok(());
            }
            match &inner.gate {
                Some(g) => g.clone(),
                None => {
                    let g = new_lock(vm);
                    try_acquire_lock(vm, &g);
                    inner.gate = Some(g.clone());
                    g
                }
            }
        };
        let probe = || Arc::new(Probe(me.clone())) as Arc<dyn Waitable>;
        let got = match timeout {
            None => acquire_lock(vm, &gate, None, probe())?,
            Some(t) if t > 0.0 => acquire_lock(vm, &gate, Some(t), probe())?,
            Some(_) => try_acquire_lock(vm, &gate),
        };
        if got {
            // Hand the gate on to the next waiter.
            release_lock(vm, &gate)?;
        }
        Ok(())
    }

    /// What `result()` returns or raises once done; `None` while not done.
    fn outcome(&self, vm: &mut Vm, want_exception: bool) -> Option<PyResult<Value>> {
        let inner = self.inner.lock();
        match inner.state {
            s if s.cancelled() => {
                drop(inner);
                Some(Err(cancelled_error(vm)))
            }
            State::Finished if want_exception => Some(Ok(inner.exception.clone())),
            State::Finished if !inner.exception.is_none() => {
                Some(Err(PyErr::Raised(inner.exception.clone())))
            }
            State::Finished => Some(Ok(inner.result.clone())),
            _ => None,
        }
    }

    /// `result(timeout)` (or `exception(timeout)`).
    fn await_outcome(
        &self,
        vm: &mut Vm,
        me: &Value,
        timeout: Option<f64>,
        want_exception: bool,
    ) -> PyResult<Value> {
        if let Some(r) = self.outcome(vm, want_exception) {
            return r;
        }
        self.wait(vm, me, timeout)?;
        self.outcome(vm, want_exception)
            .unwrap_or_else(|| Err(PyErr::new(ExcKind::TimeoutError, "")))
    }

    fn repr(&self, me: &Value) -> String {
        let inner = self.inner.lock();
        let at = format!("<Future at {:#x}", me.heap_ptr().unwrap_or(0));
        let state = inner.state.description();
        if inner.state != State::Finished {
            return format!("{at} state={state}>");
        }
        if inner.exception.is_none() {
            format!("{at} state={state} returned {}>", type_name(&inner.result))
        } else {
            format!("{at} state={state} raised {}>", type_name(&inner.exception))
        }
    }
}

impl Default for Future {
    fn default() -> Future {
        Future::new()
    }
}

/// Calls `method(me)` on each of `waiters`.
fn tell(vm: &mut Vm, waiters: &[Value], method: &str, me: &Value) -> PyResult<()> {
    for w in waiters {
        let m = vm.get_attr(w, method)?;
        vm.call(&m, std::slice::from_ref(me))?;
    }
    Ok(())
}

/// Calls each callback with the future, as CPython's `_invoke_callbacks`: an `Exception` is
/// logged and the next callback runs; any other `BaseException` goes to the caller.
fn run_callbacks(vm: &mut Vm, me: &Value, callbacks: &[Value]) -> PyResult<()> {
    for callback in callbacks {
        call_callback(vm, me, callback)?;
    }
    Ok(())
}

fn call_callback(vm: &mut Vm, me: &Value, callback: &Value) -> PyResult<()> {
    let Err(e) = vm.call(callback, std::slice::from_ref(me)) else {
        return Ok(());
    };
    let exc = vm.materialize(e);
    let exception = vm.interp.types.exception(ExcKind::Exception).clone();
    match &exc {
        Value::Instance(i) if i.class.is_subclass(&exception) => {
            // What logging's last-resort handler prints for LOGGER.exception(...).
            let subject = match me.downcast::<Future>() {
                Some(f) => f.repr(me),
                None => "a future".into(),
            };
            let text = vm.format_exception(&exc);
            vm.interp
                .write_stderr(&format!("exception calling callback for {subject}\n{text}"));
            Ok(())
        }
        _ => Err(PyErr::Raised(exc)),
    }
}

/// An exception class of `concurrent.futures._base` (`CancelledError`, `InvalidStateError`),
/// called with `args`; a `RuntimeError` should that module be missing.
fn base_error(vm: &mut Vm, name: &str, args: Vec<Value>) -> PyErr {
    let class = vm
        .import("concurrent.futures._base")
        .and_then(|m| vm.get_attr(&m, name));
    match class {
        Ok(class) => match vm.call(&class, &args) {
            Ok(exc) => PyErr::Raised(exc),
            Err(e) => e,
        },
        Err(_) => PyErr::with_args(ExcKind::RuntimeError, args),
    }
}

fn cancelled_error(vm: &mut Vm) -> PyErr {
    base_error(vm, "CancelledError", vec![])
}

/// CPython's `InvalidStateError('{state}: {future!r}')`.
fn invalid_state(vm: &mut Vm, f: &Future, me: &Value) -> PyErr {
    let state = f.inner.lock().state.name();
    let message = format!("{state}: {}", f.repr(me));
    base_error(vm, "InvalidStateError", vec![Value::str(message)])
}

/// A `result()` waiter's view of its future for the deadlock watchdog: the gate is held on
/// the future's behalf, so the future is named instead, free once done.
struct Probe(Value);

impl Waitable for Probe {
    fn holding(&self) -> Holding {
        match self.0.downcast::<Future>() {
            Some(f) if f.inner.lock().state.done() => Holding::Free,
            _ => Holding::Busy,
        }
    }

    fn describe(&self) -> String {
        "a concurrent.futures.Future".into()
    }
}

fn this<'a>(args: &Args<'a>, method: &str) -> PyResult<&'a Future> {
    receiver::<Future>(args, "Future", method)
}

/// `timeout=None` or a number of seconds, for `result()` and `exception()`; more than a lock
/// wait takes is the `OverflowError` CPython's lock `acquire` raises (its time conversion's).
fn timeout_arg(v: Option<&Value>) -> PyResult<Option<f64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(t) => {
            let t = to_f64(t)?;
            if t > crate::modules::thread::TIMEOUT_MAX {
                return Err(PyErr::overflow(
                    "timestamp out of range for platform time_t",
                ));
            }
            Ok(Some(t))
        }
    }
}

/// `Future()`.
fn new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("Future", 0, 0, &[])?;
    Ok(Value::object(Future::new()))
}

fn repr(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::str(this(&args, "__repr__")?.repr(&args.pos[0])))
}

/// `cancel()`: true if it is (now) cancelled; false once running or finished.
fn cancel(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "cancel")?;
    let me = &args.pos[0];
    let mut inner = f.inner.lock();
    match inner.state {
        State::Running | State::Finished => return Ok(Value::Bool(false)),
        State::Cancelled | State::CancelledAndNotified => return Ok(Value::Bool(true)),
        State::Pending => {}
    }
    inner.state = State::Cancelled;
    let gate = inner.gate.take();
    let callbacks = std::mem::take(&mut inner.callbacks);
    drop(inner);
    if let Some(gate) = gate {
        release_lock(vm, &gate)?;
    }
    run_callbacks(vm, me, &callbacks)?;
    Ok(Value::Bool(true))
}

fn cancelled(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "cancelled")?;
    Ok(Value::Bool(f.inner.lock().state.cancelled()))
}

fn running(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "running")?;
    Ok(Value::Bool(f.inner.lock().state == State::Running))
}

fn done(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "done")?;
    Ok(Value::Bool(f.inner.lock().state.done()))
}

/// `add_done_callback(fn)`: `fn(future)` when it is done; at once if it already is.
fn add_done_callback(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "add_done_callback")?;
    let rest = method_args(&args);
    rest.check("add_done_callback", 1, 1, &["fn"])?;
    let callback = &rest.pos[0];
    {
        let mut inner = f.inner.lock();
        if !inner.state.done() {
            inner.callbacks.push(callback.clone());
            return Ok(Value::None);
        }
    }
    call_callback(vm, &args.pos[0], callback)?;
    Ok(Value::None)
}

/// `result(timeout=None)`: what the call returned, or raises what it raised,
/// `CancelledError`, or `TimeoutError` if it is not done within `timeout` seconds.
fn result(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "result")?;
    let rest = method_args(&args);
    if rest.pos.is_empty() && rest.kw.is_empty() {
        // The common case, and the executor's hot path.
        return f.await_outcome(vm, &args.pos[0], None, false);
    }
    rest.check("result", 0, 1, &["timeout"])?;
    let timeout = timeout_arg(rest.get(0, "timeout"))?;
    f.await_outcome(vm, &args.pos[0], timeout, false)
}

/// `exception(timeout=None)`: the exception the call raised, or None; waits as `result()`.
fn exception(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "exception")?;
    let rest = method_args(&args);
    rest.check("exception", 0, 1, &["timeout"])?;
    let timeout = timeout_arg(rest.get(0, "timeout"))?;
    f.await_outcome(vm, &args.pos[0], timeout, true)
}

fn set_running_or_notify_cancel(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "set_running_or_notify_cancel")?;
    method_args(&args).check("set_running_or_notify_cancel", 0, 0, &[])?;
    Ok(Value::Bool(f.start(vm, &args.pos[0])?))
}

fn set_result(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    settle(vm, args, "set_result", "result", Outcome::Returned)
}

fn set_exception(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    settle(vm, args, "set_exception", "exception", Outcome::Raised)
}

/// `set_result(result)` / `set_exception(exception)`: settles the future with its one argument.
fn settle(
    vm: &mut Vm,
    args: Args<'_>,
    name: &str,
    param: &str,
    outcome: fn(Value) -> Outcome,
) -> PyResult<Value> {
    let f = this(&args, name)?;
    let rest = method_args(&args);
    rest.check(name, 1, 1, &[param])?;
    f.finish(vm, &args.pos[0], outcome(rest.pos[0].clone()))?;
    Ok(Value::None)
}

/// `_add_waiter(waiter)` (for `wait()` and `as_completed()`): false, and nothing added, if it
/// has already settled; else the waiter is told when it does.
fn add_waiter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "_add_waiter")?;
    let rest = method_args(&args);
    rest.check("_add_waiter", 1, 1, &[])?;
    let mut inner = f.inner.lock();
    if inner.state.settled() {
        return Ok(Value::Bool(false));
    }
    inner.waiters.push(rest.pos[0].clone());
    Ok(Value::Bool(true))
}

/// `_remove_waiter(waiter)`: takes the waiter off again (if it is there).
fn remove_waiter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args, "_remove_waiter")?;
    let rest = method_args(&args);
    rest.check("_remove_waiter", 1, 1, &[])?;
    let mut inner = f.inner.lock();
    if let Some(at) = inner.waiters.iter().position(|w| w.is(&rest.pos[0])) {
        inner.waiters.remove(at);
    }
    Ok(Value::None)
}
