# Load test: a multiprocessing.Pool given T tasks through map, imap_unordered and imap, in
# rounds. argv: workers, tasks, rounds. The results must sum to the expected total and every
# task's result must come back exactly once; prints the totals and the memory figures.
import sys
import time
import multiprocessing as mp


def status(field):
    # A field of /proc/self/status in kB (VmRSS, VmHWM), 0 where there is none.
    with open("/proc/self/status") as f:
        for line in f.read().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def f(x):
    return (x * x) % 1000003


if __name__ == "__main__":
    workers, tasks, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    want = 0
    for x in range(tasks):
        want += (x * x) % 1000003
    print(f"start rss {status('VmRSS')} kB")
    with mp.Pool(workers) as pool:
        for r in range(rounds):
            t0 = time.perf_counter()
            mapped = pool.map(f, range(tasks))
            t1 = time.perf_counter()
            total = 0
            count = 0
            for x in pool.imap_unordered(f, range(tasks), chunksize=1):
                total += x
                count += 1
            t2 = time.perf_counter()
            # Ordered imap in small chunks: every result in its place.
            in_order = list(pool.imap(f, range(tasks), chunksize=3)) == mapped
            t3 = time.perf_counter()
            ok = len(mapped) == tasks and sum(mapped) == want and count == tasks and total == want
            print(
                f"round {r}: map {len(mapped)} map_sum {sum(mapped)} unordered {count} "
                f"unordered_sum {total} expected {want} imap_in_order {in_order} ok {ok and in_order}"
            )
            print(
                f"round {r} rss {status('VmRSS')} kB hwm {status('VmHWM')} kB "
                f"map {t1 - t0:.2f} s imap_unordered {t2 - t1:.2f} s imap {t3 - t2:.2f} s"
            )
    print(f"children after close {len(mp.active_children())}")
