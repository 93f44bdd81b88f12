//! `--gil fifo`: CPython's GIL with a fair hand-off. Every thread that wants the GIL takes a
//! ticket, and the GIL goes to the oldest ticket, never to whichever thread the OS wakes
//! first. A thread forced to drop the GIL takes its ticket as it drops it, so it queues
//! behind the threads already waiting and ahead of any that ask later. Timed waits and drop
//! requests are CPython's.

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
        if !st.queue.contains(&me) {
            st.queue.push_back(me);
        }
        while st.locked || st.queue.front() != Some(&me) {
            self.0.wait_turn(&mut st, ctl, on_drop_request);
        }
        st.queue.pop_front();
        self.0.acquire(&mut st, ctl, me);
        true
    }

    fn queued(&self) -> usize {
        self.0.state.lock().queue.len()
    }

    fn holder(&self) -> super::Holder {
        self.0.holder()
    }

    fn drop_gil(&self, ctl: &Control, me: u64, forced: bool) {
        let mut st = self.0.state.lock();
        debug_assert!(st.locked && st.holder == me);
        st.locked = false;
        if st.queue.is_empty() {
            return;
        }
        if forced {
            st.queue.push_back(me);
        }
        // Only the oldest ticket may take it, and a condition variable cannot wake one chosen
        // thread: wake them all, the others go back to waiting.
        self.0.released.notify_all();
        if forced {
            self.0.await_successor(st, ctl, me);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Gil, policy};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// Waiters that queued one after another get the GIL in that order, each dropping it for
    /// the next; the holder, forced to drop it, queues behind them (under CPython's policy it
    /// would compete with them at once).
    #[test]
    fn the_gil_goes_to_waiters_in_ticket_order() {
        let gil = Arc::new(Gil::with_policy(
            policy("fifo").unwrap(),
            Duration::from_secs(10),
        ));
        gil.take_gil(100);
        let order = Arc::new(Mutex::new(vec![]));
        let mut waiters = vec![];
        for id in 1..=5u64 {
            let (g, o) = (gil.clone(), order.clone());
            waiters.push(std::thread::spawn(move || {
                g.take_gil(id);
                o.lock().unwrap().push(id);
                g.drop_gil(id, false);
            }));
            // The next waiter starts only once this one holds its ticket.
            while gil.queued() < id as usize {
                std::thread::yield_now();
            }
        }
        gil.drop_gil(100, true);
        gil.take_gil(100);
        order.lock().unwrap().push(100);
        gil.drop_gil(100, false);
        for w in waiters {
            w.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![1, 2, 3, 4, 5, 100]);
    }
}
