//! `_queue`: CPython's C module of that name, which `queue` re-exports: `SimpleQueue` (an
//! unbounded FIFO without task tracking) and the `Empty` exception.
//!
//! Native, a `put` or a `get` is one call, where a queue written in Python goes through a
//! `Condition` and its lock, a dozen Python calls. It is built as CPython's is: a list of items
//! and a `_thread` lock that a getter holds while the queue is empty, so that its second
//! `acquire` blocks until a `put` releases the lock. Every wait is therefore a lock wait
//! ([`super::thread::acquire_lock`]): the GIL released, seen by the deadlock watchdog and the
//! deterministic scheduler, ended by Ctrl-C in the main thread. That machinery is the [`Fifo`],
//! which the `ThreadPoolExecutor`'s work queue ([`super::futures`]) is built on too, with
//! `SimpleQueue`'s methods.

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
    fifo: Fifo,
}

/// The FIFO under [`SimpleQueue`], and under the executor's work queue
/// ([`super::futures`]): a list of items and a `_thread` lock that a getter holds while the
/// queue is empty (see the module's doc).
pub struct Fifo {
    state: Arc<Mutex<State>>,
    /// Held by a getter while the queue is empty; a `put` releases it.
    lock: Value,
    /// What the deadlock watchdog calls the queue (`a queue.SimpleQueue`).
    name: &'static str,
}

struct State {
    items: VecDeque<Value>,
    /// A getter holds `lock` (so the next `put` must release it).
    locked: bool,
    /// Getters blocked waiting for an item: an executor's idle workers.
    waiting: usize,
}
/// A native type whose items are in a [`Fifo`]: `SimpleQueue`'s methods ([`fifo_methods`])
/// work on it.
pub trait HasFifo: 'static {
    /// Its class name in error messages (`_queue.SimpleQueue`).
    const NAME: &'static str;
    fn fifo(&self) -> &Fifo;
}

impl HasFifo for SimpleQueue {
    const NAME: &'static str = "_queue.SimpleQueue";
    fn fifo(&self) -> &Fifo {
        &self.fifo
    }
}

/// `SimpleQueue`'s methods (but `__new__`) for a type `T` holding a [`Fifo`].
pub fn fifo_methods<T: HasFifo>() -> [(&'static str, NativeFn); 6] {
    [
        ("put", put::<T>),
        ("put_nowait", put_nowait::<T>),
        ("get", get::<T>),
        ("get_nowait", get_nowait::<T>),
        ("empty", empty_::<T>),
        ("qsize", qsize::<T>),
    ]
}

fn class() -> &'static Arc<Class> {
    static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
    CLASS.get_or_init(|| {
        let mut methods = vec![("__new__", new as NativeFn)];
        methods.extend(fifo_methods::<SimpleQueue>());
        native_class("SimpleQueue", "_queue", &methods)
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
    Ok(Value::object(SimpleQueue {
        fifo: Fifo::new(vm, "a queue.SimpleQueue"),
    }))
}

fn this<'a, T: HasFifo>(args: &Args<'a>, method: &str) -> PyResult<&'a Fifo> {
    Ok(receiver::<T>(args, T::NAME, method)?.fifo())
}

/// `put(item, block=True, timeout=None)`: never blocks (the queue is unbounded); `block` and
/// `timeout` are accepted for compatibility with `Queue.put`, as CPython's are.
fn put<T: HasFifo>(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this::<T>(&args, "put")?;
    let rest = method_args(&args);
    rest.check("put", 0, 3, &["item", "block", "timeout"])?;
    let Some(item) = rest.get(0, "item") else {
        return Err(PyErr::type_error(
            "put() missing required argument 'item' (pos 1)",
        ));
    };
    q.push(vm, item.clone())?;
    Ok(Value::None)
}

/// `put_nowait(item)`: the same as `put(item)`.
fn put_nowait<T: HasFifo>(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this::<T>(&args, "put_nowait")?;
    let rest = method_args(&args);
    rest.check("put_nowait", 0, 1, &["item"])?;
    let Some(item) = rest.get(0, "item") else {
        return Err(PyErr::type_error(
            "put_nowait() missing required argument 'item' (pos 1)",
        ));
    };
    q.push(vm, item.clone())?;
    Ok(Value::None)
}

/// How long a `get` waits for an item.
pub enum Patience {
    Forever,
    Until(Instant),
    /// Not at all (`block=False`).
    None,
}

impl Fifo {
    /// An empty queue, called `name` in deadlock reports.
    pub fn new(vm: &mut Vm, name: &'static str) -> Fifo {
        Fifo {
            state: Arc::new(Mutex::new(State {
                items: VecDeque::new(),
                locked: false,
                waiting: 0,
            })),
            lock: new_lock(vm),
            name,
        }
    }

    /// Appends an item, waking a getter if one waits.
    pub fn push(&self, vm: &mut Vm, item: Value) -> PyResult<()> {
        let wake = {
            let mut st = self.state.lock();
            st.items.push_back(item);
            std::mem::take(&mut st.locked)
        };
        if wake {
            // A get() may be waiting: wake it up.
            release_lock(vm, &self.lock)?;
        }
        Ok(())
    }

    /// Takes the first item, waiting (with the GIL released) while the queue is empty, as
    /// `patience` allows; `Ok(None)` if none came.
    pub fn pop(&self, vm: &mut Vm, patience: Patience) -> PyResult<Option<Value>> {
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
                    Patience::Forever => self.wait(vm, None)?,
                    Patience::Until(deadline) => {
                        let left = deadline.saturating_duration_since(Instant::now());
                        !left.is_zero() && self.wait(vm, Some(left.as_secs_f64()))?
                    }
                };
            if !got {
                return Ok(None);
            }
            self.state.lock().locked = true;
        }
    }

    /// Waits for a put to release the lock, counted among the waiting getters meanwhile.
    fn wait(&self, vm: &mut Vm, timeout: Option<f64>) -> PyResult<bool> {
        self.state.lock().waiting += 1;
        let probe = Arc::new(Probe {
            state: self.state.clone(),
            name: self.name,
        });
        let got = acquire_lock(vm, &self.lock, timeout, probe);
        self.state.lock().waiting -= 1;
        got
    }

    /// The number of items queued.
    pub fn len(&self) -> usize {
        self.state.lock().items.len()
    }

    /// Is no item queued?
    pub fn is_empty(&self) -> bool {
        self.state.lock().items.is_empty()
    }

    /// Is a getter waiting with no item queued for it (an idle executor worker)?
    pub fn has_idle_getter(&self) -> bool {
        let st = self.state.lock();
        st.waiting > st.items.len()
    }
}

/// A getter's view of its queue for the deadlock watchdog: the lock it waits on is its own
/// (or another getter's), so the queue is named instead, free once an item is there.
struct Probe {
    state: Arc<Mutex<State>>,
    name: &'static str,
}

impl Waitable for Probe {
    fn holding(&self) -> Holding {
        if self.state.lock().items.is_empty() {
            Holding::Busy
        } else {
            Holding::Free
        }
    }

    fn describe(&self) -> String {
        self.name.into()
    }
}

/// The `(block, timeout)` arguments of a `get` as a [`Patience`], with CPython's errors.
pub fn patience(vm: &mut Vm, block: Option<&Value>, timeout: Option<&Value>) -> PyResult<Patience> {
    let block = match block {
        Some(b) => vm.truthy(b)?,
        None => true,
    };
    let timeout = match timeout {
        None | Some(Value::None) => None,
        Some(t) => Some(to_f64(t)?),
    };
    Ok(match timeout {
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
    })
}

/// `get(block=True, timeout=None)`: the first item; waits for one if `block`, for at most
/// `timeout` seconds if given, then raises `Empty`.
fn get<T: HasFifo>(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this::<T>(&args, "get")?;
    let rest = method_args(&args);
    rest.check("get", 0, 2, &["block", "timeout"])?;
    let patience = patience(vm, rest.get(0, "block"), rest.get(1, "timeout"))?;
    match q.pop(vm, patience)? {
        Some(item) => Ok(item),
        None => Err(empty(vm)),
    }
}

/// `get_nowait()`: `get(False)`.
fn get_nowait<T: HasFifo>(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this::<T>(&args, "get_nowait")?;
    method_args(&args).check("get_nowait", 0, 0, &[])?;
    match q.pop(vm, Patience::None)? {
        Some(item) => Ok(item),
        None => Err(empty(vm)),
    }
}

/// `empty()`.
fn empty_<T: HasFifo>(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this::<T>(&args, "empty")?;
    Ok(Value::Bool(q.is_empty()))
}

/// `qsize()`.
fn qsize<T: HasFifo>(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let q = this::<T>(&args, "qsize")?;
    Ok(Value::Int(q.len() as i64))
}

/// This interpreter's `_queue.Empty()`, to raise.
pub fn empty(vm: &mut Vm) -> PyErr {
    let class = match module_attr(vm, "_queue", "Empty") {
        Some(c @ Value::Class(_)) => c,
        _ => Value::Class(vm.new_exception_class("Empty", "_queue", ExcKind::Exception)),
    };
    match vm.call(&class, &[]) {
        Ok(exc) => PyErr::Raised(exc),
        Err(e) => e,
    }
}
