# F8: a thread pool gains nothing on CPU-bound map; a process pool does.
# Maps count(n) over 8 items with multiprocessing.dummy.Pool(W) (threads sharing one GIL) and
# multiprocessing.Pool(W) (W interpreters), W = 2 unless --threads, against a list
# comprehension, and prints both ratios. Expect about 1.0 and about 0.5 for 2 workers on 2 free
# cores (CPython 3.11: 0.96 to 0.97 and 0.50 to 0.60).
# Arguments (all optional; `gilsim experiment pools` sweeps them): N --threads W
# --switch-interval SECONDS. The last line, RESULT ..., is for that command.
import multiprocessing
import multiprocessing.dummy
import sys
import time

args = sys.argv[1:]
N = int(args[0]) if args and not args[0].startswith("--") else 1_000_000
WORKERS = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
if "--switch-interval" in args:
    sys.setswitchinterval(float(args[args.index("--switch-interval") + 1]))


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

    with multiprocessing.dummy.Pool(WORKERS) as pool:
        t0 = time.perf_counter()
        pool.map(count, items)
        threads = time.perf_counter() - t0

    with multiprocessing.Pool(WORKERS) as pool:
        t0 = time.perf_counter()
        pool.map(count, items)
        processes = time.perf_counter() - t0

    print(f"sequential {sequential:.3f}s, thread pool {threads:.3f}s, process pool {processes:.3f}s")
    print(f"thread pool ratio {threads / sequential:.2f}")
    print(f"process pool ratio {processes / sequential:.2f}")
    print(f"RESULT thread_pool={threads / sequential:.4f} process_pool={processes / sequential:.4f}")
