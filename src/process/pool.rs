//! The task board of a process pool: how `Pool` hands chunks of work to its workers.
//!
//! The parent pushes serialized tasks into a shared [`Injector`]; each worker takes a batch from
//! it into its own deque and works through that, and a worker that runs dry steals from the
//! others' deques before it sleeps (`crossbeam-deque`, the scheme of Rayon and Tokio). A worker
//! thus touches shared state once per batch rather than once per task, and uneven tasks still
//! spread out: a worker stuck on a long task has the rest of its batch stolen.
//!
//! For comparison (`benches/`), `stealing=False` makes the board one shared FIFO behind a
//! mutex, as CPython's pool task queue is.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use parking_lot::{Condvar, Mutex};

use super::shared::timeout_arg;
use super::wire::{self, Payload};
use super::{blocking, wait_until};
use crate::modules::{int_arg, method_args, receiver};
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::{Value, Vm};

struct Sleep {
    closed: bool,
}

/// Tasks waiting for a pool's workers.
pub struct TaskBoard {
    stealing: bool,
    injector: Injector<Payload>,
    /// Worker `i`'s own deque; only worker `i` pops it (the lock is never contended).
    locals: Vec<Mutex<Worker<Payload>>>,
    stealers: Vec<Stealer<Payload>>,
    /// The single FIFO when not stealing.
    fifo: Mutex<VecDeque<Payload>>,
    /// Tasks pushed and not yet taken.
    pending: AtomicUsize,
    sleep: Mutex<Sleep>,
    wake: Condvar,
}

primitive!(
    TaskBoard,
    "TaskBoard",
    [("push", push), ("take", take), ("close", close)]
);

impl TaskBoard {
    /// A board for `workers` workers.
    pub fn new(workers: usize, stealing: bool) -> TaskBoard {
        let locals: Vec<Worker<Payload>> = (0..workers).map(|_| Worker::new_fifo()).collect();
        TaskBoard {
            stealing,
            injector: Injector::new(),
            stealers: locals.iter().map(Worker::stealer).collect(),
            locals: locals.into_iter().map(Mutex::new).collect(),
            fifo: Mutex::new(VecDeque::new()),
            pending: AtomicUsize::new(0),
            sleep: Mutex::new(Sleep { closed: false }),
            wake: Condvar::new(),
        }
    }

    /// Adds a task and wakes a sleeping worker.
    pub fn push_payload(&self, task: Payload) {
        if self.stealing {
            self.injector.push(task);
        } else {
            self.fifo.lock().push_back(task);
        }
        self.pending.fetch_add(1, Ordering::SeqCst);
        let _guard = self.sleep.lock();
        self.wake.notify_one();
    }

    /// One task for worker `me`, if any is to be had right now.
    fn find(&self, me: usize) -> Option<Payload> {
        if !self.stealing {
            return self.fifo.lock().pop_front();
        }
        let local = self.locals[me].lock();
        if let Some(t) = local.pop() {
            return Some(t);
        }
        loop {
            let mut retry = false;
            match self.injector.steal_batch_and_pop(&local) {
                Steal::Success(t) => return Some(t),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
            for (i, s) in self.stealers.iter().enumerate() {
                if i == me {
                    continue;
                }
                match s.steal() {
                    Steal::Success(t) => return Some(t),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    /// Waits for a task for worker `me`; `None` once the board is closed and empty, or at the
    /// deadline.
    pub fn take_payload(
        &self,
        me: usize,
        deadline: Option<Instant>,
        cancel: &super::AtomicTerminate,
    ) -> Option<Payload> {
        loop {
            if let Some(t) = self.find(me) {
                self.pending.fetch_sub(1, Ordering::SeqCst);
                return Some(t);
            }
            let mut sleep = self.sleep.lock();
            let ready = wait_until(&self.wake, &mut sleep, deadline, cancel, |s| {
                s.closed || self.pending.load(Ordering::SeqCst) > 0
            });
            if !ready || (sleep.closed && self.pending.load(Ordering::SeqCst) == 0) {
                return None;
            }
        }
    }
}

/// `TaskBoard(workers, stealing=True)`.
pub fn board_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let workers = int_arg(args.get(0, "workers").unwrap_or(&Value::Int(1)))?;
    if workers < 1 {
        return Err(PyErr::value_error("Number of processes must be at least 1"));
    }
    let stealing = !matches!(args.get(1, "stealing"), Some(Value::Bool(false)));
    Ok(Value::object(TaskBoard::new(workers as usize, stealing)))
}

fn board<'a>(args: &Args<'a>) -> PyResult<&'a TaskBoard> {
    receiver::<TaskBoard>(args, "TaskBoard", "method")
}

fn push(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = board(&args)?;
    let task = method_args(&args)
        .get(0, "task")
        .cloned()
        .ok_or_else(|| PyErr::type_error("push() missing task"))?;
    let payload = wire::dumps(vm, &task, true)?;
    vm.interp
        .process
        .bytes_sent
        .fetch_add(payload.bytes.len() as u64, Ordering::Relaxed);
    b.push_payload(payload);
    Ok(Value::None)
}

/// `take(worker, timeout=None)`: the next task, or None when the board is closed and empty.
fn take(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = board(&args)?;
    let a = method_args(&args);
    let me = int_arg(a.get(0, "worker").unwrap_or(&Value::Int(0)))?;
    let me = (me.max(0) as usize).min(b.locals.len() - 1);
    let deadline = timeout_arg(a.get(1, "timeout"))?.map(|t| Instant::now() + t);
    let id = b as *const TaskBoard as usize as u64;
    let on = crate::runtime::monitor::Wait::new(deadline, None);
    let task = blocking(vm, "pool.take", id, on, |cancel| {
        b.take_payload(me, deadline, cancel)
    })?;
    match task {
        Some(p) => wire::loads(vm, &p),
        None => Ok(Value::None),
    }
}

fn close(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = board(&args)?;
    b.sleep.lock().closed = true;
    b.wake.notify_all();
    Ok(Value::None)
}
