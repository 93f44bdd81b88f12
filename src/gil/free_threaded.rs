//! `--gil none`: no GIL, as CPython's free-threaded build (PEP 703). Taking and dropping it
//! do nothing, so interpreter threads run Python code in parallel. The heap stays sound
//! because every shared mutable object has its own lock, held for one primitive step (a list
//! append, a dict store); what the GIL used to make look atomic by accident, such as
//! `counter += 1` (a load, an add and a store), now loses updates under contention.

use super::{Control, Policy};

/// The absent GIL.
pub struct FreeThreaded;

impl Policy for FreeThreaded {
    fn take_gil(
        &self,
        _ctl: &Control,
        _me: u64,
        _returning: bool,
        _on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        false
    }

    fn drop_gil(&self, _ctl: &Control, _me: u64, _forced: bool) {}

    fn parallel(&self) -> bool {
        true
    }

    fn holder(&self) -> super::Holder {
        super::Holder::Everyone
    }
}
