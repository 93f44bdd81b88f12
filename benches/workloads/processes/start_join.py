# Process start + join: starts and joins multiprocessing.Process(target=noop) n times (after one
# untimed round, which starts a forkserver where there is one) and prints the nanoseconds the n
# rounds took. Usage: start_join.py N [START_METHOD]. Shared by benches/processes.rs (gilsim) and
# benches/compare_processes.py (gilsim and CPython's fork, forkserver and spawn).
import multiprocessing
import sys
import time


def noop():
    pass


def start_join():
    p = multiprocessing.Process(target=noop)
    p.start()
    p.join()


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    if len(sys.argv) > 2:
        multiprocessing.set_start_method(sys.argv[2])
    start_join()
    t0 = time.perf_counter_ns()
    for _ in range(n):
        start_join()
    print(time.perf_counter_ns() - t0)
