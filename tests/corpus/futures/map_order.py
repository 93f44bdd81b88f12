# Executor.map: results in submission order whatever the completion order, several iterables,
# the first exception raised when its item is reached, an iterator; lazy worker start-up.
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def slow_square(x):
    # later items finish first
    time.sleep(0.02 * (5 - x))
    return x * x


with ThreadPoolExecutor(max_workers=5) as ex:
    print(list(ex.map(slow_square, range(5))))
    print(list(ex.map(pow, [2, 3, 4], [5, 6])))
    print(list(ex.map(slow_square, [])))
    print(list(ex.map(lambda x: x + 1, range(3), chunksize=4)))
    it = ex.map(str, [1, 2])
    print(iter(it) is it, next(it), next(it))
    try:
        next(it)
    except StopIteration:
        print("exhausted")


def check(x):
    if x == 3:
        raise ValueError(f"bad item {x}")
    return x


seen = []
with ThreadPoolExecutor(max_workers=2) as ex:
    try:
        for r in ex.map(check, range(6)):
            seen.append(r)
    except ValueError as e:
        print("map raised:", e, "after", seen)

# Workers start lazily: one new thread per submit while no worker is idle, up to max_workers.
gate = threading.Event()
ex = ThreadPoolExecutor(max_workers=3, thread_name_prefix="lazy")
print("threads before:", len(ex._threads))
fs = [ex.submit(gate.wait) for _ in range(5)]
print("threads while blocked:", len(ex._threads))
gate.set()
for f in fs:
    f.result()
time.sleep(0.1)
f = ex.submit(threading.current_thread)
print("idle worker reused:", len(ex._threads), f.result().name.startswith("lazy_"))
print(sorted(t.name for t in ex._threads))
ex.shutdown()
print("after shutdown alive:", [t.is_alive() for t in ex._threads])

# Thread names: ThreadPoolExecutor-<executor number>_<worker number>
a = ThreadPoolExecutor(1)
b = ThreadPoolExecutor(1)
na = a.submit(lambda: threading.current_thread().name).result()
nb = b.submit(lambda: threading.current_thread().name).result()
pa, wa = na.rsplit("_", 1)
pb, wb = nb.rsplit("_", 1)
print(pa.startswith("ThreadPoolExecutor-"), wa, wb, int(pb.split("-")[1]) - int(pa.split("-")[1]))
a.shutdown()
b.shutdown()
