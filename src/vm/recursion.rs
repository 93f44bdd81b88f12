//! Bounding the recursion that happens in Rust, so that no script can overflow a native stack.
//!
//! Python-to-Python calls never recurse in Rust (frames live on a heap `Vec`), but three kinds
//! of work do: native code calling back into Python (`__repr__` from `repr()`, `__eq__` from a
//! list comparison, `__init__` from a constructor: each re-enters the eval loop), the walks of
//! nested containers (`repr`, `==`, ordering and hashing of lists in lists), and dropping deeply
//! nested values (see [`super::trashcan`]). As CPython's `Py_EnterRecursiveCall`, each level of
//! the first two counts against the recursion limit together with the Python frames, so
//! `x = [x]` a hundred thousand times then `print(x)` raises `RecursionError` at
//! `sys.getrecursionlimit()` levels, not a crash.
//!
//! The limit alone is not enough: `sys.setrecursionlimit(10**6)` is allowed, and a million
//! native re-entries need far more stack than a thread has. So every level also checks the
//! native stack that is left (`stacker::remaining_stack`, the thread's real bounds) and raises
//! `RecursionError` while at least [`RED_ZONE`] bytes remain: enough for the deepest
//! unchecked stretch of native code between two checks (a traceback's formatting, a builtin's
//! helpers), even unoptimised.

use super::Vm;
use super::errors::{ExcKind, PyErr, PyResult};

/// Native stack kept in reserve: a level is refused when less than this is left.
pub const RED_ZONE: usize = if cfg!(debug_assertions) {
    4 << 20
} else {
    1 << 20
};

/// Is the current thread's native stack nearly used up (less than [`RED_ZONE`] left)? False
/// when the bounds are unknown on this platform.
#[inline]
pub fn stack_exhausted() -> bool {
    stacker::remaining_stack().is_some_and(|left| left < RED_ZONE)
}

/// The `RecursionError` CPython raises when a limit is hit; `context` is CPython's suffix
/// for the kind of work (" while getting the repr of an object", " in comparison", or "").
pub fn recursion_error(context: &str) -> PyErr {
    PyErr::new(
        ExcKind::RecursionError,
        format!("maximum recursion depth exceeded{context}"),
    )
}

impl Vm {
    /// Runs `f` one level deeper in native recursion: refused with `RecursionError` when the
    /// Python frames plus the native levels already open reach the recursion limit, or the
    /// native stack is nearly exhausted.
    pub(crate) fn nested<R>(
        &mut self,
        context: &'static str,
        f: impl FnOnce(&mut Vm) -> PyResult<R>,
    ) -> PyResult<R> {
        if self.frames.len() + self.native_depth >= self.recursion_limit() || stack_exhausted() {
            return Err(recursion_error(context));
        }
        self.native_depth += 1;
        let result = f(self);
        self.native_depth -= 1;
        result
    }

    /// Checks there is native stack left for one more re-entry of the eval loop (the frame
    /// count is checked against the limit where frames are pushed).
    #[inline]
    pub(crate) fn check_native_stack(&self) -> PyResult<()> {
        if stack_exhausted() {
            return Err(recursion_error(" while calling a Python object"));
        }
        Ok(())
    }
}
