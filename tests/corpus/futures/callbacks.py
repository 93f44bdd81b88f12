# add_done_callback: callbacks run in order when the future finishes (in the thread that
# finishes it), immediately (in the caller) when it is already done, and on cancel.
import threading
from concurrent.futures import ThreadPoolExecutor, Future

log = []


def cb(tag):
    def callback(fut):
        state = "cancelled" if fut.cancelled() else repr(fut.result())
        log.append((tag, state, threading.current_thread().name))

    return callback


gate = threading.Event()
with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pool") as ex:
    f = ex.submit(lambda: gate.wait() and 42)
    f.add_done_callback(cb("first"))
    f.add_done_callback(cb("second"))
    print("before:", log)
    gate.set()
    f.result()
# Leaving the with block joined the worker, so its callbacks have run; shutdown() again is a no-op.
ex.shutdown()
print("after:", log)
log.clear()
f.add_done_callback(cb("late"))
print("already done:", log)

log.clear()
f = Future()
f.add_done_callback(cb("on-cancel"))
print("cancel:", f.cancel(), log)
f.add_done_callback(cb("after-cancel"))
print(log)

log.clear()
f = Future()
f.add_done_callback(cb("manual"))
print(f.set_running_or_notify_cancel(), f.running())
f.set_result("value")
print(log)

# A callback may add work to the same pool (a chain).
results = []
done = threading.Event()
ex = ThreadPoolExecutor(max_workers=2)


def step(n):
    return n + 1


def chain(fut):
    n = fut.result()
    results.append(n)
    if n < 5:
        ex.submit(step, n).add_done_callback(chain)
    else:
        done.set()


ex.submit(step, 0).add_done_callback(chain)
done.wait()
ex.shutdown()
print("chain:", results)
