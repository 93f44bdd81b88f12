//! Python's text formatting, reproduced exactly: `repr(float)`, the format-spec mini-language
//! behind `format()`, f-strings and `str.format`, printf-style `str % args`, and the `repr` of
//! `str` and `bytes`.
//!
//! Everything that needs no interpreter (digits, padding, grouping, escaping) is a pure function
//! here, so it can be unit-tested in isolation; the entry points that may call back into Python
//! (`str()`/`repr()` of an argument, `__format__`, attribute and item lookups in `{0.x[1]}`) take
//! the [`Vm`]. Floats are always rendered from Rust's correctly rounded formatting of the exact
//! binary value (`{:.N}`, `{:.Ne}`, and the shortest round-trip `{:e}`), which is what CPython's
//! `dtoa` does too, so `'%.2f' % 2.675 == '2.67'` and `'%.0f' % 0.5 == '0'` hold.

use std::sync::Arc;

use num_bigint::BigInt;

use super::Vm;
use super::errors::{ExcKind, PyErr, PyResult};
use super::methods::str::unicode;
use super::ops;
use super::value::Value;

// =============================================================================================
// repr of float, str and bytes
// =============================================================================================

/// Python's `repr(float)`: the shortest digits that round-trip, positional for decimal exponents
/// in `-4..16` (always with a fractional part), scientific otherwise (`1e+16`, `1e-05`).
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    if x == 0.0 {
        out.push_str("0.0");
        return out;
    }
    let (digits, exp) = shortest_digits(x.abs());
    if (-4..16).contains(&exp) {
        push_positional(&mut out, &digits, exp);
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        push_exponent(&mut out, exp);
    }
    out
}

/// The shortest round-trip decimal digits of a finite, positive `x`, and the decimal exponent of
/// the first digit (`123.5` → `("1235", 2)`).
///
/// Rust's shortest formatting finds the minimal digit count, but when the exact value lies
/// exactly halfway between two shortest candidates it may pick the upper one, where CPython picks
/// the nearest-even. The correctly rounded string of that length is the nearest candidate, so it
/// is preferred whenever it also round-trips.
fn shortest_digits(x: f64) -> (String, i32) {
    let (digits, exp) = split_exp(&format!("{x:e}"));
    let rounded = format!("{:.*e}", digits.len() - 1, x);
    if rounded.parse::<f64>() == Ok(x) {
        split_exp(&rounded)
    } else {
        (digits, exp)
    }
}

/// Splits Rust's `{:e}` output (`"1.25e-7"`) into its digits (`"125"`) and exponent (`-7`).
fn split_exp(s: &str) -> (String, i32) {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Writes `digits` × 10^(exp - len + 1) positionally, with at least one fractional digit.
fn push_positional(out: &mut String, digits: &str, exp: i32) {
    if exp < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(digits);
        return;
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', int_len - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..int_len]);
        out.push('.');
        out.push_str(&digits[int_len..]);
    }
}

/// Appends a Python-style exponent: `e`, a sign, and at least two digits.
fn push_exponent(out: &mut String, exp: i32) {
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

/// Python's `repr(str)`: single quotes unless the text contains `'` but no `"`; backslash escapes
/// for the quote, `\\`, `\t`, `\n`, `\r`, and every character `str.isprintable` rejects.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if unicode::is_printable(c) => out.push(c),
            c => push_char_escape(&mut out, c),
        }
    }
    out.push(quote);
    out
}

/// Appends `\xNN`, `\uNNNN` or `\UNNNNNNNN`, the shortest form that holds `c`.
fn push_char_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let n = c as u32;
    // Writing to a String cannot fail.
    let _ = if n < 0x100 {
        write!(out, "\\x{n:02x}")
    } else if n < 0x10000 {
        write!(out, "\\u{n:04x}")
    } else {
        write!(out, "\\U{n:08x}")
    };
}

/// Escapes every non-ASCII character of `s` as `\xNN`/`\uNNNN`/`\UNNNNNNNN`: what `ascii()` and
/// `%a` / `!a` do to a `repr`.
pub fn ascii_escape(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            push_char_escape(&mut out, c);
        }
    }
    out
}

/// Python's `repr(bytes)`: `b'...'` with the same quote choice as `str`, `\t\n\r\\`, and `\xNN`
/// for everything outside printable ASCII.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..0x7f => out.push(c as char),
            c => push_char_escape(&mut out, c as char),
        }
    }
    out.push(quote as char);
    out
}

// =============================================================================================
// The format-spec mini-language
// =============================================================================================

/// A parsed `[[fill]align][sign][z][#][0][width][grouping][.precision][type]`.
#[derive(Clone, Debug, PartialEq)]
struct Spec {
    fill: char,
    /// `<`, `>`, `=` or `^`; `None` means the type's default.
    align: Option<char>,
    /// `+`, `-` or ` `, if given.
    sign: Option<char>,
    /// `z`: coerce negative zero to zero (floats only).
    no_neg_zero: bool,
    /// `#`: the alternate form.
    alt: bool,
    width: usize,
    /// `,` or `_`.
    grouping: Option<char>,
    precision: Option<usize>,
    /// The presentation type, or the default the caller passed.
    ty: Option<char>,
}

/// The largest string a width, precision or padding request may build: beyond it the request
/// fails with `MemoryError` (as CPython's allocation would) instead of aborting the process.
const MAX_ALLOC: usize = 1 << 34;

/// Refuses a width, precision or padding of `n` characters that could never be allocated.
pub(crate) fn check_alloc(n: usize) -> PyResult<usize> {
    if n > MAX_ALLOC {
        Err(PyErr::new(ExcKind::MemoryError, ""))
    } else {
        crate::memory::reserve(n)?;
        Ok(n)
    }
}

/// Reads a decimal number at `*pos`, as CPython's `get_integer`; `None` when there is none.
fn parse_count(chars: &[char], pos: &mut usize) -> PyResult<Option<usize>> {
    let start = *pos;
    let mut n: usize = 0;
    while let Some(d) = chars.get(*pos).and_then(|c| c.to_digit(10)) {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(d as usize))
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| PyErr::value_error("Too many decimal digits in format string"))?;
        *pos += 1;
    }
    Ok(if *pos == start { None } else { Some(n) })
}

/// Parses a format spec as CPython's `parse_internal_render_format_spec`. `default_align` is `>`
/// for numbers and `<` for strings; `type_name` appears in error messages.
fn parse_spec(
    spec: &str,
    default_type: Option<char>,
    default_align: char,
    type_name: &str,
) -> PyResult<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let is_align = |c: Option<&char>| matches!(c, Some('<' | '>' | '=' | '^'));
    let mut s = Spec {
        fill: ' ',
        align: None,
        sign: None,
        no_neg_zero: false,
        alt: false,
        width: 0,
        grouping: None,
        precision: None,
        ty: default_type,
    };
    let mut pos = 0;
    let mut fill_given = false;
    if is_align(chars.get(1)) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        fill_given = true;
        pos = 2;
    } else if is_align(chars.first()) {
        s.align = Some(chars[0]);
        pos = 1;
    }
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(pos) {
        s.sign = Some(c);
        pos += 1;
    }
    if chars.get(pos) == Some(&'z') {
        s.no_neg_zero = true;
        pos += 1;
    }
    if chars.get(pos) == Some(&'#') {
        s.alt = true;
        pos += 1;
    }
    if !fill_given && chars.get(pos) == Some(&'0') {
        s.fill = '0';
        if s.align.is_none() && default_align == '>' {
            s.align = Some('=');
        }
        pos += 1;
    }
    s.width = check_alloc(parse_count(&chars, &mut pos)?.unwrap_or(0))?;
    if chars.get(pos) == Some(&',') {
        s.grouping = Some(',');
        pos += 1;
    }
    if chars.get(pos) == Some(&'_') {
        if s.grouping.is_some() {
            return Err(PyErr::value_error("Cannot specify both ',' and '_'."));
        }
        s.grouping = Some('_');
        pos += 1;
    }
    if chars.get(pos) == Some(&',') && s.grouping == Some('_') {
        return Err(PyErr::value_error("Cannot specify both ',' and '_'."));
    }
    if chars.get(pos) == Some(&'.') {
        pos += 1;
        match parse_count(&chars, &mut pos)? {
            Some(p) => s.precision = Some(check_alloc(p)?),
            None => return Err(PyErr::value_error("Format specifier missing precision")),
        }
    }
    if chars.len() - pos > 1 {
        return Err(PyErr::value_error(format!(
            "Invalid format specifier '{spec}' for object of type '{type_name}'"
        )));
    }
    if let Some(&c) = chars.get(pos) {
        s.ty = Some(c);
    }
    if let Some(g) = s.grouping {
        match s.ty {
            None | Some('d' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F') => {}
            Some('b' | 'o' | 'x' | 'X') if g == '_' => {}
            Some(t) => {
                return Err(PyErr::value_error(format!(
                    "Cannot specify '{g}' with {}.",
                    quote_code(t)
                )));
            }
        }
    }
    Ok(s)
}

/// A format code in an error message: `'x'`, or `'\x1f'` for a non-printable one.
fn quote_code(c: char) -> String {
    if (' '..'\x7f').contains(&c) && c != ' ' {
        format!("'{c}'")
    } else {
        format!("'\\x{:x}'", c as u32)
    }
}

fn unknown_code(ty: char, type_name: &str) -> PyErr {
    PyErr::value_error(format!(
        "Unknown format code {} for object of type '{type_name}'",
        quote_code(ty)
    ))
}

/// Pads `body` (of `len` characters) to the spec's width with its fill character.
fn pad(spec: &Spec, body: &str, len: usize, default_align: char) -> String {
    let total = spec.width.saturating_sub(len);
    if total == 0 {
        return body.to_string();
    }
    let (left, right) = match spec.align.unwrap_or(default_align) {
        '<' => (0, total),
        '^' => (total / 2, total - total / 2),
        _ => (total, 0),
    };
    let mut out = String::with_capacity(body.len() + total * spec.fill.len_utf8());
    out.extend(std::iter::repeat_n(spec.fill, left));
    out.push_str(body);
    out.extend(std::iter::repeat_n(spec.fill, right));
    out
}

/// Inserts a separator every `size` digits from the right, zero-filling on the left to reach
/// `min_width` characters, as CPython's `_PyUnicode_InsertThousandsGrouping` (so `'{:012,}'`
/// gives `0,000,000,001`: a separator never starts the result).
fn group_digits(digits: &str, sep: char, size: usize, min_width: usize) -> String {
    let d = digits.as_bytes();
    let mut remaining = d.len() as isize;
    let mut min_width = min_width as isize;
    let size = size as isize;
    let mut rev: Vec<u8> = Vec::with_capacity(d.len() + d.len() / 3 + 1);
    let mut use_sep = false;
    loop {
        let len = size.min(remaining.max(min_width).max(1));
        let n_zeros = (len - remaining).max(0);
        let n_chars = remaining.min(len).max(0);
        if use_sep {
            rev.push(sep as u8);
        }
        for i in 0..n_chars {
            rev.push(d[(remaining - 1 - i) as usize]);
        }
        rev.extend(std::iter::repeat_n(b'0', n_zeros as usize));
        use_sep = true;
        remaining -= n_chars;
        min_width -= len;
        if remaining <= 0 && min_width <= 0 {
            break;
        }
        min_width -= 1;
    }
    rev.reverse();
    String::from_utf8(rev).unwrap_or_default()
}

/// Lays out a number: `sign`, `prefix` (`0x`), the integer `digits` (grouped and zero-padded as
/// the spec asks) and `rest` (fraction, exponent, `%`), padded to the width.
fn render_number(
    spec: &Spec,
    sign: Option<char>,
    prefix: &str,
    digits: &str,
    rest: &str,
    group: usize,
) -> String {
    let align = spec.align.unwrap_or('>');
    let fixed = sign.map_or(0, |_| 1) + prefix.chars().count() + rest.chars().count();
    let min_width = if spec.fill == '0' && align == '=' {
        spec.width.saturating_sub(fixed)
    } else {
        0
    };
    let body = match spec.grouping {
        Some(sep) if !digits.is_empty() => group_digits(digits, sep, group, min_width),
        _ => {
            let n = digits.chars().count();
            let mut b = String::with_capacity(min_width.max(n));
            b.extend(std::iter::repeat_n('0', min_width.saturating_sub(n)));
            b.push_str(digits);
            b
        }
    };
    let len = fixed + body.chars().count();
    let total = spec.width.saturating_sub(len);
    let (left, mid, right) = match align {
        '<' => (0, 0, total),
        '^' => (total / 2, 0, total - total / 2),
        '=' => (0, total, 0),
        _ => (total, 0, 0),
    };
    let mut out = String::with_capacity(len + total);
    out.extend(std::iter::repeat_n(spec.fill, left));
    out.extend(sign);
    out.push_str(prefix);
    out.extend(std::iter::repeat_n(spec.fill, mid));
    out.push_str(&body);
    out.push_str(rest);
    out.extend(std::iter::repeat_n(spec.fill, right));
    out
}

/// The sign character a number gets: `-` when negative, else what the `+`/` ` option asks.
fn sign_char(negative: bool, sign: Option<char>) -> Option<char> {
    match (negative, sign) {
        (true, _) => Some('-'),
        (false, Some('+')) => Some('+'),
        (false, Some(' ')) => Some(' '),
        _ => None,
    }
}

/// Formats a string per a spec (`format(s, spec)`).
pub fn format_str_spec(s: &str, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(s.to_string());
    }
    let sp = parse_spec(spec, Some('s'), '<', "str")?;
    match sp.ty {
        Some('s') => {}
        Some(t) => return Err(unknown_code(t, "str")),
        None => {}
    }
    if let Some(sign) = sp.sign {
        return Err(PyErr::value_error(if sign == ' ' {
            "Space not allowed in string format specifier"
        } else {
            "Sign not allowed in string format specifier"
        }));
    }
    if sp.no_neg_zero {
        return Err(PyErr::value_error(
            "Negative zero coercion (z) not allowed in string format specifier",
        ));
    }
    if sp.alt {
        return Err(PyErr::value_error(
            "Alternate form (#) not allowed in string format specifier",
        ));
    }
    if sp.align == Some('=') {
        return Err(PyErr::value_error(
            "'=' alignment not allowed in string format specifier",
        ));
    }
    let (text, len) = match sp.precision {
        Some(p) => match s.char_indices().nth(p) {
            Some((i, _)) => (&s[..i], p),
            None => (s, s.chars().count()),
        },
        None => (s, s.chars().count()),
    };
    Ok(pad(&sp, text, len, '<'))
}

/// An integer to format: a machine word or a big integer.
#[derive(Clone, Copy)]
pub enum IntRef<'a> {
    Small(i64),
    Big(&'a BigInt),
}

impl IntRef<'_> {
    fn is_negative(&self) -> bool {
        match self {
            IntRef::Small(i) => *i < 0,
            IntRef::Big(b) => b.sign() == num_bigint::Sign::Minus,
        }
    }

    /// The magnitude's digits in `radix` (2, 8, 10 or 16), lower case.
    fn magnitude_digits(&self, radix: u32) -> String {
        match self {
            IntRef::Small(i) => {
                let u = i.unsigned_abs();
                match radix {
                    2 => format!("{u:b}"),
                    8 => format!("{u:o}"),
                    16 => format!("{u:x}"),
                    _ => u.to_string(),
                }
            }
            IntRef::Big(b) => b.magnitude().to_str_radix(radix),
        }
    }

    /// The nearest float, or CPython's `OverflowError` for an int beyond the float range.
    fn to_f64(self) -> PyResult<f64> {
        use num_traits::ToPrimitive;
        match self {
            IntRef::Small(i) => Ok(i as f64),
            IntRef::Big(b) => b
                .to_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| PyErr::overflow("int too large to convert to float")),
        }
    }
}

/// Formats an integer per a spec; `type_name` is `int` or `bool` for error messages.
pub fn format_int_spec(n: IntRef<'_>, spec: &str, type_name: &str) -> PyResult<String> {
    let sp = parse_spec(spec, Some('d'), '>', type_name)?;
    let ty = sp.ty.unwrap_or('d');
    let (radix, prefix) = match ty {
        'd' | 'n' => (10, ""),
        'b' => (2, "0b"),
        'o' => (8, "0o"),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        'c' => (0, ""),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return format_float_parsed(n.to_f64()?, &sp),
        t => return Err(unknown_code(t, type_name)),
    };
    if sp.precision.is_some() {
        return Err(PyErr::value_error(
            "Precision not allowed in integer format specifier",
        ));
    }
    if sp.no_neg_zero {
        return Err(PyErr::value_error(
            "Negative zero coercion (z) not allowed in integer format specifier",
        ));
    }
    if ty == 'c' {
        if sp.sign.is_some() {
            return Err(PyErr::value_error(
                "Sign not allowed with integer format specifier 'c'",
            ));
        }
        if sp.alt {
            return Err(PyErr::value_error(
                "Alternate form (#) not allowed with integer format specifier 'c'",
            ));
        }
        let c = char_from_int(n)?;
        return Ok(render_number(
            &sp,
            None,
            "",
            c.encode_utf8(&mut [0; 4]),
            "",
            3,
        ));
    }
    let mut digits = n.magnitude_digits(radix);
    if ty == 'X' {
        digits.make_ascii_uppercase();
    }
    let group = if radix == 10 { 3 } else { 4 };
    let prefix = if sp.alt { prefix } else { "" };
    Ok(render_number(
        &sp,
        sign_char(n.is_negative(), sp.sign),
        prefix,
        &digits,
        "",
        group,
    ))
}

/// The character `%c` / `{:c}` makes of an integer. Lone surrogates cannot live in a Rust string,
/// so they become U+FFFD.
fn char_from_int(n: IntRef<'_>) -> PyResult<char> {
    match n {
        IntRef::Small(i) if (0..0x110000).contains(&i) => {
            Ok(char::from_u32(i as u32).unwrap_or('\u{fffd}'))
        }
        _ => Err(PyErr::overflow("%c arg not in range(0x110000)")),
    }
}

/// Formats a float per a spec.
pub fn format_float_spec(x: f64, spec: &str) -> PyResult<String> {
    if spec.is_empty() {
        return Ok(float_repr(x));
    }
    let sp = parse_spec(spec, None, '>', "float")?;
    format_float_parsed(x, &sp)
}

fn format_float_parsed(x: f64, sp: &Spec) -> PyResult<String> {
    let ty = sp.ty;
    let (kind, upper) = match ty {
        None => ('r', false),
        Some('n') => ('g', false),
        Some(c @ ('e' | 'f' | 'g' | '%')) => (c, false),
        Some(c @ ('E' | 'F' | 'G')) => (c.to_ascii_lowercase(), true),
        Some(t) => return Err(unknown_code(t, "float")),
    };
    let negative = x.is_sign_negative() && !x.is_nan();
    let mut a = x.abs();
    let (kind, percent) = if kind == '%' {
        a *= 100.0;
        ('f', true)
    } else {
        (kind, false)
    };
    let (kind, precision, add_dot_0) = match (kind, sp.precision) {
        ('r', None) => ('r', 0, true),
        ('r', Some(p)) => ('g', p, true),
        (k, p) => (k, p.unwrap_or(6), false),
    };
    let mut body = float_body(a, kind, precision, sp.alt, add_dot_0);
    if upper {
        body.make_ascii_uppercase();
    }
    if percent {
        body.push('%');
    }
    let negative = negative && !(sp.no_neg_zero && is_zero_text(&body));
    let split = body
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(body.len());
    let (digits, rest) = body.split_at(split);
    Ok(render_number(
        sp,
        sign_char(negative, sp.sign),
        "",
        digits,
        rest,
        3,
    ))
}

/// Whether formatted digits (before any exponent) are all zeros: a rounded negative zero.
fn is_zero_text(body: &str) -> bool {
    body.split(['e', 'E', '%'])
        .next()
        .is_some_and(|m| m.chars().all(|c| c == '0' || c == '.'))
}

/// Digits past this many decimals are always zero for an `f64`, so precision beyond is padded.
const MAX_FIXED_PRECISION: usize = 1100;
/// An `f64`'s exact decimal value has at most 767 significant digits.
const MAX_EXP_PRECISION: usize = 800;

/// `{:.p}` with correct rounding, for any `p`.
fn fixed(a: f64, p: usize) -> String {
    let mut s = format!("{:.*}", p.min(MAX_FIXED_PRECISION), a);
    if p > MAX_FIXED_PRECISION {
        s.extend(std::iter::repeat_n('0', p - MAX_FIXED_PRECISION));
    }
    s
}

/// `{:.pe}` with correct rounding, for any `p`: the mantissa text (`"1.25"`) and the exponent.
fn scientific(a: f64, p: usize) -> (String, i32) {
    let s = format!("{:.*e}", p.min(MAX_EXP_PRECISION), a);
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mut mantissa = mantissa.to_string();
    if p > MAX_EXP_PRECISION {
        mantissa.extend(std::iter::repeat_n('0', p - MAX_EXP_PRECISION));
    }
    (mantissa, exp.parse().unwrap_or(0))
}

/// Removes trailing fractional zeros, and the point if nothing follows it.
fn strip_fraction_zeros(s: &mut String) {
    if s.contains('.') {
        let keep = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(keep);
    }
}

/// Formats a non-negative float (or inf/nan) in one of CPython's `PyOS_double_to_string` modes:
/// `f`, `e`, `g` or `r` (repr), without a sign. `add_dot_0` is the mode of a spec without a type.
fn float_body(a: f64, kind: char, precision: usize, alt: bool, add_dot_0: bool) -> String {
    if a.is_nan() {
        return "nan".to_string();
    }
    if a.is_infinite() {
        return "inf".to_string();
    }
    match kind {
        'f' => {
            let mut s = fixed(a, precision);
            if alt && precision == 0 {
                s.push('.');
            }
            s
        }
        'e' => {
            let (mut m, exp) = scientific(a, precision);
            if alt && precision == 0 {
                m.push('.');
            }
            push_exponent(&mut m, exp);
            m
        }
        'g' => {
            let p = precision.max(1);
            let (mut m, exp) = scientific(a, p - 1);
            let limit = if add_dot_0 { p as i64 - 1 } else { p as i64 };
            let exp64 = i64::from(exp);
            if exp64 < -4 || exp64 >= limit {
                if !alt {
                    strip_fraction_zeros(&mut m);
                } else if !m.contains('.') {
                    m.push('.');
                }
                push_exponent(&mut m, exp);
                m
            } else {
                let decimals = (p as i64 - 1 - exp64).max(0) as usize;
                let mut s = fixed(a, decimals);
                if !alt {
                    strip_fraction_zeros(&mut s);
                } else if !s.contains('.') {
                    s.push('.');
                }
                if add_dot_0 && !s.contains('.') {
                    s.push_str(".0");
                }
                s
            }
        }
        _ => float_repr(a),
    }
}

/// `format(value, spec)`: the built-in types' `__format__`, a user class's `__format__`, or
/// `str(value)` for an empty spec.
pub fn format_spec(vm: &mut Vm, v: &Value, spec: &str) -> PyResult<String> {
    match v {
        Value::Str(s) => format_str_spec(s.as_str(), spec),
        Value::Int(i) if spec.is_empty() => Ok(i.to_string()),
        Value::Int(i) => format_int_spec(IntRef::Small(*i), spec, "int"),
        Value::BigInt(b) if spec.is_empty() => {
            ops::check_str_digits(b, vm.int_max_str_digits())?;
            Ok(b.to_string())
        }
        Value::BigInt(b) => {
            if !spec.ends_with(['x', 'X', 'o', 'b', 'c']) {
                ops::check_str_digits(b, vm.int_max_str_digits())?;
            }
            format_int_spec(IntRef::Big(b), spec, "int")
        }
        Value::Bool(b) if spec.is_empty() => Ok(if *b { "True" } else { "False" }.to_string()),
        Value::Bool(b) => format_int_spec(IntRef::Small(i64::from(*b)), spec, "bool"),
        Value::Float(x) => format_float_spec(*x, spec),
        _ => {
            // Only a `__format__` written in Python (or by a native module's type) is called: a
            // generic built-in one would just come back here.
            let method = match v {
                Value::Instance(inst) => inst
                    .class
                    .lookup("__format__")
                    .filter(|m| matches!(m, Value::Function(_))),
                Value::Object(o) => o.0.class().lookup("__format__"),
                _ => None,
            };
            if let Some(m) = method {
                let r = vm.call(&m, &[v.clone(), Value::str(spec)])?;
                return match r.as_str() {
                    Some(s) => Ok(s.to_string()),
                    None => Err(PyErr::type_error(format!(
                        "__format__ must return a str, not {}",
                        ops::type_name(&r)
                    ))),
                };
            }
            if spec.is_empty() {
                vm.to_str(v)
            } else {
                Err(PyErr::type_error(format!(
                    "unsupported format string passed to {}.__format__",
                    ops::type_name(v)
                )))
            }
        }
    }
}

// =============================================================================================
// printf-style formatting: str % args
// =============================================================================================

/// The `%` flags.
#[derive(Default, Clone, Copy)]
struct PctFlags {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
}

/// Whether `str % v` treats `v` as a mapping (CPython: it has `__getitem__` and is neither a
/// tuple nor a str). Such an argument may go unused without error.
fn is_mapping(v: &Value) -> bool {
    match v {
        Value::Dict(_) | Value::List(_) | Value::Bytes(_) | Value::Range(_) => true,
        Value::Instance(inst) => inst.class.lookup("__getitem__").is_some(),
        Value::Object(o) => o.0.class().lookup("__getitem__").is_some(),
        _ => false,
    }
}

/// The arguments of a `%` format, consumed in order.
struct PctArgs<'a> {
    /// The tuple's items, or the single non-tuple argument.
    items: &'a [Value],
    next: usize,
}

impl PctArgs<'_> {
    fn next(&mut self) -> PyResult<Value> {
        let v = self
            .items
            .get(self.next)
            .cloned()
            .ok_or_else(|| PyErr::type_error("not enough arguments for format string"))?;
        self.next += 1;
        Ok(v)
    }
}

/// `fmt % args` for `str`.
pub fn percent_format(vm: &mut Vm, fmt: &str, args: &Value) -> PyResult<String> {
    let single = std::slice::from_ref(args);
    let items: &[Value] = match args {
        Value::Tuple(t) => &t.0,
        _ => single,
    };
    let mapping = !matches!(args, Value::Tuple(_) | Value::Str(_)) && is_mapping(args);
    let mut state = PctArgs { items, next: 0 };
    let mut out = String::with_capacity(fmt.len() + 16);
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(off) = fmt[i..].find('%') else {
            out.push_str(&fmt[i..]);
            break;
        };
        out.push_str(&fmt[i..i + off]);
        i += off + 1;
        if b.get(i) == Some(&b'%') {
            out.push('%');
            i += 1;
            continue;
        }
        i = percent_one(vm, fmt, i, args, mapping, &mut state, &mut out)?;
    }
    if state.next < state.items.len() && !mapping {
        return Err(PyErr::type_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

/// Reads a `*` width or precision argument.
fn star_arg(state: &mut PctArgs<'_>) -> PyResult<i64> {
    match state.next()? {
        Value::Int(n) => Ok(n),
        Value::Bool(b) => Ok(i64::from(b)),
        _ => Err(PyErr::type_error("* wants int")),
    }
}

/// Formats one `%` directive whose text starts at byte `i` (just past the `%`); returns the byte
/// index after it.
fn percent_one(
    vm: &mut Vm,
    fmt: &str,
    mut i: usize,
    args: &Value,
    mapping: bool,
    state: &mut PctArgs<'_>,
    out: &mut String,
) -> PyResult<usize> {
    let b = fmt.as_bytes();
    let incomplete = || PyErr::value_error("incomplete format");
    let mut keyed: Option<Value> = None;
    if b.get(i) == Some(&b'(') {
        if !mapping {
            return Err(PyErr::type_error("format requires a mapping"));
        }
        let mut depth = 1;
        let start = i + 1;
        let mut j = start;
        while j < b.len() {
            match b[j] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        if depth > 0 {
            return Err(PyErr::value_error("incomplete format key"));
        }
        keyed = Some(vm.get_item(args, &Value::str(&fmt[start..j]))?);
        // As in CPython, once a key is used the mapping no longer serves positional directives.
        state.next = state.items.len();
        i = j + 1;
    }
    let mut flags = PctFlags::default();
    while let Some(&c) = b.get(i) {
        match c {
            b'-' => flags.left = true,
            b'+' => flags.plus = true,
            b' ' => flags.space = true,
            b'#' => flags.alt = true,
            b'0' => flags.zero = true,
            _ => break,
        }
        i += 1;
    }
    let mut width: usize = 0;
    if b.get(i) == Some(&b'*') {
        let w = star_arg(state)?;
        if w < 0 {
            flags.left = true;
        }
        width = check_alloc(usize::try_from(w.unsigned_abs()).unwrap_or(usize::MAX))?;
        i += 1;
    } else {
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            width = width
                .checked_mul(10)
                .and_then(|w| w.checked_add(usize::from(d - b'0')))
                .ok_or_else(|| PyErr::value_error("width too big"))?;
            i += 1;
        }
        check_alloc(width)?;
    }
    let mut precision: Option<usize> = None;
    if b.get(i) == Some(&b'.') {
        i += 1;
        if b.get(i) == Some(&b'*') {
            precision = Some(check_alloc(
                usize::try_from(star_arg(state)?.max(0)).unwrap_or(0),
            )?);
            i += 1;
        } else {
            let mut p: usize = 0;
            while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
                p = p
                    .checked_mul(10)
                    .and_then(|p| p.checked_add(usize::from(d - b'0')))
                    .ok_or_else(|| PyErr::value_error("precision too big"))?;
                i += 1;
            }
            precision = Some(check_alloc(p)?);
        }
    }
    while matches!(b.get(i), Some(b'h' | b'l' | b'L')) {
        i += 1;
    }
    let conv = fmt
        .get(i..)
        .and_then(|r| r.chars().next())
        .ok_or_else(incomplete)?;
    let conv_at = i;
    i += conv.len_utf8();
    let v = match keyed {
        Some(v) => v,
        None => state.next()?,
    };
    match conv {
        's' | 'r' | 'a' => {
            let text = match conv {
                's' => vm.to_str(&v)?,
                'r' => vm.repr(&v)?,
                _ => ascii_escape(&vm.repr(&v)?),
            };
            let text = match precision {
                Some(p) => match text.char_indices().nth(p) {
                    Some((k, _)) => text[..k].to_string(),
                    None => text,
                },
                None => text,
            };
            pad_text(out, &text, width, flags.left);
        }
        'c' => {
            let requires = || PyErr::type_error("%c requires int or char");
            let c = match (&v, int_of(&v)) {
                (_, Some(n)) => char_from_int(n)?,
                (Value::Str(s), _) if s.char_len() == 1 => {
                    s.as_str().chars().next().unwrap_or('\0')
                }
                (Value::Instance(_), _) => match call_conversion(vm, &v, &["__index__"])? {
                    Some(r) => char_from_int(int_of(&r).ok_or_else(requires)?)?,
                    None => return Err(requires()),
                },
                _ => return Err(requires()),
            };
            pad_text(out, c.encode_utf8(&mut [0; 4]), width, flags.left);
        }
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            let decimal = matches!(conv, 'd' | 'i' | 'u');
            let converted = match (&v, int_of(&v)) {
                (_, Some(_)) => v.clone(),
                (Value::Float(f), None) if decimal => float_to_int(*f)?,
                _ => {
                    let names: &[&str] = if decimal {
                        &["__index__", "__int__"]
                    } else {
                        &["__index__"]
                    };
                    match call_conversion(vm, &v, names)? {
                        Some(r) if int_of(&r).is_some() => r,
                        Some(r) => {
                            return Err(PyErr::type_error(format!(
                                "__index__ returned non-int (type {})",
                                ops::type_name(&r)
                            )));
                        }
                        None => {
                            let what = if decimal {
                                "a real number"
                            } else {
                                "an integer"
                            };
                            return Err(PyErr::type_error(format!(
                                "%{conv} format: {what} is required, not {}",
                                ops::type_name(&v)
                            )));
                        }
                    }
                }
            };
            let n = int_of(&converted).unwrap_or(IntRef::Small(0));
            if let (true, IntRef::Big(b)) = (decimal, &n) {
                ops::check_str_digits(b, vm.int_max_str_digits())?;
            }
            let (radix, prefix) = match conv {
                'x' => (16, "0x"),
                'X' => (16, "0X"),
                'o' => (8, "0o"),
                _ => (10, ""),
            };
            let mut digits = n.magnitude_digits(radix);
            if conv == 'X' {
                digits.make_ascii_uppercase();
            }
            if let Some(p) = precision
                && digits.len() < p
            {
                digits.insert_str(0, &"0".repeat(p - digits.len()));
            }
            let prefix = if flags.alt { prefix } else { "" };
            pad_number(
                out,
                pct_sign(n.is_negative(), flags),
                prefix,
                &digits,
                width,
                flags,
            );
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let x = match (&v, int_of(&v)) {
                (Value::Float(f), _) => *f,
                (_, Some(n)) => n.to_f64()?,
                _ => {
                    let r = call_conversion(vm, &v, &["__float__", "__index__"])?;
                    match (&r, r.as_ref().and_then(int_of)) {
                        (Some(Value::Float(f)), _) => *f,
                        (_, Some(n)) => n.to_f64()?,
                        _ => {
                            return Err(PyErr::type_error(format!(
                                "must be real number, not {}",
                                ops::type_name(&v)
                            )));
                        }
                    }
                }
            };
            let mut body = float_body(
                x.abs(),
                conv.to_ascii_lowercase(),
                precision.unwrap_or(6),
                flags.alt,
                false,
            );
            if conv.is_ascii_uppercase() {
                body.make_ascii_uppercase();
            }
            let negative = x.is_sign_negative() && !x.is_nan();
            pad_number(out, pct_sign(negative, flags), "", &body, width, flags);
        }
        c => {
            let index = fmt[..conv_at].chars().count();
            return Err(PyErr::value_error(format!(
                "unsupported format character {} (0x{:x}) at index {index}",
                quote_code(c),
                c as u32
            )));
        }
    }
    Ok(i)
}

/// Calls the first of the numeric conversion methods `names` (`__index__`, `__int__`,
/// `__float__`) that the value's user class defines; `None` when it defines none.
fn call_conversion(vm: &mut Vm, v: &Value, names: &[&str]) -> PyResult<Option<Value>> {
    let Value::Instance(inst) = v else {
        return Ok(None);
    };
    for name in names {
        if let Some(m @ Value::Function(_)) = inst.class.lookup(name) {
            return vm.call(&m, std::slice::from_ref(v)).map(Some);
        }
    }
    Ok(None)
}

/// The integer inside an int, bool or big int.
fn int_of(v: &Value) -> Option<IntRef<'_>> {
    match v {
        Value::Int(i) => Some(IntRef::Small(*i)),
        Value::Bool(b) => Some(IntRef::Small(i64::from(*b))),
        Value::BigInt(b) => Some(IntRef::Big(b)),
        _ => None,
    }
}

/// `int(f)` for `%d` of a float: truncation, with CPython's errors for inf and nan.
fn float_to_int(f: f64) -> PyResult<Value> {
    use num_traits::FromPrimitive;
    if f.is_nan() {
        return Err(PyErr::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(PyErr::overflow("cannot convert float infinity to integer"));
    }
    let t = f.trunc();
    if t.abs() < 9.0e18 {
        return Ok(Value::Int(t as i64));
    }
    Ok(BigInt::from_f64(t).map_or(Value::Int(0), Value::from_bigint))
}

fn pct_sign(negative: bool, flags: PctFlags) -> Option<char> {
    if negative {
        Some('-')
    } else if flags.plus {
        Some('+')
    } else if flags.space {
        Some(' ')
    } else {
        None
    }
}

/// Pads a `%s`-style field with spaces (the `0` flag does not apply to text).
fn pad_text(out: &mut String, text: &str, width: usize, left: bool) {
    let n = text.chars().count();
    let fill = width.saturating_sub(n);
    if !left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
    out.push_str(text);
    if left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

/// Lays out a `%` number: spaces, sign, prefix, zeros (with the `0` flag), digits.
fn pad_number(
    out: &mut String,
    sign: Option<char>,
    prefix: &str,
    body: &str,
    width: usize,
    flags: PctFlags,
) {
    let len = sign.map_or(0, |_| 1) + prefix.len() + body.len();
    let fill = width.saturating_sub(len);
    if !flags.left && !flags.zero {
        out.extend(std::iter::repeat_n(' ', fill));
    }
    out.extend(sign);
    out.push_str(prefix);
    if !flags.left && flags.zero {
        out.extend(std::iter::repeat_n('0', fill));
    }
    out.push_str(body);
    if flags.left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

// =============================================================================================
// str.format
// =============================================================================================

/// Where `{name}` fields are looked up: `str.format`'s keywords or `str.format_map`'s mapping.
#[derive(Clone, Copy)]
pub enum Named<'a> {
    Kwargs(&'a [(Arc<str>, Value)]),
    Mapping(&'a Value),
}

/// Auto-numbering state, shared by nested specs as in CPython.
#[derive(Clone, Copy, PartialEq)]
enum AutoNumber {
    Init,
    Auto(usize),
    Manual,
}

struct FormatCtx<'a> {
    args: Option<&'a [Value]>,
    named: Named<'a>,
    auto: AutoNumber,
}

/// `fmt.format(*args, **kwargs)`.
pub fn str_format(
    vm: &mut Vm,
    fmt: &str,
    args: &[Value],
    kwargs: &[(Arc<str>, Value)],
) -> PyResult<String> {
    let mut ctx = FormatCtx {
        args: Some(args),
        named: Named::Kwargs(kwargs),
        auto: AutoNumber::Init,
    };
    build_string(vm, &mut ctx, fmt, 2)
}

/// `fmt.format_map(mapping)`.
pub fn str_format_map(vm: &mut Vm, fmt: &str, mapping: &Value) -> PyResult<String> {
    let mut ctx = FormatCtx {
        args: None,
        named: Named::Mapping(mapping),
        auto: AutoNumber::Init,
    };
    build_string(vm, &mut ctx, fmt, 2)
}

/// One replacement field, split as CPython's `parse_field`.
struct Field<'a> {
    name: &'a str,
    conversion: Option<char>,
    spec: &'a str,
    spec_has_fields: bool,
}

fn build_string(vm: &mut Vm, ctx: &mut FormatCtx<'_>, fmt: &str, depth: u32) -> PyResult<String> {
    if depth == 0 {
        return Err(PyErr::value_error("Max string recursion exceeded"));
    }
    let mut out = String::with_capacity(fmt.len() + 16);
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let Some(off) = fmt[i..].find(['{', '}']) else {
            out.push_str(&fmt[i..]);
            break;
        };
        out.push_str(&fmt[i..i + off]);
        let at = i + off;
        let brace = b[at];
        if b.get(at + 1) == Some(&brace) {
            out.push(brace as char);
            i = at + 2;
            continue;
        }
        if brace == b'}' {
            return Err(PyErr::value_error(
                "Single '}' encountered in format string",
            ));
        }
        if at + 1 >= b.len() {
            return Err(PyErr::value_error(
                "Single '{' encountered in format string",
            ));
        }
        let (field, next) = parse_field(fmt, at + 1)?;
        i = next;
        let mut obj = field_object(vm, ctx, field.name)?;
        if let Some(c) = field.conversion {
            obj = Value::str(match c {
                'r' => vm.repr(&obj)?,
                's' => vm.to_str(&obj)?,
                'a' => ascii_escape(&vm.repr(&obj)?),
                c if (c as u32) > 32 && (c as u32) < 127 => {
                    return Err(PyErr::value_error(format!(
                        "Unknown conversion specifier {c}"
                    )));
                }
                c => {
                    return Err(PyErr::value_error(format!(
                        "Unknown conversion specifier \\x{:x}",
                        c as u32
                    )));
                }
            });
        }
        let text = if field.spec_has_fields {
            let spec = build_string(vm, ctx, field.spec, depth - 1)?;
            format_spec(vm, &obj, &spec)?
        } else {
            format_spec(vm, &obj, field.spec)?
        };
        out.push_str(&text);
    }
    Ok(out)
}

/// Parses the field starting at byte `start` (just past `{`); returns it and the index past `}`.
fn parse_field(fmt: &str, start: usize) -> PyResult<(Field<'_>, usize)> {
    let b = fmt.as_bytes();
    let mut i = start;
    let mut end_char = None;
    while i < b.len() {
        let c = b[i];
        i += 1;
        match c {
            b'{' => return Err(PyErr::value_error("unexpected '{' in field name")),
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
            }
            b'}' | b':' | b'!' => {
                end_char = Some(c);
                break;
            }
            _ => {}
        }
    }
    let Some(c) = end_char else {
        return Err(PyErr::value_error("expected '}' before end of string"));
    };
    let name = &fmt[start..i - 1];
    let mut field = Field {
        name,
        conversion: None,
        spec: "",
        spec_has_fields: false,
    };
    if c == b'}' {
        return Ok((field, i));
    }
    if c == b'!' {
        let conv = fmt[i..].chars().next().ok_or_else(|| {
            PyErr::value_error("end of string while looking for conversion specifier")
        })?;
        field.conversion = Some(conv);
        i += conv.len_utf8();
        if i < b.len() {
            let c2 = b[i];
            i += 1;
            if c2 == b'}' {
                return Ok((field, i));
            }
            if c2 != b':' {
                return Err(PyErr::value_error(
                    "expected ':' after conversion specifier",
                ));
            }
        }
    }
    let spec_start = i;
    let mut count = 1;
    while i < b.len() {
        let c = b[i];
        i += 1;
        match c {
            b'{' => {
                field.spec_has_fields = true;
                count += 1;
            }
            b'}' => {
                count -= 1;
                if count == 0 {
                    field.spec = &fmt[spec_start..i - 1];
                    return Ok((field, i));
                }
            }
            _ => {}
        }
    }
    Err(PyErr::value_error("unmatched '{' in format spec"))
}

/// A field name's leading integer (`"0"`, `"12"`), as CPython's `get_integer`.
fn field_index(s: &str) -> PyResult<Option<usize>> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    s.parse::<usize>()
        .map(Some)
        .map_err(|_| PyErr::value_error("Too many decimal digits in format string"))
}

/// Resolves a field name (`0`, `name`, `0.attr[key]`, or empty for auto-numbering).
fn field_object(vm: &mut Vm, ctx: &mut FormatCtx<'_>, name: &str) -> PyResult<Value> {
    let first_end = name.find(['.', '[']).unwrap_or(name.len());
    let (first, mut rest) = name.split_at(first_end);
    let mut index = field_index(first)?;
    if first.is_empty() || index.is_some() {
        let empty = first.is_empty();
        if ctx.auto == AutoNumber::Init {
            ctx.auto = if empty {
                AutoNumber::Auto(0)
            } else {
                AutoNumber::Manual
            };
        }
        match (ctx.auto, empty) {
            (AutoNumber::Manual, true) => {
                return Err(PyErr::value_error(
                    "cannot switch from manual field specification to automatic field numbering",
                ));
            }
            (AutoNumber::Auto(_), false) => {
                return Err(PyErr::value_error(
                    "cannot switch from automatic field numbering to manual field specification",
                ));
            }
            (AutoNumber::Auto(n), true) => {
                index = Some(n);
                ctx.auto = AutoNumber::Auto(n + 1);
            }
            _ => {}
        }
    }
    let mut obj = match index {
        Some(n) => {
            let args = ctx
                .args
                .ok_or_else(|| PyErr::value_error("Format string contains positional fields"))?;
            args.get(n).cloned().ok_or_else(|| {
                PyErr::index_error(format!(
                    "Replacement index {n} out of range for positional args tuple"
                ))
            })?
        }
        None => match ctx.named {
            Named::Kwargs(kw) => match kw.iter().find(|(k, _)| &**k == first) {
                Some((_, v)) => v.clone(),
                None => return Err(PyErr::with_args(ExcKind::KeyError, vec![Value::str(first)])),
            },
            Named::Mapping(m) => vm.get_item(m, &Value::str(first))?,
        },
    };
    while !rest.is_empty() {
        let is_attr = rest.starts_with('.');
        let part;
        if let Some(body) = rest.strip_prefix('.') {
            let end = body.find(['.', '[']).unwrap_or(body.len());
            part = &body[..end];
            rest = &body[end..];
        } else if let Some(body) = rest.strip_prefix('[') {
            let end = body
                .find(']')
                .ok_or_else(|| PyErr::value_error("Missing ']' in format string"))?;
            part = &body[..end];
            rest = &body[end + 1..];
        } else {
            return Err(PyErr::value_error(
                "Only '.' or '[' may follow ']' in format field specifier",
            ));
        }
        if part.is_empty() {
            return Err(PyErr::value_error("Empty attribute in format string"));
        }
        obj = if is_attr {
            vm.get_attr(&obj, part)?
        } else {
            let key = match field_index(part)? {
                Some(n) => Value::Int(i64::try_from(n).unwrap_or(i64::MAX)),
                None => Value::str(part),
            };
            vm.get_item(&obj, &key)?
        };
    }
    Ok(obj)
}

// =============================================================================================
// Tests of the pure parts
// =============================================================================================

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64, spec: &str) -> String {
        format_int_spec(IntRef::Small(i), spec, "int").unwrap_or_else(|e| format!("ERR {e:?}"))
    }
    fn flt(x: f64, spec: &str) -> String {
        format_float_spec(x, spec).unwrap_or_else(|e| format!("ERR {e:?}"))
    }
    fn err_msg(r: PyResult<String>) -> String {
        match r {
            Err(e) => e.message().unwrap_or("").to_string(),
            Ok(v) => format!("not an error: {v:?}"),
        }
    }

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e300, "1.5e+300"),
            (123.456, "123.456"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123456789.0, "123456789.0"),
            (-2.5e-7, "-2.5e-07"),
            (1e22, "1e+22"),
            (9999999999999998.0, "9999999999999998.0"),
            // Exactly halfway between the two 16-digit candidates: CPython picks the even one.
            (686036261402521.0 + 0.25, "686036261402521.2"),
        ];
        for &(x, want) in cases {
            assert_eq!(float_repr(x), want, "repr({x:e})");
        }
    }

    #[test]
    fn int_specs() {
        let cases: &[(i64, &str, &str)] = &[
            (42, ">5", "   42"),
            (42, "<5", "42   "),
            (42, "^5", " 42  "),
            (42, "05d", "00042"),
            (42, "+d", "+42"),
            (42, " d", " 42"),
            (-42, "05", "-0042"),
            (255, "x", "ff"),
            (255, "X", "FF"),
            (255, "#x", "0xff"),
            (5, "#b", "0b101"),
            (8, "#o", "0o10"),
            (-5, "#010x", "-0x0000005"),
            (1234567, ",", "1,234,567"),
            (1234567, "_", "1_234_567"),
            (-98765, ",", "-98,765"),
            (1, "012,", "0,000,000,001"),
            (1234, "012_x", "00_0000_04d2"),
            (1234, "09,", "0,001,234"),
            (0, "05,", "0,000"),
            (255, "#012_x", "0x0_0000_00ff"),
            (65, "c", "A"),
            (65, "5c", "    A"),
            (1, "0<5", "10000"),
            (-1, "0>5", "000-1"),
            (-1, "0^5", "0-100"),
            (-5, "x<5", "-5xxx"),
            (5, "=5", "    5"),
            (-5, "^6", "  -5  "),
            (3, ".2%", "300.00%"),
            (1, "e", "1.000000e+00"),
            (123, "n", "123"),
            (1, "\0<5", "1\0\0\0\0"),
        ];
        for &(i, spec, want) in cases {
            assert_eq!(int(i, spec), want, "format({i}, {spec:?})");
        }
        let big: BigInt = BigInt::from(10).pow(30);
        assert_eq!(
            format_int_spec(IntRef::Big(&big), ",", "int")
                .ok()
                .as_deref(),
            Some("1,000,000,000,000,000,000,000,000,000,000")
        );
        assert_eq!(
            format_int_spec(IntRef::Big(&big), "x", "int")
                .ok()
                .as_deref(),
            Some("c9f2c9cd04674edea40000000")
        );
    }

    #[test]
    fn float_specs() {
        let cases: &[(f64, &str, &str)] = &[
            (2.34567, ".2f", "2.35"),
            (2.34567, "8.3f", "   2.346"),
            (2.5, "<8.1f", "2.5     "),
            (2.34567, "e", "2.345670e+00"),
            (2.34567, ".3e", "2.346e+00"),
            (2.34567, "g", "2.34567"),
            (0.256, ".1%", "25.6%"),
            (0.256, "%", "25.600000%"),
            (1234567.0, ",.2f", "1,234,567.00"),
            (2.675, ".2f", "2.67"),
            (0.5, ".0f", "0"),
            (1.5, ".0f", "2"),
            (2.5, ".0f", "2"),
            (-0.0, ".1f", "-0.0"),
            (-0.0, "z.1f", "0.0"),
            (-0.0001, "z.1f", "0.0"),
            (-1e-9, "z.3", "-1e-09"),
            (1e16, ".0f", "10000000000000000"),
            (1.0, ".3", "1.0"),
            (12.0, ".2", "1.2e+01"),
            (123.0, "", "123.0"),
            (1e16, "", "1e+16"),
            (1.5, ".0", "2e+00"),
            (0.0001, ".3", "0.0001"),
            (1e-5, ".3", "1e-05"),
            (1.5, "#.0f", "2."),
            (1.5, "#.3", "1.50"),
            (1.5, "#g", "1.50000"),
            (100.0, "#g", "100.000"),
            (100.0, "g", "100"),
            (100.0, ".3", "1e+02"),
            (1.5, "#.0", "2.e+00"),
            (12345678.0, "_", "12_345_678.0"),
            (12345678.5, ",", "12,345,678.5"),
            (1e20, ",", "1e+20"),
            (1234.5, "012,.1f", "00,001,234.5"),
            (1.5, "06,", "0,001.5"),
            (f64::INFINITY, "010", "0000000inf"),
            (f64::INFINITY, ",", "inf"),
            (f64::NAN, "=+10", "+      nan"),
            (f64::NAN, "+010,", "+000000nan"),
            (f64::INFINITY, "E", "INF"),
            (1.1, "E", "1.100000E+00"),
            (1e-10, "G", "1E-10"),
            (9.999, ".2e", "1.00e+01"),
            (9.999, ".2g", "10"),
            (0.0, "e", "0.000000e+00"),
            (0.0, "#.0e", "0.e+00"),
            (0.0, "g", "0"),
            (0.0, "#g", "0.00000"),
            (0.0, ".3", "0.0"),
            (5e-324, ".3", "4.94e-324"),
            (1.2345e-05, ".3g", "1.23e-05"),
            (123456.0, ".3g", "1.23e+05"),
            (123456.0, ".6g", "123456"),
            (1234567.0, ".7", "1.234567e+06"),
            (-3.5, "=8.2f", "-   3.50"),
            (3.5, "=+8.2f", "+   3.50"),
            (-5.0, "08.2f", "-0005.00"),
            (1e100, ".2g", "1e+100"),
            (0.000123, "g", "0.000123"),
            (5.5, " ", " 5.5"),
            (-0.5, ".0%", "-50%"),
        ];
        for &(x, spec, want) in cases {
            assert_eq!(flt(x, spec), want, "format({x:e}, {spec:?})");
        }
        assert_eq!(flt(0.1, ".20f"), "0.10000000000000000555");
        let long = flt(1.5, ".70000f");
        assert_eq!(long.len(), 70002);
        assert!(long.starts_with("1.5000"));
    }

    #[test]
    fn str_specs() {
        assert_eq!(
            format_str_spec("hi", "^10").ok().as_deref(),
            Some("    hi    ")
        );
        assert_eq!(format_str_spec("hi", "*>6").ok().as_deref(), Some("****hi"));
        assert_eq!(
            format_str_spec("abc", "^10.2").ok().as_deref(),
            Some("    ab    ")
        );
        assert_eq!(format_str_spec("x", "05").ok().as_deref(), Some("x0000"));
        assert_eq!(
            format_str_spec("日本", "*^6").ok().as_deref(),
            Some("**日本**")
        );
        assert_eq!(format_str_spec("abcdef", ".3").ok().as_deref(), Some("abc"));
    }

    #[test]
    fn spec_errors() {
        assert_eq!(
            err_msg(format_str_spec("a", "d")),
            "Unknown format code 'd' for object of type 'str'"
        );
        assert_eq!(
            err_msg(format_str_spec("a", "=")),
            "'=' alignment not allowed in string format specifier"
        );
        assert_eq!(
            err_msg(format_str_spec("a", "+")),
            "Sign not allowed in string format specifier"
        );
        assert_eq!(
            err_msg(format_str_spec("a", ",")),
            "Cannot specify ',' with 's'."
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), "xx", "int")),
            "Invalid format specifier 'xx' for object of type 'int'"
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), ".", "int")),
            "Format specifier missing precision"
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), ",_", "int")),
            "Cannot specify both ',' and '_'."
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), "_,", "int")),
            "Cannot specify both ',' and '_'."
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), ",,", "int")),
            "Cannot specify ',' with ','."
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), "_c", "int")),
            "Cannot specify '_' with 'c'."
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), ".2", "int")),
            "Precision not allowed in integer format specifier"
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), "s", "bool")),
            "Unknown format code 's' for object of type 'bool'"
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(1), "+c", "int")),
            "Sign not allowed with integer format specifier 'c'"
        );
        assert_eq!(
            err_msg(format_int_spec(IntRef::Small(-1), "c", "int")),
            "%c arg not in range(0x110000)"
        );
        assert_eq!(
            err_msg(format_float_spec(1.5, "d")),
            "Unknown format code 'd' for object of type 'float'"
        );
        assert_eq!(
            err_msg(format_int_spec(
                IntRef::Small(1),
                "99999999999999999999",
                "int"
            )),
            "Too many decimal digits in format string"
        );
    }

    #[test]
    fn reprs() {
        assert_eq!(str_repr("plain"), "'plain'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("both ' and \""), "'both \\' and \"'");
        assert_eq!(str_repr("tab\there\n\r\\"), "'tab\\there\\n\\r\\\\'");
        assert_eq!(
            str_repr("\x00\x7f\u{80}\u{a0}\u{200b}"),
            "'\\x00\\x7f\\x80\\xa0\\u200b'"
        );
        assert_eq!(str_repr("é日本😀"), "'é日本😀'");
        assert_eq!(str_repr("\u{e000}\u{10ffff}"), "'\\ue000\\U0010ffff'");
        assert_eq!(bytes_repr(b"it's"), "b\"it's\"");
        assert_eq!(
            bytes_repr(b"\x00\x01\x7f\x80\xff\n\t\r\\'\""),
            "b'\\x00\\x01\\x7f\\x80\\xff\\n\\t\\r\\\\\\'\"'"
        );
        assert_eq!(ascii_escape("'é😀'"), "'\\xe9\\U0001f600'");
    }

    #[test]
    fn grouping_algorithm() {
        assert_eq!(group_digits("1234567", ',', 3, 0), "1,234,567");
        assert_eq!(group_digits("1", ',', 3, 12), "0,000,000,001");
        assert_eq!(group_digits("4d2", '_', 4, 12), "00_0000_04d2");
        assert_eq!(group_digits("", ',', 3, 0), "0");
    }
}
