//! The `zlib` module: one-shot `compress`/`decompress`, and the `crc32`/`adler32` checksums.
//!
//! Compression uses `flate2` and produces valid zlib (or raw deflate / gzip, by `wbits`) streams;
//! the compressed bytes need not equal CPython's, but anything either produces decompresses in
//! the other. Decompression of zlib streams parses the two-byte header and checks the Adler-32
//! trailer itself, so malformed input fails with CPython's `zlib.error` messages
//! (`Error -3 while decompressing data: incorrect header check`, `... incorrect data check`,
//! `Error -5 while decompressing data: incomplete or truncated stream`). Corrupt deflate data
//! inside a stream reports zlib's generic `invalid input data`, as the specific reason is
//! flate2's, not zlib's. `zlib.error` is created per interpreter when the module is imported.
//!
//! `compress` and `decompress` release the GIL around the (de)compression for inputs of every
//! size, as CPython's do (its `zlib_compress_impl`/`zlib_decompress_impl` wrap each
//! `deflate()`/`inflate()` call in `Py_BEGIN_ALLOW_THREADS`, with no size threshold, unlike
//! hashlib's 2048 bytes); arguments are parsed before and the result object built after.

use std::io::{Read, Write};
use std::sync::Arc;

use flate2::{Compression, Decompress, FlushDecompress, Status};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;

use super::{bytes_arg, func, int_arg, module_attr};
use crate::observe::Release;
use crate::vm::objects::{Args, Module};
use crate::vm::ops::to_bigint;
use crate::vm::{ExcKind, PyErr, PyResult, Value, Vm};

/// `zlib.MAX_WBITS`: the largest window, and the default `wbits`.
const MAX_WBITS: i64 = 15;
/// `zlib.DEF_BUF_SIZE`: the initial output buffer size of `decompress`.
const DEF_BUF_SIZE: usize = 16 * 1024;

/// Fills the `zlib` module.
pub fn init(vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    let error = vm.new_exception_class("error", "zlib", ExcKind::Exception);
    m.set("error", Value::Class(error));
    func(m, "compress", compress);
    func(m, "decompress", decompress);
    func(m, "crc32", crc32);
    func(m, "adler32", adler32);
    for (name, v) in [
        ("MAX_WBITS", MAX_WBITS),
        ("DEFLATED", 8),
        ("DEF_MEM_LEVEL", 8),
        ("DEF_BUF_SIZE", DEF_BUF_SIZE as i64),
        ("Z_NO_COMPRESSION", 0),
        ("Z_BEST_SPEED", 1),
        ("Z_BEST_COMPRESSION", 9),
        ("Z_DEFAULT_COMPRESSION", -1),
    ] {
        m.set(name, Value::Int(v));
    }
    Ok(())
}

/// Raises `zlib.error(msg)` (this interpreter's class, as imported).
fn zlib_error(vm: &mut Vm, msg: impl Into<String>) -> PyErr {
    let class = match module_attr(vm, "zlib", "error") {
        Some(c @ Value::Class(_)) => c,
        _ => Value::Class(vm.new_exception_class("error", "zlib", ExcKind::Exception)),
    };
    match vm.call(&class, &[Value::str(msg.into())]) {
        Ok(exc) => PyErr::Raised(exc),
        Err(e) => e,
    }
}

/// An optional C `int` argument (positional index `i` or keyword `name`).
fn opt_int(args: &Args<'_>, i: usize, name: &str, default: i64) -> PyResult<i64> {
    let Some(v) = args.get(i, name) else {
        return Ok(default);
    };
    let too_large = || PyErr::overflow("Python int too large to convert to C int");
    let n = match v {
        Value::BigInt(_) => return Err(too_large()),
        v => int_arg(v)?,
    };
    if n > i64::from(i32::MAX) || n < i64::from(i32::MIN) {
        return Err(too_large());
    }
    Ok(n)
}

/// The container format `wbits` selects, with the window size of the zlib format.
enum Format {
    Zlib,
    Raw,
    Gzip,
    /// zlib or gzip, whichever the data starts with (`wbits` 32 + n).
    Auto,
}

fn format_of(wbits: i64, decompressing: bool) -> Option<Format> {
    match wbits {
        9..=15 => Some(Format::Zlib),
        0 | 8 if decompressing => Some(Format::Zlib),
        -15..=-9 => Some(Format::Raw),
        -8 if decompressing => Some(Format::Raw),
        25..=31 => Some(Format::Gzip),
        24 if decompressing => Some(Format::Gzip),
        40..=47 | 32 if decompressing => Some(Format::Auto),
        _ => None,
    }
}

/// `compress(data, /, level=-1, wbits=15)`.
fn compress(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("compress", 1, 3, &["level", "wbits"])?;
    let data = bytes_arg(&args.pos[0])?;
    let level = opt_int(&args, 1, "level", -1)?;
    let wbits = opt_int(&args, 2, "wbits", MAX_WBITS)?;
    let level = match level {
        -1 => Compression::default(),
        0..=9 => Compression::new(level as u32),
        _ => return Err(zlib_error(vm, "Bad compression level")),
    };
    // flate2's pure-Rust backend always uses a 32 KiB window. For a smaller `wbits` the output
    // must not refer further back than the window the reader will use, so store the data
    // uncompressed (valid for every window size) and declare the requested window in the header.
    let small_window = !matches!(wbits, 15 | -15 | 31);
    let level = if small_window {
        Compression::none()
    } else {
        level
    };
    let Some(format) = format_of(wbits, false).filter(|f| !matches!(f, Format::Auto)) else {
        return Err(zlib_error(vm, "Bad compression level"));
    };
    // As CPython's `zlib.compress`, whatever the size: the GIL is released around the
    // compression (CPython drops it around each `deflate()` call). Only the argument's bytes,
    // kept alive by `args`, are read meanwhile.
    let out = vm.allow_threads(Release::Native("zlib.compress"), || {
        deflate(format, level, small_window, wbits, data)
    });
    match out {
        Ok(bytes) => Ok(Value::bytes(bytes)),
        Err(e) => Err(zlib_error(
            vm,
            format!("Error -2 while compressing data: {e}"),
        )),
    }
}

/// Compresses `data` into the container `format`; touches no interpreter object, so it runs
/// with the GIL released.
fn deflate(
    format: Format,
    level: Compression,
    small_window: bool,
    wbits: i64,
    data: &[u8],
) -> std::io::Result<Vec<u8>> {
    match format {
        Format::Zlib => finish(
            flate2::write::ZlibEncoder::new(Vec::new(), level),
            data,
            |e| e.finish(),
        )
        .map(|mut out| {
            if small_window {
                set_window_bits(&mut out, wbits);
            }
            out
        }),
        Format::Raw => finish(
            flate2::write::DeflateEncoder::new(Vec::new(), level),
            data,
            |e| e.finish(),
        ),
        Format::Gzip => finish(
            flate2::write::GzEncoder::new(Vec::new(), level),
            data,
            |e| e.finish(),
        ),
        // Rejected by the caller: `wbits` 32+n is for decompression only.
        Format::Auto => Err(std::io::Error::other("inconsistent stream state")),
    }
}

/// Rewrites a zlib header to declare a `2**wbits` byte window, keeping its check bits valid.
fn set_window_bits(out: &mut [u8], wbits: i64) {
    if let [cmf, flg, ..] = out {
        *cmf = (((wbits - 8) as u8) << 4) | (*cmf & 0x0f);
        let base = *flg & 0xe0;
        let rem = (u16::from(*cmf) * 256 + u16::from(base)) % 31;
        *flg = base + if rem == 0 { 0 } else { (31 - rem) as u8 };
    }
}

/// Writes all of `data` to an encoder and finishes it.
fn finish<W: Write>(
    mut enc: W,
    data: &[u8],
    done: impl FnOnce(W) -> std::io::Result<Vec<u8>>,
) -> std::io::Result<Vec<u8>> {
    enc.write_all(data)?;
    done(enc)
}

/// Why a decompression failed, in zlib's terms.
enum InflateError {
    /// `Z_DATA_ERROR` (-3) with zlib's message.
    Data(&'static str),
    /// `Z_BUF_ERROR` (-5): the input ended before the stream did.
    Truncated,
    /// `Z_NEED_DICT` (2): the stream needs a preset dictionary.
    NeedDict,
}

impl InflateError {
    fn message(&self) -> String {
        match self {
            InflateError::Data(m) => format!("Error -3 while decompressing data: {m}"),
            InflateError::Truncated => {
                "Error -5 while decompressing data: incomplete or truncated stream".to_string()
            }
            InflateError::NeedDict => "Error 2 while decompressing data".to_string(),
        }
    }
}

/// Inflates raw deflate data; returns the output and how many input bytes the stream used.
fn inflate_raw(input: &[u8], bufsize: usize) -> Result<(Vec<u8>, usize), InflateError> {
    let mut d = Decompress::new(false);
    let mut out: Vec<u8> = Vec::with_capacity(bufsize.max(1));
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.len().max(DEF_BUF_SIZE));
        }
        let (in_before, out_before) = (d.total_in(), d.total_out());
        let consumed = usize::try_from(in_before)
            .unwrap_or(input.len())
            .min(input.len());
        let status = d
            .decompress_vec(&input[consumed..], &mut out, FlushDecompress::None)
            .map_err(|_| InflateError::Data("invalid input data"))?;
        if status == Status::StreamEnd {
            let used = usize::try_from(d.total_in())
                .unwrap_or(input.len())
                .min(input.len());
            return Ok((out, used));
        }
        let progressed = d.total_in() != in_before || d.total_out() != out_before;
        let input_left = (d.total_in() as usize) < input.len();
        if !progressed && (!input_left || out.len() < out.capacity()) {
            return Err(InflateError::Truncated);
        }
    }
}

/// The Adler-32 checksum of `data`, continuing from `value`: zlib's `adler32_z`, including how
/// it reduces a starting value that is not a valid checksum.
fn adler32_of(data: &[u8], value: u32) -> u32 {
    const BASE: u64 = 65_521;
    /// The longest run before the sums must be reduced.
    const NMAX: usize = 5552;
    let (mut a, mut b) = (u64::from(value & 0xffff), u64::from(value >> 16));
    if let [byte] = data {
        a += u64::from(*byte);
        if a >= BASE {
            a -= BASE;
        }
        b += a;
        if b >= BASE {
            b -= BASE;
        }
        return ((b << 16) | a) as u32;
    }
    if data.len() < 16 {
        for &byte in data {
            a += u64::from(byte);
            b += a;
        }
        if a >= BASE {
            a -= BASE;
        }
        return (((b % BASE) << 16) | a) as u32;
    }
    for chunk in data.chunks(NMAX) {
        for &byte in chunk {
            a += u64::from(byte);
            b += a;
        }
        a %= BASE;
        b %= BASE;
    }
    ((b << 16) | a) as u32
}

/// Inflates a zlib stream: header checks, the deflate data, then the Adler-32 trailer.
/// `max_window_bits` of 0 accepts the window the header declares.
fn inflate_zlib(
    input: &[u8],
    max_window_bits: i64,
    bufsize: usize,
) -> Result<Vec<u8>, InflateError> {
    let [cmf, flg, ..] = *input else {
        return Err(InflateError::Truncated);
    };
    if (u16::from(cmf) * 256 + u16::from(flg)) % 31 != 0 {
        return Err(InflateError::Data("incorrect header check"));
    }
    if cmf & 0x0f != 8 {
        return Err(InflateError::Data("unknown compression method"));
    }
    let window_bits = i64::from(cmf >> 4) + 8;
    if window_bits > 15 || (max_window_bits != 0 && window_bits > max_window_bits) {
        return Err(InflateError::Data("invalid window size"));
    }
    if flg & 0x20 != 0 {
        return Err(InflateError::NeedDict);
    }
    let body = &input[2..];
    let (out, used) = inflate_raw(body, bufsize)?;
    let trailer = body.get(used..used + 4).ok_or(InflateError::Truncated)?;
    let expected = u32::from_be_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    if adler32_of(&out, 1) != expected {
        return Err(InflateError::Data("incorrect data check"));
    }
    Ok(out)
}

/// Inflates a gzip stream (via flate2's gzip reader, which checks header and CRC).
fn inflate_gzip(input: &[u8]) -> Result<Vec<u8>, InflateError> {
    if input.len() >= 2 && input[..2] != [0x1f, 0x8b] {
        return Err(InflateError::Data("incorrect header check"));
    }
    let mut out = Vec::new();
    match flate2::read::GzDecoder::new(input).read_to_end(&mut out) {
        Ok(_) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(InflateError::Truncated),
        Err(_) => Err(InflateError::Data("invalid input data")),
    }
}

/// `decompress(data, /, wbits=15, bufsize=16384)`.
fn decompress(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("decompress", 1, 3, &["wbits", "bufsize"])?;
    let data = bytes_arg(&args.pos[0])?;
    let wbits = opt_int(&args, 1, "wbits", MAX_WBITS)?;
    let bufsize = opt_int(&args, 2, "bufsize", DEF_BUF_SIZE as i64)?;
    let bufsize =
        usize::try_from(bufsize).map_err(|_| PyErr::value_error("bufsize must be non-negative"))?;
    let Some(format) = format_of(wbits, true) else {
        return Err(zlib_error(
            vm,
            "Error -2 while preparing to decompress data: inconsistent stream state",
        ));
    };
    // As CPython's `zlib.decompress`, whatever the size: the GIL is released around the
    // decompression (CPython drops it around each `inflate()` call).
    let result = vm.allow_threads(Release::Native("zlib.decompress"), || match format {
        Format::Zlib => inflate_zlib(data, wbits, bufsize),
        Format::Raw => inflate_raw(data, bufsize).map(|(out, _)| out),
        Format::Gzip => inflate_gzip(data),
        Format::Auto if data.starts_with(&[0x1f, 0x8b]) => inflate_gzip(data),
        Format::Auto => inflate_zlib(data, 0, bufsize),
    });
    match result {
        Ok(out) => Ok(Value::bytes(out)),
        Err(e) => Err(zlib_error(vm, e.message())),
    }
}

/// The starting value of a checksum: any int, reduced modulo 2**32 (CPython's bitwise
/// `unsigned int` conversion).
fn checksum_start(v: Option<&Value>, default: u32) -> PyResult<u32> {
    let Some(v) = v else { return Ok(default) };
    let n = to_bigint(v)?;
    Ok(n.mod_floor(&BigInt::from(1u64 << 32)).to_u32().unwrap_or(0))
}

/// `crc32(data, value=0)`.
fn crc32(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("crc32", 1, 2, &[])?;
    let data = bytes_arg(&args.pos[0])?;
    let start = checksum_start(args.pos.get(1), 0)?;
    let mut h = crc32fast::Hasher::new_with_initial(start);
    h.update(data);
    Ok(Value::Int(i64::from(h.finalize())))
}

/// `adler32(data, value=1)`.
fn adler32(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("adler32", 1, 2, &[])?;
    let data = bytes_arg(&args.pos[0])?;
    let start = checksum_start(args.pos.get(1), 1)?;
    Ok(Value::Int(i64::from(adler32_of(data, start))))
}

#[cfg(test)]
mod tests {
    //! Checksums and messages were produced by CPython 3.11's zlib module.
    use super::*;

    #[test]
    fn adler32_matches_cpython() {
        assert_eq!(adler32_of(b"abc", 1), 38_600_999);
        assert_eq!(adler32_of(b"abc", 5), 39_387_435);
        assert_eq!(adler32_of(&[b'a'; 10_000], 1), 2_679_885_283);
        // zlib.adler32(b'', -1): an out-of-range start is reduced, not returned as is.
        assert_eq!(adler32_of(b"", u32::MAX), 917_518);
    }

    #[test]
    fn round_trip_and_errors() {
        // zlib.compress(b'hello') under CPython.
        let cpython = b"x\x9c\xcbH\xcd\xc9\xc9\x07\x00\x06,\x02\x15";
        assert_eq!(
            inflate_zlib(cpython, 15, 16).ok().as_deref(),
            Some(&b"hello"[..])
        );
        let msg = |r: Result<Vec<u8>, InflateError>| r.err().map(|e| e.message());
        assert_eq!(
            msg(inflate_zlib(b"abc", 15, 16)).as_deref(),
            Some("Error -3 while decompressing data: incorrect header check")
        );
        assert_eq!(
            msg(inflate_zlib(b"x\x9c", 15, 16)).as_deref(),
            Some("Error -5 while decompressing data: incomplete or truncated stream")
        );
        assert_eq!(
            msg(inflate_zlib(&cpython[..cpython.len() - 3], 15, 16)).as_deref(),
            Some("Error -5 while decompressing data: incomplete or truncated stream")
        );
        let mut bad = cpython.to_vec();
        *bad.last_mut().unwrap_or(&mut 0) = 0;
        assert_eq!(
            msg(inflate_zlib(&bad, 15, 16)).as_deref(),
            Some("Error -3 while decompressing data: incorrect data check")
        );
        // Trailing data after the stream is ignored, as zlib.decompress does.
        let mut junk = cpython.to_vec();
        junk.extend_from_slice(b"junk");
        assert_eq!(
            inflate_zlib(&junk, 15, 16).ok().as_deref(),
            Some(&b"hello"[..])
        );
    }
}
