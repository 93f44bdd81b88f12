# Condition: wait/notify, notify(n) wake counts, notify_all, wait timeouts, wait_for with and without timeout, ownership errors.
import threading
import time

cond = threading.Condition()
state = {"waiting": 0, "tokens": 0}
woken = []


def waiter(i):
    with cond:
        state["waiting"] += 1
        cond.notify_all()  # tell main another waiter is in place
        while state["tokens"] == 0:
            cond.wait()
        state["tokens"] -= 1
        woken.append(i)


def wait_until_waiting(n):
    with cond:
        ok = cond.wait_for(lambda: state["waiting"] == n, timeout=5)
    return ok


ts = [threading.Thread(target=waiter, args=(i,)) for i in range(5)]
for t in ts:
    t.start()
print("all waiting:", wait_until_waiting(5))


def release(n, how):
    with cond:
        state["tokens"] += n
        if how == "all":
            cond.notify_all()
        else:
            cond.notify(n)
    deadline = time.monotonic() + 5
    while True:
        with cond:
            if state["tokens"] == 0:
                return
        if time.monotonic() > deadline:
            print("stuck")
            return
        time.sleep(0.001)


release(2, "n")
print("after notify(2):", len(woken))
release(1, "one")
print("after notify():", len(woken))
release(2, "all")
print("after notify_all():", len(woken))
for t in ts:
    t.join()
print("woken:", sorted(woken))

# notify(n) wakes at most n waiters; the rest time out.
c2 = threading.Condition(threading.Lock())
results = []
count = [0]


def timed_waiter():
    with c2:
        count[0] += 1  # still holding the lock until wait() releases it
        results.append(c2.wait(timeout=0.2))


ws = [threading.Thread(target=timed_waiter) for _ in range(4)]
for w in ws:
    w.start()
while True:
    with c2:
        if count[0] == 4:
            c2.notify(3)
            break
    time.sleep(0.001)
for w in ws:
    w.join()
print("notify(3) of 4:", sorted(results))

# Timeouts with nobody notifying.
c3 = threading.Condition()
with c3:
    print("wait timeout:", c3.wait(0.01))
    print("wait zero:", c3.wait(0))
    print("wait_for false:", c3.wait_for(lambda: False, timeout=0.01))
    print("wait_for true:", c3.wait_for(lambda: "ready", timeout=0.01))
    print("wait_for value:", c3.wait_for(lambda: [], timeout=0))

# wait_for without timeout, predicate made true by another thread.
c4 = threading.Condition()
box = []


def filler():
    for i in range(3):
        with c4:
            box.append(i)
            c4.notify()
        time.sleep(0.002)


t = threading.Thread(target=filler)
t.start()
with c4:
    print("wait_for no timeout:", c4.wait_for(lambda: len(box) == 3))
t.join()
print(box)

# RLock-based condition: waiting releases every level of the recursive lock.
c5 = threading.Condition(threading.RLock())
flag = []


def setter():
    with c5:
        flag.append(1)
        c5.notify()


with c5:
    with c5:
        t = threading.Thread(target=setter)
        t.start()
        print("nested wait:", c5.wait_for(lambda: flag, timeout=5))
t.join()

# Errors when the lock is not held.
for name, call in [("wait", lambda: c3.wait(0)), ("notify", lambda: c3.notify()), ("notify_all", lambda: c3.notify_all())]:
    try:
        call()
    except RuntimeError as e:
        print(name, "RuntimeError:", e)
c6 = threading.Condition(threading.Lock())
try:
    c6.notify()
except RuntimeError as e:
    print("plain lock notify RuntimeError:", e)
