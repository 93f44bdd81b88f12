//! `list` and `tuple` methods.

use std::sync::Arc;

use super::add_methods;
use crate::vm::Vm;
use crate::vm::errors::{PyErr, PyResult};
use crate::vm::objects::{Args, Class, PyList};
use crate::vm::ops::to_index;
use crate::vm::value::Value;

pub fn install(list: &Arc<Class>, tuple: &Arc<Class>, range: &Arc<Class>) {
    add_methods(range, &[("index", index), ("count", count)]);
    add_methods(
        list,
        &[
            ("append", append),
            ("extend", extend),
            ("insert", insert),
            ("pop", pop),
            ("remove", remove),
            ("index", index),
            ("count", count),
            ("sort", sort),
            ("reverse", reverse),
            ("copy", copy),
            ("clear", clear),
        ],
    );
    add_methods(tuple, &[("index", index), ("count", count)]);
}

fn this<'a>(args: &Args<'a>, name: &str) -> PyResult<&'a Arc<PyList>> {
    match args.pos.first() {
        Some(Value::List(l)) => Ok(l),
        _ => Err(PyErr::type_error(format!(
            "descriptor '{name}' requires a 'list' object"
        ))),
    }
}

fn append(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("append", 2, 2, &[])?;
    let mut items = this(&args, "append")?.0.lock();
    crate::memory::reserve_push(&items)?;
    items.push(args.pos[1].clone());
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("extend", 2, 2, &[])?;
    let items = vm.iterate(&args.pos[1])?;
    let mut list = this(&args, "extend")?.0.lock();
    crate::memory::reserve_items(list.len().saturating_add(items.len()), 16)?;
    list.extend(items);
    Ok(Value::None)
}

fn insert(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("insert", 3, 3, &[])?;
    let l = this(&args, "insert")?;
    let i = to_index(&args.pos[1])?;
    let mut items = l.0.lock();
    crate::memory::reserve_push(&items)?;
    let n = items.len() as i64;
    let at = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
    items.insert(at, args.pos[2].clone());
    Ok(Value::None)
}

fn pop(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("pop", 1, 2, &[])?;
    let l = this(&args, "pop")?;
    let mut items = l.0.lock();
    if items.is_empty() {
        return Err(PyErr::index_error("pop from empty list"));
    }
    let i = match args.pos.get(1) {
        Some(v) => to_index(v)?,
        None => -1,
    };
    match crate::vm::protocol::norm_index(i, items.len()) {
        Some(at) => Ok(items.remove(at)),
        None => Err(PyErr::index_error("pop index out of range")),
    }
}

fn position(vm: &mut Vm, items: &[Value], x: &Value) -> PyResult<Option<usize>> {
    for (i, v) in items.iter().enumerate() {
        if vm.eq(v, x)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn items_of(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.0.clone(),
        Value::Range(r) => {
            let mut out = Vec::with_capacity(r.len().clamp(0, 1 << 20) as usize);
            let mut i = r.start;
            while (r.step > 0 && i < r.stop) || (r.step < 0 && i > r.stop) {
                out.push(Value::Int(i));
                i += r.step;
            }
            out
        }
        _ => vec![],
    }
}

fn remove(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("remove", 2, 2, &[])?;
    let l = this(&args, "remove")?;
    let x = &args.pos[1];
    // The comparisons may run Python code (`__eq__`), so they run on a snapshot without the
    // lock; the removal then re-validates under the lock that the matching item is still where
    // it was, and otherwise starts over: another thread changed the list before it, which is
    // progress for that thread, so the retries end.
    loop {
        let items = l.snapshot();
        let Some(i) = position(vm, &items, x)? else {
            return Err(PyErr::value_error("list.remove(x): x not in list"));
        };
        let mut cur = l.0.lock();
        if cur.get(i).is_some_and(|v| v.is(&items[i])) {
            cur.remove(i);
            return Ok(Value::None);
        }
    }
}

fn index(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("index", 2, 4, &[])?;
    let items = items_of(&args.pos[0]);
    let n = items.len() as i64;
    let clamp = |v: Option<&Value>, d: i64| -> PyResult<usize> {
        let i = match v {
            Some(v) => to_index(v)?,
            None => d,
        };
        Ok((if i < 0 { (i + n).max(0) } else { i.min(n) }) as usize)
    };
    let (start, end) = (clamp(args.pos.get(2), 0)?, clamp(args.pos.get(3), n)?);
    for (i, v) in items.iter().enumerate().take(end).skip(start) {
        if vm.eq(v, &args.pos[1])? {
            return Ok(Value::Int(i as i64));
        }
    }
    Err(PyErr::value_error(match &args.pos[0] {
        Value::Tuple(_) => "tuple.index(x): x not in tuple".to_string(),
        Value::Range(_) => format!("{} is not in range", vm.repr(&args.pos[1])?),
        _ => format!("{} is not in list", vm.repr(&args.pos[1])?),
    }))
}

fn count(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("count", 2, 2, &[])?;
    let mut n = 0;
    for v in items_of(&args.pos[0]) {
        if vm.eq(&v, &args.pos[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn sort(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("sort", 1, 1, &["key", "reverse"])?;
    let l = this(&args, "sort")?;
    let reverse = match args.kw("reverse") {
        Some(r) => vm.truthy(r)?,
        None => false,
    };
    let key = args.kw("key").filter(|k| !k.is_none());
    if key.is_none() {
        // Numbers only, or strings only: compared without Python code, so sorted under the
        // list's lock in one step (other threads see the list before or after, never empty).
        let mut items = l.0.lock();
        if let Some(cmp) = native_order(&items) {
            if reverse {
                // A stable sort on the reversed order keeps equal items in their order, as
                // CPython's reverse=True does.
                items.sort_by(|a, b| cmp(b, a));
            } else {
                items.sort_by(cmp);
            }
            return Ok(Value::None);
        }
    }
    // Comparisons or a key function that run Python code: as CPython, the list is empty while
    // it is sorted, and changes made meanwhile (by the key function or another thread) are
    // discarded with a ValueError.
    let mut items = std::mem::take(&mut *l.0.lock());
    let r = crate::vm::builtins::sort_values(vm, &mut items, key, reverse);
    let mut cur = l.0.lock();
    let modified = !cur.is_empty();
    *cur = items;
    drop(cur);
    r?;
    if modified {
        return Err(PyErr::value_error("list modified during sort"));
    }
    Ok(Value::None)
}

/// A total order for `items` that runs no Python code, if there is one: all numbers (no NaN),
/// or all strings.
fn native_order(items: &[Value]) -> Option<fn(&Value, &Value) -> std::cmp::Ordering> {
    use std::cmp::Ordering;
    let num = |v: &Value| match v {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => true,
        Value::Float(f) => !f.is_nan(),
        _ => false,
    };
    if items.iter().all(num) {
        return Some(|a, b| crate::vm::ops::num_cmp(a, b).unwrap_or(Ordering::Equal));
    }
    if items.iter().all(|v| matches!(v, Value::Str(_))) {
        return Some(|a, b| match (a, b) {
            (Value::Str(x), Value::Str(y)) => x.as_str().cmp(y.as_str()),
            _ => Ordering::Equal,
        });
    }
    None
}

fn reverse(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args, "reverse")?.0.lock().reverse();
    Ok(Value::None)
}

fn copy(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::list(this(&args, "copy")?.snapshot()))
}

fn clear(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args, "clear")?.0.lock().clear();
    Ok(Value::None)
}
