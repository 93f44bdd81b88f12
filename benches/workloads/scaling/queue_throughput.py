# queue.Queue throughput at a thread count: THREADS // 2 producers and as many consumers share
# one unbounded queue.Queue; each producer puts K items and each consumer gets K, so at least
# UNITS items pass in all. The clock starts once every thread has reported ready (producers then
# wait on an Event the main thread sets; consumers block in get()) and runs until all are joined.
# Every item is checked to arrive exactly once. Prints the nanoseconds and the number of items,
# so the cost per item is the first over the second. Usage: queue_throughput.py THREADS UNITS
# [MAXSIZE]. Shared by benches/scaling.rs (gilsim) and benches/compare_scaling.py (gilsim and
# CPython).
import queue
import sys
import threading
import time


def produce(q, first, k, ready, go):
    ready.release()
    go.wait()
    for i in range(first, first + k):
        q.put(i)


def consume(q, k, ready, sums, slot):
    ready.release()
    total = 0
    for _ in range(k):
        total += q.get()
    sums[slot] = total


def run(pairs, k, maxsize):
    q = queue.Queue(maxsize)
    ready = threading.Semaphore(0)
    go = threading.Event()
    sums = [0] * pairs
    threads = [threading.Thread(target=produce, args=(q, p * k, k, ready, go))
               for p in range(pairs)]
    threads += [threading.Thread(target=consume, args=(q, k, ready, sums, c))
                for c in range(pairs)]
    for t in threads:
        t.start()
    for _ in threads:
        ready.acquire()
    t0 = time.perf_counter_ns()
    go.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter_ns() - t0
    n = pairs * k
    assert sum(sums) == n * (n - 1) // 2, (sum(sums), n)
    assert q.empty()
    return elapsed


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    units = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    maxsize = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if threads < 2 or threads % 2:
        sys.exit("THREADS must be even and at least 2 (half produce, half consume)")
    pairs = threads // 2
    k = max(1, -(-units // pairs))
    run(pairs, 1, maxsize)
    print(run(pairs, k, maxsize), pairs * k)
