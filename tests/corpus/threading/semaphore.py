# Semaphore and BoundedSemaphore: counting, non-blocking and timed acquire, release(n), over-release ValueError, concurrency limit.
import threading
import time

s = threading.Semaphore(2)
print(s.acquire(), s.acquire(blocking=False), s.acquire(blocking=False))
print("timed:", s.acquire(timeout=0.01))
s.release()
print(s.acquire(timeout=0.01), s.acquire(False))
s.release(2)
print(s.acquire(False), s.acquire(False), s.acquire(False))
s.release()
s.release()
s.release()  # a plain Semaphore may go above its initial value
print("above initial:", [s.acquire(False) for _ in range(4)])

try:
    threading.Semaphore(-1)
except ValueError as e:
    print("ValueError:", e)
try:
    s.release(0)
except ValueError as e:
    print("ValueError:", e)
try:
    s.acquire(False, 1)
except ValueError as e:
    print("ValueError:", e)

z = threading.Semaphore(0)
print("zero:", z.acquire(False), z.acquire(timeout=0))
with threading.Semaphore() as entered:
    print("with returns:", entered)

b = threading.BoundedSemaphore(2)
b.acquire()
b.release()
try:
    b.release()
except ValueError as e:
    print("ValueError:", e)
b.acquire()
b.acquire()
try:
    b.release(3)
except ValueError as e:
    print("ValueError:", e)
b.release(2)
print("bounded back to full:", b.acquire(False), b.acquire(False), b.acquire(False))
b.release()
b.release()
print(isinstance(b, threading.Semaphore))

# A worker blocks on a zero semaphore until main releases it.
gate = threading.Semaphore(0)
order = []


def blocked():
    order.append("waiting")
    gate.acquire()
    order.append("passed")


t = threading.Thread(target=blocked)
t.start()
while not order:
    time.sleep(0.001)
time.sleep(0.01)
order.append("still blocked: %s" % t.is_alive())
gate.release()
t.join()
print(order)

# At most 3 workers inside the guarded section at once.
pool = threading.BoundedSemaphore(3)
guard = threading.Lock()
inside = [0]
peak = [0]
done = []


def limited(i):
    with pool:
        with guard:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        time.sleep(0.005)
        with guard:
            inside[0] -= 1
            done.append(i)


ts = [threading.Thread(target=limited, args=(i,)) for i in range(8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("peak <= 3:", 1 <= peak[0] <= 3, "inside:", inside[0], "done:", sorted(done))
