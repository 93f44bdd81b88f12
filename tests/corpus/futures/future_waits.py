# Waiting on futures: result()/exception() with zero, negative and too-large timeouts, several
# threads waiting on one future (set, then cancelled), wait() and as_completed() while the
# futures finish, a callback's BaseException reaching the caller of set_result().
import threading
import time
from concurrent.futures import (ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION,
                                CancelledError, Future, as_completed, wait)

f = Future()
for timeout in (0, -1, 0.01):
    try:
        f.result(timeout)
    except TimeoutError as e:
        print("result(%r): TimeoutError%r" % (timeout, e.args))
try:
    f.exception(timeout=0)
except TimeoutError:
    print("exception(timeout=0): TimeoutError")
try:
    f.result(1e10)
except OverflowError as e:
    print("OverflowError:", e)
print(f._state)


def waiter(fut, out):
    try:
        out.append(fut.result())
    except CancelledError:
        out.append("cancelled")


for finish in ("set_result", "cancel"):
    fut = Future()
    out = []
    threads = [threading.Thread(target=waiter, args=(fut, out)) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    if finish == "cancel":
        print("cancel:", fut.cancel())
    else:
        fut.set_result(42)
    for t in threads:
        t.join()
    print(finish, "woke", out)


def finish_later(futures, delay):
    def run():
        for i, fut in enumerate(futures):
            time.sleep(delay)
            if i == 1:
                fut.set_exception(KeyError(i))
            else:
                fut.set_result(i)
    t = threading.Thread(target=run)
    t.start()
    return t


for when in (FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
    fs = [Future() for _ in range(4)]
    t = finish_later(fs, 0.02)
    done, not_done = wait(fs, timeout=5, return_when=when)
    print(when, sorted(fs.index(x) for x in done), len(not_done) == 4 - len(done))
    t.join()

fs = [Future() for _ in range(4)]
fs[2].set_result("early")
t = finish_later([fs[0], fs[1], fs[3]], 0.02)
order = [fs.index(x) for x in as_completed(fs, timeout=5)]
print("as_completed:", order)
t.join()

fs = [Future(), Future()]
try:
    for x in as_completed(fs, timeout=0.05):
        pass
except TimeoutError as e:
    print("as_completed timeout:", e)

c = Future()
c.cancel()
print(c.set_running_or_notify_cancel(), c._state)
res = wait([c], timeout=0)
print("wait on a notified cancellation:", len(res.done), len(res.not_done))


def stop(fut):
    raise SystemExit(3)


g = Future()
g.add_done_callback(stop)
try:
    g.set_result(1)
except SystemExit as e:
    print("callback raised SystemExit", e.code, g.done(), g.result())
