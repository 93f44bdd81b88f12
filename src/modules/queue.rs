//! `_queue`: CPython's C module of that name, which `queue` re-exports: `SimpleQueue` (an
//! unbounded FIFO without task tracking) and the `Empty` exception.
//!
//! `SimpleQueue` is the work queue of every `ThreadPoolExecutor`: native, a `put` or a `get`
//! is one call, where a queue written in Python goes through a `Condition` and its lock, a
//! dozen Python calls. It is built as CPython's is: a list of items and a `_thread` lock that
//! a getter holds while the queue is empty, so that its second `acquire` blocks until a `put`
//! releases the lock. Every wait is therefore a lock wait ([`super::thread::acquire_lock`]):
//! the GIL released, seen by the deadlock watchdog and the deterministic scheduler, ended by
//! Ctrl-C in the main thread.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use parking_lot::Mutex;

use super::thread::{acquire_lock, new_lock, release_lock, try_acquire_lock};
use super::{method_args, module_attr, native_class, receiver};
use crate::runtime::monitor::{Holding, Waitable};
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::ops::to_f64;
use crate::vm::{Value, Vm};

pub fn init(vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    let empty = vm.new_exception_class("Empty", "_queue", ExcKind::Exception);
    m.set("Empty", Value::Class(empty));
    m.set("SimpleQueue", Value::Class(class().clone()));
    Ok(())
}

/// `_queue.SimpleQueue`.
pub struct SimpleQueue {
    state: Mutex<State>,
    /// Held by a getter while the queue is empty; a `put` releases it.
    lock: Value,
}

struct State {
    items: VecDeque<Value>,
    /// A getter holds `lock` (so the next `put` must release it).
    locked: bool,
}

fn class() -> &'static Arc<Class> {
    static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
    CLASS.get_or_init(|| {
        native_class(
            "SimpleQueue",
            "_queue",
            &[
                ("__new__", new),
                ("put", put),
                ("put_nowait", put_nowait),
                ("get", get),
                ("get_nowait", get_nowait),
                ("empty", empty_),
                ("qsize", qsize),
            ],
        )
    })
}

impl NativeObject for SimpleQueue {
    fn class(&self) -> &Arc<Class> {
        class()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `SimpleQueue()`.
fn new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    if !args.pos.is_empty() {
        return Err(PyErr::type_error(
            "SimpleQueue() takes no positional arguments",
        ));
    }
    if !args.kw.is_empty() {
        return Err(PyErr::type_error(
            "SimpleQueue() takes no keyword arguments",
        ));
    }
    let lock = new_lock(vm);
    Ok(Value::object(SimpleQueue {
        state: Mutex::new(State {
            items: VecDeque::new(),
            locked: false,
        }),
        lock,
    }))
}

fn this<'a>(args: &Args<'a>, method: &str) -> PyResult<&'a SimpleQueue> {
    receiver::<SimpleQueue>(args, "_queue.SimpleQueue", method)
}

/// `put(item, block=True, timeout=None)`: never blocks (the queue is unbounded); `block` and
/// `timeout` are accepted for compatibility with `Queue.put`, as CPython's are.
fn put(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "put")?;
    let rest = method_args(&args);
    rest.check("put", 0, 3, &["item", "block", "timeout"])?;
    let Some(item) = rest.get(0, "item") else {
        return Err(PyErr::type_error(
            "put() missing required argument 'item' (pos 1)",
        ));
    };
    q.push(vm, item.clone())
}

/// `put_nowait(item)`: the same as `put(item)`.
fn put_nowait(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "put_nowait")?;
    let rest = method_args(&args);
    rest.check("put_nowait", 0, 1, &["item"])?;
    let Some(item) = rest.get(0, "item") else {
        return Err(PyErr::type_error(
            "put_nowait() missing required argument 'item' (pos 1)",
        ));
    };
    q.push(vm, item.clone())
}

/// How long a `get` waits for an item.
enum Patience {
    Forever,
    Until(Instant),
    /// Not at all (`block=False`).
    None,
}

impl SimpleQueue {
    fn push(&self, vm: &mut Vm, item: Value) -> PyResult<Value> {
        let wake = {
            let mut st = self.state.lock();
            st.items.push_back(item);
            std::mem::take(&mut st.locked)
        };
        if wake {
            // A get() may be waiting: wake it up.
            release_lock(vm, &self.lock)?;
        }
        Ok(Value::None)
    }

    /// Takes the first item, waiting (with the GIL released) while the queue is empty, as
    /// `patience` allows; `Ok(None)` if none came.
    /// `me` is the queue object itself, for the deadlock watchdog's [`Probe`].
    fn pop(&self, vm: &mut Vm, me: &Value, patience: Patience) -> PyResult<Option<Value>> {
        loop {
            {
                let mut st = self.state.lock();
                if let Some(item) = st.items.pop_front() {
                    let held = std::mem::take(&mut st.locked);
                    drop(st);
                    if held {
                        release_lock(vm, &self.lock)?;
                    }
                    return Ok(Some(item));
                }
            }
            // Empty. The first try takes the lock if no getter holds it; once held (by this
            // getter or another), an acquire waits for a put to release it.
            let got = try_acquire_lock(vm, &self.lock)
                || match patience {
                    Patience::None => false,
                    Patience::Forever => acquire_lock(vm, &self.lock, None, Probe::of(me))?,
                    Patience::Until(deadline) => {
                        let left = deadline.saturating_duration_since(Instant::now());
                        !left.is_zero()
                            && acquire_lock(
                                vm,
                                &self.lock,
                                Some(left.as_secs_f64()),
                                Probe::of(me),
                            )?
                    }
                };
            if !got {
                return Ok(None);
            }
            self.state.lock().locked = true;
        }
    }
}

/// A getter's view of its queue for the deadlock watchdog: the lock it waits on is its own
/// (or another getter's), so the queue is named instead, free once an item is there.
struct Probe(Value);

impl Probe {
    fn of(queue: &Value) -> Arc<dyn Waitable> {
        Arc::new(Probe(queue.clone()))
    }
}

impl Waitable for Probe {
    fn holding(&self) -> Holding {
        match self.0.downcast::<SimpleQueue>() {
            Some(q) if !q.state.lock().items.is_empty() => Holding::Free,
            _ => Holding::Busy,
        }
    }

    fn describe(&self) -> String {
        "a queue.SimpleQueue".into()
    }
}

/// `get(block=True, timeout=None)`: the first item; waits for one if `block`, for at most
/// `timeout` seconds if given, then raises `Empty`.
fn get(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "get")?;
    let rest = method_args(&args);
    rest.check("get", 0, 2, &["block", "timeout"])?;
    let block = match rest.get(0, "block") {
        Some(b) => vm.truthy(b)?,
        None => true,
    };
    let timeout = match rest.get(1, "timeout") {
        None | Some(Value::None) => None,
        Some(t) => Some(to_f64(t)?),
    };
    let patience = match timeout {
        _ if !block => Patience::None,
        None => Patience::Forever,
        Some(t) if t < 0.0 => {
            return Err(PyErr::value_error(
                "'timeout' must be a non-negative number",
            ));
        }
        Some(t) => match std::time::Duration::try_from_secs_f64(t) {
            Ok(d) => Instant::now()
                .checked_add(d)
                .map_or(Patience::Forever, Patience::Until),
            Err(_) => return Err(PyErr::overflow("timeout value is too large")),
        },
    };
    match q.pop(vm, &args.pos[0], patience)? {
        Some(item) => Ok(item),
        None => Err(empty(vm)),
    }
}

/// `get_nowait()`: `get(False)`.
fn get_nowait(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "get_nowait")?;
    method_args(&args).check("get_nowait", 0, 0, &[])?;
    match q.pop(vm, &args.pos[0], Patience::None)? {
        Some(item) => Ok(item),
        None => Err(empty(vm)),
    }
}

/// `empty()`.
fn empty_(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "empty")?;
    Ok(Value::Bool(q.state.lock().items.is_empty()))
}

/// `qsize()`.
fn qsize(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this(&args, "qsize")?;
    Ok(Value::Int(q.state.lock().items.len() as i64))
}

/// This interpreter's `_queue.Empty()`, to raise.
fn empty(vm: &mut Vm) -> PyErr {
    let class = match module_attr(vm, "_queue", "Empty") {
        Some(c @ Value::Class(_)) => c,
        _ => Value::Class(vm.new_exception_class("Empty", "_queue", ExcKind::Exception)),
    };
    match vm.call(&class, &[]) {
        Ok(exc) => PyErr::Raised(exc),
        Err(e) => e,
    }
}
