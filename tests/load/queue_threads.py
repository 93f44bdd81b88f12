# Load test: N threads (half producers, half consumers) each doing M queue.Queue operations,
# in rounds. argv: threads, ops per thread, rounds. Every item must be got exactly once,
# every thread must end; prints the totals and the memory figures after each round.
import sys
import threading
import queue


def status(field):
    # A field of /proc/self/status in kB (VmRSS, VmHWM), 0 where there is none.
    with open("/proc/self/status") as f:
        for line in f.read().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def producer(gate, q, base, ops):
    gate.wait()
    for i in range(ops):
        q.put(base + i)


def consumer(gate, q, ops, slot, results, timed):
    gate.wait()
    count = 0
    total = 0
    for i in range(ops):
        if timed and i % 2:
            item = q.get(timeout=600)
        else:
            item = q.get()
        count += 1
        total += item
        q.task_done()
    results[slot] = (count, total)


def one_round(n, ops):
    pairs = n // 2
    # A bounded queue, so producers block on not_full as consumers block on not_empty.
    q = queue.Queue(maxsize=max(1, pairs // 2))
    results = [None] * pairs
    # Every thread waits at the gate until all have started, so all N are alive at once.
    gate = threading.Event()
    threads = []
    for p in range(pairs):
        threads.append(threading.Thread(target=producer, args=(gate, q, p * ops, ops), name=f"put-{p}"))
        threads.append(
            threading.Thread(target=consumer, args=(gate, q, ops, p, results, p % 2 == 1), name=f"get-{p}")
        )
    for t in threads:
        t.start()
    peak_threads = threading.active_count()
    gate.set()
    q.join()
    for t in threads:
        t.join()
    alive = sum(1 for t in threads if t.is_alive())
    items = pairs * ops
    count = sum(r[0] for r in results)
    total = sum(r[1] for r in results)
    expected = items * (items - 1) // 2
    return count, total, expected, alive, peak_threads, q.qsize()


def main():
    n, ops, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    print(f"start rss {status('VmRSS')} kB")
    for r in range(rounds):
        count, total, expected, alive, peak, left = one_round(n, ops)
        ok = count == (n // 2) * ops and total == expected and alive == 0 and left == 0
        print(
            f"round {r}: items {count} sum {total} expected {expected} alive {alive} "
            f"left {left} peak_threads {peak} active {threading.active_count()} ok {ok}"
        )
        print(f"round {r} rss {status('VmRSS')} kB hwm {status('VmHWM')} kB")
    print(f"final active_count {threading.active_count()}")


main()
