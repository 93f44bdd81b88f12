//! One shared allocation per identifier, process-wide, kept for the life of the process.
//!
//! Instance attributes are found by scanning names ([`crate::vm::attrs`]), and a scan that
//! meets the very same pointer it looks for stops at one comparison. Interning the names code
//! objects use makes `self.x = ...` in `__init__` and `self.x` in a method share that pointer.
//! Because an interned name is never freed, an instance can hold it as a plain `&'static str`:
//! making and dropping an object then costs no reference-count traffic for its attribute names
//! (two atomic instructions per name otherwise). The table grows with the distinct identifiers
//! of the programs run and the distinct names given to `setattr`, as CPython's interned names.

use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;
use rustc_hash::FxHashSet;

static NAMES: LazyLock<Mutex<FxHashSet<Arc<str>>>> = LazyLock::new(Default::default);

/// An interned name. Only [`intern`] makes one, which is what lets [`Name::as_static`] lend
/// its text for the life of the process.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name(Arc<str>);

impl Name {
    /// The text, borrowed for the life of the process (no reference count held).
    pub fn as_static(&self) -> &'static str {
        // SAFETY: a `Name` comes only from `intern`, which leaves a clone of the same `Arc` in
        // `NAMES`. That set is a static (never dropped) and nothing removes entries from it,
        // so the allocation outlives every borrow, up to the end of the process; an
        // `Arc<str>` never hands out mutable access to its text, so a shared borrow of any
        // length is never invalidated by a write.
        unsafe { &*Arc::as_ptr(&self.0) }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for Name {
    type Target = Arc<str>;
    fn deref(&self) -> &Arc<str> {
        &self.0
    }
}

/// The process's shared allocation for `name`.
pub fn intern(name: &str) -> Name {
    let mut names = NAMES.lock();
    if let Some(n) = names.get(name) {
        return Name(n.clone());
    }
    let n: Arc<str> = Arc::from(name);
    names.insert(n.clone());
    Name(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_names_share_one_allocation() {
        let a = super::intern("spam");
        let b = super::intern(&String::from("spam"));
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert!(!std::sync::Arc::ptr_eq(&a, &super::intern("eggs")));
    }

    #[test]
    fn a_static_name_outlives_every_handle_to_it() {
        let text = super::intern(&format!("name_{}", 41 + 1)).as_static();
        // Every `Name` for it is gone; the table keeps the text alive and unchanged.
        assert_eq!(text, "name_42");
        assert!(std::ptr::eq(text, super::intern("name_42").as_static()));
    }
}
