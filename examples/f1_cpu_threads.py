# F1: CPU-bound threads gain nothing under the GIL.
# Runs count(n) T times in sequence, then in T threads (T = 2 unless --threads), and prints
# time(threads) / time(sequential). Expect about 1.0 (CPython 3.11, 2 threads: 0.97 to 1.02):
# only one thread runs Python code at a time.
# Arguments (all optional; `gilsim experiment cpu-threads` sweeps them): N --threads T
# --switch-interval SECONDS. The last line, RESULT ..., is for that command.
import sys
import threading
import time

args = sys.argv[1:]
N = int(args[0]) if args and not args[0].startswith("--") else 3_000_000
THREADS = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
if "--switch-interval" in args:
    sys.setswitchinterval(float(args[args.index("--switch-interval") + 1]))


def count(n):
    while n > 0:
        n -= 1


t0 = time.perf_counter()
for _ in range(THREADS):
    count(N)
sequential = time.perf_counter() - t0

t0 = time.perf_counter()
threads = [threading.Thread(target=count, args=(N,)) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
threaded = time.perf_counter() - t0

print(f"sequential {sequential:.3f}s, {THREADS} threads {threaded:.3f}s")
print(f"ratio {threaded / sequential:.2f}")
print(f"RESULT ratio={threaded / sequential:.4f}")
