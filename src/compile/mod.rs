//! AST to bytecode: scope analysis (`symtable`), code generation (`compiler`), the instruction
//! set (`opcode`), code objects (`code`) and their listing (`dis`). Knows nothing of threads or
//! the GIL; the VM only reads what this produces.

pub mod code;
pub mod compiler;
pub mod dis;
pub mod opcode;
pub mod symtable;
