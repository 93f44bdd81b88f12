//! `--gil fifo`: CPython's GIL with a fair hand-off. Every thread that wants the GIL takes a
//! ticket, and the GIL goes to the oldest ticket, never to whichever thread the OS wakes
//! first. A thread forced to drop the GIL takes its ticket as it drops it, so it queues
//! behind the threads already waiting and ahead of any that ask later. Timed waits and drop
//! requests are CPython's.
//!
//! A forced drop is also the way into a blocking wait made with a drop request pending (as
//! CPython's `drop_gil`), and that thread does not ask for the GIL again until its wait ends.
//! Its ticket is "away" until it asks; one that stays at the front for a switch interval
//! while the GIL is free is passed over (the thread queues again when it asks). Otherwise
//! every waiter would wait for it, and if its wait can only end by a waiter's doing, for ever
//! (`tests/load.rs` found this with a thousand threads on one queue).

use parking_lot::MutexGuard;

use super::handoff::{Handoff, State};
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
        // Back for the ticket taken at a forced drop, if it is still queued.
        if let Some(i) = st.away.iter().position(|&t| t == me) {
            st.away.swap_remove(i);
        }
        if !st.locked && st.queue.is_empty() {
            self.0.acquire(&mut st, ctl, me);
            return false;
        }
        if !st.queue.contains(&me) {
            st.queue.push_back(me);
        }
        loop {
            if !st.locked && st.queue.front() == Some(&me) {
                break;
            }
            match st.queue.front() {
                Some(&front) if !st.locked && st.away.contains(&front) => {
                    self.pass_over_if_still_away(&mut st, ctl, front, me);
                }
                _ => self.0.wait_turn(&mut st, ctl, on_drop_request),
            }
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
            st.away.push(me);
        }
        // Only the oldest ticket may take it, and a condition variable cannot wake one chosen
        // thread: wake them all, the others go back to waiting.
        self.0.released.notify_all();
        if forced {
            self.0.await_successor(st, ctl, me);
        }
    }
}

impl Fifo {
    /// The GIL is free and the ticket at the front is `front`'s, taken at a forced drop, and
    /// `front` has not asked again. Gives it one switch interval to ask (a thread that
    /// yielded at the eval breaker does at once), then passes its ticket over.
    fn pass_over_if_still_away(
        &self,
        st: &mut MutexGuard<'_, State>,
        ctl: &Control,
        front: u64,
        me: u64,
    ) {
        let timed_out = self.0.released.wait_for(st, ctl.interval()).timed_out();
        if timed_out && !st.locked && st.queue.front() == Some(&front) && st.away.contains(&front) {
            st.queue.pop_front();
            st.away.retain(|&t| t != front);
            if st.queue.front() != Some(&me) {
                // The new front may be asleep.
                self.0.released.notify_all();
            }
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

    /// A thread that answers a drop request on its way into a blocking wait (a forced drop
    /// with no take after it) leaves a ticket. Once that ticket has been at the front with the
    /// GIL free for a switch interval, a waiter passes it over instead of waiting for the
    /// thread (which, if its wait can only end by the waiter's doing, never comes: a hang
    /// `tests/load.rs` found).
    #[test]
    fn a_ticket_left_by_a_blocking_wait_is_passed_over() {
        let gil = Arc::new(Gil::with_policy(
            policy("fifo").unwrap(),
            Duration::from_millis(1),
        ));
        gil.take_gil(1);
        let g = gil.clone();
        let second = std::thread::spawn(move || {
            g.take_gil(2);
            g.drop_gil(2, false);
        });
        while gil.queued() < 1 {
            std::thread::yield_now();
        }
        // Thread 1 goes into a blocking wait with a drop request pending; 2 runs and drops.
        gil.drop_gil(1, true);
        second.join().unwrap();
        // Thread 3 must not wait for thread 1.
        let (tx, rx) = std::sync::mpsc::channel();
        let g = gil.clone();
        std::thread::spawn(move || {
            g.take_gil(3);
            g.drop_gil(3, false);
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_secs(10)).is_ok(),
            "thread 3 waits for the ticket thread 1 left"
        );
        // Thread 1, back from its wait, takes the GIL as any newcomer.
        gil.take_gil(1);
        assert_eq!(gil.queued(), 0);
        gil.drop_gil(1, false);
    }
}
