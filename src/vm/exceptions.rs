//! Exception objects: creating them, matching them in `except` clauses, chaining, and printing
//! CPython's traceback display.
//!
//! An exception is an ordinary instance of a class derived from `BaseException`; its traceback
//! (innermost entry first, printed in reverse) is a native object stored in its `__traceback__`
//! attribute, so it travels with the exception through `raise`, `except ... as e` and chaining.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use super::Vm;
use super::errors::{ExcKind, PyErr, PyResult, TraceEntry};
use super::objects::*;
use super::value::Value;

/// The frames an exception passed through, innermost first.
pub struct Traceback(pub Mutex<Vec<TraceEntry>>);

static TRACEBACK_CLASS: OnceLock<Arc<Class>> = OnceLock::new();

impl NativeObject for Traceback {
    fn class(&self) -> &Arc<Class> {
        TRACEBACK_CLASS.get_or_init(|| {
            super::types::new_class("traceback", "builtins", None, TypeKind::Builtin)
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Vm {
    /// Turns an error into the exception instance Python code sees.
    pub fn materialize(&mut self, err: PyErr) -> Value {
        match err {
            PyErr::Raised(v) => v,
            PyErr::New(kind, args) => {
                let cls = self.interp.types.exception(kind).clone();
                let inst = Instance::new(cls);
                if kind == ExcKind::SystemExit {
                    inst.set("code", args.first().cloned().unwrap_or(Value::None));
                }
                inst.set("args", Value::tuple(*args));
                Value::Instance(Arc::new(inst))
            }
        }
    }

    /// Creates an exception class deriving from a built-in one (e.g. `zlib.error`).
    pub fn new_exception_class(&self, name: &str, module: &str, base: ExcKind) -> Arc<Class> {
        super::types::new_class(
            name,
            module,
            Some(self.interp.types.exception(base).clone()),
            TypeKind::Instance,
        )
    }

    pub fn is_exception_class(&self, cls: &Arc<Class>) -> bool {
        cls.is_subclass(self.interp.types.exception(ExcKind::BaseException))
    }

    /// The traceback list of an exception instance, created on first use.
    pub(crate) fn traceback_of(&self, exc: &Value) -> Option<Arc<ObjectBox>> {
        let Value::Instance(inst) = exc else {
            return None;
        };
        let mut attrs = inst.attrs.lock();
        match attrs.get("__traceback__") {
            Some(Value::Object(o)) => Some(o.clone()),
            _ => {
                let obj = Arc::new(ObjectBox(Box::new(Traceback(Mutex::new(vec![])))));
                attrs.insert_str("__traceback__", Value::Object(obj.clone()));
                Some(obj)
            }
        }
    }

    pub(crate) fn add_traceback(&self, exc: &Value, entry: TraceEntry) {
        if let Some(tb) = self.traceback_of(exc)
            && let Some(tb) = tb.0.as_any().downcast_ref::<Traceback>()
        {
            tb.0.lock().push(entry);
        }
    }

    /// Does exception instance `exc` match the class (or tuple of classes) `spec`?
    pub fn exception_matches(&mut self, exc: &Value, spec: &Value) -> PyResult<bool> {
        match spec {
            Value::Class(c) => {
                if !self.is_exception_class(c) {
                    return Err(PyErr::type_error(
                        "catching classes that do not inherit from BaseException is not allowed",
                    ));
                }
                Ok(match exc {
                    Value::Instance(i) => i.class.is_subclass(c),
                    _ => false,
                })
            }
            Value::Tuple(t) => {
                for s in t.0.clone() {
                    if self.exception_matches(exc, &s)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(PyErr::type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        }
    }

    /// Makes the exception that a `raise X` statement raises: X itself, or X() for a class.
    pub(crate) fn exception_from(&mut self, v: Value) -> PyResult<Value> {
        match &v {
            Value::Class(c) if self.is_exception_class(c) => self.call(&v, &[]),
            Value::Instance(i) if self.is_exception_class(&i.class) => Ok(v),
            _ => Err(PyErr::type_error(
                "exceptions must derive from BaseException",
            )),
        }
    }

    /// `str(exc)`: the message part of `ValueError: message`.
    pub fn exception_str(&mut self, exc: &Value) -> String {
        match self.to_str(exc) {
            Ok(s) => s,
            Err(_) => "<exception str() failed>".to_string(),
        }
    }

    /// CPython's full display of an uncaught exception, with its cause or context first.
    pub fn format_exception(&mut self, exc: &Value) -> String {
        let mut out = String::new();
        self.format_chain(exc, &mut out, 0);
        out
    }

    fn format_chain(&mut self, exc: &Value, out: &mut String, depth: usize) {
        if let Value::Instance(inst) = exc
            && depth < 50
        {
            let cause = inst.get("__cause__").filter(|c| !c.is_none());
            let suppress = matches!(inst.get("__suppress_context__"), Some(Value::Bool(true)));
            let context = inst.get("__context__").filter(|c| !c.is_none());
            if let Some(c) = cause {
                self.format_chain(&c, out, depth + 1);
                out.push_str(
                    "\nThe above exception was the direct cause of the following exception:\n\n",
                );
            } else if let (Some(c), false) = (context, suppress) {
                self.format_chain(&c, out, depth + 1);
                out.push_str(
                    "\nDuring handling of the above exception, another exception occurred:\n\n",
                );
            }
        }
        let entries = self
            .traceback_of(exc)
            .and_then(|tb| {
                tb.0.as_any()
                    .downcast_ref::<Traceback>()
                    .map(|t| t.0.lock().clone())
            })
            .unwrap_or_default();
        if !entries.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            for e in entries.iter().rev() {
                out.push_str(&format!(
                    "  File \"{}\", line {}, in {}\n",
                    e.filename, e.line, e.func
                ));
                if let Some(line) = self.source_line(&e.filename, e.line) {
                    out.push_str(&format!("    {}\n", line));
                }
            }
        }
        out.push_str(&self.exception_line(exc));
        out.push('\n');
    }

    /// `ValueError: message` (qualified by module for classes outside builtins and `__main__`).
    pub fn exception_line(&mut self, exc: &Value) -> String {
        let name = match exc {
            Value::Instance(i) => {
                let c = &i.class;
                if c.module == "builtins" || c.module == "__main__" {
                    c.qualname.clone()
                } else {
                    format!("{}.{}", c.module, c.qualname)
                }
            }
            other => super::ops::type_name(other).to_string(),
        };
        let msg = self.exception_str(exc);
        if msg.is_empty() {
            name
        } else {
            format!("{name}: {msg}")
        }
    }

    fn source_line(&self, filename: &str, line: u32) -> Option<String> {
        let sources = self.interp.sources.lock();
        let src = sources.get(filename)?;
        let text = src.lines().nth(line.checked_sub(1)? as usize)?;
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }
}

/// Native methods of `BaseException`, installed on the class.
pub(crate) fn install(types: &super::types::BuiltinTypes) {
    let base = types.exception(ExcKind::BaseException);
    let mut attrs = base.attrs_mut();
    for (name, f) in [
        ("__init__", exc_init as NativeFn),
        ("__str__", exc_str),
        ("__repr__", exc_repr),
        ("with_traceback", exc_with_tb),
    ] {
        attrs.insert(Arc::from(name), Vm::native(name, f));
    }
}

fn exc_init(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    if let Some(Value::Instance(inst)) = args.pos.first() {
        let rest = args.pos[1..].to_vec();
        if inst.class.name == "SystemExit" || inst.class.is_subclass_named("SystemExit") {
            inst.set("code", rest.first().cloned().unwrap_or(Value::None));
        }
        inst.set("args", Value::tuple(rest));
    }
    Ok(Value::None)
}

fn exc_args(v: &Value) -> Vec<Value> {
    match v {
        Value::Instance(i) => match i.get("args") {
            Some(Value::Tuple(t)) => t.0.clone(),
            _ => vec![],
        },
        _ => vec![],
    }
}

fn exc_str(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = args.pos.first().cloned().unwrap_or(Value::None);
    let a = exc_args(&this);
    let is_key_error = matches!(&this, Value::Instance(i) if i.class.is_subclass(vm.interp.types.exception(ExcKind::KeyError)));
    Ok(Value::str(match a.len() {
        0 => String::new(),
        1 if is_key_error => vm.repr(&a[0])?,
        1 => vm.to_str(&a[0])?,
        _ => vm.repr(&Value::tuple(a))?,
    }))
}

fn exc_repr(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = args.pos.first().cloned().unwrap_or(Value::None);
    let a = exc_args(&this);
    let name = super::ops::type_name(&this).to_string();
    let inner = match a.len() {
        1 => vm.repr(&a[0])?,
        _ => {
            let r = vm.repr(&Value::tuple(a.clone()))?;
            if a.is_empty() {
                String::new()
            } else {
                r[1..r.len() - 1].to_string()
            }
        }
    };
    Ok(Value::str(format!("{name}({inner})")))
}

fn exc_with_tb(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(args.pos.first().cloned().unwrap_or(Value::None))
}

impl Class {
    fn is_subclass_named(&self, name: &str) -> bool {
        let mut c = self.base.as_deref();
        while let Some(k) = c {
            if k.name == name {
                return true;
            }
            c = k.base.as_deref();
        }
        false
    }
}
