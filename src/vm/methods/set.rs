//! `set` and `frozenset` methods.

use std::sync::Arc;

use super::add_methods;
use crate::vm::Vm;
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::value::Value;

pub fn install(set: &Arc<Class>, frozenset: &Arc<Class>) {
    let shared: &[(&'static str, NativeFn)] = &[
        ("union", union),
        ("intersection", intersection),
        ("difference", difference),
        ("symmetric_difference", symmetric_difference),
        ("issubset", issubset),
        ("issuperset", issuperset),
        ("isdisjoint", isdisjoint),
        ("copy", copy),
    ];
    add_methods(set, shared);
    add_methods(frozenset, shared);
    add_methods(
        set,
        &[
            ("add", add),
            ("discard", discard),
            ("remove", remove),
            ("pop", pop),
            ("clear", clear),
            ("update", update),
            ("intersection_update", intersection_update),
            ("difference_update", difference_update),
        ],
    );
}

fn this<'a>(args: &Args<'a>) -> PyResult<&'a Arc<PySet>> {
    match args.pos.first() {
        Some(Value::Set(s)) => Ok(s),
        _ => Err(PyErr::type_error("descriptor requires a 'set' object")),
    }
}

fn keys_of(vm: &mut Vm, v: &Value) -> PyResult<SetMap> {
    match v {
        Value::Set(s) => Ok(s.items.lock().clone()),
        _ => vm.iterate(v)?.into_iter().map(HashKey::new).collect(),
    }
}

fn result(args: &Args<'_>, items: SetMap) -> PyResult<Value> {
    Ok(Value::Set(Arc::new(PySet {
        items: crate::vm::objlock::Mutex::new(items),
        frozen: this(args)?.frozen,
    })))
}

fn combine(vm: &mut Vm, args: Args<'_>, f: fn(SetMap, &SetMap) -> SetMap) -> PyResult<Value> {
    let mut acc = this(&args)?.items.lock().clone();
    for other in &args.pos[1..] {
        let o = keys_of(vm, other)?;
        acc = f(acc, &o);
    }
    result(&args, acc)
}

fn union(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    combine(vm, args, |mut a, b| {
        a.extend(b.iter().cloned());
        a
    })
}

fn intersection(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    combine(vm, args, |a, b| {
        a.into_iter().filter(|k| b.contains(k)).collect()
    })
}

fn difference(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    combine(vm, args, |a, b| {
        a.into_iter().filter(|k| !b.contains(k)).collect()
    })
}

fn symmetric_difference(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    combine(vm, args, |a, b| {
        a.symmetric_difference(b).cloned().collect()
    })
}

fn relation(vm: &mut Vm, args: Args<'_>, f: fn(&SetMap, &SetMap) -> bool) -> PyResult<Value> {
    args.check("issubset", 2, 2, &[])?;
    let a = this(&args)?.items.lock().clone();
    let b = keys_of(vm, &args.pos[1])?;
    Ok(Value::Bool(f(&a, &b)))
}

fn issubset(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    relation(vm, args, |a, b| a.is_subset(b))
}

fn issuperset(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    relation(vm, args, |a, b| a.is_superset(b))
}

fn isdisjoint(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    relation(vm, args, |a, b| a.is_disjoint(b))
}

fn copy(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let items = this(&args)?.items.lock().clone();
    result(&args, items)
}

fn add(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("add", 2, 2, &[])?;
    let k = HashKey::new(args.pos[1].clone())?;
    this(&args)?.items.lock().insert(k);
    Ok(Value::None)
}

fn discard(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("discard", 2, 2, &[])?;
    let k = HashKey::new(args.pos[1].clone())?;
    this(&args)?.items.lock().shift_remove(&k);
    Ok(Value::None)
}

fn remove(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("remove", 2, 2, &[])?;
    let k = HashKey::new(args.pos[1].clone())?;
    if this(&args)?.items.lock().shift_remove(&k) {
        Ok(Value::None)
    } else {
        Err(PyErr::with_args(
            ExcKind::KeyError,
            vec![args.pos[1].clone()],
        ))
    }
}

fn pop(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let mut items = this(&args)?.items.lock();
    match items.shift_remove_index(0) {
        Some(k) => Ok(k.0),
        None => Err(PyErr::new(ExcKind::KeyError, "pop from an empty set")),
    }
}

fn clear(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args)?.items.lock().clear();
    Ok(Value::None)
}

fn update(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args)?.clone();
    for other in &args.pos[1..] {
        let o = keys_of(vm, other)?;
        s.items.lock().extend(o);
    }
    Ok(Value::None)
}

fn intersection_update(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args)?.clone();
    for other in &args.pos[1..] {
        let o = keys_of(vm, other)?;
        s.items.lock().retain(|k| o.contains(k));
    }
    Ok(Value::None)
}

fn difference_update(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args)?.clone();
    for other in &args.pos[1..] {
        let o = keys_of(vm, other)?;
        s.items.lock().retain(|k| !o.contains(k));
    }
    Ok(Value::None)
}
