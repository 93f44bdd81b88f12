//! The `builtins` namespace: functions like `print` and `len`, the built-in types as callable
//! classes (their constructors are the `__new__` natives installed here), and the exception
//! classes.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use rustc_hash::FxHashMap;

use super::Vm;
use super::errors::{EXCEPTION_TABLE, ExcKind, PyErr, PyResult};
use super::iter::make_iter;
use super::objects::*;
use super::ops::{self, to_index, type_name};
use super::types::BuiltinTypes;
use super::value::Value;
use crate::syntax::ast::BinOp;

fn native(name: &'static str, func: NativeFn) -> Value {
    Vm::native(name, func)
}

/// Builds the builtins table and installs the built-in types' constructors.
pub fn make_builtins(t: &BuiltinTypes) -> FxHashMap<Arc<str>, Value> {
    let mut b: FxHashMap<Arc<str>, Value> = FxHashMap::default();
    let funcs: &[(&'static str, NativeFn)] = &[
        ("print", print),
        ("len", len),
        ("repr", repr),
        ("ascii", ascii),
        ("abs", abs),
        ("min", min),
        ("max", max),
        ("sum", sum),
        ("all", all),
        ("any", any),
        ("sorted", sorted),
        ("reversed", reversed),
        ("enumerate", enumerate),
        ("zip", zip),
        ("map", map),
        ("filter", filter),
        ("iter", iter),
        ("next", next),
        ("isinstance", isinstance),
        ("issubclass", issubclass),
        ("hash", hash),
        ("id", id),
        ("getattr", getattr),
        ("setattr", setattr),
        ("hasattr", hasattr),
        ("delattr", delattr),
        ("callable", callable),
        ("chr", chr),
        ("ord", ord),
        ("hex", hex),
        ("oct", oct),
        ("bin", bin),
        ("divmod", divmod),
        ("pow", pow),
        ("round", round),
        ("format", format),
        ("input", input),
        ("vars", vars),
        ("globals", globals),
        ("super", super_),
        ("open", open),
    ];
    for (name, f) in funcs {
        b.insert(Arc::from(*name), native(name, *f));
    }
    let ctors: &[(&Arc<Class>, &'static str, NativeFn)] = &[
        (&t.type_, "type", type_new),
        (&t.int, "int", int_new),
        (&t.float, "float", float_new),
        (&t.bool_, "bool", bool_new),
        (&t.str_, "str", str_new),
        (&t.bytes, "bytes", bytes_new),
        (&t.list, "list", list_new),
        (&t.tuple, "tuple", tuple_new),
        (&t.dict, "dict", dict_new),
        (&t.set, "set", set_new),
        (&t.frozenset, "frozenset", frozenset_new),
        (&t.range, "range", range_new),
        (&t.slice, "slice", slice_new),
        (&t.object, "object", object_new),
        (&t.property, "property", wrapper_new),
        (&t.staticmethod, "staticmethod", wrapper_new),
        (&t.classmethod, "classmethod", wrapper_new),
    ];
    for (cls, name, f) in ctors {
        cls.attrs_mut()
            .insert(Arc::from("__new__"), native(name, *f));
        b.insert(Arc::from(*name), Value::Class((*cls).clone()));
    }
    // `object.__setattr__(self, name, value)` and `__delattr__`: the plain instance store that
    // a class overriding them calls to do the actual work.
    t.object.attrs_mut().insert(
        Arc::from("__setattr__"),
        native("__setattr__", object_setattr),
    );
    t.object.attrs_mut().insert(
        Arc::from("__delattr__"),
        native("__delattr__", object_delattr),
    );
    t.property
        .attrs_mut()
        .insert(Arc::from("setter"), native("setter", property_setter));
    t.property
        .attrs_mut()
        .insert(Arc::from("getter"), native("getter", property_getter));
    for (i, (name, _)) in EXCEPTION_TABLE.iter().enumerate() {
        b.insert(Arc::from(*name), Value::Class(t.exceptions[i].clone()));
    }
    b.insert(Arc::from("None"), Value::None);
    b.insert(Arc::from("NotImplemented"), Value::NotImplemented);
    b.insert(Arc::from("Ellipsis"), Value::Ellipsis);
    b.insert(Arc::from("__name__"), Value::str("builtins"));
    b.insert(
        Arc::from("IOError"),
        Value::Class(t.exception(ExcKind::OSError).clone()),
    );
    b.insert(
        Arc::from("EnvironmentError"),
        Value::Class(t.exception(ExcKind::OSError).clone()),
    );
    b
}

fn arg<'a>(args: &Args<'a>, i: usize, fname: &str) -> PyResult<&'a Value> {
    args.pos.get(i).ok_or_else(|| {
        PyErr::type_error(format!(
            "{fname}() missing required argument (pos {})",
            i + 1
        ))
    })
}

fn print(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("print", 0, usize::MAX, &["sep", "end", "file", "flush"])?;
    let opt_str = |v: Option<&Value>, default: &str| -> PyResult<String> {
        match v {
            None | Some(Value::None) => Ok(default.to_string()),
            Some(Value::Str(s)) => Ok(s.as_str().to_string()),
            Some(other) => Err(PyErr::type_error(format!(
                "sep must be None or a string, not {}",
                type_name(other)
            ))),
        }
    };
    let sep = opt_str(args.kw("sep"), " ")?;
    let end = opt_str(args.kw("end"), "\n")?;
    let mut out = String::new();
    for (i, a) in args.pos.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        match a {
            Value::Str(s) => out.push_str(s.as_str()),
            _ => out.push_str(&vm.to_str(a)?),
        }
    }
    out.push_str(&end);
    match args.kw("file") {
        None | Some(Value::None) => {
            vm.interp.write_stdout(&out);
            if matches!(args.kw("flush"), Some(Value::Bool(true))) {
                vm.interp.flush_stdout();
            }
        }
        Some(f) => {
            let w = vm.get_attr(f, "write")?;
            vm.call(&w, &[Value::str(out)])?;
            if matches!(args.kw("flush"), Some(Value::Bool(true)))
                && let Some(fl) = vm.find_attr(f, "flush")?
            {
                vm.call(&fl, &[])?;
            }
        }
    }
    Ok(Value::None)
}

fn len(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("len", 1, 1, &[])?;
    Ok(Value::Int(vm.len(&args.pos[0])? as i64))
}

fn repr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("repr", 1, 1, &[])?;
    Ok(Value::str(vm.repr(&args.pos[0])?))
}

/// Escapes non-ASCII characters of a repr, as `ascii()` does.
pub fn ascii_of(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let n = c as u32;
        if n < 128 {
            out.push(c);
        } else if n < 0x100 {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n < 0x10000 {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

fn ascii(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("ascii", 1, 1, &[])?;
    Ok(Value::str(ascii_of(&vm.repr(&args.pos[0])?)))
}

fn abs(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("abs", 1, 1, &[])?;
    let v = &args.pos[0];
    Ok(match v {
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .unwrap_or_else(|| Value::from_bigint(BigInt::from(*i).abs())),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::BigInt(b) => Value::from_bigint(b.abs()),
        Value::Float(f) => Value::Float(f.abs()),
        Value::Instance(i) if i.class.lookup("__abs__").is_some() => {
            let m = i.class.lookup("__abs__").unwrap();
            return vm.call(&m, std::slice::from_ref(v));
        }
        _ => {
            return Err(PyErr::type_error(format!(
                "bad operand type for abs(): '{}'",
                type_name(v)
            )));
        }
    })
}

fn min_max(vm: &mut Vm, args: Args<'_>, name: &str, want_less: bool) -> PyResult<Value> {
    args.check(name, 0, usize::MAX, &["key", "default"])?;
    if args.pos.is_empty() {
        return Err(PyErr::type_error(format!(
            "{name} expected at least 1 argument, got 0"
        )));
    }
    let items = if args.pos.len() == 1 {
        vm.iterate(&args.pos[0])?
    } else {
        args.pos.to_vec()
    };
    let key = args.kw("key").filter(|k| !k.is_none()).cloned();
    if items.is_empty() {
        return match args.kw("default") {
            Some(d) => Ok(d.clone()),
            None => Err(PyErr::value_error(format!(
                "{name}() arg is an empty sequence"
            ))),
        };
    }
    let mut best = items[0].clone();
    let mut best_key = match &key {
        Some(k) => vm.call(k, std::slice::from_ref(&best))?,
        None => best.clone(),
    };
    for item in items.into_iter().skip(1) {
        let k = match &key {
            Some(kf) => vm.call(kf, std::slice::from_ref(&item))?,
            None => item.clone(),
        };
        let op = if want_less {
            crate::syntax::ast::CmpOp::Lt
        } else {
            crate::syntax::ast::CmpOp::Gt
        };
        let better = vm.compare_op(&k, &best_key, op)?;
        let better = vm.truthy(&better)?;
        if better {
            best = item;
            best_key = k;
        }
    }
    Ok(best)
}

fn min(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    min_max(vm, args, "min", true)
}

fn max(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    min_max(vm, args, "max", false)
}

fn sum(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("sum", 1, 2, &["start"])?;
    let mut acc = args.get(1, "start").cloned().unwrap_or(Value::Int(0));
    if matches!(acc, Value::Str(_)) {
        return Err(PyErr::type_error(
            "sum() can't sum strings [use ''.join(seq) instead]",
        ));
    }
    let it = vm.get_iter(args.pos[0].clone())?;
    while let Some(x) = vm.iter_next(&it)? {
        acc = vm.binary_op(&acc, &x, BinOp::Add)?;
    }
    Ok(acc)
}

fn all(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("all", 1, 1, &[])?;
    let it = vm.get_iter(args.pos[0].clone())?;
    while let Some(x) = vm.iter_next(&it)? {
        if !vm.truthy(&x)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn any(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("any", 1, 1, &[])?;
    let it = vm.get_iter(args.pos[0].clone())?;
    while let Some(x) = vm.iter_next(&it)? {
        if vm.truthy(&x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

/// Sorts values in place with Python's semantics: stable, `key`, `reverse`, and the first
/// comparison error propagated.
pub fn sort_values(
    vm: &mut Vm,
    items: &mut Vec<Value>,
    key: Option<&Value>,
    reverse: bool,
) -> PyResult<()> {
    let keys: Vec<Value> = match key.filter(|k| !k.is_none()) {
        Some(k) => {
            let mut ks = Vec::with_capacity(items.len());
            for i in items.iter() {
                ks.push(vm.call(k, std::slice::from_ref(i))?);
            }
            ks
        }
        None => items.clone(),
    };
    let mut idx: Vec<usize> = (0..items.len()).collect();
    // Must item `x` go strictly before item `y`? (`<` only, as CPython's sort; a reverse sort
    // keeps equal items in their order, as CPython's does.)
    merge_sort(&mut idx, &mut |x, y| {
        if reverse {
            vm.lt(&keys[y], &keys[x])
        } else {
            vm.lt(&keys[x], &keys[y])
        }
    })?;
    let sorted: Vec<Value> = idx.into_iter().map(|i| items[i].clone()).collect();
    *items = sorted;
    Ok(())
}

/// A stable bottom-up merge sort of `idx` by a fallible "strictly before" test, stopping at the
/// first error. Unlike `slice::sort_by` it cannot panic when the order is not total (a NaN, or
/// a user `__lt__` that contradicts itself): it only trusts each answer once. Runs already in
/// order are merged with one comparison, so sorted input costs O(n).
fn merge_sort(
    idx: &mut Vec<usize>,
    before: &mut dyn FnMut(usize, usize) -> PyResult<bool>,
) -> PyResult<()> {
    let n = idx.len();
    let mut buf = idx.clone();
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            if mid >= hi || !before(idx[mid], idx[mid - 1])? {
                buf[lo..hi].copy_from_slice(&idx[lo..hi]);
            } else {
                let (mut a, mut b, mut k) = (lo, mid, lo);
                while a < mid && b < hi {
                    if before(idx[b], idx[a])? {
                        buf[k] = idx[b];
                        b += 1;
                    } else {
                        buf[k] = idx[a];
                        a += 1;
                    }
                    k += 1;
                }
                buf[k..k + (mid - a)].copy_from_slice(&idx[a..mid]);
                k += mid - a;
                buf[k..k + (hi - b)].copy_from_slice(&idx[b..hi]);
            }
            lo = hi;
        }
        std::mem::swap(idx, &mut buf);
        width *= 2;
    }
    Ok(())
}

fn sorted(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("sorted", 1, 1, &["key", "reverse"])?;
    let mut items = vm.iterate(&args.pos[0])?;
    let reverse = match args.kw("reverse") {
        Some(r) => vm.truthy(r)?,
        None => false,
    };
    sort_values(vm, &mut items, args.kw("key"), reverse)?;
    Ok(Value::list(items))
}

fn reversed(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("reversed", 1, 1, &[])?;
    let v = &args.pos[0];
    if let Value::Instance(i) = v
        && let Some(m) = i.class.lookup("__reversed__")
    {
        return vm.call(&m, std::slice::from_ref(v));
    }
    if matches!(v, Value::Set(_) | Value::Iter(_)) {
        return Err(PyErr::type_error(format!(
            "'{}' object is not reversible",
            type_name(v)
        )));
    }
    let mut items = vm.iterate(v)?;
    items.reverse();
    Ok(make_iter(IterState::Items { items, index: 0 }))
}

fn enumerate(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("enumerate", 1, 2, &["start", "iterable"])?;
    let inner = vm.get_iter(
        arg(&args, 0, "enumerate")
            .or_else(|_| {
                args.kw("iterable")
                    .ok_or(PyErr::type_error("enumerate() missing iterable"))
            })?
            .clone(),
    )?;
    let count = args.get(1, "start").cloned().unwrap_or(Value::Int(0));
    Ok(make_iter(IterState::Enumerate { inner, count }))
}

fn zip(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("zip", 0, usize::MAX, &["strict"])?;
    let mut inners = vec![];
    for a in args.pos {
        inners.push(vm.get_iter(a.clone())?);
    }
    if inners.is_empty() {
        return Ok(make_iter(IterState::Exhausted));
    }
    Ok(make_iter(IterState::Zip { inners }))
}

fn map(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("map", 2, usize::MAX, &[])?;
    let mut inners = vec![];
    for a in &args.pos[1..] {
        inners.push(vm.get_iter(a.clone())?);
    }
    Ok(make_iter(IterState::Map {
        func: args.pos[0].clone(),
        inners,
    }))
}

fn filter(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("filter", 2, 2, &[])?;
    let inner = vm.get_iter(args.pos[1].clone())?;
    Ok(make_iter(IterState::Filter {
        func: args.pos[0].clone(),
        inner,
    }))
}

fn iter(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("iter", 1, 2, &[])?;
    if args.pos.len() == 2 {
        return Ok(make_iter(IterState::CallUntil {
            func: args.pos[0].clone(),
            sentinel: args.pos[1].clone(),
        }));
    }
    vm.get_iter(args.pos[0].clone())
}

fn next(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("next", 1, 2, &[])?;
    match vm.iter_next(&args.pos[0])? {
        Some(v) => Ok(v),
        None => match args.pos.get(1) {
            Some(d) => Ok(d.clone()),
            None => Err(PyErr::new(ExcKind::StopIteration, "")),
        },
    }
}

fn class_matches(vm: &mut Vm, cls: &Arc<Class>, spec: &Value, fname: &str) -> PyResult<bool> {
    match spec {
        Value::Class(c) => Ok(cls.is_subclass(c) || (Arc::ptr_eq(c, &vm.interp.types.object))),
        Value::Tuple(t) => {
            for s in t.0.clone() {
                if class_matches(vm, cls, &s, fname)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(PyErr::type_error(format!(
            "{fname}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

fn isinstance(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("isinstance", 2, 2, &[])?;
    let cls = vm.class_of(&args.pos[0]);
    Ok(Value::Bool(class_matches(
        vm,
        &cls,
        &args.pos[1],
        "isinstance",
    )?))
}

fn issubclass(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("issubclass", 2, 2, &[])?;
    let Value::Class(c) = &args.pos[0] else {
        return Err(PyErr::type_error("issubclass() arg 1 must be a class"));
    };
    Ok(Value::Bool(class_matches(
        vm,
        c,
        &args.pos[1],
        "issubclass",
    )?))
}

fn hash(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("hash", 1, 1, &[])?;
    Ok(Value::Int(vm.hash(&args.pos[0])?))
}

fn id(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("id", 1, 1, &[])?;
    let v = &args.pos[0];
    Ok(Value::Int(match v.heap_ptr() {
        Some(p) => p as i64,
        None => ops::hash_of(v).wrapping_mul(31).wrapping_add(7),
    }))
}

fn attr_name<'a>(v: &'a Value, fname: &str) -> PyResult<&'a str> {
    let _ = fname;
    v.as_str().ok_or_else(|| {
        PyErr::type_error(format!(
            "attribute name must be string, not '{}'",
            type_name(v)
        ))
    })
}

fn getattr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getattr", 2, 3, &[])?;
    let name = attr_name(&args.pos[1], "getattr")?;
    match vm.find_attr(&args.pos[0], name)? {
        Some(v) => Ok(v),
        None => match args.pos.get(2) {
            Some(d) => Ok(d.clone()),
            None => Err(vm.attr_error(&args.pos[0], name)),
        },
    }
}

fn setattr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("setattr", 3, 3, &[])?;
    let name = attr_name(&args.pos[1], "setattr")?;
    vm.set_attr(&args.pos[0], name, args.pos[2].clone())?;
    Ok(Value::None)
}

fn hasattr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("hasattr", 2, 2, &[])?;
    let name = attr_name(&args.pos[1], "hasattr")?;
    Ok(Value::Bool(vm.find_attr(&args.pos[0], name)?.is_some()))
}

fn delattr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("delattr", 2, 2, &[])?;
    let name = attr_name(&args.pos[1], "delattr")?;
    vm.del_attr(&args.pos[0], name)?;
    Ok(Value::None)
}

fn callable(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("callable", 1, 1, &[])?;
    Ok(Value::Bool(match &args.pos[0] {
        Value::Function(_) | Value::Native(_) | Value::BoundMethod(_) | Value::Class(_) => true,
        Value::Instance(i) => i.class.lookup("__call__").is_some(),
        _ => false,
    }))
}

fn chr(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("chr", 1, 1, &[])?;
    let n = to_index(&args.pos[0])?;
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::str(c.to_string())),
        None => Err(PyErr::value_error("chr() arg not in range(0x110000)")),
    }
}

fn ord(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("ord", 1, 1, &[])?;
    match &args.pos[0] {
        Value::Str(s) => {
            let mut chars = s.as_str().chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Value::Int(c as i64)),
                _ => Err(PyErr::type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    s.char_len()
                ))),
            }
        }
        Value::Bytes(b) if b.0.len() == 1 => Ok(Value::Int(b.0[0] as i64)),
        other => Err(PyErr::type_error(format!(
            "ord() expected string of length 1, but {} found",
            type_name(other)
        ))),
    }
}

fn radix(args: &Args<'_>, fname: &str, prefix: &str, base: u32) -> PyResult<Value> {
    args.check(fname, 1, 1, &[])?;
    let n = ops::to_bigint(&args.pos[0]).map_err(|_| {
        PyErr::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(&args.pos[0])
        ))
    })?;
    let digits = n.abs().to_str_radix(base);
    Ok(Value::str(format!(
        "{}{prefix}{digits}",
        if n.is_negative() { "-" } else { "" }
    )))
}

fn hex(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    radix(&args, "hex", "0x", 16)
}

fn oct(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    radix(&args, "oct", "0o", 8)
}

fn bin(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    radix(&args, "bin", "0b", 2)
}

fn divmod(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("divmod", 2, 2, &[])?;
    let q = vm.binary_op(&args.pos[0], &args.pos[1], BinOp::FloorDiv)?;
    let r = vm.binary_op(&args.pos[0], &args.pos[1], BinOp::Mod)?;
    Ok(Value::tuple(vec![q, r]))
}

fn pow(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("pow", 2, 3, &["base", "exp", "mod"])?;
    match args.get(2, "mod") {
        Some(m) if !m.is_none() => {
            let (b, e, m) = (
                ops::to_bigint(&args.pos[0])?,
                ops::to_bigint(&args.pos[1])?,
                ops::to_bigint(m)?,
            );
            if m.is_zero() {
                return Err(PyErr::value_error("pow() 3rd argument cannot be 0"));
            }
            let (b, e) = if e.is_negative() {
                let inv = mod_inverse(&b, &m).ok_or_else(|| {
                    PyErr::value_error("base is not invertible for the given modulus")
                })?;
                (inv, -e)
            } else {
                (b, e)
            };
            let m_abs = m.abs();
            let r = b.modpow(&e, &m_abs);
            let r = if r.is_negative() { r + &m_abs } else { r };
            let r = if m.is_negative() && !r.is_zero() {
                r + &m
            } else {
                r
            };
            return Ok(Value::from_bigint(r));
            #[allow(unreachable_code)]
            let r = b.modpow(&e, &m);
            let r = if !r.is_zero() && (r.is_negative() != m.is_negative()) {
                r + &m
            } else {
                r
            };
            Ok(Value::from_bigint(r))
        }
        _ => vm.binary_op(&args.pos[0], &args.pos[1], BinOp::Pow),
    }
}

/// The inverse of `a` modulo `m`, by the extended Euclidean algorithm.
fn mod_inverse(a: &BigInt, m: &BigInt) -> Option<BigInt> {
    let m = m.abs();
    let (mut old_r, mut r) = (num_integer::Integer::mod_floor(a, &m), m.clone());
    let (mut old_s, mut s) = (BigInt::from(1), BigInt::from(0));
    while !r.is_zero() {
        let q = &old_r / &r;
        let nr = &old_r - &q * &r;
        old_r = std::mem::replace(&mut r, nr);
        let ns = &old_s - &q * &s;
        old_s = std::mem::replace(&mut s, ns);
    }
    (old_r == BigInt::from(1)).then(|| num_integer::Integer::mod_floor(&old_s, &m))
}

fn round(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("round", 1, 2, &["ndigits"])?;
    let v = &args.pos[0];
    let nd = args.get(1, "ndigits").filter(|n| !n.is_none());
    match v {
        Value::Float(f) => match nd {
            None => {
                if f.is_nan() {
                    return Err(PyErr::value_error("cannot convert float NaN to integer"));
                }
                if f.is_infinite() {
                    return Err(PyErr::overflow("cannot convert float infinity to integer"));
                }
                let r = f.round_ties_even();
                match r.to_i64() {
                    Some(i) if r.abs() < 9.2e18 => Ok(Value::Int(i)),
                    _ => Ok(Value::from_bigint(
                        num_traits::FromPrimitive::from_f64(r).unwrap_or_default(),
                    )),
                }
            }
            Some(n) => {
                let n = to_index(n)?;
                Ok(Value::Float(round_float(*f, n)))
            }
        },
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => match nd {
            None => Ok(Value::Int(to_index(v).unwrap_or(0))).map(|x| {
                if matches!(v, Value::BigInt(_)) {
                    v.clone()
                } else {
                    x
                }
            }),
            Some(n) => {
                let n = to_index(n)?;
                if n >= 0 {
                    return Ok(v.clone());
                }
                let p = num_traits::Pow::pow(BigInt::from(10), (-n) as u32);
                let x = ops::to_bigint(v)?;
                let (q, r) = num_integer::Integer::div_mod_floor(&x, &p);
                let twice = &r * 2;
                let q = if twice > p || (twice == p && num_integer::Integer::is_odd(&q)) {
                    q + 1
                } else {
                    q
                };
                Ok(Value::from_bigint(q * p))
            }
        },
        Value::Instance(i) if i.class.lookup("__round__").is_some() => {
            let m = i.class.lookup("__round__").unwrap();
            let mut a = vec![v.clone()];
            a.extend(nd.cloned());
            vm.call(&m, &a)
        }
        _ => Err(PyErr::type_error(format!(
            "type {} doesn't define __round__ method",
            type_name(v)
        ))),
    }
}

/// `round(x, n)` for floats, correctly rounded from the exact decimal expansion (as CPython).
pub fn round_float(x: f64, n: i64) -> f64 {
    if !x.is_finite() || n > 320 {
        return x;
    }
    if n < -320 {
        return 0.0f64.copysign(x);
    }
    if n >= 0 {
        let s = format!("{:.*}", n as usize, x);
        s.parse().unwrap_or(x)
    } else {
        let p = 10f64.powi((-n) as i32);
        let r = (x / p).round_ties_even() * p;
        if r.is_finite() { r } else { x }
    }
}

fn format(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("format", 1, 2, &[])?;
    let spec = args.pos.get(1).and_then(|s| s.as_str()).unwrap_or("");
    Ok(Value::str(vm.format_value(&args.pos[0], spec)?))
}

fn input(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("input", 0, 1, &[])?;
    if let Some(p) = args.pos.first() {
        let s = vm.to_str(p)?;
        vm.interp.write_stdout(&s);
    }
    vm.interp.flush_stdout();
    // The wait for a line runs with the GIL released, as in CPython (PyOS_Readline on a
    // terminal, the buffered `sys.stdin` read otherwise, both drop the GIL around the read).
    // It is recorded as a blocking wait, not native work: the thread waits on something outside
    // the process (a user, a pipe) like `sleep` does, and uses no CPU meanwhile.
    let mut line = String::new();
    let read = vm.allow_threads(crate::observe::Release::Blocked("input", 0), || {
        std::io::stdin().read_line(&mut line)
    });
    match read {
        Ok(0) => Err(PyErr::new(ExcKind::EOFError, "EOF when reading a line")),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            Ok(Value::str(line))
        }
        Err(e) => Err(PyErr::from_io(&e, None)),
    }
}

fn vars(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("vars", 1, 1, &[])?;
    vm.get_attr(&args.pos[0], "__dict__")
}

fn globals(vm: &mut Vm, _args: Args<'_>) -> PyResult<Value> {
    let m = match vm.frames.last() {
        Some(f) => Value::Module(f.globals().clone()),
        None => return Ok(Value::Dict(Arc::new(PyDict::new()))),
    };
    vm.get_attr(&m, "__dict__")
}

fn open(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    crate::modules::io::open(vm, args)
}

/// A `super()` proxy: attribute lookup starts after `start` in the receiver's class chain.
pub struct Super {
    start: Arc<Class>,
    receiver: Value,
}

static SUPER_CLASS: OnceLock<Arc<Class>> = OnceLock::new();

impl NativeObject for Super {
    fn class(&self) -> &Arc<Class> {
        SUPER_CLASS
            .get_or_init(|| super::types::new_class("super", "builtins", None, TypeKind::Builtin))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let a = self.start.base.as_ref()?.lookup(name)?;
        Some(match &a {
            Value::Function(_) | Value::Native(_) => Value::BoundMethod(Arc::new(BoundMethod {
                receiver: self.receiver.clone(),
                func: a,
            })),
            _ => a,
        })
    }
    fn repr(&self) -> Option<String> {
        Some(format!(
            "<super: <class '{}'>, <{} object>>",
            self.start.name,
            type_name(&self.receiver)
        ))
    }
}

fn super_(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("super", 0, 2, &[])?;
    let (start, receiver) = if args.pos.len() == 2 {
        match &args.pos[0] {
            Value::Class(c) => (c.clone(), args.pos[1].clone()),
            _ => return Err(PyErr::type_error("super() argument 1 must be a type")),
        }
    } else {
        let frame = vm
            .frames
            .last()
            .ok_or_else(|| PyErr::runtime_error("super(): no arguments"))?;
        let owner = frame.func.owner.get().and_then(|w| w.upgrade());
        let Some(cls) = owner else {
            return Err(PyErr::runtime_error("super(): __class__ cell not found"));
        };
        if frame.code().argcount == 0 {
            return Err(PyErr::runtime_error("super(): no arguments"));
        }
        let receiver = vm.stack[frame.base].clone();
        (cls, receiver)
    };
    Ok(Value::object(Super { start, receiver }))
}

// ---- constructors of the built-in types ----

fn type_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    match args.pos.len() {
        1 => Ok(Value::Class(vm.class_of(&args.pos[0]))),
        _ => Err(PyErr::not_implemented(
            "type() with three arguments is not supported by gilsim",
        )),
    }
}

fn object_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("object", 1, 1, &[])?;
    // A bare `object()` is a featureless sentinel; an instance of `object` itself.
    Ok(Value::Instance(Arc::new(Instance::new(
        _vm.interp.types.object.clone(),
    ))))
}

fn object_setattr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("__setattr__", 3, 3, &[])?;
    let name = args.pos[1]
        .as_str()
        .ok_or_else(|| PyErr::type_error("attribute name must be string"))?;
    match &args.pos[0] {
        Value::Instance(inst) => {
            inst.attrs.lock().insert_str(name, args.pos[2].clone());
            Ok(Value::None)
        }
        other => vm
            .set_attr(other, name, args.pos[2].clone())
            .map(|_| Value::None),
    }
}

fn object_delattr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("__delattr__", 2, 2, &[])?;
    let name = args.pos[1]
        .as_str()
        .ok_or_else(|| PyErr::type_error("attribute name must be string"))?;
    match &args.pos[0] {
        Value::Instance(inst) => match inst.attrs.lock().remove(name) {
            Some(_) => Ok(Value::None),
            None => Err(PyErr::attribute_error(format!(
                "'{}' object has no attribute '{name}'",
                inst.class.name
            ))),
        },
        other => vm.del_attr(other, name).map(|_| Value::None),
    }
}

/// Parses a Python int literal string in a base (`int("ff", 16)`, `int(" 1_000 ")`).
pub fn parse_int(s: &str, base: u32) -> Option<BigInt> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (0 | 16, Some("0x")) => (16, &t[2..]),
        (0 | 8, Some("0o")) => (8, &t[2..]),
        (0 | 2, Some("0b")) => (2, &t[2..]),
        (0, _) => {
            if t.len() > 1 && t.starts_with('0') && t.chars().any(|c| c != '0' && c != '_') {
                return None;
            }
            (10, t)
        }
        (b, _) => (b, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if !clean.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    let n = BigInt::parse_bytes(clean.as_bytes(), base)?;
    Some(if neg { -n } else { n })
}

fn int_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("int", 0, 2, &["base"])?;
    let Some(v) = args.pos.first() else {
        return Ok(Value::Int(0));
    };
    if let Some(b) = args.get(1, "base") {
        let base = to_index(b)?;
        if base != 0 && !(2..=36).contains(&base) {
            return Err(PyErr::value_error(
                "int() base must be >= 2 and <= 36, or 0",
            ));
        }
        let s = match v {
            Value::Str(s) => s.as_str().to_string(),
            Value::Bytes(b) => String::from_utf8_lossy(&b.0).into_owned(),
            _ => {
                return Err(PyErr::type_error(
                    "int() can't convert non-string with explicit base",
                ));
            }
        };
        ops::check_parse_digits(&s, base as u32, vm.int_max_str_digits())?;
        return parse_int(&s, base as u32)
            .map(Value::from_bigint)
            .ok_or_else(|| {
                PyErr::value_error(format!(
                    "invalid literal for int() with base {base}: {}",
                    super::format::str_repr(&s)
                ))
            });
    }
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Float(f) => {
            if f.is_nan() {
                return Err(PyErr::value_error("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(PyErr::overflow("cannot convert float infinity to integer"));
            }
            let t = f.trunc();
            Ok(match t.to_i64() {
                Some(i) if t.abs() < 9.2e18 => Value::Int(i),
                _ => Value::from_bigint(num_traits::FromPrimitive::from_f64(t).unwrap_or_default()),
            })
        }
        Value::Str(s) => {
            ops::check_parse_digits(s.as_str(), 10, vm.int_max_str_digits())?;
            parse_int(s.as_str(), 10)
                .map(Value::from_bigint)
                .ok_or_else(|| {
                    PyErr::value_error(format!(
                        "invalid literal for int() with base 10: {}",
                        super::format::str_repr(s.as_str())
                    ))
                })
        }
        Value::Bytes(b) => parse_int(&String::from_utf8_lossy(&b.0), 10)
            .map(Value::from_bigint)
            .ok_or_else(|| {
                PyErr::value_error(format!(
                    "invalid literal for int() with base 10: {}",
                    super::format::bytes_repr(&b.0)
                ))
            }),
        Value::Instance(i) => match i
            .class
            .lookup("__int__")
            .or_else(|| i.class.lookup("__index__"))
        {
            Some(m) => vm.call(&m, std::slice::from_ref(v)),
            None => Err(PyErr::type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                type_name(v)
            ))),
        },
        _ => Err(PyErr::type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            type_name(v)
        ))),
    }
}

/// Parses a float the way `float(str)` does (underscores between digits, inf/nan words).
pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        let neg = lower.starts_with('-');
        let v = if body == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if neg { -v } else { v });
    }
    if t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let clean: String = t.chars().filter(|&c| c != '_').collect();
    if clean.is_empty()
        || !clean
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    clean.parse::<f64>().ok()
}

fn float_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("float", 0, 1, &[])?;
    let Some(v) = args.pos.first() else {
        return Ok(Value::Float(0.0));
    };
    match v {
        Value::Str(s) => parse_float(s.as_str()).map(Value::Float).ok_or_else(|| {
            PyErr::value_error(format!(
                "could not convert string to float: {}",
                super::format::str_repr(s.as_str())
            ))
        }),
        Value::Instance(i) if i.class.lookup("__float__").is_some() => {
            let m = i.class.lookup("__float__").unwrap();
            vm.call(&m, std::slice::from_ref(v))
        }
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) | Value::Float(_) => {
            ops::to_f64(v).map(Value::Float)
        }
        _ => Err(PyErr::type_error(format!(
            "float() argument must be a string or a real number, not '{}'",
            type_name(v)
        ))),
    }
}

fn bool_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("bool", 0, 1, &[])?;
    match args.pos.first() {
        Some(v) => Ok(Value::Bool(vm.truthy(v)?)),
        None => Ok(Value::Bool(false)),
    }
}

fn str_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("str", 0, 3, &["encoding", "errors", "object"])?;
    match (args.get(0, "object"), args.get(1, "encoding")) {
        (None, _) => Ok(Value::str("")),
        (Some(Value::Bytes(b)), Some(_)) => match String::from_utf8(b.0.clone()) {
            Ok(s) => Ok(Value::str(s)),
            Err(_) => Err(PyErr::new(
                ExcKind::UnicodeDecodeError,
                "'utf-8' codec can't decode bytes",
            )),
        },
        (Some(v), _) => Ok(Value::str(vm.to_str(v)?)),
    }
}

fn bytes_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("bytes", 0, 3, &["encoding", "errors"])?;
    match args.pos.first() {
        None => Ok(Value::bytes(vec![])),
        Some(Value::Str(s)) => match args.get(1, "encoding") {
            Some(_) => Ok(Value::bytes(s.as_str().as_bytes().to_vec())),
            None => Err(PyErr::type_error("string argument without an encoding")),
        },
        Some(Value::Int(n)) => {
            if *n < 0 {
                return Err(PyErr::value_error("negative count"));
            }
            Ok(Value::bytes(vec![0; *n as usize]))
        }
        Some(v) => {
            let items = vm.iterate(v)?;
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                let n = to_index(&i)?;
                if !(0..256).contains(&n) {
                    return Err(PyErr::value_error("bytes must be in range(0, 256)"));
                }
                out.push(n as u8);
            }
            Ok(Value::bytes(out))
        }
    }
}

fn list_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("list", 0, 1, &[])?;
    match args.pos.first() {
        Some(v) => Ok(Value::list(vm.iterate(v)?)),
        None => Ok(Value::list(vec![])),
    }
}

fn tuple_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("tuple", 0, 1, &[])?;
    match args.pos.first() {
        Some(Value::Tuple(_)) => Ok(args.pos[0].clone()),
        Some(v) => Ok(Value::tuple(vm.iterate(v)?)),
        None => Ok(Value::tuple(vec![])),
    }
}

/// Adds key/value pairs from a mapping or an iterable of pairs (`dict(x)`, `d.update(x)`).
pub fn dict_merge(vm: &mut Vm, d: &PyDict, src: &Value) -> PyResult<()> {
    match src {
        Value::Dict(s) => {
            for (k, v) in s.items() {
                d.insert(k, v)?;
            }
        }
        _ if vm.find_attr(src, "keys")?.is_some()
            && !matches!(src, Value::List(_) | Value::Tuple(_)) =>
        {
            let keys_fn = vm.get_attr(src, "keys")?;
            let keys = vm.call(&keys_fn, &[])?;
            for k in vm.iterate(&keys)? {
                let v = vm.get_item(src, &k)?;
                d.insert(k, v)?;
            }
        }
        _ => {
            for (i, item) in vm.iterate(src)?.into_iter().enumerate() {
                let pair = vm.iterate(&item).map_err(|_| {
                    PyErr::type_error(format!(
                        "cannot convert dictionary update sequence element #{i} to a sequence"
                    ))
                })?;
                if pair.len() != 2 {
                    return Err(PyErr::value_error(format!(
                        "dictionary update sequence element #{i} has length {}; 2 is required",
                        pair.len()
                    )));
                }
                let mut p = pair.into_iter();
                d.insert(p.next().unwrap(), p.next().unwrap())?;
            }
        }
    }
    Ok(())
}

fn dict_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    if args.pos.len() > 1 {
        return Err(PyErr::type_error(format!(
            "dict expected at most 1 argument, got {}",
            args.pos.len()
        )));
    }
    let d = PyDict::new();
    if let Some(src) = args.pos.first() {
        dict_merge(vm, &d, src)?;
    }
    for (k, v) in args.kw {
        d.insert(Value::str(&**k), v.clone())?;
    }
    Ok(Value::Dict(Arc::new(d)))
}

fn make_set(vm: &mut Vm, args: Args<'_>, name: &str, frozen: bool) -> PyResult<Value> {
    args.check(name, 0, 1, &[])?;
    let mut set = SetMap::default();
    if let Some(v) = args.pos.first() {
        for i in vm.iterate(v)? {
            set.insert(HashKey::new(i)?);
        }
    }
    Ok(Value::Set(Arc::new(PySet {
        items: super::objlock::Mutex::new(set),
        frozen,
    })))
}

fn set_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    make_set(vm, args, "set", false)
}

fn frozenset_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    make_set(vm, args, "frozenset", true)
}

fn range_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("range", 1, 3, &[])?;
    let n: Vec<i64> = args.pos.iter().map(to_index).collect::<PyResult<_>>()?;
    let (start, stop, step) = match n.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        _ => unreachable!(),
    };
    if step == 0 {
        return Err(PyErr::value_error("range() arg 3 must not be zero"));
    }
    Ok(Value::Range(Arc::new(PyRange { start, stop, step })))
}

fn slice_new(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("slice", 1, 3, &[])?;
    let (lower, upper, step) = match args.pos {
        [u] => (Value::None, u.clone(), Value::None),
        [l, u] => (l.clone(), u.clone(), Value::None),
        [l, u, s] => (l.clone(), u.clone(), s.clone()),
        _ => unreachable!(),
    };
    Ok(Value::Slice(Arc::new(PySlice { lower, upper, step })))
}

/// `property(fget, fset)`, `staticmethod(f)`, `classmethod(f)`: instances holding the function(s).
fn wrapper_new(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let Some(Value::Class(cls)) = args.pos.first() else {
        unreachable!("wrapper constructors get their class")
    };
    let inst = Instance::new(cls.clone());
    if Arc::ptr_eq(cls, &vm.interp.types.property) {
        inst.set("fget", args.get(1, "fget").cloned().unwrap_or(Value::None));
        inst.set("fset", args.get(2, "fset").cloned().unwrap_or(Value::None));
        inst.set("__doc__", Value::None);
    } else {
        inst.set("__func__", args.pos.get(1).cloned().unwrap_or(Value::None));
    }
    Ok(Value::Instance(Arc::new(inst)))
}

fn property_setter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (Some(Value::Instance(p)), Some(f)) = (args.pos.first(), args.pos.get(1)) else {
        return Err(PyErr::type_error("setter() takes exactly one argument"));
    };
    let inst = Instance::new(p.class.clone());
    inst.set("fget", p.get("fget").unwrap_or(Value::None));
    inst.set("fset", f.clone());
    Ok(Value::Instance(Arc::new(inst)))
}

fn property_getter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (Some(Value::Instance(p)), Some(f)) = (args.pos.first(), args.pos.get(1)) else {
        return Err(PyErr::type_error("getter() takes exactly one argument"));
    };
    let inst = Instance::new(p.class.clone());
    inst.set("fget", f.clone());
    inst.set("fset", p.get("fset").unwrap_or(Value::None));
    Ok(Value::Instance(Arc::new(inst)))
}
