//! The global interpreter lock, as CPython 3.2+ implements it ("new GIL", Antoine Pitrou,
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

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// The default switch interval, as `sys.getswitchinterval()` reports it (5 ms).
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

struct State {
    locked: bool,
    /// The thread that took the GIL most recently (0 = nobody yet).
    holder: u64,
    switch_number: u64,
}

/// One interpreter's GIL.
pub struct Gil {
    state: Mutex<State>,
    released: Condvar,
    switched: Condvar,
    /// Set by a waiter whose interval ran out; read by the eval loop on its fast path.
    drop_request: AtomicBool,
    interval_ns: AtomicU64,
}

impl Default for Gil {
    fn default() -> Self {
        Gil::new(DEFAULT_SWITCH_INTERVAL)
    }
}

impl Gil {
    pub fn new(interval: Duration) -> Gil {
        Gil {
            state: Mutex::new(State {
                locked: false,
                holder: 0,
                switch_number: 0,
            }),
            released: Condvar::new(),
            switched: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval_ns: AtomicU64::new(interval.as_nanos() as u64),
        }
    }

    pub fn interval(&self) -> Duration {
        Duration::from_nanos(self.interval_ns.load(Ordering::Relaxed))
    }

    /// `sys.setswitchinterval`: applies to waits that start after the call.
    pub fn set_interval(&self, d: Duration) {
        self.interval_ns
            .store(d.as_nanos().max(1) as u64, Ordering::Relaxed);
    }

    /// Is a drop request pending? The eval loop's one check on its fast path.
    #[inline]
    pub fn drop_requested(&self) -> bool {
        self.drop_request.load(Ordering::Relaxed)
    }

    /// Raises the drop request without waiting, so the holder reaches its eval-breaker slow
    /// path soon (used to deliver a terminate request to a process).
    pub fn request_drop(&self) {
        self.drop_request.store(true, Ordering::Relaxed);
    }

    /// Takes the GIL for thread `me`, waiting (and asking for a switch) as CPython does.
    /// Returns true if this thread had to wait.
    pub fn take_gil(&self, me: u64) -> bool {
        self.take_gil_observed(me, |_| {})
    }

    /// [`Gil::take_gil`], calling `on_drop_request(holder)` each time this thread's wait times
    /// out and it asks the holder to drop the GIL (for the event log).
    #[inline]
    pub fn take_gil_observed(&self, me: u64, mut on_drop_request: impl FnMut(u64)) -> bool {
        let mut st = self.state.lock();
        let waited = st.locked;
        while st.locked {
            let seen = st.switch_number;
            let timed_out = self.released.wait_for(&mut st, self.interval()).timed_out();
            if timed_out && st.locked && st.switch_number == seen {
                self.drop_request.store(true, Ordering::Relaxed);
                on_drop_request(st.holder);
            }
        }
        st.locked = true;
        st.holder = me;
        st.switch_number = st.switch_number.wrapping_add(1);
        self.switched.notify_all();
        self.drop_request.store(false, Ordering::Relaxed);
        waited
    }

    /// Drops the GIL held by `me`. With `forced` (answering a drop request), waits until
    /// another thread has taken it before returning.
    pub fn drop_gil(&self, me: u64, forced: bool) {
        let mut st = self.state.lock();
        debug_assert!(
            st.locked && st.holder == me,
            "dropping a GIL this thread does not hold"
        );
        st.locked = false;
        let woke = self.released.notify_one();
        if !woke {
            // Nobody to hand over to (a drop request raised for a terminate or Ctrl-C, or a
            // requester that gave up): waiting for a taker would only stall this thread.
            return;
        }
        if !forced {
            // Hand the state mutex straight to the woken waiter, as a futex wake-up on Linux
            // lets the waiter in before the dropping thread can come back for the GIL (without
            // this a thread doing short blocking calls would never let a waiter run).
            parking_lot::MutexGuard::unlock_fair(st);
            return;
        }
        {
            // Bounded waits: if the requester vanished meanwhile, carry on after an interval.
            let deadline = std::time::Instant::now() + self.interval() * 4;
            while st.holder == me && !st.locked {
                if self.switched.wait_until(&mut st, deadline).timed_out() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

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
