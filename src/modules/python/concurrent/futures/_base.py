# gilsim's concurrent.futures._base: CPython 3.11's Future, wait() and as_completed(), independent
# of any executor, so the thread pool and a process pool share them. Future is native (_futures,
# src/modules/futures/): the same states, callbacks and waiters as CPython's, one object a future
# (an executor makes one a task). Differences from CPython: Future cannot be subclassed (a
# built-in type, as gilsim's others are); wait() and as_completed() put their waiter on each
# future with Future._add_waiter, which says whether the future had settled already, where
# CPython takes every future's condition at once; no generators in the subset, so as_completed()
# and Executor.map() return small iterator classes; no logging module, so what CPython logs to
# "concurrent.futures" (callback failures, worker crashes) is written to stderr as logging's
# last-resort handler would; DoneAndNotDoneFutures is a class, not a tuple subclass.
import sys
import threading
import time
import _thread
from _futures import Future

FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"
_AS_COMPLETED = "_AS_COMPLETED"

# Possible future states (for internal use by the futures package).
PENDING = "PENDING"
RUNNING = "RUNNING"
# The future was cancelled by the user...
CANCELLED = "CANCELLED"
# ...and _Waiter.add_cancelled() was called by a worker.
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"
FINISHED = "FINISHED"

_FUTURE_STATES = [PENDING, RUNNING, CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED]

_STATE_TO_DESCRIPTION_MAP = {
    PENDING: "pending",
    RUNNING: "running",
    CANCELLED: "cancelled",
    CANCELLED_AND_NOTIFIED: "cancelled",
    FINISHED: "finished",
}


def _log(msg, exc=None):
    # What logging.getLogger("concurrent.futures").exception(msg) prints with no logging
    # configured: the message, then the traceback of the exception being handled.
    text = msg + "\n"
    if exc is not None:
        text += _thread._format_exception(exc)
    sys.stderr.write(text)


class Error(Exception):
    """Base class for all future-related exceptions."""


class CancelledError(Error):
    """The Future was cancelled."""


TimeoutError = TimeoutError  # make local alias for the standard exception


class InvalidStateError(Error):
    """The operation is not allowed in this state."""


class _Waiter:
    """Provides the event that wait() and as_completed() block on."""

    def __init__(self):
        self.event = threading.Event()
        self.finished_futures = []

    def add_result(self, future):
        self.finished_futures.append(future)

    def add_exception(self, future):
        self.finished_futures.append(future)

    def add_cancelled(self, future):
        self.finished_futures.append(future)


class _AsCompletedWaiter(_Waiter):
    """Used by as_completed()."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()

    def add_result(self, future):
        with self.lock:
            super().add_result(future)
            self.event.set()

    def add_exception(self, future):
        with self.lock:
            super().add_exception(future)
            self.event.set()

    def add_cancelled(self, future):
        with self.lock:
            super().add_cancelled(future)
            self.event.set()


class _FirstCompletedWaiter(_Waiter):
    """Used by wait(return_when=FIRST_COMPLETED)."""

    def add_result(self, future):
        super().add_result(future)
        self.event.set()

    def add_exception(self, future):
        super().add_exception(future)
        self.event.set()

    def add_cancelled(self, future):
        super().add_cancelled(future)
        self.event.set()


class _AllCompletedWaiter(_Waiter):
    """Used by wait(return_when=FIRST_EXCEPTION and ALL_COMPLETED).

    Counts the futures it waits for as it is put on them (expect()), from one: that last one,
    dropped by installed() once every future has the waiter, keeps the event from being set
    while it is still being put on futures."""

    def __init__(self, stop_on_exception):
        self.num_pending_calls = 1
        self.stop_on_exception = stop_on_exception
        self.lock = threading.Lock()
        super().__init__()

    def expect(self):
        with self.lock:
            self.num_pending_calls += 1

    def installed(self):
        self._decrement_pending_calls()

    def _decrement_pending_calls(self):
        with self.lock:
            self.num_pending_calls -= 1
            if not self.num_pending_calls:
                self.event.set()

    def add_result(self, future):
        super().add_result(future)
        self._decrement_pending_calls()

    def add_exception(self, future):
        super().add_exception(future)
        if self.stop_on_exception:
            self.event.set()
        else:
            self._decrement_pending_calls()

    def add_cancelled(self, future):
        super().add_cancelled(future)
        self._decrement_pending_calls()


def _create_waiter(return_when):
    if return_when == _AS_COMPLETED:
        return _AsCompletedWaiter()
    elif return_when == FIRST_COMPLETED:
        return _FirstCompletedWaiter()
    elif return_when == FIRST_EXCEPTION:
        return _AllCompletedWaiter(stop_on_exception=True)
    elif return_when == ALL_COMPLETED:
        return _AllCompletedWaiter(stop_on_exception=False)
    raise ValueError("Invalid return condition: %r" % return_when)


def _install_waiter(fs, waiter):
    # Puts `waiter` on every future of `fs` that has not settled yet (finished, or cancelled
    # and seen by a worker); returns the set of those that had.
    counting = isinstance(waiter, _AllCompletedWaiter)
    settled = set()
    for f in fs:
        if counting:
            waiter.expect()
        if not f._add_waiter(waiter):
            settled.add(f)
            if counting:
                waiter._decrement_pending_calls()
    if counting:
        waiter.installed()
    return settled


def _remove_waiter(fs, waiter):
    for f in fs:
        f._remove_waiter(waiter)


class _AsCompletedIterator:
    # CPython's as_completed() generator as an explicit state machine: `finished` holds the
    # futures ready to be handed out (popped from the end, so stored in reverse finishing order).
    def __init__(self, fs, timeout):
        if timeout is not None:
            self._end_time = timeout + time.monotonic()
        self._timeout = timeout
        fs = set(fs)
        self._total_futures = len(fs)
        self._waiter = _create_waiter(_AS_COMPLETED)
        finished = _install_waiter(fs, self._waiter)
        self._pending = fs - finished
        self._fs = fs
        self._finished = list(finished)
        self._ref_collect = (fs,)
        self._closed = False

    def __iter__(self):
        return self

    def _close(self):
        # The generator's `finally`: remove the waiter from the unfinished futures.
        if not self._closed:
            self._closed = True
            _remove_waiter(self._fs, self._waiter)

    def __next__(self):
        if self._closed:
            raise StopIteration
        try:
            while True:
                if self._finished:
                    f = self._finished[-1]
                    for futures_set in self._ref_collect:
                        futures_set.remove(f)
                    f._remove_waiter(self._waiter)
                    return self._finished.pop()
                if not self._pending:
                    break
                if self._timeout is None:
                    wait_timeout = None
                else:
                    wait_timeout = self._end_time - time.monotonic()
                    if wait_timeout < 0:
                        raise TimeoutError(
                            "%d (of %d) futures unfinished"
                            % (len(self._pending), self._total_futures)
                        )

                self._waiter.event.wait(wait_timeout)

                with self._waiter.lock:
                    finished = self._waiter.finished_futures
                    self._waiter.finished_futures = []
                    self._waiter.event.clear()

                # reverse to keep finishing order
                finished.reverse()
                self._finished = finished
                self._ref_collect = (self._fs, self._pending)
        except BaseException:
            self._close()
            raise
        self._close()
        raise StopIteration


def as_completed(fs, timeout=None):
    """An iterator over the given futures that yields each as it completes.

    Raises TimeoutError if the entire result iterator could not be generated before the given
    timeout.
    """
    return _AsCompletedIterator(fs, timeout)


class DoneAndNotDoneFutures:
    """DoneAndNotDoneFutures(done, not_done): the named 2-tuple wait() returns."""

    _fields = ("done", "not_done")

    def __init__(self, done, not_done):
        self.done = done
        self.not_done = not_done

    def __iter__(self):
        return iter((self.done, self.not_done))

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return (self.done, self.not_done)[index]

    def __eq__(self, other):
        if isinstance(other, DoneAndNotDoneFutures):
            other = (other.done, other.not_done)
        return (self.done, self.not_done) == other

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self.done, self.not_done))

    def __repr__(self):
        return f"DoneAndNotDoneFutures(done={self.done!r}, not_done={self.not_done!r})"

    def _asdict(self):
        return {"done": self.done, "not_done": self.not_done}


def wait(fs, timeout=None, return_when=ALL_COMPLETED):
    """Wait for the futures in the given sequence to complete.

    Returns a named 2-tuple of sets: 'done' (finished or cancelled before the wait completed)
    and 'not_done'.
    """
    fs = set(fs)
    # CPython checks return_when only once it has to wait.
    known = return_when in (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED)
    if known:
        waiter = _create_waiter(return_when)
        done = _install_waiter(fs, waiter)
    else:
        done = set(f for f in fs if f._state in [CANCELLED_AND_NOTIFIED, FINISHED])
    not_done = fs - done
    early = len(done) == len(fs)
    if (return_when == FIRST_COMPLETED) and done:
        early = True
    elif (return_when == FIRST_EXCEPTION) and done:
        for f in done:
            if not f.cancelled() and f.exception() is not None:
                early = True
    if early:
        if known:
            _remove_waiter(not_done, waiter)
        return DoneAndNotDoneFutures(done, not_done)
    if not known:
        _create_waiter(return_when)

    waiter.event.wait(timeout)
    _remove_waiter(fs, waiter)

    done.update(waiter.finished_futures)
    return DoneAndNotDoneFutures(done, fs - done)


def _result_or_cancel(fut, timeout=None):
    try:
        try:
            return fut.result(timeout)
        finally:
            fut.cancel()
    finally:
        # Break a reference cycle with the exception in self._exception
        del fut


class _ResultIterator:
    # The generator Executor.map() returns in CPython: results in submission order, each waited
    # for (with what is left of the timeout) and raised when reached; on an error or timeout
    # the futures not yet reached are cancelled. `fs` is reversed so the next one is at the end.
    def __init__(self, fs, timeout, end_time):
        fs.reverse()
        self._fs = fs
        self._timeout = timeout
        self._end_time = end_time

    def __iter__(self):
        return self

    def result_iterator(self):
        fs = self._fs
        if not fs:
            raise StopIteration
        try:
            # Careful not to keep a reference to the popped future
            if self._timeout is None:
                return _result_or_cancel(fs.pop())
            else:
                return _result_or_cancel(fs.pop(), self._end_time - time.monotonic())
        except BaseException:
            for future in fs:
                future.cancel()
            fs.clear()
            raise

    # Named so that tracebacks through map() read as CPython's (its generator is result_iterator).
    __next__ = result_iterator


class Executor:
    """This is an abstract base class for concrete asynchronous executors."""

    def submit(self, fn, /, *args, **kwargs):
        """Submits a callable to be executed with the given arguments.

        Returns a Future representing the given call.
        """
        raise NotImplementedError()

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        """Returns an iterator equivalent to map(fn, iter).

        Results come in order; an exception raised by a call is raised when its
        value would be retrieved from the iterator. Raises TimeoutError if the
        entire result iterator could not be generated before the given timeout.
        """
        end_time = None
        if timeout is not None:
            end_time = timeout + time.monotonic()

        fs = [self.submit(fn, *args) for args in zip(*iterables)]
        return _ResultIterator(fs, timeout, end_time)

    def shutdown(self, wait=True, *, cancel_futures=False):
        """Clean-up the resources associated with the Executor.

        It is safe to call this method several times. Otherwise, no other
        methods can be called after this one.
        """
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.shutdown(wait=True)
        return False


class BrokenExecutor(RuntimeError):
    """
    Raised when a executor has become non-functional after a severe failure.
    """
