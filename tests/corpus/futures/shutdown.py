# shutdown(): wait=True joins the workers after the queued work, wait=False returns at once
# (the work still runs); no submit after shutdown; repeated shutdown is harmless; the executor
# as a context manager; an executor never shut down does not keep the interpreter alive.
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

log = []


def work(n, delay):
    time.sleep(delay)
    log.append(n)
    return n


ex = ThreadPoolExecutor(max_workers=2)
fs = [ex.submit(work, i, 0.02 * (3 - i)) for i in range(4)]
ex.shutdown(wait=True)
print("after shutdown(wait=True):", sorted(log), all(f.done() for f in fs))
try:
    ex.submit(work, 9, 0)
except RuntimeError as e:
    print("RuntimeError:", e)
ex.shutdown()
ex.shutdown(wait=False)
print("threads alive:", any(t.is_alive() for t in ex._threads))

log.clear()
gate = threading.Event()
ex = ThreadPoolExecutor(max_workers=1)
f = ex.submit(lambda: gate.wait() and log.append("late"))
ex.shutdown(wait=False)
print("shutdown(wait=False) returned, done:", f.done(), log)
gate.set()
f.result()
print("then:", log)

with ThreadPoolExecutor(max_workers=3) as ex:
    fs = [ex.submit(work, i, 0.01) for i in range(3)]
print("with block:", sorted(f.result() for f in fs), ex._shutdown)
try:
    with ThreadPoolExecutor() as ex2:
        raise KeyError("inside with")
except KeyError as e:
    print("exception passes through:", e, ex2._shutdown)

print("default max_workers:", ThreadPoolExecutor()._max_workers == min(32, os.cpu_count() + 4))
for bad in (0, -1):
    try:
        ThreadPoolExecutor(max_workers=bad)
    except ValueError as e:
        print("ValueError:", e)
try:
    ThreadPoolExecutor(initializer=5)
except TypeError as e:
    print("TypeError:", e)

# Never shut down: the idle worker is stopped at interpreter exit.
forgotten = ThreadPoolExecutor(max_workers=2)
print(forgotten.submit(pow, 2, 10).result())
forgotten.submit(lambda: (time.sleep(0.05), print("worker finished before exit")))
print("main thread ends")
