//! One shared `Arc<str>` per attribute name, process-wide.
//!
//! Instance attributes are found by scanning names ([`crate::vm::attrs`]), and a scan that
//! meets the very same pointer it looks for stops at one comparison. Interning the names code
//! objects use makes `self.x = ...` in `__init__` and `self.x` in a method share that pointer.
//! Only identifiers from source text are interned, so the table is bounded by the programs run.

use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;
use rustc_hash::FxHashSet;

static NAMES: LazyLock<Mutex<FxHashSet<Arc<str>>>> = LazyLock::new(Default::default);

/// The process's shared `Arc` for `name`.
pub fn intern(name: &str) -> Arc<str> {
    let mut names = NAMES.lock();
    if let Some(n) = names.get(name) {
        return n.clone();
    }
    let n: Arc<str> = Arc::from(name);
    names.insert(n.clone());
    n
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
}
