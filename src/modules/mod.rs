//! The built-in modules `import` can load (`time`, `sys`, `math`, `random`, `os` with `os.path`,
//! `hashlib`, `zlib`, `subprocess`, the threading modules, ...), each in its own file: Rust here, or Python
//! source under `python/` run into the module by its `init`.
//!
//! The VM's import op looks a name up with [`find`], creates an empty
//! `Module::new(name, "<built-in>")`, runs the module's [`ModuleDef::init`] to fill it with
//! `module.set(name, value)`, and caches the result in `sys.modules`, so `init` runs at most once
//! per interpreter and all per-interpreter module state (the `random` generator, `zlib.error`)
//! lives in the module object it creates.
//!
//! Adding a module takes one file here and one line in [`MODULES`].
//!
//! The helpers below are for module authors: [`func`] adds a function, [`native_class`] builds
//! the class of a Rust-implemented object type (its methods receive the object as
//! `args.pos[0]`), [`receiver`] recovers that object, and the `*_arg` functions convert
//! arguments with CPython's error messages.

pub mod futures;
pub mod hashlib;
/// `open()` and file objects (used by the `open` builtin; not an importable module).
pub mod io;
pub mod math;
pub mod multiprocessing;
pub mod native;
pub mod os;
pub mod queue;
pub mod random;
pub mod subprocess;
pub mod sys;
pub mod thread;
pub mod time;
pub mod zlib;

use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;
use rustc_hash::FxHashMap;

use crate::vm::objects::{Args, BoundMethod, Class, Module, NativeFn, TypeKind};
use crate::vm::ops::type_name;
use crate::vm::{PyErr, PyResult, Value, Vm};

/// A built-in module: its import name and the function that fills a fresh module object.
pub struct ModuleDef {
    /// The name `import` uses (dotted for submodules, e.g. `os.path`).
    pub name: &'static str,
    /// Sets the module's attributes. Runs once per interpreter, on first import.
    pub init: fn(&mut Vm, &Arc<Module>) -> PyResult<()>,
}

/// Every built-in module, by import name.
pub const MODULES: &[ModuleDef] = &[
    ModuleDef {
        name: "concurrent",
        init: |_, _| Ok(()),
    },
    ModuleDef {
        name: "concurrent.futures",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen concurrent.futures>",
                include_str!("python/concurrent/futures/__init__.py"),
            )
        },
    },
    ModuleDef {
        name: "concurrent.futures._base",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen concurrent.futures._base>",
                include_str!("python/concurrent/futures/_base.py"),
            )
        },
    },
    ModuleDef {
        name: "concurrent.futures.process",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen concurrent.futures.process>",
                include_str!("python/concurrent/futures/process.py"),
            )
        },
    },
    ModuleDef {
        name: "concurrent.futures.thread",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen concurrent.futures.thread>",
                include_str!("python/concurrent/futures/thread.py"),
            )
        },
    },
    ModuleDef {
        name: "hashlib",
        init: hashlib::init,
    },
    ModuleDef {
        name: "math",
        init: math::init,
    },
    ModuleDef {
        name: "native",
        init: native::init,
    },
    ModuleDef {
        name: "os",
        init: os::init,
    },
    ModuleDef {
        name: "os.path",
        init: os::init_path,
    },
    ModuleDef {
        name: "random",
        init: random::init,
    },
    ModuleDef {
        name: "signal",
        init: |vm, m| vm.exec_in_module(m, "<frozen signal>", include_str!("python/signal.py")),
    },
    ModuleDef {
        name: "_queue",
        init: queue::init,
    },
    ModuleDef {
        name: "_futures",
        init: futures::init,
    },
    ModuleDef {
        name: "queue",
        init: |vm, m| vm.exec_in_module(m, "<frozen queue>", include_str!("python/queue.py")),
    },
    ModuleDef {
        name: "threading",
        init: |vm, m| {
            vm.exec_in_module(m, "<frozen threading>", include_str!("python/threading.py"))
        },
    },
    ModuleDef {
        name: "_multiprocessing",
        init: multiprocessing::init,
    },
    ModuleDef {
        name: "multiprocessing",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing>",
                include_str!("python/multiprocessing/__init__.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.connection",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.connection>",
                include_str!("python/multiprocessing/connection.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.dummy",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.dummy>",
                include_str!("python/multiprocessing/dummy.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.managers",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.managers>",
                include_str!("python/multiprocessing/managers.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.pool",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.pool>",
                include_str!("python/multiprocessing/pool.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.queues",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.queues>",
                include_str!("python/multiprocessing/queues.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.sharedctypes",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.sharedctypes>",
                include_str!("python/multiprocessing/sharedctypes.py"),
            )
        },
    },
    ModuleDef {
        name: "multiprocessing.synchronize",
        init: |vm, m| {
            vm.exec_in_module(
                m,
                "<frozen multiprocessing.synchronize>",
                include_str!("python/multiprocessing/synchronize.py"),
            )
        },
    },
    ModuleDef {
        name: "pickle",
        init: |vm, m| vm.exec_in_module(m, "<frozen pickle>", include_str!("python/pickle.py")),
    },
    ModuleDef {
        name: "_thread",
        init: thread::init,
    },
    ModuleDef {
        name: "subprocess",
        init: subprocess::init,
    },
    ModuleDef {
        name: "sys",
        init: sys::init,
    },
    ModuleDef {
        name: "time",
        init: time::init,
    },
    ModuleDef {
        name: "zlib",
        init: zlib::init,
    },
];

/// The built-in module called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static ModuleDef> {
    MODULES.iter().find(|m| m.name == name)
}

/// A built-in function value.
pub fn native(name: &'static str, f: NativeFn) -> Value {
    Vm::native(name, f)
}

/// Sets `m.name` to a built-in function.
pub fn func(m: &Module, name: &'static str, f: NativeFn) {
    m.set(name, native(name, f));
}

/// A built-in method already bound to `receiver`, which the function gets as `args.pos[0]`.
///
/// This is how module-level functions share per-interpreter state without a global: CPython's
/// `random.random` is itself the bound method `random._inst.random`.
pub fn bound(receiver: Value, name: &'static str, f: NativeFn) -> Value {
    Value::BoundMethod(Arc::new(BoundMethod {
        receiver,
        func: native(name, f),
    }))
}

/// The class of a native object type, with its methods. Each method receives the object as
/// `args.pos[0]`; [`receiver`] gets it back as the Rust type.
pub fn native_class(name: &str, module: &str, methods: &[(&'static str, NativeFn)]) -> Arc<Class> {
    let attrs: FxHashMap<Arc<str>, Value> = methods
        .iter()
        .map(|&(mname, f)| (Arc::from(mname), native(mname, f)))
        .collect();
    Arc::new(Class {
        name: name.to_string(),
        qualname: name.to_string(),
        module: module.to_string(),
        base: None,
        attrs: RwLock::new(attrs),
        kind: TypeKind::Builtin,
        plain_stores: Default::default(),
        key_hash: Default::default(),
        constructor: OnceLock::new(),
    })
}

/// The object a native method was called on (`args.pos[0]`), as the Rust type `T`.
///
/// Raises CPython's `TypeError` for a method taken from the class and applied to something else
/// (`descriptor 'update' for 'HASH' objects doesn't apply to a 'int' object`).
pub fn receiver<'a, T: 'static>(args: &Args<'a>, class: &str, method: &str) -> PyResult<&'a T> {
    let Some(this) = args.pos.first() else {
        return Err(PyErr::type_error(format!(
            "descriptor '{method}' of '{class}' object needs an argument"
        )));
    };
    this.downcast::<T>().ok_or_else(|| {
        PyErr::type_error(format!(
            "descriptor '{method}' for '{class}' objects doesn't apply to a '{}' object",
            type_name(this)
        ))
    })
}

/// The arguments of a native method without its receiver (`args.pos[1..]`), so that
/// [`Args::check`] counts and reports them as Python code sees them.
pub fn method_args<'a>(args: &Args<'a>) -> Args<'a> {
    Args {
        pos: args.pos.get(1..).unwrap_or(&[]),
        kw: args.kw,
    }
}

/// Just the receiver of a native method call (`args.pos[0]`), to call another method of the
/// same object with no arguments (`__exit__` calling `release`).
pub fn receiver_only<'a>(args: &Args<'a>) -> Args<'a> {
    Args {
        pos: &args.pos[..1],
        kw: &[],
    }
}

/// An attribute of an already-imported module of this interpreter (`sys.modules[module].name`).
pub fn module_attr(vm: &Vm, module: &str, name: &str) -> Option<Value> {
    let m = vm.interp.modules.lock().get(module).cloned()?;
    match m {
        Value::Module(m) => m.get(name),
        _ => None,
    }
}

/// A `str` argument, or `TypeError: {what} must be str, not int`.
pub fn str_arg<'a>(v: &'a Value, what: &str) -> PyResult<&'a str> {
    v.as_str()
        .ok_or_else(|| PyErr::type_error(format!("{what} must be str, not {}", type_name(v))))
}

/// A bytes-like argument, with CPython's message for anything else
/// (`a bytes-like object is required, not 'str'`).
pub fn bytes_arg(v: &Value) -> PyResult<&[u8]> {
    match v {
        Value::Bytes(b) => Ok(&b.0),
        _ => Err(PyErr::type_error(format!(
            "a bytes-like object is required, not '{}'",
            type_name(v)
        ))),
    }
}

/// An int argument that must fit a C `int`/`long`-sized value: big ints raise `OverflowError`
/// ("Python int too large to convert to C long"), non-ints `TypeError`.
pub fn int_arg(v: &Value) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::BigInt(_) => Err(PyErr::overflow("Python int too large to convert to C long")),
        _ => Err(PyErr::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))),
    }
}
