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
    locked: Mutex<bool>,
    released: Condvar,
}

impl Policy for Legacy {
    fn take_gil(
        &self,
        ctl: &Control,
        _me: u64,
        _returning: bool,
        _on_drop_request: &mut dyn FnMut(u64),
    ) -> bool {
        let mut locked = self.locked.lock();
        let waited = *locked;
        while *locked {
            self.released.wait(&mut locked);
        }
        *locked = true;
        // The eval loop counts instructions on its slow path: keep it there.
        ctl.request_drop();
        waited
    }

    fn drop_gil(&self, _ctl: &Control, _me: u64, _forced: bool) {
        *self.locked.lock() = false;
        self.released.notify_one();
    }

    fn ticks(&self) -> bool {
        true
    }
}
