//! A `ThreadPoolExecutor`'s work queue: `queue.SimpleQueue`'s methods (CPython's executor
//! keeps a `SimpleQueue` there, and code looks at its `qsize()`) over the same [`Fifo`], plus
//! the executor's hot path done natively:
//!
//! * `submit(fn, args, kwargs)` makes the [`Future`] and queues the [`WorkItem`] in one call,
//!   unless the queue was closed (by `shutdown()`, a failed initializer or interpreter exit),
//!   atomically with closing: what was accepted is ahead of the workers' `None` wake-ups;
//! * `run_next()` is a worker's loop body: takes the next item (waiting with the GIL released)
//!   and runs it as CPython's `_WorkItem.run` does, and the items queued after it while
//!   nothing asks for the GIL;
//! * `has_idle_worker()` answers what CPython's executor counts with its idle semaphore: is a
//!   worker waiting with no item queued for it?

use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::future::{Future, Outcome};
use crate::modules::queue::{Fifo, HasFifo, Patience, fifo_methods};
use crate::modules::{method_args, native_class, receiver};
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::{Value, Vm};

/// `_futures.WorkQueue`.
pub struct WorkQueue {
    fifo: Fifo,
    /// Closed queues accept no `submit` (a `put` still goes in: the workers' wake-ups).
    closed: Mutex<bool>,
}

impl HasFifo for WorkQueue {
    const NAME: &'static str = "_futures.WorkQueue";
    fn fifo(&self) -> &Fifo {
        &self.fifo
    }
}

/// The class of work queues.
pub fn work_queue_class() -> &'static Arc<Class> {
    static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
    CLASS.get_or_init(|| {
        let mut methods: Vec<(&'static str, NativeFn)> = vec![
            ("__new__", new),
            ("submit", submit),
            ("run_next", run_next),
            ("close", close),
            ("has_idle_worker", has_idle_worker),
        ];
        methods.extend(fifo_methods::<WorkQueue>());
        native_class("WorkQueue", "_futures", &methods)
    })
}

impl NativeObject for WorkQueue {
    fn class(&self) -> &Arc<Class> {
        work_queue_class()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A call waiting for a worker, with the future it answers (CPython's `_WorkItem`).
pub struct WorkItem {
    future: Value,
    func: Value,
    /// A tuple.
    args: Value,
    /// A dict, or None.
    kwargs: Value,
}

impl NativeObject for WorkItem {
    fn class(&self) -> &Arc<Class> {
        static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
        CLASS.get_or_init(|| native_class("WorkItem", "_futures", &[("run", run_item)]))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    /// `future`, `fn`, `args` and `kwargs`, as CPython's `_WorkItem` has them.
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "future" => Some(self.future.clone()),
            "fn" => Some(self.func.clone()),
            "args" => Some(self.args.clone()),
            "kwargs" => Some(self.kwargs.clone()),
            _ => None,
        }
    }
}

impl WorkItem {
    /// Runs the call unless its future was cancelled, and settles the future with what it
    /// returned or raised (any `BaseException`, as CPython's executor catches).
    fn run(&self, vm: &mut Vm) -> PyResult<()> {
        let Some(future) = self.future.downcast::<Future>() else {
            return Err(PyErr::type_error("a work item's future must be a Future"));
        };
        if !future.start(vm, &self.future)? {
            return Ok(());
        }
        let outcome = match call(vm, &self.func, &self.args, &self.kwargs) {
            Ok(v) => Outcome::Returned(v),
            Err(e) => Outcome::Raised(vm.materialize(e)),
        };
        future.finish(vm, &self.future, outcome)
    }
}

/// `func(*args, **kwargs)`.
fn call(vm: &mut Vm, func: &Value, args: &Value, kwargs: &Value) -> PyResult<Value> {
    let pos: &[Value] = match args {
        Value::Tuple(t) => &t.0,
        _ => &[],
    };
    let kw: Vec<(Arc<str>, Value)> = match kwargs {
        Value::Dict(d) => d
            .items()
            .into_iter()
            .filter_map(|(k, v)| Some((Arc::from(k.as_str()?), v)))
            .collect(),
        _ => Vec::new(),
    };
    vm.call_kw(func, pos, &kw)
}

fn this<'a>(args: &Args<'a>, method: &str) -> PyResult<&'a WorkQueue> {
    receiver::<WorkQueue>(args, WorkQueue::NAME, method)
}

/// `WorkQueue()`.
fn new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("WorkQueue", 0, 0, &[])?;
    Ok(Value::object(WorkQueue {
        fifo: Fifo::new(vm, "the work queue of a ThreadPoolExecutor"),
        closed: Mutex::new(false),
    }))
}

/// `submit(fn, args, kwargs)`: a new future, its call queued; None if the queue is closed.
fn submit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "submit")?;
    let rest = method_args(&args);
    rest.check("submit", 3, 3, &[])?;
    let (func, call_args, kwargs) = (&rest.pos[0], &rest.pos[1], &rest.pos[2]);
    if !matches!(call_args, Value::Tuple(_)) {
        return Err(PyErr::type_error("submit() args must be a tuple"));
    }
    if !matches!(kwargs, Value::Dict(_) | Value::None) {
        return Err(PyErr::type_error("submit() kwargs must be a dict"));
    }
    let closed = q.closed.lock();
    if *closed {
        return Ok(Value::None);
    }
    let future = Value::object(Future::new());
    let item = Value::object(WorkItem {
        future: future.clone(),
        func: func.clone(),
        args: call_args.clone(),
        kwargs: kwargs.clone(),
    });
    q.fifo.push(vm, item)?;
    drop(closed);
    Ok(future)
}

/// `run_next()`: takes the next item, waiting for one, and runs it; then, while more are
/// queued and nothing asks for the GIL, the next ones, as many calls would (where the eval
/// loop would check its breaker, after each item, the drop request is checked; a policy that
/// counts instructions, or the deterministic scheduler, gets one item a call). False, having
/// run what came before, once it takes a None (a worker's wake-up). Items other than
/// [`WorkItem`]s are run by calling their `run()`.
fn run_next(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "run_next")?;
    method_args(&args).check("run_next", 0, 0, &[])?;
    let interp = vm.interp.clone();
    let batch = interp.gil.scheduler().is_none() && !interp.gil.ticks();
    let mut patience = Patience::Forever;
    loop {
        let Some(item) = q.fifo.pop(vm, patience)? else {
            return Ok(Value::Bool(true));
        };
        if item.is_none() {
            return Ok(Value::Bool(false));
        }
        match item.downcast::<WorkItem>() {
            Some(w) => w.run(vm)?,
            None => {
                let run = vm.get_attr(&item, "run")?;
                vm.call(&run, &[])?;
            }
        }
        if !batch || interp.gil.drop_requested() {
            return Ok(Value::Bool(true));
        }
        patience = Patience::None;
    }
}

/// `close()`: from now on `submit` returns None.
fn close(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "close")?;
    *q.closed.lock() = true;
    Ok(Value::None)
}

/// `has_idle_worker()`: is a worker waiting with no item queued for it?
fn has_idle_worker(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "has_idle_worker")?;
    Ok(Value::Bool(q.fifo.has_idle_getter()))
}

/// `run()` of a work item taken off the queue by hand.
fn run_item(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    receiver::<WorkItem>(&args, "WorkItem", "run")?.run(vm)?;
    Ok(Value::None)
}
