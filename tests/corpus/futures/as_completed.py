# as_completed: futures come out in completion order (forced here with events), finished ones
# first, duplicates once; TimeoutError with CPython's message.
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, Future

events = [threading.Event() for _ in range(4)]


def job(i):
    events[i].wait()
    return i * 10


with ThreadPoolExecutor(max_workers=4) as ex:
    fs = [ex.submit(job, i) for i in range(4)]
    names = {f: f"job{i}" for i, f in enumerate(fs)}
    order = [2, 0, 3, 1]
    events[order[0]].set()
    k = 1
    for f in as_completed(fs):
        print("completed", names[f], f.result())
        if k < len(order):
            events[order[k]].set()
            k += 1

# Already finished futures come first; a future given twice is produced once.
done = Future()
done.set_result("early")
gate = threading.Event()
with ThreadPoolExecutor(max_workers=1) as ex:
    late = ex.submit(lambda: gate.wait() and "late")
    it = as_completed([late, done, late])
    print(iter(it) is it)
    print(next(it).result())
    gate.set()
    print(next(it).result())
    try:
        next(it)
    except StopIteration:
        print("stop")

# Timeout: the iterator raises once the time is up with unfinished futures left.
gate = threading.Event()
with ThreadPoolExecutor(max_workers=3) as ex:
    fs = [ex.submit(gate.wait), ex.submit(gate.wait), ex.submit(lambda: "quick")]
    got = []
    try:
        for f in as_completed(fs, timeout=0.2):
            got.append(f.result())
    except TimeoutError as e:
        print("TimeoutError:", e, got)
    gate.set()

# Empty input and finished-only input.
print(list(as_completed([])))
f1 = Future()
f1.set_result(1)
print([f.result() for f in as_completed([f1], timeout=0)])
