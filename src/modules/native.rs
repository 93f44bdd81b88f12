//! `native`: gilsim's stand-in for a C extension (think NumPy or a compression library), so
//! scripts can show what native code does to the GIL.
//!
//! | function | models |
//! |---|---|
//! | `compute(seconds)` | an extension doing CPU work with the GIL released (`Py_BEGIN_ALLOW_THREADS`): other threads run Python meanwhile, and several such calls run in parallel on several cores |
//! | `crunch(n)` | the same, sized by work instead of time: n rounds of integer mixing; returns a checksum |
//! | `compute_holding_gil(seconds)` / `crunch_holding_gil(n)` | an extension that forgot to release the GIL: every other thread stalls until it returns |
//! | `io(seconds)` | a blocking device read: sleeps with the GIL released |
//! | `_crash_interpreter()` | a test aid, not a model: an internal fatal error (a bug in gilsim) in the calling interpreter thread |

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::func;
use crate::observe::Release;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::{Args, Module};
use crate::vm::ops::{to_f64, to_index};
use crate::vm::{Value, Vm};

pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    func(m, "compute", compute);
    func(m, "crunch", crunch);
    func(m, "compute_holding_gil", compute_holding_gil);
    func(m, "crunch_holding_gil", crunch_holding_gil);
    func(m, "io", io);
    func(m, "_crash_interpreter", crash_interpreter);
    Ok(())
}

/// `_crash_interpreter()`: panics, as a bug in gilsim would, on the calling interpreter thread.
///
/// A test aid, for the safety nets that turn an internal error into an orderly end: no script
/// can make the interpreter fail honestly, yet what follows such a failure is part of being
/// robust (the thread ends with a message on stderr and the run's exit status is 70; a child
/// process ends with exit code 70, which its parent sees as `exitcode` while it carries on,
/// and pool work pending on it fails with `BrokenProcessPool`). A function of the module that
/// already stands in for a C extension was chosen over an environment variable: a test can
/// crash exactly the interpreter and the moment it means (a pool worker in the middle of a
/// task), under either process backend, and the leading underscore and this name keep it out
/// of anyone's way. It is the one panic a script can cause on purpose.
fn crash_interpreter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("_crash_interpreter", 0, 0, &[])?;
    panic!("native._crash_interpreter() was called (a simulated internal error)");
}

fn seconds(args: &Args<'_>, name: &str) -> PyResult<Duration> {
    args.check(name, 1, 1, &[])?;
    let s = to_f64(&args.pos[0])?;
    if s.is_nan() || s < 0.0 || s.is_infinite() {
        return Err(PyErr::value_error(format!(
            "{name}() needs a non-negative number of seconds"
        )));
    }
    Ok(Duration::from_secs_f64(s))
}

fn rounds(args: &Args<'_>, name: &str) -> PyResult<u64> {
    args.check(name, 1, 1, &[])?;
    let n = to_index(&args.pos[0])?;
    u64::try_from(n).map_err(|_| PyErr::value_error(format!("{name}() needs a non-negative count")))
}

/// Real CPU work: integer mixing whose result depends on every round (so it cannot be skipped).
fn mix(n: u64) -> u64 {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..n {
        x ^= i;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 31;
    }
    x
}

/// Spins on real work until `d` has passed; returns the rounds done.
fn busy_for(d: Duration) -> u64 {
    let end = Instant::now() + d;
    let mut rounds = 0;
    let mut acc = 0;
    while Instant::now() < end {
        acc ^= mix(10_000);
        rounds += 1;
    }
    std::hint::black_box(acc);
    rounds
}

/// Spins for `d`, or, in deterministic mode (where `d` passes in virtual time instead), only
/// says how many rounds it would have done at [`MODELLED_ROUND`] each, so output stays
/// reproducible.
fn spin(vm: &Vm, d: Duration) -> impl FnOnce() -> u64 + use<> {
    let virtual_time = vm.interp.gil.scheduler().is_some();
    move || {
        if virtual_time {
            (d.as_nanos() / MODELLED_ROUND.as_nanos()) as u64
        } else {
            busy_for(d)
        }
    }
}

/// What one round of [`busy_for`] is taken to cost in deterministic mode.
const MODELLED_ROUND: Duration = Duration::from_micros(10);

/// What one round of [`mix`] is taken to cost in deterministic mode.
const MODELLED_MIX_NS: u64 = 1;

/// Deterministic mode: work that held the GIL for `ns` moves virtual time on by that much.
fn held_for(vm: &Vm, ns: u64) {
    if let Some(scheduler) = vm.interp.gil.scheduler() {
        scheduler.advance(ns);
    }
}

fn compute(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = seconds(&args, "compute")?;
    let work = spin(vm, d);
    let n = vm.allow_threads_costing(Release::Native("native.compute"), d, work);
    Ok(Value::Int(n as i64))
}

fn compute_holding_gil(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = seconds(&args, "compute_holding_gil")?;
    let n = spin(vm, d)();
    held_for(vm, u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    Ok(Value::Int(n as i64))
}

fn crunch(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = rounds(&args, "crunch")?;
    let cost = Duration::from_nanos(n.saturating_mul(MODELLED_MIX_NS));
    let r = vm.allow_threads_costing(Release::Native("native.crunch"), cost, || mix(n));
    Ok(Value::Int((r >> 1) as i64))
}

fn crunch_holding_gil(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = rounds(&args, "crunch_holding_gil")?;
    let r = mix(n);
    held_for(vm, n.saturating_mul(MODELLED_MIX_NS));
    Ok(Value::Int((r >> 1) as i64))
}

fn io(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = seconds(&args, "io")?;
    let virtual_time = vm.interp.gil.scheduler().is_some();
    vm.allow_threads_costing(Release::Native("native.io"), d, || {
        if !virtual_time {
            std::thread::sleep(d)
        }
    });
    Ok(Value::None)
}
