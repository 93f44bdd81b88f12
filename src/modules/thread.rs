//! `_thread`: the native layer under `threading` (as in CPython): starting OS threads that run
//! Python code under the interpreter's GIL, and the basic lock, whose blocking wait releases the
//! GIL. Everything else in `threading` is Python code built on these (`python/threading.py`).

use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::{func, int_arg, native_class, receiver_only, str_arg};
use crate::observe::Release;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::ops::to_f64;
use crate::vm::{Value, Vm};

/// Stack reserved for each interpreter thread (only touched pages are committed).
const THREAD_STACK: usize = 64 << 20;

pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "start_new_thread", start_new_thread);
    func(m, "allocate_lock", allocate_lock);
    func(m, "get_ident", get_ident);
    func(m, "_print_exception", print_exception);
    func(m, "_format_exception", format_exception);
    func(m, "_set_name", set_name);
    m.set("LockType", Value::Class(lock_class().clone()));
    m.set("TIMEOUT_MAX", Value::Float(TIMEOUT_MAX));
    Ok(())
}

const TIMEOUT_MAX: f64 = 9_223_372_036.0;

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
    let mut child = Vm::new(vm.interp.clone());
    let ident = child.ident;
    std::thread::Builder::new()
        .name(format!("gilsim-{ident}"))
        .stack_size(THREAD_STACK)
        .spawn(move || {
            child.acquire_gil();
            if let Err(e) = child.call_kw(&f, &call_args, &kwargs) {
                let exc = child.materialize(e);
                let text = child.format_exception(&exc);
                child.interp.write_stderr(&format!(
                    "Unhandled exception in thread started by {}\n{text}",
                    ident
                ));
            }
            child.release_gil();
        })
        .map_err(|e| PyErr::runtime_error(format!("can't start new thread: {e}")))?;
    Ok(Value::Int(ident as i64))
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

/// A lock's identity in the event log: its address, stable while it lives.
fn lock_id(lock: &Lock) -> u64 {
    lock as *const Lock as usize as u64
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
    Ok(Value::None)
}

/// A non-reentrant lock. Waiting for it releases the GIL; a waiter costs no CPU.
pub struct Lock {
    locked: Mutex<bool>,
    freed: Condvar,
}

impl Lock {
    fn try_acquire(&self) -> bool {
        let mut l = self.locked.lock();
        if *l {
            false
        } else {
            *l = true;
            true
        }
    }

    /// Blocks until acquired or the deadline passes; called with the GIL released.
    fn acquire_until(&self, deadline: Option<Instant>) -> bool {
        let mut l = self.locked.lock();
        while *l {
            match deadline {
                Some(d) => {
                    if self.freed.wait_until(&mut l, d).timed_out() && *l {
                        return false;
                    }
                }
                None => self.freed.wait(&mut l),
            }
        }
        *l = true;
        true
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
        let state = if *self.locked.lock() {
            "locked"
        } else {
            "unlocked"
        };
        Some(format!("<{state} _thread.lock object>"))
    }
}

fn allocate_lock(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("allocate_lock", 0, 0, &[])?;
    Ok(Value::object(Lock {
        locked: Mutex::new(false),
        freed: Condvar::new(),
    }))
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
    if lock.try_acquire() {
        return Ok(Value::Bool(true));
    }
    if !blocking {
        return Ok(Value::Bool(false));
    }
    let deadline = (timeout >= 0.0).then(|| Instant::now() + Duration::from_secs_f64(timeout));
    let got = vm.allow_threads(Release::Blocked("lock", lock_id(lock)), || {
        lock.acquire_until(deadline)
    });
    Ok(Value::Bool(got))
}

fn release(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let lock = this(&args)?;
    let mut l = lock.locked.lock();
    if !*l {
        return Err(PyErr::runtime_error("release unlocked lock"));
    }
    *l = false;
    lock.freed.notify_one();
    Ok(Value::None)
}

fn locked(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(*this(&args)?.locked.lock()))
}

fn exit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    release(vm, receiver_only(&args))?;
    Ok(Value::Bool(false))
}
