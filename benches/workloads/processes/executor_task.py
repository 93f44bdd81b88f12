# ThreadPoolExecutor per-task overhead: submits n calls of a no-op to a 4-worker pool and waits
# for every result (after one untimed round that starts the workers), then prints the
# nanoseconds the n tasks took. Usage: executor_task.py N. Shared by benches/processes.rs
# (gilsim) and benches/compare_processes.py (gilsim and CPython; FIDELITY.md: 9.1 us a task).
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def noop(x):
    return x


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    with ThreadPoolExecutor(max_workers=4) as ex:
        [f.result() for f in [ex.submit(noop, i) for i in range(100)]]
        t0 = time.perf_counter_ns()
        futures = [ex.submit(noop, i) for i in range(n)]
        total = sum(f.result() for f in futures)
        elapsed = time.perf_counter_ns() - t0
    assert total == n * (n - 1) // 2
    print(elapsed)
