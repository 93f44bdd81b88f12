//! AST to bytecode.
//!
//! One [`Unit`] per code object being built (module, function, lambda, comprehension, class
//! body). Names are resolved by the symbol table first (`symtable.rs`), so each load and store is
//! emitted as the right op at once: slot, cell, module global, or class namespace.
//!
//! Control flow that leaves a protected region (`break`, `continue`, `return` inside `try`,
//! `with` or an `except` body) is compiled by walking the stack of open [`FBlock`]s and emitting
//! the clean-up inline (pop a handler block, run a `finally` body, call `__exit__`), as CPython
//! 3.9+ does. This keeps the VM's block handling to three ops.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;

use super::code::{Code, CodeKind};
use super::opcode::Op;
use super::symtable::{NameKind, SymbolTable, analyze};
use crate::syntax::SyntaxError;
use crate::syntax::ast::*;
use crate::vm::value::Value;

/// A compiled module: its top-level code and the names of its global slots, in slot order.
#[derive(Clone)]
pub struct CompiledModule {
    pub code: Arc<Code>,
    pub globals: Vec<Arc<str>>,
}

/// Trees up to this deep are compiled on the caller's thread (a few hundred kilobytes of
/// stack at most, even unoptimised); deeper ones on a helper thread with [`COMPILER_STACK`].
const INLINE_DEPTH: u32 = 24;
/// Stack reserved for compiling a deep tree: scope analysis and code generation recurse once
/// or twice per tree level, and the parser bounds the levels by
/// [`crate::syntax::parser::MAX_AST_DEPTH`]; an unoptimised build spends up to a few
/// kilobytes per level.
pub const COMPILER_STACK: usize = 256 << 20;

/// Compiles a parsed module. A deep tree is compiled on a helper thread whose stack fits
/// [`crate::syntax::parser::MAX_AST_DEPTH`] levels, so that no accepted tree can overflow the
/// caller's stack (a test thread has 2 MiB; `gilsim check` runs on the main thread).
pub fn compile(module: &Module, filename: &str) -> Result<CompiledModule, SyntaxError> {
    if module.depth <= INLINE_DEPTH {
        return compile_here(module, filename);
    }
    let result = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("compiler".into())
            .stack_size(COMPILER_STACK)
            .spawn_scoped(scope, || compile_here(module, filename))
            .ok()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
    });
    // No thread could be started: compile here, as the parser does in that case.
    result.unwrap_or_else(|| compile_here(module, filename))
}

fn compile_here(module: &Module, filename: &str) -> Result<CompiledModule, SyntaxError> {
    let table = analyze(module)?;
    let mut c = Compiler {
        table: &table,
        filename: Arc::from(filename),
        globals: IndexMap::new(),
        units: vec![],
    };
    c.push_unit(0, CodeKind::Module, "<module>", "<module>", 1);
    c.stmts(&module.body)?;
    c.emit_const(Value::None);
    c.emit(Op::Return);
    let code = c.pop_unit();
    let globals = c.globals.keys().map(|k| Arc::from(k.as_str())).collect();
    Ok(CompiledModule {
        code: Arc::new(code),
        globals,
    })
}

/// A block of control flow open around the code being compiled.
enum FBlock<'a> {
    Loop {
        start: u32,
        breaks: Vec<usize>,
        is_for: bool,
    },
    /// A `try` with a handler block pushed; `finally` holds the body to run on the way out.
    Try { finally: Option<&'a [Stmt]> },
    /// Inside an `except` (or `finally`-on-exception) body; `exc_on_stack` when the exception value
    /// sits on the stack during the body.
    Handler { exc_on_stack: bool },
    /// Inside a `with` body: `__exit__` is on the stack, a handler block is pushed.
    With,
}

struct Unit<'a> {
    scope: usize,
    kind: CodeKind,
    name: String,
    qualname: String,
    firstlineno: u32,
    ops: Vec<Op>,
    lines: Vec<u32>,
    consts: Vec<Value>,
    names: Vec<super::intern::Name>,
    names_map: HashMap<String, u32>,
    varnames: Vec<Arc<str>>,
    cellvars: Vec<Arc<str>>,
    freevars: Vec<Arc<str>>,
    line: u32,
    fblocks: Vec<FBlock<'a>>,
    argcount: u32,
    kwonlycount: u32,
    has_varargs: bool,
    has_varkw: bool,
}

struct Compiler<'a> {
    table: &'a SymbolTable,
    filename: Arc<str>,
    globals: IndexMap<String, ()>,
    units: Vec<Unit<'a>>,
}

type CResult = Result<(), SyntaxError>;

fn err(msg: impl Into<String>, span: Span) -> SyntaxError {
    SyntaxError::new(msg, span.line, span.col)
}

impl<'a> Compiler<'a> {
    // ---- units, emission, tables ----

    fn push_unit(&mut self, scope: usize, kind: CodeKind, name: &str, qualname: &str, line: u32) {
        let s = &self.table.scopes[scope];
        let arc = |v: &Vec<String>| {
            v.iter()
                .map(|n| Arc::from(n.as_str()))
                .collect::<Vec<Arc<str>>>()
        };
        self.units.push(Unit {
            scope,
            kind,
            name: name.to_string(),
            qualname: qualname.to_string(),
            firstlineno: line,
            ops: vec![],
            lines: vec![],
            consts: vec![],
            names: vec![],
            names_map: HashMap::new(),
            varnames: arc(&s.varnames),
            cellvars: arc(&s.cellvars),
            freevars: arc(&s.freevars),
            line,
            fblocks: vec![],
            argcount: 0,
            kwonlycount: 0,
            has_varargs: false,
            has_varkw: false,
        });
    }

    fn pop_unit(&mut self) -> Code {
        let u = self.units.pop().expect("unit stack underflow");
        let cell_params = u
            .cellvars
            .iter()
            .enumerate()
            .filter_map(|(ci, name)| {
                let li = u.varnames.iter().position(|v| v == name)?;
                (li < (u.argcount + u.kwonlycount) as usize
                    + u.has_varargs as usize
                    + u.has_varkw as usize)
                    .then_some((ci as u32, li as u32))
            })
            .collect();
        let mut ops = u.ops;
        crate::compile::opcode::fuse(&mut ops);
        Code {
            kind: u.kind,
            name: Arc::from(u.name.as_str()),
            qualname: Arc::from(u.qualname.as_str()),
            filename: self.filename.clone(),
            firstlineno: u.firstlineno,
            ops,
            lines: u.lines,
            consts: u.consts,
            names: u.names,
            varnames: u.varnames,
            cellvars: u.cellvars,
            freevars: u.freevars,
            cell_params,
            argcount: u.argcount,
            kwonlycount: u.kwonlycount,
            has_varargs: u.has_varargs,
            has_varkw: u.has_varkw,
            max_stack: 0,
        }
    }

    fn unit(&mut self) -> &mut Unit<'a> {
        self.units.last_mut().expect("no unit")
    }

    fn emit(&mut self, op: Op) -> usize {
        let u = self.unit();
        u.ops.push(op);
        u.lines.push(u.line);
        u.ops.len() - 1
    }

    fn pos(&mut self) -> u32 {
        self.unit().ops.len() as u32
    }

    /// Points the jump at `at` to the current position.
    fn patch(&mut self, at: usize) {
        let here = self.pos();
        let u = self.unit();
        u.ops[at] = u.ops[at].with_target(here);
    }

    fn set_line(&mut self, span: Span) {
        if span.line > 0 {
            self.unit().line = span.line;
        }
    }

    fn add_const(&mut self, v: Value) -> u32 {
        let u = self.unit();
        // Share equal simple constants.
        if let Some(i) = u.consts.iter().position(|c| same_const(c, &v)) {
            return i as u32;
        }
        u.consts.push(v);
        (u.consts.len() - 1) as u32
    }

    fn emit_const(&mut self, v: Value) {
        let i = self.add_const(v);
        self.emit(Op::LoadConst(i));
    }

    fn name_index(&mut self, name: &str) -> u32 {
        let u = self.unit();
        if let Some(&i) = u.names_map.get(name) {
            return i;
        }
        u.names.push(super::intern::intern(name));
        let i = (u.names.len() - 1) as u32;
        u.names_map.insert(name.to_string(), i);
        i
    }

    fn global_slot(&mut self, name: &str) -> u32 {
        let (i, _) = self.globals.insert_full(name.to_string(), ());
        i as u32
    }

    fn lookup(&self, name: &str) -> NameKind {
        self.table.scopes[self.units.last().unwrap().scope].lookup(name)
    }

    fn local_slot(&mut self, name: &str) -> u32 {
        let u = self.unit();
        match u.varnames.iter().position(|v| &**v == name) {
            Some(i) => i as u32,
            None => {
                u.varnames.push(Arc::from(name));
                (u.varnames.len() - 1) as u32
            }
        }
    }

    /// Index of a cell or free variable: cell variables first, then free variables.
    fn deref_slot(&mut self, name: &str) -> u32 {
        let u = self.unit();
        if let Some(i) = u.cellvars.iter().position(|v| &**v == name) {
            return i as u32;
        }
        if let Some(i) = u.freevars.iter().position(|v| &**v == name) {
            return (u.cellvars.len() + i) as u32;
        }
        u.freevars.push(Arc::from(name));
        (u.cellvars.len() + u.freevars.len() - 1) as u32
    }

    fn load_name(&mut self, name: &str) {
        let op = match self.lookup(name) {
            NameKind::Local => Op::LoadFast(self.local_slot(name)),
            NameKind::Cell | NameKind::Free => Op::LoadDeref(self.deref_slot(name)),
            NameKind::Global => Op::LoadGlobal(self.global_slot(name)),
            NameKind::ClassName => Op::LoadName(self.name_index(name)),
        };
        self.emit(op);
    }

    fn store_name(&mut self, name: &str) {
        let op = match self.lookup(name) {
            NameKind::Local => Op::StoreFast(self.local_slot(name)),
            NameKind::Cell | NameKind::Free => Op::StoreDeref(self.deref_slot(name)),
            NameKind::Global => Op::StoreGlobal(self.global_slot(name)),
            NameKind::ClassName => Op::StoreName(self.name_index(name)),
        };
        self.emit(op);
    }

    fn delete_name(&mut self, name: &str, span: Span) -> CResult {
        let op = match self.lookup(name) {
            NameKind::Local => Op::DeleteFast(self.local_slot(name)),
            NameKind::Cell | NameKind::Free => {
                return Err(err(
                    format!("deleting captured variable '{name}' is not supported by gilsim"),
                    span,
                ));
            }
            NameKind::Global => Op::DeleteGlobal(self.global_slot(name)),
            NameKind::ClassName => Op::DeleteName(self.name_index(name)),
        };
        self.emit(op);
        Ok(())
    }

    // ---- statements ----

    fn stmts(&mut self, body: &'a [Stmt]) -> CResult {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &'a Stmt) -> CResult {
        self.set_line(s.span);
        match &s.kind {
            StmtKind::Expr(e) => {
                self.expr(e)?;
                self.emit(Op::Pop);
            }
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for (i, t) in targets.iter().enumerate() {
                    if i + 1 < targets.len() {
                        self.emit(Op::Dup);
                    }
                    self.assign(t)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value)?,
            StmtKind::AnnAssign { target, value } => {
                if let Some(v) = value {
                    self.expr(v)?;
                    self.assign(target)?;
                }
            }
            StmtKind::If { test, body, orelse } => {
                let jf = self.jump_if(test, false)?;
                self.stmts(body)?;
                if orelse.is_empty() {
                    self.patch(jf);
                } else {
                    let j = self.emit(Op::Jump(0));
                    self.patch(jf);
                    self.stmts(orelse)?;
                    self.patch(j);
                }
            }
            StmtKind::While { test, body, orelse } => {
                let start = self.pos();
                let jf = self.jump_if(test, false)?;
                self.unit().fblocks.push(FBlock::Loop {
                    start,
                    breaks: vec![],
                    is_for: false,
                });
                self.stmts(body)?;
                self.emit(Op::JumpBackward(start));
                let breaks = self.pop_loop();
                self.patch(jf);
                self.stmts(orelse)?;
                for b in breaks {
                    self.patch(b);
                }
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter)?;
                self.emit(Op::GetIter);
                let start = self.pos();
                let fi = self.emit(Op::ForIter(0));
                self.unit().fblocks.push(FBlock::Loop {
                    start,
                    breaks: vec![],
                    is_for: true,
                });
                self.assign(target)?;
                self.stmts(body)?;
                self.set_line(s.span);
                self.emit(Op::JumpBackward(start));
                let breaks = self.pop_loop();
                self.patch(fi);
                self.stmts(orelse)?;
                for b in breaks {
                    self.patch(b);
                }
            }
            StmtKind::Break => {
                let Some(li) = self.unwind_to_loop(s.span, "'break' outside loop")? else {
                    unreachable!()
                };
                let is_for = matches!(self.unit().fblocks[li], FBlock::Loop { is_for: true, .. });
                if is_for {
                    self.emit(Op::Pop);
                }
                let j = self.emit(Op::Jump(0));
                if let FBlock::Loop { breaks, .. } = &mut self.unit().fblocks[li] {
                    breaks.push(j);
                }
            }
            StmtKind::Continue => {
                let Some(li) = self.unwind_to_loop(s.span, "'continue' not properly in loop")?
                else {
                    unreachable!()
                };
                let FBlock::Loop { start, .. } = self.unit().fblocks[li] else {
                    unreachable!()
                };
                self.emit(Op::JumpBackward(start));
            }
            StmtKind::Pass => {}
            StmtKind::Return(v) => {
                match v {
                    Some(v) => self.expr(v)?,
                    None => self.emit_const(Value::None),
                }
                self.unwind_for_return()?;
                self.emit(Op::Return);
            }
            StmtKind::FunctionDef(f) => {
                for d in &f.decorators {
                    self.expr(d)?;
                }
                self.set_line(f.span);
                self.make_function(&**f, &f.name, &f.params, FnBody::Stmts(&f.body), f.span)?;
                for _ in &f.decorators {
                    self.emit(Op::Call(1));
                }
                self.store_name(&f.name);
            }
            StmtKind::ClassDef(c) => self.class_def(c)?,
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                if finalbody.is_empty() {
                    self.try_except(body, handlers, orelse)?;
                } else {
                    self.try_finally(body, handlers, orelse, finalbody)?;
                }
            }
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.expr(e)?;
                    n = 1;
                    if let Some(c) = cause {
                        self.expr(c)?;
                        n = 2;
                    }
                }
                self.emit(Op::Raise(n));
            }
            StmtKind::With { items, body } => self.with(items, body, s.span)?,
            StmtKind::Assert { test, msg } => {
                let j = self.jump_if(test, true)?;
                if let Some(m) = msg {
                    self.expr(m)?;
                }
                self.emit(Op::RaiseAssert(msg.is_some() as u32));
                self.patch(j);
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete(t)?;
                }
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    let full = self.name_index(&a.name);
                    self.emit(Op::ImportName(full));
                    match &a.asname {
                        Some(asname) => self.store_name(asname),
                        None => {
                            let top = a.name.split('.').next().unwrap_or(&a.name).to_string();
                            if top != a.name {
                                self.emit(Op::Pop);
                                let t = self.name_index(&top);
                                self.emit(Op::ImportName(t));
                            }
                            self.store_name(&top);
                        }
                    }
                }
            }
            StmtKind::ImportFrom { module, names } => {
                let m = self.name_index(module);
                self.emit(Op::ImportName(m));
                for a in names {
                    let n = self.name_index(&a.name);
                    self.emit(Op::ImportFrom(n));
                    self.store_name(a.asname.as_deref().unwrap_or(&a.name));
                }
                self.emit(Op::Pop);
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
        }
        Ok(())
    }

    fn pop_loop(&mut self) -> Vec<usize> {
        match self.unit().fblocks.pop() {
            Some(FBlock::Loop { breaks, .. }) => breaks,
            _ => unreachable!("loop block expected"),
        }
    }

    /// Emits the clean-up for leaving every block inside the innermost loop; returns that loop's index.
    fn unwind_to_loop(&mut self, span: Span, msg: &str) -> Result<Option<usize>, SyntaxError> {
        let Some(li) = self
            .unit()
            .fblocks
            .iter()
            .rposition(|b| matches!(b, FBlock::Loop { .. }))
        else {
            return Err(err(msg, span));
        };
        let inner: Vec<usize> = ((li + 1)..self.unit().fblocks.len()).rev().collect();
        for i in inner {
            self.unwind_block(i, false)?;
        }
        Ok(Some(li))
    }

    fn unwind_for_return(&mut self) -> CResult {
        for i in (0..self.unit().fblocks.len()).rev() {
            self.unwind_block(i, true)?;
        }
        Ok(())
    }

    /// Emits the exit actions of block `i`; `value_on_top` when a return value sits above.
    fn unwind_block(&mut self, i: usize, value_on_top: bool) -> CResult {
        match &self.unit().fblocks[i] {
            // A `for` loop's iterator sits under the return value: drop it, so the blocks
            // outside (a `with`'s exit function, a handler's exception) find their own values.
            FBlock::Loop { is_for: true, .. } if value_on_top => {
                self.emit(Op::Rot2);
                self.emit(Op::Pop);
            }
            FBlock::Loop { .. } => {}
            FBlock::Try { finally } => {
                let finally = *finally;
                self.emit(Op::PopBlock);
                if let Some(body) = finally {
                    // Run the finally body with this block (and those inside it) closed.
                    let saved: Vec<FBlock<'a>> = self.unit().fblocks.drain(i..).collect();
                    self.stmts(body)?;
                    self.unit().fblocks.extend(saved);
                }
            }
            FBlock::Handler { exc_on_stack } => {
                let exc_on_stack = *exc_on_stack;
                self.emit(Op::PopExcept);
                if exc_on_stack {
                    if value_on_top {
                        self.emit(Op::Rot2);
                    }
                    self.emit(Op::Pop);
                }
            }
            FBlock::With => {
                self.emit(Op::PopBlock);
                if value_on_top {
                    self.emit(Op::Rot2);
                }
                self.emit(Op::WithExit);
            }
        }
        Ok(())
    }

    fn try_except(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
    ) -> CResult {
        let setup = self.emit(Op::SetupExcept(0));
        self.unit().fblocks.push(FBlock::Try { finally: None });
        self.stmts(body)?;
        self.unit().fblocks.pop();
        self.emit(Op::PopBlock);
        self.stmts(orelse)?;
        let mut ends = vec![self.emit(Op::Jump(0))];
        self.patch(setup);
        for h in handlers {
            self.set_line(h.span);
            let mut next = None;
            if let Some(t) = &h.typ {
                self.expr(t)?;
                self.emit(Op::CheckExcMatch);
                next = Some(self.emit(Op::PopJumpIfFalse(0)));
            }
            match &h.name {
                Some(n) => self.store_name(n),
                None => {
                    self.emit(Op::Pop);
                }
            }
            self.unit().fblocks.push(FBlock::Handler {
                exc_on_stack: false,
            });
            self.stmts(&h.body)?;
            self.unit().fblocks.pop();
            self.emit(Op::PopExcept);
            if let Some(n) = &h.name {
                // `except E as e` unbinds `e` afterwards, as Python does.
                self.emit_const(Value::None);
                self.store_name(n);
                self.delete_name(n, h.span)?;
            }
            ends.push(self.emit(Op::Jump(0)));
            match next {
                Some(j) => self.patch(j),
                None => break,
            }
        }
        self.emit(Op::Reraise);
        for e in ends {
            self.patch(e);
        }
        Ok(())
    }

    fn try_finally(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
    ) -> CResult {
        let setup = self.emit(Op::SetupExcept(0));
        self.unit().fblocks.push(FBlock::Try {
            finally: Some(finalbody),
        });
        if handlers.is_empty() {
            self.stmts(body)?;
        } else {
            self.try_except(body, handlers, orelse)?;
        }
        self.unit().fblocks.pop();
        self.emit(Op::PopBlock);
        self.stmts(finalbody)?;
        let end = self.emit(Op::Jump(0));
        self.patch(setup);
        self.unit()
            .fblocks
            .push(FBlock::Handler { exc_on_stack: true });
        self.stmts(finalbody)?;
        self.unit().fblocks.pop();
        self.emit(Op::Reraise);
        self.patch(end);
        Ok(())
    }

    fn with(&mut self, items: &'a [WithItem], body: &'a [Stmt], span: Span) -> CResult {
        let Some((first, rest)) = items.split_first() else {
            return self.stmts(body);
        };
        self.expr(&first.context)?;
        self.set_line(span);
        let setup = self.emit(Op::BeforeWith(0));
        self.unit().fblocks.push(FBlock::With);
        match &first.target {
            Some(t) => self.assign(t)?,
            None => {
                self.emit(Op::Pop);
            }
        }
        if rest.is_empty() {
            self.stmts(body)?;
        } else {
            self.with(rest, body, span)?;
        }
        self.unit().fblocks.pop();
        self.set_line(span);
        self.emit(Op::PopBlock);
        self.emit(Op::WithExit);
        let end = self.emit(Op::Jump(0));
        self.patch(setup);
        self.emit(Op::WithExceptStart);
        self.patch(end);
        Ok(())
    }

    fn class_def(&mut self, c: &'a ClassDef) -> CResult {
        if !c.keywords.is_empty() {
            return Err(err(
                "class keyword arguments (e.g. metaclass=) are not supported by gilsim",
                c.span,
            ));
        }
        if c.bases.len() > 1 {
            return Err(err(
                "multiple inheritance is not supported by gilsim",
                c.span,
            ));
        }
        for d in &c.decorators {
            self.expr(d)?;
        }
        self.set_line(c.span);
        let scope = self.table.scope_of(c);
        let qualname = self.child_qualname(&c.name);
        self.push_unit(scope, CodeKind::Class, &c.name, &qualname, c.span.line);
        // Class bodies record their module and qualified name, as Python's do.
        self.load_global_named("__name__");
        self.store_class_attr("__module__");
        self.emit_const(Value::str(qualname.clone()));
        self.store_class_attr("__qualname__");
        self.stmts(&c.body)?;
        self.emit_const(Value::None);
        self.emit(Op::Return);
        let code = self.pop_unit();
        self.emit_closure_and_function(code, 0)?;
        self.emit_const(Value::str(c.name.clone()));
        for b in &c.bases {
            self.expr(b)?;
        }
        self.emit(Op::BuildTuple(c.bases.len() as u32));
        self.emit(Op::BuildClass);
        for _ in &c.decorators {
            self.emit(Op::Call(1));
        }
        self.store_name(&c.name);
        Ok(())
    }

    fn load_global_named(&mut self, name: &str) {
        let slot = self.global_slot(name);
        self.emit(Op::LoadGlobal(slot));
    }

    fn store_class_attr(&mut self, name: &str) {
        let n = self.name_index(name);
        self.emit(Op::StoreName(n));
    }

    fn child_qualname(&self, name: &str) -> String {
        let u = self.units.last().unwrap();
        match u.kind {
            CodeKind::Module => name.to_string(),
            CodeKind::Class => format!("{}.{}", u.qualname, name),
            CodeKind::Function => format!("{}.<locals>.{}", u.qualname, name),
        }
    }

    /// Emits the closure tuple (if the code has free variables), the code constant and MakeFunction.
    fn emit_closure_and_function(&mut self, code: Code, mut flags: u32) -> CResult {
        if !code.freevars.is_empty() {
            for fv in code.freevars.clone() {
                let slot = self.deref_slot(&fv);
                self.emit(Op::LoadClosure(slot));
            }
            self.emit(Op::BuildTuple(code.freevars.len() as u32));
            flags |= 4;
        }
        self.emit_const(Value::Code(Arc::new(code)));
        self.emit(Op::MakeFunction(flags));
        Ok(())
    }

    fn make_function<T>(
        &mut self,
        node: &T,
        name: &str,
        params: &'a Params,
        body: FnBody<'a>,
        span: Span,
    ) -> CResult {
        let mut flags = 0;
        let defaults: Vec<&Expr> = params
            .args
            .iter()
            .filter_map(|p| p.default.as_ref())
            .collect();
        if !defaults.is_empty() {
            for d in &defaults {
                self.expr(d)?;
            }
            self.emit(Op::BuildTuple(defaults.len() as u32));
            flags |= 1;
        }
        let kwdefaults: Vec<&Param> = params
            .kwonly
            .iter()
            .filter(|p| p.default.is_some())
            .collect();
        if !kwdefaults.is_empty() {
            for p in &kwdefaults {
                self.emit_const(Value::str(p.name.clone()));
                self.expr(p.default.as_ref().unwrap())?;
            }
            self.emit(Op::BuildMap(kwdefaults.len() as u32));
            flags |= 2;
        }
        let scope = self.table.scope_of(node);
        let qualname = self.child_qualname(name);
        self.push_unit(scope, CodeKind::Function, name, &qualname, span.line);
        {
            let u = self.unit();
            u.argcount = params.args.len() as u32;
            u.kwonlycount = params.kwonly.len() as u32;
            u.has_varargs = params.vararg.is_some();
            u.has_varkw = params.kwarg.is_some();
        }
        self.emit(Op::Resume);
        match body {
            FnBody::Stmts(stmts) => {
                self.stmts(stmts)?;
                self.emit_const(Value::None);
                self.emit(Op::Return);
            }
            FnBody::Expr(e) => {
                self.expr(e)?;
                self.emit(Op::Return);
            }
        }
        let code = self.pop_unit();
        self.emit_closure_and_function(code, flags)
    }

    // ---- assignment targets ----

    fn assign(&mut self, t: &'a Expr) -> CResult {
        self.set_line(t.span);
        match &t.kind {
            ExprKind::Name(n) => self.store_name(n),
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.name_index(attr);
                self.emit(Op::StoreAttr(i));
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Op::StoreSubscr);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let stars: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| matches!(e.kind, ExprKind::Starred(_)))
                    .map(|(i, _)| i)
                    .collect();
                match stars.as_slice() {
                    [] => {
                        self.emit(Op::UnpackSequence(items.len() as u32));
                    }
                    [i] => {
                        let after = items.len() - i - 1;
                        if *i > 255 || after > 255 {
                            return Err(err(
                                "too many expressions in star-unpacking assignment",
                                t.span,
                            ));
                        }
                        self.emit(Op::UnpackEx((*i | (after << 8)) as u32));
                    }
                    _ => return Err(err("multiple starred expressions in assignment", t.span)),
                }
                for item in items {
                    match &item.kind {
                        ExprKind::Starred(inner) => self.assign(inner)?,
                        _ => self.assign(item)?,
                    }
                }
            }
            ExprKind::Starred(_) => {
                return Err(err(
                    "starred assignment target must be in a list or tuple",
                    t.span,
                ));
            }
            _ => return Err(err(format!("cannot assign to {}", describe(t)), t.span)),
        }
        Ok(())
    }

    fn aug_assign(&mut self, target: &'a Expr, op: BinOp, value: &'a Expr) -> CResult {
        match &target.kind {
            ExprKind::Name(n) => {
                self.load_name(n);
                self.expr(value)?;
                self.emit(Op::Inplace(op));
                self.store_name(n);
            }
            ExprKind::Attribute { value: obj, attr } => {
                self.expr(obj)?;
                self.emit(Op::Dup);
                let i = self.name_index(attr);
                self.emit(Op::LoadAttr(i));
                self.expr(value)?;
                self.emit(Op::Inplace(op));
                self.emit(Op::Rot2);
                self.emit(Op::StoreAttr(i));
            }
            ExprKind::Subscript { value: obj, index } if self.reloadable(obj, index) => {
                // `v[k] op= x` with `v` a local and `k` a constant or local: loading them again
                // for the store gives the same objects, and the loads and the store each fuse
                // into one op that borrows the local (see `opcode::fuse`).
                self.expr(obj)?;
                self.expr(index)?;
                self.emit(Op::Subscr);
                self.expr(value)?;
                self.emit(Op::Inplace(op));
                self.expr(obj)?;
                self.expr(index)?;
                self.emit(Op::StoreSubscr);
            }
            ExprKind::Subscript { value: obj, index } => {
                self.expr(obj)?;
                self.expr(index)?;
                self.emit(Op::DupTwo);
                self.emit(Op::Subscr);
                self.expr(value)?;
                self.emit(Op::Inplace(op));
                self.emit(Op::Rot3);
                self.emit(Op::StoreSubscr);
            }
            _ => {
                return Err(err(
                    format!(
                        "'{}' is an illegal expression for augmented assignment",
                        describe(target)
                    ),
                    target.span,
                ));
            }
        }
        Ok(())
    }

    /// Whether `obj[index]`'s container and index are the same objects when evaluated twice:
    /// a local that nothing can rebind mid-statement (no `:=` in the scope) and a constant or
    /// such a local.
    fn reloadable(&self, obj: &Expr, index: &Expr) -> bool {
        let scope = &self.table.scopes[self.units.last().unwrap().scope];
        let local =
            |e: &Expr| matches!(&e.kind, ExprKind::Name(n) if scope.lookup(n) == NameKind::Local);
        !scope.walrus && local(obj) && (local(index) || matches!(index.kind, ExprKind::Constant(_)))
    }

    fn delete(&mut self, t: &'a Expr) -> CResult {
        match &t.kind {
            ExprKind::Name(n) => self.delete_name(n, t.span)?,
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.name_index(attr);
                self.emit(Op::DeleteAttr(i));
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Op::DeleteSubscr);
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.delete(i)?;
                }
            }
            _ => return Err(err(format!("cannot delete {}", describe(t)), t.span)),
        }
        Ok(())
    }

    // ---- expressions ----

    /// Compiles a condition and a jump taken when it is `when`; returns the jump to patch.
    fn jump_if(&mut self, test: &'a Expr, when: bool) -> Result<usize, SyntaxError> {
        if let ExprKind::UnaryOp {
            op: UnaryOp::Not,
            operand,
        } = &test.kind
        {
            return self.jump_if(operand, !when);
        }
        self.expr(test)?;
        Ok(self.emit(if when {
            Op::PopJumpIfTrue(0)
        } else {
            Op::PopJumpIfFalse(0)
        }))
    }

    fn expr(&mut self, e: &'a Expr) -> CResult {
        if let Some(v) = fold_constant(e) {
            self.emit_const(v);
            return Ok(());
        }
        match &e.kind {
            ExprKind::Name(n) => self.load_name(n),
            ExprKind::Constant(c) => {
                let v = constant_value(c, e.span)?;
                self.emit_const(v);
            }
            ExprKind::FString(parts) => {
                let n = self.fstring(parts)?;
                if n != 1 {
                    self.emit(Op::BuildString(n));
                }
            }
            ExprKind::BinOp { left, op, right } => {
                if *op == BinOp::MatMul {
                    return Err(err("the @ operator is not supported by gilsim", e.span));
                }
                self.expr(left)?;
                self.expr(right)?;
                self.emit(Op::Binary(*op));
            }
            ExprKind::UnaryOp { op, operand } => {
                self.expr(operand)?;
                self.emit(match op {
                    UnaryOp::Not => Op::Not,
                    UnaryOp::Neg => Op::Neg,
                    UnaryOp::Pos => Op::Pos,
                    UnaryOp::Invert => Op::Invert,
                });
            }
            ExprKind::BoolOp { op, values } => {
                let mut jumps = vec![];
                for (i, v) in values.iter().enumerate() {
                    self.expr(v)?;
                    if i + 1 < values.len() {
                        jumps.push(self.emit(match op {
                            BoolOp::And => Op::JumpIfFalseOrPop(0),
                            BoolOp::Or => Op::JumpIfTrueOrPop(0),
                        }));
                    }
                }
                for j in jumps {
                    self.patch(j);
                }
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                self.expr(left)?;
                if ops.len() == 1 {
                    self.expr(&comparators[0])?;
                    self.emit(Op::Compare(ops[0]));
                } else {
                    let mut cleanups = vec![];
                    for (i, (op, right)) in ops.iter().zip(comparators).enumerate() {
                        self.expr(right)?;
                        if i + 1 < ops.len() {
                            self.emit(Op::Dup);
                            self.emit(Op::Rot3);
                            self.emit(Op::Compare(*op));
                            cleanups.push(self.emit(Op::JumpIfFalseOrPop(0)));
                        } else {
                            self.emit(Op::Compare(*op));
                        }
                    }
                    let end = self.emit(Op::Jump(0));
                    for c in cleanups {
                        self.patch(c);
                    }
                    self.emit(Op::Rot2);
                    self.emit(Op::Pop);
                    self.patch(end);
                }
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => self.call(e, func, args, keywords)?,
            ExprKind::Attribute { value, attr } => {
                self.expr(value)?;
                let i = self.name_index(attr);
                self.emit(Op::LoadAttr(i));
            }
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
                self.emit(Op::Subscr);
            }
            ExprKind::Slice { lower, upper, step } => {
                for part in [lower, upper] {
                    match part {
                        Some(x) => self.expr(x)?,
                        None => self.emit_const(Value::None),
                    }
                }
                match step {
                    Some(s) => {
                        self.expr(s)?;
                        self.emit(Op::BuildSlice(3));
                    }
                    None => {
                        self.emit(Op::BuildSlice(2));
                    }
                }
            }
            ExprKind::Starred(_) => return Err(err("can't use starred expression here", e.span)),
            ExprKind::List(items) => self.sequence(items, Seq::List)?,
            ExprKind::Tuple(items) => self.sequence(items, Seq::Tuple)?,
            ExprKind::Set(items) => self.sequence(items, Seq::Set)?,
            ExprKind::Dict(pairs) => self.dict_display(pairs)?,
            ExprKind::IfExp { test, body, orelse } => {
                let jf = self.jump_if(test, false)?;
                self.expr(body)?;
                let j = self.emit(Op::Jump(0));
                self.patch(jf);
                self.expr(orelse)?;
                self.patch(j);
            }
            ExprKind::Lambda { params, body } => {
                self.make_function(e, "<lambda>", params, FnBody::Expr(body), e.span)?;
            }
            ExprKind::ListComp { elt, generators } => {
                self.comprehension(e, "<listcomp>", Comp::List(elt), generators)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.comprehension(e, "<setcomp>", Comp::Set(elt), generators)?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, "<dictcomp>", Comp::Dict(key, value), generators)?,
            ExprKind::GeneratorExp { elt, generators } => {
                // Evaluated eagerly: a list comprehension whose iterator is handed on.
                self.comprehension(e, "<genexpr>", Comp::List(elt), generators)?;
                self.emit(Op::GetIter);
            }
            ExprKind::Unsupported(what) => {
                return Err(err(format!("{what} is not supported by gilsim"), e.span));
            }
            ExprKind::NamedExpr { target, value } => {
                self.expr(value)?;
                self.emit(Op::Dup);
                self.store_name(target);
            }
        }
        Ok(())
    }

    fn fstring(&mut self, parts: &'a [FStringPart]) -> Result<u32, SyntaxError> {
        let mut n = 0;
        for p in parts {
            match p {
                FStringPart::Literal(s) => {
                    if s.is_empty() {
                        continue;
                    }
                    self.emit_const(Value::str(s.clone()));
                }
                FStringPart::Value {
                    expr,
                    conversion,
                    spec,
                    debug_text,
                } => {
                    if let Some(t) = debug_text {
                        self.emit_const(Value::str(t.clone()));
                        n += 1;
                    }
                    self.expr(expr)?;
                    let mut conv = match conversion {
                        Some('s') => 1,
                        Some('r') => 2,
                        Some('a') => 3,
                        _ => 0,
                    };
                    if debug_text.is_some() && conversion.is_none() && spec.is_empty() {
                        conv = 2;
                    }
                    let mut flags = conv;
                    if !spec.is_empty() {
                        let k = self.fstring(spec)?;
                        if k != 1 {
                            self.emit(Op::BuildString(k));
                        }
                        flags |= 4;
                    }
                    self.emit(Op::FormatValue(flags));
                }
            }
            n += 1;
        }
        if n == 0 {
            self.emit_const(Value::str(""));
            n = 1;
        }
        Ok(n)
    }

    fn sequence(&mut self, items: &'a [Expr], kind: Seq) -> CResult {
        let has_star = items.iter().any(|i| matches!(i.kind, ExprKind::Starred(_)));
        if !has_star {
            for i in items {
                self.expr(i)?;
            }
            let n = items.len() as u32;
            self.emit(match kind {
                Seq::List => Op::BuildList(n),
                Seq::Tuple => Op::BuildTuple(n),
                Seq::Set => Op::BuildSet(n),
            });
            return Ok(());
        }
        self.emit(if kind == Seq::Set {
            Op::BuildSet(0)
        } else {
            Op::BuildList(0)
        });
        for i in items {
            match &i.kind {
                ExprKind::Starred(inner) => {
                    self.expr(inner)?;
                    self.emit(if kind == Seq::Set {
                        Op::SetUpdate(1)
                    } else {
                        Op::ListExtend(1)
                    });
                }
                _ => {
                    self.expr(i)?;
                    self.emit(if kind == Seq::Set {
                        Op::SetAdd(1)
                    } else {
                        Op::ListAppend(1)
                    });
                }
            }
        }
        if kind == Seq::Tuple {
            self.emit(Op::ListToTuple);
        }
        Ok(())
    }

    fn dict_display(&mut self, pairs: &'a [(Option<Expr>, Expr)]) -> CResult {
        if pairs.iter().all(|(k, _)| k.is_some()) {
            for (k, v) in pairs {
                self.expr(k.as_ref().unwrap())?;
                self.expr(v)?;
            }
            self.emit(Op::BuildMap(pairs.len() as u32));
            return Ok(());
        }
        self.emit(Op::BuildMap(0));
        for (k, v) in pairs {
            match k {
                Some(k) => {
                    self.expr(k)?;
                    self.expr(v)?;
                    self.emit(Op::MapAdd(1));
                }
                None => {
                    self.expr(v)?;
                    self.emit(Op::DictUpdate(1));
                }
            }
        }
        Ok(())
    }

    fn call(
        &mut self,
        e: &'a Expr,
        func: &'a Expr,
        args: &'a [Expr],
        keywords: &'a [Keyword],
    ) -> CResult {
        let has_star = args.iter().any(|a| matches!(a.kind, ExprKind::Starred(_)));
        let has_dstar = keywords.iter().any(|k| k.arg.is_none());
        if !has_star && !has_dstar {
            if keywords.is_empty()
                && let ExprKind::Attribute { value, attr } = &func.kind
            {
                {
                    self.expr(value)?;
                    let i = self.name_index(attr);
                    self.set_line(e.span);
                    self.emit(Op::LoadMethod(i));
                    for a in args {
                        self.expr(a)?;
                    }
                    self.set_line(e.span);
                    self.emit(Op::CallMethod(args.len() as u32));
                    return Ok(());
                }
            }
            self.expr(func)?;
            for a in args {
                self.expr(a)?;
            }
            for k in keywords {
                self.expr(&k.value)?;
            }
            self.set_line(e.span);
            if keywords.is_empty() {
                self.emit(Op::Call(args.len() as u32));
            } else {
                let names: Vec<Value> = keywords
                    .iter()
                    .map(|k| Value::str(k.arg.clone().unwrap_or_default()))
                    .collect();
                self.emit_const(Value::tuple(names));
                self.emit(Op::CallKw((args.len() + keywords.len()) as u32));
            }
            return Ok(());
        }
        self.expr(func)?;
        self.sequence(args, Seq::Tuple)?;
        let mut flags = 0;
        if !keywords.is_empty() {
            self.emit(Op::BuildMap(0));
            for k in keywords {
                match &k.arg {
                    Some(name) => {
                        self.emit_const(Value::str(name.clone()));
                        self.expr(&k.value)?;
                        self.emit(Op::MapAdd(1));
                    }
                    None => {
                        self.expr(&k.value)?;
                        self.emit(Op::DictUpdate(1));
                    }
                }
            }
            flags = 1;
        }
        self.set_line(e.span);
        self.emit(Op::CallEx(flags));
        Ok(())
    }

    fn comprehension(
        &mut self,
        node: &'a Expr,
        name: &str,
        comp: Comp<'a>,
        gens: &'a [Comprehension],
    ) -> CResult {
        let scope = self.table.scope_of(node);
        let qualname = self.child_qualname(name);
        self.push_unit(scope, CodeKind::Function, name, &qualname, node.span.line);
        self.unit().argcount = 1;
        self.emit(match comp {
            Comp::List(_) => Op::BuildList(0),
            Comp::Set(_) => Op::BuildSet(0),
            Comp::Dict(..) => Op::BuildMap(0),
        });
        let mut loops = vec![];
        for (i, g) in gens.iter().enumerate() {
            if i == 0 {
                self.emit(Op::LoadFast(0));
            } else {
                self.expr(&g.iter)?;
                self.emit(Op::GetIter);
            }
            let start = self.pos();
            let fi = self.emit(Op::ForIter(0));
            self.assign(&g.target)?;
            let mut skips = vec![];
            for cond in &g.ifs {
                skips.push(self.jump_if(cond, false)?);
            }
            loops.push((start, fi, skips));
        }
        let depth = gens.len() as u32 + 1;
        match comp {
            Comp::List(elt) => {
                self.expr(elt)?;
                self.emit(Op::ListAppend(depth));
            }
            Comp::Set(elt) => {
                self.expr(elt)?;
                self.emit(Op::SetAdd(depth));
            }
            Comp::Dict(k, v) => {
                self.expr(k)?;
                self.expr(v)?;
                self.emit(Op::MapAdd(depth));
            }
        }
        for (start, fi, skips) in loops.into_iter().rev() {
            for s in skips {
                self.patch(s);
            }
            self.emit(Op::JumpBackward(start));
            self.patch(fi);
        }
        self.emit(Op::Return);
        let code = self.pop_unit();
        self.emit_closure_and_function(code, 0)?;
        self.expr(&gens[0].iter)?;
        self.emit(Op::GetIter);
        self.emit(Op::Call(1));
        Ok(())
    }
}

enum FnBody<'a> {
    Stmts(&'a [Stmt]),
    Expr(&'a Expr),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Seq {
    List,
    Tuple,
    Set,
}

enum Comp<'a> {
    List(&'a Expr),
    Set(&'a Expr),
    Dict(&'a Expr, &'a Expr),
}

fn constant_value(c: &Constant, span: Span) -> Result<Value, SyntaxError> {
    Ok(match c {
        Constant::None => Value::None,
        Constant::Bool(b) => Value::Bool(*b),
        Constant::Int(i) => Value::Int(*i),
        Constant::BigInt(digits) => match digits.parse::<num_bigint::BigInt>() {
            Ok(b) => Value::from_bigint(b),
            Err(_) => return Err(err("invalid integer literal", span)),
        },
        Constant::Float(f) => Value::Float(*f),
        Constant::Str(s) => Value::str(s.clone()),
        Constant::Bytes(b) => Value::bytes(b.clone()),
        Constant::Ellipsis => Value::Ellipsis,
    })
}

/// Folds `-literal` and small arithmetic on numeric literals, where it is free and exact.
fn fold_constant(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => match &operand.kind {
            ExprKind::Constant(Constant::Int(i)) => i.checked_neg().map(Value::Int),
            ExprKind::Constant(Constant::Float(f)) => Some(Value::Float(-f)),
            _ => None,
        },
        ExprKind::BinOp { left, op, right } => {
            let l = fold_constant(left).or_else(|| num_const(left))?;
            let r = fold_constant(right).or_else(|| num_const(right))?;
            match (l, r, op) {
                (Value::Int(a), Value::Int(b), BinOp::Add) => a.checked_add(b).map(Value::Int),
                (Value::Int(a), Value::Int(b), BinOp::Sub) => a.checked_sub(b).map(Value::Int),
                (Value::Int(a), Value::Int(b), BinOp::Mul) => a.checked_mul(b).map(Value::Int),
                (Value::Float(a), Value::Float(b), BinOp::Mul) => Some(Value::Float(a * b)),
                (Value::Float(a), Value::Float(b), BinOp::Add) => Some(Value::Float(a + b)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn num_const(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Constant(Constant::Int(i)) => Some(Value::Int(*i)),
        ExprKind::Constant(Constant::Float(f)) => Some(Value::Float(*f)),
        _ => None,
    }
}

fn same_const(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Str(x), Value::Str(y)) => x.as_str() == y.as_str(),
        _ => false,
    }
}

/// How CPython names an expression in "cannot assign to ..." messages.
fn describe(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Constant(_) => "literal",
        ExprKind::Call { .. } => "function call",
        ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } => "expression",
        ExprKind::BoolOp { .. } => "expression",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::NamedExpr { .. } => "named expression",
        _ => "expression",
    }
}
