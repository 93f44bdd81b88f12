//! The `math` module: CPython's `mathmodule.c` for the functions scripts use.
//!
//! Results are meant to be bit-identical to CPython 3.11 on the same platform: the elementary
//! functions call the same C library routines (Rust's `f64` methods lower to libm), and where
//! CPython uses its own algorithm the port is exact — `hypot`/`dist` (the 3.11 `vector_norm`
//! with Veltkamp splitting), `fsum` (Shewchuk's exact partials with CPython's final rounding
//! fix-up), `log` of big ints (frexp of the int, then `log(m) + log(2) * e`), and `pow`'s special
//! cases. Error reporting follows CPython's `math_1`/`math_2` rules: a NaN from a non-NaN input is
//! `ValueError("math domain error")`, an infinity from finite input is
//! `OverflowError("math range error")` for functions that can overflow and a domain error for
//! the others. Integer functions (`gcd`, `factorial`, `isqrt`, `comb`, ...) work on big ints.
//!
//! Not implemented: `erf`, `erfc`, `gamma`, `lgamma` (no libm binding in `std`).

use std::sync::Arc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::func;
use crate::syntax::ast::BinOp;
use crate::vm::objects::{Args, Module};
use crate::vm::ops::{to_bigint, to_f64, type_name};
use crate::vm::{PyErr, PyResult, Value, Vm};

/// Fills the `math` module.
pub fn init(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    m.set("pi", Value::Float(std::f64::consts::PI));
    m.set("e", Value::Float(std::f64::consts::E));
    m.set("tau", Value::Float(std::f64::consts::TAU));
    m.set("inf", Value::Float(f64::INFINITY));
    m.set("nan", Value::Float(f64::NAN));
    let fns: &[(&'static str, crate::vm::objects::NativeFn)] = &[
        ("sqrt", sqrt),
        ("cbrt", cbrt),
        ("exp", exp),
        ("exp2", exp2),
        ("expm1", expm1),
        ("log", log),
        ("log2", log2),
        ("log10", log10),
        ("log1p", log1p),
        ("sin", sin),
        ("cos", cos),
        ("tan", tan),
        ("asin", asin),
        ("acos", acos),
        ("atan", atan),
        ("sinh", sinh),
        ("cosh", cosh),
        ("tanh", tanh),
        ("asinh", asinh),
        ("acosh", acosh),
        ("atanh", atanh),
        ("atan2", atan2),
        ("pow", pow),
        ("fabs", fabs),
        ("floor", floor),
        ("ceil", ceil),
        ("trunc", trunc),
        ("fmod", fmod),
        ("remainder", remainder),
        ("modf", modf),
        ("frexp", frexp_fn),
        ("ldexp", ldexp_fn),
        ("copysign", copysign),
        ("degrees", degrees),
        ("radians", radians),
        ("hypot", hypot),
        ("dist", dist),
        ("fsum", fsum),
        ("prod", prod),
        ("isclose", isclose),
        ("isfinite", isfinite),
        ("isinf", isinf),
        ("isnan", isnan),
        ("nextafter", nextafter),
        ("ulp", ulp),
        ("gcd", gcd),
        ("lcm", lcm),
        ("factorial", factorial),
        ("isqrt", isqrt),
        ("comb", comb),
        ("perm", perm),
    ];
    for &(name, f) in fns {
        func(m, name, f);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Error rules and shared helpers
// ---------------------------------------------------------------------------------------------

fn domain_error() -> PyErr {
    PyErr::value_error("math domain error")
}

fn range_error() -> PyErr {
    PyErr::overflow("math range error")
}

/// The single argument of a one-argument function.
fn one<'a>(args: &Args<'a>, name: &str) -> PyResult<&'a Value> {
    args.check(name, 1, 1, &[])?;
    Ok(&args.pos[0])
}

/// The two arguments of a two-argument function.
fn two<'a>(args: &Args<'a>, name: &str) -> PyResult<(&'a Value, &'a Value)> {
    args.check(name, 2, 2, &[])?;
    Ok((&args.pos[0], &args.pos[1]))
}

/// CPython's `math_1`: applies `f` and turns NaN/infinite results into the matching errors.
fn math_1(x: f64, f: fn(f64) -> f64, can_overflow: bool) -> PyResult<Value> {
    let r = f(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain_error());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow {
            range_error()
        } else {
            domain_error()
        });
    }
    Ok(Value::Float(r))
}

/// CPython's `math_2` error rules for a two-argument result.
fn check_2(x: f64, y: f64, r: f64) -> PyResult<Value> {
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain_error());
    }
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(range_error());
    }
    Ok(Value::Float(r))
}

macro_rules! unary {
    ($($name:ident => $f:expr, $overflow:expr;)*) => {
        $(
            fn $name(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
                let x = to_f64(one(&args, stringify!($name))?)?;
                math_1(x, $f, $overflow)
            }
        )*
    };
}

unary! {
    sqrt => f64::sqrt, false;
    cbrt => glibc_cbrt, false;
    exp => f64::exp, true;
    exp2 => f64::exp2, true;
    expm1 => f64::exp_m1, true;
    log1p => f64::ln_1p, false;
    sin => f64::sin, false;
    cos => f64::cos, false;
    tan => f64::tan, false;
    asin => f64::asin, false;
    acos => f64::acos, false;
    atan => f64::atan, false;
    sinh => f64::sinh, true;
    cosh => f64::cosh, true;
    tanh => f64::tanh, false;
    asinh => glibc_asinh, false;
    acosh => glibc_acosh, false;
    atanh => glibc_atanh, false;
    fabs => f64::abs, false;
}

/// glibc's `cbrt` (`sysdeps/ieee754/dbl-64/s_cbrt.c`), which CPython's `math.cbrt` calls on
/// Linux: a polynomial first guess, one Halley step, the exponent split by 3. Rust's own `cbrt`
/// rounds differently (`cbrt(27)` is 3.0 there, 3.0000000000000004 in CPython).
// The constants are glibc's, digit for digit.
#[allow(clippy::excessive_precision)]
fn glibc_cbrt(x: f64) -> f64 {
    const CBRT2: f64 = 1.259_921_049_894_873_164_8;
    const SQR_CBRT2: f64 = 1.587_401_051_968_199_474_8;
    const FACTOR: [f64; 5] = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
    if x == 0.0 || !x.is_finite() {
        return x + x;
    }
    let (xm, xe) = frexp(x.abs());
    let u = 0.354_895_765_043_919_86
        + ((1.508_191_937_815_848_96
            + ((-2.114_994_941_673_712_87
                + ((2.446_931_225_635_344_3
                    + ((-1.834_692_774_836_130_86
                        + (0.784_932_344_976_639_262 - 0.145_263_899_385_486_377 * xm) * xm)
                        * xm))
                    * xm))
                * xm))
            * xm);
    let t2 = u * u * u;
    let ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * FACTOR[(2 + xe % 3) as usize];
    ldexp(if x > 0.0 { ym } else { -ym }, i64::from(xe / 3))
}

// The inverse hyperbolic functions of glibc (fdlibm's `s_asinh.c`, `e_acosh.c`, `e_atanh.c`),
// which CPython calls; Rust's own versions use other formulas and differ in the last bit.
// They are built from `log`, `log1p` and `sqrt`, which Rust takes from the same libm.

/// fdlibm's `ln2` (0x3FE62E42FEFA39EF), which is `LN_2`.
const LN2: f64 = std::f64::consts::LN_2;

fn glibc_asinh(x: f64) -> f64 {
    let xa = x.abs();
    if xa < f64::from_bits(0x3e30_0000_0000_0000) {
        // |x| < 2**-28 (and ±0): asinh(x) rounds to x.
        return x;
    }
    let w = if xa > f64::from_bits(0x41b0_0000_0000_0000) {
        if !x.is_finite() {
            return x + x;
        }
        xa.ln() + LN2
    } else if xa > 2.0 {
        (2.0 * xa + 1.0 / ((xa * xa + 1.0).sqrt() + xa)).ln()
    } else {
        let t = xa * xa;
        (xa + t / (1.0 + (1.0 + t).sqrt())).ln_1p()
    };
    w.copysign(x)
}

fn glibc_acosh(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < 1.0 {
        return f64::NAN;
    }
    if x >= f64::from_bits(0x41b0_0000_0000_0000) {
        if x.is_infinite() {
            return x + x;
        }
        return x.ln() + LN2;
    }
    if x > 2.0 {
        let t = x * x;
        return (2.0 * x - 1.0 / (x + (t - 1.0).sqrt())).ln();
    }
    if x == 1.0 {
        return 0.0;
    }
    let t = x - 1.0;
    (t + (2.0 * t + t * t).sqrt()).ln_1p()
}

fn glibc_atanh(x: f64) -> f64 {
    let xa = x.abs();
    let t = if xa < 0.5 {
        if xa < f64::from_bits(0x3e30_0000_0000_0000) {
            return x;
        }
        let t = xa + xa;
        0.5 * (t + t * xa / (1.0 - xa)).ln_1p()
    } else if xa < 1.0 {
        0.5 * ((xa + xa) / (1.0 - xa)).ln_1p()
    } else if xa.is_nan() {
        return x;
    } else if xa > 1.0 {
        return f64::NAN;
    } else {
        return x / 0.0;
    };
    t.copysign(x)
}

/// C's `frexp`: `x == m * 2**e` with `0.5 <= |m| < 1`; zero, infinities and NaN give `(x, 0)`.
pub fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first (by 2**54).
        let (m, e) = frexp(x * f64::from_bits(0x4350_0000_0000_0000));
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// `2**e` as a float, exact for every `e` in the double range (subnormal powers included).
fn pow2(e: i32) -> f64 {
    if e >= 1024 {
        f64::INFINITY
    } else if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else if e >= -1074 {
        f64::from_bits(1u64 << (e + 1074))
    } else {
        0.0
    }
}

/// C's `ldexp`: `x * 2**e` with a single rounding.
pub fn ldexp(x: f64, e: i64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let (m, me) = frexp(x);
    let e = (me as i64).saturating_add(e);
    if e > 1024 {
        return f64::INFINITY.copysign(x);
    }
    if e < -1080 {
        return 0.0f64.copysign(x);
    }
    let e = e as i32;
    if e >= -1021 {
        // Normal result: exact. (2m is in [1, 2), and 2**(e-1) stays finite for e = 1024.)
        return (m * 2.0) * pow2(e - 1);
    }
    // Subnormal result: scale exactly into [2**-60, 1), then round once.
    (m * pow2(e + 1074)) * pow2(-1074)
}

/// A float as a Python int, with CPython's errors for infinities and NaN.
fn int_from_f64(f: f64) -> PyResult<Value> {
    if f.is_nan() {
        return Err(PyErr::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(PyErr::overflow("cannot convert float infinity to integer"));
    }
    if f.abs() < 9.0e18 {
        return Ok(Value::Int(f as i64));
    }
    use num_traits::FromPrimitive;
    Ok(Value::from_bigint(BigInt::from_f64(f).unwrap_or_default()))
}

fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::BigInt(_))
}

/// An int argument that fits an i64, when it does.
fn small_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Rounding
// ---------------------------------------------------------------------------------------------

/// `floor`/`ceil`/`trunc`: ints pass through unchanged, floats are rounded to an int.
fn round_to_int(args: &Args<'_>, name: &str, f: fn(f64) -> f64) -> PyResult<Value> {
    let v = one(args, name)?;
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Float(x) => int_from_f64(f(*x)),
        other if name == "trunc" => Err(PyErr::type_error(format!(
            "type {} doesn't define __trunc__ method",
            type_name(other)
        ))),
        other => Err(PyErr::type_error(format!(
            "must be real number, not {}",
            type_name(other)
        ))),
    }
}

fn floor(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    round_to_int(&args, "floor", f64::floor)
}

fn ceil(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    round_to_int(&args, "ceil", f64::ceil)
}

fn trunc(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    round_to_int(&args, "trunc", f64::trunc)
}

// ---------------------------------------------------------------------------------------------
// Logarithms
// ---------------------------------------------------------------------------------------------

/// `m` and `e` with `n ≈ m * 2**e`, `0.5 <= m <= 1`, `m` correctly rounded (CPython's
/// `_PyLong_Frexp`), for a positive int too large for a float.
fn bigint_frexp(n: &BigInt) -> (f64, i64) {
    let bits = n.bits();
    // Keep the top 55 bits plus a sticky bit for everything below, so the conversion to a
    // 53-bit float rounds exactly as rounding the whole number would.
    let shift = bits.saturating_sub(55);
    let top: BigInt = n >> shift;
    let mut top = top.to_u64().unwrap_or(u64::MAX);
    if shift > 0 && n.trailing_zeros().is_some_and(|tz| tz < shift) {
        top |= 1;
    }
    let top_bits = bits - shift;
    let m = top as f64 / pow2(top_bits as i32);
    (m, bits as i64)
}

/// CPython's `loghelper`: ints (of any size) are handled exactly, floats by the C function.
fn log_helper(v: &Value, f: fn(f64) -> f64) -> PyResult<f64> {
    if is_int(v) {
        let n = to_bigint(v)?;
        if !n.is_positive() {
            return Err(domain_error());
        }
        return Ok(match n.to_f64() {
            Some(x) if x.is_finite() => f(x),
            _ => {
                let (m, e) = bigint_frexp(&n);
                f(m) + f(2.0) * e as f64
            }
        });
    }
    let x = to_f64(v)?;
    if x.is_nan() || x == f64::INFINITY {
        return Ok(x);
    }
    if x > 0.0 {
        return Ok(f(x));
    }
    Err(domain_error())
}

fn log(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("log", 1, 2, &[])?;
    let num = log_helper(&args.pos[0], f64::ln)?;
    let Some(base) = args.pos.get(1) else {
        return Ok(Value::Float(num));
    };
    let den = log_helper(base, f64::ln)?;
    if den == 0.0 {
        return Err(PyErr::zero_division("float division by zero"));
    }
    Ok(Value::Float(num / den))
}

fn log2(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Float(log_helper(one(&args, "log2")?, f64::log2)?))
}

fn log10(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Float(log_helper(one(&args, "log10")?, f64::log10)?))
}

// ---------------------------------------------------------------------------------------------
// Two-argument float functions
// ---------------------------------------------------------------------------------------------

fn atan2(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (y, x) = two(&args, "atan2")?;
    let (y, x) = (to_f64(y)?, to_f64(x)?);
    check_2(y, x, y.atan2(x))
}

fn copysign(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (x, y) = two(&args, "copysign")?;
    let (x, y) = (to_f64(x)?, to_f64(y)?);
    check_2(x, y, x.copysign(y))
}

/// `math.pow`: CPython's special cases for non-finite operands, libm for the rest.
fn pow(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (x, y) = two(&args, "pow")?;
    let (x, y) = (to_f64(x)?, to_f64(y)?);
    if !x.is_finite() || !y.is_finite() {
        let r = if x.is_nan() {
            if y == 0.0 { 1.0 } else { x }
        } else if y.is_nan() {
            if x == 1.0 { 1.0 } else { y }
        } else if x.is_infinite() {
            let odd_y = y.is_finite() && (y.abs() % 2.0) == 1.0;
            if y > 0.0 {
                if odd_y { x } else { x.abs() }
            } else if y == 0.0 {
                1.0
            } else if odd_y {
                0.0f64.copysign(x)
            } else {
                0.0
            }
        } else if x.abs() == 1.0 {
            1.0
        } else if (y > 0.0 && x.abs() > 1.0) || (y < 0.0 && x.abs() < 1.0) {
            f64::INFINITY
        } else {
            0.0
        };
        return Ok(Value::Float(r));
    }
    let r = x.powf(y);
    if r.is_nan() {
        return Err(domain_error());
    }
    if r.is_infinite() {
        return Err(if x == 0.0 {
            domain_error()
        } else {
            range_error()
        });
    }
    Ok(Value::Float(r))
}

fn fmod(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (x, y) = two(&args, "fmod")?;
    let (x, y) = (to_f64(x)?, to_f64(y)?);
    if y.is_infinite() && x.is_finite() {
        return Ok(Value::Float(x));
    }
    let r = x % y;
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        return Err(domain_error());
    }
    Ok(Value::Float(r))
}

/// IEEE 754 remainder (`m_remainder` in CPython).
fn remainder(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (x, y) = two(&args, "remainder")?;
    let (x, y) = (to_f64(x)?, to_f64(y)?);
    let r = if x.is_finite() && y.is_finite() {
        if y == 0.0 {
            f64::NAN
        } else {
            let (absx, absy) = (x.abs(), y.abs());
            let m = absx % absy;
            let c = absy - m;
            let r = if m < c {
                m
            } else if m > c {
                -c
            } else {
                m - 2.0 * ((0.5 * (absx - m)) % absy)
            };
            1.0f64.copysign(x) * r
        }
    } else if x.is_nan() {
        x
    } else if y.is_nan() {
        y
    } else if x.is_infinite() {
        f64::NAN
    } else {
        x
    };
    check_2(x, y, r)
}

fn modf(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let x = to_f64(one(&args, "modf")?)?;
    let (frac, int) = if x.is_infinite() {
        (0.0f64.copysign(x), x)
    } else if x.is_nan() {
        (x, x)
    } else {
        let int = x.trunc();
        ((x - int).copysign(x), int)
    };
    Ok(Value::tuple(vec![Value::Float(frac), Value::Float(int)]))
}

fn frexp_fn(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let x = to_f64(one(&args, "frexp")?)?;
    let (m, e) = frexp(x);
    Ok(Value::tuple(vec![Value::Float(m), Value::Int(e as i64)]))
}

fn ldexp_fn(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (x, i) = two(&args, "ldexp")?;
    let x = to_f64(x)?;
    if !is_int(i) {
        return Err(PyErr::type_error(
            "Expected an int as second argument to ldexp.",
        ));
    }
    let e = match to_bigint(i)?.to_i64() {
        Some(e) => e,
        None if to_bigint(i)?.is_negative() => i64::MIN,
        None => i64::MAX,
    };
    let r = ldexp(x, e);
    if r.is_infinite() && x.is_finite() {
        return Err(range_error());
    }
    Ok(Value::Float(r))
}

fn degrees(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let x = to_f64(one(&args, "degrees")?)?;
    Ok(Value::Float(x * (180.0 / std::f64::consts::PI)))
}

fn radians(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let x = to_f64(one(&args, "radians")?)?;
    Ok(Value::Float(x * (std::f64::consts::PI / 180.0)))
}

// ---------------------------------------------------------------------------------------------
// Norms and sums
// ---------------------------------------------------------------------------------------------

/// CPython 3.11's `vector_norm`: `sqrt(sum(x*x for x in vec))` without overflow or underflow and
/// almost always correctly rounded. `vec` holds absolute values, `max` the largest of them.
fn vector_norm(vec: &[f64], max: f64, found_nan: bool) -> f64 {
    const T27: f64 = 134_217_729.0; // 2**27 + 1, the Veltkamp splitting constant
    if max.is_infinite() {
        return max;
    }
    if found_nan {
        return f64::NAN;
    }
    if max == 0.0 || vec.len() <= 1 {
        return max;
    }
    let (_, max_e) = frexp(max);
    let (mut csum, mut frac1, mut frac2, mut frac3) = (1.0f64, 0.0f64, 0.0f64, 0.0f64);
    if max_e >= -1023 {
        let scale = pow2(-max_e);
        for &v in vec {
            let x = v * scale;
            let t = x * T27;
            let hi = t - (t - x);
            let lo = x - hi;
            let x = hi * hi;
            let old = csum;
            csum += x;
            frac1 += (old - csum) + x;
            let x = 2.0 * hi * lo;
            let old = csum;
            csum += x;
            frac2 += (old - csum) + x;
            frac3 += lo * lo;
        }
        let h = (csum - 1.0 + (frac1 + frac2 + frac3)).sqrt();
        let t = h * T27;
        let hi = t - (t - h);
        let lo = h - hi;
        let x = -hi * hi;
        let old = csum;
        csum += x;
        frac1 += (old - csum) + x;
        let x = -2.0 * hi * lo;
        let old = csum;
        csum += x;
        frac2 += (old - csum) + x;
        let x = -lo * lo;
        let old = csum;
        csum += x;
        frac3 += (old - csum) + x;
        let x = csum - 1.0 + (frac1 + frac2 + frac3);
        return (h + x / (2.0 * h)) / scale;
    }
    // Scaling by 2**-max_e would overflow: divide by max instead.
    for &v in vec {
        let x = v / max;
        let x = x * x;
        let old = csum;
        csum += x;
        frac1 += (old - csum) + x;
    }
    max * (csum - 1.0 + frac1).sqrt()
}

/// The norm of absolute values, tracking the maximum and NaNs as CPython does.
fn norm_of(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut vec = Vec::new();
    let (mut max, mut found_nan) = (0.0f64, false);
    for x in values {
        let x = x.abs();
        found_nan |= x.is_nan();
        if x > max {
            max = x;
        }
        vec.push(x);
    }
    vector_norm(&vec, max, found_nan)
}

fn hypot(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("hypot", 0, usize::MAX, &[])?;
    let coords = args
        .pos
        .iter()
        .map(to_f64)
        .collect::<PyResult<Vec<f64>>>()?;
    Ok(Value::Float(norm_of(coords)))
}

fn dist(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (p, q) = two(&args, "dist")?;
    let p = vm.iterate(p)?;
    let q = vm.iterate(q)?;
    if p.len() != q.len() {
        return Err(PyErr::value_error(
            "both points must have the same number of dimensions",
        ));
    }
    let mut diffs = Vec::with_capacity(p.len());
    for (a, b) in p.iter().zip(&q) {
        diffs.push(to_f64(a)? - to_f64(b)?);
    }
    Ok(Value::Float(norm_of(diffs)))
}

/// The exactly rounded sum of floats (CPython's `math_fsum`: Shewchuk's non-overlapping
/// partials, then a half-even fix-up across partials).
pub fn exact_sum(items: impl IntoIterator<Item = f64>) -> PyResult<f64> {
    let mut partials: Vec<f64> = Vec::new();
    let (mut special_sum, mut inf_sum) = (0.0f64, 0.0f64);
    for xsave in items {
        let mut x = xsave;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // A non-finite x comes from a NaN or infinite item, or from overflow.
                if xsave.is_finite() {
                    return Err(PyErr::overflow("intermediate overflow in fsum"));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special_sum += xsave;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special_sum != 0.0 || special_sum.is_nan() {
        if inf_sum.is_nan() {
            return Err(PyErr::value_error("-inf + inf in fsum"));
        }
        return Ok(special_sum);
    }
    let mut hi = 0.0;
    let mut n = partials.len();
    if n > 0 {
        n -= 1;
        hi = partials[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        // Make half-even rounding work across multiple partials.
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
    }
    Ok(hi)
}

fn fsum(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let items = vm.iterate(one(&args, "fsum")?)?;
    let floats = items.iter().map(to_f64).collect::<PyResult<Vec<f64>>>()?;
    Ok(Value::Float(exact_sum(floats)?))
}

/// `prod(iterable, *, start=1)`: repeated `*`, so any types that multiply work.
fn prod(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("prod", 1, 1, &["start"])?;
    let mut acc = args.kw("start").cloned().unwrap_or(Value::Int(1));
    for item in vm.iterate(&args.pos[0])? {
        acc = vm.binary_op(&acc, &item, BinOp::Mul)?;
    }
    Ok(acc)
}

// ---------------------------------------------------------------------------------------------
// Classification and comparison
// ---------------------------------------------------------------------------------------------

fn isclose(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("isclose", 2, 2, &["rel_tol", "abs_tol"])?;
    let a = to_f64(&args.pos[0])?;
    let b = to_f64(&args.pos[1])?;
    let rel_tol = args.kw("rel_tol").map(to_f64).transpose()?.unwrap_or(1e-9);
    let abs_tol = args.kw("abs_tol").map(to_f64).transpose()?.unwrap_or(0.0);
    if rel_tol < 0.0 || abs_tol < 0.0 {
        return Err(PyErr::value_error("tolerances must be non-negative"));
    }
    if a == b {
        return Ok(Value::Bool(true));
    }
    if a.is_infinite() || b.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let diff = (b - a).abs();
    Ok(Value::Bool(
        diff <= (rel_tol * b).abs() || diff <= (rel_tol * a).abs() || diff <= abs_tol,
    ))
}

fn isfinite(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(to_f64(one(&args, "isfinite")?)?.is_finite()))
}

fn isinf(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(to_f64(one(&args, "isinf")?)?.is_infinite()))
}

fn isnan(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(to_f64(one(&args, "isnan")?)?.is_nan()))
}

fn nextafter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (x, y) = two(&args, "nextafter")?;
    let (x, y) = (to_f64(x)?, to_f64(y)?);
    let r = if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == y {
        y
    } else if y > x {
        x.next_up()
    } else {
        x.next_down()
    };
    Ok(Value::Float(r))
}

fn ulp(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let x = to_f64(one(&args, "ulp")?)?;
    if x.is_nan() {
        return Ok(Value::Float(x));
    }
    let x = x.abs();
    if x.is_infinite() {
        return Ok(Value::Float(x));
    }
    let up = x.next_up();
    Ok(Value::Float(if up.is_infinite() {
        x - x.next_down()
    } else {
        up - x
    }))
}

// ---------------------------------------------------------------------------------------------
// Integer functions
// ---------------------------------------------------------------------------------------------

fn gcd(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("gcd", 0, usize::MAX, &[])?;
    if let Some(small) = args.pos.iter().map(small_int).collect::<Option<Vec<i64>>>() {
        let g = small.iter().fold(0u64, |g, &x| g.gcd(&x.unsigned_abs()));
        return Ok(Value::from_bigint(BigInt::from(g)));
    }
    let mut g = BigInt::zero();
    for v in args.pos {
        g = g.gcd(&to_bigint(v)?);
    }
    Ok(Value::from_bigint(g))
}

fn lcm(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("lcm", 0, usize::MAX, &[])?;
    let mut l = BigInt::one();
    for v in args.pos {
        let x = to_bigint(v)?;
        l = if l.is_zero() || x.is_zero() {
            BigInt::zero()
        } else {
            l.lcm(&x)
        };
    }
    Ok(Value::from_bigint(l))
}

/// The product `lo * (lo+1) * ... * hi` (1 when empty), by binary splitting so the big
/// multiplications stay balanced.
fn range_product(lo: u64, hi: u64) -> BigInt {
    if lo > hi {
        return BigInt::one();
    }
    if hi - lo < 16 {
        let mut acc = BigInt::one();
        let mut word: u64 = 1;
        for k in lo..=hi {
            match word.checked_mul(k) {
                Some(w) => word = w,
                None => {
                    acc *= word;
                    word = k;
                }
            }
        }
        return acc * word;
    }
    let mid = lo + (hi - lo) / 2;
    range_product(lo, mid) * range_product(mid + 1, hi)
}

fn factorial(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let v = one(&args, "factorial")?;
    let n = to_bigint(v)?;
    if n.is_negative() {
        return Err(PyErr::value_error(
            "factorial() not defined for negative values",
        ));
    }
    let n = n
        .to_u64()
        .filter(|&n| n <= i64::MAX as u64)
        .ok_or_else(|| {
            PyErr::overflow(format!(
                "factorial() argument should not exceed {}",
                i64::MAX
            ))
        })?;
    Ok(Value::from_bigint(range_product(1, n)))
}

fn isqrt(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let v = one(&args, "isqrt")?;
    let n = match small_int(v) {
        Some(i) if i >= 0 => return Ok(Value::Int((i as u64).isqrt() as i64)),
        _ => to_bigint(v)?,
    };
    if n.is_negative() {
        return Err(PyErr::value_error("isqrt() argument must be nonnegative"));
    }
    Ok(Value::from_bigint(n.sqrt()))
}

/// The `n` and `k` of `comb`/`perm`, checked non-negative.
fn n_k(n: &Value, k: &Value) -> PyResult<(BigInt, BigInt)> {
    let n = to_bigint(n)?;
    let k = to_bigint(k)?;
    if n.is_negative() {
        return Err(PyErr::value_error("n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(PyErr::value_error("k must be a non-negative integer"));
    }
    Ok((n, k))
}

/// `n * (n-1) * ... * (n-k+1)` for `k <= n`.
fn falling_product(n: &BigInt, k: u64) -> BigInt {
    if k == 0 {
        return BigInt::one();
    }
    if let Some(n) = n.to_u64() {
        return range_product(n - k + 1, n);
    }
    let mut acc = BigInt::one();
    let mut f = n.clone();
    for _ in 0..k {
        acc *= &f;
        f -= 1;
    }
    acc
}

fn perm(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("perm", 1, 2, &[])?;
    let (n, k) = match args.pos.get(1) {
        None | Some(Value::None) => {
            // perm(n) is factorial(n), errors included.
            let n = to_bigint(&args.pos[0])?;
            if n.is_negative() {
                return Err(PyErr::value_error(
                    "factorial() not defined for negative values",
                ));
            }
            (n.clone(), n)
        }
        Some(k) => n_k(&args.pos[0], k)?,
    };
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = k
        .to_u64()
        .filter(|&k| k <= i64::MAX as u64)
        .ok_or_else(|| PyErr::overflow(format!("k must not exceed {}", i64::MAX)))?;
    Ok(Value::from_bigint(falling_product(&n, k)))
}

fn comb(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let (n, k) = two(&args, "comb")?;
    let (n, k) = n_k(n, k)?;
    if k > n {
        return Ok(Value::Int(0));
    }
    let other = &n - &k;
    let k = if other < k { other } else { k };
    let k = k
        .to_u64()
        .filter(|&k| k <= i64::MAX as u64)
        .ok_or_else(|| PyErr::overflow(format!("min(n - k, k) must not exceed {}", i64::MAX)))?;
    // C(n, k) = prod_{i=1..k} (n - k + i) / i, every partial quotient exact.
    let base = &n - BigInt::from(k);
    let mut acc = BigInt::one();
    for i in 1..=k {
        acc = acc * (&base + BigInt::from(i)) / BigInt::from(i);
    }
    Ok(Value::from_bigint(acc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_and_ldexp_round_trip() {
        for x in [1.0, -3.5, 1e-310, 5e-324, f64::MAX, 0.1] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m.abs()), "{x}");
            assert_eq!(ldexp(m, e as i64), x);
        }
        assert_eq!(ldexp(1.0, 1024), f64::INFINITY);
        assert_eq!(ldexp(1.0, -1074), 5e-324);
        assert_eq!(ldexp(1.0, -1076), 0.0);
        // Rounds once, half to even: 1.5 * 2**-1074 becomes 2 * 2**-1074 (CPython: 1e-323).
        assert_eq!(ldexp(0.75, -1073), 1e-323);
    }

    #[test]
    fn exact_sums_match_cpython() {
        // Values computed with CPython 3.11's math.fsum.
        assert_eq!(exact_sum([0.1; 10]).ok(), Some(1.0));
        assert_eq!(
            exact_sum([1e-16, 1.0, 1e16]).ok(),
            Some(1.0000000000000002e16)
        );
        assert!(exact_sum([1e308, 1e308, -1e308]).is_err());
        assert!(exact_sum([f64::INFINITY, f64::NEG_INFINITY]).is_err());
        assert_eq!(exact_sum([]).ok(), Some(0.0));
    }

    #[test]
    fn norms_match_cpython() {
        // Values computed with CPython 3.11's math.hypot.
        assert_eq!(norm_of([3.0, 4.0]), 5.0);
        assert_eq!(norm_of([1.0, 1.0]), std::f64::consts::SQRT_2);
        assert_eq!(norm_of([1e-320, 1e-320]), 1.414e-320);
        assert_eq!(norm_of([0.1, 0.2, 0.3]), 0.3741657386773941);
    }

    #[test]
    fn big_log_uses_frexp() {
        let n = BigInt::from(10u8).pow(400u32);
        let (m, e) = bigint_frexp(&n);
        assert!((0.5..=1.0).contains(&m));
        let l = m.ln() + 2f64.ln() * e as f64;
        assert_eq!(l, 921.0340371976182);
    }

    #[test]
    fn products() {
        assert_eq!(
            range_product(1, 20),
            BigInt::from(2_432_902_008_176_640_000u64)
        );
        assert_eq!(range_product(5, 4), BigInt::one());
    }
}
