# F3 with a real library: hashlib.sha256 releases the GIL for inputs of 2048 bytes or more (as
# CPython's does), so threads hashing big buffers use all the cores.
# T threads (2 unless --threads) each hash an 8 MiB buffer ROUNDS times, against the same work in
# sequence. Expect a ratio near 0.5 for 2 threads on 2 cores (CPython 3.11: 0.49 to 0.52).
# Arguments (all optional; `gilsim experiment native-release` sweeps them): ROUNDS --threads T
# --switch-interval SECONDS. The last line, RESULT ..., is for that command.
import hashlib
import sys
import threading
import time

args = sys.argv[1:]
ROUNDS = int(args[0]) if args and not args[0].startswith("--") else 20
THREADS = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
if "--switch-interval" in args:
    sys.setswitchinterval(float(args[args.index("--switch-interval") + 1]))
data = b"x" * (8 * 1024 * 1024)


def hash_it():
    for _ in range(ROUNDS):
        hashlib.sha256(data).hexdigest()


t0 = time.perf_counter()
for _ in range(THREADS):
    hash_it()
sequential = time.perf_counter() - t0
t0 = time.perf_counter()
threads = [threading.Thread(target=hash_it) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ratio = (time.perf_counter() - t0) / sequential
print(f"ratio {ratio:.2f}")
print(f"RESULT ratio={ratio:.4f}")
