//! The methods of `bytes`, as native functions installed on the `bytes` class.
//!
//! Every method receives the byte string as `args.pos[0]`. Character classes and case mappings
//! are ASCII-only, as in CPython; `decode` implements the `utf-8`, `ascii` and `latin-1` codecs
//! with CPython's error messages and the `strict`/`ignore`/`replace`/`backslashreplace` handlers.

use std::sync::Arc;

use super::super::Vm;
use super::super::errors::{ExcKind, PyErr, PyResult};
use super::super::format;
use super::super::objects::{Args, Class, NativeFn, PyBytes};
use super::super::ops::{to_index, type_name};
use super::super::value::Value;
use super::str::{Codec, iterate_for_join};

/// Installs every `bytes` method on the class.
pub fn install(cls: &Arc<Class>) {
    let methods: &[(&'static str, NativeFn)] = &[
        ("decode", decode),
        ("hex", hex),
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("startswith", startswith),
        ("endswith", endswith),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("split", split),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("join", join),
        ("replace", replace),
        ("partition", partition),
        ("rpartition", rpartition),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("upper", upper),
        ("lower", lower),
        ("swapcase", swapcase),
        ("title", title),
        ("capitalize", capitalize),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("isdigit", isdigit),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("isascii", isascii),
        ("__len__", len),
        ("__contains__", contains),
    ];
    super::add_methods(cls, methods);
}

// ---------------------------------------------------------------------------------------------
// Argument helpers
// ---------------------------------------------------------------------------------------------

/// The receiver, which must be `bytes`.
fn this<'a>(args: &Args<'a>, name: &str) -> PyResult<&'a Arc<PyBytes>> {
    match args.pos.first() {
        Some(Value::Bytes(b)) => Ok(b),
        Some(v) => Err(PyErr::type_error(format!(
            "descriptor '{name}' for 'bytes' objects doesn't apply to a '{}' object",
            type_name(v)
        ))),
        None => Err(PyErr::type_error(format!(
            "unbound method bytes.{name}() needs an argument"
        ))),
    }
}

/// Checks the arguments after the receiver.
fn check(args: &Args<'_>, name: &str, min: usize, max: usize, allowed: &[&str]) -> PyResult<()> {
    let rest = Args {
        pos: args.pos.get(1..).unwrap_or(&[]),
        kw: args.kw,
    };
    if max == 0 && !rest.pos.is_empty() {
        return Err(PyErr::type_error(format!(
            "bytes.{name}() takes no arguments ({} given)",
            rest.pos.len()
        )));
    }
    rest.check(name, min, max, allowed)
}

/// A bytes argument, or `TypeError: a bytes-like object is required, not 'str'`.
fn bytes_arg(v: &Value) -> PyResult<&[u8]> {
    match v {
        Value::Bytes(b) => Ok(&b.0),
        _ => Err(PyErr::type_error(format!(
            "a bytes-like object is required, not '{}'",
            type_name(v)
        ))),
    }
}

/// The needle of `find`/`count`/`index`/`in`: bytes, or an int naming one byte.
fn needle_arg(v: &Value, buf: &mut [u8; 1]) -> PyResult<usize> {
    match v {
        Value::Bytes(b) => Ok(b.0.len()),
        Value::Int(_) | Value::Bool(_) => {
            let n = to_index(v)?;
            buf[0] =
                u8::try_from(n).map_err(|_| PyErr::value_error("byte must be in range(0, 256)"))?;
            Ok(1)
        }
        _ => Err(PyErr::type_error(format!(
            "argument should be integer or bytes-like object, not '{}'",
            type_name(v)
        ))),
    }
}

/// Resolves `needle_arg` into a slice.
fn needle<'a>(v: &'a Value, buf: &'a mut [u8; 1]) -> PyResult<&'a [u8]> {
    needle_arg(v, buf)?;
    Ok(match v {
        Value::Bytes(b) => &b.0,
        _ => &buf[..],
    })
}

fn same(b: &Arc<PyBytes>) -> Value {
    Value::Bytes(b.clone())
}

fn bool_value(b: bool) -> PyResult<Value> {
    Ok(Value::Bool(b))
}

// ---------------------------------------------------------------------------------------------
// Byte-string searching
// ---------------------------------------------------------------------------------------------

/// The first occurrence of `needle` in `hay`.
pub fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    let first = needle[0];
    (0..=hay.len() - needle.len()).find(|&i| hay[i] == first && &hay[i..i + needle.len()] == needle)
}

/// The last occurrence of `needle` in `hay`.
pub fn rfind_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

/// Non-overlapping occurrences of a non-empty `needle`, left to right.
fn match_positions(hay: &[u8], needle: &[u8], limit: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < limit {
        match find_bytes(&hay[i..], needle) {
            Some(off) => {
                out.push(i + off);
                i += off + needle.len();
            }
            None => break,
        }
    }
    out
}

/// The window `[start:end]` of the receiver (CPython's `ADJUST_INDICES`): its offset and
/// contents, or `None` when start > end.
fn window<'a>(
    b: &'a [u8],
    start: Option<&Value>,
    end: Option<&Value>,
) -> PyResult<Option<(usize, &'a [u8])>> {
    let arg = |v: Option<&Value>| -> PyResult<Option<i64>> {
        match v {
            None | Some(Value::None) => Ok(None),
            Some(v) => to_index(v).map(Some).map_err(|_| {
                PyErr::type_error(
                    "slice indices must be integers or None or have an __index__ method",
                )
            }),
        }
    };
    let len = b.len() as i64;
    let mut end = arg(end)?.unwrap_or(len);
    if end > len {
        end = len;
    } else if end < 0 {
        end = (end + len).max(0);
    }
    let mut start = arg(start)?.unwrap_or(0);
    if start < 0 {
        start = (start + len).max(0);
    }
    if start > end {
        return Ok(None);
    }
    Ok(Some((start as usize, &b[start as usize..end as usize])))
}

fn search(args: &Args<'_>, name: &str, reverse: bool) -> PyResult<Option<usize>> {
    let b = this(args, name)?;
    check(args, name, 1, 3, &[])?;
    let mut buf = [0u8; 1];
    let sub = needle(&args.pos[1], &mut buf)?;
    let Some((offset, w)) = window(&b.0, args.pos.get(2), args.pos.get(3))? else {
        return Ok(None);
    };
    let found = if reverse {
        rfind_bytes(w, sub)
    } else {
        find_bytes(w, sub)
    };
    Ok(found.map(|i| offset + i))
}

fn find(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Int(
        search(&args, "find", false)?.map_or(-1, |i| i as i64),
    ))
}

fn rfind(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Int(
        search(&args, "rfind", true)?.map_or(-1, |i| i as i64),
    ))
}

fn index(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    search(&args, "index", false)?
        .map(|i| Value::Int(i as i64))
        .ok_or_else(|| PyErr::value_error("subsection not found"))
}

fn rindex(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    search(&args, "rindex", true)?
        .map(|i| Value::Int(i as i64))
        .ok_or_else(|| PyErr::value_error("subsection not found"))
}

fn count(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "count")?;
    check(&args, "count", 1, 3, &[])?;
    let mut buf = [0u8; 1];
    let sub = needle(&args.pos[1], &mut buf)?;
    let Some((_, w)) = window(&b.0, args.pos.get(2), args.pos.get(3))? else {
        return Ok(Value::Int(0));
    };
    let n = if sub.is_empty() {
        w.len() + 1
    } else {
        match_positions(w, sub, usize::MAX).len()
    };
    Ok(Value::Int(n as i64))
}

fn contains(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "__contains__")?;
    check(&args, "__contains__", 1, 1, &[])?;
    let mut buf = [0u8; 1];
    let sub = needle(&args.pos[1], &mut buf)?;
    bool_value(find_bytes(&b.0, sub).is_some())
}

fn len(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "__len__")?;
    check(&args, "__len__", 0, 0, &[])?;
    Ok(Value::Int(b.0.len() as i64))
}

fn affix_match(args: &Args<'_>, name: &str, suffix: bool) -> PyResult<Value> {
    let b = this(args, name)?;
    check(args, name, 1, 3, &[])?;
    let Some((_, w)) = window(&b.0, args.pos.get(2), args.pos.get(3))? else {
        return bool_value(false);
    };
    let test = |p: &[u8]| {
        if suffix {
            w.ends_with(p)
        } else {
            w.starts_with(p)
        }
    };
    match &args.pos[1] {
        Value::Bytes(p) => bool_value(test(&p.0)),
        Value::Tuple(t) => {
            for item in &t.0 {
                match item {
                    Value::Bytes(p) if test(&p.0) => return bool_value(true),
                    Value::Bytes(_) => {}
                    other => {
                        return Err(PyErr::type_error(format!(
                            "a bytes-like object is required, not '{}'",
                            type_name(other)
                        )));
                    }
                }
            }
            bool_value(false)
        }
        other => Err(PyErr::type_error(format!(
            "{name} first arg must be bytes or a tuple of bytes, not {}",
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

// ---------------------------------------------------------------------------------------------
// Splitting, joining, stripping, replacing
// ---------------------------------------------------------------------------------------------

/// ASCII whitespace as `bytes.split()` and `bytes.strip()` see it.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

fn bytes_list<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Value {
    Value::list(
        parts
            .into_iter()
            .map(|p| Value::bytes(p.to_vec()))
            .collect(),
    )
}

fn split_args<'a>(args: &Args<'a>) -> PyResult<(Option<&'a [u8]>, Option<usize>)> {
    let sep = match args.get(1, "sep").filter(|v| !v.is_none()) {
        None => None,
        Some(v) => {
            let s = bytes_arg(v)?;
            if s.is_empty() {
                return Err(PyErr::value_error("empty separator"));
            }
            Some(s)
        }
    };
    let max = match args.get(2, "maxsplit") {
        None => None,
        Some(v) => usize::try_from(to_index(v)?).ok(),
    };
    Ok((sep, max))
}

fn split(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "split")?;
    check(&args, "split", 0, 2, &["sep", "maxsplit"])?;
    let (sep, max) = split_args(&args)?;
    let data = &b.0[..];
    let mut out: Vec<&[u8]> = Vec::new();
    match sep {
        None => {
            let mut i = 0;
            loop {
                while i < data.len() && is_space(data[i]) {
                    i += 1;
                }
                if i == data.len() {
                    break;
                }
                if max == Some(out.len()) {
                    out.push(&data[i..]);
                    break;
                }
                let start = i;
                while i < data.len() && !is_space(data[i]) {
                    i += 1;
                }
                out.push(&data[start..i]);
            }
        }
        Some(sep) => {
            let cuts = match_positions(data, sep, max.unwrap_or(usize::MAX));
            let mut start = 0;
            for c in cuts {
                out.push(&data[start..c]);
                start = c + sep.len();
            }
            out.push(&data[start..]);
        }
    }
    Ok(bytes_list(out))
}

fn rsplit(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "rsplit")?;
    check(&args, "rsplit", 0, 2, &["sep", "maxsplit"])?;
    let (sep, max) = split_args(&args)?;
    let data = &b.0[..];
    let mut out: Vec<&[u8]> = Vec::new();
    match sep {
        None => {
            let mut end = data.len();
            loop {
                while end > 0 && is_space(data[end - 1]) {
                    end -= 1;
                }
                if end == 0 {
                    break;
                }
                if max == Some(out.len()) {
                    out.push(&data[..end]);
                    break;
                }
                let stop = end;
                while end > 0 && !is_space(data[end - 1]) {
                    end -= 1;
                }
                out.push(&data[end..stop]);
            }
        }
        Some(sep) => {
            let mut end = data.len();
            while max != Some(out.len()) {
                match rfind_bytes(&data[..end], sep) {
                    Some(i) => {
                        out.push(&data[i + sep.len()..end]);
                        end = i;
                    }
                    None => break,
                }
            }
            out.push(&data[..end]);
        }
    }
    out.reverse();
    Ok(bytes_list(out))
}

fn splitlines(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "splitlines")?;
    check(&args, "splitlines", 0, 1, &["keepends"])?;
    let keep = match args.get(1, "keepends") {
        Some(Value::Bool(k)) => *k,
        Some(v) => to_index(v)? != 0,
        None => false,
    };
    let data = &b.0[..];
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < data.len() {
        let c = data[i];
        if c == b'\n' || c == b'\r' {
            let mut end = i + 1;
            if c == b'\r' && data.get(end) == Some(&b'\n') {
                end += 1;
            }
            out.push(&data[start..if keep { end } else { i }]);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < data.len() {
        out.push(&data[start..]);
    }
    Ok(bytes_list(out))
}

fn join(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "join")?;
    check(&args, "join", 1, 1, &[])?;
    let items = match &args.pos[1] {
        Value::List(l) => l.snapshot(),
        Value::Tuple(t) => t.0.clone(),
        other => iterate_for_join(vm, other)?,
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Bytes(p) = item else {
            return Err(PyErr::type_error(format!(
                "sequence item {i}: expected a bytes-like object, {} found",
                type_name(item)
            )));
        };
        if i > 0 {
            out.extend_from_slice(&b.0);
        }
        out.extend_from_slice(&p.0);
    }
    Ok(Value::bytes(out))
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
    Both,
}

fn strip_impl(args: &Args<'_>, name: &str, side: Side) -> PyResult<Value> {
    let b = this(args, name)?;
    check(args, name, 0, 1, &[])?;
    let chars = match args.get(1, "bytes").filter(|v| !v.is_none()) {
        Some(v) => Some(bytes_arg(v)?),
        None => None,
    };
    let strip = |c: &u8| match chars {
        Some(set) => set.contains(c),
        None => is_space(*c),
    };
    let data = &b.0[..];
    let mut start = 0;
    let mut end = data.len();
    if matches!(side, Side::Left | Side::Both) {
        while start < end && strip(&data[start]) {
            start += 1;
        }
    }
    if matches!(side, Side::Right | Side::Both) {
        while end > start && strip(&data[end - 1]) {
            end -= 1;
        }
    }
    Ok(if end - start == data.len() {
        same(b)
    } else {
        Value::bytes(data[start..end].to_vec())
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
    let b = this(&args, "replace")?;
    check(&args, "replace", 2, 3, &[])?;
    let old = bytes_arg(&args.pos[1])?;
    let new = bytes_arg(&args.pos[2])?;
    let limit = match args.pos.get(3) {
        Some(v) => usize::try_from(to_index(v)?).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    let data = &b.0[..];
    if limit == 0 {
        return Ok(same(b));
    }
    let mut out = Vec::with_capacity(data.len());
    if old.is_empty() {
        // An empty pattern matches before every byte and at the end.
        let mut n = 0;
        for (i, &c) in data.iter().enumerate() {
            if n < limit {
                out.extend_from_slice(new);
                n += 1;
            } else {
                out.extend_from_slice(&data[i..]);
                return Ok(Value::bytes(out));
            }
            out.push(c);
        }
        if n < limit {
            out.extend_from_slice(new);
        }
        return Ok(Value::bytes(out));
    }
    let cuts = match_positions(data, old, limit);
    if cuts.is_empty() {
        return Ok(same(b));
    }
    let mut start = 0;
    for c in cuts {
        out.extend_from_slice(&data[start..c]);
        out.extend_from_slice(new);
        start = c + old.len();
    }
    out.extend_from_slice(&data[start..]);
    Ok(Value::bytes(out))
}

fn partition_impl(args: &Args<'_>, name: &str, reverse: bool) -> PyResult<Value> {
    let b = this(args, name)?;
    check(args, name, 1, 1, &[])?;
    let sep = bytes_arg(&args.pos[1])?;
    if sep.is_empty() {
        return Err(PyErr::value_error("empty separator"));
    }
    let data = &b.0[..];
    let found = if reverse {
        rfind_bytes(data, sep)
    } else {
        find_bytes(data, sep)
    };
    let empty = || Value::bytes(Vec::new());
    Ok(Value::tuple(match found {
        Some(i) => {
            vec![
                Value::bytes(data[..i].to_vec()),
                args.pos[1].clone(),
                Value::bytes(data[i + sep.len()..].to_vec()),
            ]
        }
        None if reverse => vec![empty(), empty(), same(b)],
        None => vec![same(b), empty(), empty()],
    }))
}

fn partition(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    partition_impl(&args, "partition", false)
}

fn rpartition(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    partition_impl(&args, "rpartition", true)
}

fn removeprefix(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "removeprefix")?;
    check(&args, "removeprefix", 1, 1, &[])?;
    let p = bytes_arg(&args.pos[1])?;
    Ok(match b.0.strip_prefix(p) {
        Some(rest) if !p.is_empty() => Value::bytes(rest.to_vec()),
        _ => same(b),
    })
}

fn removesuffix(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "removesuffix")?;
    check(&args, "removesuffix", 1, 1, &[])?;
    let p = bytes_arg(&args.pos[1])?;
    Ok(match b.0.strip_suffix(p) {
        Some(rest) if !p.is_empty() => Value::bytes(rest.to_vec()),
        _ => same(b),
    })
}

// ---------------------------------------------------------------------------------------------
// Case mapping, padding and predicates (ASCII only)
// ---------------------------------------------------------------------------------------------

fn map_bytes(args: &Args<'_>, name: &str, f: impl FnOnce(&[u8]) -> Vec<u8>) -> PyResult<Value> {
    let b = this(args, name)?;
    check(args, name, 0, 0, &[])?;
    Ok(Value::bytes(f(&b.0)))
}

fn upper(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    map_bytes(&args, "upper", <[u8]>::to_ascii_uppercase)
}

fn lower(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    map_bytes(&args, "lower", <[u8]>::to_ascii_lowercase)
}

fn swapcase(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    map_bytes(&args, "swapcase", |d| {
        d.iter()
            .map(|&c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect()
    })
}

fn title(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    map_bytes(&args, "title", |d| {
        let mut previous_is_cased = false;
        d.iter()
            .map(|&c| {
                let out = if previous_is_cased {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                };
                previous_is_cased = c.is_ascii_alphabetic();
                out
            })
            .collect()
    })
}

fn capitalize(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    map_bytes(&args, "capitalize", |d| {
        d.iter()
            .enumerate()
            .map(|(i, &c)| {
                if i == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn justify(args: &Args<'_>, name: &str, how: char) -> PyResult<Value> {
    let b = this(args, name)?;
    check(args, name, 1, 2, &[])?;
    let width = format::check_alloc(usize::try_from(to_index(&args.pos[1])?).unwrap_or(0))?;
    let fill = match args.pos.get(2) {
        None => b' ',
        Some(Value::Bytes(f)) if f.0.len() == 1 => f.0[0],
        Some(v) => {
            return Err(PyErr::type_error(format!(
                "{name}() argument 2 must be a byte string of length 1, not {}",
                type_name(v)
            )));
        }
    };
    let n = b.0.len();
    if width <= n {
        return Ok(same(b));
    }
    let marg = width - n;
    let left = match how {
        '<' => 0,
        '>' => marg,
        _ => marg / 2 + (marg & width & 1),
    };
    let mut out = Vec::with_capacity(width);
    out.resize(left, fill);
    out.extend_from_slice(&b.0);
    out.resize(width, fill);
    Ok(Value::bytes(out))
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
    let b = this(&args, "zfill")?;
    check(&args, "zfill", 1, 1, &[])?;
    let width = format::check_alloc(usize::try_from(to_index(&args.pos[1])?).unwrap_or(0))?;
    let data = &b.0[..];
    if width <= data.len() {
        return Ok(same(b));
    }
    let sign = usize::from(matches!(data.first(), Some(b'+' | b'-')));
    let mut out = Vec::with_capacity(width);
    out.extend_from_slice(&data[..sign]);
    out.resize(sign + width - data.len(), b'0');
    out.extend_from_slice(&data[sign..]);
    Ok(Value::bytes(out))
}

fn all_bytes(args: &Args<'_>, name: &str, pred: fn(&u8) -> bool) -> PyResult<Value> {
    let b = this(args, name)?;
    check(args, name, 0, 0, &[])?;
    bool_value(!b.0.is_empty() && b.0.iter().all(pred))
}

fn isdigit(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_bytes(&args, "isdigit", u8::is_ascii_digit)
}

fn isalpha(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_bytes(&args, "isalpha", u8::is_ascii_alphabetic)
}

fn isalnum(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_bytes(&args, "isalnum", u8::is_ascii_alphanumeric)
}

fn isspace(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    all_bytes(&args, "isspace", |c| is_space(*c))
}

fn isupper(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "isupper")?;
    check(&args, "isupper", 0, 0, &[])?;
    bool_value(b.0.iter().any(u8::is_ascii_uppercase) && !b.0.iter().any(u8::is_ascii_lowercase))
}

fn islower(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "islower")?;
    check(&args, "islower", 0, 0, &[])?;
    bool_value(b.0.iter().any(u8::is_ascii_lowercase) && !b.0.iter().any(u8::is_ascii_uppercase))
}

fn isascii(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "isascii")?;
    check(&args, "isascii", 0, 0, &[])?;
    bool_value(b.0.is_ascii())
}

// ---------------------------------------------------------------------------------------------
// hex and decode
// ---------------------------------------------------------------------------------------------

fn hex(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "hex")?;
    check(&args, "hex", 0, 2, &["sep", "bytes_per_sep"])?;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let sep = match args.get(1, "sep") {
        None => None,
        Some(Value::Str(s)) if s.char_len() == 1 && s.is_ascii() => Some(s.as_str().as_bytes()[0]),
        Some(Value::Bytes(s)) if s.0.len() == 1 && s.0[0].is_ascii() => Some(s.0[0]),
        Some(Value::Str(_) | Value::Bytes(_)) => {
            return Err(PyErr::value_error("sep must be ASCII."));
        }
        Some(v) => {
            return Err(PyErr::type_error(format!(
                "sep must be str or bytes, not {}",
                type_name(v)
            )));
        }
    };
    let per = match args.get(2, "bytes_per_sep") {
        Some(v) => to_index(v)?,
        None => 1,
    };
    let data = &b.0[..];
    let mut out = String::with_capacity(data.len() * 3);
    let group = usize::try_from(per.unsigned_abs())
        .unwrap_or(usize::MAX)
        .max(1);
    for (i, &c) in data.iter().enumerate() {
        if let Some(sep) = sep
            && i > 0
            && per != 0
        {
            // Positive counts group from the right, negative ones from the left.
            let boundary = if per > 0 {
                (data.len() - i) % group == 0
            } else {
                i % group == 0
            };
            if boundary {
                out.push(sep as char);
            }
        }
        out.push(DIGITS[usize::from(c >> 4)] as char);
        out.push(DIGITS[usize::from(c & 15)] as char);
    }
    Ok(Value::str(out))
}

/// Decodes bytes with a codec and an error handler (`strict`, `ignore`, `replace`,
/// `backslashreplace`), raising `UnicodeDecodeError` with CPython's message.
pub fn decode_bytes(data: &[u8], codec: Codec, errors: &str) -> PyResult<String> {
    match codec {
        Codec::Latin1 => Ok(data.iter().map(|&c| c as char).collect()),
        Codec::Ascii if data.is_ascii() => Ok(data.iter().map(|&c| c as char).collect()),
        Codec::Ascii => {
            let mut out = String::with_capacity(data.len());
            for (i, &c) in data.iter().enumerate() {
                if c.is_ascii() {
                    out.push(c as char);
                } else {
                    let reason = "ordinal not in range(128)";
                    decode_error(&mut out, data, codec, errors, i, i + 1, reason)?;
                }
            }
            Ok(out)
        }
        Codec::Utf8 => {
            if let Ok(s) = std::str::from_utf8(data) {
                return Ok(s.to_string());
            }
            let mut out = String::with_capacity(data.len());
            let mut rest = data;
            let mut pos = 0;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        return Ok(out);
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                        let start = pos + good;
                        let (bad_len, reason) = match e.error_len() {
                            None => (rest.len() - good, "unexpected end of data"),
                            Some(n) => {
                                let lead = rest[good];
                                let invalid_start = matches!(lead, 0x80..=0xc1 | 0xf5..=0xff);
                                (
                                    n,
                                    if invalid_start {
                                        "invalid start byte"
                                    } else {
                                        "invalid continuation byte"
                                    },
                                )
                            }
                        };
                        decode_error(
                            &mut out,
                            data,
                            codec,
                            errors,
                            start,
                            start + bad_len,
                            reason,
                        )?;
                        rest = &rest[good + bad_len..];
                        pos = start + bad_len;
                    }
                }
            }
        }
    }
}

/// Applies the error handler to the undecodable bytes `data[start..end]`.
fn decode_error(
    out: &mut String,
    data: &[u8],
    codec: Codec,
    errors: &str,
    start: usize,
    end: usize,
    reason: &str,
) -> PyResult<()> {
    match errors {
        "strict" => {
            let msg = if end - start == 1 {
                format!(
                    "'{}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
                    codec.name(),
                    data[start]
                )
            } else {
                format!(
                    "'{}' codec can't decode bytes in position {start}-{}: {reason}",
                    codec.name(),
                    end - 1
                )
            };
            Err(PyErr::new(ExcKind::UnicodeDecodeError, msg))
        }
        "ignore" => Ok(()),
        "replace" => {
            out.push('\u{fffd}');
            Ok(())
        }
        "backslashreplace" => {
            for &c in &data[start..end] {
                out.push_str(&format!("\\x{c:02x}"));
            }
            Ok(())
        }
        other => Err(PyErr::new(
            ExcKind::LookupError,
            format!("unknown error handler name '{other}'"),
        )),
    }
}

fn decode(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let b = this(&args, "decode")?;
    check(&args, "decode", 0, 2, &["encoding", "errors"])?;
    let str_arg = |v: &Value, n: usize| -> PyResult<String> {
        v.as_str().map(str::to_string).ok_or_else(|| {
            PyErr::type_error(format!(
                "decode() argument {n} must be str, not {}",
                type_name(v)
            ))
        })
    };
    let codec = match args.get(1, "encoding") {
        Some(v) => Codec::lookup(&str_arg(v, 1)?)?,
        None => Codec::Utf8,
    };
    let errors = match args.get(2, "errors") {
        Some(v) => str_arg(v, 2)?,
        None => "strict".to_string(),
    };
    decode_bytes(&b.0, codec, &errors).map(Value::str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: PyResult<String>) -> String {
        match r {
            Err(e) => e.message().unwrap_or("").to_string(),
            Ok(v) => format!("not an error: {v:?}"),
        }
    }

    #[test]
    fn utf8_decode_errors_match_cpython() {
        let d = |b: &[u8]| msg(decode_bytes(b, Codec::Utf8, "strict"));
        assert_eq!(
            d(b"\xe2\x82("),
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        assert_eq!(
            d(b"\xe2\x82"),
            "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
        );
        assert_eq!(
            d(b"\xff"),
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
        );
        assert_eq!(
            d(b"a\xc3"),
            "'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data"
        );
        assert_eq!(
            d(b"\xed\xa0\x80"),
            "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"
        );
        assert_eq!(
            d(b"\xf0\x9f\x98x"),
            "'utf-8' codec can't decode bytes in position 0-2: invalid continuation byte"
        );
        assert_eq!(
            d(b"\xc0\xaf"),
            "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"
        );
        assert_eq!(
            msg(decode_bytes(b"\xe9", Codec::Ascii, "strict")),
            "'ascii' codec can't decode byte 0xe9 in position 0: ordinal not in range(128)"
        );
    }

    #[test]
    fn decode_handlers() {
        assert_eq!(
            decode_bytes(b"\xe2\x82(", Codec::Utf8, "replace")
                .ok()
                .as_deref(),
            Some("\u{fffd}(")
        );
        assert_eq!(
            decode_bytes(b"\xed\xa0\x80", Codec::Utf8, "replace")
                .ok()
                .as_deref(),
            Some("\u{fffd}\u{fffd}\u{fffd}")
        );
        assert_eq!(
            decode_bytes(b"a\xffb", Codec::Utf8, "ignore")
                .ok()
                .as_deref(),
            Some("ab")
        );
        assert_eq!(
            decode_bytes(b"a\xffb", Codec::Utf8, "backslashreplace")
                .ok()
                .as_deref(),
            Some("a\\xffb")
        );
        assert_eq!(
            decode_bytes(b"\xff", Codec::Latin1, "strict")
                .ok()
                .as_deref(),
            Some("\u{ff}")
        );
        assert_eq!(
            decode_bytes("😀".as_bytes(), Codec::Utf8, "strict")
                .ok()
                .as_deref(),
            Some("😀")
        );
    }

    #[test]
    fn byte_search() {
        assert_eq!(find_bytes(b"hello", b"ll"), Some(2));
        assert_eq!(rfind_bytes(b"hello", b"l"), Some(3));
        assert_eq!(rfind_bytes(b"abc", b""), Some(3));
        assert_eq!(find_bytes(b"ab", b"abc"), None);
        assert_eq!(match_positions(b"aaaa", b"aa", usize::MAX), vec![0, 2]);
    }
}
