# gilsim's concurrent.futures.process: ProcessPoolExecutor over multiprocessing's Pool (child
# interpreters, each with its own GIL, fed through the crossbeam-deque task board).
#
# As CPython's executor, at most max_workers + 1 calls are handed to the workers at a time; the
# rest wait here as PENDING futures, so they can still be cancelled. A call becomes RUNNING when
# it is handed over.
import os
import threading
import multiprocessing
from concurrent.futures import _base

EXTRA_QUEUED_CALLS = 1


class BrokenProcessPool(_base.BrokenExecutor):
    """
    Raised when a process in a ProcessPoolExecutor terminated abruptly
    while a future was in the running state.
    """


class _RemoteTraceback(Exception):
    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


def _process_chunk(fn, chunk):
    return [fn(*args) for args in chunk]


def _get_chunks(iterables, chunksize):
    items = list(zip(*iterables))
    return [items[i:i + chunksize] for i in range(0, len(items), chunksize)]


class _Chain:
    # The results of map's chunks, one item at a time.
    def __init__(self, chunks):
        self._chunks = chunks
        self._pending = []

    def __iter__(self):
        return self

    def __next__(self):
        while not self._pending:
            self._pending = list(next(self._chunks))
        return self._pending.pop(0)


class ProcessPoolExecutor(_base.Executor):
    def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=(), *,
                 max_tasks_per_child=None):
        if max_workers is None:
            max_workers = os.cpu_count() or 1
        elif max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        if max_tasks_per_child is not None:
            if not isinstance(max_tasks_per_child, int):
                raise TypeError("max_tasks_per_child must be an integer")
            elif max_tasks_per_child <= 0:
                raise ValueError("max_tasks_per_child must be >= 1")
        self._max_workers = max_workers
        self._initializer = initializer
        self._initargs = initargs
        self._max_tasks = max_tasks_per_child
        self._pool = None
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._waiting = []
        self._in_flight = 0
        self._shutdown_thread = False
        self._broken = False

    def _start_pool(self):
        if self._pool is None:
            self._pool = multiprocessing.Pool(self._max_workers, self._initializer,
                                              self._initargs, self._max_tasks)

    def _feed(self):
        # Called with the lock held: hand waiting calls to the workers while there is room.
        if self._pool is not None and self._pool._broken is not None:
            # A worker died: what is still waiting fails as what was running did.
            self._broken = self._pool._broken.args[0]
            for f, fn, args, kwargs in self._waiting:
                if f.set_running_or_notify_cancel():
                    f.set_exception(BrokenProcessPool(self._broken))
            self._waiting = []
        while self._waiting and self._in_flight < self._max_workers + EXTRA_QUEUED_CALLS:
            f, fn, args, kwargs = self._waiting.pop(0)
            if not f.set_running_or_notify_cancel():
                continue
            self._in_flight += 1
            self._pool.apply_async(fn, args, kwargs,
                                   callback=self._done_callback(f, True),
                                   error_callback=self._done_callback(f, False))
        if not self._waiting and self._in_flight == 0:
            self._idle.notify_all()

    def _done_callback(self, f, ok):
        def done(value):
            with self._lock:
                self._in_flight -= 1
                self._feed()
            if ok:
                f.set_result(value)
            else:
                cause = value.__cause__
                if cause is not None and hasattr(cause, "tb"):
                    value.__cause__ = _RemoteTraceback(cause.tb)
                f.set_exception(value)
        return done

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            if self._pool is not None and self._pool._broken is not None:
                self._broken = self._pool._broken.args[0]
            if self._broken:
                raise BrokenProcessPool(self._broken)
            if self._shutdown_thread:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._start_pool()
            f = _base.Future()
            self._waiting.append((f, fn, args, kwargs))
            self._feed()
            return f

    submit.__doc__ = _base.Executor.submit.__doc__

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        if chunksize < 1:
            raise ValueError("chunksize must be >= 1.")
        chunks = _get_chunks(iterables, chunksize)
        results = _base.Executor.map(self, _process_chunk, [fn] * len(chunks), chunks,
                                     timeout=timeout)
        return _Chain(results)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            self._shutdown_thread = True
            if cancel_futures:
                for f, fn, args, kwargs in self._waiting:
                    f.cancel()
                self._waiting = []
            if wait:
                while self._waiting or self._in_flight:
                    self._idle.wait()
        if self._pool is not None:
            self._pool.close()
            if wait:
                self._pool.join()

    shutdown.__doc__ = _base.Executor.shutdown.__doc__
