//! An instance's attributes: a short list of (name, value) pairs in insertion order.
//!
//! Instances of user classes hold a handful of attributes, and `self.x` is the most frequent
//! lookup a method makes. Scanning a few pairs beats hashing the name: every name stored is
//! interned ([`crate::compile::intern`]), so a store and a load written in different functions
//! share one allocation and the scan's first comparison, of the pointers, decides. Names looked
//! up at run time (`getattr(obj, name)`) still match by content. Interned names live as long as
//! the process, so they are held as `&'static str`, without reference counts. Insertion order
//! is also what CPython's `__dict__` shows.

use smallvec::SmallVec;

use super::value::Value;
use crate::compile::intern::{Name, intern};

/// The attributes of one instance (see the module doc). The first few live inside the
/// instance itself, so making a small object is one allocation, not two.
#[derive(Default)]
pub struct AttrMap(SmallVec<[(&'static str, Value); INLINE_ATTRS]>);

/// Attributes held without a separate allocation: most small objects have no more.
const INLINE_ATTRS: usize = 4;

/// Same name: the same interned text, or equal text.
#[inline]
fn same(key: &str, name: &str) -> bool {
    (std::ptr::eq(key.as_ptr(), name.as_ptr()) && key.len() == name.len()) || key == name
}

impl AttrMap {
    #[inline]
    fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| same(k, name))
    }

    #[inline]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| same(k, name)).map(|(_, v)| v)
    }

    /// [`get`](Self::get) by an interned name: every key is interned too, so the scan
    /// compares pointers only, where a miss by text would compare the bytes of every key of
    /// the same length (`x` against `y`).
    #[inline]
    pub fn get_name(&self, name: &Name) -> Option<&Value> {
        let name = name.as_static();
        self.0
            .iter()
            .find(|(k, _)| std::ptr::eq(*k, name))
            .map(|(_, v)| v)
    }

    pub fn contains_name(&self, name: &Name) -> bool {
        self.get_name(name).is_some()
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Sets `name`, replacing the value in place when present (keeping its position, as a dict
    /// does) and returning the old one.
    #[inline]
    pub fn insert(&mut self, name: &Name, v: Value) -> Option<Value> {
        let name = name.as_static();
        match self.0.iter().position(|(k, _)| std::ptr::eq(*k, name)) {
            Some(i) => Some(std::mem::replace(&mut self.0[i].1, v)),
            None => {
                self.0.push((name, v));
                None
            }
        }
    }

    /// As [`insert`](Self::insert), for a name given as text (a literal, or made at run time
    /// by `setattr`), interned here: every key is interned.
    pub fn insert_str(&mut self, name: &str, v: Value) -> Option<Value> {
        match self.position(name) {
            Some(i) => Some(std::mem::replace(&mut self.0[i].1, v)),
            None => self.insert(&intern(name), v),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.position(name).map(|i| self.0.remove(i).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn into_values(self) -> impl Iterator<Item = Value> {
        self.0.into_iter().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_pointer_or_by_text_and_keep_their_order() {
        let mut m = AttrMap::default();
        assert!(m.insert(&intern("x"), Value::Int(1)).is_none());
        m.insert_str("y", Value::Int(2));
        // A different allocation with the same text finds the same entry.
        let x2 = String::from("x");
        assert!(matches!(
            m.insert_str(&x2, Value::Int(3)),
            Some(Value::Int(1))
        ));
        assert!(matches!(m.get("x"), Some(Value::Int(3))));
        let order: Vec<&str> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(order, ["x", "y"]);
        // Keys set by text are interned, so a lookup by pointer finds them.
        assert!(matches!(m.get_name(&intern("y")), Some(Value::Int(2))));
        assert!(m.get_name(&intern("z")).is_none());
        assert!(matches!(m.remove("x"), Some(Value::Int(3))));
        assert!(m.get("x").is_none() && m.contains_key("y") && m.len() == 1);
    }
}
