# gilsim's concurrent.futures.thread: CPython 3.11's ThreadPoolExecutor (a queue of work items,
# workers started lazily, one per submit while none is idle, joined before the non-daemon threads
# at exit). A task's path is native (_futures.WorkQueue, src/modules/futures/work.rs): submit()
# makes the future and queues the call in one call once every worker is started, and a worker
# runs one item a call of run_next(). Differences from CPython: the work queue is a
# _futures.WorkQueue (SimpleQueue's methods, plus those), which shutdown closes to submit(); idle
# workers are those waiting on it with no item for them, not counted by a semaphore; work items
# are native (`future`, `fn`, `args`, `kwargs`, `run()`). No weakref in the subset: workers hold
# the executor itself, so an executor that is dropped without shutdown() keeps its idle workers
# until the interpreter exits.
from concurrent.futures import _base
import queue
import threading
import os
import _futures

_threads_queues = {}
_shutdown = False
# Lock that ensures that new workers are not created while the interpreter is
# shutting down. Must be held while mutating _threads_queues and _shutdown.
_global_shutdown_lock = threading.Lock()


def _python_exit():
    global _shutdown
    with _global_shutdown_lock:
        _shutdown = True
    items = list(_threads_queues.items())
    for t, q in items:
        q.close()
        q.put(None)
    for t, q in items:
        t.join()


# Called just before the non-daemon threads are joined at exit.
threading._register_atexit(_python_exit)


def _worker(executor, work_queue, initializer, initargs):
    if initializer is not None:
        try:
            initializer(*initargs)
        except BaseException as exc:
            _base._log("Exception in initializer:", exc)
            executor._initializer_failed()
            return
    try:
        while True:
            # Each call runs one work item (CPython's _WorkItem.run); false when the item was
            # None, a wake-up.
            while work_queue.run_next():
                pass

            # Exit if:
            #   - The interpreter is shutting down OR
            #   - The executor that owns the worker has been shutdown.
            if _shutdown or executor._shutdown:
                # Flag the executor as shutting down as early as possible.
                executor._shutdown = True
                # Notice other workers
                work_queue.put(None)
                return
    except BaseException as exc:
        _base._log("Exception in worker", exc)


class BrokenThreadPool(_base.BrokenExecutor):
    """
    Raised when a worker thread in a ThreadPoolExecutor failed initializing.
    """


_executor_count = 0


def _next_executor_number():
    # CPython's ThreadPoolExecutor._counter (itertools.count().__next__).
    global _executor_count
    n = _executor_count
    _executor_count += 1
    return n


class ThreadPoolExecutor(_base.Executor):
    def __init__(self, max_workers=None, thread_name_prefix="", initializer=None, initargs=()):
        """Initializes a new ThreadPoolExecutor instance.

        Args:
            max_workers: The maximum number of threads that can be used to
                execute the given calls.
            thread_name_prefix: An optional name prefix to give our threads.
            initializer: A callable used to initialize worker threads.
            initargs: A tuple of arguments to pass to the initializer.
        """
        if max_workers is None:
            # We use cpu_count + 4 for both CPU-bound tasks that release the GIL and I/O-bound
            # tasks, limited to 32 to avoid consuming surprisingly large resources.
            max_workers = min(32, (os.cpu_count() or 1) + 4)
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")

        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")

        self._max_workers = max_workers
        self._work_queue = _futures.WorkQueue()
        self._threads = set()
        self._broken = False
        self._shutdown = False
        self._shutdown_lock = threading.Lock()
        self._thread_name_prefix = thread_name_prefix or (
            "ThreadPoolExecutor-%d" % _next_executor_number()
        )
        self._initializer = initializer
        self._initargs = initargs

    def submit(self, fn, /, *args, **kwargs):
        if len(self._threads) == self._max_workers:
            # Every worker is started: the queue's submit is all it takes. It refuses (None)
            # once the queue is closed, which happens under the locks below.
            f = self._work_queue.submit(fn, args, kwargs)
            if f is not None:
                return f
        with self._shutdown_lock, _global_shutdown_lock:
            if self._broken:
                raise BrokenThreadPool(self._broken)

            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if _shutdown:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")

            f = self._work_queue.submit(fn, args, kwargs)
            if f is None:
                # Closed without the flags above: only shutdown() and a failed initializer
                # close it, both setting them first.
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._adjust_thread_count()
            return f

    def _adjust_thread_count(self):
        # if idle threads are available, don't spin new threads
        if self._work_queue.has_idle_worker():
            return

        num_threads = len(self._threads)
        if num_threads < self._max_workers:
            thread_name = "%s_%d" % (self._thread_name_prefix or self, num_threads)
            t = threading.Thread(
                name=thread_name,
                target=_worker,
                args=(self, self._work_queue, self._initializer, self._initargs),
            )
            t.start()
            self._threads.add(t)
            _threads_queues[t] = self._work_queue

    def _initializer_failed(self):
        with self._shutdown_lock:
            self._broken = (
                "A thread initializer failed, the thread pool is not usable anymore"
            )
            self._work_queue.close()
            # Drain work queue and mark pending futures failed
            for work_item in self._drain_work_items():
                work_item.future.set_exception(BrokenThreadPool(self._broken))

    def _drain_work_items(self):
        # The work items still queued, taken off the queue.
        items = []
        while True:
            try:
                work_item = self._work_queue.get_nowait()
            except queue.Empty:
                return items
            if work_item is not None:
                items.append(work_item)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._shutdown_lock:
            self._shutdown = True
            self._work_queue.close()
            if cancel_futures:
                # Drain all work items from the queue, and then cancel their
                # associated futures.
                for work_item in self._drain_work_items():
                    work_item.future.cancel()

            # Send a wake-up to prevent threads calling
            # _work_queue.get(block=True) from permanently blocking.
            self._work_queue.put(None)
        if wait:
            for t in self._threads:
                t.join()
