//! The instruction set: one enum, one doc line per opcode. The compiler emits these, the eval
//! loop (`vm::eval`) executes them and `gilsim dis` prints them; all three read this one table.
//!
//! Notation in the doc lines: `TOS` is the top of the operand stack, `TOS1` the one below;
//! `consts[i]`, `names[i]`, `locals[i]`, `cells[i]` are the code object's tables.

use crate::syntax::ast::{BinOp, CmpOp};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// Does nothing (a jump target placeholder).
    Nop,
    /// Function entry: checks the eval breaker (CPython 3.11's RESUME), where a GIL drop request lands.
    Resume,
    /// push consts[i]
    LoadConst(u32),
    /// push locals[i]; UnboundLocalError if unassigned
    LoadFast(u32),
    /// locals[i] := pop
    StoreFast(u32),
    /// locals[i] := unbound
    DeleteFast(u32),
    /// push the value in cells[i] (cell variables first, then free variables)
    LoadDeref(u32),
    /// cells[i].value := pop
    StoreDeref(u32),
    /// push the cell object cells[i] itself (to build a closure)
    LoadClosure(u32),
    /// push module global slot i, falling back to builtins
    LoadGlobal(u32),
    /// module global slot i := pop
    StoreGlobal(u32),
    /// unassign module global slot i
    DeleteGlobal(u32),
    /// push names[i] from the class namespace, then globals, then builtins (class bodies)
    LoadName(u32),
    /// class namespace[names[i]] := pop
    StoreName(u32),
    /// delete class namespace[names[i]]
    DeleteName(u32),
    /// TOS := getattr(TOS, names[i])
    LoadAttr(u32),
    /// setattr(TOS, names[i], TOS1); pops both
    StoreAttr(u32),
    /// delattr(TOS, names[i])
    DeleteAttr(u32),
    /// replace TOS by (method, self) when names[i] is a plain method, else by (attr, NULL marker)
    LoadMethod(u32),
    /// call the (method, self) pair under n positional arguments
    CallMethod(u32),
    /// call TOS[-n-1] with the n positional arguments above it
    Call(u32),
    /// like Call, with TOS a tuple of keyword names for the last arguments; n counts all arguments
    CallKw(u32),
    /// call TOS2 with *TOS1 (a tuple) and, if the flag is 1, **TOS (a dict)
    CallEx(u32),
    /// TOS := TOS1 op TOS
    Binary(BinOp),
    /// TOS := TOS1 op= TOS (in place for lists, else as Binary)
    Inplace(BinOp),
    /// TOS := TOS1 cmp TOS, for all comparison operators including `is` and `in`
    Compare(CmpOp),
    /// TOS := not TOS
    Not,
    /// TOS := -TOS
    Neg,
    /// TOS := +TOS
    Pos,
    /// TOS := ~TOS
    Invert,
    /// TOS := TOS1[TOS]
    Subscr,
    /// TOS1[TOS] := TOS2; pops three
    StoreSubscr,
    /// del TOS1[TOS]
    DeleteSubscr,
    /// push a list of the top n values
    BuildList(u32),
    /// push a tuple of the top n values
    BuildTuple(u32),
    /// push a set of the top n values
    BuildSet(u32),
    /// push a dict of the top 2n values (key, value pairs)
    BuildMap(u32),
    /// push slice(TOS2, TOS1, TOS) for n = 3, slice(TOS1, TOS) for n = 2
    BuildSlice(u32),
    /// concatenate the top n strings (f-strings)
    BuildString(u32),
    /// stack[-n].append(pop) (comprehensions)
    ListAppend(u32),
    /// stack[-n].add(pop)
    SetAdd(u32),
    /// stack[-n][TOS1] := TOS; pops two
    MapAdd(u32),
    /// stack[-n].extend(pop) (`[*a, *b]`)
    ListExtend(u32),
    /// stack[-n].update(pop) (`{*a}`)
    SetUpdate(u32),
    /// stack[-n].update(pop) (`{**a}`), or merge keyword arguments
    DictUpdate(u32),
    /// TOS := tuple(TOS)
    ListToTuple,
    /// pop an iterable of exactly n items and push them, last item first
    UnpackSequence(u32),
    /// unpack with a starred target: low byte = targets before the star, next byte = after it
    UnpackEx(u32),
    /// format TOS for an f-string: flags & 3 = conversion (0 none, 1 str, 2 repr, 3 ascii); flags & 4 = spec below value
    FormatValue(u32),
    /// jump forward to target
    Jump(u32),
    /// jump back to target; checks the eval breaker (CPython 3.11's JUMP_BACKWARD)
    JumpBackward(u32),
    /// pop; jump if false
    PopJumpIfFalse(u32),
    /// pop; jump if true
    PopJumpIfTrue(u32),
    /// if TOS is false jump and keep it, else pop (`and`)
    JumpIfFalseOrPop(u32),
    /// if TOS is true jump and keep it, else pop (`or`)
    JumpIfTrueOrPop(u32),
    /// TOS := iter(TOS)
    GetIter,
    /// push next(TOS); when exhausted, pop the iterator and jump to target
    ForIter(u32),
    /// discard TOS
    Pop,
    /// push TOS again
    Dup,
    /// push TOS1, TOS again
    DupTwo,
    /// swap TOS and TOS1
    Rot2,
    /// lift TOS under TOS1 and TOS2
    Rot3,
    /// lift TOS under TOS1, TOS2 and TOS3
    Rot4,
    /// return TOS to the caller
    Return,
    /// make a function from the code object TOS; flags: 1 defaults tuple, 2 kw-defaults dict, 4 closure tuple, below it
    MakeFunction(u32),
    /// make a class: TOS2 = body function, TOS1 = name, TOS = bases tuple
    BuildClass,
    /// push an exception handler block whose handler starts at target
    SetupExcept(u32),
    /// pop the innermost handler block (the protected region ended normally)
    PopBlock,
    /// leave an `except` body: pop its handling block and restore the previous exception context
    PopExcept,
    /// raise: n = 0 re-raises the exception being handled, 1 raises TOS, 2 raises TOS1 from TOS
    Raise(u32),
    /// re-raise TOS, keeping its traceback (end of `finally`, no `except` clause matched)
    Reraise,
    /// TOS := isinstance(TOS1, TOS) for an except clause (TOS may be a tuple of classes)
    CheckExcMatch,
    /// raise AssertionError, with message TOS if n = 1
    RaiseAssert(u32),
    /// TOS is a context manager: replace it by its bound `__exit__`, push a handler block for
    /// target (its level includes the `__exit__`), then push the result of `__enter__()`
    BeforeWith(u32),
    /// normal exit of a with block: call TOS (the `__exit__`) with three Nones and pop it
    WithExit,
    /// exceptional exit: TOS1 = `__exit__`, TOS = exception; call it; if true swallow and continue, else re-raise
    WithExceptStart,
    /// push the module names[i], importing it on first use
    ImportName(u32),
    /// push getattr(TOS, names[i]) for `from module import name`
    ImportFrom(u32),

    // Superinstructions, written over the first op of a frequent pair by [`fuse`]. The second op
    // stays in place (a jump may land on it); the fused op does both and skips it.
    /// push locals[a], then locals[b] (LoadFast a; LoadFast b)
    LoadFastPair(u16, u16),
    /// push locals[a], then consts[b] (LoadFast a; LoadConst b)
    LoadFastConst(u16, u16),
    /// locals[a] := pop, then push locals[b] (StoreFast a; LoadFast b)
    StoreFastLoadFast(u16, u16),
    /// push locals[a] op consts[b] when both are numbers (LoadFast a; LoadConst b; Binary op),
    /// else runs as LoadFastConst(a, b) and leaves the operation to its own op
    BinaryFastConst(u16, u16, BinOp),
    /// push locals[a] op locals[b] when both are numbers (LoadFast a; LoadFast b; Binary op),
    /// else runs as LoadFastPair(a, b)
    BinaryFastFast(u16, u16, BinOp),
    /// push locals[a][consts[b]] for a list or tuple and an index in range (LoadFast a;
    /// LoadConst b; Subscr), else runs as LoadFastConst(a, b)
    SubscrFastConst(u16, u16),
    /// push locals[a][locals[b]] for a list or tuple and an index in range (LoadFast a;
    /// LoadFast b; Subscr), else runs as LoadFastPair(a, b)
    SubscrFastFast(u16, u16),
    /// locals[a][consts[b]] := pop for a list and an index in range (LoadFast a; LoadConst b;
    /// StoreSubscr), else runs as LoadFastConst(a, b)
    StoreSubscrFastConst(u16, u16),
    /// locals[a][locals[b]] := pop for a list and an index in range (LoadFast a; LoadFast b;
    /// StoreSubscr), else runs as LoadFastPair(a, b)
    StoreSubscrFastFast(u16, u16),
    /// push locals[a].names[n] when locals[a] is an instance with that attribute of its own
    /// (LoadFast a; LoadAttr n), else runs as LoadFast(a)
    LoadFastAttr(u16, u16),
    /// locals[a].names[n] := pop for an instance whose class stores plainly (LoadFast a;
    /// StoreAttr n), else runs as LoadFast(a)
    StoreAttrFast(u16, u16),
    /// pop two ints or two floats and jump to t unless TOS1 cop TOS (Compare cop;
    /// PopJumpIfFalse t), else runs as Compare(cop)
    CompareJumpIfFalse(CmpOp, u32),
    /// the whole statement `locals[a][consts[b]] op= rhs` under one hold of the container's
    /// lock, for a number in a list or dict and a number rhs (LoadFast a; LoadConst b; Subscr;
    /// rhs; Inplace op; LoadFast a; LoadConst b; StoreSubscr, where rhs is one LoadFast or
    /// LoadConst, or a BinaryFastFast or BinaryFastConst), where no thread could switch inside
    /// the statement under CPython's GIL either; else runs as LoadFast(a)
    InplaceSubscrFastConst(u16, u16, BinOp),
    /// InplaceSubscrFastConst with the key in locals[b] (`counts[word] += 1`)
    InplaceSubscrFastFast(u16, u16, BinOp),
    /// `if locals[a] cop consts[b]:` without the operand stack, for two ints or two floats
    /// (LoadFast a; LoadConst b; then the CompareJumpIfFalse(cop, t) it reads), else runs as
    /// LoadFastConst(a, b)
    CompareFastConst(u16, u16),
    /// CompareFastConst for two locals (`while i < n:`), else runs as LoadFastPair(a, b)
    CompareFastFast(u16, u16),
}

// One op is one word: the instruction stream stays dense.
const _: () = assert!(std::mem::size_of::<Op>() == 8);

/// Rewrites the first op of each frequent pair or triple into its superinstruction: fewer
/// dispatches for the same program, as CPython 3.11's `LOAD_FAST__LOAD_FAST` and friends. The
/// ops it covers stay in place behind it, so a jump into the middle of a sequence, and a fused
/// op whose operands are not the common case, run the original ops.
pub fn fuse(ops: &mut [Op]) {
    use Op::*;
    let narrow = |a: u32, b: u32| Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?));
    // Whole `a[k] op= rhs` statements first: the rules below then fuse the ops they cover
    // (the rhs into the BinaryFast op the statement's op reads it from) as usual.
    for i in 0..ops.len() {
        if let Some(f) = inplace_subscr(&ops[i..]) {
            ops[i] = f;
        }
    }
    // Triples next: their first op is a LoadFast the pair rules would take.
    for i in 2..ops.len() {
        let fused = match (ops[i - 2], ops[i - 1], ops[i]) {
            (LoadFast(a), LoadConst(b), Binary(op) | Inplace(op)) => {
                narrow(a, b).map(|(a, b)| BinaryFastConst(a, b, op))
            }
            (LoadFast(a), LoadFast(b), Binary(op) | Inplace(op)) => {
                narrow(a, b).map(|(a, b)| BinaryFastFast(a, b, op))
            }
            (LoadFast(a), LoadConst(b), Subscr) => narrow(a, b).map(|(a, b)| SubscrFastConst(a, b)),
            (LoadFast(a), LoadFast(b), Subscr) => narrow(a, b).map(|(a, b)| SubscrFastFast(a, b)),
            (LoadFast(a), LoadConst(b), StoreSubscr) => {
                narrow(a, b).map(|(a, b)| StoreSubscrFastConst(a, b))
            }
            (LoadFast(a), LoadFast(b), StoreSubscr) => {
                narrow(a, b).map(|(a, b)| StoreSubscrFastFast(a, b))
            }
            _ => None,
        };
        if let Some(f) = fused {
            ops[i - 2] = f;
        }
    }
    // Pairs from the end, so that `LoadFast a; LoadFast b; LoadAttr n` fuses the attribute
    // load (which then borrows the local instead of copying it) rather than the two loads.
    for i in (1..ops.len()).rev() {
        let fused = match (ops[i - 1], ops[i]) {
            (LoadFast(a), LoadAttr(n)) => narrow(a, n).map(|(a, n)| LoadFastAttr(a, n)),
            (LoadFast(a), StoreAttr(n)) => narrow(a, n).map(|(a, n)| StoreAttrFast(a, n)),
            (LoadFast(a), LoadFast(b)) => narrow(a, b).map(|(a, b)| LoadFastPair(a, b)),
            (LoadFast(a), LoadConst(b)) => narrow(a, b).map(|(a, b)| LoadFastConst(a, b)),
            (StoreFast(a), LoadFast(b)) => narrow(a, b).map(|(a, b)| StoreFastLoadFast(a, b)),
            (Compare(cop), PopJumpIfFalse(t)) => Some(CompareJumpIfFalse(cop, t)),
            _ => None,
        };
        if let Some(f) = fused {
            ops[i - 1] = f;
        }
    }
    // Conditions on a local and a constant or another local, over the pairs fused above.
    for i in 0..ops.len().saturating_sub(2) {
        if let CompareJumpIfFalse(..) = ops[i + 2] {
            match ops[i] {
                LoadFastConst(a, b) => ops[i] = CompareFastConst(a, b),
                LoadFastPair(a, b) => ops[i] = CompareFastFast(a, b),
                _ => {}
            }
        }
    }
}

/// The op for `a[k] op= rhs` when `ops` starts with one (see
/// [`Op::InplaceSubscrFastConst`]). Its rhs must become the one op the statement's op reads:
/// one LoadFast or LoadConst, or a triple the rules of [`fuse`] turn into a BinaryFast op
/// (its operands narrow to u16, as they check).
fn inplace_subscr(ops: &[Op]) -> Option<Op> {
    use Op::*;
    let narrow = |a: u32, b: u32| Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?));
    let (&LoadFast(a), &key, &Subscr) = (ops.first()?, ops.get(1)?, ops.get(2)?) else {
        return None;
    };
    let rhs_len = match (ops.get(3)?, ops.get(4), ops.get(5)) {
        (&LoadFast(x), Some(&(LoadFast(y) | LoadConst(y))), Some(Binary(_))) => {
            narrow(x, y)?;
            3
        }
        (LoadFast(_) | LoadConst(_), Some(Inplace(_)), _) => 1,
        _ => return None,
    };
    let tail = ops.get(3 + rhs_len..3 + rhs_len + 4)?;
    let &[Inplace(op), LoadFast(a2), key2, StoreSubscr] = tail else {
        return None;
    };
    if a2 != a || key2 != key {
        return None;
    }
    match key {
        LoadConst(b) => narrow(a, b).map(|(a, b)| InplaceSubscrFastConst(a, b, op)),
        LoadFast(b) => narrow(a, b).map(|(a, b)| InplaceSubscrFastFast(a, b, op)),
        _ => None,
    }
}

impl Op {
    /// The jump target, for the ops that have one (used by the compiler's patching and by `dis`).
    pub fn jump_target(&self) -> Option<u32> {
        use Op::*;
        match *self {
            Jump(t) | JumpBackward(t) | PopJumpIfFalse(t) | PopJumpIfTrue(t)
            | JumpIfFalseOrPop(t) | JumpIfTrueOrPop(t) | ForIter(t) | SetupExcept(t)
            | BeforeWith(t) => Some(t),
            _ => None,
        }
    }

    /// The op as the compiler emitted it, before [`fuse`] (what `gilsim dis` lists).
    pub fn unfused(self) -> Op {
        use Op::*;
        match self {
            LoadFastPair(a, _)
            | LoadFastConst(a, _)
            | BinaryFastConst(a, _, _)
            | BinaryFastFast(a, _, _)
            | SubscrFastConst(a, _)
            | SubscrFastFast(a, _)
            | StoreSubscrFastConst(a, _)
            | StoreSubscrFastFast(a, _)
            | LoadFastAttr(a, _)
            | StoreAttrFast(a, _)
            | InplaceSubscrFastConst(a, _, _)
            | InplaceSubscrFastFast(a, _, _)
            | CompareFastConst(a, _)
            | CompareFastFast(a, _) => LoadFast(a as u32),
            CompareJumpIfFalse(cop, _) => Compare(cop),
            StoreFastLoadFast(a, _) => StoreFast(a as u32),
            other => other,
        }
    }

    /// The same op with a new jump target.
    pub fn with_target(self, t: u32) -> Op {
        use Op::*;
        match self {
            Jump(_) => Jump(t),
            JumpBackward(_) => JumpBackward(t),
            PopJumpIfFalse(_) => PopJumpIfFalse(t),
            PopJumpIfTrue(_) => PopJumpIfTrue(t),
            JumpIfFalseOrPop(_) => JumpIfFalseOrPop(t),
            JumpIfTrueOrPop(_) => JumpIfTrueOrPop(t),
            ForIter(_) => ForIter(t),
            SetupExcept(_) => SetupExcept(t),
            BeforeWith(_) => BeforeWith(t),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Op::*;
    use super::*;

    /// `b[3] -= dx * cm` as the compiler emits it (b, dx, cm in locals 0, 1, 2).
    fn statement(rhs: &[Op], store_into: u32) -> Vec<Op> {
        let mut ops = vec![LoadFast(0), LoadConst(3), Subscr];
        ops.extend_from_slice(rhs);
        ops.extend([
            Inplace(BinOp::Sub),
            LoadFast(store_into),
            LoadConst(3),
            StoreSubscr,
        ]);
        ops
    }

    fn fused(ops: &[Op]) -> Vec<Op> {
        let mut out = ops.to_vec();
        fuse(&mut out);
        assert!(
            out.iter().zip(ops).all(|(f, o)| f.unfused() == *o),
            "every fused op stands for the op it replaced: {out:?}"
        );
        out
    }

    #[test]
    fn a_subscript_update_fuses_into_one_op_reading_its_rhs_op() {
        let product = [LoadFast(1), LoadFast(2), Binary(BinOp::Mul)];
        let out = fused(&statement(&product, 0));
        assert_eq!(out[0], InplaceSubscrFastConst(0, 3, BinOp::Sub));
        assert_eq!(out[3], BinaryFastFast(1, 2, BinOp::Mul));
        let out = fused(&statement(&[LoadConst(0)], 0));
        assert_eq!(out[0], InplaceSubscrFastConst(0, 3, BinOp::Sub));
        assert_eq!(out[3], LoadConst(0));
    }

    #[test]
    fn a_condition_on_locals_fuses_into_one_op_reading_its_jump() {
        let jump = [Compare(CmpOp::Lt), PopJumpIfFalse(9)];
        let mut with_const = vec![LoadFast(0), LoadConst(1)];
        with_const.extend(jump);
        let out = fused(&with_const);
        assert_eq!(out[0], CompareFastConst(0, 1));
        assert_eq!(out[2], CompareJumpIfFalse(CmpOp::Lt, 9));
        let mut with_local = vec![LoadFast(0), LoadFast(1)];
        with_local.extend(jump);
        assert_eq!(fused(&with_local)[0], CompareFastFast(0, 1));
        // A comparison whose result is kept, not jumped on, keeps the plain pair.
        let kept = [LoadFast(0), LoadConst(1), Compare(CmpOp::Lt), StoreFast(2)];
        assert_eq!(fused(&kept)[0], LoadFastConst(0, 1));
    }

    #[test]
    fn other_statements_keep_their_ops() {
        // Another container in the store, a longer rhs, an rhs whose triple would not fuse.
        let product = [LoadFast(1), LoadFast(2), Binary(BinOp::Mul)];
        let longer = [
            LoadFast(1),
            LoadFast(2),
            Binary(BinOp::Mul),
            LoadFast(1),
            Binary(BinOp::Add),
        ];
        let wide = [LoadFast(70_000), LoadFast(2), Binary(BinOp::Mul)];
        for ops in [
            statement(&product, 5),
            statement(&longer, 0),
            statement(&wide, 0),
        ] {
            let out = fused(&ops);
            assert!(
                !matches!(
                    out[0],
                    InplaceSubscrFastConst(..) | InplaceSubscrFastFast(..)
                ),
                "{ops:?} fused into {out:?}"
            );
        }
    }
}
