//! `native`: gilsim's stand-in for a C extension (think NumPy or a compression library), so
//! scripts can show what native code does to the GIL.
//!
//! | function | models |
//! |---|---|
//! | `compute(seconds)` | an extension doing CPU work with the GIL released (`Py_BEGIN_ALLOW_THREADS`): other threads run Python meanwhile, and several such calls run in parallel on several cores |
//! | `crunch(n)` | the same, sized by work instead of time: n rounds of integer mixing; returns a checksum |
//! | `compute_holding_gil(seconds)` / `crunch_holding_gil(n)` | an extension that forgot to release the GIL: every other thread stalls until it returns |
//! | `io(seconds)` | a blocking device read: sleeps with the GIL released |

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
    Ok(())
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

fn compute(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = seconds(&args, "compute")?;
    let n = vm.allow_threads(Release::Native("native.compute"), || busy_for(d));
    Ok(Value::Int(n as i64))
}

fn compute_holding_gil(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = seconds(&args, "compute_holding_gil")?;
    Ok(Value::Int(busy_for(d) as i64))
}

fn crunch(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = rounds(&args, "crunch")?;
    let r = vm.allow_threads(Release::Native("native.crunch"), || mix(n));
    Ok(Value::Int((r >> 1) as i64))
}

fn crunch_holding_gil(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = rounds(&args, "crunch_holding_gil")?;
    Ok(Value::Int((mix(n) >> 1) as i64))
}

fn io(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let d = seconds(&args, "io")?;
    vm.allow_threads(Release::Native("native.io"), || std::thread::sleep(d));
    Ok(Value::None)
}
