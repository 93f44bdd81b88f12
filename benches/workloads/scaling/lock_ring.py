# Lock hand-off around a ring at a thread count: THREADS threads, each with a Lock of its own
# held from the start; thread i waits to acquire its lock, then releases thread i+1's, so one
# token goes round the ring and exactly one thread is runnable at a time (the others blocked in
# Lock.acquire, not waiting for the GIL). The clock starts once every thread has reported ready
# and runs until all are joined; the token makes at least UNITS hand-offs (whole laps).
# Prints the nanoseconds and the number of hand-offs, so the cost per hand-off is the first over
# the second. Usage: lock_ring.py THREADS UNITS. Shared by benches/scaling.rs (gilsim) and
# benches/compare_scaling.py (gilsim and CPython).
import sys
import threading
import time


def member(locks, i, laps, ready):
    mine = locks[i]
    after = locks[(i + 1) % len(locks)]
    ready.release()
    for _ in range(laps):
        mine.acquire()
        after.release()


def ring(threads, laps):
    locks = [threading.Lock() for _ in range(threads)]
    for lock in locks:
        lock.acquire()
    ready = threading.Semaphore(0)
    members = [threading.Thread(target=member, args=(locks, i, laps, ready))
               for i in range(threads)]
    for t in members:
        t.start()
    for _ in range(threads):
        ready.acquire()
    t0 = time.perf_counter_ns()
    locks[0].release()
    for t in members:
        t.join()
    return time.perf_counter_ns() - t0


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    units = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    if threads < 2:
        sys.exit("a ring needs at least 2 threads")
    laps = max(1, -(-units // threads))
    ring(threads, 1)
    print(ring(threads, laps), laps * threads)
