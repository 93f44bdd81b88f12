# multiprocessing.managers (as CPython's module of that name): SyncManager and its proxies. As
# CPython's, the shared objects live in a server process; proxies in any process forward each
# operation to it over a channel and wait for the answer on a channel of their own. Imported on
# first use (multiprocessing.Manager() does it).
import _multiprocessing as _mp
from multiprocessing import (Array, Barrier, BoundedSemaphore, Condition, Event, JoinableQueue,
                             Lock, Pool, Process, ProcessError, Queue, RLock, Semaphore)


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
