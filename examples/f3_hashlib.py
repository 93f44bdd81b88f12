# F3 with a real library: hashlib.sha256 releases the GIL for inputs of 2048 bytes or more (as
# CPython's does), so two threads hashing big buffers use both cores.
# Expect a ratio near 0.5 on 2 cores (CPython 3.11: 0.49 to 0.52).
import hashlib
import sys
import threading
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
data = b"x" * (8 * 1024 * 1024)


def hash_it():
    for _ in range(ROUNDS):
        hashlib.sha256(data).hexdigest()


t0 = time.perf_counter()
hash_it()
hash_it()
sequential = time.perf_counter() - t0
t0 = time.perf_counter()
threads = [threading.Thread(target=hash_it) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"ratio {(time.perf_counter() - t0) / sequential:.2f}")
