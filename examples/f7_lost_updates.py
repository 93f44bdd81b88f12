# F7: the GIL does not make read-modify-write atomic.
# T threads (4 unless --threads) x N updates at switch interval 0.1 ms (unless --switch-interval).
# `counter += 1` keeps every update (the switch lands at the loop's back edge, after the store);
# `counter = counter + one()` loses some (the call's entry is a switch point between the load and
# the store). As CPython 3.11.
# Arguments (all optional; `gilsim experiment race` sweeps them): N --threads T
# --switch-interval SECONDS. The last line, RESULT ..., is for that command.
import sys
import threading

args = sys.argv[1:]
N = int(args[0]) if args and not args[0].startswith("--") else 200_000
THREADS = int(args[args.index("--threads") + 1]) if "--threads" in args else 4
INTERVAL = 0.0001
if "--switch-interval" in args:
    INTERVAL = float(args[args.index("--switch-interval") + 1])
sys.setswitchinterval(INTERVAL)
counter = 0


def one():
    return 1


def plain():
    global counter
    for _ in range(N):
        counter += 1


def with_call():
    global counter
    for _ in range(N):
        counter = counter + one()


lost = {}
for worker in (plain, with_call):
    counter = 0
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lost[worker.__name__] = THREADS * N - counter
    print(f"{worker.__name__}: {counter} of {THREADS * N} ({THREADS * N - counter} lost)")
percent = {name: 100 * n / (THREADS * N) for name, n in lost.items()}
print(f"RESULT lost_plain_pct={percent['plain']:.4f} lost_call_pct={percent['with_call']:.4f}")
