//! Dropping deeply nested values without deep native recursion: CPython's "trashcan".
//!
//! A list holding a list holding a list... a million deep (`x = [x]` in a loop), or a linked
//! list of a million instances, is freed by a chain of `Drop`s, one native call per level, and a
//! chain that long overflows any thread's stack. So the containers that can nest (tuple, list,
//! dict, set, instance, cell, bound method) hand their contents to [`release`] when dropped,
//! which drops them directly only while fewer than [`MAX_LEVEL`] releases are open on this
//! thread; deeper contents are parked in a per-thread list, and the outermost release drops the
//! parked contents one batch at a time after it is done. The stack then holds at most
//! [`MAX_LEVEL`] levels of drops, whatever the depth of the value.
//!
//! Contents with nothing that can nest (a list of ints, an instance whose attributes are
//! strings) skip all this: they are dropped as usual, with no thread-local access.

use std::cell::{Cell, RefCell};

use super::value::Value;

/// How many releases may be open on one thread's stack before contents are parked.
pub const MAX_LEVEL: u32 = 64;

thread_local! {
    /// Releases open on this thread's stack.
    static LEVEL: Cell<u32> = const { Cell::new(0) };
    /// Contents parked by releases at [`MAX_LEVEL`], dropped by the outermost one.
    static PARKED: RefCell<Vec<Vec<Value>>> = const { RefCell::new(Vec::new()) };
}

/// Can dropping `v` recurse into other containers?
#[inline]
pub fn may_nest(v: &Value) -> bool {
    matches!(
        v,
        Value::List(_)
            | Value::Tuple(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::Instance(_)
            | Value::BoundMethod(_)
            | Value::Cell(_)
            | Value::Function(_)
            | Value::Iter(_)
            | Value::Object(_)
    )
}

/// Drops the contents of a container that is being dropped, with the recursion bounded as the
/// module says.
pub fn release(items: Vec<Value>) {
    if !items.iter().any(may_nest) {
        return;
    }
    // During thread teardown the thread-locals may be gone: drop directly (the values left
    // then are what the thread's own frames held, not an unbounded chain being built).
    let Ok(level) = LEVEL.try_with(|l| {
        let level = l.get();
        l.set(level + 1);
        level
    }) else {
        drop(items);
        return;
    };
    if level >= MAX_LEVEL {
        let mut items = Some(items);
        let _ = PARKED.try_with(|p| {
            if let Some(items) = items.take() {
                p.borrow_mut().push(items);
            }
        });
        drop(items);
    } else {
        drop(items);
        if level == 0 {
            // The outermost release: drop what deeper ones parked, which may park more.
            while let Some(batch) = PARKED.try_with(|p| p.borrow_mut().pop()).ok().flatten() {
                drop(batch);
            }
        }
    }
    let _ = LEVEL.try_with(|l| l.set(l.get().saturating_sub(1)));
}

/// Takes the values that may nest out of `values` (leaving the rest to be dropped as usual)
/// and releases them.
pub fn release_nested(values: impl Iterator<Item = Value>) {
    let nested: Vec<Value> = values.filter(may_nest).collect();
    if !nested.is_empty() {
        release(nested);
    }
}
