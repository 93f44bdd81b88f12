//! The `os` backend's broker: the one place the process primitives live when processes are
//! real OS processes.
//!
//! CPython shares a queue or a semaphore between processes through OS objects (pipes, POSIX
//! semaphores, shared memory). gilsim's primitives are Rust objects, so with the `os` backend
//! they stay in the top gilsim process, and children reach them through the broker: a Unix
//! socket where each child thread opens a connection and asks, one request at a time, for a
//! primitive to be made or a method of one to be called ([`super::ipc`]). The broker runs the
//! request on a thread of its own, in an interpreter that only relays values
//! ([`super::wire`]'s relay mode: a user's objects pass through as the sender serialized
//! them), so the primitives behave exactly as they do for the `interp` backend, blocking
//! included.
//!
//! The thread serving a connection stands for the child thread whose calls it runs: the
//! deadlock watchdog asks it how that thread's waits stand, and children report their
//! threads here ([`super::os_threads`]).
//!
//! When a child dies, its connections end; the broker then cancels the waits it was running
//! for that connection (as `terminate()` cancels an interpreter's), so a dead child never
//! leaves a broker thread waiting for ever. Its pipe handles are closed by whoever saw it end:
//! the top process directly, a child that started it with a [`Request::Ended`].

use std::io::{self, BufReader, BufWriter};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixListener, UnixStream};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use rustc_hash::FxHashMap;

use super::ipc::{self, HandleRef, Reply, Request, WirePayload};
use super::os_threads::Census;
use super::wire::{self, Payload};
use super::{AtomicTerminate, ProcessContext};
use crate::runtime::monitor::Monitor;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::Args;
use crate::vm::{Config, Interpreter, Value, Vm};

/// The broker of this gilsim process (started by its first `os`-backend child).
pub struct Broker {
    /// The name of its socket in Linux's abstract namespace: no file to clean up, gone with
    /// the process however it ends.
    socket: String,
    registry: Mutex<Registry>,
    /// What the relaying interpreters are made with.
    config: Config,
    /// The thread table of the threads serving connections, each the stand-in of the child
    /// thread whose calls it runs ([`super::os_threads`]).
    stand_ins: Arc<Monitor>,
    /// What the children report of their threads.
    census: Census,
}

/// The primitives children know by number. An entry lives as long as the broker: a child may
/// hand a number on to another at any time.
#[derive(Default)]
struct Registry {
    by_address: FxHashMap<usize, u64>,
    objects: Vec<Value>,
}

/// A call's arguments rebuilt: positional, then keywords.
type LoadedArgs = (Vec<Value>, Vec<(Arc<str>, Value)>);

static BROKER: OnceLock<Arc<Broker>> = OnceLock::new();
static STARTING: Mutex<()> = Mutex::new(());

/// The broker, started on first use; `watch_deadlocks`: the run's watchdog looks for
/// deadlocks, so the children's threads and their stand-ins are to be known.
pub fn start(config: &Config, watch_deadlocks: bool) -> io::Result<Arc<Broker>> {
    let _once = STARTING.lock();
    if let Some(b) = BROKER.get() {
        return Ok(b.clone());
    }
    let socket = format!("gilsim-broker-{}", std::process::id());
    let listener = UnixListener::bind_addr(&SocketAddr::from_abstract_name(&socket)?)?;
    let config = Config {
        reports: Default::default(),
        deterministic: None,
        on_deadlock: crate::runtime::monitor::OnDeadlock::Hang,
        timeout: None,
        ..config.clone()
    };
    let stand_ins = if watch_deadlocks {
        Monitor::reported(&config)
    } else {
        Monitor::new(&config)
    };
    let broker = Arc::new(Broker {
        socket,
        registry: Mutex::default(),
        config,
        stand_ins,
        census: Census::default(),
    });
    let accepting = broker.clone();
    std::thread::Builder::new()
        .name("gilsim-broker".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let b = accepting.clone();
                let _ = std::thread::Builder::new()
                    .name("gilsim-broker-conn".into())
                    .stack_size(BROKER_STACK)
                    .spawn(move || b.serve(stream));
            }
        })?;
    let _ = BROKER.set(broker.clone());
    Ok(broker)
}

/// The broker, if this process has started one.
pub fn running() -> Option<&'static Arc<Broker>> {
    BROKER.get()
}

/// Stack for a thread that runs requests: only native methods, never a script's frames.
const BROKER_STACK: usize = 16 << 20;

/// What crosses for handle `v`: a proxy's own number, or (in the broker's process) the
/// registered number of a real primitive.
pub fn handle_ref(v: &Value) -> Result<HandleRef, String> {
    if let Some(r) = v.downcast::<super::remote::RemoteHandle>() {
        return Ok(r.handle_ref());
    }
    match running() {
        Some(b) => Ok(b.register(v)),
        None => Err("a process primitive made in a child can only cross through the broker".into()),
    }
}

impl Broker {
    /// Where children connect.
    pub fn socket(&self) -> &str {
        &self.socket
    }

    /// The thread table of the stand-ins ([`super::os_threads`]).
    pub fn stand_ins(&self) -> &Arc<Monitor> {
        &self.stand_ins
    }

    /// What the children report of their threads.
    pub fn census(&self) -> &Census {
        &self.census
    }

    /// The number children know `v` by (the same number every time).
    pub fn register(&self, v: &Value) -> HandleRef {
        let type_name = match v {
            Value::Object(o) => o.0.class().name.clone(),
            _ => String::new(),
        };
        let address = match v {
            Value::Object(o) => Arc::as_ptr(o) as usize,
            _ => 0,
        };
        let mut r = self.registry.lock();
        let id = match r.by_address.get(&address) {
            Some(&id) => id,
            None => {
                r.objects.push(v.clone());
                let id = r.objects.len() as u64;
                r.by_address.insert(address, id);
                id
            }
        };
        HandleRef { id, type_name }
    }

    fn lookup(&self, id: u64) -> PyResult<Value> {
        let r = self.registry.lock();
        id.checked_sub(1)
            .and_then(|i| r.objects.get(i as usize).cloned())
            .ok_or_else(|| PyErr::runtime_error(format!("no process primitive number {id}")))
    }

    /// Serves one connection (one thread of a child) until it closes.
    fn serve(self: Arc<Self>, stream: UnixStream) {
        let context = ProcessContext {
            relay: true,
            ..ProcessContext::main()
        };
        let cancel: Arc<AtomicTerminate> = context.terminate.clone();
        // Its thread stands for a thread of a child: not one of the run's own threads, but
        // the watchdog asks it how that thread's calls wait.
        let interp = Interpreter::with_process(
            self.config.clone(),
            crate::runtime::Stdout::Process,
            context,
            None,
            self.stand_ins.clone(),
        );
        let Ok(read_half) = stream.try_clone() else {
            return;
        };
        // The reader is the only one to read the socket: while a request runs, the child
        // sends nothing, so what it reads then is the end of the connection (the child died),
        // and the request's waits are cancelled.
        let (requests, incoming) = std::sync::mpsc::channel::<Vec<u8>>();
        let reader = std::thread::Builder::new()
            .name("gilsim-broker-read".into())
            .spawn(move || {
                let mut r = BufReader::new(read_half);
                while let Ok(Some(frame)) = ipc::read_frame(&mut r) {
                    if requests.send(frame).is_err() {
                        break;
                    }
                }
                cancel.request(-9);
            });
        if reader.is_err() {
            return;
        }
        let mut vm = Vm::new(interp);
        let mut out = BufWriter::new(stream);
        for frame in incoming {
            vm.acquire_gil();
            let reply = match Request::decode(&frame) {
                Ok(request) => self.reply(&mut vm, request),
                Err(e) => self.raised(&mut vm, PyErr::runtime_error(format!("broker: {e}"))),
            };
            vm.release_gil();
            if ipc::write_frame(&mut out, &reply.encode()).is_err() {
                break;
            }
        }
        self.census.connection_closed(vm.ident);
    }

    fn reply(&self, vm: &mut Vm, request: Request) -> Reply {
        match request {
            Request::Threads(report) => return self.census.record(vm.ident, report),
            Request::States(report) => return self.census.record_states(report),
            _ => {}
        }
        match self.run(vm, request).and_then(|v| self.send(vm, &v)) {
            Ok(p) => Reply::Returned(p),
            Err(e) => self.raised(vm, e),
        }
    }

    fn run(&self, vm: &mut Vm, request: Request) -> PyResult<Value> {
        match request {
            Request::New { ctor, args, kwargs } => {
                let make =
                    crate::modules::multiprocessing::constructor(&ctor).ok_or_else(|| {
                        PyErr::runtime_error(format!("no process primitive called {ctor}"))
                    })?;
                let (pos, kw) = self.load_args(vm, args, kwargs)?;
                make(vm, Args { pos: &pos, kw: &kw })
            }
            Request::Call {
                handle,
                method,
                args,
                kwargs,
            } => {
                let object = self.lookup(handle)?;
                let (pos, kw) = self.load_args(vm, args, kwargs)?;
                let f = vm.get_attr(&object, &method)?;
                vm.call_kw(&f, &pos, &kw)
            }
            Request::Ended { pid } => {
                super::shared::process_ended(pid);
                Ok(Value::None)
            }
            Request::Observe(notice) => {
                super::os_reports::deliver(&notice).map_err(PyErr::runtime_error)?;
                Ok(Value::None)
            }
            Request::Identify { pid, thread } => {
                self.census.identify(vm.ident, pid, thread);
                Ok(Value::None)
            }
            Request::CloseEnd { handle, side, pid } => {
                super::shared::close_end(&self.lookup(handle)?, side, pid);
                Ok(Value::None)
            }
            Request::Threads(_) | Request::States(_) => {
                Err(PyErr::runtime_error("broker: a report is no call"))
            }
        }
    }

    fn load_args(
        &self,
        vm: &mut Vm,
        args: Vec<WirePayload>,
        kwargs: Vec<(String, WirePayload)>,
    ) -> PyResult<LoadedArgs> {
        let pos = args
            .into_iter()
            .map(|p| self.load(vm, p))
            .collect::<PyResult<_>>()?;
        let kw = kwargs
            .into_iter()
            .map(|(k, p)| Ok((Arc::from(k.as_str()), self.load(vm, p)?)))
            .collect::<PyResult<_>>()?;
        Ok((pos, kw))
    }

    fn load(&self, vm: &mut Vm, p: WirePayload) -> PyResult<Value> {
        let handles = p
            .handles
            .iter()
            .map(|h| self.lookup(h.id))
            .collect::<PyResult<_>>()?;
        wire::loads(
            vm,
            &Payload {
                bytes: p.bytes,
                handles,
            },
        )
    }

    fn send(&self, vm: &mut Vm, v: &Value) -> PyResult<WirePayload> {
        let p = wire::dumps(vm, v, true)?;
        ipc::export(p, |h| Ok(self.register(h))).map_err(PyErr::runtime_error)
    }

    /// The exception to raise in the child (serialized as pickle would; one that cannot be
    /// becomes a RuntimeError with its text).
    fn raised(&self, vm: &mut Vm, e: PyErr) -> Reply {
        let exc = vm.materialize(e);
        match self.send(vm, &exc) {
            Ok(p) => Reply::Raised(p),
            Err(_) => {
                let text = vm.to_str(&exc).unwrap_or_default();
                let fallback = vm.materialize(PyErr::runtime_error(text));
                Reply::Raised(self.send(vm, &fallback).unwrap_or_default())
            }
        }
    }
}
