//! `import`: built-in modules from the registry in `crate::modules`, and user modules as `.py`
//! files beside the main script. Each interpreter caches what it imported in `sys.modules`, so
//! a module's top level runs once per interpreter.

use std::sync::Arc;

use super::Vm;
use super::errors::{ExcKind, PyErr, PyResult};
use super::objects::Module;
use super::value::Value;
use crate::compile::code::Code;
use crate::compile::compiler::{CompiledModule, compile};

/// Compiled modules by file name, with the source they were compiled from.
type CompileCache = rustc_hash::FxHashMap<String, (Arc<str>, CompiledModule)>;

static COMPILED: std::sync::LazyLock<parking_lot::Mutex<CompileCache>> =
    std::sync::LazyLock::new(Default::default);

/// Built-in modules' code with its global slots already renumbered for the module it runs
/// in, by file name: the compiled code it was made from, the slot map, and the result.
/// Every interpreter lays out a fresh built-in module the same way, so the map (and the copy
/// of the whole code tree that renumbering takes) is made once per run, not per import.
type RemapCache = rustc_hash::FxHashMap<String, (Arc<Code>, Vec<u32>, Arc<Code>)>;

static REMAPPED: std::sync::LazyLock<parking_lot::Mutex<RemapCache>> =
    std::sync::LazyLock::new(Default::default);

impl Vm {
    /// Imports `name` (dotted names import each parent first) and returns the module.
    pub fn import(&mut self, name: &str) -> PyResult<Value> {
        if let Some(m) = self.interp.modules.lock().get(name) {
            return Ok(m.clone());
        }
        if let Some((parent, child)) = name.rsplit_once('.') {
            let p = self.import(parent)?;
            if let Some(m) = self.interp.modules.lock().get(name) {
                return Ok(m.clone());
            }
            let m = self.load_module(name)?;
            self.set_attr(&p, child, m.clone())?;
            return Ok(m);
        }
        self.load_module(name)
    }

    fn load_module(&mut self, name: &str) -> PyResult<Value> {
        if let Some(def) = crate::modules::find(name) {
            let module = Arc::new(Module::new(name, "<built-in>"));
            module.set("__name__", Value::str(name));
            let v = Value::Module(module.clone());
            self.interp
                .modules
                .lock()
                .insert(name.to_string(), v.clone());
            if let Err(e) = (def.init)(self, &module) {
                self.interp.modules.lock().remove(name);
                return Err(e);
            }
            return Ok(v);
        }
        let dir = std::path::Path::new(
            self.interp
                .config
                .argv
                .first()
                .map(String::as_str)
                .unwrap_or("."),
        )
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
        let path = dir.join(format!("{}.py", name.replace('.', "/")));
        match std::fs::read_to_string(&path) {
            Ok(source) => {
                let filename = path.to_string_lossy().into_owned();
                self.run_source_as_module(name, &filename, &source)
            }
            Err(_) => Err(PyErr::with_args(
                ExcKind::ModuleNotFoundError,
                vec![Value::str(format!("No module named '{name}'"))],
            )),
        }
    }

    /// Compiles and runs source as module `name`, registering it in `sys.modules` first (so
    /// circular imports see the partly initialised module, as in CPython).
    pub fn run_source_as_module(
        &mut self,
        name: &str,
        filename: &str,
        source: &str,
    ) -> PyResult<Value> {
        let compiled = self.compile_source(filename, source)?;
        let module = Arc::new(Module::new(name, filename));
        module.intern_names(&compiled.globals);
        module.set("__name__", Value::str(name));
        module.set("__file__", Value::str(filename));
        module.set("__doc__", Value::None);
        let v = Value::Module(module.clone());
        self.interp
            .modules
            .lock()
            .insert(name.to_string(), v.clone());
        if let Err(e) = self.run_code(compiled.code, module, None) {
            self.interp.modules.lock().remove(name);
            return Err(e);
        }
        Ok(v)
    }

    /// Runs Python source into an existing module (built-in modules written in Python).
    pub fn exec_in_module(
        &mut self,
        module: &Arc<Module>,
        filename: &str,
        source: &str,
    ) -> PyResult<()> {
        let compiled = self.compile_source(filename, source)?;
        let slots = module.intern_names(&compiled.globals);
        let code = if slots.iter().enumerate().any(|(i, &s)| s as usize != i) {
            remapped(filename, &compiled.code, slots)
        } else {
            compiled.code
        };
        self.run_code(code, module.clone(), None).map(|_| ())
    }

    /// Parses and compiles a file's source, keeping the text for tracebacks. Compiled modules
    /// are cached for the whole run: every child interpreter of process mode imports the same
    /// `threading` and `multiprocessing` and runs the same main script, and compiling them again
    /// was most of what starting a process cost.
    fn compile_source(&mut self, filename: &str, source: &str) -> PyResult<CompiledModule> {
        self.interp
            .sources
            .lock()
            .insert(filename.to_string(), Arc::from(source));
        let cached = COMPILED.lock().get(filename).cloned();
        if let Some((text, compiled)) = cached
            && *text == *source
        {
            return Ok(compiled);
        }
        let parsed =
            crate::syntax::parse(source).map_err(|e| self.syntax_error_value(&e, filename))?;
        let compiled =
            compile(&parsed, filename).map_err(|e| self.syntax_error_value(&e, filename))?;
        COMPILED
            .lock()
            .insert(filename.to_string(), (Arc::from(source), compiled.clone()));
        Ok(compiled)
    }

    /// A SyntaxError exception for a front-end error in an imported file.
    pub fn syntax_error_value(&mut self, e: &crate::syntax::SyntaxError, filename: &str) -> PyErr {
        let kind = match e.kind {
            crate::syntax::SyntaxErrorKind::SyntaxError => ExcKind::SyntaxError,
            crate::syntax::SyntaxErrorKind::IndentationError => ExcKind::IndentationError,
            crate::syntax::SyntaxErrorKind::TabError => ExcKind::TabError,
            crate::syntax::SyntaxErrorKind::RecursionError => {
                return PyErr::new(ExcKind::RecursionError, e.msg.clone());
            }
        };
        let exc = self.materialize(PyErr::new(kind, e.msg.clone()));
        if let Value::Instance(i) = &exc {
            i.set("msg", Value::str(e.msg.clone()));
            i.set("lineno", Value::Int(e.line as i64));
            i.set("offset", Value::Int(e.col as i64));
            i.set("filename", Value::str(filename));
        }
        PyErr::Raised(exc)
    }
}

/// `code` with its global slots renumbered through `slots`, from [`REMAPPED`] when this file's
/// code was renumbered the same way before.
fn remapped(filename: &str, code: &Arc<Code>, slots: Vec<u32>) -> Arc<Code> {
    if let Some((from, s, done)) = REMAPPED.lock().get(filename)
        && Arc::ptr_eq(from, code)
        && *s == slots
    {
        return done.clone();
    }
    let mut copy = code.clone();
    Arc::make_mut(&mut copy).remap_globals(&slots);
    REMAPPED
        .lock()
        .insert(filename.to_string(), (code.clone(), slots, copy.clone()));
    copy
}
