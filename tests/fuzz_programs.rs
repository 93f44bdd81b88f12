//! Fuzzing the whole pipeline with generated programs: nothing a user can write may make
//! gilsim panic, hang or overflow its stack; every failure must be a Python exception.
//!
//! `tests/frontend_props.rs` throws random bytes and token soup at the parser; this file
//! generates *valid* programs of the subset (assignments, augmented assignments, `if`, bounded
//! `for` and `while` loops, functions, classes, `try`/`except`/`finally`, `with`, list / dict /
//! set literals and comprehensions, big ints, string methods, slicing, f-strings, `raise`, ...)
//! and runs them through lexer → parser → compiler → VM with [`Runtime`], then mutates them
//! (bytes and tokens dropped, doubled or swapped) and runs what still compiles. Loops are
//! bounded by construction (`for` over `range(small)`, `while` on a counter it increments
//! first), generated functions never call themselves, and each case runs under a watchdog, so
//! a case that does not end within [`CASE_DEADLINE`] is reported as a hang.
//!
//! The property: the run ends with exit status 0 or 1 (a Python exception, printed as a
//! traceback), never an internal error (status 70, a Rust panic) or a crash; the front end
//! never panics on a mutant. CI runs [`DEFAULT_CASES`] cases; `GILSIM_FUZZ_CASES=20000` runs
//! a long offline search. Failing seeds are kept in `tests/proptest-regressions/fuzz_programs.txt`
//! and replayed first on every run; each failure found is also a script in
//! `tests/robustness.rs`.

use std::sync::mpsc;
use std::time::Duration;

use gilsim::runtime::Runtime;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Cases per property in CI (a few seconds in a release build).
const DEFAULT_CASES: u32 = 96;
/// A case still running after this is a hang.
const CASE_DEADLINE: Duration = Duration::from_secs(20);
/// The heap limit runs get, so that a program that grows a value in a loop meets
/// `MemoryError` quickly instead of filling the machine.
const MAX_MEMORY: usize = 512 << 20;

fn config() -> ProptestConfig {
    let cases = std::env::var("GILSIM_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok());
    ProptestConfig {
        cases: cases.unwrap_or(DEFAULT_CASES),
        max_shrink_iters: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/proptest-regressions/fuzz_programs.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// Definitions every program starts with: functions and classes the generated code calls
/// (none of them recursive), and a context manager for `with`.
const PRELUDE: &str = "\
x = 1
y = 'ab'
s = 'hello world'
l = [1, 2, 3]
d = {'a': 1, 2: 'b'}
t = (1, 'two', 3.0)
k = 0
def f(a):
    return a
def g(a, b=2, *rest, **kw):
    return [a, b, rest, kw]
class C:
    def __init__(self, v=0):
        self.v = v
    def __repr__(self):
        return 'C(%r)' % (self.v,)
    def __eq__(self, other):
        return isinstance(other, C) and self.v == other.v
    def __hash__(self):
        return hash(self.v)
    def __len__(self):
        return 3
    def __getitem__(self, i):
        return [self.v][i]
class CM:
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
";

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (-300i64..300).prop_map(|n| n.to_string()),
        "[1-9][0-9]{18,60}",
        "[0-9]{1,3}\\.[0-9]{1,3}(e[+-]?[0-9]{1,3})?",
        prop::sample::select(vec![
            "x", "y", "s", "l", "d", "t", "k", "True", "False", "None", "C(1)", "C()", "f", "g",
            "''", "'a'", "'xyz'", "b'ab'", "()", "[]", "{}", "0x1F", "1_000", "-0.0", "1e308",
            "range(4)", "'%s-%d'", "...",
        ])
        .prop_map(str::to_string),
        "'[a-z {}%]{0,8}'",
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 48, 3, |e| {
        let binop = prop::sample::select(vec![
            "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "<=", "==", "!=",
            ">", ">=", "in", "not in", "is", "is not", "and", "or",
        ]);
        let unop = prop::sample::select(vec!["-", "+", "~", "not "]);
        let call = prop::sample::select(vec![
            "len",
            "str",
            "repr",
            "abs",
            "int",
            "float",
            "bool",
            "list",
            "tuple",
            "set",
            "sorted",
            "min",
            "max",
            "sum",
            "hash",
            "f",
            "C",
            "type",
            "iter",
            "enumerate",
            "reversed",
            "chr",
            "ord",
            "hex",
            "round",
            "divmod",
            "isinstance",
            "dict",
            "zip",
            "any",
            "all",
        ]);
        let method = prop::sample::select(vec![
            "upper()",
            "lower()",
            "split()",
            "strip()",
            "count('a')",
            "find('o')",
            "replace('l', 'LL')",
            "join(['a', 'b'])",
            "startswith('h')",
            "encode()",
            "format(1, 2)",
            "zfill(5)",
            "center(9, '*')",
            "title()",
            "isdigit()",
        ]);
        prop_oneof![
            (e.clone(), binop, e.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            (unop, e.clone()).prop_map(|(o, a)| format!("({o}{a})")),
            (call.clone(), e.clone()).prop_map(|(c, a)| format!("{c}({a})")),
            (call, e.clone(), e.clone()).prop_map(|(c, a, b)| format!("{c}({a}, {b})")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("g({a}, {b}, 5, z={a})")),
            prop::collection::vec(e.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(e.clone(), 1..3).prop_map(|v| format!("({},)", v.join(", "))),
            prop::collection::vec(e.clone(), 0..3).prop_map(|v| format!("{{{}}}", v.join(", "))),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("{{{a}: {b}}}")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (e.clone(), e.clone(), e.clone()).prop_map(|(a, b, c)| format!("{a}[{b}:{c}]")),
            (e.clone(), -3i32..4).prop_map(|(a, n)| format!("{a}[::{n}]")),
            (e.clone(), e.clone(), e.clone())
                .prop_map(|(a, b, c)| format!("({a} if {b} else {c})")),
            (e.clone(), 0u8..5).prop_map(|(a, n)| format!("[{a} for i in range({n})]")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("{{i: {a} for i in {b} if i}}")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("(lambda v, w=2: {a})({b})")),
            (e.clone(), method).prop_map(|(a, m)| format!("str({a}).{m}")),
            // A space after `{`: a field starting with `{` (a dict) would read as `{{`; and no
            // f-string inside another (3.11 does not allow the same quotes nested).
            e.clone().prop_map(|a| if a.contains('"') {
                format!("str({a})")
            } else {
                format!("f\"<{{ {a}}}>\"")
            }),
            e.clone().prop_map(|a| if a.contains('"') {
                format!("repr({a})")
            } else {
                format!("f\"{{ {a}!r:>6}}\"")
            }),
            e.clone().prop_map(|a| format!("({a}).v")),
            (e.clone(), e).prop_map(|(a, b)| format!("'%s/%r' % ({a}, {b})")),
        ]
    })
}

fn indent(block: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    block
        .lines()
        .map(|l| format!("{pad}{l}\n"))
        .collect::<String>()
}

fn simple_stmt() -> impl Strategy<Value = String> {
    let target = prop::sample::select(vec!["x", "y", "l[0]", "d['a']", "t"]);
    let augop = prop::sample::select(vec!["+=", "-=", "*=", "//=", "%=", "|=", "<<=", "**="]);
    prop_oneof![
        (target.clone(), expr()).prop_map(|(t, e)| format!("{t} = {e}")),
        (target, augop, expr()).prop_map(|(t, o, e)| format!("{t} {o} {e}")),
        expr().prop_map(|e| format!("print({e})")),
        expr().prop_map(|e| format!("l.append({e})")),
        (expr(), expr()).prop_map(|(k, v)| format!("d[{k}] = {v}")),
        expr().prop_map(|e| format!("x, *y = {e}")),
        expr().prop_map(|e| format!("raise ValueError({e})")),
        expr().prop_map(|e| format!("assert {e}, 'no'")),
        Just("del d['a']".to_string()),
        Just("pass".to_string()),
    ]
}

/// A statement; `loop_depth > 0` inside a loop body (where `break`/`continue` may appear).
fn stmt() -> impl Strategy<Value = String> {
    simple_stmt().prop_recursive(3, 24, 3, |inner| {
        let block = prop::collection::vec(inner, 1..4).prop_map(|v| v.join("\n"));
        prop_oneof![
            (expr(), block.clone(), block.clone()).prop_map(|(c, a, b)| format!(
                "if {c}:\n{}elif {c} == 2:\n    pass\nelse:\n{}",
                indent(&a, 4),
                indent(&b, 4)
            )),
            (0u8..5, block.clone()).prop_map(|(n, b)| format!(
                "for i in range({n}):\n{}    if i == 3:\n        break\n",
                indent(&b, 4)
            )),
            // Each `while` has its own counter, which nothing else assigns.
            (0u8..4, any::<u32>(), block.clone()).prop_map(|(n, id, b)| format!(
                "w{id} = 0\nwhile w{id} < {n}:\n    w{id} += 1\n{}    if w{id} == 2:\n        continue\n",
                indent(&b, 4)
            )),
            (block.clone(), expr()).prop_map(|(b, e)| format!(
                "def h(a, b=1, *c, **kw):\n    global x\n{}    return {e}\nprint(h(1, 2, 3, q=4))",
                indent(&b, 4)
            )),
            (block.clone(), expr()).prop_map(|(b, e)| format!(
                "class D(C):\n    w = {e}\n    def m(self):\n{}        return self.v\nprint(D(2).m(), D.w)",
                indent(&b, 8)
            )),
            (block.clone(), block.clone()).prop_map(|(a, b)| format!(
                "try:\n{}except (ValueError, TypeError) as e:\n    print('caught', type(e).__name__)\nexcept Exception:\n{}finally:\n    fin = 1",
                indent(&a, 4),
                indent(&b, 4)
            )),
            block.clone().prop_map(|b| format!("with CM() as cm:\n{}", indent(&b, 4))),
            (block, expr()).prop_map(|(b, e)| format!(
                "def outer():\n    z = {e}\n    def inner():\n        nonlocal z\n{}        return z\n    return inner()\nprint(outer())",
                indent(&b, 8)
            )),
        ]
    })
}

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(stmt(), 1..6).prop_map(|stmts| {
        // Each statement in its own `try`, so one exception does not hide the rest.
        let mut body = String::from(PRELUDE);
        for s in stmts {
            body.push_str("try:\n");
            body.push_str(&indent(&s, 4));
            body.push_str("except Exception as e:\n    print('!', type(e).__name__)\n");
        }
        body
    })
}

/// A byte-level or token-level damage to a program.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteByte(usize),
    InsertByte(usize, u8),
    DuplicateSpan(usize, usize),
    SwapLines(usize, usize),
    InsertToken(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(vec![
        "(", ")", "[", "]", "{", "}", ":", "\n", "    ", "\t", "'", "\"", "f'{", "\\", "lambda",
        "**", "=", ",", "*", "else", "yield", "def", "0x", "1e", "#", "\"\"\"", "'''", "\r",
        "\u{feff}", "é",
    ]);
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteByte),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::DuplicateSpan(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), token).prop_map(|(i, t)| Mutation::InsertToken(i, t)),
    ]
}

fn mutate(source: &str, mutations: &[Mutation]) -> String {
    let mut bytes = source.as_bytes().to_vec();
    for m in mutations {
        let n = bytes.len().max(1);
        match *m {
            Mutation::DeleteByte(i) => {
                if !bytes.is_empty() {
                    bytes.remove(i % n);
                }
            }
            Mutation::InsertByte(i, b) => bytes.insert(i % (n + 1).min(bytes.len() + 1), b),
            Mutation::DuplicateSpan(i, len) => {
                let start = i % n;
                let end = (start + len).min(bytes.len());
                let span = bytes[start.min(end)..end].to_vec();
                bytes.splice(end..end, span);
            }
            Mutation::SwapLines(a, b) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines: Vec<&str> = text.split('\n').collect();
                let len = lines.len();
                lines.swap(a % len, b % len);
                bytes = lines.join("\n").into_bytes();
            }
            Mutation::InsertToken(i, t) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, t.bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Runs `source` to the end on a watchdog: its exit status, or a failure naming a hang or an
/// internal error.
fn run_case(source: &str) -> Result<i32, TestCaseError> {
    let (tx, rx) = mpsc::channel();
    let source = source.to_string();
    std::thread::Builder::new()
        .name("fuzz-case".into())
        .spawn(move || {
            let report = Runtime::builder()
                .max_memory(MAX_MEMORY)
                .run_source("fuzz.py", &source);
            let _ = tx.send(report.exit_code);
        })
        .map_err(|e| TestCaseError::fail(format!("cannot start a case: {e}")))?;
    match rx.recv_timeout(CASE_DEADLINE) {
        Ok(code) => Ok(code),
        Err(_) => Err(TestCaseError::fail(format!(
            "the case did not end within {CASE_DEADLINE:?} (a hang)"
        ))),
    }
}

/// Runs a damaged program that compiled through the real binary, killed at the deadline (a
/// damaged loop bound may legitimately run for ever, so a timeout is no finding here): a
/// failure if it ended in a signal (a crash, a stack overflow) or an internal error.
fn run_mutant(source: &str) -> Result<(), TestCaseError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "gilsim_fuzz_{}_{}.py",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, source).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gilsim"))
        .args(["run", "--max-memory", "512M"])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < CASE_DEADLINE => {
                std::thread::sleep(Duration::from_millis(5))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let _ = std::fs::remove_file(&path);
    if let Some(status) = status {
        prop_assert!(
            matches!(status.code(), Some(0..=2)),
            "{status} (a crash or an internal error) for:\n{source}"
        );
    }
    Ok(())
}

/// Lexes, parses and compiles `source` in this thread, catching a panic.
fn front_end(source: &str) -> Result<bool, TestCaseError> {
    let result = std::panic::catch_unwind(|| {
        gilsim::syntax::parse(source)
            .and_then(|m| gilsim::compile::compiler::compile(&m, "fuzz.py"))
            .is_ok()
    });
    result.map_err(|_| TestCaseError::fail("the front end panicked"))
}

proptest! {
    #![proptest_config(config())]

    /// A generated program compiles, and its run ends in success or a Python exception.
    #[test]
    fn generated_programs_run_without_internal_errors(source in program()) {
        prop_assert!(front_end(&source)?, "a generated program does not compile:\n{}", source);
        let code = run_case(&source)?;
        prop_assert!(code == 0 || code == 1, "exit status {} for:\n{}", code, source);
    }

    /// A damaged program is refused with a positioned SyntaxError, or compiles and runs to
    /// success or a Python exception.
    #[test]
    fn mutated_programs_fail_cleanly(
        source in program(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let damaged = mutate(&source, &mutations);
        if front_end(&damaged)? {
            run_mutant(&damaged)?;
        }
    }
}
