//! A child OS process's side of the `os` backend: proxies for the primitives that live in the
//! broker ([`super::broker`]).
//!
//! A child never holds a real queue or semaphore. Making one asks the broker to make it; a
//! handle that arrives in a payload becomes a [`RemoteHandle`], an object of the same class
//! name whose every method (the same table as the real class's) sends the call to the broker
//! and waits for the reply with the GIL released, as the real method's wait would. Each
//! thread of the child talks to the broker over a connection of its own, so a lock's owner
//! is the same broker thread for every call a child thread makes.

use std::any::Any;
use std::cell::RefCell;
use std::io::{BufReader, BufWriter};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::sync::{Arc, OnceLock};

use super::ends::Side;
use super::ipc::{self, CallArgs, HandleRef, Reply, Request, WirePayload};
use super::os_threads::{Questions, StatesReport, ThreadsReport};
use super::wire::{self, Payload};
use crate::observe::Release;
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::{Args, Class, NativeObject};
use crate::vm::{Value, Vm};

/// Where the broker listens, set once when this process starts as an `os`-backend child.
static BROKER_SOCKET: OnceLock<String> = OnceLock::new();

/// This process is an `os`-backend child whose primitives live in the broker at `socket`.
pub fn set_broker(socket: String) {
    let _ = BROKER_SOCKET.set(socket);
}

/// The broker's socket, when this process is an `os`-backend child.
pub fn broker_socket() -> Option<&'static str> {
    BROKER_SOCKET.get().map(String::as_str)
}

/// A primitive that lives in the broker, as a child sees it.
pub struct RemoteHandle {
    id: u64,
    class: Arc<Class>,
}

impl RemoteHandle {
    pub fn handle_ref(&self) -> HandleRef {
        HandleRef {
            id: self.id,
            type_name: self.class.name.clone(),
        }
    }
}

impl NativeObject for RemoteHandle {
    fn class(&self) -> &Arc<Class> {
        &self.class
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn crosses_interpreters(&self) -> bool {
        true
    }
}

/// The proxy of handle `h`, of the proxy class of its type.
pub fn proxy(h: &HandleRef) -> PyResult<Value> {
    let class = super::remote_class(&h.type_name).ok_or_else(|| {
        PyErr::runtime_error(format!("no process primitive type {}", h.type_name))
    })?;
    Ok(Value::object(RemoteHandle {
        id: h.id,
        class: class.clone(),
    }))
}

/// Rebuilds a value that came from the broker or the parent, its handles as proxies.
pub fn import(vm: &mut Vm, p: WirePayload) -> PyResult<Value> {
    let handles = p.handles.iter().map(proxy).collect::<PyResult<_>>()?;
    wire::loads(
        vm,
        &Payload {
            bytes: p.bytes,
            handles,
        },
    )
}

fn export(vm: &mut Vm, v: &Value) -> PyResult<WirePayload> {
    let p = wire::dumps(vm, v, true)?;
    vm.interp
        .process
        .bytes_sent
        .fetch_add(p.bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
    ipc::export(p, super::broker::handle_ref).map_err(PyErr::runtime_error)
}

/// A proxy method: `method(*args, **kwargs)` run by the broker on the real primitive.
pub fn forward(vm: &mut Vm, args: Args<'_>, method: &'static str) -> PyResult<Value> {
    let Some(this) = args.pos.first().and_then(|v| v.downcast::<RemoteHandle>()) else {
        return Err(PyErr::type_error(format!(
            "descriptor '{method}' needs a process primitive"
        )));
    };
    let handle = this.id;
    // `__exit__`'s exception details (a traceback cannot be sent) mean nothing to a primitive.
    let rest = if method == "__exit__" {
        &[][..]
    } else {
        &args.pos[1..]
    };
    let (args, kwargs) = export_args(vm, rest, args.kw)?;
    let request = Request::Call {
        handle,
        method: method.to_string(),
        args,
        kwargs,
    };
    ask(vm, request, Release::Blocked(method, handle))
}

/// A proxy constructor: the broker makes primitive `ctor` and this child gets its proxy.
pub fn construct(vm: &mut Vm, args: Args<'_>, ctor: &'static str) -> PyResult<Value> {
    let (args, kwargs) = export_args(vm, args.pos, args.kw)?;
    let request = Request::New {
        ctor: ctor.to_string(),
        args,
        kwargs,
    };
    ask(vm, request, Release::Blocked(ctor, 0))
}

fn export_args(vm: &mut Vm, pos: &[Value], kw: &[(Arc<str>, Value)]) -> PyResult<CallArgs> {
    // One payload per argument: the broker rebuilds the plain ones (a timeout, a count) and
    // relays the others untouched.
    let args = pos.iter().map(|v| export(vm, v)).collect::<PyResult<_>>()?;
    let kwargs = kw
        .iter()
        .map(|(k, v)| Ok((k.to_string(), export(vm, v)?)))
        .collect::<PyResult<_>>()?;
    Ok((args, kwargs))
}

/// Sends `request` on this thread's connection and waits for the reply, GIL released (a
/// wait the deadlock watchdog judges by the broker's side of it).
fn ask(vm: &mut Vm, request: Request, why: Release) -> PyResult<Value> {
    let frame = request.encode();
    let identity = vm
        .interp
        .monitor
        .deadlocks_watched()
        .then(|| (vm.interp.process.pid, vm.ident));
    let reply = vm.wait_on(why, super::os_threads::broker_call(), || {
        round_trip(&frame, identity)
    });
    match reply {
        Ok(Reply::Returned(p)) => import(vm, p),
        Ok(Reply::Raised(p)) => Err(PyErr::Raised(import(vm, p)?)),
        Ok(Reply::Noted { .. }) => Err(PyErr::runtime_error("broker: a reply to no call")),
        Err(e) => Err(PyErr::new(
            ExcKind::BrokenPipeError,
            format!("the parent process is gone (its broker: {e})"),
        )),
    }
}

/// Tells the broker that child OS process `pid`, started here, has ended, so that its pipe
/// handles close (from the thread that saw it end, which runs no interpreter).
pub fn process_ended(pid: u32) -> std::io::Result<()> {
    round_trip(&Request::Ended { pid }.encode(), None).map(drop)
}

/// Closes process `pid`'s handle of `side` of the pipe channel numbered `handle` in the broker,
/// with no interpreter thread to call from: a pipe handle dropped without `close()`
/// ([`super::pipe_handle`]). Nothing to do on failure: the broker is gone (the run is ending,
/// and every handle with it), or this thread is being torn down (its process's end closes the
/// handle).
pub fn close_end(handle: u64, side: Side, pid: u32) {
    let _ = round_trip(&Request::CloseEnd { handle, side, pid }.encode(), None);
}

/// Sends this process's threads to the broker, for the top process's watchdog; returns the
/// latest questions the watchdog asked.
pub fn report_threads(report: ThreadsReport) -> std::io::Result<Questions> {
    noted(Request::Threads(report))
}

/// Sends this process's threads, described for the `--timeout` report, to the broker;
/// returns the latest questions the watchdog asked.
pub fn report_states(report: StatesReport) -> std::io::Result<Questions> {
    noted(Request::States(report))
}

fn noted(request: Request) -> std::io::Result<Questions> {
    match round_trip(&request.encode(), None)? {
        Reply::Noted { asked, states } => Ok(Questions {
            fresh: asked,
            states,
        }),
        _ => Err(std::io::Error::other(
            "broker: an unexpected reply to a report",
        )),
    }
}

/// Sends a notice for the run's reports to the broker, which keeps them in the top gilsim
/// process ([`super::os_reports`]); returns once it is there.
pub fn observe(notice: Vec<u8>) -> std::io::Result<()> {
    match round_trip(&Request::Observe(notice).encode(), None)? {
        Reply::Returned(_) => Ok(()),
        _ => Err(std::io::Error::other("the broker refused the notice")),
    }
}

/// A thread's connection to the broker, and whether it has said which interpreter thread it
/// serves (`Request::Identify`).
type Connection = (BufReader<UnixStream>, BufWriter<UnixStream>, bool);

thread_local! {
    /// This thread's connection to the broker, opened at its first request.
    static CONNECTION: RefCell<Option<Connection>> = const { RefCell::new(None) };
}

/// Sends `frame` on this thread's connection (opened at the first request) and reads the reply.
/// The first request that comes with an `identity`, (pid, ident), names the interpreter thread
/// the connection serves, before `frame` (a thread's first request may be a notice without one).
fn round_trip(frame: &[u8], identity: Option<(u32, u64)>) -> std::io::Result<Reply> {
    let unusable = || std::io::Error::other("this thread's broker connection is unusable now");
    // A drop on a thread being torn down, or inside this thread's own request, finds the
    // connection gone or in use: an error, not a panic.
    CONNECTION
        .try_with(|c| {
            let mut c = c.try_borrow_mut().map_err(|_| unusable())?;
            if c.is_none() {
                let socket = broker_socket().ok_or_else(|| std::io::Error::other("not a child"))?;
                let stream = UnixStream::connect_addr(&SocketAddr::from_abstract_name(socket)?)?;
                *c = Some((
                    BufReader::new(stream.try_clone()?),
                    BufWriter::new(stream),
                    false,
                ));
            }
            let (r, w, identified) = c.as_mut().expect("connected");
            let identify = match identity {
                Some((pid, thread)) if !*identified => {
                    *identified = true;
                    Some(Request::Identify { pid, thread }.encode())
                }
                _ => None,
            };
            let identified = identify.map_or(Ok(()), |frame| {
                ipc::write_frame(w, &frame)?;
                ipc::read_frame(r)?.ok_or_else(|| std::io::Error::other("connection closed"))?;
                Ok(())
            });
            let result = identified
                .and_then(|()| ipc::write_frame(w, frame))
                .and_then(|()| {
                    ipc::read_frame(r)?.ok_or_else(|| std::io::Error::other("connection closed"))
                });
            match result {
                Ok(bytes) => Reply::decode(&bytes),
                Err(e) => {
                    *c = None;
                    Err(e)
                }
            }
        })
        .map_err(|_| unusable())?
}
