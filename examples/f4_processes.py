# F4: processes scale with the cores. Each process is an interpreter with its own GIL.
# Runs count(n) twice in sequence, then in two multiprocessing.Process, and prints
# time(processes) / time(sequential). Expect about 0.5 on 2+ free cores (CPython 3.11: 0.53 to
# 0.58), against about 1.0 for two threads (F1).
import multiprocessing
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 6_000_000


def count(n):
    while n > 0:
        n -= 1


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    t0 = time.perf_counter()
    count(N)
    count(N)
    sequential = time.perf_counter() - t0

    t0 = time.perf_counter()
    procs = [multiprocessing.Process(target=count, args=(N,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    parallel = time.perf_counter() - t0

    print(f"sequential {sequential:.3f}s, 2 processes {parallel:.3f}s")
    print(f"ratio {parallel / sequential:.2f}")
