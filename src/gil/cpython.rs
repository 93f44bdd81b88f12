//! The default policy: the GIL as CPython 3.2+ implements it ("new GIL", Antoine Pitrou,
//! `Python/ceval_gil.c`).
//!
//! # The algorithm
//!
//! One small mutex guards the state: whether the GIL is `locked`, which thread held it last
//! (`holder`), and `switch_number`, incremented at every hand-over. Two condition variables go
//! with it: `released` (the GIL was dropped) and `switched` (another thread took it).
//!
//! *Taking* the GIL: while it is held, wait on `released` for at most the switch interval
//! (5 ms by default). If the wait timed out, the GIL is still held and no hand-over happened in
//! the meantime, set the *drop request*, which raises the interpreter's eval breaker. Once it
//! is free, take it, bump `switch_number`, wake anyone waiting on `switched`, and clear a drop
//! request (a new holder starts a fresh interval).
//!
//! *Dropping* it: mark it free and wake one waiter. If the drop answers a drop request
//! (*forced switching*), wait on `switched` until some other thread has taken it: without this
//! the dropping thread, still running on its core, usually wins the lock straight back.
//!
//! The holder notices a drop request only where the eval loop checks the eval breaker (function
//! entry and loop back edges, CPython 3.11's places), so a switch lands between bytecodes, never
//! inside one. Blocking calls (sleep, lock waits, I/O, native compute) drop the GIL voluntarily
//! and take it back afterwards, competing like any other waiter: that is the convoy effect
//! (bpo-7946) when the others are CPU-bound, since the returning thread waits up to an interval.
//!
//! The OS does not hand the lock over in FIFO order and neither does this: a woken waiter
//! competes with every other thread that wants the GIL at that moment.

use super::handoff::Handoff;
use super::{Control, Policy};

/// CPython's GIL.
#[derive(Default)]
pub struct CPython(Handoff);

impl Policy for CPython {
    fn take_gil(
        &self,
        ctl: &Control,
        me: u64,
        _returning: bool,
        on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        let mut st = self.0.state.lock();
        let waited = st.locked;
        while st.locked {
            self.0.wait_turn(&mut st, ctl, on_drop_request);
        }
        self.0.acquire(&mut st, ctl, me);
        waited
    }

    fn holder(&self) -> super::Holder {
        self.0.holder()
    }

    fn drop_gil(&self, ctl: &Control, me: u64, forced: bool) {
        let mut st = self.0.state.lock();
        debug_assert!(
            st.locked && st.holder == me,
            "dropping a GIL this thread does not hold"
        );
        st.locked = false;
        if !self.0.released.notify_one() {
            // Nobody to hand over to (a drop request raised for a terminate or Ctrl-C, or a
            // requester that gave up): waiting for a taker would only stall this thread.
            return;
        }
        if forced {
            self.0.await_successor(st, ctl, me);
        } else {
            // Hand the state mutex straight to the woken waiter, as a futex wake-up on Linux
            // lets the waiter in before the dropping thread can come back for the GIL (without
            // this a thread doing short blocking calls would never let a waiter run).
            parking_lot::MutexGuard::unlock_fair(st);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Gil;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn uncontended_take_does_not_wait() {
        let gil = Gil::default();
        assert!(!gil.take_gil(1));
        gil.drop_gil(1, false);
        assert!(!gil.take_gil(2));
    }

    #[test]
    fn a_waiter_raises_the_drop_request_and_gets_the_gil() {
        let gil = Arc::new(Gil::new(Duration::from_millis(1)));
        gil.take_gil(1);
        let g = gil.clone();
        let waiter = std::thread::spawn(move || {
            g.take_gil(2);
            g.drop_gil(2, false);
        });
        // The holder spins until it sees the drop request, as the eval loop would.
        while !gil.drop_requested() {
            std::thread::yield_now();
        }
        gil.drop_gil(1, true);
        gil.take_gil(1);
        waiter.join().unwrap();
        gil.drop_gil(1, false);
    }
}
