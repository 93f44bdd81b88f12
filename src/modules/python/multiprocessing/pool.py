# multiprocessing.pool (as CPython's module of that name): Pool, whose workers are child processes
# taking chunks from a native task board, and ThreadPool, the same API over threads of this
# interpreter. Imported on first use (multiprocessing.Pool() does it).
import _multiprocessing as _mp
import _thread
import os as _os
import threading as _threading
import time as _time
import queue as _queue
from multiprocessing import Process, TimeoutError


class RemoteTraceback(Exception):
    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


class MaybeEncodingError(Exception):
    def __init__(self, exc, value):
        self.exc = repr(exc)
        self.value = repr(value)
        super().__init__(self.exc, self.value)

    def __str__(self):
        return "Error sending result: '%s'. Reason: '%s'" % (self.value, self.exc)


def _run_task(func, chunk, star, kwds):
    if star:
        return [func(*args, **kwds) for args in chunk]
    return [func(x) for x in chunk]


def _worker_loop(take, put, initializer, initargs, maxtasks, index):
    # The body of every pool worker, process or thread: take a task, run it, send the result:
    # to the pool's result handler, or, when the task carries a Reply, straight to the caller.
    if initializer is not None:
        initializer(*initargs)
    completed = 0
    while maxtasks is None or completed < maxtasks:
        task = take()
        if task is None:
            return
        job, i, func, chunk, star, kwds, reply = task
        answer = put if reply is None else reply.put
        leaving = None
        try:
            result = (job, i, True, _run_task(func, chunk, star, kwds))
        except BaseException as e:
            # A worker being killed (terminate(), os.kill) dies without answering, as a CPython
            # worker would, and the pool then breaks. A task that exits the worker
            # (sys.exit) still answers, so nothing waits for it forever; then the worker ends
            # and the pool replaces it.
            if _mp.terminating():
                raise
            if not isinstance(e, Exception):
                leaving = e
            tb = '\n"""\n' + _thread._format_exception(e) + '"""'
            result = (job, i, False, (e, tb))
        try:
            answer(result)
        except Exception as e:
            answer((job, i, False, (MaybeEncodingError(e, result[3]), None)))
        completed += 1
        if leaving is not None:
            put(("exit", index))
            raise leaving
    put(("exit", index))


def _process_worker(board, index, results, initializer, initargs, maxtasks):
    _worker_loop(lambda: board.take(index), results.put, initializer, initargs, maxtasks, index)


RUN = 0
CLOSE = 1
TERMINATE = 2

# Job ids, unique in the process (as CPython's itertools.count() job_counter): one native
# next() each, atomic whatever the GIL does.
_job_counter = iter(range(1 << 62))

# Under --deterministic, results wait on a threading.Event, whose waits are on locks the
# scheduler knows; otherwise on a native flag, whose set() and wait() are one native call
# each where Event's go through a Condition (get() is the pool's round trip; see
# benches/processes.rs).
_DETERMINISTIC = _mp.deterministic()


def _received(ok, value):
    # A failed task's (exception, traceback text) as the exception to raise, the traceback
    # as its cause (CPython's RemoteTraceback).
    if ok:
        return value
    exc, tb = value
    if tb is not None:
        exc.__cause__ = RemoteTraceback(tb)
    return exc


class ApplyResult:
    # As CPython's: _success and _value are set when the result comes (ready() first).
    #
    # A result with nothing to call back (with pool._direct_replies) is answered by the worker
    # straight into a native Reply, which is then also its event: the first thread to find it
    # set takes the answer in (under the pool's _taking lock). The others come through the
    # pool's result handler, which calls _set, as CPython's do (so callbacks run on that
    # thread).
    def __init__(self, pool, callback, error_callback):
        self._job = next(_job_counter)
        self._pool = pool
        if callback is None and error_callback is None and pool._direct_replies:
            self._reply = self._event = _mp.Reply()
        else:
            self._reply = None
            self._event = _threading.Event() if _DETERMINISTIC else _mp.Flag()
        self._callback = callback
        self._error_callback = error_callback
        pool._cache[self._job] = self

    def ready(self):
        if not self._event.is_set():
            return False
        if self._reply is not None:
            self._take_reply()
        return True

    def _take_reply(self):
        with self._pool._taking:
            reply = self._reply
            if reply is None:
                return
            answer = reply.take()
            self._reply = None
            if answer is not None:
                # (None: settled by _set already, as _break does.) Nothing to call back, and
                # the event (the reply) is set: _set's work but for those.
                job, i, ok, value = answer
                self._success = ok
                self._value = value[0] if ok else _received(ok, value)
                self._pool._cache.pop(self._job, None)

    def successful(self):
        if not self.ready():
            raise ValueError("%r not ready" % self)
        return self._success

    def wait(self, timeout=None):
        self._event.wait(timeout)

    def get(self, timeout=None):
        reply = self._reply
        if reply is not None:
            # The round trip's path (apply(), apply_async().get()): one native wait.
            if not reply.wait(timeout):
                raise TimeoutError
            self._take_reply()
        else:
            self._event.wait(timeout)
            if not self.ready():
                raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, ok, value):
        with self._pool._taking:
            self._success = ok
            self._value = value[0] if ok else value
            self._finish()

    def _finish(self):
        if self._success and self._callback is not None:
            self._callback(self._value)
        if not self._success and self._error_callback is not None:
            self._error_callback(self._value)
        self._event.set()
        self._pool._cache.pop(self._job, None)


AsyncResult = ApplyResult


class MapResult(ApplyResult):
    def __init__(self, pool, chunksize, length, callback, error_callback):
        ApplyResult.__init__(self, pool, callback, error_callback)
        self._success = True
        self._value = [None] * length
        self._chunksize = chunksize
        self._number_left = 0 if chunksize <= 0 else length // chunksize + bool(length % chunksize)
        if self._number_left == 0:
            self._finish()

    def _set(self, i, ok, value):
        self._number_left -= 1
        if ok and self._success:
            self._value[i * self._chunksize:(i + 1) * self._chunksize] = value
            if self._number_left == 0:
                self._finish()
        elif not ok and self._success:
            # As CPython: the first failure decides the result at once.
            self._success = False
            self._value = value
            self._finish()


class IMapIterator:
    def __init__(self, pool, ordered):
        self._job = next(_job_counter)
        self._pool = pool
        self._cond = _threading.Condition()
        self._ordered = ordered
        # Results not yet handed out. Ordered: by index, in _slots[i - _base] (None until it
        # comes); unordered: in the order they came, _done[_head:]. Lists read from a moving
        # start, not a dict or pop(0): a dict's pop and a list's pop(0) cost the length, which
        # made a long imap quadratic (100,000 tasks took 30 s; see tests/load.rs).
        self._slots = []
        self._base = 0
        self._done = []
        self._head = 0
        self._next_index = 0
        self._length = None
        self._received = 0
        pool._cache[self._job] = self

    def __iter__(self):
        return self

    def _set(self, i, ok, value):
        with self._cond:
            if self._ordered:
                j = i - self._base
                if j >= len(self._slots):
                    self._slots.extend([None] * (j + 1 - len(self._slots)))
                self._slots[j] = (ok, value)
            else:
                self._done.append((ok, value))
            self._received += 1
            self._cond.notify_all()

    def _set_length(self, length):
        with self._cond:
            self._length = length
            self._cond.notify_all()

    def _ready(self):
        if self._ordered:
            j = self._next_index - self._base
            return j < len(self._slots) and self._slots[j] is not None
        return len(self._done) > self._head

    def next(self, timeout=None):
        with self._cond:
            while not self._ready():
                if self._length is not None and self._next_index >= self._length:
                    self._pool._cache.pop(self._job, None)
                    raise StopIteration
                if not self._cond.wait(timeout) and not self._ready():
                    raise TimeoutError
            if self._ordered:
                j = self._next_index - self._base
                ok, value = self._slots[j]
                self._slots[j] = None
                if j >= 1024 and j * 2 >= len(self._slots):
                    del self._slots[: j + 1]
                    self._base = self._next_index + 1
            else:
                ok, value = self._done[self._head]
                self._done[self._head] = None
                self._head += 1
                if self._head > 1024 and self._head * 2 > len(self._done):
                    del self._done[: self._head]
                    self._head = 0
            self._next_index += 1
        if not ok:
            raise value
        return value

    __next__ = next


def _chunks(iterable, size):
    items = list(iterable)
    return [items[i:i + size] for i in range(0, len(items), size)]


class Pool:
    _wrap_exception = True

    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
        if processes is None:
            processes = _os.cpu_count() or 1
        if processes < 1:
            raise ValueError("Number of processes must be at least 1")
        if maxtasksperchild is not None:
            if not isinstance(maxtasksperchild, int) or maxtasksperchild <= 0:
                raise ValueError("maxtasksperchild must be a positive int or None")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._processes = processes
        self._initializer = initializer
        self._initargs = initargs
        self._maxtasks = maxtasksperchild
        self._cache = {}
        # Held while a result is set, so that a result answered into its Reply is taken in
        # once (ApplyResult._take_reply).
        self._taking = _threading.RLock()
        self._sweep_at = 1000
        self._state = RUN
        self._setup_queues()
        self._pool = [None] * processes
        for i in range(processes):
            self._pool[i] = self._start_worker(i)
        self._broken = None
        self._handler = _threading.Thread(target=self._handle_results, daemon=True)
        self._handler.start()
        self._start_watcher()

    def _setup_queues(self):
        self._board = _mp.TaskBoard(self._processes)
        self._results = _mp.Channel(0)

    def _start_watcher(self):
        _threading.Thread(target=self._watch_workers, daemon=True).start()

    def _watch_workers(self):
        # As CPython's worker handler, a look at the workers whenever one ends. A worker that
        # died (killed by a signal, or ended by an internal error) took its task with it:
        # rather than leave its caller waiting for ever (as CPython's Pool does), every pending
        # result fails with BrokenProcessPool, as ProcessPoolExecutor's futures do.
        while self._state == RUN and self._broken is None:
            workers = list(self._pool)
            ended = [w for w in workers if w.exitcode is not None]
            if not ended:
                # Until one ends: a wait with no timeout, so that a deadlock in the pool is
                # reported (a thread polling every 0.1 s would count as one that moves on).
                _mp.wait_ended([w._handle for w in workers])
                continue
            # A worker that ends on its own (maxtasksperchild, a task's sys.exit) says so
            # first, and the result handler replaces it: one still there a moment later died.
            _time.sleep(0.1)
            for w in ended:
                if self._state == RUN and w.exitcode != 0 and w in self._pool:
                    self._break(w, w.exitcode)
                    return

    def _break(self, worker, code):
        from concurrent.futures.process import BrokenProcessPool
        self._broken = BrokenProcessPool(
            "A process in the process pool was terminated abruptly while the future was "
            "running or pending.")
        self._broken.__cause__ = RuntimeError(
            "%s (pid %s) ended with exit code %s" % (worker.name, worker.pid, code))
        for result in list(self._cache.values()):
            result._set(getattr(result, "_next_index", 0), False, self._broken)

    def _start_worker(self, index):
        w = Process(target=_process_worker,
                    args=(self._board, index, self._results, self._initializer,
                          self._initargs, self._maxtasks))
        w.name = w.name.replace("Process", "SpawnPoolWorker")
        w.daemon = True
        w.start()
        return w

    def _put_task(self, task):
        self._board.push(task)

    # Replies straight from the workers (see ApplyResult) only with the interp backend, where a
    # Reply is one object in this process; the os backend's broker would keep one a task.
    _direct_replies = _mp.backend() == "interp" and not _DETERMINISTIC

    def _sweep_cache(self):
        # A result answered into its Reply leaves the cache when it is taken in; one nobody
        # asks for, once its answer came (so that _break has nothing to do for it), here, when
        # the cache has grown.
        for job, result in list(self._cache.items()):
            if result._reply is not None and result._event.is_set():
                self._cache.pop(job, None)
        self._sweep_at = 2 * len(self._cache) + 1000

    def _next_result(self):
        return self._results.get()[1]

    def _post_result(self, item):
        self._results.put(item)

    def _close_tasks(self):
        self._board.close()

    def _handle_results(self):
        while True:
            item = self._next_result()
            if item is None:
                return
            if item[0] == "exit":
                if self._state == RUN:
                    self._pool[item[1]] = self._start_worker(item[1])
                continue
            job, i, ok, value = item
            value = _received(ok, value)
            result = self._cache.get(job)
            if result is not None:
                result._set(i, ok, value)

    def _check_running(self):
        if self._state != RUN:
            raise ValueError("Pool not running")
        if self._broken is not None:
            raise self._broken

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        if self._state != RUN or self._broken is not None:
            self._check_running()
        if len(self._cache) > self._sweep_at:
            self._sweep_cache()
        result = ApplyResult(self, callback, error_callback)
        self._put_task((result._job, 0, func, [tuple(args)], True, dict(kwds), result._reply))
        return result

    def apply(self, func, args=(), kwds={}):
        return self.apply_async(func, args, kwds).get()

    def _map_async(self, func, iterable, star, chunksize, callback, error_callback):
        self._check_running()
        if not hasattr(iterable, "__len__"):
            iterable = list(iterable)
        if chunksize is None:
            chunksize, extra = divmod(len(iterable), len(self._pool) * 4)
            if extra:
                chunksize += 1
        if len(iterable) == 0:
            chunksize = 0
        result = MapResult(self, chunksize, len(iterable), callback, error_callback)
        if chunksize:
            for i, chunk in enumerate(_chunks(iterable, chunksize)):
                self._put_task((result._job, i, func, chunk, star, {}, None))
        return result

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, False, chunksize, callback, error_callback)

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, True, chunksize, callback, error_callback)

    def map(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, False, chunksize, None, None).get()

    def starmap(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, True, chunksize, None, None).get()

    def _imap(self, func, iterable, chunksize, ordered):
        self._check_running()
        if chunksize < 1:
            raise ValueError("Chunksize must be 1+, not {0:n}".format(chunksize))
        it = IMapIterator(self, ordered)
        count = 0
        for chunk in _chunks(iterable, chunksize):
            it_job = (it._job, count, func, chunk, False, {}, None)
            count += 1
            self._put_task(it_job)
        it._set_length(count)
        return _Flatten(it)

    def imap(self, func, iterable, chunksize=1):
        return self._imap(func, iterable, chunksize, True)

    def imap_unordered(self, func, iterable, chunksize=1):
        return self._imap(func, iterable, chunksize, False)

    def close(self):
        if self._state == RUN:
            self._state = CLOSE
            self._close_tasks()

    def terminate(self):
        self._state = TERMINATE
        self._close_tasks()
        for w in self._pool:
            w.terminate()
        for w in self._pool:
            w.join()
        self._post_result(None)

    def join(self):
        if self._state == RUN:
            raise ValueError("Pool is still running")
        for w in self._pool:
            w.join()
        self._post_result(None)
        self._handler.join()

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, *args):
        self.terminate()

    def __repr__(self):
        state = ["RUN", "CLOSE", "TERMINATE"][self._state]
        return "<%s.%s state=%s pool_size=%d>" % ("multiprocessing.pool", type(self).__name__,
                                                 state, len(self._pool))


class _Flatten:
    # imap's results are chunks; this hands them out one item at a time.
    def __init__(self, it):
        self._it = it
        self._pending = []

    def __iter__(self):
        return self

    def next(self, timeout=None):
        while not self._pending:
            chunk = self._it.next(timeout)
            # Reversed, so each item is a pop() from the end (pop(0) is quadratic in the
            # chunk's length).
            self._pending = list(chunk)
            self._pending.reverse()
        return self._pending.pop()

    __next__ = next


class _ThreadWorker(_threading.Thread):
    def __init__(self, pool, index):
        _threading.Thread.__init__(self, daemon=True)
        self._pool = pool
        self._index = index

    def run(self):
        p = self._pool
        _worker_loop(p._tasks.get, p._results.put, p._initializer, p._initargs, p._maxtasks,
                     self._index)

    def terminate(self):
        pass


class ThreadPool(Pool):
    # multiprocessing.pool.ThreadPool: the same API over threads of this interpreter, which
    # share its GIL (F8). Nothing is serialized, so lambdas and closures work as in CPython
    # (and results all come through the result handler: a Reply serializes).
    _direct_replies = False

    def __init__(self, processes=None, initializer=None, initargs=()):
        Pool.__init__(self, processes, initializer, initargs)

    def _setup_queues(self):
        self._tasks = _queue.SimpleQueue()
        self._results = _queue.SimpleQueue()

    def _start_watcher(self):
        pass  # threads cannot die on their own

    def _start_worker(self, index):
        w = _ThreadWorker(self, index)
        w.name = "Thread-%d (worker)" % (index + 1)
        w.start()
        return w

    def _put_task(self, task):
        self._tasks.put(task)

    def _next_result(self):
        return self._results.get()

    def _post_result(self, item):
        self._results.put(item)

    def _close_tasks(self):
        for _ in self._pool:
            self._tasks.put(None)

    def terminate(self):
        self._state = TERMINATE
        self._close_tasks()
        self._post_result(None)


# ---- managers --------------------------------------------------------------------------
# As CPython's SyncManager: the shared objects live in a server process; proxies in any
# process forward each operation to it over a channel and wait for the answer on a channel
