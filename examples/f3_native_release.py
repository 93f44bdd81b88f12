# F3: native code that releases the GIL runs in parallel.
# native.crunch(n) stands in for a C extension doing CPU work with the GIL released;
# crunch_holding_gil(n) is the same work by an extension that forgot to release it.
# Expect about 0.5 for the releasing version on 2 cores (CPython with hashlib.sha256: 0.49 to 0.52)
# and about 1.0 for the one holding the GIL.
import sys
import threading
import time

import native

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000_000


def timed(work):
    t0 = time.perf_counter()
    work(N)
    work(N)
    sequential = time.perf_counter() - t0
    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(N,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter() - t0) / sequential


print(f"releases the GIL: ratio {timed(native.crunch):.2f}")
print(f"holds the GIL: ratio {timed(native.crunch_holding_gil):.2f}")
