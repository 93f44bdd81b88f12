# F1: CPU-bound threads gain nothing under the GIL.
# Runs count(n) twice in sequence, then in two threads, and prints time(threads) / time(sequential).
# Expect about 1.0 (CPython 3.11: 0.97 to 1.02): only one thread runs Python code at a time.
import sys
import threading
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000


def count(n):
    while n > 0:
        n -= 1


t0 = time.perf_counter()
count(N)
count(N)
sequential = time.perf_counter() - t0

t0 = time.perf_counter()
threads = [threading.Thread(target=count, args=(N,)) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
threaded = time.perf_counter() - t0

print(f"sequential {sequential:.3f}s, 2 threads {threaded:.3f}s")
print(f"ratio {threaded / sequential:.2f}")
