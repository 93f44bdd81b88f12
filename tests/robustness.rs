//! Bad input through the real binary: nesting too deep to parse or compile, recursion too deep
//! to run, values too big to allocate. Each must end in CPython's error (type and message) with
//! exit status 1, or in success; never in a crash (a signal, Rust's "panicked" or "overflowed
//! its stack") or an internal error (status 70).

mod common;

use common::{Scratch, gilsim};

/// Runs `source` as a script with `flags` and returns (exit status, stdout, stderr), failing
/// the test if the process crashed.
fn run_script(name: &str, source: &str, flags: &[&str]) -> (i32, String, String) {
    let dir = Scratch::new(name);
    let path = dir.script(&format!("{name}.py"), source);
    let out = gilsim()
        .arg("run")
        .args(flags)
        .arg(&path)
        .output()
        .expect("gilsim runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let tail: String = stderr
        .chars()
        .rev()
        .take(2000)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        out.status.code().is_some(),
        "{name}: killed by a signal ({}); stderr ends: {tail}",
        out.status
    );
    for crash in [
        "panicked",
        "overflowed its stack",
        "internal error",
        "fatal runtime error",
    ] {
        assert!(!stderr.contains(crash), "{name}: {crash}: {tail}");
    }
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

/// The script fails with exit status 1 and its last stderr line is `last_line`.
fn fails_with(name: &str, source: &str, flags: &[&str], last_line: &str) {
    let (code, stdout, stderr) = run_script(name, source, flags);
    assert_eq!(code, 1, "{name}: stdout {stdout}\nstderr {stderr}");
    assert_eq!(
        stderr.lines().last().unwrap_or(""),
        last_line,
        "{name}: stderr was {}",
        &stderr[stderr.len().saturating_sub(3000)..]
    );
}

/// The script succeeds and prints `expected`.
fn prints(name: &str, source: &str, flags: &[&str], expected: &str) {
    let (code, stdout, stderr) = run_script(name, source, flags);
    assert_eq!(code, 0, "{name}: stderr {stderr}");
    assert_eq!(stdout, expected, "{name}");
}

const COMPILE_DEPTH: &str = "RecursionError: maximum recursion depth exceeded during compilation";

// ----- nesting in the source -------------------------------------------------------------

#[test]
fn ten_thousand_nested_brackets_are_a_syntax_error() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
        let src = format!("x = {}1{}\n", open.repeat(10_000), close.repeat(10_000));
        fails_with(
            "brackets",
            &src,
            &[],
            "SyntaxError: too many nested parentheses",
        );
    }
}

#[test]
fn deeply_nested_unary_operators_are_a_syntax_error() {
    for op in ["-", "not ", "~"] {
        let src = format!("x = {}1\n", op.repeat(10_000));
        fails_with(
            "unary",
            &src,
            &[],
            "SyntaxError: expression is too deeply nested",
        );
    }
}

#[test]
fn blocks_nested_past_one_hundred_are_an_indentation_error() {
    let mut src = String::new();
    for i in 0..10_000 {
        src.push_str(&format!("{}if x:\n", " ".repeat(i)));
    }
    src.push_str(&format!("{}pass\n", " ".repeat(10_000)));
    fails_with(
        "blocks",
        &src,
        &[],
        "IndentationError: too many levels of indentation",
    );
    // 99 levels compile and run.
    let mut ok = String::from("x = 1\n");
    for i in 0..99 {
        ok.push_str(&format!("{}if x:\n", " ".repeat(i)));
    }
    ok.push_str(&format!("{}print('deep')\n", " ".repeat(99)));
    prints("blocks_ok", &ok, &[], "deep\n");
}

#[test]
fn long_left_recursive_chains_are_a_recursion_error_not_a_crash() {
    let terms = |n: usize, t: &str, op: &str| vec![t; n].join(op);
    for (name, src) in [
        (
            "sum",
            format!("x = {}\nprint(x)\n", terms(100_000, "1", "+")),
        ),
        ("sum_1m", format!("x = {}\n", terms(1_000_000, "1", "+"))),
        ("product", format!("x = {}\n", terms(100_000, "2", "*"))),
        ("strcat", format!("x = {}\n", terms(100_000, "'a'", "+"))),
        ("attrs", format!("x = 1\nx{}\n", ".a".repeat(100_000))),
        (
            "calls",
            format!("def f(): return f\nf{}\n", "()".repeat(100_000)),
        ),
        (
            "subscripts",
            format!("x = [0]\nx{}\n", "[0]".repeat(100_000)),
        ),
        (
            "elifs",
            format!(
                "x = 1\nif x == 0:\n    pass\n{}",
                "elif x == 0:\n    pass\n".repeat(10_000)
            ),
        ),
    ] {
        fails_with(name, &src, &[], COMPILE_DEPTH);
    }
    // `gilsim check` compiles on the process's main thread: no overflow there either.
    let dir = Scratch::new("check_chain");
    let path = dir.script("chain.py", &format!("x = {}\n", terms(100_000, "1", "+")));
    let out = gilsim().arg("check").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(COMPILE_DEPTH));
    // Below CPython's limit, long chains compile and run.
    prints(
        "sum_ok",
        &format!("print({})\n", terms(2_500, "1", "+")),
        &[],
        "2500\n",
    );
    prints(
        "cmp_and_or",
        &format!(
            "print({})\nprint({})\n",
            terms(50_000, "1", " < "),
            terms(50_000, "1", " and ")
        ),
        &[],
        "False\n1\n",
    );
}

#[test]
fn deep_lambdas_and_nested_functions_end_cleanly() {
    let src = format!("f = {}1\nprint('ok')\n", "lambda: ".repeat(1000));
    fails_with(
        "lambdas",
        &src,
        &[],
        "SyntaxError: expression is too deeply nested",
    );
    let src = format!(
        "f = {}1\nprint(f{})\n",
        "lambda: ".repeat(150),
        "()".repeat(150)
    );
    prints("lambdas_ok", &src, &[], "1\n");
    let mut defs = String::new();
    for i in 0..90 {
        defs.push_str(&format!("{}def f{i}():\n", " ".repeat(i)));
    }
    defs.push_str(&format!("{}return 7\n", " ".repeat(90)));
    prints(
        "defs_ok",
        &format!("{defs}print('defined')\n"),
        &[],
        "defined\n",
    );
}

#[test]
fn deeply_nested_data_literals_end_cleanly() {
    // 190 levels of literal nesting parse (CPython's limit is 200 brackets) and print.
    let src = format!(
        "x = {}{}\nprint(len(str(x)))\n",
        "[".repeat(190),
        "]".repeat(190)
    );
    prints("literal_ok", &src, &[], "380\n");
    let src = format!("x = {}1{}\n", "{1: ".repeat(5000), "}".repeat(5000));
    fails_with(
        "dict_literal",
        &src,
        &[],
        "SyntaxError: too many nested parentheses",
    );
}

// ----- recursion at run time ---------------------------------------------------------------

const RECURSION: &str = "RecursionError: maximum recursion depth exceeded";

#[test]
fn python_recursion_stops_at_the_limit_on_the_main_thread_and_on_threads() {
    fails_with(
        "recurse",
        "def f(n):\n    return f(n + 1)\nf(0)\n",
        &[],
        RECURSION,
    );
    let src = "\
import sys, threading
def depth(n):
    try:
        return depth(n + 1)
    except RecursionError:
        return n
print(sys.getrecursionlimit(), depth(0) > 900)
sys.setrecursionlimit(200)
print(depth(0) < 200)
sys.setrecursionlimit(1000)
out = []
def worker():
    out.append(depth(0) > 900)
    try:
        sys.setrecursionlimit(100000)
        out.append(depth(0) > 90000)
    finally:
        sys.setrecursionlimit(1000)
t = threading.Thread(target=worker)
t.start()
t.join()
print(out)
";
    prints("limits", src, &[], "1000 True\nTrue\n[True, True]\n");
}

#[test]
fn a_huge_recursion_limit_still_ends_in_an_exception() {
    // Recursion through native code (repr calling __repr__) at a limit of a million: the
    // native stack runs out first, and that is a RecursionError too, on threads as well.
    let src = "\
import sys, threading
sys.setrecursionlimit(1000000)
class A:
    def __repr__(self):
        return repr(self)
def attempt():
    try:
        repr(A())
    except RecursionError as e:
        print('RecursionError', e)
attempt()
t = threading.Thread(target=attempt)
t.start()
t.join()
class B:
    def __eq__(self, other):
        return self == other
try:
    B() == B()
except RecursionError:
    print('eq ok')
";
    // Which check stops it (the native stack at an eval-loop entry, or at a repr level)
    // depends on the build; either is CPython's RecursionError.
    let (code, stdout, stderr) = run_script("huge_limit", src, &[]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in &lines[..2] {
        assert!(
            line.starts_with("RecursionError maximum recursion depth exceeded"),
            "{stdout}"
        );
    }
    assert_eq!(lines[2], "eq ok");
    // Pure Python recursion at a huge limit is bounded by memory.
    fails_with(
        "huge_limit_frames",
        "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1)\nf(0)\n",
        &["--max-memory", "256M"],
        "MemoryError",
    );
}

#[test]
fn recursion_through_dunders_is_a_recursion_error() {
    for (name, src) in [
        (
            "repr",
            "class A:\n    def __repr__(self): return repr(self)\nprint(A())\n",
        ),
        (
            "eq",
            "class A:\n    def __eq__(self, o): return self == o\nprint(A() == A())\n",
        ),
        (
            "hash",
            "class A:\n    def __hash__(self): return hash(self)\nprint(hash(A()))\n",
        ),
        (
            "getattr",
            "class A:\n    def __getattr__(self, n): return self.foo\nprint(A().x)\n",
        ),
        (
            "str",
            "class A:\n    def __str__(self): return str(self)\nprint(A())\n",
        ),
        ("init", "class A:\n    def __init__(self): A()\nA()\n"),
    ] {
        let (code, _, stderr) = run_script(name, src, &[]);
        assert_eq!(code, 1, "{name}: {stderr}");
        let last = stderr.lines().last().unwrap_or("");
        assert!(last.starts_with(RECURSION), "{name}: {last}");
    }
}

#[test]
fn self_containing_containers_print_with_ellipses() {
    prints(
        "selfref",
        "l = []\nl.append(l)\nprint(l)\nd = {}\nd[1] = d\nprint(d)\nprint(l == l)\n",
        &[],
        "[[...]]\n{1: {...}}\nTrue\n",
    );
}

#[test]
fn deeply_nested_values_are_a_recursion_error_to_walk_and_free_without_a_crash() {
    let build = "x = []\nfor i in range(100000):\n    x = [x]\n";
    fails_with(
        "deep_print",
        &format!("{build}print(x)\n"),
        &[],
        "RecursionError: maximum recursion depth exceeded while getting the repr of an object",
    );
    fails_with(
        "deep_eq",
        &format!("{build}y = []\nfor i in range(100000):\n    y = [y]\nprint(x == y)\n"),
        &[],
        "RecursionError: maximum recursion depth exceeded in comparison",
    );
    fails_with(
        "deep_lt",
        &format!("{build}y = []\nfor i in range(100000):\n    y = [y]\nprint(x < y)\n"),
        &[],
        "RecursionError: maximum recursion depth exceeded in comparison",
    );
    fails_with(
        "deep_hash",
        "x = ()\nfor i in range(1000000):\n    x = (x,)\nprint(hash(x))\n",
        &[],
        "RecursionError: maximum recursion depth exceeded while calling a Python object",
    );
    // Freeing a value nested millions deep (lists, tuples, dicts, instances, closures' cells).
    let src = "\
x = []
for i in range(3000000):
    x = [x]
del x
t = ()
for i in range(1000000):
    t = (t, i)
t = None
d = {}
for i in range(1000000):
    d = {'next': d}
d = 0
class Node:
    def __init__(self, nxt):
        self.nxt = nxt
n = None
for i in range(1000000):
    n = Node(n)
n = None
print('freed')
";
    prints("deep_free", src, &[], "freed\n");
}

#[test]
fn deep_values_cross_to_a_child_process_or_fail_cleanly() {
    // Pickling for a child process walks the value; too deep a value must not crash.
    let src = "\
import multiprocessing
def show(q, x):
    q.put(len(x))
if __name__ == '__main__':
    x = []
    for i in range(100000):
        x = [x]
    q = multiprocessing.Queue()
    try:
        q.put(x)
        print('sent')
    except RecursionError:
        print('RecursionError')
";
    let (code, stdout, stderr) = run_script("deep_pickle", src, &[]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(
        stdout == "sent\n" || stdout == "RecursionError\n",
        "{stdout} {stderr}"
    );
}

// ----- huge values -----------------------------------------------------------------------------

#[test]
fn huge_values_are_a_memory_error_or_an_overflow_error() {
    for (name, expr) in [
        ("str_repeat", "'x' * 10**12"),
        ("list_repeat", "[0] * 10**10"),
        ("tuple_repeat", "(0, 1) * 10**11"),
        ("bytes_repeat", "b'x' * 10**12"),
        ("shift", "1 << 10**9"),
        ("pow", "7 ** 10**10"),
        ("join", "','.join(['abc'] * 10**11)"),
        ("pad", "'x'.ljust(10**12)"),
        ("fmt_width", "format(1, '1000000000000d')"),
    ] {
        let src = format!("x = {expr}\nprint('built')\n");
        let (code, stdout, stderr) = run_script(name, &src, &[]);
        let last = stderr.lines().last().unwrap_or("");
        assert!(
            (code == 1 && (last == "MemoryError" || last.starts_with("OverflowError")))
                || (code == 0 && stdout == "built\n"),
            "{name}: {code} {last}"
        );
    }
    fails_with(
        "shift_overflow",
        "x = 1 << 10**12\n",
        &[],
        "OverflowError: too many digits in integer",
    );
}

#[test]
fn ints_convert_to_and_from_str_within_cpythons_digit_limit() {
    let limit_error = "ValueError: Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit";
    fails_with(
        "str_big",
        "x = 10**1000000\nprint(x > 0)\nprint(str(x))\n",
        &[],
        limit_error,
    );
    fails_with("repr_big", "print(repr(10**5000))\n", &[], limit_error);
    fails_with("fstring_big", "print(f'{10**5000}')\n", &[], limit_error);
    fails_with("percent_big", "print('%d' % 10**5000)\n", &[], limit_error);
    fails_with(
        "int_of_str",
        "int('1' * 5000)\n",
        &[],
        "ValueError: Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
    );
    let src = "\
import sys
print(sys.get_int_max_str_digits())
print(len(str(10**4299)), hex(10**5000)[:5])
sys.set_int_max_str_digits(0)
print(len(str(10**100000)))
sys.set_int_max_str_digits(10000)
print(len(str(int('7' * 9000))))
try:
    sys.set_int_max_str_digits(100)
except ValueError as e:
    print(e)
";
    prints(
        "set_digits",
        src,
        &[],
        "4300\n4300 0x31e\n100001\n9000\nmaxdigits must be 0 or larger than 640\n",
    );
}

#[test]
fn max_memory_bounds_the_heap_with_a_memory_error() {
    for (name, src) in [
        ("mm_repeat", "x = 'x' * (300 * 2**20)\n"),
        ("mm_list", "x = [0] * (40 * 2**20)\n"),
        ("mm_append", "x = []\nwhile True:\n    x.append(1)\n"),
        ("mm_comprehension", "x = [i for i in range(10**9)]\n"),
        (
            "mm_dict",
            "d = {}\ni = 0\nwhile True:\n    d[i] = i\n    i += 1\n",
        ),
        ("mm_concat", "s = 'x'\nwhile True:\n    s = s + s\n"),
        ("mm_bigint", "n = 3\nwhile True:\n    n = n << 10**7\n"),
        ("mm_list_of_lists", "x = [[i] for i in range(10**8)]\n"),
    ] {
        fails_with(name, src, &["--max-memory", "256M"], "MemoryError");
    }
    // Within the limit, the same work succeeds.
    prints(
        "mm_fits",
        "x = 'x' * (100 * 2**20)\nprint(len(x))\n",
        &["--max-memory", "256M"],
        "104857600\n",
    );
    // A MemoryError can be caught, and the program goes on.
    prints(
        "mm_caught",
        "try:\n    x = [0] * (100 * 2**20)\nexcept MemoryError:\n    print('caught')\nprint(sum([1] * 1000))\n",
        &["--max-memory", "128M"],
        "caught\n1000\n",
    );
    let out = gilsim()
        .args(["run", "--max-memory", "lots", "x.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid size"));
}

// ----- keys whose hash is Python code --------------------------------------------------------

/// Dict and set keys are hashed and compared inside the container's lock, where no Python code
/// runs: a key class with its own `__hash__` is refused with a clear error naming the class and
/// the line, rather than silently compared by identity. `hash()` itself still calls `__hash__`.
#[test]
fn keys_with_a_python_hash_are_refused_clearly() {
    let source = "class Key:\n    def __init__(self, n):\n        self.n = n\n    def __hash__(self):\n        return hash(self.n)\n    def __eq__(self, other):\n        return self.n == other.n\n\nprint(hash(Key(3)) == hash(3))\nd = {}\nd[Key(1)] = 'one'\n";
    let (code, stdout, stderr) = run_script("python_hash_key", source, &[]);
    assert_eq!(code, 1, "stderr {stderr}");
    assert_eq!(stdout, "True\n");
    assert!(
        stderr.contains("line 11"),
        "the line of the store: {stderr}"
    );
    assert_eq!(
        stderr.lines().last().unwrap_or(""),
        "NotImplementedError: instances of 'Key', a class defining __hash__, as dict keys or set members are not supported by gilsim"
    );
    fails_with(
        "python_hash_set_member",
        "class K:\n    def __hash__(self):\n        return 1\n\nprint(K() in {1, 2})\n",
        &[],
        "NotImplementedError: instances of 'K', a class defining __hash__, as dict keys or set members are not supported by gilsim",
    );
}
