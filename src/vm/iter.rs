//! The iteration protocol: `iter(x)` and `next(it)` for built-in values (one [`IterState`] each)
//! and for user classes with `__iter__`/`__next__`.

use std::sync::Arc;

use super::objlock::Mutex;

use super::Vm;
use super::errors::{ExcKind, PyErr, PyResult};
use super::objects::*;
use super::ops::type_name;
use super::value::Value;

pub fn make_iter(state: IterState) -> Value {
    Value::Iter(Arc::new(PyIter(Mutex::new(state))))
}

impl IterState {
    /// One step of an iterator that runs no Python code: a range, or a list or tuple walked
    /// by index. `Some(None)` when exhausted (for good: a list that grows later does not
    /// revive it, as in CPython); `None` for the other kinds, which [`Vm::iter_next`] steps.
    #[inline(always)]
    pub fn step_plain(&mut self) -> Option<Option<Value>> {
        let item = match self {
            IterState::Range { next, stop, step } => {
                let cur = *next;
                let more = (*step > 0 && cur < *stop) || (*step < 0 && cur > *stop);
                return Some(more.then(|| {
                    *next = cur.saturating_add(*step);
                    Value::Int(cur)
                }));
            }
            IterState::Seq { seq, index } => {
                let item = match seq {
                    Value::List(l) => l.0.lock().get(*index).cloned(),
                    Value::Tuple(t) => t.0.get(*index).cloned(),
                    _ => return None,
                };
                *index += 1;
                item
            }
            _ => return None,
        };
        if item.is_none() {
            *self = IterState::Exhausted;
        }
        Some(item)
    }
}

impl Vm {
    /// `iter(v)`.
    pub fn get_iter(&mut self, v: Value) -> PyResult<Value> {
        let state = match &v {
            Value::Iter(_) => return Ok(v),
            Value::Range(r) => IterState::Range {
                next: r.start,
                stop: r.stop,
                step: r.step,
            },
            Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) => IterState::Seq {
                seq: v.clone(),
                index: 0,
            },
            Value::Dict(d) => IterState::Items {
                items: d.0.lock().keys().map(|k| k.0.clone()).collect(),
                index: 0,
            },
            Value::Set(s) => IterState::Items {
                items: s.snapshot(),
                index: 0,
            },
            Value::Instance(i) => {
                if let Some(m) = i.class.lookup("__iter__") {
                    return self.call(&m, std::slice::from_ref(&v));
                }
                if i.class.lookup("__getitem__").is_some() {
                    // The old sequence protocol: index from 0 until IndexError.
                    let mut items = vec![];
                    let mut n = 0;
                    loop {
                        match self.get_item(&v, &Value::Int(n)) {
                            Ok(x) => items.push(x),
                            Err(e) => {
                                let exc = self.materialize(e);
                                let idx = self.interp.types.exception(ExcKind::IndexError).clone();
                                let stop =
                                    self.interp.types.exception(ExcKind::StopIteration).clone();
                                match &exc {
                                    Value::Instance(i)
                                        if i.class.is_subclass(&idx)
                                            || i.class.is_subclass(&stop) =>
                                    {
                                        break;
                                    }
                                    _ => return Err(PyErr::Raised(exc)),
                                }
                            }
                        }
                        n += 1;
                    }
                    IterState::Items { items, index: 0 }
                } else {
                    return Err(not_iterable(&v));
                }
            }
            Value::Object(_) => match self.find_attr(&v, "__iter__")? {
                Some(m) => return self.call(&m, &[]),
                None => return Err(not_iterable(&v)),
            },
            _ => return Err(not_iterable(&v)),
        };
        Ok(make_iter(state))
    }

    /// `next(it)`; `Ok(None)` when exhausted.
    pub fn iter_next(&mut self, it: &Value) -> PyResult<Option<Value>> {
        let pi = match it {
            Value::Iter(pi) => pi.clone(),
            Value::Instance(_) | Value::Object(_) => {
                let m = match self.find_attr(it, "__next__")? {
                    Some(m) => m,
                    None => {
                        return Err(PyErr::type_error(format!(
                            "'{}' object is not an iterator",
                            type_name(it)
                        )));
                    }
                };
                return match self.call(&m, &[]) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) => {
                        let exc = self.materialize(e);
                        let stop = self.interp.types.exception(ExcKind::StopIteration).clone();
                        match &exc {
                            Value::Instance(i) if i.class.is_subclass(&stop) => Ok(None),
                            _ => Err(PyErr::Raised(exc)),
                        }
                    }
                };
            }
            _ => {
                return Err(PyErr::type_error(format!(
                    "'{}' object is not an iterator",
                    type_name(it)
                )));
            }
        };
        // Steps that call back into Python copy what they need and release the lock first.
        let mut st = pi.0.lock();
        if let Some(item) = st.step_plain() {
            return Ok(item);
        }
        match &mut *st {
            IterState::Range { .. } => unreachable!("ranges are stepped by step_plain"),
            IterState::Seq { seq, index } => {
                let i = *index;
                let item = match seq {
                    Value::Bytes(b) => b.0.get(i).map(|&x| Value::Int(x as i64)),
                    Value::Str(s) => {
                        if s.is_ascii() {
                            s.as_str()
                                .as_bytes()
                                .get(i)
                                .map(|&b| Value::str((b as char).to_string()))
                        } else {
                            // `index` counts bytes for non-ASCII strings.
                            s.as_str()[i..].chars().next().map(|c| {
                                *index += c.len_utf8() - 1;
                                Value::str(c.to_string())
                            })
                        }
                    }
                    _ => None,
                };
                *index += 1;
                if item.is_none() {
                    *st = IterState::Exhausted;
                }
                Ok(item)
            }
            IterState::Items { items, index } => {
                let item = items.get(*index).cloned();
                *index += 1;
                Ok(item)
            }
            IterState::Enumerate { inner, count } => {
                let (inner, c) = (inner.clone(), count.clone());
                drop(st);
                match self.iter_next(&inner)? {
                    Some(v) => {
                        let next =
                            self.binary_op(&c, &Value::Int(1), crate::syntax::ast::BinOp::Add)?;
                        if let IterState::Enumerate { count, .. } = &mut *pi.0.lock() {
                            *count = next;
                        }
                        Ok(Some(Value::tuple(vec![c, v])))
                    }
                    None => Ok(None),
                }
            }
            IterState::Zip { inners } => {
                let inners = inners.clone();
                drop(st);
                let mut out = Vec::with_capacity(inners.len());
                for i in &inners {
                    match self.iter_next(i)? {
                        Some(v) => out.push(v),
                        None => return Ok(None),
                    }
                }
                Ok(Some(Value::tuple(out)))
            }
            IterState::Map { func, inners } => {
                let (func, inners) = (func.clone(), inners.clone());
                drop(st);
                let mut args = Vec::with_capacity(inners.len());
                for i in &inners {
                    match self.iter_next(i)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                self.call(&func, &args).map(Some)
            }
            IterState::Filter { func, inner } => {
                let (func, inner) = (func.clone(), inner.clone());
                drop(st);
                while let Some(v) = self.iter_next(&inner)? {
                    let keep = if func.is_none() {
                        v.clone()
                    } else {
                        self.call(&func, std::slice::from_ref(&v))?
                    };
                    if self.truthy(&keep)? {
                        return Ok(Some(v));
                    }
                }
                Ok(None)
            }
            IterState::CallUntil { func, sentinel } => {
                let (func, sentinel) = (func.clone(), sentinel.clone());
                drop(st);
                let v = self.call(&func, &[])?;
                if self.eq(&v, &sentinel)? {
                    Ok(None)
                } else {
                    Ok(Some(v))
                }
            }
            IterState::Exhausted => Ok(None),
        }
    }

    /// Collects any iterable into a vector.
    pub fn iterate(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        match v {
            Value::List(l) => return Ok(l.snapshot()),
            Value::Tuple(t) => return Ok(t.0.clone()),
            _ => {}
        }
        let it = self.get_iter(v.clone())?;
        let mut out = vec![];
        while let Some(x) = self.iter_next(&it)? {
            crate::memory::reserve_push(&out)?;
            out.push(x);
        }
        Ok(out)
    }
}

fn not_iterable(v: &Value) -> PyErr {
    PyErr::type_error(format!("'{}' object is not iterable", type_name(v)))
}
