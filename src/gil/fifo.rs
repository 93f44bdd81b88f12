//! `--gil fifo`: CPython's GIL with a fair hand-off. Every thread that wants the GIL takes a
//! ticket; when the GIL is dropped (at a drop request or voluntarily) it goes to the oldest
//! ticket, never to whichever thread the OS wakes first, and a thread that drops it and asks
//! again queues behind the others. Timed waits and drop requests are CPython's.

use super::handoff::Handoff;
use super::{Control, Policy};

/// The ticket-order GIL.
#[derive(Default)]
pub struct Fifo(Handoff);

impl Policy for Fifo {
    fn take_gil(
        &self,
        ctl: &Control,
        me: u64,
        _returning: bool,
        on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        let mut st = self.0.state.lock();
        if !st.locked && st.queue.is_empty() {
            self.0.acquire(&mut st, ctl, me);
            return false;
        }
        st.queue.push_back(me);
        while st.locked || st.queue.front() != Some(&me) {
            self.0.wait_turn(&mut st, ctl, on_drop_request);
        }
        st.queue.pop_front();
        self.0.acquire(&mut st, ctl, me);
        // The next ticket holder may have been woken for this hand-over; let it wait again.
        true
    }

    fn drop_gil(&self, ctl: &Control, me: u64, forced: bool) {
        let mut st = self.0.state.lock();
        debug_assert!(st.locked && st.holder == me);
        st.locked = false;
        if st.queue.is_empty() {
            return;
        }
        // Only the oldest ticket may take it, and a condition variable cannot wake one chosen
        // thread: wake them all, the others go back to waiting.
        self.0.released.notify_all();
        if forced {
            self.0.await_successor(st, ctl, me);
        }
    }
}
