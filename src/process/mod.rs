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

pub mod pool;
pub mod shared;
pub mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::observe::Release;
use crate::runtime::monitor::{Holding, Wait, Waitable};
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::{Config, Interpreter, Value, Vm};

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
}

/// A pending request to end a process, with the exit code it ends with (0 = none).
#[derive(Default)]
pub struct AtomicTerminate(std::sync::atomic::AtomicI32);

impl AtomicTerminate {
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
    terminate: Arc<AtomicTerminate>,
    /// The child interpreter (weak: it ends on its own), to poke its eval breaker when it is
    /// asked to end.
    interp: std::sync::Weak<Interpreter>,
    /// The child's main thread, which ends last (for the wait-for graph of a deadlock report).
    main_thread: u64,
}

/// `Process.join()` waits for the child's end: the deadlock watchdog asks it whether it came.
impl Waitable for Child {
    fn holding(&self) -> Holding {
        if self.exitcode().is_some() {
            Holding::Free
        } else {
            Holding::ProcessEnd {
                pid: self.pid,
                main_thread: self.main_thread,
            }
        }
    }

    fn describe(&self) -> String {
        format!("process {}", self.pid)
    }
}

impl Child {
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

    /// `terminate()` / `kill()`: asks the child to end with `code` (-15 or -9). A child
    /// interpreter cannot be killed from outside, so it ends at its next eval-breaker check or
    /// blocking wait, by raising `SystemExit(code)` there.
    pub fn signal(&self, code: i32) {
        if self.exitcode().is_some() {
            return;
        }
        self.terminate.0.store(code, Ordering::Relaxed);
        if let Some(interp) = self.interp.upgrade() {
            interp.gil.request_drop();
        }
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
    let pid = next_child_pid();
    let terminate: Arc<AtomicTerminate> = Arc::default();
    let name = vm.get_attr(process_obj, "name")?;
    let name = vm.to_str(&name)?;
    let context = ProcessContext {
        pid,
        ppid: parent.process.pid,
        name: Arc::from(name.as_str()),
        bootstrapping: AtomicBool::new(true),
        terminate: terminate.clone(),
        bytes_sent: Arc::default(),
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
    let child = Arc::new(Child {
        pid,
        exit: Mutex::new(None),
        exited: Condvar::new(),
        terminate,
        interp: Arc::downgrade(&interp),
        main_thread: main_vm.ident,
    });
    let handle = child.clone();
    std::thread::Builder::new()
        .name(format!("gilsim-process-{pid}"))
        .stack_size(crate::runtime::INTERPRETER_STACK)
        .spawn(move || {
            let code = run_child(main_vm, &script, &source, &payload);
            interp.flush_stdout();
            *handle.exit.lock() = Some(code);
            handle.exited.notify_all();
        })
        .map_err(|e| PyErr::runtime_error(format!("can't start new process: {e}")))?;
    Ok(child)
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
