//! A dict's table: insertion-ordered entries with holes, and a hash index into them.
//!
//! This is CPython's dict layout. Deleting a key leaves a hole in the entry list instead of
//! shifting every later entry down (which `IndexMap::shift_remove` does, making a dict emptied
//! key by key quadratic); iteration skips holes, and the list is compacted once holes outnumber
//! live entries, so deletes cost O(1) amortized and memory stays proportional to the live size.

use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::objects::HashKey;
use super::value::Value;

/// The mapping inside a `dict` (see the module doc).
#[derive(Clone, Default)]
pub struct DictMap {
    /// Entries in insertion order; `None` where a key was deleted.
    entries: Vec<Option<Entry>>,
    /// Positions in `entries` of the live entries, by key hash.
    index: HashTable<usize>,
    live: usize,
}

/// One key and value with the key's hash (kept to rebuild the index without rehashing).
#[derive(Clone)]
pub struct Entry {
    hash: u64,
    key: HashKey,
    value: Value,
}

fn hash_of(key: &HashKey) -> u64 {
    hash_value(&key.0)
}

/// The table hash of a value, the same as its [`HashKey`]'s: lookups by a borrowed value need
/// not clone it into a key (a reference-count increment and decrement, both atomic).
fn hash_value(key: &Value) -> u64 {
    let mut h = FxBuildHasher.build_hasher();
    h.write_i64(super::ops::hash_of(key));
    h.finish()
}

impl DictMap {
    pub fn with_capacity(n: usize) -> DictMap {
        DictMap {
            entries: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
            live: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Room for entries before the entry list grows (holes count as used).
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Whether the next new key grows the entry list.
    pub fn is_full(&self) -> bool {
        self.entries.len() == self.entries.capacity()
    }

    fn find(&self, hash: u64, key: &Value) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(hash, |&i| {
                entries[i]
                    .as_ref()
                    .is_some_and(|e| super::ops::key_eq(&e.key.0, key))
            })
            .copied()
    }

    pub fn get(&self, key: &HashKey) -> Option<&Value> {
        self.get_value(&key.0)
    }

    /// [`get`](Self::get) by a borrowed value, which the caller knows to be hashable.
    pub fn get_value(&self, key: &Value) -> Option<&Value> {
        let i = self.find(hash_value(key), key)?;
        self.entries[i].as_ref().map(|e| &e.value)
    }

    /// [`get_value`](Self::get_value) for an update in place.
    pub fn get_value_mut(&mut self, key: &Value) -> Option<&mut Value> {
        let i = self.find(hash_value(key), key)?;
        self.entries[i].as_mut().map(|e| &mut e.value)
    }

    pub fn contains_key(&self, key: &HashKey) -> bool {
        self.find(hash_of(key), &key.0).is_some()
    }

    /// Sets `key`; an existing key keeps its position (and its original key object, as in
    /// CPython) and its old value is returned.
    pub fn insert(&mut self, key: HashKey, value: Value) -> Option<Value> {
        let hash = hash_of(&key);
        match self.replace_value(hash, &key.0, value) {
            Ok(old) => Some(old),
            Err(value) => {
                self.push_new(hash, key, value);
                None
            }
        }
    }

    /// [`insert`](Self::insert) by a borrowed key, cloned only when it is new. The caller knows
    /// the key to be hashable.
    pub fn insert_ref(&mut self, key: &Value, value: Value) -> Option<Value> {
        let hash = hash_value(key);
        match self.replace_value(hash, key, value) {
            Ok(old) => Some(old),
            Err(value) => {
                self.push_new(hash, HashKey(key.clone()), value);
                None
            }
        }
    }

    /// Replaces the value of an existing key, or gives `value` back.
    fn replace_value(&mut self, hash: u64, key: &Value, value: Value) -> Result<Value, Value> {
        match self.find(hash, key) {
            Some(i) => {
                let e = self.entries[i]
                    .as_mut()
                    .expect("the index points at live entries");
                Ok(std::mem::replace(&mut e.value, value))
            }
            None => Err(value),
        }
    }

    fn push_new(&mut self, hash: u64, key: HashKey, value: Value) {
        let i = self.entries.len();
        self.entries.push(Some(Entry { hash, key, value }));
        let entries = &self.entries;
        self.index
            .insert_unique(hash, i, |&j| entries[j].as_ref().map_or(0, |e| e.hash));
        self.live += 1;
    }

    /// Removes `key`, leaving a hole in the order.
    pub fn remove(&mut self, key: &HashKey) -> Option<Value> {
        let hash = hash_of(key);
        let entries = &self.entries;
        let slot = self
            .index
            .find_entry(hash, |&i| {
                entries[i].as_ref().is_some_and(|e| e.key == *key)
            })
            .ok()?;
        let (i, _) = slot.remove();
        let entry = self.entries[i]
            .take()
            .expect("the index points at live entries");
        self.live -= 1;
        self.compact_if_sparse();
        Some(entry.value)
    }

    /// Removes and returns the last entry (`dict.popitem()`).
    pub fn pop(&mut self) -> Option<(HashKey, Value)> {
        while let Some(last) = self.entries.pop() {
            if let Some(e) = last {
                let len = self.entries.len();
                let found = self.index.find_entry(e.hash, |&i| i == len);
                if let Ok(slot) = found {
                    slot.remove();
                }
                self.live -= 1;
                return Some((e.key, e.value));
            }
        }
        None
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.live = 0;
    }

    /// Rebuilds the entry list without holes once they outnumber the live entries.
    fn compact_if_sparse(&mut self) {
        let holes = self.entries.len() - self.live;
        if holes <= 8 || holes <= self.live {
            return;
        }
        self.entries.retain(Option::is_some);
        self.entries.shrink_to(self.live * 2);
        self.index.clear();
        let entries = &self.entries;
        for (i, e) in entries.iter().enumerate() {
            let hash = e.as_ref().map_or(0, |e| e.hash);
            self.index
                .insert_unique(hash, i, |&j| entries[j].as_ref().map_or(0, |e| e.hash));
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&HashKey, &Value)> {
        self.entries.iter().flatten().map(|e| (&e.key, &e.value))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &HashKey> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> {
        self.iter().map(|(_, v)| v)
    }
}

impl IntoIterator for DictMap {
    type Item = (HashKey, Value);
    type IntoIter = std::iter::FilterMap<
        std::vec::IntoIter<Option<Entry>>,
        fn(Option<Entry>) -> Option<(HashKey, Value)>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries
            .into_iter()
            .filter_map(|e| e.map(|e| (e.key, e.value)))
    }
}

impl Extend<(HashKey, Value)> for DictMap {
    fn extend<I: IntoIterator<Item = (HashKey, Value)>>(&mut self, items: I) {
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(HashKey, Value)> for DictMap {
    fn from_iter<I: IntoIterator<Item = (HashKey, Value)>>(items: I) -> DictMap {
        let mut map = DictMap::default();
        map.extend(items);
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: i64) -> HashKey {
        HashKey(Value::Int(i))
    }

    fn keys(m: &DictMap) -> Vec<i64> {
        m.keys()
            .map(|k| match k.0 {
                Value::Int(i) => i,
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn deletes_keep_the_order_of_the_rest_and_compaction_keeps_lookups() {
        let mut m: DictMap = (0..100).map(|i| (key(i), Value::Int(i * 10))).collect();
        for i in (0..100).filter(|i| i % 3 != 0) {
            assert!(m.remove(&key(i)).is_some());
        }
        assert!(m.remove(&key(1)).is_none());
        assert_eq!(
            keys(&m),
            (0..100).filter(|i| i % 3 == 0).collect::<Vec<_>>()
        );
        assert!(matches!(m.get(&key(99)), Some(Value::Int(990))));
        // The holes were compacted away, and the entry list is no longer than twice the live.
        assert!(
            m.entries.len() <= 2 * m.len() + 8,
            "{} entries",
            m.entries.len()
        );
        m.insert(key(1), Value::None);
        assert_eq!(keys(&m).last(), Some(&1));
        assert!(matches!(
            m.pop(),
            Some((HashKey(Value::Int(1)), Value::None))
        ));
        assert_eq!(m.len(), 34);
    }

    #[test]
    fn re_inserting_a_key_keeps_its_place() {
        let mut m: DictMap = (0..5).map(|i| (key(i), Value::Int(i))).collect();
        assert!(m.insert(key(2), Value::Int(20)).is_some());
        assert_eq!(keys(&m), [0, 1, 2, 3, 4]);
        m.remove(&key(2));
        m.insert(key(2), Value::Int(2));
        assert_eq!(keys(&m), [0, 1, 3, 4, 2]);
    }
}
