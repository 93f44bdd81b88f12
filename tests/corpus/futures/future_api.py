# Future used directly: states, reprs (address left out), set_result / set_exception,
# set_running_or_notify_cancel, InvalidStateError, the exception classes.
import concurrent.futures as cf
from concurrent.futures import Future, InvalidStateError
from concurrent.futures.thread import BrokenThreadPool


def show(f):
    parts = repr(f).split()
    del parts[2]  # the address
    return " ".join(parts)


f = Future()
print(show(f), f.done(), f.running(), f.cancelled())
print(f.set_running_or_notify_cancel())
print(show(f), f.running())
f.set_result([1, 2])
print(show(f), f.result(), f.exception(), f.done(), f.running())
try:
    f.set_result(3)
except InvalidStateError as e:
    print("InvalidStateError:", str(e).split(":")[0])
try:
    f.set_exception(ValueError())
except InvalidStateError as e:
    print("InvalidStateError:", str(e).split(":")[0])

g = Future()
err = KeyError("missing")
g.set_exception(err)
print(show(g), g.exception() is err, g.done())
try:
    g.result()
except KeyError as e:
    print("result raised", repr(e), e is err)

h = Future()
print(h.cancel(), show(h))
try:
    h.set_result(1)
except InvalidStateError as e:
    print("InvalidStateError:", str(e).split(":")[0])
print(h.set_running_or_notify_cancel(), show(h), h.cancelled())

n = Future()
n.set_result(None)
print(show(n))

print(cf.TimeoutError is TimeoutError)
for exc in (cf.CancelledError, cf.InvalidStateError, cf.BrokenExecutor):
    print(exc.__name__, exc.__module__, [c.__name__ for c in exc.__mro__[1:]])
print(BrokenThreadPool.__module__, BrokenThreadPool.__mro__[1].__name__)
print(Future.__module__, Future.__name__, cf.Executor.__name__)
print(sorted(cf.__all__))
print(issubclass(cf.ThreadPoolExecutor, cf.Executor))

# An Executor subclass only needs submit(); map() and the with block come from Executor.
class Inline(cf.Executor):
    def submit(self, fn, /, *args, **kwargs):
        f = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:
            f.set_exception(e)
        return f


with Inline() as ex:
    print(ex.submit(divmod, 7, 2).result(), list(ex.map(abs, [-1, -2])))
    print(type(ex.submit(divmod, 1, 0).exception()).__name__)
try:
    cf.Executor().submit(print)
except NotImplementedError:
    print("Executor.submit is abstract")
