# F2: blocking I/O overlaps: a sleeping thread releases the GIL.
# 8 threads each sleep 5 x 20 ms; sequentially that is 0.8 s.
# Expect a ratio near 0.125 (CPython 3.11: 0.128): the sleeps overlap.
import threading
import time

THREADS, CALLS, PAUSE = 8, 5, 0.02


def io_bound():
    for _ in range(CALLS):
        time.sleep(PAUSE)


t0 = time.perf_counter()
threads = [threading.Thread(target=io_bound) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - t0
sequential = THREADS * CALLS * PAUSE
print(f"8 threads: {elapsed:.3f}s, sequential would be {sequential:.3f}s")
print(f"ratio {elapsed / sequential:.3f}")
