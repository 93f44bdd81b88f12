# multiprocessing.connection (as CPython's module of that name): Pipe() and its Connection ends,
# each end a pair of native channels. Imported on first use.
import _multiprocessing as _mp


class Connection:
    # One handle of a pipe end: it reads channel _in and writes channel _out (either may be
    # None). The channels count the handles of their ends per process, as the OS counts a
    # pipe's file descriptors: a recv() sees EOFError once every handle of the other end is
    # closed, by close(), by the end of the process holding it (a killed one included), or by
    # dropping the last reference to it (the native _handle closes itself then, as CPython
    # closes a collected Connection's descriptor); a send() raises BrokenPipeError once nobody
    # can read.
    def __init__(self, incoming, outgoing):
        self._in = incoming
        self._out = outgoing
        self._closed = False
        self._handle = _mp.PipeHandle(incoming, outgoing)

    def __getstate__(self):
        # Sent to another process: the handle is duplicated, as CPython's DupFd does. Until the
        # receiver rebuilds it, the copy in transit is the sender's.
        tickets = [] if self._closed else self._handle.send()
        return (self._in, self._out, self._closed, tickets)

    def __setstate__(self, state):
        self._in, self._out, self._closed, tickets = state
        # A closed connection arrives closed, with no handle.
        self._handle = _mp.PipeHandle(self._in, self._out, tickets) if tickets else None

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
            self._handle.close()

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
