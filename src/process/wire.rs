//! Values crossing between interpreters: serialized copies, as `pickle` makes them.
//!
//! Two interpreters never share a Python object: a value sent to another process is written to
//! bytes here and rebuilt there, so each side owns its copy. What pickle can send, this can:
//! numbers, strings, bytes, containers, `None`/bools, instances of classes and functions that
//! live at a module's top level (sent by module and qualified name and looked up again on the
//! other side), exceptions (class and `args`). What pickle refuses is refused with pickle's
//! message: a lambda, a nested function, a file, a thread lock.
//!
//! The one exception is the process primitives themselves (queues, pipes, semaphores, shared
//! values): they are native objects that say they may cross ([`NativeObject::crosses_interpreters`])
//! and travel as *handles*, the same object on both sides, as CPython passes their OS handles
//! to a child.
//!
//! An interpreter that only relays values between processes (the `os` backend's broker, which
//! runs the primitives for child OS processes) never rebuilds a user's class or function: it
//! could not without running the user's modules. Its [`loads`] keeps any value that names code
//! as a [`Serialized`] payload, which [`dumps`] writes back as it came.

use std::sync::Arc;

use num_bigint::BigInt;

use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::{Value, Vm};

/// A serialized value: the bytes, and the process primitives it refers to.
#[derive(Clone, Default)]
pub struct Payload {
    pub bytes: Vec<u8>,
    /// Native objects that cross as themselves (only ever primitives that are `Send + Sync`
    /// and hold no Python object).
    pub handles: Vec<Value>,
}

/// Deeper nesting than this is refused, as pickle's recursion limit does.
const MAX_DEPTH: usize = 900;

mod tag {
    pub const NONE: u8 = 0;
    pub const TRUE: u8 = 1;
    pub const FALSE: u8 = 2;
    pub const INT: u8 = 3;
    pub const BIGINT: u8 = 4;
    pub const FLOAT: u8 = 5;
    pub const STR: u8 = 6;
    pub const BYTES: u8 = 7;
    pub const TUPLE: u8 = 8;
    pub const LIST: u8 = 9;
    pub const DICT: u8 = 10;
    pub const SET: u8 = 11;
    pub const FROZENSET: u8 = 12;
    pub const RANGE: u8 = 13;
    pub const GLOBAL: u8 = 14;
    pub const INSTANCE: u8 = 15;
    pub const HANDLE: u8 = 16;
    pub const ELLIPSIS: u8 = 17;
    pub const SLICE: u8 = 18;
    pub const METHOD: u8 = 19;
    /// A [`super::Serialized`] payload written back inside another: its handles' place in the
    /// outer payload's, then its bytes.
    pub const NESTED: u8 = 20;
    /// An instance of a class with `__getstate__`: the class, then the state it returned.
    pub const STATE: u8 = 21;
}

/// A value kept serialized by a relaying interpreter (see the module's doc): it passes through
/// queues and replies as the sender wrote it, and is rebuilt only where it arrives.
pub struct Serialized(pub Payload);

impl NativeObject for Serialized {
    fn class(&self) -> &Arc<Class> {
        static CLASS: std::sync::OnceLock<Arc<Class>> = std::sync::OnceLock::new();
        CLASS.get_or_init(|| crate::modules::native_class("Serialized", "_multiprocessing", &[]))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Instance attributes that describe a raised exception's history, not its value; pickle
/// leaves them behind too.
const EXCEPTION_HISTORY: [&str; 4] = [
    "__traceback__",
    "__context__",
    "__cause__",
    "__suppress_context__",
];

/// Serializes `v`. With `allow_handles` false (`pickle.dumps`), process primitives are refused
/// like any other native object.
pub fn dumps(vm: &mut Vm, v: &Value, allow_handles: bool) -> PyResult<Payload> {
    let mut w = Writer {
        out: Payload::default(),
        allow_handles,
        depth: 0,
    };
    w.value(vm, v)?;
    Ok(w.out)
}

/// Rebuilds a value serialized by [`dumps`] in this thread's interpreter (in a relaying
/// interpreter, only a value that names no code: anything else stays [`Serialized`]).
pub fn loads(vm: &mut Vm, p: &Payload) -> PyResult<Value> {
    let relay = vm.interp.process.relay;
    match read(vm, &p.bytes, &p.handles, relay) {
        Err(_) if relay => Ok(Value::object(Serialized(p.clone()))),
        v => v,
    }
}

fn read(vm: &mut Vm, bytes: &[u8], handles: &[Value], plain_only: bool) -> PyResult<Value> {
    let mut r = Reader {
        bytes,
        at: 0,
        handles,
        plain_only,
    };
    let v = r.value(vm)?;
    if r.at != r.bytes.len() {
        return Err(unpickling_error("data after the end of the value"));
    }
    Ok(v)
}

struct Writer {
    out: Payload,
    allow_handles: bool,
    depth: usize,
}

impl Writer {
    fn u8(&mut self, b: u8) {
        self.out.bytes.push(b);
    }
    fn u64(&mut self, n: u64) {
        self.out.bytes.extend_from_slice(&n.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn blob(&mut self, b: &[u8]) {
        self.len(b.len());
        self.out.bytes.extend_from_slice(b);
    }

    fn value(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(PyErr::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded while pickling an object",
            ));
        }
        let r = self.value_inner(vm, v);
        self.depth -= 1;
        r
    }

    fn items(&mut self, vm: &mut Vm, t: u8, items: &[Value]) -> PyResult<()> {
        self.u8(t);
        self.len(items.len());
        items.iter().try_for_each(|x| self.value(vm, x))
    }

    fn value_inner(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        match v {
            Value::None => self.u8(tag::NONE),
            Value::Bool(true) => self.u8(tag::TRUE),
            Value::Bool(false) => self.u8(tag::FALSE),
            Value::Ellipsis => self.u8(tag::ELLIPSIS),
            Value::Int(n) => {
                self.u8(tag::INT);
                self.u64(*n as u64);
            }
            Value::BigInt(b) => {
                self.u8(tag::BIGINT);
                self.blob(&b.to_signed_bytes_le());
            }
            Value::Float(f) => {
                self.u8(tag::FLOAT);
                self.u64(f.to_bits());
            }
            Value::Str(s) => {
                self.u8(tag::STR);
                self.blob(s.as_str().as_bytes());
            }
            Value::Bytes(b) => {
                self.u8(tag::BYTES);
                self.blob(&b.0);
            }
            Value::Tuple(t) => self.items(vm, tag::TUPLE, &t.0)?,
            Value::List(l) => self.items(vm, tag::LIST, &l.snapshot())?,
            Value::Set(s) => {
                let t = if s.frozen { tag::FROZENSET } else { tag::SET };
                self.items(vm, t, &s.snapshot())?
            }
            Value::Dict(d) => {
                let items = d.items();
                self.u8(tag::DICT);
                self.len(items.len());
                for (k, x) in &items {
                    self.value(vm, k)?;
                    self.value(vm, x)?;
                }
            }
            Value::Range(r) => {
                self.u8(tag::RANGE);
                for n in [r.start, r.stop, r.step] {
                    self.u64(n as u64);
                }
            }
            Value::Slice(s) => {
                self.u8(tag::SLICE);
                for x in [&s.lower, &s.upper, &s.step] {
                    self.value(vm, x)?;
                }
            }
            Value::Function(f) => {
                let module = module_name(&f.globals.name);
                let qualname = f.code.qualname.to_string();
                if qualname.contains("<locals>") {
                    return Err(PyErr::new(
                        ExcKind::AttributeError,
                        format!("Can't pickle local object '{qualname}'"),
                    ));
                }
                let found = lookup_global(vm, &module, &qualname);
                if !matches!(&found, Some(Value::Function(g)) if Arc::ptr_eq(g, f)) {
                    let repr = vm.repr(v)?;
                    return Err(pickling_error(
                        vm,
                        format!(
                            "Can't pickle {repr}: attribute lookup {qualname} on {module} failed"
                        ),
                    ));
                }
                self.global(&module, &qualname);
            }
            Value::Class(c) => {
                let module = module_name(&c.module);
                if c.qualname.contains("<locals>") {
                    return Err(PyErr::new(
                        ExcKind::AttributeError,
                        format!("Can't pickle local object '{}'", c.qualname),
                    ));
                }
                self.global(&module, &c.qualname);
            }
            Value::Native(n) => match find_native(vm, n) {
                Some((module, name)) => self.global(&module, &name),
                None => {
                    return Err(pickling_error(
                        vm,
                        format!("Can't pickle <built-in function {}>", n.name),
                    ));
                }
            },
            Value::BoundMethod(m) => {
                let name = match &m.func {
                    Value::Function(f) => f.code.name.to_string(),
                    Value::Native(n) => n.name.to_string(),
                    _ => return Err(cannot_pickle("method")),
                };
                self.u8(tag::METHOD);
                self.value(vm, &m.receiver)?;
                self.blob(name.as_bytes());
            }
            Value::Instance(inst)
                if inst.class.lookup("__getstate__").is_some()
                    || inst.class.lookup("__setstate__").is_some() =>
            {
                // pickle's protocol: what `__getstate__` returns (by default the attributes,
                // `None` if there are none) stands for the attributes, and `__setstate__`
                // (if the class has one) rebuilds from it.
                let state = if inst.class.lookup("__getstate__").is_some() {
                    let getstate = vm.get_attr(v, "__getstate__")?;
                    vm.call(&getstate, &[])?
                } else {
                    let mut attrs: Vec<(&str, Value)> = inst
                        .attrs
                        .lock()
                        .iter()
                        .map(|(k, x)| (k, x.clone()))
                        .collect();
                    attrs.sort_by(|a, b| a.0.cmp(b.0));
                    if attrs.is_empty() {
                        Value::None
                    } else {
                        let d = PyDict::new();
                        for (k, x) in attrs {
                            d.insert(Value::str(k.to_string()), x)?;
                        }
                        Value::Dict(Arc::new(d))
                    }
                };
                self.u8(tag::STATE);
                self.value(vm, &Value::Class(inst.class.clone()))?;
                self.value(vm, &state)?;
            }
            Value::Instance(inst) => {
                let class = Value::Class(inst.class.clone());
                let is_exception = inst
                    .class
                    .is_subclass(vm.interp.types.exception(ExcKind::BaseException));
                let mut attrs: Vec<(&str, Value)> = inst
                    .attrs
                    .lock()
                    .iter()
                    .filter(|(k, _)| !(is_exception && EXCEPTION_HISTORY.contains(k)))
                    .map(|(k, x)| (k, x.clone()))
                    .collect();
                attrs.sort_by(|a, b| a.0.cmp(b.0));
                self.u8(tag::INSTANCE);
                self.value(vm, &class)?;
                self.len(attrs.len());
                for (k, x) in &attrs {
                    self.blob(k.as_bytes());
                    self.value(vm, x)?;
                }
            }
            Value::Object(o) if o.0.as_any().is::<Serialized>() => {
                let inner =
                    &o.0.as_any()
                        .downcast_ref::<Serialized>()
                        .expect("checked")
                        .0;
                self.u8(tag::NESTED);
                self.len(self.out.handles.len());
                self.len(inner.handles.len());
                self.blob(&inner.bytes);
                self.out.handles.extend(inner.handles.iter().cloned());
            }
            Value::Object(o) if self.allow_handles && o.0.crosses_interpreters() => {
                self.u8(tag::HANDLE);
                self.len(self.out.handles.len());
                self.out.handles.push(v.clone());
            }
            Value::Object(o) => {
                let class = o.0.class();
                return Err(cannot_pickle(&format!("{}.{}", class.module, class.name)));
            }
            other => return Err(cannot_pickle(crate::vm::ops::type_name(other))),
        }
        Ok(())
    }

    fn global(&mut self, module: &str, qualname: &str) {
        self.u8(tag::GLOBAL);
        self.blob(module.as_bytes());
        self.blob(qualname.as_bytes());
    }
}

/// The main script is `__main__` in the parent and `__mp_main__` in a child; both name the same
/// script, so a value sent either way finds its class on the other side.
fn module_name(name: &str) -> String {
    if name == "__mp_main__" {
        "__main__".into()
    } else {
        name.into()
    }
}

/// `module.qualname` in this interpreter, if the module is loaded and has it.
fn lookup_global(vm: &mut Vm, module: &str, qualname: &str) -> Option<Value> {
    let mut v = if module == "builtins" {
        vm.interp
            .builtins
            .get(qualname.split('.').next()?)
            .cloned()?
    } else {
        vm.interp.modules.lock().get(module).cloned()?
    };
    let mut parts = qualname.split('.');
    if module == "builtins" {
        parts.next();
    }
    for part in parts {
        v = vm.get_attr(&v, part).ok()?;
    }
    Some(v)
}

/// The module and name under which a built-in function is reachable, as pickle finds
/// `math.sqrt` by its `__module__`.
fn find_native(vm: &Vm, f: &Arc<NativeFunction>) -> Option<(String, String)> {
    let same = |v: &Value| matches!(v, Value::Native(g) if Arc::ptr_eq(g, f));
    if vm.interp.builtins.get(f.name).is_some_and(same) {
        return Some(("builtins".into(), f.name.into()));
    }
    let modules = vm.interp.modules.lock();
    modules.iter().find_map(|(name, m)| match m {
        Value::Module(m) if m.get(f.name).is_some_and(|v| same(&v)) => {
            Some((name.clone(), f.name.to_string()))
        }
        _ => None,
    })
}

fn cannot_pickle(type_name: &str) -> PyErr {
    PyErr::type_error(format!("cannot pickle '{type_name}' object"))
}

/// `pickle.PicklingError(msg)` (falling back to `TypeError` if `pickle` cannot load).
fn pickling_error(vm: &mut Vm, msg: String) -> PyErr {
    pickle_error(vm, "PicklingError", msg)
}

/// `pickle.<class_name>(msg)` (falling back to `TypeError` if `pickle` cannot load).
fn pickle_error(vm: &mut Vm, class_name: &str, msg: String) -> PyErr {
    let class = vm
        .import("pickle")
        .and_then(|m| vm.get_attr(&m, class_name));
    match class.and_then(|c| vm.call(&c, &[Value::str(msg.clone())])) {
        Ok(exc) => PyErr::Raised(exc),
        Err(_) => PyErr::type_error(msg),
    }
}

/// Rebuilds an instance from the state its class's `__getstate__` gave, as pickle does: with
/// `__setstate__` if the class has one, else as a dict of attributes; a `None` state is not
/// applied at all.
fn set_state(vm: &mut Vm, inst: &Value, class: &Arc<Class>, state: Value) -> PyResult<()> {
    if matches!(state, Value::None) {
        return Ok(());
    }
    if class.lookup("__setstate__").is_some() {
        let setstate = vm.get_attr(inst, "__setstate__")?;
        vm.call(&setstate, &[state])?;
        return Ok(());
    }
    let (Value::Dict(d), Value::Instance(i)) = (&state, inst) else {
        return Err(pickle_error(
            vm,
            "UnpicklingError",
            "state is not a dictionary".into(),
        ));
    };
    for (k, x) in d.items() {
        let Value::Str(k) = k else {
            return Err(PyErr::type_error("attribute name must be string"));
        };
        i.attrs.lock().insert_str(k.as_str(), x);
    }
    Ok(())
}

fn unpickling_error(msg: &str) -> PyErr {
    PyErr::value_error(format!("corrupt serialized value: {msg}"))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    handles: &'a [Value],
    /// Refuse what names code (a relaying interpreter keeps such a value serialized).
    plain_only: bool,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> PyResult<&[u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| unpickling_error("truncated"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> PyResult<u8> {
        Ok(self.take(1)?[0])
    }
    fn u64(&mut self) -> PyResult<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn len(&mut self) -> PyResult<usize> {
        let n = self.u64()? as usize;
        // Every element takes at least a byte: a length beyond what is left is corrupt.
        if n > self.bytes.len() - self.at {
            return Err(unpickling_error("length out of range"));
        }
        Ok(n)
    }
    fn blob(&mut self) -> PyResult<&[u8]> {
        let n = self.len()?;
        self.take(n)
    }
    fn text(&mut self) -> PyResult<String> {
        String::from_utf8(self.blob()?.to_vec()).map_err(|_| unpickling_error("bad utf-8"))
    }
    fn items(&mut self, vm: &mut Vm) -> PyResult<Vec<Value>> {
        let n = self.len()?;
        (0..n).map(|_| self.value(vm)).collect()
    }

    fn value(&mut self, vm: &mut Vm) -> PyResult<Value> {
        let t = self.u8()?;
        if self.plain_only
            && matches!(
                t,
                tag::GLOBAL | tag::METHOD | tag::INSTANCE | tag::NESTED | tag::STATE
            )
        {
            return Err(unpickling_error("names code"));
        }
        Ok(match t {
            tag::NONE => Value::None,
            tag::TRUE => Value::Bool(true),
            tag::FALSE => Value::Bool(false),
            tag::ELLIPSIS => Value::Ellipsis,
            tag::INT => Value::Int(self.u64()? as i64),
            tag::BIGINT => Value::from_bigint(BigInt::from_signed_bytes_le(self.blob()?)),
            tag::FLOAT => Value::Float(f64::from_bits(self.u64()?)),
            tag::STR => Value::str(self.text()?),
            tag::BYTES => Value::bytes(self.blob()?.to_vec()),
            tag::TUPLE => Value::tuple(self.items(vm)?),
            tag::LIST => Value::list(self.items(vm)?),
            t @ (tag::SET | tag::FROZENSET) => {
                let mut set = SetMap::default();
                for x in self.items(vm)? {
                    set.insert(HashKey::new(x)?);
                }
                Value::Set(Arc::new(PySet {
                    items: crate::vm::objlock::Mutex::new(set),
                    frozen: t == tag::FROZENSET,
                }))
            }
            tag::DICT => {
                let n = self.len()?;
                let d = PyDict::new();
                for _ in 0..n {
                    let k = self.value(vm)?;
                    let x = self.value(vm)?;
                    d.insert(k, x)?;
                }
                Value::Dict(Arc::new(d))
            }
            tag::RANGE => {
                let (start, stop, step) = (self.u64()?, self.u64()?, self.u64()?);
                Value::Range(Arc::new(PyRange {
                    start: start as i64,
                    stop: stop as i64,
                    step: step as i64,
                }))
            }
            tag::SLICE => {
                let (lower, upper, step) = (self.value(vm)?, self.value(vm)?, self.value(vm)?);
                Value::Slice(Arc::new(PySlice { lower, upper, step }))
            }
            tag::GLOBAL => {
                let module = self.text()?;
                let qualname = self.text()?;
                if module != "builtins" {
                    vm.import(&module)?;
                }
                match lookup_global(vm, &module, &qualname) {
                    Some(v) => v,
                    None => {
                        let m = vm.import(&module)?;
                        let repr = vm.repr(&m)?;
                        return Err(PyErr::new(
                            ExcKind::AttributeError,
                            format!("Can't get attribute '{qualname}' on {repr}"),
                        ));
                    }
                }
            }
            tag::METHOD => {
                let receiver = self.value(vm)?;
                let name = self.text()?;
                vm.get_attr(&receiver, &name)?
            }
            tag::INSTANCE => {
                let Value::Class(class) = self.value(vm)? else {
                    return Err(unpickling_error("instance of a non-class"));
                };
                let inst = Instance::new(class);
                let n = self.len()?;
                for _ in 0..n {
                    let k = self.text()?;
                    let x = self.value(vm)?;
                    inst.attrs.lock().insert_str(&k, x);
                }
                Value::Instance(Arc::new(inst))
            }
            tag::STATE => {
                let Value::Class(class) = self.value(vm)? else {
                    return Err(unpickling_error("instance of a non-class"));
                };
                let state = self.value(vm)?;
                let inst = Value::Instance(Arc::new(Instance::new(class.clone())));
                set_state(vm, &inst, &class, state)?;
                inst
            }
            tag::NESTED => {
                let (base, n) = (self.u64()? as usize, self.u64()? as usize);
                let handles = base
                    .checked_add(n)
                    .and_then(|end| self.handles.get(base..end))
                    .ok_or_else(|| unpickling_error("missing handle"))?;
                let bytes = self.blob()?;
                read(vm, bytes, handles, false)?
            }
            tag::HANDLE => {
                let i = self.u64()? as usize;
                self.handles
                    .get(i)
                    .cloned()
                    .ok_or_else(|| unpickling_error("missing handle"))?
            }
            _ => return Err(unpickling_error("unknown tag")),
        })
    }
}
