# F3 with processes: subprocess.run waits for its child with the GIL released (as CPython's
# Popen.communicate and wait do), so children started by different threads run side by side,
# and Python threads keep running while one waits.
# Expect a ratio near 0.5 (CPython 3.11: 0.5) and a share near 1.0 on 2 idle cores.
import subprocess
import sys
import threading
import time

SECS = float(sys.argv[1]) if len(sys.argv) > 1 else 0.3


def child():
    subprocess.run(["sleep", str(SECS)])


t0 = time.perf_counter()
threads = [threading.Thread(target=child) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"2 threads each waiting for a {SECS} s child: ratio {(time.perf_counter() - t0) / (2 * SECS):.2f}")

# A CPU-bound Python thread, alone and then while this thread waits for a child.
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
alone = rate(lambda: time.sleep(SECS))
waiting = rate(child)
running = False
spinner.join()
print(f"spinner speed while waiting for the child: share {waiting / alone:.2f} of its speed alone")
