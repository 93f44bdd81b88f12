//! `--gil io-priority`: the fix proposed for CPython's convoy effect (bpo-7946). A thread
//! coming back from a blocking call or a native call asks the holder to drop the GIL at once
//! instead of waiting a switch interval, and while such a thread waits, CPU-bound threads
//! stand back. Everything else is CPython's algorithm, so CPU-bound threads among themselves
//! switch as they do there.

use super::handoff::Handoff;
use super::{Control, Policy};

/// The GIL that serves threads back from I/O first.
#[derive(Default)]
pub struct IoPriority(Handoff);

impl Policy for IoPriority {
    fn take_gil(
        &self,
        ctl: &Control,
        me: u64,
        returning: bool,
        on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        let mut st = self.0.state.lock();
        let waited = st.locked || (!returning && st.priority_waiting > 0);
        if returning {
            st.priority_waiting += 1;
            if st.locked {
                Handoff::ask_holder(&st, ctl, on_drop_request);
            }
            while st.locked {
                self.0.wait_turn(&mut st, ctl, on_drop_request);
            }
            st.priority_waiting -= 1;
        } else {
            while st.locked || st.priority_waiting > 0 {
                self.0.wait_turn(&mut st, ctl, on_drop_request);
            }
        }
        self.0.acquire(&mut st, ctl, me);
        waited
    }

    fn holder(&self) -> super::Holder {
        self.0.holder()
    }

    fn drop_gil(&self, ctl: &Control, me: u64, forced: bool) {
        let mut st = self.0.state.lock();
        debug_assert!(st.locked && st.holder == me);
        st.locked = false;
        // A priority waiter must get it, and notify_one might wake a CPU-bound one instead.
        let woke = if st.priority_waiting > 0 {
            self.0.released.notify_all() > 0
        } else {
            self.0.released.notify_one()
        };
        if !woke {
            return;
        }
        if forced {
            self.0.await_successor(st, ctl, me);
        } else {
            parking_lot::MutexGuard::unlock_fair(st);
        }
    }
}
