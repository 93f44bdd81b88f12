//! `_multiprocessing`: the native half of process mode, which `multiprocessing` (Python, in
//! `python/multiprocessing/`) is written over: starting a child interpreter and the
//! primitives processes share (`crate::process`).

use std::any::Any;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use super::{bytes_arg, func, native_class, receiver};
use crate::process::shared::{self, timeout_arg};
use crate::process::{self as process, Child, ProcessBackend, pool, reply, wire};
use crate::vm::errors::PyResult;
use crate::vm::objects::*;
use crate::vm::{Value, Vm};

/// The process primitives' constructors as `_multiprocessing` names them, each with its
/// stand-in for an `os`-backend child, which asks the broker to make the primitive.
macro_rules! constructors {
    ($(($name:literal, $make:path)),* $(,)?) => {
        &[$(($name, $make, {
            fn remote(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
                crate::process::remote::construct(vm, args, $name)
            }
            remote as NativeFn
        })),*]
    };
}

const CONSTRUCTORS: &[(&str, NativeFn, NativeFn)] = constructors![
    ("Channel", shared::channel_new),
    ("SemLock", shared::semlock_new),
    ("Notifier", shared::notifier_new),
    ("Flag", shared::flag_new),
    ("Barrier", shared::barrier_new),
    ("SharedArray", shared::array_new),
    ("TaskBoard", pool::board_new),
    ("Reply", reply::reply_new),
];

/// The real constructor of the primitive called `name` (what the broker runs).
pub fn constructor(name: &str) -> Option<NativeFn> {
    CONSTRUCTORS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|&(_, make, _)| make)
}

pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "spawn", spawn);
    func(m, "wait_ended", wait_ended);
    let os_child = crate::process::remote::broker_socket().is_some();
    for &(name, make, remote) in CONSTRUCTORS {
        func(m, name, if os_child { remote } else { make });
    }
    // Not a primitive: each process holds its own handles, even of a pipe in the broker.
    func(
        m,
        "PipeHandle",
        crate::process::pipe_handle::pipe_handle_new,
    );
    func(m, "bytes_sent", bytes_sent);
    func(m, "deterministic", deterministic);
    func(m, "backend", backend);
    func(m, "terminating", terminating);
    func(m, "dumps", dumps);
    func(m, "loads", loads);
    func(m, "loaded", loaded);
    Ok(())
}

/// A started child process, as `Process` objects hold it.
struct ProcessHandle(Arc<Child>);

impl NativeObject for ProcessHandle {
    fn class(&self) -> &Arc<Class> {
        static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
        CLASS.get_or_init(|| {
            native_class(
                "ProcessHandle",
                "_multiprocessing",
                &[("join", join), ("exitcode", exitcode), ("signal", signal)],
            )
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        (name == "pid").then(|| Value::Int(self.0.pid as i64))
    }
}

fn handle<'a>(args: &Args<'a>) -> PyResult<&'a Arc<Child>> {
    Ok(&receiver::<ProcessHandle>(args, "ProcessHandle", "method")?.0)
}

/// `spawn(process)`: starts a child interpreter that runs `process._bootstrap()`.
fn spawn(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("spawn", 1, 1, &[])?;
    Ok(Value::object(ProcessHandle(process::spawn(
        vm,
        &args.pos[0],
    )?)))
}

/// `wait_ended(handles)`: waits until one of the processes (`ProcessHandle`s) has ended; at
/// once if one has or the list is empty. No timeout: a pool's watcher waits here for a worker
/// to die, a wait the deadlock watchdog understands (where polling would look like a thread
/// that moves on by itself).
fn wait_ended(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("wait_ended", 1, 1, &[])?;
    let items = match &args.pos[0] {
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.0.clone(),
        _ => {
            return Err(crate::vm::errors::PyErr::type_error(
                "wait_ended() takes a list",
            ));
        }
    };
    let mut children = Vec::with_capacity(items.len());
    for item in &items {
        match item.downcast::<ProcessHandle>() {
            Some(h) => children.push(h.0.clone()),
            None => {
                return Err(crate::vm::errors::PyErr::type_error(
                    "wait_ended() takes process handles",
                ));
            }
        }
    }
    Child::wait_any(vm, children)?;
    Ok(Value::None)
}

/// `join(timeout=None)`: true once the child has ended.
fn join(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let child = handle(&args)?;
    let timeout = timeout_arg(args.pos.get(1))?;
    Ok(Value::Bool(child.join(vm, timeout)?))
}

fn exitcode(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(handle(&args)?
        .exitcode()
        .map_or(Value::None, |c| Value::Int(c as i64)))
}

/// `signal(code)`: `terminate()` (-15) or `kill()` (-9).
fn signal(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let child = handle(&args)?;
    let code = super::int_arg(args.pos.get(1).unwrap_or(&Value::Int(-15)))?;
    child.signal(code as i32);
    Ok(Value::None)
}

/// `deterministic()`: is the run under `--deterministic`? (Its waits must then be on the
/// scheduler's locks, not on native process primitives.)
fn deterministic(vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(vm.interp.gil.scheduler().is_some()))
}

/// `backend()`: what a process is, `"interp"` or `"os"` (`--process-backend`).
fn backend(vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::str(match vm.interp.config.process_backend {
        ProcessBackend::Interp => "interp",
        ProcessBackend::Os => "os",
    }))
}

/// `terminating()`: is this process being killed (`terminate()`, `kill()`, `os.kill`)?
fn terminating(vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(
        vm.interp.process.terminate.requested().is_some(),
    ))
}

/// Bytes this interpreter has serialized for other processes (for `--stats`).
fn bytes_sent(vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Int(
        vm.interp.process.bytes_sent.load(Ordering::Relaxed) as i64,
    ))
}

/// `loaded(name)`: the module `name` if this interpreter has imported it, else None (what
/// CPython spells `sys.modules.get(name)`): a child process joins the threads it started
/// through `threading` without importing `threading` into every child.
fn loaded(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("loaded", 1, 1, &[])?;
    let name = super::str_arg(&args.pos[0], "name")?;
    let module = vm.interp.modules.lock().get(name).cloned();
    Ok(module.unwrap_or(Value::None))
}

/// `dumps(obj)` (the `pickle` module's): the serialized bytes of a value.
pub fn dumps(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("dumps", 1, 2, &["protocol"])?;
    Ok(Value::bytes(wire::dumps(vm, &args.pos[0], false)?.bytes))
}

/// `loads(data)`: the value back from [`dumps`]'s bytes.
pub fn loads(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("loads", 1, 1, &[])?;
    let bytes = bytes_arg(&args.pos[0])?.to_vec();
    wire::loads(
        vm,
        &wire::Payload {
            bytes,
            handles: vec![],
        },
    )
}
