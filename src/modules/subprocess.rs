//! The `subprocess` module: `run`, `call`, `check_call`, `check_output`, `getoutput`,
//! `getstatusoutput`, `CompletedProcess` and the exceptions, with CPython's signatures, reprs and
//! messages.
//!
//! The Python-facing layer (argument handling, text decoding, the classes and exceptions) is
//! `python/subprocess.py`, run into the module on import; the process work is the native
//! `_run` here. `_run` starts the child with `std::process::Command`, feeds its stdin, collects
//! its pipes and waits for it **with the GIL released** (recorded as a blocking wait,
//! `Release::Blocked("subprocess", 0)`), as CPython's `Popen.communicate`/`wait` do: other Python
//! threads run meanwhile, and several threads' children run side by side. Everything the
//! released section needs is copied out of interpreter objects before it starts, and the result
//! becomes Python values after it ends.
//!
//! Not modelled: `Popen` objects, file objects or descriptors as `stdin`/`stdout`/`stderr`
//! (only `None`, `PIPE`, `DEVNULL` and, for stderr, `STDOUT`), `executable`, `preexec_fn`,
//! `pass_fds` and the like. A child that inherits stdout writes to file descriptor 1 directly,
//! not through the interpreter's stdout buffer, as in CPython (so unflushed `print` output
//! appears after the child's when stdout is a pipe, in both).

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{func, int_arg};
use crate::observe::Release;
use crate::vm::objects::{Args, Module};
use crate::vm::ops::{to_f64, type_name};
use crate::vm::{PyErr, PyResult, Value, Vm};

/// `subprocess.PIPE`: capture the stream through a pipe.
const PIPE: i64 = -1;
/// `subprocess.STDOUT`: send stderr where stdout goes.
const STDOUT: i64 = -2;
/// `subprocess.DEVNULL`: connect the stream to `/dev/null`.
const DEVNULL: i64 = -3;

/// Fills the `subprocess` module: the native `_run`, then the Python layer over it.
pub fn init(vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "_run", run);
    m.set("PIPE", Value::Int(PIPE));
    m.set("STDOUT", Value::Int(STDOUT));
    m.set("DEVNULL", Value::Int(DEVNULL));
    vm.exec_in_module(
        m,
        "<frozen subprocess>",
        include_str!("python/subprocess.py"),
    )
}

/// Where one of the child's standard streams goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Redirect {
    /// The interpreter's own stream (`None`).
    Inherit,
    /// A pipe read (or, for stdin, written) by the parent (`PIPE`).
    Pipe,
    /// `/dev/null` (`DEVNULL`).
    Null,
    /// stderr only: the same place as stdout (`STDOUT`).
    ToStdout,
}

/// Everything needed to run the child, owned, so it can cross into the GIL-free section.
struct Spec {
    argv: Vec<String>,
    cwd: Option<String>,
    env: Option<Vec<(String, String)>>,
    stdin: Redirect,
    input: Option<Vec<u8>>,
    stdout: Redirect,
    stderr: Redirect,
    timeout: Option<Duration>,
}

/// How the child ended and what it wrote to the pipes.
struct Outcome {
    status: ExitStatus,
    stdout: Option<Vec<u8>>,
    stderr: Option<Vec<u8>>,
    timed_out: bool,
}

/// `_run(argv, stdin, input, stdout, stderr, cwd, env, timeout)`: runs `argv` to completion and
/// returns `(returncode, stdout bytes or None, stderr bytes or None, timed_out)`; a child still
/// running at the timeout is killed. `python/subprocess.py` turns this into `run`'s results and
/// exceptions.
fn run(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("_run", 8, 8, &[])?;
    let spec = Spec {
        argv: argv_of(&args.pos[0])?,
        stdin: redirect(&args.pos[1], "stdin")?,
        input: match &args.pos[2] {
            Value::None => None,
            v => Some(super::bytes_arg(v)?.to_vec()),
        },
        stdout: redirect(&args.pos[3], "stdout")?,
        stderr: redirect(&args.pos[4], "stderr")?,
        cwd: match &args.pos[5] {
            Value::None => None,
            v => Some(path_arg(v)?.to_string()),
        },
        env: env_of(&args.pos[6])?,
        timeout: match &args.pos[7] {
            Value::None => None,
            v => Some(Duration::try_from_secs_f64(to_f64(v)?.max(0.0)).unwrap_or(Duration::MAX)),
        },
    };
    if spec.argv.is_empty() {
        return Err(PyErr::new(
            crate::vm::ExcKind::IndexError,
            "list index out of range",
        ));
    }
    let outcome = vm.allow_threads(Release::Blocked("subprocess", 0), || execute(&spec));
    let outcome = outcome.map_err(|e| {
        // A missing working directory fails the spawn like a missing program; CPython names
        // whichever it was.
        let missing_cwd = spec
            .cwd
            .as_deref()
            .filter(|c| !std::path::Path::new(c).is_dir());
        PyErr::from_io(&e, Some(missing_cwd.unwrap_or(&spec.argv[0])))
    })?;
    let returncode = match (outcome.status.code(), outcome.status.signal()) {
        (Some(code), _) => i64::from(code),
        (None, Some(sig)) => -i64::from(sig),
        (None, None) => -1,
    };
    let opt_bytes = |b: Option<Vec<u8>>| b.map_or(Value::None, Value::bytes);
    Ok(Value::tuple(vec![
        Value::Int(returncode),
        opt_bytes(outcome.stdout),
        opt_bytes(outcome.stderr),
        Value::Bool(outcome.timed_out),
    ]))
}

/// A path-like argument, with CPython's `TypeError` for anything but `str`.
fn path_arg(v: &Value) -> PyResult<&str> {
    v.as_str().ok_or_else(|| {
        PyErr::type_error(format!(
            "expected str, bytes or os.PathLike object, not {}",
            type_name(v)
        ))
    })
}

/// The program and its arguments: a list (or tuple) of `str`.
fn argv_of(v: &Value) -> PyResult<Vec<String>> {
    let items = match v {
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.0.clone(),
        other => {
            return Err(PyErr::type_error(format!(
                "expected a list of arguments, not {}",
                type_name(other)
            )));
        }
    };
    items
        .iter()
        .map(|a| path_arg(a).map(str::to_string))
        .collect()
}

/// `env`: `None` (inherit the interpreter's environment) or a dict of `str` to `str` that
/// replaces it.
fn env_of(v: &Value) -> PyResult<Option<Vec<(String, String)>>> {
    match v {
        Value::None => Ok(None),
        Value::Dict(d) => d
            .items()
            .iter()
            .map(|(k, v)| Ok((path_arg(k)?.to_string(), path_arg(v)?.to_string())))
            .collect::<PyResult<Vec<_>>>()
            .map(Some),
        other => Err(PyErr::type_error(format!(
            "env must be a mapping, not {}",
            type_name(other)
        ))),
    }
}

/// `None`, `PIPE`, `DEVNULL` or (stderr only) `STDOUT`.
fn redirect(v: &Value, which: &str) -> PyResult<Redirect> {
    if v.is_none() {
        return Ok(Redirect::Inherit);
    }
    let unsupported = || {
        PyErr::value_error(format!(
            "gilsim's subprocess supports only None, PIPE, DEVNULL{} for {which}",
            if which == "stderr" { " and STDOUT" } else { "" }
        ))
    };
    match int_arg(v) {
        Ok(PIPE) => Ok(Redirect::Pipe),
        Ok(DEVNULL) => Ok(Redirect::Null),
        Ok(STDOUT) if which == "stderr" => Ok(Redirect::ToStdout),
        _ => Err(unsupported()),
    }
}

/// The `Stdio` for a stream that is not shared with another.
fn stdio(r: Redirect) -> Stdio {
    match r {
        Redirect::Inherit | Redirect::ToStdout => Stdio::inherit(),
        Redirect::Pipe => Stdio::piped(),
        Redirect::Null => Stdio::null(),
    }
}

/// Starts the child, feeds and drains its pipes, and waits for it (killing it at the timeout).
/// Touches no interpreter object: this is the part that runs with the GIL released.
fn execute(spec: &Spec) -> std::io::Result<Outcome> {
    // stderr=STDOUT with stdout=PIPE: both streams write into one pipe the parent reads.
    let mut merged_reader = None;
    let mut child = {
        let mut cmd = Command::new(&spec.argv[0]);
        cmd.args(&spec.argv[1..]);
        if let Some(cwd) = &spec.cwd {
            cmd.current_dir(cwd);
        }
        if let Some(env) = &spec.env {
            cmd.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
        }
        cmd.stdin(stdio(spec.stdin));
        match (spec.stdout, spec.stderr) {
            (Redirect::Pipe, Redirect::ToStdout) => {
                let (reader, writer) = std::io::pipe()?;
                cmd.stdout(writer.try_clone()?).stderr(writer);
                merged_reader = Some(reader);
            }
            (Redirect::Null, Redirect::ToStdout) => {
                cmd.stdout(Stdio::null()).stderr(Stdio::null());
            }
            (Redirect::Inherit, Redirect::ToStdout) => {
                let out = std::io::stdout();
                let fd = std::os::fd::AsFd::as_fd(&out).try_clone_to_owned()?;
                cmd.stdout(Stdio::inherit()).stderr(fd);
            }
            (out, err) => {
                cmd.stdout(stdio(out)).stderr(stdio(err));
            }
        }
        // `cmd` (and with it the parent's copies of the pipe's write end) is dropped at the end
        // of this block, so the reader sees end-of-file when the child exits.
        cmd.spawn()?
    };
    // A timeout too far away to represent is no timeout.
    let deadline = spec.timeout.and_then(|t| Instant::now().checked_add(t));
    if let Some(mut pipe) = child.stdin.take() {
        // As `communicate`: the input is written (and stdin closed) while the outputs are read,
        // each on its own thread, so no pipe can fill up and stall the child. A child that exits
        // without reading all its input is not an error (CPython ignores BrokenPipeError too).
        let input = spec.input.clone().unwrap_or_default();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let stdout = match merged_reader {
        Some(r) => Some(Collector::start(r)),
        None => child.stdout.take().map(Collector::start),
    };
    let stderr = child.stderr.take().map(Collector::start);
    let (status, mut timed_out) = wait(&mut child, deadline)?;
    // The pipes end when every process holding them has exited: a grandchild can keep them open
    // after the child is gone. Without a timeout that is waited for (as CPython does); with one,
    // it counts as timing out, and what was read by then is the output.
    if !timed_out {
        for c in stdout.iter().chain(stderr.iter()) {
            timed_out |= !c.finish(deadline);
        }
    }
    Ok(Outcome {
        status,
        stdout: stdout.map(|c| c.take()),
        stderr: stderr.map(|c| c.take()),
        timed_out,
    })
}

/// Reads one of the child's output pipes to its end on a thread of its own, into a buffer the
/// caller can take at any time (what was read so far, when it gives up waiting).
struct Collector {
    buf: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Collector {
    fn start(mut pipe: impl Read + Send + 'static) -> Collector {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let (tx, done) = mpsc::channel();
        let shared = buf.clone();
        std::thread::spawn(move || {
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => shared.lock().extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            let _ = tx.send(());
        });
        Collector { buf, done }
    }

    /// Waits for the end of the pipe, until `deadline` if there is one; false if it came first.
    fn finish(&self, deadline: Option<Instant>) -> bool {
        match deadline {
            None => self.done.recv().is_ok(),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                !matches!(
                    self.done.recv_timeout(left),
                    Err(mpsc::RecvTimeoutError::Timeout)
                )
            }
        }
    }

    /// The bytes read so far.
    fn take(self) -> Vec<u8> {
        std::mem::take(&mut *self.buf.lock())
    }
}

/// Waits for the child, until `deadline` if there is one; a child still running then is killed
/// and reaped. Returns its status and whether it timed out.
fn wait(child: &mut Child, deadline: Option<Instant>) -> std::io::Result<(ExitStatus, bool)> {
    let Some(deadline) = deadline else {
        return Ok((child.wait()?, false));
    };
    // Polls with a growing delay, as CPython's `Popen._wait` does with a timeout.
    let mut delay = Duration::from_micros(500);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((status, false));
        }
        let now = Instant::now();
        if now >= deadline {
            // The child may have exited since `try_wait`: it is then reaped below all the same.
            let _ = child.kill();
            return Ok((child.wait()?, true));
        }
        std::thread::sleep(delay.min(deadline - now));
        delay = (delay * 2).min(Duration::from_millis(50));
    }
}
