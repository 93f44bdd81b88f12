//! Source text to tokens: the first stage of the front end.
//!
//! Lexing happens in two passes. A [`logos`]-generated automaton splits the text into raw
//! tokens (names, numbers, string literals, operators, physical newlines), skipping blanks and
//! comments. A hand-written post-pass then does what a regular automaton cannot: it turns
//! physical newlines into Python's logical `NEWLINE` tokens (dropping blank lines, comment-only
//! lines, newlines inside brackets and `\` continuations), computes `INDENT`/`DEDENT` from the
//! indentation of each logical line (with CPython's tab consistency check), checks bracket
//! matching, decodes literals and attaches 1-based line/column positions.
//!
//! f-strings are not split here: a [`TokenKind::FString`] carries the byte range of its raw body,
//! and the parser splits it into literal text and replacement fields, lexing each embedded
//! expression with [`tokenize_fstring_expr`].

use std::ops::Range;

use logos::Logos;
use num_bigint::BigUint;

use super::{SyntaxError, SyntaxErrorKind};

/// CPython's limit on bracket nesting inside one logical line.
const MAX_BRACKET_DEPTH: usize = 200;
/// CPython's limit on indentation levels.
const MAX_INDENT_LEVELS: usize = 100;

/// One token with its position. Lines and columns are 1-based and columns count characters;
/// the end position is exclusive (the column just past the last character).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
    /// Byte range of the token in the text it was lexed from.
    pub start: usize,
    pub end: usize,
}

/// What a token is, with its decoded payload for names and literals.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// An identifier, including soft keywords such as `match`, `case`, `type` and `_`.
    Name(String),
    /// An integer literal that fits an `i64`.
    Int(i64),
    /// An integer literal that does not fit an `i64`, as decimal digits.
    BigInt(String),
    Float(f64),
    /// A decoded string literal (escapes processed unless raw).
    Str(String),
    Bytes(Vec<u8>),
    /// An f-string: the byte range of its raw, undecoded body (between the quotes) in the
    /// lexed text. The parser splits it into parts.
    FString {
        raw: bool,
        body: Range<usize>,
    },
    /// End of a logical line.
    Newline,
    Indent,
    Dedent,
    EndMarker,

    // Keywords.
    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,

    // Delimiters and operators.
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Colon,
    Comma,
    Semicolon,
    Dot,
    Ellipsis,
    Arrow,
    ColonEqual,
    Equal,
    Plus,
    Minus,
    Star,
    DoubleStar,
    Slash,
    DoubleSlash,
    Percent,
    At,
    Pipe,
    Caret,
    Amp,
    Tilde,
    LShift,
    RShift,
    Less,
    Greater,
    LessEqual,
    GreaterEqual,
    EqEqual,
    NotEqual,
    PlusEqual,
    MinusEqual,
    StarEqual,
    DoubleStarEqual,
    SlashEqual,
    DoubleSlashEqual,
    PercentEqual,
    AtEqual,
    PipeEqual,
    CaretEqual,
    AmpEqual,
    LShiftEqual,
    RShiftEqual,
}

impl TokenKind {
    /// How the token reads in an error message, e.g. `'('` or `NEWLINE`.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Name(n) => format!("'{n}'"),
            TokenKind::Int(_) | TokenKind::BigInt(_) | TokenKind::Float(_) => "number".into(),
            TokenKind::Str(_) | TokenKind::Bytes(_) | TokenKind::FString { .. } => "string".into(),
            TokenKind::Newline => "NEWLINE".into(),
            TokenKind::Indent => "INDENT".into(),
            TokenKind::Dedent => "DEDENT".into(),
            TokenKind::EndMarker => "end of file".into(),
            other => format!("'{}'", other.text().unwrap_or("?")),
        }
    }

    /// The fixed spelling of a keyword, delimiter or operator.
    pub fn text(&self) -> Option<&'static str> {
        use TokenKind as T;
        Some(match self {
            T::False => "False",
            T::None => "None",
            T::True => "True",
            T::And => "and",
            T::As => "as",
            T::Assert => "assert",
            T::Async => "async",
            T::Await => "await",
            T::Break => "break",
            T::Class => "class",
            T::Continue => "continue",
            T::Def => "def",
            T::Del => "del",
            T::Elif => "elif",
            T::Else => "else",
            T::Except => "except",
            T::Finally => "finally",
            T::For => "for",
            T::From => "from",
            T::Global => "global",
            T::If => "if",
            T::Import => "import",
            T::In => "in",
            T::Is => "is",
            T::Lambda => "lambda",
            T::Nonlocal => "nonlocal",
            T::Not => "not",
            T::Or => "or",
            T::Pass => "pass",
            T::Raise => "raise",
            T::Return => "return",
            T::Try => "try",
            T::While => "while",
            T::With => "with",
            T::Yield => "yield",
            T::LParen => "(",
            T::RParen => ")",
            T::LBracket => "[",
            T::RBracket => "]",
            T::LBrace => "{",
            T::RBrace => "}",
            T::Colon => ":",
            T::Comma => ",",
            T::Semicolon => ";",
            T::Dot => ".",
            T::Ellipsis => "...",
            T::Arrow => "->",
            T::ColonEqual => ":=",
            T::Equal => "=",
            T::Plus => "+",
            T::Minus => "-",
            T::Star => "*",
            T::DoubleStar => "**",
            T::Slash => "/",
            T::DoubleSlash => "//",
            T::Percent => "%",
            T::At => "@",
            T::Pipe => "|",
            T::Caret => "^",
            T::Amp => "&",
            T::Tilde => "~",
            T::LShift => "<<",
            T::RShift => ">>",
            T::Less => "<",
            T::Greater => ">",
            T::LessEqual => "<=",
            T::GreaterEqual => ">=",
            T::EqEqual => "==",
            T::NotEqual => "!=",
            T::PlusEqual => "+=",
            T::MinusEqual => "-=",
            T::StarEqual => "*=",
            T::DoubleStarEqual => "**=",
            T::SlashEqual => "/=",
            T::DoubleSlashEqual => "//=",
            T::PercentEqual => "%=",
            T::AtEqual => "@=",
            T::PipeEqual => "|=",
            T::CaretEqual => "^=",
            T::AmpEqual => "&=",
            T::LShiftEqual => "<<=",
            T::RShiftEqual => ">>=",
            _ => return Option::None,
        })
    }
}

/// Errors the raw automaton can report; turned into positioned [`SyntaxError`]s by the post-pass.
#[derive(Debug, Clone, PartialEq, Default)]
enum RawError {
    /// No token matches at this position.
    #[default]
    Invalid,
    /// A string literal runs into a newline (single-quoted) or the end of the text; the offset
    /// is where that was detected.
    Unterminated { triple: bool, detected_at: usize },
}

/// Raw tokens, as recognised by the `logos` automaton. Keywords, delimiters and operators carry
/// their final [`TokenKind`] directly.
#[derive(Logos, Debug, Clone, PartialEq)]
#[logos(error = RawError)]
#[logos(skip r"[ \t\f\x{FEFF}]+")]
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
enum Raw {
    #[regex(r"\r\n|\r|\n")]
    Newline,
    /// A backslash immediately followed by a line break: joins two physical lines.
    #[regex(r"\\(\r\n|\r|\n)")]
    Continuation,
    #[regex(r"[\p{XID_Start}_][\p{XID_Continue}]*")]
    Name,
    #[regex(r"[0-9](_?[0-9])*")]
    DecInt,
    #[regex(r"0[xX](_?[0-9a-fA-F])+")]
    HexInt,
    #[regex(r"0[oO](_?[0-7])+")]
    OctInt,
    #[regex(r"0[bB](_?[01])+")]
    BinInt,
    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*")]
    Float,
    #[regex(r"[0-9](_?[0-9])*[jJ]")]
    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?[jJ]")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?[jJ]")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*[jJ]")]
    Imaginary,
    /// A string literal: the pattern matches the prefix and opening quote, the callback scans to
    /// the closing quote.
    #[regex(r#"([rRuUfFbB]|[rR][bBfF]|[bBfF][rR])?('''|"""|'|")"#, scan_string)]
    Str,

    #[token("False", |_| TokenKind::False)]
    #[token("None", |_| TokenKind::None)]
    #[token("True", |_| TokenKind::True)]
    #[token("and", |_| TokenKind::And)]
    #[token("as", |_| TokenKind::As)]
    #[token("assert", |_| TokenKind::Assert)]
    #[token("async", |_| TokenKind::Async)]
    #[token("await", |_| TokenKind::Await)]
    #[token("break", |_| TokenKind::Break)]
    #[token("class", |_| TokenKind::Class)]
    #[token("continue", |_| TokenKind::Continue)]
    #[token("def", |_| TokenKind::Def)]
    #[token("del", |_| TokenKind::Del)]
    #[token("elif", |_| TokenKind::Elif)]
    #[token("else", |_| TokenKind::Else)]
    #[token("except", |_| TokenKind::Except)]
    #[token("finally", |_| TokenKind::Finally)]
    #[token("for", |_| TokenKind::For)]
    #[token("from", |_| TokenKind::From)]
    #[token("global", |_| TokenKind::Global)]
    #[token("if", |_| TokenKind::If)]
    #[token("import", |_| TokenKind::Import)]
    #[token("in", |_| TokenKind::In)]
    #[token("is", |_| TokenKind::Is)]
    #[token("lambda", |_| TokenKind::Lambda)]
    #[token("nonlocal", |_| TokenKind::Nonlocal)]
    #[token("not", |_| TokenKind::Not)]
    #[token("or", |_| TokenKind::Or)]
    #[token("pass", |_| TokenKind::Pass)]
    #[token("raise", |_| TokenKind::Raise)]
    #[token("return", |_| TokenKind::Return)]
    #[token("try", |_| TokenKind::Try)]
    #[token("while", |_| TokenKind::While)]
    #[token("with", |_| TokenKind::With)]
    #[token("yield", |_| TokenKind::Yield)]
    #[token("(", |_| TokenKind::LParen)]
    #[token(")", |_| TokenKind::RParen)]
    #[token("[", |_| TokenKind::LBracket)]
    #[token("]", |_| TokenKind::RBracket)]
    #[token("{", |_| TokenKind::LBrace)]
    #[token("}", |_| TokenKind::RBrace)]
    #[token(":", |_| TokenKind::Colon)]
    #[token(",", |_| TokenKind::Comma)]
    #[token(";", |_| TokenKind::Semicolon)]
    #[token(".", |_| TokenKind::Dot)]
    #[token("...", |_| TokenKind::Ellipsis)]
    #[token("->", |_| TokenKind::Arrow)]
    #[token(":=", |_| TokenKind::ColonEqual)]
    #[token("=", |_| TokenKind::Equal)]
    #[token("+", |_| TokenKind::Plus)]
    #[token("-", |_| TokenKind::Minus)]
    #[token("*", |_| TokenKind::Star)]
    #[token("**", |_| TokenKind::DoubleStar)]
    #[token("/", |_| TokenKind::Slash)]
    #[token("//", |_| TokenKind::DoubleSlash)]
    #[token("%", |_| TokenKind::Percent)]
    #[token("@", |_| TokenKind::At)]
    #[token("|", |_| TokenKind::Pipe)]
    #[token("^", |_| TokenKind::Caret)]
    #[token("&", |_| TokenKind::Amp)]
    #[token("~", |_| TokenKind::Tilde)]
    #[token("<<", |_| TokenKind::LShift)]
    #[token(">>", |_| TokenKind::RShift)]
    #[token("<", |_| TokenKind::Less)]
    #[token(">", |_| TokenKind::Greater)]
    #[token("<=", |_| TokenKind::LessEqual)]
    #[token(">=", |_| TokenKind::GreaterEqual)]
    #[token("==", |_| TokenKind::EqEqual)]
    #[token("!=", |_| TokenKind::NotEqual)]
    #[token("+=", |_| TokenKind::PlusEqual)]
    #[token("-=", |_| TokenKind::MinusEqual)]
    #[token("*=", |_| TokenKind::StarEqual)]
    #[token("**=", |_| TokenKind::DoubleStarEqual)]
    #[token("/=", |_| TokenKind::SlashEqual)]
    #[token("//=", |_| TokenKind::DoubleSlashEqual)]
    #[token("%=", |_| TokenKind::PercentEqual)]
    #[token("@=", |_| TokenKind::AtEqual)]
    #[token("|=", |_| TokenKind::PipeEqual)]
    #[token("^=", |_| TokenKind::CaretEqual)]
    #[token("&=", |_| TokenKind::AmpEqual)]
    #[token("<<=", |_| TokenKind::LShiftEqual)]
    #[token(">>=", |_| TokenKind::RShiftEqual)]
    Fixed(TokenKind),
}

/// Scans from just after a string's opening quote to just past its closing quote.
fn scan_string(lex: &mut logos::Lexer<Raw>) -> Result<(), RawError> {
    let opening = lex.slice().as_bytes();
    let quote = opening.last().copied().unwrap_or(b'"');
    let triple = opening.len() >= 3 && opening[opening.len() - 3..].iter().all(|&b| b == quote);
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            // A backslash escapes the next character (a CRLF counts as one). Continuation bytes
            // of a multi-byte character are skipped one at a time by the default arm.
            b'\\' => {
                i += if rest[i + 1..].starts_with(b"\r\n") {
                    3
                } else {
                    2
                }
            }
            b if b == quote => {
                if !triple {
                    lex.bump(i + 1);
                    return Ok(());
                }
                if rest[i..].starts_with(&[quote, quote, quote]) {
                    lex.bump(i + 3);
                    return Ok(());
                }
                i += 1;
            }
            b'\n' | b'\r' if !triple => {
                let detected_at = lex.span().end + i;
                return Err(RawError::Unterminated {
                    triple,
                    detected_at,
                });
            }
            _ => i += 1,
        }
    }
    Err(RawError::Unterminated {
        triple,
        detected_at: lex.source().len(),
    })
}

/// Tokenizes a whole module. The list ends with a `NEWLINE` closing the last logical line (if
/// the text has one), a `DEDENT` for each block still open, and `EndMarker`.
pub fn tokenize(source: &str) -> Result<Vec<Token>, SyntaxError> {
    Tokenizer::new(source, Mode::Module, 1, 1).run()
}

/// Tokenizes the expression of an f-string replacement field, which starts at `line`/`col` of
/// the enclosing file. It is lexed as if inside parentheses: no `NEWLINE`, `INDENT` or
/// `DEDENT`, just the tokens and `EndMarker`. Positions are those of the enclosing file.
pub fn tokenize_fstring_expr(source: &str, line: u32, col: u32) -> Result<Vec<Token>, SyntaxError> {
    Tokenizer::new(source, Mode::Expression, line, col).run()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Module,
    Expression,
}

/// Converts byte offsets into line/column positions, moving forwards only.
struct Locator<'a> {
    src: &'a str,
    offset: usize,
    line: u32,
    col: u32,
}

impl<'a> Locator<'a> {
    fn locate(&mut self, target: usize) -> (u32, u32) {
        if target > self.offset
            && let Some(text) = self.src.get(self.offset..target)
        {
            let bytes = self.src.as_bytes();
            for (i, c) in text.char_indices() {
                match c {
                    '\n' => {
                        self.line += 1;
                        self.col = 1;
                    }
                    // A CR of a CRLF pair is invisible; a lone CR ends a line.
                    '\r' if bytes.get(self.offset + i + 1) == Some(&b'\n') => {}
                    '\r' => {
                        self.line += 1;
                        self.col = 1;
                    }
                    _ => self.col += 1,
                }
            }
            self.offset = target;
        }
        (self.line, self.col)
    }
}

/// The post-pass state: indentation stack, open brackets and the tokens produced so far.
struct Tokenizer<'a> {
    src: &'a str,
    mode: Mode,
    loc: Locator<'a>,
    tokens: Vec<Token>,
    /// Indentation levels as (column with tab size 8, column with tab size 1).
    indents: Vec<(u32, u32)>,
    /// Open brackets with their position.
    brackets: Vec<(char, u32, u32)>,
    /// No token has been seen yet on the current logical line.
    at_line_start: bool,
    /// Byte offset where the current physical line starts.
    line_start: usize,
    /// Index in `tokens` of the first token of the current logical line.
    logical_line_start: usize,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str, mode: Mode, line: u32, col: u32) -> Self {
        Tokenizer {
            src,
            mode,
            loc: Locator {
                src,
                offset: 0,
                line,
                col,
            },
            tokens: Vec::with_capacity(src.len() / 4 + 4),
            indents: vec![(0, 0)],
            brackets: Vec::new(),
            at_line_start: mode == Mode::Module,
            line_start: 0,
            logical_line_start: 0,
        }
    }

    fn run(mut self) -> Result<Vec<Token>, SyntaxError> {
        let mut lex = Raw::lexer(self.src);
        while let Some(raw) = lex.next() {
            let span = lex.span();
            match raw {
                Err(err) => return Err(self.raw_error(err, span)),
                Ok(Raw::Newline) => {
                    if self.mode == Mode::Module && self.brackets.is_empty() && !self.at_line_start
                    {
                        self.push(TokenKind::Newline, span.clone());
                        self.at_line_start = true;
                    }
                    self.line_start = span.end;
                }
                Ok(Raw::Continuation) => {}
                Ok(raw) => {
                    if self.at_line_start {
                        self.at_line_start = false;
                        self.indentation(span.start)?;
                        self.logical_line_start = self.tokens.len();
                    }
                    let kind = self.convert(raw, span.clone())?;
                    self.track_brackets(&kind, span.start)?;
                    self.push(kind, span);
                }
            }
        }
        self.finish()
    }

    fn push(&mut self, kind: TokenKind, span: Range<usize>) {
        let (line, col) = self.loc.locate(span.start);
        let (end_line, end_col) = self.loc.locate(span.end);
        self.tokens.push(Token {
            kind,
            line,
            col,
            end_line,
            end_col,
            start: span.start,
            end: span.end,
        });
    }

    fn error_at(
        &mut self,
        kind: SyntaxErrorKind,
        msg: impl Into<String>,
        offset: usize,
    ) -> SyntaxError {
        let (line, col) = self.loc.locate(offset);
        SyntaxError {
            kind,
            msg: msg.into(),
            line,
            col,
        }
    }

    fn syntax_error(&mut self, msg: impl Into<String>, offset: usize) -> SyntaxError {
        self.error_at(SyntaxErrorKind::SyntaxError, msg, offset)
    }

    fn raw_error(&mut self, err: RawError, span: Range<usize>) -> SyntaxError {
        match err {
            RawError::Unterminated {
                triple,
                detected_at,
            } => {
                let start = self.loc.locate(span.start);
                let (mut detected_line, _) = self.loc.locate(detected_at);
                // Like CPython, the end of a text that ends with a newline is on its last line.
                if detected_at >= self.src.len() && self.src.ends_with(['\n', '\r']) {
                    detected_line = detected_line.saturating_sub(1).max(start.0);
                }
                let what = if triple {
                    "unterminated triple-quoted string literal"
                } else {
                    "unterminated string literal"
                };
                SyntaxError::new(
                    format!("{what} (detected at line {detected_line})"),
                    start.0,
                    start.1,
                )
            }
            RawError::Invalid => {
                let rest = self.src.get(span.start..).unwrap_or("");
                let c = rest.chars().next().unwrap_or(' ');
                let msg = match c {
                    '\\' => {
                        if rest.len() == 1 {
                            "unexpected EOF while parsing".to_string()
                        } else {
                            "unexpected character after line continuation character".to_string()
                        }
                    }
                    '\0' => "source code cannot contain null bytes".to_string(),
                    c if c.is_control() || (!c.is_ascii() && c.is_whitespace()) => {
                        format!("invalid non-printable character U+{:04X}", c as u32)
                    }
                    c if !c.is_ascii() => format!("invalid character '{c}' (U+{:04X})", c as u32),
                    _ => "invalid syntax".to_string(),
                };
                let offset = if c == '\\' {
                    span.start + 1
                } else {
                    span.start
                };
                self.syntax_error(msg, offset)
            }
        }
    }

    /// Handles the indentation of the first token of a logical line at byte `offset`.
    fn indentation(&mut self, offset: usize) -> Result<(), SyntaxError> {
        let (mut col, mut altcol) = (0u32, 0u32);
        for c in self.src.get(self.line_start..offset).unwrap_or("").chars() {
            match c {
                ' ' => {
                    col += 1;
                    altcol += 1;
                }
                '\t' => {
                    col = (col / 8 + 1) * 8;
                    altcol += 1;
                }
                '\x0c' => (col, altcol) = (0, 0),
                '\u{feff}' => {}
                _ => break,
            }
        }
        let (top_col, top_alt) = self.indents.last().copied().unwrap_or((0, 0));
        if col == top_col {
            if altcol != top_alt {
                return Err(self.tab_error(offset));
            }
        } else if col > top_col {
            if altcol <= top_alt {
                return Err(self.tab_error(offset));
            }
            if !self.may_open_block() {
                let (line, col) = self.loc.locate(offset);
                let msg = "unexpected indent";
                return Err(SyntaxError {
                    kind: SyntaxErrorKind::IndentationError,
                    msg: msg.into(),
                    line,
                    col: col.saturating_sub(1).max(1),
                });
            }
            if self.indents.len() >= MAX_INDENT_LEVELS {
                let msg = "too many levels of indentation";
                return Err(self.error_at(SyntaxErrorKind::IndentationError, msg, offset));
            }
            self.indents.push((col, altcol));
            self.push(TokenKind::Indent, self.line_start..offset);
        } else {
            while self.indents.len() > 1 && self.indents.last().is_some_and(|&(c, _)| col < c) {
                self.indents.pop();
                self.push(TokenKind::Dedent, offset..offset);
            }
            let (top_col, top_alt) = self.indents.last().copied().unwrap_or((0, 0));
            if col != top_col {
                // CPython points just past the end of the offending line.
                let rest = self.src.get(offset..).unwrap_or("");
                let line_end = offset + rest.find(['\n', '\r']).unwrap_or(rest.len());
                let msg = "unindent does not match any outer indentation level";
                return Err(self.error_at(SyntaxErrorKind::IndentationError, msg, line_end));
            }
            if altcol != top_alt {
                return Err(self.tab_error(offset));
            }
        }
        Ok(())
    }

    /// Whether the previous logical line can be followed by an indented block: it ends with
    /// `:` or starts with a compound statement keyword (a header missing its colon, for which
    /// the parser gives the better message). Checking this here rather than in the parser
    /// reports an unexpected indent before any later tokenizer error, as CPython does.
    fn may_open_block(&self) -> bool {
        let ends_with_colon =
            self.tokens.len() >= 2 && self.tokens[self.tokens.len() - 2].kind == TokenKind::Colon;
        let starts_compound = self.tokens.get(self.logical_line_start).is_some_and(|t| {
            matches!(
                t.kind,
                TokenKind::If
                    | TokenKind::Elif
                    | TokenKind::Else
                    | TokenKind::While
                    | TokenKind::For
                    | TokenKind::Try
                    | TokenKind::Except
                    | TokenKind::Finally
                    | TokenKind::With
                    | TokenKind::Def
                    | TokenKind::Class
                    | TokenKind::Async
            )
        });
        ends_with_colon || starts_compound
    }

    /// CPython reports tab inconsistencies at the start of the line.
    fn tab_error(&mut self, offset: usize) -> SyntaxError {
        let (line, _) = self.loc.locate(offset);
        let msg = "inconsistent use of tabs and spaces in indentation";
        SyntaxError {
            kind: SyntaxErrorKind::TabError,
            msg: msg.into(),
            line,
            col: 1,
        }
    }

    fn track_brackets(&mut self, kind: &TokenKind, offset: usize) -> Result<(), SyntaxError> {
        let open = match kind {
            TokenKind::LParen => '(',
            TokenKind::LBracket => '[',
            TokenKind::LBrace => '{',
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                let close = match kind {
                    TokenKind::RParen => ')',
                    TokenKind::RBracket => ']',
                    _ => '}',
                };
                let (line, col) = self.loc.locate(offset);
                return match self.brackets.pop() {
                    Option::None => {
                        Err(SyntaxError::new(format!("unmatched '{close}'"), line, col))
                    }
                    Some((open, open_line, _)) if matching(open) != close => {
                        let mut msg = format!(
                            "closing parenthesis '{close}' does not match opening parenthesis '{open}'"
                        );
                        if open_line != line {
                            msg.push_str(&format!(" on line {open_line}"));
                        }
                        Err(SyntaxError::new(msg, line, col))
                    }
                    Some(_) => Ok(()),
                };
            }
            _ => return Ok(()),
        };
        let (line, col) = self.loc.locate(offset);
        if self.brackets.len() >= MAX_BRACKET_DEPTH {
            return Err(SyntaxError::new("too many nested parentheses", line, col));
        }
        self.brackets.push((open, line, col));
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Token>, SyntaxError> {
        if let Some(&(open, line, col)) = self.brackets.last() {
            return Err(SyntaxError::new(
                format!("'{open}' was never closed"),
                line,
                col,
            ));
        }
        let end = self.src.len();
        if self.mode == Mode::Module {
            if !self.at_line_start {
                self.push(TokenKind::Newline, end..end);
            }
            for _ in 1..self.indents.len() {
                self.push(TokenKind::Dedent, end..end);
            }
        }
        self.push(TokenKind::EndMarker, end..end);
        Ok(self.tokens)
    }

    /// Turns a raw token into its final kind, decoding literals.
    fn convert(&mut self, raw: Raw, span: Range<usize>) -> Result<TokenKind, SyntaxError> {
        let text = self.src.get(span.clone()).unwrap_or("");
        match raw {
            Raw::Fixed(kind) => Ok(kind),
            Raw::Name => Ok(TokenKind::Name(text.to_string())),
            Raw::DecInt | Raw::HexInt | Raw::OctInt | Raw::BinInt | Raw::Float => {
                self.check_number_end(&raw, text, span.clone())?;
                number_value(&raw, text).map_err(|msg| self.syntax_error(msg, span.start))
            }
            Raw::Imaginary => {
                Err(self.syntax_error("complex numbers are not supported by gilsim", span.start))
            }
            Raw::Str => self.string(text, span),
            Raw::Newline | Raw::Continuation => Ok(TokenKind::Newline),
        }
    }

    /// A number must not run straight into an identifier: `1abc`, `0b12`, `0x1g`.
    fn check_number_end(
        &mut self,
        raw: &Raw,
        text: &str,
        span: Range<usize>,
    ) -> Result<(), SyntaxError> {
        let rest = self.src.get(span.end..).unwrap_or("");
        let Some(next) = rest.chars().next() else {
            return Ok(());
        };
        if !(next.is_alphanumeric() || next == '_') {
            return Ok(());
        }
        let word: &str = rest
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        // `1if x else y` is (deprecated but) valid Python.
        if matches!(
            word,
            "and" | "else" | "for" | "if" | "in" | "is" | "not" | "or"
        ) {
            return Ok(());
        }
        let (kind, digit_ok): (&str, fn(char) -> bool) = match raw {
            Raw::HexInt => ("hexadecimal", |c| c.is_ascii_hexdigit()),
            Raw::OctInt => ("octal", |c| c.is_digit(8)),
            Raw::BinInt => ("binary", |c| c.is_digit(2)),
            _ if text == "0" && matches!(next, 'x' | 'X') => ("hexadecimal", |_| false),
            _ if text == "0" && matches!(next, 'o' | 'O') => ("octal", |_| false),
            _ if text == "0" && matches!(next, 'b' | 'B') => ("binary", |_| false),
            _ => {
                let at = if next == '_' { span.end } else { span.start };
                return Err(self.syntax_error("invalid decimal literal", at));
            }
        };
        if next.is_ascii_digit() && !digit_ok(next) {
            return Err(self.syntax_error(
                format!("invalid digit '{next}' in {kind} literal"),
                span.end,
            ));
        }
        Err(self.syntax_error(format!("invalid {kind} literal"), span.end))
    }

    /// Decodes a string or bytes literal, or records the body of an f-string.
    fn string(&mut self, text: &str, span: Range<usize>) -> Result<TokenKind, SyntaxError> {
        let prefix_len = text.find(['\'', '"']).unwrap_or(0);
        let prefix = text.get(..prefix_len).unwrap_or("").to_ascii_lowercase();
        let quote = text.get(prefix_len..prefix_len + 1).unwrap_or("\"");
        let quote_len = if text
            .get(prefix_len..)
            .is_some_and(|t| t.starts_with(&quote.repeat(3)) && t.len() >= 6)
        {
            3
        } else {
            1
        };
        let body_start = prefix_len + quote_len;
        let body_end = text.len().saturating_sub(quote_len).max(body_start);
        let body = text.get(body_start..body_end).unwrap_or("");
        let raw = prefix.contains('r');
        if prefix.contains('f') {
            return Ok(TokenKind::FString {
                raw,
                body: span.start + body_start..span.start + body_end,
            });
        }
        if prefix.contains('b') {
            if !body.is_ascii() {
                return Err(self.syntax_error(
                    "bytes can only contain ASCII literal characters",
                    span.start,
                ));
            }
            if raw {
                return Ok(TokenKind::Bytes(body.as_bytes().to_vec()));
            }
            return decode_bytes_escapes(body)
                .map(TokenKind::Bytes)
                .map_err(|m| self.syntax_error(m, span.end));
        }
        if raw {
            return Ok(TokenKind::Str(body.to_string()));
        }
        // CPython reports bad escapes at the end of the literal.
        decode_str_escapes(body)
            .map(TokenKind::Str)
            .map_err(|m| self.syntax_error(m, span.end))
    }
}

fn matching(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// The value of a number literal already matched by one of the number patterns.
fn number_value(raw: &Raw, text: &str) -> Result<TokenKind, String> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    let (radix, body) = match raw {
        Raw::Float => {
            return digits
                .parse::<f64>()
                .map(TokenKind::Float)
                .map_err(|_| "invalid decimal literal".to_string());
        }
        Raw::HexInt => (16, digits.get(2..).unwrap_or("")),
        Raw::OctInt => (8, digits.get(2..).unwrap_or("")),
        Raw::BinInt => (2, digits.get(2..).unwrap_or("")),
        _ => {
            if digits.starts_with('0') && digits.chars().any(|c| c != '0') {
                return Err(
                    "leading zeros in decimal integer literals are not permitted; \
                            use an 0o prefix for octal integers"
                        .to_string(),
                );
            }
            (10, digits.as_str())
        }
    };
    if let Ok(v) = i64::from_str_radix(body, radix) {
        return Ok(TokenKind::Int(v));
    }
    BigUint::parse_bytes(body.as_bytes(), radix)
        .map(|n| TokenKind::BigInt(n.to_str_radix(10)))
        .ok_or_else(|| "invalid integer literal".to_string())
}

/// Decodes the escapes of a (non-raw) `str` literal body, as Python does: unknown escapes are
/// kept literally. Returns the error message on a malformed escape.
pub(crate) fn decode_str_escapes(body: &str) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    let mut pos = 0usize; // index in characters, for error messages
    while let Some((_, c)) = chars.next() {
        let here = pos;
        pos += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            out.push('\\');
            break;
        };
        pos += 1;
        match e {
            '\n' => {}
            '\r' => {
                if chars.peek().is_some_and(|&(_, c)| c == '\n') {
                    chars.next();
                    pos += 1;
                }
            }
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|&(_, c)| c.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            chars.next();
                            pos += 1;
                        }
                        Option::None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let (width, name) = match e {
                    'x' => (2, "\\xXX"),
                    'u' => (4, "\\uXXXX"),
                    _ => (8, "\\UXXXXXXXX"),
                };
                let mut value = 0u32;
                for n in 0..width {
                    match chars.peek().and_then(|&(_, c)| c.to_digit(16)) {
                        Some(d) => {
                            value = value * 16 + d;
                            chars.next();
                            pos += 1;
                        }
                        Option::None => {
                            return Err(format!(
                                "(unicode error) 'unicodeescape' codec can't decode bytes in position \
                                 {here}-{}: truncated {name} escape",
                                here + 1 + n
                            ));
                        }
                    }
                }
                match char::from_u32(value) {
                    Some(ch) => out.push(ch),
                    Option::None if (0xD800..0xE000).contains(&value) => {
                        return Err(
                            "(unicode error) lone surrogates are not supported by gilsim".into(),
                        );
                    }
                    Option::None => {
                        return Err(format!(
                            "(unicode error) 'unicodeescape' codec can't decode bytes in position \
                             {here}-{}: illegal Unicode character",
                            pos - 1
                        ));
                    }
                }
            }
            'N' => {
                return Err("(unicode error) \\N{...} escapes are not supported by gilsim".into());
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Decodes the escapes of a (non-raw) bytes literal body, which is known to be ASCII.
fn decode_bytes_escapes(body: &str) -> Result<Vec<u8>, String> {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = bytes.get(i) else {
            out.push(b'\\');
            break;
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\r' => {
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match bytes.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'x' => {
                let hex = |j: usize| bytes.get(j).and_then(|&c| (c as char).to_digit(16));
                match (hex(i), hex(i + 1)) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => {
                        return Err(format!(
                            "(value error) invalid \\x escape at position {}",
                            i - 2
                        ));
                    }
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind as T;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src)
            .expect("tokenizes")
            .into_iter()
            .map(|t| t.kind)
            .collect()
    }

    fn err(src: &str) -> SyntaxError {
        tokenize(src).expect_err("should fail")
    }

    fn name(s: &str) -> TokenKind {
        T::Name(s.to_string())
    }

    #[test]
    fn simple_line() {
        assert_eq!(
            kinds("x = 1\n"),
            vec![name("x"), T::Equal, T::Int(1), T::Newline, T::EndMarker]
        );
        // A missing final newline is supplied.
        assert_eq!(kinds("x"), vec![name("x"), T::Newline, T::EndMarker]);
        assert_eq!(kinds(""), vec![T::EndMarker]);
        assert_eq!(kinds("\n\n# only a comment\n   \n"), vec![T::EndMarker]);
    }

    #[test]
    fn indentation() {
        let src = "if x:\n    y\n\n    # comment\n        \n    if z:\n        w\nv\n";
        assert_eq!(
            kinds(src),
            vec![
                T::If,
                name("x"),
                T::Colon,
                T::Newline,
                T::Indent,
                name("y"),
                T::Newline,
                T::If,
                name("z"),
                T::Colon,
                T::Newline,
                T::Indent,
                name("w"),
                T::Newline,
                T::Dedent,
                T::Dedent,
                name("v"),
                T::Newline,
                T::EndMarker
            ]
        );
        // EOF closes open blocks.
        assert_eq!(
            kinds("if x:\n  if y:\n    z"),
            vec![
                T::If,
                name("x"),
                T::Colon,
                T::Newline,
                T::Indent,
                T::If,
                name("y"),
                T::Colon,
                T::Newline,
                T::Indent,
                name("z"),
                T::Newline,
                T::Dedent,
                T::Dedent,
                T::EndMarker
            ]
        );
    }

    #[test]
    fn brackets_and_continuations_join_lines() {
        assert_eq!(
            kinds("x = (1,\n  2)\ny = 1 + \\\n   2\n"),
            vec![
                name("x"),
                T::Equal,
                T::LParen,
                T::Int(1),
                T::Comma,
                T::Int(2),
                T::RParen,
                T::Newline,
                name("y"),
                T::Equal,
                T::Int(1),
                T::Plus,
                T::Int(2),
                T::Newline,
                T::EndMarker
            ]
        );
    }

    #[test]
    fn indentation_errors() {
        let e = err("if x:\n    pass\n  pass\n");
        assert_eq!(
            (e.kind, e.msg.as_str(), e.line),
            (
                SyntaxErrorKind::IndentationError,
                "unindent does not match any outer indentation level",
                3
            )
        );
        let e = err("if x:\n\tpass\n        pass\n");
        assert_eq!(
            (e.kind, e.msg.as_str(), e.line),
            (
                SyntaxErrorKind::TabError,
                "inconsistent use of tabs and spaces in indentation",
                3
            )
        );
        let mut deep = String::new();
        for i in 0..120 {
            deep.push_str(&" ".repeat(i));
            deep.push_str("if x:\n");
        }
        let e = err(&deep);
        assert_eq!(e.msg, "too many levels of indentation");
    }

    #[test]
    fn positions() {
        let toks = tokenize("a = 'é'\n  \nbb+ c").unwrap();
        let pos: Vec<_> = toks
            .iter()
            .map(|t| (t.line, t.col, t.end_line, t.end_col))
            .collect();
        assert_eq!(pos[0], (1, 1, 1, 2));
        assert_eq!(pos[2], (1, 5, 1, 8)); // columns count characters, not bytes
        assert_eq!(pos[4], (3, 1, 3, 3));
        assert_eq!(pos[5], (3, 3, 3, 4));
        assert_eq!(pos[6], (3, 5, 3, 6));
        let toks = tokenize("x = '''a\nb''' + 1\n").unwrap();
        assert_eq!(
            (toks[2].line, toks[2].col, toks[2].end_line, toks[2].end_col),
            (1, 5, 2, 5)
        );
        assert_eq!((toks[3].line, toks[3].col), (2, 6));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("1_000 0x_ff 0o17 0b101 0")[..5],
            [T::Int(1000), T::Int(255), T::Int(15), T::Int(5), T::Int(0)]
        );
        assert_eq!(
            kinds("1.5 1. .5 1e-3 1_0.2_5e1_0 1E5")[..6],
            [
                T::Float(1.5),
                T::Float(1.0),
                T::Float(0.5),
                T::Float(1e-3),
                T::Float(10.25e10),
                T::Float(1e5)
            ]
        );
        assert_eq!(kinds("9223372036854775807")[0], T::Int(i64::MAX));
        assert_eq!(
            kinds("9223372036854775808")[0],
            T::BigInt("9223372036854775808".into())
        );
        assert_eq!(
            kinds("0xffffffffffffffffff")[0],
            T::BigInt("4722366482869645213695".into())
        );
        assert_eq!(kinds("00 0_0")[..2], [T::Int(0), T::Int(0)]);
        assert_eq!(kinds("1if x else 2")[..2], [T::Int(1), T::If]);
        assert_eq!(kinds("1..real")[..3], [T::Float(1.0), T::Dot, name("real")]);
    }

    #[test]
    fn number_errors() {
        assert_eq!(err("1j").msg, "complex numbers are not supported by gilsim");
        assert_eq!(
            err("x = 1.5J").msg,
            "complex numbers are not supported by gilsim"
        );
        assert_eq!(err("1abc").msg, "invalid decimal literal");
        assert_eq!(err("1_").msg, "invalid decimal literal");
        assert_eq!(err("1__0").msg, "invalid decimal literal");
        assert_eq!(err("0x").msg, "invalid hexadecimal literal");
        assert_eq!(err("0b102").msg, "invalid digit '2' in binary literal");
        assert_eq!(err("0o78").msg, "invalid digit '8' in octal literal");
        assert_eq!(err("0xfg").msg, "invalid hexadecimal literal");
        assert!(
            err("0123")
                .msg
                .starts_with("leading zeros in decimal integer literals")
        );
    }

    #[test]
    fn strings() {
        assert_eq!(
            kinds(r#"'a\tb' "c\"d" '\x41\101\u00e9\U0001F600' '\d' r'\n' '''x'y''' ''''''"#)[..7],
            [
                T::Str("a\tb".into()),
                T::Str("c\"d".into()),
                T::Str("AAé😀".into()),
                T::Str("\\d".into()),
                T::Str("\\n".into()),
                T::Str("x'y".into()),
                T::Str(String::new()),
            ]
        );
        assert_eq!(
            kinds(r"b'\x00\xff\777a' Rb'\x' bR'\u1234'")[..3],
            [
                T::Bytes(vec![0, 255, 255, b'a']),
                T::Bytes(b"\\x".to_vec()),
                T::Bytes(b"\\u1234".to_vec()),
            ]
        );
        assert_eq!(kinds("'a\\\nb'")[0], T::Str("ab".into()));
        assert_eq!(
            kinds("u'x' U\"y\"")[..2],
            [T::Str("x".into()), T::Str("y".into())]
        );
        assert_eq!(kinds("'\\777'")[0], T::Str("\u{1ff}".into()));
        assert_eq!(
            kinds("f'{x}' rF'a'")[..2],
            [
                T::FString {
                    raw: false,
                    body: 2..5
                },
                T::FString {
                    raw: true,
                    body: 10..11
                }
            ]
        );
        // `ur` is not a prefix.
        assert_eq!(kinds("ur'a'")[..2], [name("ur"), T::Str("a".into())]);
    }

    #[test]
    fn string_errors() {
        let e = err("x = 'abc\ny = 1\n");
        assert_eq!(
            (e.msg.as_str(), e.line, e.col),
            ("unterminated string literal (detected at line 1)", 1, 5)
        );
        let e = err("x = '''abc\n\n");
        assert_eq!(
            (e.msg.as_str(), e.line, e.col),
            (
                "unterminated triple-quoted string literal (detected at line 2)",
                1,
                5
            )
        );
        assert_eq!(
            err("b'é'").msg,
            "bytes can only contain ASCII literal characters"
        );
        assert!(err(r"'\x4'").msg.contains("truncated \\xXX escape"));
        assert!(err(r"'\N{DASH}'").msg.contains("not supported by gilsim"));
        assert!(err(r"'\ud800'").msg.contains("surrogates"));
        assert!(
            err(r"'\U00110000'")
                .msg
                .contains("illegal Unicode character")
        );
        assert_eq!(
            err("'abc\\").msg,
            "unterminated string literal (detected at line 1)"
        );
    }

    #[test]
    fn bracket_errors() {
        let e = err("x = (1,\n2\n");
        assert_eq!(
            (e.msg.as_str(), e.line, e.col),
            ("'(' was never closed", 1, 5)
        );
        let e = err("x = )");
        assert_eq!((e.msg.as_str(), e.line, e.col), ("unmatched ')'", 1, 5));
        assert_eq!(
            err("(]").msg,
            "closing parenthesis ']' does not match opening parenthesis '('"
        );
        assert_eq!(
            err("(\n]").msg,
            "closing parenthesis ']' does not match opening parenthesis '(' on line 1"
        );
        let deep = "(".repeat(10_000);
        assert_eq!(err(&deep).msg, "too many nested parentheses");
        let ok = format!("{}{}", "(".repeat(200), ")".repeat(200));
        assert!(tokenize(&ok).is_ok());
    }

    #[test]
    fn character_errors() {
        let e = err("x = a→b");
        assert_eq!(
            (e.msg.as_str(), e.col),
            ("invalid character '→' (U+2192)", 6)
        );
        assert_eq!(err("x = $").msg, "invalid syntax");
        assert_eq!(
            err("x = \u{a0}1").msg,
            "invalid non-printable character U+00A0"
        );
        assert_eq!(
            err("x = \\ y").msg,
            "unexpected character after line continuation character"
        );
        assert_eq!(err("x = 1 \\").msg, "unexpected EOF while parsing");
        // Unicode identifiers are fine.
        assert_eq!(kinds("नमस्ते = 1")[0], name("नमस्ते"));
    }

    #[test]
    fn keywords_and_operators() {
        assert_eq!(
            kinds("not in is lambda match ** //= -> := ... != <<= @")[..13],
            [
                T::Not,
                T::In,
                T::Is,
                T::Lambda,
                name("match"),
                T::DoubleStar,
                T::DoubleSlashEqual,
                T::Arrow,
                T::ColonEqual,
                T::Ellipsis,
                T::NotEqual,
                T::LShiftEqual,
                T::At
            ]
        );
    }

    #[test]
    fn fstring_expression_mode() {
        let toks = tokenize_fstring_expr("a +\n b", 3, 10).unwrap();
        let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(kinds, vec![name("a"), T::Plus, name("b"), T::EndMarker]);
        assert_eq!((toks[0].line, toks[0].col), (3, 10));
        assert_eq!((toks[2].line, toks[2].col), (4, 2));
    }

    #[test]
    fn crlf_and_form_feed() {
        assert_eq!(
            kinds("if x:\r\n  y\r\nz\r\n")[..10],
            [
                T::If,
                name("x"),
                T::Colon,
                T::Newline,
                T::Indent,
                name("y"),
                T::Newline,
                T::Dedent,
                name("z"),
                T::Newline
            ]
        );
        let toks = tokenize("a\r\nb").unwrap();
        assert_eq!((toks[2].line, toks[2].col), (2, 1));
    }
}
