# F3 with a real library: zlib.compress releases the GIL for the whole compression (as
# CPython's does, for inputs of any size), so a CPU-bound Python thread keeps running while
# another thread compresses, and two compressing threads use two cores.
# native.crunch_holding_gil is the control: the same measurement for a call that keeps the GIL.
# Expect a share near 1.0 for zlib and near 0 for the control, and a ratio near 0.5, on 2 idle
# cores (CPython 3.11: ratio 0.5).
import hashlib
import sys
import threading
import time
import zlib

import native

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
# About 4 MiB that compresses slowly: hash output (incompressible) mixed with text.
seed = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(1024))
data = (seed + b"some text that repeats now and then " * 50) * 120


def compress_all():
    for _ in range(ROUNDS):
        zlib.compress(data)


count = 0
running = True


def spin():
    global count
    while running:
        count += 1


def rate(work):
    c0, t0 = count, time.perf_counter()
    work()
    return (count - c0) / (time.perf_counter() - t0)


spinner = threading.Thread(target=spin)
spinner.start()
alone = rate(lambda: time.sleep(0.2))
during_zlib = rate(compress_all)
during_control = rate(lambda: native.crunch_holding_gil(300_000_000))
running = False
spinner.join()
print(f"spinner during zlib.compress: share {during_zlib / alone:.2f} of its speed alone")
print(f"spinner during a call holding the GIL: control {during_control / alone:.2f}")

t0 = time.perf_counter()
compress_all()
compress_all()
sequential = time.perf_counter() - t0
t0 = time.perf_counter()
threads = [threading.Thread(target=compress_all) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"2 threads compressing: ratio {(time.perf_counter() - t0) / sequential:.2f}")
