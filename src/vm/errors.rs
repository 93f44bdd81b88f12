//! Python exceptions as Rust errors.
//!
//! Code that has no interpreter at hand (arithmetic, formatting, parsing helpers) raises a
//! [`PyErr::New`] naming a built-in exception kind; the VM turns it into a real exception instance
//! only when Python code needs to see it. Exceptions raised by Python code travel as
//! [`PyErr::Raised`] holding the instance.

use super::value::Value;

/// The built-in exception classes, in an order where every parent precedes its children.
/// `ExcKind as usize` indexes this table.
pub const EXCEPTION_TABLE: &[(&str, Option<ExcKind>)] = &[
    ("BaseException", None),
    ("Exception", Some(ExcKind::BaseException)),
    ("SystemExit", Some(ExcKind::BaseException)),
    ("KeyboardInterrupt", Some(ExcKind::BaseException)),
    ("GeneratorExit", Some(ExcKind::BaseException)),
    ("ArithmeticError", Some(ExcKind::Exception)),
    ("ZeroDivisionError", Some(ExcKind::ArithmeticError)),
    ("OverflowError", Some(ExcKind::ArithmeticError)),
    ("FloatingPointError", Some(ExcKind::ArithmeticError)),
    ("LookupError", Some(ExcKind::Exception)),
    ("IndexError", Some(ExcKind::LookupError)),
    ("KeyError", Some(ExcKind::LookupError)),
    ("ValueError", Some(ExcKind::Exception)),
    ("UnicodeError", Some(ExcKind::ValueError)),
    ("UnicodeDecodeError", Some(ExcKind::UnicodeError)),
    ("UnicodeEncodeError", Some(ExcKind::UnicodeError)),
    ("TypeError", Some(ExcKind::Exception)),
    ("AttributeError", Some(ExcKind::Exception)),
    ("NameError", Some(ExcKind::Exception)),
    ("UnboundLocalError", Some(ExcKind::NameError)),
    ("RuntimeError", Some(ExcKind::Exception)),
    ("RecursionError", Some(ExcKind::RuntimeError)),
    ("NotImplementedError", Some(ExcKind::RuntimeError)),
    ("StopIteration", Some(ExcKind::Exception)),
    ("AssertionError", Some(ExcKind::Exception)),
    ("ImportError", Some(ExcKind::Exception)),
    ("ModuleNotFoundError", Some(ExcKind::ImportError)),
    ("OSError", Some(ExcKind::Exception)),
    ("FileNotFoundError", Some(ExcKind::OSError)),
    ("FileExistsError", Some(ExcKind::OSError)),
    ("PermissionError", Some(ExcKind::OSError)),
    ("IsADirectoryError", Some(ExcKind::OSError)),
    ("TimeoutError", Some(ExcKind::OSError)),
    ("BrokenPipeError", Some(ExcKind::OSError)),
    ("ProcessLookupError", Some(ExcKind::OSError)),
    ("EOFError", Some(ExcKind::Exception)),
    ("MemoryError", Some(ExcKind::Exception)),
    ("BufferError", Some(ExcKind::Exception)),
    ("SyntaxError", Some(ExcKind::Exception)),
    ("IndentationError", Some(ExcKind::SyntaxError)),
    ("TabError", Some(ExcKind::IndentationError)),
    ("Warning", Some(ExcKind::Exception)),
    ("UserWarning", Some(ExcKind::Warning)),
    ("DeprecationWarning", Some(ExcKind::Warning)),
    ("RuntimeWarning", Some(ExcKind::Warning)),
];

/// A built-in exception class, by its place in [`EXCEPTION_TABLE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcKind {
    BaseException,
    Exception,
    SystemExit,
    KeyboardInterrupt,
    GeneratorExit,
    ArithmeticError,
    ZeroDivisionError,
    OverflowError,
    FloatingPointError,
    LookupError,
    IndexError,
    KeyError,
    ValueError,
    UnicodeError,
    UnicodeDecodeError,
    UnicodeEncodeError,
    TypeError,
    AttributeError,
    NameError,
    UnboundLocalError,
    RuntimeError,
    RecursionError,
    NotImplementedError,
    StopIteration,
    AssertionError,
    ImportError,
    ModuleNotFoundError,
    OSError,
    FileNotFoundError,
    FileExistsError,
    PermissionError,
    IsADirectoryError,
    TimeoutError,
    BrokenPipeError,
    ProcessLookupError,
    EOFError,
    MemoryError,
    BufferError,
    SyntaxError,
    IndentationError,
    TabError,
    Warning,
    UserWarning,
    DeprecationWarning,
    RuntimeWarning,
}

/// A Python exception in flight.
#[derive(Clone, Debug)]
pub enum PyErr {
    /// A built-in exception not yet made into an instance: its kind and its `args`.
    New(ExcKind, Box<Vec<Value>>),
    /// A raised exception instance (its traceback is stored on the instance).
    Raised(Value),
}

pub type PyResult<T> = Result<T, PyErr>;

impl PyErr {
    /// An exception of `kind` with a message (no message when empty, like `raise ValueError()`).
    pub fn new(kind: ExcKind, msg: impl Into<String>) -> PyErr {
        let msg = msg.into();
        let args = if msg.is_empty() {
            vec![]
        } else {
            vec![Value::str(msg)]
        };
        PyErr::New(kind, Box::new(args))
    }
    pub fn with_args(kind: ExcKind, args: Vec<Value>) -> PyErr {
        PyErr::New(kind, Box::new(args))
    }
    /// The message of a not-yet-raised built-in exception (its first argument, if a string).
    pub fn message(&self) -> Option<&str> {
        match self {
            PyErr::New(_, args) => args.first().and_then(|a| a.as_str()),
            PyErr::Raised(_) => None,
        }
    }

    pub fn type_error(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::TypeError, msg)
    }
    pub fn value_error(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::ValueError, msg)
    }
    pub fn index_error(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::IndexError, msg)
    }
    pub fn zero_division(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::ZeroDivisionError, msg)
    }
    pub fn overflow(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::OverflowError, msg)
    }
    pub fn runtime_error(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::RuntimeError, msg)
    }
    pub fn attribute_error(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::AttributeError, msg)
    }
    pub fn not_implemented(msg: impl Into<String>) -> PyErr {
        PyErr::new(ExcKind::NotImplementedError, msg)
    }
    /// The C library's text for an I/O error, as Python prints it (no "(os error N)" suffix).
    pub fn from_io_text(e: &std::io::Error) -> String {
        match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
            std::io::ErrorKind::IsADirectory => "Is a directory".to_string(),
            std::io::ErrorKind::AlreadyExists => "File exists".to_string(),
            _ => {
                let s = e.to_string();
                match s.find(" (os error") {
                    Some(i) => s[..i].to_string(),
                    None => s,
                }
            }
        }
    }

    pub fn os_error(kind: ExcKind, e: &std::io::Error, filename: Option<&str>) -> PyErr {
        let code = e.raw_os_error().unwrap_or(0);
        let text = PyErr::from_io_text(e);
        let msg = match filename {
            Some(f) => format!("[Errno {code}] {text}: '{f}'"),
            None => format!("[Errno {code}] {text}"),
        };
        PyErr::new(kind, msg)
    }
    /// Maps an I/O error to the matching `OSError` subclass.
    pub fn from_io(e: &std::io::Error, filename: Option<&str>) -> PyErr {
        if e.raw_os_error() == Some(libc::ESRCH) {
            return PyErr::os_error(ExcKind::ProcessLookupError, e, filename);
        }
        let kind = match e.kind() {
            std::io::ErrorKind::NotFound => ExcKind::FileNotFoundError,
            std::io::ErrorKind::PermissionDenied => ExcKind::PermissionError,
            std::io::ErrorKind::AlreadyExists => ExcKind::FileExistsError,
            std::io::ErrorKind::IsADirectory => ExcKind::IsADirectoryError,
            std::io::ErrorKind::BrokenPipe => ExcKind::BrokenPipeError,
            _ => ExcKind::OSError,
        };
        PyErr::os_error(kind, e, filename)
    }
}

/// One line of a traceback: where a frame was when the exception passed through it.
#[derive(Clone, Debug)]
pub struct TraceEntry {
    pub filename: std::sync::Arc<str>,
    pub line: u32,
    pub func: std::sync::Arc<str>,
}
