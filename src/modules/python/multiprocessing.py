# gilsim's multiprocessing: CPython's API over process mode (src/process/). Each Process is a
# child interpreter with its own heap and GIL, started as CPython's "spawn" start method does;
# values cross only as serialized copies. The primitives (queues, pipes, locks, shared values,
# the pool's task board) are native objects in _multiprocessing that several interpreters share.
import _multiprocessing as _mp
import _thread
import os as _os
import sys as _sys
import threading as _threading
import time as _time
import queue as _queue


class ProcessError(Exception):
    pass


class BufferTooShort(ProcessError):
    pass


class TimeoutError(ProcessError):
    pass


class AuthenticationError(ProcessError):
    pass


_exitcode_to_name = {-15: "-SIGTERM", -9: "-SIGKILL", -2: "-SIGINT", -6: "-SIGABRT"}

_children = set()
_process_counter = 0


def _next_identity():
    global _process_counter
    _process_counter += 1
    return _current_process._identity + (_process_counter,)


class BaseProcess:
    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, *, daemon=None):
        assert group is None, "group argument must be None for now"
        self._identity = _next_identity()
        self._parent_pid = _os.getpid()
        self._parent_name = _current_process.name
        self._handle = None
        self._closed = False
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        self._name = name or type(self).__name__ + "-" + ":".join(str(i) for i in self._identity)
        self._daemonic = _current_process.daemon if daemon is None else daemon

    def _check_closed(self):
        if self._closed:
            raise ValueError("process object is closed")

    def run(self):
        if self._target:
            self._target(*self._args, **self._kwargs)

    def start(self):
        self._check_closed()
        assert self._handle is None, "cannot start a process twice"
        assert self._parent_pid == _os.getpid(), "can only start a process object created by current process"
        assert not _current_process._daemonic, "daemonic processes are not allowed to have children"
        _cleanup()
        _sys.stdout.flush()
        _sys.stderr.flush()
        self._handle = _mp.spawn(self)
        _children.add(self)

    def terminate(self):
        self._check_closed()
        if self._handle is not None:
            self._handle.signal(-15)

    def kill(self):
        self._check_closed()
        if self._handle is not None:
            self._handle.signal(-9)

    def join(self, timeout=None):
        self._check_closed()
        assert self._parent_pid == _os.getpid(), "can only join a child process"
        assert self._handle is not None, "can only join a started process"
        if self._handle.join(timeout):
            _children.discard(self)

    def is_alive(self):
        self._check_closed()
        if self is _current_process:
            return True
        assert self._parent_pid == _os.getpid(), "can only test a child process"
        if self._handle is None:
            return False
        if self._handle.exitcode() is None:
            return True
        _children.discard(self)
        return False

    def close(self):
        if self._handle is not None:
            if self._handle.exitcode() is None:
                raise ValueError("Cannot close a process while it is still running. "
                                 "You should first call join() or terminate().")
            self._handle = None
            _children.discard(self)
        self._closed = True

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        assert isinstance(name, str), "name must be a string"
        self._name = name

    @property
    def daemon(self):
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic):
        assert self._handle is None, "process has already started"
        self._daemonic = daemonic

    @property
    def exitcode(self):
        self._check_closed()
        if self._handle is None:
            return None
        return self._handle.exitcode()

    @property
    def ident(self):
        self._check_closed()
        if self is _current_process:
            return _os.getpid()
        return self._handle and self._handle.pid

    pid = ident

    @property
    def authkey(self):
        return b"gilsim"

    @property
    def sentinel(self):
        raise NotImplementedError("Process.sentinel: gilsim processes have no OS handles to wait on")

    def __repr__(self):
        exitcode = None
        if self is _current_process:
            status = "started"
        elif self._closed:
            status = "closed"
        elif self._parent_pid != _os.getpid():
            status = "unknown"
        elif self._handle is None:
            status = "initial"
        else:
            exitcode = self._handle.exitcode()
            status = "started" if exitcode is None else "stopped"
        info = [type(self).__name__, "name=%r" % self._name]
        if self._handle is not None:
            info.append("pid=%s" % self._handle.pid)
        info.append("parent=%s" % self._parent_pid)
        info.append(status)
        if exitcode is not None:
            info.append("exitcode=%s" % _exitcode_to_name.get(exitcode, exitcode))
        if self._daemonic:
            info.append("daemon")
        return "<%s>" % " ".join(info)

    def _bootstrap(self):
        # Runs in the child interpreter: the object was rebuilt there from the parent's copy.
        global _current_process, _parent_process, _process_counter, _children
        _current_process = self
        _parent_process = _ParentProcess(self._parent_name, self._parent_pid)
        _process_counter = 0
        _children = set()
        try:
            self.run()
            exitcode = 0
        except SystemExit as e:
            if e.code is None:
                exitcode = 0
            elif isinstance(e.code, int):
                exitcode = e.code
            else:
                _sys.stderr.write(str(e.code) + "\n")
                exitcode = 1
        except BaseException as e:
            exitcode = 1
            _sys.stderr.write("Process %s:\n" % self.name)
            _sys.stderr.write(_thread._format_exception(e))
        finally:
            _threading._shutdown()
            _exit_function()
            _sys.stdout.flush()
        return exitcode


class Process(BaseProcess):
    pass


class _MainProcess(BaseProcess):
    def __init__(self):
        self._identity = ()
        self._name = "MainProcess"
        self._parent_pid = None
        self._handle = None
        self._closed = False
        self._daemonic = False
        self._target = None


class _ParentProcess(BaseProcess):
    def __init__(self, name, pid):
        self._identity = ()
        self._name = name
        self._handle = None
        self._closed = False
        self._daemonic = False
        self._parent_pid = None
        self._pid = pid
        self._target = None

    def is_alive(self):
        return True

    @property
    def ident(self):
        return self._pid

    pid = ident

    def join(self, timeout=None):
        pass


_current_process = _MainProcess()
_parent_process = None


def current_process():
    return _current_process


def parent_process():
    return _parent_process


def _cleanup():
    for p in list(_children):
        if p._handle is not None and p._handle.exitcode() is not None:
            _children.discard(p)


def active_children():
    _cleanup()
    return list(_children)


def _exit_function():
    # As CPython's multiprocessing.util._exit_function at interpreter exit: daemonic children
    # are terminated, the others joined.
    for p in active_children():
        if p._daemonic:
            p.terminate()
    for p in active_children():
        p.join()


def cpu_count():
    n = _os.cpu_count()
    if n is None:
        raise NotImplementedError("cannot determine number of cpus")
    return n


def freeze_support():
    pass


def set_executable(executable):
    pass


def _check_method(method):
    if method not in (None, "spawn"):
        if method in ("fork", "forkserver"):
            raise ValueError("gilsim runs processes as child interpreters, which start as "
                             "'spawn' does; the %r start method is not available" % method)
        raise ValueError("cannot find context for %r" % method)


def get_start_method(allow_none=False):
    return "spawn"


def get_all_start_methods():
    return ["spawn"]


def set_start_method(method, force=False):
    _check_method(method)


class _SpawnContext:
    _name = "spawn"

    def get_start_method(self, allow_none=False):
        return "spawn"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return globals()[name]


_spawn_context = _SpawnContext()


def get_context(method=None):
    _check_method(method)
    return _spawn_context


# ---- queues and pipes ------------------------------------------------------------------


class Queue:
    def __init__(self, maxsize=0, *, ctx=None):
        self._maxsize = maxsize
        self._chan = _mp.Channel(maxsize)
        self._closed = False

    def _check(self):
        if self._closed:
            raise ValueError("Queue %r is closed" % self)

    def put(self, obj, block=True, timeout=None):
        self._check()
        if not self._chan.put(obj, block, timeout):
            raise _queue.Full

    def get(self, block=True, timeout=None):
        self._check()
        ok, item = self._chan.get(block, timeout)
        if not ok:
            raise _queue.Empty
        return item

    def put_nowait(self, obj):
        return self.put(obj, False)

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        return self._chan.qsize()

    def empty(self):
        return self._chan.qsize() == 0

    def full(self):
        return self._maxsize > 0 and self._chan.qsize() >= self._maxsize

    def close(self):
        self._closed = True

    def join_thread(self):
        pass

    def cancel_join_thread(self):
        pass


class JoinableQueue(Queue):
    def task_done(self):
        self._chan.task_done()

    def join(self):
        self._chan.join()


class SimpleQueue:
    def __init__(self, *, ctx=None):
        self._chan = _mp.Channel(0)
        self._closed = False

    def put(self, obj):
        self._chan.put(obj)

    def get(self):
        ok, item = self._chan.get()
        return item

    def empty(self):
        return self._chan.qsize() == 0

    def close(self):
        self._closed = True


class Connection:
    # One handle of a pipe end: it reads channel _in and writes channel _out (either may be
    # None). The channels count the handles of their ends per process, as the OS counts a
    # pipe's file descriptors: a recv() sees EOFError once every handle of the other end is
    # closed, by close() or by the end of the process holding it (a killed one included), and
    # a send() raises BrokenPipeError once nobody can read.
    def __init__(self, incoming, outgoing):
        self._in = incoming
        self._out = outgoing
        self._closed = False
        self._each_end(lambda chan, side: chan.open_end(side, _os.getpid()))

    def _each_end(self, f):
        if self._in is not None:
            f(self._in, "r")
        if self._out is not None:
            f(self._out, "w")

    def __getstate__(self):
        # Sent to another process: the handle is duplicated, as CPython's DupFd does. Until the
        # receiver rebuilds it, the copy in transit is the sender's.
        tickets = []
        if not self._closed:
            pid = _os.getpid()
            self._each_end(lambda chan, side: tickets.append(chan.send_end(side, pid)))
        return (self._in, self._out, self._closed, tickets)

    def __setstate__(self, state):
        self._in, self._out, self._closed, tickets = state
        if tickets:
            pid = _os.getpid()
            it = iter(tickets)
            self._each_end(lambda chan, side: chan.receive_end(side, pid, next(it)))

    @property
    def closed(self):
        return self._closed

    @property
    def readable(self):
        return self._in is not None

    @property
    def writable(self):
        return self._out is not None

    def _check_closed(self):
        if self._closed:
            raise OSError("handle is closed")

    def send(self, obj):
        self._check_closed()
        if self._out is None:
            raise OSError("connection is read-only")
        self._out.put(obj)

    def recv(self):
        self._check_closed()
        if self._in is None:
            raise OSError("connection is write-only")
        ok, item = self._in.get()
        return item

    def send_bytes(self, buf, offset=0, size=None):
        data = bytes(buf)
        if size is None:
            size = len(data) - offset
        self.send(data[offset:offset + size])

    def recv_bytes(self, maxlength=None):
        data = self.recv()
        if maxlength is not None and len(data) > maxlength:
            raise OSError("bad message length")
        return data

    def poll(self, timeout=0.0):
        self._check_closed()
        if self._in is None:
            raise OSError("connection is write-only")
        return self._in.poll(timeout)

    def close(self):
        if not self._closed:
            self._closed = True
            self._each_end(lambda chan, side: chan.close_end(side, _os.getpid()))

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


def Pipe(duplex=True):
    a = _mp.Channel(0)
    if not duplex:
        return Connection(a, None), Connection(None, a)
    b = _mp.Channel(0)
    return Connection(a, b), Connection(b, a)


# ---- synchronization -------------------------------------------------------------------


def Lock():
    return _mp.SemLock("lock", 1, 1)


def RLock():
    return _mp.SemLock("rlock", 1, 1)


def Semaphore(value=1):
    return _mp.SemLock("semaphore", value, 2147483647)


def BoundedSemaphore(value=1):
    return _mp.SemLock("semaphore", value, value)


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


# ---- shared values ---------------------------------------------------------------------

_ctype_names = {"b": "c_byte", "h": "c_short", "i": "c_int", "l": "c_long", "q": "c_longlong",
                "f": "c_float", "d": "c_double", "c": "c_char"}


def _make_lock(lock):
    if lock is True:
        return RLock()
    if lock is False or lock is None:
        return None
    return lock


class _Locked:
    # What Value and Array wrappers share: the shared storage and the lock that guards it.
    def __init__(self, arr, lock):
        self._arr = arr
        self._lock = lock

    def get_lock(self):
        return self._lock

    def get_obj(self):
        return self._arr

    def acquire(self, *args):
        return self._lock.acquire(*args)

    def release(self):
        return self._lock.release()

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)


# `.value` of a shared Value, raw or synchronized: element 0 of its one-element array.
_shared_value = property(lambda self: self._arr.get(0), lambda self, v: self._arr.set(0, v))


class Synchronized(_Locked):
    value = _shared_value

    def __repr__(self):
        return "<Synchronized wrapper for %s(%r)>" % (_ctype_names[self._arr.typecode()], self.value)


def Value(typecode_or_type, *args, lock=True):
    tc = typecode_or_type
    if tc not in _ctype_names:
        raise TypeError("gilsim supports the typecodes %s for Value, not %r" % (", ".join(_ctype_names), tc))
    if args:
        init = args[0]
    elif tc == "c":
        init = b"\x00"
    elif tc in "fd":
        init = 0.0
    else:
        init = 0
    arr = _mp.SharedArray(tc, [init])
    if lock is False:
        return _RawValue(arr)
    return Synchronized(arr, _make_lock(lock))


class _RawValue:
    value = _shared_value

    def __init__(self, arr):
        self._arr = arr

    def __repr__(self):
        return "%s(%r)" % (_ctype_names[self._arr.typecode()], self.value)


def RawValue(typecode_or_type, *args):
    return Value(typecode_or_type, *args, lock=False)


class SynchronizedArray(_Locked):
    def __len__(self):
        return self._arr.__len__()

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._arr.tolist()[i]
        return self._arr.get(i)

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            indices = range(*i.indices(self._arr.__len__()))
            values = list(value)
            if len(values) != len(indices):
                raise ValueError("Can only assign sequence of same size")
            for j, v in zip(indices, values):
                self._arr.set(j, v)
        else:
            self._arr.set(i, value)

    def __iter__(self):
        return iter(self._arr.tolist())

    @property
    def value(self):
        data = b"".join(self._arr.tolist())
        end = data.find(b"\x00")
        return data if end < 0 else data[:end]

    @property
    def raw(self):
        return b"".join(self._arr.tolist())

    def __repr__(self):
        return "<SynchronizedArray wrapper for %s_Array_%d>" % (
            _ctype_names[self._arr.typecode()], len(self))


def Array(typecode_or_type, size_or_initializer, *, lock=True):
    tc = typecode_or_type
    if tc not in _ctype_names:
        raise TypeError("gilsim supports the typecodes %s for Array, not %r" % (", ".join(_ctype_names), tc))
    if isinstance(size_or_initializer, int):
        zero = b"\x00" if tc == "c" else (0.0 if tc in "fd" else 0)
        items = [zero] * size_or_initializer
    elif tc == "c" and isinstance(size_or_initializer, bytes):
        items = [size_or_initializer[i:i + 1] for i in range(len(size_or_initializer))]
    else:
        items = list(size_or_initializer)
    return SynchronizedArray(_mp.SharedArray(tc, items), _make_lock(lock))


def RawArray(typecode_or_type, size_or_initializer):
    return Array(typecode_or_type, size_or_initializer, lock=None)


# ---- pools -----------------------------------------------------------------------------


class RemoteTraceback(Exception):
    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


RemoteTraceback.__module__ = "multiprocessing.pool"


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
    # The body of every pool worker, process or thread: take a task, run it, send the result.
    if initializer is not None:
        initializer(*initargs)
    completed = 0
    while maxtasks is None or completed < maxtasks:
        task = take()
        if task is None:
            return
        job, i, func, chunk, star, kwds = task
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
            put(result)
        except Exception as e:
            put((job, i, False, (MaybeEncodingError(e, result[3]), None)))
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


class ApplyResult:
    def __init__(self, pool, callback, error_callback):
        pool._job_counter += 1
        self._job = pool._job_counter
        self._pool = pool
        # A native flag, not threading.Event: its set() and wait() are one native call each,
        # where Event's go through a Condition and its Python locks (get() is the pool's
        # round trip; see benches/processes.rs).
        # (Under --deterministic, an Event: its waits are on locks the scheduler knows.)
        self._event = _threading.Event() if _mp.deterministic() else _mp.Flag()
        self._callback = callback
        self._error_callback = error_callback
        self._success = None
        self._value = None
        pool._cache[self._job] = self

    def ready(self):
        return self._event.is_set()

    def successful(self):
        if not self.ready():
            raise ValueError("%r not ready" % self)
        return self._success

    def wait(self, timeout=None):
        self._event.wait(timeout)

    def get(self, timeout=None):
        self.wait(timeout)
        if not self.ready():
            raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, ok, value):
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
        pool._job_counter += 1
        self._job = pool._job_counter
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
        self._job_counter = 0
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
        # As CPython's worker handler, a look at the workers every 0.1 s. A worker that died
        # (killed by a signal, or ended by an internal error) took its task with it: rather
        # than leave its caller waiting for ever (as CPython's Pool does), every pending
        # result fails with BrokenProcessPool, as ProcessPoolExecutor's futures do.
        while self._state == RUN and self._broken is None:
            for w in list(self._pool):
                code = w.exitcode
                if code is not None and code != 0:
                    self._break(w, code)
                    return
            _time.sleep(0.1)

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
            if not ok:
                exc, tb = value
                if tb is not None:
                    exc.__cause__ = RemoteTraceback(tb)
                value = exc
            result = self._cache.get(job)
            if result is not None:
                result._set(i, ok, value)

    def _check_running(self):
        if self._state != RUN:
            raise ValueError("Pool not running")
        if self._broken is not None:
            raise self._broken

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check_running()
        result = ApplyResult(self, callback, error_callback)
        self._put_task((result._job, 0, func, [tuple(args)], True, dict(kwds)))
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
                self._put_task((result._job, i, func, chunk, star, {}))
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
            it_job = (it._job, count, func, chunk, False, {})
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
    # share its GIL (F8). Nothing is serialized, so lambdas and closures work as in CPython.

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

    def join(self):
        if self._state == RUN:
            raise ValueError("Pool is still running")
        for w in self._pool:
            w.join()
        self._post_result(None)
        self._handler.join()


# ---- managers --------------------------------------------------------------------------
# As CPython's SyncManager: the shared objects live in a server process; proxies in any
# process forward each operation to it over a channel and wait for the answer on a channel
# of their own.


class Namespace:
    def __init__(self, **kwds):
        for k, v in kwds.items():
            setattr(self, k, v)

    def __repr__(self):
        items = [k + "=" + repr(v) for k, v in self.__dict__.items() if not k.startswith("_")]
        return "Namespace(%s)" % ", ".join(sorted(items))


class _ValueHolder:
    def __init__(self, typecode, value, lock=True):
        self._typecode = typecode
        self._value = value

    def get(self):
        return self._value

    def set(self, value):
        self._value = value


_manager_types = {"dict": dict, "list": list, "Namespace": Namespace, "Value": _ValueHolder}


def _call_on(obj, name, args, kwds):
    # Operators are spelled out: gilsim's built-in types do not expose their dunder methods.
    if name == "__getitem__":
        return obj[args[0]]
    if name == "__setitem__":
        obj[args[0]] = args[1]
        return None
    if name == "__delitem__":
        del obj[args[0]]
        return None
    if name == "__len__":
        return len(obj)
    if name == "__contains__":
        return args[0] in obj
    if name == "__repr__":
        return repr(obj)
    if name == "__add__":
        return obj + args[0]
    if name in ("__mul__", "__rmul__"):
        return obj * args[0]
    if name == "__imul__":
        obj[:] = obj * args[0]
        return None
    if name == "__reversed__":
        return list(reversed(obj))
    if name in ("keys", "values", "items"):
        return list(getattr(obj, name)())
    return getattr(obj, name)(*args, **kwds)


def _manager_server(requests):
    objects = {}
    next_id = 0
    while True:
        ok, request = requests.get()
        if request is None:
            return
        reply, op, oid, name, args, kwds = request
        try:
            if op == "create":
                next_id += 1
                objects[next_id] = _manager_types[name](*args, **kwds)
                result = next_id
            elif op == "call":
                result = _call_on(objects[oid], name, args, kwds)
            elif op == "getattr":
                result = getattr(objects[oid], name)
            elif op == "setattr":
                setattr(objects[oid], name, args[0])
                result = None
            elif op == "delattr":
                delattr(objects[oid], name)
                result = None
            else:
                result = None
            reply.put((True, result))
        except Exception as e:
            reply.put((False, e))


class BaseProxy:
    def __init__(self, requests, oid, typeid):
        object.__setattr__(self, "_requests", requests)
        object.__setattr__(self, "_id", oid)
        object.__setattr__(self, "_typeid", typeid)

    def _request(self, op, name, args=(), kwds={}):
        reply = _mp.Channel(0)
        self._requests.put((reply, op, self._id, name, args, kwds))
        ok, answer = reply.get()
        success, value = answer
        if not success:
            raise value
        return value

    def _callmethod(self, methodname, args=(), kwds={}):
        return self._request("call", methodname, tuple(args), dict(kwds))

    def _getvalue(self):
        return self._callmethod("copy")

    def __repr__(self):
        return "<%s object, typeid %r>" % (type(self).__name__, self._typeid)

    def __str__(self):
        return self._callmethod("__repr__")


def _forward(name):
    def method(self, *args, **kwds):
        return self._callmethod(name, args, kwds)
    method.__name__ = name
    return method


class DictProxy(BaseProxy):
    def __iter__(self):
        return iter(list(self._callmethod("keys")))

    def keys(self):
        return list(self._callmethod("keys"))

    def values(self):
        return list(self._callmethod("values"))

    def items(self):
        return list(self._callmethod("items"))


class ListProxy(BaseProxy):
    def __iter__(self):
        return iter(self._callmethod("copy"))

    def __iadd__(self, value):
        self._callmethod("extend", (value,))
        return self

    def __imul__(self, value):
        self._callmethod("__imul__", (value,))
        return self


for _name in ("__contains__", "__delitem__", "__getitem__", "__len__", "__setitem__", "clear",
              "copy", "get", "pop", "popitem", "setdefault", "update"):
    setattr(DictProxy, _name, _forward(_name))
for _name in ("__add__", "__contains__", "__delitem__", "__getitem__", "__len__", "__mul__",
              "__reversed__", "__rmul__", "__setitem__", "append", "count", "extend", "index",
              "insert", "pop", "remove", "reverse", "sort"):
    setattr(ListProxy, _name, _forward(_name))


class NamespaceProxy(BaseProxy):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._request("getattr", name)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self._request("setattr", name, (value,))

    def __delattr__(self, name):
        self._request("delattr", name)

    def __str__(self):
        return self._request("call", "__repr__")


class ValueProxy(BaseProxy):
    def get(self):
        return self._callmethod("get")

    def set(self, value):
        return self._callmethod("set", (value,))

    @property
    def value(self):
        return self._callmethod("get")

    @value.setter
    def value(self, value):
        self._callmethod("set", (value,))


class SyncManager:
    def __init__(self):
        self._requests = None
        self._process = None

    def start(self, initializer=None, initargs=()):
        if self._process is not None:
            raise ProcessError("Already started server")
        self._requests = _mp.Channel(0)
        self._process = Process(target=_manager_server, args=(self._requests,), daemon=True)
        self._process.name = self._process.name.replace("Process", "SyncManager")
        self._process.start()

    def shutdown(self):
        if self._process is not None and self._process.is_alive():
            self._requests.put(None)
            self._process.join()

    def join(self, timeout=None):
        if self._process is not None:
            self._process.join(timeout)

    def __enter__(self):
        if self._process is None:
            self.start()
        return self

    def __exit__(self, *args):
        self.shutdown()

    def _create(self, typeid, proxytype, *args, **kwds):
        reply = _mp.Channel(0)
        self._requests.put((reply, "create", 0, typeid, args, kwds))
        ok, (success, value) = reply.get()
        if not success:
            raise value
        return proxytype(self._requests, value, typeid)

    def dict(self, *args, **kwds):
        return self._create("dict", DictProxy, *args, **kwds)

    def list(self, *args):
        return self._create("list", ListProxy, *args)

    def Namespace(self, **kwds):
        return self._create("Namespace", NamespaceProxy, **kwds)

    def Value(self, typecode, value, lock=True):
        return self._create("Value", ValueProxy, typecode, value)

    def Array(self, typecode, sequence, lock=True):
        return Array(typecode, sequence, lock=lock)

    # The process primitives already work across processes: the manager hands them out as is.
    Lock = staticmethod(Lock)
    RLock = staticmethod(RLock)
    Semaphore = staticmethod(Semaphore)
    BoundedSemaphore = staticmethod(BoundedSemaphore)
    Condition = staticmethod(Condition)
    Event = staticmethod(Event)
    Barrier = staticmethod(Barrier)
    Queue = staticmethod(Queue)
    JoinableQueue = staticmethod(JoinableQueue)

    def Pool(self, processes=None, initializer=None, initargs=()):
        return Pool(processes, initializer, initargs)


def Manager():
    m = SyncManager()
    m.start()
    return m
