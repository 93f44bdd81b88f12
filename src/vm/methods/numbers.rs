//! `int` and `float` methods.

use std::sync::Arc;

use num_traits::Signed;

use super::add_methods;
use crate::vm::Vm;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::{Args, Class};
use crate::vm::ops::{to_bigint, to_f64};
use crate::vm::value::Value;

pub fn install(int: &Arc<Class>, float: &Arc<Class>) {
    add_methods(
        int,
        &[
            ("bit_length", bit_length),
            ("bit_count", bit_count),
            ("conjugate", conjugate),
        ],
    );
    add_methods(
        float,
        &[
            ("is_integer", is_integer),
            ("conjugate", conjugate),
            ("hex", float_hex),
        ],
    );
}

fn receiver<'a>(args: &Args<'a>) -> PyResult<&'a Value> {
    args.pos
        .first()
        .ok_or_else(|| PyErr::type_error("method needs a receiver"))
}

fn bit_length(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Int(to_bigint(receiver(&args)?)?.abs().bits() as i64))
}

fn bit_count(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let n = to_bigint(receiver(&args)?)?.abs();
    Ok(Value::Int(
        n.to_u64_digits()
            .1
            .iter()
            .map(|d| d.count_ones() as i64)
            .sum(),
    ))
}

fn conjugate(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(receiver(&args)?.clone())
}

fn is_integer(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = to_f64(receiver(&args)?)?;
    Ok(Value::Bool(f.is_finite() && f.fract() == 0.0))
}

fn float_hex(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = to_f64(receiver(&args)?)?;
    Ok(Value::str(format!("{f:e}")))
}
