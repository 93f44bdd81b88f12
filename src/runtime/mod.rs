//! Running a script end to end: read, parse, compile, execute as `__main__` on an interpreter
//! thread, and turn the outcome into CPython's stderr display and exit status. The CLI calls
//! [`run_file_with`]; Rust callers (tests, property tests) use the [`Runtime`] builder, which
//! hands back the run's output and event log as a [`RunReport`].
//!
//! The interpreter runs on a thread with a large reserved stack: Python-to-Python calls never
//! recurse in Rust, but calls that pass through native code (a builtin calling back into Python,
//! `__init__` from a constructor) do, and they are bounded only by the recursion limit.

pub mod builder;
pub mod deadlock;
pub mod explore;
pub mod interrupt;
pub mod monitor;
pub mod thread_states;
pub mod watchdog;

pub use builder::{Hold, RunReport, Runtime};

use std::io::Write;
use std::sync::Arc;

use crate::compile::compiler::compile;
use crate::observe::ProcessSpans;
use crate::vm::errors::ExcKind;
use crate::vm::objects::Module;
use crate::vm::{Config, Interpreter, PyErr, Value, Vm};

/// Stack reserved for an interpreter thread (only touched pages are committed).
pub const INTERPRETER_STACK: usize = 512 << 20;

/// The result of running a script.
pub struct Outcome {
    /// The exit status, as `python3` would return it.
    pub exit_code: i32,
    /// The run's event log folded into spans, every process main first, when events were
    /// recorded (a report was asked for, or [`crate::observe::Reports::record`]).
    pub run: Option<Vec<ProcessSpans>>,
}

impl Outcome {
    fn failed(exit_code: i32) -> Outcome {
        Outcome {
            exit_code,
            run: None,
        }
    }
}

/// Where a run's standard output goes.
#[derive(Clone)]
pub enum Stdout {
    /// The process's stdout, block-buffered.
    Process,
    /// A shared buffer (for tests and the Rust API).
    Buffer(Arc<parking_lot::Mutex<Vec<u8>>>),
}

impl Stdout {
    /// A writer for one interpreter: block-buffered, as CPython's stdout is when piped.
    pub fn writer(&self) -> Box<dyn Write + Send> {
        match self {
            Stdout::Process => Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )),
            Stdout::Buffer(b) => Box::new(SharedBuf(b.clone())),
        }
    }
}

struct SharedBuf(Arc<parking_lot::Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the script at `path` with `argv` (argv[0] is the path) and returns its exit status.
pub fn run_file(path: &str, argv: Vec<String>, stdout: Stdout) -> Outcome {
    run_file_with(
        path,
        Config {
            argv,
            ..Config::default()
        },
        stdout,
    )
}

/// Runs the script at `path` with the given interpreter settings.
pub fn run_file_with(path: &str, config: Config, stdout: Stdout) -> Outcome {
    let source = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                eprintln!("SyntaxError: Non-UTF-8 code starting in file {path}");
                return Outcome::failed(1);
            }
        },
        Err(e) => {
            let code = e.raw_os_error().unwrap_or(2);
            eprintln!(
                "gilsim: can't open file '{path}': [Errno {code}] {}",
                PyErr::from_io_text(&e)
            );
            return Outcome::failed(2);
        }
    };
    run_source_with(path, &source, config, stdout)
}

/// Runs source text as the `__main__` module.
pub fn run_source(filename: &str, source: &str, argv: Vec<String>, stdout: Stdout) -> Outcome {
    run_source_with(
        filename,
        source,
        Config {
            argv,
            ..Config::default()
        },
        stdout,
    )
}

/// Runs source text as the `__main__` module with the given interpreter settings.
pub fn run_source_with(filename: &str, source: &str, config: Config, stdout: Stdout) -> Outcome {
    let mut reports = config.reports.clone();
    if reports.script.is_empty() {
        reports.script = filename.to_string();
    }
    reports
        .switch_interval
        .get_or_insert(config.switch_interval);
    reports.gil.get_or_insert(config.gil.name);
    let started = std::time::Instant::now();
    let interp = Interpreter::new(config, stdout);
    let reports = interrupt::PendingReports::new(reports, interp.recorder.clone());
    interrupt::set_active(&interp, &reports);
    let watchdog = watchdog::start(&interp.monitor, &reports, started);
    let filename = filename.to_string();
    let source = source.to_string();
    let shared = interp.clone();
    let worker = std::thread::Builder::new()
        .name("MainThread".into())
        .stack_size(INTERPRETER_STACK)
        .spawn(move || {
            let mut vm = Vm::new(interp.clone());
            interp
                .main_ident
                .store(vm.ident, std::sync::atomic::Ordering::Relaxed);
            vm.set_thread_name("MainThread");
            vm.acquire_gil();
            let mut code = run_main(&mut vm, &filename, &source);
            // As CPython at exit: wait for the non-daemon threads (daemon threads are abandoned).
            if let Err(e) = join_non_daemon_threads(&mut vm) {
                code = report_uncaught(&mut vm, e);
            }
            // The script is over: a hang from now on (daemon threads left blocked) is no
            // deadlock, and the timeout no longer applies.
            interp.monitor.finish();
            if let Some(scheduler) = interp.gil.scheduler() {
                scheduler.finish();
            }
            vm.release_gil();
            interp.flush_stdout();
            code
        });
    let mut exit_code = match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("gilsim: internal error: the interpreter thread panicked");
            70
        }
    };
    shared.monitor.finish();
    if let Some(w) = watchdog {
        let _ = w.join();
    }
    // Another interpreter thread ended in a panic (it said so on stderr): an internal error.
    if shared
        .thread_panicked
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        exit_code = 70;
    }
    let finished = reports.finish();
    if let Err(e) = finished.written {
        eprintln!("gilsim: {e}");
        exit_code = exit_code.max(1);
    }
    if let Some(scheduler) = shared.gil.scheduler() {
        // Threads left waiting for a turn end (as SystemExit), rather than stay parked.
        shared.process.terminate.request(-15);
        scheduler.retire();
    }
    Outcome {
        exit_code,
        run: finished.run,
    }
}

fn run_main(vm: &mut Vm, filename: &str, source: &str) -> i32 {
    vm.interp
        .sources
        .lock()
        .insert(filename.to_string(), Arc::from(source));
    let compiled = crate::syntax::parse(source).and_then(|m| compile(&m, filename));
    let compiled = match compiled {
        Ok(c) => c,
        Err(e) => {
            vm.interp.write_stderr(&e.render(filename, source));
            return 1;
        }
    };
    let module = Arc::new(Module::new("__main__", filename));
    module.intern_names(&compiled.globals);
    module.set("__name__", Value::str("__main__"));
    module.set("__file__", Value::str(filename));
    module.set("__doc__", Value::None);
    vm.interp
        .modules
        .lock()
        .insert("__main__".into(), Value::Module(module.clone()));
    match vm.run_code(compiled.code, module, None) {
        Ok(_) => 0,
        Err(e) => report_uncaught(vm, e),
    }
}

/// What CPython does at interpreter exit: `threading._shutdown()` joins the non-daemon threads,
/// then `multiprocessing`'s exit function terminates daemonic child processes and joins the
/// others (each only if the script imported the module).
pub fn join_non_daemon_threads(vm: &mut Vm) -> Result<(), PyErr> {
    for (module, hook) in [
        ("threading", "_shutdown"),
        ("multiprocessing", "_exit_function"),
    ] {
        let m = vm.interp.modules.lock().get(module).cloned();
        if let Some(m) = m {
            let f = vm.get_attr(&m, hook)?;
            vm.call(&f, &[])?;
        }
    }
    Ok(())
}

/// Prints an uncaught exception as CPython does and returns the exit status.
pub fn report_uncaught(vm: &mut Vm, e: PyErr) -> i32 {
    let exc = vm.materialize(e);
    let system_exit = vm.interp.types.exception(ExcKind::SystemExit).clone();
    if let Value::Instance(i) = &exc
        && i.class.is_subclass(&system_exit)
    {
        let code = i.get("code").unwrap_or(Value::None);
        return match code {
            Value::None => 0,
            Value::Int(n) => n as i32,
            Value::Bool(b) => b as i32,
            other => {
                let msg = vm.to_str(&other).unwrap_or_default();
                vm.interp.write_stderr(&format!("{msg}\n"));
                1
            }
        };
    }
    let text = vm.format_exception(&exc);
    vm.interp.write_stderr(&text);
    1
}
