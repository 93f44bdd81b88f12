//! `gilsim dis`: a listing of code objects in the spirit of `python -m dis`, printed from the
//! same [`Op`] table the VM executes.

use std::fmt::Write;

use super::code::Code;
use super::opcode::Op;
use crate::vm::value::Value;

/// `LoadConst` → `LOAD_CONST`.
fn op_name(op: &Op) -> String {
    let debug = format!("{op:?}");
    let name = debug.split('(').next().unwrap_or("");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn const_repr(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{:?}", s.as_str()),
        Value::Code(c) => format!("<code object {}, line {}>", c.name, c.firstlineno),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::vm::format::float_repr(*f),
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Tuple(t) => format!(
            "({})",
            t.0.iter().map(const_repr).collect::<Vec<_>>().join(", ")
        ),
        other => format!("{other:?}"),
    }
}

/// The argument of an op and what it means, e.g. `3 (x)`.
fn describe(op: &Op, code: &Code, globals: &[std::sync::Arc<str>]) -> String {
    use Op::*;
    fn name_at<S: std::fmt::Display>(t: &[S], i: u32) -> String {
        t.get(i as usize).map(|s| s.to_string()).unwrap_or_default()
    }
    let deref = |i: u32| {
        let i = i as usize;
        if i < code.cellvars.len() {
            code.cellvars[i].to_string()
        } else {
            name_at(&code.freevars, (i - code.cellvars.len()) as u32)
        }
    };
    match *op {
        LoadConst(i) => format!(
            "{i} ({})",
            code.consts
                .get(i as usize)
                .map(const_repr)
                .unwrap_or_default()
        ),
        LoadFast(i) | StoreFast(i) | DeleteFast(i) => {
            format!("{i} ({})", name_at(&code.varnames, i))
        }
        LoadDeref(i) | StoreDeref(i) | LoadClosure(i) => format!("{i} ({})", deref(i)),
        LoadGlobal(i) | StoreGlobal(i) | DeleteGlobal(i) => {
            format!("{i} ({})", name_at(globals, i))
        }
        LoadName(i) | StoreName(i) | DeleteName(i) | LoadAttr(i) | StoreAttr(i) | DeleteAttr(i)
        | LoadMethod(i) | ImportName(i) | ImportFrom(i) => {
            format!("{i} ({})", name_at(&code.names, i))
        }
        Binary(b) | Inplace(b) => format!("({})", crate::vm::ops::op_symbol(b)),
        Compare(c) => format!("({c:?})"),
        _ => match op.jump_target() {
            Some(t) => format!("{t} (to {t})"),
            None => {
                let d = format!("{op:?}");
                match (d.find('('), d.rfind(')')) {
                    (Some(a), Some(b)) => d[a + 1..b].to_string(),
                    _ => String::new(),
                }
            }
        },
    }
}

/// Lists a code object and, after it, every code object among its constants.
pub fn disassemble(code: &Code, globals: &[std::sync::Arc<str>]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Disassembly of {} (line {}):",
        code.qualname, code.firstlineno
    );
    let mut last_line = 0;
    for (i, op) in code.ops.iter().enumerate() {
        let op = &op.unfused();
        let line = code.line_at(i);
        let line_col = if line != last_line {
            line.to_string()
        } else {
            String::new()
        };
        last_line = line;
        let _ = writeln!(
            out,
            "{line_col:>4} {i:>6} {:<20} {}",
            op_name(op),
            describe(op, code, globals)
        );
    }
    for c in &code.consts {
        if let Value::Code(inner) = c {
            out.push('\n');
            out.push_str(&disassemble(inner, globals));
        }
    }
    out
}
