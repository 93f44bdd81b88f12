//! One process's handle of a pipe's ends: what a `multiprocessing.connection.Connection` holds.
//!
//! In CPython a `Connection` owns an OS file descriptor, and when the object is garbage
//! collected without `close()` the descriptor is closed all the same, so the peer's `recv()`
//! sees `EOFError` once the last copy of the sending end is gone. gilsim counts the handles of
//! a pipe's ends in the pipe's channels instead ([`super::ends`]); a [`PipeHandle`] is one such
//! handle, opened when it is made and closed by `close()` or, failing that, when the last
//! reference to it is dropped (reference counting frees it as soon as the `Connection` is
//! unreachable, `del conn` included).
//!
//! The channels are the real ones in the process that keeps them, or proxies in an `os`-backend
//! child ([`super::remote`]): opening and an explicit `close()` call their methods as any
//! script call would; a drop has no interpreter thread to call with, so it closes the handles
//! directly ([`super::shared::close_end`]) or through the broker ([`super::remote::close_end`]).

use std::any::Any;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::ends::Side;
use crate::modules::{native_class, receiver};
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::{Args, Class, NativeObject};
use crate::vm::{Value, Vm};

/// A process's handle of a pipe's read end, write end, or both (a duplex `Connection`).
pub struct PipeHandle {
    /// The process holding it.
    pid: u32,
    /// The channel of each end it holds and which end: emptied when it is closed.
    ends: Mutex<Vec<(Value, Side)>>,
}

impl NativeObject for PipeHandle {
    fn class(&self) -> &Arc<Class> {
        static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
        CLASS.get_or_init(|| {
            native_class(
                "PipeHandle",
                "_multiprocessing",
                &[("close", close), ("send", send)],
            )
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for PipeHandle {
    /// Closes the handle if `close()` did not: the peer sees the end of the stream (or a
    /// broken pipe) as it would when CPython collects an unclosed `Connection`.
    fn drop(&mut self) {
        for (channel, side) in self.ends.get_mut().drain(..) {
            match channel.downcast::<super::remote::RemoteHandle>() {
                Some(proxy) => super::remote::close_end(proxy.handle_ref().id, side, self.pid),
                None => super::shared::close_end(&channel, side, self.pid),
            }
        }
    }
}

/// `(channel, side)` for each end given: the incoming channel is read, the outgoing written.
fn ends_of(incoming: &Value, outgoing: &Value) -> Vec<(Value, Side)> {
    [(incoming, Side::Read), (outgoing, Side::Write)]
        .into_iter()
        .filter(|(c, _)| !matches!(c, Value::None))
        .map(|(c, side)| (c.clone(), side))
        .collect()
}

fn side_name(side: Side) -> Value {
    Value::str(match side {
        Side::Read => "r",
        Side::Write => "w",
    })
}

/// Calls `method(side, pid, *extra)` on `channel`, a channel or its proxy.
fn call(
    vm: &mut Vm,
    channel: &Value,
    method: &str,
    side: Side,
    pid: u32,
    extra: &[Value],
) -> PyResult<Value> {
    let f = vm.get_attr(channel, method)?;
    let mut args = vec![side_name(side), Value::Int(i64::from(pid))];
    args.extend_from_slice(extra);
    vm.call(&f, &args)
}

/// `PipeHandle(incoming, outgoing, tickets=None)`: this process opens a handle of each end
/// given (None for a one-way `Connection`'s missing one); with `tickets`, it claims the handles
/// a sender pickled (`send()`) instead of opening new ones.
pub fn pipe_handle_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("PipeHandle", 2, 3, &[])?;
    let pid = vm.interp.process.pid;
    let ends = ends_of(&args.pos[0], &args.pos[1]);
    let tickets = match args.pos.get(2) {
        None | Some(Value::None) => None,
        Some(t) => Some(vm.iterate(t)?),
    };
    if tickets.as_ref().is_some_and(|t| t.len() != ends.len()) {
        return Err(PyErr::value_error("PipeHandle: one ticket per end"));
    }
    for (i, (channel, side)) in ends.iter().enumerate() {
        match &tickets {
            Some(t) => call(vm, channel, "receive_end", *side, pid, &t[i..=i])?,
            None => call(vm, channel, "open_end", *side, pid, &[])?,
        };
    }
    Ok(Value::object(PipeHandle {
        pid,
        ends: Mutex::new(ends),
    }))
}

fn this<'a>(args: &Args<'a>, method: &str) -> PyResult<&'a PipeHandle> {
    receiver::<PipeHandle>(args, "PipeHandle", method)
}

/// `close()`: closes the handle (again is a no-op).
fn close(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let handle = this(&args, "close")?;
    let ends = std::mem::take(&mut *handle.ends.lock());
    for (channel, side) in &ends {
        call(vm, channel, "close_end", *side, handle.pid, &[])?;
    }
    Ok(Value::None)
}

/// `send()`: this process pickles its handle to send it (CPython's sender duplicates the
/// descriptor): the copy in transit is this process's until a receiver claims it with the
/// tickets returned, one per end. A closed handle gives none.
fn send(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let handle = this(&args, "send")?;
    let ends = handle.ends.lock().clone();
    let mut tickets = Vec::with_capacity(ends.len());
    for (channel, side) in &ends {
        let ticket = call(vm, channel, "send_end", *side, handle.pid, &[])?;
        tickets.push(ticket);
    }
    Ok(Value::list(tickets))
}
