# multiprocessing.synchronize (as CPython's module of that name): locks, semaphores, Condition,
# Event and Barrier that work across processes, over native primitives. Imported on first use.
import _multiprocessing as _mp


# The lock and semaphore factories live in the package itself (a child process needs them
# without importing this module).
from multiprocessing import Lock, RLock, Semaphore, BoundedSemaphore


class Condition:
    def __init__(self, lock=None):
        self._lock = lock if lock is not None else RLock()
        self._notifier = _mp.Notifier()
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def wait(self, timeout=None):
        assert self._lock._is_mine(), "must acquire() condition before using wait()"
        ticket = self._notifier.enter()
        depth = self._lock._release_save()
        try:
            return self._notifier.wait(ticket, timeout)
        finally:
            self._lock._acquire_restore(depth)

    def notify(self, n=1):
        assert self._lock._is_mine(), "lock is not owned"
        self._notifier.notify(n)

    def notify_all(self):
        self.notify(-1)

    def wait_for(self, predicate, timeout=None):
        result = predicate()
        if result:
            return result
        if timeout is not None:
            import time
            endtime = time.monotonic() + timeout
        else:
            endtime = None
            waittime = None
        while not result:
            if endtime is not None:
                import time
                waittime = endtime - time.monotonic()
                if waittime <= 0:
                    break
            self.wait(waittime)
            result = predicate()
        return result


class Event:
    def __init__(self):
        self._flag = _mp.Flag()

    def is_set(self):
        return self._flag.is_set()

    def set(self):
        self._flag.set()

    def clear(self):
        self._flag.clear()

    def wait(self, timeout=None):
        return self._flag.wait(timeout)


class Barrier:
    def __init__(self, parties, action=None, timeout=None):
        self._barrier = _mp.Barrier(parties)
        self._parties = parties
        self._action = action
        self._timeout = timeout

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._timeout
        index = self._barrier.wait(timeout)
        if index == self._parties - 1 and self._action is not None:
            self._action()
        return index

    def abort(self):
        self._barrier.abort()

    def reset(self):
        self._barrier.reset()

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        return self._barrier.n_waiting()

    @property
    def broken(self):
        return self._barrier.broken()
