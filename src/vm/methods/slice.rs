//! `slice` methods.

use std::sync::Arc;

use super::add_methods;
use crate::vm::Vm;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::{Args, Class};
use crate::vm::ops::to_index;
use crate::vm::protocol::slice_indices;
use crate::vm::value::Value;

pub fn install(slice: &Arc<Class>) {
    add_methods(slice, &[("indices", indices)]);
}

/// `slice.indices(length)`: the clamped (start, stop, step) for a sequence of that length.
fn indices(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("indices", 2, 2, &[])?;
    let Value::Slice(s) = &args.pos[0] else {
        return Err(PyErr::type_error("indices() needs a slice"));
    };
    let len = to_index(&args.pos[1])?;
    if len < 0 {
        return Err(PyErr::value_error("length should not be negative"));
    }
    let (a, b, c) = slice_indices(s, len)?;
    Ok(Value::tuple(vec![
        Value::Int(a),
        Value::Int(b),
        Value::Int(c),
    ]))
}
