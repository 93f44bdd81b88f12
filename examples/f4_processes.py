# F4: processes scale with the cores. Each process is an interpreter with its own GIL.
# Runs count(n) P times in sequence, then in P multiprocessing.Process (P = 2 unless --threads),
# and prints time(processes) / time(sequential). Expect about 0.5 for 2 processes on 2+ free
# cores (CPython 3.11: 0.53 to 0.58), against about 1.0 for two threads (F1).
# Arguments (all optional; `gilsim experiment processes` sweeps them): N --threads P
# --switch-interval SECONDS. The last line, RESULT ..., is for that command.
import multiprocessing
import sys
import time

args = sys.argv[1:]
N = int(args[0]) if args and not args[0].startswith("--") else 6_000_000
PROCESSES = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
if "--switch-interval" in args:
    sys.setswitchinterval(float(args[args.index("--switch-interval") + 1]))


def count(n):
    while n > 0:
        n -= 1


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    t0 = time.perf_counter()
    for _ in range(PROCESSES):
        count(N)
    sequential = time.perf_counter() - t0

    t0 = time.perf_counter()
    procs = [multiprocessing.Process(target=count, args=(N,)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    parallel = time.perf_counter() - t0

    print(f"sequential {sequential:.3f}s, {PROCESSES} processes {parallel:.3f}s")
    print(f"ratio {parallel / sequential:.2f}")
    print(f"RESULT ratio={parallel / sequential:.4f}")
