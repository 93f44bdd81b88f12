//! Code objects: the compiler's output and the eval loop's input.

use std::sync::Arc;

use super::opcode::Op;
use crate::vm::value::Value;

/// What a code object's body is, which decides how its names are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeKind {
    /// Module top level: names are module globals.
    Module,
    /// A `def`, `lambda` or comprehension: names are slots.
    Function,
    /// A class body: names go to the class namespace.
    Class,
}

/// Compiled bytecode for one function, class body or module, with everything needed to run it.
/// Immutable once built and free of interpreter state, so one compiled module can serve every
/// interpreter of a run (see `vm::import`).
#[derive(Clone)]
pub struct Code {
    pub kind: CodeKind,
    pub name: Arc<str>,
    pub qualname: Arc<str>,
    pub filename: Arc<str>,
    pub firstlineno: u32,
    pub ops: Vec<Op>,
    /// Source line of each op (same length as `ops`).
    pub lines: Vec<u32>,
    pub consts: Vec<Value>,
    /// Names used by attribute, class-namespace and import ops. (Global ops carry the module
    /// slot index instead: the compiler numbers a module's globals once for all its code.)
    /// Interned, so that instances can keep them without reference counts.
    pub names: Vec<super::intern::Name>,
    /// Local variable names, parameters first.
    pub varnames: Vec<Arc<str>>,
    /// Variables of this code captured by inner functions.
    pub cellvars: Vec<Arc<str>>,
    /// Variables this code takes from enclosing functions.
    pub freevars: Vec<Arc<str>>,
    /// Parameters that are also cell variables: (cell index, local index), copied in at entry.
    pub cell_params: Vec<(u32, u32)>,
    pub argcount: u32,
    pub kwonlycount: u32,
    pub has_varargs: bool,
    pub has_varkw: bool,
    /// Deepest handler nesting, used to preallocate.
    pub max_stack: u32,
}

impl Code {
    /// Number of parameter slots, including `*args` and `**kwargs`.
    pub fn total_params(&self) -> usize {
        (self.argcount + self.kwonlycount) as usize
            + self.has_varargs as usize
            + self.has_varkw as usize
    }

    pub fn line_at(&self, ip: usize) -> u32 {
        self.lines.get(ip).copied().unwrap_or(self.firstlineno)
    }
}

impl Code {
    /// Rewrites global slot operands through `slots` (compile-time index → module slot), for
    /// running freshly compiled code in a module that already has globals. Nested code objects
    /// are rewritten too; they must not be shared yet.
    pub fn remap_globals(&mut self, slots: &[u32]) {
        use super::opcode::Op::*;
        for op in &mut self.ops {
            *op = match *op {
                LoadGlobal(i) => LoadGlobal(slots[i as usize]),
                StoreGlobal(i) => StoreGlobal(slots[i as usize]),
                DeleteGlobal(i) => DeleteGlobal(slots[i as usize]),
                other => other,
            };
        }
        for c in &mut self.consts {
            if let Value::Code(inner) = c {
                // A shared nested code object (from the compile cache) is copied first.
                Arc::make_mut(inner).remap_globals(slots);
            }
        }
    }
}
