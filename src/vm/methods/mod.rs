//! Methods of the built-in types, one file per type, installed into the type's class at
//! interpreter start so that `x.append`, `list.append` and `getattr(x, "append")` all find them.
//! Every method is a native function whose first positional argument is the receiver.

pub mod bytes;
pub mod dict;
pub mod list;
pub mod numbers;
pub mod set;
pub mod slice;
pub mod str;

use std::sync::Arc;

use super::objects::{Class, NativeFn};
use super::types::BuiltinTypes;

/// Adds native methods to a class.
pub fn add_methods(cls: &Arc<Class>, methods: &[(&'static str, NativeFn)]) {
    let mut attrs = cls.attrs_mut();
    for &(name, func) in methods {
        attrs.insert(Arc::from(name), super::Vm::native(name, func));
    }
}

pub fn install(t: &BuiltinTypes) {
    str::install(&t.str_);
    bytes::install(&t.bytes);
    list::install(&t.list, &t.tuple, &t.range);
    dict::install(&t.dict);
    set::install(&t.set, &t.frozenset);
    numbers::install(&t.int, &t.float);
    slice::install(&t.slice);
    super::exceptions::install(t);
}
