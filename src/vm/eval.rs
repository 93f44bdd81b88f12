//! The eval loop: one `match` over [`Op`], one arm per opcode, slow paths out of line.
//!
//! `run(depth)` executes the innermost frame and every frame it calls, and returns when the
//! frame that was innermost at entry returns. Python-to-Python calls push a frame and `continue`
//! the outer loop, so deep Python recursion costs heap, not Rust stack.
//!
//! The eval breaker (where a later issue's GIL drop request lands) is checked at `Resume`
//! (function entry) and `JumpBackward` (loop back edges), the places CPython 3.11 checks it.

use std::sync::{Arc, OnceLock};

use super::call::ArgVec;
use super::errors::{ExcKind, PyErr, PyResult, TraceEntry};
use super::objects::*;
use super::value::Value;
use super::{Block, Frame, Vm};
use crate::compile::code::{Code, CodeKind};
use crate::compile::opcode::Op;
use crate::syntax::ast::{BinOp, CmpOp};

/// How an exception reached the handler search: freshly raised, or re-raised with its
/// traceback intact (bare `raise`, end of `finally`).
enum Raise {
    New,
    Again,
}

impl Vm {
    /// Runs module-level (or class-body) code in a new frame and returns its result.
    pub fn run_code(
        &mut self,
        code: Arc<Code>,
        globals: Arc<Module>,
        namespace: Option<Arc<PyDict>>,
    ) -> PyResult<Value> {
        let depth = self.frames.len();
        let pos = self.stack.len();
        self.stack.push(Value::None);
        let base = pos + 1;
        self.stack
            .resize(base + code.varnames.len(), Value::Unbound);
        let cells = code.cellvars.iter().map(|_| Cell::unbound()).collect();
        self.frames.push(Frame {
            func: Arc::new(Function::for_module(code, globals)),
            ip: 0,
            base,
            cells: Frame::cells_field(cells),
            blocks: vec![],
            namespace,
            init_of: None,
        });
        self.run(depth)
    }

    /// Runs until the frame at index `depth` returns; exceptions not handled by then are returned.
    pub(crate) fn run(&mut self, depth: usize) -> PyResult<Value> {
        // Each entry from native code is a level of Rust recursion: refuse one that would
        // leave too little native stack, taking off the frame the caller just pushed.
        if let Err(e) = self.check_native_stack() {
            while self.frames.len() > depth {
                if let Some(frame) = self.frames.pop() {
                    self.stack.truncate(frame.base - 1);
                }
            }
            return Err(e);
        }
        let mut how = Raise::New;
        loop {
            match self.run_frames(depth) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    if self.reraising {
                        self.reraising = false;
                        how = Raise::Again;
                    }
                    self.unwind(e, depth, how)?;
                    how = Raise::New;
                }
            }
        }
    }

    /// Finds a handler for `err`, popping frames down to `depth`. Returns Ok when a handler
    /// was entered (the loop resumes there), or the exception when none was found.
    fn unwind(&mut self, err: PyErr, depth: usize, how: Raise) -> PyResult<()> {
        let exc = self.materialize(err);
        let mut add_entry = matches!(how, Raise::New);
        if add_entry {
            self.set_context(&exc);
        }
        loop {
            let frame = self.frames.last_mut().expect("unwinding with no frame");
            if add_entry {
                let ip = frame.ip.saturating_sub(1);
                let entry = TraceEntry {
                    filename: frame.code().filename.clone(),
                    line: frame.code().line_at(ip),
                    func: frame.code().name.clone(),
                };
                self.add_traceback(&exc, entry);
            }
            add_entry = true;
            let frame = self.frames.last_mut().unwrap();
            while let Some(block) = frame.blocks.pop() {
                if block.handling {
                    self.handling.pop();
                    continue;
                }
                // A handler: restore its stack height and enter it with the exception on top.
                let frame = self.frames.last_mut().unwrap();
                frame.ip = block.handler as usize;
                frame.blocks.push(Block {
                    handler: 0,
                    level: block.level,
                    handling: true,
                });
                self.stack.truncate(block.level as usize);
                self.stack.push(exc.clone());
                self.handling.push(exc);
                return Ok(());
            }
            let frame = self.frames.pop().unwrap();
            self.stack.truncate(frame.base - 1);
            if self.frames.len() <= depth {
                return Err(PyErr::Raised(exc));
            }
        }
    }

    /// Sets `__context__` of a newly raised exception to the one being handled, if any.
    fn set_context(&mut self, exc: &Value) {
        if let (Some(ctx), Value::Instance(inst)) = (self.handling.last(), exc)
            && !ctx.is(exc)
            && inst.get("__context__").is_none()
        {
            inst.set("__context__", ctx.clone());
        }
    }

    fn run_frames(&mut self, depth: usize) -> PyResult<Value> {
        // Python 2's GIL counts every instruction, as the older check rule does, and so does
        // deterministic mode's virtual clock (whose `none` rule may switch at any of them).
        let scheduler = self.interp.gil.scheduler();
        let count_instructions = scheduler.is_some();
        let check_every_instruction = self.interp.config.check_every_instruction
            || self.interp.gil.ticks()
            || scheduler.is_some_and(|s| s.every_instruction());
        // One branch per instruction on the hot path, taken only in those modes.
        let per_instruction = count_instructions || check_every_instruction;
        // A statement may run as one step when no other thread could run inside it: under a
        // GIL that switches only where CPython 3.11's does. (Without a GIL, or switching at
        // any instruction, `a[k] += 1` must stay a read and a write that can lose updates.)
        let whole_statements = !per_instruction && !self.interp.gil.parallel();
        'frames: loop {
            let fi = self.frames.len() - 1;
            // SAFETY: `frames[fi]` holds an `Arc` to this function, so the function (and the
            // code it owns) stays allocated while that frame exists; the frames vector moving
            // on growth moves the `Arc`, not the function. Only three places pop frames: the
            // `Return` below, which leaves this loop (`continue 'frames` or `return`) without
            // touching `func` or `code` again; `unwind`, which runs only after this call of
            // `run_frames` has returned; and `run`'s refusal of a nested entry, which pops the
            // frames at and above its `depth`, and every nested `run` is entered with `depth`
            // equal to the frame count at the time, at least `fi + 1`. So every use of `func`
            // and `code` in this iteration of 'frames happens while `frames[fi]` still holds
            // its `Arc`. Borrowing through the frame instead would mean one atomic increment
            // and decrement of the function's count at every call and return (a third of
            // `fib`'s time). Every script run exercises this path.
            let func: &Function = unsafe { &*Arc::as_ptr(&self.frames[fi].func) };
            let code: &Code = &func.code;
            let base = self.frames[fi].base;
            let mut ip = self.frames[fi].ip;
            loop {
                let op = code.ops[ip];
                ip += 1;
                self.frames[fi].ip = ip;
                if per_instruction {
                    self.instructions += 1;
                    if check_every_instruction {
                        self.eval_breaker()?;
                    }
                }
                match op {
                    Op::Nop => {}
                    Op::Resume => self.eval_breaker()?,
                    Op::LoadConst(i) => self.stack.push(code.consts[i as usize].clone()),
                    Op::LoadFast(i) => self.push_local(code, base, i as usize)?,
                    Op::StoreFast(i) => {
                        let v = self.pop();
                        std::mem::replace(&mut self.stack[base + i as usize], v).discard();
                    }
                    Op::LoadFastPair(a, b) => {
                        self.push_local_pair(code, base, a, b)?;
                        ip += 1;
                    }
                    Op::LoadFastConst(a, b) => {
                        self.push_local_const(code, base, a, b)?;
                        ip += 1;
                    }
                    Op::StoreFastLoadFast(a, b) => {
                        let v = self.pop();
                        std::mem::replace(&mut self.stack[base + a as usize], v).discard();
                        self.push_local(code, base, b as usize)?;
                        ip += 1;
                    }
                    Op::BinaryFastConst(a, b, bop) => {
                        let x = &self.stack[base + a as usize];
                        match number_fast(x, &code.consts[b as usize], bop) {
                            Some(r) => {
                                self.stack.push(r);
                                ip += 2;
                            }
                            None => {
                                self.push_local_const(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::BinaryFastFast(a, b, bop) => {
                        let (x, y) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
                        match number_fast(x, y, bop) {
                            Some(r) => {
                                self.stack.push(r);
                                ip += 2;
                            }
                            None => {
                                self.push_local_pair(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::SubscrFastConst(a, b) => {
                        let (c, k) = (&self.stack[base + a as usize], &code.consts[b as usize]);
                        match fast_item(c, k) {
                            Some(item) => {
                                self.stack.push(item);
                                ip += 2;
                            }
                            None => {
                                self.push_local_const(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::SubscrFastFast(a, b) => {
                        let (c, k) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
                        match fast_item(c, k) {
                            Some(item) => {
                                self.stack.push(item);
                                ip += 2;
                            }
                            None => {
                                self.push_local_pair(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::StoreSubscrFastConst(a, b) => {
                        let v = self.pop();
                        let (c, k) = (&self.stack[base + a as usize], &code.consts[b as usize]);
                        match fast_store(c, k, v) {
                            Ok(()) => ip += 2,
                            Err(v) => {
                                self.stack.push(v);
                                self.push_local_const(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::StoreSubscrFastFast(a, b) => {
                        let v = self.pop();
                        let (c, k) = (
                            &self.stack[base + a as usize],
                            &self.stack[base + b as usize],
                        );
                        match fast_store(c, k, v) {
                            Ok(()) => ip += 2,
                            Err(v) => {
                                self.stack.push(v);
                                self.push_local_pair(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::InplaceSubscrFastConst(a, b, bop)
                    | Op::InplaceSubscrFastFast(a, b, bop) => {
                        let locals = &self.stack[base..];
                        let key = match op {
                            Op::InplaceSubscrFastConst(..) => &code.consts[b as usize],
                            _ => &locals[b as usize],
                        };
                        let rhs = whole_statements
                            .then(|| inplace_rhs(code, locals, ip + 2))
                            .flatten();
                        match rhs {
                            Some((rhs, len))
                                if update_item(&locals[a as usize], key, bop, &rhs) =>
                            {
                                // Past the subscript, the rhs, the operation and the store.
                                ip += 2 + len + 4;
                            }
                            _ => self.push_local(code, base, a as usize)?,
                        }
                    }
                    Op::CompareFastConst(a, b) | Op::CompareFastFast(a, b) => {
                        let x = &self.stack[base + a as usize];
                        let (y, constant) = match op {
                            Op::CompareFastConst(..) => (&code.consts[b as usize], true),
                            _ => (&self.stack[base + b as usize], false),
                        };
                        let fast = match code.ops[ip + 1] {
                            Op::CompareJumpIfFalse(cop, t) => {
                                compare_numbers(x, y, cop).map(|r| (r, t))
                            }
                            _ => None,
                        };
                        match fast {
                            // Past the loads, the comparison and its jump.
                            Some((true, _)) => ip += 3,
                            Some((false, t)) => ip = t as usize,
                            None if constant => {
                                self.push_local_const(code, base, a, b)?;
                                ip += 1;
                            }
                            None => {
                                self.push_local_pair(code, base, a, b)?;
                                ip += 1;
                            }
                        }
                    }
                    Op::LoadFastAttr(a, n) => {
                        let found = match &self.stack[base + a as usize] {
                            Value::Instance(inst) => {
                                inst.attrs.lock().get_name(&code.names[n as usize]).cloned()
                            }
                            _ => None,
                        };
                        match found {
                            Some(v) => {
                                self.stack.push(v);
                                ip += 1;
                            }
                            None => self.push_local(code, base, a as usize)?,
                        }
                    }
                    Op::StoreAttrFast(a, n) => {
                        let plain = match &self.stack[base + a as usize] {
                            Value::Instance(inst) => self.plain_stores(&inst.class),
                            _ => false,
                        };
                        if plain {
                            let v = self.pop();
                            if let Value::Instance(inst) = &self.stack[base + a as usize] {
                                inst.attrs.lock().insert(&code.names[n as usize], v);
                            }
                            ip += 1;
                        } else {
                            self.push_local(code, base, a as usize)?;
                        }
                    }
                    Op::DeleteFast(i) => {
                        let slot = &mut self.stack[base + i as usize];
                        if let Value::Unbound = slot {
                            return Err(unbound_local(&code.varnames[i as usize]));
                        }
                        *slot = Value::Unbound;
                    }
                    Op::LoadDeref(i) => {
                        let v = self.frames[fi].cell(i).0.lock().clone();
                        if let Value::Unbound = v {
                            let name = self.deref_name(code, i);
                            return Err(PyErr::new(
                                ExcKind::NameError,
                                format!(
                                    "cannot access free variable '{name}' where it is not associated with a value in enclosing scope"
                                ),
                            ));
                        }
                        self.stack.push(v);
                    }
                    Op::StoreDeref(i) => {
                        let v = self.pop();
                        *self.frames[fi].cell(i).0.lock() = v;
                    }
                    Op::LoadClosure(i) => {
                        let c = self.frames[fi].cell(i).clone();
                        self.stack.push(Value::Cell(c));
                    }
                    Op::LoadGlobal(slot) => {
                        let module = &func.globals;
                        let v = match self.caches.globals.get(module, &slot, module.version()) {
                            Some(v) => v.clone(),
                            None => self.load_global(module, slot)?,
                        };
                        self.stack.push(v);
                    }
                    Op::StoreGlobal(slot) => {
                        let v = self.pop();
                        if let Some((_, s)) = func.globals.vars_mut().get_index_mut(slot as usize) {
                            *s = v;
                        }
                    }
                    Op::DeleteGlobal(slot) => {
                        let mut g = func.globals.vars_mut();
                        match g.get_index_mut(slot as usize) {
                            Some((_, s)) if !matches!(s, Value::Unbound) => *s = Value::Unbound,
                            Some((name, _)) => {
                                return Err(PyErr::new(
                                    ExcKind::NameError,
                                    format!("name '{name}' is not defined"),
                                ));
                            }
                            None => {}
                        }
                    }
                    Op::LoadName(i) => {
                        let name = &code.names[i as usize];
                        let ns = self.frames[fi].namespace.clone();
                        let v = match ns.and_then(|ns| ns.get_str(name)) {
                            Some(v) => v,
                            None => match self.frames[fi].globals().get(name) {
                                Some(v) => v,
                                None => self.builtin_by_name(name)?,
                            },
                        };
                        self.stack.push(v);
                    }
                    Op::StoreName(i) => {
                        let v = self.pop();
                        let name: Arc<str> = Arc::clone(&code.names[i as usize]);
                        match &self.frames[fi].namespace {
                            Some(ns) => ns.insert(Value::str(&*name), v)?,
                            None => self.frames[fi].globals().set(&name, v),
                        }
                    }
                    Op::DeleteName(i) => {
                        let name: Arc<str> = Arc::clone(&code.names[i as usize]);
                        if let Some(ns) = &self.frames[fi].namespace
                            && ns.0.lock().remove(&HashKey(Value::str(&*name))).is_none()
                        {
                            return Err(PyErr::new(
                                ExcKind::NameError,
                                format!("name '{name}' is not defined"),
                            ));
                        }
                    }
                    Op::LoadAttr(i) => {
                        let obj = self.pop();
                        let v = self.load_attr(&obj, &code.names[i as usize])?;
                        self.stack.push(v);
                    }
                    Op::StoreAttr(i) => {
                        let obj = self.pop();
                        let v = self.pop();
                        self.store_attr(&obj, &code.names[i as usize], v)?;
                    }
                    Op::DeleteAttr(i) => {
                        let obj = self.pop();
                        self.del_attr(&obj, &code.names[i as usize])?;
                    }
                    Op::LoadMethod(i) => {
                        let obj = self.pop();
                        match self.lookup_method(&obj, &code.names[i as usize]) {
                            Some(m) => {
                                self.stack.push(m);
                                self.stack.push(obj);
                            }
                            None => {
                                let attr = self.load_attr(&obj, &code.names[i as usize])?;
                                self.stack.push(Value::Unbound);
                                self.stack.push(attr);
                            }
                        }
                    }
                    Op::CallMethod(n) => {
                        let pos = self.stack.len() - n as usize - 2;
                        let argc = if let Value::Unbound = self.stack[pos] {
                            self.remove_near_top(pos).discard();
                            n as usize
                        } else {
                            n as usize + 1
                        };
                        if self.call_at(pos, argc)? {
                            continue 'frames;
                        }
                    }
                    Op::Call(n) => {
                        let pos = self.stack.len() - n as usize - 1;
                        if self.call_at(pos, n as usize)? {
                            continue 'frames;
                        }
                    }
                    Op::CallKw(n) => {
                        let names = self.pop();
                        let Value::Tuple(names) = names else {
                            unreachable!("CallKw names must be a tuple")
                        };
                        let nkw = names.0.len();
                        let pos = self.stack.len() - n as usize - 1;
                        let kwvals: Vec<Value> =
                            self.stack.drain(self.stack.len() - nkw..).collect();
                        let args: ArgVec = self.stack.drain(pos + 1..).collect();
                        let f = self.pop();
                        let kw: Vec<(Arc<str>, Value)> = names
                            .0
                            .iter()
                            .zip(kwvals)
                            .map(|(k, v)| (Arc::from(k.as_str().unwrap_or("")), v))
                            .collect();
                        let r = self.call_kw(&f, &args, &kw)?;
                        self.stack.push(r);
                    }
                    Op::CallEx(flags) => {
                        let kwargs = if flags & 1 != 0 {
                            Some(self.pop())
                        } else {
                            None
                        };
                        let args = self.pop();
                        let f = self.pop();
                        let args = match args {
                            Value::Tuple(t) => t.0.clone(),
                            other => self.iterate(&other)?,
                        };
                        let mut kw: Vec<(Arc<str>, Value)> = vec![];
                        if let Some(k) = kwargs {
                            let Value::Dict(d) = &k else {
                                return Err(PyErr::type_error(
                                    "argument after ** must be a mapping",
                                ));
                            };
                            for (key, v) in d.items() {
                                match key.as_str() {
                                    Some(s) => kw.push((Arc::from(s), v)),
                                    None => {
                                        return Err(PyErr::type_error("keywords must be strings"));
                                    }
                                }
                            }
                        }
                        let r = self.call_kw(&f, &args, &kw)?;
                        self.stack.push(r);
                    }
                    // `x op= y` on numbers is `x op y`: both share the fast path.
                    Op::Binary(bop) | Op::Inplace(bop) if is_number(self.stack.last().unwrap()) => {
                        let b = self.pop();
                        let a = self.stack.last_mut().unwrap();
                        if let Some(r) = number_fast(a, &b, bop) {
                            // Both were numbers: nothing to drop, and no call to drop it.
                            std::mem::replace(a, r).discard();
                            b.discard();
                        } else {
                            let a = self.pop();
                            let r = self.binary_op(&a, &b, bop)?;
                            self.stack.push(r);
                        }
                    }
                    Op::Binary(bop) => {
                        let b = self.pop();
                        let a = self.pop();
                        let r = self.binary_op(&a, &b, bop)?;
                        self.stack.push(r);
                    }
                    Op::Inplace(bop) => {
                        let b = self.pop();
                        let a = self.pop();
                        let r = self.inplace_op(a, &b, bop)?;
                        self.stack.push(r);
                    }
                    Op::Compare(cop) => {
                        let b = self.pop();
                        let a = self.stack.last_mut().unwrap();
                        if let Some(r) = compare_numbers(a, &b, cop) {
                            std::mem::replace(a, Value::Bool(r)).discard();
                            b.discard();
                            continue;
                        }
                        let a = self.pop();
                        let r = self.compare_op(&a, &b, cop)?;
                        self.stack.push(r);
                    }
                    Op::CompareJumpIfFalse(cop, t) => {
                        let b = self.pop();
                        let a = self.pop();
                        match compare_numbers(&a, &b, cop) {
                            Some(r) => {
                                a.discard();
                                b.discard();
                                ip = if r { ip + 1 } else { t as usize };
                            }
                            None => {
                                // The comparison as Compare runs it; PopJumpIfFalse follows.
                                let r = self.compare_op(&a, &b, cop)?;
                                self.stack.push(r);
                            }
                        }
                    }
                    Op::Not => {
                        let v = self.pop();
                        let t = self.truthy(&v)?;
                        self.stack.push(Value::Bool(!t));
                    }
                    Op::Neg | Op::Pos | Op::Invert => {
                        let v = self.pop();
                        let r = self.unary_op(&v, op)?;
                        self.stack.push(r);
                    }
                    Op::Subscr => {
                        let k = self.pop();
                        let c = self.stack.last_mut().unwrap();
                        if let Some(item) = sequence_item(c, &k) {
                            *c = item;
                            k.discard();
                            continue;
                        }
                        let c = self.pop();
                        let r = self.get_item(&c, &k)?;
                        self.stack.push(r);
                    }
                    Op::StoreSubscr => {
                        let k = self.pop();
                        let c = self.pop();
                        let v = self.pop();
                        if let Err(v) = store_list_item(&c, &k, v) {
                            self.set_item(&c, k, v)?;
                        }
                    }
                    Op::DeleteSubscr => {
                        let k = self.pop();
                        let c = self.pop();
                        self.del_item(&c, &k)?;
                    }
                    Op::BuildList(n) => {
                        let items = self.pop_n(n);
                        self.stack.push(Value::list(items));
                    }
                    Op::BuildTuple(n) => {
                        let items = self.pop_n(n);
                        self.stack.push(Value::tuple(items));
                    }
                    Op::BuildSet(n) => {
                        let items = self.pop_n(n);
                        let mut set = SetMap::default();
                        for i in items {
                            set.insert(HashKey::new(i)?);
                        }
                        self.stack.push(Value::Set(Arc::new(PySet::new(set))));
                    }
                    Op::BuildMap(n) => {
                        let items = self.pop_n(n * 2);
                        let mut map = DictMap::default();
                        let mut it = items.into_iter();
                        while let (Some(k), Some(v)) = (it.next(), it.next()) {
                            map.insert(HashKey::new(k)?, v);
                        }
                        self.stack
                            .push(Value::Dict(Arc::new(PyDict::from_map(map))));
                    }
                    Op::BuildSlice(n) => {
                        let step = if n == 3 { self.pop() } else { Value::None };
                        let upper = self.pop();
                        let lower = self.pop();
                        self.stack
                            .push(Value::Slice(Arc::new(PySlice { lower, upper, step })));
                    }
                    Op::BuildString(n) => {
                        let items = self.pop_n(n);
                        let mut s = String::new();
                        for i in &items {
                            s.push_str(i.as_str().unwrap_or(""));
                        }
                        self.stack.push(Value::str(s));
                    }
                    Op::ListAppend(n) => {
                        let v = self.pop();
                        let target = &self.stack[self.stack.len() - n as usize];
                        if let Value::List(l) = target {
                            let mut items = l.0.lock();
                            crate::memory::reserve_push(&items)?;
                            items.push(v);
                        }
                    }
                    Op::SetAdd(n) => {
                        let v = self.pop();
                        let target = self.stack[self.stack.len() - n as usize].clone();
                        if let Value::Set(s) = target {
                            s.items.lock().insert(HashKey::new(v)?);
                        }
                    }
                    Op::MapAdd(n) => {
                        let v = self.pop();
                        let k = self.pop();
                        let target = self.stack[self.stack.len() - n as usize].clone();
                        if let Value::Dict(d) = target {
                            d.insert(k, v)?;
                        }
                    }
                    Op::ListExtend(n) => {
                        let v = self.pop();
                        let items = self.iterate(&v)?;
                        if let Value::List(l) = &self.stack[self.stack.len() - n as usize] {
                            l.0.lock().extend(items);
                        }
                    }
                    Op::SetUpdate(n) => {
                        let v = self.pop();
                        let items = self.iterate(&v)?;
                        let target = self.stack[self.stack.len() - n as usize].clone();
                        if let Value::Set(s) = target {
                            for i in items {
                                s.items.lock().insert(HashKey::new(i)?);
                            }
                        }
                    }
                    Op::DictUpdate(n) => {
                        let v = self.pop();
                        let target = self.stack[self.stack.len() - n as usize].clone();
                        let Value::Dict(src) = &v else {
                            return Err(PyErr::type_error(format!(
                                "'{}' object is not a mapping",
                                super::ops::type_name(&v)
                            )));
                        };
                        if let Value::Dict(d) = target {
                            for (k, val) in src.items() {
                                d.insert(k, val)?;
                            }
                        }
                    }
                    Op::ListToTuple => {
                        let v = self.pop();
                        let items = match &v {
                            Value::List(l) => l.snapshot(),
                            _ => self.iterate(&v)?,
                        };
                        self.stack.push(Value::tuple(items));
                    }
                    Op::UnpackSequence(n) => {
                        let v = self.pop();
                        let items = self.unpack_items(&v)?;
                        if items.len() != n as usize {
                            return Err(unpack_error(items.len(), n as usize));
                        }
                        self.stack.extend(items.into_iter().rev());
                    }
                    Op::UnpackEx(spec) => {
                        let (before, after) = ((spec & 0xff) as usize, (spec >> 8) as usize);
                        let v = self.pop();
                        let mut items = self.unpack_items(&v)?;
                        if items.len() < before + after {
                            return Err(PyErr::value_error(format!(
                                "not enough values to unpack (expected at least {}, got {})",
                                before + after,
                                items.len()
                            )));
                        }
                        let tail = items.split_off(items.len() - after);
                        let middle = items.split_off(before);
                        for t in tail.into_iter().rev() {
                            self.stack.push(t);
                        }
                        self.stack.push(Value::list(middle));
                        for h in items.into_iter().rev() {
                            self.stack.push(h);
                        }
                    }
                    Op::FormatValue(flags) => {
                        let spec = if flags & 4 != 0 {
                            Some(self.pop())
                        } else {
                            None
                        };
                        let v = self.pop();
                        let v = match flags & 3 {
                            1 => Value::str(self.to_str(&v)?),
                            2 => Value::str(self.repr(&v)?),
                            3 => Value::str(super::builtins::ascii_of(&self.repr(&v)?)),
                            _ => v,
                        };
                        let spec_str = spec
                            .as_ref()
                            .and_then(|s| s.as_str().map(str::to_string))
                            .unwrap_or_default();
                        let s = self.format_value(&v, &spec_str)?;
                        self.stack.push(Value::str(s));
                    }
                    Op::Jump(t) => ip = t as usize,
                    Op::JumpBackward(t) => {
                        ip = t as usize;
                        self.frames[fi].ip = ip;
                        self.eval_breaker()?;
                    }
                    Op::PopJumpIfFalse(t) => {
                        let truth = match self.pop().into_bool() {
                            Ok(b) => b,
                            Err(v) => self.truthy(&v)?,
                        };
                        if !truth {
                            ip = t as usize;
                        }
                    }
                    Op::PopJumpIfTrue(t) => {
                        let truth = match self.pop().into_bool() {
                            Ok(b) => b,
                            Err(v) => self.truthy(&v)?,
                        };
                        if truth {
                            ip = t as usize;
                        }
                    }
                    Op::JumpIfFalseOrPop(t) => {
                        let v = self.stack.last().unwrap().clone();
                        if !self.truthy(&v)? {
                            ip = t as usize;
                        } else {
                            self.pop();
                        }
                    }
                    Op::JumpIfTrueOrPop(t) => {
                        let v = self.stack.last().unwrap().clone();
                        if self.truthy(&v)? {
                            ip = t as usize;
                        } else {
                            self.pop();
                        }
                    }
                    Op::GetIter => {
                        let v = self.pop();
                        let it = self.get_iter(v)?;
                        self.stack.push(it);
                    }
                    Op::ForIter(t) => {
                        let it = self.stack.last().unwrap();
                        // Ranges, lists and tuples step in place, without the general
                        // protocol's clones of the iterator.
                        if let Value::Iter(pi) = it {
                            let step = pi.0.lock().step_plain();
                            match step {
                                Some(Some(v)) => {
                                    self.stack.push(v);
                                    continue;
                                }
                                Some(None) => {
                                    self.pop().discard();
                                    ip = t as usize;
                                    continue;
                                }
                                None => {}
                            }
                        }
                        let it = self.stack.last().unwrap().clone();
                        match self.iter_next(&it)? {
                            Some(v) => self.stack.push(v),
                            None => {
                                self.pop();
                                ip = t as usize;
                            }
                        }
                    }
                    Op::Pop => self.pop().discard(),
                    Op::Dup => {
                        let v = self.stack.last().unwrap().clone();
                        self.stack.push(v);
                    }
                    Op::DupTwo => {
                        let n = self.stack.len();
                        let (a, b) = (self.stack[n - 2].clone(), self.stack[n - 1].clone());
                        self.stack.push(a);
                        self.stack.push(b);
                    }
                    Op::Rot2 => {
                        let n = self.stack.len();
                        self.stack.swap(n - 1, n - 2);
                    }
                    Op::Rot3 => {
                        let v = self.pop();
                        let n = self.stack.len();
                        self.insert_near_top(n - 2, v);
                    }
                    Op::Rot4 => {
                        let v = self.pop();
                        let n = self.stack.len();
                        self.insert_near_top(n - 3, v);
                    }
                    Op::Return => {
                        let mut v = self.pop();
                        let mut frame = self.frames.pop().unwrap();
                        // Checked here, the common empty case skips a call into the drop glue.
                        if frame.cells.is_some() {
                            frame.cells = None;
                        }
                        self.truncate_stack(frame.base - 1);
                        if let Some(inst) = frame.init_of {
                            if !v.is_none() {
                                return Err(super::call::init_returned(&v));
                            }
                            v = inst;
                        }
                        if self.frames.len() <= depth {
                            return Ok(v);
                        }
                        self.stack.push(v);
                        continue 'frames;
                    }
                    Op::MakeFunction(flags) => {
                        let f = self.make_function(flags, &self.frames[fi].globals().clone())?;
                        self.stack.push(f);
                    }
                    Op::BuildClass => {
                        let bases = self.pop();
                        let name = self.pop();
                        let body = self.pop();
                        let cls = self.build_class(body, name, bases)?;
                        self.stack.push(cls);
                    }
                    Op::SetupExcept(t) => {
                        let level = self.stack.len() as u32;
                        self.frames[fi].blocks.push(Block {
                            handler: t,
                            level,
                            handling: false,
                        });
                    }
                    Op::PopBlock => {
                        self.frames[fi].blocks.pop();
                    }
                    Op::PopExcept => {
                        if let Some(b) = self.frames[fi].blocks.pop() {
                            debug_assert!(b.handling);
                            self.handling.pop();
                        }
                    }
                    Op::Raise(n) => return Err(self.raise_op(n)?),
                    Op::Reraise => {
                        let exc = self.pop();
                        self.reraising = true;
                        return Err(PyErr::Raised(exc));
                    }
                    Op::CheckExcMatch => {
                        let spec = self.pop();
                        let exc = self.stack.last().unwrap().clone();
                        let m = self.exception_matches(&exc, &spec)?;
                        self.stack.push(Value::Bool(m));
                    }
                    Op::RaiseAssert(n) => {
                        let args = if n == 1 { vec![self.pop()] } else { vec![] };
                        return Err(PyErr::with_args(ExcKind::AssertionError, args));
                    }
                    Op::BeforeWith(t) => {
                        let mgr = self.pop();
                        let enter = self.get_attr(&mgr, "__enter__").map_err(|_| {
                            PyErr::type_error(format!(
                                "'{}' object does not support the context manager protocol",
                                super::ops::type_name(&mgr)
                            ))
                        })?;
                        let exit = self.get_attr(&mgr, "__exit__")?;
                        // The handler covers the body only: a failing __enter__ does not call __exit__.
                        let r = self.call(&enter, &[])?;
                        self.stack.push(exit);
                        let level = self.stack.len() as u32;
                        self.frames[fi].blocks.push(Block {
                            handler: t,
                            level,
                            handling: false,
                        });
                        self.stack.push(r);
                    }
                    Op::WithExit => {
                        let exit = self.pop();
                        self.call(&exit, &[Value::None, Value::None, Value::None])?;
                    }
                    Op::WithExceptStart => {
                        let exc = self.pop();
                        let exit = self.pop();
                        let cls = Value::Class(self.class_of(&exc));
                        let tb = match &exc {
                            Value::Instance(i) => i.get("__traceback__").unwrap_or(Value::None),
                            _ => Value::None,
                        };
                        let r = self.call(&exit, &[cls, exc.clone(), tb])?;
                        if self.truthy(&r)? {
                            if let Some(b) = self.frames[fi].blocks.pop() {
                                debug_assert!(b.handling);
                                self.handling.pop();
                            }
                        } else {
                            self.reraising = true;
                            return Err(PyErr::Raised(exc));
                        }
                    }
                    Op::ImportName(i) => {
                        let m = self.import(&code.names[i as usize])?;
                        self.stack.push(m);
                    }
                    Op::ImportFrom(i) => {
                        let m = self.stack.last().unwrap().clone();
                        let name = &code.names[i as usize];
                        let v = match self.find_attr(&m, name)? {
                            Some(v) => v,
                            None => {
                                let mname = match &m {
                                    Value::Module(md) => md.name.clone(),
                                    _ => "?".into(),
                                };
                                // Submodules (`from os import path`) import on demand.
                                match self.import(&format!("{mname}.{name}")) {
                                    Ok(v) => v,
                                    Err(_) => {
                                        return Err(PyErr::new(
                                            ExcKind::ImportError,
                                            format!("cannot import name '{name}' from '{mname}'"),
                                        ));
                                    }
                                }
                            }
                        };
                        self.stack.push(v);
                    }
                }
            }
        }
    }

    /// Shortens the value stack to `len`, releasing what it held (see [`Value::discard`]).
    #[inline(always)]
    fn truncate_stack(&mut self, len: usize) {
        while self.stack.len() > len {
            if let Some(v) = self.stack.pop() {
                v.discard();
            }
        }
    }

    /// `Vec::insert` for a slot a few values below the top (a callee's arguments, `Rot3`),
    /// by swaps: `insert` calls memmove for a handful of bytes, on every `Cls(...)`.
    #[inline(always)]
    fn insert_near_top(&mut self, at: usize, v: Value) {
        self.stack.push(v);
        for i in (at..self.stack.len() - 1).rev() {
            self.stack.swap(i, i + 1);
        }
    }

    /// `Vec::remove` for a slot a few values below the top, by swaps as
    /// [`insert_near_top`](Self::insert_near_top).
    #[inline(always)]
    fn remove_near_top(&mut self, at: usize) -> Value {
        for i in at..self.stack.len() - 1 {
            self.stack.swap(i, i + 1);
        }
        self.pop()
    }

    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Value {
        self.stack.pop().expect("operand stack underflow")
    }

    fn pop_n(&mut self, n: u32) -> Vec<Value> {
        let at = self.stack.len() - n as usize;
        self.stack.split_off(at)
    }

    /// The eval breaker: where a pending GIL drop request is honoured. One relaxed atomic load
    /// on the fast path.
    #[inline]
    fn eval_breaker(&mut self) -> PyResult<()> {
        if self.interp.gil.drop_requested() {
            self.eval_breaker_slow()?;
        }
        Ok(())
    }

    /// A terminate request, a Ctrl-C, or the GIL policy wants something of this thread: under
    /// the legacy policy (which keeps the drop request raised), count an instruction and
    /// release every check interval; otherwise answer the drop request. A pending stack
    /// request of the watchdog is answered first.
    #[inline(never)]
    fn eval_breaker_slow(&mut self) -> PyResult<()> {
        crate::process::check_terminated(self)?;
        self.check_interrupt()?;
        let gil = &self.interp.gil;
        // The watchdog's stack requests (`--timeout`) are answered where the GIL may change
        // hands, not at every instruction of the legacy policy.
        if let Some(scheduler) = gil.scheduler() {
            self.answer_stack_request();
            let n = std::mem::take(&mut self.instructions);
            if scheduler.at_switch_point(gil.control(), n) {
                self.yield_gil();
            }
        } else if gil.ticks() {
            self.ticks = self.ticks.saturating_sub(1);
            if self.ticks == 0 {
                self.answer_stack_request();
                self.ticks = gil.check_interval();
                self.release_and_retake_gil();
            }
        } else {
            self.answer_stack_request();
            self.yield_gil();
        }
        Ok(())
    }

    fn deref_name(&self, code: &Code, i: u32) -> Arc<str> {
        let i = i as usize;
        if i < code.cellvars.len() {
            code.cellvars[i].clone()
        } else {
            code.freevars[i - code.cellvars.len()].clone()
        }
    }

    /// `LoadGlobal` on a cache miss: the module's slot, or the builtin of that name when the
    /// slot is unassigned; the answer goes into the thread's cache.
    #[cold]
    fn load_global(&mut self, module: &Arc<Module>, slot: u32) -> PyResult<Value> {
        let version = module.version();
        let v = match module.vars().get_index(slot as usize) {
            Some((_, Value::Unbound)) => None,
            Some((_, v)) => Some(v.clone()),
            None => return Err(PyErr::new(ExcKind::NameError, "name is not defined")),
        };
        let v = match v {
            Some(v) => v,
            None => {
                let name = module
                    .vars()
                    .get_index(slot as usize)
                    .map(|(k, _)| k.clone());
                self.builtin_by_name(name.as_deref().unwrap_or("?"))?
            }
        };
        self.caches.globals.put(module, &slot, version, &v);
        Ok(v)
    }

    fn builtin_by_name(&self, name: &str) -> PyResult<Value> {
        match self.interp.builtins.get(name) {
            Some(v) => Ok(v.clone()),
            None => Err(PyErr::new(
                ExcKind::NameError,
                format!("name '{name}' is not defined"),
            )),
        }
    }

    /// `LOAD_FAST`: pushes local `i` of the frame at `base`; UnboundLocalError if unassigned.
    #[inline(always)]
    fn push_local(&mut self, code: &Code, base: usize, i: usize) -> PyResult<()> {
        let v = &self.stack[base + i];
        if let Value::Unbound = v {
            return Err(unbound_local(&code.varnames[i]));
        }
        let v = v.clone();
        self.stack.push(v);
        Ok(())
    }

    /// `LoadFast a; LoadConst b`: what `LoadFastConst` and the fused ops that start with it do
    /// when their operands are not the fast path's.
    #[inline(always)]
    fn push_local_const(&mut self, code: &Code, base: usize, a: u16, b: u16) -> PyResult<()> {
        self.push_local(code, base, a as usize)?;
        self.stack.push(code.consts[b as usize].clone());
        Ok(())
    }

    /// `LoadFast a; LoadFast b`, as [`push_local_const`](Self::push_local_const) for pairs of locals.
    #[inline(always)]
    fn push_local_pair(&mut self, code: &Code, base: usize, a: u16, b: u16) -> PyResult<()> {
        self.push_local(code, base, a as usize)?;
        self.push_local(code, base, b as usize)
    }

    /// Calls the callable at `stack[pos]` with the `argc` values above it. Returns true when a
    /// Python frame was pushed (the loop must switch to it), false when the result is on the stack.
    #[inline]
    fn call_at(&mut self, pos: usize, argc: usize) -> PyResult<bool> {
        match &self.stack[pos] {
            Value::Function(f) if self.simple_call(f, argc) => {
                // The frame takes the function from the callee slot, which nothing reads
                // during the call (the return truncates the stack below it).
                let Value::Function(f) = std::mem::replace(&mut self.stack[pos], Value::None)
                else {
                    unreachable!("matched a function")
                };
                self.enter_function(f, pos, argc)?;
                Ok(true)
            }
            Value::Function(f) => {
                let f = f.clone();
                let args: Vec<Value> = self.stack.drain(pos + 1..).collect();
                let locals = self.bind_args(&f, args, &[])?;
                self.push_frame_with_locals(f, pos, locals)?;
                Ok(true)
            }
            Value::BoundMethod(m) if matches!(m.func, Value::Function(_)) => {
                let (recv, func) = (m.receiver.clone(), m.func.clone());
                self.stack[pos] = func;
                self.insert_near_top(pos + 1, recv);
                self.call_at(pos, argc + 1)
            }
            // A built-in type: its native constructor, straight away.
            Value::Class(cls) if cls.kind == TypeKind::Builtin => self.call_other_at(pos),
            Value::Class(_) => {
                // The class leaves the callee slot (moved, not counted) for the instance,
                // and comes back only when `__init__` cannot run as a frame of this loop.
                let Value::Class(cls) = std::mem::replace(&mut self.stack[pos], Value::None) else {
                    unreachable!("matched a class")
                };
                match self.inline_init(&cls, argc) {
                    // `Cls(...)`: `__init__` runs as a frame of this loop, and its return
                    // hands the caller the instance.
                    Some(init) => {
                        let inst = Value::Instance(Arc::new(Instance::new(cls)));
                        self.insert_near_top(pos + 1, inst.clone());
                        self.enter_function(init, pos, argc + 1)?;
                        self.frames.last_mut().unwrap().init_of = Some(inst);
                        Ok(true)
                    }
                    None => {
                        self.stack[pos] = Value::Class(cls);
                        self.call_other_at(pos)
                    }
                }
            }
            _ => self.call_other_at(pos),
        }
    }

    /// Calls a callable that is not run as a frame of this loop (native functions, classes
    /// with more to do than `__init__`, ...) and pushes its result.
    fn call_other_at(&mut self, pos: usize) -> PyResult<bool> {
        // Most native calls take one to three arguments (a method's receiver counts): popped
        // into an array of their own, they skip the generic collection of a drain and the
        // copies of a small-vector.
        let r = match self.stack.len() - pos - 1 {
            0 => {
                let f = self.pop();
                self.call_popped(f, &[])
            }
            1 => {
                let a = self.pop();
                let f = self.pop();
                self.call_popped(f, std::slice::from_ref(&a))
            }
            2 => {
                let b = self.pop();
                let a = self.pop();
                let f = self.pop();
                self.call_popped(f, &[a, b])
            }
            3 => {
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                let f = self.pop();
                self.call_popped(f, &[a, b, c])
            }
            _ => {
                let args: ArgVec = self.stack.drain(pos + 1..).collect();
                let f = self.pop();
                self.call_popped(f, &args)
            }
        };
        let (native, r) = r?;
        self.stack.push(r);
        // CPython also checks the eval breaker where native calls return.
        if native {
            self.eval_breaker()?;
        }
        Ok(false)
    }

    /// Calls `f`, already popped with its arguments; the result comes with whether `f` was
    /// native (which decides the eval-breaker check after the call). A native function is
    /// entered directly, without the general dispatch of [`call`](Self::call).
    #[inline(always)]
    fn call_popped(&mut self, f: Value, args: &[Value]) -> PyResult<(bool, Value)> {
        match &f {
            Value::Native(n) => Ok((true, (n.func)(self, Args { pos: args, kw: &[] })?)),
            Value::NativeMethod(f) => Ok((true, f(self, Args { pos: args, kw: &[] })?)),
            Value::Class(c) if let Some(new) = c.native_constructor() => {
                Ok((true, new(self, Args { pos: args, kw: &[] })?))
            }
            _ => Ok((false, self.call(&f, args)?)),
        }
    }

    fn unpack_items(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        match v {
            Value::Tuple(t) => Ok(t.0.clone()),
            Value::List(l) => Ok(l.snapshot()),
            _ => self.iterate(v).map_err(|e| match e {
                PyErr::New(ExcKind::TypeError, _) => PyErr::type_error(format!(
                    "cannot unpack non-iterable {} object",
                    super::ops::type_name(v)
                )),
                other => other,
            }),
        }
    }

    fn make_function(&mut self, flags: u32, globals: &Arc<Module>) -> PyResult<Value> {
        let Value::Code(code) = self.pop() else {
            unreachable!("MakeFunction needs a code object")
        };
        let closure = if flags & 4 != 0 {
            match self.pop() {
                Value::Tuple(t) => {
                    t.0.iter()
                        .map(|c| match c {
                            Value::Cell(c) => c.clone(),
                            _ => unreachable!("closure items are cells"),
                        })
                        .collect()
                }
                _ => unreachable!("closure must be a tuple"),
            }
        } else {
            vec![]
        };
        let kwdefaults = if flags & 2 != 0 {
            match self.pop() {
                Value::Dict(d) => d
                    .items()
                    .into_iter()
                    .map(|(k, v)| (Arc::from(k.as_str().unwrap_or("")), v))
                    .collect(),
                _ => vec![],
            }
        } else {
            vec![]
        };
        let defaults = if flags & 1 != 0 {
            match self.pop() {
                Value::Tuple(t) => t.0.clone(),
                _ => vec![],
            }
        } else {
            vec![]
        };
        Ok(Value::Function(Arc::new(Function {
            code,
            globals: globals.clone(),
            defaults,
            kwdefaults,
            closure,
            owner: Default::default(),
            attrs: Default::default(),
        })))
    }

    fn build_class(&mut self, body: Value, name: Value, bases: Value) -> PyResult<Value> {
        let Value::Function(body) = body else {
            unreachable!("class body must be a function")
        };
        let name = name.as_str().unwrap_or("?").to_string();
        let base = match &bases {
            Value::Tuple(t) => match t.0.first() {
                Some(Value::Class(c)) => {
                    if c.kind == TypeKind::Builtin {
                        return Err(PyErr::not_implemented(format!(
                            "subclassing the built-in type '{}' is not supported by gilsim",
                            c.name
                        )));
                    }
                    Some(c.clone())
                }
                Some(other) => {
                    return Err(PyErr::type_error(format!(
                        "bases must be types, not {}",
                        super::ops::type_name(other)
                    )));
                }
                None => None,
            },
            _ => None,
        };
        let ns = Arc::new(PyDict::new());
        // Run the body with the namespace as its locals.
        let depth = self.frames.len();
        let pos = self.stack.len();
        self.stack.push(Value::Function(body.clone()));
        let code = body.code.clone();
        debug_assert_eq!(code.kind, CodeKind::Class);
        let base_slot = pos + 1;
        let cells = {
            let mut c: Vec<Arc<Cell>> = code.cellvars.iter().map(|_| Cell::unbound()).collect();
            c.extend(body.closure.iter().cloned());
            c
        };
        self.frames.push(Frame {
            func: body.clone(),
            ip: 0,
            base: base_slot,
            cells: Frame::cells_field(cells),
            blocks: vec![],
            namespace: Some(ns.clone()),
            init_of: None,
        });
        self.run(depth)?;
        let qualname = ns
            .get_str("__qualname__")
            .and_then(|q| q.as_str().map(str::to_string))
            .unwrap_or(name.clone());
        let module = ns
            .get_str("__module__")
            .and_then(|q| q.as_str().map(str::to_string))
            .unwrap_or_default();
        let cls = Arc::new(Class {
            name,
            qualname,
            module,
            base: Some(base.unwrap_or_else(|| self.interp.types.object.clone())),
            attrs: Default::default(),
            kind: TypeKind::Instance,
            plain_stores: Default::default(),
            key_hash: Default::default(),
            constructor: OnceLock::new(),
        });
        {
            let mut attrs = cls.attrs_mut();
            for (k, v) in ns.items() {
                if let Some(k) = k.as_str() {
                    if let Value::Function(f) = &v {
                        let _ = f.owner.set(Arc::downgrade(&cls));
                    }
                    if let Value::Instance(w) = &v
                        && let Some(Value::Function(f)) =
                            w.get("__func__").or_else(|| w.get("fget"))
                    {
                        let _ = f.owner.set(Arc::downgrade(&cls));
                    }
                    attrs.insert(Arc::from(k), v);
                }
            }
        }
        Ok(Value::Class(cls))
    }

    fn raise_op(&mut self, n: u32) -> PyResult<PyErr> {
        match n {
            0 => match self.handling.last() {
                Some(e) => {
                    self.reraising = true;
                    Ok(PyErr::Raised(e.clone()))
                }
                None => Ok(PyErr::runtime_error("No active exception to reraise")),
            },
            1 => {
                let v = self.pop();
                Ok(PyErr::Raised(self.exception_from(v)?))
            }
            _ => {
                let cause = self.pop();
                let v = self.pop();
                let exc = self.exception_from(v)?;
                let cause = if cause.is_none() {
                    cause
                } else {
                    self.exception_from(cause)?
                };
                if let Value::Instance(i) = &exc {
                    i.set("__cause__", cause);
                    i.set("__suppress_context__", Value::Bool(true));
                }
                Ok(PyErr::Raised(exc))
            }
        }
    }
}

/// `a op b` when both are numbers and the operation succeeds: the eval loop's fast path, and
/// what the fused ops compute without touching the stack. `None` sends the caller to the
/// general path, which raises the error (division by zero, ...) if there is one.
#[inline(always)]
fn number_fast(a: &Value, b: &Value, op: BinOp) -> Option<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let quick = match op {
            BinOp::Add => x.checked_add(*y),
            BinOp::Sub => x.checked_sub(*y),
            BinOp::Mul => x.checked_mul(*y),
            BinOp::Mod => super::ops::floor_div_mod(*x, *y).map(|(_, r)| r),
            BinOp::FloorDiv => super::ops::floor_div_mod(*x, *y).map(|(q, _)| q),
            _ => None,
        };
        return match quick {
            Some(r) => Some(Value::Int(r)),
            None => super::ops::int_op(*x, *y, op).ok(),
        };
    }
    float_fast(a, b, op).map(Value::Float)
}

/// `c[k]` for a list or tuple `c` and an int `k` in range (negative from the end): the
/// subscript's fast path; `None` for everything else, which the general path handles.
#[inline(always)]
fn sequence_item(c: &Value, k: &Value) -> Option<Value> {
    let Value::Int(i) = *k else { return None };
    let at = |len: usize| {
        let i = if i < 0 { i.checked_add(len as i64)? } else { i };
        usize::try_from(i).ok().filter(|&i| i < len)
    };
    match c {
        Value::List(l) => {
            let items = l.0.lock();
            items.get(at(items.len())?).cloned()
        }
        Value::Tuple(t) => t.0.get(at(t.0.len())?).cloned(),
        _ => None,
    }
}

/// `c[k] = v` for a list `c` and an int `k` in range: the store's fast path. Gives `v` back
/// for everything else, which the general path handles.
#[inline(always)]
fn store_list_item(c: &Value, k: &Value, v: Value) -> Result<(), Value> {
    let (Value::List(l), Value::Int(i)) = (c, k) else {
        return Err(v);
    };
    let mut items = l.0.lock();
    let Some(slot) = usize::try_from(*i).ok().and_then(|i| items.get_mut(i)) else {
        return Err(v);
    };
    let old = std::mem::replace(slot, v);
    drop(items);
    // The old item drops after the lock is released (its drop may free a whole structure).
    drop(old);
    Ok(())
}

/// The number the rhs of an `InplaceSubscrFast` statement computes, from its op at `at` (see
/// [`Op::InplaceSubscrFastConst`]), with how many ops the rhs spans; `None` when it is not a
/// number computed by a fast path.
#[inline(always)]
fn inplace_rhs(code: &Code, locals: &[Value], at: usize) -> Option<(Value, usize)> {
    let (v, len) = match code.ops[at] {
        Op::BinaryFastFast(x, y, op) => {
            let v = number_fast(&locals[x as usize], &locals[y as usize], op)?;
            (v, 3)
        }
        Op::BinaryFastConst(x, c, op) => {
            let v = number_fast(&locals[x as usize], &code.consts[c as usize], op)?;
            (v, 3)
        }
        Op::LoadFast(x) => (locals[x as usize].clone(), 1),
        Op::LoadConst(c) => (code.consts[c as usize].clone(), 1),
        _ => return None,
    };
    is_number(&v).then_some((v, len))
}

/// `c[k] = c[k] op rhs` under one hold of `c`'s lock, for a number that is a list item (index
/// in range, negative from the end) or a dict value (hashable key present), and a number
/// `rhs`; `false`, with nothing changed, for everything else.
#[inline(always)]
fn update_item(c: &Value, k: &Value, op: BinOp, rhs: &Value) -> bool {
    match (c, k) {
        (Value::List(l), &Value::Int(i)) => {
            let mut items = l.0.lock();
            let i = if i < 0 { i + items.len() as i64 } else { i };
            usize::try_from(i)
                .ok()
                .and_then(|i| items.get_mut(i))
                .is_some_and(|slot| update_number(slot, rhs, op))
        }
        (Value::Dict(_), _) => update_dict_value(c, k, op, rhs),
        _ => false,
    }
}

/// [`update_item`]'s dict path, out of line as [`dict_item`] is.
#[inline(never)]
fn update_dict_value(d: &Value, k: &Value, op: BinOp, rhs: &Value) -> bool {
    let Value::Dict(d) = d else { return false };
    plain_key(k)
        && d.0
            .lock()
            .get_value_mut(k)
            .is_some_and(|slot| update_number(slot, rhs, op))
}

/// `*slot = *slot op rhs` for two numbers; `false`, with nothing changed, for other operands.
#[inline(always)]
fn update_number(slot: &mut Value, rhs: &Value, op: BinOp) -> bool {
    match number_fast(slot, rhs, op) {
        // `number_fast` takes numbers only: the old value has nothing to drop.
        Some(r) => {
            std::mem::replace(slot, r).discard();
            true
        }
        None => false,
    }
}

/// `c[k]` by the fused subscript ops' fast paths: a list or tuple item, else a dict's.
#[inline(always)]
fn fast_item(c: &Value, k: &Value) -> Option<Value> {
    sequence_item(c, k).or_else(|| dict_item(c, k))
}

/// `c[k] = v` by the fused store ops' fast paths: a list item, else a dict's; `v` back when
/// neither applies.
#[inline(always)]
fn fast_store(c: &Value, k: &Value, v: Value) -> Result<(), Value> {
    store_list_item(c, k, v).or_else(|v| store_dict_item(c, k, v))
}

/// Is `k` a hashable key, whose hash and equality then run no Python code? (A key that is
/// not, the general path refuses with its error.)
#[inline(always)]
fn plain_key(k: &Value) -> bool {
    matches!(k, Value::Str(_) | Value::Int(_)) || HashKey::check(k).is_ok()
}

/// `d[k]` for a hashable key present in the dict, looked up by reference (no clone of the
/// key); `None` for everything else, including a missing key, which the general path raises.
/// Out of line and tried only after the list path missed, so that path stays as small as it
/// was (inlined beside it, the dict path made n-body 10% slower).
#[inline(never)]
fn dict_item(d: &Value, k: &Value) -> Option<Value> {
    let Value::Dict(d) = d else { return None };
    if !plain_key(k) {
        return None;
    }
    d.0.lock().get_value(k).cloned()
}

/// `d[k] = v` for a hashable key, the key cloned only when new. Gives `v` back for other
/// keys and when a new key needs the dict to grow (the general path checks the memory first).
#[inline(never)]
fn store_dict_item(d: &Value, k: &Value, v: Value) -> Result<(), Value> {
    let Value::Dict(d) = d else { return Err(v) };
    if !plain_key(k) {
        return Err(v);
    }
    let mut map = d.0.lock();
    if map.is_full() && map.get_value(k).is_none() {
        return Err(v);
    }
    let old = map.insert_ref(k, v);
    drop(map);
    // The old value drops after the lock is released, as in `store_list_item`.
    drop(old);
    Ok(())
}

/// `a op b` for the float operations that cannot fail, an int operand converted as `float(i)`
/// does (to nearest, ties to even).
#[inline(always)]
fn float_fast(a: &Value, b: &Value, op: BinOp) -> Option<f64> {
    let as_float = |v: &Value| match *v {
        Value::Float(f) => Some(f),
        Value::Int(i) => Some(i as f64),
        _ => None,
    };
    if !matches!((a, b), (Value::Float(_), _) | (_, Value::Float(_))) {
        return None;
    }
    let (x, y) = (as_float(a)?, as_float(b)?);
    match op {
        BinOp::Add => Some(x + y),
        BinOp::Sub => Some(x - y),
        BinOp::Mul => Some(x * y),
        BinOp::Div if y != 0.0 => Some(x / y),
        _ => None,
    }
}

/// `a cop b` for two ints or two floats: the comparison ops' fast path (`None` for other
/// operands, which the general comparison takes).
#[inline(always)]
fn compare_numbers(a: &Value, b: &Value, cop: CmpOp) -> Option<bool> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => compare_fast(x, y, cop),
        (Value::Float(x), Value::Float(y)) => compare_fast(x, y, cop),
        _ => None,
    }
}

/// `x cop y` for two ints or two floats, for the comparisons that are plain orderings.
#[inline(always)]
fn compare_fast<T: PartialOrd>(x: &T, y: &T, cop: CmpOp) -> Option<bool> {
    Some(match cop {
        CmpOp::Lt => x < y,
        CmpOp::LtE => x <= y,
        CmpOp::Gt => x > y,
        CmpOp::GtE => x >= y,
        CmpOp::Eq => x == y,
        CmpOp::NotEq => x != y,
        _ => return None,
    })
}

#[inline]
fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

fn unbound_local(name: &str) -> PyErr {
    PyErr::new(
        ExcKind::UnboundLocalError,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

fn unpack_error(got: usize, expected: usize) -> PyErr {
    if got > expected {
        PyErr::value_error(format!("too many values to unpack (expected {expected})"))
    } else {
        PyErr::value_error(format!(
            "not enough values to unpack (expected {expected}, got {got})"
        ))
    }
}
