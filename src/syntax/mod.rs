//! Source text to AST: the front end. Knows nothing of bytecode or the VM.
//!
//! `lexer` turns text into tokens (with Python's INDENT/DEDENT), `parser` follows
//! `grammar/gilsim.ebnf` rule by rule to build the `ast`. Errors carry a line and column so that
//! the CLI can print CPython's caret display.

pub mod ast;
pub mod lexer;
pub mod parser;

use std::fmt;

/// Which of Python's syntax error classes a [`SyntaxError`] belongs to (or `RecursionError`,
/// the one front-end error CPython does not report as a syntax error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
    /// A tree too deep to compile: CPython raises `RecursionError` "maximum recursion depth
    /// exceeded during compilation" from its compiler, and prints no source line for it.
    RecursionError,
}

/// A positioned error from the lexer, parser or compiler, reported as CPython does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub msg: String,
    /// 1-based line and column of the offending token.
    pub line: u32,
    pub col: u32,
}

impl SyntaxError {
    pub fn new(msg: impl Into<String>, line: u32, col: u32) -> Self {
        SyntaxError {
            kind: SyntaxErrorKind::SyntaxError,
            msg: msg.into(),
            line,
            col,
        }
    }

    /// The name of the Python exception class, e.g. `IndentationError`.
    pub fn class_name(&self) -> &'static str {
        match self.kind {
            SyntaxErrorKind::SyntaxError => "SyntaxError",
            SyntaxErrorKind::IndentationError => "IndentationError",
            SyntaxErrorKind::TabError => "TabError",
            SyntaxErrorKind::RecursionError => "RecursionError",
        }
    }

    /// CPython's display: the file and line, the source line, a caret under the column, the message.
    pub fn render(&self, filename: &str, source: &str) -> String {
        if self.kind == SyntaxErrorKind::RecursionError {
            return format!("{}: {}\n", self.class_name(), self.msg);
        }
        let mut out = format!("  File \"{}\", line {}\n", filename, self.line);
        if let Some(text) = source.lines().nth(self.line.saturating_sub(1) as usize) {
            let trimmed = text.trim_start();
            let indent = text.len() - trimmed.len();
            out.push_str(&format!("    {}\n", trimmed.trim_end()));
            let caret_col = (self.col as usize).saturating_sub(1).saturating_sub(indent);
            out.push_str(&format!("    {}^\n", " ".repeat(caret_col)));
        }
        out.push_str(&format!("{}: {}\n", self.class_name(), self.msg));
        out
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (line {}, column {})",
            self.class_name(),
            self.msg,
            self.line,
            self.col
        )
    }
}

/// Parses a whole module.
pub fn parse(source: &str) -> Result<ast::Module, SyntaxError> {
    let tokens = lexer::tokenize(source)?;
    parser::Parser::new(source, tokens).parse_module()
}
