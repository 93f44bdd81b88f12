//! Python's object protocols on any value: operators (with `__add__`/`__radd__`-style dunder
//! fallbacks for user classes), comparison, truth, `repr`/`str`, subscripting, `len`, `in`.
//! Built-in types are handled directly; instances go through their class's dunder methods.

use std::cmp::Ordering;
use std::sync::Arc;

use super::Vm;
use super::errors::{ExcKind, PyErr, PyResult};
use super::format;
use super::objects::*;
use super::ops::{self, type_name};
use super::value::Value;
use crate::compile::opcode::Op;
use crate::syntax::ast::{BinOp, CmpOp};

fn dunder(op: BinOp) -> (&'static str, &'static str) {
    match op {
        BinOp::Add => ("__add__", "__radd__"),
        BinOp::Sub => ("__sub__", "__rsub__"),
        BinOp::Mul => ("__mul__", "__rmul__"),
        BinOp::Div => ("__truediv__", "__rtruediv__"),
        BinOp::FloorDiv => ("__floordiv__", "__rfloordiv__"),
        BinOp::Mod => ("__mod__", "__rmod__"),
        BinOp::Pow => ("__pow__", "__rpow__"),
        BinOp::LShift => ("__lshift__", "__rlshift__"),
        BinOp::RShift => ("__rshift__", "__rrshift__"),
        BinOp::BitOr => ("__or__", "__ror__"),
        BinOp::BitXor => ("__xor__", "__rxor__"),
        BinOp::BitAnd => ("__and__", "__rand__"),
        BinOp::MatMul => ("__matmul__", "__rmatmul__"),
    }
}

impl Vm {
    /// `a op b`.
    pub fn binary_op(&mut self, a: &Value, b: &Value, op: BinOp) -> PyResult<Value> {
        if let Some(v) = ops::number_op(a, b, op)? {
            return Ok(v);
        }
        if let Some(v) = self.builtin_binary(a, b, op)? {
            return Ok(v);
        }
        let (l, r) = dunder(op);
        if let Value::Instance(i) = a
            && let Some(m) = i.class.lookup(l)
        {
            let v = self.call(&m, &[a.clone(), b.clone()])?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(v);
            }
        }
        if let Value::Instance(i) = b
            && let Some(m) = i.class.lookup(r)
        {
            let v = self.call(&m, &[b.clone(), a.clone()])?;
            if !matches!(v, Value::NotImplemented) {
                return Ok(v);
            }
        }
        Err(binary_type_error(a, b, op))
    }

    /// `a op= b`: lists and sets extend in place, everything else as `a op b`.
    pub fn inplace_op(&mut self, a: Value, b: &Value, op: BinOp) -> PyResult<Value> {
        match (&a, op) {
            (Value::List(l), BinOp::Add) => {
                let items = self.iterate(b)?;
                l.0.lock().extend(items);
                return Ok(a);
            }
            (Value::Set(s), BinOp::BitOr) if !s.frozen && matches!(b, Value::Set(_)) => {
                let items = self.iterate(b)?;
                let mut set = s.items.lock();
                for i in items {
                    set.insert(HashKey(i));
                }
                drop(set);
                return Ok(a);
            }
            (Value::Instance(i), _) => {
                let name = format!("__i{}", &dunder(op).0[2..]);
                if let Some(m) = i.class.lookup(&name) {
                    let v = self.call(&m, &[a.clone(), b.clone()])?;
                    if !matches!(v, Value::NotImplemented) {
                        return Ok(v);
                    }
                }
            }
            _ => {}
        }
        self.binary_op(&a, b, op)
    }

    fn builtin_binary(&mut self, a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
        Ok(Some(match (a, b, op) {
            (Value::Str(x), Value::Str(y), BinOp::Add) => {
                let len = x.as_str().len() + y.as_str().len();
                if len > 4096 {
                    crate::memory::reserve(len)?;
                }
                let mut s = String::with_capacity(len);
                s.push_str(x.as_str());
                s.push_str(y.as_str());
                Value::str(s)
            }
            (Value::Str(_), _, BinOp::Add) if !matches!(b, Value::Instance(_)) => {
                return Err(PyErr::type_error(format!(
                    "can only concatenate str (not \"{}\") to str",
                    type_name(b)
                )));
            }
            (Value::Str(x), _, BinOp::Mod) => {
                Value::str(format::percent_format(self, x.as_str(), b)?)
            }
            (Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_), n, BinOp::Mul)
            | (n, Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_), BinOp::Mul)
                if !is_intlike(n)
                    && !matches!(
                        n,
                        Value::Instance(_)
                            | Value::Str(_)
                            | Value::List(_)
                            | Value::Tuple(_)
                            | Value::Bytes(_)
                    ) =>
            {
                return Err(PyErr::type_error(format!(
                    "can't multiply sequence by non-int of type '{}'",
                    type_name(n)
                )));
            }
            (Value::Str(x), n, BinOp::Mul) | (n, Value::Str(x), BinOp::Mul) if is_intlike(n) => {
                let k = repeat_count(n)?;
                crate::memory::reserve_items(x.as_str().len(), k)?;
                Value::str(x.as_str().repeat(k))
            }
            (Value::Bytes(_), Value::Str(_), BinOp::Add) => {
                return Err(PyErr::type_error("can't concat str to bytes"));
            }
            (Value::Bytes(x), Value::Bytes(y), BinOp::Add) => {
                Value::bytes([x.0.as_slice(), y.0.as_slice()].concat())
            }
            (Value::Bytes(x), n, BinOp::Mul) | (n, Value::Bytes(x), BinOp::Mul)
                if is_intlike(n) =>
            {
                let k = repeat_count(n)?;
                crate::memory::reserve_items(x.0.len(), k)?;
                Value::bytes(x.0.repeat(k))
            }
            (Value::List(x), Value::List(y), BinOp::Add) => {
                // One lock at a time: `a + a` is the same list twice.
                let (x, y) = (x.snapshot(), y.snapshot());
                crate::memory::reserve_items(x.len() + y.len(), VALUE_SIZE)?;
                let mut v = x;
                v.extend(y);
                Value::list(v)
            }
            (Value::List(_), _, BinOp::Add) if !matches!(b, Value::Instance(_)) => {
                return Err(PyErr::type_error(format!(
                    "can only concatenate list (not \"{}\") to list",
                    type_name(b)
                )));
            }
            (Value::List(x), n, BinOp::Mul) | (n, Value::List(x), BinOp::Mul) if is_intlike(n) => {
                let items = x.snapshot();
                let k = repeat_count(n)?;
                crate::memory::reserve_items(items.len().saturating_mul(k), VALUE_SIZE)?;
                let mut v = Vec::with_capacity(items.len() * k);
                for _ in 0..k {
                    v.extend(items.iter().cloned());
                }
                Value::list(v)
            }
            (Value::Tuple(x), Value::Tuple(y), BinOp::Add) => {
                let mut v = x.0.clone();
                v.extend(y.0.iter().cloned());
                Value::tuple(v)
            }
            (Value::Tuple(_), _, BinOp::Add) if !matches!(b, Value::Instance(_)) => {
                return Err(PyErr::type_error(format!(
                    "can only concatenate tuple (not \"{}\") to tuple",
                    type_name(b)
                )));
            }
            (Value::Tuple(x), n, BinOp::Mul) | (n, Value::Tuple(x), BinOp::Mul)
                if is_intlike(n) =>
            {
                let k = repeat_count(n)?;
                crate::memory::reserve_items(x.0.len().saturating_mul(k), VALUE_SIZE)?;
                let mut v = Vec::with_capacity(x.0.len() * k);
                for _ in 0..k {
                    v.extend(x.0.iter().cloned());
                }
                Value::tuple(v)
            }
            (
                Value::Set(x),
                Value::Set(y),
                BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
            ) => {
                let xs = x.items.lock().clone();
                let ys = y.items.lock().clone();
                let r: SetMap = match op {
                    BinOp::BitOr => xs.union(&ys).cloned().collect(),
                    BinOp::BitAnd => xs.intersection(&ys).cloned().collect(),
                    BinOp::Sub => xs.difference(&ys).cloned().collect(),
                    _ => xs.symmetric_difference(&ys).cloned().collect(),
                };
                Value::Set(Arc::new(PySet {
                    items: super::objlock::Mutex::new(r),
                    frozen: x.frozen,
                }))
            }
            (Value::Dict(x), Value::Dict(y), BinOp::BitOr) => {
                let mut m = x.0.lock().clone();
                for (k, v) in y.items() {
                    m.insert(HashKey(k), v);
                }
                Value::Dict(Arc::new(PyDict::from_map(m)))
            }
            _ => return Ok(None),
        }))
    }

    pub fn unary_op(&mut self, v: &Value, op: Op) -> PyResult<Value> {
        let (name, sym) = match op {
            Op::Neg => ("__neg__", "-"),
            Op::Pos => ("__pos__", "+"),
            _ => ("__invert__", "~"),
        };
        match (v, op) {
            (Value::Int(i), Op::Neg) => Ok(i
                .checked_neg()
                .map(Value::Int)
                .unwrap_or_else(|| Value::from_bigint(-num_bigint::BigInt::from(*i)))),
            (Value::Int(_) | Value::Bool(_), Op::Pos) => Ok(Value::Int(ops::to_index(v)?)),
            (Value::Bool(b), Op::Neg) => Ok(Value::Int(-(*b as i64))),
            (Value::Int(i), Op::Invert) => Ok(Value::Int(!i)),
            (Value::Bool(b), Op::Invert) => Ok(Value::Int(!(*b as i64))),
            (Value::BigInt(b), Op::Neg) => Ok(Value::from_bigint(-(**b).clone())),
            (Value::BigInt(_), Op::Pos) => Ok(v.clone()),
            (Value::BigInt(b), Op::Invert) => Ok(Value::from_bigint(-(**b).clone() - 1)),
            (Value::Float(f), Op::Neg) => Ok(Value::Float(-f)),
            (Value::Float(_), Op::Pos) => Ok(v.clone()),
            (Value::Instance(i), _) if i.class.lookup(name).is_some() => {
                let m = i.class.lookup(name).unwrap();
                self.call(&m, std::slice::from_ref(v))
            }
            _ => Err(PyErr::type_error(format!(
                "bad operand type for unary {sym}: '{}'",
                type_name(v)
            ))),
        }
    }

    /// `bool(v)`.
    pub fn truthy(&mut self, v: &Value) -> PyResult<bool> {
        Ok(match v {
            Value::None | Value::Unbound => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::BigInt(_) => true,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::Bytes(b) => !b.0.is_empty(),
            Value::List(l) => !l.0.lock().is_empty(),
            Value::Tuple(t) => !t.0.is_empty(),
            Value::Dict(d) => !d.0.lock().is_empty(),
            Value::Set(s) => !s.items.lock().is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::Instance(i) => {
                if let Some(m) = i.class.lookup("__bool__") {
                    let r = self.call(&m, std::slice::from_ref(v))?;
                    match r {
                        Value::Bool(b) => b,
                        _ => {
                            return Err(PyErr::type_error(format!(
                                "__bool__ should return bool, returned {}",
                                type_name(&r)
                            )));
                        }
                    }
                } else if i.class.lookup("__len__").is_some() {
                    self.len(v)? > 0
                } else {
                    true
                }
            }
            _ => true,
        })
    }

    /// `len(v)`.
    pub fn len(&mut self, v: &Value) -> PyResult<usize> {
        Ok(match v {
            Value::Str(s) => s.char_len(),
            Value::Bytes(b) => b.0.len(),
            Value::List(l) => l.0.lock().len(),
            Value::Tuple(t) => t.0.len(),
            Value::Dict(d) => d.0.lock().len(),
            Value::Set(s) => s.items.lock().len(),
            Value::Range(r) => r.len() as usize,
            Value::Instance(i) if i.class.lookup("__len__").is_some() => {
                let m = i.class.lookup("__len__").unwrap();
                let r = self.call(&m, std::slice::from_ref(v))?;
                let n = ops::to_index(&r)?;
                if n < 0 {
                    return Err(PyErr::value_error("__len__() should return >= 0"));
                }
                n as usize
            }
            Value::Object(_) => match self.find_attr(v, "__len__")? {
                Some(m) => ops::to_index(&self.call(&m, &[])?)? as usize,
                None => {
                    return Err(PyErr::type_error(format!(
                        "object of type '{}' has no len()",
                        type_name(v)
                    )));
                }
            },
            _ => {
                return Err(PyErr::type_error(format!(
                    "object of type '{}' has no len()",
                    type_name(v)
                )));
            }
        })
    }

    /// `a == b`.
    pub fn eq(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        if a.is(b) && !matches!(a, Value::Float(f) if f.is_nan()) {
            return Ok(true);
        }
        match (a, b) {
            (Value::List(_), Value::List(_))
            | (Value::Tuple(_), Value::Tuple(_))
            | (Value::Dict(_), Value::Dict(_))
            | (Value::Instance(_), _)
            | (_, Value::Instance(_)) => self.nested(" in comparison", |vm| vm.eq_value(a, b)),
            _ => self.eq_value(a, b),
        }
    }

    /// `a == b` once [`Vm::eq`] has counted the recursion level.
    fn eq_value(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Ok(x.as_str() == y.as_str()),
            (Value::List(x), Value::List(y)) => self.seq_eq(&x.snapshot(), &y.snapshot()),
            (Value::Tuple(x), Value::Tuple(y)) => self.seq_eq(&x.0.clone(), &y.0.clone()),
            (Value::Dict(x), Value::Dict(y)) => {
                let xi = x.items();
                let yd = y.0.lock().clone();
                if xi.len() != yd.len() {
                    return Ok(false);
                }
                for (k, v) in xi {
                    match yd.get(&HashKey(k)) {
                        Some(w) => {
                            if !self.eq(&v, w)? {
                                return Ok(false);
                            }
                        }
                        None => return Ok(false),
                    }
                }
                Ok(true)
            }
            (Value::Set(x), Value::Set(y)) => {
                // Lock one set at a time: the two may be the same object.
                let xs = x.items.lock().clone();
                let ys = y.items.lock().clone();
                Ok(xs.len() == ys.len() && xs.iter().all(|k| ys.contains(k)))
            }
            (Value::Range(x), Value::Range(y)) => {
                let (lx, ly) = (x.len(), y.len());
                Ok(lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step))))
            }
            (Value::Object(_), _) | (_, Value::Object(_))
                if super::methods::dict::view_as_set(a).is_some()
                    || super::methods::dict::view_as_set(b).is_some() =>
            {
                let as_set = |v: &Value| match v {
                    Value::Set(s) => Some(s.items.lock().clone()),
                    other => super::methods::dict::view_as_set(other),
                };
                Ok(match (as_set(a), as_set(b)) {
                    (Some(x), Some(y)) => x.len() == y.len() && x.iter().all(|k| y.contains(k)),
                    _ => false,
                })
            }
            (Value::Instance(_), _) | (_, Value::Instance(_)) => {
                for (p, q) in [(a, b), (b, a)] {
                    if let Value::Instance(i) = p
                        && let Some(m) = i.class.lookup("__eq__")
                    {
                        let r = self.call(&m, &[p.clone(), q.clone()])?;
                        if !matches!(r, Value::NotImplemented) {
                            return self.truthy(&r);
                        }
                    }
                }
                Ok(false)
            }
            _ => Ok(ops::key_eq(a, b)),
        }
    }

    fn seq_eq(&mut self, x: &[Value], y: &[Value]) -> PyResult<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (p, q) in x.iter().zip(y) {
            // Containers compare items by identity first, so `[nan] == [nan]` holds for one nan.
            if !p.is(q) && !self.eq(p, q)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Ordering for `<`, `<=`, `>`, `>=`; `None` when the types do not order.
    fn order(&mut self, a: &Value, b: &Value, op: CmpOp) -> PyResult<Option<bool>> {
        match (a, b) {
            (Value::List(_), Value::List(_))
            | (Value::Tuple(_), Value::Tuple(_))
            | (Value::Instance(_), _)
            | (_, Value::Instance(_)) => {
                self.nested(" in comparison", |vm| vm.order_value(a, b, op))
            }
            _ => self.order_value(a, b, op),
        }
    }

    /// The ordering once [`Vm::order`] has counted the recursion level.
    fn order_value(&mut self, a: &Value, b: &Value, op: CmpOp) -> PyResult<Option<bool>> {
        let from = |o: Option<Ordering>| o.map(|o| cmp_holds(o, op));
        Ok(match (a, b) {
            (Value::Str(x), Value::Str(y)) => from(Some(x.as_str().cmp(y.as_str()))),
            (Value::Bytes(x), Value::Bytes(y)) => from(Some(x.0.cmp(&y.0))),
            (Value::List(x), Value::List(y)) => self.seq_order(&x.snapshot(), &y.snapshot(), op)?,
            (Value::Tuple(x), Value::Tuple(y)) => self.seq_order(&x.0.clone(), &y.0.clone(), op)?,
            (Value::Set(x), Value::Set(y)) => {
                // Lock one set at a time: the two may be the same object.
                let xs = x.items.lock().clone();
                let ys = y.items.lock().clone();
                Some(match op {
                    CmpOp::LtE => xs.is_subset(&ys),
                    CmpOp::Lt => xs.len() < ys.len() && xs.is_subset(&ys),
                    CmpOp::GtE => xs.is_superset(&ys),
                    _ => xs.len() > ys.len() && xs.is_superset(&ys),
                })
            }
            _ if is_num(a) && is_num(b) => Some(
                ops::num_cmp(a, b)
                    .map(|o| cmp_holds(o, op))
                    .unwrap_or(false),
            ),
            _ => {
                let (name, reflected) = match op {
                    CmpOp::Lt => ("__lt__", "__gt__"),
                    CmpOp::LtE => ("__le__", "__ge__"),
                    CmpOp::Gt => ("__gt__", "__lt__"),
                    _ => ("__ge__", "__le__"),
                };
                for (p, q, n) in [(a, b, name), (b, a, reflected)] {
                    if let Value::Instance(i) = p
                        && let Some(m) = i.class.lookup(n)
                    {
                        let r = self.call(&m, &[p.clone(), q.clone()])?;
                        if !matches!(r, Value::NotImplemented) {
                            return Ok(Some(self.truthy(&r)?));
                        }
                    }
                }
                None
            }
        })
    }

    fn seq_order(&mut self, x: &[Value], y: &[Value], op: CmpOp) -> PyResult<Option<bool>> {
        for (p, q) in x.iter().zip(y) {
            if !self.eq(p, q)? {
                return match op {
                    CmpOp::Lt | CmpOp::LtE => self.lt(p, q).map(Some),
                    _ => self.lt(q, p).map(Some),
                };
            }
        }
        Ok(Some(cmp_holds(x.len().cmp(&y.len()), op)))
    }

    /// `a < b`, raising TypeError for unordered types (used by `sorted`, `min`, `max`).
    pub fn lt(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        match self.order(a, b, CmpOp::Lt)? {
            Some(r) => Ok(r),
            None => Err(order_error(a, b, CmpOp::Lt)),
        }
    }

    /// Any comparison operator, including `is` and `in`.
    pub fn compare_op(&mut self, a: &Value, b: &Value, op: CmpOp) -> PyResult<Value> {
        Ok(Value::Bool(match op {
            CmpOp::Eq => self.eq(a, b)?,
            CmpOp::NotEq => {
                if let Value::Instance(i) = a
                    && let Some(m) = i.class.lookup("__ne__")
                {
                    let r = self.call(&m, &[a.clone(), b.clone()])?;
                    if !matches!(r, Value::NotImplemented) {
                        return Ok(r);
                    }
                }
                !self.eq(a, b)?
            }
            CmpOp::Is => a.is(b),
            CmpOp::IsNot => !a.is(b),
            CmpOp::In => self.contains(b, a)?,
            CmpOp::NotIn => !self.contains(b, a)?,
            _ => match self.order(a, b, op)? {
                Some(r) => r,
                None => return Err(order_error(a, b, op)),
            },
        }))
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(x) => Ok(s.as_str().contains(x.as_str())),
                _ => Err(PyErr::type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    type_name(item)
                ))),
            },
            Value::Bytes(b) => match item {
                Value::Bytes(x) => {
                    Ok(x.0.is_empty() || b.0.windows(x.0.len()).any(|w| w == x.0.as_slice()))
                }
                Value::Int(i) => Ok(b.0.contains(&(*i as u8))),
                _ => Err(PyErr::type_error("a bytes-like object is required")),
            },
            Value::Dict(d) => {
                HashKey::check(item)?;
                Ok(d.0.lock().get_value(item).is_some())
            }
            Value::Set(s) => {
                let k = HashKey::new(item.clone())?;
                Ok(s.items.lock().contains(&k))
            }
            Value::Range(r) => Ok(match item {
                Value::Int(i) => {
                    let i = *i;
                    if r.step > 0 {
                        i >= r.start && i < r.stop && (i - r.start) % r.step == 0
                    } else {
                        i <= r.start && i > r.stop && (r.start - i) % (-r.step) == 0
                    }
                }
                Value::Bool(b) => self.contains(container, &Value::Int(*b as i64))?,
                Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => {
                    self.contains(container, &Value::Int(*f as i64))?
                }
                _ => false,
            }),
            Value::List(_) | Value::Tuple(_) => {
                let items = match container {
                    Value::List(l) => l.snapshot(),
                    Value::Tuple(t) => t.0.clone(),
                    _ => unreachable!(),
                };
                for x in &items {
                    if x.is(item) || self.eq(x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Instance(i) if i.class.lookup("__contains__").is_some() => {
                let m = i.class.lookup("__contains__").unwrap();
                let r = self.call(&m, &[container.clone(), item.clone()])?;
                self.truthy(&r)
            }
            _ => {
                let items = self.iterate(container).map_err(|_| {
                    PyErr::type_error(format!(
                        "argument of type '{}' is not iterable",
                        type_name(container)
                    ))
                })?;
                for x in &items {
                    if self.eq(x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// `repr(v)`. Containers, instances and the like are one level of native recursion each
    /// (see [`super::recursion`]): a list nested a hundred thousand deep raises
    /// `RecursionError`, as in CPython.
    pub fn repr(&mut self, v: &Value) -> PyResult<String> {
        match v {
            Value::List(_)
            | Value::Tuple(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::Slice(_)
            | Value::BoundMethod(_)
            | Value::Instance(_)
            | Value::Object(_) => self.nested(" while getting the repr of an object", |vm| {
                vm.repr_value(v)
            }),
            _ => self.repr_value(v),
        }
    }

    fn repr_value(&mut self, v: &Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::Unbound => "<unbound>".into(),
            Value::NativeMethod(_) => "<built-in method>".into(),
            Value::Ellipsis => "Ellipsis".into(),
            Value::NotImplemented => "NotImplemented".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(b) => {
                ops::check_str_digits(b, self.int_max_str_digits())?;
                b.to_string()
            }
            Value::Float(f) => format::float_repr(*f),
            Value::Str(s) => format::str_repr(s.as_str()),
            Value::Bytes(b) => format::bytes_repr(&b.0),
            Value::List(l) => {
                let items = l.snapshot();
                self.guarded_repr(v, |vm| Ok(format!("[{}]", vm.join_reprs(&items)?)), "[...]")?
            }
            Value::Tuple(t) => {
                if t.0.len() == 1 {
                    format!("({},)", self.repr(&t.0[0])?)
                } else {
                    format!("({})", self.join_reprs(&t.0)?)
                }
            }
            Value::Dict(d) => {
                let items = d.items();
                self.guarded_repr(
                    v,
                    |vm| {
                        let mut parts = Vec::with_capacity(items.len());
                        for (k, val) in &items {
                            parts.push(format!("{}: {}", vm.repr(k)?, vm.repr(val)?));
                        }
                        Ok(format!("{{{}}}", parts.join(", ")))
                    },
                    "{...}",
                )?
            }
            Value::Set(s) => {
                let items = s.snapshot();
                let inner = self.join_reprs(&items)?;
                match (s.frozen, items.is_empty()) {
                    (false, true) => "set()".into(),
                    (true, true) => "frozenset()".into(),
                    (false, false) => format!("{{{inner}}}"),
                    (true, false) => format!("frozenset({{{inner}}})"),
                }
            }
            Value::Range(r) => {
                if r.step == 1 {
                    format!("range({}, {})", r.start, r.stop)
                } else {
                    format!("range({}, {}, {})", r.start, r.stop, r.step)
                }
            }
            Value::Slice(s) => format!(
                "slice({}, {}, {})",
                self.repr(&s.lower)?,
                self.repr(&s.upper)?,
                self.repr(&s.step)?
            ),
            Value::Function(f) => format!(
                "<function {} at {:#x}>",
                f.code.qualname,
                v.heap_ptr().unwrap_or(0)
            ),
            Value::Native(n) => format!("<built-in function {}>", n.name),
            Value::BoundMethod(m) => {
                let fname = match &m.func {
                    Value::Function(f) => f.code.qualname.to_string(),
                    Value::Native(n) => n.name.to_string(),
                    _ => "?".into(),
                };
                format!("<bound method {} of {}>", fname, self.repr(&m.receiver)?)
            }
            Value::Class(c) => {
                if c.module == "builtins" {
                    format!("<class '{}'>", c.qualname)
                } else {
                    format!("<class '{}.{}'>", c.module, c.qualname)
                }
            }
            Value::Module(m) => match m.filename.as_str() {
                "<built-in>" => format!("<module '{}' (built-in)>", m.name),
                f if f.starts_with("<frozen") => format!("<module '{}' (frozen)>", m.name),
                f => format!("<module '{}' from '{f}'>", m.name),
            },
            Value::Iter(_) => format!("<iterator object at {:#x}>", v.heap_ptr().unwrap_or(0)),
            Value::Cell(_) => "<cell>".into(),
            Value::Code(c) => format!("<code object {}>", c.name),
            Value::Instance(i) => match i.class.lookup("__repr__") {
                Some(m) => {
                    let r = self.call(&m, std::slice::from_ref(v))?;
                    match r.as_str() {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(PyErr::type_error(format!(
                                "__repr__ returned non-string (type {})",
                                type_name(&r)
                            )));
                        }
                    }
                }
                None => default_repr(v, &i.class),
            },
            Value::Object(_) if super::methods::dict::view_repr(self, v).is_some() => {
                return super::methods::dict::view_repr(self, v).unwrap();
            }
            Value::Object(o) => match o.0.repr() {
                Some(r) => r,
                None => match self.lookup_method(v, &crate::compile::intern::intern("__repr__")) {
                    Some(m) => {
                        let r = self.call(&m, std::slice::from_ref(v))?;
                        r.as_str().unwrap_or("").to_string()
                    }
                    None => default_repr(v, o.0.class()),
                },
            },
        })
    }

    /// Guards against infinite recursion for self-containing lists and dicts.
    fn guarded_repr(
        &mut self,
        v: &Value,
        f: impl FnOnce(&mut Vm) -> PyResult<String>,
        cycle: &str,
    ) -> PyResult<String> {
        let id = v.heap_ptr().unwrap_or(0);
        if self.repr_stack.contains(&id) {
            return Ok(cycle.to_string());
        }
        self.repr_stack.push(id);
        let r = f(self);
        self.repr_stack.pop();
        r
    }

    fn join_reprs(&mut self, items: &[Value]) -> PyResult<String> {
        let mut parts = Vec::with_capacity(items.len());
        for i in items {
            parts.push(self.repr(i)?);
        }
        Ok(parts.join(", "))
    }

    /// `str(v)`.
    pub fn to_str(&mut self, v: &Value) -> PyResult<String> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            Value::Instance(i) => match i.class.lookup("__str__") {
                Some(m) => {
                    let r = self.call(&m, std::slice::from_ref(v))?;
                    match r.as_str() {
                        Some(s) => Ok(s.to_string()),
                        None => Err(PyErr::type_error(format!(
                            "__str__ returned non-string (type {})",
                            type_name(&r)
                        ))),
                    }
                }
                None => self.repr(v),
            },
            _ => self.repr(v),
        }
    }

    /// `format(v, spec)`, the f-string and `str.format` path.
    pub fn format_value(&mut self, v: &Value, spec: &str) -> PyResult<String> {
        if let Value::Instance(i) = v
            && let Some(m) = i.class.lookup("__format__")
        {
            let r = self.call(&m, &[v.clone(), Value::str(spec)])?;
            return Ok(r.as_str().unwrap_or("").to_string());
        }
        if spec.is_empty() {
            return self.to_str(v);
        }
        format::format_spec(self, v, spec)
    }

    /// `hash(v)`, calling `__hash__` on instances that define it.
    pub fn hash(&mut self, v: &Value) -> PyResult<i64> {
        if let Value::Instance(i) = v
            && let Some(m @ Value::Function(_)) = i.class.lookup("__hash__")
        {
            return ops::to_index(&self.call(&m, std::slice::from_ref(v))?);
        }
        HashKey::check(v)?;
        Ok(ops::hash_of(v))
    }

    /// `container[key]`.
    pub fn get_item(&mut self, c: &Value, k: &Value) -> PyResult<Value> {
        match (c, k) {
            (Value::List(l), Value::Int(i)) => {
                let items = l.0.lock();
                let idx = norm_index(*i, items.len())
                    .ok_or_else(|| PyErr::index_error("list index out of range"))?;
                Ok(items[idx].clone())
            }
            (Value::Tuple(t), Value::Int(i)) => {
                let idx = norm_index(*i, t.0.len())
                    .ok_or_else(|| PyErr::index_error("tuple index out of range"))?;
                Ok(t.0[idx].clone())
            }
            (Value::Dict(d), _) => {
                HashKey::check(k)?;
                let found = d.0.lock().get_value(k).cloned();
                match found {
                    Some(v) => Ok(v),
                    None => Err(PyErr::with_args(ExcKind::KeyError, vec![k.clone()])),
                }
            }
            (Value::Str(s), Value::Int(i)) => {
                let n = s.char_len();
                let idx = norm_index(*i, n)
                    .ok_or_else(|| PyErr::index_error("string index out of range"))?;
                Ok(Value::str(
                    s.char_at(idx).map(String::from).unwrap_or_default(),
                ))
            }
            (Value::Bytes(b), Value::Int(i)) => {
                let idx = norm_index(*i, b.0.len())
                    .ok_or_else(|| PyErr::index_error("index out of range"))?;
                Ok(Value::Int(b.0[idx] as i64))
            }
            (Value::Range(r), Value::Int(i)) => {
                let n = r.len();
                let idx = norm_index(*i, n as usize)
                    .ok_or_else(|| PyErr::index_error("range object index out of range"))?;
                Ok(Value::Int(r.start + r.step * idx as i64))
            }
            (_, Value::Bool(b)) if !matches!(c, Value::Dict(_) | Value::Instance(_)) => {
                self.get_item(c, &Value::Int(*b as i64))
            }
            (
                Value::List(_)
                | Value::Tuple(_)
                | Value::Str(_)
                | Value::Bytes(_)
                | Value::Range(_),
                Value::Slice(s),
            ) => self.get_slice(c, s),
            (Value::Instance(i), _) if i.class.lookup("__getitem__").is_some() => {
                let m = i.class.lookup("__getitem__").unwrap();
                self.call(&m, &[c.clone(), k.clone()])
            }
            (Value::Class(cls), _) if cls.kind == TypeKind::Builtin => Ok(c.clone()),
            (
                Value::List(_)
                | Value::Tuple(_)
                | Value::Str(_)
                | Value::Bytes(_)
                | Value::Range(_),
                _,
            ) => {
                let what = match c {
                    Value::List(_) => "list",
                    Value::Tuple(_) => "tuple",
                    Value::Str(_) => "string",
                    Value::Bytes(_) => "byte",
                    _ => "range object",
                };
                if matches!(k, Value::BigInt(_)) {
                    return Err(PyErr::index_error(
                        "cannot fit 'int' into an index-sized integer",
                    ));
                }
                if what == "string" {
                    return Err(PyErr::type_error(format!(
                        "string indices must be integers, not '{}'",
                        type_name(k)
                    )));
                }
                Err(PyErr::type_error(format!(
                    "{what} indices must be integers or slices, not {}",
                    type_name(k)
                )))
            }
            _ => match self.find_attr(c, "__getitem__")? {
                Some(m) if matches!(c, Value::Object(_)) => self.call(&m, std::slice::from_ref(k)),
                _ => Err(PyErr::type_error(format!(
                    "'{}' object is not subscriptable",
                    type_name(c)
                ))),
            },
        }
    }

    fn get_slice(&mut self, c: &Value, s: &PySlice) -> PyResult<Value> {
        if let Value::List(l) = c {
            // Bounds and items under one lock: another thread may resize the list in between.
            let items = l.0.lock();
            let (start, stop, step) = slice_indices(s, items.len() as i64)?;
            let picked = slice_positions(start, stop, step)
                .map(|i| items[i].clone())
                .collect();
            return Ok(Value::list(picked));
        }
        let len = self.len(c)? as i64;
        let (start, stop, step) = slice_indices(s, len)?;
        let idx = slice_positions(start, stop, step);
        Ok(match c {
            Value::Tuple(t) => Value::tuple(idx.map(|i| t.0[i].clone()).collect()),
            Value::Str(st) => {
                if st.is_ascii() {
                    let b = st.as_str().as_bytes();
                    if step == 1 {
                        let (a, z) = (start.max(0) as usize, stop.max(start).max(0) as usize);
                        Value::str(st.as_str()[a.min(b.len())..z.min(b.len())].to_string())
                    } else {
                        Value::str(idx.map(|i| b[i] as char).collect::<String>())
                    }
                } else {
                    let chars: Vec<char> = st.as_str().chars().collect();
                    Value::str(idx.map(|i| chars[i]).collect::<String>())
                }
            }
            Value::Bytes(b) => Value::bytes(idx.map(|i| b.0[i]).collect()),
            Value::Range(r) => Value::Range(Arc::new(PyRange {
                start: r.start + start * r.step,
                stop: r.start + stop * r.step,
                step: r.step * step,
            })),
            _ => unreachable!(),
        })
    }

    /// `container[key] = value`.
    pub fn set_item(&mut self, c: &Value, k: Value, v: Value) -> PyResult<()> {
        match (c, &k) {
            (Value::List(l), Value::Int(_) | Value::Bool(_)) => {
                let i = ops::to_index(&k)?;
                let mut items = l.0.lock();
                let idx = norm_index(i, items.len())
                    .ok_or_else(|| PyErr::index_error("list assignment index out of range"))?;
                items[idx] = v;
                Ok(())
            }
            (Value::List(l), Value::Slice(s)) => {
                // The new items first (`l[:] = l` reads a snapshot), then bounds and the
                // splice under one lock, as another thread may resize the list in between.
                let new = self.iterate(&v)?;
                let mut items = l.0.lock();
                let len = items.len() as i64;
                let (start, stop, step) = slice_indices(s, len)?;
                if step == 1 {
                    let a = start.clamp(0, len) as usize;
                    let z = (stop.max(start)).clamp(0, len) as usize;
                    items.splice(a..z, new);
                } else {
                    let pos: Vec<usize> = slice_positions(start, stop, step).collect();
                    if pos.len() != new.len() {
                        return Err(PyErr::value_error(format!(
                            "attempt to assign sequence of size {} to extended slice of size {}",
                            new.len(),
                            pos.len()
                        )));
                    }
                    for (p, x) in pos.into_iter().zip(new) {
                        items[p] = x;
                    }
                }
                Ok(())
            }
            (Value::Dict(d), _) => d.insert(k, v),
            (Value::Instance(i), _) if i.class.lookup("__setitem__").is_some() => {
                let m = i.class.lookup("__setitem__").unwrap();
                self.call(&m, &[c.clone(), k, v])?;
                Ok(())
            }
            (Value::Object(_), _) => match self.find_attr(c, "__setitem__")? {
                Some(m) => self.call(&m, &[k, v]).map(|_| ()),
                None => Err(PyErr::type_error(format!(
                    "'{}' object does not support item assignment",
                    type_name(c)
                ))),
            },
            (Value::List(_), _) => Err(PyErr::type_error(format!(
                "list indices must be integers or slices, not {}",
                type_name(&k)
            ))),
            _ => Err(PyErr::type_error(format!(
                "'{}' object does not support item assignment",
                type_name(c)
            ))),
        }
    }

    /// `del container[key]`.
    pub fn del_item(&mut self, c: &Value, k: &Value) -> PyResult<()> {
        match (c, k) {
            (Value::List(l), Value::Int(i)) => {
                let mut items = l.0.lock();
                let idx = norm_index(*i, items.len())
                    .ok_or_else(|| PyErr::index_error("list assignment index out of range"))?;
                items.remove(idx);
                Ok(())
            }
            (Value::List(l), Value::Slice(s)) => {
                // Bounds and removal under one lock: another thread may resize the list in
                // between (`del l[3:]` racing a `pop` removed past the end).
                let mut items = l.0.lock();
                let (start, stop, step) = slice_indices(s, items.len() as i64)?;
                if step == 1 {
                    if start < stop {
                        items.drain(start as usize..stop as usize);
                    }
                    return Ok(());
                }
                let mut pos: Vec<usize> = slice_positions(start, stop, step).collect();
                pos.sort_unstable();
                for p in pos.into_iter().rev() {
                    items.remove(p);
                }
                Ok(())
            }
            (Value::Dict(d), _) => {
                let key = HashKey::new(k.clone())?;
                match d.0.lock().remove(&key) {
                    Some(_) => Ok(()),
                    None => Err(PyErr::with_args(ExcKind::KeyError, vec![k.clone()])),
                }
            }
            (Value::Instance(i), _) if i.class.lookup("__delitem__").is_some() => {
                let m = i.class.lookup("__delitem__").unwrap();
                self.call(&m, &[c.clone(), k.clone()])?;
                Ok(())
            }
            _ => Err(PyErr::type_error(format!(
                "'{}' object doesn't support item deletion",
                type_name(c)
            ))),
        }
    }
}

fn is_num(v: &Value) -> bool {
    matches!(
        v,
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) | Value::Float(_)
    )
}

fn is_intlike(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_))
}

/// The bytes of one item of a list or tuple.
const VALUE_SIZE: usize = std::mem::size_of::<Value>();

/// The count of a sequence repetition (negative is zero); the caller checks the size of the
/// result with [`crate::memory::reserve_items`] before building it.
fn repeat_count(n: &Value) -> PyResult<usize> {
    let n = ops::to_index(n)?;
    Ok(usize::try_from(n.max(0)).unwrap_or(usize::MAX))
}

fn cmp_holds(o: Ordering, op: CmpOp) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::LtE => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::GtE => o != Ordering::Less,
        CmpOp::Eq => o == Ordering::Equal,
        _ => o != Ordering::Equal,
    }
}

fn cmp_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        CmpOp::GtE => ">=",
        CmpOp::Eq => "==",
        _ => "!=",
    }
}

fn order_error(a: &Value, b: &Value, op: CmpOp) -> PyErr {
    PyErr::type_error(format!(
        "'{}' not supported between instances of '{}' and '{}'",
        cmp_symbol(op),
        type_name(a),
        type_name(b)
    ))
}

fn binary_type_error(a: &Value, b: &Value, op: BinOp) -> PyErr {
    PyErr::type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        ops::op_symbol(op),
        type_name(a),
        type_name(b)
    ))
}

fn default_repr(v: &Value, cls: &Class) -> String {
    format!(
        "<{}.{} object at {:#x}>",
        cls.module,
        cls.qualname,
        v.heap_ptr().unwrap_or(0)
    )
}

/// A Python index (negative counts from the end) to a position, if in range.
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { i + len } else { i };
    (0..len).contains(&j).then_some(j as usize)
}

/// `slice.indices(len)`: clamped start, stop and step.
pub fn slice_indices(s: &PySlice, len: i64) -> PyResult<(i64, i64, i64)> {
    let get = |v: &Value| -> PyResult<Option<i64>> {
        match v {
            Value::None => Ok(None),
            Value::BigInt(b) => Ok(Some(if num_traits::Signed::is_negative(&**b) {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            })),
            other => ops::to_index(other).map(Some).map_err(|_| {
                PyErr::type_error(
                    "slice indices must be integers or None or have an __index__ method",
                )
            }),
        }
    };
    let step = get(&s.step)?.unwrap_or(1);
    if step == 0 {
        return Err(PyErr::value_error("slice step cannot be zero"));
    }
    let clamp = |v: Option<i64>, default: i64| -> i64 {
        match v {
            None => default,
            Some(x) => {
                let x = if x < 0 { x + len } else { x };
                if step > 0 {
                    x.clamp(0, len)
                } else {
                    x.clamp(-1, len - 1)
                }
            }
        }
    };
    let (start, stop) = if step > 0 {
        (clamp(get(&s.lower)?, 0), clamp(get(&s.upper)?, len))
    } else {
        (clamp(get(&s.lower)?, len - 1), clamp(get(&s.upper)?, -1))
    };
    Ok((start, stop, step))
}

/// The positions a clamped slice selects.
pub fn slice_positions(start: i64, stop: i64, step: i64) -> impl Iterator<Item = usize> {
    let mut i = start;
    std::iter::from_fn(move || {
        if (step > 0 && i < stop) || (step < 0 && i > stop) {
            let r = i as usize;
            i += step;
            Some(r)
        } else {
            None
        }
    })
}
