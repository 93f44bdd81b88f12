# multiprocessing.queues (as CPython's module of that name): Queue, JoinableQueue and SimpleQueue
# over a native channel that several interpreters share. Imported on first use (the factories in
# multiprocessing do it), so a child process that makes no queue does not pay for this module.
import _multiprocessing as _mp


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
            from queue import Full
            raise Full

    def get(self, block=True, timeout=None):
        self._check()
        ok, item = self._chan.get(block, timeout)
        if not ok:
            from queue import Empty
            raise Empty
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
