//! The machinery CPython's GIL and its variants share: a small mutex over the lock's state,
//! a condition variable for "the GIL was dropped" (`released`) and one for "another thread
//! took it" (`switched`), timed waits that raise a drop request when a switch interval passes
//! with no hand-over, and the forced drop's wait for a successor.

use std::collections::VecDeque;

use parking_lot::{Condvar, Mutex, MutexGuard};

use super::Control;

/// The lock's state, guarded by [`Handoff::state`].
#[derive(Default)]
pub struct State {
    pub locked: bool,
    /// The thread that took the GIL most recently (0 = nobody yet).
    pub holder: u64,
    /// Incremented at every acquisition, so a waiter can tell whether a hand-over happened
    /// during its wait.
    pub switch_number: u64,
    /// Waiters in arrival order (the `fifo` policy's tickets).
    pub queue: VecDeque<u64>,
    /// Tickets in `queue` taken at a forced drop by threads that have not asked for the GIL
    /// again yet (the `fifo` policy): such a thread may be on its way into a blocking wait.
    pub away: Vec<u64>,
    /// Threads back from I/O or native calls waiting (the `io-priority` policy).
    pub priority_waiting: usize,
}

#[derive(Default)]
pub struct Handoff {
    pub state: Mutex<State>,
    pub released: Condvar,
    pub switched: Condvar,
}

impl Handoff {
    /// Who holds the GIL now (for reports).
    pub fn holder(&self) -> super::Holder {
        let st = self.state.lock();
        if st.locked {
            super::Holder::Thread(st.holder)
        } else {
            super::Holder::Nobody
        }
    }

    /// Waits up to one switch interval for the GIL to be dropped. If the interval passed, the
    /// GIL is still held and nobody took it over meanwhile, asks the holder to drop it.
    pub fn wait_turn(
        &self,
        st: &mut MutexGuard<'_, State>,
        ctl: &Control,
        on_drop_request: &mut dyn FnMut(u64),
    ) {
        let seen = st.switch_number;
        let timed_out = self.released.wait_for(st, ctl.interval()).timed_out();
        if timed_out && st.locked && st.switch_number == seen {
            Handoff::ask_holder(st, ctl, on_drop_request);
        }
    }

    /// Raises the drop request against the current holder.
    pub fn ask_holder(st: &State, ctl: &Control, on_drop_request: &mut dyn FnMut(u64)) {
        ctl.request_drop();
        on_drop_request(st.holder);
    }

    /// Makes `me` the holder: a fresh interval starts, so a pending drop request is cleared.
    pub fn acquire(&self, st: &mut State, ctl: &Control, me: u64) {
        st.locked = true;
        st.holder = me;
        st.switch_number = st.switch_number.wrapping_add(1);
        self.switched.notify_all();
        ctl.clear_drop_request();
    }

    /// After a forced drop: waits until another thread has taken the GIL, so the dropping
    /// thread, still running on its core, does not win it straight back. Bounded: if the
    /// requester vanished meanwhile, carries on after a few intervals.
    pub fn await_successor(&self, mut st: MutexGuard<'_, State>, ctl: &Control, me: u64) {
        let deadline = std::time::Instant::now() + ctl.interval() * 4;
        while st.holder == me && !st.locked {
            if self.switched.wait_until(&mut st, deadline).timed_out() {
                break;
            }
        }
    }
}
