# multiprocessing.dummy: multiprocessing's API over threads of this interpreter (they share
# its GIL, which is the point of F8).
import threading
import queue
from multiprocessing import TimeoutError
from multiprocessing.pool import ThreadPool as Pool

Process = threading.Thread
DummyProcess = threading.Thread
Lock = threading.Lock
RLock = threading.RLock
Semaphore = threading.Semaphore
BoundedSemaphore = threading.BoundedSemaphore
Condition = threading.Condition
Event = threading.Event
Barrier = threading.Barrier
Queue = queue.Queue
JoinableQueue = queue.Queue
current_process = threading.current_thread


def active_children():
    return [t for t in threading.enumerate() if t is not threading.main_thread()]


def freeze_support():
    pass


class Namespace:
    def __init__(self, **kwds):
        self.__dict__.update(kwds)


def Pipe(duplex=True):
    # Two connected ends made of queues, as CPython's dummy Pipe.
    a, b = queue.Queue(), queue.Queue()
    if duplex:
        return _Connection(a, b), _Connection(b, a)
    return _Connection(a, None), _Connection(None, a)


class _Connection:
    def __init__(self, incoming, outgoing):
        self._in = incoming
        self._out = outgoing

    def send(self, obj):
        self._out.put(obj)

    def recv(self):
        return self._in.get()

    def poll(self, timeout=0.0):
        if self._in.qsize() > 0:
            return True
        if timeout <= 0.0:
            return False
        with self._in.not_empty:
            self._in.not_empty.wait(timeout)
        return self._in.qsize() > 0

    def close(self):
        pass
