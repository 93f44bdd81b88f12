//! The `time` module: wall-clock, monotonic and CPU clocks, and `sleep`.
//!
//! Models CPython's clocks closely enough for timing code: `time()`/`time_ns()` read the system
//! clock, `perf_counter()` and `monotonic()` a monotonic clock (measured from a fixed origin
//! taken when the process first asks for it, so only differences are meaningful, as in CPython),
//! `process_time()`/`thread_time()` the CPU time the kernel reports. All sleeping goes through
//! [`sleep_for`], the single place where a thread blocks on the clock, so that releasing the GIL
//! around it needs one change.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use num_bigint::BigInt;

use super::func;
use crate::observe::Release;
use crate::vm::objects::{Args, Module};
use crate::vm::ops::type_name;
use crate::vm::{PyErr, PyResult, Value, Vm};

/// Fills the `time` module.
pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "time", time);
    func(m, "time_ns", time_ns);
    func(m, "perf_counter", perf_counter);
    func(m, "perf_counter_ns", perf_counter_ns);
    func(m, "monotonic", perf_counter);
    func(m, "monotonic_ns", perf_counter_ns);
    func(m, "process_time", process_time);
    func(m, "process_time_ns", process_time_ns);
    func(m, "thread_time", thread_time);
    func(m, "thread_time_ns", thread_time_ns);
    func(m, "sleep", sleep);
    Ok(())
}

/// Blocks the calling thread for `d`. Every sleep in the interpreter comes through here; this is
/// the hook where the GIL will be released for the duration (as CPython's `time.sleep` does).
pub fn sleep_for(vm: &mut Vm, d: Duration) -> PyResult<()> {
    if vm.interp.gil.scheduler().is_some() {
        // Deterministic mode: others run while virtual time passes.
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        vm.block_deterministic("sleep", 0, Some(ns));
        return vm.check_interrupt();
    }
    // The main thread's sleep ends early at Ctrl-C, as CPython's does (EINTR), and raises
    // `KeyboardInterrupt`; any thread's ends early when its process is terminated.
    let main_thread = vm.is_main_thread();
    let interp = vm.interp.clone();
    let cut_short = move || {
        (main_thread && interp.interrupt_pending.load(Ordering::Relaxed))
            || interp.process.terminate.requested().is_some()
    };
    // As CPython: the GIL is released around the sleep, even `sleep(0)`.
    vm.allow_threads(Release::Blocked("sleep", 0), || {
        if d.is_zero() {
            // CPython still makes the clock_nanosleep system call for sleep(0), which on
            // Linux sleeps for the thread's timer slack (about 50 us); so do we. Returning at
            // once instead lets the sleeper retake the GIL before a waiter it woke has run,
            // which hides the convoy effect (F5).
            std::thread::sleep(Duration::from_nanos(1));
            return;
        }
        let end = Instant::now() + d;
        while !cut_short() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(INTERRUPT_POLL));
        }
    });
    crate::process::check_terminated(vm)?;
    vm.check_interrupt()
}

/// How often a sleep looks for a Ctrl-C or a terminate request.
const INTERRUPT_POLL: Duration = Duration::from_millis(50);

fn no_args(args: &Args<'_>, name: &str) -> PyResult<()> {
    args.check(name, 0, 0, &[])
}

/// Where deterministic mode's wall clock starts: 2023-11-14 22:13:20 UTC (a fixed date, so
/// `time.time()` repeats from run to run).
const VIRTUAL_EPOCH: Duration = Duration::from_secs(1_700_000_000);

/// The virtual time of deterministic mode, if the run is in it.
fn virtual_now(vm: &Vm) -> Option<Duration> {
    vm.interp
        .gil
        .scheduler()
        .map(|s| Duration::from_nanos(s.now_ns()))
}

/// Time since the Unix epoch (negative before it).
fn since_epoch(vm: &Vm) -> (bool, Duration) {
    if let Some(t) = virtual_now(vm) {
        return (false, VIRTUAL_EPOCH + t);
    }
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (false, d),
        Err(e) => (true, e.duration()),
    }
}

fn time(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "time")?;
    let (neg, d) = since_epoch(vm);
    let s = d.as_secs_f64();
    Ok(Value::Float(if neg { -s } else { s }))
}

fn time_ns(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "time_ns")?;
    let (neg, d) = since_epoch(vm);
    let ns = BigInt::from(d.as_nanos());
    Ok(Value::from_bigint(if neg { -ns } else { ns }))
}

/// The monotonic clock: time since a fixed origin set on first use (virtual time in
/// deterministic mode).
fn monotonic_elapsed(vm: &Vm) -> Duration {
    if let Some(t) = virtual_now(vm) {
        return t;
    }
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed()
}

fn perf_counter(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "perf_counter")?;
    Ok(Value::Float(monotonic_elapsed(vm).as_secs_f64()))
}

fn perf_counter_ns(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "perf_counter_ns")?;
    Ok(Value::from_bigint(BigInt::from(
        monotonic_elapsed(vm).as_nanos(),
    )))
}

/// CPU time (user + system) of the whole process, in nanoseconds, from `/proc/self/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s, the value of `sysconf(_SC_CLK_TCK)` on Linux).
fn process_cpu_ns() -> PyResult<u128> {
    const TICKS_PER_SEC: u128 = 100;
    let err = |e: std::io::Error| PyErr::from_io(&e, None);
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(err)?;
    // The command name (field 2) is parenthesised and may contain spaces: skip past it.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3, so fields 14 and 15 are at indices 11 and 12.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u128>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => Ok((user + system) * 1_000_000_000 / TICKS_PER_SEC),
        _ => Err(PyErr::new(
            crate::vm::ExcKind::OSError,
            "cannot read the process CPU time",
        )),
    }
}

/// CPU time of the calling thread, in nanoseconds, from `/proc/thread-self/schedstat`.
fn thread_cpu_ns() -> PyResult<u128> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")
        .map_err(|e| PyErr::from_io(&e, None))?;
    text.split_whitespace()
        .next()
        .and_then(|f| f.parse::<u128>().ok())
        .ok_or_else(|| {
            PyErr::new(
                crate::vm::ExcKind::OSError,
                "cannot read the thread CPU time",
            )
        })
}

fn process_time(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "process_time")?;
    Ok(Value::Float(process_cpu_ns()? as f64 / 1e9))
}

fn process_time_ns(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "process_time_ns")?;
    Ok(Value::from_bigint(BigInt::from(process_cpu_ns()?)))
}

fn thread_time(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "thread_time")?;
    Ok(Value::Float(thread_cpu_ns()? as f64 / 1e9))
}

fn thread_time_ns(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    no_args(&args, "thread_time_ns")?;
    Ok(Value::from_bigint(BigInt::from(thread_cpu_ns()?)))
}

/// `time.sleep(secs)`: an int or float number of seconds, with CPython's errors.
fn sleep(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("sleep", 1, 1, &[])?;
    let secs = match &args.pos[0] {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        Value::Bool(b) => *b as i64 as f64,
        Value::BigInt(_) => {
            return Err(PyErr::overflow(
                "timestamp too large to convert to C _PyTime_t",
            ));
        }
        other => {
            return Err(PyErr::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(other)
            )));
        }
    };
    if secs.is_nan() {
        return Err(PyErr::value_error("Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(PyErr::value_error("sleep length must be non-negative"));
    }
    let d = Duration::try_from_secs_f64(secs)
        .map_err(|_| PyErr::overflow("timestamp out of range for platform time_t"))?;
    sleep_for(vm, d)?;
    Ok(Value::None)
}
