//! `--deterministic --seed N`: a scheduler in place of the lock, so a run can be replayed.
//!
//! Exactly one interpreter thread runs at a time: the one the scheduler chose. Time is
//! virtual: every instruction advances the clock by [`INSTRUCTION_NS`], `time.sleep` by its
//! duration (without sleeping), a native call by its modelled cost (`native.compute(d)`: d;
//! others: [`NATIVE_CALL_NS`]) while the other threads run. At every switch point
//! (where the eval loop checks the eval breaker) the running thread may give way, as the GIL
//! policy's [`Rule`] says: after a switch interval of virtual time (`cpython`, `fifo`,
//! `io-priority`), now and then at a check interval (`legacy`, whose releasing thread usually
//! wins the lock straight back), or at any instruction (`none`, where threads interleave
//! anywhere). At every blocking point (sleep, a lock wait, a native call, the thread's end) it
//! gives way at once. Who runs next is the rule's [`Pick`] (`cpython`: any waiter, `fifo`: the
//! oldest, `io-priority`: a thread back from a blocking call first), ties broken by a seeded
//! random number generator. Nothing depends on the OS scheduler, so the same script, seed and
//! flags give the same interleaving, output, stats and trace on any machine; another seed may
//! give another interleaving.
//!
//! A new thread is made runnable by the thread that starts it, before it exists as an OS
//! thread, and a thread woken from a lock wait is made runnable by the thread that released
//! the lock: the set of runnable threads never depends on how fast the OS starts or wakes a
//! thread. When every thread is blocked with no sleep or timeout pending, that is a deadlock:
//! the blocked lock waits fail with the scheduler's report instead of hanging.
//!
//! Child processes (process mode) each get a scheduler of their own, but run at the same time
//! as their parent: runs that start processes are not deterministic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Condvar, Mutex, MutexGuard};

use super::{Control, Policy};

/// Virtual nanoseconds one instruction takes (about what CPython 3.11 spends on a simple one).
pub const INSTRUCTION_NS: u64 = 20;

/// Virtual nanoseconds a native call that releases the GIL takes, unless it says otherwise.
pub const NATIVE_CALL_NS: u64 = 1_000;

/// How the next thread is chosen among the runnable ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Any of them, by the seeded generator (CPython's GIL makes no promise of order).
    Any,
    /// The one that has waited longest (`fifo`).
    Oldest,
    /// A thread back from a blocking or native call first, then any (`io-priority`).
    ReturningFirst,
}

/// When the running thread gives way at a switch point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// Once its turn has lasted a switch interval of virtual time and another thread is
    /// runnable (CPython 3.2+'s drop request).
    Interval,
    /// Every check interval of instructions it releases and re-takes the lock, and loses it
    /// to another runnable thread once in `one_in` releases (Python 2's GIL, whose releasing
    /// thread usually wins straight back on a multi-core machine).
    CheckInterval { one_in: u64 },
    /// At any instruction, once in `one_in` (no GIL: threads interleave anywhere, even in the
    /// middle of `counter += 1`).
    AnyInstruction { one_in: u64 },
}

/// A GIL policy's schedule in deterministic mode: when the running thread gives way, and
/// who runs next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub turn: Turn,
    pub pick: Pick,
}

#[derive(Clone, Copy)]
struct Runnable {
    id: u64,
    /// Back from a blocking or native call (for [`Pick::ReturningFirst`]).
    returning: bool,
}

/// A thread blocked on a lock (or sleeping: `on` is 0).
struct Waiting {
    id: u64,
    on: u64,
    /// Virtual time at which it is runnable anyway (its timeout, or the end of its sleep).
    until: Option<u64>,
}

/// How a blocked thread came back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// What it waited for may have happened (its lock was released, its sleep is over).
    Notified,
    /// Its timeout passed.
    TimedOut,
    /// Every thread was blocked: the wait can never end.
    Deadlock,
    /// The run is over ([`Deterministic::retire`]): the thread should end.
    Ended,
}

struct Sched {
    /// The thread that runs, if any.
    running: Option<u64>,
    /// The thread chosen to run next, which has not yet taken its turn.
    chosen: Option<u64>,
    runnable: Vec<Runnable>,
    waiting: Vec<Waiting>,
    /// How and when (virtual ns) each thread that left `waiting` came back, until it runs.
    wakes: Vec<(u64, Wake, u64)>,
    /// Virtual time at which the running thread's turn began.
    turn_start: u64,
    /// Instructions run since the last check interval ([`Turn::CheckInterval`]).
    unchecked: u64,
    rng: u64,
    /// The run is over: nobody is chosen any more.
    finished: bool,
    /// The run's reports are written: nobody waits for a turn any more ([`Deterministic::retire`]).
    retired: bool,
}

/// The deterministic scheduler.
pub struct Deterministic {
    st: Mutex<Sched>,
    turn: Condvar,
    clock: Arc<AtomicU64>,
    rule: Rule,
}

impl Deterministic {
    pub fn new(rule: Rule, seed: u64) -> Deterministic {
        Deterministic {
            st: Mutex::new(Sched {
                running: None,
                chosen: None,
                runnable: vec![],
                waiting: vec![],
                wakes: vec![],
                turn_start: 0,
                unchecked: 0,
                rng: seed ^ 0x9E37_79B9_7F4A_7C15,
                finished: false,
                retired: false,
            }),
            turn: Condvar::new(),
            clock: Arc::default(),
            rule,
        }
    }

    /// The virtual clock, in nanoseconds since the run started (shared with the recorder).
    pub fn clock(&self) -> Arc<AtomicU64> {
        self.clock.clone()
    }

    pub fn now_ns(&self) -> u64 {
        self.clock.load(Ordering::Relaxed)
    }

    /// Makes a thread about to start runnable, from the thread that starts it.
    pub fn add_thread(&self, id: u64) {
        self.st.lock().runnable.push(Runnable {
            id,
            returning: false,
        });
    }

    /// Must the eval loop come to a switch point at every instruction (the `none` rule)?
    pub fn every_instruction(&self) -> bool {
        matches!(self.rule.turn, Turn::AnyInstruction { .. })
    }

    /// At a switch point of the running thread, after `instructions` more instructions: true
    /// if it should give way now, as the rule's [`Turn`] says (never while nobody else is
    /// runnable).
    pub fn at_switch_point(&self, ctl: &Control, instructions: u64) -> bool {
        let now = self
            .clock
            .fetch_add(instructions * INSTRUCTION_NS, Ordering::Relaxed)
            + instructions * INSTRUCTION_NS;
        let mut st = self.st.lock();
        self.wake_due(&mut st, now);
        if st.runnable.is_empty() {
            return false;
        }
        match self.rule.turn {
            Turn::Interval => now.saturating_sub(st.turn_start) >= ctl.interval().as_nanos() as u64,
            Turn::CheckInterval { one_in } => {
                st.unchecked += instructions;
                let every = u64::from(ctl.check_interval());
                let mut give_way = false;
                while st.unchecked >= every {
                    st.unchecked -= every;
                    give_way |= Self::next_random(&mut st).is_multiple_of(one_in);
                }
                give_way
            }
            Turn::AnyInstruction { one_in } => Self::next_random(&mut st).is_multiple_of(one_in),
        }
    }

    /// The main thread is done: from its last drop of the GIL on, nobody else runs. (A thread
    /// still finishing, or a daemon thread, would otherwise race the reports being written.)
    pub fn finish(&self) {
        self.st.lock().finished = true;
    }

    /// The run and its reports are complete: the threads still waiting for a turn (daemon
    /// threads, threads left blocked) get one at once, all together, with every wait
    /// returning [`Wake::Ended`], so they can unwind and end instead of outliving the run as
    /// parked OS threads (`--explore` runs many scripts in one process). The caller has asked
    /// them to end first; they then run unscheduled, as under the `none` policy, which is
    /// sound.
    pub fn retire(&self) {
        self.st.lock().retired = true;
        self.turn.notify_all();
    }

    /// Work that holds the GIL for `ns` (`native.compute_holding_gil`): virtual time passes,
    /// nobody else runs.
    pub fn advance(&self, ns: u64) {
        self.clock.fetch_add(ns, Ordering::Relaxed);
    }

    /// The running thread `me` waits: for lock `on` (0: for nothing, a sleep) until its
    /// timeout, if any, has passed in virtual time; others run meanwhile. Returns how it came
    /// back and when (virtual ns), once it is chosen to run again; after
    /// [`Wake::Notified`] from a lock, the caller retries it.
    pub fn block(&self, me: u64, on: u64, timeout_ns: Option<u64>) -> (Wake, u64) {
        let mut st = self.st.lock();
        let until = timeout_ns.map(|t| self.now_ns() + t);
        st.waiting.push(Waiting { id: me, on, until });
        self.give_way(&mut st, me);
        self.await_turn(&mut st, me);
        self.take_wake(&mut st, me)
    }

    /// Lock `on` was released: the threads waiting for it become runnable (they retry).
    pub fn notify(&self, on: u64) {
        let mut st = self.st.lock();
        let mut i = 0;
        while i < st.waiting.len() {
            if st.waiting[i].on == on && on != 0 {
                let w = st.waiting.remove(i);
                st.wakes.push((w.id, Wake::Notified, self.now_ns()));
                st.runnable.push(Runnable {
                    id: w.id,
                    returning: true,
                });
            } else {
                i += 1;
            }
        }
    }

    /// How and when `me` came back from its last wait (consumed).
    fn take_wake(&self, st: &mut Sched, me: u64) -> (Wake, u64) {
        if st.retired {
            return (Wake::Ended, self.now_ns());
        }
        match st.wakes.iter().position(|(id, ..)| *id == me) {
            Some(i) => {
                let (_, how, at) = st.wakes.remove(i);
                (how, at)
            }
            None => (Wake::Notified, self.now_ns()),
        }
    }

    /// Makes the waiters whose time is up at `now` runnable, in the order they began waiting.
    fn wake_due(&self, st: &mut Sched, now: u64) {
        let mut i = 0;
        while i < st.waiting.len() {
            match st.waiting[i].until {
                Some(t) if t <= now => {
                    let w = st.waiting.remove(i);
                    let how = if w.on == 0 {
                        Wake::Notified
                    } else {
                        Wake::TimedOut
                    };
                    st.wakes.push((w.id, how, now));
                    st.runnable.push(Runnable {
                        id: w.id,
                        returning: true,
                    });
                }
                _ => i += 1,
            }
        }
    }

    /// The running thread `me` stops running: choose who runs next.
    fn give_way(&self, st: &mut Sched, me: u64) {
        if st.running == Some(me) {
            st.running = None;
        }
        self.choose(st);
    }

    /// Chooses the next thread to run, if none is running or chosen: from the runnable ones,
    /// or, if there are none, by moving virtual time on to the next sleeper or timeout. With
    /// nothing runnable and nothing to wait for, every waiter is deadlocked: all are woken
    /// with [`Wake::Deadlock`].
    fn choose(&self, st: &mut Sched) {
        if st.running.is_some() || st.chosen.is_some() || st.finished {
            return;
        }
        self.wake_due(st, self.now_ns());
        if st.runnable.is_empty() {
            if let Some(next) = st.waiting.iter().filter_map(|w| w.until).min() {
                self.clock.fetch_max(next, Ordering::Relaxed);
                self.wake_due(st, next);
            } else if !st.waiting.is_empty() {
                for w in std::mem::take(&mut st.waiting) {
                    st.wakes.push((w.id, Wake::Deadlock, self.now_ns()));
                    st.runnable.push(Runnable {
                        id: w.id,
                        returning: true,
                    });
                }
            }
        }
        if st.runnable.is_empty() {
            return;
        }
        let i = match self.rule.pick {
            Pick::Oldest => 0,
            Pick::ReturningFirst => match st.runnable.iter().position(|r| r.returning) {
                Some(i) => i,
                None => Self::random(st),
            },
            Pick::Any => Self::random(st),
        };
        let next = st.runnable.remove(i);
        st.chosen = Some(next.id);
        self.turn.notify_all();
    }

    /// A seeded choice among the runnable threads.
    fn random(st: &mut Sched) -> usize {
        (Self::next_random(st) % st.runnable.len() as u64) as usize
    }

    /// The seeded generator's next number (splitmix64).
    fn next_random(st: &mut Sched) -> u64 {
        st.rng = st.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = st.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Waits until `me` is chosen, then makes it the running thread.
    fn await_turn(&self, st: &mut MutexGuard<'_, Sched>, me: u64) {
        while st.chosen != Some(me) {
            if st.retired {
                return;
            }
            self.turn.wait(st);
        }
        st.chosen = None;
        st.running = Some(me);
        st.turn_start = self.now_ns();
    }
}

impl Policy for Deterministic {
    fn take_gil(
        &self,
        _ctl: &Control,
        me: u64,
        returning: bool,
        _on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        let mut st = self.st.lock();
        if st.running == Some(me) {
            // A native call ran under the scheduler's turn: nothing was given up.
            return false;
        }
        if st.chosen != Some(me) && !st.runnable.iter().any(|r| r.id == me) {
            st.runnable.push(Runnable { id: me, returning });
        }
        self.choose(&mut st);
        let waited = st.chosen != Some(me);
        self.await_turn(&mut st, me);
        waited
    }

    fn holder(&self) -> super::Holder {
        match self.st.lock().running {
            Some(me) => super::Holder::Thread(me),
            None => super::Holder::Nobody,
        }
    }

    fn drop_gil(&self, ctl: &Control, me: u64, forced: bool) {
        let mut st = self.st.lock();
        if st.running != Some(me) {
            return;
        }
        st.running = None;
        if forced {
            // The others first; then this thread waits its turn like them.
            self.choose(&mut st);
            st.runnable.push(Runnable {
                id: me,
                returning: false,
            });
            self.choose(&mut st);
        } else {
            self.choose(&mut st);
        }
        // Switch points stay on the slow path, where the clock is advanced.
        ctl.request_drop();
    }

    fn deterministic(&self) -> Option<&Deterministic> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same seed picks the same sequence of runnable threads; some other seed picks
    /// another.
    #[test]
    fn choices_follow_the_seed() {
        let order = |seed: u64| {
            let rule = Rule {
                turn: Turn::Interval,
                pick: Pick::Any,
            };
            let d = Deterministic::new(rule, seed);
            let mut st = d.st.lock();
            for id in 1..=6 {
                st.runnable.push(Runnable {
                    id,
                    returning: false,
                });
            }
            let mut picked = vec![];
            while !st.runnable.is_empty() {
                d.choose(&mut st);
                picked.push(st.chosen.take().unwrap());
            }
            picked
        };
        assert_eq!(order(7), order(7));
        assert!((0..20).any(|seed| order(seed) != order(7)));
    }
}
