//! The methods of `str`, as native functions installed on the `str` class.
//!
//! Every method receives the string as `args.pos[0]`. Python indexes strings by code point while
//! Rust stores UTF-8, so every index a method takes or returns is converted at the boundary:
//! ASCII strings (flagged on [`PyStr`]) use byte offsets directly, others walk `char_indices`, and
//! no slice is ever taken at a non-character boundary. Character classes (`isspace`, `isalpha`,
//! `isprintable`...) and title-case/case-folding follow CPython's Unicode tables, in
//! [`unicode`]. Operators (`+`, `*`, `%`, `in`, indexing) belong to the VM, not here.

pub mod unicode;

use std::sync::Arc;

use super::super::Vm;
use super::super::errors::{ExcKind, PyErr, PyResult};
use super::super::format;
use super::super::objects::{Args, Class, NativeFn, PyStr};
use super::super::ops::{to_index, type_name};
use super::super::value::Value;

/// Installs every `str` method on the class.
pub fn install(cls: &Arc<Class>) {
    let methods: &[(&'static str, NativeFn)] = &[
        ("join", join),
        ("split", split),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("replace", replace),
        ("startswith", startswith),
        ("endswith", endswith),
        ("upper", upper),
        ("lower", lower),
        ("title", title),
        ("capitalize", capitalize),
        ("swapcase", swapcase),
        ("casefold", casefold),
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("format", format_method),
        ("format_map", format_map),
        ("__format__", dunder_format),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("isdigit", isdigit),
        ("isdecimal", isdecimal),
        ("isnumeric", isnumeric),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isidentifier", isidentifier),
        ("isascii", isascii),
        ("isprintable", isprintable),
        ("partition", partition),
        ("rpartition", rpartition),
        ("encode", encode),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("expandtabs", expandtabs),
        ("translate", translate),
        ("maketrans", maketrans),
        ("__len__", len),
        ("__contains__", contains),
    ];
    super::add_methods(cls, methods);
}

// ---------------------------------------------------------------------------------------------
// Argument helpers
// ---------------------------------------------------------------------------------------------

/// The receiver, which must be a `str`.
fn this<'a>(args: &Args<'a>, name: &str) -> PyResult<&'a Arc<PyStr>> {
    match args.pos.first() {
        Some(Value::Str(s)) => Ok(s),
        Some(v) => Err(PyErr::type_error(format!(
            "descriptor '{name}' for 'str' objects doesn't apply to a '{}' object",
            type_name(v)
        ))),
        None => Err(PyErr::type_error(format!(
            "unbound method str.{name}() needs an argument"
        ))),
    }
}

/// Checks the arguments after the receiver: between `min` and `max` positional ones, and only
/// the keywords in `allowed`.
fn check(args: &Args<'_>, name: &str, min: usize, max: usize, allowed: &[&str]) -> PyResult<()> {
    let rest = Args {
        pos: args.pos.get(1..).unwrap_or(&[]),
        kw: args.kw,
    };
    if max == 0 && !rest.pos.is_empty() {
        return Err(PyErr::type_error(format!(
            "str.{name}() takes no arguments ({} given)",
            rest.pos.len()
        )));
    }
    rest.check(name, min, max, allowed)
}

/// Argument `i` (counting the receiver as 0) or keyword `name`, treating `None` as absent.
fn opt<'a>(args: &Args<'a>, i: usize, name: &str) -> Option<&'a Value> {
    args.get(i, name).filter(|v| !v.is_none())
}

/// A `str` argument, or `TypeError: {fname}() argument {n} must be str, not int`.
fn str_arg<'a>(v: &'a Value, fname: &str, n: usize) -> PyResult<&'a str> {
    v.as_str().ok_or_else(|| {
        PyErr::type_error(format!(
            "{fname}() argument {n} must be str, not {}",
            type_name(v)
        ))
    })
}

/// A substring argument of `find`/`count`/...: `TypeError: must be str, not int`.
fn sub_arg(v: &Value) -> PyResult<&str> {
    v.as_str()
        .ok_or_else(|| PyErr::type_error(format!("must be str, not {}", type_name(v))))
}

fn bool_value(b: bool) -> PyResult<Value> {
    Ok(Value::Bool(b))
}

/// Returns the receiver itself (strings are immutable, so `s.strip()` of a clean `s` is `s`).
fn same(s: &Arc<PyStr>) -> Value {
    Value::Str(s.clone())
}

/// Collects `join`'s argument; a non-iterable gets CPython's `can only join an iterable`.
pub(super) fn iterate_for_join(vm: &mut Vm, v: &Value) -> PyResult<Vec<Value>> {
    vm.iterate(v).map_err(|e| match e {
        PyErr::New(ExcKind::TypeError, ref args)
            if args
                .first()
                .and_then(Value::as_str)
                .is_some_and(|m| m.ends_with("is not iterable")) =>
        {
            PyErr::type_error("can only join an iterable")
        }
        e => e,
    })
}

// ---------------------------------------------------------------------------------------------
// Code-point indexing
// ---------------------------------------------------------------------------------------------

/// The byte offset of code point `ci` (clamped to the end).
fn byte_offset(s: &PyStr, ci: usize) -> usize {
    let text = s.as_str();
    if s.is_ascii() {
        ci.min(text.len())
    } else {
        text.char_indices().nth(ci).map_or(text.len(), |(b, _)| b)
    }
}

/// The number of code points in `text`, a piece of `s`.
fn chars_in(s: &PyStr, text: &str) -> usize {
    if s.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// An optional start/end index argument as an `i64` (`None` or absent gives `None`).
fn index_arg(v: Option<&Value>) -> PyResult<Option<i64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => to_index(v).map(Some).map_err(|_| {
            PyErr::type_error("slice indices must be integers or None or have an __index__ method")
        }),
    }
}

/// The piece of a string between Python `start`/`end` arguments (CPython's `ADJUST_INDICES`).
struct Window<'a> {
    text: &'a str,
    /// Code-point index of the window's first character in the whole string.
    char_start: usize,
}

/// Resolves `start`/`end` arguments; `None` when the window is empty because start > end (in
/// which case even an empty substring is not found).
fn window<'a>(
    s: &'a PyStr,
    start: Option<&Value>,
    end: Option<&Value>,
) -> PyResult<Option<Window<'a>>> {
    let (start, end) = (index_arg(start)?, index_arg(end)?);
    if start.is_none() && end.is_none() {
        return Ok(Some(Window {
            text: s.as_str(),
            char_start: 0,
        }));
    }
    let len = s.char_len() as i64;
    let mut end = end.unwrap_or(len);
    if end > len {
        end = len;
    } else if end < 0 {
        end = (end + len).max(0);
    }
    let mut start = start.unwrap_or(0);
    if start < 0 {
        start = (start + len).max(0);
    }
    if start > end {
        return Ok(None);
    }
    let (start, end) = (start as usize, end as usize);
    let (bs, be) = (byte_offset(s, start), byte_offset(s, end));
    Ok(Some(Window {
        text: &s.as_str()[bs..be],
        char_start: start,
    }))
}

// ---------------------------------------------------------------------------------------------
// Searching
// ---------------------------------------------------------------------------------------------

/// The code-point index of `sub` in the receiver's window, searching forwards or backwards.
fn search(args: &Args<'_>, name: &str, reverse: bool) -> PyResult<Option<usize>> {
    let s = this(args, name)?;
    check(args, name, 1, 3, &[])?;
    let sub = sub_arg(&args.pos[1])?;
    let Some(w) = window(s, args.pos.get(2), args.pos.get(3))? else {
        return Ok(None);
    };
    let found = if reverse {
        w.text.rfind(sub)
    } else {
        w.text.find(sub)
    };
    Ok(found.map(|off| w.char_start + chars_in(s, &w.text[..off])))
}

fn found_or_minus_one(r: Option<usize>) -> PyResult<Value> {
    Ok(Value::Int(r.map_or(-1, |i| i as i64)))
}

fn found_or_error(r: Option<usize>) -> PyResult<Value> {
    r.map(|i| Value::Int(i as i64))
        .ok_or_else(|| PyErr::value_error("substring not found"))
}

fn find(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    found_or_minus_one(search(&args, "find", false)?)
}

fn rfind(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    found_or_minus_one(search(&args, "rfind", true)?)
}

fn index(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    found_or_error(search(&args, "index", false)?)
}

fn rindex(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    found_or_error(search(&args, "rindex", true)?)
}

fn count(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "count")?;
    check(&args, "count", 1, 3, &[])?;
    let sub = sub_arg(&args.pos[1])?;
    let Some(w) = window(s, args.pos.get(2), args.pos.get(3))? else {
        return Ok(Value::Int(0));
    };
    let n = if sub.is_empty() {
        chars_in(s, w.text) + 1
    } else {
        w.text.matches(sub).count()
    };
    Ok(Value::Int(n as i64))
}

/// `startswith`/`endswith`: a str or a tuple of str, within an optional window.
fn affix_match(args: &Args<'_>, name: &str, suffix: bool) -> PyResult<Value> {
    let s = this(args, name)?;
    check(args, name, 1, 3, &[])?;
    let Some(w) = window(s, args.pos.get(2), args.pos.get(3))? else {
        return bool_value(false);
    };
    let test = |p: &str| {
        if suffix {
            w.text.ends_with(p)
        } else {
            w.text.starts_with(p)
        }
    };
    match &args.pos[1] {
        Value::Str(p) => bool_value(test(p.as_str())),
        Value::Tuple(t) => {
            for item in &t.0 {
                let p = item.as_str().ok_or_else(|| {
                    PyErr::type_error(format!(
                        "tuple for {name} must only contain str, not {}",
                        type_name(item)
                    ))
                })?;
                if test(p) {
                    return bool_value(true);
                }
            }
            bool_value(false)
        }
        other => Err(PyErr::type_error(format!(
            "{name} first arg must be str or a tuple of str, not {}",
            type_name(other)
        ))),
    }
}

fn startswith(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    affix_match(&args, "startswith", false)
}

fn endswith(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    affix_match(&args, "endswith", true)
}

fn contains(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "__contains__")?;
    check(&args, "__contains__", 1, 1, &[])?;
    match args.pos[1].as_str() {
        Some(sub) => bool_value(s.as_str().contains(sub)),
        None => Err(PyErr::type_error(format!(
            "'in <string>' requires string as left operand, not {}",
            type_name(&args.pos[1])
        ))),
    }
}

fn len(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "__len__")?;
    check(&args, "__len__", 0, 0, &[])?;
    Ok(Value::Int(s.char_len() as i64))
}

// ---------------------------------------------------------------------------------------------
// Splitting and joining
// ---------------------------------------------------------------------------------------------

/// The parts of a split of `whole` as a list of str: substrings of an ASCII string are ASCII.
fn str_list<'a>(whole: &PyStr, parts: impl IntoIterator<Item = &'a str>) -> Value {
    let ascii = whole.is_ascii();
    Value::list(
        parts
            .into_iter()
            .map(|p| Value::str_with_ascii(p.to_string(), ascii))
            .collect(),
    )
}

/// The `maxsplit` argument: negative means no limit.
fn maxsplit_arg(args: &Args<'_>) -> PyResult<Option<usize>> {
    match args.get(2, "maxsplit") {
        None => Ok(None),
        Some(v) => {
            let n = to_index(v)?;
            Ok(usize::try_from(n).ok())
        }
    }
}

/// The `sep` argument: `None` for whitespace splitting.
fn sep_arg<'a>(args: &Args<'a>) -> PyResult<Option<&'a str>> {
    match opt(args, 1, "sep") {
        None => Ok(None),
        Some(v) => {
            let sep = v.as_str().ok_or_else(|| {
                PyErr::type_error(format!("must be str or None, not {}", type_name(v)))
            })?;
            if sep.is_empty() {
                return Err(PyErr::value_error("empty separator"));
            }
            Ok(Some(sep))
        }
    }
}

/// Python's whitespace among ASCII bytes (which includes the separators `\x1c`-`\x1f`).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b'\x1c'..=b' ')
}

/// Splits on runs of whitespace, from the left, at most `max` times.
fn split_whitespace(s: &str, max: Option<usize>) -> Vec<&str> {
    if s.is_ascii() {
        // Byte offsets of an ASCII string are always character boundaries.
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(8);
        let mut i = 0;
        loop {
            while i < b.len() && is_ascii_space(b[i]) {
                i += 1;
            }
            if i == b.len() {
                break;
            }
            if max == Some(out.len()) {
                out.push(&s[i..]);
                break;
            }
            let start = i;
            while i < b.len() && !is_ascii_space(b[i]) {
                i += 1;
            }
            out.push(&s[start..i]);
        }
        return out;
    }
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(unicode::is_space);
        if rest.is_empty() {
            break;
        }
        if max == Some(out.len()) {
            out.push(rest);
            break;
        }
        let end = rest.find(unicode::is_space).unwrap_or(rest.len());
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// Splits on runs of whitespace, from the right, at most `max` times.
fn rsplit_whitespace(s: &str, max: Option<usize>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_end_matches(unicode::is_space);
        if rest.is_empty() {
            break;
        }
        if max == Some(out.len()) {
            out.push(rest);
            break;
        }
        let start = rest
            .char_indices()
            .rev()
            .find(|&(_, c)| unicode::is_space(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        out.push(&rest[start..]);
        rest = &rest[..start];
    }
    out.reverse();
    out
}

fn split(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "split")?;
    check(&args, "split", 0, 2, &["sep", "maxsplit"])?;
    let max = maxsplit_arg(&args)?;
    let text = s.as_str();
    Ok(match sep_arg(&args)? {
        None => str_list(s, split_whitespace(text, max)),
        Some(sep) => match max {
            None => str_list(s, text.split(sep)),
            Some(n) => str_list(s, text.splitn(n.saturating_add(1), sep)),
        },
    })
}

fn rsplit(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "rsplit")?;
    check(&args, "rsplit", 0, 2, &["sep", "maxsplit"])?;
    let max = maxsplit_arg(&args)?;
    let text = s.as_str();
    Ok(match sep_arg(&args)? {
        None => str_list(s, rsplit_whitespace(text, max)),
        Some(sep) => {
            let mut parts: Vec<&str> = match max {
                None => text.rsplit(sep).collect(),
                Some(n) => text.rsplitn(n.saturating_add(1), sep).collect(),
            };
            parts.reverse();
            str_list(s, parts)
        }
    })
}

/// Whether `c` ends a line for `splitlines`.
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

fn splitlines(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "splitlines")?;
    check(&args, "splitlines", 0, 1, &["keepends"])?;
    let keep = match args.get(1, "keepends") {
        Some(Value::Bool(b)) => *b,
        Some(v) => to_index(v)? != 0,
        None => false,
    };
    let text = s.as_str();
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !is_line_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && iter.peek().is_some_and(|&(_, n)| n == '\n') {
            iter.next();
            end += 1;
        }
        out.push(Value::str(&text[line_start..if keep { end } else { i }]));
        line_start = end;
    }
    if line_start < text.len() {
        out.push(Value::str(&text[line_start..]));
    }
    Ok(Value::list(out))
}

fn join(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "join")?;
    check(&args, "join", 1, 1, &[])?;
    match &args.pos[1] {
        // Joined under the list's lock, which nothing here can call back from: no snapshot,
        // so no count taken and dropped per item.
        Value::List(l) => join_strs(s, &l.0.lock()),
        Value::Tuple(t) => join_strs(s, &t.0),
        other => join_strs(s, &iterate_for_join(vm, other)?),
    }
}

/// `sep.join(items)` once the items are in hand.
fn join_strs(sep: &PyStr, items: &[Value]) -> PyResult<Value> {
    let mut ascii = sep.is_ascii();
    let sep = sep.as_str();
    let mut total = sep.len() * items.len().saturating_sub(1);
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Str(p) => {
                total += p.as_str().len();
                ascii &= p.is_ascii();
            }
            _ => {
                return Err(PyErr::type_error(format!(
                    "sequence item {i}: expected str instance, {} found",
                    type_name(item)
                )));
            }
        }
    }
    crate::memory::reserve(total)?;
    if let [Value::Str(only)] = items {
        return Ok(Value::Str(only.clone()));
    }
    let mut out = String::with_capacity(total);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_str().unwrap_or_default());
    }
    Ok(Value::str_with_ascii(out, ascii))
}

/// `partition`/`rpartition`.
fn partition_impl(args: &Args<'_>, name: &str, reverse: bool) -> PyResult<Value> {
    let s = this(args, name)?;
    check(args, name, 1, 1, &[])?;
    let sep = args.pos[1].as_str().ok_or_else(|| {
        PyErr::type_error(format!("must be str, not {}", type_name(&args.pos[1])))
    })?;
    if sep.is_empty() {
        return Err(PyErr::value_error("empty separator"));
    }
    let text = s.as_str();
    let found = if reverse {
        text.rfind(sep)
    } else {
        text.find(sep)
    };
    Ok(Value::tuple(match found {
        Some(i) => vec![
            Value::str(&text[..i]),
            args.pos[1].clone(),
            Value::str(&text[i + sep.len()..]),
        ],
        None if reverse => vec![Value::str(""), Value::str(""), same(s)],
        None => vec![same(s), Value::str(""), Value::str("")],
    }))
}

fn partition(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    partition_impl(&args, "partition", false)
}

fn rpartition(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    partition_impl(&args, "rpartition", true)
}

// ---------------------------------------------------------------------------------------------
// Stripping, replacing, padding
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Both,
}

fn strip_impl(args: &Args<'_>, name: &str, side: Side) -> PyResult<Value> {
    let s = this(args, name)?;
    check(args, name, 0, 1, &[])?;
    let text = s.as_str();
    let out = match opt(args, 1, "chars") {
        None => match side {
            Side::Left => text.trim_start_matches(unicode::is_space),
            Side::Right => text.trim_end_matches(unicode::is_space),
            Side::Both => text.trim_matches(unicode::is_space),
        },
        Some(v) => {
            let chars = v
                .as_str()
                .ok_or_else(|| PyErr::type_error(format!("{name} arg must be None or str")))?;
            let set = |c: char| chars.contains(c);
            match side {
                Side::Left => text.trim_start_matches(set),
                Side::Right => text.trim_end_matches(set),
                Side::Both => text.trim_matches(set),
            }
        }
    };
    Ok(if out.len() == text.len() {
        same(s)
    } else {
        Value::str(out)
    })
}

fn strip(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    strip_impl(&args, "strip", Side::Both)
}

fn lstrip(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    strip_impl(&args, "lstrip", Side::Left)
}

fn rstrip(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    strip_impl(&args, "rstrip", Side::Right)
}

fn replace(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "replace")?;
    check(&args, "replace", 2, 3, &[])?;
    let old = str_arg(&args.pos[1], "replace", 1)?;
    let new = str_arg(&args.pos[2], "replace", 2)?;
    let count = match args.pos.get(3) {
        Some(v) => to_index(v)?,
        None => -1,
    };
    let text = s.as_str();
    if count == 0 || (!old.is_empty() && !text.contains(old)) {
        return Ok(same(s));
    }
    Ok(Value::str(match usize::try_from(count) {
        Ok(n) => text.replacen(old, new, n),
        Err(_) => text.replace(old, new),
    }))
}

fn removeprefix(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "removeprefix")?;
    check(&args, "removeprefix", 1, 1, &[])?;
    let p = str_arg(&args.pos[1], "removeprefix", 1)?;
    Ok(match s.as_str().strip_prefix(p) {
        Some(rest) if !p.is_empty() => Value::str(rest),
        _ => same(s),
    })
}

fn removesuffix(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "removesuffix")?;
    check(&args, "removesuffix", 1, 1, &[])?;
    let p = str_arg(&args.pos[1], "removesuffix", 1)?;
    Ok(match s.as_str().strip_suffix(p) {
        Some(rest) if !p.is_empty() => Value::str(rest),
        _ => same(s),
    })
}

/// `center`/`ljust`/`rjust`: `(width, fillchar=' ')`.
fn justify(args: &Args<'_>, name: &str, how: char) -> PyResult<Value> {
    let s = this(args, name)?;
    check(args, name, 1, 2, &[])?;
    let width = to_index(&args.pos[1])?;
    let fill = match args.pos.get(2) {
        None => ' ',
        Some(v) => {
            let f = str_arg(v, name, 2)?;
            let mut it = f.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(PyErr::type_error(
                        "The fill character must be exactly one character long",
                    ));
                }
            }
        }
    };
    let n = s.char_len();
    let width = format::check_alloc(usize::try_from(width).unwrap_or(0))?;
    if width <= n {
        return Ok(same(s));
    }
    let marg = width - n;
    let left = match how {
        '<' => 0,
        '>' => marg,
        // CPython's rounding: the odd space goes left when the width is odd.
        _ => marg / 2 + (marg & width & 1),
    };
    let mut out = String::with_capacity(s.as_str().len() + marg * fill.len_utf8());
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(s.as_str());
    out.extend(std::iter::repeat_n(fill, marg - left));
    Ok(Value::str(out))
}

fn center(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    justify(&args, "center", '^')
}

fn ljust(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    justify(&args, "ljust", '<')
}

fn rjust(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    justify(&args, "rjust", '>')
}

fn zfill(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "zfill")?;
    check(&args, "zfill", 1, 1, &[])?;
    let width = format::check_alloc(usize::try_from(to_index(&args.pos[1])?).unwrap_or(0))?;
    let n = s.char_len();
    if width <= n {
        return Ok(same(s));
    }
    let text = s.as_str();
    let (sign, digits) = match text.as_bytes().first() {
        Some(b'+' | b'-') => text.split_at(1),
        _ => ("", text),
    };
    let mut out = String::with_capacity(width + text.len() - n);
    out.push_str(sign);
    out.extend(std::iter::repeat_n('0', width - n));
    out.push_str(digits);
    Ok(Value::str(out))
}

fn expandtabs(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "expandtabs")?;
    check(&args, "expandtabs", 0, 1, &["tabsize"])?;
    let tabsize = match args.get(1, "tabsize") {
        Some(v) => i64::from(
            i32::try_from(to_index(v)?)
                .map_err(|_| PyErr::overflow("Python int too large to convert to C int"))?,
        ),
        None => 8,
    };
    let text = s.as_str();
    if !text.contains('\t') {
        return Ok(same(s));
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut col: i64 = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let n = tabsize - col % tabsize;
                    let total = format::check_alloc(usize::try_from(n).unwrap_or(usize::MAX))?;
                    format::check_alloc(out.len().saturating_add(total))?;
                    out.extend(std::iter::repeat_n(' ', total));
                    col += n;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(Value::str(out))
}

// ---------------------------------------------------------------------------------------------
// Case mapping
// ---------------------------------------------------------------------------------------------

/// Characters skipped when deciding whether a capital sigma ends a word (an approximation of
/// Unicode's `Case_Ignorable`: apostrophes, periods, colons and combining marks).
fn is_case_ignorable(c: char) -> bool {
    matches!(
        c,
        '\'' | '.' | ':' | '^' | '`' | '\u{ad}' | '\u{b7}' | '\u{2018}' | '\u{2019}' | '\u{300}'
            ..='\u{36f}'
    )
}

/// Appends the lower case of `chars[i]`, applying the Greek final-sigma rule as CPython does.
fn push_lower_at(out: &mut String, chars: &[char], i: usize) {
    let c = chars[i];
    if c != '\u{3a3}' {
        unicode::push_lower(out, c);
        return;
    }
    let before = chars[..i].iter().rev().find(|&&c| !is_case_ignorable(c));
    let mut final_sigma = before.is_some_and(|&c| unicode::is_cased(c));
    if final_sigma {
        let after = chars[i + 1..].iter().find(|&&c| !is_case_ignorable(c));
        final_sigma = after.is_none_or(|&c| !unicode::is_cased(c));
    }
    out.push(if final_sigma { '\u{3c2}' } else { '\u{3c3}' });
}

fn upper(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "upper")?;
    check(&args, "upper", 0, 0, &[])?;
    let text = s.as_str();
    if s.is_ascii() {
        return Ok(Value::str_with_ascii(text.to_ascii_uppercase(), true));
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        unicode::push_upper(&mut out, c);
    }
    Ok(Value::str(out))
}

fn lower(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "lower")?;
    check(&args, "lower", 0, 0, &[])?;
    let text = s.as_str();
    if s.is_ascii() {
        return Ok(Value::str_with_ascii(text.to_ascii_lowercase(), true));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for i in 0..chars.len() {
        push_lower_at(&mut out, &chars, i);
    }
    Ok(Value::str(out))
}

fn casefold(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "casefold")?;
    check(&args, "casefold", 0, 0, &[])?;
    let text = s.as_str();
    if s.is_ascii() {
        return Ok(Value::str(text.to_ascii_lowercase()));
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        unicode::push_casefold(&mut out, c);
    }
    Ok(Value::str(out))
}

fn swapcase(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "swapcase")?;
    check(&args, "swapcase", 0, 0, &[])?;
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = String::with_capacity(s.as_str().len());
    for (i, &c) in chars.iter().enumerate() {
        if unicode::is_upper(c) {
            push_lower_at(&mut out, &chars, i);
        } else if unicode::is_lower(c) {
            unicode::push_upper(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Ok(Value::str(out))
}

fn title(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "title")?;
    check(&args, "title", 0, 0, &[])?;
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = String::with_capacity(s.as_str().len());
    let mut previous_is_cased = false;
    for (i, &c) in chars.iter().enumerate() {
        if previous_is_cased {
            push_lower_at(&mut out, &chars, i);
        } else {
            unicode::push_title(&mut out, c);
        }
        previous_is_cased = unicode::is_cased(c);
    }
    Ok(Value::str(out))
}

fn capitalize(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "capitalize")?;
    check(&args, "capitalize", 0, 0, &[])?;
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = String::with_capacity(s.as_str().len());
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            unicode::push_title(&mut out, c);
        } else {
            push_lower_at(&mut out, &chars, i);
        }
    }
    Ok(Value::str(out))
}

// ---------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------

/// True when the string is non-empty and every character satisfies `pred`.
fn all_chars(args: &Args<'_>, name: &str, pred: fn(char) -> bool) -> PyResult<Value> {
    let s = this(args, name)?;
    check(args, name, 0, 0, &[])?;
    let text = s.as_str();
    bool_value(!text.is_empty() && text.chars().all(pred))
}

fn isdigit(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_chars(&args, "isdigit", unicode::is_digit)
}

fn isdecimal(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_chars(&args, "isdecimal", unicode::is_decimal)
}

fn isnumeric(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_chars(&args, "isnumeric", unicode::is_numeric)
}

fn isalpha(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_chars(&args, "isalpha", unicode::is_alpha)
}

fn isalnum(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_chars(&args, "isalnum", unicode::is_alnum)
}

fn isspace(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_chars(&args, "isspace", unicode::is_space)
}

fn isprintable(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "isprintable")?;
    check(&args, "isprintable", 0, 0, &[])?;
    bool_value(s.as_str().chars().all(unicode::is_printable))
}

fn isascii(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "isascii")?;
    check(&args, "isascii", 0, 0, &[])?;
    bool_value(s.is_ascii())
}

fn isupper(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "isupper")?;
    check(&args, "isupper", 0, 0, &[])?;
    let mut cased = false;
    for c in s.as_str().chars() {
        if unicode::is_lower(c) || unicode::is_titlecase(c) {
            return bool_value(false);
        }
        cased |= unicode::is_upper(c);
    }
    bool_value(cased)
}

fn islower(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "islower")?;
    check(&args, "islower", 0, 0, &[])?;
    let mut cased = false;
    for c in s.as_str().chars() {
        if unicode::is_upper(c) || unicode::is_titlecase(c) {
            return bool_value(false);
        }
        cased |= unicode::is_lower(c);
    }
    bool_value(cased)
}

fn istitle(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "istitle")?;
    check(&args, "istitle", 0, 0, &[])?;
    let mut cased = false;
    let mut previous_is_cased = false;
    for c in s.as_str().chars() {
        if unicode::is_upper(c) || unicode::is_titlecase(c) {
            if previous_is_cased {
                return bool_value(false);
            }
            previous_is_cased = true;
            cased = true;
        } else if unicode::is_lower(c) {
            if !previous_is_cased {
                return bool_value(false);
            }
            previous_is_cased = true;
            cased = true;
        } else {
            previous_is_cased = false;
        }
    }
    bool_value(cased)
}

fn isidentifier(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "isidentifier")?;
    check(&args, "isidentifier", 0, 0, &[])?;
    let mut chars = s.as_str().chars();
    bool_value(chars.next().is_some_and(unicode::is_id_start) && chars.all(unicode::is_id_continue))
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

fn format_method(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "format")?;
    let rest = args.pos.get(1..).unwrap_or(&[]);
    format::str_format(vm, s.as_str(), rest, args.kw).map(Value::str)
}

fn format_map(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "format_map")?;
    check(&args, "format_map", 1, 1, &[])?;
    format::str_format_map(vm, s.as_str(), &args.pos[1]).map(Value::str)
}

fn dunder_format(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "__format__")?;
    check(&args, "__format__", 1, 1, &[])?;
    let spec = str_arg(&args.pos[1], "__format__", 1)?;
    format::format_str_spec(s.as_str(), spec).map(Value::str)
}

// ---------------------------------------------------------------------------------------------
// Encoding and translation
// ---------------------------------------------------------------------------------------------

/// The codecs `encode`/`decode` know, by their normalised names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Codec {
    Utf8,
    Ascii,
    Latin1,
}

impl Codec {
    /// Looks a codec up by any of its usual spellings (`UTF-8`, `utf8`, `latin_1`, `iso-8859-1`).
    pub fn lookup(name: &str) -> PyResult<Codec> {
        let norm: String = name
            .chars()
            .map(|c| {
                if c == '_' || c == ' ' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        match norm.as_str() {
            "utf-8" | "utf8" | "u8" | "utf" | "cp65001" => Ok(Codec::Utf8),
            "ascii" | "us-ascii" | "646" => Ok(Codec::Ascii),
            "latin-1" | "latin1" | "latin" | "l1" | "iso-8859-1" | "iso8859-1" | "8859"
            | "cp819" => Ok(Codec::Latin1),
            _ => Err(PyErr::new(
                ExcKind::LookupError,
                format!("unknown encoding: {name}"),
            )),
        }
    }

    /// The name CPython's error messages use.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Ascii => "ascii",
            Codec::Latin1 => "latin-1",
        }
    }

    /// The first code point the codec cannot encode.
    fn limit(self) -> u32 {
        match self {
            Codec::Utf8 => 0x110000,
            Codec::Ascii => 0x80,
            Codec::Latin1 => 0x100,
        }
    }
}

/// Encodes text with a codec and an error handler (`strict`, `ignore`, `replace`,
/// `xmlcharrefreplace`, `backslashreplace`).
pub fn encode_text(text: &str, codec: Codec, errors: &str) -> PyResult<Vec<u8>> {
    if codec == Codec::Utf8 || text.is_ascii() {
        return Ok(text.as_bytes().to_vec());
    }
    let limit = codec.limit();
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c as u32) < limit {
            out.push(c as u32 as u8);
            i += 1;
            continue;
        }
        match errors {
            "strict" => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| (c as u32) < limit)
                    .map_or(chars.len(), |n| i + n);
                let msg = if end - i == 1 {
                    format!(
                        "'{}' codec can't encode character '{}' in position {i}: ordinal not in range({limit})",
                        codec.name(),
                        escape_char(c)
                    )
                } else {
                    format!(
                        "'{}' codec can't encode characters in position {i}-{}: ordinal not in range({limit})",
                        codec.name(),
                        end - 1
                    )
                };
                return Err(PyErr::new(ExcKind::UnicodeEncodeError, msg));
            }
            "ignore" => {}
            "replace" => out.push(b'?'),
            "xmlcharrefreplace" => out.extend_from_slice(format!("&#{};", c as u32).as_bytes()),
            "backslashreplace" => out.extend_from_slice(escape_char(c).as_bytes()),
            other => {
                return Err(PyErr::new(
                    ExcKind::LookupError,
                    format!("unknown error handler name '{other}'"),
                ));
            }
        }
        i += 1;
    }
    Ok(out)
}

/// `\xNN`, `\uNNNN` or `\UNNNNNNNN` for a character, as encode errors show it.
fn escape_char(c: char) -> String {
    let n = c as u32;
    if n < 0x100 {
        format!("\\x{n:02x}")
    } else if n < 0x10000 {
        format!("\\u{n:04x}")
    } else {
        format!("\\U{n:08x}")
    }
}

fn encode(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "encode")?;
    check(&args, "encode", 0, 2, &["encoding", "errors"])?;
    let codec = match args.get(1, "encoding") {
        Some(v) => Codec::lookup(str_arg(v, "encode", 1)?)?,
        None => Codec::Utf8,
    };
    let errors = match args.get(2, "errors") {
        Some(v) => str_arg(v, "encode", 2)?,
        None => "strict",
    };
    Ok(Value::bytes(encode_text(s.as_str(), codec, errors)?))
}

/// `str.maketrans(x[, y[, z]])`, a static method: called through the class, its arguments
/// arrive without a receiver. Builds the `{code point: replacement}` dict `translate` takes.
fn maketrans(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("maketrans", 1, 3, &[])?;
    let dict = super::super::objects::PyDict::new();
    match args.pos {
        [Value::Dict(d)] => {
            for (k, v) in d.items() {
                let key = match &k {
                    Value::Str(s) if s.char_len() == 1 => {
                        Value::Int(s.as_str().chars().next().map_or(0, |c| c as i64))
                    }
                    Value::Str(_) => {
                        return Err(PyErr::value_error(
                            "string keys in translate table must be of length 1",
                        ));
                    }
                    Value::Int(_) => k.clone(),
                    _ => {
                        return Err(PyErr::type_error(
                            "keys in translate table must be strings or integers",
                        ));
                    }
                };
                dict.insert(key, v)?;
            }
        }
        [_] => {
            return Err(PyErr::type_error(
                "if you give only one argument to maketrans it must be a dict",
            ));
        }
        [x, y, rest @ ..] => {
            let x = x.as_str().ok_or_else(|| {
                PyErr::type_error(
                    "first maketrans argument must be a string if there is a second argument",
                )
            })?;
            let y = y
                .as_str()
                .ok_or_else(|| PyErr::type_error("maketrans() argument 2 must be str"))?;
            if x.chars().count() != y.chars().count() {
                return Err(PyErr::value_error(
                    "the first two maketrans arguments must have equal length",
                ));
            }
            for (a, b) in x.chars().zip(y.chars()) {
                dict.insert(Value::Int(a as i64), Value::Int(b as i64))?;
            }
            if let Some(z) = rest.first() {
                let z = z
                    .as_str()
                    .ok_or_else(|| PyErr::type_error("maketrans() argument 3 must be str"))?;
                for c in z.chars() {
                    dict.insert(Value::Int(c as i64), Value::None)?;
                }
            }
        }
        [] => {}
    }
    Ok(Value::Dict(Arc::new(dict)))
}

fn translate(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let s = this(&args, "translate")?;
    check(&args, "translate", 1, 1, &[])?;
    let table = &args.pos[1];
    let mut out = String::with_capacity(s.as_str().len());
    for c in s.as_str().chars() {
        let mapped = match table {
            Value::Dict(d) => d.get(&Value::Int(c as i64)),
            _ => match vm.get_item(table, &Value::Int(c as i64)) {
                Ok(v) => Some(v),
                Err(PyErr::New(
                    ExcKind::LookupError | ExcKind::IndexError | ExcKind::KeyError,
                    _,
                )) => None,
                Err(e) => return Err(e),
            },
        };
        match mapped {
            None => out.push(c),
            Some(Value::None) => {}
            Some(Value::Str(r)) => out.push_str(r.as_str()),
            Some(Value::Int(n)) => match u32::try_from(n).ok().and_then(char::from_u32) {
                Some(r) => out.push(r),
                None => {
                    return Err(PyErr::value_error(
                        "character mapping must be in range(0x110000)",
                    ));
                }
            },
            Some(_) => {
                return Err(PyErr::type_error(
                    "character mapping must return integer, None or str",
                ));
            }
        }
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_splitting() {
        assert_eq!(split_whitespace("  a b  c ", None), vec!["a", "b", "c"]);
        assert_eq!(split_whitespace("a b c d", Some(2)), vec!["a", "b", "c d"]);
        assert_eq!(split_whitespace("a b c ", Some(1)), vec!["a", "b c "]);
        assert_eq!(rsplit_whitespace(" a b c", Some(1)), vec![" a b", "c"]);
        assert_eq!(rsplit_whitespace("a b c d", Some(2)), vec!["a b", "c", "d"]);
        assert!(split_whitespace("   ", None).is_empty());
        assert_eq!(
            split_whitespace("x\u{1f}y\u{a0}z", None),
            vec!["x", "y", "z"]
        );
    }

    #[test]
    fn codecs() {
        assert_eq!(Codec::lookup("UTF_8").ok(), Some(Codec::Utf8));
        assert_eq!(Codec::lookup("Latin-1").ok(), Some(Codec::Latin1));
        assert_eq!(
            encode_text("aé", Codec::Latin1, "strict").ok(),
            Some(vec![b'a', 0xe9])
        );
        assert_eq!(
            encode_text("aé€😀", Codec::Ascii, "replace").ok(),
            Some(b"a???".to_vec())
        );
        assert_eq!(
            encode_text("aé€😀", Codec::Ascii, "backslashreplace").ok(),
            Some(b"a\\xe9\\u20ac\\U0001f600".to_vec())
        );
        assert_eq!(
            encode_text("é", Codec::Ascii, "xmlcharrefreplace").ok(),
            Some(b"&#233;".to_vec())
        );
        assert!(encode_text("aé", Codec::Ascii, "strict").is_err());
    }
}
