//! `--process-backend os`: each process is a real child OS process running the gilsim binary
//! itself (`gilsim __child`), so `os.getpid()` differs and a crash of the child (a signal, an
//! abort) cannot take the parent down.
//!
//! The parent writes the child a bootstrap on its stdin (the broker's socket, the script and
//! its source, the interpreter settings, the serialized `Process` object); the child runs the
//! script as `__mp_main__` and then the target, exactly as an `interp`-backend child does
//! ([`super::run_child`]), with its primitives reached through the broker
//! ([`super::broker`], [`super::remote`]). Its stdout and stderr are the parent's own file
//! descriptors, as a spawned CPython child's are. A thread of the parent waits for the child
//! to end and turns its status into `exitcode` (the exit status, or minus the signal that
//! killed it, as CPython reports it). When the run records (`--stats`, `--trace`, ...), the
//! child records too and sends its events to the run as it ends ([`super::os_reports`]);
//! when the run watches for deadlocks, the child reports its threads to the top process's
//! watchdog ([`super::os_threads`]).

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use super::ipc::{self, Decoder, Encoder, WirePayload};
use super::os_reports::{self, Recording};
use super::wire::Payload;
use super::{Child, ProcessContext, broker, os_threads, remote};
use crate::observe::Release;
use crate::runtime::monitor::Monitor;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::{Config, Interpreter, Vm};

/// What a child needs to start.
struct Bootstrap {
    broker: String,
    ppid: u32,
    script: String,
    source: String,
    gil: String,
    switch_interval: Duration,
    check_interval: u32,
    check_every_instruction: bool,
    /// `--max-memory`: each child OS process bounds its own heap by it (0: no limit).
    max_memory: u64,
    argv: Vec<String>,
    process: WirePayload,
    /// What to record for the run's reports, when the run records (see [`os_reports`]).
    record: Option<Recording>,
    /// The process's name (`Process-1`), for reports.
    name: String,
    /// The run watches for deadlocks: the child reports its threads to the top process
    /// ([`super::os_threads`]).
    watch_deadlocks: bool,
    /// `--timeout`: the top process's watchdog enforces it, and the child describes its
    /// threads for the report when asked ([`super::os_threads`]); its threads keep their
    /// stacks for that report.
    timeout: Option<Duration>,
}

impl Bootstrap {
    fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::default();
        e.str(&self.broker)
            .u64(self.ppid.into())
            .str(&self.script)
            .str(&self.source)
            .str(&self.gil)
            .u64(self.switch_interval.as_nanos() as u64)
            .u64(self.check_interval.into())
            .u8(self.check_every_instruction.into())
            .u64(self.max_memory)
            .u64(self.argv.len() as u64);
        for a in &self.argv {
            e.str(a);
        }
        e.payload(&self.process);
        match &self.record {
            Some(r) => r.encode(e.u8(1)),
            None => {
                e.u8(0);
            }
        }
        e.str(&self.name).u8(self.watch_deadlocks.into());
        // 0: no timeout (a zero timeout crosses as 1 ns).
        e.u64(
            self.timeout
                .map_or(0, |t| t.as_nanos().clamp(1, u64::MAX.into()) as u64),
        );
        e.0
    }

    fn decode(bytes: &[u8]) -> io::Result<Bootstrap> {
        let mut d = Decoder::new(bytes);
        let broker = d.str()?;
        let ppid = d.u64()? as u32;
        let script = d.str()?;
        let source = d.str()?;
        let gil = d.str()?;
        let switch_interval = Duration::from_nanos(d.u64()?);
        let check_interval = d.u64()? as u32;
        let check_every_instruction = d.u8()? != 0;
        let max_memory = d.u64()?;
        let argc = d.u64()?;
        let mut argv = vec![];
        for _ in 0..argc {
            argv.push(d.str()?);
        }
        let process = d.payload()?;
        let record = match d.u8()? {
            0 => None,
            _ => Some(Recording::decode(&mut d)?),
        };
        let name = d.str()?;
        let watch_deadlocks = d.u8()? != 0;
        let timeout = Some(d.u64()?).filter(|&n| n > 0).map(Duration::from_nanos);
        d.end()?;
        Ok(Bootstrap {
            broker,
            ppid,
            script,
            source,
            gil,
            switch_interval,
            check_interval,
            check_every_instruction,
            max_memory,
            argv,
            process,
            record,
            name,
            watch_deadlocks,
            timeout,
        })
    }
}

/// The gilsim binary to start children with: this one, or (from a test or bench binary,
/// which lives in `target/<profile>/deps/`) the one built beside it; `GILSIM_EXE` overrides.
fn gilsim_exe() -> io::Result<PathBuf> {
    if let Some(p) = std::env::var_os("GILSIM_EXE") {
        return Ok(p.into());
    }
    let me = std::env::current_exe()?;
    if me.file_stem().is_some_and(|s| s == "gilsim") {
        return Ok(me);
    }
    me.ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("gilsim"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "can't find the gilsim binary to start a process with (set GILSIM_EXE)",
            )
        })
}

/// Starts a child OS process that runs `process` (a `multiprocessing.Process` called `name`,
/// serialized).
pub fn spawn(
    vm: &mut Vm,
    script: &str,
    source: &str,
    process: Payload,
    name: &str,
) -> PyResult<Arc<Child>> {
    let cant =
        |e: &dyn std::fmt::Display| PyErr::runtime_error(format!("can't start process: {e}"));
    let watch_deadlocks = vm.interp.monitor.deadlocks_watched();
    let broker = match remote::broker_socket() {
        Some(s) => s.to_string(),
        None => broker::start(&vm.interp.config, watch_deadlocks)
            .map_err(|e| cant(&e))?
            .socket()
            .to_string(),
    };
    let process = ipc::export(process, broker::handle_ref).map_err(PyErr::runtime_error)?;
    let recording = os_reports::Spawn::new(vm, name);
    let config = &vm.interp.config;
    let boot = Bootstrap {
        broker,
        ppid: vm.interp.process.pid,
        script: script.to_string(),
        source: source.to_string(),
        gil: config.gil.name.to_string(),
        switch_interval: vm.interp.gil.interval(),
        check_interval: vm.interp.gil.check_interval(),
        check_every_instruction: config.check_every_instruction,
        max_memory: config.max_memory.map_or(0, |m| m as u64),
        argv: config.argv.clone(),
        process,
        record: recording.as_ref().map(|r| r.recording().clone()),
        name: name.to_string(),
        watch_deadlocks,
        timeout: config.timeout,
    };
    let exe = gilsim_exe().map_err(|e| cant(&e))?;
    let started = vm.allow_threads(Release::Native("os.spawn"), || -> io::Result<_> {
        let mut child = Command::new(exe)
            .arg("__child")
            .stdin(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().expect("piped");
        ipc::write_frame(&mut stdin, &boot.encode())?;
        Ok((child, stdin))
    });
    let (mut os_child, lifeline) = started.map_err(|e| cant(&e))?;
    let child = Child::os(os_child.id());
    let waiter = child.clone();
    LIVE.lock().push(child.pid);
    let waiting = std::thread::Builder::new()
        .name(format!("gilsim-wait-{}", os_child.id()))
        .spawn(move || {
            if let Some(r) = &recording {
                r.started(waiter.pid);
            }
            let code = match os_child.wait() {
                Ok(status) => status
                    .code()
                    .unwrap_or_else(|| -status.signal().unwrap_or(libc::SIGKILL)),
                Err(_) => 1,
            };
            // The child's stdin stays open while it lives: when this process ends, however
            // it ends, the child sees its end and ends too, rather than run on orphaned.
            drop(lifeline);
            // Its pipe handles close (before `exitcode` is set, so a parent that joined it
            // then reads a pipe sees the end of the stream).
            handles_closed(waiter.pid);
            // Before `exitcode` is set too, so a parent that joined it finds it in the reports.
            if let Some(r) = &recording {
                r.exited(waiter.pid, code);
            }
            ended(waiter.pid);
            waiter.ended(code);
        });
    if let Err(e) = waiting {
        ended(child.pid);
        return Err(cant(&e));
    }
    Ok(child)
}

/// Closes the pipe handles of child OS process `pid`, which has ended: here, if this is the
/// process that keeps the primitives, else through the broker.
fn handles_closed(pid: u32) {
    if remote::broker_socket().is_none() {
        super::shared::process_ended(pid);
    } else {
        // An error means the broker (the top gilsim process) is gone: the run is ending.
        let _ = remote::process_ended(pid);
    }
}

/// The pids of the child OS processes started here and not yet ended.
static LIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Child OS process `pid` has ended.
fn ended(pid: u32) {
    LIVE.lock().retain(|&p| p != pid);
}

/// The pids of the child OS processes started here and not yet ended: the deadlock watchdog
/// judges their threads from their reports ([`super::os_threads`]).
pub fn live_children() -> Vec<u32> {
    LIVE.lock().clone()
}

/// Ends the run's child OS processes at once (SIGKILL), as the run ends abruptly (a deadlock,
/// `--timeout`): the live children of this process and `others`, child OS processes of
/// theirs that reported to this one. Otherwise they would end only on seeing this process's
/// end, and first fail their pending calls to its broker, noisily.
pub fn end_processes(others: &[u32]) {
    let mut pids = live_children();
    pids.extend_from_slice(others);
    pids.sort_unstable();
    pids.dedup();
    for pid in pids {
        let _ = send_signal(pid, libc::SIGKILL);
    }
}

/// Sends signal `sig` to the OS process `pid` (kill(2)).
pub fn send_signal(pid: u32, sig: i32) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    // SAFETY: kill(2) takes two integers and reads or writes no memory of this process, so
    // it cannot break Rust's guarantees whatever they are. Callers pass a child this process
    // started and has not yet seen end (`Child::signal` checks `exitcode` first: as with
    // CPython's `Popen.terminate`, a child that ends between that check and this call is a
    // harmless miss), a child of a child that reported to this process moments ago
    // (`end_processes`), or a pid the script named in `os.kill`, as CPython's does. Exercised by
    // the killed-process tests in `tests/processes_os.rs`.
    if unsafe { libc::kill(pid, sig) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `gilsim __child`: the life of a child OS process, from its bootstrap on stdin to its exit
/// status.
pub fn child_main() -> i32 {
    let frame = match ipc::read_frame(&mut io::stdin().lock()) {
        Ok(Some(f)) => f,
        _ => {
            eprintln!("gilsim: __child is started by a parent gilsim, with its bootstrap on stdin");
            return 2;
        }
    };
    let boot = match Bootstrap::decode(&frame) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("gilsim: __child: bad bootstrap: {e}");
            return 2;
        }
    };
    // The parent holds the other end of stdin open for as long as it lives.
    let _ = std::thread::Builder::new()
        .name("gilsim-lifeline".into())
        .spawn(|| {
            let mut rest = vec![];
            let _ = io::Read::read_to_end(&mut io::stdin().lock(), &mut rest);
            std::process::exit(1);
        });
    remote::set_broker(boot.broker.clone());
    let Ok(gil) = crate::gil::policy(&boot.gil) else {
        eprintln!("gilsim: __child: no GIL policy {}", boot.gil);
        return 2;
    };
    let config = Config {
        argv: boot.argv,
        switch_interval: boot.switch_interval,
        check_every_instruction: boot.check_every_instruction,
        gil,
        check_interval: boot.check_interval,
        max_memory: (boot.max_memory > 0).then_some(boot.max_memory as usize),
        timeout: boot.timeout,
        process_backend: super::ProcessBackend::Os,
        ..Config::default()
    };
    let name: Arc<str> = Arc::from(boot.name.as_str());
    let context = ProcessContext {
        pid: std::process::id(),
        ppid: boot.ppid,
        name: name.clone(),
        bootstrapping: AtomicBool::new(true),
        ..ProcessContext::main()
    };
    let recorder = boot
        .record
        .as_ref()
        .map(|r| os_reports::child_recorder(r, context.pid, context.bytes_sent.clone()));
    let monitor = if boot.watch_deadlocks {
        Monitor::reported(&config)
    } else {
        Monitor::new(&config)
    };
    let main_thread = Arc::new(AtomicU64::new(0));
    if boot.watch_deadlocks || boot.timeout.is_some() {
        let reporting =
            os_threads::start_reporter(monitor.clone(), context.pid, name, main_thread.clone());
        if let Err(e) = reporting {
            // The run goes on; a deadlock involving this process would then hang it.
            eprintln!("gilsim: __child: can't start the thread reporter: {e}");
        }
    }
    let interp = Interpreter::with_process(
        config,
        crate::runtime::Stdout::Process,
        context,
        recorder.clone(),
        monitor,
    );
    let (script, source, process) = (boot.script, boot.source, boot.process);
    let main = std::thread::Builder::new()
        .name("MainThread".into())
        .stack_size(crate::runtime::INTERPRETER_STACK)
        .spawn(move || {
            let handles = process.handles.iter().map(remote::proxy).collect();
            let code = match handles {
                Ok(handles) => {
                    let payload = Payload {
                        bytes: process.bytes,
                        handles,
                    };
                    let vm = Vm::new(interp.clone());
                    main_thread.store(vm.ident, Ordering::Relaxed);
                    super::run_child(vm, &script, &source, &payload)
                }
                Err(_) => 1,
            };
            interp.flush_stdout();
            code
        });
    let code = match main.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("gilsim: internal error: the interpreter thread panicked");
            70
        }
    };
    // However the script ended, its events go to the run's reports before the process ends
    // (an error means the top process, and its reports, are gone).
    if let (Some(record), Some(recorder)) = (&boot.record, &recorder) {
        let _ = os_reports::ship(record.run, recorder);
    }
    code
}
