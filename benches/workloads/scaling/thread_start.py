# Thread start + join at a thread count: starts THREADS threads running a no-op, then joins them
# all (so up to THREADS are alive at once), for as many rounds as it takes to start at least
# UNITS threads (one untimed round first). Prints the nanoseconds the timed rounds took and the
# number of threads they started, so the cost per thread is the first over the second.
# Usage: thread_start.py THREADS UNITS. Shared by benches/scaling.rs (gilsim) and
# benches/compare_scaling.py (gilsim and CPython).
import sys
import threading
import time


def noop():
    pass


def start_join(threads):
    started = [threading.Thread(target=noop) for _ in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join()


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    units = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rounds = max(1, -(-units // threads))
    start_join(threads)
    t0 = time.perf_counter_ns()
    for _ in range(rounds):
        start_join(threads)
    elapsed = time.perf_counter_ns() - t0
    print(elapsed, rounds * threads)
