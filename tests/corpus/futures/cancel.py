# Cancelling: a pending future (behind a blocked 1-worker pool) can be cancelled, a running or
# finished one cannot; result() and exception() of a cancelled future raise CancelledError;
# shutdown(cancel_futures=True) cancels what is still queued.
import threading
from concurrent.futures import ThreadPoolExecutor, CancelledError

started = threading.Event()
gate = threading.Event()
ran = []


def blocker():
    started.set()
    gate.wait()
    return "blocker done"


def record(x):
    ran.append(x)
    return x


ex = ThreadPoolExecutor(max_workers=1)
running = ex.submit(blocker)
started.wait()
pending = ex.submit(record, "pending")
other = ex.submit(record, "other")
print("running:", running.running(), running.done(), running.cancelled())
print("pending:", pending.running(), pending.done(), pending.cancelled())
print("cancel running:", running.cancel())
print("cancel pending:", pending.cancel(), pending.cancelled(), pending.done(), pending.running())
print("cancel again:", pending.cancel())
try:
    pending.result()
except CancelledError as e:
    print("result raised", type(e).__name__, repr(str(e)))
try:
    pending.exception(timeout=0)
except CancelledError:
    print("exception raised CancelledError")
gate.set()
print(running.result(), other.result())
print("cancel finished:", running.cancel(), running.cancelled())
ex.shutdown()
print("ran:", ran)

# shutdown(cancel_futures=True): queued work is cancelled, the running task completes.
started = threading.Event()
gate = threading.Event()
ex = ThreadPoolExecutor(max_workers=1)
first = ex.submit(blocker)
started.wait()
queued = [ex.submit(record, i) for i in range(3)]
threading.Timer(0.1, gate.set).start()
ex.shutdown(wait=True, cancel_futures=True)
print("first:", first.result())
print("queued cancelled:", [f.cancelled() for f in queued])
print("ran:", ran)
print(issubclass(CancelledError, Exception), CancelledError.__mro__[1].__name__)
