//! Per-thread lookup caches: the answers of global-variable, module-attribute and class-attribute
//! lookups, kept by each interpreter thread for the next time the same instruction asks.
//!
//! A lookup in a module's globals or a class's attributes takes that object's lock (two atomic
//! read-modify-writes) and often hashes a string; CPython 3.11 answers the same question from
//! an inline cache checked against a version tag. Here the cache belongs to the thread ([`Vm`]),
//! so filling and reading it needs no synchronization at all, even with the GIL off, and the
//! version tags are the objects' own: a module's [`Module::version`] (bumped by every write to its
//! globals) and the process-wide [`class_epoch`] (bumped by every write to any class's
//! attributes).
//!
//! Soundness of a hit: an entry is filled with the version read *before* the lookup, and writers
//! bump the version *after* writing and before releasing their lock. So an entry can hold a value
//! newer than its version (harmless: the next check misses) but never an older value under a
//! current version. An entry keeps its owner's allocation alive through a `Weak`, and its key
//! name through an `Arc`, so an address it compares against is never reused by another object.
//!
//! [`Vm`]: super::Vm
//! [`class_epoch`]: super::objects::class_epoch

use std::sync::{Arc, Weak};

use super::objects::{Class, Module, class_epoch};
use super::value::Value;

/// A key that is cheap to compare: a global slot, or an interned name compared by address.
pub trait CacheKey: Clone {
    /// Bits that tell keys apart (for the table index).
    fn bits(&self) -> usize;
    /// The same key (for an interned name: the same allocation).
    fn same(&self, other: &Self) -> bool;
}

impl CacheKey for u32 {
    fn bits(&self) -> usize {
        *self as usize
    }
    fn same(&self, other: &Self) -> bool {
        self == other
    }
}

impl CacheKey for Arc<str> {
    fn bits(&self) -> usize {
        Arc::as_ptr(self) as *const u8 as usize >> 3
    }
    fn same(&self, other: &Self) -> bool {
        Arc::ptr_eq(self, other)
    }
}

struct Entry<O, K> {
    owner: Weak<O>,
    key: K,
    version: u64,
    /// The lookup's answer; `Value::Unbound` when the name was absent.
    value: Value,
}

/// A two-way set-associative table from (owner, key) to the answer found under one version of
/// the owner. Each (owner, key) has two slots, `index` and `index ^ 1`: the newest answer goes
/// to the first and the one it displaces to the second. A direct-mapped table thrashed when two
/// hot lookups of a loop met in one slot, which depends on where the heap put their objects:
/// with address randomisation, one run in three or so of a word-counting loop was 10% slower.
pub struct Cache<O, K> {
    entries: Vec<Option<Entry<O, K>>>,
}

impl<O, K: CacheKey> Default for Cache<O, K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<O, K: CacheKey> Cache<O, K> {
    /// How many entries the table holds, once used (a power of two).
    const SIZE: usize = 128;

    /// An empty cache; it allocates its table on the first fill, so threads that never look
    /// anything up (most of a 1,000-thread stress test's) pay nothing.
    pub const fn new() -> Self {
        Cache {
            entries: Vec::new(),
        }
    }

    fn index(owner: &Arc<O>, key: &K) -> usize {
        let owner = Arc::as_ptr(owner) as *const u8 as usize >> 4;
        let mixed = (owner ^ key.bits()).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        mixed >> (usize::BITS - Self::SIZE.trailing_zeros())
    }

    /// Is `slot` `owner`'s `key` (under whatever version)?
    #[inline]
    fn holds(slot: &Option<Entry<O, K>>, owner: &Arc<O>, key: &K) -> bool {
        slot.as_ref()
            .is_some_and(|e| std::ptr::eq(e.owner.as_ptr(), Arc::as_ptr(owner)) && e.key.same(key))
    }

    /// The answer cached for `owner`'s `key` under `version`, if there is one.
    #[inline]
    pub fn get(&self, owner: &Arc<O>, key: &K, version: u64) -> Option<&Value> {
        // Its own slot first, where `put` leaves the newest answer; the other one after.
        let i = Self::index(owner, key);
        let mut slot = self.entries.get(i)?;
        if !Self::holds(slot, owner, key) {
            slot = &self.entries[i ^ 1];
            if !Self::holds(slot, owner, key) {
                return None;
            }
        }
        let entry = slot.as_ref()?;
        (entry.version == version).then_some(&entry.value)
    }

    /// Remembers `value` as `owner`'s `key` under `version` (read before the lookup that found it).
    pub fn put(&mut self, owner: &Arc<O>, key: &K, version: u64, value: &Value) {
        if self.entries.is_empty() {
            self.entries.resize_with(Self::SIZE, || None);
        }
        let (first, second) = (Self::index(owner, key), Self::index(owner, key) ^ 1);
        let entry = Some(Entry {
            owner: Arc::downgrade(owner),
            key: key.clone(),
            version,
            value: value.clone(),
        });
        if Self::holds(&self.entries[second], owner, key) {
            self.entries[second] = entry;
        } else {
            // The displaced first entry, unless it was this key's, keeps the second slot.
            let displaced = std::mem::replace(&mut self.entries[first], entry);
            if !Self::holds(&displaced, owner, key) {
                self.entries[second] = displaced;
            }
        }
    }
}

impl<O, K> Cache<O, K> {
    /// Forgets the entries that can no longer hit (their owner is gone, or its version has
    /// moved on) and so lets go of the values they hold: a global the script deleted or
    /// rebound is otherwise kept alive by a stale entry until another lookup replaces it.
    pub fn drop_stale(&mut self, version_of: impl Fn(&O) -> u64) {
        for slot in &mut self.entries {
            let stale = slot.as_ref().is_some_and(|e| {
                e.owner
                    .upgrade()
                    .is_none_or(|owner| version_of(&owner) != e.version)
            });
            if stale {
                *slot = None;
            }
        }
    }
}

/// One thread's caches.
pub struct LookupCaches {
    /// `LoadGlobal`: a module's global slot, resolved through the builtins when unassigned
    /// (builtins never change, and the slot's becoming assigned bumps the module's version).
    pub globals: Cache<Module, u32>,
    /// `module.name` loads (`math.sqrt`).
    pub module_attrs: Cache<Module, Arc<str>>,
    /// A class attribute found along the MRO (methods, class variables), or its absence.
    pub class_attrs: Cache<Class, Arc<str>>,
    /// The `__init__` that `Cls(...)` runs as a frame of the eval loop, or `Unbound` when
    /// creating an instance needs more ([`Vm::inline_init`](super::Vm::inline_init)); one key.
    pub inits: Cache<Class, u32>,
}

impl LookupCaches {
    pub const fn new() -> Self {
        LookupCaches {
            globals: Cache::new(),
            module_attrs: Cache::new(),
            class_attrs: Cache::new(),
            inits: Cache::new(),
        }
    }

    /// Drops every stale entry ([`Cache::drop_stale`]), before the thread blocks: an object the
    /// script dropped, such as a pipe end whose closing the wait may be waiting for, is then
    /// freed as it would be in CPython, whose caches hold no values.
    pub fn drop_stale(&mut self) {
        self.globals.drop_stale(Module::version);
        self.module_attrs.drop_stale(Module::version);
        let epoch = class_epoch();
        self.class_attrs.drop_stale(|_| epoch);
        self.inits.drop_stale(|_| epoch);
    }

    /// `cls.lookup(name)` through the cache.
    #[inline]
    pub fn class_lookup(&mut self, cls: &Arc<Class>, name: &Arc<str>) -> Option<Value> {
        self.class_lookup_map(cls, name, |v| Some(v.clone()))
    }

    /// `cls.lookup(name)` through the cache, seen through `f` where it is found: a caller
    /// that wants less than the value itself need not count a reference to it.
    #[inline]
    pub fn class_lookup_map<R>(
        &mut self,
        cls: &Arc<Class>,
        name: &Arc<str>,
        f: impl FnOnce(&Value) -> Option<R>,
    ) -> Option<R> {
        let epoch = class_epoch();
        if let Some(v) = self.class_attrs.get(cls, name, epoch) {
            return if let Value::Unbound = v { None } else { f(v) };
        }
        let v = cls.lookup(name);
        self.class_attrs
            .put(cls, name, epoch, v.as_ref().unwrap_or(&Value::Unbound));
        f(&v?)
    }

    /// A module attribute (`module.name`) through the cache.
    #[inline]
    pub fn module_attr(&mut self, module: &Arc<Module>, name: &Arc<str>) -> Option<Value> {
        let version = module.version();
        let found = match self.module_attrs.get(module, name, version) {
            Some(v) => v.clone(),
            None => {
                let v = module.get(name).unwrap_or(Value::Unbound);
                self.module_attrs.put(module, name, version, &v);
                v
            }
        };
        (!matches!(found, Value::Unbound)).then_some(found)
    }
}

impl Default for LookupCaches {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_keys_of_one_slot_are_both_kept() {
        let module = Arc::new(Module::new("m", "m.py"));
        let index = |k: u32| Cache::<Module, u32>::index(&module, &k);
        let (a, b) = (0..)
            .find_map(|b| (b > 0 && index(b) == index(0)).then_some((0, b)))
            .unwrap();
        let mut cache: Cache<Module, u32> = Cache::new();
        let v = module.version();
        cache.put(&module, &a, v, &Value::Int(10));
        cache.put(&module, &b, v, &Value::Int(20));
        // A loop alternating between them hits both; refilling one keeps the other.
        assert!(matches!(cache.get(&module, &a, v), Some(Value::Int(10))));
        assert!(matches!(cache.get(&module, &b, v), Some(Value::Int(20))));
        cache.put(&module, &a, v, &Value::Int(11));
        assert!(matches!(cache.get(&module, &a, v), Some(Value::Int(11))));
        assert!(matches!(cache.get(&module, &b, v), Some(Value::Int(20))));
    }

    #[test]
    fn a_stale_entry_lets_go_of_its_value() {
        let module = Arc::new(Module::new("m", "m.py"));
        let value = Value::list(vec![Value::Int(1)]);
        let Value::List(list) = &value else {
            unreachable!()
        };
        let mut caches = LookupCaches::new();
        caches.globals.put(&module, &0, module.version(), &value);
        caches
            .module_attrs
            .put(&module, &Arc::from("x"), module.version(), &value);
        assert_eq!(Arc::strong_count(list), 3);
        // Current entries stay.
        caches.drop_stale();
        assert!(caches.globals.get(&module, &0, module.version()).is_some());
        // A write to the module makes them stale: dropped, with their values.
        drop(module.vars_mut());
        caches.drop_stale();
        assert_eq!(Arc::strong_count(list), 1);
    }
}
