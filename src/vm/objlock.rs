//! The lock inside every mutable object (list, dict, set, instance, cell, iterator).
//!
//! These locks are taken on the interpreter's hottest paths (`b[3]`, `self.x`, `d[k] = v`) and,
//! by the heap's invariant (see [`value`](super::value)), only for a primitive operation on the
//! object's own state: never across a call back into Python, never across a blocking call. With
//! the GIL on they are almost never contended; with it off they are contended only by threads
//! touching the same object at the same instant. What they cost is therefore the uncontended
//! path, and there every read-modify-write instruction counts (one is some 20 cycles on x86):
//! `parking_lot::Mutex` takes one to lock and another to unlock (it must check for parked
//! waiters), which made the list locks a third of the n-body benchmark's time.
//!
//! [`ObjectLock`] is a test-and-set lock whose unlock is a plain release store, so an
//! uncontended lock/unlock pair is one atomic instruction. A waiter spins briefly, then yields
//! its time slice, so a holder preempted by the OS (likely on a 2-core machine running more
//! threads than cores) gets the CPU back instead of being starved by spinners. The interface
//! is `lock_api`'s, the same as `parking_lot`'s, so the objects' code reads the same.

use std::sync::atomic::{AtomicBool, Ordering};

/// A mutex around an object's mutable state.
pub type Mutex<T> = lock_api::Mutex<ObjectLock, T>;
/// The guard of a [`Mutex`]: the object's state, borrowed until it drops.
pub type MutexGuard<'a, T> = lock_api::MutexGuard<'a, ObjectLock, T>;

/// The raw test-and-set lock behind [`Mutex`].
pub struct ObjectLock {
    locked: AtomicBool,
}

/// Spins on a held lock this many times before yielding the thread's time slice.
const SPINS_BEFORE_YIELD: u32 = 64;

// SAFETY: `RawMutex` requires that the lock be exclusive: no `lock` or `try_lock` succeeds while
// another holder has not called `unlock`. Both acquire only by a compare-exchange of `locked`
// from false to true; compare-exchange is atomic, so of all threads racing for an unlocked lock
// exactly one sees `false` and stores `true`, and every later attempt fails until `locked` is
// false again. Only `unlock` stores false, and its contract restricts it to the current holder.
// The acquire ordering of the successful compare-exchange synchronises with the release store
// of the previous holder's `unlock`, so everything the previous holder wrote to the protected
// data happens before everything the new holder reads: the guarded data is never accessed by
// two threads without an ordering between them. The guard state carries nothing, so unlocking
// from another thread (`GuardSend`) is as sound as from the locking one.
unsafe impl lock_api::RawMutex for ObjectLock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: ObjectLock = ObjectLock {
        locked: AtomicBool::new(false),
    };

    type Guard = lock_api::GuardSend;

    #[inline(always)]
    fn lock(&self) -> Self::Guard {
        if self.try_acquire().is_err() {
            self.lock_contended();
        }
        lock_api::GuardSend::new()
    }

    #[inline]
    fn try_lock(&self) -> Option<Self::Guard> {
        self.try_acquire().ok().map(|_| lock_api::GuardSend::new())
    }

    #[inline(always)]
    unsafe fn unlock(&self, _guard: Self::Guard) {
        self.locked.store(false, Ordering::Release);
    }

    #[inline]
    fn is_locked(&self) -> bool {
        self.locked.load(Ordering::Relaxed)
    }
}

impl ObjectLock {
    #[inline(always)]
    fn try_acquire(&self) -> Result<bool, bool> {
        self.locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
    }

    /// Waits for the holder: reads (which do not take the cache line away from the holder)
    /// until the lock looks free, then tries again.
    #[cold]
    fn lock_contended(&self) {
        let mut spins = 0;
        loop {
            while self.locked.load(Ordering::Relaxed) {
                if spins < SPINS_BEFORE_YIELD {
                    spins += 1;
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            if self.try_acquire().is_ok() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mutex;
    use std::sync::Arc;

    /// Four threads each add to a counter behind the lock, read and write as two steps so
    /// that without exclusion updates would be lost; the sum must come out exact. One thread
    /// holds the lock across a `yield_now` now and then, so waiters reach the yielding path.
    #[test]
    fn lock_is_exclusive_under_contention() {
        const THREADS: usize = 4;
        const ROUNDS: usize = 20_000;
        let counter = Arc::new(Mutex::new(0usize));
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let counter = counter.clone();
                std::thread::spawn(move || {
                    for i in 0..ROUNDS {
                        let mut n = counter.lock();
                        let read = *n;
                        if t == 0 && i % 1000 == 0 {
                            std::thread::yield_now();
                        }
                        *n = read + 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(*counter.lock(), THREADS * ROUNDS);
    }

    #[test]
    fn try_lock_fails_while_held_and_succeeds_after() {
        let m = Mutex::new(1);
        let held = m.lock();
        assert!(m.try_lock().is_none());
        assert!(m.is_locked());
        drop(held);
        assert_eq!(*m.try_lock().expect("free after the guard dropped"), 1);
    }
}
