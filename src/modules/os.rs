//! The `os` module and its `os.path` submodule (CPython's `posixpath`): process facts,
//! environment, files and directories, and pure path manipulation.
//!
//! `os.environ` is a dict snapshot of the environment taken at import (changes to it are not
//! passed to the process environment). Paths are `str` only. Failing system calls raise the
//! `OSError` subclass matching the error, with the path in the message, as CPython does.
//! The string functions of `os.path` (`join`, `split`, `splitext`, `normpath`, ...) are line-by-line
//! ports of `posixpath.py`, so edge cases (`join("a", "/b")`, `splitext(".bashrc")`) agree.

use std::path::Path;
use std::sync::Arc;

use super::{func, int_arg};
use crate::vm::objects::{Args, Module, PyDict};
use crate::vm::ops::type_name;
use crate::vm::{PyErr, PyResult, Value, Vm};

/// Fills the `os` module and makes `os.path` available (as the attribute and in `sys.modules`).
pub fn init(vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    m.set("name", Value::str("posix"));
    m.set("sep", Value::str("/"));
    m.set("altsep", Value::None);
    m.set("extsep", Value::str("."));
    m.set("pathsep", Value::str(":"));
    m.set("linesep", Value::str("\n"));
    m.set("curdir", Value::str("."));
    m.set("pardir", Value::str(".."));
    m.set("devnull", Value::str("/dev/null"));
    let environ = PyDict::new();
    for (k, v) in std::env::vars_os() {
        environ.insert(
            Value::str(k.to_string_lossy()),
            Value::str(v.to_string_lossy()),
        )?;
    }
    m.set("environ", Value::Dict(Arc::new(environ)));
    func(m, "getpid", getpid);
    func(m, "kill", kill);
    func(m, "getppid", getppid);
    func(m, "cpu_count", cpu_count);
    func(m, "getenv", getenv);
    func(m, "getcwd", getcwd);
    func(m, "chdir", chdir);
    func(m, "listdir", listdir);
    func(m, "remove", remove);
    func(m, "unlink", remove);
    func(m, "rmdir", rmdir);
    func(m, "mkdir", mkdir);
    func(m, "makedirs", makedirs);
    func(m, "rename", rename);
    func(m, "replace", rename);
    func(m, "urandom", urandom);

    let existing = vm.interp.modules.lock().get("os.path").cloned();
    let path = match existing {
        Some(p) => p,
        None => {
            let p = Arc::new(Module::new("os.path", "<built-in>"));
            p.set("__name__", Value::str("os.path"));
            init_path(vm, &p)?;
            let v = Value::Module(p);
            vm.interp
                .modules
                .lock()
                .insert("os.path".to_string(), v.clone());
            v
        }
    };
    m.set("path", path);
    Ok(())
}

/// Fills the `os.path` module.
pub fn init_path(_vm: &mut Vm, m: &Arc<Module>) -> PyResult<()> {
    m.set("sep", Value::str("/"));
    func(m, "join", join);
    func(m, "split", split);
    func(m, "splitext", splitext);
    func(m, "basename", basename);
    func(m, "dirname", dirname);
    func(m, "normpath", normpath);
    func(m, "abspath", abspath);
    func(m, "realpath", realpath);
    func(m, "isabs", isabs);
    func(m, "expanduser", expanduser);
    func(m, "exists", exists);
    func(m, "lexists", lexists);
    func(m, "isfile", isfile);
    func(m, "isdir", isdir);
    func(m, "islink", islink);
    func(m, "getsize", getsize);
    func(m, "getmtime", getmtime);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Arguments and errors
// ---------------------------------------------------------------------------------------------

/// A path argument (`str` only: bytes paths, valid in CPython, are not supported).
fn path_arg(v: &Value) -> PyResult<&str> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        Value::Bytes(_) => Err(PyErr::not_implemented(
            "bytes paths are not supported by gilsim",
        )),
        other => Err(PyErr::type_error(format!(
            "expected str, bytes or os.PathLike object, not {}",
            type_name(other)
        ))),
    }
}

/// The single path argument of a function.
fn one_path<'a>(args: &Args<'a>, name: &str) -> PyResult<&'a str> {
    args.check(name, 1, 1, &["path"])?;
    path_arg(args.get(0, "path").unwrap_or(&Value::None))
}

/// An `OSError` for a failed call on `path`.
fn os_err(e: &std::io::Error, path: &str) -> PyErr {
    PyErr::from_io(e, Some(path))
}

// ---------------------------------------------------------------------------------------------
// os
// ---------------------------------------------------------------------------------------------

/// `getpid()`: a child interpreter of process mode has a pid of its own.
fn getpid(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getpid", 0, 0, &[])?;
    Ok(Value::Int(i64::from(vm.interp.process.pid)))
}

/// `kill(pid, sig)`: a child interpreter of process mode (this one included) ends with exit
/// code `-sig`; a real process gets the signal (see `process::kill`).
fn kill(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("kill", 2, 2, &[])?;
    let pid = super::int_arg(&args.pos[0])?;
    let sig = super::int_arg(&args.pos[1])?;
    let (Ok(pid), Ok(sig)) = (u32::try_from(pid), i32::try_from(sig)) else {
        return Err(PyErr::overflow("signal number or pid out of range"));
    };
    crate::process::kill(vm, pid, sig)?;
    Ok(Value::None)
}

fn getppid(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getppid", 0, 0, &[])?;
    Ok(Value::Int(i64::from(vm.interp.process.ppid)))
}

/// `cpu_count()`: the number of CPUs available, or None when unknown.
fn cpu_count(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("cpu_count", 0, 0, &[])?;
    Ok(std::thread::available_parallelism().map_or(Value::None, |n| Value::Int(n.get() as i64)))
}

/// `getenv(key, default=None)`, read from the process environment.
fn getenv(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getenv", 1, 2, &["key", "default"])?;
    let key = args.get(0, "key").unwrap_or(&Value::None);
    let key = key
        .as_str()
        .ok_or_else(|| PyErr::type_error(format!("str expected, not {}", type_name(key))))?;
    Ok(match std::env::var_os(key) {
        Some(v) => Value::str(v.to_string_lossy()),
        None => args.get(1, "default").cloned().unwrap_or(Value::None),
    })
}

fn cwd() -> PyResult<String> {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| PyErr::from_io(&e, None))
}

fn getcwd(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("getcwd", 0, 0, &[])?;
    Ok(Value::str(cwd()?))
}

/// `chdir(path)`: changes the working directory of the whole process.
fn chdir(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "chdir")?;
    std::env::set_current_dir(p).map_err(|e| os_err(&e, p))?;
    Ok(Value::None)
}

/// `listdir(path='.')`: entry names in directory order, without `.` and `..`.
fn listdir(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("listdir", 0, 1, &["path"])?;
    let p = match args.get(0, "path") {
        None | Some(Value::None) => ".",
        Some(v) => path_arg(v)?,
    };
    let entries = std::fs::read_dir(p).map_err(|e| os_err(&e, p))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| os_err(&e, p))?;
        names.push(Value::str(entry.file_name().to_string_lossy()));
    }
    Ok(Value::list(names))
}

/// `remove(path)` / `unlink(path)`.
fn remove(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "remove")?;
    std::fs::remove_file(p).map_err(|e| os_err(&e, p))?;
    Ok(Value::None)
}

fn rmdir(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "rmdir")?;
    std::fs::remove_dir(p).map_err(|e| os_err(&e, p))?;
    Ok(Value::None)
}

/// The `mode` argument of `mkdir`/`makedirs` (default 0o777, reduced by the umask).
fn mode_arg(args: &Args<'_>) -> PyResult<u32> {
    match args.get(1, "mode") {
        None => Ok(0o777),
        Some(v) => u32::try_from(int_arg(v)?).map_err(|_| PyErr::overflow("mode out of range")),
    }
}

fn dir_builder(mode: u32, recursive: bool) -> std::fs::DirBuilder {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(recursive);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    b
}

/// `mkdir(path, mode=0o777)`.
fn mkdir(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("mkdir", 1, 2, &["path", "mode"])?;
    let p = path_arg(&args.pos[0])?;
    dir_builder(mode_arg(&args)?, false)
        .create(p)
        .map_err(|e| os_err(&e, p))?;
    Ok(Value::None)
}

/// `makedirs(name, mode=0o777, exist_ok=False)`.
fn makedirs(vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("makedirs", 1, 3, &["name", "mode", "exist_ok"])?;
    let p = path_arg(args.get(0, "name").unwrap_or(&Value::None))?;
    let exist_ok = match args.get(2, "exist_ok") {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    let mode = mode_arg(&args)?;
    if Path::new(p).is_dir() {
        if exist_ok {
            return Ok(Value::None);
        }
        // Let the system report EEXIST, so the error carries its real errno.
        dir_builder(mode, false)
            .create(p)
            .map_err(|e| os_err(&e, p))?;
    }
    dir_builder(mode, true)
        .create(p)
        .map_err(|e| os_err(&e, p))?;
    Ok(Value::None)
}

/// `rename(src, dst)` / `replace(src, dst)` (both replace an existing file on POSIX).
fn rename(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("rename", 2, 2, &["src", "dst"])?;
    let src = path_arg(&args.pos[0])?;
    let dst = path_arg(&args.pos[1])?;
    // CPython names both paths: "[Errno 2] No such file or directory: 'a' -> 'b'".
    std::fs::rename(src, dst).map_err(|e| os_err(&e, &format!("{src}' -> '{dst}")))?;
    Ok(Value::None)
}

/// `urandom(n)`: `n` bytes from the operating system's random source.
fn urandom(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    use std::io::Read;
    args.check("urandom", 1, 1, &[])?;
    let n = int_arg(&args.pos[0])?;
    let n = usize::try_from(n).map_err(|_| PyErr::value_error("negative argument not allowed"))?;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| PyErr::from_io(&e, None))?;
    Ok(Value::bytes(buf))
}

// ---------------------------------------------------------------------------------------------
// os.path: string functions (posixpath.py)
// ---------------------------------------------------------------------------------------------

/// `join(a, *p)`: an absolute component discards everything before it.
fn join(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    args.check("join", 1, usize::MAX, &[])?;
    let part = |v: &Value| -> PyResult<String> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            // The first part is a str (bytes paths are unsupported), so bytes here would mix.
            Value::Bytes(_) => Err(PyErr::type_error(
                "Can't mix strings and bytes in path components",
            )),
            other => Err(PyErr::type_error(format!(
                "join() argument must be str, bytes, or os.PathLike object, not '{}'",
                type_name(other)
            ))),
        }
    };
    // The first argument goes through os.fspath(), the rest through the join-specific check.
    let mut path = path_arg(&args.pos[0])?.to_string();
    for b in &args.pos[1..] {
        let b = part(b)?;
        if b.starts_with('/') {
            path = b;
        } else if path.is_empty() || path.ends_with('/') {
            path.push_str(&b);
        } else {
            path.push('/');
            path.push_str(&b);
        }
    }
    Ok(Value::str(path))
}

/// `split(p)` as `(head, tail)`: trailing slashes are stripped from head unless it is all slashes.
fn split_path(p: &str) -> (String, &str) {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let (head, tail) = p.split_at(i);
    let head = if !head.is_empty() && head.chars().any(|c| c != '/') {
        head.trim_end_matches('/')
    } else {
        head
    };
    (head.to_string(), tail)
}

fn split(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "split")?;
    let (head, tail) = split_path(p);
    Ok(Value::tuple(vec![Value::str(head), Value::str(tail)]))
}

fn basename(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "basename")?;
    Ok(Value::str(split_path(p).1))
}

fn dirname(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "dirname")?;
    Ok(Value::str(split_path(p).0))
}

/// `splitext(p)`: the extension starts at the last dot of the last component, unless that
/// component is only leading dots up to it (`.bashrc` has no extension).
fn splitext_str(p: &str) -> (&str, &str) {
    let sep_index = p.rfind('/').map_or(-1, |i| i as i64);
    let Some(dot_index) = p.rfind('.') else {
        return (p, "");
    };
    if dot_index as i64 > sep_index {
        let name_start = (sep_index + 1) as usize;
        if p[name_start..dot_index].bytes().any(|b| b != b'.') {
            return p.split_at(dot_index);
        }
    }
    (p, "")
}

fn splitext(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "splitext")?;
    let (root, ext) = splitext_str(p);
    Ok(Value::tuple(vec![Value::str(root), Value::str(ext)]))
}

/// `normpath(p)`: collapses `//`, `.` and `a/..` without touching the file system.
fn normpath_str(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let initial_slashes = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial_slashes == 0 && comps.is_empty()) || comps.last() == Some(&"..")
        {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let out = format!("{}{}", "/".repeat(initial_slashes), comps.join("/"));
    if out.is_empty() { ".".to_string() } else { out }
}

fn normpath(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::str(normpath_str(one_path(&args, "normpath")?)))
}

fn abspath_str(p: &str) -> PyResult<String> {
    if p.starts_with('/') {
        return Ok(normpath_str(p));
    }
    let base = cwd()?;
    let joined = if base.ends_with('/') {
        format!("{base}{p}")
    } else {
        format!("{base}/{p}")
    };
    Ok(normpath_str(&joined))
}

fn abspath(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::str(abspath_str(one_path(&args, "abspath")?)?))
}

/// `realpath(p)`: symlinks resolved when the path exists, else the absolute path.
fn realpath(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "realpath")?;
    match std::fs::canonicalize(p) {
        Ok(r) => Ok(Value::str(r.to_string_lossy())),
        Err(_) => Ok(Value::str(abspath_str(p)?)),
    }
}

fn isabs(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(one_path(&args, "isabs")?.starts_with('/')))
}

/// `expanduser(p)`: a leading `~` (alone or before `/`) becomes `$HOME`.
fn expanduser(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "expanduser")?;
    let rest = match p.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ => return Ok(Value::str(p)),
    };
    let Some(home) = std::env::var_os("HOME") else {
        return Ok(Value::str(p));
    };
    let home = home.to_string_lossy();
    let home = home.trim_end_matches('/');
    let out = if home.is_empty() && rest.is_empty() {
        "/".to_string()
    } else {
        format!("{home}{rest}")
    };
    Ok(Value::str(out))
}

// ---------------------------------------------------------------------------------------------
// os.path: file system queries
// ---------------------------------------------------------------------------------------------

fn exists(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(
        std::fs::metadata(one_path(&args, "exists")?).is_ok(),
    ))
}

fn lexists(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(
        std::fs::symlink_metadata(one_path(&args, "lexists")?).is_ok(),
    ))
}

fn isfile(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(Path::new(one_path(&args, "isfile")?).is_file()))
}

fn isdir(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(Path::new(one_path(&args, "isdir")?).is_dir()))
}

fn islink(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    Ok(Value::Bool(
        Path::new(one_path(&args, "islink")?).is_symlink(),
    ))
}

fn getsize(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "getsize")?;
    let meta = std::fs::metadata(p).map_err(|e| os_err(&e, p))?;
    Ok(Value::Int(i64::try_from(meta.len()).unwrap_or(i64::MAX)))
}

/// `getmtime(p)`: modification time in seconds since the epoch.
fn getmtime(_vm: &mut Vm, args: Args<'_>) -> PyResult<Value> {
    let p = one_path(&args, "getmtime")?;
    let modified = std::fs::metadata(p)
        .and_then(|m| m.modified())
        .map_err(|e| os_err(&e, p))?;
    let secs = match modified.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    Ok(Value::Float(secs))
}

#[cfg(test)]
mod tests {
    //! Expected values are what CPython 3.11's posixpath returns.
    use super::*;

    #[test]
    fn path_strings_match_posixpath() {
        assert_eq!(split_path("/usr/lib/"), ("/usr/lib".to_string(), ""));
        assert_eq!(split_path("//x"), ("//".to_string(), "x"));
        assert_eq!(split_path("a/b//c"), ("a/b".to_string(), "c"));
        assert_eq!(split_path("file"), (String::new(), "file"));
        assert_eq!(splitext_str("a/b.tar.gz"), ("a/b.tar", ".gz"));
        assert_eq!(splitext_str(".bashrc"), (".bashrc", ""));
        assert_eq!(splitext_str("..x.y"), ("..x", ".y"));
        assert_eq!(splitext_str("a.b/c"), ("a.b/c", ""));
        assert_eq!(splitext_str("x."), ("x", "."));
        assert_eq!(normpath_str(""), ".");
        assert_eq!(normpath_str("a//b/./c/../d/"), "a/b/d");
        assert_eq!(normpath_str("../../a"), "../../a");
        assert_eq!(normpath_str("/../a"), "/a");
        assert_eq!(normpath_str("//a"), "//a");
        assert_eq!(normpath_str("///a"), "/a");
        assert_eq!(normpath_str("a/.."), ".");
    }
}
