//! The value representation: one 16-byte enum that every stack slot, local and container holds.
//!
//! Values that fit a word (None, bool, small int, float) are unboxed, so the hot arithmetic paths
//! allocate nothing. Everything else is a heap object behind an `Arc`: immutable objects (str,
//! bytes, tuple, big int, code) need no lock at all, and mutable ones (list, dict, set, instance,
//! cell) guard their state with their own `parking_lot` mutex. That makes the heap sound without
//! any global lock (the `--gil none` mode), while a Python-level race such as `counter += 1`
//! losing updates stays possible, exactly as in CPython's free-threaded build.
//!
//! Invariant for every mutable object: its lock is held only for a primitive operation on its own
//! state (push, index, insert) and never across a call back into the interpreter, so no lock-order
//! deadlock between objects is possible (`a == a`, `d[d] = d` and friends snapshot first).

use std::sync::Arc;

use num_bigint::BigInt;

use super::objects::*;
use crate::compile::code::Code;

/// A Python value.
///
/// The tag is a whole word (`repr(u64)`) so that a value is two aligned words with no padding:
/// copies are two plain moves, and a value just built from two word stores can be read back
/// without the partial-overlap reads that defeat the CPU's store forwarding (the default byte
/// tag made n-body 20% slower). Unused tag values still give `Option<Value>` its niche.
#[repr(u64)]
pub enum Value {
    /// Marks an unassigned local or global; never visible to Python code.
    Unbound,
    /// A built-in type's method found by `LOAD_METHOD`, waiting on the stack for its
    /// `CALL_METHOD`: a plain function pointer, so the pair costs no reference count on the
    /// method object (which every thread calling `list.append` would otherwise share).
    /// Never visible to Python code.
    NativeMethod(NativeFn),
    None,
    Ellipsis,
    NotImplemented,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// An int outside the i64 range. Always normalised: a value that fits an i64 is an `Int`.
    BigInt(Arc<BigInt>),
    Str(Arc<PyStr>),
    Bytes(Arc<PyBytes>),
    List(Arc<PyList>),
    Tuple(Arc<PyTuple>),
    Dict(Arc<PyDict>),
    Set(Arc<PySet>),
    Range(Arc<PyRange>),
    Slice(Arc<PySlice>),
    Function(Arc<Function>),
    Native(Arc<NativeFunction>),
    BoundMethod(Arc<BoundMethod>),
    Class(Arc<Class>),
    Instance(Arc<Instance>),
    Module(Arc<Module>),
    Iter(Arc<PyIter>),
    /// A closure cell; appears on the stack only while a closure is being built.
    Cell(Arc<Cell>),
    /// A code object; appears only as a constant feeding `MakeFunction`.
    Code(Arc<Code>),
    /// An object implemented in Rust by a built-in module (a lock, a file, a hash, ...).
    Object(Arc<ObjectBox>),
}

// Keep the value small: it is copied on every push and pop.
const _: () = assert!(std::mem::size_of::<Value>() == 16);
const _: () = assert!(std::mem::size_of::<Option<Value>>() == 16);

/// Cloning is what `LOAD_FAST` does, so the immediate values' copy is inlined into every
/// caller and only a heap value's reference count goes through a call.
impl Clone for Value {
    #[inline(always)]
    fn clone(&self) -> Value {
        match *self {
            Value::Int(i) => Value::Int(i),
            Value::Float(f) => Value::Float(f),
            Value::Bool(b) => Value::Bool(b),
            Value::None => Value::None,
            _ => self.clone_heap(),
        }
    }
}

impl Value {
    #[inline(never)]
    fn clone_heap(&self) -> Value {
        use Value::*;
        match self {
            Unbound => Unbound,
            NativeMethod(f) => NativeMethod(*f),
            None => None,
            Ellipsis => Ellipsis,
            NotImplemented => NotImplemented,
            Bool(b) => Bool(*b),
            Int(i) => Int(*i),
            Float(f) => Float(*f),
            BigInt(a) => BigInt(a.clone()),
            Str(a) => Str(a.clone()),
            Bytes(a) => Bytes(a.clone()),
            List(a) => List(a.clone()),
            Tuple(a) => Tuple(a.clone()),
            Dict(a) => Dict(a.clone()),
            Set(a) => Set(a.clone()),
            Range(a) => Range(a.clone()),
            Slice(a) => Slice(a.clone()),
            Function(a) => Function(a.clone()),
            Native(a) => Native(a.clone()),
            BoundMethod(a) => BoundMethod(a.clone()),
            Class(a) => Class(a.clone()),
            Instance(a) => Instance(a.clone()),
            Module(a) => Module(a.clone()),
            Iter(a) => Iter(a.clone()),
            Cell(a) => Cell(a.clone()),
            Code(a) => Code(a.clone()),
            Object(a) => Object(a.clone()),
        }
    }
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Arc::new(PyStr::new(s.into())))
    }

    /// [`str`](Self::str) for text the caller knows to be ASCII or not (see
    /// [`PyStr::with_ascii`]).
    pub fn str_with_ascii(s: String, ascii: bool) -> Value {
        Value::Str(Arc::new(PyStr::with_ascii(s, ascii)))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(PyTuple(items)))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(PyList::new(items)))
    }

    pub fn bytes(b: Vec<u8>) -> Value {
        Value::Bytes(Arc::new(PyBytes(b)))
    }

    /// Normalises a big integer: an i64 when it fits.
    pub fn from_bigint(b: BigInt) -> Value {
        use num_traits::ToPrimitive;
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::BigInt(Arc::new(b)),
        }
    }

    /// Drops a value, deciding inline whether there is anything to release: most values the
    /// eval loop throws away (a replaced local, a popped result, a returning frame's locals)
    /// are immediates, for which the out-of-line drop glue would be a call for nothing.
    #[inline(always)]
    pub fn discard(self) {
        use Value::*;
        if matches!(
            self,
            Unbound
                | NativeMethod(_)
                | None
                | Ellipsis
                | NotImplemented
                | Bool(_)
                | Int(_)
                | Float(_)
        ) {
            std::mem::forget(self);
        } else {
            drop(self);
        }
    }

    /// The bool a value is, else the value back: a test of a popped condition that costs no
    /// call to the drop glue when it is a bool.
    #[inline(always)]
    pub fn into_bool(self) -> Result<bool, Value> {
        if let Value::Bool(b) = self {
            std::mem::forget(self);
            Ok(b)
        } else {
            Err(self)
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Identity, as Python's `is`: same immediate value, or the same heap object.
    pub fn is(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (None, None)
            | (Ellipsis, Ellipsis)
            | (NotImplemented, NotImplemented)
            | (Unbound, Unbound) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            _ => match (self.heap_ptr(), other.heap_ptr()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// The address of the heap object, for identity and `id()`.
    pub fn heap_ptr(&self) -> Option<usize> {
        use Value::*;
        Some(match self {
            BigInt(a) => Arc::as_ptr(a) as *const u8 as usize,
            Str(a) => Arc::as_ptr(a) as *const u8 as usize,
            Bytes(a) => Arc::as_ptr(a) as *const u8 as usize,
            List(a) => Arc::as_ptr(a) as *const u8 as usize,
            Tuple(a) => Arc::as_ptr(a) as *const u8 as usize,
            Dict(a) => Arc::as_ptr(a) as *const u8 as usize,
            Set(a) => Arc::as_ptr(a) as *const u8 as usize,
            Range(a) => Arc::as_ptr(a) as *const u8 as usize,
            Slice(a) => Arc::as_ptr(a) as *const u8 as usize,
            Function(a) => Arc::as_ptr(a) as *const u8 as usize,
            Native(a) => Arc::as_ptr(a) as *const u8 as usize,
            BoundMethod(a) => Arc::as_ptr(a) as *const u8 as usize,
            Class(a) => Arc::as_ptr(a) as *const u8 as usize,
            Instance(a) => Arc::as_ptr(a) as *const u8 as usize,
            Module(a) => Arc::as_ptr(a) as *const u8 as usize,
            Iter(a) => Arc::as_ptr(a) as *const u8 as usize,
            Cell(a) => Arc::as_ptr(a) as *const u8 as usize,
            Code(a) => Arc::as_ptr(a) as *const u8 as usize,
            Object(a) => Arc::as_ptr(a) as *const u8 as usize,
            _ => return Option::None,
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The native object inside, downcast to a concrete Rust type.
    pub fn downcast<T: 'static>(&self) -> Option<&T> {
        match self {
            Value::Object(o) => o.0.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::Str(s) => write!(f, "Str({:?})", s.as_str()),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::None => write!(f, "None"),
            other => write!(f, "<{}>", super::ops::type_name(other)),
        }
    }
}
