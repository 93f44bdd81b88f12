//! Scope analysis: decides, before any code is emitted, where each name lives.
//!
//! A first walk records, per scope (module, function, lambda, comprehension, class), which names
//! are bound, used, and declared `global`/`nonlocal`. A second pass resolves each name as CPython
//! does: bound in a function → a local slot (a cell if an inner function captures it); declared
//! global or bound nowhere → a module global; bound in an enclosing function → a free variable.
//! Class bodies keep their names in a namespace dict and are skipped when inner functions look
//! outward.

use std::collections::{HashMap, HashSet};

use crate::syntax::SyntaxError;
use crate::syntax::ast::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
}

/// Where a name lives in one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// A slot of the frame.
    Local,
    /// A slot of the frame that inner functions capture (stored in a cell).
    Cell,
    /// Captured from an enclosing function.
    Free,
    /// A module global (or builtin).
    Global,
    /// A class-body namespace entry.
    ClassName,
}

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub params: Vec<String>,
    bound: Vec<String>,
    bound_set: HashSet<String>,
    used: HashSet<String>,
    globals: HashSet<String>,
    nonlocals: HashSet<String>,
    pub children: Vec<usize>,
    pub names: HashMap<String, NameKind>,
    /// Slot order: parameters first, then other locals in order of first binding.
    pub varnames: Vec<String>,
    pub cellvars: Vec<String>,
    pub freevars: Vec<String>,
    /// Some `:=` binds in this scope: a local may change in the middle of an expression.
    pub walrus: bool,
}

impl Scope {
    fn new(kind: ScopeKind) -> Scope {
        Scope {
            kind,
            params: vec![],
            bound: vec![],
            bound_set: HashSet::new(),
            used: HashSet::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
            walrus: false,
            children: vec![],
            names: HashMap::new(),
            varnames: vec![],
            cellvars: vec![],
            freevars: vec![],
        }
    }

    fn bind(&mut self, name: &str) {
        if self.bound_set.insert(name.to_string()) {
            self.bound.push(name.to_string());
        }
    }

    pub fn lookup(&self, name: &str) -> NameKind {
        match self.names.get(name) {
            Some(k) => *k,
            None if self.kind == ScopeKind::Class => NameKind::ClassName,
            None => NameKind::Global,
        }
    }
}

/// All scopes of a module, found by the address of the AST node that opens each one.
pub struct SymbolTable {
    pub scopes: Vec<Scope>,
    by_node: HashMap<usize, usize>,
}

impl SymbolTable {
    /// The scope opened by an AST node (a `FunctionDef`, `ClassDef`, lambda or comprehension).
    pub fn scope_of<T>(&self, node: &T) -> usize {
        self.by_node[&(node as *const T as usize)]
    }
}

pub fn analyze(module: &Module) -> Result<SymbolTable, SyntaxError> {
    let mut b = Builder {
        scopes: vec![Scope::new(ScopeKind::Module)],
        by_node: HashMap::new(),
        stack: vec![0],
    };
    b.stmts(&module.body)?;
    let mut table = SymbolTable {
        scopes: b.scopes,
        by_node: b.by_node,
    };
    resolve(&mut table, 0, &[])?;
    Ok(table)
}

struct Builder {
    scopes: Vec<Scope>,
    by_node: HashMap<usize, usize>,
    stack: Vec<usize>,
}

impl Builder {
    fn cur(&mut self) -> &mut Scope {
        let i = *self.stack.last().unwrap();
        &mut self.scopes[i]
    }

    fn push<T>(&mut self, node: &T, kind: ScopeKind) -> usize {
        let id = self.scopes.len();
        self.scopes.push(Scope::new(kind));
        let parent = *self.stack.last().unwrap();
        self.scopes[parent].children.push(id);
        self.by_node.insert(node as *const T as usize, id);
        self.stack.push(id);
        id
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<(), SyntaxError> {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), SyntaxError> {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e)?,
            StmtKind::Assign { targets, value } => {
                self.expr(value)?;
                for t in targets {
                    self.target(t)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value)?;
                if let ExprKind::Name(n) = &target.kind {
                    self.cur().used.insert(n.clone());
                }
                self.target(target)?;
            }
            StmtKind::AnnAssign { target, value } => {
                if let Some(v) = value {
                    self.expr(v)?;
                    self.target(target)?;
                }
            }
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter)?;
                self.target(target)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => {}
            StmtKind::Return(v) => {
                if self.cur().kind != ScopeKind::Function {
                    return Err(SyntaxError::new(
                        "'return' outside function",
                        s.span.line,
                        s.span.col,
                    ));
                }
                if let Some(v) = v {
                    self.expr(v)?;
                }
            }
            StmtKind::FunctionDef(f) => {
                for d in &f.decorators {
                    self.expr(d)?;
                }
                self.defaults(&f.params)?;
                self.cur().bind(&f.name);
                self.push(&**f, ScopeKind::Function);
                self.params(&f.params);
                self.stmts(&f.body)?;
                self.stack.pop();
            }
            StmtKind::ClassDef(c) => {
                for d in &c.decorators {
                    self.expr(d)?;
                }
                for b in &c.bases {
                    self.expr(b)?;
                }
                for k in &c.keywords {
                    self.expr(&k.value)?;
                }
                self.cur().bind(&c.name);
                self.push(&**c, ScopeKind::Class);
                self.stmts(&c.body)?;
                self.stack.pop();
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t)?;
                    }
                    if let Some(n) = &h.name {
                        self.cur().bind(n);
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(orelse)?;
                self.stmts(finalbody)?;
            }
            StmtKind::Raise { exc, cause } => {
                if let Some(e) = exc {
                    self.expr(e)?;
                }
                if let Some(c) = cause {
                    self.expr(c)?;
                }
            }
            StmtKind::With { items, body } => {
                for it in items {
                    self.expr(&it.context)?;
                    if let Some(t) = &it.target {
                        self.target(t)?;
                    }
                }
                self.stmts(body)?;
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                if let Some(m) = msg {
                    self.expr(m)?;
                }
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.target(t)?;
                }
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    let bound = a
                        .asname
                        .clone()
                        .unwrap_or_else(|| a.name.split('.').next().unwrap_or("").to_string());
                    self.cur().bind(&bound);
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                for a in names {
                    let bound = a.asname.clone().unwrap_or_else(|| a.name.clone());
                    self.cur().bind(&bound);
                }
            }
            StmtKind::Global(names) => {
                for n in names {
                    if self.cur().bound_set.contains(n) || self.cur().used.contains(n) {
                        return Err(SyntaxError::new(
                            format!("name '{n}' is used prior to global declaration"),
                            s.span.line,
                            s.span.col,
                        ));
                    }
                    self.cur().globals.insert(n.clone());
                }
            }
            StmtKind::Nonlocal(names) => {
                if self.cur().kind != ScopeKind::Function {
                    return Err(SyntaxError::new(
                        "nonlocal declaration not allowed at module level",
                        s.span.line,
                        s.span.col,
                    ));
                }
                for n in names {
                    self.cur().nonlocals.insert(n.clone());
                }
            }
        }
        Ok(())
    }

    fn defaults(&mut self, p: &Params) -> Result<(), SyntaxError> {
        for a in p.args.iter().chain(&p.kwonly) {
            if let Some(d) = &a.default {
                self.expr(d)?;
            }
        }
        Ok(())
    }

    fn params(&mut self, p: &Params) {
        let mut names: Vec<String> = p.args.iter().map(|a| a.name.clone()).collect();
        names.extend(p.kwonly.iter().map(|a| a.name.clone()));
        names.extend(p.vararg.iter().cloned());
        names.extend(p.kwarg.iter().cloned());
        for n in &names {
            self.cur().bind(n);
        }
        self.cur().params = names;
    }

    fn target(&mut self, t: &Expr) -> Result<(), SyntaxError> {
        match &t.kind {
            ExprKind::Name(n) => self.cur().bind(n),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.target(i)?;
                }
            }
            ExprKind::Starred(inner) => self.target(inner)?,
            _ => self.expr(t)?,
        }
        Ok(())
    }

    fn comprehension(
        &mut self,
        node: &Expr,
        gens: &[Comprehension],
        elts: &[&Expr],
    ) -> Result<(), SyntaxError> {
        // The first iterable is evaluated in the enclosing scope, the rest inside.
        self.expr(&gens[0].iter)?;
        self.push(node, ScopeKind::Function);
        self.cur().params = vec![".0".to_string()];
        self.cur().bind(".0");
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                self.expr(&g.iter)?;
            }
            self.target(&g.target)?;
            for c in &g.ifs {
                self.expr(c)?;
            }
        }
        for e in elts {
            self.expr(e)?;
        }
        self.stack.pop();
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Result<(), SyntaxError> {
        match &e.kind {
            ExprKind::Name(n) => {
                self.cur().used.insert(n.clone());
            }
            ExprKind::Constant(_) | ExprKind::Unsupported(_) => {}
            ExprKind::FString(parts) => self.fstring(parts)?,
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)?;
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand)?,
            ExprKind::BoolOp { values, .. } => values.iter().try_for_each(|v| self.expr(v))?,
            ExprKind::Compare {
                left, comparators, ..
            } => {
                self.expr(left)?;
                comparators.iter().try_for_each(|v| self.expr(v))?;
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                self.expr(func)?;
                args.iter().try_for_each(|v| self.expr(v))?;
                keywords.iter().try_for_each(|k| self.expr(&k.value))?;
            }
            ExprKind::Attribute { value, .. } => self.expr(value)?,
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)?;
            }
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.expr(x)?;
                }
            }
            ExprKind::Starred(v) => self.expr(v)?,
            ExprKind::List(v) | ExprKind::Tuple(v) | ExprKind::Set(v) => {
                v.iter().try_for_each(|x| self.expr(x))?
            }
            ExprKind::Dict(pairs) => {
                for (k, v) in pairs {
                    if let Some(k) = k {
                        self.expr(k)?;
                    }
                    self.expr(v)?;
                }
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)?;
            }
            ExprKind::Lambda { params, body } => {
                self.defaults(params)?;
                self.push(e, ScopeKind::Function);
                self.params(params);
                self.expr(body)?;
                self.stack.pop();
            }
            ExprKind::ListComp { elt, generators }
            | ExprKind::SetComp { elt, generators }
            | ExprKind::GeneratorExp { elt, generators } => {
                self.comprehension(e, generators, &[elt])?
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => self.comprehension(e, generators, &[key, value])?,
            ExprKind::NamedExpr { target, value } => {
                self.expr(value)?;
                // In a comprehension, `:=` binds in the enclosing function (PEP 572).
                let mut depth = self.stack.len() - 1;
                while depth > 0
                    && self.scopes[self.stack[depth]]
                        .params
                        .first()
                        .map(|p| p == ".0")
                        .unwrap_or(false)
                {
                    depth -= 1;
                }
                let id = self.stack[depth];
                self.scopes[id].bind(target);
                self.scopes[id].walrus = true;
                if depth != self.stack.len() - 1 {
                    // Make the comprehension see it as a free variable of the enclosing scope.
                    for &inner in &self.stack[depth + 1..] {
                        self.scopes[inner].nonlocals.insert(target.clone());
                    }
                    if self.scopes[id].kind == ScopeKind::Module {
                        for &inner in &self.stack[depth + 1..] {
                            self.scopes[inner].nonlocals.remove(target);
                            self.scopes[inner].globals.insert(target.clone());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn fstring(&mut self, parts: &[FStringPart]) -> Result<(), SyntaxError> {
        for p in parts {
            if let FStringPart::Value { expr, spec, .. } = p {
                self.expr(expr)?;
                self.fstring(spec)?;
            }
        }
        Ok(())
    }
}

/// Resolves names of scope `id` given the function scopes enclosing it (innermost last), and
/// returns the names it needs from outside (its free variables, plus those of its children that
/// pass through it).
fn resolve(
    table: &mut SymbolTable,
    id: usize,
    enclosing: &[usize],
) -> Result<HashSet<String>, SyntaxError> {
    let kind = table.scopes[id].kind;
    let defined_outside = |table: &SymbolTable, name: &str| {
        enclosing.iter().rev().any(|&e| {
            let s = &table.scopes[e];
            s.kind == ScopeKind::Function
                && !s.globals.contains(name)
                && (s.bound_set.contains(name) || s.nonlocals.contains(name))
        })
    };

    // First this scope's own names.
    let mut names = HashMap::new();
    let mut free: HashSet<String> = HashSet::new();
    {
        let s = &table.scopes[id];
        for n in &s.nonlocals {
            if !defined_outside(table, n) {
                return Err(SyntaxError::new(
                    format!("no binding for nonlocal '{n}' found"),
                    1,
                    1,
                ));
            }
            names.insert(n.clone(), NameKind::Free);
            free.insert(n.clone());
        }
        for n in &s.globals {
            names.insert(n.clone(), NameKind::Global);
        }
        for n in &s.bound {
            if names.contains_key(n) {
                continue;
            }
            let k = match kind {
                ScopeKind::Module => NameKind::Global,
                ScopeKind::Class => NameKind::ClassName,
                ScopeKind::Function => NameKind::Local,
            };
            names.insert(n.clone(), k);
        }
        for n in &s.used {
            if names.contains_key(n) {
                continue;
            }
            if kind != ScopeKind::Module && defined_outside(table, n) {
                names.insert(n.clone(), NameKind::Free);
                free.insert(n.clone());
            }
        }
    }

    // Then the children, whose free variables become cells here or pass through.
    let mut child_enclosing = enclosing.to_vec();
    if kind == ScopeKind::Function {
        child_enclosing.push(id);
    }
    let children = table.scopes[id].children.clone();
    let mut cells = vec![];
    for c in children {
        let needed = resolve(table, c, &child_enclosing)?;
        let mut needed: Vec<String> = needed.into_iter().collect();
        needed.sort();
        for n in needed {
            match names.get(&n).copied() {
                Some(NameKind::Local) if kind == ScopeKind::Function => {
                    names.insert(n.clone(), NameKind::Cell);
                    cells.push(n);
                }
                Some(NameKind::Cell) | Some(NameKind::Free) => {}
                _ if kind == ScopeKind::Module => {}
                _ => {
                    // Passes through this scope (a class body, or a function that does not bind it).
                    if kind == ScopeKind::Function || kind == ScopeKind::Class {
                        if kind == ScopeKind::Function || !names.contains_key(&n) {
                            names.entry(n.clone()).or_insert(NameKind::Free);
                        }
                        free.insert(n);
                    }
                }
            }
        }
    }

    let s = &mut table.scopes[id];
    let mut varnames: Vec<String> = s.params.clone();
    for n in &s.bound {
        if matches!(names.get(n), Some(NameKind::Local) | Some(NameKind::Cell))
            && !varnames.contains(n)
        {
            varnames.push(n.clone());
        }
    }
    let mut freevars: Vec<String> = free.iter().cloned().collect();
    freevars.sort();
    if kind == ScopeKind::Function {
        s.varnames = varnames;
    }
    s.cellvars = cells;
    s.freevars = freevars;
    s.names = names;
    Ok(free)
}
