# Pool round trip: Pool(2).apply_async(f, (x,)).get() n times (after 50 untimed ones, so both
# workers are up) and prints the nanoseconds the n round trips took. Usage: apply_async.py N.
# Shared by benches/processes.rs (gilsim) and benches/compare_processes.py (gilsim and CPython).
import multiprocessing
import sys
import time


def inc(x):
    return x + 1


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with multiprocessing.Pool(2) as pool:
        for i in range(50):
            assert pool.apply_async(inc, (i,)).get() == i + 1
        t0 = time.perf_counter_ns()
        for i in range(n):
            pool.apply_async(inc, (i,)).get()
        elapsed = time.perf_counter_ns() - t0
    print(elapsed)
