# Event set/clear/is_set/wait(timeout) return values and waking waiters; Timer firing, args, cancel.
import threading
import time

e = threading.Event()
print(e.is_set(), e.wait(0), e.wait(0.01), e.wait(timeout=0))
e.set()
print(e.is_set(), e.wait(), e.wait(0), e.wait(0.01))
e.set()
print("set twice:", e.is_set())
e.clear()
print(e.is_set(), e.wait(0.01))
e.clear()

go = threading.Event()
results = []
lock = threading.Lock()


def waiter(i):
    r = go.wait(5)
    with lock:
        results.append((i, r))


ts = [threading.Thread(target=waiter, args=(i,)) for i in range(4)]
for t in ts:
    t.start()
print("before set:", results, [t.is_alive() for t in ts])
go.set()
for t in ts:
    t.join()
print("after set:", sorted(results))

# A waiter with a short timeout gives up and gets False.
late = threading.Event()
out = []
t = threading.Thread(target=lambda: out.append(late.wait(0.02)))
t.start()
t.join()
print("timed out waiter:", out, late.is_set())

# Timer
fired = []
tm = threading.Timer(0.01, lambda x, y=0: fired.append(x + y), args=(40,), kwargs={"y": 2})
print(tm.name.startswith("Thread-"), tm.interval, tm.is_alive())
tm.start()
tm.join()
print("fired:", fired, tm.finished.is_set())

cancelled = []
tc = threading.Timer(0.2, cancelled.append, args=("should not fire",))
tc.start()
tc.cancel()
tc.join()
print("cancelled:", cancelled, tc.is_alive(), tc.finished.is_set())

pre = threading.Timer(0.01, cancelled.append, ["nope"])
pre.cancel()
pre.start()
pre.join()
print("cancelled before start:", cancelled)

order = []
t1 = threading.Timer(0.05, order.append, ["slow"])
t2 = threading.Timer(0.005, order.append, ["fast"])
t1.start()
t2.start()
t1.join()
t2.join()
print("order:", order)
