# F8, process half: 8 x count(size) as a list comprehension vs Pool(2).map, timed with the pool's
# workers already running (each first sleeps in a task of its own). Usage:
#   f8_map.py N seq|pool SIZE   prints the nanoseconds N maps of that kind took
#   f8_map.py 1 both SIZE       prints the sequential and the pool time of one map each
# Shared by benches/processes.rs (gilsim) and benches/compare_processes.py (gilsim and CPython).
import multiprocessing
import sys
import time


def count(n):
    while n > 0:
        n -= 1
    return n


def nap(seconds):
    time.sleep(seconds)


def sequential(items):
    t0 = time.perf_counter_ns()
    [count(x) for x in items]
    return time.perf_counter_ns() - t0


def pooled(pool, items):
    t0 = time.perf_counter_ns()
    pool.map(count, items)
    return time.perf_counter_ns() - t0


if __name__ == "__main__":
    n, mode, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    items = [size] * 8
    with multiprocessing.Pool(2) as pool:
        pool.map(nap, [0.1, 0.1], chunksize=1)
        if mode == "seq":
            print(sum(sequential(items) for _ in range(n)))
        elif mode == "pool":
            print(sum(pooled(pool, items) for _ in range(n)))
        else:
            print(sequential(items), pooled(pool, items))
