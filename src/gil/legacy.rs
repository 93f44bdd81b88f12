//! `--gil legacy`: Python 2's GIL. A plain lock (a mutex and a condition variable, as Python
//! 2's `PyThread_acquire_lock` on pthreads) that the holder releases and immediately asks for
//! again every `--check-interval` instructions (`sys.setcheckinterval`, default 100). There
//! are no timed waits, no drop requests and no forced switching: the woken waiter usually
//! finds that the releasing thread, still on its core, has taken the lock straight back. On
//! two cores this makes two CPU-bound threads far slower than running the same work in
//! sequence (David Beazley, "Inside the Python GIL", 2009: 1.8x on his dual-core machine).

use parking_lot::{Condvar, Mutex};

use super::{Control, Policy};

/// Python 2's GIL.
#[derive(Default)]
pub struct Legacy {
    /// The holder, if the lock is held (kept for reports only; the lock itself is the flag).
    locked: Mutex<Option<u64>>,
    released: Condvar,
}

impl Policy for Legacy {
    fn take_gil(
        &self,
        ctl: &Control,
        me: u64,
        _returning: bool,
        _on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        let mut locked = self.locked.lock();
        let waited = locked.is_some();
        while locked.is_some() {
            self.released.wait(&mut locked);
        }
        *locked = Some(me);
        // The eval loop counts instructions on its slow path: keep it there.
        ctl.request_drop();
        waited
    }

    fn drop_gil(&self, _ctl: &Control, _me: u64, _forced: bool) {
        *self.locked.lock() = None;
        self.released.notify_one();
    }

    fn holder(&self) -> super::Holder {
        match *self.locked.lock() {
            Some(me) => super::Holder::Thread(me),
            None => super::Holder::Nobody,
        }
    }

    fn ticks(&self) -> bool {
        true
    }
}
