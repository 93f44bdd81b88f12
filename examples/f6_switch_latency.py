# F6: wake-up latency is the switch interval. A thread sleeping 2 ms beside a spinning thread
# wakes up, then waits for the GIL until the spinner is asked to drop it.
# Expect the extra delay beyond 2 ms to be about the interval (CPython 3.11: 1.22 / 5.25 / 20.26 ms
# at 1 / 5 / 20 ms).
# Arguments (all optional; `gilsim experiment switch-latency` sweeps them): SAMPLES
# --switch-interval SECONDS (one interval instead of 1, 5 and 20 ms). Each RESULT line is for
# that command.
import sys
import threading
import time

args = sys.argv[1:]
SAMPLES = int(args[0]) if args and not args[0].startswith("--") else 30
INTERVALS = (0.001, 0.005, 0.02)
if "--switch-interval" in args:
    INTERVALS = (float(args[args.index("--switch-interval") + 1]),)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


for interval in INTERVALS:
    sys.setswitchinterval(interval)
    stop = False

    def spinner():
        while not stop:
            pass

    spin = threading.Thread(target=spinner)
    spin.start()
    delays = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        time.sleep(0.002)
        delays.append(time.perf_counter() - t0 - 0.002)
    stop = True
    spin.join()
    print(f"interval {interval * 1e3:g} ms: median extra delay {median(delays) * 1e3:.2f} ms")
    print(f"RESULT extra_ms={median(delays) * 1e3:.4f}")
