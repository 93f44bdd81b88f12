# F8: a thread pool gains nothing on CPU-bound map; a process pool does.
# Maps count(n) over 8 items with multiprocessing.dummy.Pool(2) (threads sharing one GIL) and
# multiprocessing.Pool(2) (two interpreters), against a list comprehension, and prints both
# ratios. Expect about 1.0 and about 0.5 on 2 free cores (CPython 3.11: 0.96 to 0.97 and 0.50
# to 0.60).
import multiprocessing
import multiprocessing.dummy
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def count(n):
    while n > 0:
        n -= 1
    return n


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    items = [N] * 8
    t0 = time.perf_counter()
    [count(n) for n in items]
    sequential = time.perf_counter() - t0

    with multiprocessing.dummy.Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(count, items)
        threads = time.perf_counter() - t0

    with multiprocessing.Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(count, items)
        processes = time.perf_counter() - t0

    print(f"sequential {sequential:.3f}s, thread pool {threads:.3f}s, process pool {processes:.3f}s")
    print(f"thread pool ratio {threads / sequential:.2f}")
    print(f"process pool ratio {processes / sequential:.2f}")
