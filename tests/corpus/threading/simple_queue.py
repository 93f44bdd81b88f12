# queue.SimpleQueue (native, as CPython's _queue): Empty from _queue, non-blocking and timed gets,
# put's ignored block/timeout, two consumers and a producer, argument errors, a late put waking a get.
import queue, threading, time, _queue
q = queue.SimpleQueue()
print(queue.Empty, queue.SimpleQueue, queue.Empty is _queue.Empty, issubclass(queue.Empty, Exception))
print(q.empty(), q.qsize())
try:
    q.get_nowait()
except queue.Empty as e:
    print("empty nowait", repr(e))
try:
    q.get(False)
except queue.Empty:
    print("empty nonblock")
t0 = time.monotonic()
try:
    q.get(timeout=0.05)
except queue.Empty:
    print("timeout ok", time.monotonic() - t0 >= 0.045)
try:
    q.get(timeout=-1)
except ValueError as e:
    print("ValueError", e)
q.put(1); q.put_nowait(2); q.put(3, block=False, timeout=5)
print(q.qsize(), q.empty(), q.get(), q.get(), q.get(timeout=1), q.empty())
def prod():
    for i in range(1000):
        q.put(i)
def cons(out):
    for i in range(500):
        out.append(q.get())
outs = [[], []]
ts = [threading.Thread(target=cons, args=(outs[0],)), threading.Thread(target=cons, args=(outs[1],)), threading.Thread(target=prod)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(outs[0] + outs[1]) == list(range(1000)), outs[0] == sorted(outs[0]))
try:
    q.put()
except TypeError as e:
    print("TypeError", e)
try:
    queue.SimpleQueue(1)
except TypeError as e:
    print("TypeError", e)
# get from another thread wakes
def later():
    time.sleep(0.05); q.put("late")
threading.Thread(target=later).start()
print(q.get())
print(q.get(True, 1) if not q.empty() else "none left")
