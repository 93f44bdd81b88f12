//! The `sys` module: the interpreter's command line, standard streams, recursion limit, exit,
//! and the constants scripts commonly test (`maxsize`, `version_info`, `platform`, ...).
//!
//! `sys.stdout` and `sys.stderr` are native stream objects modelled on CPython's
//! `_io.TextIOWrapper`: `write(s)` takes a `str` and returns the number of characters written.
//! stdout writes go through the interpreter's buffered output (the same buffer `print` uses), so
//! both interleave in program order; stderr writes flush stdout first.

use std::any::Any;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use super::{func, int_arg, method_args, native_class, receiver};
use crate::vm::objects::{Args, Class, Module, NativeObject};
use crate::vm::ops::{to_f64, type_name};
use crate::vm::{ExcKind, PyErr, PyResult, Value, Vm};

/// Fills the `sys` module.
pub fn init(vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    let argv = vm
        .interp
        .config
        .argv
        .iter()
        .map(|a| Value::str(a.as_str()))
        .collect();
    m.set("argv", Value::list(argv));
    let stdout = Value::object(StdStream {
        kind: StreamKind::Stdout,
    });
    let stderr = Value::object(StdStream {
        kind: StreamKind::Stderr,
    });
    m.set("stdout", stdout.clone());
    m.set("stderr", stderr.clone());
    m.set("__stdout__", stdout);
    m.set("__stderr__", stderr);
    func(m, "exit", exit);
    func(m, "getrecursionlimit", getrecursionlimit);
    func(m, "setrecursionlimit", setrecursionlimit);
    func(m, "get_int_max_str_digits", get_int_max_str_digits);
    func(m, "set_int_max_str_digits", set_int_max_str_digits);
    func(m, "getswitchinterval", getswitchinterval);
    func(m, "setswitchinterval", setswitchinterval);
    func(m, "intern", intern);
    func(m, "exc_info", exc_info);
    func(m, "exception", exception);
    m.set("maxsize", Value::Int(i64::MAX));
    m.set("maxunicode", Value::Int(0x10_FFFF));
    m.set(
        "version",
        Value::str(format!("3.11.0 (gilsim {})", env!("CARGO_PKG_VERSION"))),
    );
    let version_info = vec![
        Value::Int(3),
        Value::Int(11),
        Value::Int(0),
        Value::str("final"),
        Value::Int(0),
    ];
    m.set("version_info", Value::tuple(version_info));
    m.set("hexversion", Value::Int(0x030B_00F0));
    m.set("platform", Value::str(platform()));
    m.set(
        "byteorder",
        Value::str(if cfg!(target_endian = "little") {
            "little"
        } else {
            "big"
        }),
    );
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    m.set("executable", Value::str(exe));
    m.set("float_info", float_info());
    Ok(())
}

/// `sys.platform` as CPython spells it.
fn platform() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    }
}

/// `sys.exit([code])`: raises `SystemExit`, whose `code` is the argument (None without one).
fn exit(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("exit", 0, 1, &[])?;
    Err(PyErr::with_args(ExcKind::SystemExit, args.pos.to_vec()))
}

fn getrecursionlimit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getrecursionlimit", 0, 0, &[])?;
    Ok(Value::Int(vm.recursion_limit() as i64))
}

fn setrecursionlimit(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("setrecursionlimit", 1, 1, &[])?;
    let n = int_arg(&args.pos[0]).map_err(|e| match e {
        PyErr::New(ExcKind::OverflowError, _) => {
            PyErr::overflow("Python int too large to convert to C int")
        }
        e => e,
    })?;
    if n < 1 {
        return Err(PyErr::value_error(
            "recursion limit must be greater or equal than 1",
        ));
    }
    let n = usize::try_from(n.min(i64::from(i32::MAX))).unwrap_or(usize::MAX);
    vm.interp.recursion_limit.store(n, Ordering::Relaxed);
    Ok(Value::None)
}

/// `sys.get_int_max_str_digits()`: the most digits an int may have in a decimal conversion.
fn get_int_max_str_digits(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("get_int_max_str_digits", 0, 0, &[])?;
    Ok(Value::Int(vm.int_max_str_digits() as i64))
}

/// `sys.set_int_max_str_digits(maxdigits)`: 0 (no limit) or at least 640, as CPython 3.11.
fn set_int_max_str_digits(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("set_int_max_str_digits", 1, 1, &["maxdigits"])?;
    let n = int_arg(args.get(0, "maxdigits").unwrap_or(&Value::Int(0)))?;
    let min = crate::vm::ops::MIN_MAX_STR_DIGITS as i64;
    if n != 0 && n < min {
        return Err(PyErr::value_error(format!(
            "maxdigits must be 0 or larger than {min}"
        )));
    }
    vm.interp
        .int_max_str_digits
        .store(usize::try_from(n).unwrap_or(usize::MAX), Ordering::Relaxed);
    Ok(Value::None)
}

/// `sys.getswitchinterval()`: the interpreter's GIL switch interval, in seconds.
fn getswitchinterval(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getswitchinterval", 0, 0, &[])?;
    Ok(Value::Float(vm.interp.gil.interval().as_secs_f64()))
}

/// `sys.setswitchinterval(s)`: sets the GIL switch interval for waits that start afterwards.
fn setswitchinterval(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("setswitchinterval", 1, 1, &[])?;
    let interval = to_f64(&args.pos[0])?;
    // As in CPython, only `<= 0` is rejected (so NaN passes).
    if interval <= 0.0 {
        return Err(PyErr::value_error(
            "switch interval must be strictly positive",
        ));
    }
    let d = std::time::Duration::try_from_secs_f64(interval)
        .map_err(|_| PyErr::overflow("switch interval is too large"))?;
    vm.interp.gil.set_interval(d);
    Ok(Value::None)
}

/// `sys.intern(s)`: strings are immutable and shared by reference, so this is the identity.
fn intern(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("intern", 1, 1, &[])?;
    match &args.pos[0] {
        s @ Value::Str(_) => Ok(s.clone()),
        other => Err(PyErr::type_error(format!(
            "intern() argument must be str, not {}",
            type_name(other)
        ))),
    }
}

/// The exception being handled by this thread, if any.
fn current_exception(vm: &Vm) -> Option<Value> {
    vm.handling.last().cloned()
}

/// `sys.exc_info()`: `(type, value, traceback)` of the exception being handled, or three Nones.
fn exc_info(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("exc_info", 0, 0, &[])?;
    let Some(exc) = current_exception(vm) else {
        return Ok(Value::tuple(vec![Value::None, Value::None, Value::None]));
    };
    let class = match &exc {
        Value::Instance(i) => Value::Class(i.class.clone()),
        _ => Value::None,
    };
    let tb = vm
        .traceback_of(&exc)
        .map(Value::Object)
        .unwrap_or(Value::None);
    Ok(Value::tuple(vec![class, exc, tb]))
}

/// `sys.exception()` (new in 3.11): the exception being handled, or None.
fn exception(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("exception", 0, 0, &[])?;
    Ok(current_exception(vm).unwrap_or(Value::None))
}

/// Which standard stream a [`StdStream`] writes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamKind {
    Stdout,
    Stderr,
}

/// `sys.stdout` / `sys.stderr`: a text stream writing to the interpreter's output.
struct StdStream {
    kind: StreamKind,
}

impl StdStream {
    fn name(&self) -> &'static str {
        match self.kind {
            StreamKind::Stdout => "<stdout>",
            StreamKind::Stderr => "<stderr>",
        }
    }
}

const STREAM_CLASS_NAME: &str = "TextIOWrapper";

impl NativeObject for StdStream {
    fn class(&self) -> &Arc<Class> {
        static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
        CLASS.get_or_init(|| {
            native_class(
                STREAM_CLASS_NAME,
                "_io",
                &[
                    ("write", stream_write),
                    ("writelines", stream_writelines),
                    ("flush", stream_flush),
                    ("isatty", stream_false),
                    ("readable", stream_false),
                    ("seekable", stream_false),
                    ("writable", stream_true),
                    ("fileno", stream_fileno),
                ],
            )
        })
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::str(self.name())),
            "mode" => Some(Value::str("w")),
            "encoding" => Some(Value::str("utf-8")),
            "errors" => Some(Value::str("strict")),
            "closed" => Some(Value::Bool(false)),
            _ => None,
        }
    }
    /// A stream handed to a child process writes to the same place from there (it writes
    /// through whichever interpreter calls it), as an inherited file descriptor does.
    fn crosses_interpreters(&self) -> bool {
        true
    }
    fn repr(&self) -> Option<String> {
        Some(format!(
            "<_io.TextIOWrapper name='{}' mode='w' encoding='utf-8'>",
            self.name()
        ))
    }
}

fn write_to(vm: &Vm, kind: StreamKind, s: &str) {
    match kind {
        StreamKind::Stdout => vm.interp.write_stdout(s),
        StreamKind::Stderr => vm.interp.write_stderr(s),
    }
}

/// `stream.write(s)`: returns the number of characters written.
fn stream_write(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<StdStream>(&args, STREAM_CLASS_NAME, "write")?;
    let rest = method_args(&args);
    if rest.pos.len() != 1 || !rest.kw.is_empty() {
        return Err(PyErr::type_error(format!(
            "TextIOWrapper.write() takes exactly one argument ({} given)",
            rest.pos.len() + rest.kw.len()
        )));
    }
    let Value::Str(s) = &rest.pos[0] else {
        return Err(PyErr::type_error(format!(
            "write() argument must be str, not {}",
            type_name(&rest.pos[0])
        )));
    };
    write_to(vm, this.kind, s.as_str());
    Ok(Value::Int(s.char_len() as i64))
}

/// `stream.writelines(lines)`: writes each string, adding no separators.
fn stream_writelines(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<StdStream>(&args, STREAM_CLASS_NAME, "writelines")?;
    let rest = method_args(&args);
    rest.check("writelines", 1, 1, &[])?;
    let lines = vm.iterate(&rest.pos[0])?;
    let mut text = String::new();
    for line in &lines {
        let Value::Str(s) = line else {
            return Err(PyErr::type_error(format!(
                "write() argument must be str, not {}",
                type_name(line)
            )));
        };
        text.push_str(s.as_str());
    }
    write_to(vm, this.kind, &text);
    Ok(Value::None)
}

fn stream_flush(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<StdStream>(&args, STREAM_CLASS_NAME, "flush")?;
    method_args(&args).check("flush", 0, 0, &[])?;
    if this.kind == StreamKind::Stdout {
        vm.interp.flush_stdout();
    }
    Ok(Value::None)
}

fn stream_fileno(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let this = receiver::<StdStream>(&args, STREAM_CLASS_NAME, "fileno")?;
    Ok(Value::Int(match this.kind {
        StreamKind::Stdout => 1,
        StreamKind::Stderr => 2,
    }))
}

fn stream_false(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    receiver::<StdStream>(&args, STREAM_CLASS_NAME, "isatty")?;
    Ok(Value::Bool(false))
}

fn stream_true(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    receiver::<StdStream>(&args, STREAM_CLASS_NAME, "writable")?;
    Ok(Value::Bool(true))
}

/// A read-only record with named fields, like CPython's struct sequences (`sys.float_info`).
struct Record {
    class: Arc<Class>,
    fields: Vec<(&'static str, Value)>,
}

impl NativeObject for Record {
    fn class(&self) -> &Arc<Class> {
        &self.class
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }
}

/// `sys.float_info`: the IEEE double parameters.
fn float_info() -> Value {
    static CLASS: OnceLock<Arc<Class>> = OnceLock::new();
    let class = CLASS
        .get_or_init(|| native_class("float_info", "sys", &[]))
        .clone();
    let fields = vec![
        ("max", Value::Float(f64::MAX)),
        ("max_exp", Value::Int(f64::MAX_EXP as i64)),
        ("max_10_exp", Value::Int(f64::MAX_10_EXP as i64)),
        ("min", Value::Float(f64::MIN_POSITIVE)),
        ("min_exp", Value::Int(f64::MIN_EXP as i64)),
        ("min_10_exp", Value::Int(f64::MIN_10_EXP as i64)),
        ("dig", Value::Int(f64::DIGITS as i64)),
        ("mant_dig", Value::Int(f64::MANTISSA_DIGITS as i64)),
        ("epsilon", Value::Float(f64::EPSILON)),
        ("radix", Value::Int(f64::RADIX as i64)),
        ("rounds", Value::Int(1)),
    ];
    Value::object(Record { class, fields })
}
