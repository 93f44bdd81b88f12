//! Files: `open()` and the file objects it returns (text and binary, read and write, used with
//! `with`). Reads and writes go through one pair of functions so that a later issue can release
//! the GIL around them, as CPython does for file I/O.

use std::any::Any;
use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::observe::Release;
use crate::vm::Vm;
use crate::vm::errors::{ExcKind, PyErr, PyResult};
use crate::vm::objects::*;
use crate::vm::value::Value;

/// An open file. `None` once closed.
pub struct File {
    name: String,
    mode: String,
    binary: bool,
    inner: Mutex<Option<std::fs::File>>,
    /// Text read ahead but not yet returned (for `readline` and iteration).
    pending: Mutex<Vec<u8>>,
}

static FILE_CLASS: OnceLock<Arc<Class>> = OnceLock::new();

fn file_class() -> &'static Arc<Class> {
    FILE_CLASS.get_or_init(|| {
        let c = crate::vm::types::new_class("TextIOWrapper", "_io", None, TypeKind::Builtin);
        crate::vm::methods::add_methods(
            &c,
            &[
                ("read", read),
                ("readline", readline),
                ("readlines", readlines),
                ("write", write),
                ("writelines", writelines),
                ("close", close),
                ("flush", flush),
                ("__enter__", enter),
                ("__exit__", exit),
                ("__iter__", enter),
                ("__next__", next_line),
            ],
        );
        c
    })
}

impl NativeObject for File {
    fn class(&self) -> &Arc<Class> {
        file_class()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "name" => Some(Value::str(self.name.clone())),
            "mode" => Some(Value::str(self.mode.clone())),
            "closed" => Some(Value::Bool(self.inner.lock().is_none())),
            _ => None,
        }
    }
    fn repr(&self) -> Option<String> {
        Some(format!(
            "<_io.TextIOWrapper name='{}' mode='{}' encoding='UTF-8'>",
            self.name, self.mode
        ))
    }
}

/// `open(file, mode='r', encoding=None)`.
pub fn open(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check(
        "open",
        1,
        3,
        &["mode", "encoding", "errors", "newline", "buffering", "file"],
    )?;
    let _ = vm;
    let name = match args.get(0, "file") {
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(other) => {
            return Err(PyErr::type_error(format!(
                "expected str, bytes or os.PathLike object, not {}",
                crate::vm::ops::type_name(other)
            )));
        }
        None => {
            return Err(PyErr::type_error(
                "open() missing required argument 'file' (pos 1)",
            ));
        }
    };
    let mode = args
        .get(1, "mode")
        .and_then(|m| m.as_str())
        .unwrap_or("r")
        .to_string();
    let mut opts = std::fs::OpenOptions::new();
    let base: String = mode
        .chars()
        .filter(|c| !matches!(c, 'b' | 't' | '+'))
        .collect();
    let plus = mode.contains('+');
    match base.as_str() {
        "r" => opts.read(true).write(plus),
        "w" => opts.write(true).create(true).truncate(true).read(plus),
        "a" => opts.append(true).create(true).read(plus),
        "x" => opts.write(true).create_new(true).read(plus),
        _ => return Err(PyErr::value_error(format!("invalid mode: '{mode}'"))),
    };
    let f = opts
        .open(&name)
        .map_err(|e| PyErr::from_io(&e, Some(&name)))?;
    Ok(Value::object(File {
        name,
        binary: mode.contains('b'),
        mode,
        inner: Mutex::new(Some(f)),
        pending: Mutex::new(vec![]),
    }))
}

fn this<'a>(args: &Args<'a>) -> PyResult<&'a File> {
    args.pos
        .first()
        .and_then(|v| v.downcast::<File>())
        .ok_or_else(|| PyErr::type_error("expected a file object"))
}

fn closed_error() -> PyErr {
    PyErr::value_error("I/O operation on closed file.")
}

impl File {
    fn read_all(&self) -> PyResult<Vec<u8>> {
        let mut buf = std::mem::take(&mut *self.pending.lock());
        let mut inner = self.inner.lock();
        let f = inner.as_mut().ok_or_else(closed_error)?;
        f.read_to_end(&mut buf)
            .map_err(|e| PyErr::from_io(&e, Some(&self.name)))?;
        Ok(buf)
    }

    fn read_line(&self) -> PyResult<Vec<u8>> {
        let mut pending = self.pending.lock();
        loop {
            if let Some(i) = pending.iter().position(|&b| b == b'\n') {
                let rest = pending.split_off(i + 1);
                return Ok(std::mem::replace(&mut *pending, rest));
            }
            let mut chunk = [0u8; 8192];
            let mut inner = self.inner.lock();
            let f = inner.as_mut().ok_or_else(closed_error)?;
            let n = f
                .read(&mut chunk)
                .map_err(|e| PyErr::from_io(&e, Some(&self.name)))?;
            if n == 0 {
                return Ok(std::mem::take(&mut *pending));
            }
            pending.extend_from_slice(&chunk[..n]);
        }
    }

    fn wrap(&self, bytes: Vec<u8>) -> PyResult<Value> {
        if self.binary {
            Ok(Value::bytes(bytes))
        } else {
            String::from_utf8(bytes).map(Value::str).map_err(|_| {
                PyErr::new(
                    ExcKind::UnicodeDecodeError,
                    "'utf-8' codec can't decode bytes",
                )
            })
        }
    }
}

fn read(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args)?;
    // As CPython: the GIL is released around the system calls of file I/O.
    let data = vm.allow_threads(Release::Native("file.read"), || f.read_all())?;
    f.wrap(data)
}

fn readline(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args)?;
    let line = f.read_line()?;
    f.wrap(line)
}

fn readlines(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args)?;
    let mut out = vec![];
    loop {
        let line = f.read_line()?;
        if line.is_empty() {
            break;
        }
        out.push(f.wrap(line)?);
    }
    Ok(Value::list(out))
}

fn next_line(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let f = this(&args)?;
    let line = f.read_line()?;
    if line.is_empty() {
        return Err(PyErr::new(ExcKind::StopIteration, ""));
    }
    f.wrap(line)
}

fn write_bytes(f: &File, data: &[u8]) -> PyResult<()> {
    let mut inner = f.inner.lock();
    let file = inner.as_mut().ok_or_else(closed_error)?;
    file.write_all(data)
        .map_err(|e| PyErr::from_io(&e, Some(&f.name)))
}

fn write(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("write", 2, 2, &[])?;
    let f = this(&args)?;
    match (&args.pos[1], f.binary) {
        (Value::Str(s), false) => {
            vm.allow_threads(Release::Native("file.write"), || {
                write_bytes(f, s.as_str().as_bytes())
            })?;
            Ok(Value::Int(s.char_len() as i64))
        }
        (Value::Bytes(b), true) => {
            vm.allow_threads(Release::Native("file.write"), || write_bytes(f, &b.0))?;
            Ok(Value::Int(b.0.len() as i64))
        }
        (other, false) => Err(PyErr::type_error(format!(
            "write() argument must be str, not {}",
            crate::vm::ops::type_name(other)
        ))),
        (other, true) => Err(PyErr::type_error(format!(
            "a bytes-like object is required, not '{}'",
            crate::vm::ops::type_name(other)
        ))),
    }
}

fn writelines(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("writelines", 2, 2, &[])?;
    for line in vm.iterate(&args.pos[1])? {
        write(
            vm,
            Args {
                pos: &[args.pos[0].clone(), line],
                kw: &[],
            },
        )?;
    }
    Ok(Value::None)
}

fn close(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args)?.inner.lock().take();
    Ok(Value::None)
}

fn flush(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    if let Some(f) = this(&args)?.inner.lock().as_mut() {
        let _ = f.flush();
    }
    Ok(Value::None)
}

fn enter(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args)?;
    Ok(args.pos[0].clone())
}

fn exit(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    this(&args)?.inner.lock().take();
    Ok(Value::Bool(false))
}
