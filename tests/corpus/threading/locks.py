# Lock acquire/release/locked, non-blocking and timed acquire, release errors, with-statement; RLock reentrancy and ownership.
import threading
import time

lock = threading.Lock()
print(lock.locked(), lock.acquire(), lock.locked())
print("nonblocking when held:", lock.acquire(blocking=False), lock.acquire(False))
print("timeout when held:", lock.acquire(timeout=0.01), lock.acquire(True, 0.01))
lock.release()
print(lock.locked(), lock.acquire(timeout=0.01), lock.locked())
lock.release()
try:
    lock.release()
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    lock.acquire(False, 1)
except ValueError as e:
    print("ValueError:", e)
try:
    lock.acquire(timeout=-5)
except ValueError as e:
    print("ValueError:", e)
with lock:
    print("inside with:", lock.locked())
print("after with:", lock.locked())
try:
    with lock:
        raise KeyError("boom")
except KeyError as e:
    print("KeyError", e, lock.locked())

# A lock held by the main thread, probed from a worker, then released by a different thread.
probe = []
lock.acquire()


def prober():
    probe.append(lock.acquire(False))
    probe.append(lock.acquire(timeout=0.01))
    lock.release()  # a plain Lock may be released by any thread


t = threading.Thread(target=prober)
t.start()
t.join()
print("worker saw:", probe, "locked now:", lock.locked())

# Mutual exclusion: read-modify-write with explicit switches inside the critical section.
counter = [0]


def bump(n):
    for _ in range(n):
        with lock:
            v = counter[0]
            if v % 50 == 0:
                time.sleep(0)
            counter[0] = v + 1


ts = [threading.Thread(target=bump, args=(200,)) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("counter:", counter[0])

# RLock
r = threading.RLock()
print(r.acquire(), r.acquire(), r.acquire(blocking=False))
r.release()
r.release()
with r:
    with r:
        print("nested with ok")
r.release()
try:
    r.release()
except RuntimeError as e:
    print("RuntimeError:", e)

r.acquire()
other = []


def intruder():
    other.append(r.acquire(blocking=False))
    other.append(r.acquire(timeout=0.01))
    try:
        r.release()
    except RuntimeError as e:
        other.append(str(e))


t = threading.Thread(target=intruder)
t.start()
t.join()
r.release()
print("intruder saw:", other)

got = []


def taker():
    got.append(r.acquire(timeout=1))
    got.append(r.acquire(False))
    r.release()
    r.release()


t = threading.Thread(target=taker)
t.start()
t.join()
print("free rlock taken by worker:", got)
