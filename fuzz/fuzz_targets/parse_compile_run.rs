//! libFuzzer target: arbitrary bytes as a source file, through the lexer, the parser and the
//! compiler, and (for sources that compile and cannot loop for ever) the VM with a heap limit.
//! Any panic, abort or stack overflow is a finding; a SyntaxError or a Python exception is not.
//!
//! Run with `cargo +nightly fuzz run parse_compile_run` from the repository root (see
//! `fuzz/README.md`).

#![no_main]

use libfuzzer_sys::fuzz_target;

/// Words that may make a program run long (loops, big ranges, imports of thread machinery):
/// sources containing one are compiled but not run, so that libFuzzer's timeout only catches
/// real hangs.
const NOT_RUN: &[&str] = &["while", "for", "range", "import", "**", "<<", "*", "sleep", "join"];

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(module) = gilsim::syntax::parse(source) else {
        return;
    };
    if gilsim::compile::compiler::compile(&module, "fuzz.py").is_err() {
        return;
    }
    if NOT_RUN.iter().any(|w| source.contains(w)) {
        return;
    }
    let report = gilsim::runtime::Runtime::builder()
        .max_memory(256 << 20)
        .run_source("fuzz.py", source);
    assert!(
        report.exit_code != 70,
        "internal error (a panic in an interpreter thread)"
    );
});
