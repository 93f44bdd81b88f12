# F2: blocking I/O overlaps: a sleeping thread releases the GIL.
# T threads (8 unless --threads) each sleep CALLS x 20 ms; sequentially that is T x CALLS x 20 ms.
# Expect a ratio near 1/T, about 0.125 for 8 threads (CPython 3.11: 0.128): the sleeps overlap.
# Arguments (all optional; `gilsim experiment io-threads` sweeps them): CALLS --threads T
# --switch-interval SECONDS. The last line, RESULT ..., is for that command.
import sys
import threading
import time

args = sys.argv[1:]
CALLS = int(args[0]) if args and not args[0].startswith("--") else 5
THREADS = int(args[args.index("--threads") + 1]) if "--threads" in args else 8
if "--switch-interval" in args:
    sys.setswitchinterval(float(args[args.index("--switch-interval") + 1]))
PAUSE = 0.02


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
print(f"{THREADS} threads: {elapsed:.3f}s, sequential would be {sequential:.3f}s")
print(f"ratio {elapsed / sequential:.3f}")
print(f"RESULT ratio={elapsed / sequential:.4f}")
