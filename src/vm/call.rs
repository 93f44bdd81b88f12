//! Calling things and finding attributes.
//!
//! Python functions are entered by pushing a frame whose locals start where the arguments
//! already sit on the operand stack (no copy on the fast path). Everything else (natives, bound
//! methods, classes) is dispatched here. Attribute lookup follows Python's order: instance dict,
//! then the class and its bases; functions found on the class bind to the instance; `property`,
//! `staticmethod` and `classmethod` wrappers are honoured.

use std::sync::Arc;

use smallvec::SmallVec;

use super::errors::{ExcKind, PyErr, PyResult};
use super::objects::*;
use super::value::Value;
use super::{Frame, Vm};
use crate::compile::code::Code;
use crate::compile::intern::Name;

pub type ArgVec = SmallVec<[Value; 8]>;

impl Vm {
    /// Calls any callable with positional arguments.
    pub fn call(&mut self, f: &Value, args: &[Value]) -> PyResult<Value> {
        self.call_kw(f, args, &[])
    }

    /// Calls any callable with positional and keyword arguments.
    pub fn call_kw(
        &mut self,
        f: &Value,
        args: &[Value],
        kw: &[(Arc<str>, Value)],
    ) -> PyResult<Value> {
        match f {
            Value::Function(func) => {
                if kw.is_empty() && self.simple_call(func, args.len()) {
                    let depth = self.frames.len();
                    let pos = self.stack.len();
                    self.stack.push(f.clone());
                    self.stack.extend_from_slice(args);
                    self.enter_function(func.clone(), pos, args.len())?;
                    return self.run(depth);
                }
                let locals = self.bind_args(func, args.to_vec(), kw)?;
                self.run_function_with_locals(func.clone(), locals)
            }
            Value::Native(n) => (n.func)(self, Args { pos: args, kw }),
            Value::NativeMethod(f) => f(self, Args { pos: args, kw }),
            Value::BoundMethod(m) => {
                let mut all: ArgVec = SmallVec::with_capacity(args.len() + 1);
                all.push(m.receiver.clone());
                all.extend(args.iter().cloned());
                let func = m.func.clone();
                self.call_kw(&func, &all, kw)
            }
            Value::Class(c) => self.instantiate(c, args, kw),
            Value::Instance(inst) => match inst.class.lookup("__call__") {
                Some(m) => {
                    let mut all: ArgVec = SmallVec::new();
                    all.push(f.clone());
                    all.extend(args.iter().cloned());
                    self.call_kw(&m, &all, kw)
                }
                None => Err(PyErr::type_error(format!(
                    "'{}' object is not callable",
                    inst.class.name
                ))),
            },
            other => Err(PyErr::type_error(format!(
                "'{}' object is not callable",
                super::ops::type_name(other)
            ))),
        }
    }

    /// Can arguments be passed positionally with no rearrangement (exact count, no extras)?
    #[inline]
    pub(crate) fn simple_call(&self, func: &Function, argc: usize) -> bool {
        let c = &func.code;
        let params = c.argcount as usize;
        argc <= params
            && argc + func.defaults.len() >= params
            && c.kwonlycount == 0
            && !c.has_varargs
            && !c.has_varkw
    }

    /// Pushes a frame for `func` whose callee slot is `stack[pos]` and whose `argc` arguments follow.
    /// The caller has checked [`simple_call`](Self::simple_call). Inlined: it is half of
    /// every Python-to-Python call.
    #[inline(always)]
    pub(crate) fn enter_function(
        &mut self,
        func: Arc<Function>,
        pos: usize,
        argc: usize,
    ) -> PyResult<()> {
        if self.frames.len() >= self.recursion_limit() {
            self.stack.truncate(pos);
            return Err(PyErr::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        // A recursion limit raised far up is bounded by memory: the frame stack's growth is
        // checked against it like any big allocation.
        if let Err(e) = crate::memory::reserve_push(&self.frames) {
            self.stack.truncate(pos);
            return Err(e);
        }
        let base = pos + 1;
        let nlocals = func.code.varnames.len();
        debug_assert_eq!(self.stack.len(), base + argc);
        let params = func.code.argcount as usize;
        if argc < params {
            // The trailing parameters not passed take their defaults.
            let defaults = &func.defaults;
            self.stack
                .extend_from_slice(&defaults[defaults.len() - (params - argc)..]);
        }
        if nlocals > params {
            self.stack.resize(base + nlocals, Value::Unbound);
        }
        self.push_function_frame(func, base);
        Ok(())
    }

    /// Pushes the frame of `func` whose locals already sit at `stack[base..]`.
    #[inline(always)]
    fn push_function_frame(&mut self, func: Arc<Function>, base: usize) {
        let cells = self.make_cells(&func.code, &func, base);
        // Built in place: `push` builds the frame in a temporary first (the vector may grow
        // between the two), and copying it with 16-byte moves over fields just stored 8 bytes
        // at a time stalled every call on failed store-to-load forwarding.
        self.frames.reserve(1);
        self.frames.spare_capacity_mut()[0].write(Frame {
            func,
            ip: 0,
            base,
            cells,
            blocks: vec![],
            namespace: None,
            init_of: None,
        });
        // SAFETY: `reserve(1)` left room for one more frame at index `len`, the first slot of
        // the spare capacity, and the `write` above initialised it; nothing ran in between
        // that could move or drop it. Every Python-to-Python call runs this.
        unsafe { self.frames.set_len(self.frames.len() + 1) };
    }

    #[inline(always)]
    fn make_cells(
        &self,
        code: &Code,
        func: &Function,
        base: usize,
    ) -> Option<Box<super::ClosureCells>> {
        if code.cellvars.is_empty() && code.freevars.is_empty() {
            return None;
        }
        Frame::cells_field(self.make_closure_cells(code, func, base))
    }

    fn make_closure_cells(&self, code: &Code, func: &Function, base: usize) -> Vec<Arc<Cell>> {
        let mut cells: Vec<Arc<Cell>> = code.cellvars.iter().map(|_| Cell::unbound()).collect();
        for &(ci, li) in &code.cell_params {
            *cells[ci as usize].0.lock() = self.stack[base + li as usize].clone();
        }
        cells.extend(func.closure.iter().cloned());
        cells
    }

    /// Runs a function whose locals were bound by [`bind_args`](Self::bind_args).
    pub(crate) fn run_function_with_locals(
        &mut self,
        func: Arc<Function>,
        locals: Vec<Value>,
    ) -> PyResult<Value> {
        let depth = self.frames.len();
        let pos = self.stack.len();
        self.stack.push(Value::Function(func.clone()));
        self.push_frame_with_locals(func, pos, locals)?;
        self.run(depth)
    }

    /// Pushes a frame for `func` at callee slot `pos` (the stack must end at `pos + 1`).
    pub(crate) fn push_frame_with_locals(
        &mut self,
        func: Arc<Function>,
        pos: usize,
        locals: Vec<Value>,
    ) -> PyResult<()> {
        if self.frames.len() >= self.recursion_limit() {
            self.stack.truncate(pos);
            return Err(PyErr::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        // A recursion limit raised far up is bounded by memory: the frame stack's growth is
        // checked against it like any big allocation.
        if let Err(e) = crate::memory::reserve_push(&self.frames) {
            self.stack.truncate(pos);
            return Err(e);
        }
        let base = pos + 1;
        self.stack.truncate(base);
        self.stack.extend(locals);
        self.push_function_frame(func, base);
        Ok(())
    }

    /// Binds positional and keyword arguments to parameter slots, with CPython's error messages.
    pub(crate) fn bind_args(
        &mut self,
        func: &Function,
        mut args: Vec<Value>,
        kw: &[(Arc<str>, Value)],
    ) -> PyResult<Vec<Value>> {
        let code = &func.code;
        let name = &code.qualname;
        let argcount = code.argcount as usize;
        let kwonly = code.kwonlycount as usize;
        let mut locals = vec![Value::Unbound; code.varnames.len()];
        let nargs = args.len();
        let extra: Vec<Value> = if nargs > argcount {
            args.split_off(argcount)
        } else {
            vec![]
        };
        if !extra.is_empty() && !code.has_varargs {
            let ndefaults = func.defaults.len();
            let takes = if ndefaults > 0 {
                format!(
                    "from {} to {} positional arguments",
                    argcount - ndefaults,
                    argcount
                )
            } else {
                format!(
                    "{} positional argument{}",
                    argcount,
                    if argcount == 1 { "" } else { "s" }
                )
            };
            let given_kw = kw
                .iter()
                .filter(|(k, _)| code.varnames[..argcount + kwonly].iter().any(|v| v == k))
                .count();
            let given = if given_kw > 0 {
                format!(
                    "{nargs} positional argument{} (and {given_kw} keyword-only argument{}) were given",
                    if nargs == 1 { "" } else { "s" },
                    if given_kw == 1 { "" } else { "s" }
                )
            } else {
                format!("{nargs} {} given", if nargs == 1 { "was" } else { "were" })
            };
            return Err(PyErr::type_error(format!(
                "{name}() takes {takes} but {given}"
            )));
        }
        for (i, a) in args.into_iter().enumerate() {
            locals[i] = a;
        }
        let mut slot = argcount + kwonly;
        if code.has_varargs {
            locals[slot] = Value::tuple(extra);
            slot += 1;
        }
        let kwargs_dict = if code.has_varkw {
            Some(Arc::new(PyDict::new()))
        } else {
            None
        };
        for (k, v) in kw {
            match code.varnames[..argcount + kwonly]
                .iter()
                .position(|n| n == k)
            {
                Some(i) => {
                    if !matches!(locals[i], Value::Unbound) {
                        return Err(PyErr::type_error(format!(
                            "{name}() got multiple values for argument '{k}'"
                        )));
                    }
                    locals[i] = v.clone();
                }
                None => match &kwargs_dict {
                    Some(d) => d.insert(Value::str(&**k), v.clone())?,
                    None => {
                        return Err(PyErr::type_error(format!(
                            "{name}() got an unexpected keyword argument '{k}'"
                        )));
                    }
                },
            }
        }
        if let Some(d) = kwargs_dict {
            locals[slot] = Value::Dict(d);
        }
        // Defaults for the trailing positional parameters.
        let first_default = argcount - func.defaults.len();
        let mut missing = vec![];
        for (i, local) in locals.iter_mut().enumerate().take(argcount) {
            if matches!(local, Value::Unbound) {
                if i >= first_default {
                    *local = func.defaults[i - first_default].clone();
                } else {
                    missing.push(code.varnames[i].to_string());
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_error(name, &missing, "positional"));
        }
        for (i, local) in locals
            .iter_mut()
            .enumerate()
            .take(argcount + kwonly)
            .skip(argcount)
        {
            if matches!(local, Value::Unbound) {
                match func.kwdefaults.iter().find(|(k, _)| *k == code.varnames[i]) {
                    Some((_, v)) => *local = v.clone(),
                    None => missing.push(code.varnames[i].to_string()),
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_error(name, &missing, "keyword-only"));
        }
        Ok(locals)
    }

    /// `cls(*args, **kw)`: built-in constructors, or a new instance initialised by `__init__`.
    fn instantiate(
        &mut self,
        cls: &Arc<Class>,
        args: &[Value],
        kw: &[(Arc<str>, Value)],
    ) -> PyResult<Value> {
        if cls.kind == TypeKind::Builtin {
            return match cls.native_constructor() {
                Some(new) => new(self, Args { pos: args, kw }),
                None => Err(PyErr::type_error(format!(
                    "cannot create '{}' instances",
                    cls.name
                ))),
            };
        }
        if let Some(Value::Native(n)) = cls.attrs.read().get("__new__").cloned() {
            // Built-in wrapper types (property, staticmethod, ...) construct themselves.
            let mut all: ArgVec = SmallVec::new();
            all.push(Value::Class(cls.clone()));
            all.extend(args.iter().cloned());
            return (n.func)(self, Args { pos: &all, kw });
        }
        let inst = Instance::new(cls.clone());
        if self.is_exception_class(cls) {
            // BaseException.__new__ records the arguments even when __init__ is overridden.
            inst.set("args", Value::tuple(args.to_vec()));
        }
        let inst = Value::Instance(Arc::new(inst));
        match cls.lookup("__init__") {
            Some(init) => {
                let mut all: ArgVec = SmallVec::with_capacity(args.len() + 1);
                all.push(inst.clone());
                all.extend(args.iter().cloned());
                let r = self.call_kw(&init, &all, kw)?;
                if !r.is_none() {
                    return Err(init_returned(&r));
                }
            }
            None if !args.is_empty() || !kw.is_empty() => {
                return Err(PyErr::type_error(format!(
                    "{}() takes no arguments",
                    cls.name
                )));
            }
            None => {}
        }
        Ok(inst)
    }

    /// The `__init__` function that `cls(...)` with `argc` positional arguments reduces to, when
    /// creating the instance needs nothing else (see [`instantiate`](Self::instantiate)); the
    /// eval loop then runs it as one of its frames instead of a nested loop.
    pub(crate) fn inline_init(&mut self, cls: &Arc<Class>, argc: usize) -> Option<Arc<Function>> {
        let epoch = class_epoch();
        let init = match self.caches.inits.get(cls, &0, epoch) {
            Some(init) => init.clone(),
            None => {
                let init = self.plain_init(cls).map_or(Value::Unbound, Value::Function);
                self.caches.inits.put(cls, &0, epoch, &init);
                init
            }
        };
        match init {
            Value::Function(f) if self.simple_call(&f, argc + 1) => Some(f),
            _ => None,
        }
    }

    /// `cls.__init__` when it is a Python function and creating an instance of `cls` needs
    /// nothing else (no `__new__`, not a built-in type or an exception).
    fn plain_init(&self, cls: &Arc<Class>) -> Option<Arc<Function>> {
        if cls.kind == TypeKind::Builtin
            || cls.attrs.read().contains_key("__new__")
            || self.is_exception_class(cls)
        {
            return None;
        }
        match cls.lookup("__init__")? {
            Value::Function(f) => Some(f),
            _ => None,
        }
    }

    /// The class of any value (`type(v)`).
    pub fn class_of(&self, v: &Value) -> Arc<Class> {
        self.interp.types.of(v).clone()
    }

    /// `getattr(v, name)`.
    pub fn get_attr(&mut self, v: &Value, name: &str) -> PyResult<Value> {
        match self.find_attr(v, name)? {
            Some(a) => Ok(a),
            None => Err(self.attr_error(v, name)),
        }
    }

    pub(crate) fn attr_error(&self, v: &Value, name: &str) -> PyErr {
        match v {
            Value::Module(m) => {
                PyErr::attribute_error(format!("module '{}' has no attribute '{name}'", m.name))
            }
            Value::Class(c) => PyErr::attribute_error(format!(
                "type object '{}' has no attribute '{name}'",
                c.name
            )),
            _ => PyErr::attribute_error(format!(
                "'{}' object has no attribute '{name}'",
                super::ops::type_name(v)
            )),
        }
    }

    /// `obj.name` for the `LoadAttr` op, whose name is interned: the common cases (an
    /// instance's own attribute, its class's, a module's) through the thread's caches, the
    /// rest through [`get_attr`](Self::get_attr).
    pub(crate) fn load_attr(&mut self, obj: &Value, name: &Name) -> PyResult<Value> {
        match obj {
            Value::Instance(inst) => {
                if let Some(a) = inst.attrs.lock().get_name(name) {
                    return Ok(a.clone());
                }
                if let Some(a) = self.caches.class_lookup(&inst.class, name) {
                    return self.bind_class_attr(a, obj);
                }
            }
            Value::Module(m) => {
                if let Some(a) = self.caches.module_attr(m, name) {
                    return Ok(a);
                }
            }
            _ => {}
        }
        self.get_attr(obj, name)
    }

    /// Attribute lookup; `Ok(None)` when absent (so `hasattr` and `getattr` defaults need no exception).
    pub fn find_attr(&mut self, v: &Value, name: &str) -> PyResult<Option<Value>> {
        match v {
            Value::Instance(inst) => {
                if let Some(a) = inst.attrs.lock().get(name) {
                    return Ok(Some(a.clone()));
                }
                match inst.class.lookup(name) {
                    Some(a) => self.bind_class_attr(a, v).map(Some),
                    None => {
                        if name == "__class__" {
                            return Ok(Some(Value::Class(inst.class.clone())));
                        }
                        if matches!(
                            name,
                            "__cause__" | "__context__" | "__traceback__" | "__suppress_context__"
                        ) && self.is_exception_class(&inst.class)
                        {
                            let default = if name == "__suppress_context__" {
                                Value::Bool(false)
                            } else {
                                Value::None
                            };
                            return Ok(Some(default));
                        }
                        if name == "__dict__" {
                            let d = PyDict::new();
                            for (k, val) in inst.attrs.lock().iter() {
                                d.insert(Value::str(k), val.clone())?;
                            }
                            return Ok(Some(Value::Dict(Arc::new(d))));
                        }
                        match inst.class.lookup("__getattr__") {
                            // An AttributeError from __getattr__ means "absent" (for hasattr and getattr defaults).
                            Some(ga) => match self.call(&ga, &[v.clone(), Value::str(name)]) {
                                Ok(val) => Ok(Some(val)),
                                Err(e) => {
                                    let exc = self.materialize(e);
                                    let attr_error = self
                                        .interp
                                        .types
                                        .exception(ExcKind::AttributeError)
                                        .clone();
                                    match &exc {
                                        Value::Instance(i) if i.class.is_subclass(&attr_error) => {
                                            Ok(None)
                                        }
                                        _ => Err(PyErr::Raised(exc)),
                                    }
                                }
                            },
                            None => Ok(None),
                        }
                    }
                }
            }
            Value::Class(cls) => {
                if let Some(a) = cls.lookup(name) {
                    return Ok(Some(match &a {
                        Value::Instance(w)
                            if Arc::ptr_eq(&w.class, &self.interp.types.classmethod) =>
                        {
                            Value::BoundMethod(Arc::new(BoundMethod {
                                receiver: v.clone(),
                                func: w.get("__func__").unwrap_or(Value::None),
                            }))
                        }
                        Value::Instance(w)
                            if Arc::ptr_eq(&w.class, &self.interp.types.staticmethod) =>
                        {
                            w.get("__func__").unwrap_or(Value::None)
                        }
                        _ => a,
                    }));
                }
                Ok(match name {
                    "__name__" => Some(Value::str(cls.name.clone())),
                    "__qualname__" => Some(Value::str(cls.qualname.clone())),
                    "__module__" => Some(Value::str(cls.module.clone())),
                    "__base__" => Some(cls.base.clone().map(Value::Class).unwrap_or(Value::None)),
                    "__bases__" => Some(Value::tuple(
                        cls.base.iter().cloned().map(Value::Class).collect(),
                    )),
                    "__mro__" => Some(Value::tuple(
                        cls.mro().into_iter().map(Value::Class).collect(),
                    )),
                    "__doc__" => Some(Value::None),
                    _ => None,
                })
            }
            Value::Module(m) => Ok(match m.get(name) {
                Some(a) => Some(a),
                None if name == "__name__" => Some(Value::str(m.name.clone())),
                None if name == "__dict__" => {
                    let d = PyDict::new();
                    for (k, val) in m.vars().iter() {
                        if !matches!(val, Value::Unbound) {
                            d.insert(Value::str(&**k), val.clone())?;
                        }
                    }
                    Some(Value::Dict(Arc::new(d)))
                }
                None => None,
            }),
            Value::Function(f) => Ok(match name {
                "__name__" => Some(Value::str(&*f.code.name)),
                "__qualname__" => Some(Value::str(&*f.code.qualname)),
                "__module__" => f.globals.get("__name__"),
                "__code__" => Some(Value::Code(f.code.clone())),
                "__defaults__" => Some(if f.defaults.is_empty() {
                    Value::None
                } else {
                    Value::tuple(f.defaults.clone())
                }),
                "__doc__" => Some(Value::None),
                "__dict__" => Some(Value::Dict(Arc::new(PyDict::new()))),
                _ => f.attrs.lock().as_ref().and_then(|a| a.get(name).cloned()),
            }),
            Value::Native(n) => Ok(match name {
                "__name__" | "__qualname__" => Some(Value::str(n.name)),
                _ => None,
            }),
            Value::BoundMethod(m) => Ok(match name {
                "__self__" => Some(m.receiver.clone()),
                "__func__" => Some(m.func.clone()),
                _ => self.find_attr(&m.func.clone(), name)?,
            }),
            Value::Object(o) => {
                if let Some(a) = o.0.get_attr(name) {
                    return Ok(Some(a));
                }
                let cls = o.0.class().clone();
                match cls.lookup(name) {
                    Some(a) => self.bind_class_attr(a, v).map(Some),
                    None => Ok(None),
                }
            }
            _ => self.builtin_attr(v, name),
        }
    }

    /// Attributes of built-in values: data attributes first, then methods of their class.
    fn builtin_attr(&mut self, v: &Value, name: &str) -> PyResult<Option<Value>> {
        match (v, name) {
            (Value::Range(r), "start") => return Ok(Some(Value::Int(r.start))),
            (Value::Range(r), "stop") => return Ok(Some(Value::Int(r.stop))),
            (Value::Range(r), "step") => return Ok(Some(Value::Int(r.step))),
            (Value::Slice(s), "start") => return Ok(Some(s.lower.clone())),
            (Value::Slice(s), "stop") => return Ok(Some(s.upper.clone())),
            (Value::Slice(s), "step") => return Ok(Some(s.step.clone())),
            (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), "real" | "numerator") => {
                return Ok(Some(v.clone()));
            }
            (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), "imag") => {
                return Ok(Some(Value::Int(0)));
            }
            (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), "denominator") => {
                return Ok(Some(Value::Int(1)));
            }
            (Value::Float(_), "real") => return Ok(Some(v.clone())),
            (Value::Float(_), "imag") => return Ok(Some(Value::Float(0.0))),
            (_, "__class__") => return Ok(Some(Value::Class(self.class_of(v)))),
            _ => {}
        }
        let cls = self.class_of(v);
        match cls.lookup(name) {
            Some(a) => self.bind_class_attr(a, v).map(Some),
            None => Ok(None),
        }
    }

    /// What `obj.name` gives for an attribute found on obj's class.
    fn bind_class_attr(&mut self, attr: Value, obj: &Value) -> PyResult<Value> {
        match &attr {
            Value::Function(_) | Value::Native(_) => {
                Ok(Value::BoundMethod(Arc::new(BoundMethod {
                    receiver: obj.clone(),
                    func: attr,
                })))
            }
            Value::Instance(w) => {
                let t = &self.interp.types;
                if Arc::ptr_eq(&w.class, &t.property) {
                    let getter = w.get("fget").unwrap_or(Value::None);
                    if getter.is_none() {
                        return Err(PyErr::attribute_error("property has no getter"));
                    }
                    self.call(&getter, std::slice::from_ref(obj))
                } else if Arc::ptr_eq(&w.class, &t.staticmethod) {
                    Ok(w.get("__func__").unwrap_or(Value::None))
                } else if Arc::ptr_eq(&w.class, &t.classmethod) {
                    let cls = Value::Class(self.class_of(obj));
                    Ok(Value::BoundMethod(Arc::new(BoundMethod {
                        receiver: cls,
                        func: w.get("__func__").unwrap_or(Value::None),
                    })))
                } else {
                    Ok(attr)
                }
            }
            _ => Ok(attr),
        }
    }

    /// For `obj.name(...)`: the plain function and receiver when `name` is a method on obj's
    /// class (so no bound method is allocated), else `None`.
    /// The name is interned (a code object's name, or [`intern`](crate::compile::intern::intern)
    /// it), so the thread's class-attribute cache can answer.
    pub(crate) fn lookup_method(&mut self, obj: &Value, name: &Name) -> Option<Value> {
        let cls = match obj {
            Value::Instance(i) => {
                if i.attrs.lock().contains_name(name) {
                    return None;
                }
                &i.class
            }
            Value::Class(_) | Value::Module(_) | Value::Function(_) | Value::BoundMethod(_) => {
                return None;
            }
            Value::Object(o) => {
                if o.0.get_attr(name).is_some() {
                    return None;
                }
                o.0.class()
            }
            _ => self.interp.types.of(obj),
        };
        self.caches
            .class_lookup_map(cls, name, |found| match found {
                Value::Function(f) => Some(Value::Function(f.clone())),
                Value::Native(n) => Some(Value::NativeMethod(n.func)),
                _ => None,
            })
    }

    /// Whether `obj.x = v` on an instance of `cls` just stores into the instance: no class in
    /// its MRO overrides `__setattr__` or holds a property. Cached on the class per epoch.
    pub(crate) fn plain_stores(&self, cls: &Arc<Class>) -> bool {
        let epoch = class_epoch();
        let cached = cls.plain_stores.load(std::sync::atomic::Ordering::Relaxed);
        if cached >> 1 == epoch {
            return cached & 1 == 1;
        }
        let t = &self.interp.types;
        let object_setattr = t.object.attrs.read().get("__setattr__").cloned();
        let plain = cls.mro().iter().all(|c| {
            c.attrs.read().iter().all(|(k, v)| match v {
                Value::Instance(w) => !Arc::ptr_eq(&w.class, &t.property),
                _ => &**k != "__setattr__" || object_setattr.as_ref().is_some_and(|o| o.is(v)),
            })
        });
        cls.plain_stores.store(
            epoch << 1 | plain as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        plain
    }

    /// `obj.name = value` for the `StoreAttr` op, whose name is interned.
    pub(crate) fn store_attr(
        &mut self,
        obj: &Value,
        name: &crate::compile::intern::Name,
        value: Value,
    ) -> PyResult<()> {
        match obj {
            Value::Instance(inst) if self.plain_stores(&inst.class) => {
                inst.attrs.lock().insert(name, value);
                Ok(())
            }
            _ => self.set_attr(obj, name, value),
        }
    }

    /// `setattr(obj, name, value)`.
    pub fn set_attr(&mut self, obj: &Value, name: &str, value: Value) -> PyResult<()> {
        match obj {
            Value::Instance(inst) if self.plain_stores(&inst.class) => {
                inst.attrs.lock().insert_str(name, value);
                Ok(())
            }
            Value::Instance(inst) => {
                if let Some(Value::Instance(w)) = inst.class.lookup(name)
                    && Arc::ptr_eq(&w.class, &self.interp.types.property)
                {
                    let setter = w.get("fset").unwrap_or(Value::None);
                    if setter.is_none() {
                        return Err(PyErr::attribute_error(format!(
                            "property '{name}' of '{}' object has no setter",
                            inst.class.name
                        )));
                    }
                    self.call(&setter, &[obj.clone(), value])?;
                    return Ok(());
                }
                if let Some(sa) = inst.class.lookup("__setattr__")
                    && !self.is_object_slot(&sa, "__setattr__")
                {
                    self.call(&sa, &[obj.clone(), Value::str(name), value])?;
                    return Ok(());
                }
                inst.attrs.lock().insert_str(name, value);
                Ok(())
            }
            Value::Class(cls) if cls.is_immutable() => Err(immutable_type(name, cls)),
            Value::Class(cls) => {
                cls.attrs_mut().insert(Arc::from(name), value);
                Ok(())
            }
            Value::Module(m) => {
                m.set(name, value);
                Ok(())
            }
            Value::Function(f) => {
                f.attrs
                    .lock()
                    .get_or_insert_with(Default::default)
                    .insert(Arc::from(name), value);
                Ok(())
            }
            _ => Err(PyErr::attribute_error(format!(
                "'{}' object has no attribute '{name}'",
                super::ops::type_name(obj)
            ))),
        }
    }

    /// Is `f` `object`'s own `name` (`object.__setattr__`), which stores plainly and needs no
    /// call?
    fn is_object_slot(&self, f: &Value, name: &str) -> bool {
        match (f, self.interp.types.object.attrs.read().get(name)) {
            (Value::Native(a), Some(Value::Native(b))) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    pub fn del_attr(&mut self, obj: &Value, name: &str) -> PyResult<()> {
        if let Value::Instance(inst) = obj
            && let Some(da) = inst.class.lookup("__delattr__")
            && !self.is_object_slot(&da, "__delattr__")
        {
            return self.call(&da, &[obj.clone(), Value::str(name)]).map(|_| ());
        }
        let removed = match obj {
            Value::Instance(inst) => inst.attrs.lock().remove(name).is_some(),
            Value::Class(cls) if cls.is_immutable() => return Err(immutable_type(name, cls)),
            Value::Class(cls) => cls.attrs_mut().remove(name).is_some(),
            Value::Module(m) => {
                let mut g = m.vars_mut();
                match g.get_mut(name) {
                    Some(slot) if !matches!(slot, Value::Unbound) => {
                        *slot = Value::Unbound;
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if removed {
            Ok(())
        } else {
            Err(self.attr_error(obj, name))
        }
    }
}

fn missing_error(name: &str, missing: &[String], what: &str) -> PyErr {
    let quoted: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
    let list = match quoted.len() {
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    };
    PyErr::type_error(format!(
        "{name}() missing {} required {what} argument{}: {list}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" }
    ))
}

/// The error when `__init__` returns something other than None.
pub(crate) fn init_returned(v: &Value) -> PyErr {
    PyErr::type_error(format!(
        "__init__() should return None, not '{}'",
        super::ops::type_name(v)
    ))
}

/// CPython's refusal to change a built-in type.
fn immutable_type(name: &str, cls: &Class) -> PyErr {
    PyErr::type_error(format!(
        "cannot set '{name}' attribute of immutable type '{}'",
        cls.name
    ))
}
