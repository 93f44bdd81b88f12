# Timeouts: result() and exception() raise the builtin TimeoutError, map() raises it when an
# item is late (cancelling the rest), wait() returns what is done when the time is up.
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

gate = threading.Event()
ex = ThreadPoolExecutor(max_workers=2)
f = ex.submit(gate.wait)
for timeout in (0, 0.05):
    try:
        f.result(timeout=timeout)
    except TimeoutError as e:
        print("result timeout", timeout, type(e).__name__, repr(str(e)))
try:
    f.exception(0.05)
except TimeoutError:
    print("exception timeout")
print("still pending:", f.done())
gate.set()
print("result now:", f.result(timeout=5))
ex.shutdown()

# map with a timeout: the fast items come out, the slow one times out.
release = threading.Event()


def maybe_slow(x):
    if x == 2:
        release.wait()
    return x


ex = ThreadPoolExecutor(max_workers=1)
it = ex.map(maybe_slow, [0, 1, 2, 3, 4], timeout=0.3)
got = []
try:
    for r in it:
        got.append(r)
except TimeoutError:
    print("map timed out after", got)
release.set()
ex.shutdown()

# The timeout counts from the map() call, not from each item.
# (Each item alone is within 0.3 s of the previous one; the fourth ends 0.4 s after the call.)
ex = ThreadPoolExecutor(max_workers=3)
try:
    list(ex.map(time.sleep, [0.2, 0.2, 0.2, 0.2], timeout=0.3))
except TimeoutError:
    print("whole-map timeout")
ex.shutdown()

gate = threading.Event()
with ThreadPoolExecutor(max_workers=2) as ex:
    fs = [ex.submit(gate.wait), ex.submit(int, "7")]
    done, not_done = wait(fs, timeout=0.1)
    print("wait timeout:", [f.result() for f in done], len(not_done))
    start = time.monotonic()
    done, not_done = wait(fs, timeout=0)
    print("wait timeout 0:", len(done), len(not_done), time.monotonic() - start < 0.1)
    gate.set()
