//! Tokens to AST: a hand-written recursive-descent parser for gilsim's Python subset.
//!
//! The parser follows `grammar/gilsim.ebnf` rule by rule: every rule of the grammar is one
//! method with the same name, which starts by recording its name (see
//! [`Parser::with_rule_trace`]) so that a test can check that the corpus exercises the whole
//! grammar. Assignment targets are parsed as expressions and then checked, as CPython's older
//! parser did, which gives CPython's messages ("cannot assign to literal", ...).
//!
//! f-strings arrive from the lexer as raw bodies; the `fstring*` rules split them into literal
//! text and replacement fields, and each embedded expression is lexed and parsed by a nested
//! parser whose token positions are those of the enclosing file.
//!
//! Recursion is bounded: nesting (brackets, unary operators, `**`, `lambda`, conditional
//! expressions) is counted and refused past [`MAX_NESTING`] levels, blocks past
//! [`MAX_BLOCKS`]. Because unoptimised builds spend tens of kilobytes of stack per nesting
//! level, [`Parser::parse_module`] runs the descent on a helper thread with a stack sized for
//! those limits, so that no input can overflow the caller's stack.
//!
//! Left-associative chains (`1+1+1...`, `a.b.c...`, `f()()()...`) and `elif` ladders are built
//! by loops, not recursion, but they still make trees as deep as they are long, and the later
//! passes (scope analysis, compiler, the tree's drop) walk trees recursively. So the depth of
//! the tree being built (expression nesting + blocks + the links of the chains around the current
//! position) is also counted, and a tree deeper than [`MAX_AST_DEPTH`] is refused as CPython 3.11
//! refuses it: `RecursionError: maximum recursion depth exceeded during compilation`. The
//! deepest level reached is kept in [`Module::depth`], so the compiler knows the stack it needs.

use std::collections::{BTreeSet, HashSet};

use super::ast::*;
use super::lexer::{self, Token, TokenKind as T};
use super::{SyntaxError, SyntaxErrorKind};

/// Deepest expression nesting accepted (CPython accepts 200 nested brackets).
pub const MAX_NESTING: u32 = 200;
/// Deepest block nesting accepted (CPython's indentation limit is 100 levels).
pub const MAX_BLOCKS: u32 = 100;
/// Deepest syntax tree accepted: CPython 3.11's compiler refuses trees deeper than three times
/// the default recursion limit (a chain of 3000 `+` terms fails there, 2990 pass).
pub const MAX_AST_DEPTH: u32 = 2990;
/// Stack reserved for the parsing thread: enough for the nesting limits in a debug build.
pub const PARSER_STACK_SIZE: usize = 64 << 20;
/// Texts whose nesting cannot exceed this are parsed on the caller's thread (a few hundred
/// kilobytes of stack at most, even unoptimised), sparing small parses a thread start.
const INLINE_NESTING: usize = 8;

type PResult<T> = Result<T, SyntaxError>;

static NO_RULES: BTreeSet<&'static str> = BTreeSet::new();

/// A parser over the tokens of one source text.
pub struct Parser<'src> {
    /// The text the tokens were lexed from (f-string bodies are sliced from it).
    source: &'src str,
    tokens: Vec<Token>,
    pos: usize,
    /// End (line, column) of the last consumed token other than NEWLINE/INDENT/DEDENT.
    last_end: (u32, u32),
    /// Current expression nesting, bounded by [`MAX_NESTING`].
    depth: u32,
    /// Current block nesting, bounded by [`MAX_BLOCKS`].
    blocks: u32,
    /// Links of the left-deep chains (binary operators, attribute/call/subscript trailers,
    /// `elif`s) open around the current position: with `depth` and `blocks`, how deep the
    /// syntax tree is here, bounded by [`MAX_AST_DEPTH`].
    chain: u32,
    /// The deepest tree level reached so far (reported as [`Module::depth`]).
    max_tree_depth: u32,
    /// Open brackets around the current position (for the "forgot a comma?" hint).
    brackets: u32,
    /// Parsing the expression of an f-string replacement field.
    in_fstring: bool,
    /// Where errors in splitting an f-string are reported: like CPython 3.11, just past the
    /// last of the adjacent string literals.
    fstring_error_pos: (u32, u32),
    /// Grammar rules entered so far, when tracing is on.
    trace: Option<BTreeSet<&'static str>>,
}

/// One item of a parameter list, before the ordering checks.
enum ParamItem {
    Slash,
    Star(Option<String>),
    DoubleStar(String),
    Named(String, Option<Expr>),
}

/// One call argument, before the ordering checks.
enum Arg {
    Positional(Expr),
    Star(Expr),
    Keyword(String, Expr),
    DoubleStar(Expr),
    Generator(Expr),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TargetUse {
    Assign,
    Delete,
}

/// Walks the raw body of an f-string character by character, keeping the file position.
struct FStringScanner<'src> {
    text: &'src str,
    pos: usize,
    line: u32,
    col: u32,
}

impl<'src> FStringScanner<'src> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut chars = self.text.get(self.pos..)?.chars();
        chars.next();
        chars.next()
    }

    fn bump(&mut self) {
        let Some(c) = self.peek() else { return };
        self.pos += c.len_utf8();
        match c {
            '\n' => (self.line, self.col) = (self.line + 1, 1),
            '\r' if self.peek() != Some('\n') => (self.line, self.col) = (self.line + 1, 1),
            '\r' => {}
            _ => self.col += 1,
        }
    }

    fn slice(&self, from: usize) -> &'src str {
        self.text.get(from..self.pos).unwrap_or("")
    }
}

impl<'src> Parser<'src> {
    /// A parser for `tokens`, which were lexed from `source`.
    pub fn new(source: &'src str, mut tokens: Vec<Token>) -> Self {
        if tokens.last().is_none_or(|t| t.kind != T::EndMarker) {
            let (line, col) = tokens.last().map_or((1, 1), |t| (t.end_line, t.end_col));
            let end = source.len();
            tokens.push(Token {
                kind: T::EndMarker,
                line,
                col,
                end_line: line,
                end_col: col,
                start: end,
                end,
            });
        }
        Parser {
            source,
            tokens,
            pos: 0,
            last_end: (1, 1),
            depth: 0,
            chain: 0,
            max_tree_depth: 0,
            blocks: 0,
            brackets: 0,
            in_fstring: false,
            fstring_error_pos: (1, 1),
            trace: None,
        }
    }

    /// Like [`Parser::new`], but records which grammar rules the parse enters.
    pub fn with_rule_trace(source: &'src str, tokens: Vec<Token>) -> Self {
        let mut parser = Parser::new(source, tokens);
        parser.trace = Some(BTreeSet::new());
        parser
    }

    /// The grammar rules entered so far (empty unless built with [`Parser::with_rule_trace`]).
    pub fn rules_used(&self) -> &BTreeSet<&'static str> {
        self.trace.as_ref().unwrap_or(&NO_RULES)
    }

    /// Parses the tokens as a module.
    ///
    /// Nesting is bounded by [`MAX_NESTING`], but unoptimised builds use tens of kilobytes of
    /// stack per nesting level, more than a test thread has. So unless the tokens show the
    /// nesting stays shallow, the descent runs on a helper thread with a [`PARSER_STACK_SIZE`]
    /// stack (reserved, not committed).
    pub fn parse_module(&mut self) -> PResult<Module> {
        if nesting_bound(&self.tokens) <= INLINE_NESTING {
            let body = self.file()?;
            return Ok(Module {
                body,
                depth: self.max_tree_depth,
            });
        }
        let result = std::thread::scope(|scope| {
            let worker = std::thread::Builder::new()
                .stack_size(PARSER_STACK_SIZE)
                .spawn_scoped(scope, || self.file());
            match worker {
                Ok(handle) => Some(
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                ),
                Err(_) => None,
            }
        });
        // If no thread could be started, parse here: still bounded, if less generously.
        let body = match result {
            Some(body) => body?,
            None => self.file()?,
        };
        Ok(Module {
            body,
            depth: self.max_tree_depth,
        })
    }

    // ----- token helpers -------------------------------------------------------------------

    fn enter(&mut self, rule: &'static str) {
        if let Some(trace) = &mut self.trace {
            trace.insert(rule);
        }
    }

    fn tok(&self) -> &Token {
        // `new` guarantees a final EndMarker, and `advance` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &T {
        &self.tok().kind
    }

    fn peek_at(&self, n: usize) -> &T {
        let i = (self.pos + n).min(self.tokens.len() - 1);
        &self.tokens[i].kind
    }

    fn at(&self, kind: &T) -> bool {
        self.peek() == kind
    }

    fn advance(&mut self) {
        let tok = self.tok();
        if !matches!(tok.kind, T::Newline | T::Indent | T::Dedent | T::EndMarker) {
            self.last_end = (tok.end_line, tok.end_col);
        }
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, kind: &T) -> bool {
        let found = self.at(kind);
        if found {
            self.advance();
        }
        found
    }

    fn expect(&mut self, kind: &T) -> PResult<()> {
        if self.eat(kind) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// `':'` ending a compound statement header.
    fn expect_colon(&mut self) -> PResult<()> {
        if self.eat(&T::Colon) {
            return Ok(());
        }
        if self.at(&T::Newline) {
            let (line, col) = self.last_end;
            return Err(self.error_at("expected ':'", line, col));
        }
        Err(self.unexpected())
    }

    fn expect_name(&mut self) -> PResult<String> {
        if let T::Name(name) = self.peek() {
            let name = name.clone();
            self.advance();
            Ok(name)
        } else {
            Err(self.unexpected())
        }
    }

    fn start(&self) -> (u32, u32) {
        let tok = self.tok();
        (tok.line, tok.col)
    }

    fn span_from(&self, start: (u32, u32)) -> Span {
        Span {
            line: start.0,
            col: start.1,
            end_line: self.last_end.0,
            end_col: self.last_end.1,
        }
    }

    fn expr(&self, kind: ExprKind, start: (u32, u32)) -> Expr {
        Expr {
            kind,
            span: self.span_from(start),
        }
    }

    fn stmt(&self, kind: StmtKind, start: (u32, u32)) -> Stmt {
        Stmt {
            kind,
            span: self.span_from(start),
        }
    }

    fn at_closing_bracket(&self) -> bool {
        matches!(self.peek(), T::RParen | T::RBracket | T::RBrace)
    }

    /// Whether the current token can begin an expression (or a starred one).
    fn starts_expression(&self) -> bool {
        matches!(
            self.peek(),
            T::Name(_)
                | T::Int(_)
                | T::BigInt(_)
                | T::Float(_)
                | T::Str(_)
                | T::Bytes(_)
                | T::FString { .. }
                | T::LParen
                | T::LBracket
                | T::LBrace
                | T::Minus
                | T::Plus
                | T::Tilde
                | T::Star
                | T::Not
                | T::Lambda
                | T::None
                | T::True
                | T::False
                | T::Ellipsis
                | T::Await
                | T::Yield
        )
    }

    // ----- errors and limits ---------------------------------------------------------------

    fn error_at(&self, msg: impl Into<String>, line: u32, col: u32) -> SyntaxError {
        let mut msg = msg.into();
        if self.in_fstring && !msg.starts_with("f-string") {
            msg = format!("f-string: {msg}");
        }
        SyntaxError {
            kind: SyntaxErrorKind::SyntaxError,
            msg,
            line,
            col,
        }
    }

    fn error_here(&self, msg: impl Into<String>) -> SyntaxError {
        let (line, col) = self.start();
        self.error_at(msg, line, col)
    }

    fn error_span(&self, msg: impl Into<String>, span: Span) -> SyntaxError {
        self.error_at(msg, span.line, span.col)
    }

    fn indentation_error(&self, msg: impl Into<String>, line: u32, col: u32) -> SyntaxError {
        SyntaxError {
            kind: SyntaxErrorKind::IndentationError,
            msg: msg.into(),
            line,
            col,
        }
    }

    /// The error for a token that no rule expects here.
    fn unexpected(&self) -> SyntaxError {
        match self.peek() {
            T::Indent => {
                // CPython points at the last character of the indentation.
                let next = &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)];
                self.indentation_error(
                    "unexpected indent",
                    next.line,
                    next.col.saturating_sub(1).max(1),
                )
            }
            T::Dedent => {
                let (line, col) = self.start();
                self.indentation_error("unexpected unindent", line, col)
            }
            T::Yield => self.error_here("generators (yield) are not supported by gilsim"),
            T::Async | T::Await => self.error_here("async/await is not supported by gilsim"),
            _ => {
                let prev_ends_operand = self.pos > 0
                    && matches!(
                        self.tokens[self.pos - 1].kind,
                        T::Name(_)
                            | T::Int(_)
                            | T::BigInt(_)
                            | T::Float(_)
                            | T::Str(_)
                            | T::Bytes(_)
                            | T::FString { .. }
                            | T::RParen
                            | T::RBracket
                            | T::RBrace
                            | T::None
                            | T::True
                            | T::False
                    );
                let starts_operand = matches!(
                    self.peek(),
                    T::Name(_)
                        | T::Int(_)
                        | T::BigInt(_)
                        | T::Float(_)
                        | T::Str(_)
                        | T::Bytes(_)
                        | T::FString { .. }
                        | T::LParen
                        | T::LBracket
                        | T::LBrace
                        | T::None
                        | T::True
                        | T::False
                );
                if self.brackets > 0 && prev_ends_operand && starts_operand {
                    let prev = &self.tokens[self.pos - 1];
                    return self.error_at(
                        "invalid syntax. Perhaps you forgot a comma?",
                        prev.line,
                        prev.col,
                    );
                }
                self.error_here("invalid syntax")
            }
        }
    }

    /// Enters one level of expression nesting.
    fn nest(&mut self) -> PResult<()> {
        if self.depth >= MAX_NESTING {
            let msg = if matches!(self.peek(), T::LParen | T::LBracket | T::LBrace) {
                "too many nested parentheses"
            } else {
                "expression is too deeply nested"
            };
            return Err(self.error_here(msg));
        }
        self.depth += 1;
        self.check_tree_depth()
    }

    fn unnest(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Adds one link to the chain being built (one more level of tree above the operands
    /// still to come); the caller takes its links off with [`Parser::unchain`] when done.
    fn chain_link(&mut self) -> PResult<()> {
        self.chain += 1;
        self.check_tree_depth()
    }

    /// Takes off the `links` a finished chain added.
    fn unchain(&mut self, links: u32) {
        self.chain = self.chain.saturating_sub(links);
    }

    /// Refuses a tree deeper than [`MAX_AST_DEPTH`], with CPython's compile-time error.
    fn check_tree_depth(&mut self) -> PResult<()> {
        let depth = self.depth + self.blocks + self.chain;
        self.max_tree_depth = self.max_tree_depth.max(depth);
        if depth > MAX_AST_DEPTH {
            let (line, col) = self.start();
            return Err(SyntaxError {
                kind: SyntaxErrorKind::RecursionError,
                msg: "maximum recursion depth exceeded during compilation".into(),
                line,
                col,
            });
        }
        Ok(())
    }

    /// Runs `f`; on failure rewinds to where it started (tracing included) and returns `None`.
    fn speculate<R>(&mut self, f: impl FnOnce(&mut Self) -> PResult<R>) -> Option<R> {
        let saved = (
            self.pos,
            self.last_end,
            self.depth,
            self.blocks,
            self.brackets,
            self.chain,
        );
        let saved_trace = self.trace.clone();
        match f(self) {
            Ok(value) => Some(value),
            Err(_) => {
                (
                    self.pos,
                    self.last_end,
                    self.depth,
                    self.blocks,
                    self.brackets,
                    self.chain,
                ) = saved;
                self.trace = saved_trace;
                None
            }
        }
    }

    // ----- statements ----------------------------------------------------------------------

    fn file(&mut self) -> PResult<Vec<Stmt>> {
        self.enter("file");
        let mut body = Vec::new();
        while !self.at(&T::EndMarker) {
            body.extend(self.statement()?);
        }
        Ok(body)
    }

    fn statement(&mut self) -> PResult<Vec<Stmt>> {
        self.enter("statement");
        let is_match = matches!(self.peek(), T::Name(name) if name == "match");
        if is_match && self.is_match_statement() {
            return Err(self.error_here("match statements are not supported by gilsim"));
        }
        match self.peek() {
            T::Def | T::Class | T::If | T::While | T::For | T::Try | T::With | T::At | T::Async => {
                Ok(vec![self.compound_stmt()?])
            }
            _ => self.simple_stmts(),
        }
    }

    /// `match` is a soft keyword: `match subject:` at the end of a line starts a match statement;
    /// anything else (`match = 3`, `match(x)`) is an ordinary name.
    fn is_match_statement(&mut self) -> bool {
        let (trace, pos, last_end) = (self.trace.take(), self.pos, self.last_end);
        let found = self
            .speculate(|p| {
                p.advance();
                p.star_expressions()?;
                p.expect(&T::Colon)?;
                p.expect(&T::Newline)
            })
            .is_some();
        (self.trace, self.pos, self.last_end) = (trace, pos, last_end);
        found
    }

    fn simple_stmts(&mut self) -> PResult<Vec<Stmt>> {
        self.enter("simple_stmts");
        let mut stmts = vec![self.simple_stmt()?];
        while self.eat(&T::Semicolon) {
            if self.at(&T::Newline) {
                break;
            }
            stmts.push(self.simple_stmt()?);
        }
        self.expect(&T::Newline)?;
        Ok(stmts)
    }

    fn simple_stmt(&mut self) -> PResult<Stmt> {
        self.enter("simple_stmt");
        match self.peek() {
            T::Return => self.return_stmt(),
            T::Import => self.import_name(),
            T::From => self.import_from(),
            T::Raise => self.raise_stmt(),
            T::Pass => self.pass_stmt(),
            T::Del => self.del_stmt(),
            T::Assert => self.assert_stmt(),
            T::Break => self.break_stmt(),
            T::Continue => self.continue_stmt(),
            T::Global => self.global_stmt(),
            T::Nonlocal => self.nonlocal_stmt(),
            T::Name(name)
                if name == "type"
                    && matches!(self.peek_at(1), T::Name(_))
                    && matches!(self.peek_at(2), T::Equal | T::LBracket) =>
            {
                Err(self.error_here("type alias statements are not supported by gilsim"))
            }
            _ => self.expression_stmt(),
        }
    }

    fn expression_stmt(&mut self) -> PResult<Stmt> {
        self.enter("expression_stmt");
        let start = self.start();
        let first = self.star_expressions()?;
        match self.peek() {
            T::Colon => self.annotated_rhs(first, start),
            T::Equal => self.assign_rhs(first, start),
            kind if augassign_op(kind).is_some() => self.augassign_rhs(first, start),
            _ => {
                if let ExprKind::Name(name) = &first.kind
                    && (name == "print" || name == "exec")
                    && self.starts_expression()
                {
                    let msg = format!(
                        "Missing parentheses in call to '{name}'. Did you mean {name}(...)?"
                    );
                    return Err(self.error_at(msg, start.0, start.1));
                }
                self.check_no_bare_star(&first)?;
                Ok(self.stmt(StmtKind::Expr(first), start))
            }
        }
    }

    fn annotated_rhs(&mut self, target: Expr, start: (u32, u32)) -> PResult<Stmt> {
        self.enter("annotated_rhs");
        match &target.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {}
            ExprKind::Tuple(_) => {
                return Err(self.error_span(
                    "only single target (not tuple) can be annotated",
                    target.span,
                ));
            }
            ExprKind::List(_) => {
                return Err(self.error_span(
                    "only single target (not list) can be annotated",
                    target.span,
                ));
            }
            _ => return Err(self.error_span("illegal target for annotation", target.span)),
        }
        self.expect(&T::Colon)?;
        self.expression()?; // the annotation is checked for syntax and dropped
        let value = if self.eat(&T::Equal) {
            let value = self.star_expressions()?;
            self.check_no_bare_star(&value)?;
            Some(value)
        } else {
            None
        };
        Ok(self.stmt(StmtKind::AnnAssign { target, value }, start))
    }

    fn augassign_rhs(&mut self, target: Expr, start: (u32, u32)) -> PResult<Stmt> {
        self.enter("augassign_rhs");
        if !matches!(
            target.kind,
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. }
        ) {
            let msg = format!(
                "'{}' is an illegal expression for augmented assignment",
                describe(&target)
            );
            return Err(self.error_span(msg, target.span));
        }
        let op = self.augassign()?;
        let value = self.star_expressions()?;
        self.check_no_bare_star(&value)?;
        Ok(self.stmt(StmtKind::AugAssign { target, op, value }, start))
    }

    fn augassign(&mut self) -> PResult<BinOp> {
        self.enter("augassign");
        let op = augassign_op(self.peek()).ok_or_else(|| self.unexpected())?;
        self.advance();
        Ok(op)
    }

    fn assign_rhs(&mut self, first: Expr, start: (u32, u32)) -> PResult<Stmt> {
        self.enter("assign_rhs");
        let mut exprs = vec![first];
        while self.eat(&T::Equal) {
            exprs.push(self.star_expressions()?);
        }
        let value = exprs.pop().ok_or_else(|| self.unexpected())?;
        self.check_no_bare_star(&value)?;
        let suggest_eq = exprs.len() == 1;
        for target in &exprs {
            self.check_target(target, TargetUse::Assign, true, suggest_eq)?;
        }
        Ok(self.stmt(
            StmtKind::Assign {
                targets: exprs,
                value,
            },
            start,
        ))
    }

    fn return_stmt(&mut self) -> PResult<Stmt> {
        self.enter("return_stmt");
        let start = self.start();
        self.expect(&T::Return)?;
        let value = if self.starts_expression() {
            let value = self.star_expressions()?;
            self.check_no_bare_star(&value)?;
            Some(value)
        } else {
            None
        };
        Ok(self.stmt(StmtKind::Return(value), start))
    }

    fn raise_stmt(&mut self) -> PResult<Stmt> {
        self.enter("raise_stmt");
        let start = self.start();
        self.expect(&T::Raise)?;
        let (mut exc, mut cause) = (None, None);
        if self.starts_expression() {
            exc = Some(self.expression()?);
            if self.eat(&T::From) {
                cause = Some(self.expression()?);
            }
        }
        Ok(self.stmt(StmtKind::Raise { exc, cause }, start))
    }

    fn pass_stmt(&mut self) -> PResult<Stmt> {
        self.enter("pass_stmt");
        let start = self.start();
        self.expect(&T::Pass)?;
        Ok(self.stmt(StmtKind::Pass, start))
    }

    fn break_stmt(&mut self) -> PResult<Stmt> {
        self.enter("break_stmt");
        let start = self.start();
        self.expect(&T::Break)?;
        Ok(self.stmt(StmtKind::Break, start))
    }

    fn continue_stmt(&mut self) -> PResult<Stmt> {
        self.enter("continue_stmt");
        let start = self.start();
        self.expect(&T::Continue)?;
        Ok(self.stmt(StmtKind::Continue, start))
    }

    fn global_stmt(&mut self) -> PResult<Stmt> {
        self.enter("global_stmt");
        let start = self.start();
        self.expect(&T::Global)?;
        let names = self.name_list()?;
        Ok(self.stmt(StmtKind::Global(names), start))
    }

    fn nonlocal_stmt(&mut self) -> PResult<Stmt> {
        self.enter("nonlocal_stmt");
        let start = self.start();
        self.expect(&T::Nonlocal)?;
        let names = self.name_list()?;
        Ok(self.stmt(StmtKind::Nonlocal(names), start))
    }

    /// `NAME (',' NAME)*` of `global` and `nonlocal`.
    fn name_list(&mut self) -> PResult<Vec<String>> {
        let mut names = vec![self.expect_name()?];
        while self.eat(&T::Comma) {
            names.push(self.expect_name()?);
        }
        Ok(names)
    }

    fn del_stmt(&mut self) -> PResult<Stmt> {
        self.enter("del_stmt");
        let start = self.start();
        self.expect(&T::Del)?;
        let mut targets = Vec::new();
        loop {
            if self.at(&T::Star) {
                return Err(self.error_here("cannot delete starred"));
            }
            let target = self.bitwise_or()?;
            self.check_target(&target, TargetUse::Delete, true, false)?;
            targets.push(target);
            if !self.eat(&T::Comma) || !self.starts_expression() {
                break;
            }
        }
        Ok(self.stmt(StmtKind::Delete(targets), start))
    }

    fn assert_stmt(&mut self) -> PResult<Stmt> {
        self.enter("assert_stmt");
        let start = self.start();
        self.expect(&T::Assert)?;
        let test = self.expression()?;
        let msg = if self.eat(&T::Comma) {
            Some(self.expression()?)
        } else {
            None
        };
        Ok(self.stmt(StmtKind::Assert { test, msg }, start))
    }

    fn import_name(&mut self) -> PResult<Stmt> {
        self.enter("import_name");
        let start = self.start();
        self.expect(&T::Import)?;
        let mut names = vec![self.dotted_as_name()?];
        while self.eat(&T::Comma) {
            names.push(self.dotted_as_name()?);
        }
        Ok(self.stmt(StmtKind::Import(names), start))
    }

    fn dotted_as_name(&mut self) -> PResult<Alias> {
        self.enter("dotted_as_name");
        let start = self.start();
        let name = self.dotted_name()?;
        let asname = if self.eat(&T::As) {
            Some(self.expect_name()?)
        } else {
            None
        };
        Ok(Alias {
            name,
            asname,
            span: self.span_from(start),
        })
    }

    fn dotted_name(&mut self) -> PResult<String> {
        self.enter("dotted_name");
        let mut name = self.expect_name()?;
        while self.eat(&T::Dot) {
            name.push('.');
            name.push_str(&self.expect_name()?);
        }
        Ok(name)
    }

    fn import_from(&mut self) -> PResult<Stmt> {
        self.enter("import_from");
        let start = self.start();
        self.expect(&T::From)?;
        if matches!(self.peek(), T::Dot | T::Ellipsis) {
            return Err(self.error_here("relative imports are not supported by gilsim"));
        }
        let module = self.dotted_name()?;
        self.expect(&T::Import)?;
        if self.at(&T::Star) {
            return Err(
                self.error_here("star imports (from ... import *) are not supported by gilsim")
            );
        }
        let names = if self.eat(&T::LParen) {
            self.brackets += 1;
            let names = self.import_as_names()?;
            self.eat(&T::Comma);
            self.expect(&T::RParen)?;
            self.brackets -= 1;
            names
        } else {
            let names = self.import_as_names()?;
            if self.at(&T::Comma) {
                return Err(
                    self.error_here("trailing comma not allowed without surrounding parentheses")
                );
            }
            names
        };
        Ok(self.stmt(StmtKind::ImportFrom { module, names }, start))
    }

    fn import_as_names(&mut self) -> PResult<Vec<Alias>> {
        self.enter("import_as_names");
        let mut names = vec![self.import_as_name()?];
        while self.at(&T::Comma) && matches!(self.peek_at(1), T::Name(_)) {
            self.advance();
            names.push(self.import_as_name()?);
        }
        Ok(names)
    }

    fn import_as_name(&mut self) -> PResult<Alias> {
        self.enter("import_as_name");
        let start = self.start();
        let name = self.expect_name()?;
        let asname = if self.eat(&T::As) {
            Some(self.expect_name()?)
        } else {
            None
        };
        Ok(Alias {
            name,
            asname,
            span: self.span_from(start),
        })
    }

    fn compound_stmt(&mut self) -> PResult<Stmt> {
        self.enter("compound_stmt");
        match self.peek() {
            T::Def => self.function_def(Vec::new()),
            T::Class => self.class_def(Vec::new()),
            T::At => self.decorated(),
            T::If => self.if_stmt(),
            T::While => self.while_stmt(),
            T::For => self.for_stmt(),
            T::Try => self.try_stmt(),
            T::With => self.with_stmt(),
            _ => Err(self.unexpected()),
        }
    }

    fn decorated(&mut self) -> PResult<Stmt> {
        self.enter("decorated");
        let decorators = self.decorators()?;
        match self.peek() {
            T::Def => self.function_def(decorators),
            T::Class => self.class_def(decorators),
            _ => Err(self.unexpected()),
        }
    }

    fn decorators(&mut self) -> PResult<Vec<Expr>> {
        self.enter("decorators");
        let mut decorators = Vec::new();
        while self.eat(&T::At) {
            decorators.push(self.named_expression()?);
            self.expect(&T::Newline)?;
        }
        Ok(decorators)
    }

    fn function_def(&mut self, decorators: Vec<Expr>) -> PResult<Stmt> {
        self.enter("function_def");
        let start = self.start();
        self.expect(&T::Def)?;
        let name = self.expect_name()?;
        self.expect(&T::LParen)?;
        self.brackets += 1;
        let params = if self.at(&T::RParen) {
            Params::default()
        } else {
            self.parameters()?
        };
        self.expect(&T::RParen)?;
        self.brackets -= 1;
        if self.eat(&T::Arrow) {
            self.expression()?; // the return annotation is checked for syntax and dropped
        }
        self.expect_colon()?;
        let body = self.block("function definition", start.0)?;
        let span = self.span_from(start);
        let def = FunctionDef {
            name,
            params,
            body,
            decorators,
            span,
        };
        Ok(Stmt {
            kind: StmtKind::FunctionDef(Box::new(def)),
            span,
        })
    }

    fn parameters(&mut self) -> PResult<Params> {
        self.enter("parameters");
        self.param_list(false)
    }

    fn lambda_params(&mut self) -> PResult<Params> {
        self.enter("lambda_params");
        self.param_list(true)
    }

    /// The shared body of `parameters` and `lambda_params`: the items, then CPython's checks
    /// on their order.
    fn param_list(&mut self, lambda: bool) -> PResult<Params> {
        let mut params = Params::default();
        let (mut seen_slash, mut seen_star, mut seen_default) = (false, false, false);
        let mut bare_star: Option<Span> = None;
        let mut names = HashSet::new();
        loop {
            let item_start = self.start();
            let item = if lambda {
                self.lambda_param_entry()?
            } else {
                self.param_entry()?
            };
            let item_span = self.span_from(item_start);
            if params.kwarg.is_some() {
                return Err(
                    self.error_span("arguments cannot follow var-keyword argument", item_span)
                );
            }
            let new_name = match &item {
                ParamItem::Slash => {
                    if seen_slash {
                        return Err(self.error_span("/ may appear only once", item_span));
                    }
                    if seen_star {
                        return Err(self.error_span("/ must be ahead of *", item_span));
                    }
                    if params.args.is_empty() {
                        return Err(
                            self.error_span("at least one argument must precede /", item_span)
                        );
                    }
                    seen_slash = true;
                    None
                }
                ParamItem::Star(name) => {
                    if seen_star {
                        return Err(self.error_span("* argument may appear only once", item_span));
                    }
                    seen_star = true;
                    if name.is_none() {
                        bare_star = Some(item_span);
                    }
                    name.clone()
                }
                ParamItem::DoubleStar(name) => Some(name.clone()),
                ParamItem::Named(name, default) => {
                    if !seen_star {
                        if default.is_some() {
                            seen_default = true;
                        } else if seen_default {
                            return Err(self.error_span(
                                "non-default argument follows default argument",
                                item_span,
                            ));
                        }
                    }
                    Some(name.clone())
                }
            };
            if let Some(name) = new_name
                && !names.insert(name.clone())
            {
                return Err(self.error_span(
                    format!("duplicate argument '{name}' in function definition"),
                    item_span,
                ));
            }
            match item {
                ParamItem::Slash => {}
                ParamItem::Star(name) => params.vararg = name,
                ParamItem::DoubleStar(name) => params.kwarg = Some(name),
                ParamItem::Named(name, default) if seen_star => {
                    params.kwonly.push(Param { name, default })
                }
                ParamItem::Named(name, default) => params.args.push(Param { name, default }),
            }
            if !self.eat(&T::Comma) || self.at(&T::RParen) || self.at(&T::Colon) {
                break;
            }
        }
        if let Some(span) = bare_star
            && params.kwonly.is_empty()
        {
            return Err(self.error_span("named arguments must follow bare *", span));
        }
        Ok(params)
    }

    fn param_entry(&mut self) -> PResult<ParamItem> {
        self.enter("param_entry");
        if self.eat(&T::Slash) {
            return Ok(ParamItem::Slash);
        }
        if self.eat(&T::Star) {
            if !matches!(self.peek(), T::Name(_)) {
                return Ok(ParamItem::Star(None));
            }
            let name = self.param()?;
            if self.at(&T::Equal) {
                return Err(self.error_here("var-positional argument cannot have default value"));
            }
            return Ok(ParamItem::Star(Some(name)));
        }
        if self.eat(&T::DoubleStar) {
            let name = self.param()?;
            if self.at(&T::Equal) {
                return Err(self.error_here("var-keyword argument cannot have default value"));
            }
            return Ok(ParamItem::DoubleStar(name));
        }
        let name = self.param()?;
        let default = if self.eat(&T::Equal) {
            Some(self.expression()?)
        } else {
            None
        };
        Ok(ParamItem::Named(name, default))
    }

    fn param(&mut self) -> PResult<String> {
        self.enter("param");
        let name = self.expect_name()?;
        if self.eat(&T::Colon) {
            self.expression()?; // the annotation is checked for syntax and dropped
        }
        Ok(name)
    }

    fn lambda_param_entry(&mut self) -> PResult<ParamItem> {
        self.enter("lambda_param_entry");
        if self.eat(&T::Slash) {
            return Ok(ParamItem::Slash);
        }
        if self.eat(&T::Star) {
            if !matches!(self.peek(), T::Name(_)) {
                return Ok(ParamItem::Star(None));
            }
            let name = self.expect_name()?;
            if self.at(&T::Equal) {
                return Err(self.error_here("var-positional argument cannot have default value"));
            }
            return Ok(ParamItem::Star(Some(name)));
        }
        if self.eat(&T::DoubleStar) {
            let name = self.expect_name()?;
            if self.at(&T::Equal) {
                return Err(self.error_here("var-keyword argument cannot have default value"));
            }
            return Ok(ParamItem::DoubleStar(name));
        }
        let name = self.expect_name()?;
        let default = if self.eat(&T::Equal) {
            Some(self.expression()?)
        } else {
            None
        };
        Ok(ParamItem::Named(name, default))
    }

    fn class_def(&mut self, decorators: Vec<Expr>) -> PResult<Stmt> {
        self.enter("class_def");
        let start = self.start();
        self.expect(&T::Class)?;
        let name = self.expect_name()?;
        let (mut bases, mut keywords) = (Vec::new(), Vec::new());
        if self.eat(&T::LParen) {
            self.brackets += 1;
            if !self.at(&T::RParen) {
                (bases, keywords) = self.arguments(None)?;
            }
            self.expect(&T::RParen)?;
            self.brackets -= 1;
        }
        self.expect_colon()?;
        let body = self.block("class definition", start.0)?;
        let span = self.span_from(start);
        let class = ClassDef {
            name,
            bases,
            keywords,
            body,
            decorators,
            span,
        };
        Ok(Stmt {
            kind: StmtKind::ClassDef(Box::new(class)),
            span,
        })
    }

    /// The body of a compound statement; `what` and `line` name its header for the error
    /// when the indented block is missing.
    fn block(&mut self, what: &str, line: u32) -> PResult<Vec<Stmt>> {
        self.enter("block");
        if !self.eat(&T::Newline) {
            return self.simple_stmts();
        }
        if !self.eat(&T::Indent) {
            let (l, c) = self.start();
            return Err(self.indentation_error(
                format!("expected an indented block after {what} on line {line}"),
                l,
                c,
            ));
        }
        if self.blocks >= MAX_BLOCKS {
            return Err(self.error_here("too many statically nested blocks"));
        }
        self.blocks += 1;
        self.check_tree_depth()?;
        let mut body = Vec::new();
        while !self.eat(&T::Dedent) && !self.at(&T::EndMarker) {
            body.extend(self.statement()?);
        }
        self.blocks -= 1;
        Ok(body)
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        self.enter("if_stmt");
        let start = self.start();
        self.expect(&T::If)?;
        let test = self.named_expression()?;
        self.expect_colon()?;
        let body = self.block("'if' statement", start.0)?;
        let mut elifs = Vec::new();
        while self.at(&T::Elif) {
            // Each `elif` nests in the one before it.
            self.chain_link()?;
            elifs.push(self.elif_clause()?);
        }
        let orelse = if self.at(&T::Else) {
            self.else_block()
        } else {
            Ok(Vec::new())
        };
        self.unchain(elifs.len() as u32);
        let mut orelse = orelse?;
        // `elif` chains become nested `If`s in the `orelse` of their predecessor.
        let end = self.last_end;
        while let Some((elif_start, test, body)) = elifs.pop() {
            let span = Span {
                line: elif_start.0,
                col: elif_start.1,
                end_line: end.0,
                end_col: end.1,
            };
            orelse = vec![Stmt {
                kind: StmtKind::If { test, body, orelse },
                span,
            }];
        }
        Ok(self.stmt(StmtKind::If { test, body, orelse }, start))
    }

    fn elif_clause(&mut self) -> PResult<((u32, u32), Expr, Vec<Stmt>)> {
        self.enter("elif_clause");
        let start = self.start();
        self.expect(&T::Elif)?;
        let test = self.named_expression()?;
        self.expect_colon()?;
        let body = self.block("'elif' statement", start.0)?;
        Ok((start, test, body))
    }

    fn else_block(&mut self) -> PResult<Vec<Stmt>> {
        self.enter("else_block");
        let line = self.start().0;
        self.expect(&T::Else)?;
        self.expect_colon()?;
        self.block("'else' statement", line)
    }

    fn while_stmt(&mut self) -> PResult<Stmt> {
        self.enter("while_stmt");
        let start = self.start();
        self.expect(&T::While)?;
        let test = self.named_expression()?;
        self.expect_colon()?;
        let body = self.block("'while' statement", start.0)?;
        let orelse = if self.at(&T::Else) {
            self.else_block()?
        } else {
            Vec::new()
        };
        Ok(self.stmt(StmtKind::While { test, body, orelse }, start))
    }

    fn for_stmt(&mut self) -> PResult<Stmt> {
        self.enter("for_stmt");
        let start = self.start();
        self.expect(&T::For)?;
        let target = self.star_targets()?;
        self.expect(&T::In)?;
        let iter = self.star_expressions()?;
        self.check_no_bare_star(&iter)?;
        self.expect_colon()?;
        let body = self.block("'for' statement", start.0)?;
        let orelse = if self.at(&T::Else) {
            self.else_block()?
        } else {
            Vec::new()
        };
        Ok(self.stmt(
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            },
            start,
        ))
    }

    fn try_stmt(&mut self) -> PResult<Stmt> {
        self.enter("try_stmt");
        let start = self.start();
        self.expect(&T::Try)?;
        self.expect_colon()?;
        let body = self.block("'try' statement", start.0)?;
        let mut handlers: Vec<ExceptHandler> = Vec::new();
        while self.at(&T::Except) {
            if let Some(bare) = handlers.iter().find(|h| h.typ.is_none()) {
                return Err(self.error_span("default 'except:' must be last", bare.span));
            }
            handlers.push(self.except_block()?);
        }
        let orelse = if !handlers.is_empty() && self.at(&T::Else) {
            self.else_block()?
        } else {
            Vec::new()
        };
        let finalbody = if self.at(&T::Finally) {
            self.finally_block()?
        } else {
            Vec::new()
        };
        if handlers.is_empty() && finalbody.is_empty() {
            return Err(self.error_here("expected 'except' or 'finally' block"));
        }
        Ok(self.stmt(
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            },
            start,
        ))
    }

    fn except_block(&mut self) -> PResult<ExceptHandler> {
        self.enter("except_block");
        let start = self.start();
        self.expect(&T::Except)?;
        if self.at(&T::Star) {
            return Err(self.error_here("except* (exception groups) is not supported by gilsim"));
        }
        let (mut typ, mut name) = (None, None);
        if !self.at(&T::Colon) {
            let t = self.expression()?;
            if self.at(&T::Comma) {
                return Err(
                    self.error_span("multiple exception types must be parenthesized", t.span)
                );
            }
            typ = Some(t);
            if self.eat(&T::As) {
                name = Some(self.expect_name()?);
            }
        }
        self.expect_colon()?;
        let body = self.block("'except' statement", start.0)?;
        Ok(ExceptHandler {
            typ,
            name,
            body,
            span: self.span_from(start),
        })
    }

    fn finally_block(&mut self) -> PResult<Vec<Stmt>> {
        self.enter("finally_block");
        let line = self.start().0;
        self.expect(&T::Finally)?;
        self.expect_colon()?;
        self.block("'finally' statement", line)
    }

    fn with_stmt(&mut self) -> PResult<Stmt> {
        self.enter("with_stmt");
        let start = self.start();
        self.expect(&T::With)?;
        // `with (a as b, c):` groups items in parentheses; if that reading fails (as for
        // `with (a, b) as c:`), the parenthesis belongs to the first item's expression.
        let parenthesized = if self.at(&T::LParen) {
            self.speculate(|p| {
                p.advance();
                p.brackets += 1;
                let mut items = vec![p.with_item()?];
                while p.eat(&T::Comma) && !p.at(&T::RParen) {
                    items.push(p.with_item()?);
                }
                p.expect(&T::RParen)?;
                p.brackets -= 1;
                if !p.at(&T::Colon) {
                    return Err(p.unexpected());
                }
                Ok(items)
            })
        } else {
            None
        };
        let items = match parenthesized {
            Some(items) => items,
            None => {
                let mut items = vec![self.with_item()?];
                while self.eat(&T::Comma) {
                    items.push(self.with_item()?);
                }
                items
            }
        };
        self.expect_colon()?;
        let body = self.block("'with' statement", start.0)?;
        Ok(self.stmt(StmtKind::With { items, body }, start))
    }

    fn with_item(&mut self) -> PResult<WithItem> {
        self.enter("with_item");
        let context = self.expression()?;
        let target = if self.eat(&T::As) {
            let target = self.star_target()?;
            self.check_target(&target, TargetUse::Assign, true, false)?;
            Some(target)
        } else {
            None
        };
        Ok(WithItem { context, target })
    }

    // ----- assignment targets --------------------------------------------------------------

    fn star_targets(&mut self) -> PResult<Expr> {
        self.enter("star_targets");
        let start = self.start();
        let first = self.star_target()?;
        let target = if self.at(&T::Comma) {
            let mut elts = vec![first];
            while self.eat(&T::Comma) && self.starts_expression() {
                elts.push(self.star_target()?);
            }
            self.expr(ExprKind::Tuple(elts), start)
        } else {
            first
        };
        self.check_target(&target, TargetUse::Assign, true, false)?;
        Ok(target)
    }

    fn star_target(&mut self) -> PResult<Expr> {
        self.enter("star_target");
        let start = self.start();
        if self.eat(&T::Star) {
            let inner = self.bitwise_or()?;
            return Ok(self.expr(ExprKind::Starred(Box::new(inner)), start));
        }
        self.bitwise_or()
    }

    /// Checks that `e` can be assigned to (or deleted), with CPython's messages.
    fn check_target(&self, e: &Expr, usage: TargetUse, top: bool, suggest_eq: bool) -> PResult<()> {
        let verb = if usage == TargetUse::Assign {
            "assign to"
        } else {
            "delete"
        };
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                let starred = elts
                    .iter()
                    .filter(|x| matches!(x.kind, ExprKind::Starred(_)))
                    .count();
                if usage == TargetUse::Assign && starred > 1 {
                    return Err(
                        self.error_span("multiple starred expressions in assignment", e.span)
                    );
                }
                elts.iter()
                    .try_for_each(|x| self.check_target(x, usage, false, false))
            }
            ExprKind::Starred(inner) => {
                if usage == TargetUse::Delete {
                    Err(self.error_span("cannot delete starred", e.span))
                } else if top {
                    Err(self.error_span(
                        "starred assignment target must be in a list or tuple",
                        e.span,
                    ))
                } else {
                    self.check_target(inner, usage, false, false)
                }
            }
            _ => {
                let what = describe(e);
                let binds_tightly = !matches!(
                    e.kind,
                    ExprKind::Compare { .. }
                        | ExprKind::BoolOp { .. }
                        | ExprKind::UnaryOp {
                            op: UnaryOp::Not,
                            ..
                        }
                        | ExprKind::IfExp { .. }
                        | ExprKind::Lambda { .. }
                        | ExprKind::NamedExpr { .. }
                        | ExprKind::GeneratorExp { .. }
                        | ExprKind::Constant(Constant::None | Constant::Bool(_))
                );
                let msg = if suggest_eq && top && binds_tightly {
                    format!("cannot {verb} {what} here. Maybe you meant '==' instead of '='?")
                } else {
                    format!("cannot {verb} {what}")
                };
                Err(self.error_span(msg, e.span))
            }
        }
    }

    /// A lone `*x` is only allowed inside a tuple, list, set or call.
    fn check_no_bare_star(&self, e: &Expr) -> PResult<()> {
        if matches!(e.kind, ExprKind::Starred(_)) {
            return Err(self.error_span("can't use starred expression here", e.span));
        }
        Ok(())
    }

    // ----- expressions ---------------------------------------------------------------------

    fn star_expressions(&mut self) -> PResult<Expr> {
        self.enter("star_expressions");
        let start = self.start();
        let first = self.star_expression()?;
        if !self.at(&T::Comma) {
            return Ok(first);
        }
        let mut elts = vec![first];
        while self.eat(&T::Comma) && self.starts_expression() {
            elts.push(self.star_expression()?);
        }
        Ok(self.expr(ExprKind::Tuple(elts), start))
    }

    fn star_expression(&mut self) -> PResult<Expr> {
        self.enter("star_expression");
        let start = self.start();
        if self.eat(&T::Star) {
            let inner = self.bitwise_or()?;
            return Ok(self.expr(ExprKind::Starred(Box::new(inner)), start));
        }
        self.expression()
    }

    /// The elements of a display after the first, which the caller has parsed to see what
    /// kind of display it is.
    fn star_named_expressions(&mut self, first: Expr) -> PResult<Vec<Expr>> {
        self.enter("star_named_expressions");
        let mut elts = vec![first];
        while self.eat(&T::Comma) && !self.at_closing_bracket() {
            elts.push(self.star_named_expression()?);
        }
        Ok(elts)
    }

    fn star_named_expression(&mut self) -> PResult<Expr> {
        self.enter("star_named_expression");
        let start = self.start();
        if self.eat(&T::Star) {
            let inner = self.bitwise_or()?;
            return Ok(self.expr(ExprKind::Starred(Box::new(inner)), start));
        }
        self.named_expression()
    }

    fn named_expression(&mut self) -> PResult<Expr> {
        self.enter("named_expression");
        let start = self.start();
        if let (T::Name(name), T::ColonEqual) = (self.peek(), self.peek_at(1)) {
            let target = name.clone();
            self.advance();
            self.advance();
            let value = self.expression()?;
            return Ok(self.expr(
                ExprKind::NamedExpr {
                    target,
                    value: Box::new(value),
                },
                start,
            ));
        }
        let e = self.expression()?;
        if self.at(&T::ColonEqual) {
            let msg = format!("cannot use assignment expressions with {}", describe(&e));
            return Err(self.error_span(msg, e.span));
        }
        Ok(e)
    }

    fn expression(&mut self) -> PResult<Expr> {
        self.enter("expression");
        if self.at(&T::Lambda) {
            return self.lambdef();
        }
        let start = self.start();
        let body = self.disjunction()?;
        if !self.eat(&T::If) {
            return Ok(body);
        }
        let test = self.disjunction()?;
        if !self.eat(&T::Else) {
            return Err(self.error_at("expected 'else' after 'if' expression", start.0, start.1));
        }
        self.nest()?;
        let orelse = self.expression()?;
        self.unnest();
        let kind = ExprKind::IfExp {
            test: Box::new(test),
            body: Box::new(body),
            orelse: Box::new(orelse),
        };
        Ok(self.expr(kind, start))
    }

    fn lambdef(&mut self) -> PResult<Expr> {
        self.enter("lambdef");
        let start = self.start();
        self.expect(&T::Lambda)?;
        let params = if self.at(&T::Colon) {
            Params::default()
        } else {
            self.lambda_params()?
        };
        self.expect(&T::Colon)?;
        self.nest()?;
        let body = self.expression()?;
        self.unnest();
        Ok(self.expr(
            ExprKind::Lambda {
                params: Box::new(params),
                body: Box::new(body),
            },
            start,
        ))
    }

    fn disjunction(&mut self) -> PResult<Expr> {
        self.enter("disjunction");
        let start = self.start();
        let first = self.conjunction()?;
        if !self.at(&T::Or) {
            return Ok(first);
        }
        let mut values = vec![first];
        while self.eat(&T::Or) {
            values.push(self.conjunction()?);
        }
        Ok(self.expr(
            ExprKind::BoolOp {
                op: BoolOp::Or,
                values,
            },
            start,
        ))
    }

    fn conjunction(&mut self) -> PResult<Expr> {
        self.enter("conjunction");
        let start = self.start();
        let first = self.inversion()?;
        if !self.at(&T::And) {
            return Ok(first);
        }
        let mut values = vec![first];
        while self.eat(&T::And) {
            values.push(self.inversion()?);
        }
        Ok(self.expr(
            ExprKind::BoolOp {
                op: BoolOp::And,
                values,
            },
            start,
        ))
    }

    fn inversion(&mut self) -> PResult<Expr> {
        self.enter("inversion");
        let start = self.start();
        if !self.eat(&T::Not) {
            return self.comparison();
        }
        self.nest()?;
        let operand = self.inversion()?;
        self.unnest();
        Ok(self.expr(
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand: Box::new(operand),
            },
            start,
        ))
    }

    fn comparison(&mut self) -> PResult<Expr> {
        self.enter("comparison");
        let start = self.start();
        let left = self.bitwise_or()?;
        let (mut ops, mut comparators) = (Vec::new(), Vec::new());
        while self.at_comp_op() {
            ops.push(self.comp_op()?);
            comparators.push(self.bitwise_or()?);
        }
        if ops.is_empty() {
            return Ok(left);
        }
        Ok(self.expr(
            ExprKind::Compare {
                left: Box::new(left),
                ops,
                comparators,
            },
            start,
        ))
    }

    fn at_comp_op(&self) -> bool {
        match self.peek() {
            T::EqEqual
            | T::NotEqual
            | T::Less
            | T::LessEqual
            | T::Greater
            | T::GreaterEqual
            | T::In
            | T::Is => true,
            T::Not => self.peek_at(1) == &T::In,
            _ => false,
        }
    }

    fn comp_op(&mut self) -> PResult<CmpOp> {
        self.enter("comp_op");
        let op = match self.peek() {
            T::EqEqual => CmpOp::Eq,
            T::NotEqual => CmpOp::NotEq,
            T::Less => CmpOp::Lt,
            T::LessEqual => CmpOp::LtE,
            T::Greater => CmpOp::Gt,
            T::GreaterEqual => CmpOp::GtE,
            T::In => CmpOp::In,
            T::Is => {
                self.advance();
                return Ok(if self.eat(&T::Not) {
                    CmpOp::IsNot
                } else {
                    CmpOp::Is
                });
            }
            T::Not => {
                self.advance();
                self.expect(&T::In)?;
                return Ok(CmpOp::NotIn);
            }
            _ => return Err(self.unexpected()),
        };
        self.advance();
        Ok(op)
    }

    /// A left-associative chain `operand (op operand)*` of one binary precedence level.
    #[inline(always)]
    fn binary_chain(
        &mut self,
        operand: fn(&mut Self) -> PResult<Expr>,
        op_of: fn(&T) -> Option<BinOp>,
    ) -> PResult<Expr> {
        let start = self.start();
        let mut left = operand(self)?;
        let mut links = 0;
        while let Some(op) = op_of(self.peek()) {
            self.advance();
            links += 1;
            let right = self.chain_link().and_then(|()| operand(self));
            let right = match right {
                Ok(right) => right,
                Err(e) => {
                    self.unchain(links);
                    return Err(e);
                }
            };
            left = self.expr(
                ExprKind::BinOp {
                    left: Box::new(left),
                    op,
                    right: Box::new(right),
                },
                start,
            );
        }
        self.unchain(links);
        Ok(left)
    }

    fn bitwise_or(&mut self) -> PResult<Expr> {
        self.enter("bitwise_or");
        self.binary_chain(Self::bitwise_xor, |t| {
            (t == &T::Pipe).then_some(BinOp::BitOr)
        })
    }

    fn bitwise_xor(&mut self) -> PResult<Expr> {
        self.enter("bitwise_xor");
        self.binary_chain(Self::bitwise_and, |t| {
            (t == &T::Caret).then_some(BinOp::BitXor)
        })
    }

    fn bitwise_and(&mut self) -> PResult<Expr> {
        self.enter("bitwise_and");
        self.binary_chain(Self::shift_expr, |t| {
            (t == &T::Amp).then_some(BinOp::BitAnd)
        })
    }

    fn shift_expr(&mut self) -> PResult<Expr> {
        self.enter("shift_expr");
        self.binary_chain(Self::sum, |t| match t {
            T::LShift => Some(BinOp::LShift),
            T::RShift => Some(BinOp::RShift),
            _ => None,
        })
    }

    fn sum(&mut self) -> PResult<Expr> {
        self.enter("sum");
        self.binary_chain(Self::term, |t| match t {
            T::Plus => Some(BinOp::Add),
            T::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn term(&mut self) -> PResult<Expr> {
        self.enter("term");
        self.binary_chain(Self::factor, |t| match t {
            T::Star => Some(BinOp::Mul),
            T::Slash => Some(BinOp::Div),
            T::DoubleSlash => Some(BinOp::FloorDiv),
            T::Percent => Some(BinOp::Mod),
            T::At => Some(BinOp::MatMul),
            _ => None,
        })
    }

    fn factor(&mut self) -> PResult<Expr> {
        self.enter("factor");
        let op = match self.peek() {
            T::Plus => UnaryOp::Pos,
            T::Minus => UnaryOp::Neg,
            T::Tilde => UnaryOp::Invert,
            _ => return self.power(),
        };
        let start = self.start();
        self.advance();
        self.nest()?;
        let operand = self.factor()?;
        self.unnest();
        Ok(self.expr(
            ExprKind::UnaryOp {
                op,
                operand: Box::new(operand),
            },
            start,
        ))
    }

    fn power(&mut self) -> PResult<Expr> {
        self.enter("power");
        let start = self.start();
        let base = self.primary()?;
        if !self.eat(&T::DoubleStar) {
            return Ok(base);
        }
        self.nest()?;
        let exponent = self.factor()?;
        self.unnest();
        Ok(self.expr(
            ExprKind::BinOp {
                left: Box::new(base),
                op: BinOp::Pow,
                right: Box::new(exponent),
            },
            start,
        ))
    }

    fn primary(&mut self) -> PResult<Expr> {
        self.enter("primary");
        let start = self.start();
        let e = self.atom()?;
        let mut links = 0;
        let result = self.trailers(e, start, &mut links);
        self.unchain(links);
        result
    }

    /// The trailers (`.name`, `(args)`, `[index]`) after an atom, each a link of the chain
    /// counted in `links`.
    fn trailers(&mut self, mut e: Expr, start: (u32, u32), links: &mut u32) -> PResult<Expr> {
        loop {
            if matches!(self.peek(), T::Dot | T::LParen | T::LBracket) {
                *links += 1;
                self.chain_link()?;
            }
            match self.peek() {
                T::Dot => {
                    self.advance();
                    let attr = self.expect_name()?;
                    e = self.expr(
                        ExprKind::Attribute {
                            value: Box::new(e),
                            attr,
                        },
                        start,
                    );
                }
                T::LParen => {
                    self.nest()?;
                    let open = self.start();
                    self.advance();
                    self.brackets += 1;
                    let (args, keywords) = if self.at(&T::RParen) {
                        (Vec::new(), Vec::new())
                    } else {
                        self.arguments(Some(open))?
                    };
                    self.expect(&T::RParen)?;
                    self.brackets -= 1;
                    self.unnest();
                    e = self.expr(
                        ExprKind::Call {
                            func: Box::new(e),
                            args,
                            keywords,
                        },
                        start,
                    );
                }
                T::LBracket => {
                    self.nest()?;
                    self.advance();
                    self.brackets += 1;
                    let index = self.slices()?;
                    self.expect(&T::RBracket)?;
                    self.brackets -= 1;
                    self.unnest();
                    e = self.expr(
                        ExprKind::Subscript {
                            value: Box::new(e),
                            index: Box::new(index),
                        },
                        start,
                    );
                }
                _ => return Ok(e),
            }
        }
    }

    /// Call arguments: `(positional, keywords)`, with `*x` as a `Starred` positional and
    /// `**m` as a keyword without a name. A bare generator expression is only allowed as the
    /// sole argument of a call, whose `(` is at `call_open`; not in a class header.
    fn arguments(&mut self, call_open: Option<(u32, u32)>) -> PResult<(Vec<Expr>, Vec<Keyword>)> {
        self.enter("arguments");
        let (mut args, mut keywords): (Vec<Expr>, Vec<Keyword>) = (Vec::new(), Vec::new());
        let (mut seen_keyword, mut seen_double_star) = (false, false);
        loop {
            let first = args.is_empty() && keywords.is_empty();
            match self.argument()? {
                Arg::Positional(e) => {
                    if seen_double_star {
                        return Err(self.error_span(
                            "positional argument follows keyword argument unpacking",
                            e.span,
                        ));
                    }
                    if seen_keyword {
                        return Err(
                            self.error_span("positional argument follows keyword argument", e.span)
                        );
                    }
                    args.push(e);
                }
                Arg::Star(e) => {
                    if seen_double_star {
                        let msg = "iterable argument unpacking follows keyword argument unpacking";
                        return Err(self.error_span(msg, e.span));
                    }
                    args.push(e);
                }
                Arg::Keyword(name, value) => {
                    if keywords
                        .iter()
                        .any(|k| k.arg.as_deref() == Some(name.as_str()))
                    {
                        return Err(self
                            .error_span(format!("keyword argument repeated: {name}"), value.span));
                    }
                    seen_keyword = true;
                    keywords.push(Keyword {
                        arg: Some(name),
                        value,
                    });
                }
                Arg::DoubleStar(value) => {
                    seen_double_star = true;
                    keywords.push(Keyword { arg: None, value });
                }
                Arg::Generator(mut e) => {
                    let Some(open) = call_open else {
                        return Err(self.error_span("invalid syntax", e.span));
                    };
                    if !first || !self.at(&T::RParen) {
                        return Err(
                            self.error_span("Generator expression must be parenthesized", e.span)
                        );
                    }
                    // Like CPython, the call's parentheses are the generator's own.
                    let close = self.tok();
                    e.span = Span {
                        line: open.0,
                        col: open.1,
                        end_line: close.end_line,
                        end_col: close.end_col,
                    };
                    args.push(e);
                }
            }
            if !self.eat(&T::Comma) || self.at(&T::RParen) {
                return Ok((args, keywords));
            }
        }
    }

    fn argument(&mut self) -> PResult<Arg> {
        self.enter("argument");
        let start = self.start();
        if self.eat(&T::Star) {
            let inner = self.expression()?;
            return Ok(Arg::Star(
                self.expr(ExprKind::Starred(Box::new(inner)), start),
            ));
        }
        if self.eat(&T::DoubleStar) {
            return Ok(Arg::DoubleStar(self.expression()?));
        }
        if let (T::Name(name), T::Equal) = (self.peek(), self.peek_at(1)) {
            let name = name.clone();
            self.advance();
            self.advance();
            return Ok(Arg::Keyword(name, self.expression()?));
        }
        let e = self.named_expression()?;
        if self.at(&T::For) {
            let generators = self.for_if_clauses()?;
            let kind = ExprKind::GeneratorExp {
                elt: Box::new(e),
                generators,
            };
            return Ok(Arg::Generator(self.expr(kind, start)));
        }
        if self.at(&T::Equal) {
            let msg = match &e.kind {
                ExprKind::Constant(Constant::None) => "cannot assign to None",
                ExprKind::Constant(Constant::Bool(true)) => "cannot assign to True",
                ExprKind::Constant(Constant::Bool(false)) => "cannot assign to False",
                _ => "expression cannot contain assignment, perhaps you meant \"==\"?",
            };
            return Err(self.error_span(msg, e.span));
        }
        Ok(Arg::Positional(e))
    }

    fn slices(&mut self) -> PResult<Expr> {
        self.enter("slices");
        let start = self.start();
        let first = self.slice()?;
        if !self.at(&T::Comma) {
            if matches!(first.kind, ExprKind::Starred(_)) {
                return Ok(self.expr(ExprKind::Tuple(vec![first]), start));
            }
            return Ok(first);
        }
        let mut elts = vec![first];
        while self.eat(&T::Comma) && !self.at(&T::RBracket) {
            elts.push(self.slice()?);
        }
        Ok(self.expr(ExprKind::Tuple(elts), start))
    }

    fn slice(&mut self) -> PResult<Expr> {
        self.enter("slice");
        let start = self.start();
        if self.eat(&T::Star) {
            let inner = self.bitwise_or()?;
            return Ok(self.expr(ExprKind::Starred(Box::new(inner)), start));
        }
        let lower = if self.at(&T::Colon) {
            None
        } else {
            let e = self.named_expression()?;
            if !self.at(&T::Colon) {
                return Ok(e);
            }
            Some(Box::new(e))
        };
        self.expect(&T::Colon)?;
        let ends_part = |p: &Self| matches!(p.peek(), T::Colon | T::Comma | T::RBracket);
        let upper = if ends_part(self) {
            None
        } else {
            Some(Box::new(self.expression()?))
        };
        let mut step = None;
        if self.eat(&T::Colon) && !ends_part(self) {
            step = Some(Box::new(self.expression()?));
        }
        Ok(self.expr(ExprKind::Slice { lower, upper, step }, start))
    }

    fn atom(&mut self) -> PResult<Expr> {
        self.enter("atom");
        let start = self.start();
        let constant = match self.peek() {
            T::Name(name) => {
                let name = name.clone();
                self.advance();
                return Ok(self.expr(ExprKind::Name(name), start));
            }
            T::Int(v) => Constant::Int(*v),
            T::BigInt(digits) => Constant::BigInt(digits.clone()),
            T::Float(v) => Constant::Float(*v),
            T::None => Constant::None,
            T::True => Constant::Bool(true),
            T::False => Constant::Bool(false),
            T::Ellipsis => Constant::Ellipsis,
            T::Str(_) | T::Bytes(_) | T::FString { .. } => return self.strings(),
            T::LParen => return self.parenthesized(),
            T::LBracket => return self.list_display(),
            T::LBrace => return self.dict_or_set(),
            _ => return Err(self.unexpected()),
        };
        self.advance();
        Ok(self.expr(ExprKind::Constant(constant), start))
    }

    /// Adjacent string literals, concatenated; an f-string among them makes the whole an f-string.
    fn strings(&mut self) -> PResult<Expr> {
        self.enter("strings");
        let start = self.start();
        let (mut text, mut bytes, mut parts) = (String::new(), Vec::new(), Vec::new());
        let (mut has_bytes, mut has_str, mut has_fstring) = (false, false, false);
        let group_end = self.tokens[self.pos..]
            .iter()
            .take_while(|t| matches!(t.kind, T::Str(_) | T::Bytes(_) | T::FString { .. }))
            .last()
            .map_or(start, |t| (t.end_line, t.end_col));
        self.fstring_error_pos = group_end;
        loop {
            let tok = self.tok();
            let (line, col, tok_start) = (tok.line, tok.col, tok.start);
            match &tok.kind {
                T::Str(s) => {
                    has_str = true;
                    text.push_str(s);
                }
                T::Bytes(b) => {
                    has_bytes = true;
                    bytes.extend_from_slice(b);
                }
                T::FString { raw, body } => {
                    let (raw, body) = (*raw, body.clone());
                    has_str = true;
                    has_fstring = true;
                    if !text.is_empty() {
                        parts.push(FStringPart::Literal(std::mem::take(&mut text)));
                    }
                    let body_col =
                        col + u32::try_from(body.start.saturating_sub(tok_start)).unwrap_or(0);
                    let body_text = self.source.get(body).unwrap_or("");
                    for part in self.fstring(raw, body_text, line, body_col)? {
                        match (part, parts.last_mut()) {
                            (FStringPart::Literal(s), Some(FStringPart::Literal(prev))) => {
                                prev.push_str(&s)
                            }
                            (part, _) => parts.push(part),
                        }
                    }
                }
                _ => break,
            }
            if has_bytes && has_str {
                return Err(self.error_at(
                    "cannot mix bytes and nonbytes literals",
                    group_end.0,
                    group_end.1,
                ));
            }
            self.advance();
        }
        let constant = if has_bytes {
            Constant::Bytes(bytes)
        } else if !has_fstring {
            Constant::Str(text)
        } else {
            if !text.is_empty() {
                match parts.last_mut() {
                    Some(FStringPart::Literal(prev)) => prev.push_str(&text),
                    _ => parts.push(FStringPart::Literal(text)),
                }
            }
            return Ok(self.expr(ExprKind::FString(parts), start));
        };
        Ok(self.expr(ExprKind::Constant(constant), start))
    }

    fn parenthesized(&mut self) -> PResult<Expr> {
        self.enter("parenthesized");
        let start = self.start();
        self.nest()?;
        self.expect(&T::LParen)?;
        self.brackets += 1;
        let e = if self.at(&T::RParen) {
            None
        } else {
            let first = self.star_named_expression()?;
            if self.at(&T::For) {
                self.no_starred_in_comprehension(&first)?;
                let generators = self.for_if_clauses()?;
                Some(self.expr(
                    ExprKind::GeneratorExp {
                        elt: Box::new(first),
                        generators,
                    },
                    start,
                ))
            } else if self.at(&T::Comma) {
                let elts = self.star_named_expressions(first)?;
                Some(self.expr(ExprKind::Tuple(elts), start))
            } else {
                if matches!(first.kind, ExprKind::Starred(_)) {
                    return Err(self.error_span("cannot use starred expression here", first.span));
                }
                // A parenthesized expression keeps its own span.
                self.expect(&T::RParen)?;
                self.brackets -= 1;
                self.unnest();
                return Ok(first);
            }
        };
        self.expect(&T::RParen)?;
        self.brackets -= 1;
        self.unnest();
        Ok(match e {
            Some(mut e) => {
                e.span = self.span_from(start);
                e
            }
            None => self.expr(ExprKind::Tuple(Vec::new()), start),
        })
    }

    fn list_display(&mut self) -> PResult<Expr> {
        self.enter("list_display");
        let start = self.start();
        self.nest()?;
        self.expect(&T::LBracket)?;
        self.brackets += 1;
        let kind = if self.at(&T::RBracket) {
            ExprKind::List(Vec::new())
        } else {
            let first = self.star_named_expression()?;
            if self.at(&T::For) {
                self.no_starred_in_comprehension(&first)?;
                ExprKind::ListComp {
                    elt: Box::new(first),
                    generators: self.for_if_clauses()?,
                }
            } else {
                ExprKind::List(self.star_named_expressions(first)?)
            }
        };
        self.expect(&T::RBracket)?;
        self.brackets -= 1;
        self.unnest();
        Ok(self.expr(kind, start))
    }

    fn dict_or_set(&mut self) -> PResult<Expr> {
        self.enter("dict_or_set");
        let start = self.start();
        self.nest()?;
        self.expect(&T::LBrace)?;
        self.brackets += 1;
        let kind = if self.at(&T::RBrace) {
            ExprKind::Dict(Vec::new())
        } else if self.at(&T::DoubleStar) {
            let first = self.double_starred_kvpair()?;
            if self.at(&T::For) {
                return Err(self.error_at(
                    "dict unpacking cannot be used in dict comprehension",
                    start.0,
                    start.1,
                ));
            }
            ExprKind::Dict(self.dict_items(first)?)
        } else if self.at(&T::Star) {
            let first = self.star_named_expression()?;
            if self.at(&T::For) {
                self.no_starred_in_comprehension(&first)?;
            }
            ExprKind::Set(self.star_named_expressions(first)?)
        } else {
            let walrus = matches!((self.peek(), self.peek_at(1)), (T::Name(_), T::ColonEqual));
            let first = if walrus {
                self.named_expression()?
            } else {
                self.expression()?
            };
            if !walrus && self.eat(&T::Colon) {
                let value = self.expression()?;
                if self.at(&T::For) {
                    let generators = self.for_if_clauses()?;
                    ExprKind::DictComp {
                        key: Box::new(first),
                        value: Box::new(value),
                        generators,
                    }
                } else {
                    ExprKind::Dict(self.dict_items((Some(first), value))?)
                }
            } else if self.at(&T::For) {
                ExprKind::SetComp {
                    elt: Box::new(first),
                    generators: self.for_if_clauses()?,
                }
            } else {
                ExprKind::Set(self.star_named_expressions(first)?)
            }
        };
        self.expect(&T::RBrace)?;
        self.brackets -= 1;
        self.unnest();
        Ok(self.expr(kind, start))
    }

    /// The items of a dict display after the first, which the caller has parsed.
    fn dict_items(&mut self, first: (Option<Expr>, Expr)) -> PResult<Vec<(Option<Expr>, Expr)>> {
        self.enter("dict_items");
        let mut items = vec![first];
        while self.eat(&T::Comma) && !self.at(&T::RBrace) {
            items.push(self.double_starred_kvpair()?);
        }
        Ok(items)
    }

    fn double_starred_kvpair(&mut self) -> PResult<(Option<Expr>, Expr)> {
        self.enter("double_starred_kvpair");
        if self.eat(&T::DoubleStar) {
            return Ok((None, self.bitwise_or()?));
        }
        let (key, value) = self.kvpair()?;
        Ok((Some(key), value))
    }

    fn kvpair(&mut self) -> PResult<(Expr, Expr)> {
        self.enter("kvpair");
        let key = self.expression()?;
        if !self.eat(&T::Colon) {
            return Err(self.error_span("':' expected after dictionary key", key.span));
        }
        let value = self.expression()?;
        Ok((key, value))
    }

    fn no_starred_in_comprehension(&self, elt: &Expr) -> PResult<()> {
        if matches!(elt.kind, ExprKind::Starred(_)) {
            return Err(self.error_span(
                "iterable unpacking cannot be used in comprehension",
                elt.span,
            ));
        }
        Ok(())
    }

    fn for_if_clauses(&mut self) -> PResult<Vec<Comprehension>> {
        self.enter("for_if_clauses");
        let mut generators = vec![self.for_if_clause()?];
        while self.at(&T::For) || self.at(&T::Async) {
            generators.push(self.for_if_clause()?);
        }
        Ok(generators)
    }

    fn for_if_clause(&mut self) -> PResult<Comprehension> {
        self.enter("for_if_clause");
        self.expect(&T::For)?;
        let target = self.star_targets()?;
        self.expect(&T::In)?;
        let iter = self.disjunction()?;
        let mut ifs = Vec::new();
        while self.eat(&T::If) {
            ifs.push(self.disjunction()?);
        }
        Ok(Comprehension { target, iter, ifs })
    }

    // ----- f-strings -----------------------------------------------------------------------

    /// Splits the raw body of one f-string literal, which starts at `line`/`col`.
    fn fstring(
        &mut self,
        raw: bool,
        body: &'src str,
        line: u32,
        col: u32,
    ) -> PResult<Vec<FStringPart>> {
        self.enter("fstring");
        let mut scanner = FStringScanner {
            text: body,
            pos: 0,
            line,
            col,
        };
        self.fstring_parts(&mut scanner, raw, 0)
    }

    /// Literal text and replacement fields, up to the end of the body (`level` 0) or up to the
    /// `}` closing a format spec (`level` > 0).
    fn fstring_parts(
        &mut self,
        sc: &mut FStringScanner<'src>,
        raw: bool,
        level: u32,
    ) -> PResult<Vec<FStringPart>> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        while let Some(c) = sc.peek() {
            match c {
                '\\' if !raw => {
                    literal.push('\\');
                    sc.bump();
                    match sc.peek() {
                        // `\{` leaves the brace to start a field, as CPython 3.11 does.
                        Some('{' | '}') | None => {}
                        Some('N') => {
                            literal.push('N');
                            sc.bump();
                            if sc.peek() == Some('{') {
                                while let Some(c) = sc.peek() {
                                    literal.push(c);
                                    sc.bump();
                                    if c == '}' {
                                        break;
                                    }
                                }
                            }
                        }
                        Some(c) => {
                            literal.push(c);
                            sc.bump();
                        }
                    }
                }
                '{' if level == 0 && sc.peek2() == Some('{') => {
                    literal.push('{');
                    sc.bump();
                    sc.bump();
                }
                '}' if level == 0 && sc.peek2() == Some('}') => {
                    literal.push('}');
                    sc.bump();
                    sc.bump();
                }
                '}' if level > 0 => break,
                '}' => {
                    return Err(self.fstring_error("f-string: single '}' is not allowed"));
                }
                '{' => {
                    self.flush_fstring_literal(&mut literal, raw, &mut parts)?;
                    parts.push(self.fstring_replacement_field(sc, raw, level)?);
                }
                c => {
                    literal.push(c);
                    sc.bump();
                }
            }
        }
        self.flush_fstring_literal(&mut literal, raw, &mut parts)?;
        Ok(parts)
    }

    fn fstring_error(&self, msg: impl Into<String>) -> SyntaxError {
        let (line, col) = self.fstring_error_pos;
        SyntaxError {
            kind: SyntaxErrorKind::SyntaxError,
            msg: msg.into(),
            line,
            col,
        }
    }

    fn flush_fstring_literal(
        &self,
        literal: &mut String,
        raw: bool,
        parts: &mut Vec<FStringPart>,
    ) -> PResult<()> {
        if literal.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(literal);
        let text = if raw {
            text
        } else {
            lexer::decode_str_escapes(&text).map_err(|m| self.fstring_error(m))?
        };
        parts.push(FStringPart::Literal(text));
        Ok(())
    }

    /// `{expr [=] [!conv] [:spec]}`, with the scanner on the `{`.
    fn fstring_replacement_field(
        &mut self,
        sc: &mut FStringScanner<'src>,
        raw: bool,
        level: u32,
    ) -> PResult<FStringPart> {
        self.enter("fstring_replacement_field");
        if level >= 2 {
            return Err(self.fstring_error("f-string: expressions nested too deeply"));
        }
        sc.bump(); // '{'
        let (expr_start, expr_line, expr_col) = (sc.pos, sc.line, sc.col);
        self.fstring_scan_expression(sc)?;
        let expr_text = sc.slice(expr_start);
        if expr_text.trim().is_empty() {
            let msg = match sc.peek() {
                Some(c @ ('!' | ':' | '=')) => {
                    format!("f-string: expression required before '{c}'")
                }
                _ => "f-string: empty expression not allowed".to_string(),
            };
            return Err(self.fstring_error(msg));
        }
        let expr = self.fstring_expression(expr_text, expr_line, expr_col)?;
        let mut debug_text = None;
        if sc.peek() == Some('=') {
            sc.bump();
            while sc.peek().is_some_and(char::is_whitespace) {
                sc.bump();
            }
            debug_text = Some(sc.slice(expr_start).to_string());
        }
        let mut conversion = None;
        if sc.peek() == Some('!') {
            sc.bump();
            match sc.peek() {
                Some(c @ ('s' | 'r' | 'a')) => {
                    conversion = Some(c);
                    sc.bump();
                }
                None => return Err(self.fstring_error("f-string: expecting '}'")),
                Some(_) => {
                    let msg = "f-string: invalid conversion character: expected 's', 'r', or 'a'";
                    return Err(self.fstring_error(msg));
                }
            }
        }
        let mut spec = Vec::new();
        let has_spec = sc.peek() == Some(':');
        if has_spec {
            sc.bump();
            spec = self.fstring_format_spec(sc, raw, level + 1)?;
        }
        if sc.peek() != Some('}') {
            return Err(self.fstring_error("f-string: expecting '}'"));
        }
        sc.bump();
        // `{x=}` shows the repr unless a conversion or format spec says otherwise.
        if debug_text.is_some() && conversion.is_none() && !has_spec {
            conversion = Some('r');
        }
        Ok(FStringPart::Value {
            expr: Box::new(expr),
            conversion,
            spec,
            debug_text,
        })
    }

    /// Moves the scanner to the end of a replacement field's expression: the first `!`, `:`,
    /// `=` or `}` outside brackets and strings (but not `!=`, `==`, `<=`, `>=`), as CPython 3.11
    /// does.
    fn fstring_scan_expression(&self, sc: &mut FStringScanner<'src>) -> PResult<()> {
        let mut brackets: Vec<char> = Vec::new();
        let mut quote: Option<(char, bool)> = None;
        loop {
            let Some(c) = sc.peek() else {
                let msg = if quote.is_some() {
                    "f-string: unterminated string"
                } else {
                    "f-string: expecting '}'"
                };
                return Err(self.fstring_error(msg));
            };
            if c == '\\' {
                return Err(
                    self.fstring_error("f-string expression part cannot include a backslash")
                );
            }
            if let Some((q, triple)) = quote {
                if c == q
                    && (!triple
                        || sc
                            .text
                            .get(sc.pos..)
                            .is_some_and(|t| t.starts_with(&q.to_string().repeat(3))))
                {
                    for _ in 0..if triple { 3 } else { 1 } {
                        sc.bump();
                    }
                    quote = None;
                } else {
                    sc.bump();
                }
                continue;
            }
            match c {
                '\'' | '"' => {
                    let triple = sc
                        .text
                        .get(sc.pos..)
                        .is_some_and(|t| t.starts_with(&c.to_string().repeat(3)));
                    for _ in 0..if triple { 3 } else { 1 } {
                        sc.bump();
                    }
                    quote = Some((c, triple));
                    continue;
                }
                '(' | '[' | '{' => {
                    if brackets.len() >= MAX_NESTING as usize {
                        return Err(self.fstring_error("f-string: too many nested parenthesis"));
                    }
                    brackets.push(c);
                }
                ')' | ']' | '}' => match brackets.pop() {
                    None if c == '}' => return Ok(()),
                    None => return Err(self.fstring_error(format!("f-string: unmatched '{c}'"))),
                    Some(open) if closing(open) != c => {
                        let msg = format!(
                            "f-string: closing parenthesis '{c}' does not match opening parenthesis '{open}'"
                        );
                        return Err(self.fstring_error(msg));
                    }
                    Some(_) => {}
                },
                '#' => {
                    return Err(self.fstring_error("f-string expression part cannot include '#'"));
                }
                '!' | ':' | '=' | '<' | '>' if brackets.is_empty() => {
                    if c != ':' && sc.peek2() == Some('=') {
                        sc.bump();
                    } else if c != '<' && c != '>' {
                        return Ok(());
                    }
                }
                _ => {}
            }
            sc.bump();
        }
    }

    fn fstring_format_spec(
        &mut self,
        sc: &mut FStringScanner<'src>,
        raw: bool,
        level: u32,
    ) -> PResult<Vec<FStringPart>> {
        self.enter("fstring_format_spec");
        self.fstring_parts(sc, raw, level)
    }

    /// Parses the text of a replacement field's expression, which starts at `line`/`col`.
    fn fstring_expression(&mut self, text: &'src str, line: u32, col: u32) -> PResult<Expr> {
        self.enter("fstring_expression");
        let with_prefix = |mut e: SyntaxError| {
            if !e.msg.starts_with("f-string") {
                e.msg = format!("f-string: {}", e.msg);
            }
            e
        };
        let tokens = lexer::tokenize_fstring_expr(text, line, col).map_err(with_prefix)?;
        let mut sub = Parser::new(text, tokens);
        sub.in_fstring = true;
        sub.depth = self.depth;
        sub.brackets = 1;
        sub.trace = self.trace.take();
        let result = sub.star_expressions().and_then(|e| {
            sub.check_no_bare_star(&e)?;
            if sub.at(&T::EndMarker) {
                Ok(e)
            } else {
                Err(sub.unexpected())
            }
        });
        self.trace = sub.trace.take();
        result
    }
}

/// An upper bound on the recursion depth a parse of `tokens` can reach: each level of nesting
/// consumes an open bracket or indented block, or one of the other tokens that recurse on the
/// same logical line (a unary or `**` operator, `not`, `lambda`, `else`, or a character of an
/// f-string body, whose fields are parsed at the depth of the f-string).
fn nesting_bound(tokens: &[Token]) -> usize {
    let (mut blocks, mut brackets, mut line, mut max) = (0usize, 0usize, 0usize, 0usize);
    for tok in tokens {
        match &tok.kind {
            T::Indent => blocks += 1,
            T::Dedent => blocks = blocks.saturating_sub(1),
            T::Newline => line = 0,
            T::LParen | T::LBracket | T::LBrace => brackets += 1,
            T::RParen | T::RBracket | T::RBrace => brackets = brackets.saturating_sub(1),
            T::Minus | T::Plus | T::Tilde | T::Not | T::DoubleStar | T::Lambda | T::Else => {
                line += 1
            }
            T::FString { body, .. } => line += body.len(),
            _ => {}
        }
        max = max.max(blocks + brackets + line);
    }
    max
}

/// The operator of an augmented assignment token.
fn augassign_op(kind: &T) -> Option<BinOp> {
    Some(match kind {
        T::PlusEqual => BinOp::Add,
        T::MinusEqual => BinOp::Sub,
        T::StarEqual => BinOp::Mul,
        T::AtEqual => BinOp::MatMul,
        T::SlashEqual => BinOp::Div,
        T::PercentEqual => BinOp::Mod,
        T::AmpEqual => BinOp::BitAnd,
        T::PipeEqual => BinOp::BitOr,
        T::CaretEqual => BinOp::BitXor,
        T::LShiftEqual => BinOp::LShift,
        T::RShiftEqual => BinOp::RShift,
        T::DoubleStarEqual => BinOp::Pow,
        T::DoubleSlashEqual => BinOp::FloorDiv,
        _ => return None,
    })
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// How CPython names an expression in "cannot assign to ..." messages.
fn describe(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Name(_) => "name",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::Bool(true)) => "True",
        ExprKind::Constant(Constant::Bool(false)) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) => "literal",
        ExprKind::FString(_) => "f-string expression",
        ExprKind::BinOp { .. } | ExprKind::UnaryOp { .. } | ExprKind::BoolOp { .. } => "expression",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::Call { .. } => "function call",
        ExprKind::Attribute { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        ExprKind::Slice { .. } => "slice",
        ExprKind::Starred(_) => "starred",
        ExprKind::List(_) => "list",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::Set(_) => "set display",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::SetComp { .. } => "set comprehension",
        ExprKind::DictComp { .. } => "dict comprehension",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Unsupported(what) => what,
        ExprKind::NamedExpr { .. } => "named expression",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// A compact rendering of an expression, for readable assertions.
    fn sexp(e: &Expr) -> String {
        let list = |es: &[Expr]| es.iter().map(sexp).collect::<Vec<_>>().join(" ");
        match &e.kind {
            ExprKind::Name(n) => n.clone(),
            ExprKind::Constant(Constant::Int(v)) => v.to_string(),
            ExprKind::Constant(Constant::BigInt(v)) => format!("big:{v}"),
            ExprKind::Constant(Constant::Float(v)) => format!("{v:?}"),
            ExprKind::Constant(Constant::Str(s)) => format!("{s:?}"),
            ExprKind::Constant(Constant::Bytes(b)) => format!("b{:?}", String::from_utf8_lossy(b)),
            ExprKind::Constant(c) => format!("{c:?}"),
            ExprKind::BinOp { left, op, right } => {
                format!("({op:?} {} {})", sexp(left), sexp(right))
            }
            ExprKind::UnaryOp { op, operand } => format!("({op:?} {})", sexp(operand)),
            ExprKind::BoolOp { op, values } => format!("({op:?} {})", list(values)),
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                let rest: Vec<String> = ops
                    .iter()
                    .zip(comparators)
                    .map(|(o, c)| format!("{o:?} {}", sexp(c)))
                    .collect();
                format!("(cmp {} {})", sexp(left), rest.join(" "))
            }
            ExprKind::Call {
                func,
                args,
                keywords,
            } => {
                let kws: Vec<String> = keywords
                    .iter()
                    .map(|k| format!("{}={}", k.arg.as_deref().unwrap_or("**"), sexp(&k.value)))
                    .collect();
                format!("(call {} [{}] [{}])", sexp(func), list(args), kws.join(" "))
            }
            ExprKind::Attribute { value, attr } => format!("{}.{attr}", sexp(value)),
            ExprKind::Subscript { value, index } => format!("{}[{}]", sexp(value), sexp(index)),
            ExprKind::Slice { lower, upper, step } => {
                let part = |p: &Option<Box<Expr>>| p.as_ref().map_or(String::new(), |e| sexp(e));
                format!("{}:{}:{}", part(lower), part(upper), part(step))
            }
            ExprKind::Starred(v) => format!("*{}", sexp(v)),
            ExprKind::List(es) => format!("[{}]", list(es)),
            ExprKind::Tuple(es) => format!("(tuple {})", list(es)),
            ExprKind::Set(es) => format!("{{{}}}", list(es)),
            ExprKind::Dict(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|(k, v)| {
                        format!("{}:{}", k.as_ref().map_or("**".to_string(), sexp), sexp(v))
                    })
                    .collect();
                format!("{{{}}}", items.join(" "))
            }
            ExprKind::IfExp { test, body, orelse } => {
                format!("(if {} {} {})", sexp(test), sexp(body), sexp(orelse))
            }
            ExprKind::Lambda { params, body } => {
                format!("(lambda {} {})", params_str(params), sexp(body))
            }
            ExprKind::ListComp { elt, generators } => {
                format!("(listcomp {}{})", sexp(elt), gens(generators))
            }
            ExprKind::SetComp { elt, generators } => {
                format!("(setcomp {}{})", sexp(elt), gens(generators))
            }
            ExprKind::GeneratorExp { elt, generators } => {
                format!("(genexp {}{})", sexp(elt), gens(generators))
            }
            ExprKind::DictComp {
                key,
                value,
                generators,
            } => {
                format!(
                    "(dictcomp {}:{}{})",
                    sexp(key),
                    sexp(value),
                    gens(generators)
                )
            }
            ExprKind::NamedExpr { target, value } => format!("(:= {target} {})", sexp(value)),
            ExprKind::FString(parts) => format!("(f {})", fparts(parts)),
            ExprKind::Unsupported(what) => format!("(unsupported {what})"),
        }
    }

    fn gens(generators: &[Comprehension]) -> String {
        generators
            .iter()
            .map(|g| {
                let ifs: String = g.ifs.iter().map(|i| format!(" if {}", sexp(i))).collect();
                format!(" for {} in {}{ifs}", sexp(&g.target), sexp(&g.iter))
            })
            .collect()
    }

    fn fparts(parts: &[FStringPart]) -> String {
        let strs: Vec<String> = parts
            .iter()
            .map(|p| match p {
                FStringPart::Literal(s) => format!("{s:?}"),
                FStringPart::Value {
                    expr,
                    conversion,
                    spec,
                    debug_text,
                } => {
                    let mut s = format!("{{{}", sexp(expr));
                    if let Some(d) = debug_text {
                        s.push_str(&format!(" dbg={d:?}"));
                    }
                    if let Some(c) = conversion {
                        s.push_str(&format!(" !{c}"));
                    }
                    if !spec.is_empty() {
                        s.push_str(&format!(" :{}", fparts(spec)));
                    }
                    s.push('}');
                    s
                }
            })
            .collect();
        strs.join(" ")
    }

    fn params_str(p: &Params) -> String {
        let param = |p: &Param| match &p.default {
            Some(d) => format!("{}={}", p.name, sexp(d)),
            None => p.name.clone(),
        };
        let mut out: Vec<String> = p.args.iter().map(param).collect();
        if let Some(v) = &p.vararg {
            out.push(format!("*{v}"));
        }
        out.extend(p.kwonly.iter().map(|k| format!("kw:{}", param(k))));
        if let Some(k) = &p.kwarg {
            out.push(format!("**{k}"));
        }
        format!("({})", out.join(" "))
    }

    fn module(src: &str) -> Vec<Stmt> {
        match parse(src) {
            Ok(m) => m.body,
            Err(e) => panic!("{src:?} failed: {e}"),
        }
    }

    /// The single expression statement of `src`.
    fn expr(src: &str) -> String {
        match &module(src)[..] {
            [
                Stmt {
                    kind: StmtKind::Expr(e),
                    ..
                },
            ] => sexp(e),
            other => panic!("not one expression: {other:?}"),
        }
    }

    fn err(src: &str) -> SyntaxError {
        parse(src).expect_err(&format!("{src:?} should fail"))
    }

    fn err_at(src: &str) -> (String, u32, u32) {
        let e = err(src);
        (e.msg, e.line, e.col)
    }

    #[test]
    fn precedence() {
        assert_eq!(expr("-2**2"), "(Neg (Pow 2 2))");
        assert_eq!(expr("2**-1"), "(Pow 2 (Neg 1))");
        assert_eq!(expr("2**3**2"), "(Pow 2 (Pow 3 2))");
        assert_eq!(expr("1 + 2 * 3 - 4"), "(Sub (Add 1 (Mul 2 3)) 4)");
        assert_eq!(
            expr("a | b ^ c & d << e + f"),
            "(BitOr a (BitXor b (BitAnd c (LShift d (Add e f)))))"
        );
        assert_eq!(
            expr("a // b % c @ d / e"),
            "(Div (MatMul (Mod (FloorDiv a b) c) d) e)"
        );
        assert_eq!(expr("a or b and not c"), "(Or a (And b (Not c)))");
        assert_eq!(expr("not a == b"), "(Not (cmp a Eq b))");
        assert_eq!(
            expr("a < b <= c is not d not in e"),
            "(cmp a Lt b LtE c IsNot d NotIn e)"
        );
        assert_eq!(expr("a if b else c if d else e"), "(if b a (if d c e))");
        assert_eq!(
            expr("lambda x, *a, k=1, **kw: x if y else z"),
            "(lambda (x *a kw:k=1 **kw) (if y x z))"
        );
        assert_eq!(
            expr("-a.b(c)[d] ** 2"),
            "(Neg (Pow (call a.b [c] [])[d] 2))"
        );
        assert_eq!(expr("~+-x"), "(Invert (Pos (Neg x)))");
        assert_eq!(expr("(x := 1 + 2)"), "(:= x (Add 1 2))");
    }

    #[test]
    fn atoms_and_displays() {
        assert_eq!(expr("()"), "(tuple )");
        assert_eq!(expr("(1,)"), "(tuple 1)");
        assert_eq!(expr("1, *a, 2"), "(tuple 1 *a 2)");
        assert_eq!(expr("[1, *a, (2)]"), "[1 *a 2]");
        assert_eq!(expr("{}"), "{}");
        assert_eq!(expr("{1: 2, **d, 3: 4,}"), "{1:2 **:d 3:4}");
        assert_eq!(expr("{1, *s}"), "{1 *s}");
        assert_eq!(expr("{x := 1}"), "{(:= x 1)}");
        assert_eq!(
            expr("[x for x in y if x if z for w in x]"),
            "(listcomp x for x in y if x if z for w in x)"
        );
        assert_eq!(
            expr("{k: v for k, v in d}"),
            "(dictcomp k:v for (tuple k v) in d)"
        );
        assert_eq!(expr("{x for x in y}"), "(setcomp x for x in y)");
        assert_eq!(expr("(x for x in y)"), "(genexp x for x in y)");
        assert_eq!(
            expr("sum(x for x in y)"),
            "(call sum [(genexp x for x in y)] [])"
        );
        assert_eq!(expr("f(a, *b, c=1, **d)"), "(call f [a *b] [c=1 **=d])");
        assert_eq!(expr("f(a,)"), "(call f [a] [])");
        assert_eq!(expr("a[1:2, ::3]"), "a[(tuple 1:2: ::3)]");
        assert_eq!(expr("a[:]"), "a[::]");
        assert_eq!(expr("a[1:]"), "a[1::]");
        assert_eq!(expr("a[i, j]"), "a[(tuple i j)]");
        assert_eq!(expr("a[*b]"), "a[(tuple *b)]");
        assert_eq!(expr("..."), "Ellipsis");
        assert_eq!(
            expr("None, True, False"),
            "(tuple None Bool(true) Bool(false))"
        );
        assert_eq!(expr("'a' \"b\" '''c'''"), "\"abc\"");
        assert_eq!(expr("b'a' b'b'"), "b\"ab\"");
        assert_eq!(expr("match.x"), "match.x");
    }

    #[test]
    fn numbers() {
        assert_eq!(expr("9223372036854775807"), "9223372036854775807");
        assert_eq!(expr("9223372036854775808"), "big:9223372036854775808");
        assert_eq!(expr("0x1_0000_0000_0000_0000"), "big:18446744073709551616");
        assert_eq!(expr("0b1111"), "15");
        assert_eq!(expr("1.5e3"), "1500.0");
        assert_eq!(
            expr("-9223372036854775808"),
            "(Neg big:9223372036854775808)"
        );
    }

    #[test]
    fn statements() {
        let body =
            module("a = b = 1\nx, *y = z\n[p, q] = r\nn += 1\nm: int = 2\nk: str\no.p[0] = 3\n");
        assert!(matches!(&body[0].kind, StmtKind::Assign { targets, .. } if targets.len() == 2));
        assert!(
            matches!(&body[1].kind, StmtKind::Assign { targets, .. } if sexp(&targets[0]) == "(tuple x *y)")
        );
        assert!(
            matches!(&body[2].kind, StmtKind::Assign { targets, .. } if sexp(&targets[0]) == "[p q]")
        );
        assert!(matches!(
            &body[3].kind,
            StmtKind::AugAssign { op: BinOp::Add, .. }
        ));
        assert!(matches!(
            &body[4].kind,
            StmtKind::AnnAssign { value: Some(_), .. }
        ));
        assert!(matches!(
            &body[5].kind,
            StmtKind::AnnAssign { value: None, .. }
        ));
        assert!(matches!(&body[6].kind, StmtKind::Assign { .. }));

        let body = module("if a:\n    pass\nelif b:\n    pass\nelif c: pass\nelse:\n    x = 1\n");
        let StmtKind::If { orelse, .. } = &body[0].kind else {
            panic!()
        };
        let StmtKind::If { orelse, .. } = &orelse[0].kind else {
            panic!()
        };
        let StmtKind::If { orelse, .. } = &orelse[0].kind else {
            panic!()
        };
        assert!(matches!(orelse[0].kind, StmtKind::Assign { .. }));

        let body =
            module("for i, j in x:\n  break\nelse:\n  continue\nwhile x: pass\nelse: pass\n");
        assert!(
            matches!(&body[0].kind, StmtKind::For { target, orelse, .. } if sexp(target) == "(tuple i j)" && orelse.len() == 1)
        );
        assert!(matches!(&body[1].kind, StmtKind::While { orelse, .. } if orelse.len() == 1));

        let src = "try:\n  pass\nexcept (A, B) as e:\n  pass\nexcept C:\n  pass\nexcept:\n  pass\nelse:\n  pass\nfinally:\n  pass\n";
        let body = module(src);
        let StmtKind::Try {
            handlers,
            orelse,
            finalbody,
            ..
        } = &body[0].kind
        else {
            panic!()
        };
        assert_eq!(handlers.len(), 3);
        assert_eq!(handlers[0].name.as_deref(), Some("e"));
        assert_eq!(sexp(handlers[0].typ.as_ref().unwrap()), "(tuple A B)");
        assert!(handlers[2].typ.is_none());
        assert_eq!((orelse.len(), finalbody.len()), (1, 1));

        let body = module(
            "with a as b, c:\n  pass\nwith (d as e, f as (g, h),):\n  pass\nwith (x, y) as z: pass\n",
        );
        assert!(
            matches!(&body[0].kind, StmtKind::With { items, .. } if items.len() == 2 && items[1].target.is_none())
        );
        assert!(matches!(&body[1].kind, StmtKind::With { items, .. } if items.len() == 2));
        assert!(
            matches!(&body[2].kind, StmtKind::With { items, .. } if items.len() == 1 && sexp(&items[0].context) == "(tuple x y)")
        );

        let body = module("import a.b as c, d\nfrom e.f import (g as h, i,)\nfrom j import k, l\n");
        assert!(
            matches!(&body[0].kind, StmtKind::Import(names) if names[0].name == "a.b" && names[0].asname.as_deref() == Some("c"))
        );
        assert!(
            matches!(&body[1].kind, StmtKind::ImportFrom { module, names } if module == "e.f" && names.len() == 2)
        );
        assert!(matches!(&body[2].kind, StmtKind::ImportFrom { names, .. } if names.len() == 2));

        let body = module(
            "global a, b\nnonlocal c\ndel a, b[0], c.d,\nassert x, 'msg'\nraise E from F\nraise\nx = 1; y = 2;\n",
        );
        assert_eq!(body.len(), 8);
        assert!(matches!(&body[2].kind, StmtKind::Delete(t) if t.len() == 3));
        assert!(matches!(
            &body[4].kind,
            StmtKind::Raise {
                exc: Some(_),
                cause: Some(_)
            }
        ));
        assert!(matches!(
            &body[5].kind,
            StmtKind::Raise {
                exc: None,
                cause: None
            }
        ));

        // `match` and `type` are soft keywords.
        let body = module("match = 3\nmatch(x)\ntype = 1\nprint(type)\n");
        assert_eq!(body.len(), 4);
    }

    #[test]
    fn definitions() {
        let src =
            "@dec\n@dec2(1)\ndef f(a, b=1, /, c=2, *args, d, e=3, **kw) -> int:\n    return a\n";
        let body = module(src);
        let StmtKind::FunctionDef(def) = &body[0].kind else {
            panic!()
        };
        assert_eq!(def.name, "f");
        assert_eq!(def.decorators.len(), 2);
        assert_eq!(
            params_str(&def.params),
            "(a b=1 c=2 *args kw:d kw:e=3 **kw)"
        );
        assert_eq!((body[0].span.line, body[0].span.col), (3, 1));

        let body = module("def g(*, a: int = 1, b): pass\ndef h(): return\n");
        let StmtKind::FunctionDef(def) = &body[0].kind else {
            panic!()
        };
        assert_eq!(params_str(&def.params), "(kw:a=1 kw:b)");

        let body = module(
            "class A(B, C, metaclass=M):\n    x = 1\n    def m(self): pass\nclass D: pass\n",
        );
        let StmtKind::ClassDef(class) = &body[0].kind else {
            panic!()
        };
        assert_eq!(
            (class.bases.len(), class.keywords.len(), class.body.len()),
            (2, 1, 2)
        );
    }

    #[test]
    fn fstrings() {
        assert_eq!(
            expr("f'a{b!r:>{w}}c{{d}}'"),
            "(f \"a\" {b !r :\">\" {w}} \"c{d}\")"
        );
        assert_eq!(expr("f'{x=}'"), "(f {x dbg=\"x=\" !r})");
        assert_eq!(expr("f'{ x = :>5}'"), "(f {x dbg=\" x = \" :\">5\"})");
        assert_eq!(expr("f'{x=!s}'"), "(f {x dbg=\"x=\" !s})");
        assert_eq!(expr("f'{x:{w}.{p}f}'"), "(f {x :{w} \".\" {p} \"f\"})");
        assert_eq!(expr("f'{a[\"k\"]}'"), "(f {a[\"k\"]})");
        assert_eq!(expr("f'{3!=4}'"), "(f {(cmp 3 NotEq 4)})");
        assert_eq!(expr("f'{x:=5}'"), "(f {x :\"=5\"})");
        assert_eq!(expr("f'{1, 2}'"), "(f {(tuple 1 2)})");
        assert_eq!(expr("f'{f\"{x}\"}'"), "(f {(f {x})})");
        assert_eq!(expr("'a' f'{b}' 'c' f'd'"), "(f \"a\" {b} \"cd\")");
        assert_eq!(expr("f'\\n{x}\\t'"), "(f \"\\n\" {x} \"\\t\")");
        assert_eq!(expr("rf'\\n{x}'"), "(f \"\\\\n\" {x})");
        assert_eq!(expr("f''"), "(f )");
        assert_eq!(expr("f'''{\nx\n}'''"), "(f {x})");
    }

    #[test]
    fn fstring_positions() {
        // The embedded expression's positions are those of the file.
        let body = module("y = 1\nz = f'ab{ x + 1}'\n");
        let StmtKind::Assign { value, .. } = &body[1].kind else {
            panic!()
        };
        let ExprKind::FString(parts) = &value.kind else {
            panic!()
        };
        let FStringPart::Value { expr, .. } = &parts[1] else {
            panic!()
        };
        assert_eq!(
            (expr.span.line, expr.span.col, expr.span.end_col),
            (2, 11, 16)
        );
        // Errors inside the expression point into the file too.
        assert_eq!(
            err_at("x = f'{a b}'"),
            (
                "f-string: invalid syntax. Perhaps you forgot a comma?".into(),
                1,
                8
            )
        );
        assert_eq!(
            err_at("x = f'''\n{1 +}'''"),
            ("f-string: invalid syntax".into(), 2, 5)
        );
    }

    #[test]
    fn fstring_errors() {
        assert_eq!(
            err_at("f'{}'"),
            ("f-string: empty expression not allowed".into(), 1, 6)
        );
        assert_eq!(
            err("f'{x!z}'").msg,
            "f-string: invalid conversion character: expected 's', 'r', or 'a'"
        );
        assert_eq!(err("f'}'").msg, "f-string: single '}' is not allowed");
        assert_eq!(err("f'{'").msg, "f-string: expecting '}'");
        assert_eq!(err("f'{x!r }'").msg, "f-string: expecting '}'");
        assert_eq!(
            err("f'{a#}'").msg,
            "f-string expression part cannot include '#'"
        );
        assert_eq!(
            err("f'{a:{b:{c}}}'").msg,
            "f-string: expressions nested too deeply"
        );
        assert_eq!(
            err("f'{\\'a\\'}'").msg,
            "f-string expression part cannot include a backslash"
        );
        assert_eq!(
            err("f'{yield}'").msg,
            "f-string: generators (yield) are not supported by gilsim"
        );
        assert_eq!(
            err("f'{*a}'").msg,
            "f-string: can't use starred expression here"
        );
    }

    #[test]
    fn spans() {
        let body = module("x = (1 +\n     2)\nif a:\n    b\n");
        assert_eq!(
            body[0].span,
            Span {
                line: 1,
                col: 1,
                end_line: 2,
                end_col: 8
            }
        );
        let StmtKind::Assign { value, .. } = &body[0].kind else {
            panic!()
        };
        assert_eq!(
            value.span,
            Span {
                line: 1,
                col: 6,
                end_line: 2,
                end_col: 7
            }
        );
        assert_eq!(
            body[1].span,
            Span {
                line: 3,
                col: 1,
                end_line: 4,
                end_col: 6
            }
        );
        let body = module("foo(a, b).c\n");
        let StmtKind::Expr(e) = &body[0].kind else {
            panic!()
        };
        assert_eq!(
            e.span,
            Span {
                line: 1,
                col: 1,
                end_line: 1,
                end_col: 12
            }
        );
    }

    #[test]
    fn target_errors() {
        let eq = " here. Maybe you meant '==' instead of '='?";
        assert_eq!(
            err_at("1 = x"),
            (format!("cannot assign to literal{eq}"), 1, 1)
        );
        assert_eq!(
            err_at("f() = 1"),
            (format!("cannot assign to function call{eq}"), 1, 1)
        );
        assert_eq!(
            err_at("(a, 1) = 1"),
            ("cannot assign to literal".into(), 1, 5)
        );
        assert_eq!(
            err_at("for 1 in x: pass"),
            ("cannot assign to literal".into(), 1, 5)
        );
        assert_eq!(err_at("del 1"), ("cannot delete literal".into(), 1, 5));
        assert_eq!(err("None = 1").msg, "cannot assign to None");
        assert_eq!(
            err("1 if 2 else 3 = 4").msg,
            "cannot assign to conditional expression"
        );
        assert_eq!(
            err("(a, b) += 1").msg,
            "'tuple' is an illegal expression for augmented assignment"
        );
        assert_eq!(
            err("a, *b, *c = d").msg,
            "multiple starred expressions in assignment"
        );
        assert_eq!(
            err("*a = d").msg,
            "starred assignment target must be in a list or tuple"
        );
        assert_eq!(err("x = *a").msg, "can't use starred expression here");
        assert_eq!(
            err("[x]: int").msg,
            "only single target (not list) can be annotated"
        );
        assert_eq!(err("with a as 1: pass").msg, "cannot assign to literal");
        assert_eq!(err("[x for 1 in y]").msg, "cannot assign to literal");
        assert_eq!(
            err("f(a.b=1)").msg,
            "expression cannot contain assignment, perhaps you meant \"==\"?"
        );
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(err_at("x = = 1"), ("invalid syntax".into(), 1, 5));
        assert_eq!(err_at("if x\n  pass"), ("expected ':'".into(), 1, 5));
        assert_eq!(
            err_at("x = [1, 2 3]"),
            ("invalid syntax. Perhaps you forgot a comma?".into(), 1, 9)
        );
        assert_eq!(
            err_at("a if b"),
            ("expected 'else' after 'if' expression".into(), 1, 1)
        );
        assert_eq!(
            err("f(x=1, y)").msg,
            "positional argument follows keyword argument"
        );
        assert_eq!(
            err("f(**x, *y)").msg,
            "iterable argument unpacking follows keyword argument unpacking"
        );
        assert_eq!(
            err("f(a for a in b, c)").msg,
            "Generator expression must be parenthesized"
        );
        assert_eq!(err("f(a=1, a=2)").msg, "keyword argument repeated: a");
        assert_eq!(
            err("def f(x=1, y): pass").msg,
            "non-default argument follows default argument"
        );
        assert_eq!(
            err("def f(*): pass").msg,
            "named arguments must follow bare *"
        );
        assert_eq!(
            err("def f(**k, a): pass").msg,
            "arguments cannot follow var-keyword argument"
        );
        assert_eq!(
            err("def f(a, a): pass").msg,
            "duplicate argument 'a' in function definition"
        );
        assert_eq!(
            err("lambda x=1, y: x").msg,
            "non-default argument follows default argument"
        );
        assert_eq!(
            err("try:\n  pass\nx = 1").msg,
            "expected 'except' or 'finally' block"
        );
        assert_eq!(
            err("try:\n  pass\nexcept:\n  pass\nexcept E:\n  pass").msg,
            "default 'except:' must be last"
        );
        assert_eq!(err("except E, F: pass").msg, "invalid syntax");
        assert_eq!(err("x = 1;;").msg, "invalid syntax");
        assert_eq!(err("if x: if y: pass").msg, "invalid syntax");
        assert_eq!(
            err("print 'x'").msg,
            "Missing parentheses in call to 'print'. Did you mean print(...)?"
        );
        assert_eq!(
            err("x = 'a' b'c'").msg,
            "cannot mix bytes and nonbytes literals"
        );
        assert_eq!(
            err("from m import a,").msg,
            "trailing comma not allowed without surrounding parentheses"
        );
    }

    #[test]
    fn indentation_errors() {
        let e = err("if True:\npass\n");
        assert_eq!(
            (e.kind, e.msg.as_str(), e.line, e.col),
            (
                SyntaxErrorKind::IndentationError,
                "expected an indented block after 'if' statement on line 1",
                2,
                1
            )
        );
        let e = err("def f():\n\n# c\nx = 1\n");
        assert_eq!(
            e.msg,
            "expected an indented block after function definition on line 1"
        );
        let e = err("x = 1\n    y = 2\n");
        assert_eq!(
            (e.kind, e.msg.as_str(), e.line, e.col),
            (SyntaxErrorKind::IndentationError, "unexpected indent", 2, 4)
        );
        let e = err("\tif x:\n  pass");
        assert_eq!((e.msg.as_str(), e.line), ("unexpected indent", 1));
    }

    #[test]
    fn unsupported_constructs() {
        let cases = [
            (
                "def f():\n    yield 1\n",
                "generators (yield) are not supported by gilsim",
                2,
                5,
            ),
            (
                "x = await y\n",
                "async/await is not supported by gilsim",
                1,
                5,
            ),
            (
                "async def f(): pass\n",
                "async/await is not supported by gilsim",
                1,
                1,
            ),
            (
                "match x:\n    case 1: pass\n",
                "match statements are not supported by gilsim",
                1,
                1,
            ),
            (
                "try:\n  pass\nexcept* E:\n  pass\n",
                "except* (exception groups) is not supported by gilsim",
                3,
                7,
            ),
            (
                "from . import x\n",
                "relative imports are not supported by gilsim",
                1,
                6,
            ),
            (
                "from m import *\n",
                "star imports (from ... import *) are not supported by gilsim",
                1,
                15,
            ),
            (
                "type X = int\n",
                "type alias statements are not supported by gilsim",
                1,
                1,
            ),
            (
                "x = 1j\n",
                "complex numbers are not supported by gilsim",
                1,
                5,
            ),
            (
                "x = [i async for i in y]\n",
                "async/await is not supported by gilsim",
                1,
                8,
            ),
        ];
        for (src, msg, line, col) in cases {
            assert_eq!(err_at(src), (msg.to_string(), line, col), "{src:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(err(&deep).msg, "too many nested parentheses");
        let ok = format!("x = {}1{}\n", "[".repeat(200), "]".repeat(200));
        assert!(parse(&ok).is_ok());
        let too_deep = format!("x = {}1{}\n", "f(".repeat(201), ")".repeat(201));
        assert_eq!(err(&too_deep).msg, "too many nested parentheses");
        for src in [
            format!("x = {}1", "-".repeat(10_000)),
            format!("x = {}1", "not ".repeat(10_000)),
            format!("x = 1{}", "**1".repeat(10_000)),
            format!("x = {}1", "lambda: ".repeat(10_000)),
            format!("x = {}1", "1 if 1 else ".repeat(10_000)),
        ] {
            assert_eq!(err(&src).msg, "expression is too deeply nested");
        }
        // Hand-made token lists bypass the lexer's limits; the parser still bounds itself.
        let tokens: Vec<Token> = (0..5000)
            .map(|i| Token {
                kind: T::LParen,
                line: 1,
                col: i + 1,
                end_line: 1,
                end_col: i + 2,
                start: 0,
                end: 0,
            })
            .collect();
        assert!(Parser::new("", tokens).parse_module().is_err());
    }

    #[test]
    fn rule_trace() {
        let src = "x = [a + 1 for a in b]\n";
        let tokens = lexer::tokenize(src).unwrap();
        let mut parser = Parser::new(src, tokens.clone());
        parser.parse_module().unwrap();
        assert!(parser.rules_used().is_empty());
        let mut parser = Parser::with_rule_trace(src, tokens);
        parser.parse_module().unwrap();
        let used = parser.rules_used();
        for rule in [
            "file",
            "assign_rhs",
            "list_display",
            "for_if_clauses",
            "sum",
            "star_targets",
        ] {
            assert!(used.contains(rule), "{rule} missing from {used:?}");
        }
        assert!(!used.contains("lambdef"));
        // Rules used inside f-string fields are recorded too.
        let src = "f'{lambda: 1}'\n";
        let mut parser = Parser::with_rule_trace(src, lexer::tokenize(src).unwrap());
        assert!(parser.parse_module().is_err());
        let src = "f'{(lambda: 1)}'\n";
        let mut parser = Parser::with_rule_trace(src, lexer::tokenize(src).unwrap());
        parser.parse_module().unwrap();
        assert!(parser.rules_used().contains("lambdef"));
        assert!(parser.rules_used().contains("fstring_expression"));
    }
}
