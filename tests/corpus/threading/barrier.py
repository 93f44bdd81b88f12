# Barrier: distinct wait() indices, action runs once per cycle, reuse, abort/timeout -> BrokenBarrierError, reset, properties.
import threading
import time

actions = []
b = threading.Barrier(4, action=lambda: actions.append("tripped"))
print(b.parties, b.n_waiting, b.broken)
indices = []
lock = threading.Lock()


def party(rounds):
    for r in range(rounds):
        i = b.wait(5)
        with lock:
            indices.append((r, i))


ts = [threading.Thread(target=party, args=(2,)) for _ in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(sorted(indices))
print(actions, b.n_waiting, b.broken)

# abort() wakes current waiters and breaks later calls.
ab = threading.Barrier(3)
errors = []


def doomed():
    try:
        ab.wait(5)
        errors.append("passed")
    except threading.BrokenBarrierError as e:
        errors.append(type(e).__name__ + repr(str(e)))


ws = [threading.Thread(target=doomed) for _ in range(2)]
for w in ws:
    w.start()
while ab.n_waiting < 2:
    time.sleep(0.001)
print("n_waiting:", ab.n_waiting)
ab.abort()
for w in ws:
    w.join()
print(errors, ab.broken, ab.n_waiting)
try:
    ab.wait()
except threading.BrokenBarrierError:
    print("still broken")
print(issubclass(threading.BrokenBarrierError, RuntimeError))
ab.reset()
print("after reset:", ab.broken)

# A timeout breaks the barrier for the waiter.
tb = threading.Barrier(2, timeout=0.02)
try:
    tb.wait()
except threading.BrokenBarrierError:
    print("default timeout broke it:", tb.broken)
tb.reset()
try:
    tb.wait(0.01)
except threading.BrokenBarrierError:
    print("explicit timeout broke it:", tb.broken)

# An exception in the action breaks the barrier for everybody.
bad = threading.Barrier(2, action=lambda: 1 / 0)
outcome = []


def member():
    try:
        bad.wait(5)
        outcome.append("ok")
    except threading.BrokenBarrierError:
        outcome.append("broken")
    except ZeroDivisionError:
        outcome.append("action raised")


ms = [threading.Thread(target=member) for _ in range(2)]
for m in ms:
    m.start()
for m in ms:
    m.join()
print(sorted(outcome), bad.broken)

# A single-party barrier never blocks.
one = threading.Barrier(1)
print([one.wait() for _ in range(3)])
