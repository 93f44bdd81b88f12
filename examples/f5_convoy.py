# F5: the convoy effect (bpo-7946). A thread doing time.sleep(0) must win the GIL back after
# each call; beside a CPU-bound thread it waits up to a whole switch interval every time.
# Expect about 5 ms per call beside the spinner at the default 5 ms interval (CPython 3.11:
# 5.1 ms), microseconds alone; about the interval in general.
# Arguments (all optional; `gilsim experiment convoy` sweeps them): CALLS --switch-interval
# SECONDS. The last line, RESULT ..., is for that command.
import sys
import threading
import time

args = sys.argv[1:]
CALLS = int(args[0]) if args and not args[0].startswith("--") else 200
if "--switch-interval" in args:
    sys.setswitchinterval(float(args[args.index("--switch-interval") + 1]))


def io_calls():
    t0 = time.perf_counter()
    for _ in range(CALLS):
        time.sleep(0)
    return (time.perf_counter() - t0) / CALLS


alone = io_calls()

stop = False


def spinner():
    n = 0
    while not stop:
        n += 1


spin = threading.Thread(target=spinner)
spin.start()
time.sleep(0.01)
beside = io_calls()
stop = True
spin.join()
print(f"per call alone {alone * 1e3:.3f} ms, beside a spinner {beside * 1e3:.3f} ms")
print(f"slowdown {beside / alone:.0f}x")
print(f"per-call ms {beside * 1e3:.2f}")
print(f"RESULT per_call_ms={beside * 1e3:.4f}")
