//! Operators on built-in values that need no interpreter: number arithmetic with Python's rules
//! (floor division and modulo signs, int overflow promoting to big ints), hashing, key equality,
//! conversions. `protocol.rs` layers the user-class dunder methods on top.

use std::sync::Arc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use super::errors::{PyErr, PyResult};
use super::objects::HashKey;
use super::value::Value;
use crate::syntax::ast::BinOp;

/// The Python type name of a value, as error messages print it.
pub fn type_name(v: &Value) -> &str {
    match v {
        Value::Unbound => "<unbound>",
        Value::None => "NoneType",
        Value::Ellipsis => "ellipsis",
        Value::NotImplemented => "NotImplementedType",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::Bytes(_) => "bytes",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Dict(_) => "dict",
        Value::Set(s) => {
            if s.frozen {
                "frozenset"
            } else {
                "set"
            }
        }
        Value::Range(_) => "range",
        Value::Slice(_) => "slice",
        Value::Function(_) => "function",
        Value::Native(_) | Value::NativeMethod(_) => "builtin_function_or_method",
        Value::BoundMethod(_) => "method",
        Value::Class(_) => "type",
        Value::Instance(i) => &i.class.name,
        Value::Module(_) => "module",
        Value::Iter(_) => "iterator",
        Value::Cell(_) => "cell",
        Value::Code(_) => "code",
        Value::Object(o) => &o.0.class().name,
    }
}

/// An integer value as i64 (`__index__` for built-ins), or TypeError.
pub fn to_index(v: &Value) -> PyResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::BigInt(_) => Err(PyErr::index_error(
            "cannot fit 'int' into an index-sized integer",
        )),
        _ => Err(PyErr::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))),
    }
}

pub fn to_bigint(v: &Value) -> PyResult<BigInt> {
    match v {
        Value::Int(i) => Ok(BigInt::from(*i)),
        Value::Bool(b) => Ok(BigInt::from(*b as i64)),
        Value::BigInt(b) => Ok((**b).clone()),
        _ => Err(PyErr::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            type_name(v)
        ))),
    }
}

pub fn bigint_to_f64(b: &BigInt) -> PyResult<f64> {
    match b.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(PyErr::overflow("int too large to convert to float")),
    }
}

pub fn to_f64(v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::BigInt(b) => bigint_to_f64(b),
        _ => Err(PyErr::type_error(format!(
            "must be real number, not {}",
            type_name(v)
        ))),
    }
}

fn is_number(v: &Value) -> bool {
    matches!(
        v,
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) | Value::Float(_)
    )
}

fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::BigInt(_))
}

pub fn op_symbol(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::BitAnd => "&",
        BinOp::MatMul => "@",
    }
}

/// Arithmetic on numbers; `Ok(None)` when the operands are not both numbers.
pub fn number_op(a: &Value, b: &Value, op: BinOp) -> PyResult<Option<Value>> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return int_op(*x, *y, op).map(Some);
    }
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        match op {
            BinOp::BitAnd => return Ok(Some(Value::Bool(x & y))),
            BinOp::BitOr => return Ok(Some(Value::Bool(x | y))),
            BinOp::BitXor => return Ok(Some(Value::Bool(x ^ y))),
            _ => {}
        }
    }
    if !is_number(a) || !is_number(b) {
        return Ok(None);
    }
    if is_int(a) && is_int(b) {
        return bigint_op(to_bigint(a)?, to_bigint(b)?, op).map(Some);
    }
    if matches!(
        op,
        BinOp::LShift | BinOp::RShift | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor
    ) {
        return Ok(None);
    }
    float_op(to_f64(a)?, to_f64(b)?, op).map(Some)
}

/// Small-int arithmetic: the hot path. Overflow falls back to big ints.
#[inline]
pub fn int_op(x: i64, y: i64, op: BinOp) -> PyResult<Value> {
    let r = match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::FloorDiv => {
            if y == 0 {
                return Err(PyErr::zero_division("integer division or modulo by zero"));
            }
            floor_div_mod(x, y).map(|(q, _)| q)
        }
        BinOp::Mod => {
            if y == 0 {
                return Err(PyErr::zero_division("integer modulo by zero"));
            }
            floor_div_mod(x, y).map(|(_, r)| r)
        }
        BinOp::Div => {
            if y == 0 {
                return Err(PyErr::zero_division("division by zero"));
            }
            return Ok(Value::Float(true_div_int(
                &BigInt::from(x),
                &BigInt::from(y),
            )?));
        }
        BinOp::BitAnd => Some(x & y),
        BinOp::BitOr => Some(x | y),
        BinOp::BitXor => Some(x ^ y),
        BinOp::LShift => {
            if y < 0 {
                return Err(PyErr::value_error("negative shift count"));
            }
            if y < 63 && (x.unsigned_abs() >> (63 - y)) == 0 {
                Some(x << y)
            } else {
                None
            }
        }
        BinOp::RShift => {
            if y < 0 {
                return Err(PyErr::value_error("negative shift count"));
            }
            Some(if y >= 64 {
                if x < 0 { -1 } else { 0 }
            } else {
                x >> y
            })
        }
        BinOp::Pow => {
            if y < 0 {
                return float_op(x as f64, y as f64, op);
            }
            u32::try_from(y).ok().and_then(|e| x.checked_pow(e))
        }
        BinOp::MatMul => {
            return Err(PyErr::type_error(
                "unsupported operand type(s) for @: 'int' and 'int'",
            ));
        }
    };
    match r {
        Some(v) => Ok(Value::Int(v)),
        None => bigint_op(BigInt::from(x), BigInt::from(y), op),
    }
}

/// Python's `divmod` of two small ints (the quotient rounds toward negative infinity, the
/// remainder takes the divisor's sign), from one hardware division. `None` when `y` is zero or
/// the quotient overflows (`i64::MIN // -1`).
#[inline(always)]
pub fn floor_div_mod(x: i64, y: i64) -> Option<(i64, i64)> {
    let (q, r) = (x.checked_div(y)?, x.checked_rem(y)?);
    Some(if r != 0 && (r < 0) != (y < 0) {
        (q - 1, r + y)
    } else {
        (q, r)
    })
}

/// `a / b` for integers, correctly rounded even when they exceed f64's exact range.
fn true_div_int(a: &BigInt, b: &BigInt) -> PyResult<f64> {
    if let (Some(x), Some(y)) = (a.to_i64(), b.to_i64())
        && x.unsigned_abs() < (1 << 53)
        && y.unsigned_abs() < (1 << 53)
    {
        return Ok(x as f64 / y as f64);
    }
    let (x, y) = (bigint_to_f64(a), bigint_to_f64(b));
    match (x, y) {
        (Ok(x), Ok(y)) => Ok(x / y),
        _ => {
            // Scale down both operands to keep the quotient representable.
            let shift = a.bits().max(b.bits()).saturating_sub(1000);
            let (sa, sb): (BigInt, BigInt) = (a >> shift, b >> shift);
            let r = sa.to_f64().unwrap_or(f64::INFINITY) / sb.to_f64().unwrap_or(f64::INFINITY);
            if r.is_infinite() {
                return Err(PyErr::overflow(
                    "integer division result too large for a float",
                ));
            }
            Ok(r)
        }
    }
}

pub fn bigint_op(x: BigInt, y: BigInt, op: BinOp) -> PyResult<Value> {
    Ok(Value::from_bigint(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => {
            crate::memory::reserve(((x.bits() + y.bits()) / 8) as usize)?;
            x * y
        }
        BinOp::FloorDiv => {
            if y.is_zero() {
                return Err(PyErr::zero_division("integer division or modulo by zero"));
            }
            x.div_floor(&y)
        }
        BinOp::Mod => {
            if y.is_zero() {
                return Err(PyErr::zero_division("integer modulo by zero"));
            }
            x.mod_floor(&y)
        }
        BinOp::Div => {
            if y.is_zero() {
                return Err(PyErr::zero_division("division by zero"));
            }
            return Ok(Value::Float(true_div_int(&x, &y)?));
        }
        BinOp::BitAnd => x & y,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::LShift => {
            if y.is_negative() {
                return Err(PyErr::value_error("negative shift count"));
            }
            let n = y
                .to_u64()
                .filter(|n| *n < (1 << 32))
                .ok_or_else(|| PyErr::overflow("too many digits in integer"))?;
            if x.is_zero() {
                x
            } else {
                crate::memory::reserve(((x.bits() + n) / 8) as usize)?;
                x << n
            }
        }
        BinOp::RShift => {
            if y.is_negative() {
                return Err(PyErr::value_error("negative shift count"));
            }
            match y.to_u64() {
                Some(n) => x >> n,
                None => BigInt::from(if x.is_negative() { -1 } else { 0 }),
            }
        }
        BinOp::Pow => {
            if y.is_negative() {
                return float_op(bigint_to_f64(&x)?, bigint_to_f64(&y)?, op);
            }
            let e = y
                .to_u32()
                .ok_or_else(|| PyErr::new(super::ExcKind::MemoryError, ""))?;
            let bits = x.bits().saturating_mul(e as u64);
            if bits > 64 * 1024 * 1024 * 8 {
                return Err(PyErr::new(super::ExcKind::MemoryError, ""));
            }
            crate::memory::reserve((bits / 8) as usize)?;
            num_traits::Pow::pow(x, e)
        }
        BinOp::MatMul => {
            return Err(PyErr::type_error(
                "unsupported operand type(s) for @: 'int' and 'int'",
            ));
        }
    }))
}

pub fn float_op(x: f64, y: f64, op: BinOp) -> PyResult<Value> {
    Ok(Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(PyErr::zero_division("float division by zero"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(PyErr::zero_division("float floor division by zero"));
            }
            float_divmod(x, y).0
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(PyErr::zero_division("float modulo"));
            }
            float_divmod(x, y).1
        }
        BinOp::Pow => {
            if x == 0.0 && y < 0.0 {
                return Err(PyErr::zero_division(
                    "0.0 cannot be raised to a negative power",
                ));
            }
            if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
                return Err(PyErr::not_implemented(
                    "complex results of ** are not supported by gilsim",
                ));
            }
            let r = x.powf(y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err(PyErr::overflow("(34, 'Numerical result out of range')"));
            }
            r
        }
        _ => return Err(PyErr::type_error("unsupported operand type(s) for float")),
    }))
}

/// Python's float divmod: the remainder takes the sign of the divisor.
pub fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    let mut m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m += y;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 { f + 1.0 } else { f }
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, m)
}

const HASH_MODULUS: i64 = (1 << 61) - 1;

/// Python's hash for numbers (so `hash(1) == hash(1.0) == hash(True)`), content hashes for
/// strings, bytes and tuples, identity for everything else.
pub fn hash_of(v: &Value) -> i64 {
    match v {
        Value::Int(i) => hash_int(*i),
        Value::Bool(b) => *b as i64,
        Value::BigInt(b) => {
            let m = (b.abs() % BigInt::from(HASH_MODULUS)).to_i64().unwrap_or(0);
            let h = if b.is_negative() { -m } else { m };
            if h == -1 { -2 } else { h }
        }
        Value::Float(f) => hash_float(*f),
        Value::Str(s) => s.hash_value() as i64,
        Value::Bytes(b) => {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            b.0.hash(&mut h);
            h.finish() as i64
        }
        Value::Tuple(t) => {
            // CPython's xxHash-based tuple hash.
            const P1: u64 = 11400714785074694791;
            const P2: u64 = 14029467366897019727;
            const P5: u64 = 2870177450012600261;
            let mut acc: u64 = P5;
            for item in &t.0 {
                let lane = hash_of(item) as u64;
                acc = acc.wrapping_add(lane.wrapping_mul(P2));
                acc = acc.rotate_left(31);
                acc = acc.wrapping_mul(P1);
            }
            acc = acc.wrapping_add((t.0.len() as u64) ^ (P5 ^ 3527539));
            if acc == u64::MAX {
                1546275796
            } else {
                acc as i64
            }
        }
        Value::None => 0xFCA86420,
        other => other.heap_ptr().map(|p| (p >> 4) as i64).unwrap_or(0),
    }
}

fn hash_int(i: i64) -> i64 {
    let m = (i.unsigned_abs() % HASH_MODULUS as u64) as i64;
    let h = if i < 0 { -m } else { m };
    if h == -1 { -2 } else { h }
}

fn hash_float(x: f64) -> i64 {
    if x.is_infinite() {
        return if x > 0.0 { 314159 } else { -314159 };
    }
    if x.is_nan() {
        return 0;
    }
    if x.fract() == 0.0 && x.abs() < 9.2e18 {
        return hash_int(x as i64);
    }
    let (mut m, mut e) = frexp(x.abs());
    let sign: i64 = if x < 0.0 { -1 } else { 1 };
    let p = HASH_MODULUS as u64;
    let mut acc: u64 = 0;
    while m != 0.0 {
        acc = ((acc << 28) & p) | (acc >> (61 - 28));
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        acc += y;
        if acc >= p {
            acc -= p;
        }
    }
    let e = if e >= 0 {
        e % 61
    } else {
        61 - 1 - ((-1 - e) % 61)
    };
    acc = ((acc << e) & p) | (acc >> (61 - e));
    let h = acc as i64 * sign;
    if h == -1 { -2 } else { h }
}

/// Splits a positive finite float into mantissa in [0.5, 1) and exponent.
fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 {
        return (0.0, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(x * (1u64 << 54) as f64);
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022)
}

/// Equality of hashable keys without running Python code: numbers across types, strings,
/// bytes, tuples element-wise, identity for the rest.
pub fn key_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y) || x.as_str() == y.as_str(),
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x.0 == y.0,
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.0.len() == y.0.len() && x.0.iter().zip(&y.0).all(|(p, q)| p.is(q) || key_eq(p, q))
        }
        _ if is_number(a) && is_number(b) => num_eq(a, b),
        (Value::Set(x), Value::Set(y)) if x.frozen && y.frozen => {
            // Lock one set at a time: the two may be the same object.
            let xs = x.items.lock().clone();
            let ys = y.items.lock().clone();
            xs.len() == ys.len() && xs.iter().all(|k| ys.contains(k))
        }
        _ => a.is(b),
    }
}

/// Numeric equality across int, big int, bool and float.
pub fn num_eq(a: &Value, b: &Value) -> bool {
    num_cmp(a, b) == Some(std::cmp::Ordering::Equal)
}

/// Numeric ordering across int, big int, bool and float (None for NaN or non-numbers).
pub fn num_cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        _ if is_int(a) && is_int(b) => Some(to_bigint(a).ok()?.cmp(&to_bigint(b).ok()?)),
        (Value::Float(x), _) if is_int(b) => float_int_cmp(*x, b),
        (_, Value::Float(y)) if is_int(a) => float_int_cmp(*y, a).map(|o| o.reverse()),
        _ => None,
    }
}

fn float_int_cmp(f: f64, i: &Value) -> Option<std::cmp::Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Less
        });
    }
    if let Value::Int(n) = i
        && n.unsigned_abs() < (1 << 53)
    {
        return f.partial_cmp(&(*n as f64));
    }
    // Exact comparison through big ints: compare floor(f) then the fraction.
    let fl = f.floor();
    let fb = num_bigint::BigInt::from_f64_exact(fl)?;
    let ib = to_bigint(i).ok()?;
    match fb.cmp(&ib) {
        std::cmp::Ordering::Equal if f > fl => Some(std::cmp::Ordering::Greater),
        o => Some(o),
    }
}

trait FromF64Exact: Sized {
    fn from_f64_exact(f: f64) -> Option<Self>;
}

impl FromF64Exact for BigInt {
    fn from_f64_exact(f: f64) -> Option<BigInt> {
        num_traits::FromPrimitive::from_f64(f)
    }
}

/// Wraps a value as a dict key after the hashability check.
pub fn key(v: Value) -> PyResult<HashKey> {
    HashKey::new(v)
}

/// CPython 3.11's default for `sys.set_int_max_str_digits` (`sys.int_info.default_max_str_digits`).
pub const DEFAULT_MAX_STR_DIGITS: usize = 4300;
/// The smallest limit `sys.set_int_max_str_digits` accepts besides 0 (no limit).
pub const MIN_MAX_STR_DIGITS: usize = 640;

/// Refuses to convert `b` to decimal when it has more than `limit` digits (0: no limit), as
/// CPython 3.11 does (CVE-2020-10735: decimal conversion is quadratic). Estimated from the bit
/// length, so a ten-million-digit number is refused without being converted.
pub fn check_str_digits(b: &BigInt, limit: usize) -> PyResult<()> {
    if limit == 0 {
        return Ok(());
    }
    let bits = b.bits() as f64;
    // A number of `bits` bits has between (bits-1)·log10(2)+1 and bits·log10(2)+1 digits.
    let most = bits * std::f64::consts::LOG10_2 + 1.0;
    let least = (bits - 1.0) * std::f64::consts::LOG10_2 + 1.0;
    let too_many = if most <= limit as f64 {
        false
    } else if least.floor() > limit as f64 {
        true
    } else {
        b.magnitude().to_string().len() > limit
    };
    if too_many {
        return Err(PyErr::value_error(format!(
            "Exceeds the limit ({limit} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    Ok(())
}

/// Refuses to parse a decimal (or other non-power-of-two base) string of more than `limit`
/// digits, with CPython 3.11's message.
pub fn check_parse_digits(text: &str, base: u32, limit: usize) -> PyResult<()> {
    // Base 0 takes the base from the prefix: only an unprefixed (decimal) literal is limited.
    let base = match base {
        0 => {
            let body = text
                .trim()
                .trim_start_matches(['+', '-'])
                .to_ascii_lowercase();
            if ["0x", "0o", "0b"].iter().any(|p| body.starts_with(p)) {
                return Ok(());
            }
            10
        }
        b => b,
    };
    // Bases outside 2..=36 are refused by the parse itself.
    if limit == 0 || matches!(base, 2 | 4 | 8 | 16 | 32) || !(2..=36).contains(&base) {
        return Ok(());
    }
    let digits = text.chars().filter(|c| c.is_digit(base)).count();
    if digits > limit {
        return Err(PyErr::value_error(format!(
            "Exceeds the limit ({limit} digits) for integer string conversion: value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use num_integer::Integer;

    #[test]
    fn floor_div_mod_agrees_with_floor_division_at_every_sign_and_edge() {
        let edges = [
            i64::MIN,
            i64::MIN + 1,
            -7,
            -3,
            -1,
            0,
            1,
            2,
            3,
            7,
            i64::MAX - 1,
            i64::MAX,
        ];
        for &x in &edges {
            for &y in &edges {
                let expected = (y != 0 && !(x == i64::MIN && y == -1))
                    .then(|| (Integer::div_floor(&x, &y), Integer::mod_floor(&x, &y)));
                assert_eq!(super::floor_div_mod(x, y), expected, "{x} divmod {y}");
            }
        }
    }
}
