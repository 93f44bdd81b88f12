//! The heap objects behind [`Value`]'s `Arc`s.
//!
//! Immutable objects are plain data. Mutable ones wrap their state in a `parking_lot` lock (see the
//! invariant in `value.rs`: a lock is held only for a primitive step, never across a call into
//! Python code).

use std::any::Any;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use indexmap::{IndexMap, IndexSet};
use parking_lot::RwLock;

pub use super::objlock::Mutex;
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::Vm;
pub use super::attrs::AttrMap;
use super::errors::{PyErr, PyResult};
use super::value::Value;
use crate::compile::code::Code;

/// An immutable Unicode string. `ascii` makes indexing O(1) for the common case.
pub struct PyStr {
    s: Box<str>,
    ascii: bool,
    /// Cached hash (0 = not computed yet).
    hash: AtomicU64,
}

impl PyStr {
    pub fn new(s: String) -> PyStr {
        let ascii = s.is_ascii();
        PyStr {
            s: s.into_boxed_str(),
            ascii,
            hash: AtomicU64::new(0),
        }
    }
    /// [`new`](Self::new) for text whose caller knows whether it is ASCII (a part of an
    /// ASCII string, its lower case), which spares a scan of it.
    pub fn with_ascii(s: String, ascii: bool) -> PyStr {
        debug_assert_eq!(ascii, s.is_ascii());
        PyStr {
            s: s.into_boxed_str(),
            ascii,
            hash: AtomicU64::new(0),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.s
    }
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }
    /// Length in code points, as Python's `len`.
    pub fn char_len(&self) -> usize {
        if self.ascii {
            self.s.len()
        } else {
            self.s.chars().count()
        }
    }
    /// The character at code-point index `i` (already bounds-checked by the caller).
    pub fn char_at(&self, i: usize) -> Option<char> {
        if self.ascii {
            self.s.as_bytes().get(i).map(|&b| b as char)
        } else {
            self.s.chars().nth(i)
        }
    }
    pub fn hash_value(&self) -> u64 {
        let h = self.hash.load(Ordering::Relaxed);
        if h != 0 {
            return h;
        }
        let mut hasher = rustc_hash::FxHasher::default();
        self.s.hash(&mut hasher);
        let h = hasher.finish() | 1;
        self.hash.store(h, Ordering::Relaxed);
        h
    }
}

/// An immutable byte string.
pub struct PyBytes(pub Vec<u8>);

/// An immutable sequence.
pub struct PyTuple(pub Vec<Value>);

/// A mutable sequence.
pub struct PyList(pub Mutex<Vec<Value>>);

// The containers that can nest free their contents through the trashcan, so that dropping a
// value nested a million deep does not recurse a million times (see `vm::trashcan`).
impl Drop for PyTuple {
    fn drop(&mut self) {
        super::trashcan::release(std::mem::take(&mut self.0));
    }
}

impl Drop for PyList {
    fn drop(&mut self) {
        super::trashcan::release(std::mem::take(self.0.get_mut()));
    }
}

impl Drop for PyDict {
    fn drop(&mut self) {
        let map = std::mem::take(self.0.get_mut());
        if map
            .iter()
            .any(|(k, v)| super::trashcan::may_nest(&k.0) || super::trashcan::may_nest(v))
        {
            super::trashcan::release_nested(map.into_iter().flat_map(|(k, v)| [k.0, v]));
        }
    }
}

impl Drop for PySet {
    fn drop(&mut self) {
        let items = std::mem::take(self.items.get_mut());
        if items.iter().any(|k| super::trashcan::may_nest(&k.0)) {
            super::trashcan::release_nested(items.into_iter().map(|k| k.0));
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let attrs = std::mem::take(self.attrs.get_mut());
        if attrs.values().any(super::trashcan::may_nest) {
            super::trashcan::release_nested(attrs.into_values());
        }
    }
}

impl Drop for Cell {
    fn drop(&mut self) {
        let v = std::mem::replace(self.0.get_mut(), Value::None);
        if super::trashcan::may_nest(&v) {
            super::trashcan::release(vec![v]);
        }
    }
}

impl Drop for BoundMethod {
    fn drop(&mut self) {
        let receiver = std::mem::replace(&mut self.receiver, Value::None);
        if super::trashcan::may_nest(&receiver) {
            super::trashcan::release(vec![receiver]);
        }
    }
}

impl PyList {
    pub fn new(items: Vec<Value>) -> PyList {
        PyList(Mutex::new(items))
    }
    /// A copy of the items, taken under the lock and used without it.
    pub fn snapshot(&self) -> Vec<Value> {
        self.0.lock().clone()
    }
}

/// A hashable value used as a dict key or set element. Equality and hashing follow Python for
/// the built-in immutable types (`1 == 1.0 == True` share a hash); other objects compare by
/// identity, as objects without `__eq__` do.
#[derive(Clone)]
pub struct HashKey(pub Value);

impl HashKey {
    /// Wraps a value, or raises `TypeError: unhashable type` for mutable containers.
    pub fn new(v: Value) -> PyResult<HashKey> {
        check_hashable(&v, 0)?;
        Ok(HashKey(v))
    }

    /// Raises `TypeError: unhashable type` as [`new`](Self::new) does, for a lookup by a
    /// borrowed value that needs no key of its own.
    pub fn check(v: &Value) -> PyResult<()> {
        check_hashable(v, 0)
    }
}

/// Deepest tuple nesting a key may have: hashing and comparing keys recurse in Rust with no
/// way to fail, so a deeper key is refused here, where an error can still be raised.
pub const MAX_KEY_DEPTH: usize = 20_000;

fn check_hashable(v: &Value, depth: usize) -> PyResult<()> {
    match v {
        Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::Slice(_) => Err(
            PyErr::type_error(format!("unhashable type: '{}'", super::ops::type_name(v))),
        ),
        Value::Tuple(t) => {
            if depth >= MAX_KEY_DEPTH || super::recursion::stack_exhausted() {
                return Err(super::recursion::recursion_error(
                    " while calling a Python object",
                ));
            }
            t.0.iter()
                .try_for_each(|item| check_hashable(item, depth + 1))
        }
        Value::Instance(i) => match i.class.key_hash() {
            // `__eq__` without `__hash__` makes a class unhashable, as in CPython.
            KeyHash::Unhashable => Err(PyErr::type_error(format!(
                "unhashable type: '{}'",
                i.class.name
            ))),
            // Keys are hashed and compared inside the container's lock, where no Python code
            // may run: a key whose hash or equality is Python code would be compared by
            // identity, silently unlike CPython, so it is refused instead.
            KeyHash::Python => Err(PyErr::not_implemented(format!(
                "instances of '{}', a class defining __hash__, as dict keys or set members \
                 are not supported by gilsim",
                i.class.name
            ))),
            KeyHash::Identity => Ok(()),
        },
        _ => Ok(()),
    }
}

impl Hash for HashKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_i64(super::ops::hash_of(&self.0));
    }
}

impl PartialEq for HashKey {
    fn eq(&self, other: &HashKey) -> bool {
        super::ops::key_eq(&self.0, &other.0)
    }
}
impl Eq for HashKey {}

pub use super::dictmap::DictMap;

/// An insertion-ordered dict.
pub struct PyDict(pub Mutex<DictMap>);

impl PyDict {
    pub fn new() -> PyDict {
        PyDict(Mutex::new(DictMap::default()))
    }
    pub fn from_map(m: DictMap) -> PyDict {
        PyDict(Mutex::new(m))
    }
    pub fn get(&self, k: &Value) -> Option<Value> {
        self.0.lock().get_value(k).cloned()
    }
    pub fn get_str(&self, k: &str) -> Option<Value> {
        self.get(&Value::str(k))
    }
    pub fn insert(&self, k: Value, v: Value) -> PyResult<()> {
        let k = HashKey::new(k)?;
        let mut map = self.0.lock();
        if map.is_full() {
            // A growing dict holds a key, a value and a hash per entry, plus its index.
            crate::memory::reserve_items(map.capacity().max(4), 48)?;
        }
        map.insert(k, v);
        Ok(())
    }
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.0
            .lock()
            .iter()
            .map(|(k, v)| (k.0.clone(), v.clone()))
            .collect()
    }
}

impl Default for PyDict {
    fn default() -> Self {
        Self::new()
    }
}

pub type SetMap = IndexSet<HashKey, FxBuildHasher>;

/// A mutable set (and, with `frozen`, a frozenset).
pub struct PySet {
    pub items: Mutex<SetMap>,
    pub frozen: bool,
}

impl PySet {
    pub fn new(items: SetMap) -> PySet {
        PySet {
            items: Mutex::new(items),
            frozen: false,
        }
    }
    /// The elements in iteration order.
    ///
    /// Sets are insertion-ordered here, but CPython iterates a set in hash-table slot order, so
    /// `{3, 1, 2}` prints as `{1, 2, 3}`. For sets of ints (where a hash is the value itself) we
    /// reproduce that order from CPython's table size, which is what users see in tutorials;
    /// other sets keep insertion order.
    pub fn snapshot(&self) -> Vec<Value> {
        let mut items: Vec<Value> = self.items.lock().iter().map(|k| k.0.clone()).collect();
        if items
            .iter()
            .all(|v| matches!(v, Value::Int(_) | Value::Bool(_)))
        {
            // CPython grows a set's table (minimum 8 slots) when it is 60% full, by 4x.
            let mut size: i64 = 8;
            while items.len() as i64 * 5 >= (size - 1) * 3 {
                size *= 4;
            }
            items.sort_by_key(|v| super::ops::hash_of(v) & (size - 1));
        }
        items
    }
}

/// `range(start, stop, step)`; step is never zero.
pub struct PyRange {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl PyRange {
    pub fn len(&self) -> i64 {
        let (lo, hi, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 {
            (hi - lo + step - 1) / step
        } else {
            (lo - hi - step - 1) / -step
        };
        n.max(0) as i64
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `slice(lower, upper, step)` with Python values (None for an omitted bound).
pub struct PySlice {
    pub lower: Value,
    pub upper: Value,
    pub step: Value,
}

/// A closure cell, shared by the defining frame and its inner functions.
pub struct Cell(pub Mutex<Value>);

impl Cell {
    /// A new cell for a variable not yet assigned.
    pub fn unbound() -> Arc<Cell> {
        Arc::new(Cell(Mutex::new(Value::Unbound)))
    }
}

/// A Python function: code plus the environment it closes over.
pub struct Function {
    pub code: Arc<Code>,
    pub globals: Arc<Module>,
    pub defaults: Vec<Value>,
    pub kwdefaults: Vec<(Arc<str>, Value)>,
    pub closure: Vec<Arc<Cell>>,
    /// The class whose body defined this function, for zero-argument `super()`.
    pub owner: OnceLock<Weak<Class>>,
    /// Attributes set on the function object (rare; created on demand).
    pub attrs: Mutex<Option<FxHashMap<Arc<str>, Value>>>,
}

impl Function {
    /// The function a module's (or `exec`'d) code runs as: no parameters, no closure.
    pub fn for_module(code: Arc<Code>, globals: Arc<Module>) -> Function {
        Function {
            code,
            globals,
            defaults: vec![],
            kwdefaults: vec![],
            closure: vec![],
            owner: OnceLock::new(),
            attrs: Mutex::new(None),
        }
    }
}

/// Positional and keyword arguments as a native function receives them.
pub struct Args<'a> {
    pub pos: &'a [Value],
    pub kw: &'a [(Arc<str>, Value)],
}

/// The signature of every function implemented in Rust.
pub type NativeFn = fn(&mut Vm, Args<'_>) -> PyResult<Value>;

/// A built-in function or method implemented in Rust.
pub struct NativeFunction {
    pub name: &'static str,
    pub func: NativeFn,
}

/// A function bound to its receiver (`obj.method`).
pub struct BoundMethod {
    pub receiver: Value,
    pub func: Value,
}

/// What kind of object a class's instances are: a plain instance, or one of the built-in types.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeKind {
    /// User-defined classes and exceptions: instances are `Value::Instance`.
    Instance,
    /// A built-in type whose values have their own `Value` variant; not subclassable.
    Builtin,
}

/// A class: built-in types, exception types and user classes alike.
pub struct Class {
    pub name: String,
    pub qualname: String,
    pub module: String,
    pub base: Option<Arc<Class>>,
    /// Read freely; write through [`attrs_mut`](Self::attrs_mut), which tells caches.
    pub attrs: RwLock<FxHashMap<Arc<str>, Value>>,
    pub kind: TypeKind,
    /// Whether `obj.x = v` on an instance is a plain store (no `__setattr__` override, no
    /// property anywhere in the MRO), cached for the [`class_epoch`] it was computed in:
    /// `epoch << 1 | plain`, 0 before the first computation.
    pub plain_stores: AtomicU64,
    /// How an instance hashes as a dict key or set member ([`KeyHash`]), cached as
    /// `plain_stores` is: `epoch << 2 | kind`, 0 before the first computation. Keys are
    /// checked at every dict store, where a walk of the MRO would be most of the cost.
    pub key_hash: AtomicU64,
    /// A built-in type's native `__new__`, found at its first call (`range(n)`, `str(x)`):
    /// built-in types cannot be changed, so it stays valid.
    pub constructor: OnceLock<Option<NativeFn>>,
}

/// How instances of a class behave as dict keys and set members.
#[derive(Clone, Copy, PartialEq)]
enum KeyHash {
    /// Hashed and compared by identity (no `__hash__` of the class's own).
    Identity = 0,
    /// `__hash__ = None` (as `__eq__` without `__hash__` makes it): unhashable.
    Unhashable = 1,
    /// `__hash__` is Python code, which may not run inside a container's lock.
    Python = 2,
}

impl Class {
    /// Built-in types (and `object` and the built-in exceptions) cannot be changed, as in
    /// CPython: their attributes are set once, when the interpreter starts.
    pub fn is_immutable(&self) -> bool {
        self.kind == TypeKind::Builtin || self.module == "builtins"
    }

    /// The native `__new__` that `cls(...)` reduces to, for a built-in type that has one.
    #[inline]
    pub fn native_constructor(&self) -> Option<NativeFn> {
        if self.kind != TypeKind::Builtin {
            return None;
        }
        *self
            .constructor
            .get_or_init(|| match self.lookup("__new__") {
                Some(Value::Native(n)) => Some(n.func),
                _ => None,
            })
    }

    fn key_hash(&self) -> KeyHash {
        let epoch = class_epoch();
        let cached = self.key_hash.load(Ordering::Relaxed);
        if cached >> 2 == epoch {
            return match cached & 3 {
                1 => KeyHash::Unhashable,
                2 => KeyHash::Python,
                _ => KeyHash::Identity,
            };
        }
        let kind = match self.lookup("__hash__") {
            Some(Value::None) => KeyHash::Unhashable,
            Some(Value::Function(_)) => KeyHash::Python,
            _ => KeyHash::Identity,
        };
        self.key_hash
            .store(epoch << 2 | kind as u64, Ordering::Relaxed);
        kind
    }
}

/// Counts changes to any class's attributes after its creation. A cache of facts about a
/// class and its bases is valid while the epoch it was computed in is current.
static CLASS_EPOCH: AtomicU64 = AtomicU64::new(1);

/// The current [`CLASS_EPOCH`].
pub fn class_epoch() -> u64 {
    CLASS_EPOCH.load(Ordering::Acquire)
}

/// A class's attributes locked for writing. Dropping it starts a new [`class_epoch`]: after
/// the change, so a cache computed from the old attributes can never carry the new epoch.
pub struct ClassAttrsMut<'a>(parking_lot::RwLockWriteGuard<'a, FxHashMap<Arc<str>, Value>>);

impl std::ops::Deref for ClassAttrsMut<'_> {
    type Target = FxHashMap<Arc<str>, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for ClassAttrsMut<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for ClassAttrsMut<'_> {
    fn drop(&mut self) {
        CLASS_EPOCH.fetch_add(1, Ordering::AcqRel);
    }
}

impl Class {
    /// The attributes for writing; invalidates every class's cached facts.
    pub fn attrs_mut(&self) -> ClassAttrsMut<'_> {
        ClassAttrsMut(self.attrs.write())
    }

    /// Finds an attribute on the class or its bases.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.attrs.read().get(name) {
            return Some(v.clone());
        }
        let mut cls = self.base.as_deref();
        while let Some(c) = cls {
            if let Some(v) = c.attrs.read().get(name) {
                return Some(v.clone());
            }
            cls = c.base.as_deref();
        }
        None
    }

    pub fn is_subclass(self: &Arc<Class>, other: &Arc<Class>) -> bool {
        let mut cls = Some(self);
        while let Some(c) = cls {
            if Arc::ptr_eq(c, other) {
                return true;
            }
            cls = c.base.as_ref();
        }
        false
    }

    /// The method resolution order: the class, then its bases.
    pub fn mro(self: &Arc<Class>) -> Vec<Arc<Class>> {
        let mut out = vec![self.clone()];
        while let Some(b) = out.last().and_then(|c| c.base.clone()) {
            out.push(b);
        }
        out
    }
}

/// An instance of a user class (or of an exception class).
pub struct Instance {
    pub class: Arc<Class>,
    pub attrs: Mutex<AttrMap>,
}

impl Instance {
    pub fn new(class: Arc<Class>) -> Instance {
        Instance {
            class,
            attrs: Mutex::new(AttrMap::default()),
        }
    }
    pub fn get(&self, name: &str) -> Option<Value> {
        self.attrs.lock().get(name).cloned()
    }
    /// Sets an attribute named by a literal (`args`, `__context__`, ...).
    pub fn set(&self, name: &'static str, v: Value) {
        self.attrs.lock().insert_str(name, v);
    }
}

/// A module: its name and its global variables.
///
/// Globals live in an index map whose first entries are the names the compiler saw in the
/// module's code, so `LoadGlobal(i)` is an index, not a hash lookup. `Value::Unbound` marks a
/// name that is known but not (or no longer) assigned. Entries are never removed, so indices stay
/// valid.
pub struct Module {
    pub name: String,
    pub filename: String,
    /// Read through [`vars`](Self::vars), written through [`vars_mut`](Self::vars_mut).
    globals: RwLock<IndexMap<Arc<str>, Value, FxBuildHasher>>,
    /// Counts writes to `globals`, so per-thread caches of its values ([`super::caches`]) know
    /// when they are stale.
    version: AtomicU64,
}

/// The globals of a module, as an index map from name to value.
pub type ModuleVars = IndexMap<Arc<str>, Value, FxBuildHasher>;

/// A module's globals locked for writing. Dropping it bumps the module's version: after the
/// write and before the lock is released, so a cache entry can never pair an old value with
/// the new version.
pub struct ModuleVarsMut<'a> {
    vars: parking_lot::RwLockWriteGuard<'a, ModuleVars>,
    version: &'a AtomicU64,
}

impl std::ops::Deref for ModuleVarsMut<'_> {
    type Target = ModuleVars;
    fn deref(&self) -> &ModuleVars {
        &self.vars
    }
}

impl std::ops::DerefMut for ModuleVarsMut<'_> {
    fn deref_mut(&mut self) -> &mut ModuleVars {
        &mut self.vars
    }
}

impl Drop for ModuleVarsMut<'_> {
    fn drop(&mut self) {
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

impl Module {
    pub fn new(name: &str, filename: &str) -> Module {
        Module {
            name: name.to_string(),
            filename: filename.to_string(),
            globals: RwLock::new(IndexMap::default()),
            version: AtomicU64::new(0),
        }
    }
    /// The globals, for reading.
    pub fn vars(&self) -> parking_lot::RwLockReadGuard<'_, ModuleVars> {
        self.globals.read()
    }
    /// The globals, for writing; tells the caches.
    pub fn vars_mut(&self) -> ModuleVarsMut<'_> {
        ModuleVarsMut {
            vars: self.globals.write(),
            version: &self.version,
        }
    }
    /// The number of writes to the globals so far (read before a lookup to cache its answer).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }
    pub fn get(&self, name: &str) -> Option<Value> {
        match self.globals.read().get(name) {
            Some(Value::Unbound) | None => None,
            Some(v) => Some(v.clone()),
        }
    }
    pub fn set(&self, name: &str, v: Value) {
        let mut g = self.vars_mut();
        if let Some(slot) = g.get_mut(name) {
            *slot = v;
        } else {
            g.insert(Arc::from(name), v);
        }
    }
    /// Ensures each name has a slot and returns the slot indices, in order.
    pub fn intern_names(&self, names: &[Arc<str>]) -> Vec<u32> {
        let mut g = self.vars_mut();
        names
            .iter()
            .map(|n| match g.get_index_of(&**n) {
                Some(i) => i as u32,
                None => g.insert_full(n.clone(), Value::Unbound).0 as u32,
            })
            .collect()
    }
}

/// The state of a built-in iterator. User classes with `__next__` are iterated by calling it.
pub enum IterState {
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    /// Walks a list, tuple, str or bytes by index, seeing later appends (as CPython does for lists).
    Seq {
        seq: Value,
        index: usize,
    },
    /// A precomputed list of values (dict views, sets, generator expressions).
    Items {
        items: Vec<Value>,
        index: usize,
    },
    Enumerate {
        inner: Value,
        count: Value,
    },
    Zip {
        inners: Vec<Value>,
    },
    Map {
        func: Value,
        inners: Vec<Value>,
    },
    Filter {
        func: Value,
        inner: Value,
    },
    /// `iter(callable, sentinel)`.
    CallUntil {
        func: Value,
        sentinel: Value,
    },
    Exhausted,
}

pub struct PyIter(pub Mutex<IterState>);

/// A Rust object exposed to Python by a built-in module.
pub trait NativeObject: Send + Sync + 'static {
    /// The class of the object: its methods are looked up there. Native types keep their class
    /// in the object (or in a `static OnceLock`), so this can hand out a borrow.
    fn class(&self) -> &Arc<Class>;
    fn as_any(&self) -> &dyn Any;
    /// Per-object attributes (e.g. a file's `name`); methods come from the class.
    fn get_attr(&self, _name: &str) -> Option<Value> {
        None
    }
    /// The repr, if the default `<module.Type object at 0x...>` will not do.
    fn repr(&self) -> Option<String> {
        None
    }
    /// May this object be handed to another interpreter as itself (a process primitive such
    /// as a queue or a semaphore, which holds no Python object)? Everything else crosses only
    /// as a serialized copy, or not at all.
    fn crosses_interpreters(&self) -> bool {
        false
    }
}

/// A thin pointer to a native object, so that `Value` stays two words.
pub struct ObjectBox(pub Box<dyn NativeObject>);

impl Value {
    pub fn object(o: impl NativeObject) -> Value {
        Value::Object(Arc::new(ObjectBox(Box::new(o))))
    }
}
