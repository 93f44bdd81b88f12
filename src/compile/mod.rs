//! AST to bytecode: scope analysis (`symtable`), code generation (`compiler`), the instruction
//! set (`opcode`), code objects (`code`), their listing (`dis`) and shared names (`intern`). Knows nothing of threads or
//! the GIL; the VM only reads what this produces.

pub mod code;
pub mod compiler;
pub mod dis;
pub mod intern;
pub mod opcode;
pub mod symtable;
