# gilsim's multiprocessing: CPython's API over process mode (src/process/). Each Process is a
# child interpreter with its own heap and GIL, started as CPython's "spawn" start method does;
# values cross only as serialized copies. The primitives (queues, pipes, locks, shared values,
# the pool's task board) are native objects in _multiprocessing that several interpreters share.
#
# This module holds what every process needs (Process, current_process(), the start method);
# the rest lives in submodules named as CPython's (multiprocessing.queues, .connection,
# .synchronize, .sharedctypes, .pool, .managers), imported by the factories below on first use,
# as CPython's context methods do. Every child process imports this module again when it runs
# the main script as __mp_main__, so what it does not hold, a child that does not use it never
# compiles or runs (not even threading: see Process._bootstrap).
import _multiprocessing as _mp
import _thread
import os as _os
import sys as _sys


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
            # threading._shutdown(), if the process imported threading (it has no threads to
            # join otherwise).
            threading = _mp.loaded("threading")
            if threading is not None:
                threading._shutdown()
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


# ---- factories: the rest of the API, in its submodules -----------------------------------


def Queue(maxsize=0):
    from multiprocessing.queues import Queue
    return Queue(maxsize)


def JoinableQueue(maxsize=0):
    from multiprocessing.queues import JoinableQueue
    return JoinableQueue(maxsize)


def SimpleQueue():
    from multiprocessing.queues import SimpleQueue
    return SimpleQueue()


def Pipe(duplex=True):
    from multiprocessing.connection import Pipe
    return Pipe(duplex)


def Lock():
    return _mp.SemLock("lock", 1, 1)


def RLock():
    return _mp.SemLock("rlock", 1, 1)


def Semaphore(value=1):
    return _mp.SemLock("semaphore", value, 2147483647)


def BoundedSemaphore(value=1):
    return _mp.SemLock("semaphore", value, value)


def Condition(lock=None):
    from multiprocessing.synchronize import Condition
    return Condition(lock)


def Event():
    from multiprocessing.synchronize import Event
    return Event()


def Barrier(parties, action=None, timeout=None):
    from multiprocessing.synchronize import Barrier
    return Barrier(parties, action, timeout)


def Value(typecode_or_type, *args, lock=True):
    from multiprocessing.sharedctypes import Value
    return Value(typecode_or_type, *args, lock=lock)


def RawValue(typecode_or_type, *args):
    from multiprocessing.sharedctypes import RawValue
    return RawValue(typecode_or_type, *args)


def Array(typecode_or_type, size_or_initializer, *, lock=True):
    from multiprocessing.sharedctypes import Array
    return Array(typecode_or_type, size_or_initializer, lock=lock)


def RawArray(typecode_or_type, size_or_initializer):
    from multiprocessing.sharedctypes import RawArray
    return RawArray(typecode_or_type, size_or_initializer)


def Pool(processes=None, initializer=None, initargs=(), maxtasksperchild=None):
    from multiprocessing.pool import Pool
    return Pool(processes, initializer, initargs, maxtasksperchild)


def ThreadPool(processes=None, initializer=None, initargs=()):
    from multiprocessing.pool import ThreadPool
    return ThreadPool(processes, initializer, initargs)


def Manager():
    from multiprocessing.managers import SyncManager
    m = SyncManager()
    m.start()
    return m
