# wait(): ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, timeouts; the named pair it returns.
import threading
from concurrent.futures import (
    ThreadPoolExecutor,
    wait,
    Future,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    ALL_COMPLETED,
)

print(FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED)

gates = [threading.Event() for _ in range(3)]


def job(i, fail=False):
    gates[i].wait()
    if fail:
        raise RuntimeError(f"job {i} failed")
    return i


def label(fs, names):
    return sorted(names[f] for f in fs)


with ThreadPoolExecutor(max_workers=3) as ex:
    fs = [ex.submit(job, i) for i in range(3)]
    names = {f: f"f{i}" for i, f in enumerate(fs)}
    gates[1].set()
    res = wait(fs, return_when=FIRST_COMPLETED)
    print("FIRST_COMPLETED:", label(res.done, names), label(res.not_done, names))
    res = wait(fs, timeout=0.1)
    print("timeout:", label(res.done, names), label(res.not_done, names))
    gates[0].set()
    gates[2].set()
    done, not_done = wait(fs)
    print("ALL_COMPLETED:", label(done, names), label(not_done, names))
    res = wait(fs, return_when=FIRST_COMPLETED)
    print("all done already:", len(res.done), len(res.not_done), len(res), res[1] == set())
    print(type(res).__name__, res == (res.done, res.not_done))

gates = [threading.Event() for _ in range(3)]
with ThreadPoolExecutor(max_workers=3) as ex:
    fs = [ex.submit(job, 0), ex.submit(job, 1, True), ex.submit(job, 2)]
    names = {f: f"f{i}" for i, f in enumerate(fs)}
    gates[0].set()
    res = wait([fs[0]])
    print("first:", label(res.done, names))
    gates[1].set()
    res = wait(fs, return_when=FIRST_EXCEPTION)
    print("FIRST_EXCEPTION:", label(res.done, names), label(res.not_done, names))
    print("exception:", fs[1].exception())
    gates[2].set()
    fs[2].result()
    res = wait(fs, return_when=FIRST_EXCEPTION)
    print("again:", label(res.done, names), label(res.not_done, names))

# FIRST_EXCEPTION with no exception behaves as ALL_COMPLETED.
gates = [threading.Event() for _ in range(3)]
with ThreadPoolExecutor(max_workers=2) as ex:
    fs = [ex.submit(job, 0), ex.submit(job, 1)]
    gates[0].set()
    gates[1].set()
    done, not_done = wait(fs, return_when=FIRST_EXCEPTION)
    print("no exception:", sorted(f.result() for f in done), len(not_done))

# A cancelled future counts as done.
gate = threading.Event()
with ThreadPoolExecutor(max_workers=1) as ex:
    blocker = ex.submit(gate.wait)
    pending = ex.submit(str, "never")
    print("cancel:", pending.cancel())
    # wait() counts it once a worker has taken it off the queue (CANCELLED_AND_NOTIFIED).
    res = wait([blocker, pending], timeout=0.1, return_when=FIRST_COMPLETED)
    print("cancelled, not yet notified:", len(res.done), len(res.not_done))
    gate.set()
    res = wait([blocker, pending])
    print("after the worker saw it:", res.done == {blocker, pending}, pending.cancelled())

f = Future()
try:
    wait([f], return_when="bogus")
except ValueError as e:
    print("ValueError:", e)
print(wait([]).done, wait([], timeout=0).not_done)
