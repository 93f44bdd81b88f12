//! gilsim: a Python-subset bytecode interpreter with a real global interpreter lock, built to
//! reproduce and measure what a GIL does.
//!
//! The modules follow the data flow: `syntax` (source → tokens → AST), `compile` (AST →
//! bytecode), `vm` (bytecode run by interpreter threads), `gil` (the lock they contend for), `modules` (what `import` finds),
//! `runtime` (running a script file end to end, as the CLI does); `observe` records what the GIL
//! did and `pictures` draws it (timelines, charts). Beside the interpreter: `experiment` (the
//! built-in GIL experiments and their sweeps) and `workload` (scripts generated from a
//! description, for property tests through `runtime::Runtime`).

pub mod compile;
pub mod duration;
pub mod experiment;
pub mod gil;
pub mod memory;
pub mod modules;
pub mod observe;
pub mod pictures;
pub mod process;
pub mod runtime;
pub mod syntax;
pub mod vm;
pub mod workload;

/// Every allocation of a process using gilsim is counted, so that `--max-memory` and the
/// checks before big allocations can raise `MemoryError` instead of letting Rust abort.
#[global_allocator]
static ALLOCATOR: memory::CountingAlloc = memory::CountingAlloc;
