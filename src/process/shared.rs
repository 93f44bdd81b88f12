//! The process primitives: objects that several interpreters use at once.
//!
//! Each holds only plain Rust state (serialized payloads, counters, numbers) behind its own
//! lock, never a Python object, which is what lets it cross between interpreters as itself
//! ([`NativeObject::crosses_interpreters`]). Values go in serialized by the sender and come out
//! rebuilt by the receiver. Every wait releases the waiting thread's GIL and notices a
//! `terminate()` of its process. `multiprocessing` (Python, `modules/python/`) builds its
//! classes on these: `Queue` and `Pipe` on [`Channel`], locks and semaphores on [`SemLock`],
//! `Condition` on [`Notifier`], `Event` on [`Flag`], `Barrier` on [`SharedBarrier`], `Value`
//! and `Array` on [`SharedArray`].
//!
//! A pipe's channels also count the handles of their ends ([`super::ends`]): that is what
//! ends a `recv()` with `EOFError` and a `send()` with `BrokenPipeError` once the other end is
//! closed in every process, a dead one included ([`process_ended`]).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::ends::{Ends, HOLDINGS, Side};
use super::wire::{self, Payload};
use super::{blocking, wait_until};
use crate::modules::{int_arg, method_args, receiver, receiver_only, str_arg};
use crate::runtime::monitor::{Holding, Wait, Waitable};
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::ops::to_f64;
use crate::vm::{Value, Vm};

/// `timeout=None` (wait forever) or a number of seconds (negative counts as zero).
pub fn timeout_arg(v: Option<&Value>) -> PyResult<Option<Duration>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => {
            let secs = to_f64(v)?;
            if secs.is_nan() {
                return Err(PyErr::value_error("Invalid value NaN (not a number)"));
            }
            Ok(Some(Duration::from_secs_f64(secs.clamp(0.0, 1e9))))
        }
    }
}

/// The deadline of a wait with `block` and `timeout` arguments at positions `at`, `at + 1`.
fn deadline(vm: &mut Vm, args: &Args<'_>, at: usize) -> PyResult<Option<Instant>> {
    let block = match args.get(at, "block") {
        Some(b) => vm.truthy(b)?,
        None => true,
    };
    if !block {
        return Ok(Some(Instant::now()));
    }
    Ok(timeout_arg(args.get(at + 1, "timeout"))?.map(|t| Instant::now() + t))
}

fn id_of<T>(x: &T) -> u64 {
    x as *const T as usize as u64
}

fn this<'a, T: 'static>(args: &Args<'a>, class: &str) -> PyResult<&'a T> {
    receiver::<T>(args, class, "method")
}

/// Serializes a value to send, counting the bytes for `--stats`.
pub(super) fn send(vm: &mut Vm, v: &Value) -> PyResult<Payload> {
    let p = wire::dumps(vm, v, true)?;
    vm.interp
        .process
        .bytes_sent
        .fetch_add(p.bytes.len() as u64, Ordering::Relaxed);
    Ok(p)
}

// ---------------------------------------------------------------------------------------------
// Channel: queues and pipes.

struct ChannelState {
    items: VecDeque<Payload>,
    /// Items put and not yet marked done (`JoinableQueue`).
    unfinished: u64,
    /// The handles of a pipe's ends, once one was opened; a queue has none.
    ends: Option<Ends>,
}

impl ChannelState {
    /// No item will come any more once the items left are taken: a pipe whose sending end
    /// is closed in every process.
    fn ended(&self) -> bool {
        self.ends.as_ref().is_some_and(|e| !e.any_open(Side::Write))
    }

    /// A pipe whose receiving end is closed in every process: a send is `EPIPE`.
    fn broken(&self) -> bool {
        self.ends.as_ref().is_some_and(|e| !e.any_open(Side::Read))
    }
}

/// A FIFO of serialized values between processes, with an optional bound: the body of
/// `multiprocessing.Queue`, `SimpleQueue`, `JoinableQueue` and each direction of a `Pipe`.
pub struct Channel {
    maxsize: usize,
    state: Mutex<ChannelState>,
    changed: Condvar,
}

primitive!(
    Channel,
    "Channel",
    [
        ("put", channel_put),
        ("get", channel_get),
        ("poll", channel_poll),
        ("qsize", channel_qsize),
        ("task_done", channel_task_done),
        ("join", channel_join),
        ("open_end", channel_open_end),
        ("close_end", channel_close_end),
        ("send_end", channel_send_end),
        ("receive_end", channel_receive_end),
    ]
);

/// `Channel(maxsize=0)`.
pub fn channel_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let maxsize = args
        .get(0, "maxsize")
        .map(int_arg)
        .transpose()?
        .unwrap_or(0);
    Ok(Value::object(Channel {
        maxsize: if maxsize <= 0 {
            usize::MAX
        } else {
            maxsize as usize
        },
        state: Mutex::new(ChannelState {
            items: VecDeque::new(),
            unfinished: 0,
            ends: None,
        }),
        changed: Condvar::new(),
    }))
}

/// `put(obj, block=True, timeout=None)`: false if the channel stayed full.
fn channel_put(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let ch = this::<Channel>(&args, "Channel")?;
    let a = method_args(&args);
    let item = a
        .get(0, "obj")
        .ok_or_else(|| PyErr::type_error("put() missing obj"))?;
    let payload = send(vm, item)?;
    let deadline = deadline(vm, &a, 1)?;
    let id = id_of(ch);
    let put = blocking(vm, "queue.put", id, Wait::new(deadline, None), |cancel| {
        let mut st = ch.state.lock();
        if !wait_until(&ch.changed, &mut st, deadline, cancel, |s| {
            s.items.len() < ch.maxsize || s.broken()
        }) {
            return Some(false);
        }
        if st.broken() {
            return None;
        }
        st.items.push_back(payload);
        st.unfinished += 1;
        ch.changed.notify_all();
        Some(true)
    })?;
    match put {
        Some(put) => Ok(Value::Bool(put)),
        None => Err(broken_pipe()),
    }
}

/// What writing to a pipe whose reading end is closed everywhere raises, as CPython's `EPIPE`.
fn broken_pipe() -> PyErr {
    PyErr::from_io(&std::io::Error::from_raw_os_error(libc::EPIPE), None)
}

impl Channel {
    /// Waits until there is an item to get or the stream has ended (true), or the deadline or
    /// a terminate request came first (false); returns that with the state, still locked.
    fn await_readable(
        &self,
        deadline: Option<Instant>,
        cancel: &super::AtomicTerminate,
    ) -> (bool, parking_lot::MutexGuard<'_, ChannelState>) {
        let mut st = self.state.lock();
        let ready = wait_until(&self.changed, &mut st, deadline, cancel, |s| {
            !s.items.is_empty() || s.ended()
        });
        (ready, st)
    }
}

/// A reader's view of a [`Channel`] for the deadlock watchdog: free when there is something
/// to read or the stream has ended (the reader is about to wake), else busy. A pipe names
/// the processes that still hold its sending end.
struct ChannelProbe {
    channel: Value,
    /// The waiting thread's process.
    waiter: u32,
}

impl Waitable for ChannelProbe {
    fn holding(&self) -> Holding {
        match self.channel.downcast::<Channel>() {
            Some(ch) => {
                let st = ch.state.lock();
                if !st.items.is_empty() || st.ended() {
                    Holding::Free
                } else {
                    Holding::Busy
                }
            }
            None => Holding::Busy,
        }
    }

    fn describe(&self) -> String {
        let Some(ch) = self.channel.downcast::<Channel>() else {
            return "a multiprocessing queue (empty)".into();
        };
        let st = ch.state.lock();
        let Some(ends) = &st.ends else {
            return "a multiprocessing queue (empty)".into();
        };
        let holders = ends.holders(Side::Write);
        if holders == [self.waiter] {
            // CPython hangs here too: the classic missing `child_conn.close()`.
            return "a pipe (empty; its sending end is still open only in this process, so \
                    no other can end the wait: close the copy this process does not use)"
                .into();
        }
        let names: Vec<String> = holders
            .iter()
            .map(|&p| {
                if p == self.waiter {
                    format!("pid {p} (this process)")
                } else {
                    format!("pid {p}")
                }
            })
            .collect();
        format!(
            "a pipe (empty; its sending end is still open in {})",
            names.join(", ")
        )
    }
}

/// `get(block=True, timeout=None)`: `(True, obj)`, or `(False, None)` if nothing came;
/// `EOFError` once a pipe's sending end is closed everywhere and the items are drained.
fn channel_get(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let ch = this::<Channel>(&args, "Channel")?;
    let deadline = deadline(vm, &method_args(&args), 0)?;
    let on = Arc::new(ChannelProbe {
        channel: args.pos[0].clone(),
        waiter: vm.interp.process.pid,
    });
    let got = blocking(
        vm,
        "queue.get",
        id_of(ch),
        Wait::new(deadline, Some(on)),
        |cancel| {
            let mut st = ch.await_readable(deadline, cancel).1;
            let item = st.items.pop_front();
            if item.is_some() {
                ch.changed.notify_all();
            }
            (item, st.ended())
        },
    )?;
    match got {
        (Some(p), _) => Ok(Value::tuple(vec![Value::Bool(true), wire::loads(vm, &p)?])),
        (None, true) => Err(PyErr::new(ExcKind::EOFError, "")),
        (None, false) => Ok(Value::tuple(vec![Value::Bool(false), Value::None])),
    }
}

/// `poll(timeout=0)`: is there something to get (or the end of the stream)?
fn channel_poll(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let ch = this::<Channel>(&args, "Channel")?;
    let timeout = match method_args(&args).get(0, "timeout") {
        None => Some(Duration::ZERO),
        t => timeout_arg(t)?,
    };
    let deadline = timeout.map(|t| Instant::now() + t);
    let on = Arc::new(ChannelProbe {
        channel: args.pos[0].clone(),
        waiter: vm.interp.process.pid,
    });
    let ready = blocking(
        vm,
        "pipe.poll",
        id_of(ch),
        Wait::new(deadline, Some(on)),
        |cancel| ch.await_readable(deadline, cancel).0,
    )?;
    Ok(Value::Bool(ready))
}

fn channel_qsize(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let ch = this::<Channel>(&args, "Channel")?;
    Ok(Value::Int(ch.state.lock().items.len() as i64))
}

fn channel_task_done(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let ch = this::<Channel>(&args, "Channel")?;
    let mut st = ch.state.lock();
    if st.unfinished == 0 {
        return Err(PyErr::value_error("task_done() called too many times"));
    }
    st.unfinished -= 1;
    if st.unfinished == 0 {
        ch.changed.notify_all();
    }
    Ok(Value::None)
}

/// The side (`"r"` or `"w"`) and process (a pid) arguments of the end methods, from `at`.
fn side_and_pid(a: &Args<'_>, at: usize) -> PyResult<(Side, u32)> {
    let side = a
        .pos
        .get(at)
        .ok_or_else(|| PyErr::type_error("missing side"))?;
    let side = Side::parse(str_arg(side, "side")?)
        .ok_or_else(|| PyErr::value_error("side must be 'r' or 'w'"))?;
    let pid = a
        .pos
        .get(at + 1)
        .ok_or_else(|| PyErr::type_error("missing pid"))?;
    let pid = u32::try_from(int_arg(pid)?).map_err(|_| PyErr::value_error("bad pid"))?;
    Ok((side, pid))
}

/// Runs `change` on the channel's ends (made on first use) and wakes its waiters: a reader
/// may now see the end of the stream, a writer a broken pipe. `pid` is noted as a holder,
/// so its handles are closed when it ends.
fn change_ends<R>(args: &Args<'_>, pid: u32, change: impl FnOnce(&mut Ends) -> R) -> PyResult<R> {
    let ch = this::<Channel>(args, "Channel")?;
    if let Value::Object(o) = &args.pos[0] {
        HOLDINGS.note(pid, o);
    }
    let mut st = ch.state.lock();
    let r = change(st.ends.get_or_insert_with(Ends::default));
    ch.changed.notify_all();
    Ok(r)
}

/// `open_end(side, pid)`: process `pid` holds a new handle of the pipe's `side`.
fn channel_open_end(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (side, pid) = side_and_pid(&method_args(&args), 0)?;
    change_ends(&args, pid, |e| e.open(side, pid))?;
    Ok(Value::None)
}

/// `close_end(side, pid)`: process `pid` closes a handle of the pipe's `side`.
fn channel_close_end(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (side, pid) = side_and_pid(&method_args(&args), 0)?;
    change_ends(&args, pid, |e| e.close(side, pid))?;
    Ok(Value::None)
}

/// `send_end(side, pid)`: process `pid` pickles a handle of `side` to send it; returns the
/// ticket its receiver claims the handle with.
fn channel_send_end(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (side, pid) = side_and_pid(&method_args(&args), 0)?;
    let ticket = change_ends(&args, pid, |e| e.send(side, pid))?;
    Ok(Value::Int(ticket as i64))
}

/// `receive_end(side, pid, ticket)`: process `pid` rebuilt the handle sent with `ticket`.
fn channel_receive_end(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let a = method_args(&args);
    let (side, pid) = side_and_pid(&a, 0)?;
    let ticket = a
        .pos
        .get(2)
        .ok_or_else(|| PyErr::type_error("missing ticket"))?;
    let ticket = u64::try_from(int_arg(ticket)?).map_err(|_| PyErr::value_error("bad ticket"))?;
    change_ends(&args, pid, |e| e.receive(side, ticket, pid))?;
    Ok(Value::None)
}

/// Process `pid` closes a handle of `side` of `channel`, as `close_end` does but with no
/// interpreter thread to call it: for a pipe handle dropped without `close()`
/// ([`super::pipe_handle`]). Anything but a channel is left alone.
pub fn close_end(channel: &Value, side: Side, pid: u32) {
    if let Some(ch) = channel.downcast::<Channel>() {
        let mut st = ch.state.lock();
        if let Some(ends) = st.ends.as_mut() {
            ends.close(side, pid);
        }
        ch.changed.notify_all();
    }
}

/// Process `pid` has ended, however it ended: every pipe handle it held is closed, and the
/// waiters of those pipes wake to see the end of the stream or a broken pipe. Called where
/// the channels live: in the top gilsim process (with the `os` backend, for a child OS
/// process, by whoever saw it end).
pub fn process_ended(pid: u32) {
    for channel in HOLDINGS.take(pid) {
        if let Some(ch) = channel.0.as_any().downcast_ref::<Channel>() {
            let mut st = ch.state.lock();
            if let Some(ends) = st.ends.as_mut() {
                ends.process_ended(pid);
            }
            ch.changed.notify_all();
        }
    }
}

fn channel_join(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let ch = this::<Channel>(&args, "Channel")?;
    blocking(
        vm,
        "queue.join",
        id_of(ch),
        Wait::new(None, None),
        |cancel| {
            let mut st = ch.state.lock();
            wait_until(&ch.changed, &mut st, None, cancel, |s| s.unfinished == 0)
        },
    )?;
    Ok(Value::None)
}

// ---------------------------------------------------------------------------------------------
// SemLock: locks and semaphores.

/// What a [`SemLock`] is, which decides its release rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SemKind {
    Lock,
    RLock,
    Semaphore,
}

struct SemState {
    value: i64,
    /// The holding thread (locks only; thread idents are unique across interpreters).
    owner: u64,
    /// Recursion depth of an RLock.
    count: u64,
}

/// CPython's `_multiprocessing.SemLock`: a counting semaphore shared between processes, which
/// `Lock`, `RLock`, `Semaphore` and `BoundedSemaphore` are built on.
pub struct SemLock {
    kind: SemKind,
    maxvalue: i64,
    state: Mutex<SemState>,
    freed: Condvar,
}

primitive!(
    SemLock,
    "SemLock",
    [
        ("acquire", sem_acquire),
        ("release", sem_release),
        ("__enter__", sem_acquire),
        ("__exit__", sem_exit),
        ("get_value", sem_get_value),
        ("_is_mine", sem_is_mine),
        ("_count", sem_count),
        ("_release_save", sem_release_save),
        ("_acquire_restore", sem_acquire_restore),
    ]
);

/// `SemLock(kind, value, maxvalue)` with kind "lock", "rlock" or "semaphore".
pub fn semlock_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("SemLock", 3, 3, &[])?;
    let kind = match str_arg(&args.pos[0], "kind")? {
        "lock" => SemKind::Lock,
        "rlock" => SemKind::RLock,
        "semaphore" => SemKind::Semaphore,
        k => return Err(PyErr::value_error(format!("unknown SemLock kind {k:?}"))),
    };
    let value = int_arg(&args.pos[1])?;
    if value < 0 {
        return Err(PyErr::value_error("semaphore initial value must be >= 0"));
    }
    Ok(Value::object(SemLock {
        kind,
        maxvalue: int_arg(&args.pos[2])?,
        state: Mutex::new(SemState {
            value,
            owner: 0,
            count: 0,
        }),
        freed: Condvar::new(),
    }))
}

fn sem_acquire(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    let a = method_args(&args);
    let me = vm.ident;
    {
        let mut st = sem.state.lock();
        if sem.kind == SemKind::RLock && st.count > 0 && st.owner == me {
            st.count += 1;
            return Ok(Value::Bool(true));
        }
        if st.value > 0 {
            st.value -= 1;
            st.owner = me;
            st.count = 1;
            return Ok(Value::Bool(true));
        }
    }
    let deadline = deadline(vm, &a, 0)?;
    let on = Arc::new(SemProbe(args.pos[0].clone()));
    let got = blocking(
        vm,
        "lock",
        id_of(sem),
        Wait::new(deadline, Some(on)),
        |cancel| {
            let mut st = sem.state.lock();
            let got = wait_until(&sem.freed, &mut st, deadline, cancel, |s| s.value > 0);
            if got {
                st.value -= 1;
                st.owner = me;
                st.count = 1;
            }
            got
        },
    )?;
    Ok(Value::Bool(got))
}

/// A waiter's view of a [`SemLock`] for the deadlock watchdog: free when it has a unit to give,
/// else held by its owner (a lock) or just unavailable (a semaphore).
struct SemProbe(Value);

impl Waitable for SemProbe {
    fn holding(&self) -> Holding {
        let Some(sem) = self.0.downcast::<SemLock>() else {
            return Holding::Busy;
        };
        let st = sem.state.lock();
        if st.value > 0 {
            Holding::Free
        } else if sem.kind != SemKind::Semaphore && st.owner != 0 {
            Holding::Held(st.owner)
        } else {
            Holding::Busy
        }
    }

    fn describe(&self) -> String {
        match self.0.downcast::<SemLock>().map(|s| s.kind) {
            Some(SemKind::Lock) => "a multiprocessing lock".into(),
            Some(SemKind::RLock) => "a multiprocessing RLock".into(),
            _ => "a multiprocessing semaphore".into(),
        }
    }
}

fn sem_release(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    let mut st = sem.state.lock();
    match sem.kind {
        SemKind::RLock => {
            if st.count == 0 || st.owner != vm.ident {
                return Err(PyErr::new(
                    ExcKind::AssertionError,
                    "attempt to release recursive lock not owned by thread",
                ));
            }
            st.count -= 1;
            if st.count > 0 {
                return Ok(Value::None);
            }
        }
        _ if st.value >= sem.maxvalue => {
            return Err(PyErr::value_error(
                "semaphore or lock released too many times",
            ));
        }
        _ => {}
    }
    st.value += 1;
    st.owner = 0;
    st.count = 0;
    sem.freed.notify_one();
    Ok(Value::None)
}

fn sem_exit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    sem_release(vm, receiver_only(&args))?;
    Ok(Value::Bool(false))
}

fn sem_get_value(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    Ok(Value::Int(sem.state.lock().value))
}

fn sem_is_mine(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    let st = sem.state.lock();
    Ok(Value::Bool(st.count > 0 && st.owner == vm.ident))
}

fn sem_count(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    Ok(Value::Int(sem.state.lock().count as i64))
}

/// Releases the lock completely (an RLock at any depth), returning the depth for
/// [`sem_acquire_restore`]: what `Condition.wait` needs.
fn sem_release_save(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    let depth = {
        let mut st = sem.state.lock();
        if sem.kind != SemKind::Semaphore && (st.count == 0 || st.owner != vm.ident) {
            return Err(PyErr::runtime_error("cannot release un-acquired lock"));
        }
        let depth = st.count.max(1);
        st.count = 1;
        depth
    };
    sem_release(vm, receiver_only(&args))?;
    Ok(Value::Int(depth as i64))
}

fn sem_acquire_restore(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let sem = this::<SemLock>(&args, "SemLock")?;
    let depth = int_arg(method_args(&args).get(0, "depth").unwrap_or(&Value::Int(1)))?;
    sem_acquire(vm, receiver_only(&args))?;
    sem.state.lock().count = depth.max(1) as u64;
    Ok(Value::None)
}

// ---------------------------------------------------------------------------------------------
// Notifier: the waiting room of a Condition.

struct NotifierState {
    next_ticket: u64,
    waiting: VecDeque<u64>,
    woken: Vec<u64>,
}

/// The waiters of a `multiprocessing.Condition`, woken in arrival order. A waiter takes a
/// ticket while it still holds the condition's lock, so a `notify` issued after it released
/// the lock cannot be missed.
pub struct Notifier {
    state: Mutex<NotifierState>,
    changed: Condvar,
}

primitive!(
    Notifier,
    "Notifier",
    [
        ("enter", notifier_enter),
        ("wait", notifier_wait),
        ("notify", notifier_notify),
    ]
);

pub fn notifier_new(_vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::object(Notifier {
        state: Mutex::new(NotifierState {
            next_ticket: 0,
            waiting: VecDeque::new(),
            woken: vec![],
        }),
        changed: Condvar::new(),
    }))
}

fn notifier_enter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = this::<Notifier>(&args, "Notifier")?;
    let mut st = n.state.lock();
    st.next_ticket += 1;
    let t = st.next_ticket;
    st.waiting.push_back(t);
    Ok(Value::Int(t as i64))
}

/// `wait(ticket, timeout=None)`: true if notified, false on timeout.
fn notifier_wait(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = this::<Notifier>(&args, "Notifier")?;
    let a = method_args(&args);
    let ticket = int_arg(a.get(0, "ticket").unwrap_or(&Value::Int(0)))? as u64;
    let deadline = timeout_arg(a.get(1, "timeout"))?.map(|t| Instant::now() + t);
    let woke = blocking(
        vm,
        "condition",
        id_of(n),
        Wait::new(deadline, None),
        |cancel| {
            let mut st = n.state.lock();
            let woke = wait_until(&n.changed, &mut st, deadline, cancel, |s| {
                s.woken.contains(&ticket)
            });
            st.woken.retain(|&t| t != ticket);
            st.waiting.retain(|&t| t != ticket);
            woke
        },
    )?;
    Ok(Value::Bool(woke))
}

/// `notify(n)`: wakes the `n` longest waiters (`n = -1`: all).
fn notifier_notify(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = this::<Notifier>(&args, "Notifier")?;
    let count = int_arg(method_args(&args).get(0, "n").unwrap_or(&Value::Int(1)))?;
    let mut st = n.state.lock();
    let count = if count < 0 {
        st.waiting.len()
    } else {
        (count as usize).min(st.waiting.len())
    };
    let woken: Vec<u64> = st.waiting.drain(..count).collect();
    st.woken.extend(woken);
    n.changed.notify_all();
    Ok(Value::None)
}

// ---------------------------------------------------------------------------------------------
// Flag: an Event.

/// The state of a `multiprocessing.Event`.
pub struct Flag {
    set: Mutex<bool>,
    changed: Condvar,
}

primitive!(
    Flag,
    "Flag",
    [
        ("set", flag_set),
        ("clear", flag_clear),
        ("is_set", flag_is_set),
        ("wait", flag_wait),
    ]
);

pub fn flag_new(_vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    Ok(Value::object(Flag {
        set: Mutex::new(false),
        changed: Condvar::new(),
    }))
}

fn flag_set(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this::<Flag>(&args, "Flag")?;
    *f.set.lock() = true;
    f.changed.notify_all();
    Ok(Value::None)
}

fn flag_clear(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    *this::<Flag>(&args, "Flag")?.set.lock() = false;
    Ok(Value::None)
}

fn flag_is_set(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(*this::<Flag>(&args, "Flag")?.set.lock()))
}

fn flag_wait(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this::<Flag>(&args, "Flag")?;
    let deadline = timeout_arg(method_args(&args).get(0, "timeout"))?.map(|t| Instant::now() + t);
    let set = blocking(vm, "event", id_of(f), Wait::new(deadline, None), |cancel| {
        let mut st = f.set.lock();
        wait_until(&f.changed, &mut st, deadline, cancel, |s| *s)
    })?;
    Ok(Value::Bool(set))
}

// ---------------------------------------------------------------------------------------------
// Barrier.

struct BarrierState {
    arrived: i64,
    generation: u64,
    broken: bool,
}

/// A `multiprocessing.Barrier`: `parties` threads of any processes meet, each gets its arrival
/// index; a timeout or `abort()` breaks it for everyone.
pub struct SharedBarrier {
    parties: i64,
    state: Mutex<BarrierState>,
    changed: Condvar,
}

primitive!(
    SharedBarrier,
    "Barrier",
    [
        ("wait", barrier_wait),
        ("abort", barrier_abort),
        ("reset", barrier_reset),
        ("n_waiting", barrier_n_waiting),
        ("broken", barrier_broken),
    ]
);

pub fn barrier_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let parties = int_arg(args.get(0, "parties").unwrap_or(&Value::Int(0)))?;
    if parties < 1 {
        return Err(PyErr::value_error("parties must be > 0"));
    }
    Ok(Value::object(SharedBarrier {
        parties,
        state: Mutex::new(BarrierState {
            arrived: 0,
            generation: 0,
            broken: false,
        }),
        changed: Condvar::new(),
    }))
}

fn broken_barrier(vm: &mut Vm) -> PyErr {
    let class = vm
        .import("threading")
        .and_then(|m| vm.get_attr(&m, "BrokenBarrierError"));
    match class.and_then(|c| vm.call(&c, &[])) {
        Ok(e) => PyErr::Raised(e),
        Err(e) => e,
    }
}

/// `wait(timeout=None)`: this arrival's index (0 .. parties-1).
fn barrier_wait(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this::<SharedBarrier>(&args, "Barrier")?;
    let deadline = timeout_arg(method_args(&args).get(0, "timeout"))?.map(|t| Instant::now() + t);
    let (index, generation) = {
        let mut st = b.state.lock();
        if st.broken {
            return Err(broken_barrier(vm));
        }
        let index = st.arrived;
        st.arrived += 1;
        if st.arrived == b.parties {
            st.arrived = 0;
            st.generation += 1;
            b.changed.notify_all();
            return Ok(Value::Int(index));
        }
        (index, st.generation)
    };
    let passed = blocking(
        vm,
        "barrier",
        id_of(b),
        Wait::new(deadline, None),
        |cancel| {
            let mut st = b.state.lock();
            let passed = wait_until(&b.changed, &mut st, deadline, cancel, |s| {
                s.generation != generation || s.broken
            });
            if !passed {
                st.broken = true;
                b.changed.notify_all();
            }
            passed && st.generation != generation
        },
    )?;
    if passed {
        Ok(Value::Int(index))
    } else {
        Err(broken_barrier(vm))
    }
}

fn barrier_abort(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this::<SharedBarrier>(&args, "Barrier")?;
    b.state.lock().broken = true;
    b.changed.notify_all();
    Ok(Value::None)
}

fn barrier_reset(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this::<SharedBarrier>(&args, "Barrier")?;
    let mut st = b.state.lock();
    if st.arrived > 0 {
        // Waiters of the current round see it broken, as CPython's reset does.
        st.broken = true;
        b.changed.notify_all();
    }
    st.arrived = 0;
    st.generation += 1;
    st.broken = false;
    Ok(Value::None)
}

fn barrier_n_waiting(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this::<SharedBarrier>(&args, "Barrier")?;
    Ok(Value::Int(b.state.lock().arrived))
}

fn barrier_broken(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this::<SharedBarrier>(&args, "Barrier")?;
    Ok(Value::Bool(b.state.lock().broken))
}

// ---------------------------------------------------------------------------------------------
// SharedArray: Value and Array.

/// Numbers (or single bytes) in shared memory, with a C type as `multiprocessing.Value` and
/// `Array` have: stores wrap and round as the C type would.
pub struct SharedArray {
    typecode: char,
    items: Mutex<Vec<Value>>,
}

primitive!(
    SharedArray,
    "SharedArray",
    [
        ("get", array_get),
        ("set", array_set),
        ("__len__", array_len),
        ("tolist", array_tolist),
        ("typecode", array_typecode),
    ]
);

/// Converts `v` to what a C value of `typecode` holds.
fn coerce(typecode: char, v: &Value) -> PyResult<Value> {
    let int = |bits: u32| -> PyResult<Value> {
        let n = match v {
            Value::Int(n) => *n,
            Value::Bool(b) => *b as i64,
            Value::Float(_) => {
                return Err(PyErr::type_error("int expected instead of float"));
            }
            _ => int_arg(v)?,
        };
        let shift = 64 - bits;
        Ok(Value::Int((n << shift) >> shift))
    };
    match typecode {
        'b' => int(8),
        'h' => int(16),
        'i' => int(32),
        'l' | 'q' => int(64),
        'd' => Ok(Value::Float(to_f64(v)?)),
        'f' => Ok(Value::Float(to_f64(v)? as f32 as f64)),
        'c' => match v {
            Value::Bytes(b) if b.0.len() == 1 => Ok(v.clone()),
            _ => Err(PyErr::type_error(
                "one character bytes, bytearray or integer expected",
            )),
        },
        _ => Err(PyErr::type_error(format!(
            "bad typecode (must be b, c, h, i, l, q, f or d), not {typecode:?}"
        ))),
    }
}

/// `SharedArray(typecode, items)`.
pub fn array_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("SharedArray", 2, 2, &[])?;
    let typecode = str_arg(&args.pos[0], "typecode")?;
    let mut chars = typecode.chars();
    let (Some(tc), None) = (chars.next(), chars.next()) else {
        return Err(PyErr::type_error(format!("bad typecode {typecode:?}")));
    };
    let items = match &args.pos[1] {
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.0.clone(),
        other => {
            return Err(PyErr::type_error(format!(
                "expected a list, got {}",
                crate::vm::ops::type_name(other)
            )));
        }
    };
    let items = items
        .iter()
        .map(|v| coerce(tc, v))
        .collect::<PyResult<_>>()?;
    Ok(Value::object(SharedArray {
        typecode: tc,
        items: Mutex::new(items),
    }))
}

fn index(len: usize, i: &Value) -> PyResult<usize> {
    let i = int_arg(i)?;
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(PyErr::new(ExcKind::IndexError, "invalid index"));
    }
    Ok(j as usize)
}

fn array_get(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let a = this::<SharedArray>(&args, "SharedArray")?;
    let items = a.items.lock();
    let i = index(
        items.len(),
        method_args(&args).get(0, "i").unwrap_or(&Value::Int(0)),
    )?;
    Ok(items[i].clone())
}

fn array_set(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let a = this::<SharedArray>(&args, "SharedArray")?;
    let m = method_args(&args);
    m.check("set", 2, 2, &[])?;
    let v = coerce(a.typecode, &m.pos[1])?;
    let mut items = a.items.lock();
    let i = index(items.len(), &m.pos[0])?;
    items[i] = v;
    Ok(Value::None)
}

fn array_len(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let a = this::<SharedArray>(&args, "SharedArray")?;
    Ok(Value::Int(a.items.lock().len() as i64))
}

fn array_tolist(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let a = this::<SharedArray>(&args, "SharedArray")?;
    Ok(Value::list(a.items.lock().clone()))
}

fn array_typecode(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let a = this::<SharedArray>(&args, "SharedArray")?;
    Ok(Value::str(a.typecode.to_string()))
}
