//! Process mode: each "process" is an interpreter of its own (its own heap, modules, GIL and
//! threads), and values cross between them only as serialized copies ([`wire`]).
//!
//! The `interp` backend runs a child interpreter on its own OS thread inside the gilsim process,
//! as PEP 684's per-interpreter GIL allows: starting one costs microseconds, and CPU-bound work
//! in two of them runs on two cores at once because their GILs are different locks.
//!
//! A child starts as CPython's `spawn` start method does: it runs the main script again as
//! module `__mp_main__` (so code under `if __name__ == "__main__":` does not run), rebuilds the
//! `Process` object it was sent, and calls its `_bootstrap()`, whose result is the exit code.
//! Starting a process while a child is still in that first phase is CPython's
//! "bootstrapping phase" error, not endless recursion.
//!
//! The process primitives (queues, pipes, semaphores, shared values, the pool's task board)
//! live in [`shared`] and [`pool`]; their waits release the GIL and notice `terminate()`.

/// Declares a process primitive's Python class once, its methods in one table: the real
/// class (whose objects cross between interpreters as themselves) and the `os` backend's
/// proxy class, whose methods of the same names run the real ones in the broker
/// ([`remote::forward`]).
macro_rules! primitive {
    ($ty:ty, $name:literal, [$(($m:literal, $f:expr)),* $(,)?]) => {
        impl crate::vm::objects::NativeObject for $ty {
            fn class(&self) -> &std::sync::Arc<crate::vm::objects::Class> {
                static CLASS: std::sync::OnceLock<std::sync::Arc<crate::vm::objects::Class>> =
                    std::sync::OnceLock::new();
                CLASS.get_or_init(|| {
                    crate::modules::native_class($name, "_multiprocessing", &[$(($m, $f)),*])
                })
            }
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }
            fn crosses_interpreters(&self) -> bool {
                true
            }
        }

        impl $ty {
            /// The class of this primitive's proxies in an `os`-backend child.
            pub fn remote_class() -> &'static std::sync::Arc<crate::vm::objects::Class> {
                static CLASS: std::sync::OnceLock<std::sync::Arc<crate::vm::objects::Class>> =
                    std::sync::OnceLock::new();
                CLASS.get_or_init(|| {
                    crate::modules::native_class($name, "_multiprocessing", &[$(($m, {
                        fn forward(
                            vm: &mut crate::vm::Vm,
                            args: crate::vm::objects::Args<'_>,
                        ) -> crate::vm::errors::PyResult<crate::vm::Value> {
                            crate::process::remote::forward(vm, args, $m)
                        }
                        forward as crate::vm::objects::NativeFn
                    })),*])
                })
            }
        }
    };
}

pub mod broker;
pub mod ends;
pub mod hosts;
pub mod ipc;
pub mod os_backend;
pub mod os_reports;
pub mod os_threads;
pub mod pipe_handle;
pub mod pool;
pub mod remote;
pub mod reply;
pub mod shared;
pub mod wire;

/// The proxy class of the primitive type called `type_name` (every type `primitive!` declares).
pub fn remote_class(type_name: &str) -> Option<&'static Arc<crate::vm::objects::Class>> {
    Some(match type_name {
        "Channel" => shared::Channel::remote_class(),
        "SemLock" => shared::SemLock::remote_class(),
        "Notifier" => shared::Notifier::remote_class(),
        "Flag" => shared::Flag::remote_class(),
        "Barrier" => shared::SharedBarrier::remote_class(),
        "SharedArray" => shared::SharedArray::remote_class(),
        "TaskBoard" => pool::TaskBoard::remote_class(),
        "Reply" => reply::Reply::remote_class(),
        _ => return None,
    })
}

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::observe::Release;
use crate::runtime::monitor::{Holding, Wait, Waitable};
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::{Config, Interpreter, Value, Vm};

/// What a "process" is (`--process-backend`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ProcessBackend {
    /// An interpreter on its own OS threads inside this gilsim process (PEP 684's
    /// per-interpreter GIL): starts in microseconds.
    #[default]
    Interp,
    /// A child OS process running gilsim itself, its primitives reached through a broker
    /// ([`os_backend`]): its own pid, and a crash of it cannot take the parent down.
    Os,
}

/// What an interpreter knows about the process it stands for.
pub struct ProcessContext {
    /// `os.getpid()`: the real pid for the main interpreter, a made-up unique one for children.
    pub pid: u32,
    /// `os.getppid()`.
    pub ppid: u32,
    /// The process's name (`MainProcess`, `Process-1`), for reports.
    pub name: Arc<str>,
    /// True while a child runs the main script as `__mp_main__`, before its target.
    pub bootstrapping: AtomicBool,
    /// Set by the parent's `terminate()`/`kill()`: the exit code the child is to end with.
    pub terminate: Arc<AtomicTerminate>,
    /// Bytes this interpreter serialized to send to other processes.
    pub bytes_sent: Arc<AtomicU64>,
    /// This interpreter only relays values for child OS processes (the `os` backend's broker):
    /// see [`wire`].
    pub relay: bool,
}

/// A pending request to end a process, with the exit code it ends with (0 = none).
#[derive(Default)]
pub struct AtomicTerminate(std::sync::atomic::AtomicI32);

impl AtomicTerminate {
    /// Asks the process to end with `code` (not 0) at its next check.
    pub fn request(&self, code: i32) {
        self.0.store(code, Ordering::Relaxed);
    }

    /// The exit code asked for, if `terminate()` or `kill()` was called.
    pub fn requested(&self) -> Option<i32> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            code => Some(code),
        }
    }
}

/// The main interpreter's pid in deterministic mode (`os.getpid()`, traces, stats).
pub const DETERMINISTIC_PID: u32 = 4242;

impl ProcessContext {
    /// The main interpreter: the real process.
    pub fn main() -> ProcessContext {
        ProcessContext {
            pid: std::process::id(),
            ppid: parent_os_pid(),
            name: Arc::from("MainProcess"),
            bootstrapping: AtomicBool::new(false),
            terminate: Arc::default(),
            bytes_sent: Arc::default(),
            relay: false,
        }
    }
}

fn parent_os_pid() -> u32 {
    std::os::unix::process::parent_id()
}

/// Made-up pids for child interpreters: above the real one, unique in this run.
static NEXT_PID: AtomicU32 = AtomicU32::new(0);

fn next_child_pid() -> u32 {
    let base = std::process::id().saturating_add(1000);
    base.saturating_add(NEXT_PID.fetch_add(1, Ordering::Relaxed))
}

/// A started child process, as its parent sees it.
pub struct Child {
    pub pid: u32,
    exit: Mutex<Option<i32>>,
    exited: Condvar,
    stop: Stop,
}

/// How a child is asked to end.
enum Stop {
    /// A child interpreter cannot be killed from outside: it ends at its next eval-breaker
    /// check or blocking wait, by raising `SystemExit(code)` there. (Weak: the interpreter
    /// ends on its own.)
    Interp {
        terminate: Arc<AtomicTerminate>,
        interp: std::sync::Weak<Interpreter>,
        /// The child's main thread, which ends last (for the wait-for graph of a deadlock
        /// report).
        main_thread: u64,
    },
    /// A child OS process gets a real signal.
    Os,
}

/// `Process.join()` waits for the child's end: the deadlock watchdog asks it whether it came.
impl Waitable for Child {
    fn holding(&self) -> Holding {
        match &self.stop {
            _ if self.exitcode().is_some() => Holding::Free,
            Stop::Interp { main_thread, .. } => Holding::ProcessEnd {
                pid: self.pid,
                main_thread: Some(*main_thread),
            },
            // A child OS process's threads are known only from its reports to the top
            // process's watchdog, which names its main thread ([`os_threads`]).
            Stop::Os => Holding::ProcessEnd {
                pid: self.pid,
                main_thread: None,
            },
        }
    }

    fn describe(&self) -> String {
        format!("process {}", self.pid)
    }
}

impl Child {
    fn new(pid: u32, stop: Stop) -> Arc<Child> {
        Arc::new(Child {
            pid,
            exit: Mutex::new(None),
            exited: Condvar::new(),
            stop,
        })
    }

    /// A child OS process (`os` backend).
    fn os(pid: u32) -> Arc<Child> {
        Child::new(pid, Stop::Os)
    }

    /// The child ended with exit code `code`.
    fn ended(&self, code: i32) {
        *self.exit.lock() = Some(code);
        self.exited.notify_all();
    }

    /// The exit code, once the child has ended.
    pub fn exitcode(&self) -> Option<i32> {
        *self.exit.lock()
    }

    /// Waits for the child to end (with the GIL released); true if it has.
    pub fn join(self: &Arc<Self>, vm: &mut Vm, timeout: Option<Duration>) -> PyResult<bool> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let on: Arc<dyn Waitable> = self.clone();
        blocking(
            vm,
            "process.join",
            self.pid as u64,
            Wait::new(deadline, Some(on)),
            |cancel| {
                let mut exit = self.exit.lock();
                wait_until(&self.exited, &mut exit, deadline, cancel, |e| e.is_some())
            },
        )
    }

    /// Waits (with the GIL released) until one of `children` has ended; at once if one has, or
    /// if there are none. The wait has no timeout, and the deadlock watchdog sees it as one
    /// for the first child's end (a pool's worker watcher: see [`FirstEnd`]).
    pub fn wait_any(vm: &mut Vm, children: Vec<Arc<Child>>) -> PyResult<()> {
        let Some(first) = children.first() else {
            return Ok(());
        };
        let pid = first.pid;
        let on: Arc<dyn Waitable> = Arc::new(FirstEnd(children.clone()));
        blocking(
            vm,
            "process.wait_any",
            pid as u64,
            Wait::new(None, Some(on)),
            |cancel| {
                // One condition variable a child: look at each in turn, a slice of the polling
                // interval each.
                let slice = CANCEL_POLL / children.len().max(1) as u32;
                while cancel.requested().is_none() {
                    for child in &children {
                        let mut exit = child.exit.lock();
                        if exit.is_some() {
                            return;
                        }
                        child.exited.wait_for(&mut exit, slice);
                        if exit.is_some() {
                            return;
                        }
                    }
                }
            },
        )
    }

    /// `terminate()` / `kill()` / `os.kill`: sends signal `-code` (15: SIGTERM, 9: SIGKILL);
    /// the child ends with exit code `code`.
    pub fn signal(&self, code: i32) {
        let exit = self.exit.lock();
        if exit.is_some() {
            return;
        }
        match &self.stop {
            Stop::Interp {
                terminate, interp, ..
            } => {
                terminate.request(code);
                if let Some(interp) = interp.upgrade() {
                    interp.gil.request_drop();
                }
            }
            Stop::Os => {
                let _ = os_backend::send_signal(self.pid, -code);
            }
        }
    }
}

/// A wait for whichever of some children ends first, as the deadlock watchdog sees it: free
/// once one has ended, else held until the first one ends.
struct FirstEnd(Vec<Arc<Child>>);

impl Waitable for FirstEnd {
    fn holding(&self) -> Holding {
        match self.0.iter().find(|c| c.exitcode().is_some()) {
            Some(_) => Holding::Free,
            None => self.0.first().map_or(Holding::Free, |c| c.holding()),
        }
    }

    fn describe(&self) -> String {
        let pids: Vec<String> = self.0.iter().map(|c| c.pid.to_string()).collect();
        format!("the end of one of processes {}", pids.join(", "))
    }
}

/// Every child this gilsim process started, by pid, for `os.kill`: the made-up pid of a
/// child interpreter must never reach the real kill(2), where it could name some other
/// process.
static CHILDREN: Mutex<Vec<(u32, std::sync::Weak<Child>)>> = Mutex::new(Vec::new());

fn remember(child: &Arc<Child>) {
    CHILDREN.lock().push((child.pid, Arc::downgrade(child)));
}

/// `os.kill(pid, sig)`: a child interpreter (this one included) ends with exit code `-sig`
/// at its next check; a real process gets the signal.
pub fn kill(vm: &mut Vm, pid: u32, sig: i32) -> PyResult<()> {
    let code = -sig;
    if pid == vm.interp.process.pid && pid != std::process::id() {
        vm.interp.process.terminate.request(code);
        return check_terminated(vm);
    }
    let known = CHILDREN
        .lock()
        .iter()
        .find(|(p, _)| *p == pid)
        .map(|(_, c)| c.clone());
    match known {
        Some(child) => match child.upgrade() {
            Some(child) if child.exitcode().is_none() => {
                child.signal(code);
                Ok(())
            }
            _ => Err(PyErr::new(
                ExcKind::ProcessLookupError,
                "[Errno 3] No such process",
            )),
        },
        None => os_backend::send_signal(pid, sig).map_err(|e| PyErr::from_io(&e, None)),
    }
}

/// Runs a blocking wait of a process primitive with the GIL released; `on` says whether a
/// timeout is pending and what is waited on (for the deadlock watchdog). The wait gets the
/// interpreter's terminate flag and should return soon after it is set; a terminated process
/// then raises `SystemExit` here.
pub fn blocking<R>(
    vm: &mut Vm,
    what: &'static str,
    id: u64,
    on: Wait,
    wait: impl FnOnce(&AtomicTerminate) -> R,
) -> PyResult<R> {
    let flag = vm.interp.process.terminate.clone();
    let r = vm.wait_on(Release::Blocked(what, id), on, || wait(&flag));
    check_terminated(vm)?;
    Ok(r)
}

/// Raises `SystemExit(code)` if this process was asked to end.
pub fn check_terminated(vm: &Vm) -> PyResult<()> {
    match vm.interp.process.terminate.requested() {
        Some(code) => Err(PyErr::with_args(
            ExcKind::SystemExit,
            vec![Value::Int(code as i64)],
        )),
        None => Ok(()),
    }
}

/// How often a blocked wait looks at its terminate flag.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// Waits on `cv` until `ready(state)`, the deadline passes, or a terminate request; true if
/// ready. The condition is checked under the lock, so no wake-up is lost.
pub fn wait_until<T>(
    cv: &Condvar,
    guard: &mut MutexGuard<'_, T>,
    deadline: Option<Instant>,
    cancel: &AtomicTerminate,
    mut ready: impl FnMut(&mut T) -> bool,
) -> bool {
    loop {
        if ready(guard) {
            return true;
        }
        if cancel.requested().is_some() {
            return false;
        }
        let now = Instant::now();
        let slice_end = now + CANCEL_POLL;
        let until = match deadline {
            Some(d) if d <= now => return false,
            Some(d) => d.min(slice_end),
            None => slice_end,
        };
        cv.wait_until(guard, until);
    }
}

/// Starts `process_obj` (a `multiprocessing.Process`) in a new child interpreter. The object is
/// serialized here, in the parent, so what cannot cross fails in `start()`, as in CPython.
pub fn spawn(vm: &mut Vm, process_obj: &Value) -> PyResult<Arc<Child>> {
    if vm.interp.process.bootstrapping.load(Ordering::Relaxed) {
        return Err(PyErr::runtime_error(BOOTSTRAP_ERROR));
    }
    if vm.interp.gil.scheduler().is_some() {
        // A child runs beside its parent on the OS's schedule, and the parent's waits for it
        // would hold the scheduler's only turn: neither could be replayed.
        return Err(PyErr::new(
            ExcKind::NotImplementedError,
            "multiprocessing is not supported under --deterministic (child processes run on \
             the OS's schedule); use threads, or run without --deterministic",
        ));
    }
    let payload = wire::dumps(vm, process_obj, true)?;
    vm.interp
        .process
        .bytes_sent
        .fetch_add(payload.bytes.len() as u64, Ordering::Relaxed);
    let parent = vm.interp.clone();
    let script = parent.config.argv.first().cloned().unwrap_or_default();
    let source = parent.sources.lock().get(&script).cloned();
    let Some(source) = source else {
        return Err(PyErr::runtime_error(
            "multiprocessing needs the main script's source to start a process",
        ));
    };
    let name = vm.get_attr(process_obj, "name")?;
    let name = vm.to_str(&name)?;
    if parent.config.process_backend == ProcessBackend::Os {
        let child = os_backend::spawn(vm, &script, &source, payload, &name)?;
        remember(&child);
        return Ok(child);
    }
    let pid = next_child_pid();
    let terminate: Arc<AtomicTerminate> = Arc::default();
    let context = ProcessContext {
        pid,
        ppid: parent.process.pid,
        name: Arc::from(name.as_str()),
        bootstrapping: AtomicBool::new(true),
        terminate: terminate.clone(),
        bytes_sent: Arc::default(),
        relay: false,
    };
    let recorder = match &parent.recorder {
        Some(r) => Some(r.new_process(pid, &context.name, context.bytes_sent.clone())),
        None => None,
    };
    let config: Config = parent.config.clone();
    let interp = Interpreter::with_process(
        config,
        parent.stdout_sink.clone(),
        context,
        recorder,
        parent.monitor.clone(),
    );
    // The child's main thread is made here, so it counts as live before `start()` returns.
    let main_vm = Vm::new(interp.clone());
    let child = Child::new(
        pid,
        Stop::Interp {
            terminate,
            interp: Arc::downgrade(&interp),
            main_thread: main_vm.ident,
        },
    );
    remember(&child);
    let handle = child.clone();
    hosts::run(Box::new(move || {
        // However the child ends (a panic of its interpreter included), its pipe handles
        // close, as a dead OS process's do; before `exitcode` is set, so a parent that joined
        // it then reads a pipe sees the end of the stream.
        let closing = HandlesClose(pid);
        // An internal error (a panic) ends the child with status 70, as it ends a child OS
        // process, instead of leaving its parent's join() waiting for ever.
        let outcome =
            crate::modules::thread::catch_panic(|| run_child(main_vm, &script, &source, &payload));
        let code = outcome.unwrap_or_else(|message| {
            interp.write_stderr(&format!(
                "gilsim: internal error in process {pid}: {message}\n"
            ));
            70
        });
        interp.flush_stdout();
        drop(closing);
        handle.ended(code);
    }))
    .map_err(|e| PyErr::runtime_error(format!("can't start new process: {e}")))?;
    Ok(child)
}

/// Closes a child interpreter's pipe handles when dropped: at its end, or on the way out of
/// its thread should anything there panic.
struct HandlesClose(u32);

impl Drop for HandlesClose {
    fn drop(&mut self) {
        shared::process_ended(self.0);
    }
}

/// CPython's message for starting a process from a child's first run of the main script.
const BOOTSTRAP_ERROR: &str = "
        An attempt has been made to start a new process before the
        current process has finished its bootstrapping phase.

        This probably means that you are not using fork to start your
        child processes and you have forgotten to use the proper idiom
        in the main module:

            if __name__ == '__main__':
                freeze_support()
                ...

        The \"freeze_support()\" line can be omitted if the program
        is not going to be frozen to produce an executable.

        To fix this issue, refer to the \"Safe importing of main module\"
        section in https://docs.python.org/3/library/multiprocessing.html
        ";

/// The life of a child interpreter, on its main thread `vm`; returns its exit code.
fn run_child(mut vm: Vm, script: &str, source: &str, payload: &wire::Payload) -> i32 {
    let interp = vm.interp.clone();
    vm.set_thread_name("MainThread");
    vm.acquire_gil();
    let mut code = match vm.run_source_as_module("__mp_main__", script, source) {
        Ok(main) => {
            interp.modules.lock().insert("__main__".into(), main);
            interp.process.bootstrapping.store(false, Ordering::Relaxed);
            match wire::loads(&mut vm, payload).and_then(|p| {
                let bootstrap = vm.get_attr(&p, "_bootstrap")?;
                vm.call(&bootstrap, &[])
            }) {
                Ok(Value::Int(c)) => c as i32,
                Ok(_) => 0,
                Err(e) => crate::runtime::report_uncaught(&mut vm, e),
            }
        }
        Err(e) => crate::runtime::report_uncaught(&mut vm, e),
    };
    if let Some(c) = interp.process.terminate.requested() {
        code = c;
    } else if let Err(e) = crate::runtime::join_non_daemon_threads(&mut vm) {
        code = crate::runtime::report_uncaught(&mut vm, e);
    }
    // Threads left behind (daemon threads) would die with a real process: they no longer
    // count for deadlock detection.
    interp.monitor.forget_process(&interp);
    vm.release_gil();
    if interp.thread_panicked.load(Ordering::Relaxed) {
        code = 70;
    }
    code
}
